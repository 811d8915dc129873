/* The browser half of peermap's maps: every layer is one L.geoJSON whose style, markers
   and tooltips are computed from its features' properties by these functions (no
   per-feature code). Called as (this)(map, config); returns the PM helpers. */
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
  var isolated = null;  // the context shown alone (its rank), or null for all
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
    contexts: function (p) {
      // Outlines dashed, links solid, places as dots; a public map's pairs as lines.
      var c = p.k === 3 ? cfg.contextColours[1] : cfg.contextColours[(p.r - 1) % cfg.contextColours.length];
      // An outline shows only with its context alone: with every context drawn, the
      // outlines of their authorities would cover the whole region.
      var off = isolated !== null ? p.r !== isolated : p.k === 0;
      if (p.k === 2) {
        return {className: "pm-contexts", radius: 4.5, color: "#fff", weight: 1, fillColor: c,
                fillOpacity: off ? 0 : 0.95, opacity: off ? 0 : 1};
      }
      return {className: "pm-contexts", color: c, weight: p.k === 0 ? 3.5 : (p.k === 4 ? 2 : 2.5),
              dashArray: p.k === 0 ? "8 5" : (p.k === 4 ? "2 5" : null),
              opacity: off ? 0 : 0.9, fill: false};
    },
    hotspots: function (p) {
      var size = typeof p.p === "number" ? classOf(p.p, cfg.venueSteps) : 0;
      var colour = typeof p.o === "number" ? classOf(p.o, cfg.shareBreaks)
        : (p.o === cfg.marker ? -1 : null);
      // The most concerning venues (numbered) wear a black ring.
      return {className: "pm-hotspots", radius: cfg.radii[size], color: p.r ? "#000" : "#222",
              weight: p.r ? 3 : 0.8, fillColor: shade(cfg.share, colour), fillOpacity: 0.92};
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
    if (key === "hotspots" || key === "contexts") {
      options.pointToLayer = function (f, latlng) {
        var o = styles[key](f.properties);
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
  // A map laid out before its frame has a size (a report's iframe, while the report is
  // still being laid out) has no room for the padding: fit it once it has a size.
  var fitBounds = map.fitBounds, pendingFit = null;
  map.fitBounds = function (bounds, options) {
    var size = map.getSize(), o = L.extend({}, options);
    var tl = L.point(o.paddingTopLeft || [0, 0]), br = L.point(o.paddingBottomRight || [0, 0]);
    if (size.x < 2 * (tl.x + br.x) || size.y < 2 * (tl.y + br.y)) {
      if (size.x < 100 || size.y < 100) {
        pendingFit = [bounds, options];
        return map.setView(L.latLngBounds(bounds).getCenter(), map.getZoom() || 0);
      }
      var k = Math.min(1, size.x / 2 / (tl.x + br.x || 1), size.y / 2 / (tl.y + br.y || 1));
      o.paddingTopLeft = tl.multiplyBy(k);
      o.paddingBottomRight = br.multiplyBy(k);
    }
    return fitBounds.call(map, bounds, o);
  };

  // The panels: the title at the top, between the zoom buttons and the right-hand column
  // (the layer control above the legend); the legend no taller than the room left under
  // the layer control, and closed to its summary when it would not fit open, until its
  // reader opens or closes it.
  var container = map.getContainer();
  var title = L.DomUtil.create("div", "pm-title", container);
  title.innerHTML = cfg.title;
  var legendBox = null, chosen = false, GAP = 10;
  function rect(el) { return el ? el.getBoundingClientRect() : null; }
  function layout() {
    var box = rect(container);
    if (box.width < 100 || box.height < 100) { return; }
    if (pendingFit) {
      var fit = pendingFit;
      pendingFit = null;
      map.fitBounds(fit[0], fit[1]);
    }
    var left = GAP, right = box.width - GAP;
    var zoom = rect(container.querySelector(".leaflet-top.leaflet-left .leaflet-control"));
    if (zoom) { left = zoom.right - box.left + GAP; }
    container.querySelectorAll(".leaflet-top.leaflet-right .leaflet-control").forEach(function (c) {
      right = Math.min(right, rect(c).left - box.left - GAP);
    });
    var room = Math.max(right - left, 160);
    title.style.maxWidth = room + "px";
    title.style.transform = "none";
    var width = title.offsetWidth;
    var x = Math.min(Math.max((box.width - width) / 2, left), Math.max(left, right - width));
    title.style.left = Math.round(x) + "px";
    if (!legendBox) { return; }
    var details = legendBox.querySelector("details");
    var attribution = rect(container.querySelector(".leaflet-control-attribution"));
    var bottom = box.height - GAP - (attribution ? attribution.height : 0);
    var top = rect(legendBox).top - box.top;
    var height = Math.max(bottom - top, 40);
    if (details && !chosen) {
      legendBox.style.maxHeight = "none";
      details.open = true;
      details.open = legendBox.offsetHeight <= height;
    }
    legendBox.style.maxHeight = Math.floor(height) + "px";
  }
  var Legend = L.Control.extend({
    onAdd: function () {
      var div = L.DomUtil.create("div", "pm-legend");
      div.innerHTML = cfg.legend;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var summary = div.querySelector("details > summary");
      if (summary) { summary.addEventListener("click", function () { chosen = true; }); }
      return div;
    }
  });
  // Click a context in the legend to show it alone; click it again to show them all.
  function isolate(rank) {
    isolated = isolated === rank ? null : rank;
    if (layers.contexts) {
      layers.contexts.setStyle(function (f) { return styles.contexts(f.properties); });
    }
    legendBox.querySelectorAll(".pm-ctx-list li").forEach(function (li) {
      li.classList.toggle("pm-dim", isolated !== null && Number(li.dataset.ctx) !== isolated);
    });
  }
  function legend() {
    legendBox = new Legend({position: "topright"}).addTo(map).getContainer();
    // A layer that opens switched off keeps only its heading in the legend.
    Object.keys(layers).forEach(function (key) {
      legendBox.querySelectorAll("section[data-layer]").forEach(function (s) {
        if (s.dataset.layer === cfg.names[key] && !map.hasLayer(layers[key])) {
          s.classList.add("pm-off");
        }
      });
    });
    legendBox.querySelectorAll(".pm-ctx-list li").forEach(function (li) {
      function pick() { isolate(Number(li.dataset.ctx)); }
      li.addEventListener("click", pick);
      li.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); }
      });
    });
    layout();
  }
  map.on("resize", layout);
  if (window.ResizeObserver) {
    // The controls and the title change size with their text and fonts: lay out again
    // in the next frame (not inside the observer, which would loop).
    var frame = null;
    var watch = new ResizeObserver(function () {
      if (frame === null) {
        frame = requestAnimationFrame(function () { frame = null; layout(); });
      }
    });
    watch.observe(container.querySelector(".leaflet-top.leaflet-right"));
  }
  map.whenReady(layout);
  window.addEventListener("load", layout);
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
  return {layer: layer, legend: legend, count: count, isolate: isolate, layers: layers, cfg: cfg};
}
