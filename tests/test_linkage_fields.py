"""The field-aware second pass of linking (version 3 CLKs): hand-made cases.

Each case is a young person (or two) as partners might record them, written without
looking at the scores. The partners hold a few ordinary records besides, as any
partner would (some young people both hold, some one), so that the weights are
estimated on more than the case itself.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peermap import cluster_identities, encode_identities, link_identities
from peermap.cli import main
from peermap.exceptions import ValidationError
from peermap.linkage.evidence import field_levels
from peermap.linkage.fields import decode
from peermap.privacy import generate_key

COLUMNS = ["person_id", "first_name", "last_name", "dob", "sex", "postcode"]

# Young people both partners hold, recorded alike (the ordinary matches).
OTHERS = [
    ("Grace", "Adebayo", "2010-02-11", "F", "SE5 8RS"),
    ("Harry", "Patel", "2012-07-30", "M", "LE2 1TQ"),
    ("Isla", "Murphy", "2009-12-01", "F", "L8 4UA"),
    ("Mason", "Kowalczyk", "2011-05-19", "M", "PE1 2QX"),
    ("Freya", "Campbell", "2013-03-08", "F", "G41 2LU"),
    ("Leo", "Mahmood", "2008-09-23", "M", "BD8 7DE"),
    ("Ivy", "Thompson", "2014-01-14", "F", "NE6 5AX"),
    ("Noah", "Osei", "2010-10-10", "M", "N15 3BP"),
]


# Young people one partner holds and the other does not.
ONLY_A = [
    ("Sophie", "Evans", "2012-12-12", "F", "SA1 5AB"),
    ("Jacob", "Nowak", "2010-04-02", "M", "NG7 2RD"),
    ("Amara", "Okonkwo", "2013-07-19", "F", "SE18 6HX"),
    ("Ryan", "O'Connor", "2009-05-27", "M", "LS9 8AG"),
]
ONLY_B = [
    ("Ella", "Hussain", "2011-01-31", "F", "OL8 1SH"),
    ("Kai", "Mensah", "2014-08-08", "M", "E6 2JG"),
    ("Lily", "Davies", "2012-03-21", "F", "CF5 1QE"),
    ("Tyler", "Brown", "2008-11-03", "M", "S2 4RT"),
]


OTHER_ROWS_A = [(f"a{i}", *r) for i, r in enumerate(OTHERS + ONLY_A)]
OTHER_ROWS_B = [(f"b{i}", *r) for i, r in enumerate(OTHERS + ONLY_B)]


def _link(one: tuple[str, ...], two: tuple[str, ...], key: str) -> pd.DataFrame:
    a = pd.DataFrame(
        [("a-case", *one), *((f"a{i}", *r) for i, r in enumerate(OTHERS + ONLY_A))],
        columns=COLUMNS,
    )
    b = pd.DataFrame(
        [("b-case", *two), *((f"b{i}", *r) for i, r in enumerate(OTHERS + ONLY_B))],
        columns=COLUMNS,
    )
    return link_identities(encode_identities(a, key=key), encode_identities(b, key=key))


def _linked(links: pd.DataFrame) -> bool:
    chosen = links[links["match"]]
    return bool(((chosen["id_a"] == "a-case") & (chosen["id_b"] == "b-case")).any())


@pytest.fixture(params=range(3))
def key(request: pytest.FixtureRequest) -> str:
    # bit collisions depend on the key: the answers must not
    return generate_key()


def test_a_typo_in_the_first_name_with_everything_else_equal_links(key: str) -> None:
    links = _link(
        ("Francesca", "Lowe", "2011-08-17", "F", "BS3 4LP"),
        ("Francsca", "Lowe", "17/08/2011", "F", "BS3 4LP"),
        key,
    )
    assert _linked(links)


def test_namesakes_born_on_other_days_are_not_linked(key: str) -> None:
    # Same first name, surname and sex; born years apart, living elsewhere.
    links = _link(
        ("Jack", "Smith", "2009-03-04", "M", "SE15 4PL"),
        ("Jack", "Smith", "2013-11-21", "M", "M14 6HR"),
        key,
    )
    assert not _linked(links)


def test_a_missing_date_of_birth_is_not_fatal(key: str) -> None:
    links = _link(
        ("Oluwaseun", "Bankole", "2012-04-26", "M", "SE28 8DX"),
        ("Oluwaseun", "Bankole", "", "M", "SE28 8DX"),
        key,
    )
    assert _linked(links)


def test_names_entered_the_wrong_way_round_link(key: str) -> None:
    # Both are given names, so the encoder's orientation rule leaves them as entered.
    links = _link(
        ("Harvey", "James", "2010-06-15", "M", "CF24 3AA"),
        ("James", "Harvey", "15/06/2010", "M", "CF24 3AA"),
        key,
    )
    assert _linked(links)


def test_a_nickname_with_no_date_of_birth_links_on_the_other_fields(key: str) -> None:
    # One partner writes Becca and has no date of birth; surname and address agree.
    links = _link(
        ("Becca", "Oyelaran", "", "F", "SE15 4PL"),
        ("Rebecca", "Oyelaran", "16/03/2011", "F", "SE15 4PL"),
        key,
    )
    assert _linked(links)


def test_twins_with_other_first_names_are_never_linked(key: str) -> None:
    links = _link(
        ("Hamza", "Iqbal", "2012-02-29", "M", "B10 0AA"),
        ("Bilal", "Iqbal", "2012-02-29", "M", "B10 0AA"),
        key,
    )
    assert not _linked(links)
    pair = links[(links["id_a"] == "a-case") & (links["id_b"] == "b-case")]
    assert (pair["rule"] == "twins").all() and not pair["match"].any()


def test_a_child_known_by_a_middle_name_goes_to_review_not_to_a_match(key: str) -> None:
    # One partner records the young person by her first name, the other by the middle
    # name she goes by: to the linker that is a twin (same surname, date of birth and
    # address, another first name). Not a match, but a reviewer with the case files
    # can tell, so the pair is in review.
    links = _link(
        ("Lily", "Scott", "2011-05-14", "F", "LS6 2QT"),
        ("Georgina", "Scott", "14/05/2011", "F", "LS6 2QT"),
        key,
    )
    assert not _linked(links)
    pair = links[(links["id_a"] == "a-case") & (links["id_b"] == "b-case")]
    assert pair["review"].all() and (pair["rule"] == "twins").all()
    assert (pair["probability"] >= 0.1).all()  # the fields' own evidence, shown


def test_a_twin_goes_to_review_only_when_the_other_twin_is_not_there(key: str) -> None:
    # Partner B holds both twins: A's twin links to her own record, and her sister's
    # record is not offered for review against it (one-to-one).
    a = pd.DataFrame(
        [("a-twin", "Hamza", "Iqbal", "2012-02-29", "M", "B10 0AA"), *OTHER_ROWS_A],
        columns=COLUMNS,
    )
    b = pd.DataFrame(
        [
            ("b-same", "Hamza", "Iqbal", "29/02/2012", "M", "B10 0AA"),
            ("b-twin", "Bilal", "Iqbal", "29/02/2012", "M", "B10 0AA"),
            *OTHER_ROWS_B,
        ],
        columns=COLUMNS,
    )
    links = link_identities(encode_identities(a, key=key), encode_identities(b, key=key))
    chosen = links[links["match"] | links["review"]]
    mine = chosen[chosen["id_a"] == "a-twin"]
    assert mine["id_b"].tolist() == ["b-same"] and mine["match"].all()


def test_a_transposed_date_of_birth_with_a_move_links(key: str) -> None:
    links = _link(
        ("Chloe", "Nwachukwu", "2013-04-07", "F", "E17 5QT"),
        ("Chloe", "Nwachukwu", "04/07/2013", "F", "RM9 6AB"),
        key,
    )
    assert _linked(links)


def test_field_levels_say_what_agrees() -> None:
    key = generate_key()
    a = encode_identities(
        pd.DataFrame([("a", "Lucy", "Baker", "2011-09-02", "F", "N1 9GU")], columns=COLUMNS),
        key=key,
    )
    b = encode_identities(
        pd.DataFrame([("b", "Lucy", "Baker", "03/09/2011", "F", "N1 9HF")], columns=COLUMNS),
        key=key,
    )
    one, two = decode(a["clk"].tolist()), decode(b["clk"].tolist())
    assert not isinstance(one, list) and not isinstance(two, list)
    levels = field_levels(one, two, np.array([0]), np.array([0]))
    assert levels["first_name"][0] == 4 and levels["last_name"][0] == 3  # exact
    assert levels["dob"][0] == 2  # one part off (the day)
    assert levels["postcode"][0] == 2  # the same sector, another postcode


def test_version_2_clks_still_link_and_mixed_versions_are_refused() -> None:
    key = generate_key()
    frame = pd.DataFrame([(f"p{i}", *r) for i, r in enumerate(OTHERS)], columns=COLUMNS)
    v3 = encode_identities(frame, key=key)
    v2 = encode_identities(frame, key=key, version=2)
    # version 3's record filter is version 2's CLK, bit for bit
    assert v2["clk"].tolist() == [
        base64.b64encode(base64.b64decode(c)[1:129]).decode() for c in v3["clk"]
    ]
    links = link_identities(v2, v2)
    assert links["match"].sum() == len(OTHERS)  # each record with itself
    with pytest.raises(ValidationError, match=r"version 2.*version 3|version 3.*version 2"):
        link_identities(v2, v3)
    with pytest.raises(ValidationError, match="different versions"):
        cluster_identities({"north": v3, "south": v2})
    later = v3.assign(
        clk=[base64.b64encode(b"\x04" + base64.b64decode(c)[1:]).decode() for c in v3["clk"]]
    )
    with pytest.raises(ValidationError, match=r"version 4, made by a later peermap"):
        link_identities(later, v3)
    mixed = pd.concat([v3.iloc[:5], v2.iloc[5:]], ignore_index=True)
    with pytest.raises(
        ValidationError,
        match=r"mixes CLKs of version 2 and version 3 \(version 2 in row\(s\) 6, 7, 8\)",
    ):
        link_identities(mixed, v3, labels=("north.csv", "south.csv"))


def test_the_command_line_encodes_either_version(tmp_path: Path) -> None:
    frame = pd.DataFrame([(f"p{i}", *r) for i, r in enumerate(OTHERS)], columns=COLUMNS)
    frame.to_csv(tmp_path / "ids.csv", index=False)
    assert main(["key", str(tmp_path / "k.key")]) == 0
    for version in ("2", "3"):
        argv = ["encode", str(tmp_path / "ids.csv"), str(tmp_path / f"v{version}.csv")]
        assert main([*argv, "--key-file", str(tmp_path / "k.key"), "--clk-version", version]) == 0
    sizes = {
        v: {len(base64.b64decode(c)) for c in pd.read_csv(tmp_path / f"v{v}.csv")["clk"]}
        for v in ("2", "3")
    }
    assert sizes == {"2": {128}, "3": {335}}
    argv = [
        "link",
        str(tmp_path / "v2.csv"),
        str(tmp_path / "v3.csv"),
        "-o",
        str(tmp_path / "l.csv"),
    ]
    assert main(argv) == 2


def test_a_spreadsheet_date_with_a_time_of_day_links(key: str) -> None:
    # A date cell saved as text by a spreadsheet carries midnight after it.
    links = _link(
        ("Amara", "Okafor", "2012-03-05 00:00:00", "F", "M14 5RJ"),
        ("Amara", "Okafor", "05/03/2012", "F", "M14 5RJ"),
        key,
    )
    assert _linked(links)


def test_a_month_first_date_of_birth_is_refused_saying_day_first() -> None:
    frame = pd.DataFrame([("a1", "Amara", "Okafor", "03/25/2012", "F", "M14 5RJ")], columns=COLUMNS)
    with pytest.raises(ValidationError) as caught:
        encode_identities(frame, key=generate_key())
    message = str(caught.value)
    assert "day first" in message and "row(s) 1" in message
    assert "03/25/2012" not in message  # the value is never shown
