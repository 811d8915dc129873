"""Peer-group diagrams: elements, styles and audiences checked from the data; the page offline.

A hand-built group on the fictional demo region:

    A = Northmere (X09000001), B = Harrowfield (X09000002), C = Eastwick Vale (X09000006)
    people  a1-a4 live in A, b1, b2 in B, c1 in C; c1 was relocated C -> A
    places  v1 hotel in A ("<b>Hotel</b>" label), v2 park in B
    ties    a1-a2 friend confirmed, a1-a2 associate reported (two lines, bowed apart),
            a1-b1 partner unverified (across A-B: dashed, wide),
            c1->a3 exploiter reported (across C-A: arrow from c1), b1-b2 sibling corroborated
    sightings  a1@v1 twice (unverified, reported), b1@v1 unverified (across),
               b2@v2 confirmed, a4@v2 reported (across)

Record level: 7 young people + 2 places = 9 nodes; 5 ties + 4 person-place pairs = 9 lines.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import peermap
import test_browser
from conftest import DemoScenario, MakeDataset
from peermap import _assets
from peermap.views.diagrams import (
    AUTHORITY_COLOURS,
    BROKER_COLOUR,
    CROSS_FACTOR,
    FLOW_COLOURS,
    NODE_OUTLINE,
    OTHER_AUTHORITY_COLOUR,
    PLACE_SIDE,
    RING_COLOUR,
    RING_WIDTH,
    SIGHTING_COLOUR,
    SIGHTING_CROSS_COLOUR,
    TIE_COLOURS,
    TIE_WIDTH,
    UNVERIFIED_DASH,
    context_subset,
    peer_diagram,
)

# The harness of tests/test_browser.py, its ``browser`` fixture registered here as
# ``chromium``: headless chromium, every non-file request refused and recorded, console
# errors collected; on CI a missing browser fails instead of skipping.
chromium = test_browser.browser

A, B, C = "X09000001", "X09000002", "X09000006"
PEOPLE = {"a1": A, "a2": A, "a3": A, "a4": A, "b1": B, "b2": B, "c1": C}


def _public(n: int, people: Any, min_count: int, round_to: int) -> int | str:
    """What a public count of these young people shows: the rule with their cell's noise."""
    from peermap.cell_keys import cell_key, record_keys
    from peermap.disclosure import Audience

    key = cell_key(record_keys(sorted(people)).tolist())
    return Audience.of("public", min_count=min_count, round_to=round_to).count(n, key)


def _homed(code: str) -> list[str]:
    return [p for p, home in PEOPLE.items() if home == code]


@pytest.fixture(scope="module")
def group(make_dataset: MakeDataset) -> peermap.Dataset:
    ages = [14, 15, 15, 16, 14, 13, 17]
    return make_dataset(
        people=[(p, home, age) for (p, home), age in zip(PEOPLE.items(), ages, strict=True)],
        places=[
            ("v1", "hotel", 693500.0, 315500.0, "<b>Hotel</b></script>"),
            ("v2", "park", 700821.0, 315400.0, ""),
        ],
        ties=[
            ("a1", "a2", "friend", "2024-01-05", "", "police", "confirmed"),
            ("a1", "a2", "associate", "2024-02-05", "", "school", "reported"),
            ("a1", "b1", "partner", "2024-03-01", "2024-04-01", "school", "unverified"),
            ("c1", "a3", "exploiter", "2024-05-01", "", "police", "reported"),
            ("b1", "b2", "sibling", "2024-01-01", "", "social_care", "corroborated"),
        ],
        sightings=[
            ("a1", "v1", "2024-02-01", "cse", "police", "unverified"),
            ("a1", "v1", "2024-03-01", "cse", "police", "reported"),
            ("b1", "v1", "2024-03-02", "cce", "school", "unverified"),
            ("b2", "v2", "2024-04-01", "bullying", "school", "confirmed"),
            ("a4", "v2", "2024-04-02", "bullying", "school", "reported"),
        ],
        relocations=[("c1", C, A, "2024-04-20", "care_placement")],
    )


@pytest.fixture(scope="module")
def diagram(group: peermap.Dataset) -> peermap.views.diagrams.PeerDiagram:
    return peer_diagram(group, audience="partnership", seed=3)


def _edge(d: Any, u: str, v: str, kind: str | None = None) -> pd.Series:
    e = d.edges
    hit = e[(e["u"] == u) & (e["v"] == v)]
    if kind is not None:
        hit = hit[hit["kind"] == kind]
    assert len(hit) == 1, (u, v, kind, hit)
    return hit.iloc[0]


# --------------------------------------------------------------------------- record level


