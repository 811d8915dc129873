"""peermap: map peer-on-peer abuse and exploitation contexts across local-authority boundaries."""

from __future__ import annotations

from peermap import settings
from peermap.exceptions import (
    BoundaryError,
    CRSError,
    KeyMaterialError,
    PeermapWarning,
    PrivacyError,
    ValidationError,
)

__version__ = "0.1.0"

__all__ = [
    "BoundaryError",
    "CRSError",
    "KeyMaterialError",
    "PeermapWarning",
    "PrivacyError",
    "ValidationError",
    "__version__",
    "settings",
]
