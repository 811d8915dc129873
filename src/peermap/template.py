"""A blank data-collection workbook for practitioners, made from record schema v1.

:func:`write_template` (``peermap template FILE.xlsx`` on the command line) writes an
Excel workbook with a ``guidance`` sheet and one sheet per table of schema v1, named
after the table, with the schema's columns as headers. Every enumerated column
(kinds, abuse contexts, sources, reliabilities, sex) has a dropdown list that refuses
any other value, taken from :mod:`peermap.schema`, so the lists can never drift from
what the reader accepts; dates, ages, coordinates and yes/no columns are checked as
they are typed too. What practitioners fill in reads back with
:func:`peermap.read_dataset` (the workbook itself is a dataset source) with no errors.

Excel checks typed values only: a value pasted into a cell is not checked, so
``peermap validate`` still reads every row before the data is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peermap import settings
from peermap._io import atomic_path
from peermap._optional import require
from peermap.exceptions import ArgumentError
from peermap.schema import SCHEMA_VERSION, TABLE_ORDER, TABLES, ColumnSpec

__all__ = ["BOOLEAN_VALUES", "GUIDANCE_SHEET", "TEMPLATE_ROWS", "template_lists", "write_template"]

#: Name of the sheet that explains the workbook (not a table: the reader ignores it).
GUIDANCE_SHEET = "guidance"
#: Name of the hidden sheet listing authority names when boundaries are given.
AUTHORITY_SHEET = "authority_list"
#: Rows (below the header) that carry the checks and formats.
TEMPLATE_ROWS = 5000
#: Values offered for true/false columns (the reader accepts these and more).
BOOLEAN_VALUES: tuple[str, ...] = ("yes", "no")
#: Longest list Excel accepts written into a validation rule (characters).
_EXCEL_LIST_LIMIT = 255
_FIRST_DATE = "DATE(2000,1,1)"

_TYPE_TEXT = {
    "id": "reference: a local reference number or pseudonym, never a name",
    "authority": "authority: GSS code (such as E09000007) or name",
    "int": "whole number",
    "float": "number",
    "enum": "one of the listed values (choose from the dropdown)",
    "date": "date, such as 2024-03-01 or 01/03/2024; not in the future",
    "bool": "yes or no",
    "text": "short text",
}

_REFUSED = (
    "names, dates of birth, addresses, full postcodes, phone numbers, email addresses, NHS "
    "numbers, pupil numbers (UPN/ULN) or National Insurance numbers"
)


def template_lists() -> dict[tuple[str, str], tuple[str, ...]]:
    """Return the dropdown values of every listed column, from :mod:`peermap.schema`.

    Returns
    -------
    dict
        ``(table, column)`` -> allowed values: every enumerated column of schema v1
        with its values, and every true/false column with :data:`BOOLEAN_VALUES`.
    """
    lists: dict[tuple[str, str], tuple[str, ...]] = {}
    for table in TABLE_ORDER:
        for col in TABLES[table].columns:
            if col.type == "enum":
                lists[(table, col.name)] = col.values
            elif col.type == "bool":
                lists[(table, col.name)] = BOOLEAN_VALUES
    return lists


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _prompt(col: ColumnSpec) -> str:
    need = "Required." if col.required else "Optional: leave empty if not known."
    text = f"{col.description[:1].upper()}{col.description[1:]}. {need}"
    return text[:255]


def _quoted_list(values: Iterable[str]) -> str:
    text = ",".join(values)
    if '"' in text or len(text) > _EXCEL_LIST_LIMIT:
        raise ValueError(f"list too long or not quotable for an Excel rule: {text[:40]}...")
    return f'"{text}"'


def _validation(col: ColumnSpec, authority_range: str | None) -> Any:
    """Build the Excel data-validation rule of one column (None: free text)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    common: dict[str, Any] = {
        "allow_blank": True,
        "showErrorMessage": True,
        "showInputMessage": True,
        "promptTitle": col.name[:32],
        "prompt": _prompt(col),
        "errorStyle": "stop",
        "errorTitle": f"Not a valid {col.name}"[:32],
    }
    if col.type == "enum":
        return DataValidation(
            type="list",
            formula1=_quoted_list(col.values),
            error=f"Choose one of: {', '.join(col.values)}."[:255],
            **common,
        )
    if col.type == "bool":
        return DataValidation(
            type="list",
            formula1=_quoted_list(BOOLEAN_VALUES),
            error="Choose yes or no.",
            **common,
        )
    if col.type == "date":
        return DataValidation(
            type="date",
            operator="between",
            formula1=_FIRST_DATE,
            formula2="TODAY()",
            error="Type a date (such as 2024-03-01 or 01/03/2024); dates in the future "
            "are not accepted.",
            **common,
        )
    if col.type == "int" and col.name == "age":
        return DataValidation(
            type="whole",
            operator="between",
            formula1="0",
            formula2="25",
            error="Type the age in whole years (10 to 18 expected).",
            **common,
        )
    if col.type == "float":
        if col.name in ("lon", "lat"):
            lo_lon, lo_lat, hi_lon, hi_lat = settings.gb_bounds_wgs84
            lo, hi = (lo_lon, hi_lon) if col.name == "lon" else (lo_lat, hi_lat)
            what = "longitude" if col.name == "lon" else "latitude"
        else:
            lo_e, lo_n, hi_e, hi_n = settings.gb_bounds_bng
            lo, hi = (lo_e, hi_e) if col.name == "easting" else (lo_n, hi_n)
            what = f"{col.name} in metres (British National Grid)"
        return DataValidation(
            type="decimal",
            operator="between",
            formula1=repr(float(lo)),
            formula2=repr(float(hi)),
            error=f"Type the {what} as a number in Great Britain ({lo:g} to {hi:g}).",
            **common,
        )
    if col.type == "authority" and authority_range is not None:
        # Names from the boundaries; a GSS code is accepted too, so Excel only warns.
        return DataValidation(
            type="list",
            formula1=authority_range,
            error="Not an authority in the list: check the spelling, or keep it if it is "
            "a GSS code.",
            **{**common, "errorStyle": "warning"},
        )
    return None


