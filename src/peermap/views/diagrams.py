"""Peer-group diagrams: who is linked to whom, and where, across authority lines.

:func:`peer_diagram` draws the network picture that safeguarding practitioners draw by
hand in a peer-group assessment:

- young people are **circles** filled with the colour of their home authority, and
  young people who were relocated carry a thick black **ring**;
- places are **squares** filled with the colour of the authority they lie in;
- a **tie** is a line coloured by its kind (an exploiter tie is red, with an arrow from
  the exploiter); an *unverified* tie is **dashed**, because peer-mapping practice asks
  that no association is treated as fact; a tie between young people of two
  authorities is drawn **twice as wide**, above the others;
- a young person seen at a place is joined to it by a thin grey line (darker when the
  place is in another authority), dashed when every such sighting is unverified.

The layout is computed in Python with networkx's Fruchterman-Reingold spring layout,
each node starting next to its authority's anchor (the authority's position on the
map when the dataset has boundaries) and held near it by a weak spring, so that each
authority's young people gather in their own region and ties across authorities are
long lines between regions. Given the same ``seed`` the layout is identical.

Audiences follow the maps (see ``docs/maps.md``): a **partnership** diagram is
record-level, labelled with pseudonyms, and carries the PARTNERSHIP ONLY banner. A
**public** diagram never shows a young person: people are collapsed into their home
authorities, with counts under the small-count rule of :mod:`peermap.disclosure`, and
links between authorities under ``min_count`` are not drawn. A partnership diagram with
more than ``max_nodes`` young people and places collapses the same way, with exact
counts: a few hundred nodes is the most a person can read.

The diagram is an interactive, self-contained HTML page (Leaflet's ``CRS.Simple``
drawing the network instead of a map, inlined from the packaged copy of
:mod:`peermap._assets`; no network needed) or a static PNG/SVG/PDF drawn with
matplotlib in the same colours. Everything the page draws is in
:attr:`PeerDiagram.nodes` and :attr:`PeerDiagram.edges`, one row per element with its
colour, shape, size, dash and width, so the picture can be checked without a browser.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final, cast

import networkx as nx
import numpy as np
import pandas as pd

from peermap import settings
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience, SuppressionRule, ViewAudience
from peermap.networks import DateLike, data_period, filter_sightings, filter_ties
from peermap.schema import RELIABILITY_RANK, TIE_KINDS
from peermap.views.page import (
    View,
    authority_names,
    date_text,
    macros,
    period_text,
    render,
    script_json,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "AUTHORITY_COLOURS",
    "DEFAULT_MAX_NODES",
    "FLOW_COLOURS",
    "TIE_COLOURS",
    "DiagramInfo",
    "PeerDiagram",
    "context_subset",
    "peer_diagram",
]

ContextLike = int | Sequence[str] | None

#: Fills of authorities, in order: Paul Tol's colour-blind-safe "light" scheme, designed
#: for filled shapes under dark labels. With more authorities than colours, the ones
#: with most young people get a colour and the rest share :data:`OTHER_AUTHORITY_COLOUR`.
AUTHORITY_COLOURS: Final = (
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#BBCC33",
    "#AAAA00",
    "#CC99CC",
)
OTHER_AUTHORITY_COLOUR: Final = "#DDDDDD"
#: Fill of a place outside every authority, or of a dataset read without boundaries.
NO_AUTHORITY_COLOUR: Final = "#FFFFFF"

#: Line colour of each kind of tie: dark, saturated hues (ColorBrewer PRGn/BrBG/RdBu
#: ends), apart from the pale node fills. Kinds differ by more than colour where it
#: matters most: exploiter ties are wider and carry an arrow.
TIE_COLOURS: Final[dict[str, str]] = {
    "friend": "#2166AC",
    "group_member": "#35978F",
    "associate": "#7F7F7F",
    "sibling": "#8C510A",
    "partner": "#762A83",
    "ex_partner": "#C2A5CF",
    "exploiter": "#B2182B",
}
SIGHTING_COLOUR: Final = "#C4C4C4"
SIGHTING_CROSS_COLOUR: Final = "#8F8F8F"
#: Lines of a diagram collapsed to authorities.
FLOW_COLOURS: Final[dict[str, str]] = {
    "ties": "#4D4D4D",
    "sightings": "#B35806",
    "relocations": "#01665E",
}
NODE_OUTLINE: Final = "#333333"
RING_COLOUR: Final = "#000000"
#: SVG dash pattern of unverified records (px on, px off).
UNVERIFIED_DASH: Final = "6 4"

PERSON_RADIUS: Final = 6.0
PLACE_SIDE: Final = 13.0
RING_WIDTH: Final = 3.0
OUTLINE_WIDTH: Final = 1.0
TIE_WIDTH: Final = 1.8
#: Ties between young people of two authorities are drawn this much wider.
CROSS_FACTOR: Final = 2.0
EXPLOITER_EXTRA: Final = 1.0
SIGHTING_WIDTHS: Final = (1.0, 1.6, 2.4)
AUTHORITY_RADII: Final = (12.0, 34.0)
FLOW_WIDTHS: Final = (1.5, 9.0)

#: Record-level diagrams hold at most this many young people and places by default;
#: above it people are collapsed into their home authorities.
DEFAULT_MAX_NODES: Final = 300
#: Labels are shown from the first zoom when there are at most this many nodes;
#: otherwise from one zoom level in.
LABELS_AT_ONCE_MAX: Final = 60

# Spring layout: attraction of a tie, of a person-place pair, of a node to its
# authority's anchor; and the optimal distance, times 1/sqrt(nodes).
_TIE_SPRING: Final = 1.0
_SIGHTING_SPRING: Final = 0.4
_ANCHOR_SPRING: Final = 0.5
_SPACING: Final = 3.0

# Layout box (layout units; the page shows it with Leaflet's CRS.Simple).
_BOX: Final = (1000.0, 700.0)
_HEX: Final = re.compile(r"^#[0-9A-Fa-f]{6}$")


# --------------------------------------------------------------------------- selection


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts (column name -> value)."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def _timestamp(value: DateLike) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def context_subset(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> tuple[Dataset, str]:
    """Restrict a dataset to a time window and, optionally, one context.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    context : int or sequence of str, optional
        A ``context_id`` of :func:`peermap.contexts` (computed with the same filters,
        unless ``contexts_table`` is given), or the ``person_id`` of each young person
        to show. A context keeps its young people, its places, the sightings of its
        young people at its places and the ties between its young people; a list of
        young people keeps them, every place they were seen at and the ties between
        them. Relocations of the young people are kept in both cases.
    contexts_table : pandas.DataFrame, optional
        A table from :func:`peermap.contexts` to look ``context`` up in, instead of
        computing it (slow at scale).
    since, until : date or str, optional
        Keep ties active, and sightings and relocations dated, within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.

    Returns
    -------
    Dataset
        The records kept (``people`` and ``places`` as selected; every tie and
        sighting refers to them).
    str
        What was selected, for a title ("" for the whole dataset).

    Raises
    ------
    ValueError
        For an unknown context or young person, or a contexts table without the
        columns of :func:`peermap.contexts`.
    """
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    sightings = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    relocations = ds.relocations
    start, end = _timestamp(since), _timestamp(until)
    if start is not None:
        relocations = relocations[relocations["date"] >= start]
    if end is not None:
        relocations = relocations[relocations["date"] <= end]
    people, places = ds.people, ds.places
    label = ""
    if context is None:
        pass
    elif isinstance(context, int | np.integer) and not isinstance(context, bool):
        table = contexts_table
        if table is None:
            from peermap.analysis import contexts

            table = contexts(ds, since=since, until=until, min_reliability=min_reliability)
        missing = {"context_id", "people", "places"} - set(table.columns)
        if missing:
            raise ValueError(
                "contexts_table must be a table from peermap.contexts; it lacks "
                + ", ".join(sorted(missing))
            )
        match = table[table["context_id"] == int(context)]
        if match.empty:
            ids = [int(i) for i in table["context_id"]]
            raise ValueError(
                f"no context {int(context)}; this dataset has contexts "
                + (f"{min(ids)} to {max(ids)}" if ids else "none")
                + " (see peermap.contexts)"
            )
        row = match.iloc[0]
        members, venues = set(row["people"]), set(row["places"])
        people = people[people["person_id"].isin(members)]
        places = places[places["place_id"].isin(venues)]
        sightings = sightings[
            sightings["person_id"].isin(members) & sightings["place_id"].isin(venues)
        ]
        label = f"context {int(context)}"
    elif isinstance(context, Sequence) and not isinstance(context, str | bytes):
        members = {str(p) for p in context}
        if not members:
            raise ValueError("context is an empty list of young people")
        unknown = members - set(people["person_id"])
        if unknown:
            raise ValueError(
                f"{len(unknown)} of the {len(members)} young people given are not in the "
                "dataset's people table"
            )
        people = people[people["person_id"].isin(members)]
        sightings = sightings[sightings["person_id"].isin(members)]
        places = places[places["place_id"].isin(set(sightings["place_id"]))]
        label = f"{len(members)} young people"
    else:
        raise TypeError(
            "context must be a context_id (int) of peermap.contexts or a list of "
            f"person_id values, not {type(context).__name__}"
        )
    if context is not None:
        members = set(people["person_id"])
        ties = ties[ties["person_a"].isin(members) & ties["person_b"].isin(members)]
        relocations = relocations[relocations["person_id"].isin(members)]
    out = ds.replace(
        people=people,
        places=places,
        ties=ties,
        sightings=sightings,
        relocations=relocations,
    )
    return out, label


def _place_authority(ds: Dataset) -> pd.Series:
    if "authority_code" not in ds.places:
        return pd.Series(dtype=object)
    return pd.Series(
        ds.places["authority_code"].to_numpy(dtype=object),
        index=ds.places["place_id"].to_numpy(dtype=object),
    )


def _authority_colours(
    ds: Dataset, shown: Sequence[str], weight: Mapping[str, int]
) -> dict[str, str]:
    """Colour per authority code: stable across a dataset's views when it has few."""
    universe: set[str] = {str(a) for a in ds.people["home_authority"].dropna()}
    if "authority_code" in ds.places:
        universe |= {str(a) for a in ds.places["authority_code"].dropna()}
    if ds.boundaries is not None:
        universe |= {str(a) for a in ds.boundaries["code"]}
    if len(universe) <= len(AUTHORITY_COLOURS):
        return {code: AUTHORITY_COLOURS[i] for i, code in enumerate(sorted(universe))}
    ranked = sorted(set(shown), key=lambda c: (-weight.get(c, 0), c))
    n = len(AUTHORITY_COLOURS) - 1 if len(ranked) > len(AUTHORITY_COLOURS) else len(ranked)
    colours = {code: AUTHORITY_COLOURS[i] for i, code in enumerate(ranked[:n])}
    for code in ranked[n:]:
        colours[code] = OTHER_AUTHORITY_COLOUR
    return colours


