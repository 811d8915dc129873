"""Cross-borough analysis: contexts, flows, hotspot venues, Gi* hot spots, relocations.

Every function takes a :class:`~peermap.Dataset` and the same filter keywords as the
graph builders (``since``, ``until``, ``min_reliability``), so an analyst can ask
"confirmed and corroborated links in the last six months" everywhere. Methods and
their limits are described in ``docs/analysis.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse
import scipy.sparse.csgraph

from peermap import _graph_backends, _lookup, ranking
from peermap.dataset import Dataset
from peermap.networks import DateLike, filter_sightings, filter_ties
from peermap.schema import CONTEXTS

__all__ = [
    "CONTEXT_WEIGHTS",
    "SERIOUS_CONTEXTS",
    "context_graph",
    "contexts",
    "flow_matrix",
    "flows",
    "hotspots",
]

#: Contexts that weigh most when ranking contexts (exploitation and serious harm).
SERIOUS_CONTEXTS: tuple[str, ...] = (
    "cse",
    "cce",
    "serious_youth_violence",
    "harmful_sexual_behaviour",
)

FlowKind = Literal["sightings", "ties", "relocations"]
Engine = Literal["pandas", "dask"]


def _check_engine(engine: str) -> None:
    if engine not in ("pandas", "dask"):
        raise ValueError(f"engine={engine!r}; expected 'pandas' or 'dask'")


def _authority_graph(ds: Dataset) -> nx.Graph | None:
    return None if ds.region is None else ds.region.neighbour_graph()


# --------------------------------------------------------------------------- contexts


#: Weight of a sighting by abuse context when linking people to places (others weigh 1).
CONTEXT_WEIGHTS: dict[str, float] = {
    "cse": 10.0,
    "cce": 10.0,
    "harmful_sexual_behaviour": 2.0,
    "serious_youth_violence": 2.0,
}
#: Weight of an exploiter tie relative to other ties.
EXPLOITER_WEIGHT = 6.0


def context_graph(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    include_places: bool = True,
    tie_weight: float = 0.3,
) -> nx.Graph:
    """Build the weighted graph of young people and places that contexts are cut from.

    Nodes are ``("person", person_id)`` and ``("place", place_id)``. A person-place
    edge weighs the person's sightings there (each weighted by
    :data:`CONTEXT_WEIGHTS` and by its reliability,
    :data:`peermap.ranking.RELIABILITY_WEIGHT`) normalised by the geometric mean of the person's and
    the place's totals (cosine, Salton's index): a venue that draws a large share of
    a young person's sightings, and whose sightings come largely from them, links
    strongly; a venue that hundreds pass through links each of them weakly. A tie
    weighs ``tie_weight`` (times :data:`EXPLOITER_WEIGHT` for exploiter ties, times its
    reliability weight) divided by the geometric mean of the two people's tie counts.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until, min_reliability
        Filters, as in :func:`contexts`.
    include_places : bool, default True
        Add places and person-place edges.
    tie_weight : float, default 0.3
        Weight of ties relative to place links.

    Returns
    -------
    networkx.Graph
        Every young person as a node; edges with a ``weight`` attribute.
    """
    nodes, u, v, w = _context_edges(
        ds,
        since=since,
        until=until,
        min_reliability=min_reliability,
        include_places=include_places,
        tie_weight=tie_weight,
    )
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from(
        (nodes[i], nodes[j], weight)
        for i, j, weight in zip(u.tolist(), v.tolist(), w.tolist(), strict=True)
    )
    return graph


def _context_edges(
    ds: Dataset,
    *,
    since: DateLike,
    until: DateLike,
    min_reliability: str,
    include_places: bool,
    tie_weight: float,
) -> tuple[
    list[tuple[str, str]], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]
]:
    """Nodes (people first, then places) and weighted edges as integer positions."""
    people_index, place_index = _ids(ds)
    n_people, n_places = len(people_index), len(place_index)
    nodes: list[tuple[str, str]] = [("person", p) for p in people_index]
    us: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    vs: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    ws: list[npt.NDArray[np.float64]] = [np.empty(0, dtype=np.float64)]
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    if len(ties):
        a = people_index.get_indexer(pd.Index(ties["person_a"])).astype(np.int64)
        b = people_index.get_indexer(pd.Index(ties["person_b"])).astype(np.int64)
        degree = np.bincount(np.concatenate([a, b]), minlength=n_people).astype(float)
        kind = np.where(ties["kind"].to_numpy(dtype=object) == "exploiter", EXPLOITER_WEIGHT, 1.0)
        kind = kind * ranking.reliability_weight(ties["reliability"])
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key, inverse = np.unique(lo * n_people + hi, return_inverse=True)
        weight = np.bincount(
            inverse, weights=tie_weight * kind / np.sqrt(degree[a] * degree[b]), minlength=len(key)
        )
        us.append(key // n_people)
        vs.append(key % n_people)
        ws.append(weight.astype(np.float64))
    if include_places:
        nodes += [("place", p) for p in place_index]
        s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
        if len(s):
            who, where = _positions(s, people_index, place_index)
            w = s["context"].map(CONTEXT_WEIGHTS).fillna(1.0).to_numpy(dtype=float)
            w = w * ranking.reliability_weight(s["reliability"])
            key, inverse = np.unique(who.astype(np.int64) * n_places + where, return_inverse=True)
            pair = np.bincount(inverse, weights=w, minlength=len(key))
            per_person = np.bincount(who, weights=w, minlength=n_people)
            per_place = np.bincount(where, weights=w, minlength=n_places)
            persons, at = key // n_places, key % n_places
            us.append(persons)
            vs.append(at + n_people)
            ws.append(pair / np.sqrt(per_person[persons] * per_place[at]))
    return nodes, np.concatenate(us), np.concatenate(vs), np.concatenate(ws)


def contexts(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    include_places: bool = True,
    min_people: int = 2,
    max_people: int | None = 50,
    resolution: float = 4.0,
    tie_weight: float = 0.3,
    seed: int = 0,
    stability_runs: int | None = None,
    link_reliability: str = "unverified",
    backend: str | None = None,
) -> pd.DataFrame:
    """Find contexts, groups of young people and the places they share, most concerning first.

    Young people and places are joined by ties and by sightings (see
    :func:`context_graph` for the weights). Its connected components are the
    contexts; venues everyone passes through join most young people into one giant
    component, so a component with more than ``max_people`` young people is split
    into communities with the Leiden method (weighted, seeded: the split is
    repeatable, and no community is internally disconnected), and any community still
    larger is split again on its own.

    Contexts are ranked by their concern score (:mod:`peermap.ranking`,
    ``docs/analysis.md``): the harm recorded about their young people, by kind and
    weighted by severity and reliability, beyond what their activity would bring at
    the places they use, plus their exploiter ties, times the reach across authorities.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries to classify reach and count place authorities).
    since, until : date or str, optional
        Keep ties active and sightings dated within this window.
    min_reliability : str, default "unverified"
        The weakest grade that counts as evidence: in the counts and the concern
        score (records kept still count by their reliability). It does not decide who
        is linked to whom: that is ``link_reliability``, so a stricter cut ranks
        contexts on stronger evidence without breaking them apart.
    link_reliability : str, default "unverified"
        The weakest grade of tie or sighting that links young people and places into
        contexts; every link weighs by its reliability
        (:data:`peermap.ranking.RELIABILITY_WEIGHT`), so weak records join weakly.
    include_places : bool, default True
        Link young people through shared places; with ``False`` only recorded ties link.
    min_people : int, default 2
        Smallest context reported.
    max_people : int or None, default 50
        Split larger components into Leiden communities (``None``: never split).
    resolution : float, default 4.0
        Modularity resolution: higher gives smaller communities (about peer-group size
        at the default).
    tie_weight : float, default 0.3
        Weight of ties relative to place links in the split.
    seed : int, default 0
        Seed for the community method.
    stability_runs : int, optional
        Independent runs of the community method, with seeds drawn from ``seed``.
        Large components are split by their consensus (two linked nodes stay together
        when they share a community in more than half the runs), so the contexts do
        not hang on one seed, and ``stability`` says in what share of the runs each
        context came out. 1 or less: one run with ``seed``, no consensus,
        ``stability`` is ``NaN``. By default :data:`STABILITY_RUNS` when the components
        to split hold at most :data:`STABILITY_AUTO_MAX_PEOPLE` young people, else 1:
        each run costs about as much as the whole call (about 1.5 s per run at London
        scale, 50,000 young people), so at that scale ask for it.
    backend : str, optional
        Where the community method runs: ``"igraph"`` (Leiden in C, the default through
        :data:`peermap.settings.graph_backend`), ``"networkx"`` (Louvain, each
        community then split into its connected components), or an installed networkx
        backend. Each is repeatable for a seed.

    Returns
    -------
    pandas.DataFrame
        One row per context, most concerning first (``context_id`` 1 is the top):

        * ``people``, ``places``, ``authorities``: sorted lists. ``places`` is the
          context's own places (each place is in one context's ``places``);
          ``shared_places`` lists other places where two or more of its young people
          were seen, so a place shows with every context that uses it.
          ``authorities``: the young people's home authorities and those of the
          context's places, own and shared.
        * ``n_people``, ``n_places``, ``n_authorities``, ``spans_authorities``.
        * ``reach``: ``single``; ``neighbours``; ``distant`` (at least
          :data:`DISTANT_MIN_PEOPLE` young people link the same two authorities that
          do not border each other, and either they are at least
          :data:`DISTANT_MIN_SHARE` of its young people whose links cross authorities,
          or at least :data:`DISTANT_MIN_PEOPLE` of them link that pair by exploitation
          records (CSE, CCE or missing episodes at the far end, exploiter ties): a
          county-lines pattern, not scattered visits); ``unknown`` without boundaries. A link is a
          member seen at one of the context's places (own or shared) in another
          authority than their home, or a tie between members homed apart.
          ``max_distance_km``: the longest link, between authority centroids;
          ``distant_people``: the most young people linking one pair of authorities
          that do not border each other.
        * ``n_ties``, ``exploiter_ties`` (ties between members), one column of
          sightings per abuse context and ``serious`` (sightings in
          :data:`SERIOUS_CONTEXTS` plus exploiter ties): every sighting of the
          context's young people in the window, wherever it was;
          ``outside_sightings``: how many of those were at places not in ``places``.
        * ``n_relocated``; ``first_date`` and ``last_date``: the first and last record
          at the context's places (own or shared) or between its young people.
        * The score's parts: ``harm`` and ``expected`` (observed and expected harm of
          the kinds that stand out), ``excess_ratio``, ``p_value`` and ``q_value``
          (one-sided), ``concern``, ``stability`` (share of the runs in which a context
          with at least half the same young people, Jaccard >= 0.5, comes out) and
          ``reasons`` (the score in words).
    """
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    sightings = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    nodes, u, v, w = _context_edges(
        ds,
        since=since,
        until=until,
        min_reliability=link_reliability,
        include_places=include_places,
        tie_weight=tie_weight,
    )
    n_people = len(ds.people)
    name = _graph_backends.resolve(backend)
    graph = _graph_backends.build(name, len(nodes), u, v, w)
    components = _graph_backends.components(name, graph)

    def small(nodes: npt.NDArray[np.int64]) -> bool:
        return max_people is None or int((nodes < n_people).sum()) <= max_people

    # Components small enough stay whole in every run; only the split ones vary.
    whole = [c for c in components if small(c)]
    large = [c for c in components if not small(c)]

    n_split = sum(int((c < n_people).sum()) for c in large)
    if stability_runs is None:
        stability_runs = STABILITY_RUNS if n_split <= STABILITY_AUTO_MAX_PEOPLE else 1
    # Each large component is cut out of the graph once, for every run.
    subgraphs = _graph_backends.subgraphs(name, graph, large if stability_runs > 1 else [])

    def partition(run_seed: int) -> list[npt.NDArray[np.int64]]:
        split = _graph_backends.leiden(
            name, graph, resolution=resolution, seed=run_seed, subgraphs=subgraphs
        )
        parts: list[npt.NDArray[np.int64]] = []
        for component in large:
            parts.extend(_split(split, component, small))
        return parts

    runs: list[npt.NDArray[np.int64]] = []
    if stability_runs > 1 and large:
        # Independent runs: each splits every large component from the top with its
        # own seed, so a context owes nothing to one seed's first cut.
        seeds = np.random.SeedSequence(seed).generate_state(stability_runs).tolist()
        runs = [_label(partition(int(s)), len(nodes)) for s in seeds]
        split_parts = []
        for part in _consensus(runs, u, v, w):
            if small(part):
                split_parts.append(part)
            else:  # consensus chained communities: keep the first run's split of them
                first = runs[0][part]
                split_parts.extend(part[first == j] for j in np.unique(first))
    else:
        split_parts = partition(seed)
    groups = sorted([*whole, *split_parts], key=lambda g: int(g.min()))
    table = _context_table(ds, groups, ties, sightings, min_people)
    if stability_runs > 1:
        table["stability"] = _stability(table, ds, split_parts, runs) if runs else 1.0
    else:
        table["stability"] = np.nan
    table["reasons"] = [_context_reasons(row) for row in table.itertuples(index=False)]
    return table


def _split(
    communities: _graph_backends.Partition,
    nodes: npt.NDArray[np.int64],
    small: Callable[[npt.NDArray[np.int64]], bool],
) -> list[npt.NDArray[np.int64]]:
    """Split sorted ``nodes`` into communities until every part is ``small``.

    Modularity has a resolution limit: on a large graph its communities grow with the
    graph, so a community still too large is split again on its own subgraph.
    """
    out: list[npt.NDArray[np.int64]] = []
    stack = [nodes]
    while stack:
        current = stack.pop()
        if small(current):
            out.append(current)
            continue
        label = communities(current)
        if not len(label) or int(label.max()) == 0:  # no split improves modularity
            out.append(current)
            continue
        order = np.argsort(label, kind="stable")
        bounds = np.flatnonzero(np.diff(label[order])) + 1
        stack.extend(np.split(current[order], bounds))
    return sorted(out, key=lambda part: int(part.min()))


def _label(parts: list[npt.NDArray[np.int64]], n_nodes: int) -> npt.NDArray[np.int64]:
    """One run's partition as a label per node (-1 for nodes it did not split)."""
    label = np.full(n_nodes, -1, dtype=np.int64)
    for j, part in enumerate(parts):
        label[part] = j
    return label


