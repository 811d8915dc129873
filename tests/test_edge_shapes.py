"""Dataset shapes an independently written scenario may have and the generator does not.

Found by an audit of small hand-built datasets (2026-12-05): every place with sightings
online or outside the boundaries, one place outside them, a graph of young people only
(``include_places=False``). Each used to raise an exception that was not peermap's own
(``KeyError``, ``TypeError``, ``IndexError``); a map, a report and the table must come
out instead.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

import peermap

BOUNDS = peermap.demo_boundaries()
CODES = list(BOUNDS["code"])
POINTS = {
    code: (point.x, point.y)
    for code, point in zip(BOUNDS["code"], BOUNDS.representative_point(), strict=True)
}


def _dataset(places: list[tuple[str, str, float, float]], sightings: list[tuple[str, str]]):
    people = pd.DataFrame(
        {
            "person_id": ["yp001", "yp002", "yp003"],
            "home_authority": [CODES[0], CODES[1], CODES[0]],
            "age": [14, 15, 16],
        }
    )
    place_frame = pd.DataFrame(places, columns=["place_id", "kind", "easting", "northing"])
    seen = pd.DataFrame(
        {
            "person_id": [p for p, _ in sightings],
            "place_id": [q for _, q in sightings],
            "date": "2024-04-01",
            "context": "cse",
            "source": "police",
            "reliability": "reported",
        }
    )
    return peermap.read_dataset(
        {"people": people, "places": place_frame, "sightings": seen}, boundaries=BOUNDS
    )


def _inside(place_id: str, code: str) -> tuple[str, str, float, float]:
    x, y = POINTS[code]
    return (place_id, "park", x, y)


def _outside(place_id: str) -> tuple[str, str, float, float]:
    xmin, ymin, _, _ = BOUNDS.to_crs(27700).total_bounds
    return (place_id, "park", xmin - 6_000.0, ymin + 1_000.0)


@pytest.mark.parametrize("audience", ["public", "partnership"])
def test_a_map_with_a_venue_outside_every_authority(tmp_path: Path, audience: str) -> None:
    ds = _dataset([_inside("in", CODES[0]), _outside("out")], [("yp001", "in"), ("yp002", "out")])
    assert ds.places.set_index("place_id").loc["out", "assignment"] == "outside"
    made = peermap.make_map(ds, audience=audience, tiles=None)
    path = made.save(tmp_path / "map.html")
    assert path.is_file() and path.stat().st_size > 0


def test_maps_and_reports_when_no_sighting_has_an_authority(tmp_path: Path) -> None:
    # Every sighting at a place outside the boundaries: flows have no destination.
    ds = _dataset([_outside("out")], [("yp001", "out"), ("yp002", "out")])
    flows = peermap.flows(ds)
    assert flows["destination"].isna().all()
    keys = peermap.analysis.flow_keys(ds)
    assert len(keys) == len(flows)  # every flow has its keys, destination missing
    assert keys.index.get_level_values("destination").isna().all()
    peermap.make_map(ds, tiles=None).save(tmp_path / "map.html")
    report = peermap.make_report(ds, audience="partnership")
    report.save(tmp_path / "report.html")
    assert (tmp_path / "report.html").is_file()


def test_flow_keys_cover_flows_with_and_without_a_destination() -> None:
    ds = _dataset(
        [_inside("in", CODES[1]), _outside("out")],
        [("yp001", "in"), ("yp003", "in"), ("yp002", "out")],
    )
    flows = peermap.flows(ds)
    keys = peermap.analysis.flow_keys(ds)
    assert len(keys) == len(flows) == 2  # CODES[0] -> CODES[1] (two), CODES[1] -> none
    assert keys.index.get_level_values("destination").isna().sum() == 1


def test_contexts_of_young_people_only_set_apart_an_exploiter_and_his_victim() -> None:
    ds = _dataset([_inside("hotel", CODES[0])], [("yp001", "hotel"), ("yp002", "hotel")])
    ties = pd.DataFrame(
        {
            "person_a": ["yp001"],
            "person_b": ["yp002"],
            "kind": ["exploiter"],
            "first_seen": ["2024-03-01"],
            "source": ["police"],
            "reliability": ["confirmed"],
        }
    )
    ds = peermap.read_dataset(
        {
            "people": ds.people.drop(columns="geometry", errors="ignore"),
            "places": pd.DataFrame(
                [_inside("hotel", CODES[0])], columns=["place_id", "kind", "easting", "northing"]
            ),
            "sightings": ds.sightings,
            "ties": ties,
        },
        boundaries=BOUNDS,
    )
    with_places = peermap.contexts(ds)
    people_only = peermap.contexts(ds, include_places=False)
    assert [sorted(p) for p in people_only["people"]] == [["yp001", "yp002"]]
    assert [sorted(p) for p in with_places["people"]] == [["yp001", "yp002"]]


def _tied(n: int, pairs: list[tuple[int, int]], kind: str) -> peermap.Dataset:
    people = pd.DataFrame(
        {
            "person_id": [f"yp{i:03d}" for i in range(n)],
            "home_authority": [CODES[i % len(CODES)] for i in range(n)],
            "age": 15,
        }
    )
    ties = pd.DataFrame(
        {
            "person_a": [f"yp{a:03d}" for a, _ in pairs],
            "person_b": [f"yp{b:03d}" for _, b in pairs],
            "kind": kind,
            "first_seen": "2024-03-01",
            "source": "police",
            "reliability": "confirmed",
        }
    )
    places = pd.DataFrame(
        [_inside("pl", CODES[0])], columns=["place_id", "kind", "easting", "northing"]
    )
    return peermap.read_dataset(
        {"people": people, "places": places, "ties": ties}, boundaries=BOUNDS
    )


def test_a_group_above_max_people_with_no_smaller_group_in_it_stays_whole() -> None:
    # One older young person exploiting sixty: split at a high resolution it fell apart
    # into young people alone, each dropped as too small, and the list came out empty.
    star = _tied(61, [(0, i) for i in range(1, 61)], "exploiter")
    table = peermap.contexts(star)
    assert len(table) == 1
    assert table.loc[0, "n_people"] == 61 and table.loc[0, "exploiter_ties"] == 60
    # The same for a clique of 51 friends (max_people is 50).
    clique = _tied(51, [(a, b) for a in range(51) for b in range(a + 1, 51)], "friend")
    assert peermap.contexts(clique)["n_people"].tolist() == [51]


def test_a_clique_that_shares_places_is_not_lost_to_a_split(tmp_path: Path) -> None:
    # Sixty friends all tied to each other, each recorded at one of three places: a
    # split found three groups of three around the places and left 51 alone, dropped as
    # too few to be contexts, and the list came out empty (120: 30 lost; 300: empty).
    for n in (60, 120):
        folder = tmp_path / str(n)
        folder.mkdir()
        ids = [f"yp{i:04d}" for i in range(n)]
        people = "".join(f"{p},{CODES[i % 3]},14\n" for i, p in enumerate(ids))
        (folder / "people.csv").write_text("person_id,home_authority,age\n" + people)
        ties = "".join(
            f"{a},{b},friend,2024-03-01,school,reported\n"
            for a, b in itertools.combinations(ids, 2)
        )
        (folder / "ties.csv").write_text(
            "person_a,person_b,kind,first_seen,source,reliability\n" + ties
        )
        places = "".join(
            f"pl{k},{kind},{POINTS[CODES[k]][0]},{POINTS[CODES[k]][1]}\n"
            for k, kind in enumerate(("school", "park", "hotel"))
        )
        (folder / "places.csv").write_text("place_id,kind,easting,northing\n" + places)
        seen = "".join(
            f"{p},pl{i % 3},2024-03-02,bullying,school,reported\n" for i, p in enumerate(ids)
        )
        (folder / "sightings.csv").write_text(
            "person_id,place_id,date,context,source,reliability\n" + seen
        )
        table = peermap.contexts(peermap.read_dataset(folder, boundaries=BOUNDS))
        assert table["n_people"].sum() == n, n  # every one of them in a context


def test_counted_nouns_have_one_plural_everywhere() -> None:
    # Reports, maps and legends count with one helper: the partnership report's
    # "Not listed: 3 authoritys receiving fewer than ..." came from a second one.
    from peermap._plain_words import plural, plural_noun

    assert plural(3, "authority") == "3 authorities" and plural(1, "authority") == "1 authority"
    assert plural(1_200, "young person") == "1,200 young people"
    assert plural(1, "young person") == "1 young person"
    assert [plural_noun(n) for n in ("private home", "day", "flow")] == [
        "private homes",
        "days",
        "flows",
    ]


def test_report_sentences_count_one_and_none_in_words(tmp_path: Path) -> None:
    two = _tied(2, [(0, 1)], "friend")
    text = peermap.make_report(two, audience="partnership", with_map=False).to_markdown()
    assert "1 context (connected groups" in text and " was found" in text
    assert "1 contexts" not in text
    assert "No young person is a broker" in text or "1 young person is a broker" in text
    assert "0 young people are brokers" not in text


def test_validate_warns_of_a_place_outside_every_authority_as_reading_does() -> None:
    people = pd.DataFrame(
        {"person_id": ["yp001", "yp002"], "home_authority": CODES[:2], "age": [14, 15]}
    )
    places = pd.DataFrame(
        [_inside("in", CODES[0]), _outside("out")],
        columns=["place_id", "kind", "easting", "northing"],
    )
    tables = {"people": people, "places": places}
    report = peermap.validate(tables, boundaries=BOUNDS)
    warned = [p for p in report.problems if p.rule == "outside_boundaries"]
    assert [(p.severity, p.value) for p in warned] == [("warning", "out")]
    assert report.ok  # a warning: the place is kept
    read = peermap.read_dataset(tables, boundaries=BOUNDS).report.problems
    assert [p.value for p in read if p.rule == "outside_boundaries"] == ["out"]


def test_odd_shapes_get_true_sentences_and_advice_that_can_work(tmp_path: Path) -> None:
    # One hotel with one young person's records: its concern is 0, not -0.0; the public
    # report's grammar does not give "c venue has sightings" away as one; Gi* does not
    # advise a smaller cell for sightings all at one spot, which no cell size can map.
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "people.csv").write_text("person_id,home_authority,age\nyp001,X09000001,13\n")
    x, y = POINTS[CODES[0]]
    (folder / "places.csv").write_text(f"place_id,kind,easting,northing\npl1,hotel,{x},{y}\n")
    (folder / "sightings.csv").write_text(
        "person_id,place_id,date,context,source,reliability\n"
        "yp001,pl1,2024-01-01,cse,police,confirmed\n"
        "yp001,pl1,2024-02-01,cce,police,confirmed\n"
        "yp001,pl1,2024-03-01,missing_episode,police,confirmed\n"
    )
    ds = peermap.read_dataset(folder, boundaries=BOUNDS)
    concern = float(peermap.hotspots(ds)["concern"].iloc[0])
    assert concern >= 0 and str(concern) != "-0.0"
    public = peermap.make_report(ds, audience="public", with_map=False).to_markdown()
    assert "venues have sightings" in public and "venue has" not in public
    partnership = peermap.make_report(ds, audience="partnership", with_map=False).to_markdown()
    assert "1 venue has sightings" in partnership and "-0.0" not in partnership
    with pytest.raises(peermap.ArgumentError, match="all at one spot") as err:
        peermap.gi_star(ds, cell_size_m=50)
    assert "smaller" not in str(err.value)


def test_flows_do_not_say_young_people_stayed_home_when_nobody_was_in_an_authority(
    tmp_path: Path,
) -> None:
    # Every record in a group chat: no sighting is in any authority, so "every young
    # person was seen only in their home authority" would be false, and the emerging hot
    # spots say the sightings cannot be mapped, not that there are none.
    folder = tmp_path / "online"
    folder.mkdir()
    people = "".join(f"yp{i:03d},{CODES[i % 3]},14\n" for i in range(30))
    (folder / "people.csv").write_text("person_id,home_authority,age\n" + people)
    (folder / "places.csv").write_text("place_id,kind,platform\nchat,online,snapchat\n")
    seen = "".join(
        f"yp{i:03d},chat,2024-0{1 + i % 9}-10,image_sharing,school,reported\n" for i in range(30)
    )
    (folder / "sightings.csv").write_text(
        "person_id,place_id,date,context,source,reliability\n" + seen
    )
    ds = peermap.read_dataset(folder, boundaries=BOUNDS)
    for audience in ("public", "partnership"):
        text = " ".join(
            peermap.make_report(ds, audience=audience, with_map=False).to_markdown().split()
        )
        assert "seen only in their home authority" not in text
        assert "No sighting is at a place inside an authority" in text
        assert "none of the sightings in the window is at a place that can be mapped" in text
