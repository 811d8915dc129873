"""The command line speaks command line: its errors and warnings name options, not Python.

Every error path below runs ``peermap`` the way a user would and checks that the message
is one paragraph in command-line terms (no ``key=...``, ``strict=False``,
``peermap.function`` or ``obj.method(...)``) and that the exit status is 2. A static
check reads every message the library raises or warns and puts it through the command
line's translation (:func:`peermap.cli.common.in_cli_terms`): what is left in Python must
be a message a command-line user cannot meet (listed below with the reason).
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import peermap
from peermap.cli import main
from peermap.cli.common import in_cli_terms

SRC = Path(peermap.__file__).resolve().parent
DATA = Path(__file__).parent / "data"

#: What Python looks like in a message.
PYTHON = re.compile(
    r"\b[a-z_]+=(?:\.\.\.|True|False|None|')"  # keyword=...
    r"|\bpeermap\.[a-z_]+"  # peermap.function
    r"|\b(?:err|ds)\.report\b"
    r"|\b[a-z_]+\.[a-z_]+\("  # obj.method(
    r"|\b[a-z_]+\((?!s\))[^)]*\)"  # function(...) (not the plural "row(s)")
)

#: Library messages left in Python terms, with why a command-line user cannot meet them:
#: the command line builds these arguments itself.
API_ONLY = {
    ("analysis/context_lookup.py", "contexts_table must be"): "the CLI passes no contexts table",
    ("assignment.py", "boundaries must be polygons"): "the CLI loads boundaries itself",
    ("assignment.py", "places have no CRS"): "the CLI reads places from tables",
    ("assignment.py", "boundaries lack column"): "the CLI loads boundaries itself",
    ("boundaries.py", "boundaries lack column"): "the CLI loads boundaries itself",
    ("boundaries.py", "boundaries have no CRS"): "the CLI loads boundaries itself",
    ("boundaries.py", "boundaries must be a Boundaries"): "the CLI loads boundaries itself",
    ("dataset.py", "boundaries= and region="): "the CLI builds datasets by reading them",
    ("filters.py", "context must be a row"): "--context is an integer",
    ("views/diagrams.py", "context must be a context_id"): "--context is an integer",
    ("ranking.py", "needs a weight"): "internal consistency check of the ranking tables",
    ("ranking.py", "has no weight in"): "the grades are validated when records are read",
    ("ranking.py", "pass specific=True"): "the CLI never calls ranking.excess",
    ("synthetic/region.py", "boundaries must be a GeoDataFrame"): "peermap demo loads them",
    ("synthetic/region.py", "boundaries lack column"): "peermap demo loads them",
    ("synthetic/region.py", "boundaries have no CRS"): "peermap demo loads them",
    ("views/report.py", "made without a map"): "the CLI writes reports in one step",
    ("analysis/brokerage.py", "contexts: expected the table"): "the CLI passes no contexts table",
    ("analysis/paths.py", "via='ties' links young people"): "no command asks for a path",
    ("emerging.py", "period='week' is for the partnership"): "peermap map --emerging draws months",
    ("linkage/identities.py", "needs the linkage key"): "peermap encode loads the key first",
    ("_arguments.py", "needs a peermap.Dataset"): "the CLI passes the dataset it read",
    ("analysis/brokerage.py", "contexts= takes the table"): "the CLI passes no contexts table",
    ("analysis/movement.py", "flow_matrix needs a table"): "the CLI passes a table of flows",
    ("boundary_files.py", "expected a boundary file"): "the CLI gives boundaries as a path",
}


def _text(node: ast.expr) -> str:
    """A message as written in the source, f-string fields as ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left) + _text(node.right)
    return ""


