"""Read tables as raw text, keeping the row numbers the user sees.

Every reader returns a :class:`RawTable`: a frame of ``str`` cells (``""`` when empty)
indexed by row number, with headers normalised for matching and the original headers
kept for messages and for the verbatim copy of rejected rows. Nothing is parsed or
dropped here except rows that are entirely empty (they hold no record).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import os
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from peermap._arrow_csv import (
    ArrowRecords,
    LineFeed,
    arrow_records,
    decode_text,
    runaway_quote,
    simple_plan,
    simple_records,
    utf16_text,
)
from peermap._atomic import atomic_path, write_text_atomic
from peermap._csv_cells import undo_marks, undo_marks_text
from peermap._distinct import per_distinct
from peermap._frame_labels import unusable_labels
from peermap._parquet import OutOfRange, read_parquet_frame
from peermap._problems import Problem
from peermap._table_files import merged_ranges, merged_warning, not_a_file, sheet_rows, table_sheet
from peermap.exceptions import ValidationError
from peermap.privacy.identifiers import REDACTIONS, identifier_rule, shown_header, shown_value
from peermap.schema import normalise_column_name

__all__ = [
    "MAX_CELL_CHARS",
    "SUFFIXES",
    "RawTable",
    "atomic_path",
    "cell_text",
    "padded_rows",
    "read_csv_stdlib",
    "read_raw",
    "show_bytes",
    "shown_cell",
    "write_text_atomic",
]

_PY_TEXT = pd.StringDtype("python", na_value=np.nan)

#: File types a table can be read from.
SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

TableSource = str | os.PathLike[str] | pd.DataFrame

#: Longest cell read, in characters (Excel's own limit); a longer cell rejects its row.
MAX_CELL_CHARS = 32_767


@dataclass
class RawTable:
    """A table as read, before any parsing.

    Attributes
    ----------
    table : str
        Schema table name.
    file : str
        Where it came from, as shown in messages.
    frame : pandas.DataFrame
        Cells as ``str`` (``""`` for empty), columns named by normalised header,
        index = row numbers as the user sees them.
    headers : dict of str to str
        Normalised header -> header as written in the file.
    problems : list of Problem
        Structural problems (ragged rows, duplicate headers, a row repeating the header,
        undecodable bytes).
    bad_rows : dict of Hashable to list of str
        Rows that could not be laid out as a record (too many cells, bytes that are not
        text, an unterminated quote, a repeat of the header), verbatim: undecodable bytes
        stay lone surrogates
        (:func:`show_bytes` writes them out).
    positions : dict of str to int
        Normalised header -> position of its cell in a row of ``bad_rows``.
    header : list of str
        The header row as written, every cell of it (blank and repeated ones too).
    unheaded : dict of int to numpy.ndarray
        Cells of the rows in ``frame`` under no usable header (a blank or repeated
        header cell), by position: they are in no column of ``frame``, and
        :meth:`cells` gives them to the identifier scan.
    """

    table: str
    file: str
    frame: pd.DataFrame
    headers: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    bad_rows: dict[Hashable, list[str]] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    unheaded: dict[int, npt.NDArray[np.object_]] = field(default_factory=dict)

    def labels(self, width: int) -> list[str]:
        """Name the first `width` cell positions of a row as messages and files do.

        A position under a header cell is named by the header as written; one under a
        blank header cell, or beyond the last, is ``"column N"`` (1-based).
        """
        return [
            self.header[i]
            if i < len(self.header) and normalise_column_name(self.header[i])
            else f"column {i + 1}"
            for i in range(width)
        ]

    def cells(self) -> pd.DataFrame:
        """Return every cell read, of every row, kept or set aside.

        Returns
        -------
        pandas.DataFrame
            One column per cell position, named by :meth:`labels` (names may repeat
            when headers do), indexed by row number: the rows of ``frame`` with the
            cells under blank or repeated headers, then the rows of ``bad_rows``
            (the cells beyond the header included). This is what the identifier
            scan reads: a value set aside is still a value that was given.
        """
        if not self.unheaded and not self.bad_rows:
            if len(self.header) <= self.frame.shape[1]:
                return self.frame.rename(columns=self.headers)
            # A blank or repeated header cell with nothing under it keeps its place
            # (empty), so a column is "column N" by its position in the file, as in
            # every other message.
            blank_column = pd.Series("", index=self.frame.index, dtype="str")
            at = {i: self.frame[name] for name, i in self.positions.items()}
            every = [at.get(i, blank_column) for i in range(len(self.header))]
            grid = pd.concat(every, axis=1, ignore_index=True)
            grid.columns = self.labels(len(self.header))
            grid.index.name = self.frame.index.name
            return grid
        width = max([len(self.header), *(len(c) for c in self.bad_rows.values())])
        n = len(self.frame)
        by_position = {i: self.frame[name].to_numpy() for name, i in self.positions.items()}
        by_position.update(self.unheaded)
        # One block of objects, filled column by column and row by row: a ragged line
        # of 100,000 cells is 100,000 columns, which a frame built per column pays for.
        block = np.full((n, width), "", dtype=object)
        for i, values in by_position.items():
            block[:, i] = values
        if self.bad_rows:
            block = np.vstack([block, padded_rows(list(self.bad_rows.values()), width)])
        index = self.frame.index.append(pd.Index(list(self.bad_rows)))
        grid = pd.DataFrame(block, index=index if self.bad_rows else self.frame.index, dtype=object)
        grid.columns = self.labels(width)
        grid.index.name = self.frame.index.name
        return grid


def padded_rows(rows: Sequence[list[str]], width: int) -> npt.NDArray[np.object_]:
    """Return rows of cells as one block of objects, each padded with ``""`` to `width`.

    One block, not a frame built column by column: a ragged line of 100,000 cells is
    100,000 columns.
    """
    block = np.full((len(rows), width), "", dtype=object)
    for k, cells in enumerate(rows):
        block[k, : len(cells)] = cells
    return block


def cell_text(value: Any) -> str:
    """Render a cell value from Excel, Parquet or a frame as the text a user would type.

    Parameters
    ----------
    value : Any
        A cell value (``None``, number, bool, date, datetime, text).

    Returns
    -------
    str
        ``""`` for missing values; integral floats without ``.0``; dates as ISO
        ``YYYY-MM-DD`` (datetimes at midnight likewise).
    """
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | pd.Timestamp):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        # Bytes that are not UTF-8 keep their undecodable bytes as lone surrogates, which
        # the parser reports (rule ``encoding``); never the ``b'...'`` of ``str(bytes)``.
        return bytes(value).decode("utf-8", errors="surrogateescape")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _columns(rows: list[list[str]], width: int) -> list[list[str]]:
    """Transpose rows of cells into ``width`` columns, padding short rows with ``""``."""
    return [[r[i] if i < len(r) else "" for r in rows] for i in range(width)]


def _column_text(series: pd.Series) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """Render a frame column as cell text, converting each distinct value once.

    Returns the text and a mask of the cells that hold something besides spaces.
    """
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): convert one by one
        text = np.array([cell_text(v) for v in series], dtype=object)
        return text, np.array([t.strip() != "" for t in text], dtype=bool)
    texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    filled = np.array([t.strip() != "" for t in texts], dtype=bool)
    return texts[codes], filled[codes]


def _finish(
    table: str,
    file: str,
    header: list[str],
    columns: Sequence[Sequence[str]] | Sequence[npt.NDArray[np.object_]],
    numbers: list[Hashable] | npt.NDArray[np.int64],
    problems: list[Problem],
    bad_rows: dict[Hashable, list[str]],
    *,
    marked: bool = False,
) -> RawTable:
    """Build a RawTable from a header and one sequence of cell text per column.

    A row with a value under no header (a blank header cell, or a cell beyond the last
    header) is set aside with its value named: the value cannot be placed in a column.
    ``marked`` (CSV files): the apostrophe a spreadsheet-safe writer puts before a cell
    that would run as a formula is dropped (:mod:`peermap._csv_cells`).
    """
    if marked:
        header = [undo_marks_text(h) for h in header]
        columns = [undo_marks(c) for c in columns]
        bad_rows.update({k: undo_marks(v) for k, v in bad_rows.items()})
    columns = [_text_array(c) for c in columns]
    if isinstance(numbers, np.ndarray):
        # Row numbers as an array (the fast path): the index is built from it at once,
        # and a row named in a problem is a Python int, as the stdlib path's are.
        lines: npt.NDArray[np.int64] = numbers
        row_of: Callable[[int], Hashable] = lambda j: int(lines[j])  # noqa: E731
    else:
        row_of = numbers.__getitem__
    headers: dict[str, str] = {}
    first: dict[str, int] = {}  # the position of each header
    keep: list[int] = []
    dropped: list[int] = []
    # A row that repeats the header (two exports joined into one file) is no record:
    # one problem says so, rather than a type error for each of its cells.
    stray, moved = _header_repeats(header, columns)

    def repeated(j: int, text: str) -> None:
        problems.append(Problem(table, row_of(j), None, "", text, file, rule="repeated_header"))

    for j in map(int, np.flatnonzero(stray)):
        repeated(
            j,
            "the row repeats the header (as when two exports are joined into one file): it "
            "is not a record; delete it",
        )
    if moved is not None:
        # The header again with its columns in another order: the rows after it come
        # from an export laid out that way, and read under this header their values
        # would land in the wrong columns, some of them unnoticed (a date for a date).
        after = np.arange(len(stray)) > moved
        repeated(
            moved,
            "the row is the header again with its columns in another order (as when two "
            f"exports are joined into one file): it and the {int(after.sum())} row(s) after "
            "it cannot be read under the first header; save them as a file of their own, or "
            "put their columns in the first header's order",
        )
        for j in map(int, np.flatnonzero(after)):
            repeated(
                j,
                f"follows row {row_of(moved)}, the header again in another column order: its "
                "values cannot be placed under the first header",
            )
        stray = stray | after
        stray[moved] = True
    last = max([i for i, h in enumerate(header) if normalise_column_name(h)], default=-1)
    for i, h in enumerate(header):
        name = normalise_column_name(h)
        if name == "":
            filled = _filled(columns[i])
            for j in map(int, np.flatnonzero(filled & ~stray)):
                problems.append(
                    Problem(
                        table,
                        row_of(j),
                        f"column {i + 1}",
                        shown_value(str(columns[i][j])),
                        "value beyond the last headed column; delete it or give its column a header"
                        if i > last
                        else "value under no header (the header cell of its column is "
                        "empty); give the column a header or delete the value",
                        file,
                        rule="ragged_row" if i > last else "blank_header",
                    )
                )
            stray |= filled
            dropped.append(i)
            continue
        if name in headers:
            # Headers are shown as every message shows them: "column N" for a header
            # that is itself an identifier.
            problems.append(
                Problem(
                    table,
                    None,
                    shown_header(h, i),
                    "",
                    f"column header repeats '{shown_header(headers[name], first[name])}' "
                    "(headers match ignoring case and surrounding spaces); rename or remove one",
                    file,
                    rule="duplicate_column",
                )
            )
            dropped.append(i)
            continue
        headers[name] = h
        first[name] = i
        keep.append(i)
    if stray.any():
        for j in map(int, np.flatnonzero(stray)):
            bad_rows[row_of(j)] = [str(c[j]) for c in columns]
        good = ~stray
        columns = [c[good] for c in columns]
        if isinstance(numbers, np.ndarray):
            numbers = numbers[good]
        else:
            numbers = [n for n, g in zip(numbers, good, strict=True) if g]
    data = {name: columns[i] for name, i in zip(headers, keep, strict=True)}
    frame = pd.DataFrame(data, index=pd.Index(numbers, name="row"))
    if not headers:
        frame = pd.DataFrame(index=pd.Index(numbers, name="row"))
    positions = {name: i for name, i in zip(headers, keep, strict=True)}
    unheaded = {
        i: np.asarray(columns[i], dtype=object) for i in dropped if _filled(columns[i]).any()
    }
    return RawTable(
        table, file, frame, headers, problems, bad_rows, positions, list(header), unheaded
    )


def _header_repeats(
    header: list[str], columns: Sequence[Any]
) -> tuple[npt.NDArray[np.bool_], int | None]:
    """Find the rows that are the header written again.

    Returns the mask of the rows whose every headed cell is its column's header, and
    the position of the first row that holds the same headers in another order (None
    when none does). One pass over the first headed column finds the candidates, rows
    whose cell there is one of the headers (pyarrow, for its text); each is then
    compared cell by cell, as headers match (case and spaces ignored).
    """
    n = len(columns[0]) if columns else 0
    found = np.zeros(n, dtype=bool)
    headed = [(i, normalise_column_name(h)) for i, h in enumerate(header)]
    headed = [(i, name) for i, name in headed if name]
    if len(headed) < 2 or n == 0:
        return found, None
    names = [name for _, name in headed]
    column = columns[headed[0][0]]
    if isinstance(column, pd.arrays.ArrowStringArray):
        either = "|".join(re.escape(name) for name in names)
        pattern = rf"^[\s\pZ]*(?:{either})[\s\pZ]*$"
        hits = pc.match_substring_regex(column.__arrow_array__(), pattern, ignore_case=True)
        near = np.asarray(pc.fill_null(hits, False).to_numpy(zero_copy_only=False), dtype=bool)
    else:
        wanted = set(names)
        near = per_distinct(column, lambda text: normalise_column_name(text) in wanted)
    moved: int | None = None
    for j in map(int, np.flatnonzero(near)):
        cells = [normalise_column_name(columns[k][j]) for k, _ in headed]
        if cells == names:
            found[j] = True
        elif moved is None and sorted(cells) == sorted(names):
            moved = j
    return found, moved


_SURROGATE = re.compile(r"[\udc80-\udcff]")
# Physical lines as the csv module ends them (\r\n, \n or \r), endings kept.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _read_csv(path: Path, table: str) -> RawTable:
    """Read a CSV file: well-formed lines through pyarrow, every other one as before.

    The fast path (:func:`peermap._arrow_csv.arrow_records`) gives the same rows,
    cells, row numbers and problems as :func:`read_csv_stdlib`, which reads every line
    with the stdlib ``csv`` module and remains the path of files the fast one declines
    (UTF-16, a quote left open across lines, lone carriage returns).
    """
    raw = path.read_bytes()
    if utf16_text(raw) is None:
        data = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
        plan = simple_plan(data)
        if plan is not None:
            # Read at once by pyarrow from the file itself: its bytes are let go first.
            del raw, data
            fast = simple_records(str(path), *plan, skip=1)
            if fast is not None:
                return _from_records(fast, table, str(path))
            raw = path.read_bytes()
            data = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
        fast = arrow_records(data)
        if fast is not None:
            del raw, data  # the file's bytes go before its frame is built
            return _from_records(fast, table, str(path))
    return read_csv_stdlib(path, table, raw)


def _from_records(fast: ArrowRecords, table: str, file: str) -> RawTable:
    """Build a RawTable from the fast path's records, the same as the stdlib path."""
    width = len(fast.header)
    problems: list[Problem] = []
    bad_rows: dict[Hashable, list[str]] = {}
    rows: list[list[str]] = []
    numbers: list[Hashable] = []
    for line, record in fast.others:
        _take(record, line, width, table, file, rows, numbers, problems, bad_rows)
    columns = [_text_array(c) for c in fast.columns]
    lines = fast.numbers
    if rows:
        extra = _columns(rows, width)
        columns = [
            pd.concat([pd.Series(c), pd.Series(e, dtype="str")], ignore_index=True).array
            for c, e in zip(columns, extra, strict=True)
        ]
        lines = np.concatenate([lines, np.asarray(numbers, dtype=np.int64)])
        order = np.argsort(lines, kind="stable")
        columns = [c[order] for c in columns]
        lines = lines[order]
    # Rows whose every cell is blank hold no record (as _take skips them).
    blank = ~_filled(columns[0]) if columns else np.zeros(len(lines), dtype=bool)
    for c in columns[1:]:
        if not blank.any():
            break
        blank[blank] = ~_filled(c[blank])
    if blank.any():
        columns = [c[~blank] for c in columns]
        lines = lines[~blank]
    return _finish(table, file, fast.header, columns, lines, problems, bad_rows, marked=True)


