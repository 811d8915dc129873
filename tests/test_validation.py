"""Reading and validating record schema v1: every rule, and nothing lost."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

import peermap
from peermap import ValidationError
from peermap.validation import read_dataset, validate

GOOD = Path(__file__).parent / "data" / "good"
BAD = Path(__file__).parent / "data" / "bad"


def test_good_folder_reads_with_no_problems_and_schema_types() -> None:
    ds = read_dataset(GOOD)
    assert ds.report.ok and len(ds.report) == 0
    assert ds.counts == {"people": 6, "places": 4, "ties": 4, "sightings": 6, "relocations": 2}
    assert str(ds.people["age"].dtype) == "Int64"
    assert str(ds.people["looked_after"].dtype) == "boolean"
    assert ds.ties["first_seen"].dtype == "datetime64[ns]"
    assert ds.ties["reliability"].cat.ordered
    assert ds.places.crs.to_epsg() == 27700
    # BOM and odd-case, space-padded headers are read (people.csv has both)
    assert list(ds.people.columns[:3]) == ["person_id", "home_authority", "age"]


def test_enum_values_match_case_space_and_hyphen_insensitively() -> None:
    ds = read_dataset(GOOD)
    kinds = dict(zip(ds.places["place_id"], ds.places["kind"], strict=True))
    assert kinds == {"h1": "hotel", "s1": "school", "k1": "transport_hub", "f1": "fast_food"}
    assert "ex_partner" in set(ds.ties["kind"])
    assert "cce" in set(ds.sightings["context"])
    assert ds.people.set_index("person_id").loc["p003", "sex"] == "X"


def test_uk_and_iso_dates_are_both_read_day_first() -> None:
    ds = read_dataset(GOOD)
    tie = ds.ties[ds.ties["person_a"] == "p002"].iloc[0]
    assert tie["first_seen"] == pd.Timestamp("2024-02-05")  # 05/02/2024 is 5 February
    assert pd.isna(tie["last_seen"])


def test_places_carry_both_coordinate_systems_consistently() -> None:
    ds = read_dataset(GOOD)
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    for _, place in ds.places.iterrows():
        e, n = to_bng.transform(place["lon"], place["lat"])
        assert abs(e - place["easting"]) < 1 and abs(n - place["northing"]) < 1
        assert place.geometry.x == place["easting"] and place.geometry.y == place["northing"]
    # King's Cross (given as lon/lat) lies at about E 530 260, N 182 990 on the grid.
    kx = ds.places.set_index("place_id").loc["h1"]
    assert abs(kx["easting"] - 530_260) < 100 and abs(kx["northing"] - 182_990) < 100


EXPECTED_BAD = [
    ("people.csv", 3, "age", "integer", "fifteen"),
    ("people.csv", 4, "home_authority", "authority_code", "E0900019"),
    ("people.csv", 5, "age", "age_range", "30"),
    ("people.csv", 6, "looked_after", "boolean", "maybe"),
    ("people.csv", 7, "sex", "enum", "Q"),
    ("people.csv", 8, "person_id", "duplicate_id", "p007"),
    ("people.csv", 9, "person_id", "duplicate_id", "p007"),
    ("people.csv", 11, None, "duplicate_row", ""),
    ("people.csv", 13, "home_authority", "required", ""),
    ("places.csv", 3, "kind", "enum", "castle"),
    ("places.csv", 4, "lon", "location_range", "51.5308, -0.1235"),
    ("places.csv", 5, "easting", "location_range", "-0.12, 51.53"),
    ("places.csv", 6, None, "location", ""),
    ("places.csv", 7, "lat", "location", ""),
    ("places.csv", 8, "easting", "location_conflict", "531500, 184500"),
    ("places.csv", 9, "lon", "number", "abc"),
    ("ties.csv", 2, "person_b", "self_tie", "p001"),
    ("ties.csv", 3, "person_b", "rejected_reference", "p002"),
    ("ties.csv", 4, "person_b", "unknown_person", "p999"),
    ("ties.csv", 5, "kind", "enum", "rival"),
    ("ties.csv", 5, "first_seen", "date", "2024-13-05"),
    ("ties.csv", 5, "reliability", "enum", "sure"),
    ("ties.csv", 6, "first_seen", "future_date", "2999-01-01"),
    ("ties.csv", 7, "last_seen", "date_order", "2024-02-01"),
    ("ties.csv", 8, "source", "required", ""),
    ("sightings.csv", 3, "place_id", "rejected_reference", "h2"),
    ("sightings.csv", 4, "place_id", "unknown_place", "zz"),
    ("sightings.csv", 6, "date", "date", "31/02/2024"),
    # The extra cell has no header: named by its position.
    (
        "sightings.csv",
        7,
        "column 7",
        "ragged_row",
        "p001,h9,2024-02-01,cse,police,corroborated,extra",
    ),
    ("relocations.csv", 2, "to_authority", "same_authority", "E09000007"),
    ("relocations.csv", 3, "kind", "enum", "holiday"),
]


@pytest.fixture(scope="module")
def bad_report() -> peermap.validation.ValidationReport:
    return validate(BAD)


@pytest.mark.parametrize(("file", "row", "column", "rule", "value"), EXPECTED_BAD)
def test_each_rule_names_file_row_column_and_value(
    bad_report: peermap.validation.ValidationReport,
    file: str,
    row: int,
    column: str | None,
    rule: str,
    value: str,
) -> None:
    hits = [
        p
        for p in bad_report.problems
        if p.file.endswith(file) and p.row == row and p.rule == rule and p.column == column
    ]
    assert hits, f"no {rule} problem at {file} row {row} column {column}"
    assert hits[0].value == value
    assert hits[0].severity == "error"
    assert hits[0].message


def test_a_date_in_the_right_form_on_no_real_day_says_so(
    bad_report: peermap.validation.ValidationReport,
) -> None:
    # 31/02/2024 and 2024-13-05 are written in an accepted form: the user needs to check
    # the day and month, not learn the form again.
    for file, value in (("sightings.csv", "31/02/2024"), ("ties.csv", "2024-13-05")):
        hit = next(p for p in bad_report.problems if p.file.endswith(file) and p.value == value)
        assert "no such day" in hit.message and "YYYY" not in hit.message


def test_warnings_keep_rows(bad_report: peermap.validation.ValidationReport) -> None:
    unusual = [p for p in bad_report.warnings if p.rule == "age_unusual"]
    assert {p.row for p in unusual} == {6, 14}
    extra = [p for p in bad_report.warnings if p.rule == "extra_column"]
    assert [p.column for p in extra] == ["notes"]
    ds = read_dataset(BAD, strict=False)
    assert "p010" in set(ds.people["person_id"])  # age 9: warned, kept
    assert "notes" in ds.people.columns  # extra column kept in memory
    assert ds.meta["extra_columns"] == {"people": ["notes"]}


def test_strict_raises_a_value_error_listing_problems_and_total() -> None:
    with pytest.raises(ValidationError) as info:
        read_dataset(BAD)
    err = info.value
    assert isinstance(err, ValueError)
    text = str(err)
    n = len(err.report.errors) if err.report else 0
    assert n >= len(EXPECTED_BAD)
    assert text.startswith(f"{n} problem(s) found")
    assert "people.csv, row 3, column 'age' (value 'fifteen')" in text
    assert f"and {n - peermap.settings.max_problems_in_message} more" in text


def test_lenient_mode_loses_no_row() -> None:
    ds = read_dataset(BAD, strict=False)
    report = ds.report
    for name, counts in report.counts.items():
        assert counts["read"] == counts["accepted"] + counts["rejected"], name
        assert counts["accepted"] == len(ds.table(name))
        assert counts["rejected"] == len(report.rejected[name])
    # blank line 12 in people.csv holds no record; the 12 non-blank data rows are counted
    assert report.counts["people"]["read"] == 12
    rejected = report.rejected["people"]
    assert rejected.loc[3, "age"] == "fifteen"  # verbatim, as typed
    assert "whole number" in rejected.loc[3, "rejected_because"]
    assert rejected.loc[3, "notes"] == "bad age"  # extra columns travel with the row


def test_rejected_person_takes_dependent_rows_with_it_and_says_so() -> None:
    ds = read_dataset(BAD, strict=False)
    assert "p002" not in set(ds.people["person_id"])
    for table in ("ties", "sightings"):
        frame = ds.table(table)
        cols = [c for c in ("person_a", "person_b", "person_id") if c in frame]
        assert not frame[cols].isin(["p002"]).any().any()
    cascade = [p for p in ds.report.problems if p.rule == "rejected_reference"]
    assert any("p002" in p.message and "row 3" in p.message for p in cascade)


def test_missing_required_column_rejects_table_with_reason(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "d")
    people = pd.read_csv(tmp_path / "d" / "people.csv", encoding="utf-8-sig")
    people.drop(columns=[people.columns[2]]).to_csv(tmp_path / "d" / "people.csv", index=False)
    report = validate(tmp_path / "d")
    missing = [p for p in report.problems if p.rule == "missing_column"]
    assert missing and missing[0].column == "age" and missing[0].row is None
    assert "headers found" in missing[0].message
    ds = read_dataset(tmp_path / "d", strict=False)
    assert len(ds.people) == 0 and len(ds.report.rejected["people"]) == 6
    # every tie now refers to a person who was rejected, and says so
    assert len(ds.ties) == 0 and ds.report.counts["ties"]["rejected"] == 4


def test_missing_people_table_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "places.csv").write_text("place_id,kind,lon,lat\nh1,hotel,-0.1,51.5\n")
    with pytest.raises(ValidationError, match=r"people \(people.csv"):
        read_dataset(tmp_path)


def test_optional_tables_may_be_absent_and_come_back_empty_and_typed(tmp_path: Path) -> None:
    for name in ("people.csv", "places.csv"):
        shutil.copy(GOOD / name, tmp_path / name)
    ds = read_dataset(tmp_path)
    assert len(ds.ties) == len(ds.sightings) == len(ds.relocations) == 0
    assert ds.sightings["date"].dtype == "datetime64[ns]"
    assert list(ds.relocations.columns) == [
        "person_id",
        "from_authority",
        "to_authority",
        "date",
        "kind",
    ]


def test_files_named_like_a_table_but_not_read_are_warned_of(tmp_path: Path) -> None:
    # A second download ("ties (1).csv"), a table saved as text or tab-separated, a
    # backup: each used to be passed over without a word, its records absent.
    for name in ("people.csv", "places.csv", "sightings.csv"):
        shutil.copy(GOOD / name, tmp_path / name)
    ties = (GOOD / "ties.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "ties (1).csv").write_text(ties)
    (tmp_path / "relocations.tsv").write_text("person_id\tfrom_authority\n")
    (tmp_path / "People.CSV.bak").write_text("person_id\n")
    (tmp_path / "sightings_march.xlsx").write_bytes(b"")
    # Not tables: no warning.
    (tmp_path / "README.md").write_text("exports of March\n")
    (tmp_path / "places_boundaries.geojson").write_text("{}")
    (tmp_path / "demo_region.geojson").write_text("{}")
    (tmp_path / "sightings").mkdir()  # a folder of monthly files, read by the dask engine
    report = validate(tmp_path)
    assert report.ok
    said = {Path(p.file).name: p for p in report.warnings}
    assert set(said) == {
        "ties (1).csv",
        "relocations.tsv",
        "People.CSV.bak",
        "sightings_march.xlsx",
    }
    assert {p.rule for p in said.values()} == {"unread_file"}
    assert said["ties (1).csv"].table == "ties"
    assert said["ties (1).csv"].message.startswith(
        "ties (1).csv is not read: a table is read from ties.csv, ties.xlsx or ties.parquet"
    )
    assert said["sightings_march.xlsx"].message.startswith(
        "sightings_march.xlsx is not read: the sightings table is read from sightings.csv only"
    )
    assert said["People.CSV.bak"].table == "people"
    assert (said["relocations.tsv"].row, said["relocations.tsv"].column) == (None, None)
    ds = read_dataset(tmp_path)  # warnings do not stop a strict read
    assert [(p.file, p.message) for p in ds.report.warnings] == [
        (p.file, p.message) for p in report.warnings
    ]
    assert any(str(p).startswith(f"warning: {tmp_path / 'ties (1).csv'}: ") for p in ds.report)


def test_a_folder_of_only_the_files_read_has_no_unread_file_warning(tmp_path: Path) -> None:
    for path in GOOD.iterdir():
        shutil.copy(path, tmp_path / path.name.upper())  # PEOPLE.CSV is read as people
    assert not [p for p in validate(tmp_path).problems if p.rule == "unread_file"]


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        p.stem: pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for p in folder.glob("*.csv")
    }


def _assert_same_dataset(a: peermap.Dataset, b: peermap.Dataset) -> None:
    for name in ("people", "places", "ties", "sightings", "relocations"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(a.table(name)).drop(columns="geometry", errors="ignore"),
            pd.DataFrame(b.table(name)).drop(columns="geometry", errors="ignore"),
        )


def test_excel_workbook_with_one_sheet_per_table_reads_the_same(tmp_path: Path) -> None:
    book = tmp_path / "collection.xlsx"
    with pd.ExcelWriter(book) as writer:
        for name, frame in _tables(GOOD).items():
            frame.to_excel(writer, sheet_name=name.capitalize(), index=False)
    _assert_same_dataset(read_dataset(book), read_dataset(GOOD))


def test_excel_native_dates_and_numbers_are_read(tmp_path: Path) -> None:
    tables = _tables(GOOD)
    people = tables["people"].copy()
    people["AGE"] = people["AGE"].astype(int)  # numeric cells
    sightings = tables["sightings"].copy()
    sightings["date"] = read_dataset(GOOD).sightings["date"].to_numpy()  # native date cells
    folder = tmp_path / "x"
    folder.mkdir()
    for name, frame in {**tables, "people": people, "sightings": sightings}.items():
        frame.to_excel(folder / f"{name}.xlsx", index=False)
    ds = read_dataset(folder)
    assert ds.people["age"].tolist() == read_dataset(GOOD).people["age"].tolist()
    assert ds.sightings["date"].tolist() == read_dataset(GOOD).sightings["date"].tolist()
    problem_rows = validate(folder).problems
    assert problem_rows == []


def test_parquet_tables_read_the_same(tmp_path: Path) -> None:
    for name, frame in _tables(GOOD).items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    _assert_same_dataset(read_dataset(tmp_path), read_dataset(GOOD))


def test_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    tables = _tables(GOOD)
    tables["people"].loc[1, "AGE"] = "old"
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    problem = next(p for p in validate(tmp_path).problems if p.rule == "integer")
    assert problem.row == 2 and problem.file.endswith("people.parquet")


def test_parquet_lists_and_structures_are_refused_not_read_as_text(tmp_path: Path) -> None:
    # A list or a structure in a cell read as text was "['yp-1']": a key nothing matches,
    # or a name in brackets the identifier rules read past (session 29).
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = _tables(GOOD)
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    people = pa.Table.from_pandas(tables["people"], preserve_index=False)
    n = people.num_rows
    keys = pa.array([[v] for v in people.column(0).to_pylist()])
    people = people.set_column(0, people.column_names[0], keys)
    people = people.append_column("extra", pa.array([{"code": "x"}] * n))
    pq.write_table(people, tmp_path / "people.parquet")
    for read in (read_dataset, validate):
        with pytest.raises(peermap.ValidationError) as info:
            read(tmp_path)
        message = str(info.value)
        assert "people.parquet" in message and "lists or structures" in message
        assert repr(people.column_names[0]) in message and "'extra'" in message


def test_a_formatted_empty_cell_in_the_last_column_reads_as_nothing(tmp_path: Path) -> None:
    # Excel keeps formatting out to column XFD: every row was read 16,384 cells wide
    # (seconds per thousand rows); the table reads as without it, nothing set aside.
    import openpyxl
    from openpyxl.styles import Font

    tables = _tables(GOOD)
    for name, frame in tables.items():
        frame.to_excel(tmp_path / f"{name}.xlsx", index=False)
    wb = openpyxl.load_workbook(tmp_path / "people.xlsx")
    ws = wb.active
    assert ws is not None
    ws["XFD2"].font = Font(bold=True)  # on a record's row
    ws[f"XFD{ws.max_row + 3}"].font = Font(bold=True)  # below the table
    wb.save(tmp_path / "people.xlsx")
    report = validate(tmp_path)
    assert report.problems == []
    assert report.counts["people"]["accepted"] == len(tables["people"])
    _assert_same_dataset(read_dataset(tmp_path), read_dataset(GOOD))


def test_each_row_set_aside_while_reading_keeps_its_own_reason(tmp_path: Path) -> None:
    tables = _tables(GOOD)
    for name, frame in tables.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    lines = (tmp_path / "sightings.csv").read_text().splitlines()
    lines[1] += ",extra"  # row 2: a cell beyond the header
    lines[2] = '"' + lines[2]  # row 3: a quote not closed
    (tmp_path / "sightings.csv").write_text("\n".join(lines) + "\n")
    rejected = validate(tmp_path).rejected["sightings"]
    reasons = rejected["rejected_because"]
    assert "header has" in reasons.loc[2] and "not closed" not in reasons.loc[2]
    assert "not closed" in reasons.loc[3] and "header has" not in reasons.loc[3]


def test_in_memory_frames_report_index_labels() -> None:
    tables = _tables(GOOD)
    people = tables["people"].copy()
    people.index = pd.Index([f"r{i}" for i in range(len(people))])
    people.loc["r2", "AGE"] = "x"
    report = validate({**tables, "people": people})
    problem = next(p for p in report.problems if p.rule == "integer")
    assert problem.row == "r2" and problem.file == "<people frame>"


def test_frames_whose_index_repeats_name_rows_by_position_and_lose_none() -> None:
    # Two exports joined with pd.concat and no ignore_index: labels 0, 1, ... twice.
    tables = _tables(GOOD)
    sightings = tables["sightings"]
    half = len(sightings) // 2
    joined = pd.concat([sightings.iloc[:half], sightings.iloc[half:].reset_index(drop=True)])
    assert not joined.index.is_unique
    bad = half + 1  # a row of the second export, whose label repeats one of the first's
    joined.iloc[bad, list(joined.columns).index("context")] = "not a context"
    ds = read_dataset({**tables, "sightings": joined}, strict=False)
    # Only the bad row is set aside (by label it would take the first export's row too),
    # named by its position, and a warning says the rows are so named.
    assert len(ds.sightings) == len(sightings) - 1
    assert ds.report.rejected["sightings"].index.tolist() == [bad]
    problem = next(p for p in ds.report.problems if p.severity == "error")
    assert problem.row == bad and problem.table == "sightings"
    warning = next(p for p in ds.report.problems if p.rule == "index")
    assert warning.severity == "warning" and "by position" in warning.message
    with pytest.raises(ValidationError, match=f"row {bad}, column"):
        read_dataset({**tables, "sightings": joined})


def test_index_labels_that_identify_or_cannot_name_a_row_are_not_used() -> None:
    # An index set on an identifying column (set_index("email")) must not be shown
    # wherever its rows are named; a MultiIndex cannot name rows. Both: by position.
    tables = _tables(GOOD)
    people = tables["people"].copy()
    secret = ["jane.doe@example.com", "943 476 5919"]
    people.index = pd.Index(secret + [f"r{i}" for i in range(2, len(people))])
    people.iloc[0, list(people.columns).index("AGE")] = "fifteen"
    ds = read_dataset({**tables, "people": people}, strict=False)
    shown = str(ds.report) + ds.report.to_frame().to_csv()
    shown += "".join(f.to_csv() for f in ds.report.rejected.values())
    assert not [s for s in secret if s in shown]
    assert ds.report.rejected["people"].index.tolist() == [0]
    warning = next(p for p in ds.report.problems if p.rule == "index")
    assert "identifying" in warning.message and warning.severity == "warning"
    with pytest.raises(ValidationError) as refused:
        read_dataset({**tables, "people": people})
    assert not [s for s in secret if s in str(refused.value)]
    # A number index is judged too (an NHS number read as a whole number), but the row
    # numbers a filtered frame keeps are not identifying.
    numbered = tables["people"].copy()
    numbered.index = pd.Index([9434765919, *range(1, len(numbered))])
    numbered.iloc[1, list(numbered.columns).index("AGE")] = "fifteen"
    numbered_report = validate({**tables, "people": numbered})
    assert "9434765919" not in str(numbered_report)
    assert next(p for p in numbered_report.problems if p.rule == "integer").row == 1
    filtered = tables["people"].copy()
    filtered.index = pd.Index(range(10, 10 + len(filtered)))
    filtered.iloc[1, list(filtered.columns).index("AGE")] = "fifteen"
    report = validate({**tables, "people": filtered})
    assert next(p for p in report.problems if p.rule == "integer").row == 11
    assert not [p for p in report.problems if p.rule == "index"]
    levels = tables["people"].copy()
    levels.index = pd.MultiIndex.from_arrays([["a"] * len(levels), range(len(levels))])
    levels.iloc[0, list(levels.columns).index("AGE")] = "fifteen"
    report = validate({**tables, "people": levels})
    assert next(p for p in report.problems if p.rule == "integer").row == 0


def test_non_utf8_row_is_set_aside_and_the_rest_read(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "d")
    path = tmp_path / "d" / "places.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"secondary school", b"caf\xe9")  # Windows-1252 e-acute
    path.write_bytes(b"\n".join(lines))
    ds = read_dataset(tmp_path / "d", strict=False)
    problem = next(p for p in ds.report.problems if p.rule == "encoding")
    assert problem.row == 3 and "UTF-8" in problem.message and "\\xe9" in problem.value
    # Named by position (the header need not be readable either), with the cell alone.
    header = path.read_bytes().split(b"\n")[0].decode().split(",")
    assert problem.column == f"column {header.index('label') + 1}"
    assert problem.value == "caf\\xe9"
    assert f", {problem.column} (value 'caf\\xe9'): " in str(problem)  # one backslash
    assert set(ds.places["place_id"]) == {"h1", "k1", "f1"}
    assert ds.report.counts["places"] == {"read": 4, "accepted": 3, "rejected": 1}


def test_duplicate_header_is_reported(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "d")
    path = tmp_path / "d" / "relocations.csv"
    text = path.read_text().replace("kind\n", "Date\n", 1)
    path.write_text(text)
    problems = validate(tmp_path / "d").problems
    assert any(p.rule == "duplicate_column" and p.column == "Date" for p in problems)


def test_quoted_multiline_cells_keep_the_row_numbers_a_user_sees(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "d")
    path = tmp_path / "d" / "places.csv"
    text = path.read_text().replace("hotel near station", '"hotel\nnear station"')
    text = text.replace("k1,Transport Hub", "k1,Transport Hubb")
    path.write_text(text)
    problem = next(p for p in validate(tmp_path / "d").problems if p.rule == "enum")
    # header line 1, h1 spans lines 2-3, s1 line 4, k1 line 5
    assert problem.row == 5 and problem.value == "Transport Hubb"


def test_report_prints_as_a_readable_table(bad_report: peermap.validation.ValidationReport) -> None:
    text = str(bad_report)
    header = text.splitlines()[0]
    for word in ("severity", "file", "row", "column", "value", "problem"):
        assert word in header
    assert "fifteen" in text
    frame = bad_report.to_frame()
    assert len(frame) == len(bad_report.problems)
    assert set(frame.columns) >= {"table", "row", "column", "value", "message"}


def test_a_dataset_validates_again_with_no_problems() -> None:
    ds = read_dataset(GOOD)
    report = validate(ds)
    assert report.ok and report.problems == []
    assert report.counts["sightings"] == {"read": 6, "accepted": 6, "rejected": 0}


def test_a_damaged_dataset_fails_validation_again() -> None:
    ds = read_dataset(GOOD)
    ties = ds.ties.copy()
    ties.loc[0, "person_b"] = ties.loc[0, "person_a"]
    report = validate(ds.replace(ties=ties))
    assert [p.rule for p in report.errors] == ["self_tie"]


def test_a_dataset_pickles_and_stays_read_only(tmp_path: Path) -> None:
    import pickle

    ds = read_dataset(GOOD)
    back = pickle.loads(pickle.dumps(ds))
    pd.testing.assert_frame_equal(back.people, ds.people)
    assert dict(back.meta) == dict(ds.meta)
    with pytest.raises(TypeError):
        back.meta["schema_version"] = "2"  # type: ignore[index]


def test_a_tie_given_both_ways_is_one_tie_but_exploitation_is_directed() -> None:
    tables = _tables(GOOD)
    ties = tables["ties"]
    first = ties.iloc[0]
    both_ways = first.copy()
    both_ways["person_a"], both_ways["person_b"] = first["person_b"], first["person_a"]
    exploit = ties.iloc[2].copy()  # p003 -> p004 exploiter
    reverse = exploit.copy()
    reverse["person_a"], reverse["person_b"] = exploit["person_b"], exploit["person_a"]
    frame = pd.concat([ties, pd.DataFrame([both_ways, reverse])], ignore_index=True)
    ds = read_dataset({**tables, "ties": frame}, strict=False)
    dups = [p for p in ds.report.problems if p.rule == "duplicate_row"]
    assert [p.row for p in dups] == [4]  # the reversed friend tie; the reversed exploiter stays
    assert len(ds.ties) == len(ties) + 1


@pytest.mark.parametrize(
    "source",
    [None, 42, b"exports", {"people": None}, {"people": pd.Series(["yp-1"])}, "/tmp/" + "a" * 5000],
    ids=["None", "int", "bytes", "table None", "table Series", "name too long"],
)
def test_sources_it_cannot_read_are_refused_by_peermap(source: object) -> None:
    # Not a TypeError or an OSError from deep inside: the project's own error, saying
    # what a source may be.
    for read in (validate, lambda s: read_dataset(s, strict=False)):
        with pytest.raises(ValidationError):
            read(source)  # type: ignore[arg-type]


def test_a_row_cut_short_is_kept_and_said(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "d")
    path = tmp_path / "d" / "people.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    width = len(lines[0].split(","))
    cut = ",".join(lines[2].split(",")[:3])  # a file cut off mid-row, say
    path.write_text("\n".join([*lines[:2], cut, *lines[3:]]) + "\n", encoding="utf-8")
    report = validate(tmp_path / "d")
    problem = next(p for p in report.problems if p.rule == "short_row")
    assert problem.severity == "warning" and problem.row == 3
    assert f"row has 3 cells but the header has {width}" in problem.message
    assert len(read_dataset(tmp_path / "d").people) == len(read_dataset(GOOD).people)


def test_a_time_after_the_date_must_be_a_time_of_day(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "d")
    path = tmp_path / "d" / "sightings.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    at = header.index("date")
    for row, time in ((1, "23:59"), (2, "25:00"), (3, "12:60:00")):
        cells = lines[row].split(",")
        cells[at] = f"{cells[at]} {time}"
        lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = [p.row for p in validate(tmp_path / "d").problems if p.rule == "date"]
    assert bad == [3, 4]  # spreadsheet rows of the 25:00 and the 12:60:00; 23:59 read


def test_a_file_saved_twice_with_a_byte_order_mark_reads_as_once(tmp_path: Path) -> None:
    # Decoding drops one BOM; a second one stayed on the first header ("\ufeffperson_id"),
    # so its column was missing and every row was set aside (session 29).
    shutil.copytree(GOOD, tmp_path / "d")
    path = tmp_path / "d" / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    report = validate(tmp_path / "d")
    assert report.counts["people"] == validate(GOOD).counts["people"]
    assert [p for p in report.problems if p.table == "people"] == [
        p for p in validate(GOOD).problems if p.table == "people"
    ]


def test_a_date_time_with_a_zone_reads_as_its_date(tmp_path: Path) -> None:
    # Police and case systems export ISO date-times in UTC ("Z") or with an offset: the
    # rows were refused (session 29). The date is read as written.
    from peermap._parsing import parse_date

    day = dt.date(2024, 1, 5)
    for text in ("2024-01-05T10:00:00Z", "2024-01-05T23:30:00.123-05:00", "2024-01-05 10:00+0100"):
        assert parse_date(text) == day, text
    for text in (
        "2024-01-05Z",
        "2024-01-05T25:00Z",
        "2024-01-05T10:00:00+5",
        "2024-01-05T10:00+25:00",
    ):
        assert parse_date(text) is None, text
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = _tables(GOOD)
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    sightings = pq.read_table(tmp_path / "sightings.parquet")
    at = sightings.column_names.index("date")
    stamps = pa.array(
        [dt.datetime(2024, 1, 5, 10, tzinfo=dt.timezone.utc)] * sightings.num_rows,
        pa.timestamp("s", tz="UTC"),
    )
    pq.write_table(sightings.set_column(at, "date", stamps), tmp_path / "sightings.parquet")
    ds = read_dataset(tmp_path)
    assert set(ds.sightings["date"].dt.date) == {day}


def test_a_wide_table_with_no_row_set_aside_is_not_redacted_column_by_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # redact_frame scans each column (about a millisecond each): 3,000 empty extra
    # columns cost seconds for a rejected-rows frame with no row in it.
    import peermap.validation as validation

    scanned: list[int] = []
    redact = validation.redact_frame

    def counting(frame: pd.DataFrame, *, table: str) -> pd.DataFrame:
        scanned.append(len(frame))
        return redact(frame, table=table)

    monkeypatch.setattr(validation, "redact_frame", counting)
    shutil.copy(GOOD / "places.csv", tmp_path / "places.csv")
    extra = ",".join(f"c{i}" for i in range(300))
    rows = [f"yp{i},E09000007,15{',' * 300}" for i in range(5)] + [f"yp9,E09000007,old{',' * 300}"]
    (tmp_path / "people.csv").write_text(
        "\n".join([f"person_id,home_authority,age,{extra}", *rows]) + "\n"
    )
    ds = read_dataset(tmp_path, strict=False)
    assert scanned == [1]  # people's one rejected row; places set none aside
    assert list(ds.report.rejected["places"].columns)[-1] == "rejected_because"
    assert len(ds.report.rejected["places"]) == 0
    assert list(ds.report.rejected["people"].index) == [7]
