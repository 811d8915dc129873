"""Emerging hot spots: Gi* in space and time, its trend, and ArcGIS's patterns.

ArcGIS's *Emerging Hot Spot Analysis* (Space Time Pattern Mining) asks how hot spots
change: are they new, growing, fading, on and off? peermap does the same on the
sightings, in three steps (see ``docs/emerging_hotspots.md``):

1. **A space-time cube.** Sightings are counted per square cell (the grid of
   :func:`peermap.gi_star`) and per calendar period (month by default). As in ArcGIS,
   only cells with at least one sighting in at least one period are analysed; their
   empty periods count as zero.
2. **Gi* per bin** (a cell in a period) with ``esda.G_Local(star=True)`` on binary
   space-time weights: a bin's neighbourhood is its cell and the cells around it
   (queen contiguity) in the same period and in the ``time_steps`` periods before
   (ArcGIS's *Neighborhood Time Step*, 1 by default). The mean and variance are those of
   the whole cube (ArcGIS's default global window, "entire cube"). Each bin gets a
   z-score, its normal p and a confidence bin (+-3/2/1 at 99/95/90%), the thresholds
   corrected for the false discovery rate over every bin of the cube.
3. **A trend and a pattern per cell.** The Mann-Kendall test of the cell's z-scores over
   the periods (the statistic of ``pymannkendall.original_test``, computed for all cells
   at once) gives a trend z and p; with the bins, it puts each cell in one of ArcGIS's
   categories (:data:`PATTERNS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse, stats

from peermap import settings
from peermap._arguments import dataset_argument
from peermap.cell_keys import KEY_SPACE, record_keys, sighting_keys
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window, filter_sightings
from peermap.getis_ord import (
    confidence_levels,
    nothing_to_map,
    sighting_grid,
)
from peermap.schema import ONLINE_PLACE_KINDS

__all__ = [
    "HOT_PATTERNS",
    "NO_PATTERN",
    "PATTERNS",
    "PERIODS",
    "EmergingHotSpots",
    "classify_patterns",
    "emerging_hotspots",
    "mann_kendall",
]

#: The periods of the cube: pandas period aliases (weeks start on Monday).
PERIODS: Final[dict[str, str]] = {"week": "W-SUN", "month": "M", "quarter": "Q"}
Period = Literal["week", "month", "quarter"]

#: ArcGIS's hot-spot patterns, in the order ArcGIS lists them (its ``CATEGORY`` codes
#: 1-8; the cold spots are -1 to -8).
HOT_PATTERNS: Final[tuple[str, ...]] = (
    "New Hot Spot",
    "Consecutive Hot Spot",
    "Intensifying Hot Spot",
    "Persistent Hot Spot",
    "Diminishing Hot Spot",
    "Sporadic Hot Spot",
    "Oscillating Hot Spot",
    "Historical Hot Spot",
)
NO_PATTERN: Final = "No Pattern Detected"
#: Every pattern by its code: 1-8 hot, -1 to -8 cold, 0 none.
PATTERNS: Final[dict[int, str]] = {
    0: NO_PATTERN,
    **{i: name for i, name in enumerate(HOT_PATTERNS, start=1)},
    **{-i: name.replace("Hot", "Cold") for i, name in enumerate(HOT_PATTERNS, start=1)},
}
_NEW, _CONSECUTIVE, _INTENSIFYING, _PERSISTENT, _DIMINISHING, _SPORADIC, _OSCILLATING = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
)
_HISTORICAL = 8
#: "at least ninety percent of the time-step intervals" (ArcGIS): 9 in 10.
_MOST_OF = (9, 10)
#: Most pairwise differences held at once by the Mann-Kendall score (cells x periods^2).
_MK_CHUNK = 1 << 22


def mann_kendall(series: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mann-Kendall trend test of each row: its z and two-sided p.

    The same statistic as ``pymannkendall.original_test`` (Mann 1945, Kendall 1975,
    Gilbert 1987), for many series at once: the score ``S`` is the sum of the signs of
    every later-minus-earlier difference, its variance is corrected for ties
    (``n(n-1)(2n+5) - sum t(t-1)(2t+5)``, over 18, ``t`` the size of each group of equal
    values), ``z = (S - 1) / sqrt(var)`` for ``S > 0``, ``(S + 1) / sqrt(var)`` for
    ``S < 0`` and 0 for ``S = 0``, and ``p = 2 (1 - Phi(|z|))``.

    Parameters
    ----------
    series : array-like, shape (rows, n)
        One series per row, in time order, without missing values.

    Returns
    -------
    z, p : numpy.ndarray
        One value per row; positive ``z`` is an increasing trend.
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    rows, n = x.shape
    s = np.zeros(rows)
    later = np.triu(np.ones((n, n), dtype=bool), k=1)
    step = max(1, _MK_CHUNK // max(1, n * n))
    for start in range(0, rows, step):
        block = x[start : start + step]
        diff = np.sign(block[:, None, :] - block[:, :, None])  # [r, i, j] = x_j - x_i
        s[start : start + step] = diff[:, later].sum(axis=1)
    ordered = np.sort(x, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts, axis=1) - 1 + (np.arange(rows) * n)[:, None]
    sizes = np.bincount(group.ravel(), minlength=rows * n).astype(float)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).reshape(rows, n).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    root = np.sqrt(np.where(var > 0, var, 1.0))
    z = np.where(s > 0, (s - 1) / root, np.where(s < 0, (s + 1) / root, 0.0))
    p = 2 * stats.norm.sf(np.abs(z))
    return z, p


def _hot_patterns(
    hot: NDArray[np.bool_],
    cold: NDArray[np.bool_],
    trend_z: NDArray[np.float64],
    trend_p: NDArray[np.float64],
    trend_alpha: float,
) -> NDArray[np.int64]:
    """ArcGIS's hot-spot pattern (1-8, 0 for none) of each row of significant bins."""
    rows, n = hot.shape
    any_sig = hot | cold
    last_hot = hot[:, -1]
    # the final uninterrupted run of hot bins, and whether anything significant precedes it
    not_hot = ~hot[:, ::-1]
    run = np.where(not_hot.any(axis=1), not_hot.argmax(axis=1), n)
    before_run = np.arange(n)[None, :] < (n - run)[:, None]
    clear_before = ~(any_sig & before_run).any(axis=1)
    trending = trend_p <= trend_alpha
    most = hot.sum(axis=1) * _MOST_OF[1] >= _MOST_OF[0] * n  # in whole numbers
    out = np.zeros(rows, dtype=np.int64)
    rules = (
        (_NEW, last_hot & (run == 1) & clear_before),
        (_CONSECUTIVE, last_hot & (run >= 2) & clear_before & ~most),
        (_INTENSIFYING, most & last_hot & trending & (trend_z > 0)),
        (_DIMINISHING, most & last_hot & trending & (trend_z < 0)),
        (_HISTORICAL, most & ~last_hot),
        (_PERSISTENT, most & ~trending),
        (_OSCILLATING, ~most & last_hot & cold[:, :-1].any(axis=1)),
        (_SPORADIC, ~most & hot.any(axis=1) & ~cold.any(axis=1)),
    )
    for code, rule in rules:  # the first rule a row meets decides
        out[(out == 0) & rule] = code
    return out


