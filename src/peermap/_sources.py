"""Find the schema tables of a source: a folder of table files, a workbook, a mapping.

:func:`locate_tables` is where :func:`peermap.read_dataset` and :func:`peermap.validate`
find each table; :func:`find_table` finds one table for a command that reads one
(``peermap assign``). What is there under a table's name but cannot be read (a folder
named ``people.csv``, a link to nothing) is said as such, never taken for a table that
is absent; which sheet of a workbook holds a table is :mod:`peermap._table_files`'s.
:func:`unread_files` warns of a file in a dataset folder named like a table's that is
not read (``ties (1).csv``, ``sightings.txt``), so that its records do not vanish unsaid.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from peermap._io import SUFFIXES, TableSource
from peermap._problems import Problem
from peermap._table_files import not_a_file, sheet_tables, table_sheet, unread_sheets
from peermap.exceptions import ValidationError
from peermap.privacy.identifiers import shown_value
from peermap.schema import TABLE_ORDER, TABLES, normalise_column_name

__all__ = ["Located", "find_table", "locate_tables", "unread_files"]

#: Table name -> (source, sheet name or None).
Located = dict[str, tuple[TableSource, str | None]]


def _folder_tables(path: Path) -> Located:
    """Return the table files of a dataset folder; a table's name on no file is refused."""
    files: dict[str, list[Path]] = {}
    unreadable: list[str] = []
    for child in sorted(path.iterdir()):
        stem = normalise_column_name(child.stem)
        if child.suffix.lower() not in SUFFIXES or stem not in TABLES:
            continue
        what = not_a_file(child)
        if what is None:
            files.setdefault(stem, []).append(child)
        else:
            unreadable.append(f"{child.name} {what}, so the {stem} table cannot be read from it")
    if unreadable:
        raise ValidationError(
            f"{path}: " + "; ".join(unreadable) + ". Put the table's file under that name, "
            "or remove what is there"
        )
    for name, paths in files.items():
        if len(paths) > 1:
            raise ValidationError(
                f"{path}: table '{name}' is given twice ("
                + ", ".join(p.name for p in paths)
                + "); keep one"
            )
    return {name: (paths[0], None) for name, paths in files.items()}


#: After a table's name, an extension a table may be saved with, anywhere in the rest of
#: a file's name (``ties (1).csv``, ``People.CSV.bak``, ``people_old.xlsx``): a file
#: named so is a table that is not read. ``places_boundaries.geojson`` is not one.
_TABLE_LIKE = re.compile(r".*\.(csv|tsv|tab|txt|xlsx|xlsm|xls|ods|parquet|pq)\b.*")


def unread_files(
    source: str | os.PathLike[str] | Mapping[str, TableSource], located: Located
) -> list[Problem]:
    """Warn of each file in a dataset folder named like a table's that is not read.

    A table is read from ``<table>.csv``, ``.xlsx`` or ``.parquet`` only. A file whose
    name is a table's with another extension (``sightings.txt``, ``relocations.tsv``), or
    a table's followed by other characters and a table's extension (``ties (1).csv`` as a
    browser saves a second download, ``People.CSV.bak``), would otherwise be passed over
    without a word and its records be absent from the dataset.

    Parameters
    ----------
    source : path or mapping
        The dataset's source; only a folder is looked into.
    located : dict
        The tables found in it (:func:`locate_tables`): their files are read.

    Returns
    -------
    list of Problem
        One warning (rule ``unread_file``) per such file, naming it and the files the
        table would be read from; none for a source that is not a folder.
    """
    problems = _unread_sheets(located)
    if isinstance(source, Mapping) or not Path(source).is_dir():
        return problems
    folder = Path(source)
    read = {Path(src).name for src, _ in located.values() if isinstance(src, str | os.PathLike)}
    for child in sorted(folder.iterdir()):
        if child.name in read or child.is_dir():
            continue
        name = child.name.strip().lower()
        stem = normalise_column_name(child.stem)
        tables = [t for t in TABLE_ORDER if name.startswith(t)]
        if not tables:
            continue
        table = max(tables, key=len)
        if stem != table and not _TABLE_LIKE.fullmatch(name[len(table) :]):
            continue
        shown = shown_value(child.name)
        if table in located:
            where = (
                f"the {table} table is read from {Path(str(located[table][0])).name} only; "
                f"copy any {table} records it holds there"
            )
        else:
            names = [f"{table}{suffix}" for suffix in SUFFIXES]
            where = (
                f"a table is read from {', '.join(names[:-1])} or {names[-1]}; if it "
                f"holds the {table} table, give it one of these names"
            )
        problems.append(_unread(table, f"{shown} is not read: {where}", child))
    return sorted(problems, key=lambda p: TABLE_ORDER.index(p.table))


