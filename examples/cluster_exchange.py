"""A cluster of neighbouring authorities exchanges packages and merges the picture.

Like the North London cluster (Camden, Barnet, Enfield, Hackney, Haringey, Islington),
four neighbouring boroughs of peermap's fictional demo region each hold part of the
picture: their own young people and the ties, sightings and relocations involving them.

1. The partnership shares one key; each authority pseudonymises its case ids with it,
   so the same young person has the same pseudonym everywhere.
2. Each authority writes an exchange package (one GeoPackage) for the partnership.
3. The hub authority reads every package (integrity verified with the key) and merges
   them: a tie both boroughs recorded is one record with two provenances; a young
   person known to several boroughs is one node; a disagreement is reported.
4. A tampered package and one made with another partnership's key are refused.
5. An aggregate package (authority-level flows, small counts suppressed) goes beyond
   the partnership; the merged network is exported for Gephi and QGIS.

Run: ``python examples/cluster_exchange.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import pandas as pd

import peermap
from peermap.exchange import (
    read_aggregate,
    read_package,
    to_geojson,
    to_gexf,
    to_graphml,
    write_package,
)
from peermap.merging import PROVENANCE, merge

CLUSTER = ("X09000001", "X09000002", "X09000004", "X09000007")
HUB = "X09000001"
ID_COLUMNS = {
    "people": ["person_id"],
    "ties": ["person_a", "person_b"],
    "sightings": ["person_id"],
    "relocations": ["person_id"],
}


def local_records(ds: peermap.Dataset, code: str) -> dict[str, pd.DataFrame]:
    """What one authority's case system holds: its young people and records about them."""
    own = set(ds.people.loc[ds.people["home_authority"] == code, "person_id"])
    ties = ds.ties[ds.ties["person_a"].isin(own) | ds.ties["person_b"].isin(own)]
    sightings = ds.sightings[ds.sightings["person_id"].isin(own)]
    moves = ds.relocations
    relocations = moves[
        moves["person_id"].isin(own)
        | (moves["from_authority"] == code)
        | (moves["to_authority"] == code)
    ]
    known = own | set(ties["person_a"]) | set(ties["person_b"]) | set(relocations["person_id"])
    places = ds.places[ds.places["place_id"].isin(set(sightings["place_id"]))]
    return {
        "people": ds.people[ds.people["person_id"].isin(known)],
        "places": pd.DataFrame(places[["place_id", "kind", "easting", "northing", "label"]]),
        "ties": ties,
        "sightings": sightings,
        "relocations": relocations,
    }


