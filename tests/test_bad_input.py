"""Malformed input: every problem is named at file, row, column and value; nothing crashes.

Each case builds a damaged copy of a good dataset in ``tmp_path`` (CSV text written by
hand, workbooks with openpyxl, Parquet with pyarrow). ``peermap.validate`` and
``peermap.read_dataset`` must agree on every case: the same errors, and a strict read
that raises :class:`peermap.ValidationError` exactly when validate finds errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import peermap
from peermap import PrivacyError, ValidationError
from peermap.boundaries import demo_region_file
from peermap.validation import Problem, ValidationReport, read_dataset, validate

GOOD = Path(__file__).parent / "data" / "good"
PEOPLE_HEADER = "person_id,home_authority,age,sex,looked_after"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    shutil.copytree(GOOD, folder)
    return folder


def _people(n: int) -> list[str]:
    return [f"yp{i:03d},E09000007,{10 + i % 9},F,no" for i in range(1, n + 1)]


def _write_people(folder: Path, rows: list[str]) -> None:
    """Write people.csv (and ties naming the first people) by hand."""
    (folder / "people.csv").write_text("\n".join([PEOPLE_HEADER, *rows]) + "\n")
    ties = ["person_a,person_b,kind,first_seen,last_seen,source,reliability"]
    ties += ["yp001,yp002,friend,2024-01-05,,school,confirmed"]
    (folder / "ties.csv").write_text("\n".join(ties) + "\n")
    for name in ("sightings.csv", "relocations.csv"):
        (folder / name).unlink()


def _errors(report: ValidationReport, rule: str) -> list[Problem]:
    return [p for p in report.errors if p.rule == rule]


def _key(p: Problem) -> tuple[object, ...]:
    return (p.table, p.row, p.column, p.value, p.rule, p.severity, p.message)


def assert_agree(source: object, *, boundaries: object = None) -> ValidationReport:
    """Run validate, a lenient and a strict read: no foreign exception, the same errors."""
    report = validate(source, boundaries=boundaries)  # type: ignore[arg-type]
    try:
        lenient = read_dataset(source, boundaries=boundaries, strict=False)  # type: ignore[arg-type]
    except PrivacyError:
        assert any(str(p.value).startswith("[withheld: ") for p in report.errors)
        return report
    read_keys = sorted(map(_key, lenient.report.errors), key=str)
    assert read_keys == sorted(map(_key, report.errors), key=str)
    # read_dataset also counts the optional tables that are absent (all zero)
    assert {k: lenient.report.counts[k] for k in report.counts} == report.counts
    for counts in report.counts.values():
        assert counts["read"] == counts["accepted"] + counts["rejected"]
    try:
        read_dataset(source, boundaries=boundaries)  # type: ignore[arg-type]
    except ValidationError as exc:
        assert not report.ok and exc.report is not None
    else:
        assert report.ok
    return report


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("typed", ["0024-02-24", "1066-10-14", "1677-09-21", "1899-12-31"])
def test_dates_before_1900_are_a_named_problem_in_csv(tmp_path: Path, typed: str) -> None:
    folder = _copy(tmp_path)
    path = folder / "ties.csv"
    path.write_text(path.read_text().replace("2024-01-05", typed, 1))
    report = assert_agree(folder)
    [problem] = _errors(report, "date_range")
    assert (problem.row, problem.column, problem.value) == (2, "first_seen", typed)
    assert "1900" in problem.message
    ds = read_dataset(folder, strict=False)
    assert ds.ties["first_seen"].min() >= pd.Timestamp("1900-01-01")


def test_two_digit_year_is_not_a_date(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "ties.csv"
    path.write_text(path.read_text().replace("05/02/2024", "24/02/24", 1))
    [problem] = _errors(assert_agree(folder), "date")
    assert problem.value == "24/02/24" and problem.row == 3


@pytest.mark.parametrize("arrow_type", [pa.date32(), pa.timestamp("us"), pa.timestamp("ms")])
def test_parquet_dates_out_of_pandas_range_are_named(
    tmp_path: Path, arrow_type: pa.DataType
) -> None:
    folder = _copy(tmp_path)
    frame = pd.read_csv(folder / "sightings.csv", dtype=str)
    dates = [dt.date(2024, 2, 1)] * len(frame)
    dates[2] = dt.date(1500, 6, 1)
    table = pa.table(
        {c: pa.array(frame[c].tolist(), pa.string()) for c in frame.columns if c != "date"}
        | {"date": pa.array(dates, pa.date32()).cast(arrow_type)}
    )
    (folder / "sightings.csv").unlink()
    pq.write_table(table, folder / "sightings.parquet")
    report = assert_agree(folder)
    [problem] = _errors(report, "date_range")
    assert problem.row == 3 and problem.column == "date" and problem.value.startswith("1500-06-01")
    assert report.counts["sightings"]["accepted"] == len(frame) - 1


def _sightings_parquet(folder: Path, dates: pa.Array) -> int:
    """Replace sightings.csv by a Parquet file whose date column is ``dates``."""
    frame = pd.read_csv(folder / "sightings.csv", dtype=str)
    table = pa.table(
        {c: pa.array(frame[c].tolist(), pa.string()) for c in frame.columns if c != "date"}
        | {"date": dates}
    )
    (folder / "sightings.csv").unlink()
    pq.write_table(table, folder / "sightings.parquet")
    return len(frame)


@pytest.mark.parametrize(
    ("arrow_type", "count", "shown"),
    [
        (pa.timestamp("s"), -(10**11), "-1199-02-15T14:13:20"),
        (pa.timestamp("s", tz="UTC"), -(10**11), "-1199-02-15T14:13:20"),
        (pa.timestamp("ms"), -100_000_137_600_000, "-1199-02-14"),
        (pa.date32(), -(10**6), "-768-02-04"),
    ],
)
def test_parquet_dates_beyond_python_years_reject_their_row_only(
    tmp_path: Path, arrow_type: pa.DataType, count: int, shown: str
) -> None:
    # A timestamp in year -1199 cannot become a Python datetime: it used to refuse the
    # whole dataset (lenient too) with pyarrow's words, no row or column named.
    folder = _copy(tmp_path)
    n = pd.read_csv(folder / "sightings.csv").shape[0]
    stamps = pa.array([dt.datetime(2024, 2, 1)] * n, pa.timestamp("s")).cast(pa.int64())
    ints = stamps.to_pylist()
    if pa.types.is_date32(arrow_type):
        ints = [19754] * n
    else:
        ints = [i * {"s": 1, "ms": 1000}[arrow_type.unit] for i in ints]
    ints[2] = count
    width = pa.int32() if pa.types.is_date32(arrow_type) else pa.int64()
    _sightings_parquet(folder, pa.array(ints, width).cast(arrow_type))
    report = assert_agree(folder)
    [problem] = _errors(report, "date_range")
    assert (problem.row, problem.column, problem.value) == (3, "date", shown)
    assert problem.file.endswith("sightings.parquet")
    # Worded as the CSV reader words a date before 1900.
    csv_folder = _copy(tmp_path / "csv")
    path = csv_folder / "ties.csv"
    path.write_text(path.read_text().replace("2024-01-05", "1066-10-14", 1))
    [csv_problem] = _errors(validate(csv_folder), "date_range")
    assert problem.message == csv_problem.message
    ds = read_dataset(folder, strict=False)
    assert ds.report.counts["sightings"] == {"read": n, "accepted": n - 1, "rejected": 1}
    assert ds.report.rejected["sightings"].loc[3, "date"] == shown
    with pytest.raises(ValidationError, match=r"sightings\.parquet"):
        read_dataset(folder)


def test_parquet_dates_after_year_9999_are_future_dates(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    n = pd.read_csv(folder / "sightings.csv").shape[0]
    ints = [1706745600] * n
    ints[0] = 10**13
    _sightings_parquet(folder, pa.array(ints, pa.int64()).cast(pa.timestamp("s")))
    [problem] = _errors(assert_agree(folder), "future_date")
    assert (problem.row, problem.column) == (1, "date")
    assert problem.value.startswith("318857-05-20")


def test_a_parquet_column_written_twice_is_a_duplicate_column(tmp_path: Path) -> None:
    # pyarrow's dataset reader cannot pick a field whose name matches two: its message
    # ("Multiple matches for FieldRef.Name(sex) in ...") was the whole refusal.
    folder = _copy(tmp_path)
    frame = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    columns = list(frame.columns)
    arrays = [pa.array(frame[c].tolist(), pa.string()) for c in columns]
    (folder / "people.csv").unlink()
    pq.write_table(
        pa.Table.from_arrays([*arrays, arrays[columns.index("sex")]], names=[*columns, "sex"]),
        folder / "people.parquet",
    )
    csv_folder = _copy(tmp_path / "csv")
    path = csv_folder / "people.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",sex"] + [line + ",F" for line in lines[1:]]) + "\n")
    [csv_problem] = _errors(validate(csv_folder), "duplicate_column")
    report = assert_agree(folder)
    [problem] = _errors(report, "duplicate_column")
    assert problem.file.endswith("people.parquet") and problem.row is None
    assert (problem.column, problem.message) == (csv_problem.column, csv_problem.message)
    ds = read_dataset(folder, strict=False)
    assert ds.report.counts["people"]["rejected"] == len(frame)


def test_excel_dates_out_of_pandas_range_are_named(tmp_path: Path) -> None:
    from openpyxl import Workbook

    folder = _copy(tmp_path)
    frame = pd.read_csv(folder / "relocations.csv", dtype=str)
    wb = Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for i, row in enumerate(frame.itertuples(index=False)):
        cells: list[object] = list(row)
        cells[3] = dt.datetime(1601, 1, 1) if i == 0 else dt.datetime(2024, 5, 1)
        ws.append(cells)
    (folder / "relocations.csv").unlink()
    wb.save(folder / "relocations.xlsx")
    [problem] = _errors(assert_agree(folder), "date_range")
    assert problem.row == 2 and problem.column == "date" and problem.value.startswith("1601-01-01")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("age", "words"),
    [
        ("12345678901234567890", "too large"),
        ("99999999999999999999999999", "too large"),
        ("١٥", "digits 0-9"),  # Arabic-Indic 15
        ("１５", "digits 0-9"),  # full-width 15
        ("1e1", "digits 0-9"),
        ("15_0", "digits 0-9"),
        ("0x0F", "digits 0-9"),
    ],
)
def test_ages_are_ascii_whole_numbers_within_bounds(tmp_path: Path, age: str, words: str) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[2] = f"yp003,E09000007,{age},F,no"
    _write_people(folder, rows)
    report = assert_agree(folder)
    [problem] = _errors(report, "integer")
    assert (problem.row, problem.column, problem.value) == (4, "age", age)
    assert words in problem.message
    assert report.counts["people"] == {"read": 3, "accepted": 2, "rejected": 1}


@pytest.mark.parametrize("lon", ["-٠.١٢", "nan", "inf", '"-0,12"', "1_000", "0x1p-3"])
def test_coordinates_are_ascii_finite_numbers(tmp_path: Path, lon: str) -> None:
    folder = _copy(tmp_path)
    path = folder / "places.csv"
    path.write_text(path.read_text().replace("-0.1235", lon, 1))
    report = assert_agree(folder)
    assert [(p.row, p.column) for p in _errors(report, "number")] == [(2, "lon")]


# --------------------------------------------------------------------------- workbooks


@pytest.mark.parametrize(
    "content",
    [b"this is not a workbook", b"PK\x03\x04broken zip", b""],
    ids=["text", "broken-zip", "empty"],
)
def test_a_damaged_workbook_is_named(tmp_path: Path, content: bytes) -> None:
    folder = _copy(tmp_path)
    (folder / "people.csv").unlink()
    (folder / "people.xlsx").write_bytes(content)
    for call in (validate, read_dataset):
        with pytest.raises(ValidationError, match=r"people\.xlsx: cannot read as an Excel"):
            call(folder)
    (tmp_path / "book.xlsx").write_bytes(content)  # a whole dataset as one workbook
    with pytest.raises(ValidationError, match=r"book\.xlsx: cannot read as an Excel"):
        validate(tmp_path / "book.xlsx")


def test_a_password_protected_workbook_is_said_to_be_one(tmp_path: Path) -> None:
    # Excel stores an encrypted workbook as an OLE file; "save it again" keeps the password.
    folder = _copy(tmp_path)
    (folder / "people.csv").unlink()
    (folder / "people.xlsx").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    with pytest.raises(ValidationError, match=r"people\.xlsx: .* it is password-protected"):
        read_dataset(folder)


def test_a_zip_that_is_not_a_workbook_is_named(tmp_path: Path) -> None:
    import zipfile

    folder = _copy(tmp_path)
    (folder / "places.csv").unlink()
    with zipfile.ZipFile(folder / "places.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationError, match=r"places\.xlsx: cannot read as an Excel"):
        read_dataset(folder)


def test_formula_without_saved_result_is_named_not_read_as_empty(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    wb, _ = _people_workbook(
        folder,
        [
            ("yp001", "E09000007", 14, "F", "no"),
            ("yp002", "E09000007", "=C2+1", "F", "no"),  # openpyxl saves no result
        ],
    )
    wb.save(folder / "people.xlsx")
    _write_ties(folder)
    report = assert_agree(folder)
    [problem] = _errors(report, "formula")
    assert (problem.row, problem.column, problem.value) == (3, "age", "=C2+1")
    assert not _errors(report, "required")


def _people_workbook(folder: Path, rows: list[Any]) -> tuple[Any, Any]:
    """A people sheet of ``rows`` under the header, in place of people.csv (save it)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "people"
    ws.append(PEOPLE_HEADER.split(","))
    for row in rows:
        ws.append(list(row))
    (folder / "people.csv").unlink()
    return wb, ws


