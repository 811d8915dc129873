"""Authority names: the key names are matched by, and the codes derived from names.

Boundary files and records name authorities in many ways ("London Borough of
Camden", "Camden Council", "CAMDEN"). :func:`name_key` normalises a name for
matching and :func:`strip_affixes` removes council-style prefixes and suffixes from
it; :func:`derived_code` gives an authority named without a code a stable,
non-official code. Used by :mod:`peermap.boundaries` (names-only files) and
:mod:`peermap.assignment` (resolving authorities given by name).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Final

__all__ = ["DERIVED_CODE_PREFIX", "derived_code", "name_key", "strip_affixes"]

DERIVED_CODE_PREFIX: Final = "Z"
"""First letter of codes derived from names: not a GSS prefix (real codes start with
E, W, S, N, K, J, L or M, and the demo region uses X), so they cannot collide."""


def name_key(value: str) -> str:
    """Normalise a place name for matching.

    Lower case, accents and apostrophes removed, ``&`` read as ``and``, any other
    punctuation as a space, ``saint`` as ``st``, whitespace collapsed.
    """
    text = unicodedata.normalize("NFKD", str(value))
    text = re.sub(r"['’‘`]", "", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower().replace("&", " and ")
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join("st" if token == "saint" else token for token in tokens)


_PREFIXES: Final = (
    "the ",
    "london borough of ",
    "royal borough of ",
    "metropolitan borough of ",
    "city and county of the ",
    "city and county of ",
    "borough of ",
    "city of ",
    "county of ",
    "district of ",
    "county ",
)
_SUFFIXES: Final = (
    " metropolitan borough council",
    " metropolitan district council",
    " london borough council",
    " borough council",
    " district council",
    " city council",
    " county council",
    " unitary authority",
    " corporation",
    " council",
    " city of",
    " county of",
)
# Stripping must not turn "City of London" into "london" (which usually means Greater London).
_DO_NOT_STRIP_TO: Final = frozenset({"london"})


def strip_affixes(key: str) -> str:
    """Remove council-style prefixes and suffixes from a :func:`name_key`."""
    previous = None
    while previous != key:
        previous = key
        # Suffixes first: "City of London Council" -> "city of london", which then stays.
        for suffix in _SUFFIXES:
            rest = key[: -len(suffix)]
            if key.endswith(suffix) and rest and rest not in _DO_NOT_STRIP_TO:
                key = rest
        for prefix in _PREFIXES:
            rest = key[len(prefix) :]
            if key.startswith(prefix) and rest and rest not in _DO_NOT_STRIP_TO:
                key = rest
    return key


def derived_code(name: str) -> str:
    """Return the stable, non-official code peermap derives from an authority name.

    The code is GSS-shaped (a letter and eight digits) so that it fits wherever a
    code is expected, but starts with ``Z``, which no GSS code does, so it can
    never be mistaken for, or collide with, an official code. It depends only on
    the name (case, accents, punctuation and ``&``/``and`` ignored), so the same
    authority gets the same code from every names-only file.

    Parameters
    ----------
    name : str
        Authority name, e.g. ``"Buckinghamshire"``.

    Returns
    -------
    str
        For example ``"Z12345678"``.
    """
    digest = hashlib.sha256(name_key(name).encode("utf-8")).digest()
    return f"{DERIVED_CODE_PREFIX}{int.from_bytes(digest[:8], 'big') % 10**8:08d}"


def derive_codes(names: Sequence[str]) -> list[str]:
    """Derive codes for a file's names, keeping them unique if two names hash alike."""
    codes = [derived_code(name) for name in names]
    seen: dict[str, str] = {}
    # Resolve the (rare) hash collisions deterministically, in name order.
    for i in sorted(range(len(names)), key=lambda j: name_key(names[j])):
        key = name_key(names[i])
        code = codes[i]
        while code in seen and seen[code] != key:
            code = f"{DERIVED_CODE_PREFIX}{(int(code[1:]) + 1) % 10**8:08d}"
        seen[code] = key
        codes[i] = code
    return codes
