"""Linking CLKs: candidate pairs by blocking and Dice similarity, then a one-to-one solution.

**Version 3 CLKs** (what :func:`~peermap.encode_identities` writes) carry field
segments besides the record filter (:mod:`peermap.linkage.fields`): candidate pairs
come from the record filters (from the Dice score :data:`CANDIDATE_THRESHOLD`), are
weighed field by field (:mod:`peermap.linkage.evidence`: Fellegi-Sunter weights, the
twins rule, doubtful pairs), and a one-to-one solution takes them heaviest evidence
first; matches are its pairs from the match probability :data:`DEFAULT_PROBABILITY`
that no rule holds back. Several partners: anonlink's ``probabilistic_greedy_solve`` on
those pairs. **Version 2 CLKs** (record filters alone, from an earlier peermap or
``version=2``) link as below, by the Dice score adjusted for rivals; a version 2 and a
version 3 partner are refused together.

Both steps are anonlink's (Data61's privacy-preserving record linkage library):
:func:`anonlink.candidate_generation.find_candidate_pairs` scores, with its accelerated
Dice coefficient, every pair of records that share a block, and
:func:`anonlink.solving.greedy_solve` turns the scores into groups holding at most one
record of each partner (highest score first); several partners are clustered by
:func:`anonlink.solving.probabilistic_greedy_solve`, which lets evidence from the other
pairs of a group stand in for one weak pair (:data:`MERGE_THRESHOLD`), and a record left
on its own then joins a cluster of other partners' records that all score at least
:data:`CORROBORATION_THRESHOLD` with it (two partners corroborating a resemblance that
one alone would not be enough for).

**Rivals.** Between scoring and solving, each pair's score is adjusted for how common
the resemblance is (Fellegi-Sunter frequency weights, from the scores alone): it loses
:data:`RIVAL_WEIGHT` of how far each record's best rival, its best score with another
record of the other partner, reaches above :data:`RIVAL_FLOOR`. Matches are the
solution's pairs whose adjusted score is at least the threshold.

**Blocking.** Comparing every record of one partner with every record of another is
10¹⁰ comparisons for 100,000 × 100,000. Records are instead put into blocks by
locality-sensitive hashing on the CLKs' bits (anonlink's ``bit_blocking`` scheme,
computed here with numpy for speed): tables of bit positions drawn once (seeded), and
two records are compared when they agree on every drawn bit of at least one table.
More bits per table make smaller blocks (fewer comparisons, more blocks to visit), so
the bits grow with the larger partner: :func:`block_parameters` takes ``log2(n) - 3``
bits (10 at 10,000 records, 14 at 100,000, between 8 and 16), and as many tables as
keep a pair scoring 0.8 (about 89 % of its bits agree) in a shared block with
probability 0.998 (17 tables of 10 bits, 29 of 14). Blocking needs nothing but the
CLKs, so partners exchange nothing else.
"""

from __future__ import annotations

import array
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap._optional import require
from peermap.exceptions import ArgumentError, PeermapWarning, ValidationError
from peermap.linkage.encoding import CLK_BITS
from peermap.linkage.evidence import Evidence, reasons, weigh
from peermap.linkage.fields import CLK_VERSION, Segments, decode, version_of
from peermap.linkage.screening import refuse_identifying_ids

__all__ = [
    "CANDIDATE_THRESHOLD",
    "CORROBORATION_THRESHOLD",
    "DEFAULT_PROBABILITY",
    "DEFAULT_REVIEW_PROBABILITY",
    "DEFAULT_REVIEW_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "MERGE_THRESHOLD",
    "RIVAL_FLOOR",
    "RIVAL_WEIGHT",
    "block_parameters",
    "checked_clks",
    "cluster_identities",
    "link_identities",
]

