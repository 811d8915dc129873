"""Which records an output counts: a date window and a weakest reliability grade.

Every output (graphs, flows, maps, diagrams, timelines, reports, exchange packages)
selects ties and sightings with :func:`filter_ties` and :func:`filter_sightings`, and
states the period its records cover with :func:`data_period`, so that the same
``since``, ``until`` and ``min_reliability`` mean the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from peermap.dataset import Dataset
from peermap.schema import RELIABILITIES, RELIABILITY_RANK

__all__ = ["DateLike", "data_period", "filter_sightings", "filter_ties"]

#: A date given to a filter: ``YYYY-MM-DD`` text, a date or a timestamp; None for no bound.
DateLike = str | dt.date | pd.Timestamp | None


def _timestamp(value: DateLike, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={value!r} is not a date (use YYYY-MM-DD)") from exc


def _min_rank(min_reliability: str) -> int:
    if min_reliability not in RELIABILITY_RANK:
        raise ValueError(
            f"min_reliability={min_reliability!r}; expected one of {', '.join(RELIABILITIES)}"
        )
    return RELIABILITY_RANK[min_reliability]


def _reliable(frame: pd.DataFrame, min_reliability: str) -> pd.Series:
    rank = _min_rank(min_reliability)
    codes = frame["reliability"].map(RELIABILITY_RANK).astype(float)
    return codes >= rank


def filter_ties(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Return the ties active in a time window with at least a given reliability.

    A tie is active from ``first_seen`` to ``last_seen`` (or to ``first_seen`` when no
    ``last_seen`` is recorded); it is kept when that span overlaps ``[since, until]``.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade kept: ``"confirmed"``, ``"corroborated"``, ``"reported"`` or
        ``"unverified"`` (everything).

    Returns
    -------
    pandas.DataFrame
        The ties kept, with their original index.
    """
    ties = ds.ties
    keep = _reliable(ties, min_reliability)
    start, end = _timestamp(since, "since"), _timestamp(until, "until")
    last = ties["last_seen"].fillna(ties["first_seen"])
    if start is not None:
        keep &= last >= start
    if end is not None:
        keep &= ties["first_seen"] <= end
    return ties[keep]


def filter_sightings(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Return the sightings dated within ``[since, until]`` with at least a given reliability.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade kept.

    Returns
    -------
    pandas.DataFrame
        The sightings kept, with their original index.
    """
    return select_sightings(ds.sightings, since, until, min_reliability)


def select_sightings(
    sightings: pd.DataFrame, since: DateLike, until: DateLike, min_reliability: str
) -> pd.DataFrame:
    """Filter a sightings frame (the whole table, or one dask partition of it)."""
    keep = _reliable(sightings, min_reliability)
    start, end = _timestamp(since, "since"), _timestamp(until, "until")
    if start is not None:
        keep &= sightings["date"] >= start
    if end is not None:
        keep &= sightings["date"] <= end
    return sightings[keep]


def data_period(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> tuple[dt.date | None, dt.date | None]:
    """Return the first and last date the records cover, within a filter.

    One definition for every output that states a data period (maps, diagrams,
    reports, exchange packages): the ties kept by :func:`filter_ties` (from
    ``first_seen`` to ``last_seen``, or ``first_seen`` alone), the sightings kept by
    :func:`filter_sightings` and the relocations dated in the window, clamped to
    ``[since, until]``.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade of tie and sighting kept.

    Returns
    -------
    tuple of (datetime.date or None)
        ``(first, last)``; ``(None, None)`` when nothing is dated.
    """
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    sightings = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    start, end = _timestamp(since, "since"), _timestamp(until, "until")
    moves = ds.relocations["date"]
    if start is not None:
        moves = moves[moves >= start]
    if end is not None:
        moves = moves[moves <= end]
    firsts = pd.concat([ties["first_seen"], sightings["date"], moves]).dropna()
    lasts = pd.concat(
        [ties["last_seen"].fillna(ties["first_seen"]), sightings["date"], moves]
    ).dropna()
    if firsts.empty:
        return None, None
    first, last = pd.Timestamp(firsts.min()), pd.Timestamp(lasts.max())
    if start is not None:
        first = max(first, start)
    if end is not None:
        last = min(last, end)
    return first.date(), last.date()
