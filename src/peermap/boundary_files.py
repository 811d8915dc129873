"""Reading one boundary file into the shape peermap relies on.

What :func:`peermap.load_boundaries` does step by step: read the file (any format
pyogrio reads, GeoParquet, TopoJSON), find the code and name columns (ONS columns such
as ``LAD24CD``/``LAD24NM`` or the usual aliases), settle the CRS (declared, or assumed
WGS84 when the coordinates fit longitude and latitude), reproject to British National
Grid, repair invalid geometries, keep the polygonal parts and remove sliver overlaps
between neighbours. :mod:`peermap.boundaries` holds the whole (``load_boundaries``),
the demo region, attribution, the neighbour graph and :class:`~peermap.Boundaries`.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from peermap import settings
from peermap.exceptions import ArgumentError, BoundaryError, CRSError, PeermapWarning

__all__: list[str] = []  # helpers of peermap.boundaries.load_boundaries, not API

_ONS_COLUMN_RE: Final = re.compile(r"^(?P<entity>[A-Za-z]+?)(?P<yy>[0-9]{2})(?P<kind>CD|NM)$", re.I)
# When several ONS code columns are unique, the finest administrative level is the area itself.
_ENTITY_PRECEDENCE: Final = ("WD", "LAD", "LTLA", "UTLA", "CTYUA", "CTY", "CAUTH", "RGN", "CTRY")
_CODE_ALIASES: Final = ("code", "gss_code", "gsscode", "area_code")
_NAME_ALIASES: Final = ("name", "area_name", "areaname")
_PARQUET_SUFFIXES: Final = (".parquet", ".geoparquet", ".pq")


# --------------------------------------------------------------------------- reading


def read_source(
    source: str | os.PathLike[str] | gpd.GeoDataFrame, layer: str | int | None
) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Read a file (or copy a GeoDataFrame); return it, its display name and the layer."""
    if isinstance(source, gpd.GeoDataFrame):
        name = str(source.attrs.get("source", "GeoDataFrame"))
        return source.copy(), name, None
    if not isinstance(source, str | os.PathLike):
        raise ArgumentError(
            "boundaries: expected a boundary file (a path) or a GeoDataFrame from "
            f"peermap.load_boundaries, not {type(source).__name__}"
        )
    path = Path(source)
    if not path.exists():
        raise BoundaryError(f"boundary file not found: {path}")
    if path.is_dir() and not any(path.glob("*.shp")):
        # GDAL reads a folder of CSV files as layers: a dataset given where its
        # boundaries belong was "a boundary file with 5 layers: choose one".
        raise BoundaryError(
            f"{path.name} is a folder, not a boundary file: give the file itself (.geojson, "
            ".gpkg, .shp, ...)"
        )
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        try:
            return gpd.read_parquet(path), path.name, None
        except (ValueError, OSError) as exc:
            if "Missing geo metadata" in str(exc):
                raise BoundaryError(
                    f"cannot read {path.name} as boundaries: it is a plain Parquet table, "
                    "without the geometry metadata of GeoParquet; save the boundaries as "
                    "GeoParquet, GeoPackage or GeoJSON"
                ) from exc
            raise BoundaryError(f"cannot read GeoParquet file {path.name}: {exc}") from exc
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as exc:
        # GDAL's own advice (a driver prefix on the path) is for GDAL's users, not ours.
        reason = str(exc).split("; It might help", 1)[0].rstrip(". ")
        if "database disk image is malformed" in reason or "file is not a database" in reason:
            reason = "it is damaged (a GeoPackage cut short or corrupted); export it again"
        elif "readonly database" in reason:
            reason = (
                "SQLite must first finish an interrupted write to it (a '-journal' file "
                "lies beside it); open it once in QGIS, or copy it without that file"
            )
        elif "not recognized as being in a supported file format" in reason:
            reason = (
                "it is empty, or not in a format GDAL reads (GeoPackage, GeoJSON, shapefile, ...)"
            )
        raise BoundaryError(f"cannot read {path.name} as a boundary file: {reason}") from exc
    if layer is None:
        if len(layers) > 1:
            raise BoundaryError(
                f"{path.name} has {len(layers)} layers ({', '.join(map(repr, layers))}); "
                "choose one with layer=..."
            )
        chosen: str | None = layers[0] if layers else None
    elif isinstance(layer, int):
        if not 0 <= layer < len(layers):
            raise BoundaryError(f"{path.name} has no layer number {layer}; layers: {layers}")
        chosen = layers[layer]
    else:
        if layer not in layers:
            raise BoundaryError(
                f"{path.name} has no layer {layer!r}; its layers are {', '.join(map(repr, layers))}"
            )
        chosen = layer
    try:
        # A vertex that is no number warns in shapely's reader; the area holding it is
        # refused by name when the boundaries are checked.
        with np.errstate(invalid="ignore", over="ignore"):
            gdf = gpd.read_file(path, layer=chosen, engine="pyogrio")
    except pyogrio.errors.DataSourceError as exc:
        raise BoundaryError(f"cannot read {path.name}: {exc}") from exc
    except UnicodeDecodeError as exc:
        # GeoJSON is UTF-8 by definition (RFC 7946); a name saved as Latin-1 by an old
        # GIS export or a spreadsheet is a byte GDAL hands on undecoded.
        raise BoundaryError(
            f"cannot read {path.name}: its text is not UTF-8 (byte 0x{exc.object[exc.start]:02x} "
            "in a name or other attribute, as a file saved as Latin-1 or Windows-1252 "
            "holds); save it as UTF-8"
        ) from exc
    return gdf, path.name, chosen if len(layers) > 1 or layer is not None else None