#: Share of runs in which two linked nodes must share a community to stay together in
#: the consensus partition.
CONSENSUS_SHARE = 0.5


def _consensus(
    runs: list[npt.NDArray[np.int64]],
    u: npt.NDArray[np.int64],
    v: npt.NDArray[np.int64],
    w: npt.NDArray[np.float64],
) -> list[npt.NDArray[np.int64]]:
    """Combine several partitions (labels per node) into one that no seed decides.

    Consensus clustering (Lancichinetti and Fortunato, 2012): two linked nodes stay
    together when they share a community in more than :data:`CONSENSUS_SHARE` of the
    runs; the consensus communities are the connected components of those links. A node
    left alone joins the consensus community of the neighbour it shared most runs with
    (by link weight on ties). Only nodes of split components (label >= 0) take part.
    """
    label = np.stack(runs)
    taking = label[0] >= 0
    inside = taking[u] & taking[v]
    uu, vv, ww = u[inside], v[inside], w[inside]
    share = (label[:, uu] == label[:, vv]).mean(axis=0) if len(uu) else np.zeros(0)
    keep = share > CONSENSUS_SHARE
    n_nodes = label.shape[1]
    kept = scipy.sparse.coo_array(
        (np.ones(int(keep.sum()), dtype=np.int8), (uu[keep], vv[keep])), shape=(n_nodes, n_nodes)
    )
    group = scipy.sparse.csgraph.connected_components(kept, directed=False)[1].astype(np.int64)
    sizes = np.bincount(group[taking], minlength=int(group.max()) + 1 if n_nodes else 0)
    # Nodes left alone join the neighbour they were most often with.
    alone = taking & (sizes[group] == 1)
    if alone.any() and len(uu):
        a = np.concatenate([uu, vv])
        b = np.concatenate([vv, uu])
        score = np.concatenate([share, share]) + 1e-6 * np.concatenate([ww, ww])
        pick = alone[a] & ~alone[b]
        a, b, score = a[pick], b[pick], score[pick]
        order = np.lexsort((b, -score, a))
        first = np.ones(len(order), dtype=bool)
        first[1:] = a[order][1:] != a[order][:-1]
        group[a[order][first]] = group[b[order][first]]
    members = np.flatnonzero(taking)
    order = np.argsort(group[members], kind="stable")
    bounds = np.flatnonzero(np.diff(group[members][order])) + 1
    parts = np.split(members[order], bounds) if len(members) else []
    return sorted((np.sort(p) for p in parts), key=lambda p: int(p.min()))


