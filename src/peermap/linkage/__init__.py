"""Privacy-preserving record linkage: the same young person across partners, no identities shared.

Each partner encodes its own identity table into CLKs (Bloom filters under a key of
the linkage) with :func:`encode_identities`; whoever links (a partner or a linkage
unit) compares the CLKs with :func:`link_identities` (two partners, with a
clerical-review band) or :func:`cluster_identities` (several at once). Names, dates of
birth and postcodes never leave the partner; the CLKs are personal data and travel only
within the partnership (docs/linkage.md).

Modules: :mod:`~peermap.linkage.normalise` (how fields are normalised),
:mod:`~peermap.linkage.encoding` (the CLK scheme, after clkhash),
:mod:`~peermap.linkage.identities` (:func:`encode_identities`),
:mod:`~peermap.linkage.fields` (the field segments of version 3 CLKs),
:mod:`~peermap.linkage.evidence` (the field-aware second pass: Fellegi-Sunter weights)
and :mod:`~peermap.linkage.linking` (blocking and solving with anonlink).
"""

from __future__ import annotations

from peermap.linkage.encoding import CLK_BITS, FEATURES
from peermap.linkage.identities import encode_identities
from peermap.linkage.linking import (
    DEFAULT_PROBABILITY,
    DEFAULT_REVIEW_PROBABILITY,
    DEFAULT_REVIEW_THRESHOLD,
    DEFAULT_THRESHOLD,
    cluster_identities,
    link_identities,
)
from peermap.linkage.normalise import FIELDS

__all__ = [
    "CLK_BITS",
    "DEFAULT_PROBABILITY",
    "DEFAULT_REVIEW_PROBABILITY",
    "DEFAULT_REVIEW_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "FEATURES",
    "FIELDS",
    "cluster_identities",
    "encode_identities",
    "link_identities",
]