def test_nodes_are_the_young_people_and_places(diagram: Any) -> None:
    nodes = diagram.nodes.set_index("id")
    assert diagram.info.level == "people"
    assert len(nodes) == 9
    assert (nodes["type"] == "person").sum() == 7 and (nodes["type"] == "place").sum() == 2
    people = nodes[nodes["type"] == "person"]
    assert set(people.index) == set(PEOPLE)
    assert (people["shape"] == "circle").all()
    assert (nodes.loc[["v1", "v2"], "shape"] == "square").all()
    assert (nodes.loc[["v1", "v2"], "size"] == PLACE_SIDE).all()
    # Partnership: pseudonyms (and place labels) are the labels.
    assert people["label"].to_dict() == {p: p for p in PEOPLE}
    assert nodes.loc["v1", "label"] == "<b>Hotel</b></script>"
    assert nodes.loc["v2", "label"] == "v2"


def test_colours_follow_authorities_with_a_named_legend(diagram: Any) -> None:
    nodes = diagram.nodes.set_index("id")
    colours = dict(
        zip(diagram.info.authorities["code"], diagram.info.authorities["colour"], strict=True)
    )
    # Seven demo authorities, no more than the palette: ranked once for the dataset by
    # young people living there (A 4, B 2, C 1), the most distinct colours first.
    for i, code in enumerate((A, B, C)):
        assert colours[code] == AUTHORITY_COLOURS[i]
    for person, home in PEOPLE.items():
        assert nodes.loc[person, "colour"] == colours[home]
        assert nodes.loc[person, "authority"] == home
    # Places take the colour of the authority they lie in.
    assert nodes.loc["v1", "colour"] == colours[A] and nodes.loc["v1", "authority"] == A
    assert nodes.loc["v2", "colour"] == colours[B]
    assert len(set(colours.values())) == 3
    names = diagram.info.authorities.set_index("code")["name"].to_dict()
    assert names == {A: "Northmere", B: "Harrowfield", C: "Eastwick Vale"}
    page = diagram.to_html()
    for name in names.values():
        assert html.escape(name) in page


# --------------------------------------------------------------------------- palette
#
# Colour differences are CIE76 ΔE (Euclidean distance in CIELAB, D65 white) of sRGB
# colours. Colour-vision deficiency is simulated with the matrices of Machado, Oliveira
# and Fernandes (2009), "A physiologically-based model for simulation of color vision
# deficiency", IEEE TVCG 15(6):1291-1298, severity 1.0 (full dichromacy), applied to
# linear RGB. Thresholds: a just-noticeable difference is ΔE76 ~ 2.3 (Sharma 2003), but
# small marks need several times more to be told apart at a glance (Szafir 2017,
# "Modeling color difference for visualization design", IEEE TVCG 24(1)); a diagram's
# nodes are 12-13 px, so colours must differ by ΔE76 >= 20 (~9 JND) in normal vision.
# Full dichromacy collapses one colour axis, so under simulation the bar is half that,
# ΔE76 >= 10 (~4 JND, still well clear of the ~2-5 that reads as "the same colour").

MACHADO_DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
MACHADO_PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)
VISIONS = {"normal": None, "deuteranopia": MACHADO_DEUTERANOPIA, "protanopia": MACHADO_PROTANOPIA}
MIN_DELTA_E = {"normal": 20.0, "deuteranopia": 10.0, "protanopia": 10.0}


def _lab(colour: str, cvd: np.ndarray | None = None) -> np.ndarray:
    """CIELAB (D65) of an sRGB hex colour, seen with the given simulation matrix."""
    srgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    if cvd is not None:
        rgb = np.clip(cvd @ rgb, 0.0, 1.0)
    to_xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = to_xyz @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(a: str, b: str, cvd: np.ndarray | None = None) -> float:
    return float(np.linalg.norm(_lab(a, cvd) - _lab(b, cvd)))


def test_delta_e_formula() -> None:
    # Known CIELAB values: white (100, 0, 0), sRGB red (53.24, 80.09, 67.20).
    assert _lab("#FFFFFF") == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert _lab("#FF0000") == pytest.approx([53.24, 80.09, 67.20], abs=0.05)
    # A full-severity dichromat cannot tell red from green as well as normal vision can.
    assert _delta_e("#FF0000", "#00FF00", MACHADO_DEUTERANOPIA) < _delta_e("#FF0000", "#00FF00") / 2


