"""The fast CSV path (pyarrow for well-formed lines) reads what the stdlib csv path reads.

``read_raw`` gives pyarrow only the lines that are one record of as many cells as the
header, with no quote and no bad byte; every other line goes through the stdlib ``csv``
module as before. Here both paths read the same damaged files and must agree on every
cell, row number, problem and row set aside.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from peermap import _io
from peermap.exceptions import ValidationError

HEADER = b"person_id,home_authority,age,sex,looked_after\n"
ROWS = [
    b"yp1,E09000007,14,F,no",
    b"yp2,Camden,15,M,yes",
    b"yp3,E09000001,,X,",
    b'"yp4","E09000007","16","F","no"',
    b"yp5,E09000007,17,F,no,",
    b"  ,  , , ,",
    b"",
    b"yp6,E09000007,12,F",
]
DAMAGE = b'",\n\r\x00\xff\xe99-/ \t'


def _read(path: Path, reader: object) -> tuple[str, object]:
    try:
        raw = reader(path, "people")  # type: ignore[operator]
    except ValidationError as exc:
        return "error", str(exc)
    frame = raw.frame.astype(object)
    return "ok", (
        frame.to_dict("split"),
        list(frame.index),
        raw.problems,
        raw.bad_rows,
        raw.headers,
        raw.header,
        {k: list(v) for k, v in raw.unheaded.items()},
        raw.cells().astype(object).to_dict("split"),
    )


def _agree(path: Path) -> None:
    fast = _read(path, _io.read_raw)
    slow = _read(path, _io.read_csv_stdlib)
    assert fast == slow


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.sampled_from(ROWS), max_size=30),
    hits=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(list(DAMAGE))), max_size=6),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_fast_and_stdlib_paths_agree_on_damaged_files(
    tmp_path: Path, rows: list[bytes], hits: list[tuple[int, int]], crlf: bool, bom: bool
) -> None:
    body = bytearray(HEADER + b"\n".join(rows) + (b"\n" if rows else b""))
    for at, byte in hits:
        if body:
            body[at % len(body)] = byte
    data = bytes(body)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    _agree(path)


@pytest.mark.parametrize("seed", range(4))
def test_fast_and_stdlib_paths_agree_on_a_long_damaged_file(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    lines = [HEADER.rstrip(b"\n")]
    for i in range(3000):
        lines.append(b"yp%d,E0900000%d,%d,F,no" % (i, i % 9, 10 + i % 9))
    data = bytearray(b"\n".join(lines) + b"\n")
    for _ in range(rng.randint(1, 40)):
        data[rng.randrange(len(HEADER), len(data))] = rng.choice(DAMAGE)
    path = tmp_path / "people.csv"
    path.write_bytes(bytes(data))
    _agree(path)


def test_a_file_with_only_a_header_reads_alike(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(HEADER)
    _agree(path)
    assert pd.DataFrame(_io.read_raw(path, "people").frame).empty
