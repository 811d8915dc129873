"""Local-authority boundaries: reading, repairing, attribution and neighbours.

The functions here turn whatever boundary file an analyst has into one shape
that the rest of peermap relies on: a :class:`geopandas.GeoDataFrame` with
exactly the columns ``code``, ``name`` and ``geometry`` (plus any extras the
caller asks to keep), in British National Grid (EPSG:27700), one row per
authority, sorted by code, with every geometry a valid ``MultiPolygon``.

:class:`Boundaries` holds such a frame together with its metadata (as attributes,
so that pandas operations cannot drop it) and its neighbour graph, built once
(:meth:`Boundaries.neighbour_graph`). Every function that takes boundaries accepts a
:class:`Boundaries` or a GeoDataFrame; :meth:`Boundaries.of` converts either.
:func:`load_boundaries` and :func:`demo_boundaries` return the GeoDataFrame, with the
metadata also in :attr:`GeoDataFrame.attrs` (which a merge, a dissolve or a file
round trip drops); :meth:`Boundaries.load` and :meth:`Boundaries.demo` return a
:class:`Boundaries`. The metadata:

``source``
    File name the boundaries came from.
``layer``
    Layer read from a multi-layer file, or ``None``.
``vintage``
    Year of the boundaries when it can be detected (``LAD13CD`` gives 2013, a
    file called ``..._2024_...`` gives 2024), else ``None``.
``attribution``
    The line every map or file showing the boundaries must carry.
``codes_derived``
    ``True`` when the file had names but no codes and the codes were derived
    from the names (see :func:`derived_code`).
``repaired``
    How many invalid geometries were repaired with ``make_valid``.
``overlaps_resolved``
    How many sliver overlaps between neighbours (below the tolerance) were
    removed from the higher-coded authority.
``crs_assumed``
    ``True`` when the file declared no CRS and was read as WGS84 because its
    coordinates fit longitude/latitude.
``code_column``, ``name_column``
    The source columns the codes and names came from.
``fictional``
    ``True`` for the demo region (and boundaries read from packages made with it).

Official ONS downloads (:func:`fetch_ons`, :func:`ons_datasets`) live in
:mod:`peermap.ons` and are re-exported here.
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, Final, TypeAlias

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from peermap import settings
from peermap.authority_names import DERIVED_CODE_PREFIX, derive_codes, derived_code
from peermap.boundary_files import (
    clean_strings,
    detect_columns,
    find_column,
    list_some,
    make_valid,
    polygonal,
    read_source,
    resolve_overlaps,
    settle_crs,
    to_metric,
    vintage_from_column,
)
from peermap.exceptions import ArgumentError, BoundaryError, CRSError, PeermapWarning
from peermap.ons import fetch_ons, ons_datasets

__all__ = [
    "DEFAULT_SNAP_M",
    "DEMO_ATTRIBUTION",
    "Boundaries",
    "authority_graph",
    "boundary_attribution",
    "demo_boundaries",
    "demo_region_file",
    "derived_code",
    "fetch_ons",
    "is_demo_region",
    "load_boundaries",
    "ons_attribution",
    "ons_datasets",
]

#: Snapping tolerance (metres) for :func:`authority_graph`. Ultra-generalised and
#: clipped boundaries leave neighbours a few metres to a few hundred metres apart
#: across rivers (the Thames between Lambeth and Westminster is 216 m wide in the
#: 2013 clipped file); 250 m joins those without joining authorities that are
#: separated by a third one.
DEFAULT_SNAP_M: Final = 250.0

#: Overlap between two authorities (m²) up to which it is treated as a sliver left by
#: quantisation or generalisation and removed, rather than an error. The real 2013
#: TopoJSON has 76 such slivers after repair, the largest 1.7 ha (Bristol and North
#: Somerset, along the Avon); 5 ha leaves a margin while a genuine overlap (two
#: vintages or two levels in one file) is square kilometres.
DEFAULT_OVERLAP_TOLERANCE_M2: Final = 50_000.0

ONS_ATTRIBUTION_PREFIX: Final = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right"
)

DEMO_ATTRIBUTION: Final = (
    "Fictional demonstration boundaries made for peermap: not real places, no real data."
)

_YEAR_IN_NAME_RE: Final = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9]{2})(?![0-9])")

_DATA = "data"
_BOUNDARY_DATA = "boundaries"
_DEMO_FILE = "demo_region.geojson"


# --------------------------------------------------------------------------- attribution


def _join_years(years: Iterable[int]) -> str:
    ordered = [str(y) for y in sorted(set(years))]
    if len(ordered) <= 1:
        return "".join(ordered)
    return f"{', '.join(ordered[:-1])} and {ordered[-1]}"


def ons_attribution(*years: int) -> str:
    """Return the ONS/OS attribution line for boundaries of the given years.

    Parameters
    ----------
    *years : int
        Vintages shown, e.g. ``2013, 2024``. With none the year is left out.

    Returns
    -------
    str
        For example ``"Source: Office for National Statistics licensed under the Open
        Government Licence v3.0. Contains OS data © Crown copyright and database right
        2013 and 2024"``.
    """
    joined = _join_years(years)
    return f"{ONS_ATTRIBUTION_PREFIX} {joined}" if joined else ONS_ATTRIBUTION_PREFIX


def boundary_attribution(*boundaries: Boundaries | gpd.GeoDataFrame) -> str:
    """Return the attribution a map or file showing these boundaries must carry.

    Parameters
    ----------
    *boundaries : Boundaries or geopandas.GeoDataFrame
        One or more results of :func:`load_boundaries`. ONS boundaries of several
        vintages share one line naming every year ("... 2013 and 2024").

    Returns
    -------
    str
        The attribution text. Boundaries without peermap metadata are treated as
        ONS boundaries of unknown year.
    """
    years: list[int] = []
    ons = False
    others: list[str] = []
    for item in boundaries:
        bounds = Boundaries.of(item)
        text = bounds.attribution
        if text is None or str(text).startswith(ONS_ATTRIBUTION_PREFIX):
            ons = True
            if bounds.vintage is not None:
                years.append(int(bounds.vintage))
            if text is not None:
                years.extend(int(y) for y in re.findall(r"(?:19|20)[0-9]{2}", str(text)))
        elif str(text) not in others:
            others.append(str(text))
    parts = ([ons_attribution(*years)] if ons or not others else []) + others
    return " ".join(parts)


# --------------------------------------------------------------------------- load


def load_boundaries(
    source: str | os.PathLike[str] | gpd.GeoDataFrame,
    *,
    layer: str | int | None = None,
    code_column: str | None = None,
    name_column: str | None = None,
    crs: Any = None,
    keep: Sequence[str] | None = None,
    attribution: str | None = None,
    overlap_tolerance_m2: float = DEFAULT_OVERLAP_TOLERANCE_M2,
) -> gpd.GeoDataFrame:
    """Read a boundary file into peermap's standard boundaries.

    Parameters
    ----------
    source : str, os.PathLike or geopandas.GeoDataFrame
        A GeoJSON, TopoJSON, GeoPackage, Shapefile or GeoParquet file (anything GDAL
        reads), or a GeoDataFrame already in memory.
    layer : str or int, optional
        Layer to read from a multi-layer file (GeoPackage, TopoJSON with several
        objects). Required when the file has more than one.
    code_column, name_column : str, optional
        Columns holding the authority codes and names. By default they are detected:
        ONS columns of any vintage (``LAD13CD``/``LAD13NM``, ``LAD24CD``/``LAD24NM``,
        ``CTYUA23CD``, ``UTLA22CD``, ``WD24CD``, ...), then ``code``/``name``. A file
        with names but no codes still works: codes are derived from the names
        (:func:`derived_code`) and a :class:`~peermap.PeermapWarning` says so.
    crs : str, int or pyproj.CRS, optional
        CRS of the coordinates when the file declares none (or declares a wrong one).
        Without it, a file with no CRS whose coordinates fit longitude/latitude is read
        as WGS84 with a warning; any other file with no CRS raises
        :class:`~peermap.CRSError`.
    keep : sequence of str, optional
        Further source columns to keep, after ``code`` and ``name``.
    attribution : str, optional
        Attribution line for non-ONS boundaries. The default is the ONS/OS line for the
        detected vintage when the file shows it is ONS data (ONS column names, real GSS
        codes or "ons" in the file name), else a line naming the file and saying that its
        source was not stated.
    overlap_tolerance_m2 : float, default 50 000
        Overlaps between two authorities up to this area (m²) are slivers from
        quantisation or generalisation and are removed from the authority with the
        higher code (and counted in ``attrs["overlaps_resolved"]``); larger overlaps
        raise :class:`~peermap.BoundaryError`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name``, the kept extras and ``geometry`` (valid
        MultiPolygons) in EPSG:27700, sorted by code, with metadata in ``.attrs``
        (see the module documentation).

    Raises
    ------
    peermap.ArgumentError
        ``source`` is neither a path nor a GeoDataFrame.
    peermap.BoundaryError
        No such file, unreadable file, unknown layer or column, missing or duplicate codes,
        non-polygonal or empty geometries, or overlapping areas.
    peermap.CRSError
        The CRS is missing and the coordinates are not longitude/latitude, or the
        declared CRS does not fit the coordinates.

    Warns
    -----
    peermap.PeermapWarning
        When WGS84 is assumed, codes are derived from names, names are missing, or
        invalid geometries were repaired.
    """
    gdf, source_name, layer_name = read_source(source, layer)
    try:
        geometry_name = gdf.geometry.name
    except AttributeError as exc:
        raise BoundaryError(f"{source_name} has no geometry column") from exc
    if geometry_name not in gdf.columns or len(gdf) == 0:
        raise BoundaryError(f"{source_name} has no features")
    inherited = source.attrs if isinstance(source, gpd.GeoDataFrame) else {}
    code_col, name_col = detect_columns(gdf, code_column, name_column, source_name)
    keep_cols = [find_column(gdf, k, "keep", source_name) for k in keep or ()]

    given_names = clean_strings(gdf[name_col]) if name_col else None
    codes_derived = code_col is None
    if code_col is None:
        # detect_columns guarantees a name column when there is no code column.
        names = given_names if given_names is not None else pd.Series(dtype=object)
        if names.isna().any():
            raise BoundaryError(
                f"{source_name}: {int(names.isna().sum())} features have no name, and without "
                "codes every area needs one"
            )
        codes = pd.Series(derive_codes(list(names)), index=gdf.index, dtype=object)
        warnings.warn(
            f"{source_name} has names ({name_col}) but no codes: peermap derived stable, "
            f"non-official codes from the names ({DERIVED_CODE_PREFIX} followed by eight digits, "
            "a prefix no real GSS code uses). Official GSS codes in your data will not match "
            "them; refer to areas by name, or use a boundary file with codes.",
            PeermapWarning,
            stacklevel=2,
        )
    else:
        codes = clean_strings(gdf[code_col]).map(lambda v: v if v is None else v.upper())
        if codes.isna().any():
            raise BoundaryError(f"{source_name}: {int(codes.isna().sum())} features have no code")
        if given_names is None:
            warnings.warn(
                f"{source_name} has codes ({code_col}) but no name column: names are the codes",
                PeermapWarning,
                stacklevel=2,
            )
            names = codes.copy()
        else:
            names = given_names.where(given_names.notna(), codes)

    duplicated = codes.duplicated(keep=False).to_numpy()
    if duplicated.any():
        what = "names" if codes_derived else "codes"
        pairs = zip(codes.to_numpy()[duplicated], names.to_numpy()[duplicated], strict=True)
        listed = sorted({f"{c} ({n})" for c, n in pairs})
        raise BoundaryError(
            f"{source_name}: duplicate {what}: {list_some(listed)}. Each area must appear once; "
            "if these rows are parts of one area, dissolve them first "
            f"(gdf.dissolve(by={code_col or name_col!r}))."
        )

    _refuse_damaged_coordinates(gdf, codes, source_name)
    gdf, crs_assumed = settle_crs(gdf, crs, source_name)
    gdf = to_metric(gdf, source_name)

    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise BoundaryError(
            f"{source_name}: {int(missing.sum())} areas have no geometry: "
            f"{list_some([str(c) for c in codes[missing]])}"
        )
    type_ids = shapely.get_type_id(geoms)
    not_polygonal = ~np.isin(type_ids, (3, 6))
    if not_polygonal.any():
        kinds = sorted(set(shapely.get_type_id(geoms[not_polygonal]).tolist()))
        raise BoundaryError(
            f"{source_name}: boundaries must be polygons, but {int(not_polygonal.sum())} features "
            f"are not (GEOS type ids {kinds}): {list_some([str(c) for c in codes[not_polygonal]])}"
        )
    invalid = ~shapely.is_valid(geoms)
    repaired = int(invalid.sum())
    if repaired:
        geoms[invalid] = make_valid(geoms[invalid])
    geoms = polygonal(geoms)
    emptied = shapely.is_missing(geoms)
    if emptied.any():
        raise BoundaryError(
            f"{source_name}: {int(emptied.sum())} areas have no area left after repairing their "
            f"geometry: {list_some([str(c) for c in codes[emptied]])}"
        )

    order = np.argsort(codes.to_numpy(dtype=object).astype(str), kind="stable")
    code_arr = codes.to_numpy(dtype=object)[order]
    name_arr = names.to_numpy(dtype=object)[order]
    geoms = geoms[order]
    geoms, slivers = resolve_overlaps(geoms, code_arr, name_arr, overlap_tolerance_m2, source_name)

    if repaired or slivers:
        done = []
        if repaired:
            done.append(
                f"repaired {repaired} invalid geometries with make_valid (polygonal parts kept)"
            )
        if slivers:
            done.append(
                f"removed {slivers} sliver overlaps between neighbours from the higher code"
            )
        warnings.warn(f"{source_name}: {'; '.join(done)}", PeermapWarning, stacklevel=2)

    data: dict[str, Any] = {"code": code_arr.tolist(), "name": name_arr.tolist()}
    for col in keep_cols:
        if col not in ("code", "name"):
            data[col] = gdf[col].to_numpy()[order]
    out = gpd.GeoDataFrame(data, geometry=geoms, crs=settings.metric_crs)
    vintage = vintage_from_column(code_col) or vintage_from_column(name_col)
    if vintage is None:
        year = _YEAR_IN_NAME_RE.search(source_name)
        vintage = int(year.group(1)) if year else inherited.get("vintage")
    if attribution is None and inherited.get("attribution"):
        attribution = str(inherited["attribution"])
    if attribution is None:
        # Credit the ONS only on evidence: ONS column conventions, real GSS codes, or an
        # ONS file name. A file that states no source is not silently labelled as ONS.
        real_codes = not codes_derived and bool(
            pd.Series(code_arr).astype(str).str.fullmatch(r"[EWSNK]\d{8}").all()
        )
        ons_name = re.search(r"(?<![a-z])ons(?![a-z])", source_name.lower()) is not None
        ons_columns = vintage_from_column(code_col) is not None
        if real_codes or ons_name or ons_columns:
            attribution = ons_attribution(*([vintage] if vintage else []))
        else:
            attribution = (
                f"{source_name} (source and licence not stated: pass "
                "attribution=... to load_boundaries)"
            )
    out.attrs = {
        "source": source_name,
        "layer": layer_name,
        "vintage": vintage,
        "attribution": attribution,
        "codes_derived": codes_derived,
        "repaired": repaired,
        "overlaps_resolved": slivers,
        "crs_assumed": crs_assumed,
        "code_column": code_col,
        "name_column": name_col,
    }
    return out


def _package_file(*parts: str) -> Any:
    return resources.files("peermap").joinpath(_DATA, _BOUNDARY_DATA, *parts)


def demo_boundaries() -> gpd.GeoDataFrame:
    """Return the fictional demo region shipped with peermap.

    Seven invented boroughs (codes ``X09000001`` to ``X09000007``; ``X`` is not a
    GSS prefix) placed in the North Sea east of Lowestoft so that they cannot be
    mistaken for real places. They share borders exactly, a clipped estuary
    separates some of them and the east side is a coastline, so every
    assignment outcome (``within``, ``on_boundary``, ``nearest``, ``outside``)
    can be demonstrated offline.

    Returns
    -------
    geopandas.GeoDataFrame
        Boundaries as returned by :func:`load_boundaries`, with
        ``attrs["fictional"] = True``.
    """
    with resources.as_file(_package_file(_DEMO_FILE)) as path:
        gdf = load_boundaries(path, attribution=DEMO_ATTRIBUTION)
    gdf.attrs["fictional"] = True
    return gdf


def as_multipolygons(boundaries: gpd.GeoDataFrame) -> np.ndarray:
    """Return the boundary geometries with every Polygon made a one-part MultiPolygon.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Boundaries (Polygons or MultiPolygons).

    Returns
    -------
    numpy.ndarray
        The geometries (object array), all MultiPolygons, in row order.
    """
    geoms = np.asarray(boundaries.geometry.values, dtype=object)
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        geoms = geoms.copy()
        geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    return geoms


def demo_region_file() -> Traversable:
    """Return the packaged GeoJSON file of the fictional demo region (WGS84).

    It is what :func:`demo_boundaries` reads; ``peermap demo --out`` copies it beside
    the synthetic exports. Read it with ``read_bytes()``, or open it as a path with
    :func:`importlib.resources.as_file`.

    Returns
    -------
    importlib.abc.Traversable
        The file inside the installed package.
    """
    file: Traversable = _package_file(_DEMO_FILE)
    return file


def is_demo_region(path: str | os.PathLike[str]) -> bool:
    """Whether a file is an unchanged copy of the fictional demo region.

    Maps and reports drawn on such a copy say the region is fictional instead of
    crediting the ONS, so a boundary file named by a user is checked with this and,
    when it is a copy, read with :func:`demo_boundaries`.

    Parameters
    ----------
    path : str or path-like
        A boundary file.

    Returns
    -------
    bool
        True when the file holds exactly the bytes of :func:`demo_region_file`.
    """
    file = Path(path)
    data = demo_region_file().read_bytes()
    return file.is_file() and file.stat().st_size == len(data) and file.read_bytes() == data


# --------------------------------------------------------------------------- graph


def metric_boundaries(boundaries: Boundaries | gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Check a boundaries frame has code/name/geometry and return it in EPSG:27700."""
    if isinstance(boundaries, Boundaries):
        boundaries = boundaries.frame
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise ArgumentError(
            f"{what} needs a GeoDataFrame from load_boundaries, got {type(boundaries)}"
        )
    missing = [c for c in ("code", "name") if c not in boundaries.columns]
    if missing:
        raise BoundaryError(
            f"boundaries lack column(s) {missing}: read them with peermap.load_boundaries"
        )
    if boundaries.crs is None:
        raise CRSError(
            "boundaries have no CRS: read them with peermap.load_boundaries, or set one with "
            "boundaries.set_crs('EPSG:27700')"
        )
    if not boundaries["code"].is_unique:
        raise BoundaryError("boundaries have duplicate codes: read them with load_boundaries")
    metric = CRS.from_user_input(settings.metric_crs)
    if CRS.from_user_input(boundaries.crs).equals(metric):
        return boundaries
    return boundaries.to_crs(metric)


