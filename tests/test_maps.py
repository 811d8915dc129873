"""Maps: the GeoJSON each layer carries, disclosure control, offline pages, static plots.

A hand-built scenario on the fictional demo region, with counts worked out by hand:

    A = Northmere (X09000001), B = Harrowfield (X09000002, a neighbour of A),
    C = Eastwick Vale (X09000006, not a neighbour of A)
    people   a01-a30 live in A, b01-b10 in B, c01-c12 in C
    V1 fast food in A   a01-a07 + b01-b05  -> 12 young people (5 from outside), 13 sightings
    V2 park in B        b06, b07, a08      ->  3 young people
    V3 residential, A   a09-a19            -> 11 young people (all from A)
    V4 school in C      c01-c12 + a20-a30 + b08, b09 -> 25 young people (13 from outside)
    sighting flows (distinct people): B->A 5, A->B 1, A->C 11, B->C 2
    relocation c01: C -> A
    people seen per authority: A 23 (5 from outside), B 3, C 25 (13 from outside)

With the ONS rule (10, rounded to 5) a public map shows: V1 (12 -> 10; share withheld, 5
from outside), V4 (25; share 52%), not V2 (3 < 10) and not V3 (a private home); one link
A->C (11 -> 10), three links withheld; no relocation.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import peermap
from conftest import DemoScenario, MakeDataset
from peermap import _assets, disclosure, settings
from peermap.disclosure import (
    Audience,
    SuppressionRule,
    suppress,
    suppress_frame,
    suppress_share,
)
from peermap.measures import venue_stats
from peermap.synthetic import scenario
from peermap.views.maps import ExternalAssetError, PeerMap, make_map, plot_static, save_map

A, B, C = "X09000001", "X09000002", "X09000006"
POINTS = {
    "V1": (693500, 315500),
    "V2": (700821, 315400),
    "V3": (692500, 313500),
    "V4": (710124, 306250),
}
RULE = {"min_count": 10, "round_to": 5}
ALL_PEOPLE = (
    [f"a{i:02d}" for i in range(1, 31)]
    + [f"b{i:02d}" for i in range(1, 11)]
    + [f"c{i:02d}" for i in range(1, 13)]
)


def _seen(place: str, people: list[str], month: int) -> list[tuple[str, ...]]:
    return [
        (p, place, f"2024-{month:02d}-{1 + i % 27:02d}", "cce", "police", "confirmed")
        for i, p in enumerate(people)
    ]


@pytest.fixture(scope="module")
def ds(make_dataset: MakeDataset) -> peermap.Dataset:
    home = {p: {"a": A, "b": B, "c": C}[p[0]] for p in ALL_PEOPLE}
    a = [f"a{i:02d}" for i in range(1, 31)]
    b = [f"b{i:02d}" for i in range(1, 11)]
    c = [f"c{i:02d}" for i in range(1, 13)]
    sightings = (
        _seen("V1", a[0:7] + b[0:5], 2)
        + _seen("V1", a[0:1], 3)  # a01 twice: 13 sightings at V1
        + _seen("V2", [b[5], b[6], a[7]], 4)
        + _seen("V3", a[8:19], 5)
        + _seen("V4", c + a[19:30] + b[7:9], 6)
    )
    return make_dataset(
        people=[(p, home[p], 14, "no") for p in ALL_PEOPLE],
        places=[
            ("V1", "fast_food", *POINTS["V1"], "chicken shop"),
            ("V2", "park", *POINTS["V2"], ""),
            ("V3", "residential", *POINTS["V3"], "tower block flat"),
            ("V4", "school", *POINTS["V4"], ""),
        ],
        ties=[
            ("a01", "a02", "friend", "2024-01-10", "", "school", "confirmed"),
            ("a20", "c01", "associate", "2024-07-01", "", "police", "reported"),
        ],
        sightings=sightings,
        relocations=[("c01", C, A, "2024-04-01", "care_placement")],
    )


@pytest.fixture(scope="module")
def public(ds: peermap.Dataset) -> PeerMap:
    return make_map(ds, tiles=None, choropleth="people_seen", gi_permutations=99, **RULE)


@pytest.fixture(scope="module")
def partnership(ds: peermap.Dataset) -> PeerMap:
    return make_map(
        ds, audience="partnership", tiles=None, choropleth="cross_border_share", gi_permutations=99
    )


def _page(m: folium.Map) -> str:
    return m.get_root().render()


def _ours(page: str) -> str:
    """The page without the inlined Leaflet (whose minified code holds every short word)."""
    return page.replace(_assets.leaflet_js(), "").replace(_assets.leaflet_css(), "")


def _mentions(page: str, ids: Any) -> list[str]:
    text = _ours(page)
    return [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]


def _embedded(page: str) -> dict[str, Any]:
    """Every layer's GeoJSON as written into the page (what a reader of the file gets)."""
    found = {}
    for match in re.finditer(r'PM\.layer\("(\w+)", ', page):
        end = page.index(");\n", match.end())
        found[match.group(1)] = json.loads(page[match.end() : end])
    return found


