"""Assign places to local authorities, and resolve authority references to codes.

:func:`assign_authorities` puts every place (a point) in an authority and says
how sure that is:

``within``
    The point lies inside an authority, more than :data:`ON_BOUNDARY_M` from its
    border (inside two overlapping ones, the lowest code).
``on_boundary``
    The point lies on a border: within :data:`ON_BOUNDARY_M` (1 cm) of it, on
    either side, so that reprojection noise cannot push it one way or the other.
    It is assigned to the lowest code among the authorities within that
    distance, so the result depends neither on file order nor on the CRS the
    point came in. A point on a coastline or an outer border has one such
    authority.
``nearest``
    The point lies in no authority, but within ``tolerance_m`` of one: a river,
    estuary or harbour cut out of clipped boundaries, or a coast smoothed by
    generalisation. It is assigned to the nearest authority (the lowest code on
    a tie).
``outside``
    Farther than ``tolerance_m`` from every authority (at sea, abroad, or in a
    part of the country the boundaries do not cover). ``authority_code`` is
    missing and a :class:`~peermap.PeermapWarning` lists the places.

No place is ever dropped. The work is vectorised: one STRtree query finds the
candidate authorities of all points at once, a prepared point-in-polygon test
settles them, and only the few points left (near a border or inside no
authority) go through the border and nearest-neighbour steps.

:func:`resolve_authorities` turns the authority references analysts type
(codes, or names in any case and punctuation, with "&" or "and", with or
without "London Borough of" or "Council") into codes, and suggests the
closest names for those it cannot resolve.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections import OrderedDict
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import CRS

from peermap import settings
from peermap.authority_names import name_key, strip_affixes
from peermap.boundaries import Boundaries, metric_boundaries
from peermap.exceptions import ArgumentError, BoundaryError, CRSError, PeermapWarning
from peermap.privacy.identifiers import shown_value

__all__ = [
    "ASSIGNMENT_VALUES",
    "DEFAULT_TOLERANCE_M",
    "ON_BOUNDARY_M",
    "assign_authorities",
    "resolve_authorities",
]

#: The values of the ``assignment`` column, in order of confidence.
ASSIGNMENT_VALUES: Final = ("within", "on_boundary", "nearest", "outside")

#: Default distance (metres) within which a point outside every authority is given
#: to the nearest one. Ultra-generalised (BUC, 500 m) boundaries move coasts and
#: borders by up to a few hundred metres, and clipped boundaries leave out rivers and
#: estuaries (mid-Thames at Gravesend is about 330-450 m from either bank); 1 km
#: covers those while leaving points at sea or abroad ``outside``.
DEFAULT_TOLERANCE_M: Final = 1000.0

#: A point at most this far (metres) from a border, on either side of it, is on the
#: border: 1 cm, far below any real precision, but above the millimetre that a round
#: trip through longitude/latitude can move a point digitised on a border.
ON_BOUNDARY_M: Final = 0.01

# Authorities are shrunk by this many ON_BOUNDARY_M (mitred corners, which never cut
# into the band, unlike chords of round ones) for the fast inside test, so that the
# shrunken shape stays clear of the on-border band whatever GEOS's buffer rounding.
_CORE_MARGIN: Final = 1.5

_WITHIN, _ON_BOUNDARY, _NEAREST, _OUTSIDE = range(4)
_GSS_LIKE: Final = re.compile(r"^[A-Z][0-9]{8}$")


def _str_column(values: np.ndarray, positions: np.ndarray, index: pd.Index) -> pd.Series:
    """``values[positions]`` as a string column; position -1 gives a missing value."""
    table = pa.array([None if v is None else str(v) for v in values], type=pa.large_string())
    taken = table.take(pa.array(positions, mask=positions < 0, type=pa.int64()))
    series: pd.Series = taken.to_pandas()
    series.index = index
    return series


def _sorted_boundaries(
    boundaries: gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, names and geometries (EPSG:27700) of the boundaries, sorted by code."""
    gdf = metric_boundaries(boundaries, "assign_authorities")
    codes = gdf["code"].astype(str).to_numpy(dtype=object)
    order = np.argsort(codes.astype(str), kind="stable")
    geoms = np.asarray(gdf.geometry.values, dtype=object)[order]
    type_ids = shapely.get_type_id(geoms)
    if not np.isin(type_ids, (3, 6)).all():
        raise BoundaryError("boundaries must be polygons: read them with peermap.load_boundaries")
    names = gdf["name"].astype(str).to_numpy(dtype=object)[order]
    return codes[order], names, geoms


