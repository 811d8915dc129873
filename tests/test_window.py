"""One selection step: a Window applied once (issue 18, step 2).

An analyst asks "corroborated records since March" once; every analysis must then
count exactly those records, whether the window is given as ``window=`` or as the
three keywords, and relocations must be selected like ties and sightings.
"""

from __future__ import annotations

import pandas as pd
import pytest

import peermap
from conftest import DemoScenario
from peermap import Window, select
from peermap.filters import filter_sightings, filter_ties

WINDOW = dict(since="2024-03-01", until="2024-09-30", min_reliability="corroborated")


@pytest.fixture(scope="module")
def ds(demo_scenario: DemoScenario) -> peermap.Dataset:
    return demo_scenario(600, 5).dataset


def test_select_keeps_the_records_in_the_window_and_every_person_and_place(
    ds: peermap.Dataset,
) -> None:
    window = Window(**WINDOW)
    chosen = select(ds, window)
    pd.testing.assert_frame_equal(chosen.ties, filter_ties(ds, **WINDOW))
    pd.testing.assert_frame_equal(chosen.sightings, filter_sightings(ds, **WINDOW))
    moves = ds.relocations
    in_window = (moves["date"] >= window.since) & (moves["date"] <= window.until)
    pd.testing.assert_frame_equal(chosen.relocations, moves[in_window])
    assert 0 < len(chosen.relocations) < len(moves)  # the scenario has moves either side
    pd.testing.assert_frame_equal(chosen.people, ds.people)
    pd.testing.assert_frame_equal(chosen.places, ds.places)
    assert len(chosen.sightings) < len(ds.sightings)
    assert chosen.sightings["reliability"].isin(["corroborated", "confirmed"]).all()


def test_every_analysis_counts_the_same_records_with_window_or_keywords(
    ds: peermap.Dataset,
) -> None:
    window = Window(**WINDOW)
    pairs = [
        (peermap.contexts(ds, window=window), peermap.contexts(ds, **WINDOW)),
        (peermap.hotspots(ds, window=window), peermap.hotspots(ds, **WINDOW)),
        (peermap.flows(ds, window=window), peermap.flows(ds, **WINDOW)),
        (
            peermap.relocations_received(ds, window=window),
            peermap.relocations_received(ds, since=WINDOW["since"], until=WINDOW["until"]),
        ),
    ]
    for by_window, by_keywords in pairs:
        pd.testing.assert_frame_equal(by_window, by_keywords)
    # ... and a window changes what is counted.
    assert not peermap.flows(ds, window=window).equals(peermap.flows(ds))
    everything = peermap.hotspots(ds)
    assert everything["sightings"].sum() > pairs[1][0]["sightings"].sum()


def test_a_window_and_keywords_together_are_refused(ds: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match="not both"):
        peermap.contexts(ds, window=Window(since="2024-01-01"), until="2024-06-30")
    with pytest.raises(ValueError, match="not both"):
        peermap.hotspots(ds, window=Window(), min_reliability="confirmed")


def test_a_window_checks_its_bounds_and_grade() -> None:
    with pytest.raises(ValueError, match="after"):
        Window(since="2024-06-01", until="2024-01-01")
    with pytest.raises(ValueError, match="min_reliability='probable'"):
        Window(min_reliability="probable")
    with pytest.raises(ValueError, match="not a date"):
        Window(since="last spring")
    assert Window().everything and not Window(since="2024-01-01").everything


def test_a_bound_reads_as_records_do_and_a_blank_one_is_refused(ds: peermap.Dataset) -> None:
    # Records are read day first (DD/MM/YYYY), so a bound typed the same way means the
    # same day: pandas alone reads 01/06/2024 as the sixth of January.
    assert Window(since="01/06/2024").since == pd.Timestamp("2024-06-01")
    pd.testing.assert_frame_equal(
        filter_sightings(ds, since="01/06/2024", until="30/09/2024"),
        filter_sightings(ds, since="2024-06-01", until="2024-09-30"),
    )
    # A missing date is no bound; text that names no date is refused, not read as a
    # window that selects nothing ("nothing happened").
    assert Window(since=pd.NaT, until=None).everything
    assert len(peermap.contexts(ds, since=pd.NaT)) == len(peermap.contexts(ds))
    for blank in ("", "  ", "NaT", "31/02/2024", "06/2024"):
        with pytest.raises(ValueError, match="not a date"):
            Window(since=blank)
    from peermap.views.report import build_report

    text = build_report(ds, fmt="markdown", audience="partnership", since="01/06/2024")
    assert "records dated from 2024-06-01" in text


