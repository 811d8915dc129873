"""An investigation: from a county line's exploiter to the young people they reach.

1. The demo scenario (``peermap demo``: 2,000 fictional young people on the fictional
   demo region, seed 0), with a county line planted in it.
2. ``peermap.find_path``: the shortest chain from the line's exploiter to a young person
   of the trap house in the line's destination, and the chain in date order (each step
   on or after the one before), which is longer.
3. ``peermap.connecting_network``: the fewest records joining the exploiter, every young
   person of the line and the trap house, as a dataset of its own.
4. ``peermap.centrality``: the brokers of the contexts (young people whose removal splits
   their context), the most between first.
5. The connecting network as an i2 Analyst's Notebook chart (``peermap.to_anx``, read back
   with ``peermap.read_anx``) and the whole dataset as GEXF for Gephi's timeline.

Run: ``python examples/investigate.py OUTPUT_FOLDER``
"""

from __future__ import annotations

import sys
from pathlib import Path

import peermap

out = Path(sys.argv[1] if len(sys.argv) > 1 else "investigation")
out.mkdir(parents=True, exist_ok=True)

region = peermap.demo_boundaries()
ds, truth = peermap.scenario(region, n_people=2000, seed=0)
line = truth.county_lines[0]
exploiter = line.exploiters[0]
runners = [p for p in line.people if p not in line.exploiters]
print(f"dataset: {ds.counts} (synthetic, fictional region)")
print(
    f"county line: {line.origin} -> {line.destination} ({line.distance_km:.0f} km), "
    f"exploiter {exploiter}, {len(runners)} young people, address {line.place_id}"
)

# Is the line's exploiter linked to the young people of the trap house in the line's
# destination? The first whose chain in date order is longer than the shortest chain.
house = next(h for h in truth.trap_houses if h.authority == line.destination)
print(f"trap house {house.place_id} in {house.authority}: {len(house.people)} young people")
chains = {p: peermap.find_path(ds, exploiter, p) for p in house.people}
ordered_chains = {p: peermap.find_path(ds, exploiter, p, date_ordered=True) for p in house.people}
target = next((p for p in house.people if len(ordered_chains[p]) > len(chains[p])), house.people[0])
steps, ordered = chains[target], ordered_chains[target]
print(f"\nshortest chain {exploiter} -> {target}: {len(steps)} step(s)")
print(steps.to_string(index=False))
print(f"\nin date order (each step on or after the one before): {len(ordered)} step(s)")
print(ordered.to_string(index=False))
ties_only = peermap.find_path(ds, exploiter, target, via="ties")
print(f"\nties only: {len(ties_only)} step(s)")

network = peermap.connecting_network(ds, [exploiter, *runners, house.place_id])
print(
    f"\nconnecting network of the exploiter, the trap house and {len(runners)} young people: "
    f"{len(network.people)} young people, {len(network.places)} places, "
    f"{len(network.ties)} ties, {len(network.sightings)} sightings"
)

table = peermap.centrality(ds)
brokers = table[table["broker"]]
print(f"\n{len(brokers)} brokers in {brokers['context_id'].nunique()} contexts; the top five:")
columns = ["person_id", "context_id", "degree", "betweenness", "k_core", "authorities"]
print(brokers.head(5)[columns].to_string(index=False))

chart = peermap.to_anx(network, out / "county_line.anx", allow=["places.label"])
back = peermap.read_anx(chart, boundaries=region)
print(f"\nwrote {chart}: read back equal: {peermap.datasets_equal(network, back)}")
gexf = peermap.to_gexf(ds, out / "peer_network.gexf")
print(f"wrote {gexf} (open in Gephi, Timeline: contexts form as the year goes on)")
print(peermap.Audience.of("partnership").banner_ascii)
