"""Contexts set apart before the graph is split: around hotspot venues and exploiter ties.

A trap house is a place and the young people exploited there; an older young person
and those they exploit are one context whatever peer groups they belong to. Community
detection groups young people by all their links, so at scale the victims of one hotel
were split among their friend groups, the exploiters cut off from them, and each piece
ranked on its own, differently with each seed. ``peermap.contexts`` therefore sets
apart, before it splits the graph:

1. every venue whose excess of harm stands out after false discovery rate control
   (q-value at most :data:`ANCHOR_Q`), with the young people its excess rests on
   (harmed there, or in exploiter ties that meet there or are seen there together,
   when those stand out: as ``hotspots()`` counts them), from the most concerning venue down
   (:func:`venue_anchors`; where those are more than ``max_people``, the two or more
   among them whose exploiter ties meet there; a venue most of whose young people were
   set apart with a more concerning one goes with them), with the remaining young people whose
   exploiter ties go mostly to its young people, two ties or more: the line holder who
   is never seen at his trap house;
2. then each connected group of the remaining young people joined by exploiter ties
   (:func:`exploiter_anchors`);
3. each such group with the places where its exploiter ties meet, and those harmed
   there (:func:`meeting_places`), then the other places that are theirs
   (:func:`attach_places`).

See ``docs/analysis.md`` ("Contexts set apart first").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap._kernels import VenueCores, WidePairs, visit_frame
from peermap.ranking import MEET_DAYS

__all__ = [
    "ANCHOR_Q",
    "ATTACH_SHARE",
    "MEETING_SHARE",
    "attach_places",
    "exploiter_anchors",
    "meeting_places",
    "venue_anchors",
]

IntArray = npt.NDArray[np.int64]

#: A venue sets its young people apart as a context when the q-value of its excess
#: (Benjamini-Hochberg over all places, as ``hotspots()`` reports it) is at most this.
ANCHOR_Q = 0.05


def venue_anchors(
    cores: VenueCores,
    wide: WidePairs,
    *,
    n_people: int,
    max_people: int | None,
    taken: npt.NDArray[np.bool_] | None = None,
    core: npt.NDArray[np.bool_] | None = None,
) -> list[IntArray]:
    """Contexts around the venues that stand out, as sorted node numbers.

    Node numbers are those of :func:`peermap.contexts`' graph: young people by position,
    then places (``n_people`` + the place's position). Venues are taken from the most
    concerning down; a young person already set apart with a more concerning venue stays
    there. A venue makes a context when at least two young people its excess rests on
    are left, and no more than ``max_people``: a venue whose excess rests on one young
    person is that young person's case, not a context. A venue most of whose young
    people (more than :data:`ATTACH_SHARE`) were set apart with one more concerning
    venue goes with them, with those it rests on who are left (while the group stays
    within ``max_people``): the group chat where a party flat's victims are groomed is
    the flat's context's, not a second context of the two of its members the flat did
    not take, ranking on a quarter of the chat's concern. ``core``: a mask over the pairs
    of ``wide``, who each venue's context rests on (default ``cores.resting``; see
    :attr:`peermap.analysis.context_score.ScoreInputs.core`).
    """
    standing = np.flatnonzero((cores.q_value <= ANCHOR_Q) & (cores.concern > 0))
    if not len(standing):
        return []
    rest = cores.resting if core is None else core
    person = wide.person[rest].astype(np.int64)
    place = wide.place[rest].astype(np.int64)
    order = np.argsort(place, kind="stable")
    person, place = person[order], place[order]
    starts = np.searchsorted(place, standing)
    ends = np.searchsorted(place, standing, side="right")
    taken = np.zeros(n_people, dtype=bool) if taken is None else taken
    owner = np.full(n_people, -1, dtype=np.int64)  # the venue group of each young person
    out: list[IntArray] = []
    for k in np.argsort(-cores.concern[standing], kind="stable").tolist():
        core_people = np.unique(person[starts[k] : ends[k]])
        people = core_people[~taken[core_people]]
        venue = n_people + int(standing[k])
        into = _their_group(owner[core_people])
        if into >= 0:
            # Most of the young people it rests on were set apart with a more concerning
            # venue: this one is theirs too, with those it rests on who are left.
            size = int((out[into] < n_people).sum()) + len(people)
            joining = people if max_people is None or size <= max_people else people[:0]
            taken[joining] = True
            owner[joining] = into
            out[into] = np.sort(np.concatenate([out[into], joining, [venue]]))
            continue
        if len(people) < 2 or (max_people is not None and len(people) > max_people):
            continue
        taken[people] = True
        owner[people] = len(out)
        out.append(np.append(people, venue))
    return out


def _their_group(owners: IntArray) -> int:
    """Find the venue group holding more than :data:`ATTACH_SHARE` of ``owners`` (-1: none)."""
    held = owners[owners >= 0]
    if not len(held):
        return -1
    groups, counts = np.unique(held, return_counts=True)
    best = int(np.argmax(counts))
    return int(groups[best]) if counts[best] > ATTACH_SHARE * len(owners) else -1


def exploiter_anchors(
    venue_groups: list[IntArray],
    a: npt.NDArray[np.intp],
    b: npt.NDArray[np.intp],
    *,
    n_people: int,
    max_people: int | None,
    taken: npt.NDArray[np.bool_],
) -> list[IntArray]:
    """Add line holders to the venue groups, then set apart groups joined by exploiter ties.

    ``a``, ``b``: positions of the two young people of each exploiter tie. First, a
    young person not ``taken`` joins the venue group holding most of the other
    ends of their exploiter ties when those are two or more and more than
    :data:`ATTACH_SHARE` of their exploiter ties (and the group stays within
    ``max_people``): an older young person recorded exploiting several of a trap
    house's victims belongs with them, though never seen at the hotel. Otherwise they
    were left to their own friends, whose group then ranked on exploiter ties that are
    the trap house's. Then each connected group of exploiter ties among the young people
    still not ``taken`` is a context: an older young person and those they exploit,
    whatever peer groups they are in. Groups larger than ``max_people`` are left to the
    split. Returns ``venue_groups`` (updated) followed by the new groups.
    """
    import scipy.sparse
    import scipy.sparse.csgraph

    ok = (a >= 0) & (b >= 0) & (a != b)
    a, b = a[ok].astype(np.int64), b[ok].astype(np.int64)
    out = _join_holders(venue_groups, a, b, n_people, max_people, taken)
    free = ~taken[a] & ~taken[b]
    a, b = a[free], b[free]
    if not len(a):
        return out
    links = scipy.sparse.coo_array(
        (np.ones(len(a), dtype=np.int8), (a, b)), shape=(n_people, n_people)
    )
    label = scipy.sparse.csgraph.connected_components(links, directed=False)[1]
    tied = np.unique(np.concatenate([a, b]))
    order = np.argsort(label[tied], kind="stable")
    cuts = np.flatnonzero(np.diff(label[tied][order])) + 1
    for group in np.split(tied[order], cuts):
        if len(group) >= 2 and (max_people is None or len(group) <= max_people):
            taken[group] = True
            out.append(np.sort(group))
    return out


def _join_holders(
    groups: list[IntArray],
    a: IntArray,
    b: IntArray,
    n_people: int,
    max_people: int | None,
    taken: npt.NDArray[np.bool_],
) -> list[IntArray]:
    """Bring into ``groups`` their line holders (see :func:`exploiter_anchors`)."""
    out = list(groups)
    if not out or not len(a):
        return out
    group = np.full(n_people, -1, dtype=np.int64)
    for k, nodes in enumerate(out):
        group[nodes[nodes < n_people]] = k
    # Each tie seen from both ends: (young person, the group of the other end).
    who = np.concatenate([a, b])
    other = np.concatenate([group[b], group[a]])
    free = ~taken[who]
    who, other = who[free], other[free]
    n_ties = np.bincount(who, minlength=n_people)
    into = other >= 0
    key, count = np.unique(who[into] * len(out) + other[into], return_counts=True)
    person, target = key // len(out), key % len(out)
    # The group holding most of each young person's ties (the first such on ties).
    order = np.lexsort((target, -count, person))
    person, target, count = person[order], target[order], count[order]
    first = np.ones(len(person), dtype=bool)
    first[1:] = person[1:] != person[:-1]
    person, target, count = person[first], target[first], count[first]
    joins = (count >= 2) & (count > ATTACH_SHARE * n_ties[person])
    for k in np.unique(target[joins]).tolist():
        new = person[joins & (target == k)]
        if max_people is not None and int((out[k] < n_people).sum()) + len(new) > max_people:
            continue
        taken[new] = True
        out[k] = np.sort(np.concatenate([out[k], new]))
    return out


def meeting_places(
    anchors: list[IntArray],
    anchored: IntArray,
    placeless: npt.NDArray[np.bool_],
    pairs: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    core: npt.NDArray[np.bool_],
    met: npt.NDArray[np.bool_],
    concern: npt.NDArray[np.float64],
    seen: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[Any]],
    *,
    n_people: int,
    max_people: int | None,
) -> list[IntArray]:
    """Give groups set apart by exploiter ties the places where those ties meet.

    A place not set apart goes to the group set apart by exploiter ties (``placeless``)
    that holds two or more, and more than :data:`ATTACH_SHARE`, of the young people its
    excess rests on whose exploiter ties meet there (``core`` and ``met``: masks over
    ``pairs``, as :class:`VenueCores` gives them), when those are at least
    :data:`MEETING_SHARE` of all it rests on, with the other young people its
    excess rests on who are not set apart and were seen there within
    :data:`~peermap.ranking.MEET_DAYS` of the group's young people, while the group
    stays within ``max_people``. An older young person and two he exploits, seen
    together at a flat where four more young people were recorded for sexual
    exploitation in the same weeks: the flat and the four are theirs, though the
    flat's records are too few or too soft to stand out after false discovery rate
    control. Otherwise the four went to their friend groups and the flat to one of
    them, and the flat's concern was lent in shares. A fast-food shop where the
    same ties meet among thirty young people with serious records there is not theirs
    (their meetings are a tenth of its harm), and at any place those harmed there in
    other months are not theirs. ``seen``: where and
    when young people were seen (positions of the young person and the place, and the
    date, of each record). Places are taken from the most
    concerning down (``concern``, per place); ``anchored`` (the group of each node,
    -1: none) is updated.
    """
    person = np.asarray(pairs[0], dtype=np.int64)
    place = np.asarray(pairs[1], dtype=np.int64)
    out = list(anchors)
    n_groups = len(out)
    free = core & (anchored[place + n_people] < 0)
    meets = free & met
    if not n_groups or not meets.any():
        return out
    group = anchored[person[meets]]
    where = place[meets]
    n_met = np.bincount(where, minlength=len(concern))
    ok = group >= 0
    ok[ok] = placeless[group[ok]]
    key, count = np.unique(where[ok] * n_groups + group[ok], return_counts=True)
    spot, owner = key // n_groups, key % n_groups
    n_core = np.bincount(place[core], minlength=len(concern))
    good = (
        (count >= 2)
        & (count > ATTACH_SHARE * n_met[spot])
        & (count >= MEETING_SHARE * n_core[spot])
    )
    spot, owner = spot[good], owner[good]  # more than half: one group per place
    order = np.lexsort((spot, -concern[spot]))
    mine = np.isin(seen[1], spot)
    here = visit_frame(seen[0][mine], seen[1][mine], seen[2][mine])
    for p, k in zip(spot[order].tolist(), owner[order].tolist(), strict=True):
        resting = np.unique(person[free & (place == p)])
        new = _same_weeks(resting[anchored[resting] < 0], out[k], here[here["place"] == p])
        if max_people is not None and int((out[k] < n_people).sum()) + len(new) > max_people:
            new = new[:0]
        anchored[new] = k
        anchored[n_people + p] = k
        out[k] = np.sort(np.concatenate([out[k], new, [n_people + p]]))
    return out


def _same_weeks(candidates: IntArray, group: IntArray, seen: pd.DataFrame) -> IntArray:
    """Those of ``candidates`` seen at a place within MEET_DAYS of someone of ``group``.

    ``seen``: the (``person``, ``place``, ``day``) visits of that one place.
    """
    theirs = np.sort(seen.loc[seen["person"].isin(group), "day"].to_numpy(dtype=np.int64))
    if not len(candidates) or not len(theirs):
        return candidates[:0]
    mine = seen[seen["person"].isin(candidates)]
    day = mine["day"].to_numpy(dtype=np.int64)
    near = np.searchsorted(theirs, day + MEET_DAYS, side="right") > np.searchsorted(
        theirs, day - MEET_DAYS, side="left"
    )
    return np.intersect1d(candidates, mine["person"].to_numpy(dtype=np.int64)[near])


def attach_places(
    anchors: list[IntArray],
    anchored: IntArray,
    placeless: npt.NDArray[np.bool_],
    pairs: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    weight: npt.NDArray[np.float64],
    resting: npt.NDArray[np.bool_],
    *,
    n_people: int,
) -> list[IntArray]:
    """Give the groups set apart the places that are theirs.

    ``anchored``: the group of each node (-1: none), updated. ``placeless``: per group,
    whether it was set apart without a place (by exploiter ties). ``pairs`` (young
    person, place: positions), ``weight`` and ``resting``: per pair its records,
    weighted as links are before they are normalised (by kind of harm and reliability),
    and whether the place's excess rests on that young person (:class:`VenueCores`).

    * A place that only young people set apart link to goes with the group that holds
      most of its records: it would otherwise be left alone, in no context.
    * A group set apart by exploiter ties also takes a place where it holds more than
      :data:`ATTACH_SHARE` of the records of the young people the place's excess rests
      on (or of all its records, when it rests on no one), two or more of them: a
      county line's flat, where its young people's exploitation records are most of the
      harm, is theirs even when others live there. Otherwise the flat was cut with
      whoever else was seen there, and that group ranked on the flat's concern.
    """
    node = np.asarray(pairs[1], dtype=np.int64) + n_people
    who = np.asarray(pairs[0], dtype=np.int64)
    free = anchored[node] < 0
    who, node, weight, resting = who[free], node[free], weight[free], resting[free]
    group = anchored[who]
    held = group >= 0
    if not held.any():
        return anchors
    n_nodes, n_groups = len(anchored), len(anchors)
    linked_free = np.bincount(node[~held], minlength=n_nodes) > 0
    rests_on = np.bincount(node[resting], minlength=n_nodes) > 0
    # What counts at each place: the records of the young people its excess rests on,
    # or, when it rests on no one, all its records.
    count = np.where(rests_on[node], resting * weight, weight)
    total = np.bincount(node, weights=count, minlength=n_nodes)
    key, inverse = np.unique(node[held] * n_groups + group[held], return_inverse=True)
    share = np.bincount(inverse, weights=count[held], minlength=len(key))
    records = np.bincount(inverse, weights=weight[held], minlength=len(key))
    harmed = np.bincount(inverse, weights=resting[held], minlength=len(key))
    node_of, group_of = key // n_groups, key % n_groups
    theirs = (
        placeless[group_of]
        & (share > ATTACH_SHARE * total[node_of])
        & ((harmed >= 2) | ~rests_on[node_of])
    )
    orphan = ~linked_free[node_of]
    chosen = np.flatnonzero(theirs | orphan)
    # One group per place: the one with the most of its records.
    chosen = chosen[np.lexsort((-records[chosen], node_of[chosen]))]
    first = np.ones(len(chosen), dtype=bool)
    first[1:] = node_of[chosen][1:] != node_of[chosen][:-1]
    nodes, groups = node_of[chosen][first], group_of[chosen][first]
    anchored[nodes] = groups
    out = list(anchors)
    for g in np.unique(groups).tolist():
        out[g] = np.sort(np.concatenate([out[g], nodes[groups == g]]))
    return out


#: Share of the young people a place's excess rests on that a group set apart by
#: exploiter ties must hold, among those whose exploiter ties meet there, for the place
#: and the others harmed there in the same weeks to go with it (:func:`meeting_places`):
#: a third. At a party flat three of the seven (an older young person and two he
#: exploits); at a busy shop or school where a tie meets, two or three of twenty or
#: thirty.
MEETING_SHARE = 1 / 3
#: Share of a place's harm (or records) a group set apart must hold for the place to go
#: with it (:func:`attach_places`): more than half, so each place goes to one group at
#: most. Also the share of a venue's harmed young people a context must hold to rank on
#: its whole concern when the venue does not stand out
#: (:meth:`peermap.analysis.context_score.ScoreInputs.place_concern`).
ATTACH_SHARE = 0.5
