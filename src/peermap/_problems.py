"""Problem records and the validation report (re-exported by :mod:`peermap.validation`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Hashable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

__all__ = [
    "EARLIEST_DATE",
    "WITHHELD",
    "Problem",
    "ValidationReport",
    "early_date_message",
    "future_date_message",
]

#: Dates before this are refused (rule ``date_range``): a year typed short (``24``)
#: or wrong (``1066``), never a date of these records. Here, below the CSV and
#: Parquet readers, so that both tell such a date alike.
EARLIEST_DATE = dt.date(1900, 1, 1)


def early_date_message() -> str:
    """Return what a date before :data:`EARLIEST_DATE` is told (rule ``date_range``)."""
    return (
        f"date before {EARLIEST_DATE.year}: check the year (write all four digits, "
        "such as 24/02/2024)"
    )


def future_date_message(today: dt.date) -> str:
    """Return what a date after ``today`` is told (rule ``future_date``)."""
    return f"date is in the future (today is {today.isoformat()})"


Severity = Literal["error", "warning"]

#: Shown in place of a value that must not be echoed (an identifier, for example).
WITHHELD = "<withheld>"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in the input.

    Attributes
    ----------
    table : str
        Schema table (``people``, ``places``, ``ties``, ``sightings``, ``relocations``).
    row : int or None
        Row number as the user sees it: the spreadsheet row for CSV and Excel (the
        header is row 1, the first record row 2), the 1-based record number for
        Parquet, the index label for an in-memory frame (its position, from 0, when
        the labels cannot name rows: repeated, missing, of several levels, or looking
        like identifying data). ``None`` for a problem
        with the table as a whole (a missing column, say).
    column : str or None
        Column as named in the file, or ``None`` for a whole-row problem.
    value : str
        The cell as read (``"<withheld>"`` for identifying data).
    message : str
        What is wrong and what is expected.
    file : str
        The file (or sheet, or frame) the row came from.
    severity : {"error", "warning"}
        Errors reject the row (or the input, when strict); warnings keep it.
    rule : str
        Short name of the rule, for counting and filtering (``enum``, ``date``,
        ``unknown_person``, ...).
    """

    table: str
    row: Hashable | None
    column: str | None
    value: str
    message: str
    file: str = ""
    severity: Severity = "error"
    rule: str = ""

    def __str__(self) -> str:
        where = f"{self.file or self.table}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column and re.fullmatch(r"column \d+", self.column):
            where += f", {self.column}"  # named by position: no header to quote
        elif self.column:
            where += f", column '{self.column}'"
        # Quoted, control characters escaped; a backslash shown once (bytes that are not
        # UTF-8 are already written as \xNN in the value, and stay so).
        shown = repr(self.value).replace("\\\\", "\\")
        value = f" (value {shown})" if self.value != "" else ""
        return f"{self.severity}: {where}{value}: {self.message}"


@dataclass
class ValidationReport:
    """Every problem found while reading a dataset, and every row set aside.

    Attributes
    ----------
    problems : list of Problem
        Errors and warnings, in table then row order.
    rejected : dict of str to pandas.DataFrame
        For each table, the rows that were not accepted, verbatim as read (original
        headers, cell text unchanged), indexed by row number, with a final column
        ``rejected_because`` that sums up the reasons.
    files : dict of str to str
        Where each table was read from.
    counts : dict of str to dict of str to int
        For each table, rows ``read``, ``accepted`` and ``rejected``.
    extra_columns : dict of str to list of str
        Columns outside schema v1, kept in memory and never exported.
    """

    problems: list[Problem] = field(default_factory=list)
    rejected: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether no error was found (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def n_rejected(self) -> int:
        """Total rows rejected over all tables."""
        return sum(len(f) for f in self.rejected.values())

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def by_rule(self) -> dict[str, int]:
        """Count problems by rule name."""
        return dict(Counter(p.rule for p in self.problems))

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a table, one row per problem.

        Returns
        -------
        pandas.DataFrame
            Columns ``file``, ``table``, ``row``, ``column``, ``value``,
            ``severity``, ``rule``, ``message``.
        """
        cols = ["file", "table", "row", "column", "value", "severity", "rule", "message"]
        if not self.problems:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        return pd.DataFrame([asdict(p) for p in self.problems], columns=cols)

    def summary(self) -> str:
        """One line per table: rows read, accepted and rejected; then error/warning totals."""
        lines = []
        for table, c in self.counts.items():
            lines.append(
                f"{table:<12} {c.get('read', 0):>8} read {c.get('accepted', 0):>8} accepted"
                f" {c.get('rejected', 0):>8} rejected"
            )
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)

    def format(self, *, limit: int | None = 50) -> str:
        """Render the problems as a fixed-width table.

        Parameters
        ----------
        limit : int or None
            Show at most this many problems (``None`` for all), then a count of the rest.

        Returns
        -------
        str
            The table, or ``"no problems"``.
        """
        if not self.problems:
            return "no problems"
        shown = self.problems if limit is None else self.problems[:limit]
        rows = [("severity", "file", "row", "column", "value", "problem")]
        for p in shown:
            value = p.value if len(p.value) <= 30 else p.value[:27] + "..."
            rows.append(
                (
                    p.severity,
                    p.file or p.table,
                    "-" if p.row is None else str(p.row),
                    p.column or "-",
                    value,
                    p.message,
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        out = []
        for r in rows:
            out.append("  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5])
        out.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 7)
        if limit is not None and len(self.problems) > limit:
            out.append(f"... and {len(self.problems) - limit} more problem(s)")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.format()
