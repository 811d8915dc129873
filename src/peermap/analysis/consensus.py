"""Consensus of several community runs, and how each context fares in them.

``peermap.contexts`` splits large components with the Leiden method several times,
each run with its own seed; :func:`consensus` combines the runs into one partition that
no seed decides, and :func:`run_matches` finds each context again in every run, for its
``stability`` and for its concern averaged over the runs. See ``docs/analysis.md``
("Consensus and stability").
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse
import scipy.sparse.csgraph

__all__ = [
    "CONSENSUS_SHARE",
    "JOIN_TOLERANCE",
    "STABILITY_AUTO_MAX_PEOPLE",
    "STABILITY_JACCARD",
    "STABILITY_RUNS",
    "RunMatch",
    "consensus",
    "label_of",
    "run_matches",
]

IntArray = npt.NDArray[np.int64]


def label_of(parts: list[IntArray], n_nodes: int) -> IntArray:
    """One run's partition as a label per node (-1 for nodes it did not split)."""
    label = np.full(n_nodes, -1, dtype=np.int64)
    for j, part in enumerate(parts):
        label[part] = j
    return label


#: Mean share of runs in which the linked nodes of two groups must have shared a
#: community (more than this) for the consensus to join the groups: clearly more than
#: half, since a share near one half is what a seed decides. 0.7 kept the top of the
#: list as steady but left a three-person county line and an exploiter's pair out of
#: the groups they belong to (``docs/analysis.md``).
CONSENSUS_SHARE = 0.6


