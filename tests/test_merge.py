"""Merging authorities' datasets: nothing lost, nothing doubled, disagreements reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peermap
from conftest import examples
from peermap.dataset import Dataset
from peermap.exceptions import ValidationError
from peermap.exchange import read_package, write_package
from peermap.merging import (
    PROVENANCE,
    canonical_tables,
    datasets_equal,
    differences,
    merge,
    normalise_provenance,
    with_provenance,
)

KEY = "3c" * 32
A, B, C = "X09000001", "X09000002", "X09000003"
TABLES = ("people", "places", "ties", "sightings", "relocations")


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return peermap.demo_boundaries()


# --------------------------------------------------------------------------- the scenario split


def _view(ds: Dataset, code: str) -> dict[str, pd.DataFrame]:
    """What one authority holds: its young people and the records involving them."""
    people, ties, sightings, relocations = ds.people, ds.ties, ds.sightings, ds.relocations
    own = set(people.loc[people["home_authority"] == code, "person_id"])
    t = ties[ties["person_a"].isin(own) | ties["person_b"].isin(own)]
    s = sightings[sightings["person_id"].isin(own)]
    r = relocations[
        relocations["person_id"].isin(own)
        | (relocations["from_authority"] == code)
        | (relocations["to_authority"] == code)
    ]
    known = own | set(t["person_a"]) | set(t["person_b"]) | set(r["person_id"])
    return {
        "people": people[people["person_id"].isin(known)],
        "places": ds.places[ds.places["place_id"].isin(set(s["place_id"]))],
        "ties": t,
        "sightings": s,
        "relocations": r,
    }


def test_three_authorities_merge_back_to_the_scenario(
    boundaries: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    ds = peermap.scenario(boundaries, n_people=600, seed=7).dataset
    key = peermap.load_key(KEY)
    views = {code: _view(ds, code) for code in (A, B, C)}
    packages = []
    for code, view in views.items():
        part = ds.replace(**{name: frame.reset_index(drop=True) for name, frame in view.items()})
        packages.append(
            write_package(
                part,
                tmp_path / f"{code}.gpkg",
                key=key,
                producer=code,
                audience="partnership",
                allow=["label"],
            )
        )
    received = [read_package(p, key=key) for p in packages]
    merged = merge(received)

    # The expected union: every record any of the three holds, with who holds it.
    expected: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        holders: dict[Any, list[str]] = {}
        for code, view in views.items():
            for index in view[name].index:
                holders.setdefault(index, []).append(code)
        frame = ds.table(name).loc[sorted(holders)].copy()
        frame[PROVENANCE] = [";".join(sorted(holders[i])) for i in frame.index]
        expected[name] = frame.reset_index(drop=True)
    union = ds.replace(**expected)
    assert differences(merged, union) == []
    assert datasets_equal(merged, union)
    for name in TABLES:  # none lost, none doubled
        assert len(merged.table(name)) == len(expected[name]), name
        assert not canonical_tables(merged, provenance=False)[name].duplicated().any()
    shared = merged.ties[merged.ties[PROVENANCE].str.contains(";")]
    assert len(shared) > 20  # cross-authority ties, reported by both sides
    for row in shared.head(20).itertuples():
        homes = set(
            merged.people.set_index("person_id").loc[[row.person_a, row.person_b], "home_authority"]
        )
        assert set(str(row.provenance).split(";")) == homes
    assert merged.meta["producers"] == [A, B, C]
    assert merged.meta["key_fingerprint"] == key.fingerprint
    assert merged.meta["conflicts"].empty
    # order of the packages does not matter
    assert datasets_equal(merge(received[::-1]), merged)
    # the merged dataset is a valid dataset that can be sent on
    again = write_package(
        merged,
        tmp_path / "merged.gpkg",
        key=key,
        producer=A,
        audience="partnership",
        allow=["label"],
    )
    assert datasets_equal(read_package(again, key=key), merged)


# --------------------------------------------------------------------------- hand-made cases


def _ds(
    people: list[tuple[Any, ...]],
    ties: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    places: list[tuple[Any, ...]] | None = None,
    sightings: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    *,
    producer: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
) -> Dataset:
    frames = {
        "people": pd.DataFrame(
            people, columns=["person_id", "home_authority", "age", "sex", "looked_after"]
        ),
        "places": pd.DataFrame(
            places if places is not None else [("h1", "hotel", 700_000.0, 310_000.0, None)],
            columns=["place_id", "kind", "easting", "northing", "label"],
        ),
        "ties": pd.DataFrame(
            list(ties),
            columns=[
                "person_a",
                "person_b",
                "kind",
                "first_seen",
                "last_seen",
                "source",
                "reliability",
            ],
        ),
        "sightings": pd.DataFrame(
            list(sightings),
            columns=["person_id", "place_id", "date", "context", "source", "reliability"],
        ),
    }
    ds = peermap.read_dataset(frames, boundaries=boundaries)
    return ds if producer is None else with_provenance(ds, producer)


P1 = ("p1", A, 14, "F", False)
P2 = ("p2", B, 15, "M", None)
T12 = ("p1", "p2", "friend", "2024-01-05", None, "school", "reported")
T21 = ("p2", "p1", "friend", "2024-01-05", None, "school", "reported")


def test_the_same_tie_from_both_sides_is_one_record() -> None:
    a = _ds([P1, P2], [T12], producer=A)
    b = _ds([P1, P2], [T21], producer=B)
    m = merge([a, b])
    assert len(m.ties) == 1 and m.ties[PROVENANCE].tolist() == [f"{A};{B}"]
    assert m.ties[["person_a", "person_b"]].values.tolist() == [["p1", "p2"]]
    assert m.people[PROVENANCE].tolist() == [f"{A};{B}"] * 2
    # a tie reported one way only keeps its direction
    c = _ds([P1, P2], [T21], producer=C)
    assert merge([c, c]).ties[["person_a", "person_b"]].values.tolist() == [["p2", "p1"]]


def test_exploiter_ties_keep_their_direction() -> None:
    a = _ds(
        [P1, P2], [("p1", "p2", "exploiter", "2024-01-05", None, "police", "confirmed")], producer=A
    )
    b = _ds(
        [P1, P2], [("p2", "p1", "exploiter", "2024-01-05", None, "police", "confirmed")], producer=B
    )
    m = merge([a, b])
    assert sorted(m.ties[["person_a", "person_b"]].values.tolist()) == [["p1", "p2"], ["p2", "p1"]]


def test_differing_records_are_both_kept() -> None:
    a = _ds([P1, P2], [T12], producer=A)
    b = _ds([P1, P2], [(*T12[:-1], "confirmed")], producer=B)
    m = merge([a, b])
    assert sorted(m.ties["reliability"].astype(str)) == ["confirmed", "reported"]
    assert sorted(m.ties[PROVENANCE]) == [A, B]


def test_conflicting_attributes_are_kept_and_reported() -> None:
    a = _ds([P1, P2], producer=A)
    b = _ds([("p1", B, 15, "F", True), P2], producer=B)
    m = merge([a, b])
    person = m.people.set_index("person_id").loc["p1"]
    # one reporter each: the greatest value is kept (documented), never silently
    assert person["home_authority"] == B and person["age"] == 15 and bool(person["looked_after"])
    conflicts = m.meta["conflicts"]
    assert set(conflicts["column"]) == {"home_authority", "age", "looked_after"}
    home = conflicts[conflicts["column"] == "home_authority"].set_index("value")
    assert home.loc[A, PROVENANCE] == A and home.loc[B, PROVENANCE] == B
    assert home.loc[B, "kept"] and not home.loc[A, "kept"]
    warnings = [p for p in m.report.problems if p.rule == "merge_conflict"]
    assert len(warnings) == len(conflicts) == 6
    assert all(p.severity == "warning" for p in warnings)
    # the value most authorities report wins
    c = _ds([P1, P2], producer=C)
    m3 = merge([a, b, c])
    assert m3.people.set_index("person_id").loc["p1", "home_authority"] == A
    assert m3.meta["conflicts"].query("column == 'home_authority' and kept")[
        "provenance"
    ].tolist() == [f"{A};{C}"]


def test_missing_values_are_filled_not_disputed() -> None:
    a = _ds([("p1", A, 14, None, None), P2], producer=A)
    b = _ds([("p1", A, 14, "F", False), P2], producer=B)
    m = merge([a, b])
    person = m.people.set_index("person_id").loc["p1"]
    assert person["sex"] == "F"
    assert not person["looked_after"]
    assert m.meta["conflicts"].empty


def test_place_locations_are_kept_whole() -> None:
    here = [("h1", "hotel", 700_000.0, 310_000.0, "Station Hotel")]
    there = [("h1", "hotel", 700_400.0, 310_300.0, None)]
    a = _ds([P1], places=here, producer=A)
    b = _ds([P1], places=there, producer=B)
    m = merge([a, b])
    place = m.places.iloc[0]
    assert (place["easting"], place["northing"]) == (700_400.0, 310_300.0)
    assert place["label"] == "Station Hotel"
    assert shapely.equals(m.places.geometry.iloc[0], shapely.Point(700_400.0, 310_300.0))
    assert m.meta["conflicts"]["column"].unique().tolist() == ["location"]


def test_merge_needs_to_know_who_reported() -> None:
    a = _ds([P1])
    with pytest.raises(ValidationError, match="no provenance and no producer"):
        merge([a, a])
    m = merge([a, _ds([P1, P2])], producers=[A, B])
    assert m.people[PROVENANCE].tolist() == [f"{A};{B}", B]
    with pytest.raises(ValueError, match="2 producers given for 1"):
        merge([a], producers=[A, B])
    with pytest.raises(ValueError, match="at least one"):
        merge([])
    with pytest.raises(ValidationError, match="GSS code"):
        merge([a], producers=["Camden"])


def test_different_keys_are_refused() -> None:
    a = _ds([P1], producer=A)
    b = _ds([P1], producer=B)
    a = a.replace(meta={**a.meta, "key_fingerprint": "pmk1-aaaa-aaaa-aaaa"})
    b = b.replace(meta={**b.meta, "key_fingerprint": "pmk1-bbbb-bbbb-bbbb"})
    with pytest.raises(ValidationError, match="would not link"):
        merge([a, b])


def test_boundaries_must_agree(boundaries: gpd.GeoDataFrame) -> None:
    a = _ds([P1], producer=A, boundaries=boundaries)
    moved = boundaries.copy()
    moved.attrs = dict(boundaries.attrs)
    moved["name"] = moved["name"].where(moved["code"] != A, "Renamed")
    b = _ds([P1], producer=B, boundaries=moved)
    with pytest.raises(ValidationError, match=f"disagree about authority {A}"):
        merge([a, b])
    assert merge([a, b], boundaries=boundaries).boundaries is boundaries
    old = boundaries.copy()
    old.attrs = {**boundaries.attrs, "vintage": 2013}
    c = _ds([P1], producer=C, boundaries=old)
    with pytest.raises(ValidationError, match="different vintages"):
        merge([a, c])


def test_normalise_provenance() -> None:
    assert normalise_provenance(" x09000002; X09000001 ;X09000002") == "X09000001;X09000002"
    assert normalise_provenance(["X09000003"]) == "X09000003"
    with pytest.raises(ValidationError):
        normalise_provenance("Camden")
    with pytest.raises(ValidationError):
        normalise_provenance(" ; ")


# --------------------------------------------------------------------------- properties

_IDS = ["p1", "p2", "p3", "p4"]
_CODES = [A, B, C]
_person = st.tuples(
    st.sampled_from(_CODES),
    st.integers(12, 16),
    st.sampled_from(["F", "M", None]),
    st.sampled_from([True, False, None]),
)
_tie = st.tuples(
    st.sampled_from(_IDS),
    st.sampled_from(_IDS),
    st.sampled_from(["friend", "exploiter"]),
    st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 4)),
    st.sampled_from(["police", "school"]),
)
_sighting = st.tuples(
    st.sampled_from(_IDS),
    st.sampled_from(["h1", "h2"]),
    st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 3)),
    st.sampled_from(["cse", "cce"]),
)


@st.composite
def authority_views(draw: st.DrawFn, producer: str) -> Dataset:
    people = {pid: draw(_person) for pid in _IDS}
    ties = [
        (a, b, kind, day.isoformat(), None, source, "reported")
        for a, b, kind, day, source in draw(st.lists(_tie, max_size=6))
        if a != b
    ]
    sightings = [
        (p, place, day.isoformat(), context, "police", "reported")
        for p, place, day, context in draw(st.lists(_sighting, max_size=5))
    ]
    places = [
        ("h1", "hotel", 700_000.0, 310_000.0, draw(st.sampled_from(["Station Hotel", None]))),
        ("h2", "park", draw(st.sampled_from([701_000.0, 701_200.0])), 311_000.0, None),
    ]
    # One row per tie: ties are undirected (except exploiter ties), and read_dataset
    # rightly refuses the same tie given as a-b and b-a.
    undirected = {}
    for tie in ties:
        a, b, kind = tie[0], tie[1], tie[2]
        key = (a, b) if kind == "exploiter" else tuple(sorted((a, b)))
        undirected.setdefault((key, *tie[2:]), tie)
    return _ds(
        [(pid, *values) for pid, values in people.items()],
        list(undirected.values()),
        places,
        list(dict.fromkeys(sightings)),
        producer=producer,
    )


# Every merge validates its result like read_dataset (about 0.1 s for any size, several
# times that on a busy machine): one property test shares its merges between the
# properties (ten merges an example), and runs six examples on CI (a minute on two
# cores; each draws three authorities' views) and five elsewhere.


def _text(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return str(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _reporters(views: dict[str, Dataset], table: str, ident: str, column: str, value: str) -> str:
    """Which authorities' own datasets give ``value`` for the attribute: the truth."""
    key = "person_id" if table == "people" else "place_id"
    columns = ["lon", "lat", "easting", "northing"] if column == "location" else [column]
    codes = []
    for code, view in views.items():
        rows = view.table(table)
        rows = rows[rows[key] == ident]
        for row in rows[columns].itertuples(index=False):
            if not all(pd.isna(v) for v in row) and ", ".join(_text(v) for v in row) == value:
                codes.append(code)
    return ";".join(sorted(codes))


