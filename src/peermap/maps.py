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
import itertools
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

import folium
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template
from pyproj import Transformer
from shapely.errors import GEOSException, UnsupportedGEOSVersionError

from peermap import _assets, settings
from peermap._io import atomic_path
from peermap.analysis import contexts, flows
from peermap.dataset import Dataset
from peermap.disclosure import (
    VIEW_AUDIENCES,
    Audience,
    SuppressionRule,
    ViewAudience,
    suppress_share,
)
from peermap.getis_ord import gi_star
from peermap.networks import DateLike, data_period, filter_sightings
from peermap.schema import CONTEXTS, PLACE_KINDS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "LAYERS",
    "ExternalAssetError",
    "MapInfo",
    "PeerMap",
    "make_map",
    "plot_static",
    "save_map",
]

ExternalAssetError = _assets.ExternalAssetError

LayerKey = Literal["authorities", "gi_star", "links", "relocations", "hotspots"]
Measure = Literal["people_seen", "cross_border_share", "relocations_received"]
LinkKind = Literal["sightings", "ties"]

#: Layers in drawing order, bottom to top.
LAYERS: Final[tuple[str, ...]] = get_args(LayerKey)

_LAYER_TITLES: Final[dict[str, str]] = {
    "authorities": "Authorities",
    "gi_star": "Gi* hot spots",
    "links": "Cross-authority links",
    "relocations": "Relocations",
    "hotspots": "Hotspot venues",
}

_MEASURE_TITLES: Final[dict[str, str]] = {
    "people_seen": "Young people seen (distinct)",
    "cross_border_share": "Share of young people seen who live elsewhere",
    "relocations_received": "Young people relocated into the authority",
}

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
_VENUE_STEPS: Final = (1.0, 2.5, 5.0, 10.0)
_SHARE_BREAKS: Final = (20.0, 40.0, 60.0, 80.0)


#: Relocation arrows whose count is written on the map (the largest); all have tooltips.
MAX_RELOCATION_LABELS: Final = 30
#: Pseudonyms listed in a partnership context view's legend and in one venue's tooltip.
MAX_LEGEND_PSEUDONYMS: Final = 60
MAX_TOOLTIP_PSEUDONYMS: Final = 30

_COORD_DECIMALS: Final = 5
_NOMINAL_VIEW_PX: Final = (1000, 700)
_M_PER_PX_Z0: Final = 156_543.033_92  # Web Mercator metres per pixel at zoom 0, equator

_CONFIDENCE: Final = {3: "99%", 2: "95%", 1: "90%"}

#: Per layer: frame column -> (GeoJSON property key, lookup table or None). Short keys
#: keep a 5 000-venue map small; a value with a lookup table is an index into
#: ``MapInfo.tables[table]`` (a list of pairs ``[index, count]`` for ``contexts``).
PROPERTY_KEYS: Final[dict[str, dict[str, tuple[str, str | None]]]] = {
    "authorities": {
        "code": ("code", None),
        "name": ("name", None),
        "label": ("label", None),
        "label_at": ("at", None),
        "value": ("value", None),
        "cls": ("cls", None),
        "spans": ("spans", None),
    },
    "gi_star": {"bin": ("b", None), "sightings": ("s", None), "z": ("z", None)},
    "links": {
        "from": ("f", "authorities"),
        "to": ("t", "authorities"),
        "people": ("p", None),
        "events": ("e", None),
        "reach": ("n", "reach"),
        "width": ("w", None),
        "directed": ("d", None),
        "label": ("label", None),
        "label_at": ("at", None),
    },
    "hotspots": {
        "kind": ("k", "kinds"),
        "authority": ("a", "authorities"),
        "people": ("p", None),
        "sightings": ("s", None),
        "share": ("o", None),
        "place": ("id", None),
        "label_text": ("lb", None),
        "contexts": ("cx", "contexts"),
        "seen": ("seen", None),
    },
}
PROPERTY_KEYS["relocations"] = PROPERTY_KEYS["links"]


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
            raise KeyError(f"the map has no layer {layer!r}; it has {', '.join(self.layers)}")
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


class PeerMap(folium.Map):
    """A :class:`folium.Map` whose page needs no network.

    Its Leaflet JavaScript and CSS are inlined from the packaged copy instead of the CDN
    links folium adds, and jQuery, Bootstrap and the icon fonts (which peermap's maps do
    not use) are left out. This holds for every rendering: :func:`save_map`,
    ``get_root().render()`` and the notebook display (``_repr_html_``, an ``iframe``
    whose ``srcdoc`` holds the whole page).

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
        return _js_json(self.data)


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
        self.config_js = _js_json(config)
        self.js = _PM_JS
        self.css = _PM_CSS


_PM_CSS: Final = """
.leaflet-container{background:#f4f4f1;
 font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.pm-title{position:absolute;top:8px;left:50%;transform:translateX(-50%);z-index:1000;
 background:rgba(255,255,255,.94);padding:6px 14px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);text-align:center;max-width:calc(100% - 420px);
 pointer-events:none}
