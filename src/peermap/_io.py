"""Read tables as raw text, keeping the row numbers the user sees.

Every reader returns a :class:`RawTable`: a frame of ``str`` cells (``""`` when empty)
indexed by row number, with headers normalised for matching and the original headers
kept for messages and for the verbatim copy of rejected rows. Nothing is parsed or
dropped here except rows that are entirely empty (they hold no record).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap._atomic import atomic_path, write_text_atomic
from peermap._optional import require
from peermap._problems import Problem
from peermap.exceptions import ValidationError
from peermap.schema import TABLE_ORDER, TABLES, normalise_column_name

__all__ = [
    "SUFFIXES",
    "RawTable",
    "atomic_path",
    "cell_text",
    "find_table",
    "locate_tables",
    "read_raw",
    "write_text_atomic",
]

#: File types a table can be read from.
SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

TableSource = str | os.PathLike[str] | pd.DataFrame


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
        Structural problems (ragged rows, duplicate headers, undecodable bytes).
    bad_rows : dict of Hashable to list of str
        Rows that could not be laid out as a record (too many cells), verbatim.
    """

    table: str
    file: str
    frame: pd.DataFrame
    headers: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    bad_rows: dict[Hashable, list[str]] = field(default_factory=dict)


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
    numbers: list[Hashable],
    problems: list[Problem],
    bad_rows: dict[Hashable, list[str]],
) -> RawTable:
    """Build a RawTable from a header and one sequence of cell text per column."""
    headers: dict[str, str] = {}
    keep: list[int] = []
    for i, h in enumerate(header):
        name = normalise_column_name(h)
        if name == "":
            if any(c.strip() for c in columns[i]):
                problems.append(
                    Problem(
                        table,
                        None,
                        f"column {i + 1}",
                        "",
                        "column has values but no header; give it a header or delete it",
                        file,
                        rule="blank_header",
                    )
                )
            continue
        if name in headers:
            problems.append(
                Problem(
                    table,
                    None,
                    h,
                    "",
                    f"column header repeats '{headers[name]}' (headers match ignoring case "
                    "and surrounding spaces); rename or remove one",
                    file,
                    rule="duplicate_column",
                )
            )
            continue
        headers[name] = h
        keep.append(i)
    data = {name: columns[i] for name, i in zip(headers, keep, strict=True)}
    frame = pd.DataFrame(data, index=pd.Index(numbers, name="row"), dtype=object)
    if not headers:
        frame = pd.DataFrame(index=pd.Index(numbers, name="row"))
    return RawTable(table, file, frame, headers, problems, bad_rows)


_SURROGATE = re.compile(r"[\udc80-\udcff]")


def _read_csv(path: Path, table: str) -> RawTable:
    file = str(path)
    raw = path.read_bytes()
    # Undecodable bytes survive as lone surrogates so that the row holding them can be
    # reported and set aside while every other row is read.
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    # csv needs the text unsplit: str.splitlines would also break on U+0085, U+2028, ...
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    bad_rows: dict[Hashable, list[str]] = {}
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[Hashable] = []
    start = 1
    try:
        for record in reader:
            line = start
            start = reader.line_num + 1
            if header is None:
                if not any(c.strip() for c in record):
                    continue
                header = record
                continue
            if not any(c.strip() for c in record):
                continue
            if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
                bad_rows[line] = record
                problems.append(
                    Problem(
                        table,
                        line,
                        None,
                        ",".join(record),
                        f"row has {len(record)} cells but the header has {len(header)}; "
                        "check for an unquoted comma",
                        file,
                        rule="ragged_row",
                    )
                )
                continue
            bad = [c for c in record if _SURROGATE.search(c)]
            if bad:
                problems.append(
                    Problem(
                        table,
                        line,
                        None,
                        _show_bytes(bad[0]),
                        "row is not valid UTF-8 text; save the file as 'CSV UTF-8'",
                        file,
                        rule="encoding",
                    )
                )
                bad_rows[line] = [_show_bytes(c) for c in record]
                continue
            rows.append(record)
            numbers.append(line)
    except csv.Error as exc:
        raise ValidationError(
            f"{file}, line {reader.line_num}: cannot read as CSV ({exc}); check the quoting"
        ) from exc
    if header is None:
        return _finish(table, file, [], [], [], problems, bad_rows)
    if any(_SURROGATE.search(h) for h in header):
        raise ValidationError(
            f"{file}, row 1: the header is not valid UTF-8 text; save the file as 'CSV UTF-8'"
        )
    return _finish(table, file, header, _columns(rows, len(header)), numbers, problems, bad_rows)


