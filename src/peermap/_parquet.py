"""Read a Parquet file into a frame of cells, without letting one cell stop the read.

Two things in a Parquet file used to refuse the whole dataset with pyarrow's own words:

- a date or timestamp outside the years Python can hold (1 to 9999), such as a
  ``timestamp[s]`` of ``-10**11`` (year -1199): its conversion to a Python ``datetime``
  raised. The dates are now looked at as the integers they are stored as; a cell out of
  that range is set aside with its row (rule ``date_range`` before 1900, as in a CSV file,
  ``future_date`` after 9999), shown as an ISO date;
- a column name written twice: ``pyarrow.parquet.read_table`` goes through the dataset
  API, which cannot select a field by a name that matches two. The file is read as one
  file, so the header reaches the reader's ``duplicate_column`` check as a CSV header does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from peermap._problems import early_date_message, future_date_message
from peermap.exceptions import ValidationError
from peermap.privacy.identifiers import shown_header

__all__ = ["OutOfRange", "read_parquet_frame"]


@dataclass(frozen=True)
class OutOfRange:
    """A date cell no Python date can hold: its position, its text, why it is refused."""

    row: int  # position in the frame, from 0
    column: int  # position of the column, from 0
    text: str  # the date as ISO text (``-1199-02-15``), with its time of day if any
    message: str
    rule: str


#: How pandas names an unnamed index it stores as a Parquet column.
_ROW_LABELS = re.compile(r"__index_level_\d+__")


def _unit(kind: pa.DataType) -> str | None:
    """Return the numpy unit a date or timestamp type counts in, or None for other types."""
    if pa.types.is_timestamp(kind):
        return str(kind.unit)
    if pa.types.is_date32(kind):
        return "D"
    if pa.types.is_date64(kind):
        return "ms"
    return None


def _out_of_range(
    column: pa.ChunkedArray, position: int
) -> tuple[pa.ChunkedArray, list[OutOfRange]]:
    """Find the cells of a date column outside years 1-9999; return it with them emptied."""
    unit = _unit(column.type)
    if unit is None:
        return column, []
    counts = column.cast(pa.int32()) if pa.types.is_date32(column.type) else column.cast(pa.int64())
    ints = pc.fill_null(counts, 0).to_numpy().astype(np.int64)
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    stamps = ints.astype(f"datetime64[{unit}]")
    years = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
    bad = valid & ((years < 1) | (years > 9999))
    if not bad.any():
        return column, []
    found = []
    for row in map(int, np.flatnonzero(bad)):
        # As a date is shown from any file: ISO, the date alone at midnight, no zero
        # fraction of a second (numpy writes the year unpadded: -1199, 318857).
        text = re.sub(r"\.0+$", "", str(stamps[row]))
        if text.endswith("T00:00:00"):
            text = text[: -len("T00:00:00")]
        if years[row] < 1:
            message, rule = early_date_message(), "date_range"
        else:
            message, rule = future_date_message(dt.date.today()), "future_date"
        found.append(OutOfRange(row, position, text, message, rule))
    emptied = pc.if_else(pa.array(bad), pa.scalar(None, column.type), column.combine_chunks())
    return pa.chunked_array([emptied], column.type), found


def read_parquet_frame(path: Path) -> tuple[pd.DataFrame, list[OutOfRange]]:
    """Read a Parquet file as a frame of Python objects, and the date cells it cannot hold.

    Parameters
    ----------
    path : Path
        A ``.parquet`` file.

    Returns
    -------
    tuple of pandas.DataFrame and list of OutOfRange
        The frame (columns as written, a name written twice kept twice; dates and
        timestamps as Python objects, the cells out of range holding their ISO text) and
        the cells out of range, for the reader to set their rows aside.

    Raises
    ------
    ValidationError
        When pyarrow cannot read the file as Parquet.
    """
    try:
        table = pq.ParquetFile(path).read()
    except (pa.ArrowException, OSError, ValueError) as exc:  # every error pyarrow raises
        raise ValidationError(f"{path}: cannot read as Parquet ({exc})") from exc
    nested = [
        shown_header(name, i)
        for i, (name, kind) in enumerate(zip(table.column_names, table.schema.types, strict=True))
        if pa.types.is_nested(kind)
        or (pa.types.is_dictionary(kind) and pa.types.is_nested(kind.value_type))
    ]
    if nested:
        # A list or a structure in a cell is not a value a record holds: read as text it
        # would be "['yp-1']", a key no other table matches, or a name in brackets.
        raise ValidationError(
            f"{path}: column(s) {', '.join(repr(c) for c in nested)} hold lists or "
            "structures (Parquet nested types), not one value per cell, so the table "
            "cannot be read; write each as a plain column of text, numbers or dates"
        )
    try:
        columns: list[pa.ChunkedArray] = []
        found: list[OutOfRange] = []
        for i, column in enumerate(table.columns):
            kept, bad = _out_of_range(column, i)
            columns.append(kept)
            found.extend(bad)
        if found:
            table = pa.Table.from_arrays(columns, names=table.column_names)
        # Timestamps as Python objects: a year such as 1500 is a cell to report, not a
        # nanosecond overflow that stops the read. The columns as stored, pandas'
        # metadata ignored: a frame saved with a column as its index
        # (df.set_index("person_id").to_parquet()) keeps it as a column, where before
        # it became the index and was dropped ("required column 'person_id' is
        # missing"; an index of phone numbers passed unscanned).
        frame = table.to_pandas(timestamp_as_object=True, date_as_object=True, ignore_metadata=True)
    except (pa.ArrowException, OSError, ValueError) as exc:  # every error pyarrow raises
        raise ValidationError(f"{path}: cannot read as Parquet ({exc})") from exc
    for cell in found:
        column = frame.iloc[:, cell.column]
        if column.dtype != object:
            frame.isetitem(cell.column, column.astype(object))
        frame.iat[cell.row, cell.column] = cell.text
    # An unnamed index of whole numbers is pandas' row labels (a frame filtered before
    # it was saved), not a column of the records.
    labels = [
        name
        for name in frame.columns
        if _ROW_LABELS.fullmatch(str(name)) and pd.api.types.is_integer_dtype(frame[name])
    ]
    return frame.drop(columns=labels), found
