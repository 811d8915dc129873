"""The schema owns the contract: foreign keys, dtypes and the Dataset's tables come from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import peermap
from peermap.dataset import Dataset
from peermap.merging import canonical_tables
from peermap.schema import (
    DTYPES,
    REFERENCED,
    RELIABILITY_DTYPE,
    TABLE_ORDER,
    TABLES,
    ForeignKey,
    cast_column,
)
from peermap.synthetic import scenario

GOOD = Path(__file__).parent / "data" / "good"
BAD = Path(__file__).parent / "data" / "bad"

#: The dtypes read_dataset gave each schema column before the cast had one home.
BEFORE: dict[str, dict[str, str]] = {
    "people": {
        "person_id": "str",
        "home_authority": "str",
        "age": "Int64",
        "sex": "str",
        "looked_after": "boolean",
    },
    "places": {
        "place_id": "str",
        "kind": "str",
        "lon": "float64",
        "lat": "float64",
        "easting": "float64",
        "northing": "float64",
        "label": "str",
        "platform": "str",  # schema 1.1
    },
    "ties": {
        "person_a": "str",
        "person_b": "str",
        "kind": "str",
        "first_seen": "datetime64[ns]",
        "last_seen": "datetime64[ns]",
        "source": "str",
        "reliability": "category",
    },
    "sightings": {
        "person_id": "str",
        "place_id": "str",
        "date": "datetime64[ns]",
        "context": "str",
        "source": "str",
        "reliability": "category",
    },
    "relocations": {
        "person_id": "str",
        "from_authority": "str",
        "to_authority": "str",
        "date": "datetime64[ns]",
        "kind": "str",
    },
}


@pytest.fixture(scope="module")
def demo_ds() -> Dataset:
    return scenario(peermap.demo_boundaries(), n_people=150, seed=4).dataset


# --------------------------------------------------------------------------- foreign keys


def test_foreign_keys_are_stated_in_the_schema() -> None:
    people = ForeignKey("person_id", "people", "person_id")
    assert TABLES["people"].foreign_keys == ()
    assert TABLES["places"].foreign_keys == ()
    assert TABLES["ties"].foreign_keys == (
        ForeignKey("person_a", "people", "person_id"),
        ForeignKey("person_b", "people", "person_id"),
    )
    assert TABLES["sightings"].foreign_keys == (
        people,
        ForeignKey("place_id", "places", "place_id"),
    )
    assert TABLES["relocations"].foreign_keys == (people,)
    assert REFERENCED == ("people", "places")
    with pytest.raises(ValueError, match=r"expected 'table\.column'"):
        peermap.schema.ColumnSpec("x", "id", references="people")


def test_unknown_person_and_place_are_caught_with_the_same_messages() -> None:
    report = peermap.validate(BAD)
    found = {(p.file.rsplit("/", 1)[-1], p.row, p.rule, p.message) for p in report.problems}
    people, places = str(BAD / "people.csv"), str(BAD / "places.csv")
    assert ("ties.csv", 4, "unknown_person", f"no such person in {people}") in found
    assert ("sightings.csv", 4, "unknown_place", f"no such place in {places}") in found
    rejected = (
        "ties.csv",
        3,
        "rejected_reference",
        f"refers to person 'p002' whose row 3 in {people} was rejected; this row is set "
        "aside with it",
    )
    assert rejected in found


def _tables(**changes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    tables = {
        "people": pd.DataFrame(
            {"person_id": ["p1", "p2"], "home_authority": "E09000007", "age": 15}
        ),
        "places": pd.DataFrame({"place_id": ["h1"], "kind": "hotel", "lon": -0.12, "lat": 51.53}),
        "relocations": pd.DataFrame(
            {
                "person_id": ["p1", "p9"],
                "from_authority": "E09000007",
                "to_authority": "E09000019",
                "date": "2024-01-02",
                "kind": "housing",
            }
        ),
    }
    tables.update(changes)
    return tables


def test_reference_checks_follow_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the foreign key off relocations.person_id and the check goes with it."""
    report = peermap.validate(_tables())
    unknown = [p for p in report.problems if p.rule == "unknown_person"]
    assert [(p.table, p.row, p.column, p.value) for p in unknown] == [
        ("relocations", 1, "person_id", "p9")
    ]
    spec = TABLES["relocations"]
    columns = tuple(
        dataclasses.replace(c, references=None) if c.name == "person_id" else c
        for c in spec.columns
    )
    monkeypatch.setitem(TABLES, "relocations", dataclasses.replace(spec, columns=columns))
    report = peermap.validate(_tables())
    assert not [p for p in report.problems if p.rule == "unknown_person"]