def _show_bytes(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def _read_xlsx(path: Path, table: str, sheet: str | None = None) -> RawTable:
    require("openpyxl")
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is None:
            ws = wb.worksheets[0]
            file = str(path)
        else:
            ws = wb[sheet]
            file = f"{path} [sheet {sheet}]"
        header: list[str] | None = None
        rows: list[list[str]] = []
        numbers: list[Hashable] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append(cells)
            numbers.append(number)
    finally:
        wb.close()
    if header is None:
        return _finish(table, file, [], [], [], [], {})
    # Trailing cells beyond the header that hold values are a ragged row.
    problems: list[Problem] = []
    bad_rows: dict[Hashable, list[str]] = {}
    good_rows: list[list[str]] = []
    good_numbers: list[Hashable] = []
    for row_number, cells in zip(numbers, rows, strict=True):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            bad_rows[row_number] = cells
            problems.append(
                Problem(
                    table,
                    row_number,
                    None,
                    ",".join(cells),
                    "row has values beyond the last headed column",
                    file,
                    rule="ragged_row",
                )
            )
        else:
            good_rows.append(cells)
            good_numbers.append(row_number)
    return _finish(
        table, file, header, _columns(good_rows, len(header)), good_numbers, problems, bad_rows
    )


def _from_frame(frame: pd.DataFrame, table: str, file: str, numbers: list[Hashable]) -> RawTable:
    header = [str(c) for c in frame.columns]
    converted = [_column_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    columns = [text for text, _ in converted]
    filled = np.zeros(len(frame), dtype=bool)
    for _, mask in converted:
        filled |= mask
    kept = [n for n, f in zip(numbers, filled, strict=True) if f]
    return _finish(table, file, header, [c[filled] for c in columns], kept, [], {})


def read_raw(source: TableSource, table: str, *, sheet: str | None = None) -> RawTable:
    """Read one table as raw text.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A ``.csv`` (UTF-8, with or without BOM), ``.xlsx`` or ``.parquet`` file, or a frame.
    table : str
        Schema table name (for messages).
    sheet : str, optional
        Sheet of an ``.xlsx`` workbook (default: the first).

    Returns
    -------
    RawTable
        The cells as text with row numbers.

    Raises
    ------
    ValidationError
        When the file is missing or of an unsupported type.
    """
    if isinstance(source, pd.DataFrame):
        label = f"<{table} frame>"
        return _from_frame(source, table, label, list(source.index))
    path = Path(source)
    if not path.is_file():
        raise ValidationError(f"{path}: no such file (table '{table}')")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table)
    if suffix == ".xlsx":
        return _read_xlsx(path, table, sheet)
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            frame = pq.read_table(path).to_pandas()
        except (pa.ArrowException, OSError, ValueError) as exc:  # every error pyarrow raises
            raise ValidationError(f"{path}: cannot read as Parquet ({exc})") from exc
        numbers: list[Hashable] = list(range(1, len(frame) + 1))
        return _from_frame(frame.reset_index(drop=True), table, str(path), numbers)
    raise ValidationError(
        f"{path}: cannot read '{suffix}' files for table '{table}'; use one of "
        + ", ".join(SUFFIXES)
    )


Located = dict[str, tuple[TableSource, str | None]]


def locate_tables(
    source: str | os.PathLike[str] | Mapping[str, TableSource],
) -> Located:
    """Find the schema tables in a folder, a workbook or a mapping.

    Parameters
    ----------
    source : path or mapping
        A folder holding ``people.csv``, ``places.csv`` and optionally ``ties``,
        ``sightings`` and ``relocations`` (each ``.csv``, ``.xlsx`` or ``.parquet``);
        an ``.xlsx`` workbook with one sheet per table, named after the table; or a
        mapping of table name to path or frame.

    Returns
    -------
    dict
        Table name -> (source, sheet name or ``None``), for the tables present.

    Raises
    ------
    ValidationError
        When people or places are missing, a table name is unknown, or a folder
        holds a table twice.
    """
    found: Located = {}
    if isinstance(source, Mapping):
        for name, value in source.items():
            key = normalise_column_name(name)
            if key not in TABLES:
                raise ValidationError(
                    f"unknown table '{name}'; schema v1 has " + ", ".join(TABLE_ORDER)
                )
            found[key] = (value, None)
        where = "the mapping"
    else:
        path = Path(source)
        where = str(path)
        if path.is_dir():
            files: dict[str, list[Path]] = {}
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() in SUFFIXES:
                    stem = normalise_column_name(child.stem)
                    if stem in TABLES:
                        files.setdefault(stem, []).append(child)
            for name, paths in files.items():
                if len(paths) > 1:
                    raise ValidationError(
                        f"{path}: table '{name}' is given twice ("
                        + ", ".join(p.name for p in paths)
                        + "); keep one"
                    )
                found[name] = (paths[0], None)
        elif path.is_file() and path.suffix.lower() == ".xlsx":
            require("openpyxl")
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            try:
                sheets = list(wb.sheetnames)
            finally:
                wb.close()
            for sheet in sheets:
                key = normalise_column_name(sheet)
                if key in TABLES:
                    found[key] = (path, sheet)
        elif path.is_file():
            raise ValidationError(
                f"{path}: a dataset is a folder of table files, an .xlsx workbook with one "
                "sheet per table, or a mapping of table name to file; to read a single table "
                "pass {'people': path, ...}"
            )
        else:
            raise ValidationError(f"{path}: no such file or folder")
    missing = [t for t in TABLE_ORDER if t not in found and not TABLES[t].optional_table]
    if missing:
        raise ValidationError(
            f"{where}: required table(s) missing: "
            + ", ".join(f"{t} ({t}.csv, .xlsx or .parquet)" for t in missing)
        )
    return found


def find_table(path: str | os.PathLike[str], table: str) -> TableSource:
    """Find one schema table in a table file, a workbook or a dataset folder.

    Parameters
    ----------
    path : str or path-like
        A table file (``.csv``, ``.xlsx``, ``.parquet``), a workbook with a sheet named
        after the table, or a folder holding ``<table>.csv`` (or ``.xlsx``, ``.parquet``).
    table : str
        The schema table, for example ``"places"``.

    Returns
    -------
    path or pandas.DataFrame
        The file to read; the sheet's rows, as text, when a workbook has a sheet named
        after the table (the first sheet of any other workbook is read as the table).

    Raises
    ------
    ValidationError
        When a folder holds no such table.
    FileNotFoundError
        When ``path`` does not exist.
    """
    source = Path(path)
    if source.is_dir():
        found = [p for p in sorted(source.iterdir()) if p.stem.lower() == table]
        found = [p for p in found if p.suffix.lower() in SUFFIXES]
        if not found:
            raise ValidationError(
                f"{source}: no {', '.join(table + s for s in SUFFIXES[:-1])} or "
                f"{table}{SUFFIXES[-1]} in it"
            )
        return found[0]
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such file or folder")
    if source.suffix.lower() == ".xlsx":
        require("openpyxl")
        from openpyxl import load_workbook

        wb = load_workbook(source, read_only=True)
        try:
            sheets = [s for s in wb.sheetnames if s.strip().lower() == table]
        finally:
            wb.close()
        if sheets:
            return read_raw(source, table, sheet=sheets[0]).frame.reset_index(drop=True)
    return source