def _by_place(m: PeerMap) -> dict[str, dict[str, Any]]:
    table = m.info.table("hotspots")
    keyed = {}
    for row in table.to_dict(orient="records"):
        for place, (x, y) in POINTS.items():
            lon, lat = _lonlat(x, y)
            if abs(row["lon"] - lon) < 1e-4 and abs(row["lat"] - lat) < 1e-4:
                keyed[place] = row
    return keyed


def _lonlat(x: float, y: float) -> tuple[float, float]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(x, y)
    return lon, lat


# --------------------------------------------------------------------------- disclosure


def test_suppress_withholds_small_counts_and_zero_and_rounds_the_rest() -> None:
    shown, hidden = suppress([0, 1, 9, 10, 12, 13, 17, 18, 148, None], **RULE)
    assert shown.tolist() == ["c", "c", "c", 10, 10, 15, 15, 20, 150, "z"]
    assert hidden.tolist() == [True] * 3 + [False] * 7


def test_rounded_counts_never_fall_below_the_threshold() -> None:
    rule = SuppressionRule(min_count=7, round_to=5, marker="c")
    assert [rule.display(n) for n in (6, 7, 8, 12, 13)] == ["c", 10, 10, 10, 15]
    assert rule.floor == 10


def test_rounding_never_shows_a_count_far_above_the_records() -> None:
    # Rounding to a multiple far above the threshold would show 12 young people as
    # 100000 in a public report; the rule refuses it and keeps the usual ones.
    with pytest.raises(ValueError, match="round_to must be at most min_count or 10"):
        SuppressionRule(min_count=10, round_to=100000, marker="c")
    with pytest.raises(ValueError, match="round_to"):
        suppress([12], min_count=10, round_to=11)
    assert SuppressionRule(min_count=3, round_to=10, marker="c").display(3) == 10
    assert SuppressionRule(min_count=50, round_to=50, marker="c").display(60) == 50


def test_suppress_follows_settings_and_keeps_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "min_count", 5)
    monkeypatch.setattr(settings, "round_to", 2)
    monkeypatch.setattr(settings, "suppressed_marker", "[c]")
    shown, _ = suppress(pd.Series([4, 5, 7], index=["x", "y", "z"]))
    assert shown.to_dict() == {"x": "[c]", "y": 6, "z": 8}


def test_suppress_refuses_what_is_not_a_count() -> None:
    with pytest.raises(ValueError, match="whole number"):
        suppress([2.5])
    with pytest.raises(ValueError, match="whole number"):
        suppress([-1])
    with pytest.raises(ValueError, match="min_count"):
        suppress([3], min_count=0)
    with pytest.raises(ValueError, match="marker"):
        SuppressionRule(10, 5, "0")


def test_a_share_is_withheld_when_its_part_or_the_rest_is_small() -> None:
    assert suppress_share(5, 12, min_count=10) == "c"  # 5 from outside
    assert suppress_share(11, 12, min_count=10) == "c"  # only 1 from inside
    # From the shown counts (13 -> 15 of 25), never the exact 52% that gives 13 back.
    assert suppress_share(13, 25, min_count=10, round_to=5) == 60
    assert suppress_share(13, 25, min_count=10, round_to=1) == 52
    assert suppress_share(0, 0, min_count=10) == disclosure.NOT_APPLICABLE
    with pytest.raises(ValueError, match="larger than the whole"):
        suppress_share(3, 2)


def test_suppress_frame_records_what_it_withheld() -> None:
    frame = pd.DataFrame({"area": ["x", "y"], "people": [3, 41], "events": [12, 90]})
    out = suppress_frame(frame, ["people", "events"], **RULE)
    assert out["people"].tolist() == ["c", 40] and out["events"].tolist() == [10, 90]
    assert out.attrs["suppression"]["withheld"] == {"people": 1, "events": 0}
    assert frame["people"].tolist() == [3, 41]  # the input is not changed


# --------------------------------------------------------------------------- public map


def test_public_venues_only_with_enough_young_people_and_never_private_homes(
    ds: peermap.Dataset, public: PeerMap
) -> None:
    venues = _by_place(public)
    assert set(venues) == {"V1", "V4"}  # V2 has 3 young people; V3 is a private home
    # Each count carries the noise of its records' cell key, then the rounding rule.
    stats = venue_stats(ds)
    policy = Audience.of("public", **RULE)
    for place in ("V1", "V4"):
        row = stats.loc[place]
        assert venues[place]["people"] == policy.count(row["people"], row["people_key"])
        assert venues[place]["sightings"] == policy.count(row["sightings"], row["sightings_key"])
        assert abs(venues[place]["people"] - row["people"]) <= 4
    assert venues["V1"]["share"] == "c"  # 5 of 12 from outside: a small count
    # 13 of 25 from outside: the share is of the shown counts, never the exact 52%.
    v4 = stats.loc["V4"]
    shown_part = policy.count(v4["away"], v4["away_key"])
    shown_whole = policy.count(v4["known"], v4["known_key"])
    assert venues["V4"]["share"] == round(100 * shown_part / shown_whole)
    assert venues["V1"]["kind"] == "fast_food" and venues["V1"]["authority"] == "Northmere"
    notes = " ".join(public.info.notes)
    # What was left out, never how many (a count of what is too small to show).
    assert "Not shown: venues with under 10 young people" in notes
    assert "Not shown: private homes" in notes
    assert not re.search(r"Not (shown|drawn): \d", notes)


