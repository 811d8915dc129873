"""The library functions that the command line calls (they were in cli.py; issue 18).

Each lives in the module that owns its concept, so a script can do what a command does.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

import peermap
from conftest import MakeDataset
from peermap._io import read_raw
from peermap._sources import find_table
from peermap.boundaries import demo_region_file, is_demo_region
from peermap.exceptions import KeyMaterialError, ValidationError
from peermap.exchange import package_metadata, to_csv, write_package
from peermap.privacy import write_key
from peermap.schema import TABLE_ORDER

A, B = "X09000001", "X09000002"


@pytest.fixture(scope="module")
def small(make_dataset: MakeDataset) -> peermap.Dataset:
    return make_dataset(
        people=[("a1", A, 14, "no"), ("b1", B, 15, "yes")],
        places=[("H", "hotel", 693500, 315500, "Station Hotel"), ("P", "park", 700821, 315400)],
        ties=[("a1", "b1", "friend", "2024-01-10", "", "school", "confirmed")],
        sightings=[("a1", "H", "2024-02-10", "cse", "police", "confirmed")],
        relocations=[("b1", B, A, "2024-04-01", "care_placement")],
    )


def test_to_csv_writes_exports_that_read_back(small: peermap.Dataset, tmp_path: Path) -> None:
    written = to_csv(small, tmp_path / "out")
    assert list(written) == list(TABLE_ORDER)
    assert [p.name for p in written.values()] == [f"{t}.csv" for t in TABLE_ORDER]
    assert pd.read_csv(written["ties"], dtype=str)["first_seen"].tolist() == ["2024-01-10"]
    back = peermap.read_dataset(tmp_path / "out", boundaries=small.boundaries)
    assert back.counts == small.counts and back.report.ok
    assert back.places["label"].tolist() == small.places["label"].tolist()


def test_package_metadata_tells_a_package_from_other_files(
    small: peermap.Dataset, tmp_path: Path
) -> None:
    package = write_package(small, tmp_path / "a.gpkg", key=None, producer=A, audience="aggregate")
    meta = package_metadata(package)
    assert meta is not None and meta["format"] == "peermap-package"
    assert meta["audience"] == "aggregate" and meta["producer"] == A
    other = tmp_path / "region.geojson"
    other.write_bytes(demo_region_file().read_bytes())
    text = tmp_path / "notes.gpkg"
    text.write_text("not a GeoPackage", encoding="utf-8")
    assert package_metadata(other) is None
    assert package_metadata(text) is None
    assert package_metadata(tmp_path / "absent.gpkg") is None


def test_a_copy_of_the_demo_region_is_recognised(tmp_path: Path) -> None:
    copy = tmp_path / "region.geojson"
    copy.write_bytes(demo_region_file().read_bytes())
    assert is_demo_region(copy)
    copy.write_bytes(demo_region_file().read_bytes() + b"\n")
    assert not is_demo_region(copy)
    assert not is_demo_region(tmp_path / "absent.geojson")


def test_write_key_makes_a_private_file_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "partnership.key"
    key = write_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 or os.name == "nt"
    assert peermap.load_key(file=path).fingerprint == key.fingerprint
    before = path.read_bytes()
    with pytest.raises(KeyMaterialError, match="exists"):
        write_key(path)
    assert path.read_bytes() == before


def test_find_table_in_a_folder_a_file_and_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "places.csv").write_text("place_id,kind,lon,lat\nH,hotel,1.8,52.5\n")
    assert find_table(folder, "places") == folder / "places.csv"
    assert find_table(folder / "places.csv", "places") == folder / "places.csv"
    with pytest.raises(ValidationError, match=r"no ties\.csv, ties\.xlsx or ties\.parquet"):
        find_table(folder, "ties")
    with pytest.raises(FileNotFoundError):
        find_table(tmp_path / "absent", "places")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "people"
    sheet = wb.create_sheet("Places")
    sheet.append(["place_id", "kind", "lon", "lat"])
    sheet.append(["H", "hotel", 1.8, 52.5])
    wb.save(tmp_path / "book.xlsx")
    # The workbook itself, read from its sheet named after the table (not the first).
    book = find_table(tmp_path / "book.xlsx", "places")
    assert book == tmp_path / "book.xlsx"
    assert read_raw(book, "places").frame["place_id"].tolist() == ["H"]


def test_authority_names_come_from_the_boundaries(
    small: peermap.Dataset, make_dataset: MakeDataset
) -> None:
    names = small.authority_names
    assert names[A] == "Northmere" and names[B] == "Harrowfield" and len(names) == 7
    bare = make_dataset(
        people=[("a1", "Camden", 14)], places=[("H", "hotel", 530000, 180000)], boundaries=False
    )
    assert bare.authority_names == {}
