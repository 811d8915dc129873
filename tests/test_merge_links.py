"""Merging through a links table: one young person held by two partners under two ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import peermap
from peermap.dataset import Dataset
from peermap.exceptions import ValidationError
from peermap.merging import PROVENANCE, merge, with_provenance

A, B, C = "X09000001", "X09000002", "X09000003"
_TIE = ("friend", "2024-01-05", None, "school", "reported")


def _ds(
    people: list[tuple[Any, ...]],
    ties: list[tuple[str, str]],
    seen: list[tuple[str, str]],
    producer: str,
) -> Dataset:
    frames = {
        "people": pd.DataFrame(
            people, columns=["person_id", "home_authority", "age", "sex", "looked_after"]
        ),
        "places": pd.DataFrame(
            [("h1", "hotel", 700_000.0, 310_000.0, None)],
            columns=["place_id", "kind", "easting", "northing", "label"],
        ),
        "ties": pd.DataFrame(
            [(a, b, *_TIE) for a, b in ties],
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
            [(p, "h1", d, "cse", "police", "reported") for p, d in seen],
            columns=["person_id", "place_id", "date", "context", "source", "reliability"],
        ),
    }
    return with_provenance(peermap.read_dataset(frames), producer)


# North knows the child as n-1, South as s-7; n-2 and s-8 are a review-band pair.
NORTH = (
    [("n-1", A, 14, "F", False), ("n-2", A, 15, "M", None)],
    [("n-1", "n-2")],
    [("n-1", "2024-02-01")],
)
SOUTH = (
    [("s-7", B, 14, "F", None), ("s-8", B, 15, "M", None)],
    [("s-7", "s-8")],
    [("s-7", "2024-03-09")],
)
LINKS = pd.DataFrame(
    {
        "id_a": ["n-1", "n-2"],
        "id_b": ["s-7", "s-8"],
        "score": [0.91, 0.75],
        "match": [True, False],
        "review": [False, True],
    }
)


def _pair() -> tuple[Dataset, Dataset]:
    return _ds(*NORTH, producer=A), _ds(*SOUTH, producer=B)


def test_a_linked_child_becomes_one_person_with_both_partners_records() -> None:
    north, south = _pair()
    assert len(merge([north, south]).people) == 4  # without links: four people
    m = merge([north, south], links=LINKS)
    # n-1 and s-7 are one child, under the smaller id; the review pair stays two people
    assert sorted(m.people["person_id"]) == ["n-1", "n-2", "s-8"]
    child = m.people[m.people["person_id"] == "n-1"].iloc[0]
    assert child[PROVENANCE] == f"{A};{B}"
    assert child["looked_after"] == False  # noqa: E712 - North's value fills South's blank
    # both partners' ties and sightings are kept, now the one child's
    ties = sorted(tuple(sorted(t)) for t in m.ties[["person_a", "person_b"]].values.tolist())
    assert ties == [("n-1", "n-2"), ("n-1", "s-8")]
    assert m.sightings["person_id"].tolist() == ["n-1", "n-1"]
    assert sorted(m.sightings[PROVENANCE]) == [A, B]
    # provenance: which partner held the child under which id
    linked = m.meta["linked_ids"]
    assert linked[["person_id", "partner", "local_id"]].values.tolist() == [
        ["n-1", A, "n-1"],
        ["n-1", B, "s-7"],
    ]
    assert linked["score"].tolist() == [0.91, 0.91]


def test_merging_through_links_does_not_depend_on_the_order() -> None:
    north, south = _pair()
    swapped = LINKS.rename(columns={"id_a": "id_b", "id_b": "id_a"})
    assert peermap.datasets_equal(
        merge([north, south], links=LINKS), merge([south, north], links=swapped)
    )


def test_accepted_review_pairs_unify_when_marked_as_matches() -> None:
    north, south = _pair()
    accepted = LINKS.assign(match=[True, True])
    m = merge([north, south], links=accepted)
    assert sorted(m.people["person_id"]) == ["n-1", "n-2"]
    assert len(m.ties) == 1 and m.ties[PROVENANCE].tolist() == [f"{A};{B}"]


def test_a_clusters_table_names_partners_by_their_code() -> None:
    north, south = _pair()
    third = _ds([("e-3", C, 14, "F", None)], [], [("e-3", "2024-04-01")], producer=C)
    clusters = pd.DataFrame(
        {
            "cluster": [0, 1, 0, 2, 0],
            "partner": [A, A, B, B, C],
            "person_id": ["n-1", "n-2", "s-7", "s-8", "e-3"],
        }
    )
    m = merge([north, south, third], links=clusters)
    assert sorted(m.people["person_id"]) == ["e-3", "n-2", "s-8"]
    linked = m.meta["linked_ids"]
    assert linked[["partner", "local_id"]].values.tolist() == [[A, "n-1"], [B, "s-7"], [C, "e-3"]]
    assert set(linked["person_id"]) == {"e-3"}
    assert m.sightings["person_id"].tolist() == ["e-3"] * 3


def test_a_link_naming_an_unknown_id_is_refused_naming_file_row_column(tmp_path: Path) -> None:
    north, south = _pair()
    path = tmp_path / "links.csv"
    LINKS.assign(id_b=["s-7", "s-9"], match=[True, True]).to_csv(path, index=False)
    with pytest.raises(ValidationError) as caught:
        merge([north, south], links=path)
    message = str(caught.value)
    assert str(path) in message and "row 3" in message and "column id_b" in message
    assert "s-9" in message and "second dataset" in message


def test_links_joining_two_people_of_one_partner_are_refused() -> None:
    north, south = _pair()
    links = pd.DataFrame({"id_a": ["n-1", "n-2"], "id_b": ["s-7", "s-7"], "match": [True, True]})
    with pytest.raises(ValidationError, match="at most one record of each partner"):
        merge([north, south], links=links)


def test_a_match_that_is_not_true_or_false_is_refused() -> None:
    north, south = _pair()
    with pytest.raises(ValidationError, match="row 1, column match"):
        merge([north, south], links=LINKS.assign(match=["perhaps", "no"]))


def test_the_command_line_merges_through_links(tmp_path: Path) -> None:
    from peermap.cli import main

    key = "3c" * 32
    (tmp_path / "k.key").write_text(key)
    north, south = _pair()
    for code, ds in ((A, north), (B, south)):
        peermap.write_package(
            ds, tmp_path / f"{code}.gpkg", key=key, producer=code, audience="partnership"
        )
    LINKS.to_csv(tmp_path / "links.csv", index=False)
    out = tmp_path / "merged.gpkg"
    args = [
        str(tmp_path / f"{A}.gpkg"),
        str(tmp_path / f"{B}.gpkg"),
        "-o",
        str(out),
        "--producer",
        A,
        "--key-file",
        str(tmp_path / "k.key"),
    ]
    assert main(["merge", *args, "--links", str(tmp_path / "links.csv")]) == 0
    merged = peermap.read_package(out, key=key)
    assert sorted(merged.people["person_id"]) == ["n-1", "n-2", "s-8"]
    LINKS.assign(id_a=["n-5", "n-2"]).to_csv(tmp_path / "bad.csv", index=False)
    assert main(["merge", *args, "--links", str(tmp_path / "bad.csv")]) == 2
