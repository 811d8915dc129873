"""Timelines: when a context formed and whether it is growing.

:func:`timeline_table` counts, per period (calendar month by default), for a context, an
authority or the whole dataset:

- **young people**: ``active`` (distinct young people with a sighting, or a tie first
  recorded, in the period), ``new`` (first recorded in the period) and ``cumulative``
  (everyone recorded so far): the growth of the group;
- **sightings** per abuse context;
- **ties** first recorded, per kind;
- **relocations** ``into`` and ``out_of`` the area (the authority, or the authorities a
  context spans) and ``within`` it.

:func:`timeline` draws the same counts with matplotlib, one panel each, sharing the
time axis, with the first record marked and the last three periods compared with the
three before. Audiences follow the maps: a public timeline shows counts under the
small-count rule of :mod:`peermap.disclosure` (segments under ``min_count`` are not
drawn; others are rounded), a partnership timeline exact counts.

A time slider on the folium map is not provided: folium's ``TimestampedGeoJson``
plugin loads its scripts from a CDN, which the offline maps refuse, and the panels
here answer "when" more directly than an animation.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap._arguments import dataset_argument
from peermap.cell_keys import KEY_SPACE, RECORD_IDENTITY, people_key, record_keys, sighting_keys
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience, SuppressionRule, ViewAudience
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window
from peermap.privacy import refuse_identifier_text
from peermap.schema import CONTEXTS, TIE_KINDS
from peermap.views.diagrams import TIE_COLOURS, ContextLike, context_subset
from peermap.views.page import View, authority_names, period_text, render, save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "CONTEXT_COLOURS",
    "RELOCATION_COLOURS",
    "Timeline",
    "TimelineInfo",
    "make_timeline",
    "timeline",
    "timeline_table",
]

#: Colour of each abuse context: Paul Tol's colour-blind-safe "muted" scheme, pale grey
#: for ``other``.
CONTEXT_COLOURS: Final[dict[str, str]] = {
    "cse": "#882255",
    "cce": "#CC6677",
    "teenage_relationship_abuse": "#AA4499",
    "serious_youth_violence": "#332288",
    "bullying": "#DDCC77",
    "harmful_sexual_behaviour": "#117733",
    "missing_episode": "#88CCEE",
    "gang_association": "#44AA99",
    "other": "#DDDDDD",
}
#: Colours of relocations into, out of and within the area.
RELOCATION_COLOURS: Final[dict[str, str]] = {
    "into": "#01665E",
    "out_of": "#BF812D",
    "within": "#999999",
}
PEOPLE_COLOUR: Final = "#4D4D4D"
_RELOCATION_DIRECTIONS: Final = ("into", "out_of", "within")
_PEOPLE_MEASURES: Final = ("active", "new", "cumulative")
#: Periods compared at the end of the timeline (the last n with the n before).
TREND_PERIODS: Final = 3


# --------------------------------------------------------------------------- selection


def _resolve_authority(ds: Dataset, authority: str) -> tuple[str, str]:
    """Return (code, name) of an authority given by GSS code or name."""
    names = authority_names(ds)
    known = set(names) | {str(a) for a in ds.people["home_authority"].dropna()}
    text = authority.strip()
    if text.upper() in known:
        code = text.upper()
        return code, names.get(code, code)
    if text in known:
        return text, names.get(text, text)
    folded = {k.casefold(): k for k in known}
    folded.update({n.casefold(): c for c, n in names.items()})
    if text.casefold() in folded:
        code = folded[text.casefold()]
        return code, names.get(code, code)
    raise ArgumentError(
        f"authority {authority!r} is not in the dataset; give a GSS code or a name such as "
        + ", ".join(sorted(names.values())[:5] or sorted(known)[:5])
    )


def _select(
    ds: Dataset,
    *,
    context: ContextLike,
    contexts_table: pd.DataFrame | None,
    authority: str | None,
    since: DateLike,
    until: DateLike,
    min_reliability: str,
) -> tuple[Dataset, str, set[str]]:
    """Return the records shown, what they are ("" for all) and the area's authorities."""
    if context is not None and authority is not None:
        raise ArgumentError("give context or authority, not both")
    sub, label = context_subset(
        ds,
        context=context,
        contexts_table=contexts_table,
        since=since,
        until=until,
        min_reliability=min_reliability,
    )
    place_auth = (
        pd.Series(
            sub.places["authority_code"].to_numpy(dtype=object),
            index=sub.places["place_id"].to_numpy(dtype=object),
        )
        if "authority_code" in sub.places
        else pd.Series(dtype=object)
    )
    if authority is not None:
        code, name = _resolve_authority(ds, authority)
        home = pd.Series(
            sub.people["home_authority"].to_numpy(dtype=object),
            index=sub.people["person_id"].to_numpy(dtype=object),
        )
        s = sub.sightings
        s_in = (s["place_id"].map(place_auth) == code) | (s["person_id"].map(home) == code)
        t = sub.ties
        t_in = (t["person_a"].map(home) == code) | (t["person_b"].map(home) == code)
        r = sub.relocations
        r_in = (r["from_authority"] == code) | (r["to_authority"] == code)
        sub = sub.replace(sightings=s[s_in], ties=t[t_in], relocations=r[r_in])
        return sub, name, {code}
    area = {str(a) for a in sub.people["home_authority"].dropna()}
    area |= {str(a) for a in place_auth.reindex(sub.sightings["place_id"]).dropna()}
    if context is None:
        area |= {str(a) for a in sub.relocations["from_authority"].dropna()}
        area |= {str(a) for a in sub.relocations["to_authority"].dropna()}
    return sub, label, area


