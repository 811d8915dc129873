"""The concern score: how contexts and venues are ranked, and why.

Safeguarding practice weighs the *harm* recorded (exploitation and serious violence
ahead of bullying), how *reliable* the records are, how far a context *reaches* across
authorities, and whether the harm is *specific* to a place or a group rather than an
effect of how busy it is. A school that 600 young people pass through collects
incidental records of every kind; a hotel where twelve young people from four
authorities are recorded with sexual and criminal exploitation does not, and it is
the hotel an analyst must read first.

The score is one statistic for venues and contexts alike (``docs/analysis.md`` gives
the formula and the reasons at length):

1. **Records by kind of harm**, each counted by the weight of its reliability grade
   (:data:`RELIABILITY_WEIGHT`: an unverified record counts a quarter of a confirmed
   one). One young person's records of one kind at one place count at most
   :data:`PAIR_CAP` (repeated records of the same child at the same place are not
   independent evidence).
2. **Expected records**: each (young person, place) pair's number of records times
   the rate of that kind of harm usual at places of that kind. Venues whose own excess
   is significant against the other places of their kind are left out of that
   baseline, and a kind of place with few records is pulled towards the overall rate
   by :data:`BASELINE_PRIOR` records.
3. **Excess of each kind of harm**: Kulldorff's Poisson log-likelihood ratio of
   observed ``O`` over expected ``E``, ``O ln(O/E) - (O - E)`` when ``O > E`` (else
   0), divided by the dispersion of the reliability weights (a weighted count varies
   more than a plain one). The kinds of harm are summed weighted by their
   :data:`SEVERITY`, as Kulldorff's multivariate scan statistic sums the
   log-likelihood ratios of several data streams: a concentration of exploitation
   weighs five times one of bullying, and harm that is common everywhere adds nothing.
4. **Specificity**: that sum x the attributable fraction of the smoothed relative
   risk, ``1 - (E + a) / (O + a)`` over the kinds in excess
   (:data:`SPECIFICITY_PRIOR`): the share of the harm that a place's footfall, or a
   group's activity, does not explain, so a busy venue's or a large group's modest
   excess over many records does not outrank a small one where most of the harm is
   the excess. At a venue, its records of harm, its young people in exploiter ties
   (below) and its young people seen while missing are three streams of evidence, each
   weighed by its own specificity or the venue's, whichever is greater: ties that meet
   at a busy station at many times the usual share are not diluted by its ordinary
   records.
5. **Concern** = that x :data:`REACH_FACTOR` of the reach (``distant`` above
   ``neighbours`` above ``single``); for a venue also x :func:`breadth` (half when its
   excess rests on one young person). Venues count the young people whose exploiter
   tie meets there (both its young people seen there within :data:`MEET_DAYS` of each
   other: :func:`ties_met`; for an exploiter never seen with those he exploits, two of
   them seen there together: :func:`exploitation_met`), and contexts their exploiter
   ties, as one more kind of harm, of severity :data:`EXPLOITER_SEVERITY`. Venues also
   count the young people in exploiter ties seen there with another such young person
   within :data:`MEET_DAYS` whose own tie does not meet there (:func:`seen_together`),
   of severity :data:`TIED_SEVERITY`: records place exploited young people more often
   than those who exploit them; and the young people seen there within
   :data:`MISSING_DAYS` of a missing-episode record of theirs at another place, of
   severity :data:`MISSING_SEVERITY` (:mod:`peermap._while_missing`).

Each unit also gets a p-value (the smallest one-sided p of its kinds of harm,
Bonferroni-corrected for their number) and a Benjamini-Hochberg q-value across units.
Everything here works on integer positions and numpy arrays, so that the in-memory and
the dask engines share it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse
from scipy.special import erfc

from peermap.exceptions import ArgumentError, ValidationError
from peermap.schema import CONTEXTS, RELIABILITIES

__all__ = [
    "BASELINE_ALPHA",
    "BASELINE_PRIOR",
    "EXPLOITER_SEVERITY",
    "HARM_KINDS",
    "MEET_DAYS",
    "MISSING_DAYS",
    "MISSING_SEVERITY",
    "PAIR_CAP",
    "REACH_FACTOR",
    "RELIABILITY_WEIGHT",
    "SCORED_KINDS",
    "SEVERITY",
    "SHARED_EXPLOITER_WEIGHT",
    "SPECIFICITY_PRIOR",
    "TIED_SEVERITY",
    "VENUE_KINDS",
    "Baseline",
    "Excess",
    "baseline",
    "breadth",
    "dispersion",
    "excess",
    "exploitation_met",
    "footfall_expected",
    "per_unit",
    "q_values",
    "reach_factor",
    "reliability_weight",
    "scored_severity",
    "seen_together",
    "shared_exploiter",
    "ties_met",
    "venue_severity",
]

FloatArray = npt.NDArray[np.float64]
IntpArray = npt.NDArray[np.intp]

#: Severity of each kind of harm recorded (1 = exploitation). Sexual and criminal
#: exploitation and exploiter ties first; serious youth violence and harmful sexual
#: behaviour next; missing episodes (a recognised marker of exploitation), gang
#: association and relationship abuse after them; bullying and "other" last. Schema
#: 1.1's online contexts weigh as their offline counterparts: the sharing of explicit
#: images as harmful sexual behaviour, online harassment as bullying. A record weighs
#: by its context wherever it happened: exploitation in a group chat as at a hotel.
SEVERITY: Mapping[str, float] = {
    "cse": 1.0,
    "cce": 1.0,
    "serious_youth_violence": 0.6,
    "harmful_sexual_behaviour": 0.6,
    "missing_episode": 0.4,
    "gang_association": 0.3,
    "teenage_relationship_abuse": 0.3,
    "bullying": 0.1,
    "image_sharing": 0.6,
    "online_harassment": 0.1,
    "other": 0.05,
}
#: Severity of an exploiter tie (in contexts) and of one that meets at a venue: direct
#: evidence of exploitation.
EXPLOITER_SEVERITY = 1.0
#: Severity, at a venue, of the young people in exploiter ties seen there together (with
#: another young person in an exploiter tie, within :data:`MEET_DAYS`), their own ties
#: not meeting there: half that of a tie that meets there. Records often place the
#: young people known to be exploited but not those who exploit them (an adult never
#: recorded, a tie recorded only as "partner"), and several of them found at one small
#: place, more than its footfall explains, is where practice looks for the harm (a hotel
#: where girls reported missing are found, a flat where boys are found in a raid); that
#: they are exploited is known, that it happens here is evidenced at one remove.
TIED_SEVERITY = 0.5
#: The kinds of harm in the order of the score's columns (abuse contexts).
HARM_KINDS: tuple[str, ...] = CONTEXTS
#: The columns contexts are scored on: the kinds of harm, then exploiter links (a
#: context's exploiter ties; at a venue, young people whose exploiter tie meets there,
#: followed for venues by ``tied``: :data:`VENUE_KINDS`).
SCORED_KINDS: tuple[str, ...] = (*HARM_KINDS, "exploiter")
#: Severity, at a venue, of a young person seen there while missing (within
#: :data:`MISSING_DAYS` of a missing-episode record of theirs at another place): that of
#: the missing episode, recorded where they went missing from and placed where they were.
MISSING_SEVERITY = SEVERITY["missing_episode"]
#: Days from a missing-episode record within which a young person seen elsewhere is seen
#: while missing (records are dated when made: the day of the report or of the return).
MISSING_DAYS = 1
#: The columns venues are scored on: :data:`SCORED_KINDS` (``exploiter``: young people
#: whose exploiter tie meets there), ``tied``: young people in exploiter ties seen there
#: together (:data:`TIED_SEVERITY`), ``while_missing``: seen there while missing.
VENUE_KINDS: tuple[str, ...] = (*SCORED_KINDS, "tied", "while_missing")
#: Weight of a record by its reliability grade: an unverified record counts a quarter of
#: a confirmed one, so weak records inform the score without deciding it.
RELIABILITY_WEIGHT: Mapping[str, float] = {
    "unverified": 0.25,
    "reported": 0.5,
    "corroborated": 0.8,
    "confirmed": 1.0,
}
#: Most that one young person's records of one kind at one place can add (three
#: confirmed records): a child recorded twenty times at home is one child.
PAIR_CAP = 3.0
#: Records of prior weight that pull a kind of place's rates towards the overall rates.
BASELINE_PRIOR = 200.0
#: Venues whose excess is significant at this level (Bonferroni over kinds of harm)
#: are left out of the baseline they are judged against.
BASELINE_ALPHA = 0.001
#: Prior weight, in records, of "as usual" in the specificity of an excess (the
#: attributable fraction of the smoothed relative risk, ``1 - (E + a) / (O + a)``).
SPECIFICITY_PRIOR = 1.0
#: Days apart within which two young people in a tie, seen at the same place, were
#: there together: the tie *meets* there (:func:`ties_met`). Two months: a trap house's
#: exploiter and the young people he exploits are recorded there in the same weeks,
#: while two young people in a tie who both pass through a school or a station are
#: recorded there months apart.
MEET_DAYS = 60
#: Weight of two young people exploited by the same person, seen at one place within
#: :data:`MEET_DAYS` of each other, as a meeting there (:func:`shared_exploiter`), against
#: the weaker of their two exploiter ties: half, for the one who exploits them is not
#: seen there with them, and two of his victims together are evidence of the place at
#: one remove.
SHARED_EXPLOITER_WEIGHT = 0.5
#: Multiplier of the excess by reach across authorities.
REACH_FACTOR: Mapping[str, float] = {
    "single": 1.0,
    "unknown": 1.0,
    "neighbours": 1.5,
    "distant": 2.0,
}

if set(SEVERITY) != set(CONTEXTS) or set(RELIABILITY_WEIGHT) != set(RELIABILITIES):
    raise RuntimeError("peermap.ranking needs a weight for every context and grade")


def reliability_weight(reliability: pd.Series) -> FloatArray:
    """Weight of each record's reliability grade (:data:`RELIABILITY_WEIGHT`)."""
    if isinstance(reliability.dtype, pd.CategoricalDtype):  # the schema's dtype: its codes
        codes = reliability.cat.codes.to_numpy()
        uniques = reliability.cat.categories
    else:
        codes, uniques = pd.factorize(reliability.astype(str), use_na_sentinel=True)
    table = np.array([RELIABILITY_WEIGHT.get(str(u), np.nan) for u in uniques], dtype=float)
    if (codes < 0).any() or np.isnan(table[codes]).any():
        used = uniques[np.unique(codes[codes >= 0])]
        bad = [u for u in used if str(u) not in RELIABILITY_WEIGHT] or [None]
        raise ValidationError(f"reliability {bad[0]!r} has no weight in peermap.ranking")
    result: FloatArray = np.asarray(table[codes], dtype=np.float64)
    return result


