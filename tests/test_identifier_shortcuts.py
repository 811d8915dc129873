"""The identifier scan's shortcuts for columns that hold no identifier (issue 22).

A column of peermap pseudonyms, or of dates with a time of day, used to take seconds
for 50,000 rows: the pseudonyms went through every rule's RE2 screen (their letters and
digits look like parts of postcodes and number plates), and every date-time reached the
phonenumbers matcher. Now pseudonyms are dropped before the screens, and a cell that is
wholly a date or a date-time is left out of the phone rule (and, but in a young
person's key or a column of ages, out of the date-of-birth rule), in RE2 and in
Python. Here: what they skip is skipped, what is found is still found, the two
engines read the whole-value patterns alike, and a date alone held no phone number nor
date of birth before the shortcut either. Their speed is measured, not tested:
``python benchmarks/bench_identifiers.py`` prints it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from peermap.privacy import identifiers, phones
from peermap.privacy._arrow_screen import DATE_ONLY, PSEUDONYM_ONLY
from peermap.privacy.birth_dates import has_birth_date
from peermap.privacy.identifiers import IdentifierMemo, find_identifiers, identifier_rule
from peermap.privacy.phones import DATE_CELL
from peermap.privacy.pseudonyms import PSEUDONYM_PATTERN

BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
#: Confirmations a value reaches only when some rule's screen found it.
CONFIRMATIONS = ("has_phone_number", "has_birth_date", "has_full_name", "has_street_address")


def _pseudonyms(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["pm" + "".join(rng.choice(BASE32) for _ in range(16)) for _ in range(count)]


def _date_times(count: int, seed: int = 0) -> list[str]:
    """Dates and date-times, ISO and day first, as record systems write them."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < count:
        year, month, day = rng.randrange(1900, 2100), rng.randrange(1, 13), rng.randrange(1, 29)
        hour, minute, second = rng.randrange(24), rng.randrange(60), rng.randrange(60)
        clock = f"{hour:02d}:{minute:02d}" + rng.choice(["", f":{second:02d}"])
        if rng.random() < 0.3:
            clock = f"{hour:02d}:{minute:02d}:{second:02d}." + "7" * rng.randint(1, 9)
        zone = rng.choice(["", "", "Z", "+01:00", "-05:30"])
        noon = rng.choice(["", " pm", "AM"])
        text = rng.choice(
            [
                f"{year}-{month:02d}-{day:02d}{rng.choice(' T')}{clock}{zone}",
                f"{year}-{month}-{day}",
                f"{day:02d}/{month:02d}/{year} {clock}",
                f"{day}/{month}/{year % 100:02d} {hour}:{minute:02d}{noon}",
                f"{day:02d}-{month:02d}-{year} {clock}",
                f"{day:02d}.{month:02d}.{year}",
            ]
        )
        out.add(rng.choice(["", "", " "]) + text + rng.choice(["", "", " ", "\n"]))
    return sorted(out)


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[str]:
    """Replace ``module.name`` by a wrapper that records each first argument."""
    calls: list[str] = []
    wrapped: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0] if args else "")
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.parametrize("dtype", ["str", object])
def test_a_column_of_pseudonyms_reaches_no_rule(
    monkeypatch: pytest.MonkeyPatch, dtype: Any
) -> None:
    ids = _pseudonyms(3000)
    frame = pd.DataFrame({"person_id": ids, "notes": ids[::-1]}, index=range(2, 3002), dtype=dtype)
    judged = _counting(monkeypatch, identifiers, "_screen")
    confirmed = {name: _counting(monkeypatch, identifiers, name) for name in CONFIRMATIONS}
    memo = IdentifierMemo()
    assert find_identifiers(frame, table="people", memo=memo) == []
    # Not read into Python at all: no value judged, none confirmed by any rule.
    assert judged == [] and len(memo) == 0
    assert all(calls == [] for calls in confirmed.values())


