"""peermap: map peer-on-peer abuse and exploitation contexts across local-authority boundaries.

The public API is functional and re-exported here; optional parameters are keyword-only.

``import peermap`` is cheap: the exceptions and :mod:`peermap.settings` are imported
with the package, and every other name is imported from its home module the first time
it is used (PEP 562 module ``__getattr__``), so that the command line starts quickly and
a script that only validates records never loads the mapping libraries.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from peermap import settings
from peermap._optional import missing_dependency
from peermap._version import __version__
from peermap.exceptions import (
    ArgumentError,
    BoundaryError,
    CRSError,
    ExternalAssetError,
    IntegrityError,
    KeyMaterialError,
    MissingDependencyError,
    PeermapWarning,
    PrivacyError,
    UnknownNameError,
    ValidationError,
)

if TYPE_CHECKING:  # pragma: no cover - the same names, for type checkers and IDEs
    from peermap.analysis import (
        centrality,
        connecting_network,
        contexts,
        find_path,
        flow_matrix,
        flows,
        hotspots,
        online_spaces,
    )
    from peermap.assignment import assign_authorities, resolve_authorities
    from peermap.boundaries import (
        Boundaries,
        authority_graph,
        boundary_attribution,
        demo_boundaries,
        fetch_ons,
        load_boundaries,
        ons_datasets,
    )
    from peermap.counts import authority_counts
    from peermap.data_quality import QualityProfile, quality
    from peermap.dataset import Dataset
    from peermap.disclosure import Audience
    from peermap.emerging import EmergingHotSpots, emerging_hotspots
    from peermap.exchange import (
        AggregatePackage,
        aggregate_tables,
        read_aggregate,
        read_anx,
        read_clks,
        read_package,
        to_anx,
        to_geojson,
        to_gexf,
        to_graphml,
        write_package,
    )
    from peermap.filters import Window, select
    from peermap.getis_ord import gi_star
    from peermap.linkage import cluster_identities, encode_identities, link_identities
    from peermap.merging import datasets_equal, merge, with_provenance
    from peermap.networks import (
        copresence_graph,
        graph_from_gdfs,
        graph_to_gdfs,
        peer_graph,
        place_graph,
    )
    from peermap.privacy import (
        IdentifierFinding,
        PartnershipKey,
        find_identifiers,
        generate_key,
        is_pseudonym,
        key_fingerprint,
        load_key,
        pseudonym,
        pseudonymise,
        redact,
        redact_frame,
        refuse_identifiers,
    )
    from peermap.relocations import host_notifications, relocation_exposure, relocations_received
    from peermap.schema import SCHEMA_VERSION
    from peermap.synthetic import GroundTruth, Scenario, scenario
    from peermap.validation import Problem, ValidationReport, read_dataset, validate
    from peermap.views.diagrams import DiagramInfo, PeerDiagram, peer_diagram
    from peermap.views.maps import MapInfo, PeerMap, make_map, plot_static, save_map
    from peermap.views.report import Report, ReportInfo, make_report
    from peermap.views.timelines import (
        Timeline,
        TimelineInfo,
        make_timeline,
        timeline,
        timeline_table,
    )

#: Where each lazily imported name lives: its home module. Keep it in step with the
#: ``TYPE_CHECKING`` imports above (tests/test_startup.py checks that they agree).
_LAZY: dict[str, tuple[str, ...]] = {
    "peermap.analysis": (
        "centrality",
        "connecting_network",
        "contexts",
        "find_path",
        "flow_matrix",
        "flows",
        "hotspots",
        "online_spaces",
    ),
    "peermap.assignment": ("assign_authorities", "resolve_authorities"),
    "peermap.boundaries": (
        "Boundaries",
        "authority_graph",
        "boundary_attribution",
        "demo_boundaries",
        "fetch_ons",
        "load_boundaries",
        "ons_datasets",
    ),
    "peermap.counts": ("authority_counts",),
    "peermap.data_quality": ("QualityProfile", "quality"),
    "peermap.dataset": ("Dataset",),
    "peermap.views.diagrams": ("DiagramInfo", "PeerDiagram", "peer_diagram"),
    "peermap.disclosure": ("Audience",),
    "peermap.filters": ("Window", "select"),
    "peermap.exchange": (
        "AggregatePackage",
        "aggregate_tables",
        "read_aggregate",
        "read_anx",
        "read_clks",
        "read_package",
        "to_anx",
        "to_geojson",
        "to_gexf",
        "to_graphml",
        "write_package",
    ),
    "peermap.getis_ord": ("gi_star",),
    "peermap.emerging": ("EmergingHotSpots", "emerging_hotspots"),
    "peermap.views.maps": ("MapInfo", "PeerMap", "make_map", "plot_static", "save_map"),
    "peermap.merging": ("datasets_equal", "merge", "with_provenance"),
    "peermap.networks": (
        "copresence_graph",
        "graph_from_gdfs",
        "graph_to_gdfs",
        "peer_graph",
        "place_graph",
    ),
    "peermap.privacy": (
        "IdentifierFinding",
        "PartnershipKey",
        "find_identifiers",
        "generate_key",
        "is_pseudonym",
        "key_fingerprint",
        "load_key",
        "pseudonym",
        "pseudonymise",
        "redact",
        "redact_frame",
        "refuse_identifiers",
    ),
    "peermap.relocations": ("host_notifications", "relocation_exposure", "relocations_received"),
    "peermap.schema": ("SCHEMA_VERSION",),
    "peermap.synthetic": ("GroundTruth", "Scenario", "scenario"),
    "peermap.views.report": ("Report", "ReportInfo", "make_report"),
    "peermap.views.timelines": (
        "Timeline",
        "TimelineInfo",
        "make_timeline",
        "timeline",
        "timeline_table",
    ),
    "peermap.validation": ("Problem", "ValidationReport", "read_dataset", "validate"),
    "peermap.linkage": ("cluster_identities", "encode_identities", "link_identities"),
}
_HOME: dict[str, str] = {name: module for module, names in _LAZY.items() for name in names}


__all__ = [
    "SCHEMA_VERSION",
    "AggregatePackage",
    "ArgumentError",
    "Audience",
    "Boundaries",
    "BoundaryError",
    "CRSError",
    "Dataset",
    "DiagramInfo",
    "EmergingHotSpots",
    "ExternalAssetError",
    "GroundTruth",
    "IdentifierFinding",
    "IntegrityError",
    "KeyMaterialError",
    "MapInfo",
    "MissingDependencyError",
    "PartnershipKey",
    "PeerDiagram",
    "PeerMap",
    "PeermapWarning",
    "PrivacyError",
    "Problem",
    "QualityProfile",
    "Report",
    "ReportInfo",
    "Scenario",
    "Timeline",
    "TimelineInfo",
    "UnknownNameError",
    "ValidationError",
    "ValidationReport",
    "Window",
    "__version__",
    "aggregate_tables",
    "assign_authorities",
    "authority_counts",
    "authority_graph",
    "boundary_attribution",
    "centrality",
    "cluster_identities",
    "connecting_network",
    "contexts",
    "copresence_graph",
    "datasets_equal",
    "demo_boundaries",
    "emerging_hotspots",
    "encode_identities",
    "fetch_ons",
    "find_identifiers",
    "find_path",
    "flow_matrix",
    "flows",
    "generate_key",
    "gi_star",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "host_notifications",
    "hotspots",
    "is_pseudonym",
    "key_fingerprint",
    "link_identities",
    "load_boundaries",
    "load_key",
    "make_map",
    "make_report",
    "make_timeline",
    "merge",
    "online_spaces",
    "ons_datasets",
    "peer_diagram",
    "peer_graph",
    "place_graph",
    "plot_static",
    "pseudonym",
    "pseudonymise",
    "quality",
    "read_aggregate",
    "read_anx",
    "read_clks",
    "read_dataset",
    "read_package",
    "redact",
    "redact_frame",
    "refuse_identifiers",
    "relocation_exposure",
    "relocations_received",
    "resolve_authorities",
    "save_map",
    "scenario",
    "select",
    "settings",
    "timeline",
    "timeline_table",
    "to_anx",
    "to_geojson",
    "to_gexf",
    "to_graphml",
    "validate",
    "with_provenance",
    "write_package",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its home module on first use (PEP 562).

    A submodule (``peermap.exchange``) is imported on first use too, as it was when the
    package imported every module up front.
    """
    module = _HOME.get(name)
    submodule = f"{__name__}.{name}"
    if module is None and not name.startswith("_") and importlib.util.find_spec(submodule):
        module = submodule
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        home = importlib.import_module(module)
    except ImportError as exc:  # an optional library: name the extra that brings it
        error = missing_dependency(exc)
        if error is None:
            raise
        raise error from exc
    value = home if module == submodule else getattr(home, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