#: Score from which two records are the same young person (see docs/linkage.md): the
#: Dice score, less :data:`RIVAL_WEIGHT` times how far each record's best rival scores
#: above :data:`RIVAL_FLOOR`. A rival only ever raises the bar: a record with none
#: links from the Dice score 0.80, above every score of twins with other first names.
DEFAULT_THRESHOLD = 0.80
#: A record's best rival (its best score with another record of the other partner)
#: counts from this Dice score, the review threshold's: from where a pair might be the
#: same young person.
RIVAL_FLOOR = 0.70
#: How much of each record's rival's excess over :data:`RIVAL_FLOOR` a pair's score
#: loses: a record that closely resembles others has a common name, and agreement on a
#: common value is weaker evidence (Fellegi-Sunter frequency weights).
RIVAL_WEIGHT = 0.25
#: Several partners: two groups of records merge when at least this share of the pairs
#: between them score above the threshold (anonlink's ``probabilistic_greedy_solve``).
#: With three partners a record joins a pair on one strong link of two: a typo in one
#: partner's record need not break the person in three.
MERGE_THRESHOLD = 0.5
#: Dice score from which a pair the solver would pick goes to clerical review.
DEFAULT_REVIEW_THRESHOLD = 0.70
#: Several partners: a record that no link above the threshold placed joins a cluster
#: of two or more records of other partners when it scores at least this with every
#: one of them, since two partners' records then corroborate a weaker resemblance.
CORROBORATION_THRESHOLD = 0.78
#: Version 3 CLKs: match probability (field-aware, :mod:`peermap.linkage.evidence`) from
#: which a pair is a match. A link between two young people is worse than a missed
#: link, which the review band can recover: a false link is taken to cost nine missed
#: ones, so a pair links when it is nine times likelier one young person than two.
DEFAULT_PROBABILITY = 0.9
#: Version 3: match probability from which a pair the solution picks goes to review.
DEFAULT_REVIEW_PROBABILITY = 0.1
#: Version 3: record-level Dice score from which a pair is weighed field by field:
#: version 2's review threshold, the pairs it would link or review. (0.65 found 0.3 %
#: more young people at 10,000 records per partner and took a third longer to find the
#: candidates: linking 100,000 x 100,000 went over two minutes on a shared machine.)
CANDIDATE_THRESHOLD = 0.70
#: Blocking: share of a pair's bits that agree at a Dice score of 0.8, and the
#: probability that such a pair shares a block.
_AGREEMENT = 0.89
_BLOCK_RECALL = 0.998
_BLOCK_SEED = 20


def checked_clks(frame: pd.DataFrame, what: str) -> tuple[list[str], Segments]:
    """Return the ids and CLKs of an encoded frame, checked (errors name rows, not values).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``person_id`` and ``clk`` (base64), as :func:`~peermap.encode_identities` returns.
    what : str
        What messages call the frame.

    Returns
    -------
    tuple of (list of str, Segments)
        The ids, and the CLKs: record filters, and the field segments of version 3.

    Raises
    ------
    ValidationError
        When a column is missing, an id blank or repeated, a CLK not base64 of a CLK of
        version 2 or 3, or the frame mixes the two versions (naming rows and versions,
        never values).
    PrivacyError
        When ids look like direct identifiers (names, email addresses ...).
    """
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(
            f"{what} is a DataFrame from encode_identities, not {type(frame).__name__}"
        )
    missing = [c for c in ("person_id", "clk") if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{what} has no column {', '.join(missing)}; link the frames encode_identities "
            "returns (person_id, clk)"
        )
    ids = frame["person_id"]
    blank = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    if blank.any():
        rows = _rows(np.flatnonzero(blank))
        raise ValidationError(f"{what}: column person_id is blank in row(s) {rows}")
    texts = ids.astype(str).tolist()
    duplicated = pd.Series(texts).duplicated(keep=False).to_numpy()
    if duplicated.any():
        rows = _rows(np.flatnonzero(duplicated))
        raise ValidationError(f"{what}: column person_id repeats an id in row(s) {rows}")
    refuse_identifying_ids(texts, column="person_id", what=what)
    clk_texts = frame["clk"].tolist()
    bad = [i for i, v in enumerate(clk_texts) if not isinstance(v, str)]
    if bad:
        raise ValidationError(f"{what}: column clk is blank in row(s) {_rows(np.asarray(bad))}")
    if not clk_texts:  # a header alone: no version to tell, nothing to link
        raise ValidationError(f"{what}: holds no records (a header and no rows), so no CLKs")
    segments = decode(clk_texts)
    if isinstance(segments, list):
        found = {i: version_of(clk_texts[i]) for i in segments}
        versions = set(found.values())
        if None in versions:
            bad = [i for i, v in found.items() if v is None]
            raise ValidationError(
                f"{what}: column clk is not a base64 CLK (version 2 or 3) in row(s) "
                f"{_rows(np.asarray(bad))}"
            )
        later = sorted(v for v in versions if v is not None and v > CLK_VERSION)
        if later:
            bad = [i for i, v in found.items() if v in later]
            raise ValidationError(
                f"{what}: column clk holds CLKs of version {later[0]}, made by a later "
                f"peermap, in row(s) {_rows(np.asarray(bad))}; this peermap reads versions "
                "2 and 3: link with the peermap that encoded them"
            )
        raise ValidationError(
            f"{what}: column clk mixes CLKs of version 2 and version 3 (version "
            f"{versions.pop()} in row(s) {_rows(np.asarray(segments))}); encode every "
            "record with the same peermap"
        )
    return texts, segments