def test_public_counts_are_never_small_and_never_zero(public: PeerMap) -> None:
    count_keys = {"p", "s", "e", "value"}
    for layer, collection in _embedded(_page(public)).items():
        for feature in collection["features"]:
            for key, value in feature["properties"].items():
                if key in count_keys and isinstance(value, int | float):
                    assert value >= 10, (layer, key, value)
                    assert value % 5 == 0, (layer, key, value)


def test_labels_holding_template_tags_are_drawn_as_written(make_dataset: MakeDataset) -> None:
    # folium renders a map's scripts again as Jinja templates: a label "{{ ... }}" ran
    # there (any Python, from a CSV cell), and one naming nothing stopped the map with
    # Jinja's error. Every label reaches the page as written, for the browser to show.
    labels = {
        "V1": "chicken {{ 7*7 }} shop",
        "V2": "{% if true %}park{% endif %}",
        "V3": "{{ nosuch.attr }} flat",
        "V4": "{# a note #} school {{{",
    }
    people = [f"a{i:02d}" for i in range(1, 13)]
    sightings = [s for place in labels for s in _seen(place, people, 3)]
    ds = make_dataset(
        people=[(p, A, 14, "no") for p in people],
        places=[(v, "other", *POINTS[v], label) for v, label in labels.items()],
        sightings=sightings,
    )
    page = _page(make_map(ds, audience="partnership", tiles=None, gi_permutations=0))
    assert "chicken 49 shop" not in page
    strings = [
        json.loads(f'"{literal}"') for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', _ours(page))
    ]
    for label in labels.values():
        assert label in strings, label


def test_public_map_carries_no_pseudonym_no_place_id_and_no_label(
    ds: peermap.Dataset, public: PeerMap
) -> None:
    page = _page(public)
    assert _mentions(page, ds.people["person_id"]) == []
    for text in ('"V1"', '"V2"', "chicken shop", "tower block flat"):
        assert text not in page
    numbers = []
    for feature in _embedded(page)["hotspots"]["features"]:
        assert set(feature["properties"]) <= {"k", "a", "p", "s", "o", "r", "label", "at"}
        numbers += [feature["properties"]["r"]] if "r" in feature["properties"] else []
    # The most concerning venues are numbered among those shown: no gap for a withheld one.
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_public_links_drop_small_flows_and_say_so(public: PeerMap) -> None:
    links = public.info.table("links")
    assert links[["from", "to", "people"]].values.tolist() == [["Northmere", "Eastwick Vale", 10]]
    assert links.loc[0, "reach"] == "distant (not neighbours)"  # A and C do not border
    assert "Not drawn: links of under 10 young people" in public.info.notes
    relocations = public.info.table("relocations")
    assert relocations.empty
    assert "Not drawn: flows of under 10 young people" in public.info.notes


def test_public_choropleth_rounds_and_suppresses(public: PeerMap) -> None:
    values = public.info.table("authorities").set_index("code")["value"]
    assert values[A] == 25 and values[C] == 25  # 23 -> 25, 25 -> 25
    assert values[B] == "c"  # 3 young people seen in B
    assert values["X09000004"] == "c"  # none seen: withheld, not 0


def test_public_rule_follows_settings(ds: peermap.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "min_count", 3)
    monkeypatch.setattr(settings, "round_to", 1)
    m = make_map(ds, tiles=None, layers=["hotspots"])
    assert m.info.rule == SuppressionRule(3, 1, "c")
    policy = Audience.of("public")
    stats = venue_stats(ds)
    assert stats.loc["V2", "people"] == 3
    v2 = policy.count(stats.loc["V2", "people"], stats.loc["V2", "people_key"])
    # 3 young people meet the threshold of 3; shown unless its cell's noise takes it under.
    assert ("V2" in _by_place(m)) == isinstance(v2, int)
    assert {"V1", "V4"} <= set(_by_place(m)) and "V3" not in _by_place(m)
    if isinstance(v2, int):
        assert _by_place(m)["V2"]["people"] == v2


# --------------------------------------------------------------------------- partnership map


def test_partnership_map_shows_exact_counts_and_every_venue(partnership: PeerMap) -> None:
    venues = _by_place(partnership)
    assert set(venues) == {"V1", "V2", "V3", "V4"}
    assert [venues[v]["people"] for v in ("V1", "V2", "V3", "V4")] == [12, 3, 11, 25]
    assert venues["V1"]["sightings"] == 13 and venues["V1"]["share"] == 42  # 5 of 12
    assert venues["V1"]["place"] == "V1" and venues["V1"]["label_text"] == "chicken shop"
    assert venues["V1"]["contexts"] == [("cce", 13)]
    assert partnership.info.rule is None


def test_partnership_map_without_a_context_carries_no_pseudonym(
    ds: peermap.Dataset, partnership: PeerMap
) -> None:
    page = _page(partnership)
    assert _mentions(page, ds.people["person_id"]) == []
    assert "PARTNERSHIP ONLY" in page


