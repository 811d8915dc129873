"""Work on a column's distinct values once, not on every cell.

A column of a million sightings holds a few thousand distinct dates and places:
:func:`distinct` splits a column into integer codes and its distinct values (pyarrow's
dictionary encoding for pyarrow-backed text, :func:`pandas.factorize` otherwise), and
:func:`per_distinct` applies a test to each distinct value and spreads the answers
back over the cells by their codes.

The encoding of pyarrow-backed text is found once per column and read: pyarrow arrays
cannot change, so :func:`encoding` keeps it for as long as the array lives (the
identifier scan, the parser, the duplicate rows and the references of one read all
ask for it), and :func:`remember` records an encoding known beforehand (the CSV reader
reads columns dictionary-encoded; the parser's outputs keep their input's codes).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Encoding",
    "arrow_text",
    "distinct",
    "encoding",
    "forget",
    "member",
    "per_distinct",
    "remember",
    "text_codes",
]

Codes = npt.NDArray[np.signedinteger[Any]]


@dataclass(eq=False)
class Encoding:
    """A text column as integer codes into its distinct values.

    Attributes
    ----------
    codes : numpy.ndarray
        For each cell, the position of its value in ``dictionary`` (``int32``);
        ``-1`` for a missing cell.
    dictionary : pyarrow.Array
        The distinct values (text), each once; it may hold values no cell uses.
    """

    codes: Codes
    dictionary: pa.Array
    _values: list[Any] | None = field(default=None, repr=False)

    def values(self) -> list[Any]:
        """Return the distinct values as Python strings (made once)."""
        if self._values is None:
            self._values = self.dictionary.to_pylist()
        return self._values


_LOCK = threading.Lock()
# id of a pyarrow array -> (a weak reference to it, its encoding). The entry goes with
# the array: the reference's callback removes it.
_CACHE: dict[int, tuple[weakref.ref[Any], Encoding]] = {}


def arrow_text(values: Any) -> pa.Array | pa.ChunkedArray | None:
    """Return the pyarrow text array behind `values`; None if it is not one."""
    array = values.array if isinstance(values, pd.Series) else values
    arrow: pa.Array | pa.ChunkedArray | None = None
    if isinstance(array, pa.Array | pa.ChunkedArray):
        arrow = array
    elif isinstance(array, pd.arrays.ArrowStringArray):
        arrow = array.__arrow_array__()
    if arrow is not None and (
        pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)
    ):
        return arrow
    return None


def remember(values: Any, codes: Codes, dictionary: pa.Array) -> None:
    """Record the encoding of the pyarrow text behind `values` (ignored for other arrays).

    The caller vouches that ``dictionary.take(codes)`` (``-1`` missing) is the text.
    """
    arrow = arrow_text(values)
    if arrow is not None and len(codes) == len(arrow):
        _keep(arrow, Encoding(np.asarray(codes, dtype=np.int32), dictionary))


def _keep(arrow: pa.Array | pa.ChunkedArray, found: Encoding) -> None:
    key = id(arrow)

    def drop(ref: weakref.ref[Any], key: int = key) -> None:
        with _LOCK:
            entry = _CACHE.get(key)
            if entry is not None and entry[0] is ref:
                del _CACHE[key]

    with _LOCK:
        _CACHE[key] = (weakref.ref(arrow, drop), found)


def forget(values: Any) -> None:
    """Drop the encoding kept for the pyarrow text behind `values`, if any."""
    arrow = arrow_text(values)
    if arrow is not None:
        with _LOCK:
            entry = _CACHE.get(id(arrow))
            if entry is not None and entry[0]() is arrow:
                del _CACHE[id(arrow)]


def encoding(values: Any) -> Encoding | None:
    """Return the encoding of pyarrow-backed text (found once per array); None otherwise."""
    arrow = arrow_text(values)
    if arrow is None:
        return None
    with _LOCK:
        entry = _CACHE.get(id(arrow))
    if entry is not None and entry[0]() is arrow:
        return entry[1]
    found = _encode(arrow)
    _keep(arrow, found)
    return found


def _encode(arrow: pa.Array | pa.ChunkedArray) -> Encoding:
    """Dictionary-encode text with pyarrow (chunk by chunk: no copy of the text)."""
    if isinstance(arrow, pa.ChunkedArray) and arrow.num_chunks > 1:
        encoded = pc.dictionary_encode(arrow)
        chunks = encoded.chunks
        # pyarrow encodes the chunks with one table of values: every chunk carries it
        # whole, as it stood at the end.
        if chunks and all(c.dictionary.equals(chunks[-1].dictionary) for c in chunks):
            codes = np.concatenate(
                [np.asarray(pc.fill_null(c.indices, -1).to_numpy(), np.int32) for c in chunks]
            )
            return Encoding(codes, chunks[-1].dictionary)
    combined = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    single = pc.dictionary_encode(combined)
    codes = pc.fill_null(single.indices, -1).to_numpy(zero_copy_only=False)
    return Encoding(np.asarray(codes, dtype=np.int32), single.dictionary)


def distinct(values: Any) -> tuple[Codes, list[Any]]:
    """Return per-cell codes (``-1`` for a missing cell) and the distinct values.

    Parameters
    ----------
    values : pandas.Series, array or pyarrow array
        The cells.

    Returns
    -------
    codes : numpy.ndarray
        For each cell, the position of its value in ``uniques``; ``-1`` when missing.
    uniques : list
        The distinct values (for pyarrow text, the dictionary of its encoding, which
        may hold values no cell uses; otherwise in order of first appearance).
    """
    found = encoding(values)
    if found is not None:
        return found.codes, found.values()
    array = values.array if isinstance(values, pd.Series) else values
    codes, uniques = pd.factorize(np.asarray(array, dtype=object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp), list(uniques)


def per_distinct(
    values: Any, test: Callable[[Any], bool], *, missing: bool = False
) -> npt.NDArray[np.bool_]:
    """Apply ``test`` to each distinct value once; return its answer for every cell.

    Parameters
    ----------
    values : pandas.Series, array or pyarrow array
        The cells.
    test : callable
        Called once per distinct value.
    missing : bool, default False
        The answer for missing cells.
    """
    codes, uniques = distinct(values)
    answers = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    return np.append(answers, missing)[codes]


def text_codes(values: pd.Series) -> npt.NDArray[np.intp]:
    """Codes equal where ``values.astype(str)`` is equal (missing values alike).

    Text held by pyarrow has its codes already (the dictionary encoding of the read);
    values of one Python type (text, whole numbers, dates, booleans) are coded as they
    are, which is the same and faster; numbers with a fraction (``-0.0`` and ``0.0``)
    and mixed types go through their text.
    """
    found = encoding(values)
    if found is not None:
        return np.asarray(found.codes)
    if values.dtype.kind == "f" or (
        values.dtype == object
        and pd.api.types.infer_dtype(values, skipna=True)
        not in ("string", "integer", "date", "boolean", "empty")
    ):
        values = values.astype(str)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes)


def member(ids: pd.Series, known: Collection[str]) -> pd.Series:
    """``ids.isin(known)``, asking ``known`` once per distinct id.

    ``Series.isin`` on pandas' pyarrow strings converts every element of ``known`` to a
    pyarrow scalar on each call: seconds for a million people. Here the lookup costs
    one test per distinct id in ``ids`` (pyarrow's, when the ids are its text).
    """
    found = encoding(ids)
    hit: npt.NDArray[np.bool_] | None = None
    if found is not None:
        try:
            wanted = pa.array(list(known), found.dictionary.type)
        except (UnicodeEncodeError, TypeError, pa.ArrowException):
            pass  # values pyarrow cannot hold as text: asked one by one
        else:
            inside = pc.is_in(found.dictionary, value_set=wanted)
            hit = np.asarray(pc.fill_null(inside, False).to_numpy(zero_copy_only=False), bool)
            codes = found.codes
    if hit is None:
        codes, uniques = distinct(ids)
        hit = np.fromiter((u in known for u in uniques), dtype=bool, count=len(uniques))
    # Missing ids have code -1, which picks the appended False.
    return pd.Series(np.append(hit, False)[codes], index=ids.index)
