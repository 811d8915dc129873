"""The fast graph builders of peermap.networks build exactly the graphs of the old ones.

``old_peer_graph``, ``old_place_graph`` and ``old_copresence_graph`` below are a verbatim
copy of the per-row implementation the builders had before they were vectorised (kept
here only, as the reference). The graphs must agree in everything: graph attributes,
nodes and their order, node attributes (values, types, order), every adjacency in order,
edge keys, edge attributes (values and types: ``pandas.Timestamp`` with the same unit,
``NaT``, Python ``int``/``str``/``list``/``dict``), and one data dict shared by both
directions of an edge.
"""

from __future__ import annotations

import gc
import math
from typing import Any, cast

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import peermap
from peermap import networks, settings
from peermap.dataset import Dataset
from peermap.filters import Window
from peermap.networks import DateLike, filter_sightings, filter_ties
from peermap.schema import RELIABILITIES, RELIABILITY_RANK

# --------------------------------------------------------------------------- reference


def _none(value: Any) -> Any:
    """Missing values (NaN, NA) as None, so attributes are plain Python values."""
    return (
        None
        if value is None or (not isinstance(value, str | list | dict) and pd.isna(value))
        else value
    )


def _person_nodes(ds: Dataset) -> list[tuple[str, dict[str, Any]]]:
    people = ds.people
    relocated = set(ds.relocations["person_id"])
    cols = {
        "home_authority": people["home_authority"].to_numpy(dtype=object),
        "age": people["age"].to_numpy(dtype=object),
        "sex": people["sex"].to_numpy(dtype=object),
        "looked_after": people["looked_after"].to_numpy(dtype=object),
    }
    nodes = []
    for i, pid in enumerate(people["person_id"].to_numpy(dtype=object)):
        attrs: dict[str, Any] = {"node_type": "person"}
        for name, values in cols.items():
            value = _none(values[i])
            if name == "age" and value is not None:
                value = int(value)
            if name == "looked_after" and value is not None:
                value = bool(value)
            attrs[name] = value
        attrs["relocated"] = pid in relocated
        nodes.append((pid, attrs))
    return nodes


def _bound(value: DateLike) -> str | None:
    stamp = Window(since=value).since
    if stamp is None:
        return None
    return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()


def _graph_attrs(
    name: str, since: DateLike, until: DateLike, min_reliability: str
) -> dict[str, Any]:
    return {
        "name": name,
        "crs": settings.metric_crs,
        # The bounds as the window reads them (day-first text, pd.NaT as no bound).
        "since": _bound(since),
        "until": _bound(until),
        "min_reliability": min_reliability,
    }