def test_partnership_links_are_directed_and_classed_by_reach(partnership: PeerMap) -> None:
    links = partnership.info.table("links").set_index(["from", "to"])
    assert links["people"].to_dict() == {
        ("Harrowfield", "Northmere"): 5,
        ("Harrowfield", "Eastwick Vale"): 2,
        ("Northmere", "Eastwick Vale"): 11,
        ("Northmere", "Harrowfield"): 1,
    }
    assert links.loc[("Harrowfield", "Northmere"), "reach"] == "neighbours"
    assert links.loc[("Northmere", "Eastwick Vale"), "reach"] == "distant (not neighbours)"
    assert (links["directed"] == 1).all()
    # Each line runs from the origin's side to the destination's.
    graph = peermap.authority_graph(peermap.demo_boundaries())
    for feature in partnership.info.layers["links"]["features"]:
        start, end = feature["geometry"]["coordinates"][0], feature["geometry"]["coordinates"][-1]
        names = partnership.info.tables["authorities"]
        origin = peermap.demo_boundaries().set_index("name").loc[names[feature["properties"]["f"]]]
        o = graph.nodes[origin["code"]]["centroid_wgs84"]
        assert np.hypot(start[0] - o[0], start[1] - o[1]) < np.hypot(end[0] - o[0], end[1] - o[1])


def test_ties_links_are_undirected(ds: peermap.Dataset) -> None:
    m = make_map(ds, audience="partnership", tiles=None, layers=["links"], flow_kind="ties")
    links = m.info.table("links")
    assert links[["from", "to", "people"]].values.tolist() == [["Northmere", "Eastwick Vale", 2]]
    assert "directed" not in links


def test_partnership_relocations_and_share_choropleth(partnership: PeerMap) -> None:
    relocations = partnership.info.table("relocations")
    assert relocations[["from", "to", "people"]].values.tolist() == [
        ["Eastwick Vale", "Northmere", 1]
    ]
    shares = partnership.info.table("authorities").set_index("code")["value"]
    assert shares[A] == 22 and shares[C] == 52  # 5 of 23, 13 of 25
    assert shares["X09000004"] == "z"  # nobody seen there: not applicable


def test_context_view_shows_its_places_authorities_and_pseudonyms(ds: peermap.Dataset) -> None:
    table = peermap.contexts(ds)
    row = table[table["places"].map(lambda p: "V4" in p)].iloc[0]
    m = make_map(ds, audience="partnership", tiles=None, context=int(row["context_id"]))
    assert set(m.info.layers) == {"authorities", "links", "relocations", "hotspots"}
    assert set(_by_place(m)) == set(row["places"]) == {"V4"}
    spans = m.info.table("authorities")
    assert set(spans["code"]) == set(row["authorities"]) and spans["spans"].all()
    seen = _by_place(m)["V4"]["seen"]
    assert seen == sorted(row["people"])
    assert m.info.context == row["context_id"]
    page = _page(m)
    assert _mentions(page, row["people"]) == row["people"] and "Young people (25)" in page


def test_public_context_view_has_no_pseudonyms(ds: peermap.Dataset) -> None:
    table = peermap.contexts(ds)
    row = table[table["places"].map(lambda p: "V4" in p)].iloc[0]
    m = make_map(ds, tiles=None, context=int(row["context_id"]), **RULE)
    page = _page(m)
    assert _mentions(page, row["people"]) == []
    assert _by_place(m)["V4"]["people"] == 25
    assert "seen" not in m.info.table("hotspots")


def test_unknown_context_layer_or_audience_is_refused(ds: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match="no context 999"):
        make_map(ds, context=999)
    with pytest.raises(ValueError, match="unknown layer"):
        make_map(ds, layers=["heatmap"])
    with pytest.raises(ValueError, match="audience"):
        make_map(ds, audience="everyone")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exact counts"):
        make_map(ds, audience="partnership", min_count=5)
    no_boundaries = ds.replace(boundaries=None)
    with pytest.raises(ValueError, match="no boundaries"):
        make_map(no_boundaries, layers=["authorities"])


def test_a_public_view_never_rests_on_a_place(ds: peermap.Dataset) -> None:
    # Without boundaries the view's edges snap to a 10 km grid: no edge is a home's
    # easting or northing (the partnership's view hugs the places).
    plain = ds.replace(
        boundaries=None, places=ds.places.drop(columns=["authority_code", "authority_name"])
    )
    public = make_map(plain, tiles=None, layers=["hotspots"], **RULE)
    edges = public._content.bounds_bng
    assert all(v % 10_000 == 0 for v in edges)
    x, y = plain.places.geometry.x, plain.places.geometry.y
    assert edges[0] < x.min() and edges[2] > x.max() and edges[1] < y.min() and edges[3] > y.max()
    partnership = make_map(plain, tiles=None, layers=["hotspots"], audience="partnership")
    assert partnership._content.bounds_bng[0] == pytest.approx(x.min() - 500)