def test_identifiers_among_pseudonyms_are_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _pseudonyms(3000, seed=1)
    ids[10] = "07700 900123"
    ids[20] = "PM" + ids[21][2:].upper()  # not a pseudonym: upper case (and no identifier)
    ids[30] = f" {ids[31]}\t"  # a pseudonym with spaces around, as str.strip() takes them
    ids[40] = "2010-02-03"  # a date of birth as a key
    phone_calls = _counting(monkeypatch, identifiers, "has_phone_number")
    frame = pd.DataFrame({"person_id": ids}, index=range(2, 3002), dtype="str")
    found = {(f.rule, f.rows) for f in find_identifiers(frame, table="people")}
    assert found == {("phone", (12,)), ("date_of_birth", (42,))}
    assert phone_calls == ["07700 900123"]


def test_a_named_column_of_pseudonyms_is_accepted_and_others_listed() -> None:
    # A column whose name says it holds names is accepted when every value is a
    # pseudonym; the rows of those that are not are named.
    names = _pseudonyms(500, seed=2)
    frame = pd.DataFrame({"full_name": names}, index=range(2, 502), dtype="str")
    assert find_identifiers(frame, table="people") == []
    names[7] = "x-17"
    frame = pd.DataFrame({"full_name": names}, index=range(2, 502), dtype="str")
    assert [(f.rule, f.kind, f.rows) for f in find_identifiers(frame, table="people")] == [
        ("name", "column_name", (9,))
    ]


