"""What the identifier scan reports: one finding per column, and its message.

A finding names the table, the column (or its position, when the name is itself an
identifier), the rule, the rows and how to fix it, and never the value found. Moved
from :mod:`peermap.privacy.identifiers` (its size limit), which re-exports
:class:`IdentifierFinding`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: How peermap names a column without a header ("column 7"): a position, no name.
UNNAMED_COLUMN = re.compile(r"column [0-9]+")

__all__ = [
    "DESCRIPTIONS",
    "UNNAMED_COLUMN",
    "IdentifierFinding",
    "header_finding",
    "name_finding",
    "rows_hold",
    "value_finding",
]

DESCRIPTIONS = {
    "name": "a person's name",
    "date_of_birth": "a date of birth",
    "address": "an address",
    "postcode": "a full postcode",
    "phone": "a phone number",
    "email": "an email address",
    "nhs_number": "an NHS number",
    "pupil_number": "a pupil or learner number (UPN/ULN)",
    "ni_number": "a National Insurance number",
    "vehicle_registration": "a vehicle registration",
    "social_media": "a social-media handle",
    "clk": "an encoded identity (CLK)",
}
"""What each identifier rule finds, in words (``"a phone number"``)."""


@dataclass(frozen=True)
class IdentifierFinding:
    """One column of a table that carries direct identifiers.

    Attributes
    ----------
    table : str
        The table, as given to :func:`find_identifiers`.
    column : str
        The column name; or ``"column N"`` (1-based position) when the name itself
        looks like an identifier and is withheld.
    rule : str
        What was found, one of :data:`IDENTIFIER_RULES`.
    kind : {"column_name", "value"}
        ``"column_name"``: the column's name says it holds identifiers;
        ``"value"``: some values look like identifiers.
    rows : tuple
        Index labels of the offending rows: for ``"value"``, the rows whose value
        matches the rule; for ``"column_name"``, the rows holding non-empty values
        that are not pseudonyms.
    message : str
        Says the table, column, rule, how many rows and how to fix it. Never
        contains an offending value.
    """

    table: str
    column: str
    rule: str
    kind: Literal["column_name", "value"]
    rows: tuple[Hashable, ...]
    message: str


_ROWS_SHOWN = 5


def rows_hold(rows: tuple[Hashable, ...]) -> str:
    """``"1 row (row 7) holds"`` / ``"3 rows (rows 2, 5, 9) hold"``."""
    count = len(rows)
    noun, verb = ("row", "holds") if count == 1 else ("rows", "hold")
    shown = rows[:_ROWS_SHOWN]
    if not all(isinstance(r, int | np.integer) and not isinstance(r, bool) for r in shown):
        # Only row numbers are shown: an index of other labels might itself identify.
        return f"{count} {noun} {verb}"
    listed = ", ".join(str(r) for r in shown)
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return f"{count} {noun} ({noun} {listed}{more}) {verb}"


def _fix(column: str) -> str:
    return (
        f"pseudonymise it with the partnership key: peermap.pseudonymise(frame, [{column!r}], "
        "key=...) in Python, or the `peermap pseudonymise` command"
    )


def header_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...]
) -> IdentifierFinding:
    """Return the finding of a column whose name is itself an identifier (no header row)."""
    message = (
        f"table {table!r}, {column}: the column's name looks like {DESCRIPTIONS[rule]} "
        f"(rule {rule!r}), so it is not shown; {rows_hold(rows)} values. If the file has "
        "no header row, add one; otherwise rename the column."
    )
    return IdentifierFinding(table, column, rule, "column_name", rows, message)


def name_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...]
) -> IdentifierFinding:
    """Return the finding of a column named as identifiers, its values not pseudonyms."""
    message = (
        f"table {table!r}, column {column!r}: the column name looks like "
        f"{DESCRIPTIONS[rule]} (rule {rule!r}) and {rows_hold(rows)} values that are not "
        f"peermap pseudonyms. Remove the column, or {_fix(column)}."
    )
    return IdentifierFinding(table, column, rule, "column_name", rows, message)


def value_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...], *, name_withheld: bool
) -> IdentifierFinding:
    """Return the finding of a column some of whose values look like identifiers."""
    partial = {
        "postcode": " (a partial postcode, such as the district, is allowed)",
        "address": " (a street without the house number is allowed, and in a place's label "
        "a venue's own address next to its name)",
        "date_of_birth": " (an age in years is allowed)",
    }.get(rule, "")
    if name_withheld:
        where = f"table {table!r}, {column}"
        fix = (
            f"Remove it from those cells{partial}; first add a header row to the file, or "
            "rename the column, as its name also looks like an identifier."
        )
    elif UNNAMED_COLUMN.fullmatch(column):
        # A cell under a blank header, or beyond the last (a ragged row): no column to
        # pseudonymise by name.
        where = f"table {table!r}, {column}"
        fix = (
            f"Remove it from those cells{partial}. The column has no name in the file: a "
            "blank header, or cells beyond the last one (check those rows for an unquoted "
            "comma)."
        )
    else:
        where = f"table {table!r}, column {column!r}"
        fix = (
            f"Remove it from those cells{partial}, remove the column, or, if the column holds "
            f"identifiers, {_fix(column)}."
        )
    message = (
        f"{where}: {rows_hold(rows)} text that looks like {DESCRIPTIONS[rule]} "
        f"(rule {rule!r}). {fix}"
    )
    return IdentifierFinding(table, column, rule, "value", rows, message)