def test_map_without_boundaries_still_shows_venues(ds: peermap.Dataset) -> None:
    plain = ds.replace(
        boundaries=None, places=ds.places.drop(columns=["authority_code", "authority_name"])
    )
    m = make_map(plain, tiles=None, gi_permutations=99, **RULE)
    assert set(m.info.layers) <= {"gi_star", "hotspots"} and "hotspots" in m.info.layers
    assert m.info.attribution == ""


def test_gi_layer_keeps_significant_hot_cells_and_hides_small_counts(
    ds: peermap.Dataset, public: PeerMap
) -> None:
    # The map draws ArcGIS's z-score bins: under conditional permutation a busy venue
    # among empty cells is not itself significant (see docs/analysis.md, Gi*).
    # The venues' rule holds for cells: private homes left out of the statistic, and a
    # cell about fewer than 10 young people not drawn at all.
    everything = peermap.gi_star(ds, permutations=99, inference="analytical")
    grid = peermap.gi_star(
        ds, permutations=99, inference="analytical", exclude_place_kinds={"residential"}
    )
    assert grid["count"].sum() < everything["count"].sum()
    policy = Audience.of("public", **RULE)
    hot = grid[grid["bin"] > 0]
    drawn = hot[
        [policy.listed(n, k) for n, k in zip(hot["people"], hot["people_key"], strict=True)]
    ]
    cells = public.info.table("gi_star")
    assert len(cells) == len(drawn) > 0
    assert len(drawn) < len(hot)  # some hot cells are about too few young people
    assert (cells["bin"] > 0).all()
    expected = [policy.count(n, k) for n, k in zip(drawn["count"], drawn["count_key"], strict=True)]
    assert Counter(cells["sightings"]) == Counter(expected)
    assert "Gi* cell" in " ".join(public.info.notes)


def test_gi_cell_size_is_fitted_to_the_sightings_and_keeps_500_m_on_a_small_region(
    ds: peermap.Dataset, public: PeerMap
) -> None:
    fitted = peermap.gi_star(ds, cell_size_m=None, permutations=99, inference="analytical")
    assert fitted.attrs["cell_size_m"] == 500.0
    explicit = make_map(ds, tiles=None, gi_cell_size_m=500, gi_permutations=99, **RULE)
    assert public.info.layers["gi_star"] == explicit.info.layers["gi_star"]
    assert "Sightings on 500 m cells" in _page(public)


def test_gi_layer_left_out_says_why_and_a_request_names_the_keyword(
    ds: peermap.Dataset,
) -> None:
    # Four venues 18 km apart fit in one 100 km cell: no grid to test.
    m = make_map(ds, tiles=None, gi_cell_size_m=100_000, gi_permutations=99, **RULE)
    assert "gi_star" not in m.info.layers
    note = "Gi* hot spots not drawn: the sightings fit in fewer than 4 cells of 100000 m."
    assert note in m.info.notes
    assert note in html.unescape(_page(m)).replace('\\"', '"')
    with pytest.raises(ValueError, match=r"choose a smaller gi_cell_size_m$") as err:
        make_map(ds, tiles=None, layers=["gi_star"], gi_cell_size_m=100_000, **RULE)
    assert str(err.value).startswith("cannot draw layer 'gi_star': the sightings fit in")
    fig = plot_static(ds, gi_cell_size_m=100_000, gi_permutations=99, **RULE)
    assert note in fig.get_supxlabel()


@pytest.mark.real_boundaries
def test_gi_layer_is_drawn_over_all_england_on_larger_cells(lad_2024_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)  # codes derived from names
        england = peermap.load_boundaries(lad_2024_path)
    assert len(england) == 296
    ds = scenario(england, n_people=600, seed=1).dataset
    grid = peermap.gi_star(ds, cell_size_m=None, permutations=9, inference="analytical")
    size = grid.attrs["cell_size_m"]
    assert size > 500.0 and size % 500 == 0
    assert len(grid) <= peermap.getis_ord.FIT_MAX_CELLS
    m = make_map(ds, tiles=None, gi_permutations=99, layers=None)
    assert "gi_star" in m.info.layers
    assert f"Sightings on {size:g} m cells" in _page(m)
    assert not any("Gi*" in n and "not drawn:" in n for n in m.info.notes)
    with pytest.raises(ValueError, match="choose a larger gi_cell_size_m"):
        make_map(ds, tiles=None, layers=["gi_star"], gi_cell_size_m=500)


def test_relocations_choropleth_counts_young_people_received(ds: peermap.Dataset) -> None:
    m = make_map(
        ds,
        audience="partnership",
        tiles=None,
        layers=["authorities"],
        choropleth="relocations_received",
    )
    values = m.info.table("authorities").set_index("code")["value"]
    assert values[A] == 1 and values[C] == 0
    expected = peermap.relocations_received(ds).set_index("authority")["received"]
    assert values[A] == expected[A]
    later = make_map(
        ds,
        audience="partnership",
        tiles=None,
        layers=["authorities"],
        choropleth="relocations_received",
        since="2024-05-01",
    )
    assert later.info.table("authorities").set_index("code")["value"][A] == 0
    public = make_map(
        ds, tiles=None, layers=["authorities"], choropleth="relocations_received", **RULE
    )
    assert set(public.info.table("authorities")["value"]) == {"c"}


