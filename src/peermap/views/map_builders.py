"""The builders of the map layers: each turns a :class:`MapRequest` into a :class:`MapLayer`.

A builder takes what the analysis layer computed (:mod:`peermap.analysis`,
:mod:`peermap.measures`, :mod:`peermap.getis_ord`), applies the audience's rule and
classes, and returns the layer's features (British National Grid), legend section and
notes; the ``plot_*`` functions draw a built layer with matplotlib. They are registered
in :data:`peermap.views.map_layers.LAYER_REGISTRY`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from markupsafe import Markup

from peermap import settings
from peermap._plain_words import plural
from peermap.analysis import flow_keys, flows, hotspots
from peermap.cell_keys import as_key
from peermap.exceptions import ArgumentError
from peermap.getis_ord import gi_star
from peermap.measures import (
    AUTHORITY_MEASURES,
    people_seen,
    relocated_into,
    relocated_into_keys,
    venue_stats,
)
from peermap.schema import is_online
from peermap.views.map_style import (
    CHOROPLETH_COLOURS,
    CONFIDENCE,
    DISTANT_COLOUR,
    DISTANT_DASH,
    FLOW_ROWS,
    GI_COLOURS,
    LINE_WIDTHS,
    MAX_RELOCATION_LABELS,
    MAX_TOOLTIP_PSEUDONYMS,
    NEIGHBOUR_COLOUR,
    NO_DATA_COLOUR,
    RELOCATION_COLOUR,
    SHARE_BREAKS,
    SHARE_COLOURS,
    SUPPRESSED_COLOUR,
    VENUE_RADII,
    VENUE_STEPS,
    MapLayer,
    MapRequest,
    arrow,
    bezier,
    class_breaks,
    class_labels,
    classify,
    head_size,
    number_text,
    numbered_ring,
    numeric,
    palette,
    simplify,
    symbols,
    trim,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "LINK_SEPARATION_PX",
    "MAX_LINKS",
    "MAX_VENUE_MARKERS",
    "MEASURE_TITLES",
    "authorities_layer",
    "gi_layer",
    "hotspots_layer",
    "links_layer",
    "relocations_layer",
]

#: Titles of the measures authorities can be shaded by.
MEASURE_TITLES: Final[dict[str, str]] = {
    "people_seen": "Young people seen (distinct)",
    "cross_border_share": "Share of young people seen who live elsewhere",
    "relocations_received": "Young people relocated into the authority",
}


def authorities_layer(p: MapRequest, title: str) -> MapLayer:
    """Boundaries with names, optionally shaded by a measure; a context's outlined."""
    assert p.boundaries is not None
    boundaries = p.boundaries.reset_index(drop=True)
    measure, spans, tolerance_m = p.choropleth, p.spans, 0.5 * p.mpp
    lg = symbols()
    codes = boundaries["code"].astype(str).tolist()
    frame = gpd.GeoDataFrame(
        {"code": codes, "name": boundaries["name"].astype(str).tolist()},
        geometry=simplify(np.asarray(boundaries.geometry.values, dtype=object), tolerance_m),
        crs=settings.metric_crs,
    )
    frame["label"] = frame["name"]
    frame["label_at"] = list(
        shapely.point_on_surface(np.asarray(boundaries.geometry.values, dtype=object))
    )
    # Names are placed largest authority first (the browser shows a name only where it
    # collides with none shown before it): 0 for the largest.
    area = shapely.area(np.asarray(boundaries.geometry.values, dtype=object))
    frame["label_rank"] = np.argsort(np.argsort(-area, kind="stable"), kind="stable")
    notes: list[str] = []
    entries: list[tuple[str, str, str, float, bool]] = []
    heading = title
    name = heading
    tooltip = None
    if measure is not None:
        name = f"{name}: {MEASURE_TITLES[measure].lower()}"
        shown_as = MEASURE_TITLES[measure].lower()
        share = "share" in shown_as
        tooltip = [
            ["code", "Code"],
            ["value", shown_as[0].upper() + shown_as[1:], "%" if share else ""],
        ]
    legend: list[Markup] = []
    if measure is not None:
        shown, numbers = _measure_values(p, codes, measure)
        frame["value"] = shown
        values = [v for v in numbers if v is not None]
        is_share = measure == "cross_border_share"
        step = 0.0 if is_share else (float(p.rule.round_to) if p.suppressing else 1.0)
        breaks = class_breaks(values, 5, step=step)
        colours = palette(CHOROPLETH_COLOURS, len(breaks) + 1)
        classes = classify(numbers, breaks)
        cls = [
            -1 if s == p.rule.marker else (None if c is None else _spread(c, len(colours)))
            for s, c in zip(shown, classes, strict=True)
        ]
        frame["cls"] = pd.Series(cls, index=frame.index, dtype=object)
        frame["_fill"] = [
            SUPPRESSED_COLOUR
            if c == -1
            else (NO_DATA_COLOUR if c is None else CHOROPLETH_COLOURS[c])
            for c in cls
        ]
        legend.append(lg.note(MEASURE_TITLES[measure] + (" (%)" if is_share else "")))
        if values:
            labels = class_labels(
                breaks,
                min(values),
                max(values),
                integer=not is_share,
                suffix="%" if is_share else "",
            )
            scale = [(lg.swatch(c), label) for c, label in zip(colours, labels, strict=True)]
            entries.extend(
                ("patch", c, f"{label}", 0.0, False)
                for c, label in zip(colours, labels, strict=True)
            )
        else:
            scale = []
        n = sum(1 for v in shown if v == p.rule.marker)
        if n:
            scale.append((lg.swatch(SUPPRESSED_COLOUR), p.rule.marker))
            entries.append(("patch", SUPPRESSED_COLOUR, f"{p.rule.marker}: withheld", 0.0, False))
        legend.append(lg.scale(scale))
        if n:
            why = (
                f"share withheld, under {p.rule.min_count} from within or from outside"
                if is_share
                else f"under {p.rule.min_count}, withheld"
            )
            legend.append(lg.note(f"{p.rule.marker}: {why}"))
            notes.append(f"authority values withheld ({measure})")
    else:
        frame["cls"] = None
        frame["_fill"] = NO_DATA_COLOUR
        if spans is None:
            legend.append(lg.row(lg.swatch("#ffffff"), "Authority boundary, with its name"))
    if spans is not None:
        frame["spans"] = [c in spans for c in codes]
        legend.append(lg.row(lg.svg_line("#111", 3.2), "Authorities the context spans"))
        entries.append(("line", "#111", "Authorities the context spans", 2.4, False))
    frame["_edge"] = ["#111" if spans is not None and c in spans else "#555" for c in codes]
    if measure is not None and entries:
        entries.insert(0, ("title", "", MEASURE_TITLES[measure], 0.0, False))
    return MapLayer(
        "authorities",
        name,
        frame,
        lg.section(name, heading, legend),
        notes,
        entries=entries,
        tooltip_rows=tooltip,
    )


