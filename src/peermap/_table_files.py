"""Open the files tables are read from: say what a path is, open workbooks, choose sheets.

:func:`not_a_file` says in words what a path named as a table file is when it is no
file to read (a folder, a link to nothing), so that a message says so instead of "no
such file" or "table missing". :func:`open_workbook` opens an ``.xlsx`` workbook and
turns whatever a damaged one raises into a :class:`~peermap.ValidationError` naming it.
Which sheet holds a table is decided here, for both kinds of workbook:

- a **dataset workbook** (:func:`sheet_tables`) has a sheet per table, named after the
  table (case and surrounding spaces ignored); two sheets that name one table are
  refused, naming both, since either could be the one meant;
- a **workbook of one table** (``people.xlsx`` in a folder, ``peermap assign
  places.xlsx``; :func:`table_sheet`) is read from its sheet named after the table, or
  else from its one sheet that holds anything: an empty ``Sheet1`` does not hide the
  data on the next sheet, and several sheets with data and none named after the table
  are refused, naming them.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from peermap._optional import require
from peermap._problems import Problem
from peermap.exceptions import MissingDependencyError, ValidationError
from peermap.privacy.identifiers import shown_value
from peermap.schema import TABLES, normalise_column_name

__all__ = [
    "merged_ranges",
    "merged_warning",
    "not_a_file",
    "open_workbook",
    "sheet_rows",
    "sheet_tables",
    "table_sheet",
]


#: The first bytes of an OLE compound file: an encrypted workbook, or an old .xls.
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")


def not_a_file(path: Path) -> str | None:
    """Say what ``path`` is when it is not a file that can be read, or None if it is one.

    Parameters
    ----------
    path : pathlib.Path
        A path named as a table file.

    Returns
    -------
    str or None
        ``"is a folder, not a file"``, ``"is a link to nothing (...)"``, ``"is a link
        to /dev/null, which is a device, not a regular file"``, ``"is a named pipe, not
        a regular file"``, ``"no such file"`` or ``"cannot be read (...)"`` (a name the
        system cannot take: too long, say); None for a regular file (or a link to one).
    """
    try:
        return _not_a_file(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"


def _not_a_file(path: Path) -> str | None:
    if path.is_file():
        return None
    if path.is_dir():
        return "is a folder, not a file"
    kind = _special_kind(path)
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - a link that vanished meanwhile
            target = "?"
        if kind is not None:  # a link to /dev/null: it exists, it is a device
            return f"is a link to {target}, which is {kind}, not a regular file"
        return f"is a link to nothing (it points to {target}, which does not exist)"
    if kind is not None:
        return f"is {kind}, not a regular file"
    return "no such file"


def _special_kind(path: Path) -> str | None:
    """Say what an existing path that is neither file nor folder is, or None if none is."""
    try:
        mode = path.stat().st_mode  # through a link, to what it points at
    except OSError:  # nothing there (a link to nothing, a loop of links)
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "neither a file nor a folder"  # pragma: no cover - no other kind on Linux


@contextmanager
def open_workbook(path: Path, *, data_only: bool = True) -> Iterator[Any]:
    """Open an ``.xlsx`` workbook read-only; a file that is not one names itself.

    openpyxl reports a damaged or mislabelled file with whatever its zip and XML layers
    raise (``BadZipFile``, ``KeyError``, ``ValueError``, ...): every such failure, while
    opening or while reading rows, becomes one :class:`ValidationError` naming the file.
    """
    require("openpyxl")
    from openpyxl import load_workbook

    with contextlib.suppress(OSError), path.open("rb") as handle:
        if handle.read(8) == _OLE:
            # An encrypted workbook is stored as an OLE file, as an old .xls is: saving
            # it again in Excel keeps the password.
            raise ValidationError(
                f"{path}: cannot read as an Excel workbook (.xlsx): it is password-protected "
                "(or an old .xls workbook); remove the password in Excel (File > Info > "
                "Protect Workbook > Encrypt with Password, left empty) and save it as .xlsx"
            )
    try:
        wb = load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(
            f"{path}: cannot read as an Excel workbook (.xlsx): it is not one or it is "
            f"damaged ({type(exc).__name__}: {exc}); open it in Excel and save it again"
        ) from exc
    except Exception as exc:  # openpyxl's many parse errors on a damaged workbook
        raise ValidationError(
            f"{path}: cannot read as an Excel workbook (.xlsx): it is damaged "
            f"({type(exc).__name__}: {exc}); open it in Excel and save it again"
        ) from exc
    try:
        yield wb
    except (ValidationError, MissingDependencyError):
        raise
    except Exception as exc:  # a damaged sheet fails only when its rows are read
        raise ValidationError(
            f"{path}: cannot read as an Excel workbook (.xlsx): it is damaged "
            f"({type(exc).__name__}: {exc}); open it in Excel and save it again"
        ) from exc
    finally:
        wb.close()


def sheet_rows(path: Path, sheet: str | None, *, data_only: bool) -> list[tuple[Any, ...]]:
    """Return every row of a sheet (the first when ``sheet`` is None) as cell values."""
    with open_workbook(path, data_only=data_only) as wb:
        ws = wb.worksheets[0] if sheet is None else wb[sheet]
        # A sheet's stated size counts formatted empty cells: one in the last column
        # (XFD) made every row 16,384 cells wide, minutes for a small table. Each row
        # is read as far as its own last cell (the reader pads rows to the widest).
        ws.reset_dimensions()
        with warnings.catch_warnings():
            # openpyxl warns of a date serial beyond year 9999 ("Cell C2 is marked as a
            # date but ...", naming no file) and reads it as an error value: the reader
            # reports that cell in its row, naming file, row and column.
            warnings.filterwarnings("ignore", message=r"Cell .* is marked as a date")
            return list(ws.iter_rows(values_only=True))


def _quoted(sheets: Sequence[str]) -> str:
    return ", ".join(f"'{shown_value(s)}'" for s in sheets)


def _one_sheet(path: Path, table: str, sheets: list[str]) -> str:
    """Return the one sheet named after ``table``; two or more are refused, naming them."""
    if len(sheets) > 1:
        raise ValidationError(
            f"{path}: sheets {_quoted(sheets)} are all named after the {table} table (sheet "
            "names match ignoring case and surrounding spaces), so which one to read cannot "
            "be told; keep one, or rename the others"
        )
    return sheets[0]


def sheet_tables(path: Path) -> tuple[dict[str, str], list[str]]:
    """Find the tables of a dataset workbook: a sheet per table, named after it.

    Returns
    -------
    tuple
        Table -> its sheet, for the tables present; and the name of every sheet, for
        a message that finds a table missing.

    Raises
    ------
    ValidationError
        When two sheets are named after one table, or the file is not a workbook.
    """
    with open_workbook(path) as wb:
        names = [ws.title for ws in wb.worksheets]
    by_table: dict[str, list[str]] = {}
    for name in names:
        key = normalise_column_name(name)
        if key in TABLES:
            by_table.setdefault(key, []).append(name)
    return {t: _one_sheet(path, t, s) for t, s in by_table.items()}, names


def _holds_data(ws: Any) -> bool:
    for row in ws.iter_rows(values_only=True):
        if any(v is not None and str(v).strip() for v in row):
            return True
    return False


def table_sheet(path: Path, table: str) -> str | None:
    """Choose the sheet a workbook of one table is read from.

    Parameters
    ----------
    path : pathlib.Path
        An ``.xlsx`` file holding one table.
    table : str
        The schema table it holds.

    Returns
    -------
    str or None
        The sheet named after the table; else the one sheet that holds anything (the
        visible ones first: a hidden sheet is usually a list for Excel's drop-downs);
        None for a workbook of one sheet, or of empty sheets only (its first is read).

    Raises
    ------
    ValidationError
        When two sheets are named after the table, or several hold data and none is
        named after it: which one is the table cannot be told.
    """
    with open_workbook(path) as wb:
        sheets = list(wb.worksheets)
        if len(sheets) < 2:
            return None
        named = [ws.title for ws in sheets if normalise_column_name(ws.title) == table]
        if named:
            return _one_sheet(path, table, named)
        filled = [ws for ws in sheets if _holds_data(ws)]
        visible = [ws for ws in filled if getattr(ws, "sheet_state", "visible") == "visible"]
        chosen = [ws.title for ws in (visible or filled)]
    if len(chosen) > 1:
        raise ValidationError(
            f"{path}: {len(chosen)} sheets hold data ({_quoted(chosen)}) and none is named "
            f"'{table}', so which one is the {table} table cannot be told; name that sheet "
            f"'{table}', or delete the others"
        )
    return chosen[0] if chosen else None


def _records_of(ws: Any) -> str | None:
    """Return the table a sheet's first non-empty row is the header of, if any.

    The table of the schema whose columns the row holds the most of, two at least and
    more than of any other table's: a people sheet's header holds all five of the people
    table's columns and one of the sightings'; a sheet of guidance holds none.
    """
    for row in ws.iter_rows(values_only=True, max_row=20):
        cells = {normalise_column_name(str(v)) for v in row if v is not None and str(v).strip()}
        if not cells:
            continue
        held = sorted(
            ((len(cells & set(spec.names)), t) for t, spec in TABLES.items()), reverse=True
        )
        (most, table), (second, _) = held[0], held[1]
        return table if most >= 2 and most > second else None
    return None


def unread_sheets(path: Path, read: Sequence[str | None]) -> list[tuple[str, str]]:
    """Sheets of a workbook that hold a table's records but are not read.

    Parameters
    ----------
    path : pathlib.Path
        An ``.xlsx`` file a dataset is read from.
    read : sequence of str or None
        The sheets read from it (None: its first sheet).

    Returns
    -------
    list of (str, str)
        Each visible sheet not read whose header is a table's (``sightings (2)``, as
        Excel names a copied sheet, or a ``Sheet1`` of sightings beside ``people``),
        and that table. Guidance sheets (text, whatever their name), hidden lists and
        empty sheets are passed over.
    """
    found: list[tuple[str, str]] = []
    with open_workbook(path) as wb:
        titles = [ws.title for ws in wb.worksheets]
        taken = {titles[0] if name is None else name for name in read if titles}
        for ws in wb.worksheets:
            if ws.title in taken or getattr(ws, "sheet_state", "visible") != "visible":
                continue
            # Headed as a table's: a sheet of guidance named "People notes" holds text.
            table = _records_of(ws)
            if table is not None:
                found.append((ws.title, table))
    return found


#: A merged range in a sheet's XML (``<mergeCell ref="A2:A5"/>``, any prefix).
_MERGE_CELL = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]{0,200}?\sref=[\"']"
    rb"([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})[\"']"
)
#: The longest tag worth carrying from one chunk of a sheet to the next.
_LONGEST_TAG = 256


def _sheet_member(archive: zipfile.ZipFile, sheet: str | None) -> str | None:
    """Return the zip member holding a sheet's cells (the first sheet's for None)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    entries = [e for e in book.iter() if e.tag.rpartition("}")[2] == "sheet"]
    chosen = [e for e in entries if sheet is None or e.get("name") == sheet][:1]
    if not chosen:
        return None
    rid = next((v for k, v in chosen[0].attrib.items() if k.rpartition("}")[2] == "id"), None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target") for e in rels.iter() if e.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _first_cell(ref: str) -> tuple[int, int]:
    """Order a range by its first cell: row, then column (``B2`` before ``A3``)."""
    cell = re.match(r"([A-Z]+)([0-9]+)", ref)
    assert cell is not None  # the pattern above
    column = 0
    for letter in cell.group(1):
        column = column * 26 + ord(letter) - 64
    return int(cell.group(2)), column


def merged_ranges(path: Path, sheet: str | None) -> list[str]:
    """Return the merged ranges of a sheet (``A2:A5``), in the order the file lists them.

    Excel keeps a merged range's value in its first cell only; the others read as
    blank, so a column merged down a table's rows reads as one value and blanks. Read
    from the sheet's XML (openpyxl's read-only sheets do not give them); a workbook
    this cannot read gives none (its damage is said when its rows are read).

    Parameters
    ----------
    path : pathlib.Path
        An ``.xlsx`` workbook.
    sheet : str or None
        The sheet's name (None: the first sheet).

    Returns
    -------
    list of str
        The ranges, as Excel writes them, by their first cell (row, then column).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return []
            found: list[str] = []
            tail = b""
            with archive.open(member) as handle:
                # The ranges follow the cells, in a sheet that can be hundreds of MB.
                while chunk := handle.read(1 << 20):
                    text = tail + chunk
                    ends = text.rfind(b"<")
                    # Carry an unfinished tag to the next chunk; text without one (or
                    # a tag too long to be a merged range) is not carried, so a sheet
                    # of long text is read once, not again with every chunk.
                    carry = ends >= 0 and len(text) - ends <= _LONGEST_TAG
                    whole, tail = (text[:ends], text[ends:]) if carry else (text, b"")
                    found.extend(m.decode() for m in _MERGE_CELL.findall(whole))
                found.extend(m.decode() for m in _MERGE_CELL.findall(tail))
            return sorted(found, key=_first_cell)
    except Exception:  # a hint only: a workbook this cannot read says so when read
        return []


def merged_warning(table: str, file: str, merged: Sequence[str]) -> Problem:
    """Return the warning (rule ``merged_cells``) that a sheet read has merged cells."""
    shown = ", ".join(merged[:5]) + (f" and {len(merged) - 5} more" if len(merged) > 5 else "")
    return Problem(
        table,
        None,
        None,
        "",
        f"cells {shown} are merged: Excel keeps a merged range's value in its first cell "
        "only, so the other cells read as blank (a row whose required cell is blank is "
        "rejected); unmerge them (Home > Merge & Center) and fill the value into each cell",
        file,
        "warning",
        "merged_cells",
    )