def test_venue_counts_agree_with_hotspots(ds: peermap.Dataset, partnership: PeerMap) -> None:
    expected = peermap.hotspots(ds).set_index("place_id")
    venues = _by_place(partnership)
    for place, row in venues.items():
        assert row["people"] == expected.loc[place, "people"]
        assert row["sightings"] == expected.loc[place, "sightings"]


# --------------------------------------------------------------------------- the page


def test_title_period_audience_and_attribution_are_on_the_map(public: PeerMap) -> None:
    page = _page(public)
    assert public.info.period == (
        pd.Timestamp("2024-01-10").date(),
        pd.Timestamp("2024-07-01").date(),
    )
    # A public page publishes months, never days.
    assert "Data Jan 2024 to Jul 2024" in page and "10 Jan 2024" not in page
    assert "Public map: aggregates only" in page
    assert "Counts under 10 are suppressed (shown as c, never as 0)" in page
    assert public.info.attribution == peermap.boundaries.DEMO_ATTRIBUTION
    assert json.dumps(public.info.attribution)[1:-1] in page
    assert "<title>Peer-on-peer abuse and exploitation across authorities</title>" in page


def test_real_boundaries_carry_the_ons_attribution(lad_2024_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)  # codes derived from names
        boundaries = peermap.load_boundaries(lad_2024_path)
    london = boundaries[boundaries["name"].isin(["Camden", "Islington", "Hackney"])]
    london.attrs = dict(boundaries.attrs)
    ds = scenario(london, n_people=300, seed=3).dataset
    m = make_map(ds, tiles=None, layers=["authorities", "hotspots"])
    assert m.info.attribution.startswith("Source: Office for National Statistics")
    assert "Contains OS data © Crown copyright and database right 2024" in m.info.attribution
    assert m.info.attribution in html.unescape(_page(m)).replace('\\"', '"')


def test_saved_map_is_self_contained(public: PeerMap, tmp_path: Path) -> None:
    path = save_map(public, tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert _assets.external_references(page) == []
    assert "L.version" in page or 't.version="1.9.4"' in page  # Leaflet is inline
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "bootstrap", "fontawesome"):
        assert cdn not in page
    assert not re.search(r"<script[^>]*\bsrc=|<link\b", page, flags=re.IGNORECASE)
    assert "sourceMappingURL" not in page
    assert "data:image/png;base64," in page  # the layer-control icon, inlined
    assert not list(tmp_path.glob(".*.part"))


def test_coordinates_are_rounded_to_five_decimals(public: PeerMap) -> None:
    text = json.dumps(public.info.layers)
    decimals = re.findall(r"-?\d+\.(\d+)", text)
    assert decimals and max(len(d) for d in decimals) <= 5


def test_default_basemap_is_the_only_network_use(ds: peermap.Dataset, tmp_path: Path) -> None:
    m = make_map(ds, layers=["hotspots"], **RULE)
    page = save_map(m, tmp_path / "tiles.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert _assets.external_references(page) == []
    nothing = make_map(ds, tiles=None, layers=["hotspots"], **RULE)
    assert "openstreetmap" not in _page(nothing).lower()


def test_a_cdn_plugin_is_refused_by_name_and_nothing_is_written(
    public: PeerMap, small: peermap.Dataset, tmp_path: Path
) -> None:
    m = make_map(small, tiles=None, layers=["hotspots"], **RULE)
    folium.plugins.Fullscreen().add_to(m)
    target = tmp_path / "plugin.html"
    with pytest.raises(ExternalAssetError, match=r"Control\.FullScreen\.js|leaflet\.fullscreen"):
        save_map(m, target)
    assert not target.exists() and not list(tmp_path.iterdir())


@pytest.fixture(scope="module")
def small(make_dataset: MakeDataset) -> peermap.Dataset:
    """Twelve young people of A seen at one park."""
    return make_dataset(
        people=[(f"p{i}", A, 14) for i in range(12)],
        places=[("Q", "park", *POINTS["V1"])],
        sightings=[(f"p{i}", "Q", "2024-03-01", "other", "police", "confirmed") for i in range(12)],
    )


def test_a_plain_folium_map_fails_the_offline_check(tmp_path: Path) -> None:
    with pytest.raises(ExternalAssetError, match=re.escape("code.jquery.com")):
        save_map(folium.Map(tiles=None), tmp_path / "plain.html")


def test_notebook_display_is_self_contained(public: PeerMap) -> None:
    shown = public._repr_html_()
    assert "<iframe srcdoc=" in shown
    inner = html.unescape(shown)
    assert _assets.external_references(inner) == [] and 't.version="1.9.4"' in inner
    plain = html.unescape(folium.Map(tiles=None)._repr_html_())
    assert _assets.external_references(plain)  # what PeerMap avoids


def test_folium_maps_are_left_unchanged(public: PeerMap) -> None:
    assert folium.Map.default_js and folium.Map.default_js[0][0] == "leaflet"
    assert PeerMap.default_js == [] and PeerMap.default_css == []


def test_no_key_in_any_output(
    ds: peermap.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = peermap.generate_key()
    monkeypatch.setenv(settings.key_env, key)
    people = peermap.pseudonymise(ds.people, ["person_id"], key=key)
    mapping = dict(zip(ds.people["person_id"], people["person_id"], strict=True))
    pseudonymised = ds.replace(
        people=people,
        sightings=ds.sightings.assign(person_id=ds.sightings["person_id"].map(mapping)),
        ties=ds.ties.assign(
            person_a=ds.ties["person_a"].map(mapping), person_b=ds.ties["person_b"].map(mapping)
        ),
        relocations=ds.relocations.assign(person_id=ds.relocations["person_id"].map(mapping)),
    )
    table = peermap.contexts(pseudonymised)
    for audience, context in (("public", None), ("partnership", int(table["context_id"].iloc[0]))):
        m = make_map(pseudonymised, audience=audience, tiles=None, context=context)  # type: ignore[arg-type]
        page = save_map(m, tmp_path / f"{audience}.html").read_text(encoding="utf-8")
        assert key not in page and key.upper() not in page
        plot_static(pseudonymised, tmp_path / f"{audience}.svg", audience=audience)  # type: ignore[arg-type]
        assert key not in (tmp_path / f"{audience}.svg").read_text(encoding="utf-8")
    public_page = (tmp_path / "public.html").read_text(encoding="utf-8")
    assert not any(p in public_page for p in people["person_id"])
    partnership_page = (tmp_path / "partnership.html").read_text(encoding="utf-8")
    assert any(p in partnership_page for p in people["person_id"])  # the context's pseudonyms


# --------------------------------------------------------------------------- static plot


def test_plot_static_writes_png_and_svg_atomically(ds: peermap.Dataset, tmp_path: Path) -> None:
    from PIL import Image

    fig = plot_static(
        ds, tmp_path / "map.png", choropleth="people_seen", gi_permutations=99, **RULE
    )
    assert fig.get_suptitle() == "Peer-on-peer abuse and exploitation across authorities"
    assert "Counts under 10 are suppressed" in fig.get_supxlabel()
    assert peermap.boundaries.DEMO_ATTRIBUTION in fig.get_supxlabel()
    with Image.open(tmp_path / "map.png") as image:
        assert image.size == (1650, 1275)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 24) or ()) > 50  # not blank
    svg = plot_static(ds, tmp_path / "map.svg", audience="partnership", layers=["hotspots"])
    assert svg.get_supxlabel().startswith("PARTNERSHIP ONLY")
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "map.svg"]


