"""Paths: the shortest chain between two ids, in date order, and the network joining several.

The questions an analyst asks next in i2 Analyst's Notebook ("find path", "find path in
date order", "find connecting network"), asked of the records themselves:

* :func:`find_path`: the fewest links from a young person to another young person or a
  place, through ties and sightings (or ties only); with ``date_ordered=True`` only
  chains whose dates never go backwards (a time-respecting path);
* :func:`connecting_network`: the smallest set of links joining several ids (a Steiner
  tree, networkx's approximation), as a :class:`~peermap.Dataset` of those records.

Both work on one graph of the selected records (:class:`RecordGraph`), built once per
dataset, window and ``via`` and kept while the dataset lives, so that asking many paths
of one dataset costs one build. See ``docs/investigation.md``.
"""

from __future__ import annotations

import itertools
import warnings
import weakref
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import igraph as ig  # type: ignore[import-untyped]
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap._arguments import dataset_argument
from peermap._kernels import ids as id_index
from peermap._kernels import positions
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError, PeermapWarning, ValidationError
from peermap.filters import DateLike, Window, select
from peermap.schema import RELIABILITIES, RELIABILITY_DTYPE, SOURCES, TIE_KINDS

__all__ = ["LINKS", "PATH_COLUMNS", "VIA", "connecting_network", "find_path"]

#: The columns of :func:`find_path`'s table, one row per step.
PATH_COLUMNS: Final = ("from_id", "to_id", "link", "date", "source", "reliability")

#: What a step can be: a tie of one of the schema's kinds, or a sighting (``seen_at``).
LINKS: Final = (*TIE_KINDS, "seen_at")

#: Which records link: ``"all"`` (ties and sightings) or ``"ties"`` (ties only).
VIA: Final = ("all", "ties")

Via = Literal["all", "ties"]
IntArray = npt.NDArray[np.int64]

_SEEN_AT: Final = len(TIE_KINDS)
_NEVER: Final = np.iinfo(np.int64).max
_ALWAYS: Final = np.iinfo(np.int64).min


def _days(values: pd.Series) -> IntArray:
    """Dates as whole days since 1970-01-01."""
    return np.asarray(values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]"), np.int64)


def _codes(values: pd.Series, names: tuple[str, ...]) -> npt.NDArray[np.int8]:
    """Positions of the values in ``names`` (schema values: all found)."""
    return np.asarray(pd.Categorical(values.astype(str), categories=names).codes, np.int8)


