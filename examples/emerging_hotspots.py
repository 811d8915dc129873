"""Emerging hot spots: which places are new, growing or fading, month by month.

1. A synthetic partnership dataset on peermap's fictional demo region (no real data):
   2,000 young people, 20,000 sightings over the 12 months of 2024.
2. The partnership's analyst runs ``peermap.emerging_hotspots`` (ArcGIS's Emerging Hot
   Spot Analysis: Gi* per 500 m cell and month, the Mann-Kendall trend of each cell's
   z-scores, ArcGIS's patterns) and reads the cells with a pattern, month by month.
3. The public version for the partnership meeting pack: private homes left out, only
   cells about at least 10 young people, counts withheld or rounded; and a public map
   with the emerging hot spots layer, one HTML file that opens with no network.

Run: ``python examples/emerging_hotspots.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import peermap
from peermap.synthetic import scenario

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="peermap-"))
ds = scenario(peermap.demo_boundaries(), n_people=2000, seed=0).dataset
print(
    f"dataset: {ds.counts['people']:,} young people, {ds.counts['sightings']:,} sightings "
    "(synthetic, fictional region)"
)

# The partnership's view: every cell with sightings, exact counts, z-scores by month.
result = peermap.emerging_hotspots(ds, cell_size_m=500, period="month")
print(f"\npartnership: {result.notes[0]}")
print("cells per pattern:")
for pattern, cells in result.summary().items():
    print(f"  {pattern:<24} {cells:>4}")

# The cells with a pattern, and which months each was a hot (+) or cold (-) spot.
patterned = result.cells[result.cells["code"] != 0].sort_values(["code", "trend_z"])
print("\ncells with a pattern (months: + hot, - cold, . neither; Jan to Dec):")
for cell, row in patterned.iterrows():
    months = "".join("+" if b > 0 else "-" if b < 0 else "." for b in result.bins.loc[cell])
    print(
        f"  cell {cell:>5}  {row['pattern']:<24} {months}  trend z {row['trend_z']:+.2f} "
        f"(p {row['trend_p']:.3f}), {row['people']} young people, {row['sightings']} sightings"
    )

# The public version: what may leave the partnership.
public = peermap.emerging_hotspots(ds, cell_size_m=500, audience="public")
print(f"\npublic: {len(public.cells)} cells listed; {'; '.join(public.notes[1:])}")
print("public cells with a pattern:")
shown = public.cells[public.cells["code"] != 0]
shown = shown.sort_values("code", key=lambda c: (c < 0) * 100 + c.abs(), kind="stable")
for pattern, group in shown.groupby("pattern", sort=False):
    counts = ", ".join(str(v) for v in group["people"])
    print(f"  {pattern:<24} {len(group)} cells (young people: {counts})")
assert public.z is None and public.counts is None  # no monthly z-scores or counts

m = peermap.make_map(ds, tiles=None, emerging=True, gi_cell_size_m=500)
path = out / "emerging_hotspots.html"
peermap.save_map(m, path)
print(f"\nwrote {path} (public map, layers: {', '.join(m.info.layers)})")