def _anchors(ds: Dataset, codes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Position of each authority in the unit square: on the map, or on a circle."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    if ds.boundaries is not None and set(codes) <= set(ds.boundaries["code"].astype(str)):
        b = ds.boundaries.to_crs(settings.metric_crs)
        b = b[b["code"].astype(str).isin(codes)]
        points = b.geometry.representative_point()
        xy = {str(c): (float(p.x), float(p.y)) for c, p in zip(b["code"], points, strict=True)}
        xs = np.array([v[0] for v in xy.values()])
        ys = np.array([v[1] for v in xy.values()])
        span = max(float(np.ptp(xs)), float(np.ptp(ys)), 1.0)
        cx, cy = float(xs.mean()), float(ys.mean())
        if len(codes) > 1:
            return {c: ((x - cx) / span, (y - cy) / span) for c, (x, y) in xy.items()}
        return {codes[0]: (0.0, 0.0)}
    if len(codes) == 1:
        return {codes[0]: (0.0, 0.0)}
    step = 2 * math.pi / len(codes)
    return {
        c: (0.5 * math.cos(math.pi / 2 - i * step), 0.5 * math.sin(math.pi / 2 - i * step))
        for i, c in enumerate(codes)
    }


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DiagramInfo:
    """What a diagram shows and under which rule.

    Attributes
    ----------
    title : str
        The title on the diagram.
    subtitle : str
        Period, audience and what was selected.
    audience : {"public", "partnership"}
        Who the diagram is for.
    level : {"people", "authorities"}
        ``"people"``: a node per young person and place; ``"authorities"``: young people
        collapsed into their home authorities.
    rule : SuppressionRule or None
        The small-count rule applied (``None``: exact counts).
    period : tuple of (datetime.date or None)
        First and last date of the ties and sightings drawn.
    seed : int
        Seed of the layout.
    notes : tuple of str
        Why the diagram was collapsed and what was left out, as said in the legend.
    authorities : pandas.DataFrame
        ``code``, ``name``, ``colour`` of every authority drawn, as in the legend.
    attribution : str
        Boundary attribution, when authority positions come from boundaries.
    banner : str or None
        The PARTNERSHIP ONLY banner of partnership diagrams.
    """

    title: str
    subtitle: str
    audience: str
    level: str
    rule: SuppressionRule | None
    period: tuple[dt.date | None, dt.date | None]
    seed: int
    notes: tuple[str, ...]
    authorities: pd.DataFrame
    attribution: str = ""
    banner: str | None = None


@dataclass(frozen=True)
class PeerDiagram(View):
    """A peer-group diagram: the drawing as data, an HTML page and a static figure.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per node drawn: ``id``, ``type`` (``person``, ``place`` or
        ``authority``), ``label`` (text written beside it; "" for none), ``authority``
        (home authority of a person, authority of a place, or the authority itself)
        and ``authority_name``, ``colour`` (fill), ``shape`` (``circle`` or
        ``square``), ``size`` (radius of a circle or side of a square, px),
        ``outline`` and ``outline_width`` (a relocated young person has a black ring
        of width :data:`RING_WIDTH`), ``relocated``, ``x`` and ``y`` (layout units,
        ``y`` up), ``count`` and ``shown`` (authority nodes: young people homed there,
        and what the diagram shows for it), ``tip`` (the tooltip: a title line, then
        one ``label<TAB>value`` line each).
    edges : pandas.DataFrame
        One row per line drawn: ``u``, ``v`` (node ids; ``u`` is the origin of a
        directed line), ``type`` (``tie`` or ``sighting``; collapsed: ``ties``,
        ``sightings`` or ``relocations``), ``kind`` (the tie kind), ``reliability``
        (of a tie; the strongest of a person's sightings at a place), ``agency`` (the
        source agency of a tie), ``cross_authority``, ``directed``, ``colour``,
        ``width`` (px), ``dash`` (SVG dash pattern, or None for solid), ``opacity``,
        ``count`` (sightings of the pair, or, collapsed, the young people) and
        ``shown``, ``label`` (written on the line; collapsed only), ``points`` (the
        line as a list of ``(x, y)``: straight, or bowed when two nodes are joined by
        several lines), ``tip``.
    info : DiagramInfo
        Title, audience, rule, period and notes.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    info: DiagramInfo
    _legend: tuple[tuple[str, tuple[tuple[str, dict[str, Any], str], ...]], ...] = field(
        default=(), repr=False
    )

    noun: ClassVar[str] = "diagram"

    def to_html(self) -> str:
        """Return the diagram as one self-contained HTML page (no network needed)."""
        return _page(self)

    def plot(self, *, figsize: tuple[float, float] = (12.0, 8.5), dpi: int = 150) -> MplFigure:
        """Draw the diagram with matplotlib, in the same colours and styles.

        Parameters
        ----------
        figsize : tuple of float, default (12, 8.5)
            Figure size in inches.
        dpi : int, default 150
            Resolution of raster output.

        Returns
        -------
        matplotlib.figure.Figure
            The figure (Agg canvas; no display needed).
        """
        return _plot(self, figsize=figsize, dpi=dpi)

    def __repr__(self) -> str:
        return (
            f"PeerDiagram({self.info.level}, {self.info.audience}, "
            f"nodes={len(self.nodes)}, edges={len(self.edges)})"
        )


# --------------------------------------------------------------------------- geometry


def _bow(
    p0: tuple[float, float], p1: tuple[float, float], bend: float, n: int = 9
) -> list[tuple[float, float]]:
    """Return a quadratic curve from p0 to p1, bowed sideways by ``bend`` times its length."""
    if bend == 0.0:
        return [p0, p1]
    x0, y0 = p0
    x1, y1 = p1
    dx, dy = x1 - x0, y1 - y0
    mx, my = (x0 + x1) / 2 - dy * bend, (y0 + y1) / 2 + dx * bend
    t = np.linspace(0.0, 1.0, n)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * mx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * my + t**2 * y1
    return [(round(float(x), 2), round(float(y), 2)) for x, y in zip(xs, ys, strict=True)]


def _paths(
    edges: pd.DataFrame,
    pos: Mapping[str, tuple[float, float]],
    *,
    spread: float = 0.12,
    base: float = 0.0,
) -> list[list[tuple[float, float]]]:
    """Line of each edge: bowed by ``base``, and apart when a pair has several."""
    pair = [tuple(sorted((str(u), str(v)))) for u, v in zip(edges["u"], edges["v"], strict=True)]
    total: dict[tuple[str, ...], int] = {}
    for p in pair:
        total[p] = total.get(p, 0) + 1
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for (u, v), p in zip(zip(edges["u"], edges["v"], strict=True), pair, strict=True):
        i = seen.get(p, 0)
        seen[p] = i + 1
        n = total[p]
        # Offsets on the pair's own side (in the frame of its sorted order), then
        # turned into the frame of the line's u -> v direction.
        if base > 0:
            side = (base + (i // 2) * spread) * (1 if i % 2 == 0 else -1)
        else:
            side = (i - (n - 1) / 2) * spread
        bend = side if (str(u), str(v)) == p else -side
        out.append(_bow(pos[str(u)], pos[str(v)], bend))
    return out


def _fit_box(
    pos: Mapping[Any, Any], margin: float = 30.0, *, stretch: float = 1.0
) -> dict[str, tuple[float, float]]:
    """Scale positions into the layout box.

    The aspect ratio is kept, except that one axis may be stretched up to ``stretch``
    times the other to fill the box (a spring layout's aspect means nothing).
    """
    if not pos:
        return {}
    keys = list(pos)
    arr = np.array([pos[k] for k in keys], dtype=float)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    w, h = _BOX[0] - 2 * margin, _BOX[1] - 2 * margin
    sx, sy = w / span[0], h / span[1]
    low = min(sx, sy)
    sx, sy = min(sx, low * stretch), min(sy, low * stretch)
    centre = (lo + hi) / 2
    out = {}
    for k, (x, y) in zip(keys, arr, strict=True):
        out[str(k)] = (
            round(float(_BOX[0] / 2 + (x - centre[0]) * sx), 2),
            round(float(_BOX[1] / 2 + (y - centre[1]) * sy), 2),
        )
    return out


def _separate(
    pos: Mapping[str, tuple[float, float]],
    sizes: Mapping[str, tuple[float, float]],
    *,
    box: tuple[tuple[float, float], tuple[float, float]] | None = None,
    rounds: int = 150,
) -> dict[str, tuple[float, float]]:
    """Push apart nodes whose rectangles overlap, so that no node or label hides another.

    Each node claims a rectangle of ``sizes[node]`` = (width, height) centred on it (wide
    enough for the label written beside it). Deterministic: each round moves every
    overlapping pair apart along the axis where they overlap least, half the overlap
    each (a fixed direction for coincident nodes); nodes stay inside ``box`` ((min x,
    min y), (max x, max y)) when given.
    """
    keys = list(pos)
    if len(keys) < 2:
        return dict(pos)
    xy = np.array([pos[k] for k in keys], dtype=float)
    wh = np.array([sizes[k] for k in keys], dtype=float)
    need_x = (wh[:, None, 0] + wh[None, :, 0]) / 2
    need_y = (wh[:, None, 1] + wh[None, :, 1]) / 2
    order = np.arange(len(keys))
    tie = np.sign(order[:, None] - order[None, :]).astype(float)
    eye = np.eye(len(keys), dtype=bool)
    for _ in range(rounds):
        dx = xy[:, None, 0] - xy[None, :, 0]
        dy = xy[:, None, 1] - xy[None, :, 1]
        px, py = need_x - np.abs(dx), need_y - np.abs(dy)
        hit = (px > 0) & (py > 0) & ~eye
        if not hit.any():
            break
        along_x = px / need_x <= py / need_y
        sx = np.where(dx != 0, np.sign(dx), tie)
        sy = np.where(dy != 0, np.sign(dy), tie)
        move_x = np.where(hit & along_x, 0.5 * px * sx, 0.0).sum(axis=1)
        move_y = np.where(hit & ~along_x, 0.5 * py * sy, 0.0).sum(axis=1)
        xy = xy + 0.6 * np.stack([move_x, move_y], axis=1)
        if box is not None:
            xy = np.clip(xy, np.array(box[0]), np.array(box[1]))
    return {k: (round(float(x), 2), round(float(y), 2)) for k, (x, y) in zip(keys, xy, strict=True)}


# --------------------------------------------------------------------------- building


def _tip(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """Return tooltip text: the title, then one ``label<TAB>value`` line per row given."""
    lines = [title.replace("\n", " ")]
    lines += [f"{k}\t{str(v).replace(chr(10), ' ')}" for k, v in rows if v is not None and v != ""]
    return "\n".join(lines)


def _nice(text: Any) -> str:
    return str(text).replace("_", " ")


@dataclass
class _Build:
    """What the diagram builders share."""

    ds: Dataset
    audience: Audience
    rule: SuppressionRule
    names: dict[str, str]
    place_auth: pd.Series
    seed: int
    labels: bool
    notes: list[str] = field(default_factory=list)

    def name(self, code: Any) -> str:
        if not isinstance(code, str):
            return "no authority"
        return self.names.get(code, code)

    def shown(self, count: int) -> int | str:
        return self.audience.count(count)


def _relocation_text(ds: Dataset, b: _Build) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for row in _rows(ds.relocations.sort_values("date")):
        out.setdefault(str(row["person_id"]), []).append(
            f"{b.name(row['from_authority'])} → {b.name(row['to_authority'])}, "
            f"{date_text(row['date'])} ({_nice(row['kind'])})"
        )
    return {k: "; ".join(v) for k, v in out.items()}


def _people_level(b: _Build) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    ds = b.ds
    people = ds.people
    home = dict(zip(people["person_id"].astype(str), people["home_authority"], strict=True))
    sightings = ds.sightings
    place_ids = [str(p) for p in ds.places["place_id"]]
    pauth = {p: b.place_auth.get(p) for p in place_ids}
    pauth = {k: (v if isinstance(v, str) else None) for k, v in pauth.items()}
    counts: dict[str, int] = {}
    for code in home.values():
        if isinstance(code, str):
            counts[code] = counts.get(code, 0) + 1
    shown_codes = sorted(
        {c for c in home.values() if isinstance(c, str)}
        | {c for c in pauth.values() if c is not None}
    )
    colours = _authority_colours(ds, shown_codes, counts)

    # Sightings aggregated per person-place pair.
    if len(sightings):
        s = sightings.assign(rank=sightings["reliability"].astype(str).map(RELIABILITY_RANK))
        grouped = s.groupby(["person_id", "place_id"], sort=True)
        pairs = grouped.agg(
            count=("date", "size"),
            rank=("rank", "max"),
            first=("date", "min"),
            last=("date", "max"),
        ).reset_index()
        ctx = (
            s.groupby(["person_id", "place_id", "context"], sort=True)
            .size()
            .rename("n")
            .reset_index()
            .sort_values(
                ["person_id", "place_id", "n", "context"], ascending=[True, True, False, True]
            )
        )
        ctx_text: dict[tuple[str, str], str] = {}
        for (pid, plid), grp in ctx.groupby(["person_id", "place_id"], sort=False):
            ctx_text[(str(pid), str(plid))] = ", ".join(
                f"{_nice(c)} {n}" for c, n in zip(grp["context"], grp["n"], strict=True)
            )
    else:
        pairs = pd.DataFrame(columns=["person_id", "place_id", "count", "rank", "first", "last"])
        ctx_text = {}
    reliabilities = list(RELIABILITY_RANK)

    # Layout: anchors per authority, weak springs to them, seeded start.
    graph = nx.Graph()
    ids_person = [str(p) for p in people["person_id"]]
    graph.add_nodes_from(ids_person)
    graph.add_nodes_from(place_ids)
    for row in _rows(ds.ties):
        a, c = str(row["person_a"]), str(row["person_b"])
        # One spring per pair, however many ties: several reports of one tie must not
        # pull a pair into a knot.
        w = _TIE_SPRING * (1.5 if row["kind"] == "exploiter" else 1.0)
        prev = graph.get_edge_data(a, c, {}).get("weight", 0.0)
        graph.add_edge(a, c, weight=max(prev, w))
    for pid, plid, n in zip(pairs["person_id"], pairs["place_id"], pairs["count"], strict=True):
        graph.add_edge(
            str(pid), str(plid), weight=_SIGHTING_SPRING * (1.0 + 0.25 * min(int(n) - 1, 4))
        )
    codes_for_anchor = sorted(set(shown_codes) | {"__none__"})
    anchors = _anchors(ds, [c for c in codes_for_anchor if c != "__none__"])
    anchors["__none__"] = (0.0, -0.75) if anchors else (0.0, 0.0)
    rng = np.random.default_rng(b.seed)
    n_nodes = max(graph.number_of_nodes(), 1)
    jitter = 0.6 / math.sqrt(n_nodes) + 0.05
    init: dict[Any, Any] = {}
    anchor_of: dict[str, str] = {}
    for node in list(graph.nodes):
        code = home.get(node) if node in home else pauth.get(node)
        key = code if isinstance(code, str) and code in anchors else "__none__"
        anchor_of[node] = key
        ax, ay = anchors[key]
        init[node] = np.array([ax, ay]) + rng.normal(0.0, jitter, 2)
    anchor_nodes = {key: ("__anchor__", key) for key in anchors}
    for key, node in anchor_nodes.items():
        graph.add_node(node)
        init[node] = np.array(anchors[key], dtype=float)
    for node, key in anchor_of.items():
        graph.add_edge(node, anchor_nodes[key], weight=_ANCHOR_SPRING)
    k = _SPACING / math.sqrt(n_nodes)
    pos_raw = nx.spring_layout(
        graph,
        pos=init,
        fixed=list(anchor_nodes.values()),
        k=k,
        iterations=200,
        seed=b.seed,
        weight="weight",
    )
    pos = _fit_box({n: p for n, p in pos_raw.items() if not isinstance(n, tuple)}, stretch=1.6)
    place_label = {
        str(p): (lb if isinstance(lb, str) and lb else str(p))
        for p, lb in zip(
            ds.places["place_id"],
            ds.places["label"] if "label" in ds.places else [None] * len(ds.places),
            strict=True,
        )
    }
    # Room for each node and, when labels show from the first view, its label (about
    # 7 layout units a character at the first zoom).
    labelled = b.labels and n_nodes <= LABELS_AT_ONCE_MAX
    sizes: dict[str, tuple[float, float]] = {}
    for node in pos:
        side = 2 * PERSON_RADIUS + 6 if node in home else PLACE_SIDE + 8
        text = node if node in home else place_label.get(node, node)
        width = side + (7.0 * len(text) + 10 if labelled else 0.0)
        sizes[node] = (width, side + (4.0 if labelled else 0.0))
    margin = 30.0
    pos = _separate(pos, sizes, box=((margin, margin), (_BOX[0] - margin, _BOX[1] - margin)))

    # Nodes.
    relocated_text = _relocation_text(ds, b)
    n_ties: dict[str, int] = {}
    for col in ("person_a", "person_b"):
        for pid, n in ds.ties[col].astype(str).value_counts().items():
            n_ties[str(pid)] = n_ties.get(str(pid), 0) + int(n)
    n_seen = sightings["person_id"].astype(str).value_counts().to_dict()
    rows: list[dict[str, Any]] = []
    for person in _rows(people):
        pid = str(person["person_id"])
        code = home[pid]
        relocated = pid in relocated_text
        looked_after = person["looked_after"]
        la = "" if pd.isna(looked_after) else ("yes" if bool(looked_after) else "no")
        x, y = pos[pid]
        rows.append(
            {
                "id": pid,
                "type": "person",
                "label": pid if b.labels else "",
                "authority": code if isinstance(code, str) else None,
                "authority_name": b.name(code),
                "colour": colours.get(code, NO_AUTHORITY_COLOUR)
                if isinstance(code, str)
                else NO_AUTHORITY_COLOUR,
                "shape": "circle",
                "size": PERSON_RADIUS,
                "outline": RING_COLOUR if relocated else NODE_OUTLINE,
                "outline_width": RING_WIDTH if relocated else OUTLINE_WIDTH,
                "relocated": relocated,
                "x": x,
                "y": y,
                "count": 1,
                "shown": 1,
                "tip": _tip(
                    pid,
                    [
                        ("Home authority", b.name(code)),
                        ("Age", "" if pd.isna(person["age"]) else int(person["age"])),
                        ("Looked after", la),
                        ("Relocated", relocated_text.get(pid, "")),
                        ("Ties", n_ties.get(pid, 0)),
                        ("Sightings", int(n_seen.get(pid, 0))),
                    ],
                ),
            }
        )
    seen_at = sightings.groupby("place_id")["person_id"].nunique().to_dict()
    events_at = sightings["place_id"].value_counts().to_dict()
    for place in _rows(pd.DataFrame(ds.places.drop(columns="geometry"))):
        plid = str(place["place_id"])
        code = pauth.get(plid)
        label_text = place.get("label")
        label_text = label_text if isinstance(label_text, str) and label_text else ""
        shown_label = place_label[plid]
        x, y = pos[plid]
        rows.append(
            {
                "id": plid,
                "type": "place",
                "label": shown_label if b.labels else "",
                "authority": code,
                "authority_name": b.name(code),
                "colour": colours.get(code, NO_AUTHORITY_COLOUR) if code else NO_AUTHORITY_COLOUR,
                "shape": "square",
                "size": PLACE_SIDE,
                "outline": NODE_OUTLINE,
                "outline_width": 1.5,
                "relocated": False,
                "x": x,
                "y": y,
                "count": int(seen_at.get(plid, 0)),
                "shown": int(seen_at.get(plid, 0)),
                "tip": _tip(
                    f"{_nice(place['kind'])} {plid}",
                    [
                        ("Label", label_text),
                        ("Authority", b.name(code)),
                        ("Young people seen", int(seen_at.get(plid, 0))),
                        ("Sightings", int(events_at.get(plid, 0))),
                    ],
                ),
            }
        )
    nodes = pd.DataFrame(rows, columns=_NODE_COLUMNS)

    # Edges: sightings first (drawn underneath), then ties, cross-authority ties last.
    erows: list[dict[str, Any]] = []
    for pr in _rows(pairs):
        pid, plid = str(pr["person_id"]), str(pr["place_id"])
        h, where = home.get(pid), pauth.get(plid)
        cross = isinstance(h, str) and isinstance(where, str) and h != where
        n = int(pr["count"])
        best = reliabilities[int(pr["rank"])]
        width = SIGHTING_WIDTHS[0 if n == 1 else (1 if n <= 3 else 2)]
        erows.append(
            {
                "u": pid,
                "v": plid,
                "type": "sighting",
                "kind": None,
                "reliability": best,
                "agency": None,
                "cross_authority": cross,
                "directed": False,
                "colour": SIGHTING_CROSS_COLOUR if cross else SIGHTING_COLOUR,
                "width": width,
                "dash": UNVERIFIED_DASH if best == "unverified" else None,
                "opacity": 0.9,
                "count": n,
                "shown": n,
                "label": "",
                "tip": _tip(
                    f"{pid} seen at {plid}",
                    [
                        ("Sightings", n),
                        ("Contexts", ctx_text.get((pid, plid), "")),
                        ("Strongest reliability", best),
                        ("From", date_text(pr["first"])),
                        ("To", date_text(pr["last"])),
                        ("Across authorities", "yes" if cross else "no"),
                    ],
                ),
            }
        )
    ties = ds.ties.assign(
        is_cross=[
            isinstance(home.get(str(a)), str)
            and isinstance(home.get(str(c)), str)
            and home.get(str(a)) != home.get(str(c))
            for a, c in zip(ds.ties["person_a"], ds.ties["person_b"], strict=True)
        ]
    )
    ties = ties.sort_values("is_cross", kind="stable")
    for t in _rows(ties):
        a, c = str(t["person_a"]), str(t["person_b"])
        cross = bool(t["is_cross"])
        kind = str(t["kind"])
        width = TIE_WIDTH * (CROSS_FACTOR if cross else 1.0) + (
            EXPLOITER_EXTRA if kind == "exploiter" else 0.0
        )
        reliability = str(t["reliability"])
        erows.append(
            {
                "u": a,
                "v": c,
                "type": "tie",
                "kind": kind,
                "reliability": reliability,
                "agency": str(t["source"]),
                "cross_authority": cross,
                "directed": kind == "exploiter",
                "colour": TIE_COLOURS.get(kind, TIE_COLOURS["associate"]),
                "width": width,
                "dash": UNVERIFIED_DASH if reliability == "unverified" else None,
                "opacity": 0.95,
                "count": 1,
                "shown": 1,
                "label": "",
                "tip": _tip(
                    f"{_nice(kind)}: {a} {'→' if kind == 'exploiter' else '–'} {c}",
                    [
                        ("Reliability", reliability),
                        ("Source", _nice(t["source"])),
                        ("First seen", date_text(t["first_seen"])),
                        ("Last seen", date_text(t["last_seen"])),
                        (
                            "Across authorities",
                            f"yes ({b.name(home.get(a))} – {b.name(home.get(c))})"
                            if cross
                            else "no",
                        ),
                    ],
                ),
            }
        )
    edges = _edge_frame(erows)
    edges["points"] = pd.Series(_paths(edges, pos) if len(edges) else [], dtype=object)
    edges = edges[_EDGE_COLUMNS]
    return nodes, edges, colours


_NODE_COLUMNS: Final = [
    "id",
    "type",
    "label",
    "authority",
    "authority_name",
    "colour",
    "shape",
    "size",
    "outline",
    "outline_width",
    "relocated",
    "x",
    "y",
    "count",
    "shown",
    "tip",
]
_EDGE_COLUMNS: Final = [
    "u",
    "v",
    "type",
    "kind",
    "reliability",
    "agency",
    "cross_authority",
    "directed",
    "colour",
    "width",
    "dash",
    "opacity",
    "count",
    "shown",
    "label",
    "points",
    "tip",
]


def _edge_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Edges without their lines yet; ``dash`` stays ``None`` (solid) or a pattern."""
    edges = pd.DataFrame(rows, columns=[c for c in _EDGE_COLUMNS if c != "points"])
    edges["dash"] = pd.Series([r["dash"] for r in rows], index=edges.index, dtype=object)
    return edges


def _scaled(value: float, top: float, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    if top <= 0:
        return lo
    return round(lo + (hi - lo) * math.sqrt(max(value, 0.0) / top), 2)


def _authority_level(b: _Build) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    ds = b.ds
    public = not b.audience.exact
    people = ds.people
    home = pd.Series(
        people["home_authority"].to_numpy(dtype=object),
        index=people["person_id"].astype(str).to_numpy(dtype=object),
    )
    home_valid = home[home.map(lambda v: isinstance(v, str))]
    counts = home_valid.value_counts()
    relocated = set(ds.relocations["person_id"].astype(str))
    n_relocated = home_valid[home_valid.index.isin(relocated)].value_counts()

    # Links between authorities.
    flows: list[dict[str, Any]] = []
    ties_within: dict[str, int] = {}
    if len(ds.ties):
        ta = ds.ties["person_a"].astype(str).map(home)
        tb = ds.ties["person_b"].astype(str).map(home)
        ok = ta.map(lambda v: isinstance(v, str)) & tb.map(lambda v: isinstance(v, str))
        t = pd.DataFrame(
            {
                "a": ta[ok].to_numpy(dtype=object),
                "b": tb[ok].to_numpy(dtype=object),
                "pa": ds.ties["person_a"][ok].astype(str).to_numpy(dtype=object),
                "pb": ds.ties["person_b"][ok].astype(str).to_numpy(dtype=object),
            }
        )
        within = t[t["a"] == t["b"]]
        ties_within = {str(k): int(v) for k, v in within["a"].value_counts().items()}
        across = t[t["a"] != t["b"]].copy()
        lo = np.where(across["a"] < across["b"], across["a"], across["b"])
        hi = np.where(across["a"] < across["b"], across["b"], across["a"])
        across["lo"], across["hi"] = lo, hi
        for (a, c), grp in across.groupby(["lo", "hi"], sort=True):
            members = set(grp["pa"]) | set(grp["pb"])
            # The smaller of the two sides: a link shows only when both reach the rule.
            side = min(
                sum(1 for p in members if home[p] == a), sum(1 for p in members if home[p] == c)
            )
            flows.append(
                {
                    "type": "ties",
                    "u": a,
                    "v": c,
                    "people": len(members),
                    "events": len(grp),
                    "side": side,
                }
            )
    seen_within: dict[str, int] = {}
    if len(ds.sightings) and len(b.place_auth):
        sa = ds.sightings["person_id"].astype(str).map(home)
        sb = ds.sightings["place_id"].astype(str).map(b.place_auth)
        ok = sa.map(lambda v: isinstance(v, str)) & sb.map(lambda v: isinstance(v, str))
        s = pd.DataFrame(
            {
                "a": sa[ok].to_numpy(dtype=object),
                "b": sb[ok].to_numpy(dtype=object),
                "p": ds.sightings["person_id"][ok].astype(str).to_numpy(dtype=object),
            }
        )
        within = s[s["a"] == s["b"]]
        seen_within = {str(k): int(v) for k, v in within.groupby("a")["p"].nunique().items()}
        for (a, c), grp in s[s["a"] != s["b"]].groupby(["a", "b"], sort=True):
            flows.append(
                {
                    "type": "sightings",
                    "u": a,
                    "v": c,
                    "people": int(grp["p"].nunique()),
                    "events": len(grp),
                }
            )
    if len(ds.relocations):
        r = ds.relocations.dropna(subset=["from_authority", "to_authority"])
        for (a, c), grp in r.groupby(["from_authority", "to_authority"], sort=True):
            flows.append(
                {
                    "type": "relocations",
                    "u": str(a),
                    "v": str(c),
                    "people": int(grp["person_id"].nunique()),
                    "events": len(grp),
                }
            )
    codes = sorted(
        set(counts.index.astype(str)) | {str(f["u"]) for f in flows} | {str(f["v"]) for f in flows}
    )
    colours = _authority_colours(ds, codes, {str(k): int(v) for k, v in counts.items()})
    anchors = _anchors(ds, codes)
    pos = _fit_box(anchors, margin=90.0)
    if len(codes) == 1:
        pos = {codes[0]: (_BOX[0] / 2, _BOX[1] / 2)}

    # Nodes.
    top = max([float(v) for v in counts.to_numpy()] or [1.0])
    rows: list[dict[str, Any]] = []
    for code in codes:
        n = int(counts.get(code, 0))
        shown = b.shown(n)
        size_basis = float(shown) if isinstance(shown, int) else 0.0
        reloc = int(n_relocated.get(code, 0))
        name = b.name(code)
        x, y = pos[code]
        rows.append(
            {
                "id": code,
                "type": "authority",
                "label": f"{name}: {shown}",
                "authority": code,
                "authority_name": name,
                "colour": colours.get(code, OTHER_AUTHORITY_COLOUR),
                "shape": "circle",
                "size": _scaled(size_basis, top, AUTHORITY_RADII),
                "outline": NODE_OUTLINE,
                "outline_width": 1.5,
                "relocated": False,
                "x": x,
                "y": y,
                "count": n,
                "shown": shown,
                "tip": _tip(
                    name,
                    [
                        ("Code", code),
                        ("Young people homed here", shown),
                        ("of whom relocated", b.shown(reloc)),
                        ("Ties within the authority", b.shown(int(ties_within.get(code, 0)))),
                        (
                            "Seen at places in their own authority",
                            b.shown(int(seen_within.get(code, 0))),
                        ),
                    ],
                ),
            }
        )
    nodes = pd.DataFrame(rows, columns=_NODE_COLUMNS)

    # Edges, under the rule for public diagrams.
    withheld: dict[str, int] = {}
    kept = []
    for f in flows:
        if public and not b.rule.shown(f.get("side", f["people"])):
            withheld[f["type"]] = withheld.get(f["type"], 0) + 1
            continue
        kept.append(f)
    for kind, n in withheld.items():
        noun = {"ties": "tie links", "sightings": "sighting links", "relocations": "relocations"}
        b.notes.append(
            f"{n} {noun[kind]} between authorities with fewer than {b.rule.min_count} "
            + ("young people on either side" if kind == "ties" else "young people")
            + " are not drawn."
        )
    top_flow = max([float(b.shown(f["people"]) or 0) for f in kept] or [1.0])
    erows = []
    for f in kept:
        shown = b.shown(f["people"])
        kind = f["type"]
        what = {
            "ties": "Young people in ties",
            "sightings": "Young people seen",
            "relocations": "Young people relocated",
        }[kind]
        events = {"ties": "Ties", "sightings": "Sightings", "relocations": "Relocations"}[kind]
        arrow = "–" if kind == "ties" else "→"
        erows.append(
            {
                "u": f["u"],
                "v": f["v"],
                "type": kind,
                "kind": None,
                "reliability": None,
                "agency": None,
                "cross_authority": True,
                "directed": kind != "ties",
                "colour": FLOW_COLOURS[kind],
                "width": _scaled(
                    float(shown) if isinstance(shown, int) else 0.0, top_flow, FLOW_WIDTHS
                ),
                "dash": None,
                "opacity": 0.8,
                "count": int(f["people"]),
                "shown": shown,
                "label": str(shown),
                "tip": _tip(
                    f"{b.name(f['u'])} {arrow} {b.name(f['v'])}",
                    [(what, shown), (events, b.shown(int(f["events"])))],
                ),
            }
        )
    edges = _edge_frame(erows)
    edges["points"] = pd.Series(
        _paths(edges, pos, spread=0.1, base=0.15) if len(edges) else [], dtype=object
    )
    edges = edges[_EDGE_COLUMNS]
    return nodes, edges, colours


# --------------------------------------------------------------------------- legend

_LegendRow = tuple[str, dict[str, Any], str]
_Legend = tuple[tuple[str, tuple[_LegendRow, ...]], ...]


def _legend(
    nodes: pd.DataFrame, edges: pd.DataFrame, level: str, b: _Build, colours: Mapping[str, str]
) -> _Legend:
    sections: list[tuple[str, tuple[_LegendRow, ...]]] = []
    # Authorities drawn, by name.
    drawn = [c for c in nodes["authority"].dropna().unique().tolist() if isinstance(c, str)]
    rows: list[_LegendRow] = []
    others = False
    for code in sorted(drawn, key=lambda c: b.name(c)):
        colour = colours.get(code, OTHER_AUTHORITY_COLOUR)
        if colour == OTHER_AUTHORITY_COLOUR:
            others = True
            continue
        rows.append(("patch", {"colour": colour}, b.name(code)))
    if others:
        rows.append(("patch", {"colour": OTHER_AUTHORITY_COLOUR}, "other authorities"))
    if (nodes["colour"] == NO_AUTHORITY_COLOUR).any():
        rows.append(("patch", {"colour": NO_AUTHORITY_COLOUR}, "no authority known"))
    sections.append(("Authorities", tuple(rows)))
    if level == "people":
        shapes: list[_LegendRow] = []
        if (nodes["type"] == "person").any():
            shapes.append(("circle", {"colour": "#ffffff"}, "young person (home authority)"))
        if nodes["relocated"].any():
            shapes.append(("ring", {"colour": "#ffffff"}, "young person relocated"))
        if (nodes["type"] == "place").any():
            shapes.append(("square", {"colour": "#ffffff"}, "place (authority it lies in)"))
        sections.append(("Nodes", tuple(shapes)))
        lines: list[_LegendRow] = []
        ties = edges[edges["type"] == "tie"]
        for kind in TIE_KINDS:
            if (ties["kind"] == kind).any():
                text = "exploiter (arrow from the exploiter)" if kind == "exploiter" else kind
                lines.append(
                    ("line", {"colour": TIE_COLOURS[kind], "width": TIE_WIDTH}, _nice(text))
                )
        if ties["cross_authority"].any():
            lines.append(
                (
                    "line",
                    {"colour": "#555555", "width": TIE_WIDTH * CROSS_FACTOR},
                    "wide: tie across authorities",
                )
            )
        if (edges["dash"] == UNVERIFIED_DASH).any():
            lines.append(
                (
                    "line",
                    {"colour": "#555555", "width": TIE_WIDTH, "dash": UNVERIFIED_DASH},
                    "dashed: unverified",
                )
            )
        sightings = edges[edges["type"] == "sighting"]
        if len(sightings):
            lines.append(("line", {"colour": SIGHTING_COLOUR, "width": 1.6}, "seen at a place"))
            if sightings["cross_authority"].any():
                lines.append(
                    (
                        "line",
                        {"colour": SIGHTING_CROSS_COLOUR, "width": 1.6},
                        "seen at a place in another authority",
                    )
                )
        sections.append(("Lines", tuple(lines)))
    else:
        shapes = [
            (
                "circle",
                {"colour": "#ffffff", "size": 9},
                "authority: young people homed there"
                + ("" if b.audience.exact else " (small-count rule)"),
            )
        ]
        sections.append(("Nodes", tuple(shapes)))
        lines = []
        texts = {
            "ties": "ties between young people of two authorities",
            "sightings": "young people seen at places in another authority (arrow)",
            "relocations": "young people relocated (arrow)",
        }
        for kind, text in texts.items():
            if (edges["type"] == kind).any():
                lines.append(("line", {"colour": FLOW_COLOURS[kind], "width": 3.0}, text))
        if lines:
            lines.append(("note", {}, "width by young people; the count is on the line"))
        sections.append(("Lines", tuple(lines)))
    if b.notes:
        sections.append(("Notes", tuple(("note", {}, n) for n in b.notes)))
    return tuple((h, r) for h, r in sections if r)


def _legend_html(legend: _Legend, info: DiagramInfo) -> str:
    rule = (
        "Public diagram. " + info.rule.describe()
        if info.rule is not None
        else "Partnership diagram: exact counts. Not for publication."
    )
    return str(
        macros("diagram_legend.html.j2").legend(
            legend, rule, info.attribution, NODE_OUTLINE, RING_COLOUR, RING_WIDTH
        )
    )


# --------------------------------------------------------------------------- page


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _title_html(info: DiagramInfo) -> str:
    return str(macros("diagram_legend.html.j2").title(info))


def _check_colour(value: str) -> str:
    if not _HEX.match(value):  # pragma: no cover - colours come from this module
        raise ValueError(f"not a colour: {value!r}")
    return value


def _page(d: PeerDiagram) -> str:
    info = d.info
    nodes = [
        {
            "id": str(n["id"]),
            "type": str(n["type"]),
            "x": float(n["x"]),
            "y": float(n["y"]),
            "colour": _check_colour(str(n["colour"])),
            "shape": str(n["shape"]),
            "size": float(n["size"]),
            "outline": _check_colour(str(n["outline"])),
            "outline_width": float(n["outline_width"]),
            "relocated": bool(n["relocated"]),
            "label": str(n["label"]),
            "tip": str(n["tip"]),
        }
        for n in _rows(d.nodes)
    ]
    edges = [
        {
            "u": str(e["u"]),
            "v": str(e["v"]),
            "type": str(e["type"]),
            "colour": _check_colour(str(e["colour"])),
            "width": float(e["width"]),
            "dash": _plain(e["dash"]),
            "opacity": float(e["opacity"]),
            "directed": bool(e["directed"]),
            "label": str(e["label"]),
            "points": [[float(x), float(y)] for x, y in e["points"]],
            "tip": str(e["tip"]),
        }
        for e in _rows(d.edges)
    ]
    record_level = info.level == "people"
    groups = (
        {"tie": "ties", "sighting": "sightings"}
        if record_level
        else {"ties": "ties", "sightings": "sightings", "relocations": "relocations"}
    )
    layer_names = (
        {"sightings": "Places and sightings", "ties": "Ties"}
        if record_level
        else {
            "ties": "Ties between authorities",
            "sightings": "Seen in another authority",
            "relocations": "Relocations",
        }
    )
    n_nodes = len(nodes)
    config = {
        "title": _title_html(info),
        "legend": _legend_html(d._legend, info),
        "nodes": nodes,
        "edges": edges,
        "groups": groups,
        "layerNames": layer_names,
        "box": [[0, 0], [_BOX[0], _BOX[1]]],
        "labelStep": 0 if (not record_level or n_nodes <= LABELS_AT_ONCE_MAX) else 1,
    }
    return render("diagram.html.j2", title=info.title, config=script_json(config))


# --------------------------------------------------------------------------- static


def _mpl_dash(dash: Any) -> Any:
    if not isinstance(dash, str) or not dash:
        return "-"
    on, off = (float(v) for v in dash.split())
    return (0, (on / 1.6, off / 1.6))


def _plot(d: PeerDiagram, *, figsize: tuple[float, float], dpi: int) -> MplFigure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    px = 0.75  # points per CSS pixel
    radius_of = {
        str(n["id"]): (float(n["size"]) * (0.75 if n["shape"] == "square" else 1.0))
        for n in _rows(d.nodes)
    }
    for e in _rows(d.edges):
        pts = np.asarray(e["points"], dtype=float)
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            color=e["colour"],
            lw=float(e["width"]) * px,
            ls=_mpl_dash(e["dash"]),
            alpha=float(e["opacity"]),
            solid_capstyle="butt",
            zorder=2 if e["type"] in ("sighting",) else 3,
        )
        if e["directed"] and len(pts) >= 2:
            ax.annotate(
                "",
                xy=tuple(pts[-1]),
                xytext=tuple(pts[-2]),
                arrowprops={
                    "arrowstyle": "-|>,head_length=0.6,head_width=0.3",
                    "color": e["colour"],
                    "lw": 0,
                    "shrinkA": 0,
                    "shrinkB": radius_of.get(str(e["v"]), 0.0) * px + 1,
                    "mutation_scale": 10 + float(e["width"]),
                },
                zorder=3,
            )
        if e["label"]:
            mid = pts[len(pts) // 2]
            ax.annotate(
                str(e["label"]),
                tuple(mid),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#999", "lw": 0.5},
                zorder=6,
            )
    for shape, marker in (("circle", "o"), ("square", "s")):
        sub = d.nodes[d.nodes["shape"] == shape]
        if not len(sub):
            continue
        size = sub["size"].to_numpy(dtype=float)
        diameter = (2 * size if shape == "circle" else size) * px
        ax.scatter(
            sub["x"].to_numpy(dtype=float),
            sub["y"].to_numpy(dtype=float),
            s=diameter**2,
            marker=marker,
            c=list(sub["colour"]),
            edgecolors=list(sub["outline"]),
            linewidths=[float(w) * px for w in sub["outline_width"]],
            zorder=4,
        )
    labelled = d.nodes[d.nodes["label"] != ""]
    record_level = d.info.level == "people"
    if len(labelled) and (not record_level or len(d.nodes) <= 150):
        for n in _rows(labelled):
            if record_level:
                ax.annotate(
                    str(n["label"]),
                    (float(n["x"]), float(n["y"])),
                    xytext=(float(n["size"]) * px + 2, 0),
                    textcoords="offset points",
                    fontsize=5.5,
                    va="center",
                    color="#222",
                    zorder=5,
                )
            else:
                ax.annotate(
                    str(n["label"]),
                    (float(n["x"]), float(n["y"])),
                    xytext=(0, -(float(n["size"]) * px + 2)),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=8,
                    fontweight="bold",
                    color="#111",
                    zorder=5,
                )
    ax.set_xlim(0, _BOX[0])
    ax.set_ylim(0, _BOX[1])
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = _mpl_handles(d._legend)
    if handles:
        fig.legend(
            handles=handles,
            loc="outside right upper",
            fontsize=7.5,
            frameon=False,
            handlelength=2.4,
        )
    info = d.info
    fig.suptitle(info.title, x=0.01, ha="left", fontsize=14, fontweight="bold")
    ax.set_title(info.subtitle, fontsize=9, loc="left")
    footer = (
        "Public diagram. " + info.rule.describe()
        if info.rule is not None
        else "Partnership diagram: exact counts. Not for publication."
    )
    if info.banner:
        footer = info.banner + ". " + footer
    if info.attribution:
        footer += "\nPositions: " + info.attribution
    fig.supxlabel(footer, x=0.01, ha="left", fontsize=7)
    return fig


def _mpl_handles(legend: _Legend) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for heading, rows in legend:
        handles.append(Patch(facecolor="none", edgecolor="none", label=heading))
        for kind, style, text in rows:
            colour = style.get("colour", "#ffffff")
            if kind == "patch":
                handles.append(Patch(facecolor=colour, edgecolor="#777", label=text))
            elif kind in ("circle", "ring", "square"):
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="s" if kind == "square" else "o",
                        ls="",
                        markersize=8,
                        markerfacecolor=colour,
                        markeredgecolor=RING_COLOUR if kind == "ring" else NODE_OUTLINE,
                        markeredgewidth=RING_WIDTH * 0.75 if kind == "ring" else 0.8,
                        label=text,
                    )
                )
            elif kind == "line":
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=colour,
                        lw=float(style.get("width", 2)) * 0.75,
                        ls=_mpl_dash(style.get("dash")),
                        label=text,
                    )
                )
            else:
                handles.append(Patch(facecolor="none", edgecolor="none", label=text))
    return handles