def _same_version(parts: Sequence[tuple[str, Segments]]) -> int:
    """Return the CLK version of every partner; refused when partners' versions differ."""
    versions = {segments.version for _what, segments in parts}
    if len(versions) > 1:
        told = ", ".join(f"{what}: version {segments.version}" for what, segments in parts)
        raise ValidationError(
            f"the partners' CLKs are of different versions ({told}); CLKs of version 2 "
            "(record filters only, made by an earlier peermap) and version 3 (with field "
            "segments) cannot be linked together: every partner must encode again with "
            "the same peermap"
        )
    return versions.pop()


#: Records each partner must hold before two partners sharing no first name, surname
#: or date of birth is taken as CLKs made under different keys: two sets of 50 young
#: people of England share one of them but about once in 100,000 draws (about 5 first
#: names, 6 surnames and 0.9 dates of birth expected in common).
KEY_CHECK_RECORDS = 50


def _values(rows: npt.NDArray[Any] | None) -> set[bytes]:
    if rows is None:
        return set()
    flat = np.ascontiguousarray(rows).reshape(len(rows), -1)
    present = flat.any(axis=1)  # a missing field's segment is all zero
    return {row.tobytes() for row in flat[present]}


def _warn_if_other_keys(parts: Sequence[tuple[str, Segments]]) -> None:
    """Warn when two partners' version 3 CLKs share no exact name or date of birth.

    Under one key a first name, surname or date of birth two partners both hold has
    one segment at both; under two keys none coincide, and every pair scores as two
    strangers: nothing links, and without this nothing says why.
    """
    for i, (what_a, seg_a) in enumerate(parts):
        for what_b, seg_b in parts[i + 1 :]:
            if seg_a.version != 3 or min(len(seg_a.record), len(seg_b.record)) < KEY_CHECK_RECORDS:
                continue
            fields = ("first", "last", "dob")
            if any(_values(getattr(seg_a, f)) & _values(getattr(seg_b, f)) for f in fields):
                continue
            warnings.warn(
                f"{what_a} and {what_b} share no first name, surname or date of birth: "
                "CLKs encoded under different linkage keys never match. Were both "
                "encoded with the same key?",
                PeermapWarning,
                stacklevel=3,
            )


def _rows(positions: npt.NDArray[Any], limit: int = 10) -> str:
    shown = ", ".join(str(int(p) + 1) for p in positions[:limit])
    more = len(positions) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def block_parameters(records: int) -> tuple[int, int]:
    """Return the blocking tables and bits per table for partners of up to `records` records.

    Parameters
    ----------
    records : int
        Records of the largest partner.

    Returns
    -------
    tuple of int
        ``(tables, bits)``: ``bits`` is ``log2(records) - 3`` rounded, between 8 and 16;
        ``tables`` the fewest that give a pair whose bits agree at 89 % (Dice 0.8) a
        shared block with probability 0.998.
    """
    bits = int(min(16, max(8, round(math.log2(max(records, 2)) - 3))))
    tables = math.ceil(math.log(1 - _BLOCK_RECALL) / math.log(1 - _AGREEMENT**bits))
    return tables, bits


def _block_ids(clks: Sequence[npt.NDArray[np.uint8]]) -> list[list[list[int]]]:
    """For each dataset and record, its block ids (one per table): bit-sampling LSH."""
    tables, size = block_parameters(max(len(dataset) for dataset in clks))
    rng = np.random.default_rng(_BLOCK_SEED)
    positions = np.stack([rng.choice(CLK_BITS, size=size, replace=False) for _ in range(tables)])
    weights = np.left_shift(np.int64(1), np.arange(size, dtype=np.int64))
    out = []
    for dataset in clks:
        bits = np.unpackbits(dataset, axis=1)[:, positions].astype(np.int64)
        keys = (bits * weights).sum(axis=2) * tables + np.arange(tables)
        out.append(keys.tolist())
    return out


