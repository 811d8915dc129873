"""The metric helpers of benchmarks/bench_ranking.py, on hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from _benchmarks import benchmark_module

rm = benchmark_module("_ranking_metrics")


def contexts_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "context_id": [1, 2, 3, 4],
            "people": [["a", "b"], ["c", "d", "e", "f"], ["g", "h"], ["i", "j", "k"]],
            "places": [["p1"], ["p2"], ["p3", "p9"], []],
            "reach": ["single", "neighbours", "distant", "distant"],
        }
    )


# -- the found-context rule --------------------------------------------------------------


def test_found_by_place_at_its_row() -> None:
    found = rm.find_context(contexts_table(), ["x", "y"], "p9")
    assert found.rank == 3
    assert found.by_place
    assert found.reach == "distant"
    assert found.people == frozenset({"g", "h"})


def test_found_by_half_of_the_planted_people() -> None:
    # 2 of 4 planted people in row 2: exactly half is enough.
    found = rm.find_context(contexts_table(), ["c", "d", "x", "y"], "nowhere")
    assert (found.rank, found.by_place) == (2, False)


def test_less_than_half_is_not_found() -> None:
    assert rm.find_context(contexts_table(), ["c", "x", "y"]).rank is None


def test_the_smallest_row_wins_whichever_rule_finds_it() -> None:
    table = contexts_table()
    # people in row 4, place in row 3: row 3 comes first.
    assert rm.find_context(table, ["i", "j", "k"], "p3").rank == 3
    # people in row 1, place in row 3: row 1 comes first.
    found = rm.find_context(table, ["a", "b"], "p3")
    assert (found.rank, found.by_place) == (1, False)


def test_rank_is_the_row_position_in_table_order() -> None:
    table = contexts_table().iloc[::-1].reset_index(drop=True)  # context_id 4 now first
    assert rm.find_context(table, ["i", "j"]).rank == 1
    assert rm.find_context(table, [], "p1").rank == 4


def test_communities_find_by_people_only() -> None:
    table = contexts_table()
    index = rm.ContextIndex(table, use_places=False)
    assert index.find(["x"], "p1").rank is None
    assert index.find(["a", "x"], "p3").rank == 1


def test_missing_or_empty_member_lists() -> None:
    table = pd.DataFrame({"people": [None, ["a"], []], "places": [["p1"], float("nan"), None]})
    found = rm.find_context(table, ["a"], "p1")
    assert found.rank == 1
    assert found.reach is None
    assert rm.find_context(table, ["a"]).rank == 2


# -- MRR, recall, filtered ranks ---------------------------------------------------------


def test_mrr_counts_not_found_as_zero() -> None:
    assert rm.mrr([1, 2, None, 4]) == pytest.approx((1 + 0.5 + 0 + 0.25) / 4)
    assert rm.mrr([1]) == 1.0
    assert math.isnan(rm.mrr([]))


def test_recall_at_k() -> None:
    assert rm.recall_at([1, 5, 6, None], 5) == 0.5
    assert rm.recall_at([None], 5) == 0.0
    assert math.isnan(rm.recall_at([], 5))


def test_filtered_ranks_skip_other_planted_rows_above() -> None:
    assert rm.filtered_ranks([1, 2, 3]) == [1, 1, 1]
    assert rm.filtered_ranks([2, 7, None]) == [2, 6, None]
    # two groups found by the same row count it once and keep the same rank
    assert rm.filtered_ranks([3, 3, 5]) == [3, 3, 4]
    assert rm.mrr(rm.filtered_ranks([1, 2])) == 1.0


# -- Jaccard, venues, agreement ----------------------------------------------------------


def test_jaccard() -> None:
    assert rm.jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert rm.jaccard(["a"], ["a"]) == 1.0
    assert rm.jaccard([], ["a"]) == 0.0
    assert rm.jaccard([], []) == 1.0


def test_venue_rank_uses_the_rank_column_else_position() -> None:
    ranked = pd.DataFrame({"place_id": ["p2", "p1", "p3"], "rank": [1, 2, 2]})
    assert rm.venue_rank(ranked, "p3") == 2
    assert rm.venue_rank(ranked, "p9") is None
    assert rm.venue_rank(ranked.drop(columns="rank"), "p3") == 3


def test_top_k_agreement_matches_by_member_jaccard() -> None:
    a = pd.DataFrame({"people": [["a", "b", "c"], ["d", "e"], ["f", "g"]]})
    b = pd.DataFrame({"people": [["d", "e", "x"], ["a", "b"], ["q"], ["f", "g"]]})
    # {d,e} vs {d,e,x}: 2/3; {a,b,c} vs {a,b}: 2/3; {f,g} only at b's 4th row
    assert rm.top_k_agreement(a, b, k=3) == (2, 3)
    assert rm.top_k_agreement(a, b, k=3, k_other=4) == (3, 3)
    assert rm.top_k_agreement(a, b, k=3, threshold=0.7) == (0, 3)


# -- baselines ---------------------------------------------------------------------------


def sightings_table() -> pd.DataFrame:
    rows = [
        ("a", "busy", "other", "reported"),
        ("b", "busy", "other", "reported"),
        ("c", "busy", "bullying", "confirmed"),
        ("d", "busy", "serious_youth_violence", "confirmed"),
        ("a", "flat", "cse", "unverified"),
        ("b", "flat", "cce", "corroborated"),
        ("b", "flat", "missing_episode", "reported"),
        ("e", "park", "harmful_sexual_behaviour", "confirmed"),
        ("e", "park", "serious_youth_violence", "confirmed"),
    ]
    return pd.DataFrame(rows, columns=["person_id", "place_id", "context", "reliability"])


def test_venue_baselines() -> None:
    s = sightings_table()
    by_people = rm.rank_venues(s, "people").set_index("place_id")
    assert by_people.loc["busy", "rank"] == 1
    assert by_people.loc["flat", "rank"] == 2
    by_serious = rm.rank_venues(s, "serious").set_index("place_id")
    # flat: cse + cce = 2; park: hsb + syv = 2 (a tie shares rank 1); busy: syv = 1
    assert by_serious["rank"].to_dict() == {"flat": 1, "park": 1, "busy": 3}
    by_cse_cce = rm.rank_venues(s, "exploitation")
    assert by_cse_cce.iloc[0]["place_id"] == "flat"
    with pytest.raises(ValueError, match="unknown venue baseline"):
        rm.rank_venues(s, "nope")


def test_at_least_filters_reliability() -> None:
    s = sightings_table()
    assert len(rm.at_least(s, "unverified")) == len(s)
    kept = rm.at_least(s, "corroborated")
    assert set(kept["reliability"]) == {"corroborated", "confirmed"}


@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_community_baseline_orders_by_exploiter_ties_then_serious(method: str) -> None:
    # Two dense groups joined by one tie; the second has the exploiter tie.
    ids = ["a", "b", "c", "d", "e", "f", "z"]
    pairs = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f")]
    ties = pd.DataFrame([*pairs, ("c", "d")], columns=["person_a", "person_b"])
    ties["kind"] = "friend"
    ties.loc[len(ties)] = ["e", "f", "exploiter"]
    sightings = pd.DataFrame(
        {"person_id": ["a", "a", "b"], "context": ["cse", "cce", "serious_youth_violence"]}
    )
    table = rm.community_table(ids, ties, sightings, method=method, seed=0)
    assert list(table["context_id"]) == [1, 2]  # the isolated "z" is left out
    assert set(table.loc[0, "people"]) == {"d", "e", "f"}
    assert table.loc[0, "exploiter_ties"] == 1
    assert set(table.loc[1, "people"]) == {"a", "b", "c"}
    assert table.loc[1, "serious"] == 3
    assert table.loc[1, "places"] == []
    assert rm.find_context(table, ["d", "x"], "p1", use_places=False).rank == 1
