"""The report's emerging hot spots: which places are new or growing, month by month.

:func:`peermap.emerging_hotspots` for the report's audience (a public report: without
private homes, only cells about enough young people, counts as the rule shows them), on
the Gi* layer's cells (500 m, or larger over a large extent) by month. The section says
how many cells have each of ArcGIS's patterns and lists the cells whose pattern speaks
of now (new, consecutive, intensifying hot spots), with the authority they lie in.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from peermap import settings
from peermap.emerging import PATTERNS, emerging_hotspots
from peermap.views.report_sections import ReportContext, Section, Table

__all__ = ["RECENT_PATTERNS", "emerging_section"]

#: The patterns listed one cell a row: those about the latest months (codes of
#: :data:`peermap.emerging.PATTERNS`: new, consecutive, intensifying hot spots).
RECENT_PATTERNS = (1, 2, 3)


def _authorities(c: ReportContext, cells: gpd.GeoDataFrame) -> list[str]:
    """Return the name of the authority each cell's centre lies in."""
    if c.ds.boundaries is None or not len(cells):
        return [c.name(None)] * len(cells)
    areas = c.ds.boundaries[["code", "geometry"]].to_crs(settings.metric_crs)
    centres = gpd.GeoDataFrame(geometry=cells.geometry.centroid.to_numpy(), crs=cells.crs)
    found = gpd.sjoin(centres, areas, how="left", predicate="within")
    code = found[~found.index.duplicated()]["code"].reindex(range(len(cells)))
    return [c.name(None if pd.isna(v) else v) for v in code]


def emerging_section(c: ReportContext) -> Section:
    """Build the emerging hot spots section (see the module documentation)."""
    section = Section("Emerging hot spots")
    section.paragraphs.append(
        "How hot spots of sightings change month by month, as ArcGIS's Emerging Hot Spot "
        "Analysis: Gi* for every cell in every month (its neighbours this month and last), "
        "the Mann-Kendall trend of each cell's z-scores, and ArcGIS's patterns."
    )
    try:
        result = emerging_hotspots(c.ds, cell_size_m=None, audience=c.audience, **c.filters)
    except ValueError as exc:
        section.notes.append(f"Not computed: {str(exc).partition('; ')[0]}.")
        return section
    counts = result.summary()
    patterned = counts.drop(PATTERNS[0], errors="ignore")
    span = f"{result.periods[0]:%b %Y} to {result.periods[-1]:%b %Y}"
    if patterned.empty:
        section.paragraphs.append(
            f"No cell of {result.cell_size_m:g} m has an emerging pattern from {span}."
        )
    else:
        listed = ", ".join(
            f"{n} {str(name).lower()}{'' if n == 1 else 's'}" for name, n in patterned.items()
        )
        section.paragraphs.append(
            f"Cells of {result.cell_size_m:g} m from {span}, by pattern: {listed} "
            f"({int(counts.sum()):,} cells analysed"
            + (", listed only when about enough young people" if c.public else "")
            + ")."
        )
    cells = result.cells[result.cells["code"].isin(RECENT_PATTERNS)]
    cells = cells.sort_values(["code", "trend_z"], ascending=[True, False], kind="stable")
    shown = cells.head(c.top)
    names = _authorities(c, shown)
    n = len(result.periods)
    rows = [
        [
            str(row["pattern"]),
            names[i],
            f"{int(row['hot_periods'])} of {n}",
            str(row["trend"]),
            f"{row['people']:,}" if isinstance(row["people"], int) else str(row["people"]),
        ]
        for i, row in enumerate(shown.to_dict("records"))
    ]
    if rows:
        section.table = Table(
            ["pattern", "cell in", "months a hot spot", "trend", "young people"],
            rows,
            [False, False, True, False, True],
        )
    if len(cells) > len(shown):
        section.notes.append(f"The first {len(shown)} are listed; {c.number(len(cells))} qualify.")
    if result.withheld:
        section.notes.append(
            f"Not listed: {c.how_many(result.withheld, 'cell')} with a pattern about fewer than "
            f"{c.rule.min_count if c.rule else 0} young people."
        )
    return section
