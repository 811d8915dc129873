"""Reading a dataset gives the same answer whichever way its files are read (issue 22).

Files with no quote and no blank line are read by pyarrow in one go; others line by
line around the lines pyarrow cannot take; the stdlib ``csv`` module reads what is
left. Text columns are dictionary-encoded once per read and their codes shared by the
identifier scan, the parser and the checks. Here damaged copies of a synthetic
partnership's exports are read both through the fast path and through the stdlib
reader alone: every problem (file, row, column, value, rule), every row set aside and
every accepted frame must be the same.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peermap
from conftest import DemoScenario, examples
from peermap import _io
from peermap.exchange import to_csv

# Bytes a damaged export may hold, none a quote or a line break (the file stays on the
# one-go path unless a line loses its shape).
SIMPLE_DAMAGE = b",\r\x00\xff\xe9 \t9-/x"
SIMPLE_ROWS = [
    b"yp1,E09000007,14,F,no",
    b"yp2,Camden,15,M,yes",
    b"yp3,E09000001,,X,",
    b" yp1 ,E09000007,14,F,no",
    b"yp5,E09000007,17,F,no,",
    b"  ,  , , ,",
    b"yp6,E09000007,12,F",
]


def _raw(path: Path, reader: object) -> object:
    try:
        raw = reader(path, "people")  # type: ignore[operator]
    except peermap.ValidationError as exc:
        return str(exc)
    frame = raw.frame.astype(object)
    return (
        frame.to_dict("split"),
        raw.problems,
        raw.bad_rows,
        raw.cells().astype(object).to_dict("split"),
    )


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.sampled_from(SIMPLE_ROWS), min_size=1, max_size=30),
    hits=st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(list(SIMPLE_DAMAGE))), max_size=6
    ),
    crlf=st.booleans(),
    last_newline=st.booleans(),
)
def test_files_read_in_one_go_read_as_line_by_line(
    tmp_path: Path, rows: list[bytes], hits: list[tuple[int, int]], crlf: bool, last_newline: bool
) -> None:
    header = b"person_id,home_authority,age,sex,looked_after\n"
    body = bytearray(b"\n".join(rows) + (b"\n" if last_newline else b""))
    for at, byte in hits:
        body[at % len(body)] = byte
    data = header + bytes(body)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    assert _raw(path, _io.read_raw) == _raw(path, _io.read_csv_stdlib)


def _damage(folder: Path, seed: int) -> None:
    """Overwrite a few bytes of each file with what damaged exports hold."""
    rng = random.Random(seed)
    for path in sorted(folder.glob("*.csv")):
        data = bytearray(path.read_bytes())
        start = data.index(b"\n") + 1
        for _ in range(rng.randint(1, 25)):
            if len(data) > start:
                data[rng.randrange(start, len(data))] = rng.choice(b'",\n\x00\xff 9-x')
        if rng.random() < 0.5 and len(data) > start:
            # An id written with spaces around it, as a hand edit leaves it.
            at = data.index(b"\n", start) + 1 if b"\n" in data[start:] else start
            data[at:at] = b" "
        path.write_bytes(bytes(data))


def _outcome(folder: Path) -> tuple[object, ...]:
    ds = peermap.read_dataset(folder, strict=False)
    problems = sorted(
        (p.file, str(p.row), str(p.column), p.value, p.rule, p.message) for p in ds.report.problems
    )
    rejected = {k: v.astype(object).to_dict("split") for k, v in ds.report.rejected.items()}
    frames = {
        t: pd.DataFrame(ds.table(t)).drop(columns="geometry", errors="ignore").astype(object)
        for t in ("people", "places", "ties", "sightings", "relocations")
    }
    return problems, rejected, {t: f.to_dict("split") for t, f in frames.items()}


@pytest.mark.parametrize("seed", range(3))
def test_a_damaged_dataset_reads_alike_by_either_path(
    tmp_path: Path, demo_scenario: DemoScenario, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    to_csv(demo_scenario(60, 3).dataset, folder)
    _damage(folder, seed)
    fast = _outcome(folder)
    monkeypatch.setattr(_io, "_read_csv", lambda path, table: _io.read_csv_stdlib(path, table))
    slow = _outcome(folder)
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]


def test_ids_padded_with_spaces_are_the_same_id_everywhere(tmp_path: Path) -> None:
    # Stripping makes two distinct cells one id: it is one person for the duplicate
    # rows, the unique key and the references alike.
    (tmp_path / "people.csv").write_text(
        "person_id,home_authority,age,sex,looked_after\n"
        "yp1,E09000007,14,F,no\n"
        " yp1 ,E09000007,14,F,no\n"
        "yp2,E09000007,15,M,no\n"
        "yp2 ,E09000001,15,M,no\n"
    )
    (tmp_path / "places.csv").write_text(
        "place_id,kind,lon,lat\npl1,park,-0.12,51.53\n pl1,park,-0.12,51.53\n"
    )
    (tmp_path / "sightings.csv").write_text(
        "person_id,place_id,date,context,source,reliability\n"
        " yp1,pl1 ,2024-01-02,other,police,reported\n"
        "yp3,pl1,2024-01-02,other,police,reported\n"
    )
    ds = peermap.read_dataset(tmp_path, strict=False)
    found = {(p.table, p.row, p.rule) for p in ds.report.problems if p.severity == "error"}
    assert ("people", 3, "duplicate_row") in found
    assert {("people", 4, "duplicate_id"), ("people", 5, "duplicate_id")} <= found
    assert ("places", 3, "duplicate_row") in found
    assert ("sightings", 3, "unknown_person") in found
    assert ("sightings", 2, "unknown_person") not in found
    assert ds.table("sightings")["person_id"].tolist() == ["yp1"]
    assert ds.table("people")["person_id"].tolist() == ["yp1"]