def _write_ties(folder: Path) -> None:
    ties = "person_a,person_b,kind,first_seen,last_seen,source,reliability\n"
    (folder / "ties.csv").write_text(ties + "yp001,yp002,friend,2024-01-05,,school,confirmed\n")
    for name in ("sightings.csv", "relocations.csv"):
        (folder / name).unlink()


def test_a_stray_cell_beyond_the_header_rejects_its_row_only(tmp_path: Path) -> None:
    from openpyxl import Workbook

    folder = _copy(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.append(PEOPLE_HEADER.split(","))
    for i, row in enumerate(_people(4)):
        cells: list[object] = row.split(",")
        if i == 2:
            cells += [None, "note"]
        ws.append(cells)
    (folder / "people.csv").unlink()
    wb.save(folder / "people.xlsx")
    _write_ties(folder)
    report = assert_agree(folder)
    [problem] = report.errors
    assert (problem.row, problem.column, problem.value) == (4, "column 7", "note")
    assert report.counts["people"] == {"read": 4, "accepted": 3, "rejected": 1}


def test_a_value_under_a_blank_csv_header_rejects_its_row_only(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = [r.replace(",F,", ",,F,", 1) for r in _people(3)]
    rows[1] = rows[1].replace(",,F,", ",oops,F,")
    _write_people(folder, rows)
    path = folder / "people.csv"
    path.write_text(path.read_text().replace(",age,", ",age,,", 1))
    report = assert_agree(folder)
    [problem] = [p for p in report.errors if p.table == "people"]
    assert (problem.row, problem.column, problem.value, problem.rule) == (
        3,
        "column 4",
        "oops",
        "blank_header",
    )


# --------------------------------------------------------------------------- CSV text


@pytest.mark.parametrize("where", [10, 40])
def test_unterminated_quote_is_named_where_it_opens_and_loses_no_row(
    tmp_path: Path, where: int
) -> None:
    folder = _copy(tmp_path)
    rows = _people(40)
    rows[where - 1] = rows[where - 1].replace("E09000007", '"E09000007', 1)
    _write_people(folder, rows)
    report = assert_agree(folder)
    [problem] = report.errors
    line = where + 1  # the header is row 1
    assert (problem.row, problem.column, problem.rule) == (
        line,
        "home_authority",
        "unterminated_quote",
    )
    assert problem.value == rows[where - 1]
    assert report.counts["people"] == {"read": 40, "accepted": 39, "rejected": 1}
    ds = read_dataset(folder, strict=False)
    assert f"yp{where:03d}" not in set(ds.people["person_id"])
    assert len(ds.people) == 39


def test_a_stray_quote_closed_rows_later_swallows_nothing(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = _people(20)
    rows[4] = rows[4].replace("E09000007", '"E09000007', 1)
    rows[9] = rows[9].replace(",F,", ',F",', 1)
    _write_people(folder, rows)
    report = assert_agree(folder)
    quotes = _errors(report, "unterminated_quote")
    assert quotes[0].row == 6
    assert report.counts["people"]["read"] == 20
    assert report.counts["people"]["accepted"] >= 18


def test_a_quoted_cell_spanning_lines_is_still_one_cell(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "places.csv"
    path.write_text(path.read_text().replace("secondary school", '"secondary\nschool, main site"'))
    report = assert_agree(folder)
    assert report.ok
    ds = read_dataset(folder)
    assert "secondary\nschool, main site" in set(ds.places["label"])


def test_unterminated_quote_in_the_last_sighting_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "sightings.csv"
    lines = path.read_text().splitlines()
    cells = lines[-1].split(",")
    cells[4] = '"' + cells[4]  # source
    lines[-1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    report = assert_agree(folder)
    [problem] = report.errors
    assert problem.rule == "unterminated_quote" and problem.row == len(lines)
    assert report.counts["sightings"]["read"] == len(lines) - 1


def test_rows_referring_to_a_structurally_rejected_row_point_at_it(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[1] = rows[1].replace("E09000007", '"E09000007', 1)  # yp002: stray quote, last row
    rows.append("yp004,E09000007,14,F,no,extra")  # too many cells
    _write_people(folder, rows)
    ties = folder / "ties.csv"
    ties.write_text(ties.read_text() + "yp001,yp004,friend,2024-01-05,,school,confirmed\n")
    report = assert_agree(folder)
    refs = _errors(report, "rejected_reference")
    assert {(p.row, p.value) for p in refs} == {(2, "yp002"), (3, "yp004")}
    assert not _errors(report, "unknown_person")
    assert "row 3" in refs[0].message and "people.csv" in refs[0].message


def test_nul_and_control_characters_in_an_id_are_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[2] = "yp0\x0003,E09000007,14,F,no"
    rows.append("yp004,E090\x1b00007,14,F,no")
    _write_people(folder, rows)
    report = assert_agree(folder)
    found = {(p.row, p.column, p.value) for p in _errors(report, "control_character")}
    assert found == {(4, "person_id", "yp0\\x0003"), (5, "home_authority", "E090\\x1b00007")}


def test_rows_referring_to_an_id_damaged_by_a_control_character_point_at_its_row(
    tmp_path: Path,
) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[1] = rows[1].replace("yp002", "yp\x0b002")  # a vertical tab pasted into the id
    _write_people(folder, rows)
    report = assert_agree(folder)
    [tie] = [p for p in report.errors if p.table == "ties"]
    assert tie.rule == "rejected_reference" and "row 3" in tie.message, tie.message


def test_a_huge_cell_rejects_its_row_not_the_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[1] = rows[1][:-2] + "x" * 200_000
    _write_people(folder, rows)
    report = assert_agree(folder)
    [problem] = [p for p in report.errors if p.table == "people"]
    assert (problem.row, problem.column, problem.rule) == (3, "looked_after", "long_cell")
    assert len(problem.value) < 300 and "200,000 characters" in problem.value
    assert report.counts["people"] == {"read": 3, "accepted": 2, "rejected": 1}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_files_are_read_with_a_warning(tmp_path: Path, encoding: str) -> None:
    folder = _copy(tmp_path)
    path = folder / "people.csv"
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode(encoding))
    report = assert_agree(folder)
    assert report.ok and report.counts["people"]["accepted"] == 6
    assert any(p.rule == "encoding" and p.table == "people" for p in report.warnings)


@pytest.mark.parametrize(
    ("encoding", "damage"),
    [
        ("utf-16", "surrogate"),  # with a byte-order mark
        ("utf-16-le", "surrogate"),  # as Excel's 'Unicode Text' writes it, no mark
        ("utf-16-be", "surrogate"),
        ("utf-16", "cut"),  # the last byte of the file lost
    ],
)
def test_a_damaged_character_in_a_utf16_file_sets_aside_its_row_not_the_file(
    tmp_path: Path, encoding: str, damage: str
) -> None:
    folder = _copy(tmp_path)
    _write_people(folder, _people(6))
    path = folder / "people.csv"
    text = path.read_text(encoding="utf-8")
    if damage == "cut":
        raw = text.rstrip("\n").encode(encoding)[:-1]  # row 7 loses half its last character
        row, expected = 7, {"read": 6, "accepted": 5, "rejected": 1}
    else:
        # An unpaired surrogate (half a character) before row 3's id, as an editor that
        # cut an emoji in two leaves it.
        at = text.index("yp002")
        units = "utf-16-be" if encoding == "utf-16-be" else "utf-16-le"  # "utf-16": LE, BOM
        lone = "\ud83d".encode(units, "surrogatepass")
        raw = text[:at].encode(encoding) + lone + text[at:].encode(units)
        row, expected = 3, {"read": 6, "accepted": 5, "rejected": 1}
    path.write_bytes(raw)
    report = assert_agree(folder)
    [problem] = _errors(report, "encoding")
    assert (problem.table, problem.row) == ("people", row)
    assert "not text in the file's encoding" in problem.message
    assert report.counts["people"] == expected
    if damage == "surrogate":
        # yp002's tie points at the row set aside, not at "no such person".
        [tie] = [p for p in report.errors if p.table == "ties"]
        assert tie.rule == "rejected_reference" and "row 3" in tie.message


# --------------------------------------------------------------------------- Parquet


def test_parquet_binary_ids_read_as_text(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    frame = pd.read_csv(folder / "people.csv", dtype=str, encoding="utf-8-sig").fillna("")
    frame.columns = [c.strip().lower() for c in frame.columns]
    ids = [v.encode() for v in frame["person_id"]]
    ids[1] = b"p0\xff02"
    table = pa.table(
        {"person_id": pa.array(ids, pa.binary())}
        | {c: pa.array(frame[c].tolist(), pa.string()) for c in frame.columns[1:]}
    )
    (folder / "people.csv").unlink()
    pq.write_table(table, folder / "people.parquet")
    report = assert_agree(folder)
    [problem] = _errors(report, "encoding")
    assert problem.row == 2 and problem.column == "person_id" and "b'" not in problem.value
    ds = read_dataset(folder, strict=False)
    assert "p001" in set(ds.people["person_id"])
    assert not any(str(v).startswith("b'") for v in ds.people["person_id"])


# --------------------------------------------------------------------------- ids


def test_ids_differing_only_in_case_or_spaces_are_warned(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows.append("YP001,E09000007,14,F,no")
    rows.append("yp 002,E09000007,14,F,no")
    _write_people(folder, rows)
    ties = folder / "ties.csv"
    ties.write_text(ties.read_text() + "yp001,Yp003,friend,2024-01-05,,school,confirmed\n")
    report = assert_agree(folder)
    similar = [p for p in report.warnings if p.rule == "similar_id"]
    assert {(p.row, p.value) for p in similar} == {(5, "YP001"), (6, "yp 002")}
    [unknown] = _errors(report, "unknown_person")
    assert "did you mean 'yp003'" in unknown.message


def test_identifier_in_a_bad_cell_is_never_echoed(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[1] = "yp002,E09000007,SW1A 1AA,F,no"
    _write_people(folder, rows)
    report = validate(folder)
    assert all("SW1A" not in p.value and "SW1A" not in p.message for p in report.problems)
    [problem] = _errors(report, "integer")
    assert str(problem.value).startswith("[withheld: ")
    with pytest.raises(PrivacyError) as caught:
        read_dataset(folder, strict=False)
    assert "SW1A" not in str(caught.value)


def test_swapped_easting_and_northing_are_caught_with_boundaries(tmp_path: Path) -> None:
    region = str(demo_region_file())
    people = pd.DataFrame({"person_id": ["p1"], "home_authority": ["X09000001"], "age": ["14"]})
    places = pd.DataFrame(
        {
            "place_id": ["a", "b"],
            "kind": ["park", "park"],
            "easting": ["700000", "310000"],
            "northing": ["310000", "700000"],
        }
    )
    report = assert_agree({"people": people, "places": places}, boundaries=region)
    [problem] = _errors(report, "location_range")
    assert problem.row == 1 and "swapped" in problem.message


# --------------------------------------------------------------------------- agreement


def _case_builders() -> dict[str, Callable[[Path], None]]:
    def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
        def apply(folder: Path) -> None:
            path = folder / name
            text = path.read_text(encoding="utf-8-sig")
            path.write_text(text.replace(old, new, 1), encoding="utf-8")

        return apply

    return {
        "early date": edit("sightings.csv", "2024-02-01", "0201-02-01"),
        "far future": edit("ties.csv", "2024-06-01", "9999-12-31"),
        "year 10000": edit("ties.csv", "2024-06-01", "10000-01-01"),
        "huge age": edit("people.csv", ",14,", ",1" + "0" * 30 + ","),
        "negative huge age": edit("people.csv", ",14,", ",-99999999999999999999,"),
        "arabic age": edit("people.csv", ",14,", ",١٤,"),
        "full-width digit": edit("places.csv", "531500", "５31500"),
        "huge float": edit("places.csv", "531500", "1e999"),
        "stray quote": edit("people.csv", "p002,", 'p002,"'),
        "nul": edit("places.csv", "h1,", "h\x001,"),
        "ragged": edit("relocations.csv", "care_placement", "care_placement,x"),
        "bad bytes": lambda f: (f / "ties.csv").write_bytes(
            (f / "ties.csv").read_bytes().replace(b"school", b"sch\xe9ol", 1)
        ),
    }


@pytest.mark.parametrize("case", sorted(_case_builders()))
def test_validate_and_read_dataset_agree_on_every_malformed_case(tmp_path: Path, case: str) -> None:
    folder = _copy(tmp_path)
    _case_builders()[case](folder)
    report = assert_agree(folder)
    assert not report.ok
    for p in report.errors:
        if p.row is not None:
            assert p.file and p.table and p.rule, p


def test_nothing_but_peermap_errors_escape_on_random_damage(tmp_path: Path) -> None:
    import random

    rng = random.Random(16)
    base = {p.name: p.read_bytes() for p in GOOD.iterdir()}
    for trial in range(25):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        for name, data in base.items():
            raw = bytearray(data)
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 6)):
                    raw[rng.randrange(len(raw))] = rng.choice(b'",\n\r\x00\xff9-/ ')
            (folder / name).write_bytes(bytes(raw))
        with contextlib.suppress(ValidationError, PrivacyError):
            assert_agree(folder)


def test_public_names_still_resolve() -> None:
    assert peermap.read_dataset is read_dataset and peermap.validate is validate


def test_an_id_with_its_accent_encoded_apart_is_the_same_young_person(tmp_path: Path) -> None:
    # "é" as one character (NFC) in people.csv and as "e" and a combining accent (NFD,
    # as macOS and some web forms write it) in ties.csv: one young person, as it reads.
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[1] = rows[1].replace("yp002", "yp-\u00e9002")
    _write_people(folder, rows)
    (folder / "ties.csv").write_text(
        "person_a,person_b,kind,first_seen,last_seen,source,reliability\n"
        "yp001,yp-e\u0301002,friend,2024-01-05,,school,confirmed\n"
    )
    report = assert_agree(folder)
    assert report.ok, [p.message for p in report.errors]
    ds = read_dataset(folder)
    assert set(ds.ties["person_b"]) <= set(ds.people["person_id"])


@pytest.mark.parametrize(
    "hidden",
    ["\u200d", "\u200b", "\u202e", "\ufeff", "\u00ad"],
    ids=["zwj", "zwsp", "rlo", "bom", "shy"],
)
def test_an_invisible_character_in_an_id_rejects_its_row(tmp_path: Path, hidden: str) -> None:
    # "yp00\u200d3" looks like "yp003" and would be another young person.
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[2] = rows[2].replace("yp003", f"yp00{hidden}3")
    _write_people(folder, rows)
    report = assert_agree(folder)
    [problem] = _errors(report, "control_character")
    assert (problem.row, problem.column) == (4, "person_id")
    assert "\\u" in problem.value or "\\x" in problem.value  # shown, not invisible
    assert report.counts["people"] == {"read": 3, "accepted": 2, "rejected": 1}


def test_a_label_may_hold_an_emoji_joined_by_a_zero_width_joiner(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    places = (folder / "places.csv").read_text(encoding="utf-8-sig").splitlines()
    header = places[0].split(",")
    assert "label" in header
    cells = places[1].split(",")
    cells[header.index("label")] = "family \U0001f468\u200d\U0001f469\u200d\U0001f466 cafe"
    places[1] = ",".join(cells)
    (folder / "places.csv").write_text("\n".join(places) + "\n", encoding="utf-8")
    report = assert_agree(folder)
    assert not _errors(report, "control_character")


def _people_parquet(folder: Path, frame: pd.DataFrame) -> None:
    (folder / "people.csv").unlink()
    frame.to_parquet(folder / "people.parquet")


def test_a_parquet_table_saved_with_a_column_as_its_index_keeps_the_column(
    tmp_path: Path,
) -> None:
    folder = _copy(tmp_path)
    people = pd.read_csv(folder / "people.csv", dtype=str, encoding="utf-8-sig")
    people.columns = [c.strip().lower() for c in people.columns]
    _people_parquet(folder, people.set_index("person_id"))  # as pandas users often save
    report = assert_agree(folder)
    assert report.ok and report.counts["people"]["accepted"] == len(people)
    # A frame filtered before saving stores its row labels: they are no column.
    folder = _copy(tmp_path / "filtered")
    _people_parquet(folder, people[people.index % 2 == 0])
    report = assert_agree(folder)
    assert not report.warnings and report.counts["people"]["read"] == (len(people) + 1) // 2


def test_phone_numbers_saved_as_a_parquet_index_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    people = pd.read_csv(folder / "people.csv", dtype=str, encoding="utf-8-sig")
    people.columns = [c.strip().lower() for c in people.columns]
    people["mobile"] = [f"07700 900{i:03d}" for i in range(len(people))]
    _people_parquet(folder, people.set_index("mobile"))
    with pytest.raises(PrivacyError, match="column 'mobile'") as caught:
        read_dataset(folder, strict=False)
    assert "07700" not in str(caught.value)


@pytest.mark.parametrize("extra", ["people (2)", "Sheet1"])
def test_a_sheet_of_records_that_is_not_read_is_said(tmp_path: Path, extra: str) -> None:
    # Excel names a copied sheet "people (2)"; records pasted into a "Sheet1" beside the
    # table's own sheet are as easily missed. Both were passed over without a word.
    folder = _copy(tmp_path)
    wb, _ = _people_workbook(folder, [row.split(",") for row in _people(3)])
    more = wb.create_sheet(extra)
    more.append(PEOPLE_HEADER.split(","))
    more.append(["yp009", "E09000007", 14, "F", "no"])
    guide = wb.create_sheet("People notes")  # text, no records: passed over
    guide.append(["Fill in one row per young person."])
    wb.save(folder / "people.xlsx")
    _write_ties(folder)
    report = assert_agree(folder)
    [warning] = [p for p in report.warnings if p.rule == "unread_file"]
    assert warning.table == "people" and f"sheet '{extra}' is not read" in warning.message
    assert report.counts["people"]["read"] == 3


def test_merged_cells_in_a_sheet_read_are_said_beside_the_blanks_they_leave(
    tmp_path: Path,
) -> None:
    # A worker keeping a sheet by hand merges a home authority down the rows of one
    # family: Excel keeps the value in the first cell only, and the rows below read
    # with that cell blank. The rejection alone ("home_authority is required") does not
    # say why a cell the worker can see filled is blank.
    folder = _copy(tmp_path)
    rows = [("yp001", "E09000007", 14, "F", "no"), ("yp002", None, 15, "F", "no")]
    wb, ws = _people_workbook(folder, [*rows, ("yp003", None, 13, "M", "no")])
    ws.merge_cells("B2:B4")
    ws.merge_cells("A6:B6")  # a merged note below the table: said too
    wb.save(folder / "people.xlsx")
    _write_ties(folder)
    report = assert_agree(folder)
    [warning] = [p for p in report.warnings if p.rule == "merged_cells"]
    assert warning.table == "people" and warning.file.endswith("people.xlsx")
    assert "cells B2:B4, A6:B6 are merged" in warning.message
    assert {p.row for p in report.errors if p.column == "home_authority"} == {3, 4}
    # A sheet without merged cells gets no such warning.
    ws.unmerge_cells("B2:B4")
    ws.unmerge_cells("A6:B6")
    wb.save(folder / "people.xlsx")
    assert not [p for p in peermap.validate(folder).warnings if p.rule == "merged_cells"]


def test_an_id_stored_as_a_number_too_long_for_excel_rejects_its_row(tmp_path: Path) -> None:
    # Excel keeps 15 digits of a number: a 20-digit id reads as 1.234567890123457e+19,
    # which two different ids can both become.
    folder = _copy(tmp_path)
    wb, _ = _people_workbook(
        folder,
        [
            ("yp001", "E09000007", 14, "F", "no"),
            ("yp002", "E09000007", 14, "F", "no"),
            (12345678901234567890, "E09000007", 15, "M", "no"),
            (123456789012345, "E09000007", 15, "M", "no"),  # 15 digits: kept whole
        ],
    )
    wb.save(folder / "people.xlsx")
    _write_ties(folder)
    report = assert_agree(folder)
    [problem] = _errors(report, "number_id")
    assert (problem.row, problem.column) == (4, "person_id")
    assert "format the column as Text" in problem.message
    ds = read_dataset(folder, strict=False)
    assert "123456789012345" in set(ds.people["person_id"])
    # Saved as CSV by Excel, the same id reads 1.23457E+19; an id such as 2E3 is text.
    rows = [*_people(2), "1.23457E+19,E09000007,15,M,no", "2E3,E09000007,15,M,no"]
    folder = _copy(tmp_path / "csv")
    _write_people(folder, rows)
    [problem] = _errors(assert_agree(folder), "number_id")
    assert problem.row == 4


def test_a_header_of_thousands_of_characters_is_cut_in_messages(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rows = [f"{row},1" for row in _people(3)]
    long = "x" * 100_000
    (folder / "people.csv").write_text("\n".join([f"{PEOPLE_HEADER},{long}", *rows]) + "\n")
    _write_ties(folder)
    report = assert_agree(folder)
    said = " ".join(f"{p.column} {p.message}" for p in report.problems)
    assert long not in said and "a header of 100,000 characters" in said


def test_a_reference_in_the_other_accent_form_to_a_rejected_id_points_at_its_row(
    tmp_path: Path,
) -> None:
    # The id composed (NFC) on a row rejected for its age; the tie names it decomposed.
    folder = _copy(tmp_path)
    rows = _people(3)
    rows[1] = "yp-\u00e9002,E09000007,fifteen,F,no"
    _write_people(folder, rows)
    (folder / "ties.csv").write_text(
        "person_a,person_b,kind,first_seen,last_seen,source,reliability\n"
        "yp001,yp-e\u0301002,friend,2024-01-05,,school,confirmed\n"
    )
    report = assert_agree(folder)
    [tie] = [p for p in report.errors if p.table == "ties"]
    assert tie.rule == "rejected_reference" and "row 3" in tie.message
