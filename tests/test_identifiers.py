"""Issue 17: the identifier detector's misses and false alarms, redaction, and its
measured precision and recall on the labelled set in benchmarks/data/."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

import peermap
from _benchmarks import benchmark_module
from peermap.privacy import (
    IDENTIFIER_RULES,
    REDACTIONS,
    column_name_rule,
    find_identifiers,
    identifier_rule,
    redact,
    upn_check_letter,
)

bench = benchmark_module("bench_identifiers")

MISSED_VALUES = [
    ("NW1-8NH", "postcode"),
    ("N W 1 8 N H", "postcode"),
    ("jay at gmail dot com", "email"),
    ("jay(at)gmail.com", "email"),
    ("07700.900.123", "phone"),
    ("447700900123", "phone"),
    ("7700900123", "phone"),
    ("943.476.5919", "nhs_number"),
    ("AB-12-34-56-C", "ni_number"),
    ("AB 12 34 56", "ni_number"),
    ("H801200001001", "pupil_number"),
    ("AB12 CDE", "vehicle_registration"),
    ("P745 KLM", "vehicle_registration"),
    ("HGF 45T", "vehicle_registration"),
    ("@jay_99", "social_media"),
    ("snap: jayjay", "social_media"),
]


@pytest.mark.parametrize(("value", "rule"), MISSED_VALUES)
@pytest.mark.parametrize("table", ["ties", "places"])
def test_missed_values_are_found(value: str, rule: str, table: str) -> None:
    frame = pd.DataFrame({"notes": ["park", value]}, index=[2, 3])
    findings = find_identifiers(frame, table=table)
    assert [(f.rule, f.rows) for f in findings] == [(rule, (3,))]
    assert value not in findings[0].message


def test_full_name_in_a_place_label_is_found() -> None:
    frame = pd.DataFrame({"label": ["Jayden Smith's house", "Victoria Park"]})
    (finding,) = find_identifiers(frame, table="places")
    assert (finding.rule, finding.rows) == ("name", (0,))
    assert "Jayden" not in finding.message


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        ("BirthDt", "date_of_birth"),
        ("yob", "date_of_birth"),
        ("snapchat", "social_media"),
        ("vehicle_reg", "vehicle_registration"),
    ],
)
def test_missed_column_names_are_refused(column: str, rule: str) -> None:
    assert column_name_rule(column) == rule
    frame = pd.DataFrame({column: ["x"]})
    assert [(f.rule, f.kind) for f in find_identifiers(frame, table="people")] == [
        (rule, "column_name")
    ]


@pytest.mark.parametrize("column", ["gang_name", "email_sent", "dob_known"])
def test_wrongly_refused_column_names_pass(column: str) -> None:
    assert column_name_rule(column) is None
    frame = pd.DataFrame({column: ["Northside", "yes", "no"]})
    assert find_identifiers(frame, table="people") == []


@pytest.mark.parametrize("value", ["CH-9434765919", "01234567890", "pl-00001"])
@pytest.mark.parametrize("column", ["person_id", "notes"])
def test_local_ids_pass(value: str, column: str) -> None:
    assert find_identifiers(pd.DataFrame({column: [value]}), table="people") == []


class TestVenuePhoneRule:
    def test_business_landline_in_place_label_is_allowed(self) -> None:
        labels = ["Chicken Shack 020 7946 0000", "Kebab House tel 0121 496 0123"]
        frame = pd.DataFrame({"label": labels, "name": ["Chicken Shack", "Kebab House"]})
        assert find_identifiers(frame, table="places") == []

    @pytest.mark.parametrize(
        "label", ["owner 07700 900123", "020 7946 0000", "Chicken Shack +447700900123"]
    )
    def test_mobile_or_bare_number_in_place_label_is_refused(self, label: str) -> None:
        findings = find_identifiers(pd.DataFrame({"label": [label]}), table="places")
        assert [f.rule for f in findings] == ["phone"]

    @pytest.mark.parametrize(("table", "column"), [("people", "notes"), ("places", "notes")])
    def test_landline_outside_place_labels_is_refused(self, table: str, column: str) -> None:
        frame = pd.DataFrame({column: ["Chicken Shack 020 7946 0000"]})
        assert [f.rule for f in find_identifiers(frame, table=table)] == ["phone"]


class TestRedact:
    def test_every_rule_has_a_redaction_text(self) -> None:
        assert set(REDACTIONS) == set(IDENTIFIER_RULES)
        assert REDACTIONS["phone"] == "[withheld: looks like a phone number]"
        for text in REDACTIONS.values():
            assert text.startswith("[withheld: looks like ") and text.endswith("]")

    @pytest.mark.parametrize(("value", "rule"), MISSED_VALUES)
    def test_identifiers_are_redacted(self, value: str, rule: str) -> None:
        assert redact(value) == REDACTIONS[rule]
        assert peermap.redact(value) == REDACTIONS[rule]

    def test_clean_values_are_shown(self) -> None:
        assert redact("Victoria Park") == "Victoria Park"
        assert redact(14) == "14"
        assert redact(None) == ""
        assert redact(float("nan")) == ""

    def test_whole_column_redacted_by_name(self) -> None:
        assert redact("Smith", column="surname") == REDACTIONS["name"]
        assert redact("2010-04-01", column="BirthDt") == REDACTIONS["date_of_birth"]
        assert redact("Northside", column="gang_name") == "Northside"

    def test_venue_landline_shown_in_place_label_only(self) -> None:
        label = "Chicken Shack 020 7946 0000"
        assert redact(label, table="places", column="label") == label
        assert redact(label, table="ties", column="notes") == REDACTIONS["phone"]


def test_upn_check_letter() -> None:
    # DfE's worked example, and a temporary UPN (a letter last).
    assert upn_check_letter("801200001001") == "H"
    assert identifier_rule("H801200001001") == "pupil_number"
    assert identifier_rule("J801200001001") is None  # wrong check letter
    assert upn_check_letter("80120000100A") is not None
    assert upn_check_letter("8012") is None


def test_first_name_list_ships_with_source_and_licence() -> None:
    text = files("peermap").joinpath("data", "first_names.txt").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Office for National Statistics" in header
    assert "Open Government Licence" in header
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(names) > 500
    assert "Jayden" in names


def test_precision_and_recall_on_the_labelled_set() -> None:
    """Regression guard: the figures published in docs/privacy.md."""
    rows = bench.load()
    assert len(rows) >= 300
    assert {r["rule"] for r in rows} >= set(IDENTIFIER_RULES) - {"date_of_birth", "address"}
    scores = bench.score(rows)
    assert scores.recall >= 0.95, scores.disagreements
    assert scores.precision >= 0.95, scores.disagreements


def test_coordinates_and_dates_in_typed_columns_are_not_identifiers() -> None:
    # National Grid points (six-digit eastings and northings) look like phone numbers as
    # text; a typed geometry or date column is not free text (numbers are still read).
    import geopandas as gpd
    import shapely

    from peermap.privacy import find_identifiers

    rng = np.random.default_rng(1)
    xy = rng.integers(100_000, 700_000, size=(200, 2))
    frame = gpd.GeoDataFrame(
        {
            "place_id": [f"pl{i}" for i in range(200)],
            "easting": xy[:, 0].astype(float),
            "seen": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 200), "D"),
        },
        geometry=shapely.points(xy),
        crs="EPSG:27700",
    )
    assert find_identifiers(frame, table="places") == []
    # Geometries read as text (well-known text) are coordinates too.
    as_text = pd.DataFrame(
        {"place_id": frame["place_id"], "wkt": frame.geometry.to_wkt().to_numpy(dtype=object)}
    )
    assert find_identifiers(as_text, table="places") == []
    assert find_identifiers(pd.DataFrame({"note": ["POINT (1 2) call 07700 900123"]}), table="x")
    # The same digits typed as text in a label are still looked at.
    frame["label"] = ["call 07700 900123" if i == 7 else "park" for i in range(200)]
    found = find_identifiers(frame, table="places")
    assert [f.column for f in found] == ["label"]


def test_a_lone_at_sign_and_a_letter_or_two_is_not_a_handle() -> None:
    # Free text such as "@A" or "@ab" (a cell reference, a typo) is not a handle: a bare
    # handle needs at least three characters; a named platform needs none.
    from peermap.privacy import identifier_rule

    for value in ("@A", "@ab", "see @B2"):
        assert identifier_rule(value, table="ties", column="notes") is None, value
    for value in ("@abc", "@jay_99", "snap: kd"):
        assert identifier_rule(value, table="ties", column="notes") == "social_media", value


def test_a_platform_named_with_a_hyphen_is_not_a_handle_but_its_handle_is() -> None:
    # "Snap-Chat group" names a platform (as an online place's label may), not an account:
    # refusing it refused the whole input. A handle after such a name is still found.
    from peermap.privacy import identifier_rule

    for value in ("Snap-Chat", "Snap-Chat group", "via Tik-Tok live", "X-box party", "Face-book"):
        assert identifier_rule(value, table="places", column="label") is None, value
    for value in ("Snap-Chat: kaylz05", "Tik-Tok - jay_99", "insta-gram: j.x", "snap - kaylz"):
        assert identifier_rule(value, table="places", column="label") == "social_media", value


def test_a_name_written_as_one_token_is_refused_in_a_key_and_in_free_text() -> None:
    # Some systems key young people as user names are written: "jayden_smith".
    from peermap.privacy import identifier_rule

    for value in ("jayden_smith", "Jayden.Smith", "JaydenSmith", "kayla-brown", "SMITH_JAYDEN"):
        assert identifier_rule(value, table="people", column="person_id") == "name", value
    # Many surnames are first names too (Ali, James, Thomas): joined as user names are,
    # two first names are a full name; joined by a hyphen they are a double first name.
    for value in ("mohammed_ali", "Thomas.James", "AliHassan", "ALI_MOHAMMED"):
        assert identifier_rule(value, table="people", column="person_id") == "name", value
    for value in ("kayla-mae", "rose-mae", "mo_ali"):
        assert identifier_rule(value, table="people", column="person_id") is None, value
    # Ids, words and first names alone are not names; nor, in a place's key or label,
    # places named after people (the first-name list holds Crystal, Ruby, Summer, ...).
    for value in ("CH-ABC", "north-east", "grace_park", "kayla-mae", "yp-jayden", "case_open"):
        assert identifier_rule(value, table="people", column="person_id") is None, value
    for value in ("drop-off point", "Grace.Academy", "first_seen", "jordan_road"):
        assert identifier_rule(value, table="places", column="label") is None, value
    for value in ("crystal_palace", "Ruby_Tuesday", "queen_mary", "robin_hood", "summer_camp"):
        for column in ("place_id", "label"):
            assert identifier_rule(value, table="places", column=column) is None, value
