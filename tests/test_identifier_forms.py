"""Dates of birth, home addresses and names as records write them are refused by value.

Before these rules a date of birth or a street address was refused only by its column's
name, so ``DOB 03/02/2010`` in a note, a date of birth used as ``person_id`` and
``Flat 3, 27 High Street`` went in. Each rule is held against what it must find and the
look-alikes it must let through, and the whole read is held to refuse the file without
echoing the value.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import peermap
from _benchmarks import benchmark_module
from peermap import PrivacyError, read_dataset
from peermap.privacy import find_identifiers, identifier_rule

GOOD = Path(__file__).parent / "data" / "good"
DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
bench = benchmark_module("bench_identifiers")


def _rule(value: str, table: str = "sightings", column: str = "notes") -> str | None:
    return identifier_rule(value, table=table, column=column)


@pytest.mark.parametrize(
    "value",
    [
        "DOB 03/02/2010",
        "dob: 3.2.10",
        "D.O.B. 2010-02-03",
        "d o b 03-02-2010",
        "date of birth 3rd February 2010",
        "born 3 Feb 2010, lives with nan",
        "born on February 3, 2010",
        "birthday 03/02/2010",
        "b. 12/01/2007",
        "DoB – 5/9/2010",
        "DOB 03022010",
        "DOB 03 02 2010",
        "DOB 03/Feb/2010",
        "3/2/2010 - dob",
        "03.02.10 (DOB)",
        "YP born March 2010",
    ],
)
def test_dates_of_birth_in_text_are_found(value: str) -> None:
    assert _rule(value) == "date_of_birth"
    findings = find_identifiers(pd.DataFrame({"notes": ["seen at park", value]}), table="ties")
    assert [(f.rule, f.rows) for f in findings] == [("date_of_birth", (1,))]
    assert value not in findings[0].message


@pytest.mark.parametrize(
    "value",
    [
        "seen 12/04/2024",
        "2024-04-12",
        "DOB unknown, est. 15",
        "dob checked 12/04/2024 by school",
        "born and raised in Hackney",
        "born 12 weeks early",
        "missing 31/02/2024",  # not a date: no rule at all
        "aged 14",
        "seen 12/04/2024, DOB unknown",
        "12/04/2024 (DOB requested)",
        "friend's birthday 12/04/2024",  # a party, not a young person's birth
        "plan b. 12/04/2024",
    ],
)
def test_record_dates_and_birth_words_without_a_date_pass(value: str) -> None:
    assert _rule(value) is None


@pytest.mark.parametrize("value", ["2010-02-03", "03/02/2010", "SMITH-03/02/2010", "3 Feb 2010"])
@pytest.mark.parametrize(("table", "column"), [("people", "person_id"), ("ties", "person_a")])
def test_a_date_as_a_young_persons_key_is_a_date_of_birth(
    value: str, table: str, column: str
) -> None:
    assert _rule(value, table, column) == "date_of_birth"
    # The same value in a place's key or in free text is a date, not a birth date.
    assert _rule(value, "places", "place_id") is None
    if not value.startswith("SMITH"):
        assert _rule(value) is None


@pytest.mark.parametrize(
    "value", ["03/02/2010", "2010-02-03", "3 Feb 2010", "3/2/10", "12/04/2024"]
)
@pytest.mark.parametrize("column", ["age", "AGE", "Age at referral", "yp_age"])
def test_a_date_in_an_age_column_is_a_date_of_birth(value: str, column: str) -> None:
    # A date typed where the age belongs is the young person's date of birth.
    assert _rule(value, "people", column) == "date_of_birth"
    assert peermap.redact(value, table="people", column=column) == (
        "[withheld: looks like a date of birth]"
    )
    # Elsewhere it is a date (a record's), as before.
    assert _rule(value) is None
    assert _rule(value, "people", "age_checked_date") is None


@pytest.mark.parametrize("value", ["15", "15.0", "14-15", "31/02/2010", "unknown"])
def test_ages_and_non_dates_in_an_age_column_pass(value: str) -> None:
    assert _rule(value, "people", "age") is None


def test_a_file_keyed_by_dates_of_birth_is_refused_without_echoing_them(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(GOOD, folder)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        path.write_text(text.replace("p001", "2010-02-03"), encoding="utf-8")
    with pytest.raises(PrivacyError) as info:
        read_dataset(folder)
    message = str(info.value)
    assert "date of birth" in message
    assert "person_id" in message.lower() or "person_a" in message
    assert "2010-02-03" not in message


@pytest.mark.parametrize(
    "value",
    [
        "lives at 14 Elm Grove",
        "12a Church Road, Luton",
        "Flat 3, 27 High Street",
        "Flat 2 Nelson House",
        "No. 12 Acacia Avenue",
        "staying at 116-118 LORDSHIP LANE",
        "found at 7 St. John's Road",
    ],
)
def test_home_addresses_are_found(value: str) -> None:
    assert _rule(value) == "address"


@pytest.mark.parametrize(
    "value",
    [
        "seen on Kingsland Road",
        "bus 38 Finsbury Park Road",
        "Year 9 Park Lane trip",
        "seen 3 times near the road",
        "A406 North Circular Road",
        "Flat 2",
        "gate 3 Station Approach",
    ],
)
def test_streets_without_a_house_number_pass(value: str) -> None:
    assert _rule(value) is None


def test_a_venues_own_address_is_allowed_in_its_label_only() -> None:
    for label in ("Chicken Shack, 27 Kingsland Road", "Premier Inn, 1 Euston Road"):
        assert _rule(label, "places", "label") is None
        assert _rule(label) == "address"  # in a note it may be anyone's home
    for label in (
        "27 Kingsland Road",
        "27 Kingsland Road, London",
        "Trap house, 19 Marsh Lane",
        "116B Lordship Lane (YP's home)",
        "Flat 3, 27 High Street",
    ):
        assert _rule(label, "places", "label") == "address", label


@pytest.mark.parametrize(
    "value",
    [
        "JAYDEN SMITH",
        "KAYLA BROWN",
        "SMITH, Jayden",
        "O'BRIEN, Amelia",
        "Smith, Jayden",
        "SMITH Jayden",
        "Mr Patel (DSL)",
        "placed with aunt Mrs Denise Walker",
        "Ms K. O'Connor visited",
        "mum Sharon Smith reported missing",
        "mum (Sharon Pike) reported her missing",
        "Jayden SMITH seen at the station",
        "seen with SMITH Jayden",
        "Placed with aunt, Denise Walsh, in Bury",
    ],
)
def test_names_as_records_write_them_are_found(value: str) -> None:
    assert _rule(value) == "name"


@pytest.mark.parametrize(
    "value",
    [
        "GRACE ACADEMY",
        "SEEN WITH JAYDEN",
        "MISSING, Jayden",
        "Hackney, Jordan and Tyler went missing",
        "John Lewis Oxford Street",
        "William Morris Academy",
        "Queen Elizabeth Hospital",
        "Florence Nightingale Ward, Royal London",
        "Miss Selfridge",
        "known as Tia",
        "Elizabeth Garrett Anderson School",
        "Strategy meeting via MS Teams",
        "MR TO ATTEND",
        "Mr Whippy",
        "Operation Jordan",
        "Tudor Rose",
        "Golden Jade",
        "GRACE PERIOD",
        "SEEN WITH JAYDEN OUTSIDE TESCO",
        "Mum Reported Missing",
        "Partner Agency Meeting",
        "LOCATION, Jordan Road",
    ],
)
def test_places_and_lone_first_names_are_not_names(value: str) -> None:
    assert _rule(value, "places", "label") is None


@pytest.mark.parametrize(
    "name",
    ["identifier_values.csv", "identifier_values_heldout.csv", "identifier_values_heldout2.csv"],
)
def test_precision_and_recall_on_each_labelled_set(name: str) -> None:
    """Regression guard for the figures in docs/privacy.md, set by set."""
    scores = bench.score(bench.load(DATA / name))
    assert scores.recall >= 0.95, scores.disagreements
    assert scores.precision >= 0.95, scores.disagreements


def test_precision_and_recall_on_the_third_held_out_set() -> None:
    """The third set by other hands (session 25): first measured at precision 0.979 and
    recall 0.872; 0.981 and 0.921 with the names it found missing. Guard: no step back.
    """
    scores = bench.score(bench.load(DATA / "identifier_values_heldout3.csv"))
    assert scores.recall >= 0.92, scores.disagreements
    assert scores.precision >= 0.97, scores.disagreements


def test_a_date_in_a_person_key_is_found_whatever_the_header_spelling() -> None:
    for column in ("\ufeffPerson_ID ", "PersonID", "Person A"):
        assert _rule("2010-02-03", "people", column) == "date_of_birth", column


@pytest.mark.parametrize("value", ["Jayden SMITH", "kayla-mae o'connor", "NGUYEN Thi Lan"])
def test_a_young_persons_key_written_in_words_is_a_name(value: str) -> None:
    assert _rule(value, "people", "person_id") == "name"
    assert _rule(value, "ties", "person_b") == "name"


@pytest.mark.parametrize(
    "value",
    [
        "p001",
        "yp-000123",
        "CH 12345",
        "unknown male",
        "Not known",
        "Awaiting Allocation",
        "Looked After",
        "tbc pending",
        "PL 12-3-15",
        "10-11-12",
    ],
)
def test_pseudonyms_local_ids_and_unknown_people_as_keys_pass(value: str) -> None:
    assert _rule(value, "people", "person_id") is None


@pytest.mark.parametrize("value", ["2024-03-05", "05/03/2024", "31/12/2021"])
def test_a_recent_date_in_a_persons_key_is_not_a_birth_date(value: str) -> None:
    # A record's own date, shifted into the key column by a damaged export: no child
    # in the records was born within the last KEY_BIRTH_MIN_AGE years.
    assert _rule(value, "ties", "person_b") is None


def test_a_key_that_identifies_is_withheld_in_a_links_file_message(tmp_path: Path) -> None:
    # A links table is read without the identifier scan of a dataset: an id there that
    # names no person is echoed, unless as a person's key it looks like an identifier.
    ds = read_dataset(GOOD)
    from peermap.merge_links import link_people

    for ident in ("2010-02-03", "SMITH-03/02/2010", "Jayden SMITH"):
        links = pd.DataFrame({"id_a": [ident], "id_b": ["p002"], "score": [0.9], "match": [True]})
        with pytest.raises(peermap.ValidationError) as info:
            link_people([ds, ds], ["E09000007", "E09000019"], links)
        assert ident not in str(info.value) and "[withheld: looks like" in str(info.value)


# Session 25, a held-out identity set: names with accents, names outside the top 300 of
# any year, a street name in quotes and keys written as names the list does not know
# went through; they were the names of Irish, Polish, Black African, Somali, Sikh and
# Turkish children.
@pytest.mark.parametrize(
    ("value", "table", "column"),
    [
        ("Siobhán O'Donnell", "sightings", "notes"),
        ("seen with Zofia Wiśniewska", "people", "notes"),
        ("Łukasz KOWALSKI", "ties", "notes"),
        ("Jayden 'J' Richards", "ties", "notes"),
        ("with Harpreet Singh at the park", "sightings", "notes"),
        ("met Abdirahman Farah", "ties", "notes"),
        ("Chidera Okafor's brother", "places", "label"),
        ("Zhiyuan Oyelaran", "people", "person_id"),
        ("Nguyen Thi Lan", "ties", "person_b"),
    ],
)
def test_names_beyond_the_commonest_and_with_accents_are_found(
    value: str, table: str, column: str
) -> None:
    assert _rule(value, table, column) == "name"


# Session 29, a blind round of malformed files: a name in quotes ('Jayden Smith', in a
# note or typed as an authority) went through, as the tests read a quote before a word
# as the apostrophe of O'Brien.
@pytest.mark.parametrize(
    ("value", "table", "column"),
    [
        ("'Jayden Smith'", "people", "home_authority"),
        ("seen with 'Kayla Brown' at the park", "people", "notes"),
        ("‘Jayden SMITH’", "ties", "notes"),
        ("spoke to 'Mr Patel' at the door", "sightings", "notes"),
        ("with mum 'Sharon Smith'", "ties", "notes"),
    ],
)
def test_names_in_quotes_are_found(value: str, table: str, column: str) -> None:
    assert _rule(value, table, column) == "name"


@pytest.mark.parametrize(
    ("value", "table", "column"),
    [
        ("Rock 'n' Roll Club", "places", "label"),
        ("O'Brien's Bar", "places", "label"),
        ("Café Nero", "places", "label"),
        ("Zoë's Café", "places", "label"),
        ("the 'Red' House", "places", "label"),
        ("Evelina London Children's Hospital", "places", "label"),
        ("Looked After", "people", "person_id"),
        ("Awaiting Allocation", "ties", "person_b"),
        ("Unknown Adult Male", "ties", "person_b"),
    ],
)
def test_accents_quotes_and_placeholder_keys_are_not_names(
    value: str, table: str, column: str
) -> None:
    assert _rule(value, table, column) is None


@pytest.mark.parametrize(
    "value", ["12 Heol y Coed, Cardiff", "3 Ffordd Las", "lives at 7 Stryd Fawr", "2 Lôn Cefn"]
)
def test_a_welsh_street_address_is_found(value: str) -> None:
    # Welsh streets put the type first (session 25, a held-out identifier set).
    assert _rule(value, "people", "notes") == "address"


@pytest.mark.parametrize("value", ["bus 38 Heol y Coed", "Heol y Coed", "Cafe, 12 Heol y Coed"])
def test_a_welsh_street_without_a_home_is_not_an_address(value: str) -> None:
    assert _rule(value, "places", "label") is None