def _severity() -> FloatArray:
    return np.array([SEVERITY[k] for k in HARM_KINDS], dtype=float)


def scored_severity() -> FloatArray:
    """Severity of each of :data:`SCORED_KINDS` (then :data:`EXPLOITER_SEVERITY`)."""
    return np.append(_severity(), EXPLOITER_SEVERITY)


def venue_severity() -> FloatArray:
    """Severity of each of :data:`VENUE_KINDS` (then tied and missing severities)."""
    return np.append(scored_severity(), [TIED_SEVERITY, MISSING_SEVERITY])


def dispersion(weights: FloatArray) -> float:
    """Give the dispersion of a weighted count relative to a Poisson count.

    ``sum(w**2) / sum(w)`` over the weights of what is counted (reliability weights, say),
    at least 1e-3; 1 when nothing is counted. As :attr:`Baseline.spread` is per kind of
    harm: a count of weights varies more than a plain count of as many.
    """
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    return max(1e-3, float((w * w).sum()) / total) if total > 0 else 1.0


def footfall_expected(observed: FloatArray, footfall: FloatArray) -> FloatArray:
    """Give the expected count per place: its footfall times the share usual among places.

    ``observed``: per place, a weighted count of young people (those whose exploiter tie
    meets there, say); ``footfall``: per place, its young people. The share is that of
    the places whose own share is not significant at :data:`BASELINE_ALPHA` (as
    :func:`baseline` leaves such places out of its rates: they must not set the bar
    they are judged against).
    """
    observed = np.asarray(observed, dtype=float)
    footfall = np.asarray(footfall, dtype=float)
    total = footfall.sum()
    share = observed.sum() / total if total > 0 else 0.0
    first = excess(observed[:, None], (footfall * share)[:, None], np.ones(1))
    keep = first.p_value > BASELINE_ALPHA
    if footfall[keep].sum() > 0:
        share = observed[keep].sum() / footfall[keep].sum()
    result: FloatArray = footfall * share
    return result


