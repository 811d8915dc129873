"""Every example runs on synthetic data and says what it should."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_validate_exports_example(tmp_path: Path) -> None:
    out = _run("validate_exports.py", str(tmp_path))
    assert "refused:" in out and "nhs" in out.lower()
    assert "9434765919" not in out  # the identifier never appears in any output
    assert "expected a whole number" in out
    assert "rejected_reference" not in out  # messages, not rule names, are shown
    text = "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    assert "9434765919" not in text
    assert "whose row 4" in out  # the tie to the rejected person is set aside, with reason


def test_hotspot_map_example(tmp_path: Path) -> None:
    from peermap._assets import external_references

    out = _run("hotspot_map.py", str(tmp_path))
    html = tmp_path / "northmere_hotspots.html"
    assert html.is_file() and (tmp_path / "northmere_hotspots.png").is_file()
    assert "opens offline" in out and "public map:" in out
    assert "yp-" not in out  # a public map's report names no young person
    page = html.read_text(encoding="utf-8")
    assert "yp-" not in page
    assert external_references(page) == []
