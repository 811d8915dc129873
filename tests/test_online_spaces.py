"""Online spaces (schema 1.1, issue 24) on a hand-built dataset with hand-worked answers.

Three boroughs of the demo region: Northmere (A, X09000001), Harrowfield (B,
X09000002, a neighbour of A) and Eastwick Vale (C, X09000006, which borders neither).
Five young people recorded in one group chat ``G`` (Snapchat, no location) and
nowhere else together::

    a1, a2 (A)  --+
    b1 (B)      --+--  G (online: cce x4, image_sharing x1)
    c1, c2 (C)  --+

and a hotel ``H`` in A where a1 alone is recorded for bullying.

Worked by hand:

- ``G`` has no geometry and no authority; reading it warns of nothing.
- Reach: ``G`` stands in A (two of its five members live there, more than in B or C).
  b1 links A-B (neighbours); c1 and c2 link A-C, which do not border: two young people
  on one distant route, so the context and the online space are ``distant``.
- The context is a1, a2, b1, c1, c2 with ``G`` (and ``H``, a1's), over authorities A, B, C.
- ``hotspots`` lists ``H`` only (rank 1); ``online_spaces`` lists ``G`` (rank 1) with
  5 young people, 5 sightings, 3 home authorities (A, B, C).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import peermap
from peermap.exceptions import PrivacyError, ValidationError
from peermap.exchange.reading import package_metadata
from peermap.ranking import SEVERITY
from peermap.schema import (
    PLATFORMS,
    SCHEMA_VERSION,
    TABLE_ORDER,
    check_readable,
    content_version,
)
from peermap.template import template_lists

A, B, C = "X09000001", "X09000002", "X09000006"

PEOPLE = [("a1", A, 14), ("a2", A, 15), ("b1", B, 15), ("c1", C, 15), ("c2", C, 16)]
PLACES = pd.DataFrame(
    [("H", "hotel", 693500.0, 315500.0, None), ("G", "online", None, None, "snapchat")],
    columns=["place_id", "kind", "easting", "northing", "platform"],
)
SIGHTINGS = [
    ("a1", "G", "2024-02-10", "cce", "police", "confirmed"),
    ("a2", "G", "2024-02-10", "cce", "police", "confirmed"),
    ("b1", "G", "2024-02-11", "cce", "police", "confirmed"),
    ("c1", "G", "2024-02-12", "cce", "police", "confirmed"),
    ("c2", "G", "2024-02-12", "image_sharing", "school", "confirmed"),
    ("a1", "H", "2024-02-10", "bullying", "school", "reported"),
]


@pytest.fixture(scope="module")
def online(make_dataset: Any) -> peermap.Dataset:
    return make_dataset(people=PEOPLE, places=PLACES, sightings=SIGHTINGS)  # type: ignore[no-any-return]


def _places(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["place_id", "kind", "easting", "northing", "platform"])


def _tables(ds: peermap.Dataset) -> dict[str, pd.DataFrame]:
    return {name: ds.table(name) for name in TABLE_ORDER}


# ------------------------------------------------------------------ reading


def test_an_online_place_has_no_point_and_no_authority(online: peermap.Dataset) -> None:
    g = online.places.set_index("place_id").loc["G"]
    assert g["geometry"] is None
    assert pd.isna(g["authority_code"]) and pd.isna(g["assignment"])
    assert pd.isna(g["easting"]) and g["platform"] == "snapchat"
    assert online.places.set_index("place_id").loc["H", "authority_code"] == A


def test_assigning_authorities_skips_online_places_without_a_warning(
    online: peermap.Dataset, demo_region: Any
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assigned = peermap.assign_authorities(online.places, demo_region)
    by_id = assigned.set_index("place_id")
    assert pd.isna(by_id.loc["G", "assignment"]) and pd.isna(by_id.loc["G", "authority_code"])
    assert by_id.loc["H", "assignment"] == "within"


def test_coordinates_for_an_online_place_and_a_platform_for_a_venue_are_errors(
    demo_region: Any,
) -> None:
    places = _places(
        [
            ("X", "online", 693500.0, 315500.0, "whatsapp"),
            ("P", "park", 693500.0, 315500.0, "tiktok"),
            ("N", "school", None, None, None),
            ("G", "Online", None, None, "Snapchat"),
        ]
    )
    tables = {"people": pd.DataFrame(PEOPLE, columns=["person_id", "home_authority", "age"])}
    ds = peermap.read_dataset({**tables, "places": places}, boundaries=demo_region, strict=False)
    by_row = {}
    for p in ds.report.problems:
        by_row.setdefault(p.row, set()).add(p.rule)
    assert by_row[0] == {"online_location"}  # X: easting and northing given
    assert by_row[1] == {"online_only"}  # P: a park on a platform
    assert by_row[2] == {"location"}  # N: a physical place still needs a location
    assert 3 not in by_row  # G: spelt loosely, read as online/snapchat
    assert list(ds.places["place_id"]) == ["G"]


def test_a_places_table_of_online_places_needs_no_location_columns() -> None:
    people = pd.DataFrame([("a1", A, 14)], columns=["person_id", "home_authority", "age"])
    places = pd.DataFrame({"place_id": ["G"], "kind": ["online"]})
    ds = peermap.read_dataset({"people": people, "places": places})
    assert ds.places["kind"].tolist() == ["online"]


@pytest.mark.parametrize(
    "label", ["@kayla.x", "t.me/northmere_boys", "https://chat.whatsapp.com/AbC123xyz"]
)
def test_a_handle_or_invite_link_naming_a_group_is_refused(label: str) -> None:
    people = pd.DataFrame([("a1", A, 14)], columns=["person_id", "home_authority", "age"])
    places = pd.DataFrame({"place_id": ["G"], "kind": ["online"], "label": [label]})
    with pytest.raises(PrivacyError) as err:
        peermap.read_dataset({"people": people, "places": places})
    assert label not in str(err.value)


def test_the_template_offers_the_new_values() -> None:
    lists = template_lists()
    assert "online" in lists[("places", "kind")]
    assert lists[("places", "platform")] == PLATFORMS
    assert {"image_sharing", "online_harassment"} <= set(lists[("sightings", "context")])


# ------------------------------------------------------------------ versions


def test_files_record_the_oldest_version_their_content_needs(online: peermap.Dataset) -> None:
    assert content_version(_tables(online)) == "1.1"
    venues_only = online.replace(
        places=online.places[online.places["kind"] != "online"],
        sightings=online.sightings[online.sightings["place_id"] == "H"],
    )
    assert content_version(_tables(venues_only)) == "1"


def test_a_reader_of_schema_1_0_refuses_1_1_naming_what_is_new() -> None:
    with pytest.raises(ValidationError) as err:
        check_readable("1.1", reader="1", what="partner.gpkg")
    message = str(err.value)
    assert "partner.gpkg" in message and "version 1.1" in message
    assert "places.kind=online" in message and "upgrade peermap" in message
    assert check_readable("1", reader=SCHEMA_VERSION) == "1"
    assert check_readable("1.1") == "1.1"
    with pytest.raises(ValidationError, match="not a version number"):
        check_readable("1.x")


# ------------------------------------------------------------------ exchange and merge


def test_packages_carry_online_places_exactly_and_old_readers_refuse_them(
    online: peermap.Dataset, tmp_path: Path
) -> None:
    key = peermap.generate_key()
    path = peermap.write_package(
        online, tmp_path / "p.gpkg", key=key, producer=A, audience="partnership"
    )
    meta = package_metadata(path)
    assert meta is not None and meta["schema_version"] == "1.1"
    with pytest.raises(ValidationError, match="newer than this peermap reads"):
        check_readable(meta["schema_version"], reader="1", what=str(path))
    back = peermap.read_package(path, key=key)
    assert peermap.datasets_equal(back, peermap.with_provenance(online, A))
    g = back.places.set_index("place_id").loc["G"]
    assert g["geometry"] is None and g["platform"] == "snapchat"
    assert back.sightings["context"].tolist().count("image_sharing") == 1


def test_a_package_without_online_records_stays_version_1(
    online: peermap.Dataset, tmp_path: Path
) -> None:
    venues_only = online.replace(
        places=online.places[online.places["kind"] != "online"],
        sightings=online.sightings[online.sightings["place_id"] == "H"],
    )
    key = peermap.generate_key()
    path = peermap.write_package(
        venues_only, tmp_path / "v.gpkg", key=key, producer=A, audience="partnership"
    )
    meta = package_metadata(path)
    assert meta is not None and meta["schema_version"] == "1"
    back = peermap.read_package(path, key=key)
    assert back.places["platform"].isna().all()
    assert peermap.datasets_equal(back, peermap.with_provenance(venues_only, A))


def test_merge_joins_an_online_place_reported_by_two_authorities_by_its_id(
    online: peermap.Dataset,
) -> None:
    other = online.replace(sightings=online.sightings.iloc[:0])
    merged = peermap.merge([online, other], producers=[A, B])
    g = merged.places[merged.places["place_id"] == "G"]
    assert len(g) == 1
    assert g["platform"].tolist() == ["snapchat"] and g.geometry.iloc[0] is None
    assert set(str(g["provenance"].iloc[0]).split(";")) == {A, B}


# ------------------------------------------------------------------ analysis


def test_an_online_place_joins_its_members_into_one_distant_context(
    online: peermap.Dataset,
) -> None:
    table = peermap.contexts(online)
    row = table[table["people"].map(lambda p: "c1" in p)].iloc[0]
    assert row["people"] == ["a1", "a2", "b1", "c1", "c2"]
    assert "G" in row["places"]
    assert row["authorities"] == [A, B, C]
    assert row["reach"] == "distant"


def test_a_busy_online_space_gives_a_group_no_reach_to_where_its_other_users_live(
    make_dataset: Any,
) -> None:
    # Four friends from Northmere and Harrowfield (neighbours), exploited at a hotel in
    # Northmere and in a gaming server that ninety young people of Eastwick Vale also
    # use. The server stands, for the friends' reach, in their own homes (Northmere),
    # not in Eastwick Vale where most of its users live: the friends are not a
    # "distant" route to a borough none of them lives in.
    friends = [("a0", A, 15), ("a1", A, 15), ("a2", A, 15), ("b0", B, 15)]
    others = [(f"c{i}", C, 15) for i in range(90)]
    places = PLACES.assign(kind=["hotel", "online"], platform=[None, "gaming"])
    sightings = [
        (f"c{i}", "G", f"2024-03-{1 + i % 28:02d}", "online_harassment", "school", "reported")
        for i in range(90)
    ]
    for pid, _, _ in friends:
        sightings += [
            (pid, "G", "2024-03-05", "cce", "police", "confirmed"),
            (pid, "H", "2024-03-06", "cce", "police", "confirmed"),
            (pid, "H", "2024-04-06", "cse", "police", "confirmed"),
        ]
    pairs = [("a0", "a1"), ("a1", "a2"), ("a2", "b0"), ("a0", "b0")]
    pairs += [(f"c{i}", f"c{(i + 1) % 90}") for i in range(90)]
    ties = [(a, b, "friend", "2024-01-01", None, "school", "confirmed") for a, b in pairs]
    ds = make_dataset(friends + others, places, ties, sightings)
    table = peermap.contexts(ds)
    row = table[table["people"].map(lambda p: "a0" in p)].iloc[0]
    assert sorted(row["people"]) == ["a0", "a1", "a2", "b0"] and "G" in row["places"]
    assert row["reach"] == "neighbours" and "distant" not in row["reasons"]
    assert row["max_distance_km"] < 10  # Northmere to Harrowfield, not to Eastwick Vale


def test_without_the_online_place_nobody_is_joined(online: peermap.Dataset) -> None:
    venues_only = online.replace(
        places=online.places[online.places["kind"] != "online"],
        sightings=online.sightings[online.sightings["place_id"] == "H"],
    )
    assert len(peermap.contexts(venues_only)) == 0


def test_hotspots_list_venues_and_online_spaces_are_their_own_section(
    online: peermap.Dataset,
) -> None:
    venues = peermap.hotspots(online)
    assert venues["place_id"].tolist() == ["H"] and venues["rank"].tolist() == [1]
    spaces = peermap.online_spaces(online)
    assert spaces["place_id"].tolist() == ["G"]
    g = spaces.iloc[0]
    assert (g["people"], g["sightings"], g["home_authorities"]) == (5, 5, 3)
    assert g["authorities"] == [A, B, C]
    assert g["platform"] == "snapchat" and g["reach"] == "distant" and g["rank"] == 1
    assert (g["cce"], g["image_sharing"]) == (4, 1)
    assert "geometry" not in spaces and "authority_code" not in spaces
    # Its reasons call it what it is, not "this place".
    assert "this online space" in g["reasons"], g["reasons"]


def test_exploitation_online_weighs_as_at_a_venue(make_dataset: Any) -> None:
    # The same records at a hotel and in a group chat: the same harm.
    people = [("a1", A, 14), ("a2", A, 15), ("a3", A, 15), ("a4", A, 16)]
    places = _places(
        [("H", "hotel", 693500.0, 315500.0, None), ("G", "online", None, None, "telegram")]
    )
    s = [
        ("a1", "H", "2024-02-10", "cse", "police", "confirmed"),
        ("a2", "H", "2024-02-11", "cse", "police", "reported"),
        ("a3", "G", "2024-02-10", "cse", "police", "confirmed"),
        ("a4", "G", "2024-02-11", "cse", "police", "reported"),
    ]
    ds = make_dataset(people=people, places=places, sightings=s)
    hotel = peermap.hotspots(ds).iloc[0]
    chat = peermap.online_spaces(ds).iloc[0]
    assert hotel["harm"] == pytest.approx(chat["harm"])
    assert SEVERITY["image_sharing"] == SEVERITY["harmful_sexual_behaviour"]
    assert SEVERITY["online_harassment"] == SEVERITY["bullying"]


# ------------------------------------------------------------------ views


def test_the_report_lists_online_spaces_under_the_audience_rule(online: peermap.Dataset) -> None:
    from peermap.views.report import build_report

    text = build_report(online, fmt="markdown", audience="partnership")
    section = text[text.index("Online spaces") :]
    assert "G" in section and "snapchat" in section and "Eastwick Vale" in section
    public = build_report(online, fmt="markdown", audience="public")
    part = public[public.index("## Online spaces") :]
    # What was withheld, never how many (a count of what is too small to show).
    assert "Not listed: online spaces with fewer than 10 young people" in part
    assert "snapchat" not in part


def test_diagrams_draw_online_places_as_diamonds(online: peermap.Dataset) -> None:
    diagram = peermap.peer_diagram(online, audience="partnership")
    shapes = {n["id"]: n["shape"] for n in diagram.nodes.to_dict("records")}
    assert (shapes["G"], shapes["H"]) == ("diamond", "square")


def test_maps_join_the_home_authorities_of_an_online_space_under_the_rule(
    online: peermap.Dataset,
) -> None:
    # A-B: a1, a2, b1 (3); A-C: a1, a2, c1, c2 (4); B-C: b1, c1, c2 (3).
    info = peermap.make_map(online, audience="partnership").info
    names = info.tables["authorities"]
    lines = {
        (names[f["properties"]["f"]], names[f["properties"]["t"]]): f["properties"]["p"]
        for f in info.layers["online"]["features"]
    }
    assert lines == {(A, B): 3, (A, C): 4, (B, C): 3}
    venues = [f["properties"]["id"] for f in info.layers["hotspots"]["features"]]
    assert venues == ["H"]
    public = peermap.make_map(online, audience="public").info
    assert public.layers["online"]["features"] == []
    assert "Online spaces: links of under 10 young people not drawn" in public.notes


# ------------------------------------------------------------------ synthetic


def test_scenarios_plant_online_contexts_without_changing_the_rest(demo_region: Any) -> None:
    from peermap.merging import differences
    from peermap.synthetic import scenario

    with_online = scenario(demo_region, n_people=600, seed=3, online_spaces=True)
    without = scenario(demo_region, n_people=600, seed=3)
    assert without.truth.online == ()
    chat, year = with_online.truth.online
    graph = peermap.authority_graph(demo_region)
    assert chat.kind == "recruitment" and len(chat.authorities) == 3
    assert any(not graph.has_edge(chat.authorities[0], b) for b in chat.authorities[1:]) or any(
        not graph.has_edge(a, b) for a in chat.authorities for b in chat.authorities if a < b
    )
    assert year.kind == "image_sharing" and len(year.authorities) == 1
    ds = with_online.dataset
    ages = ds.people.set_index("person_id").loc[list(year.people), "age"]
    assert ages.nunique() == 1
    spaces = peermap.online_spaces(ds)
    assert sorted(spaces["place_id"]) == [chat.place_id, year.place_id]
    row = spaces.set_index("place_id").loc[chat.place_id]
    assert row["home_authorities"] == 3 and row["people"] == len(chat.people)
    base = ds.replace(
        places=ds.places[ds.places["kind"] != "online"],
        sightings=ds.sightings[~ds.sightings["place_id"].isin([chat.place_id, year.place_id])],
        ties=ds.ties.iloc[: len(without.dataset.ties)],
    )
    assert differences(without.dataset, base) == []


def test_online_spaces_rank_the_same_on_the_dask_engine(online: peermap.Dataset) -> None:
    pd.testing.assert_frame_equal(
        peermap.online_spaces(online), peermap.online_spaces(online, engine="dask")
    )


def test_the_quality_profile_counts_online_places_apart(online: peermap.Dataset) -> None:
    table = peermap.quality(online).assignment.set_index("assignment")["places"]
    assert (table["within"], table["online (no location)"]) == (1, 1)
    assert "not assigned" not in table.index