def _place_points(places: gpd.GeoDataFrame) -> np.ndarray:
    """Return the places' geometries as points in EPSG:27700 (None where missing)."""
    if places.crs is None:
        raise CRSError(
            "places have no CRS: set one first, e.g. places.set_crs('EPSG:4326') for "
            "longitude/latitude or places.set_crs('EPSG:27700') for British National Grid"
        )
    geoms = np.asarray(places.geometry.values, dtype=object)
    type_ids = shapely.get_type_id(geoms)
    wrong = (type_ids != 0) & (type_ids != -1)
    if wrong.any():
        raise ArgumentError(
            f"assign_authorities needs point geometries; {int(wrong.sum())} places are not points"
        )
    metric = CRS.from_user_input(settings.metric_crs)
    if CRS.from_user_input(places.crs).equals(metric):
        return geoms
    return np.asarray(places.geometry.to_crs(metric).values, dtype=object)


def _pick_lowest(owner: np.ndarray, point: np.ndarray, poly: np.ndarray) -> None:
    """For each point, keep the lowest polygon index (lowest code) in ``owner``."""
    np.minimum.at(owner, point, poly)


_CORE_CACHE: OrderedDict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
_CORE_CACHE_SIZE: Final = 2


def _cores(geoms: np.ndarray) -> np.ndarray:
    """Return the authorities shrunk by the on-border margin, prepared and cached.

    Shrinking costs time in proportion to the boundaries' vertices, so it is done
    once per set of boundaries. The cache holds the geometries themselves, so their
    ids (the key) cannot be reused while an entry exists.
    """
    key = tuple(id(g) for g in geoms)
    hit = _CORE_CACHE.get(key)
    if hit is not None:
        _CORE_CACHE.move_to_end(key)
        return hit[1]
    core = np.asarray(
        shapely.buffer(geoms, -_CORE_MARGIN * ON_BOUNDARY_M, join_style="mitre"), dtype=object
    )
    shapely.prepare(core)
    _CORE_CACHE[key] = (geoms.copy(), core)
    while len(_CORE_CACHE) > _CORE_CACHE_SIZE:
        _CORE_CACHE.popitem(last=False)
    return core