def test_twelve_authorities_get_twelve_colours_most_people_first(make_dataset: MakeDataset) -> None:
    codes = [f"X0900{i:04d}" for i in range(100, 112)]
    people = [(f"p{i}-{j}", code, 15) for i, code in enumerate(codes) for j in range(13 - i)]
    ds = make_dataset(people=people, places=[("v1", "park", 693500.0, 315500.0)], boundaries=False)
    d = peer_diagram(ds, audience="partnership", collapse=False, labels=False)
    colours = dict(zip(d.info.authorities["code"], d.info.authorities["colour"], strict=True))
    assert len(colours) == 12
    assert OTHER_AUTHORITY_COLOUR not in colours.values()
    assert len(set(colours.values())) == 12
    # Most young people first: code i has 13 - i of them.
    assert [colours[c] for c in codes] == list(AUTHORITY_COLOURS[:12])
    # The same authority keeps its colour in a diagram of part of the dataset.
    part = peer_diagram(ds, context=["p11-0", "p5-0"], audience="partnership", labels=False)
    part_colours = dict(
        zip(part.info.authorities["code"], part.info.authorities["colour"], strict=True)
    )
    assert part_colours == {codes[11]: colours[codes[11]], codes[5]: colours[codes[5]]}


@pytest.mark.parametrize("vision", list(VISIONS))
def test_palette_colours_differ_from_each_other_and_from_other(vision: str) -> None:
    cvd, bar = VISIONS[vision], MIN_DELTA_E[vision]
    assert len(AUTHORITY_COLOURS) >= 12
    pairs = [(a, b) for i, a in enumerate(AUTHORITY_COLOURS) for b in AUTHORITY_COLOURS[i + 1 :]]
    worst = min(pairs, key=lambda p: _delta_e(*p, cvd))
    assert _delta_e(*worst, cvd) >= bar, (vision, worst, _delta_e(*worst, cvd))
    nearest = min(AUTHORITY_COLOURS, key=lambda c: _delta_e(c, OTHER_AUTHORITY_COLOUR, cvd))
    assert _delta_e(nearest, OTHER_AUTHORITY_COLOUR, cvd) >= bar, (vision, nearest)


def test_palette_colours_differ_from_tie_colours() -> None:
    for fill in AUTHORITY_COLOURS:
        for kind, line in TIE_COLOURS.items():
            assert _delta_e(fill, line) >= MIN_DELTA_E["normal"], (fill, kind, line)


def test_relocated_young_people_carry_a_ring(diagram: Any) -> None:
    nodes = diagram.nodes.set_index("id")
    assert nodes.index[nodes["relocated"]].tolist() == ["c1"]
    # c1 is a broker too (the group splits without them): the ring is the broker's colour.
    assert nodes.loc["c1", "outline"] == (
        BROKER_COLOUR if nodes.loc["c1", "broker"] else RING_COLOUR
    )
    assert nodes.loc["c1", "outline_width"] == RING_WIDTH
    others = nodes[(nodes["type"] == "person") & ~nodes["relocated"]]
    assert (
        others["outline"] == others["broker"].map({True: BROKER_COLOUR, False: NODE_OUTLINE})
    ).all()
    assert (others["outline_width"] < RING_WIDTH).all()
    assert "Eastwick Vale → Northmere" in nodes.loc["c1", "tip"]


def test_ties_are_styled_by_kind_reliability_and_reach(diagram: Any) -> None:
    edges = diagram.edges
    ties = edges[edges["type"] == "tie"]
    assert len(ties) == 5 and len(edges) == 9
    for t in ties.itertuples():
        assert t.colour == TIE_COLOURS[t.kind]
        assert (t.dash == UNVERIFIED_DASH) == (t.reliability == "unverified")
    partner = _edge(diagram, "a1", "b1", "partner")
    assert partner["dash"] == UNVERIFIED_DASH and partner["cross_authority"]
    assert partner["width"] == pytest.approx(TIE_WIDTH * CROSS_FACTOR)
    friend = _edge(diagram, "a1", "a2", "friend")
    assert friend["dash"] is None and not friend["cross_authority"]
    assert friend["width"] == pytest.approx(TIE_WIDTH)
    exploiter = _edge(diagram, "c1", "a3", "exploiter")
    assert exploiter["directed"] and exploiter["cross_authority"]
    assert exploiter["width"] > partner["width"]
    assert exploiter["colour"] == TIE_COLOURS["exploiter"]
    assert ties["directed"].sum() == 1
    assert ties["agency"].tolist().count("police") == 2
    # Cross-authority ties are drawn last, above the others.
    assert ties["cross_authority"].tolist() == sorted(ties["cross_authority"].tolist())


