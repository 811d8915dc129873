"""The peermap command line: exit codes, messages, files written."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import peermap
from peermap._assets import external_references
from peermap.cli import COMMANDS, Progress, main
from peermap.privacy import is_pseudonym, key_fingerprint
from peermap.schema import TABLE_ORDER, TABLES

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERMAP_KEY", raising=False)
    monkeypatch.delenv("PEERMAP_KEY_FILE", raising=False)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic dataset written as CSV exports by ``peermap demo --out``."""
    folder = tmp_path_factory.mktemp("exports")
    demo = ["demo", "--people", "400", "--seed", "3", "--out", str(folder), "--no-views"]
    assert main(demo) == 0  # the exports only (demo's map and report are tested below)
    return folder


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "partnership.key"
    assert main(["key", str(path)]) == 0
    return path


def _region(exports: Path) -> str:
    return str(exports / "demo_region.geojson")


# --------------------------------------------------------------------------- basics


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


def test_rejected_rows_mended_since_an_earlier_run_are_no_longer_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rejected = tmp_path / "rej"
    assert main(["validate", str(DATA / "bad"), "--rejected", str(rejected)]) == 2
    assert (rejected / "people.csv").exists()
    (rejected / "notes.csv").write_text("row,rejected_because\n3,kept: not peermap's file\n")
    (rejected / "ties.csv").write_text("person_a,person_b\nmine,not peermap's\n")
    capsys.readouterr()
    assert main(["validate", str(DATA / "good"), "--rejected", str(rejected)]) == 0
    assert "removed" in capsys.readouterr().out
    # The earlier run's rows are gone; files peermap did not write are left alone.
    assert sorted(p.name for p in rejected.iterdir()) == ["notes.csv", "ties.csv"]


def test_bad_input_prints_one_paragraph_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "Traceback" not in err
    assert "\n\n" not in err.strip()