def _spread(cls: int, n_colours: int) -> int:
    """Index into the 5-colour scheme of class ``cls`` of ``n_colours`` classes."""
    if n_colours <= 1:
        return 3
    return round(cls * (len(CHOROPLETH_COLOURS) - 1) / (n_colours - 1))


def _measure_values(
    p: MapRequest, codes: list[str], measure: str
) -> tuple[list[Any], list[float | None]]:
    """Per authority: the value shown and the number it is classed by."""
    if measure == "relocations_received":
        received = relocated_into(p.ds, since=p.since, until=p.until)
        # Each with the noise of the cell of the young people it counts.
        keys = relocated_into_keys(p.ds, since=p.since, until=p.until)
        shown = [p.count(int(received.get(c, 0)), keys.get(str(c))) for c in codes]
        return shown, [numeric(v) for v in shown]
    seen = people_seen(p.ds, since=p.since, until=p.until, min_reliability=p.min_reliability)
    total, away = seen["people"], seen["from_elsewhere"]
    total_key, away_key = seen["people_key"], seen["from_elsewhere_key"]
    if measure == "people_seen":
        shown = [p.count(int(total.get(c, 0)), total_key.get(c)) for c in codes]
        return shown, [numeric(v) for v in shown]
    if measure == "cross_border_share":
        out: list[Any] = []
        for c in codes:
            whole, part = int(total.get(c, 0)), int(away.get(c, 0))
            out.append(
                p.policy.share(
                    part,
                    whole,
                    part_key=as_key(away_key.get(c)),
                    whole_key=as_key(total_key.get(c)),
                )
            )
        return out, [numeric(v) for v in out]
    raise ArgumentError(
        f"choropleth={measure!r}; expected one of {', '.join(AUTHORITY_MEASURES)} or None"
    )