def test_every_output_reads_a_bound_given_as_a_keyword_as_the_window_does(
    ds: peermap.Dataset,
) -> None:
    # Relocations, periods and Gi* months read the bounds too: a day-first date, or
    # pd.NaT, must mean there what it means for sightings and ties.
    for since in ("01/06/2024", pd.NaT):
        window = Window(since=since)
        pd.testing.assert_frame_equal(
            peermap.authority_counts(ds, since=since),
            peermap.authority_counts(ds, window=window),
        )
        pd.testing.assert_frame_equal(
            peermap.flows(ds, kind="relocations", since=since),
            peermap.flows(ds, kind="relocations", window=window),
        )
        pd.testing.assert_frame_equal(
            peermap.timeline_table(ds, audience="partnership", since=since),
            peermap.timeline_table(ds, audience="partnership", window=window),
        )
    assert len(peermap.flows(ds, kind="relocations", since=pd.NaT)) == len(
        peermap.flows(ds, kind="relocations")
    )


def test_select_keeps_a_context_and_on_request_its_shared_places(ds: peermap.Dataset) -> None:
    table = peermap.contexts(ds)
    row = next(
        r for _, r in table.iterrows() if len(r["shared_places"]) > 0 and len(r["places"]) > 0
    )
    own = select(ds, context=row)
    assert set(own.places["place_id"]) == set(row["places"])
    chosen = select(ds, context=row, shared_places=True)
    assert set(chosen.people["person_id"]) == set(row["people"])
    assert set(chosen.places["place_id"]) == set(row["places"]) | set(row["shared_places"])
    members = set(row["people"])
    assert chosen.ties["person_a"].isin(members).all()
    assert chosen.ties["person_b"].isin(members).all()
    assert chosen.sightings["place_id"].isin(set(chosen.places["place_id"])).all()
    assert chosen.relocations["person_id"].isin(members).all()


def test_a_context_with_no_place_of_its_own_is_shown_where_it_reaches(
    ds: peermap.Dataset,
) -> None:
    # Young people joined by exploiter ties whose flat went with another group own no
    # place; what they share is where they reach, and what every view of them shows.
    table = peermap.contexts(ds)
    row = next(r for _, r in table.iterrows() if len(r["shared_places"]) > 0).copy()
    row["places"] = []
    chosen = select(ds, context=row)
    assert set(chosen.places["place_id"]) == set(row["shared_places"])
    seen = chosen.sightings
    assert len(seen) > 0 and seen["person_id"].isin(set(row["people"])).all()


def test_select_keeps_a_list_of_young_people_where_they_were_seen(
    ds: peermap.Dataset,
) -> None:
    people = ds.people["person_id"].iloc[:5].tolist()
    chosen = select(ds, Window(min_reliability="reported"), context=people)
    assert set(chosen.people["person_id"]) == set(people)
    seen = filter_sightings(ds, min_reliability="reported")
    seen = seen[seen["person_id"].isin(people)]
    assert set(chosen.places["place_id"]) == set(seen["place_id"])
    with pytest.raises(ValueError, match="not in the dataset"):
        select(ds, context=["nobody-at-all"])
    with pytest.raises(TypeError, match=r"row of peermap\.contexts"):
        select(ds, context="yp-000001")


def test_views_draw_the_same_records_with_window_or_keywords(ds: peermap.Dataset) -> None:
    window = Window(**WINDOW)
    by_window = peermap.timeline_table(ds, audience="partnership", window=window)
    by_keywords = peermap.timeline_table(ds, audience="partnership", **WINDOW)
    pd.testing.assert_frame_equal(by_window, by_keywords)
    everything = peermap.timeline_table(ds, audience="partnership")
    assert by_window.to_numpy().sum() < everything.to_numpy().sum()
    from peermap.views.report import build_report

    md_window = build_report(ds, fmt="markdown", audience="partnership", window=window)
    md_keywords = build_report(ds, fmt="markdown", audience="partnership", **WINDOW)

    def lines(text: str) -> list[str]:
        return [line for line in text.splitlines() if "generated" not in line.lower()]

    assert lines(md_window) == lines(md_keywords)
    assert lines(md_window) != lines(build_report(ds, fmt="markdown", audience="partnership"))
