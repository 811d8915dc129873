"""The contexts layer of the overview map: the contexts that need attention first.

Contexts are the heart of peermap's answer, so the overview map draws the most
concerning ones that span authorities (:func:`peermap.contexts`, in its order of
concern), each in its own colour-blind-safe colour: the authorities it spans
(outlined), its places, and the links between its places (their minimum spanning tree,
the shortest set of lines that joins them all: a context's footprint without a hairball).
The legend lists them with their reasons, and clicking one there shows it alone.

A public map never draws a context's places or reasons (they rest on record-level
data and exact counts): it draws, for each pair of authorities, how many contexts span
both, under the disclosure rule (a pair is drawn only when the contexts spanning it hold
enough young people, counted with their cell key).
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse
import scipy.sparse.csgraph
import shapely

from peermap import settings
from peermap._plain_words import plural
from peermap.analysis import contexts
from peermap.cell_keys import people_key
from peermap.filters import Window
from peermap.views.map_style import MapLayer, MapRequest, simplify, symbols

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CONTEXTS_ON_MAP",
    "CONTEXT_COLOURS",
    "MAX_PUBLIC_PAIRS",
    "contexts_layer",
    "plot_contexts",
]

#: How many of the most concerning contexts the overview map draws.
CONTEXTS_ON_MAP: Final = 8

#: A public map draws at most this many pairs of authorities (those most contexts span).
MAX_PUBLIC_PAIRS: Final = 8

#: One colour per context drawn, in order of concern: Paul Tol's "muted" qualitative
#: scheme (colour-blind safe, distinct on a light base map), without its pale sand.
CONTEXT_COLOURS: Final = (
    "#CC6677",
    "#332288",
    "#117733",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#88CCEE",
)

#: Feature kinds of the layer (property ``k``): an outlined authority, a link between
#: two of a context's places, a place, a count between two authorities (public maps), a
#: spoke from a context's places to a home authority of its young people.
OUTLINE, LINK, PLACE, PAIR, SPOKE = 0, 1, 2, 3, 4


def contexts_layer(p: MapRequest, title: str) -> MapLayer | None:
    """Build the contexts layer: the top contexts (partnership) or counts per pair."""
    window = Window.of(since=p.since, until=p.until, min_reliability=p.min_reliability)
    table = contexts(p.ds, window=window)
    spanning = table[table["spans_authorities"].astype(bool)]
    if p.suppressing:
        # The most concerning contexts only: with every context, every pair of
        # authorities would carry a line (a hairball that says nothing).
        return _public_pairs(p, title, spanning.head(CONTEXTS_ON_MAP))
    return _top_contexts(p, title, spanning)


def _reason(text: Any) -> str:
    return str(text) if isinstance(text, str) else ""


def _located(places: pd.DataFrame, names: Any) -> list[str]:
    """Keep the places of ``names`` that have a point on the map (online ones have none)."""
    return [
        str(x)
        for x in names
        if str(x) in places.index and places.at[str(x), "geometry"] is not None
    ]


def _top_contexts(p: MapRequest, title: str, spanning: pd.DataFrame) -> MapLayer:
    lg = symbols()
    top = spanning.head(CONTEXTS_ON_MAP)
    places = p.ds.places.set_index("place_id")
    outlines: dict[str, Any] = {}
    if p.boundaries is not None:
        simple = simplify(np.asarray(p.boundaries.geometry.values, dtype=object), 0.5 * p.mpp)
        outlines = dict(
            zip(p.boundaries["code"].astype(str), shapely.boundary(simple), strict=True)
        )
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    items: list[tuple[int, str, str, str]] = []
    home = p.ds.people.set_index("person_id")["home_authority"]
    centroids = p.centroids if p.graph is not None else {}
    for rank, row in enumerate(top.to_dict("records"), start=1):
        colour = CONTEXT_COLOURS[(rank - 1) % len(CONTEXT_COLOURS)]
        why = _reason(row.get("reasons"))
        short = (
            f"Context {row['context_id']}: {plural(int(row['n_people']), 'young person')}, "
            f"{plural(len(row['authorities']), 'authority')} ({row['reach']})"
        )
        items.append((rank, colour, short, why))
        base = {"rank": rank, "context": int(row["context_id"]), "why": why}
        for code in row["authorities"]:
            if str(code) in outlines:
                rows.append({**base, "kind": OUTLINE, "what": p.name(str(code))})
                geoms.append(outlines[str(code)])
        # Online places (schema 1.1) have no point: the context's spokes join its
        # members' home authorities instead (from their centre when it has no venue).
        # A context with no venue of its own (young people joined by exploiter ties, a
        # group chat) is drawn at the places two or more of them share, where it reaches.
        ids = _located(places, row["places"]) or _located(places, row.get("shared_places", []))
        points = list(places.geometry.reindex(ids))
        for a, b in _spanning_tree(points):
            rows.append({**base, "kind": LINK, "what": None})
            geoms.append(shapely.LineString([points[a], points[b]]))
        # Spokes from the context's places to the home authorities of its young people:
        # where the context reaches, across which borders.
        homes = home.reindex([str(x) for x in row["people"]]).value_counts()
        ends = [shapely.Point(centroids[str(c)]) for c in homes.index if str(c) in centroids]
        hub = shapely.MultiPoint(points or ends).centroid if (points or ends) else None
        for code, n in homes.items():
            if hub is None or str(code) not in centroids:
                continue
            end = shapely.Point(centroids[str(code)])
            if end.distance(hub) < 1.0:
                continue
            rows.append(
                {
                    **base,
                    "kind": SPOKE,
                    "what": f"{plural(int(n), 'young person')} from {p.name(str(code))}",
                }
            )
            geoms.append(shapely.LineString([hub, end]))
        for place, point in zip(ids, points, strict=True):
            label = places.at[place, "kind"] if "kind" in places else ""
            rows.append({**base, "kind": PLACE, "what": f"{place} ({label})".replace("_", " ")})
            geoms.append(point)
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=settings.metric_crs)
    if not len(frame):
        frame = gpd.GeoDataFrame(
            {"rank": [], "context": [], "why": [], "kind": [], "what": []},
            geometry=[],
            crs=settings.metric_crs,
        )
    frame["_colour"] = [CONTEXT_COLOURS[(int(r) - 1) % len(CONTEXT_COLOURS)] for r in frame["rank"]]
    legend = [
        lg.note(
            "The most concerning contexts spanning authorities, in order: their places (dots, "
            "joined by the shortest lines; for a context with no venue of its own, the places "
            "two or more of its young people share) and spokes to the home authorities of "
            "their young people. Click one to show it alone, with its authorities outlined; "
            "again for all."
        ),
        lg.contexts(items),
    ]
    notes: list[str] = []
    if len(spanning) > len(top):
        notes.append(
            f"Contexts layer: the {len(top)} most concerning of "
            f"{plural(len(spanning), 'context')} spanning authorities"
        )
    if not len(top):
        legend.append(lg.note("No context spans more than one authority."))
    entries = [("line", colour, f"{rank}. context", 2.5, False) for rank, colour, _, _ in items]
    return MapLayer(
        "contexts", title, frame, lg.section(title, title, legend), notes, entries=entries
    )


def _spanning_tree(points: list[Any]) -> list[tuple[int, int]]:
    """Return the pairs of the minimum spanning tree of points (straight-line distance)."""
    n = len(points)
    if n < 2:
        return []
    xy = np.array([[pt.x, pt.y] for pt in points], dtype=float)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    d[d == 0] = 1e-6  # coincident places stay linked (a zero is "no edge" to scipy)
    np.fill_diagonal(d, 0.0)
    tree = scipy.sparse.csgraph.minimum_spanning_tree(scipy.sparse.csr_array(d)).tocoo()
    return [(int(a), int(b)) for a, b in zip(tree.row, tree.col, strict=True)]


def _public_pairs(p: MapRequest, title: str, spanning: pd.DataFrame) -> MapLayer:
    lg = symbols()
    centroids = p.centroids if p.graph is not None else {}
    found: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for row in spanning.to_dict("records"):
        codes = sorted({str(c) for c in row["authorities"] if str(c) in centroids})
        for a, b in combinations(codes, 2):
            n, people = found.get((a, b), (0, set()))
            found[(a, b)] = (n + 1, people | {str(x) for x in row["people"]})
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    withheld = 0
    # The pairs most of them cross, so the picture stays readable.
    ordered = sorted(found.items(), key=lambda item: (-item[1][0], -len(item[1][1]), item[0]))
    left_out = max(len(ordered) - MAX_PUBLIC_PAIRS, 0)
    for (a, b), (n, people) in ordered[:MAX_PUBLIC_PAIRS]:
        key = people_key(people)
        if not p.policy.listed(len(people), key):
            withheld += 1
            continue
        rows.append(
            {
                "kind": PAIR,
                "what": f"{p.name(a)} – {p.name(b)}",
                "contexts": n,
                "people": p.count(len(people), key),
                "label": str(n),
                "label_at": shapely.Point(
                    (centroids[a][0] + centroids[b][0]) / 2,
                    (centroids[a][1] + centroids[b][1]) / 2,
                ),
            }
        )
        geoms.append(shapely.LineString([centroids[a], centroids[b]]))
    columns = ["kind", "what", "contexts", "people", "label", "label_at"]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=columns), geometry=geoms, crs=settings.metric_crs
    )
    frame["_colour"] = CONTEXT_COLOURS[1]
    legend = [
        lg.note(
            f"The {CONTEXTS_ON_MAP} most concerning contexts spanning authorities: a line "
            "joins two authorities that they span together (the pairs most of them span), "
            "labelled with how many do. Drawn "
            f"only where those contexts hold at least {p.rule.min_count} young people; no "
            "context's places are shown on a public map."
        )
    ]
    notes = []
    if left_out:
        notes.append(
            f"Contexts layer: the {MAX_PUBLIC_PAIRS} pairs of authorities crossed by most of "
            "those contexts drawn; other pairs not drawn"
        )
    if withheld:
        # What was left out, not how many (a count of what is too small to show).
        notes.append(
            "Not drawn: pairs of authorities whose contexts hold under "
            f"{p.rule.min_count} young people"
        )
    entries = [("line", CONTEXT_COLOURS[1], "contexts between two authorities", 2.5, False)]
    return MapLayer(
        "contexts",
        title,
        frame,
        lg.section(title, title, legend),
        notes,
        entries=entries,
        tooltip_rows=[["c", "Contexts spanning both"], ["p", "Young people in them"]],
    )


def plot_contexts(ax: Axes, layer: MapLayer) -> None:
    """Draw the contexts layer: outlines and links as lines, places as dots."""
    frame = layer.frame
    if not len(frame):
        return
    kinds = frame["kind"].to_numpy(dtype=int)
    lines = frame[kinds != PLACE]
    if len(lines):
        dashed = lines["kind"].isin([OUTLINE, SPOKE]).to_numpy(dtype=bool)
        for flag in (True, False):
            part = lines[dashed == flag]
            if len(part):
                part.plot(
                    ax=ax,
                    color=list(part["_colour"]),
                    linewidth=2.2 if flag else 1.6,
                    linestyle="--" if flag else "-",
                    zorder=6,
                )
    dots = frame[kinds == PLACE]
    if len(dots):
        ax.scatter(
            dots.geometry.x, dots.geometry.y, s=18, c=list(dots["_colour"]), zorder=7, linewidths=0
        )
