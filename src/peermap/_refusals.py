"""Identifiers refused at the door, as problems of a read.

:func:`identifier_problems` scans every cell a table read holds (kept or set aside)
with :func:`peermap.privacy.identifiers.find_identifiers` and makes each finding's
rows problems that show the rule's redaction, never the value; :func:`withhold_refused`
shows that redaction in every other problem about the same cell, and
:func:`privacy_error` is the refusal :func:`peermap.read_dataset` raises in strict and
lenient mode alike. Moved from ``validation`` (issue 22: that module at its size limit).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

from peermap._io import RawTable
from peermap._problems import WITHHELD, Problem, ValidationReport
from peermap.exceptions import PrivacyError
from peermap.privacy.identifiers import REDACTIONS, IdentifierMemo, find_identifiers

__all__ = ["identifier_problems", "privacy_error", "withhold_refused"]


def identifier_problems(
    raw: RawTable, table: str, memo: IdentifierMemo | None = None
) -> list[Problem]:
    """Scan every cell of a table read for identifiers: one problem per row found."""
    frame = raw.cells()
    problems = []
    for f in find_identifiers(frame, table=table, memo=memo):
        rows: list[Hashable | None] = list(f.rows) or [None]
        for row in rows:
            problems.append(
                Problem(
                    table,
                    row,
                    f.column,
                    REDACTIONS.get(f.rule, WITHHELD),
                    f.message,
                    raw.file,
                    "error",
                    f.rule,
                )
            )
    return problems


def withhold_refused(problems: list[Problem], privacy: list[Problem]) -> list[Problem]:
    """Show a refused cell as its redaction in every other problem about it.

    A cell refused by its column's name (``surname``), or under a rule that the
    column's context decides, may read as harmless on its own; every problem naming
    the same file, row and column shows the identifier problem's redaction instead.
    """
    refused = {(p.file, p.row, p.column): p.value for p in privacy if p.row is not None}
    if not refused:
        return problems
    return [
        dataclasses.replace(p, value=refused[(p.file, p.row, p.column)])
        if p.value != "" and (p.file, p.row, p.column) in refused
        else p
        for p in problems
    ]


def privacy_error(problems: list[Problem]) -> PrivacyError:
    """Refuse identifiers: each offending file and column once, never the values."""
    seen: dict[tuple[str, str | None, str], str] = {}
    for p in problems:
        seen.setdefault((p.file, p.column, p.rule), p.message)
    lines = ["input refused: it carries direct identifiers (values withheld)"]
    lines += [f"  {file}: {message}" for (file, _column, _rule), message in seen.items()]
    return PrivacyError("\n".join(lines), ValidationReport(problems=list(problems)))