@dataclass(frozen=True)
class Baseline:
    """Observed and expected records of each kind of harm, per (person, place) pair.

    Attributes
    ----------
    observed, expected : numpy.ndarray
        Pairs x kinds of harm (:data:`HARM_KINDS`), reliability-weighted and capped at
        :data:`PAIR_CAP`.
    rate : numpy.ndarray
        Places x kinds of harm: the expected records per record seen there.
    spread : numpy.ndarray
        Per kind of harm: the dispersion of its weighted count relative to a Poisson
        count, ``sum(w**2) / sum(w)`` over its records.
    """

    observed: FloatArray
    expected: FloatArray
    rate: FloatArray
    spread: FloatArray


def baseline(
    records: FloatArray,
    weight: FloatArray,
    weight2: FloatArray,
    place: IntpArray,
    place_kind: IntpArray,
    n_places: int,
    online: npt.NDArray[np.bool_] | None = None,
) -> Baseline:
    """Judge each (person, place) pair against what is usual at places of its kind.

    Parameters
    ----------
    records : numpy.ndarray
        Per pair: its number of records (footfall).
    weight, weight2 : numpy.ndarray
        Pairs x kinds of harm: the sum of the records' reliability weights, and of
        their squares.
    place : numpy.ndarray
        Per pair: the place's position.
    place_kind : numpy.ndarray
        Per place: an integer code of its kind (one baseline per kind of place).
    n_places : int
        Number of places.
    online : numpy.ndarray, optional
        Per place: whether it is an online space. Online spaces are judged against
        online spaces and places on the ground against places on the ground: the
        first pass that leaves places which stand out out of the baseline, and the
        overall rates a kind's rates are pulled towards, are those of places of the
        same medium. Without it, one medium. Image sharing is a third of the records in
        a school's group chats and a few in a hundred on the ground: judged against
        all places, the busiest chats left their kind's baseline, and the chats left
        were pulled towards the rates on the ground, so every chat read many times
        "the rate usual" for a chat.

    Returns
    -------
    Baseline
        Observed and expected harm per pair.
    """
    n_kinds = len(HARM_KINDS)
    observed = np.minimum(PAIR_CAP, weight)
    total_w = weight.sum(axis=0)
    spread = np.where(total_w > 0, weight2.sum(axis=0) / np.where(total_w > 0, total_w, 1), 1.0)
    spread = np.maximum(spread, 1e-3)
    place_n = np.bincount(place, weights=records, minlength=n_places)
    if place_n.sum() == 0:
        zero = np.zeros_like(observed)
        return Baseline(observed, zero, np.zeros((n_places, n_kinds)), spread)
    place_w = per_unit(place, n_places, weight)
    medium = np.zeros(n_places, dtype=bool) if online is None else np.asarray(online, bool)
    # Pass 1: venues whose excess is significant leave the baseline (they must not set
    # the bar they are judged against). Each is judged against the other places of its
    # kind (its own records left out, so a trap house does not hide in the rate it sets),
    # pulled towards the rates of its medium by BASELINE_PRIOR records. A medium with few
    # records (a handful of group chats) is pulled towards the rates of all places by as
    # many, as a kind of place is. Against one rate for all places, a kind of place whose
    # usual harm differs (schools, where bullying and image sharing are recorded) left
    # the baseline whole, and the handful of its places left set its bar.
    rate0 = _medium_rates(
        medium, place_n, place_w, place_w.sum(axis=0) / place_n.sum(), prior=BASELINE_PRIOR
    )
    n_place_kinds = int(place_kind.max()) + 1 if len(place_kind) else 1
    all_kind_n = np.bincount(place_kind, weights=place_n, minlength=n_place_kinds)
    all_kind_w = per_unit(place_kind, n_place_kinds, place_w)
    others_n = all_kind_n[place_kind] - place_n
    others_w = np.maximum(all_kind_w[place_kind] - place_w, 0.0)
    rate1 = (others_w + BASELINE_PRIOR * rate0[medium.astype(np.intp)]) / (
        others_n[:, None] + BASELINE_PRIOR
    )
    first = excess(
        per_unit(place, n_places, observed),
        per_unit(place, n_places, np.minimum(PAIR_CAP, records[:, None] * rate1[place])),
        spread,
    )
    keep = first.p_value > BASELINE_ALPHA
    if not keep.any():
        keep[:] = True
    base_n, base_w = place_n * keep, place_w * keep[:, None]
    # What is left is pulled towards the rates of all places by BASELINE_PRIOR records,
    # as a kind of place is: beside thousands of ordinary records the pull is nothing,
    # but where the places left are a handful (a partnership's list of cases, all harm)
    # they would set the bar alone: the hotel and the takeaway left by a park and a
    # school that stand out made CSE "usual", and a kind recorded only where it stands
    # out had a usual rate of 0, so anything was infinitely above it.
    overall = _medium_rates(medium, base_n, base_w, rate0, prior=BASELINE_PRIOR)
    # Pass 2: rates per kind of place, shrunk towards the overall rates.
    kind_n = np.bincount(place_kind, weights=base_n, minlength=n_place_kinds)
    kind_w = per_unit(place_kind, n_place_kinds, base_w)
    # Each kind of place's medium: that of its places (a kind is online or not).
    kind_medium = np.zeros(n_place_kinds, dtype=np.intp)
    kind_medium[place_kind] = medium
    kind_rate = (kind_w + BASELINE_PRIOR * overall[kind_medium]) / (
        kind_n[:, None] + BASELINE_PRIOR
    )
    rate = kind_rate[place_kind] if len(place_kind) else np.zeros((0, n_kinds))
    expected = np.minimum(PAIR_CAP, records[:, None] * rate[place])
    return Baseline(observed, expected, rate, spread)


