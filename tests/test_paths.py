"""Paths, connecting networks, centrality and brokers on small hand-built records.

The chain (find_path)::

    a --friend (Jan 10)--> b --associate (Feb 1)--> c --seen at (Mar 1)--> P (a hotel)
    d (no records)

The date order case (find_path(date_ordered=True)): e-f is shortest to g, but f-g was
recorded before e-f, so the only chain in date order goes round through h and i::

    e --Mar 1-- f --Jan 1-- g            (shortest, goes back in time)
    e --Mar 5-- h --Mar 10-- i --Apr 1-- g   (longer, in date order)

The brokers (centrality)::

    p1 - p2 - p3 - p1 (a triangle)   p3 - p4 - p5      brokers: p3, p4
    q1 seen at Q, q2 seen at Q, q2 - q3                broker: q2 (Q is a place)
"""

from __future__ import annotations

import itertools
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import peermap
from peermap.analysis import PATH_COLUMNS

A, B, C = "X09000001", "X09000002", "X09000006"
HOTEL_IN_A = ("P", "hotel", 693500, 315500)


@pytest.fixture(scope="module")
def chain(make_dataset) -> peermap.Dataset:  # type: ignore[no-untyped-def]
    return make_dataset(
        people=[(p, A, 15) for p in ("a", "b", "c", "d", "e", "f", "g", "h", "i")],
        places=[HOTEL_IN_A],
        ties=[
            ("a", "b", "friend", "2024-01-10", "", "school", "confirmed"),
            ("b", "c", "associate", "2024-02-01", "", "police", "reported"),
            ("e", "f", "friend", "2024-03-01", "", "police", "reported"),
            ("f", "g", "friend", "2024-01-01", "", "police", "reported"),
            ("e", "h", "associate", "2024-03-05", "", "social_care", "corroborated"),
            ("h", "i", "associate", "2024-03-10", "", "social_care", "corroborated"),
            ("i", "g", "partner", "2024-04-01", "", "health", "unverified"),
        ],
        sightings=[("c", "P", "2024-03-01", "cse", "police", "confirmed")],
    )


def test_the_chain_from_a_young_person_to_a_place(chain: peermap.Dataset) -> None:
    steps = peermap.find_path(chain, "a", "P")
    assert list(steps.columns) == list(PATH_COLUMNS)
    assert steps[["from_id", "to_id", "link"]].values.tolist() == [
        ["a", "b", "friend"],
        ["b", "c", "associate"],
        ["c", "P", "seen_at"],
    ]
    assert steps["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-10",
        "2024-02-01",
        "2024-03-01",
    ]
    assert steps["source"].tolist() == ["school", "police", "police"]
    assert steps["reliability"].astype(str).tolist() == ["confirmed", "reported", "confirmed"]
    # Walked the other way, the same steps reversed.
    back = peermap.find_path(chain, "P", "a")
    assert back[["from_id", "to_id"]].values.tolist() == [["P", "c"], ["c", "b"], ["b", "a"]]


def test_no_chain_gives_an_empty_table_with_the_columns(chain: peermap.Dataset) -> None:
    for steps in (peermap.find_path(chain, "a", "d"), peermap.find_path(chain, "a", "a")):
        assert steps.empty and list(steps.columns) == list(PATH_COLUMNS)
    assert peermap.find_path(chain, "a", "d", date_ordered=True).empty


def test_ties_only(chain: peermap.Dataset) -> None:
    steps = peermap.find_path(chain, "a", "c", via="ties")
    assert steps["to_id"].tolist() == ["b", "c"]
    with pytest.raises(ValueError, match="'P' is a place; via='ties'"):
        peermap.find_path(chain, "a", "P", via="ties")
    with pytest.raises(ValueError, match="via='everything'"):
        peermap.find_path(chain, "a", "c", via="everything")  # type: ignore[arg-type]


def test_an_unknown_id_is_named_with_its_role(chain: peermap.Dataset) -> None:
    with pytest.raises(peermap.ValidationError, match=r"target 'zz' is no young person"):
        peermap.find_path(chain, "a", "zz")
    with pytest.raises(peermap.ValidationError, match=r"source 'yy'"):
        peermap.find_path(chain, "yy", "a", date_ordered=True)


def test_the_shortest_chain_goes_back_in_time_so_date_order_goes_round(
    chain: peermap.Dataset,
) -> None:
    shortest = peermap.find_path(chain, "e", "g")
    assert shortest["to_id"].tolist() == ["f", "g"]
    ordered = peermap.find_path(chain, "e", "g", date_ordered=True)
    assert ordered["to_id"].tolist() == ["h", "i", "g"]
    dates = ordered["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2024-03-05", "2024-03-10", "2024-04-01"]
    assert ordered["date"].is_monotonic_increasing
    # Walked from g, the short way is in date order (January, then March).
    back = peermap.find_path(chain, "g", "e", date_ordered=True)
    assert back["to_id"].tolist() == ["f", "e"]


