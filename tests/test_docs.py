"""The documentation builds (mkdocs --strict, API reference from the docstrings) and its
worked example runs as written."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from peermap._assets import external_references
from peermap.cli import COMMANDS, main

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CONFIG = REPO / "mkdocs.yml"


def _need_mkdocs() -> None:
    missing = [name for name in ("mkdocs", "mkdocstrings_handlers.python") if not _importable(name)]
    if missing:
        reason = (
            f"{', '.join(missing)} not installed: install the test extra, pip install -e '.[test]'"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_mkdocs()
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(CONFIG), "-d", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_docs_build_strictly_with_the_key_pages(site: Path) -> None:
    for page in (
        "index.html",
        "getting-started/index.html",
        "schema/index.html",
        "privacy/index.html",
        "analysis/index.html",
        "maps/index.html",
        "exchange-format/index.html",
        "cli/index.html",
        "api/index.html",
    ):
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "peer-on-peer abuse" in home


def test_api_reference_is_generated_from_the_docstrings(site: Path) -> None:
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for anchor in (
        "peermap.validation.read_dataset",
        "peermap.analysis.contexts",
        "peermap.getis_ord.gi_star",
        "peermap.relocations.relocation_exposure",
        "peermap.views.maps.make_map",
        "peermap.privacy.pseudonymise",
        "peermap.disclosure.suppress",
        "peermap.exchange.write_package",
        "peermap.merging.merge",
        "peermap.views.report.write_report",
        "peermap.template.write_template",
    ):
        assert f'id="{anchor}"' in api, anchor
    # numpydoc sections are parsed into tables, not shown as raw underlined headings
    assert "----------" not in api
    assert "Parameters:" in api or "Parameters</" in api


def test_every_page_is_in_the_navigation() -> None:
    nav = set(re.findall(r":\s*([\w./-]+\.md)\s*$", CONFIG.read_text(), re.MULTILINE))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages <= nav, f"add to the nav of mkdocs.yml: {sorted(pages - nav)}"
    assert nav <= pages, f"in the nav but missing: {sorted(nav - pages)}"


def test_cli_page_documents_every_command() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"## peermap {name}\n" in text, name
        assert f"[`{name}`](#peermap-{name})" in text, name


def _worked_example() -> list[str]:
    text = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    section = text.split("## Worked example", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.DOTALL):
        commands += [line.strip() for line in block.splitlines() if line.startswith("peermap ")]
    return commands


def test_the_worked_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PEERMAP_KEY", raising=False)
    monkeypatch.delenv("PEERMAP_KEY_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    commands = _worked_example()
    assert commands[0].startswith("peermap demo") and len(commands) >= 12
    used = {shlex.split(c)[1] for c in commands}
    assert {"demo", "key", "pseudonymise", "validate", "map", "report", "export", "info"} <= used
    for command in commands:
        status = main(shlex.split(command)[1:])
        captured = capsys.readouterr()
        assert status == 0, f"{command}\n{captured.out}\n{captured.err}"
    # From CSV exports to a shared map: a public map and report that open offline, and a
    # package for the partners, with no local reference left in what is shared.
    for name in ("hotspots.html", "report.html"):
        page = (tmp_path / name).read_text(encoding="utf-8")
        assert external_references(page) == [] and "yp-" not in page and "pl-" not in page
    shared = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "shared").glob("*.csv"))
    assert "yp-" not in shared and "pl-" not in shared
    assert (tmp_path / "northmere.gpkg").is_file() and (tmp_path / "collection.xlsx").is_file()
