"""Drawing a built peer-group diagram: the HTML page and the matplotlib figure."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from peermap.views.diagram_build import (
    DiagramInfo,
    Legend,
)
from peermap.views.diagram_style import (
    BOX,
    HEX,
    LABELS_AT_ONCE_MAX,
    NODE_OUTLINE,
    RING_COLOUR,
    RING_WIDTH,
    rows_of,
)
from peermap.views.page import (
    macros,
    render,
    script_json,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure as MplFigure


def legend_html(legend: Legend, info: DiagramInfo) -> str:
    """Return the legend of the page (rule, sections, attribution)."""
    rule = (
        "Public diagram. " + info.rule.describe()
        if info.rule is not None
        else "Partnership diagram: exact counts. Not for publication."
    )
    return str(
        macros("diagram_legend.html.j2").legend(
            legend, rule, info.attribution, NODE_OUTLINE, RING_COLOUR, RING_WIDTH
        )
    )


# --------------------------------------------------------------------------- page


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def title_html(info: DiagramInfo) -> str:
    """Return the title box of the page."""
    return str(macros("diagram_legend.html.j2").title(info))


def _check_colour(value: str) -> str:
    if not HEX.match(value):  # pragma: no cover - colours come from this module
        raise ValueError(f"not a colour: {value!r}")
    return value


#: Colour of a context's dashed frame and its label.
FRAME_COLOUR = "#6b6b6b"

#: Room between a context's frame and its outermost nodes (diagram units).
FRAME_PAD = 16.0


def context_frames(nodes_frame: pd.DataFrame, info: DiagramInfo) -> list[dict[str, Any]]:
    """Return the dashed frame of each context of a people-level diagram.

    One frame per context in ``info.contexts``: the box around the nodes whose
    ``context`` is its ``context_id`` (with room for the nodes themselves), its label
    ("Context 1" is the most concerning of :func:`peermap.contexts`) and the
    context's reasons for a tooltip.
    """
    frames: list[dict[str, Any]] = []
    if not info.contexts or "context" not in nodes_frame:
        return frames
    rank = nodes_frame["context"].to_numpy()
    for i, reasons in info.contexts:
        sub = nodes_frame[rank == i]
        if not len(sub):
            continue
        pad = float(sub["size"].max()) + FRAME_PAD
        frames.append(
            {
                "rank": i,
                "x0": round(float(sub["x"].min()) - pad, 2),
                "y0": round(float(sub["y"].min()) - pad, 2),
                "x1": round(float(sub["x"].max()) + pad, 2),
                "y1": round(float(sub["y"].max()) + pad, 2),
                "label": f"Context {i}",
                "tip": f"Context {i}\nWhy\t{reasons}",
            }
        )
    return frames


def page_html(
    nodes_frame: pd.DataFrame, edges_frame: pd.DataFrame, info: DiagramInfo, legend: Legend
) -> str:
    """Return the diagram (its nodes, edges, info and legend) as one self-contained page."""
    nodes = [
        {
            "id": str(n["id"]),
            "type": str(n["type"]),
            "x": float(n["x"]),
            "y": float(n["y"]),
            "colour": _check_colour(str(n["colour"])),
            "shape": str(n["shape"]),
            "size": float(n["size"]),
            "outline": _check_colour(str(n["outline"])),
            "outline_width": float(n["outline_width"]),
            "relocated": bool(n["relocated"]),
            "label": str(n["label"]),
            "tip": str(n["tip"]),
        }
        for n in rows_of(nodes_frame)
    ]
    edges = [
        {
            "u": str(e["u"]),
            "v": str(e["v"]),
            "type": str(e["type"]),
            "colour": _check_colour(str(e["colour"])),
            "width": float(e["width"]),
            "dash": _plain(e["dash"]),
            "opacity": float(e["opacity"]),
            "directed": bool(e["directed"]),
            "label": str(e["label"]),
            "points": [[float(x), float(y)] for x, y in e["points"]],
            "tip": str(e["tip"]),
        }
        for e in rows_of(edges_frame)
    ]
    record_level = info.level == "people"
    groups = (
        {"tie": "ties", "sighting": "sightings"}
        if record_level
        else {"ties": "ties", "sightings": "sightings", "relocations": "relocations"}
    )
    layer_names = (
        {"sightings": "Places and sightings", "ties": "Ties"}
        if record_level
        else {
            "ties": "Ties between authorities",
            "sightings": "Seen in another authority",
            "relocations": "Relocations",
        }
    )
    n_nodes = len(nodes)
    config = {
        "title": title_html(info),
        "legend": legend_html(legend, info),
        "nodes": nodes,
        "edges": edges,
        "frames": context_frames(nodes_frame, info),
        "groups": groups,
        "layerNames": layer_names,
        "box": [[0, 0], [BOX[0], BOX[1]]],
        "labelStep": 0 if (not record_level or n_nodes <= LABELS_AT_ONCE_MAX) else 1,
    }
    return render("diagram.html.j2", title=info.title, config=script_json(config))


# --------------------------------------------------------------------------- static


def _mpl_dash(dash: Any) -> Any:
    if not isinstance(dash, str) or not dash:
        return "-"
    on, off = (float(v) for v in dash.split())
    return (0, (on / 1.6, off / 1.6))


def plot_diagram(
    nodes_frame: pd.DataFrame,
    edges_frame: pd.DataFrame,
    info: DiagramInfo,
    legend: Legend,
    *,
    figsize: tuple[float, float],
    dpi: int,
) -> MplFigure:
    """Draw the diagram with matplotlib, in the colours and styles of the page."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    px = 0.75  # points per CSS pixel
    radius_of = {
        str(n["id"]): (float(n["size"]) * (0.75 if n["shape"] in ("square", "diamond") else 1.0))
        for n in rows_of(nodes_frame)
    }
    placed: list[npt.NDArray[np.float64]] = []
    hidden_labels = 0
    # Larger counts are labelled first, so a collision hides the smaller one.
    ordered = sorted(rows_of(edges_frame), key=lambda e: -_number(e["label"]))
    for e in ordered:
        pts = np.asarray(e["points"], dtype=float)
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            color=e["colour"],
            lw=float(e["width"]) * px,
            ls=_mpl_dash(e["dash"]),
            alpha=float(e["opacity"]),
            solid_capstyle="butt",
            zorder=2 if e["type"] in ("sighting",) else 3,
        )
        if e["directed"] and len(pts) >= 2:
            ax.annotate(
                "",
                xy=tuple(pts[-1]),
                xytext=tuple(pts[-2]),
                arrowprops={
                    "arrowstyle": "-|>,head_length=0.6,head_width=0.3",
                    "color": e["colour"],
                    "lw": 0,
                    "shrinkA": 0,
                    "shrinkB": radius_of.get(str(e["v"]), 0.0) * px + 1,
                    "mutation_scale": 10 + float(e["width"]),
                },
                zorder=3,
            )
        if e["label"]:
            # The first free spot along the line (middle, then either side of it); a count
            # that would cover another is left to the page's tooltip.
            n_pts = len(pts)
            spots = [pts[n_pts // 2], pts[n_pts // 3], pts[(2 * n_pts) // 3]]
            free = [p for p in spots if all(np.hypot(*(p - q)) >= LABEL_GAP for q in placed)]
            if not free:
                hidden_labels += 1
                continue
            mid = free[0]
            placed.append(mid)
            ax.annotate(
                str(e["label"]),
                tuple(mid),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#999", "lw": 0.5},
                zorder=6,
            )
    from matplotlib.patches import Rectangle

    for frame in context_frames(nodes_frame, info):
        ax.add_patch(
            Rectangle(
                (frame["x0"], frame["y0"]),
                frame["x1"] - frame["x0"],
                frame["y1"] - frame["y0"],
                fill=False,
                ec=FRAME_COLOUR,
                lw=0.9,
                ls=(0, (4, 3)),
                zorder=1,
            )
        )
        ax.annotate(
            frame["label"],
            (frame["x0"], frame["y1"]),
            xytext=(2, -2),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=6.5,
            fontweight="bold",
            color=FRAME_COLOUR,
            zorder=5,
        )
    for shape, marker in (("circle", "o"), ("square", "s"), ("diamond", "D")):
        sub = nodes_frame[nodes_frame["shape"] == shape]
        if not len(sub):
            continue
        size = sub["size"].to_numpy(dtype=float)
        diameter = (2 * size if shape == "circle" else size) * px
        ax.scatter(
            sub["x"].to_numpy(dtype=float),
            sub["y"].to_numpy(dtype=float),
            s=diameter**2,
            marker=marker,
            c=list(sub["colour"]),
            edgecolors=list(sub["outline"]),
            linewidths=[float(w) * px for w in sub["outline_width"]],
            zorder=4,
        )
    labelled = nodes_frame[nodes_frame["label"] != ""]
    record_level = info.level == "people"
    if len(labelled) and (not record_level or len(nodes_frame) <= 150):
        for n in rows_of(labelled):
            if record_level:
                ax.annotate(
                    str(n["label"]),
                    (float(n["x"]), float(n["y"])),
                    xytext=(float(n["size"]) * px + 2, 0),
                    textcoords="offset points",
                    fontsize=5.5,
                    va="center",
                    color="#222",
                    zorder=5,
                )
            else:
                ax.annotate(
                    str(n["label"]),
                    (float(n["x"]), float(n["y"])),
                    xytext=(0, -(float(n["size"]) * px + 2)),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=8,
                    fontweight="bold",
                    color="#111",
                    zorder=5,
                )
    ax.set_xlim(0, BOX[0])
    ax.set_ylim(0, BOX[1])
    ax.set_aspect("equal")
    ax.set_axis_off()
    if hidden_labels:
        legend = (
            *legend,
            (
                "Counts",
                (
                    (
                        "note",
                        {},
                        f"{hidden_labels} counts not written where they would cover another",
                    ),
                ),
            ),
        )
    handles = _mpl_handles(legend)
    if handles:
        fig.legend(
            handles=handles,
            loc="outside right upper",
            fontsize=7.5,
            frameon=False,
            handlelength=2.4,
        )
    fig.suptitle(info.title, x=0.01, ha="left", fontsize=14, fontweight="bold")
    ax.set_title(info.subtitle, fontsize=9, loc="left")
    footer = (
        "Public diagram. " + info.rule.describe()
        if info.rule is not None
        else "Partnership diagram: exact counts. Not for publication."
    )
    if info.banner:
        footer = info.banner + ". " + footer
    if info.attribution:
        footer += "\nPositions: " + info.attribution
    footer = "\n".join(textwrap.fill(line, 150) for line in footer.split("\n"))
    fig.supxlabel(footer, x=0.01, ha="left", fontsize=7)
    return fig


#: Closest two count labels may sit on a static diagram (diagram units; the box is
#: 1000 wide).
LABEL_GAP = 34.0

#: Widest line of a static diagram's legend, in characters: a long note wraps instead of
#: squeezing the drawing.
LEGEND_CHARS = 48


def _number(label: Any) -> float:
    text = str(label).replace(",", "")
    return float(text) if text.isdigit() else -1.0


def _mpl_handles(legend: Legend) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for heading, rows in legend:
        handles.append(Patch(facecolor="none", edgecolor="none", label=heading))
        for kind, style, raw in rows:
            text = textwrap.fill(str(raw), LEGEND_CHARS)
            colour = style.get("colour", "#ffffff")
            if kind == "patch":
                handles.append(Patch(facecolor=colour, edgecolor="#777", label=text))
            elif kind in ("circle", "ring", "square", "diamond"):
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker={"square": "s", "diamond": "D"}.get(kind, "o"),
                        ls="",
                        markersize=8,
                        markerfacecolor=colour,
                        markeredgecolor=style.get("ring", RING_COLOUR)
                        if kind == "ring"
                        else NODE_OUTLINE,
                        markeredgewidth=RING_WIDTH * 0.75 if kind == "ring" else 0.8,
                        label=text,
                    )
                )
            elif kind == "line":
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=colour,
                        lw=float(style.get("width", 2)) * 0.75,
                        ls=_mpl_dash(style.get("dash")),
                        label=text,
                    )
                )
            else:
                handles.append(Patch(facecolor="none", edgecolor="none", label=text))
    return handles
