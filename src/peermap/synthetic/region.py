"""A scenario's frame: the authorities and the calendar of its period.

:class:`Region` holds the authorities' weights, centroid distances, neighbours and the
gravity model between them; :class:`Calendar` the days of the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from peermap import settings
from peermap.exceptions import ArgumentError, BoundaryError, CRSError
from peermap.synthetic.constants import DISTANCE_FLOOR_KM
from peermap.synthetic.sampling import BoolArray, FloatArray

__all__: list[str] = []


@dataclass
class Region:
    """The authorities, sorted by code, and the gravity model between them."""

    codes: npt.NDArray[np.object_]
    geoms: npt.NDArray[np.object_]
    weight: FloatArray  # normalised, sums to 1
    dist_km: FloatArray  # centroid distances
    neighbour: BoolArray  # K x K, False on the diagonal
    gravity: FloatArray  # K x K, w_j / max(d_ij, floor)^beta, 0 on the diagonal

    @property
    def k(self) -> int:
        """How many authorities."""
        return len(self.codes)


def make_region(boundaries: gpd.GeoDataFrame, weight: str | None, beta: float) -> Region:
    """Check the boundaries and derive the authorities' weights, distances and gravity."""
    from peermap.boundaries import authority_graph

    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise ArgumentError(
            f"boundaries must be a GeoDataFrame from peermap.load_boundaries, got "
            f"{type(boundaries).__name__}"
        )
    missing = [c for c in ("code", "name") if c not in boundaries.columns]
    if missing:
        raise BoundaryError(
            f"boundaries lack column(s) {missing}: read them with peermap.load_boundaries"
        )
    if len(boundaries) == 0:
        raise BoundaryError("boundaries hold no authority")
    if boundaries.crs is None:
        raise CRSError("boundaries have no CRS: read them with peermap.load_boundaries")
    bounds = boundaries
    if not CRS.from_user_input(bounds.crs).equals(CRS.from_user_input(settings.metric_crs)):
        bounds = bounds.to_crs(settings.metric_crs)
    codes = bounds["code"].astype(str).to_numpy(dtype=object)
    if len(set(codes)) != len(codes):
        raise BoundaryError("boundaries have duplicate codes: read them with load_boundaries")
    order = np.argsort(codes.astype(str), kind="stable")
    bounds = bounds.iloc[order].reset_index(drop=True)
    codes = codes[order]
    geoms = np.asarray(bounds.geometry.values, dtype=object)
    area = shapely.area(geoms)
    if weight is None:
        w = np.asarray(area, dtype=float)
    else:
        if weight not in bounds.columns:
            raise ArgumentError(
                f"weight column {weight!r} is not in the boundaries; columns: "
                + ", ".join(str(c) for c in bounds.columns if c != bounds.geometry.name)
            )
        w = pd.to_numeric(bounds[weight], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(w).all() or (w < 0).any():
            raise ArgumentError(f"weight column {weight!r} must hold non-negative numbers")
    if w.sum() <= 0:
        raise ArgumentError("the weights of the authorities sum to zero")
    w = w / w.sum()
    centroids = shapely.centroid(geoms)
    cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
    dist = np.hypot(cx[:, None] - cx[None, :], cy[:, None] - cy[None, :]) / 1000.0
    graph = authority_graph(bounds)
    index = {c: i for i, c in enumerate(codes)}
    neighbour = np.zeros((len(codes), len(codes)), dtype=bool)
    for a, b in graph.edges():
        neighbour[index[a], index[b]] = neighbour[index[b], index[a]] = True
    gravity = w[None, :] / np.maximum(dist, DISTANCE_FLOOR_KM) ** beta
    np.fill_diagonal(gravity, 0.0)
    shapely.prepare(geoms)
    return Region(codes, geoms, w, dist, neighbour, gravity)


def mixture(region: Region, cross: float, allowed: BoolArray) -> FloatArray:
    """Row-stochastic K x K matrix: stay with ``1 - cross``, else gravity; only ``allowed``."""
    k = region.k
    g = region.gravity * allowed[None, :]
    totals = g.sum(axis=1)
    has_cross = totals > 0
    g = np.where(has_cross[:, None], g / np.where(has_cross, totals, 1.0)[:, None], 0.0)
    stay = np.where(allowed, 1.0 - cross, 0.0)
    stay = np.where(has_cross, stay, allowed.astype(float))
    m = g * (1.0 - stay)[:, None]
    m[np.arange(k), np.arange(k)] += stay
    dead = m.sum(axis=1) <= 0
    if dead.any():  # nowhere allowed reachable by gravity: go to the nearest allowed
        if not allowed.any():
            raise ArgumentError("no authority is allowed as a destination")
        d = np.where(allowed[None, :], region.dist_km, np.inf)
        nearest = np.argmin(d, axis=1)
        for i in np.flatnonzero(dead):
            m[i, nearest[i]] = 1.0
    result: FloatArray = m / m.sum(axis=1, keepdims=True)
    return result


# --------------------------------------------------------------------------- dates


@dataclass
class Calendar:
    """The days of the period, as offsets from ``start`` and as ISO text."""

    start: dt.date
    n_days: int
    text: npt.NDArray[np.object_]

    @classmethod
    def of(cls, start: dt.date, end: dt.date) -> Calendar:
        """Make the calendar from ``start`` to ``end``, inclusive."""
        days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
        text = np.asarray(np.datetime_as_string(days, unit="D"), dtype=object)
        return cls(start, len(days), text)

    def day(self, offset: int) -> dt.date:
        """Return the date ``offset`` days after ``start``."""
        return self.start + dt.timedelta(days=int(offset))