def test_plot_static_applies_the_same_rule(ds: peermap.Dataset) -> None:
    fig = plot_static(ds, layers=["hotspots"], **RULE)
    collections = [c for ax in fig.axes for c in ax.collections]
    markers = [c for c in collections if len(c.get_facecolors())]
    assert sum(len(c.get_offsets()) for c in markers) == 2  # V1 and V4 only
    # Both are among the most concerning: each wears a ring, as on the web map.
    rings = [c for c in collections if not len(c.get_facecolors())]
    assert [len(c.get_offsets()) for c in rings] == [2]


def test_boundary_simplification_keeps_shared_borders_shared() -> None:
    import shapely

    from peermap.views.map_style import simplify as _simplify

    geoms = np.asarray(peermap.demo_boundaries().geometry.values, dtype=object)

    def shared(polys: Any) -> list[float]:
        n = len(polys)
        return [
            shapely.length(shapely.intersection(polys[i].boundary, polys[j].boundary))
            for i in range(n)
            for j in range(i + 1, n)
        ]

    before = shared(geoms)
    simple = _simplify(geoms, 300.0)
    after = shared(simple)
    assert shapely.get_num_coordinates(simple).sum() < shapely.get_num_coordinates(geoms).sum()
    assert abs(shapely.area(simple).sum() - shapely.union_all(simple).area) < 1.0  # no overlap
    # Every border two authorities shared is still one line both sides draw.
    assert all(b2 > 0.5 * b1 for b1, b2 in zip(before, after, strict=True) if b1 > 100)
    naive = shared(shapely.simplify(geoms, 300.0, preserve_topology=True))
    assert any(b2 < 0.5 * b1 for b1, b2 in zip(before, naive, strict=True) if b1 > 100)


def test_wgs84_rounding_never_leaves_a_collapsed_ring() -> None:
    """Rings smaller than the 5-decimal rounding (about a metre) are dropped, not kept
    as two-point rings that GEOS refuses (the crash on the ONS 2013 file, issue 16)."""
    import shapely

    from peermap.views.map_style import to_wgs84

    rng = np.random.default_rng(16)
    geoms = []
    for x, y in rng.uniform((400_000, 150_000), (600_000, 400_000), size=(20, 2)):
        islet = shapely.Polygon(rng.uniform(0, 0.3, size=(3, 2)) + np.array([x + 1500, y]))
        hole = rng.uniform(0, 0.3, size=(3, 2)) + np.array([x + 200, y + 200])
        main = shapely.Polygon(shapely.box(x, y, x + 1000, y + 1000).exterior.coords, [hole])
        geoms.append(shapely.MultiPolygon([main, islet]))
    out = to_wgs84(np.asarray(geoms, dtype=object))
    assert shapely.is_valid(out).all()  # every ring has at least three distinct corners
    back = peermap.settings.metric_crs
    areas = gpd.GeoSeries(out, crs=peermap.settings.map_crs).to_crs(back).area
    assert np.allclose(areas, 1e6, rtol=0.01)