def classify_patterns(
    bins: Any, trend_z: Any, trend_p: Any, *, trend_alpha: float = 0.05
) -> NDArray[np.int64]:
    """ArcGIS's emerging hot and cold spot pattern of each location.

    Parameters
    ----------
    bins : array-like, shape (locations, periods)
        Confidence bins (-3..3, 0 not significant) of each location in each period, in
        time order: a bin above 0 is a statistically significant hot spot, below 0 a cold
        spot.
    trend_z, trend_p : array-like, shape (locations,)
        The Mann-Kendall trend z and p of each location's Gi* z-scores
        (:func:`mann_kendall`).
    trend_alpha : float, default 0.05
        The trend is significant when ``trend_p <= trend_alpha``.

    Returns
    -------
    numpy.ndarray
        The code of each location's pattern in :data:`PATTERNS`: 1-8 hot (new,
        consecutive, intensifying, persistent, diminishing, sporadic, oscillating,
        historical), -1 to -8 the cold spots, 0 none. Where two of ArcGIS's definitions
        fit, the first rule in this order decides: new, consecutive, intensifying,
        diminishing, historical, persistent, oscillating, sporadic, hot before cold
        (``docs/emerging_hotspots.md`` gives the rules).
    """
    b = np.atleast_2d(np.asarray(bins, dtype=np.int64))
    tz = np.asarray(trend_z, dtype=float)
    tp = np.asarray(trend_p, dtype=float)
    hot, cold = b > 0, b < 0
    out = _hot_patterns(hot, cold, tz, tp, trend_alpha)
    cold_codes = _hot_patterns(cold, hot, -tz, tp, trend_alpha)
    return np.where(out != 0, out, -cold_codes)