#: Runs of the community method for the consensus and ``stability`` by default.
STABILITY_RUNS = 10
#: Above this many young people in components to split, ``contexts()`` makes one run
#: unless ``stability_runs`` asks for more (the runs' cost grows with the graph).
STABILITY_AUTO_MAX_PEOPLE = 20_000

#: Jaccard similarity of young people from which a context counts as found again.
STABILITY_JACCARD = 0.5


def _stability(
    table: pd.DataFrame,
    ds: Dataset,
    reference: list[npt.NDArray[np.int64]],
    runs: list[npt.NDArray[np.int64]],
) -> npt.NDArray[np.float64]:
    """Share of the runs in which each context comes out.

    A context comes out in a run when some community of that run has Jaccard
    similarity of young people of at least :data:`STABILITY_JACCARD` with it. Contexts
    cut from components that were not split come out whole in every run.
    """
    n_people = len(ds.people)
    position = pd.Index(ds.people["person_id"].to_numpy(dtype=object))
    varying = np.zeros(n_people, dtype=bool)
    for part in reference:
        varying[part[part < n_people]] = True
    n_rows = len(table)
    if n_rows == 0:
        return np.zeros(0)
    lengths = table["people"].map(len).to_numpy(dtype=np.int64)
    flat = position.get_indexer(pd.Index(np.concatenate(table["people"].to_numpy())))
    row_of = np.repeat(np.arange(n_rows), lengths)
    fixed = np.bincount(row_of, weights=varying[flat], minlength=n_rows) == 0
    found = np.zeros(n_rows)
    for run in runs:
        label = run[:n_people]
        n_labels = int(label.max()) + 2
        size = np.bincount(label[label >= 0], minlength=n_labels)
        labels = label[flat]
        ok = labels >= 0
        key, common = np.unique(row_of[ok] * n_labels + labels[ok], return_counts=True)
        rows, best = key // n_labels, key % n_labels
        jaccard = common / (lengths[rows] + size[best] - common)
        top = np.zeros(n_rows)
        np.maximum.at(top, rows, jaccard)
        found += fixed | (top >= STABILITY_JACCARD)
    result: npt.NDArray[np.float64] = found / max(len(runs), 1)
    return result


#: A context is ``distant`` when at least this many of its young people link the same
#: two authorities that do not border each other (independent evidence of one route) ...
DISTANT_MIN_PEOPLE = 2
#: ... and they are at least this share of its young people whose links cross authorities,
#: or at least DISTANT_MIN_PEOPLE of them link that pair by exploitation records
#: (:data:`EXPLOITATION_CONTEXTS` at the far end, or exploiter ties).
DISTANT_MIN_SHARE = 0.2
#: Records that make a distant route an exploitation route: a county-lines pattern even
#: when the route's young people are few among a large context's visitors elsewhere.
EXPLOITATION_CONTEXTS: tuple[str, ...] = ("cse", "cce", "missing_episode")


