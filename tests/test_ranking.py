"""The concern score: specificity, severity, reliability, reach (hand-built cases).

These datasets are written here by hand, not by ``peermap.synthetic``: each case
isolates one reason the score gives for an order, so that the order holds for that
reason and not because a generator happens to plant things a certain way.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scipy.stats import chi2

import peermap
from peermap import _plain_words, _while_missing, ranking
from peermap.analysis import (
    ANCHOR_Q,
    APART_WEIGHT,
    CUT_Q,
    CUT_SPAN,
    community,
    context_graph,
    cut_weight,
)
from peermap.analysis.context_score import context_score

# Demo authorities (fictional, X09...): 1 borders 2, 4 and 7; 6 borders 5 only (the
# estuary parts it from 3: docs/geography.md, "Neighbouring authorities").
A1, A2, A3, A5, A6 = "X09000001", "X09000002", "X09000003", "X09000005", "X09000006"
XY = {  # a point inside each authority (EPSG:27700)
    A1: (693500, 315500),
    A2: (700820, 315400),
    A3: (709535, 315650),
    A5: (700839, 305600),
    A6: (710124, 306250),
}
CONTEXT_MIX = (  # a busy venue's ordinary records: every kind, mostly minor
    ["bullying"] * 30
    + ["other"] * 25
    + ["serious_youth_violence"] * 10
    + ["missing_episode"] * 10
    + ["gang_association"] * 8
    + ["teenage_relationship_abuse"] * 8
    + ["cse"] * 5
    + ["cce"] * 4
)


def _dataset(
    people: Iterable[tuple[str, str]],
    places: Iterable[tuple[str, str, str]],
    sightings: Iterable[tuple[str, ...]],
    ties: Iterable[tuple[str, str, str, str]] = (),
) -> peermap.Dataset:
    """Build a valid dataset: people (id, home), places (id, kind, authority), sightings
    (person, place, context, reliability[, date]: without one, dates run through the
    year by row), ties (a, b, kind, reliability)."""
    people_f = pd.DataFrame(list(people), columns=["person_id", "home_authority"]).assign(age=15)
    rows = []
    for i, (pid, kind, auth) in enumerate(places):
        x, y = XY[auth]
        rows.append((pid, kind, x + 50 * (i % 20), y + 50 * (i // 20)))
    places_f = pd.DataFrame(rows, columns=["place_id", "kind", "easting", "northing"])
    rows_s = list(sightings)
    s = pd.DataFrame(
        [row[:4] for row in rows_s], columns=["person_id", "place_id", "context", "reliability"]
    )
    s["date"] = [
        row[4] if len(row) > 4 else f"2024-{1 + i % 12:02d}-{1 + (i // 12) % 28:02d}"
        for i, row in enumerate(rows_s)
    ]
    s["source"] = "police"
    t = pd.DataFrame(list(ties), columns=["person_a", "person_b", "kind", "reliability"])
    t["first_seen"], t["last_seen"], t["source"] = "2024-03-01", "", "police"
    return peermap.read_dataset(
        {"people": people_f, "places": places_f, "sightings": s, "ties": t},
        boundaries=peermap.demo_boundaries(),
    )


def _busy_town(n: int = 240) -> tuple[list, list, list]:
    """A school and a fast-food shop that everyone uses, with ordinary records."""
    people = [(f"p{i:03d}", (A1, A2, A3)[i % 3]) for i in range(n)]
    places = [("school", "school", A1), ("chips", "fast_food", A2), ("park", "park", A3)]
    sightings = []
    for i, (pid, _) in enumerate(people):
        for j, venue in enumerate(("school", "chips", "park")):
            context = CONTEXT_MIX[(7 * i + 3 * j) % len(CONTEXT_MIX)]
            sightings.append((pid, venue, context, "reported"))
    return people, places, sightings


def test_excess_is_kulldorffs_poisson_log_likelihood_ratio() -> None:
    severity = np.array([1.0, 0.1])  # CSE, bullying
    result = ranking.excess(
        np.array([[10.0, 1.0]]), np.array([[2.0, 4.0]]), np.array([1.0, 1.0]), severity
    )
    llr = 10 * math.log(10 / 2) - (10 - 2)
    assert result.statistic[0].tolist() == pytest.approx([llr, 0.0])  # no excess: 0
    assert result.score[0] == pytest.approx(1.0 * llr)
    assert result.p_value[0] == pytest.approx(min(1.0, 2 * 0.5 * chi2.sf(2 * llr, 1)))
    assert result.ratio()[0] == pytest.approx(5.0)
    # A dispersion of 2 (records of weight 2) halves the evidence.
    halved = ranking.excess(
        np.array([[10.0, 1.0]]), np.array([[2.0, 4.0]]), np.array([2.0, 1.0]), severity
    )
    assert halved.score[0] == pytest.approx(result.score[0] / 2)


def test_a_busy_venue_is_not_a_hotspot_because_it_is_busy() -> None:
    people, places, sightings = _busy_town()
    # A small hotel: six young people from three authorities, each recorded twice for
    # exploitation. The school has more CSE/CCE records than the hotel in all.
    places.append(("hotel", "hotel", A6))
    victims = [pid for pid, _ in people[:6]]
    for pid in victims:
        sightings += [(pid, "hotel", "cse", "reported"), (pid, "hotel", "cce", "reported")]
    ds = _dataset(people, places, sightings)
    table = peermap.hotspots(ds)
    school = table.set_index("place_id").loc["school"]
    hotel = table.set_index("place_id").loc["hotel"]
    assert school["cse"] + school["cce"] > hotel["cse"] + hotel["cce"]
    assert table["place_id"].iloc[0] == "hotel"
    assert hotel["q_value"] < 0.01 and school["q_value"] > 0.05
    assert hotel["harmed_people"] == 6 and hotel["harmed_authorities"] == 3
    assert "CSE/CCE" in hotel["reasons"] and "hotel" in hotel["reasons"]


def test_specificity_ranks_a_concentrated_excess_above_a_diluted_one() -> None:
    # A busy venue at 1.25 times the usual rate over 400 expected records, and a small
    # one at 6 times over 1: the busy one has more evidence (a larger log-likelihood
    # ratio), the small one is where the harm is specific to the place.
    observed, expected = np.array([[500.0], [6.0]]), np.array([[400.0], [1.0]])
    plain = ranking.excess(observed, expected, np.array([1.0]), np.array([1.0]))
    assert plain.score[0] > plain.score[1]
    specific = ranking.excess(observed, expected, np.array([1.0]), np.array([1.0]), specific=True)
    assert specific.score[1] > specific.score[0]
    a = ranking.SPECIFICITY_PRIOR
    share = [1 - (400 + a) / (500 + a), 1 - (1 + a) / (6 + a)]
    assert specific.specificity[:, 0].tolist() == pytest.approx(share)
    assert specific.score.tolist() == pytest.approx((plain.score * np.array(share)).tolist())
    # No excess, no specificity; the p-values are the evidence and do not change.
    none = ranking.excess(
        np.array([[3.0]]), np.array([[5.0]]), np.array([1.0]), np.array([1.0]), specific=True
    )
    assert none.specificity[0, 0] == 0.0 and none.score[0] == 0.0
    assert specific.p_value.tolist() == plain.p_value.tolist()


def test_each_stream_of_evidence_is_specific_in_its_own_right() -> None:
    # A busy station: its records of harm a little above the usual (330 where 300 were
    # expected), and four young people whose exploiter ties meet there where half of
    # one was expected. Pooled, the records' modest excess sets the share of the harm
    # that is the station's own (a tenth) and dilutes the ties with it; as two streams,
    # the ties count at their own (seven tenths). A small place whose records and ties
    # both stand out keeps the pooled share: the prior is paid once, not per stream.
    a = ranking.SPECIFICITY_PRIOR
    observed = np.array([[330.0, 4.0], [3.0, 2.0]])
    expected = np.array([[300.0, 0.5], [0.3, 0.05]])
    spread, severity = np.ones(2), np.ones(2)
    pooled = ranking.excess(observed, expected, spread, severity, specific=True)
    two = ranking.excess(
        observed, expected, spread, severity, specific=True, streams=np.array([0, 1])
    )
    stat = pooled.statistic
    station_pooled = 1 - (300.5 + a) / (334 + a)
    assert pooled.score[0] == pytest.approx(stat[0].sum() * station_pooled)
    assert two.score[0] == pytest.approx(
        stat[0, 0] * station_pooled + stat[0, 1] * (1 - (0.5 + a) / (4 + a))
    )
    assert two.score[0] > 4 * pooled.score[0]
    # The small place: each stream alone is less specific than both together, so both
    # are weighed by the pooled share.
    small_pooled = 1 - (0.35 + a) / (5 + a)
    assert two.score[1] == pytest.approx(stat[1].sum() * small_pooled)
    assert pooled.score[1] == pytest.approx(stat[1].sum() * small_pooled)
    one = ranking.excess(
        observed, expected, spread, severity, specific=True, streams=np.array([0, 0])
    )
    assert one.score.tolist() == pooled.score.tolist()
    assert two.p_value.tolist() == pooled.p_value.tolist()


def test_a_streams_specificity_is_over_its_own_kinds_weighted_by_severity() -> None:
    # Three kinds, in streams 1, 0, 1 (the ids need not be in order), of severities 1,
    # 0.5 and 0.25: stream 1 holds the first and third kinds, weighted by severity in
    # its specificity as in the pooled one.
    a = ranking.SPECIFICITY_PRIOR
    observed, expected = np.array([[40.0, 6.0, 8.0]]), np.array([[30.0, 1.0, 2.0]])
    severity = np.array([1.0, 0.5, 0.25])
    result = ranking.excess(
        observed, expected, np.ones(3), severity, specific=True, streams=np.array([1, 0, 1])
    )
    weighted = result.statistic[0] * severity
    pooled = 1 - (30 + 0.5 + 0.5 + a) / (40 + 3 + 2 + a)
    own_1 = 1 - (30 + 0.5 + a) / (40 + 2 + a)
    own_0 = 1 - (0.5 + a) / (3 + a)
    assert own_1 < pooled < own_0
    expected_score = (weighted[0] + weighted[2]) * pooled + weighted[1] * own_0
    assert result.score[0] == pytest.approx(expected_score)
    with pytest.raises(ValueError, match="one per kind"):
        ranking.excess(observed, expected, np.ones(3), severity, specific=True, streams=[0, 1])
    with pytest.raises(ValueError, match="specific=True"):
        ranking.excess(observed, expected, np.ones(3), severity, streams=np.array([0, 0, 1]))


def test_exploiter_ties_that_meet_at_a_busy_park_are_not_diluted_by_its_records() -> None:
    # The park of the hub: eight young people whose exploiter ties meet there over the
    # summer, among 240 with ordinary records. A flat where two young people were each
    # recorded once for CSE (reported) stands out by its records at many times the rate
    # usual for a flat, but an analyst reads the park first.
    people, places, sightings, ties = _park_hub()
    places.append(("flat", "residential", A2))
    for pid, _ in people[100:102]:
        sightings.append((pid, "flat", "cse", "reported"))
    table = peermap.hotspots(_dataset(people, places, sightings, ties))
    assert table["place_id"].tolist()[:2] == ["park", "flat"]
    flat = table.set_index("place_id").loc["flat"]
    assert flat["excess_ratio"] > 10


def test_severity_orders_the_same_excess() -> None:
    people, places, sightings = _busy_town()
    places += [("flat", "residential", A1), ("hall", "youth_venue", A1)]
    for pid, _ in people[:6]:
        sightings.append((pid, "flat", "cce", "confirmed"))
    for pid, _ in people[6:12]:
        sightings.append((pid, "hall", "bullying", "confirmed"))
    table = peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")
    assert table.loc["flat", "concern"] > table.loc["hall", "concern"]


def test_reliability_weighs_without_cutting() -> None:
    people, places, sightings = _busy_town()
    places += [("sure", "hotel", A2), ("rumour", "hotel", A3)]
    for pid, _ in people[:5]:
        sightings.append((pid, "sure", "cse", "confirmed"))
    for pid, _ in people[5:10]:
        sightings.append((pid, "rumour", "cse", "unverified"))
    table = peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")
    assert table.loc["sure", "concern"] > table.loc["rumour", "concern"] > 0


def test_repeated_records_of_one_child_are_one_child() -> None:
    people, places, sightings = _busy_town()
    places += [("home", "residential", A1), ("squat", "residential", A2)]
    for k in range(12):  # one young person recorded twelve times at one address
        sightings.append(
            (people[0][0], "home", ("missing_episode", "cse", "cce")[k % 3], "confirmed")
        )
    for pid, _ in people[1:5]:  # four young people, once each
        sightings.append((pid, "squat", "cse", "confirmed"))
    table = peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")
    assert table.loc["squat", "concern"] > table.loc["home", "concern"]


def test_one_childs_harm_at_a_place_is_that_childs_case_not_a_hotspot() -> None:
    people, places, sightings = _busy_town()
    places += [("flat", "residential", A1), ("squat", "residential", A2)]
    # One child recorded twice at a flat for CSE (confirmed), and two children at a
    # squat for CSE, once each and less reliably: the flat holds more evidence of
    # harm, but all of it is one child's.
    for _ in range(2):
        sightings.append((people[0][0], "flat", "cse", "confirmed"))
    for pid, _ in people[1:3]:
        sightings.append((pid, "squat", "cse", "corroborated"))
    ds = _dataset(people, places, sightings)
    table = peermap.hotspots(ds).set_index("place_id")
    flat, squat = table.loc["flat"], table.loc["squat"]
    assert flat["harm"] > squat["harm"] and flat["p_value"] < squat["p_value"]
    assert squat["concern"] > flat["concern"] > 0
    assert flat["harmed_people"] == 1 and squat["harmed_people"] == 2
    # The discount is the first child's only: a third child at the squat adds what
    # their records add, not a count bonus.
    assert ranking.breadth(np.array([0, 1, 2, 3, 40])).tolist() == [0.0, 0.5, 1.0, 1.0, 1.0]


def test_a_groomer_and_the_one_child_he_grooms_are_one_case() -> None:
    # At his own home, an older young person in an exploiter tie with one girl, both
    # recorded there for CSE: one child's case, counted at half like any venue resting
    # on one child (the groomer is not a second child harmed).
    people, places, sightings = _busy_town()
    places += [("his_home", "residential", A1)]
    groomer, girl = people[0][0], people[1][0]
    for pid, day in ((groomer, "2024-05-04"), (girl, "2024-05-04"), (girl, "2024-06-08")):
        sightings.append((pid, "his_home", "cse", "reported", day))
    tie = [(groomer, girl, "exploiter", "reported")]
    tied = peermap.hotspots(_dataset(people, places, sightings, tie)).set_index("place_id")
    untied = peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")
    home = tied.loc["his_home"]
    assert home["harmed_people"] == 2  # both are recorded there; the reasons say so
    assert home["concern"] > untied.loc["his_home", "concern"] > 0  # the tie is evidence
    # Two girls he exploits there are two cases: not discounted.
    other = people[2][0]
    both = [*sightings, (other, "his_home", "cse", "reported", "2024-05-18")]
    ties = [*tie, (groomer, other, "exploiter", "reported")]
    two = peermap.hotspots(_dataset(people, places, both, ties)).set_index("place_id")
    # Two girls he grooms there are two cases: the address counts in full, more than
    # twice the address of one (which counted the groomer as a second child, and was
    # as concerning as a place of two children's cases).
    assert two.loc["his_home", "concern"] > 2 * home["concern"]


def _fight_and_flat(fight_days: int) -> pd.DataFrame:
    """A fight at a chicken shop puts twelve young people from three authorities on
    record for serious youth violence (confirmed), on one evening or, for the
    comparison, across ``fight_days`` evenings; at a flat four young people are recorded
    for CCE (reported) on four days over two months."""
    people, places, sightings = _busy_town()
    places += [("chicken", "fast_food", A2), ("flat", "residential", A1)]
    for k, (pid, _) in enumerate(people[10:22]):
        day = f"2024-11-{1 + k % fight_days:02d}"
        sightings.append((pid, "chicken", "serious_youth_violence", "confirmed", day))
    for pid, day in zip(
        [p for p, _ in people[30:34]],
        ["2024-03-02", "2024-03-20", "2024-04-09", "2024-04-27"],
        strict=True,
    ):
        sightings.append((pid, "flat", "cce", "reported", day))
    return peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")


def test_one_incident_is_one_event_however_many_it_puts_on_record() -> None:
    one_night = _fight_and_flat(fight_days=1)
    # The fight is one event: a chicken shop's evening of violence does not outrank a
    # flat where exploitation is recorded again and again, and its twelve records do
    # not read as twelve times the evidence.
    assert one_night.index[0] == "flat"
    assert one_night.loc["flat", "q_value"] < 0.05
    assert one_night.loc["flat", "concern"] > one_night.loc["chicken", "concern"]
    assert one_night.loc["chicken", "harmed_people"] == 12  # the reasons still say who
    # The same twelve records on twelve evenings are twelve events: a place where
    # violence recurs, well above the fight.
    twelve_nights = _fight_and_flat(fight_days=12)
    assert twelve_nights.loc["chicken", "concern"] > 3 * one_night.loc["chicken", "concern"]
    assert twelve_nights.loc["chicken", "q_value"] < 0.05 < one_night.loc["chicken", "q_value"]


def test_an_incidents_records_add_at_most_three_records_weight() -> None:
    from peermap._kernels import INCIDENT_CAP, incident_sizes, record_sums

    assert INCIDENT_CAP == ranking.PAIR_CAP == 3.0
    grades = ["confirmed", "reported"] * 3
    s = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d", "e", "f", "a", "g", "h"],
            "place_id": ["shop"] * 6 + ["shop", "park", "park"],
            "context": ["serious_youth_violence"] * 6 + ["cse"] + ["serious_youth_violence"] * 2,
            "date": pd.to_datetime(["2024-11-15"] * 9),
            "reliability": [*grades, "confirmed", "reported", "confirmed"],
        }
    )
    sums = record_sums(s)
    # Six records of one fight add three records' weight, at their mean reliability;
    # another kind of harm at the shop that day, and two records of the same kind in
    # the park (no more than three), keep their own.
    assert sums["weight"].iloc[:6].sum() == pytest.approx(3 * (1.0 + 0.5) / 2)
    assert sums["weight"].iloc[6:].tolist() == [1.0, 0.5, 1.0]
    assert sums["records"].tolist() == [1.0] * 9  # footfall is every record
    assert sums["weight2"].iloc[:6].sum() == pytest.approx(3 * (1.0 + 0.25) / 2)
    # Counted over a larger table (a dask partition's incidents span partitions).
    more = pd.concat([s, s.iloc[[0, 1, 2, 3, 4, 5]].assign(person_id=list("uvwxyz"))])
    assert record_sums(s, incident_sizes(more))["weight"].iloc[0] == pytest.approx(3 / 12)


def _cases_only() -> pd.DataFrame:
    """A partnership's list of cases (a MACE list): every record is harm, no ordinary
    footfall. Six girls from three authorities exploited at a hotel, where their
    exploiter ties meet; CSE also at a takeaway; ten young people reported missing from
    school; six boys recorded for gang association at a park, the only place where that
    kind of harm is recorded."""
    girls = [(f"g{i}", (A1, A2, A6)[i % 3]) for i in range(6)]
    boys = [(f"b{i}", A3) for i in range(6)]
    takeaway = [(f"t{i}", A2) for i in range(3)]
    pupils = [(f"s{i}", A1) for i in range(10)]
    people = [*girls, *boys, *takeaway, *pupils, ("x1", A1)]
    places = [
        ("hotel", "hotel", A1),
        ("park", "park", A3),
        ("chicken", "fast_food", A2),
        ("school", "school", A1),
    ]
    sightings = []
    for month in (3, 4, 5, 6):
        for pid, _ in girls:
            sightings.append((pid, "hotel", "cse", "corroborated", f"2024-{month:02d}-1{pid[1]}"))
        for pid, _ in boys:
            sightings.append(
                (pid, "park", "gang_association", "reported", f"2024-{month:02d}-2{pid[1]}")
            )
        sightings.append(("x1", "hotel", "cse", "confirmed", f"2024-{month:02d}-10"))
    for pid, _ in takeaway:
        sightings.append((pid, "chicken", "cse", "reported", f"2024-06-0{1 + int(pid[1])}"))
    for month in (9, 10):
        for pid, _ in pupils:
            sightings.append(
                (pid, "school", "missing_episode", "reported", f"2024-{month:02d}-1{pid[1]}")
            )
    ties = [("x1", pid, "exploiter", "confirmed") for pid, _ in girls[:4]]
    return peermap.hotspots(_dataset(people, places, sightings, ties)).set_index("place_id")


def test_harm_recorded_only_where_it_stands_out_is_judged_against_a_usual_rate() -> None:
    table = _cases_only()
    # The school and the park stand out and leave the baseline; what is left, the hotel
    # and the takeaway, would alone make CSE "usual" and gang association and missing
    # episodes never seen: the park and the school were infinitely above the rate usual
    # and ranked first and second, the hotel third. Pulled towards the rates of all
    # places, the usual rates are the data's: the park and the school are a few times
    # above them, and the hotel, where girls from three authorities are sexually
    # exploited and their exploiter ties meet, comes first, as severity weighs.
    for place in ("park", "school"):
        row = table.loc[place]
        assert row["expected"] > 0 and math.isfinite(row["excess_ratio"]), place
        assert row["excess_ratio"] > 2 and row["q_value"] < 0.001, place
        assert "far above" not in row["reasons"], place
    assert table.index[0] == "hotel"
    assert table.loc["hotel", "excess_ratio"] > 1.5


def _tied_at_hotel(exploiters_at: str | None) -> pd.DataFrame:
    """Five young people seen once each at a hotel ("other"), each in an exploiter tie;
    their five exploiters are seen at ``exploiters_at`` (a place id), or nowhere."""
    people, places, sightings = _busy_town()
    places.append(("hotel", "hotel", A6))
    ties = []
    for k, (pid, _) in enumerate(people[:5]):
        exploiter = people[-1 - k][0]
        sightings.append((pid, "hotel", "other", "reported", "2024-06-01"))
        ties.append((exploiter, pid, "exploiter", "confirmed"))
        if exploiters_at is None:  # the exploiter's sightings are taken out
            sightings = [row for row in sightings if row[0] != exploiter]
        else:  # the two seen there in the same week
            sightings.append((exploiter, exploiters_at, "other", "reported", "2024-06-03"))
            if exploiters_at == "park":
                sightings.append((pid, "park", "other", "reported", "2024-06-04"))
    return peermap.hotspots(_dataset(people, places, sightings, ties)).set_index("place_id")


def test_a_venue_where_exploiter_ties_meet_says_so_in_its_reasons() -> None:
    table = _tied_at_hotel("hotel")
    hotel = table.loc["hotel"]
    assert hotel["harm_kinds"] == ["exploiter"]
    assert hotel["met_people"] == 10 and hotel["tied_people"] == 10
    assert hotel["concern"] > table.drop(index="hotel")["concern"].max()
    assert hotel["reasons"].startswith("10 young people in exploiter ties that meet at this hotel")
    assert f"; {_plain_words.times(hotel['exploiter_ratio'])} the share usual" in hotel["reasons"]
    assert hotel["exploiter_ratio"] > 1


def test_exploiter_ties_count_where_they_meet_not_where_one_side_passes() -> None:
    # The same five young people at the hotel, their exploiters seen with them at the
    # busy park that everyone uses, in the same week, and never at the hotel: the ties
    # meet at the park, not at the hotel. The hotel holds five young people in exploiter
    # ties found there together: evidence at one remove (the "tied" kind, of half the
    # severity), not of their ties meeting there.
    apart = _tied_at_hotel("park")
    hotel = apart.loc["hotel"]
    assert hotel["tied_people"] == 5 and hotel["met_people"] == 0
    assert hotel["together_people"] == 5
    assert "exploiter" not in hotel["harm_kinds"] and "tied" in hotel["harm_kinds"]
    assert hotel["concern"] < _tied_at_hotel("hotel").loc["hotel", "concern"]
    # At the park, five meetings among 240 young people are judged against footfall.
    park = apart.loc["park"]
    assert park["met_people"] == 10 and park["tied_people"] == 10
    # An exploiter seen nowhere meets nowhere: nothing says where.
    unseen = _tied_at_hotel(None).loc["hotel"]
    assert unseen["tied_people"] == 5 and unseen["met_people"] == 0


def _car_wash(
    exploited_by: str, second_day: str = "2024-06-20", *, adult_at_park: bool = False
) -> pd.DataFrame:
    """Three boys recorded once each for CCE, unverified, at a car wash ("other") in
    June; each in a confirmed exploiter tie. ``exploited_by="one"``: all three by the
    same adult, who is never seen anywhere (not at the car wash either); ``"each"``: by
    three different ones, none seen. The third boy's record is on ``second_day``. With
    ``adult_at_park``, the one adult and the first boy are seen at the park in May."""
    people, places, sightings = _busy_town()
    places.append(("wash", "other", A6))
    adults = [pid for pid, _ in people[-3:]]
    boys = [pid for pid, _ in people[20:23]]
    sightings = [row for row in sightings if row[0] not in adults]
    ties = []
    for k, pid in enumerate(boys):
        day = second_day if k == 2 else f"2024-06-{1 + 5 * k:02d}"
        sightings.append((pid, "wash", "cce", "unverified", day))
        adult = adults[0] if exploited_by == "one" else adults[k]
        ties.append((adult, pid, "exploiter", "confirmed"))
    if adult_at_park:
        sightings.append((adults[0], "park", "other", "reported", "2024-05-02"))
        sightings.append((boys[0], "park", "other", "reported", "2024-05-03"))
    return peermap.hotspots(_dataset(people, places, sightings, ties)).set_index("place_id")


def _tied_at_flat(days: Sequence[str], *, adults_there: bool = False) -> pd.DataFrame:
    """Four young people of the busy town, each in a confirmed exploiter tie with a
    different young person of the town, seen at a flat on ``days`` (one each, nothing
    harmful recorded there). With ``adults_there``, each one's exploiter is seen at the
    flat on the same day."""
    people, places, sightings = _busy_town()
    places.append(("flat", "residential", A2))
    ties = []
    for k, day in enumerate(days):
        pid, exploiter = people[10 + k][0], people[-1 - k][0]
        sightings.append((pid, "flat", "other", "reported", day))
        if adults_there:
            sightings.append((exploiter, "flat", "other", "reported", day))
        ties.append((exploiter, pid, "exploiter", "confirmed"))
    return peermap.hotspots(_dataset(people, places, sightings, ties)).set_index("place_id")


def test_young_people_in_exploiter_ties_found_together_at_a_small_place_stand_out() -> None:
    # Four young people known to be exploited, by four different people never seen
    # there, are found at one flat in the same week, and nothing harmful is recorded
    # there: their ties meet nowhere there, but four of them together at a flat that no
    # one else uses is where practice looks.
    week = ["2024-06-01", "2024-06-02", "2024-06-04", "2024-06-06"]
    together = _tied_at_flat(week)
    flat = together.loc["flat"]
    assert flat["met_people"] == 0 and flat["together_people"] == 4
    assert "tied" in flat["harm_kinds"]
    assert flat["concern"] > together.drop(index="flat")["concern"].max()
    assert flat["reasons"].startswith(
        "4 young people in exploiter ties seen together at this residential address; "
        f"{_plain_words.times(flat['tied_ratio'])} the share usual among young people seen"
    )
    # The same four at the flat a season apart were not there together.
    apart = _tied_at_flat(["2024-01-05", "2024-04-05", "2024-07-05", "2024-10-05"]).loc["flat"]
    assert apart["tied_people"] == 4 and apart["together_people"] == 0
    assert "tied" not in apart["harm_kinds"] and apart["concern"] < flat["concern"]
    # Their exploiters seen there with them: the ties meet there, which counts in full,
    # and the same young people are not counted again as found together.
    met = _tied_at_flat(week, adults_there=True).loc["flat"]
    assert met["met_people"] == 8 and met["together_people"] == 0
    assert "exploiter" in met["harm_kinds"] and met["concern"] > flat["concern"]


def test_only_young_people_in_selected_exploiter_ties_are_found_together() -> None:
    # Two young people at a flat in the same week, one in a confirmed exploiter tie, the
    # other in an unverified one. Together when every grade counts; with unverified
    # ties left out, the first has no one in an exploiter tie beside him.
    people, places, sightings = _busy_town()
    places.append(("flat", "residential", A2))
    ties = []
    for k, grade in enumerate(("confirmed", "unverified")):
        pid, exploiter = people[10 + k][0], people[-1 - k][0]
        sightings.append((pid, "flat", "other", "reported", f"2024-06-0{1 + k}"))
        ties.append((exploiter, pid, "exploiter", grade))
    ds = _dataset(people, places, sightings, ties)
    every = peermap.hotspots(ds).set_index("place_id").loc["flat"]
    assert every["together_people"] == 2
    graded = peermap.hotspots(ds, min_reliability="reported").set_index("place_id").loc["flat"]
    assert graded["tied_people"] == 1 and graded["together_people"] == 0


def test_seen_together_is_another_young_person_at_the_place_within_the_days() -> None:
    person = np.array([0, 0, 1, 2, 3, 3, 4])
    place = np.array([5, 5, 5, 5, 6, 6, 6])
    day = np.array([0, 100, 50, 200, 10, 20, 90])
    # At place 5: 0 (days 0, 100) and 1 (day 50) within 60 days; 2 (day 200) is 100 days
    # from the nearest. At place 6: 3's two records are his own; 4 is 70 days from 3.
    found = ranking.seen_together(person, place, day)
    assert list(zip(found["person"], found["place"], strict=True)) == [(0, 5), (1, 5)]
    wider = ranking.seen_together(person, place, day, within_days=100)
    assert list(zip(wider["person"], wider["place"], strict=True)) == [
        (0, 5),
        (1, 5),
        (2, 5),
        (3, 6),
        (4, 6),
    ]


def test_young_people_exploited_by_one_person_meet_where_they_are_seen_together() -> None:
    # An adult who exploits three boys at a car wash is never recorded there (nor
    # anywhere): the boys, seen there in the same weeks, are what says it is his place.
    # Exploited by three different people, never seen, the same boys meet nowhere.
    one = _car_wash("one").loc["wash"]
    each = _car_wash("each").loc["wash"]
    assert one["met_people"] == 3 and each["met_people"] == 0
    assert "exploiter" in one["harm_kinds"] and "exploiter" not in each["harm_kinds"]
    assert one["concern"] > each["concern"]
    assert one["reasons"].startswith("3 young people in exploiter ties that meet at this place")
    # The third boy seen there five months after the others: he did not meet them there.
    later = _car_wash("one", second_day="2024-11-20").loc["wash"]
    assert later["met_people"] == 2
    # The adult seen with one of them, at the park: the records place him, and where he
    # meets them is the place; the boys at the car wash no longer stand in for him.
    placed = _car_wash("one", adult_at_park=True)
    assert placed.loc["wash", "met_people"] == 0
    assert placed.loc["park", "met_people"] >= 2


def test_shared_exploiter_pairs_those_one_person_exploits() -> None:
    # person_a exploits person_b: 0 exploits 1, 2 and 3 (the tie to 3 twice, the
    # stronger counts); 4 exploits 5 only; 6 exploits 0 (0 is exploited, by someone
    # else: no pair with 0's own victims); -1, not in the dataset, exploits 7 and 8.
    a = np.array([0, 0, 0, 0, 4, 6, -1, -1], dtype=np.intp)
    b = np.array([1, 2, 3, 3, 5, 0, 7, 8], dtype=np.intp)
    w = np.array([1.0, 0.5, 0.25, 0.8, 1.0, 1.0, 1.0, 1.0])
    pa, pb, pw = ranking.shared_exploiter(a, b, w)
    got = {(int(x), int(y)): float(z) for x, y, z in zip(pa, pb, pw, strict=True)}
    assert got == {
        (1, 2): pytest.approx(ranking.SHARED_EXPLOITER_WEIGHT * 0.5),
        (1, 3): pytest.approx(ranking.SHARED_EXPLOITER_WEIGHT * 0.8),
        (2, 3): pytest.approx(ranking.SHARED_EXPLOITER_WEIGHT * 0.5),
    }


def _park_hub(n: int = 240, recruits: int = 6) -> tuple[list, list, list, list]:
    """A busy park that ``n`` young people use, with ordinary records of every kind; six
    of them are recruited there over the summer by two older ones (exploiter ties), who
    have left school and are seen only at the park. The six are recorded there once
    more each in July, for gang association, unverified: their records alone do not
    set the park apart from the school and the shop; the exploiter ties that meet there
    do. Returns people, places, sightings and ties (the exploiters are the last two
    young people, the six recruits ``p010`` to ``p015``)."""
    people, places, sightings = _busy_town(n)
    exploiters = [pid for pid, _ in people[-2:]]
    victims = [pid for pid, _ in people[10 : 10 + recruits]]
    sightings = [row for row in sightings if row[0] not in exploiters or row[1] == "park"]
    ties = [(exploiters[k % 2], pid, "exploiter", "corroborated") for k, pid in enumerate(victims)]
    for k, pid in enumerate(victims):
        sightings.append((pid, "park", "gang_association", "unverified", f"2024-07-{k + 1:02d}"))
    for pid in exploiters:
        sightings.append((pid, "park", "other", "reported", "2024-07-10"))
    return people, places, sightings, ties


def test_a_hub_at_a_busy_park_stands_out_by_the_exploiter_ties_that_meet_there() -> None:
    people, places, sightings, ties = _park_hub()
    without = peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")
    table = peermap.hotspots(_dataset(people, places, sightings, ties)).set_index("place_id")
    assert table.index[0] == "park" and "exploiter" in table.loc["park", "harm_kinds"]
    assert table.loc["park", "concern"] > 2 * without.loc["park", "concern"]
    assert table.loc["park", "met_people"] == 8
    assert table.loc["park", "reasons"].startswith(
        "8 young people in exploiter ties that meet at this park; "
    )


def test_a_park_that_stands_out_by_meetings_alone_sets_apart_those_who_meet_there() -> None:
    # Ten recruits: the park stands out (q <= ANCHOR_Q) by the exploiter ties that meet
    # there alone. The dozens with an ordinary serious record there are too many to set
    # apart as one context (here at most 30), so the park's context is the twelve whose
    # ties meet there, and it ranks with the park.
    people, places, sightings, ties = _park_hub(recruits=10)
    ds = _dataset(people, places, sightings, ties)
    park = peermap.hotspots(ds).set_index("place_id").loc["park"]
    assert park["harm_kinds"] == ["exploiter"] and park["q_value"] <= ANCHOR_Q
    assert park["harmed_people"] > 30 and park["met_people"] == 12
    top = peermap.contexts(ds, max_people=30).iloc[0]
    met = [pid for pid, _ in people[10:20]] + [pid for pid, _ in people[-2:]]
    assert sorted(top["people"]) == sorted(met)
    assert "park" in top["places"]
    assert top["concern"] == pytest.approx(park["concern"])
    # The venue is named, as the analyst finds it in hotspots() and on the map.
    assert "grouped around hotspot venue park (park)" in top["reasons"]
    assert top["lending_place"] == "park" and "that venue sets its concern" in top["reasons"]


def test_ties_met_finds_where_both_young_people_are_seen_at_the_same_time() -> None:
    # Against a brute force over random records and ties: a tie meets at a place where
    # both its young people are seen within MEET_DAYS of each other (never where one is
    # not in the dataset, -1, or is seen nowhere); the strongest such tie per person
    # and place.
    rng = np.random.default_rng(4)
    n_people, n_places, n = 40, 12, 400
    person = rng.integers(0, 30, n).astype(np.intp)
    place = rng.integers(0, n_places, n).astype(np.intp)
    day = rng.integers(0, 365, n)
    a = rng.integers(-1, n_people, 80).astype(np.intp)
    b = rng.integers(0, n_people, 80).astype(np.intp)
    w = rng.choice([0.25, 0.5, 0.8, 1.0], 80)
    got = ranking.ties_met(person, place, day, a, b, w)
    expected: dict[tuple[int, int], float] = {}
    for x, y, weight in zip(a.tolist(), b.tolist(), w.tolist(), strict=True):
        if x < 0 or x == y:
            continue
        for me, other in ((x, y), (y, x)):
            for i in np.flatnonzero(person == me).tolist():
                there = (person == other) & (place == place[i])
                if (np.abs(day[there] - day[i]) <= ranking.MEET_DAYS).any():
                    key = (me, int(place[i]))
                    expected[key] = max(expected.get(key, 0.0), weight)
    assert len(expected) > 10
    assert dict(zip(zip(got["person"], got["place"], strict=True), got["weight"], strict=True)) == (
        expected
    )
    # Seen at the same place but further apart than MEET_DAYS: not together.
    apart = ranking.ties_met(
        np.array([0, 1]),
        np.array([5, 5]),
        np.array([0, ranking.MEET_DAYS + 1]),
        np.array([0]),
        np.array([1]),
        np.array([1.0]),
    )
    assert apart.empty
    together = ranking.ties_met(
        np.array([0, 1]),
        np.array([5, 5]),
        np.array([0, ranking.MEET_DAYS]),
        np.array([0]),
        np.array([1]),
        np.array([1.0]),
    )
    assert together[["person", "place"]].to_numpy().tolist() == [[0, 5], [1, 5]]


def test_reach_orders_venues_with_the_same_harm() -> None:
    people, places, sightings = _busy_town()
    places += [("local", "hotel", A1), ("wide", "hotel", A2)]
    locals_ = [pid for pid, home in people if home == A1][:6]
    mixed = [pid for pid, home in people if home != A2][6:12]  # homes in A1 and A3
    for pid in locals_:
        sightings.append((pid, "local", "cce", "corroborated"))
    for pid in mixed:
        sightings.append((pid, "wide", "cce", "corroborated"))
    table = peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")
    assert table.loc["local", "reach"] == "single"
    assert table.loc["wide", "reach"] in ("neighbours", "distant")
    assert table.loc["wide", "concern"] > table.loc["local", "concern"]


def _two_groups(far_people: int) -> peermap.Dataset:
    """Two groups: one in A6 with ``far_people`` members homed in A1 (not a neighbour)."""
    people, places, sightings = _busy_town(60)
    places += [("flat", "residential", A6), ("den", "residential", A3)]
    group = [(f"g{i}", A6) for i in range(6)] + [(f"f{i}", A1) for i in range(far_people)]
    people += group
    for pid, _ in group:
        sightings += [
            (pid, "flat", "cce", "confirmed"),
            (pid, "flat", "missing_episode", "reported"),
        ]
    ties = [(group[i][0], group[i + 1][0], "associate", "reported") for i in range(len(group) - 1)]
    return _dataset(people, places, sightings, ties)


def test_distant_needs_more_than_one_young_person() -> None:
    one = peermap.contexts(_two_groups(1), stability_runs=1)
    row = one[one["places"].map(lambda p: "flat" in p)].iloc[0]
    assert row["distant_people"] == 1 and row["reach"] == "neighbours"
    assert row["max_distance_km"] > 10
    three = peermap.contexts(_two_groups(3), stability_runs=1)
    row = three[three["places"].map(lambda p: "flat" in p)].iloc[0]
    assert row["distant_people"] == 3 and row["reach"] == "distant"


def test_a_group_seen_together_far_from_home_is_distant() -> None:
    # Four young people homed in A1 share a den at home and are seen together at a flat
    # in A6 (not a neighbour of A1) that belongs to a larger group homed there. The flat
    # is a shared place of the A1 group, and the group's reach comes from being there.
    people = [(f"a{i}", A1) for i in range(4)] + [(f"b{i}", A6) for i in range(8)]
    places = [("den", "residential", A1), ("flat", "residential", A6)]
    sightings = [(f"a{i}", "den", "other", "reported") for i in range(4) for _ in range(3)]
    sightings += [(f"b{i}", "flat", "other", "reported") for i in range(8) for _ in range(3)]
    sightings += [(f"a{i}", "flat", "cce", "reported") for i in range(3)]
    ties = [(f"a{i}", f"a{i + 1}", "associate", "reported") for i in range(3)]
    ties += [(f"b{i}", f"b{i + 1}", "associate", "reported") for i in range(7)]
    table = peermap.contexts(_dataset(people, places, sightings, ties), max_people=6)
    row = table[table["people"].map(lambda p: "a0" in p)].iloc[0]
    assert set(row["people"]) == {"a0", "a1", "a2", "a3"} and "flat" in row["shared_places"]
    assert row["reach"] == "distant" and row["distant_people"] == 3
    assert A6 in row["authorities"] and row["spans_authorities"]


def _crowd_with_a_route(far_context: str) -> peermap.Dataset:
    """Twelve young people homed in A1 crossing to a park in A2 (a neighbour); two of them
    also seen at a flat in A6 (not a neighbour) with ``far_context`` records."""
    people = [(f"c{i:02d}", A1) for i in range(12)]
    places = [("park", "park", A2), ("flat", "residential", A6)]
    sightings = [(pid, "park", "other", "reported") for pid, _ in people]
    sightings += [(f"c{i:02d}", "flat", far_context, "reported") for i in range(2)]
    ties = [(people[i][0], people[i + 1][0], "associate", "reported") for i in range(11)]
    return _dataset(people, places, sightings, ties)


def test_a_few_on_an_exploitation_route_make_a_crowd_distant() -> None:
    # Two of twelve is under the share that stops scattered visits from reading as a
    # county line; CCE records at the far end make it one all the same.
    route = peermap.contexts(_crowd_with_a_route("cce"), stability_runs=1).iloc[0]
    assert route["distant_people"] == 2 and route["reach"] == "distant"
    visits = peermap.contexts(_crowd_with_a_route("other"), stability_runs=1).iloc[0]
    assert visits["distant_people"] == 2 and visits["reach"] == "neighbours"


def _runners_from(homes: tuple[str, ...], record: str) -> peermap.Dataset:
    """Runners homed in ``homes``, each with a ``record`` at a flat in A6 and a den at
    home, tied in a chain as associates."""
    people = [(f"r{i}", home) for i, home in enumerate(homes)]
    places = [
        ("flat", "residential", A6),
        *((f"den{i}", "residential", h) for i, h in enumerate(homes)),
    ]
    sightings = [(f"r{i}", "flat", record, "reported") for i in range(len(homes))]
    sightings += [(f"r{i}", f"den{i}", "other", "reported") for i in range(len(homes))]
    ties = [(f"r{i}", f"r{i + 1}", "associate", "reported") for i in range(len(homes) - 1)]
    return _dataset(people, places, sightings, ties)


def test_runners_from_two_far_boroughs_at_one_address_are_distant() -> None:
    # A city's county line draws its runners from several of its boroughs: A1 and A2
    # each send one to a flat in A6 (neither borders it). No pair of authorities has
    # two young people, but one address far from both homes has two recorded for CCE.
    line = peermap.contexts(_runners_from((A1, A2), "cce"), stability_runs=1)
    row = line[line["places"].map(lambda p: "flat" in p)].iloc[0]
    assert row["reach"] == "distant" and row["distant_people"] == 2
    # The same visits with nothing of exploitation recorded: two visits, not a route.
    visits = peermap.contexts(_runners_from((A1, A2), "other"), stability_runs=1)
    row = visits[visits["places"].map(lambda p: "flat" in p)].iloc[0]
    assert row["reach"] == "neighbours"
    # One of the two from next door (A5 borders A6): one young person from far away.
    near = peermap.contexts(_runners_from((A1, A5), "cce"), stability_runs=1)
    row = near[near["places"].map(lambda p: "flat" in p)].iloc[0]
    assert row["reach"] == "neighbours" and row["distant_people"] == 1


def _line_run_from(holder_home: str) -> peermap.Dataset:
    """A flat in A6 where two runners are recorded for CCE, one homed in A1 (not a
    neighbour of A6), one in A5 (a neighbour); the line holder, homed in
    ``holder_home``, has exploiter ties to both and is never seen at the flat."""
    people = [("x", holder_home), ("r0", A1), ("r1", A5)]
    places = [("flat", "residential", A6), ("den", "residential", holder_home)]
    sightings = [(pid, "flat", "cce", "reported") for pid in ("r0", "r1")]
    sightings += [("x", "den", "other", "reported")]
    ties = [("x", "r0", "exploiter", "corroborated"), ("x", "r1", "exploiter", "reported")]
    return _dataset(people, places, sightings, ties)


def test_a_line_holder_far_away_makes_the_route_distant() -> None:
    # One runner homed far from the flat is one young person's visit; the line holder
    # at home in the same far authority, tied by exploitation to the runners recorded
    # for CCE at the flat, is a second piece of evidence of one route.
    far = peermap.contexts(_line_run_from(A1), stability_runs=1).iloc[0]
    assert far["people"] == ["r0", "r1", "x"]
    assert far["reach"] == "distant" and far["distant_people"] == 2
    # The same run with the holder at home next door to the flat: neighbours.
    near = peermap.contexts(_line_run_from(A5), stability_runs=1).iloc[0]
    assert near["people"] == ["r0", "r1", "x"]
    assert near["reach"] == "neighbours" and near["distant_people"] == 1


def test_a_line_holder_far_away_makes_the_venue_distant() -> None:
    # The flat's table row says the same as its context's: reached from afar.
    far = peermap.hotspots(_line_run_from(A1)).set_index("place_id").loc["flat"]
    assert far["reach"] == "distant" and far["harmed_people"] == 2
    assert "reached from distant authorities" in far["reasons"]
    near = peermap.hotspots(_line_run_from(A5)).set_index("place_id").loc["flat"]
    assert near["reach"] == "neighbours"
    assert "distant" not in near["reasons"]


def test_context_counts_every_sighting_of_its_people() -> None:
    ds = _two_groups(3)
    table = peermap.contexts(ds, stability_runs=1)
    s = ds.sightings
    for row in table.itertuples():
        mine = s[s["person_id"].isin(row.people)]
        assert row.cse + row.cce + row.missing_episode + row.bullying + row.other + (
            row.serious_youth_violence
            + row.gang_association
            + row.teenage_relationship_abuse
            + row.harmful_sexual_behaviour
        ) == len(mine)
        assert row.outside_sightings == int((~mine["place_id"].isin(row.places)).sum())


def test_a_place_shows_with_every_context_that_uses_it() -> None:
    ds = _two_groups(3)
    table = peermap.contexts(ds, stability_runs=1)
    seen = ds.sightings.groupby("place_id")["person_id"].apply(set)
    for row in table.itertuples():
        for place, who in seen.items():
            if len(who & set(row.people)) >= 2:
                assert place in row.places or place in row.shared_places


@pytest.fixture(scope="module")
def planted() -> tuple[peermap.Dataset, object]:
    from peermap.synthetic import scenario

    return scenario(peermap.demo_boundaries(), n_people=2000, seed=5)


def test_contexts_are_connected_and_stability_is_a_share(planted) -> None:  # type: ignore[no-untyped-def]
    ds, _ = planted
    table = peermap.contexts(ds)
    graph = context_graph(ds)
    for row in table.head(30).itertuples():
        nodes = [("person", p) for p in row.people] + [("place", p) for p in row.places]
        assert nx.is_connected(graph.subgraph(nodes))
    assert table["stability"].between(0.0, 1.0).all()
    assert table["stability"].iloc[0] >= 0.5  # the most concerning context holds
    assert table["stability"].nunique() > 1  # a measure, not a constant
    assert table["concern"].is_monotonic_decreasing
    assert table["context_id"].tolist() == list(range(1, len(table) + 1))
    # The reasons say when the share of runs weighs a context's concern.
    weighed = (table["stability"].round(2) < 1) & (table["concern"] > table["place_concern"])
    says = table["reasons"].str.contains("which weighs its concern", regex=False)
    assert (says == weighed).all()
    # What a venue lends, averaged over the runs, is a share of those harmed there that
    # the context holds: never above all of them ("for the 642% of those harmed").
    lent = table["place_share"].dropna()
    assert len(lent) and lent.between(0.0, 1.0).all()
    shares = table["reasons"].str.findall(r"for the (\d+)% of those").explode().dropna()
    assert shares.astype(int).le(100).all()


def test_stability_runs_are_independent_and_whole_components_always_come_out(
    planted: tuple[peermap.Dataset, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    ds, _ = planted
    table = peermap.contexts(ds, stability_runs=10)
    # Shares of 10 independent runs: tenths, and some context of the top 30 is not
    # found by every run (the runs differ from their first cut, not only below it).
    tenths = table["stability"] * 10
    assert np.allclose(tenths, tenths.round())
    assert (table["stability"].head(30) < 1).any()
    # Nothing to split (every component small enough): every context comes out always.
    whole = peermap.contexts(ds, max_people=None, stability_runs=10)
    assert (whole["stability"] == 1.0).all()
    # Above the size where runs cost too much, one run unless asked: no stability.
    monkeypatch.setattr(community, "STABILITY_AUTO_MAX_PEOPLE", 10)
    assert peermap.contexts(ds)["stability"].isna().all()
    assert peermap.contexts(ds, stability_runs=3)["stability"].notna().all()


def test_trap_houses_lead_contexts_and_venues(planted) -> None:  # type: ignore[no-untyped-def]
    ds, truth = planted
    table = peermap.contexts(ds, stability_runs=1)
    venues = peermap.hotspots(ds).set_index("place_id")
    for house in truth.trap_houses:
        hit = table[
            table["places"].map(lambda p, h=house: h.place_id in p)
            | table["people"].map(
                lambda p, h=house: len(set(p) & set(h.people)) * 2 >= len(h.people)
            )
        ]
        assert len(hit) and hit["context_id"].min() <= 5, house.place_id
        assert venues.loc[house.place_id, "rank"] <= 10, house.place_id


def test_a_context_is_at_least_as_concerning_as_its_own_places(
    planted: tuple[peermap.Dataset, object],
) -> None:
    """A trap house is set apart with those harmed there, so the context that holds it
    ranks with it (``docs/analysis.md``, concern); a venue counts for a context in the
    share of those harmed there that the context holds."""
    ds, truth = planted
    table = peermap.contexts(ds, stability_runs=1)
    venues = peermap.hotspots(ds).set_index("place_id")
    for house in truth.trap_houses:
        owner = table[table["places"].map(lambda p, h=house: h.place_id in p)]
        assert len(owner) == 1, house.place_id
        assert venues.loc[house.place_id, "q_value"] <= ANCHOR_Q
        assert owner["place_share"].iloc[0] == 1.0
        assert owner["concern"].iloc[0] >= venues.loc[house.place_id, "concern"] - 1e-9
    decided_by_place = shared = 0
    for row in table.itertuples():
        if row.place_concern > 0:
            # The concern of a venue (whose harmed or exploited young people it holds
            # most of), whole or in a share.
            assert 0 < row.place_share <= 1
            full = row.place_concern / row.place_share
            assert np.isclose(venues["concern"], full).any()
            shared += row.place_share < 1
            # The venue named is the one that lends it: its concern, in that share.
            lender = venues.loc[row.lending_place]
            assert lender["concern"] * row.place_share == pytest.approx(row.place_concern)
        else:
            assert pd.isna(row.lending_place)
        if row.place_concern > 0 and row.place_concern >= row.concern:
            decided_by_place += 1
            assert f"{row.lending_place} (" in row.reasons and "sets its concern" in row.reasons
            assert "a venue where" not in row.reasons
    assert decided_by_place > 0 and shared > 0  # the rules do something on this data
    assert table["concern"].is_monotonic_decreasing


def test_a_venue_counts_in_the_share_of_its_harmed_that_a_context_holds() -> None:
    # A hotel where six young people have confirmed CSE and CCE records stands out; a
    # flat where four have one unverified CSE record each does not. A venue lends its
    # concern to the group that holds most of those harmed there, whichever group the
    # venue went to: whole when it holds more than half of them, else in the share it
    # holds. The contexts that own the flat and the hotel but hold one of those harmed
    # there rank on neither; the flat's three of four and the hotel's three of six do.
    people, places, sightings = _busy_town(240)
    people += [(f"f{i}", A1) for i in range(4)] + [(f"h{i}", A2) for i in range(6)]
    places += [("flat", "residential", A1), ("hotel", "hotel", A2)]
    sightings += [(f"f{i}", "flat", "cse", "unverified") for i in range(4)]
    sightings += [(f"f{i}", "school", "other", "reported") for i in range(4)]
    sightings += [(f"h{i}", "hotel", c, "confirmed") for i in range(6) for c in ("cse", "cce")]
    ds = _dataset(people, places, sightings)
    venues = peermap.hotspots(ds).set_index("place_id")
    assert venues.loc["hotel", "q_value"] <= ANCHOR_Q < venues.loc["flat", "q_value"]
    assert venues.loc["flat", "concern"] > 0
    at = {pid: i for i, pid in enumerate(ds.people["person_id"])}
    person_ctx = np.full(len(ds.people), -1, dtype=np.intp)
    for ctx, members in enumerate((["f0"], ["f1", "f2", "f3"], ["h0"], ["h1", "h2", "h3"])):
        person_ctx[[at[p] for p in members]] = ctx
    place_ctx = np.full(len(ds.places), -1, dtype=np.intp)
    place_at = {pid: i for i, pid in enumerate(ds.places["place_id"])}
    place_ctx[place_at["flat"]], place_ctx[place_at["hotel"]] = 0, 2
    scored = context_score(ds, ds.sightings, ds.ties, (person_ctx, place_ctx), 4)
    # Each venue lends to the group that holds most of those harmed there, its owner or
    # not: the flat's three of four (whole), the hotel's three of six (a half).
    assert scored["place_share"][1] == 1.0
    assert scored["place_concern"][1] == pytest.approx(venues.loc["flat", "concern"])
    assert scored["place_share"][3] == pytest.approx(0.5)
    assert scored["place_concern"][3] == pytest.approx(venues.loc["hotel", "concern"] / 2)
    assert scored["place_concern"][[0, 2]].tolist() == [0.0, 0.0]  # the owners, holding one
    # Now the flat's owner holds three of the four harmed there.
    person_ctx[[at["f1"], at["f2"], at["f3"]]] = 0
    person_ctx[at["f0"]] = 1
    person_ctx[[at["h1"], at["h2"], at["h3"], at["h4"]]] = 2
    scored = context_score(ds, ds.sightings, ds.ties, (person_ctx, place_ctx), 4)
    assert scored["place_share"][0] == 1.0
    assert scored["place_concern"][0] == pytest.approx(venues.loc["flat", "concern"])
    assert scored["place_share"][2] == 1.0  # five of six
    assert scored["place_concern"][2] == pytest.approx(venues.loc["hotel", "concern"])


def test_a_cut_groups_excess_counts_by_how_much_it_stands_out(
    planted: tuple[peermap.Dataset, object],
) -> None:
    """Of the groups the community method cut from the town, those whose excess does not
    stand out count it in part or not at all, rank on their places where those lend
    more, and their reasons say so."""
    ds, _ = planted
    table = peermap.contexts(ds, stability_runs=1)
    weighted = table["excess_weight"] < 1
    assert weighted.any()  # the rule does something on this data
    q = table.loc[weighted, "q_value"]
    assert (q > CUT_Q / CUT_SPAN).all()
    # Groups joined by exploiter ties that meet nowhere count at least APART_WEIGHT.
    tied = table.loc[weighted, "reasons"].str.contains("grouped around exploiter ties", regex=False)
    least = np.where(tied, APART_WEIGHT, 0.0)
    np.testing.assert_allclose(
        table.loc[weighted, "excess_weight"], np.maximum(cut_weight(q), least)
    )
    np.testing.assert_allclose(
        table["concern"],
        np.maximum(table["excess_weight"] * table["excess_concern"], table["place_concern"]),
    )
    harm = table["excess_concern"] > 0
    none = weighted & harm & (table["excess_weight"] == 0)
    part = weighted & harm & (table["excess_weight"] > 0)
    assert none.any()
    why = (
        r"(?:a group cut from a larger network"
        r"|exploiter ties whose young people are not seen together)"
    )
    says_none = table["reasons"].str.contains(f"not enough to rank on, for {why}", regex=True)
    says_part = table["reasons"].str.contains(
        rf"counted at (?:\d+%|under 1%), for {why}", regex=True
    )
    with_words = table["harm_kinds"].map(len) > 0  # the excess is put in words
    assert (says_none == (none & with_words)).all()
    assert (says_part == (part & with_words)).all()
    assert table["concern"].is_monotonic_decreasing
    # A place's concern above 0 is never put as 0.0: where it sets a row's concern the
    # reasons say so, as "under 0.1" when it is that small.
    tiny = (table["place_concern"] > 0) & (table["place_concern"] < 0.05)
    sets = tiny & (table["place_concern"] >= table["concern"])
    assert sets.any()
    said = r"\(its venue concern, under 0\.1\)|\(under 0\.1: the venue's concern of"
    assert table.loc[sets, "reasons"].str.contains(said, regex=True).all()
    assert not table["reasons"].str.contains(r"concern(?:, | of )0\.0\b", regex=True).any()


def _pair_tied_by_exploitation(second_visit: str) -> pd.DataFrame:
    """The busy town with friendships, and two more young people joined by one exploiter
    tie, each seen once at the same flat: the older on 1 May, the younger on
    ``second_visit``. Returns the contexts, by the pair's first young person."""
    people, places, sightings = _busy_town()
    ties = [(people[i][0], people[i + 3][0], "friend", "reported") for i in range(0, 237, 2)]
    people += [("older", A1), ("younger", A3)]
    places += [("flat", "residential", A2)]
    sightings += [
        ("older", "flat", "other", "reported", "2024-05-01"),
        ("younger", "flat", "other", "reported", second_visit),
    ]
    ties.append(("older", "younger", "exploiter", "reported"))
    table = peermap.contexts(_dataset(people, places, sightings, ties), stability_runs=1)
    return table.assign(first=table["people"].map(min)).set_index("first")


