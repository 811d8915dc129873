"""Where the heavy graph algorithms run: igraph's C code, or networkx and its backends.

peermap's graphs are networkx graphs, and networkx is the reference for every
algorithm. On a London-size graph (55,000 nodes, 675,000 edges) networkx's pure-Python
Louvain takes about 25 s and each betweenness source about 0.8 s, so by default the two
run in igraph's C implementation of the same methods (about ten times faster):

* Louvain: igraph's ``community_multilevel`` is Blondel et al.'s method, as networkx's
  ``louvain_communities`` is; the two visit nodes in different random orders, so their
  partitions differ in detail. Each is repeatable for a seed.
* Betweenness: the same estimator as ``networkx.betweenness_centrality`` with the same
  seeded sample of sources and the same rescaling, so the values equal networkx's up to
  floating-point rounding (the tests check this).

``backend="networkx"`` runs networkx's own code, and the name of any installed networkx
backend (``"parallel"`` for nx-parallel, ``"cugraph"``, ...) dispatches to it through
networkx's backend mechanism.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import igraph as ig  # type: ignore[import-untyped]
import networkx as nx
import numpy as np
import numpy.typing as npt

from peermap import settings
from peermap.exceptions import ArgumentError

IntArray = npt.NDArray[np.int64]
#: Split a sorted array of nodes into communities: one label (0, 1, ...) per node.
Partition = Callable[[IntArray], IntArray]


def resolve(backend: str | None) -> str:
    """Check a backend name (``None``: :data:`peermap.settings.graph_backend`)."""
    name = settings.graph_backend if backend is None else backend
    known = ["igraph", "networkx", *sorted(nx.utils.backends.backends)]
    if name not in known:
        raise ArgumentError(
            f"backend={name!r} is not available; expected one of {known} "
            "(a networkx backend must be installed to be named)"
        )
    return name


def _dispatch(backend: str) -> dict[str, str]:
    """Keyword for a networkx call: none for networkx itself, else ``backend=``."""
    return {} if backend == "networkx" else {"backend": backend}


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Give igraph its own seeded generator for one call, then the default back."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def build(
    backend: str, n: int, u: IntArray, v: IntArray, w: npt.NDArray[np.float64] | None = None
) -> Any:
    """Build the undirected graph on nodes ``0..n-1`` with edges ``(u[i], v[i])`` once.

    An igraph graph for ``"igraph"`` (with each vertex's node number in ``"node"``),
    otherwise a networkx graph; edges weigh ``w`` when given.
    """
    if backend == "igraph":
        # A list of tuples builds about three times faster than a numpy array, which
        # python-igraph converts element by element.
        edges = list(zip(np.asarray(u).tolist(), np.asarray(v).tolist(), strict=True))
        graph = ig.Graph(n=n, edges=edges, directed=False)
        graph.vs["node"] = range(n)
        if w is not None:
            graph.es["weight"] = np.asarray(w, dtype=float)
        return graph
    nx_graph = nx.Graph()
    nx_graph.add_nodes_from(range(n))
    if w is None:
        nx_graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    else:
        nx_graph.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
    return nx_graph


def _labels(parts: list[set[int]], nodes: IntArray) -> IntArray:
    label = {node: j for j, part in enumerate(parts) for node in part}
    return np.array([label[int(n)] for n in nodes], dtype=np.int64)


def louvain(backend: str, graph: Any, *, resolution: float, seed: int) -> Partition:
    """Return a function that labels a sorted array of nodes with Louvain communities."""
    if backend == "igraph":

        def split_igraph(nodes: IntArray) -> IntArray:
            sub = graph.induced_subgraph(nodes.tolist())
            with _seeded(seed):
                clusters = sub.community_multilevel(weights="weight", resolution=resolution)
            return np.asarray(clusters.membership, dtype=np.int64)

        return split_igraph

    def split_networkx(nodes: IntArray) -> IntArray:
        parts = nx.community.louvain_communities(
            graph.subgraph(nodes.tolist()),
            weight="weight",
            resolution=resolution,
            seed=seed,
            **_dispatch(backend),
        )
        return _labels([set(part) for part in parts], nodes)

    return split_networkx


def leiden(
    backend: str,
    graph: Any,
    *,
    resolution: float,
    seed: int,
    n_iterations: int = 2,
    subgraphs: dict[bytes, Any] | None = None,
) -> Partition:
    """Return a function that labels a sorted array of nodes with connected communities.

    ``subgraphs`` (from :func:`subgraphs`) holds induced subgraphs cut once for runs
    with several seeds; other node sets are cut when asked.

    With ``"igraph"`` this is the Leiden method (Traag, Waltman and van Eck, 2019) on
    modularity (``n_iterations`` of igraph's: two by default, -1 until the partition no
    longer changes): unlike Louvain it never leaves a community
    internally disconnected, after any iteration. networkx has no Leiden of its own (its
    ``leiden_communities`` only dispatches to other backends), so the other backends run
    Louvain and split every community into its connected components, which gives the
    same guarantee.
    """
    if backend == "igraph":

        def split_igraph(nodes: IntArray) -> IntArray:
            sub = None
            if subgraphs:
                sub = subgraphs.get(np.asarray(nodes, dtype=np.int64).tobytes())
            if sub is None:
                sub = graph.induced_subgraph(nodes.tolist())
            with _seeded(seed):
                clusters = sub.community_leiden(
                    objective_function="modularity",
                    weights="weight",
                    resolution=resolution,
                    n_iterations=n_iterations,
                )
            return np.asarray(clusters.membership, dtype=np.int64)

        return split_igraph

    louvain_split = louvain(backend, graph, resolution=resolution, seed=seed)

    def split_connected(nodes: IntArray) -> IntArray:
        label = louvain_split(nodes)
        parts: list[set[int]] = []
        for j in range(int(label.max()) + 1 if len(label) else 0):
            part = nodes[label == j].tolist()
            parts.extend(set(c) for c in nx.connected_components(graph.subgraph(part)))
        return _labels(parts, nodes)

    return split_connected


def subgraphs(backend: str, graph: Any, node_sets: Sequence[IntArray]) -> dict[bytes, Any]:
    """Cut the induced subgraphs of sorted ``node_sets`` once, for :func:`leiden`.

    Only igraph needs them cut (networkx takes a view); empty for other backends.
    """
    if backend != "igraph":
        return {}
    return {
        np.asarray(nodes, dtype=np.int64).tobytes(): graph.induced_subgraph(nodes.tolist())
        for nodes in node_sets
    }


def components(backend: str, graph: Any) -> list[IntArray]:
    """Find the connected components of ``graph``, each a sorted array of node numbers."""
    if backend == "igraph":
        membership = np.asarray(graph.connected_components().membership, dtype=np.int64)
        order = np.argsort(membership, kind="stable")
        bounds = np.flatnonzero(np.diff(membership[order])) + 1
        return [np.sort(part) for part in np.split(order, bounds)] if len(order) else []
    return [
        np.array(sorted(c), dtype=np.int64)
        for c in nx.connected_components(graph, **_dispatch(backend))
    ]


def betweenness(backend: str, graph: Any, *, k: int | None, seed: int) -> npt.NDArray[np.float64]:
    """Normalised betweenness of nodes ``0..n-1``, as ``networkx.betweenness_centrality``.

    ``k`` sources are sampled with ``random.Random(seed).sample(list(nodes), k)``, as
    networkx samples them (``None``: every node, exact). Endpoints are excluded and the
    estimate rescaled as networkx 3.6 does: ``1 / (k (n - 2))`` for a node that was not a
    source and ``1 / ((k - 1) (n - 2))`` for one that was (exact: ``1 / ((n-1)(n-2))``).
    """
    if backend != "igraph":
        values = nx.betweenness_centrality(
            graph, k=k, seed=seed, normalized=True, **_dispatch(backend)
        )
        return np.array([values[i] for i in range(len(values))], dtype=float)
    n: int = graph.vcount()
    sources: Sequence[int] | None = None
    if k is not None:
        sources = random.Random(seed).sample(list(range(n)), k)
    # igraph counts each unordered pair once; networkx accumulates both directions.
    raw: npt.NDArray[np.float64] = 2.0 * np.asarray(
        graph.betweenness(directed=False, sources=sources), dtype=float
    )
    if n - 1 < 2:
        return raw
    if k is None:
        return raw / ((n - 1) * (n - 2))
    scale = np.full(n, 1.0 / (k * (n - 2)))
    scale[list(sources or [])] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else np.nan
    result: npt.NDArray[np.float64] = raw * scale
    return result


def place_betweenness(
    backend: str,
    people: npt.NDArray[np.object_],
    places: npt.NDArray[np.object_],
    person: npt.NDArray[np.intp],
    place: npt.NDArray[np.intp],
    *,
    k: int,
    exact_max: int,
    seed: int,
) -> npt.NDArray[np.float64]:
    """Betweenness of each place (in the order of ``places``) in a person-place graph.

    ``people``, ``places``: the ids; ``person``, ``place``: positions of each edge's two
    ends in them. The graph is on integer nodes: people first, then places, each in the
    order of their ids (not of the tables: the sample of ``k`` sources a graph of more
    than ``exact_max`` nodes is estimated from is drawn by node number); edges sorted, so
    the answer does not depend on the order the pairs come in.
    """
    n = len(people) + len(places)
    if n == 0:
        return np.zeros(0)
    person_node = _id_ranks(people)
    place_node = _id_ranks(places) + len(people)
    u = person_node[person]
    v = place_node[place]
    order = np.lexsort((v, u))
    graph = build(backend, n, u[order], v[order])
    values = betweenness(backend, graph, k=None if n <= exact_max else min(k, n), seed=seed)
    result: npt.NDArray[np.float64] = np.asarray(values, dtype=np.float64)[place_node]
    return result


def _id_ranks(ids: npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
    """Each id's position in the sorted ids (ties kept in table order)."""
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.argsort(ids.astype(str), kind="stable")] = np.arange(len(ids))
    return ranks
