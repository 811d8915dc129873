"""Measures per authority and per venue that views draw: exact counts, no disclosure rule.

The analysis layer computes; views (:mod:`peermap.views`) apply the audience's rule
(:class:`peermap.disclosure.Audience`) and draw. The measures here are the ones a map
shades authorities by (:data:`AUTHORITY_MEASURES`) and the venue figures behind its
hotspot markers:

- :func:`people_seen`: distinct young people seen at places in each authority, and how
  many of them live in another authority;
- :func:`relocated_into`: distinct young people relocated into each authority (as
  :func:`peermap.relocations_received` counts them);
- :func:`venue_stats`: per place, distinct young people, sightings, how many of them
  live in another authority and the abuse contexts most recorded there.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import pandas as pd

from peermap._arguments import dataset_argument
from peermap.cell_keys import cell_keys, record_keys, sighting_keys
from peermap.dataset import Dataset
from peermap.exceptions import ValidationError
from peermap.filters import DateLike, Window, filter_sightings, select
from peermap.relocations import relocations_received

__all__ = [
    "AUTHORITY_MEASURES",
    "AuthorityMeasure",
    "people_seen",
    "relocated_into",
    "relocated_into_keys",
    "venue_stats",
]

AuthorityMeasure = Literal["people_seen", "cross_border_share", "relocations_received"]
#: What authorities can be shaded by: distinct young people seen at places there, the
#: share of them who live in another authority, distinct young people relocated into it.
AUTHORITY_MEASURES: Final[tuple[str, ...]] = get_args(AuthorityMeasure)


def people_seen(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Count the distinct young people seen at places in each authority.

    Parameters
    ----------
    ds : Dataset
        The dataset, with places assigned to authorities (read with boundaries).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give the keywords below.
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.

    Returns
    -------
    pandas.DataFrame
        Indexed by the authority code of the place (``authority_code``; authorities
        where nobody was seen are absent): ``people`` (distinct young people seen at
        places there) and ``from_elsewhere`` (of them, those whose home authority is
        another one or unknown), and the cell keys of both (``people_key``,
        ``from_elsewhere_key``: :mod:`peermap.cell_keys`), for the disclosure rule.

    Raises
    ------
    ValueError
        When the places have no authorities.
    """
    dataset_argument(ds, "people_seen")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    if "authority_code" not in ds.places:
        raise ValidationError("places have no authorities (read the dataset with boundaries=...)")
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    place_auth = ds.places.set_index("place_id")["authority_code"]
    home = ds.people.set_index("person_id")["home_authority"]
    seen = pd.DataFrame(
        {
            "auth": place_auth.reindex(s["place_id"].to_numpy()).to_numpy(dtype=object),
            "person": s["person_id"].to_numpy(dtype=object),
        }
    ).drop_duplicates()
    seen["away"] = home.reindex(seen["person"].to_numpy()).to_numpy(dtype=object) != seen[
        "auth"
    ].to_numpy(dtype=object)
    seen["key"] = record_keys(seen["person"].to_numpy(dtype=object))
    grouped = seen.groupby("auth")
    away = seen[seen["away"].to_numpy(dtype=bool)]
    out = pd.DataFrame({"people": grouped.size(), "from_elsewhere": grouped["away"].sum()})
    out["people_key"] = cell_keys(seen["auth"], seen["key"])
    out["from_elsewhere_key"] = cell_keys(away["auth"], away["key"]).reindex(out.index).fillna(0)
    out.index.name = "authority_code"
    return out.astype("int64")


def relocated_into(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
) -> pd.Series:
    """Count the distinct young people relocated into each authority.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give the keywords below.
    since, until : date or str, optional
        Count only the relocations dated within this window.

    Returns
    -------
    pandas.Series
        Distinct young people per receiving authority code (``received`` of
        :func:`peermap.relocations_received`); authorities that received nobody are
        absent.
    """
    dataset_argument(ds, "relocated_into")
    since, until, _ = Window.resolve(window, since, until)
    table = relocations_received(ds, since=since, until=until)
    received = pd.Series(
        table["received"].to_numpy(dtype="int64"),
        index=pd.Index(table["authority"].to_numpy(dtype=object), name="authority"),
        name="received",
    )
    return received