def test_an_exploiter_tie_whose_young_people_are_never_seen_together_counts_by_its_evidence() -> (
    None
):
    # One exploiter tie, its two young people seen at the same flat five months apart:
    # the tie meets nowhere, the pair rests on one record, and counts its own excess by
    # how much that stands out (as a group cut from a larger network does), but at least
    # half of it; its reasons say why. Seen there in the same week, the tie meets there
    # and the pair counts in full.
    apart = _pair_tied_by_exploitation("2024-10-01").loc["older"]
    assert apart["exploiter_ties"] == 1
    assert apart["q_value"] > CUT_Q * CUT_SPAN  # one record does not stand out among many
    assert apart["excess_weight"] == APART_WEIGHT
    assert apart["concern"] == pytest.approx(APART_WEIGHT * apart["excess_concern"])
    assert (
        "counted at 50%, for exploiter ties whose young people are not seen together"
        in apart["reasons"]
    )
    together = _pair_tied_by_exploitation("2024-05-03").loc["older"]
    assert together["excess_weight"] == 1
    assert "not seen together" not in together["reasons"]
    assert together["concern"] > apart["concern"]


def test_a_cut_group_counted_in_part_says_how_much() -> None:
    """A cut group whose q-value is between the ends of the slope counts that part of
    its excess, and its reasons give the share an analyst can check against q."""
    from peermap.synthetic import scenario

    ds, _ = scenario(peermap.demo_boundaries(), n_people=2000, seed=8)
    table = peermap.contexts(ds, stability_runs=1)
    cut = ~table["reasons"].str.contains("grouped around exploiter ties", regex=False)
    part = table[cut & (table["excess_weight"] > 0) & (table["excess_weight"] < 1)]
    assert len(part) > 0  # this town has such groups
    for row in part.itertuples():
        assert CUT_Q / CUT_SPAN < row.q_value < CUT_Q * CUT_SPAN
        assert row.concern == pytest.approx(
            max(row.excess_weight * row.excess_concern, row.place_concern)
        )
        share = math.floor(100 * row.excess_weight)
        words = f"counted at {share}%" if share >= 1 else "counted at under 1%"
        assert f"{words}, for a group cut from a larger network" in row.reasons