def _text_array(values: Any) -> Any:
    """Return a column of cell text as pandas' ``str`` array (pyarrow-backed if it can be).

    Text that is not valid Unicode (a lone surrogate in a frame's cell) cannot be held
    by pyarrow: such a column keeps Python strings, with the same ``str`` semantics.
    """
    try:
        return pd.array(values, dtype="str")
    except (UnicodeEncodeError, pa.ArrowException):
        return pd.array(np.asarray(values, dtype=object), dtype=_PY_TEXT)


def _filled(column: Any) -> npt.NDArray[np.bool_]:
    """Mask of the cells holding something besides spaces, testing each distinct text once.

    A cell starting with an ASCII letter or digit holds something (one pyarrow pass);
    the others are tested as Python does (``str.strip``).
    """
    if not isinstance(column, pd.arrays.ArrowStringArray) or len(column) == 0:
        return per_distinct(column, lambda u: str(u).strip() != "")
    starts = pc.match_substring_regex(column.__arrow_array__(), "^[0-9A-Za-z]")
    filled = np.asarray(pc.fill_null(starts, False).to_numpy(zero_copy_only=False), dtype=bool)
    rest = ~filled
    if rest.any():
        filled[rest] = per_distinct(column[rest], lambda u: str(u).strip() != "")
    return filled


