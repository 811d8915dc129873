"""Benchmark peermap.assign_authorities against a bare shapely STRtree query.

Usage (from the repository root)::

    python benchmarks/bench_assign.py [--n 1000000] [--seed 0] [--repeat 3]

Generates ``n`` seeded random points, uniform over the bounding box of England's
296 local authorities (``ons_lad_2024_england_buc.geojson``, read from
``../shared/boundaries`` or ``$PEERMAP_SHARED_BOUNDARIES``), in British National
Grid. It then times, in the same run and on the same data, taking the best of
``--repeat`` runs of each (alternating, so that a change in machine load hits both):

* bare: ``shapely.STRtree(polygons).query(points, predicate="within")``. The
  predicate is evaluated as ``within(point, polygon)``, so each pair is a point
  inside a polygon; this finds the ``within`` points only and says nothing
  about borders, gaps or the sea.
* full: ``peermap.assign_authorities(places, boundaries)``, which also settles
  points on borders, gives points within the tolerance to the nearest
  authority, marks the rest ``outside`` and builds the result GeoDataFrame.

It prints both times, their ratio (full / bare), the outcome counts and the
peak resident set size of the process (``resource.getrusage(RUSAGE_SELF)
.ru_maxrss``: the whole process, including Python, the libraries, the points and
both methods' results).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

import peermap
from peermap.assignment import assign_authorities
from peermap.boundaries import load_boundaries

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PEERMAP_SHARED_BOUNDARIES", REPO.parent / "shared" / "boundaries"))
LAD_2024 = SHARED / "ons_lad_2024_england_buc.geojson"


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of points")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args(argv)

    if not LAD_2024.is_file():
        print(
            f"error: {LAD_2024} not found. The benchmark needs the real ONS file "
            "ons_lad_2024_england_buc.geojson in ../shared/boundaries (see its README.md), "
            "or set PEERMAP_SHARED_BOUNDARIES to the folder holding it.",
            file=sys.stderr,
        )
        return 2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)  # codes derived from names
        boundaries = load_boundaries(LAD_2024)
    polygons = np.asarray(boundaries.geometry.values)
    x0, y0, x1, y1 = boundaries.total_bounds
    rng = np.random.default_rng(args.seed)
    x = rng.uniform(x0, x1, args.n)
    y = rng.uniform(y0, y1, args.n)
    places = gpd.GeoDataFrame(
        {"place_id": np.arange(args.n)},
        geometry=shapely.points(x, y),
        crs=peermap.settings.metric_crs,
    )
    points = np.asarray(places.geometry.values)

    def bare() -> np.ndarray:
        return shapely.STRtree(polygons).query(points, predicate="within")

    def full() -> gpd.GeoDataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", peermap.PeermapWarning)  # points at sea
            return assign_authorities(places, boundaries)

    # Alternate the two so that a change in machine load affects both alike.
    t_bare = t_full = float("inf")
    for _ in range(args.repeat):
        elapsed, pairs = timed(bare)
        t_bare = min(t_bare, elapsed)
        elapsed, result = timed(full)
        t_full = min(t_full, elapsed)

    within_bare = len(np.unique(pairs[0]))
    counts = (
        result["assignment"].value_counts().reindex(["within", "on_boundary", "nearest", "outside"])
    )
    # Points within ON_BOUNDARY_M (1 cm) of a border are 'on_boundary', not 'within'.
    assert abs(int(counts["within"]) - within_bare) <= int(counts["on_boundary"])

    print(f"boundaries : {LAD_2024.name} ({len(boundaries)} authorities)")
    print(f"points     : {args.n:,} uniform in England's bounding box (seed {args.seed})")
    print(
        f"bare STRtree.query(points, predicate='within'): {t_bare:8.3f} s  (best of {args.repeat})"
    )
    print(
        f"assign_authorities (full)                     : {t_full:8.3f} s  (best of {args.repeat})"
    )
    print(f"ratio full / bare                             : {t_full / t_bare:8.2f}")
    print("outcomes   : " + ", ".join(f"{k} {int(v):,}" for k, v in counts.items()))
    print(f"peak RSS   : {peak_rss_mb():,.0f} MB (ru_maxrss, whole process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
