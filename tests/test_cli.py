"""The peermap command line: exit codes, messages, files written."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from peermap.cli import main
from peermap.privacy import is_pseudonym, key_fingerprint

DATA = Path(__file__).parent / "data"


def test_validate_good_folder_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA / "good")]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 0 warning(s)" in out


def test_validate_bad_folder_exits_two_and_writes_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(DATA / "bad"), "--rejected", str(tmp_path / "rej")])
    assert status == 2
    out = capsys.readouterr().out
    assert "people.csv" in out and "fifteen" in out and "expected a whole number" in out
    rejected = pd.read_csv(tmp_path / "rej" / "people.csv", dtype=str, index_col="row")
    assert rejected.loc["3", "age"] == "fifteen"
    assert "rejected_because" in rejected.columns
    assert not list((tmp_path / "rej").glob(".*.part"))  # no temporary files left behind


def test_bad_input_prints_one_paragraph_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from peermap import ValidationError

    with pytest.raises(ValidationError):
        main(["--debug", "validate", str(tmp_path / "nowhere")])


def test_key_writes_a_private_file_and_never_prints_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partnership.key"
    assert main(["key", str(path)]) == 0
    secret = path.read_text().strip()
    out = capsys.readouterr().out
    assert secret not in out and key_fingerprint(secret) in out
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert main(["key", str(path)]) == 2  # never overwrites a key
    assert path.read_text().strip() == secret


def test_pseudonymise_replaces_columns_with_the_partnership_pseudonyms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "k"
    main(["key", str(key)])
    src = tmp_path / "in.csv"
    src.write_text("local_id,home_authority,age\nCH-1001,E09000007,14\nCH-1002,E09000019,15\n")
    out = tmp_path / "out.csv"
    status = main(
        ["pseudonymise", str(src), str(out), "--columns", "local_id", "--key-file", str(key)]
    )
    assert status == 0
    frame = pd.read_csv(out, dtype=str)
    assert is_pseudonym(frame["local_id"]).all()
    assert frame["home_authority"].tolist() == ["E09000007", "E09000019"]
    assert key.read_text().strip() not in capsys.readouterr().out


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("peermap")
    if not exe.exists():
        pytest.skip("peermap console script not installed in this environment")
    result = subprocess.run([str(exe), "validate", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "example" in result.stdout


def test_demo_summarises_a_scenario_and_its_cross_border_contexts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--people", "600", "--seed", "4", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "fictional demo region (7 authorities), seed 4" in out
    assert "young people        600" in out
    assert "trap houses" in out and "county lines" in out
    assert "span authorities" in out and "hotspot venues:" in out
    assert "Northmere" in out or "Harrowfield" in out  # authorities by name, not code
