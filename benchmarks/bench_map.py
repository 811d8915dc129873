"""Benchmark peermap.make_map at the London size of the maps issue.

Usage (from the repository root)::

    python benchmarks/bench_map.py [--people 50000] [--venues 5000] [--seed 0] [--out DIR]
                                   [--runs 3] [--chromium /usr/bin/chromium]

It builds a synthetic scenario (``peermap.synthetic.scenario``) on the 33 London boroughs
of the 2024 ONS file ``ons_lad_2024_england_buc.geojson`` (selected by name: the file
has no GSS codes), read from ``../shared/boundaries`` or ``$PEERMAP_SHARED_BOUNDARIES``,
with 5 000 venues and every flow. Then, for a partnership map and a public map
(suppressed), both marking every venue (``max_venues=None``), it prints the build time,
the HTML size, and the time headless chromium takes from navigation start until the view
is fitted (``PM.ready``) and the next frame painted,
with the JavaScript errors seen and any request to the network (there must be none:
the page is opened from a ``file://`` URL with every non-file request refused).

Beside them it times a naive folium map of the same content: the full boundary
geometry as ``folium.GeoJson``, one ``folium.CircleMarker`` per venue, one
``folium.PolyLine`` per flow, folium's default CDN assets. Offline its CDN requests
fail (they are refused, as on an air-gapped laptop): the page is blank with
"L is not defined". So it is loaded twice: once as is (CDN refused), and once with the
Leaflet CDN request answered from the packaged copy, which is what it costs when it
does render. Load times are medians of ``--runs`` loads in one warm browser.

Then, for partnership maps of the demo region, London (the 33 boroughs of the 2013 file)
and England (the 296 authorities of the 2024 file), at 1366x768, 1440x900 and 1920x1080,
it prints the share of overlapping pairs of authority names shown (target under 2%) and
how much of the room the panels leave the region fills (target 60%);
``--screenshots docs/img`` saves a screenshot of each.

``--demo-screenshot PATH`` instead draws the documentation's demo map (a public map of a
synthetic scenario on the fictional demo region, no basemap) and saves a headless
chromium screenshot of it to PATH (``docs/img/demo_map.png``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

import peermap
from peermap import _assets
from peermap.synthetic import scenario
from peermap.views.maps import make_map, save_map

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PEERMAP_SHARED_BOUNDARIES", REPO.parent / "shared" / "boundaries"))
LAD_2024 = SHARED / "ons_lad_2024_england_buc.geojson"
SIZE_TARGET_MB = 1.5
LOAD_TARGET_S = 1.5
LAD_2013 = SHARED / "ons_lad_2013_england.topojson"
#: Window sizes the legibility figures are measured at.
WINDOWS = ((1366, 768), (1440, 900), (1920, 1080))

#: The 32 London boroughs and the City of London, as named in the 2024 file.
LONDON = (
    "Barking and Dagenham",
    "Barnet",
    "Bexley",
    "Brent",
    "Bromley",
    "Camden",
    "City of London",
    "Croydon",
    "Ealing",
    "Enfield",
    "Greenwich",
    "Hackney",
    "Hammersmith and Fulham",
    "Haringey",
    "Harrow",
    "Havering",
    "Hillingdon",
    "Hounslow",
    "Islington",
    "Kensington and Chelsea",
    "Kingston upon Thames",
    "Lambeth",
    "Lewisham",
    "Merton",
    "Newham",
    "Redbridge",
    "Richmond upon Thames",
    "Southwark",
    "Sutton",
    "Tower Hamlets",
    "Waltham Forest",
    "Wandsworth",
    "Westminster",
)


def london() -> gpd.GeoDataFrame:
    if not LAD_2024.is_file():
        raise SystemExit(
            f"error: {LAD_2024} not found. The benchmark needs the real ONS file "
            "ons_lad_2024_england_buc.geojson in ../shared/boundaries (see its README.md), "
            "or set PEERMAP_SHARED_BOUNDARIES to the folder holding it."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # codes derived from names: expected here
        bounds = peermap.load_boundaries(LAD_2024)
    attrs = dict(bounds.attrs)
    chosen = bounds[bounds["name"].isin(LONDON)].reset_index(drop=True)
    missing = sorted(set(LONDON) - set(chosen["name"]))
    if missing:
        raise SystemExit(f"error: London boroughs not found in {LAD_2024.name}: {missing}")
    chosen.attrs = attrs
    return chosen


def naive_map(ds: peermap.Dataset) -> folium.Map:
    """The same content drawn the obvious folium way."""
    boundaries = ds.boundaries
    assert boundaries is not None
    wgs = boundaries.to_crs("EPSG:4326")
    b = wgs.total_bounds
    m = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=10, tiles=None)
    folium.GeoJson(wgs, name="Authorities", tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    venues = folium.FeatureGroup(name="Hotspot venues").add_to(m)
    places = ds.places
    seen = ds.sightings.groupby("place_id")["person_id"].nunique()
    for row in places.itertuples(index=False):
        n = int(seen.get(row.place_id, 0))
        if n == 0:
            continue
        folium.CircleMarker(
            [row.lat, row.lon],
            radius=3 + min(n, 100) / 10,
            tooltip=f"{row.kind}: {n} young people",
            fill=True,
        ).add_to(venues)
    graph = peermap.authority_graph(boundaries)
    lines = folium.FeatureGroup(name="Cross-authority links").add_to(m)
    for kind in ("sightings", "relocations"):
        table = peermap.flows(ds, kind=kind)
        for row in table[~table["within"]].itertuples(index=False):
            if row.origin not in graph or row.destination not in graph:
                continue
            lon0, lat0 = graph.nodes[row.origin]["centroid_wgs84"]
            lon1, lat1 = graph.nodes[row.destination]["centroid_wgs84"]
            folium.PolyLine(
                [[lat0, lon0], [lat1, lon1]],
                weight=1 + min(row.people, 100) / 20,
                tooltip=f"{row.origin} → {row.destination}: {row.people}",
            ).add_to(lines)
    folium.LayerControl().add_to(m)
    return m


#: Measured in a map's page: the boxes of the authority names shown (their overlapping
#: pairs), the largest rectangle no panel covers, and the region's box in pixels: the
#: script tests/test_browser.py measures with.
LOOK = (Path(__file__).parents[1] / "tests" / "data" / "look.js").read_text(encoding="utf-8")


class Browser:
    """Headless chromium with the network refused, timing page loads."""

    def __init__(self, executable: str):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._dir = tempfile.TemporaryDirectory()
        self.context = self._pw.chromium.launch_persistent_context(
            self._dir.name,
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
            viewport={"width": 1280, "height": 860},
        )

    def load(
        self, path: Path, serve: Callable[[str], bytes | None] | None = None
    ) -> dict[str, Any]:
        page = self.context.new_page()
        errors: list[str] = []
        external: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith("file:"):
                r.continue_()
                return
            external.append(url)
            body = serve(url) if serve else None
            if body is None:
                r.abort("internetdisconnected")
            else:
                r.fulfill(status=200, body=body, content_type="application/javascript")

        page.route("**/*", route)
        started = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=60_000)
        # Interactive: the view fitted (PM.ready, peermap's pages) and the next frame
        # painted; performance.now() counts from navigation start.
        painted = page.evaluate(
            "() => new Promise(r => { function paint() { requestAnimationFrame(() => "
            "requestAnimationFrame(() => r(performance.now()))); }"
            " if (typeof PM === 'undefined') { paint(); return; }"
            " (function wait() { if (PM.ready !== null) { paint(); }"
            " else { setTimeout(wait, 5); } })();"
            " })"
        )
        wall = time.perf_counter() - started
        page.close()
        return {"load_s": painted / 1000.0, "wall_s": wall, "errors": errors, "external": external}

    def look(self, path: Path, size: tuple[int, int], shot: Path | None = None) -> dict[str, Any]:
        """Open a map at a window size: name overlaps, extent fill, errors, requests."""
        page = self.context.new_page()
        page.set_viewport_size({"width": size[0], "height": size[1]})
        errors: list[str] = []
        external: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r: Any) -> None:
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort("internetdisconnected")

        page.route("**/*", route)
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=60_000)
        page.wait_for_function("() => PM.ready !== null")
        page.wait_for_timeout(400)
        seen = page.evaluate(LOOK, None)
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
        page.close()
        x0, y0, x1, y1 = seen["region"]
        f = seen["free"]
        return {
            "names": len(seen["names"]),
            "of": seen["total"],
            "overlap": seen["overlapping"] / max(seen["pairs"], 1),
            "fill": max((x1 - x0) / (f[2] - f[0]), (y1 - y0) / (f[3] - f[1])),
            "zoom": seen["zoom"],
            "errors": errors,
            "external": external,
        }

    def close(self) -> None:
        self.context.close()
        self._pw.stop()
        self._dir.cleanup()


def serve_leaflet(url: str) -> bytes | None:
    if url.endswith("leaflet.js"):
        return _assets.leaflet_js().encode()
    if url.endswith("leaflet.css"):
        return _assets.leaflet_css().encode()
    return None


def demo_screenshot(path: Path, chromium: str) -> None:
    ds = scenario(peermap.demo_boundaries(), n_people=2000, seed=1).dataset
    m = make_map(ds, tiles=None, choropleth="people_seen", min_count=10, round_to=5)
    with tempfile.TemporaryDirectory() as tmp:
        html = save_map(m, Path(tmp) / "demo_map.html")
        browser = Browser(chromium)
        try:
            page = browser.context.new_page()
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(600)  # let the canvas settle after the first resize
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
        finally:
            browser.close()
    print(f"demo map screenshot: {path}")


def legibility(chromium: str, out: Path, shots: Path | None, seed: int) -> bool:
    """Print name overlaps and extent fill of the demo, London and England maps.

    Partnership maps (default layers, no basemap) of synthetic scenarios on the demo
    region, the 33 London boroughs of the 2013 ONS file and the 296 authorities of the
    2024 file, each opened at 1366x768, 1440x900 and 1920x1080. Returns whether every
    one has under 2% overlapping pairs of names, an extent fill of at least 60%, no
    JavaScript error and no request.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lad13 = peermap.load_boundaries(LAD_2013)
        lad24 = peermap.load_boundaries(LAD_2024)
    london13 = lad13[lad13["code"].str.startswith("E09")].reset_index(drop=True)
    london13.attrs = dict(lad13.attrs)
    regions = {"demo": peermap.demo_boundaries(), "london": london13, "england": lad24}
    print()
    print(
        f"{'map':8} {'authorities':>11} {'HTML MB':>8} {'window':>10} {'zoom':>4} "
        f"{'names shown':>11} {'overlap':>7} {'fill':>5} {'errors':>6} {'net req':>7}"
    )
    browser = Browser(chromium)
    ok = True
    try:
        for name, region in regions.items():
            ds = scenario(region, n_people=1500, seed=seed + 3).dataset
            m = make_map(ds, audience="partnership", tiles=None, gi_permutations=99)
            path = save_map(m, out / f"legible_{name}.html")
            mb = path.stat().st_size / 1e6
            for w, h in WINDOWS:
                shot = None if shots is None else shots / f"map_{name}_{w}x{h}.png"
                r = browser.look(path, (w, h), shot)
                ok = ok and r["overlap"] < 0.02 and r["fill"] >= 0.6
                ok = ok and not r["errors"] and not r["external"]
                print(
                    f"{name:8} {len(region):11d} {mb:8.2f} {f'{w}x{h}':>10} {r['zoom']:4d} "
                    f"{str(r['names']) + '/' + str(r['of']):>11} {r['overlap']:7.1%} "
                    f"{r['fill']:5.0%} {len(r['errors']):6d} {len(r['external']):7d}"
                )
    finally:
        browser.close()
    print(
        "overlap: share of pairs of names shown whose boxes overlap (target < 2%); fill: the "
        "region's box as a share of the width or height of the largest rectangle no panel "
        "covers (target >= 60%)"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--venues", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="keep the HTML files here")
    parser.add_argument(
        "--chromium", default=os.environ.get("PEERMAP_CHROMIUM", "/usr/bin/chromium")
    )
    parser.add_argument("--demo-screenshot", type=Path, default=None, metavar="PATH")
    parser.add_argument(
        "--screenshots",
        type=Path,
        default=None,
        metavar="DIR",
        help="save the legibility screenshots here (docs/img)",
    )
    args = parser.parse_args(argv)
    if args.demo_screenshot is not None:
        demo_screenshot(args.demo_screenshot, args.chromium)
        return 0

    boundaries = london()
    t0 = time.perf_counter()
    ds = scenario(boundaries, n_people=args.people, n_places=args.venues, seed=args.seed).dataset
    print(
        f"scenario: {len(boundaries)} London boroughs, {ds.counts['people']:,} young people, "
        f"{ds.counts['places']:,} venues, {ds.counts['sightings']:,} sightings, "
        f"{ds.counts['relocations']:,} relocations ({time.perf_counter() - t0:.1f} s)"
    )
    out = args.out or Path(tempfile.mkdtemp(prefix="peermap-bench-"))
    out.mkdir(parents=True, exist_ok=True)

    built: dict[str, tuple[Path, float]] = {}
    for audience in ("partnership", "public"):
        t0 = time.perf_counter()
        m = make_map(ds, audience=audience, tiles=None, max_venues=None)  # every venue
        path = save_map(m, out / f"peermap_{audience}.html")
        built[audience] = (path, time.perf_counter() - t0)
        counts = {k: len(v["features"]) for k, v in m.info.layers.items()}
        print(f"peermap {audience}: features per layer {counts}")
    t0 = time.perf_counter()
    naive = naive_map(ds)
    naive_path = out / "naive_folium.html"
    naive.save(str(naive_path))
    naive_build = time.perf_counter() - t0

    browser = Browser(args.chromium)
    try:

        def measure(
            path: Path, serve: Callable[[str], bytes | None] | None = None
        ) -> dict[str, Any]:
            runs = [browser.load(path, serve) for _ in range(args.runs)]
            first = runs[0]
            return {
                "load_s": statistics.median(r["load_s"] for r in runs),
                "errors": first["errors"],
                "external": first["external"],
            }

        rows = []
        for audience, (path, build) in built.items():
            rows.append((f"peermap.make_map, {audience}", path, build, measure(path)))
        rows.append(("naive folium, CDN refused", naive_path, naive_build, measure(naive_path)))
        rows.append(
            (
                "naive folium, Leaflet served locally",
                naive_path,
                naive_build,
                measure(naive_path, serve_leaflet),
            )
        )
    finally:
        browser.close()

    print()
    print(f"{'map':40} {'build s':>8} {'HTML MB':>8} {'load s':>7} {'JS errors':>9} {'net req':>7}")
    for name, path, build, result in rows:
        size = path.stat().st_size / 1e6
        print(
            f"{name:40} {build:8.2f} {size:8.2f} {result['load_s']:7.2f} "
            f"{len(result['errors']):9d} {len(result['external']):7d}"
        )
    ours = rows[0]
    naive_local = rows[3]
    size_ratio = naive_path.stat().st_size / ours[1].stat().st_size
    load_ratio = naive_local[3]["load_s"] / max(ours[3]["load_s"], 1e-9)
    print()
    print(
        f"partnership map: {ours[1].stat().st_size / 1e6:.2f} MB (target < {SIZE_TARGET_MB} MB), "
        f"loads in {ours[3]['load_s']:.2f} s (target < {LOAD_TARGET_S} s); the naive map is "
        f"{size_ratio:.1f}x the size and, with Leaflet served locally, {load_ratio:.1f}x the "
        "load time"
    )
    naive_errors = rows[2][3]["errors"]
    if naive_errors:
        print(f"naive map offline: {len(naive_errors)} error(s), first: {naive_errors[0][:100]}")
    legible = legibility(args.chromium, out, args.screenshots, args.seed)
    print(f"files in {out}")
    ok = legible and (
        all(not r[3]["errors"] and not r[3]["external"] for r in rows[:2])
        and ours[1].stat().st_size / 1e6 < SIZE_TARGET_MB
        and ours[3]["load_s"] < LOAD_TARGET_S
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