@dataclass(eq=False)
class RecordGraph:
    """The ties and sightings of one selection as a graph, for paths and centrality.

    Nodes are numbered: young people first (``0 .. n_people - 1``, in the order of
    ``ds.people``), then places (with ``via="all"``; none with ``"ties"``). Every tie
    and sighting is a **record** stored twice, once from each end, sorted by the end it
    leaves (``indptr`` gives each node's records, as in a CSR matrix).

    Attributes
    ----------
    ds : Dataset
        The selection (:func:`peermap.select` of the window) the graph was built from.
    ids : numpy.ndarray
        The id of each node.
    n_people : int
        How many nodes are young people.
    tail, head : numpy.ndarray
        The two ends of each record, from ``tail`` to ``head``.
    first, start, end : numpy.ndarray
        Days since 1970-01-01: the record's own date (``first_seen`` of a tie, the date
        of a sighting), and the span in which a chain may cross it (a tie from
        ``first_seen`` to ``last_seen``, or ``first_seen`` alone, clamped to the window).
    link, source, rank : numpy.ndarray
        Codes: the step (:data:`LINKS`), the agency (``peermap.schema.SOURCES``) and the
        reliability (its rank in ``peermap.schema.RELIABILITIES``).
    row : numpy.ndarray
        The record's position in ``ds.ties`` (a tie) or ``ds.sightings`` (a sighting).
    indptr : numpy.ndarray
        ``indptr[v]:indptr[v + 1]`` are the records leaving node ``v``, by ``end``.
    """

    ds: Dataset
    ids: npt.NDArray[np.object_]
    n_people: int
    tail: IntArray
    head: IntArray
    first: IntArray
    start: IntArray
    end: IntArray
    link: npt.NDArray[np.int8]
    source: npt.NDArray[np.int8]
    rank: npt.NDArray[np.int8]
    row: IntArray
    indptr: IntArray
    _people: pd.Index = field(repr=False)
    _places: pd.Index = field(repr=False)
    _pair_key: IntArray | None = field(default=None, repr=False)
    _pair_best: IntArray | None = field(default=None, repr=False)
    _igraph: Any = field(default=None, repr=False)
    _open_key: tuple[IntArray, int, int] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    def node(self, value: Any, role: str) -> int:
        """Return the node number of an id (a young person's or a place's).

        Raises
        ------
        ValidationError
            When the id is neither (the message names the role, ``source`` or ``target``,
            and the id: ids are pseudonyms).
        ValueError
            When the id is a place and the graph has none (``via="ties"``).
        """
        key = str(value)
        at = self._people.get_indexer(pd.Index([key]))[0]
        if at >= 0:
            return int(at)
        at = self._places.get_indexer(pd.Index([key]))[0]
        if at >= 0 and self.n == self.n_people:
            raise ArgumentError(
                f"{role} {key!r} is a place; via='ties' links young people only "
                "(use via='all' to go through places)"
            )
        if at >= 0:
            return self.n_people + int(at)
        raise ValidationError(
            f"{role} {key!r} is no young person (people.person_id) and no place "
            "(places.place_id) of the dataset"
        )

    def pairs(self) -> tuple[IntArray, IntArray]:
        """Each pair of linked nodes once (``u < v``), sorted."""
        key = self.pair_keys()[0]
        u, v = np.divmod(key, max(self.n, 1))
        keep = u < v
        return u[keep], v[keep]

    def pair_keys(self) -> tuple[IntArray, IntArray]:
        """Sorted keys ``tail * n + head`` of linked node pairs and each pair's best record.

        The best record of a pair is its most reliable, then earliest, then first.
        """
        if self._pair_key is None:
            key = self.tail * max(self.n, 1) + self.head
            order = np.lexsort((np.arange(len(key)), self.first, -self.rank.astype(np.int64), key))
            key = key[order]
            first = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, bool)
            self._pair_key, self._pair_best = key[first], order[first]
        assert self._pair_best is not None
        return self._pair_key, self._pair_best

    def best_record(self, u: int, v: int) -> int:
        """Return the best record linking ``u`` to ``v`` (see :meth:`pair_keys`)."""
        key, best = self.pair_keys()
        at = int(np.searchsorted(key, u * self.n + v))
        return int(best[at])

    def open_from(self, nodes: IntArray, day: IntArray) -> IntArray:
        """Return, per node, the first of its records still open on ``day`` (``end >= day``)."""
        if self._open_key is None:
            low = int(self.end.min()) if len(self.end) else 0
            span = (int(self.end.max()) - low + 2) if len(self.end) else 1
            self._open_key = (self.tail * span + (self.end - low), low, span)
        key, low, span = self._open_key
        offset = np.clip(day, low, low + span - 1) - low  # (clipped first: no overflow)
        return np.asarray(np.searchsorted(key, nodes * span + offset), dtype=np.int64)

    def igraph(self) -> Any:
        """Return the simple undirected igraph graph of linked pairs (built on first use)."""
        if self._igraph is None:
            u, v = self.pairs()
            self._igraph = ig.Graph(
                n=self.n, edges=list(zip(u.tolist(), v.tolist(), strict=True)), directed=False
            )
        return self._igraph


def record_graph(ds: Dataset, window: Window, via: str) -> RecordGraph:
    """Return the :class:`RecordGraph` of a dataset's window, built once and kept.

    The graph is kept while ``ds`` lives (one per window and ``via``), so that many
    questions of one dataset share one build; a dataset is never changed in place
    (:meth:`Dataset.replace` makes a new one), so the graph cannot go stale.
    """
    _check_via(via)
    key = (window.since, window.until, window.min_reliability, via)
    kept = _GRAPHS.get(id(ds))
    if kept is None:
        kept = _GRAPHS[id(ds)] = {}
        weakref.finalize(ds, _GRAPHS.pop, id(ds), None)
    graph = kept.get(key)
    if graph is None:
        graph = kept[key] = _build(ds, window, via)
    return graph