def _coordinates(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return x and y of each point; NaN for missing or empty points."""
    x = np.full(len(pts), np.nan)
    y = np.full(len(pts), np.nan)
    present = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    if present.all():
        return shapely.get_x(pts), shapely.get_y(pts)
    x[present] = shapely.get_x(pts[present])
    y[present] = shapely.get_y(pts[present])
    return x, y


def _assign_indices(
    pts: np.ndarray, geoms: np.ndarray, tolerance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Polygon index (-1 for none) and assignment kind (-1 for no point) for each point."""
    n, k = len(pts), len(geoms)
    x, y = _coordinates(pts)
    has_xy = np.isfinite(x) & np.isfinite(y)
    owner = np.full(n, k, dtype=np.int64)
    kind = np.full(n, -1, dtype=np.int8)
    if k == 0 or not has_xy.any():
        kind[has_xy] = _OUTSIDE
        return np.where(owner == k, -1, owner), kind

    # 1. All points at once: one STRtree query gives each point's candidate authorities
    #    (bounding boxes), then a prepared point-in-polygon test on those pairs. The test
    #    uses each authority shrunk by a margin, so points within ON_BOUNDARY_M of a
    #    border, on either side, are left for step 2 whatever rounding did to them.
    core = _cores(geoms)
    shapely.prepare(geoms)
    point, poly = shapely.STRtree(geoms).query(pts)
    inside = shapely.contains_xy(core[poly], x[point], y[point])
    _pick_lowest(owner, point[inside], poly[inside])
    kind[owner < k] = _WITHIN

    # 2. The few points left: inside but near a border, on a border, in a gap, at sea.
    rest = np.flatnonzero((owner == k) & has_xy)
    if len(rest) == 0:
        return np.where(owner == k, -1, owner), kind
    reach = max(tolerance_m, ON_BOUNDARY_M)
    boxes = shapely.bounds(geoms) + np.array([-reach, -reach, reach, reach])
    near_tree = shapely.STRtree(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]))
    rest_pts = pts[rest]
    local, poly = near_tree.query(rest_pts)
    close = shapely.dwithin(geoms[poly], rest_pts[local], reach)
    local, poly = local[close], poly[close]
    dist = shapely.distance(geoms[poly], rest_pts[local])  # 0 inside the authority
    # Inside an authority: far enough from its border after all (margin) is 'within'.
    inner = np.flatnonzero(dist == 0)
    to_border = shapely.distance(shapely.boundary(geoms[poly[inner]]), rest_pts[local[inner]])
    deep = inner[to_border > ON_BOUNDARY_M]
    within = np.full(len(rest), k, dtype=np.int64)
    _pick_lowest(within, local[deep], poly[deep])
    is_within = within < k

    best = np.full(len(rest), np.inf)
    np.minimum.at(best, local, dist)
    on_border = ~is_within & (best <= ON_BOUNDARY_M)
    # Candidates: every authority within ON_BOUNDARY_M for border points, the nearest
    # (allowing a micrometre for rounding) for the others; the lowest code wins.
    limit = np.where(on_border, ON_BOUNDARY_M, best + 1e-6)
    take = dist <= limit[local]
    chosen = np.full(len(rest), k, dtype=np.int64)
    _pick_lowest(chosen, local[take], poly[take])
    chosen = np.where(is_within, within, chosen)
    owner[rest] = chosen
    kind[rest] = np.select(
        [is_within, chosen == k, on_border], [_WITHIN, _OUTSIDE, _ON_BOUNDARY], _NEAREST
    ).astype(np.int8)
    return np.where(owner == k, -1, owner), kind