def read_csv_stdlib(path: Path, table: str, raw: bytes | None = None) -> RawTable:
    """Read a CSV file line by line with the stdlib ``csv`` module."""
    file = str(path)
    text, encoding = decode_text(path.read_bytes() if raw is None else raw)
    problems: list[Problem] = []
    if encoding is not None:
        problems.append(
            Problem(
                table,
                None,
                None,
                "",
                f"file is {encoding} text; read as such, but save it as 'CSV UTF-8'",
                file,
                "warning",
                "encoding",
            )
        )
    # csv needs the text unsplit by str.splitlines, which also breaks on U+0085,
    # U+2028, ...: the lines are split where csv itself ends them.
    lines = _LINE.findall(text)
    if lines and not lines[-1].endswith(("\n", "\r")):
        # A quote left open in the last line then swallows a line end, as in any other.
        lines[-1] += "\n"
    bad_rows: dict[Hashable, list[str]] = {}
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[Hashable] = []
    source = LineFeed(lines, 0)
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a long cell is one bad row, not an unreadable file
    try:
        reader = csv.reader(source)
        while True:
            before = source.pos
            try:
                record = next(reader)
            except StopIteration:
                break
            line, end = before + 1, source.pos
            opens = None
            if end - before > 1 or (end == len(lines) and '"' in lines[before]):
                width = None if header is None else len(header)
                opens = runaway_quote(record, "".join(lines[before:end]), width)
            if opens is not None:
                first_line = lines[before].rstrip("\r\n")
                if header is None:
                    raise ValidationError(
                        f'{file}, row {line}: the header row has an unclosed quote ("); '
                        "remove it or close it"
                    )
                column = (
                    shown_header(header[opens], opens)
                    if opens < len(header)
                    else f"column {opens + 1}"
                )
                problems.append(
                    Problem(
                        table,
                        line,
                        column,
                        shown_cell(first_line),
                        "a quote opens in this row and is not closed on its line, so the "
                        "rows after it would be swallowed into one cell; this row is set "
                        "aside and the lines after it are read as rows (remove the stray "
                        'quote, or double a quote inside a quoted cell: "like ""this""")',
                        file,
                        rule="unterminated_quote",
                    )
                )
                bad_rows[line] = next(csv.reader([first_line]), [])
                source.pos = before + 1  # read on from the line after it
                reader = csv.reader(source)
                continue
            if header is None:
                if any(c.strip() for c in record):
                    header = record
                continue
            _take(record, line, len(header), table, file, rows, numbers, problems, bad_rows)
    except csv.Error as exc:
        raise ValidationError(
            f"{file}, row {source.pos}: cannot read as CSV ({exc}); check the quoting"
        ) from exc
    finally:
        csv.field_size_limit(limit)
    if header is None:
        return _finish(table, file, [], [], [], problems, bad_rows, marked=True)
    if any(_SURROGATE.search(h) for h in header):
        raise ValidationError(
            f"{file}, row 1: the header holds bytes that are not text in the file's encoding; "
            "save the file as 'CSV UTF-8'"
        )
    return _finish(
        table, file, header, _columns(rows, len(header)), numbers, problems, bad_rows, marked=True
    )


