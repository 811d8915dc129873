"""Online spaces: a group chat that recruits across authorities, and a year group's chat.

1. A synthetic partnership dataset on peermap's fictional demo region with two online
   contexts planted (``scenario(..., online_spaces=True)``; no real data): a group chat
   used to recruit young people from three authorities, and image sharing inside one
   school year group. Online places have no location and no authority.
2. ``peermap.online_spaces``: the online places ranked by the same concern score as
   venues (``peermap.hotspots`` lists venues only), with the home authorities of the
   young people recorded there.
3. The context each chat sits in (``peermap.contexts``): its young people, its reach
   across authorities (from their home authorities), checked against what was planted.
4. A partnership map (online spaces as dashed lines between home authorities, listed in
   the legend), a public report (online spaces listed under the small-count rule) and an
   exchange package that carries the online places (record schema 1.1).

Run: ``python examples/online_spaces.py OUTPUT_FOLDER``
"""

from __future__ import annotations

import sys
from pathlib import Path

import peermap
from peermap.exchange.reading import package_metadata
from peermap.synthetic import scenario
from peermap.views.report import write_report

out = Path(sys.argv[1] if len(sys.argv) > 1 else "online_spaces_output")
out.mkdir(parents=True, exist_ok=True)
ds, truth = scenario(peermap.demo_boundaries(), n_people=2000, seed=5, online_spaces=True)
names = dict(zip(ds.boundaries["code"], ds.boundaries["name"], strict=True))
print(f"dataset: {ds.counts} (synthetic, fictional region)")
for planted in truth.online:
    where = ", ".join(names[a] for a in planted.authorities)
    print(f"planted: {planted.kind} in {planted.place_id} ({planted.platform}) from {where}")

spaces = peermap.online_spaces(ds)
print("\nonline spaces, most concerning first:")
for row in spaces.itertuples(index=False):
    homes = ", ".join(names[a] for a in row.authorities)
    print(f"  {row.rank}. {row.place_id} ({row.platform}): {row.people} young people from {homes}")
    print(f"     reach {row.reach}; {row.reasons}")

contexts = peermap.contexts(ds)
for planted in truth.online:
    holding = contexts[contexts["places"].map(lambda p, t=planted: t.place_id in p)]
    row = holding.iloc[0]
    found = len(set(row["people"]) & set(planted.people))
    print(
        f"\n{planted.kind}: context #{row['context_id']} (rank {int(holding.index[0]) + 1} of "
        f"{len(contexts)}) holds {found} of the {len(planted.people)} planted young people; "
        f"reach {row['reach']} across {row['n_authorities']} authorities"
    )

peer_map = peermap.make_map(ds, audience="partnership")
peermap.save_map(peer_map, out / "online_partnership.html")
online_layer = peer_map.info.layers["online"]["features"]
print(f"\npartnership map: {len(online_layer)} online links between home authorities")
report = write_report(ds, out / "online_public_report.html", audience="public")
print(f"public report: {report}")
key = peermap.generate_key()
package = peermap.write_package(
    ds, out / "online.gpkg", key=key, producer="X09000001", audience="partnership"
)
meta = package_metadata(package) or {}
back = peermap.read_package(package, key=key)
online_back = back.places[back.places["kind"] == "online"]
print(
    f"package: record schema {meta.get('schema_version')}, {len(online_back)} online places "
    f"read back with no geometry: {bool(online_back.geometry.isna().all())}"
)
