"""Work on a column's distinct values once, not on every cell.

A column of a million sightings holds a few thousand distinct dates and places:
:func:`distinct` splits a column into integer codes and its distinct values (pyarrow's
dictionary encoding for pyarrow-backed text, :func:`pandas.factorize` otherwise), and
:func:`per_distinct` applies a test to each distinct value and spreads the answers
back over the cells by their codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["distinct", "per_distinct"]


def distinct(values: Any) -> tuple[npt.NDArray[np.intp], list[Any]]:
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
        The distinct values, in order of first appearance.
    """
    array = values.array if isinstance(values, pd.Series) else values
    arrow: pa.Array | pa.ChunkedArray | None = None
    if isinstance(array, pa.Array | pa.ChunkedArray):
        arrow = array
    elif isinstance(array, pd.arrays.ArrowStringArray):
        arrow = array.__arrow_array__()
    if arrow is not None and pa.types.is_string(arrow.type) | pa.types.is_large_string(arrow.type):
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        encoded = pc.dictionary_encode(arrow)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.intp, copy=False), encoded.dictionary.to_pylist()
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
