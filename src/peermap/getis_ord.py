"""Getis-Ord Gi* hot spots of sightings on a regular grid (esda).

The method and its limits are described in ``docs/analysis.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse

from peermap import settings
from peermap._arguments import dataset_argument, whole_number
from peermap.cell_keys import KEY_SPACE, record_keys, sighting_keys
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window, filter_sightings
from peermap.schema import ONLINE_PLACE_KINDS

__all__ = ["FIT_MAX_CELLS", "check_cell_size", "gi_star", "nothing_to_map", "sighting_grid"]

#: Most cells of a grid whose cell size is fitted to the sightings (``cell_size_m=None``):
#: Gi* on such a grid takes a few seconds and its significant cells stay few.
FIT_MAX_CELLS = 20_000
#: The cell size a fitted grid starts from, and whose multiples it tries.
_BASE_CELL_M = 500.0

#: Confidence bins and the significance level each needs (ArcGIS's ``Gi_Bin``).
_LEVELS = ((1, 0.10), (2, 0.05), (3, 0.01))
#: Most simulated values held in memory at once (cells x permutations x neighbours).
_CHUNK = 1 << 19

_NOTE = {
    "permutation": (
        "bin: +-1/2/3 where the two-sided conditional-permutation p (p) passes the "
        "90/95/99% threshold (FDR-corrected if fdr), signed by the tail of the permutation "
        "distribution the observed Gi* lies in (upper = hot, lower = cold); ties count "
        "against significance; a cell whose tail disagrees with the sign of z is binned 0 "
        "(attrs['discordant']). z is the analytical standardised Gi* (esda Zs)."
    ),
    "analytical": (
        "bin: +-1/2/3 where the two-sided normal p of z (p_norm) passes the 90/95/99% "
        "threshold (FDR-corrected if fdr), signed by z, as in ArcGIS's Hot Spot Analysis; "
        "p (conditional permutation) is reported but not used."
    ),
}


@dataclass(frozen=True)
class _GiCells:
    """Gi* and its inference for each observation (see :func:`_gi_cells`)."""

    z: NDArray[np.float64]
    p: NDArray[np.float64]
    p_norm: NDArray[np.float64]
    tail: NDArray[np.int64]
    bins: NDArray[np.int64]
    degenerate: int
    discordant: int


def _tail_counts(
    y: NDArray[np.float64], weights: Any, permutations: int, seed: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Conditional permutations at or above, and at or below, each observed Gi*.

    Uses esda's conditional randomisation exactly: the permutation draws come from
    ``esda.crand.vec_permutations`` with the same seed, and observation ``i`` keeps its
    own value while its neighbours' values are replaced by a draw from the other
    ``n - 1`` observations. With the self term and the total fixed, Gi*_i is an
    increasing function of the weighted sum of the neighbours' values, so that sum is
    compared. Ties (to within rounding) are counted in both tails.
    """
    from esda.crand import vec_permutations

    n = len(y)
    full = sparse.coo_matrix(weights.sparse)
    off = (full.row != full.col) & (full.data != 0)
    adj = sparse.csr_matrix(
        (full.data[off].astype(float), (full.row[off], full.col[off])), shape=(n, n)
    )
    card = np.diff(adj.indptr)
    upper = np.full(n, permutations, dtype=np.int64)
    lower = np.full(n, permutations, dtype=np.int64)
    if n < 2 or card.max() == 0:
        return upper, lower
    state = np.random.get_state()  # esda seeds numpy's global generator: restore it
    try:
        draws = np.asarray(vec_permutations(int(card.max()), n, permutations, seed))
    finally:
        np.random.set_state(state)
    # The draws index the n - 1 observations other than i: draw j is observation j
    # below i and j + 1 from i on, so the values of both readings are looked up once.
    below, above = y[draws], y[draws + 1]
    scale = float(np.abs(y).max())
    for k in np.unique(card[card > 0]):
        cells = np.flatnonzero(card == k)
        ids, low, high = draws[None, :, :k], below[None, :, :k], above[None, :, :k]
        step = max(1, _CHUNK // (permutations * int(k)))
        for start in range(0, len(cells), step):
            rows = cells[start : start + step]
            pos = adj.indptr[rows][:, None] + np.arange(k)
            wt = adj.data[pos]
            observed = (y[adj.indices[pos]] * wt).sum(axis=1)[:, None]
            drawn = np.where(ids >= rows[:, None, None], high, low)
            simulated = np.einsum("cpk,ck->cp", drawn, wt)
            tol = 1e-9 * scale * np.abs(wt).sum(axis=1)[:, None]
            upper[rows] = (simulated >= observed - tol).sum(axis=1)
            lower[rows] = (simulated <= observed + tol).sum(axis=1)
    return upper, lower


def _gi_cells(
    y: NDArray[np.float64],
    weights: Any,
    *,
    permutations: int,
    seed: int,
    fdr: bool,
    inference: Literal["permutation", "analytical"],
) -> _GiCells:
    """Gi* (binary weights, self included), p-values and confidence bins.

    ``weights`` is a libpysal ``W`` (or ``Graph``) of binary weights without self
    weights, aligned with ``y``. ``z`` and ``p_norm`` are esda's ``G_Local(star=True)``
    ``Zs`` and two-sided normal p. ``p`` is the two-sided conditional-permutation p,
    ``min(1, 2 * min(p_upper, p_lower))`` with ``p_upper = (1 + #sim >= obs) /
    (permutations + 1)`` and ``p_lower`` likewise; ``tail`` is +1 when the observed
    Gi* is in the upper tail (``p_upper < p_lower``), -1 in the lower, 0 in neither.
    """
    from esda.getisord import G_Local

    if inference not in ("permutation", "analytical"):
        raise ArgumentError(f"inference={inference!r}; expected 'permutation' or 'analytical'")
    whole_number(permutations, "permutations", 1)
    whole_number(seed, "seed")
    y = np.asarray(y, dtype=float)
    # permutations=0: esda's analytical moments only; the permutations are counted below
    gi = G_Local(y, weights, transform="B", permutations=0, star=True)
    z = np.asarray(gi.Zs, dtype=float)
    p_norm = np.minimum(1.0, 2.0 * np.asarray(gi.p_norm, dtype=float))
    upper, lower = _tail_counts(y, weights, permutations, seed)
    p_upper = (upper + 1.0) / (permutations + 1.0)
    p_lower = (lower + 1.0) / (permutations + 1.0)
    p = np.minimum(1.0, 2.0 * np.minimum(p_upper, p_lower))
    tail = np.sign(p_lower - p_upper).astype(np.int64)
    decide = p if inference == "permutation" else p_norm
    level = confidence_levels(decide, fdr=fdr)
    sign_z = np.sign(z).astype(np.int64)
    if inference == "permutation":
        agree = tail == sign_z
        bins = np.where(agree, tail * level, 0)
        discordant = int(((level > 0) & ~agree).sum())
    else:
        bins = sign_z * level
        discordant = 0
    degenerate = int(((upper == permutations) & (lower == permutations)).sum())
    return _GiCells(z, p, p_norm, tail, bins.astype(np.int64), degenerate, discordant)


def confidence_levels(p: NDArray[np.float64], *, fdr: bool) -> NDArray[np.int64]:
    """Confidence level (0, 1, 2, 3 for none, 90%, 95%, 99%) that each p-value reaches.

    With ``fdr=True`` the threshold at each level is corrected for the false discovery
    rate over all the p-values given (Benjamini-Hochberg, ``esda.fdr``), as ArcGIS's
    Hot Spot Analysis does; otherwise it is the nominal 0.10, 0.05 or 0.01.
    """
    from esda.util import fdr as esda_fdr

    p = np.asarray(p, dtype=float)
    level = np.zeros(len(p), dtype=np.int64)
    for confidence, alpha in _LEVELS:
        threshold = float(esda_fdr(p, alpha)) if fdr else alpha
        level[p <= threshold] = confidence
    return level


def check_cell_size(cell_size_m: float | None, name: str = "cell_size_m") -> None:
    """Refuse a grid cell size that is not a positive number of metres (``None`` is fitted).

    Parameters
    ----------
    cell_size_m : float or None
        The side of a cell in metres, or ``None`` (fitted to the sightings).
    name : str, default "cell_size_m"
        The keyword the caller took it as, for the message.

    Raises
    ------
    ValueError
        When it is zero, negative, infinite or not a number.
    """
    if cell_size_m is None:
        return
    try:
        size = float(cell_size_m)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{name} must be a positive number of metres, got {cell_size_m!r}"
        ) from None
    if not (math.isfinite(size) and size > 0):
        raise ArgumentError(f"{name} must be a positive number of metres, got {cell_size_m!r}")


