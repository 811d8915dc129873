"""CLKs travel in partnership packages only: their own layer, under the MAC."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import peermap
from peermap.dataset import Dataset
from peermap.exceptions import IntegrityError, ValidationError

PARTNERSHIP = "5a" * 32
LINKAGE = "a1" * 32
PRODUCER = "X09000001"
_FIRST = ["olivia", "amelia", "harry", "george", "noah", "isla", "ava", "leo", "mia", "oscar"]
_LAST = ["smith", "jones", "taylor", "brown", "patel", "khan", "evans", "wilson", "walker"]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return peermap.scenario(peermap.demo_boundaries(), n_people=60, seed=3).dataset


def _identities(ds: Dataset) -> pd.DataFrame:
    ids = ds.people["person_id"].astype(str).tolist()
    return pd.DataFrame(
        {
            "person_id": ids,
            "first_name": [_FIRST[i % len(_FIRST)] for i in range(len(ids))],
            "last_name": [_LAST[(i * 7) % len(_LAST)] for i in range(len(ids))],
            "dob": [f"2010-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(len(ids))],
        }
    )


@pytest.fixture(scope="module")
def clks(ds: Dataset) -> pd.DataFrame:
    return peermap.encode_identities(_identities(ds), key=LINKAGE)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, ds: Dataset, clks: pd.DataFrame) -> Path:
    path = tmp_path_factory.mktemp("clk") / "north.gpkg"
    peermap.write_package(
        ds, path, key=PARTNERSHIP, producer=PRODUCER, audience="partnership", clks=clks
    )
    return path


def _copy(package: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.gpkg"
    shutil.copyfile(package, target)
    return target


def _sql(path: Path, statement: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def test_clks_round_trip_beside_the_records(package: Path, ds: Dataset, clks: pd.DataFrame) -> None:
    back = peermap.read_clks(package, key=PARTNERSHIP)
    assert back["person_id"].tolist() == clks["person_id"].tolist()
    assert back["clk"].tolist() == clks["clk"].tolist()
    # the records read back as ever, with no CLK in them
    records = peermap.read_package(package, key=PARTNERSHIP)
    assert records.meta["verified"] and "clk" not in records.people.columns
    assert len(records.people) == len(ds.people)
    assert peermap.exchange.package_metadata(package)["count_clks"] == str(len(clks))  # type: ignore[index]
    # CLKs read from two packages link like the frames they came from
    links = peermap.link_identities(back, clks)
    assert links["match"].sum() == len(clks)


def test_a_changed_clk_fails_the_mac(package: Path, tmp_path: Path, clks: pd.DataFrame) -> None:
    bad = _copy(package, tmp_path)
    _sql(bad, "UPDATE clks SET clk = (SELECT clk FROM clks WHERE fid = 2) WHERE fid = 1")
    with pytest.raises(IntegrityError, match="integrity check") as caught:
        peermap.read_clks(bad, key=PARTNERSHIP)
    with pytest.raises(IntegrityError, match="integrity check"):
        peermap.read_package(bad, key=PARTNERSHIP)
    assert not any(clk in str(caught.value) for clk in clks["clk"])


def test_deleted_clks_are_detected(package: Path, tmp_path: Path) -> None:
    bad = _copy(package, tmp_path)
    _sql(bad, "DELETE FROM clks WHERE fid = 3")
    with pytest.raises(ValidationError, match=r"layer clks\]: holds \d+ rows but the package"):
        peermap.read_clks(bad, key=PARTNERSHIP)


def test_clks_are_refused_in_an_aggregate_package(
    ds: Dataset, clks: pd.DataFrame, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"personal data.*only in a partnership package"):
        peermap.write_package(
            ds,
            tmp_path / "agg.gpkg",
            key=None,
            producer=PRODUCER,
            audience="aggregate",
            clks=clks,
        )
    assert not (tmp_path / "agg.gpkg").exists()


def test_clks_of_people_the_package_does_not_hold_are_refused(
    ds: Dataset, clks: pd.DataFrame, tmp_path: Path
) -> None:
    stray = clks.copy()
    stray.loc[4, "person_id"] = "not-sent"
    with pytest.raises(ValidationError, match=r"does not hold in row\(s\) 5") as caught:
        peermap.write_package(
            ds,
            tmp_path / "p.gpkg",
            key=PARTNERSHIP,
            producer=PRODUCER,
            audience="partnership",
            clks=stray,
        )
    assert stray.loc[4, "clk"] not in str(caught.value)


def test_a_package_without_clks_says_so(ds: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "plain.gpkg"
    peermap.write_package(ds, path, key=PARTNERSHIP, producer=PRODUCER, audience="partnership")
    with pytest.raises(ValidationError, match="holds no CLKs"):
        peermap.read_clks(path, key=PARTNERSHIP)


def test_the_command_line_sends_and_links_clks(
    ds: Dataset, clks: pd.DataFrame, tmp_path: Path
) -> None:
    from peermap.cli import main

    key_file = tmp_path / "p.key"
    key_file.write_text(PARTNERSHIP)
    plain = tmp_path / "plain.gpkg"
    peermap.write_package(ds, plain, key=PARTNERSHIP, producer=PRODUCER, audience="partnership")
    clks.to_csv(tmp_path / "clks.csv", index=False)
    sent = tmp_path / "sent.gpkg"
    common = ["--producer", PRODUCER, "--key-file", str(key_file)]
    assert (
        main(
            [
                "export",
                str(plain),
                "-o",
                str(sent),
                "--audience",
                "partnership",
                *common,
                "--clks",
                str(tmp_path / "clks.csv"),
            ]
        )
        == 0
    )
    assert peermap.read_clks(sent, key=PARTNERSHIP)["clk"].tolist() == clks["clk"].tolist()
    # the linker reads the CLKs from the verified package
    links = tmp_path / "links.csv"
    assert (
        main(
            [
                "link",
                str(sent),
                str(tmp_path / "clks.csv"),
                "-o",
                str(links),
                "--key-file",
                str(key_file),
            ]
        )
        == 0
    )
    assert pd.read_csv(links)["match"].sum() == len(clks)
    # never in an aggregate package
    code = main(
        [
            "export",
            str(plain),
            "-o",
            str(tmp_path / "agg.gpkg"),
            "--audience",
            "aggregate",
            *common,
            "--clks",
            str(tmp_path / "clks.csv"),
        ]
    )
    assert code == 2 and not (tmp_path / "agg.gpkg").exists()