def test_a_cut_groups_weight_follows_its_q_value_smoothly() -> None:
    """Full weight where the excess clearly stands out, half at CUT_Q, none where it
    does not; no jump between, so a small move of the q-value is a small move of the
    concern (the top of the list does not change with the seed)."""
    low = CUT_Q / CUT_SPAN
    high = CUT_Q * CUT_SPAN
    assert cut_weight([0.0, low / 10, low]).tolist() == [1.0, 1.0, 1.0]
    assert cut_weight([high, 0.9, 1.0]).tolist() == [0.0, 0.0, 0.0]
    assert cut_weight([CUT_Q])[0] == pytest.approx(0.5)
    q = np.geomspace(low / 2, high * 2, 2001)
    w = cut_weight(q)
    assert (np.diff(w) <= 0).all()
    assert np.abs(np.diff(w)).max() < 0.01  # continuous: no step
    assert cut_weight([np.nan])[0] == 0.0


def test_q_values_are_benjamini_hochberg() -> None:
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(0).random(300) ** 3
    np.testing.assert_allclose(ranking.q_values(p), false_discovery_control(p))
    assert ranking.q_values(np.zeros(0)).shape == (0,)


def test_a_contexts_concern_is_its_mean_over_the_runs_not_one_seeds_pick() -> None:
    # Three young people g0-g2 meet at a den with CSE records; q, with CSE records of
    # his own at a hotel, sits with them in one run and with h0-h1 in the other. The
    # consensus must put q somewhere, but the group's concern is the mean of its score
    # with him and without him, wherever he was put: not a seed's choice.
    people, places, sightings = _busy_town(60)
    people += [(f"g{i}", A1) for i in range(3)] + [("q", A1), ("h0", A2), ("h1", A2)]
    places += [("den", "residential", A1), ("hotel", "hotel", A2)]
    sightings += [(f"g{i}", "den", "cse", "confirmed") for i in range(3) for _ in range(2)]
    sightings += [("q", "hotel", "cse", "confirmed")] * 3
    sightings += [(f"h{i}", "park", "other", "reported") for i in range(2)]
    ds = _dataset(people, places, sightings)
    at = {pid: i for i, pid in enumerate(ds.people["person_id"])}
    n_people, n_places = len(ds.people), len(ds.places)
    no_place = np.full(n_places, -1, dtype=np.intp)

    def groups(*members: list[str]) -> npt.NDArray[np.int64]:
        label = np.full(n_people, -1, dtype=np.int64)
        for j, names in enumerate(members):
            label[[at[p] for p in names]] = j
        return label

    g, h = ["g0", "g1", "g2"], ["h0", "h1"]
    with_q, without_q = groups([*g, "q"], h), groups(g, ["q", *h])
    runs = [np.concatenate([r, np.full(n_places, -1)]) for r in (with_q, without_q)]

    def concern(
        person_ctx: npt.NDArray[np.int64], runs: list[npt.NDArray[np.int64]] | None = None
    ) -> pd.DataFrame:
        member_of = (person_ctx.astype(np.intp), no_place)
        return context_score(ds, ds.sightings, ds.ties, member_of, 2, runs)

    alone = [concern(with_q)["concern"][0], concern(without_q)["concern"][0]]
    assert alone[0] > alone[1] > 0  # q's records add to the group's harm
    for consensus_pick in (with_q, without_q):
        averaged = concern(consensus_pick, runs=runs)
        assert averaged["concern"][0] == pytest.approx(sum(alone) / 2)
        assert averaged["stability"].tolist() == [1.0, 1.0]
    # Without runs the score is the context's own, and stability is not known.
    own = concern(with_q)
    assert own["concern"][0] == pytest.approx(alone[0]) and own["stability"].isna().all()


