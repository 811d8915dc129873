"""Saved maps open in headless chromium with no network at all.

The page is opened from a ``file://`` URL; every request to anything else is refused and
recorded (there must be none), console errors and uncaught exceptions are collected
(there must be none), each layer must be on the map and in the layer control, a tooltip
must show on hover, and a screenshot is written to the test's temporary folder.

Needs the Debian package ``chromium`` (``.ci/run`` installs it) and the Python package
``playwright`` (used with the system chromium; it never downloads a browser). Without
them the tests skip, except when the environment variable ``CI`` is set: then they fail,
so that CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
import pytest

import peermap
from peermap.synthetic import scenario
from peermap.views.map_builders import MAX_LINKS
from peermap.views.map_content import QUIET_LAYERS
from peermap.views.map_style import NUMBERED_RING_MIN
from peermap.views.maps import LAYERS, make_map, save_map
from peermap.views.report import write_report

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAYER_NAMES = {
    "authorities": "Authorities",
    "gi_star": "Gi* hot spots",
    "emerging": "Emerging hot spots",
    "links": "Cross-authority links",
    "relocations": "Relocations",
    "online": "Online spaces",
    "hotspots": "Hotspot venues",
    "contexts": "Contexts",
}


def _chromium() -> str | None:
    explicit = os.environ.get("PEERMAP_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run on CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        _unavailable(
            "no chromium found (install the Debian package 'chromium', or set PEERMAP_CHROMIUM)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package 'playwright' is not installed")
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 860},
        )
        yield context
        context.close()


#: Resolves once the page's map has not moved or resized for 300 ms (a sandboxed frame
#: refuses some of its window's properties, hence the try).
SETTLE = (
    "new Promise(done => { var m = null; for (var k of Object.keys(window)) {"
    " try { if (window[k] instanceof L.Map) { m = window[k]; break; } } catch (e) {} }"
    " var t; function later() { clearTimeout(t); t = setTimeout(done, 300); }"
    " m.on('move moveend zoomend resize', later); later(); })"
)


class Page:
    """A page opened offline, with what it tried to fetch and what went wrong."""

    def __init__(self, context: Any, path: Path, *, size: tuple[int, int] | None = None):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        if size is not None:
            self.page.set_viewport_size({"width": size[0], "height": size[1]})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort("internetdisconnected")

    def js(self, code: str) -> Any:
        return self.page.evaluate(code)

    def settle(self) -> None:
        """Wait until the map has not moved for 300 ms (the window may resize on opening)."""
        self.js(SETTLE)


@pytest.fixture(scope="module")
def demo() -> peermap.Dataset:
    # With online spaces planted (schema 1.1), so every layer has something to draw.
    return scenario(peermap.demo_boundaries(), n_people=600, seed=5, online_spaces=True).dataset


def test_demo_map_opens_offline_with_every_layer(
    browser: Any, demo: peermap.Dataset, tmp_path: Path
) -> None:
    m = make_map(
        demo,
        audience="partnership",
        tiles=None,
        choropleth="people_seen",
        gi_permutations=99,
        emerging=True,  # the one layer off by default
    )
    assert set(m.info.layers) == set(LAYERS)
    page = Page(browser, save_map(m, tmp_path / "demo.html"))
    try:
        assert page.requests == []
        assert page.errors == []
        # The overview opens on the contexts: links and relocations are a switch away.
        for key in LAYERS:
            n = len(m.info.layers[key]["features"])
            assert page.js(f"PM.count({key!r})") == (0 if key in QUIET_LAYERS else n), key
        # Each numbered venue wears a ring that a quiet place's small marker does not
        # shrink: a trap house is as plain to see as a busy school.
        numbered = [
            f["properties"]["r"]
            for f in m.info.layers["hotspots"]["features"]
            if f["properties"].get("r")
        ]
        rings = page.js(
            "(() => { var out = []; PM.layers.hotspots.eachLayer(l => {"
            " if (!l.feature && l instanceof L.CircleMarker) { out.push(l.options.radius); }"
            " }); return out; })()"
        )
        assert sorted(numbered) == [1, 2, 3, 4, 5] and len(rings) == len(numbered)
        assert min(rings) >= NUMBERED_RING_MIN
        control = page.js(
            "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays span'))"
            ".map(e => e.textContent.trim())"
        )
        for key in LAYERS:
            assert any(text.startswith(LAYER_NAMES[key]) for text in control), (key, control)
        assert page.js("document.querySelectorAll('.leaflet-overlay-pane canvas').length") == 1
        assert page.js("document.querySelectorAll('.pm-name').length") == 7  # authority names
        title = page.js("document.querySelector('.pm-title').textContent")
        assert "Partnership map" in title and "PARTNERSHIP ONLY" in title
        legend = page.js("document.querySelector('.pm-legend').textContent")
        assert "Hotspot venues" in legend and "Fictional demonstration boundaries" in legend
        attribution = page.js("document.querySelector('.leaflet-control-attribution').textContent")
        assert "Fictional demonstration boundaries" in attribution

        # Hovering a venue shows its tooltip: kind, authority and counts (the contexts,
        # drawn over the venues, switched off so the venue is what the pointer meets).
        for name in ("Contexts", "Gi*"):
            page.page.locator(".leaflet-control-layers-overlays label", has_text=name).click()
        assert page.js("PM.count('contexts')") == 0 and page.js("PM.count('gi_star')") == 0
        page.settle()
        # The largest venue that no panel (title, legend, layer control) covers.
        for venue in m.info.table("hotspots").to_dict("records"):
            x, y, bare = page.js(
                "(() => { var m = Object.values(window).find(v => v instanceof L.Map);"
                f" var p = m.latLngToContainerPoint([{venue['lat']}, {venue['lon']}]);"
                " var r = m.getContainer().getBoundingClientRect();"
                " var x = p.x + r.left, y = p.y + r.top, e = document.elementFromPoint(x, y);"
                " return [x, y, !!e && e.tagName === 'CANVAS']; })()"
            )
            if bare:
                break
        # On a busy machine the canvas can miss a hover: move off and back, up to 3 times.
        for attempt in range(3):
            if attempt:
                page.page.mouse.move(x + 40, y + 40, steps=4)
            page.page.mouse.move(x, y, steps=4)
            # Leaflet's canvas throttles hover tests (32 ms): a pointer that stops right
            # after a quick move can leave the last test undone; a later nudge runs it.
            page.page.wait_for_timeout(80)
            page.page.mouse.move(x + 1, y, steps=1)
            try:
                page.page.wait_for_function(
                    "(people) => { var t = document.querySelector('.leaflet-tooltip .pm-tip');"
                    " return t && t.textContent.includes('Young people')"
                    " && t.textContent.includes(people); }",
                    arg=str(venue["people"]),
                    timeout=3000,
                )
                break
            except Exception:
                if attempt == 2:
                    raise
        tip = page.js("document.querySelector('.leaflet-tooltip .pm-tip').textContent")
        assert "Young people" in tip and str(venue["people"]) in tip
        assert venue["authority"] in tip

        # Switching a layer off removes it and greys its legend section.
        page.page.locator(".leaflet-control-layers-overlays label", has_text="Hotspot").click()
        assert page.js("PM.count('hotspots')") == 0
        assert page.js(
            "document.querySelector('.pm-legend section[data-layer=\"Hotspot venues\"]')"
            ".classList.contains('pm-off')"
        )
        page.page.locator(".leaflet-control-layers-overlays label", has_text="Hotspot").click()
        assert page.js("PM.count('hotspots')") > 0
        for name in ("Contexts", "Gi*"):
            page.page.locator(".leaflet-control-layers-overlays label", has_text=name).click()
        for key in QUIET_LAYERS:
            page.js(
                "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
                f".find(l => l.textContent.trim().startsWith({LAYER_NAMES[key]!r}))"
                ".querySelector('input').click()"
            )
            assert page.js(f"PM.count({key!r})") == len(m.info.layers[key]["features"]), key

        # Clicking a context in the legend shows it alone; clicking again shows them all.
        def visible() -> list[int]:
            return page.js(  # type: ignore[no-any-return]
                "(() => { var out = []; PM.layers.contexts.eachLayer(l => {"
                " if (l.feature && l.options.opacity > 0) { out.push(l.feature.properties.r); }"
                " }); return out; })()"
            )

        ranks = {f["properties"]["r"] for f in m.info.layers["contexts"]["features"]}
        assert len(ranks) >= 2 and set(visible()) == ranks
        page.js("document.querySelector('.pm-ctx-list li[data-ctx=\"2\"]').click()")
        assert set(visible()) == {2}
        page.js("document.querySelector('.pm-ctx-list li[data-ctx=\"2\"]').click()")
        assert set(visible()) == ranks

        shot = tmp_path / "demo.png"
        page.page.mouse.move(5, 5)
        page.page.screenshot(path=str(shot))
        _assert_not_blank(shot)
        assert page.errors == [] and page.requests == []
    finally:
        page.page.close()


def test_public_map_opens_offline(browser: Any, demo: peermap.Dataset, tmp_path: Path) -> None:
    m = make_map(demo, tiles=None, layers=["authorities", "hotspots"], min_count=10, round_to=5)
    page = Page(browser, save_map(m, tmp_path / "public.html"))
    try:
        assert page.errors == [] and page.requests == []
        assert page.js("PM.count('hotspots')") == len(m.info.layers["hotspots"]["features"]) > 0
        assert "Public map" in page.js("document.querySelector('.pm-title').textContent")
        page.page.screenshot(path=str(tmp_path / "public.png"))
        _assert_not_blank(tmp_path / "public.png")
    finally:
        page.page.close()


def test_a_cdn_map_is_caught_by_this_harness(browser: Any, tmp_path: Path) -> None:
    """A default folium page, offline, is what the tests above must not see."""
    path = tmp_path / "cdn.html"
    folium.Map(tiles=None).save(str(path))
    page = Page(browser, path)
    try:
        assert any("cdn.jsdelivr.net" in url for url in page.requests)
        assert any("L is not defined" in e for e in page.errors)
    finally:
        page.page.close()


#: Window sizes of common laptops and desktops, and a small one that must still work.
WINDOWS = [(1366, 768), (1440, 900), (1920, 1080), (1024, 768)]
#: The panels on a map page.
PANELS = {"title": ".pm-title", "layers": ".leaflet-control-layers", "legend": ".pm-legend"}
#: The panels' boxes and the window's size, measured in the map's own window.
MEASURE = (
    "(panels) => { var out = {window: [window.innerWidth, window.innerHeight]};"
    " for (var k in panels) { var r = document.querySelector(panels[k]).getBoundingClientRect();"
    " out[k] = [r.left, r.top, r.right, r.bottom]; } return out; }"
)

#: The legend is open only when it fits without scrolling (otherwise closed to its summary).
LEGEND_FITS = (
    "(() => { var l = document.querySelector('.pm-legend');"
    " return !l.querySelector('details').open || l.scrollHeight <= l.clientHeight; })()"
)


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _assert_panels_apart(boxes: dict[str, Any], where: str) -> None:
    width, height = boxes["window"]
    names = list(PANELS)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), (where, a, b, boxes)
    for name in names:
        left, top, right, bottom = boxes[name]
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, (where, name, boxes)


@pytest.fixture(scope="module")
def demo_pages(demo: peermap.Dataset, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("panels")
    partnership = make_map(
        demo, audience="partnership", tiles=None, choropleth="people_seen", gi_permutations=99
    )
    public = make_map(demo, tiles=None, min_count=10, round_to=5)
    return {
        "partnership": save_map(partnership, folder / "partnership.html"),
        "public": save_map(public, folder / "public.html"),
        "report": write_report(demo, folder / "report.html", audience="partnership"),
    }


@pytest.mark.parametrize("size", WINDOWS, ids=[f"{w}x{h}" for w, h in WINDOWS])
@pytest.mark.parametrize("which", ["partnership", "public"])
def test_map_panels_do_not_overlap(
    browser: Any, demo_pages: dict[str, Path], which: str, size: tuple[int, int]
) -> None:
    """The title, the layer control and the legend stay apart and inside the window."""
    page = Page(browser, demo_pages[which], size=size)
    try:
        page.settle()
        boxes = page.page.evaluate(MEASURE, PANELS)
        assert boxes["window"] == list(size)
        _assert_panels_apart(boxes, f"{which} {size}")
        # Every layer switch can be clicked (nothing covers it).
        for label in page.page.locator(".leaflet-control-layers-overlays label").all():
            box = label.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            assert page.js(
                f"document.elementFromPoint({x}, {y}).closest('.leaflet-control-layers') !== null"
            ), (which, size, label.text_content())
        # Open at first only when it fits without scrolling; otherwise closed to its summary.
        assert page.js(LEGEND_FITS), (which, size)
        # The legend opens (its summary is a button) and still fits the window.
        if not page.js("document.querySelector('.pm-legend > details').open"):
            page.page.locator(".pm-legend > details > summary").first.click()
        assert page.js("document.querySelector('.pm-legend > details').open")
        _assert_panels_apart(page.page.evaluate(MEASURE, PANELS), f"{which} {size} open")
        assert page.errors == [] and page.requests == []
    finally:
        page.page.close()


@pytest.mark.parametrize("size", WINDOWS[:3], ids=[f"{w}x{h}" for w, h in WINDOWS[:3]])
def test_report_map_panels_do_not_overlap(
    browser: Any, demo_pages: dict[str, Path], size: tuple[int, int]
) -> None:
    """Inside a report's embedded map the panels stay apart and inside the map's frame."""
    page = Page(browser, demo_pages["report"], size=size)
    try:
        page.page.frame_locator("iframe.map").locator(".pm-legend").wait_for()
        inner = next(f for f in page.page.frames if f != page.page.main_frame)
        inner.wait_for_function("() => document.querySelector('.pm-legend') !== null")
        # The frame may resize while the report lays out (a busy machine: late), and
        # the legend is laid out again with it; measure what the reader then sees.
        inner.evaluate(SETTLE)
        _assert_panels_apart(inner.evaluate(MEASURE, PANELS), f"report {size}")
        # The legend is closed or fits once the frame has its size; on a busy machine
        # the last resize can come after the map settles, so wait for it (a legend that
        # never fits fails here).
        from playwright.sync_api import TimeoutError as Timeout

        try:
            inner.wait_for_function(LEGEND_FITS, timeout=15_000)
        except Timeout:
            pytest.fail(f"the report map's legend overflows at {size}")
        assert page.errors == [] and page.requests == []
    finally:
        page.page.close()


def _assert_not_blank(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (1280, 860)
        colours = rgb.getcolors(maxcolors=1 << 24) or []
        assert len(colours) > 100, "screenshot looks blank"
        # No single colour (the empty background) covers more than 90% of the page.
        assert max(n for n, _ in colours) < 0.9 * rgb.size[0] * rgb.size[1]


# --------------------------------------------------------------------------- legibility

#: What a reader sees, measured in the page: the boxes of the authority names shown, the
#: panels, the largest rectangle free of panels, and the region's box in pixels.
LOOK = (Path(__file__).parent / "data" / "look.js").read_text(encoding="utf-8")


def _region(collection: dict[str, Any]) -> list[float]:
    """West, south, east, north of a FeatureCollection's polygons."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if isinstance(coords[0], int | float):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in collection["features"]:
        walk(feature["geometry"]["coordinates"])
    return [min(xs), min(ys), max(xs), max(ys)]


