"""Two partners send packages with CLKs; the linker links them and merges the packages.

North knows a young person as ``N-101``, South as ``S-7``. Each partner:

1. encodes its identity table into CLKs under the linkage key (names never leave),
2. writes a partnership package of its records with the CLKs in their own table,
   under the package's MAC.

The linker then reads the CLKs of the verified packages, links them, and merges the
two packages through the links: ``N-101`` and ``S-7`` become one young person, with
both partners' ties and sightings, and ``meta["linked_ids"]`` says which partner held
them under which id.

Run: ``python examples/merge_linked_packages.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import peermap
from peermap.privacy import generate_key

NORTH, SOUTH = "X09000001", "X09000002"
partnership_key = generate_key()  # signs and verifies the packages
linkage_key = generate_key()  # makes the CLKs; destroyed after the linkage

IDENTITY = ["person_id", "first_name", "last_name", "dob", "sex", "postcode"]
PEOPLE = ["person_id", "home_authority", "age", "sex", "looked_after"]
SIGHTING = ["person_id", "place_id", "date", "context", "source", "reliability"]
TIE = ["person_a", "person_b", "kind", "first_seen", "last_seen", "source", "reliability"]


def records(
    people: list[tuple[object, ...]],
    ties: list[tuple[str, str]],
    seen: list[tuple[str, str]],
) -> peermap.Dataset:
    """A partner's records: its young people, their ties and where they were seen."""
    return peermap.read_dataset(
        {
            "people": pd.DataFrame(people, columns=PEOPLE),
            "places": pd.DataFrame(
                [("H-1", "hotel", 530_000.0, 181_000.0, None)],
                columns=["place_id", "kind", "easting", "northing", "label"],
            ),
            "ties": pd.DataFrame(
                [(a, b, "associate", "2024-02-01", None, "police", "reported") for a, b in ties],
                columns=TIE,
            ),
            "sightings": pd.DataFrame(
                [(p, "H-1", d, "cse", "police", "reported") for p, d in seen], columns=SIGHTING
            ),
        }
    )


north = records(
    [("N-101", NORTH, 14, "M", False), ("N-102", NORTH, 15, "M", None)],
    [("N-101", "N-102")],
    [("N-101", "2024-02-03")],
)
south = records(
    [("S-7", SOUTH, 14, "M", None), ("S-8", SOUTH, 16, "F", None)],
    [("S-7", "S-8")],
    [("S-7", "2024-03-10")],
)
north_identities = pd.DataFrame(
    [
        ("N-101", "Thomas", "Okafor", "2009-03-14", "M", "SE15 4PL"),
        ("N-102", "Marcus", "Adeyemi", "2008-04-07", "M", "E1 6AN"),
    ],
    columns=IDENTITY,
)
south_identities = pd.DataFrame(
    [
        ("S-7", "Tom", "Okafor", "14/03/2009", "m", "se154pl"),  # nickname, UK date
        ("S-8", "Shannon", "Bennett", "2007-10-03", "F", "NE1 4ST"),
    ],
    columns=IDENTITY,
)

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)

# at each partner
packages = []
for code, ds, identities in (
    (NORTH, north, north_identities),
    (SOUTH, south, south_identities),
):
    clks = peermap.encode_identities(identities, key=linkage_key)
    path = out / f"{code}.gpkg"
    peermap.write_package(
        ds, path, key=partnership_key, producer=code, audience="partnership", clks=clks
    )
    packages.append(path)
    print(f"{code}: package {path.name} with {len(clks)} CLKs in its clks table")

# at the linker
clks_a, clks_b = (peermap.read_clks(p, key=partnership_key) for p in packages)
links = peermap.link_identities(clks_a, clks_b)
links.to_csv(out / "links.csv", index=False)
for row in links[links["match"]].itertuples():
    print(f"linked: {row.id_a} is {row.id_b} (probability {row.probability:.3f})")

datasets = [peermap.read_package(p, key=partnership_key) for p in packages]
merged = peermap.merge(datasets, links=out / "links.csv")
print(f"merged: {len(merged.people)} young people (without links: 4)")
for row in merged.meta["linked_ids"].itertuples():
    print(f"  {row.person_id}: {row.partner} held them as {row.local_id}")
seen = merged.sightings[["person_id", "date", "provenance"]]
for row in seen.itertuples():
    print(f"  seen: {row.person_id} on {row.date:%Y-%m-%d} (reported by {row.provenance})")
