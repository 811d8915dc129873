"""Benchmark: cross-borough analysis at London scale (issue 5).

A synthetic scenario on the 33 London boroughs of the real 2013 ONS file (50,000 young
people, 200,000 ties, 500,000 sightings, 5,000 places) runs graphs + contexts + flows +
hotspots (without Gi*). Prints each step's time (the modules the analysis imports on
first use, igraph among them, timed apart), the total against the 15 s target, the
peak memory against 4 GB, ``relocation_exposure`` on its own against 1 s (issue 23), and
peer-graph construction beside a bare ``networkx.from_pandas_edgelist`` on the same edges
(target within 2x).

Louvain and betweenness run on ``peermap.settings.graph_backend`` (igraph's C code by
default); ``--backend networkx`` runs networkx's own pure-Python code for comparison.

Run: ``python benchmarks/bench_analysis.py [--people 50000] [--seed 0] [--backend B]``
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import time

import networkx as nx
import pandas as pd
from _regions import london as london_boundaries

import peermap
from peermap.synthetic import scenario


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default=peermap.settings.graph_backend)
    parser.add_argument(
        "--skip-stability",
        action="store_true",
        help="skip timing contexts with the default number of runs (STABILITY_RUNS)",
    )
    args = parser.parse_args()
    peermap.settings.graph_backend = args.backend
    london = london_boundaries()
    if london is None:
        return 2
    t0 = time.perf_counter()
    ds, _ = scenario(london, n_people=args.people, seed=args.seed)
    print(f"scenario: {len(london)} boroughs, {ds.counts} in {time.perf_counter() - t0:.1f} s")
    print("(the scenario is set-up; the analysis steps below are what is measured)")
    print(f"graph backend: {args.backend}")
    # What the analysis imports on first use (the analysis modules, and igraph, which
    # imports matplotlib's pyplot), once per process, as networkx and pandas are imported
    # above: timed apart, as bench_read.py times read_dataset's first-use imports.
    start = time.perf_counter()
    importlib.import_module("peermap.analysis")
    importlib.import_module("peermap._graph_backends")
    if args.backend == "igraph":
        importlib.import_module("igraph")
    print(f"first-use imports: {time.perf_counter() - start:.2f} s (not in the total)\n")

    steps: dict[str, float] = {}

    def timed(name: str, func):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = func()
        steps[name] = time.perf_counter() - start
        print(f"  {name:<22} {steps[name]:7.2f} s")
        return result

    graph = timed("peer_graph", lambda: peermap.peer_graph(ds))
    timed("place_graph", lambda: peermap.place_graph(ds))
    timed("copresence_graph", lambda: peermap.copresence_graph(ds, window_days=7))
    table = timed("contexts", lambda: peermap.contexts(ds))
    for kind in ("sightings", "ties", "relocations"):
        timed(f"flows ({kind})", lambda kind=kind: peermap.flows(ds, kind=kind))
    timed("hotspots", lambda: peermap.hotspots(ds))
    total = sum(steps.values())
    graphs = sum(steps[name] for name in ("peer_graph", "place_graph", "copresence_graph"))
    print(f"\n  graphs (3 builders)    {graphs:7.2f} s")
    print(f"  total                  {total:7.2f} s   target 15 s   ratio {total / 15:.2f}")
    start = time.perf_counter()
    exposure = peermap.relocation_exposure(ds)
    moves = time.perf_counter() - start
    print(
        f"  relocation_exposure    {moves:7.2f} s   target 1 s    ratio {moves:.2f}"
        f"   ({len(exposure):,} relocations; not in the total)"
    )
    if not args.skip_stability:
        # The consensus and stability measure, asked for at this scale (one run by default).
        start = time.perf_counter()
        runs = peermap.analysis.STABILITY_RUNS
        stable = peermap.contexts(ds, stability_runs=runs)
        ten = time.perf_counter() - start
        print(
            f"  contexts, {runs} runs      {ten:7.2f} s   "
            f"({ten / steps['contexts']:.1f} x one run; "
            f"stability of the top 10: mean {stable['stability'].iloc[:10].mean():.2f}; "
            "not in the total)"
        )
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"  peak memory (ru_maxrss) {peak_gb:6.2f} GB  target 4 GB   ratio {peak_gb / 4:.2f}")
    spanning = table[table["spans_authorities"]]
    print(
        f"  {len(table)} contexts, {len(spanning)} spanning authorities, "
        f"{int((table['reach'] == 'distant').sum())} with a distant link"
    )

    edges = pd.DataFrame(
        {
            "person_a": ds.ties["person_a"].to_numpy(dtype=object),
            "person_b": ds.ties["person_b"].to_numpy(dtype=object),
            "kind": ds.ties["kind"].to_numpy(dtype=object),
            "source": ds.ties["source"].to_numpy(dtype=object),
            "reliability": ds.ties["reliability"].astype(str).to_numpy(dtype=object),
            "first_seen": ds.ties["first_seen"].to_numpy(dtype=object),
            "last_seen": ds.ties["last_seen"].to_numpy(dtype=object),
        }
    )
    best_bare, best_ours = float("inf"), float("inf")
    for _ in range(3):
        start = time.perf_counter()
        nx.from_pandas_edgelist(
            edges,
            "person_a",
            "person_b",
            edge_attr=["kind", "source", "reliability", "first_seen", "last_seen"],
            create_using=nx.MultiGraph,
        )
        best_bare = min(best_bare, time.perf_counter() - start)
        start = time.perf_counter()
        peermap.peer_graph(ds)
        best_ours = min(best_ours, time.perf_counter() - start)
    print(
        f"\n  graph construction (best of 3): peer_graph {best_ours:.2f} s, bare "
        f"from_pandas_edgelist {best_bare:.2f} s, ratio {best_ours / best_bare:.2f} (target <= 2)"
    )
    print(f"  peer graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