def _anonlink() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Anonlink's candidate generation, similarities and solving (the ``linkage`` extra)."""
    with warnings.catch_warnings():
        # anonlink 0.15 imports mypy_extensions.TypedDict, deprecated since 1.0
        warnings.filterwarnings("ignore", "mypy_extensions.TypedDict", DeprecationWarning)
        generation = require("anonlink.candidate_generation")
        similarities = require("anonlink.similarities")
        solving = require("anonlink.solving")
    return generation, similarities, solving


def _candidates(
    clks: Sequence[npt.NDArray[np.uint8]], threshold: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64], Any]:
    generation, similarities, _solving = _anonlink()
    bitarray = require("bitarray").bitarray

    def as_bits(rows: npt.NDArray[np.uint8]) -> list[Any]:
        out = []
        for row in rows:
            bits = bitarray()
            bits.frombytes(row.tobytes())
            out.append(bits)
        return out

    blocks = _block_ids(clks)

    def blocking(dataset: int, record: int, _clk: object) -> list[int]:
        return blocks[dataset][record]

    candidates = generation.find_candidate_pairs(
        [as_bits(d) for d in clks], similarities.dice_coefficient, threshold, blocking_f=blocking
    )
    scores, (set0, set1), (rec0, rec1) = candidates
    return (
        np.frombuffer(scores, dtype=np.float64),
        np.stack(
            [np.frombuffer(set0, dtype=np.uint32), np.frombuffer(set1, dtype=np.uint32)]
        ).astype(np.int64),
        np.stack(
            [np.frombuffer(rec0, dtype=np.uint32), np.frombuffer(rec1, dtype=np.uint32)]
        ).astype(np.int64),
        candidates,
    )


def _thresholds(
    threshold: float | None, review_threshold: float | None, version: int = 2
) -> tuple[float, float]:
    if version == 2:
        default_upper, default_lower = DEFAULT_THRESHOLD, DEFAULT_REVIEW_THRESHOLD
    else:
        default_upper, default_lower = DEFAULT_PROBABILITY, DEFAULT_REVIEW_PROBABILITY
    upper = default_upper if threshold is None else float(threshold)
    lower = min(default_lower, upper) if review_threshold is None else float(review_threshold)
    if not 0.0 < upper <= 1.0:
        raise ArgumentError(f"threshold={upper} must be above 0 and at most 1")
    if not 0.0 < lower <= upper:
        raise ArgumentError(
            f"review_threshold={lower} must be above 0 and at most threshold ({upper})"
        )
    return upper, lower


def _adjusted(
    scores: npt.NDArray[np.float64],
    sets: npt.NDArray[np.int64],
    recs: npt.NDArray[np.int64],
    weight: float,
) -> npt.NDArray[np.float64]:
    """Each pair's Dice score less `weight` times each record's rival excess.

    The excess of a record is how far its best rival scores above :data:`RIVAL_FLOOR`
    (0 below it, or with no rival).
    """
    excess = np.zeros(len(scores), dtype=np.float64)
    if not len(scores):
        return scores.copy()
    size = int(recs.max()) + 1
    parties = int(sets.max()) + 1
    for side in (0, 1):
        keys = (sets[side] * size + recs[side]) * parties + sets[1 - side]
        order = np.lexsort((-scores, keys))
        ordered = keys[order]
        first = np.r_[True, ordered[1:] != ordered[:-1]]
        starts = np.flatnonzero(first)
        group = np.cumsum(first) - 1
        best = scores[order][starts]
        second = np.zeros(len(starts), dtype=np.float64)
        several = np.diff(np.r_[starts, len(ordered)]) > 1
        second[several] = scores[order][starts[several] + 1]
        mine = np.empty(len(scores), dtype=np.float64)
        mine[order] = np.where(first, second[group], best[group])
        excess += np.maximum(mine - RIVAL_FLOOR, 0.0)
    result: npt.NDArray[np.float64] = scores - weight * excess
    return result


def _weight(rival_weight: float | None) -> float:
    weight = RIVAL_WEIGHT if rival_weight is None else float(rival_weight)
    if not 0.0 <= weight <= 1.0:
        raise ArgumentError(f"rival_weight={weight} must be between 0 and 1")
    return weight


