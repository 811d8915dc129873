"""Malformed input through the command line: what the analyst reads, case by case.

Each case builds a tiny dataset in ``tmp_path`` (CSV written by hand, workbooks with
openpyxl), runs ``peermap`` as a user would and reads what it prints: the dataset's
warnings on every command that reads one, a file the system refuses said in plain words,
workbooks whose sheet cannot be told, a header given twice or repeated mid-file, a
table's name on a folder or a dangling link, a file separated by semicolons, a header
spelt with spaces.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import peermap
from peermap.boundaries import demo_region_file
from peermap.cli import main

PEOPLE = (
    "person_id,home_authority,age,sex,looked_after\nyp1,X09000001,14,F,no\nyp2,X09000002,15,M,yes\n"
)
#: Two places inside the demo region (British National Grid metres).
PLACES = "place_id,kind,easting,northing\nH,hotel,693500,315500\nP,park,700821,315400\n"
SIGHTINGS = (
    "person_id,place_id,date,context,source,reliability\n"
    "yp1,H,2024-02-01,cse,police,confirmed\nyp2,H,2024-02-03,cse,police,reported\n"
)


def _dataset(tmp_path: Path, **tables: str) -> Path:
    """A dataset folder of people, places and sightings, any of them replaced."""
    folder = tmp_path / "exports"
    folder.mkdir()
    given = {"people": PEOPLE, "places": PLACES, "sightings": SIGHTINGS, **tables}
    for name, text in given.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def region(tmp_path: Path) -> Path:
    path = tmp_path / "region.geojson"
    path.write_bytes(demo_region_file().read_bytes())
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, " ".join(captured.err.split())


# --------------------------------------------------------------------------- 1. warnings


def test_report_says_the_warnings_of_the_dataset_it_read(
    tmp_path: Path, region: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both places in London, far outside the demo region's authorities.
    outside = "place_id,kind,easting,northing\nH,hotel,530000,180000\nP,park,531000,181000\n"
    folder = _dataset(tmp_path, places=outside)
    status, _, err = _run(capsys, "report", folder, "--boundaries", region, "-o", tmp_path / "r.md")
    assert status == 0
    # As 'peermap validate' lists it: file, row, column and value, then how many more.
    assert (
        f"peermap report: warning: {folder / 'places.csv'}, row 2, column 'place_id' (value "
        "'H'): place lies outside every authority in the boundaries"
    ) in err
    assert f"(and 1 more like it: 'peermap validate {folder} --boundaries {region}'" in err
    status, out, _ = _run(capsys, "validate", folder, "--boundaries", region)
    assert status == 0 and "0 error(s), 2 warning(s)" in out


def test_validate_warns_of_a_table_file_it_does_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _dataset(tmp_path)
    (folder / "sightings.csv").rename(folder / "sightings (1).csv")
    status, out, _ = _run(capsys, "validate", folder)
    assert status == 0 and "0 error(s), 1 warning(s)" in out
    assert (
        "sightings (1).csv is not read: a table is read from sightings.csv, sightings.xlsx "
        "or sightings.parquet"
    ) in " ".join(out.split())
    status, _, err = _run(capsys, "report", folder, "-o", tmp_path / "r.md")
    assert status == 0
    assert f"peermap report: warning: {folder / 'sightings (1).csv'}: sightings (1).csv is" in err


# --------------------------------------------------------------------------- 2. attribution


def test_a_boundary_file_without_a_stated_source_is_credited_in_cli_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    squares = gpd.GeoDataFrame(
        {"code": ["X1", "X2"], "name": ["North", "South"]},
        geometry=[
            shapely.box(690000, 310000, 700000, 320000),
            shapely.box(700000, 310000, 710000, 320000),
        ],
        crs=27700,
    )
    path = tmp_path / "county_areas.geojson"
    squares.to_file(path)
    status, out, _ = _run(capsys, "info", path)
    assert status == 0
    said = next(line for line in out.splitlines() if line.strip().startswith("attribution"))
    assert "source and licence not stated: give the credit with --attribution TEXT" in said
    assert "attribution=" not in out and "load_boundaries" not in out
    # The option it names exists, and its credit goes on the maps and reports.
    status, out, _ = _run(capsys, "info", path, "--attribution", "County GIS team, OGL v3")
    assert status == 0 and "County GIS team, OGL v3" in out
    people = PEOPLE.replace("X09000001", "North").replace("X09000002", "South")
    folder = _dataset(tmp_path, people=people)
    md = tmp_path / "r.md"
    status, _, err = _run(capsys, "report", folder, "--boundaries", path, "-o", md)
    assert status == 0, err
    assert "--attribution TEXT" in md.read_text() and "load_boundaries" not in md.read_text()
    # credited once: "Boundaries: county_areas.geojson (...)", not "Boundaries: Boundaries: ..."
    assert "Boundaries: county_areas.geojson (source" in md.read_text()
    assert "Boundaries: Boundaries" not in md.read_text()


# --------------------------------------------------------------------------- 3. the system


def test_a_name_too_long_to_write_is_said_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _dataset(tmp_path)
    out = tmp_path / ("a" * 300 + ".md")
    status, _, err = _run(capsys, "report", folder, "-o", out)
    assert status == 2  # a name that cannot be used: bad input
    said = f"cannot write {out}: the name is too long; choose a shorter name or folder"
    assert err == f"peermap report: {said}"


def test_a_table_the_system_will_not_let_us_read_is_said_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run as root, a file's mode refuses nothing: the refusal is the system's answer.
    folder = _dataset(tmp_path)
    read_bytes = Path.read_bytes

    def refused(path: Path) -> bytes:
        if path.name == "people.csv":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    status, _, err = _run(capsys, "validate", folder)
    assert status == 1  # the system failed, not the input
    assert err == (
        f"peermap validate: cannot read {folder / 'people.csv'}: permission denied; ask for "
        "read access to it, or work on a copy you may read"
    )


def test_a_full_disk_names_the_file_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _dataset(tmp_path)

    def full(*args: object, **kwargs: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    out = tmp_path / "r.md"
    status, _, err = _run(capsys, "report", folder, "-o", out)
    assert status == 1
    assert err.startswith(f"peermap report: cannot write {out}: the disk is full; ")
    assert "Errno" not in err and "OSError" not in err and ".new" not in err


def test_a_folder_given_as_the_file_to_read_is_said_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _dataset(tmp_path)
    key = tmp_path / "partnership.key"
    assert main(["key", str(key)]) == 0
    status, _, err = _run(
        capsys,
        "pseudonymise",
        folder,
        tmp_path / "o.csv",
        "--columns",
        "person_id",
        "--key-file",
        key,
    )
    assert status == 2
    assert (
        err
        == f"peermap pseudonymise: cannot read {folder}: it is a folder, not a file; name a file"
    )


# --------------------------------------------------------------------------- 4. workbooks


def _workbook(path: Path, sheets: dict[str, str]) -> Path:
    """Write a workbook: each sheet's rows from CSV text ("" for an empty sheet)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, text in sheets.items():
        ws = wb.create_sheet(name)
        for line in text.splitlines():
            ws.append(line.split(","))
    wb.save(path)
    return path


