"""Metric helpers for ``benchmarks/bench_ranking.py`` (issue 15, item 4).

Everything here works on plain tables, so ``tests/test_ranking_metrics.py`` checks it on
hand-made frames:

- the *found-context* rule: a planted group is found by the first row (in the table's
  order, most concerning first) whose ``places`` hold its place or whose ``people`` hold
  at least half of its planted people; its rank is that row's 1-based position;
- mean reciprocal rank (0 for a group not found) and recall@k;
- membership Jaccard;
- a venue's rank in a ranked table of places;
- top-k agreement between two contexts tables (matched by member Jaccard);
- the baselines: venues ranked by one count of their sightings, and communities of plain
  Louvain or Leiden on the peer graph of ties, ordered by exploiter ties inside, then by
  serious sightings of their members.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIOUS = ("cse", "cce", "serious_youth_violence", "harmful_sexual_behaviour")
EXPLOITATION = ("cse", "cce")
RELIABILITY = ("unverified", "reported", "corroborated", "confirmed")

__all__ = [
    "EXPLOITATION",
    "RELIABILITY",
    "SERIOUS",
    "ContextIndex",
    "Found",
    "at_least",
    "community_table",
    "filtered_ranks",
    "find_context",
    "jaccard",
    "mrr",
    "rank_venues",
    "recall_at",
    "top_k_agreement",
    "venue_rank",
]


@dataclass(frozen=True)
class Found:
    """Where a planted group was found in a contexts table (``rank`` None: not found)."""

    rank: int | None
    people: frozenset[str] = frozenset()
    reach: str | None = None
    by_place: bool = False


NOT_FOUND = Found(None)


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class ContextIndex:
    """A contexts table exploded once, for many look-ups of planted groups.

    Parameters
    ----------
    table : DataFrame
        One row per context in ranked order (the first row is rank 1), with ``people``
        (list of person ids) and, optionally, ``places`` (list of place ids) and
        ``reach``.
    use_places : bool
        Whether a context holding the planted place finds the group (peermap's
        contexts); baseline communities have no places and find a group by its people.
    """

    def __init__(self, table: pd.DataFrame, *, use_places: bool = True) -> None:
        self.n = len(table)
        self._people = [frozenset(_as_list(v)) for v in table["people"]]
        self._reach = (
            [None if pd.isna(r) else str(r) for r in table["reach"]]
            if "reach" in table.columns
            else [None] * self.n
        )
        person_rows: dict[str, list[int]] = {}
        for pos, members in enumerate(self._people):
            for person in members:
                person_rows.setdefault(person, []).append(pos)
        self._person_rows = person_rows
        place_first: dict[str, int] = {}
        if use_places and "places" in table.columns:
            for pos, places in enumerate(table["places"]):
                for place in _as_list(places):
                    place_first.setdefault(place, pos)
        self._place_first = place_first

    def find(
        self, people: Collection[str], place_id: str | None = None, *, min_share: float = 0.5
    ) -> Found:
        """Return where the group of ``people`` (seen at ``place_id``) is found."""
        planted = set(people)
        best = self._place_first.get(place_id, self.n) if place_id is not None else self.n
        by_place = best < self.n
        if planted:
            counts: dict[int, int] = {}
            for person in planted:
                for pos in self._person_rows.get(person, ()):
                    counts[pos] = counts.get(pos, 0) + 1
            need = min_share * len(planted)
            for pos in sorted(counts):
                if pos >= best:
                    break
                if counts[pos] >= need:
                    best, by_place = pos, False
                    break
        if best >= self.n:
            return NOT_FOUND
        return Found(best + 1, self._people[best], self._reach[best], by_place)

    def members(self, rank: int) -> frozenset[str]:
        """The people of the context at 1-based ``rank``."""
        return self._people[rank - 1]


def find_context(
    table: pd.DataFrame,
    people: Collection[str],
    place_id: str | None = None,
    *,
    use_places: bool = True,
    min_share: float = 0.5,
) -> Found:
    """Find one planted group in a contexts table (see :class:`ContextIndex`)."""
    return ContextIndex(table, use_places=use_places).find(people, place_id, min_share=min_share)


def mrr(ranks: Iterable[int | None]) -> float:
    """Mean of 1/rank, counting a group not found (None) as 0; NaN with no groups."""
    values = [0.0 if r is None else 1.0 / r for r in ranks]
    return sum(values) / len(values) if values else math.nan


def filtered_ranks(ranks: Sequence[int | None]) -> list[int | None]:
    """Ranks with the other planted groups ranked above each one not counted.

    With two trap houses planted, one of them is at best second: the rank as defined
    caps MRR at 0.75. The filtered rank of a group is its rank less the number of
    distinct rows above it that found another planted group, so that every planted
    group at the top scores 1 (as in filtered link-prediction ranking). Groups found by
    the same row keep the same rank.
    """
    out: list[int | None] = []
    for i, r in enumerate(ranks):
        if r is None:
            out.append(None)
            continue
        above = {o for j, o in enumerate(ranks) if j != i and o is not None and o < r}
        out.append(r - len(above))
    return out


def recall_at(ranks: Iterable[int | None], k: int) -> float:
    """Share of groups found at rank <= k; NaN with no groups."""
    values = [r is not None and r <= k for r in ranks]
    return sum(values) / len(values) if values else math.nan


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard index of two sets of ids (1.0 for two empty sets)."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return len(sa & sb) / len(union) if union else 1.0


def venue_rank(table: pd.DataFrame, place_id: str) -> int | None:
    """Rank of ``place_id`` in a ranked table of places (``rank`` column, else position)."""
    hit = (table["place_id"].astype(str) == place_id).to_numpy()
    if not hit.any():
        return None
    pos = int(hit.argmax())
    if "rank" in table.columns:
        return int(table["rank"].iloc[pos])
    return pos + 1


def top_k_agreement(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    k: int = 10,
    threshold: float = 0.5,
    k_other: int | None = None,
) -> tuple[int, int]:
    """How many of ``a``'s top-k contexts reappear among ``b``'s top ``k_other``.

    A context reappears when some context of ``b``'s top ``k_other`` (default ``k``)
    has member Jaccard >= ``threshold`` with it. Returns ``(matched, compared)``;
    ``compared`` is ``k`` or fewer when ``a`` has fewer rows.
    """
    top_a = [set(_as_list(v)) for v in a["people"].iloc[:k]]
    top_b = [set(_as_list(v)) for v in b["people"].iloc[: k if k_other is None else k_other]]
    matched = sum(any(jaccard(x, y) >= threshold for y in top_b) for x in top_a)
    return matched, len(top_a)


def at_least(frame: pd.DataFrame, min_reliability: str) -> pd.DataFrame:
    """Rows whose ``reliability`` is ``min_reliability`` or better."""
    if min_reliability == RELIABILITY[0]:
        return frame
    keep = RELIABILITY[RELIABILITY.index(min_reliability) :]
    return frame[frame["reliability"].astype(str).isin(keep)]


def rank_venues(sightings: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rank places by one count of their sightings, most first.

    ``by`` is ``"people"`` (distinct young people), ``"serious"`` (records of
    cse, cce, serious youth violence or harmful sexual behaviour) or ``"exploitation"``
    (cse + cce records). Ties share the best rank (``min``), which favours the baseline.
    Returns ``place_id``, ``value``, ``rank`` sorted by rank, then place id.
    """
    if by == "people":
        value = sightings.groupby("place_id", sort=False)["person_id"].nunique()
    elif by in ("serious", "exploitation"):
        wanted = SERIOUS if by == "serious" else EXPLOITATION
        hit = sightings["context"].astype(str).isin(wanted)
        value = hit.groupby(sightings["place_id"], sort=False).sum()
    else:
        raise ValueError(f"unknown venue baseline {by!r}")
    out = pd.DataFrame(
        {"place_id": value.index.astype(str), "value": value.to_numpy(dtype="int64")}
    )
    out["rank"] = out["value"].rank(method="min", ascending=False).astype("int64")
    return out.sort_values(["rank", "place_id"], kind="stable").reset_index(drop=True)