def link_identities(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    threshold: float | None = None,
    review_threshold: float | None = None,
    rival_weight: float | None = None,
    labels: tuple[str, str] = ("a", "b"),
) -> pd.DataFrame:
    """Link two partners' encoded identities: which of their records are the same person.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Each partner's :func:`~peermap.encode_identities` output (``person_id``, ``clk``),
        encoded under the same partnership key.
    threshold : float, optional
        From which a pair the one-to-one solution picks is a match. CLKs of version 3
        (field segments, what :func:`~peermap.encode_identities` writes): the match
        probability, default :data:`DEFAULT_PROBABILITY` (0.9). Version 2 (record
        filters only): the adjusted score, default :data:`DEFAULT_THRESHOLD` (0.80).
    review_threshold : float, optional
        From which a pair the one-to-one solution picks, but below `threshold`, goes to
        clerical review: version 3, the match probability, default
        :data:`DEFAULT_REVIEW_PROBABILITY` (0.1, or `threshold` if lower); version 2,
        the Dice score, default :data:`DEFAULT_REVIEW_THRESHOLD` (0.70). Equal to
        `threshold`: no review band below it.
    rival_weight : float, optional
        Version 2: how much of each record's rival's excess over :data:`RIVAL_FLOOR`
        the pair's score loses; default :data:`RIVAL_WEIGHT` (0.25). 0: the adjusted
        score is the Dice score. (Version 3 weighs how common a name is by its
        frequency instead; the ``adjusted`` column is still given.)
    labels : tuple of two str, default ("a", "b")
        What messages call the two frames (file names, partners' names).

    Returns
    -------
    pandas.DataFrame
        One row per candidate pair, most likely first: ``id_a``, ``id_b`` (the person
        ids), ``score`` (Dice similarity of the record filters), ``match`` (True for
        the matches: the pairs a one-to-one solution picks, most likely first, from
        `threshold`), ``review`` (True for the other pairs the same solution picks from
        `review_threshold`: the clerical-review table is ``links[links.review]``),
        ``adjusted`` (the score less `rival_weight` times the excess over
        :data:`RIVAL_FLOOR` of each record's best rival), ``weight`` (version 3: the
        field-aware evidence in bits, :mod:`peermap.linkage.evidence`) and
        ``probability`` (version 3: the probability that the pair is one young
        person, as its fields weigh it) and ``rule`` (version 3: why a pair may not
        match however likely it is, ``"twins"``, ``"date of birth"`` (more than one
        slip apart) or ``"names alone"``; empty otherwise: such pairs go to review,
        a pair under the twins rule only on records no other pair took). Version 3 gives
        the pairs of probability from `review_threshold` or Dice score from
        :data:`DEFAULT_REVIEW_THRESHOLD` up; version 2 those of Dice score from
        `review_threshold` up, with ``weight`` and ``probability`` missing. Pairs with
        neither flag are runners-up.

    Raises
    ------
    ValidationError
        If a frame lacks ``person_id`` or ``clk``, repeats or leaves out an id, holds a
        CLK that is not base64 of a CLK, or the two frames' CLKs are of different
        versions; the message names the frame, row, column and version, never a value.

    Notes
    -----
    CLKs made under different keys share no more bits than unrelated records, so they
    do not link: every partner must encode under the same key.

    Version 3 scores each candidate pair field by field (first name, last name, date
    of birth, postcode) with Fellegi-Sunter weights whose ``u`` is measured on random
    pairs and ``m`` estimated on the candidates, and never matches two records whose
    first names share nothing (twins share everything else). Version 2 adjusts the
    Dice score for how common the resemblance is, from the scores alone
    (docs/linkage.md).
    """
    weight = _weight(rival_weight)
    ids_a, seg_a = checked_clks(a, labels[0])
    ids_b, seg_b = checked_clks(b, labels[1])
    version = _same_version([(labels[0], seg_a), (labels[1], seg_b)])
    _warn_if_other_keys([(labels[0], seg_a), (labels[1], seg_b)])
    upper, lower = _thresholds(threshold, review_threshold, version)
    columns = [
        "id_a",
        "id_b",
        "score",
        "match",
        "review",
        "adjusted",
        "weight",
        "probability",
        "rule",
    ]
    if not ids_a or not ids_b:
        return _empty(columns, id_columns=("id_a", "id_b"))
    if version == 2:
        scores, sets, recs, candidates = _candidates(
            [seg_a.record, seg_b.record], min(lower, RIVAL_FLOOR)
        )
        adjusted = _adjusted(scores, sets, recs, weight)
        keep = scores >= lower
        scores, sets, recs, adjusted = scores[keep], sets[:, keep], recs[:, keep], adjusted[keep]
        chosen = _solved(_subset(candidates, keep), len(scores), sets, recs)
        match = chosen & (adjusted >= upper)
        evidence = np.full(len(scores), np.nan)
        probability = np.full(len(scores), np.nan)
        rule = np.full(len(scores), "", dtype=object)
    else:
        scores, sets, recs, _candidates_found = _candidates(
            [seg_a.record, seg_b.record], CANDIDATE_THRESHOLD
        )
        adjusted = _adjusted(scores, sets, recs, weight)
        found = weigh(seg_a, seg_b, recs[0], recs[1])
        shown = found.probability.round(9)  # as the links table shows it
        keep = (shown >= lower) | (scores >= DEFAULT_REVIEW_THRESHOLD)
        order = np.flatnonzero(keep)[np.argsort(-found.weight[keep], kind="stable")]
        scores, recs, adjusted = scores[order], recs[:, order], adjusted[order]
        evidence, probability = found.weight[order], shown[order]
        doubtful, twins = found.doubtful[order], found.twins[order]
        rule = reasons(found)[order]
        chosen = _greedy(evidence, (probability >= lower) & ~twins, recs)
        match = chosen & (probability >= upper) & ~doubtful
        # Pairs the twins rule holds back go to review on the records no other pair
        # took: a child known by a middle name or a short form not in the lists looks
        # like a twin to the rule, and a reviewer with the case files can tell.
        chosen |= _greedy(evidence, (probability >= lower) & twins, recs, taken=chosen)
    id_a = np.asarray(ids_a, dtype=object)[recs[0]]
    id_b = np.asarray(ids_b, dtype=object)[recs[1]]
    return pd.DataFrame(
        {
            "id_a": pd.array(id_a, dtype="string"),
            "id_b": pd.array(id_b, dtype="string"),
            "score": scores.round(6),
            "match": match,
            "review": chosen & ~match,
            "adjusted": adjusted.round(6),
            "weight": evidence.round(3),
            "probability": probability,
            "rule": pd.array(rule, dtype="string"),
        },
        columns=columns,
    )