def _medium_rates(
    medium: npt.NDArray[np.bool_],
    n: npt.NDArray[Any],
    w: FloatArray,
    fallback: FloatArray,
    *,
    prior: float = 0.0,
) -> FloatArray:
    """Give the rate of each kind of harm on the ground (row 0) and online (row 1).

    ``n``, ``w``: per place, its records and weighted harm (places x kinds). Each
    medium's rate is pulled towards ``fallback`` (its row, when it has two) by
    ``prior`` records; a medium without records takes ``fallback``.
    """
    fall = np.broadcast_to(fallback, (2, w.shape[1])) if fallback.ndim == 1 else fallback
    out = np.array(fall, dtype=float)
    for m in (0, 1):
        here = medium == bool(m)
        total = float(n[here].sum())
        if total > 0:
            out[m] = (w[here].sum(axis=0) + prior * fall[m]) / (total + prior)
    return out


def per_unit(unit: IntpArray, n_units: int, values: FloatArray) -> FloatArray:
    """Sum rows of ``values`` (items x columns) into ``n_units`` units (``-1``: none)."""
    rows = np.asarray(values, dtype=float)
    n_columns = rows.shape[1]
    if n_columns == 0:
        return np.zeros((n_units, 0))
    # A sparse units x items indicator times the dense values: one pass in C over the
    # items, whatever the number of columns (a bincount per cell of a flattened
    # (unit, column) index costs ten times more at 400,000 items).
    unit = np.asarray(unit)
    mine = np.flatnonzero(unit >= 0)
    indicator = scipy.sparse.csr_array(
        (np.ones(len(mine)), (unit[mine], mine)), shape=(n_units, len(rows))
    )
    result: FloatArray = np.asarray(indicator @ rows, dtype=np.float64).reshape(n_units, n_columns)
    return result


