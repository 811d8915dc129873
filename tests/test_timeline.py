"""Timelines: monthly counts checked against a hand-built history, and the figure against them.

    A = Northmere (X09000001), B = Harrowfield (X09000002), C = Eastwick Vale (X09000006)
    people  a1-a5 in A, b1, b2 in B, c1 in C; v1 is in A, v2 in B
    ties    t1 a1-a2 friend        2024-01-02
            t2 a1-a3 group_member  2024-01-10 to 2024-03-01
            t3 a1-b1 exploiter     2024-02-14 to 2024-04-01
            t4 a4-a5 friend        2024-03-03
            t5 b1-b2 sibling       2023-12-15
    sightings  a1@v1 cse 3 and 20 Jan; a2@v1 cce 5 Jan; b1@v1 cse 10 Feb;
               a3@v2 bullying 1 Apr; a1@v2 bullying 30 Apr
    relocations  b2 B->C 2 Feb; c1 C->A 10 Mar; a2 A->B 2 Apr

Northmere's records (places in A, young people homed in A; not t5 nor b2's move):

    month  sightings      ties                 relocations  active  new  so far
    Jan    cse 2, cce 1   friend, group_member              3       3    3
    Feb    cse 1          exploiter                         2       1    4
    Mar                   friend               into 1       2       2    6
    Apr    bullying 2                          out of 1     2       0    6
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import peermap
from conftest import DemoScenario, MakeDataset
from peermap.schema import CONTEXTS, TIE_KINDS
from peermap.views.diagrams import TIE_COLOURS
from peermap.views.timelines import CONTEXT_COLOURS, timeline, timeline_table

A, B, C = "X09000001", "X09000002", "X09000006"
MONTHS = pd.DatetimeIndex(
    ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"], name="period"
).astype("datetime64[ns]")


@pytest.fixture(scope="module")
def history(make_dataset: MakeDataset) -> peermap.Dataset:
    homes = {"a1": A, "a2": A, "a3": A, "a4": A, "a5": A, "b1": B, "b2": B, "c1": C}
    ties = pd.DataFrame(
        [
            ("a1", "a2", "friend", "2024-01-02", ""),
            ("a1", "a3", "group_member", "2024-01-10", "2024-03-01"),
            ("a1", "b1", "exploiter", "2024-02-14", "2024-04-01"),
            ("a4", "a5", "friend", "2024-03-03", ""),
            ("b1", "b2", "sibling", "2023-12-15", ""),
        ],
        columns=["person_a", "person_b", "kind", "first_seen", "last_seen"],
    ).assign(source="police", reliability="reported")
    sightings = pd.DataFrame(
        [
            ("a1", "v1", "2024-01-03", "cse"),
            ("a1", "v1", "2024-01-20", "cse"),
            ("a2", "v1", "2024-01-05", "cce"),
            ("b1", "v1", "2024-02-10", "cse"),
            ("a3", "v2", "2024-04-01", "bullying"),
            ("a1", "v2", "2024-04-30", "bullying"),
        ],
        columns=["person_id", "place_id", "date", "context"],
    ).assign(source="police", reliability="reported")
    return make_dataset(
        people=[(p, home, 14) for p, home in homes.items()],
        places=[("v1", "hotel", 693500.0, 315500.0), ("v2", "park", 700821.0, 315400.0)],
        ties=ties,
        sightings=sightings,
        relocations=[
            ("b2", B, C, "2024-02-02", "care_placement"),
            ("c1", C, A, "2024-03-10", "care_placement"),
            ("a2", A, B, "2024-04-02", "housing"),
        ],
    )


def _col(table: pd.DataFrame, measure: str, category: str) -> list[object]:
    return table[(measure, category)].tolist()


def test_authority_counts_match_the_history(history: peermap.Dataset) -> None:
    t = timeline_table(history, authority="Northmere", audience="partnership")
    pd.testing.assert_index_equal(t.index, MONTHS, check_freq=False)
    assert _col(t, "sightings", "cse") == [2, 1, 0, 0]
    assert _col(t, "sightings", "cce") == [1, 0, 0, 0]
    assert _col(t, "sightings", "bullying") == [0, 0, 0, 2]
    assert _col(t, "ties", "friend") == [1, 0, 1, 0]
    assert _col(t, "ties", "group_member") == [1, 0, 0, 0]
    assert _col(t, "ties", "exploiter") == [0, 1, 0, 0]
    assert _col(t, "ties", "sibling") == [0, 0, 0, 0]
    assert _col(t, "relocations", "into") == [0, 0, 1, 0]
    assert _col(t, "relocations", "out_of") == [0, 0, 0, 1]
    assert _col(t, "relocations", "within") == [0, 0, 0, 0]
    assert _col(t, "people", "active") == [3, 2, 2, 2]
    assert _col(t, "people", "new") == [3, 1, 2, 0]
    assert _col(t, "people", "cumulative") == [3, 4, 6, 6]
    # Every column is there, in schema order; totals agree with the records.
    assert list(t["sightings"].columns) == list(CONTEXTS)
    assert list(t["ties"].columns) == list(TIE_KINDS)
    assert int(t["sightings"].to_numpy().sum()) == 6
    assert int(t["ties"].to_numpy().sum()) == 4
    assert t.attrs["first_date"] == dt.date(2024, 1, 2)
    assert t.attrs["last_date"] == dt.date(2024, 4, 30)
    assert t.attrs["title"] == "Northmere" and t.attrs["rule"] is None
    # By code too, any case.
    pd.testing.assert_frame_equal(
        t, timeline_table(history, authority=A.lower(), audience="partnership")
    )


def test_whole_dataset_and_window(history: peermap.Dataset) -> None:
    whole = timeline_table(history, audience="partnership")
    assert whole.index[0] == pd.Timestamp("2023-12-01") and len(whole) == 5
    assert _col(whole, "ties", "sibling") == [1, 0, 0, 0, 0]
    assert int(whole["sightings"].to_numpy().sum()) == len(history.sightings)
    assert int(whole["ties"].to_numpy().sum()) == len(history.ties)
    # Every move is between authorities of the dataset: within.
    assert _col(whole, "relocations", "within") == [0, 0, 1, 1, 1]
    assert _col(whole, "people", "cumulative")[-1] == 7  # c1 only moved
    # From February: t2 (active to 1 March) counts from the window's start; t1 and t5
    # (no last-seen date, first seen before) are out.
    feb = timeline_table(history, since="2024-02-01", audience="partnership")
    pd.testing.assert_index_equal(feb.index, MONTHS[1:], check_freq=False)
    assert _col(feb, "ties", "group_member") == [1, 0, 0]
    assert _col(feb, "ties", "exploiter") == [1, 0, 0]
    assert _col(feb, "ties", "friend") == [0, 1, 0]
    assert _col(feb, "sightings", "cse") == [1, 0, 0]
    assert _col(feb, "people", "active") == [3, 2, 2]
    assert feb.attrs["first_date"] == dt.date(2024, 2, 1)


def test_a_group_of_young_people(history: peermap.Dataset) -> None:
    t = timeline_table(history, context=["a1", "b1"], audience="partnership")
    pd.testing.assert_index_equal(t.index, MONTHS, check_freq=False)
    assert _col(t, "sightings", "cse") == [2, 1, 0, 0]
    assert _col(t, "sightings", "bullying") == [0, 0, 0, 1]
    assert int(t["ties"].to_numpy().sum()) == 1  # a1-b1 only
    assert int(t["relocations"].to_numpy().sum()) == 0
    assert t.attrs["title"] == "2 young people"


def test_weeks(history: peermap.Dataset) -> None:
    t = timeline_table(history, authority=A, freq="W-MON", audience="partnership")
    assert (t.index.day_of_week == 0).all()
    assert t.index[0] == pd.Timestamp("2024-01-01")  # a Monday; first record 2 Jan
    assert int(t["sightings"].to_numpy().sum()) == 6
    week_of_jan_20 = t.loc[pd.Timestamp("2024-01-15"), ("sightings", "cse")]
    assert week_of_jan_20 == 1


def test_a_period_pandas_does_not_know_is_refused_by_name(history: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match="freq='fortnightly' is not a period"):
        timeline_table(history, authority=A, freq="fortnightly", audience="partnership")


def test_public_counts_follow_the_rule(history: peermap.Dataset) -> None:
    default = timeline_table(history, authority=A)
    assert default.attrs["audience"] == "public"
    assert set(default.to_numpy().ravel().tolist()) == {"c"}  # all under 10, zero too
    t = timeline_table(history, authority=A, min_count=2, round_to=1)
    exact = timeline_table(history, authority=A, audience="partnership")
    assert _col(exact, "sightings", "cse") == [2, 1, 0, 0]
    assert _col(exact, "people", "cumulative") == [3, 4, 6, 6]
    # Each public count: withheld under the threshold, else its cell's noise (at most 2
    # either way, the same for the same records in every call).
    for column in t.columns:
        for shown, n in zip(t[column], exact[column], strict=True):
            if n < 2:
                assert shown == "c", column
            else:
                assert shown == "c" or (isinstance(shown, int) and abs(shown - n) <= 2), column
    again = timeline_table(history, authority=A, min_count=2, round_to=1)
    assert again.equals(t)
    assert any(isinstance(v, int) for column in t.columns for v in t[column])
    with pytest.raises(ValueError, match="exact"):
        timeline_table(history, audience="partnership", min_count=5)
    with pytest.raises(ValueError, match="not both"):
        timeline_table(history, context=["a1"], authority=A)
    with pytest.raises(ValueError, match="not in the dataset"):
        timeline_table(history, authority="Atlantis")


def _bars(ax: object) -> dict[str, list[float]]:
    out = {}
    for container in ax.containers:  # type: ignore[attr-defined]
        out[container.get_label()] = [round(p.get_height(), 6) for p in container.patches]
    return out


def test_figure_draws_the_table(history: peermap.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "timeline.png"
    fig = timeline(history, authority="Northmere", audience="partnership", path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    t = timeline_table(history, authority="Northmere", audience="partnership")
    people, sightings, ties, relocations = fig.axes[:4]
    assert _bars(sightings) == {
        "cse": [2, 1, 0, 0],
        "cce": [1, 0, 0, 0],
        "bullying": [0, 0, 0, 2],
    }
    assert _bars(ties) == {
        "friend": [1, 0, 1, 0],
        "group member": [1, 0, 0, 0],
        "exploiter": [0, 1, 0, 0],
    }
    assert _bars(relocations) == {"into the area": [0, 0, 1, 0], "out of the area": [0, 0, 0, 1]}
    assert _bars(people)["active in the period"] == _col(t, "people", "active")
    step = people.get_lines()[0]
    assert list(step.get_ydata())[:4] == _col(t, "people", "cumulative")
    # Colours: abuse contexts and tie kinds as in the diagram.
    from matplotlib.colors import to_hex

    for ax, colours in ((sightings, CONTEXT_COLOURS), (ties, TIE_COLOURS)):
        for container in ax.containers:
            key = container.get_label().replace(" ", "_")
            assert to_hex(container.patches[0].get_facecolor()) == colours[key].lower()
    texts = [fig._suptitle.get_text()] + [t.get_text() for t in fig.texts]  # type: ignore[attr-defined]
    assert "Timeline: Northmere" in texts
    assert any("PARTNERSHIP ONLY" in t for t in texts)
    assert "first record 2 Jan 2024" in [t.get_text() for t in people.texts]


def test_public_figure_leaves_out_withheld_segments(history: peermap.Dataset) -> None:
    fig = timeline(history, authority=A, min_count=2, round_to=1)
    sightings = fig.axes[1]
    table = timeline_table(history, authority=A, min_count=2, round_to=1)
    expected = {
        kind: [v if isinstance(v, int) else 0 for v in table[("sightings", kind)]]
        for kind in ("cse", "bullying")
        if any(isinstance(v, int) for v in table[("sightings", kind)])
    }
    assert {k: [int(v) for v in bars] for k, bars in _bars(sightings).items()} == expected
    footer = fig._supxlabel.get_text()  # type: ignore[attr-defined]
    assert "Counts under 2 are suppressed" in footer and "not drawn" in footer
    empty = timeline(history, authority=A)  # everything under 10
    assert all(not ax.containers for ax in empty.axes[1:4])


def test_a_context_grows_on_synthetic_data(tmp_path: Path, demo_scenario: DemoScenario) -> None:
    """A planted trap house forms on its planted dates; the timeline says when."""
    sc = demo_scenario(600, 5)
    house = sc.truth.trap_houses[0]
    ds = sc.dataset
    table = peermap.contexts(ds)
    hit = table[[house.place_id in places for places in table["places"]]]
    cid = int(hit["context_id"].iloc[0])
    t = timeline_table(ds, context=cid, contexts_table=table, audience="partnership")
    row = hit.iloc[0]
    # The timeline shows the context's young people at its own places; the contexts
    # table counts every sighting of them and says how many were elsewhere.
    at_own = sum(int(row[c]) for c in CONTEXTS) - int(row["outside_sightings"])
    assert int(t["sightings"].to_numpy().sum()) == at_own
    assert int(t["ties"].to_numpy().sum()) == int(row["n_ties"])
    # Exploitation sightings at the house start in the month the house was planted.
    at_house = ds.sightings[
        (ds.sightings["place_id"] == house.place_id)
        & ds.sightings["person_id"].isin(list(house.people))
        & ds.sightings["context"].isin(list(house.contexts))
    ]
    first_month = at_house["date"].min().to_period("M").start_time
    serious = t["sightings"][list(house.contexts)].sum(axis=1)
    assert serious[serious > 0].index[0] == first_month
    planted = pd.Timestamp(house.first_date).to_period("M").start_time
    assert planted <= first_month <= pd.Timestamp(house.last_date)  # within its window
    fig = timeline(ds, context=cid, contexts_table=table, audience="partnership")
    assert len(fig.axes) >= 4
    assert np.isclose(
        sum(p.get_height() for c in fig.axes[1].containers for p in c.patches),
        int(t["sightings"].to_numpy().sum()),
    )


def test_a_context_with_no_place_of_its_own_shows_where_it_reaches(
    demo_scenario: DemoScenario,
) -> None:
    """Young people set apart by exploiter ties often own no place: their timeline
    counts their records at the places two or more of them share, not their ties alone."""
    ds = demo_scenario(600, 5).dataset
    table = peermap.contexts(ds)
    placeless = table[(table["n_places"] == 0) & (table["shared_places"].map(len) > 0)]
    row = placeless.iloc[0]
    t = timeline_table(
        ds, context=int(row["context_id"]), contexts_table=table, audience="partnership"
    )
    s = ds.sightings
    there = s["person_id"].isin(row["people"]) & s["place_id"].isin(row["shared_places"])
    assert int(there.sum()) > 0
    assert int(t["sightings"].to_numpy().sum()) == int(there.sum())


def test_nothing_recorded(history: peermap.Dataset) -> None:
    t = timeline_table(history, context=["c1"], audience="partnership", until="2024-01-31")
    assert t.empty and t.attrs["first_date"] is None
    fig = timeline(history, context=["c1"], audience="partnership", until="2024-01-31")
    assert "No records" in fig.axes[0].texts[0].get_text()


def test_without_boundaries_authorities_are_names_as_written(
    make_dataset: MakeDataset, names_as_written: dict[str, pd.DataFrame]
) -> None:
    ds = make_dataset(**names_as_written, boundaries=False)
    t = timeline_table(ds, authority="camden", audience="partnership")
    assert t.attrs["title"] == "Camden"
    assert _col(t, "ties", "exploiter") == [1, 0] and _col(t, "ties", "friend") == [0, 1]
    barnet = timeline_table(ds, authority="Barnet", audience="partnership")
    assert int(barnet["ties"].to_numpy().sum()) == 1


def test_a_timeline_page_says_which_grades_it_counts(history: peermap.Dataset) -> None:
    from peermap.views.timelines import make_timeline

    strict = make_timeline(history, min_reliability="confirmed", audience="public").to_html()
    every = make_timeline(history, audience="public").to_html()
    assert "confirmed or better" in strict and "or better" not in every


def test_a_title_holding_identifying_text_is_refused_unshown(history: peermap.Dataset) -> None:
    from peermap.views.timelines import make_timeline, timeline

    for draw in (timeline, make_timeline):
        with pytest.raises(peermap.PrivacyError, match="the title holds text") as caught:
            draw(history, title="Jayden Smith 07700 900123")
        assert "07700" not in str(caught.value) and "Jayden" not in str(caught.value)