def test_what_a_venue_lends_a_context_is_its_mean_over_the_runs() -> None:
    # Four young people a0-a3 harmed at a hotel that is g's own place. One run puts
    # three of them with g0-g2 (most of those harmed there: the hotel lends g its whole
    # concern), the other one of them, the other three in a group of their own (the
    # hotel lends to those three, g nothing). The group is found in both: what the hotel
    # lends it is the mean, wherever the consensus put a1 and a2.
    people, places, sightings = _busy_town(60)
    people += [(f"g{i}", A1) for i in range(3)] + [(f"a{i}", A2) for i in range(4)]
    places += [("hotel", "hotel", A2)]
    sightings += [(f"a{i}", "hotel", "cse", "confirmed") for i in range(4) for _ in range(2)]
    sightings += [(f"g{i}", "park", "other", "reported") for i in range(3)]
    ds = _dataset(people, places, sightings)
    at = {pid: i for i, pid in enumerate(ds.people["person_id"])}
    n_people, n_places = len(ds.people), len(ds.places)
    hotel = int(np.flatnonzero(ds.places["place_id"].to_numpy() == "hotel")[0])
    venue = peermap.hotspots(ds).set_index("place_id").loc["hotel", "concern"]

    def groups(*members: list[str]) -> npt.NDArray[np.int64]:
        label = np.full(n_people, -1, dtype=np.int64)
        for j, names in enumerate(members):
            label[[at[p] for p in names]] = j
        return label

    g = ["g0", "g1", "g2"]
    most, one = groups([*g, "a0", "a1", "a2"], ["a3"]), groups([*g, "a0"], ["a1", "a2", "a3"])
    place_ctx = np.full(n_places, -1, dtype=np.intp)
    place_ctx[hotel] = 0
    runs = [np.concatenate([r, place_ctx]) for r in (most, one)]
    member_of = (most.astype(np.intp), place_ctx)
    alone = context_score(ds, ds.sightings, ds.ties, member_of, 2)
    assert alone["place_concern"][0] == pytest.approx(venue)  # three of four: whole
    averaged = context_score(ds, ds.sightings, ds.ties, member_of, 2, runs)
    assert averaged["stability"][0] == 1.0
    # Grouped as in the second run, g holds one of the four: the hotel lends it nothing
    # (the park where g's three are seen lends it next to nothing).
    apart = context_score(ds, ds.sightings, ds.ties, (one.astype(np.intp), place_ctx), 2)
    assert apart["place_concern"][0] < venue / 100
    assert averaged["place_concern"][0] == pytest.approx((venue + apart["place_concern"][0]) / 2)