@dataclass(frozen=True)
class Excess:
    """Excess of observed over expected harm, per unit (venue or context) and kind.

    Attributes
    ----------
    observed, expected : numpy.ndarray
        Units x kinds of harm.
    statistic : numpy.ndarray
        Units x kinds: Kulldorff's Poisson log-likelihood ratio over the dispersion of
        the kind (0 without excess).
    specificity : numpy.ndarray
        Units x kinds: the attributable fraction of the smoothed relative risk,
        ``1 - (E + a) / (O + a)`` with ``a`` = :data:`SPECIFICITY_PRIOR` (0 without
        excess): the share of the harm recorded that is beyond what the unit's
        footfall explains, shrunk when there are few records.
    score : numpy.ndarray
        Per unit: the statistics summed, weighted by severity (and, when asked, by the
        unit's specificity; with streams of evidence, each stream's sum by the greater
        of its own specificity and the unit's).
    p_value : numpy.ndarray
        Per unit: the smallest one-sided p of its kinds of harm (chi-square
        approximation with one degree of freedom, halved), times the number of kinds
        (Bonferroni), at most 1.
    leading : numpy.ndarray
        Per unit: the kind of harm that adds most to the score (an index).
    """

    observed: FloatArray
    expected: FloatArray
    statistic: FloatArray
    specificity: FloatArray
    score: FloatArray
    p_value: FloatArray
    leading: IntpArray

    def ratio(self, kinds: npt.NDArray[np.bool_] | None = None) -> FloatArray:
        """Observed over expected records, summed over ``kinds`` (default the leading)."""
        if kinds is None:
            rows = np.arange(len(self.leading))
            o = self.observed[rows, self.leading]
            e = self.expected[rows, self.leading]
        else:
            o = (self.observed * kinds).sum(axis=1)
            e = (self.expected * kinds).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = np.where(e > 0, o / e, np.where(o > 0, np.inf, 0.0))
        return result


def excess(
    observed: FloatArray,
    expected: FloatArray,
    spread: FloatArray,
    severity: FloatArray | None = None,
    *,
    specific: bool = False,
    streams: IntpArray | None = None,
) -> Excess:
    """Kulldorff's Poisson log-likelihood ratio of ``observed`` over ``expected`` harm.

    Parameters
    ----------
    observed, expected : numpy.ndarray
        Units x kinds of harm; an ``expected`` of 0 is floored at 1e-9.
    spread : numpy.ndarray
        Per kind: the dispersion of its weighted count (see :class:`Baseline`).
    severity : numpy.ndarray, optional
        Per kind: its severity (default :data:`SEVERITY` of :data:`HARM_KINDS`).
    specific : bool, default False
        Weigh the score by the unit's specificity (each stream's, with ``streams``):
        the attributable fraction of the smoothed relative risk, ``1 - (E + a) / (O +
        a)``, over the kinds in excess weighted by severity (see
        :attr:`Excess.specificity` for each kind's own).
        The log-likelihood ratio grows with the evidence, so a busy unit with a
        modest excess (1.25 times the usual rate over hundreds of records) would
        otherwise outrank a small one where most of the harm is the excess (4 times
        the usual rate over a dozen records). The product ranks by evidence *and* by
        how specific the harm is to the unit.
    streams : numpy.ndarray, optional
        Per kind: the stream of evidence it belongs to (an integer; default one stream).
        With ``specific``, each stream's statistics are weighed by the specificity of
        the stream's own kinds in excess, or by that of all the kinds in excess where
        that is greater (:func:`_stream_specificity`). At a venue the records of harm
        are one stream and the young people in exploiter ties that meet there or are
        seen there together another: a busy station's modest excess of ordinary
        records does not dilute ties that meet there at many times the usual share,
        and a small place whose records and ties both stand out pays the prior once.

    Returns
    -------
    Excess
        The statistics, the score, p-values and the leading kind per unit.
    """
    if streams is not None and not specific:
        raise ArgumentError("streams weigh specificity: pass specific=True with them")
    sev = _severity() if severity is None else np.asarray(severity, dtype=float)
    o = np.asarray(observed, dtype=float)
    e = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = np.where(o > e, o * np.log(np.where(o > 0, o / e, 1.0)) - (o - e), 0.0)
    statistic = llr / np.asarray(spread, dtype=float)[None, :]
    # The attributable fraction of the smoothed relative risk (O + a) / (E + a): a Gamma
    # prior centred on "as usual" with the weight of SPECIFICITY_PRIOR records (Clayton
    # and Kaldor 1987), so one record where a tenth was expected is not "specific".
    a = SPECIFICITY_PRIOR
    up = o > e
    specificity = np.where(up, 1.0 - (e + a) / (o + a), 0.0)
    weighted = statistic * sev[None, :]
    score = weighted.sum(axis=1)
    if specific:
        # One specificity per unit, over the kinds in excess weighted by severity: harm
        # spread over several kinds is no less specific than harm of one kind. With
        # streams of evidence, one per stream, never below the unit's.
        stream = np.zeros(o.shape[1], np.intp) if streams is None else _streams(streams, o)
        o_up = np.where(up, o, 0.0) * sev[None, :]
        e_up = np.where(up, e, 0.0) * sev[None, :]
        score = _stream_specificity(o_up, e_up, stream, weighted)
    # Never below zero, nor -0.0 (a lone venue's concern printed "-0.0" in a report).
    score = np.where(score < 0, 0.0, score) + 0.0
    # P(chi2 with 1 df > 2T) = erfc(sqrt(T)); halved for the one-sided test.
    p_kind = np.where(statistic > 0, 0.5 * erfc(np.sqrt(np.maximum(statistic, 0.0))), 1.0)
    p = np.minimum(1.0, p_kind.min(axis=1, initial=1.0) * o.shape[1]) if o.size else np.ones(len(o))
    leading = np.argmax(weighted, axis=1).astype(np.intp) if o.size else np.zeros(len(o), np.intp)
    return Excess(
        np.asarray(observed, dtype=float),
        np.asarray(expected, dtype=float),
        statistic,
        specificity,
        score,
        p,
        leading,
    )


