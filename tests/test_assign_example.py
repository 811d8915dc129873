"""examples/assign_places.py runs on the real ONS file and says what a user relies on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "assign_places.py"


def test_assign_places_example_on_the_2013_file(lad_2013_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), str(lad_2013_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()}
    assert "E09000007" in rows["kings_cross"] and "within" in rows["kings_cross"]
    assert "E09000008" in rows["east_croydon"]
    assert "outside" in rows["north_sea"]
    assert "Islington" in out.split("Camden borders:")[1]
    assert "Croydon" not in out.split("Camden borders:")[1]
    assert "Office for National Statistics" in out