def _reach_of(
    links: pd.DataFrame, n_contexts: int, graph: nx.Graph | None
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Classify each context's reach from its links.

    ``links`` has columns ``ctx``, ``person``, ``a``, ``b`` and ``exploitation``.
    Returns the reach labels, the longest link in km and the young people with a
    link between non-neighbours, per context.
    """
    reach = ["single"] * n_contexts
    far_km = np.zeros(n_contexts)
    distant_people = np.zeros(n_contexts, dtype=np.int64)
    crossing = links[links["a"] != links["b"]].drop_duplicates()
    if crossing.empty:
        return reach, far_km, distant_people
    if graph is None:
        for ctx in set(crossing["ctx"].tolist()):
            reach[int(ctx)] = "unknown"
        far_km[:] = np.nan
        return reach, far_km, distant_people
    pairs = crossing[["a", "b"]].drop_duplicates()
    known = [a in graph and b in graph for a, b in zip(pairs["a"], pairs["b"], strict=True)]
    neighbour = [
        ok and graph.has_edge(a, b) for ok, a, b in zip(known, pairs["a"], pairs["b"], strict=True)
    ]
    km = [
        math.hypot(
            graph.nodes[b]["centroid_bng"][0] - graph.nodes[a]["centroid_bng"][0],
            graph.nodes[b]["centroid_bng"][1] - graph.nodes[a]["centroid_bng"][1],
        )
        / 1000.0
        if ok
        else math.nan
        for ok, a, b in zip(known, pairs["a"], pairs["b"], strict=True)
    ]
    pairs = pairs.assign(known=known, neighbour=neighbour, km=km)
    crossing = crossing.merge(pairs, on=["a", "b"], how="left")
    per = crossing.groupby("ctx")
    unknown = per["known"].all()
    far_km_s = per["km"].max()
    people_crossing = per["person"].nunique()
    far = crossing[crossing["known"] & ~crossing["neighbour"]]
    lo = np.where(
        far["a"].to_numpy(dtype=object) < far["b"].to_numpy(dtype=object), far["a"], far["b"]
    )
    hi = np.where(
        far["a"].to_numpy(dtype=object) < far["b"].to_numpy(dtype=object), far["b"], far["a"]
    )
    far = far.assign(lo=lo, hi=hi)
    per_pair = far.groupby(["ctx", "lo", "hi"])["person"].nunique()
    n_far = per_pair.groupby(level=0).max() if len(per_pair) else pd.Series(dtype=int)
    exploited = far[far["exploitation"].astype(bool)]
    per_pair_x = exploited.groupby(["ctx", "lo", "hi"])["person"].nunique()
    n_far_x = per_pair_x.groupby(level=0).max() if len(per_pair_x) else pd.Series(dtype=int)
    for ctx in people_crossing.index:
        i = int(ctx)
        if not unknown[ctx]:
            reach[i] = "unknown"
            far_km[i] = math.nan
            continue
        far_km[i] = round(float(far_km_s[ctx]), 1)
        k = int(n_far.get(ctx, 0))
        distant_people[i] = k
        share = k / max(int(people_crossing[ctx]), 1)
        exploited_route = int(n_far_x.get(ctx, 0)) >= DISTANT_MIN_PEOPLE
        distant = k >= DISTANT_MIN_PEOPLE and (share >= DISTANT_MIN_SHARE or exploited_route)
        reach[i] = "distant" if distant else "neighbours"
    return reach, far_km, distant_people


def _context_table(
    ds: Dataset,
    groups: list[npt.NDArray[np.int64]],
    ties: pd.DataFrame,
    sightings: pd.DataFrame,
    min_people: int,
) -> pd.DataFrame:
    home = _lookup.home(ds)
    place_auth = (
        _lookup.place_authority(ds) if "authority_code" in ds.places else pd.Series(dtype=object)
    )
    relocated = set(ds.relocations["person_id"])
    people_index, place_index = _ids(ds)
    n_people, n_places = len(people_index), len(place_index)
    people_ids = people_index.to_numpy(dtype=object)
    place_ids = place_index.to_numpy(dtype=object)
    person_ctx = np.full(n_people, -1, dtype=np.intp)
    place_ctx = np.full(n_places, -1, dtype=np.intp)
    kept: list[tuple[list[str], list[str]]] = []
    for group in groups:
        nodes = np.asarray(group, dtype=np.intp)
        people_at = nodes[nodes < n_people]
        if len(people_at) < min_people:
            continue
        places_at = nodes[nodes >= n_people] - n_people
        person_ctx[people_at] = len(kept)
        place_ctx[places_at] = len(kept)
        kept.append(
            (
                sorted(people_ids[people_at].tolist()),
                sorted(place_ids[places_at].tolist()),
            )
        )
    n_ctx = len(kept)
    # Every sighting of a context's young people counts towards it.
    who, where = _positions(sightings, people_index, place_index)
    s_ctx = person_ctx[who]
    mine = s_ctx >= 0
    frame = pd.DataFrame(
        {
            "ctx": s_ctx[mine],
            "person": who[mine],
            "place": where[mine],
            "context": sightings["context"].to_numpy(dtype=object)[mine],
            "date": sightings["date"].to_numpy()[mine],
            "own": place_ctx[where[mine]] == s_ctx[mine],
        }
    )
    s_counts = (
        frame.groupby(["ctx", "context"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=range(n_ctx), columns=list(CONTEXTS), fill_value=0)
    )
    outside = frame[~frame["own"]].groupby("ctx").size().reindex(range(n_ctx), fill_value=0)
    # Places shared: not the context's own, where two or more of its people were seen.
    seen = frame[~frame["own"]][["ctx", "place", "person"]].drop_duplicates()
    n_seen = seen.groupby(["ctx", "place"]).size()
    shared_counts = n_seen[n_seen >= 2].reset_index()
    shared_ctx = shared_counts["ctx"].to_numpy(dtype=np.int64)
    shared_names = place_ids[shared_counts["place"].to_numpy(dtype=np.int64)]
    cuts = np.flatnonzero(np.diff(shared_ctx)) + 1  # grouped by ctx: runs of one ctx
    shared: dict[int, list[str]] = {
        int(run[0]): sorted(names.tolist())
        for run, names in zip(np.split(shared_ctx, cuts), np.split(shared_names, cuts), strict=True)
        if len(run)
    }
    # Ties between members; exploiter ties touching members count in the score.
    a_at = people_index.get_indexer(pd.Index(ties["person_a"]))
    b_at = people_index.get_indexer(pd.Index(ties["person_b"]))
    a_ctx, b_ctx = person_ctx[a_at], person_ctx[b_at]
    inside = (a_ctx >= 0) & (a_ctx == b_ctx)
    t_frame = ties[inside].assign(ctx=a_ctx[inside])
    t_n = t_frame.groupby("ctx").size()
    t_exploit = t_frame[t_frame["kind"] == "exploiter"].groupby("ctx").size()
    t_first = t_frame.groupby("ctx")["first_seen"].min()
    t_last = (
        t_frame.assign(end=t_frame["last_seen"].fillna(t_frame["first_seen"]))
        .groupby("ctx")["end"]
        .max()
    )
    score = _context_score(ds, sightings, ties, who, where, person_ctx, a_ctx, b_ctx, n_ctx)
    # Links: members seen at the context's places (own or shared) away from home, and
    # ties between members homed apart.
    homes = home.reindex(people_index).to_numpy(dtype=object)
    auths = (
        place_auth.reindex(place_index).to_numpy(dtype=object)
        if len(place_auth)
        else (np.full(n_places, None, dtype=object))
    )
    pair_key = frame["ctx"].to_numpy(dtype=np.int64) * n_places + frame["place"].to_numpy()
    shared_key = shared_counts["ctx"].to_numpy(dtype=np.int64) * n_places + shared_counts[
        "place"
    ].to_numpy(dtype=np.int64)
    at_ctx_place = frame["own"].to_numpy(dtype=bool) | np.isin(pair_key, shared_key)
    linked = frame[at_ctx_place]
    # Active: from the first to the last record at the context's places or between its
    # young people (their records elsewhere are counted, not dated).
    s_first = linked.groupby("ctx")["date"].min()
    s_last = linked.groupby("ctx")["date"].max()
    # A tie across authorities is one link: its evidence is the member on the side with
    # fewer of the context's young people (the visitor), not both.
    members_at = (
        pd.Series(1, index=pd.MultiIndex.from_arrays([person_ctx, homes]))
        .groupby(level=[0, 1])
        .size()
    )
    side_a = members_at.reindex(pd.MultiIndex.from_arrays([a_ctx[inside], homes[a_at[inside]]]))
    side_b = members_at.reindex(pd.MultiIndex.from_arrays([a_ctx[inside], homes[b_at[inside]]]))
    visitor = np.where(
        side_a.fillna(0).to_numpy() <= side_b.fillna(0).to_numpy(), a_at[inside], b_at[inside]
    )
    links = pd.concat(
        [
            pd.DataFrame(
                {
                    "ctx": linked["ctx"].to_numpy(),
                    "person": linked["person"].to_numpy(),
                    "a": homes[linked["person"].to_numpy()],
                    "b": auths[linked["place"].to_numpy()],
                    "exploitation": linked["context"].isin(EXPLOITATION_CONTEXTS).to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "ctx": a_ctx[inside],
                    "person": visitor,
                    "a": homes[a_at[inside]],
                    "b": homes[b_at[inside]],
                    "exploitation": (t_frame["kind"] == "exploiter").to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )
    links = links[links["a"].notna().to_numpy() & links["b"].notna().to_numpy()]
    reach, far_km, distant_people = _reach_of(links, n_ctx, _authority_graph(ds))
    rows: list[dict[str, Any]] = []
    n_exploit, n_tie, n_outside = t_exploit.to_dict(), t_n.to_dict(), outside.to_dict()
    first_s, first_t, last_s, last_t = (
        s_first.to_dict(),
        t_first.to_dict(),
        s_last.to_dict(),
        t_last.to_dict(),
    )
    home_of = {p: h for p, h in home.items() if isinstance(h, str)}
    auth_of = {p: a for p, a in place_auth.items() if isinstance(a, str)}
    count_rows = s_counts.to_numpy(dtype=np.int64)
    for i, (people, places) in enumerate(kept):
        auths_i = {home_of[p] for p in people if p in home_of}
        auths_i |= {auth_of[p] for p in (*places, *shared.get(i, [])) if p in auth_of}
        authorities = sorted(auths_i)
        counts = dict(zip(CONTEXTS, count_rows[i].tolist(), strict=True))
        exploiter = int(n_exploit.get(i, 0))
        firsts = [d for d in (first_s.get(i), first_t.get(i)) if d is not None and not pd.isna(d)]
        lasts = [d for d in (last_s.get(i), last_t.get(i)) if d is not None and not pd.isna(d)]
        # Reach comes from the links (members at the context's places, own or shared,
        # away from home; ties homed apart), so a group homed in one authority and seen
        # together at a flat far away is not "single".
        single = len(authorities) <= 1 and reach[i] == "single"
        rows.append(
            {
                "people": people,
                "places": places,
                "shared_places": shared.get(i, []),
                "authorities": authorities,
                "n_people": len(people),
                "n_places": len(places),
                "n_authorities": len(authorities),
                "spans_authorities": not single,
                "reach": "single" if single else reach[i],
                "max_distance_km": 0.0 if single else float(far_km[i]),
                "distant_people": 0 if single else int(distant_people[i]),
                "n_ties": int(n_tie.get(i, 0)),
                "exploiter_ties": exploiter,
                **counts,
                "serious": sum(counts[c] for c in SERIOUS_CONTEXTS) + exploiter,
                "outside_sightings": int(n_outside.get(i, 0)),
                "n_relocated": sum(1 for p in people if p in relocated),
                "first_date": min(firsts) if firsts else pd.NaT,
                "last_date": max(lasts) if lasts else pd.NaT,
            }
        )
    columns = [
        "context_id",
        "people",
        "places",
        "shared_places",
        "authorities",
        "n_people",
        "n_places",
        "n_authorities",
        "spans_authorities",
        "reach",
        "max_distance_km",
        "distant_people",
        "n_ties",
        "exploiter_ties",
        *CONTEXTS,
        "serious",
        "outside_sightings",
        "n_relocated",
        "first_date",
        "last_date",
        *_SCORE_COLUMNS,
    ]
    if not rows:
        dtypes: dict[str, Any] = {"spans_authorities": bool, "max_distance_km": float}
        dtypes |= {c: "datetime64[ns]" for c in ("first_date", "last_date")}
        counted = ["context_id", "n_people", "n_places", "n_authorities", "n_ties"]
        counted += ["exploiter_ties", *CONTEXTS, "serious", "n_relocated", "distant_people"]
        counted += ["outside_sightings"]
        dtypes |= {c: int for c in counted}
        dtypes |= {c: float for c in _SCORE_COLUMNS if c != "harm_kinds"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})
    table = pd.DataFrame(rows)
    table = pd.concat([table, score.reset_index(drop=True)], axis=1)
    table["concern"] = table["concern"] * ranking.reach_factor(table["reach"].to_numpy())
    table["first_person"] = [r["people"][0] for r in rows]
    table = table.sort_values(
        ["concern", "n_authorities", "serious", "n_people", "first_person"],
        ascending=[False, False, False, False, True],
        kind="stable",
    ).drop(columns="first_person")
    table.insert(0, "context_id", np.arange(1, len(table) + 1))
    table["first_date"] = pd.to_datetime(table["first_date"]).astype("datetime64[ns]")
    table["last_date"] = pd.to_datetime(table["last_date"]).astype("datetime64[ns]")
    return table.reset_index(drop=True)[columns]


_SCORE_COLUMNS = (
    "harm_kinds",
    "harm",
    "expected",
    "excess_ratio",
    "p_value",
    "q_value",
    "concern",
)


def _context_score(
    ds: Dataset,
    sightings: pd.DataFrame,
    ties: pd.DataFrame,
    who: npt.NDArray[np.intp],
    where: npt.NDArray[np.intp],
    person_ctx: npt.NDArray[np.intp],
    a_ctx: npt.NDArray[np.intp],
    b_ctx: npt.NDArray[np.intp],
    n_ctx: int,
) -> pd.DataFrame:
    """Each context's score before reach: harm of its people, and its exploiter ties."""
    n_places = len(ds.places)
    wide = _wide(_pairs(who, where, sightings["context"], _record_sums(sightings)), n_places)
    kinds, _ = pd.factorize(ds.places["kind"].to_numpy(dtype=object))
    base = ranking.baseline(
        wide.records, wide.weight, wide.weight2, wide.place, kinds.astype(np.intp), n_places
    )
    unit = person_ctx[wide.person]
    observed = ranking.per_unit(unit, n_ctx, base.observed)
    expected = ranking.per_unit(unit, n_ctx, base.expected)
    # Exploiter ties as one more kind of harm: each tie touching a context once.
    weight = ranking.reliability_weight(ties["reliability"]) if len(ties) else np.zeros(0)
    exploiter = ties["kind"].to_numpy(dtype=object) == "exploiter"
    x = np.where(exploiter, weight, 0.0)
    tau = x.sum() / max(len(ties), 1)
    spread_x = max(1e-3, float((x * x).sum() / x.sum())) if x.sum() > 0 else 1.0
    both = np.concatenate([a_ctx, np.where(b_ctx != a_ctx, b_ctx, -1)])
    xs = np.concatenate([x, x])
    ok = both >= 0
    obs_x = np.bincount(both[ok], weights=xs[ok], minlength=n_ctx)
    n_touch = np.bincount(both[ok], minlength=n_ctx)
    observed = np.column_stack([observed, obs_x])
    expected = np.column_stack([expected, n_touch * tau])
    severity = np.array(
        [*(ranking.SEVERITY[k] for k in ranking.HARM_KINDS), ranking.EXPLOITER_SEVERITY]
    )
    result = ranking.excess(observed, expected, np.append(base.spread, spread_x), severity=severity)
    names = (*ranking.HARM_KINDS, "exploiter")
    weighted = result.statistic * severity[None, :]
    standing = (weighted > 0) & (weighted >= 0.1 * result.score[:, None])
    return pd.DataFrame(
        {
            "harm_kinds": [[k for k, on in zip(names, row, strict=True) if on] for row in standing],
            "harm": (result.observed * standing).sum(axis=1),
            "expected": (result.expected * standing).sum(axis=1),
            "excess_ratio": result.ratio(standing),
            "p_value": result.p_value,
            "q_value": ranking.q_values(result.p_value),
            "concern": result.score,
        }
    )


def _context_reasons(row: Any) -> str:
    """Put a context's score in words, for reports and the command line."""
    who = _people_words(int(row.n_people), int(row.n_authorities))
    reach = {
        "distant": f"reaching distant authorities (up to {row.max_distance_km:.0f} km)",
        "neighbours": "across neighbouring authorities",
    }.get(str(row.reach), "")
    text = f"{who}{' ' + reach if reach else ''}"
    if row.harm_kinds:
        text += (
            f"; {ranking.harm_words(row.harm_kinds)} at "
            f"{ranking.times(float(row.excess_ratio))} the rate expected for their activity "
            f"({ranking.p_words(float(row.q_value))})"
        )
    else:
        text += "; no more harm recorded than expected for their activity"
    if row.exploiter_ties:
        text += f"; {int(row.exploiter_ties)} exploiter tie{'s' if row.exploiter_ties > 1 else ''}"
    if isinstance(row.stability, float) and not math.isnan(row.stability):
        text += f"; found in {row.stability:.0%} of runs"
    return text


# --------------------------------------------------------------------------- flows


def flows(
    ds: Dataset,
    *,
    kind: FlowKind = "sightings",
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    engine: Engine = "pandas",
) -> pd.DataFrame:
    """Origin-destination table of young people between authorities.

    Parameters
    ----------
    ds : Dataset
        The dataset (``kind="sightings"`` needs places assigned to authorities).
    kind : {"sightings", "ties", "relocations"}
        ``sightings``: home authority -> authority of the place seen at;
        ``ties``: the two home authorities of a tie (an unordered pair, written with the
        smaller code as origin); ``relocations``: from -> to.
    since, until : date or str, optional
        Window (sighting date, tie activity, relocation date).
    min_reliability : str, default "unverified"
        Weakest grade kept (sightings and ties).
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` aggregates sightings on dask (see
        :func:`peermap.dask_engine.sighting_flows`); ties and relocations are small and
        stay in pandas. The table is the same.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``destination`` (codes; ``None`` destination for places outside
        every authority), ``people`` (distinct young people), ``events`` (sightings,
        ties or relocations), ``within`` (origin equals destination: kept and marked),
        sorted by people then events, largest first.
    """
    _check_engine(engine)
    if kind == "sightings" and engine == "dask":
        from peermap import dask_engine

        return dask_engine.sighting_flows(
            ds,
            dask_engine.from_pandas(ds.sightings),
            since=since,
            until=until,
            min_reliability=min_reliability,
        )
    home = _lookup.home(ds)
    if kind == "sightings":
        s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
        frame = pd.DataFrame(
            {
                "origin": home.reindex(s["person_id"].to_numpy()).to_numpy(),
                "destination": _lookup.place_authority(ds)
                .reindex(s["place_id"].to_numpy())
                .to_numpy(),
                "person": s["person_id"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person"]
    elif kind == "ties":
        t = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
        ha = home.reindex(t["person_a"].to_numpy()).to_numpy(dtype=object)
        hb = home.reindex(t["person_b"].to_numpy()).to_numpy(dtype=object)
        swap = ha > hb
        frame = pd.DataFrame(
            {
                "origin": np.where(swap, hb, ha),
                "destination": np.where(swap, ha, hb),
                "person": t["person_a"].to_numpy(dtype=object),
                "other": t["person_b"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person", "other"]
    elif kind == "relocations":
        r = ds.relocations
        keep = pd.Series(True, index=r.index)
        if since is not None:
            keep &= r["date"] >= pd.Timestamp(since)
        if until is not None:
            keep &= r["date"] <= pd.Timestamp(until)
        r = r[keep]
        frame = pd.DataFrame(
            {
                "origin": r["from_authority"].to_numpy(dtype=object),
                "destination": r["to_authority"].to_numpy(dtype=object),
                "person": r["person_id"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person"]
    else:
        raise ValueError(f"kind={kind!r}; expected 'sightings', 'ties' or 'relocations'")
    if frame.empty:
        return _flow_table(pd.Series(dtype=int), pd.Series(dtype=int))
    events = frame.groupby(["origin", "destination"], dropna=False, sort=True).size()
    long = pd.concat(
        [frame[["origin", "destination", c]].rename(columns={c: "person"}) for c in people_cols]
    )
    people = (
        long.drop_duplicates().groupby(["origin", "destination"], dropna=False, sort=True).size()
    )
    return _flow_table(events, people)


_FLOW_COLUMNS = ["origin", "destination", "people", "events", "within"]


def _flow_table(events: pd.Series, people: pd.Series) -> pd.DataFrame:
    """Finish a flow table from counts indexed by (origin, destination) (both engines)."""
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _FLOW_COLUMNS})
    table = pd.DataFrame({"people": people, "events": events})
    table.index.names = ["origin", "destination"]
    table = table.reset_index()
    table["within"] = table["origin"] == table["destination"]
    table = table.sort_values(
        ["people", "events", "origin", "destination"],
        ascending=[False, False, True, True],
        kind="stable",
        na_position="last",
    )
    table["people"] = table["people"].astype(int)
    table["events"] = table["events"].astype(int)
    return table.reset_index(drop=True)[_FLOW_COLUMNS]


def flow_matrix(
    table: pd.DataFrame,
    *,
    value: Literal["people", "events"] = "people",
    authorities: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Turn a flow table into a square origin x destination matrix.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`flows`.
    value : {"people", "events"}
        Which count fills the cells.
    authorities : iterable of str, optional
        Row and column order (default: every code in the table, sorted).

    Returns
    -------
    pandas.DataFrame
        Rows are origins, columns destinations, zero where no flow; square.
    """
    table = table.dropna(subset=["origin", "destination"])
    codes = (
        list(authorities)
        if authorities is not None
        else sorted(set(table["origin"]) | set(table["destination"]))
    )
    matrix = table.pivot_table(
        index="origin", columns="destination", values=value, aggfunc="sum", fill_value=0
    )
    matrix = matrix.reindex(index=codes, columns=codes, fill_value=0).astype(int)
    matrix.index.name, matrix.columns.name = "origin", "destination"
    return matrix


# --------------------------------------------------------------------------- hotspots

#: Above this many nodes the place graph's betweenness is estimated from a seeded sample.
BETWEENNESS_EXACT_MAX = 1_000


def hotspots(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    betweenness_sample: int = 32,
    seed: int = 0,
    backend: str | None = None,
    engine: Engine = "pandas",
) -> gpd.GeoDataFrame:
    """Rank venues by concern: harm recorded there beyond what is usual for such a place.

    A venue is not a hotspot because it is busy. Each venue's harm (records weighted
    by severity and reliability, at most :data:`peermap.ranking.PAIR_CAP` per young
    person) is judged against what its footfall would bring at the rate usual for
    venues of its kind (Kulldorff's Poisson log-likelihood ratio, with a p-value and
    Benjamini-Hochberg q-value), then weighed by the reach of the young people harmed
    there and by how many of them are in exploiter ties. ``docs/analysis.md`` gives the
    formula and the reasons; :mod:`peermap.ranking` holds the weights.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries for reach and ``outside_share``).
    since, until : date or str, optional
        Keep sightings dated, and ties active, within this window.
    min_reliability : str, default "unverified"
        Keep sightings and ties of at least this grade (weaker records kept still
        count for less in the score).
    betweenness_sample : int, default 32
        Source nodes sampled for betweenness when the place graph has more than
        :data:`BETWEENNESS_EXACT_MAX` nodes (exact below).
    seed : int, default 0
        Seed for the betweenness sample.
    backend : str, optional
        Where betweenness runs: ``"igraph"`` (C, the default through
        :data:`peermap.settings.graph_backend`; the same sample and rescaling as
        networkx, so equal values), ``"networkx"``, or an installed networkx backend
        such as ``"parallel"`` (nx-parallel).
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` aggregates the sightings on dask (see
        :func:`peermap.dask_engine.hotspots`, which takes sightings already in dask);
        the table is the same.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place (EPSG:27700), most concerning first, ``place_id`` as a
        column, with ``people`` (distinct young people), ``sightings``,
        ``home_authorities`` (distinct home authorities of those people),
        ``outside_share`` (share of them homed outside the place's authority), one
        column of sightings per abuse context, ``serious`` (sightings in
        :data:`SERIOUS_CONTEXTS`), ``first_date``, ``last_date``, ``betweenness``
        (normalised, in the place graph); the score's parts: ``harmed_people`` (young
        people with a record of severity 0.5 or more there), ``harmed_authorities``
        (their home authorities), ``exploited`` (how many of them are in an exploiter
        tie), ``reach`` (``single``, ``neighbours`` or ``distant``, of those young
        people's homes from the place's authority; ``unknown`` without boundaries),
        ``harm`` and ``expected`` (observed and expected harm), ``excess_ratio``,
        ``p_value`` and ``q_value`` (one-sided, of the excess), ``concern`` (the
        score), ``reasons`` (the score in words) and ``rank`` (1 = most concerning).
    """
    if engine == "dask":
        from peermap import dask_engine

        return dask_engine.hotspots(
            ds,
            dask_engine.from_pandas(ds.sightings),
            since=since,
            until=until,
            min_reliability=min_reliability,
            betweenness_sample=betweenness_sample,
            seed=seed,
            backend=backend,
        )
    _check_engine(engine)
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    return _hotspot_table(ds, _hotspot_parts(ds, s), ties, betweenness_sample, seed, backend)


class _HotspotParts(NamedTuple):
    """What hotspots needs from the sightings: each part adds up across partitions."""

    pairs: pd.DataFrame  # ``person``, ``place`` (positions), ``context`` (index), PAIR_SUMS
    by_context: pd.DataFrame  # sightings per place (index) and context (columns)
    first_date: pd.Series  # per place
    last_date: pd.Series  # per place


#: What each (person, place, context) adds up: records, their reliability weights and
#: the squares of those weights (see :mod:`peermap.ranking`).
PAIR_SUMS = ("records", "weight", "weight2")
#: Severity from which a record names a young person as harmed in the reasons, when no
#: kind of harm stands out.
HARMED_SEVERITY = 0.6


def _record_sums(s: pd.DataFrame) -> pd.DataFrame:
    """Compute the additive per-record columns of :data:`PAIR_SUMS` for sightings ``s``."""
    weight = ranking.reliability_weight(s["reliability"])
    return pd.DataFrame(
        {"records": np.ones(len(s)), "weight": weight, "weight2": weight * weight},
        index=s.index,
    )


def _ids(ds: Dataset) -> tuple[pd.Index, pd.Index]:
    """Index the person ids and place ids of ``ds``, in dataset order."""
    return (
        pd.Index(ds.people["person_id"].to_numpy(dtype=object)),
        pd.Index(ds.places["place_id"].to_numpy(dtype=object)),
    )


def _positions(
    s: pd.DataFrame, people: pd.Index, places: pd.Index
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions in ``people`` and ``places`` (see :func:`_ids`) of each sighting's ids.

    Graphs and counts work on these integers rather than on the ids' text. A sighting
    of someone (or somewhere) not in the dataset is an error: it cannot be counted.
    """
    who = people.get_indexer(pd.Index(s["person_id"]))
    where = places.get_indexer(pd.Index(s["place_id"]))
    for name, found, column in (("people", who, "person_id"), ("places", where, "place_id")):
        if (found < 0).any():
            first = s[column].to_numpy()[np.flatnonzero(found < 0)[0]]
            raise ValueError(
                f"sightings refer to {column} {first!r}, which is not among the {name} of the "
                "dataset given; read the sightings with the people and places they refer to"
            )
    return who, where


def _pairs(
    who: npt.NDArray[np.intp], where: npt.NDArray[np.intp], context: pd.Series, sums: pd.DataFrame
) -> pd.DataFrame:
    """Sum :data:`PAIR_SUMS` per distinct (person, place, context), sorted."""
    kind = pd.Index(ranking.HARM_KINDS).get_indexer(pd.Index(context.astype(str)))
    frame = sums.reset_index(drop=True).assign(person=who, place=where, context=kind)
    keys = ["person", "place", "context"]
    return frame.groupby(keys, sort=True)[list(PAIR_SUMS)].sum().reset_index()


class _Wide(NamedTuple):
    """Distinct (person, place) pairs with their records and weights by kind of harm."""

    person: npt.NDArray[np.intp]
    place: npt.NDArray[np.intp]
    records: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]  # pairs x kinds of harm
    weight2: npt.NDArray[np.float64]


def _wide(long: pd.DataFrame, n_places: int) -> _Wide:
    """Turn per (person, place, context) sums into per-pair rows and per-kind columns."""
    person = long["person"].to_numpy(dtype=np.int64)
    place = long["place"].to_numpy(dtype=np.int64)
    key = person * max(n_places, 1) + place
    unique, inverse = np.unique(key, return_inverse=True)
    n, k = len(unique), len(ranking.HARM_KINDS)
    kind = long["context"].to_numpy(dtype=np.intp)
    weight = np.zeros((n, k))
    weight2 = np.zeros((n, k))
    np.add.at(weight, (inverse, kind), long["weight"].to_numpy(dtype=float))
    np.add.at(weight2, (inverse, kind), long["weight2"].to_numpy(dtype=float))
    records = np.bincount(inverse, weights=long["records"].to_numpy(dtype=float), minlength=n)
    return _Wide(
        (unique // max(n_places, 1)).astype(np.intp),
        (unique % max(n_places, 1)).astype(np.intp),
        records.astype(float),
        weight,
        weight2,
    )


def _hotspot_parts(ds: Dataset, s: pd.DataFrame) -> _HotspotParts:
    """Aggregate sightings (``person_id``, ``place_id``, ``context``, ``date``) by place."""
    who, where = _positions(s, *_ids(ds))
    pairs = _pairs(who, where, s["context"], _record_sums(s))
    by_context = (
        s.groupby(["place_id", "context"], observed=True).size().unstack(fill_value=0)
        if len(s)
        else pd.DataFrame()
    )
    dates = s.groupby("place_id")["date"]
    return _HotspotParts(pairs, by_context, dates.min(), dates.max())


def _exploited(ds: Dataset, ties: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Per person (dataset order): the reliability weight of their strongest exploiter tie."""
    people = pd.Index(ds.people["person_id"].to_numpy(dtype=object))
    out = np.zeros(len(people))
    mine = ties[ties["kind"].to_numpy(dtype=object) == "exploiter"]
    if len(mine):
        weight = ranking.reliability_weight(mine["reliability"])
        for column in ("person_a", "person_b"):
            at = people.get_indexer(pd.Index(mine[column]))
            ok = at >= 0
            np.maximum.at(out, at[ok], weight[ok])
    return out


def _venue_reach(
    ds: Dataset,
    place: npt.NDArray[np.intp],
    home: npt.NDArray[np.intp],
    place_auth: npt.NDArray[np.intp],
    codes: npt.NDArray[np.object_],
) -> npt.NDArray[np.object_]:
    """Reach of each venue from the homes of the young people harmed there.

    ``distant`` when at least two of them are homed in authorities that do not border
    the venue's, ``neighbours`` when one or more are homed in another authority,
    ``single`` otherwise; ``unknown`` without boundaries or an authority.
    """
    n_places = len(ds.places)
    graph = _authority_graph(ds)
    reach = np.full(n_places, "single", dtype=object)
    has = place_auth[np.arange(n_places)] >= 0 if n_places else np.zeros(0, dtype=bool)
    if graph is None:
        reach[:] = "unknown"
        return reach
    reach[~has] = "unknown"
    cross = (home >= 0) & (place_auth[place] >= 0) & (home != place_auth[place])
    if not cross.any():
        return reach
    a = codes[home[cross]]
    b = codes[place_auth[place[cross]]]
    far = np.array(
        [
            not (x in graph and y in graph and graph.has_edge(x, y))
            for x, y in zip(a, b, strict=True)
        ],
        dtype=bool,
    )
    n_cross = np.bincount(place[cross], minlength=n_places)
    n_far = np.bincount(place[cross][far], minlength=n_places)
    reach[(n_cross > 0) & has] = "neighbours"
    reach[(n_far >= 2) & has] = "distant"
    return reach


def _hotspot_table(
    ds: Dataset,
    parts: _HotspotParts,
    ties: pd.DataFrame,
    sample: int,
    seed: int,
    backend: str | None,
) -> gpd.GeoDataFrame:
    """Build the ranked hotspot table from aggregated parts (both engines end here)."""
    places = ds.places
    n_places = len(places)
    place_ids = pd.Index(places["place_id"].to_numpy(dtype=object))
    # Homes and place authorities as integer codes of one factorisation (-1: none).
    homes = _lookup.home(ds).to_numpy(dtype=object)
    at = (
        places["authority_code"].to_numpy(dtype=object)
        if "authority_code" in places
        else np.full(n_places, None, dtype=object)
    )
    codes, uniques = pd.factorize(np.concatenate([homes, at]), use_na_sentinel=True)
    home_code, place_code = codes[: len(homes)], codes[len(homes) :]
    wide = _wide(parts.pairs, n_places)
    person, place = wide.person, wide.place
    home, place_auth = home_code[person], place_code[place]

    def per_place(
        weights: npt.NDArray[Any] | None = None, where: npt.NDArray[np.intp] = place
    ) -> pd.Series:
        return pd.Series(np.bincount(where, weights=weights, minlength=n_places), index=place_ids)

    with_home = pd.DataFrame({"place": place, "home": home})[home >= 0].drop_duplicates()
    has_auth = place_auth >= 0
    n_known = per_place(has_auth)
    n_outside = per_place(has_auth & (home != place_auth))
    by_context = parts.by_context.reindex(columns=list(CONTEXTS), fill_value=0)
    stats = pd.DataFrame(
        {
            "people": per_place(),
            "sightings": by_context.sum(axis=1),
            "home_authorities": per_place(where=with_home["place"].to_numpy(dtype=np.intp)),
            "first_date": parts.first_date,
            "last_date": parts.last_date,
        }
    )
    stats["outside_share"] = n_outside / n_known.where(n_known > 0)
    score = _venue_score(ds, wide, ties, home, place_code, np.asarray(uniques, dtype=object))
    score.index = place_ids
    table = pd.DataFrame(places.drop(columns="geometry")).set_index("place_id", drop=False)
    table = table.join(stats).join(by_context).join(score)
    table.index.name = None  # place_id stays a column; the index is only for joining
    for col in ("people", "sightings", "home_authorities", *CONTEXTS):
        table[col] = table[col].fillna(0).astype(int)
    table["serious"] = table[list(SERIOUS_CONTEXTS)].sum(axis=1).astype(int)
    table["betweenness"] = (
        _place_betweenness(ds, wide.person, wide.place, sample, seed, backend)
        .reindex(table.index)
        .fillna(0.0)
    )
    table["reasons"] = [_venue_reasons(row) for row in table.itertuples(index=False)]
    order = table.sort_values(
        ["concern", "q_value", "home_authorities", "serious", "people", "place_id"],
        ascending=[False, True, False, False, False, True],
        na_position="last",
        kind="stable",
    ).index
    table.loc[order, "rank"] = np.arange(1, len(order) + 1)
    table["rank"] = table["rank"].astype(int)
    table = table.loc[order].reset_index(drop=True)
    keep = [
        c
        for c in ("place_id", "kind", "label", "authority_code", "authority_name", "assignment")
        if c in table
    ]
    columns = [
        *keep,
        "people",
        "sightings",
        "home_authorities",
        "outside_share",
        *CONTEXTS,
        "serious",
        "first_date",
        "last_date",
        "betweenness",
        *score.columns,
        "reasons",
        "rank",
    ]
    geometry = places.set_index("place_id").geometry.reindex(table["place_id"]).to_numpy()
    return gpd.GeoDataFrame(table[columns], geometry=geometry, crs=places.crs)


def _venue_score(
    ds: Dataset,
    wide: _Wide,
    ties: pd.DataFrame,
    home: npt.NDArray[np.intp],
    place_code: npt.NDArray[np.intp],
    codes: npt.NDArray[np.object_],
) -> pd.DataFrame:
    """Compute each venue's concern score and its parts (see :mod:`peermap.ranking`)."""
    n_places = len(ds.places)
    place = wide.place
    kinds, _ = pd.factorize(ds.places["kind"].to_numpy(dtype=object))
    base = ranking.baseline(
        wide.records, wide.weight, wide.weight2, place, kinds.astype(np.intp), n_places
    )
    # Young people in exploiter ties seen at a venue: one more kind of harm, judged
    # against the share of all young people seen anywhere who are in one.
    per_person = _exploited(ds, ties)
    exploited_weight = per_person[wide.person]
    seen_people = np.unique(wide.person)
    usual = float(per_person[seen_people].mean()) if len(seen_people) else 0.0
    x_obs = np.bincount(place, weights=exploited_weight, minlength=n_places)
    x_exp = np.bincount(place, minlength=n_places) * usual
    x_spread = (
        float((exploited_weight**2).sum() / exploited_weight.sum())
        if exploited_weight.sum() > 0
        else 1.0
    )
    severity = np.array(
        [*(ranking.SEVERITY[k] for k in ranking.HARM_KINDS), ranking.EXPLOITER_SEVERITY]
    )
    result = ranking.excess(
        np.column_stack([ranking.per_unit(place, n_places, base.observed), x_obs]),
        np.column_stack([ranking.per_unit(place, n_places, base.expected), x_exp]),
        np.append(base.spread, max(1e-3, x_spread)),
        severity,
    )
    # The kinds of harm that stand out at each venue (a tenth of its score or more);
    # without any, the serious kinds recorded there name who was harmed.
    weighted = result.statistic * severity[None, :]
    standing = (weighted > 0) & (weighted >= 0.1 * result.score[:, None])
    records_standing = standing[:, :-1]
    serious = np.array([ranking.SEVERITY[k] >= HARMED_SEVERITY for k in ranking.HARM_KINDS])
    named = np.where(records_standing.any(axis=1)[:, None], records_standing, serious[None, :])
    harmed = ((wide.weight > 0) & named[place]).any(axis=1)
    exploited = exploited_weight > 0
    harmed_home = pd.DataFrame({"place": place, "home": home})[harmed & (home >= 0)]
    n_harmed = np.bincount(place[harmed], minlength=n_places)
    n_exploited = np.bincount(place[harmed & exploited], minlength=n_places)
    reach = _venue_reach(ds, place[harmed], home[harmed], place_code, codes)
    names = (*ranking.HARM_KINDS, "exploiter")
    return pd.DataFrame(
        {
            "harmed_people": n_harmed,
            "harmed_authorities": np.bincount(
                harmed_home.drop_duplicates()["place"].to_numpy(dtype=np.intp),
                minlength=n_places,
            ),
            "exploited": n_exploited,
            "reach": reach,
            "harm_kinds": [[k for k, on in zip(names, row, strict=True) if on] for row in standing],
            "harm": (result.observed[:, :-1] * named).sum(axis=1),
            "expected": (result.expected[:, :-1] * named).sum(axis=1),
            "excess_ratio": result.ratio(np.column_stack([named, np.zeros(n_places, bool)])),
            "p_value": result.p_value,
            "q_value": ranking.q_values(result.p_value),
            "concern": result.score * ranking.reach_factor(reach),
        }
    )


_PLACE_WORDS = {
    "school": "school",
    "hotel": "hotel",
    "park": "park",
    "transport_hub": "transport hub",
    "fast_food": "fast-food shop",
    "shopping_centre": "shopping centre",
    "residential": "residential address",
    "youth_venue": "youth venue",
    "other": "place",
}


def _venue_reasons(row: Any) -> str:
    """Put the venue's score in words, for reports and the command line."""
    kind = _PLACE_WORDS.get(str(row.kind), "place")
    if row.harmed_people == 0:
        return f"no serious harm recorded at this {kind} in the window"
    who = _people_words(int(row.harmed_people), int(row.harmed_authorities))
    if not row.harm_kinds:
        return f"{who} with serious records, no more than usual for a {kind} this busy"
    kinds = [k for k in row.harm_kinds if k != "exploiter"] or ["exploiter"]
    text = f"{who} recorded for {ranking.harm_words(kinds)} at this {kind}"
    if row.exploited:
        text += f"; {int(row.exploited)} in exploiter ties"
    if row.reach == "distant":
        text += "; some homed in distant authorities"
    return (
        f"{text}; {ranking.times(float(row.excess_ratio))} the rate usual for a {kind} "
        f"this busy ({ranking.p_words(float(row.q_value))})"
    )


def _people_words(people: int, authorities: int) -> str:
    who = "1 young person" if people == 1 else f"{people} young people"
    if authorities > 1:
        who += f" from {authorities} authorities"
    return who


def _place_betweenness(
    ds: Dataset,
    person: npt.NDArray[np.intp],
    place: npt.NDArray[np.intp],
    sample: int,
    seed: int,
    backend: str | None,
) -> pd.Series:
    """Betweenness of each place in the place graph (its structure, without attributes).

    The graph is the one :func:`peermap.place_graph` builds (every person and place a
    node, an edge per distinct person-place pair seen), on integer nodes: people first,
    then places, in dataset order; edges sorted, so the answer does not depend on the
    order the pairs come in.
    """
    if sample < 2:
        raise ValueError(f"betweenness_sample={sample}; expected 2 or more")
    name = _graph_backends.resolve(backend)
    people = ds.people["person_id"].to_numpy(dtype=object)
    places = ds.places["place_id"].to_numpy(dtype=object)
    n = len(people) + len(places)
    if n == 0:
        return pd.Series(dtype=float)
    u = person.astype(np.int64)
    v = place.astype(np.int64) + len(people)
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    k = None if n <= BETWEENNESS_EXACT_MAX else min(sample, n)
    graph = _graph_backends.build(name, n, u, v)
    values = _graph_backends.betweenness(name, graph, k=k, seed=seed)
    return pd.Series(values[len(people) :], index=places, dtype=float)