# --------------------------------------------------------------------------- dtypes


@pytest.fixture(scope="module")
def made_four_ways(demo_ds: Dataset) -> tuple[Dataset, dict[str, pd.DataFrame], Dataset]:
    """The tables read from files, canonical for a digest, and merged (once per module)."""
    producer = str(demo_ds.boundaries["code"].iloc[0])  # type: ignore[index]
    return (
        peermap.read_dataset(GOOD),
        canonical_tables(demo_ds),
        peermap.merge([demo_ds], producers=[producer]),
    )


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_one_cast_gives_the_same_dtypes_as_before(
    table: str,
    demo_ds: Dataset,
    made_four_ways: tuple[Dataset, dict[str, pd.DataFrame], Dataset],
) -> None:
    spec = TABLES[table]
    assert {c: "category" if c == "reliability" else str(d) for c, d in spec.dtypes.items()} == (
        BEFORE[table]
    )
    read_ds, canonical_all, merged_ds = made_four_ways
    read = read_ds.table(table)
    canonical = canonical_all[table]
    merged = merged_ds.table(table)
    for frame in (read, demo_ds.table(table), canonical, merged):
        assert {c: str(frame[c].dtype) for c in spec.names} == BEFORE[table]
    if "reliability" in spec:
        for frame in (read, canonical, merged):
            assert frame["reliability"].dtype == RELIABILITY_DTYPE


def test_cast_column_from_values_and_from_typed_series() -> None:
    index = pd.Index([10, 11, 12])
    assert cast_column([3, None, 4.0], "Int64").tolist() == [3, pd.NA, 4]
    dates = cast_column(
        pd.Series([dt.date(2024, 1, 2), None, pd.NaT], index=index), "datetime64[ns]"
    )
    assert dates.dtype == "datetime64[ns]" and list(dates.index) == [10, 11, 12]
    assert dates.iloc[0] == pd.Timestamp("2024-01-02") and dates.isna().tolist()[1:] == [True] * 2
    assert cast_column([True, None], "boolean").tolist() == [True, pd.NA]
    text = cast_column(pd.Series(["a", None], dtype=object), "str")
    assert text.dtype == "str" and text.isna().tolist() == [False, True]
    grades = cast_column(["reported", None], RELIABILITY_DTYPE)
    assert grades.dtype == RELIABILITY_DTYPE and grades.isna().tolist() == [False, True]
    # A series already of the dtype comes back as it is (a new Series object).
    typed = pd.Series([1.5, None], dtype="float64")
    assert cast_column(typed, "float64").equals(typed)
    assert set(DTYPES) == {"id", "authority", "enum", "text", "int", "float", "bool", "date"}


# --------------------------------------------------------------------------- Dataset


def test_dataset_tables_follow_the_schema(demo_ds: Dataset) -> None:
    fields = [f.name for f in dataclasses.fields(Dataset)]
    assert tuple(fields[: len(TABLE_ORDER)]) == TABLE_ORDER
    assert list(demo_ds.counts) == list(TABLE_ORDER)
    summary = demo_ds.summary()
    for name in TABLE_ORDER:
        assert f"  {TABLES[name].label:<13} {len(demo_ds.table(name)):>9,}" in summary
    with pytest.raises(KeyError, match="no table 'victims'"):
        demo_ds.table("victims")


def test_every_table_has_a_noun_and_a_label() -> None:
    assert all(spec.noun and spec.label for spec in TABLES.values())
