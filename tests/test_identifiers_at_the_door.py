"""Identifiers at the door: wherever one is planted, it is refused and never echoed.

Each case copies the good dataset into ``tmp_path`` and plants identifiers (phone
numbers, postcodes, emails, NHS and National Insurance numbers, names) where the
readers set rows aside or report them: cells beyond the header, ids, ages, dates,
labels, Latin-1 rows, quoted multi-line cells, unterminated quotes, blank and repeated
headers, workbook and Parquet cells. Then everything a user can see is gathered: the
strict and lenient ``read_dataset`` errors, ``validate``'s report and rejected rows,
``peermap validate`` with and without ``--rejected`` (stdout, stderr, exit status),
log records, warnings and every file written. No planted value, nor its form without
spaces or its digits alone, may appear in any of it; the refusal names table, row,
column and rule.
"""

from __future__ import annotations

import logging
import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from peermap import PrivacyError, read_dataset, validate
from peermap.cli import main
from peermap.privacy import IDENTIFIER_RULES, identifier_rule

GOOD = Path(__file__).parent / "data" / "good"
PEOPLE_HEADER = "Person_ID , Home_Authority,AGE,sex,looked_after"

#: Identifiers of every kind, as records hold them.
NUMBERS = {
    "mobile": "07700 900123",
    "international": "+44 7700 900456",
    "postcode": "SW1A 1AA",
    "email": "jay.k@example.com",
    "nhs": "943 476 5919",
    "nino": "AB 12 34 56 C",
}
#: A person's name is refused in free text and ids, not in coded columns.
NAME = "Jayden Smith"
ANYWHERE = list(NUMBERS.values())
FREE_TEXT = [*ANYWHERE, NAME]

Planted = tuple[Path, list[str], set[tuple[str, int]]]


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(GOOD, folder)
    return folder


def _append(path: Path, lines: list[str], *, encoding: str = "utf-8") -> None:
    with path.open("ab") as f:
        for line in lines:
            f.write((line + "\n").encode(encoding))


