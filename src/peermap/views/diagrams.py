"""Peer-group diagrams: who is linked to whom, and where, across authority lines.

:func:`peer_diagram` draws the network picture that safeguarding practitioners draw by
hand in a peer-group assessment:

- young people are **circles** filled with the colour of their home authority, and
  young people who were relocated carry a thick black **ring**;
- on partnership diagrams, **brokers** (young people whose removal would split the
  group drawn: :func:`peermap.centrality`) carry a magenta ring;
- places are **squares** filled with the colour of the authority they lie in;
- a **tie** is a line coloured by its kind (an exploiter tie is red, with an arrow from
  the exploiter); an *unverified* tie is **dashed**, because peer-mapping practice asks
  that no association is treated as fact; a tie between young people of two
  authorities is drawn **twice as wide**, above the others;
- a young person seen at a place is joined to it by a thin grey line (darker when the
  place is in another authority), dashed when every such sighting is unverified.

The layout is computed in Python with networkx's Fruchterman-Reingold spring layout,
each node starting next to its authority's anchor (the authority's position on the
map when the dataset has boundaries) and held near it by a weak spring, so that each
authority's young people gather in their own region and ties across authorities are
long lines between regions. Given the same ``seed`` the layout is identical.

Audiences follow the maps (see ``docs/maps.md``): a **partnership** diagram is
record-level, labelled with pseudonyms, and carries the PARTNERSHIP ONLY banner. A
**public** diagram never shows a young person: people are collapsed into their home
authorities, with counts under the small-count rule of :mod:`peermap.disclosure`, and
links between authorities under ``min_count`` are not drawn. A partnership diagram with
more than ``max_nodes`` young people and places collapses the same way, with exact
counts: a few hundred nodes is the most a person can read.

The diagram is an interactive, self-contained HTML page (Leaflet's ``CRS.Simple``
drawing the network instead of a map, inlined from the packaged copy of
:mod:`peermap._assets`; no network needed) or a static PNG/SVG/PDF drawn with
matplotlib in the same colours. Everything the page draws is in
:attr:`PeerDiagram.nodes` and :attr:`PeerDiagram.edges`, one row per element with its
colour, shape, size, dash and width, so the picture can be checked without a browser.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from peermap._arguments import dataset_argument
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience, SuppressionRule, ViewAudience
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window, data_period, select
from peermap.privacy import refuse_identifier_text
from peermap.views.diagram_build import (
    DiagramBuild,
    DiagramInfo,
    authority_level,
    legend_sections,
    people_level,
    place_authority,
)
from peermap.views.diagram_draw import (
    page_html,
    plot_diagram,
)
from peermap.views.diagram_style import (
    AUTHORITY_COLOURS,
    AUTHORITY_RADII,
    BROKER_COLOUR,
    BROKER_WIDTH,
    CROSS_FACTOR,
    DEFAULT_MAX_NODES,
    EXPLOITER_EXTRA,
    FLOW_COLOURS,
    FLOW_WIDTHS,
    LABELS_AT_ONCE_MAX,
    NO_AUTHORITY_COLOUR,
    NODE_OUTLINE,
    OTHER_AUTHORITY_COLOUR,
    OUTLINE_WIDTH,
    PERSON_RADIUS,
    PLACE_SIDE,
    RING_COLOUR,
    RING_WIDTH,
    SIGHTING_COLOUR,
    SIGHTING_CROSS_COLOUR,
    SIGHTING_WIDTHS,
    TIE_COLOURS,
    TIE_WIDTH,
    UNVERIFIED_DASH,
)
from peermap.views.page import (
    View,
    authority_names,
    period_text,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "AUTHORITY_COLOURS",
    "AUTHORITY_RADII",
    "BROKER_COLOUR",
    "BROKER_WIDTH",
    "CROSS_FACTOR",
    "DEFAULT_MAX_NODES",
    "EXPLOITER_EXTRA",
    "FLOW_COLOURS",
    "FLOW_WIDTHS",
    "LABELS_AT_ONCE_MAX",
    "NODE_OUTLINE",
    "NO_AUTHORITY_COLOUR",
    "OTHER_AUTHORITY_COLOUR",
    "OUTLINE_WIDTH",
    "PERSON_RADIUS",
    "PLACE_SIDE",
    "RING_COLOUR",
    "RING_WIDTH",
    "SIGHTING_COLOUR",
    "SIGHTING_CROSS_COLOUR",
    "SIGHTING_WIDTHS",
    "TIE_COLOURS",
    "TIE_WIDTH",
    "UNVERIFIED_DASH",
    "ContextLike",
    "DiagramInfo",
    "PeerDiagram",
    "context_subset",
    "peer_diagram",
]

ContextLike = int | Sequence[str] | None


def context_subset(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> tuple[Dataset, str]:
    """Restrict a dataset to a time window and, optionally, one context.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    context : int or sequence of str, optional
        A ``context_id`` of :func:`peermap.contexts` (computed with the same filters,
        unless ``contexts_table`` is given), or the ``person_id`` of each young person
        to show. A context keeps its young people, its places, the sightings of its
        young people at its places and the ties between its young people; a list of
        young people keeps them, every place they were seen at and the ties between
        them. Relocations of the young people are kept in both cases.
    contexts_table : pandas.DataFrame, optional
        A table from :func:`peermap.contexts` to look ``context`` up in, instead of
        computing it (slow at scale).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep ties active, and sightings and relocations dated, within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.

    Returns
    -------
    Dataset
        The records kept (``people`` and ``places`` as selected; every tie and
        sighting refers to them).
    str
        What was selected, for a title ("" for the whole dataset).

    Raises
    ------
    ValueError
        For an unknown context or young person, or a contexts table without the
        columns of :func:`peermap.contexts`.
    """
    dataset_argument(ds, "context_subset")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    window = Window.of(since=since, until=until, min_reliability=min_reliability)
    if context is None:
        return select(ds, window), ""
    if isinstance(context, int | np.integer) and not isinstance(context, bool):
        from peermap.analysis import context_row

        row = context_row(ds, int(context), table=contexts_table, window=window)
        return select(ds, window, context=row), f"context {int(context)}"
    if isinstance(context, Sequence) and not isinstance(context, str | bytes):
        members = [str(p) for p in context]
        return select(ds, window, context=members), f"{len(set(members))} young people"
    raise ArgumentError(
        "context must be a context_id (int) of peermap.contexts or a list of "
        f"person_id values, not {type(context).__name__}"
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PeerDiagram(View):
    """A peer-group diagram: the drawing as data, an HTML page and a static figure.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per node drawn: ``id``, ``type`` (``person``, ``place`` or
        ``authority``), ``label`` (text written beside it; "" for none), ``authority``
        (home authority of a person, authority of a place, or the authority itself)
        and ``authority_name``, ``colour`` (fill), ``shape`` (``circle``,
        ``square``, or ``diamond`` for an online place), ``size`` (radius of a circle
        or side of a square, px),
        ``outline`` and ``outline_width`` (a relocated young person has a black ring
        of width :data:`RING_WIDTH`; a broker's outline is magenta, thick when they
        were relocated too), ``relocated``,
        ``broker`` (removing them would split the group drawn; partnership diagrams
        only: a public diagram never shows a young person), ``x`` and ``y`` (layout units,
        ``y`` up), ``context`` (on a people-level diagram of young people from
        several contexts: the ``context_id`` of :func:`peermap.contexts` whose dashed
        frame holds the node, each context laid out apart from the others; ``0``:
        in no frame; see :mod:`peermap.views.diagram_layout`), ``count`` and ``shown``
        (authority nodes: young people homed there, and what the diagram shows for
        it), ``tip`` (the tooltip: a title line, then
        one ``label<TAB>value`` line each).
    edges : pandas.DataFrame
        One row per line drawn: ``u``, ``v`` (node ids; ``u`` is the origin of a
        directed line), ``type`` (``tie`` or ``sighting``; collapsed: ``ties``,
        ``sightings`` or ``relocations``), ``kind`` (the tie kind), ``reliability``
        (of a tie; the strongest of a person's sightings at a place), ``agency`` (the
        source agency of a tie), ``cross_authority``, ``directed``, ``colour``,
        ``width`` (px), ``dash`` (SVG dash pattern, or None for solid), ``opacity``,
        ``count`` (sightings of the pair, or, collapsed, the young people) and
        ``shown``, ``label`` (written on the line; collapsed only), ``points`` (the
        line as a list of ``(x, y)``: straight, or bowed when two nodes are joined by
        several lines), ``tip``.
    info : DiagramInfo
        Title, audience, rule, period and notes.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    info: DiagramInfo
    _legend: tuple[tuple[str, tuple[tuple[str, dict[str, Any], str], ...]], ...] = field(
        default=(), repr=False
    )

    noun: ClassVar[str] = "diagram"

    def to_html(self) -> str:
        """Return the diagram as one self-contained HTML page (no network needed)."""
        return page_html(self.nodes, self.edges, self.info, self._legend)

    def plot(self, *, figsize: tuple[float, float] = (12.0, 8.5), dpi: int = 150) -> MplFigure:
        """Draw the diagram with matplotlib, in the same colours and styles.

        Parameters
        ----------
        figsize : tuple of float, default (12, 8.5)
            Figure size in inches.
        dpi : int, default 150
            Resolution of raster output.

        Returns
        -------
        matplotlib.figure.Figure
            The figure (Agg canvas; no display needed).
        """
        return plot_diagram(
            self.nodes, self.edges, self.info, self._legend, figsize=figsize, dpi=dpi
        )

    def __repr__(self) -> str:
        return (
            f"PeerDiagram({self.info.level}, {self.info.audience}, "
            f"nodes={len(self.nodes)}, edges={len(self.edges)})"
        )