def old_peer_graph(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> nx.MultiGraph:
    """Build the graph of young people and the ties between them.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Keep ties active within this window (see :func:`filter_ties`).
    min_reliability : str, default "unverified"
        Keep ties of at least this grade, e.g. ``"corroborated"`` for confirmed and
        corroborated ties only.

    Returns
    -------
    networkx.MultiGraph
        Every young person as a node (also those with no tie in the window), one edge
        per tie; attributes as documented in :mod:`peermap.networks`.
    """
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    edges = pd.DataFrame(
        {
            "person_a": ties["person_a"].to_numpy(dtype=object),
            "person_b": ties["person_b"].to_numpy(dtype=object),
            "key": ties.index.to_numpy(),
            "kind": ties["kind"].to_numpy(dtype=object),
            "source": ties["source"].to_numpy(dtype=object),
            "reliability": ties["reliability"].astype(str).to_numpy(dtype=object),
            "first_seen": ties["first_seen"].to_numpy(dtype=object),
            "last_seen": ties["last_seen"].to_numpy(dtype=object),
        }
    )
    graph = nx.from_pandas_edgelist(
        edges,
        "person_a",
        "person_b",
        edge_attr=["kind", "source", "reliability", "first_seen", "last_seen"],
        edge_key="key",
        create_using=nx.MultiGraph,
    )
    graph.add_nodes_from(_person_nodes(ds))
    graph.graph.update(_graph_attrs("peer", since, until, min_reliability))
    return graph


def _place_nodes(ds: Dataset, ids: set[str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    places = ds.places
    has_authority = "authority_code" in places
    nodes = []
    for row in places.itertuples(index=False):
        pid = row.place_id
        if ids is not None and pid not in ids:
            continue
        nodes.append(
            (
                pid,
                {
                    "node_type": "place",
                    "bipartite": 1,
                    "kind": row.kind,
                    "authority_code": _none(row.authority_code) if has_authority else None,
                    "authority_name": _none(row.authority_name) if has_authority else None,
                    "x": float(row.easting),
                    "y": float(row.northing),
                    "lon": float(row.lon),
                    "lat": float(row.lat),
                },
            )
        )
    return nodes


def old_place_graph(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> nx.Graph:
    """Build the bipartite graph of young people and the places they were seen at.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.

    Returns
    -------
    networkx.Graph
        Every young person (``bipartite=0``) and every place (``bipartite=1``) as
        nodes; one edge per person-place pair seen, with sighting counts by context.

    Raises
    ------
    ValueError
        When a person and a place share an id.
    """
    clash = set(ds.people["person_id"]) & set(ds.places["place_id"])
    if clash:
        raise ValueError(
            "a person and a place share an id ("
            + ", ".join(sorted(clash)[:5])
            + "); node keys must be unique in the place graph"
        )
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    graph = nx.Graph()
    people = _person_nodes(ds)
    for _, attrs in people:
        attrs["bipartite"] = 0
    graph.add_nodes_from(people)
    graph.add_nodes_from(_place_nodes(ds))
    if len(s):
        rank = s["reliability"].map(RELIABILITY_RANK).astype(int)
        frame = pd.DataFrame(
            {
                "person_id": s["person_id"].to_numpy(dtype=object),
                "place_id": s["place_id"].to_numpy(dtype=object),
                "context": s["context"].to_numpy(dtype=object),
                "date": s["date"].to_numpy(),
                "rank": rank.to_numpy(),
            }
        )
        pairs = frame.groupby(["person_id", "place_id"], sort=True)
        summary = pairs.agg(
            count=("date", "size"),
            first=("date", "min"),
            last=("date", "max"),
            rank=("rank", "max"),
        )
        by_context = (
            frame.groupby(["person_id", "place_id", "context"], sort=True).size().rename("n")
        )
        contexts: dict[tuple[str, str], dict[str, int]] = {}
        for key, n in by_context.items():
            person, place, context = cast(tuple[str, str, str], key)
            contexts.setdefault((person, place), {})[context] = int(n)
        ends = summary.index.to_list()
        counts = summary["count"].to_numpy(dtype=int)
        firsts, lasts = summary["first"].to_list(), summary["last"].to_list()
        ranks = summary["rank"].to_numpy(dtype=int)
        graph.add_edges_from(
            (
                person,
                place,
                {
                    "count": int(counts[i]),
                    "contexts": contexts[(person, place)],
                    "first": pd.Timestamp(firsts[i]),
                    "last": pd.Timestamp(lasts[i]),
                    "reliability": RELIABILITIES[int(ranks[i])],
                },
            )
            for i, (person, place) in enumerate(ends)
        )
    graph.graph.update(_graph_attrs("place", since, until, min_reliability))
    return graph


def old_copresence_graph(
    ds: Dataset,
    *,
    window_days: int = 7,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> nx.Graph:
    """Link young people seen at the same place within ``window_days`` of each other.

    This is the projection analysts use to find groups nobody recorded as a tie.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window_days : int, default 7
        Two sightings at one place at most this many days apart link their young
        people (0 = the same day).
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.

    Returns
    -------
    networkx.Graph
        Young people as nodes (all of them), co-presence edges with ``count``,
        ``places``, ``first`` and ``last``.
    """
    if window_days < 0:
        raise ValueError(f"window_days={window_days}; expected 0 or more")
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    graph = nx.Graph()
    graph.add_nodes_from(_person_nodes(ds))
    pairs = _copresent_pairs(s, window_days)
    if len(pairs):
        grouped = pairs.groupby(["u", "v"], sort=True)
        summary = grouped.agg(count=("place", "size"), first=("date", "min"), last=("date", "max"))
        # Distinct places per pair: sort once, then slice one list at each new (u, v);
        # a groupby-agg(list) or numpy.split would build an object per pair.
        uniq = pairs[["u", "v", "place"]].drop_duplicates().sort_values(["u", "v", "place"])
        us, vs = uniq["u"].to_numpy(dtype=object), uniq["v"].to_numpy(dtype=object)
        starts = np.flatnonzero((us[1:] != us[:-1]) | (vs[1:] != vs[:-1])) + 1
        bounds = [0, *starts.tolist(), len(uniq)]
        flat = uniq["place"].to_list()
        counts = summary["count"].to_list()
        firsts, lasts = summary["first"].to_list(), summary["last"].to_list()  # Timestamps
        graph.add_edges_from(
            (u, v, {"count": c, "places": flat[a:b], "first": f, "last": la})
            for (u, v), c, a, b, f, la in zip(
                summary.index.to_list(),
                counts,
                bounds[:-1],
                bounds[1:],
                firsts,
                lasts,
                strict=True,
            )
        )
    graph.graph.update(_graph_attrs("copresence", since, until, min_reliability))
    graph.graph["window_days"] = window_days
    return graph


def _copresent_pairs(s: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """All pairs of sightings of two different people at one place within the window.

    Vectorised: sightings are sorted by place and date, and for each sighting the run
    of later sightings at the same place within the window is found with
    ``numpy.searchsorted`` and expanded, so the cost grows with the pairs found, not
    with the square of the sightings at a place.
    """
    if s.empty:
        return pd.DataFrame(columns=["u", "v", "place", "date"])
    frame = s[["person_id", "place_id", "date"]].sort_values(["place_id", "date", "person_id"])
    place_codes, _ = pd.factorize(frame["place_id"], sort=True)
    days = (frame["date"].to_numpy().astype("datetime64[D]").astype(np.int64)).astype(np.int64)
    # A single sortable key: place first, then day, so a window never crosses places.
    key = place_codes.astype(np.int64) * (1 << 32) + (days - days.min())
    hi = np.searchsorted(key, key + window_days, side="right")
    start = np.arange(len(key)) + 1
    counts = np.maximum(hi - start, 0)
    left = np.repeat(np.arange(len(key)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    right = np.repeat(start, counts) + offsets
    people = frame["person_id"].to_numpy(dtype=object)
    a, b = people[left], people[right]
    differ = a != b
    a, b = a[differ], b[differ]
    swap = a > b
    u = np.where(swap, b, a)
    v = np.where(swap, a, b)
    dates = frame["date"].to_numpy()
    later = np.maximum(dates[left][differ], dates[right][differ])
    return pd.DataFrame(
        {
            "u": u,
            "v": v,
            "place": frame["place_id"].to_numpy(dtype=object)[left][differ],
            "date": later,
        }
    )


# --------------------------------------------------------------------------- comparison


def _canon(value: Any) -> Any:
    """A value with its type, so that 1 != 1.0 != True and Timestamps keep their unit."""
    if value is pd.NaT:
        return ("NaT",)
    if isinstance(value, pd.Timestamp):
        return ("Timestamp", value.value, value.unit, str(value.tz))
    if isinstance(value, dict):
        return ("dict", tuple((_canon(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_canon(v) for v in value))
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def assert_same_graph(new: nx.Graph, old: nx.Graph) -> None:
    assert type(new) is type(old)
    assert _canon(new.graph) == _canon(old.graph)
    assert list(new._node) == list(old._node)  # node order
    for node, attrs in old._node.items():
        assert _canon(new._node[node]) == _canon(attrs), node
    assert list(new._adj) == list(old._adj)
    for node, nbrs in old._adj.items():
        assert _canon(new._adj[node]) == _canon(nbrs), node  # neighbour order, keys, data
        for other, data in new._adj[node].items():
            assert data is new._adj[other][node]  # one dict for both directions
    assert nx.utils.graphs_equal(new, old)


def _builds(ds: Dataset, builder: str, **options: Any) -> tuple[nx.Graph, nx.Graph]:
    new = getattr(networks, builder)(ds, **options)
    old = globals()[f"old_{builder}"](ds, **options)
    return cast(nx.Graph, new), cast(nx.Graph, old)


FILTERS: list[dict[str, Any]] = [
    {},
    {"min_reliability": "corroborated"},
    {"min_reliability": "confirmed"},
    {"since": "2024-03-01", "until": "2024-06-30"},
    {"since": "2024-10-15"},
    {"until": pd.Timestamp("2024-02-10")},
    {"since": "2031-01-01"},  # nothing left
]


@pytest.fixture(scope="module", params=[3, 11])
def scenario_ds(request: pytest.FixtureRequest) -> Dataset:
    ds, _ = peermap.synthetic.scenario(
        peermap.demo_boundaries(), n_people=2000, seed=cast(int, request.param)
    )
    return ds


@pytest.mark.parametrize("options", FILTERS)
@pytest.mark.parametrize("builder", ["peer_graph", "place_graph"])
def test_builders_match_the_reference(
    scenario_ds: Dataset, builder: str, options: dict[str, Any]
) -> None:
    new, old = _builds(scenario_ds, builder, **options)
    assert_same_graph(new, old)


@pytest.mark.parametrize(
    ("window_days", "options"),
    [(w, f) for w in (0, 1, 7) for f in FILTERS]
    + [(30, FILTERS[2]), (30, FILTERS[5]), (90, {"since": "2024-12-01"})],
)
def test_copresence_matches_the_reference(
    scenario_ds: Dataset, window_days: int, options: dict[str, Any]
) -> None:
    new, old = _builds(scenario_ds, "copresence_graph", window_days=window_days, **options)
    assert_same_graph(new, old)


def test_scenario_graphs_are_not_trivial(scenario_ds: Dataset) -> None:
    # The comparisons above compare real graphs: edges, NaT, several places per pair,
    # several contexts per person-place pair, parallel ties.
    peer = networks.peer_graph(scenario_ds)
    assert peer.number_of_edges() == len(scenario_ds.ties)
    assert any(d["last_seen"] is pd.NaT for _, _, d in peer.edges(data=True))
    place = networks.place_graph(scenario_ds)
    assert any(len(d["contexts"]) > 1 for _, _, d in place.edges(data=True))
    co = networks.copresence_graph(scenario_ds, window_days=30)
    assert any(len(d["places"]) > 1 for _, _, d in co.edges(data=True))
    assert co.number_of_edges() > 1000


@pytest.fixture(scope="module")
def small() -> Dataset:
    """People with missing optional values, parallel and open-ended ties, no boundaries."""
    people = pd.DataFrame(
        {
            "person_id": ["p1", "p2", "p3", "p4", "p5"],
            "home_authority": ["A", "A", "B", "B", "C"],
            "age": [14, 15, 16, 13, 17],
            "sex": ["F", None, "M", "X", None],
            "looked_after": ["yes", "no", None, "no", None],
        }
    )
    places = pd.DataFrame(
        {
            "place_id": ["h1", "s1", "q1"],
            "kind": ["hotel", "school", "park"],
            "easting": [693500, 710124, 692500],
            "northing": [315500, 306250, 313500],
        }
    )
    ties = pd.DataFrame(
        [
            ("p2", "p1", "friend", "2024-01-10", "", "school", "confirmed"),
            ("p1", "p2", "partner", "2024-02-01", "2024-03-01", "police", "reported"),
            ("p3", "p1", "associate", "2024-02-05", "", "young_person", "unverified"),
            ("p4", "p3", "friend", "2024-02-05", "2024-02-06", "school", "corroborated"),
        ],
        columns=[
            "person_a",
            "person_b",
            "kind",
            "first_seen",
            "last_seen",
            "source",
            "reliability",
        ],
    )
    sightings = pd.DataFrame(
        [
            ("p1", "h1", "2024-02-10", "cse", "police", "confirmed"),
            ("p2", "h1", "2024-02-12", "cse", "police", "corroborated"),
            ("p2", "h1", "2024-02-13", "cce", "police", "reported"),
            ("p3", "h1", "2024-02-12", "cce", "school", "unverified"),
            ("p1", "s1", "2024-02-11", "bullying", "school", "confirmed"),
            ("p2", "s1", "2024-02-11", "other", "school", "reported"),
            ("p1", "s1", "2024-02-11", "cse", "health", "reported"),
            ("p4", "q1", "2024-05-01", "cse", "police", "reported"),
        ],
        columns=["person_id", "place_id", "date", "context", "source", "reliability"],
    )
    relocations = pd.DataFrame(
        [("p3", "B", "A", "2024-03-01", "housing")],
        columns=["person_id", "from_authority", "to_authority", "date", "kind"],
    )
    return peermap.read_dataset(
        {
            "people": people,
            "places": places,
            "ties": ties,
            "sightings": sightings,
            "relocations": relocations,
        }
    )


@pytest.mark.parametrize("options", FILTERS[:4])
def test_small_dataset_without_boundaries(small: Dataset, options: dict[str, Any]) -> None:
    assert "authority_code" not in small.places
    assert small.people["sex"].isna().any() and small.people["looked_after"].isna().any()
    for builder in ("peer_graph", "place_graph"):
        assert_same_graph(*_builds(small, builder, **options))
    for window in (0, 1, 2, 100):
        assert_same_graph(*_builds(small, "copresence_graph", window_days=window, **options))


def test_ids_missing_from_the_people_and_places_tables(small: Dataset) -> None:
    # Datasets built directly (not read) may reference unknown ids: the builders then
    # add the nodes as networkx would, in the order it would.
    ties = pd.concat(
        [
            small.ties,
            small.ties.iloc[[0]].assign(person_a="zz1", person_b="p5"),
            small.ties.iloc[[1]].assign(person_a="p4", person_b="zz0"),
        ]
    )
    ties.index = pd.Index([10, 3, 7, 1, 4, 2])  # keys are index labels, not positions
    sightings = pd.concat(
        [
            small.sightings,
            small.sightings.iloc[[0, 1]].assign(person_id="zz2"),
            small.sightings.iloc[[2]].assign(place_id="nowhere"),
        ],
        ignore_index=True,
    )
    odd = small.replace(ties=ties, sightings=sightings)
    for builder in ("peer_graph", "place_graph"):
        assert_same_graph(*_builds(odd, builder))
    # A tie of someone with themself (a self-loop), and repeated index labels (the
    # later tie of a pair with the same key updates the earlier one's attributes).
    selfie = small.ties.iloc[[2]].assign(person_a="p5", person_b="p5").set_axis([99])
    looped = pd.concat([ties, selfie])
    assert looped.index.is_unique
    assert_same_graph(*_builds(odd.replace(ties=looped), "peer_graph"))
    repeated = looped.set_axis([0, 0, 1, 1, 2, 0, 3])
    new, old = _builds(odd.replace(ties=repeated), "peer_graph")
    assert_same_graph(new, old)
    assert new.number_of_edges() < len(repeated)
    for window in (0, 3):
        assert_same_graph(*_builds(odd, "copresence_graph", window_days=window))
    assert "zz2" in networks.copresence_graph(odd)
    # A sighting whose young person is unknown but has a place's id.
    crossed = pd.concat(
        [small.sightings, small.sightings.iloc[[0]].assign(person_id="s1", place_id="q1")],
        ignore_index=True,
    )
    assert_same_graph(*_builds(small.replace(sightings=crossed), "place_graph"))


def test_empty_tables(small: Dataset) -> None:
    empty = small.replace(ties=small.ties.iloc[:0], sightings=small.sightings.iloc[:0])
    for builder in ("peer_graph", "place_graph", "copresence_graph"):
        new, old = _builds(empty, builder)
        assert new.number_of_edges() == 0
        assert_same_graph(new, old)


def test_analysis_fixture_dataset(hand_worked: Dataset) -> None:
    # The hand-worked dataset of test_analysis, read with the demo boundaries.
    ds = hand_worked
    for builder in ("peer_graph", "place_graph"):
        assert_same_graph(*_builds(ds, builder))
    for window in (0, 2, 7):
        assert_same_graph(*_builds(ds, "copresence_graph", window_days=window))


def test_objects_the_application_froze_stay_frozen(small: Dataset) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        networks.copresence_graph(small)
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(small: Dataset, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        networks.copresence_graph(small)
        networks.place_graph(small)
        networks.peer_graph(small)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


def test_codes_follow_id_order() -> None:
    # u < v as strings: sorted factorize codes order as the ids do, also past ASCII.
    ids = pd.Series(["b", "a", "é", "Z", "a1", "ä"], dtype="str")
    codes, uniques = pd.factorize(ids, sort=True)
    assert list(uniques) == sorted(set(ids))
    assert np.array_equal(np.argsort(codes, kind="stable"), np.argsort(ids.to_numpy(dtype=object)))


@pytest.mark.parametrize("top", [1, 3, 2**16, 2**16 + 5, 2**33, 2**62])
def test_stable_argsort_is_numpys(top: int) -> None:
    rng = np.random.default_rng(top % 1000)
    values = rng.integers(0, top, 20_000, endpoint=True)
    assert np.array_equal(networks._stable_argsort(values), np.argsort(values, kind="stable"))
    assert len(networks._stable_argsort(values[:0])) == 0
