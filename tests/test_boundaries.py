"""Tests for peermap.boundaries: reading, conventions, CRS, repair, graph, downloads."""

from __future__ import annotations

import io
import json
import re
import urllib.error
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box

from conftest import Loaded
from peermap import BoundaryError, CRSError, PeermapWarning, ons
from peermap.boundaries import (
    DEMO_ATTRIBUTION,
    authority_graph,
    boundary_attribution,
    demo_boundaries,
    derived_code,
    fetch_ons,
    load_boundaries,
    ons_attribution,
    ons_datasets,
)

README_LINE = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2013 and 2024"
)
GSS_SHAPED = re.compile(r"^[A-Z][0-9]{8}$")
REAL_GSS_PREFIXES = tuple("EWSNKJLM")
TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


# --------------------------------------------------------------------------- helpers


def squares(
    n: int = 3, *, x0: float = 530_000.0, y0: float = 180_000.0, size: float = 1000.0
) -> list[Polygon]:
    """``n`` squares in a row sharing edges exactly (BNG metres, central London)."""
    return [box(x0 + i * size, y0, x0 + (i + 1) * size, y0 + size) for i in range(n)]


def frame(columns: dict[str, list[Any]], geoms: list[Any], crs: Any = "EPSG:27700") -> Any:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


def write_geojson_text(path: Path, features: list[tuple[dict[str, Any], Any]]) -> Path:
    """Write a GeoJSON file by hand (no ``crs`` member, whatever the coordinates)."""
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
            for props, geom in features
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def write_shapefile_without_crs(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_file(path)
    path.with_suffix(".prj").unlink()
    return path


def lonlat_squares(n: int = 2) -> list[Polygon]:
    """``n`` 0.01-degree squares in rows of 20 from (-0.2, 51.5), around London."""
    cells = [(-0.2 + 0.01 * (i % 20), 51.5 + 0.01 * (i // 20)) for i in range(n)]
    return [box(round(x, 6), round(y, 6), round(x + 0.01, 6), round(y + 0.01, 6)) for x, y in cells]


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def lad13_loaded(lad_2013_loaded: Loaded) -> Loaded:
    gdf, messages = lad_2013_loaded  # read once a session (conftest)
    return gdf.copy(), messages


@pytest.fixture(scope="module")
def lad13(lad13_loaded: tuple[gpd.GeoDataFrame, list[str]]) -> gpd.GeoDataFrame:
    return lad13_loaded[0]


@pytest.fixture(scope="module")
def graph13(lad13: gpd.GeoDataFrame) -> Any:
    return authority_graph(lad13)


@pytest.fixture(scope="module")
def lad24_loaded(lad_2024_loaded: Loaded) -> Loaded:
    gdf, messages = lad_2024_loaded  # read once a session (conftest)
    return gdf.copy(), messages


@pytest.fixture(scope="module")
def lad24(lad24_loaded: tuple[gpd.GeoDataFrame, list[str]]) -> gpd.GeoDataFrame:
    return lad24_loaded[0]


def code_of(boundaries: gpd.GeoDataFrame, name: str) -> str:
    return str(boundaries.loc[boundaries["name"] == name, "code"].item())


@pytest.mark.real_boundaries
class TestReal2013TopoJSON:
    def test_standard_shape(self, lad13: gpd.GeoDataFrame) -> None:
        assert list(lad13.columns) == ["code", "name", "geometry"]
        assert len(lad13) == 326
        assert lad13.crs.to_epsg() == 27700
        assert lad13["code"].tolist() == sorted(lad13["code"])
        assert lad13["code"].is_unique
        assert (lad13.geom_type == "MultiPolygon").all()
        assert lad13.is_valid.all()
        assert isinstance(lad13.index, pd.RangeIndex)

    def test_ons_columns_and_vintage_detected(self, lad13: gpd.GeoDataFrame) -> None:
        assert code_of(lad13, "Camden") == "E09000007"
        assert lad13.attrs["code_column"] == "LAD13CD"
        assert lad13.attrs["name_column"] == "LAD13NM"
        assert lad13.attrs["vintage"] == 2013
        assert lad13.attrs["source"] == "ons_lad_2013_england.topojson"
        assert not lad13.attrs["codes_derived"]
        assert lad13.attrs["attribution"].endswith("database right 2013")

    def test_london_boroughs(self, lad13: gpd.GeoDataFrame) -> None:
        assert lad13["code"].str.startswith("E09").sum() == 33

    def test_no_crs_read_as_wgs84_with_warning(
        self, lad13: gpd.GeoDataFrame, lad13_loaded: tuple[Any, list[str]]
    ) -> None:
        messages = lad13_loaded[1]
        assert lad13.attrs["crs_assumed"] is True
        assert any("declares no CRS" in m and "EPSG:4326" in m for m in messages)
        # Read as lon/lat: Camden's centroid is where Camden is.
        camden = lad13.loc[lad13["name"] == "Camden", "geometry"].item().centroid
        lon, lat = TO_WGS.transform(camden.x, camden.y)
        assert -0.20 < lon < -0.12
        assert 51.52 < lat < 51.58

    def test_broken_rings_repaired_and_counted(
        self, lad13: gpd.GeoDataFrame, lad13_loaded: tuple[Any, list[str]], lad_2013_path: Path
    ) -> None:
        raw = gpd.read_file(lad_2013_path, layer="lad")
        assert int((~raw.geometry.is_valid).sum()) > 200  # the README's "about 250"
        # Validity is judged (and repaired) in British National Grid, where the work is done.
        invalid = int((~raw.set_crs(4326).to_crs(27700).geometry.is_valid).sum())
        assert lad13.attrs["repaired"] == invalid
        assert any(f"repaired {invalid} invalid geometries" in m for m in lad13_loaded[1])
        # Repair keeps the areas: England's area is about 130,000 km².
        assert 125_000 < lad13.area.sum() / 1e6 < 135_000

    def test_no_overlaps_left(self, lad13: gpd.GeoDataFrame) -> None:
        geoms = np.asarray(lad13.geometry.values)
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
        assert overlap.max() < 1.0  # m²: slivers went to the lower code

    def test_keep_extra_columns(self, lad_2013_path: Path) -> None:
        with pytest.warns(PeermapWarning):
            gdf = load_boundaries(lad_2013_path, keep=["LAD13CDO"])
        assert list(gdf.columns) == ["code", "name", "LAD13CDO", "geometry"]
        assert gdf.loc[gdf["code"] == "E09000007", "LAD13CDO"].item() == "00AG"


@pytest.mark.real_boundaries
class TestReal2024NamesOnly:
    def test_standard_shape(self, lad24: gpd.GeoDataFrame) -> None:
        assert list(lad24.columns) == ["code", "name", "geometry"]
        assert len(lad24) == 296
        assert lad24.crs.to_epsg() == 27700
        assert lad24["code"].tolist() == sorted(lad24["code"])
        assert lad24.is_valid.all()
        assert lad24.attrs["crs_assumed"] is False
        assert lad24.attrs["repaired"] == 0

    def test_codes_derived_from_names_and_said(
        self, lad24: gpd.GeoDataFrame, lad24_loaded: tuple[Any, list[str]]
    ) -> None:
        assert lad24.attrs["codes_derived"] is True
        assert any("no codes" in m and "derived" in m for m in lad24_loaded[1])
        assert lad24["code"].str.fullmatch(GSS_SHAPED.pattern).all()
        assert not lad24["code"].str.startswith(REAL_GSS_PREFIXES).any()
        assert lad24["code"].is_unique
        assert code_of(lad24, "Buckinghamshire") == derived_code("Buckinghamshire")

    def test_derived_codes_are_stable_across_reads(
        self, lad24: gpd.GeoDataFrame, lad_2024_path: Path
    ) -> None:
        raw = gpd.read_file(lad_2024_path).sample(frac=1.0, random_state=3)
        with pytest.warns(PeermapWarning):
            again = load_boundaries(raw)
        pd.testing.assert_series_equal(again["code"], lad24["code"])
        pd.testing.assert_series_equal(again["name"], lad24["name"])

    def test_vintage_from_file_name(self, lad24: gpd.GeoDataFrame) -> None:
        assert lad24.attrs["vintage"] == 2024
        assert lad24.attrs["attribution"].endswith("database right 2024")

    def test_attribution_of_both_vintages(
        self, lad13: gpd.GeoDataFrame, lad24: gpd.GeoDataFrame
    ) -> None:
        assert boundary_attribution(lad13, lad24) == README_LINE
        assert boundary_attribution(lad24, lad13) == README_LINE


@pytest.mark.real_boundaries
class TestRealAdjacency:
    def test_london_2013(self, graph13: Any) -> None:
        graph = graph13
        camden, islington, croydon = "E09000007", "E09000019", "E09000008"
        assert graph.has_edge(camden, islington)
        assert not graph.has_edge(camden, croydon)
        assert graph.edges[camden, islington]["distance_m"] == 0.0
        assert graph.edges[camden, islington]["shared_border_m"] > 3000
        assert set(graph[camden]) >= {"E09000003", "E09000014", "E09000019", "E09000033"}
        node = graph.nodes[camden]
        assert node["name"] == "Camden"
        assert 20 < node["area_km2"] < 23
        lon, lat = node["centroid_wgs84"]
        assert -0.20 < lon < -0.12 and 51.52 < lat < 51.58
        x, y = node["centroid_bng"]
        assert 524_000 < x < 531_000 and 182_000 < y < 188_000
        assert graph.graph["attribution"].endswith("2013")
        assert all(d["shared_border_m"] > 0 for *_, d in graph.edges(data=True))

    def test_snapping_joins_boroughs_across_the_clipped_thames(
        self, lad13: gpd.GeoDataFrame, graph13: Any
    ) -> None:
        lambeth, westminster = "E09000022", "E09000033"
        london = lad13[lad13["code"].str.startswith("E09")]
        assert not authority_graph(london, snap_m=0).has_edge(lambeth, westminster)
        snapped = graph13
        assert snapped.has_edge(lambeth, westminster)
        assert 100 < snapped.edges[lambeth, westminster]["distance_m"] < 250

    def test_london_2024(self, lad24: gpd.GeoDataFrame) -> None:
        graph = authority_graph(lad24)
        camden = code_of(lad24, "Camden")
        assert graph.has_edge(camden, code_of(lad24, "Islington"))
        assert not graph.has_edge(camden, code_of(lad24, "Croydon"))
        assert graph.number_of_nodes() == 296
        # Every English authority but the islands has a neighbour.
        isolated = {graph.nodes[n]["name"] for n in graph.nodes if graph.degree(n) == 0}
        assert isolated == {"Isles of Scilly", "Isle of Wight"}
        # Across the Thames, 158 m apart in this file: neighbours through the snap.
        edge = graph.edges[code_of(lad24, "Southwark"), code_of(lad24, "Westminster")]
        assert 100 < edge["distance_m"] < 250
        assert all(d["shared_border_m"] > 0 for *_, d in graph.edges(data=True))


# --------------------------------------------------------------------------- demo region


class TestDemoRegion:
    def test_fictional_boroughs(self) -> None:
        demo = demo_boundaries()
        assert list(demo.columns) == ["code", "name", "geometry"]
        assert demo["code"].tolist() == [f"X0900000{i}" for i in range(1, 8)]
        assert not demo["code"].str.startswith(REAL_GSS_PREFIXES).any()
        assert "Amberford & Wendle" in set(demo["name"])
        assert demo.attrs["fictional"] is True
        assert demo.attrs["attribution"] == DEMO_ATTRIBUTION
        assert boundary_attribution(demo) == DEMO_ATTRIBUTION
        assert demo.crs.to_epsg() == 27700
        assert demo.is_valid.all()

    def test_realistic_size_and_shared_borders(self) -> None:
        demo = demo_boundaries()
        xmin, ymin, xmax, ymax = demo.total_bounds
        assert 25_000 < xmax - xmin <= 30_000 and 19_000 < ymax - ymin <= 20_000
        graph = authority_graph(demo, snap_m=0)
        assert graph.number_of_edges() >= 9
        # Borders are shared exactly: touching neighbours have long common lines.
        harrowfield, northmere = "X09000002", "X09000001"
        assert graph.edges[northmere, harrowfield]["distance_m"] == 0.0
        shared = demo.geometry.iloc[0].boundary.intersection(demo.geometry.iloc[1].boundary)
        assert shared.length > 5_000

    def test_estuary_gap_and_coast(self) -> None:
        demo = demo_boundaries()
        saltmarsh, eastwick = "X09000003", "X09000006"
        # The clipped estuary separates them: not touching. It is a little wider than
        # the default 250 m snap except at one narrow point, where 68 m of border come
        # within it: a pinch, not a border, so they are not neighbours. A snap of 300 m
        # reaches across along more than a kilometre: neighbours across the water.
        assert not authority_graph(demo, snap_m=0).has_edge(saltmarsh, eastwick)
        assert not authority_graph(demo).has_edge(saltmarsh, eastwick)
        across = authority_graph(demo, snap_m=300).edges[saltmarsh, eastwick]
        assert across["distance_m"] > 0 and across["shared_border_m"] > 1_000
        land = shapely.union_all(np.asarray(demo.geometry.values))
        assert land.area < 30_000 * 20_000 * 0.9  # sea and estuary are left out

    def test_not_copied_from_real_files(self) -> None:
        # The demo lies offshore, in the North Sea east of Lowestoft.
        lon, lat = TO_WGS.transform(*demo_boundaries().union_all().centroid.coords[0])
        assert 1.9 < lon < 2.5 and 52.3 < lat < 52.7

    def test_repo_root_symlink_points_at_package_data(self) -> None:
        repo = Path(__file__).resolve().parents[1]
        link = repo / "data" / "boundaries"
        assert (link / "demo_region.geojson").is_file()
        assert (link / "demo_region.geojson").resolve() == (
            repo / "src" / "peermap" / "data" / "boundaries" / "demo_region.geojson"
        )


# --------------------------------------------------------------------------- formats


class TestFormats:
    def test_geopackage_layers(self, tmp_path: Path) -> None:
        path = tmp_path / "two.gpkg"
        frame({"code": ["E09000001", "E09000002"], "name": ["A", "B"]}, squares(2)).to_file(
            path, layer="districts"
        )
        frame({"code": ["E10000001"], "name": ["County"]}, [box(0, 0, 1e5, 1e5)]).to_file(
            path, layer="counties"
        )
        with pytest.raises(BoundaryError, match=r"2 layers.*layer="):
            load_boundaries(path)
        assert load_boundaries(path, layer="districts")["code"].tolist() == [
            "E09000001",
            "E09000002",
        ]
        counties = load_boundaries(path, layer="counties")
        assert counties.attrs["layer"] == "counties"
        assert counties["name"].tolist() == ["County"]
        with pytest.raises(BoundaryError, match="no layer 'wards'"):
            load_boundaries(path, layer="wards")

    def test_shapefile(self, tmp_path: Path) -> None:
        path = tmp_path / "lad.shp"
        frame({"LAD19CD": ["E09000002", "E09000001"], "LAD19NM": ["B", "A"]}, squares(2)).to_file(
            path
        )
        gdf = load_boundaries(path)
        assert gdf["code"].tolist() == ["E09000001", "E09000002"]
        assert gdf["name"].tolist() == ["A", "B"]
        assert gdf.attrs["vintage"] == 2019

    def test_geoparquet(self, tmp_path: Path) -> None:
        path = tmp_path / "lad.parquet"
        frame(
            {"LAD24CD": ["E09000001", "E09000002"], "LAD24NM": ["A", "B"]},
            squares(2),
            crs="EPSG:27700",
        ).to_parquet(path)
        gdf = load_boundaries(path)
        assert gdf["code"].tolist() == ["E09000001", "E09000002"]
        assert gdf.attrs["vintage"] == 2024
        assert gdf.crs.to_epsg() == 27700

    def test_geojson_in_wgs84_is_reprojected(self, tmp_path: Path) -> None:
        path = tmp_path / "ll.geojson"
        frame({"code": ["E1", "E2"], "name": ["A", "B"]}, lonlat_squares(), crs=4326).to_file(path)
        gdf = load_boundaries(path)
        assert gdf.crs.to_epsg() == 27700
        corner = TO_BNG.transform(-0.2, 51.5)
        vertices = shapely.get_coordinates(gdf.geometry.iloc[0]).tolist()
        assert any(v == pytest.approx(corner) for v in vertices)

    def test_geodataframe_input_and_deterministic_order(self) -> None:
        gdf = frame({"code": ["E3", "E1", "E2"], "name": ["C", "A", "B"]}, squares(3))
        out = load_boundaries(gdf)
        shuffled = load_boundaries(gdf.iloc[[2, 0, 1]])
        assert out["code"].tolist() == ["E1", "E2", "E3"]
        pd.testing.assert_frame_equal(out, shuffled)
        assert out.attrs["source"] == "GeoDataFrame"
        assert list(gdf.columns) == ["code", "name", "geometry"]  # input untouched

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(BoundaryError, match="boundary file not found"):
            load_boundaries(tmp_path / "nope.gpkg")

    def test_unreadable_file(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.geojson"
        path.write_text("this is not GeoJSON", encoding="utf-8")
        with pytest.raises(BoundaryError, match="cannot read"):
            load_boundaries(path)


# --------------------------------------------------------------------------- columns


class TestColumns:
    @pytest.mark.parametrize(
        ("code_col", "name_col", "vintage"),
        [
            ("LAD13CD", "LAD13NM", 2013),
            ("LAD24CD", "LAD24NM", 2024),
            ("lad19cd", "lad19nm", 2019),  # ArcGIS services of 2019 used lower case
            ("CTYUA23CD", "CTYUA23NM", 2023),
            ("UTLA22CD", "UTLA22NM", 2022),
            ("WD22CD", "WD22NM", 2022),
            ("code", "name", None),
            ("CODE", "Name", None),
        ],
    )
    def test_conventions_detected(self, code_col: str, name_col: str, vintage: int | None) -> None:
        gdf = frame({code_col: ["E1", "E2"], name_col: ["A", "B"], "OBJECTID": [1, 2]}, squares(2))
        out = load_boundaries(gdf)
        assert list(out.columns) == ["code", "name", "geometry"]
        assert out["code"].tolist() == ["E1", "E2"]
        assert out["name"].tolist() == ["A", "B"]
        assert out.attrs["vintage"] == vintage
        assert out.attrs["code_column"] == code_col

    def test_ward_file_with_parent_district_codes(self) -> None:
        gdf = frame(
            {
                "WD24CD": ["E05000001", "E05000002", "E05000003"],
                "WD24NM": ["Abbey", "Bridge", "Castle"],
                "LAD24CD": ["E09000001", "E09000001", "E09000002"],
                "LAD24NM": ["A", "A", "B"],
            },
            squares(3),
        )
        out = load_boundaries(gdf)
        assert out["code"].tolist() == ["E05000001", "E05000002", "E05000003"]
        assert out["name"].tolist() == ["Abbey", "Bridge", "Castle"]

    def test_caller_named_columns(self) -> None:
        gdf = frame({"AREA_ID": ["e1 ", "E2"], "LABEL": ["A", "B"], "code": ["x", "y"]}, squares(2))
        out = load_boundaries(gdf, code_column="AREA_ID", name_column="label")
        assert out["code"].tolist() == ["E1", "E2"]  # stripped and upper-cased
        assert out["name"].tolist() == ["A", "B"]

    def test_caller_named_column_missing(self) -> None:
        gdf = frame({"code": ["E1"], "name": ["A"]}, squares(1))
        with pytest.raises(BoundaryError, match=r"no code column 'GSS'.*'code', 'name'"):
            load_boundaries(gdf, code_column="GSS")
        with pytest.raises(BoundaryError, match="no keep column"):
            load_boundaries(gdf, keep=["population"])

    def test_no_code_or_name_column(self) -> None:
        gdf = frame({"FID": [1, 2]}, squares(2))
        with pytest.raises(BoundaryError, match=r"code_column=.*name_column="):
            load_boundaries(gdf)

    def test_names_only_file_derives_codes(self, tmp_path: Path) -> None:
        path = write_geojson_text(
            tmp_path / "names.geojson",
            [
                ({"name": n}, g)
                for n, g in zip(["Northmere", "Eastwick Vale"], lonlat_squares(), strict=True)
            ],
        )
        with pytest.warns(PeermapWarning, match="derived") as record:
            out = load_boundaries(path)
        assert len(record) == 1
        assert out.attrs["codes_derived"] is True
        assert out.attrs["code_column"] is None
        assert set(out["code"]) == {derived_code("Northmere"), derived_code("Eastwick Vale")}
        assert out["code"].str.fullmatch(r"Z[0-9]{8}").all()

    def test_derived_code_ignores_spelling_variants(self) -> None:
        assert derived_code("Brighton & Hove") == derived_code("brighton and hove")
        assert derived_code("Brighton & Hove") == derived_code("BRIGHTON-AND-HOVE")
        assert derived_code("Camden") != derived_code("Croydon")

    def test_codes_only_file_uses_codes_as_names(self) -> None:
        gdf = frame({"LAD24CD": ["E1", "E2"]}, squares(2))
        with pytest.warns(PeermapWarning, match="no name column"):
            out = load_boundaries(gdf)
        assert out["name"].tolist() == ["E1", "E2"]

    def test_duplicate_codes(self) -> None:
        gdf = frame({"code": ["E1", "E2", "E1"], "name": ["A", "B", "A2"]}, squares(3))
        with pytest.raises(BoundaryError, match=r"duplicate codes: E1.*dissolve"):
            load_boundaries(gdf)

    def test_duplicate_names_without_codes(self) -> None:
        gdf = frame({"name": ["Abbey", "ABBEY", "Bridge"]}, squares(3))
        with pytest.warns(PeermapWarning), pytest.raises(BoundaryError, match="duplicate names"):
            load_boundaries(gdf)

    def test_missing_codes(self) -> None:
        gdf = frame({"code": ["E1", None], "name": ["A", "B"]}, squares(2))
        with pytest.raises(BoundaryError, match="1 features have no code"):
            load_boundaries(gdf)


# --------------------------------------------------------------------------- CRS


class TestCRS:
    def test_no_crs_lonlat_is_assumed_wgs84(self, tmp_path: Path) -> None:
        gdf = frame({"code": ["E1", "E2"], "name": ["A", "B"]}, lonlat_squares(), crs=4326)
        path = write_shapefile_without_crs(gdf, tmp_path / "nocrs.shp")
        assert gpd.read_file(path).crs is None
        with pytest.warns(PeermapWarning, match=r"declares no CRS.*EPSG:4326"):
            out = load_boundaries(path)
        assert out.attrs["crs_assumed"] is True
        expected = load_boundaries(gdf)
        assert np.allclose(out.total_bounds, expected.total_bounds)

    def test_no_crs_bng_metres_is_an_error_saying_how(self, tmp_path: Path) -> None:
        gdf = frame({"code": ["E1", "E2"], "name": ["A", "B"]}, squares(2))
        path = write_shapefile_without_crs(gdf, tmp_path / "bng.shp")
        with pytest.raises(CRSError, match=r"no coordinate reference system") as info:
            load_boundaries(path)
        message = str(info.value)
        assert "British National Grid" in message
        assert "crs='EPSG:27700'" in message
        assert "ogr2ogr -a_srs" in message
        out = load_boundaries(path, crs="EPSG:27700")
        assert out.attrs["crs_assumed"] is False
        assert np.allclose(out.total_bounds, gdf.total_bounds)

    def test_geojson_with_metres_but_no_crs_member(self, tmp_path: Path) -> None:
        # GDAL reads every GeoJSON as WGS84; metres there must not pass as degrees.
        path = write_geojson_text(
            tmp_path / "metres.geojson",
            [({"code": "E1", "name": "A"}, squares(1)[0])],
        )
        with pytest.raises(CRSError, match=r"not longitude/latitude.*crs='EPSG:27700'"):
            load_boundaries(path)
        assert load_boundaries(path, crs=27700)["code"].tolist() == ["E1"]

    def test_no_crs_other_coordinates(self) -> None:
        gdf = frame({"code": ["E1"], "name": ["A"]}, [box(-2e7, 6e6, -1.9e7, 7e6)], crs=None)
        with pytest.raises(CRSError, match=r"Pass the CRS they use.*set_crs"):
            load_boundaries(gdf)

    def test_swapped_axes_land_outside_great_britain(self) -> None:
        swapped = [box(51.50, -0.2, 51.51, -0.19)]
        gdf = frame({"code": ["E1"], "name": ["A"]}, swapped, crs=4326)
        with pytest.raises(CRSError, match="outside Great Britain"):
            load_boundaries(gdf)

    def test_degrees_declared_as_metres_are_refused_not_drawn_as_nothing(
        self, tmp_path: Path
    ) -> None:
        # A GeoPackage in longitude/latitude whose header says British National Grid:
        # every authority a fraction of a metre across near the grid's origin. Read as
        # it says, no place fell inside one and the map failed with an AttributeError.
        lonlat = [box(-0.2 + 0.1 * i, 51.5, -0.1 + 0.1 * i, 51.6) for i in range(2)]
        gdf = frame({"code": ["E1", "E2"], "name": ["A", "B"]}, lonlat, crs=27700)
        path = tmp_path / "declared_27700.gpkg"
        gdf.to_file(path, driver="GPKG")
        with pytest.raises(CRSError, match=r"span only .* longitude/latitude declared as metres"):
            load_boundaries(path)
        with pytest.warns(PeermapWarning, match="declares EPSG:27700"):
            assert load_boundaries(path, crs=4326)["code"].tolist() == ["E1", "E2"]

    def test_caller_crs_overrides_declared_one_with_warning(self) -> None:
        gdf = frame({"code": ["E1"], "name": ["A"]}, squares(1), crs=3857)
        with pytest.warns(PeermapWarning, match="declares EPSG:3857"):
            out = load_boundaries(gdf, crs="EPSG:27700")
        assert np.allclose(out.total_bounds, gdf.total_bounds)

    def test_unknown_crs(self) -> None:
        gdf = frame({"code": ["E1"], "name": ["A"]}, squares(1), crs=None)
        with pytest.raises(CRSError, match="not a CRS"):
            load_boundaries(gdf, crs="EPSG:not-a-code")


# --------------------------------------------------------------------------- geometry


class TestGeometry:
    def test_broken_ring_repaired_keeping_both_lobes(self, tmp_path: Path) -> None:
        bowtie = Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])  # self-intersecting
        bowtie = shapely.affinity.translate(bowtie, 530_000, 180_000)
        assert not bowtie.is_valid
        fine = box(531_000, 180_000, 532_000, 181_000)
        gdf = frame({"code": ["E1", "E2"], "name": ["Bow", "Fine"]}, [bowtie, fine])
        path = tmp_path / "broken.gpkg"
        gdf.to_file(path)
        with pytest.warns(PeermapWarning, match="repaired 1 invalid geometries"):
            out = load_boundaries(path)
        assert out.attrs["repaired"] == 1
        assert out.is_valid.all()
        assert (out.geom_type == "MultiPolygon").all()
        assert out.geometry.iloc[0].area == pytest.approx(500_000)  # two triangles

    def test_repair_keeps_polygonal_parts_only(self) -> None:
        # A polygon with a dangling spike: make_valid gives a polygon plus a line.
        spiky = Polygon([(0, 0), (1000, 0), (1000, 1000), (1000, 1500), (1000, 1000), (0, 1000)])
        spiky = shapely.affinity.translate(spiky, 530_000, 180_000)
        gdf = frame({"code": ["E1"], "name": ["Spike"]}, [spiky])
        with pytest.warns(PeermapWarning, match="repaired 1"):
            out = load_boundaries(gdf)
        assert out.geom_type.tolist() == ["MultiPolygon"]
        assert out.area.iloc[0] == pytest.approx(1_000_000)

    def test_overlap_is_an_error(self) -> None:
        a = box(530_000, 180_000, 532_000, 182_000)
        b = box(531_000, 180_000, 533_000, 182_000)  # half of each overlaps
        gdf = frame({"code": ["E1", "E2"], "name": ["Alpha", "Beta"]}, [a, b])
        with pytest.raises(BoundaryError, match=r"overlap: Alpha \(E1\) and Beta \(E2\)"):
            load_boundaries(gdf)

    def test_district_inside_county_is_an_overlap(self) -> None:
        county = box(530_000, 180_000, 540_000, 190_000)
        district = box(531_000, 181_000, 532_000, 182_000)
        gdf = frame({"code": ["E10000001", "E07000001"], "name": ["C", "D"]}, [county, district])
        with pytest.raises(BoundaryError, match="levels"):
            load_boundaries(gdf)

    def test_sliver_overlap_goes_to_the_lower_code(self) -> None:
        a = box(530_000, 180_000, 531_000, 181_000)
        b = box(530_998, 180_000, 532_000, 181_000)  # 2 m x 1 km sliver
        gdf = frame({"code": ["E2", "E1"], "name": ["B", "A"]}, [b, a])
        with pytest.warns(PeermapWarning, match="1 sliver"):
            out = load_boundaries(gdf)
        assert out.attrs["overlaps_resolved"] == 1
        first, second = out.geometry.iloc[0], out.geometry.iloc[1]
        assert first.area == pytest.approx(1_000_000)
        assert second.area == pytest.approx(1_000_000)
        assert first.intersection(second).area < 1e-6
        with pytest.raises(BoundaryError, match="overlap"):
            load_boundaries(gdf, overlap_tolerance_m2=1000)

    def test_points_are_not_boundaries(self) -> None:
        gdf = frame({"code": ["E1"], "name": ["A"]}, [shapely.Point(530_000, 180_000)])
        with pytest.raises(BoundaryError, match="must be polygons"):
            load_boundaries(gdf)

    def test_missing_geometry(self) -> None:
        gdf = frame({"code": ["E1", "E2"], "name": ["A", "B"]}, [squares(1)[0], None])
        with pytest.raises(BoundaryError, match="no geometry: E2"):
            load_boundaries(gdf)


# --------------------------------------------------------------------------- graph & attribution


class TestGraphAndAttribution:
    def test_graph_on_handmade_row(self) -> None:
        gdf = load_boundaries(frame({"code": ["E1", "E2", "E3"], "name": list("ABC")}, squares(3)))
        graph = authority_graph(gdf, snap_m=0)
        assert sorted(graph.edges) == [("E1", "E2"), ("E2", "E3")]
        assert graph.edges["E1", "E2"]["shared_border_m"] == pytest.approx(1000, abs=2)
        assert graph.nodes["E1"]["area_km2"] == pytest.approx(1.0)

    def test_snap_joins_near_misses_only(self) -> None:
        a = box(530_000, 180_000, 531_000, 181_000)
        b = box(531_100, 180_000, 532_000, 181_000)  # 100 m gap, like a clipped river
        gdf = load_boundaries(frame({"code": ["E1", "E2"], "name": ["A", "B"]}, [a, b]))
        assert not authority_graph(gdf, snap_m=50).has_edge("E1", "E2")
        edge = authority_graph(gdf, snap_m=150).edges["E1", "E2"]
        assert edge["distance_m"] == pytest.approx(100)

    def test_corners_across_a_gap_are_not_neighbours(self) -> None:
        # Two squares whose corners point at each other 231 m apart across the corner
        # of a third (Dartford and Bromley, 227 m): within 250 m, but only along 53 m
        # of either border.
        a = box(530_000, 180_000, 531_000, 181_000)
        b = box(531_163, 181_163, 532_163, 182_163)
        c = box(531_000, 180_000, 532_100, 181_000)  # touches both
        gdf = load_boundaries(frame({"code": ["E1", "E2", "E3"], "name": list("ABC")}, [a, b, c]))
        graph = authority_graph(gdf)
        assert not graph.has_edge("E1", "E2")
        assert graph.has_edge("E1", "E3") and graph.has_edge("E2", "E3")
        # The same gap along a whole side is a river between neighbours.
        river = box(530_000, 181_141, 531_000, 182_000)
        gdf = load_boundaries(frame({"code": ["E1", "E2"], "name": list("AB")}, [a, river]))
        assert authority_graph(gdf).has_edge("E1", "E2")

    def test_negative_snap(self) -> None:
        with pytest.raises(ValueError, match="snap_m"):
            authority_graph(demo_boundaries(), snap_m=-1)

    def test_attribution_lines(self) -> None:
        assert ons_attribution(2024) == (
            "Source: Office for National Statistics licensed under the Open Government Licence "
            "v3.0. Contains OS data © Crown copyright and database right 2024"
        )
        assert ons_attribution(2024, 2013, 2019).endswith("2013, 2019 and 2024")
        custom = load_boundaries(
            frame({"code": ["E1"], "name": ["A"]}, squares(1)), attribution="© Somebody"
        )
        assert boundary_attribution(custom) == "© Somebody"


# --------------------------------------------------------------------------- fetch_ons


def lad13_like_geojson(path: Path, n: int) -> Path:
    features = [
        ({"LAD24CD": f"E0900{i:04d}", "LAD24NM": f"Area {i}"}, g)
        for i, g in enumerate(lonlat_squares(n))
    ]
    return write_geojson_text(path, features)


class FakeOpener:
    """Serves a local file in place of the network, counting calls."""

    def __init__(self, path: Path | None = None, error: Exception | None = None) -> None:
        self.path, self.error, self.calls = path, error, 0

    def __call__(self, url: str, timeout: float) -> io.BufferedReader:
        self.calls += 1
        if self.error is not None:
            raise self.error
        assert self.path is not None
        return self.path.open("rb")


class TestFetchOns:
    def test_manifest(self) -> None:
        table = ons_datasets()
        assert {"lad_2013_eng_topojson", "lad_2019_buc", "lad_2024_buc", "lad_2024_bgc"} <= set(
            table.index
        )
        for name, row in table.iterrows():
            assert str(row["url"]).startswith("https://"), name
            yy = str(row["vintage"])[2:]
            assert row["code_column"].endswith(f"{yy}CD"), name
            assert row["name_column"].endswith(f"{yy}NM"), name
        assert table.loc["lad_2024_buc", "features"] == 361
        assert table.loc["lad_2013_eng_topojson", "features"] == 326

    def test_download_verify_and_cache(
        self, tmp_path: Path, lad_2013_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        opener = FakeOpener(lad_2013_path)
        monkeypatch.setattr(ons, "_open_url", opener)
        cache = tmp_path / "cache"
        path = fetch_ons("lad_2013_eng_topojson", cache_dir=cache)
        assert path == cache / "lad_2013_eng_topojson.topojson"
        assert path.read_bytes() == lad_2013_path.read_bytes()
        assert sorted(p.name for p in cache.iterdir()) == [path.name]  # no temp files left
        assert fetch_ons("lad_2013_eng_topojson", cache_dir=cache) == path
        assert opener.calls == 1  # second call served from the cache
        fetch_ons("lad_2013_eng_topojson", cache_dir=cache, force=True)
        assert opener.calls == 2
        with pytest.warns(PeermapWarning):
            gdf = load_boundaries(path)
        assert len(gdf) == 326

    def test_default_cache_is_the_user_cache_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(ons.platformdirs, "user_cache_dir", lambda app: str(tmp_path / app))
        monkeypatch.setattr(ons, "_open_url", FakeOpener(lad13_like_geojson(tmp_path / "s", 361)))
        path = fetch_ons("lad_2024_buc")
        assert path == tmp_path / "peermap" / "boundaries" / "lad_2024_buc.geojson"
        assert load_boundaries(path).attrs["vintage"] == 2024

    def test_wrong_feature_count_is_rejected_and_not_cached(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        served = lad13_like_geojson(tmp_path / "short.geojson", 5)
        monkeypatch.setattr(ons, "_open_url", FakeOpener(served))
        cache = tmp_path / "cache"
        with pytest.raises(BoundaryError, match="5 features, expected 361"):
            fetch_ons("lad_2024_buc", cache_dir=cache)
        assert list(cache.iterdir()) == []

    def test_wrong_columns_are_rejected(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        served = write_geojson_text(
            tmp_path / "cols.geojson", [({"name": "A"}, g) for g in lonlat_squares(1)]
        )
        monkeypatch.setattr(ons, "_open_url", FakeOpener(served))
        with pytest.raises(BoundaryError, match="lacks column"):
            fetch_ons("lad_2024_buc", cache_dir=tmp_path / "cache")

    def test_server_error_document_is_rejected(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        served = tmp_path / "err.json"
        served.write_text('{"error": {"code": 400, "message": "Invalid URL"}}', encoding="utf-8")
        monkeypatch.setattr(ons, "_open_url", FakeOpener(served))
        with pytest.raises(BoundaryError, match="server answered with an error"):
            fetch_ons("lad_2024_buc", cache_dir=tmp_path / "cache")

    def test_offline(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        opener = FakeOpener(error=urllib.error.URLError("no network"))
        monkeypatch.setattr(ons, "_open_url", opener)
        cache = tmp_path / "cache"
        with pytest.raises(ConnectionError, match="Are you online"):
            fetch_ons("lad_2024_buc", cache_dir=cache)
        assert list(cache.iterdir()) == []

    def test_sha256_checked_when_known(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        served = lad13_like_geojson(tmp_path / "s.geojson", 361)
        manifest = ons._manifest()
        manifest["lad_2024_buc"]["sha256"] = "0" * 64
        monkeypatch.setattr(ons, "_manifest", lambda: manifest)
        monkeypatch.setattr(ons, "_open_url", FakeOpener(served))
        with pytest.raises(BoundaryError, match="sha256"):
            fetch_ons("lad_2024_buc", cache_dir=tmp_path / "cache")

    def test_url_override(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        seen: list[str] = []
        served = lad13_like_geojson(tmp_path / "s.geojson", 361)

        def opener(url: str, timeout: float) -> io.BufferedReader:
            seen.append(url)
            return served.open("rb")

        monkeypatch.setattr(ons, "_open_url", opener)
        fetch_ons("lad_2024_buc", cache_dir=tmp_path / "c", url="https://mirror.example/lad.json")
        assert seen == ["https://mirror.example/lad.json"]

    def test_unknown_name(self) -> None:
        with pytest.raises(ValueError, match="Did you mean 'lad_2024_buc'"):
            fetch_ons("lad_2024_bcu")


def test_attribution_credits_the_ons_only_on_evidence(tmp_path: Path) -> None:
    import shapely

    frame = gpd.GeoDataFrame(
        {"code": ["X1", "X2"], "name": ["A", "B"]},
        geometry=[
            shapely.box(500000, 100000, 501000, 101000),
            shapely.box(501000, 100000, 502000, 101000),
        ],
        crs=27700,
    )
    unknown = tmp_path / "my_region.gpkg"
    frame.to_file(unknown)
    text = load_boundaries(unknown).attrs["attribution"]
    assert "Office for National Statistics" not in text and "my_region.gpkg" in text
    frame.assign(code=["E09000007", "E09000019"]).to_file(tmp_path / "x.gpkg")
    assert (
        "Office for National Statistics"
        in load_boundaries(tmp_path / "x.gpkg").attrs["attribution"]
    )
    given = load_boundaries(unknown, attribution="County GIS team, OGL").attrs["attribution"]
    assert given == "County GIS team, OGL"


def test_a_boundary_file_whose_names_are_not_utf8_is_refused_naming_it(tmp_path: Path) -> None:
    from peermap.boundaries import demo_region_file, load_boundaries

    region = json.loads(demo_region_file().read_text(encoding="utf-8"))
    region["features"][0]["properties"]["name"] = "Northm\u00e9re"
    path = tmp_path / "latin1.geojson"
    path.write_bytes(json.dumps(region, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(BoundaryError, match=r"latin1\.geojson: its text is not UTF-8"):
        load_boundaries(path)


@pytest.mark.parametrize("damage", [float("nan"), 1e300])
def test_a_boundary_vertex_that_is_no_number_or_absurdly_far_is_refused(
    tmp_path: Path, damage: float
) -> None:
    from peermap.boundaries import demo_region_file, load_boundaries

    region = json.loads(demo_region_file().read_text(encoding="utf-8"))
    feature = region["features"][1]
    ring = feature["geometry"]["coordinates"]
    while isinstance(ring[0][0], list):  # down to the first ring of the first part
        ring = ring[0]
    ring[1] = [damage, ring[1][1]]
    path = tmp_path / "damaged.geojson"
    path.write_text(json.dumps(region), encoding="utf-8")  # NaN as JSON readers write it
    code = feature["properties"].get("code") or feature["properties"].get("LAD24CD")
    with pytest.raises(
        BoundaryError, match=r"damaged\.geojson: 1 vertices of 1 area\(s\)"
    ) as caught:
        load_boundaries(path)
    if code:
        assert str(code) in str(caught.value)


def test_a_folder_given_as_boundaries_is_refused_as_a_folder(tmp_path: Path) -> None:
    # GDAL reads a folder of CSV files (a dataset) as a source of layers.
    from peermap.boundaries import load_boundaries

    (tmp_path / "people.csv").write_text("person_id\np1\n")
    (tmp_path / "places.csv").write_text("place_id\nx\n")
    with pytest.raises(BoundaryError, match="is a folder, not a boundary file"):
        load_boundaries(tmp_path)
