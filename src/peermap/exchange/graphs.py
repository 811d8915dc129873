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
from peermap.disclosure import Audience
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window
from peermap.merging import PROVENANCE

__all__ = ["to_gexf", "to_graphml"]


def person_level(audience: str, what: str) -> Audience:
    """Check that an export of person-level records is for the partnership.

    Graph exports and i2 charts show each young person by pseudonym with their ties and
    sightings: the small-count rule of public and aggregate outputs cannot apply to
    them, so those audiences are refused with the reason and what to share instead.
    """
    if audience in ("public", "aggregate"):
        raise ArgumentError(
            f"audience={audience!r}: {what} shows each young person by pseudonym, with their "
            "ties and sightings, so it is for the partnership only (audience='partnership'). "
            "For the public, make a public map, diagram or report; for partners outside the "
            "agreement, an aggregate package"
        )
    return Audience.of(audience, allowed=("partnership",), what=what)


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
            raise ArgumentError("since/until/min_reliability apply when exporting a Dataset")
        return source
    if not isinstance(source, Dataset):
        raise ArgumentError(
            f"export a peermap Dataset or a networkx graph, not {type(source).__name__}"
        )
    filters = {"since": since, "until": until, "min_reliability": min_reliability}
    if graph == "peer":
        g: nx.Graph = peer_graph(source, **filters)
    elif graph == "place":
        g = place_graph(source, **filters)
    else:
        raise ArgumentError(f"graph={graph!r}; expected 'peer' or 'place'")
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
    if dynamic:
        _node_spells(g, out)
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


def _node_spells(g: nx.Graph, out: nx.Graph) -> None:
    """Each node appears on its first dated link (and stays): contexts form in Gephi."""
    first: dict[Any, str] = {}
    for u, v, d in g.edges(data=True):
        start = _plain(d.get("first_seen", d.get("first")))
        if isinstance(start, str):
            for node in (u, v):
                if node not in first or start < first[node]:
                    first[node] = start
    for node, start in first.items():
        out.nodes[node]["start"] = start


def _contexts_of(
    source: Dataset, g: nx.Graph, contexts: pd.DataFrame | bool, window: Window
) -> None:
    """Give each node the ``context_id`` of :func:`peermap.contexts` it belongs to."""
    if contexts is False:
        return
    if contexts is True:
        from peermap.analysis import contexts as find_contexts

        table = find_contexts(source, window=window)
    else:
        table = contexts
    for context_id, people, places in zip(
        table["context_id"], table["people"], table["places"], strict=True
    ):
        for node in [*people, *places]:
            if node in g:
                g.nodes[node]["context_id"] = int(context_id)


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
    audience: str = "partnership",
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
    audience : {"partnership"}, default "partnership"
        Who the file is for: the partnership only, as it shows each young person.
    since, until, min_reliability
        Filters, as for :func:`peermap.peer_graph` (datasets only).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        For ``audience="public"`` or ``"aggregate"`` (person-level records).
    """
    person_level(audience, "a GraphML network")
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
    audience: str = "partnership",
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    contexts: pd.DataFrame | bool = True,
) -> Path:
    """Write a network as GEXF 1.2 (Gephi) with time intervals, atomically.

    As :func:`to_graphml`; in addition the graph is dynamic, so that Gephi's timeline
    plays the contexts forming: every tie (or person-place edge) has a time interval,
    ``start`` = first seen and ``end`` = last seen (open when no ``last_seen`` is
    recorded: the link stays), and every node appears on its first link (``start``)
    and stays. With a dataset, each node carries the ``context_id`` of
    :func:`peermap.contexts` (for the same window) it belongs to, to colour or filter by.

    Parameters
    ----------
    source : Dataset or networkx.Graph
        A dataset or a graph from :mod:`peermap.networks`.
    path : str or path-like
        The ``.gexf`` file.
    graph : {"peer", "place"}, default "peer"
        Which graph to build from a dataset.
    audience : {"partnership"}, default "partnership"
        Who the file is for: the partnership only, as it shows each young person.
    window : Window, optional
        Which records count (datasets only); or ``since``, ``until``,
        ``min_reliability`` as for :func:`peermap.peer_graph`.
    since, until, min_reliability
        The same window in three keywords.
    contexts : pandas.DataFrame or bool, default True
        The table of :func:`peermap.contexts` to label nodes with (``True``: computed for
        the window; ``False``: no ``context_id``).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        For ``audience="public"`` or ``"aggregate"`` (person-level records).
    """
    person_level(audience, "a GEXF network")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    built = _build_graph(source, graph, since, until, min_reliability)
    if isinstance(source, Dataset):
        _contexts_of(source, built, contexts, Window(since, until, min_reliability))
    g = _export_graph(built, dynamic=True)
    g.graph["mode"] = "dynamic"
    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_gexf(g, str(tmp), encoding="utf-8", prettyprint=True, version="1.2draft")
    return target