def main(out: Path) -> None:
    boundaries = peermap.demo_boundaries()
    names = dict(zip(boundaries["code"], boundaries["name"], strict=True))
    key = peermap.load_key(peermap.generate_key())
    print(f"partnership key fingerprint {key.fingerprint} (the key itself is never written)")
    print("cluster: " + ", ".join(f"{names[c]} ({c})" for c in CLUSTER))

    # Stand-in for four case systems: one synthetic picture of the region, seen in parts.
    region = peermap.scenario(boundaries, n_people=800, seed=4).dataset

    packages = []
    for code in CLUSTER:
        tables = local_records(region, code)
        for name, columns in ID_COLUMNS.items():
            tables[name] = peermap.pseudonymise(tables[name], columns, key=key)
        if code == "X09000007":
            # One borough's record of a shared young person is out of date.
            shared = set(tables["people"]["person_id"]) - set(
                tables["people"].loc[tables["people"]["home_authority"] == code, "person_id"]
            )
            who = sorted(shared)[0]
            people = tables["people"].copy()
            people.loc[people["person_id"] == who, "age"] = (
                people.loc[people["person_id"] == who, "age"] - 1
            )
            tables["people"] = people
        ds = peermap.read_dataset(tables, boundaries=boundaries)
        path = write_package(
            ds, out / f"{code}.gpkg", key=key, producer=code, audience="partnership"
        )
        packages.append(path)
        print(
            f"wrote {path.name}: {len(ds.people)} young people, {len(ds.ties)} ties, "
            f"{len(ds.sightings)} sightings, {len(ds.relocations)} relocations "
            "(free-text labels withheld)"
        )

    received = []
    for path in packages:
        ds = read_package(path, key=key)
        received.append(ds)
        state = "verified" if ds.meta["verified"] else "NOT verified"
        print(f"{names[HUB]} received {path.name} from {ds.meta['producer_name']}: {state}")

    merged = merge(received)
    total = {
        name: sum(len(ds.table(name)) for ds in received)
        for name in ("people", "ties", "sightings")
    }
    print(
        f"merged {len(received)} packages: {len(merged.people)} young people "
        f"(from {total['people']} rows), {len(merged.places)} places, "
        f"{len(merged.ties)} ties (from {total['ties']}), "
        f"{len(merged.sightings)} sightings (from {total['sightings']}), "
        f"{len(merged.relocations)} relocations"
    )
    shared_ties = merged.ties[merged.ties[PROVENANCE].str.contains(";")]
    shared_people = merged.people[merged.people[PROVENANCE].str.contains(";")]
    print(
        f"  ties recorded by two authorities: {len(shared_ties)} (one record each, two provenances)"
    )
    print(f"  young people known to several authorities: {len(shared_people)} (one node each)")
    conflicts = merged.meta["conflicts"]
    for column, rows in conflicts.groupby("column"):
        values = "; ".join(f"{v.value} by {v.provenance}" for v in rows.itertuples())
        kept = rows.loc[rows["kept"], "value"].iloc[0]
        print(
            f"  disputed {column} of one young person: {values}; kept {kept}, "
            "reported in meta['conflicts']"
        )
    print(f"  disputed attributes: {len(conflicts)} value(s) reported, none overwritten silently")

    tampered = out / "tampered.gpkg"
    tampered.write_bytes(packages[1].read_bytes())
    connection = sqlite3.connect(tampered)
    connection.execute("UPDATE ties SET reliability = 'confirmed' WHERE fid = 1")
    connection.commit()
    connection.close()
    try:
        read_package(tampered, key=key)
    except peermap.ValidationError as err:
        assert "integrity check" in str(err)
        print(f"refused a tampered copy of {packages[1].name}: integrity check failed")
    tampered.unlink()
    stranger = peermap.load_key(peermap.generate_key())
    try:
        read_package(packages[2], key=stranger)
    except peermap.ValidationError as err:
        assert "would not link" in str(err)
        print(
            f"refused {packages[2].name} read with another partnership's key: "
            "pseudonyms would not link"
        )

    aggregate = write_package(
        merged, out / "cluster_aggregate.gpkg", key=None, producer=HUB, audience="aggregate"
    )
    agg = read_aggregate(aggregate)
    flows = agg.flows[(agg.flows["kind"] == "sightings") & ~agg.flows["within"].astype(bool)]
    hidden = int(flows["people"].isna().sum())
    print(
        f"aggregate package for circulation beyond the partnership: {aggregate.name} "
        f"({len(agg.flows)} authority-level flows, {hidden} of {len(flows)} cross-border "
        f"sighting flows shown as {peermap.settings.suppressed_marker}; no pseudonyms, places "
        "or coordinates)"
    )

    graph = to_graphml(merged, out / "cluster_peer.graphml")
    to_gexf(merged, out / "cluster_peer.gexf")
    files = to_geojson(merged, out / "geojson")
    g = peermap.peer_graph(merged)
    print(
        f"exports: {graph.name} ({g.number_of_nodes()} nodes, {g.number_of_edges()} edges), "
        f"cluster_peer.gexf, geojson/ ({len(files)} files)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
        folder.mkdir(parents=True, exist_ok=True)
        main(folder)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
