"""What map layers are made of: colours and sizes, classes, coordinates, curved arrows.

The constants here are the look of every map (issue 19 reworks it): colour-blind-safe
ColorBrewer schemes, line widths and marker sizes. The functions put numbers into
classes with readable labels, project and simplify geometries for the page and draw
flows as curved lines with arrowheads, the same in the browser and in the static plot.
:class:`MapRequest` is what a layer builder is given and :class:`MapLayer` what it
returns; :func:`symbols` gives the legend's symbols (``templates/map_legend.html.j2``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from markupsafe import Markup
from pyproj import Transformer
from shapely.errors import GEOSException, UnsupportedGEOSVersionError

from peermap import settings
from peermap.boundary_files import make_valid, polygonal
from peermap.dataset import Dataset
from peermap.disclosure import Audience, SuppressionRule
from peermap.exceptions import ArgumentError
from peermap.networks import DateLike
from peermap.views.page import macros

# Colour-blind-safe ColorBrewer schemes (Brewer & Harrower): sequential Purples for the
# choropleth, sequential YlOrBr for venues, diverging RdBu for Gi*, PiYG/BrBG hues for
# lines. Lines also differ by dash, so nothing relies on colour alone.
CHOROPLETH_COLOURS: Final = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
SHARE_COLOURS: Final = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
GI_COLOURS: Final = {
    3: "#b2182b",
    2: "#ef8a62",
    1: "#fddbc7",
    -1: "#d1e5f0",
    -2: "#67a9cf",
    -3: "#2166ac",
}
SUPPRESSED_COLOUR: Final = "#bdbdbd"
NO_DATA_COLOUR: Final = "#ffffff"
NEIGHBOUR_COLOUR: Final = "#3d3d3d"
DISTANT_COLOUR: Final = "#c51b7d"
RELOCATION_COLOUR: Final = "#01665e"
DISTANT_DASH: Final = "7 5"

#: Line widths (px) of the count classes of links and relocations.
LINE_WIDTHS: Final = (1.2, 2.4, 4.0, 6.0)
#: Marker radii (px) of the venue size classes: under m, m, 2.5m, 5m, 10m young people
#: (m = ``min_count``).
VENUE_RADII: Final = (2.5, 4.0, 5.5, 7.5, 10.0)
VENUE_STEPS: Final = (1.0, 2.5, 5.0, 10.0)
SHARE_BREAKS: Final = (20.0, 40.0, 60.0, 80.0)
#: The ring around each numbered (most concerning) venue: this many px outside its
#: marker and never under :data:`NUMBERED_RING_MIN` px in radius, whatever its footfall,
#: so a quiet trap house is as plain to see as the busiest place on the map.
NUMBERED_RING_GAP: Final = 4.0
NUMBERED_RING_MIN: Final = 12.0


def numbered_ring(radius: float) -> float:
    """Give the radius (px) of the ring around a numbered venue whose marker is ``radius``."""
    return max(radius + NUMBERED_RING_GAP, NUMBERED_RING_MIN)


#: Relocation arrows whose count is written on the map (the largest); all have tooltips.
MAX_RELOCATION_LABELS: Final = 30
#: Pseudonyms listed in a partnership context view's legend and in one venue's tooltip.
MAX_LEGEND_PSEUDONYMS: Final = 60
MAX_TOOLTIP_PSEUDONYMS: Final = 30

COORD_DECIMALS: Final = 5
NOMINAL_VIEW_PX: Final = (1000, 700)
M_PER_PX_Z0: Final = 156_543.033_92  # Web Mercator metres per pixel at zoom 0, equator

CONFIDENCE: Final = {3: "99%", 2: "95%", 1: "90%"}


@functools.lru_cache(maxsize=4)
def _transformer(source: str, target: str) -> Transformer:
    """One transformer per pair of CRSs (making one takes tens of milliseconds)."""
    return Transformer.from_crs(source, target, always_xy=True)


def to_wgs84(geoms: np.ndarray) -> np.ndarray:
    """Project EPSG:27700 geometries to WGS84 and round coordinates to 5 decimals.

    Rounding (about a metre) can collapse a small ring (an islet, a sliver hole) to fewer
    than three distinct points or make a thin polygon cross itself, as in the ONS 2013
    file. Geometries that rounding made invalid are repaired: polygons keep their
    polygonal parts (:func:`peermap.boundary_files.make_valid` and
    :func:`~peermap.boundary_files.polygonal`; collapsed rings are dropped), so repeated
    points can always be removed. Lines and points are left as rounded.
    """
    transformer = _transformer(str(settings.metric_crs), str(settings.map_crs))

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), COORD_DECIMALS)

    out = np.asarray(shapely.transform(geoms, project), dtype=object)
    broken = np.isin(shapely.get_type_id(out), (3, 6)) & ~shapely.is_valid(out)
    if broken.any():
        out[broken] = polygonal(make_valid(out[broken]))
    return np.asarray(shapely.remove_repeated_points(out), dtype=object)


def plain(value: Any) -> Any:
    """Return a property value as plain JSON (no numpy scalars, NaN as null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is pd.NA or value is pd.NaT or value is None:
        return None
    return value


def geo_interface(geom: Any) -> dict[str, Any]:
    """Return a geometry as a GeoJSON mapping of plain lists."""
    interface: dict[str, Any] = geom.__geo_interface__

    def lists(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [lists(v) for v in value]
        return value

    if interface["type"] == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [geo_interface(g) for g in geom.geoms],
        }
    return {"type": interface["type"], "coordinates": lists(interface["coordinates"])}


def fit_zoom(bounds_wgs84: Sequence[float], size_px: tuple[int, int] = NOMINAL_VIEW_PX) -> int:
    """Return the Web Mercator zoom at which the bounds fit a view of ``size_px``."""
    west, south, east, north = bounds_wgs84

    def y(lat: float) -> float:
        phi = math.radians(max(min(lat, 85.0), -85.0))
        return 0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)

    dx = max((east - west) / 360.0, 1e-9)
    dy = max(y(south) - y(north), 1e-9)
    zoom = math.floor(math.log2(min(size_px[0] / (256 * dx), size_px[1] / (256 * dy))))
    return int(min(max(zoom, 0), 18))


