"""Map layers: each registers a builder, a "can it be drawn?" check and a style.

A layer is a :class:`Layer` in :data:`LAYER_REGISTRY`, in drawing order (bottom to
top). Its ``build`` turns a :class:`MapRequest` (the dataset, the audience's rule and
the map's options) into a :class:`MapLayer`: a GeoDataFrame in British National Grid
whose columns become the GeoJSON properties of the page, its legend section and the
notes of what was withheld. ``possible`` says why the layer cannot be drawn for a
dataset, or ``None``. ``style`` holds what both renderers need: the short property
keys of the page, the browser tooltip, and how the static plot draws the layer. The
browser styles each layer with the function of the same name in ``static/map.js``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from peermap.dataset import Dataset
from peermap.views.map_builders import (
    authorities_layer,
    gi_layer,
    hotspots_layer,
    links_layer,
    relocations_layer,
)
from peermap.views.map_contexts import contexts_layer, plot_contexts
from peermap.views.map_emerging import emerging_layer, plot_emerging
from peermap.views.map_online import online_layer, online_possible, plot_online
from peermap.views.map_plots import plot_authorities, plot_flows, plot_gi, plot_hotspots
from peermap.views.map_style import FLOW_ROWS, MapLayer, MapRequest

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "LAYERS",
    "LAYER_REGISTRY",
    "PROPERTY_KEYS",
    "Layer",
    "LayerKey",
    "LayerStyle",
    "title_of",
]

LayerKey = Literal[
    "authorities", "gi_star", "emerging", "links", "relocations", "online", "hotspots", "contexts"
]


@dataclass(frozen=True)
class LayerStyle:
    """What both renderers need to draw a layer.

    Attributes
    ----------
    properties : Mapping of str to (str, str or None)
        Frame column -> (GeoJSON property key, lookup table or None). Short keys keep a
        5 000-venue map small; a value with a lookup table is an index into
        ``MapInfo.tables[table]`` (a list of pairs ``[index, count]`` for
        ``contexts``).
    tooltip : Mapping of str to object
        The browser tooltip: ``title`` (``[key, table]`` pairs joined by ``join``) and
        ``rows`` (``[key, label, suffix, table]``), keys being the short ones.
    plot : callable
        ``plot(ax, layer)`` draws a built layer on a matplotlib axes, in the colours
        of the page.
    """

    properties: Mapping[str, tuple[str, str | None]]
    tooltip: Mapping[str, Any]
    plot: Callable[[Axes, MapLayer], None]


@dataclass(frozen=True)
class Layer:
    """A map layer: how to build it, whether it can be drawn, and how it looks.

    Attributes
    ----------
    name : str
        Its key (``"hotspots"``), as in ``make_map(layers=...)``.
    title : str
        Its title in the layer control and the legend.
    build : callable
        ``build(request, title)`` returns the
        :class:`~peermap.views.map_style.MapLayer`, or ``None`` to leave it out (only
        when it was not asked for by name).
    possible : callable
        ``possible(ds, context)`` returns why the layer cannot be drawn for this
        dataset (and context id, for a context view), or ``None`` when it can.
    style : LayerStyle
        Property keys, tooltip and static drawing.
    default : bool
        Whether a map drawn without ``layers`` draws it (when the data allows); a layer
        off by default is drawn when asked for by name.
    """

    name: str
    title: str
    build: Callable[[MapRequest, str], MapLayer | None]
    possible: Callable[[Dataset, int | None], str | None]
    style: LayerStyle
    default: bool = True


def title_of(key: str) -> str:
    """Return the title of a registered layer."""
    return LAYER_REGISTRY[key].title


# --------------------------------------------------------------------------- checks


def _has_boundaries(ds: Dataset, context: int | None) -> str | None:
    if ds.boundaries is None:
        return "the dataset has no boundaries (read it with boundaries=...)"
    return None


def _gi_possible(ds: Dataset, context: int | None) -> str | None:
    if context is not None:
        return "Gi* is not drawn for a single context"
    return None if len(ds.sightings) else "there are no sightings"


def _emerging_possible(ds: Dataset, context: int | None) -> str | None:
    if context is not None:
        return "emerging hot spots are not drawn for a single context"
    return None if len(ds.sightings) else "there are no sightings"


def _links_possible(ds: Dataset, context: int | None) -> str | None:
    if ds.boundaries is None or "authority_code" not in ds.places:
        return "places have no authorities (read the dataset with boundaries=...)"
    return None if len(ds.sightings) else "there are no sightings"


def _relocations_possible(ds: Dataset, context: int | None) -> str | None:
    if ds.boundaries is None:
        return "the dataset has no boundaries"
    return None if len(ds.relocations) else "there are no relocations"


def _contexts_possible(ds: Dataset, context: int | None) -> str | None:
    if context is not None:
        return "the contexts layer belongs to the overview map, not to one context's map"
    if ds.boundaries is None:
        return "the dataset has no boundaries (read it with boundaries=...)"
    return None if len(ds.ties) or len(ds.sightings) else "there are no ties or sightings"


def _hotspots_possible(ds: Dataset, context: int | None) -> str | None:
    return None if len(ds.sightings) else "there are no sightings"


# --------------------------------------------------------------------------- registry

_FLOW_PROPERTIES: Final[dict[str, tuple[str, str | None]]] = {
    "from": ("f", "authorities"),
    "to": ("t", "authorities"),
    "people": ("p", None),
    "events": ("e", None),
    "reach": ("n", "reach"),
    "width": ("w", None),
    "directed": ("d", None),
    "label": ("label", None),
    "label_at": ("at", None),
}
_FLOW_TITLE: Final = [["f", "authorities"], ["t", "authorities"]]

#: The map layers in drawing order, bottom to top, by key.
LAYER_REGISTRY: Final[dict[str, Layer]] = {
    layer.name: layer
    for layer in (
        Layer(
            "authorities",
            "Authorities",
            authorities_layer,
            _has_boundaries,
            LayerStyle(
                properties={
                    "code": ("code", None),
                    "name": ("name", None),
                    "label": ("label", None),
                    "label_at": ("at", None),
                    "label_rank": ("lr", None),
                    "value": ("value", None),
                    "cls": ("cls", None),
                    "spans": ("spans", None),
                },
                tooltip={"title": [["name"]], "rows": [["code", "Code"]]},
                plot=plot_authorities,
            ),
        ),
        Layer(
            "gi_star",
            "Gi* hot spots",
            gi_layer,
            _gi_possible,
            LayerStyle(
                properties={"bin": ("b", None), "sightings": ("s", None), "z": ("z", None)},
                tooltip={
                    "title": [["b", "gi"]],
                    "rows": [["s", "Sightings in cell"], ["z", "Gi* z-score"]],
                },
                plot=plot_gi,
            ),
        ),
        Layer(
            "emerging",
            "Emerging hot spots",
            emerging_layer,
            _emerging_possible,
            LayerStyle(
                properties={
                    "pattern": ("c", None),
                    "fill": ("f", None),
                    "hot": ("hm", None),
                    "cold": ("cm", None),
                    "trend": ("t", None),
                    "people": ("p", None),
                    "sightings": ("s", None),
                },
                tooltip={
                    "title": [["c"]],
                    "rows": [
                        ["hm", "Months a hot spot"],
                        ["cm", "Months a cold spot"],
                        ["t", "Trend of Gi*"],
                        ["p", "Young people"],
                        ["s", "Sightings"],
                    ],
                },
                plot=plot_emerging,
            ),
            default=False,
        ),
        Layer(
            "links",
            "Cross-authority links",
            links_layer,
            _links_possible,
            LayerStyle(
                properties=_FLOW_PROPERTIES,
                tooltip={
                    "title": _FLOW_TITLE,
                    "join": " → ",
                    "rows": [*FLOW_ROWS, ["e", "Sightings"]],
                },
                plot=plot_flows,
            ),
        ),
        Layer(
            "relocations",
            "Relocations",
            relocations_layer,
            _relocations_possible,
            LayerStyle(
                properties=_FLOW_PROPERTIES,
                tooltip={
                    "title": _FLOW_TITLE,
                    "join": " → ",
                    "rows": [*FLOW_ROWS, ["e", "Relocations"]],
                },
                plot=plot_flows,
            ),
        ),
        Layer(
            "online",
            "Online spaces",
            online_layer,
            online_possible,
            LayerStyle(
                properties={
                    "from": ("f", "authorities"),
                    "to": ("t", "authorities"),
                    "people": ("p", None),
                },
                tooltip={
                    "title": _FLOW_TITLE,
                    "join": " – ",
                    "rows": [["p", "Young people in the same online spaces"]],
                },
                plot=plot_online,
            ),
        ),
        Layer(
            "hotspots",
            "Hotspot venues",
            hotspots_layer,
            _hotspots_possible,
            LayerStyle(
                properties={
                    "kind": ("k", "kinds"),
                    "authority": ("a", "authorities"),
                    "people": ("p", None),
                    "sightings": ("s", None),
                    "share": ("o", None),
                    "place": ("id", None),
                    "label_text": ("lb", None),
                    "contexts": ("cx", "contexts"),
                    "seen": ("seen", None),
                    "rank": ("r", None),
                    "label": ("label", None),
                    "label_at": ("at", None),
                },
                tooltip={
                    "title": [["k", "kinds"]],
                    "rows": [
                        ["a", "Authority", "", "authorities"],
                        ["p", "Young people"],
                        ["s", "Sightings"],
                        ["o", "From other authorities", "%"],
                        ["id", "Place"],
                        ["lb", "Label"],
                        ["cx", "Most recorded", "", "contexts"],
                        ["r", "Rank by concern"],
                    ],
                },
                plot=plot_hotspots,
            ),
        ),
        Layer(
            "contexts",
            "Contexts",
            contexts_layer,
            _contexts_possible,
            LayerStyle(
                properties={
                    "rank": ("r", None),
                    "context": ("cx", None),
                    "kind": ("k", None),
                    "what": ("w", None),
                    "why": ("y", None),
                    "contexts": ("c", None),
                    "people": ("p", None),
                    "label": ("label", None),
                    "label_at": ("at", None),
                },
                tooltip={"title": [["w"]], "rows": [["cx", "Context"], ["y", "Why"]]},
                plot=plot_contexts,
            ),
        ),
    )
}

#: Layers in drawing order, bottom to top.
LAYERS: Final[tuple[str, ...]] = tuple(LAYER_REGISTRY)

#: Per layer: frame column -> (GeoJSON property key, lookup table or None); see
#: :class:`LayerStyle`.
PROPERTY_KEYS: Final[dict[str, Mapping[str, tuple[str, str | None]]]] = {
    key: layer.style.properties for key, layer in LAYER_REGISTRY.items()
}
