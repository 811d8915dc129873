"""Which records an output counts: a date window and a weakest reliability grade.

One selection step for every output: a :class:`Window` (``since``, ``until``,
``min_reliability``) and :func:`select`, which applies it once to a dataset (ties
active in the window, sightings dated in it, relocations dated in it; ties and
sightings at least as reliable as ``min_reliability``) and, given a context, keeps its
young people and places. Analyses and views take ``window=`` (or the keyword trio
``since``, ``until``, ``min_reliability`` as a convenience, turned into a window by
:meth:`Window.of`). :func:`filter_ties` and :func:`filter_sightings` select one table,
and :func:`data_period` states the period the records cover, so the same window means
the same thing everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from peermap._arguments import dataset_argument, kind_of
from peermap._parsing import parse_date
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.schema import RELIABILITIES, RELIABILITY_RANK

__all__ = [
    "DateLike",
    "Window",
    "data_period",
    "filter_sightings",
    "filter_ties",
    "select",
    "select_sightings",
    "select_ties",
]

#: A date given to a filter: ``YYYY-MM-DD`` or ``DD/MM/YYYY`` text, a date or a timestamp;
#: None (or ``pd.NaT``) for no bound.
DateLike = str | dt.date | pd.Timestamp | None


def _timestamp(value: DateLike, name: str) -> pd.Timestamp | None:
    """Read a bound of a window: None (or a missing date, ``pd.NaT``) is no bound.

    Text is read as records' dates are (:func:`peermap._parsing.parse_date`): a date
    written with slashes is day first, ``01/06/2024`` the first of June (pandas alone
    would read it as the sixth of January). Text that names no date (``""``) is
    refused: a window that silently selected nothing would read as "nothing happened".
    """
    if value is None:
        return None
    shown = repr(value) if isinstance(value, str | dt.date | int | float) else kind_of(value)
    problem = f"{name}={shown} is not a date (use YYYY-MM-DD)"
    if isinstance(value, str) and "/" in value:
        day = parse_date(value.strip())
        if day is None:
            raise ArgumentError(problem)
        return pd.Timestamp(day)
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(problem) from exc
    if pd.isna(stamp):
        # A missing date given as such is no bound; text that reads as none is refused.
        if isinstance(value, str):
            raise ArgumentError(problem)
        return None
    if not 1 <= stamp.year <= 9999:
        # "-2024-01-01" (a stray minus) is year -2024 to pandas, a date no calendar
        # output can write.
        raise ArgumentError(f"{name}={shown} is not a date of years 1 to 9999 (use YYYY-MM-DD)")
    return stamp


def _min_rank(min_reliability: str) -> int:
    if not isinstance(min_reliability, str):
        # A list or a number (unhashable, or never a grade) is named by its kind.
        raise ArgumentError(
            f"min_reliability= takes one grade as text, one of {', '.join(RELIABILITIES)}; "
            f"got {kind_of(min_reliability)}"
        )
    if min_reliability not in RELIABILITY_RANK:
        raise ArgumentError(
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
    window: Window | None = None,
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
    window : Window, optional
        Which records count; or give ``since``, ``until`` and ``min_reliability``.
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
    w = Window.of(window, since=since, until=until, min_reliability=min_reliability)
    return select_ties(ds.ties, w.since, w.until, w.min_reliability)


def select_ties(
    ties: pd.DataFrame, since: DateLike, until: DateLike, min_reliability: str
) -> pd.DataFrame:
    """Filter a ties frame: active in ``[since, until]``, at least ``min_reliability``."""
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
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Return the sightings dated within ``[since, until]`` with at least a given reliability.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which records count; or give ``since``, ``until`` and ``min_reliability``.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade kept.

    Returns
    -------
    pandas.DataFrame
        The sightings kept, with their original index.
    """
    w = Window.of(window, since=since, until=until, min_reliability=min_reliability)
    return select_sightings(ds.sightings, w.since, w.until, w.min_reliability)


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
    window: Window | None = None,
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
    window : Window, optional
        Which records count; or give ``since``, ``until`` and ``min_reliability``.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade of tie and sighting kept.

    Returns
    -------
    tuple of (datetime.date or None)
        ``(first, last)``; ``(None, None)`` when nothing is dated.
    """
    w = Window.of(window, since=since, until=until, min_reliability=min_reliability)
    ties = filter_ties(ds, window=w)
    sightings = filter_sightings(ds, window=w)
    start, end = w.since, w.until
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


@dataclasses.dataclass(frozen=True, init=False)
class Window:
    """Which records an output counts: dated within ``[since, until]``, reliable enough.

    Parameters
    ----------
    since, until : date or str, optional
        Window bounds, inclusive: ``YYYY-MM-DD`` or day-first ``DD/MM/YYYY`` text (as
        records' dates are read), a date or a timestamp; None or ``pd.NaT`` for no
        bound; text that is no date is refused. A tie counts when its span
        (``first_seen`` to ``last_seen``, or ``first_seen`` alone) overlaps the window;
        sightings and relocations by date.
    min_reliability : str, default "unverified"
        The weakest grade of tie and sighting counted.

    Attributes
    ----------
    since, until : pandas.Timestamp or None
        The bounds, parsed.
    min_reliability : str
        The weakest grade counted.

    Examples
    --------
    >>> import peermap
    >>> w = peermap.Window(since="2024-01-01", min_reliability="corroborated")
    >>> w.since
    Timestamp('2024-01-01 00:00:00')
    """

    since: pd.Timestamp | None
    until: pd.Timestamp | None
    min_reliability: str

    def __init__(
        self, since: DateLike = None, until: DateLike = None, min_reliability: str = "unverified"
    ) -> None:
        start, end = _timestamp(since, "since"), _timestamp(until, "until")
        _min_rank(min_reliability)
        if start is not None and end is not None and start > end:
            raise ArgumentError(f"since={since!r} is after until={until!r}")
        object.__setattr__(self, "since", start)
        object.__setattr__(self, "until", end)
        object.__setattr__(self, "min_reliability", min_reliability)

    @classmethod
    def of(
        cls,
        window: Window | None = None,
        *,
        since: DateLike = None,
        until: DateLike = None,
        min_reliability: str | None = None,
    ) -> Window:
        """Return the one window an output applies: ``window``, or the keyword trio.

        Raises
        ------
        ValueError
            When both a window and any of the keywords are given (which would win is
            not obvious, so neither does).
        """
        if window is None:
            return cls(since, until, "unverified" if min_reliability is None else min_reliability)
        if not isinstance(window, Window):
            raise ArgumentError(f"window must be a peermap.Window, not {type(window).__name__}")
        given = [
            name
            for name, value in (
                ("since", since),
                ("until", until),
                ("min_reliability", min_reliability),
            )
            if value is not None and not (name == "min_reliability" and value == "unverified")
        ]
        if given:
            raise ArgumentError(
                f"give window= or {', '.join(given)}=, not both (the window already says "
                "which records count)"
            )
        return window

    @classmethod
    def resolve(
        cls,
        window: Window | None,
        since: DateLike = None,
        until: DateLike = None,
        min_reliability: str = "unverified",
    ) -> tuple[DateLike, DateLike, str]:
        """Return the ``since``, ``until`` and ``min_reliability`` a function applies.

        What every analysis and view taking ``window=`` and the keyword trio does
        first: with a window, its bounds and grade; without one, the keywords, read as
        a window reads them (a day-first date as a day-first date, ``pd.NaT`` as no
        bound; a bad date or grade is refused at once). Giving both is refused
        (:meth:`of`).
        """
        chosen = cls.of(window, since=since, until=until, min_reliability=min_reliability)
        # The bounds as the window read them, whichever way they were given: every
        # consumer (sightings, ties, relocations, periods, the report's header) then
        # reads a day-first date, or pd.NaT, the same way.
        return chosen.since, chosen.until, chosen.min_reliability

    @property
    def keywords(self) -> dict[str, Any]:
        """The window as the keyword trio (``since``, ``until``, ``min_reliability``)."""
        return {"since": self.since, "until": self.until, "min_reliability": self.min_reliability}

    @property
    def everything(self) -> bool:
        """True when the window keeps every record (no bounds, every grade)."""
        return self.since is None and self.until is None and self.min_reliability == "unverified"


def select(
    ds: Dataset,
    window: Window | None = None,
    *,
    context: Mapping[str, Any] | pd.Series | Iterable[str] | None = None,
    shared_places: bool = False,
) -> Dataset:
    """Apply a window (and a context) to a dataset once: the records an output counts.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which records count (default: every record).
    context : row of peermap.contexts, or list of person_id, optional
        Keep one context: a row of :func:`peermap.contexts` (its young people and its
        own ``places``) or a list of young people (their places are where they were
        seen). Ties are kept between two kept young people, sightings of kept young
        people at kept places, relocations of kept young people.
    shared_places : bool, default False
        With a context row, also keep its ``shared_places`` (places it shares with
        other contexts, such as a county line's flat far away). A context with no
        place of its own always keeps them, so that it is shown where it reaches.

    Returns
    -------
    Dataset
        A dataset with the same people and places (all of them, or the context's) and
        only the ties, sightings and relocations the window (and context) keep.

    Raises
    ------
    ValueError
        A context naming young people not in the dataset, or an empty one.
    """
    dataset_argument(ds, "select")
    w = Window() if window is None else Window.of(window)
    ties = select_ties(ds.ties, w.since, w.until, w.min_reliability)
    sightings = select_sightings(ds.sightings, w.since, w.until, w.min_reliability)
    moves = ds.relocations
    if w.since is not None:
        moves = moves[moves["date"] >= w.since]
    if w.until is not None:
        moves = moves[moves["date"] <= w.until]
    people, places = ds.people, ds.places
    if context is not None:
        members, venues = _context_members(ds, context, sightings, shared_places)
        people = people[people["person_id"].isin(members)]
        places = places[places["place_id"].isin(venues)]
        sightings = sightings[
            sightings["person_id"].isin(members) & sightings["place_id"].isin(venues)
        ]
        ties = ties[ties["person_a"].isin(members) & ties["person_b"].isin(members)]
        moves = moves[moves["person_id"].isin(members)]
    return ds.replace(
        people=people, places=places, ties=ties, sightings=sightings, relocations=moves
    )


def _context_members(
    ds: Dataset,
    context: Mapping[str, Any] | pd.Series | Iterable[str],
    sightings: pd.DataFrame,
    shared_places: bool,
) -> tuple[set[str], set[str]]:
    """Return the young people and places of a context row, or of a list of young people."""
    if isinstance(context, (Mapping, pd.Series)) and "people" in context:
        members = {str(p) for p in context["people"]}
        venues = {str(p) for p in context.get("places", [])}
        # A context with no place of its own (young people joined by exploiter ties
        # whose flat went with another group) shows where it reaches: the places two
        # or more of its young people share.
        if shared_places or not venues:
            venues |= {str(p) for p in context.get("shared_places", [])}
        return members, venues
    if isinstance(context, (str, bytes)) or not isinstance(context, Iterable):
        raise ArgumentError(
            "context must be a row of peermap.contexts or a list of person_id values, "
            f"not {type(context).__name__}"
        )
    members = {str(p) for p in context}
    if not members:
        raise ArgumentError("context is an empty list of young people")
    unknown = members - set(ds.people["person_id"])
    if unknown:
        raise ArgumentError(
            f"{len(unknown)} of the {len(members)} young people given are not in the "
            "dataset's people table"
        )
    seen = sightings[sightings["person_id"].isin(members)]
    return members, set(seen["place_id"])