def test_the_most_concerning_venues_are_numbered_in_the_order_of_hotspots(
    demo_scenario: DemoScenario,
) -> None:
    sc = demo_scenario(600, 5)
    ds = sc.dataset
    m = make_map(ds, audience="partnership", tiles=None, layers=["hotspots"], max_venues=15)
    features = m.info.layers["hotspots"]["features"]
    assert len(features) == 15  # the 15 most concerning, not the 15 busiest
    numbered = {
        f["properties"]["r"]: f["properties"]["id"] for f in features if "r" in f["properties"]
    }
    ranked = peermap.hotspots(ds)["place_id"].astype(str).tolist()
    assert [numbered[r] for r in sorted(numbered)] == ranked[: len(numbered)]
    assert {f["properties"]["id"] for f in features} == set(ranked[:15])
    # A planted trap house is among the numbered ones.
    assert {h.place_id for h in sc.truth.trap_houses} & set(numbered.values())


def test_links_over_the_threshold_only_and_curved_apart(demo_scenario: Any) -> None:
    """Only the max_links largest links are drawn, the legend says how many others there
    are, and no two drawn links run over each other (Hausdorff distance)."""
    import shapely

    from peermap.views.map_builders import LINK_SEPARATION_PX

    ds = demo_scenario(600, 5).dataset
    every = make_map(ds, audience="partnership", tiles=None, layers=["links"], max_links=None)
    m = make_map(ds, audience="partnership", tiles=None, layers=["links"], max_links=12)
    total = len(every.info.layers["links"]["features"])
    assert total > 12
    drawn = m.info.table("links")
    assert len(drawn) == 12
    people = sorted(every.info.table("links")["people"], reverse=True)
    assert sorted(drawn["people"], reverse=True) == people[:12]
    assert any("Drawn: the 12 links" in n and f"of {total}" in n for n in m.info.notes)
    assert m._content is not None
    frame = m._content.layers[0].frame
    lines = list(frame.geometry)
    tolerance = LINK_SEPARATION_PX * m._content.mpp
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            assert shapely.hausdorff_distance(a, b) >= tolerance


def test_no_links_drawn_when_asked_for_none_and_limits_below_zero_refused(
    demo_scenario: Any,
) -> None:
    ds = demo_scenario(600, 5).dataset
    m = make_map(ds, audience="partnership", tiles=None, layers=["links"], max_links=0)
    assert len(m.info.table("links")) == 0
    assert any(n.startswith("Drawn: the 0 links") for n in m.info.notes)
    for limit in ("max_links", "max_venues"):
        with pytest.raises(ValueError, match=f"{limit}=-1"):
            make_map(ds, tiles=None, **{limit: -1})
    # A whole number from numpy is a whole number.
    counted = make_map(ds, tiles=None, max_venues=np.int64(3))
    assert any("the 3 most concerning" in n for n in counted.info.notes)


def test_online_spaces_alone_without_boundaries_have_no_map_but_a_report() -> None:
    people = pd.DataFrame(
        {"person_id": ["yp1", "yp2", "yp3"], "home_authority": ["N", "N", "E"], "age": [14, 15, 16]}
    )
    places = pd.DataFrame({"place_id": ["chat1"], "kind": ["online"], "platform": ["snapchat"]})
    sightings = pd.DataFrame(
        {
            "person_id": ["yp1", "yp2", "yp3"],
            "place_id": "chat1",
            "date": "2024-03-01",
            "context": "image_sharing",
            "source": "school",
            "reliability": "reported",
        }
    )
    ds = peermap.read_dataset({"people": people, "places": places, "sightings": sightings})
    for audience in ("public", "partnership"):
        with pytest.raises(ValueError, match="nothing to map"):
            make_map(ds, audience=audience, tiles=None)
        report = peermap.make_report(ds, audience=audience)
        assert report.map is None and "Map" not in report.info.sections
        assert "<iframe" not in report.to_html()


def test_a_public_map_draws_contexts_as_a_few_pairs_of_authorities(
    demo_scenario: DemoScenario,
) -> None:
    from peermap.views.map_contexts import CONTEXTS_ON_MAP, MAX_PUBLIC_PAIRS

    ds = demo_scenario(2000, 0).dataset
    m = make_map(ds, tiles=None, layers=["authorities", "contexts"])
    features = m.info.layers["contexts"]["features"]
    assert 0 < len(features) <= MAX_PUBLIC_PAIRS
    for f in features:
        props = f["properties"]
        assert f["geometry"]["type"] == "LineString"  # between two authorities, no place
        assert 1 <= props["c"] <= CONTEXTS_ON_MAP
        assert isinstance(props["p"], int) and props["p"] >= 10
        assert set(props) <= {"k", "w", "c", "p", "label", "at"}
    counts = [f["properties"]["c"] for f in features]
    assert counts == sorted(counts, reverse=True)  # the pairs most contexts span first
    page = m.get_root().render()
    assert "yp-" not in page and "pl-" not in page