def _probability(found: Evidence) -> npt.NDArray[np.float64]:
    """Return the posterior of each pair, 0 under the twins rule."""
    out: npt.NDArray[np.float64] = np.where(found.twins, 0.0, found.probability)
    return out


def _greedy(
    weight: npt.NDArray[np.float64],
    eligible: npt.NDArray[np.bool_],
    recs: npt.NDArray[np.int64],
    *,
    taken: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """One-to-one: eligible pairs, heaviest evidence first, each record used once.

    ``taken`` marks pairs already chosen: their records are not used again.
    """
    chosen = np.zeros(len(weight), dtype=bool)
    used_a: set[int] = set() if taken is None else {int(x) for x in recs[0, taken]}
    used_b: set[int] = set() if taken is None else {int(y) for y in recs[1, taken]}
    for i in np.argsort(-weight, kind="stable"):
        if not eligible[i]:
            continue
        x, y = int(recs[0, i]), int(recs[1, i])
        if x in used_a or y in used_b:
            continue
        used_a.add(x)
        used_b.add(y)
        chosen[i] = True
    return chosen


def _empty(columns: list[str], *, id_columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.array([], dtype="string") for c in id_columns})
    frame["score"] = np.array([], dtype=np.float64)
    for column in columns[3:]:
        if column == "rule":
            frame[column] = pd.array([], dtype="string")
            continue
        empty = np.array([], dtype=bool if column in ("match", "review") else np.float64)
        frame[column] = empty
    return frame[columns]


