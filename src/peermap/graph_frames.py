"""Graphs as GeoDataFrames and back: nodes and edges for GIS, exactly reversible.

:func:`graph_to_gdfs` converts any graph of :mod:`peermap.networks` to a pair of
GeoDataFrames (nodes indexed by id, with points where they have a location; edges
indexed by ``u``, ``v`` and, for multigraphs, ``key``, with lines) and
:func:`graph_from_gdfs` converts them back to the same graph.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from peermap import settings

__all__ = ["graph_from_gdfs", "graph_to_gdfs"]


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