def _bins(dates: Sequence[pd.Timestamp], freq: str) -> pd.DatetimeIndex:
    """Period starts covering the dates: each date falls in [start, next start)."""
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"freq={freq!r} is not a period pandas knows: 'MS' (months), 'W' (weeks), "
            "'QS' (quarters), 'YS' (years) or 'D' (days), say"
        ) from exc
    lo, hi = min(dates).normalize(), max(dates).normalize()
    start = pd.Timestamp(offset.rollback(lo))
    return pd.date_range(start=start, end=hi, freq=offset)


def _bin_of(dates: pd.Series, edges: pd.DatetimeIndex) -> np.ndarray:
    values = dates.to_numpy(dtype="datetime64[ns]")
    idx: np.ndarray = np.searchsorted(edges.to_numpy(dtype="datetime64[ns]"), values, "right") - 1
    return idx


def _count(
    frame: pd.DataFrame,
    date: str,
    by: str,
    categories: Sequence[str],
    edges: pd.DatetimeIndex,
    keys: npt.NDArray[np.int64] | None = None,
) -> pd.DataFrame:
    """Count records per period and category; with ``keys``, sum their record keys."""
    out = pd.DataFrame(0, index=edges, columns=list(categories), dtype="int64")
    if len(frame):
        b = _bin_of(frame[date], edges)
        grouped = pd.DataFrame(
            {
                "bin": b,
                "cat": frame[by].astype(str).to_numpy(),
                "key": np.zeros(len(frame), dtype=np.int64) if keys is None else keys,
            }
        ).groupby(["bin", "cat"])
        counts = grouped.size() if keys is None else grouped["key"].sum() % KEY_SPACE
        positions = {str(c): j for j, c in enumerate(out.columns)}
        values = out.to_numpy(copy=True)
        for key, n in counts.items():
            i, cat = cast(tuple[int, str], key)
            if cat in positions:
                values[int(i), positions[cat]] = int(n)
        out = pd.DataFrame(values, index=edges, columns=list(categories))
    return out


# --------------------------------------------------------------------------- table


