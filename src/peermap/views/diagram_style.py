"""What peer-group diagrams are made of: colours, sizes and the layout's geometry.

The colours are colour-blind-safe (Paul Tol, ColorBrewer); the layout places each
authority at an anchor (its position on the map, or on a circle), bows lines apart when
two nodes are joined by several, fits positions into the layout box and pushes
overlapping nodes apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np
import pandas as pd

from peermap import settings
from peermap.dataset import Dataset

if TYPE_CHECKING:
    pass


#: Fills of authorities, most distinct first. All thirteen are Paul Tol's colour-blind-safe
#: qualitative colours (P. Tol, "Colour Schemes", SRON/EPS/TN/09-002, 2021,
#: https://personal.sron.nl/~pault/): schemes "light" (#AAAA00 #99DDFF #EE8866 #44BB99
#: #FFAABB), "bright" (#AA3377), "pale" (#EEEEBB), "dark" (#666633), "vibrant" (#EE3377)
#: and "medium-contrast" (#997700 #EECC66 #6699CC #994455). Chosen from all his
#: qualitative colours with lightness L* >= 40 (a relocated person's black ring and the
#: dark outlines stay visible), in greedy max-min order of CIELAB difference (ΔE76) taken
#: as the least of normal vision and of deuteranopia and protanopia simulated with Machado
#: et al. (2009): every pair differs by ΔE76 >= 25 in normal vision and >= 12 under either
#: simulation, each colour by >= 26 / >= 10 from :data:`OTHER_AUTHORITY_COLOUR` and by
#: >= 20 from every tie colour (tests/test_diagrams.py checks this). Labels are never drawn
#: on a fill (dark text with a white halo beside the node), so any fill keeps them readable.
#: With more authorities than colours, the ones with most young people get a colour and
#: the rest share :data:`OTHER_AUTHORITY_COLOUR`.
AUTHORITY_COLOURS: Final = (
    "#AAAA00",
    "#AA3377",
    "#99DDFF",
    "#EE8866",
    "#EEEEBB",
    "#666633",
    "#44BB99",
    "#EE3377",
    "#997700",
    "#FFAABB",
    "#EECC66",
    "#6699CC",
    "#994455",
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
#: The outline of a broker (a young person whose removal splits the group drawn):
#: magenta, apart from every authority colour and from the black ring of relocation.
BROKER_COLOUR: Final = "#D6007E"
#: SVG dash pattern of unverified records (px on, px off).
UNVERIFIED_DASH: Final = "6 4"

PERSON_RADIUS: Final = 6.0
PLACE_SIDE: Final = 13.0
RING_WIDTH: Final = 3.0
#: A broker's outline: its colour says broker, the ring's width still says relocated.
BROKER_WIDTH: Final = 2.0
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
TIE_SPRING: Final = 1.0
SIGHTING_SPRING: Final = 0.4
ANCHOR_SPRING: Final = 0.5
SPACING: Final = 3.0

# Layout box (layout units; the page shows it with Leaflet's CRS.Simple).
BOX: Final = (1000.0, 700.0)
HEX: Final = re.compile(r"^#[0-9A-Fa-f]{6}$")


def rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts (column name -> value)."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def tip(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """Return tooltip text: the title, then one ``label<TAB>value`` line per row given."""
    lines = [title.replace("\n", " ")]
    lines += [f"{k}\t{str(v).replace(chr(10), ' ')}" for k, v in rows if v is not None and v != ""]
    return "\n".join(lines)


def nice(text: Any) -> str:
    """Return a code as words (underscores as spaces)."""
    return str(text).replace("_", " ")


def authority_colours(
    ds: Dataset, shown: Sequence[str], weight: Mapping[str, int]
) -> dict[str, str]:
    """Colour per authority code, the most distinct colours to the most young people.

    When the dataset's authorities (homes, places' authorities and boundaries) are no
    more than :data:`AUTHORITY_COLOURS`, they are ranked once for the whole dataset (most
    young people living there first, then code), so an authority keeps its colour in
    every view of the dataset. Otherwise the authorities shown are ranked by ``weight``
    (then code); all but the last colour go to the first of them and the rest share
    :data:`OTHER_AUTHORITY_COLOUR`.
    """
    homes = ds.people["home_authority"].dropna().astype(str)
    universe: set[str] = set(homes)
    if "authority_code" in ds.places:
        universe |= {str(a) for a in ds.places["authority_code"].dropna()}
    if ds.boundaries is not None:
        universe |= {str(a) for a in ds.boundaries["code"]}
    if len(universe) <= len(AUTHORITY_COLOURS):
        people = homes.value_counts().to_dict()
        ranked = sorted(universe, key=lambda c: (-int(people.get(c, 0)), c))
        return {code: AUTHORITY_COLOURS[i] for i, code in enumerate(ranked)}
    ranked = sorted(set(shown), key=lambda c: (-weight.get(c, 0), c))
    n = len(AUTHORITY_COLOURS) - 1 if len(ranked) > len(AUTHORITY_COLOURS) else len(ranked)
    colours = {code: AUTHORITY_COLOURS[i] for i, code in enumerate(ranked[:n])}
    for code in ranked[n:]:
        colours[code] = OTHER_AUTHORITY_COLOUR
    return colours


def authority_anchors(ds: Dataset, codes: Sequence[str]) -> dict[str, tuple[float, float]]:
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


def bow(
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


#: Least distance between two parallel lines of one pair at their middle (layout units).
PARALLEL_GAP: Final = 8.0


def paths(
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
        if n > 1 and spread > 0:
            # Parallel lines at least PARALLEL_GAP apart at their middle, however short.
            p0, p1 = pos[str(u)], pos[str(v)]
            length = math.hypot(p1[0] - p0[0], p1[1] - p0[1])
            if 0 < length * spread / 2 < PARALLEL_GAP:
                side *= PARALLEL_GAP / (length * spread / 2)
        bend = side if (str(u), str(v)) == p else -side
        out.append(bow(pos[str(u)], pos[str(v)], bend))
    return out


def fit_box(
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
    w, h = BOX[0] - 2 * margin, BOX[1] - 2 * margin
    sx, sy = w / span[0], h / span[1]
    low = min(sx, sy)
    sx, sy = min(sx, low * stretch), min(sy, low * stretch)
    centre = (lo + hi) / 2
    out = {}
    for k, (x, y) in zip(keys, arr, strict=True):
        out[str(k)] = (
            round(float(BOX[0] / 2 + (x - centre[0]) * sx), 2),
            round(float(BOX[1] / 2 + (y - centre[1]) * sy), 2),
        )
    return out


def separate(
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


def scaled(value: float, top: float, bounds: tuple[float, float]) -> float:
    """Return a size between ``bounds`` growing with the square root of value/top."""
    lo, hi = bounds
    if top <= 0:
        return lo
    return round(lo + (hi - lo) * math.sqrt(max(value, 0.0) / top), 2)