def _unread_sheets(located: Located) -> list[Problem]:
    """Warn of each sheet of a workbook read that holds a table's records and is not read.

    Excel names a copied sheet ``sightings (2)``; records pasted into a ``Sheet1`` beside
    ``people`` are another table's: either would be passed over without a word.
    """
    read: dict[Path, list[str | None]] = {}
    for table, (src, sheet) in located.items():
        if not isinstance(src, str | os.PathLike) or Path(src).suffix.lower() != ".xlsx":
            continue
        path = Path(src)
        if sheet is None and read.get(path) is None:
            try:
                sheet = table_sheet(path, table)
            except ValidationError:  # said when the table is read
                continue
        read.setdefault(path, []).append(sheet)
    problems: list[Problem] = []
    for path, sheets in read.items():
        try:
            unread = unread_sheets(path, sheets)
        except ValidationError:  # a damaged workbook: said when its tables are read
            continue
        for sheet, table in unread:
            problems.append(
                _unread(
                    table,
                    f"sheet '{shown_value(sheet)}' is not read: it looks like {table} records, "
                    "and a table is read from the one sheet named after it; copy its "
                    "records into that sheet, or delete it",
                    path,
                )
            )
    return problems


def _unread(table: str, message: str, path: str | os.PathLike[str]) -> Problem:
    """Return the warning (rule ``unread_file``) that records in ``path`` are not read."""
    return Problem(table, None, None, "", message, str(path), "warning", "unread_file")


def _refuse_nul(path: str | os.PathLike[str], what: str) -> None:
    """Refuse a path with a NUL character in it (no file has one; the OS refuses it)."""
    text = os.fspath(path)
    if "\x00" in str(text):
        shown = str(text).replace("\x00", "\\0")
        raise ValidationError(
            f"{what}: the path '{shown}' holds a NUL character; no file is named so"
        )


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
        When people or places are missing, a table name is unknown, a folder holds a
        table twice or a table's name on a folder or a link to nothing, or a workbook
        has two sheets named after one table.
    """
    found: Located = {}
    sheets: list[str] | None = None
    if isinstance(source, Mapping):
        for name, value in source.items():
            key = normalise_column_name(name)
            if key not in TABLES:
                raise ValidationError(
                    f"unknown table '{name}'; schema v1 has " + ", ".join(TABLE_ORDER)
                )
            if isinstance(value, str | os.PathLike):
                _refuse_nul(value, f"table '{name}'")
            found[key] = (value, None)
        where = "the mapping"
    else:
        if not isinstance(source, (str, os.PathLike)):
            raise ValidationError(
                "a dataset is a folder of table files, an .xlsx workbook or a mapping of "
                f"table name to file or frame; got {type(source).__name__}"
            )
        _refuse_nul(source, "the dataset")
        path = Path(source)
        where = str(path)
        what = not_a_file(path)
        if what is not None and what.startswith("cannot be read"):
            raise ValidationError(f"{path}: {what}")
        if path.is_dir():
            found = _folder_tables(path)
        elif path.is_file() and path.suffix.lower() == ".xlsx":
            by_table, sheets = sheet_tables(path)
            found = {table: (path, sheet) for table, sheet in by_table.items()}
        elif path.is_file():
            raise ValidationError(
                f"{path}: a dataset is a folder of table files, an .xlsx workbook with one "
                "sheet per table, or a mapping of table name to file; to read a single table "
                "pass {'people': path, ...}"
            )
        else:
            raise ValidationError(f"{path}: no such file or folder")
    missing = [t for t in TABLE_ORDER if t not in found and not TABLES[t].optional_table]
    if missing and sheets is not None:
        raise ValidationError(
            f"{where}: required table(s) missing: "
            + ", ".join(f"{t} (a sheet named '{t}')" for t in missing)
            + "; the workbook's sheets are "
            + (", ".join(f"'{shown_value(s)}'" for s in sheets) or "none")
        )
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
        A table file (``.csv``, ``.xlsx``, ``.parquet``; a workbook is read from its
        sheet named after the table, else its one sheet with data), or a folder holding
        ``<table>.csv`` (or ``.xlsx``, ``.parquet``).
    table : str
        The schema table, for example ``"places"``.

    Returns
    -------
    path
        The file to read (:func:`peermap._io.read_raw` says what it is if it is no file).

    Raises
    ------
    ValidationError
        When a folder holds no such table.
    FileNotFoundError
        When ``path`` does not exist.
    """
    source = Path(path)
    if source.is_dir():
        found = [p for p in sorted(source.iterdir()) if normalise_column_name(p.stem) == table]
        found = [p for p in found if p.suffix.lower() in SUFFIXES]
        if not found:
            raise ValidationError(
                f"{source}: no {', '.join(table + s for s in SUFFIXES[:-1])} or "
                f"{table}{SUFFIXES[-1]} in it"
            )
        return found[0]
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such file or folder")
    return source
