"""peermap: map peer-on-peer abuse and exploitation contexts across local-authority boundaries.

The public API is functional and re-exported here; optional parameters are keyword-only.
"""

from __future__ import annotations

from peermap import settings
from peermap.analysis import contexts, flow_matrix, flows, hotspots
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
from peermap.counts import aggregate_tables, authority_counts
from peermap.data_quality import QualityProfile, quality
from peermap.dataset import Dataset
from peermap.diagrams import DiagramInfo, PeerDiagram, peer_diagram
from peermap.disclosure import Audience
from peermap.exceptions import (
    BoundaryError,
    CRSError,
    IntegrityError,
    KeyMaterialError,
    PeermapWarning,
    PrivacyError,
    ValidationError,
)
from peermap.exchange import (
    AggregatePackage,
    read_aggregate,
    read_package,
    to_geojson,
    to_gexf,
    to_graphml,
    write_package,
)
from peermap.getis_ord import gi_star
from peermap.maps import ExternalAssetError, MapInfo, PeerMap, make_map, plot_static, save_map
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
    refuse_identifiers,
)
from peermap.relocations import host_notifications, relocation_exposure, relocations_received
from peermap.schema import SCHEMA_VERSION
from peermap.synthetic import GroundTruth, Scenario, scenario
from peermap.timelines import timeline, timeline_table
from peermap.validation import Problem, ValidationReport, read_dataset, validate

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "AggregatePackage",
    "Audience",
    "Boundaries",
    "BoundaryError",
    "CRSError",
    "Dataset",
    "DiagramInfo",
    "ExternalAssetError",
    "GroundTruth",
    "IdentifierFinding",
    "IntegrityError",
    "KeyMaterialError",
    "MapInfo",
    "PartnershipKey",
    "PeerDiagram",
    "PeerMap",
    "PeermapWarning",
    "PrivacyError",
    "Problem",
    "QualityProfile",
    "Scenario",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "aggregate_tables",
    "assign_authorities",
    "authority_counts",
    "authority_graph",
    "boundary_attribution",
    "contexts",
    "copresence_graph",
    "datasets_equal",
    "demo_boundaries",
    "fetch_ons",
    "find_identifiers",
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
    "load_boundaries",
    "load_key",
    "make_map",
    "merge",
    "ons_datasets",
    "peer_diagram",
    "peer_graph",
    "place_graph",
    "plot_static",
    "pseudonym",
    "pseudonymise",
    "quality",
    "read_aggregate",
    "read_dataset",
    "read_package",
    "refuse_identifiers",
    "relocation_exposure",
    "relocations_received",
    "resolve_authorities",
    "save_map",
    "scenario",
    "settings",
    "timeline",
    "timeline_table",
    "to_geojson",
    "to_gexf",
    "to_graphml",
    "validate",
    "with_provenance",
    "write_package",
]