@pytest.fixture(scope="module")
def legible_maps(
    demo: peermap.Dataset, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """Partnership maps of the demo region, London (2013 file) and England (2024 file)."""
    folder = tmp_path_factory.mktemp("legible")
    made: dict[str, tuple[Path, list[float]]] = {}

    def get(which: str) -> tuple[Path, list[float]]:
        if which not in made:
            if which == "demo":
                ds = demo
            else:
                # read once a session (conftest), warning as it should
                vintage = 2013 if which == "london" else 2024
                loaded = request.getfixturevalue(f"lad_{vintage}_loaded")
                bounds = loaded[0].copy()
                if which == "london":
                    attrs = dict(bounds.attrs)
                    bounds = bounds[bounds["code"].str.startswith("E09")].reset_index(drop=True)
                    bounds.attrs = attrs
                    assert len(bounds) == 33
                else:
                    assert len(bounds) == 296
                ds = scenario(bounds, n_people=1500, seed=3).dataset
            m = make_map(ds, audience="partnership", tiles=None, gi_permutations=99)
            made[which] = (
                save_map(m, folder / f"{which}.html"),
                _region(m.info.layers["authorities"]),
            )
        return made[which]

    yield get


LEGIBLE = [
    pytest.param("demo", id="demo"),
    pytest.param("london", id="london"),
    pytest.param("england", id="england", marks=pytest.mark.slow),
]


def _assert_legible(look: dict[str, Any], where: str) -> None:
    assert look["names"], (where, "no authority name shown")
    share = look["overlapping"] / max(look["pairs"], 1)
    assert share < 0.02, (where, look["overlapping"], look["pairs"])
    # No name under a panel.
    for name in look["names"]:
        assert not any(_overlap(name, p) for p in look["panels"]), (where, name)


@pytest.mark.parametrize("size", WINDOWS[:3], ids=[f"{w}x{h}" for w, h in WINDOWS[:3]])
@pytest.mark.parametrize("which", LEGIBLE)
def test_maps_are_legible(
    browser: Any, legible_maps: Any, which: str, size: tuple[int, int]
) -> None:
    """Names apart and off the panels, at every zoom; the region fills the free room."""
    path, region = legible_maps(which)
    page = Page(browser, path, size=size)
    try:
        page.settle()
        where = f"{which} {size}"
        assert page.errors == [] and page.requests == []
        _assert_panels_apart(page.page.evaluate(MEASURE, PANELS), where)
        look = page.page.evaluate(LOOK, region)
        _assert_legible(look, where)
        # The region's box: inside the map, and spanning at least 60% of the width or
        # the height of the largest rectangle no panel covers (a whole zoom level more
        # would not fit: the span is between 50% and 100% by construction).
        width, height = look["size"]
        x0, y0, x1, y1 = look["region"]
        assert x0 >= -1 and y0 >= -1 and x1 <= width + 1 and y1 <= height + 1, (where, look)
        f = look["free"]
        fill = max((x1 - x0) / (f[2] - f[0]), (y1 - y0) / (f[3] - f[1]))
        assert fill >= 0.6, (where, fill, look["region"], f)
        # One zoom level in and a pan: placed again, still apart.
        page.js(
            "(() => { var m = Object.values(window).find(v => v instanceof L.Map);"
            " m.setZoom(m.getZoom() + 1, {animate: false}); m.panBy([120, 60], {animate: false});"
            " })()"
        )
        page.settle()
        _assert_legible(page.page.evaluate(LOOK, region), f"{where} zoomed in")
        # The links switched on: drawn, at most MAX_LINKS, no error.
        page.js(
            "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
            ".find(l => l.textContent.trim().startsWith('Cross-authority links'))"
            ".querySelector('input').click()"
        )
        assert 0 < page.js("PM.count('links')") <= MAX_LINKS
        assert page.errors == [] and page.requests == []
    finally:
        page.page.close()
