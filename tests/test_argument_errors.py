"""Bad arguments to public functions raise peermap's own exceptions, never a built-in's.

The project's rule: no exception other than peermap's (:mod:`peermap.exceptions`)
reaches a user. A fuzzer (session 28) found wrong argument types and values raising
``ValueError``, ``TypeError``, ``KeyError``, ``AttributeError``, numpy's cast errors,
folium's ``ValueError`` and ``FileExistsError``. Each case is here, with a sample of
the other argument checks, and must raise :class:`peermap.ArgumentError` (a
``ValueError`` and a ``TypeError`` too, so older ``except`` clauses still catch it) or
the more specific peermap exception that fits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import peermap
from peermap import ArgumentError, BoundaryError, ValidationError

Case = Callable[[peermap.Dataset], Any]


@pytest.fixture(scope="module")
def unbounded(hand_worked: peermap.Dataset) -> peermap.Dataset:
    """The hand-worked dataset without boundaries (places have no authority)."""
    places = hand_worked.places.drop(
        columns=["authority_code", "authority_name", "assignment"], errors="ignore"
    )
    return hand_worked.replace(places=places, boundaries=None)


def test_argument_error_is_a_value_error_and_a_type_error() -> None:
    assert issubclass(ArgumentError, ValueError)
    assert issubclass(ArgumentError, TypeError)
    assert "ArgumentError" in peermap.exceptions.__all__
    assert peermap.ArgumentError is peermap.exceptions.ArgumentError


# The cases the fuzzer found, one call each on the hand-worked dataset.
FOUND: dict[str, Case] = {
    "contexts(min_reliability='bogus')": lambda ds: peermap.contexts(ds, min_reliability="bogus"),
    "contexts(min_reliability=['confirmed'])": lambda ds: peermap.contexts(
        ds, min_reliability=["confirmed"]
    ),
    "contexts(min_reliability=3)": lambda ds: peermap.contexts(ds, min_reliability=3),
    "hotspots(since='not a date')": lambda ds: peermap.hotspots(ds, since="not a date"),
    "hotspots(since=[])": lambda ds: peermap.hotspots(ds, since=[]),
    "flows(since after until)": lambda ds: peermap.flows(
        ds, since="2024-06-01", until="2024-01-01"
    ),
    "peer_graph(window='x')": lambda ds: peermap.peer_graph(ds, window="x"),
    "peer_graph(window=5)": lambda ds: peermap.peer_graph(ds, window=5),
    "make_report(top=-1)": lambda ds: peermap.make_report(ds, top=-1),
    "make_report(top='5')": lambda ds: peermap.make_report(ds, top="5"),
    "gi_star(seed='a')": lambda ds: peermap.gi_star(ds, seed="a", permutations=9),
    "gi_star(seed=-1)": lambda ds: peermap.gi_star(ds, seed=-1, permutations=9),
    "gi_star(permutations='9')": lambda ds: peermap.gi_star(ds, permutations="9"),
    "gi_star(permutations=0)": lambda ds: peermap.gi_star(ds, permutations=0),
    "centrality(contexts='x')": lambda ds: peermap.centrality(ds, contexts="x"),
    "hotspots(betweenness_sample='a')": lambda ds: peermap.hotspots(ds, betweenness_sample="a"),
    "copresence_graph(window_days='7')": lambda ds: peermap.copresence_graph(ds, window_days="7"),
    "flow_matrix(value='bogus')": lambda ds: peermap.flow_matrix(peermap.flows(ds), value="bogus"),
    "make_map(tiles='bogus')": lambda ds: peermap.make_map(
        ds, tiles="bogus", layers=["authorities"]
    ),
    "make_map(tiles=5)": lambda ds: peermap.make_map(ds, tiles=5, layers=["authorities"]),
    "make_map(layers='venues')": lambda ds: peermap.make_map(ds, layers="venues"),
    "make_map(layers=3)": lambda ds: peermap.make_map(ds, layers=3),
}


@pytest.mark.parametrize("case", FOUND.values(), ids=FOUND.keys())
def test_bad_arguments_found_by_the_fuzzer(hand_worked: peermap.Dataset, case: Case) -> None:
    with pytest.raises(ArgumentError):
        case(hand_worked)


def test_window_refuses_bad_arguments() -> None:
    with pytest.raises(ArgumentError, match="min_reliability='bogus'"):
        peermap.Window(min_reliability="bogus")
    with pytest.raises(ArgumentError, match=r"min_reliability= takes one grade.*a list"):
        peermap.Window(min_reliability=["confirmed"])  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="since='bogus' is not a date"):
        peermap.Window(since="bogus")
    with pytest.raises(ArgumentError, match="is after until"):
        peermap.Window(since="2024-05-01", until="2024-01-01")
    # Still a ValueError and a TypeError for callers that catch the built-ins.
    with pytest.raises(ValueError):
        peermap.Window(since="bogus")
    with pytest.raises(TypeError):
        peermap.Window.of("x")  # type: ignore[arg-type]


@pytest.mark.parametrize("ds", [None, "x", 5])
def test_a_dataset_argument_that_is_no_dataset(ds: Any) -> None:
    for fn in (peermap.contexts, peermap.hotspots, peermap.flows, peermap.peer_graph):
        with pytest.raises(ArgumentError, match=rf"{fn.__name__} needs a peermap\.Dataset"):
            fn(ds)
    with pytest.raises(ArgumentError, match=r"needs a peermap\.Dataset"):
        peermap.select(ds)
    with pytest.raises(ArgumentError, match=r"flow_matrix needs a table from peermap\.flows"):
        peermap.flow_matrix(ds)


def test_a_dataset_without_boundaries_where_authorities_are_needed(
    unbounded: peermap.Dataset,
) -> None:
    # The same exception for flows as for authority_counts: the dataset lacks something.
    with pytest.raises(ValidationError, match="boundaries"):
        peermap.authority_counts(unbounded)
    with pytest.raises(ValidationError, match="boundaries"):
        peermap.flows(unbounded)


def test_a_missing_boundary_file(tmp_path: Path, hand_worked: peermap.Dataset) -> None:
    with pytest.raises(BoundaryError, match="boundary file not found"):
        peermap.load_boundaries(tmp_path / "absent.geojson")
    tables = {name: hand_worked.table(name) for name in ("people", "places")}
    with pytest.raises(BoundaryError, match="boundary file not found"):
        peermap.read_dataset(tables, boundaries=tmp_path / "absent.geojson")
    with pytest.raises(ArgumentError, match=r"boundary file .* or a GeoDataFrame"):
        peermap.load_boundaries(123)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        peermap.load_boundaries(pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]


def test_to_geojson_does_not_overwrite_a_file(tmp_path: Path, hand_worked: peermap.Dataset) -> None:
    existing = tmp_path / "people.csv"
    existing.write_text("kept\n")
    with pytest.raises(ArgumentError, match=r"is a file, not a folder.*not overwritten"):
        peermap.to_geojson(hand_worked, existing)
    assert existing.read_text() == "kept\n"


def test_one_layer_named_as_text_is_one_layer(hand_worked: peermap.Dataset) -> None:
    m = peermap.make_map(hand_worked, layers="authorities", tiles=None)
    assert list(m.info.layers) == ["authorities"]
    with pytest.raises(ArgumentError, match=r"unknown layer\(s\) \['venues'\]"):
        peermap.make_map(hand_worked, layers="venues")


# A sample of the other argument checks converted to ArgumentError.
SAMPLE: dict[str, Case] = {
    "contexts(min_people=0)": lambda ds: peermap.contexts(ds, min_people=0),
    "contexts(resolution=nan)": lambda ds: peermap.contexts(ds, resolution=float("nan")),
    "contexts(backend='bogus')": lambda ds: peermap.contexts(ds, backend="bogus"),
    "hotspots(engine='bogus')": lambda ds: peermap.hotspots(ds, engine="bogus"),
    "flows(kind='bogus')": lambda ds: peermap.flows(ds, kind="bogus"),
    "centrality(via='bogus')": lambda ds: peermap.centrality(ds, via="bogus"),
    "gi_star(cell_size_m=0)": lambda ds: peermap.gi_star(ds, cell_size_m=0, permutations=9),
    "gi_star(inference='x')": lambda ds: peermap.gi_star(ds, inference="x", permutations=9),
    "timeline_table(authority='nowhere')": lambda ds: peermap.timeline_table(
        ds, authority="nowhere"
    ),
    "timeline_table(freq='bogus')": lambda ds: peermap.timeline_table(ds, freq="bogus"),
    "make_map(choropleth='bogus')": lambda ds: peermap.make_map(ds, choropleth="bogus"),
    "make_map(max_venues=-1)": lambda ds: peermap.make_map(ds, max_venues=-1),
    "make_report(audience='bogus')": lambda ds: peermap.make_report(ds, audience="bogus"),
    "make_report(round_to=-5)": lambda ds: peermap.make_report(ds, audience="public", round_to=-5),
    "peer_diagram(max_nodes=0)": lambda ds: peermap.peer_diagram(ds, max_nodes=0),
    "emerging_hotspots(period='decade')": lambda ds: peermap.emerging_hotspots(ds, period="decade"),
    "find_path(via='bogus')": lambda ds: peermap.find_path(ds, "a1", "a2", via="bogus"),
    "connecting_network([])": lambda ds: peermap.connecting_network(ds, []),
    "select(context=5)": lambda ds: peermap.select(ds, context=5),
    "merge([])": lambda ds: peermap.merge([]),
    "merge(['x'])": lambda ds: peermap.merge(["x"]),
    "quality('x')": lambda ds: peermap.quality("x"),
    "scenario('x')": lambda ds: peermap.scenario("x"),
}


@pytest.mark.parametrize("case", SAMPLE.values(), ids=SAMPLE.keys())
def test_other_argument_checks(hand_worked: peermap.Dataset, case: Case) -> None:
    with pytest.raises(ArgumentError):
        case(hand_worked)


def test_messages_name_the_keyword_and_what_is_accepted(hand_worked: peermap.Dataset) -> None:
    with pytest.raises(ArgumentError, match=r"permutations='9'; expected a whole number, 1"):
        peermap.gi_star(hand_worked, permutations="9")
    with pytest.raises(ArgumentError, match=r"contexts= takes the table of peermap\.contexts"):
        peermap.centrality(hand_worked, contexts="x")
    with pytest.raises(ArgumentError, match=r"value='bogus'; expected 'people' or 'events'"):
        peermap.flow_matrix(peermap.flows(hand_worked), value="bogus")
    with pytest.raises(ArgumentError, match=r"contexts needs a peermap\.Dataset.*got None"):
        peermap.contexts(None)  # type: ignore[arg-type]


def test_privacy_and_reading_arguments_are_refused_as_the_projects_own(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x"]})
    with pytest.raises(peermap.ArgumentError, match="PartnershipKey, bytes or str"):
        peermap.pseudonymise(frame, "a", key=123)  # type: ignore[arg-type]
    with pytest.raises(peermap.ArgumentError, match="DataFrame"):
        peermap.privacy.find_identifiers("x", table="ties")  # type: ignore[arg-type]
    with pytest.raises(peermap.ArgumentError, match="strict='no'; expected True or False"):
        peermap.read_dataset(tmp_path, strict="no")  # type: ignore[arg-type]


def test_a_path_with_a_nul_character_is_a_validation_error(tmp_path: Path) -> None:
    # The operating system refuses such a path with Python's own ValueError.
    with pytest.raises(ValidationError, match="holds a NUL character"):
        peermap.read_dataset(str(tmp_path) + "\x00x")
    with pytest.raises(ValidationError, match=r"table 'people'.*NUL"):
        peermap.validate({"people": str(tmp_path / "p\x00.csv"), "places": tmp_path / "x.csv"})


def test_a_name_that_is_not_there_is_the_projects_own_and_a_key_error(
    hand_worked: peermap.Dataset,
) -> None:
    with pytest.raises(peermap.UnknownNameError, match="no table 'victims'") as caught:
        hand_worked.table("victims")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, ArgumentError)
    assert str(caught.value) == "no table 'victims'"  # a sentence, not a quoted key
