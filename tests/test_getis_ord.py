"""Gi* bins follow the direction of the permutation test (issue 23, item 1).

esda's ``G_Local.p_sim`` is a "directed" p: the smaller one-sided p, with ties counted on
the upper side only. Signing it by z made almost every empty cell of a sparse grid a "99%
cold spot". ``gi_star`` now counts both tails itself (with esda's permutation draws), signs
each bin by the tail the cell lies in and counts ties against significance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from esda.getisord import G_Local
from esda.significance import calculate_significance
from libpysal.weights import DistanceBand, lat2W

import peermap
from conftest import DemoScenario
from peermap.getis_ord import _gi_cells, _tail_counts, gi_star

# Calling esda's G_Local with permutations (as these tests do, to compare) makes esda warn
# that its default alternative will change; gi_star itself does not trigger it.
ESDA_ALTERNATIVE = (
    "ignore:The alternative hypothesis for conditional randomization:DeprecationWarning"
)

# A 30 x 30 lattice built so that the answer is known: a neutral background of 4-6
# sightings a cell in a repeating pattern, a 3 x 3 block of 40 (hot) and, far from it, a
# 4 x 4 block of empty cells (cold).
N = 30
ROW, COL = np.divmod(np.arange(N * N), N)
HOT = (abs(ROW - 5) <= 1) & (abs(COL - 5) <= 1)
COLD = (ROW >= 20) & (ROW <= 23) & (COL >= 20) & (COL <= 23)
COLD_CORE = (ROW >= 21) & (ROW <= 22) & (COL >= 21) & (COL <= 22)  # all 8 neighbours empty
NEAR_HOT = (abs(ROW - 5) <= 3) & (abs(COL - 5) <= 3)  # the block and two cells around it
NEAR_COLD = (ROW >= 18) & (ROW <= 25) & (COL >= 18) & (COL <= 25)
NEUTRAL = ~NEAR_HOT & ~NEAR_COLD


def _lattice_counts() -> np.ndarray:
    counts = 4 + (ROW + 2 * COL) % 3
    counts[HOT] = 40
    counts[COLD] = 0
    return counts


@pytest.fixture(scope="module")
def lattice() -> peermap.Dataset:
    """The lattice as a dataset: one place at the centre of each 1 km cell, each
    sighting on its own day so that none is a duplicate."""
    counts = _lattice_counts()
    places = pd.DataFrame(
        {
            "place_id": [f"pl{i}" for i in range(N * N)],
            "kind": "park",
            "easting": 500_000 + COL * 1000 + 500,
            "northing": 200_000 + ROW * 1000 + 500,
        }
    )
    cell = np.repeat(np.arange(N * N), counts)
    day = np.concatenate([np.arange(k) for k in counts])
    sightings = pd.DataFrame(
        {
            "person_id": "x1",
            "place_id": places["place_id"].to_numpy()[cell],
            "date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(day, "D")).strftime("%Y-%m-%d"),
            "context": "cce",
            "source": "police",
            "reliability": "reported",
        }
    )
    people = pd.DataFrame({"person_id": ["x1"], "home_authority": ["X09000005"], "age": [15]})
    return peermap.read_dataset({"people": people, "places": places, "sightings": sightings})


@pytest.mark.parametrize("inference", ["permutation", "analytical"])
def test_hot_and_cold_blocks_known_by_construction(
    lattice: peermap.Dataset, inference: str
) -> None:
    grid = gi_star(lattice, cell_size_m=1000, inference=inference)  # type: ignore[arg-type]
    # the grid is the lattice as built: row 0 in the south, column 0 in the west
    assert grid["count"].tolist() == _lattice_counts().tolist()
    assert grid["cell"].tolist() == list(range(N * N))
    b = grid["bin"].to_numpy()
    assert (b[HOT] >= 2).all()
    assert (b[COLD_CORE] <= -2).all()
    assert (b[COLD] <= 0).all() and (b[NEAR_COLD] <= 0).all() and (b[NEAR_HOT] >= 0).all()
    assert (b[NEUTRAL] == 0).all()
    assert not (abs(b[NEUTRAL]) == 3).any()
    flagged = b != 0
    assert (np.sign(b[flagged]) == np.sign(grid["z"].to_numpy()[flagged])).all()
    assert grid.attrs["inference"] == inference and grid.attrs["discordant"] == 0
    assert grid.attrs["inference_note"].startswith("bin: ")
    assert list(grid.columns) == [
        "cell",
        "row",
        "col",
        "count",
        "people",
        "people_key",
        "count_key",
        "z",
        "p",
        "p_norm",
        "bin",
        "geometry",
    ]


def test_permutation_floor_decides_the_top_bin_under_fdr() -> None:
    # With 999 permutations p >= 0.002, and the false discovery rate over 900 cells with
    # a few dozen cells at the floor cannot reach 99%; 9,999 permutations can.
    y = _lattice_counts().astype(float)
    w = lat2W(N, N, rook=False)
    coarse = _gi_cells(y, w, permutations=999, seed=0, fdr=True, inference="permutation")
    assert np.allclose(coarse.p[HOT], 0.002) and (coarse.bins[HOT] == 2).all()
    assert (coarse.bins[COLD_CORE] == -2).all()
    fine = _gi_cells(y, w, permutations=9999, seed=0, fdr=True, inference="permutation")
    assert (fine.bins[HOT] == 3).all() and (fine.bins[COLD_CORE] == -3).all()
    assert (fine.bins[NEUTRAL] == 0).all()
    unadjusted = _gi_cells(y, w, permutations=999, seed=0, fdr=False, inference="permutation")
    assert (unadjusted.bins[HOT] == 3).all() and (unadjusted.bins[COLD] == -3).all()


@pytest.mark.filterwarnings(ESDA_ALTERNATIVE)
def test_ties_count_against_significance_unlike_esda_p_sim() -> None:
    # One busy cell in an empty 10 x 10 lattice.
    y = np.zeros(100)
    y[44] = 5.0
    w = lat2W(10, 10, rook=False)
    with np.errstate(invalid="ignore"):  # esda's z_sim is 0 / 0 where all draws are equal
        esda = G_Local(
            y,
            w,
            transform="B",
            star=True,
            permutations=999,
            seed=0,
            n_jobs=1,
            keep_simulations=True,
        )
    ours = _gi_cells(y, w, permutations=999, seed=0, fdr=False, inference="permutation")
    np.testing.assert_allclose(ours.z, esda.Zs)
    # An empty corner among empty cells: every draw is at or above it. esda's directed
    # p_sim takes the draws strictly below, none, and reports its minimum; z < 0 made it
    # a "99% cold spot". Here p = 1 and the bin is 0.
    assert (esda.sim[:, 0] >= esda.Gs[0]).all() and esda.Zs[0] < 0
    assert esda.p_sim[0] == pytest.approx(1 / 1000)
    assert ours.p[0] == 1.0 and ours.bins[0] == 0
    # The busy cell itself: all its neighbours are empty and so is every other cell, so
    # every draw equals it; esda's p_sim is again minimal and z > 0 ("99% hot").
    assert (esda.sim[:, 44] == esda.Gs[44]).all() and esda.Zs[44] > 0
    assert esda.p_sim[44] == pytest.approx(1 / 1000)
    assert ours.p[44] == 1.0 and ours.bins[44] == 0 and ours.tail[44] == 0
    assert ours.degenerate >= 1
    # A neighbour of the busy cell is in the upper tail (only draws that include the busy
    # cell reach it), on the side of its z.
    assert ours.tail[45] == 1 and esda.Zs[45] > 0
    assert not (ours.bins != 0).any()


@pytest.mark.filterwarnings(ESDA_ALTERNATIVE)
def test_reproduces_esda_documented_example() -> None:
    # The example of esda's G_Local docstring and tests (esda 2.9): six points, a
    # 15-unit distance band, binary weights, Gi*.
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    w = DistanceBand(points, threshold=15)
    y = np.array([2, 3, 3.2, 5, 8, 7])
    lg = G_Local(y, w, transform="B", star=True, seed=10, n_jobs=1)
    documented = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
    np.testing.assert_allclose(lg.Zs, documented, rtol=1e-7)
    assert lg.p_sim[0] == pytest.approx(0.102)  # esda's test_star_binary
    ours = _gi_cells(y, w, permutations=999, seed=10, fdr=False, inference="permutation")
    np.testing.assert_allclose(ours.z, documented, rtol=1e-7)
    # esda's p_sim is the "directed" p, reproduced from the same draws: the count at or
    # above the observation, or, when that is the majority, the count strictly below.
    upper, lower = _tail_counts(y, w, 999, 10)
    directed = np.where(999 - upper < upper, 999 - upper, upper)
    np.testing.assert_allclose((directed + 1) / 1000, lg.p_sim, atol=1e-6)
    # Point 0 (z < 0) is in the lower tail. About one draw in ten gives it back its own
    # two neighbours, a tie, which p_sim leaves out and p counts.
    assert ours.tail[0] == -1
    assert ours.p[0] == pytest.approx(2 * (lower[0] + 1) / 1000)
    assert lower[0] - (999 - upper[0]) > 50  # the ties
    assert ours.p[0] > 2 * lg.p_sim[0]


@pytest.mark.filterwarnings(ESDA_ALTERNATIVE)
def test_columbus_matches_esda_called_directly() -> None:
    # libpysal's bundled Columbus example (no download): crime by neighbourhood, queen
    # contiguity, Gi* with binary weights.
    import geopandas as gpd
    from libpysal import examples
    from libpysal.weights import Queen

    df = gpd.read_file(examples.get_path("columbus.shp"))
    w = Queen.from_dataframe(df, use_index=False)
    y = df["CRIME"].to_numpy(dtype=float)
    lg = G_Local(
        y,
        w,
        transform="B",
        star=True,
        permutations=999,
        seed=12345,
        n_jobs=1,
        keep_simulations=True,
    )
    ours = _gi_cells(y, w, permutations=999, seed=12345, fdr=False, inference="permutation")
    np.testing.assert_allclose(ours.z, lg.Zs)
    np.testing.assert_allclose(ours.p_norm, 2 * lg.p_norm)
    # Same draws as esda: each tail equals esda's own one-sided p from its simulations.
    greater = calculate_significance(lg.Gs, lg.rGs, alternative="greater")
    lesser = calculate_significance(lg.Gs, lg.rGs, alternative="lesser")
    np.testing.assert_allclose(ours.p, np.minimum(1, 2 * np.minimum(greater, lesser)))
    assert (ours.tail == np.sign(lesser - greater)).all()
    # Where esda finds a cell significant by both its permutation and normal p, the bin
    # has the sign of esda's Zs: hot in the high-crime centre, cold in the suburbs.
    significant = (lg.p_sim < 0.025) & (2 * lg.p_norm < 0.05)
    assert (lg.Zs[significant] > 0).any() and (lg.Zs[significant] < 0).any()
    assert (np.sign(ours.bins[significant]) == np.sign(lg.Zs[significant])).all()
    assert (ours.bins[significant] != 0).all()
    assert y[ours.bins > 0].mean() > 2 * y[ours.bins < 0].mean()
    analytical = _gi_cells(y, w, permutations=999, seed=12345, fdr=False, inference="analytical")
    flagged = analytical.bins != 0
    assert (np.sign(analytical.bins[flagged]) == np.sign(lg.Zs[flagged])).all()


@pytest.fixture(scope="module")
def sparse(demo_scenario: DemoScenario) -> peermap.Dataset:
    return demo_scenario(2000, 0).dataset  # shared with other modules (conftest)


def test_sparse_scenario_has_no_spurious_bins(sparse: peermap.Dataset) -> None:
    # The reported symptom: most cells empty, and (before the fix) most of them "99% cold
    # spots", cells with z near 0 "99% hot", the bin's sign taken from z whatever the tail.
    grids = {
        "default": gi_star(sparse),
        "unadjusted": gi_star(sparse, fdr=False),
        "analytical": gi_star(sparse, inference="analytical"),
    }
    for name, grid in grids.items():
        b, z = grid["bin"].to_numpy(), grid["z"].to_numpy()
        assert (grid["count"] == 0).mean() > 0.8, name  # a sparse grid
        assert not ((abs(z) < 1) & (abs(b) == 3)).any(), name
        assert (np.sign(b[b != 0]) == np.sign(z[b != 0])).all(), name
        assert grid.attrs["discordant"] == 0, name
    unadjusted = grids["unadjusted"]
    empty = unadjusted["count"] == 0
    assert (unadjusted.loc[empty, "bin"] == -3).mean() < 0.01
    assert (unadjusted["bin"] != 0).mean() < 0.15  # about 10% expected by chance at 90%


def test_sparse_scenario_strong_cells(sparse: peermap.Dataset) -> None:
    # Cells with p_norm < 1e-4 are clustered by the normal approximation. The permutation
    # test keeps the cell's own count and asks whether its neighbours are unusual, so
    # without FDR a strong cell is a hot spot when its neighbours alone are extreme (Gi
    # without the cell, z >= 3); a strong cell left at 0 owes its z to its own count.
    grid = gi_star(sparse, fdr=False)
    nrows, ncols = grid["row"].max() + 1, grid["col"].max() + 1
    neighbours_only = G_Local(
        grid["count"].to_numpy(dtype=float),
        lat2W(nrows, ncols, rook=False),
        transform="B",
        permutations=0,
        star=False,
    ).Zs
    strong = (grid["p_norm"] < 1e-4).to_numpy()
    b = grid["bin"].to_numpy()
    assert strong.sum() >= 10
    assert (b[strong & (neighbours_only >= 3)] >= 1).all()
    assert (neighbours_only[strong & (b == 0)] < 3).all()
    assert (b[strong] >= 0).all()
    # With FDR over the ~2,000 cells, nothing is flagged: Benjamini-Hochberg needs some k
    # with p_(k) <= 0.10 * k / m. The floor 2 / (permutations + 1) = 0.002 alone needs
    # m * 0.002 / 0.10 (about 40) cells at the floor to flag any, and on counts this
    # skewed the strongest cells' permutation p is 0.002-0.03, not the 1e-4 of p_norm.
    default = gi_star(sparse)
    p = np.sort(default["p"].to_numpy())
    m, floor = len(p), default.attrs["p_floor"]
    assert floor == pytest.approx(0.002) and p[0] >= floor - 1e-12
    assert (p <= floor + 1e-12).sum() < m * floor / 0.10
    if not (default["bin"] != 0).any():
        assert (p / (np.arange(1, m + 1) / m)).min() > 0.10


def test_invalid_arguments(lattice: peermap.Dataset) -> None:
    with pytest.raises(ValueError, match="inference"):
        gi_star(lattice, cell_size_m=1000, inference="exact")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="permutations"):
        gi_star(lattice, cell_size_m=1000, permutations=0)


def test_numpy_global_random_state_is_left_alone(lattice: peermap.Dataset) -> None:
    np.random.seed(7)
    expected = np.random.random()
    np.random.seed(7)
    gi_star(lattice, cell_size_m=1000, permutations=99)
    assert np.random.random() == expected
