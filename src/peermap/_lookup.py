"""Lookups from a dataset's ids to authorities, and its tables in id order, for analysis."""

from __future__ import annotations

import pandas as pd

from peermap.dataset import Dataset
from peermap.exceptions import ValidationError
from peermap.schema import is_online


def home(ds: Dataset) -> pd.Series:
    """Look up the home authority of each young person, indexed by ``person_id``."""
    return pd.Series(
        ds.people["home_authority"].to_numpy(dtype=object),
        index=ds.people["person_id"].to_numpy(dtype=object),
    )


def place_authority(ds: Dataset) -> pd.Series:
    """Look up the authority of each place, indexed by ``place_id`` (error without one)."""
    if "authority_code" not in ds.places:
        raise ValidationError(
            "places have no authority: read the dataset with boundaries "
            "(peermap.read_dataset(..., boundaries=...)) or call peermap.assign_authorities"
        )
    return pd.Series(
        ds.places["authority_code"].to_numpy(dtype=object),
        index=ds.places["place_id"].to_numpy(dtype=object),
    )


def reach_authority(ds: Dataset) -> pd.Series:
    """Look up the authority each place stands in when its reach is measured.

    A venue's own authority; for an online place (schema 1.1), which has none, the
    home authority of most of the young people recorded there (the lowest code on a
    tie), so that reach across authorities counts its members' home authorities as it
    counts a venue's visitors from elsewhere. Indexed by ``place_id``; missing where a
    place has no authority and no one recorded there has a home authority.
    """
    at = place_authority(ds)
    online = is_online(ds.places["kind"]).to_numpy()
    if not online.any() or ds.sightings.empty:
        return at
    online_ids = ds.places["place_id"].to_numpy(dtype=object)[online]
    s = ds.sightings[ds.sightings["place_id"].isin(online_ids)]
    members = pd.DataFrame(
        {
            "place": s["place_id"].to_numpy(dtype=object),
            "home": home(ds).reindex(s["person_id"].to_numpy()).to_numpy(dtype=object),
            "person": s["person_id"].to_numpy(dtype=object),
        }
    ).dropna()
    if members.empty:
        return at
    base = most_common_home(members, ["place"])
    out = at.copy()
    out.loc[base.index] = base.to_numpy(dtype=object)
    return out


def in_id_order(ds: Dataset) -> Dataset:
    """Give ``ds`` with its young people and places in the order of their ids.

    Graphs number their nodes in table order, and what a seeded method makes of a graph
    (communities, betweenness from a sample of sources) depends on the order of its
    nodes: the same records exported, or merged, in another order gave other contexts
    and another top 10 with the same seed. In the order of their ids they give the
    same. Ties and sightings are counted by id. ``ds`` itself when already in order.
    """
    people, places = ds.people, ds.places
    in_order = [
        frame[column].astype(str).is_monotonic_increasing
        for frame, column in ((people, "person_id"), (places, "place_id"))
    ]
    if all(in_order):
        return ds
    return ds.replace(
        people=people.sort_values("person_id", key=lambda c: c.astype(str), kind="stable"),
        places=places.sort_values("place_id", key=lambda c: c.astype(str), kind="stable"),
    )


def most_common_home(members: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Return the home authority of most of the young people of each group of ``keys``.

    ``members`` has the ``keys`` columns, ``person`` and ``home`` (rows without a home
    are passed over, and a young person counts once per group). The lowest code wins a
    tie. Indexed by ``keys``.
    """
    members = members.dropna().drop_duplicates([*keys, "person"])
    counts = members.groupby([*keys, "home"]).size().reset_index(name="n")
    order = [True] * len(keys) + [False, True]
    counts = counts.sort_values([*keys, "n", "home"], ascending=order)
    return counts.drop_duplicates(keys).set_index(keys)["home"]
