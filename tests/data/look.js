/* What a reader of a map sees, measured in its page (tests/test_browser.py and
   benchmarks/bench_map.py): the boxes of the authority names shown and how many pairs
   overlap, the panels, the largest rectangle free of panels, and the region's box in
   pixels. Called with the region as [west, south, east, north], or null for the map's
   own bounds. */
(region) => {
  var map = Object.values(window).find(v => v instanceof L.Map);
  var c = map.getContainer().getBoundingClientRect(), W = c.width, H = c.height;
  function box(r) { return [r.left - c.left, r.top - c.top, r.right - c.left, r.bottom - c.top]; }
  function hit(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
  var all = Array.from(document.querySelectorAll('.pm-name span'));
  var names = all.filter(s => {
    var r = s.getBoundingClientRect();
    return getComputedStyle(s).visibility === 'visible' && r.width > 0 &&
      r.right > c.left && r.left < c.right && r.bottom > c.top && r.top < c.bottom;
  }).map(s => box(s.getBoundingClientRect()));
  var pairs = 0, overlapping = 0;
  for (var i = 0; i < names.length; i++) {
    for (var j = i + 1; j < names.length; j++) {
      pairs++;
      if (hit(names[i], names[j])) { overlapping++; }
    }
  }
  var panels = ['.pm-title', '.leaflet-control-layers', '.pm-legend', '.leaflet-control-zoom',
                '.leaflet-control-attribution', '.leaflet-control-scale']
    .map(s => document.querySelector(s)).filter(e => e).map(e => box(e.getBoundingClientRect()));
  var free = null, area = 0;
  [0].concat(panels.map(p => p[2])).forEach(l => [W].concat(panels.map(p => p[0])).forEach(r =>
    [0].concat(panels.map(p => p[3])).forEach(t => [H].concat(panels.map(p => p[1])).forEach(b => {
      var q = [l, t, r, b];
      if (r > l && b > t && (r - l) * (b - t) > area && !panels.some(p => hit(p, q))) {
        free = q;
        area = (r - l) * (b - t);
      }
    }))));
  // The region's box: given as [west, south, east, north], or the map's own bounds.
  var bounds = region
    ? L.latLngBounds([[region[1], region[0]], [region[3], region[2]]])
    : L.latLngBounds(PM.cfg.bounds);
  var nw = map.latLngToContainerPoint(bounds.getNorthWest());
  var se = map.latLngToContainerPoint(bounds.getSouthEast());
  return {names: names, total: all.length, pairs: pairs, overlapping: overlapping,
          panels: panels, free: free, region: [nw.x, nw.y, se.x, se.y], size: [W, H],
          zoom: map.getZoom()};
}