#: The most concerning venues are numbered on the map (1 first) and ringed.
NUMBERED_VENUES: Final = 5

#: How many venues the overview map marks by default, most concerning first.
MAX_VENUE_MARKERS: Final = 40

#: How many links a map draws by default, most young people first.
MAX_LINKS: Final = 40

#: Two links closer than this many pixels all along (Hausdorff distance, at the zoom
#: the map opens at) run over each other: the later one is bent further.
LINK_SEPARATION_PX: Final = 10.0

#: Bends tried for a link, in order (share of its length; positive: right of travel).
#: Directed links bend right, so A -> B and B -> A bow to opposite sides.
_DIRECTED_BENDS: Final = (0.13, 0.24, 0.35, 0.46)
_UNDIRECTED_BENDS: Final = (0.0, 0.13, -0.13, 0.24, -0.24, 0.35, -0.35)


def _venue_stats(p: MapRequest) -> pd.DataFrame:
    """Per place seen (see :func:`peermap.measures.venue_stats`), pseudonyms capped."""
    stats = venue_stats(
        p.ds,
        since=p.since,
        until=p.until,
        min_reliability=p.min_reliability,
        people=p.context_people is not None,
    )
    if "seen" in stats:
        stats["seen"] = pd.Series(
            [_capped(people) for people in stats["seen"]], index=stats.index, dtype=object
        )
    return stats


def _capped(people: list[str]) -> list[str]:
    """Return the first pseudonyms of a venue's tooltip, and how many more there are."""
    more = len(people) - MAX_TOOLTIP_PSEUDONYMS
    return people[:MAX_TOOLTIP_PSEUDONYMS] + ([f"and {more} more"] if more > 0 else [])


