"""Every public function that takes boundaries runs on both real ONS files.

The matrix: the 2013 TopoJSON (no CRS declared, about 250 invalid rings, GSS codes) and
the 2024 ultra-generalised GeoJSON (names, no codes), each cut to London and whole (all
of England). A small synthetic dataset (a few hundred young people) on each; each public
function that takes boundaries or a dataset read against them runs on it: reading,
assignment, contexts, hotspots, Gi*, flows, maps (HTML and static), diagrams, the report,
export (a package) and merge. The England rows are marked ``slow`` (run on CI).

The files are read from ``../shared/boundaries/``; without them every test here skips,
saying so (``tests/conftest.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import peermap
from conftest import Loaded
from peermap.synthetic import scenario

pytestmark = pytest.mark.real_boundaries

#: Greater London in British National Grid metres (for the 2024 file, which has no codes):
#: the districts whose inner point lies in it.
LONDON_BOX = shapely.box(503_000, 155_000, 562_000, 201_000)

CASES = [
    pytest.param(("2013", "london"), id="2013-london"),
    pytest.param(("2024", "london"), id="2024-london"),
    pytest.param(("2013", "england"), id="2013-england", marks=pytest.mark.slow),
    pytest.param(("2024", "england"), id="2024-england", marks=pytest.mark.slow),
]


@pytest.fixture(scope="module", params=CASES)
def case(request: pytest.FixtureRequest) -> tuple[str, gpd.GeoDataFrame, peermap.Dataset]:
    """(name, boundaries, a dataset of 300 young people read against them)."""
    vintage, extent = request.param
    # Read once a session (conftest), warning as it should: 2013, no CRS declared and
    # invalid rings repaired; 2024, codes derived from names.
    loaded: Loaded = request.getfixturevalue(f"lad_{vintage}_loaded")
    boundaries = loaded[0].copy()
    if extent == "london":
        if vintage == "2013":
            keep = boundaries["code"].str.startswith("E09")
        else:
            inner = shapely.point_on_surface(np.asarray(boundaries.geometry.values))
            keep = shapely.within(inner, LONDON_BOX)
        attrs = dict(boundaries.attrs)
        boundaries = boundaries[keep].reset_index(drop=True)
        boundaries.attrs = attrs
        assert 25 <= len(boundaries) <= 45
    made = scenario(boundaries, n_people=300, seed=16).dataset
    tables = {name: getattr(made, name) for name in ("people", "ties", "sightings")}
    tables["places"] = made.places.drop(columns=["authority_code", "authority_name"])
    tables["relocations"] = made.relocations
    ds = peermap.read_dataset(tables, boundaries=boundaries)
    return f"{vintage}-{extent}", boundaries, ds


def test_read_assigns_every_place(case: tuple[str, gpd.GeoDataFrame, peermap.Dataset]) -> None:
    _, boundaries, ds = case
    assert ds.report.ok
    assert ds.places["authority_code"].isin(boundaries["code"]).all()
    assert shapely.is_valid(np.asarray(boundaries.geometry.values)).all()


def test_assign(case: tuple[str, gpd.GeoDataFrame, peermap.Dataset]) -> None:
    _, boundaries, ds = case
    again = peermap.assign_authorities(ds.places.drop(columns=["authority_code"]), boundaries)
    assert (again["authority_code"].to_numpy() == ds.places["authority_code"].to_numpy()).all()


def test_analyses(case: tuple[str, gpd.GeoDataFrame, peermap.Dataset]) -> None:
    _, _, ds = case
    assert len(peermap.contexts(ds)) > 0
    spots = peermap.hotspots(ds)
    assert spots["people"].sum() > 0
    flows = peermap.flows(ds, kind="sightings")
    assert flows["people"].sum() > 0
    grid = peermap.gi_star(ds, cell_size_m=None, permutations=9, inference="analytical")
    assert len(grid) > 0


def test_map_page_and_static_plot(
    case: tuple[str, gpd.GeoDataFrame, peermap.Dataset], tmp_path: Path
) -> None:
    _, _, ds = case
    m = peermap.make_map(ds, tiles=None, gi_permutations=9)
    page = peermap.save_map(m, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "authorities" in m.info.layers and len(page) > 10_000
    fig = peermap.plot_static(ds, tmp_path / "map.png", gi_permutations=9)
    assert (tmp_path / "map.png").stat().st_size > 1000
    assert fig is not None


def test_diagram(
    case: tuple[str, gpd.GeoDataFrame, peermap.Dataset],
    tmp_path: Path,
) -> None:
    _, _, ds = case
    d = peermap.peer_diagram(ds, audience="partnership", path=tmp_path / "d.png")
    assert (tmp_path / "d.png").stat().st_size > 1000
    assert d is not None


def test_report(case: tuple[str, gpd.GeoDataFrame, peermap.Dataset]) -> None:
    _, _, ds = case
    report = peermap.make_report(ds, gi_cell_size_m=None)
    assert "Office for National Statistics" in report.to_html()


def test_export_and_merge(
    case: tuple[str, gpd.GeoDataFrame, peermap.Dataset],
    tmp_path: Path,
) -> None:
    _, boundaries, ds = case
    key = peermap.generate_key()
    producer = str(boundaries["code"].iloc[0])
    path = peermap.write_package(
        ds, tmp_path / "p.gpkg", key=key, producer=producer, audience="partnership"
    )
    back = peermap.read_package(path, key=key)
    assert len(back.people) == len(ds.people)
    merged = peermap.merge([back, back])
    assert len(merged.people) == len(ds.people)
    aggregate = peermap.write_package(
        ds, tmp_path / "a.gpkg", key=None, producer=producer, audience="aggregate"
    )
    assert json.loads(json.dumps(peermap.exchange.package_metadata(aggregate)))["audience"] == (
        "aggregate"
    )