#: Graphs built, by ``id`` of the dataset (removed when the dataset is collected).
_GRAPHS: dict[int, dict[tuple[Any, ...], RecordGraph]] = {}


def _build(ds: Dataset, window: Window, via: str) -> RecordGraph:
    sub = select(ds, window)
    people, places = id_index(sub)
    n_people = len(people)
    ties = sub.ties
    a = people.get_indexer(pd.Index(ties["person_a"]))
    b = people.get_indexer(pd.Index(ties["person_b"]))
    t_first = _days(ties["first_seen"])
    t_end = _days(ties["last_seen"].fillna(ties["first_seen"]))
    tails = [a, b]
    heads = [b, a]
    firsts = [t_first, t_first]
    ends = [t_end, t_end]
    links = [_codes(ties["kind"], TIE_KINDS)] * 2
    sources = [_codes(ties["source"], SOURCES)] * 2
    ranks = [_codes(ties["reliability"], RELIABILITIES)] * 2
    rows = [np.arange(len(ties), dtype=np.int64)] * 2
    if via == "all":
        s = sub.sightings
        who, where = positions(s, people, places)
        where = n_people + where
        day = _days(s["date"])
        tails += [who, where]
        heads += [where, who]
        firsts += [day, day]
        ends += [day, day]
        links += [np.full(len(s), _SEEN_AT, dtype=np.int8)] * 2
        sources += [_codes(s["source"], SOURCES)] * 2
        ranks += [_codes(s["reliability"], RELIABILITIES)] * 2
        rows += [np.arange(len(s), dtype=np.int64)] * 2
    tail = np.concatenate(tails).astype(np.int64)
    head = np.concatenate(heads).astype(np.int64)
    first = np.concatenate(firsts)
    end = np.concatenate(ends)
    start = first.copy()
    if window.since is not None:
        start = np.maximum(start, _days(pd.Series([window.since]))[0])
    if window.until is not None:
        end = np.minimum(end, _days(pd.Series([window.until]))[0])
    # By the node a record leaves, then by the last day it can be crossed: the records
    # still open when a chain reaches a node are the end of its run (see _date_ordered).
    order = np.lexsort((end, tail))
    n = n_people + (len(places) if via == "all" else 0)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    return RecordGraph(
        ds=sub,
        ids=np.concatenate([people.to_numpy(), places.to_numpy()[: n - n_people]]).astype(object),
        n_people=n_people,
        tail=tail[order],
        head=head[order],
        first=first[order],
        start=start[order],
        end=end[order],
        link=np.concatenate(links)[order],
        source=np.concatenate(sources)[order],
        rank=np.concatenate(ranks)[order],
        row=np.concatenate(rows)[order],
        indptr=indptr,
        _people=people,
        _places=places,
    )


def _check_via(via: str) -> None:
    if via not in VIA:
        raise ArgumentError(f"via={via!r}; expected 'all' or 'ties'")


