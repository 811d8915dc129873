"""docs/schema.md and peermap.schema state the same contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peermap.schema import TABLES

DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def _doc_tables() -> dict[str, list[list[str]]]:
    text = DOC.read_text(encoding="utf-8")
    out: dict[str, list[list[str]]] = {}
    for match in re.finditer(r"^### (\w+)\n\n((?:\|.*\n)+)", text, flags=re.M):
        rows = [
            [cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in match.group(2).splitlines()[2:]
        ]
        out[match.group(1)] = rows
    return out


@pytest.mark.parametrize("table", list(TABLES))
def test_doc_lists_each_column_with_required_flag_and_values(table: str) -> None:
    rows = _doc_tables()[table]
    spec = TABLES[table]
    assert [r[0].strip("`") for r in rows] == list(spec.names)
    for row, col in zip(rows, spec.columns, strict=True):
        assert row[2] == ("yes" if col.required else "no"), col.name
        values = [v.strip().strip("`") for v in row[3].split(",") if v.strip()]
        assert values == list(col.values), col.name