def _guidance(ws: Any, authorities: bool) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    lines: list[tuple[str, str]] = [
        ("peermap data-collection workbook", "title"),
        (f"Record schema version {SCHEMA_VERSION}", ""),
        ("", ""),
        ("What this workbook is for", "heading"),
        (
            "Recording young people (aged 10 to 18), the associations between them, the "
            "places they are seen at and their moves between authorities, so that "
            "neighbouring authorities can map peer-on-peer abuse and exploitation across "
            "borough boundaries. One sheet per table; one row per record.",
            "",
        ),
        ("", ""),
        ("Never enter", "heading"),
        (
            f"Never type {_REFUSED}. peermap refuses a workbook that holds them. Identify a "
            "young person by a local reference number only (the same one on every sheet); "
            "the analyst replaces it with a partnership pseudonym before anything is shared.",
            "",
        ),
        (
            "Place labels are short and non-identifying ('hotel near the station', not a "
            "business or street name where a home could be recognised).",
            "",
        ),
        ("", ""),
        ("How to fill it in", "heading"),
        ("Keep the sheet names and the header row as they are; add rows below.", ""),
        (
            "Columns shaded blue are required; the others are optional: leave them empty "
            "when not known.",
            "",
        ),
        (
            "Choose listed values from the dropdowns. Dates: type 2024-03-01 or 01/03/2024 "
            "(day first). Ages in whole years.",
            "",
        ),
        (
            "Every association (a tie or a sighting) says where the information came from "
            "(source) and how reliable it is (reliability: unverified, reported, "
            "corroborated, confirmed). An association is a lead, not a fact.",
            "",
        ),
        (
            "A place needs a location: lon and lat, or easting and northing (British "
            "National Grid). An online place (kind 'online': a group chat, a platform, a "
            "gaming server) has none: leave its location empty and choose its platform.",
            "",
        ),
        (
            "Never record an online place by its handle, group name or invite link: "
            "describe it ('year 9 group chat'), as for any place.",
            "",
        ),
        (
            "Excel checks values as they are typed, not values pasted in: the analyst "
            "checks every row again with 'peermap validate' before the data is used.",
            "",
        ),
    ]
    if authorities:
        lines.append(
            (
                "Authority columns offer the authorities of the boundaries as a list; a GSS "
                "code is accepted too.",
                "",
            )
        )
    lines += [("", ""), ("The columns", "heading")]
    row = 1
    for text, style in lines:
        cell = ws.cell(row=row, column=1, value=text or None)
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "heading":
            cell.font = bold
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if text and style == "":
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
            ws.row_dimensions[row].height = 15 * max(1, len(text) // 110 + 1)
        row += 1
    header = ["sheet", "column", "required", "type", "allowed values", "meaning"]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, name in enumerate(header, start=1):
        cell = ws.cell(row=row, column=i, value=name)
        cell.font = bold
        cell.fill = fill
    row += 1
    for table in TABLE_ORDER:
        spec = TABLES[table]
        for col in spec.columns:
            values = ", ".join(col.values) if col.type == "enum" else ""
            if col.type == "bool":
                values = ", ".join(BOOLEAN_VALUES)
            need = "required" if col.required else "optional"
            if spec.optional_table:
                need += " (sheet optional)"
            cells = [table, col.name, need, _TYPE_TEXT[col.type], values, col.description]
            for i, value in enumerate(cells, start=1):
                cell = ws.cell(row=row, column=i, value=value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    for letter, width in zip("ABCDEF", (14, 16, 22, 34, 48, 48), strict=True):
        ws.column_dimensions[letter].width = width


def write_template(
    path: str | os.PathLike[str],
    *,
    boundaries: Any = None,
    rows: int = TEMPLATE_ROWS,
) -> Path:
    """Write a blank data-collection workbook for schema v1, atomically.

    Parameters
    ----------
    path : str or path-like
        The workbook to write (``.xlsx``).
    boundaries : Boundaries, GeoDataFrame or path, optional
        Authority boundaries (see :func:`peermap.load_boundaries`): authority columns
        then offer the authorities' names as a list (a GSS code is still accepted,
        with a warning from Excel).
    rows : int, default 5000
        Rows below the header that carry the dropdowns, checks and formats.

    Returns
    -------
    pathlib.Path
        The workbook written.

    Raises
    ------
    ValueError
        When the file name does not end in ``.xlsx``.
    """
    require("openpyxl")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ArgumentError(f"{target}: the template is an Excel workbook; name it ....xlsx")
    if rows < 1:
        raise ArgumentError(f"rows must be at least 1, got {rows}")
    names: list[str] = []
    if boundaries is not None:
        from peermap.boundaries import Boundaries, load_boundaries

        bounds = (
            boundaries.frame if isinstance(boundaries, Boundaries) else load_boundaries(boundaries)
        )
        names = sorted(str(n) for n in bounds["name"])

    wb = Workbook()
    guide = wb.active
    guide.title = GUIDANCE_SHEET
    _guidance(guide, bool(names))

    authority_range: str | None = None
    if names:
        authority_range = f"'{AUTHORITY_SHEET}'!$A$1:$A${len(names)}"

    required_fill = PatternFill("solid", fgColor="BDD7EE")
    optional_fill = PatternFill("solid", fgColor="EDEDED")
    last = rows + 1
    for table in TABLE_ORDER:
        ws = wb.create_sheet(table)
        for i, col in enumerate(TABLES[table].columns, start=1):
            letter = _letter(i)
            cell = ws.cell(row=1, column=i, value=col.name)
            cell.font = Font(bold=True)
            cell.fill = required_fill if col.required else optional_fill
            cell.comment = Comment(
                f"{_prompt(col)}\n{_TYPE_TEXT[col.type]}", "peermap", width=260, height=110
            )
            dimension = ws.column_dimensions[letter]
            dimension.width = max(14, len(col.name) + 4)
            if col.type == "date":
                dimension.number_format = "yyyy-mm-dd"
            elif col.type in ("id", "text", "authority", "enum", "bool"):
                dimension.number_format = "@"
            rule = _validation(col, authority_range)
            if rule is not None:
                rule.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(rule)
        ws.freeze_panes = "A2"
    if names:
        ws_auth = wb.create_sheet(AUTHORITY_SHEET)
        for i, name in enumerate(names, start=1):
            cell = ws_auth.cell(row=i, column=1, value=name)
            # A name from a boundary file is text, never a formula ("=..." would run).
            cell.data_type = "s"
        ws_auth.sheet_state = "hidden"
    wb.active = 0
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