def test_two_sheets_named_after_one_table_are_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = "\n".join(PEOPLE.splitlines()[:2])
    book = _workbook(tmp_path / "data.xlsx", {"people": PEOPLE, "PEOPLE ": short, "places": PLACES})
    status, _, err = _run(capsys, "validate", book)
    assert status == 2
    assert err.startswith(f"peermap validate: {book}: sheets 'people', 'PEOPLE ' are all named")
    assert "keep one, or rename the others" in err


def test_an_empty_first_sheet_does_not_hide_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _dataset(tmp_path)
    (folder / "people.csv").unlink()
    _workbook(folder / "people.xlsx", {"Sheet1": "", "Export": PEOPLE})
    status, out, _ = _run(capsys, "validate", folder)
    assert status == 0
    assert "people              2 read        2 accepted" in out
    # Two sheets with data, none named after the table: which one cannot be told.
    _workbook(folder / "people.xlsx", {"Sheet1": PEOPLE, "Export": PEOPLE})
    status, _, err = _run(capsys, "validate", folder)
    assert status == 2
    assert err == (
        f"peermap validate: {folder / 'people.xlsx'}: 2 sheets hold data ('Sheet1', 'Export') "
        "and none is named 'people', so which one is the people table cannot be told; name "
        "that sheet 'people', or delete the others"
    )