def test_sightings_join_people_to_places(diagram: Any) -> None:
    s = diagram.edges[diagram.edges["type"] == "sighting"]
    assert len(s) == 4
    a1 = _edge(diagram, "a1", "v1")
    assert a1["count"] == 2 and a1["reliability"] == "reported" and a1["dash"] is None
    assert a1["colour"] == SIGHTING_COLOUR and not a1["cross_authority"]
    b1 = _edge(diagram, "b1", "v1")
    assert b1["cross_authority"] and b1["colour"] == SIGHTING_CROSS_COLOUR
    assert b1["dash"] == UNVERIFIED_DASH
    a4 = _edge(diagram, "a4", "v2")
    assert a4["cross_authority"] and a4["dash"] is None
    assert not _edge(diagram, "b2", "v2")["cross_authority"]
    assert a1["width"] > b1["width"]  # two sightings against one


def test_lines_start_and_end_at_their_nodes_and_parallel_ties_bow_apart(diagram: Any) -> None:
    xy = diagram.nodes.set_index("id")[["x", "y"]]
    for e in diagram.edges.itertuples():
        assert tuple(e.points[0]) == pytest.approx(tuple(xy.loc[e.u]))
        assert tuple(e.points[-1]) == pytest.approx(tuple(xy.loc[e.v]))
    friend = np.asarray(_edge(diagram, "a1", "a2", "friend")["points"])
    associate = np.asarray(_edge(diagram, "a1", "a2", "associate")["points"])
    assert len(friend) > 2 and len(associate) > 2
    mid_f, mid_a = friend[len(friend) // 2], associate[len(associate) // 2]
    assert np.hypot(*(mid_f - mid_a)) > 5  # visibly two lines
    assert len(_edge(diagram, "b1", "b2")["points"]) == 2  # a lone tie is straight


def test_layout_is_deterministic_for_a_seed(group: peermap.Dataset) -> None:
    a = peer_diagram(group, audience="partnership", seed=11)
    b = peer_diagram(group, audience="partnership", seed=11)
    c = peer_diagram(group, audience="partnership", seed=12)
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    assert a.to_html() == b.to_html()
    assert not np.allclose(a.nodes[["x", "y"]], c.nodes[["x", "y"]])
    # Positions stay inside the layout box, and no two nodes sit on one another.
    xy = a.nodes[["x", "y"]].to_numpy()
    assert (xy[:, 0] >= 0).all() and (xy[:, 0] <= 1000).all()
    assert (xy[:, 1] >= 0).all() and (xy[:, 1] <= 700).all()
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(dist, np.inf)
    assert dist.min() > 12


def _three_groups(make_dataset: MakeDataset) -> peermap.Dataset:
    """Two peer groups homed in the same authority and a third next door.

    On a layout anchored to home authorities the first two sit on the same spot.
    """
    people = [(f"g{i}", A, 15) for i in range(4)]
    people += [(f"k{i}", A, 14) for i in range(4)]
    people += [(f"m{i}", B, 16) for i in range(3)]
    ties = []
    for prefix, n in (("g", 4), ("k", 4), ("m", 3)):
        ties += [
            (f"{prefix}{i}", f"{prefix}{i + 1}", "friend", "2024-01-05", "", "school", "reported")
            for i in range(n - 1)
        ]
    sightings = [(f"g{i}", "h1", "2024-02-01", "cse", "police", "reported") for i in range(4)]
    sightings += [(f"k{i}", "p1", "2024-02-03", "bullying", "school", "reported") for i in range(4)]
    sightings += [(f"m{i}", "p2", "2024-03-01", "cce", "police", "reported") for i in range(3)]
    return make_dataset(
        people=people,
        places=[
            ("h1", "hotel", 693500.0, 315500.0, "Hotel"),
            ("p1", "park", 693600.0, 315700.0, "Park"),
            ("p2", "park", 700821.0, 315400.0, "Rec"),
        ],
        ties=ties,
        sightings=sightings,
    )


def test_contexts_are_laid_out_apart_in_their_own_frames(make_dataset: MakeDataset) -> None:
    ds = _three_groups(make_dataset)
    table = peermap.contexts(ds)
    assert len(table) == 3
    d = peer_diagram(ds, audience="partnership", seed=5)
    nodes = d.nodes.set_index("id")
    # Every young person and every context's own place is framed with its context.
    for row in table.itertuples():
        for node in (*row.people, *row.places):
            assert nodes.loc[node, "context"] == row.context_id
    assert [cid for cid, _ in d.info.contexts] == sorted(table["context_id"])
    assert dict(d.info.contexts) == dict(zip(table["context_id"], table["reasons"], strict=True))
    # The frames (boxes around each context's nodes) do not overlap: the two groups of
    # the same authority are apart.
    boxes = []
    for cid in table["context_id"]:
        xy = d.nodes.loc[d.nodes["context"] == cid, ["x", "y"]].to_numpy()
        boxes.append((xy.min(axis=0), xy.max(axis=0)))
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (lo1, hi1), (lo2, hi2) = boxes[i], boxes[j]
            apart = (hi1 < lo2).any() or (hi2 < lo1).any()
            assert apart, f"contexts {i + 1} and {j + 1} overlap"
    # The page draws one dashed frame per context, named as in peermap.contexts.
    page = d.to_html()
    assert page.count('"label": "Context ') == 3 or page.count('"label":"Context ') == 3
    # A diagram of one context frames nothing.
    one = peer_diagram(ds, context=1, audience="partnership")
    assert (one.nodes["context"] == 0).all() and one.info.contexts == ()


def test_labels_can_be_left_off(group: peermap.Dataset) -> None:
    d = peer_diagram(group, audience="partnership", labels=False)
    assert (d.nodes["label"] == "").all()
    assert "a1" in d.nodes.set_index("id").loc["a1", "tip"]  # tooltips keep the pseudonym


def test_a_list_of_young_people_and_a_time_window(group: peermap.Dataset) -> None:
    d = peer_diagram(group, context=["a1", "b1"], audience="partnership")
    assert set(d.nodes["id"]) == {"a1", "b1", "v1"}
    assert d.edges[d.edges["type"] == "tie"]["kind"].tolist() == ["partner"]
    assert d.info.title == "Peer-group diagram: 2 young people"
    # Ties active from April: the partner tie (to 1 April) and the exploiter tie (May).
    recent = peer_diagram(group, audience="partnership", since="2024-04-01")
    assert set(recent.edges.loc[recent.edges["type"] == "tie", "kind"]) == {
        "partner",
        "exploiter",
    }
    firm = peer_diagram(group, audience="partnership", min_reliability="corroborated")
    assert set(firm.edges.loc[firm.edges["type"] == "tie", "kind"]) == {"friend", "sibling"}
    assert firm.info.subtitle.count("corroborated or better") == 1


def test_context_from_a_precomputed_contexts_table(demo_scenario: DemoScenario) -> None:
    ds = demo_scenario(600, 5).dataset
    table = peermap.contexts(ds)
    row = table.iloc[0]
    d = peer_diagram(
        ds, context=int(row["context_id"]), contexts_table=table, audience="partnership"
    )
    people = d.nodes[d.nodes["type"] == "person"]
    places = d.nodes[d.nodes["type"] == "place"]
    assert sorted(people["id"]) == sorted(row["people"])
    assert sorted(places["id"]) == sorted(row["places"])
    assert len(d.edges[d.edges["type"] == "tie"]) == row["n_ties"]
    sub, label = context_subset(ds, context=int(row["context_id"]), contexts_table=table)
    assert label == f"context {int(row['context_id'])}"
    assert len(d.edges[d.edges["type"] == "sighting"]) == len(
        sub.sightings.drop_duplicates(["person_id", "place_id"])
    )
    with pytest.raises(ValueError, match="no context 999"):
        peer_diagram(ds, context=999, contexts_table=table)
    with pytest.raises(ValueError, match="not in the dataset"):
        peer_diagram(ds, context=["nobody"])
    with pytest.raises(ValueError, match="lacks"):
        peer_diagram(ds, context=1, contexts_table=table.drop(columns="places"))


def test_trap_house_exploiter_points_at_the_exploited(demo_scenario: DemoScenario) -> None:
    sc = demo_scenario(600, 5)
    house = sc.truth.trap_houses[0]
    members = sorted(set(house.people) | set(house.exploiters))
    d = peer_diagram(sc.dataset, context=members, audience="partnership")
    exploiter = d.edges[d.edges["kind"] == "exploiter"]
    assert len(exploiter) > 0
    assert set(exploiter["u"]) <= set(house.exploiters)
    assert exploiter["directed"].all()
    assert d.nodes.set_index("id").loc[house.place_id, "authority"] == house.authority


# --------------------------------------------------------------------------- audiences


def test_public_diagram_never_shows_a_young_person(group: peermap.Dataset) -> None:
    # 4, 2 and 1 young people: under the default rule (10) every count would be "c" and
    # every link withheld, a picture that tells the reader nothing: refused, with why.
    with pytest.raises(ValueError, match="would show nothing") as refused:
        peer_diagram(group)  # public is the default
    assert "audience='partnership'" in str(refused.value)
    for text in [*PEOPLE, "v1", "v2", "Hotel"]:
        assert text not in str(refused.value)
    d = peer_diagram(group, min_count=3, round_to=1)
    assert d.info.level == "authorities" and d.info.audience == "public"
    assert set(d.nodes["type"]) == {"authority"}
    # Only authorities whose young people may be counted (or where a drawn link ends):
    # one young person homed in an authority would otherwise draw it, withheld.
    assert set(d.nodes["id"]) == {A}
    page = d.to_html()
    for text in [*PEOPLE, "v1", "v2", "Hotel"]:
        assert not re.search(rf"\b{re.escape(text)}\b", page), text
    assert "PARTNERSHIP ONLY" not in page and "Public diagram" in page
    nodes = d.nodes.set_index("id")
    assert nodes["count"].to_dict() == {A: 4}
    # Under 3: withheld; otherwise the count with its cell's noise (cell-key method).
    expected = {code: _public(n, _homed(code), 3, 1) for code, n in ((A, 4), (B, 2), (C, 1))}
    assert expected[B] == expected[C] == "c"
    assert nodes["shown"].to_dict() == {A: expected[A]}
    assert nodes.loc[A, "label"] == f"Northmere: {expected[A]}"
    assert d.info.rule is not None and d.info.rule.min_count == 3


def test_public_links_under_a_lower_threshold(group: peermap.Dataset) -> None:
    d = peer_diagram(group, min_count=2, round_to=1)
    nodes = d.nodes.set_index("id")
    expected = {code: _public(n, _homed(code), 2, 1) for code, n in ((A, 4), (B, 2), (C, 1))}
    assert expected[C] == "c"
    assert nodes["shown"].to_dict() == {k: v for k, v in expected.items() if v != "c"}
    # Ties A-B: a1 and b1, one on each side: withheld (each side needs 2). Sightings:
    # B->A (b1 at v1) and A->B (a4 at v2) one young person each; relocation C->A one.
    assert d.edges.empty
    notes = " ".join(d.info.notes)
    # What was left out, not how many (a count of what is too small to show).
    assert "Tie links between" in notes and "Sighting links between" in notes
    assert "Relocations between" in notes and not re.search(r"\d+ (tie|sighting) links", notes)
    every = peer_diagram(group, min_count=1, round_to=1)
    e = every.edges.set_index(["type", "u", "v"])
    moved = sorted(set(group.relocations["person_id"].astype(str)))
    for link, members in (
        (("ties", A, B), ["a1", "b1"]),
        (("ties", A, C), ["a3", "c1"]),
        (("sightings", B, A), ["b1"]),
        (("sightings", A, B), ["a4"]),
        (("relocations", C, A), moved),
    ):
        assert e.loc[link, "shown"] == _public(len(members), members, 1, 1), link
    assert e.loc[("relocations", C, A), "directed"]
    assert not e.loc[("ties", A, B), "directed"]
    assert e.loc[("sightings", A, B), "colour"] == FLOW_COLOURS["sightings"]
    assert len(every.edges) == 5


def test_partnership_collapses_above_max_nodes(group: peermap.Dataset) -> None:
    d = peer_diagram(group, audience="partnership", max_nodes=5)
    assert d.info.level == "authorities"
    assert d.nodes.set_index("id")["shown"].to_dict() == {A: 4, B: 2, C: 1}  # exact
    assert len(d.edges) == 5  # nothing withheld
    assert any("more than 5 nodes" in n for n in d.info.notes)
    assert "PARTNERSHIP ONLY" in d.to_html()
    forced = peer_diagram(group, audience="partnership", collapse=True)
    assert forced.info.level == "authorities"
    kept = peer_diagram(group, audience="partnership", max_nodes=5, collapse=False)
    assert kept.info.level == "people"


def test_refusals(group: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match="always collapsed"):
        peer_diagram(group, collapse=False)
    with pytest.raises(ValueError, match="exact counts"):
        peer_diagram(group, audience="partnership", min_count=10)
    with pytest.raises(ValueError, match="audience"):
        peer_diagram(group, audience="everyone")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        peer_diagram(group.people)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- outputs


def test_page_is_self_contained_and_escapes_labels(diagram: Any) -> None:
    page = diagram.to_html()
    assert _assets.external_references(page) == []
    assert "<script src" not in page and "<link" not in page
    assert _assets.leaflet_version() in page
    # The label "<b>Hotel</b></script>" cannot close the script or add markup.
    assert page.count("</script>") == page.count("<script>")
    assert "<b>Hotel</b>" not in page
    assert "PARTNERSHIP ONLY" in page


def test_save_html_png_svg_atomically(group: peermap.Dataset, diagram: Any, tmp_path: Path) -> None:
    html_path = diagram.save(tmp_path / "d.html")
    assert html_path.read_text(encoding="utf-8") == diagram.to_html()
    png = diagram.save(tmp_path / "d.png")
    svg = diagram.save(tmp_path / "d.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:400]
    with pytest.raises(ValueError, match="cannot save"):
        diagram.save(tmp_path / "d.txt")
    peer_diagram(group, audience="partnership", seed=3, path=tmp_path / "p.html")
    assert (tmp_path / "p.html").read_text(encoding="utf-8") == diagram.to_html()
    # Nothing half-written is left beside the files.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.html", "d.png", "d.svg", "p.html"]


def test_static_figure_uses_the_same_colours(diagram: Any) -> None:
    from matplotlib.colors import to_hex

    fig = diagram.plot()
    ax = fig.axes[0]
    line_colours = {to_hex(line.get_color()) for line in ax.get_lines()}
    assert {c.lower() for c in diagram.edges["colour"]} <= line_colours
    dashed = [line for line in ax.get_lines() if line.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == int((diagram.edges["dash"] == UNVERIFIED_DASH).sum())
    faces = set()
    for coll in ax.collections:
        faces |= {to_hex(c) for c in coll.get_facecolors()}
    assert {c.lower() for c in diagram.nodes["colour"]} <= faces
    legend_text = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"Northmere", "Harrowfield", "Eastwick Vale"} <= set(legend_text)
    assert "dashed: unverified" in legend_text


def test_notebook_display_is_an_iframe_holding_the_page(diagram: Any) -> None:
    shown = diagram._repr_html_()
    assert shown.startswith("<iframe") and "srcdoc=" in shown
    assert "&lt;script&gt;" in shown


# --------------------------------------------------------------------------- browser


def _open(chromium: Any, path: Path) -> Any:
    return test_browser.Page(chromium, path)


def test_diagram_opens_offline_with_every_element(
    chromium: Any, diagram: Any, tmp_path: Path
) -> None:
    page = _open(chromium, diagram.save(tmp_path / "diagram.html"))
    try:
        assert page.requests == []
        assert page.errors == []
        nodes, edges = diagram.nodes, diagram.edges
        assert page.js("PD.count('person')") == (nodes["type"] == "person").sum() == 7
        assert page.js("PD.count('place')") == (nodes["type"] == "place").sum() == 2
        assert page.js("document.querySelectorAll('.pd-place').length") == 2
        assert page.js("document.querySelectorAll('path.pd-edge').length") == len(edges)
        assert page.js("document.querySelectorAll('path.pd-tie').length") == 5
        assert page.js("document.querySelectorAll('path.pd-relocated').length") == 1
        # Styles as in the data: dashes, colours, widths, the exploiter's arrowhead.
        dashed = page.js(
            "Array.from(document.querySelectorAll('path.pd-edge'))"
            ".filter(p => p.getAttribute('stroke-dasharray')).length"
        )
        assert dashed == int((edges["dash"] == UNVERIFIED_DASH).sum()) == 2
        strokes = page.js(
            "Array.from(document.querySelectorAll('path.pd-tie'))"
            ".map(p => [p.getAttribute('stroke'), Number(p.getAttribute('stroke-width'))])"
        )
        ties = edges[edges["type"] == "tie"]
        assert sorted((c.lower(), round(w, 2)) for c, w in strokes) == sorted(
            (c.lower(), round(float(w), 2))
            for c, w in zip(ties["colour"], ties["width"], strict=True)
        )
        arrows = page.js(
            "Array.from(document.querySelectorAll('path[marker-end]'))"
            ".map(p => document.querySelector(p.getAttribute('marker-end').slice(4, -1)) !== null)"
        )
        assert arrows == [True]
        fills = page.js(
            "Array.from(document.querySelectorAll('path.pd-person'))"
            ".map(p => p.getAttribute('fill').toLowerCase())"
        )
        assert sorted(fills) == sorted(
            c.lower() for c in nodes.loc[nodes["type"] == "person", "colour"]
        )
        # The legend names the authorities; the banner says who may see it.
        legend = page.js("document.querySelector('.pd-legend').textContent")
        for name in ("Northmere", "Harrowfield", "Eastwick Vale", "dashed: unverified"):
            assert name in legend
        assert "PARTNERSHIP ONLY" in page.js("document.querySelector('.pd-title').textContent")
        # The hostile place label is shown as text, not markup.
        labels = page.js(
            "Array.from(document.querySelectorAll('.pd-label span')).map(s => s.textContent)"
        )
        assert "<b>Hotel</b></script>" in labels and "a1" in labels
        # Hovering a young person shows the tooltip with the pseudonym.
        x, y = page.js(
            "(() => { var r = document.querySelector('path.pd-relocated').getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        page.page.mouse.move(x, y, steps=4)
        page.page.wait_for_function(
            "() => { var t = document.querySelector('.leaflet-tooltip .pd-tip');"
            " return t && t.textContent.includes('c1'); }",
            timeout=3000,
        )
        tip = page.js("document.querySelector('.leaflet-tooltip .pd-tip').textContent")
        assert "Eastwick Vale → Northmere" in tip
        # Switching ties off removes them.
        page.page.locator(".leaflet-control-layers-overlays label", has_text="Ties").click()
        assert page.js("document.querySelectorAll('path.pd-tie').length") == 0
        page.page.mouse.move(5, 5)
        shot = tmp_path / "diagram.png"
        page.page.screenshot(path=str(shot))
        test_browser._assert_not_blank(shot)
        assert page.errors == [] and page.requests == []
    finally:
        page.page.close()


def test_public_diagram_opens_offline_without_pseudonyms(
    chromium: Any, tmp_path: Path, demo_scenario: DemoScenario
) -> None:
    ds = demo_scenario(600, 5).dataset
    d = peer_diagram(ds, min_count=10, round_to=5)
    page = _open(chromium, d.save(tmp_path / "public.html"))
    try:
        assert page.errors == [] and page.requests == []
        assert page.js("PD.count('authority')") == len(d.nodes) == 7
        assert page.js("document.querySelectorAll('path.pd-edge').length") == len(d.edges) > 0
        assert page.js("document.querySelectorAll('path[marker-end]').length") == int(
            d.edges["directed"].sum()
        )
        text = page.js("document.body.textContent")
        assert "yp-" not in text and "pl-" not in text
        shown = page.js(
            "Array.from(document.querySelectorAll('.pd-flow span')).map(s => s.textContent)"
        )
        assert sorted(shown) == sorted(str(v) for v in d.edges["shown"])
        assert all(int(v) >= 10 for v in shown)
    finally:
        page.page.close()


def test_without_boundaries(
    make_dataset: MakeDataset, names_as_written: dict[str, pd.DataFrame]
) -> None:
    ds = make_dataset(
        **names_as_written,
        sightings=[("a", "v1", "2024-01-03", "cse", "police", "reported")],
        boundaries=False,
    )
    d = peer_diagram(ds, audience="partnership")
    nodes = d.nodes.set_index("id")
    assert nodes.loc["a", "colour"] == nodes.loc["c", "colour"] != nodes.loc["b", "colour"]
    assert nodes.loc["v1", "colour"] == "#FFFFFF"  # no authority known for the place
    assert d.info.authorities["name"].tolist() == ["Barnet", "Camden"]
    assert d.info.attribution == ""
    assert not d.edges.set_index("u").loc["a", "cross_authority"].all()  # a-v1: unknown
    assert _edge(d, "a", "b", "exploiter")["cross_authority"]
    legend = d.to_html()
    assert "no authority known" in legend
    public = peer_diagram(ds, min_count=1, round_to=1)
    assert public.edges[["u", "v", "type"]].values.tolist() == [["Barnet", "Camden", "ties"]]
    home = ds.people.set_index("person_id")["home_authority"]
    across = ds.ties[
        home.reindex(ds.ties["person_a"]).to_numpy() != home.reindex(ds.ties["person_b"]).to_numpy()
    ]
    members = sorted(set(across["person_a"]) | set(across["person_b"]))
    assert len(members) == 2
    assert public.edges["shown"].tolist() == [_public(2, members, 1, 1)]


def test_a_whole_dataset_diagram_is_legible(demo_scenario: DemoScenario) -> None:
    # 2,000 young people collapse into their authorities: the strongest links only, count
    # labels that never cover each other, and a legend that wraps instead of squeezing
    # the drawing to nothing.
    ds = demo_scenario(2000, 0).dataset
    for audience in ("partnership", "public"):
        d = peer_diagram(ds, audience=audience)  # type: ignore[arg-type]
        assert d.info.level == "authorities"
        for kind in ("ties", "sightings", "relocations"):
            assert (d.edges["type"] == kind).sum() <= 12
        fig = d.plot()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        ax = fig.axes[0]
        box = ax.get_window_extent(renderer)
        assert box.width > 0.5 * fig.bbox.width and box.height > 0.5 * fig.bbox.height
        labels = [
            t.get_window_extent(renderer)
            for t in ax.texts
            if t.get_text().replace(",", "").isdigit() and t.get_bbox_patch() is not None
        ]
        assert labels
        overlapping = sum(1 for i, a in enumerate(labels) for b in labels[i + 1 :] if a.overlaps(b))
        assert overlapping == 0, audience
        assert any("weaker" in n for n in d.info.notes)


def test_the_period_a_diagram_states_is_its_window(demo_scenario: DemoScenario) -> None:
    # The subtitle gave the data's last month whatever --until said.
    ds = demo_scenario(300, 3).dataset
    page = peer_diagram(ds, until="2024-09-07", audience="partnership").to_html()
    assert "to 7 Sep 2024" in page and "Dec 2024" not in page
