"""Cryptographic long-term keys (CLKs): one Bloom filter per record, under a derived key.

The scheme follows clkhash's (Data61's reference encoder for anonlink, its schema
v3 with ``blakeHash``), written here with the standard library because clkhash cannot
be installed beside the project's tools (it pins ``mypy_extensions<0.5`` and
``cryptography<41``):

1. Each field of a record (normalised by :mod:`peermap.linkage.normalise`) becomes
   **tokens**: the bigrams of a name padded with ``_`` at both ends, the formal names of
   a first name's nickname group, the parts of a date of birth, the outward code, sector
   and full postcode. Every feature (:data:`FEATURES`) has its own key, so the same text
   in two features sets different bits (clkhash's field-specific prefixes).
2. Each token sets ``k`` bits of a :data:`CLK_BITS`-bit filter, ``k`` fixed per
   feature from its weight (:class:`Feature`): the bits are ``k`` 16-bit words of a
   keyed BLAKE2b digest of the token, modulo the filter length (clkhash's ``blakeHash``;
   1024 divides 65,536, so every bit is equally likely).
3. The feature keys are derived from the partnership key by HKDF (RFC 5869): the
   pseudorandom key is the partnership key's HMAC-SHA256 of :data:`LINKAGE_LABEL` (the
   one use :class:`~peermap.privacy.PartnershipKey` makes of its secret), expanded with
   the feature's name as ``info``. No one without the key can compute a CLK, test a
   guessed name against one, or link CLKs made under another key.

No xor-folding: the filter stays whole (folding halves its length and costs accuracy).
A CLK is personal data: it is as identifying as the fields it encodes, to anyone who
holds the key, and open to frequency attacks when it encodes few fields.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from peermap.linkage.normalise import (
    FIELDS,
    Normalised,
    formal_first_name,
    given_name_group,
    listed_given_name,
    oriented_names,
)
from peermap.privacy.keys import PartnershipKey

__all__ = [
    "CLK_BITS",
    "FEATURES",
    "LINKAGE_LABEL",
    "Feature",
    "clk_bits",
    "derive_key",
    "encode_record",
    "from_base64",
    "name_text",
    "to_base64",
]

#: Length of a CLK in bits (as clkhash's default schemas).
CLK_BITS = 1024
_CLK_BYTES = CLK_BITS // 8
#: Label of the linkage pseudorandom key: ``HMAC-SHA256(partnership key, LINKAGE_LABEL)``.
LINKAGE_LABEL = b"peermap linkage clk v2"


@dataclass(frozen=True)
class Feature:
    """One feature of the encoding: what it encodes and how many bits each token sets.

    Attributes
    ----------
    name : str
        The feature's name, also its HKDF ``info`` (so its key).
    bits : int
        Bits set per token (clkhash's ``k``, from the field's weight).
    what : str
        What the feature's tokens are, for the documentation.
    """

    name: str
    bits: int
    what: str


#: The features of a CLK and their weights. A first name is encoded twice (its bigrams,
#: with the last name's, as one unordered bag, and its nickname group) so that a
#: nickname, a typo and first and last names swapped each keep part of it; no feature
#: depends on which field a name was entered in, except the group of a first name that
#: is not in the nickname list (see :func:`~peermap.linkage.normalise.oriented_names`).
#: The date of birth is split so that a typo in one part or a day and month transposed
#: keep most of it.
FEATURES: tuple[Feature, ...] = (
    Feature("names", 10, "bigrams of first and last names together, in no order"),
    Feature("name_groups", 40, "each name's nickname group (its formal names), in no order"),
    Feature("dob", 20, "year, month, day, and {day, month} in no order"),
    Feature("sex", 4, "the sex"),
    Feature("postcode", 5, "outward code, sector and full postcode"),
)
_BITS = {feature.name: feature.bits for feature in FEATURES}


def derive_key(key: PartnershipKey, purpose: str, length: int = 32) -> bytes:
    """Derive a key for one purpose from the partnership key (HKDF-Expand, SHA-256).

    Parameters
    ----------
    key : PartnershipKey
        The partnership key.
    purpose : str
        The HKDF ``info``: a feature's name.
    length : int, default 32
        Bytes wanted (at most 8160).

    Returns
    -------
    bytes
    """
    prk = key.digest(LINKAGE_LABEL)
    info = purpose.encode("utf-8")
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), "sha256")
        out += block
        counter += 1
    return out[:length]


def _bigrams(text: str) -> Iterator[str]:
    padded = "_" + text.replace(" ", "_") + "_"
    return (padded[i : i + 2] for i in range(len(padded) - 1))


def name_text(name: str, own: str) -> str:
    """Return the text of a first (``own="first_name"``) or last name that is encoded.

    A first name that is one slip from exactly one listed given name is read as that
    name (:func:`~peermap.linkage.normalise.listed_given_name`), and a nickname with
    one formal name is replaced by it (either name: first and last names may be
    swapped).
    """
    word, _, rest = name.partition(" ")
    corrected = listed_given_name(word) if own == "first_name" and word else None
    if corrected is not None and corrected != word:  # a slip of a listed name: that name
        name = " ".join(filter(None, (corrected, rest)))
    return formal_first_name(name)


def _name_tokens(name: str, own: str) -> Iterator[tuple[str, str, int]]:
    """(feature, token, bits) of a first (``own="first_name"``) or last name.

    A first name that is one slip from exactly one listed given name is read as that
    name (:func:`~peermap.linkage.normalise.listed_given_name`): spelling correction
    against the list, so that a typo in a first name costs nothing.
    """
    name = name_text(name, own)
    for gram in _bigrams(name):
        yield "names", gram, _BITS["names"]
    group = given_name_group(name, unlisted=own == "first_name")
    if group:
        share = max(1, -(-_BITS["name_groups"] // len(group)))
        for formal in group:
            yield "name_groups", formal, share


def _dob_tokens(dob: dt.date) -> Iterator[tuple[str, str, int]]:
    day, month, bits = f"{dob.day:02d}", f"{dob.month:02d}", _BITS["dob"]
    yield "dob", f"y{dob.year:04d}", bits
    yield "dob", f"m{month}", bits
    yield "dob", f"d{day}", bits
    yield "dob", "p" + "".join(sorted((day, month))), bits


def _postcode_tokens(postcode: str) -> Iterator[tuple[str, str, int]]:
    outward, inward, bits = postcode[:-3], postcode[-3:], _BITS["postcode"]
    yield "postcode", "o" + outward, bits
    yield "postcode", "s" + outward + inward[0], bits
    yield "postcode", "f" + postcode, bits


_FIELD_TOKENS: dict[str, Callable[[Any], Iterator[tuple[str, str, int]]]] = {
    "first_name": lambda name: _name_tokens(name, "first_name"),
    "last_name": lambda name: _name_tokens(name, "last_name"),
    "dob": _dob_tokens,
    "sex": lambda sex: iter([("sex", sex, _BITS["sex"])]),
    "postcode": _postcode_tokens,
}


class Encoder:
    """Encode normalised records under one partnership key, caching each value's bits."""

    def __init__(self, key: PartnershipKey) -> None:
        self._keys = {feature.name: derive_key(key, feature.name) for feature in FEATURES}
        self._cache: dict[tuple[str, object], npt.NDArray[np.intp]] = {}

    def _token_positions(self, feature: str, token: str, bits: int) -> npt.NDArray[np.intp]:
        words = []
        block = 0
        while 32 * block < bits:  # 32 words of 16 bits per 64-byte digest
            digest = hashlib.blake2b(
                token.encode("utf-8"),
                key=self._keys[feature],
                salt=block.to_bytes(16, "big"),
                digest_size=64,
            ).digest()
            words.append(np.frombuffer(digest, dtype=">u2"))
            block += 1
        return (np.concatenate(words)[:bits] % CLK_BITS).astype(np.intp)

    def _field_positions(self, field: str, value: object) -> npt.NDArray[np.intp]:
        found = self._cache.get((field, value))
        if found is None:
            parts = [
                self._token_positions(feature, token, bits)
                for feature, token, bits in _FIELD_TOKENS[field](value)
            ]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
            self._cache[(field, value)] = found
        return found

    def positions(self, record: Normalised) -> npt.NDArray[np.intp]:
        """Every bit position one record sets (with repeats)."""
        first, last = oriented_names(record.first_name, record.last_name)
        if (first, last) != (record.first_name, record.last_name):
            record = replace(record, first_name=first, last_name=last)
        parts = [
            self._field_positions(field, value)
            for field in FIELDS
            if (value := getattr(record, field))
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)

    def encode(self, records: list[Normalised]) -> npt.NDArray[np.uint8]:
        """Encode many records: one row of :data:`CLK_BITS` / 8 bytes each."""
        found = [self.positions(record) for record in records]
        bits = np.zeros((len(records), CLK_BITS), dtype=bool)
        if found:
            lengths = np.fromiter((len(f) for f in found), dtype=np.intp, count=len(found))
            rows = np.repeat(np.arange(len(records), dtype=np.intp), lengths)
            bits[rows, np.concatenate(found)] = True
        return np.packbits(bits, axis=1)


def encode_record(key: PartnershipKey, record: Normalised) -> bytes:
    """Return the CLK of one normalised record, as :data:`CLK_BITS` / 8 bytes."""
    return bytes(Encoder(key).encode([record])[0].tobytes())


def to_base64(clks: npt.NDArray[np.uint8]) -> list[str]:
    """CLKs (rows of bytes) as standard base64 text, as anonlink's tools exchange them."""
    return [base64.b64encode(row.tobytes()).decode("ascii") for row in clks]


def from_base64(texts: list[str]) -> npt.NDArray[np.uint8] | None:
    """Base64 CLKs back as rows of bytes; None when one is not a CLK of this length."""
    out = np.zeros((len(texts), _CLK_BYTES), dtype=np.uint8)
    for i, text in enumerate(texts):
        try:
            raw = base64.b64decode(text, validate=True)
        except (ValueError, TypeError):
            return None
        if len(raw) != _CLK_BYTES:
            return None
        out[i] = np.frombuffer(raw, dtype=np.uint8)
    return out


def clk_bits(clks: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Bits set in each CLK."""
    counts: npt.NDArray[np.int64] = np.unpackbits(clks, axis=1).sum(axis=1, dtype=np.int64)
    return counts
