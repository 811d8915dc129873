"""How far a context reaches: single, neighbours or distant (a county-lines pattern).

See :func:`peermap.contexts` (``reach``) and ``docs/analysis.md`` ("Reach").
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap._lookup import most_common_home
from peermap.dataset import Dataset
from peermap.schema import is_online

__all__ = [
    "DISTANT_MIN_PEOPLE",
    "DISTANT_MIN_SHARE",
    "EXPLOITATION_CONTEXTS",
    "online_stand_in",
    "reach_of",
    "standing_authority",
]


#: A context is ``distant`` when at least this many of its young people link the same
#: two authorities that do not border each other (independent evidence of one route) ...
DISTANT_MIN_PEOPLE = 2


#: ... and they are at least this share of its young people whose links cross authorities,
#: or at least DISTANT_MIN_PEOPLE of them link that pair by exploitation records at one
#: place far away (:data:`EXPLOITATION_CONTEXTS`: the county-line address), or by
#: exploiter ties. Or at least DISTANT_MIN_PEOPLE young people, from any authorities
#: that do not border it, have exploitation records at one address (a city's county
#: line draws its runners from several of its boroughs).
DISTANT_MIN_SHARE = 0.2


#: Records that make a distant route an exploitation route: a county-lines pattern even
#: when the route's young people are few among a large context's visitors elsewhere.
EXPLOITATION_CONTEXTS: tuple[str, ...] = ("cse", "cce", "missing_episode")


def reach_of(
    links: pd.DataFrame, n_contexts: int, graph: nx.Graph | None
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Classify each context's reach from its links.

    ``links`` has columns ``ctx``, ``person``, ``a``, ``b``, ``exploitation`` and
    ``place`` (the place's position for a sighting, -1 for a tie).
    Returns the reach labels, the longest link in km and the young people with a
    link between non-neighbours, per context.
    """
    reach = ["single"] * n_contexts
    far_km = np.zeros(n_contexts)
    distant_people = np.zeros(n_contexts, dtype=np.int64)
    crossing = links[links["a"] != links["b"]].drop_duplicates()
    if crossing.empty:
        return reach, far_km, distant_people
    if graph is None:
        for ctx in set(crossing["ctx"].tolist()):
            reach[int(ctx)] = "unknown"
        far_km[:] = np.nan
        return reach, far_km, distant_people
    pairs = crossing[["a", "b"]].drop_duplicates()
    known = [a in graph and b in graph for a, b in zip(pairs["a"], pairs["b"], strict=True)]
    neighbour = [
        ok and graph.has_edge(a, b) for ok, a, b in zip(known, pairs["a"], pairs["b"], strict=True)
    ]
    km = [
        math.hypot(
            graph.nodes[b]["centroid_bng"][0] - graph.nodes[a]["centroid_bng"][0],
            graph.nodes[b]["centroid_bng"][1] - graph.nodes[a]["centroid_bng"][1],
        )
        / 1000.0
        if ok
        else math.nan
        for ok, a, b in zip(known, pairs["a"], pairs["b"], strict=True)
    ]
    pairs = pairs.assign(known=known, neighbour=neighbour, km=km)
    crossing = crossing.merge(pairs, on=["a", "b"], how="left")
    per = crossing.groupby("ctx")
    unknown = per["known"].all()
    far_km_s = per["km"].max()
    people_crossing = per["person"].nunique()
    far = crossing[crossing["known"] & ~crossing["neighbour"]]
    lo = np.where(
        far["a"].to_numpy(dtype=object) < far["b"].to_numpy(dtype=object), far["a"], far["b"]
    )
    hi = np.where(
        far["a"].to_numpy(dtype=object) < far["b"].to_numpy(dtype=object), far["b"], far["a"]
    )
    far = far.assign(lo=lo, hi=hi)
    per_pair = far.groupby(["ctx", "lo", "hi"])["person"].nunique()
    n_far = per_pair.groupby(level=0).max() if len(per_pair) else pd.Series(dtype=int)
    exploited = far[far["exploitation"].astype(bool)]
    # One route: the same pair of authorities and the same place (an address far away),
    # not scattered records of missing episodes that happen to fall in one authority.
    per_pair_x = exploited.groupby(["ctx", "lo", "hi", "place"])["person"].nunique()
    n_far_x = per_pair_x.groupby(level=0).max() if len(per_pair_x) else pd.Series(dtype=int)
    # ... or the same address reached from authorities that do not border it, whichever
    # they are: a county line from a city draws its runners from several of its
    # boroughs, each a pair of its own with the county town (young people recorded for
    # exploitation at one address far from home, each the only one of their borough).
    at_address = exploited[exploited["place"] >= 0]
    per_address = at_address.groupby(["ctx", "place"])["person"].nunique()
    n_address = per_address.groupby(level=0).max() if len(per_address) else pd.Series(dtype=int)
    for ctx in people_crossing.index:
        i = int(ctx)
        if not unknown[ctx]:
            reach[i] = "unknown"
            far_km[i] = math.nan
            continue
        far_km[i] = round(float(far_km_s[ctx]), 1)
        k = int(n_far.get(ctx, 0))
        share = k / max(int(people_crossing[ctx]), 1)
        exploited_route = int(n_far_x.get(ctx, 0)) >= DISTANT_MIN_PEOPLE
        address = int(n_address.get(ctx, 0))
        distant = k >= DISTANT_MIN_PEOPLE and (share >= DISTANT_MIN_SHARE or exploited_route)
        distant = distant or address >= DISTANT_MIN_PEOPLE
        distant_people[i] = max(k, address)
        reach[i] = "distant" if distant else "neighbours"
    return reach, far_km, distant_people


def online_stand_in(
    ds: Dataset, place_index: pd.Index, linked: pd.DataFrame, homes: npt.NDArray[np.object_]
) -> pd.Series:
    """Where each context's online places stand for its reach: its own members' homes.

    An online place has no authority: for a context's reach it stands in the home
    authority of most of *that context's* young people recorded there (the lowest code
    on a tie), so that reach counts the members' home authorities. The place's usual
    stand-in (most of all its members, :func:`peermap._lookup.reach_authority`) is no
    home of a group that meets in a borough-wide gaming server: a Barnet group's five
    members there were linked to Croydon, where 16 of its 97 users live, and the group
    read "reaching distant authorities (up to 30 km)".
    Indexed by (context, place position).
    """
    online = is_online(ds.places.set_index("place_id")["kind"].reindex(place_index))
    rows = linked[online.to_numpy(dtype=bool)[linked["place"].to_numpy(dtype=np.intp)]]
    members = pd.DataFrame(
        {
            "ctx": rows["ctx"].to_numpy(dtype=np.int64),
            "place": rows["place"].to_numpy(dtype=np.int64),
            "person": rows["person"].to_numpy(dtype=np.int64),
            "home": homes[rows["person"].to_numpy(dtype=np.intp)],
        }
    )
    return most_common_home(members, ["ctx", "place"])


def standing_authority(
    stand_in: pd.Series, frame: pd.DataFrame, auths: npt.NDArray[np.object_]
) -> npt.NDArray[np.object_]:
    """Each row's place authority for reach: a context's own stand-in for online places."""
    place = frame["place"].to_numpy(dtype=np.intp)
    out: npt.NDArray[np.object_] = auths[place]
    if len(stand_in) and len(place):
        keys = pd.MultiIndex.from_arrays([frame["ctx"].to_numpy(dtype=np.int64), place])
        found = stand_in.reindex(keys).to_numpy(dtype=object)
        out = np.where(pd.notna(found), found, out)
    return out
