"""The field-aware second pass: Fellegi-Sunter evidence from the field segments of CLKs.

Candidate pairs come from the record-level filters (blocking and Dice score,
:mod:`peermap.linkage.linking`). Each candidate pair is then compared field by field
(:mod:`peermap.linkage.fields`), each comparison falls into an **agreement level**, and
each level weighs as the log-likelihood ratio of Fellegi and Sunter,
``log2(m / u)``: ``m`` the probability of that level for two records of one young
person, ``u`` for two records of different young people.

- **u** is measured, not assumed: the levels of random pairs of the two partners'
  records (almost all of them two different people). Exact agreement on a name weighs
  by how common that name is among both partners' records (Fellegi-Sunter's
  frequency-based weights): sharing a rare surname is stronger evidence than sharing a
  common one.
- **m** and the number of matches are estimated by expectation-maximisation on the
  candidate pairs, ``u`` held fixed (unsupervised: the weights adapt to the partners'
  data, how often their dates of birth are missing or their names misspelt).
- A **missing field** on either side weighs nothing.
- **Twins**: two records whose first names share nothing (under 0.6 of their bigrams,
  no nickname group, not a swap of first and last names), or, within a family (same
  surname and date of birth), are not one name, are never a match, however much else
  they share: twins share a surname, a date of birth and an address and differ only
  there, and the independence of the fields that Fellegi-Sunter assumes fails for them.
- **Doubtful pairs** may go to review but never match: dates of birth more than one
  slip apart (namesakes born on other days, cousins named alike at one address), and
  names alone (no date of birth at one partner, no postcode district in common).

The pair's **weight** is the sum of its fields' weights (bits of evidence) and its
**probability** the posterior that it is one young person, with the prior the EM
estimate of the share of all pairs that are matches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peermap.linkage.fields import GROUP_BITS, GROUP_K, NAME_K, Segments

__all__ = ["LEVELS", "Evidence", "field_levels", "reasons", "weigh"]

#: The agreement levels of each field, from disagreement (0) up; -1 is missing.
LEVELS: dict[str, tuple[str, ...]] = {
    "first_name": ("other", "partial", "nickname group", "close", "exact"),
    "last_name": ("other", "partial", "close", "exact"),
    "dob": ("other", "same year", "one part off", "exact"),
    "postcode": ("other", "outward code", "sector", "exact"),
}
#: Name Dice (bigram segments) from which two names are close (one slip apart) and
#: partial (share most bigrams).
CLOSE = 0.75
PARTIAL = 0.6
_RANDOM_PAIRS = 400_000
_ROUNDS = 4
#: Log-odds (natural) from which the other fields make a pair a near-certain match
#: (posterior 0.99): the pairs a field's m is counted on.
_ANCHOR = float(np.log(99.0))
#: Starting m of each level (the share of one young person's two records at that
#: level), the prior of the estimated m: a slip in one part of a date of birth is
#: common, two slips (another year, and not the same day and month) rare; a young
#: person moves often, mostly to another district.
_M_START = {
    "first_name": (0.02, 0.01, 0.05, 0.05, 0.87),
    "last_name": (0.02, 0.02, 0.08, 0.88),
    "dob": (0.005, 0.01, 0.1, 0.885),
    "postcode": (0.2, 0.02, 0.03, 0.75),
}


#: Starting u of each level (two young people of England at that level), the prior
#: of the measured u: a name's share of young people about 1 in 500 for a first name
#: and 1 in 400 for a surname, near names rarer; a date of birth one of about 2,900
#: over eight years; one postcode of about 1.7 million, a sector of 11,000, an
#: outward code of 3,000.
_U_START = {
    "first_name": (0.989, 0.005, 0.003, 0.001, 0.002),
    "last_name": (0.990, 0.005, 0.0025, 0.0025),
    "dob": (0.872, 0.111, 0.0167, 0.00034),
    "postcode": (0.9997, 0.0003, 0.00009, 0.000001),
}
#: How many random pairs, matches and records the starting values count for: a
#: partner of a few hundred records measures little, one of 10,000 almost all.
_PSEUDO_PAIRS = 10_000
_PSEUDO_MATCHES = 50
_PSEUDO_RECORDS = 1_000
_TYPICAL_SHARE = 0.002


def _twins(levels: dict[str, npt.NDArray[np.int8]]) -> npt.NDArray[np.bool_]:
    """Pairs the twins rule keeps from matching, whatever else they share.

    Their first names share nothing (a bigram Dice score under :data:`PARTIAL`, no
    nickname group, not names swapped);
    or, within a family (the same surname and date of birth, as twins have), the
    first names are not one name (the same, one slip apart, or of one nickname
    group): twins' names are often alike (Ana and Ioana), and Fellegi-Sunter's
    independence of the fields fails for them.
    """
    first = levels["first_name"]
    family = (levels["last_name"] == len(LEVELS["last_name"]) - 1) & (
        levels["dob"] == len(LEVELS["dob"]) - 1
    )
    out: npt.NDArray[np.bool_] = (first == 0) | ((first == 1) & family)
    return out


def reasons(found: Evidence) -> npt.NDArray[np.object_]:
    """Return why each pair may not match: ``"twins"``, ``"date of birth"``, ``"names alone"``.

    Empty text where no rule keeps the pair from matching.
    """
    out = np.full(len(found.weight), "", dtype=object)
    out[found.doubtful & found.names_alone] = "names alone"
    out[found.doubtful & ~found.names_alone] = "date of birth"
    out[found.twins] = "twins"
    return out


def _doubtful(levels: dict[str, npt.NDArray[np.int8]]) -> npt.NDArray[np.bool_]:
    """Pairs that may go to review but never match, however likely the fields make them.

    Dates of birth more than one slip apart (another year, and not the same day and
    month; or only the year in common): namesakes born on other days are two young
    people, however rare their names and whatever address they share (cousins named
    alike). Names alone: no date of birth at one partner and not even the postcode
    district in common.
    """
    dob, postcode = levels["dob"], levels["postcode"]
    out: npt.NDArray[np.bool_] = ((dob >= 0) & (dob <= 1)) | ((dob < 0) & (postcode <= 0))
    return out


def _logistic(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(x, -700.0, 700.0)))
    return out


_SEED = 7


@dataclass(frozen=True)
class Evidence:
    """Field-aware evidence of candidate pairs.

    Attributes
    ----------
    weight : numpy.ndarray
        Bits of evidence (sum of the fields' log2 likelihood ratios).
    probability : numpy.ndarray
        Posterior probability that the pair is one young person.
    twins : numpy.ndarray
        True where the twins rule keeps the pair from matching (:func:`_twins`).
    doubtful : numpy.ndarray
        True where the pair may not match however likely it is, but may go to review:
        dates of birth more than one slip apart, or names alone (no date of birth at
        one partner, no postcode district in common).
    names_alone : numpy.ndarray
        True where no date of birth is at one partner and no postcode district shared.
    m, u : dict of str to numpy.ndarray
        The estimated level probabilities of each field (for the documentation).
    prior : float
        Estimated share of all pairs of records that are matches.
    """

    weight: npt.NDArray[np.float64]
    probability: npt.NDArray[np.float64]
    twins: npt.NDArray[np.bool_]
    doubtful: npt.NDArray[np.bool_]
    names_alone: npt.NDArray[np.bool_]
    m: dict[str, npt.NDArray[np.float64]]
    u: dict[str, npt.NDArray[np.float64]]
    prior: float


def _popcount(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    counts: npt.NDArray[np.int64] = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    return counts


def _dice(
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    ia: npt.NDArray[np.int64],
    ib: npt.NDArray[np.int64],
    ca: npt.NDArray[np.int64],
    cb: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    shared = _popcount(a[ia] & b[ib])
    total = ca[ia] + cb[ib]
    out: npt.NDArray[np.float64] = np.where(total > 0, 2.0 * shared / np.maximum(total, 1), 0.0)
    return out


def _name_level(
    dice: npt.NDArray[np.float64],
    bits: npt.NDArray[np.int64],
    exact: int,
    close: int,
) -> npt.NDArray[np.int8]:
    """Levels of names by the Dice score of their bigrams and the bits they differ by.

    Close: one slip apart. A slip (a letter changed, dropped, added, or two swapped)
    changes two or three bigrams and the name's length by at most one bigram, so two
    names are close from a Dice score of :data:`CLOSE`, or of :data:`PARTIAL` when
    their bigram counts differ by at most one (short names: ``mark`` and ``mork``
    score 0.6); ``ana`` and ``ioana`` (0.6, two bigrams apart) are partial.
    """
    level = np.zeros(len(dice), dtype=np.int8)
    level[dice >= PARTIAL] = 1
    level[(dice >= CLOSE) | ((dice >= PARTIAL) & (bits <= 1.25 * NAME_K))] = close
    level[dice >= 0.999] = exact
    return level


def field_levels(
    a: Segments, b: Segments, ia: npt.NDArray[np.int64], ib: npt.NDArray[np.int64]
) -> dict[str, npt.NDArray[np.int8]]:
    """Agreement level of each field (see :data:`LEVELS`) of pairs ``(a[ia], b[ib])``.

    Returns
    -------
    dict of str to numpy.ndarray
        One array of levels per field (-1 where either side lacks it), and
        ``"swapped"`` (1 where the names were compared crosswise).

    First and last names are compared straight and crosswise (first with last); when
    the crosswise comparison is close on both names and better than the straight one,
    the names were entered the wrong way round at one partner and are compared crosswise.
    """
    assert a.first is not None and b.first is not None and a.last is not None
    assert b.last is not None and a.group is not None and b.group is not None
    assert a.dob is not None and b.dob is not None
    assert a.postcode is not None and b.postcode is not None
    fa, fb = _popcount(a.first), _popcount(b.first)
    la, lb = _popcount(a.last), _popcount(b.last)
    first = _dice(a.first, b.first, ia, ib, fa, fb)
    last = _dice(a.last, b.last, ia, ib, la, lb)
    cross_fl = _dice(a.first, b.last, ia, ib, fa, lb)
    cross_lf = _dice(a.last, b.first, ia, ib, la, fb)
    swapped = (np.minimum(cross_fl, cross_lf) >= PARTIAL) & (
        cross_fl + cross_lf > first + last + PARTIAL
    )
    first = np.where(swapped, cross_fl, first)
    last = np.where(swapped, cross_lf, last)
    # nickname groups: they share a name when they share a name's bits beyond chance
    ga, gb = _popcount(a.group), _popcount(b.group)
    shared = _popcount(a.group[ia] & b.group[ib])
    chance = ga[ia] * gb[ib] / GROUP_BITS
    first_bits = np.abs(fa[ia] - np.where(swapped, lb[ib], fb[ib]))
    last_bits = np.abs(la[ia] - np.where(swapped, fb[ib], lb[ib]))
    first_level = _name_level(first, first_bits, exact=4, close=3)
    nickname = (shared - chance >= GROUP_K - 1) & (first_level < 3) & ~swapped
    first_level[nickname] = 2
    first_level[(fa[ia] == 0) | (fb[ib] == 0)] = -1
    last_level = _name_level(last, last_bits, exact=3, close=2)
    last_level[(la[ia] == 0) | (lb[ib] == 0)] = -1
    # swapped names: either side may have lost one of the two
    first_level[swapped & ((la[ia] == 0) | (lb[ib] == 0))] = -1

    da, db = a.dob[ia], b.dob[ib]
    same = da == db
    year, month, day, pair = same[:, 0], same[:, 1], same[:, 2], same[:, 3]
    dob_level = np.zeros(len(ia), dtype=np.int8)
    dob_level[year] = 1
    one_off = (year & month) | (year & day) | (month & day) | (year & pair)
    dob_level[one_off] = 2
    dob_level[year & month & day] = 3
    dob_level[(da[:, 0] == 0) | (db[:, 0] == 0)] = -1

    pa, pb = a.postcode[ia], b.postcode[ib]
    agree = pa == pb
    post_level = np.zeros(len(ia), dtype=np.int8)
    post_level[agree[:, 0]] = 1
    post_level[agree[:, 0] & agree[:, 1]] = 2
    post_level[agree[:, 2]] = 3
    post_level[(pa[:, 0] == 0) | (pb[:, 0] == 0)] = -1
    return {
        "first_name": first_level,
        "last_name": last_level,
        "dob": dob_level,
        "postcode": post_level,
        "swapped": swapped.astype(np.int8),
    }


def _value_frequency(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """How common each record's exact segment is among both partners' records."""
    both = np.concatenate([a, b])
    _values, inverse, counts = np.unique(both, axis=0, return_inverse=True, return_counts=True)
    # shrunk towards a name's typical share, so that a few records say little
    share = (counts[inverse.ravel()] + _PSEUDO_RECORDS * _TYPICAL_SHARE) / (
        len(both) + _PSEUDO_RECORDS
    )
    return share[: len(a)], share[len(a) :]


def _u_levels(
    a: Segments, b: Segments, rng: np.random.Generator
) -> dict[str, npt.NDArray[np.float64]]:
    na, nb = len(a.record), len(b.record)
    count = min(_RANDOM_PAIRS, na * nb)
    ia = rng.integers(na, size=count).astype(np.int64)
    ib = rng.integers(nb, size=count).astype(np.int64)
    levels = field_levels(a, b, ia, ib)
    out = {}
    for field, names in LEVELS.items():
        level = levels[field]
        counts = np.bincount(level[level >= 0], minlength=len(names)).astype(np.float64)
        prior = np.asarray(_U_START[field], dtype=np.float64)
        out[field] = (counts + _PSEUDO_PAIRS * prior) / (counts.sum() + _PSEUDO_PAIRS)
    return out


def weigh(
    a: Segments, b: Segments, ia: npt.NDArray[np.int64], ib: npt.NDArray[np.int64]
) -> Evidence:
    """Weigh candidate pairs ``(a[ia], b[ib])`` field by field (Fellegi-Sunter, EM for m).

    Parameters
    ----------
    a, b : Segments
        Two partners' version 3 CLKs.
    ia, ib : numpy.ndarray
        The candidate pairs' record positions.

    Returns
    -------
    Evidence
    """
    rng = np.random.default_rng(_SEED)
    u = _u_levels(a, b, rng)
    levels = field_levels(a, b, ia, ib)
    assert a.first is not None and b.first is not None and a.last is not None
    assert b.last is not None
    # exact agreement on a name: u is how common the name is (frequency-based weights)
    log_u: dict[str, npt.NDArray[np.float64]] = {}
    for field in LEVELS:
        log_u[field] = np.log(u[field])[np.maximum(levels[field], 0)]
    # (the commoner of the two records' names, each among the names of its place:
    # names entered the wrong way round agree on a first name held as a surname)
    first_a, first_b = _value_frequency(a.first, b.first)
    last_a, last_b = _value_frequency(a.last, b.last)
    swapped = levels["swapped"] == 1
    shares = {
        "first_name": np.maximum(first_a[ia], np.where(swapped, last_b[ib], first_b[ib])),
        "last_name": np.maximum(last_a[ia], np.where(swapped, first_b[ib], last_b[ib])),
    }
    for field, share in shares.items():
        exact = levels[field] == len(LEVELS[field]) - 1
        log_u[field] = np.where(exact, np.log(np.maximum(share, 1e-9)), log_u[field])
    present = {field: levels[field] >= 0 for field in LEVELS}
    m_own = {
        field: np.log(np.asarray(values, dtype=np.float64))[np.maximum(levels[field], 0)]
        for field, values in _M_START.items()
    }
    m: dict[str, npt.NDArray[np.float64]] = {}
    pairs = len(a.record) * len(b.record)
    prior = min(0.5, min(len(a.record), len(b.record)) / max(pairs, 1))
    twins = _twins(levels)
    log_bf = np.zeros(len(ia))
    for _ in range(_ROUNDS):
        parts = {
            field: np.where(present[field], m_own[field] - log_u[field], 0.0) for field in LEVELS
        }
        log_bf = sum(parts.values(), np.zeros(len(ia)))
        base = np.log(prior) - np.log1p(-prior)
        posterior = _logistic(log_bf + base)
        # each field's m from the pairs the other fields alone make near-certain matches
        # (the anchors); an anchor's own level is left out of the m that weighs it, so
        # that no pair vouches for itself
        for field, names in LEVELS.items():
            others = log_bf - parts[field] + base
            anchor = present[field] & (others >= _ANCHOR) & ~twins
            counts = np.bincount(levels[field][anchor], minlength=len(names)).astype(np.float64)
            start = _PSEUDO_MATCHES * np.asarray(_M_START[field], dtype=np.float64)
            m[field] = (counts + start) / (counts.sum() + _PSEUDO_MATCHES)
            level = np.maximum(levels[field], 0)
            own = anchor.astype(np.float64)
            m_own[field] = np.log(
                (counts[level] - own + start[level]) / (counts.sum() - own + _PSEUDO_MATCHES)
            )
        prior = float(min(0.5, max(posterior[~twins].sum(), 1.0) / max(pairs, 1)))
    log_bf = sum(
        (np.where(present[f], m_own[f] - log_u[f], 0.0) for f in LEVELS), np.zeros(len(ia))
    )
    posterior = _logistic(log_bf + np.log(prior) - np.log1p(-prior))
    return Evidence(
        weight=log_bf / np.log(2.0),
        probability=posterior,
        twins=twins,
        doubtful=_doubtful(levels),
        names_alone=(levels["dob"] < 0) & (levels["postcode"] <= 0),
        m=m,
        u=u,
        prior=prior,
    )