def _messages() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("cli/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "warn":
                call = node
            if call is not None and call.args:
                found.append((rel, call.lineno, _text(call.args[0])))
    return found


def test_every_library_message_is_said_in_cli_terms_or_cannot_reach_the_cli() -> None:
    messages = _messages()
    assert len(messages) > 200  # the scan found the library's messages
    left = []
    used = set()
    for rel, line, message in messages:
        said = in_cli_terms(message)
        if not PYTHON.search(said):
            continue
        allowed = [k for k in API_ONLY if k[0] == rel and k[1] in message]
        used.update(allowed)
        if not allowed:
            left.append(f"{rel}:{line}: {said}")
    assert left == [], "\n".join(["in Python terms (add a line to cli.common._CLI_TERMS):", *left])
    assert used == set(API_ONLY)  # no stale entries


# --------------------------------------------------------------------------- error paths


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERMAP_KEY", raising=False)
    monkeypatch.delenv("PEERMAP_KEY_FILE", raising=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small dataset, its packages and boundary files with the usual faults."""
    folder = tmp_path_factory.mktemp("messages")
    exports = folder / "exports"
    demo = ["demo", "--people", "200", "--seed", "5", "--out", str(exports), "--no-views"]
    assert main(demo) == 0
    region = exports / "demo_region.geojson"
    key = folder / "partnership.key"
    assert main(["key", str(key)]) == 0
    aggregate = folder / "aggregate.gpkg"
    args = ["export", str(exports), "--boundaries", str(region), "-o", str(aggregate)]
    assert main([*args, "--audience", "aggregate", "--producer", "X09000001"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = gpd.read_file(region)
    layered = folder / "layered.gpkg"
    frame.to_file(layered, layer="districts")
    frame.to_file(layered, layer="counties")
    unnamed = folder / "unnamed.geojson"
    frame[["geometry"]].assign(colour="red").to_file(unnamed)
    duplicated = folder / "duplicated.geojson"
    pd.concat([frame, frame.iloc[:1]]).to_file(duplicated)
    metric = folder / "metric.geojson"  # British National Grid metres, no CRS declared
    metric.write_text(
        frame.to_crs(27700).to_json(drop_id=True).replace('"crs"', '"_crs"'), encoding="utf-8"
    )
    empty = folder / "empty.geojson"
    empty.write_text("")
    swapped = folder / "swapped.geojson"  # latitude and longitude swapped
    lonlat = frame.to_crs(4326)
    lonlat.geometry = shapely.transform(lonlat.geometry.values, lambda xy: xy[:, ::-1])
    lonlat.to_file(swapped)
    return {
        "exports": str(exports),
        "region": str(region),
        "key": str(key),
        "aggregate": str(aggregate),
        "layered": str(layered),
        "unnamed": str(unnamed),
        "duplicated": str(duplicated),
        "metric": str(metric),
        "swapped": str(swapped),
        "empty": str(empty),
        "bad": str(DATA / "bad"),
        "people": str(exports / "people.csv"),
        "out": str(folder / "out"),
    }


ERROR_PATHS = {
    "key missing (pseudonymise)": "pseudonymise {people} {out}.csv --columns person_id",
    "key missing (export)": "export {exports} --boundaries {region} -o {out}.gpkg "
    "--audience partnership --producer X09000001",
    "records with errors": "map {bad} -o {out}.html",
    "unknown context": "map {exports} --boundaries {region} -o {out}.html "
    "--audience partnership --context 9999",
    "layer needs boundaries": "map {exports} -o {out}.html --layers authorities",
    "aggregate package to map": "map {aggregate} -o {out}.html",
    "aggregate package to report": "report {aggregate} -o {out}.html",
    "--crs without boundaries": "report {exports} -o {out}.html --crs EPSG:27700",
    "Gi* cell too small": "map {exports} --boundaries {region} -o {out}.html "
    "--layers gi_star --gi-cell 1",
    "several layers": "validate {exports} --boundaries {layered}",
    "no code or name column": "validate {exports} --boundaries {unnamed}",
    "duplicate codes": "assign {exports} --boundaries {duplicated} -o {out}.csv",
    "no CRS, metres": "info {metric}",
    "wrong CRS given": "info {metric} --crs EPSG:4326",
    "bad CRS given": "map {exports} --boundaries {region} --crs EPSG:nonsense -o {out}.html",
    "latitude and longitude swapped": "demo --boundaries {swapped} --no-views",
    "key missing (encode)": "encode {people} {out}.csv",
    "not CLK files (link)": "link {people} {people} -o {out}.csv",
    "threshold out of range (link)": "link {people} {people} -o {out}.csv --threshold 2",
    "Gi* cell zero": "report {exports} --boundaries {region} -o {out}.html --gi-cell 0",
    "Gi* cell not a number": "report {exports} --boundaries {region} -o {out}.html --gi-cell nan",
    "top below one": "report {exports} --boundaries {region} -o {out}.html --top 0",
    "since after until": "report {exports} --boundaries {region} -o {out}.html "
    "--since 2024-12-01 --until 2024-01-01",
    "since not a date": "report {exports} --boundaries {region} -o {out}.html --since 2024-02-30",
    "until with slashes not a date": "report {exports} --boundaries {region} -o {out}.html "
    "--until 31/02/2024",
    "min-count below one": "report {exports} --boundaries {region} -o {out}.html --min-count -5",
    "round-to zero": "report {exports} --boundaries {region} -o {out}.html --round-to 0",
    "output under a file": "report {exports} --boundaries {region} -o {people}/out.html",
    "map under a file": "report {exports} --boundaries {region} -o {out}.html "
    "--map {people}/map.html",
    "one table given": "validate {people}",
    "empty boundary file": "validate {exports} --boundaries {empty}",
    "key file missing": "report {exports} --boundaries {region} -o {out}.html "
    "--audience partnership --key-file {out}.missing",
    "attribution without boundaries": "validate {exports} --attribution OGL",
    "a folder to pseudonymise": "pseudonymise {exports} {out}.csv --columns person_id "
    "--key-file {key}",
}

#: What each of the errors above must name: the option (or file) it is about.
NAMED = {
    "Gi* cell zero": "--gi-cell",
    "Gi* cell not a number": "--gi-cell",
    "top below one": "--top",
    "since after until": "--since 2024-12-01 is after --until 2024-01-01",
    "since not a date": "--since 2024-02-30 is not a date",
    "until with slashes not a date": "--until 31/02/2024 is not a date",
    "min-count below one": "--min-count",
    "round-to zero": "--round-to",
    "output under a file": "people.csv is a file, not a folder",
    "map under a file": "people.csv is a file, not a folder",
    "one table given": "give the folder, not one of its files",
    "empty boundary file": "it is empty, or not in a format GDAL reads",
    "key file missing": "--key-file",
    "attribution without boundaries": "--attribution says how to read a boundary file",
    "a folder to pseudonymise": "it is a folder, not a file; name a file",
}


@pytest.mark.parametrize("command", ERROR_PATHS.values(), ids=list(ERROR_PATHS))
def test_cli_errors_name_options_not_python(
    command: str, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = command.format(**files).split()
    status = main(argv)
    err = capsys.readouterr().err
    message = [line for line in err.splitlines() if not line.startswith(f"peermap {argv[0]}: warn")]
    assert status == 2, err
    assert message and message[0].startswith(f"peermap {argv[0]}: "), err
    assert not PYTHON.search(err), err
    assert "Traceback" not in err
    name = next((k for k, v in ERROR_PATHS.items() if v == command), "")
    if name in NAMED:
        assert NAMED[name] in " ".join(err.split()), err
        assert not re.search(r"\b(?:min_count|round_to|gi_cell_size_m|since=|until=)", err)
        assert "<DRIVER>" not in err  # GDAL's advice to its own users


def test_cli_warnings_name_options_not_python(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], lad_2013_path: Path
) -> None:
    assert main(["info", str(lad_2013_path)]) == 0
    out = capsys.readouterr().out
    assert "declares no CRS" in out and "Give --crs if that is wrong" in out
    assert not PYTHON.search(out)


def test_crs_option_reads_a_file_that_declares_none(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", files["metric"], "--crs", "EPSG:27700"]) == 0
    assert "authorities" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"peermap {peermap.__version__}"