# --------------------------------------------------------------------------- 5, 6. headers


def test_a_column_given_twice_is_not_dropped_under_lenient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = (
        SIGHTINGS.replace("reliability\n", "reliability,date\n")
        .replace("confirmed\n", "confirmed,2024-03-01\n")
        .replace("reported\n", "reported,2024-03-05\n")
    )
    folder = _dataset(tmp_path, sightings=twice)
    status, _, err = _run(capsys, "report", folder, "-o", tmp_path / "r.md")
    assert status == 2 and "column header repeats 'date'" in err
    status, out, _ = _run(capsys, "report", folder, "-o", tmp_path / "r.md", "--lenient")
    assert status == 0
    assert "2 row(s) with errors were set aside (sightings: 2, every row of it)" in out
    ds = peermap.read_dataset(folder, strict=False)
    assert len(ds.sightings) == 0
    because = ds.report.rejected["sightings"]["rejected_because"]
    assert because.str.contains("the header repeats column(s) 'date'", regex=False).all()


def test_a_header_repeated_mid_file_is_one_problem_for_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = PEOPLE.splitlines()
    joined = "\n".join(
        [lines[0], lines[1], " Person_ID,HOME_AUTHORITY,age,Sex,looked_after", lines[2]]
    )
    folder = _dataset(tmp_path, people=joined + "\n")
    report = peermap.validate(folder)
    assert [(p.row, p.rule) for p in report.errors] == [(3, "repeated_header")]
    assert report.errors[0].message.startswith("the row repeats the header")
    status, out, _ = _run(capsys, "validate", folder)
    assert status == 2 and out.count("repeats the header") == 1
    ds = peermap.read_dataset(folder, strict=False)
    assert sorted(ds.people["person_id"]) == ["yp1", "yp2"]
    assert list(ds.report.rejected["people"].index) == [3]
    assert (
        ds.report.rejected["people"]
        .loc[3, "rejected_because"]
        .startswith("the row repeats the header")
    )


def test_a_header_repeated_in_another_column_order_sets_aside_the_rows_after_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two exports joined, the second with its columns in another order: read under the
    # first header, its dates would be taken as contexts and its places as people.
    second = [
        "date,context,place_id,person_id,source,reliability",
        "2024-03-01,cse,H,yp2,police,confirmed",
        "2024-03-02,cce,P,yp1,police,reported",
    ]
    folder = _dataset(tmp_path, sightings=SIGHTINGS + "\n".join(second) + "\n")
    report = peermap.validate(folder)
    rows = [(p.row, p.rule) for p in report.errors]
    assert rows == [(4, "repeated_header"), (5, "repeated_header"), (6, "repeated_header")]
    assert "another order" in report.errors[0].message
    assert "2 row(s) after it" in report.errors[0].message
    status, _, _ = _run(capsys, "validate", folder)
    assert status == 2
    ds = peermap.read_dataset(folder, strict=False)
    assert len(ds.sightings) == 2  # the first export's rows, read as written
    assert set(ds.sightings["date"].dt.strftime("%Y-%m-%d")) == {"2024-02-01", "2024-02-03"}
    rejected = ds.report.rejected["sightings"]
    assert list(rejected.index) == [4, 5, 6]
    assert rejected["rejected_because"].str.contains("another column order|another order").all()


# --------------------------------------------------------------------------- 7. not a file