# --------------------------------------------------------------------------- public API


def _contexts(ds: Dataset, since: Any, until: Any, min_reliability: str) -> pd.DataFrame:
    """Return :func:`peermap.contexts` of ``ds`` in the diagram's window."""
    from peermap.analysis import contexts

    return contexts(ds, window=Window(since=since, until=until, min_reliability=min_reliability))


def peer_diagram(
    ds: Dataset,
    *,
    context: ContextLike = None,
    contexts_table: pd.DataFrame | None = None,
    audience: ViewAudience = "public",
    path: str | os.PathLike[str] | None = None,
    seed: int = 0,
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool | None = None,
    labels: bool = True,
    min_count: int | None = None,
    round_to: int | None = None,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    title: str | None = None,
) -> PeerDiagram:
    """Draw the peer-group diagram of a context, a group of young people or a dataset.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries for authority names, place authorities and
        a layout that follows the map).
    context : int or sequence of str, optional
        A ``context_id`` of :func:`peermap.contexts` or a list of ``person_id``
        values (see :func:`context_subset`). Default: the whole dataset.
    contexts_table : pandas.DataFrame, optional
        A precomputed :func:`peermap.contexts` table to look ``context`` up in.
    audience : {"public", "partnership"}, default "public"
        ``"partnership"``: a node per young person and place, labelled with
        pseudonyms and place ids, exact counts, and the PARTNERSHIP ONLY banner.
        ``"public"``: never a young person; people are collapsed into their home
        authorities, counts follow the small-count rule (under ``min_count`` shown as
        ``c``, others rounded to ``round_to``), and links between authorities with
        fewer than ``min_count`` young people are not drawn (a tie link needs
        ``min_count`` young people on each side: it joins two groups).
    path : str or path-like, optional
        Also save the diagram here (``.html``, ``.png``, ``.svg`` or ``.pdf``).
    seed : int, default 0
        Seed of the layout: the same seed gives the same picture.
    max_nodes : int, default 300
        A partnership diagram with more young people and places than this is
        collapsed into authorities (exact counts), with a note saying so.
    collapse : bool, optional
        Force (``True``) or refuse (``False``) collapsing a partnership diagram;
        default: collapse above ``max_nodes``. A public diagram is always collapsed.
    labels : bool, default True
        Write pseudonyms and place labels beside the nodes of a partnership diagram
        (tooltips carry them either way).
    min_count, round_to : int, optional
        The small-count rule of public diagrams (default ``peermap.settings``).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Keep ties active, and sightings and relocations dated, within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.
    title : str, optional
        Title on the diagram.

    Returns
    -------
    PeerDiagram
        ``.nodes`` and ``.edges`` describe every element drawn, ``.to_html()`` gives
        the page, ``.plot()`` the matplotlib figure and ``.save(path)`` writes either.

    Raises
    ------
    ValueError
        For an unknown audience or context, ``min_count``/``round_to`` with a
        partnership diagram, ``collapse=False`` with a public one, or nothing to draw.
    """
    dataset_argument(ds, "peer_diagram")
    refuse_identifier_text(title, what="the title")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=VIEW_AUDIENCES, what="diagram"
    )
    if not isinstance(ds, Dataset):
        raise ArgumentError(f"peer_diagram needs a peermap.Dataset, got {type(ds).__name__}")
    public = not policy.exact
    if public and collapse is False:
        raise ArgumentError(
            "a public diagram never shows young people: it is always collapsed into "
            "authorities (use audience='partnership' for a record-level diagram)"
        )
    if max_nodes < 1:
        raise ArgumentError(f"max_nodes must be at least 1, got {max_nodes}")
    rule = policy.rule or SuppressionRule.from_settings()
    if contexts_table is None and isinstance(context, int) and not public:
        # Computed once: to find the context and to frame the contexts drawn.
        contexts_table = _contexts(ds, since, until, min_reliability)
    sub, selected = context_subset(
        ds,
        context=context,
        contexts_table=contexts_table,
        since=since,
        until=until,
        min_reliability=min_reliability,
    )
    if not len(sub.people):
        raise ArgumentError("there are no young people to draw")
    b = DiagramBuild(
        ds=sub,
        audience=policy,
        rule=rule,
        names=authority_names(ds),
        place_auth=place_authority(sub),
        seed=seed,
        labels=labels and not public,
        whole=ds,
    )
    n_nodes = len(sub.people) + len(sub.places)
    if public:
        level = "authorities"
        b.notes.append("Public diagram: young people are counted by home authority, never shown.")
    elif collapse is True:
        level = "authorities"
    elif collapse is None and n_nodes > max_nodes:
        level = "authorities"
        b.notes.append(
            f"{len(sub.people)} young people and {len(sub.places)} places are more than "
            f"{max_nodes} nodes: young people are collapsed into their home authorities. "
            "Choose a context or a time window, or raise max_nodes, to see them."
        )
    else:
        level = "people"
    if level == "people":
        b.contexts_table = (
            contexts_table
            if contexts_table is not None
            else _contexts(ds, since, until, min_reliability)
        )
        nodes, edges, colours = people_level(b)
    else:
        nodes, edges, colours = authority_level(b)
    if public and edges.empty and (nodes["shown"].astype(str) == rule.marker).all():
        raise ArgumentError(
            f"a public diagram of {selected or 'these records'} would show nothing: every "
            f"authority has fewer than {rule.min_count} young people in it and no link between "
            f"authorities reaches {rule.min_count} (the small-count rule). Choose more records "
            "(a larger group or a longer window), or make a partnership diagram "
            "(audience='partnership') for the partnership's eyes only"
        )
    period = data_period(sub, since=since, until=until, min_reliability=min_reliability)
    if title is None:
        title = "Peer-group diagram" + (f": {selected}" if selected else "")
        if level == "authorities":
            title += " (by authority)"
    bits = []
    if period_text(period):
        bits.append(period_text(period, month=not policy.exact))
    if min_reliability != "unverified":
        bits.append(f"{min_reliability} or better")
    bits.append(policy.heading("diagram"))
    banner = policy.banner
    attribution = ""
    if ds.boundaries is not None:
        from peermap.boundaries import boundary_attribution

        attribution = boundary_attribution(ds.boundaries)
        refuse_identifier_text(attribution, what="the boundaries' attribution (credit line)")
    codes = [c for c in nodes["authority"].dropna().unique().tolist() if isinstance(c, str)]
    authorities = pd.DataFrame(
        {
            "code": sorted(codes),
            "name": [b.name(c) for c in sorted(codes)],
            "colour": [colours.get(c, OTHER_AUTHORITY_COLOUR) for c in sorted(codes)],
        }
    )
    legend = legend_sections(nodes, edges, level, b, colours)
    info = DiagramInfo(
        title=title,
        subtitle=" · ".join(bits),
        audience=audience,
        level=level,
        rule=policy.rule,
        period=period,
        seed=seed,
        notes=tuple(b.notes),
        authorities=authorities,
        attribution=attribution,
        banner=banner,
        contexts=tuple((r, b.contexts[r]) for r in sorted(b.contexts)),
    )
    diagram = PeerDiagram(nodes=nodes, edges=edges, info=info, _legend=legend)
    if path is not None:
        diagram.save(path)
    return diagram