def hotspots_layer(p: MapRequest, title: str) -> MapLayer:
    """Venues: size by distinct young people, colour by the share living elsewhere."""
    lg = symbols()
    ds = p.ds
    stats = _venue_stats(p)
    places = ds.places.set_index("place_id")
    # Online places (schema 1.1) have no place on the map; the report lists them.
    stats = stats[stats.index.isin(places.index[~is_online(places["kind"]).to_numpy()])]
    notes: list[str] = []
    m = p.rule.min_count
    if p.suppressing:
        small = pd.Series(
            [
                not p.policy.listed(int(n), int(k))
                for n, k in zip(stats["people"], stats["people_key"], strict=True)
            ],
            index=stats.index,
            dtype=bool,
        )
        hidden = p.policy.hidden_place_kinds
        private = places["kind"].reindex(stats.index).isin(hidden) & ~small
        # What was left out, never how many: that count is of what is too small to show
        # (one more young person seen once at a home made "7 private homes" 8).
        if small.any():
            notes.append(f"Not shown: venues with under {m} young people")
        if private.any():
            notes.append("Not shown: private homes (residential)")
        stats = stats[~small & ~private]
    # Most concerning first (peermap.hotspots), not busiest first: a trap house must
    # be marked before a busy school. Past max_venues, the Gi* layer shows where they are.
    ranked = hotspots(
        p.ds, since=p.since, until=p.until, min_reliability=p.min_reliability
    ).set_index("place_id")["rank"]
    stats = stats.assign(_rank=ranked.reindex(stats.index).fillna(len(ranked) + 1).to_numpy())
    stats = stats.sort_values("_rank", kind="stable")
    # Numbered among the venues this audience may see: a public map's numbers never
    # skip a withheld venue (a gap would say one ranks there).
    stats["_rank"] = np.arange(1, len(stats) + 1)
    if p.max_venues is not None and len(stats) > p.max_venues:
        notes.append(
            f"Hotspot venues: the {p.max_venues} most concerning"
            + ("" if p.suppressing else f" of {plural(len(stats), 'venue')}")
            + " marked; the Gi* layer shows where the others are"
        )
        stats = stats.head(p.max_venues)
    # Drawn largest first, so a small marker is never hidden under a large one.
    stats = stats.loc[
        stats.sort_values(["people", "sightings"], ascending=False, kind="stable").index
    ]
    geometry = places.geometry.reindex(stats.index).to_numpy()
    frame = gpd.GeoDataFrame(
        {
            "kind": places["kind"].reindex(stats.index).astype(str).to_numpy(),
            "authority": [
                p.name(c)
                for c in (
                    places["authority_code"].reindex(stats.index)
                    if "authority_code" in places
                    else [None] * len(stats)
                )
            ],
        },
        geometry=geometry,
        crs=settings.metric_crs,
    )
    shown_people = [
        p.count(v, k) for v, k in zip(stats["people"], stats["people_key"], strict=True)
    ]
    frame["people"] = shown_people
    # Events are shown only beside a shown count of young people.
    frame["sightings"] = [
        p.count(v, k) if not isinstance(n, str) else n
        for v, k, n in zip(stats["sightings"], stats["sightings_key"], shown_people, strict=True)
    ]
    frame["share"] = [
        p.policy.share(int(part), int(whole), part_key=as_key(pk), whole_key=as_key(wk))
        for part, whole, pk, wk in zip(
            stats["away"], stats["known"], stats["away_key"], stats["known_key"], strict=True
        )
    ]
    steps = [m * f for f in VENUE_STEPS]
    frame["_size"] = [
        int(np.searchsorted(np.asarray(steps), v, side="right")) if isinstance(v, int) else 0
        for v in shown_people
    ]
    # A share class per venue: None where there is no share (a venue outside every
    # authority has no home authority to compare with). Kept as Python ints: a column
    # holding None would turn them into floats.
    classes: list[int | None] = [
        (
            None
            if isinstance(v, float) and math.isnan(v)
            else int(np.searchsorted(np.asarray(SHARE_BREAKS), v, side="right"))
        )
        if isinstance(v, int | float)
        else (-1 if v == p.rule.marker else None)
        for v in frame["share"]
    ]
    frame["_class"] = pd.Series(classes, index=frame.index, dtype=object)
    if not p.suppressing:
        frame["place"] = stats.index.astype(str).to_numpy()
        if "label" in places:
            frame["label_text"] = places["label"].reindex(stats.index).to_numpy(dtype=object)
        frame["contexts"] = stats["contexts"].to_numpy(dtype=object)
        if p.context_people is not None and "seen" in stats:
            frame["seen"] = stats["seen"].to_numpy(dtype=object)
    frame["_fill"] = [
        SHARE_COLOURS[c]
        if c is not None and c >= 0
        else (SUPPRESSED_COLOUR if c == -1 else NO_DATA_COLOUR)
        for c in classes
    ]
    frame["_radius"] = [VENUE_RADII[s] for s in frame["_size"]]
    # The most concerning venues carry their rank, so a trap house is obvious on sight.
    ranks = stats["_rank"].to_numpy()
    frame["rank"] = [int(r) if r <= NUMBERED_VENUES else None for r in ranks]
    frame["label"] = [str(int(r)) if r <= NUMBERED_VENUES else None for r in ranks]
    # The number sits above-right of its ring (at the first zoom), not on it.
    offsets = [(numbered_ring(VENUE_RADII[size]) + 3) * p.mpp for size in frame["_size"]]
    frame["label_at"] = [
        shapely.Point(pt.x + d, pt.y + d) if r <= NUMBERED_VENUES else None
        for pt, r, d in zip(frame.geometry, ranks, offsets, strict=True)
    ]
    # Legend
    name = title
    rows: list[Markup] = []
    if (frame["rank"].notna()).any():
        rows.append(
            lg.note(
                f"Numbered, in a black ring whatever their size: the {NUMBERED_VENUES} "
                "most concerning (1 first): harm beyond what is usual for a place of that "
                "kind that busy"
            )
        )
    rows.append(lg.note("Size: distinct young people seen there"))
    labels = (
        [f"<{number_text(steps[0])}"]
        + [f"{number_text(a)}–{number_text(b - 1)}" for a, b in itertools.pairwise(steps)]
        + [f"{number_text(steps[-1])}+"]
    )
    first = 1 if p.suppressing else 0
    box = 2 * VENUE_RADII[-1] + 2
    sizes = list(zip(VENUE_RADII, labels, strict=True))[first:]
    rows.append(lg.scale([(lg.svg_circle(r, size=box), label) for r, label in sizes]))
    rows.append(lg.note("Colour: share of them living in another authority"))
    share_labels = ["<20%", "20–40", "40–60", "60–80", "80%+"]
    scale = [
        (lg.svg_circle(6, c), label) for c, label in zip(SHARE_COLOURS, share_labels, strict=True)
    ]
    if any(c == -1 for c in frame["_class"]):
        scale.append((lg.svg_circle(6, SUPPRESSED_COLOUR), p.rule.marker))
    rows.append(lg.scale(scale))
    if any(c == -1 for c in frame["_class"]):
        rows.append(lg.note(f"{p.rule.marker}: withheld (under {m} from within or outside)"))
    for text in notes:
        rows.append(lg.note(text))
    entries: list[tuple[str, str, str, float, bool]] = [
        ("title", "", "Venues: share living elsewhere", 0.0, False)
    ]
    entries.extend(
        ("marker", c, label, VENUE_RADII[2], False)
        for c, label in zip(SHARE_COLOURS, share_labels, strict=True)
    )
    if any(c == -1 for c in frame["_class"]):
        entries.append(("marker", SUPPRESSED_COLOUR, f"{p.rule.marker}: withheld", 5.5, False))
    entries.append(("title", "", "Venues: young people", 0.0, False))
    entries.extend(("marker", "#ffffff", label, r, False) for r, label in sizes)
    return MapLayer("hotspots", name, frame, lg.section(name, name, rows), notes, entries=entries)