def consensus(
    runs: list[IntArray],
    u: IntArray,
    v: IntArray,
    w: npt.NDArray[np.float64],
    *,
    n_people: int,
    max_people: int | None,
) -> list[IntArray]:
    """Combine several partitions (labels per node) into one that no seed decides.

    Consensus clustering (Lancichinetti and Fortunato, 2012) by **average linkage** on
    the links of the graph: each link's share is the share of runs in which its two
    nodes shared a community; nodes together in every run start as one group, and the
    two linked groups whose links have the highest mean share are joined, again and
    again, while that mean exceeds :data:`CONSENSUS_SHARE` and the joined group has at
    most ``max_people`` young people (nodes ``< n_people``). A mean over all the links
    between two groups decides each join, not one link (single linkage, components of
    the links kept, chains groups through one pair that a seed happened to put
    together), so the result settles as runs are added, whatever the seed. A node left
    alone then joins the linked group it shared most runs with (by link weight when
    none), size permitting. Only nodes of split components (label >= 0) take part.
    """
    label = np.stack(runs)
    taking = label[0] >= 0
    inside = taking[u] & taking[v] & (u != v)
    uu, vv, ww = u[inside], v[inside], w[inside]
    share = (label[:, uu] == label[:, vv]).mean(axis=0) if len(uu) else np.zeros(0)
    n_nodes = label.shape[1]
    always = share >= 1.0
    together = scipy.sparse.coo_array(
        (np.ones(int(always.sum()), dtype=np.int8), (uu[always], vv[always])),
        shape=(n_nodes, n_nodes),
    )
    group = scipy.sparse.csgraph.connected_components(together, directed=False)[1]
    group = group.astype(np.int64)
    nodes = np.flatnonzero(taking)
    n_groups = int(group.max()) + 1 if n_nodes else 0
    people = np.bincount(group[nodes[nodes < n_people]], minlength=n_groups).tolist()
    # Links between groups: the sum and number of their shares, per pair of groups.
    ga, gb = group[uu], group[vv]
    apart = ga != gb
    lo, hi = np.minimum(ga, gb)[apart], np.maximum(ga, gb)[apart]
    key, inverse = np.unique(lo * n_groups + hi, return_inverse=True)
    sums = np.bincount(inverse, weights=share[apart], minlength=len(key))
    counts = np.bincount(inverse, minlength=len(key)).astype(float)
    weights = np.bincount(inverse, weights=ww[apart], minlength=len(key))
    adjacent: dict[int, dict[int, list[float]]] = {int(g): {} for g in np.unique(group[nodes])}
    ends = zip((key // n_groups).tolist(), (key % n_groups).tolist(), strict=True)
    for (a, b), s, c, wt in zip(
        ends, sums.tolist(), counts.tolist(), weights.tolist(), strict=True
    ):
        link = [s, c, wt]
        adjacent[a][b] = link
        adjacent[b][a] = link
    limit = float("inf") if max_people is None else max_people
    sizes = np.bincount(group[nodes], minlength=n_groups).tolist()
    final = np.full(n_groups, -1, dtype=np.int64)
    person_nodes = nodes[nodes < n_people]
    members = _Members(label[:, :n_people], group[person_nodes], person_nodes, n_groups)
    for j, joined in enumerate(_join(adjacent, people, sizes, limit, members)):
        final[joined] = j
    at = final[group[nodes]]
    order = np.argsort(at, kind="stable")
    bounds = np.flatnonzero(np.diff(at[order])) + 1
    parts = np.split(nodes[order], bounds) if len(nodes) else []
    return sorted((np.sort(p) for p in parts), key=lambda p: int(p[0]))


class _Members:
    """The young people of each group, and in what share of the runs a group comes out."""

    def __init__(
        self, label: IntArray, start: IntArray, person_nodes: IntArray, n_groups: int
    ) -> None:
        self.label = label  # runs x young people
        order = np.argsort(start, kind="stable")
        cuts = np.searchsorted(start[order], np.arange(n_groups + 1))
        self.people: dict[int, IntArray] = {
            g: person_nodes[order[cuts[g] : cuts[g + 1]]]
            for g in range(n_groups)
            if cuts[g + 1] > cuts[g]
        }
        # Young people per community of each run (label -1: not split, no community),
        # one row per run.
        width = int(label.max()) + 2 if label.size else 1
        self.width = width
        self.size = (
            np.stack([np.bincount(row[row >= 0], minlength=width) for row in label])
            if len(label)
            else np.zeros((0, width), dtype=np.int64)
        )
        self.share: dict[int, float] = {}

    def comes_out(self, nodes: IntArray) -> float:
        """Share of runs with a community of Jaccard >= STABILITY_JACCARD to ``nodes``."""
        n_runs = len(self.label)
        if not len(nodes) or not n_runs:
            return 1.0
        at = self.label[:, nodes]
        run = np.broadcast_to(np.arange(n_runs)[:, None], at.shape)
        ok = at >= 0
        key, common = np.unique(run[ok] * self.width + at[ok], return_counts=True)
        rows, community = key // self.width, key % self.width
        jaccard = common / (len(nodes) + self.size[rows, community] - common)
        best = np.zeros(n_runs)
        np.maximum.at(best, rows, jaccard)
        return float((best >= STABILITY_JACCARD).mean())

    def of(self, g: int) -> float:
        """:meth:`comes_out` of group ``g``, remembered."""
        if g not in self.share:
            self.share[g] = self.comes_out(self.people.get(g, np.zeros(0, dtype=np.int64)))
        return self.share[g]

    def join(self, a: int, b: int) -> float:
        """:meth:`comes_out` of ``a`` and ``b`` together (not remembered)."""
        none = np.zeros(0, dtype=np.int64)
        nodes = np.concatenate([self.people.get(a, none), self.people.get(b, none)])
        return self.comes_out(nodes)

    def merge(self, a: int, b: int, share: float) -> None:
        """Group ``b`` has joined ``a``; their share of runs is ``share``."""
        none = np.zeros(0, dtype=np.int64)
        self.people[a] = np.concatenate([self.people.get(a, none), self.people.pop(b, none)])
        self.share[a] = share
        self.share.pop(b, None)


def _join(
    adjacent: dict[int, dict[int, list[float]]],
    people: list[int],
    sizes: list[int],
    limit: float,
    members: _Members,
) -> list[list[int]]:
    """Average-linkage joins of groups (``people`` and ``sizes`` in nodes, per group).

    A join is made only if the joined group comes out in the runs (a community of
    Jaccard >= :data:`STABILITY_JACCARD`) nearly as often as the steadier of the two,
    within :data:`JOIN_TOLERANCE`: links shared in most runs can chain blocks that
    the runs put together only inside a larger community, into a group no run makes.
    Returns the starting groups of each final group.
    """
    heap = [
        (-x[0] / x[1], a, b) for a, links in adjacent.items() for b, x in links.items() if a < b
    ]
    heapq.heapify(heap)
    joined: dict[int, list[int]] = {a: [a] for a in adjacent}

    def merge(a: int, b: int) -> tuple[int, int]:
        """Join groups ``a`` and ``b`` into the one with more links, its links summed.

        Returns the group kept and the group joined to it.
        """
        if len(adjacent[a]) < len(adjacent[b]):
            a, b = b, a
        for c, (s, n, wt) in adjacent.pop(b).items():
            if c == a:
                continue
            del adjacent[c][b]
            mine = adjacent[a].get(c)
            if mine is None:
                mine = adjacent[a][c] = [s, n, wt]
            else:
                mine[0] += s
                mine[1] += n
                mine[2] += wt
            adjacent[c][a] = mine
            heapq.heappush(heap, (-mine[0] / mine[1], min(a, c), max(a, c)))
        del adjacent[a][b]
        people[a] += people[b]
        sizes[a] += sizes[b]
        joined[a] += joined.pop(b)
        return a, b

    while heap:
        mean, a, b = heapq.heappop(heap)
        if -mean <= CONSENSUS_SHARE:
            break
        link = adjacent.get(a, {}).get(b)
        if link is None or link[0] / link[1] != -mean or people[a] + people[b] > limit:
            continue  # stale: one of the two has since been joined to another group
        if people[a] and people[b]:
            together = members.join(a, b)
            if together < max(members.of(a), members.of(b)) - JOIN_TOLERANCE:
                continue
        else:
            together = members.of(a) if people[a] else members.of(b)
        members.merge(*merge(a, b), together)

    # A node left alone joins the group it shared most runs with (by link weight when
    # it shared none: at a high resolution a small group's members can come out alone
    # in every run). Each chooses among the groups as the joins above left them, so
    # the order in which lone nodes are taken does not matter.
    lone = [a for a in joined if sizes[a] == 1]
    choice: dict[int, int] = {}
    for a in lone:
        near = [(x[0] / x[1], x[2], -b, b) for b, x in adjacent[a].items() if sizes[b] > 1]
        if not near:
            continue
        b = max(near)[3]
        if people[a] and people[b] and members.join(a, b) < members.of(b) - JOIN_TOLERANCE:
            continue  # joining them would make a group the runs do not make
        choice[a] = b
    for a, b in choice.items():
        if people[a] + people[b] <= limit:
            joined[b] += joined.pop(a)
            people[b] += people[a]
    return list(joined.values())


#: How much less often than the steadier of two groups their join may come out in the
#: runs (a share of the runs) for the consensus to make it (:func:`consensus`).
JOIN_TOLERANCE = 0.1


#: Runs of the community method for the consensus, ``stability`` and the run-averaged
#: concern, by default: forty runs of two Leiden iterations, about twice what ten runs
#: iterated to convergence cost (twenty cost the same, and leave the top 10 of the demo
#: region less steady across seeds: ``docs/analysis.md``).
STABILITY_RUNS = 40


#: Above this many young people in components to split, ``contexts()`` makes one run
#: unless ``stability_runs`` asks for more (the runs' cost grows with the graph).
STABILITY_AUTO_MAX_PEOPLE = 20_000


#: Jaccard similarity of young people from which a context counts as found again.
STABILITY_JACCARD = 0.5


@dataclass(frozen=True)
class RunMatch:
    """Each context found again in one run.

    Attributes
    ----------
    unit : numpy.ndarray
        Per young person, their group in this run: the run's community, or, for young
        people of components that were not split, ``n_units - n_contexts`` plus their
        context (-1: in neither).
    n_units : int
        Number of groups ``unit`` can name.
    best : numpy.ndarray
        Per context, the group of this run with the highest Jaccard similarity of young
        people (-1 when no member has a group).
    jaccard : numpy.ndarray
        Per context, that similarity.
    place_unit : numpy.ndarray or None
        Per place, its group in this run, numbered as ``unit`` (when
        :func:`run_matches` was given the places' contexts).
    """

    unit: IntArray
    n_units: int
    best: IntArray
    jaccard: npt.NDArray[np.float64]
    place_unit: IntArray | None = None

    @property
    def found(self) -> npt.NDArray[np.bool_]:
        """Contexts that come out in this run (Jaccard >= :data:`STABILITY_JACCARD`)."""
        found: npt.NDArray[np.bool_] = self.jaccard >= STABILITY_JACCARD
        return found


def run_matches(
    person_ctx: IntArray,
    n_ctx: int,
    runs: list[IntArray],
    place_ctx: IntArray | None = None,
) -> list[RunMatch]:
    """Find each context (``person_ctx``: context per young person, -1 none) in each run.

    A context cut from a component that was not split is its own group in every run, so
    it comes out whole each time. ``stability`` is the share of runs in which a context
    comes out (:attr:`RunMatch.found`). ``place_ctx``: the context of each place (-1
    none), for :attr:`RunMatch.place_unit` (runs label places after young people).
    """
    n_people = len(person_ctx)
    members = person_ctx >= 0
    size = np.bincount(person_ctx[members], minlength=n_ctx)
    out: list[RunMatch] = []
    for run in runs:
        label = run[:n_people]
        split = label >= 0
        offset = int(run.max()) + 1 if len(run) and run.max() >= 0 else 0
        unit = np.where(split, label, np.where(members, offset + person_ctx, -1))
        place_unit = None
        if place_ctx is not None:
            on = run[n_people:] if len(run) > n_people else np.full(len(place_ctx), -1)
            place_unit = np.where(on >= 0, on, np.where(place_ctx >= 0, offset + place_ctx, -1))
        n_units = offset + n_ctx
        unit_size = np.bincount(unit[unit >= 0], minlength=n_units)
        ok = members & (unit >= 0)
        key, common = np.unique(person_ctx[ok] * n_units + unit[ok], return_counts=True)
        rows, groups = key // n_units, key % n_units
        jaccard = common / (size[rows] + unit_size[groups] - common)
        order = np.argsort(jaccard, kind="stable")  # the best written last
        best = np.full(n_ctx, -1, dtype=np.int64)
        top = np.zeros(n_ctx)
        best[rows[order]] = groups[order]
        top[rows[order]] = jaccard[order]
        out.append(RunMatch(unit.astype(np.int64), n_units, best, top, place_unit))
    return out
