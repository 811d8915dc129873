"""Three partners find the young people they share, without sending each other identities.

1. Each partner encodes its own identity table (names, dates of birth, postcodes) into
   CLKs under a key made for this linkage, on its own machine: only ``person_id`` and
   ``clk`` leave.
2. The linker links two partners (matches, and pairs for clerical review), then all
   three at once with one cluster id per young person.
3. Each partner learns which of its ids are which of the others': nothing else.

Run: ``python examples/link_partners.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import peermap
from peermap.privacy import generate_key

COLUMNS = ["person_id", "first_name", "last_name", "dob", "sex", "postcode"]
north = pd.DataFrame(
    [
        ("N-101", "Thomas", "Okafor", "2009-03-14", "M", "SE15 4PL"),
        ("N-102", "Grace", "Okafor", "2009-03-14", "F", "SE15 4PL"),  # Thomas's twin
        ("N-103", "Zoë", "O'Neil-Smith", "2013-01-30", "F", "N17 6AB"),
        ("N-104", "Marcus", "Adeyemi", "2010-04-07", "M", "E1 6AN"),
    ],
    columns=COLUMNS,
)
south = pd.DataFrame(
    [
        ("S-7", "Tom", "Okafor", "14/03/2009", "m", "se154pl"),  # nickname, UK date
        ("S-8", "ZOE", "ONEIL SMITH", "30/01/2013", "F", ""),  # capitals, no postcode
        ("S-9", "Marcus", "Adeyemi", "04/07/2010", "M", "E1 6AN"),  # day and month swapped
        ("S-10", "Kyle", "Bennett", "2009-05-17", "M", "NE1 4ST"),
    ],
    columns=COLUMNS,
)
east = pd.DataFrame(
    [
        ("E-1", "Thomas", "Okafer", "2009-03-14", "M", "SE15 4PL"),  # typo
        ("E-2", "Kyle", "Bennett", "17/05/2009", "M", "NE1 4ST"),
    ],
    columns=COLUMNS,
)

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)
key = generate_key()  # one key for this linkage, shared with the partners only

encoded = {
    name: peermap.encode_identities(frame, key=key)
    for name, frame in {"north": north, "south": south, "east": east}.items()
}
for name, frame in encoded.items():
    frame.to_csv(out / f"{name}_clks.csv", index=False)
    print(f"{name}: {len(frame)} CLKs, columns {', '.join(frame.columns)}")

links = peermap.link_identities(encoded["north"], encoded["south"])
print("north and south, matched:")
for row in links[links["match"]].itertuples():
    print(f"  {row.id_a} is {row.id_b} (probability {row.probability:.3f}, Dice {row.score:.2f})")
print(f"north and south, for clerical review: {int(links['review'].sum())} pair(s)")

clusters = peermap.cluster_identities(encoded)
clusters.to_csv(out / "clusters.csv", index=False)
shared = clusters.groupby("cluster").filter(lambda group: len(group) > 1)
print(f"three partners: {clusters['cluster'].nunique()} young people in {len(clusters)} records")
for cluster, group in shared.groupby("cluster"):
    members = ", ".join(
        f"{p} {i}" for p, i in zip(group["partner"], group["person_id"], strict=True)
    )
    print(f"  young person {cluster}: {members}")
