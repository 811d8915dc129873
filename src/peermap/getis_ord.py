"""Getis-Ord Gi* hot spots of sightings on a regular grid (esda).

The method and its limits are described in ``docs/analysis.md``.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from peermap import settings
from peermap.dataset import Dataset
from peermap.networks import DateLike, filter_sightings

__all__ = ["gi_star"]

_ESDA_ALTERNATIVE = "The alternative hypothesis for conditional randomization"


def gi_star(
    ds: Dataset,
    *,
    cell_size_m: float = 500.0,
    permutations: int = 999,
    seed: int = 0,
    fdr: bool = True,
    inference: Literal["permutation", "analytical"] = "permutation",
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    max_cells: int = 250_000,
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hot spots of sightings on a regular grid, with esda.

    Sightings are counted in square cells covering the places seen (empty cells
    included), and Gi* (``esda.G_Local`` with ``star=True``, binary queen-contiguity
    weights on the lattice) is computed with conditional permutation inference. As in
    ArcGIS's Hot Spot Analysis, each cell gets a confidence bin: +-3 (99%), +-2 (95%),
    +-1 (90%) or 0, signed by z; with ``fdr=True`` the threshold at each confidence
    level is corrected for the false discovery rate (``esda.fdr``).

    Parameters
    ----------
    ds : Dataset
        The dataset.
    cell_size_m : float, default 500
        Side of a grid cell in metres.
    permutations : int, default 999
        Conditional permutations for the pseudo p-values.
    seed : int, default 0
        Seed for the permutations.
    fdr : bool, default True
        Correct the significance thresholds for the false discovery rate.
    inference : {"permutation", "analytical"}, default "permutation"
        Which p-value sets the bins: the permutation p (``p``) or the normal
        approximation of z (``p_norm``, as ArcGIS's Hot Spot Analysis does). A
        permutation p cannot fall below ``2 / (permutations + 1)``; with the false
        discovery rate controlled over many cells, the 99% and even 95% bins may then
        be out of reach unless ``permutations`` is large. ``attrs["p_floor"]`` says so.
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.
    max_cells : int, default 250000
        Refuse grids larger than this (choose a larger cell).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell (EPSG:27700): ``cell``, ``row``, ``col``, ``count``, ``z``
        (standardised Gi*), ``p`` (two-sided permutation p-value, ``2 * p_sim``
        capped at 1), ``p_norm`` (two-sided p of z under the normal approximation),
        ``bin`` (-3..3), polygon geometry. ``attrs`` records the parameters.
    """
    from esda.getisord import G_Local
    from esda.util import fdr as esda_fdr
    from libpysal.weights import lat2W

    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    xy = ds.places.set_index("place_id")[["easting", "northing"]]
    pts = xy.reindex(s["place_id"].to_numpy()).to_numpy(dtype=float)
    if len(pts) == 0:
        raise ValueError("no sightings in the window: nothing to map")
    x0 = math.floor(pts[:, 0].min() / cell_size_m) * cell_size_m
    y0 = math.floor(pts[:, 1].min() / cell_size_m) * cell_size_m
    ncols = int((pts[:, 0].max() - x0) // cell_size_m) + 1
    nrows = int((pts[:, 1].max() - y0) // cell_size_m) + 1
    if nrows * ncols > max_cells:
        raise ValueError(
            f"a {cell_size_m:g} m grid over these sightings has {nrows * ncols:,} cells "
            f"(more than max_cells={max_cells:,}); choose a larger cell_size_m"
        )
    if nrows * ncols < 4:
        raise ValueError("the sightings fit in fewer than 4 cells: choose a smaller cell_size_m")
    col = ((pts[:, 0] - x0) // cell_size_m).astype(int)
    row = ((pts[:, 1] - y0) // cell_size_m).astype(int)
    counts = np.bincount(row * ncols + col, minlength=nrows * ncols).astype(float)
    weights = lat2W(nrows, ncols, rook=False)
    with warnings.catch_warnings():
        # G_Local offers no way to choose the permutation alternative, so esda always
        # warns that its default ("directed", a folded one-sided p) will change. We use
        # that p and double it: the two-sided p that esda recommends moving to.
        warnings.filterwarnings("ignore", message=_ESDA_ALTERNATIVE, category=DeprecationWarning)
        gi = G_Local(
            counts,
            weights,
            transform="B",
            permutations=permutations,
            star=True,
            seed=seed,
            n_jobs=1,
            keep_simulations=False,
        )
    z = np.asarray(gi.Zs, dtype=float)
    p = np.minimum(1.0, 2.0 * np.asarray(gi.p_sim, dtype=float))
    p_norm = np.minimum(1.0, 2.0 * np.asarray(gi.p_norm, dtype=float))
    if inference not in ("permutation", "analytical"):
        raise ValueError(f"inference={inference!r}; expected 'permutation' or 'analytical'")
    decide = p if inference == "permutation" else p_norm
    level = np.zeros(len(z), dtype=int)
    for confidence, alpha in ((1, 0.10), (2, 0.05), (3, 0.01)):
        threshold = float(esda_fdr(decide, alpha)) if fdr else alpha
        level[decide <= threshold] = confidence
    bins = (np.sign(z) * level).astype(int)
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
            "z": z,
            "p": p,
            "p_norm": p_norm,
            "bin": bins,
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
        p_floor=min(1.0, 2.0 / (permutations + 1)),
    )
    return grid
