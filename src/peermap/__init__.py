"""peermap: map peer-on-peer abuse and exploitation contexts across local-authority boundaries.

The public API is functional and re-exported here; optional parameters are keyword-only.
"""

from __future__ import annotations

from peermap import settings
from peermap.assignment import assign_authorities, resolve_authorities
from peermap.boundaries import (
    authority_graph,
    boundary_attribution,
    demo_boundaries,
    load_boundaries,
)
from peermap.dataset import Dataset
from peermap.exceptions import (
    BoundaryError,
    CRSError,
    KeyMaterialError,
    PeermapWarning,
    PrivacyError,
    ValidationError,
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
from peermap.schema import SCHEMA_VERSION
from peermap.validation import Problem, ValidationReport, read_dataset, validate

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "BoundaryError",
    "CRSError",
    "Dataset",
    "IdentifierFinding",
    "KeyMaterialError",
    "PartnershipKey",
    "PeermapWarning",
    "PrivacyError",
    "Problem",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "assign_authorities",
    "authority_graph",
    "boundary_attribution",
    "demo_boundaries",
    "find_identifiers",
    "generate_key",
    "is_pseudonym",
    "key_fingerprint",
    "load_boundaries",
    "load_key",
    "pseudonym",
    "pseudonymise",
    "read_dataset",
    "refuse_identifiers",
    "resolve_authorities",
    "settings",
    "validate",
]
