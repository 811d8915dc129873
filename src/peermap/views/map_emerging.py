"""The emerging hot spots layer: ArcGIS's space-time patterns of the sightings.

Off by default (it computes Gi* for every cell in every month): ``make_map(...,
emerging=True)``, ``layers=[..., "emerging"]`` or ``peermap map --emerging``. Each
cell with a pattern (:func:`peermap.emerging_hotspots`, by month, on the Gi* layer's
cells) is filled in its pattern's colour; cold-spot patterns only with
``gi_cold_spots``. A public map computes the patterns without private homes and draws
only cells about at least ``min_count`` young people (their cell key decides), with
their counts as the rule shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import geopandas as gpd
from markupsafe import Markup

from peermap import settings
from peermap.emerging import PATTERNS, emerging_hotspots
from peermap.views.map_style import MapLayer, MapRequest, symbols

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PATTERN_COLOURS", "emerging_layer", "plot_emerging"]

#: The fill of each pattern (by code, :data:`peermap.emerging.PATTERNS`): hot spots in
#: ColorBrewer's Reds and Oranges (the most intense darkest), cold spots in Blues,
#: oscillating in pink or lilac, historical in brown or grey. The tooltip and legend
#: name the pattern, so nothing relies on colour alone.
PATTERN_COLOURS: Final[dict[int, str]] = {
    1: "#fdd0a2",
    2: "#fdae6b",
    3: "#a50f15",
    4: "#de2d26",
    5: "#fb6a4a",
    6: "#fee0d2",
    7: "#f768a1",
    8: "#8c510a",
    -1: "#c6dbef",
    -2: "#9ecae1",
    -3: "#08519c",
    -4: "#3182bd",
    -5: "#6baed6",
    -6: "#deebf7",
    -7: "#bcbddc",
    -8: "#969696",
}


def emerging_layer(p: MapRequest, title: str) -> MapLayer | None:
    """Build the emerging hot spots layer (cells with a pattern, by month).

    When the cube cannot be built (fewer than three months, too few sightings, too many
    cells at the size given) the layer is left out with a note in ``p.dropped``, or,
    when it was asked for by name, ``ValueError`` says why.
    """
    try:
        result = emerging_hotspots(
            p.ds,
            cell_size_m=p.gi_cell_size_m,
            period="month",
            audience=p.policy,
            since=p.since,
            until=p.until,
            min_reliability=p.min_reliability,
        )
    except ValueError as exc:
        p.grid_not_drawn("emerging", title, exc)
        return None
    lg = symbols()
    cells = result.cells
    keep = cells["code"] > 0 if not p.gi_cold_spots else cells["code"] != 0
    cells = cells[keep]
    frame = gpd.GeoDataFrame(
        {
            "pattern": cells["pattern"].to_numpy(),
            "fill": [PATTERN_COLOURS[int(c)] for c in cells["code"]],
            "hot": cells["hot_periods"].astype(int).to_numpy(),
            "cold": cells["cold_periods"].astype(int).to_numpy(),
            "trend": cells["trend"].to_numpy(),
            "people": list(cells["people"]),
            "sightings": list(cells["sightings"]),
        },
        geometry=cells.geometry.to_numpy(),
        crs=settings.metric_crs,
    )
    first, last = result.periods[0], result.periods[-1]
    legend: list[Markup] = [
        lg.note(
            f"Gi* on {result.cell_size_m:g} m cells in each month from {first} to {last} "
            "(each cell's neighbours this month and last), FDR-corrected; the Mann-Kendall "
            "trend of each cell's z-scores; patterns as ArcGIS's Emerging Hot Spot Analysis"
            + ("" if p.gi_cold_spots else "; cold spots not drawn")
        )
    ]
    codes = sorted({int(c) for c in cells["code"]}, key=lambda c: (c < 0, abs(c)))
    legend.append(
        lg.scale([(lg.swatch(PATTERN_COLOURS[c]), PATTERNS[c]) for c in codes])
        if codes
        else lg.note("No cell has an emerging pattern.")
    )
    notes = [] if p.gi_cold_spots else ["Emerging cold spots not drawn"]
    if result.withheld:
        notes.append(
            # What was left out, not how many (a count of what is too small to show).
            f"Not drawn: emerging hot spot cells about under {p.rule.min_count} young people"
        )
    entries = [("patch", PATTERN_COLOURS[c], PATTERNS[c], 0.0, False) for c in codes]
    return MapLayer(
        "emerging", title, frame, lg.section(title, title, legend), notes, entries=entries
    )


def plot_emerging(ax: Axes, layer: MapLayer) -> None:
    """Draw the cells in their patterns' colours."""
    frame = layer.frame
    if len(frame):
        frame.plot(
            ax=ax, color=list(frame["fill"]), edgecolor="#333", linewidth=0.3, alpha=0.75, zorder=2
        )
