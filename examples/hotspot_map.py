"""A single authority's analyst: from CSV exports to a hotspot map for the meeting.

1. A synthetic partnership dataset on peermap's fictional demo region (no real data).
2. Northmere's analyst keeps the venues in Northmere and everything recorded there,
   whichever authority the young people live in, as the CSV exports of its case systems,
   and reads them back with ``peermap.read_dataset`` (validated, places assigned).
3. A public map (aggregates only: counts under 10 withheld, others rounded to 5) for the
   partnership meeting pack, saved as one HTML file that opens with no network, and the
   same picture as a PNG for the written report.

Run: ``python examples/hotspot_map.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import peermap
from peermap.synthetic import scenario
from peermap.views.maps import make_map, plot_static, save_map

AUTHORITY = "X09000001"  # Northmere, in the fictional demo region

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="peermap-"))
ds = scenario(peermap.demo_boundaries(), n_people=1500, seed=11).dataset
print(
    f"dataset: {ds.counts['people']:,} young people, {ds.counts['places']:,} places, "
    f"{ds.counts['sightings']:,} sightings (synthetic, fictional region)"
)

# Northmere's view: its venues, who was seen there, their ties and moves into Northmere.
places = ds.places[ds.places["authority_code"] == AUTHORITY]
sightings = ds.sightings[ds.sightings["place_id"].isin(places["place_id"])]
seen = set(sightings["person_id"])
local = ds.replace(
    places=places,
    sightings=sightings,
    people=ds.people[ds.people["person_id"].isin(seen)],
    ties=ds.ties[ds.ties["person_a"].isin(seen) & ds.ties["person_b"].isin(seen)],
    relocations=ds.relocations[
        ds.relocations["person_id"].isin(seen) & (ds.relocations["to_authority"] == AUTHORITY)
    ],
)
# Northmere's case systems export CSV files (what an analyst receives); read them back
# the way any export is read: validated, with every place tied to its authority.
exports = out / "exports"
exports.mkdir(parents=True, exist_ok=True)
for table in ("people", "places", "ties", "sightings", "relocations"):
    frame = local.table(table).drop(
        columns=["geometry", "authority_code", "authority_name", "assignment"], errors="ignore"
    )
    frame.to_csv(exports / f"{table}.csv", index=False)
local = peermap.read_dataset(exports, boundaries=peermap.demo_boundaries())
print(f"read {exports.name}/*.csv: {local.report.summary().splitlines()[-1]}")
name = local.places["authority_name"].iloc[0]
print(
    f"{name} ({AUTHORITY}): {sightings['place_id'].nunique()} venues with sightings, "
    f"{len(sightings):,} sightings of {len(seen):,} young people"
)

m = make_map(
    local,
    audience="public",
    tiles=None,  # no basemap: nothing is requested from any server
    min_count=10,
    round_to=5,
    title=f"{name}: hotspot venues and where their young people live",
)
venues = m.info.table("hotspots")
print(f"public map: {len(venues)} venues shown ({m.info.rule.describe() if m.info.rule else ''})")
for note in m.info.notes:
    print(f"  {note}")
print("busiest venues on the map:")
for row in venues.head(5).itertuples(index=False):
    share = f"{row.share}%" if isinstance(row.share, int | float) else row.share
    print(
        f"  {row.kind.replace('_', ' '):16} {row.people:>5} young people, "
        f"{share:>4} from other authorities"
    )
links = m.info.table("links")
if len(links):
    print(
        f"links into {name} drawn: "
        + ", ".join(f"from {r['from']} {r['people']}" for _, r in links.iterrows())
    )

html = save_map(m, out / "northmere_hotspots.html")
print(f"saved: {html} ({html.stat().st_size / 1e3:.0f} kB, opens offline)")
png = out / "northmere_hotspots.png"
plot_static(local, png, min_count=10, round_to=5, title=m.info.title)
print(f"saved: {png}")