def relocated_into_keys(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
) -> pd.Series:
    """Return the cell key of the young people relocated into each authority.

    The key of the count :func:`relocated_into` gives (its distinct young people, by
    their pseudonyms: :mod:`peermap.cell_keys`), so that a public count of them carries
    its cell's noise. Indexed like :func:`relocated_into`; the same window.
    """
    dataset_argument(ds, "relocated_into_keys")
    since, until, _ = Window.resolve(window, since, until)
    moves = select(ds, Window(since, until)).relocations.drop_duplicates(
        ["to_authority", "person_id"]
    )
    return cell_keys(
        moves["to_authority"].astype(str), record_keys(moves["person_id"].astype(str))
    ).rename_axis("authority")


def venue_stats(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    top_contexts: int = 3,
    people: bool = False,
) -> pd.DataFrame:
    """Count, per place seen, the young people, sightings and contexts recorded there.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give the keywords below.
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.
    top_contexts : int, default 3
        Abuse contexts listed per place, most recorded first.
    people : bool, default False
        Also list the pseudonyms of the young people seen there (record level: for
        partnership views only).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``place_id`` (places with at least one sighting): ``people``
        (distinct young people), ``sightings``, ``away`` (of the young people, those
        whose home authority is not the place's, counted where the place's authority
        is known), ``known`` (young people counted where the place's authority is
        known), ``contexts`` (``[context, sightings]`` pairs, most first, ties broken
        by name), the cell keys of the four counts (``people_key``, ``sightings_key``,
        ``away_key``, ``known_key``: :mod:`peermap.cell_keys`) and, with ``people=True``,
        ``seen`` (sorted ``person_id`` values).
    """
    dataset_argument(ds, "venue_stats")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    home = ds.people.set_index("person_id")["home_authority"]
    places = ds.places.set_index("place_id")
    auth = (
        places["authority_code"]
        if "authority_code" in places
        else pd.Series(None, index=places.index, dtype=object)
    )
    frame = pd.DataFrame(
        {
            "place_id": s["place_id"].to_numpy(dtype=object),
            "person_id": s["person_id"].to_numpy(dtype=object),
            "context": s["context"].to_numpy(dtype=object),
        }
    )
    frame["home"] = home.reindex(frame["person_id"].to_numpy()).to_numpy(dtype=object)
    frame["auth"] = auth.reindex(frame["place_id"].to_numpy()).to_numpy(dtype=object)
    distinct = frame.drop_duplicates(["place_id", "person_id"])
    known = distinct["auth"].notna()
    away = (distinct["home"] != distinct["auth"]) & known
    stats = pd.DataFrame(
        {
            "people": distinct.groupby("place_id").size(),
            "sightings": frame.groupby("place_id").size(),
            "away": away.astype(int).groupby(distinct["place_id"]).sum(),
            "known": known.astype(int).groupby(distinct["place_id"]).sum(),
        }
    )
    person_key = record_keys(distinct["person_id"].to_numpy(dtype=object))
    place = distinct["place_id"]
    stats["people_key"] = cell_keys(place, person_key)
    stats["sightings_key"] = cell_keys(frame["place_id"], sighting_keys(s))
    for name, mask in (("away", away), ("known", known)):
        on = mask.to_numpy(dtype=bool)
        keyed = cell_keys(place[on], person_key[on]).reindex(stats.index).fillna(0)
        stats[f"{name}_key"] = keyed.astype("int64")
    top = (
        frame.groupby(["place_id", "context"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["place_id", "n", "context"], ascending=[True, False, True], kind="stable")
    )
    top = top.groupby("place_id").head(top_contexts)
    pairs: dict[str, list[list[object]]] = {}
    for place, context, n in zip(top["place_id"], top["context"], top["n"], strict=True):
        pairs.setdefault(str(place), []).append([str(context), int(n)])
    stats["contexts"] = pd.Series(pairs, dtype=object)
    if people:
        seen = {
            str(place): sorted(str(i) for i in ids)
            for place, ids in distinct.groupby("place_id")["person_id"]
        }
        stats["seen"] = pd.Series(seen, dtype=object)
    return stats
