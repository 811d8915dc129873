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
import difflib
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from peermap import settings
from peermap._distinct import arrow_text, distinct, encoding, remember
from peermap._io import MAX_CELL_CHARS, RawTable
from peermap._problems import (
    EARLIEST_DATE,
    Problem,
    Severity,
    early_date_message,
    future_date_message,
)
from peermap.place_rules import all_online, place_geometry
from peermap.privacy.identifiers import is_withheld, shown_header, shown_value
from peermap.schema import (
    DERIVED,
    ColumnSpec,
    TableSpec,
    cast_column,
    normalise_column_name,
    normalise_enum_value,
)

__all__ = [
    "EARLIEST_DATE",
    "ID_CONTROL_CHARS",
    "Checker",
    "ParsedTable",
    "check_cells",
    "parse_column",
    "parse_date",
    "parse_float",
    "parse_int",
    "parse_table",
    "places_frame",
    "typed_frame",
]

#: Whole numbers longer than this many digits are refused (rule ``integer``).
MAX_INT_DIGITS = 15

_GSS = re.compile(r"^[A-Z][0-9]{8}$")
_CODE_LIKE = re.compile(r"^[A-Za-z][0-9]+$")
# Digits are ASCII only (re.ASCII): Python's int() and float() would also read
# Arabic-Indic, full-width and other digits, which no exporting system writes.
# A time may end in UTC's "Z" or an offset ("+01:00"), as systems export date-times: the
# date is read as written, in the zone the record was made in.
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    # An offset from UTC is at most 14 hours (Kiribati); +25:00 is no time zone.
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(?: ?(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?))?)?",
    re.ASCII,
)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
_INT = re.compile(r"[+-]?(\d+)(?:\.0*)?", re.ASCII)
# A date written in one of the accepted forms, whether or not the day exists.
_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
# Control characters (C0, DEL, C1): no cell holds them, except tab and line breaks in
# free text. Lone surrogates stand for bytes that were not UTF-8.
# In ids, codes, numbers and dates also the invisible format characters (zero-width
# space and joiners, soft hyphen, byte-order mark, the bidirectional overrides that show
# "yp-\u202e990000" reversed): "yp-00\u200d0099" looks like "yp-000099" and is another
# person. Written as the characters themselves: pyarrow's RE2 has no \u escape.
_FORMAT_CHARS = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
#: What no id, code, number or date holds, as the inside of a character class.
ID_CONTROL_CHARS = r"\x00-\x1f\x7f-\x9f" + _FORMAT_CHARS
_CONTROL = re.compile(f"[{ID_CONTROL_CHARS}]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A whole number in scientific notation: what a numeric cell of 16 digits or more reads
# as (peermap._io.cell_text), and what Excel writes for it in a CSV (1.23457E+19).
_FLOAT_ID = r"(?i)[+-]?[0-9](?:\.[0-9]+)?e\+?[0-9]{2,}"
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


# --------------------------------------------------------------------------- parsing


def _by_unique(values: pd.Series, parse: Callable[[str], Any]) -> pd.Series:
    """Apply ``parse`` to each distinct value once and map the results back."""
    uniques = pd.unique(values.to_numpy())
    lookup = {u: parse(u) for u in uniques}
    return values.map(lookup)


def parse_date(text: str) -> dt.date | None:
    """Read a date typed as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (a time may follow).

    Every date of every table is read here, so every date a dataset holds is one
    pandas can hold: the caller refuses those before :data:`EARLIEST_DATE`.

    Parameters
    ----------
    text : str
        The cell, stripped.

    Returns
    -------
    datetime.date or None
        ``None`` when the text is not such a date (or no such day exists).
    """
    m = _ISO_DATE.fullmatch(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _UK_DATE.fullmatch(text)
        if not m:
            return None
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    # A time after the date is read past, but it must be one (25:00 is not).
    if m[4] is not None and (int(m[4]) > 23 or int(m[5]) > 59 or int(m[6] or 0) > 59):
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    """Read a whole number of ASCII digits (``15``, ``+15``, ``15.0``), else ``None``.

    Exponents (``1e1``), other scripts' digits and more than :data:`MAX_INT_DIGITS`
    digits are not read.
    """
    m = _INT.fullmatch(text)
    if not m or len(m[1].lstrip("0")) > MAX_INT_DIGITS:
        return None
    return int(text.split(".", 1)[0])


def parse_float(text: str) -> float | None:
    """Read a finite decimal number of ASCII digits (``51.5``, ``-0.12``, ``5e5``)."""
    if not _FLOAT.fullmatch(text):
        return None
    value = float(text)
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
    """Collects problems for one table and remembers which rows have errors.

    No problem it records echoes an identifier: each value is shown as
    :func:`~peermap.privacy.identifiers.shown_value` reads it where it sits, a message
    never holds the text of a value that is withheld, and a header that looks like an
    identifier is named by its position. ``withheld`` remembers the cells shown
    withheld (row, column) -> redaction, which the rows set aside withhold too.
    """

    raw: RawTable
    spec: TableSpec
    problems: list[Problem] = field(default_factory=list)
    bad: set[Hashable] = field(default_factory=set)
    reasons: dict[Hashable, list[str]] = field(default_factory=dict)
    withheld: dict[tuple[Hashable, str], str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """Return a column's name as messages show it (``"column N"`` if identifying)."""
        return shown_header(self.raw.headers.get(name, name), self.raw.positions.get(name))

    def shown(self, value: str, column: str | None) -> str:
        """Return a cell of `column` (a normalised name) as a problem may echo it."""
        where = self.raw.headers.get(column, column) if column else ""
        return shown_value(value, table=self.spec.name, column=where)

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
            value = cast(str, values)
            shown = self.shown(value, column)
            text = message if isinstance(message, str) else message("")
            self.problems.append(
                Problem(
                    self.spec.name,
                    None,
                    col,
                    shown,
                    _withhold_in(text, value, shown),
                    self.raw.file,
                    severity,
                    rule,
                )
            )
            return
        rows = list(rows)
        vals = [values] * len(rows) if isinstance(values, str) else list(values)
        for row, value in zip(rows, vals, strict=True):
            shown = self.shown(value, column)
            text = message if isinstance(message, str) else message(value)
            text = _withhold_in(text, value, shown)
            self.problems.append(
                Problem(
                    self.spec.name,
                    row,
                    col,
                    shown,
                    text,
                    self.raw.file,
                    severity,
                    rule,
                )
            )
            if column and is_withheld(shown):
                self.withheld[(row, column)] = shown
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


def _withhold_in(message: str, value: str, shown: str) -> str:
    """Return a message with a withheld value's text replaced by its redaction.

    A message that names the cell it is about (an authority's suggestion quotes it)
    must not hold it when the value column withholds it.
    """
    if not is_withheld(shown):
        return message
    for text in {value, value.strip()}:
        if text.strip():
            message = message.replace(text, shown)
    return message


class _Distinct:
    """A column's distinct cells, and the way back from them to every row.

    Every test of a column is answered once per distinct cell (a boolean array with
    one answer per distinct value, the last for a missing cell); :meth:`flag` names
    the rows of the cells a test finds, and :meth:`rows` spreads the parsed values.
    """

    def __init__(self, cells: pd.Series) -> None:
        found = encoding(cells)
        self.cells: pd.Series | None = cells
        self.index = cells.index
        if found is not None:
            # The read's distinct values as they are (no Python strings made): and ""
            # for a missing cell (never in a raw table), read like an empty one.
            codes, size = found.codes, len(found.dictionary)
            blank = pa.array([""], found.dictionary.type)
            values = pa.concat_arrays([found.dictionary, blank]).cast(pa.large_string())
            self.values = pd.Series(pd.array(values, dtype=cells.dtype))
        else:
            codes, uniques = distinct(cells)
            size = len(uniques)
            self.values = pd.Series([*uniques, ""], dtype=cells.dtype)
        self.codes = np.where(codes < 0, size, codes)

    def mapped(self, values: pd.Series) -> _Distinct:
        """Return the same rows over other distinct values (one per distinct cell)."""
        other = object.__new__(_Distinct)
        other.index, other.codes, other.values = self.index, self.codes, values
        other.cells = None
        return other

    def rows(self, values: pd.Series) -> pd.Series:
        """Spread a result computed on the distinct cells over the rows."""
        arrow = arrow_text(values)
        if arrow is not None:
            # pyarrow takes text fast into 32-bit offsets; pandas holds it widened.
            small = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
            taken = pc.take(small.cast(pa.string()), pa.array(self.codes))
            text: Any = pd.array(taken.cast(pa.large_string()), dtype=values.dtype)
            return pd.Series(text, index=self.index)
        return pd.Series(values.array.take(self.codes), index=self.index)

    def unchanged(self, out: pa.Array, keep: npt.NDArray[np.bool_]) -> pd.Series | None:
        """Return the cells themselves if `out` (per distinct cell) is their text, kept.

        Most columns need no stripping and hold no bad cell: their parsed text is the
        text read, shared rather than copied. None when any cell read changes.
        """
        if self.cells is None or not isinstance(self.cells.array, pd.arrays.ArrowStringArray):
            return None
        used = np.zeros(len(keep), dtype=bool)
        used[self.codes] = True
        if not keep[used].all():
            return None
        read = arrow_text(self.values)
        if read is None or len(read) != len(out):
            return None
        equal = pc.equal(pc.filter(out, used), pc.filter(read, used))
        if not pc.all(equal, skip_nulls=False).as_py():
            return None
        return self.cells

    def spread(self, answers: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Spread one answer per distinct cell over the rows."""
        return answers[self.codes]

    def flag(
        self,
        check: Checker,
        answers: npt.NDArray[np.bool_],
        column: str,
        shown: npt.NDArray[np.object_],
        message: str | Callable[[str], str],
        rule: str,
    ) -> npt.NDArray[np.bool_]:
        """Record a problem for every row whose distinct cell `answers` selects.

        ``shown`` is the value to name for each distinct cell. Returns the rows' mask.
        """
        if not answers.any():
            return np.zeros(len(self.codes), dtype=bool)
        mask = answers[self.codes]
        hit = np.flatnonzero(mask)
        values = [str(shown[c]) for c in self.codes[hit]]
        check.add(self.index[hit].tolist(), column, values, message, rule)
        return mask


def _bools(values: pd.Series) -> npt.NDArray[np.bool_]:
    """Return one boolean answer per distinct cell (missing answers are False)."""
    return np.asarray(values.to_numpy(dtype=bool, na_value=False), dtype=bool)


def _arrow_bools(values: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """Return a pyarrow boolean array as numpy (missing answers are False)."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def check_cells(check: Checker, name: str, text: pd.Series, *, free_text: bool) -> pd.Series:
    """Flag cells no column may hold; return the mask of those cells.

    Bytes that were not UTF-8 (rule ``encoding``); control characters such as NUL
    (``control_character``; free text may hold tabs and line breaks); more than
    :data:`~peermap._io.MAX_CELL_CHARS` characters (``long_cell``). Each distinct
    cell is looked at once.
    """
    if text.empty:
        return pd.Series(False, index=text.index)
    d = _Distinct(text)
    bad = _bad_cells(check, name, d, d.values, free_text=free_text)
    return pd.Series(d.spread(bad), index=text.index)


def _bad_cells(
    check: Checker, name: str, d: _Distinct, values: pd.Series, *, free_text: bool
) -> npt.NDArray[np.bool_]:
    """:func:`check_cells` on the distinct (stripped) cells `values` of `d`'s rows.

    Returns one answer per distinct cell: whether it was flagged.
    """
    control = _CONTROL_IN_TEXT if free_text else _CONTROL
    arrow = arrow_text(values)
    if arrow is not None:
        # pyarrow text holds no lone surrogate; its regular expressions and lengths
        # count code points, as Python's do.
        surrogate = np.zeros(len(values), dtype=bool)
        controls = _arrow_bools(pc.match_substring_regex(arrow, control.pattern))
        long = _arrow_bools(pc.greater(pc.utf8_length(arrow), MAX_CELL_CHARS))
    else:
        texts = values.astype(object).to_numpy()
        n = len(texts)
        surrogate = np.fromiter((_SURROGATE.search(v) is not None for v in texts), bool, n)
        controls = np.fromiter((control.search(v) is not None for v in texts), bool, n)
        long = np.fromiter((len(v) > MAX_CELL_CHARS for v in texts), bool, n)
    shown = values.astype(object).to_numpy()
    bad = np.zeros(len(values), dtype=bool)
    for hit, message, rule in (
        (
            surrogate,
            "cell holds bytes that are not UTF-8 text; save the file as UTF-8",
            "encoding",
        ),
        (
            controls,
            (
                "cell holds a control character (such as NUL, shown as \\x00) that no text "
                "holds; remove it"
                if free_text
                else "cell holds a control or invisible character (such as NUL or a "
                "zero-width space, shown as \\x00, \\u200b) that no id, code, number or "
                "date holds; remove it"
            ),
            "control_character",
        ),
        (
            long,
            f"cell is longer than {MAX_CELL_CHARS:,} characters",
            "long_cell",
        ),
    ):
        new = hit & ~bad
        d.flag(check, new, name, shown, message, rule)
        bad |= new
    return bad


def _text_rows(d: _Distinct, out: pd.Series, keep: npt.NDArray[np.bool_]) -> pd.Series:
    """Spread parsed text (one per distinct cell) over the rows; missing where not `keep`.

    The result keeps its dictionary encoding (one code per distinct text: stripping
    may make two cells' texts one) for the checks after parsing.
    """
    arrow = arrow_text(out)
    if arrow is None:
        return d.rows(out).where(d.spread(keep), None)
    small = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    same = d.unchanged(small, keep)
    if same is not None:
        return same
    encoded = pc.dictionary_encode(small)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    codes = np.where(keep, codes, np.int32(-1))[d.codes]
    dictionary = encoded.dictionary.cast(pa.string())
    taken = pc.take(dictionary, pa.array(codes, mask=codes < 0))
    series = pd.Series(pd.array(taken.cast(pa.large_string()), dtype=out.dtype), index=d.index)
    remember(series, codes, dictionary)
    return series


def _composed(values: pd.Series) -> pd.Series:
    """Return ids with their accents composed (Unicode NFC): :func:`peermap.schema.composed_id`.

    ``yp-é001`` typed on one system (``e`` + a combining accent: NFD, as macOS file
    names and some web forms give it) and on another (``é``: NFC) looks the same and is
    one young person; read raw, the two were two people and a sighting naming the one
    "no such person". Ids all in ASCII (nearly all) are returned as they are.
    """
    arrow = arrow_text(values)
    if arrow is not None and pc.all(pc.string_is_ascii(arrow)).as_py() is not False:
        return values
    return values.str.normalize("NFC")


def parse_column(check: Checker, spec: ColumnSpec, cells: pd.Series) -> pd.Series:
    """Parse one column, flagging bad cells; returns parsed values (NA where bad/empty).

    Every test runs once per distinct cell, and its answer is spread over the rows.
    """
    d = _Distinct(cells)
    raw = d.values.astype(object).to_numpy()
    utext = d.values.str.strip()
    empty = _bools(utext == "")
    name = spec.name
    if spec.required:
        d.flag(check, empty, name, raw, f"'{name}' is required ({spec.description})", "required")
    filled = ~empty & ~_bad_cells(check, name, d, utext, free_text=spec.type == "text")
    if spec.type == "id":
        # An id typed into Excel as a number of 16 digits or more: Excel keeps 15 of
        # them, and the cell reads back as 1.234567890123457e+19, another id (or the
        # same as another's).
        lost = filled & _bools(utext.str.fullmatch(_FLOAT_ID))
        d.flag(
            check,
            lost,
            name,
            raw,
            "the id was stored as a number too long for a spreadsheet (it keeps 15 digits "
            "and shows the rest as an exponent), so the id is lost; format the column as "
            "Text and type the ids again",
            "number_id",
        )
        filled = filled & ~lost
    if spec.type in ("id", "text", "authority"):
        out = _composed(utext) if spec.type == "id" else utext
        if spec.type == "authority":
            upper = utext.str.upper()
            gss = _bools(upper.str.match(_GSS))
            code_like = _bools(utext.str.match(_CODE_LIKE)) & ~gss
            d.flag(
                check,
                filled & code_like,
                name,
                raw,
                "looks like a GSS code but is not one: a GSS code is a letter and 8 digits, "
                "such as E09000007",
                "authority_code",
            )
            out = utext.where(~gss, upper)
        return _text_rows(d, out, filled)
    if spec.type == "enum":
        allowed = spec.values
        parsed_u = _by_unique(utext, lambda v: normalise_enum_value(v, allowed=allowed))
        bad = filled & ~_bools(parsed_u.isin(allowed))
        d.flag(check, bad, name, raw, f"expected one of: {', '.join(allowed)}", "enum")
        kept = arrow_text(parsed_u)
        same = None if kept is None else d.unchanged(kept, filled & ~bad)
        if same is not None:
            return same
        return d.rows(parsed_u).where(d.spread(filled & ~bad), None)
    if spec.type == "int":
        parsed_u = _by_unique(utext, parse_int)
        missing = _bools(parsed_u.isna())
        digits = _bools(utext.str.fullmatch(_INT))
        d.flag(
            check,
            filled & missing & ~digits,
            name,
            raw,
            "expected a whole number written in the digits 0-9",
            "integer",
        )
        d.flag(
            check,
            filled & missing & digits,
            name,
            raw,
            f"whole number too large (more than {MAX_INT_DIGITS} digits)",
            "integer",
        )
        return d.rows(parsed_u).where(d.spread(filled), None)
    if spec.type in ("float", "bool"):
        if spec.type == "float":
            parsed_u = _by_unique(utext, parse_float)
            message = "expected a number written in the digits 0-9 (such as 51.53 or -0.12)"
            rule = "number"
        else:
            parsed_u = _by_unique(utext, _parse_bool)
            message = "expected true or false (also yes/no, y/n, 1/0)"
            rule = "boolean"
        d.flag(check, filled & _bools(parsed_u.isna()), name, raw, message, rule)
        return d.rows(parsed_u).where(d.spread(filled), None)
    if spec.type == "date":
        dates_u = _by_unique(utext, parse_date)
        read = filled & ~_bools(dates_u.isna())
        shaped = _bools(utext.str.strip().str.fullmatch(_DATE_SHAPE))
        d.flag(
            check,
            filled & ~read & ~shaped,
            name,
            raw,
            "expected a date as YYYY-MM-DD or DD/MM/YYYY",
            "date",
        )
        d.flag(
            check,
            filled & ~read & shaped,
            name,
            raw,
            "no such day in the calendar (the form is right: check the day and the month)",
            "date",
        )
        early = read & _bools(
            dates_u.map(lambda v: v is not None and not pd.isna(v) and v < EARLIEST_DATE)
        )
        d.flag(
            check,
            early,
            name,
            raw,
            early_date_message(),
            "date_range",
        )
        today = dt.date.today()
        future = read & _bools(
            dates_u.map(lambda v: v is not None and not pd.isna(v) and v > today)
        )
        d.flag(
            check,
            future,
            name,
            raw,
            future_date_message(today),
            "future_date",
        )
        # Only dates in range go on: every one of them is a date pandas can hold.
        return d.rows(dates_u).where(d.spread(read & ~early & ~future), None)
    raise AssertionError(spec.type)  # pragma: no cover


# --------------------------------------------------------------------------- tables


@dataclass
class ParsedTable:
    """One table after parsing: parsed columns, extras, and its checker."""

    check: Checker
    columns: dict[str, pd.Series]
    extras: list[str]
    usable: bool


_SEPARATORS = {";": "semicolons", "\t": "tabs"}


def _other_separator(raw: RawTable, spec: TableSpec) -> str | None:
    """Say which separator a file uses when its header reads as schema columns run together.

    ``person_id;home_authority;age`` is what European Excel saves as "CSV": a header
    cell that splits on semicolons (or tabs) into two or more of the table's columns.
    Returns None if no header cell does.
    """
    for cell in raw.header:
        for mark, name in _SEPARATORS.items():
            parts = [normalise_column_name(part) for part in cell.split(mark)]
            if len(parts) > 1 and sum(part in spec for part in parts) >= 2:
                return name
    return None


def _meant_column(name: str, spec: TableSpec, present: set[str]) -> str | None:
    """Return the schema column a header outside the schema was likely meant to be, if any.

    Headers match ignoring case and surrounding spaces only, so ``Looked After`` or
    ``looked-after`` is an extra column: it is read as ``looked_after`` written with
    spaces, hyphens or dots as underscores, else by a close spelling.
    """
    wanted = [c.name for c in spec.columns if c.name not in present]
    key = re.sub(r"[\s.-]+", "_", name.strip().lower()).strip("_")
    if key in wanted:
        return key
    close = difflib.get_close_matches(key, wanted, n=1, cutoff=0.8)
    return close[0] if close else None


def parse_table(raw: RawTable, spec: TableSpec) -> ParsedTable:
    check = Checker(raw, spec)
    frame = raw.frame
    present = set(frame.columns)
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    separator = _other_separator(raw, spec) if missing else None
    if separator is not None:
        # One problem for the file: the rows it split wrongly (too many cells where a
        # decimal comma was read as a separator) are set aside with it, not one by one.
        said = (
            f"the file seems to be separated by {separator}, not commas: its header reads "
            "as one column; save it as comma-separated CSV (in Excel: Save As, 'CSV UTF-8 "
            "(Comma delimited)') and read it again"
        )
        check.problems.extend(p for p in raw.problems if p.row is None)
        check.add(None, None, "", said, "delimiter")
        check.bad.update([*frame.index, *raw.bad_rows])
        for row in check.bad:
            check.reasons[row] = [said]
        return ParsedTable(check, {}, [], usable=False)
    check.problems.extend(raw.problems)
    first: dict[Hashable, str] = {}  # each row's first problem, found in one pass
    for problem in raw.problems:
        if problem.row is not None:
            first.setdefault(problem.row, problem.message)
    for row in raw.bad_rows:
        check.bad.add(row)
        check.reasons.setdefault(row, []).append(first[row])
    for problem in raw.problems:
        row = problem.row
        if row is not None and problem.severity == "error" and row not in raw.bad_rows:
            check.bad.add(row)
            reason = f"{problem.column or 'row'}: {problem.message}"
            check.reasons.setdefault(row, []).append(reason)
    # A header given twice: which of its columns holds the values cannot be told, so
    # the table is not read (every row set aside) rather than one column kept unsaid.
    repeated = [p.column for p in raw.problems if p.rule == "duplicate_column"]
    why: list[str] = []
    if spec.name == "places":
        has_ll = {"lon", "lat"} <= present
        has_en = {"easting", "northing"} <= present
        for a, b in (("lon", "lat"), ("easting", "northing")):
            if (a in present) != (b in present):
                lacking = b if a in present else a
                missing.append(lacking)
        if not has_ll and not has_en and not all_online(frame):
            check.add(
                None,
                None,
                "",
                "no location columns: give 'lon' and 'lat' (WGS84) or 'easting' and "
                "'northing' (British National Grid)",
                "missing_column",
            )
            why = ["table is missing required column(s)"]
    derived = DERIVED.get(spec.name, ())
    extras = [c for c in frame.columns if c not in spec and c not in derived]
    meant = {name: _meant_column(name, spec, present) for name in extras}
    for name in missing:
        written = [check.header(h) for h, m in meant.items() if m == name]
        check.add(
            None,
            name,
            "",
            f"required column '{name}' is missing ({spec[name].description}); headers found: "
            + (", ".join(check.header(h) for h in raw.headers) or "none")
            + (f"; did you mean '{written[0]}'? name it '{name}'" if written else ""),
            "missing_column",
        )
        why = ["table is missing required column(s)"]
    if repeated:
        why.append(
            "the header repeats column(s) "
            + ", ".join(f"'{c}'" for c in repeated)
            + ": which one holds the values cannot be told"
        )
    for name in extras:
        hint = meant[name]
        check.add(
            None,
            name,
            "",
            "column is not in schema v1: kept in memory, never exported"
            + (
                f"; did you mean '{hint}'? (headers match ignoring case and surrounding "
                f"spaces only: rename it {hint})"
                if hint
                else ""
            ),
            "extra_column",
            "warning",
        )
    usable = not why
    columns: dict[str, pd.Series] = {}
    if usable:
        for col in spec.columns:
            if col.name in present:
                columns[col.name] = parse_column(check, col, frame[col.name].astype(str))
        for name in extras:
            check_cells(check, name, frame[name].astype(str).str.strip(), free_text=True)
    else:
        check.bad.update(frame.index)
        for row in frame.index:
            check.reasons.setdefault(row, []).append("; ".join(why))
    return ParsedTable(check, columns, extras, usable)


# --------------------------------------------------------------------------- frames


def _empty_columns(spec: TableSpec) -> dict[str, pd.Series]:
    return {c.name: pd.Series([], dtype=object) for c in spec.columns}


def _cast(values: pd.Series, dtype: Any) -> pd.Series:
    """:func:`~peermap.schema.cast_column`, casting each distinct value once.

    Parsed columns hold values of one Python type (text, whole numbers, booleans,
    dates) and missing values; numbers with a fraction are cast as they are.
    """
    if len(values) < 1000 or values.dtype.kind == "f" or values.dtype == dtype:
        return cast_column(values, dtype)
    if pd.api.types.infer_dtype(values, skipna=True) not in (
        "string",
        "integer",
        "date",
        "boolean",
        "empty",
    ):
        return cast_column(values, dtype)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cast = cast_column(pd.Series([*uniques, None], dtype=object), dtype)
    taken = cast.array.take(np.where(codes < 0, len(uniques), codes))
    return pd.Series(taken, index=values.index)


def typed_frame(p: ParsedTable, keep: pd.Index) -> pd.DataFrame:
    spec = p.check.spec
    cols = p.columns if p.usable else _empty_columns(spec)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        values = cols.get(col.name)
        if values is None:
            values = pd.Series(None, index=p.check.raw.frame.index, dtype=object)
        values = values.reindex(keep) if p.usable else values
        out[col.name] = _cast(values.reset_index(drop=True), col.dtype)
    frame = pd.DataFrame(out)
    if p.extras:  # kept as text, joined at once (a frame grown column by column is slow)
        raw = p.check.raw.frame
        extras = {e: raw[e].reindex(keep).astype("str").to_numpy() for e in p.extras}
        frame = pd.concat([frame, pd.DataFrame(extras, index=frame.index)], axis=1)
    return frame.reset_index(drop=True)


def places_frame(p: ParsedTable, keep: pd.Index) -> gpd.GeoDataFrame:
    frame = typed_frame(p, keep)
    geometry = place_geometry(frame)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.metric_crs)
