"""Split a CSV file's well-formed lines with pyarrow, the rest with the stdlib csv module.

:func:`arrow_records` is the fast path of :func:`peermap._io.read_raw` for ``.csv``
files. It gives pyarrow's CSV reader only the lines that are sure to be one record of
exactly as many cells as the header, holding no quote and no byte that is not UTF-8:
for those lines the stdlib reader and pyarrow (with quoting off) read the same cells,
and a line's number is the row number the user sees. Every other line (blank, quoted,
ragged, with bad bytes) is parsed alone by the stdlib ``csv`` module, exactly as the
whole-file reader would parse it, and handed back for the same rules (``_take`` in
:mod:`peermap._io`). When a quote is not closed on its own line (a record spanning
lines, or a runaway quote) or a line ends in a lone carriage return, the answer is
``None``: the caller reads the whole file the stdlib way, as before. :func:`utf16_text`
tells UTF-16 files (which go the stdlib way) from the others.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = [
    "ArrowRecords",
    "LineFeed",
    "arrow_records",
    "decode_text",
    "runaway_quote",
    "simple_plan",
    "simple_records",
    "utf16_text",
]

_SURROGATE = re.compile(r"[\udc80-\udcff]")
_NEWLINE, _RETURN, _QUOTE, _COMMA = 10, 13, 34, 44


@dataclass
class ArrowRecords:
    """The records of a CSV file, split by the fast path.

    Attributes
    ----------
    header : list of str
        The header row's cells.
    header_line : int
        Its line number (1-based).
    columns : list of pyarrow.ChunkedArray
        One string column per header cell, for the lines pyarrow read.
    numbers : numpy.ndarray
        The line number of each of those rows.
    others : list of (int, list of str)
        Every other line after the header that is not empty, with its number and its
        cells as the stdlib ``csv`` module reads them (undecodable bytes as lone
        surrogates), for the caller's rules.
    """

    header: list[str]
    header_line: int
    columns: list[pa.ChunkedArray]
    numbers: npt.NDArray[np.int64]
    others: list[tuple[int, list[str]]] = field(default_factory=list)


def _damaged_utf16(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: a damaged UTF-16 character as the lone surrogates of its bytes.

    An unpaired surrogate (a character cut in two by an editor) or a last byte left
    alone is kept as the surrogate escapes of its bytes from 0x80 up (``\udcd8``), as
    undecodable UTF-8 bytes are, so that only the row holding it is set aside, saying
    so, and every other row is read.
    """
    if not isinstance(error, UnicodeDecodeError):  # pragma: no cover - decoding only
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + b) for b in bad if b >= 0x80) or "\udc80", error.end


codecs.register_error("peermap-utf16", _damaged_utf16)


def utf16_text(raw: bytes) -> tuple[str, str] | None:
    """Decode a CSV file's bytes if they are UTF-16 text; None if they are not.

    With a BOM, or without one when every other byte of the text is NUL (as Excel's
    'Unicode Text' writes it). A damaged character is kept as lone surrogates
    (:func:`_damaged_utf16`): its row is set aside, not the file.
    """
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="peermap-utf16"), "UTF-16"
    head = raw[:4096]
    if len(head) >= 4 and len(raw) % 2 == 0:
        even, odd = head[0::2], head[1::2]
        guess: str | None = None
        # A damaged character (a lone surrogate, b"\x00\xdc") may put a NUL among
        # the other bytes: a few are allowed.
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= len(even) // 100:
            guess = "utf-16-le"
        elif even.count(0) >= 0.9 * len(even) and odd.count(0) <= len(odd) // 100:
            guess = "utf-16-be"
        if guess is not None:
            return raw.decode(guess, errors="peermap-utf16"), "UTF-16"
    return None


def _one_record(text: str) -> list[str] | None:
    """Parse one physical line as the csv module would; None if its quote stays open."""
    if not text.endswith(("\n", "\r")):
        text += "\n"
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        record = next(csv.reader([text]), [])
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)
    if any("\n" in c or "\r" in c for c in record):
        return None
    return record


