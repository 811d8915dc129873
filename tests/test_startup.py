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


def _loaded_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running ``code``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE.parent), env.get("PYTHONPATH", "")) if p
    )
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    return [name for name in HEAVY if name in modules]


def test_import_peermap_loads_no_heavy_library() -> None:
    assert _loaded_after("import peermap") == []


def test_help_loads_no_heavy_library() -> None:
    code = (
        "import contextlib, io\nfrom peermap.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert _loaded_after(code) == []
    assert "pandas" not in _loaded_after(code.replace("main(['--help'])", "main(['map', '-h'])"))


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