def _solved(
    candidates: Any, count: int, sets: npt.NDArray[np.int64], recs: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs the greedy one-to-one solution puts in one group."""
    group_of: dict[tuple[int, int], int] = {}
    for number, group in enumerate(_anonlink()[2].greedy_solve(candidates)):
        for member in group:
            group_of[(int(member[0]), int(member[1]))] = number
    chosen = np.zeros(count, dtype=bool)
    for i in range(count):
        first = group_of.get((int(sets[0, i]), int(recs[0, i])))
        chosen[i] = first is not None and first == group_of.get((int(sets[1, i]), int(recs[1, i])))
    return chosen


_NAME = re.compile(r"\S(?:.*\S)?")


def _subset(candidates: Any, keep: npt.NDArray[np.bool_]) -> Any:
    """Return anonlink's candidate pairs (scores, datasets, records) with only `keep`."""
    scores, sets, recs = candidates

    def cut(values: Any) -> Any:
        kept = np.frombuffer(values, dtype=values.typecode)[keep]
        out = array.array(values.typecode)
        out.frombytes(kept.tobytes())
        return out

    return cut(scores), tuple(cut(v) for v in sets), tuple(cut(v) for v in recs)


def _corroborate(
    cluster_of: dict[tuple[int, int], int],
    scores: npt.NDArray[np.float64],
    sets: npt.NDArray[np.int64],
    recs: npt.NDArray[np.int64],
    corroboration: float,
) -> None:
    """Join records left on their own to clusters of two or more that corroborate them.

    A record joins a cluster holding no record of its partner when it scores at least
    :data:`CORROBORATION_THRESHOLD` with every record of it; the best mean score first.
    """
    score_of: dict[tuple[tuple[int, int], tuple[int, int]], float] = {}
    near: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i in range(len(scores)):
        one = (int(sets[0, i]), int(recs[0, i]))
        two = (int(sets[1, i]), int(recs[1, i]))
        score_of[(one, two)] = score_of[(two, one)] = float(scores[i])
        near.setdefault(one, []).append(two)
        near.setdefault(two, []).append(one)
    members: dict[int, list[tuple[int, int]]] = {}
    for record, number in cluster_of.items():
        members.setdefault(number, []).append(record)

    def fits(record: tuple[int, int], number: int) -> float | None:
        group = members[number]
        if len(group) < 2 or any(m[0] == record[0] for m in group):
            return None
        found = [score_of.get((record, m)) for m in group]
        if None in found:  # below the review threshold with one of them
            return None
        mean = sum(f for f in found if f is not None) / len(found)
        return mean if mean >= corroboration else None

    options = []
    for record, others in near.items():
        if record in cluster_of:
            continue
        for number in {cluster_of[o] for o in others if o in cluster_of}:
            mean = fits(record, number)
            if mean is not None:
                options.append((mean, record, number))
    for _mean, record, number in sorted(options, reverse=True):
        if record not in cluster_of and fits(record, number) is not None:
            cluster_of[record] = number
            members[number].append(record)


def cluster_identities(
    encodings: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame],
    *,
    threshold: float | None = None,
    rival_weight: float | None = None,
) -> pd.DataFrame:
    """Link the encoded identities of several partners at once, with one cluster id per person.

    Parameters
    ----------
    encodings : mapping of partner name to DataFrame, or sequence of DataFrames
        Each partner's :func:`~peermap.encode_identities` output, under the same key. A
        sequence names the partners ``"0"``, ``"1"``, ...
    threshold : float, optional
        From which two records may join one cluster. Version 3 CLKs: the match
        probability (as :func:`link_identities`, partner pair by partner pair), default
        :data:`DEFAULT_PROBABILITY`. Version 2: the adjusted score (each record's rival
        taken among the records of the other record's partner), default
        :data:`DEFAULT_THRESHOLD`.
    rival_weight : float, optional
        Version 2: as :func:`link_identities`; default :data:`RIVAL_WEIGHT`.

    Returns
    -------
    pandas.DataFrame
        One row per record of every partner: ``cluster`` (an integer shared by the
        records of one person, numbered from 0 by order of first appearance: partner,
        then row), ``partner`` and ``person_id``. A cluster holds at most one record of
        each partner; a record linked to no other is a cluster of its own. Groups
        merge, most likely first, when at least :data:`MERGE_THRESHOLD` of the pairs
        between them reach ``threshold`` (anonlink's ``probabilistic_greedy_solve``),
        so not every pair of a cluster need. Version 3: pairs that the twins rule or a
        doubtful field holds back never count. Version 2: a record then left on its own
        joins a cluster of two or more records of other partners when its Dice scores
        with them are :data:`CORROBORATION_THRESHOLD` (or ``threshold``, if lower) on
        average and :data:`DEFAULT_REVIEW_THRESHOLD` each, best first.

    Raises
    ------
    ValidationError
        As :func:`link_identities`, naming the partner.
    """
    weight = _weight(rival_weight)
    named = (
        dict(encodings)
        if isinstance(encodings, Mapping)
        else {str(i): frame for i, frame in enumerate(encodings)}
    )
    if len(named) < 2:
        raise ArgumentError("cluster_identities links at least two partners' encodings")
    names = [str(name) for name in named]
    for name in names:
        if not _NAME.fullmatch(name):
            raise ArgumentError("a partner's name must not be blank")
    parts = [
        checked_clks(frame, f"partner {name!r}")
        for name, frame in zip(names, named.values(), strict=True)
    ]
    version = _same_version(
        [(f"partner {n!r}", seg) for n, (_, seg) in zip(names, parts, strict=True)]
    )
    _warn_if_other_keys([(f"partner {n!r}", seg) for n, (_, seg) in zip(names, parts, strict=True)])
    upper, _lower = _thresholds(threshold, threshold, version)
    cluster_of: dict[tuple[int, int], int] = {}
    if version == 3 and all(len(ids) for ids, _ in parts):
        _cluster_fields([seg for _, seg in parts], upper, cluster_of)
    elif all(len(ids) for ids, _ in parts):
        weak = min(upper, DEFAULT_REVIEW_THRESHOLD)
        scores, sets, recs, candidates = _candidates(
            [seg.record for _, seg in parts], min(weak, RIVAL_FLOOR)
        )
        adjusted = _adjusted(scores, sets, recs, weight)
        solve = _anonlink()[2].probabilistic_greedy_solve
        strong = _subset(candidates, adjusted >= upper)
        for number, group in enumerate(solve(strong, merge_threshold=MERGE_THRESHOLD)):
            for member in group:
                cluster_of[(int(member[0]), int(member[1]))] = number
        near = scores >= weak
        _corroborate(
            cluster_of,
            scores[near],
            sets[:, near],
            recs[:, near],
            min(upper, CORROBORATION_THRESHOLD),
        )
    rows: list[tuple[int, str, str]] = []
    renumber: dict[int, int] = {}  # solver's group -> cluster id
    next_id = 0
    for d, (ids, _clks) in enumerate(parts):
        for r, person in enumerate(ids):
            group = cluster_of.get((d, r))
            if group is None:
                number, next_id = next_id, next_id + 1
            elif group in renumber:
                number = renumber[group]
            else:
                number = renumber[group] = next_id
                next_id += 1
            rows.append((number, names[d], person))
    frame = pd.DataFrame(rows, columns=["cluster", "partner", "person_id"])
    frame["cluster"] = frame["cluster"].astype(np.int64)
    for column in ("partner", "person_id"):
        frame[column] = frame[column].astype("string")
    return frame


