"""docs/synthetic.md quotes the constants of peermap.synthetic as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peermap import synthetic

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "synthetic.md"
SOURCE = REPO / "src" / "peermap" / "synthetic" / "constants.py"


def _constants() -> list[str]:
    """Names assigned in the constants module, in order."""
    text = SOURCE.read_text(encoding="utf-8")
    names: list[str] = []
    for line in text.splitlines():
        m = re.match(r"([A-Z][A-Z0-9_]*(?:, [A-Z][A-Z0-9_]*)*)(?:: Final)? =", line)
        if m:
            names += m.group(1).split(", ")
    return names


def _table() -> dict[str, str]:
    """The rows of the "All the constants" table: name -> value as quoted."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## All the constants", 1)[1]
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \| `(.+?)` \|", section, flags=re.M)
    return dict(rows)


def test_the_parameters_block_is_found() -> None:
    names = _constants()
    assert len(names) > 50
    for name in ("COUNTY_LINE_KM", "TRAP_REACH_KM", "BACKGROUND_EXPLOITER_SHARE", "DECOY_CYCLE"):
        assert name in names


@pytest.mark.parametrize("name", _constants())
def test_every_constant_is_in_the_docs_table_with_its_value(name: str) -> None:
    table = _table()
    assert name in table, f"{name} is missing from the table in docs/synthetic.md"
    assert table[name] == repr(getattr(synthetic, name)), name


def test_the_docs_table_names_no_constant_that_is_gone() -> None:
    assert set(_table()) == set(_constants())