def find_column(gdf: pd.DataFrame, wanted: str, role: str, source: str) -> str:
    """Find a caller-named column, exactly or ignoring case."""
    if wanted in gdf.columns:
        return wanted
    matches = [c for c in gdf.columns if str(c).lower() == wanted.lower()]
    if len(matches) == 1:
        return str(matches[0])
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    raise BoundaryError(f"{source} has no {role} column {wanted!r}; its columns are {columns}")


def vintage_from_column(column: str | None) -> int | None:
    """Return the year an ONS column name gives (``LAD24CD``: 2024), or None."""
    if column is None:
        return None
    match = _ONS_COLUMN_RE.match(column)
    if match is None:
        return None
    yy = int(match["yy"])
    return 2000 + yy if yy < 80 else 1900 + yy


def _is_unique(series: pd.Series) -> bool:
    values = series.dropna().astype(str).str.strip()
    return bool(len(values) == len(series) and values.is_unique)


def detect_columns(
    gdf: gpd.GeoDataFrame, code_column: str | None, name_column: str | None, source: str
) -> tuple[str | None, str | None]:
    """Choose the code and name columns (ONS conventions of any vintage, or plain)."""
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    ons: dict[tuple[str, str], dict[str, str]] = {}
    for col in columns:
        match = _ONS_COLUMN_RE.match(col)
        if match:
            group = ons.setdefault((match["entity"].upper(), match["yy"]), {})
            group[match["kind"].upper()] = col

    if code_column is not None:
        code_col: str | None = find_column(gdf, code_column, "code", source)
    else:
        code_col = None
        candidates = [g["CD"] for g in ons.values() if "CD" in g]
        if len(candidates) > 1:
            candidates = [c for c in candidates if _is_unique(gdf[c])] or candidates
        if len(candidates) > 1:
            ranked = sorted(
                candidates,
                key=lambda c: (
                    _ENTITY_PRECEDENCE.index(m["entity"].upper())
                    if (m := _ONS_COLUMN_RE.match(c)) and m["entity"].upper() in _ENTITY_PRECEDENCE
                    else len(_ENTITY_PRECEDENCE)
                ),
            )
            first = _ONS_COLUMN_RE.match(ranked[0])
            if first is None or first["entity"].upper() not in _ENTITY_PRECEDENCE:
                raise BoundaryError(
                    f"{source} has several code columns ({', '.join(candidates)}); "
                    "choose one with code_column=..."
                )
            candidates = ranked[:1]
        if candidates:
            code_col = candidates[0]
        else:
            plain = [c for c in columns if c.lower() in _CODE_ALIASES]
            code_col = plain[0] if plain else None

    if name_column is not None:
        name_col: str | None = find_column(gdf, name_column, "name", source)
    else:
        name_col = None
        match = _ONS_COLUMN_RE.match(code_col) if code_col else None
        if match is not None:
            name_col = ons.get((match["entity"].upper(), match["yy"]), {}).get("NM")
        if name_col is None:
            plain = [c for c in columns if c.lower() in _NAME_ALIASES]
            if plain:
                name_col = plain[0]
            else:
                names = [g["NM"] for g in ons.values() if "NM" in g]
                name_col = names[0] if len(names) == 1 else None
    if code_col is None and name_col is None:
        raise BoundaryError(
            f"{source} has no recognisable code or name column (looked for ONS columns such as "
            f"LAD24CD/LAD24NM or CTYUA23CD, WD22CD, and 'code'/'name'); its columns are "
            f"{columns}. Name them with code_column=... and name_column=..."
        )
    return code_col, name_col


