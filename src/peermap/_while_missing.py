"""Where young people are seen while they are missing: a venue's third stream of evidence.

A child reported missing is looked for, and where they are found, or seen while away, is
among the first things a return interview and a missing-person strategy meeting ask: a
hotel where missing girls are found, a flat where missing boys turn up. The records
seldom say so in their kind of harm: the episode is recorded where the child went
missing from (home, a children's home), and the place they were seen records a welfare
check, a stop or a note of kind "other". :func:`seen_while_missing` puts the two
together: a young person seen at a place within :data:`peermap.ranking.MISSING_DAYS` of
a missing-episode record of theirs at another place. The venues' score judges how many
young people are seen so at a place against its footfall, as it judges exploiter ties
that meet there (:mod:`peermap.ranking`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap.ranking import MISSING_DAYS, reliability_weight

__all__ = ["VISIT_COLUMNS", "missing_visits", "seen_while_missing"]

#: The columns of :func:`missing_visits`, in the order :func:`seen_while_missing` takes.
VISIT_COLUMNS = ("person", "place", "day", "weight", "missing")


def seen_while_missing(
    person: npt.NDArray[np.intp],
    place: npt.NDArray[np.intp],
    day: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64],
    missing: npt.NDArray[np.bool_],
    *,
    within_days: int = MISSING_DAYS,
) -> pd.DataFrame:
    """Where each young person is seen near the time of a missing episode recorded elsewhere.

    Parameters
    ----------
    person, place, day : numpy.ndarray
        Positions of the young person and the place, and the day (an integer day
        number) of each record; repeats are fine.
    weight : numpy.ndarray
        The reliability weight of each record.
    missing : numpy.ndarray
        Whether each record is of a missing episode.
    within_days : int, default :data:`peermap.ranking.MISSING_DAYS`
        How many days from the missing-episode record the young person may be seen:
        a record is dated the day it is made, the day of the report or of the return,
        so a day either side may fall in the episode.

    Returns
    -------
    pandas.DataFrame
        ``person``, ``place``, ``weight``: one row per (person, place) where the young
        person is seen (a record of any kind, a missing episode too) within
        ``within_days`` of a missing-episode record of theirs at another place, sorted by
        person, then place. ``weight`` is the largest, over such pairs of records, of the
        weaker of the two records' reliability weights: that they were seen there and
        that they were missing must both hold.
    """
    rows = pd.DataFrame(
        {
            "person": np.asarray(person, dtype=np.intp),
            "place": np.asarray(place, dtype=np.intp),
            "day": np.asarray(day, dtype=np.int64),
            "weight": np.asarray(weight, dtype=np.float64),
        }
    )
    empty = pd.DataFrame(
        {"person": np.zeros(0, np.intp), "place": np.zeros(0, np.intp), "weight": np.zeros(0)}
    )
    flagged = np.asarray(missing, dtype=bool)
    if not flagged.any():
        return empty
    # Each missing-episode record stands for the days around it; a record of the same
    # young person on one of those days at another place is a sighting while missing.
    by_record = rows[flagged].groupby(["person", "place", "day"], sort=False)["weight"]
    away = by_record.max().reset_index()
    shift = np.arange(-within_days, within_days + 1, dtype=np.int64)
    spread = away.loc[away.index.repeat(len(shift))].reset_index(drop=True)
    spread["day"] = spread["day"].to_numpy() + np.tile(shift, len(away))
    spread = spread.groupby(["person", "day", "place"], sort=False)["weight"].max().reset_index()
    rows = rows[np.isin(rows["person"].to_numpy(), away["person"].unique())]
    seen = rows.groupby(["person", "day", "place"], sort=False)["weight"].max().reset_index()
    both = seen.merge(spread, on=["person", "day"], suffixes=("", "_away"))
    both = both[both["place"].to_numpy() != both["place_away"].to_numpy()]
    if both.empty:
        return empty
    both["weight"] = np.minimum(both["weight"].to_numpy(), both["weight_away"].to_numpy())
    out = both.groupby(["person", "place"], sort=True)["weight"].max().reset_index()
    result: pd.DataFrame = out.astype({"person": np.intp, "place": np.intp, "weight": np.float64})
    return result


def missing_visits(
    who: npt.NDArray[np.intp],
    where: npt.NDArray[np.intp],
    s: pd.DataFrame,
    away: npt.NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """Give the records of sightings ``s`` of the young people with a missing episode in it.

    ``who``, ``where``: the records' positions of young person and place (-1: none).
    ``away``: per young person (position), whether they have a missing-episode record
    in the selection; by default, in ``s`` (a part of the selection needs the whole's).
    Returns ``person``, ``place``, ``day`` (days since 1970), ``weight`` (reliability
    weight) and ``missing`` (a missing-episode record): what :func:`seen_while_missing`
    takes, for the records that can count (dated, of a known young person and place).
    """
    day = np.asarray(s["date"].to_numpy(), dtype="datetime64[ns]").astype("datetime64[D]")
    missing = s["context"].to_numpy(dtype=object) == "missing_episode"
    ok = ~np.isnat(day) & (who >= 0) & (where >= 0)
    if away is None:
        away = np.zeros(int(who.max()) + 1 if len(who) else 0, dtype=bool)
        away[who[ok & missing]] = True
    keep = ok & away[np.maximum(who, 0)]
    weight = reliability_weight(s["reliability"][keep]) if keep.any() else np.zeros(0)
    return pd.DataFrame(
        {
            "person": np.asarray(who, dtype=np.intp)[keep],
            "place": np.asarray(where, dtype=np.intp)[keep],
            "day": day[keep].astype(np.int64),
            "weight": np.asarray(weight, dtype=np.float64),
            "missing": missing[keep],
        }
    )