def find_path(
    ds: Dataset,
    source: str,
    target: str,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    via: Via = "all",
    date_ordered: bool = False,
) -> pd.DataFrame:
    """Find the shortest chain of records from a young person to a young person or a place.

    The chain has the fewest links: ties between young people and, with ``via="all"``,
    sightings (a young person seen at a place links the two). i2 Analyst's Notebook calls
    this "find path"; with ``date_ordered=True``, "find path in date order": only chains
    whose dates never go backwards count, so that each step could have followed from the
    one before (a time-respecting path), and the chain found is the shortest of those,
    reaching the target as early as possible among the shortest.

    The records are selected once (:func:`peermap.select` of the window) and their graph
    is built on the first question and kept while ``ds`` lives (per window and ``via``),
    so that further questions of the same dataset take milliseconds
    (``benchmarks/bench_investigation.py`` prints the times at London scale).

    Parameters
    ----------
    ds : Dataset
        The dataset.
    source : str
        A young person's ``person_id`` or a place's ``place_id``.
    target : str
        Another young person's or place's id.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until`` and
        ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep ties active and sightings dated within this window.
    min_reliability : str, default "unverified"
        Weakest grade of tie and sighting that links.
    via : {"all", "ties"}, default "all"
        ``"all"``: ties and sightings link; ``"ties"``: ties only (then source and target
        must be young people).
    date_ordered : bool, default False
        Keep only chains whose dates do not go backwards. A sighting happens on its date;
        a tie may be crossed on any day from ``first_seen`` to ``last_seen`` (its
        ``first_seen`` alone when no ``last_seen`` is recorded), within the window.

    Returns
    -------
    pandas.DataFrame
        One row per step, from ``source`` to ``target``: ``from_id``, ``to_id``,
        ``link`` (the tie's kind, or ``seen_at`` for a sighting, whichever way it is
        walked), ``date`` (the record's date: a tie's ``first_seen``, a sighting's date;
        in date order, the day the chain crosses it), ``source`` (the agency) and
        ``reliability``. Where several records link the same two ids, the step shows the
        most reliable (then the earliest; in date order, the one crossed earliest).
        Empty (the same columns) when no chain links them, or when ``source`` is
        ``target``.

    Raises
    ------
    ValidationError
        When ``source`` or ``target`` is not an id of the dataset (the message names
        which, and the id: a pseudonym).
    ValueError
        When ``via="ties"`` is asked for a place, or an argument is not understood.

    Examples
    --------
    >>> import peermap
    >>> ds, truth = peermap.scenario(peermap.demo_boundaries(), n_people=300, seed=1)
    >>> a, b = ds.people["person_id"].iloc[:2]
    >>> steps = peermap.find_path(ds, a, b)
    >>> list(steps.columns)
    ['from_id', 'to_id', 'link', 'date', 'source', 'reliability']
    """
    dataset_argument(ds, "find_path")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    _check_via(via)
    graph = record_graph(ds, Window(since, until, min_reliability), via)
    s, t = graph.node(source, "source"), graph.node(target, "target")
    if s == t:
        return _steps(graph, [], None)
    if date_ordered:
        found = _date_ordered(graph, s, t)
        if found is None:
            return _steps(graph, [], None)
        return _steps(graph, *found)
    path = _shortest(graph, s, t)
    if len(path) < 2:
        return _steps(graph, [], None)
    records = [graph.best_record(u, v) for u, v in itertools.pairwise(path)]
    return _steps(graph, records, None)


def _shortest(graph: RecordGraph, s: int, t: int) -> list[int]:
    """Find the fewest-links path from ``s`` to ``t`` (node numbers; [] for none).

    Breadth first from both ends at once over whole arrays, a whole layer of the smaller
    side at a time, until the two meet: on a network of young people and busy places
    this visits a small part of it. Of the nodes where they first meet, the one nearest
    the other end (then the lowest number) gives a shortest path.
    """
    depth = [np.full(graph.n, -1, dtype=np.int64), np.full(graph.n, -1, dtype=np.int64)]
    parent = [np.full(graph.n, -1, dtype=np.int64), np.full(graph.n, -1, dtype=np.int64)]
    frontier = [np.array([s], dtype=np.int64), np.array([t], dtype=np.int64)]
    for side, node in ((0, s), (1, t)):
        depth[side][node], parent[side][node] = 0, node
    while frontier[0].size and frontier[1].size:
        load = [int((graph.indptr[f + 1] - graph.indptr[f]).sum()) for f in frontier]
        side = 0 if load[0] <= load[1] else 1
        nodes = frontier[side]
        starts = graph.indptr[nodes]
        counts = graph.indptr[nodes + 1] - starts
        total = int(counts.sum())
        rec = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
        tail, head = graph.tail[rec], graph.head[rec]
        new = depth[side][head] < 0
        tail, head = tail[new], head[new]
        head, first = np.unique(head, return_index=True)
        tail = tail[first]
        depth[side][head] = depth[side][tail] + 1
        parent[side][head] = tail
        met = head[depth[1 - side][head] >= 0]
        if met.size:
            other = depth[1 - side][met]
            node = int(met[np.lexsort((met, other))[0]])
            forward = _back(parent[0], node)[::-1]
            return [*forward, *_back(parent[1], node)[1:]]
        frontier[side] = head
    return []