def _bad_byte_lines(data: bytes, starts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return the indices of the lines holding bytes that are not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return np.zeros(0, dtype=np.int64)
    text = data.decode("utf-8", errors="surrogateescape")
    # Character offsets of the bad bytes, turned into byte offsets: every character
    # before a surrogate is counted in bytes by encoding the text up to it.
    lines: list[int] = []
    prev_char, prev_byte = 0, 0
    for m in _SURROGATE.finditer(text):
        at = m.start()
        prev_byte += len(text[prev_char:at].encode("utf-8", errors="surrogateescape"))
        prev_char = at
        lines.append(int(np.searchsorted(starts, prev_byte, side="right")) - 1)
    return np.unique(np.asarray(lines, dtype=np.int64))


def arrow_records(data: bytes) -> ArrowRecords | None:
    """Split a UTF-8 CSV file (its BOM removed) into records, fast.

    Parameters
    ----------
    data : bytes
        The file's bytes after any UTF-8 byte order mark.

    Returns
    -------
    ArrowRecords or None
        ``None`` when the file must be read line by line by the stdlib reader: no
        header, a quote that is not closed on its own line, a lone carriage return, or
        a line pyarrow would not read as the lines around it predict.
    """
    simple = _simple_records(data)
    if simple is not None:
        return simple
    if b"\r" in data:
        returns = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _RETURN)
        after = returns + 1
        if after[-1] >= len(data) or np.any(np.frombuffer(data, np.uint8)[after] != _NEWLINE):
            return None  # lone \r line ends: the stdlib reader splits those
    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    breaks = np.flatnonzero(buf == _NEWLINE).astype(np.int64)
    starts = np.concatenate(([0], breaks + 1)).astype(np.int64)
    stops = np.concatenate((breaks + 1, [size])).astype(np.int64)  # line end included
    if starts[-1] == size:  # the file ends with a line break
        starts, stops = starts[:-1], stops[:-1]
    n_lines = len(starts)
    if n_lines == 0:
        return None
    # Bytes of each line without its line end (\n or \r\n).
    bare = stops - starts
    bare[: len(breaks)] -= 1
    if b"\r" in data:
        crlf = np.zeros(n_lines, dtype=bool)
        crlf[: len(breaks)] = buf[np.maximum(breaks - 1, 0)] == _RETURN
        bare -= crlf & (bare > 0)
    quoted = np.zeros(n_lines, dtype=bool)
    if b'"' in data:
        quotes = np.flatnonzero(buf == _QUOTE)
        quoted[np.searchsorted(starts, quotes, side="right") - 1] = True
    bad = np.zeros(n_lines, dtype=bool)
    bad[_bad_byte_lines(data, starts)] = True

    def line_text(i: int) -> str:
        return data[starts[i] : stops[i]].decode("utf-8", errors="surrogateescape")

    header: list[str] | None = None
    h = 0
    for h in range(n_lines):
        record = _one_record(line_text(h))
        if record is None:
            return None
        if any(c.strip() for c in record):
            header = record
            break
    if header is None or any(_SURROGATE.search(c) for c in header):
        return None  # the stdlib reader says what is wrong with the header
    width = len(header)
    plain = (bare > 0) & ~quoted & ~bad
    plain[: h + 1] = False
    # First as if every plain line had a cell per header cell; if pyarrow finds one
    # that has not, the commas of each line are counted and those go the stdlib way.
    read = _read_plain(data, starts, stops, plain, width)
    regular = plain
    if read is None:
        commas = np.bincount(
            np.searchsorted(starts, np.flatnonzero(buf == _COMMA), side="right") - 1,
            minlength=n_lines,
        )
        regular = plain & (commas == width - 1)
        read = _read_plain(data, starts, stops, regular, width)
        if read is None:
            return None
    others: list[tuple[int, list[str]]] = []
    for i in np.flatnonzero(~regular[h + 1 :] & (bare[h + 1 :] > 0)) + h + 1:
        record = _one_record(line_text(int(i)))
        if record is None:
            return None
        others.append((int(i) + 1, record))
    numbers = np.flatnonzero(regular).astype(np.int64) + 1
    return ArrowRecords(header, h + 1, read, numbers, others)


def _read_plain(
    data: bytes,
    starts: npt.NDArray[np.int64],
    stops: npt.NDArray[np.int64],
    lines: npt.NDArray[np.bool_],
    width: int,
) -> list[pa.ChunkedArray] | None:
    """Read the selected lines with pyarrow, quoting off; None if one is not `width` cells."""
    kept = np.flatnonzero(lines)
    if len(kept) == 0:
        return [pa.chunked_array([], type=pa.large_string()) for _ in range(width)]
    # The byte ranges of runs of consecutive lines, joined.
    new_run = np.concatenate(([True], np.diff(kept) != 1))
    run_starts = kept[new_run]
    run_stops = kept[np.concatenate((new_run[1:], [True]))]
    view = memoryview(data)
    pieces = [view[starts[a] : stops[b]] for a, b in zip(run_starts, run_stops, strict=True)]
    body: bytes | memoryview
    if len(pieces) == 1:
        body = pieces[0]  # no copy
    else:
        body = b"".join(bytes(p) if p[-1] == _NEWLINE else bytes(p) + b"\n" for p in pieces)
    return _parse_body(body, width, len(kept))


