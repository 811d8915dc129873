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


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start : end if end >= 0 else None]


@pytest.mark.parametrize("table", [t for t in TABLES if TABLES[t].foreign_keys])
def test_doc_states_each_foreign_key(table: str) -> None:
    rules = _section("### Rules beyond the columns")
    row = next(line for line in rules.splitlines() if line.startswith(f"| {table} |"))
    assert "in the dataset" in row
    for fk in TABLES[table].foreign_keys:
        assert f"`{fk.column}`" in row, fk


def test_doc_lists_every_dtype() -> None:
    memory = _section("## In memory")
    for spec in TABLES.values():
        for column in spec.columns:
            assert f"`{column.dtype}`" in memory, (spec.name, column.name)
