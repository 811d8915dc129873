"""The package keeps its shape (docs/architecture.md): layers, no cycles, one concern per module.

``import-linter`` checks the contracts in ``pyproject.toml`` (``[tool.importlinter]``):
lower layers never import higher ones and no two modules import each other, directly or
in a ring. The other checks here are what import-linter does not see: a private name
(``_name``) used outside its module, and modules grown past one concern.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "peermap"
#: A module longer than this holds more than one concern (issue 18).
MAX_LINES = 900


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def test_import_contracts_are_kept() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    tool = str(exe) if exe.exists() else shutil.which("lint-imports")
    if tool is None:
        pytest.fail("lint-imports is not installed: install the test extra, pip install -e .[test]")
    result = subprocess.run([tool, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(name: str, path: Path, modules: dict[str, Path]) -> list[str]:
    """Private names of other peermap modules that ``name`` imports or reads."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name -> peermap module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("peermap"):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if target in modules:
                    aliases[alias.asname or alias.name] = target
                elif _private(alias.name) and node.module != name:
                    found.append(f"{name}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
            and aliases[node.value.id] != name
        ):
            found.append(f"{name}: {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_private_name_is_used_outside_its_module() -> None:
    # A private module (``peermap._io``) may be imported; a private *name* may not: a
    # helper two modules share is public in its home.
    modules = _modules()
    found = [use for name, path in modules.items() for use in _private_uses(name, path, modules)]
    assert not found, "\n".join(found)


def test_no_module_holds_more_than_one_concern() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
