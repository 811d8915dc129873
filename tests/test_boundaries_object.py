"""Boundaries: the frame, its metadata as attributes, and one neighbour graph."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest

import peermap
import peermap.boundaries as boundaries_module
from peermap import Boundaries
from peermap.boundaries import DEMO_ATTRIBUTION, boundary_attribution
from peermap.dataset import Dataset
from peermap.synthetic import scenario
from peermap.views.report import build_report


@pytest.fixture(scope="module")
def demo() -> gpd.GeoDataFrame:
    return peermap.demo_boundaries()


@pytest.fixture(scope="module")
def demo_ds(demo: gpd.GeoDataFrame) -> Dataset:
    return scenario(demo, n_people=200, seed=5).dataset


@pytest.fixture()
def graph_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the neighbour graphs built (every builder goes through authority_graph)."""
    calls: list[int] = []
    build: Callable[..., nx.Graph] = boundaries_module.authority_graph

    def counting(*args: Any, **kwargs: Any) -> nx.Graph:
        calls.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(boundaries_module, "authority_graph", counting)
    return calls


def test_of_wraps_a_frame_without_copying_and_reads_its_attrs(demo: gpd.GeoDataFrame) -> None:
    b = Boundaries.of(demo)
    assert b.frame is demo and Boundaries.of(b) is b
    assert b.attrs == demo.attrs
    assert (b.source, b.vintage, b.attribution, b.fictional) == (
        "demo_region.geojson",
        None,
        DEMO_ATTRIBUTION,
        True,
    )
    assert b.names["X09000001"] == demo.set_index("code").loc["X09000001", "name"]
    assert repr(b) == "Boundaries(7 authorities from demo_region.geojson)"
    with pytest.raises(TypeError, match="boundaries must be a Boundaries"):
        Boundaries.of(42)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore:.*has names:peermap.PeermapWarning")
def test_load_and_demo_keep_returning_frames(lad_2024_path: Any) -> None:
    assert isinstance(peermap.load_boundaries(lad_2024_path), gpd.GeoDataFrame)
    assert isinstance(peermap.demo_boundaries(), gpd.GeoDataFrame)
    loaded = Boundaries.load(lad_2024_path)
    assert loaded.vintage == 2024 and loaded.codes_derived
    assert loaded.attribution is not None and loaded.attribution.endswith("right 2024")
    assert Boundaries.of(lad_2024_path).attrs == loaded.attrs
    assert Boundaries.demo().fictional


def test_neighbour_graph_is_built_once_per_boundaries(
    demo: gpd.GeoDataFrame, graph_builds: list[int]
) -> None:
    b = Boundaries.of(demo)
    graph = b.neighbour_graph()
    assert b.neighbour_graph() is graph and len(graph_builds) == 1
    # Built once more, through the module (peermap.authority_graph would keep the
    # patched function: the package caches a name on first use).
    assert nx.utils.graphs_equal(graph, boundaries_module.authority_graph(demo))
    graph_builds.clear()
    assert graph.nodes["X09000001"]["name"] and "centroid_bng" in graph.nodes["X09000001"]
    assert b.neighbour_graph(snap_m=0) is not graph and len(graph_builds) == 1
    with pytest.raises(nx.NetworkXError, match="Frozen graph"):
        graph.add_edge("X09000001", "X09000007")
    assert b.with_frame(demo).neighbour_graph() is not graph


def test_a_report_builds_the_neighbour_graph_once(
    demo_ds: Dataset, graph_builds: list[int]
) -> None:
    ds = demo_ds.replace(boundaries=demo_ds.boundaries)  # a region with no graph yet
    build_report(ds, audience="partnership", fmt="markdown")
    peermap.contexts(ds)
    peermap.make_map(ds, tiles=None)
    build_report(ds, audience="public", fmt="markdown")
    assert len(graph_builds) == 1
    assert ds.region is not None
    kept = ds.replace(ties=ds.ties.iloc[:10])
    assert kept.region is ds.region


def test_metadata_survive_where_attrs_are_lost(demo: gpd.GeoDataFrame, demo_ds: Dataset) -> None:
    lookup = pd.DataFrame({"code": demo["code"], "team": "north"})
    joined = demo.merge(lookup, on="code")
    other = demo.copy()
    other.attrs = {**demo.attrs, "vintage": 2013}
    stacked = pd.concat([demo.iloc[:3], other.iloc[3:]])
    for frame in (joined, stacked):
        # pandas drops .attrs here: a frame alone would be credited to the ONS.
        assert frame.attrs == {}
        assert boundary_attribution(frame).startswith("Source: Office for National Statistics")
    b = Boundaries.of(demo)
    for frame in (joined, stacked):
        kept = b.with_frame(frame)
        assert kept.attribution == DEMO_ATTRIBUTION and kept.fictional
        assert boundary_attribution(kept) == DEMO_ATTRIBUTION
        assert kept.frame.attrs == b.attrs  # also in the frame, for code reading .attrs
        assert frame.attrs == {}  # the caller's frame is not changed
    ds = peermap.read_dataset(
        {name: demo_ds.table(name) for name in ("people", "places")},
        boundaries=b.with_frame(joined),
    )
    assert ds.region is not None and ds.region.attribution == DEMO_ATTRIBUTION
    assert ds.boundaries is ds.region.frame and "team" in ds.boundaries
    assert peermap.make_map(ds, tiles=None).info.attribution == DEMO_ATTRIBUTION


def test_dataset_region_follows_its_boundaries(demo: gpd.GeoDataFrame, demo_ds: Dataset) -> None:
    assert demo_ds.region is not None and demo_ds.region.frame is demo_ds.boundaries
    assert demo_ds.boundaries is demo
    b = Boundaries.of(demo)
    tables = {name: demo_ds.table(name) for name in ("people", "places")}
    assert peermap.read_dataset(tables, boundaries=b).region is b
    swapped = demo_ds.replace(region=b)
    assert swapped.region is b and swapped.boundaries is demo
    none = demo_ds.replace(boundaries=None)
    assert none.region is None and none.boundaries is None
    with pytest.raises(ValueError, match="different boundaries"):
        Dataset(
            people=demo_ds.people,
            places=demo_ds.places,
            ties=demo_ds.ties,
            sightings=demo_ds.sightings,
            relocations=demo_ds.relocations,
            boundaries=demo.copy(),
            region=b,
        )
    back = pickle.loads(pickle.dumps(demo_ds))
    assert back.region is not None and back.region.frame is back.boundaries
    assert back.region.attribution == DEMO_ATTRIBUTION


def test_functions_taking_boundaries_accept_either(
    demo: gpd.GeoDataFrame, demo_ds: Dataset
) -> None:
    b = Boundaries.of(demo)
    places = demo_ds.places[["place_id", "geometry"]]
    assert peermap.assign_authorities(places, b).equals(peermap.assign_authorities(places, demo))
    names = pd.Series(["X09000001", "nowhere"])
    assert peermap.resolve_authorities(names, b).equals(peermap.resolve_authorities(names, demo))
    assert nx.utils.graphs_equal(peermap.authority_graph(b), peermap.authority_graph(demo))
    assert boundary_attribution(b) == boundary_attribution(demo) == DEMO_ATTRIBUTION
    producer = str(demo["code"].iloc[0])
    merged = peermap.merge([demo_ds], producers=[producer], boundaries=b)
    assert merged.region is b
    assert peermap.validate(demo_ds, boundaries=b).ok
