"""i2 Analyst's Notebook charts (ANX) and GEXF with time intervals, on hand-worked records.

The records are ``hand_worked`` (tests/conftest.py): seven young people, a hotel and a
park in Northmere and a school in Eastwick Vale, five ties, seven sightings and one care
placement.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

import peermap
from peermap.exchange.anx import ANX_ENTITY_TYPES, ANX_SIGHTING_LINK


def _chart(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_the_chart_has_the_structure_i2_documents(
    hand_worked: peermap.Dataset, tmp_path: Path
) -> None:
    path = peermap.to_anx(hand_worked, tmp_path / "case.anx")
    root = _chart(path)
    assert root.tag == "Chart"
    items = root.findall("ChartItemCollection/ChartItem")
    entity_types = {e.get("Name") for e in root.findall("EntityTypeCollection/EntityType")}
    assert entity_types == set(ANX_ENTITY_TYPES.values())
    entities = [i for i in items if i.find("End/Entity") is not None]
    links = [i for i in items if i.find("Link") is not None]
    assert len(entities) == 7 + 3 and len(links) == 5 + 7
    for item in entities:
        style = item.find("End/Entity/Icon/IconStyle")
        assert style is not None and style.get("Type") in entity_types
    link_types = {e.get("Name") for e in root.findall("LinkTypeCollection/LinkType")}
    grade_one = [s.get("Text") for s in root.findall("GradeOne/StringCollection/String")]
    grade_two = [s.get("Text") for s in root.findall("GradeTwo/StringCollection/String")]
    by_ends = {}
    for item in links:
        style = item.find("Link/LinkStyle")
        assert style is not None and style.get("Type") in link_types
        assert item.get("DateSet") == "true"
        link = item.find("Link")
        assert link is not None
        by_ends[(link.get("End1Id"), link.get("End2Id"), item.get("DateTime"))] = item
    # The a2-b1 tie: associate, 1 Feb 2024, police, reported; the grades say so.
    tie = by_ends[("person:a2", "person:b1", "2024-02-01T00:00:00")]
    assert tie.find("Link/LinkStyle").get("Type") == "associate"  # type: ignore[union-attr]
    assert grade_one[int(tie.get("GradeOneIndex", -1))] == "police"
    assert grade_two[int(tie.get("GradeTwoIndex", -1))] == "reported"
    assert tie.find("Link/LinkStyle").get("Strength") == "reported"  # type: ignore[union-attr]
    # c1 seen at the school on 15 Jan 2024 (a missing episode), by the police.
    seen = by_ends[("person:c1", "place:S", "2024-01-15T00:00:00")]
    assert seen.find("Link/LinkStyle").get("Type") == ANX_SIGHTING_LINK  # type: ignore[union-attr]
    assert seen.get("Label") == "missing_episode"
    # The school's authority is an attribute; c1's care placement a card.
    school = next(i for i in entities if i.get("Label") == "S")
    values = {a.get("AttributeClass"): a.get("Value") for a in school.iter("Attribute")}
    assert values["Authority"] == "X09000006" and values["Kind"] == "school"
    c1 = next(i for i in entities if i.get("Label") == "c1")
    card = c1.find("End/Entity/CardCollection/Card")
    assert card is not None and card.get("DateTime") == "2024-04-01T00:00:00"
    assert card.get("Text") == "X09000006 → X09000001"
    # The chart says who it is for.
    assert "PARTNERSHIP ONLY" in ET.tostring(root.find("Summary"), encoding="unicode")  # type: ignore[arg-type]


def test_a_chart_reads_back_with_nothing_lost(
    hand_worked: peermap.Dataset, demo_region: object, tmp_path: Path
) -> None:
    tagged = peermap.with_provenance(hand_worked, "X09000001")
    path = peermap.to_anx(tagged, tmp_path / "case.anx", allow=["places.label"])
    back = peermap.read_anx(path, boundaries=demo_region)
    assert peermap.datasets_equal(tagged, back)
    assert back.places["authority_code"].tolist() == tagged.places["authority_code"].tolist()
    assert back.meta["anx"]["audience"] == "partnership"
    # Without boundaries the same records, unassigned.
    assert peermap.datasets_equal(tagged, peermap.read_anx(path))


def test_a_synthetic_scenario_round_trips(demo_scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ds = demo_scenario(300, 2).dataset
    path = peermap.to_anx(ds, tmp_path / "demo.anx", allow=["places.label"])
    assert peermap.datasets_equal(ds, peermap.read_anx(path, boundaries=ds.boundaries))


def test_the_window_selects_what_is_charted(hand_worked: peermap.Dataset, tmp_path: Path) -> None:
    path = peermap.to_anx(hand_worked, tmp_path / "x.anx", min_reliability="confirmed")
    back = peermap.read_anx(path)
    assert len(back.ties) == 2 and set(back.sightings["reliability"].astype(str)) == {"confirmed"}
    assert len(back.people) == 7  # people and places stay whole


def test_person_level_exports_are_for_the_partnership_only(
    hand_worked: peermap.Dataset, tmp_path: Path
) -> None:
    for audience in ("public", "aggregate"):
        with pytest.raises(ValueError, match="for the partnership only"):
            peermap.to_anx(hand_worked, tmp_path / "x.anx", audience=audience)
        with pytest.raises(ValueError, match="for the partnership only"):
            peermap.to_gexf(hand_worked, tmp_path / "x.gexf", audience=audience)
    with pytest.raises(ValueError, match="audience='everyone'"):
        peermap.to_anx(hand_worked, tmp_path / "x.anx", audience="everyone")
    with pytest.raises(ValueError, match=r"places\.label"):
        peermap.to_anx(hand_worked, tmp_path / "x.anx", allow=["people.notes"])
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file(
    hand_worked: peermap.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "case.anx"
    path.write_text("old", encoding="utf-8")

    def broken(self: ET.ElementTree, target: Path, **kwargs: object) -> None:
        Path(target).write_text("<Chart", encoding="utf-8")
        raise OSError("interrupted")

    monkeypatch.setattr(ET.ElementTree, "write", broken)
    with pytest.raises(OSError, match="interrupted"):
        peermap.to_anx(hand_worked, path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["case.anx"]


def _edited(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    out = path.with_name("edited.anx")
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


@pytest.fixture()
def chart(hand_worked: peermap.Dataset, tmp_path: Path) -> Path:
    return peermap.to_anx(hand_worked, tmp_path / "case.anx")


def test_a_malformed_chart_names_file_element_and_value(chart: Path) -> None:
    cases = [
        ('End1Id="person:a2"', 'End1Id="person:zz"', r"<Link> End1Id='person:zz' names no entity"),
        ('GradeTwoIndex="2"', 'GradeTwoIndex="9"', r"GradeTwoIndex='9' is not a position"),
        ('DateTime="2024-02-01T00:00:00"', 'DateTime="1 Feb"', r"DateTime='1 Feb' is not an i2"),
        ('IconStyle Type="Place"', 'IconStyle Type="Vehicle"', r"entity type .* 'Vehicle'"),
        ('Type="associate"', 'Type="neighbour"', r"link type .* 'neighbour'"),
    ]
    for old, new, message in cases:
        edited = _edited(chart, old, new)
        with pytest.raises(peermap.ValidationError, match=message) as err:
            peermap.read_anx(edited)
        assert str(edited) in str(err.value) and "ChartItem 'ci" in str(err.value)


def test_records_failing_validation_name_the_chart_and_the_item(chart: Path) -> None:
    edited = _edited(chart, 'AttributeClass="Age" AttributeClassReference="ac18" Value="14"',
                     'AttributeClass="Age" AttributeClassReference="ac18" Value="old"')  # fmt: skip
    with pytest.raises(peermap.ValidationError) as err:
        peermap.read_anx(edited)
    problem = err.value.report.errors[0]  # type: ignore[union-attr]
    assert problem.file == f"{edited} [people]"
    assert str(problem.row).startswith("ci") and problem.column == "age"


def test_what_is_not_a_chart_is_refused(tmp_path: Path) -> None:
    cases = {
        "broken.anx": ("<Chart><ChartItemCollection>", r"not a well-formed XML chart \(line"),
        "graph.anx": ("<graphml/>", r"the root element is <graphml>, not <Chart>"),
        "bomb.anx": (
            '<?xml version="1.0"?><!DOCTYPE Chart [<!ENTITY a "aaaa">]><Chart>&a;</Chart>',
            "declares a document type or entities",
        ),
        "empty.anx": ("<Chart/>", r"no <GradeOne>"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(peermap.ValidationError, match=message) as err:
            peermap.read_anx(path)
        assert str(path) in str(err.value)
    with pytest.raises(peermap.ValidationError, match="no such file"):
        peermap.read_anx(tmp_path / "missing.anx")


def test_gexf_plays_contexts_forming(hand_worked: peermap.Dataset, tmp_path: Path) -> None:
    path = peermap.to_gexf(hand_worked, tmp_path / "peer.gexf")
    g = nx.read_gexf(path)
    assert g.graph["mode"] == "dynamic"
    # The c1-c2 sibling tie runs from 1 June 2023 to 1 June 2024; a1-a2 has no end.
    spans = {frozenset((u, v)): (d.get("start"), d.get("end")) for u, v, d in g.edges(data=True)}
    assert spans[frozenset(("c1", "c2"))] == ("2023-06-01", "2024-06-01")
    assert spans[frozenset(("a1", "a2"))] == ("2024-01-10", None)
    # A young person appears on their first tie and stays.
    assert g.nodes["c1"]["start"] == "2023-06-01" and "end" not in g.nodes["c1"]
    assert g.nodes["a3"]["start"] == "2024-05-01"
    # Nodes carry their context, as peermap.contexts finds it.
    table = peermap.contexts(hand_worked)
    for row in table.itertuples():
        for person in row.people:
            assert g.nodes[person]["context_id"] == row.context_id
    place = nx.read_gexf(peermap.to_gexf(hand_worked, tmp_path / "place.gexf", graph="place"))
    assert place.nodes["S"]["start"] == "2024-01-15"
    bare = nx.read_gexf(peermap.to_gexf(hand_worked, tmp_path / "bare.gexf", contexts=False))
    assert all("context_id" not in d for _, d in bare.nodes(data=True))


def test_peermap_export_writes_a_chart_by_its_suffix(
    hand_worked: peermap.Dataset,
    demo_region: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from peermap.cli import main
    from peermap.exchange import to_csv

    to_csv(hand_worked, tmp_path / "exports")
    region = tmp_path / "region.geojson"
    demo_region.to_file(region)  # type: ignore[attr-defined]
    source = [str(tmp_path / "exports"), "--boundaries", str(region)]
    assert main(["export", *source, "-o", str(tmp_path / "case.anx")]) == 0
    assert "PARTNERSHIP ONLY" in capsys.readouterr().out
    assert peermap.datasets_equal(
        hand_worked, peermap.read_anx(tmp_path / "case.anx", boundaries=demo_region)
    )
    assert main(["export", *source, "-o", str(tmp_path / "x.anx"), "--audience", "aggregate"]) == 2
    err = capsys.readouterr().err
    assert "for the partnership only (--audience partnership)" in err and "audience=" not in err
    assert not (tmp_path / "x.anx").exists()
    gexf = tmp_path / "net.gexf"
    assert main(["export", *source, "-o", str(gexf), "--since", "2024-02-01"]) == 0
    assert nx.read_gexf(gexf).graph["mode"] == "dynamic"
