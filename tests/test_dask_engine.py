"""The dask engine gives the in-memory engine's answers exactly, on a real LocalCluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask_geopandas", reason="the dask engine's extra is not installed")
from dask.distributed import Client, LocalCluster

import peermap
from peermap import dask_engine
from peermap.synthetic import scenario


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two worker processes, as the benchmark uses; everything below runs on them."""
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="1GB",
        scheduler_port=0,
        dashboard_address=":0",  # no fixed port: runs while 8787 is taken
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def ds() -> peermap.Dataset:
    data, _ = scenario(peermap.demo_boundaries(), n_people=600, seed=3)
    return data


def _in_dask(ds: peermap.Dataset) -> object:
    return dask_engine.from_pandas(ds.sightings, npartitions=4)


@pytest.mark.parametrize(
    "filters",
    [{}, {"min_reliability": "reported"}, {"since": "2024-03-01", "until": "2024-09-30"}],
)
def test_sighting_flows_equal_the_in_memory_table(
    client: Client, ds: peermap.Dataset, filters: dict[str, str]
) -> None:
    expected = peermap.flows(ds, kind="sightings", **filters)  # type: ignore[arg-type]
    got = dask_engine.sighting_flows(ds, _in_dask(ds), **filters)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(got, expected)
    assert len(got) > 5 and got["within"].any() and (~got["within"]).any()


def test_a_place_outside_every_authority_keeps_its_row(client: Client, ds: peermap.Dataset) -> None:
    places = ds.places.copy()
    places.loc[0, ["authority_code", "authority_name"]] = None
    odd = peermap.Dataset(
        people=ds.people,
        places=places,
        ties=ds.ties,
        sightings=ds.sightings,
        relocations=ds.relocations,
        boundaries=ds.boundaries,
        meta=ds.meta,
    )
    expected = peermap.flows(odd, kind="sightings")
    got = dask_engine.sighting_flows(odd, _in_dask(odd))
    assert expected["destination"].isna().any()
    pd.testing.assert_frame_equal(got, expected)


def test_hotspots_equal_the_in_memory_table(client: Client, ds: peermap.Dataset) -> None:
    expected = peermap.hotspots(ds, min_reliability="reported")
    got = dask_engine.hotspots(ds, _in_dask(ds), min_reliability="reported")
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(expected))
    assert got.crs == expected.crs
    # Where exploiter ties meet (dated visits, aggregated on dask) agrees too, within a
    # window as over the whole year.
    assert (expected["met_people"] > 0).any()
    window = {"since": "2024-03-01", "until": "2024-09-30"}
    pd.testing.assert_frame_equal(
        pd.DataFrame(dask_engine.hotspots(ds, _in_dask(ds), **window)),
        pd.DataFrame(peermap.hotspots(ds, **window)),
    )


def test_engine_keyword_on_the_core_functions(client: Client, ds: peermap.Dataset) -> None:
    pd.testing.assert_frame_equal(
        peermap.flows(ds, kind="sightings", engine="dask"), peermap.flows(ds, kind="sightings")
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(peermap.hotspots(ds, engine="dask")), pd.DataFrame(peermap.hotspots(ds))
    )
    with pytest.raises(ValueError, match="engine='spark'"):
        peermap.flows(ds, engine="spark")  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["geopandas", "dask"])
def test_assignment_equals_the_in_memory_one(
    client: Client, ds: peermap.Dataset, given: str
) -> None:
    rng = np.random.default_rng(0)
    xmin, ymin, xmax, ymax = ds.boundaries.total_bounds
    # Points over the whole region and beyond its edge: within, border and outside.
    n = 3000
    points = gpd.GeoDataFrame(
        {"place_id": [f"p{i}" for i in range(n)]},
        geometry=gpd.points_from_xy(
            rng.uniform(xmin - 5_000, xmax + 5_000, n), rng.uniform(ymin - 5_000, ymax + 5_000, n)
        ),
        crs=ds.boundaries.crs,
    )
    with pytest.warns(peermap.PeermapWarning, match="outside"):
        expected = peermap.assign_authorities(points, ds.boundaries)
    source = points if given == "geopandas" else dask_engine.from_pandas(points, npartitions=6)
    lazy = dask_engine.assign_authorities(source, ds.boundaries, npartitions=6)
    assert lazy.npartitions == 6
    # Partitions are spatially compact (Hilbert order): each covers far less than the whole.
    boxes = lazy.map_partitions(
        lambda part: pd.DataFrame([part.total_bounds], columns=["x0", "y0", "x1", "y1"])
    ).compute()
    area = ((boxes["x1"] - boxes["x0"]) * (boxes["y1"] - boxes["y0"])).mean()
    whole = (xmax - xmin + 10_000) * (ymax - ymin + 10_000)
    assert area < 0.5 * whole
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)  # said once per partition
        got = lazy.compute().sort_index()
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(expected))
    assert set(got["assignment"].astype(str)) >= {"within", "outside"}


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")