@pytest.mark.parametrize("size", [40, 3000])  # a few distinct values skip the RE2 screens
def test_a_column_of_date_times_reaches_no_phone_matcher(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    dates = _date_times(size, seed=size)
    matched = _counting(monkeypatch, phonenumbers, "PhoneNumberMatcher")
    parsed = _counting(monkeypatch, phonenumbers, "parse")
    phone_calls = _counting(monkeypatch, identifiers, "has_phone_number")
    birth_calls = _counting(monkeypatch, identifiers, "has_birth_date")
    frame = pd.DataFrame({"date": dates}, index=range(2, size + 2), dtype="str")
    assert find_identifiers(frame, table="sightings") == []
    assert matched == [] and parsed == []
    if size > identifiers._SCREEN_FROM:  # left out by the screens: not even in Python
        assert phone_calls == [] and birth_calls == []


@pytest.mark.parametrize("size", [40, 3000])
@pytest.mark.parametrize(
    "note",
    [
        "rang 07700 900123 on 2025-04-01 14:22",
        "on 2025-04-01 14:22 rang 07700 900123",
        "01/04/2025 14:22 rang 020 7946 0000",
        "2025-04-01T14:22:05Z +44 7700 900456",
        "2025-04-01 14:22 07700 900123",  # the minutes joined the number (session 25)
        "at 14:22 020 7946 0000",
    ],
)
def test_a_phone_number_next_to_a_date_time_is_found(size: int, note: str) -> None:
    notes = _date_times(size, seed=3)
    notes[size // 2] = note
    frame = pd.DataFrame({"notes": notes}, index=range(2, size + 2), dtype="str")
    found = [(f.rule, f.rows) for f in find_identifiers(frame, table="sightings")]
    assert found == [("phone", (size // 2 + 2,))]


@pytest.mark.parametrize("size", [40, 3000])
@pytest.mark.parametrize(
    ("table", "column"), [("people", "person_id"), ("ties", "person_b"), ("people", "age")]
)
def test_a_date_alone_in_a_key_or_an_age_is_still_a_date_of_birth(
    size: int, table: str, column: str
) -> None:
    values = [f"yp-{i:06d}" for i in range(size)]
    values[5] = "2010-02-03 00:00"
    values[6] = "03/02/2010"
    frame = pd.DataFrame({column: values}, index=range(2, size + 2), dtype="str")
    found = [(f.rule, f.rows) for f in find_identifiers(frame, table=table)]
    assert found == [("date_of_birth", (7, 8))]
    # Elsewhere a record's own date is no identifier.
    frame = pd.DataFrame({"seen": values}, index=range(2, size + 2), dtype="str")
    assert find_identifiers(frame, table="sightings") == []


def test_a_date_alone_held_no_phone_number_nor_date_of_birth_before_the_shortcut() -> None:
    # The shortcut says what the rules said, slowly: phones' candidate loop (without
    # the shortcut) and the birth-date test outside keys and ages find nothing.
    for text in _date_times(4000, seed=4):
        assert re.fullmatch(DATE_CELL, text), text
        assert not phones._has_phone_candidate(text, venue_text=False), text
        assert not phones._has_phone_candidate(text, venue_text=True), text
        assert not has_birth_date(text), text
        assert identifier_rule(text, table="sightings", column="date") is None


def _near(texts: list[str], count: int, seed: int) -> list[str]:
    """ASCII texts a character or two from `texts`: where two engines could part."""
    rng = random.Random(seed)
    alphabet = "0123456789 -/.:+TZapm\t\x0b\x1c\x1f\r\nPMqz7"
    out = set(texts)
    while len(out) < count:
        chars = list(rng.choice(texts))
        for _ in range(rng.randint(1, 2)):
            at = rng.randint(0, len(chars))
            if rng.random() < 0.5:
                chars.insert(at, rng.choice(alphabet))
            elif chars:
                chars[min(at, len(chars) - 1)] = rng.choice(alphabet)
        out.add("".join(chars))
    return sorted(out)


@pytest.mark.parametrize(
    ("pattern", "python", "seeds"),
    [
        (DATE_ONLY, lambda t: re.fullmatch(DATE_CELL, t) is not None, _date_times(300, seed=5)),
        (
            PSEUDONYM_ONLY,
            lambda t: re.fullmatch(PSEUDONYM_PATTERN, t.strip()) is not None,
            _pseudonyms(300, seed=5),
        ),
    ],
)
def test_the_whole_value_patterns_read_alike_in_re2_and_python(
    pattern: str, python: Callable[[str], bool], seeds: list[str]
) -> None:
    texts = _near(seeds, 6000, seed=6)
    in_re2 = pc.match_substring_regex(pa.array(texts, pa.large_string()), pattern).to_pylist()
    assert in_re2 == [python(t) for t in texts]
    assert 0 < sum(in_re2) < len(texts)


def _system_ids(size: int, seed: int) -> list[str]:
    """UUIDs (some braced, some in capitals) and bare hexadecimal ids, as case systems
    keyed by GUIDs export them."""
    import uuid

    rng = random.Random(seed)
    out = []
    for i in range(size):
        value = uuid.UUID(int=rng.getrandbits(128))
        out.append(
            (str(value), "{" + str(value).upper() + "}", value.hex, value.hex.upper()[:20])[i % 4]
        )
    return out


@pytest.mark.parametrize("size", [40, 3000])
def test_a_column_of_system_ids_reaches_no_phone_matcher(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # A UUID's digit runs went through phonenumbers: 50,000 UUIDs took 6.7 s.
    ids = _system_ids(size, seed=size)
    parsed = _counting(monkeypatch, phonenumbers, "parse")
    frame = pd.DataFrame({"person_id": ids}, index=range(2, size + 2), dtype="str")
    assert find_identifiers(frame, table="people") == []
    assert parsed == []


@pytest.mark.parametrize("size", [40, 3000])
def test_a_phone_number_next_to_a_system_id_is_found(size: int) -> None:
    notes = _system_ids(size, seed=5)
    notes[size // 2] = f"rang 07700 900123 about {notes[size // 2]}"
    frame = pd.DataFrame({"notes": notes}, index=range(2, size + 2), dtype="str")
    found = [(f.rule, f.rows) for f in find_identifiers(frame, table="sightings")]
    assert found == [("phone", (size // 2 + 2,))]
