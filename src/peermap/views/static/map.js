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
  var helpers = {layers: layers, cfg: cfg, ready: null};
  var names = [];  // the authorities' name labels: {marker, rank, w, h}
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
  // A black ring around a numbered venue, a few pixels outside its marker and never
  // small, whatever its footfall: a quiet trap house is as plain as a busy school.
  function ring(l, style) {
    return L.circleMarker(l.getLatLng(), {
      renderer: canvas, className: "pm-hotspots", interactive: false, fill: false,
      radius: Math.max(style.radius + cfg.ring[0], cfg.ring[1]), color: "#000", weight: 3});
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
    emerging: function (p) {
      return {className: "pm-emerging", color: "#333", weight: 0.5, fillColor: p.f,
              fillOpacity: 0.75};
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
    online: function (p) {
      return {className: "pm-online", color: "#6a3d9a", weight: 3, opacity: 0.8,
              dashArray: "6 5"};
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
      // The most concerning venues (numbered) also wear a ring of their own (ring()).
      return {className: "pm-hotspots", radius: cfg.radii[size], color: p.r ? "#000" : "#222",
              weight: p.r ? 1.5 : 0.8, fillColor: shade(cfg.share, colour), fillOpacity: 0.92};
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
      if (key === "hotspots" && p.r) { extra.push(ring(l, styles[key](p))); }
      if (given(p.label) && p.at) {
        // Labels are markers with a DivIcon: placing them needs no layout reads, unlike
        // permanent tooltips, which matters with thousands of paths on the page.
        var mark = L.marker([p.at[1], p.at[0]], {
          interactive: false, keyboard: false,
          icon: L.divIcon({className: key === "authorities" ? "pm-name" : "pm-count",
                           html: "<span>" + esc(p.label) + "</span>", iconSize: null})});
        if (key === "authorities") {
          names.push({marker: mark, rank: given(p.lr) ? p.lr : names.length, w: 0, h: 0});
        }
        extra.push(mark);
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
  // The panels: the title at the top, between the zoom buttons and the right-hand column
  // (the layer control above the legend); the legend no taller than the room left under
  // the layer control, and closed to its summary when it would not fit open, until its
  // reader opens or closes it.
  var container = map.getContainer();
  var title = L.DomUtil.create("div", "pm-title", container);
  title.innerHTML = cfg.title;
  var legendBox = null, chosen = false, GAP = 10;
  function rect(el) { return el ? el.getBoundingClientRect() : null; }
  // A panel's box in the map's own pixels: [left, top, right, bottom].
  function inMap(el, box) {
    var r = rect(el);
    return r && r.width && r.height
      ? [r.left - box.left, r.top - box.top, r.right - box.left, r.bottom - box.top] : null;
  }
  function hits(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
  function panels(box) {
    var out = [];
    container.querySelectorAll(".pm-title, .leaflet-control").forEach(function (el) {
      var b = inMap(el, box);
      if (b) { out.push(b); }
    });
    return out;
  }

  // Authority names without collisions: the largest authorities first, each shown only
  // where its box (with a margin) is inside the map, off every panel and clear of every
  // name already shown; placed again after every move and zoom. Text sizes are measured
  // once, so a pass reads no layout.
  var MARGIN = 2, ranked = false;
  function placeNames() {
    if (!layers.authorities || !map.hasLayer(layers.authorities) || !names.length) { return; }
    var box = rect(container), size = map.getSize();
    if (!ranked) {
      names.sort(function (a, b) { return a.rank - b.rank; });
      ranked = true;
    }
    var todo = names.filter(function (n) { return n.marker._icon; });
    todo.forEach(function (n) {
      if (!n.w) {
        var s = n.marker._icon.firstChild;
        n.w = s.offsetWidth;
        n.h = s.offsetHeight;
      }
    });
    var taken = panels(box);
    todo.forEach(function (n) {
      var c = map.latLngToContainerPoint(n.marker.getLatLng());
      var b = [c.x - n.w / 2 - MARGIN, c.y - n.h / 2 - MARGIN,
               c.x + n.w / 2 + MARGIN, c.y + n.h / 2 + MARGIN];
      var free = n.w > 0 && b[0] >= 0 && b[1] >= 0 && b[2] <= size.x && b[3] <= size.y &&
        !taken.some(function (t) { return hits(t, b); });
      if (free) { taken.push(b); }
      L.DomUtil[free ? "removeClass" : "addClass"](n.marker._icon, "pm-hide");
    });
  }
  map.on("moveend", placeNames);

  // The first view: the region (cfg.bounds) as large as a whole zoom level allows in
  // the room the panels leave, measured once they are laid out. First the largest zoom
  // at which its box fits left of the right-hand column and under the title, or under
  // the column across the whole width (the legend closed to its summary when that gives
  // a larger zoom); then one level more when, centred in one of those rooms, no
  // authority's box would leave the map or meet a panel. Fitted again when the window
  // changes size, until its reader moves the map. Whole zoom levels only: a fractional
  // zoom breaks the canvas's hover hit-testing once a layer is switched off.
  var touched = false, fittedAt = null, closedToFit = false;
  ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (type) {
    container.addEventListener(type, function () { touched = true; }, true);
  });
  function room(box, open, details) {
    if (details) { details.open = open; }
    var r = {open: open, panels: panels(box), top: 0, bottom: 0, column: box.width, low: 0};
    [".pm-title", ".leaflet-top.leaflet-left .leaflet-control"].forEach(function (sel) {
      var b = inMap(container.querySelector(sel), box);
      if (b) { r.top = Math.max(r.top, b[3]); }
    });
    container.querySelectorAll(".leaflet-bottom .leaflet-control").forEach(function (el) {
      var b = inMap(el, box);
      if (b) { r.bottom = Math.max(r.bottom, box.height - b[1]); }
    });
    container.querySelectorAll(".leaflet-top.leaflet-right .leaflet-control").forEach(function (el) {
      var b = inMap(el, box);
      if (b) { r.column = Math.min(r.column, b[0]); r.low = Math.max(r.low, b[3]); }
    });
    return r;
  }
  function fitView(box, details) {
    var at = Math.round(box.width) + "x" + Math.round(box.height);
    if (!cfg.bounds || touched || fittedAt === at) { return; }
    fittedAt = at;
    // Leaflet keeps the size it measured last (0 x 0 in a frame laid out late).
    var known = map.getSize();
    if (known.x !== Math.round(box.width) || known.y !== Math.round(box.height)) {
      map.invalidateSize({pan: false, animate: false});
    }
    var W = box.width, H = box.height, bounds = L.latLngBounds(cfg.bounds);
    var open = details ? details.open : false;
    var rooms = [room(box, open, details)];
    if (details && open && !chosen) { rooms.push(room(box, false, details)); }
    if (details) { details.open = open; }
    // Padded rooms: [padding top left, padding bottom right, room].
    var options = [[[GAP, rooms[0].top + GAP], [W - rooms[0].column + GAP, rooms[0].bottom + GAP], rooms[0]]];
    rooms.forEach(function (r) {
      options.push([[GAP, Math.max(r.top, r.low) + GAP], [GAP, r.bottom + GAP], r]);
    });
    var best = null, zoom = -Infinity;
    options.forEach(function (o) {
      var pad = L.point(o[0]).add(o[1]);
      if (W - pad.x < 100 || H - pad.y < 100) { return; }  // no room
      var z = map.getBoundsZoom(bounds, false, pad);
      if (z > zoom) { best = o; zoom = z; }
    });
    if (!best) { best = [[0, 0], [0, 0], rooms[0]]; zoom = map.getBoundsZoom(bounds); }
    var view = closer(bounds, zoom + 1, rooms, W, H);
    var chosenRoom = view ? view.room : best[2];
    if (details && !chosen) { details.open = chosenRoom.open; }
    closedToFit = details ? !chosenRoom.open : false;
    if (view) {
      map.setView(view.center, view.zoom, {animate: false});
    } else {
      map.fitBounds(bounds, {paddingTopLeft: best[0], paddingBottomRight: best[1], animate: false});
    }
    // When the first view was set (performance.now(), for benchmarks).
    if (helpers.ready === null) { helpers.ready = performance.now(); }
  }
  // The view one zoom level closer, if the region fits a room with no authority's box
  // off the map or under a panel; or null.
  function closer(bounds, z, rooms, W, H) {
    if (z > map.getMaxZoom()) { return null; }
    var parts = [];
    if (layers.authorities) {
      layers.authorities.eachLayer(function (l) { if (l.feature && l.getBounds) { parts.push(l.getBounds()); } });
    }
    if (!parts.length) { parts.push(bounds); }
    var nw = map.project(bounds.getNorthWest(), z), size = map.project(bounds.getSouthEast(), z).subtract(nw);
    var boxes = parts.map(function (b) {
      return [map.project(b.getNorthWest(), z).subtract(nw), map.project(b.getSouthEast(), z).subtract(nw)];
    });
    for (var i = 0; i < rooms.length; i++) {
      var r = rooms[i];
      var candidates = [[0, r.top, r.column, H], [0, Math.max(r.top, r.low), W, H], [0, 0, W, H]];
      for (var j = 0; j < candidates.length; j++) {
        var c = candidates[j];
        if (size.x > c[2] - c[0] || size.y > c[3] - c[1]) { continue; }
        var x0 = (c[0] + c[2] - size.x) / 2, y0 = (c[1] + c[3] - size.y) / 2;
        var clear = boxes.every(function (b) {
          var q = [b[0].x + x0, b[0].y + y0, b[1].x + x0, b[1].y + y0];
          return q[0] >= 0 && q[1] >= 0 && q[2] <= W && q[3] <= H &&
            !r.panels.some(function (p) { return hits(p, q); });
        });
        if (clear) {
          var centre = nw.subtract(L.point(x0, y0)).add(L.point(W / 2, H / 2));
          return {center: map.unproject(centre, z), zoom: z, room: r};
        }
      }
    }
    return null;
  }

  function layout() {
    var box = rect(container);
    if (box.width < 100 || box.height < 100) { return; }
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
      details.open = legendBox.offsetHeight <= height && !closedToFit;
    }
    legendBox.style.maxHeight = Math.floor(height) + "px";
    fitView(box, details);
    placeNames();
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
  map.on("overlayadd", function (e) { toggle(e, false); placeNames(); });
  map.on("overlayremove", function (e) { toggle(e, true); });
  if (cfg.attribution) { map.attributionControl.addAttribution(esc(cfg.attribution)); }
  L.extend(helpers, {layer: layer, legend: legend, count: count, isolate: isolate,
                     placeNames: placeNames});
  function count(key) {
    var n = 0;
    if (layers[key] && map.hasLayer(layers[key])) {
      layers[key].eachLayer(function (l) { if (l.feature) { n += 1; } });
    }
    return n;
  }
  return helpers;
}