@dataclass(frozen=True)
class EmergingHotSpots:
    """The result of :func:`emerging_hotspots`.

    Attributes
    ----------
    cells : geopandas.GeoDataFrame
        One row per cell analysed (for a public audience, per cell about enough young
        people), EPSG:27700, square polygons, indexed by ``cell`` (``row * ncols +
        col`` of the grid, row 0 and column 0 at the south-west corner), with ``row``,
        ``col``; ``pattern`` (ArcGIS's name, :data:`PATTERNS`) and ``code`` (1-8 hot,
        -1 to -8 cold, 0 none); ``hot_periods`` and ``cold_periods`` (significant
        bins); ``trend_z`` and ``trend_p`` (Mann-Kendall of the cell's Gi* z-scores)
        and ``trend`` (``"increasing"``, ``"decreasing"`` or ``"no trend"`` at
        ``trend_alpha``); ``people`` and ``sightings`` over the whole window (for a
        public audience, as the rule shows them: a number or ``"c"``).
    bins : pandas.DataFrame
        Confidence bin (-3..3) of each cell (rows, as ``cells``) in each period
        (columns, :attr:`periods`).
    z : pandas.DataFrame or None
        Gi* z-score of each cell in each period; ``None`` for a public audience (the
        z-scores of a cell's months would give back its neighbourhood's exact counts).
    counts : pandas.DataFrame or None
        Sightings of each cell in each period; ``None`` for a public audience.
    periods : pandas.PeriodIndex
        The periods of the cube, oldest first.
    cell_size_m : float
        Side of a cell in metres.
    time_steps : int
        Earlier periods in a bin's neighbourhood.
    audience : str
        Who the result is for (``"partnership"`` or ``"public"``).
    withheld : int
        Cells with a pattern left out because they are about too few young people
        (public only).
    notes : tuple of str
        What the numbers mean and what was left out.
    """

    cells: gpd.GeoDataFrame
    bins: pd.DataFrame
    z: pd.DataFrame | None
    counts: pd.DataFrame | None
    periods: pd.PeriodIndex
    cell_size_m: float
    time_steps: int
    audience: str
    withheld: int
    notes: tuple[str, ...]

    def summary(self) -> pd.Series:
        """Cells per pattern (patterns with none left out), hot first."""
        counts = self.cells["code"].value_counts()
        order = [c for c in (*range(1, 9), *range(-1, -9, -1), 0) if c in counts.index]
        return pd.Series(
            [int(counts[c]) for c in order],
            index=pd.Index([PATTERNS[c] for c in order], name="pattern"),
            name="cells",
        )


