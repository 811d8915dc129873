"""Benchmark peermap.synthetic.scenario at the London size of the analysis issue.

Usage (from the repository root)::

    python benchmarks/bench_synthetic.py [--people 50000] [--seed 0] [--boundaries FILE]

By default it runs on the 33 London boroughs (GSS codes ``E09...``) of the 2013 ONS
file ``ons_lad_2013_england.topojson``, read from ``../shared/boundaries`` or
``$PEERMAP_SHARED_BOUNDARIES``. With 50 000 young people the defaults give the
benchmark size of the analysis issue: 200 000 ties, 500 000 sightings and 5 000
places. ``--boundaries FILE`` runs on any boundary file instead (all its areas).

It prints the time spent generating the tables, the time spent validating them
(``peermap.read_dataset`` with the boundaries, strict), their total and its ratio to
the 30 s target, the rows of every table, and the peak resident set size of the
process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the whole process, including
Python, the libraries and the boundaries), before and after the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd

from peermap.boundaries import load_boundaries
from peermap.synthetic import scenario

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PEERMAP_SHARED_BOUNDARIES", REPO.parent / "shared" / "boundaries"))
LAD_2013 = SHARED / "ons_lad_2013_england.topojson"
TARGET_S = 30.0


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def london() -> gpd.GeoDataFrame:
    if not LAD_2013.is_file():
        raise SystemExit(
            f"error: {LAD_2013} not found. The benchmark needs the real ONS file "
            "ons_lad_2013_england.topojson in ../shared/boundaries (see its README.md), "
            "set PEERMAP_SHARED_BOUNDARIES to the folder holding it, or pass --boundaries FILE."
        )
    with warnings.catch_warnings():
        # The file declares no CRS and has invalid rings: load_boundaries says so and copes.
        warnings.simplefilter("ignore")
        bounds = load_boundaries(LAD_2013)
    return bounds[bounds["code"].str.startswith("E09")].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000, help="young people")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--boundaries", metavar="FILE", help="boundary file (default London)")
    args = parser.parse_args(argv)

    if args.boundaries:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = load_boundaries(args.boundaries)
        where = f"{args.boundaries} ({len(bounds)} areas)"
    else:
        bounds = london()
        where = f"London boroughs of {LAD_2013.name} ({len(bounds)} areas)"
    before = peak_rss_mb()
    start = time.perf_counter()
    result = scenario(bounds, n_people=args.people, seed=args.seed)
    total = time.perf_counter() - start
    ds = result.dataset
    gen, val = result.timings["generation"], result.timings["validation"]

    print(f"synthetic scenario on {where}, seed {args.seed}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for name, rows in ds.counts.items():
        print(f"  {name:<12} {rows:>9,} rows")
    print(f"  generation   {gen:>9.2f} s")
    print(f"  validation   {val:>9.2f} s  (read_dataset with boundaries, strict)")
    print(
        f"  total        {total:>9.2f} s  ({total / TARGET_S:.2f} of the {TARGET_S:.0f} s target)"
    )
    print(f"  peak RSS     {peak_rss_mb():>9.0f} MB  (before the run: {before:.0f} MB)")
    if not ds.report.ok:
        print("error: the dataset has validation problems", file=sys.stderr)
        return 1
    return 0 if total <= TARGET_S else 2


if __name__ == "__main__":
    raise SystemExit(main())
