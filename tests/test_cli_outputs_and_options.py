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


# --------------------------------------------------------------------------- outputs over inputs


def _contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links followed) and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))}


def _with_a_bad_date(exports: Path, tmp_path: Path) -> Path:
    """A copy of the exports whose first sighting is dated on a day that does not exist."""
    lines = (exports / "sightings.csv").read_text().splitlines()
    column = lines[0].split(",").index("date")
    cells = lines[1].split(",")
    cells[column] = "2024-13-01"
    lines[1] = ",".join(cells)
    return _damaged(exports, tmp_path, "sightings.csv", "\n".join(lines))


@pytest.mark.parametrize("spelling", ["as given", "relative", "through a link"])
def test_rejected_rows_are_never_written_over_the_tables_they_come_from(
    exports: Path,
    tmp_path: Path,
    spelling: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = _with_a_bad_date(exports, tmp_path)
    before = _contents(source)
    region = source / "demo_region.geojson"
    rejected = str(source)
    if spelling == "relative":
        monkeypatch.chdir(source)
        rejected = "."
    elif spelling == "through a link":
        (tmp_path / "link").symlink_to(source, target_is_directory=True)
        rejected = str(tmp_path / "link")
    argv = ["validate", str(source), "--boundaries", str(region), "--rejected", rejected]
    assert main(argv) == 2
    err = capsys.readouterr().err
    said = " ".join(err.split())
    assert said.startswith(f"peermap validate: --rejected {rejected} is the dataset folder")
    assert "rejected rows written there as <table>.csv would replace its tables" in said
    assert "Traceback" not in err and "Error" not in err
    assert _contents(source) == before


def test_a_rejected_folder_that_is_the_source_is_refused_before_any_row_collides(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "clean"
    shutil.copytree(exports, source)
    before = _contents(source)
    argv = ["validate", str(source), "--rejected", str(source)]
    assert main(argv) == 2  # no row has an error: nothing would be overwritten yet
    assert "would replace its tables" in capsys.readouterr().err
    assert _contents(source) == before


def test_a_rejected_file_linked_to_a_source_table_is_refused(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _with_a_bad_date(exports, tmp_path)
    before = _contents(source)
    rejected = tmp_path / "rejected"
    rejected.mkdir()
    (rejected / "sightings.csv").symlink_to(source / "sightings.csv")
    assert main(["validate", str(source), "--rejected", str(rejected)]) == 2
    said = " ".join(capsys.readouterr().err.split())
    assert f"--rejected {rejected}: {rejected / 'sightings.csv'} is the sightings table" in said
    assert _contents(source) == before


@pytest.mark.parametrize(
    "argv",
    [
        [
            "export",
            "{src}",
            "--boundaries",
            "{region}",
            "-o",
            "{src}/people.csv",
            "--format",
            "graphml",
        ],
        ["export", "{src}", "--boundaries", "{region}", "-o", "{src}/Ties.CSV", "--format", "gexf"],
        # Not there yet, but read as a second sightings table next time: refused too.
        [
            "export",
            "{src}",
            "--boundaries",
            "{region}",
            "-o",
            "{src}/sightings.parquet",
            "--format",
            "graphml",
        ],
        ["export", "{src}", "--boundaries", "{region}", "-o", "{tmp}/link.graphml"],
        ["assign", "{src}", "--boundaries", "{region}", "-o", "{src}/places.csv"],
        [
            "report",
            "{src}",
            "--boundaries",
            "{region}",
            "-o",
            "{tmp}/r.html",
            "--map",
            "{src}/relocations.csv",
        ],
        ["map", "{src}", "--boundaries", "{region}", "-o", "{src}/../exports/people.csv"],
    ],
    ids=["graphml over people", "other case", "new table", "link", "assign", "--map", "map"],
)
def test_no_output_replaces_a_table_of_the_source_folder(
    exports: Path, tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "exports"
    shutil.copytree(exports, source)
    (tmp_path / "link.graphml").symlink_to(source / "people.csv")
    before = _contents(source)
    region = tmp_path / "region.geojson"
    shutil.copy(source / "demo_region.geojson", region)
    args = [a.format(src=source, region=region, tmp=tmp_path) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    said = " ".join(err.split())
    option = "--map" if "--map" in args else "-o"
    assert said.startswith(f"peermap {args[0]}: {option} "), said
    assert f"table of the dataset folder {source}" in said
    assert "Traceback" not in err
    assert _contents(source) == before
    assert not (source / "sightings.parquet").exists()


def test_geojson_layers_are_never_written_over_the_boundary_file(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "layers"
    folder.mkdir()
    region = folder / "authorities.geojson"
    shutil.copy(exports / "demo_region.geojson", region)
    before = region.read_bytes()
    argv = ["export", str(exports), "--boundaries", str(region), "-o", str(folder)]
    assert main([*argv, "--format", "geojson"]) == 2
    said = " ".join(capsys.readouterr().err.split())
    assert said.startswith(f"peermap export: -o {folder}: {region} is also an input"), said
    assert region.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["authorities.geojson"]


def test_geojson_layers_are_not_written_into_the_source_folder(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "exports"
    shutil.copytree(exports, source)
    before = _contents(source)
    region = source / "demo_region.geojson"
    argv = ["export", str(source), "--boundaries", str(region), "-o", str(source)]
    assert main([*argv, "--format", "geojson"]) == 2
    assert f"-o {source} is the dataset folder" in " ".join(capsys.readouterr().err.split())
    assert _contents(source) == before


def test_link_writes_its_links_and_review_to_two_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "links.csv"
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("person_id,clk\n")
    argv = ["link", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o", str(out)]
    assert main([*argv, "--review", str(tmp_path / "." / "links.csv")]) == 2
    assert "--review and -o name the same file" in capsys.readouterr().err
    assert not out.exists()


# --------------------------------------------------------------------------- numbers in range


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["demo", "--people", "0"], "--people"),
        (["demo", "--people", "-5"], "--people"),
        (["demo", "--people", "99999999999999999999"], "--people"),
        (["demo", "--seed", "-1"], "--seed"),
        (["demo", "--top", "0"], "--top"),
        (["demo", "--people", "many"], "--people"),
        (
            ["assign", "p.csv", "--boundaries", "b.geojson", "-o", "a.csv", "--tolerance", "-1"],
            "--tolerance",
        ),
        (
            ["assign", "p.csv", "--boundaries", "b.geojson", "-o", "a.csv", "--tolerance", "nan"],
            "--tolerance",
        ),
        (
            ["assign", "p.csv", "--boundaries", "b.geojson", "-o", "a.csv", "--tolerance", "inf"],
            "--tolerance",
        ),
    ],
)
def test_a_number_out_of_range_is_refused_by_the_option_name(
    argv: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--no-views"] if argv[0] == "demo" else argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"peermap {argv[0]}: error: argument {option}: " in err
    assert "ValueError" not in err and "Traceback" not in err and "failed" not in err


def test_too_few_people_for_the_demo_is_said_with_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--people", "20", "--no-views"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("peermap demo: --people 20: too few young people"), err
    assert "raise --people" in err
    assert "n_people" not in err and "ValueError" not in err


def test_a_window_date_of_no_calendar_year_is_refused_by_its_option(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.md"
    assert main(_report(exports, "-o", str(out), "--since=-2024-01-01")) == 2  # a stray minus
    err = capsys.readouterr().err
    assert err.startswith("peermap report: --since -2024-01-01 is not a date of years 1 to 9999")
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "text", "said"),
    [
        ("--title", "Jo Bloggs 07700 900123", "the title holds text that looks like a phone"),
        (
            "--title",
            "Referrals for Jayden Smith",
            "the title holds text that looks like a person's name",
        ),
        ("--attribution", "call jo@example.org", "attribution (credit line) holds text that"),
    ],
)
def test_identifying_text_typed_onto_a_report_or_map_is_refused_unshown(
    exports: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    text: str,
    said: str,
) -> None:
    region = str(exports / "demo_region.geojson")
    for command, out in (("report", tmp_path / "r.html"), ("map", tmp_path / "m.html")):
        argv = [command, str(exports), "--boundaries", region, "-o", str(out), option, text]
        assert main(argv) == 2, command
        err = capsys.readouterr().err
        assert said in err and text not in err and "07700" not in err, err
        assert not out.exists() and list(tmp_path.iterdir()) == []
    # Text that names no one is drawn.
    out = tmp_path / "ok.md"
    assert main(_report(exports, "-o", str(out), "--title", "Camden and Islington, Q3 2024")) == 0
    assert "Camden and Islington, Q3 2024" in out.read_text()


def test_a_producer_typed_as_an_email_is_withheld_from_the_error(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.gpkg"
    region = str(exports / "demo_region.geojson")
    argv = ["export", str(exports), "--boundaries", region, "-o", str(out)]
    assert main([*argv, "--audience", "aggregate", "--producer", "jo@example.org"]) == 2
    err = capsys.readouterr().err
    assert "is not a GSS code" in err and "jo@example.org" not in err and "withheld" in err


def test_ctrl_c_says_so_in_one_line_without_a_traceback(
    exports: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from peermap.cli import COMMANDS

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(COMMANDS, "report", interrupted)
    assert main(_report(exports, "-o", "r.md")) == 130
    err = capsys.readouterr().err
    assert err == "peermap report: interrupted; no output was left half-written\n"


def test_demo_out_never_writes_its_fictional_tables_over_real_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    real = "person_id,home_authority,age,sex,looked_after\nREAL-0001,X09000001,15,F,no\n"
    (folder / "people.csv").write_text(real)
    argv = ["demo", "--people", "60", "--no-views", "--out", str(folder)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "already holds people.csv" in err and "--force" in err
    assert (folder / "people.csv").read_text() == real
    assert sorted(p.name for p in folder.iterdir()) == ["people.csv"]
    # An earlier demo's own tables are replaced without asking; real ones with --force.
    assert main([*argv, "--force"]) == 0
    assert "REAL-0001" not in (folder / "people.csv").read_text()
    assert main([*argv, "--seed", "2"]) == 0
    # Real records copied in after a demo are not the demo's, whatever its marker says;
    # nor is a table in another form the reader would take beside the demo's CSVs.
    (folder / "people.csv").write_text(real)
    assert main([*argv, "--seed", "3"]) == 2
    assert (folder / "people.csv").read_text() == real
    other = tmp_path / "other"
    other.mkdir()
    (other / "Places.parquet").write_bytes(b"PAR1")
    assert main(["demo", "--people", "60", "--no-views", "--out", str(other)]) == 2
    assert "Places.parquet" in capsys.readouterr().err