def _queen(rows: NDArray[np.int64], cols: NDArray[np.int64], nrows: int, ncols: int) -> Any:
    """Binary queen contiguity among the given cells, each its own neighbour too."""
    m = len(rows)
    where = np.full(nrows * ncols, -1, dtype=np.int64)
    where[rows * ncols + cols] = np.arange(m)
    src: list[NDArray[np.int64]] = []
    dst: list[NDArray[np.int64]] = []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r, c = rows + dr, cols + dc
            inside = (r >= 0) & (r < nrows) & (c >= 0) & (c < ncols)
            j = np.full(m, -1, dtype=np.int64)
            j[inside] = where[r[inside] * ncols + c[inside]]
            keep = j >= 0
            src.append(np.flatnonzero(keep))
            dst.append(j[keep])
    i, j = np.concatenate(src), np.concatenate(dst)
    return sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(m, m))


def _space_time_z(counts: NDArray[np.float64], space: Any, time_steps: int) -> Any:
    """Gi* z-score of every bin (cells x periods) with esda, on space-time weights."""
    from esda.getisord import G_Local
    from libpysal.graph import Graph

    m, t = counts.shape
    band = sparse.csr_matrix(np.tril(np.ones((t, t))) - np.tril(np.ones((t, t)), -time_steps - 1))
    # observation k = period * m + cell; neighbours: the cell's neighbourhood in the same
    # period and the time_steps before it; the diagonal is the bin itself (Gi*)
    weights = sparse.kron(band, space, format="csr")
    y = counts.T.ravel()
    gi = G_Local(y, Graph.from_sparse(weights), transform="B", permutations=0, star=True)
    return np.asarray(gi.Zs, dtype=float).reshape(t, m).T


