"""Privacy-preserving record linkage: hand-built identities with known answers.

Each pair below is a young person as two partners recorded them (or two young people
that must not be confused). Nothing here comes from the benchmark's generator.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import peermap
from peermap import cluster_identities, encode_identities, link_identities
from peermap.cli import main
from peermap.exceptions import KeyMaterialError, PrivacyError, ValidationError
from peermap.linkage.fields import V3_BYTES
from peermap.linkage.normalise import (
    formal_first_name,
    given_name_group,
    normalise_date,
    normalise_name,
    normalise_postcode,
)
from peermap.privacy import generate_key

KEY = "a1" * 32
COLUMNS = ["person_id", "first_name", "last_name", "dob", "sex", "postcode"]

# (record at partner A, record at partner B, the same young person?)
PAIRS = [
    (
        ("Thomas", "Okafor", "2009-03-14", "M", "SE15 4PL"),
        ("Tom", "Okafor", "14/03/2009", "m", "se154pl"),
        True,
    ),  # nickname, UK date
    (
        ("Elizabeth", "Nowak", "2011-06-02", "F", "M13 0PL"),
        ("Lizzie", "Nowak", "02/06/2011", "F", "M13 0PL"),
        True,
    ),  # nickname
    (
        ("Jonathan", "Achterberg", "2010-11-23", "M", "LS6 2QT"),
        ("Jonathon", "Achterberg", "23/11/2010", "M", "LS6 2QT"),
        True,
    ),  # typo
    (
        ("Kayleigh", "Fitzgerald", "2012-09-05", "F", "BS5 6JX"),
        ("Kayleigh", "Fitzgerlad", "2012-09-05", "F", "BS5 6JX"),
        True,
    ),  # letters swapped
    (
        ("Marcus", "Adeyemi", "2010-04-07", "M", "E1 6AN"),
        ("Marcus", "Adeyemi", "04/07/2010", "M", "E1 6AN"),
        True,
    ),  # day and month transposed
    (
        ("Zoë", "O'Neil-Smith", "2013-01-30", "F", "N17 6AB"),
        ("ZOE", "ONEIL SMITH", "30/01/2013", "F", "N176AB"),
        True,
    ),  # accents, apostrophe, hyphen
    (
        ("Priya", "Chaudhry", "2009-08-19", "F", "B11 1AA"),
        ("Priya", "Chaudhry", "19/08/2009", "", "B8 1HE"),
        True,
    ),  # moved, sex blank
    (
        ("Callum", "Reid", "2011-02-14", "M", "G12 8QQ"),
        ("Lewis", "Reid", "2011-02-14", "M", "G12 8QQ"),
        False,
    ),  # twins
    (
        ("Amira", "Haddad", "2012-07-21", "F", "CF10 1AA"),
        ("Yasmin", "Haddad", "2012-07-21", "F", "CF10 1AA"),
        False,
    ),  # twin sisters
    (
        ("Kyle", "Bennett", "2009-05-17", "M", "NE1 4ST"),
        ("Shannon", "Bennett", "2012-10-03", "F", "NE1 4ST"),
        False,
    ),  # siblings, same address
    (
        ("Ryan", "Doherty", "2010-01-09", "M", "BT7 1NN"),
        ("Sean", "Doherty", "2008-12-30", "M", "BT7 1NN"),
        False,
    ),  # brothers, same address
    (
        ("Olivia", "Khan", "2012-03-05", "F", "E1 6AN"),
        ("Khan", "Olivia", "05/03/2012", "F", "E1 6AN"),
        True,
    ),  # first and last names swapped (the last name is no given name)
    (
        ("Richard", "Lloyd", "2013-09-11", "M", "N11 3DA"),
        ("Ricshard", "Lloyd", "11/09/2013", "M", "N11 3DA"),
        True,
    ),  # a slip in a first name of the list
    (
        ("Craig", "Clements", "2014-06-13", "M", "M4 5PG"),
        ("Craig", "Cblements", "13/06/2014", "M", "M4 5PG"),
        True,
    ),  # a slip in a last name that is one slip from a given name (Clement): not swapped
    (
        ("Olivia", "Khan", "2012-03-05", "F", "E1 6AN"),
        ("Sophia", "Khan", "2012-03-05", "F", "E1 6AN"),
        False,
    ),  # twin sisters
]


# Twins: the same surname, date of birth, sex and address, another first name (names
# of the origins England's young people have). Not one of them may link, under any key.
# (Twins whose names are one slip apart or sound alike, Jack and Jake, Hassan and
# Hussein, cannot be told from a typo by any score of the encodings: the hand-written
# set of benchmarks/bench_linkage.py counts them.)
TWINS = [
    (("Ruby", "Hughes", "2013-04-04", "F", "M20 1AA"), ("Maisie", "Hughes")),
    (("Tyrese", "Mensah", "2012-11-15", "M", "SE15 1AA"), ("Kwame", "Mensah")),
    (("Zofia", "Kowalska", "2011-07-07", "F", "PE1 1AB"), ("Maja", "Kowalska")),
    (("Aarav", "Sharma", "2009-09-29", "M", "LE4 6AB"), ("Vihaan", "Sharma")),
    (("Amelia", "Wright", "2008-10-10", "F", "NR2 3AB"), ("Olivia", "Wright")),
    (("Callum", "Reid", "2011-02-14", "M", "G12 8QQ"), ("Lewis", "Reid")),
]


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = [(f"a{i}", *pair[0]) for i, pair in enumerate(PAIRS)]
    b = [(f"b{i}", *pair[1]) for i, pair in enumerate(PAIRS)]
    return pd.DataFrame(a, columns=COLUMNS), pd.DataFrame(b, columns=COLUMNS)


@pytest.fixture(scope="module")
def encoded() -> tuple[pd.DataFrame, pd.DataFrame]:
    a, b = _frames()
    return encode_identities(a, key=KEY), encode_identities(b, key=KEY)


def _matched(links: pd.DataFrame) -> set[tuple[str, str]]:
    chosen = links[links["match"]]
    return set(zip(chosen["id_a"], chosen["id_b"], strict=True))


@pytest.mark.parametrize("i", range(len(PAIRS)))
def test_known_pairs(encoded: tuple[pd.DataFrame, pd.DataFrame], i: int) -> None:
    links = link_identities(*encoded)
    same = PAIRS[i][2]
    assert ((f"a{i}", f"b{i}") in _matched(links)) is same


def test_matches_are_one_to_one(encoded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    a, b = encoded
    # the same person twice at B: only one of the two records is matched
    links = link_identities(a, pd.concat([b, b.iloc[[0]].assign(person_id="dup")]))
    matched = links[links["match"]]
    assert not matched["id_a"].duplicated().any()
    assert not matched["id_b"].duplicated().any()
    assert matched["id_a"].eq("a0").sum() == 1


def test_output_columns_and_nothing_identifying(encoded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    a, b = encoded
    assert list(a.columns) == ["person_id", "clk"]
    assert a.attrs["key_fingerprint"].startswith("pmk1-")
    # version 3: a version byte, the record filter (128 bytes), the field segments
    assert all(base64.b64decode(c)[0] == 3 for c in a["clk"])
    assert all(len(base64.b64decode(c)) == V3_BYTES for c in a["clk"])
    links = link_identities(a, b)
    assert list(links.columns) == [
        "id_a",
        "id_b",
        "score",
        "match",
        "review",
        "adjusted",
        "weight",
        "probability",
        "rule",
    ]
    text = a.to_csv() + b.to_csv() + links.to_csv()
    for pair in PAIRS:
        for record in pair[:2]:
            for value in record:  # type: ignore[union-attr]
                if len(value) > 3:
                    assert value not in text
                    assert value.lower() not in text.lower()


def _as_v2(frame: pd.DataFrame) -> pd.DataFrame:
    """The version 2 CLKs of version 3 ones: their record filters alone."""
    record = [base64.b64decode(c)[1:129] for c in frame["clk"]]
    return frame.assign(clk=[base64.b64encode(r).decode() for r in record])


def test_review_band(encoded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    # version 3: thresholds are match probabilities
    a, b = encoded
    strict = 1 - 1e-7
    links = link_identities(a, b, threshold=strict, review_threshold=0.5)
    review = links[links["review"]]
    assert len(review) > 0
    assert (review["probability"] >= 0.5).all() and (review["probability"] < strict).all()
    assert (links[links["match"]]["probability"] >= strict).all()
    assert not (links["review"] & links["match"]).any()
    chosen = links[links["review"] | links["match"]]
    assert not chosen["id_a"].duplicated().any() and not chosen["id_b"].duplicated().any()
    assert not link_identities(a, b, threshold=0.9, review_threshold=0.9)["review"].any()


def test_review_band_of_version_2_clks(encoded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    a, b = (_as_v2(frame) for frame in encoded)
    links = link_identities(a, b, threshold=0.99, review_threshold=0.5)
    assert links["weight"].isna().all() and links["probability"].isna().all()
    review = links[links["review"]]
    assert len(review) > 0
    # from the review threshold (a Dice score) to the threshold (an adjusted score)
    assert (review["score"] >= 0.5).all() and (review["adjusted"] < 0.99).all()
    assert (links[links["match"]]["adjusted"] >= 0.99).all()
    assert (links["adjusted"] <= links["score"]).all()
    assert not (links["review"] & links["match"]).any()
    # the review pairs are one-to-one too, and disjoint from the matches
    chosen = links[links["review"] | links["match"]]
    assert not chosen["id_a"].duplicated().any() and not chosen["id_b"].duplicated().any()
    # no band when both thresholds are equal
    assert not link_identities(a, b, threshold=0.8, review_threshold=0.8)["review"].any()


def test_different_keys_do_not_link() -> None:
    a, b = _frames()
    links = link_identities(
        encode_identities(a, key=generate_key()), encode_identities(b, key=generate_key())
    )
    assert not links["match"].any()


def test_key_is_required() -> None:
    a, _ = _frames()
    with pytest.raises(KeyMaterialError, match="key"):
        encode_identities(a, key=None)
    with pytest.raises(KeyMaterialError):
        encode_identities(a, key="not a key")


def test_errors_name_rows_and_columns_never_values() -> None:
    a, _ = _frames()
    bad = a.copy()
    bad.loc[3, "dob"] = "31/02/2010"
    bad.loc[5, "postcode"] = "QQ99 ZZZ1"
    bad.loc[6, "person_id"] = "a0"
    with pytest.raises(ValidationError) as info:
        encode_identities(bad, key=KEY)
    message = str(info.value)
    assert "column dob" in message and "row(s) 4" in message
    assert "column postcode" in message and "row(s) 6" in message
    assert "person_id" in message and "1, 7" in message
    for value in ("31/02/2010", "QQ99", "Kayleigh", "Fitzgerald", "a0"):
        assert value not in message


def test_a_date_of_birth_in_the_future_is_refused_by_row() -> None:
    # A typed year (2031 for 2013) would encode a birth no partner's record shares.
    import datetime as dt

    a, _ = _frames()
    bad = a.copy()
    bad.loc[2, "dob"] = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    bad.loc[4, "dob"] = "1899-12-31"
    with pytest.raises(ValidationError, match=r"column dob .* from 1900 to today.* row\(s\) 3, 5"):
        encode_identities(bad, key=KEY)


def test_missing_columns_and_empty_rows() -> None:
    a, _ = _frames()
    with pytest.raises(ValidationError, match="no column 'person_id'"):
        encode_identities(a.drop(columns="person_id"), key=KEY)
    with pytest.raises(ValidationError, match="identity fields"):
        encode_identities(a, key=KEY, fields=["nhs_number"])
    blank = a.copy()
    blank.loc[2, ["first_name", "last_name", "dob", "sex", "postcode"]] = ""
    with pytest.raises(ValidationError, match=r"every field is blank.*|row\(s\) 3"):
        encode_identities(blank, key=KEY)


def test_fields_subset_encodes_only_those() -> None:
    a, b = _frames()
    # names and date of birth only: the nickname pair still links, postcodes unused
    ea = encode_identities(a, key=KEY, fields=["first_name", "last_name", "dob"])
    eb = encode_identities(
        b.assign(postcode="not read"), key=KEY, fields=["first_name", "last_name", "dob"]
    )
    assert ("a0", "b0") in _matched(link_identities(ea, eb))


def test_link_refuses_frames_that_are_not_encodings(
    encoded: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    a, b = encoded
    with pytest.raises(ValidationError, match="no column clk"):
        link_identities(a.drop(columns="clk"), b)
    broken = b.copy()
    broken.loc[2, "clk"] = "bm90IGEgY2xr"
    with pytest.raises(ValidationError, match=r"b: column clk .* row\(s\) 3"):
        link_identities(a, broken)
    with pytest.raises(ValueError, match="threshold"):
        link_identities(a, b, threshold=1.5)


def test_three_partners_share_cluster_ids(encoded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    a, b = encoded
    c_frame = _frames()[1].iloc[[0, 2, 7]].assign(person_id=["c0", "c2", "c7"])
    c = encode_identities(c_frame, key=KEY)
    clusters = cluster_identities({"north": a, "south": b, "east": c})
    assert len(clusters) == len(a) + len(b) + len(c)
    assert list(clusters.columns) == ["cluster", "partner", "person_id"]
    of = dict(
        zip(
            zip(clusters["partner"], clusters["person_id"], strict=True),
            clusters["cluster"],
            strict=True,
        )
    )
    assert of[("north", "a0")] == of[("south", "b0")] == of[("east", "c0")]
    assert of[("north", "a2")] == of[("south", "b2")] == of[("east", "c2")]
    assert of[("north", "a7")] != of[("south", "b7")]  # twins
    assert clusters.groupby(["cluster", "partner"]).size().max() == 1
    # a list names the partners by position
    assert set(cluster_identities([a, b])["partner"]) == {"0", "1"}


def test_normalisation() -> None:
    assert normalise_name(" Zoë  O'Neil-Smith ") == "zoe oneil smith"
    assert normalise_name("STRAßE") == "strasse"
    assert given_name_group("tom") == given_name_group("thomas")
    assert "elizabeth" in given_name_group("lizzie")
    assert formal_first_name("lizzie") == "elizabeth"
    assert formal_first_name("sam") == "sam"  # samuel, samantha, ...: kept as written
    assert formal_first_name("soph") == "soph"  # sophie, sophia: in both groups
    assert {"sophie", "sophia"} <= set(given_name_group("soph"))
    # No name is read as a slip of a short form (Abid is not Abi, so not Abigail), and
    # a short form that is a surname too does not turn a name round (Wei Han).
    from peermap.linkage.normalise import listed_given_name, oriented_names

    assert listed_given_name("abid") is None and formal_first_name("abid") == "abid"
    assert oriented_names("wei", "han") == ("wei", "han")
    assert normalise_date("14/03/2009") == normalise_date("2009-03-14")
    assert normalise_date("14.3.2009") == normalise_date("2009-03-14")
    assert normalise_date("2009-02-30") is None
    assert normalise_date("03-14-2009") is None  # the US order is not read
    assert normalise_postcode(" se15  4pl") == "SE154PL"
    assert normalise_postcode("not a postcode") is None


def test_public_api() -> None:
    assert peermap.encode_identities is encode_identities
    assert "link_identities" in peermap.__all__
    encoded = encode_identities(_frames()[0], key=KEY)
    assert np.isclose(link_identities(encoded, encoded)["score"].max(), 1.0)


# --------------------------------------------------------------------------- command line


def test_cli_encode_and_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _frames()
    a.to_csv(tmp_path / "north.csv", index=False)
    b.to_csv(tmp_path / "south.csv", index=False)
    key = tmp_path / "linkage.key"
    assert main(["key", str(key)]) == 0
    for name in ("north", "south"):
        argv = ["encode", str(tmp_path / f"{name}.csv"), str(tmp_path / f"{name}_clks.csv")]
        assert main([*argv, "--key-file", str(key)]) == 0
    out = capsys.readouterr().out
    assert "key fingerprint pmk1-" in out
    clks = pd.read_csv(tmp_path / "north_clks.csv", dtype=str)
    assert list(clks.columns) == ["person_id", "clk"]
    links_path, review_path = tmp_path / "links.csv", tmp_path / "review.csv"
    argv = ["link", str(tmp_path / "north_clks.csv"), str(tmp_path / "south_clks.csv")]
    assert main([*argv, "-o", str(links_path), "--review", str(review_path)]) == 0
    links = pd.read_csv(links_path, dtype={"id_a": str, "id_b": str})
    matched = set(zip(links.id_a[links.match], links.id_b[links.match], strict=True))
    assert matched == {(f"a{i}", f"b{i}") for i, pair in enumerate(PAIRS) if pair[2]}
    assert list(pd.read_csv(review_path).columns) == list(links.columns)
    three = [*argv, str(tmp_path / "north_clks.csv"), "-o", str(tmp_path / "c.csv")]
    assert main(three) == 2  # the same file twice
    assert "given twice" in capsys.readouterr().err


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = _frames()
    a.loc[4, "dob"] = "1 April 2010"
    source = tmp_path / "ids.csv"
    a.to_csv(source, index=False)
    key = tmp_path / "linkage.key"
    assert main(["key", str(key)]) == 0
    status = main(["encode", str(source), str(tmp_path / "out.csv"), "--key-file", str(key)])
    err = capsys.readouterr().err
    assert status == 2
    assert "column dob" in err and "row(s) 5" in err and "April" not in err
    assert str(source) in err  # the file is named
    assert not (tmp_path / "out.csv").exists()
    assert main(["encode", str(source), str(tmp_path / "out.csv")]) == 2
    assert "--key-file" in capsys.readouterr().err
    assert main(["link", str(source), str(source), "-o", str(tmp_path / "l.csv")]) == 2
    err = capsys.readouterr().err
    assert "has no column clk" in err and "peermap encode" in err
    status = main(
        ["link", str(source), str(source), "-o", str(tmp_path / "l.csv"), "--threshold", "0"]
    )
    assert status == 2 and "--threshold" in capsys.readouterr().err


IDENTIFYING_IDS = {
    1: "Kayla BROWN 14/03/2009",  # a name and a date of birth
    3: "kayla.b2009@gmail.com",
    6: "07700 900123",
}


def test_ids_that_identify_are_refused_at_encoding_and_linking() -> None:
    # The ids travel with the CLKs to whoever links, and into the links and clusters:
    # an id that is a name or an email address would leave the partner in clear.
    a, b = _frames()
    bad = a.copy()
    for row, value in IDENTIFYING_IDS.items():
        bad.loc[row, "person_id"] = value
    with pytest.raises(PrivacyError) as info:
        encode_identities(bad, key=KEY)
    message = str(info.value)
    assert "column person_id" in message
    assert "a person's name in row(s) 2" in message
    assert "an email address in row(s) 4" in message
    assert "a phone number in row(s) 7" in message
    for value in [*IDENTIFYING_IDS.values(), "Kayla", "BROWN", "gmail"]:
        assert value not in message
    # CLK files made elsewhere (or edited by hand) are screened when linked
    clks_a, clks_b = encode_identities(a, key=KEY), encode_identities(b, key=KEY)
    edited = clks_b.copy()
    edited.loc[2, "person_id"] = "Jayden SMITH"
    with pytest.raises(PrivacyError, match=r"person_id .*a person's name in row\(s\) 3"):
        link_identities(clks_a, edited)
    with pytest.raises(PrivacyError) as clustered:
        cluster_identities({"north": clks_a, "south": edited})
    assert "row(s) 3" in str(clustered.value)
    assert "Jayden" not in str(clustered.value) and "SMITH" not in str(clustered.value)
    # local ids and pseudonyms pass
    fine = a.assign(person_id=["yp-0001", "CH 12345", "pmq3x7mzk2abcdefgh", *a.person_id[3:]])
    assert len(encode_identities(fine, key=KEY)) == len(a)


def test_cli_encode_refuses_identifying_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, _ = _frames()
    a.loc[1, "person_id"] = "kayla.b2009@gmail.com"
    source = tmp_path / "ids.csv"
    a.to_csv(source, index=False)
    key = tmp_path / "linkage.key"
    assert main(["key", str(key)]) == 0
    capsys.readouterr()
    out = tmp_path / "clks.csv"
    assert main(["encode", str(source), str(out), "--key-file", str(key)]) == 2
    err = capsys.readouterr().err
    assert "an email address in row(s) 2" in err and "gmail" not in err
    assert set(tmp_path.iterdir()) == {source, key}  # nothing written, no copy left


def test_known_answers_hold_under_any_key() -> None:
    # bit collisions depend on the key: the answers must not
    a, b = _frames()
    truth = {(f"a{i}", f"b{i}") for i, pair in enumerate(PAIRS) if pair[2]}
    for _ in range(5):
        key = generate_key()
        links = link_identities(encode_identities(a, key=key), encode_identities(b, key=key))
        assert _matched(links) == truth


def _clk(bits: range) -> str:
    filled = np.zeros(1024, dtype=np.uint8)
    filled[list(bits)] = 1
    return base64.b64encode(np.packbits(filled).tobytes()).decode()


def test_a_weak_pair_does_not_split_a_person_held_by_three_partners() -> None:
    # One young person's records at three partners: a-b and b-c score 0.89 (above the
    # threshold), a-c only 0.78 (two partners' slips add up). Two strong links of three
    # are enough evidence: one cluster. An unrelated record stays on its own.
    a = pd.DataFrame(
        {"person_id": ["a1", "a2"], "clk": [_clk(range(0, 400)), _clk(range(600, 1000))]}
    )
    b = pd.DataFrame({"person_id": ["b1"], "clk": [_clk(range(45, 445))]})
    c = pd.DataFrame({"person_id": ["c1"], "clk": [_clk(range(90, 490))]})
    dice = {"ab": 2 * 355 / 800, "bc": 2 * 355 / 800, "ac": 2 * 310 / 800}
    assert dice["ab"] > 0.8 and dice["bc"] > 0.8 and dice["ac"] < 0.8
    out = cluster_identities({"a": a, "b": b, "c": c})
    cluster = dict(zip(out["person_id"], out["cluster"], strict=True))
    assert cluster["a1"] == cluster["b1"] == cluster["c1"]
    assert cluster["a2"] not in {cluster["a1"]}
    # Two partners only: the pair below the threshold is not linked.
    pair = link_identities(a, c)
    assert not pair["match"].any()


def test_a_resemblance_shared_with_a_rival_goes_to_review() -> None:
    # A's record scores 0.80 with two of B's records (namesakes, say): the Dice score
    # alone would link it to the better one, but with a rival that close the pair is
    # ambiguous and goes to review. The same score with no rival links.
    a = pd.DataFrame({"person_id": ["a1"], "clk": [_clk(range(0, 400))]})
    b = pd.DataFrame(
        {"person_id": ["b1", "b2"], "clk": [_clk(range(79, 479)), _clk(range(80, 480))]}
    )
    links = link_identities(a, b)
    assert not links["match"].any()
    assert links[links["review"]][["id_a", "id_b"]].values.tolist() == [["a1", "b1"]]
    assert link_identities(a, b.iloc[:1])["match"].tolist() == [True]
    assert link_identities(a, b, rival_weight=0)["match"].sum() == 1
    with pytest.raises(ValueError, match="rival_weight"):
        link_identities(a, b, rival_weight=2)
    # clusters weigh rivals the same way
    clusters = cluster_identities({"a": a, "b": b})
    assert clusters["cluster"].nunique() == 3
    plain = cluster_identities({"a": a, "b": b}, rival_weight=0)
    assert plain["cluster"].nunique() == 2


def _twin_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    first = [(f"a{i}", *one) for i, (one, _) in enumerate(TWINS)]
    other = [(f"b{i}", *two, *one[2:]) for i, (one, two) in enumerate(TWINS)]
    # the first twin again at partner B, with a slip in the first name and moved
    again = [
        (f"c{i}", one[0][:2] + one[0][3:] + one[0][2], *one[1:4], "W1A 1AA")
        for i, (one, _) in enumerate(TWINS)
    ]
    return (
        pd.DataFrame(first, columns=COLUMNS),
        pd.DataFrame(other, columns=COLUMNS),
        pd.DataFrame(other + again, columns=COLUMNS),
    )


def test_twins_never_link() -> None:
    # Twins share everything but the first name: under any key, no twin links to the
    # other, and when partner B holds both twins, the twin partner A holds links to her
    # or his own record (the one with a slip in the first name), never to the sibling.
    # Five fixed keys, so that the test gives the same answer on every run: under about
    # 1 key in 5,000 one pair of twins does link (docs/linkage.md, "Known limits").
    first, other, both = _twin_frames()
    for n in range(5):
        key = hashlib.sha256(f"twins-{n}".encode()).hexdigest()
        a = encode_identities(first, key=key)
        assert not link_identities(a, encode_identities(other, key=key))["match"].any()
        matched = _matched(link_identities(a, encode_identities(both, key=key)))
        assert all(b.startswith("c") for _, b in matched)


def test_a_twin_does_not_join_the_other_twin_held_by_two_partners() -> None:
    # Partner A holds one twin; partners B and C hold the other (C's copy has moved).
    # The twin at A resembles both of the other's records, but each below the
    # corroboration threshold: it stays a cluster of its own, under any key.
    first, other, _both = _twin_frames()
    moved = other.assign(person_id=other["person_id"].str.replace("b", "c"), postcode="W1A 1AA")
    for _ in range(5):
        key = generate_key()
        out = cluster_identities(
            {
                "a": encode_identities(first, key=key),
                "b": encode_identities(other, key=key),
                "c": encode_identities(moved, key=key),
            }
        )
        alone = out[out["partner"] == "a"]["cluster"]
        assert not out[out["partner"] != "a"]["cluster"].isin(alone).any()
        linked = out[out["partner"] != "a"].groupby("cluster").size()
        assert (linked == 2).all()  # each other twin is one young person at B and C


def test_a_record_corroborated_by_two_partners_joins_them() -> None:
    # A young person at three partners: B and C agree; A's record has a slip in the
    # surname, no date of birth and another postcode of the sector, and resembles each
    # of theirs only in the review band. Two partners alone do not link it; the third
    # corroborating, it joins them.
    a = pd.DataFrame([("a0", "Rebecca", "Oyelaren", "", "F", "SE15 6AB")], columns=COLUMNS)
    b = pd.DataFrame(
        [("b0", "Rebecca", "Oyelaran", "16/03/2011", "F", "SE15 4PL")], columns=COLUMNS
    )
    c = pd.DataFrame([("c0", "REBECCA", "OYELARAN", "2011-03-16", "f", "SE154PL")], columns=COLUMNS)
    # (version 2 CLKs: the record filters alone; version 3 links the pair directly,
    # below)
    ea, eb, ec = (_as_v2(encode_identities(frame, key=KEY)) for frame in (a, b, c))
    assert not link_identities(ea, eb)["match"].any()
    out = cluster_identities({"a": ea, "b": eb, "c": ec})
    assert out["cluster"].nunique() == 1


# Session 25, a held-out identity set: one young person written in two spellings
# (transliterated, a Yoruba or Igbo name and its short form, an English form and a
# Polish or Welsh one) fell under the twins rule and never even reached review.
VARIANT_PAIRS = [
    (("Muhammad", "Rahman"), ("Mohammed", "Rahman")),
    (("Mohammad", "Iqbal"), ("Mohd", "Iqbal")),
    (("Yusuf", "Farah"), ("Yousef", "Farah")),
    (("Nour", "Haddad"), ("Noor", "Haddad")),
    (("Oluwaseun", "Adeyemi"), ("Seun", "Adeyemi")),
    (("Chukwuemeka", "Obi"), ("Emeka", "Obi")),
    (("Wiktoria", "Nowak"), ("Victoria", "Nowak")),
    (("Dafydd", "Evans"), ("David", "Evans")),
    # British short forms the nicknames list lacks
    (("Liv", "Walker"), ("Olivia", "Walker")),
    (("Bex", "Hughes"), ("Rebecca", "Hughes")),
    (("Alfie", "Green"), ("Alfred", "Green")),
    (("Jazz", "Kaur"), ("Jasmine", "Kaur")),
]


def test_spellings_of_one_name_link() -> None:
    rows_a, rows_b = [], []
    for i, ((fa, la), (fb, lb)) in enumerate(VARIANT_PAIRS):
        dob, postcode = f"20{10 + i % 5}-0{1 + i % 9}-1{i % 9}", f"E{i + 1} 6AN"
        rows_a.append((f"a{i}", fa, la, dob, "", postcode))
        rows_b.append((f"b{i}", fb, lb, dob, "", postcode))
    a = encode_identities(pd.DataFrame(rows_a, columns=COLUMNS), key=KEY)
    b = encode_identities(pd.DataFrame(rows_b, columns=COLUMNS), key=KEY)
    links = link_identities(a, b)
    assert _matched(links) == {(f"a{i}", f"b{i}") for i in range(len(VARIANT_PAIRS))}


def test_name_variants_keep_surnames_and_english_nicknames_as_they_were() -> None:
    # The variants hold common surnames (Hussain, Ahmed, Osman): they must not turn
    # a name round as given names of the nicknames list do.
    from peermap.linkage.normalise import oriented_names

    assert oriented_names("zara", "hussain") == ("zara", "hussain")
    assert formal_first_name("mohammed") == formal_first_name("muhammad") == "muhammad"
    assert formal_first_name("wiktoria") == formal_first_name("victoria")
    assert formal_first_name("lizzie") == "elizabeth"
    assert "seun" in given_name_group("oluwaseun")


def _partner(prefix: str, offset: int) -> pd.DataFrame:
    firsts = ["Olivia", "Amelia", "Isla", "Noah", "Oliver", "Leo", "Aisha", "Musa", "Zofia"]
    lasts = ["Smith", "Jones", "Patel", "Khan", "Okafor", "Nowak", "Evans", "Brown"]
    rows = [
        (
            f"{prefix}{i}",
            firsts[(i + offset) % len(firsts)],
            lasts[(3 * i + offset) % len(lasts)],
            f"20{10 + i % 6}-0{1 + i % 9}-{10 + i % 18}",
            "",
            f"E{1 + i % 17} 6AN",
        )
        for i in range(60)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def test_partners_encoded_under_different_keys_are_told_so() -> None:
    # Under two keys no segment coincides: nothing links, and the user is told why.
    north, south = _partner("n", 0), _partner("s", 1)
    a = encode_identities(north, key=generate_key())
    b = encode_identities(south, key=generate_key())
    with pytest.warns(peermap.PeermapWarning, match="same key"):
        links = link_identities(a, b, labels=("north.csv", "south.csv"))
    assert not links["match"].any()
    with pytest.warns(peermap.PeermapWarning, match="north.*south.*different linkage keys"):
        cluster_identities({"north": a, "south": b})
    # under one key: no warning (warnings are errors in the tests), and the young
    # people both hold link
    key = generate_key()
    both = _partner("s", 0)
    same = link_identities(encode_identities(north, key=key), encode_identities(both, key=key))
    assert same["match"].sum() >= 50


def test_a_boy_and_girl_twin_a_short_form_apart_are_not_one_young_person() -> None:
    # Abid is one letter from the short form Abi (Abigail): read as a slip of it, the
    # twins Abid and Abigail Khan linked as one child at probability 0.99.
    rows = [("Abid", "M"), ("Abigail", "F")]
    a, b = (
        encode_identities(
            pd.DataFrame(
                [(f"{side}0", first, "Khan", "2011-05-04", sex, "E1 6AN")], columns=COLUMNS
            ),
            key=KEY,
        )
        for side, (first, sex) in zip("ab", rows, strict=True)
    )
    assert not link_identities(a, b)["match"].any()