def authority_graph(
    boundaries: Boundaries | gpd.GeoDataFrame, *, snap_m: float = DEFAULT_SNAP_M
) -> nx.Graph:
    """Build the graph of neighbouring authorities.

    Each call builds a new graph, the caller's to change. Code that only reads it
    should ask :meth:`Boundaries.neighbour_graph`, which builds it once per
    :class:`Boundaries` (``ds.region.neighbour_graph()`` for a dataset).

    Parameters
    ----------
    boundaries : Boundaries or geopandas.GeoDataFrame
        Result of :func:`load_boundaries`.
    snap_m : float, default 250
        Two authorities are neighbours when their borders touch, or come within this
        many metres of each other along at least as many metres of border.
        Generalised and clipped boundaries do not touch exactly (rivers and estuaries
        are cut out), so a small tolerance is needed; a border across a river runs
        along it for a kilometre or more (Lambeth and Westminster: 1.2 km within
        250 m), while two authorities that come that close only where their corners
        point at each other across a third one or an estuary (Dartford and Bromley:
        78 m in the 2013 file) are not neighbours. 0 keeps only borders that touch.

    Returns
    -------
    networkx.Graph
        One node per authority, keyed by code, with attributes ``name``, ``area_km2``,
        ``centroid_bng`` (x, y in EPSG:27700 metres) and ``centroid_wgs84`` (lon,
        lat). An edge joins neighbours, with attributes ``distance_m`` (0 where the
        borders touch) and ``shared_border_m``: the length of border lying within
        ``snap_m`` of the neighbour (the shorter of the two sides' measures). Where
        borders meet exactly this overstates the true shared length by up to about
        ``2 * snap_m`` per stretch, so a corner contact shows as a few hundred metres.
        Graph attributes: ``crs``, ``snap_m``, ``source``, ``vintage``,
        ``attribution``.
    """
    if not np.isfinite(snap_m) or snap_m < 0:
        raise ArgumentError(f"snap_m must be a non-negative number of metres, got {snap_m!r}")
    bounds = Boundaries.of(boundaries)
    gdf = metric_boundaries(bounds.frame, "authority_graph")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    codes = gdf["code"].astype(str).to_numpy()
    names = gdf["name"].astype(str).to_numpy()

    graph = nx.Graph(
        crs=settings.metric_crs,
        snap_m=float(snap_m),
        source=bounds.source,
        vintage=bounds.vintage,
        attribution=boundary_attribution(bounds),
    )
    centroids = shapely.centroid(geoms)
    cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
    to_wgs = Transformer.from_crs(settings.metric_crs, settings.map_crs, always_xy=True)
    lon, lat = to_wgs.transform(cx, cy)
    areas = shapely.area(geoms) / 1e6
    for i, code in enumerate(codes):
        graph.add_node(
            code,
            name=names[i],
            area_km2=float(areas[i]),
            centroid_bng=(float(cx[i]), float(cy[i])),
            centroid_wgs84=(float(lon[i]), float(lat[i])),
        )

    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=max(snap_m, 1e-9))
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left):
        distance = shapely.distance(geoms[left], geoms[right])
        involved = np.unique(np.concatenate([left, right]))
        borders = np.full(len(geoms), None, dtype=object)
        zones = np.full(len(geoms), None, dtype=object)
        borders[involved] = shapely.boundary(geoms[involved])
        # Widened by 1% (more than the chords of the buffer's arcs cut off) so that the
        # zone reaches every neighbour found within snap_m: each edge measures > 0.
        zones[involved] = shapely.buffer(geoms[involved], snap_m * 1.01 + 0.5)
        one = shapely.length(shapely.intersection(borders[left], zones[right]))
        two = shapely.length(shapely.intersection(borders[right], zones[left]))
        shared = np.minimum(one, two)
        for i, j, d, s in zip(left, right, distance, shared, strict=True):
            if d > 0 and s < snap_m:
                # Within snap_m only along a stretch shorter than the gap: two corners
                # with a third authority or an estuary between them, not a border.
                continue
            graph.add_edge(
                codes[i], codes[j], distance_m=float(d), shared_border_m=float(round(s, 1))
            )
    return graph