def _take(
    record: list[str],
    line: int,
    width: int,
    table: str,
    file: str,
    rows: list[list[str]],
    numbers: list[Hashable],
    problems: list[Problem],
    bad_rows: dict[Hashable, list[str]],
) -> None:
    """Keep one CSV record as a row, or set it aside (too many cells, not UTF-8)."""
    if not any(c.strip() for c in record):
        return
    if len(record) > width and any(c.strip() for c in record[width:]):
        bad_rows[line] = list(record)
        extra = next(i for i in range(width, len(record)) if record[i].strip())
        problems.append(
            Problem(
                table,
                line,
                f"column {extra + 1}",  # by position: it has no header
                shown_cell(",".join(record)),
                f"row has {len(record)} cells but the header has {width}; "
                "check for an unquoted comma",
                file,
                rule="ragged_row",
            )
        )
        return
    bad = [i for i, c in enumerate(record) if _SURROGATE.search(c)]
    if bad:
        problems.append(
            Problem(
                table,
                line,
                f"column {bad[0] + 1}",  # by position: the header may hold the same bytes
                shown_cell(record[bad[0]]),
                "row holds bytes that are not text in the file's encoding (a character "
                "saved in another encoding, or damaged; shown as \\xNN); save the file as "
                "'CSV UTF-8'",
                file,
                rule="encoding",
            )
        )
        bad_rows[line] = list(record)
        return
    if len(record) < width:
        # Kept (its last cells read as empty), but said: a file cut short mid-row reads
        # exactly so.
        problems.append(
            Problem(
                table,
                line,
                f"column {len(record) + 1}",  # by position: the first cell missing
                "",
                f"row has {len(record)} cells but the header has {width}; the cells after "
                f"column {len(record)} read as empty (was the file cut short?)",
                file,
                "warning",
                "short_row",
            )
        )
    rows.append(record)
    numbers.append(line)