def emerging_hotspots(
    ds: Dataset,
    *,
    cell_size_m: float | None = 500.0,
    period: Period = "month",
    time_steps: int = 1,
    fdr: bool = True,
    trend_alpha: float = 0.05,
    audience: str | Audience = "partnership",
    min_count: int | None = None,
    round_to: int | None = None,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    max_cells: int = 250_000,
    exclude_place_kinds: Iterable[str] = (),
) -> EmergingHotSpots:
    """Emerging hot spots of sightings, as ArcGIS's Emerging Hot Spot Analysis.

    Sightings are counted per grid cell and period; Gi* is computed for every cell in
    every period with ``esda.G_Local`` on space-time neighbourhoods; the Mann-Kendall
    trend of each cell's z-scores and its significant bins put it in one of ArcGIS's
    patterns (new, consecutive, intensifying, persistent, diminishing, sporadic,
    oscillating, historical hot or cold spot, or no pattern). The method, the rules and
    ArcGIS's definitions are in ``docs/emerging_hotspots.md``.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    cell_size_m : float or None, default 500
        Side of a grid cell in metres (the grid of :func:`peermap.gi_star`); ``None``
        fits it to the sightings as :func:`peermap.gi_star` does.
    period : {"month", "week", "quarter"}, default "month"
        The time step: calendar months, weeks (Monday to Sunday) or quarters. The
        periods run from ``since`` (or the first sighting) to ``until`` (or the last),
        empty ones included, but never before the first or after the last sighting of
        the dataset (of any grade): what was not recorded is not an empty period. A
        public result takes months or quarters only.
    time_steps : int, default 1
        How many earlier periods a bin's neighbourhood reaches back (ArcGIS's
        *Neighborhood Time Step*); 0 compares each period on its own.
    fdr : bool, default True
        Correct the bins' significance thresholds for the false discovery rate over the
        whole cube.
    trend_alpha : float, default 0.05
        Significance level of the Mann-Kendall trend.
    audience : {"partnership", "public"} or Audience, default "partnership"
        ``"partnership"``: every cell analysed, exact counts, the z-scores and counts of
        every period. ``"public"``: sightings at private homes left out before anything
        is computed; only cells about at least ``min_count`` young people (counted with
        their cell key, :mod:`peermap.cell_keys`) are listed, with their counts as the
        rule shows them; no per-period z-scores or counts (:attr:`EmergingHotSpots.z`
        and ``counts`` are ``None``).
    min_count, round_to : int, optional
        The small-count rule of a public result (default ``peermap.settings``).
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
        Also leave out the sightings at places of these kinds.

    Returns
    -------
    EmergingHotSpots
        The cells with their pattern, trend and counts, and the bins (and, for the
        partnership, the z-scores and counts) of every period.

    Raises
    ------
    ValueError
        For an unknown period or audience, fewer than 3 periods, no sightings in the
        window, or a grid of fewer than 4 or more than ``max_cells`` cells.
    """
    dataset_argument(ds, "emerging_hotspots")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    policy = (
        audience
        if isinstance(audience, Audience)
        else Audience.of(
            audience,
            min_count=min_count,
            round_to=round_to,
            allowed=VIEW_AUDIENCES,
            what="emerging hot spot result",
        )
    )
    if period not in PERIODS:
        raise ArgumentError(f"period={period!r}; expected 'month', 'week' or 'quarter'")
    if not policy.exact and period == "week":
        raise ArgumentError(
            "period='week' is for the partnership: public results give months or quarters"
        )
    if not isinstance(time_steps, int | np.integer) or time_steps < 0:
        raise ArgumentError(f"time_steps={time_steps!r}; expected a whole number, 0 or more")
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    # Sightings at online places (schema 1.1) have no location: in no cell.
    excluded = set(exclude_place_kinds) | set(policy.hidden_place_kinds) | set(ONLINE_PLACE_KINDS)
    in_window = len(s)
    if excluded:
        kinds = ds.places.set_index("place_id")["kind"].astype(str)
        kept = ~kinds.reindex(s["place_id"].to_numpy()).isin(excluded).to_numpy(dtype=bool)
        s = s[kept]
    if len(s) == 0:
        raise ArgumentError(nothing_to_map(in_window))
    freq = PERIODS[period]
    dates = pd.DatetimeIndex(s["date"])
    # The periods run over the window, but not beyond what the records cover: a month
    # before the first sighting of any kind, or after the last, was not recorded, and
    # is no empty month (a window from 0001-01-01 was 24,000 of them, and a months x
    # months matrix of 4 GiB; "until" a year ahead made every cell "diminishing").
    recorded = pd.DatetimeIndex(ds.sightings["date"]).dropna()
    first = max(pd.Timestamp(since), recorded.min()) if since is not None else dates.min()
    last = min(pd.Timestamp(until), recorded.max()) if until is not None else dates.max()
    periods = pd.period_range(first.to_period(freq), last.to_period(freq), freq=freq)
    if len(periods) < 3:
        raise ArgumentError(
            f"the window holds {len(periods)} {period}{'' if len(periods) == 1 else 's'}, "
            "and a trend needs at least 3; choose a longer window or a shorter period"
        )
    if time_steps >= len(periods):
        raise ArgumentError(
            f"time_steps={time_steps} reaches back beyond the {len(periods)} periods"
        )
    xy = ds.places.set_index("place_id")[["easting", "northing"]]
    pts = xy.reindex(s["place_id"].to_numpy()).to_numpy(dtype=float)
    cell_size_m, x0, y0, nrows, ncols = sighting_grid(pts, cell_size_m, max_cells)
    grid_cell = ((pts[:, 1] - y0) // cell_size_m).astype(np.int64) * ncols + (
        (pts[:, 0] - x0) // cell_size_m
    ).astype(np.int64)
    cells, where = np.unique(grid_cell, return_inverse=True)
    m, n = len(cells), len(periods)
    step = np.asarray(dates.to_period(freq).asi8 - periods[0].ordinal, dtype=np.int64)
    counts = np.bincount(where * n + step, minlength=m * n).reshape(m, n).astype(float)
    rows, cols = cells // ncols, cells % ncols
    z = _space_time_z(counts, _queen(rows, cols, nrows, ncols), int(time_steps))
    p_norm = np.minimum(1.0, 2.0 * stats.norm.sf(np.abs(z)))
    level = confidence_levels(p_norm.ravel(), fdr=fdr).reshape(m, n)
    bins = (np.sign(z).astype(np.int64) * level).astype(np.int64)
    trend_z, trend_p = mann_kendall(z)
    codes = classify_patterns(bins, trend_z, trend_p, trend_alpha=trend_alpha)

    # young people and sightings per cell over the window
    seen = pd.DataFrame({"cell": where, "person": s["person_id"].to_numpy(dtype=object)})
    seen = seen.drop_duplicates()
    in_cell = seen["cell"].to_numpy(dtype=np.int64)
    people = np.bincount(in_cell, minlength=m)
    sightings = counts.sum(axis=1).astype(np.int64)
    trend = np.where(
        trend_p <= trend_alpha,
        np.where(trend_z > 0, "increasing", "decreasing"),
        "no trend",
    )
    frame = pd.DataFrame(
        {
            "row": rows,
            "col": cols,
            "pattern": [PATTERNS[int(c)] for c in codes],
            "code": codes,
            "hot_periods": (bins > 0).sum(axis=1),
            "cold_periods": (bins < 0).sum(axis=1),
            "trend_z": trend_z,
            "trend_p": trend_p,
            "trend": trend,
        },
        index=pd.Index(cells, name="cell"),
    )
    notes = [
        f"{len(periods)} {period}s from {periods[0]} to {periods[-1]}; {m:,} cells of "
        f"{cell_size_m:g} m with sightings; Gi* over each cell's neighbours in the same "
        f"{period} and the {time_steps} before" + (", FDR-corrected" if fdr else "")
    ]
    withheld = 0
    listed = np.ones(m, dtype=bool)
    if policy.exact:
        frame["people"] = people
        frame["sightings"] = sightings
    else:
        # the rule, with the cell keys of the cell's young people and of its sightings
        person_key = record_keys(seen["person"].to_numpy(dtype=object))
        people_key = np.bincount(in_cell, weights=person_key, minlength=m).astype(np.int64)
        people_key %= KEY_SPACE
        count_key = np.bincount(where, weights=sighting_keys(s), minlength=m).astype(np.int64)
        count_key %= KEY_SPACE
        listed = np.array(
            [policy.listed(int(k), int(key)) for k, key in zip(people, people_key, strict=True)],
            dtype=bool,
        )
        withheld = int((~listed & (codes != 0)).sum())
        frame["people"] = [
            policy.count(int(k), int(key)) for k, key in zip(people, people_key, strict=True)
        ]
        frame["sightings"] = [
            policy.count(int(k), int(key)) for k, key in zip(sightings, count_key, strict=True)
        ]
        notes.append("sightings at private homes left out")
        if withheld:
            notes.append(
                f"cells with a pattern not listed, about under "
                f"{policy.rule.min_count if policy.rule else 0} young people: {withheld:,}"
            )
    geoms = shapely.box(
        x0 + cols * cell_size_m,
        y0 + rows * cell_size_m,
        x0 + (cols + 1) * cell_size_m,
        y0 + (rows + 1) * cell_size_m,
    )
    grid = gpd.GeoDataFrame(frame, geometry=geoms, crs=settings.metric_crs)[listed]
    columns = pd.Index(periods, name="period")
    index = grid.index
    bins_frame = pd.DataFrame(bins[listed], index=index, columns=columns)
    return EmergingHotSpots(
        cells=grid,
        bins=bins_frame,
        z=pd.DataFrame(z, index=index, columns=columns) if policy.exact else None,
        counts=(
            pd.DataFrame(counts.astype(np.int64), index=index, columns=columns)
            if policy.exact
            else None
        ),
        periods=periods,
        cell_size_m=float(cell_size_m),
        time_steps=int(time_steps),
        audience=policy.name,
        withheld=withheld,
        notes=tuple(notes),
    )