.pm-title h1{font-size:17px;margin:0 0 2px;font-weight:600}
.pm-title div{font-size:12px;color:#333}
.pm-title .pm-banner{color:#fff;background:#a50026;font-weight:600;padding:1px 6px;
 margin-top:3px;border-radius:2px}
.pm-legend{background:rgba(255,255,255,.95);padding:6px 10px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);width:270px;max-height:calc(100vh - 200px);overflow:auto}
.pm-scale{display:flex;flex-wrap:wrap;align-items:flex-end;gap:2px 6px;margin:1px 0 3px}
.pm-cell{display:flex;flex-direction:column;align-items:center;font-size:10.5px;line-height:1.2}
.pm-legend summary{font-weight:600;cursor:pointer;font-size:13px}
.pm-legend section{margin-top:6px}
.pm-legend section.pm-off{opacity:.35}
.pm-legend h2{font-size:12.5px;margin:0 0 2px;font-weight:600}
.pm-legend .pm-row{display:flex;align-items:center;gap:6px;margin:1px 0}
.pm-legend .pm-row svg{flex:none}
.pm-legend .pm-note{color:#444;font-size:11px;margin:2px 0}
.pm-legend .pm-rule{font-size:11.5px;border-left:3px solid #a50026;padding-left:5px;margin:4px 0}
.pm-sw{display:inline-block;width:22px;height:12px;border:1px solid #777;flex:none}
.pm-tip th{text-align:left;font-weight:normal;color:#555;padding-right:8px}
.pm-tip td{font-weight:600}
.pm-tip .pm-seen{max-width:260px;white-space:normal;font-size:11px}
.pm-name span,.pm-count span{position:absolute;transform:translate(-50%,-50%);
 white-space:nowrap;pointer-events:none}
.pm-name span{color:#222;font-weight:600;font-size:11px;
 text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.pm-count span{background:#fff;border:1px solid #01665e;border-radius:3px;color:#01665e;
 font-weight:700;font-size:11px;padding:0 4px}
.leaflet-control-attribution{font-size:11px;max-width:70vw}
"""

# The browser half: every layer is one L.geoJSON whose style, markers and tooltips are
# computed from its features' properties by these functions (no per-feature code).
_PM_JS: Final = r"""
function (map, cfg) {
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }
  function nice(v) { return String(v).replace(/_/g, " "); }
  function given(v) { return v !== undefined && v !== null && v !== ""; }
  function shade(list, i) {
    if (i === null || i === undefined) { return cfg.noData; }
    return i < 0 ? cfg.suppressed : list[i];
  }
  var layers = {};
  // Every layer draws on one canvas: with thousands of venues and flows it opens much
  // faster than an SVG element per feature, and one renderer keeps the stacking order.
  var canvas = L.canvas({padding: 0.3});
  function head(c, cls) {
    return {className: cls, stroke: false, fill: true, fillColor: c, fillOpacity: 0.9,
            interactive: false};
  }
  function classOf(v, breaks) {
    var i = 0;
    while (i < breaks.length && v >= breaks[i]) { i += 1; }
    return i;
  }
  // An arrowhead at the end of a directed line, sized in metres at the first zoom shown
  // (as in the static plot); the line is shortened so that it ends inside the head.
  function arrow(l, style, cls) {
    var pts = l.getLatLngs(), n = pts.length;
    if (n < 2) { return null; }
    var a = pts[n - 2], b = pts[n - 1], w = cfg.widths[l.feature.properties.w];
    var kx = 111320 * Math.cos(b.lat * Math.PI / 180), ky = 110540;
    var dx = (b.lng - a.lng) * kx, dy = (b.lat - a.lat) * ky, d = Math.sqrt(dx * dx + dy * dy);
    if (!d) { return null; }
    var ux = dx / d, uy = dy / d, len = (7 + 1.6 * w) * cfg.mpp, half = (4 + 1.8 * w) * cfg.mpp / 2;
    function at(back, side) {
      return L.latLng(b.lat + (-uy * back + ux * side) / ky, b.lng + (-ux * back - uy * side) / kx);
    }
    pts[n - 1] = at(0.8 * len, 0);
    l.setLatLngs(pts);
    var o = head(style.color, cls);
    o.renderer = canvas;
    return L.polygon([at(len, half), b, at(len, -half)], o);
  }
  var styles = {
    authorities: function (p) {
      return {className: "pm-authorities", color: p.spans ? "#111" : "#555",
              weight: p.spans ? 3.2 : 1.1, fillColor: shade(cfg.choropleth, p.cls),
              fillOpacity: given(p.cls) ? 0.6 : 0.05};
    },
    gi_star: function (p) {
      return {className: "pm-gi_star", stroke: false, fillColor: cfg.gi[String(p.b)],
              fillOpacity: 0.6};
    },
    links: function (p) {
      var c = p.n === 1 ? cfg.neighbour : cfg.distant;
      return {className: "pm-links", color: c, weight: cfg.widths[p.w], opacity: 0.7,
              dashArray: p.n === 1 ? null : cfg.dash, lineCap: "butt", fill: false};
    },
    relocations: function (p) {
      return {className: "pm-relocations", color: cfg.relocation,
              weight: cfg.widths[p.w], opacity: 0.85, lineCap: "butt", fill: false};
    },
    hotspots: function (p) {
      var size = typeof p.p === "number" ? classOf(p.p, cfg.venueSteps) : 0;
      var colour = typeof p.o === "number" ? classOf(p.o, cfg.shareBreaks)
        : (p.o === cfg.marker ? -1 : null);
      return {className: "pm-hotspots", radius: cfg.radii[size], color: "#222",
              weight: 0.8, fillColor: shade(cfg.share, colour), fillOpacity: 0.92};
    }
  };
  function lookup(table, v) {
    if (!table) { return v; }
    if (Array.isArray(v)) {
      return v.map(function (pair) { return nice(cfg.tables[table][pair[0]]) + " " + pair[1]; })
        .join(", ");
    }
    return nice(cfg.tables[table][v]);
  }
  function tooltip(key, p) {
    var spec = cfg.tips[key];
    var title = spec.title.map(function (t) {
      return given(p[t[0]]) ? lookup(t[1], p[t[0]]) : "";
    });
    var h = '<div class="pm-tip"><b>' + esc(title.join(spec.join || "")) + "</b><table>";
    spec.rows.forEach(function (r) {
      var v = p[r[0]];
      if (!given(v)) { return; }
      v = lookup(r[3], v);
      if (typeof v === "number" && r[2]) { v = v + r[2]; }
      h += "<tr><th>" + esc(r[1]) + "</th><td>" + esc(v) + "</td></tr>";
    });
    h += "</table>";
    if (p.seen) {
      h += '<div class="pm-seen">Seen here: ' + esc(p.seen.join(", ")) + "</div>";
    }
    return h + "</div>";
  }
  function layer(key, data) {
    var extra = [];
    var options = {style: function (f) { return styles[key](f.properties); }};
    options.renderer = canvas;
    if (key === "hotspots") {
      options.pointToLayer = function (f, latlng) {
        var o = styles.hotspots(f.properties);
        o.renderer = canvas;
        return L.circleMarker(latlng, o);
      };
    }
    options.onEachFeature = function (f, l) {
      var p = f.properties;
      if (p.d) { extra.push(arrow(l, styles[key](p), "pm-" + key)); }
      if (given(p.label) && p.at) {
        // Labels are markers with a DivIcon: placing them needs no layout reads, unlike
        // permanent tooltips, which matters with thousands of paths on the page.
        extra.push(L.marker([p.at[1], p.at[0]], {
          interactive: false, keyboard: false,
          icon: L.divIcon({className: key === "authorities" ? "pm-name" : "pm-count",
                           html: "<span>" + esc(p.label) + "</span>", iconSize: null})}));
      }
    };
    var g = L.geoJSON(data, options);
    extra.forEach(function (x) { if (x) { g.addLayer(x); } });
    g.bindTooltip(function (l) { return tooltip(key, l.feature.properties); }, {sticky: true});
    layers[key] = g;
    return g;
  }
  // Keep the stacking order of cfg.order whichever layer is switched on last.
  map.on("overlayadd", function () {
    cfg.order.forEach(function (key) {
      if (layers[key] && map.hasLayer(layers[key])) { layers[key].bringToFront(); }
    });
  });
  var title = L.DomUtil.create("div", "pm-title", map.getContainer());
  title.innerHTML = cfg.title;
  var Legend = L.Control.extend({
    onAdd: function () {
      var div = L.DomUtil.create("div", "pm-legend");
      div.innerHTML = cfg.legend;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  function legend() { new Legend({position: "topright"}).addTo(map); }
  function toggle(e, off) {
    var s = document.querySelector('.pm-legend section[data-layer="' + e.name + '"]');
    if (s) { s.classList.toggle("pm-off", off); }
  }
  map.on("overlayadd", function (e) { toggle(e, false); });
  map.on("overlayremove", function (e) { toggle(e, true); });
  if (cfg.attribution) { map.attributionControl.addAttribution(esc(cfg.attribution)); }
  function count(key) {
    var n = 0;
    if (layers[key] && map.hasLayer(layers[key])) {
      layers[key].eachLayer(function (l) { if (l.feature) { n += 1; } });
    }
    return n;
  }
  return {layer: layer, legend: legend, count: count, cfg: cfg};
}
"""


def _js_json(value: Any) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --------------------------------------------------------------------------- helpers


def _to_wgs84(geoms: np.ndarray) -> np.ndarray:
    """Project EPSG:27700 geometries to WGS84 and round coordinates to 5 decimals."""
    transformer = Transformer.from_crs(settings.metric_crs, settings.map_crs, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), _COORD_DECIMALS)

    out = shapely.transform(geoms, project)
    return np.asarray(shapely.remove_repeated_points(out), dtype=object)


def _plain(value: Any) -> Any:
    """Return a property value as plain JSON (no numpy scalars, NaN as null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is pd.NA or value is pd.NaT or value is None:
        return None
    return value


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

    geoms = _to_wgs84(np.asarray(frame.geometry.values, dtype=object))
    records = frame[columns].to_dict(orient="records")
    features = []
    for geom, record in zip(geoms, records, strict=True):
        props: dict[str, Any] = {}
        for column, raw in record.items():
            value = _plain(raw)
            if value is None:
                continue
            short, table = schema[str(column)]
            if isinstance(value, shapely.Point):
                point = _to_wgs84(np.asarray([value], dtype=object))[0]
                value = [point.x, point.y]
            elif table is not None:
                if isinstance(value, list):
                    value = [[lookup(table, name), n] for name, n in value]
                else:
                    value = lookup(table, value)
            props[short] = value
        features.append({"type": "Feature", "geometry": _geo_interface(geom), "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _geo_interface(geom: Any) -> dict[str, Any]:
    interface: dict[str, Any] = geom.__geo_interface__

    def lists(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [lists(v) for v in value]
        return value

    if interface["type"] == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [_geo_interface(g) for g in geom.geoms],
        }
    return {"type": interface["type"], "coordinates": lists(interface["coordinates"])}


def _fit_zoom(bounds_wgs84: Sequence[float], size_px: tuple[int, int] = _NOMINAL_VIEW_PX) -> int:
    """Return the Web Mercator zoom at which the bounds fit a view of ``size_px``."""
    west, south, east, north = bounds_wgs84

    def y(lat: float) -> float:
        phi = math.radians(max(min(lat, 85.0), -85.0))
        return 0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)

    dx = max((east - west) / 360.0, 1e-9)
    dy = max(y(south) - y(north), 1e-9)
    zoom = math.floor(math.log2(min(size_px[0] / (256 * dx), size_px[1] / (256 * dy))))
    return int(min(max(zoom, 0), 18))


def _metres_per_px(zoom: int, lat: float) -> float:
    return float(_M_PER_PX_Z0 * math.cos(math.radians(lat)) / 2**zoom)


def _simplify(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
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


def _nice(value: float) -> float:
    """Round a class break to two significant figures (1234 -> 1200, 0.456 -> 0.46)."""
    if value <= 0:
        return 0.0
    digits = 1 - math.floor(math.log10(value))
    return round(value, digits)


def _class_breaks(values: Iterable[float], k: int, *, step: float = 0.0) -> list[float]:
    """Up to ``k - 1`` rounded quantile breaks; class i holds breaks[i-1] <= v < breaks[i].

    With ``step`` (1 for counts, 5 for counts rounded to 5) breaks are multiples of it,
    so that a class label never splits a value the reader can see.
    """
    array = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(array) == 0 or len(np.unique(array)) == 1:
        return []
    qs = np.quantile(array, np.linspace(0, 1, k + 1)[1:-1])
    nice = [_nice(float(q)) for q in qs]
    if step > 0:
        nice = [math.ceil(q / step) * step for q in nice]
    lo, hi = float(array.min()), float(array.max())
    return sorted({b for b in nice if lo < b <= hi})


def _classify(values: Sequence[float | None], breaks: Sequence[float]) -> list[int | None]:
    return [
        None if v is None else int(np.searchsorted(np.asarray(breaks), v, side="right"))
        for v in values
    ]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _class_labels(
    breaks: Sequence[float], lo: float, hi: float, *, integer: bool, suffix: str = ""
) -> list[str]:
    edges = [lo, *breaks, hi]
    labels = []
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        last = i == len(edges) - 2
        if integer:
            top = b if last else b - 1
            labels.append(_fmt(a) + suffix if top <= a else f"{_fmt(a)}–{_fmt(top)}{suffix}")
        else:
            labels.append(f"{_fmt(a)}–{_fmt(b)}{suffix}")
    return labels


def _palette(colours: Sequence[str], n: int) -> list[str]:
    """``n`` colours spread over a sequential scheme (dark end kept)."""
    if n <= 0:
        return []
    if n == 1:
        return [colours[len(colours) // 2 + 1]]
    idx = np.round(np.linspace(0, len(colours) - 1, n)).astype(int)
    return [colours[i] for i in idx]


def _numeric(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _date_text(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


# --------------------------------------------------------------------------- legend HTML


def _svg_line(colour: str, width: float, dash: str | None = None, arrow: bool = False) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    end = 28 if arrow else 38
    half = (4 + 1.8 * width) / 2
    head = (
        f'<polygon points="27,{7 - half:g} 38,7 27,{7 + half:g}" fill="{colour}"/>' if arrow else ""
    )
    return (
        f'<svg width="40" height="14" aria-hidden="true"><line x1="1" y1="7" x2="{end}" y2="7" '
        f'stroke="{colour}" stroke-width="{width:g}"{dash_attr}/>{head}</svg>'
    )


def _svg_circle(radius: float, fill: str = "#fe9929", size: float | None = None) -> str:
    size = size if size is not None else 2 * radius + 4
    c = size / 2
    return (
        f'<svg width="{size:g}" height="{size:g}" aria-hidden="true"><circle cx="{c:g}" '
        f'cy="{c:g}" r="{radius:g}" fill="{fill}" stroke="#222" stroke-width="0.8"/></svg>'
    )


def _scale(items: Sequence[tuple[str, str]]) -> str:
    """Lay out symbols in a row, each with its label underneath."""
    cells = "".join(
        f'<div class="pm-cell">{symbol}<span>{html.escape(label)}</span></div>'
        for symbol, label in items
    )
    return f'<div class="pm-scale">{cells}</div>'


def _row(symbol: str, text: str) -> str:
    return f'<div class="pm-row">{symbol}<span>{html.escape(text)}</span></div>'


def _swatch(colour: str) -> str:
    return f'<i class="pm-sw" style="background:{colour}"></i>'


def _n(count: int, noun: str) -> str:
    """``3 venues``, ``1 venue``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _section(layer_name: str, heading: str) -> str:
    """Open a legend section, tied to its layer (greyed out while the layer is off)."""
    return f'<section data-layer="{html.escape(layer_name)}"><h2>{html.escape(heading)}</h2>'


def _note(text: str) -> str:
    return f'<div class="pm-note">{html.escape(text)}</div>'


# --------------------------------------------------------------------------- content


@dataclass
class _Layer:
    key: str
    name: str
    frame: gpd.GeoDataFrame
    legend: str
    notes: list[str] = field(default_factory=list)
    show: bool = True
    #: Legend entries for the static plot: (kind, colour, label, size, dashed) with
    #: kind "patch", "line" or "marker".
    entries: list[tuple[str, str, str, float, bool]] = field(default_factory=list)


@dataclass
class _Content:
    """Everything both renderers draw, in British National Grid."""

    title: str
    subtitle: list[str]
    banner: str | None
    audience: str
    rule: SuppressionRule
    suppressing: bool
    period: tuple[dt.date | None, dt.date | None]
    attribution: str
    layers: list[_Layer]
    bounds_bng: tuple[float, float, float, float]
    zoom: int
    mpp: float
    context: int | None
    rule_text: str
    context_text: str
    context_people: list[str]


@dataclass
class _Prep:
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
    mpp: float  # metres per pixel at the initial zoom
    context_people: list[str] | None = None

    def count(self, value: Any) -> int | str:
        """Return what a count shows as for this audience."""
        return self.policy.count(value)

    def name(self, code: Any) -> str:
        if not isinstance(code, str):
            return "outside the boundaries"
        return self.authority_names.get(code, code)


def _period(
    ds: Dataset, since: DateLike, until: DateLike, min_reliability: str
) -> tuple[dt.date | None, dt.date | None]:
    return data_period(ds, since=since, until=until, min_reliability=min_reliability)


def _context_dataset(ds: Dataset, row: pd.Series) -> Dataset:
    """Restrict the dataset to one context's young people and places."""
    people = set(row["people"])
    places = set(row["places"])
    s = ds.sightings
    t = ds.ties
    return ds.replace(
        people=ds.people[ds.people["person_id"].isin(people)],
        places=ds.places[ds.places["place_id"].isin(places)],
        sightings=s[s["person_id"].isin(people) & s["place_id"].isin(places)],
        ties=t[t["person_a"].isin(people) & t["person_b"].isin(people)],
        relocations=ds.relocations[ds.relocations["person_id"].isin(people)],
    )


# --------------------------------------------------------------------------- layers


def _authorities_layer(
    p: _Prep,
    boundaries: gpd.GeoDataFrame,
    measure: str | None,
    spans: set[str] | None,
    tolerance_m: float,
) -> _Layer:
    codes = boundaries["code"].astype(str).tolist()
    frame = gpd.GeoDataFrame(
        {"code": codes, "name": boundaries["name"].astype(str).tolist()},
        geometry=_simplify(np.asarray(boundaries.geometry.values, dtype=object), tolerance_m),
        crs=settings.metric_crs,
    )
    frame["label"] = frame["name"]
    frame["label_at"] = list(
        shapely.point_on_surface(np.asarray(boundaries.geometry.values, dtype=object))
    )
    notes: list[str] = []
    entries: list[tuple[str, str, str, float, bool]] = []
    name = _LAYER_TITLES["authorities"]
    if measure is not None:
        name = f"{name}: {_MEASURE_TITLES[measure].lower()}"
    legend = [_section(name, _LAYER_TITLES["authorities"])]
    if measure is not None:
        shown, numeric = _measure_values(p, codes, measure)
        frame["value"] = shown
        values = [v for v in numeric if v is not None]
        is_share = measure == "cross_border_share"
        step = 0.0 if is_share else (float(p.rule.round_to) if p.suppressing else 1.0)
        breaks = _class_breaks(values, 5, step=step)
        colours = _palette(CHOROPLETH_COLOURS, len(breaks) + 1)
        classes = _classify(numeric, breaks)
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
        legend.append(_note(_MEASURE_TITLES[measure] + (" (%)" if is_share else "")))
        if values:
            labels = _class_labels(
                breaks,
                min(values),
                max(values),
                integer=not is_share,
                suffix="%" if is_share else "",
            )
            scale = [(_swatch(c), label) for c, label in zip(colours, labels, strict=True)]
            entries.extend(
                ("patch", c, f"{label}", 0.0, False)
                for c, label in zip(colours, labels, strict=True)
            )
        else:
            scale = []
        n = sum(1 for v in shown if v == p.rule.marker)
        if n:
            scale.append((_swatch(SUPPRESSED_COLOUR), p.rule.marker))
            entries.append(("patch", SUPPRESSED_COLOUR, f"{p.rule.marker}: withheld", 0.0, False))
        legend.append(_scale(scale))
        if n:
            why = (
                f"share withheld, under {p.rule.min_count} from within or from outside"
                if is_share
                else f"under {p.rule.min_count}, withheld"
            )
            legend.append(_note(f"{p.rule.marker}: {why}"))
            notes.append(f"{_n(n, 'authority value')} withheld ({measure})")
    else:
        frame["cls"] = None
        frame["_fill"] = NO_DATA_COLOUR
        if spans is None:
            legend.append(_row(_swatch("#ffffff"), "Authority boundary, with its name"))
    if spans is not None:
        frame["spans"] = [c in spans for c in codes]
        legend.append(_row(_svg_line("#111", 3.2), "Authorities the context spans"))
        entries.append(("line", "#111", "Authorities the context spans", 2.4, False))
    frame["_edge"] = ["#111" if spans is not None and c in spans else "#555" for c in codes]
    if measure is not None and entries:
        entries.insert(0, ("title", "", _MEASURE_TITLES[measure], 0.0, False))
    return _Layer(
        "authorities", name, frame, "".join(legend) + "</section>", notes, entries=entries
    )


def _spread(cls: int, n_colours: int) -> int:
    """Index into the 5-colour scheme of class ``cls`` of ``n_colours`` classes."""
    if n_colours <= 1:
        return 3
    return round(cls * (len(CHOROPLETH_COLOURS) - 1) / (n_colours - 1))


def _measure_values(
    p: _Prep, codes: list[str], measure: str
) -> tuple[list[Any], list[float | None]]:
    """Per authority: the value shown and the number it is classed by."""
    ds = p.ds
    if measure == "relocations_received":
        # Distinct young people moved into each authority within the window (as
        # peermap.relocations_received counts them, with the map's date filter).
        r = ds.relocations
        keep = pd.Series(True, index=r.index)
        if p.since is not None:
            keep &= r["date"] >= pd.Timestamp(p.since)
        if p.until is not None:
            keep &= r["date"] <= pd.Timestamp(p.until)
        received = r[keep].groupby("to_authority")["person_id"].nunique()
        exact = [int(received.get(c, 0)) for c in codes]
        shown = [p.count(v) for v in exact]
        return shown, [_numeric(v) for v in shown]
    s = filter_sightings(ds, since=p.since, until=p.until, min_reliability=p.min_reliability)
    place_auth = ds.places.set_index("place_id")["authority_code"]
    home = ds.people.set_index("person_id")["home_authority"]
    seen = pd.DataFrame(
        {
            "auth": place_auth.reindex(s["place_id"].to_numpy()).to_numpy(dtype=object),
            "person": s["person_id"].to_numpy(dtype=object),
        }
    ).drop_duplicates()
    seen["away"] = home.reindex(seen["person"].to_numpy()).to_numpy(dtype=object) != seen[
        "auth"
    ].to_numpy(dtype=object)
    total = seen.groupby("auth").size()
    away = seen.groupby("auth")["away"].sum()
    if measure == "people_seen":
        shown = [p.count(int(total.get(c, 0))) for c in codes]
        return shown, [_numeric(v) for v in shown]
    if measure == "cross_border_share":
        out: list[Any] = []
        for c in codes:
            whole, part = int(total.get(c, 0)), int(away.get(c, 0))
            if p.suppressing:
                out.append(suppress_share(part, whole, rule=p.rule))
            else:
                out.append(round(100.0 * part / whole) if whole else "z")
        return out, [_numeric(v) for v in out]
    raise ValueError(
        f"choropleth={measure!r}; expected one of {', '.join(get_args(Measure))} or None"
    )


def _venue_stats(p: _Prep) -> pd.DataFrame:
    """Per place seen: distinct young people, sightings, from other authorities, contexts."""
    ds = p.ds
    s = filter_sightings(ds, since=p.since, until=p.until, min_reliability=p.min_reliability)
    home = ds.people.set_index("person_id")["home_authority"]
    places = ds.places.set_index("place_id")
    auth = (
        places["authority_code"]
        if "authority_code" in places
        else pd.Series(None, index=places.index, dtype=object)
    )
    frame = pd.DataFrame(
        {
            "place_id": s["place_id"].to_numpy(dtype=object),
            "person_id": s["person_id"].to_numpy(dtype=object),
            "context": s["context"].to_numpy(dtype=object),
        }
    )
    frame["home"] = home.reindex(frame["person_id"].to_numpy()).to_numpy(dtype=object)
    frame["auth"] = auth.reindex(frame["place_id"].to_numpy()).to_numpy(dtype=object)
    distinct = frame.drop_duplicates(["place_id", "person_id"])
    known = distinct["auth"].notna()
    away = (distinct["home"] != distinct["auth"]) & known
    stats = pd.DataFrame(
        {
            "people": distinct.groupby("place_id").size(),
            "sightings": frame.groupby("place_id").size(),
            "away": away.astype(int).groupby(distinct["place_id"]).sum(),
            "known": known.astype(int).groupby(distinct["place_id"]).sum(),
        }
    )
    top = (
        frame.groupby(["place_id", "context"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["place_id", "n", "context"], ascending=[True, False, True], kind="stable")
    )
    top = top.groupby("place_id").head(3)
    pairs: dict[str, list[list[Any]]] = {}
    for place, context, n in zip(top["place_id"], top["context"], top["n"], strict=True):
        pairs.setdefault(str(place), []).append([str(context), int(n)])
    stats["contexts"] = pd.Series(pairs, dtype=object)
    if p.context_people is not None:
        seen: dict[str, list[str]] = {}
        for place, ids in distinct.groupby("place_id")["person_id"]:
            people = sorted(str(i) for i in ids)
            more = len(people) - MAX_TOOLTIP_PSEUDONYMS
            seen[str(place)] = people[:MAX_TOOLTIP_PSEUDONYMS] + (
                [f"and {more} more"] if more > 0 else []
            )
        stats["seen"] = pd.Series(seen, dtype=object)
    return stats


def _hotspots_layer(p: _Prep) -> _Layer:
    ds = p.ds
    stats = _venue_stats(p)
    places = ds.places.set_index("place_id")
    stats = stats[stats.index.isin(places.index)]
    notes: list[str] = []
    m = p.rule.min_count
    if p.suppressing:
        small = stats["people"] < m
        hidden = p.policy.hidden_place_kinds
        private = places["kind"].reindex(stats.index).isin(hidden) & ~small
        if small.any():
            notes.append(f"Not shown: {_n(int(small.sum()), 'venue')} with under {m} young people")
        if private.any():
            notes.append(f"Not shown: {_n(int(private.sum()), 'private home')} (residential)")
        stats = stats[~small & ~private]
    order = stats.sort_values(["people", "sightings"], ascending=False, kind="stable").index
    stats = stats.loc[order]
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
    shown_people = [p.count(v) for v in stats["people"]]
    frame["people"] = shown_people
    frame["sightings"] = [p.count(v) for v in stats["sightings"]]
    shares: list[Any] = []
    for part, whole in zip(stats["away"], stats["known"], strict=True):
        if whole == 0:
            shares.append("z")
        elif p.suppressing:
            shares.append(suppress_share(int(part), int(whole), rule=p.rule))
        else:
            shares.append(round(100.0 * part / whole))
    frame["share"] = shares
    steps = [m * f for f in _VENUE_STEPS]
    frame["_size"] = [
        int(np.searchsorted(np.asarray(steps), v, side="right")) if isinstance(v, int) else 0
        for v in shown_people
    ]
    frame["_class"] = [
        int(np.searchsorted(np.asarray(_SHARE_BREAKS), v, side="right"))
        if isinstance(v, int | float)
        else (-1 if v == p.rule.marker else None)
        for v in shares
    ]
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
        for c in frame["_class"]
    ]
    frame["_radius"] = [VENUE_RADII[s] for s in frame["_size"]]
    # Legend
    name = _LAYER_TITLES["hotspots"]
    rows = [_section(name, name)]
    rows.append(_note("Size: distinct young people seen there"))
    labels = (
        [f"<{_fmt(steps[0])}"]
        + [f"{_fmt(a)}–{_fmt(b - 1)}" for a, b in itertools.pairwise(steps)]
        + [f"{_fmt(steps[-1])}+"]
    )
    first = 1 if p.suppressing else 0
    box = 2 * VENUE_RADII[-1] + 2
    sizes = list(zip(VENUE_RADII, labels, strict=True))[first:]
    rows.append(_scale([(_svg_circle(r, size=box), label) for r, label in sizes]))
    rows.append(_note("Colour: share of them living in another authority"))
    share_labels = ["<20%", "20–40", "40–60", "60–80", "80%+"]
    scale = [
        (_svg_circle(6, c), label) for c, label in zip(SHARE_COLOURS, share_labels, strict=True)
    ]
    if any(c == -1 for c in frame["_class"]):
        scale.append((_svg_circle(6, SUPPRESSED_COLOUR), p.rule.marker))
    rows.append(_scale(scale))
    if any(c == -1 for c in frame["_class"]):
        rows.append(_note(f"{p.rule.marker}: withheld (under {m} from within or outside)"))
    for text in notes:
        rows.append(_note(text))
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
    return _Layer("hotspots", name, frame, "".join(rows) + "</section>", notes, entries=entries)


def _bezier(p0: np.ndarray, p1: np.ndarray, bend: float, n: int = 7) -> np.ndarray:
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


def _trim(points: np.ndarray, start: float, end: float) -> np.ndarray:
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


def _head_size(width_class: int, mpp: float) -> tuple[float, float]:
    """Length and width (metres) of an arrowhead; the browser draws the same (``head``)."""
    line = LINE_WIDTHS[width_class]
    return (7 + 1.6 * line) * mpp, (4 + 1.8 * line) * mpp


def _arrow(points: np.ndarray, length: float, width: float) -> tuple[Any, Any]:
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


def _flow_layer(
    p: _Prep,
    key: str,
    kind: str,
    centroids: Mapping[str, tuple[float, float]],
) -> _Layer:
    table = flows(
        p.ds,
        kind=kind,  # type: ignore[arg-type]
        since=p.since,
        until=p.until,
        min_reliability=p.min_reliability,
    )
    notes: list[str] = []
    name = _LAYER_TITLES[key] + (" (ties)" if kind == "ties" else "")
    if len(table):
        table = table[~table["within"].astype(bool)]
        placed = table["origin"].isin(list(centroids)) & table["destination"].isin(list(centroids))
        table = table[placed]
    m = p.rule.min_count
    if p.suppressing and len(table):
        small = table["people"] < m
        if small.any():
            what = "link" if key == "links" else "flow"
            notes.append(f"Not drawn: {_n(int(small.sum()), what)} of under {m} young people")
        table = table[~small]
    directed = kind != "ties"
    shown = [p.count(v) for v in table["people"]]
    events = [p.count(v) for v in table["events"]]
    step = float(p.rule.round_to) if p.suppressing else 1.0
    breaks = _class_breaks([float(v) for v in shown if isinstance(v, int)], 4, step=step)
    widths = _classify([float(v) if isinstance(v, int) else None for v in shown], breaks)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    label_rank = np.argsort(
        -np.asarray([v if isinstance(v, int) else 0 for v in shown]), kind="stable"
    )
    labelled = set(label_rank[:MAX_RELOCATION_LABELS].tolist()) if key == "relocations" else set()
    for i, row in enumerate(table.itertuples(index=False)):
        o, d = str(row.origin), str(row.destination)
        neighbours = p.graph is not None and p.graph.has_edge(o, d)
        reach = "neighbours" if neighbours else "distant (not neighbours)"
        w = int(widths[i] or 0)
        p0, p1 = np.asarray(centroids[o], dtype=float), np.asarray(centroids[d], dtype=float)
        pts = _bezier(p0, p1, 0.13 if directed else 0.0)
        pts = _trim(pts, 9 * p.mpp, 9 * p.mpp)
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
            shaft, head = _arrow(pts, *_head_size(w, p.mpp))
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
    legend = [_section(name, name)]
    if key == "relocations":
        legend.append(_note("Young people moved from one authority to another"))
    elif kind == "sightings":
        legend.append(_note("Young people seen outside their home authority (home → seen)"))
    else:
        legend.append(_note("Ties between young people living in two authorities"))
    values = [float(v) for v in shown if isinstance(v, int)]
    if values:
        labels = _class_labels(breaks, min(values), max(values), integer=True)
        legend.append(_note("Width: young people"))
        legend.append(
            _scale(
                [
                    (_svg_line(colour, width, arrow=directed), label)
                    for width, label in zip(LINE_WIDTHS, labels, strict=False)
                ]
            )
        )
    if key == "links":
        legend.append(
            _scale(
                [
                    (_svg_line(NEIGHBOUR_COLOUR, 2.4, arrow=directed), "neighbours"),
                    (
                        _svg_line(DISTANT_COLOUR, 2.4, DISTANT_DASH, arrow=directed),
                        "distant (not neighbours)",
                    ),
                ]
            )
        )
    if key == "relocations" and len(table) > MAX_RELOCATION_LABELS:
        legend.append(_note(f"Counts written on the {MAX_RELOCATION_LABELS} largest"))
    if not len(table) and not notes:
        legend.append(_note("None to draw."))
    for text in notes:
        legend.append(_note(text))
    if key == "links":
        entries = [
            ("line", NEIGHBOUR_COLOUR, "Link between neighbours", 2.0, False),
            ("line", DISTANT_COLOUR, "Link between distant authorities", 2.0, True),
        ]
    else:
        entries = [("line", RELOCATION_COLOUR, "Relocations", 2.0, False)]
    return _Layer(key, name, frame, "".join(legend) + "</section>", notes, entries=entries)


def _gi_layer(p: _Prep, cell_size_m: float, permutations: int, cold: bool) -> _Layer:
    grid = gi_star(
        p.ds,
        cell_size_m=cell_size_m,
        permutations=permutations,
        inference="analytical",
        since=p.since,
        until=p.until,
        min_reliability=p.min_reliability,
    )
    keep = grid["bin"] > 0 if not cold else grid["bin"] != 0
    cells = grid[keep]
    frame = gpd.GeoDataFrame(
        {
            "bin": cells["bin"].astype(int).to_numpy(),
            "sightings": [p.count(v) for v in cells["count"]],
            "z": np.round(cells["z"].to_numpy(dtype=float), 2),
        },
        geometry=cells.geometry.to_numpy(),
        crs=settings.metric_crs,
    )
    frame["_fill"] = [GI_COLOURS[int(b)] for b in frame["bin"]]
    name = _LAYER_TITLES["gi_star"]
    legend = [_section(name, name)]
    legend.append(
        _note(
            f"Sightings on {cell_size_m:g} m cells; bins from the Gi* z-score, "
            "FDR-corrected, as ArcGIS's Hot Spot Analysis"
            + ("" if cold else "; cold spots not drawn")
        )
    )
    bins = (3, 2, 1) + ((-1, -2, -3) if cold else ())
    legend.append(
        _scale(
            [
                (_swatch(GI_COLOURS[b]), ("hot " if b > 0 else "cold ") + _CONFIDENCE[abs(b)])
                for b in bins
            ]
        )
    )
    notes = [] if cold else ["Gi* cold spots not drawn"]
    if not len(frame):
        legend.append(_note("No significant hot spots."))
    entries = [
        (
            "patch",
            GI_COLOURS[b],
            f"Gi* {'hot' if b > 0 else 'cold'} spot {_CONFIDENCE[abs(b)]}",
            0.0,
            False,
        )
        for b in bins
    ]
    return _Layer("gi_star", name, frame, "".join(legend) + "</section>", notes, entries=entries)


# --------------------------------------------------------------------------- assembly


def _prepare(
    ds: Dataset,
    *,
    audience: str,
    layers: Sequence[str] | None,
    min_count: int | None,
    round_to: int | None,
    context: int | None,
    choropleth: str | None,
    flow_kind: str,
    since: DateLike,
    until: DateLike,
    min_reliability: str,
    title: str | None,
    gi_cell_size_m: float,
    gi_permutations: int,
    gi_cold_spots: bool,
) -> _Content:
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=VIEW_AUDIENCES, what="map"
    )
    if not isinstance(ds, Dataset):
        raise TypeError(f"make_map needs a peermap.Dataset, got {type(ds).__name__}")
    suppressing = not policy.exact
    rule = policy.rule or SuppressionRule.from_settings()
    if choropleth is not None and choropleth not in get_args(Measure):
        raise ValueError(
            f"choropleth={choropleth!r}; expected one of {', '.join(get_args(Measure))} or None"
        )
    if flow_kind not in get_args(LinkKind):
        raise ValueError(f"flow_kind={flow_kind!r}; expected 'sightings' or 'ties'")
    if layers is not None:
        unknown = [k for k in layers if k not in LAYERS]
        if unknown:
            raise ValueError(f"unknown layer(s) {unknown}; choose from {', '.join(LAYERS)}")
    boundaries = ds.boundaries
    has_auth = boundaries is not None and "authority_code" in ds.places
    row: pd.Series | None = None
    context_text = ""
    context_people: list[str] = []
    if context is not None:
        table = contexts(ds, since=since, until=until, min_reliability=min_reliability)
        match = table[table["context_id"] == context]
        if match.empty:
            ids = table["context_id"].tolist()
            raise ValueError(
                f"no context {context!r}; this dataset has contexts "
                + (f"{min(ids)} to {max(ids)}" if ids else "none")
                + " (see peermap.contexts)"
            )
        row = match.iloc[0]
        ds = _context_dataset(ds, row)
    # What can be drawn.
    possible = {
        "authorities": boundaries is not None,
        "gi_star": context is None and len(ds.sightings) > 0,
        "links": has_auth and len(ds.sightings) > 0,
        "relocations": boundaries is not None and len(ds.relocations) > 0,
        "hotspots": len(ds.sightings) > 0,
    }
    reasons = {
        "authorities": "the dataset has no boundaries (read it with boundaries=...)",
        "gi_star": "Gi* is not drawn for a single context"
        if context is not None
        else "there are no sightings",
        "links": "places have no authorities (read the dataset with boundaries=...)"
        if not has_auth
        else "there are no sightings",
        "relocations": "the dataset has no boundaries"
        if boundaries is None
        else "there are no relocations",
        "hotspots": "there are no sightings",
    }
    if layers is None:
        wanted = [k for k in LAYERS if possible[k]]
    else:
        for k in layers:
            if not possible[k]:
                raise ValueError(f"cannot draw layer {k!r}: {reasons[k]}")
        wanted = [k for k in LAYERS if k in layers]
    if choropleth is not None and "authorities" not in wanted:
        raise ValueError("choropleth needs the 'authorities' layer")
    if choropleth in ("people_seen", "cross_border_share") and not has_auth:
        raise ValueError(f"choropleth={choropleth!r} needs places assigned to authorities")

    # Extent and the zoom it is shown at.
    shown_bounds: gpd.GeoDataFrame | None = None
    if boundaries is not None:
        shown_bounds = boundaries.to_crs(settings.metric_crs)
        if row is not None:
            shown_bounds = shown_bounds[shown_bounds["code"].isin(list(row["authorities"]))]
    if shown_bounds is not None and len(shown_bounds):
        bounds = tuple(float(v) for v in shown_bounds.total_bounds)
    else:
        xy = ds.places.geometry
        pad = 500.0
        b = xy.total_bounds
        bounds = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    to_wgs = Transformer.from_crs(settings.metric_crs, settings.map_crs, always_xy=True)
    w, s = to_wgs.transform(bounds[0], bounds[1])
    e, n = to_wgs.transform(bounds[2], bounds[3])
    zoom = _fit_zoom((w, s, e, n))
    mpp = _metres_per_px(zoom, (s + n) / 2)

    names: dict[str, str] = {}
    graph: nx.Graph | None = None
    if boundaries is not None:
        names = dict(
            zip(boundaries["code"].astype(str), boundaries["name"].astype(str), strict=True)
        )
        from peermap.boundaries import boundary_attribution

        graph = ds.region.neighbour_graph() if ds.region is not None else None
        attribution = boundary_attribution(ds.region or boundaries)
    else:
        attribution = ""
    prep = _Prep(
        ds=ds,
        audience=audience,
        policy=policy,
        rule=rule,
        suppressing=suppressing,
        since=since,
        until=until,
        min_reliability=min_reliability,
        graph=graph,
        authority_names=names,
        mpp=mpp,
        context_people=list(row["people"]) if row is not None else None,
    )
    built: list[_Layer] = []
    for key in wanted:
        if key == "authorities":
            assert shown_bounds is not None
            spans = set(row["authorities"]) if row is not None else None
            built.append(
                _authorities_layer(
                    prep, shown_bounds.reset_index(drop=True), choropleth, spans, 0.5 * mpp
                )
            )
        elif key == "gi_star":
            try:
                built.append(_gi_layer(prep, gi_cell_size_m, gi_permutations, gi_cold_spots))
            except ValueError:
                if layers is not None:
                    raise
        elif key in ("links", "relocations"):
            assert graph is not None
            centroids = {c: graph.nodes[c]["centroid_bng"] for c in graph.nodes}
            kind = "relocations" if key == "relocations" else flow_kind
            built.append(_flow_layer(prep, key, kind, centroids))
        elif key == "hotspots":
            built.append(_hotspots_layer(prep))

    period = _period(ds, since, until, min_reliability)
    if title is None:
        title = (
            f"Context {context}: its places and authorities"
            if context is not None
            else "Peer-on-peer abuse and exploitation across authorities"
        )
    subtitle = []
    if period[0] is not None and period[1] is not None:
        subtitle.append(f"Data {_date_text(period[0])} to {_date_text(period[1])}")
    if min_reliability != "unverified":
        subtitle.append(f"{min_reliability} or better")
    subtitle.append(policy.heading("map"))
    banner = policy.banner
    rule_text = policy.notice("map")
    if row is not None:
        n_people = prep.count(len(row["people"]))
        bits = [
            f"{n_people} young people",
            f"{prep.count(len(row['places']))} places",
            f"{len(row['authorities'])} authorities ({row['reach']})",
        ]
        context_text = "; ".join(bits)
        if not suppressing:
            context_people = [str(x) for x in row["people"]]
    return _Content(
        title=title,
        subtitle=subtitle,
        banner=banner,
        audience=audience,
        rule=rule,
        suppressing=suppressing,
        period=period,
        attribution=attribution,
        layers=built,
        bounds_bng=cast(tuple[float, float, float, float], bounds),
        zoom=zoom,
        mpp=mpp,
        context=context,
        rule_text=rule_text,
        context_text=context_text,
        context_people=context_people,
    )


def _legend_html(content: _Content) -> str:
    parts = ["<details open><summary>Legend</summary>"]
    parts.append(f'<div class="pm-rule">{html.escape(content.rule_text)}</div>')
    if content.context_text:
        parts.append(_note(f"Context {content.context}: {content.context_text}"))
    if content.context_people:
        people = content.context_people
        more = len(people) - MAX_LEGEND_PSEUDONYMS
        listed = ", ".join(people[:MAX_LEGEND_PSEUDONYMS]) + (
            f" and {more} more" if more > 0 else ""
        )
        parts.append(
            f'<details class="pm-note"><summary>Young people ({len(people)})</summary>'
            f"{html.escape(listed)}</details>"
        )
    for layer in reversed(content.layers):  # top layer first, as drawn
        parts.append(layer.legend)
    if content.attribution:
        parts.append(_note("Boundaries: " + content.attribution))
    parts.append("</details>")
    return "".join(parts)


def _title_html(content: _Content) -> str:
    subtitle = html.escape(" · ".join(content.subtitle))
    out = f"<h1>{html.escape(content.title)}</h1><div>{subtitle}</div>"
    if content.banner:
        out += f'<div class="pm-banner">{html.escape(content.banner)}</div>'
    return out


def _config(content: _Content, tables: Mapping[str, Any]) -> dict[str, Any]:
    # Tooltips: title = [[key, table]...] joined by "join"; rows = [key, label, suffix,
    # table, humanise]; keys are the short ones of PROPERTY_KEYS.
    flow_rows = [["p", "Young people"], ["n", "Between", "", "reach"]]
    tips: dict[str, Any] = {
        "authorities": {"title": [["name"]], "rows": [["code", "Code"]]},
        "gi_star": {
            "title": [["b", "gi"]],
            "rows": [["s", "Sightings in cell"], ["z", "Gi* z-score"]],
        },
        "links": {
            "title": [["f", "authorities"], ["t", "authorities"]],
            "join": " → ",
            "rows": [*flow_rows, ["e", "Sightings"]],
        },
        "relocations": {
            "title": [["f", "authorities"], ["t", "authorities"]],
            "join": " → ",
            "rows": [*flow_rows, ["e", "Relocations"]],
        },
        "hotspots": {
            "title": [["k", "kinds"]],
            "rows": [
                ["a", "Authority", "", "authorities"],
                ["p", "Young people"],
                ["s", "Sightings"],
                ["o", "From other authorities", "%"],
                ["id", "Place"],
                ["lb", "Label"],
                ["cx", "Most recorded", "", "contexts"],
            ],
        },
    }
    for layer in content.layers:
        if layer.key == "links" and "events" in layer.frame and layer.name.endswith("(ties)"):
            tips["links"]["rows"] = [*flow_rows, ["e", "Ties"]]
        if layer.key == "authorities" and "value" in layer.frame:
            measure = layer.name.split(": ", 1)[-1]
            share = "share" in measure
            tips["authorities"]["rows"] = [
                ["code", "Code"],
                ["value", measure[0].upper() + measure[1:], "%" if share else ""],
            ]
    return {
        "title": _title_html(content),
        "legend": _legend_html(content),
        "attribution": content.attribution,
        "tips": tips,
        "order": list(LAYERS),
        "mpp": round(content.mpp, 3),
        "marker": content.rule.marker,
        "venueSteps": [content.rule.min_count * f for f in _VENUE_STEPS],
        "shareBreaks": list(_SHARE_BREAKS),
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
        "tables": {
            **tables,
            "gi": {
                str(b): f"{'Hot' if b > 0 else 'Cold'} spot, {_CONFIDENCE[abs(b)]} confidence"
                for b in GI_COLOURS
            },
        },
    }


# --------------------------------------------------------------------------- public API


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
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
    gi_cell_size_m: float = 500.0,
    gi_permutations: int = 999,
    gi_cold_spots: bool = False,
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
    since, until : date or str, optional
        Keep sightings, ties and relocations dated within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.
    title : str, optional
        Title on the map (a default describes the view).
    gi_cell_size_m : float, default 500
        Gi* grid cell side in metres.
    gi_permutations : int, default 999
        Gi* permutations.
    gi_cold_spots : bool, default False
        Also draw Gi* cold spots. Off by default: on a grid over a whole area, cold
        spots mostly mark where no venue is, not where risk is low.

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
    content = _prepare(
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
    )
    west, south, east, north = _wgs84_bounds(content.bounds_bng)
    m = PeerMap(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=content.zoom,
        tiles=tiles,
        control_scale=True,
    )
    root = m.get_root()
    assert isinstance(root, Figure)
    root.title = html.escape(content.title)
    tables = _tables(ds)
    data: dict[str, dict[str, Any]] = {}
    for layer in content.layers:
        data[layer.key] = _feature_collection(layer.frame, layer.key, tables)
    _Setup(_config(content, tables)).add_to(m)
    for layer in content.layers:
        _GeoJsonLayer(layer.key, layer.name, data[layer.key], show=layer.show).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _Legend().add_to(m)
    # Keep the data clear of the title (top) and the legend (right).
    m.fit_bounds(
        [[south, west], [north, east]], padding_top_left=(10, 70), padding_bottom_right=(290, 10)
    )
    notes = tuple(n for layer in content.layers for n in layer.notes)
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
    r = _COORD_DECIMALS
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
    page = m.get_root().render()
    _assets.check_offline(page)
    final = Path(path)
    with atomic_path(final) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return final


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
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
    gi_cell_size_m: float = 500.0,
    gi_permutations: int = 999,
    gi_cold_spots: bool = False,
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
    flow_kind, since, until, min_reliability, title
        As for :func:`make_map`.
    gi_cell_size_m, gi_permutations, gi_cold_spots
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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    content = _prepare(
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
    )
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
    footer = content.rule_text
    if content.banner:
        footer = content.banner + ". " + footer
    if content.attribution:
        footer += "\nBoundaries: " + content.attribution
    fig.supxlabel(footer, x=0.01, ha="left", fontsize=7)
    if path is not None:
        final = Path(path)
        fmt = final.suffix.lstrip(".").lower() or "png"
        with atomic_path(final) as tmp:
            fig.savefig(tmp, format=fmt)
    return fig


def _plot_layer(ax: Axes, layer: _Layer) -> None:
    """Draw one layer's frame with the same colours and classes as the web map."""
    frame = layer.frame
    if not len(frame):
        return
    if layer.key == "authorities":
        filled = frame["cls"].notna().any() if "cls" in frame else False
        frame.plot(
            ax=ax,
            color=list(frame["_fill"]),
            edgecolor=list(frame["_edge"]),
            linewidth=[2.2 if e == "#111" else 0.7 for e in frame["_edge"]],
            alpha=0.6 if filled else 1.0,
            zorder=1,
        )
        points = frame.geometry.representative_point()
        for pt, label in zip(points, frame["name"], strict=True):
            ax.annotate(
                label,
                (pt.x, pt.y),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                color="#222",
                zorder=6,
            )
    elif layer.key == "gi_star":
        frame.plot(ax=ax, color=list(frame["_fill"]), linewidth=0, alpha=0.6, zorder=2)
    elif layer.key in ("links", "relocations"):
        _plot_flows(ax, frame, layer.key)
    elif layer.key == "hotspots":
        radius = frame["_radius"].to_numpy(dtype=float)
        order = np.argsort(-radius, kind="stable")
        ax.scatter(
            frame.geometry.x.to_numpy()[order],
            frame.geometry.y.to_numpy()[order],
            s=(radius[order] * 1.2) ** 2,
            c=list(np.asarray(frame["_fill"], dtype=object)[order]),
            edgecolors="#222",
            linewidths=0.4,
            zorder=5,
        )


def _static_handles(content: _Content) -> list[Any]:
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


def _plot_flows(ax: Axes, frame: gpd.GeoDataFrame, key: str) -> None:
    shafts = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["_shaft"]))
    distant = (shafts["reach"] != "neighbours").to_numpy(dtype=bool)
    for dashed in (False, True):
        subset = shafts[distant == dashed] if key == "links" else (None if dashed else shafts)
        if subset is None or not len(subset):
            continue
        subset.plot(
            ax=ax,
            color=list(subset["_colour"]),
            linewidth=[w * 0.6 for w in subset["_width"]],
            linestyle="--" if dashed else "-",
            alpha=0.75,
            zorder=3,
        )
    has_head = frame["_head"].notna().to_numpy(dtype=bool)
    if has_head.any():
        heads = gpd.GeoDataFrame(
            {"_colour": list(frame["_colour"][has_head])},
            geometry=list(frame["_head"][has_head]),
        )
        heads.plot(ax=ax, color=list(heads["_colour"]), linewidth=0, zorder=3)
