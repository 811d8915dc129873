"""Shared fixtures.

Tests that need the real ONS boundary files read them from ``../shared/boundaries/``
(beside the repository checkout) and skip with a clear reason when it is absent.
Set ``PEERMAP_SHARED_BOUNDARIES`` to point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED_BOUNDARIES = Path(
    os.environ.get("PEERMAP_SHARED_BOUNDARIES", REPO.parent / "shared" / "boundaries")
)
LAD_2024 = SHARED_BOUNDARIES / "ons_lad_2024_england_buc.geojson"
LAD_2013 = SHARED_BOUNDARIES / "ons_lad_2013_england.topojson"


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(
            f"real ONS boundary file {path.name} not found in {SHARED_BOUNDARIES} "
            "(see ../shared/boundaries/README.md; set PEERMAP_SHARED_BOUNDARIES to its folder)"
        )
    return path


@pytest.fixture(scope="session")
def lad_2024_path() -> Path:
    """Path of the real 2024 ultra-generalised England LAD GeoJSON."""
    return _need(LAD_2024)


@pytest.fixture(scope="session")
def lad_2013_path() -> Path:
    """Path of the real 2013 England LAD TopoJSON (no CRS declared, broken rings)."""
    return _need(LAD_2013)


@pytest.fixture()
def data_dir() -> Path:
    """Folder of small hand-written fixtures."""
    return DATA
