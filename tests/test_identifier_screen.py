"""The identifier scan's RE2 screens let no identifier through (issue 22).

The scan judges each distinct value of a column in Python only when some rule's RE2
screen (run by pyarrow over all the distinct values at once) finds it. A screen that
missed a value its rule finds would let an identifier in: here the scan of whole
columns (screens, then rules) is held against :func:`identifier_rule`, which runs
every rule in Python on one value, on the labelled values of the identifier benchmark
and on random texts made from them by small edits (digits, letters, separators and
the whitespace only Python's ``\\s`` knows). Then identifiers planted where a fast path
could miss them: a value repeated in many rows, the last row of a file read by
pyarrow, a lenient read, text beyond ASCII.
"""

from __future__ import annotations

import csv
import random
import shutil
from collections.abc import Hashable
from pathlib import Path

import pandas as pd
import pytest

from peermap import PrivacyError, read_dataset
from peermap.privacy import identifier_rule
from peermap.privacy._arrow_screen import re2_superset
from peermap.privacy.identifiers import find_identifiers

LABELLED = Path(__file__).parents[1] / "benchmarks" / "data" / "identifier_values.csv"
LABELLED_SETS = sorted(LABELLED.parent.glob("identifier_values*.csv"))
GOOD = Path(__file__).parent / "data" / "good"
#: Values that are not identifiers but sit next to them in records.
LOOK_ALIKES = [
    "-1.2345678",
    "52.62731966210495",
    "697109.0",
    "1697109",
    "2024-01-05",
    "5.1.2024",
    "yp-000123",
    "pl-07015",
    "E09000007",
    "0.07700900123",
    "2025-04-01 14:22",  # dates alone, left out of the phone rule's screen
    "01/04/2025 14:22:05",
    "2025-04-01T14:22:05.123+01:00",
    "pmb3xq7rtk2mza6vhd",  # a pseudonym, dropped before the screens
]
ALPHABET = "0123456789" * 4 + " -.,()+@:/_'#abcdxyzABCDEGHJKLMNPQRSTWYZ\t\x0b\x1c\xa0"
#: (table, column): free text, a venue's label (landlines allowed), a coded column, a key.
WHERE = [
    ("ties", "notes"),
    ("places", "label"),
    ("people", "home_authority"),
    ("ties", "person_b"),  # a young person's key: dates and names as keys
    ("people", "age"),  # a column of ages: any date is a date of birth
]


def _edited(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(chars))
        op = rng.random()
        if op < 0.4:
            chars.insert(at, rng.choice(ALPHABET))
        elif chars and op < 0.7:
            chars.pop(min(at, len(chars) - 1))
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice(ALPHABET)
    return "".join(chars)


def _texts(count: int, seed: int) -> list[str]:
    seeds = list(LOOK_ALIKES)
    for path in LABELLED_SETS:  # dates of birth and addresses are in the held-out sets
        with path.open(encoding="utf-8", newline="") as f:
            seeds += [row["value"] for row in csv.DictReader(f)]
    rng = random.Random(seed)
    texts = set(seeds)
    while len(texts) < count:
        pick = rng.random()
        if pick < 0.6:
            texts.add(_edited(rng, rng.choice(seeds)))
        elif pick < 0.8:
            texts.add(f"{rng.choice(seeds)} {_edited(rng, rng.choice(seeds))}")
        else:
            texts.add("".join(rng.choice(ALPHABET) for _ in range(rng.randint(5, 20))))
    return sorted(texts)


@pytest.mark.parametrize(("table", "column"), WHERE)
def test_whole_column_scan_finds_what_every_rule_finds_value_by_value(
    table: str, column: str
) -> None:
    texts = _texts(6000, seed=len(table) + len(column))
    # Text held by pyarrow (as read from a file), each value in two rows.
    cells = pd.Series(texts * 2, index=range(2, 2 * len(texts) + 2), dtype="str")
    findings = find_identifiers(pd.DataFrame({column: cells}), table=table)
    found: dict[Hashable, set[str]] = {}
    for f in findings:
        for row in f.rows:
            found.setdefault(row, set()).add(f.rule)
    expected: dict[Hashable, str] = {
        row: rule
        for row, text in cells.items()
        if (rule := identifier_rule(text, table=table, column=column)) is not None
    }
    assert expected, "the texts hold identifiers"
    assert set(found) == set(expected)
    assert all(expected[row] in found[row] for row in expected)