def test_a_tie_may_be_crossed_on_any_day_of_its_span(make_dataset) -> None:  # type: ignore[no-untyped-def]
    ds = make_dataset(
        people=[("e", A, 15), ("f", A, 15), ("g", A, 15)],
        places=[HOTEL_IN_A],
        ties=[
            ("e", "f", "friend", "2024-03-01", "", "police", "reported"),
            ("f", "g", "friend", "2024-01-01", "2024-06-01", "police", "reported"),
        ],
    )
    ordered = peermap.find_path(ds, "e", "g", date_ordered=True)
    assert ordered["to_id"].tolist() == ["f", "g"]
    # f-g is crossed on the day e-f brought the chain to f, within its span.
    assert ordered["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-01", "2024-03-01"]
    # Without date order the step shows the record's own first date.
    plain = peermap.find_path(ds, "e", "g")
    assert plain["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-01", "2024-01-01"]


def test_the_window_selects_the_records_once_either_way(chain: peermap.Dataset) -> None:
    # From March 2 the e-f tie (one day, March 1) no longer counts.
    steps = peermap.find_path(chain, "e", "g", since="2024-03-02")
    assert steps["to_id"].tolist() == ["h", "i", "g"]
    same = peermap.find_path(chain, "e", "g", window=peermap.Window(since="2024-03-02"))
    pd.testing.assert_frame_equal(steps, same)
    assert peermap.find_path(chain, "a", "c", min_reliability="confirmed").empty
    with pytest.raises(ValueError, match="not both"):
        peermap.find_path(chain, "a", "c", window=peermap.Window(), since="2024-01-01")


def test_date_order_agrees_with_every_chain_in_date_order(make_dataset) -> None:  # type: ignore[no-untyped-def]
    """On random small networks, the date-ordered path is as short as the shortest of all
    simple chains whose dates can be kept in order (enumerated by networkx)."""
    rng = np.random.default_rng(3)
    people = [f"n{i}" for i in range(9)]
    for trial in range(15):
        ties = []
        for _ in range(14):
            a, b = rng.choice(len(people), 2, replace=False)
            first = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 60)))
            last = (
                first + pd.Timedelta(days=int(rng.integers(0, 20))) if rng.random() < 0.4 else None
            )
            ties.append(
                (
                    people[a],
                    people[b],
                    "friend",
                    first.strftime("%Y-%m-%d"),
                    "" if last is None else last.strftime("%Y-%m-%d"),
                    "police",
                    "reported",
                )
            )
        ds = make_dataset(
            people=[(p, A, 15) for p in people], places=[HOTEL_IN_A], ties=ties, boundaries=False
        )
        spans: dict[frozenset[str], list[tuple[pd.Timestamp, pd.Timestamp]]] = {}
        g = nx.Graph()
        for a, b, _, first, last, *_ in ties:
            start = pd.Timestamp(first)
            spans.setdefault(frozenset((a, b)), []).append(
                (start, pd.Timestamp(last) if last else start)
            )
            g.add_edge(a, b)

        def in_order(path: list[str], spans: dict = spans) -> bool:  # type: ignore[type-arg]
            day = pd.Timestamp.min
            for u, v in itertools.pairwise(path):
                options = [max(s, day) for s, e in spans[frozenset((u, v))] if e >= day]
                if not options:
                    return False
                day = min(options)
            return True

        source, target = "n0", "n1"
        lengths = [
            len(p) - 1
            for p in (nx.all_simple_paths(g, source, target) if source in g and target in g else [])
            if in_order(p)
        ]
        found = peermap.find_path(ds, source, target, date_ordered=True)
        if not lengths:
            assert found.empty, trial
            continue
        assert len(found) == min(lengths), trial
        assert found["date"].is_monotonic_increasing
        assert found["from_id"].iloc[0] == source and found["to_id"].iloc[-1] == target


def test_the_connecting_network_joins_the_ids_with_their_records(chain: peermap.Dataset) -> None:
    net = peermap.connecting_network(chain, ["a", "P"])
    assert isinstance(net, peermap.Dataset)
    assert sorted(net.people["person_id"]) == ["a", "b", "c"]
    assert net.places["place_id"].tolist() == ["P"]
    assert sorted(zip(net.ties["person_a"], net.ties["person_b"], strict=True)) == [
        ("a", "b"),
        ("b", "c"),
    ]
    assert net.sightings[["person_id", "place_id"]].values.tolist() == [["c", "P"]]
    with pytest.warns(peermap.PeermapWarning, match="1 of the 3 ids given share no chain"):
        alone = peermap.connecting_network(chain, ["a", "c", "d"])
    assert sorted(alone.people["person_id"]) == ["a", "b", "c", "d"]
    with pytest.raises(peermap.ValidationError, match="id 'zz'"):
        peermap.connecting_network(chain, ["a", "zz"])