def simple_plan(data: bytes) -> tuple[list[str], int] | None:
    """Tell if a file can be read at once; return its header and number of records.

    A file with no quote, no blank line and one line end throughout: every line after
    the header is then a record, numbered by its position, and pyarrow reads the body
    without any line being looked at first. None when the file is not so simple.
    """
    if b'"' in data or b"\n\n" in data or b"\n\r\n" in data or data.endswith(b"\r"):
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    end = data.find(b"\n")
    if end <= 0:
        return None
    try:
        header = _one_record(data[: end + 1].decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if header is None or not any(c.strip() for c in header):
        return None
    return header, data.count(b"\n", end + 1) + (0 if data.endswith(b"\n") else 1)


def simple_records(
    source: bytes | memoryview | str, header: list[str], rows: int, *, skip: int = 0
) -> ArrowRecords | None:
    """Read a file :func:`simple_plan` passed, at once, from its bytes or its path.

    ``skip`` lines are passed over first (the header, when reading from the path). None
    if a line is not one record of the header's width, or not UTF-8 (the caller then
    splits the file line by line).
    """
    read = _parse_body(source, len(header), rows, any_invalid=False, skip=skip)
    if read is None:
        return None
    return ArrowRecords(header, 1, read, np.arange(2, rows + 2, dtype=np.int64), [])


def _simple_records(data: bytes) -> ArrowRecords | None:
    plan = simple_plan(data)
    if plan is None:
        return None
    body = memoryview(data)[data.find(b"\n") + 1 :]
    return simple_records(body, *plan)


def _parse_body(
    body: bytes | memoryview | str,
    width: int,
    rows: int,
    *,
    any_invalid: bool = True,
    skip: int = 0,
) -> list[pa.ChunkedArray] | None:
    """Read lines with pyarrow, quoting off; None unless `rows` records of `width` cells.

    With ``any_invalid=False`` the lines may hold bytes that are not UTF-8: pyarrow
    stops at the first line that is not a record (no handler sees its text).
    """
    if rows == 0:
        return [pa.chunked_array([], type=pa.large_string()) for _ in range(width)]
    names = [f"f{i}" for i in range(width)]
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        read = pacsv.read_csv(
            body if isinstance(body, str) else pa.BufferReader(pa.py_buffer(body)),
            # One thread: the blocks parsed at once by several threads, each held until
            # its columns are joined, raised a read's peak memory by a third (issue 22)
            # and saved no time on 2 cores shared with the read's other work.
            read_options=pacsv.ReadOptions(
                column_names=names, block_size=1 << 24, skip_rows=skip, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=True,
                invalid_row_handler=on_invalid if any_invalid else None,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                check_utf8=True,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if invalid or read.num_rows != rows:
        return None
    return [read.column(n) for n in names]


def decode_text(raw: bytes) -> tuple[str, str | None]:
    """Decode a CSV file's bytes; return the text and the encoding if not UTF-8.

    UTF-8 (with or without BOM) is the rule; UTF-16 is read too (see
    :func:`utf16_text`).
    Undecodable UTF-8 bytes survive as lone surrogates so that the rows holding them
    can be reported and set aside while every other row is read.
    """
    utf16 = utf16_text(raw)
    if utf16 is not None:
        return utf16
    return raw.decode("utf-8-sig", errors="surrogateescape"), None


class LineFeed:
    """Physical lines fed to a csv reader one at a time, counting those consumed."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.pos = start

    def __iter__(self) -> LineFeed:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def runaway_quote(record: list[str], text: str, width: int | None) -> int | None:
    """Return the cell where a stray quote opens if a record spanning lines is a runaway.

    A quoted cell may hold line breaks, so a record may span lines. It is taken for an
    unterminated (or stray) quote that swallowed the lines after it when the quote is
    still open at the end of the file, or when a line inside the cell holds as many
    commas as a record of the table (``width`` cells) would.
    """
    cells = [i for i, c in enumerate(record) if "\n" in c or "\r" in c]
    if not cells:
        return None
    if text.count('"') % 2 == 1:
        return cells[0]
    if width is None:
        return None
    for i in cells:
        inner = record[i].splitlines()[1:]
        if any(line.count(",") >= max(width - 1, 1) for line in inner):
            return i
    return None