def test_records_with_errors_are_refused_in_command_line_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The library says strict=False and err.report; the command line says what to run.
    out = tmp_path / "m.html"
    assert main(["map", str(DATA / "bad"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "fifteen" in err and "expected a whole number" in err  # file, row, column, value
    assert f"peermap validate {DATA / 'bad'}" in err and "--lenient" in err
    assert "strict=False" not in err and "err.report" not in err and "ds.report" not in err
    assert "Traceback" not in err and not out.exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from peermap import ValidationError

    with pytest.raises(ValidationError):
        main(["--debug", "validate", str(tmp_path / "nowhere")])


def test_other_failures_exit_one_with_a_pointer_to_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(COMMANDS, "validate", broken)
    assert main(["validate", "x"]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: disk on fire" in err and "--debug" in err and "Traceback" not in err


def test_missing_input_file_is_bad_input(
    tmp_path: Path, key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        [
            "pseudonymise",
            str(tmp_path / "absent.csv"),
            str(tmp_path / "out.csv"),
            "--columns",
            "id",
            "--key-file",
            str(key_file),
        ]
    )
    assert status == 2
    assert "absent.csv" in capsys.readouterr().err


ALL_COMMANDS = (
    "demo",
    "validate",
    "pseudonymise",
    "assign",
    "report",
    "map",
    "export",
    "merge",
    "info",
    "template",
    "key",
    "encode",
    "link",
)


def test_the_issue_commands_all_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert set(ALL_COMMANDS) == set(COMMANDS)
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ALL_COMMANDS:
        assert re.search(rf"^\s+{name}\s", out, re.MULTILINE), name


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_help_has_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert re.search(r"^examples?:\n  peermap " + command, out, re.MULTILINE), out


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("peermap")
    if not exe.exists():
        pytest.skip("peermap console script not installed in this environment")
    result = subprocess.run([str(exe), "validate", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "example" in result.stdout


# --------------------------------------------------------------------------- progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_and_erases_itself() -> None:
    stream = _Terminal()
    with Progress("report", 3, stream=stream) as progress:
        progress.step("reading")
        progress.step("contexts")
    text = stream.getvalue()
    assert "peermap report [" in text and "1/3 reading" in text and "2/3 contexts" in text
    assert text.endswith("\r") and text.split("\r")[-2].strip() == ""  # erased at the end


def test_progress_bar_is_silent_when_not_a_terminal(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert Progress("x", 2, stream=io.StringIO()).enabled is False
    main(["validate", str(exports)])
    assert "\r" not in capsys.readouterr().err


# --------------------------------------------------------------------------- keys


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


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # One cell too many: pandas made the first cell the index and shifted the row one
        # column left, so CH-1001 was lost, its age pseudonymised and the phone number
        # written in clear under "age" (session 29).
        ("local_id,age\nCH-1001,15,07700 900123\nCH-1002,16\n", "row 2, column 3"),
        ('local_id,age\n"CH-1001,15\nCH-1002,16\n', "row 2, local_id"),
        ("local_id,age,local_id\nCH-1001,15,CH-9\n", "the header, local_id"),
        ("local_id,age\nCH-10\xff1,15\n", "row 2"),
    ],
)
def test_pseudonymise_refuses_a_file_it_cannot_lay_out_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    key = tmp_path / "k"
    main(["key", str(key)])
    src = tmp_path / "in.csv"
    src.write_bytes(text.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    out = tmp_path / "out.csv"
    capsys.readouterr()
    argv = ["pseudonymise", str(src), str(out), "--columns", "local_id", "--key-file", str(key)]
    assert main(argv) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert said in err and "nothing was written" in err, err
    assert "CH-10" not in err and "07700" not in err  # no value of the file is shown
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "k"]


def test_link_says_a_clk_file_of_a_header_alone_holds_no_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "k"
    main(["key", str(key)])
    src = tmp_path / "ids.csv"
    src.write_text("local_id,first_name,last_name,dob\nCH-1,Amy,Vexley,2011-01-02\n")
    clks = tmp_path / "a.csv"
    assert (
        main(["encode", str(src), str(clks), "--key-file", str(key), "--id-column", "local_id"])
        == 0
    )
    empty = tmp_path / "b.csv"
    empty.write_text(clks.read_text().splitlines()[0] + "\n")
    capsys.readouterr()
    assert main(["link", str(clks), str(empty), "-o", str(tmp_path / "links.csv")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "b.csv: holds no records" in err and "version" not in err, err


def test_no_command_overwrites_a_key_file(
    tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "partnership.key"
    main(["key", str(key)])
    secret = key.read_text()
    src = tmp_path / "in.csv"
    src.write_text("local_id\nCH-1\n")
    assert (
        main(["pseudonymise", str(src), str(key), "--columns", "local_id", "--key-file", str(key)])
        == 2
    )
    assert main(["map", str(exports), "-o", str(key)]) == 2
    assert main(["template", str(key), "--force"]) == 2
    assert key.read_text() == secret
    assert "never overwrites a key file" in capsys.readouterr().err


# --------------------------------------------------------------------------- demo


DEMO_PEOPLE, DEMO_SEED = 600, 4


@pytest.fixture(scope="module")
def demo_output() -> str:
    """What ``peermap demo`` prints for a small scenario."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["demo", "--people", str(DEMO_PEOPLE), "--seed", str(DEMO_SEED)])
    assert status == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_scenario() -> peermap.synthetic.Scenario:
    """The scenario ``peermap demo`` generates, made the same way: region, size, seed."""
    return peermap.synthetic.scenario(
        peermap.demo_boundaries(), n_people=DEMO_PEOPLE, seed=DEMO_SEED
    )


def test_demo_summarises_a_scenario_and_its_cross_border_contexts(demo_output: str) -> None:
    out = demo_output
    assert "fictional demo region (7 authorities), seed 4" in out
    assert "young people        600" in out
    assert "trap houses" in out and "county lines" in out
    assert "span authorities" in out and "hotspot venues:" in out
    assert "Northmere" in out or "Harrowfield" in out  # authorities by name, not code


def _look_first(out: str) -> tuple[str, str]:
    """The contexts and the venues parts of the demo's "What to look at first"."""
    assert out.count("What to look at first") == 1
    first = out.split("What to look at first", 1)[1]
    contexts_part, venues_part = first.split("venues, most concerning first:", 1)
    assert "contexts, most concerning first:" in contexts_part
    return contexts_part, venues_part


def _in_order(text: str, parts: list[str]) -> bool:
    """Whether every part is in ``text`` (whitespace aside), one after the other."""
    flat = " ".join(text.split())
    at = 0
    for part in parts:
        found = flat.find(" ".join(part.split()), at)
        if found < 0:
            return False
        at = found + 1
    return True


def test_demo_shows_what_to_look_at_first_with_the_reasons(
    demo_output: str, demo_scenario: peermap.synthetic.Scenario
) -> None:
    ds = demo_scenario.dataset
    names = dict(zip(ds.boundaries["code"], ds.boundaries["name"], strict=True))
    found = peermap.contexts(ds)
    spots = peermap.hotspots(ds)
    top_contexts = found[found["concern"] > 0].head(5)
    top_venues = spots[spots["concern"] > 0].head(5)
    assert len(top_contexts) and len(top_venues)
    contexts_part, venues_part = _look_first(demo_output)
    # The most concerning contexts, in order, by id and authority names, with their reasons.
    expected = []
    for row in top_contexts.itertuples():
        authorities = ", ".join(names[a] for a in row.authorities)
        expected += [f"#{row.context_id} ({row.reach}): {authorities}", row.reasons]
    assert _in_order(contexts_part, expected)
    assert f"#{found['context_id'].iloc[5]} " not in contexts_part  # five, not more
    expected = []
    for spot in top_venues.itertuples():
        expected += [f"{spot.rank}. {spot.place_id}", names[spot.authority_code], spot.reasons]
    assert _in_order(venues_part, expected)
    # The first venue to look at is one the scenario planted: a trap house or the place
    # a county line sends young people to.
    truth = demo_scenario.truth
    planted = {t.place_id for t in truth.trap_houses} | {c.place_id for c in truth.county_lines}
    first = re.search(r"^\s+1\. (\S+)", venues_part, re.MULTILINE)
    assert first is not None and first.group(1) in planted
    # The reasons quote q-values: the analyst is told what q is, and what sets the order.
    assert _in_order(venues_part, ["The order is by concern score.", "q is the false discovery"])
    # Readable in a terminal of 100 columns.
    assert (
        max(len(line) for line in demo_output.split("What to look at first")[1].splitlines()) <= 100
    )


def test_demo_says_when_nothing_stands_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from peermap import analysis

    def unconcerning(function: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        def wrapped(*args: object, **kwargs: object) -> pd.DataFrame:
            table = function(*args, **kwargs)
            table["concern"] = 0.0
            return table

        return wrapped

    monkeypatch.setattr(analysis, "contexts", unconcerning(analysis.contexts))
    monkeypatch.setattr(analysis, "hotspots", unconcerning(analysis.hotspots))
    assert main(["demo", "--people", "300", "--seed", "1", "--no-views"]) == 0
    contexts_part, venues_part = _look_first(capsys.readouterr().out)
    assert "none: no context" in contexts_part and "exploiter ties at" not in contexts_part
    assert "none: no venue" in venues_part and "the rate usual" not in venues_part


def test_demo_out_writes_exports_that_validate_cleanly(
    exports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sorted(p.name for p in exports.iterdir()) == sorted(
        [*(f"{t}.csv" for t in TABLE_ORDER), "demo_region.geojson", ".peermap-demo"]
    )
    assert "fictional young people" in (exports / ".peermap-demo").read_text()
    people = pd.read_csv(exports / "people.csv", dtype=str)
    assert list(people.columns) == list(TABLES["people"].names)
    assert len(people) == 400
    assert main(["validate", str(exports), "--boundaries", _region(exports)]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 0 warning(s)" in out
    # The copied region is still known to be fictional: no ONS attribution on it.
    from peermap.cli import load_boundaries_file

    assert load_boundaries_file(_region(exports)).attrs.get("fictional") is True


# --------------------------------------------------------------------------- template


def _validation_for(ws: object, cell: str) -> object:
    rules = [dv for dv in ws.data_validations.dataValidation if cell in dv]  # type: ignore[attr-defined]
    assert len(rules) == 1, f"{cell}: {len(rules)} validation rules"
    return rules[0]


def _excel_list(rule: object) -> list[str]:
    formula = rule.formula1  # type: ignore[attr-defined]
    assert formula.startswith('"') and formula.endswith('"') and len(formula) <= 257
    return formula[1:-1].split(",")


def test_template_has_a_sheet_per_table_headers_guidance_and_dropdowns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = tmp_path / "collection.xlsx"
    assert main(["template", str(path)]) == 0
    assert "dropdown lists" in capsys.readouterr().out
    wb = load_workbook(path)
    assert wb.sheetnames == ["guidance", *TABLE_ORDER]
    guidance = " ".join(str(c.value) for row in wb["guidance"].iter_rows() for c in row if c.value)
    assert "Never type names, dates of birth" in guidance and "reliability" in guidance
    enum_columns = 0
    for table in TABLE_ORDER:
        ws = wb[table]
        headers = [c.value for c in ws[1]]
        assert headers == list(TABLES[table].names)
        for i, col in enumerate(TABLES[table].columns, start=1):
            letter = get_column_letter(i)
            if col.type == "enum":
                enum_columns += 1
                for cell in (f"{letter}2", f"{letter}5001"):
                    rule = _validation_for(ws, cell)
                    assert rule.type == "list"  # type: ignore[attr-defined]
                    assert rule.showErrorMessage and rule.errorStyle == "stop"  # type: ignore[attr-defined]
                    assert _excel_list(rule) == list(col.values)
                    # Excel refuses anything outside the list: a misspelt value is not in it.
                    assert "hotel_room" not in _excel_list(rule)
                    assert "Police" not in _excel_list(rule) or col.name != "source"
                assert not [dv for dv in ws.data_validations.dataValidation if f"{letter}1" in dv]
    # Every enumerated column of the schema was checked: kinds, contexts, sources, ...
    assert enum_columns == sum(
        1 for t in TABLE_ORDER for c in TABLES[t].columns if c.type == "enum"
    )
    assert enum_columns >= 9


def _point_inside(bounds: object, code: str) -> tuple[float, float]:
    geom = bounds.set_index("code").geometry[code]  # type: ignore[attr-defined]
    p = geom.representative_point()
    return float(p.x), float(p.y)


def test_template_filled_in_reads_back_with_no_problems(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "collection.xlsx"
    assert main(["template", str(path)]) == 0
    bounds = peermap.demo_boundaries()
    x, y = _point_inside(bounds, "X09000001")
    wb = load_workbook(path)
    wb["people"].append(["CH-1001", "Northmere", 14, "F", "no"])
    wb["people"].append(["CH-1002", "X09000002", 16, "M", "yes"])
    wb["people"].append(["CH-1003", "Harrowfield", 15, None, None])
    wb["places"].append(["V1", "hotel", None, None, x, y, "hotel by the station"])
    wb["places"].append(["V2", "transport_hub", None, None, x + 200, y + 100, None])
    wb["ties"].append(
        ["CH-1001", "CH-1002", "friend", dt.date(2024, 3, 1), None, "school", "reported"]
    )
    wb["ties"].append(
        [
            "CH-1003",
            "CH-1001",
            "exploiter",
            dt.date(2024, 4, 2),
            dt.date(2024, 5, 1),
            "police",
            "corroborated",
        ]
    )
    wb["sightings"].append(["CH-1001", "V1", dt.date(2024, 3, 5), "cse", "police", "confirmed"])
    wb["sightings"].append(
        ["CH-1002", "V2", dt.date(2024, 3, 9), "missing_episode", "social_care", "unverified"]
    )
    wb["relocations"].append(
        ["CH-1002", "X09000002", "X09000001", dt.date(2024, 2, 1), "care_placement"]
    )
    wb.save(path)
    ds = peermap.read_dataset(path, boundaries=bounds, strict=False)
    assert ds.report.problems == []
    assert ds.counts == {"people": 3, "places": 2, "ties": 2, "sightings": 2, "relocations": 1}
    assert ds.people["home_authority"].tolist() == ["X09000001", "X09000002", "X09000002"]
    assert (ds.places["assignment"] == "within").all()
    # ... and the command that practitioners' analysts run on it agrees.
    assert main(["validate", str(path), "--boundaries", str(_demo_file(tmp_path))]) == 0


def _demo_file(tmp_path: Path) -> Path:
    from peermap.boundaries import demo_region_file

    target = tmp_path / "region.geojson"
    target.write_bytes(demo_region_file().read_bytes())
    return target


def test_template_offers_the_authorities_of_the_boundaries(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "collection.xlsx"
    assert main(["template", str(path), "--boundaries", str(_demo_file(tmp_path))]) == 0
    wb = load_workbook(path)
    assert wb["authority_list"].sheet_state == "hidden"
    names = [c.value for c in wb["authority_list"]["A"]]
    assert "Northmere" in names and len(names) == 7
    rule = _validation_for(wb["people"], "B2")
    assert rule.formula1.startswith("'authority_list'!")  # type: ignore[attr-defined]
    assert rule.errorStyle == "warning"  # type: ignore[attr-defined]  # codes still allowed
    assert peermap.read_dataset(path).counts["people"] == 0


def test_template_never_replaces_a_workbook_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "collection.xlsx"
    path.write_bytes(b"filled in by practitioners")
    assert main(["template", str(path)]) == 2
    assert path.read_bytes() == b"filled in by practitioners"
    assert "--force" in capsys.readouterr().err
    assert main(["template", str(path), "--force"]) == 0
    assert main(["template", str(tmp_path / "collection.csv")]) == 2


# --------------------------------------------------------------------------- assign


def test_assign_reports_the_four_outcomes_and_writes_the_authorities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bounds = peermap.demo_boundaries()
    geoms = bounds.set_index("code").geometry
    inside = _point_inside(bounds, "X09000003")
    border = geoms["X09000001"].boundary.intersection(geoms["X09000002"].boundary)
    on_border = shapely.line_interpolate_point(shapely.line_merge(border), 0.5, normalized=True)
    region = bounds.union_all()
    near = region.buffer(300).exterior.interpolate(0.3, normalized=True)
    far = region.buffer(5000).exterior.interpolate(0.3, normalized=True)
    rows = [
        ("in", "school", *inside),
        ("edge", "park", on_border.x, on_border.y),
        ("near", "other", near.x, near.y),
        ("far", "other", far.x, far.y),
    ]
    places = tmp_path / "places.csv"
    pd.DataFrame(rows, columns=["place_id", "kind", "easting", "northing"]).to_csv(
        places, index=False
    )
    out = tmp_path / "assigned.csv"
    status = main(
        ["assign", str(places), "--boundaries", str(_demo_file(tmp_path)), "-o", str(out)]
    )
    text = capsys.readouterr().out
    assert status == 0, text
    for outcome in ("within", "on_boundary", "nearest", "outside"):
        assert re.search(rf"^  {outcome}\s+1\s", text, re.MULTILINE), text
    assert "outside every authority: far" in text
    frame = pd.read_csv(out, dtype=str).set_index("place_id")
    assert frame.loc["in", "authority_code"] == "X09000003"
    assert frame.loc["edge", "authority_code"] == "X09000001"  # the lowest code of the two
    assert frame.loc["edge", "assignment"] == "on_boundary"
    assert frame.loc["near", "assignment"] == "nearest"
    assert pd.isna(frame.loc["far", "authority_code"])
    assert list(frame.columns[-3:]) == ["authority_code", "authority_name", "assignment"]


def test_assign_sets_bad_rows_aside_and_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bounds = peermap.demo_boundaries()
    x, y = _point_inside(bounds, "X09000003")
    places = tmp_path / "places.csv"
    places.write_text(f"place_id,kind,easting,northing\nok,park,{x},{y}\nbad,castle,{x},{y}\n")
    out = tmp_path / "assigned.csv"
    status = main(
        ["assign", str(places), "--boundaries", str(_demo_file(tmp_path)), "-o", str(out)]
    )
    assert status == 2
    text = capsys.readouterr().out
    assert "castle" in text and "1 row(s) with errors were set aside" in text
    assert pd.read_csv(out)["place_id"].tolist() == ["ok"]


def test_assign_refuses_identifying_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    places = tmp_path / "places.csv"
    places.write_text("place_id,kind,easting,northing,postcode\nok,park,700000,310000,N1 9GU\n")
    status = main(["assign", str(places), "--boundaries", str(_demo_file(tmp_path)), "-o", "x.csv"])
    assert status == 2
    err = capsys.readouterr().err
    assert "postcode" in err and "N1 9GU" not in err


# --------------------------------------------------------------------------- map and report


def test_map_writes_a_public_offline_map(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hotspots.html"
    args = ["map", str(exports), "--boundaries", _region(exports), "-o", str(out)]
    assert main([*args, "--tiles", "none"]) == 0
    text = capsys.readouterr().out
    assert "audience: public (Counts under 10 are suppressed" in text
    assert "opens offline" in text
    page = out.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert "yp-" not in page and "pl-" not in page  # no young person, no place id
    assert "Fictional demonstration boundaries" in page


def test_map_as_a_static_figure_and_bad_options(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["map", str(exports), "--boundaries", _region(exports)]
    png = tmp_path / "map.png"
    assert main([*base, "-o", str(png), "--layers", "authorities,hotspots"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main([*base, "-o", str(tmp_path / "map.txt")]) == 2
    assert main([*base, "-o", str(tmp_path / "m.html"), "--audience", "partnership"]) == 0
    capsys.readouterr()
    assert (
        main(
            [*base, "-o", str(tmp_path / "m.html"), "--audience", "partnership", "--min-count", "5"]
        )
        == 2
    )
    assert "exact counts" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "m.html"), "--layers", "nonsense"]) == 2


def test_map_gi_cell_option_sets_the_cell_and_errors_name_it(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["map", str(exports), "--boundaries", _region(exports), "--tiles", "none"]
    out = tmp_path / "gi.html"
    assert main([*base, "-o", str(out), "--layers", "gi_star", "--gi-cell", "1000"]) == 0
    capsys.readouterr()
    assert "Sightings on 1000 m cells" in out.read_text(encoding="utf-8")
    # A cell larger than the region: left out with a note, or refused when asked for.
    assert main([*base, "-o", str(out), "--gi-cell", "1000000"]) == 0
    text = capsys.readouterr().out
    assert "Gi* hot spots not drawn: the sightings fit in fewer than 4 cells" in text
    assert "gi_star" not in text.split("layers:")[1].splitlines()[0]
    args = [*base, "-o", str(out), "--layers", "gi_star", "--gi-cell", "1000000"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "cannot draw layer 'gi_star'" in err and "choose a smaller --gi-cell" in err
    assert "cell_size_m" not in err
    report = tmp_path / "report.html"
    args = ["report", str(exports), "--boundaries", _region(exports), "-o", str(report)]
    assert main([*args, "--gi-cell", "1000"]) == 0
    assert "Sightings on 1000 m cells" in _srcdoc(report.read_text(encoding="utf-8"))


def _srcdoc(page: str) -> str:
    match = re.search(r'<iframe[^>]*srcdoc="([^"]*)"', page)
    assert match, "no embedded map"
    return html.unescape(match.group(1))


def test_public_html_report_is_self_contained_and_names_nobody(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    args = ["report", str(exports), "--boundaries", _region(exports), "-o", str(out)]
    assert main(args) == 0
    assert "report (public, html)" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    for heading in (
        "Contexts spanning authorities",
        "Hotspot venues",
        "Flows between authorities",
        "Relocations received",
        "Map",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "Public report: aggregates only" in page
    assert external_references(page) == []
    embedded = _srcdoc(page)
    assert "L.map" in embedded or "L.Map" in embedded or "leaflet" in embedded.lower()
    assert external_references(embedded) == []
    assert "yp-" not in page and "pl-" not in page
    venues = page.split("<h2>Hotspot venues</h2>")[1].split("<h2>")[0]
    assert "<td>fast food</td>" in venues or "<td>school</td>" in venues
    assert "<td>residential</td>" not in venues  # private homes are never listed
    # Every count of young people in the tables is withheld or a multiple of 5.
    table = page.split("<h2>Relocations received</h2>")[1].split("</table>")[0]
    for cell in re.findall(r'<td class="n">([^<]*)</td>', table):
        assert cell == "c" or int(cell.replace(",", "")) % 5 == 0


def test_markdown_report_links_the_map_written_beside_it(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report" / "summary.md"
    map_file = tmp_path / "maps" / "partnership map.html"
    args = ["report", str(exports), "--boundaries", _region(exports), "-o", str(out)]
    status = main([*args, "--map", str(map_file), "--audience", "partnership", "--top", "3"])
    assert status == 0
    text = capsys.readouterr().out
    assert "PARTNERSHIP ONLY" in text
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# ") and "> **PARTNERSHIP ONLY" in md
    assert "(../maps/partnership%20map.html)" in md
    assert map_file.is_file() and external_references(map_file.read_text("utf-8")) == []
    assert "| context | Why it ranks here | concern | q-value | authorities |" in md
    assert "pl-" in md  # partnership reports name the places
    assert "## Data quality" in md and "0 error(s)" in md
    assert "<iframe" not in md


def _read_exports(exports: Path) -> peermap.Dataset:
    from peermap.cli import load_boundaries_file

    return peermap.read_dataset(exports, boundaries=load_boundaries_file(_region(exports)))


def _html_table(page: str, heading: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (as text) of the table under a heading of an HTML report."""
    section = page.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]

    def text(cell: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", cell)).replace("\xa0", " ")

    headers = [text(h) for h in re.findall(r"<th>(.*?)</th>", section)]
    body = section.split("<tbody>")[1].split("</tbody>")[0]
    rows = [
        [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body)
    ]
    return headers, rows


def _report_page(exports: Path, tmp_path: Path, audience: str) -> str:
    out = tmp_path / f"{audience}.html"
    args = ["report", str(exports), "--boundaries", _region(exports), "-o", str(out)]
    assert main([*args, "--audience", audience, "--no-embed"]) == 0
    return out.read_text(encoding="utf-8")


def test_partnership_report_says_why_each_context_and_venue_ranks_where_it_does(
    exports: Path, tmp_path: Path
) -> None:
    page = _report_page(exports, tmp_path, "partnership")
    ds = _read_exports(exports)
    found = peermap.contexts(ds)
    spanning = found[found["spans_authorities"].astype(bool)]
    spots = peermap.hotspots(ds)
    spots = spots[spots["people"] > 0]
    for heading, ids, table in (
        ("Contexts spanning authorities", "context_id", spanning),
        ("Hotspot venues", "place_id", spots),
    ):
        headers, rows = _html_table(page, heading)
        # The reasons lead, with the concern score and its q-value beside them.
        assert headers[1] == "Why it ranks here" and {"concern", "q-value"} <= set(headers)
        assert [row[1] for row in rows] == list(table["reasons"].head(len(rows)))
        # Most concerning first: the order of peermap.contexts / peermap.hotspots.
        assert len(rows) == min(10, len(table))
        concern = [float(row[headers.index("concern")]) for row in rows]
        assert concern == sorted(concern, reverse=True) and concern[0] > 0
        shown = [
            row[0] if ids == "context_id" else row[headers.index("place (label)")] for row in rows
        ]
        for cell, ref in zip(shown, table[ids], strict=False):
            assert cell.split(" ")[0] == str(ref)


def test_public_report_ranks_by_concern_without_the_reasons_or_small_counts(
    exports: Path, tmp_path: Path
) -> None:
    from peermap import settings

    page = _report_page(exports, tmp_path, "public")
    ds = _read_exports(exports)
    found = peermap.contexts(ds)
    spots = peermap.hotspots(ds)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ")
    text = " ".join(text.split())
    # The reasons hold exact counts of young people: no reason, nor any part of one.
    for reasons in (*found["reasons"], *spots["reasons"]):
        assert reasons not in text
    for phrase in (r"× the rate", r"the rate (expected|usual)", r"\bq [<=] \d", r"% of runs"):
        assert not re.search(phrase, text), phrase
    assert not re.search(r"\d+ (in )?exploiter ties?;", text)
    assert "Why it ranks here" not in text
    names = dict(zip(ds.boundaries["code"], ds.boundaries["name"], strict=True))
    minimum, step = settings.min_count, settings.round_to
    from peermap.cell_keys import cell_key, record_keys
    from peermap.disclosure import Audience
    from peermap.measures import venue_stats

    policy = Audience.of("public")
    listed = [
        policy.listed(n, cell_key(record_keys(list(people)).tolist()))
        for n, people in zip(found["n_people"], found["people"], strict=True)
    ]
    spanning = found[found["spans_authorities"].astype(bool) & pd.Series(listed, index=found.index)]
    home = ds.people.set_index("person_id")["home_authority"]

    def named(row: Any) -> str:
        # Only the authorities home to enough of the context's young people are named,
        # by the rule with the noise of those young people's cell.
        of_home = home.reindex(list(row.people))
        shown = [
            names[a]
            for a in row.authorities
            if policy.listed(
                int((of_home == a).sum()),
                cell_key(record_keys(list(of_home.index[of_home == a])).tolist()),
            )
        ]
        others = len(row.authorities) - len(shown)
        other = " other" if shown else ""  # "5 authorities" when none is named
        more = f"{others}{other} authorit{'y' if others == 1 else 'ies'}" if others else ""
        return ", ".join(shown) + (" and " if shown and more else "") + more

    keys = venue_stats(ds)["people_key"]
    venues = spots[
        [
            policy.listed(n, keys.get(p)) and k != "residential"
            for n, p, k in zip(spots["people"], spots["place_id"], spots["kind"], strict=True)
        ]
    ]
    for heading, expected in (
        ("Contexts spanning authorities", [named(row) for row in spanning.itertuples()]),
        (
            "Hotspot venues",
            [
                f"{row.kind.replace('_', ' ')} {names[row.authority_code]}"
                for row in venues.itertuples()
            ],
        ),
    ):
        headers, rows = _html_table(page, heading)
        assert rows and not {"concern", "q-value", "Why it ranks here"} & set(headers)
        # In the order of concern, as in the partnership report.
        if heading == "Hotspot venues":
            shown = [f"{row[1]} {row[2]}" for row in rows]
        else:
            shown = [row[1] for row in rows]
        assert shown == expected[: len(rows)]
        # Counts of young people and of records: withheld, or at least the threshold and
        # rounded; never a small count.
        for column in ("young people", "serious", "serious sightings"):
            if column in headers:
                for row in rows:
                    cell = row[headers.index(column)]
                    value = int(cell.replace(",", "")) if cell != "c" else None
                    assert value is None or (value >= minimum and value % step == 0), cell


def test_report_refuses_unknown_formats_and_same_names(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["report", str(exports), "--boundaries", _region(exports)]
    assert main([*base, "-o", str(tmp_path / "r.pdf")]) == 2
    assert ".html" in capsys.readouterr().err
    same = str(tmp_path / "r.html")
    assert main([*base, "-o", same, "--map", same]) == 2
    assert main([*base, "-o", str(tmp_path / "r.html"), "--round-to", "0"]) == 2
    capsys.readouterr()
    huge = "99999999999999999999"
    assert main([*base, "-o", str(tmp_path / "r.html"), "--round-to", huge]) == 2
    assert "--round-to must be at most --min-count or 10" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_lenient_reading_reports_rows_set_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.md"
    assert main(["report", str(DATA / "bad"), "-o", str(out)]) == 2
    capsys.readouterr()
    assert main(["report", str(DATA / "bad"), "-o", str(out), "--lenient"]) == 0
    text = capsys.readouterr().out
    assert "row(s) with errors were set aside" in text and "without --boundaries" in text


# --------------------------------------------------------------------------- packages


@pytest.fixture(scope="module")
def packages(
    exports: Path, key_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("packages")
    made = {}
    for code in ("X09000001", "X09000002"):
        path = folder / f"{code}.gpkg"
        status = main(
            [
                "export",
                str(exports),
                "--boundaries",
                _region(exports),
                "-o",
                str(path),
                "--producer",
                code,
                "--audience",
                "partnership",
                "--key-file",
                str(key_file),
            ]
        )
        assert status == 0
        made[code] = path
    return made


def test_export_and_info_of_a_package(
    packages: dict[str, Path], key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = packages["X09000001"]
    assert main(["info", str(path), "--key-file", str(key_file)]) == 0
    out = capsys.readouterr().out
    assert "record schema v1" in out and "X09000001 (Northmere)" in out
    assert "period           2024-" in out and "people 400" in out
    assert "verified with the partnership key" in out
    assert key_file.read_text().strip() not in out
    assert main(["info", str(path)]) == 0
    assert "give --key-file to verify" in capsys.readouterr().out


def test_info_refuses_a_package_made_with_another_key(
    packages: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.key"
    main(["key", str(other)])
    capsys.readouterr()
    assert main(["info", str(packages["X09000001"]), "--key-file", str(other)]) == 2
    captured = capsys.readouterr()
    assert "X09000001" in captured.out  # what the package says is still shown
    assert "would not link" in captured.err


def test_export_needs_an_audience_a_producer_and_for_records_a_key(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["export", str(exports), "--boundaries", _region(exports)]
    out = str(tmp_path / "p.gpkg")
    assert main([*base, "-o", out, "--producer", "X09000001"]) == 2
    assert "--audience partnership" in capsys.readouterr().err
    assert main([*base, "-o", out, "--audience", "partnership"]) == 2
    assert main([*base, "-o", out, "--audience", "partnership", "--producer", "X09000001"]) == 2
    assert "no partnership key" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "p.zip")]) == 2
    agg = tmp_path / "aggregate.gpkg"
    assert main([*base, "-o", str(agg), "--audience", "aggregate", "--producer", "X09000001"]) == 0
    capsys.readouterr()
    assert main(["info", str(agg)]) == 0
    out_text = capsys.readouterr().out
    assert "aggregate" in out_text and "flows" in out_text and "min_count=10" in out_text


def test_export_sends_only_the_window_in_every_format(
    exports: Path, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An over-release is the worst bug here: --since/--until/--min-reliability decide
    # what every format holds, and a package records the window as its period.
    base = ["export", str(exports), "--boundaries", _region(exports)]
    window = ["--since", "2024-10-01", "--until", "2024-12-31"]
    chosen = peermap.Window(since="2024-10-01", until="2024-12-31")
    ds = peermap.read_dataset(exports, boundaries=_region(exports))
    q4 = peermap.select(ds, chosen)
    assert 0 < len(q4.sightings) < len(ds.sightings)
    agg = tmp_path / "q4.gpkg"
    producer = ["--producer", "X09000001"]
    assert main([*base, "-o", str(agg), "--audience", "aggregate", *producer, *window]) == 0
    capsys.readouterr()
    assert main(["info", str(agg)]) == 0
    assert "period           2024-10-01 to 2024-12-31" in capsys.readouterr().out
    flows, auth = peermap.aggregate_tables(q4)
    got = peermap.read_aggregate(agg)
    pd.testing.assert_frame_equal(got.flows, flows)
    shown = [f"{n}_shown" for n in peermap.counts.AUTHORITY_COUNTS]
    pd.testing.assert_frame_equal(pd.DataFrame(got.authorities[shown]), pd.DataFrame(auth[shown]))
    assert not got.flows.equals(peermap.aggregate_tables(ds)[0])
    # --min-reliability alone: the weaker grades are not counted; the period is the
    # records' in whole months.
    sure = tmp_path / "sure.gpkg"
    grade = ["--min-reliability", "confirmed"]
    assert main([*base, "-o", str(sure), "--audience", "aggregate", *producer, *grade]) == 0
    confirmed = peermap.select(ds, peermap.Window(min_reliability="confirmed"))
    pd.testing.assert_frame_equal(
        peermap.read_aggregate(sure).flows, peermap.aggregate_tables(confirmed)[0]
    )
    # A partnership package: the window's records, and says how many.
    part = tmp_path / "q4p.gpkg"
    keyed = ["--key-file", str(key_file)]
    capsys.readouterr()
    assert (
        main([*base, "-o", str(part), "--audience", "partnership", *producer, *keyed, *window]) == 0
    )
    assert f"sightings {len(q4.sightings):,}" in capsys.readouterr().out
    back = peermap.read_package(part, key=peermap.load_key(file=key_file))
    assert back.meta["period"] == ("2024-10-01", "2024-12-31")
    assert len(back.sightings) == len(q4.sightings)
    assert back.sightings["date"].between(chosen.since, chosen.until).all()
    assert len(back.ties) == len(q4.ties) < len(ds.ties)
    # GeoJSON: the window's records too.
    folder = tmp_path / "q4geojson"
    assert main([*base, "-o", str(folder), "--format", "geojson", *window]) == 0
    dates = pd.Series(
        [f["properties"]["date"] for f in _geojson(folder / "sightings.geojson")["features"]]
    )
    assert len(dates) == len(q4.sightings)
    assert dates.between("2024-10-01", "2024-12-31").all()


def _geojson(path: Path) -> Any:
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def test_export_graph_and_geojson(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import networkx as nx

    base = ["export", str(exports), "--boundaries", _region(exports)]
    graphml = tmp_path / "net.graphml"
    assert main([*base, "-o", str(graphml)]) == 0
    assert nx.read_graphml(graphml).number_of_nodes() == 400
    folder = tmp_path / "geojson"
    assert main([*base, "-o", str(folder), "--format", "geojson"]) == 0
    assert (folder / "places.geojson").is_file() and (folder / "metadata.json").is_file()
    assert "PARTNERSHIP ONLY" in capsys.readouterr().out


def test_merge_keeps_who_reported_each_record(
    packages: dict[str, Path], key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cluster.gpkg"
    args = ["merge", *map(str, packages.values()), "-o", str(out), "--producer", "X09000001"]
    assert main([*args, "--key-file", str(key_file)]) == 0
    text = capsys.readouterr().out
    assert "merged 2 package(s): people 400" in text
    assert "reported by: X09000001, X09000002; 0 disagreement(s)" in text
    ds = peermap.exchange.read_package(out, key=peermap.load_key(file=key_file))
    assert set(ds.people["provenance"]) == {"X09000001;X09000002"}
    assert main(args) == 2  # no key: refused
    assert "no partnership key" in capsys.readouterr().err


def test_map_and_report_read_a_package(
    packages: dict[str, Path], key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(packages["X09000002"])
    out = tmp_path / "r.md"
    assert main(["report", path, "-o", str(out), "--key-file", str(key_file)]) == 0
    assert "Harrowfield" in out.read_text(encoding="utf-8")
    assert main(["report", path, "-o", str(out), "--boundaries", "x.geojson"]) == 2
    assert "carries its own boundaries" in capsys.readouterr().err


# --------------------------------------------------------------------------- info


def test_info_describes_boundary_files_and_dataset_folders(
    exports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", _region(exports)]) == 0
    out = capsys.readouterr().out
    assert "authorities      7" in out and "fictional" in out and "X09" in out
    assert main(["info", str(exports), "--boundaries", _region(exports)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"people\s+400 rows read,\s+400 accepted", out)
    assert "period       2024-" in out and "Northmere" in out
    assert main(["info", str(DATA / "bad")]) == 0
    assert "set aside" in capsys.readouterr().out
    assert main(["info", str(exports / "people.csv")]) == 2


def test_info_says_a_damaged_geopackage_is_damaged(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A boundary GeoPackage reads; the same file cut short is said to be damaged (it was
    # "cannot read ... as a boundary file: sqlite3_prepare_v2(...) failed").
    whole = tmp_path / "region.gpkg"
    gpd.read_file(_region(exports)).to_file(whole, driver="GPKG")
    assert main(["info", str(whole)]) == 0
    assert "authorities      7" in capsys.readouterr().out
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2 + 100])
    assert main(["info", str(cut)]) == 2
    err = capsys.readouterr().err
    assert "damaged or truncated" in err and "sqlite3_prepare" not in err


def test_demo_writes_a_map_and_a_report_that_need_no_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    views = tmp_path / "views"
    assert main(["demo", "--people", "300", "--seed", "2", "--views", str(views)]) == 0
    out = capsys.readouterr().out
    map_html, report_html = views / "map.html", views / "report.html"
    assert f"wrote {map_html}" in out and f"wrote {report_html}" in out
    page = map_html.read_text(encoding="utf-8")
    report = report_html.read_text(encoding="utf-8")
    # Self-contained: no script or style fetched from the network (tiles=None).
    assert not re.search(r"<script[^>]+src=\"https?://", page)
    assert not re.search(r"<link[^>]+href=\"https?://", page)
    assert "PARTNERSHIP ONLY" in report and "map.html" in report
    # --no-views prints the same analysis and writes nothing.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    monkeypatch.chdir(fresh)
    assert main(["demo", "--people", "300", "--seed", "2", "--no-views"]) == 0
    assert "wrote" not in capsys.readouterr().out
    assert list(fresh.iterdir()) == []


def test_identifier_problems_name_the_command_not_python(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A phone number in a column of notes: validate and map refuse it, redacted, and say
    # what to do in command-line terms ('peermap pseudonymise', --key-file), not in
    # Python. In a stray cell beyond the header there is no column to pseudonymise: the
    # fix is the row's.
    import shutil

    folder = tmp_path / "exports"
    shutil.copytree(exports, folder)
    people = (folder / "people.csv").read_text(encoding="utf-8").splitlines()
    people = [people[0] + ",notes", *(line + "," for line in people[1:])]
    people[3] += "07700 900123"
    (folder / "people.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    for argv in (["validate", str(folder)], ["map", str(folder), "-o", str(tmp_path / "m.html")]):
        capsys.readouterr()
        assert main(argv) == 2
        out = "".join(capsys.readouterr())
        assert "peermap pseudonymise" in out and "--key-file" in out, argv
        assert "--columns 'notes'" in out, argv
        for python in ("key=...", "peermap.pseudonymise(", "in Python", "strict=False"):
            assert python not in out, (argv, python)
        assert "07700" not in out and "900123" not in out
    stray = (exports / "people.csv").read_text(encoding="utf-8").splitlines()
    stray[3] += ",07700 900123"
    (folder / "people.csv").write_text("\n".join(stray) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 2
    out = "".join(capsys.readouterr())
    assert "The column has no name in the file" in out and "07700" not in out
    assert "peermap pseudonymise" not in out and "in Python" not in out