# --------------------------------------------------------------------------- Boundaries

#: What :meth:`Boundaries.of` accepts.
BoundariesLike: TypeAlias = "Boundaries | gpd.GeoDataFrame | str | os.PathLike[str]"

# The metadata :func:`load_boundaries` puts in ``.attrs``, in its order, with the value
# a frame without it is taken to have.
_METADATA: Final[dict[str, Any]] = {
    "source": None,
    "layer": None,
    "vintage": None,
    "attribution": None,
    "codes_derived": False,
    "repaired": 0,
    "overlaps_resolved": 0,
    "crs_assumed": False,
    "code_column": None,
    "name_column": None,
    "fictional": False,
}


#: No coordinate of an English boundary, in degrees or metres of any projection in use
#: (British National Grid, Web Mercator), is this large: a vertex beyond it is damage.
_FAR = 1e8


def _refuse_damaged_coordinates(gdf: gpd.GeoDataFrame, codes: pd.Series, source: str) -> None:
    """Refuse areas with a vertex that is not a number, or is absurdly far away.

    A vertex at NaN or at 1e300 (a damaged export) gave numpy's overflow warnings as
    peermap's, and an extent of 10^297 km.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return
    coords, owner = shapely.get_coordinates(geoms[present], return_index=True)
    bad = ~np.isfinite(coords).all(axis=1) | (np.abs(coords) > _FAR).any(axis=1)
    if bad.any():
        areas = codes.to_numpy()[np.flatnonzero(present)[np.unique(owner[bad])]]
        raise BoundaryError(
            f"{source}: {int(bad.sum())} vertices of {len(areas)} area(s) are not numbers or "
            f"lie absurdly far away (a damaged export): {list_some([str(c) for c in areas])}; "
            "export the boundaries again"
        )


def _vintage(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


@dataclass(frozen=True, eq=False)
class Boundaries:
    """Authority boundaries, their metadata and their neighbour graph.

    The frame is what :func:`load_boundaries` returns; the metadata are attributes
    here (pandas drops ``.attrs`` on a merge, a dissolve, a concat of frames with
    different metadata or a file round trip; a :class:`Boundaries` keeps them).
    Build one with :meth:`load`, :meth:`demo` or :meth:`of`; a dataset's is
    :attr:`peermap.Dataset.region`.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        ``code``, ``name`` (and kept extras) and ``geometry``, EPSG:27700, sorted by
        code. Its ``.attrs`` carry the same metadata, for code that reads them.
    source : str or None
        File name the boundaries came from.
    vintage : int or None
        Year of the boundaries, when known.
    attribution : str or None
        The line every map or file showing the boundaries must carry (``None``: ONS
        boundaries of unknown year; :func:`boundary_attribution` gives the line).
    fictional : bool
        The demo region, or boundaries read from a package made with it.
    layer, codes_derived, repaired, overlaps_resolved, crs_assumed, code_column, name_column
        As in the module documentation.
    """

    frame: gpd.GeoDataFrame
    source: str | None = None
    vintage: int | None = None
    attribution: str | None = None
    fictional: bool = False
    layer: str | None = None
    codes_derived: bool = False
    repaired: int = 0
    overlaps_resolved: int = 0
    crs_assumed: bool = False
    code_column: str | None = None
    name_column: str | None = None
    _graphs: dict[float, nx.Graph] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.frame, gpd.GeoDataFrame):
            raise ArgumentError(
                f"Boundaries needs a GeoDataFrame from load_boundaries, got {type(self.frame)}"
            )
        frame_attrs = self.frame.attrs
        stale = any(
            frame_attrs.get(key, default) != value
            for key, default in _METADATA.items()
            if (value := getattr(self, key)) != default or key in frame_attrs
        )
        if stale:
            # The metadata given here win; the caller's frame is not changed.
            frame = self.frame.copy(deep=False)
            frame.attrs = {**frame_attrs, **self.attrs}
            object.__setattr__(self, "frame", frame)

    @classmethod
    def of(cls, boundaries: BoundariesLike) -> Boundaries:
        """Return ``boundaries`` as a :class:`Boundaries`.

        Parameters
        ----------
        boundaries : Boundaries, geopandas.GeoDataFrame or path
            A :class:`Boundaries` (returned as it is); a frame from
            :func:`load_boundaries` (wrapped, not copied: its ``.attrs`` give the
            metadata, missing ones their defaults); or a boundary file (read with
            :func:`load_boundaries`).

        Returns
        -------
        Boundaries
        """
        if isinstance(boundaries, Boundaries):
            return boundaries
        if isinstance(boundaries, gpd.GeoDataFrame):
            attrs: Mapping[str, Any] = boundaries.attrs
            return cls(
                boundaries,
                source=None if attrs.get("source") is None else str(attrs["source"]),
                vintage=_vintage(attrs.get("vintage")),
                attribution=(
                    None if attrs.get("attribution") is None else str(attrs["attribution"])
                ),
                fictional=bool(attrs.get("fictional", False)),
                layer=None if attrs.get("layer") is None else str(attrs["layer"]),
                codes_derived=bool(attrs.get("codes_derived", False)),
                repaired=int(attrs.get("repaired", 0) or 0),
                overlaps_resolved=int(attrs.get("overlaps_resolved", 0) or 0),
                crs_assumed=bool(attrs.get("crs_assumed", False)),
                code_column=attrs.get("code_column"),
                name_column=attrs.get("name_column"),
            )
        if isinstance(boundaries, str | os.PathLike):
            return cls.load(boundaries)
        raise ArgumentError(
            "boundaries must be a Boundaries, a GeoDataFrame from peermap.load_boundaries "
            f"or a boundary file, got {type(boundaries).__name__}"
        )

    @classmethod
    def load(cls, source: str | os.PathLike[str] | gpd.GeoDataFrame, **kwargs: Any) -> Boundaries:
        """Read boundaries as :func:`load_boundaries` does (same arguments)."""
        return cls.of(load_boundaries(source, **kwargs))

    @classmethod
    def demo(cls) -> Boundaries:
        """Return the fictional demo region (see :func:`demo_boundaries`)."""
        return cls.of(demo_boundaries())

    @property
    def attrs(self) -> dict[str, Any]:
        """The metadata as :func:`load_boundaries` writes them in ``.attrs``."""
        out = {key: getattr(self, key) for key in _METADATA if key != "fictional"}
        if self.fictional:
            out["fictional"] = True
        return out

    @property
    def names(self) -> dict[str, str]:
        """Authority name by code."""
        return dict(
            zip(self.frame["code"].astype(str), self.frame["name"].astype(str), strict=True)
        )

    def with_frame(self, frame: gpd.GeoDataFrame) -> Boundaries:
        """Return the same metadata with another frame (and a neighbour graph of its own).

        For boundaries changed with pandas (a merge with a lookup, a selection, a
        dissolve), which drops or keeps ``.attrs`` depending on the operation.
        """
        return dataclasses.replace(self, frame=frame)

    def neighbour_graph(self, *, snap_m: float = DEFAULT_SNAP_M) -> nx.Graph:
        """Return the graph of neighbouring authorities, built once per ``snap_m``.

        The graph of :func:`authority_graph` (nodes, edges and their attributes are
        documented in ``docs/geography.md``), frozen: it is shared by every caller
        (analysis, maps, reports of a dataset), so it cannot be changed; copy it with
        ``nx.Graph(graph)`` to change it.

        Parameters
        ----------
        snap_m : float, default 250
            As in :func:`authority_graph`.

        Returns
        -------
        networkx.Graph
        """
        key = float(snap_m)
        graph = self._graphs.get(key)
        if graph is None:
            graph = nx.freeze(authority_graph(self, snap_m=snap_m))
            self._graphs[key] = graph
        return graph

    def __repr__(self) -> str:
        what = f"{len(self.frame)} authorities"
        if self.source:
            what += f" from {self.source}"
        if self.vintage is not None:
            what += f" ({self.vintage})"
        return f"Boundaries({what})"
