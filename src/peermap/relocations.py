"""Relocations: what follows a move into another authority, and host notifications.

The method is described in ``docs/analysis.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peermap import _lookup
from peermap._arguments import dataset_argument
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window

__all__ = ["host_notifications", "relocation_exposure", "relocations_received"]


def relocation_exposure(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
) -> pd.DataFrame:
    """Measure what follows each relocation in the receiving authority.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries so that places have authorities).
    window : Window, optional
        Which relocations count: those dated in the window (relocations carry no
        reliability grade); or give ``since`` and ``until``.
    since, until : date or str, optional
        Keep only the relocations dated within ``[since, until]`` (inclusive); default
        every relocation. What follows a kept move is measured over all the ties and
        sightings, whatever their date.

    Returns
    -------
    pandas.DataFrame
        One row per relocation, in the order of ``ds.relocations``: ``person_id``,
        ``from_authority``, ``to_authority``, ``date``, ``kind``; ``ties_after`` (ties
        first seen on or after the move with young people homed in the receiving
        authority); ``places_after`` (distinct places in the receiving authority where
        the young person was seen on or after the move); ``contexts_after`` (sorted
        abuse contexts of those sightings); ``kept_home_ties`` (a tie with someone homed
        in the sending authority still active on or after the move).

    Raises
    ------
    ValueError
        When ``since`` or ``until`` is not a date.

    Notes
    -----
    Computed with joins, not a scan per relocation: the relocations are joined to the
    ties (both ends) and the sightings of the young people moved, the joined rows
    filtered by date and authority, and the survivors counted per relocation.
    """
    dataset_argument(ds, "relocation_exposure")
    since, until, _ = Window.resolve(window, since, until)
    r = _moves(ds, since, until).reset_index(drop=True)
    n = len(r)
    moves = pd.DataFrame({"row": np.arange(n), "person": r["person_id"].to_numpy(dtype=object)})
    dates = r["date"].to_numpy()
    to_auth = r["to_authority"].to_numpy(dtype=object)
    from_auth = r["from_authority"].to_numpy(dtype=object)

    # Ties from either end, of the young people moved only, joined to their moves.
    t = ds.ties
    moved = r["person_id"].unique()
    end = t["last_seen"].fillna(t["first_seen"])
    sides = []
    for person, other in (("person_a", "person_b"), ("person_b", "person_a")):
        mine = t[person].isin(moved).to_numpy(dtype=bool)
        sides.append(
            pd.DataFrame(
                {
                    "person": t[person][mine],
                    "other": t[other][mine],
                    "first": t["first_seen"][mine],
                    "end": end[mine],
                }
            )
        )
    ties = moves.merge(pd.concat(sides, ignore_index=True), on="person")
    row = ties["row"].to_numpy(dtype=np.intp)
    other_home = _lookup.home(ds).reindex(ties["other"].to_numpy()).to_numpy(dtype=object)
    new = (ties["first"].to_numpy() >= dates[row]) & (other_home == to_auth[row])
    old = (ties["end"].to_numpy() >= dates[row]) & (other_home == from_auth[row])
    ties_after = np.bincount(row[new], minlength=n)
    kept = np.bincount(row[old], minlength=n) > 0

    # Sightings of the young people moved, joined to their moves.
    s = ds.sightings
    s = s[s["person_id"].isin(moved).to_numpy(dtype=bool)]
    place_auth = (
        _lookup.place_authority(ds).reindex(s["place_id"].to_numpy()).to_numpy(dtype=object)
        if "authority_code" in ds.places
        else np.full(len(s), np.nan, dtype=object)
    )
    seen = moves.merge(
        pd.DataFrame(
            {
                "person": s["person_id"].to_numpy(dtype=object),
                "place": s["place_id"].to_numpy(dtype=object),
                "place_auth": place_auth,
                "date": s["date"].to_numpy(),
                "context": s["context"].to_numpy(dtype=object),
            }
        ),
        on="person",
    )
    row = seen["row"].to_numpy(dtype=np.intp)
    after = (seen["date"].to_numpy() >= dates[row]) & (
        seen["place_auth"].to_numpy(dtype=object) == to_auth[row]
    )
    seen = seen[after]
    places_after = np.bincount(
        seen[["row", "place"]].drop_duplicates()["row"].to_numpy(dtype=np.intp), minlength=n
    )
    contexts: list[set[str]] = [set() for _ in range(n)]
    for i, context in zip(seen["row"].tolist(), seen["context"].tolist(), strict=True):
        contexts[i].add(context)

    out = r[["person_id", "from_authority", "to_authority", "date", "kind"]].copy()
    out["ties_after"] = pd.Series(ties_after, dtype=int)
    out["places_after"] = pd.Series(places_after, dtype=int)
    out["contexts_after"] = [sorted(c) for c in contexts]
    out["kept_home_ties"] = pd.Series(kept, dtype=bool)
    return out


def relocations_received(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
) -> pd.DataFrame:
    """Per receiving authority: young people received, from where, and what followed.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which relocations count: those dated in the window; or give ``since`` and
        ``until``.
    since, until : date or str, optional
        Count only the relocations dated within ``[since, until]`` (inclusive); default
        every relocation (see :func:`relocation_exposure`).

    Returns
    -------
    pandas.DataFrame
        ``authority``, ``received`` (distinct young people), ``relocations``,
        ``from_authorities`` (sorted list), ``ties_after``, ``places_after`` (sums over
        relocations), ``contexts_joined`` (sorted list); most received first.

    Raises
    ------
    ValueError
        When ``since`` or ``until`` is not a date.
    """
    dataset_argument(ds, "relocations_received")
    since, until, _ = Window.resolve(window, since, until)
    exposure = relocation_exposure(ds, since=since, until=until)
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
    grouped = exposure.groupby("to_authority", sort=True)
    sums = grouped[["ties_after", "places_after"]].sum()
    received = grouped["person_id"].nunique()
    sizes = grouped.size()
    froms: dict[str, set[str]] = {}
    joined: dict[str, set[str]] = {}
    for authority, origin, found in zip(
        exposure["to_authority"].tolist(),
        exposure["from_authority"].tolist(),
        exposure["contexts_after"].tolist(),
        strict=True,
    ):
        froms.setdefault(authority, set()).add(origin)
        joined.setdefault(authority, set()).update(found)
    rows = [
        {
            "authority": authority,
            "received": int(n_people),
            "relocations": int(n_moves),
            "from_authorities": sorted(froms[authority]),
            "ties_after": int(n_ties),
            "places_after": int(n_places),
            "contexts_joined": sorted(joined[authority]),
        }
        for authority, n_people, n_moves, n_ties, n_places in zip(
            sums.index.tolist(),
            received.tolist(),
            sizes.tolist(),
            sums["ties_after"].tolist(),
            sums["places_after"].tolist(),
            strict=True,
        )
    ]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(
        ["received", "authority"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def _moves(ds: Dataset, since: DateLike, until: DateLike) -> pd.DataFrame:
    """Return the relocations dated within ``[since, until]``."""
    r = ds.relocations
    keep = np.ones(len(r), dtype=bool)
    for value, name in ((since, "since"), (until, "until")):
        if value is None:
            continue
        try:
            bound = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"{name}={value!r} is not a date (use YYYY-MM-DD)") from exc
        dates = r["date"]
        keep &= (dates >= bound if name == "since" else dates <= bound).to_numpy(dtype=bool)
    return r[keep]


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