def show_bytes(text: str) -> str:
    r"""Write the bytes of a cell that were not UTF-8 as escapes (``\xe9``).

    Parameters
    ----------
    text : str
        A cell as read, its undecodable bytes kept as lone surrogates.

    Returns
    -------
    str
        The text, each undecodable byte as ``\xNN``; other text unchanged.
    """
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def shown_cell(text: str) -> str:
    r"""Return a cell as read as a problem may echo it: :func:`shown_value` of its text.

    The identifier rules read the text as it is, where an undecodable byte is a lone
    surrogate and no letter, so ``\xfe07700 900123`` is still a phone number; what is
    shown writes the bytes as escapes (:func:`show_bytes`).
    """
    rule = identifier_rule(text)
    if rule is not None:
        return REDACTIONS[rule]
    return shown_value(show_bytes(text))


def _read_xlsx(path: Path, table: str, sheet: str | None = None) -> RawTable:
    if sheet is None:  # a workbook of one table: its sheet named so, or with data
        sheet = table_sheet(path, table)
    file = str(path) if sheet is None else f"{path} [sheet {sheet}]"
    values = sheet_rows(path, sheet, data_only=True)
    # A formula saved without its result (files written by programs that do not
    # calculate) reads as an empty cell: the formulas are read to tell them apart.
    formulas: list[tuple[Any, ...]] | None = None
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[Hashable] = []
    problems: list[Problem] = []
    for number, row in enumerate(values, start=1):
        cells = [cell_text(v) for v in row]
        if header is None and not any(c.strip() for c in cells):
            continue
        empty = [i for i, v in enumerate(row) if v is None]
        if empty:
            if formulas is None:
                formulas = sheet_rows(path, sheet, data_only=False)
            written = formulas[number - 1] if number - 1 < len(formulas) else ()
            for i in empty:
                formula = written[i] if i < len(written) else None
                if isinstance(formula, str) and formula.startswith("="):
                    column = (
                        shown_header(header[i], i)
                        if header is not None and i < len(header)
                        else None
                    )
                    problems.append(
                        Problem(
                            table,
                            number,
                            column or f"column {i + 1}",
                            shown_value(formula),
                            "cell holds a formula saved without its result (the program "
                            "that wrote the file does not calculate); open the file in "
                            "Excel and save it, or paste the values",
                            file,
                            rule="formula",
                        )
                    )
                    cells[i] = formula
        if not any(c.strip() for c in cells):
            continue
        while cells and cells[-1] == "":  # a formatted empty cell far to the right
            cells.pop()
        if header is None:
            header = cells
            continue
        rows.append(cells)
        numbers.append(number)
    if merged := merged_ranges(path, sheet):
        problems.append(merged_warning(table, file, merged))
    if header is None:
        return _finish(table, file, [], [], [], problems, {})
    # Cells beyond the header that hold values are read under blank headers.
    width = max([len(header), *(len(r) for r in rows)])
    header = header + [""] * (width - len(header))
    return _finish(table, file, header, _columns(rows, width), numbers, problems, {})


