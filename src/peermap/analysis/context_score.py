"""The concern score of contexts, from their young people's records and exploiter ties.

:func:`context_score` scores the contexts :func:`peermap.contexts` found (before the
reach factor, which needs their links). Where the contexts come from a consensus of
several community runs, a context's score is its mean over the runs, 0 in those in
which it does not come out, so that one young person whom a seed happened to put in or
out does not decide its place in the list, and a grouping only some runs make ranks
below one that every run makes. See ``docs/analysis.md`` ("The concern score" and
"Consensus and stability").
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import ranking
from peermap._kernels import (
    VenueCores,
    WidePairs,
    exploiter_visits,
    pair_table,
    place_baseline,
    record_positions,
    record_sums,
    venue_cores,
    wide_pairs,
)
from peermap._while_missing import missing_visits
from peermap.analysis.anchors import ANCHOR_Q, ATTACH_SHARE
from peermap.analysis.consensus import RunMatch, run_matches
from peermap.dataset import Dataset

__all__ = [
    "APART_WEIGHT",
    "CUT_Q",
    "CUT_SPAN",
    "SCORE_COLUMNS",
    "ScoreInputs",
    "context_score",
    "cut_weight",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: A context that the community method cut from a larger network counts its own
#: excess of harm by how much it stands out: in full at a q-value (Benjamini-Hochberg
#: over all contexts) of ``CUT_Q / CUT_SPAN`` or less, half at ``CUT_Q``, not at all
#: at ``CUT_Q * CUT_SPAN`` or more, and between by the logarithm of q
#: (:func:`cut_weight`; ``docs/analysis.md``, "The concern score"). Contexts set apart
#: and whole components always count it in full.
CUT_Q = 0.05
#: How far either side of :data:`CUT_Q` (a factor) the weight of a cut group's own
#: excess runs from 1 to 0.
CUT_SPAN = 5.0
#: A context set apart by exploiter ties none of which meets anywhere (no two young
#: people of a tie seen at one place within :data:`peermap.ranking.MEET_DAYS` of each
#: other) counts its own excess as a cut group does, by how much it stands out
#: (:func:`cut_weight`), but at least this share of it: the ties are records an
#: agency made, not harm that a cut gathered, yet nothing places their young people
#: together. Half, as a venue's excess that rests on one young person counts half
#: (:func:`peermap.ranking.breadth`).
APART_WEIGHT = 0.5

#: Columns of :func:`context_score`, in the order of the contexts table.
SCORE_COLUMNS = (
    "harm_kinds",
    "harm",
    "expected",
    "excess_ratio",
    "p_value",
    "q_value",
    "place_concern",
    "place_share",
    "lending_place",
    "concern",
    "stability",
)


def cut_weight(q_value: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Weight of the own excess of a group cut from a larger network, by its q-value.

    1 at ``CUT_Q / CUT_SPAN`` or below, 0.5 at :data:`CUT_Q`, 0 at
    ``CUT_Q * CUT_SPAN`` or above, and between by the logarithm of q: the weight
    follows the evidence smoothly, so a q-value that a different seed moves a little
    moves the group's concern a little, not from full to nothing. A missing q-value
    weighs 0.

    Parameters
    ----------
    q_value : array_like
        Benjamini-Hochberg q-values of the groups' excess.

    Returns
    -------
    numpy.ndarray
        The weights, from 0 to 1.
    """
    q = np.asarray(q_value, dtype=np.float64)
    low, high = CUT_Q / CUT_SPAN, CUT_Q * CUT_SPAN
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.log(high / q) / math.log(high / low)
    result: npt.NDArray[np.float64] = np.where(np.isnan(q), 0.0, np.clip(weight, 0.0, 1.0))
    return result