def timeline_table(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    authority: str | None = None,
    freq: str = "MS",
    audience: ViewAudience = "public",
    min_count: int | None = None,
    round_to: int | None = None,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Count young people, sightings, ties and relocations per period.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    context : int or sequence of str, optional
        A ``context_id`` of :func:`peermap.contexts` or a list of ``person_id`` values
        (see :func:`peermap.views.diagrams.context_subset`).
    contexts_table : pandas.DataFrame, optional
        A precomputed :func:`peermap.contexts` table to look ``context`` up in.
    authority : str, optional
        GSS code or name of an authority: the records involving it (sightings at places
        in it or of young people homed in it, ties with a young person homed in it,
        relocations into or out of it). Not with ``context``.
    freq : str, default "MS"
        Period: a pandas offset alias anchored at the period's start (``"MS"`` calendar
        months, ``"W-MON"`` weeks from Monday, ``"QS"`` quarters, ``"YS"`` years).
    audience : {"public", "partnership"}, default "public"
        ``"public"``: every count under the small-count rule (``c`` under
        ``min_count``, others rounded to ``round_to``), as ``object`` values;
        ``"partnership"``: exact ``int64`` counts.
    min_count, round_to : int, optional
        The small-count rule of public output (default ``peermap.settings``).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep records dated within this window (ties: active in it).
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.

    Returns
    -------
    pandas.DataFrame
        One row per period (index ``period``: its first day), every period from the
        first record to the last included. Columns are pairs (``measure``,
        ``category``): (``people``, ``active``/``new``/``cumulative``), (``sightings``,
        each abuse context), (``ties``, each tie kind) and (``relocations``,
        ``into``/``out_of``/``within``). ``attrs`` holds ``first_date`` and
        ``last_date`` of the records, ``title`` (what was selected), ``freq``,
        ``audience``, ``rule`` and ``trend``: distinct young people active in the last
        :data:`TREND_PERIODS` periods and in the ones before (``None`` when there are
        fewer than twice as many periods). Empty (no rows) when nothing is recorded.

    Raises
    ------
    ValueError
        For an unknown context or authority, both given, or an unknown audience.
    """
    dataset_argument(ds, "timeline_table")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=VIEW_AUDIENCES, what="timeline"
    )
    sub, label, area = _select(
        ds,
        context=context,
        contexts_table=contexts_table,
        authority=authority,
        since=since,
        until=until,
        min_reliability=min_reliability,
    )
    s, t, r = sub.sightings, sub.ties, sub.relocations
    dates = [
        *s["date"].dropna().tolist(),
        *t["first_seen"].dropna().tolist(),
        *r["date"].dropna().tolist(),
    ]
    columns = pd.MultiIndex.from_tuples(
        [("people", m) for m in _PEOPLE_MEASURES]
        + [("sightings", c) for c in CONTEXTS]
        + [("ties", k) for k in TIE_KINDS]
        + [("relocations", d) for d in _RELOCATION_DIRECTIONS],
        names=["measure", "category"],
    )
    if not dates:
        table = pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="period"))
        table.attrs.update(
            {
                "first_date": None,
                "last_date": None,
                "title": label,
                "freq": freq,
                "audience": audience,
                "rule": policy.rule,
                "trend": None,
            }
        )
        return table
    stamps = [pd.Timestamp(d) for d in dates]
    first, last = min(stamps), max(stamps)
    if since is not None:
        first = max(first, pd.Timestamp(since))
    edges = _bins([first, last], freq)
    # Ties first recorded before the window (active in it) count from its start.
    t = t.assign(_first=t["first_seen"].where(t["first_seen"] >= edges[0], edges[0]))

    sightings = _count(s, "date", "context", CONTEXTS, edges)
    ties = _count(t, "_first", "kind", TIE_KINDS, edges)
    # The cell key of every count (peermap.cell_keys), for the public rule.
    tie_keys = record_keys(t[list(RECORD_IDENTITY["ties"])]) if len(t) else None
    move_keys = record_keys(r[list(RECORD_IDENTITY["relocations"])]) if len(r) else None
    key_tables = [
        _count(s, "date", "context", CONTEXTS, edges, sighting_keys(s) if len(s) else None),
        _count(t, "_first", "kind", TIE_KINDS, edges, tie_keys),
    ]
    direction = [
        "within"
        if (str(a) in area and str(b) in area)
        else ("into" if str(b) in area else "out_of")
        for a, b in zip(r["from_authority"], r["to_authority"], strict=True)
    ]
    relocations = _count(r.assign(_dir=direction), "date", "_dir", _RELOCATION_DIRECTIONS, edges)
    key_tables.append(
        _count(r.assign(_dir=direction), "date", "_dir", _RELOCATION_DIRECTIONS, edges, move_keys)
    )

    # Young people: active per period, and first recorded.
    events = pd.concat(
        [
            pd.DataFrame({"person": s["person_id"].astype(str), "date": s["date"]}),
            pd.DataFrame({"person": t["person_a"].astype(str), "date": t["_first"]}),
            pd.DataFrame({"person": t["person_b"].astype(str), "date": t["_first"]}),
        ],
        ignore_index=True,
    )
    people = pd.DataFrame(0, index=edges, columns=list(_PEOPLE_MEASURES), dtype="int64")
    people_keys = people.copy()
    if len(events):
        events["bin"] = _bin_of(events["date"], edges)
        active_pairs = events[["bin", "person"]].drop_duplicates()
        active_pairs = active_pairs.assign(
            key=record_keys(active_pairs["person"].to_numpy(dtype=object))
        )
        active = active_pairs.groupby("bin")["person"].size()
        active_key = active_pairs.groupby("bin")["key"].sum() % KEY_SPACE
        first_bin = events.groupby("person")["bin"].min()
        first_key = pd.Series(
            record_keys(first_bin.index.to_numpy(dtype=object)), index=first_bin.index
        )
        new = first_bin.value_counts()
        new_key = first_key.groupby(first_bin).sum() % KEY_SPACE
        counts = people.to_numpy(copy=True)
        keyed = people_keys.to_numpy(copy=True)
        for i, n in active.items():
            counts[cast(int, i), 0] = int(n)
            keyed[cast(int, i), 0] = int(active_key.loc[cast(int, i)])
        for i, n in new.items():
            counts[cast(int, i), 1] = int(n)
            keyed[cast(int, i), 1] = int(new_key.loc[cast(int, i)])
        counts[:, 2] = np.cumsum(counts[:, 1])
        keyed[:, 2] = np.cumsum(keyed[:, 1]) % KEY_SPACE
        people = pd.DataFrame(counts, index=edges, columns=list(_PEOPLE_MEASURES))
        people_keys = pd.DataFrame(keyed, index=edges, columns=list(_PEOPLE_MEASURES))
    n = TREND_PERIODS
    trend: tuple[int | str, int | str] | None = None
    if len(edges) >= 2 * n:
        binned = events["bin"] if len(events) else pd.Series(dtype="int64")
        recent_people: list[object] = (
            events["person"][binned >= len(edges) - n].unique().tolist() if len(events) else []
        )
        span = (binned >= len(edges) - 2 * n) & (binned < len(edges) - n)
        before_people: list[object] = (
            events["person"][span].unique().tolist() if len(events) else []
        )
        # Each with the noise of its own young people's cell, as every public count.
        trend = (
            policy.count(len(recent_people), people_key(recent_people)),
            policy.count(len(before_people), people_key(before_people)),
        )

    table = pd.concat(
        {"people": people, "sightings": sightings, "ties": ties, "relocations": relocations},
        axis=1,
    )
    table.columns = columns
    table.index.name = "period"
    if not policy.exact:
        keys = pd.concat(
            {
                "people": people_keys,
                "sightings": key_tables[0],
                "ties": key_tables[1],
                "relocations": key_tables[2],
            },
            axis=1,
        )
        keys.columns = columns
        shown = table.astype(object)
        for col in table.columns:
            shown[col] = [
                policy.count(int(v), int(k)) for v, k in zip(table[col], keys[col], strict=True)
            ]
        table = shown
    table.attrs.update(
        {
            "first_date": first.date(),
            "last_date": last.date(),
            "title": label,
            "freq": freq,
            "audience": audience,
            "rule": policy.rule,
            "trend": trend,
        }
    )
    return table


# --------------------------------------------------------------------------- view


@dataclass(frozen=True)
class TimelineInfo:
    """What a timeline shows and under which rule.

    Attributes
    ----------
    title : str
        The title of the figure.
    selected : str
        What was selected ("" for all records).
    audience : {"public", "partnership"}
        Who the timeline is for.
    rule : SuppressionRule or None
        The small-count rule applied (``None``: exact counts).
    period : tuple of (datetime.date or None)
        First and last date of the records counted.
    freq : str
        The period (pandas offset alias).
    trend : tuple or None
        Young people active in the last :data:`TREND_PERIODS` periods and in the ones
        before.
    min_reliability : str
        The lowest reliability grade kept.
    banner : str or None
        The PARTNERSHIP ONLY banner of partnership timelines.
    """

    title: str
    selected: str
    audience: str
    rule: SuppressionRule | None
    period: tuple[dt.date | None, dt.date | None]
    freq: str
    trend: tuple[int | str, int | str] | None
    min_reliability: str
    banner: str | None = None


@dataclass(frozen=True)
class Timeline(View):
    """A timeline: the counts per period, a figure and a page.

    Attributes
    ----------
    table : pandas.DataFrame
        The counts, as :func:`timeline_table` gives them.
    info : TimelineInfo
        Title, audience, rule and period.
    """

    table: pd.DataFrame
    info: TimelineInfo

    noun: ClassVar[str] = "timeline"

    def plot(self, *, figsize: tuple[float, float] = (11.0, 9.0), dpi: int = 150) -> MplFigure:
        """Draw the timeline with matplotlib (the figure of :func:`timeline`).

        Parameters
        ----------
        figsize : tuple of float, default (11, 9)
            Figure size in inches.
        dpi : int, default 150
            Resolution of raster output.

        Returns
        -------
        matplotlib.figure.Figure
            The figure (Agg canvas; no display needed).
        """
        return _draw(
            self.table,
            title=self.info.title,
            min_reliability=self.info.min_reliability,
            figsize=figsize,
            dpi=dpi,
        )

    def to_html(self) -> str:
        """Return a self-contained page: the figure (SVG) and the counts per period."""
        buffer = io.BytesIO()
        fig = self.plot()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        figure = base64.b64encode(buffer.getvalue()).decode("ascii")
        policy = (
            Audience("partnership", None)
            if self.info.rule is None
            else Audience("public", self.info.rule)
        )
        table = self.table.copy()
        table.columns = [
            f"{pair[0]}: {str(pair[1]).replace('_', ' ')}" for pair in table.columns.to_list()
        ]
        if len(table):
            table.index = [f"{pd.Timestamp(p):%Y-%m-%d}" for p in table.index]
        return render(
            "timeline.html.j2",
            info=self.info,
            banner=policy.banner or policy.notice("timeline"),
            subtitle=" · ".join(
                b
                for b in (
                    period_text(self.info.period, "Records", month=not policy.exact),
                    ""
                    if self.info.min_reliability == "unverified"
                    else f"{self.info.min_reliability} or better",
                    _trend(self.table),
                    policy.heading("timeline"),
                )
                if b
            ),
            figure=figure,
            table=table.to_html(border=0, na_rep=""),
        )


# --------------------------------------------------------------------------- figure


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    """Heights to draw: numbers as they are, withheld cells as 0 (not drawn)."""
    return frame.map(lambda v: float(v) if isinstance(v, int | float | np.integer) else 0.0)


def _stacked(
    ax: Axes,
    x: pd.DatetimeIndex,
    width: float,
    frame: pd.DataFrame,
    colours: dict[str, str],
    labels: dict[str, str] | None = None,
) -> None:
    heights = _values(frame)
    bottom = np.zeros(len(frame))
    for cat in frame.columns:
        h = heights[cat].to_numpy(dtype=float)
        if not h.any():
            continue
        ax.bar(
            x,
            h,
            width=width,
            bottom=bottom,
            color=colours.get(str(cat), "#999999"),
            edgecolor="white",
            linewidth=0.4,
            label=(labels or {}).get(str(cat), str(cat).replace("_", " ")),
            align="edge",
        )
        bottom += h


def timeline(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    authority: str | None = None,
    freq: str = "MS",
    audience: ViewAudience = "public",
    min_count: int | None = None,
    round_to: int | None = None,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (11.0, 9.0),
    dpi: int = 150,
) -> MplFigure:
    """Draw when a context (or an authority's records) formed and whether it grows.

    Four panels share the time axis: young people (active per period, and everyone
    recorded so far), sightings per abuse context, ties first recorded per kind, and
    relocations into and out of the area. The first record is marked, and the
    subtitle compares the young people active in the last three periods with the
    three before.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    context, contexts_table, authority, freq
        As for :func:`timeline_table`.
    audience : {"public", "partnership"}, default "public"
        ``"public"``: counts under the small-count rule; a segment under ``min_count``
        is not drawn and the others are drawn at their rounded height.
        ``"partnership"``: exact counts, and the PARTNERSHIP ONLY banner.
    min_count, round_to : int, optional
        The small-count rule of public output.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until, min_reliability
        As for :func:`timeline_table`.
    path : str or path-like, optional
        Save the figure here, atomically (``.png``, ``.svg`` or ``.pdf``).
    title : str, optional
        Title of the figure.
    figsize : tuple of float, default (11, 9)
        Figure size in inches.
    dpi : int, default 150
        Resolution of raster output.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (Agg canvas; no display needed). Each panel's bars carry the
        category as their label; the counts drawn are those of :func:`timeline_table`
        with the same arguments.
    """
    dataset_argument(ds, "timeline")
    refuse_identifier_text(title, what="the title")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    view = make_timeline(
        ds,
        context=context,
        contexts_table=contexts_table,
        authority=authority,
        freq=freq,
        audience=audience,
        min_count=min_count,
        round_to=round_to,
        since=since,
        until=until,
        min_reliability=min_reliability,
        title=title,
    )
    return _finish(view.plot(figsize=figsize, dpi=dpi), path)


def make_timeline(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    authority: str | None = None,
    freq: str = "MS",
    audience: ViewAudience = "public",
    min_count: int | None = None,
    round_to: int | None = None,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
) -> Timeline:
    """Make the timeline view of a context, an authority or a dataset.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    context, contexts_table, authority, freq, audience, min_count, round_to
        As for :func:`timeline_table`.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until, min_reliability
        As for :func:`timeline_table`.
    title : str, optional
        Title of the figure and the page.

    Returns
    -------
    Timeline
        ``.table`` holds the counts (:func:`timeline_table`), ``.plot()`` draws the
        figure of :func:`timeline`, ``.to_html()`` gives a page with the figure and the
        table, ``.save(path)`` writes either.
    """
    dataset_argument(ds, "make_timeline")
    refuse_identifier_text(title, what="the title")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    table = timeline_table(
        ds,
        context=context,
        contexts_table=contexts_table,
        authority=authority,
        freq=freq,
        audience=audience,
        min_count=min_count,
        round_to=round_to,
        since=since,
        until=until,
        min_reliability=min_reliability,
    )
    selected = table.attrs["title"]
    if title is None:
        title = "Timeline" + (f": {selected}" if selected else ": all records")
    rule: SuppressionRule | None = table.attrs["rule"]
    policy = Audience("partnership", None) if rule is None else Audience("public", rule)
    info = TimelineInfo(
        title=title,
        selected=selected,
        audience=str(table.attrs["audience"]),
        rule=rule,
        period=(table.attrs["first_date"], table.attrs["last_date"]),
        freq=freq,
        trend=table.attrs["trend"],
        min_reliability=min_reliability,
        banner=policy.banner,
    )
    return Timeline(table=table, info=info)


def _draw(
    table: pd.DataFrame,
    *,
    title: str,
    min_reliability: str,
    figsize: tuple[float, float],
    dpi: int,
) -> MplFigure:
    """Draw the four panels of a timeline table."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure as MplFigure

    rule: SuppressionRule | None = table.attrs["rule"]
    policy = Audience("partnership", None) if rule is None else Audience("public", rule)
    public = not policy.exact
    fig = MplFigure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(4, 1, sharex=True, height_ratios=[1.0, 1.4, 1.0, 0.8])
    fig.suptitle(title, x=0.01, ha="left", fontsize=14, fontweight="bold")
    footer = (
        f"{policy.banner}. Exact counts."
        if policy.banner
        else policy.notice("figure") + " Withheld segments are not drawn."
    )
    fig.supxlabel(footer, x=0.01, ha="left", fontsize=7.5)
    if table.empty:
        axes[0].text(
            0.5,
            0.5,
            "No records in this selection",
            ha="center",
            va="center",
            transform=axes[0].transAxes,
        )
        for ax in axes:
            ax.set_yticks([])
        return fig
    x = pd.DatetimeIndex(table.index)
    step = (x[1] - x[0]).days if len(x) > 1 else 28
    width = 0.85 * step
    first, last = table.attrs["first_date"], table.attrs["last_date"]

    # Young people.
    ax = axes[0]
    people = _values(pd.DataFrame(table["people"]))
    ax.bar(
        x,
        people["active"],
        width=width,
        align="edge",
        color="#BDBDBD",
        label="active in the period",
    )
    ax.step(
        [*x, x[-1] + pd.Timedelta(days=step)],
        [*people["cumulative"], people["cumulative"].iloc[-1]],
        where="post",
        color=PEOPLE_COLOUR,
        lw=1.8,
        label="recorded so far",
    )
    ax.set_ylabel("Young people")

    # Sightings by abuse context.
    _stacked(axes[1], x, width, pd.DataFrame(table["sightings"]), CONTEXT_COLOURS)
    axes[1].set_ylabel("Sightings")
    # Ties first recorded.
    _stacked(axes[2], x, width, pd.DataFrame(table["ties"]), TIE_COLOURS)
    axes[2].set_ylabel("Ties first\nrecorded")
    # Relocations.
    _stacked(
        axes[3],
        x,
        width,
        pd.DataFrame(table["relocations"]),
        RELOCATION_COLOURS,
        {"into": "into the area", "out_of": "out of the area", "within": "within the area"},
    )
    axes[3].set_ylabel("Relocations")
    headings = ("young people", "by abuse context", "by kind", "of its young people")
    for ax, heading in zip(axes, headings, strict=True):
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(
                handles,
                labels,
                loc="upper left",
                bbox_to_anchor=(1.005, 1.0),
                fontsize=7.5,
                frameon=False,
                title=heading,
                title_fontsize=8,
            )
        else:
            ax.text(
                0.5,
                0.5,
                "none, or all withheld (under the small-count rule)" if public else "none",
                ha="center",
                va="center",
                color="#777",
                fontsize=8,
                transform=ax.transAxes,
            )
    first_ts = pd.Timestamp(first)
    for ax in axes:
        ax.axvline(first_ts, color="#A50026", lw=0.9, ls=(0, (4, 3)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.01)
    # Beyond the partnership, months: the day of the first record is one record's.
    shown_first = f"{first_ts:%b %Y}" if public else f"{first_ts:%-d %b %Y}"
    axes[0].annotate(
        f"first record {shown_first}",
        (first_ts, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -2),
        textcoords="offset points",
        fontsize=7.5,
        color="#A50026",
        va="top",
    )
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]

    day = "%b %Y" if public else "%-d %b %Y"
    bits = [f"Records {pd.Timestamp(first):{day}} to {pd.Timestamp(last):{day}}"]
    if min_reliability != "unverified":
        bits.append(f"{min_reliability} or better")
    bits.append(_trend(table))
    bits.append(policy.heading("figure"))
    axes[0].set_title(" · ".join(b for b in bits if b), fontsize=9, loc="left")
    return fig


def _trend(table: pd.DataFrame) -> str:
    """Distinct young people active in the last periods and in the periods before."""
    trend = table.attrs.get("trend")
    if trend is None:
        return ""
    n = TREND_PERIODS
    return f"young people active in the last {n} periods: {trend[0]} (the {n} before: {trend[1]})"


def _finish(fig: MplFigure, path: str | os.PathLike[str] | None) -> MplFigure:
    if path is not None:
        save_figure(fig, path, "timeline")
    return fig