def _cluster_fields(
    segments: list[Segments], upper: float, cluster_of: dict[tuple[int, int], int]
) -> None:
    """Cluster version 3 CLKs: field-aware probabilities, then anonlink's solver."""
    scores, sets, recs, _found = _candidates([seg.record for seg in segments], CANDIDATE_THRESHOLD)
    probability = np.zeros(len(scores))
    evidence = np.zeros(len(scores))
    for one, two in {(int(x), int(y)) for x, y in zip(sets[0], sets[1], strict=True)}:
        rows = (sets[0] == one) & (sets[1] == two)
        found = weigh(segments[one], segments[two], recs[0][rows], recs[1][rows])
        probability[rows] = np.where(found.doubtful, 0.0, _probability(found))
        evidence[rows] = found.weight
    strong = np.flatnonzero(probability >= upper)
    order = strong[np.argsort(-evidence[strong], kind="stable")]
    # the solver takes pairs in the order of their scores: the evidence's order
    ranks = 1.0 - np.arange(len(order), dtype=np.float64) / (len(order) + 1)
    candidates = (
        array.array("d", ranks.tobytes()),
        tuple(array.array("I", sets[k, order].astype(np.uint32).tobytes()) for k in (0, 1)),
        tuple(array.array("I", recs[k, order].astype(np.uint32).tobytes()) for k in (0, 1)),
    )
    solve = _anonlink()[2].probabilistic_greedy_solve
    for number, group in enumerate(solve(candidates, merge_threshold=MERGE_THRESHOLD)):
        for member in group:
            cluster_of[(int(member[0]), int(member[1]))] = number