def grid_shape(pts: NDArray[np.float64], cell_size_m: float) -> tuple[float, float, int, int]:
    """South-west corner, rows and columns of the grid of ``cell_size_m`` over ``pts``."""
    check_cell_size(cell_size_m)
    x0 = math.floor(pts[:, 0].min() / cell_size_m) * cell_size_m
    y0 = math.floor(pts[:, 1].min() / cell_size_m) * cell_size_m
    ncols = int((pts[:, 0].max() - x0) // cell_size_m) + 1
    nrows = int((pts[:, 1].max() - y0) // cell_size_m) + 1
    return x0, y0, nrows, ncols


def fitted_cell_size(pts: NDArray[np.float64], max_cells: int) -> float:
    """500 m, or the smallest multiple of 500 m whose grid over ``pts`` has few enough cells."""
    size = _BASE_CELL_M
    while True:
        _, _, nrows, ncols = grid_shape(pts, size)
        if nrows * ncols <= max_cells:
            return size
        size += _BASE_CELL_M


def sighting_grid(
    pts: NDArray[np.float64], cell_size_m: float | None, max_cells: int
) -> tuple[float, float, float, int, int]:
    """Return the grid sightings are counted on: cell size, south-west corner, rows, columns.

    Fitted to the sightings when ``cell_size_m`` is None (:func:`fitted_cell_size`).
    A grid of more than ``max_cells`` cells, or of fewer than 4 (no hot spot without
    neighbours), is refused, saying what would make one, or that nothing would.
    """
    if cell_size_m is None:
        cell_size_m = fitted_cell_size(pts, min(max_cells, FIT_MAX_CELLS))
    x0, y0, nrows, ncols = grid_shape(pts, cell_size_m)
    if nrows * ncols > max_cells:
        raise ArgumentError(
            f"a {cell_size_m:g} m grid over these sightings has {nrows * ncols:,} cells, "
            f"more than the {max_cells:,} allowed; choose a larger cell_size_m "
            "(or None to fit it to the sightings)"
        )
    if nrows * ncols < 4:
        if np.ptp(pts, axis=0).max() == 0:  # one spot: no cell size makes a map
            raise ArgumentError(
                "the sightings are all at one spot: a hot spot is a cell against its "
                "neighbours, and there is no neighbour to compare it with"
            )
        raise ArgumentError(
            f"the sightings fit in fewer than 4 cells of {cell_size_m:g} m; "
            "choose a smaller cell_size_m"
        )
    return cell_size_m, x0, y0, nrows, ncols


def gi_star(
    ds: Dataset,
    *,
    cell_size_m: float | None = 500.0,
    permutations: int = 999,
    seed: int = 0,
    fdr: bool = True,
    inference: Literal["permutation", "analytical"] = "permutation",
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    max_cells: int = 250_000,
    exclude_place_kinds: Iterable[str] = (),
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hot spots of sightings on a regular grid, with esda.

    Sightings are counted in square cells covering the places seen (empty cells
    included), and Gi* is computed with ``esda.G_Local`` (``star=True``, binary
    queen-contiguity weights on the lattice). As in ArcGIS's Hot Spot Analysis, each
    cell gets a confidence bin: +-3 (99%), +-2 (95%), +-1 (90%) or 0; with ``fdr=True``
    the threshold at each confidence level is corrected for the false discovery rate
    (``esda.fdr``).

    With ``inference="permutation"`` (the default) significance comes from esda's
    conditional permutations: the cell keeps its own count and its neighbours' counts
    are replaced by counts drawn from the other cells. A cell is a hot spot when its
    observed Gi* lies in the upper tail of that distribution, a cold spot when it lies
    in the lower tail; the bin's sign is that tail, the side whose p-value makes the
    cell significant. (esda's own ``p_sim`` is a "directed" one-sided p that picks
    whichever tail is smaller and counts ties on the upper side only, so an empty cell
    among empty cells, equal to every permutation, came out at p = 1 / (permutations +
    1); signing that by z made most empty cells "99% cold spots".)

    Parameters
    ----------
    ds : Dataset
        The dataset.
    cell_size_m : float or None, default 500
        Side of a grid cell in metres. ``None`` fits it to the sightings: 500 m when
        the grid over the sightings' extent then has at most :data:`FIT_MAX_CELLS`
        (20 000) cells, else the smallest multiple of 500 m for which it has (4 500 m
        over all England). ``attrs["cell_size_m"]`` records the size used.
    permutations : int, default 999
        Conditional permutations for the pseudo p-values (at least 1).
    seed : int, default 0
        Seed for the permutations (the same draws as ``esda.G_Local(seed=seed)``).
    fdr : bool, default True
        Correct the significance thresholds for the false discovery rate.
    inference : {"permutation", "analytical"}, default "permutation"
        Which p-value sets the bins: the permutation ``p``, with the bin signed by the
        tail the cell lies in, or the normal approximation ``p_norm``, with the bin
        signed by z (as ArcGIS's Hot Spot Analysis does). A permutation p cannot fall
        below ``2 / (permutations + 1)``; with the false discovery rate controlled over
        many cells, the 99% and even 95% bins may then be out of reach unless
        ``permutations`` is large. ``attrs["p_floor"]`` says so.
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.
    max_cells : int, default 250000
        Refuse grids larger than this (choose a larger cell).
    exclude_place_kinds : iterable of str, optional
        Leave out the sightings at places of these kinds: public maps leave out private
        homes (``residential``), so no cell's statistic rests on a home.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell (EPSG:27700), with polygon geometry and:

        - ``cell``, ``row``, ``col``: the cell's id (``row * ncols + col``) and position,
          row 0 and column 0 at the south-west corner;
        - ``count``: sightings in the cell;
        - ``people``: distinct young people seen in the cell, and the cell keys of both
          counts, ``people_key`` and ``count_key`` (:mod:`peermap.cell_keys`), for the
          disclosure rule of public maps;
        - ``z``: the standardised Gi* (esda's ``Zs``: Gi* minus its expectation over
          its standard deviation, from the analytical moments), in both modes;
        - ``p``: the two-sided conditional-permutation p-value,
          ``min(1, 2 * min(p_upper, p_lower))`` with ``p_upper = (1 + #permutations
          with Gi* >= observed) / (permutations + 1)`` and ``p_lower`` the same with
          ``<=``. Ties count in both tails, so a cell equal to all its permutations
          (an empty cell among empty cells when almost all cells are empty) has p = 1;
        - ``p_norm``: the two-sided p of z under the normal approximation;
        - ``bin``: -3..3. In permutation mode, the confidence level that ``p`` reaches,
          signed +1 when the observed Gi* is in the upper tail of its permutations
          (``p_upper < p_lower``) and -1 in the lower tail; a significant cell whose tail
          disagrees with the sign of z (a busy cell among quiet neighbours, or the
          reverse) is binned 0, so every nonzero bin has the sign of z. In analytical
          mode, the level that ``p_norm`` reaches, signed by z.

        ``attrs`` records ``cell_size_m``, ``permutations``, ``seed``, ``fdr``,
        ``inference`` (the mode), ``inference_note`` (what ``p``, ``z`` and ``bin``
        mean in that mode), ``p_floor`` (the smallest possible ``p``), ``degenerate``
        (cells equal to every permutation: p = 1) and ``discordant`` (significant cells
        binned 0 because their tail disagrees with z; always 0 in analytical mode).
    """
    dataset_argument(ds, "gi_star")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    whole_number(permutations, "permutations", 1)
    whole_number(seed, "seed")
    whole_number(max_cells, "max_cells", 4)
    from libpysal.weights import lat2W

    if inference not in ("permutation", "analytical"):
        raise ArgumentError(f"inference={inference!r}; expected 'permutation' or 'analytical'")
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    # Sightings at online places (schema 1.1) have no location: not in any cell.
    if isinstance(exclude_place_kinds, str):  # one kind named, not its letters
        exclude_place_kinds = [exclude_place_kinds]
    excluded = set(exclude_place_kinds) | set(ONLINE_PLACE_KINDS)
    in_window = len(s)
    if excluded:
        kinds = ds.places.set_index("place_id")["kind"].astype(str)
        kept = ~kinds.reindex(s["place_id"].to_numpy()).isin(excluded).to_numpy(dtype=bool)
        s = s[kept]
    xy = ds.places.set_index("place_id")[["easting", "northing"]]
    pts = xy.reindex(s["place_id"].to_numpy()).to_numpy(dtype=float)
    if len(pts) == 0:
        raise ArgumentError(nothing_to_map(in_window))
    cell_size_m, x0, y0, nrows, ncols = sighting_grid(pts, cell_size_m, max_cells)
    col = ((pts[:, 0] - x0) // cell_size_m).astype(int)
    row = ((pts[:, 1] - y0) // cell_size_m).astype(int)
    cell_of = row * ncols + col
    counts = np.bincount(cell_of, minlength=nrows * ncols).astype(float)
    n_cells = nrows * ncols
    count_key = np.bincount(cell_of, weights=sighting_keys(s), minlength=n_cells)
    seen = pd.DataFrame({"cell": cell_of, "person": s["person_id"].to_numpy(dtype=object)})
    seen = seen.drop_duplicates()
    person_key = record_keys(seen["person"].to_numpy(dtype=object))
    cell_seen = seen["cell"].to_numpy(dtype=np.int64)
    people = np.bincount(cell_seen, minlength=n_cells)
    people_key = np.bincount(cell_seen, weights=person_key, minlength=n_cells)
    gi = _gi_cells(
        counts,
        lat2W(nrows, ncols, rook=False),
        permutations=permutations,
        seed=seed,
        fdr=fdr,
        inference=inference,
    )
    ids = np.arange(nrows * ncols)
    rows, cols = ids // ncols, ids % ncols
    geoms = shapely.box(
        x0 + cols * cell_size_m,
        y0 + rows * cell_size_m,
        x0 + (cols + 1) * cell_size_m,
        y0 + (rows + 1) * cell_size_m,
    )
    grid = gpd.GeoDataFrame(
        {
            "cell": ids,
            "row": rows,
            "col": cols,
            "count": counts.astype(int),
            "people": people.astype(np.int64),
            "people_key": people_key.astype(np.int64) % KEY_SPACE,
            "count_key": count_key.astype(np.int64) % KEY_SPACE,
            "z": gi.z,
            "p": gi.p,
            "p_norm": gi.p_norm,
            "bin": gi.bins,
        },
        geometry=geoms,
        crs=settings.metric_crs,
    )
    grid.attrs.update(
        cell_size_m=cell_size_m,
        permutations=permutations,
        seed=seed,
        fdr=fdr,
        inference=inference,
        inference_note=_NOTE[inference],
        p_floor=min(1.0, 2.0 / (permutations + 1)),
        degenerate=gi.degenerate,
        discordant=gi.discordant,
    )
    return grid


def nothing_to_map(in_window: int) -> str:
    """Say why there is nothing to map: no sightings, or none at a place on the map."""
    if in_window == 0:
        return "no sightings in the window: nothing to map"
    return (
        "none of the sightings in the window is at a place that can be mapped, so there "
        "is nothing to map (online places have no location, and private homes and the "
        "kinds left out are not counted)"
    )