def clean_strings(series: pd.Series) -> pd.Series:
    """Strip strings; missing or blank values become None (object dtype)."""
    cleaned = [None if pd.isna(v) or not str(v).strip() else str(v).strip() for v in series]
    return pd.Series(cleaned, index=series.index, dtype=object)


def list_some(items: Sequence[str]) -> str:
    """List the first few items for a message, saying how many more there are."""
    limit = settings.max_problems_in_message
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------------- CRS

#: Boundaries narrower than this in both directions (metres) cannot be authorities:
#: the City of London, England's smallest, is about 3 km across.
MIN_EXTENT_M = 500.0


def _crs_hint(bounds: np.ndarray) -> str:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    bx0, by0, bx1, by1 = settings.gb_bounds_bng
    if bx0 <= minx and maxx <= bx1 and by0 <= miny and maxy <= by1:
        guess = (
            "They look like British National Grid metres: if so, pass crs='EPSG:27700' "
            "to load_boundaries"
        )
    else:
        guess = "Pass the CRS they use to load_boundaries, e.g. crs='EPSG:27700'"
    return (
        f"{guess}, or declare it in the file itself (for example "
        "`ogr2ogr -a_srs EPSG:27700 fixed.gpkg yourfile`, or in Python "
        "`gdf.set_crs('EPSG:27700')` before calling load_boundaries)."
    )


