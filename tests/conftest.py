"""Shared fixtures, and what runs where.

Tests that need the real ONS boundary files read them from ``../shared/boundaries/``
(beside the repository checkout) and skip with a clear reason when it is absent.
Set ``PEERMAP_SHARED_BOUNDARIES`` to point elsewhere.

Two things run in full only on CI (the environment variable ``CI`` set, as ``.ci/run``
does), so that the suite stays quick on a developer's busy machine:

* tests marked ``slow`` (the all-England runs of the real-file matrix) are skipped with
  that reason elsewhere; ``PEERMAP_SLOW=1`` runs them anyway;
* property tests (hypothesis) run a fifth of their examples: each states its CI count
  as ``settings(max_examples=examples(150))``, scaled by the hypothesis profile, "ci"
  (full) or "dev" (a fifth); ``HYPOTHESIS_PROFILE`` chooses one by name.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import hypothesis
import pandas as pd
import pytest

import peermap
from peermap.synthetic import Scenario

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED_BOUNDARIES = Path(
    os.environ.get("PEERMAP_SHARED_BOUNDARIES", REPO.parent / "shared" / "boundaries")
)
LAD_2024 = SHARED_BOUNDARIES / "ons_lad_2024_england_buc.geojson"
LAD_2013 = SHARED_BOUNDARIES / "ons_lad_2013_england.topojson"

ON_CI = bool(os.environ.get("CI"))
RUN_SLOW = ON_CI or bool(os.environ.get("PEERMAP_SLOW"))

# Hypothesis profiles: the share of each property test's CI examples that runs.
hypothesis.settings.register_profile("ci", max_examples=100)
hypothesis.settings.register_profile("dev", max_examples=20)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if ON_CI else "dev"))


def examples(on_ci: int) -> int:
    """Return how many examples a property test runs: ``on_ci`` on CI, a fifth elsewhere.

    The share is the loaded hypothesis profile's ``max_examples`` out of 100.
    """
    return max(5, on_ci * hypothesis.settings().max_examples // 100)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked ``slow`` unless on CI (or ``PEERMAP_SLOW=1``), saying why."""
    if RUN_SLOW:
        return
    skip = pytest.mark.skip(
        reason="slow (all of England): runs on CI (CI set) or with PEERMAP_SLOW=1"
    )
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _work_in_a_scratch_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Run every test from a scratch folder, so no command writes into the checkout.

    ``peermap demo`` writes ``demo/map.html`` and ``demo/report.html`` where it runs, as a
    user expects; tests find the repository's files by absolute paths.
    """
    scratch = tmp_path_factory.mktemp("cwd")
    before = Path.cwd()
    os.chdir(scratch)
    try:
        yield scratch
    finally:
        os.chdir(before)


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(
            f"real ONS boundary file {path.name} not found in {SHARED_BOUNDARIES} "
            "(see ../shared/boundaries/README.md; set PEERMAP_SHARED_BOUNDARIES to its folder)"
        )
    return path


@pytest.fixture(scope="session")
def lad_2024_path() -> Path:
    """Path of the real 2024 ultra-generalised England LAD GeoJSON."""
    return _need(LAD_2024)


@pytest.fixture(scope="session")
def lad_2013_path() -> Path:
    """Path of the real 2013 England LAD TopoJSON (no CRS declared, broken rings)."""
    return _need(LAD_2013)


#: A real boundary file as ``load_boundaries`` returns it, and the warnings it gave.
Loaded = tuple[gpd.GeoDataFrame, list[str]]


def _load_once(path: Path) -> Loaded:
    with pytest.warns(peermap.PeermapWarning) as record:
        gdf = peermap.load_boundaries(path)
    return gdf, [str(w.message) for w in record]


@pytest.fixture(scope="session")
def lad_2013_loaded(lad_2013_path: Path) -> Loaded:
    """The 2013 file through ``load_boundaries``, read once a session (2-3 s: ~250 rings
    repaired), with the warnings it gave (there must be one); take a ``.copy()``."""
    return _load_once(lad_2013_path)


@pytest.fixture(scope="session")
def lad_2024_loaded(lad_2024_path: Path) -> Loaded:
    """The 2024 file through ``load_boundaries``, read once a session, with the warnings
    it gave (there must be one: codes derived from names); take a ``.copy()``."""
    return _load_once(lad_2024_path)


@pytest.fixture()
def data_dir() -> Path:
    """Folder of small hand-written fixtures."""
    return DATA


# --------------------------------------------------------------------------- shared datasets

#: Columns of a table given as tuples to ``make_dataset``, in order; the widest tuple
#: decides how many columns there are, and shorter ones leave the rest missing.
TUPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("person_id", "home_authority", "age", "looked_after"),
    "places": ("place_id", "kind", "easting", "northing", "label"),
    "ties": ("person_a", "person_b", "kind", "first_seen", "last_seen", "source", "reliability"),
    "sightings": ("person_id", "place_id", "date", "context", "source", "reliability"),
    "relocations": ("person_id", "from_authority", "to_authority", "date", "kind"),
}

Rows = Sequence[tuple[Any, ...]] | pd.DataFrame


def _frame(table: str, rows: Rows) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows
    width = max((len(row) for row in rows), default=len(TUPLE_COLUMNS[table]))
    padded = [(*row, *(None,) * (width - len(row))) for row in rows]  # missing trailing values
    return pd.DataFrame(padded, columns=list(TUPLE_COLUMNS[table][:width]))


class MakeDataset(Protocol):
    def __call__(
        self,
        people: Rows,
        places: Rows | None = None,
        ties: Rows | None = None,
        sightings: Rows | None = None,
        relocations: Rows | None = None,
        *,
        boundaries: bool = True,
    ) -> peermap.Dataset: ...


@pytest.fixture(scope="session")
def demo_region() -> gpd.GeoDataFrame:
    """The fictional demo region (``peermap.demo_boundaries()``), read once; do not modify."""
    return peermap.demo_boundaries()


@pytest.fixture(scope="session")
def make_dataset(demo_region: gpd.GeoDataFrame) -> MakeDataset:
    """Build a hand-made dataset with ``peermap.read_dataset``.

    Each table is a DataFrame or a list of tuples in the order of :data:`TUPLE_COLUMNS`;
    a table left out is absent. With ``boundaries=True`` (the default) the dataset is
    read against the demo region, so places get the authorities they lie in.
    """

    def make(
        people: Rows,
        places: Rows | None = None,
        ties: Rows | None = None,
        sightings: Rows | None = None,
        relocations: Rows | None = None,
        *,
        boundaries: bool = True,
    ) -> peermap.Dataset:
        given = {
            "people": people,
            "places": places,
            "ties": ties,
            "sightings": sightings,
            "relocations": relocations,
        }
        tables = {name: _frame(name, rows) for name, rows in given.items() if rows is not None}
        return peermap.read_dataset(tables, boundaries=demo_region if boundaries else None)

    return make


@pytest.fixture(scope="session")
def hand_worked(make_dataset: MakeDataset) -> peermap.Dataset:
    """The small scenario whose analysis tests/test_analysis.py works out by hand.

    Three boroughs of the demo region: Northmere (A, X09000001), Harrowfield (B,
    X09000002, a neighbour of A) and Eastwick Vale (C, X09000006, which borders
    neither); seven young people, a hotel and a park in A, a school in C, five ties,
    seven sightings and one care placement (c1 from C to A). The module docstring of
    tests/test_analysis.py draws it and gives the answers.
    """
    a, b, c = "X09000001", "X09000002", "X09000006"
    return make_dataset(
        people=[
            ("a1", a, 14, "no"),
            ("a2", a, 15, "no"),
            ("a3", a, 16, "no"),
            ("b1", b, 15, "no"),
            ("b2", b, 13, "no"),
            ("c1", c, 15, "yes"),
            ("c2", c, 12, "no"),
        ],
        places=[
            ("H", "hotel", 693500, 315500),
            ("P", "park", 692500, 313500),
            ("S", "school", 710124, 306250),
        ],
        ties=[
            ("a1", "a2", "friend", "2024-01-10", "", "school", "confirmed"),
            ("a2", "b1", "associate", "2024-02-01", "", "police", "reported"),
            ("b1", "b2", "friend", "2024-02-05", "", "young_person", "unverified"),
            ("c1", "c2", "sibling", "2023-06-01", "2024-06-01", "social_care", "confirmed"),
            ("c1", "a3", "partner", "2024-05-01", "", "police", "reported"),
        ],
        sightings=[
            ("a1", "H", "2024-02-10", "cse", "police", "confirmed"),
            ("b1", "H", "2024-02-12", "cse", "police", "corroborated"),
            ("a2", "H", "2024-02-12", "cce", "police", "reported"),
            ("a3", "P", "2024-04-01", "bullying", "school", "confirmed"),
            ("c1", "P", "2024-05-10", "cse", "police", "reported"),
            ("c2", "S", "2024-03-01", "other", "school", "confirmed"),
            ("c1", "S", "2024-01-15", "missing_episode", "police", "reported"),
        ],
        relocations=[("c1", c, a, "2024-04-01", "care_placement")],
    )


@pytest.fixture()
def names_as_written() -> dict[str, pd.DataFrame]:
    """Tables read without boundaries, authorities given by name (Camden, Barnet).

    Three young people (a and c in Camden, b in Barnet), a park in London, an
    exploiter tie a-b across the two authorities and a friendship a-c within Camden.
    """
    people = pd.DataFrame(
        {"person_id": ["a", "b", "c"], "home_authority": ["Camden", "Barnet", "Camden"], "age": 14}
    )
    places = pd.DataFrame({"place_id": ["v1"], "kind": ["park"], "lon": [-0.14], "lat": [51.54]})
    ties = pd.DataFrame(
        [("a", "b", "exploiter", "2024-01-01"), ("a", "c", "friend", "2024-02-01")],
        columns=["person_a", "person_b", "kind", "first_seen"],
    ).assign(source="police", reliability="reported")
    return {"people": people, "places": places, "ties": ties}


#: ``demo_scenario(n_people, seed)``: a cached synthetic scenario on the demo region.
DemoScenario = Callable[[int, int], Scenario]


@pytest.fixture(scope="session")
def demo_scenario(demo_region: gpd.GeoDataFrame) -> DemoScenario:
    """Synthetic scenarios on the demo region, generated once per size and seed."""

    @functools.cache
    def make(n_people: int, seed: int) -> Scenario:
        return peermap.scenario(demo_region, n_people=n_people, seed=seed)

    return make


def markdown_section(markdown: str, title: str) -> str:
    """The section of a Markdown report whose ``## `` heading starts with ``title``."""
    parts = re.split(r"^## ", markdown, flags=re.M)
    found = [p for p in parts if p.startswith(title)]
    assert found, title
    return found[0]


def fail_at_layer(monkeypatch: pytest.MonkeyPatch, n: int, exc: BaseException) -> None:
    """Make GDAL's ``n``-th layer write (``pyogrio.write_arrow``) raise ``exc`` once the
    layer is written: a write that fails part-way, interrupted or out of space."""
    import pyogrio

    real = pyogrio.write_arrow
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == n:
            raise exc

    monkeypatch.setattr(pyogrio, "write_arrow", failing)