def test_a_grouping_only_some_runs_make_ranks_below_one_every_run_makes() -> None:
    # Two groups alike in every record: g0-g2 at one flat, k0-k2 at another. Every run
    # makes g; only one run in two makes k (the other scatters k among h0-h2). With the
    # same harm, the group every run finds ranks first, at twice the other's concern.
    people, places, sightings = _busy_town(60)
    people += [(f"g{i}", A1) for i in range(3)] + [(f"k{i}", A1) for i in range(3)]
    people += [(f"h{i}", A2) for i in range(3)]
    places += [("flat_g", "residential", A1), ("flat_k", "residential", A1)]
    for who, flat in (("g", "flat_g"), ("k", "flat_k")):
        sightings += [(f"{who}{i}", flat, "cse", "confirmed") for i in range(3) for _ in range(2)]
    sightings += [(f"h{i}", "park", "other", "reported") for i in range(3)]
    ds = _dataset(people, places, sightings)
    at = {pid: i for i, pid in enumerate(ds.people["person_id"])}
    n_people, n_places = len(ds.people), len(ds.places)

    def groups(*members: list[str]) -> npt.NDArray[np.int64]:
        label = np.full(n_people + n_places, -1, dtype=np.int64)
        for j, names in enumerate(members):
            label[[at[p] for p in names]] = j
        return label

    g, k, h = ["g0", "g1", "g2"], ["k0", "k1", "k2"], ["h0", "h1", "h2"]
    runs = [groups(g, k, h), groups(g, ["k0", *h], ["k1"], ["k2"])]
    consensus = groups(g, k, h)[:n_people].astype(np.intp)
    member_of = (consensus, np.full(n_places, -1, dtype=np.intp))
    own = context_score(ds, ds.sightings, ds.ties, member_of, 3)["concern"]
    assert own[0] == pytest.approx(own[1]) and own[0] > 0  # alike in every record
    scored = context_score(ds, ds.sightings, ds.ties, member_of, 3, runs)
    assert scored["stability"].tolist()[:2] == [1.0, 0.5]
    assert scored["concern"][0] == pytest.approx(own[0])
    assert scored["concern"][1] == pytest.approx(own[1] / 2)


