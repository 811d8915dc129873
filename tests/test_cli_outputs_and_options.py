"""Options out of range, outputs that cannot be written and lenient reads, at the CLI.

Each case runs ``peermap`` as a user would, on the demo's own exports, and checks what the
user reads: one paragraph naming the option or the path (exit status 2), never a
traceback or Python, and nothing written beside a failed output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import peermap
from peermap._atomic import write_text_atomic
from peermap.cli import main
from peermap.views import report as report_module


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outputs") / "exports"
    assert main(["demo", "--people", "200", "--seed", "3", "--out", str(folder), "--no-views"]) == 0
    return folder


def _damaged(exports: Path, tmp_path: Path, name: str, text: str) -> Path:
    """A copy of the exports in which the file ``name`` holds ``text``."""
    damaged = tmp_path / "exports"
    shutil.copytree(exports, damaged)
    (damaged / name).write_text(text.rstrip("\n") + "\n")
    return damaged


def _report(exports: Path, *extra: str) -> list[str]:
    region = exports / "demo_region.geojson"
    return ["report", str(exports), "--boundaries", str(region), *extra]


@pytest.mark.parametrize("size", ["0", "-500", "nan", "inf"])
def test_a_gi_cell_that_is_not_a_positive_size_is_refused_by_name(
    exports: Path, tmp_path: Path, size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert main(_report(exports, "-o", str(out), "--gi-cell", size)) == 2
    err = capsys.readouterr().err
    assert err.startswith("peermap report: --gi-cell must be a positive number of metres")
    assert "Traceback" not in err and not out.exists()
    # The library says the same, in its own keyword, before any grid is drawn.
    ds = peermap.read_dataset(exports, boundaries=exports / "demo_region.geojson")
    with pytest.raises(ValueError, match="cell_size_m must be a positive number"):
        peermap.gi_star(ds, cell_size_m=float(size))


def test_a_report_under_a_file_names_the_file_and_leaves_no_map(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n")
    map_path = tmp_path / "map.html"
    argv = _report(exports, "-o", str(blocker / "r.html"), "--map", str(map_path))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"cannot write {blocker / 'r.html'}: {blocker} is a file, not a folder" in err
    assert not map_path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_report_that_cannot_be_written_takes_its_new_map_with_it(
    exports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = peermap.read_dataset(exports, boundaries=exports / "demo_region.geojson")
    made = peermap.make_report(ds, audience="partnership")

    def full_disk(path: object, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_module, "write_text_atomic", full_disk)
    new_map = tmp_path / "map.html"
    with pytest.raises(OSError, match="No space left"):
        made.save(tmp_path / "r.html", map_path=new_map)
    assert not new_map.exists()
    # A map that was there before is the user's, replaced or not: it stays.
    old_map = tmp_path / "old.html"
    old_map.write_text("before\n")
    with pytest.raises(OSError, match="No space left"):
        made.save(tmp_path / "r.html", map_path=old_map)
    assert old_map.exists()


def test_a_write_that_cannot_start_names_the_file_asked_for(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n")
    target = blocker / "out.html"
    with pytest.raises(OSError) as caught:
        write_text_atomic(target, "text")
    said = str(caught.value)
    assert said.startswith(f"cannot write {target}: ")
    assert ".new" not in said and ".staging" not in said
    assert caught.value.errno is not None


def test_a_lenient_read_says_which_table_lost_every_row_and_how_to_list_them(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (exports / "sightings.csv").read_text().splitlines()
    drop = lines[0].split(",").index("reliability")
    rows = [",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines]
    damaged = _damaged(exports, tmp_path, "sightings.csv", "\n".join(rows))
    region = damaged / "demo_region.geojson"
    argv = ["report", str(damaged), "--boundaries", str(region), "--lenient"]
    assert main([*argv, "-o", str(tmp_path / "r.html")]) == 0
    said = capsys.readouterr()
    err = " ".join((said.out + said.err).split())
    n = len(lines) - 1
    assert f"{n} row(s) with errors were set aside (sightings: {n}, every row of it)" in err
    # The command it names lists them: it reads with the same boundaries.
    assert f"'peermap validate {damaged} --boundaries {region}' lists them" in err
    assert main(["validate", str(damaged), "--boundaries", str(region)]) == 2


def test_identifying_data_is_not_offered_lenient_as_a_way_on(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (exports / "people.csv").read_text()
    first = text.splitlines()[1].split(",")[0]
    damaged = _damaged(
        exports, tmp_path, "people.csv", text.replace(first, "jo.bloggs@example.org")
    )
    region = damaged / "demo_region.geojson"
    argv = ["report", str(damaged), "--boundaries", str(region), "-o", str(tmp_path / "r.html")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "looks like an email address" in err and "jo.bloggs" not in err
    assert "--lenient" not in err
    assert main([*argv, "--lenient"]) == 2  # refused whatever --lenient says


def test_a_window_beside_the_data_is_said_not_left_as_an_empty_report(exports: Path) -> None:
    ds = peermap.read_dataset(exports, boundaries=exports / "demo_region.geojson")
    said = "No tie or sighting falls in this selection"
    later = peermap.make_report(ds, audience="partnership", with_map=False, since="2030-01-01")
    assert said in later.to_markdown()
    # The whole period: records fall in it, so nothing is said.
    whole = peermap.make_report(ds, audience="partnership", with_map=False)
    assert said not in whole.to_markdown()
    # Public: "none" is a count under the threshold, which is never shown as 0.
    public = peermap.make_report(ds, audience="public", with_map=False, since="2030-01-01")
    assert said not in public.to_markdown()
