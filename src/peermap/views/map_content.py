"""What a map shows, prepared once for both renderers (the page and the static plot).

:func:`prepare_map` checks the options, restricts the dataset to a context, finds the
extent and the zoom it opens at, and builds each layer asked for (or every layer the
data allows) through :data:`peermap.views.map_layers.LAYER_REGISTRY`; the result is a
:class:`MapContent` in British National Grid.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, cast, get_args

import geopandas as gpd
import pandas as pd
from pyproj import Transformer

from peermap import settings
from peermap._arguments import kind_of
from peermap.analysis import context_row
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience, SuppressionRule
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window, data_period, select
from peermap.getis_ord import check_cell_size
from peermap.measures import AUTHORITY_MEASURES
from peermap.privacy import refuse_identifier_text
from peermap.views.map_layers import LAYER_REGISTRY, LAYERS
from peermap.views.map_style import MapLayer, MapRequest, fit_zoom, metres_per_px
from peermap.views.page import authority_names, period_text

#: Layers an overview map with contexts opens switched off (in its layer control).
QUIET_LAYERS: Final = ("links", "relocations")

#: Without boundaries, a public map's view snaps out to this grid (metres), so that no
#: edge of the view is a place's coordinate.
PUBLIC_EXTENT_GRID_M = 10_000

__all__ = ["LinkKind", "MapContent", "has_extent", "prepare_map"]

LinkKind = Literal["sightings", "ties"]


@dataclass
class MapContent:
    """Everything both renderers draw, in British National Grid.

    Attributes
    ----------
    title, subtitle, banner
        The title, the subtitle's parts and the PARTNERSHIP ONLY banner (or None).
    audience, rule, suppressing
        Who the map is for, the small-count rule and whether counts go through it.
    period, attribution
        Dates of the data drawn and the boundary attribution.
    layers : list of MapLayer
        The layers built, in drawing order.
    bounds_bng, zoom, mpp
        The extent, the zoom it opens at and metres per pixel there.
    context, context_text, context_people
        The context of a context view, what it holds and its young people (partnership).
    rule_text : str
        The disclosure notice of the legend.
    dropped : list of str
        Why layers the data allows were left out (shown in the legend and notes).
    """

    title: str
    subtitle: list[str]
    banner: str | None
    audience: str
    rule: SuppressionRule
    suppressing: bool
    period: tuple[dt.date | None, dt.date | None]
    attribution: str
    layers: list[MapLayer]
    bounds_bng: tuple[float, float, float, float]
    zoom: int
    mpp: float
    context: int | None
    rule_text: str
    context_text: str
    context_people: list[str]
    dropped: list[str]


def has_extent(ds: Dataset) -> bool:
    """Whether a map of ``ds`` has a view to fit: its boundaries, or a place on the ground.

    Online spaces have no location, and a dataset of those alone read without
    boundaries has nothing to draw.
    """
    if ds.boundaries is not None and len(ds.boundaries):
        return True
    return all(math.isfinite(float(v)) for v in ds.places.geometry.total_bounds)


def prepare_map(
    ds: Dataset,
    *,
    audience: str,
    layers: Sequence[str] | None,
    min_count: int | None,
    round_to: int | None,
    context: int | None,
    choropleth: str | None,
    flow_kind: str,
    since: DateLike,
    until: DateLike,
    min_reliability: str,
    title: str | None,
    gi_cell_size_m: float | None,
    gi_permutations: int,
    gi_cold_spots: bool,
    max_venues: int | None = None,
    max_links: int | None = None,
    emerging: bool = False,
) -> MapContent:
    """Check a map's options and prepare what it shows (see :func:`~peermap.make_map`).

    Parameters
    ----------
    ds : Dataset
        The dataset.
    audience, layers, min_count, round_to, context, choropleth, flow_kind
        As for :func:`peermap.views.maps.make_map`.
    since, until, min_reliability, title
        As for :func:`peermap.views.maps.make_map`.
    gi_cell_size_m, gi_permutations, gi_cold_spots
        As for :func:`peermap.views.maps.make_map` (a cell size of ``None`` is fitted to
        the sightings).
    max_venues, max_links
        As for :func:`peermap.views.maps.make_map` (``None``: every one).
    emerging : bool, default False
        Also draw the emerging hot spots layer, which is off by default.

    Returns
    -------
    MapContent
        The layers built, the extent and zoom, the texts.

    Raises
    ------
    ValueError
        For an unknown audience, layer, measure or context, or a layer the data cannot
        give.
    """
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=VIEW_AUDIENCES, what="map"
    )
    if not isinstance(ds, Dataset):
        raise ArgumentError(f"make_map needs a peermap.Dataset, got {kind_of(ds)}")
    refuse_identifier_text(title, what="the title")
    check_cell_size(gi_cell_size_m, "gi_cell_size_m")
    suppressing = not policy.exact
    rule = policy.rule or SuppressionRule.from_settings()
    if choropleth is not None and choropleth not in AUTHORITY_MEASURES:
        raise ArgumentError(
            f"choropleth={choropleth!r}; expected one of {', '.join(AUTHORITY_MEASURES)} or None"
        )
    if flow_kind not in get_args(LinkKind):
        raise ArgumentError(f"flow_kind={flow_kind!r}; expected 'sightings' or 'ties'")
    for name, limit in (("max_venues", max_venues), ("max_links", max_links)):
        whole = isinstance(limit, numbers.Integral) and not isinstance(limit, bool)
        if limit is not None and (not whole or limit < 0):
            raise ArgumentError(f"{name}={limit!r}; expected a whole number, 0 or more, or None")
    if isinstance(layers, str):  # one layer named, not its letters
        layers = [layers]
    if layers is not None and not isinstance(layers, Iterable):
        raise ArgumentError(
            f"layers= takes layer names (or None for every layer), got {kind_of(layers)}"
        )
    if layers is not None:
        layers = list(layers)
        unknown = [k for k in layers if k not in LAYERS]
        if unknown:
            raise ArgumentError(f"unknown layer(s) {unknown}; choose from {', '.join(LAYERS)}")
    boundaries = ds.boundaries
    has_auth = boundaries is not None and "authority_code" in ds.places
    row: pd.Series | None = None
    context_text = ""
    context_people: list[str] = []
    if context is not None:
        window = Window.of(since=since, until=until, min_reliability=min_reliability)
        row = context_row(ds, context, window=window)
        ds = select(ds, context=row)
    # What can be drawn.
    if layers is not None and emerging and "emerging" not in layers:
        layers = [*layers, "emerging"]
    if layers is None:
        wanted = [
            k
            for k in LAYERS
            if (LAYER_REGISTRY[k].default or (emerging and k == "emerging"))
            and LAYER_REGISTRY[k].possible(ds, context) is None
        ]
    else:
        for k in layers:
            reason = LAYER_REGISTRY[k].possible(ds, context)
            if reason is not None:
                raise ArgumentError(f"cannot draw layer {k!r}: {reason}")
        wanted = [k for k in LAYERS if k in layers]
    if choropleth is not None and "authorities" not in wanted:
        raise ArgumentError("choropleth needs the 'authorities' layer")
    if choropleth in ("people_seen", "cross_border_share") and not has_auth:
        raise ArgumentError(f"choropleth={choropleth!r} needs places assigned to authorities")

    # Extent and the zoom it is shown at.
    shown_bounds: gpd.GeoDataFrame | None = None
    if boundaries is not None:
        shown_bounds = boundaries.to_crs(settings.metric_crs)
        if row is not None:
            shown_bounds = shown_bounds[shown_bounds["code"].isin(list(row["authorities"]))]
    if shown_bounds is not None and len(shown_bounds):
        bounds = tuple(float(v) for v in shown_bounds.total_bounds)
    else:
        b = ds.places.geometry.total_bounds
        if not has_extent(ds):
            # No place on the ground and no boundaries (online spaces only, say): there
            # is nothing to fit the view to.
            raise ArgumentError(
                "nothing to map: no place has a location on the ground and no boundaries "
                "were given; give boundaries to map the authorities"
            )
        if suppressing:
            # Beyond the partnership the view never rests on places (an edge of the box
            # would give a home's easting): it snaps out to a coarse grid, around the
            # places that are not homes (one home 12 km beyond the rest moved the grid's
            # edge by 10 km).
            shown = ds.places[~ds.places["kind"].astype(str).isin(policy.hidden_place_kinds)]
            shown = shown[~shown.geometry.is_empty & shown.geometry.notna()]
            if len(shown):
                b = shown.geometry.total_bounds
            g = PUBLIC_EXTENT_GRID_M
            bounds = (
                math.floor(b[0] / g) * g,
                math.floor(b[1] / g) * g,
                (math.floor(b[2] / g) + 1) * g,
                (math.floor(b[3] / g) + 1) * g,
            )
        else:
            pad = 500.0
            bounds = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    to_wgs = Transformer.from_crs(settings.metric_crs, settings.map_crs, always_xy=True)
    w, s = to_wgs.transform(bounds[0], bounds[1])
    e, n = to_wgs.transform(bounds[2], bounds[3])
    zoom = fit_zoom((w, s, e, n))
    mpp = metres_per_px(zoom, (s + n) / 2)

    graph = None
    attribution = ""
    if boundaries is not None:
        from peermap.boundaries import boundary_attribution

        graph = ds.region.neighbour_graph() if ds.region is not None else None
        attribution = boundary_attribution(ds.region or boundaries)
        refuse_identifier_text(attribution, what="the boundaries' attribution (credit line)")
    prep = MapRequest(
        ds=ds,
        audience=audience,
        policy=policy,
        rule=rule,
        suppressing=suppressing,
        since=since,
        until=until,
        min_reliability=min_reliability,
        graph=graph,
        authority_names=authority_names(ds, places=False),
        mpp=mpp,
        context_people=list(row["people"]) if row is not None else None,
        boundaries=shown_bounds,
        spans=set(row["authorities"]) if row is not None else None,
        choropleth=choropleth,
        flow_kind=flow_kind,
        gi_cell_size_m=gi_cell_size_m,
        gi_permutations=gi_permutations,
        gi_cold_spots=gi_cold_spots,
        max_venues=max_venues if context is None else None,
        max_links=max_links,
        requested=layers is not None,
    )
    built = [
        layer
        for layer in (LAYER_REGISTRY[k].build(prep, LAYER_REGISTRY[k].title) for k in wanted)
        if layer is not None
    ]
    if layers is None and any(layer.key == "contexts" for layer in built):
        # The overview opens on the contexts; the links and relocations between every
        # pair of authorities are a layer switch away, not a hairball over them.
        for layer in built:
            if layer.key in QUIET_LAYERS:
                layer.show = False

    period = data_period(ds, since=since, until=until, min_reliability=min_reliability)
    if title is None:
        title = (
            f"Context {context}: its places and authorities"
            if context is not None
            else "Peer-on-peer abuse and exploitation across authorities"
        )
    subtitle = []
    if period_text(period):
        subtitle.append(period_text(period, month=suppressing))
    if min_reliability != "unverified":
        subtitle.append(f"{min_reliability} or better")
    subtitle.append(policy.heading("map"))
    banner = policy.banner
    rule_text = policy.notice("map")
    if row is not None:
        n_people = prep.count(len(row["people"]))
        bits = [
            f"{n_people} young people",
            f"{prep.count(len(row['places']))} places",
            f"{len(row['authorities'])} authorities ({row['reach']})",
        ]
        context_text = "; ".join(bits)
        if not suppressing:
            context_people = [str(x) for x in row["people"]]
    return MapContent(
        title=title,
        subtitle=subtitle,
        banner=banner,
        audience=audience,
        rule=rule,
        suppressing=suppressing,
        period=period,
        attribution=attribution,
        layers=built,
        bounds_bng=cast(tuple[float, float, float, float], bounds),
        zoom=zoom,
        mpp=mpp,
        context=context,
        rule_text=rule_text,
        context_text=context_text,
        context_people=context_people,
        dropped=prep.dropped,
    )