def links_layer(p: MapRequest, title: str) -> MapLayer:
    """Young people between authorities: seen away from home, or ties across them."""
    return _flow_layer(p, "links", title, p.flow_kind, p.centroids)


def relocations_layer(p: MapRequest, title: str) -> MapLayer:
    """Relocations from one authority to another, as arrows with counts."""
    return _flow_layer(p, "relocations", title, "relocations", p.centroids)


def _flow_layer(
    p: MapRequest,
    key: str,
    title: str,
    kind: str,
    centroids: Mapping[str, tuple[float, float]],
) -> MapLayer:
    table = flows(
        p.ds,
        kind=kind,  # type: ignore[arg-type]
        since=p.since,
        until=p.until,
        min_reliability=p.min_reliability,
    )
    notes: list[str] = []
    lg = symbols()
    name = title + (" (ties)" if kind == "ties" else "")
    if len(table):
        table = table[~table["within"].astype(bool)]
        placed = table["origin"].isin(list(centroids)) & table["destination"].isin(list(centroids))
        table = table[placed]
    m = p.rule.min_count
    keys = flow_keys(
        p.ds,
        kind=kind,  # type: ignore[arg-type]
        since=p.since,
        until=p.until,
        min_reliability=p.min_reliability,
    )
    pairs = pd.MultiIndex.from_arrays(
        [table["origin"].astype(str), table["destination"].astype(str)]
    )
    people_key = keys["people_key"].reindex(pairs).to_numpy()
    events_key = keys["events_key"].reindex(pairs).to_numpy()
    if p.suppressing and len(table):
        small = np.array(
            [
                not p.policy.listed(int(n), as_key(k))
                for n, k in zip(table["people"], people_key, strict=True)
            ],
            dtype=bool,
        )
        if small.any():
            what = "link" if key == "links" else "flow"
            notes.append(f"Not drawn: {what}s of under {m} young people")
        table, people_key, events_key = table[~small], people_key[~small], events_key[~small]
    directed = kind != "ties"
    if key == "links" and p.max_links is not None and len(table) > p.max_links:
        # The links of the most young people only: hundreds of lines between every
        # pair of authorities would hide each other and everything under them.
        order = np.argsort(-table["people"].to_numpy(dtype=float), kind="stable")
        keep = np.zeros(len(table), dtype=bool)
        keep[order[: p.max_links]] = True
        # The exact least count only where counts are exact (partnership maps).
        least = (
            ""
            if p.suppressing or not keep.any()
            else f" ({int(table['people'].to_numpy()[keep].min())} or more)"
        )
        notes.append(
            f"Drawn: the {p.max_links} links of the most young people{least} of "
            f"{len(table)}; the other {len(table) - p.max_links} are not drawn"
        )
        table, people_key, events_key = table[keep], people_key[keep], events_key[keep]
    shown = [p.count(v, as_key(k)) for v, k in zip(table["people"], people_key, strict=True)]
    events = [
        p.count(v, as_key(k)) if not isinstance(n, str) else n
        for v, k, n in zip(table["events"], events_key, shown, strict=True)
    ]
    step = float(p.rule.round_to) if p.suppressing else 1.0
    breaks = class_breaks([float(v) for v in shown if isinstance(v, int)], 4, step=step)
    widths = classify([float(v) if isinstance(v, int) else None for v in shown], breaks)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    label_rank = np.argsort(
        -np.asarray([v if isinstance(v, int) else 0 for v in shown]), kind="stable"
    )
    labelled = set(label_rank[:MAX_RELOCATION_LABELS].tolist()) if key == "relocations" else set()
    curves = _curves(
        [
            (np.asarray(centroids[str(o)], dtype=float), np.asarray(centroids[str(d)], dtype=float))
            for o, d in zip(table["origin"], table["destination"], strict=True)
        ],
        label_rank,
        directed=directed,
        separation=LINK_SEPARATION_PX * p.mpp,
    )
    for i, row in enumerate(table.itertuples(index=False)):
        o, d = str(row.origin), str(row.destination)
        neighbours = p.graph is not None and p.graph.has_edge(o, d)
        reach = "neighbours" if neighbours else "distant (not neighbours)"
        w = int(widths[i] or 0)
        pts = trim(curves[i], 9 * p.mpp, 9 * p.mpp)
        base: dict[str, Any] = {
            "from": p.name(o),
            "to": p.name(d),
            "people": shown[i],
            "events": events[i],
            "reach": reach,
            "width": w,
        }
        if key == "relocations" and i in labelled:
            base["label"] = str(shown[i])
            base["label_at"] = shapely.Point(pts[len(pts) // 2])
        line = shapely.LineString(pts)
        if directed:
            base["directed"] = 1
            shaft, head = arrow(pts, *head_size(w, p.mpp))
        else:
            shaft, head = line, None
        base["_shaft"], base["_head"] = shaft, head
        rows.append(base)
        geoms.append(line)
    columns = [
        "from",
        "to",
        "people",
        "events",
        "reach",
        "width",
        "directed",
        "label",
        "label_at",
        "_shaft",
        "_head",
    ]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=columns, dtype=object),
        geometry=geoms,
        crs=settings.metric_crs,
    )
    frame["_colour"] = [
        RELOCATION_COLOUR
        if key == "relocations"
        else (NEIGHBOUR_COLOUR if r == "neighbours" else DISTANT_COLOUR)
        for r in frame["reach"]
    ]
    frame["_width"] = [LINE_WIDTHS[int(w)] for w in frame["width"]]
    # Legend
    colour = RELOCATION_COLOUR if key == "relocations" else NEIGHBOUR_COLOUR
    legend: list[Markup] = []
    if key == "relocations":
        legend.append(lg.note("Young people moved from one authority to another"))
    elif kind == "sightings":
        legend.append(lg.note("Young people seen outside their home authority (home → seen)"))
    else:
        legend.append(lg.note("Ties between young people living in two authorities"))
    values = [float(v) for v in shown if isinstance(v, int)]
    if values:
        labels = class_labels(breaks, min(values), max(values), integer=True)
        legend.append(lg.note("Width: young people"))
        legend.append(
            lg.scale(
                [
                    (lg.svg_line(colour, width, arrow=directed), label)
                    for width, label in zip(LINE_WIDTHS, labels, strict=False)
                ]
            )
        )
    if key == "links":
        legend.append(
            lg.scale(
                [
                    (lg.svg_line(NEIGHBOUR_COLOUR, 2.4, arrow=directed), "neighbours"),
                    (
                        lg.svg_line(DISTANT_COLOUR, 2.4, DISTANT_DASH, arrow=directed),
                        "distant (not neighbours)",
                    ),
                ]
            )
        )
    if key == "relocations" and len(table) > MAX_RELOCATION_LABELS:
        legend.append(lg.note(f"Counts written on the {MAX_RELOCATION_LABELS} largest"))
    if not len(table) and not notes:
        legend.append(lg.note("None to draw."))
    for text in notes:
        legend.append(lg.note(text))
    if key == "links":
        entries = [
            ("line", NEIGHBOUR_COLOUR, "Link between neighbours", 2.0, False),
            ("line", DISTANT_COLOUR, "Link between distant authorities", 2.0, True),
        ]
    else:
        entries = [("line", RELOCATION_COLOUR, "Relocations", 2.0, False)]
    tooltip = None
    if key == "links" and kind == "ties":
        tooltip = [*FLOW_ROWS, ["e", "Ties"]]
    return MapLayer(
        key,
        name,
        frame,
        lg.section(name, name, legend),
        notes,
        entries=entries,
        tooltip_rows=tooltip,
    )