def _back(parent: IntArray, node: int) -> list[int]:
    """Follow ``parent`` from ``node`` to the end it started from."""
    path = [node]
    while parent[node] != node:
        node = int(parent[node])
        path.append(node)
    return path


def _steps(graph: RecordGraph, records: list[int], when: list[int] | None) -> pd.DataFrame:
    """Return the table of a chain of records (``when``: the day each is crossed)."""
    rec = np.asarray(records, dtype=np.int64)
    days = graph.first[rec] if when is None else np.asarray(when, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "from_id": pd.Series(graph.ids[graph.tail[rec]], dtype=str),
            "to_id": pd.Series(graph.ids[graph.head[rec]], dtype=str),
            "link": pd.Series([LINKS[i] for i in graph.link[rec]], dtype=str),
            "date": pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]")),
            "source": pd.Series([SOURCES[i] for i in graph.source[rec]], dtype=str),
            "reliability": pd.Series(
                [RELIABILITIES[i] for i in graph.rank[rec]], dtype=RELIABILITY_DTYPE
            ),
        }
    )
    return frame[list(PATH_COLUMNS)]


def _date_ordered(graph: RecordGraph, s: int, t: int) -> tuple[list[int], list[int]] | None:
    """Find the fewest-links chain from ``s`` to ``t`` whose dates never go backwards.

    Breadth first, one layer of links at a time over whole arrays: ``best[v]`` is the
    earliest day a chain of at most the links so far reaches ``v``. Each layer crosses
    the records leaving the nodes that got earlier in the layer before, on the first day
    they allow at or after the node was reached; a node gets earlier only if that day is
    before its best. The first layer to reach ``t`` gives the fewest links, and within it
    the earliest arrival. Returns the records and the day each is crossed, or ``None``.
    """
    best = np.full(graph.n, _NEVER, dtype=np.int64)
    best[s] = _ALWAYS
    frontier = np.array([s], dtype=np.int64)
    layers: list[tuple[IntArray, IntArray, IntArray]] = []
    while frontier.size:
        # Only the records still open when the chain reached each node: its run's end.
        starts = graph.open_from(frontier, best[frontier])
        counts = graph.indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return None
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        rec = offsets + np.arange(total, dtype=np.int64)
        arrive = np.repeat(best[frontier], counts)
        day = np.maximum(graph.start[rec], arrive)
        head = graph.head[rec]
        sooner = day < best[head]
        rec, day, head = rec[sooner], day[sooner], head[sooner]
        if not rec.size:
            return None
        order = np.lexsort((rec, day, head))
        rec, day, head = rec[order], day[order], head[order]
        first = np.r_[True, head[1:] != head[:-1]]
        rec, day, head = rec[first], day[first], head[first]
        best[head] = day
        layers.append((head, rec, day))
        if best[t] != _NEVER:
            return _walk_back(graph, layers, s, t)
        frontier = head
    return None


def _walk_back(
    graph: RecordGraph, layers: list[tuple[IntArray, IntArray, IntArray]], s: int, t: int
) -> tuple[list[int], list[int]]:
    records: list[int] = []
    days: list[int] = []
    node = t
    for head, rec, day in reversed(layers):
        at = int(np.searchsorted(head, node))
        records.append(int(rec[at]))
        days.append(int(day[at]))
        node = int(graph.tail[rec[at]])
    assert node == s
    return records[::-1], days[::-1]


