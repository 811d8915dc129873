"""Codes of a text column, found once per array (peermap._distinct, issue 22)."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from peermap import _distinct


@settings(max_examples=examples(100), deadline=None)
@given(
    chunks=st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", " a", "é", "", "ab"]))),
        max_size=5,
    )
)
def test_codes_are_equal_exactly_where_the_text_is(chunks: list[list[str | None]]) -> None:
    arrow = pa.chunked_array([pa.array(c, pa.large_string()) for c in chunks], pa.large_string())
    series = pd.Series(pd.array(arrow, dtype="str"))
    codes, uniques = _distinct.distinct(series)
    cells = [v for c in chunks for v in c]
    assert len(codes) == len(cells)
    for code, cell in zip(codes, cells, strict=True):
        assert (code == -1) == (cell is None)
        if cell is not None:
            assert uniques[code] == cell
    assert len(set(uniques)) == len(uniques)


def test_an_encoding_is_found_once_and_goes_with_its_array() -> None:
    series = pd.Series(pd.array(["x", "y", "x"] * 1000, dtype="str"))
    first = _distinct.encoding(series)
    assert first is not None
    assert _distinct.encoding(series.astype(str)) is first  # the same pyarrow array
    key = id(_distinct.arrow_text(series))
    del series
    gc.collect()
    assert key not in _distinct._CACHE


def test_member_and_text_codes_match_pandas() -> None:
    ids = pd.Series(pd.array(["yp1", None, "yp2", "yp1", "YP1"], dtype="str"))
    assert _distinct.member(ids, {"yp1", "zz"}).tolist() == [True, False, False, True, False]
    codes = _distinct.text_codes(ids)
    expected, _ = pd.factorize(ids, use_na_sentinel=True)
    assert (np.asarray(codes)[:, None] == np.asarray(codes)[None, :]).tolist() == (
        expected[:, None] == expected[None, :]
    ).tolist()
