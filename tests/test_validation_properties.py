"""Property-based tests: any mix of good and bad rows is split with no row lost."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from peermap import ValidationError
from peermap.validation import read_dataset

ids = st.sampled_from(["p1", "p2", "p3", "p4", "p5", "", " p1 ", "P1"])
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
ages = st.one_of(st.sampled_from(["14", "9", "30", "-1", "12.0", "12.5", "", "x"]), text)
authorities = st.one_of(st.sampled_from(["E09000007", "E0900007", "Camden", ""]), text)
sexes = st.one_of(st.sampled_from(["F", "m", " X ", "unknown", "", "Q"]), text)
bools = st.sampled_from(["yes", "no", "TRUE", "0", "", "maybe"])
dates = st.one_of(
    st.sampled_from(["2024-01-05", "05/01/2024", "2024-02-30", "2999-01-01", "", "soon"]),
    text,
)
kinds = st.sampled_from(["friend", "Ex-Partner", "sibling", "rival", ""])
sources = st.sampled_from(["police", "School", "", "rumour"])
grades = st.sampled_from(["confirmed", "reported", "", "sure"])

people_rows = st.lists(st.tuples(ids, authorities, ages, sexes, bools), max_size=12)
place_rows = st.lists(
    st.tuples(
        st.sampled_from(["h1", "h2", "", "h1 "]),
        st.sampled_from(["hotel", "Park", "castle", ""]),
        st.sampled_from(["-0.12", "51.5", "abc", "", "-50"]),
        st.sampled_from(["51.53", "-0.12", "", "90"]),
    ),
    min_size=0,
    max_size=6,
)
tie_rows = st.lists(
    st.tuples(ids, ids, kinds, dates, dates, sources, grades),
    max_size=12,
)
sighting_rows = st.lists(
    st.tuples(ids, st.sampled_from(["h1", "h2", "zz", ""]), dates, sources, grades),
    max_size=12,
)


def _frames(people, places, ties, sightings) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    return {
        "people": pd.DataFrame(
            people, columns=["person_id", "home_authority", "age", "sex", "looked_after"]
        ),
        "places": pd.DataFrame(places, columns=["place_id", "kind", "lon", "lat"]),
        "ties": pd.DataFrame(
            ties,
            columns=[
                "person_a",
                "person_b",
                "kind",
                "first_seen",
                "last_seen",
                "source",
                "reliability",
            ],
        ),
        "sightings": pd.DataFrame(
            [(p, pl, d, "cse", s, g) for p, pl, d, s, g in sightings],
            columns=["person_id", "place_id", "date", "context", "source", "reliability"],
        ),
    }


def _check_split(frames: dict[str, pd.DataFrame], source: object) -> None:
    ds = read_dataset(source, strict=False)  # type: ignore[arg-type]
    report = ds.report
    errors_by_row: dict[tuple[str, object], int] = {}
    for p in report.errors:
        errors_by_row[(p.table, p.row)] = errors_by_row.get((p.table, p.row), 0) + 1
    for name, frame in frames.items():
        nonblank = int((frame.astype(str).map(str.strip) != "").any(axis=1).sum())
        counts = report.counts[name]
        assert counts["read"] == nonblank
        assert counts["read"] == counts["accepted"] + counts["rejected"]
        assert counts["accepted"] == len(ds.table(name))
        rejected = report.rejected[name]
        assert len(rejected) == counts["rejected"]
        whole_table = any(p.table == name and p.row is None for p in report.errors)
        for row in rejected.index:
            assert whole_table or (name, row) in errors_by_row, (name, row)
    assert ds.people["person_id"].is_unique
    known = set(ds.people["person_id"])
    assert set(ds.ties["person_a"]) <= known and set(ds.ties["person_b"]) <= known
    assert set(ds.sightings["person_id"]) <= known
    assert set(ds.sightings["place_id"]) <= set(ds.places["place_id"])
    try:
        strict = read_dataset(source)  # type: ignore[arg-type]
    except ValidationError as exc:
        assert exc.report is not None and not exc.report.ok
    else:
        assert report.ok and len(strict.people) == len(ds.people)


@settings(max_examples=examples(40), deadline=None)
@given(people_rows, place_rows, tie_rows, sighting_rows)
def test_frames_split_with_no_row_lost(people, places, ties, sightings) -> None:  # type: ignore[no-untyped-def]
    frames = _frames(people, places, ties, sightings)
    _check_split(frames, frames)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people_rows, place_rows, tie_rows, sighting_rows)
def test_csv_files_split_with_no_row_lost(people, places, ties, sightings) -> None:  # type: ignore[no-untyped-def]
    frames = _frames(people, places, ties, sightings)
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in frames.items():
            with open(Path(tmp) / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(frame.columns)
                writer.writerows(frame.itertuples(index=False))
        # CSV rows are numbered as a spreadsheet shows them: the header is row 1.
        _check_split(frames, Path(tmp))