def test_reading_sightings_from_many_files_gives_the_same_table(
    client: Client, ds: peermap.Dataset, tmp_path: Path
) -> None:
    sightings = ds.sightings
    bounds = np.linspace(0, len(sightings), 4).astype(int)
    for i in range(3):
        _write_csv(sightings.iloc[bounds[i] : bounds[i + 1]], tmp_path / f"2024-{i + 1:02}.csv")
    table, report = dask_engine.read_sightings(tmp_path, ds)
    assert table.npartitions == 3 and report.ok
    got = table.compute()
    assert got["source_file"].str.endswith(".csv").all()
    pd.testing.assert_frame_equal(got.drop(columns="source_file").reset_index(drop=True), sightings)
    assert report.counts["sightings"] == {
        "read": len(sightings),
        "accepted": len(sightings),
        "rejected": 0,
    }
    # One file read by the in-memory reader gives the same rows as read here.
    one = tmp_path / "one"
    one.mkdir()
    _write_csv(sightings, one / "all.csv")
    in_memory = peermap.read_dataset(
        {
            "people": pd.DataFrame(ds.people),
            "places": pd.DataFrame(ds.places.drop(columns="geometry"))[
                ["place_id", "kind", "lon", "lat", "easting", "northing", "label"]
            ],
            "sightings": one / "all.csv",
        }
    )
    single, _ = dask_engine.read_sightings(one / "all.csv", ds)
    pd.testing.assert_frame_equal(
        single.compute().drop(columns="source_file").reset_index(drop=True),
        in_memory.sightings,
    )


def test_problems_name_file_and_row_and_nothing_is_lost(
    client: Client, ds: peermap.Dataset, tmp_path: Path
) -> None:
    head = ds.sightings.iloc[:40].copy()
    first, second = head.iloc[:20].copy(), head.iloc[20:].copy()
    second.loc[second.index[3], "person_id"] = "yp-nobody"  # spreadsheet row 5
    second = pd.concat([second, first.iloc[[7]]])  # row 9 of a.csv again, as row 22 of b.csv
    _write_csv(first, tmp_path / "a.csv")
    _write_csv(second, tmp_path / "b.csv")
    with pytest.raises(peermap.ValidationError) as caught:
        dask_engine.read_sightings(tmp_path, ds)
    problems = {(Path(p.file).name, p.row, p.rule) for p in caught.value.report.problems}
    assert ("b.csv", 5, "unknown_person") in problems
    assert ("b.csv", 22, "duplicate_row") in problems
    message = str(caught.value)
    assert "the sightings were not read" in message and "the report returned" in message
    assert "b.csv, row 5" in message
    dup = next(p for p in caught.value.report.problems if p.rule == "duplicate_row")
    assert "row 9 in" in dup.message and "a.csv" in dup.message

    table, report = dask_engine.read_sightings(tmp_path, ds, strict=False)
    counts = report.counts["sightings"]
    assert counts == {"read": 41, "accepted": 39, "rejected": 2}
    assert len(table.compute()) == 39
    rejected = report.rejected["sightings"]
    names = rejected["file"].map(lambda f: Path(f).name)
    assert sorted(zip(names, rejected.index, strict=True)) == [
        ("b.csv", 5),
        ("b.csv", 22),
    ]


def test_identifiers_are_refused_in_any_file(
    client: Client, ds: peermap.Dataset, tmp_path: Path
) -> None:
    part = ds.sightings.iloc[:10].copy()
    _write_csv(part, tmp_path / "a.csv")
    _write_csv(part.iloc[:5].assign(full_name="Jane Smith"), tmp_path / "b.csv")
    with pytest.raises(peermap.PrivacyError) as caught:
        dask_engine.read_sightings(tmp_path, ds, strict=False)
    assert "Jane Smith" not in str(caught.value)


def test_local_scheduler_chosen_over_the_client_gives_the_same_answers(
    client: Client, ds: peermap.Dataset, tmp_path: Path
) -> None:
    # Lookups go to the workers once on a cluster; with a local scheduler chosen they
    # must instead travel in the graph, and the answers must not change.
    import dask

    _write_csv(ds.sightings, tmp_path / "all.csv")
    with dask.config.set(scheduler="threads"):
        table, report = dask_engine.read_sightings(tmp_path, ds)
        got = dask_engine.sighting_flows(ds, table)
    assert report.ok
    pd.testing.assert_frame_equal(got, peermap.flows(ds, kind="sightings"))


def test_sightings_of_people_outside_the_dataset_are_an_error(
    client: Client, ds: peermap.Dataset
) -> None:
    # Workers count integer codes of the dataset's people and places; a sighting of
    # someone else must stop the count rather than vanish from it.
    sightings = ds.sightings.copy()
    sightings.loc[sightings.index[5], "person_id"] = "yp-not-in-ds"
    table = dask_engine.from_pandas(sightings, npartitions=3)
    with pytest.raises(ValueError, match="person_id 'yp-not-in-ds'"):
        dask_engine.sighting_flows(ds, table)
    with pytest.raises(ValueError, match="person_id 'yp-not-in-ds'"):
        dask_engine.hotspots(ds, table)
