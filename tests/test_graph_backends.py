"""Where graph algorithms run: igraph's C code gives networkx's answers, faster.

networkx is the reference. Betweenness through igraph must equal
``networkx.betweenness_centrality`` for the same seed (same sources, same rescaling);
components must be the same sets; Louvain must be repeatable for a seed on each backend.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import peermap
from peermap import _graph_backends
from peermap import _kernels as kernels
from peermap.synthetic import scenario


def _edges(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


_build = _graph_backends.build


@pytest.fixture(scope="module")
def random_graph() -> nx.Graph:
    graph = nx.gnm_random_graph(400, 900, seed=7)
    graph.add_nodes_from(range(400, 406))  # isolated nodes, as people never seen anywhere
    return graph


@pytest.mark.parametrize("k", [None, 2, 25, 406])
@pytest.mark.parametrize("seed", [0, 11])
def test_igraph_betweenness_equals_networkx_for_the_same_seed(
    random_graph: nx.Graph, k: int | None, seed: int
) -> None:
    u, v = _edges(random_graph)
    n = random_graph.number_of_nodes()
    ours = _graph_backends.betweenness("igraph", _build("igraph", n, u, v), k=k, seed=seed)
    reference = nx.betweenness_centrality(random_graph, k=k, seed=seed, normalized=True)
    np.testing.assert_allclose(ours, [reference[i] for i in range(n)], rtol=1e-9, atol=1e-12)
    through_networkx = _graph_backends.betweenness(
        "networkx", _build("networkx", n, u, v), k=k, seed=seed
    )
    np.testing.assert_allclose(through_networkx, [reference[i] for i in range(n)], rtol=1e-12)


def test_a_different_seed_samples_different_sources(random_graph: nx.Graph) -> None:
    u, v = _edges(random_graph)
    n = random_graph.number_of_nodes()
    graph = _build("igraph", n, u, v)
    a = _graph_backends.betweenness("igraph", graph, k=25, seed=0)
    b = _graph_backends.betweenness("igraph", graph, k=25, seed=1)
    assert not np.allclose(a, b)


def test_components_are_the_same_sets_on_each_backend(random_graph: nx.Graph) -> None:
    u, v = _edges(random_graph)
    n = random_graph.number_of_nodes()
    reference = sorted(map(sorted, nx.connected_components(random_graph)))
    for backend in ("igraph", "networkx"):
        found = _graph_backends.components(backend, _build(backend, n, u, v))
        assert sorted(map(sorted, found)) == reference


@pytest.fixture(scope="module")
def scenario_ds() -> peermap.Dataset:
    ds, _ = scenario(peermap.demo_boundaries(), n_people=600, seed=3)
    return ds


def test_hotspot_betweenness_is_the_same_on_both_backends(
    scenario_ds: peermap.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Force the sampled estimate on a small graph, so the sample itself is compared.
    monkeypatch.setattr(kernels, "BETWEENNESS_EXACT_MAX", 10)
    fast = peermap.hotspots(scenario_ds, betweenness_sample=40, seed=5, backend="igraph")
    slow = peermap.hotspots(scenario_ds, betweenness_sample=40, seed=5, backend="networkx")
    np.testing.assert_allclose(fast["betweenness"], slow["betweenness"], rtol=1e-9, atol=1e-15)
    assert fast["place_id"].tolist() == slow["place_id"].tolist()
    assert fast["betweenness"].gt(0).any()


@pytest.mark.parametrize("backend", ["igraph", "networkx"])
def test_contexts_are_repeatable_for_a_seed(scenario_ds: peermap.Dataset, backend: str) -> None:
    # a few consensus runs: the seed must fix each run and so their consensus
    first = peermap.contexts(scenario_ds, backend=backend, max_people=20, seed=4, stability_runs=3)
    again = peermap.contexts(scenario_ds, backend=backend, max_people=20, seed=4, stability_runs=3)
    assert first["people"].tolist() == again["people"].tolist()
    assert first["n_people"].max() <= 20  # the split did run


def test_igraph_seed_does_not_leak_into_the_global_generator(
    scenario_ds: peermap.Dataset,
) -> None:
    import random

    import igraph

    random.seed(123)
    expected = [random.random() for _ in range(3)]
    random.seed(123)
    peermap.contexts(scenario_ds, backend="igraph", max_people=20)
    assert [random.random() for _ in range(3)] == expected
    igraph.Graph.Erdos_Renyi(n=5, p=0.5)  # igraph still works on the default generator


def test_default_backend_comes_from_settings(
    scenario_ds: peermap.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(peermap.settings, "graph_backend", "networkx")
    assert _graph_backends.resolve(None) == "networkx"
    by_setting = peermap.contexts(scenario_ds, max_people=20, stability_runs=2)
    named = peermap.contexts(scenario_ds, max_people=20, backend="networkx", stability_runs=2)
    assert by_setting["people"].tolist() == named["people"].tolist()


def test_unknown_backend_is_refused_with_the_choices(scenario_ds: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match=r"backend='graphtool'.*'igraph', 'networkx'"):
        peermap.contexts(scenario_ds, backend="graphtool")
    with pytest.raises(ValueError, match="betweenness_sample=1"):
        peermap.hotspots(scenario_ds, betweenness_sample=1)


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Install networkx's own test backend, ``nx_loopback``, as networkx's tests do.

    It converts each graph to its own class and runs networkx's code on it, so it shows
    that peermap hands the work to networkx's dispatcher. Returns the names of the
    algorithms it was asked to convert graphs for.
    """
    from importlib.metadata import entry_points

    found = entry_points(name="nx_loopback", group="networkx.backends")
    if not found:
        pytest.skip("this networkx install does not register its nx_loopback test backend")
    backends = nx.utils.backends
    interface = found["nx_loopback"].load()
    calls: list[str] = []
    original = interface.convert_from_nx

    def counting(graph, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("name") or "?")
        return original(graph, *args, **kwargs)

    monkeypatch.setattr(interface, "convert_from_nx", counting)
    monkeypatch.setitem(backends.backends, "nx_loopback", found["nx_loopback"])
    monkeypatch.setitem(backends.backend_info, "nx_loopback", {})
    monkeypatch.setattr(
        nx.config,
        "backends",
        nx.utils.Config(nx_loopback=nx.utils.Config(), **nx.config.backends),
    )
    monkeypatch.setattr(
        backends._dispatchable, "__call__", backends._dispatchable._call_if_any_backends_installed
    )
    return calls


def test_a_named_networkx_backend_gets_the_work_and_gives_the_same_answers(
    scenario_ds: peermap.Dataset, loopback: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kernels, "BETWEENNESS_EXACT_MAX", 10)
    dispatched = peermap.hotspots(scenario_ds, betweenness_sample=30, backend="nx_loopback")
    assert "betweenness_centrality" in loopback
    direct = peermap.hotspots(scenario_ds, betweenness_sample=30, backend="networkx")
    np.testing.assert_allclose(dispatched["betweenness"], direct["betweenness"], rtol=1e-12)
    loopback.clear()
    by_backend = peermap.contexts(
        scenario_ds, max_people=20, backend="nx_loopback", stability_runs=2
    )
    assert {"louvain_communities", "connected_components"} <= set(loopback)
    plain = peermap.contexts(scenario_ds, max_people=20, backend="networkx", stability_runs=2)
    assert by_backend["people"].tolist() == plain["people"].tolist()