def _extra_cells(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    values = FREE_TEXT
    pairs = list(zip(values, values[1:] + values[:1], strict=True))
    _append(
        folder / "people.csv",
        [f"x{i},E09000007,14,F,no,{a},{b}" for i, (a, b) in enumerate(pairs)],
    )
    return folder, values, {("people", 8 + i) for i in range(len(pairs))}


def _ids_and_references(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    values = FREE_TEXT
    people = [f"{v},E09000007,{14 + i % 3},F,no" for i, v in enumerate(values)]
    people += [f"{values[0]},E09000019,15,M,yes", values[1].upper() + ",E09000007,13,F,no"]
    _append(folder / "people.csv", people)
    # Numbers written without their spaces: no such person, "did you mean" the planted id.
    written = [v if v == NAME else v.replace(" ", "") for v in values]
    ties = [f"p001,{v},friend,2024-01-05,,school,confirmed" for v in written]
    _append(folder / "ties.csv", ties)
    _append(folder / "sightings.csv", [f"{v},h1,2024-02-01,cse,police,reported" for v in values])
    rows = {("people", 8 + i) for i in range(len(people))}
    rows |= {("ties", 6 + i) for i in range(len(values))}
    rows |= {("sightings", 8 + i) for i in range(len(values))}
    return folder, values, rows


def _ages(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    _append(folder / "people.csv", [f"a{i},E09000007,{v},F,no" for i, v in enumerate(ANYWHERE)])
    return folder, ANYWHERE, {("people", 8 + i) for i in range(len(ANYWHERE))}


#: Dates of birth typed where the age belongs, and used as young people's keys.
BIRTH_DATES = ["03/02/2010", "2009-05-06", "4 Mar 2011"]


def _birth_dates_as_ages(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    _append(folder / "people.csv", [f"d{i},E09000007,{v},F,no" for i, v in enumerate(BIRTH_DATES)])
    return folder, BIRTH_DATES, {("people", 8 + i) for i in range(len(BIRTH_DATES))}


def _birth_dates_as_ids(tmp_path: Path) -> Planted:
    # Every message that quotes an id: ids alike but for case (similar_id), one id on
    # two rows (duplicate_id), a reference alike but for spaces ("did you mean"), and
    # a reference to a rejected person (rejected_reference).
    folder = _copy(tmp_path)
    keys = ["SMITH-03/02/2010", "smith-03/02/2010", "2009-05-06", "2009-05-06", "JONES-04/03/2011"]
    ages = ["14", "15", "13", "16", "abc"]
    _append(
        folder / "people.csv",
        [f"{k},E09000007,{a},F,no" for k, a in zip(keys, ages, strict=True)],
    )
    refs = ["SMITH -03/02/2010", "JONES-04/03/2011"]
    _append(folder / "ties.csv", [f"p001,{r},friend,2024-01-05,,school,confirmed" for r in refs])
    rows = {("people", 8 + i) for i in range(len(keys))} | {("ties", 6), ("ties", 7)}
    return folder, ["SMITH-03/02/2010", "2009-05-06", "JONES-04/03/2011"], rows


def _dates(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    ties = [f"p001,p002,friend,{v},,school,confirmed" for v in ANYWHERE]
    ties += [f"p003,p004,friend,2024-01-05,{v},police,reported" for v in ANYWHERE]
    _append(folder / "ties.csv", ties)
    return folder, ANYWHERE, {("ties", 6 + i) for i in range(len(ties))}


def _labels(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    places = [f"q{i},nonsense,-0.12,51.53,,,meet at {v} after" for i, v in enumerate(FREE_TEXT)]
    places += [f"r{i},shop,-0.12,51.53,,,{v}" for i, v in enumerate(FREE_TEXT)]
    _append(folder / "places.csv", places)
    return folder, FREE_TEXT, {("places", 6 + i) for i in range(len(places))}


def _latin1(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    rows = [f"l{i},E09000007,1\xe9,F,{v}" for i, v in enumerate(FREE_TEXT)]
    rows += [f"m{i},E09000007,14,\xe9{v},no" for i, v in enumerate(ANYWHERE)]
    _append(folder / "people.csv", rows, encoding="latin-1")
    return folder, FREE_TEXT, {("people", 8 + i) for i in range(len(rows))}


def _multiline(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    lines: list[str] = []
    rows: set[tuple[str, int]] = set()
    for i, v in enumerate(FREE_TEXT):
        rows.add(("places", 6 + 2 * i))
        lines.append(f'm{i},nonsense,-0.12,51.53,,,"hotel near station')
        lines.append(f'ask for {v}"')
    _append(folder / "places.csv", lines)
    return folder, FREE_TEXT, rows


def _unterminated(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    good = (folder / "places.csv").read_text().splitlines()
    lines = [good[0]]
    rows: set[tuple[str, int]] = set()
    for i, v in enumerate(FREE_TEXT):
        rows.add(("places", len(lines) + 1))
        lines.append(f'u{i},shop,-0.12,51.53,,,"shop {v}')
        lines.extend(good[1 + i % 4 : 2 + i % 4])
    (folder / "places.csv").write_text("\n".join(lines) + "\n")
    return folder, FREE_TEXT, rows


def _repeated_header(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    body = (folder / "people.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    rows = [line + ",," for line in body]
    rows += [f"h{i},E09000007,x,F,no,,{v}" for i, v in enumerate(FREE_TEXT)]
    rows += [f"k{i},E09000007,y,F,no,{v}," for i, v in enumerate(FREE_TEXT)]
    (folder / "people.csv").write_text("\n".join([PEOPLE_HEADER + ",notes,NOTES", *rows]) + "\n")
    n = len(body)
    return folder, FREE_TEXT, {("people", 2 + n + i) for i in range(2 * len(FREE_TEXT))}


def _blank_header(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    body = (folder / "people.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    rows = [line + "," for line in body]
    rows += [f"b{i},E09000007,15,F,no,{v}" for i, v in enumerate(FREE_TEXT)]
    (folder / "people.csv").write_text("\n".join([PEOPLE_HEADER + ",", *rows]) + "\n")
    return folder, FREE_TEXT, {("people", 2 + len(body) + i) for i in range(len(FREE_TEXT))}


def _workbook(tmp_path: Path) -> Planted:
    book = openpyxl.Workbook()
    book.remove(book.active)
    expected: set[tuple[str, int]] = set()
    for csv in sorted(GOOD.glob("*.csv")):
        sheet = book.create_sheet(csv.stem)
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
        if csv.stem == "people":
            for i, v in enumerate(FREE_TEXT):
                sheet.append([f"w{i}", "E09000007", "14", "F", "no", None, v])
                expected.add(("people", sheet.max_row))
            for i, v in enumerate(ANYWHERE):
                sheet.append([f"v{i}", "E09000007", v, "F", "no"])
                expected.add(("people", sheet.max_row))
        if csv.stem == "places":
            for i, v in enumerate(FREE_TEXT):
                sheet.append([f"z{i}", "nonsense", -0.12, 51.53, None, None, f"near {v}"])
                expected.add(("places", sheet.max_row))
    path = tmp_path / "records.xlsx"
    book.save(path)
    return path, FREE_TEXT, expected


def _parquet(tmp_path: Path) -> Planted:
    folder = _copy(tmp_path)
    people = pd.read_csv(
        folder / "people.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    (folder / "people.csv").unlink()
    n = len(people)
    ids = [*people.iloc[:, 0], *FREE_TEXT, *(f"n{i}" for i in range(len(ANYWHERE)))]
    ages = [*people.iloc[:, 2], *(["14"] * len(FREE_TEXT)), *ANYWHERE]
    extra = len(ids) - n
    notes = [b""] * n + [b"\xff\xfe" + v.encode() for v in FREE_TEXT] + [b""] * len(ANYWHERE)
    table = pa.table(
        {
            "person_id": ids,
            "home_authority": [*people.iloc[:, 1], *(["E09000007"] * extra)],
            "age": ages,
            "sex": [*people.iloc[:, 3], *(["F"] * extra)],
            "looked_after": [*people.iloc[:, 4], *(["no"] * extra)],
            "notes": pa.array(notes, type=pa.binary()),
        }
    )
    pq.write_table(table, folder / "people.parquet")
    return folder, FREE_TEXT, {("people", n + 1 + i) for i in range(extra)}


CASES: dict[str, Callable[[Path], Planted]] = {
    "cells beyond the header": _extra_cells,
    "ids and references to them": _ids_and_references,
    "ages": _ages,
    "dates of birth as ages": _birth_dates_as_ages,
    "dates of birth as ids": _birth_dates_as_ids,
    "dates": _dates,
    "place labels": _labels,
    "latin-1 rows": _latin1,
    "quoted multi-line cells": _multiline,
    "unterminated quotes": _unterminated,
    "repeated headers": _repeated_header,
    "blank headers": _blank_header,
    "workbook cells": _workbook,
    "parquet cells": _parquet,
}


def _forms(value: str) -> set[str]:
    """The value, without spaces, and its digits alone when they are most of it."""
    forms = {value.lower(), re.sub(r"\s", "", value).lower()}
    digits = re.sub(r"[^0-9]", "", value)
    if len(digits) >= 7:
        forms.add(digits)
    return forms


def test_planted_values_are_identifiers() -> None:
    for value in FREE_TEXT:
        assert identifier_rule(value) is not None, value


@pytest.mark.parametrize("case", list(CASES))
def test_identifiers_are_refused_and_never_echoed(
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, planted, rows = CASES[case](tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for strict in (True, False):
            with pytest.raises(PrivacyError) as err:
                read_dataset(source, strict=strict)
            report = err.value.report
            assert report is not None
            seen += [str(err.value), repr(err.value.args), report.format(limit=None)]
            seen.append(report.to_frame().to_csv())
            named = {(p.table, p.row) for p in report.problems}
            assert rows <= named, f"not refused: {sorted(rows - named, key=str)}"
            for problem in report.problems:
                assert problem.rule in IDENTIFIER_RULES and problem.column
                assert problem.value.startswith("[withheld: looks like ")
        report = validate(source)
        seen += [report.format(limit=None), report.summary(), report.to_frame().to_csv()]
        seen += [frame.to_csv() for frame in report.rejected.values()]
        assert report.n_rejected, "the case sets no row aside"
        assert main(["validate", str(source)]) == 2
        rejected = out / "rejected"
        assert main(["validate", str(source), "--all", "--rejected", str(rejected)]) == 2
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written, "--rejected wrote no file"
    assert any("[withheld: looks like " in p.read_text(encoding="utf-8") for p in written)
    captured = capsys.readouterr()
    seen += [captured.out, captured.err, caplog.text, *(str(w.message) for w in caught)]
    seen += [p.read_bytes().decode("utf-8", errors="replace") for p in written]
    text = "\n".join(seen).lower()
    for value in planted:
        for form in _forms(value):
            assert form not in text, f"{value!r} appears as {form!r}"


def test_cell_refused_by_its_column_name_is_withheld_in_every_problem(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    body = (folder / "people.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    rows = [f"{line},Okafor" for line in body[:-1]] + [f"{body[-1]},Oka\x01for"]
    (folder / "people.csv").write_text("\n".join([PEOPLE_HEADER + ",surname", *rows]) + "\n")
    report = validate(folder)
    about = [p for p in report.problems if p.column == "surname" and p.row == len(body) + 1]
    assert {p.rule for p in about} >= {"name", "control_character"}
    assert all(p.value == "[withheld: looks like a person's name]" for p in about)
    assert "oka" not in report.format(limit=None).lower()
    assert "oka" not in report.rejected["people"].to_csv().lower()


def test_redact_frame_withholds_cells_and_a_header_that_is_an_identifier() -> None:
    from peermap import redact_frame

    frame = pd.DataFrame({"07700 900123": ["a", "SW1A 1AA"], "age": ["12", "Jayden Smith"]})
    out = redact_frame(frame, table="people")
    assert list(out.columns) == ["column 1", "age"]
    assert out.iloc[:, 0].tolist() == ["a", "[withheld: looks like a full postcode]"]
    assert out["age"].tolist() == ["12", "[withheld: looks like a person's name]"]
    assert frame.iloc[1, 0] == "SW1A 1AA"  # the input is not changed


# ---- values that are not refused at the door are still never echoed ---------------

#: Identifiers typed where an authority belongs. Numbers, emails and postcodes are
#: refused in every column; names and addresses are not looked for in a column of
#: authority names, but a check that shows the value withholds them all the same.
AUTHORITY_VALUES = [
    "jay@example.org",
    "07700 900123",
    "9434765919",
    "SW1A 1AA",
    "12 Church Road",
    "Jayden Smith",
    "Mr Patel",
    "14 Elm Grove",
]
NOT_REFUSED_AS_AUTHORITIES = ["12 Church Road", "Jayden Smith", "Mr Patel", "14 Elm Grove"]
#: The good dataset's authorities, as the demo region's.
DEMO_CODES = {
    "E09000007": "X09000001",
    "E09000019": "X09000002",
    "E09000014": "X09000003",
    "E09000012": "X09000004",
    "E09000010": "X09000005",
    "E07000007": "X09000006",
    "Camden": "Northmere",
}


def _demo_dataset(tmp_path: Path) -> tuple[Path, Path]:
    """The good dataset with the demo region's authorities, and the region's file."""
    from peermap.boundaries import demo_region_file

    folder = _copy(tmp_path)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        for old, new in DEMO_CODES.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    region = tmp_path / "region.geojson"
    region.write_bytes(demo_region_file().read_bytes())
    return folder, region


def _everything_seen(
    source: Path,
    region: Path | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> str:
    """Run every reader and `peermap validate --rejected`; return all they show, lowercased."""
    out = tmp_path / "out"
    out.mkdir()
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for strict in (True, False):
            try:
                ds = read_dataset(source, boundaries=region, strict=strict)
            except ValueError as exc:  # ValidationError or PrivacyError
                seen += [str(exc), repr(exc.args)]
                report = getattr(exc, "report", None)
            else:
                report = ds.report
            if report is not None:
                seen += [report.format(limit=None), report.to_frame().to_csv()]
                seen += [frame.to_csv() for frame in report.rejected.values()]
                seen.append(repr(report.extra_columns))
        report = validate(source, boundaries=region)
        seen += [report.format(limit=None), report.summary(), report.to_frame().to_csv()]
        seen += [frame.to_csv() for frame in report.rejected.values()]
        seen.append(repr(report.extra_columns))
        where = ["--boundaries", str(region)] if region is not None else []
        assert main(["validate", str(source), *where]) == 2
        rejected = out / "rejected"
        assert main(["validate", str(source), *where, "--all", "--rejected", str(rejected)]) == 2
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written, "--rejected wrote no file"
    captured = capsys.readouterr()
    seen += [captured.out, captured.err, caplog.text, *(str(w.message) for w in caught)]
    seen += [p.read_bytes().decode("utf-8", errors="replace") for p in written]
    return "\n".join(seen).lower()


def _assert_never_echoed(text: str, planted: list[str]) -> None:
    for value in planted:
        for form in _forms(value):
            assert form not in text, f"{value!r} appears as {form!r}"


@pytest.mark.parametrize("values", [AUTHORITY_VALUES, NOT_REFUSED_AS_AUTHORITIES])
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("people", "home_authority"),
        ("relocations", "from_authority"),
        ("relocations", "to_authority"),
    ],
)
def test_identifiers_typed_as_authorities_are_never_echoed(
    values: list[str],
    table: str,
    column: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder, region = _demo_dataset(tmp_path)
    assert validate(folder, boundaries=region).ok  # the only problems are the planted ones
    if table == "people":
        lines = [f"a{i},{v},14,F,no" for i, v in enumerate(values)]
    elif column == "from_authority":
        lines = [
            f"p001,{v},X09000002,2024-0{1 + i % 9}-01,care_placement" for i, v in enumerate(values)
        ]
    else:
        lines = [
            f"p001,X09000002,{v},2024-0{1 + i % 9}-01,care_placement" for i, v in enumerate(values)
        ]
    _append(folder / f"{table}.csv", lines)
    report = validate(folder, boundaries=region)
    about = [p for p in report.problems if p.rule == "unknown_authority"]
    assert len(about) == len(values)
    for problem in about:
        assert problem.value.startswith("[withheld: looks like ")
        assert problem.value in problem.message  # says what kind of value was withheld
    rejected = report.rejected[table]
    assert len(rejected) == len(values)
    assert (
        rejected.filter(regex="(?i)_authority$")
        .apply(lambda c: c.str.startswith("[withheld: looks like "))
        .any(axis=1)
        .all()
    )
    _assert_never_echoed(_everything_seen(folder, region, tmp_path, capsys, caplog), values)


def test_a_header_that_is_an_identifier_is_withheld_in_every_problem(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = _copy(tmp_path)
    body = (folder / "people.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    # A name as an extra column's header (a warning: not in the schema), a name repeated
    # as two headers (duplicate_column), a bad age and an unclosed quote under them.
    header = PEOPLE_HEADER + ",Jayden Smith,Mr Patel,Mr Patel"
    rows = [f"{line},x,," for line in body]
    rows += ["q1,E09000007,abc,F,no,y,,", 'q2,E09000007,14,F,no,"open quote,,']
    (folder / "people.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    # A phone number typed over a required column's header ("headers found: ...").
    ties = (folder / "ties.csv").read_text(encoding="utf-8-sig")
    (folder / "ties.csv").write_text(
        ties.replace("person_a,", "07700 900123,", 1), encoding="utf-8"
    )
    report = validate(folder)
    # Each column is named by its position, alike in every problem about it.
    named = {(p.rule, p.column) for p in report.problems if p.table == "people"}
    assert {("name", "column 6"), ("extra_column", "column 6")} <= named
    assert {("name", "column 7"), ("extra_column", "column 7")} <= named
    assert ("duplicate_column", "column 8") in named
    assert ("unterminated_quote", "column 6") in named
    assert "column 6" in set(report.rejected["people"].columns)
    assert report.extra_columns["people"] == ["column 6", "column 7"]
    missing = next(p for p in report.problems if p.rule == "missing_column")
    assert "column 1" in missing.message
    planted = ["Jayden Smith", "Mr Patel", "07700 900123"]
    _assert_never_echoed(_everything_seen(folder, None, tmp_path, capsys, caplog), planted)


def test_report_withholds_a_date_of_birth_typed_as_an_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, region = _demo_dataset(tmp_path)
    _append(folder / "people.csv", ["d1,X09000001,03/02/2010,F,no"])
    html = tmp_path / "report.html"
    for lenient in ([], ["--lenient"]):
        args = ["report", str(folder), "--boundaries", str(region), "-o", str(html), *lenient]
        assert main(args) == 2
    captured = capsys.readouterr()
    text = (captured.out + captured.err).lower()
    assert "date of birth" in text
    _assert_never_echoed(text, ["03/02/2010"])
    assert not html.exists() or "03/02/2010" not in html.read_text(encoding="utf-8")


def test_a_persons_name_typed_as_an_authority_is_refused(tmp_path: Path) -> None:
    # Read without boundaries an authority is kept as written and shown in reports, so
    # a name typed there would leave with them.
    folder = tmp_path / "ds"
    shutil.copytree(GOOD, folder)
    people = pd.read_csv(folder / "people.csv", dtype=str)
    people.loc[1, "home_authority"] = "Jayden Smith"
    people.to_csv(folder / "people.csv", index=False)
    with pytest.raises(PrivacyError) as caught:
        read_dataset(folder, strict=False)
    message = str(caught.value)
    assert "Jayden" not in message and "home_authority" in message and "row 3" in message


def test_no_english_authority_name_reads_as_a_persons_name(
    lad_2013_loaded: tuple[pd.DataFrame, list[str]], lad_2024_loaded: tuple[pd.DataFrame, list[str]]
) -> None:
    # The name test runs on the record tables' authority columns: every authority of
    # the ONS files of 2013 and 2024 must pass it.
    names: set[str] = set()
    for frame, _warnings in (lad_2013_loaded, lad_2024_loaded):
        names |= set(frame["name"].astype(str))
    assert len(names) > 300
    refused = [
        n for n in names if identifier_rule(n, table="people", column="home_authority") is not None
    ]
    assert refused == []
