"""One audience policy (issue 18): one vocabulary, one rule, one banner, for every output.

Every output (maps, diagrams, timelines, reports, the command line, exchange packages)
takes its audience names, its small-count rule, what it may list and its banner from
:class:`peermap.disclosure.Audience`. These tests hold the outputs to that one policy.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import peermap
from peermap import cli, exchange
from peermap.cli.common import partnership_warning
from peermap.disclosure import (
    AUDIENCE_NAMES,
    PACKAGE_AUDIENCES,
    PARTNERSHIP_BANNER,
    PRIVATE_PLACE_KINDS,
    VIEW_AUDIENCES,
    Audience,
    SuppressionRule,
    suppress,
    suppress_share,
)
from peermap.exchange import write_package
from peermap.synthetic import scenario
from peermap.views import report
from peermap.views.diagrams import peer_diagram
from peermap.views.maps import make_map
from peermap.views.report import build_report
from peermap.views.timelines import timeline_table

RULE = {"min_count": 10, "round_to": 5}


@pytest.fixture(scope="module")
def ds() -> peermap.Dataset:
    return scenario(peermap.demo_boundaries(), n_people=200, seed=1).dataset


# --------------------------------------------------------------------------- vocabulary


def test_one_vocabulary() -> None:
    assert AUDIENCE_NAMES == ("public", "partnership", "aggregate")
    assert set(VIEW_AUDIENCES) <= set(AUDIENCE_NAMES)
    assert set(PACKAGE_AUDIENCES) <= set(AUDIENCE_NAMES)
    assert set(VIEW_AUDIENCES) | set(PACKAGE_AUDIENCES) == set(AUDIENCE_NAMES)
    assert report.AUDIENCES == VIEW_AUDIENCES
    assert exchange.AUDIENCES == PACKAGE_AUDIENCES
    assert peermap.Audience is Audience


def _cli_choices() -> dict[str, tuple[str, ...]]:
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = {}
    for name in ("map", "report", "export"):
        action = next(a for a in sub.choices[name]._actions if "--audience" in a.option_strings)
        assert action.choices is not None
        out[name] = tuple(action.choices)
    return out


def test_the_command_line_offers_the_same_names() -> None:
    choices = _cli_choices()
    assert choices == {
        "map": VIEW_AUDIENCES,
        "report": VIEW_AUDIENCES,
        "export": PACKAGE_AUDIENCES,
    }


def _error(call: Any) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


def test_every_output_rejects_an_unknown_audience_in_the_same_words(
    ds: peermap.Dataset, tmp_path: Path
) -> None:
    bad: Any = "everyone"
    view = _error(lambda: Audience.of(bad, allowed=VIEW_AUDIENCES))
    assert view == "audience='everyone'; expected 'public' or 'partnership'"
    views = {
        "make_map": _error(lambda: make_map(ds, audience=bad, tiles=None)),
        "peer_diagram": _error(lambda: peer_diagram(ds, audience=bad)),
        "timeline_table": _error(lambda: timeline_table(ds, audience=bad)),
        "build_report": _error(lambda: build_report(ds, audience=bad)),
        "emerging_hotspots": _error(lambda: peermap.emerging_hotspots(ds, audience=bad)),
    }
    assert views == dict.fromkeys(views, view)
    package = _error(lambda: Audience.of(bad, allowed=PACKAGE_AUDIENCES))
    assert package == "audience='everyone'; expected 'partnership' or 'aggregate'"
    written = _error(
        lambda: write_package(ds, tmp_path / "p.gpkg", key=None, producer="E09000007", audience=bad)
    )
    assert written == package
    assert _error(lambda: Audience.of(bad)) == (
        "audience='everyone'; expected 'public', 'partnership' or 'aggregate'"
    )


def test_views_do_not_take_the_package_audience(ds: peermap.Dataset) -> None:
    aggregate: Any = "aggregate"
    for call in (
        lambda: make_map(ds, audience=aggregate, tiles=None),
        lambda: peer_diagram(ds, audience=aggregate),
        lambda: timeline_table(ds, audience=aggregate),
        lambda: build_report(ds, audience=aggregate),
        lambda: peermap.emerging_hotspots(ds, audience=aggregate),
    ):
        assert _error(call) == "audience='aggregate'; expected 'public' or 'partnership'"


def test_the_partnership_takes_no_small_count_rule(ds: peermap.Dataset) -> None:
    for what, call in {
        "map": lambda: make_map(ds, audience="partnership", min_count=5, tiles=None),
        "emerging hot spot result": lambda: peermap.emerging_hotspots(
            ds, audience="partnership", min_count=5
        ),
        "diagram": lambda: peer_diagram(ds, audience="partnership", round_to=5),
        "timeline": lambda: timeline_table(ds, audience="partnership", min_count=5),
        "report": lambda: build_report(ds, audience="partnership", min_count=5),
    }.items():
        assert _error(call) == _error(
            lambda what=what: Audience.of("partnership", min_count=5, what=what)
        )
        assert "exact counts" in _error(call)
    with pytest.raises(ValueError, match="no small-count rule"):
        Audience("partnership", SuppressionRule(10, 5, "c"))
    with pytest.raises(ValueError, match="no small-count rule"):
        Audience("public", None)
    with pytest.raises(ValueError, match="audience="):
        Audience("everyone", None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("name", ["public", "aggregate"])
def test_counts_follow_the_suppression_rule(name: str) -> None:
    policy = Audience.of(name, **RULE)
    assert policy.rule == SuppressionRule(10, 5, peermap.settings.suppressed_marker)
    counts = [*range(60), 148, 1_002]
    shown, _ = suppress(counts, **RULE)
    assert [policy.count(n) for n in counts] == shown.tolist()
    for n in counts:
        value = policy.count(n)
        if n < 10:
            assert value == "c"
        else:
            assert isinstance(value, int) and value >= 10 and value % 5 == 0
            assert abs(value - n) <= 2
    assert policy.count(None) == "z"
    assert [policy.listed(n) for n in (0, 9, 10, 11)] == [False, False, True, True]


@pytest.mark.parametrize("name", ["public", "aggregate"])
def test_shares_are_withheld_when_they_would_disclose(name: str) -> None:
    policy = Audience.of(name, **RULE)
    for whole in range(0, 45, 3):
        for part in range(0, whole + 1):
            share = policy.share(part, whole)
            assert share == suppress_share(part, whole, rule=policy.rule)
            if whole == 0:
                assert share == "z"
            elif part < 10 or whole - part < 10:
                assert share == "c"
            else:  # from the shown (rounded) counts, never the exact ones
                shown_part, shown_whole = policy.count(part), policy.count(whole)
                assert share == round(100 * shown_part / shown_whole)
                assert shown_part % 5 == 0 and shown_whole % 5 == 0


def test_the_partnership_sees_exact_counts() -> None:
    policy = Audience.of("partnership")
    assert policy.exact and policy.rule is None
    assert [policy.count(n) for n in (0, 3, 12, 148)] == [0, 3, 12, 148]
    assert policy.count(float("nan")) == "z"
    assert policy.share(1, 3) == 33 and policy.share(0, 0) == "z"
    assert policy.share(1, 3, decimals=1) == 33.3
    assert policy.listed(0) and policy.listed(1)


# --------------------------------------------------------------------------- hiding


def test_private_homes_are_never_listed_beyond_the_partnership() -> None:
    assert "residential" in PRIVATE_PLACE_KINDS
    for name in ("public", "aggregate"):
        policy = Audience.of(name)
        assert policy.hidden_place_kinds == PRIVATE_PLACE_KINDS
        for kind in PRIVATE_PLACE_KINDS:
            assert not policy.may_list_place(kind, 1_000)
        assert policy.may_list_place("hotel", 1_000)
        assert not policy.may_list_place("hotel", 1)
    partnership = Audience.of("partnership")
    assert partnership.hidden_place_kinds == frozenset()
    assert partnership.may_list_place("residential", 1)


def test_a_public_map_draws_no_private_home(ds: peermap.Dataset) -> None:
    assert ds.places["kind"].isin(PRIVATE_PLACE_KINDS).any()
    public = make_map(ds, tiles=None, layers=["hotspots"], min_count=1, round_to=1)
    venues = public.info.table("hotspots")
    assert len(venues) and not set(venues["kind"]) & PRIVATE_PLACE_KINDS
    assert any("private home" in note for note in public.info.notes)
    partnership = make_map(ds, tiles=None, layers=["hotspots"], audience="partnership")
    assert set(partnership.info.table("hotspots")["kind"]) & PRIVATE_PLACE_KINDS


# --------------------------------------------------------------------------- banner


def test_the_banner_is_for_the_partnership_only(ds: peermap.Dataset) -> None:
    assert Audience.of("partnership").banner == PARTNERSHIP_BANNER
    assert Audience.of("public").banner is None
    assert Audience.of("aggregate").banner is None
    plain = Audience.of("partnership").banner_ascii
    assert plain is not None and plain.isascii() and plain.startswith("PARTNERSHIP ONLY")

    for audience in VIEW_AUDIENCES:
        partnership = audience == "partnership"
        page = build_report(ds, audience=audience, fmt="markdown")  # type: ignore[arg-type]
        assert (PARTNERSHIP_BANNER in page) is partnership
        diagram = peer_diagram(ds, audience=audience)  # type: ignore[arg-type]
        assert diagram.info.banner == (PARTNERSHIP_BANNER if partnership else None)
    assert partnership_warning() == plain


def test_headings_and_notices_say_who_an_output_is_for() -> None:
    public = Audience.of("public", **RULE)
    assert public.heading("map") == "Public map: aggregates only"
    assert public.notice("report").startswith("Public report: aggregates only. Counts under 10")
    assert Audience.of("aggregate").heading("package") == "Aggregate package: aggregates only"
    partnership = Audience.of("partnership")
    assert partnership.heading("map") == "Partnership map: exact counts"
    assert partnership.notice("map") == "Partnership map: exact counts. Not for publication."


# --------------------------------------------------------------------------- cell keys


def test_the_same_records_get_the_same_noise_and_one_more_record_new_noise() -> None:
    from peermap.cell_keys import cell_key, perturbation, record_keys

    people = [f"yp{i:05d}" for i in range(40)]
    keys = record_keys(people)
    assert (record_keys(list(reversed(people)))[::-1] == keys).all()
    # The cell key depends on the set of records, not their order or the table.
    assert cell_key(keys[:12].tolist()) == cell_key(keys[:12][::-1].tolist())
    noise = [perturbation(cell_key(keys[:n].tolist())) for n in range(1, 41)]
    assert set(noise) <= {-2, -1, 0, 1, 2} and len(set(noise)) >= 3


def test_a_withheld_count_turning_shown_does_not_give_the_old_count_away() -> None:
    # Differencing: a reader sees a venue go from "c" to a number after one young person
    # is added. Under rounding alone that proves the venue had exactly 9; with cell-key
    # noise the same change happens from 9, 10 and 11 alike.
    from peermap.cell_keys import cell_key, record_keys

    policy = Audience.of("public", min_count=10, round_to=5)
    rng = np.random.default_rng(7)
    crossings: dict[int, int] = {9: 0, 10: 0, 11: 0}
    for trial in range(600):
        ids = [f"p{trial}-{i}-{rng.integers(1 << 30)}" for i in range(12)]
        keys = record_keys(ids).tolist()
        for before in crossings:
            old = policy.count(before, cell_key(keys[:before]))
            new = policy.count(before + 1, cell_key(keys[: before + 1]))
            crossings[before] += old == "c" and isinstance(new, int)
    assert crossings[9] > 0 and crossings[10] > 0 and crossings[11] > 0
    # Nor is any count under the threshold ever shown.
    assert all(policy.count(n, k) == "c" for n in range(10) for k in range(256))