@pytest.mark.parametrize("table", ["people", "sightings"])
@pytest.mark.parametrize("kind", ["folder", "dangling link", "link to a device", "named pipe"])
def test_a_table_name_on_a_folder_or_a_dangling_link_says_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, kind: str
) -> None:
    folder = _dataset(tmp_path)
    path = folder / f"{table}.csv"
    path.unlink()
    if kind == "folder":
        path.mkdir()
        said = "is a folder, not a file"
    elif kind == "dangling link":
        path.symlink_to(tmp_path / "gone.csv")
        said = f"is a link to nothing (it points to {tmp_path / 'gone.csv'}, which does not exist)"
    elif kind == "link to a device":
        # /dev/null exists: it is a device, not "a link to nothing".
        path.symlink_to("/dev/null")
        said = "is a link to /dev/null, which is a device, not a regular file"
    else:
        os.mkfifo(path)
        said = "is a named pipe, not a regular file"
    # Said of an optional table too: never read as a table that is absent.
    status, _, err = _run(capsys, "validate", folder)
    assert status == 2
    assert err.startswith(
        f"peermap validate: {folder}: {table}.csv {said}, so the {table} table cannot be read"
    )
    assert "missing" not in err


def test_assign_says_the_places_file_is_a_folder(
    tmp_path: Path, region: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    (folder / "places.csv").mkdir(parents=True)
    status, _, err = _run(
        capsys, "assign", folder, "--boundaries", region, "-o", tmp_path / "a.csv"
    )
    assert status == 2
    assert (
        err == f"peermap assign: {folder / 'places.csv'} is a folder, not a file (table 'places')"
    )


# --------------------------------------------------------------------------- 8. separators


@pytest.mark.parametrize(("mark", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_semicolons_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mark: str, name: str
) -> None:
    # As European Excel saves "CSV": semicolons, and decimal commas in the numbers.
    places = "place_id;kind;lon;lat\nH;hotel;1,79;52,51\nP;park;1,9;52,5\n"
    folder = _dataset(tmp_path, people=PEOPLE.replace(",", mark), places=places.replace(";", mark))
    report = peermap.validate(folder)
    for table in ("people", "places"):
        said = [p for p in report.errors if p.table == table]
        assert [(p.row, p.rule) for p in said] == [(None, "delimiter")], said
        assert said[0].message.startswith(f"the file seems to be separated by {name}, not commas")
    assert report.counts["places"] == {"read": 2, "accepted": 0, "rejected": 2}
    # The sightings refer to people and places none of which could be read: each says
    # which file to mend first, not only "no such person".
    refs = [p for p in report.errors if p.table == "sightings"]
    assert refs and all("none of whose rows could be read (mend" in p.message for p in refs)
    assert {p.message.split(" in ")[0] for p in refs} == {"no such person", "no such place"}
    status, _, err = _run(capsys, "report", folder, "-o", tmp_path / "r.md")
    assert status == 2 and "save it as comma-separated CSV" in err
    # --lenient is no way on: it would set every row of both tables aside.
    assert "mend people, places first: --lenient would set every row of them aside" in err
    assert "add --lenient" not in err


# --------------------------------------------------------------------------- 9. did you mean


@pytest.mark.parametrize("header", ["Looked After", "looked-after", "Looked.After", "lookedafter"])
def test_a_header_spelt_another_way_suggests_the_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str
) -> None:
    folder = _dataset(tmp_path, people=PEOPLE.replace("looked_after", header))
    warning = next(p for p in peermap.validate(folder).warnings if p.rule == "extra_column")
    assert warning.column == header
    assert "did you mean 'looked_after'?" in warning.message
    # The command that draws says it too (item 1), so the unread column is not missed.
    status, _, err = _run(capsys, "report", folder, "-o", tmp_path / "r.md")
    assert status == 0 and "did you mean 'looked_after'?" in err


def test_a_required_column_spelt_another_way_is_named_in_the_error(tmp_path: Path) -> None:
    folder = _dataset(tmp_path, people=PEOPLE.replace("person_id", "Person ID"))
    missing = next(p for p in peermap.validate(folder).errors if p.rule == "missing_column")
    assert missing.column == "person_id"
    assert missing.message.endswith("did you mean 'Person ID'? name it 'person_id'")
