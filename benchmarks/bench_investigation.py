"""Benchmark: investigative queries at London scale (issue 21).

A synthetic scenario on the 33 London boroughs of the real 2013 ONS file (50,000 young
people, 200,000 ties, 500,000 sightings, 5,000 places), as ``bench_analysis.py`` builds
it. Prints:

* ``find_path``: the one-off build of the records' graph, then the time per query over
  random pairs of young people (shortest chain, and in date order) against the 0.5 s
  target, beside the same shortest path asked of networkx (``bidirectional_shortest_path``
  on the same graph) and of igraph directly (``get_shortest_path``);
* ``centrality``: with the contexts table given (as an analyst has it) against the 10 s
  target, beside the bare igraph calls it makes (betweenness from the same sample,
  eigenvector, coreness, articulation points) and, unless ``--skip-networkx``,
  networkx's betweenness from the same number of sources; and ``contexts`` alone, which
  ``centrality`` computes when not given it.

Times are wall-clock, with the CPU time of the process beside them: on a machine shared
with other work the wall clock is longer than what the query costs.

Run: ``python benchmarks/bench_investigation.py [--people 50000] [--queries 50]``
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings

import networkx as nx
import numpy as np
from _regions import london as london_boundaries

import peermap
from peermap.analysis.brokerage import BETWEENNESS_SAMPLE
from peermap.analysis.paths import record_graph
from peermap.synthetic import scenario


def _timed(func):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def _cpu(func):  # type: ignore[no-untyped-def]
    """Wall-clock and CPU seconds of one call (CPU: what it costs on a busy machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--skip-networkx", action="store_true", help="skip networkx betweenness")
    args = parser.parse_args()
    london = london_boundaries()
    if london is None:
        return 2
    ds, _ = scenario(london, n_people=args.people, seed=args.seed)
    print(f"scenario: {len(london)} boroughs, {ds.counts} (set-up, not measured)\n")

    # find_path ----------------------------------------------------------------------
    first = ds.people["person_id"].iloc[0]
    _, build = _timed(lambda: peermap.find_path(ds, first, first))
    graph = record_graph(ds, peermap.Window(), "all")
    _, build_ig = _timed(graph.igraph)
    print(f"find_path: graph of the records built once in {build + build_ig:.2f} s")
    rng = random.Random(args.seed)
    people = ds.people["person_id"].tolist()
    pairs = [tuple(rng.sample(people, 2)) for _ in range(args.queries)]
    plain = [_cpu(lambda a=a, b=b: peermap.find_path(ds, a, b)) for a, b in pairs]
    ordered = [
        _cpu(lambda a=a, b=b: peermap.find_path(ds, a, b, date_ordered=True)) for a, b in pairs
    ]
    g_ig = graph.igraph()
    bare_ig = [
        _timed(
            lambda a=a, b=b: g_ig.get_shortest_path(
                graph.node(a, "source"), to=graph.node(b, "target"), mode="all"
            )
        )[1]
        for a, b in pairs
    ]
    u, v = graph.pairs()
    g_nx = nx.Graph()
    g_nx.add_nodes_from(range(graph.n))
    g_nx.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    bare_nx = [
        _timed(
            lambda a=a, b=b: nx.bidirectional_shortest_path(
                g_nx, graph.node(a, "source"), graph.node(b, "target")
            )
        )[1]
        for a, b in pairs
    ]
    lengths = [len(p) for p, _, _ in plain]
    assert lengths == [len(p) - 1 for p in (nx.shortest_path(g_nx, graph.node(a, "source"),
                       graph.node(b, "target")) for a, b in pairs)]  # fmt: skip
    for name, runs in (("shortest", plain), ("date order", ordered)):
        times = np.array([t for _, t, _ in runs])
        cpu = np.array([c for _, _, c in runs])
        print(
            f"  {name:<11} per query: mean {times.mean() * 1e3:7.1f} ms, max "
            f"{times.max() * 1e3:7.1f} ms   target 500 ms   ratio {times.max() / 0.5:.3f}   "
            f"(CPU mean {cpu.mean() * 1e3:.1f} ms, max {cpu.max() * 1e3:.1f} ms; steps: mean "
            f"{np.mean([len(p) for p, _, _ in runs]):.1f})"
        )
    mean_plain = np.mean([t for _, t, _ in plain])
    print(
        f"  bare igraph get_shortest_path: mean {np.mean(bare_ig) * 1e3:.1f} ms "
        f"(find_path / igraph {mean_plain / np.mean(bare_ig):.1f}x); networkx "
        f"bidirectional_shortest_path: mean {np.mean(bare_nx) * 1e3:.1f} ms "
        f"(find_path / networkx {mean_plain / np.mean(bare_nx):.2f}x)"
    )

    # centrality ---------------------------------------------------------------------
    table, t_ctx = _timed(lambda: peermap.contexts(ds))
    result, t_cent, c_cent = _cpu(lambda: peermap.centrality(ds, contexts=table))
    print(
        f"\ncentrality (contexts given): {t_cent:6.2f} s   target 10 s   ratio {t_cent / 10:.2f}"
        f"   (CPU {c_cent:.2f} s; {int(result['broker'].sum())} brokers)"
    )
    print(f"contexts alone (computed by centrality when not given): {t_ctx:.2f} s")
    ties = record_graph(ds, peermap.Window(), "ties").igraph()
    sources = random.Random(0).sample(range(ties.vcount()), BETWEENNESS_SAMPLE)
    _, t_bw = _timed(lambda: ties.betweenness(directed=False, sources=sources))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, t_eig = _timed(ties.eigenvector_centrality)
    _, t_core = _timed(ties.coreness)
    _, t_art = _timed(ties.articulation_points)
    bare = t_bw + t_eig + t_core + t_art
    print(
        f"  bare igraph calls: betweenness ({BETWEENNESS_SAMPLE} sources) {t_bw:.2f} s, "
        f"eigenvector {t_eig:.2f} s, coreness {t_core:.2f} s, articulation points "
        f"{t_art:.2f} s: {bare:.2f} s (centrality / igraph {t_cent / bare:.2f}x)"
    )
    if not args.skip_networkx:
        tie_nx = nx.Graph()
        tie_nx.add_nodes_from(range(ties.vcount()))
        tie_nx.add_edges_from(ties.get_edgelist())
        _, t_nx = _timed(lambda: nx.betweenness_centrality(tie_nx, k=BETWEENNESS_SAMPLE, seed=0))
        print(
            f"  networkx betweenness ({BETWEENNESS_SAMPLE} sources): {t_nx:.2f} s "
            f"(networkx / igraph betweenness {t_nx / t_bw:.1f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