def _same(x: Dataset, y: Dataset) -> None:
    assert differences(x, y) == []
    pd.testing.assert_frame_equal(x.meta["conflicts"], y.meta["conflicts"])


@settings(max_examples=examples(6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a=authority_views(A),
    b=authority_views(B),
    c=authority_views(C),
    order=st.permutations([0, 1, 2]),
    first_two=st.booleans(),
)
def test_merge_is_order_independent_idempotent_staged_and_loses_nothing(
    a: Dataset, b: Dataset, c: Dataset, order: list[int], first_two: bool
) -> None:
    # order-independent, conflicts included
    ab, ba = merge([a, b]), merge([b, a])
    _same(ab, ba)
    # idempotent
    assert datasets_equal(merge([a, a]), a)
    assert datasets_equal(merge([a]), a)
    m = merge([a, b, c])
    _same(merge([c, a, b]), m)
    assert datasets_equal(merge([m, m]), m)
    assert datasets_equal(merge([m, b]), m)  # absorbing a dataset already merged in
    # in stages, split anywhere: merge(merge(x, y), z) == merge(x, merge(y, z)) == merge(x, y, z)
    x, y, z = ([a, b, c][i] for i in order)
    staged = merge([merge([x, y]), z]) if first_two else merge([x, merge([y, z])])
    _same(staged, m)
    # no authority is credited with a value it did not report
    views = {A: a, B: b, C: c}
    for record in m.meta["conflicts"].to_dict("records"):
        truth = _reporters(views, record["table"], record["id"], record["column"], record["value"])
        assert record[PROVENANCE] == truth, record
    for name, key in (("people", "person_id"), ("places", "place_id")):
        for ident, provenance in zip(m.table(name)[key], m.table(name)[PROVENANCE], strict=True):
            holders = [code for code, v in views.items() if ident in set(v.table(name)[key])]
            assert provenance == ";".join(holders)
    # nothing lost, nothing doubled
    for name in ("ties", "sightings"):
        given_rows = pd.concat(
            [canonical_tables(x, provenance=False)[name] for x in (a, b, c)]
        ).drop_duplicates()
        assert len(canonical_tables(m, provenance=False)[name]) == len(given_rows)
    for name in TABLES:
        codes = {code for value in m.table(name)[PROVENANCE] for code in value.split(";")}
        assert codes <= {A, B, C}


# --------------------------------------------------------------------------- merging merged data


def test_a_merged_dataset_merges_again_as_if_at_once() -> None:
    """The majority counts each authority once, whichever merge saw its report."""
    a = _ds([P1, P2], producer=A)  # p1 aged 14
    b = _ds([("p1", A, 15, "F", False), P2], producer=B)
    c = _ds([P1, P2], producer=C)
    at_once = merge([a, b, c])
    assert at_once.people.set_index("person_id").loc["p1", "age"] == 14  # A and C say 14
    for staged in (merge([merge([a, b]), c]), merge([a, merge([b, c])]), merge([merge([a, c]), b])):
        _same(staged, at_once)
    ages = at_once.meta["conflicts"].set_index("value")
    assert ages.loc["14", PROVENANCE] == f"{A};{C}" and ages.loc["15", PROVENANCE] == B
    # a dataset merged with itself, or with a part of itself, is not counted twice
    ab = merge([a, b])
    _same(merge([ab, merge([ab, c])]), at_once)


def test_a_merged_dataset_edited_afterwards_is_refused() -> None:
    a = _ds([P1, P2], producer=A)
    b = _ds([("p1", A, 15, "F", False), P2], producer=B)
    c = _ds([P1, P2], producer=C)
    ab = merge([a, b])
    people = ab.people.copy()
    people["age"] = people["age"].where(people["person_id"] != "p1", 12)
    with pytest.raises(ValidationError, match=r"dataset 1 of the merge .* person p1 was changed"):
        merge([ab.replace(people=people), c])
    # a person left out after merging is simply not there: the rest merges as before
    without = ab.replace(people=ab.people[ab.people["person_id"] != "p1"].reset_index(drop=True))
    assert merge([without, c]).people.set_index("person_id").loc["p1", "age"] == 14


def test_a_merged_package_read_back_merges_only_where_no_report_disagrees(
    boundaries: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    key = peermap.load_key(KEY)
    a = _ds([P1, P2], producer=A, boundaries=boundaries)
    b = _ds([("p1", A, 15, "F", False), P2], producer=B, boundaries=boundaries)
    ab = merge([a, b])
    path = write_package(ab, tmp_path / "ab.gpkg", key=key, producer=A, audience="partnership")
    back = read_package(path, key=key)
    assert datasets_equal(back, ab)
    # C agrees with the row as merged (or does not know p1): nothing to resolve again
    agree = _ds([("p1", A, 15, "F", False), P2], producer=C, boundaries=boundaries)
    assert datasets_equal(merge([back, agree]), merge([ab, agree], boundaries=boundaries))
    # C gives another age: who of A and B said which is no longer known
    differ = _ds([P1, P2], producer=C, boundaries=boundaries)
    with pytest.raises(ValidationError, match=rf"person p1: .* reported by {A};{B} together"):
        merge([back, differ])
    assert merge([ab, differ]).people.set_index("person_id").loc["p1", "age"] == 14


def test_the_command_line_refuses_a_merged_package_that_cannot_be_merged_again(
    boundaries: gpd.GeoDataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from peermap.cli import main

    key = peermap.load_key(KEY)
    (tmp_path / "key.txt").write_text(KEY, encoding="utf-8")
    paths = []
    for code, person in ((A, P1), (B, ("p1", A, 15, "F", False)), (C, P1)):
        ds = _ds([person], boundaries=boundaries)
        paths.append(
            str(
                write_package(
                    ds, tmp_path / f"{code}.gpkg", key=key, producer=code, audience="partnership"
                )
            )
        )
    common = ["--producer", A, "--key-file", str(tmp_path / "key.txt")]
    assert main(["merge", paths[0], paths[1], "-o", str(tmp_path / "ab.gpkg"), *common]) == 0
    capsys.readouterr()
    status = main(
        ["merge", str(tmp_path / "ab.gpkg"), paths[2], "-o", str(tmp_path / "abc.gpkg"), *common]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert f"person p1: one dataset holds it as reported by {A};{B} together" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "abc.gpkg").exists()
    # the authorities' own packages merge in one go
    assert main(["merge", *paths, "-o", str(tmp_path / "abc.gpkg"), *common]) == 0
