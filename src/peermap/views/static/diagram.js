/* The browser half of peermap's diagrams: Leaflet's CRS.Simple draws the nodes and
   lines laid out in Python. Called as (this)(config); returns the PD helpers. */
function (cfg) {
  var map = L.map("pd-map", {crs: L.CRS.Simple, minZoom: -3, maxZoom: 5, zoomSnap: 0.25,
                             attributionControl: false, zoomControl: false});
  L.control.zoom({position: "bottomleft"}).addTo(map);
  // The view is set first: Leaflet draws a layer (and creates its SVG path) only once
  // the map has a view.
  var box = L.latLngBounds([[cfg.box[0][1], cfg.box[0][0]], [cfg.box[1][1], cfg.box[1][0]]]);
  map.fitBounds(box, {paddingTopLeft: [20, 90], paddingBottomRight: [300, 20]});
  var svg = L.svg({padding: 0.5});
  var defs = document.querySelector("#pd-defs defs");
  var NS = "http://www.w3.org/2000/svg";
  var heads = {};
  // Arrowheads are SVG markers in screen pixels, set back from the line's end by the
  // radius of the node it points at, so they stay visible at every zoom.
  function head(colour, back) {
    var id = "pd-head-" + colour.slice(1) + "-" + Math.round(back);
    if (!heads[id]) {
      var m = document.createElementNS(NS, "marker");
      m.setAttribute("id", id);
      m.setAttribute("viewBox", "0 0 10 10");
      m.setAttribute("markerWidth", "11");
      m.setAttribute("markerHeight", "11");
      m.setAttribute("markerUnits", "userSpaceOnUse");
      m.setAttribute("refX", String(10 + back * 10 / 11));
      m.setAttribute("refY", "5");
      m.setAttribute("orient", "auto");
      var p = document.createElementNS(NS, "path");
      p.setAttribute("d", "M0,0 L10,5 L0,10 z");
      p.setAttribute("fill", colour);
      m.appendChild(p);
      defs.appendChild(m);
      heads[id] = true;
    }
    return "url(#" + id + ")";
  }
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(v) { return String(v).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  // Tooltip text is "title" then "label<TAB>value" lines; it becomes a small table.
  function tip(text) {
    var lines = text.split("\n"), h = '<div class="pd-tip"><b>' + esc(lines[0]) + "</b><table>";
    lines.slice(1).forEach(function (line) {
      var i = line.indexOf("\t");
      h += "<tr><th>" + esc(line.slice(0, i)) + "</th><td>" + esc(line.slice(i + 1)) + "</td></tr>";
    });
    return h + "</table></div>";
  }
  var groups = {};
  function group(name) {
    if (!groups[name]) { groups[name] = L.featureGroup().addTo(map); }
    return groups[name];
  }
  // Each context of a people-level diagram sits in its own dashed frame, under
  // everything else; its label's tooltip gives the context's reasons.
  (cfg.frames || []).forEach(function (f) {
    L.rectangle([[f.y0, f.x0], [f.y1, f.x1]], {renderer: svg, interactive: false, fill: false,
      color: "#6b6b6b", weight: 1, dashArray: "5 4", className: "pd-frame"}).addTo(map);
    L.marker([f.y1, f.x0], {keyboard: false, icon: L.divIcon({className: "pd-frame-label",
      html: "<span>" + esc(f.label) + "</span>", iconSize: null})})
      .bindTooltip(function () { return tip(f.tip); }, {direction: "top"}).addTo(map);
  });
  var radius = {};
  cfg.nodes.forEach(function (n) { radius[n.id] = n.shape === "circle" ? n.size : n.size * 0.75; });
  cfg.edges.forEach(function (e) {
    var line = L.polyline(e.points.map(function (p) { return [p[1], p[0]]; }), {
      renderer: svg, color: e.colour, weight: e.width, opacity: e.opacity,
      dashArray: e.dash, lineCap: "butt", className: "pd-edge pd-" + e.type
    });
    line.bindTooltip(function () { return tip(e.tip); }, {sticky: true});
    line.addTo(group(cfg.groups[e.type]));
    if (e.directed) {
      line._path.setAttribute("marker-end", head(e.colour, radius[e.v] + e.width / 2 + 1));
    }
    if (e.label) {
      var mid = e.points[Math.floor(e.points.length / 2)];
      L.marker([mid[1], mid[0]], {interactive: false, keyboard: false,
        icon: L.divIcon({className: "pd-flow", html: "<span>" + esc(e.label) + "</span>",
                         iconSize: null})}).addTo(group(cfg.groups[e.type]));
    }
  });
  var labels = L.featureGroup();
  cfg.nodes.forEach(function (n) {
    var at = [n.y, n.x], mark;
    if (n.shape === "square" || n.shape === "diamond") {
      mark = L.marker(at, {icon: L.divIcon({className: "pd-node pd-" + n.type + " pd-" + n.shape, iconSize:
        [n.size, n.size], html: '<div style="background:' + n.colour + '"></div>'})});
    } else {
      mark = L.circleMarker(at, {renderer: svg, radius: n.size, fillColor: n.colour,
        fillOpacity: 1, color: n.outline, weight: n.outline_width, opacity: 1,
        className: "pd-node pd-" + n.type + (n.relocated ? " pd-relocated" : "")});
    }
    mark.bindTooltip(function () { return tip(n.tip); }, {direction: "top"});
    mark.addTo(group(n.type === "place" ? cfg.groups.sighting : "nodes"));
    if (n.label) {
      L.marker(at, {interactive: false, keyboard: false, icon: L.divIcon({
        className: "pd-label" + (n.type === "authority" ? " pd-label-authority" : ""),
        html: n.type === "authority"
          ? '<span style="top:' + (n.size + 2) + 'px">' + esc(n.label) + "</span>"
          : "<span>" + esc(n.label) + "</span>", iconSize: null})}).addTo(labels);
    }
  });
  labels.addTo(map);
  var overlays = {};
  Object.keys(cfg.layerNames).forEach(function (key) {
    if (groups[key]) { overlays[cfg.layerNames[key]] = groups[key]; }
  });
  if (cfg.nodes.some(function (n) { return n.label; })) { overlays.Labels = labels; }
  L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
  var Legend = L.Control.extend({onAdd: function () {
    var div = L.DomUtil.create("div", "pd-legend");
    div.innerHTML = cfg.legend;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  }});
  new Legend({position: "topright"}).addTo(map);
  var title = L.DomUtil.create("div", "pd-title", map.getContainer());
  title.innerHTML = cfg.title;
  var labelZoom = map.getZoom() + cfg.labelStep;
  function showLabels() {
    map.getContainer().classList.toggle("pd-nolabels", map.getZoom() < labelZoom - 1e-9);
  }
  map.on("zoomend", showLabels);
  showLabels();
  function count(type) {
    var n = 0;
    map.eachLayer(function (l) {
      var o = l.options || {}, c = o.className || (o.icon && o.icon.options.className) || "";
      if ((" " + c + " ").indexOf(" pd-" + type + " ") >= 0) { n += 1; }
    });
    return n;
  }
  return {map: map, count: count, labelZoom: labelZoom, cfg: cfg};
}