def metres_per_px(zoom: int, lat: float) -> float:
    """Return Web Mercator metres per pixel at a zoom and latitude."""
    return float(M_PER_PX_Z0 * math.cos(math.radians(lat)) / 2**zoom)


def simplify(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Simplify authority polygons, keeping shared borders shared.

    A valid polygon coverage (neighbours meet exactly, as in ONS files) is simplified
    as a coverage (GEOS coverage simplification: each shared edge is simplified once,
    so no gaps or overlaps open between neighbours); anything else, or with shapely
    older than 2.1 / GEOS older than 3.12, polygon by polygon with topology preserved.
    """
    if tolerance_m <= 0 or len(geoms) == 0:
        return geoms
    if hasattr(shapely, "coverage_simplify"):
        try:
            if bool(shapely.coverage_is_valid(geoms)):
                return np.asarray(shapely.coverage_simplify(geoms, tolerance_m), dtype=object)
        except (GEOSException, ValueError, UnsupportedGEOSVersionError):  # pragma: no cover
            pass
    return np.asarray(shapely.simplify(geoms, tolerance_m, preserve_topology=True), dtype=object)


def nice_break(value: float) -> float:
    """Round a class break to two significant figures (1234 -> 1200, 0.456 -> 0.46)."""
    if value <= 0:
        return 0.0
    digits = 1 - math.floor(math.log10(value))
    return round(value, digits)


def class_breaks(values: Iterable[float], k: int, *, step: float = 0.0) -> list[float]:
    """Up to ``k - 1`` rounded quantile breaks; class i holds breaks[i-1] <= v < breaks[i].

    With ``step`` (1 for counts, 5 for counts rounded to 5) breaks are multiples of it,
    so that a class label never splits a value the reader can see.
    """
    array = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(array) == 0 or len(np.unique(array)) == 1:
        return []
    qs = np.quantile(array, np.linspace(0, 1, k + 1)[1:-1])
    nice = [nice_break(float(q)) for q in qs]
    if step > 0:
        nice = [math.ceil(q / step) * step for q in nice]
    lo, hi = float(array.min()), float(array.max())
    return sorted({b for b in nice if lo < b <= hi})


def classify(values: Sequence[float | None], breaks: Sequence[float]) -> list[int | None]:
    """Return the class of each value (None for none) given the breaks."""
    return [
        None if v is None else int(np.searchsorted(np.asarray(breaks), v, side="right"))
        for v in values
    ]


def number_text(value: float) -> str:
    """Write a number for a legend: thousands separated, one decimal if not whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def class_labels(
    breaks: Sequence[float], lo: float, hi: float, *, integer: bool, suffix: str = ""
) -> list[str]:
    """Return the label of each class: ranges of whole numbers, or of values."""
    edges = [lo, *breaks, hi]
    labels = []
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        last = i == len(edges) - 2
        if integer:
            top = b if last else b - 1
            labels.append(
                number_text(a) + suffix
                if top <= a
                else f"{number_text(a)}–{number_text(top)}{suffix}"
            )
        else:
            labels.append(f"{number_text(a)}–{number_text(b)}{suffix}")
    return labels


def palette(colours: Sequence[str], n: int) -> list[str]:
    """``n`` colours spread over a sequential scheme (dark end kept)."""
    if n <= 0:
        return []
    if n == 1:
        return [colours[len(colours) // 2 + 1]]
    idx = np.round(np.linspace(0, len(colours) - 1, n)).astype(int)
    return [colours[i] for i in idx]


def numeric(value: Any) -> float | None:
    """Return a shown value as a number, or None when it is withheld or missing."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def bezier(p0: np.ndarray, p1: np.ndarray, bend: float, n: int = 7) -> np.ndarray:
    """Points on a quadratic curve from p0 to p1 bulging to the right of travel."""
    d = p1 - p0
    length = float(np.hypot(*d))
    if length == 0:
        return np.vstack([p0, p1])
    normal = np.array([d[1], -d[0]]) / length
    control = (p0 + p1) / 2 + normal * bend * length
    t = np.linspace(0, 1, n)[:, None]
    points: np.ndarray = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p1
    return points


def trim(points: np.ndarray, start: float, end: float) -> np.ndarray:
    """Cut ``start`` metres off the beginning and ``end`` metres off the end of a line."""
    line = shapely.LineString(points)
    total = line.length
    if total <= start + end:
        a, b = total * 0.3, total * 0.7
    else:
        a, b = start, total - end
    dist = np.linspace(a, b, len(points))
    out = shapely.line_interpolate_point(line, dist)
    return np.column_stack([shapely.get_x(out), shapely.get_y(out)])


def head_size(width_class: int, mpp: float) -> tuple[float, float]:
    """Length and width (metres) of an arrowhead; the browser draws the same (``head``)."""
    line = LINE_WIDTHS[width_class]
    return (7 + 1.6 * line) * mpp, (4 + 1.8 * line) * mpp


def arrow(points: np.ndarray, length: float, width: float) -> tuple[Any, Any]:
    """Split a line into its shaft and a triangular head at its end."""
    tip = points[-1]
    line = shapely.LineString(points)
    back = shapely.line_interpolate_point(line, max(line.length - length, 0.0))
    base = np.array([shapely.get_x(back), shapely.get_y(back)])
    d = tip - base
    norm = float(np.hypot(*d)) or 1.0
    normal = np.array([-d[1], d[0]]) / norm * width / 2
    head = shapely.Polygon([base + normal, tip, base - normal])
    keep = shapely.line_interpolate_point(
        line, np.linspace(0, max(line.length - length * 0.8, 0.0), max(len(points) - 2, 2))
    )
    shaft = shapely.LineString(np.column_stack([shapely.get_x(keep), shapely.get_y(keep)]))
    return shaft, head


#: The first rows of the tooltip of a flow (links and relocations).
FLOW_ROWS: Final = [["p", "Young people"], ["n", "Between", "", "reach"]]


def symbols() -> Any:
    """Return the legend's symbols and sections (macros of ``map_legend.html.j2``)."""
    return macros("map_legend.html.j2")


@dataclass
class MapLayer:
    """One layer as built for a map: its features, legend and notes.

    Attributes
    ----------
    key : str
        The layer's key in :data:`peermap.views.map_layers.LAYER_REGISTRY`.
    name : str
        Its name in the layer control (the title, with the measure shown).
    frame : geopandas.GeoDataFrame
        The features in British National Grid. Columns named in the style's
        ``properties`` go into the page; columns starting with ``_`` are for the static
        plot only.
    legend : markupsafe.Markup
        Its legend section (from ``templates/map_legend.html.j2``).
    notes : list of str
        What was withheld or left out.
    show : bool
        Whether it is switched on when the page opens.
    entries : list of tuple
        Legend entries of the static plot: (kind, colour, label, size, dashed) with kind
        ``"title"``, ``"patch"``, ``"line"`` or ``"marker"``.
    tooltip_rows : list, optional
        The rows of the browser tooltip, when they differ from the style's.
    """

    key: str
    name: str
    frame: gpd.GeoDataFrame
    legend: Markup
    notes: list[str] = field(default_factory=list)
    show: bool = True
    entries: list[tuple[str, str, str, float, bool]] = field(default_factory=list)
    tooltip_rows: list[list[str]] | None = None


@dataclass
class MapRequest:
    """What a layer builder is given: the data, the audience's rule and the map's options.

    Attributes
    ----------
    ds : Dataset
        The dataset drawn (restricted to the context of a context view).
    audience : str
        Who the map is for.
    policy : Audience
        The disclosure policy.
    rule : SuppressionRule
        The small-count rule (the settings' one for partnership maps, for classes).
    suppressing : bool
        Whether counts go through the rule (public maps).
    since, until, min_reliability
        The analysis filters.
    graph : networkx.Graph or None
        Authority adjacency (with centroids) when the dataset has boundaries.
    authority_names : dict of str to str
        Authority code -> name.
    mpp : float
        Metres per pixel at the initial zoom.
    context_people : list of str, optional
        The young people of a context view.
    boundaries : geopandas.GeoDataFrame, optional
        The authorities shown, in British National Grid.
    spans : set of str, optional
        The authorities a context view's context spans.
    choropleth, flow_kind
        What authorities are shaded by and what links aggregate.
    gi_cell_size_m, gi_permutations, gi_cold_spots
        The Gi* options (a cell size of ``None`` is fitted to the sightings).
    max_venues : int or None
        How many venues to mark, most concerning first (``None``: all).
    max_links : int or None
        How many links to draw, most young people first (``None``: all).
    requested : bool
        Whether the layers were asked for by name (a layer asked for must be drawn).
    dropped : list of str
        Why layers the data allows were left out; builders append, the legend shows.
    """

    ds: Dataset
    audience: str
    policy: Audience
    rule: SuppressionRule
    suppressing: bool
    since: DateLike
    until: DateLike
    min_reliability: str
    graph: nx.Graph | None
    authority_names: dict[str, str]
    mpp: float
    context_people: list[str] | None = None
    boundaries: gpd.GeoDataFrame | None = None
    spans: set[str] | None = None
    choropleth: str | None = None
    flow_kind: str = "sightings"
    gi_cell_size_m: float | None = None
    gi_permutations: int = 999
    gi_cold_spots: bool = False
    max_venues: int | None = None
    max_links: int | None = None
    requested: bool = False
    dropped: list[str] = field(default_factory=list)

    def count(self, value: Any, key: Any = None) -> int | str:
        """Return what a count shows as for this audience (``key``: its cell key)."""
        return self.policy.count(value, None if key is None else int(key))

    def grid_not_drawn(self, layer: str, title: str, error: ValueError) -> None:
        """Leave out a grid layer whose grid cannot be built.

        The grid cannot be built with too few sightings, or too many cells at the size
        given: a note goes in :attr:`dropped`, or, when the layer was asked for by
        name, ``ValueError`` names the map's keyword ``gi_cell_size_m``.
        """
        reason, _, advice = str(error).partition("; ")
        advice = re.sub(r"\bcell_size_m\b", "gi_cell_size_m", advice)
        if self.requested:
            raise ArgumentError(
                f"cannot draw layer {layer!r}: {reason}" + (f"; {advice}" if advice else "")
            ) from error
        self.dropped.append(f"{title} not drawn: {reason}.")

    def name(self, code: Any) -> str:
        """Return an authority's name ("outside the boundaries" for none)."""
        if not isinstance(code, str):
            return "outside the boundaries"
        return self.authority_names.get(code, code)

    @property
    def centroids(self) -> dict[str, tuple[float, float]]:
        """Centroid (British National Grid) of each authority of the graph."""
        assert self.graph is not None
        return {c: self.graph.nodes[c]["centroid_bng"] for c in self.graph.nodes}