class ScoreInputs:
    """The records a context's score is computed from, prepared once for any grouping.

    Attributes
    ----------
    wide : WidePairs
        Records per young person and place, by kind of harm.
    base : ranking.Baseline
        Each pair's observed and expected harm (:func:`peermap.ranking.baseline`).
    cores : VenueCores
        Each place's venue concern (:func:`peermap.hotspots`) and q-value, and the pairs
        its excess rests on.
    core : numpy.ndarray
        Mask over the pairs of ``wide``: the young people each place's excess rests on
        (``cores.resting``), except at a place that stands out (q-value at most
        :data:`~peermap.analysis.ANCHOR_Q`) where they are more than ``max_people``
        and two or more of them are in exploiter ties that meet there: there, those
        two or more (:func:`_core`).
    """

    def __init__(
        self,
        ds: Dataset,
        sightings: pd.DataFrame,
        ties: pd.DataFrame,
        *,
        max_people: int | None = None,
    ) -> None:
        coded = record_positions(ds)
        who, where = coded.sightings(sightings)
        pairs = pair_table(who, where, sightings["context"], record_sums(sightings))
        self.wide = wide_pairs(pairs, len(ds.places))
        self.base = place_baseline(ds, self.wide)
        visits = exploiter_visits(ds, sightings)
        away = missing_visits(who, where, sightings)
        self.cores = venue_cores(ds, self.wide, visits, away, ties, base=self.base)
        self.core = _core(self.cores, self.wide.place, len(ds.places), max_people)
        self.exploiter = _Exploiter(ties, coded.ties(ties))

    def place_concern(
        self, person_ctx: npt.NDArray[np.intp], place_ctx: npt.NDArray[np.intp], n_ctx: int
    ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.intp]]:
        """Give each group what venues lend it: a venue concern, its share, and the venue.

        A venue lends to the group that holds most of the young people its excess rests
        on (harmed there, or in exploiter ties that meet there or are seen there
        together, when those stand out: :attr:`core`), the group that owns the venue
        first where two hold as many; to the group that owns it where none holds any.
        It lends its whole concern when that group holds most (more than
        :data:`~peermap.analysis.ATTACH_SHARE`) of them, otherwise in the share it
        holds, whether the venue stands out or not: a venue that stands out is set
        apart with them (:mod:`peermap.analysis.anchors`), so a group that owns it
        without them owns it because they were set apart with another venue, and ranks
        on theirs. A venue that does not stand out is owned by the group that community
        detection put it with, often that of its other visitors: a gym whose four
        exploited boys form a group of their own, and whose other visitors another,
        lends to the boys. Of the venues that lend to a group the one that lends the
        most counts. Returns that concern (0: none lends any), its share (NaN where
        the concern is 0) and that venue's position (-1 where none lends any).
        """
        n_places = len(self.cores.concern)
        rest = self.core
        person, place = self.wide.person[rest], self.wide.place[rest]
        total = np.bincount(place, minlength=n_places).astype(float)
        group = person_ctx[person]
        lender = _lender(place, group, place_ctx)
        theirs = np.bincount(
            place,
            weights=((group >= 0) & (group == lender[place])).astype(float),
            minlength=n_places,
        )
        share = np.ones(n_places)
        np.divide(theirs, total, out=share, where=total > 0)
        whole = share > ATTACH_SHARE
        share = np.where(whole, 1.0, share)
        concern = self.cores.concern * share
        out, out_share = np.zeros(n_ctx), np.full(n_ctx, np.nan)
        out_place = np.full(n_ctx, -1, dtype=np.intp)
        lends = np.flatnonzero((lender >= 0) & (concern > 0))
        if len(lends):
            # The most concerning venue of each group: sort by group, then concern from
            # the highest, and take each group's first.
            order = lends[np.lexsort((-concern[lends], lender[lends]))]
            _, first = np.unique(lender[order], return_index=True)
            best = order[first]
            out[lender[best]] = concern[best]
            out_share[lender[best]] = share[best]
            out_place[lender[best]] = best
        return out, out_share, out_place

    def exploiter_ends(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Give the two young people (positions, -1: unknown) of each exploiter tie."""
        tie = self.exploiter.x > 0
        return self.exploiter.a[tie], self.exploiter.b[tie]


def _lender(
    place: npt.NDArray[np.intp], group: npt.NDArray[np.intp], place_ctx: npt.NDArray[np.intp]
) -> npt.NDArray[np.intp]:
    """Give each place the group it lends its concern to (:meth:`ScoreInputs.place_concern`).

    ``place``, ``group``: per young person a place's excess rests on, the place and the
    young person's group (-1: none); ``place_ctx``: each place's own group (-1: none).
    The group holding most of them, the owner first among groups holding as many, then
    the lowest; the owner where no group holds any.
    """
    lender = place_ctx.copy()
    held = group >= 0
    if held.any():
        counts = (
            pd.DataFrame({"place": place[held], "group": group[held]})
            .value_counts()
            .rename("n")
            .reset_index()
        )
        where = counts["place"].to_numpy(dtype=np.intp)
        counts["own"] = place_ctx[where] == counts["group"].to_numpy()
        top = counts.sort_values(
            ["place", "n", "own", "group"], ascending=[True, False, False, True], kind="stable"
        ).drop_duplicates("place")
        lender[top["place"].to_numpy(dtype=np.intp)] = top["group"].to_numpy(dtype=np.intp)
    return lender


def context_score(
    ds: Dataset,
    sightings: pd.DataFrame,
    ties: pd.DataFrame,
    member_of: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    n_ctx: int,
    runs: list[IntArray] | None = None,
    *,
    inputs: ScoreInputs | None = None,
) -> pd.DataFrame:
    """Each context's score before reach: harm of its people, and its exploiter ties.

    ``member_of``: the context of each young person and of each place (-1: none), by
    position. Also the concern of each context's most concerning own place
    (:func:`peermap.hotspots`' venue concern, with the venue's reach), in full when the
    context holds most of the young people harmed or exploited there, else in the
    share of them it holds (``place_share``,
    :meth:`ScoreInputs.place_concern`; the own place that lends the most counts).

    With ``runs`` (labels per node of each community run, -1 for nodes no run split),
    ``concern`` is the mean over all the runs of the score of the run's group that is
    the context found again (:func:`peermap.analysis.consensus.run_matches`), 0 in a
    run in which it does not come out: its mean where it comes out times
    ``stability``, the share of runs in which it does. A context found in none counts
    as found once, with its own score. ``place_concern`` is averaged the same way (what
    venues lend the run's group in each run), and ``place_share`` with it, so
    that a group holding most of a venue's harmed young people in some runs and a few
    in others ranks between. Without runs, ``stability`` is ``NaN``.
    ``inputs``: the records prepared once (:class:`ScoreInputs`), when they are at hand.
    """
    person_ctx, place_ctx = member_of
    if inputs is None:
        inputs = ScoreInputs(ds, sightings, ties)
    wide, base, exploiter = inputs.wide, inputs.base, inputs.exploiter
    place_concern, place_share, lending = inputs.place_concern(person_ctx, place_ctx, n_ctx)
    result = _excess(person_ctx, n_ctx, wide, base, exploiter)
    concern = result.score
    stability = np.full(n_ctx, np.nan)
    run_weight = np.full(n_ctx, np.nan)
    if runs:
        total, found, lent = np.zeros(n_ctx), np.zeros(n_ctx), np.zeros(n_ctx)
        weighed = np.zeros(n_ctx)  # the run's score times the cut weight of its q-value
        for match in run_matches(
            np.asarray(person_ctx, dtype=np.int64),
            n_ctx,
            runs,
            np.asarray(place_ctx, dtype=np.int64),
        ):
            hit = match.found
            best = match.best[hit]
            scored = _excess(match.unit, match.n_units, wide, base, exploiter)
            total[hit] += scored.score[best]
            # How much of the run's group's excess counts, by its own q-value among the
            # run's groups (false discovery rate over the groups the run has).
            weighed[hit] += _run_cut_weight(match, scored.p_value)[best] * scored.score[best]
            # What venues lend the run's group, as for the contexts themselves.
            place_unit = cast(IntArray, match.place_unit)  # asked for above
            run_lent, _, _ = inputs.place_concern(match.unit, place_unit, match.n_units)
            lent[hit] += run_lent[best]
            found += hit
        # The mean over *all* runs, a run in which the context does not come out
        # counting 0 (a context found in none counts as found once, with its own
        # score): a grouping that only some seeds make ranks below one every seed
        # makes, and the field of middling contexts is not reshuffled by the few runs
        # in which one of them happened to come out with more harm. The same for what
        # its places lend it: a group that holds most of a venue's harmed young people
        # in some runs and a few in others ranks on the venue's concern in between.
        concern = np.where(found > 0, total, concern) / len(runs)
        mean_lent = np.where(found > 0, lent, place_concern) / len(runs)
        # Lent the same in every run: the same, not a rounding away from it.
        mean_lent = np.where(np.isclose(mean_lent, place_concern), place_concern, mean_lent)
        with np.errstate(divide="ignore", invalid="ignore"):
            # A share of those it holds: never above all of them (a group lent more in
            # some runs than by its own venue read "for the 642% of those harmed").
            place_share = np.minimum(
                np.where(place_concern > 0, place_share * mean_lent / place_concern, place_share),
                1.0,
            )
        place_concern = mean_lent
        stability = found / len(runs)
        with np.errstate(divide="ignore", invalid="ignore"):
            run_weight = np.where((found > 0) & (total > 0), weighed / total, np.nan)
    lending = np.where(place_concern > 0, lending, -1)
    place_ids = ds.places["place_id"].to_numpy(dtype=object)
    names = ranking.SCORED_KINDS
    weighted = result.statistic * _SEVERITY[None, :]
    standing = (weighted > 0) & (weighted >= 0.1 * result.score[:, None])
    return pd.DataFrame(
        {
            "harm_kinds": [[k for k, on in zip(names, row, strict=True) if on] for row in standing],
            "harm": (result.observed * standing).sum(axis=1),
            "expected": (result.expected * standing).sum(axis=1),
            "excess_ratio": result.ratio(standing),
            "p_value": result.p_value,
            "q_value": ranking.q_values(result.p_value),
            "place_concern": place_concern,
            "place_share": place_share,
            # The venue that lends it the most (in the grouping found; None: none lends).
            "lending_place": np.array(
                [None if i < 0 else str(place_ids[i]) for i in lending.tolist()], dtype=object
            ),
            "concern": concern,
            "stability": stability,
            "run_weight": run_weight,
        }
    )


def _run_cut_weight(match: RunMatch, p_value: FloatArray) -> FloatArray:
    """Give each group of one run the cut weight of its q-value (:func:`cut_weight`).

    The q-values are Benjamini-Hochberg over the run's groups that hold anyone (its
    parts of the components it split, and every other context whole), as those of the
    contexts are over the contexts.
    """
    held = np.bincount(match.unit[match.unit >= 0], minlength=match.n_units) > 0
    q = np.ones(match.n_units)
    q[held] = ranking.q_values(p_value[held])
    return cut_weight(q)


_SEVERITY = ranking.scored_severity()


def _core(
    cores: VenueCores, place: npt.NDArray[np.intp], n_places: int, max_people: int | None
) -> npt.NDArray[np.bool_]:
    """Mask the pairs each place's context rests on (:attr:`ScoreInputs.core`).

    A busy park where an exploiter meets his recruits stands out by the exploiter ties
    that meet there, among dozens with an ordinary serious record there: too many to
    set apart as one context, the recruits went into groups with their friends and the
    park's concern with them in small shares. Where the young people the excess of a
    place that stands out rests on are more than ``max_people``, its core is those in
    exploiter ties that meet there, when they are two or more: not those only seen
    there together with other young people in exploiter ties, who at a place that busy
    are many groups' members passing through, where the ties that meet mark the
    exploiter's own.
    """
    rest = cores.resting
    if max_people is None:
        return rest
    met = rest & cores.met
    # Only a venue that stands out (q-value at most ANCHOR_Q, as one set apart): at a
    # busy takeaway whose 46 young people recorded for CSE or CCE do not stand out
    # (q = 1), two whose ties meet there took its whole concern to their own group of
    # two, 5th of the contexts, though they are 2 of the 55 it rests on.
    stands = cores.q_value <= ANCHOR_Q
    narrow = (
        stands
        & (np.bincount(place[rest], minlength=n_places) > max_people)
        & (np.bincount(place[met], minlength=n_places) >= 2)
    )
    core: npt.NDArray[np.bool_] = rest & (~narrow[place] | met)
    return core


class _Exploiter:
    """Exploiter ties as one more kind of harm: their weights, rate and dispersion."""

    def __init__(self, ties: pd.DataFrame, ends: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]):
        weight = ranking.reliability_weight(ties["reliability"]) if len(ties) else np.zeros(0)
        is_exploiter = ties["kind"].to_numpy(dtype=object) == "exploiter"
        self.x = np.where(is_exploiter, weight, 0.0)
        self.rate = self.x.sum() / max(len(ties), 1)
        self.spread = ranking.dispersion(self.x)
        self.a, self.b = ends


def _excess(
    unit: npt.NDArray[np.intp] | IntArray,
    n_units: int,
    wide: WidePairs,
    base: ranking.Baseline,
    exploiter: _Exploiter,
) -> ranking.Excess:
    """Score the excess of harm of each unit (a group of young people: ``unit`` per person)."""
    unit = np.asarray(unit)
    observed = ranking.per_unit(unit[wide.person], n_units, base.observed)
    expected = ranking.per_unit(unit[wide.person], n_units, base.expected)
    # Each exploiter tie touching a unit counts once towards it.
    a_unit, b_unit = unit[exploiter.a], unit[exploiter.b]
    both = np.concatenate([a_unit, np.where(b_unit != a_unit, b_unit, -1)])
    xs = np.concatenate([exploiter.x, exploiter.x])
    ok = both >= 0
    obs_x = np.bincount(both[ok], weights=xs[ok], minlength=n_units)
    n_touch = np.bincount(both[ok], minlength=n_units)
    observed = np.column_stack([observed, obs_x])
    expected = np.column_stack([expected, n_touch * exploiter.rate])
    # Specific, as a venue's (one specificity: a group's exploiter ties are one kind
    # among its members' records; venues weigh two streams): a group is not concerning
    # because it is big. A crowd at 1.5 times the usual rate over hundreds of records
    # has more evidence than six young people at 4 times over a dozen, but the six are
    # where the harm is theirs.
    return ranking.excess(
        observed,
        expected,
        np.append(base.spread, exploiter.spread),
        severity=_SEVERITY,
        specific=True,
    )
