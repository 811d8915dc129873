"""How many children's cases a venue's excess rests on (the breadth of the concern score).

``peermap.ranking.breadth`` halves the concern of a venue whose excess rests on one
young person. Counting the young people it rests on counted a young person who exploits
another there as a second child: a groomer recorded at his own home with the girl he
grooms made two, and the address ranked with places where several children are harmed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["venue_cases"]


def venue_cases(
    n_places: int,
    place: npt.NDArray[np.intp],
    person: npt.NDArray[np.intp],
    tie_a: npt.NDArray[np.intp],
    tie_b: npt.NDArray[np.intp],
) -> npt.NDArray[np.intp]:
    """Young people a venue's excess rests on, its exploiters of others there left out.

    One young person exploiting another at an address and the one exploited are one
    child's case, not two (a groomer recorded at his own home with the girl he grooms):
    the one on the exploiting side of an exploiter tie whose exploited young person
    rests on the same venue is not counted, unless someone there exploits him too. A
    venue resting on anyone counts at least one.

    Parameters
    ----------
    n_places : int
        Number of places (positions ``0 .. n_places - 1``).
    place, person : numpy.ndarray
        Positions of each (place, young person) the excess rests on.
    tie_a, tie_b : numpy.ndarray
        Positions of the exploiting and the exploited young person of each exploiter
        tie (-1 where unknown).

    Returns
    -------
    numpy.ndarray
        The count per place.
    """
    rest = pd.DataFrame({"place": place, "person": person}).drop_duplicates()
    known = (tie_a >= 0) & (tie_b >= 0)
    ties = pd.DataFrame({"a": tie_a[known], "b": tie_b[known]})
    pairs = rest.merge(ties, left_on="person", right_on="a").merge(
        rest, left_on=["place", "b"], right_on=["place", "person"], suffixes=("", "_b")
    )
    exploiting = pairs[["place", "a"]].drop_duplicates().rename(columns={"a": "who"})
    exploited = pairs[["place", "b"]].drop_duplicates().rename(columns={"b": "who"})
    only = exploiting.merge(exploited, on=["place", "who"], how="left", indicator=True)
    only = only[only["_merge"] == "left_only"]
    counts = np.bincount(rest["place"].to_numpy(dtype=np.intp), minlength=n_places)
    dropped = np.bincount(only["place"].to_numpy(dtype=np.intp), minlength=n_places)
    out: npt.NDArray[np.intp] = np.maximum(counts - dropped, np.minimum(counts, 1)).astype(np.intp)
    return out
