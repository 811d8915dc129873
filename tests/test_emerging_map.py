"""The emerging hot spots map layer and ``peermap map --emerging`` (issue 21).

The layer draws what :func:`peermap.emerging_hotspots` gives for the map's audience:
the same cells, patterns and counts (a public map: without private homes, only cells
about enough young people, counts as the rule shows them).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import peermap
from conftest import DemoScenario
from peermap.cli import main
from peermap.views.maps import make_map, plot_static


@pytest.fixture(scope="module")
def ds(demo_scenario: DemoScenario) -> peermap.Dataset:
    return demo_scenario(2000, 0).dataset  # shared with other modules (conftest)


@pytest.mark.parametrize("audience", ["public", "partnership"])
def test_layer_draws_the_cells_with_a_pattern_for_its_audience(
    ds: peermap.Dataset, audience: str
) -> None:
    m = make_map(ds, tiles=None, audience=audience, layers=["authorities", "emerging"])  # type: ignore[arg-type]
    result = peermap.emerging_hotspots(ds, cell_size_m=None, audience=audience)
    hot = result.cells[result.cells["code"] > 0]
    drawn = m.info.table("emerging")
    assert len(drawn) == len(hot) > 0
    assert Counter(drawn["pattern"]) == Counter(hot["pattern"])
    assert Counter(drawn["people"]) == Counter(hot["people"])
    assert Counter(drawn["sightings"]) == Counter(hot["sightings"])
    assert "Emerging cold spots not drawn" in m.info.notes
    if audience == "public":
        assert all(v == "c" or v % 5 == 0 for v in drawn["people"])
        assert len(result.cells) < len(peermap.emerging_hotspots(ds).cells)


def test_off_by_default_on_when_asked(ds: peermap.Dataset) -> None:
    assert "emerging" not in make_map(ds, tiles=None, layers=["authorities", "gi_star"]).info.layers
    assert "emerging" in make_map(ds, tiles=None, layers=["authorities"], emerging=True).info.layers
    cold = make_map(ds, tiles=None, layers=["emerging"], gi_cold_spots=True, audience="partnership")
    cells = peermap.emerging_hotspots(ds, cell_size_m=None).cells
    with_pattern = cells[cells["code"] != 0]
    assert Counter(cold.info.table("emerging")["pattern"]) == Counter(with_pattern["pattern"])
    fig = plot_static(ds, layers=["authorities", "emerging"])
    assert fig.axes


def test_too_short_a_window_is_a_note_or_when_asked_an_error(ds: peermap.Dataset) -> None:
    window = {"since": "2024-05-01", "until": "2024-06-30"}
    m = make_map(ds, tiles=None, layers=None, emerging=True, **window)  # type: ignore[arg-type]
    assert "emerging" not in m.info.layers
    assert any(
        n.startswith("Emerging hot spots not drawn: the window holds 2") for n in m.info.notes
    )
    with pytest.raises(ValueError, match=r"^cannot draw layer 'emerging': the window holds 2"):
        make_map(ds, tiles=None, layers=["emerging"], **window)  # type: ignore[arg-type]


def test_command_line_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exports = tmp_path / "exports"
    demo = ["demo", "--people", "2000", "--seed", "0", "--out", str(exports), "--no-views"]
    assert main(demo) == 0  # the exports only: its map and report are not what is tested
    capsys.readouterr()
    out = tmp_path / "emerging.html"
    base = ["map", str(exports), "--boundaries", str(exports / "demo_region.geojson")]
    assert main([*base, "-o", str(out), "--tiles", "none", "--emerging"]) == 0
    text = capsys.readouterr().out
    assert "emerging" in text.split("layers:")[1].splitlines()[0]
    assert "Emerging hot spots" in out.read_text(encoding="utf-8")
    assert main([*base, "-o", str(out), "--tiles", "none"]) == 0
    assert "emerging" not in capsys.readouterr().out.split("layers:")[1].splitlines()[0]


def _emerging_rows(report: str) -> list[list[str]]:
    section = report.split("## Emerging hot spots\n")[1].split("\n## ")[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


@pytest.mark.parametrize("audience", ["partnership", "public"])
def test_report_lists_the_cells_new_consecutive_or_intensifying(
    ds: peermap.Dataset, audience: str
) -> None:
    from peermap.views.report import build_report

    text = build_report(ds, fmt="markdown", audience=audience)  # type: ignore[arg-type]
    result = peermap.emerging_hotspots(ds, cell_size_m=None, audience=audience)
    recent = result.cells[result.cells["code"].isin((1, 2, 3))]
    rows = _emerging_rows(text)
    assert len(rows) == min(10, len(recent)) > 0
    assert Counter(row[0] for row in rows) == Counter(recent["pattern"].head(10))
    assert Counter(row[4] for row in rows) == Counter(f"{v:,}" for v in recent["people"])
    assert all(row[1] in set(ds.boundaries["name"]) for row in rows)
    if audience == "public":
        assert all(int(row[4].replace(",", "")) % 5 == 0 for row in rows)


def test_report_says_why_there_are_no_emerging_hot_spots(ds: peermap.Dataset) -> None:
    from peermap.views.report import build_report

    text = build_report(ds, fmt="markdown", since="2024-05-01", until="2024-06-30")
    section = text.split("## Emerging hot spots\n")[1].split("\n## ")[0]
    assert "*Not computed: the window holds 2 months, and a trend needs at least 3.*" in section