def test_a_small_group_whose_harm_is_its_own_ranks_above_a_crowd_with_a_little_more() -> None:
    # 160 young people of the busy town, 30 of them with one CSE record more at each
    # venue (1.3 times the usual rate over about 44 expected), and three young people
    # with one CSE record each at a flat (6 times over a quarter). The crowd has more
    # evidence of an excess (a larger log-likelihood ratio); the three are where the
    # harm is theirs. A group is not concerning because it is big.
    people, places, sightings = _busy_town(240)
    crowd = [p for p, _ in people[:160]]
    sightings += [
        (p, v, "cse", "reported") for p in crowd[:30] for v in ("school", "chips", "park")
    ]
    people += [(f"g{i}", A1) for i in range(3)]
    places += [("flat", "residential", A1)]
    sightings += [(f"g{i}", "flat", "cse", "reported") for i in range(3)]
    ds = _dataset(people, places, sightings)
    at = {pid: i for i, pid in enumerate(ds.people["person_id"])}
    label = np.full(len(ds.people), -1, dtype=np.intp)
    label[[at[p] for p in crowd]] = 0
    label[[at[f"g{i}"] for i in range(3)]] = 1
    member_of = (label, np.full(len(ds.places), -1, dtype=np.intp))
    scored = context_score(ds, ds.sightings, ds.ties, member_of, 2)
    assert scored["harm_kinds"].tolist() == [["cse"], ["cse"]]
    o, e = scored["harm"].to_numpy(), scored["expected"].to_numpy()
    llr = o * np.log(o / e) - (o - e)  # one kind: the same dispersion and severity
    assert llr[0] > llr[1]  # the crowd: more evidence
    assert scored["concern"][1] > scored["concern"][0]  # the three: specific harm
    a = ranking.SPECIFICITY_PRIOR
    specific = llr * (1 - (e + a) / (o + a))
    assert scored["concern"][1] / scored["concern"][0] == pytest.approx(specific[1] / specific[0])


def test_what_a_venue_calls_serious_records_is_what_its_serious_column_counts() -> None:
    """Image sharing weighs as harmful sexual behaviour: the young people a venue's
    reasons count "with serious records here" and its ``serious`` sightings (and the
    report's column) are of one set of kinds, so the two never disagree on a row."""
    # The serious kinds: as severe as harmful sexual behaviour or more.
    kinds = {
        k for k, v in ranking.SEVERITY.items() if v >= ranking.SEVERITY["harmful_sexual_behaviour"]
    }
    people, places, sightings = _busy_town(120)
    sightings += [(pid, "park", "image_sharing", "reported") for pid, _ in people[:9]]
    ds = _dataset(people, places, sightings)
    seen = ds.sightings
    for row in peermap.hotspots(ds).itertuples():
        serious = seen[(seen["place_id"] == row.place_id) & seen["context"].isin(kinds)]
        assert row.serious == len(serious)
        said = re.search(r"(\d+) young people (?:from \d+ authorities )?with serious", row.reasons)
        if said:
            assert int(said.group(1)) == serious["person_id"].nunique() == row.harmed_people
    assert "image_sharing" in kinds


