"""A partnership analyst: which contexts and venues to read first, and why.

1. A synthetic partnership dataset on peermap's fictional demo region, with trap houses
   and a county line planted in it (no real data).
2. ``peermap.contexts`` and ``peermap.hotspots`` ranked by the concern score: the harm
   recorded, weighted by severity and reliability, beyond what is usual for the places
   involved, times the reach across authorities (``docs/analysis.md``).
3. The top five of each, with the reasons in words and the parts of the score (for a
   venue, the young people in exploiter ties that meet there: both seen there; those
   seen there while reported missing elsewhere), checked
   against what was planted; then the busiest venues, to show that busy is not the same
   as concerning.

Run: ``python examples/what_to_look_at_first.py``
"""

from __future__ import annotations

import textwrap

import peermap
from peermap.synthetic import scenario

ds, truth = scenario(peermap.demo_boundaries(), n_people=3000, seed=21)
planted = {h.place_id: f"trap house ({h.kind})" for h in truth.trap_houses}
planted |= {line.place_id: "county-line address" for line in truth.county_lines}
print(f"dataset: {ds.counts} (synthetic, fictional region)")
print(f"planted: {len(truth.trap_houses)} trap houses, {len(truth.county_lines)} county line(s)")


def show(text: str) -> None:
    print(textwrap.fill(text, 96, initial_indent="     ", subsequent_indent="     "))


contexts = peermap.contexts(ds)
print("\ncontexts, most concerning first:")
for row in contexts.head(5).itertuples(index=False):
    hit = [planted[p] for p in row.places if p in planted]
    tag = f"  <- {', '.join(hit)}" if hit else ""
    # A group cut from a larger network counts only part of its own excess (excess_weight).
    weight = f" counted at {row.excess_weight:.0%}" if row.excess_weight < 1 else ""
    print(
        f"  #{row.context_id} concern {row.concern:.1f} (its own excess "
        f"{row.excess_concern:.1f}, q {row.q_value:.2g}{weight}; "
        f"its place {row.place_concern:.1f}), reach {row.reach}, stability {row.stability:.0%}{tag}"
    )
    show(row.reasons)

venues = peermap.hotspots(ds)
print("\nvenues, most concerning first:")
for row in venues.head(5).itertuples(index=False):
    tag = f"  <- {planted[row.place_id]}" if row.place_id in planted else ""
    # Exploiter ties that meet here: both young people of the tie are seen here.
    met = f"; {row.met_people} in exploiter ties that meet here" if row.met_people else ""
    # Seen here within a day of a missing episode recorded elsewhere (home, care home).
    away = f"; {row.missing_people} seen here while missing" if row.missing_people else ""
    print(
        f"  {row.rank}. {row.place_id} ({row.kind}, {row.authority_name}): harm "
        f"{row.harm:.1f} against {row.expected:.1f} expected{met}{away}{tag}"
    )
    show(row.reasons)

found = sum(venues.set_index("place_id").loc[p, "rank"] <= 5 for p in planted)
print(f"\nplanted places in the top 5 venues: {found} of {len(planted)}")
busiest = venues.sort_values("people", ascending=False).head(3)
print("the three busiest venues, for comparison:")
for row in busiest.itertuples(index=False):
    print(f"  rank {row.rank:>3}: {row.kind} with {row.people} young people: {row.reasons}")
