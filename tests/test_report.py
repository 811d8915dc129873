"""The report opens on what needs attention first, under the audience's rule."""

from __future__ import annotations

import re

import pytest

from conftest import DemoScenario
from conftest import markdown_section as _section
from peermap.views.report import build_report

pytestmark = pytest.mark.filterwarnings("ignore::peermap.PeermapWarning")


def _rows(section: str) -> list[list[str]]:
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]


@pytest.mark.parametrize("audience", ["partnership", "public"])
def test_the_report_opens_on_the_contexts_and_venues_of_most_concern(
    demo_scenario: DemoScenario, audience: str
) -> None:
    ds = demo_scenario(800, 3).dataset
    text = build_report(ds, fmt="markdown", audience=audience)  # type: ignore[arg-type]
    titles = re.findall(r"^## (.+)$", text, flags=re.M)
    assert titles[0].startswith("Read first")
    first = _rows(_section(text, "Read first"))
    contexts = _rows(_section(text, "Contexts spanning authorities"))
    venues = _rows(_section(text, "Hotspot venues"))
    # The same rows, in the same order, as the full lists below (so the same rule).
    expected_contexts = [f"context {row[0]}" for row in contexts[:3]]
    assert [row[0] for row in first[: len(expected_contexts)]] == expected_contexts
    venue_rows = first[len(expected_contexts) :]
    assert len(venue_rows) == min(3, len(venues))
    for shown, listed in zip(venue_rows, venues, strict=False):
        assert shown[1] in listed  # its authority, as the venue list gives it
    if audience == "public":
        assert "Why it ranks here" not in _section(text, "Read first")
        assert "pl-" not in _section(text, "Read first")  # no place ids beyond the partnership
    else:
        assert all(row[2] for row in first)  # every row says why it ranks there


@pytest.mark.parametrize("audience", ["partnership", "public"])
def test_a_contexts_active_months_stay_in_the_window(
    demo_scenario: DemoScenario, audience: str
) -> None:
    # A tie running past --until made a context "active" to December.
    ds = demo_scenario(300, 3).dataset
    text = build_report(ds, fmt="markdown", audience=audience, until="2024-09-07")  # type: ignore[arg-type]
    rows = _rows(_section(text, "Contexts spanning authorities"))
    assert rows
    for row in rows:
        assert not re.search(r"2024-1[0-2]|(Oct|Nov|Dec) 2024", " ".join(row)), row


def test_html_in_a_name_is_shown_not_run_in_the_markdown_report(
    demo_scenario: DemoScenario,
) -> None:
    # A Markdown viewer runs raw HTML: an authority's or a venue's name, or the title,
    # holding a tag is written as text (session 29); "q < 0.001" reads as written.
    ds = demo_scenario(800, 3).dataset
    places = ds.places.copy()
    places.loc[places.index[0], "label"] = "<img src=x onerror=alert(1)>"
    ds = ds.replace(places=places)
    title = "<script>alert(1)</script> report"
    text = build_report(ds, fmt="markdown", audience="partnership", title=title)
    assert "<img" not in text and "<script" not in text
    assert "&lt;script>alert(1)&lt;/script> report" in text
    assert "q < 0.001" in text
