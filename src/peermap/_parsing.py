"""Parsing a raw table of record schema v1: cells to typed columns, problems recorded.

:func:`parse_table` turns a :class:`~peermap._io.RawTable` (every cell as text) into a
:class:`ParsedTable`: each schema column parsed by its type (identifiers, authority
codes, enumerations, whole numbers, numbers, booleans, dates), every bad cell recorded
as a :class:`~peermap._problems.Problem` by the table's :class:`Checker`, which also
remembers the rows with errors. :func:`typed_frame` and :func:`places_frame` build the
typed frames of the rows kept. The checks between rows and tables (duplicates,
references, places' coordinates) are :mod:`peermap.validation`'s.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from peermap import settings
from peermap._io import RawTable
from peermap._problems import Problem, Severity
from peermap.schema import DERIVED, ColumnSpec, TableSpec, cast_column, normalise_enum_value

__all__ = ["Checker", "ParsedTable", "parse_column", "parse_table", "places_frame", "typed_frame"]

_GSS = re.compile(r"^[A-Z][0-9]{8}$")
_CODE_LIKE = re.compile(r"^[A-Za-z][0-9]+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


# --------------------------------------------------------------------------- parsing


def _by_unique(values: pd.Series, parse: Callable[[str], Any]) -> pd.Series:
    """Apply ``parse`` to each distinct value once and map the results back."""
    uniques = pd.unique(values.to_numpy())
    lookup = {u: parse(u) for u in uniques}
    return values.map(lookup)


def _parse_date(text: str) -> dt.date | None:
    m = _ISO_DATE.match(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _UK_DATE.match(text)
        if not m:
            return None
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def _parse_int(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not np.isfinite(value) or not value.is_integer():
        return None
    return int(value)


def _parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _parse_bool(text: str) -> bool | None:
    key = text.lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


@dataclass
class Checker:
    """Collects problems for one table and remembers which rows have errors."""

    raw: RawTable
    spec: TableSpec
    problems: list[Problem] = field(default_factory=list)
    bad: set[Hashable] = field(default_factory=set)
    reasons: dict[Hashable, list[str]] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.raw.headers.get(name, name)

    def add(
        self,
        rows: Iterable[Hashable] | None,
        column: str | None,
        values: Iterable[str] | str,
        message: str | Callable[[str], str],
        rule: str,
        severity: Severity = "error",
    ) -> None:
        """Record one problem per row (or one for the table when ``rows`` is None)."""
        col = self.header(column) if column else None
        if rows is None:
            text = message if isinstance(message, str) else message("")
            self.problems.append(
                Problem(
                    self.spec.name,
                    None,
                    col,
                    cast(str, values),
                    text,
                    self.raw.file,
                    severity,
                    rule,
                )
            )
            return
        rows = list(rows)
        vals = [values] * len(rows) if isinstance(values, str) else list(values)
        for row, value in zip(rows, vals, strict=True):
            text = message if isinstance(message, str) else message(value)
            self.problems.append(
                Problem(self.spec.name, row, col, value, text, self.raw.file, severity, rule)
            )
            if severity == "error":
                self.bad.add(row)
                self.reasons.setdefault(row, []).append(f"{col or 'row'}: {text}")

    def flag(
        self,
        mask: pd.Series,
        column: str | None,
        values: pd.Series,
        message: str | Callable[[str], str],
        rule: str,
        severity: Severity = "error",
    ) -> None:
        """Record a problem for every row where ``mask`` is true."""
        if not mask.any():
            return
        hit = mask[mask].index
        self.add(list(hit), column, [str(v) for v in values.loc[hit]], message, rule, severity)


def parse_column(check: Checker, spec: ColumnSpec, cells: pd.Series) -> pd.Series:
    """Parse one column, flagging bad cells; returns parsed values (NA where bad/empty)."""
    text = cells.str.strip()
    empty = text == ""
    name = spec.name
    if spec.required:
        check.flag(empty, name, cells, f"'{name}' is required ({spec.description})", "required")
    filled = ~empty
    if spec.type in ("id", "text", "authority"):
        out = text.where(filled, None)
        if spec.type == "authority":
            code_like = text.str.match(_CODE_LIKE) & ~text.str.upper().str.match(_GSS)
            check.flag(
                filled & code_like,
                name,
                cells,
                "looks like a GSS code but is not one: a GSS code is a letter and 8 digits, "
                "such as E09000007",
                "authority_code",
            )
            out = out.where(~text.str.upper().str.match(_GSS), text.str.upper())
        return out
    if spec.type == "enum":
        allowed = spec.values
        parsed = _by_unique(text, lambda v: normalise_enum_value(v, allowed=allowed))
        bad = filled & ~parsed.isin(allowed)
        check.flag(bad, name, cells, f"expected one of: {', '.join(allowed)}", "enum")
        return parsed.where(filled & ~bad, None)
    if spec.type == "int":
        parsed = _by_unique(text, _parse_int)
        check.flag(filled & parsed.isna(), name, cells, "expected a whole number", "integer")
        return parsed
    if spec.type == "float":
        parsed = _by_unique(text, _parse_float)
        check.flag(filled & parsed.isna(), name, cells, "expected a number", "number")
        return parsed
    if spec.type == "bool":
        parsed = _by_unique(text, _parse_bool)
        check.flag(
            filled & parsed.isna(),
            name,
            cells,
            "expected true or false (also yes/no, y/n, 1/0)",
            "boolean",
        )
        return parsed
    if spec.type == "date":
        parsed = _by_unique(text, _parse_date)
        check.flag(
            filled & parsed.isna(),
            name,
            cells,
            "expected a date as YYYY-MM-DD or DD/MM/YYYY",
            "date",
        )
        today = dt.date.today()
        future = parsed.map(lambda d: d is not None and not pd.isna(d) and d > today)
        check.flag(
            future.astype(bool),
            name,
            cells,
            f"date is in the future (today is {today.isoformat()})",
            "future_date",
        )
        return parsed
    raise AssertionError(spec.type)  # pragma: no cover


# --------------------------------------------------------------------------- tables


@dataclass
class ParsedTable:
    """One table after parsing: parsed columns, extras, and its checker."""

    check: Checker
    columns: dict[str, pd.Series]
    extras: list[str]
    usable: bool


def parse_table(raw: RawTable, spec: TableSpec) -> ParsedTable:
    check = Checker(raw, spec)
    check.problems.extend(raw.problems)
    for row in raw.bad_rows:
        check.bad.add(row)
        check.reasons.setdefault(row, []).append(
            next(p.message for p in raw.problems if p.row == row)
        )
    frame = raw.frame
    present = set(frame.columns)
    usable = True
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    if spec.name == "places":
        has_ll = {"lon", "lat"} <= present
        has_en = {"easting", "northing"} <= present
        for a, b in (("lon", "lat"), ("easting", "northing")):
            if (a in present) != (b in present):
                lacking = b if a in present else a
                missing.append(lacking)
        if not has_ll and not has_en:
            check.add(
                None,
                None,
                "",
                "no location columns: give 'lon' and 'lat' (WGS84) or 'easting' and "
                "'northing' (British National Grid)",
                "missing_column",
            )
            usable = False
    for name in missing:
        check.add(
            None,
            name,
            "",
            f"required column '{name}' is missing ({spec[name].description}); headers found: "
            + (", ".join(raw.headers.values()) or "none"),
            "missing_column",
        )
        usable = False
    derived = DERIVED.get(spec.name, ())
    extras = [c for c in frame.columns if c not in spec and c not in derived]
    for name in extras:
        check.add(
            None,
            name,
            "",
            "column is not in schema v1: kept in memory, never exported",
            "extra_column",
            "warning",
        )
    columns: dict[str, pd.Series] = {}
    if usable:
        for col in spec.columns:
            if col.name in present:
                columns[col.name] = parse_column(check, col, frame[col.name].astype(str))
    else:
        check.bad.update(frame.index)
        for row in frame.index:
            check.reasons.setdefault(row, []).append("table is missing required column(s)")
    return ParsedTable(check, columns, extras, usable)


# --------------------------------------------------------------------------- frames


def _empty_columns(spec: TableSpec) -> dict[str, pd.Series]:
    return {c.name: pd.Series([], dtype=object) for c in spec.columns}


def typed_frame(p: ParsedTable, keep: pd.Index) -> pd.DataFrame:
    spec = p.check.spec
    cols = p.columns if p.usable else _empty_columns(spec)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        values = cols.get(col.name)
        if values is None:
            values = pd.Series(None, index=p.check.raw.frame.index, dtype=object)
        values = values.reindex(keep) if p.usable else values
        out[col.name] = cast_column(values.reset_index(drop=True), col.dtype)
    frame = pd.DataFrame(out)
    for extra in p.extras:
        frame[extra] = p.check.raw.frame[extra].reindex(keep).astype("str").to_numpy()
    return frame.reset_index(drop=True)


def places_frame(p: ParsedTable, keep: pd.Index) -> gpd.GeoDataFrame:
    frame = typed_frame(p, keep)
    geometry = gpd.points_from_xy(frame["easting"], frame["northing"], crs=settings.metric_crs)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.metric_crs)