def test_a_busy_venue_that_does_not_stand_out_lends_two_of_its_harmed_only_their_share() -> None:
    """Two young people whose exploiter tie meets at a busy chip shop, among over fifty
    with ordinary serious records there, nothing there standing out (q = 1): their group
    is lent the shop's concern in the share of its harmed it holds (2 of them), not the
    whole of it, as if the shop's excess rested on the two."""
    people, places, sightings = _busy_town(330)
    a, b = people[5][0], people[11][0]
    sightings += [(a, "chips", "cce", "reported", "2024-04-02")]
    sightings += [(b, "chips", "cce", "reported", "2024-04-03")]
    ds = _dataset(people, places, sightings, [(a, b, "exploiter", "reported")])
    chips = peermap.hotspots(ds).set_index("place_id").loc["chips"]
    assert chips["q_value"] > ANCHOR_Q and chips["met_people"] == 2
    assert chips["harmed_people"] > 50  # more than max_people
    table = peermap.contexts(ds)
    pair = table[table["people"].map(lambda p: a in p)].iloc[0]
    assert set(pair["people"]) == {a, b}
    assert pair["place_concern"] <= chips["concern"] * 2 / chips["harmed_people"] + 1e-12


def test_a_hotels_victims_and_exploiter_are_one_context_whatever_their_friend_groups() -> None:
    """Six young people from six friend groups are exploited at one hotel, by one older
    young person seen there: the context around the hotel holds all seven, first, and
    not the friend groups that community detection alone would put them in."""
    people, places, sightings = _busy_town()
    places.append(("hotel", "hotel", A6))
    groups = [[pid for pid, _ in people[8 * k : 8 * k + 8]] for k in range(6)]
    ties = [(a, b, "friend", "confirmed") for g in groups for a, b in itertools.combinations(g, 2)]
    victims = [g[0] for g in groups]
    exploiter = people[-1][0]
    for pid in victims:
        sightings += [(pid, "hotel", "cse", "reported"), (pid, "hotel", "cce", "reported")]
    sightings.append((exploiter, "hotel", "other", "reported"))
    ties += [(exploiter, v, "exploiter", "reported") for v in victims]
    table = peermap.contexts(_dataset(people, places, sightings, ties))
    top = table.iloc[0]
    assert top["places"] == ["hotel"]
    assert set(top["people"]) == {*victims, exploiter}
    # Where they live, not where their places are.
    homes = {dict(people)[p] for p in (*victims, exploiter)}
    assert top["n_home_authorities"] == len(homes) > 1
    assert top["reasons"].startswith(f"7 young people from {len(homes)} authorities")
    assert "grouped around hotspot venue hotel (hotel)" in top["reasons"]
    assert top["stability"] == 1.0  # no seed decides who is in it
    # Their friends are grouped without them, and the hotel is no other context's own.
    rest = table.iloc[1:]
    assert not any(set(p) & {*victims, exploiter} for p in rest["people"])
    assert not any("hotel" in p for p in rest["places"])
    # With one young person harmed at the hotel, and no one else there, it is their
    # case, not a context around the hotel.
    one = [s for s in sightings if s[1] != "hotel" or s[0] == victims[0]]
    alone = peermap.contexts(_dataset(people, places, one, ties))
    assert not alone["reasons"].str.contains("around hotspot venue", regex=False).any()


def test_a_venue_whose_young_people_were_set_apart_with_another_goes_with_them() -> None:
    """A flat where four of a hotel's six victims, and one young person never at the
    hotel, are also exploited: it stands out too, but less than the hotel. The flat is
    the hotel's context's, with the one young person, not a second context of one."""
    people, places, sightings = _busy_town()
    places += [("hotel", "hotel", A6), ("flat", "residential", A5)]
    groups = [[pid for pid, _ in people[8 * k : 8 * k + 8]] for k in range(7)]
    ties = [(a, b, "friend", "confirmed") for g in groups for a, b in itertools.combinations(g, 2)]
    victims, newcomer = [g[0] for g in groups[:6]], groups[6][0]
    exploiter = people[-1][0]
    for pid in victims:
        sightings += [(pid, "hotel", "cse", "reported"), (pid, "hotel", "cce", "reported")]
    sightings.append((exploiter, "hotel", "other", "reported"))
    ties += [(exploiter, v, "exploiter", "reported") for v in victims]
    for pid in (*victims[:4], newcomer):
        sightings.append((pid, "flat", "cse", "reported"))
    ds = _dataset(people, places, sightings, ties)
    venues = peermap.hotspots(ds).set_index("place_id")
    assert venues.loc["flat", "q_value"] <= ANCHOR_Q
    assert venues.loc["flat", "concern"] < venues.loc["hotel", "concern"]
    table = peermap.contexts(ds)
    top = table.iloc[0]
    assert top["places"] == ["flat", "hotel"]
    assert set(top["people"]) == {*victims, exploiter, newcomer}
    assert not any("flat" in p for p in table["places"].iloc[1:])


def test_a_line_holder_never_seen_at_the_hotel_is_in_its_context() -> None:
    """The older young person exploiting four of a hotel's six victims is never recorded
    there: he belongs with them, not with his own friends (whose group would otherwise
    rank on his exploiter ties). One exploiter tie into the hotel's group, from someone
    whose other exploiter ties go elsewhere, does not bring them in."""
    people, places, sightings = _busy_town()
    places.append(("hotel", "hotel", A6))
    groups = [[pid for pid, _ in people[8 * k : 8 * k + 8]] for k in range(6)]
    ties = [(a, b, "friend", "confirmed") for g in groups for a, b in itertools.combinations(g, 2)]
    victims = [g[0] for g in groups]
    for pid in victims:
        sightings += [(pid, "hotel", "cse", "reported"), (pid, "hotel", "cce", "reported")]
    holder, friends = people[-1][0], [pid for pid, _ in people[-7:-1]]
    ties += [
        (a, b, "friend", "confirmed") for a, b in itertools.combinations([holder, *friends], 2)
    ]
    ties += [(holder, v, "exploiter", "reported") for v in victims[:4]]
    other = people[100][0]  # one tie into the hotel's group, two elsewhere
    ties += [(other, victims[5], "exploiter", "reported")]
    ties += [(other, people[k][0], "exploiter", "reported") for k in (120, 121)]
    table = peermap.contexts(_dataset(people, places, sightings, ties))
    top = table.iloc[0]
    assert top["places"] == ["hotel"] and "grouped around hotspot venue hotel" in top["reasons"]
    assert set(top["people"]) == {*victims, holder}
    assert top["exploiter_ties"] == 4
    mates = table[table["people"].map(lambda p: friends[0] in p)].iloc[0]
    assert holder not in mates["people"] and mates["exploiter_ties"] == 0
    assert other not in top["people"]


def test_an_exploiter_and_those_they_exploit_are_one_context_with_their_flat() -> None:
    """An older young person in exploiter ties with three younger ones from three friend
    groups: one context of the four, not three friend groups each with one of them, and
    it holds the places no one else uses."""
    people, places, sightings = _busy_town()
    places += [("flat", "residential", A6), ("bedsit", "residential", A6)]
    groups = [[pid for pid, _ in people[8 * k : 8 * k + 8]] for k in range(3)]
    ties = [(a, b, "friend", "confirmed") for g in groups for a, b in itertools.combinations(g, 2)]
    exploited = [g[1] for g in groups]
    exploiter = people[-2][0]
    ties += [(exploiter, v, "exploiter", "unverified") for v in exploited]
    sightings += [(exploiter, "bedsit", "other", "reported")] * 2  # only they go there
    for meet in (False, True):
        seen = sightings + [
            (pid, "flat", "other", "reported", "2024-05-02")
            for pid in (*exploited, exploiter)
            if meet
        ]
        table = peermap.contexts(_dataset(people, places, seen, ties))
        hit = table[table["people"].map(lambda p: exploiter in p)].iloc[0]
        assert set(hit["people"]) == {*exploited, exploiter}
        assert hit["exploiter_ties"] == 3 and hit["stability"] == 1.0
        # The bedsit only the exploiter uses is theirs; met at the flat, so is the flat
        # (which stands out for its exploiter ties).
        assert hit["places"] == (["bedsit", "flat"] if meet else ["bedsit"])
        if not meet:
            # three homes among the four (the exploiter's flat and bedsit are a fourth
            # authority's, not a home)
            homes = {dict(people)[p] for p in (*exploited, exploiter)}
            words = f"4 young people from {len(homes)} authorities grouped around exploiter ties"
            assert words in hit["reasons"]
        for g in groups:  # each friend group without the one exploited
            rows = table[table["people"].map(lambda p, f=g[0]: f in p)]
            assert set(rows.iloc[0]["people"]).isdisjoint(exploited)


def _party_flat(others_when: str) -> tuple[peermap.Dataset, list[str], list[str]]:
    """An older young person and two he exploits (unverified exploiter ties), from two
    friend groups, seen together at a flat on a weekend in August; four young people
    from four other friend groups recorded there for CSE, on reports that are soft, on
    ``others_when`` (a date). Returns the dataset, the three and the four."""
    people, places, sightings = _busy_town()
    places.append(("flat", "residential", A6))
    # Sixty homes, three young people each (none of the friend groups below), where CSE
    # and missing episodes are recorded at the rates homes see, and twenty exploiter
    # ties meet (both seen there a month apart): what the flat is judged against.
    home_mix = ["other"] * 6 + ["missing_episode"] * 2 + ["cse", "bullying"]
    residents = [[pid for pid, _ in people[48 + 3 * h : 51 + 3 * h]] for h in range(60)]
    ties = []
    for h, home in enumerate(residents):
        places.append((f"home{h:02d}", "residential", (A1, A2, A3)[h % 3]))
        for j, pid in enumerate(home):
            sightings.append((pid, f"home{h:02d}", home_mix[(h + 3 * j) % 10], "reported"))
        if h % 3 == 0:
            ties.append((home[0], home[1], "exploiter", "unverified"))
    groups = [[pid for pid, _ in people[8 * k : 8 * k + 8]] for k in range(6)]
    ties += [(a, b, "friend", "confirmed") for g in groups for a, b in itertools.combinations(g, 2)]
    exploiter, tied, others = people[-1][0], [g[0] for g in groups[:2]], [g[0] for g in groups[2:]]
    ties += [(exploiter, v, "exploiter", "unverified") for v in tied]
    for pid in (exploiter, *tied):
        sightings += [
            (pid, "flat", "other", "reported", "2024-08-02"),
            (pid, "flat", "missing_episode", "unverified", "2024-08-03"),
        ]
    for k, pid in enumerate(others):
        sightings.append((pid, "flat", "cse", ("unverified", "reported")[k % 2], others_when))
    return _dataset(people, places, sightings, ties), [exploiter, *tied], others


def test_an_exploiters_group_takes_the_flat_where_they_meet_with_those_harmed_there() -> None:
    # The flat's records are too few and too soft to stand out after false discovery
    # rate control, so it is not set apart on its own; the exploiter ties that meet
    # there are a third or more of its harm. The three and the four are one context,
    # with the flat, ranking on the flat's whole concern: not four friend groups each
    # holding one of the four, and the flat lent in shares.
    ds, three, four = _party_flat("2024-08-03")
    flat = peermap.hotspots(ds).set_index("place_id").loc["flat"]
    assert flat["q_value"] > ANCHOR_Q and flat["met_people"] == 3
    table = peermap.contexts(ds)
    hit = table[table["places"].map(lambda p: "flat" in p)].iloc[0]
    assert set(hit["people"]) == {*three, *four}
    assert hit["place_concern"] == pytest.approx(flat["concern"])
    assert hit["concern"] >= flat["concern"]
    # Recorded there in January, seven months before the three met there, the four are
    # not theirs: each stays with their friends.
    ds, three, four = _party_flat("2024-01-10")
    table = peermap.contexts(ds)
    hit = table[table["people"].map(lambda p: three[0] in p)].iloc[0]
    assert set(hit["people"]) == set(three)
    assert not set(hit["people"]) & set(four)