def _streams(streams: IntpArray, o: FloatArray) -> IntpArray:
    """Check ``streams`` (one integer per kind of ``o``'s columns) and return it."""
    stream = np.asarray(streams)
    if stream.shape != (o.shape[1],) or not np.issubdtype(stream.dtype, np.integer):
        raise ArgumentError(
            f"streams: expected {o.shape[1]} integers, one per kind; got shape "
            f"{stream.shape} of {stream.dtype}"
        )
    return stream.astype(np.intp)


def _stream_specificity(
    o_up: FloatArray, e_up: FloatArray, stream: IntpArray, weighted: FloatArray
) -> FloatArray:
    """Sum each stream's weighted statistics times its specificity (see :func:`excess`).

    ``o_up``, ``e_up``: units x kinds, observed and expected harm of the kinds in
    excess, weighted by severity (0 elsewhere). A stream's specificity is the
    attributable fraction over its own kinds, or over all kinds where that is greater:
    the prior weight of "as usual" (:data:`SPECIFICITY_PRIOR`) is paid once per unit,
    not once per stream. With one stream, the score times the specificity of all the
    kinds in excess.
    """
    a = SPECIFICITY_PRIOR

    def fraction(o_sum: FloatArray, e_sum: FloatArray) -> FloatArray:
        result: FloatArray = np.where(o_sum > e_sum, 1.0 - (e_sum + a) / (o_sum + a), 0.0)
        return result

    pooled = fraction(o_up.sum(axis=1), e_up.sum(axis=1))
    ids = np.unique(stream)
    if len(ids) <= 1:
        one: FloatArray = weighted.sum(axis=1) * pooled
        return one
    score = np.zeros(len(o_up))
    for s in ids:
        own = (stream == s)[None, :]
        mine = fraction(np.where(own, o_up, 0.0).sum(axis=1), np.where(own, e_up, 0.0).sum(axis=1))
        score = score + np.where(own, weighted, 0.0).sum(axis=1) * np.maximum(mine, pooled)
    return score