def _curves(
    ends: list[tuple[np.ndarray, np.ndarray]],
    order: np.ndarray,
    *,
    directed: bool,
    separation: float,
) -> list[np.ndarray]:
    """Bend each flow so that no two run over each other their whole length.

    Flows are placed in ``order`` (largest first); each takes the first bend of
    ``_DIRECTED_BENDS`` (right of travel, so the two directions between a pair bow to
    opposite sides) or ``_UNDIRECTED_BENDS`` whose curve keeps a Hausdorff distance of
    at least ``separation`` metres from every curve placed before it, or, when none
    does, the bend that keeps farthest. Flows between nearby authorities towards the
    same far one thus fan out instead of drawing one thick line.
    """
    bends = _DIRECTED_BENDS if directed else _UNDIRECTED_BENDS
    curves: list[np.ndarray] = [np.empty((0, 2))] * len(ends)
    placed: list[Any] = []
    for i in order.tolist():
        p0, p1 = ends[i]
        options = [bezier(p0, p1, bend) for bend in bends]
        best, gap = options[0], -1.0
        for points in options:
            line = shapely.LineString(points)
            nearest = (
                float(np.min(shapely.hausdorff_distance(line, np.asarray(placed, dtype=object))))
                if placed
                else np.inf
            )
            if nearest >= separation:
                best, gap = points, nearest
                break
            if nearest > gap:
                best, gap = points, nearest
        curves[i] = best
        placed.append(shapely.LineString(best))
    return curves