def test_a_large_component_no_split_divides_is_whole_not_cut() -> None:
    # Six friends over max_people whom no split divides (a tiny resolution keeps them
    # together) come out as the whole component they are: their excess, however weak,
    # ranks them as it does with no size limit, as for any whole component.
    people, places, sightings = _busy_town(60)
    people += [(f"q{i}", (A1, A2, A3)[i % 3]) for i in range(6)]
    sightings += [
        (f"q{i}", venue, CONTEXT_MIX[(11 * i + 5 * j) % len(CONTEXT_MIX)], "reported")
        for i in range(6)
        for j, venue in enumerate(("school", "chips"))
    ]
    sightings += [("q0", "school", "cse", "unverified")]
    ties = [
        (f"q{i}", f"q{j}", "friend", "reported") for i, j in itertools.combinations(range(6), 2)
    ]
    ds = _dataset(people, places, sightings, ties)
    unlimited = peermap.contexts(ds, stability_runs=1, include_places=False, max_people=None)
    capped = peermap.contexts(
        ds, stability_runs=1, include_places=False, max_people=3, resolution=0.01
    )
    assert (
        capped["people"].tolist() == unlimited["people"].tolist() == [[f"q{i}" for i in range(6)]]
    )
    # Weak: a cut group would count less of it.
    assert cut_weight([capped["q_value"][0]])[0] < 0.5
    assert capped["excess_concern"][0] > 0
    assert capped["concern"][0] == pytest.approx(unlimited["concern"][0])
    assert capped["concern"][0] == pytest.approx(capped["excess_concern"][0])


def _one_record_each(
    places: list[tuple[int, dict[str, float]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Records of one young person each at ``places`` ((records, share of each kind of
    harm)), the kinds in blocks from the first record: the records, their weights by kind
    (0 or 1) and their places, as :func:`peermap.ranking.baseline` takes them."""
    weight, where = [], []
    for p, (n, shares) in enumerate(places):
        rows = np.zeros((n, len(ranking.HARM_KINDS)))
        start = 0
        for harm, share in shares.items():
            count = round(share * n)
            rows[start : start + count, ranking.HARM_KINDS.index(harm)] = 1.0
            start += count
        weight.append(rows)
        where += [p] * n
    w = np.concatenate(weight)
    return np.ones(len(w)), w, np.array(where, dtype=np.intp)


def test_a_kind_of_place_with_its_own_usual_harm_is_judged_against_its_kind() -> None:
    # Forty places of other kinds where one record in two hundred is image sharing,
    # and twelve schools where three in twenty are, as schools record it: no school
    # stands out against schools. Against one rate for all places, every busy school
    # left the baseline, the small ones left were pulled towards the other kinds' rate,
    # and every school read three times "the rate usual for a school". A hotel with
    # three records in four of CSE, beside two ordinary hotels, stands out though it is
    # a third of its kind's records: it is judged against the other hotels, not against
    # itself.
    sharing = ranking.HARM_KINDS.index("image_sharing")
    cse = ranking.HARM_KINDS.index("cse")
    # (records, share of image sharing, share of CSE, kind: 0 other, 1 school, 2 hotel)
    places = [(60, 0.005, 0.01, 0)] * 40
    places += [(400, 0.15, 0.01, 1)] * 8 + [(20, 0.15, 0.0, 1)] * 4
    places += [(20, 0.0, 0.0, 2), (20, 0.0, 0.05, 2), (16, 0.0, 0.75, 2)]
    records, w, place = _one_record_each(
        [(n, {"image_sharing": a, "cse": b}) for n, a, b, _ in places]
    )
    kind = np.array([k for *_, k in places], dtype=np.intp)
    base = ranking.baseline(records, w, w, place, kind, len(places))
    observed = ranking.per_unit(place, len(places), base.observed)
    expected = ranking.per_unit(place, len(places), base.expected)
    result = ranking.excess(observed, expected, base.spread)
    schools = kind == 1
    assert np.allclose(observed[schools, sharing] / expected[schools, sharing], 1.0, atol=0.25)
    assert (result.p_value[schools] > 0.05).all()
    assert result.p_value[-1] < 0.001 and observed[-1, cse] / expected[-1, cse] > 5


def test_online_spaces_are_judged_against_online_spaces() -> None:
    # Forty places on the ground, where one record in a hundred is image sharing, and
    # eight group chats, where a third are: every chat is as usual as the others. Judged
    # against all places, the two busiest chats left the baseline and the rest were
    # pulled towards the rate on the ground, so every chat read several times "the rate
    # usual"; judged against chats, none stands out. A place on the ground with the
    # chats' rate still stands out against places on the ground.
    k = ranking.HARM_KINDS.index("image_sharing")
    ground = [(60, 0.01)] * 39 + [(60, 0.33)]  # (records, share of image sharing)
    chats = [(80, 0.34), (60, 0.33)] + [(12, 0.33)] * 6
    places = ground + chats
    online = np.array([False] * len(ground) + [True] * len(chats))
    kind = np.array([0] * len(ground) + [1] * len(chats), dtype=np.intp)
    records, w, place = _one_record_each([(n, {"image_sharing": a}) for n, a in places])

    def ratios(with_medium: bool) -> tuple[np.ndarray, np.ndarray]:
        base = ranking.baseline(
            records, w, w, place, kind, len(places), online if with_medium else None
        )
        observed = ranking.per_unit(place, len(places), base.observed)
        expected = ranking.per_unit(place, len(places), base.expected)
        result = ranking.excess(observed, expected, base.spread)
        return observed[:, k] / expected[:, k], result.p_value

    ratio, p = ratios(with_medium=True)
    assert np.allclose(ratio[online], 1.0, atol=0.15)
    assert (p[online] > 0.05).all()
    assert ratio[len(ground) - 1] > 5 and p[len(ground) - 1] < 0.001
    before, _ = ratios(with_medium=False)
    assert (before[online] > 1.5).all()  # the reading this replaced


def test_seen_while_missing_pairs_a_record_with_a_missing_episode_elsewhere() -> None:
    # Young person 0: missing from home (place 0) on day 10, seen at the hotel (place 1)
    # that day and at a park (place 2) three days later. Young person 1: seen at the
    # hotel the day after being reported missing from home (place 3), the missing
    # record unverified. Young person 2: a missing episode recorded at the hotel itself.
    person = np.array([0, 0, 0, 1, 1, 2])
    place = np.array([0, 1, 2, 3, 1, 1])
    day = np.array([10, 10, 13, 20, 21, 30], dtype=np.int64)
    weight = np.array([0.5, 1.0, 1.0, 0.25, 0.8, 1.0])
    missing = np.array([True, False, False, True, False, True])
    found = _while_missing.seen_while_missing(person, place, day, weight, missing)
    assert list(zip(found["person"], found["place"], strict=True)) == [(0, 1), (1, 1)]
    # The weaker of the two records: seen there (1.0) and missing (0.5); 0.8 and 0.25.
    assert found["weight"].tolist() == [0.5, 0.25]
    # Two days apart is not the same episode; none missing, nothing found.
    assert _while_missing.seen_while_missing(person, place, day, weight, missing, within_days=0)[
        "person"
    ].tolist() == [0]
    assert _while_missing.seen_while_missing(person, place, day, weight, missing & False).empty


def _missing_at_hotels(gap_days: int) -> pd.DataFrame:
    """The busy town and two quiet hotels. Six girls, each reported missing from her home
    (a residential address) on a Friday, are recorded at the first hotel ``gap_days``
    later ("other": a welfare check); six other girls are recorded at the second hotel on
    the same days, with no missing episode. Nothing else harmful at either hotel."""
    people, places, sightings = _busy_town()
    places += [("hotel", "hotel", A6), ("hotel2", "hotel", A5)]
    for k in range(6):
        missing, other = people[k][0], people[6 + k][0]
        places.append((f"home{k}", "residential", A1))
        day = pd.Timestamp("2024-05-03") + pd.Timedelta(days=7 * k)
        seen = (day + pd.Timedelta(days=gap_days)).strftime("%Y-%m-%d")
        sightings.append((missing, f"home{k}", "missing_episode", "reported", f"{day:%Y-%m-%d}"))
        sightings.append((missing, "hotel", "other", "reported", seen))
        sightings.append((other, "hotel2", "other", "reported", seen))
    return peermap.hotspots(_dataset(people, places, sightings)).set_index("place_id")


def test_a_venue_where_missing_young_people_are_seen_stands_out() -> None:
    # The episode is recorded where the girls went missing from, and the hotel records
    # only a welfare check: six girls seen there the night they are reported missing is
    # where practice looks, though no record at the hotel is of a serious kind.
    table = _missing_at_hotels(0)
    hotel, other = table.loc["hotel"], table.loc["hotel2"]
    assert hotel["missing_people"] == 6 and other["missing_people"] == 0
    assert "while_missing" in hotel["harm_kinds"] and hotel["missing_ratio"] > 1
    assert hotel["concern"] > table.drop(index="hotel")["concern"].max()
    assert other["concern"] < 0.1 * hotel["concern"]  # its "other" records only
    assert hotel["reasons"].startswith(
        "6 young people seen at this hotel within a day of being reported missing elsewhere; "
        f"{_plain_words.times(hotel['missing_ratio'])} the share usual"
    )
    # Seen a week after the report, they were not seen while missing.
    later = _missing_at_hotels(7).loc["hotel"]
    assert later["missing_people"] == 0
    assert later["concern"] == pytest.approx(other["concern"])


def _one_tie_at_the_park(*, serious: bool) -> pd.Series:
    """The busy park with one recruit, whose exploiter tie meets there; with ``serious``
    False, the town's serious records are recorded as bullying instead."""
    people, places, sightings, ties = _park_hub(recruits=1)
    if not serious:
        sightings = [
            (row[0], row[1], "bullying" if ranking.SEVERITY[row[2]] >= 0.6 else row[2], *row[3:])
            for row in sightings
        ]
    table = peermap.hotspots(_dataset(people, places, sightings, ties))
    return table.set_index("place_id").loc["park"]


def test_one_tie_meeting_at_a_busy_park_is_one_case_whatever_else_is_recorded_there() -> None:
    # One exploiter tie meets at the park: one child's case, so its excess counts half
    # (breadth). The park's ordinary serious records, at the rate usual for a park, are
    # not part of the excess and do not make it rest on more children.
    serious, plain = _one_tie_at_the_park(serious=True), _one_tie_at_the_park(serious=False)
    assert serious["harm_kinds"] == plain["harm_kinds"] == ["exploiter"]
    assert serious["met_people"] == plain["met_people"] == 2
    assert serious["harmed_people"] > 30  # named in the reasons as those with serious records
    # Reach is that of the young people harmed there (docs/analysis.md), so it may differ.
    breadth_and_score = [
        row["concern"] / ranking.REACH_FACTOR[row["reach"]] for row in (serious, plain)
    ]
    assert breadth_and_score[0] == pytest.approx(breadth_and_score[1], rel=0.1)


def test_reasons_read_as_an_analyst_writes_them() -> None:
    """Ratios round as they are read (9.96 is "10×", as 10.2 is; never "10.0×"); a
    ratio just over one is not "1.0×"; one young person in an exploiter tie is not
    "1 in exploiter ties"; a context counts its young people's homes, not the
    authorities of the places they share."""
    times = _plain_words.times
    assert [times(r) for r in (9.96, 10.2, 9.94, 1.03, 1.001, 2.5)] == [
        "10×",
        "10×",
        "9.9×",
        "1.03×",
        "just over 1×",
        "2.5×",
    ]
    people, places, sightings = _busy_town(330)
    a, b = people[5][0], people[11][0]  # one home authority
    sightings += [(a, "chips", "cce", "reported", "2024-04-02")]
    sightings += [(b, "chips", "cce", "reported", "2024-04-03")]
    ds = _dataset(people, places, sightings, [(a, b, "exploiter", "reported")])
    reasons = " ".join(peermap.hotspots(ds)["reasons"])
    assert "; 1 in exploiter ties" not in reasons and "1 of them in an exploiter tie" in reasons
    pair = peermap.contexts(ds).set_index("context_id")
    pair = pair[pair["people"].map(lambda p: a in p)].iloc[0]
    assert pair["n_home_authorities"] == 1 and pair["n_authorities"] > 1
    assert pair["reasons"].startswith("2 young people grouped around exploiter ties")
