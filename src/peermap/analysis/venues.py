"""Hotspot venues ranked by the concern score (``docs/analysis.md``, "Hotspots")."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from peermap._arguments import dataset_argument
from peermap._kernels import Engine, check_engine, hotspot_parts, hotspot_table
from peermap.dataset import Dataset
from peermap.filters import DateLike, Window, filter_sightings, filter_ties
from peermap.schema import is_online

__all__ = [
    "hotspots",
]


def hotspots(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    betweenness_sample: int = 32,
    seed: int = 0,
    backend: str | None = None,
    engine: Engine = "pandas",
) -> gpd.GeoDataFrame:
    """Rank venues by concern: harm recorded there beyond what is usual for such a place.

    A venue is not a hotspot because it is busy. Each venue's harm (records weighted
    by severity and reliability, at most :data:`peermap.ranking.PAIR_CAP` per young
    person) is judged against what its footfall would bring at the rate usual for
    venues of its kind (Kulldorff's Poisson log-likelihood ratio, with a p-value and
    Benjamini-Hochberg q-value). The young people whose exploiter tie meets there (both
    young people of the tie seen there within :data:`peermap.ranking.MEET_DAYS` days of
    each other; for an exploiter never seen with those he exploits, two of them seen
    there together: :func:`peermap.ranking.exploitation_met`) count as one more kind of
    harm, judged against
    its footfall the same way: a busy park is not a hotspot because young people in
    exploiter ties pass through it, but it is one where they meet those who exploit
    them. The score is weighed by the reach of the young people harmed there; a venue
    whose excess rests on one young person counts half
    (:func:`peermap.ranking.breadth`): that is first the young person's own case.
    ``docs/analysis.md`` gives the formula and the reasons; :mod:`peermap.ranking`
    holds the weights.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries for reach and ``outside_share``).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep sightings dated, and ties active, within this window.
    min_reliability : str, default "unverified"
        Keep sightings and ties of at least this grade (weaker records kept still
        count for less in the score).
    betweenness_sample : int, default 32
        Source nodes sampled for betweenness when the place graph has more than
        :data:`BETWEENNESS_EXACT_MAX` nodes (exact below).
    seed : int, default 0
        Seed for the betweenness sample.
    backend : str, optional
        Where betweenness runs: ``"igraph"`` (C, the default through
        :data:`peermap.settings.graph_backend`; the same sample and rescaling as
        networkx, so equal values), ``"networkx"``, or an installed networkx backend
        such as ``"parallel"`` (nx-parallel).
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` aggregates the sightings on dask (see
        :func:`peermap.dask_engine.hotspots`, which takes sightings already in dask);
        the table is the same.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place (EPSG:27700), most concerning first, ``place_id`` as a
        column, with ``people`` (distinct young people), ``sightings``,
        ``home_authorities`` (distinct home authorities of those people),
        ``outside_share`` (share of them homed outside the place's authority), one
        column of sightings per abuse context, ``serious`` (sightings in
        :data:`SERIOUS_CONTEXTS`), ``first_date``, ``last_date``, ``betweenness``
        (normalised, in the place graph); the score's parts: ``harmed_people`` (young
        people with a record of severity 0.5 or more there), ``harmed_authorities``
        (their home authorities), ``exploited`` (how many of them are in an exploiter
        tie), ``tied_people`` (young people seen there who are in an exploiter tie,
        harmed there or not), ``met_people`` (those of them whose exploiter tie meets
        there: its other young person is seen there too, within
        :data:`peermap.ranking.MEET_DAYS` days, or another young person exploited by
        the same exploiter, where he is never seen with them) and
        ``exploiter_ratio`` (their count, weighted by the ties' reliability, over what
        the share of such young people among all those seen would bring),
        ``together_people`` (those seen there within
        :data:`peermap.ranking.MEET_DAYS` days of another young person in an exploiter
        tie, whose own tie does not meet there) and ``tied_ratio`` (likewise),
        ``missing_people`` (those seen there within
        :data:`peermap.ranking.MISSING_DAYS` day of a missing-episode record of theirs
        at another place) and ``missing_ratio`` (likewise), ``reach``
        (``single``, ``neighbours`` or ``distant``, of those young people's homes from
        the place's authority; ``unknown`` without boundaries),
        ``harm`` and ``expected`` (observed and expected harm), ``excess_ratio``,
        ``p_value`` and ``q_value`` (one-sided, of the excess), ``concern`` (the
        score), ``reasons`` (the score in words) and ``rank`` (1 = most concerning).
        Online places (schema 1.1), which have no location, are not listed: they are
        ranked the same way, in their own section, by :func:`peermap.online_spaces`.
    """
    dataset_argument(ds, "hotspots")
    table = place_table(
        ds,
        window=window,
        since=since,
        until=until,
        min_reliability=min_reliability,
        betweenness_sample=betweenness_sample,
        seed=seed,
        backend=backend,
        engine=engine,
    )
    return section(table, online=False)


def section(table: gpd.GeoDataFrame, *, online: bool) -> gpd.GeoDataFrame:
    """Return the venues (or the online places) of a ranked table, ranked 1, 2, ... among them.

    The order is the table's: one score ranks venues and online places alike, and each
    section lists its own in that order.
    """
    mine = is_online(table["kind"]).to_numpy() if len(table) else np.zeros(0, dtype=bool)
    part = table[mine == online].reset_index(drop=True)
    part["rank"] = np.arange(1, len(part) + 1, dtype=int)
    return part


def place_table(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    betweenness_sample: int = 32,
    seed: int = 0,
    backend: str | None = None,
    engine: Engine = "pandas",
) -> gpd.GeoDataFrame:
    """Rank every place, venues and online places together (see :func:`hotspots`)."""
    dataset_argument(ds, "place_table")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    if engine == "dask":
        from peermap import dask_engine

        return dask_engine.hotspots(
            ds,
            dask_engine.from_pandas(ds.sightings),
            since=since,
            until=until,
            min_reliability=min_reliability,
            betweenness_sample=betweenness_sample,
            seed=seed,
            backend=backend,
        )
    check_engine(engine)
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    return hotspot_table(ds, hotspot_parts(ds, s), ties, betweenness_sample, seed, backend)
