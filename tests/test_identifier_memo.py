"""One read's identifier scan shares its verdicts across columns (issue 22).

A person's id is in five columns of a dataset; :class:`IdentifierMemo` lets the scan
judge each distinct value once per read. What it finds must not change: every column
still gets its own findings, rows and messages, and a verdict that depends on where a
value sits (a business's landline in a place's label) is not carried to other columns.
"""

from __future__ import annotations

import random

import pandas as pd

from peermap.privacy.identifiers import IdentifierMemo, find_identifiers

LANDLINE_LABEL = "Chicken Shack 020 7946 0000"


def _frames() -> list[tuple[str, pd.DataFrame]]:
    rng = random.Random(7)
    ids = [f"yp-{rng.randrange(10**6):06d}" for _ in range(300)]
    ninos = ["QQ 12 34 56 C", "AB123456C", "JG 10 37 58 A"]
    people = pd.DataFrame(
        {"person_id": ids + ninos[:1], "notes": ["", "ring 07700 900123"] * 150 + [""]},
        index=range(2, 303),
    )
    ties = pd.DataFrame(
        {
            "person_a": [*rng.sample(ids, 200), ninos[0], ninos[1]],
            "person_b": [*rng.sample(ids, 200), LANDLINE_LABEL, ninos[2]],
        },
        index=range(2, 204),
    )
    places = pd.DataFrame(
        {"place_id": ["pl-1", "pl-2", "pl-3"], "label": [LANDLINE_LABEL, "park", ninos[1]]},
        index=range(2, 5),
    )
    sightings = pd.DataFrame(
        {"person_id": [*rng.choices(ids, k=500), ninos[2]], "label": [LANDLINE_LABEL] * 501},
        index=range(2, 503),
    )
    return [("people", people), ("ties", ties), ("places", places), ("sightings", sightings)]


def test_shared_memo_finds_what_each_scan_alone_finds() -> None:
    memo = IdentifierMemo()
    for order in (1, -1):  # values judged first in one context, then in another
        memo = IdentifierMemo()
        for table, frame in _frames()[::order]:
            alone = find_identifiers(frame, table=table)
            shared = find_identifiers(frame, table=table, memo=memo)
            assert shared == alone
    # Judged in Python, once per read: every value of a column of a few distinct values,
    # which skips the RE2 screen (the notes' two, the places' three ids and three
    # labels, the sightings' label: the landline, "park", an NI number), and in the
    # columns of hundreds of ids only what some rule's screen finds there (the other
    # NI number; the landline again, judged once): not the 300 ids nor "QQ 12 34 56 C",
    # whose prefix no NI number has.
    assert len(memo) == 9


def test_place_label_landline_allowed_there_refused_elsewhere_with_one_memo() -> None:
    memo = IdentifierMemo()
    frames = dict(_frames())
    in_places = find_identifiers(frames["places"], table="places", memo=memo)
    in_sightings = find_identifiers(frames["sightings"], table="sightings", memo=memo)
    assert [(f.column, f.rule) for f in in_places] == [("label", "ni_number")]
    assert ("label", "phone") in [(f.column, f.rule) for f in in_sightings]
    # Every row holding it is named, not only the first one judged.
    found = next(f for f in in_sightings if f.rule == "phone")
    assert len(found.rows) == 501