def q_values(p: FloatArray) -> FloatArray:
    """Benjamini-Hochberg q-values (false discovery rate) of p-values.

    The q-value of the i-th smallest of m p-values is the smallest ``p_(j) m / j`` over
    ``j >= i``, at most 1 (the step-up procedure of Benjamini and Hochberg, 1995, as
    ``scipy.stats.false_discovery_control`` computes it).
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return np.zeros(0)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(q, 1.0)
    return result


def ties_met(
    person: IntpArray,
    place: IntpArray,
    day: IntpArray,
    a: IntpArray,
    b: IntpArray,
    weight: FloatArray,
    *,
    within_days: int = MEET_DAYS,
) -> pd.DataFrame:
    """Where each young person's ties meet: both young people seen there, at the same time.

    A tie *meets* at a place where both its young people are seen within
    ``within_days`` days of each other (:data:`MEET_DAYS`). Seen there months apart,
    two young people in a tie were not there together: at a school or a station that
    both pass through all year, their records there would make every busy place a
    meeting place. A tie one of whose young people is seen nowhere (or is not in the
    dataset: a position of -1) meets nowhere: nothing says where they meet.

    Parameters
    ----------
    person, place, day : numpy.ndarray
        Where and when young people are seen: positions of the young person and the
        place, and the day (any integer day number) of each record; repeats are fine.
    a, b : numpy.ndarray
        Positions of each tie's two young people (-1: not in the dataset).
    weight : numpy.ndarray
        Each tie's weight (its reliability weight, say).
    within_days : int, default :data:`MEET_DAYS`
        How many days apart the two may be seen at the place.

    Returns
    -------
    pandas.DataFrame
        One row per (``person``, ``place``) where one of the person's ties meets, with
        ``weight``: the largest weight of those ties; sorted by person, then place.
    """
    empty = pd.DataFrame(
        {"person": np.zeros(0, np.intp), "place": np.zeros(0, np.intp), "weight": np.zeros(0)}
    )
    a, b = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
    known = (a >= 0) & (b >= 0) & (a != b)
    if not len(person) or not known.any():
        return empty
    w = np.asarray(weight, dtype=np.float64)[known]
    # Each tie both ways: (me, the other, weight).
    ends = pd.DataFrame(
        {
            "person": np.concatenate([a[known], b[known]]),
            "other": np.concatenate([b[known], a[known]]),
            "weight": np.concatenate([w, w]),
        }
    )
    seen = pd.DataFrame(
        {
            "person": np.asarray(person, dtype=np.intp),
            "place": np.asarray(place, dtype=np.intp),
            "day": np.asarray(day, dtype=np.int64),
        }
    ).drop_duplicates()
    seen = seen[seen["person"].isin(ends["person"])]
    mine = ends.merge(seen, on="person")
    theirs = seen.rename(columns={"person": "other", "day": "their_day"})
    both = mine.merge(theirs, on=["other", "place"])
    together = (both["day"] - both["their_day"]).abs() <= within_days
    met = both.loc[together.to_numpy(), ["person", "place", "weight"]]
    if met.empty:
        return empty
    return _strongest(met)


def seen_together(
    person: IntpArray,
    place: IntpArray,
    day: IntpArray,
    *,
    within_days: int = MEET_DAYS,
) -> pd.DataFrame:
    """Where each young person is seen with another of those given, at the same time.

    Of the records given (those of young people in exploiter ties, say), the
    (``person``, ``place``) pairs where another young person is seen at the same place
    within ``within_days`` days (:data:`MEET_DAYS`), as :func:`ties_met` judges a
    meeting, whatever ties the two are in.

    Parameters
    ----------
    person, place, day : numpy.ndarray
        Where and when young people are seen: positions of the young person and the
        place, and the day (any integer day number) of each record; repeats are fine.
    within_days : int, default :data:`MEET_DAYS`
        How many days apart the two may be seen at the place.

    Returns
    -------
    pandas.DataFrame
        One row per (``person``, ``place``), sorted by person, then place.
    """
    seen = pd.DataFrame(
        {
            "person": np.asarray(person, dtype=np.intp),
            "place": np.asarray(place, dtype=np.intp),
            "day": np.asarray(day, dtype=np.int64),
        }
    ).drop_duplicates()
    seen = seen.sort_values(["place", "day", "person"], kind="stable").reset_index(drop=True)
    who = seen["person"].to_numpy()
    where = seen["place"].to_numpy()
    when = seen["day"].to_numpy()
    n = len(seen)
    if n < 2:
        return pd.DataFrame({"person": np.zeros(0, np.intp), "place": np.zeros(0, np.intp)})
    # Rows of one place in order of day: runs of one young person's consecutive rows. The
    # nearest record of someone else before a row is the row before its run, after it the
    # row after its run (every row between is the same young person's).
    starts = np.ones(n, dtype=bool)
    starts[1:] = (who[1:] != who[:-1]) | (where[1:] != where[:-1])
    run = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.append(first[1:], n) - 1
    before = first[run] - 1
    after = last[run] + 1
    far = np.iinfo(np.int64).max
    ok_before = before >= 0
    gap_before = np.full(n, far)
    gap_before[ok_before] = np.where(
        where[before[ok_before]] == where[ok_before],
        when[ok_before] - when[before[ok_before]],
        far,
    )
    ok_after = after < n
    gap_after = np.full(n, far)
    gap_after[ok_after] = np.where(
        where[after[ok_after]] == where[ok_after],
        when[after[ok_after]] - when[ok_after],
        far,
    )
    together = np.minimum(gap_before, gap_after) <= within_days
    out = seen.loc[together, ["person", "place"]].drop_duplicates()
    result: pd.DataFrame = out.sort_values(["person", "place"], kind="stable")
    return result.reset_index(drop=True)


def _strongest(met: pd.DataFrame) -> pd.DataFrame:
    """Keep the largest ``weight`` of each (``person``, ``place``), sorted by both."""
    out = met.groupby(["person", "place"], sort=True)["weight"].max().reset_index()
    return out.astype({"person": np.intp, "place": np.intp, "weight": np.float64})


def shared_exploiter(
    exploiter: IntpArray, exploited: IntpArray, weight: FloatArray
) -> tuple[IntpArray, IntpArray, FloatArray]:
    """Pair the young people exploited by the same person: ties of their own, for :func:`ties_met`.

    Two young people in exploiter ties to one exploiter who are seen at the same place
    in the same weeks meet there, as his tie with each of them would, at
    :data:`SHARED_EXPLOITER_WEIGHT` of its weight: the exploiter
    himself is often never recorded there (an adult coach, a car wash's owner, a
    "boyfriend" the police know only by name), while the children he exploits are.

    Parameters
    ----------
    exploiter, exploited : numpy.ndarray
        Positions of each exploiter tie's two young people (``person_a`` exploits
        ``person_b``; -1: not in the dataset).
    weight : numpy.ndarray
        Each tie's weight (its reliability weight).

    Returns
    -------
    tuple of numpy.ndarray
        ``(a, b, weight)``: one row per pair of young people exploited by the same
        person, weighted by :data:`SHARED_EXPLOITER_WEIGHT` times the weaker of their
        two ties.
    """
    ties = pd.DataFrame(
        {
            "by": np.asarray(exploiter, dtype=np.intp),
            "who": np.asarray(exploited, dtype=np.intp),
            "weight": np.asarray(weight, dtype=np.float64),
        }
    )
    ties = ties[(ties["by"] >= 0) & (ties["who"] >= 0) & (ties["by"] != ties["who"])]
    ties = ties.groupby(["by", "who"], sort=False)["weight"].max().reset_index()
    ties = ties[ties.groupby("by")["who"].transform("size").to_numpy() > 1]
    pairs = ties.merge(ties, on="by", suffixes=("", "_2"))
    pairs = pairs[pairs["who"].to_numpy() < pairs["who_2"].to_numpy()]
    return (
        pairs["who"].to_numpy(dtype=np.intp),
        pairs["who_2"].to_numpy(dtype=np.intp),
        SHARED_EXPLOITER_WEIGHT
        * np.minimum(pairs["weight"].to_numpy(), pairs["weight_2"].to_numpy()),
    )


def exploitation_met(
    person: IntpArray,
    place: IntpArray,
    day: IntpArray,
    exploiter: IntpArray,
    exploited: IntpArray,
    weight: FloatArray,
    *,
    within_days: int = MEET_DAYS,
) -> pd.DataFrame:
    """Where exploiter ties meet, standing in for an exploiter never seen with his victims.

    An exploiter tie meets where its two young people are seen together
    (:func:`ties_met`). One who exploits young people but is never seen with any of them
    (an adult the records about children do not place: a coach, a car wash's owner)
    leaves his ties meeting nowhere; where two of those he exploits are seen together
    stands in for him (:func:`shared_exploiter`, at :data:`SHARED_EXPLOITER_WEIGHT`). One
    seen somewhere with someone he is tied to by exploitation (one of his exploiter ties
    meets, whichever its side) is not stood in for: the records place him, where he
    meets them is the place, and his victims' shared school or bus station is not.

    Parameters
    ----------
    person, place, day : numpy.ndarray
        Where and when young people are seen, as :func:`ties_met` takes them.
    exploiter, exploited : numpy.ndarray
        Positions of each exploiter tie's two young people (``person_a`` exploits
        ``person_b``; -1: not in the dataset).
    weight : numpy.ndarray
        Each tie's weight (its reliability weight).
    within_days : int, default :data:`MEET_DAYS`
        How many days apart two young people may be seen at a place to meet there.

    Returns
    -------
    pandas.DataFrame
        As :func:`ties_met`: one row per (``person``, ``place``) where one of the
        person's exploiter ties meets, or where they meet another young person their
        unseen exploiter exploits, with the largest ``weight``; sorted by person, then
        place.
    """
    exploiter = np.asarray(exploiter, dtype=np.intp)
    exploited = np.asarray(exploited, dtype=np.intp)
    weight = np.asarray(weight, dtype=np.float64)
    direct = ties_met(person, place, day, exploiter, exploited, weight, within_days=within_days)
    unseen = ~np.isin(exploiter, direct["person"].to_numpy())
    pairs = shared_exploiter(exploiter[unseen], exploited[unseen], weight[unseen])
    shared = ties_met(person, place, day, *pairs, within_days=within_days)
    if shared.empty:
        return direct
    return _strongest(pd.concat([direct, shared], ignore_index=True))


def breadth(people: IntpArray | FloatArray) -> FloatArray:
    """Weight of a venue's excess by how many different young people it rests on.

    Half for a venue whose excess rests on one young person (their records there, or
    their exploiter tie), 1 for two or more, 0 for none. One child's harm at a place is
    first that child's own case: their repeated records are capped by
    :data:`PAIR_CAP`, but the few records expected at a quiet address make even one
    child's stand out, and a list of such addresses would bury the places where
    several children are harmed. Only the first child is discounted, so a hotel where
    four children were exploited is not ranked below a school where forty were
    recorded because it has fewer.
    """
    n = np.asarray(people, dtype=float)
    result: FloatArray = np.clip(n, 0.0, 2.0) / 2.0
    return result


def reach_factor(reach: Sequence[str] | npt.NDArray[np.object_]) -> FloatArray:
    """Multiplier of :data:`REACH_FACTOR` for each reach label."""
    return np.array([REACH_FACTOR.get(str(r), 1.0) for r in reach], dtype=float)
