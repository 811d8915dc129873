"""Contexts: groups of young people and the places they share, most concerning first.

See :func:`contexts` and ``docs/analysis.md`` ("Contexts").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import _graph_backends, _lookup, ranking
from peermap._arguments import dataset_argument
from peermap._kernels import (
    SERIOUS_CONTEXTS,
    authority_graph_of,
    ids,
    record_positions,
)
from peermap.analysis.anchors import (
    ANCHOR_Q,
    attach_places,
    exploiter_anchors,
    meeting_places,
    venue_anchors,
)
from peermap.analysis.consensus import (
    CONSENSUS_SHARE,
    STABILITY_AUTO_MAX_PEOPLE,
    STABILITY_JACCARD,
    STABILITY_RUNS,
    consensus,
    label_of,
)
from peermap.analysis.context_reasons import context_reasons
from peermap.analysis.context_score import (
    APART_WEIGHT,
    SCORE_COLUMNS,
    ScoreInputs,
    context_score,
    cut_weight,
)
from peermap.analysis.reach import (
    DISTANT_MIN_PEOPLE,
    DISTANT_MIN_SHARE,
    EXPLOITATION_CONTEXTS,
    online_stand_in,
    reach_of,
    standing_authority,
)
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window, filter_sightings, filter_ties
from peermap.schema import CONTEXTS, is_online

__all__ = [
    "CONSENSUS_SHARE",
    "CONTEXT_WEIGHTS",
    "DISTANT_MIN_PEOPLE",
    "DISTANT_MIN_SHARE",
    "EXPLOITATION_CONTEXTS",
    "EXPLOITER_WEIGHT",
    "ONLINE_WEIGHT",
    "STABILITY_AUTO_MAX_PEOPLE",
    "STABILITY_JACCARD",
    "STABILITY_RUNS",
    "context_graph",
    "contexts",
]


#: Weight of a sighting by abuse context when linking people to places (others weigh 1).
CONTEXT_WEIGHTS: dict[str, float] = {
    "cse": 10.0,
    "cce": 10.0,
    "harmful_sexual_behaviour": 2.0,
    "serious_youth_violence": 2.0,
}


#: Weight of an exploiter tie relative to other ties.
EXPLOITER_WEIGHT = 6.0

#: Weight of a sighting at an online place (schema 1.1: a group chat, a platform)
#: relative to one at a venue, when linking people to places. Being recorded in the
#: same group chat is as direct a shared context as being recorded at the same hotel,
#: so it weighs the same; a group chat of hundreds links each member weakly, as a busy
#: venue does (the edge is normalised by the place's total). A partnership that judges
#: otherwise changes this one number (``docs/online_spaces.md``).
ONLINE_WEIGHT = 1.0


def context_graph(
    ds: Dataset,
    *,
    window: Window | None = None,
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
    window, since, until, min_reliability
        Which records count, as in :func:`contexts`.
    include_places : bool, default True
        Add places and person-place edges.
    tie_weight : float, default 0.3
        Weight of ties relative to place links.

    Returns
    -------
    networkx.Graph
        Every young person as a node; edges with a ``weight`` attribute.
    """
    dataset_argument(ds, "context_graph")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    nodes, u, v, w = _context_edges(
        _lookup.in_id_order(ds),
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


def _context_weights() -> npt.NDArray[np.float64]:
    """:data:`CONTEXT_WEIGHTS` per abuse context, in the order of ``CONTEXTS``."""
    return np.array([CONTEXT_WEIGHTS.get(c, 1.0) for c in CONTEXTS])


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
    coded = record_positions(ds)
    people_index, place_index = coded.people, coded.places
    n_people, n_places = len(people_index), len(place_index)
    nodes: list[tuple[str, str]] = [("person", p) for p in people_index]
    us: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    vs: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    ws: list[npt.NDArray[np.float64]] = [np.empty(0, dtype=np.float64)]
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    if len(ties):
        a_pos, b_pos = coded.ties(ties)
        a, b = a_pos.astype(np.int64), b_pos.astype(np.int64)
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
            who, where = coded.sightings(s)
            weights = _context_weights()
            kind = pd.Index(CONTEXTS).get_indexer(pd.Index(s["context"]))
            w = np.where(kind >= 0, weights[kind], 1.0)
            w = w * ranking.reliability_weight(s["reliability"])
            w = w * np.where(is_online(ds.places["kind"]).to_numpy()[where], ONLINE_WEIGHT, 1.0)
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
    window: Window | None = None,
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

    Before the split, contexts that no split should cut are set apart
    (:mod:`peermap.analysis.anchors`): each venue whose excess of harm stands out
    (q-value at most :data:`peermap.analysis.ANCHOR_Q`) with the young people harmed
    there or in exploiter ties that meet there, and those whose exploiter ties lead mostly
    to them (the line holder never seen there); then each group of young people joined
    by exploiter ties; each takes the places that are mostly its young people's. No
    seed decides who is in them.

    Contexts are ranked by their concern score (:mod:`peermap.ranking`,
    ``docs/analysis.md``): the harm recorded about their young people, by kind and
    weighted by severity and reliability, beyond what their activity would bring at
    the places they use, plus their exploiter ties, weighed by how specific that excess
    is to the group (a group is not concerning because it is big), times the reach
    across authorities; or the concern of the most concerning venue that lends to them
    (the venue's, where they hold most of the young people its excess rests on) when
    that is higher. A community the split cut from a larger network counts its own excess by
    how much that stands out (:func:`cut_weight` of its q-value: in full at 0.01 or
    less, half at :data:`peermap.analysis.CUT_Q`, not at all at 0.25 or more), and so
    does a group joined by exploiter ties none of which meets anywhere (its young
    people never seen at one place within :data:`peermap.ranking.MEET_DAYS` of each
    other), but at least :data:`peermap.analysis.APART_WEIGHT` of it.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries to classify reach and count place authorities).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
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
        Large components are split by their consensus (average linkage: two groups
        join while their links were together in most runs,
        :data:`CONSENSUS_SHARE`), so the contexts do not hang on one seed;
        ``stability`` says in what share of the runs each context came out, and its
        concern is averaged over all the runs (0 in those in which it does not come
        out, so its mean where it does times its stability). 1 or less: one run with
        ``seed``, no consensus, ``stability`` is ``NaN``. By default :data:`STABILITY_RUNS` when the
        components to split hold at most :data:`STABILITY_AUTO_MAX_PEOPLE` young people,
        else 1: each run re-splits the whole graph (``benchmarks/bench_analysis.py``
        prints what the runs cost at London scale, 50,000 young people), so at that
        scale ask for it.
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
        * ``n_people``, ``n_places``, ``n_authorities``, ``spans_authorities``;
          ``n_home_authorities``: the young people's home authorities alone (the
          reasons say "from" these: the places' authorities are not homes).
        * ``reach``: ``single``; ``neighbours``; ``distant`` (at least
          :data:`DISTANT_MIN_PEOPLE` young people link the same two authorities that
          do not border each other, and either they are at least
          :data:`DISTANT_MIN_SHARE` of its young people whose links cross authorities,
          or at least :data:`DISTANT_MIN_PEOPLE` of them link that pair by exploitation
          records at one place far away (CSE, CCE or missing episodes) or by exploiter
          ties: a county-lines pattern, not scattered visits); ``unknown`` without
          boundaries. A link is a
          member seen at one of the context's places (own or shared) in another
          authority than their home, a tie between members homed apart, or an
          exploiter tie between members, which links each to the context's places
          where the other was recorded for exploitation (the line holder to the
          flat his runners work from).
          ``max_distance_km``: the longest link, between authority centroids;
          ``distant_people``: the most young people linking one pair of authorities
          that do not border each other, or recorded for exploitation at one address
          from authorities that do not border it.
        * ``n_ties``, ``exploiter_ties`` (ties between members), one column of
          sightings per abuse context and ``serious`` (sightings in
          :data:`SERIOUS_CONTEXTS` plus exploiter ties): every sighting of the
          context's young people in the window, wherever it was;
          ``outside_sightings``: how many of those were at places not in ``places``.
        * ``n_relocated``; ``first_date`` and ``last_date``: the first and last record
          at the context's places (own or shared) or between its young people.
        * The score's parts: ``harm`` and ``expected`` (observed and expected harm of
          the kinds that stand out), ``excess_ratio``, ``p_value`` and ``q_value``
          (one-sided), ``place_concern`` (what venues lend it: the largest venue
          concern, :func:`peermap.hotspots`, times ``place_share``, over the venues
          whose harmed or exploited young people it holds most of, among groups,
          averaged over all the runs as the excess is; 0 without any),
          ``place_share`` (1 when the context holds most of the young people that
          venue's excess rests on, harmed or exploited there; else the share of them
          it holds; with runs, its mean over them; NaN where
          ``place_concern`` is 0), ``lending_place`` (the ``place_id`` of that venue,
          in the grouping found; missing where none lends), ``excess_concern``
          (the excess weighed by its specificity, averaged over all the runs with 0
          where the context does not come out, times the reach factor),
          ``excess_weight`` (how much of it counts: 1; for a community cut from a
          larger component :func:`cut_weight` of its q-value, averaged over the runs
          (each run's group by its own q-value) when runs are made; for a group joined by
          exploiter ties that meet nowhere that or
          :data:`peermap.analysis.APART_WEIGHT`, the larger), ``concern``
          (``excess_weight * excess_concern``, or ``place_concern`` when that is
          higher; rows of equal concern are in order of ``excess_concern``),
          ``stability`` (share of the runs in which a context with at least half the
          same young people, Jaccard >= 0.5, comes out) and ``reasons`` (the score in
          words).
    """
    dataset_argument(ds, "contexts")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    _check_sizes(min_people, max_people, resolution, tie_weight)
    ds = _lookup.in_id_order(ds)
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
    inputs = ScoreInputs(ds, sightings, ties, max_people=max_people)
    # Set apart before the graph is split (docs/analysis.md): each venue that stands out
    # with the young people harmed there, then young people joined by exploiter ties.
    taken = np.zeros(n_people, dtype=bool)
    anchors = (
        venue_anchors(
            inputs.cores,
            inputs.wide,
            n_people=n_people,
            max_people=max_people,
            taken=taken,
            core=inputs.core,
        )
        if include_places
        else []
    )
    n_venue_anchors = len(anchors)
    ea, eb = inputs.exploiter_ends()
    anchors = exploiter_anchors(
        anchors, ea, eb, n_people=n_people, max_people=max_people, taken=taken
    )
    anchored = np.full(len(nodes), -1, dtype=np.int64)  # the group set apart of each node
    for k, anchor in enumerate(anchors):
        anchored[anchor] = k
    if anchors and include_places:  # without places in the graph no place joins a group
        placeless = np.arange(len(anchors)) >= n_venue_anchors
        anchors = meeting_places(
            anchors,
            anchored,
            placeless,
            (inputs.wide.person, inputs.wide.place),
            inputs.core,
            inputs.cores.met,
            inputs.cores.concern,
            (*record_positions(ds).sightings(sightings), sightings["date"].to_numpy()),
            n_people=n_people,
            max_people=max_people,
        )
        anchors = attach_places(
            anchors,
            anchored,
            placeless,
            (inputs.wide.person, inputs.wide.place),
            inputs.wide.weight @ _context_weights(),
            inputs.cores.resting,
            n_people=n_people,
        )
    if anchors:
        apart = (anchored[u] < 0) & (anchored[v] < 0)
        u, v, w = u[apart], v[apart], w[apart]
    graph = _graph_backends.build(name, len(nodes), u, v, w)
    components = [
        c
        for c in _graph_backends.components(name, graph)
        if not (len(c) == 1 and anchored[c[0]] >= 0)
    ]

    def small(nodes: npt.NDArray[np.int64]) -> bool:
        return max_people is None or int((nodes < n_people).sum()) <= max_people

    # Components small enough stay whole in every run; only the split ones vary.
    whole = [*anchors, *(c for c in components if small(c))]
    large = [c for c in components if not small(c)]

    n_split = sum(int((c < n_people).sum()) for c in large)
    if stability_runs is None:
        stability_runs = STABILITY_RUNS if n_split <= STABILITY_AUTO_MAX_PEOPLE else 1
    # Each large component is cut out of the graph once, for every run.
    subgraphs = _graph_backends.subgraphs(name, graph, large if stability_runs > 1 else [])

    def partition(run_seed: int) -> list[npt.NDArray[np.int64]]:
        split = _graph_backends.leiden(
            name,
            graph,
            resolution=resolution,
            seed=run_seed,
            subgraphs=subgraphs,
        )
        parts: list[npt.NDArray[np.int64]] = []
        for component in large:
            parts.extend(_split(split, component, small, n_people))
        return parts

    runs: list[npt.NDArray[np.int64]] = []
    if stability_runs > 1 and large:
        # Independent runs: each splits every large component from the top with its
        # own seed, so a context owes nothing to one seed's first cut.
        seeds = np.random.SeedSequence(seed).generate_state(stability_runs).tolist()
        runs = [label_of(partition(int(s)), len(nodes)) for s in seeds]
        split_parts = consensus(runs, u, v, w, n_people=n_people, max_people=max_people)
    else:
        split_parts = partition(seed)
    # A part is cut when the split divided its component (a component no split
    # improves on comes back whole: it is not one of many cuts).
    size_of = {int(c.min()): len(c) for c in large}
    cut_from = {int(g.min()) for g in split_parts if size_of.get(int(g.min())) != len(g)}
    groups = sorted([*whole, *split_parts], key=lambda g: int(g.min()))
    # A group set apart by exploiter ties none of which meets anywhere (no two young
    # people of a tie seen at one place within MEET_DAYS) rests on the ties alone: it
    # counts its own excess by how much that stands out, and at least APART_WEIGHT of
    # it (docs/analysis.md, "The concern score").
    met = np.zeros(n_people, dtype=bool)
    met[inputs.wide.person[inputs.cores.met]] = True
    unmet = {int(g.min()) for g in anchors[n_venue_anchors:] if not met[g[g < n_people]].any()}
    # The least weight of each group's own excess: 0 for a cut group, 1 (all of it)
    # for a group set apart or a whole component.
    least = [
        0.0 if int(g.min()) in cut_from else APART_WEIGHT if int(g.min()) in unmet else 1.0
        for g in groups
    ]
    table = _context_table(ds, groups, ties, sightings, min_people, runs, inputs, least)
    if stability_runs > 1 and not runs:
        table["stability"] = 1.0  # nothing to split: every context comes out whole
    first = ids(ds)[0].get_indexer(pd.Index([p[0] for p in table["people"]]))
    anchor_of = anchored[first] if len(table) else np.zeros(0, dtype=np.int64)
    # Venues are named in the reasons: the most concerning one a group was set apart
    # around, and the one that lends it its concern (``lending_place``).
    place_ids = ds.places["place_id"].astype(str).to_numpy(dtype=object)
    kinds = dict(zip(place_ids, ds.places["kind"].astype(str), strict=True))
    standing = np.where(inputs.cores.q_value <= ANCHOR_Q, inputs.cores.concern, -1.0)
    lead = [
        str(place_ids[v[np.argmax(standing[v])]])
        for v in (a[a >= n_people] - n_people for a in anchors[:n_venue_anchors])
    ]
    table["reasons"] = pd.Series(
        [
            context_reasons(
                row,
                around="venue" if 0 <= a < n_venue_anchors else "exploiter" if a >= 0 else "",
                venue=lead[a] if 0 <= a < n_venue_anchors else None,
                kinds=kinds,
            )
            for row, a in zip(table.itertuples(index=False), anchor_of.tolist(), strict=True)
        ],
        index=table.index,
        dtype=object,
    )
    return table


def _check_sizes(
    min_people: int, max_people: int | None, resolution: float, tie_weight: float
) -> None:
    """Refuse sizes and weights :func:`contexts` cannot mean."""

    def whole(value: object) -> bool:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)

    if not whole(min_people) or min_people < 1:
        raise ArgumentError(f"min_people={min_people!r}; expected a whole number, 1 or more")
    if max_people is not None and (not whole(max_people) or max_people < 2):
        raise ArgumentError(
            f"max_people={max_people!r}; expected None (never split) or a whole number, "
            "2 or more: the most young people a context holds before it is split"
        )
    for name, value, least in (
        ("resolution", resolution, "above 0"),
        ("tie_weight", tie_weight, "0 or more"),
    ):
        ok = isinstance(value, numbers.Real) and math.isfinite(value)
        if not ok or (value <= 0 if name == "resolution" else value < 0):
            raise ArgumentError(f"{name}={value!r}; expected a number {least}")


def _split(
    communities: _graph_backends.Partition,
    nodes: npt.NDArray[np.int64],
    small: Callable[[npt.NDArray[np.int64]], bool],
    n_people: int,
) -> list[npt.NDArray[np.int64]]:
    """Split sorted ``nodes`` into communities until every part is ``small``.

    Modularity has a resolution limit: on a large graph its communities grow with the
    graph, so a community still too large is split again on its own subgraph. A split
    that finds at most one group of two or more young people, the rest alone, or that
    leaves most of the young people alone, is not made (nodes below ``n_people`` are
    young people, the others places).
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
        parts = np.split(current[order], bounds)
        people = [int((part < n_people).sum()) for part in parts]
        alone = sum(n for n in people if n < 2)
        if sum(n >= 2 for n in people) <= 1 or 2 * alone > sum(people):
            # The split falls apart into young people alone, but for one group at most
            # (a clique, or one older young person and the dozens he exploits, at a
            # high resolution), or for a few small groups around places with most of
            # them left alone (a clique of 60 who share three places: three groups of
            # three, 51 alone): there are no smaller groups in it, and the young people
            # left alone would be dropped as too few to be a context. It stays whole,
            # above max_people, rather than vanish.
            out.append(current)
            continue
        stack.extend(parts)
    return sorted(out, key=lambda part: int(part.min()))


def _context_table(
    ds: Dataset,
    groups: list[npt.NDArray[np.int64]],
    ties: pd.DataFrame,
    sightings: pd.DataFrame,
    min_people: int,
    runs: list[npt.NDArray[np.int64]],
    inputs: ScoreInputs,
    least: list[float],
) -> pd.DataFrame:
    coded = record_positions(ds)
    home = _lookup.home(ds)
    place_auth = (
        _lookup.place_authority(ds) if "authority_code" in ds.places else pd.Series(dtype=object)
    )
    relocated = set(ds.relocations["person_id"])
    people_index, place_index = ids(ds)
    n_people, n_places = len(people_index), len(place_index)
    people_ids = people_index.to_numpy(dtype=object)
    place_ids = place_index.to_numpy(dtype=object)
    person_ctx = np.full(n_people, -1, dtype=np.intp)
    place_ctx = np.full(n_places, -1, dtype=np.intp)
    kept: list[tuple[list[str], list[str]]] = []
    kept_least: list[float] = []
    for group, group_least in zip(groups, least, strict=True):
        nodes = np.asarray(group, dtype=np.intp)
        people_at = nodes[nodes < n_people]
        if len(people_at) < min_people:
            continue
        places_at = nodes[nodes >= n_people] - n_people
        kept_least.append(group_least)
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
    who, where = coded.sightings(sightings)
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
    a_at, b_at = coded.ties(ties)
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
    score = context_score(ds, sightings, ties, (person_ctx, place_ctx), n_ctx, runs, inputs=inputs)
    # Links: members seen at the context's places (own or shared) away from home, and
    # ties between members homed apart.
    homes = home.reindex(people_index).to_numpy(dtype=object)
    auths = (  # an online place links its members to their usual home authority
        _lookup.reach_authority(ds).reindex(place_index).to_numpy(dtype=object)
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
    # An exploiter tie between members also links each end to the places where the
    # other was recorded for exploitation: the line holder at home in one authority
    # and the address his runners are exploited at in another are one route.
    is_ex = t_frame["kind"].to_numpy(dtype=object) == "exploiter"
    ex_a, ex_b, ex_ctx = a_at[inside][is_ex], b_at[inside][is_ex], a_ctx[inside][is_ex]
    ends = pd.DataFrame(
        {
            "ctx": np.concatenate([ex_ctx, ex_ctx]),
            "holder": np.concatenate([ex_a, ex_b]),
            "person": np.concatenate([ex_b, ex_a]),
        }
    )
    exploited_at = linked[linked["context"].isin(EXPLOITATION_CONTEXTS).to_numpy()]
    routes = ends.merge(
        exploited_at[["ctx", "person", "place"]].drop_duplicates(), on=["ctx", "person"]
    )
    holders = routes["holder"].to_numpy(dtype=np.intp)
    stand_in = online_stand_in(ds, place_index, linked, homes)
    linked_b = standing_authority(stand_in, linked, auths)
    routes_b = standing_authority(stand_in, routes, auths)
    links = pd.concat(
        [
            pd.DataFrame(
                {
                    "ctx": routes["ctx"].to_numpy(dtype=np.int64),
                    "person": holders,
                    "a": homes[holders],
                    "b": routes_b,
                    "exploitation": np.ones(len(routes), dtype=bool),
                    "place": routes["place"].to_numpy(dtype=np.int64),
                }
            ),
            pd.DataFrame(
                {
                    "ctx": linked["ctx"].to_numpy(),
                    "person": linked["person"].to_numpy(),
                    "a": homes[linked["person"].to_numpy()],
                    "b": linked_b,
                    "exploitation": linked["context"].isin(EXPLOITATION_CONTEXTS).to_numpy(),
                    "place": linked["place"].to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "ctx": a_ctx[inside],
                    "person": visitor,
                    "a": homes[a_at[inside]],
                    "b": homes[b_at[inside]],
                    "exploitation": (t_frame["kind"] == "exploiter").to_numpy(),
                    "place": np.full(int(inside.sum()), -1),
                }
            ),
        ],
        ignore_index=True,
    )
    links = links[links["a"].notna().to_numpy() & links["b"].notna().to_numpy()]
    reach, far_km, distant_people = reach_of(links, n_ctx, authority_graph_of(ds))
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
        homes_i = {home_of[p] for p in people if p in home_of}
        auths_i = homes_i | {auth_of[p] for p in (*places, *shared.get(i, [])) if p in auth_of}
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
                "n_home_authorities": len(homes_i),
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
        "n_home_authorities",
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
        *SCORE_COLUMNS[:-2],
        "excess_concern",
        "excess_weight",
        *SCORE_COLUMNS[-2:],
    ]
    if not rows:
        dtypes: dict[str, Any] = {"spans_authorities": bool, "max_distance_km": float}
        dtypes |= {c: "datetime64[ns]" for c in ("first_date", "last_date")}
        counted = ["context_id", "n_people", "n_places", "n_authorities", "n_ties"]
        counted += ["n_home_authorities"]
        counted += ["exploiter_ties", *CONTEXTS, "serious", "n_relocated", "distant_people"]
        counted += ["outside_sightings"]
        dtypes |= {c: int for c in counted}
        scored = (*SCORE_COLUMNS, "excess_concern", "excess_weight")
        dtypes |= {c: float for c in scored if c not in ("harm_kinds", "lending_place")}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})
    table = pd.DataFrame(rows)
    table = pd.concat([table, score.reset_index(drop=True)], axis=1)
    reach_factor = ranking.reach_factor(table["reach"].to_numpy())
    table["excess_concern"] = table["concern"] * reach_factor + 0.0  # no -0.0
    # A context the community method cut from a larger network is one of many cuts of
    # the same records, drawn along links that harm weighs: its excess counts by how
    # much it stands out (cut_weight), and where it does not its places speak for it.
    # Every context is at least as concerning as the most concerning venue that lends
    # to it (the group holding most of those its excess rests on): harm
    # concentrated at its hotel counts even when some of those harmed there were
    # grouped with their friends (place_concern, in a share for a venue that does not
    # stand out).
    # With community runs the weight is averaged over them as the excess is (each run's
    # group by its own q-value, weighed by its score): one grouping's q-value moves
    # with a young person or two where the mean over forty does not.
    run_weight = table.pop("run_weight").to_numpy(dtype=float)
    weight = np.where(np.isnan(run_weight), cut_weight(table["q_value"].to_numpy()), run_weight)
    table["excess_weight"] = np.maximum(weight, np.asarray(kept_least, dtype=float))
    table["concern"] = np.maximum(
        table["excess_weight"] * table["excess_concern"], table["place_concern"]
    )
    table["first_person"] = [r["people"][0] for r in rows]
    table = table.sort_values(
        ["concern", "excess_concern", "n_authorities", "serious", "n_people", "first_person"],
        ascending=[False, False, False, False, False, True],
        kind="stable",
    ).drop(columns="first_person")
    table.insert(0, "context_id", np.arange(1, len(table) + 1))
    table["first_date"] = pd.to_datetime(table["first_date"]).astype("datetime64[ns]")
    table["last_date"] = pd.to_datetime(table["last_date"]).astype("datetime64[ns]")
    return table.reset_index(drop=True)[columns]
