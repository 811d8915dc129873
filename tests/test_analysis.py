"""Cross-borough analysis on a small scenario whose answers are worked out by hand.

Three boroughs of the fictional demo region: Northmere (A, X09000001), Harrowfield
(B, X09000002, a neighbour of A) and Eastwick Vale (C, X09000006, which borders neither).

    people   a1 a2 a3 (A)   b1 b2 (B)   c1 c2 (C; c1 looked after)
    places   H hotel in A,  P park in A,  S school in C
    ties     t1 a1-a2 friend confirmed      2024-01-10
             t2 a2-b1 associate reported    2024-02-01
             t3 b1-b2 friend unverified     2024-02-05   <- below a "reported" cut
             t4 c1-c2 sibling confirmed     2023-06-01 .. 2024-06-01
             t5 c1-a3 partner reported      2024-05-01   <- after c1's move into A
    sightings a1@H cse, b1@H cse, a2@H cce (February), a3@P bullying (April),
             c1@P cse (May, after the move), c2@S other, c1@S missing_episode (January)
    relocation c1: C -> A on 2024-04-01 (care placement)

Contexts: {a1, a2, b1, b2} + H spans A and B (neighbours), 3 serious sightings;
{a3, c1, c2} + P, S spans A and C (distant), 1 serious sighting.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import peermap
from peermap.analysis import contexts, flow_matrix, flows, hotspots
from peermap.getis_ord import gi_star
from peermap.relocations import host_notifications, relocation_exposure, relocations_received

A, B, C = "X09000001", "X09000002", "X09000006"


@pytest.fixture(scope="module")
def ds(hand_worked: peermap.Dataset) -> peermap.Dataset:
    """The scenario of the module docstring (``hand_worked`` in conftest.py)."""
    return hand_worked


def test_places_lie_in_the_boroughs_the_scenario_says(ds: peermap.Dataset) -> None:
    assert dict(zip(ds.places["place_id"], ds.places["authority_code"], strict=True)) == {
        "H": A,
        "P": A,
        "S": C,
    }


def test_contexts_match_the_hand_worked_answer(ds: peermap.Dataset) -> None:
    table = contexts(ds)
    assert len(table) == 2
    first, second = table.iloc[0], table.iloc[1]
    assert first["context_id"] == 1 and second["context_id"] == 2
    assert first["people"] == ["a1", "a2", "b1", "b2"] and first["places"] == ["H"]
    assert first["authorities"] == [A, B] and first["n_authorities"] == 2
    assert bool(first["spans_authorities"]) and first["reach"] == "neighbours"
    assert first["n_ties"] == 3 and first["cse"] == 2 and first["cce"] == 1
    assert first["serious"] == 3 and first["n_relocated"] == 0
    assert first["first_date"] == pd.Timestamp("2024-01-10")
    assert first["last_date"] == pd.Timestamp("2024-02-12")
    assert second["people"] == ["a3", "c1", "c2"] and second["places"] == ["P", "S"]
    assert second["authorities"] == [A, C] and second["reach"] == "distant"
    assert second["n_ties"] == 2 and second["serious"] == 1 and second["n_relocated"] == 1
    assert second["bullying"] == 1 and second["missing_episode"] == 1 and second["other"] == 1
    assert second["first_date"] == pd.Timestamp("2023-06-01")
    assert second["last_date"] == pd.Timestamp("2024-06-01")  # t4's last_seen
    # A and C centroids are more than 10 km apart in the demo region
    assert second["max_distance_km"] > first["max_distance_km"] > 0


def test_reliability_cut_drops_the_unverified_tie(ds: peermap.Dataset) -> None:
    # The cut on evidence keeps the context whole: b2 is still linked, by a weak tie,
    # but the unverified tie no longer counts.
    table = contexts(ds, min_reliability="reported")
    assert table.iloc[0]["people"] == ["a1", "a2", "b1", "b2"]
    assert table.iloc[0]["n_ties"] == 2
    # Cutting the links too drops b2, who hung on the unverified tie only.
    table = contexts(ds, min_reliability="reported", link_reliability="reported")
    assert table.iloc[0]["people"] == ["a1", "a2", "b1"]
    assert table.iloc[0]["n_ties"] == 2


def test_time_window_and_ties_only(ds: peermap.Dataset) -> None:
    # Only recorded ties, nothing before March 2024: t4 (to June) and t5 are active.
    table = contexts(ds, since="2024-03-01", include_places=False)
    assert table["people"].tolist() == [["a3", "c1", "c2"]]
    assert table.iloc[0]["places"] == []


def test_sighting_flows(ds: peermap.Dataset) -> None:
    table = flows(ds, kind="sightings")
    rows = [tuple(r) for r in table[["origin", "destination", "people", "events"]].to_numpy()]
    assert rows == [(A, A, 3, 3), (C, C, 2, 2), (B, A, 1, 1), (C, A, 1, 1)]
    assert table["within"].tolist() == [True, True, False, False]


def test_tie_flows_are_unordered_pairs(ds: peermap.Dataset) -> None:
    table = flows(ds, kind="ties")
    rows = [tuple(r) for r in table[["origin", "destination", "people", "events"]].to_numpy()]
    assert rows == [(A, A, 2, 1), (A, B, 2, 1), (A, C, 2, 1), (B, B, 2, 1), (C, C, 2, 1)]
    cut = flows(ds, kind="ties", min_reliability="reported")
    assert (B, B) not in set(zip(cut["origin"], cut["destination"], strict=True))


def test_relocation_flows_and_matrix(ds: peermap.Dataset) -> None:
    table = flows(ds, kind="relocations")
    assert table[["origin", "destination", "people", "events"]].values.tolist() == [[C, A, 1, 1]]
    matrix = flow_matrix(flows(ds, kind="sightings"))
    assert list(matrix.index) == list(matrix.columns) == [A, B, C]
    assert matrix.loc[B, A] == 1 and matrix.loc[A, B] == 0 and matrix.loc[A, A] == 3


def test_hotspot_ranks_and_measures(ds: peermap.Dataset) -> None:
    table = hotspots(ds)
    # H: three young people from two authorities, all recorded for CSE/CCE.
    assert table["place_id"].iloc[0] == "H"
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["concern"].is_monotonic_decreasing
    by_id = table.set_index("place_id")
    assert by_id.loc["P", "outside_share"] == pytest.approx(1 / 2)  # c1 of a3, c1
    assert by_id.loc["S", "outside_share"] == 0
    h = table.iloc[0]
    assert (h["people"], h["sightings"], h["home_authorities"]) == (3, 3, 2)
    assert h["outside_share"] == pytest.approx(1 / 3)  # b1 of a1, a2, b1
    assert (h["cse"], h["cce"]) == (2, 1)
    # H is the centre of the star a1, a2, b1: 3 of the 36 pairs among the 10 nodes
    assert h["betweenness"] == pytest.approx(3 / 36)
    assert table.crs.to_epsg() == 27700


def test_relocation_exposure(ds: peermap.Dataset) -> None:
    table = relocation_exposure(ds)
    row = table.iloc[0]
    assert (row["person_id"], row["from_authority"], row["to_authority"]) == ("c1", C, A)
    assert row["ties_after"] == 1  # t5 with a3, homed in A, after the move
    assert row["places_after"] == 1  # P, in A, in May
    assert row["contexts_after"] == ["cse"]
    assert bool(row["kept_home_ties"])  # t4 with c2 (homed in C) lasts to June
    received = relocations_received(ds)
    assert received.iloc[0]["authority"] == A and received.iloc[0]["received"] == 1
    assert received.iloc[0]["from_authorities"] == [C]
    notices = host_notifications(ds, A)
    assert notices["person_id"].tolist() == ["c1"] and notices["from_authority"].tolist() == [C]
    assert host_notifications(ds, B).empty


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_gi_star_matches_esda_called_directly(ds: peermap.Dataset) -> None:
    from esda.getisord import G_Local
    from esda.significance import calculate_significance
    from libpysal.weights import lat2W

    grid = gi_star(ds, cell_size_m=2000, permutations=99, seed=3)
    nrows, ncols = grid["row"].max() + 1, grid["col"].max() + 1
    assert grid["count"].sum() == len(ds.sightings)
    direct = G_Local(
        grid["count"].to_numpy(dtype=float),
        lat2W(nrows, ncols, rook=False),
        transform="B",
        permutations=99,
        star=True,
        seed=3,
        n_jobs=1,
        keep_simulations=True,
    )
    np.testing.assert_allclose(grid["z"], direct.Zs)
    # p doubles the smaller of esda's one-sided p-values from the same draws, ties
    # counted in both tails (not esda's "directed" p_sim: see tests/test_getis_ord.py)
    greater = calculate_significance(direct.Gs, direct.rGs, alternative="greater")
    lesser = calculate_significance(direct.Gs, direct.rGs, alternative="lesser")
    np.testing.assert_allclose(grid["p"], np.minimum(1, 2 * np.minimum(greater, lesser)))
    assert set(grid["bin"]) <= {-3, -2, -1, 0, 1, 2, 3}
    # each cell really is the square at its row and column
    cell = grid.iloc[ncols + 1]
    assert math.isclose(cell.geometry.area, 2000 * 2000)


def test_gi_star_finds_a_planted_cluster() -> None:
    rng = np.random.default_rng(1)
    n = 400
    xs = np.concatenate([rng.uniform(690500, 715500, n), rng.normal(700000, 300, n)])
    ys = np.concatenate([rng.uniform(300500, 319500, n), rng.normal(306000, 300, n)])
    places = pd.DataFrame(
        {
            "place_id": [f"pl{i}" for i in range(2 * n)],
            "kind": "park",
            "easting": xs.round(),
            "northing": ys.round(),
        }
    )
    people = pd.DataFrame({"person_id": ["x1"], "home_authority": ["X09000005"], "age": [15]})
    sightings = pd.DataFrame(
        {
            "person_id": "x1",
            "place_id": places["place_id"],
            "date": "2024-03-01",
            "context": "cce",
            "source": "police",
            "reliability": "reported",
        }
    ).drop_duplicates()
    data = peermap.read_dataset({"people": people, "places": places, "sightings": sightings})
    # Analytical p with FDR (ArcGIS's method) and permutation p without FDR both find
    # the cluster at 99%; cold spots are absent from a uniform background.
    for options in ({"inference": "analytical"}, {"fdr": False}):
        grid = gi_star(data, cell_size_m=1000, permutations=999, seed=0, **options)
        hot = grid[grid["bin"] == 3]
        assert len(hot), options
        centre = hot.geometry.union_all().centroid
        assert abs(centre.x - 700000) < 1500 and abs(centre.y - 306000) < 1500
    # With FDR over ~500 cells, permutation p (floor 2/1000) reaches no bin with 999
    # permutations: the result says so rather than pretending. With 9,999 (floor
    # 2/10,000) the cluster stands out, at 95% but not 99%.
    strict = gi_star(data, cell_size_m=1000, permutations=999, seed=0)
    assert strict.attrs["p_floor"] == pytest.approx(0.002)
    assert strict["p"].min() >= strict.attrs["p_floor"] - 1e-12
    assert not (strict["bin"] != 0).any()
    finer = gi_star(data, cell_size_m=1000, permutations=9999, seed=0)
    assert not (finer["bin"] == 3).any()
    flagged = finer[finer["bin"] > 0]
    assert len(flagged)
    centre = flagged.geometry.union_all().centroid
    assert abs(centre.x - 700000) < 1500 and abs(centre.y - 306000) < 1500


def test_graph_filters_and_attributes(ds: peermap.Dataset) -> None:
    g = peermap.networks.peer_graph(ds)
    assert isinstance(g, nx.MultiGraph) and g.number_of_nodes() == 7
    assert g.number_of_edges() == 5
    assert g.nodes["c1"]["relocated"] and g.nodes["c1"]["looked_after"]
    assert g.nodes["a1"]["home_authority"] == A and g.nodes["a1"]["age"] == 14
    _, _, data = next(iter(g.edges("b2", data=True)))
    assert data["reliability"] == "unverified" and data["source"] == "young_person"
    cut = peermap.networks.peer_graph(ds, min_reliability="corroborated")
    assert cut.number_of_edges() == 2  # t1, t4
    window = peermap.networks.peer_graph(ds, since="2024-04-15", until="2024-12-31")
    assert sorted(tuple(sorted(e)) for e in window.edges()) == [("a3", "c1"), ("c1", "c2")]
    pg = peermap.networks.place_graph(ds)
    assert pg.edges["c1", "S"]["contexts"] == {"missing_episode": 1}
    assert pg.nodes["H"]["authority_code"] == A and pg.nodes["H"]["bipartite"] == 1


def test_copresence_links_people_seen_together_within_the_window(ds: peermap.Dataset) -> None:
    g = peermap.networks.copresence_graph(ds, window_days=2)
    # a1 (10 Feb), a2 and b1 (12 Feb) at H: all three pairs within 2 days
    assert sorted(tuple(sorted(e)) for e in g.edges()) == [("a1", "a2"), ("a1", "b1"), ("a2", "b1")]
    assert g.edges["a2", "b1"]["places"] == ["H"]
    narrow = peermap.networks.copresence_graph(ds, window_days=0)
    assert sorted(tuple(sorted(e)) for e in narrow.edges()) == [("a2", "b1")]


@pytest.mark.parametrize("builder", ["peer_graph", "place_graph", "copresence_graph"])
def test_graphs_round_trip_through_geodataframes_exactly(ds: peermap.Dataset, builder: str) -> None:
    g = getattr(peermap.networks, builder)(ds)
    nodes, edges = peermap.networks.graph_to_gdfs(g)
    back = peermap.networks.graph_from_gdfs(nodes, edges)
    assert type(back) is type(g)
    assert back.graph == g.graph
    assert dict(back.nodes(data=True)) == dict(g.nodes(data=True))
    if g.is_multigraph():
        original = {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)}
        rebuilt = {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)}
    else:
        original = {(u, v): d for u, v, d in g.edges(data=True)}
        rebuilt = {(u, v): d for u, v, d in back.edges(data=True)}
    assert rebuilt.keys() == original.keys()
    for key, data in original.items():
        assert rebuilt[key].keys() == data.keys()
        for name, value in data.items():
            if isinstance(value, pd.Timestamp) or value is pd.NaT:
                assert (pd.isna(value) and pd.isna(rebuilt[key][name])) or rebuilt[key][
                    name
                ] == value
            else:
                assert rebuilt[key][name] == value
    if builder == "place_graph":
        assert nodes.loc["H"].geometry.x == 693500 and nodes.loc["a1"].geometry is None


def test_no_context_gives_an_empty_table_with_usable_types(ds: peermap.Dataset) -> None:
    table = contexts(ds, min_people=99)
    assert table.empty and table["spans_authorities"].dtype == bool
    assert table[table["spans_authorities"]].empty  # a row filter, not a column selection


def test_data_period_is_the_span_of_the_records_kept(ds: peermap.Dataset) -> None:
    import datetime as dt

    from peermap.networks import data_period

    # t4 runs 2023-06-01 .. 2024-06-01; the latest sighting is 2024-05-10
    assert data_period(ds) == (dt.date(2023, 6, 1), dt.date(2024, 6, 1))
    # clamped to the window: t4 is still active in March
    assert data_period(ds, since="2024-03-01") == (dt.date(2024, 3, 1), dt.date(2024, 6, 1))
    # in January only t1 (10 Jan), t4 and c1's sighting at S (15 Jan) are kept
    assert data_period(ds, until="2024-01-31")[1] == dt.date(2024, 1, 31)
    empty = ds.replace(ties=ds.ties.iloc[:0], sightings=ds.sightings.iloc[:0])
    assert data_period(empty.replace(relocations=ds.relocations.iloc[:0])) == (None, None)


def test_a_sighting_of_someone_outside_the_dataset_stops_hotspots(ds: peermap.Dataset) -> None:
    # Hotspots counts on positions in the people and places tables; a sighting that
    # refers to neither (a hand-edited dataset) must not be counted silently.
    import dataclasses

    sightings = ds.sightings.copy()
    sightings.loc[sightings.index[0], "place_id"] = "nowhere"
    edited = dataclasses.replace(ds, sightings=sightings)
    with pytest.raises(ValueError, match="place_id 'nowhere', which is not among the places"):
        peermap.hotspots(edited)


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("min_people", 0),
        ("max_people", 0),
        ("max_people", 1),
        ("max_people", 2.5),
        ("resolution", 0.0),
        ("resolution", float("nan")),
        ("tie_weight", -1.0),
    ],
)
def test_contexts_refuse_sizes_and_weights_they_cannot_mean(
    ds: peermap.Dataset, keyword: str, value: float
) -> None:
    # max_people=0 used to split every group down and still report groups of two.
    with pytest.raises(ValueError, match=f"{keyword}="):
        contexts(ds, **{keyword: value})
