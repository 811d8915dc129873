"""Lookups from a dataset's ids to authorities, shared by the analysis modules."""

from __future__ import annotations

import pandas as pd

from peermap.dataset import Dataset


def home(ds: Dataset) -> pd.Series:
    """Look up the home authority of each young person, indexed by ``person_id``."""
    return pd.Series(
        ds.people["home_authority"].to_numpy(dtype=object),
        index=ds.people["person_id"].to_numpy(dtype=object),
    )


def place_authority(ds: Dataset) -> pd.Series:
    """Look up the authority of each place, indexed by ``place_id`` (error without one)."""
    if "authority_code" not in ds.places:
        raise ValueError(
            "places have no authority: read the dataset with boundaries "
            "(peermap.read_dataset(..., boundaries=...)) or call peermap.assign_authorities"
        )
    return pd.Series(
        ds.places["authority_code"].to_numpy(dtype=object),
        index=ds.places["place_id"].to_numpy(dtype=object),
    )
