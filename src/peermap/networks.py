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
``crs`` (``"EPSG:27700"``), ``name``, and the filter used: ``since``, ``until``,
``min_reliability`` (and ``window_days`` for co-presence).

Node keys are the dataset's ids. A person and a place may not share an id in one
graph: :func:`place_graph` raises ``ValueError`` if they do.

:func:`graph_to_gdfs` and :func:`graph_from_gdfs` convert any of these graphs to a pair
of GeoDataFrames (nodes indexed by id; edges indexed by ``u``, ``v`` and, for
multigraphs, ``key``) and back, exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any, cast

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from peermap import settings
from peermap.dataset import Dataset
from peermap.schema import RELIABILITIES, RELIABILITY_RANK

__all__ = [
    "copresence_graph",
    "data_period",
    "filter_sightings",
    "filter_ties",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "peer_graph",
    "place_graph",
]

DateLike = str | dt.date | pd.Timestamp | None


def _timestamp(value: DateLike, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={value!r} is not a date (use YYYY-MM-DD)") from exc


def _min_rank(min_reliability: str) -> int:
    if min_reliability not in RELIABILITY_RANK:
        raise ValueError(
            f"min_reliability={min_reliability!r}; expected one of {', '.join(RELIABILITIES)}"
        )
    return RELIABILITY_RANK[min_reliability]


def _reliable(frame: pd.DataFrame, min_reliability: str) -> pd.Series:
    rank = _min_rank(min_reliability)
    codes = frame["reliability"].map(RELIABILITY_RANK).astype(float)
    return codes >= rank


def filter_ties(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Return the ties active in a time window with at least a given reliability.

    A tie is active from ``first_seen`` to ``last_seen`` (or to ``first_seen`` when no
    ``last_seen`` is recorded); it is kept when that span overlaps ``[since, until]``.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade kept: ``"confirmed"``, ``"corroborated"``, ``"reported"`` or
        ``"unverified"`` (everything).

    Returns
    -------
    pandas.DataFrame
        The ties kept, with their original index.
    """
    ties = ds.ties
    keep = _reliable(ties, min_reliability)
    start, end = _timestamp(since, "since"), _timestamp(until, "until")
    last = ties["last_seen"].fillna(ties["first_seen"])
    if start is not None:
        keep &= last >= start
    if end is not None:
        keep &= ties["first_seen"] <= end
    return ties[keep]


def filter_sightings(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Return the sightings dated within ``[since, until]`` with at least a given reliability.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade kept.

    Returns
    -------
    pandas.DataFrame
        The sightings kept, with their original index.
    """
    return _select_sightings(ds.sightings, since, until, min_reliability)


def _select_sightings(
    sightings: pd.DataFrame, since: DateLike, until: DateLike, min_reliability: str
) -> pd.DataFrame:
    """Filter a sightings frame (the whole table, or one dask partition of it)."""
    keep = _reliable(sightings, min_reliability)
    start, end = _timestamp(since, "since"), _timestamp(until, "until")
    if start is not None:
        keep &= sightings["date"] >= start
    if end is not None:
        keep &= sightings["date"] <= end
    return sightings[keep]


def data_period(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> tuple[dt.date | None, dt.date | None]:
    """Return the first and last date the records cover, within a filter.

    One definition for every output that states a data period (maps, diagrams,
    reports, exchange packages): the ties kept by :func:`filter_ties` (from
    ``first_seen`` to ``last_seen``, or ``first_seen`` alone), the sightings kept by
    :func:`filter_sightings` and the relocations dated in the window, clamped to
    ``[since, until]``.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until : date or str, optional
        Window bounds, inclusive.
    min_reliability : str, default "unverified"
        Weakest grade of tie and sighting kept.

    Returns
    -------
    tuple of (datetime.date or None)
        ``(first, last)``; ``(None, None)`` when nothing is dated.
    """
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    sightings = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    start, end = _timestamp(since, "since"), _timestamp(until, "until")
    moves = ds.relocations["date"]
    if start is not None:
        moves = moves[moves >= start]
    if end is not None:
        moves = moves[moves <= end]
    firsts = pd.concat([ties["first_seen"], sightings["date"], moves]).dropna()
    lasts = pd.concat(
        [ties["last_seen"].fillna(ties["first_seen"]), sightings["date"], moves]
    ).dropna()
    if firsts.empty:
        return None, None
    first, last = pd.Timestamp(firsts.min()), pd.Timestamp(lasts.max())
    if start is not None:
        first = max(first, start)
    if end is not None:
        last = min(last, end)
    return first.date(), last.date()


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


def _graph_attrs(
    name: str, since: DateLike, until: DateLike, min_reliability: str
) -> dict[str, Any]:
    return {
        "name": name,
        "crs": settings.metric_crs,
        "since": None if since is None else str(since),
        "until": None if until is None else str(until),
        "min_reliability": min_reliability,
    }


def peer_graph(
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


def place_graph(
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


def copresence_graph(
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


# --------------------------------------------------------------------------- conversions


def graph_to_gdfs(graph: nx.Graph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Convert a peermap graph to node and edge GeoDataFrames.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiGraph
        A graph from :func:`peer_graph`, :func:`place_graph` or
        :func:`copresence_graph` (or any graph with the same conventions).

    Returns
    -------
    nodes : geopandas.GeoDataFrame
        Indexed by node key (``node``); one column per attribute; point geometry for
        nodes with ``x`` and ``y`` (places), empty geometry otherwise (people have no
        location).
    edges : geopandas.GeoDataFrame
        Indexed by ``u``, ``v`` (and ``key`` for multigraphs); one column per attribute;
        a line between the two ends where both have a location.

    Notes
    -----
    Graph attributes travel in ``nodes.attrs["graph"]``; :func:`graph_from_gdfs`
    restores them. The conversion is exact: ``graph_from_gdfs(*graph_to_gdfs(G))``
    has the same nodes, edges, keys and attributes as ``G``.
    """
    crs = graph.graph.get("crs", settings.metric_crs)
    node_keys = list(graph.nodes)
    node_rows = [graph.nodes[n] for n in node_keys]
    # dtype=object keeps every value as the Python object it was (ints stay ints).
    nodes = pd.DataFrame(
        node_rows, index=pd.Index(node_keys, name="node", dtype=object), dtype=object
    )
    xy = {n: (a.get("x"), a.get("y")) for n, a in zip(node_keys, node_rows, strict=True)}
    node_geoms = [
        shapely.Point(x, y) if x is not None and y is not None else None
        for x, y in (xy[n] for n in node_keys)
    ]
    nodes_gdf = gpd.GeoDataFrame(
        nodes, geometry=gpd.GeoSeries(node_geoms, index=nodes.index, crs=crs)
    )
    nodes_gdf.attrs["graph"] = dict(graph.graph)
    nodes_gdf.attrs["multigraph"] = graph.is_multigraph()
    nodes_gdf.attrs["directed"] = graph.is_directed()
    nodes_gdf.attrs["columns"] = {n: sorted(a) for n, a in zip(node_keys, node_rows, strict=True)}
    if graph.is_multigraph():
        triples = list(graph.edges(keys=True, data=True))
        index = (
            pd.MultiIndex.from_tuples(
                [(u, v, k) for u, v, k, _ in triples] or [], names=["u", "v", "key"]
            )
            if triples
            else pd.MultiIndex.from_arrays([[], [], []], names=["u", "v", "key"])
        )
        rows = [d for _, _, _, d in triples]
        ends = [(u, v) for u, v, _, _ in triples]
    else:
        pairs = list(graph.edges(data=True))
        index = (
            pd.MultiIndex.from_tuples([(u, v) for u, v, _ in pairs], names=["u", "v"])
            if pairs
            else pd.MultiIndex.from_arrays([[], []], names=["u", "v"])
        )
        rows = [d for _, _, d in pairs]
        ends = [(u, v) for u, v, _ in pairs]
    edges = pd.DataFrame(rows, index=index, dtype=object)
    edge_geoms: list[shapely.LineString | None] = []
    for u, v in ends:
        (x0, y0), (x1, y1) = xy[u], xy[v]
        if None in (x0, y0, x1, y1):
            edge_geoms.append(None)
        else:
            edge_geoms.append(shapely.LineString([(x0, y0), (x1, y1)]))
    edges_gdf = gpd.GeoDataFrame(edges, geometry=gpd.GeoSeries(edge_geoms, index=index, crs=crs))
    edges_gdf.attrs["columns"] = [sorted(d) for d in rows]
    return nodes_gdf, edges_gdf


def graph_from_gdfs(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> nx.Graph:
    """Rebuild a graph from the GeoDataFrames of :func:`graph_to_gdfs`.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Nodes indexed by key.
    edges : geopandas.GeoDataFrame
        Edges indexed by ``u``, ``v`` (and ``key``).

    Returns
    -------
    networkx.Graph or networkx.MultiGraph
        The graph, with the attributes each node and edge had (geometry is derived, so
        it is not stored as an attribute).
    """
    multigraph = nodes.attrs.get("multigraph", edges.index.nlevels == 3)
    graph: nx.Graph = nx.MultiGraph() if multigraph else nx.Graph()
    graph.graph.update(nodes.attrs.get("graph", {}))
    node_columns: dict[Hashable, list[str]] | None = nodes.attrs.get("columns")
    attr_cols = [c for c in nodes.columns if c != nodes.geometry.name]
    for key, row in zip(nodes.index, nodes[attr_cols].itertuples(index=False), strict=True):
        values = dict(zip(attr_cols, row, strict=True))
        keep = node_columns.get(key) if node_columns is not None else None
        attrs = {c: values[c] for c in (keep if keep is not None else attr_cols) if c in values}
        if keep is None:
            attrs = {c: v for c, v in attrs.items() if not _is_missing(v)}
        graph.add_node(key, **attrs)
    edge_columns: list[list[str]] | None = edges.attrs.get("columns")
    attr_cols = [c for c in edges.columns if c != edges.geometry.name]
    for i, (idx, row) in enumerate(
        zip(edges.index, edges[attr_cols].itertuples(index=False), strict=True)
    ):
        values = dict(zip(attr_cols, row, strict=True))
        keep = edge_columns[i] if edge_columns is not None else None
        attrs = {c: values[c] for c in (keep if keep is not None else attr_cols) if c in values}
        if keep is None:
            attrs = {c: v for c, v in attrs.items() if not _is_missing(v)}
        if multigraph:
            u, v, k = idx
            graph.add_edge(u, v, key=k, **attrs)
        else:
            u, v = idx
            graph.add_edge(u, v, **attrs)
    return graph


def _is_missing(value: Any) -> bool:
    if isinstance(value, str | list | dict | tuple):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
