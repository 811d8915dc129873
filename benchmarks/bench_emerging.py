"""Benchmark: emerging hot spots at London scale over 12 months (issue 21).

A synthetic scenario on the 33 London boroughs of the real 2013 ONS file (50,000 young
people, 500,000 sightings over the 12 months of 2024) runs
``peermap.emerging_hotspots`` on 500 m cells by month, for the partnership and for the
public, against the 30 s target. Beside it, a plain ``esda.G_Local(star=True,
permutations=0)`` over the same cube (the same cells and months, the same space-time
neighbours, built here independently from the cells' squares with libpysal's queen
contiguity): the ratio says what the cube, the trend test, the patterns and the
disclosure rule cost on top of Gi* itself, and the largest difference between the two
z-scores checks that they are the same statistic.

Run: ``python benchmarks/bench_emerging.py [--people 50000] [--seed 0] [--cell 500]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _regions import london as london_boundaries
from scipy import sparse

import peermap
from peermap.synthetic import scenario

TARGET_S = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cell", type=float, default=500.0, help="cell size in metres")
    args = parser.parse_args()
    london = london_boundaries()
    if london is None:
        return 2
    t0 = time.perf_counter()
    ds, _ = scenario(london, n_people=args.people, seed=args.seed)
    print(f"scenario: {len(london)} boroughs, {ds.counts} in {time.perf_counter() - t0:.1f} s")
    print("(the scenario is set-up; what follows is measured)\n")

    # esda and libpysal are imported before anything is timed (about 2 s on first import)
    from esda.getisord import G_Local
    from libpysal.graph import Graph

    times: dict[str, float] = {}
    results = {}
    for audience in ("partnership", "public"):
        start = time.perf_counter()
        results[audience] = peermap.emerging_hotspots(ds, cell_size_m=args.cell, audience=audience)
        times[audience] = time.perf_counter() - start
    result = results["partnership"]
    assert result.z is not None and result.counts is not None
    cells, months = len(result.cells), len(result.periods)
    print(f"cube: {cells:,} cells of {args.cell:g} m x {months} months = {cells * months:,} bins")
    for audience, seconds in times.items():
        print(
            f"  emerging_hotspots ({audience:<11}) {seconds:6.2f} s   target {TARGET_S:g} s   "
            f"ratio {seconds / TARGET_S:.2f}"
        )

    # Plain esda on the same cube, its weights built independently.
    start = time.perf_counter()
    space = Graph.build_contiguity(result.cells.reset_index(drop=True), rook=False)
    band = sparse.csr_matrix(
        np.tril(np.ones((months, months))) - np.tril(np.ones((months, months)), -2)
    )
    diagonal = sparse.identity(cells, format="csr")
    weights = sparse.kron(band, space.sparse + diagonal, format="csr")
    graph = Graph.from_sparse(weights)
    build = time.perf_counter() - start
    y = result.counts.to_numpy(dtype=float).T.ravel()
    start = time.perf_counter()
    gi = G_Local(y, graph, transform="B", permutations=0, star=True)
    plain = time.perf_counter() - start
    z = np.asarray(gi.Zs).reshape(months, cells).T
    print(f"  plain esda G_Local, same cube      {plain:6.2f} s   (its weights: {build:.2f} s)")
    print(
        f"  ratio emerging_hotspots / G_Local  {times['partnership'] / plain:6.1f}   "
        f"(to G_Local with its weights: {times['partnership'] / (plain + build):.1f})"
    )
    print(f"  largest |z difference|             {np.abs(z - result.z.to_numpy()).max():.1e}")
    print("\npatterns (partnership):")
    print(result.summary().to_string())
    public = results["public"]
    print(
        f"\npublic: {len(public.cells):,} cells listed, {public.withheld} with a pattern "
        "withheld (about too few young people)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
