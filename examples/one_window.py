"""One window for every output: "corroborated records since March", said once.

1. A synthetic dataset on peermap's fictional demo region (no real data).
2. A ``peermap.Window``: records dated from March to September 2024, of at least the
   ``corroborated`` grade. ``peermap.select`` applies it once and says what it keeps
   (relocations are selected by date, like ties and sightings).
3. Every analysis and view takes the same window (``window=``): contexts, hotspots,
   flows, relocations received, a timeline table and a Markdown report; the counts
   they show are the records the window keeps, and nothing else.
4. The window and one context: ``select(ds, window, context=row)`` keeps the context's
   young people and places, as a map or diagram of that context does.

Run: ``python examples/one_window.py [output folder]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import peermap
from peermap.synthetic import scenario

out = Path(sys.argv[1] if len(sys.argv) > 1 else "one_window_out")
out.mkdir(parents=True, exist_ok=True)
ds, _ = scenario(peermap.demo_boundaries(), n_people=1500, seed=3)
window = peermap.Window(since="2024-03-01", until="2024-09-30", min_reliability="corroborated")

chosen = peermap.select(ds, window)
print("records in the dataset:  ", ds.counts)
print("records the window keeps:", chosen.counts)

contexts = peermap.contexts(ds, window=window)
hotspots = peermap.hotspots(ds, window=window)
flows = peermap.flows(ds, window=window)
received = peermap.relocations_received(ds, window=window)
timeline = peermap.timeline_table(ds, window=window, audience="partnership")
print(f"contexts: {len(contexts)}; top concern {contexts['concern'].iloc[0]:.1f}")
print(f"venues counted: {len(hotspots)}; sightings at them: {int(hotspots['sightings'].sum())}")
print(f"flows: {len(flows)} pairs of authorities, {int(flows['events'].sum())} sightings")
print(f"relocations received: {int(received['relocations'].sum())}")
print(f"timeline months: {len(timeline)}, first {timeline.index[0]:%B %Y}")
assert int(hotspots["sightings"].sum()) == len(chosen.sightings)  # the same records

report = out / "report.md"
peermap.make_report(ds, audience="partnership", with_map=False, window=window).save(report)
print(f"report: {report}")

top = contexts.iloc[0]
one = peermap.select(ds, window, context=top)
print(
    f"context {top['context_id']}: young people {len(one.people)}, places {len(one.places)}, "
    f"sightings in the window {len(one.sightings)}"
)
assert set(one.people["person_id"]) == set(top["people"])
