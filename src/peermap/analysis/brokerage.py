"""Centrality and brokers: who holds a network of young people together.

:func:`centrality` gives, per young person, the measures of social network analysis
that i2 Analyst's Notebook and Gephi offer (degree, betweenness, eigenvector, k-core)
computed in igraph's C code, how many authorities their links reach, and whether they
are a **broker**: a young person whose removal would split their context in two
(an articulation point of the context's network; :func:`brokers` for any selection).
See ``docs/investigation.md``.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

import igraph as ig  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import _graph_backends, _lookup
from peermap._arguments import dataset_argument, kind_of, whole_number
from peermap._kernels import BETWEENNESS_EXACT_MAX, positions
from peermap._kernels import ids as id_index
from peermap.analysis.community import contexts as find_contexts
from peermap.analysis.paths import RecordGraph, Via, record_graph
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window

__all__ = ["BETWEENNESS_SAMPLE", "CENTRALITY_COLUMNS", "brokers", "centrality"]

#: Sources sampled for betweenness above ``BETWEENNESS_EXACT_MAX`` nodes (exact below).
BETWEENNESS_SAMPLE: Final = 32

#: The columns of :func:`centrality`.
CENTRALITY_COLUMNS: Final = (
    "person_id",
    "home_authority",
    "context_id",
    "degree",
    "betweenness",
    "eigenvector",
    "k_core",
    "authorities",
    "broker",
)


def centrality(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    via: Via = "ties",
    contexts: pd.DataFrame | None = None,
    betweenness_sample: int | None = BETWEENNESS_SAMPLE,
    seed: int = 0,
) -> pd.DataFrame:
    """Measure how central each young person is, and flag the brokers of each context.

    The measures are those an analyst knows from i2 Analyst's Notebook's social network
    analysis and from Gephi, computed in igraph's C code on the graph of the selected
    records (one node per young person, and per place with ``via="all"``; one link per
    pair of nodes, however many records join them):

    ========================  =====================================================
    ``degree``                how many young people (and places) they are linked to
    ``betweenness``           share of shortest chains between others that pass
                              through them (normalised as networkx does; estimated
                              from ``betweenness_sample`` seeded sources on graphs over
                              :data:`peermap.analysis.BETWEENNESS_EXACT_MAX` nodes)
    ``eigenvector``           linked to others who are themselves central (scaled so
                              the most central is 1; near 0 outside the largest
                              connected part of the network)
    ``k_core``                the largest k such that they belong to a group in which
                              everyone has at least k links inside the group
    ``authorities``           how many authorities their links reach: their own home
                              authority, the home authorities of those they are tied
                              to and, with ``via="all"``, the authorities of the places
                              they were seen at
    ``broker``                removing them would split their context: an articulation
                              point of the context's own network (its young people
                              and its places, joined by their ties and sightings), the
                              people a safeguarding plan may reach a whole group through
    ========================  =====================================================

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries, places count by authority).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until`` and
        ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep ties active and sightings dated within this window.
    min_reliability : str, default "unverified"
        Weakest grade of tie and sighting that links.
    via : {"ties", "all"}, default "ties"
        Measure on the network of ties between young people, or on ties and sightings
        (young people and places). ``broker`` always uses the context's ties and
        sightings, as contexts are made of both.
    contexts : pandas.DataFrame, optional
        The table of :func:`peermap.contexts` for the same window, if already computed
        (computed when not given: at London scale that is most of the time taken).
    betweenness_sample : int or None, default :data:`BETWEENNESS_SAMPLE`
        Sources sampled for betweenness on large graphs (``None``: exact, slow at
        London scale).
    seed : int, default 0
        Seed of the betweenness sample.

    Returns
    -------
    pandas.DataFrame
        One row per young person, the most between first (then by ``person_id``):
        :data:`CENTRALITY_COLUMNS`. ``context_id`` is the context of
        :func:`peermap.contexts` they belong to (``<NA>`` for none).

    Examples
    --------
    >>> import peermap
    >>> ds, truth = peermap.scenario(peermap.demo_boundaries(), n_people=300, seed=1)
    >>> table = peermap.centrality(ds)
    >>> bool(table["broker"].any())
    True
    """
    dataset_argument(ds, "centrality")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    if betweenness_sample is not None:
        whole_number(betweenness_sample, "betweenness_sample", 2)
    if contexts is not None and not isinstance(contexts, pd.DataFrame):
        raise ArgumentError(
            f"contexts= takes the table of peermap.contexts (or None), got {kind_of(contexts)}"
        )
    w = Window(since, until, min_reliability)
    # Nodes in the order of their ids: betweenness from a sample of sources does not
    # then move with the order of the tables' rows.
    ds = _lookup.in_id_order(ds)
    graph = record_graph(ds, w, via)
    if contexts is None:
        contexts = find_contexts(ds, window=w)
    g = graph.igraph()
    n, n_people = graph.n, graph.n_people
    k = None if betweenness_sample is None or n <= BETWEENNESS_EXACT_MAX else betweenness_sample
    between = _graph_backends.betweenness("igraph", g, k=min(k, n) if k else None, seed=seed)
    with warnings.catch_warnings():
        # igraph warns that eigenvector centrality means little on a disconnected graph;
        # the docstring says what the values are then (near 0 outside the largest part).
        warnings.filterwarnings("ignore", category=RuntimeWarning, message=".*eigenvector")
        eigen = np.asarray(g.eigenvector_centrality(scale=True), dtype=float) if n else np.zeros(0)
    people, places = id_index(graph.ds)
    context_of = _context_labels(people, places, contexts)
    table = pd.DataFrame(
        {
            "person_id": pd.Series(graph.ids[:n_people], dtype=str),
            "home_authority": graph.ds.people["home_authority"].to_numpy(dtype=object),
            "context_id": pd.array(context_of[:n_people], dtype="Int64"),
            "degree": np.asarray(g.degree(), dtype=np.int64)[:n_people],
            "betweenness": between[:n_people],
            "eigenvector": eigen[:n_people],
            "k_core": np.asarray(g.coreness(), dtype=np.int64)[:n_people],
            "authorities": _authorities(graph),
            "broker": _brokers_in_contexts(graph, contexts),
        }
    )
    table["context_id"] = table["context_id"].mask(table["context_id"] < 0)
    table = table.sort_values(["betweenness", "person_id"], ascending=[False, True])
    return table.reset_index(drop=True)[list(CENTRALITY_COLUMNS)]


def _context_labels(
    people: pd.Index, places: pd.Index, contexts: pd.DataFrame
) -> npt.NDArray[np.int64]:
    """Return the ``context_id`` of each young person, then each place (-1 for none)."""
    missing = {"context_id", "people", "places"} - set(contexts.columns)
    if missing:
        raise ArgumentError(
            f"contexts: expected the table of peermap.contexts, without {sorted(missing)}"
        )
    labels = np.full(len(people) + len(places), -1, dtype=np.int64)
    for column, offset, index in (("people", 0, people), ("places", len(people), places)):
        members = contexts[["context_id", column]].explode(column).dropna()
        at = index.get_indexer(pd.Index(members[column].astype(str)))
        found = at >= 0
        labels[offset + at[found]] = members["context_id"].to_numpy(dtype=np.int64)[found]
    return labels


def _authorities(graph: RecordGraph) -> npt.NDArray[np.int64]:
    """How many authorities each young person's links reach, their own home included."""
    ds = graph.ds
    home = ds.people["home_authority"].to_numpy(dtype=object)
    if "authority_code" in ds.places:
        place_auth = ds.places["authority_code"].to_numpy(dtype=object)
    else:
        place_auth = np.full(len(ds.places), None, dtype=object)
    authority = np.concatenate([home, place_auth]).astype(object)
    u, v = graph.pairs()
    n_people = graph.n_people
    person = np.concatenate([u, v, np.arange(n_people)])
    other = np.concatenate([v, u, np.arange(n_people)])
    keep = person < n_people
    frame = pd.DataFrame({"person": person[keep], "authority": authority[other[keep]]})
    counts = frame.dropna().drop_duplicates().groupby("person").size()
    return np.asarray(counts.reindex(range(n_people), fill_value=0).to_numpy(), dtype=np.int64)