@pytest.fixture(scope="module")
def groups(make_dataset) -> peermap.Dataset:  # type: ignore[no-untyped-def]
    tie = ("friend", "2024-02-01", "", "police", "reported")
    return make_dataset(
        people=[
            ("p1", A, 15),
            ("p2", A, 15),
            ("p3", A, 15),
            ("p4", B, 15),
            ("p5", C, 15),
            ("q1", B, 14),
            ("q2", B, 14),
            ("q3", B, 14),
        ],
        places=[("Q", "hotel", 693500, 315500)],
        ties=[
            ("p1", "p2", *tie),
            ("p2", "p3", *tie),
            ("p3", "p1", *tie),
            ("p3", "p4", *tie),
            ("p4", "p5", *tie),
            ("q2", "q3", *tie),
        ],
        sightings=[
            ("q1", "Q", "2024-03-01", "cse", "police", "reported"),
            ("q2", "Q", "2024-03-02", "cse", "police", "reported"),
        ],
    )


def test_brokers_are_those_whose_removal_splits_their_context(groups: peermap.Dataset) -> None:
    table = peermap.centrality(groups).set_index("person_id")
    assert sorted(table.index[table["broker"]]) == ["p3", "p4", "q2"]
    assert table["context_id"].notna().all()
    assert table.loc["p1", "context_id"] == table.loc["p5", "context_id"]
    assert table.loc["q1", "context_id"] == table.loc["q3", "context_id"]
    assert table.loc["p1", "context_id"] != table.loc["q1", "context_id"]
    from peermap.analysis.brokerage import brokers

    one = peermap.select(groups, context=["p1", "p2", "p3", "p4", "p5"])
    assert brokers(one) == {"p3", "p4"}


def test_centrality_measures(groups: peermap.Dataset) -> None:
    ties = peermap.centrality(groups).set_index("person_id")
    assert ties["degree"].to_dict() == {
        "p1": 2, "p2": 2, "p3": 3, "p4": 2, "p5": 1, "q1": 0, "q2": 1, "q3": 1,
    }  # fmt: skip
    assert ties.loc[["p1", "p2", "p3"], "k_core"].tolist() == [2, 2, 2]
    assert ties.loc[["p4", "p5", "q2"], "k_core"].tolist() == [1, 1, 1]
    # Authorities reached: own home and the homes of those tied to (p4 links A, B, C).
    assert ties["authorities"].to_dict() == {
        "p1": 1, "p2": 1, "p3": 2, "p4": 3, "p5": 2, "q1": 1, "q2": 1, "q3": 1,
    }  # fmt: skip
    # Betweenness as networkx computes it on the same graph (exact on small graphs).
    g = nx.Graph()
    g.add_nodes_from(groups.people["person_id"])
    g.add_edges_from(zip(groups.ties["person_a"], groups.ties["person_b"], strict=True))
    expected = nx.betweenness_centrality(g)
    for person, value in expected.items():
        assert ties.loc[person, "betweenness"] == pytest.approx(value)
    assert ties["eigenvector"].max() == pytest.approx(1.0)
    assert ties["eigenvector"].idxmax() == "p3"
    # Through places, q1 reaches Q (in A) and is linked to the place.
    everything = peermap.centrality(groups, via="all").set_index("person_id")
    assert everything.loc["q1", "degree"] == 1 and everything.loc["q1", "authorities"] == 2
    # Most between first.
    assert peermap.centrality(groups)["person_id"].iloc[0] == "p3"


def test_centrality_takes_a_contexts_table_and_checks_it(groups: peermap.Dataset) -> None:
    table = peermap.contexts(groups)
    given = peermap.centrality(groups, contexts=table)
    pd.testing.assert_frame_equal(given, peermap.centrality(groups))
    with pytest.raises(ValueError, match=r"table of peermap\.contexts"):
        peermap.centrality(groups, contexts=pd.DataFrame({"x": [1]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(peermap.centrality(groups, since="2030-01-01", contexts=table)) == 8


def test_partnership_diagrams_ring_the_brokers_and_public_ones_never(
    groups: peermap.Dataset,
) -> None:
    from peermap.views.diagram_style import BROKER_COLOUR

    diagram = peermap.peer_diagram(groups, audience="partnership")
    nodes = diagram.nodes.set_index("id")
    assert sorted(nodes.index[nodes["broker"]]) == ["p3", "p4", "q2"]
    assert set(nodes.loc[nodes["broker"], "outline"]) == {BROKER_COLOUR}
    assert BROKER_COLOUR not in set(nodes.loc[~nodes["broker"], "outline"])
    assert "removing them would split the group" in diagram.to_html()
    public = peermap.peer_diagram(groups, audience="public", min_count=1, round_to=1)
    assert not public.nodes["broker"].any()
    assert "removing them" not in public.to_html()


def test_the_partnership_report_lists_the_top_brokers(groups: peermap.Dataset) -> None:
    from peermap.views.report import build_report

    text = build_report(groups, audience="partnership", fmt="markdown")
    section = text.split("## Brokers", 1)[1].split("\n## ", 1)[0]
    assert "3 young people are brokers" in section
    rows = [
        line for line in section.splitlines() if line.startswith("| p") or line.startswith("| q")
    ]
    assert [r.split("|")[1].strip() for r in rows] == ["p3", "p4", "q2"]
    public = build_report(groups, audience="public", fmt="markdown", min_count=1, round_to=1)
    assert "## Brokers" not in public and "p3" not in public