def gi_layer(p: MapRequest, title: str) -> MapLayer | None:
    """Significant Gi* hot-spot cells (cold spots too when asked for).

    When the grid cannot be built (too few sightings, or too many cells at the size
    given) the layer is left out with a note in ``p.dropped``, or, when it was asked
    for by name, ``ValueError`` names the map's keyword ``gi_cell_size_m``.
    """
    try:
        return _gi_cells(p, title, p.gi_cell_size_m, p.gi_permutations, p.gi_cold_spots)
    except ValueError as exc:
        p.grid_not_drawn("gi_star", title, exc)
        return None


def _gi_cells(
    p: MapRequest, title: str, cell_size_m: float | None, permutations: int, cold: bool
) -> MapLayer:
    lg = symbols()
    grid = gi_star(
        p.ds,
        cell_size_m=cell_size_m,
        permutations=permutations,
        inference="analytical",
        since=p.since,
        until=p.until,
        min_reliability=p.min_reliability,
        exclude_place_kinds=p.policy.hidden_place_kinds,
    )
    cell_size_m = float(grid.attrs["cell_size_m"])
    keep = grid["bin"] > 0 if not cold else grid["bin"] != 0
    cells = grid[keep]
    withheld = 0
    if p.suppressing:
        # The venues' rule for cells too: a cell about too few young people is not drawn.
        listed = np.array(
            [
                p.policy.listed(int(n), int(k))
                for n, k in zip(cells["people"], cells["people_key"], strict=True)
            ],
            dtype=bool,
        )
        withheld = int((~listed & (cells["bin"] != 0)).sum())
        cells = cells[listed]
    frame = gpd.GeoDataFrame(
        {
            "bin": cells["bin"].astype(int).to_numpy(),
            "sightings": [
                p.count(v, int(k)) for v, k in zip(cells["count"], cells["count_key"], strict=True)
            ],
            "z": np.round(cells["z"].to_numpy(dtype=float), 2),
        },
        geometry=cells.geometry.to_numpy(),
        crs=settings.metric_crs,
    )
    frame["_fill"] = [GI_COLOURS[int(b)] for b in frame["bin"]]
    name = title
    legend: list[Markup] = []
    legend.append(
        lg.note(
            f"Sightings on {cell_size_m:g} m cells; bins from the Gi* z-score, "
            "FDR-corrected, as ArcGIS's Hot Spot Analysis"
            + ("" if cold else "; cold spots not drawn")
        )
    )
    bins = (3, 2, 1) + ((-1, -2, -3) if cold else ())
    legend.append(
        lg.scale(
            [
                (lg.swatch(GI_COLOURS[b]), ("hot " if b > 0 else "cold ") + CONFIDENCE[abs(b)])
                for b in bins
            ]
        )
    )
    notes = [] if cold else ["Gi* cold spots not drawn"]
    if withheld:
        notes.append(f"Not drawn: Gi* cells about under {p.rule.min_count} young people")
    if not len(frame):
        legend.append(lg.note("No significant hot spots."))
    entries = [
        (
            "patch",
            GI_COLOURS[b],
            f"Gi* {'hot' if b > 0 else 'cold'} spot {CONFIDENCE[abs(b)]}",
            0.0,
            False,
        )
        for b in bins
    ]
    return MapLayer("gi_star", name, frame, lg.section(name, name, legend), notes, entries=entries)