def _from_frame(
    frame: pd.DataFrame,
    table: str,
    file: str,
    numbers: list[Hashable],
    refused: Sequence[OutOfRange] = (),
) -> RawTable:
    header = [str(c) for c in frame.columns]
    converted = [_column_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    columns = [text for text, _ in converted]
    filled = np.zeros(len(frame), dtype=bool)
    for _, mask in converted:
        filled |= mask
    columns = [c[filled] for c in columns]
    kept = [n for n, f in zip(numbers, filled, strict=True) if f]
    # Bytes that are not UTF-8 (Parquet binary columns) set their row aside, as in CSV.
    undecodable = np.zeros(len(kept), dtype=bool)
    for c in columns:
        undecodable |= per_distinct(c, lambda t: _SURROGATE.search(t) is not None)
    problems: list[Problem] = []
    bad_rows: dict[Hashable, list[str]] = {}
    # Parquet dates no Python date can hold (year -1199) set their row aside, named.
    position = np.cumsum(filled) - 1
    aside = np.zeros(len(kept), dtype=bool)
    for cell in refused:
        j = int(position[cell.row])
        problems.append(
            Problem(
                table,
                kept[j],
                shown_header(header[cell.column], cell.column),
                shown_value(cell.text),
                cell.message,
                file,
                rule=cell.rule,
            )
        )
        bad_rows[kept[j]] = [str(c[j]) for c in columns]
        aside[j] = True
    for j in map(int, np.flatnonzero(undecodable)):
        i = next(i for i, c in enumerate(columns) if _SURROGATE.search(c[j]))
        problems.append(
            Problem(
                table,
                kept[j],
                shown_header(header[i], i),
                shown_cell(columns[i][j]),
                "cell holds bytes that are not UTF-8 text; write the column as UTF-8 text",
                file,
                rule="encoding",
            )
        )
        bad_rows[kept[j]] = [str(c[j]) for c in columns]
    aside |= undecodable
    if aside.any():
        columns = [c[~aside] for c in columns]
        kept = [n for n, u in zip(kept, aside, strict=True) if not u]
    return _finish(table, file, header, columns, kept, problems, bad_rows)


def read_raw(source: TableSource, table: str, *, sheet: str | None = None) -> RawTable:
    """Read one table as raw text.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A ``.csv`` (UTF-8, with or without BOM), ``.xlsx`` or ``.parquet`` file, or a frame.
    table : str
        Schema table name (for messages).
    sheet : str, optional
        Sheet of an ``.xlsx`` workbook (default: the sheet named after the table, else
        the one sheet with data: :func:`peermap._table_files.table_sheet`).

    Returns
    -------
    RawTable
        The cells as text with row numbers.

    Raises
    ------
    ValidationError
        When the file is missing (or a folder, or a link to nothing), of an unsupported
        type, or a workbook whose sheet for the table cannot be told.
    """
    if isinstance(source, pd.DataFrame):
        label = f"<{table} frame>"
        unusable = unusable_labels(source.index, table)
        if unusable is None:
            return _from_frame(source, table, label, list(source.index))
        # Labels that cannot name rows (two exports joined with pd.concat repeat them; an
        # index set on an identifying column must not be shown): rows are then named by
        # position, as in a frame with the default index.
        raw = _from_frame(source, table, label, list(range(len(source))))
        raw.problems.insert(
            0,
            Problem(
                table,
                None,
                None,
                "",
                f"the frame's index {unusable}, so its rows are named by position (0 is "
                "the first row, as frame.iloc counts); give each row its own plain label, "
                "frame.reset_index(drop=True) say, to keep these numbers",
                label,
                "warning",
                "index",
            ),
        )
        return raw
    if not isinstance(source, (str, os.PathLike)):
        raise ValidationError(
            f"table '{table}': expected a file (.csv, .xlsx or .parquet) or a DataFrame, got "
            f"{type(source).__name__}"
        )
    path = Path(source)
    what = not_a_file(path)
    if what is not None:
        said = f"{path} {what}" if what.startswith("is ") else f"{path}: {what}"
        raise ValidationError(f"{said} (table '{table}')")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table)
    if suffix == ".xlsx":
        return _read_xlsx(path, table, sheet)
    if suffix == ".parquet":
        frame, refused = read_parquet_frame(path)
        numbers: list[Hashable] = list(range(1, len(frame) + 1))
        return _from_frame(frame, table, str(path), numbers, refused)
    raise ValidationError(
        f"{path}: cannot read '{suffix}' files for table '{table}'; use one of "
        + ", ".join(SUFFIXES)
    )
