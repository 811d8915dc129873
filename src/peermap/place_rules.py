"""The rule of online places (schema 1.1), as the reader applies it.

An online place (``kind`` in :data:`peermap.schema.ONLINE_PLACE_KINDS`: a group chat,
a platform) has no location and no authority: coordinates given for it are an error,
and a ``platform`` given for a physical place is an error. Physical places still need
coordinates (:func:`peermap.read_dataset` checks that). The columns and kinds come from
:mod:`peermap.schema` (:data:`~peermap.schema.LOCATION_COLUMNS`,
:data:`~peermap.schema.ONLINE_ONLY_COLUMNS`), so the rule follows the schema.
"""

from __future__ import annotations

from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from peermap import settings
from peermap.schema import (
    LOCATION_COLUMNS,
    ONLINE_ONLY_COLUMNS,
    ONLINE_PLACE_KINDS,
    PLACE_KINDS,
    is_online,
    normalise_enum_value,
)


class ParsedPlaces(Protocol):
    """What the rule reads of a parsed places table (``peermap._parsing.ParsedTable``)."""

    check: Any
    columns: dict[str, pd.Series]


__all__ = ["all_online", "check_online_places", "place_geometry"]


def all_online(frame: pd.DataFrame) -> bool:
    """Whether every row of a raw places table is an online place (it needs no location columns).

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table, cells as text, columns normalised.
    """
    if "kind" not in frame or frame.empty:
        return False
    kinds = frame["kind"].astype(str).map(lambda v: normalise_enum_value(v, allowed=PLACE_KINDS))
    return bool(kinds.isin(ONLINE_PLACE_KINDS).all())


def check_online_places(p: ParsedPlaces) -> pd.Series:
    """Flag coordinates of online places and online-only cells of physical places.

    Parameters
    ----------
    p : ParsedPlaces
        The parsed places table (its checker records the problems).

    Returns
    -------
    pandas.Series
        Boolean, by row: whether the row is an online place (such a row needs no
        location).
    """
    frame: pd.DataFrame = p.check.raw.frame
    kind = p.columns.get("kind")
    if kind is None:
        return pd.Series(False, index=frame.index)
    online = is_online(kind.reindex(frame.index))

    def filled(name: str) -> pd.Series:
        if name not in frame:
            return pd.Series(False, index=frame.index)
        given: pd.Series = frame[name].astype(str).str.strip() != ""
        return given

    for column in LOCATION_COLUMNS:
        p.check.flag(
            online & filled(column),
            column,
            frame[column] if column in frame else pd.Series("", index=frame.index),
            "an online place has no location: leave lon, lat, easting and northing empty "
            "(or give the place a physical kind)",
            "online_location",
        )
    for column in ONLINE_ONLY_COLUMNS:
        p.check.flag(
            ~online & filled(column),
            column,
            frame[column] if column in frame else pd.Series("", index=frame.index),
            f"'{column}' is for online places only (kind 'online'); leave it empty here",
            "online_only",
        )
    return online


def place_geometry(frame: pd.DataFrame) -> gpd.array.GeometryArray:
    """Return the places' points in British National Grid: none for online places.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typed places with ``kind``, ``easting`` and ``northing``.

    Returns
    -------
    geopandas.array.GeometryArray
        A point per physical place; a missing geometry (not an empty point) for an
        online place, so GeoPackages store it as null and assignment skips it.
    """
    geometry = gpd.points_from_xy(frame["easting"], frame["northing"], crs=settings.metric_crs)
    online = is_online(frame["kind"]).to_numpy()
    if online.any():
        geometry[np.flatnonzero(online)] = None
    return geometry
