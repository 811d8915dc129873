"""Online spaces (schema 1.1): group chats and platforms ranked as venues are.

An online place has no location and no authority. It joins young people into
contexts as a venue does (:data:`peermap.analysis.community.ONLINE_WEIGHT`), its reach
is measured from the home authorities of the young people recorded there (it stands in
the home authority of most of them, :func:`peermap._lookup.reach_authority`), and its
records weigh by their kind of harm as anywhere (:data:`peermap.ranking.SEVERITY`).
:func:`online_spaces` is the section of the hotspot ranking that :func:`peermap.hotspots`
leaves out: the same score, the same order. ``docs/online_spaces.md`` works an example.
"""

from __future__ import annotations

import pandas as pd

from peermap import _lookup
from peermap._arguments import dataset_argument
from peermap._kernels import Engine
from peermap.analysis.venues import place_table, section
from peermap.dataset import Dataset
from peermap.filters import DateLike, Window, filter_sightings

__all__ = ["ONLINE_SPACE_COLUMNS", "online_spaces"]

#: Columns of :func:`online_spaces` before the abuse contexts and the score's parts.
ONLINE_SPACE_COLUMNS: tuple[str, ...] = (
    "place_id",
    "kind",
    "platform",
    "label",
    "people",
    "sightings",
    "home_authorities",
    "authorities",
)
# Columns of the hotspot table that mean nothing for a place without a location.
_LOCATED = ("authority_code", "authority_name", "assignment", "outside_share", "geometry")


def online_spaces(
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
) -> pd.DataFrame:
    """Rank the online places (group chats, platforms) by concern, as venues are ranked.

    The score is :func:`peermap.hotspots`' (one ranking of every place: harm beyond
    what is usual at places of the kind, weighed by reach and exploiter ties); this is
    its section of online places, which have no coordinates, so it is a table, not a
    map layer.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries for reach).
    window, since, until, min_reliability, betweenness_sample, seed, backend, engine
        As in :func:`peermap.hotspots`.

    Returns
    -------
    pandas.DataFrame
        One row per online place, most concerning first: ``place_id``, ``kind``,
        ``platform``, ``label``, ``people``, ``sightings``, ``home_authorities`` (how
        many home authorities its young people come from), ``authorities`` (those
        authorities, sorted), one column of sightings per abuse context, ``serious``,
        ``first_date``, ``last_date``, ``betweenness`` and the score's parts as in
        :func:`peermap.hotspots` (``reach`` of the members' homes from the authority
        most of them live in), ``reasons`` and ``rank`` (1 = most concerning online
        place).
    """
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
    part = pd.DataFrame(section(table, online=True))
    dataset_argument(ds, "online_spaces")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    s = s[s["place_id"].isin(part["place_id"])]
    homes = _lookup.home(ds).reindex(s["person_id"].to_numpy())
    by_place = (
        pd.Series(homes.to_numpy(dtype=object), index=s["place_id"].to_numpy(dtype=object))
        .dropna()
        .groupby(level=0)
        .agg(lambda h: sorted(set(h)))
    )
    part["authorities"] = [list(by_place.get(p, [])) for p in part["place_id"]]
    platform = ds.places.set_index("place_id")["platform"] if "platform" in ds.places else None
    part["platform"] = (
        platform.reindex(part["place_id"]).to_numpy(dtype=object) if platform is not None else None
    )
    rest = [c for c in part.columns if c not in (*ONLINE_SPACE_COLUMNS, *_LOCATED)]
    return part[[*ONLINE_SPACE_COLUMNS, *rest]].reset_index(drop=True)
