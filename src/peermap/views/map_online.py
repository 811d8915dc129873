"""The online spaces layer: group chats and platforms, which have no place on a map.

An online place (schema 1.1) has no location, so the map never pretends it has one. It
is drawn as what it does across borders: a dashed line between two authorities for the
young people homed in them who are recorded in the same online space, and listed in the
layer's legend (the panel) with its counts. Both follow the audience's rule: a public
map draws a line, and lists a space, only about at least ``min_count`` young people,
with counts rounded by the cell key of those young people (:mod:`peermap.cell_keys`);
it names no space (a platform and counts only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import pandas as pd
import shapely

from peermap import settings
from peermap._plain_words import plural
from peermap.cell_keys import people_key
from peermap.dataset import Dataset
from peermap.filters import filter_sightings
from peermap.schema import is_online
from peermap.views.map_style import MapLayer, MapRequest, symbols

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ONLINE_COLOUR", "online_layer", "online_possible", "plot_online"]

#: Colour of the online spaces' lines (and of their legend).
ONLINE_COLOUR: Final = "#6a3d9a"
#: Spaces listed in the panel, most young people first.
ONLINE_LISTED: Final = 12


def online_possible(ds: Dataset, context: int | None) -> str | None:
    """Say why the online spaces layer cannot be drawn, or ``None``."""
    if ds.boundaries is None:
        return "the dataset has no boundaries (read it with boundaries=...)"
    online = ds.places["place_id"][is_online(ds.places["kind"])]
    if not len(online):
        return "there are no online places"
    return None if ds.sightings["place_id"].isin(online).any() else "no one is seen online"


def _members(p: MapRequest) -> pd.DataFrame:
    """Distinct (online place, young person, home authority) in the map's window."""
    ds = p.ds
    s = filter_sightings(ds, since=p.since, until=p.until, min_reliability=p.min_reliability)
    online = ds.places.loc[is_online(ds.places["kind"]).to_numpy(), "place_id"]
    s = s[s["place_id"].isin(online)]
    home = ds.people.set_index("person_id")["home_authority"]
    return pd.DataFrame(
        {
            "place": s["place_id"].to_numpy(dtype=object),
            "person": s["person_id"].to_numpy(dtype=object),
            "home": home.reindex(s["person_id"].to_numpy()).to_numpy(dtype=object),
        }
    ).drop_duplicates()


def _pairs(members: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
    """Return the young people joining each pair of authorities through an online space."""
    out: dict[tuple[str, str], set[str]] = {}
    for _, group in members.dropna().groupby("place"):
        by_home = group.groupby("home")["person"].agg(set)
        codes = sorted(str(c) for c in by_home.index)
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                out.setdefault((a, b), set()).update(by_home[a] | by_home[b])
    return out


def online_layer(p: MapRequest, title: str) -> MapLayer:
    """Online spaces: lines between their members' home authorities, and a panel listing them."""
    lg = symbols()
    members = _members(p)
    centroids = p.centroids if p.graph is not None else {}
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    hidden = 0
    for (a, b), people in sorted(_pairs(members).items()):
        if a not in centroids or b not in centroids:
            continue
        key = people_key(people)
        if not p.policy.listed(len(people), key):
            hidden += 1
            continue
        shown = p.count(len(people), key)
        rows.append({"from": a, "to": b, "people": shown, "_width": 1.5 + min(len(people), 20) / 5})
        geoms.append(shapely.LineString([centroids[a], centroids[b]]))
    if hidden:
        notes.append(f"Online spaces: links of under {p.rule.min_count} young people not drawn")
    frame = gpd.GeoDataFrame(
        rows or {"from": [], "to": [], "people": [], "_width": []},
        geometry=geoms,
        crs=settings.metric_crs,
    )
    platform = p.ds.places.set_index("place_id").get("platform")
    listed: list[str] = []
    unlisted = 0
    by_place = members.groupby("place")
    order = sorted(by_place, key=lambda item: (-item[1]["person"].nunique(), str(item[0])))
    for place, group in order:
        people = set(group["person"])
        homes = group["home"].dropna().nunique()
        key = people_key(people)
        if not p.policy.listed(len(people), key):
            unlisted += 1
            continue
        what = platform.get(place) if platform is not None else None
        what = str(what) if isinstance(what, str) else "online"
        name = what if p.suppressing else f"{place} ({what})"
        listed.append(
            f"{name}: {p.count(len(people), key)} young people"
            + (
                ""  # how many authorities they come from is exact: one more is one child
                if p.suppressing
                else f" from {plural(int(homes), 'authority')}"
            )
        )
    parts = [
        lg.note(
            "Online spaces (group chats, platforms) have no place on the map: a dashed line "
            "joins two authorities whose young people are recorded in the same online space."
        )
    ]
    parts += [lg.note(text) for text in listed[:ONLINE_LISTED]]
    if len(listed) > ONLINE_LISTED:
        more = len(listed) - ONLINE_LISTED
        parts.append(lg.note(f"and {more} more (the report's online spaces section lists them)"))
    if unlisted:
        parts.append(lg.note(f"Not listed: spaces of under {p.rule.min_count}"))
    entries = [("line", ONLINE_COLOUR, "online space between authorities", 2.0, True)]
    return MapLayer("online", title, frame, lg.section(title, title, parts), notes, entries=entries)


def plot_online(ax: Axes, layer: MapLayer) -> None:
    """Draw the online spaces' lines, dashed."""
    frame = layer.frame
    if not len(frame):
        return
    frame.plot(
        ax=ax,
        color=ONLINE_COLOUR,
        linewidth=[float(w) * 0.6 for w in frame["_width"]],
        linestyle="--",
        alpha=0.8,
        zorder=3,
    )