def assign_authorities(
    places: gpd.GeoDataFrame,
    boundaries: Boundaries | gpd.GeoDataFrame,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """Assign every place to the local authority it lies in.

    Parameters
    ----------
    places : geopandas.GeoDataFrame
        Places as points, in any CRS (reprojected to EPSG:27700 for the work; the
        returned geometry is unchanged). Places without coordinates are kept, with
        missing authority and assignment.
    boundaries : Boundaries or geopandas.GeoDataFrame
        Result of :func:`peermap.load_boundaries`.
    tolerance_m : float, default 1000
        How far outside every authority a point may lie and still be given to the
        nearest one (``nearest``); beyond it the place is ``outside``. The default
        suits ultra-generalised (BUC) and coastline-clipped boundaries, whose gaps
        along rivers, estuaries and coasts are mostly well under a kilometre. Use 0
        to keep only points inside or on a border.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``places`` with columns ``authority_code``, ``authority_name``
        (strings; missing for ``outside``) and ``assignment`` (categorical:
        ``within``, ``on_boundary``, ``nearest``, ``outside``). Existing columns of
        those names are replaced.

    Raises
    ------
    peermap.CRSError
        ``places`` or ``boundaries`` have no CRS.
    ValueError
        Places that are not points, or a negative tolerance.

    Warns
    -----
    peermap.PeermapWarning
        When some places are ``outside``: how many, and their ``place_id`` (or index).
    """
    if not isinstance(places, gpd.GeoDataFrame):
        raise ArgumentError(f"places must be a GeoDataFrame of points, got {type(places)}")
    if not np.isfinite(tolerance_m) or tolerance_m < 0:
        raise ArgumentError(
            f"tolerance_m must be a non-negative number of metres, got {tolerance_m!r}"
        )
    codes, names, geoms = _sorted_boundaries(boundaries)
    pts = _place_points(places)
    owner, kind = _assign_indices(pts, geoms, float(tolerance_m))

    result = places.copy()
    result["authority_code"] = _str_column(codes, owner, result.index)
    result["authority_name"] = _str_column(names, owner, result.index)
    result["assignment"] = pd.Categorical.from_codes(
        kind.astype(np.int64), categories=pd.Index(list(ASSIGNMENT_VALUES))
    )

    outside = np.flatnonzero(kind == _OUTSIDE)
    if len(outside):
        if "place_id" in result.columns:
            label, ids = "place_id", result["place_id"].to_numpy()[outside[:50]]
        else:
            label, ids = "index", result.index.to_numpy()[outside[:50]]
        limit = settings.max_problems_in_message
        shown = ", ".join(shown_value(str(v)) for v in ids[:limit])
        more = f" and {len(outside) - limit} more" if len(outside) > limit else ""
        source = Boundaries.of(boundaries).source or "the boundaries"
        warnings.warn(
            f"{len(outside)} of {len(result)} places lie more than {tolerance_m:g} m from every "
            f"authority in {source} and are marked 'outside' with no authority "
            f"({label}: {shown}{more})",
            PeermapWarning,
            stacklevel=2,
        )
    return result


# --------------------------------------------------------------------------- resolution


def _lookup(boundaries: gpd.GeoDataFrame) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Code lookup (upper-case code -> code) and name lookup (name key -> codes)."""
    codes = boundaries["code"].astype(str).to_numpy()
    names = boundaries["name"].astype(str).to_numpy()
    by_code = {code.strip().upper(): code for code in codes}
    by_name: dict[str, set[str]] = {}
    for code, name in zip(codes, names, strict=True):
        key = name_key(name)
        for variant in {key, strip_affixes(key)}:
            if variant:
                by_name.setdefault(variant, set()).add(code)
    return by_code, by_name


def _describe(codes: list[str], name_of: dict[str, str]) -> str:
    quoted = [f"'{name_of[c]}' ({c})" for c in codes]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


# GSS prefixes of local authorities: English unitary, non-metropolitan, metropolitan
# and London; Welsh, Scottish and Northern Irish councils.
_LA_PREFIXES = frozenset({"E06", "E07", "E08", "E09", "W06", "S12", "N09"})


def _resolve_one(
    value: str,
    by_code: dict[str, str],
    by_name: dict[str, set[str]],
    name_of: dict[str, str],
    attrs: dict[str, Any],
) -> tuple[str | None, str | None]:
    """Resolve one reference: (code, None) or (None, suggestion)."""
    text = value.strip()
    if text.upper() in by_code:
        return by_code[text.upper()], None
    key = name_key(text)
    for variant in (key, strip_affixes(key)):
        found = by_name.get(variant)
        if found and len(found) == 1:
            return next(iter(found)), None
        if found:
            return None, (
                f"'{text}' is ambiguous: it matches {_describe(sorted(found), name_of)}; "
                "use the code"
            )
    if _GSS_LIKE.match(text.upper()):
        note = (
            "; these boundaries have no official codes (they were derived from names), "
            "so refer to authorities by name"
            if attrs.get("codes_derived")
            else ""
        )
        vintage = attrs.get("vintage")
        in_what = f"the {vintage} boundaries" if vintage else "these boundaries"
        if not note and text.upper()[:3] in _LA_PREFIXES:
            # Shaped like an authority's code: perhaps one outside the region (an
            # out-of-area placement, a young person homed beyond the partnership).
            # Boundaries that hold it keep the row.
            note = (
                " (an authority outside the region, such as an out-of-area placement's, "
                "needs boundaries that hold it: read with all of England's authorities, "
                "of the same vintage as the codes)"
                if text.upper().startswith("E")
                else " (an authority outside England: peermap's shared boundary files "
                "hold England's authorities only)"
            )
        return None, f"code '{text}' is not in {in_what}{note}"
    stripped = strip_affixes(key)
    # Names containing the reference as whole words first ("Hull" -> "Kingston upon Hull"),
    # then names that are spelled alike ("Camdn" -> "Camden").
    pattern = re.compile(rf"(^| ){re.escape(stripped)}( |$)") if stripped else None
    containing = sorted((k for k in by_name if pattern is not None and pattern.search(k)), key=len)
    close = difflib.get_close_matches(stripped, list(by_name), n=6, cutoff=0.6)
    suggested: list[str] = []
    for match in [*containing, *close]:
        for code in sorted(by_name[match]):
            if code not in suggested:
                suggested.append(code)
    if not suggested:
        return None, f"no authority in these boundaries has a name like '{text}'"
    return None, f"did you mean {_describe(suggested[:3], name_of)}?"


def resolve_authorities(
    values: pd.Series, boundaries: Boundaries | gpd.GeoDataFrame
) -> pd.DataFrame:
    """Resolve authority references (codes or names) to codes.

    Codes match exactly, ignoring case and surrounding spaces. Names match
    ignoring case, accents, whitespace and punctuation, with "&" read as "and"
    and "Saint" as "St", and with or without common prefixes and suffixes
    ("London Borough of", "Royal Borough of", "City of", "Borough of", "County",
    "Council", "Borough Council", ", City of", ...). "London" alone is not read
    as the City of London.

    Parameters
    ----------
    values : pandas.Series
        Authority references as typed by analysts, e.g. ``"Camden"``,
        ``"London Borough of Camden"``, ``"e09000007"``, ``"Brighton & Hove"``.
    boundaries : Boundaries or geopandas.GeoDataFrame
        Result of :func:`peermap.load_boundaries`.

    Returns
    -------
    pandas.DataFrame
        Index-aligned with ``values``, with columns ``code`` (the authority code, or
        missing when unresolved) and ``suggestion`` (for unresolved references, a
        message such as "did you mean 'Camden' (E09000007)?" naming up to three
        close names; missing otherwise). Missing or blank references give missing
        in both columns.
    """
    if not isinstance(values, pd.Series):
        raise ArgumentError(f"values must be a pandas Series, got {type(values)}")
    region = boundaries if isinstance(boundaries, Boundaries) else None
    if isinstance(boundaries, Boundaries):
        boundaries = boundaries.frame
    for column in ("code", "name"):
        if column not in boundaries.columns:
            raise BoundaryError(f"boundaries lack column {column!r}: use peermap.load_boundaries")
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    by_code, by_name = _lookup(boundaries)
    name_of = dict(
        zip(
            boundaries["code"].astype(str).to_numpy(),
            boundaries["name"].astype(str).to_numpy(),
            strict=True,
        )
    )
    attrs = region.attrs if region is not None else dict(getattr(boundaries, "attrs", {}) or {})
    codes: list[str | None] = []
    notes: list[str | None] = []
    for value in uniques:
        text = str(value)
        if not text.strip():
            codes.append(None)
            notes.append(None)
            continue
        code, note = _resolve_one(text, by_code, by_name, name_of, attrs)
        codes.append(code)
        notes.append(note)
    positions = np.asarray(positions, dtype=np.int64)
    return pd.DataFrame(
        {
            "code": _str_column(np.array(codes, dtype=object), positions, values.index),
            "suggestion": _str_column(np.array(notes, dtype=object), positions, values.index),
        },
        index=values.index,
    )
