"""Static plots of the map layers: how :func:`peermap.views.maps.plot_static` draws each.

Each ``plot_*`` draws one built layer (:class:`~peermap.views.map_style.MapLayer`) on a
matplotlib axes, in the colours of the page; :func:`hide_colliding_names` drops the
authority names that would overprint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np

from peermap.views.map_style import MapLayer, numbered_ring

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "NAME_GID",
    "hide_colliding_names",
    "plot_authorities",
    "plot_flows",
    "plot_gi",
    "plot_hotspots",
]


def plot_authorities(ax: Axes, layer: MapLayer) -> None:
    """Draw authorities: fills of the choropleth, outlines, names."""
    frame = layer.frame
    filled = frame["cls"].notna().any() if "cls" in frame else False
    frame.plot(
        ax=ax,
        color=list(frame["_fill"]),
        edgecolor=list(frame["_edge"]),
        linewidth=[2.2 if e == "#111" else 0.7 for e in frame["_edge"]],
        alpha=0.6 if filled else 1.0,
        zorder=1,
    )
    points = frame.geometry.representative_point()
    # Largest authority first: hide_colliding_names keeps the earlier of two names.
    order = np.argsort(frame["label_rank"].to_numpy(), kind="stable")
    for i in order.tolist():
        ax.annotate(
            frame["name"].iloc[i],
            (points.iloc[i].x, points.iloc[i].y),
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            color="#222",
            zorder=6,
            gid=NAME_GID,
        )


#: The ``gid`` of the authorities' names in a static plot.
NAME_GID: Final = "pm-name"


def hide_colliding_names(fig: Any, ax: Axes) -> int:
    """Hide each authority name that meets one drawn before it or leaves the axes.

    The static plot's counterpart of the browser's name placement (``map.js``): names
    were added largest authority first; after the layout, a name stays only when its
    box overlaps no name kept before it. Returns how many were hidden.
    """
    names = [t for t in ax.texts if t.get_gid() == NAME_GID]
    if not names:
        return 0
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    kept: list[Any] = []
    hidden = 0
    for text in names:
        box = text.get_window_extent(renderer).expanded(1.06, 1.15)
        inside = (
            frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        )
        if inside and not any(box.overlaps(other) for other in kept):
            kept.append(box)
        else:
            text.set_visible(False)
            hidden += 1
    return hidden


def plot_gi(ax: Axes, layer: MapLayer) -> None:
    """Draw Gi* cells in the colours of their bins."""
    frame = layer.frame
    frame.plot(ax=ax, color=list(frame["_fill"]), linewidth=0, alpha=0.6, zorder=2)


def plot_hotspots(ax: Axes, layer: MapLayer) -> None:
    """Draw venues as circles, the largest underneath."""
    frame = layer.frame
    radius = frame["_radius"].to_numpy(dtype=float)
    order = np.argsort(-radius, kind="stable")
    ranked = frame["rank"].notna().to_numpy(dtype=bool) if "rank" in frame else None
    ax.scatter(
        frame.geometry.x.to_numpy()[order],
        frame.geometry.y.to_numpy()[order],
        s=(radius[order] * 1.2) ** 2,
        c=list(np.asarray(frame["_fill"], dtype=object)[order]),
        edgecolors="#222",
        linewidths=0.4,
        zorder=5,
    )
    if ranked is not None and ranked.any():
        # The ring of each numbered venue, whatever its footfall, as on the web map.
        rings = np.asarray([numbered_ring(r) for r in radius[ranked]])
        ax.scatter(
            frame.geometry.x.to_numpy()[ranked],
            frame.geometry.y.to_numpy()[ranked],
            s=(rings * 1.2) ** 2,
            facecolors="none",
            edgecolors="#000",
            linewidths=1.6,
            zorder=7,
        )
        for x, y, r in zip(
            frame.geometry.x[ranked], frame.geometry.y[ranked], frame["rank"][ranked], strict=True
        ):
            ax.annotate(
                str(int(r)),
                (float(x), float(y)),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                color="#01665e",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#01665e", "lw": 0.6},
                zorder=8,
            )


def plot_flows(ax: Axes, layer: MapLayer) -> None:
    """Draw links or relocations: shafts (distant links dashed) and arrowheads."""
    frame, key = layer.frame, layer.key
    shafts = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["_shaft"]))
    distant = (shafts["reach"] != "neighbours").to_numpy(dtype=bool)
    for dashed in (False, True):
        subset = shafts[distant == dashed] if key == "links" else (None if dashed else shafts)
        if subset is None or not len(subset):
            continue
        subset.plot(
            ax=ax,
            color=list(subset["_colour"]),
            linewidth=[w * 0.6 for w in subset["_width"]],
            linestyle="--" if dashed else "-",
            alpha=0.75,
            zorder=3,
        )
    has_head = frame["_head"].notna().to_numpy(dtype=bool)
    if has_head.any():
        heads = gpd.GeoDataFrame(
            {"_colour": list(frame["_colour"][has_head])},
            geometry=list(frame["_head"][has_head]),
        )
        heads.plot(ax=ax, color=list(heads["_colour"]), linewidth=0, zorder=3)
