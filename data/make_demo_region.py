"""Generate peermap's fictional demo region (``demo_region.geojson``).

Run from the repository root::

    python data/make_demo_region.py

The region is invented: seven boroughs with made-up names and codes
``X09000001`` to ``X09000007`` (``X`` is not a GSS prefix, so the codes cannot
collide with real ones). It lies in the North Sea about 35 km east of
Lowestoft, in British National Grid coordinates, so that no demo point can be
mistaken for a real address. Its boroughs share borders exactly (the geometry
is built by noding all the lines once and polygonizing), a tidal estuary is
clipped out between them the way ONS "clipped" boundaries leave out estuaries,
and its east side is a coastline, so that the ``nearest`` and ``outside``
assignments have something to find.

The output is deterministic: running the script twice writes the same file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

OUT = Path(__file__).resolve().parents[1] / "src" / "peermap" / "data" / "boundaries"
OUT_FILE = OUT / "demo_region.geojson"

# Region box (BNG metres): 30 km x 20 km.
X0, Y0, X1, Y1 = 690_000.0, 300_000.0, 720_000.0, 320_000.0

# Centre line of the River Wendle, west to east; the north and south boroughs meet on it.
C = [
    (690_000.0, 309_500.0),
    (694_000.0, 310_200.0),
    (697_000.0, 309_700.0),  # c2: western dividers meet here
    (700_500.0, 310_300.0),
    (704_000.0, 309_900.0),  # c4: eastern dividers meet here
    (708_000.0, 310_600.0),
    (711_500.0, 310_100.0),
    (714_000.0, 310_700.0),
    (716_500.0, 310_900.0),
    (720_000.0, 311_000.0),
]
C2, C4 = C[2], C[4]

N1 = [
    (696_500.0, 320_000.0),
    (697_600.0, 317_000.0),
    (696_400.0, 314_000.0),
    (697_300.0, 311_800.0),
]
S1 = [(696_600.0, 307_000.0), (697_800.0, 304_200.0), (696_900.0, 300_000.0)]
N2 = [
    (705_000.0, 320_000.0),
    (704_200.0, 316_800.0),
    (705_300.0, 313_600.0),
    (703_600.0, 311_500.0),
]
S2 = [(705_000.0, 307_500.0), (703_900.0, 303_500.0), (704_600.0, 300_000.0)]

COAST = [
    (714_000.0, 320_000.0),
    (714_800.0, 317_000.0),
    (714_200.0, 314_500.0),
    (715_600.0, 312_500.0),
    (715_200.0, 310_800.0),
    (716_000.0, 308_000.0),
    (715_300.0, 305_000.0),
    (716_400.0, 302_000.0),
    (716_000.0, 300_000.0),
]

# The town borough straddling the river upstream of the estuary.
TOWN = [
    (695_500.0, 312_600.0),
    (698_800.0, 313_200.0),
    (700_900.0, 311_900.0),
    (701_200.0, 308_600.0),
    (699_000.0, 307_200.0),
    (696_000.0, 307_800.0),
    (695_200.0, 310_000.0),
]

ESTUARY_START_X = 701_500.0  # the estuary is clipped out from here to the sea
ESTUARY_WIDTH = (150.0, 900.0)  # metres at its head and at the coast

BOROUGHS = {
    "NW": ("X09000001", "Northmere"),
    "NC": ("X09000002", "Harrowfield"),
    "NE": ("X09000003", "Saltmarsh Quay"),
    "SW": ("X09000004", "Westcombe Heath"),
    "SC": ("X09000005", "Kestrel Downs"),
    "SE": ("X09000006", "Eastwick Vale"),
    "TOWN": ("X09000007", "Amberford & Wendle"),
}


def _cells() -> dict[str, Polygon]:
    """Six cells tiling the box: three north of the river centre line, three south."""

    def rev(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return points[::-1]

    nw = Polygon([(X0, Y1), *N1, C2, C[1], C[0]])
    nc = Polygon([N1[0], *N2, C4, C[3], C2, *rev(N1[1:])])
    ne = Polygon([N2[0], (X1, Y1), *rev(C[4:]), *rev(N2[1:])])
    sw = Polygon([C[0], C[1], C2, *S1, (X0, Y0)])
    sc = Polygon([C2, C[3], C4, *S2, *rev(S1)])
    se = Polygon([C4, *C[5:], (X1, Y0), *rev(S2)])
    return {"NW": nw, "NC": nc, "NE": ne, "SW": sw, "SC": sc, "SE": se}


def _estuary() -> Polygon:
    """Return the tidal estuary: the river below ``ESTUARY_START_X``, widening seawards."""
    line = LineString(C)
    start = line.project(Point(ESTUARY_START_X, 310_000.0))
    stations = np.linspace(start, line.length, 80)
    pts = np.array([line.interpolate(s).coords[0] for s in stations])
    ahead = np.array([line.interpolate(min(s + 1.0, line.length)).coords[0] for s in stations])
    behind = np.array([line.interpolate(max(s - 1.0, 0.0)).coords[0] for s in stations])
    tangent = ahead - behind
    tangent /= np.linalg.norm(tangent, axis=1)[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    frac = (stations - start) / (line.length - start)
    half = (ESTUARY_WIDTH[0] + frac * (ESTUARY_WIDTH[1] - ESTUARY_WIDTH[0])) / 2.0
    left = pts + normal * half[:, None]
    right = pts - normal * half[:, None]
    ring = np.round(np.vstack([left, right[::-1]]), 1)
    return Polygon(ring)


def build() -> gpd.GeoDataFrame:
    """Build the demo boroughs as a GeoDataFrame in EPSG:27700."""
    cells = _cells()
    box = shapely.box(X0, Y0, X1, Y1)
    land = Polygon([(X0, Y1), *COAST, (X0, Y0)])
    estuary = _estuary()
    town = Polygon(TOWN)
    lines = [shapely.boundary(g) for g in (*cells.values(), box, land, estuary, town)]
    noded = shapely.union_all(lines)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    members: dict[str, list[shapely.Geometry]] = {key: [] for key in BOROUGHS}
    for face in faces:
        p = shapely.point_on_surface(face)
        if not land.contains(p) or estuary.contains(p):
            continue
        if town.contains(p):
            members["TOWN"].append(face)
            continue
        owners = [key for key, cell in cells.items() if cell.contains(p)]
        if len(owners) != 1:
            raise RuntimeError(f"face at {p} belongs to {owners}")
        members[owners[0]].append(face)
    codes, names, geoms = [], [], []
    for key, (code, name) in BOROUGHS.items():
        merged = shapely.coverage_union_all(members[key])
        codes.append(code)
        names.append(name)
        geoms.append(shapely.multipolygons(shapely.get_parts(merged)))
    gdf = gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geoms, crs="EPSG:27700")
    _check(gdf)
    return gdf


def _check(gdf: gpd.GeoDataFrame) -> None:
    """Fail loudly if the region is not a clean, exactly shared tiling."""
    geoms = np.asarray(gdf.geometry.values)
    if not shapely.is_valid(geoms).all():
        raise RuntimeError("invalid borough geometry")
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
    if overlap.max() > 1e-6:
        raise RuntimeError("boroughs overlap")
    touching = {(int(a), int(b)) for a, b in zip(left[keep], right[keep], strict=True)}
    if len(touching) < 9:
        raise RuntimeError(f"too few shared borders: {sorted(touching)}")


def main() -> int:
    """Write the demo region file and print a summary."""
    gdf = build()
    OUT.mkdir(parents=True, exist_ok=True)
    if OUT_FILE.exists():
        OUT_FILE.unlink()
    gdf.to_file(OUT_FILE, driver="GeoJSON", COORDINATE_PRECISION=2)
    _check(gpd.read_file(OUT_FILE))
    for row in gdf.itertuples():
        print(f"{row.code}  {row.name:<20} {row.geometry.area / 1e6:6.1f} km²")
    print(f"wrote {OUT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
