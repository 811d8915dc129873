"""The real ONS boundaries the benchmarks run on, read the same way by each of them.

The files live in ``../shared/boundaries`` beside the checkout (or the folder
``$PEERMAP_SHARED_BOUNDARIES`` names); they are never copied into the repository.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import geopandas as gpd

import peermap

SHARED = Path(
    os.environ.get(
        "PEERMAP_SHARED_BOUNDARIES", Path(__file__).resolve().parents[2] / "shared" / "boundaries"
    )
)
LAD_2013 = SHARED / "ons_lad_2013_england.topojson"
LAD_2024 = SHARED / "ons_lad_2024_england_buc.geojson"


def england(path: Path = LAD_2013) -> gpd.GeoDataFrame | None:
    """Read one ONS file of all England's authorities, or say it is missing (``None``)."""
    if not path.is_file():
        print(f"needs the real ONS boundaries: {path} not found", file=sys.stderr)
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)  # "no CRS declared": known
        return peermap.load_boundaries(path)


def london() -> gpd.GeoDataFrame | None:
    """The 33 London boroughs (E09) of the 2013 file, or ``None`` when it is missing."""
    all_england = england(LAD_2013)
    if all_england is None:
        return None
    boroughs = all_england[all_england["code"].str.startswith("E09")].reset_index(drop=True)
    boroughs.attrs.update(all_england.attrs)
    return boroughs
