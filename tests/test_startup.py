"""Start-up: ``import peermap`` and ``peermap --help`` load no heavy library, and every
public name still resolves (the package imports its modules lazily, PEP 562).

These check what is imported, not how long it takes: the times are in
``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import peermap

#: Libraries that only some commands and functions need; none is loaded at start-up.
HEAVY = ("geopandas", "folium", "matplotlib", "esda", "libpysal", "igraph", "scipy", "openpyxl")
PACKAGE = Path(peermap.__file__).resolve().parent


def _loaded_after(code: str, *, also: tuple[str, ...] = ()) -> list[str]:
    """The heavy libraries (and ``also``) a fresh interpreter has imported after ``code``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE.parent), env.get("PYTHONPATH", "")) if p
    )
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    return [name for name in (*HEAVY, *also) if name in modules]


def test_import_peermap_loads_no_heavy_library() -> None:
    assert _loaded_after("import peermap") == []


def test_help_loads_no_heavy_library() -> None:
    code = (
        "import contextlib, io\nfrom peermap.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert _loaded_after(code) == []
    for arguments in (["--help"], ["map", "-h"]):
        probe = code.replace("main(['--help'])", f"main({arguments!r})")
        assert _loaded_after(probe, also=("pandas", "numpy")) == [], arguments


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in peermap.__all__:
        assert getattr(peermap, name) is not None, name
    assert set(peermap.__all__) <= set(dir(peermap))
    exec("from peermap import *", {})  # every name of __all__ imports


def test_lazy_names_come_from_their_home_modules() -> None:
    import importlib

    for module, names in peermap._LAZY.items():
        home = importlib.import_module(module)
        for name in names:
            assert getattr(peermap, name) is getattr(home, name), f"{module}.{name}"
    eager = {"settings", "__version__", *peermap.exceptions.__all__}
    assert set(peermap._HOME) <= set(peermap.__all__) <= set(peermap._HOME) | eager


def test_lazy_table_agrees_with_the_type_checking_imports() -> None:
    """The ``TYPE_CHECKING`` block (what mypy and IDEs see) names the same homes."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen: dict[str, tuple[str, ...]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module is not None
        seen[node.module] = tuple(alias.name for alias in node.names)
    assert seen == dict(peermap._LAZY)


def test_submodules_are_reached_as_attributes() -> None:
    assert peermap.exchange.write_package is peermap.write_package
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = peermap.no_such_name


# --------------------------------------------------------------------------- optional extras

#: Every library of the optional extras (maps, xlsx, dask), made unimportable.
WITHOUT_EXTRAS = (
    "import sys\n"
    "for name in ('folium', 'branca', 'matplotlib', 'js_lib_leaflet', 'openpyxl', 'dask',\n"
    "             'dask_geopandas', 'distributed'):\n"
    "    sys.modules[name] = None\n"
)


def _without_extras(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PEERMAP_NO_PROGRESS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE.parent), env.get("PYTHONPATH", "")) if p
    )
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS + code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_the_core_install_reads_validates_analyses_and_exchanges(tmp_path: Path) -> None:
    code = (
        "from peermap.cli import main\n"
        "assert main(['demo', '--people', '200', '--out', 'ex']) == 0\n"
        "region = 'ex/demo_region.geojson'\n"
        "assert main(['validate', 'ex', '--boundaries', region]) == 0\n"
        "assert main(['export', 'ex', '--boundaries', region, '-o', 'a.gpkg',\n"
        "             '--audience', 'aggregate', '--producer', 'X09000001']) == 0\n"
        "assert main(['info', 'a.gpkg']) == 0\n"
        "assert main(['report', 'ex', '--boundaries', region, '-o', 'r.md']) == 0\n"
    )
    done = _without_extras(code, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("arguments", "extra", "module"),
    [
        (["map", "ex", "-o", "m.html"], "maps", "folium"),
        (["report", "ex", "-o", "r.html"], "maps", "folium"),
        (["template", "t.xlsx"], "xlsx", "openpyxl"),
    ],
)
def test_a_missing_extra_is_named_in_one_paragraph_with_status_two(
    tmp_path: Path, arguments: list[str], extra: str, module: str
) -> None:
    (tmp_path / "ex").mkdir()
    code = f"from peermap.cli import main\nraise SystemExit(main({arguments!r}))\n"
    done = _without_extras(code, tmp_path)
    assert done.returncode == 2, done.stderr
    err = done.stderr.strip()
    assert f"pip install 'peermap[{extra}]'" in err and f"'{module}'" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith(f"peermap {arguments[0]}: ")


def test_the_library_names_the_missing_extra(tmp_path: Path) -> None:
    code = (
        "import peermap\n"
        "try:\n    peermap.make_map\nexcept peermap.MissingDependencyError as exc:\n"
        "    assert \"pip install 'peermap[maps]'\" in str(exc), exc\n"
        "    assert isinstance(exc, ImportError)\n"
        "else:\n    raise AssertionError('make_map imported without folium')\n"
        "from peermap import dask_engine\n"
        "try:\n    dask_engine.from_pandas(None)\nexcept peermap.MissingDependencyError as exc:\n"
        "    assert \"pip install 'peermap[dask]'\" in str(exc), exc\n"
    )
    done = _without_extras(code, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
