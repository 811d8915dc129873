"""Relocations: what follows a move into another authority, and host notifications.

The method is described in ``docs/analysis.md``.
"""

from __future__ import annotations

import itertools

import pandas as pd

from peermap import _lookup
from peermap.dataset import Dataset

__all__ = ["host_notifications", "relocation_exposure", "relocations_received"]


def relocation_exposure(ds: Dataset) -> pd.DataFrame:
    """Measure what follows each relocation in the receiving authority.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries so that places have authorities).

    Returns
    -------
    pandas.DataFrame
        One row per relocation: ``person_id``, ``from_authority``, ``to_authority``,
        ``date``, ``kind``; ``ties_after`` (ties first seen on or after the move with
        young people homed in the receiving authority); ``places_after`` (distinct
        places in the receiving authority where the young person was seen on or after
        the move); ``contexts_after`` (sorted abuse contexts of those sightings);
        ``kept_home_ties`` (a tie with someone homed in the sending authority still
        active on or after the move).
    """
    r = ds.relocations.reset_index(drop=True)
    home = _lookup.home(ds)
    place_auth = (
        _lookup.place_authority(ds) if "authority_code" in ds.places else pd.Series(dtype=object)
    )
    t = ds.ties
    both = pd.concat(
        [
            pd.DataFrame(
                {
                    "person": t["person_a"],
                    "other": t["person_b"],
                    "first": t["first_seen"],
                    "end": t["last_seen"].fillna(t["first_seen"]),
                }
            ),
            pd.DataFrame(
                {
                    "person": t["person_b"],
                    "other": t["person_a"],
                    "first": t["first_seen"],
                    "end": t["last_seen"].fillna(t["first_seen"]),
                }
            ),
        ],
        ignore_index=True,
    )
    both["other_home"] = home.reindex(both["other"].to_numpy()).to_numpy(dtype=object)
    s = ds.sightings.assign(
        place_auth=place_auth.reindex(ds.sightings["place_id"].to_numpy()).to_numpy(dtype=object)
    )
    ties_after, places_after, contexts_after, kept = [], [], [], []
    for move in r.itertuples(index=False):
        mine = both[both["person"] == move.person_id]
        new = mine[(mine["first"] >= move.date) & (mine["other_home"] == move.to_authority)]
        ties_after.append(len(new))
        old = mine[(mine["end"] >= move.date) & (mine["other_home"] == move.from_authority)]
        kept.append(bool(len(old)))
        seen = s[
            (s["person_id"] == move.person_id)
            & (s["date"] >= move.date)
            & (s["place_auth"] == move.to_authority)
        ]
        places_after.append(int(seen["place_id"].nunique()))
        contexts_after.append(sorted(set(seen["context"])))
    out = r[["person_id", "from_authority", "to_authority", "date", "kind"]].copy()
    out["ties_after"] = pd.Series(ties_after, dtype=int)
    out["places_after"] = pd.Series(places_after, dtype=int)
    out["contexts_after"] = contexts_after
    out["kept_home_ties"] = pd.Series(kept, dtype=bool)
    return out


def relocations_received(ds: Dataset) -> pd.DataFrame:
    """Per receiving authority: young people received, from where, and what followed.

    Parameters
    ----------
    ds : Dataset
        The dataset.

    Returns
    -------
    pandas.DataFrame
        ``authority``, ``received`` (distinct young people), ``relocations``,
        ``from_authorities`` (sorted list), ``ties_after``, ``places_after`` (sums over
        relocations), ``contexts_joined`` (sorted list); most received first.
    """
    exposure = relocation_exposure(ds)
    columns = [
        "authority",
        "received",
        "relocations",
        "from_authorities",
        "ties_after",
        "places_after",
        "contexts_joined",
    ]
    if exposure.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rows = []
    for authority, group in exposure.groupby("to_authority", sort=True):
        rows.append(
            {
                "authority": authority,
                "received": group["person_id"].nunique(),
                "relocations": len(group),
                "from_authorities": sorted(set(group["from_authority"])),
                "ties_after": int(group["ties_after"].sum()),
                "places_after": int(group["places_after"].sum()),
                "contexts_joined": sorted(set(itertools.chain(*group["contexts_after"]))),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(
        ["received", "authority"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def host_notifications(ds: Dataset, authority: str) -> pd.DataFrame:
    """Build the notification table a receiving (host) authority can be sent.

    Host authorities must be told of placements into their area. The table carries
    pseudonyms only.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    authority : str
        The receiving authority's code (as in ``to_authority``).

    Returns
    -------
    pandas.DataFrame
        ``person_id`` (pseudonym), ``date``, ``from_authority``, ``kind``, ``age``,
        ``looked_after``, sorted by date.
    """
    r = ds.relocations[ds.relocations["to_authority"] == authority]
    people = ds.people.set_index("person_id")
    out = pd.DataFrame(
        {
            "person_id": r["person_id"].to_numpy(dtype=object),
            "date": r["date"].to_numpy(),
            "from_authority": r["from_authority"].to_numpy(dtype=object),
            "kind": r["kind"].to_numpy(dtype=object),
            "age": people["age"].reindex(r["person_id"].to_numpy()).to_numpy(),
            "looked_after": people["looked_after"].reindex(r["person_id"].to_numpy()).to_numpy(),
        }
    )
    return out.sort_values(["date", "person_id"], kind="stable").reset_index(drop=True)