def _fits_lonlat(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return bool(minx >= -180.0 and maxx <= 180.0 and miny >= -90.0 and maxy <= 90.0)


def settle_crs(gdf: gpd.GeoDataFrame, crs: Any, source: str) -> tuple[gpd.GeoDataFrame, bool]:
    """Give ``gdf`` a trustworthy CRS; return it and whether WGS84 was assumed."""
    bounds = np.asarray(gdf.total_bounds, dtype=float)
    if not np.isfinite(bounds).all():
        raise BoundaryError(f"{source} has no coordinates")
    fits = _fits_lonlat(bounds)
    box = ", ".join(f"{v:.6g}" for v in bounds)
    if crs is not None:
        try:
            wanted = CRS.from_user_input(crs)
        except PyprojCRSError as exc:
            raise CRSError(f"crs={crs!r} is not a CRS pyproj understands: {exc}") from exc
        declared = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
        # A geographic CRS on coordinates that are not degrees (GDAL's default for GeoJSON)
        # is plainly wrong: replace it silently. Otherwise say that the file is overruled.
        if (
            declared is not None
            and not declared.equals(wanted)
            and not (declared.is_geographic and not fits)
        ):
            warnings.warn(
                f"{source} declares {gdf.crs.to_string()} but crs={crs!r} was given: "
                "using the given CRS",
                PeermapWarning,
                stacklevel=3,
            )
        if wanted.is_geographic and not fits:
            raise CRSError(
                f"{source}: crs={crs!r} is longitude/latitude but the coordinates ({box}) "
                f"are not degrees. {_crs_hint(bounds)}"
            )
        return gdf.set_crs(wanted, allow_override=True), False
    if gdf.crs is None:
        if fits:
            warnings.warn(
                f"{source} declares no CRS; its coordinates fit longitude/latitude, so it is "
                "read as WGS84 (EPSG:4326). Pass crs=... to load_boundaries if that is wrong.",
                PeermapWarning,
                stacklevel=3,
            )
            return gdf.set_crs("EPSG:4326"), True
        raise CRSError(
            f"{source} declares no coordinate reference system and its coordinates ({box}) "
            f"are not longitude/latitude, so peermap cannot tell what they are. "
            f"{_crs_hint(bounds)}"
        )
    if CRS.from_user_input(gdf.crs).is_geographic and not fits:
        always = (
            " (GeoJSON files always are)" if source.lower().endswith((".geojson", ".json")) else ""
        )
        raise CRSError(
            f"{source} is read as {gdf.crs.to_string()}{always} but its "
            f"coordinates ({box}) are not longitude/latitude. {_crs_hint(bounds)}"
        )
    return gdf, False


def to_metric(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Reproject to the metric CRS (:data:`peermap.settings.metric_crs`)."""
    metric = CRS.from_user_input(settings.metric_crs)
    out = gdf if CRS.from_user_input(gdf.crs).equals(metric) else gdf.to_crs(metric)
    bounds = np.asarray(out.total_bounds, dtype=float)
    bx0, by0, bx1, by1 = settings.gb_bounds_bng
    if (
        not np.isfinite(bounds).all()
        or bounds[2] < bx0
        or bounds[0] > bx1
        or bounds[3] < by0
        or bounds[1] > by1
    ):
        raise CRSError(
            f"{source}: read as {gdf.crs.to_string()}, the boundaries lie outside Great Britain "
            f"(British National Grid bounds {', '.join(f'{v:.6g}' for v in bounds)}). Is the CRS "
            "right (or are longitude and latitude swapped)? Pass the right one with crs=..."
        )
    width, height = float(bounds[2] - bounds[0]), float(bounds[3] - bounds[1])
    polygons = bool(out.geom_type.isin(["Polygon", "MultiPolygon"]).all())
    geographic = CRS.from_user_input(gdf.crs).is_geographic
    if polygons and max(width, height) < MIN_EXTENT_M and not geographic:
        # Degrees declared as metres: England's authorities squeezed into a few metres
        # near the grid's origin, where no place can fall inside one.
        lonlat = _fits_lonlat(np.asarray(gdf.total_bounds, dtype=float))
        raise CRSError(
            f"{source}: read as {gdf.crs.to_string()}, the boundaries span only "
            f"{width:.3g} m by {height:.3g} m, smaller than any authority"
            + (
                ": their coordinates look like longitude/latitude declared as metres. "
                "If so, pass crs='EPSG:4326' or declare it in the file."
                if lonlat
                else ". Is the CRS right? Pass the right one with crs=..."
            )
        )
    return out


# --------------------------------------------------------------------------- geometry


def make_valid(geoms: np.ndarray) -> np.ndarray:
    """``make_valid`` with the 'structure' method where available (unions overlapping parts)."""
    try:
        return np.asarray(shapely.make_valid(geoms, method="structure", keep_collapsed=False))
    except (TypeError, ValueError, shapely.errors.UnsupportedGEOSVersionError):  # pragma: no cover
        return np.asarray(shapely.make_valid(geoms))


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal parts of each geometry, as one MultiPolygon each (or None)."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    while True:
        type_ids = shapely.get_type_id(parts)
        nested = np.isin(type_ids, (4, 5, 6, 7))
        if not nested.any():
            break
        sub, sub_index = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        index = np.concatenate([index[~nested], index[nested][sub_index]])
    type_ids = shapely.get_type_id(parts)
    keep = (type_ids == 3) & ~shapely.is_empty(parts)
    keep[keep] = shapely.area(parts[keep]) > 0
    parts, index = parts[keep], index[keep]
    order = np.argsort(index, kind="stable")
    out = np.full(len(geoms), None, dtype=object)
    if len(parts):
        shapely.multipolygons(parts[order], indices=index[order], out=out)
    return out


def resolve_overlaps(
    geoms: np.ndarray, codes: np.ndarray, names: np.ndarray, tolerance_m2: float, source: str
) -> tuple[np.ndarray, int]:
    """Raise on real overlaps; give tolerated slivers to the lower code (geoms sorted by code)."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return geoms, 0
    inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    left, right = left[inner], right[inner]
    if len(left) == 0:
        return geoms, 0
    shared = shapely.intersection(geoms[left], geoms[right])
    area = shapely.area(shared)
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    bad = area > tolerance_m2
    if bad.any():
        lines = [
            f"{names[i]} ({codes[i]}) and {names[j]} ({codes[j]}): {a / 1e6:.3g} km² "
            f"({100 * a / s:.3g}% of the smaller)"
            for i, j, a, s in zip(left[bad], right[bad], area[bad], smaller[bad], strict=True)
        ]
        raise BoundaryError(
            f"{source}: {int(bad.sum())} pairs of areas overlap: {list_some(lines)}. "
            "Boundaries must not overlap (a mix of vintages or of levels, such as counties and "
            f"districts, in one file?). Overlaps up to {tolerance_m2:g} m² are treated as "
            "slivers; raise overlap_tolerance_m2 if these are slivers too."
        )
    out = geoms.copy()
    positive = area > 0
    for j in np.unique(right[positive]):
        cut = shapely.union_all(shared[positive & (right == j)])
        out[j] = shapely.difference(out[j], cut)
    out[np.unique(right)] = polygonal(out[np.unique(right)])
    return out, int(positive.sum())
