"""Emerging hot spots (issue 21): ArcGIS's patterns on data whose answer is known.

A 24 x 24 lattice of 1 km cells over the 12 months of 2024: a quiet background of 2-4
sightings a cell a month and seven 3 x 3 blocks, each busy on the months that make its
centre one of ArcGIS's patterns by definition (hot only in December: new; October to
December: consecutive; every month, growing: intensifying; ...). The patterns of the
block centres are the hand-worked answers; every cell away from the blocks has none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymannkendall
import pytest

import peermap
from peermap.cell_keys import people_key
from peermap.disclosure import Audience
from peermap.emerging import PATTERNS, classify_patterns, emerging_hotspots, mann_kendall

N, T = 24, 12
ROW, COL = np.divmod(np.arange(N * N), N)
BUSY = 40  # sightings a block cell has in a busy month, by 40 young people
#: block centre (row, column) -> sightings of each of its cells in each month
BLOCKS: dict[str, tuple[tuple[int, int], list[int]]] = {
    "new": ((3, 3), [0] * 11 + [BUSY]),
    "consecutive": ((3, 10), [0] * 9 + [BUSY] * 3),
    "intensifying": ((3, 17), [10 + 5 * t for t in range(T)]),
    "persistent": ((10, 3), [BUSY] * T),
    "diminishing": ((10, 10), [70 - 5 * t for t in range(T)]),
    "sporadic": ((10, 17), [BUSY if t in (2, 6) else 0 for t in range(T)]),
    "historical": ((17, 3), [BUSY] * 11 + [0]),
}


def _in_block(r: int, c: int, reach: int = 1) -> np.ndarray:
    return (abs(ROW - r) <= reach) & (abs(COL - c) <= reach)


def _counts() -> np.ndarray:
    counts = np.zeros((N * N, T), dtype=int)
    for t in range(T):
        counts[:, t] = 2 + (ROW + 2 * COL + t) % 3
        for (r, c), months in BLOCKS.values():
            counts[_in_block(r, c), t] = months[t]
    return counts


def _centre(name: str) -> int:
    (r, c), _ = BLOCKS[name]
    return r * N + c


@pytest.fixture(scope="module")
def lattice() -> peermap.Dataset:
    """The lattice as a dataset: one place at the centre of each cell; the k-th sighting
    of a cell in a month is young person k mod 40 on day 1 + k // 40 (no duplicates)."""
    counts = _counts()
    places = pd.DataFrame(
        {
            "place_id": [f"pl{i}" for i in range(N * N)],
            "kind": "park",
            "easting": 500_000 + COL * 1000 + 500,
            "northing": 200_000 + ROW * 1000 + 500,
        }
    )
    flat = counts.ravel()
    cell = np.repeat(np.arange(N * N * T) // T, flat)
    month = np.repeat(np.arange(N * N * T) % T, flat)
    k = np.concatenate([np.arange(n) for n in flat])
    dates = pd.to_datetime(pd.DataFrame({"year": 2024, "month": month + 1, "day": 1 + k // 40}))
    sightings = pd.DataFrame(
        {
            "person_id": [f"x{j}" for j in k % 40],
            "place_id": places["place_id"].to_numpy()[cell],
            "date": dates.dt.strftime("%Y-%m-%d"),
            "context": "cce",
            "source": "police",
            "reliability": "reported",
        }
    )
    people = pd.DataFrame(
        {"person_id": [f"x{j}" for j in range(40)], "home_authority": "X09000005", "age": 15}
    )
    return peermap.read_dataset({"people": people, "places": places, "sightings": sightings})


@pytest.fixture(scope="module")
def partnership(lattice: peermap.Dataset) -> peermap.EmergingHotSpots:
    return emerging_hotspots(lattice, cell_size_m=1000)


# ---------------------------------------------------------------- Mann-Kendall


def test_mann_kendall_by_hand_and_as_pymannkendall() -> None:
    # 1, 3, 2, 4: five of the six later-minus-earlier differences are positive, one is
    # negative, so S = 4; no ties: var = 4 * 3 * 13 / 18; z = (S - 1) / sqrt(var)
    z, p = mann_kendall([[1.0, 3.0, 2.0, 4.0]])
    by_hand = 3 / np.sqrt(4 * 3 * 13 / 18)
    reference = pymannkendall.original_test([1.0, 3.0, 2.0, 4.0])
    assert z[0] == pytest.approx(by_hand) == pytest.approx(reference.z)
    assert p[0] == pytest.approx(reference.p)


def test_mann_kendall_matches_pymannkendall_with_ties_and_flat_series() -> None:
    rng = np.random.default_rng(3)
    series = np.round(rng.normal(size=(200, 12)), 1)  # rounding makes ties
    series[0] = 2.5  # flat: S = 0, no trend
    series[1] = np.arange(12.0)  # strictly increasing
    series[2, :6] = series[2, 6:]  # repeated half
    z, p = mann_kendall(series)
    for row, (zi, pi) in enumerate(zip(z, p, strict=True)):
        reference = pymannkendall.original_test(series[row])
        assert zi == pytest.approx(reference.z, abs=1e-12), row
        assert pi == pytest.approx(reference.p, abs=1e-12), row
    assert z[0] == 0 and p[0] == 1 and z[1] > 0 and p[1] < 0.001


# ---------------------------------------------------------------- the rules


def _pattern(bins: list[int], trend_z: float = 0.0, trend_p: float = 1.0) -> str:
    return PATTERNS[int(classify_patterns([bins], [trend_z], [trend_p])[0])]


def test_arcgis_definitions_worked_by_hand() -> None:
    quiet = [0] * 12
    assert _pattern(quiet) == "No Pattern Detected"
    assert _pattern([0] * 11 + [2]) == "New Hot Spot"
    assert _pattern([0] * 9 + [1, 2, 3]) == "Consecutive Hot Spot"
    assert _pattern([1] * 12, 3.0, 0.001) == "Intensifying Hot Spot"
    assert _pattern([1] * 12, 1.0, 0.3) == "Persistent Hot Spot"
    assert _pattern([0] + [2] * 11, 1.0, 0.3) == "Persistent Hot Spot"  # 11 of 12 >= 90%
    assert _pattern([1] * 12, -3.0, 0.001) == "Diminishing Hot Spot"
    assert _pattern([1, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0]) == "Sporadic Hot Spot"
    assert _pattern([1] + [0] * 9 + [1, 1]) == "Sporadic Hot Spot"  # hot before the final run
    assert _pattern([0] * 6 + [1, 1, 1, 0, 1, 1]) == "Sporadic Hot Spot"
    assert _pattern([-1] + [0] * 10 + [2]) == "Oscillating Hot Spot"  # not new: cold before
    assert _pattern([1] * 11 + [0]) == "Historical Hot Spot"
    assert _pattern([1] * 9 + [0]) == "Historical Hot Spot"  # 9 of 10: at least 90%
    assert _pattern([1] * 8 + [0, 0]) == "Sporadic Hot Spot"  # 8 of 10: under 90%
    assert _pattern([1, 0, -1] + [0] * 9) == "No Pattern Detected"  # both, final quiet


def test_cold_spots_mirror_hot_spots() -> None:
    assert _pattern([0] * 11 + [-1]) == "New Cold Spot"
    assert _pattern([0] * 10 + [-1, -3]) == "Consecutive Cold Spot"
    assert _pattern([-2] * 12, -3.0, 0.001) == "Intensifying Cold Spot"  # ever colder
    assert _pattern([-2] * 12, 3.0, 0.001) == "Diminishing Cold Spot"
    assert _pattern([-2] * 12, 0.5, 0.6) == "Persistent Cold Spot"
    assert _pattern([0, -1, 0, 0, -1] + [0] * 7) == "Sporadic Cold Spot"
    assert _pattern([2] + [0] * 10 + [-1]) == "Oscillating Cold Spot"
    assert _pattern([-1] * 11 + [0]) == "Historical Cold Spot"
    # hot for 11 months, cold in the last: historical hot (hot rules come first)
    assert _pattern([1] * 11 + [-1]) == "Historical Hot Spot"


def test_a_trend_counts_only_when_significant() -> None:
    assert _pattern([1] * 12, 3.0, 0.051) == "Persistent Hot Spot"
    codes = classify_patterns([[1] * 12], [3.0], [0.051], trend_alpha=0.1)
    assert PATTERNS[int(codes[0])] == "Intensifying Hot Spot"


# ---------------------------------------------------------------- on the lattice


@pytest.mark.parametrize(
    "name", ["new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic"]
)
def test_each_block_centre_has_its_pattern(
    partnership: peermap.EmergingHotSpots, name: str
) -> None:
    expected = {
        "new": "New",
        "consecutive": "Consecutive",
        "intensifying": "Intensifying",
        "persistent": "Persistent",
        "diminishing": "Diminishing",
        "sporadic": "Sporadic",
    }
    assert partnership.cells.loc[_centre(name), "pattern"] == f"{expected[name]} Hot Spot"


def test_cube_counts_and_what_is_away_from_the_blocks(
    partnership: peermap.EmergingHotSpots,
) -> None:
    r = partnership
    assert [str(p) for p in r.periods] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert r.counts is not None and r.z is not None
    counts = _counts()
    assert (r.counts.loc[np.arange(N * N)].to_numpy() == counts).all()
    assert (r.cells["sightings"].to_numpy() == counts.sum(axis=1)).all()
    far = np.ones(N * N, dtype=bool)
    for (rr, cc), _ in BLOCKS.values():
        far &= ~_in_block(rr, cc, reach=2)
    assert (r.cells.loc[np.flatnonzero(far), "pattern"] == "No Pattern Detected").all()
    # the new block: hot in December only, its December bin at 99%
    assert r.bins.loc[_centre("new")].tolist() == [0] * 11 + [3]
    assert r.cells.loc[_centre("intensifying"), "trend"] == "increasing"
    assert r.cells.loc[_centre("diminishing"), "trend"] == "decreasing"
    assert r.summary().sum() == len(r.cells) == N * N


def test_time_steps_carry_last_months_sightings_into_this_month(
    lattice: peermap.Dataset, partnership: peermap.EmergingHotSpots
) -> None:
    # busy January to November: with November in December's neighbourhood (the default)
    # the block is still hot in December, so persistent; on its own, December is quiet
    historical = _centre("historical")
    assert partnership.cells.loc[historical, "pattern"] == "Persistent Hot Spot"
    alone = emerging_hotspots(lattice, cell_size_m=1000, time_steps=0)
    assert alone.cells.loc[historical, "pattern"] == "Historical Hot Spot"
    assert alone.bins.loc[_centre("sporadic")].tolist() == [0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0]


def test_public_result_lists_only_cells_about_enough_young_people(
    lattice: peermap.Dataset, partnership: peermap.EmergingHotSpots
) -> None:
    public = emerging_hotspots(lattice, cell_size_m=1000, audience="public")
    assert public.z is None and public.counts is None and public.audience == "public"
    exact = partnership.cells
    listed = public.cells.index
    # the background cells were seen by at most 4 young people: none is listed
    assert (exact.loc[listed, "people"] >= 10).all()
    assert {_centre(name) for name in BLOCKS} <= set(listed)
    assert (public.cells["pattern"] == exact.loc[listed, "pattern"]).all()
    # counts as the rule shows them, with the cell key of the cell's young people
    policy = Audience.of("public")
    centre = _centre("new")
    seen = lattice.sightings[lattice.sightings["place_id"] == f"pl{centre}"]["person_id"]
    assert public.cells.loc[centre, "people"] == policy.count(40, people_key(set(seen)))
    assert all(v == "c" or v % 5 == 0 for v in public.cells["people"])
    withheld = (exact["code"] != 0) & ~exact.index.isin(listed)
    assert public.withheld == int(withheld.sum())


def test_public_result_leaves_private_homes_out(lattice: peermap.Dataset) -> None:
    places = lattice.places.copy()
    (r, c), _ = BLOCKS["new"]
    homes = [f"pl{i}" for i in np.flatnonzero(_in_block(r, c))]
    places.loc[places["place_id"].isin(homes), "kind"] = "residential"
    ds = lattice.replace(places=places)
    assert emerging_hotspots(ds, cell_size_m=1000).cells.loc[_centre("new"), "pattern"] == (
        "New Hot Spot"
    )
    public = emerging_hotspots(ds, cell_size_m=1000, audience="public")
    assert _centre("new") not in public.cells.index
    assert "sightings at private homes left out" in public.notes


def test_bad_options_are_refused(lattice: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match="period='day'"):
        emerging_hotspots(lattice, period="day")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="public results give months or quarters"):
        emerging_hotspots(lattice, period="week", audience="public")
    with pytest.raises(ValueError, match="audience='everyone'"):
        emerging_hotspots(lattice, audience="everyone")
    with pytest.raises(ValueError, match="a trend needs at least 3"):
        emerging_hotspots(lattice, since="2024-03-01", until="2024-04-30")
    with pytest.raises(ValueError, match="time_steps=12"):
        emerging_hotspots(lattice, cell_size_m=1000, time_steps=12)
    quarters = emerging_hotspots(lattice, cell_size_m=1000, period="quarter", time_steps=0)
    assert len(quarters.periods) == 4


def test_window_keywords_and_window_agree(lattice: peermap.Dataset) -> None:
    a = emerging_hotspots(lattice, cell_size_m=1000, since="2024-04-01")
    b = emerging_hotspots(lattice, cell_size_m=1000, window=peermap.Window.of(since="2024-04-01"))
    assert len(a.periods) == 9
    pd.testing.assert_frame_equal(a.bins, b.bins)


def test_months_the_records_do_not_cover_are_not_empty_months(lattice: peermap.Dataset) -> None:
    # A window reaching far beyond the records (a typed year, "until" a year ahead) adds
    # no period: before, 0001-01-01 asked for 24,000 months and a 4 GiB matrix, and
    # months after the last record read as a fall in every cell.
    plain = emerging_hotspots(lattice, cell_size_m=1000)
    wide = emerging_hotspots(lattice, cell_size_m=1000, since="0001-01-01", until="9999-12-31")
    assert list(wide.periods) == list(plain.periods)
    pd.testing.assert_frame_equal(wide.bins, plain.bins)
    pd.testing.assert_frame_equal(wide.cells, plain.cells)


def test_sightings_at_online_places_are_in_no_cell() -> None:
    # Schema 1.1: a group chat has no location, so its sightings fall in no cell; the
    # rest are counted as before (this raised on NaN coordinates when they were kept).
    ds = peermap.scenario(
        peermap.demo_boundaries(), n_people=600, seed=5, online_spaces=True
    ).dataset
    online = set(ds.places.loc[ds.places["kind"] == "online", "place_id"])
    assert online and ds.sightings["place_id"].isin(online).any()
    result = emerging_hotspots(ds)
    located = int((~ds.sightings["place_id"].isin(online)).sum())
    assert int(result.cells["sightings"].sum()) == located