def connecting_network(
    ds: Dataset,
    ids: list[str] | tuple[str, ...] | pd.Series | pd.Index,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    via: Via = "all",
) -> Dataset:
    """Find the smallest network of records joining several young people and places.

    i2 Analyst's Notebook's "find connecting network": the fewest links (ties and, with
    ``via="all"``, sightings) that join every id given, found as a Steiner tree with
    networkx's approximation (``networkx.algorithms.approximation.steiner_tree``, Mehlhorn's
    method: at most twice the smallest). Ids that no chain joins to the others are
    joined where they can be (each group of ids sharing a component on its own tree),
    with a :class:`~peermap.PeermapWarning` saying how many could not be.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    ids : list of str
        ``person_id`` and ``place_id`` values to join (at least one).
    window, since, until, min_reliability
        Which records count, as in :func:`find_path`.
    via : {"all", "ties"}, default "all"
        Link through ties and sightings, or ties only.

    Returns
    -------
    Dataset
        The young people and places of the network, and every selected record along
        its links (all ties between two of its young people that it links, all
        sightings of a young person at a place it links them to), with the
        relocations of its young people in the window.

    Raises
    ------
    ValidationError
        When an id is not in the dataset.
    """
    dataset_argument(ds, "connecting_network")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    _check_via(via)
    graph = record_graph(ds, Window(since, until, min_reliability), via)
    if isinstance(ids, str) or not len(ids):
        raise ArgumentError("ids: give a list of at least one person_id or place_id")
    terminals = sorted({graph.node(value, "id") for value in ids})
    g = graph.igraph()
    membership = np.asarray(g.connected_components().membership, dtype=np.int64)
    groups: dict[int, list[int]] = {}
    for node in terminals:
        groups.setdefault(int(membership[node]), []).append(node)
    alone = sum(len(group) for group in groups.values() if len(group) == 1)
    if alone and len(terminals) > 1:
        warnings.warn(
            f"{alone} of the {len(terminals)} ids given share no chain of records with any "
            "other id given: they stand alone in the network",
            PeermapWarning,
            stacklevel=2,
        )
    u, v = graph.pairs()
    nodes: set[int] = set(terminals)
    links: set[tuple[int, int]] = set()
    for component, group in groups.items():
        if len(group) < 2:
            continue
        inside = membership[u] == component
        sub = nx.Graph()
        sub.add_edges_from(zip(u[inside].tolist(), v[inside].tolist(), strict=True))
        tree = nx.algorithms.approximation.steiner_tree(sub, group, method="mehlhorn")
        nodes.update(int(n) for n in tree.nodes)
        links.update((min(a, b), max(a, b)) for a, b in tree.edges)
    return _network(graph, nodes, links)


def _network(graph: RecordGraph, nodes: set[int], links: set[tuple[int, int]]) -> Dataset:
    sub = graph.ds
    ids = graph.ids
    people = {str(ids[n]) for n in nodes if n < graph.n_people}
    places = {str(ids[n]) for n in nodes if n >= graph.n_people}
    tie_pairs = {frozenset((str(ids[a]), str(ids[b]))) for a, b in links if b < graph.n_people}
    seen_pairs = {(str(ids[a]), str(ids[b])) for a, b in links if b >= graph.n_people}
    ties = sub.ties
    keep_ties = [
        frozenset((str(x), str(y))) in tie_pairs
        for x, y in zip(ties["person_a"], ties["person_b"], strict=True)
    ]
    sightings = sub.sightings
    keep_seen = np.zeros(len(sightings), dtype=bool)
    if seen_pairs:
        keep_seen = pd.MultiIndex.from_arrays(
            [sightings["person_id"].astype(str), sightings["place_id"].astype(str)]
        ).isin(list(seen_pairs))
    return sub.replace(
        people=sub.people[sub.people["person_id"].astype(str).isin(people)],
        places=sub.places[sub.places["place_id"].astype(str).isin(places)],
        ties=ties[np.asarray(keep_ties, dtype=bool)],
        sightings=sightings[np.asarray(keep_seen, dtype=bool)],
        relocations=sub.relocations[sub.relocations["person_id"].astype(str).isin(people)],
    )
