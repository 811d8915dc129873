"""Vectorised weighted draws the generator repeats, and the array types its modules share.

Draws by a mapping's weights (:func:`draw`, :func:`enum_draw`), by row of a
row-stochastic matrix (:func:`row_sampler`, :func:`sample_rows`) and by block of sorted
items (:func:`block_sampler`, :func:`sample_blocks`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def draw(rng: np.random.Generator, mapping: Mapping[str, float], size: int) -> IntArray:
    """Draw ``size`` indices into ``tuple(mapping)`` with the mapping's weights."""
    p = np.array(list(mapping.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def row_sampler(matrix: FloatArray) -> FloatArray:
    """Flattened row-wise cumulative distribution: row ``r`` spans ``(r, r + 1]``.

    From each row's last positive entry on, the cumulative value is exactly 1, so a
    column of probability zero can never be drawn, whatever the rounding.
    """
    rows, cols = matrix.shape
    totals = matrix.sum(axis=1, keepdims=True)
    safe = np.where(totals > 0, totals, 1.0)
    cum = np.cumsum(matrix / safe, axis=1)
    last = cols - 1 - np.argmax(matrix[:, ::-1] > 0, axis=1)
    tail = (np.arange(cols)[None, :] >= last[:, None]) & (totals > 0)
    cum[tail] = 1.0
    flat: FloatArray = (cum + np.arange(rows)[:, None]).ravel()
    return flat


def sample_rows(rng: np.random.Generator, flat: FloatArray, width: int, rows: IntArray) -> IntArray:
    """For each entry of ``rows``, draw a column from that row's distribution."""
    u = rng.random(len(rows))
    idx = np.searchsorted(flat, rows + u, side="right")
    out: IntArray = np.minimum(idx - rows * width, width - 1).astype(np.int64)
    return out


def block_sampler(
    block: IntArray, weights: FloatArray, n_blocks: int
) -> tuple[FloatArray, IntArray]:
    """Cumulative weights of items sorted by block, each block spanning ``(b, b + 1]``.

    ``block`` must be sorted. Returns the flat cumulative array and each block's count.
    """
    counts = np.bincount(block, minlength=n_blocks).astype(np.int64)
    totals = np.bincount(block, weights=weights, minlength=n_blocks)
    cum = np.cumsum(weights)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    before = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    within = cum - np.repeat(before, counts)
    safe = np.where(totals > 0, totals, 1.0)
    flat: FloatArray = block + within / np.repeat(safe, counts)
    return flat, counts


def sample_blocks(
    rng: np.random.Generator, flat: FloatArray, counts: IntArray, blocks: IntArray
) -> IntArray:
    """For each entry of ``blocks``, draw an item of that block by weight."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    u = rng.random(len(blocks))
    idx = np.searchsorted(flat, blocks + u, side="right")
    lo, hi = starts[blocks], starts[blocks] + counts[blocks] - 1
    out: IntArray = np.clip(idx, lo, hi).astype(np.int64)
    return out


def _codes(mapping: Mapping[str, float], universe: Sequence[str]) -> IntArray:
    return np.array([universe.index(k) for k in mapping], dtype=np.int64)


def enum_draw(
    rng: np.random.Generator, mapping: Mapping[str, float], universe: Sequence[str], size: int
) -> IntArray:
    """Draw ``size`` values of ``mapping``'s keys, as indices into ``universe``."""
    out: IntArray = _codes(mapping, universe)[draw(rng, mapping, size)]
    return out
