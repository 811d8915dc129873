"""Maps for the partnership meeting: self-contained, offline, and safe for their audience.

:func:`make_map` draws a dataset as a folium (Leaflet) map with up to five layers, each a
single GeoJSON layer styled in the browser from its features' properties:

``authorities``
    Boundaries with names; optionally a classed choropleth of one measure.
``gi_star``
    Getis-Ord Gi* hot-spot cells of sightings, where significant.
``links``
    Aggregated flows of young people between authorities, drawn between authority
    centroids: width by count, arrowheads for direction, neighbouring authorities solid
    and distant ones dashed.
``relocations``
    Relocations from one authority to another, as arrows with counts.
``hotspots``
    Venues: marker size by distinct young people, colour by the share of them homed in
    other authorities.

``audience="public"`` (the default) shows aggregates only, under the small-count rule of
:mod:`peermap.disclosure`; ``audience="partnership"`` shows exact counts, and pseudonyms
in a single-context view. No map ever draws a young person's home: homes enter only as
authority codes, aggregated to flows between authority centroids.

:func:`save_map` writes the map as one HTML file that needs no network: Leaflet is inlined
from a packaged copy (see :mod:`peermap._assets`) and nothing else is loaded, except map
tiles when a basemap is chosen. :func:`plot_static` draws the same picture with
matplotlib for written reports. The design is described in ``docs/maps.md``.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template
from pyproj import Transformer

from peermap import _assets, settings
from peermap._arguments import dataset_argument, kind_of
from peermap.dataset import Dataset
from peermap.disclosure import SuppressionRule, ViewAudience
from peermap.exceptions import ArgumentError, UnknownNameError
from peermap.filters import DateLike, Window
from peermap.measures import AuthorityMeasure
from peermap.schema import CONTEXTS, PLACE_KINDS
from peermap.views.map_builders import MAX_LINKS, MAX_VENUE_MARKERS
from peermap.views.map_content import LinkKind, MapContent, prepare_map
from peermap.views.map_contexts import CONTEXT_COLOURS
from peermap.views.map_layers import LAYER_REGISTRY, LAYERS, PROPERTY_KEYS, LayerKey
from peermap.views.map_plots import hide_colliding_names
from peermap.views.map_style import (
    CHOROPLETH_COLOURS,
    CONFIDENCE,
    COORD_DECIMALS,
    DISTANT_COLOUR,
    DISTANT_DASH,
    GI_COLOURS,
    LINE_WIDTHS,
    MAX_LEGEND_PSEUDONYMS,
    NEIGHBOUR_COLOUR,
    NO_DATA_COLOUR,
    NUMBERED_RING_GAP,
    NUMBERED_RING_MIN,
    RELOCATION_COLOUR,
    SHARE_BREAKS,
    SHARE_COLOURS,
    SUPPRESSED_COLOUR,
    VENUE_RADII,
    VENUE_STEPS,
    MapLayer,
    geo_interface,
    plain,
    symbols,
    to_wgs84,
)
from peermap.views.page import (
    View,
    save_figure,
    script_json,
    static_text,
    write_page,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "LAYERS",
    "PROPERTY_KEYS",
    "ExternalAssetError",
    "LayerKey",
    "MapInfo",
    "PeerMap",
    "make_map",
    "plot_static",
    "save_map",
]

ExternalAssetError = _assets.ExternalAssetError

Measure = AuthorityMeasure

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class MapInfo:
    """What a map shows and under which rule, for tests, reports and audit.

    Attributes
    ----------
    title : str
        The title on the map.
    audience : {"public", "partnership"}
        Who the map is for.
    rule : SuppressionRule or None
        The small-count rule applied (``None``: exact counts, partnership maps).
    period : tuple of (datetime.date or None)
        First and last date of the sightings and ties drawn.
    attribution : str
        The boundary attribution carried on the map ("" without boundaries).
    layers : Mapping of str to dict
        Each layer's GeoJSON FeatureCollection exactly as embedded in the page
        (WGS84, coordinates rounded to 5 decimals), keyed by layer key. Properties use
        the short keys of :data:`PROPERTY_KEYS`; :meth:`table` decodes them.
    notes : tuple of str
        What was withheld or left out, as said in the legend.
    context : int or None
        The context shown, for a single-context view.
    tables : Mapping of str to list
        The lookup tables some properties index into (``authorities``, ``kinds``,
        ``contexts``, ``reach``), embedded once in the page.
    """

    title: str
    audience: str
    rule: SuppressionRule | None
    period: tuple[dt.date | None, dt.date | None]
    attribution: str
    layers: Mapping[str, dict[str, Any]]
    notes: tuple[str, ...]
    context: int | None = None
    tables: Mapping[str, list[str]] = field(default_factory=dict)

    def table(self, layer: str) -> pd.DataFrame:
        """Return a layer's features as a table with readable column names.

        Parameters
        ----------
        layer : str
            A layer key, e.g. ``"hotspots"``.

        Returns
        -------
        pandas.DataFrame
            One row per feature, the columns named as in :data:`PROPERTY_KEYS` with
            indices replaced by names; arrowheads of flows are left out; ``lon``/``lat``
            for points.
        """
        if layer not in self.layers:
            raise UnknownNameError(
                f"the map has no layer {layer!r}; it has {', '.join(self.layers)}"
            )
        decode = {short: (name, table) for name, (short, table) in PROPERTY_KEYS[layer].items()}
        rows = []
        for feature in self.layers[layer]["features"]:
            props = feature["properties"]
            if props.get("h"):
                continue
            row: dict[str, Any] = {}
            for short, value in props.items():
                name, table = decode.get(short, (short, None))
                if table is not None and isinstance(value, list):
                    value = [(self.tables[table][i], n) for i, n in value]
                elif table is not None and isinstance(value, int):
                    value = self.tables[table][value]
                row[name] = value
            geometry = feature["geometry"]
            if geometry["type"] == "Point":
                row["lon"], row["lat"] = geometry["coordinates"]
            rows.append(row)
        return pd.DataFrame(rows)


class PeerMap(folium.Map, View):
    """A :class:`folium.Map` whose page needs no network, with the shape of every view.

    Its Leaflet JavaScript and CSS are inlined from the packaged copy instead of the CDN
    links folium adds, and jQuery, Bootstrap and the icon fonts (which peermap's maps do
    not use) are left out. This holds for every rendering: :meth:`to_html` (and
    ``get_root().render()``), :meth:`save` and :func:`save_map`, and the notebook
    display (``_repr_html_``, an ``iframe`` whose ``srcdoc`` holds the whole page).
    :meth:`plot` draws the same map with matplotlib.

    Attributes
    ----------
    info : MapInfo
        What the map shows (set by :func:`make_map`).
    """

    # Instance-free, class-level lists of *this* class: folium's add_js_link mutates the
    # list it finds, so sharing folium.Map's lists would change every folium map.
    default_js: list[tuple[str, str]] = []  # noqa: RUF012
    default_css: list[tuple[str, str]] = []  # noqa: RUF012

    info: MapInfo
    noun: ClassVar[str] = "map"
    _content: MapContent | None = None

    def to_html(self) -> str:
        """Return the map as one self-contained HTML page (no network needed)."""
        return str(self.get_root().render())

    def plot(self, *, figsize: tuple[float, float] = (11.0, 8.5), dpi: int = 150) -> MplFigure:
        """Draw the map with matplotlib, for written reports (see :func:`plot_static`).

        Parameters
        ----------
        figsize : tuple of float, default (11, 8.5)
            Figure size in inches.
        dpi : int, default 150
            Resolution of raster output.

        Returns
        -------
        matplotlib.figure.Figure
            The figure (Agg canvas; no display needed).

        Raises
        ------
        ValueError
            For a map not made by :func:`make_map`.
        """
        if self._content is None:
            raise ArgumentError("only a map made by make_map can be plotted")
        return _draw(self._content, figsize=figsize, dpi=dpi)

    def save(self, path: str | os.PathLike[str], **kwargs: Any) -> Path:  # type: ignore[override]
        """Write the map atomically: ``.html`` page, or ``.png``/``.svg``/``.pdf`` picture.

        Parameters
        ----------
        path : str or path-like
            Destination; its suffix chooses the format.
        **kwargs
            Ignored (folium's ``save`` takes ``close_file``).

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        ExternalAssetError
            When the page would load anything from the network (a folium plugin added
            to the map); nothing is written.
        ValueError
            For an unknown suffix.
        """
        return View.save(self, path)

    def render(self, **kwargs: Any) -> Any:
        """Render into the figure, inlining Leaflet into the page header."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("a PeerMap renders only inside a branca Figure")
        figure.header.add_child(Element(_assets.inline_html()), name="peermap_leaflet")
        return super().render(**kwargs)  # type: ignore[no-untyped-call]


class _GeoJsonLayer(Layer):
    """One GeoJSON layer, styled and given tooltips in the browser by ``PM.layer``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = PM.layer({{ this.key|tojson }}, {{ this.data_js }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str, name: str, data: dict[str, Any], *, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PeermapLayer"
        self.key = key
        self.data = data

    @property
    def data_js(self) -> str:
        """The FeatureCollection as compact JSON, safe inside a ``<script>``."""
        return script_json(self.data)


class _Legend(MacroElement):
    """The legend, a Leaflet control below the layer control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            PM.legend();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "PeermapLegend"


class _Setup(MacroElement):
    """Styles, panes and the ``PM`` helpers every peermap layer uses."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var PM = ({{ this.js }})({{ this._parent.get_name() }}, {{ this.config_js }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]):
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "PeermapSetup"
        self.config_js = script_json(config)
        self.js = static_text("map.js")
        self.css = static_text("map.css")


def _feature_collection(
    frame: gpd.GeoDataFrame, key: str, tables: dict[str, list[str]]
) -> dict[str, Any]:
    """Encode a layer's frame as GeoJSON with the short keys of :data:`PROPERTY_KEYS`.

    Columns whose names start with ``_`` (static-plot styling) are left out, and so are
    missing values.
    """
    schema = PROPERTY_KEYS[key]
    columns = [c for c in frame.columns if c != "geometry" and not str(c).startswith("_")]
    unknown = [c for c in columns if c not in schema]
    if unknown:  # a column nobody declared must not slip into the page
        raise AssertionError(f"layer {key!r} has undeclared properties {unknown}")
    index = {name: {v: i for i, v in enumerate(values)} for name, values in tables.items()}

    def lookup(table: str, value: Any) -> int:
        where = index[table]
        if value not in where:
            where[value] = len(tables[table])
            tables[table].append(value)
        return where[value]

    geoms = to_wgs84(np.asarray(frame.geometry.values, dtype=object))
    records = frame[columns].to_dict(orient="records")
    features = []
    for geom, record in zip(geoms, records, strict=True):
        props: dict[str, Any] = {}
        for column, raw in record.items():
            value = plain(raw)
            if value is None:
                continue
            short, table = schema[str(column)]
            if isinstance(value, shapely.Point):
                point = to_wgs84(np.asarray([value], dtype=object))[0]
                value = [point.x, point.y]
            elif table is not None:
                if isinstance(value, list):
                    value = [[lookup(table, name), n] for name, n in value]
                else:
                    value = lookup(table, value)
            props[short] = value
        features.append({"type": "Feature", "geometry": geo_interface(geom), "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _legend_html(content: MapContent) -> str:
    people = content.context_people
    more = len(people) - MAX_LEGEND_PSEUDONYMS
    listed = ", ".join(people[:MAX_LEGEND_PSEUDONYMS]) + (f" and {more} more" if more > 0 else "")
    context_note = (
        f"Context {content.context}: {content.context_text}" if content.context_text else ""
    )
    return str(
        symbols().legend(
            content.rule_text,
            context_note,
            len(people),
            listed,
            # top layer first, then what was left out
            [layer.legend for layer in reversed(content.layers)]
            + [symbols().note(text) for text in content.dropped],
            content.attribution,
        )
    )


def _title_html(content: MapContent) -> str:
    return str(symbols().title(content.title, " · ".join(content.subtitle), content.banner))


def _config(content: MapContent, tables: Mapping[str, Any]) -> dict[str, Any]:
    # Tooltips: title = [[key, table]...] joined by "join"; rows = [key, label, suffix,
    # table]; keys are the short ones of PROPERTY_KEYS.
    tips: dict[str, Any] = {key: dict(layer.style.tooltip) for key, layer in LAYER_REGISTRY.items()}
    for layer in content.layers:
        if layer.tooltip_rows is not None:
            tips[layer.key] = {**tips[layer.key], "rows": layer.tooltip_rows}
    return {
        "title": _title_html(content),
        "legend": _legend_html(content),
        "attribution": content.attribution,
        "tips": tips,
        "order": list(LAYERS),
        "mpp": round(content.mpp, 3),
        "marker": content.rule.marker,
        "venueSteps": [content.rule.min_count * f for f in VENUE_STEPS],
        "shareBreaks": list(SHARE_BREAKS),
        "choropleth": list(CHOROPLETH_COLOURS),
        "share": list(SHARE_COLOURS),
        "gi": {str(k): v for k, v in GI_COLOURS.items()},
        "suppressed": SUPPRESSED_COLOUR,
        "noData": NO_DATA_COLOUR,
        "neighbour": NEIGHBOUR_COLOUR,
        "distant": DISTANT_COLOUR,
        "relocation": RELOCATION_COLOUR,
        "dash": DISTANT_DASH,
        "widths": list(LINE_WIDTHS),
        "radii": list(VENUE_RADII),
        "ring": [NUMBERED_RING_GAP, NUMBERED_RING_MIN],
        "contextColours": list(CONTEXT_COLOURS),
        "names": {layer.key: layer.name for layer in content.layers},
        "tables": {
            **tables,
            "gi": {
                str(b): f"{'Hot' if b > 0 else 'Cold'} spot, {CONFIDENCE[abs(b)]} confidence"
                for b in GI_COLOURS
            },
        },
    }


# --------------------------------------------------------------------------- public API


def _peer_map(zoom: int, location: list[float], tiles: str | None) -> PeerMap:
    """Start the map on its basemap; a basemap folium does not know is refused by name."""
    if tiles is not None and not isinstance(tiles, str):
        raise ArgumentError(
            f"tiles= takes the name of a basemap (or None for none), got {kind_of(tiles)}"
        )
    try:
        return PeerMap(location=location, zoom_start=zoom, tiles=tiles, control_scale=True)
    except ValueError as exc:  # folium: a name it does not know is read as a tile URL
        raise ArgumentError(
            f"tiles={tiles!r} is not a basemap folium knows: name one such as "
            "'OpenStreetMap' or 'CartoDB positron', or give tiles=None for no basemap"
        ) from exc


def make_map(
    ds: Dataset,
    *,
    audience: ViewAudience = "public",
    layers: Sequence[str] | None = None,
    tiles: str | None = "OpenStreetMap",
    min_count: int | None = None,
    round_to: int | None = None,
    context: int | None = None,
    choropleth: Measure | None = None,
    flow_kind: LinkKind = "sightings",
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
    gi_cell_size_m: float | None = None,
    gi_permutations: int = 999,
    gi_cold_spots: bool = False,
    max_venues: int | None = MAX_VENUE_MARKERS,
    max_links: int | None = MAX_LINKS,
    emerging: bool = False,
) -> PeerMap:
    """Draw a dataset as an interactive map for a given audience.

    Parameters
    ----------
    ds : Dataset
        The dataset, read with boundaries (``peermap.read_dataset(...,
        boundaries=...)``) for the authority, link and relocation layers.
    audience : {"public", "partnership"}, default "public"
        ``"public"``: aggregates only. Counts under ``min_count`` are suppressed (shown
        as ``c``, never 0) and the others rounded to ``round_to``; venues with fewer
        than ``min_count`` distinct young people, and private dwellings, are not drawn;
        links and relocations under ``min_count`` are not drawn (the legend says how
        many); no pseudonym or place id appears. ``"partnership"``: exact counts, place
        ids and labels, and, in a context view, the context's pseudonyms; the map says
        it must not leave the partnership.
    layers : sequence of str, optional
        Layers to draw, from :data:`LAYERS` (``"authorities"``, ``"gi_star"``,
        ``"links"``, ``"relocations"``, ``"hotspots"``). Default: every layer the data
        allows. Asking for one the data does not allow raises ``ValueError``.
    tiles : str or None, default "OpenStreetMap"
        Basemap, any name folium accepts. ``None``: no basemap and no request to any
        server, for secure networks.
    min_count, round_to : int, optional
        The small-count rule of public maps (default ``peermap.settings.min_count`` and
        ``peermap.settings.round_to``); see :mod:`peermap.disclosure`.
    context : int, optional
        Show only this context (a ``context_id`` of :func:`peermap.contexts`, computed
        with the same filters): its places, the authorities it spans (outlined), and the
        links and relocations of its young people.
    choropleth : {"people_seen", "cross_border_share", "relocations_received"}, optional
        Shade authorities by: distinct young people seen at places there; the share of
        them who live in another authority; or distinct young people relocated into it.
        Classed (up to 5 quantile classes) on a colour-blind-safe scale.
    flow_kind : {"sightings", "ties"}, default "sightings"
        What the links layer aggregates: young people seen outside their home authority
        (home -> where seen, with arrows), or ties between young people homed in two
        authorities (undirected).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep sightings, ties and relocations dated within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.
    title : str, optional
        Title on the map (a default describes the view).
    gi_cell_size_m : float, optional
        Gi* grid cell side in metres. Default: fitted to the sightings, 500 m unless
        that grid would have more than 20 000 cells, else the smallest multiple of
        500 m that has no more (:func:`peermap.gi_star` with ``cell_size_m=None``;
        4 500 m over all England). When the Gi* layer cannot be drawn (too few
        sightings, or too many cells at the size given) it is left out with a note in
        the legend and ``info.notes``, or, when asked for in ``layers``, ``ValueError``
        says why.
    gi_permutations : int, default 999
        Gi* permutations.
    gi_cold_spots : bool, default False
        Also draw Gi* cold spots. Off by default: on a grid over a whole area, cold
        spots mostly mark where no venue is, not where risk is low.
    max_venues : int or None, default 40
        The overview map marks the venues most concerning first
        (:func:`peermap.hotspots`), this many; where the others are shows in the Gi*
        layer. ``None`` marks every venue. A context's map marks all its venues.
    max_links : int or None, default 40
        The links layer draws the links of the most young people, this many (the legend
        says how many others there are; :func:`peermap.flows` lists them all); links
        are curved so that no two run over each other. ``None`` draws every link.
    emerging : bool, default False
        Also draw the emerging hot spots layer (``"emerging"``, off by default: it
        computes Gi* for every cell in every month): each Gi* cell with one of ArcGIS's
        space-time patterns (:func:`peermap.emerging_hotspots`, by month, cold-spot
        patterns only with ``gi_cold_spots``); a public map draws only cells about at
        least ``min_count`` young people.

    Returns
    -------
    PeerMap
        A :class:`folium.Map` (displayed inline in Jupyter) whose ``info`` records what
        it shows. Save it with :func:`save_map`.

    Raises
    ------
    ValueError
        For an unknown audience, layer, measure or context, a layer the data cannot
        give, or ``min_count``/``round_to`` with a partnership map.
    """
    dataset_argument(ds, "make_map")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    content = prepare_map(
        ds,
        audience=audience,
        layers=layers,
        min_count=min_count,
        round_to=round_to,
        context=context,
        choropleth=choropleth,
        flow_kind=flow_kind,
        since=since,
        until=until,
        min_reliability=min_reliability,
        title=title,
        gi_cell_size_m=gi_cell_size_m,
        gi_permutations=gi_permutations,
        gi_cold_spots=gi_cold_spots,
        max_venues=max_venues,
        max_links=max_links,
        emerging=emerging,
    )
    west, south, east, north = _wgs84_bounds(content.bounds_bng)
    m = _peer_map(content.zoom, [(south + north) / 2, (west + east) / 2], tiles)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.title = html.escape(content.title)
    tables = _tables(ds)
    data: dict[str, dict[str, Any]] = {}
    for layer in content.layers:
        data[layer.key] = _feature_collection(layer.frame, layer.key, tables)
    config = _config(content, tables)
    # The view is fitted in the browser, once the panels are laid out (map.js fitView).
    config["bounds"] = [[south, west], [north, east]]
    _Setup(config).add_to(m)
    for layer in content.layers:
        _GeoJsonLayer(layer.key, layer.name, data[layer.key], show=layer.show).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _Legend().add_to(m)
    notes = tuple(n for layer in content.layers for n in layer.notes) + tuple(content.dropped)
    m.info = MapInfo(
        title=content.title,
        audience=content.audience,
        rule=content.rule if content.suppressing else None,
        period=content.period,
        attribution=content.attribution,
        layers=data,
        notes=notes,
        context=content.context,
        tables={k: list(v) for k, v in tables.items()},
    )
    m._content = content
    return m


def _tables(ds: Dataset) -> dict[str, list[str]]:
    """Lookup tables the short properties index into (embedded once in the page)."""
    names = [] if ds.boundaries is None else [str(n) for n in ds.boundaries["name"]]
    return {
        "authorities": names,
        "kinds": list(PLACE_KINDS),
        "contexts": list(CONTEXTS),
        "reach": ["distant (not neighbours)", "neighbours"],
    }


def _wgs84_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    to_wgs = Transformer.from_crs(settings.metric_crs, settings.map_crs, always_xy=True)
    xs = [bounds[0], bounds[2], bounds[0], bounds[2]]
    ys = [bounds[1], bounds[1], bounds[3], bounds[3]]
    lon, lat = to_wgs.transform(xs, ys)
    r = COORD_DECIMALS
    return (
        round(min(lon), r),
        round(min(lat), r),
        round(max(lon), r),
        round(max(lat), r),
    )


def save_map(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write a map as one self-contained HTML file, atomically.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`make_map`.
    path : str or path-like
        Where to write (``.html``).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExternalAssetError
        When the page would load any script, style sheet, font or image from the
        network (a folium plugin added to the map, or a plain ``folium.Map``), naming
        each one; nothing is written. Map tiles, when a basemap was chosen, are
        requested by the page at run time and are the only network use.
    """
    return write_page(path, m.get_root().render())


def plot_static(
    ds: Dataset,
    path: str | os.PathLike[str] | None = None,
    *,
    audience: ViewAudience = "public",
    layers: Sequence[str] | None = None,
    min_count: int | None = None,
    round_to: int | None = None,
    context: int | None = None,
    choropleth: Measure | None = None,
    flow_kind: LinkKind = "sightings",
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
    gi_cell_size_m: float | None = None,
    gi_permutations: int = 999,
    gi_cold_spots: bool = False,
    emerging: bool = False,
    figsize: tuple[float, float] = (11.0, 8.5),
    dpi: int = 150,
) -> MplFigure:
    """Draw the map's picture with matplotlib, for written reports.

    The same layers, classes, colours and disclosure rule as :func:`make_map`, in
    British National Grid, with the title, period, audience, legend and boundary
    attribution. No display is needed (matplotlib's Agg canvas).

    Parameters
    ----------
    ds : Dataset
        The dataset.
    path : str or path-like, optional
        Save to this file (its suffix chooses the format: ``.png``, ``.svg``, ``.pdf``),
        atomically.
    audience, layers, min_count, round_to, context, choropleth
        As for :func:`make_map`.
    flow_kind, window, since, until, min_reliability, title
        As for :func:`make_map`.
    gi_cell_size_m, gi_permutations, gi_cold_spots, emerging
        As for :func:`make_map`.
    figsize : tuple of float, default (11, 8.5)
        Figure size in inches.
    dpi : int, default 150
        Resolution of raster output.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    dataset_argument(ds, "plot_static")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    content = prepare_map(
        ds,
        audience=audience,
        layers=layers,
        min_count=min_count,
        round_to=round_to,
        context=context,
        choropleth=choropleth,
        flow_kind=flow_kind,
        since=since,
        until=until,
        min_reliability=min_reliability,
        title=title,
        gi_cell_size_m=gi_cell_size_m,
        gi_permutations=gi_permutations,
        gi_cold_spots=gi_cold_spots,
        emerging=emerging,
    )
    fig = _draw(content, figsize=figsize, dpi=dpi)
    if path is not None:
        save_figure(fig, path, "map")
    return fig


def _draw(content: MapContent, *, figsize: tuple[float, float], dpi: int) -> MplFigure:
    """Draw prepared map content with matplotlib, in British National Grid."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for layer in content.layers:
        _plot_layer(ax, layer)
    x0, y0, x1, y1 = content.bounds_bng
    pad = 0.02 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = _static_handles(content)
    if handles:
        fig.legend(
            handles=handles,
            loc="outside right upper",
            fontsize=7.5,
            frameon=False,
            handlelength=2.2,
        )
    fig.suptitle(content.title, fontsize=14, fontweight="bold")
    ax.set_title(" · ".join(content.subtitle), fontsize=9)
    footer = " ".join([content.rule_text, *content.dropped])
    if content.banner:
        footer = content.banner + ". " + footer
    if content.attribution:
        footer += "\nBoundaries: " + content.attribution
    fig.supxlabel(footer, x=0.01, ha="left", fontsize=7)
    hide_colliding_names(fig, ax)
    return fig


def _plot_layer(ax: Axes, layer: MapLayer) -> None:
    """Draw one layer with the same colours and classes as the web map."""
    if len(layer.frame):
        LAYER_REGISTRY[layer.key].style.plot(ax, layer)


def _static_handles(content: MapContent) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for layer in reversed(content.layers):
        if not len(layer.frame):
            continue
        for kind, colour, label, size, dashed in layer.entries:
            if kind == "title":
                handles.append(Patch(facecolor="none", edgecolor="none", label=label))
            elif kind == "patch":
                handles.append(Patch(facecolor=colour, edgecolor="#777", label=label))
            elif kind == "line":
                handles.append(
                    Line2D([], [], color=colour, lw=size, ls="--" if dashed else "-", label=label)
                )
            else:
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        ls="",
                        markersize=size * 1.2,
                        markerfacecolor=colour,
                        markeredgecolor="#222",
                        markeredgewidth=0.5,
                        label=label,
                    )
                )
    return handles
