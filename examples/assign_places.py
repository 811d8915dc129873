"""Tie venues to the authority they lie in, with real ONS boundaries.

Loads a boundary file (any vintage, any format: here the 2013 or 2024 ONS files), assigns
a few well-known public places, and shows each of the four outcomes: ``within``,
``on_boundary``, ``nearest`` (in a river gap of clipped boundaries) and ``outside`` (at
sea). Then lists an authority's neighbours.

Run: ``python examples/assign_places.py [BOUNDARY_FILE]`` (default: the 2013 ONS file in
``../shared/boundaries/``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import geopandas as gpd

import peermap

default = Path(__file__).resolve().parents[2] / "shared/boundaries/ons_lad_2013_england.topojson"
path = Path(sys.argv[1]) if len(sys.argv) > 1 else default

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", peermap.PeermapWarning)
    boundaries = peermap.load_boundaries(path)
for w in caught:  # what the loader had to assume or repair, said once
    print("note:", str(w.message).splitlines()[0])
print(f"{len(boundaries)} authorities from {path.name}; {boundaries.attrs['attribution']}")

places = gpd.GeoDataFrame(
    {
        "place_id": ["kings_cross", "east_croydon", "sheffield_stn", "thames", "north_sea"],
        "kind": ["transport_hub", "transport_hub", "transport_hub", "other", "other"],
    },
    geometry=gpd.points_from_xy(
        [-0.1235, -0.0925, -1.4623, -0.1200, 2.0],
        [51.5308, 51.3755, 53.3781, 51.5050, 53.5],
    ),
    crs="EPSG:4326",
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", peermap.PeermapWarning)  # the sea point is reported below
    assigned = peermap.assign_authorities(places, boundaries, tolerance_m=1000)
print(
    assigned[["place_id", "authority_code", "authority_name", "assignment"]].to_string(index=False)
)

graph = peermap.authority_graph(boundaries)
camden = boundaries.loc[boundaries["name"] == "Camden", "code"]
if len(camden):
    code = camden.iloc[0]
    names = sorted(graph.nodes[n]["name"] for n in graph.neighbors(code))
    print(f"Camden borders: {', '.join(names)}")