# --------------------------------------------------------------------------- public API


def peer_diagram(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    audience: ViewAudience = "public",
    path: str | os.PathLike[str] | None = None,
    seed: int = 0,
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool | None = None,
    labels: bool = True,
    min_count: int | None = None,
    round_to: int | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
) -> PeerDiagram:
    """Draw the peer-group diagram of a context, a group of young people or a dataset.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries for authority names, place authorities and
        a layout that follows the map).
    context : int or sequence of str, optional
        A ``context_id`` of :func:`peermap.contexts` or a list of ``person_id``
        values (see :func:`context_subset`). Default: the whole dataset.
    contexts_table : pandas.DataFrame, optional
        A precomputed :func:`peermap.contexts` table to look ``context`` up in.
    audience : {"public", "partnership"}, default "public"
        ``"partnership"``: a node per young person and place, labelled with
        pseudonyms and place ids, exact counts, and the PARTNERSHIP ONLY banner.
        ``"public"``: never a young person; people are collapsed into their home
        authorities, counts follow the small-count rule (under ``min_count`` shown as
        ``c``, others rounded to ``round_to``), and links between authorities with
        fewer than ``min_count`` young people are not drawn (a tie link needs
        ``min_count`` young people on each side: it joins two groups).
    path : str or path-like, optional
        Also save the diagram here (``.html``, ``.png``, ``.svg`` or ``.pdf``).
    seed : int, default 0
        Seed of the layout: the same seed gives the same picture.
    max_nodes : int, default 300
        A partnership diagram with more young people and places than this is
        collapsed into authorities (exact counts), with a note saying so.
    collapse : bool, optional
        Force (``True``) or refuse (``False``) collapsing a partnership diagram;
        default: collapse above ``max_nodes``. A public diagram is always collapsed.
    labels : bool, default True
        Write pseudonyms and place labels beside the nodes of a partnership diagram
        (tooltips carry them either way).
    min_count, round_to : int, optional
        The small-count rule of public diagrams (default ``peermap.settings``).
    since, until : date or str, optional
        Keep ties active, and sightings and relocations dated, within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.
    title : str, optional
        Title on the diagram.

    Returns
    -------
    PeerDiagram
        ``.nodes`` and ``.edges`` describe every element drawn, ``.to_html()`` gives
        the page, ``.plot()`` the matplotlib figure and ``.save(path)`` writes either.

    Raises
    ------
    ValueError
        For an unknown audience or context, ``min_count``/``round_to`` with a
        partnership diagram, ``collapse=False`` with a public one, or nothing to draw.
    """
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=VIEW_AUDIENCES, what="diagram"
    )
    if not isinstance(ds, Dataset):
        raise TypeError(f"peer_diagram needs a peermap.Dataset, got {type(ds).__name__}")
    public = not policy.exact
    if public and collapse is False:
        raise ValueError(
            "a public diagram never shows young people: it is always collapsed into "
            "authorities (use audience='partnership' for a record-level diagram)"
        )
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    rule = policy.rule or SuppressionRule.from_settings()
    sub, selected = context_subset(
        ds,
        context=context,
        contexts_table=contexts_table,
        since=since,
        until=until,
        min_reliability=min_reliability,
    )
    if not len(sub.people):
        raise ValueError("there are no young people to draw")
    b = _Build(
        ds=sub,
        audience=policy,
        rule=rule,
        names=authority_names(ds),
        place_auth=_place_authority(sub),
        seed=seed,
        labels=labels and not public,
    )
    n_nodes = len(sub.people) + len(sub.places)
    if public:
        level = "authorities"
        b.notes.append("Public diagram: young people are counted by home authority, never shown.")
    elif collapse is True:
        level = "authorities"
    elif collapse is None and n_nodes > max_nodes:
        level = "authorities"
        b.notes.append(
            f"{len(sub.people)} young people and {len(sub.places)} places are more than "
            f"{max_nodes} nodes: young people are collapsed into their home authorities. "
            "Choose a context or a time window, or raise max_nodes, to see them."
        )
    else:
        level = "people"
    if level == "people":
        nodes, edges, colours = _people_level(b)
    else:
        nodes, edges, colours = _authority_level(b)
    period = data_period(sub)
    if title is None:
        title = "Peer-group diagram" + (f": {selected}" if selected else "")
        if level == "authorities":
            title += " (by authority)"
    bits = []
    if period_text(period):
        bits.append(period_text(period))
    if min_reliability != "unverified":
        bits.append(f"{min_reliability} or better")
    bits.append(policy.heading("diagram"))
    banner = policy.banner
    attribution = ""
    if ds.boundaries is not None:
        from peermap.boundaries import boundary_attribution

        attribution = boundary_attribution(ds.boundaries)
    codes = [c for c in nodes["authority"].dropna().unique().tolist() if isinstance(c, str)]
    authorities = pd.DataFrame(
        {
            "code": sorted(codes),
            "name": [b.name(c) for c in sorted(codes)],
            "colour": [colours.get(c, OTHER_AUTHORITY_COLOUR) for c in sorted(codes)],
        }
    )
    legend = _legend(nodes, edges, level, b, colours)
    info = DiagramInfo(
        title=title,
        subtitle=" · ".join(bits),
        audience=audience,
        level=level,
        rule=policy.rule,
        period=period,
        seed=seed,
        notes=tuple(b.notes),
        authorities=authorities,
        attribution=attribution,
        banner=banner,
    )
    diagram = PeerDiagram(nodes=nodes, edges=edges, info=info, _legend=legend)
    if path is not None:
        diagram.save(path)
    return diagram
