"""A receiving authority reviews the young people relocated into its area.

About 41% of looked-after children in England were placed outside their authority in
2018, and host authorities must be notified of placements into their area; young
people relocated for their safety can bring risk with them, or meet new risk.

1. A synthetic partnership dataset on peermap's fictional demo region (no real data).
2. Which authorities receive the most young people, from where, and what followed.
3. The receiving authority's view: the notification table it can be sent (pseudonyms,
   dates, sending authority, kind), and, for each move, new ties with its own young
   people, places it was seen at, abuse contexts, ties kept with home.
4. A partnership map of relocations for the review meeting.

Run: ``python examples/relocations_review.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import peermap
from peermap.synthetic import scenario
from peermap.views.maps import make_map, save_map

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="peermap-"))
out.mkdir(parents=True, exist_ok=True)

bounds = peermap.demo_boundaries()
names = dict(zip(bounds["code"], bounds["name"], strict=True))
sc = scenario(bounds, n_people=3000, seed=21, looked_after_share=0.08)
ds, truth = sc.dataset, sc.truth
print(
    f"dataset: {ds.counts['people']:,} young people, {ds.counts['relocations']:,} relocations "
    "(synthetic, fictional region)"
)

# 2. Every authority: young people received, from where, what followed the move.
received = peermap.relocations_received(ds)
print("relocations received (partnership figures, exact):")
for row in received.itertuples(index=False):
    sources = ", ".join(names[a] for a in row.from_authorities)
    print(
        f"  {names[row.authority]:<18} {row.received:>3} young people from {sources}; "
        f"{row.ties_after} new ties, seen at {row.places_after} places after the move"
    )

# 3. The authority receiving the most reviews its arrivals.
host = str(received.iloc[0]["authority"])
host_name = names[host]
notifications = peermap.host_notifications(ds, host)
notice_file = out / f"host_notifications_{host}.csv"
notifications.to_csv(notice_file, index=False, date_format="%Y-%m-%d")
kinds = ", ".join(
    f"{kind.replace('_', ' ')} {n}" for kind, n in notifications["kind"].value_counts().items()
)
print(
    f"{host_name} ({host}): {len(notifications)} notification(s) of relocations into the area "
    f"({kinds}), written to {notice_file.name}"
)

exposure = peermap.relocation_exposure(ds)
arrivals = exposure[exposure["to_authority"] == host].reset_index(drop=True)
new_ties = int((arrivals["ties_after"] > 0).sum())
seen = int((arrivals["places_after"] > 0).sum())
exploitation = int(arrivals["contexts_after"].map(lambda c: bool({"cse", "cce"} & set(c))).sum())
kept = int(arrivals["kept_home_ties"].sum())
print(f"after moving into {host_name}, of {len(arrivals)} relocation(s):")
print(f"  {new_ties} formed ties with young people homed in {host_name}")
print(f"  {seen} were seen at places in {host_name}")
print(f"  {exploitation} were seen there in a CSE or CCE context")
print(f"  {kept} kept an active tie with someone in the authority they left")

# The synthetic truth says which ties were planted after each move: does the review see them?
planted = {p.person_id: len(p.ties) for p in truth.relocated if p.placed_in == host}
found = arrivals.groupby("person_id")["ties_after"].sum()
covered = sum(1 for pid, n in planted.items() if found.get(pid, 0) >= n)
print(f"check against the planted truth: new ties found for {covered} of {len(planted)} arrivals")

review = arrivals.assign(
    from_name=arrivals["from_authority"].map(names),
    contexts_after=arrivals["contexts_after"].map(lambda c: ";".join(c)),
)
review_file = out / f"relocations_review_{host}.csv"
review.to_csv(review_file, index=False, date_format="%Y-%m-%d")
print(f"saved: {review_file.name} (one row per relocation, pseudonyms only)")

# Where do the young people who arrived go? Venues in the host authority after the move.
moved = arrivals.set_index("person_id")["date"]
s = ds.sightings[ds.sightings["person_id"].isin(moved.index)]
s = s[s["date"] >= s["person_id"].map(moved)]
places = ds.places.set_index("place_id")
s = s[s["place_id"].map(places["authority_code"]) == host]
venues = (
    s.groupby("place_id")["person_id"].nunique().sort_values(ascending=False, kind="stable").head(5)
)
print(f"venues in {host_name} where arrivals were seen most:")
for place_id, people in venues.items():
    kind = str(places.loc[place_id, "kind"]).replace("_", " ")
    print(f"  {kind:<16} {people} arrival(s)")

# 4. A partnership map of relocations, shaded by young people received.
m = make_map(
    ds,
    audience="partnership",
    layers=["authorities", "relocations"],
    choropleth="relocations_received",
    tiles=None,
    title=f"Relocations: {host_name} and the partnership",
)
relocations = m.info.table("relocations")
into_host = relocations[relocations["to"] == host_name]
print(
    f"map: {len(relocations)} relocation flows drawn, "
    f"{int(pd.to_numeric(into_host['people']).sum())} young people into {host_name}"
)
html = save_map(m, out / "relocations_map.html")
print(f"saved: {html.name} (partnership only, opens offline)")
