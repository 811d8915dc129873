"""Graph exports: GraphML and GEXF for Gephi, igraph, Cytoscape and yEd.

:func:`to_graphml` and :func:`to_gexf` write a graph of :mod:`peermap.networks` (or
build one from a dataset) with its attributes made plain for the formats, atomically.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from peermap._atomic import atomic_path
from peermap.dataset import Dataset
from peermap.merging import PROVENANCE

__all__ = ["to_gexf", "to_graphml"]


def _plain(value: Any) -> Any:
    """Return a value GraphML and GEXF can hold (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return ";".join(sorted(str(_plain(v)) for v in value))
    if isinstance(value, list | tuple):
        return ";".join(str(_plain(v)) for v in value)
    return str(value)


def _attrs(attrs: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in attrs.items():
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                plain = _plain(inner)
                if plain is not None:
                    out[f"{name}_{sub}"] = plain
            continue
        plain = _plain(value)
        if plain is not None:
            out[str(name)] = plain
    return out


def _build_graph(
    source: Dataset | nx.Graph,
    graph: str,
    since: Any,
    until: Any,
    min_reliability: str,
) -> nx.Graph:
    from peermap.networks import peer_graph, place_graph

    if isinstance(source, nx.Graph):
        if (since, until, min_reliability) != (None, None, "unverified"):
            raise ValueError("since/until/min_reliability apply when exporting a Dataset")
        return source
    if not isinstance(source, Dataset):
        raise TypeError(
            f"export a peermap Dataset or a networkx graph, not {type(source).__name__}"
        )
    filters = {"since": since, "until": until, "min_reliability": min_reliability}
    if graph == "peer":
        g: nx.Graph = peer_graph(source, **filters)
    elif graph == "place":
        g = place_graph(source, **filters)
    else:
        raise ValueError(f"graph={graph!r}; expected 'peer' or 'place'")
    if PROVENANCE in source.people:
        for pid, prov in zip(source.people["person_id"], source.people[PROVENANCE], strict=True):
            if pid in g:
                g.nodes[pid][PROVENANCE] = prov
    if graph == "place" and PROVENANCE in source.places:
        for pid, prov in zip(source.places["place_id"], source.places[PROVENANCE], strict=True):
            if pid in g:
                g.nodes[pid][PROVENANCE] = prov
    if graph == "peer" and PROVENANCE in source.ties:
        prov_of = source.ties[PROVENANCE]
        for _, _, k, data in g.edges(keys=True, data=True):
            data[PROVENANCE] = prov_of.loc[k]
    fingerprint = source.meta.get("key_fingerprint")
    if fingerprint:
        g.graph["key_fingerprint"] = fingerprint
    return g


def _export_graph(g: nx.Graph, *, dynamic: bool) -> nx.Graph:
    out = g.__class__()
    out.graph.update(_attrs(g.graph))
    out.add_nodes_from((n, _attrs(d)) for n, d in g.nodes(data=True))
    if g.is_multigraph():
        for u, v, k, d in g.edges(keys=True, data=True):
            attrs = _attrs(d)
            if dynamic:
                _spell(attrs)
            out.add_edge(u, v, key=k, **attrs)
    else:
        for u, v, d in g.edges(data=True):
            attrs = _attrs(d)
            if dynamic:
                _spell(attrs)
            out.add_edge(u, v, **attrs)
    return out


def _spell(attrs: dict[str, Any]) -> None:
    """GEXF time interval of a tie (Gephi's timeline): first_seen to last_seen."""
    start = attrs.get("first_seen", attrs.get("first"))
    end = attrs.get("last_seen", attrs.get("last"))
    if isinstance(start, str):
        attrs["start"] = start
        if isinstance(end, str):
            attrs["end"] = end


def to_graphml(
    source: Dataset | nx.Graph,
    path: str | os.PathLike[str],
    *,
    graph: Literal["peer", "place"] = "peer",
    since: Any = None,
    until: Any = None,
    min_reliability: str = "unverified",
) -> Path:
    """Write a network as GraphML (Gephi, igraph, Cytoscape, yEd), atomically.

    Node and edge attributes are those of :mod:`peermap.networks`, made plain for the
    format: dates as ``YYYY-MM-DD`` text, lists and sets as ``;``-joined text,
    dictionaries flattened (``contexts`` becomes ``contexts_cse``, ...), missing values
    left out. With a dataset that has provenance, people, places and ties carry it.
    Only schema columns reach a graph: never extra columns or free text.

    Parameters
    ----------
    source : Dataset or networkx.Graph
        A dataset (the graph is built from it) or a graph from :mod:`peermap.networks`.
    path : str or path-like
        The ``.graphml`` file.
    graph : {"peer", "place"}, default "peer"
        Which graph to build from a dataset: :func:`peermap.peer_graph` (young people
        and ties) or :func:`peermap.place_graph` (young people and places).
    since, until, min_reliability
        Filters, as for :func:`peermap.peer_graph` (datasets only).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    g = _export_graph(_build_graph(source, graph, since, until, min_reliability), dynamic=False)
    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_graphml(g, str(tmp), encoding="utf-8", prettyprint=True)
    return target


def to_gexf(
    source: Dataset | nx.Graph,
    path: str | os.PathLike[str],
    *,
    graph: Literal["peer", "place"] = "peer",
    since: Any = None,
    until: Any = None,
    min_reliability: str = "unverified",
) -> Path:
    """Write a network as GEXF 1.2 (Gephi), atomically.

    As :func:`to_graphml`; in addition every tie (or person-place edge) gets a time
    interval, ``start`` = first seen and ``end`` = last seen (when known), so Gephi's
    timeline can play the network over time.

    Parameters
    ----------
    source : Dataset or networkx.Graph
        A dataset or a graph from :mod:`peermap.networks`.
    path : str or path-like
        The ``.gexf`` file.
    graph : {"peer", "place"}, default "peer"
        Which graph to build from a dataset.
    since, until, min_reliability
        Filters, as for :func:`peermap.peer_graph` (datasets only).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    g = _export_graph(_build_graph(source, graph, since, until, min_reliability), dynamic=True)
    g.graph["mode"] = "dynamic"
    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_gexf(g, str(tmp), encoding="utf-8", prettyprint=True, version="1.2draft")
    return target
