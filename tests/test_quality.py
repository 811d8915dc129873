"""The data-quality profile, checked on a dataset with planted defects.

The dataset is read from CSV files as partners export them, with every figure worked out
by hand:

    people     p1-p6; p4 is 40 (rejected, age_range); sex empty for p2, p5; looked_after
               empty for p2, p5 (of the 5 kept)
    places     v1, v2 inside the demo region; v3 300 m outside it (nearest); v4 far
               outside (outside, a warning); only v1 has a label
    ties  row  2 p1-p2 police unverified, last_seen given          kept
               3 p1-p3 police, last_seen before first_seen          rejected (date_order)
               4 p2-p3 school unverified, no last_seen              kept
               5 p3-p4 school: p4 was rejected                      rejected (rejected_reference)
               6 p1-p5 social_care, last_seen 2099                  rejected (future_date)
               7 p5-p6 "POLICE" unverified, no last_seen            kept
               8 p2-p6 kind "bogus", source empty                   rejected (enum, required)
    sightings  2 p1@v1 police unverified                            kept
               3 p2@v1 health reported                              kept
               4 p3@v2 health, date 31/02/2024                      rejected (date)
               5 p5@v3 school confirmed                             kept
               6 a copy of row 2                                    rejected (duplicate_row)
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import peermap
from conftest import MakeDataset
from peermap.data_quality import QualityProfile, quality

A, B = "X09000001", "X09000002"


def _write(folder: Path, name: str, rows: list[tuple[object, ...]], header: list[str]) -> None:
    pd.DataFrame(rows, columns=header).to_csv(folder / f"{name}.csv", index=False)


@pytest.fixture(scope="module")
def defects(tmp_path_factory: pytest.TempPathFactory) -> peermap.Dataset:
    folder = tmp_path_factory.mktemp("defects")
    _write(
        folder,
        "people",
        [
            ("p1", A, 14, "F", "yes"),
            ("p2", A, 15, "", ""),
            ("p3", B, 16, "M", "no"),
            ("p4", B, 40, "F", ""),
            ("p5", "Harrowfield", 13, "", ""),
            ("p6", A, 12, "X", "no"),
        ],
        ["person_id", "home_authority", "age", "sex", "looked_after"],
    )
    _write(
        folder,
        "places",
        [
            ("v1", "hotel", 693500, 315500, "Hotel A"),
            ("v2", "park", 700821, 315400, ""),
            ("v3", "school", 689700, 310000, ""),
            ("v4", "other", 500000, 200000, ""),
        ],
        ["place_id", "kind", "easting", "northing", "label"],
    )
    _write(
        folder,
        "ties",
        [
            ("p1", "p2", "friend", "2024-01-05", "2024-02-01", "police", "unverified"),
            ("p1", "p3", "friend", "2024-02-01", "2024-01-01", "police", "reported"),
            ("p2", "p3", "partner", "2024-03-01", "", "school", "unverified"),
            ("p3", "p4", "friend", "2024-03-01", "", "school", "confirmed"),
            ("p1", "p5", "associate", "2024-05-01", "2099-01-01", "social_care", "reported"),
            ("p5", "p6", "friend", "2024-04-10", "", "POLICE", "unverified"),
            ("p2", "p6", "bogus", "2024-01-01", "", "", "reported"),
        ],
        ["person_a", "person_b", "kind", "first_seen", "last_seen", "source", "reliability"],
    )
    _write(
        folder,
        "sightings",
        [
            ("p1", "v1", "2024-01-10", "cse", "police", "unverified"),
            ("p2", "v1", "2024-01-11", "cse", "health", "reported"),
            ("p3", "v2", "31/02/2024", "cse", "health", "reported"),
            ("p5", "v3", "2024-03-03", "cse", "school", "confirmed"),
            ("p1", "v1", "2024-01-10", "cse", "police", "unverified"),
        ],
        ["person_id", "place_id", "date", "context", "source", "reliability"],
    )
    return peermap.read_dataset(folder, boundaries=peermap.demo_boundaries(), strict=False)


def _rows(frame: pd.DataFrame, *keys: str) -> dict[tuple[object, ...], dict[str, object]]:
    return {
        tuple(r[k] for k in keys): {c: v for c, v in r.items() if c not in keys}
        for r in frame.to_dict("records")
    }


def _same(a: object, b: object) -> bool:
    if isinstance(b, float) and math.isnan(b):
        return a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a))
    if isinstance(b, float):
        return isinstance(a, int | float) and math.isclose(float(a), b)
    return a == b


def _check(got: dict[str, object], want: dict[str, object]) -> None:
    for key, value in want.items():
        assert _same(got[key], value), (key, got[key], value)


def test_records_per_table(defects: peermap.Dataset) -> None:
    q = quality(defects)
    assert isinstance(q, QualityProfile) and not q.merged
    t = _rows(q.tables, "table")
    nan = float("nan")
    _check(t[("people",)], {"read": 6, "rejected": 1, "records": 5, "share_rejected": 1 / 6})
    _check(t[("places",)], {"read": 4, "rejected": 0, "records": 4, "unverified": nan})
    _check(
        t[("ties",)],
        {"read": 7, "rejected": 4, "records": 3, "unverified": 3, "share_unverified": 1.0},
    )
    _check(
        t[("sightings",)],
        {"read": 5, "rejected": 2, "records": 3, "unverified": 1, "share_unverified": 1 / 3},
    )
    _check(t[("relocations",)], {"read": 0, "records": 0, "share_rejected": nan})
    assert "multi_partner" not in q.tables  # not a merged dataset
    assert q.partners.empty and q.conflicts.empty


def test_per_source_agency(defects: peermap.Dataset) -> None:
    s = _rows(quality(defects).sources, "table", "source")
    assert set(s) == {
        ("people", "all"),
        ("places", "all"),
        ("ties", "police"),
        ("ties", "social_care"),
        ("ties", "school"),
        ("ties", "(not given)"),
        ("sightings", "police"),
        ("sightings", "school"),
        ("sightings", "health"),
    }
    # "POLICE" is police; the row with no source is counted as "(not given)".
    _check(s[("ties", "police")], {"records": 2, "unverified": 2, "rejected": 1})
    _check(s[("ties", "police")], {"share_unverified": 1.0, "share_rejected": 1 / 3})
    _check(s[("ties", "school")], {"records": 1, "unverified": 1, "rejected": 1})
    _check(s[("ties", "social_care")], {"records": 0, "rejected": 1, "share_rejected": 1.0})
    _check(s[("ties", "(not given)")], {"records": 0, "rejected": 1})
    _check(s[("sightings", "police")], {"records": 1, "unverified": 1, "rejected": 1})
    _check(s[("sightings", "health")], {"records": 1, "unverified": 0, "rejected": 1})
    _check(s[("sightings", "school")], {"records": 1, "rejected": 0, "share_unverified": 0.0})
    _check(s[("people", "all")], {"records": 5, "rejected": 1})


def test_optional_fields_left_empty(defects: peermap.Dataset) -> None:
    m = _rows(quality(defects).missing, "table", "source", "column")
    assert set(m) == {
        ("people", "all", "sex"),
        ("people", "all", "looked_after"),
        ("places", "all", "label"),
        ("ties", "police", "last_seen"),
        ("ties", "school", "last_seen"),
    }
    _check(m[("people", "all", "sex")], {"records": 5, "missing": 2, "share_missing": 0.4})
    _check(m[("people", "all", "looked_after")], {"records": 5, "missing": 2})
    _check(m[("places", "all", "label")], {"records": 4, "missing": 3, "share_missing": 0.75})
    _check(m[("ties", "police", "last_seen")], {"records": 2, "missing": 1})
    _check(m[("ties", "school", "last_seen")], {"records": 1, "missing": 1})


def test_rows_set_aside_by_rule_and_warnings(defects: peermap.Dataset) -> None:
    q = quality(defects)
    r = {k: v["rows"] for k, v in _rows(q.rejected, "table", "rule", "source").items()}
    assert r == {
        ("people", "age_range", "all"): 1,
        ("ties", "date_order", "police"): 1,
        ("ties", "enum", "(not given)"): 1,
        ("ties", "future_date", "social_care"): 1,
        ("ties", "rejected_reference", "school"): 1,
        ("ties", "required", "(not given)"): 1,
        ("sightings", "date", "health"): 1,
        ("sightings", "duplicate_row", "police"): 1,
    }
    # Rows set aside per table agree with the report.
    for table, n in q.rejected.groupby("table")["rows"].sum().items():
        assert n >= len(defects.report.rejected[str(table)])
    w = {k: v["problems"] for k, v in _rows(q.warnings, "table", "rule").items()}
    assert w == {("places", "outside_boundaries"): 1}


def test_dates_out_of_order(defects: peermap.Dataset) -> None:
    d = {k: v["rows"] for k, v in _rows(quality(defects).dates, "table", "check", "source").items()}
    assert d == {
        ("ties", "date in the future", "social_care"): 1,
        ("ties", "last seen before first seen", "police"): 1,
        ("sightings", "date not readable", "health"): 1,
    }


def test_dates_out_of_order_in_records_built_by_hand(defects: peermap.Dataset) -> None:
    """A dataset put together in code (not read) can hold a backwards tie: it is counted."""
    ties = defects.ties.copy()
    ties.loc[0, "last_seen"] = pd.Timestamp("2023-01-01")
    d = _rows(quality(defects.replace(ties=ties)).dates, "table", "check", "source")
    assert d[("ties", "last seen before first seen (kept)", "police")]["rows"] == 1


def test_places_assigned(defects: peermap.Dataset) -> None:
    a = {k[0]: v for k, v in _rows(quality(defects).assignment, "assignment").items()}
    assert {k: v["places"] for k, v in a.items()} == {
        "within": 2,
        "on_boundary": 0,
        "nearest": 1,
        "outside": 1,
    }
    assert a["nearest"]["share"] == 0.25
    no_bounds = peermap.read_dataset(
        {"people": defects.people, "places": pd.DataFrame(defects.places.drop(columns="geometry"))}
    )
    b = _rows(quality(no_bounds).assignment, "assignment")
    assert b[("not assigned",)]["places"] == 4


def test_duplicates_across_partners_after_merge(defects: peermap.Dataset) -> None:
    """Records carry the codes of every partner that reported them (merge provenance)."""
    two, one_a, one_b = f"{A};{B}", A, B
    conflicts = pd.DataFrame(
        [
            ("people", "p1", "age", "14", A, True),
            ("people", "p1", "age", "15", B, False),
            ("places", "v2", "label", "Park", B, True),
        ],
        columns=["table", "id", "column", "value", "provenance", "kept"],
    )
    merged = defects.replace(
        people=defects.people.assign(provenance=[two, two, one_a, one_b, one_a]),
        places=defects.places.assign(provenance=[two, one_b, one_b, [A]]),  # a list works too
        ties=defects.ties.assign(provenance=[two, one_b, one_a]),
        sightings=defects.sightings.assign(provenance=[two, two, one_b]),
        relocations=defects.relocations.assign(provenance=pd.Series(dtype=str)),
        meta={**defects.meta, "conflicts": conflicts},
    )
    q = quality(merged)
    assert q.merged
    t = _rows(q.tables, "table")
    _check(t[("people",)], {"multi_partner": 2, "share_multi_partner": 0.4})
    _check(t[("places",)], {"multi_partner": 1})
    _check(t[("ties",)], {"multi_partner": 1, "share_multi_partner": 1 / 3})
    _check(t[("sightings",)], {"multi_partner": 2})
    p = _rows(q.partners, "table", "partner")
    _check(p[("people", A)], {"records": 4, "multi_partner": 2, "share_multi_partner": 0.5})
    _check(p[("people", B)], {"records": 3, "multi_partner": 2})
    _check(p[("ties", A)], {"records": 2, "multi_partner": 1, "unverified": 2})
    _check(p[("ties", B)], {"records": 2, "multi_partner": 1, "share_unverified": 1.0})
    c = {k: v["records"] for k, v in _rows(q.conflicts, "table", "column").items()}
    assert c == {("people", "age"): 1, ("places", "label"): 1}
    a = _rows(q.assignment, "partner", "assignment")
    assert a[(A, "within")]["places"] == 1 and a[(A, "outside")]["places"] == 1
    assert a[(B, "nearest")]["places"] == 1 and a[("all", "within")]["places"] == 2
    text = q.to_markdown()
    assert "### Per partner" in text and "### Disagreements between partners" in text


def test_the_real_merge_is_profiled(make_dataset: MakeDataset) -> None:
    from peermap.merging import merge

    def one(people: list[tuple[str, str, int]], ties: list[tuple[str, ...]]) -> peermap.Dataset:
        columns = ["person_a", "person_b", "kind", "first_seen", "source", "reliability"]
        return make_dataset(
            people=people,
            places=[("v1", "park", 693500.0, 315500.0)],
            ties=pd.DataFrame(ties, columns=columns),
        )

    first = one(
        [("a", A, 14), ("b", B, 15)], [("a", "b", "friend", "2024-01-01", "police", "reported")]
    )
    second = one(
        [("a", A, 15), ("b", B, 15), ("c", B, 13)],
        [
            ("a", "b", "friend", "2024-01-01", "police", "reported"),
            ("b", "c", "sibling", "2024-01-01", "school", "unverified"),
        ],
    )
    q = quality(merge([first, second], producers=[A, B]))
    t = _rows(q.tables, "table")
    _check(t[("people",)], {"records": 3, "multi_partner": 2})
    _check(t[("ties",)], {"records": 2, "multi_partner": 1, "unverified": 1})
    assert {k: v["records"] for k, v in _rows(q.conflicts, "table", "column").items()} == {
        ("people", "age"): 1
    }


def test_report_section_shows_no_record_values(defects: peermap.Dataset) -> None:
    q = quality(defects)
    md = q.to_markdown()
    page = q.to_html()
    text = str(q)
    for out in (md, page, text):
        for needle in ("p1", "p4", "v3", "Hotel A", "2099", "31/02/2024", "bogus"):
            assert needle not in out, needle
    assert md.startswith("## Data quality\n") and "### Rows set aside, by rule" in md
    assert "| ties | date_order | police | 1 |" in md
    assert "| people | all | sex | 5 | 2 | 40.0% |" in md
    assert page.startswith('<section class="pm-quality"><h2>Data quality</h2>')
    assert "<table" in page and "<h3>Dates out of order</h3>" in page
    assert quality(defects).to_markdown(level=3).startswith("### Data quality")
    assert text.startswith("Data quality") and "Places assigned to authorities" in text


def test_a_clean_synthetic_dataset() -> None:
    ds = peermap.synthetic.scenario(peermap.demo_boundaries(), n_people=300, seed=2).dataset
    q = quality(ds)
    assert q.rejected.empty and q.dates.empty
    t = _rows(q.tables, "table")
    unverified = int((ds.ties["reliability"] == "unverified").sum())
    _check(t[("ties",)], {"records": len(ds.ties), "unverified": unverified})
    by_source = q.sources[q.sources["table"] == "ties"]
    assert int(by_source["records"].sum()) == len(ds.ties)
    assert int(by_source["unverified"].sum()) == unverified
