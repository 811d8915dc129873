"""Graphs of young people, ties and places: plain networkx graphs.

Every graph peermap builds is documented here, in one place.

Node attributes
---------------
Person nodes (key: ``person_id``)
    ``node_type`` ``"person"``; ``home_authority`` (GSS code or name as read);
    ``age`` (int); ``sex`` (str or None); ``looked_after`` (bool or None);
    ``relocated`` (bool: the young person has at least one relocation row).
Place nodes (key: ``place_id``; only in :func:`place_graph`)
    ``node_type`` ``"place"``; ``kind``; ``authority_code`` and ``authority_name``
    (None when the dataset was read without boundaries); ``x``, ``y`` (British
    National Grid metres); ``lon``, ``lat`` (WGS84).

Edge attributes
---------------
:func:`peer_graph` (``networkx.MultiGraph``: one edge per tie, so several ties between
two people are kept; edge key = position of the tie in ``ds.ties``)
    ``kind``, ``source``, ``reliability`` (str), ``first_seen``, ``last_seen``
    (``pandas.Timestamp``; ``last_seen`` may be ``NaT``).
:func:`place_graph` (``networkx.Graph``, bipartite: ``bipartite`` node attribute 0 for
people, 1 for places)
    ``count`` (sightings), ``contexts`` (dict of context -> sightings), ``first``,
    ``last`` (dates), ``reliability`` (the strongest grade among the sightings).
:func:`copresence_graph` (``networkx.Graph`` of people)
    ``count`` (co-sightings: pairs of sightings at one place within the window),
    ``places`` (sorted list of place ids), ``first``, ``last`` (dates).

Graph attributes
----------------
``crs`` (``"EPSG:27700"``), ``name``, and the filter used: ``since``, ``until`` (the
bounds as the window read them, ``YYYY-MM-DD``, with a time only when one was given;
None for no bound), ``min_reliability`` (and ``window_days`` for co-presence).

Node keys are the dataset's ids. A person and a place may not share an id in one
graph: :func:`place_graph` raises ``ValueError`` if they do.

:func:`graph_to_gdfs` and :func:`graph_from_gdfs` convert any of these graphs to a pair
of GeoDataFrames (nodes indexed by id; edges indexed by ``u``, ``v`` and, for
multigraphs, ``key``) and back, exactly.

The filters every output shares (:func:`filter_ties`, :func:`filter_sightings`,
:func:`data_period`) live in :mod:`peermap.filters` and the conversions in
:mod:`peermap.graph_frames`; both are re-exported here.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

from peermap import settings
from peermap._arguments import dataset_argument, whole_number
from peermap.dataset import Dataset
from peermap.exceptions import ValidationError
from peermap.filters import DateLike, Window, data_period, filter_sightings, filter_ties
from peermap.graph_frames import graph_from_gdfs, graph_to_gdfs
from peermap.schema import RELIABILITIES, RELIABILITY_RANK

__all__ = [
    "DateLike",
    "copresence_graph",
    "data_period",
    "filter_sightings",
    "filter_ties",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "peer_graph",
    "place_graph",
]

# Building the graphs
# -------------------
# The builders fill networkx's documented adjacency structures (``G._node``, ``G._adj``)
# directly, the way ``networkx.from_pandas_edgelist`` and ``Graph.add_edges_from`` do,
# with the per-row work done by numpy and pandas beforehand: attribute values are made
# once per distinct value (a ``pandas.Timestamp`` per distinct date, not per edge) and
# edge attribute dicts are built by comprehensions over plain lists. The graphs are the
# same, node for node and edge for edge, as those of ``add_nodes_from`` and
# ``add_edges_from`` (``tests/test_networks_speed_equivalence.py`` checks this against
# the per-row implementation, including the order of nodes and of every adjacency).


def _object_values(values: pd.Series) -> np.ndarray:
    """Return ``values.to_numpy(dtype=object)``, converting each distinct value once.

    The objects are those ``to_numpy(dtype=object)`` gives (``str``,
    ``pandas.Timestamp`` in the column's unit, ``NaT``, NaN), but a column of a few
    hundred distinct dates costs a few hundred conversions, not one per row.
    """
    codes, uniques = pd.factorize(values)
    lookup = np.empty(len(uniques) + 1, dtype=object)
    lookup[: len(uniques)] = uniques.to_numpy(dtype=object)
    missing = codes < 0
    if missing.any():
        first_missing = int(np.argmax(missing))
        lookup[-1] = values.iloc[[first_missing]].to_numpy(dtype=object)[0]
    result: np.ndarray = lookup[codes]
    return result


def _object_array(items: list[Any]) -> np.ndarray:
    """Return a list's items in a one-dimensional object array (dicts and lists as is)."""
    return np.fromiter(items, dtype=object, count=len(items))


def _missing(values: pd.Series) -> list[bool]:
    return values.isna().to_numpy(dtype=bool).tolist()


def _nullable(values: pd.Series) -> list[Any]:
    """Return the column's values as Python objects, None where missing (NaN, NA)."""
    objects = values.to_numpy(dtype=object)
    objects[values.isna().to_numpy(dtype=bool)] = None
    return objects.tolist()


def _person_nodes(ds: Dataset, bipartite: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Person nodes and their attributes (with ``bipartite`` last when given)."""
    people = ds.people
    ids = people["person_id"].to_numpy(dtype=object).tolist()
    homes = _nullable(people["home_authority"])
    sexes = _nullable(people["sex"])
    ages = [
        None if gone else int(value)
        for value, gone in zip(
            people["age"].to_numpy(dtype=object), _missing(people["age"]), strict=True
        )
    ]
    looked_after = [
        None if gone else bool(value)
        for value, gone in zip(
            people["looked_after"].to_numpy(dtype=object),
            _missing(people["looked_after"]),
            strict=True,
        )
    ]
    relocated = people["person_id"].isin(ds.relocations["person_id"]).to_numpy(dtype=bool).tolist()
    columns = zip(ids, homes, ages, sexes, looked_after, relocated, strict=True)
    if bipartite is None:
        return [
            (
                pid,
                {
                    "node_type": "person",
                    "home_authority": home,
                    "age": age,
                    "sex": sex,
                    "looked_after": la,
                    "relocated": moved,
                },
            )
            for pid, home, age, sex, la, moved in columns
        ]
    return [
        (
            pid,
            {
                "node_type": "person",
                "home_authority": home,
                "age": age,
                "sex": sex,
                "looked_after": la,
                "relocated": moved,
                "bipartite": bipartite,
            },
        )
        for pid, home, age, sex, la, moved in columns
    ]


def _add_nodes(graph: nx.Graph, nodes: list[tuple[Any, dict[str, Any]]]) -> None:
    """``graph.add_nodes_from(nodes)`` for freshly built ``(node, attrs)`` pairs.

    A new node takes its (unshared) ``attrs`` dict as is, an existing one is updated
    with it; new nodes come after the existing ones, in the order given. (A node listed
    twice keeps the later ``attrs``: the same as merging both, as the callers' dicts all
    have the same keys.)
    """
    adj, node = graph._adj, graph._node
    if any(node.values()):  # some nodes have attributes already: merge one by one
        for key, attrs in nodes:
            current = node.get(key)
            if current is None:
                if key is None:
                    raise ValueError("None cannot be a node")
                adj[key] = {}
                node[key] = attrs
            else:
                current.update(attrs)
    else:  # an existing node has no attribute yet: taking ``attrs`` is updating with it
        new = dict(nodes)
        if None in new:
            raise ValueError("None cannot be a node")
        node.update(new)
        adj.update({key: {} for key in new if key not in adj})
    _clear_cache(graph)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a graph is built.

    A London-scale graph is millions of new dicts and lists (one or two per edge), in
    no reference cycle. With the collector running, its passes over the growing heap
    cost more than building them; re-enabled as is, its next young collection would
    still pass over all of them (and the next middle one again) before they reach the
    oldest generation. So on the way out they are moved there directly: ``gc.freeze()``
    then ``gc.unfreeze()`` moves every tracked object to the oldest generation without
    a pass. (Cyclic garbage the application made just before is then found by the next
    full collection rather than a young one.) The move is skipped when the application
    has frozen objects of its own (``gc.freeze`` before forking), not to unfreeze them.
    The collector is left as it was found (off stays off), also on error.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _add_coded_edges(
    graph: nx.Graph, keys: np.ndarray, u: np.ndarray, v: np.ndarray, data: list[dict[str, Any]]
) -> None:
    """``graph.add_edges_from(zip(keys[u], keys[v], data))`` for a graph with no edges yet.

    ``keys`` (object array) holds distinct node keys; ``u`` and ``v`` index it. The
    pairs must be distinct and sorted by ``(u, v)``, with ``u < v``. When every key is
    already a node, each node's adjacency is built in one go (see :func:`_link_edges`);
    otherwise networkx adds the edges one by one.
    """
    distinct = set(keys.tolist())
    if (
        len(distinct) == len(keys)
        and graph._node.keys() >= distinct
        and not any(graph._adj.values())
    ):
        _link_edges(graph, keys, u, v, data)
    else:
        graph.add_edges_from(zip(keys[u].tolist(), keys[v].tolist(), data, strict=True))


def _link_edges(
    graph: nx.Graph, keys: np.ndarray, u: np.ndarray, v: np.ndarray, data: list[dict[str, Any]]
) -> None:
    """Fill ``graph._adj`` with the edges of :func:`_add_coded_edges`, node by node.

    ``add_edges_from`` would put edge ``i`` in ``adj[u[i]]`` and ``adj[v[i]]``, in edge
    order, one data dict shared by both. With the edges sorted by ``(u, v)`` and
    ``u < v``, node ``x`` thus gets its neighbours ``u < x`` first (the edges ending at
    ``x``, by ``u``), then its neighbours ``v > x`` (the run of edges starting at ``x``,
    by ``v``): two slices, so each adjacency dict is made by two bulk calls.
    """
    if not data:
        return
    n = len(keys)
    nodes = np.arange(n + 1)
    by_end = _stable_argsort(v)  # edges by their second end, then (stable) by u
    ended = np.searchsorted(v[by_end], nodes).tolist()
    begun = np.searchsorted(u, nodes).tolist()
    heads = keys[u[by_end]].tolist()
    head_data = _object_array(data)[by_end].tolist()
    tails = keys[v].tolist()
    adj = graph._adj
    for node, a, b, c, d in zip(keys.tolist(), ended, ended[1:], begun, begun[1:], strict=False):
        links = dict(zip(heads[a:b], head_data[a:b], strict=True))
        links.update(zip(tails[c:d], data[c:d], strict=True))
        adj[node] = links
    _clear_cache(graph)


def _clear_cache(graph: nx.Graph) -> None:
    """Drop networkx's cache of converted graphs, as networkx does after a change."""
    cache = getattr(graph, "__networkx_cache__", None)
    if cache:
        cache.clear()


def _graph_attrs(
    name: str, since: DateLike, until: DateLike, min_reliability: str
) -> dict[str, Any]:
    return {
        "name": name,
        "crs": settings.metric_crs,
        "since": _bound_text(since),
        "until": _bound_text(until),
        "min_reliability": min_reliability,
    }


def _bound_text(bound: DateLike) -> str | None:
    """Write a window bound as the graph records it: ``YYYY-MM-DD``, a time only if any."""
    if bound is None:
        return None
    stamp = pd.Timestamp(bound)
    return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()


def peer_graph(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> nx.MultiGraph:
    """Build the graph of young people and the ties between them.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
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
    dataset_argument(ds, "peer_graph")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    graph = nx.MultiGraph()
    with _gc_paused():
        _add_ties(graph, ties)
        _add_nodes(graph, _person_nodes(ds))
    graph.graph.update(_graph_attrs("peer", since, until, min_reliability))
    return graph


def _add_ties(graph: nx.MultiGraph, ties: pd.DataFrame) -> None:
    """Add one edge per tie to an empty graph, as ``from_pandas_edgelist`` adds them.

    That is, with ``edge_key`` the tie's index label, one edge at a time in tie order:
    nodes (with no attributes yet) in the order they first appear, each node's
    neighbours in the order of their first tie with it, and one key dict per pair of
    people (shared by both directions) holding its ties in order. Built here per pair
    and per node instead of per tie.
    """
    data = [
        {"kind": k, "source": s, "reliability": r, "first_seen": f, "last_seen": la}
        for k, s, r, f, la in zip(
            _object_values(ties["kind"]).tolist(),
            _object_values(ties["source"]).tolist(),
            _object_values(ties["reliability"].astype(str)).tolist(),
            _object_values(ties["first_seen"]).tolist(),
            _object_values(ties["last_seen"]).tolist(),
            strict=True,
        )
    ]
    heads = _object_values(ties["person_a"])
    tails = _object_values(ties["person_b"])
    keys = ties.index.tolist()
    n = len(ties)
    if n == 0:
        return
    ends = np.empty(2 * n, dtype=object)
    ends[0::2], ends[1::2] = heads, tails
    codes, nodes = pd.factorize(ends)  # nodes in order of first appearance
    if graph.number_of_nodes() or not ties.index.is_unique or (codes < 0).any():
        _add_ties_one_by_one(graph, heads.tolist(), tails.tolist(), keys, data)
        return
    # Pairs of people in order of their first tie; ties grouped by pair, in tie order.
    low = np.minimum(codes[0::2], codes[1::2]).astype(np.int64)
    high = np.maximum(codes[0::2], codes[1::2]).astype(np.int64)
    pair, firsts = pd.factorize(low * len(nodes) + high)
    by_pair = _stable_argsort(pair)
    bounds = [*_run_starts(pair[by_pair]).tolist(), n]
    keys_in_pairs = np.array(keys, dtype=object)[by_pair].tolist()
    data_in_pairs = _object_array(data)[by_pair].tolist()
    keydicts = _object_array(
        [{keys_in_pairs[a]: data_in_pairs[a]} for a in bounds[:-1]]  # most pairs: one tie
    )
    for p in np.flatnonzero(np.diff(bounds) > 1).tolist():
        a, b = bounds[p], bounds[p + 1]
        keydicts[p] = dict(zip(keys_in_pairs[a:b], data_in_pairs[a:b], strict=True))
    # Each pair once from each end (once for a self-loop), in pair order; a stable sort
    # on the node keeps that order among each node's neighbours.
    low, high = firsts // len(nodes), firsts % len(nodes)
    src = np.column_stack((low, high)).ravel()
    dst = np.column_stack((high, low)).ravel()
    which = np.repeat(np.arange(len(firsts)), 2)
    keep = np.ones(len(src), dtype=bool)
    keep[1::2] = low != high
    src, dst, which = src[keep], dst[keep], which[keep]
    order = _stable_argsort(src)
    src = src[order]
    starts = _run_starts(src)
    stops = np.append(starts[1:], len(src))
    neighbours = nodes[dst[order]].tolist()
    shared = keydicts[which[order]].tolist()
    adj, node = graph._adj, graph._node
    for key, a, b in zip(nodes[src[starts]].tolist(), starts.tolist(), stops.tolist(), strict=True):
        node[key] = {}
        adj[key] = dict(zip(neighbours[a:b], shared[a:b], strict=True))
    _clear_cache(graph)


def _add_ties_one_by_one(
    graph: nx.MultiGraph,
    heads: list[Any],
    tails: list[Any],
    keys: list[Any],
    data: list[dict[str, Any]],
) -> None:
    """:func:`_add_ties` one tie at a time (repeated index labels, missing ids)."""
    adj, node = graph._adj, graph._node
    for u, v, key, attrs in zip(heads, tails, keys, data, strict=True):
        if u not in node:
            if u is None:
                raise ValueError("None cannot be a node")
            adj[u] = {}
            node[u] = {}
        if v not in node:
            if v is None:
                raise ValueError("None cannot be a node")
            adj[v] = {}
            node[v] = {}
        keydict = adj[u].get(v)
        if keydict is None:
            keydict = {key: attrs}
            adj[u][v] = keydict
            adj[v][u] = keydict
        elif key in keydict:
            keydict[key].update(attrs)
        else:
            keydict[key] = attrs
    _clear_cache(graph)


def _place_nodes(ds: Dataset, ids: set[str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    places = ds.places
    if ids is not None:
        places = places[places["place_id"].isin(ids)]
    if "authority_code" in places:
        codes = _nullable(places["authority_code"])
        names = _nullable(places["authority_name"])
    else:
        codes = names = [None] * len(places)
    return [
        (
            pid,
            {
                "node_type": "place",
                "bipartite": 1,
                "kind": kind,
                "authority_code": code,
                "authority_name": name,
                "x": x,
                "y": y,
                "lon": lon,
                "lat": lat,
            },
        )
        for pid, kind, code, name, x, y, lon, lat in zip(
            places["place_id"].to_numpy(dtype=object).tolist(),
            places["kind"].to_numpy(dtype=object).tolist(),
            codes,
            names,
            places["easting"].to_numpy(dtype=float).tolist(),
            places["northing"].to_numpy(dtype=float).tolist(),
            places["lon"].to_numpy(dtype=float).tolist(),
            places["lat"].to_numpy(dtype=float).tolist(),
            strict=True,
        )
    ]


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values starts in a sorted array."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))


def _run_lengths(starts: np.ndarray, total: int) -> np.ndarray:
    return np.diff(np.append(starts, total))


def _stable_argsort(values: np.ndarray) -> np.ndarray:
    """Return ``numpy.argsort(values, kind="stable")`` for non-negative integers, faster.

    NumPy sorts 16-bit integers by radix sort, in linear time, and wider ones by
    timsort. Stable passes on 16-bit digits, lowest first, order by the whole value.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.intp)
    values = values.astype(np.int64, copy=False)
    top = int(values.max())
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while top >> shift:
        digit = ((values[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def place_graph(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> nx.Graph:
    """Build the bipartite graph of young people and the places they were seen at.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
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
    dataset_argument(ds, "place_graph")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    people_ids = ds.people["person_id"]
    clash = set(people_ids[people_ids.isin(ds.places["place_id"])].tolist())
    if clash:
        raise ValidationError(
            "a person and a place share an id ("
            + ", ".join(sorted(clash)[:5])
            + "); node keys must be unique in the place graph"
        )
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    graph = nx.Graph()
    with _gc_paused():
        _add_nodes(graph, _person_nodes(ds, bipartite=0))
        _add_nodes(graph, _place_nodes(ds))
        _add_visits(graph, s)
    graph.graph.update(_graph_attrs("place", since, until, min_reliability))
    return graph


def _add_visits(graph: nx.Graph, s: pd.DataFrame) -> None:
    """Add one edge per (person, place) seen, in sorted order, as a sorted groupby would.

    Ids are coded by a sorted factorize, so code order is id order.
    """
    person, people = pd.factorize(s["person_id"], sort=True)
    place, places = pd.factorize(s["place_id"], sort=True)
    keep = (person >= 0) & (place >= 0)  # a groupby leaves out missing keys
    if not keep.any():
        return
    context, contexts = pd.factorize(s["context"], sort=True)
    day, days = pd.factorize(s["date"], sort=True)
    rank = s["reliability"].map(RELIABILITY_RANK).astype(int).to_numpy()
    pair = person[keep].astype(np.int64) * len(places) + place[keep]
    order = _stable_argsort(pair)
    pair = pair[order]
    starts = _run_starts(pair)
    n_pairs = len(starts)
    counts = _run_lengths(starts, len(pair))
    day = day[keep][order]
    first = np.minimum.reduceat(day, starts)
    last = np.maximum.reduceat(day, starts)
    best = np.maximum.reduceat(rank[keep][order], starts)
    # Sightings by context within each pair, contexts in sorted order.
    context = context[keep][order]
    edge_of_row = np.repeat(np.arange(n_pairs, dtype=np.int64), counts)
    named = context >= 0
    n_contexts = max(len(contexts), 1)
    triples, per_context = np.unique(
        edge_of_row[named] * n_contexts + context[named], return_counts=True
    )
    by_edge: list[dict[str, int]] = [{} for _ in range(n_pairs)]
    for edge, name, n in zip(
        (triples // n_contexts).tolist(),
        contexts.to_numpy(dtype=object)[triples % n_contexts].tolist(),
        per_context.tolist(),
        strict=True,
    ):
        by_edge[edge][name] = n
    stamps = days.to_numpy(dtype=object)
    grades = np.array(RELIABILITIES, dtype=object)
    data = [
        {"count": c, "contexts": ctx, "first": f, "last": la, "reliability": r}
        for c, ctx, f, la, r in zip(
            counts.tolist(),
            by_edge,
            stamps[first].tolist(),
            stamps[last].tolist(),
            grades[best].tolist(),
            strict=True,
        )
    ]
    ends = pair[starts]
    _add_coded_edges(
        graph,
        np.concatenate((people.to_numpy(dtype=object), places.to_numpy(dtype=object))),
        ends // len(places),
        len(people) + ends % len(places),
        data,
    )


def copresence_graph(
    ds: Dataset,
    *,
    window_days: int = 7,
    window: Window | None = None,
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
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
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
    dataset_argument(ds, "copresence_graph")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    whole_number(window_days, "window_days")
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    graph = nx.Graph()
    with _gc_paused():
        _add_nodes(graph, _person_nodes(ds))
        pairs = _copresent_pairs(s, window_days)
        if pairs is not None:
            data = [
                {"count": c, "places": pairs.places[a:b], "first": f, "last": la}
                for c, a, b, f, la in zip(
                    pairs.counts,
                    pairs.bounds[:-1],
                    pairs.bounds[1:],
                    pairs.firsts,
                    pairs.lasts,
                    strict=True,
                )
            ]
            _add_coded_edges(graph, pairs.ids, pairs.u, pairs.v, data)
    graph.graph.update(_graph_attrs("copresence", since, until, min_reliability))
    graph.graph["window_days"] = window_days
    return graph


class _Copresence(NamedTuple):
    """Co-presence edges, one per pair of people, in sorted ``(u, v)`` order."""

    #: Person ids in sorted order; edge ``i`` links ``ids[u[i]]`` and ``ids[v[i]]``.
    ids: np.ndarray
    u: np.ndarray
    v: np.ndarray
    counts: list[int]
    #: The distinct places of edge ``i`` are ``places[bounds[i]:bounds[i + 1]]``.
    places: list[Any]
    bounds: list[int]
    firsts: list[Any]
    lasts: list[Any]


def _copresent_pairs(s: pd.DataFrame, window_days: int) -> _Copresence | None:
    """Aggregate all pairs of sightings of two people at one place within the window.

    Sightings are sorted by place and day; for each sighting the run of later sightings
    at the same place within the window is found with ``numpy.searchsorted`` and
    expanded, so the cost grows with the pairs found, not with the square of the
    sightings at a place. Pairs are then grouped on integer codes: ids are coded by a
    sorted factorize, so code order is id order and ``u < v`` as strings. Each pair of
    sightings counts once and is dated by the later of the two; an edge's ``first`` and
    ``last`` are the earliest and latest such dates, its ``places`` the distinct places
    in sorted order. None when no pair is found.
    """
    person, people = pd.factorize(s["person_id"], sort=True)
    place, places = pd.factorize(s["place_id"], sort=True)
    when, dates = pd.factorize(s["date"], sort=True)
    keep = (person >= 0) & (place >= 0) & (when >= 0)
    person, place, when = person[keep], place[keep], when[keep]
    if len(person) < 2:
        return None
    day_of_date = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    day = day_of_date[when] - day_of_date[0]
    # A single sortable key: place first, then day, so a window never crosses places
    # (no two days are further apart than the last day, so a longer window is that).
    window = min(window_days, int(day.max()))
    key = place.astype(np.int64) * (int(day.max()) + window + 1) + day
    order = _stable_argsort(key)
    key = key[order]
    hi = np.searchsorted(key, key + window, side="right")
    start = np.arange(len(key)) + 1
    counts = np.maximum(hi - start, 0)
    left = np.repeat(np.arange(len(key)), counts)
    right = left + 1 + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    person, place, when = person[order], place[order], when[order]
    a, b = person[left], person[right]
    differ = a != b
    if not differ.any():
        return None
    left, right, a, b = left[differ], right[differ], a[differ], b[differ]
    n_people = len(people)
    pair = np.minimum(a, b).astype(np.int64) * n_people + np.maximum(a, b)
    at = place[left]  # in place order, as the sightings are
    later = np.maximum(when[left], when[right])
    grouped = _stable_argsort(pair)  # so by pair, then place
    pair, at, later = pair[grouped], at[grouped], later[grouped]
    starts = _run_starts(pair)
    # Distinct (pair, place) runs, in place order within each pair.
    distinct = np.flatnonzero(
        np.concatenate(([True], (pair[1:] != pair[:-1]) | (at[1:] != at[:-1])))
    )
    ends = pair[starts]
    stamps = dates.to_numpy(dtype=object)
    return _Copresence(
        ids=people.to_numpy(dtype=object),
        u=ends // n_people,
        v=ends % n_people,
        counts=_run_lengths(starts, len(pair)).tolist(),
        places=places.to_numpy(dtype=object)[at[distinct]].tolist(),
        bounds=[*np.searchsorted(distinct, starts).tolist(), len(distinct)],
        firsts=stamps[np.minimum.reduceat(later, starts)].tolist(),
        lasts=stamps[np.maximum.reduceat(later, starts)].tolist(),
    )
