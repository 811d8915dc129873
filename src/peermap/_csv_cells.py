"""CSV cells a spreadsheet reads as text: formula injection defused on write, undone on read.

A CSV file peermap writes (rejected rows, exports, pseudonymised and linked records) is
opened by analysts in Excel or LibreOffice, and its cells come from partners' records: a
cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) is run as a formula there (``=HYPERLINK("http://…/?"&A2, "open")`` sends the row
next to it away when clicked; ``=cmd|' /C …'!A0`` runs a program on older setups). So
every text cell that starts so, and is not a plain number, is written with an apostrophe
before it (OWASP's "CSV Injection" advice), so the spreadsheet shows it as text,
apostrophe and all, and runs nothing. Negative coordinates (``-0.1276``) and other
numbers are written as they are.

peermap reads its own files back (an export is another authority's input; rejected rows
are corrected and sent again), so its CSV reader undoes the mark: an apostrophe before
one of those characters is dropped. A value that itself starts with apostrophes before
one of them is written with one more, so the round trip gives back every value exactly.
A partner whose own exporter marks cells this way (many do, negative numbers included)
is read as meant, ``'-0.1276`` as ``-0.1276``.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from peermap._atomic import atomic_path

__all__ = ["defused", "undo_marks", "undo_marks_text", "write_csv"]

#: The characters a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_START = "=+-@\t\r"
_CLASS = "[=+\\-@\\t\\r]"
#: A cell a spreadsheet would run: its first character, past apostrophes, starts a formula.
_RUNS = re.compile(f"^'*{_CLASS}")
#: A cell marked on write: one apostrophe (dropped on read) before one that runs.
_MARKED = f"^'('*{_CLASS})"
_MARKED_RE = re.compile(_MARKED, re.DOTALL)
#: A plain number (what is written as it is, a minus sign and all).
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _mark(text: str) -> str:
    """Return ``text`` with an apostrophe before it when a spreadsheet would run it."""
    if _RUNS.match(text) and not _NUMBER.match(text):
        return "'" + text
    return text


def _defused_column(column: pd.Series) -> pd.Series:
    """Return the column with every cell that would run marked; numbers and others kept."""
    if not (
        pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)
    ):
        return column
    values = column.astype(object).to_numpy()
    runs = np.fromiter(
        (isinstance(v, str) and v[:1] in FORMULA_START + "'" and v != "" for v in values),
        dtype=bool,
        count=len(values),
    )
    if not runs.any():
        return column
    out = values.copy()
    for i in np.flatnonzero(runs):
        out[i] = _mark(values[i])
    return pd.Series(out, index=column.index, name=column.name, dtype=object)


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its text cells and column names safe to open in a spreadsheet.

    A cell (or column name) a spreadsheet would run as a formula gets an apostrophe
    before it; numbers, dates and every other cell are unchanged. The frame given is
    not changed.
    """
    columns = {name: _defused_column(frame[name]) for name in frame.columns}
    out = pd.DataFrame(columns, index=frame.index) if columns else frame.copy()
    out.columns = pd.Index(
        [_mark(c) if isinstance(c, str) else c for c in frame.columns], name=frame.columns.name
    )
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write ``frame`` as UTF-8 CSV, atomically, its cells defused (:func:`defused`)."""
    with atomic_path(path) as tmp:
        defused(frame).to_csv(tmp, index=index, encoding="utf-8")


def undo_marks_text(text: str) -> str:
    """Return one cell as written, read back: without the mark :func:`defused` put on it."""
    return text[1:] if _MARKED_RE.match(text) else text


def undo_marks(values: Any) -> Any:
    """Return a column of cells read from CSV, each without the mark of :func:`defused`.

    ``values`` is a sequence of ``str`` (a list, an object array, or pandas' ``str``
    array); a list comes back as a list, anything else as an object array or the
    ``str`` array it was.
    """
    if isinstance(values, pd.arrays.ArrowStringArray):
        arrow = values.__arrow_array__()
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        marked = pc.starts_with(arrow, "'")
        if not pc.any(marked).as_py():
            return values
        undone = pc.replace_substring_regex(arrow, _MARKED, "\\1")
        return pd.array(undone, dtype=values.dtype)
    if isinstance(values, list):
        return [undo_marks_text(v) if v[:1] == "'" else v for v in values]
    array = np.asarray(values, dtype=object)
    if not any(isinstance(v, str) and v[:1] == "'" for v in array):
        return values
    return np.array(
        [undo_marks_text(v) if isinstance(v, str) and v[:1] == "'" else v for v in array],
        dtype=object,
    )
