"""A wide table's free-text columns are scanned together, with the same findings.

A ragged line of 20,000 cells is 20,000 columns, and a column's scan cost about a
millisecond to set up, so such a file took most of a minute to validate. The scan now
reads the free-text columns of one kind together (``privacy.identifiers._scan``); what
it finds must be exactly what a scan of each column alone finds: the same columns,
rules, rows and messages, in column order, and the same cells redacted.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd
import pytest

import peermap
from peermap.privacy.identifiers import REDACTIONS, find_identifiers, redact_frame

VALUES = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "identifier_values.csv"


def _labelled_values() -> list[str]:
    with VALUES.open(newline="", encoding="utf-8") as handle:
        return [row["value"] for row in csv.DictReader(handle)]


def _wide_frame(seed: int, *, rows: int, columns: int) -> pd.DataFrame:
    """Columns of harmless text, pseudonyms and blanks, with identifiers scattered in."""
    rng = random.Random(seed)
    identifiers = _labelled_values()
    plain = ["", "a", "park", "yp-000123", "pl-00042", "2024-03-01", "E09000007", "12"]
    names = ["notes", "comment", "column 9", "extra", "Unnamed", "free text"]
    data = {}
    for j in range(columns):
        cells = [rng.choice(plain) for _ in range(rows)]
        for _ in range(rng.choice([0, 0, 1, 2])):
            cells[rng.randrange(rows)] = rng.choice(identifiers)
        data[j] = cells
    frame = pd.DataFrame(data, index=range(2, rows + 2))
    # Names repeat, as a file's headers may; some columns hold identifiers by name.
    labels = [f"{rng.choice(names)}" if j % 3 else f"c{j}" for j in range(columns)]
    labels[1], labels[4] = "surname", "column 5"
    frame.columns = labels
    return frame


def _column_by_column(frame: pd.DataFrame, table: str) -> list[peermap.IdentifierFinding]:
    found = []
    for position in range(frame.shape[1]):
        found += find_identifiers(frame.iloc[:, [position]], table=table)
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("table", ["people", "places", "sightings"])
def test_the_wide_scan_finds_what_each_column_alone_finds(seed: int, table: str) -> None:
    frame = _wide_frame(seed, rows=30, columns=120)
    wide = find_identifiers(frame, table=table)
    assert wide == _column_by_column(frame, table)
    # The frame is built to hold identifiers in many columns: the comparison is not empty.
    assert len({f.column for f in wide}) > 10
    assert {f.kind for f in wide} == {"column_name", "value"}


def test_typed_columns_beside_text_ones_are_scanned_as_before() -> None:
    frame = _wide_frame(3, rows=20, columns=40)
    for name in ("count", "visits", "score"):  # typed numbers, scanned together
        frame[name] = range(20)  # an NHS number typed as a number is one
    frame.loc[5, "count"] = 9434765919  # a valid NHS number's digits
    frame["ratio"] = [0.5] * 19 + [7700900123.0]
    frame["when"] = pd.Timestamp("2024-01-01")  # dates hold no free text
    wide = find_identifiers(frame, table="sightings")
    assert wide == _column_by_column(frame, "sightings")
    assert any(f.column == "count" and f.rule == "nhs_number" for f in wide)


def test_redaction_of_a_wide_frame_replaces_exactly_the_cells_found() -> None:
    frame = _wide_frame(4, rows=25, columns=90).astype(object)
    out = redact_frame(frame, table="ties")
    # Each column alone: the cells its own findings name, by position (names repeat).
    expected = frame.copy()
    for position in range(frame.shape[1]):
        for finding in reversed(find_identifiers(frame.iloc[:, [position]], table="ties")):
            rows = [frame.index.get_loc(row) for row in finding.rows]
            expected.iloc[rows, position] = REDACTIONS[finding.rule]  # the first rule wins
    assert (out.to_numpy() != frame.to_numpy()).sum() > 10
    assert (out.to_numpy() == expected.to_numpy()).all()
    assert list(out.columns) == list(frame.columns)


def test_each_cell_of_a_long_ragged_line_is_named_by_its_position(tmp_path: Path) -> None:
    (tmp_path / "places.csv").write_text("place_id,kind,lon,lat\npl-1,park,-0.1,51.5\n")
    long_line = ["a"] * 5000
    long_line[2999] = "07700 900123"  # column 3000
    short_line = ["yp-1", "E09000007", "15", "x", "SW1A 1AA"]  # column 5
    (tmp_path / "people.csv").write_text(
        "person_id,home_authority,age\n" + ",".join(long_line) + "\n" + ",".join(short_line) + "\n"
    )
    report = peermap.validate(tmp_path)
    found = {(p.rule, p.row, p.column) for p in report.problems if p.rule in REDACTIONS}
    assert found == {("phone", 2, "column 3000"), ("postcode", 3, "column 5")}
    # A cell beyond the header has no column to pseudonymise: the fix is the row's.
    message = next(p.message for p in report.problems if p.rule == "phone")
    assert "unquoted comma" in message and "pseudonymise" not in message
    rejected = report.rejected["people"]
    assert rejected.loc[2, "column 3000"] == REDACTIONS["phone"]
    assert rejected.loc[3, "column 5"] == REDACTIONS["postcode"]
    assert rejected.loc[2, "column 2999"] == "a"
    text = rejected.to_csv()
    assert "07700" not in text and "SW1A" not in text
