"""Public outputs of two datasets one young person or one record apart.

An attacker who holds two public releases learns what differs between them. What
differs must not be a count of what is too small to show, nor the name of an authority
that one young person brings in. (The audit of session 25 found each of these in the
public report; the datasets below are the demo scenario and copies of its own rows.)
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest

from conftest import DemoScenario
from conftest import markdown_section as _section
from peermap import Dataset
from peermap.views.report import build_report

pytestmark = pytest.mark.filterwarnings("ignore::peermap.PeermapWarning")


def _public(ds: Dataset) -> str:
    return build_report(ds, fmt="markdown", audience="public")


def _with_person(ds: Dataset, *, home: str, place_kind: str | None = None) -> Dataset:
    """The dataset with one more young person (a copy of the first), homed in ``home``,
    seen once at a new place of ``place_kind`` (or not seen) in the middle of the data."""
    person = ds.people.iloc[[0]].copy()
    person["person_id"] = "yp-990001"
    person["home_authority"] = home
    changes: dict[str, pd.DataFrame] = {"people": pd.concat([ds.people, person])}
    if place_kind is not None:
        place = ds.places[ds.places["kind"] == place_kind].iloc[[0]].copy()
        place["place_id"] = "pl-990001"
        sighting = ds.sightings.iloc[[len(ds.sightings) // 2]].copy()
        sighting["person_id"], sighting["place_id"] = "yp-990001", "pl-990001"
        changes["places"] = pd.concat([ds.places, place])
        changes["sightings"] = pd.concat([ds.sightings, sighting])
    return ds.replace(**changes)


def test_counts_of_what_is_withheld_are_not_published(demo_scenario: DemoScenario) -> None:
    ds = demo_scenario(300, 3).dataset
    before = _public(ds)
    after = _public(
        _with_person(ds, home=str(ds.people["home_authority"].iloc[0]), place_kind="residential")
    )
    notes = [line for line in before.splitlines() if line.lstrip("*_ ").startswith("Not listed")]
    assert notes, "the public report says what it does not list"
    for line in notes:
        assert not re.search(r"Not listed: \d", line), line  # what, never how many
    assert notes == [
        line for line in after.splitlines() if line.lstrip("*_ ").startswith("Not listed")
    ]


def test_one_young_person_in_a_new_authority_is_not_given_away(
    demo_scenario: DemoScenario,
) -> None:
    ds = demo_scenario(300, 3).dataset
    # An authority nobody is homed in: the young people of the least populous one are
    # homed next door instead, in both releases.
    counts = ds.people["home_authority"].astype(str).value_counts()
    empty, other = str(counts.index[-1]), str(counts.index[0])
    people = ds.people.copy()
    people["home_authority"] = people["home_authority"].astype(str).replace(empty, other)
    ds = ds.replace(people=people)
    before = _section(_public(ds), "Overview")
    after = _section(_public(_with_person(ds, home=empty)), "Overview")
    line = [row for row in before.splitlines() if "home authorities" in row]
    assert line and line == [row for row in after.splitlines() if "home authorities" in row]


def test_a_relocation_into_an_authority_does_not_name_it(demo_scenario: DemoScenario) -> None:
    ds = demo_scenario(300, 3).dataset
    received = set(ds.relocations["to_authority"].astype(str))
    names = dict(zip(ds.boundaries["code"].astype(str), ds.boundaries["name"], strict=True))
    target = next(code for code in names if code not in received)
    move = ds.relocations.iloc[[0]].copy()
    move["to_authority"] = target
    moved = ds.replace(relocations=pd.concat([ds.relocations, move]))
    section = _section(_public(moved), "Relocations received")
    assert names[target] not in section  # one relocation: no row, not even of withheld cells
    assert names[target] in _section(
        build_report(moved, fmt="markdown", audience="partnership"), "Relocations received"
    )


def _public_view(ds: Dataset) -> str:
    import peermap

    html = peermap.make_map(ds, audience="public", tiles=None).to_html()
    found = re.search(r'"bounds": ?(\[\[[^\]]*\], ?\[[^\]]*\]\])', html)
    assert found, "the map says where it opens"
    return found.group(1)


def test_a_home_far_from_the_rest_does_not_move_a_public_view(
    demo_scenario: DemoScenario,
) -> None:
    # Without boundaries the public view is a 10 km grid around the places: one home
    # 12 km beyond them moved its edge (and said where, within 10 km).
    ds = demo_scenario(300, 3).dataset.replace(boundaries=None)
    places = ds.places
    home = places[places["kind"] == "residential"].iloc[[0]].copy()
    home["place_id"] = "pl-990009"
    east = float(places.geometry.x.max()) + 12_000.0
    home = home.set_geometry(
        gpd.points_from_xy([east], [float(places.geometry.y.mean())], crs=places.crs)
    )
    far = ds.replace(places=pd.concat([places, home]))
    assert _public_view(far) == _public_view(ds)