def test_screens_are_the_patterns_without_their_assertions() -> None:
    assert re2_superset(r"(?<![0-9])a\sb(?![0-9A-Za-z])$") == r"a[\t-\r\x1c-\x1f ]b"
    assert re2_superset(r"(?i)\bx(?=[\w.]*[a-z])[\s.]+") == r"(?i)x[\t-\r\x1c-\x1f .]+"
    assert re2_superset(r"(?i:a|(?!b)c)") == "(?i:a|c)"
    for unsafe in (r"(?x)a b", r"a{,3}", r"(a)\1"):
        with pytest.raises(ValueError, match="no RE2 screen"):
            re2_superset(unsafe)


def test_identifier_repeated_in_many_rows_is_named_in_every_row() -> None:
    ids = [f"yp-{i:06d}" for i in range(5000)]
    notes = ["seen at park"] * 5000
    for row in (0, 17, 4999):
        notes[row] = "ring 07700 900123"
    frame = pd.DataFrame({"person_id": ids, "notes": notes}, index=range(2, 5002), dtype="str")
    findings = find_identifiers(frame, table="people")
    assert [(f.column, f.rule, f.rows) for f in findings] == [("notes", "phone", (2, 19, 5001))]
    assert "07700" not in findings[0].message


def _with_last_row(tmp_path: Path, line: str) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(GOOD, folder)
    people = folder / "people.csv"
    text = people.read_text(encoding="utf-8").rstrip("\n").splitlines()
    width = len(text[0].split(","))
    many = [f"yp-{i:06d},E09000007,14,F,no" for i in range(20000)]
    people.write_text("\n".join([*text, *many, line]) + "\n", encoding="utf-8")
    assert len(line.split(",")) == width
    return folder


@pytest.mark.parametrize("strict", [True, False])
def test_identifier_in_the_last_row_of_a_large_file_is_refused(
    tmp_path: Path, strict: bool
) -> None:
    folder = _with_last_row(tmp_path, "AB 12 34 56 C,E09000007,14,F,no")
    last = len((folder / "people.csv").read_text(encoding="utf-8").splitlines())
    with pytest.raises(PrivacyError) as caught:
        read_dataset(folder, strict=strict)
    message = str(caught.value)
    assert "people.csv" in message
    assert f"row {last})" in message
    assert "'Person_ID '" in message
    assert "ni_number" in message
    assert "AB 12" not in message and "34 56" not in message


def test_text_beyond_ascii_is_judged_by_every_rule() -> None:
    # A no-break space inside a name, a mobile after a symbol: RE2's screens work on
    # ASCII text, so such values go to every rule in Python.
    cells = pd.Series(
        ["Jayden\xa0Smith", "☎ 07700 900123", "café 12", "plain"],
        index=range(2, 6),
        dtype="str",
    )
    findings = find_identifiers(pd.DataFrame({"notes": cells}), table="ties")
    assert {(f.rule, f.rows) for f in findings} == {("name", (2,)), ("phone", (3,))}


def test_identifier_beside_undecodable_bytes_in_a_lenient_read(tmp_path: Path) -> None:
    # A row that is not UTF-8 sends its column's values through the scan as Python
    # text (its bytes cannot be pyarrow's): the identifier in another row of that
    # column is still found, and named by its row.
    folder = _with_last_row(tmp_path, "yp-999999,E09000007,14,F,no")
    people = folder / "people.csv"
    with people.open("ab") as f:
        f.write("yp-caf\xe9,E09000007,14,F,no\n".encode("latin-1"))
        f.write(b"07700 900123,E09000007,15,M,no\n")
    last = len(people.read_bytes().splitlines())
    with pytest.raises(PrivacyError) as caught:
        read_dataset(folder, strict=False)
    message = str(caught.value)
    assert f"row {last})" in message
    assert "'phone'" in message
    assert "07700" not in message and "900123" not in message