def community_table(
    person_ids: Sequence[str],
    ties: pd.DataFrame,
    sightings: pd.DataFrame,
    *,
    method: str = "louvain",
    seed: int = 0,
    min_people: int = 2,
) -> pd.DataFrame:
    """Communities of plain Louvain or Leiden (modularity) on the peer graph of ties.

    The graph has one vertex per young person and one edge per pair with at least one
    tie, weighted by the number of tie records of the pair (any kind, any direction).
    Communities with at least ``min_people`` are ordered by exploiter ties inside, then
    by serious sightings of their members (anywhere), then by size. Returns
    ``context_id`` (1 = top), ``people``, ``places`` (always empty: communities of
    people only), ``n_people``, ``exploiter_ties``, ``serious``.
    """
    import igraph as ig

    ids = pd.Index([str(p) for p in person_ids])
    a = ids.get_indexer(ties["person_a"].astype(str))
    b = ids.get_indexer(ties["person_b"].astype(str))
    ok = (a >= 0) & (b >= 0) & (a != b)
    pairs = pd.DataFrame({"lo": np.minimum(a[ok], b[ok]), "hi": np.maximum(a[ok], b[ok])})
    weights = pairs.groupby(["lo", "hi"], sort=True).size()
    graph = ig.Graph(n=len(ids), edges=list(weights.index), directed=False)
    graph.es["weight"] = weights.to_numpy(dtype=float).tolist()
    random.seed(seed)  # igraph draws from Python's random module
    if method == "louvain":
        clusters = graph.community_multilevel(weights="weight")
    elif method == "leiden":
        clusters = graph.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=-1
        )
    else:
        raise ValueError(f"unknown community method {method!r}")
    membership = pd.Series(clusters.membership, index=ids)

    kinds = ties["kind"].astype(str).to_numpy()[ok]
    same = membership.to_numpy()[a[ok]] == membership.to_numpy()[b[ok]]
    exploit = pd.Series(membership.to_numpy()[a[ok]][same & (kinds == "exploiter")])
    exploiter_ties = exploit.value_counts()
    serious_rows = sightings[sightings["context"].astype(str).isin(SERIOUS)]
    who = ids.get_indexer(serious_rows["person_id"].astype(str))
    serious = pd.Series(membership.to_numpy()[who[who >= 0]]).value_counts()

    groups = pd.Series(ids, index=membership.to_numpy()).groupby(level=0).agg(list)
    table = pd.DataFrame({"people": groups})
    table["n_people"] = table["people"].map(len)
    table = table[table["n_people"] >= min_people]
    table["exploiter_ties"] = exploiter_ties.reindex(table.index, fill_value=0).to_numpy()
    table["serious"] = serious.reindex(table.index, fill_value=0).to_numpy()
    table = table.sort_values(
        ["exploiter_ties", "serious", "n_people"], ascending=False, kind="stable"
    ).reset_index(drop=True)
    table["places"] = [[] for _ in range(len(table))]
    table.insert(0, "context_id", range(1, len(table) + 1))
    return table[["context_id", "people", "places", "n_people", "exploiter_ties", "serious"]]