def _brokers_in_contexts(graph: RecordGraph, contexts: pd.DataFrame) -> npt.NDArray[Any]:
    """Flag the articulation points of each context's own network, per young person.

    A context's network: its young people and its own places, joined by the ties between
    them and the sightings of its young people at its places (whatever ``via`` the
    measures use).
    """
    sub = graph.ds
    people, places = id_index(sub)
    n_people = len(people)
    labels = _context_labels(people, places, contexts)
    u, v = graph.pairs()
    ties = (u < n_people) & (v < n_people)
    u, v = u[ties], v[ties]
    who, where = positions(sub.sightings, people, places)
    seen = np.unique(who.astype(np.int64) * max(len(places), 1) + where)
    su, sv = np.divmod(seen, max(len(places), 1))
    u = np.concatenate([u, su])
    v = np.concatenate([v, n_people + sv])
    inside = (labels[u] >= 0) & (labels[u] == labels[v])
    flags = np.zeros(n_people + len(places), dtype=bool)
    flags[_articulation(len(flags), u[inside], v[inside])] = True
    return flags[:n_people]


def _articulation(n: int, u: npt.NDArray[np.int64], v: npt.NDArray[np.int64]) -> list[int]:
    edges = list(zip(u.tolist(), v.tolist(), strict=True))
    return list(ig.Graph(n=n, edges=edges, directed=False).articulation_points())


def brokers(ds: Dataset) -> set[str]:
    """Young people whose removal would split the network they are part of.

    The articulation points among young people of the network of ``ds``'s young
    people and places, joined by its ties and sightings: given one context
    (:func:`peermap.select` with ``context=``), its brokers as :func:`centrality`
    flags them. Partnership diagrams outline them.

    Parameters
    ----------
    ds : Dataset
        The records (typically one context's, already selected).

    Returns
    -------
    set of str
        Their ``person_id`` values.
    """
    graph = record_graph(ds, Window(), "all")
    u, v = graph.pairs()
    cut = _articulation(graph.n, u, v)
    return {str(graph.ids[node]) for node in cut if node < graph.n_people}


def top_brokers(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` brokers of a :func:`centrality` table with the highest betweenness."""
    chosen = table[table["broker"].astype(bool)]
    return chosen.sort_values(["betweenness", "person_id"], ascending=[False, True]).head(n)
