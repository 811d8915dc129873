"""Field segments of a version 3 CLK: what the field-aware second pass of linking compares.

A version 2 CLK is one record-level Bloom filter (:mod:`peermap.linkage.encoding`):
good for finding candidate pairs, but one Dice score cannot tell a slip in a first name
from a twin, or a namesake from a slip in a date of birth. Version 3 keeps that filter
whole (the same bits as version 2) and appends **field segments** that the linker
compares one field at a time (:mod:`peermap.linkage.evidence`):

=============  ======  ===================================================================
segment        bytes   what
=============  ======  ===================================================================
version        1       the layout's version, 3
record         128     the record-level filter of version 2 (blocking, candidate pairs)
first name     64      Bloom filter (512 bits) of the first name's bigrams, 8 bits each
last name      64      the same for the last name, under the same key (so that first and
                       last names entered the wrong way round can be compared crosswise)
name group     64      Bloom filter (512 bits) of the first name's nickname group,
                       8 bits per name of the group
date of birth  8       keyed 16-bit codes of the year, the month, the day and the
                       {day, month} pair in no order
postcode       6       keyed 16-bit codes of the outward code, the sector and the postcode
=============  ======  ===================================================================

A missing field leaves its segment zero (a code is never 0). Sex has no segment: it is
in the record-level filter only, so no segment shows a record's sex (and it is weak
evidence: most namesakes share it). Each segment has its own key, derived from the
linkage key as the record filter's features are (HKDF with the segment's name).

The segments are more than the record filter shows: the linker sees which pairs share a
first name, a surname, a date of birth (or its year) or a postcode, and can count how
often each code or bit pattern occurs (a frequency attack per field). docs/linkage.md
says what that exposes and why the partnership accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peermap.linkage.encoding import CLK_BITS, Encoder, derive_key
from peermap.linkage.normalise import Normalised, given_name_group, listed_given_name
from peermap.privacy.keys import PartnershipKey

__all__ = [
    "CLK_VERSION",
    "NAME_BITS",
    "NAME_K",
    "Segments",
    "decode",
    "encode_v3",
    "version_of",
]

#: The layout version of the CLKs :func:`encode_v3` writes (its first byte).
CLK_VERSION = 3
#: Bits of each name segment, and bits one bigram sets.
NAME_BITS = 512
NAME_K = 8
#: Bits of the name-group segment, and bits each name of the group sets.
GROUP_BITS = 512
GROUP_K = 8
_RECORD_BYTES = CLK_BITS // 8
_NAME_BYTES = NAME_BITS // 8
_GROUP_BYTES = GROUP_BITS // 8
_DOB_CODES = 4
_POSTCODE_CODES = 3
V3_BYTES = 1 + _RECORD_BYTES + 2 * _NAME_BYTES + _GROUP_BYTES + 2 * (_DOB_CODES + _POSTCODE_CODES)


@dataclass(frozen=True)
class Segments:
    """The CLKs of one partner, split: the record filters and the field segments.

    Attributes
    ----------
    version : int
        2 (record filters only) or 3.
    record : numpy.ndarray
        One row of 128 bytes per record.
    first, last : numpy.ndarray or None
        Name segments as rows of 64-bit words (version 3).
    group : numpy.ndarray or None
        Name-group segments as rows of 64-bit words.
    dob, postcode : numpy.ndarray or None
        Codes (uint16; 0 where the field is missing), one column per part.
    """

    version: int
    record: npt.NDArray[np.uint8]
    first: npt.NDArray[np.uint64] | None = None
    last: npt.NDArray[np.uint64] | None = None
    group: npt.NDArray[np.uint64] | None = None
    dob: npt.NDArray[np.uint16] | None = None
    postcode: npt.NDArray[np.uint16] | None = None


class _FieldEncoder:
    """The field segments of normalised records, under keys derived from the linkage key."""

    def __init__(self, key: PartnershipKey) -> None:
        self._names = derive_key(key, "segment names")
        self._group = derive_key(key, "segment name group")
        self._dob = derive_key(key, "segment dob")
        self._postcode = derive_key(key, "segment postcode")
        self._cache: dict[tuple[str, str], bytes] = {}

    def _bloom(self, key: bytes, tokens: list[tuple[str, int]], bits: int) -> bytes:
        filled = np.zeros(bits, dtype=bool)
        for token, k in tokens:
            digest = hashlib.blake2b(token.encode("utf-8"), key=key, digest_size=64).digest()
            filled[np.frombuffer(digest, dtype=">u2")[:k] % bits] = True
        return np.packbits(filled).tobytes()

    def _name(self, name: str, own: str) -> bytes:
        found = self._cache.get((own, name))
        if found is None:
            # the name as written (normalised): the linker compares the bigrams, and
            # crosswise, so no correction or orientation is needed here
            padded = "_" + name.replace(" ", "_") + "_"
            grams = [(padded[i : i + 2], NAME_K) for i in range(len(padded) - 1)] if name else []
            found = self._bloom(self._names, grams, NAME_BITS)
            if own == "first_name":
                # the group of the name as read (a slip of a listed name: that name's),
                # not of its one formal name (amelia's group holds millie; parmelia's
                # does not)
                word = name.split(" ", 1)[0]
                group = given_name_group(listed_given_name(word) or word) if word else ()
                found += self._bloom(self._group, [(g, GROUP_K) for g in group], GROUP_BITS)
            self._cache[(own, name)] = found
        return found

    def _codes(self, key: bytes, tokens: list[str]) -> bytes:
        out = b""
        for token in tokens:
            word = int.from_bytes(hmac.digest(key, token.encode("utf-8"), "sha256")[:2], "big")
            out += (1 + word % 65535).to_bytes(2, "big")
        return out

    def segments(self, record: Normalised) -> bytes:
        # names as entered: the linker compares them crosswise too, which also finds
        # the swaps the record filter's orientation rule cannot
        first = self._name(record.first_name, "first_name")  # bigrams, then group
        out = first[:_NAME_BYTES] + self._name(record.last_name, "last_name")
        out += first[_NAME_BYTES:]
        if record.dob is None:
            out += bytes(2 * _DOB_CODES)
        else:
            day, month = f"{record.dob.day:02d}", f"{record.dob.month:02d}"
            pair = "".join(sorted((day, month)))
            out += self._codes(
                self._dob, [f"y{record.dob.year:04d}", f"m{month}", f"d{day}", f"p{pair}"]
            )
        if not record.postcode:
            out += bytes(2 * _POSTCODE_CODES)
        else:
            code = record.postcode
            out += self._codes(
                self._postcode, [f"o{code[:-3]}", f"s{code[:-3]}{code[-3]}", f"f{code}"]
            )
        return out


def encode_v3(key: PartnershipKey, records: list[Normalised]) -> list[str]:
    """Encode records as version 3 CLKs: version byte, record filter, field segments.

    Parameters
    ----------
    key : PartnershipKey
        The linkage key.
    records : list of Normalised
        The partner's records, normalised.

    Returns
    -------
    list of str
        Base64 text, one CLK per record.
    """
    record_filters = Encoder(key).encode(records)
    fields = _FieldEncoder(key)
    head = bytes([CLK_VERSION])
    return [
        base64.b64encode(head + row.tobytes() + fields.segments(record)).decode("ascii")
        for row, record in zip(record_filters, records, strict=True)
    ]


def _words(raw: npt.NDArray[np.uint8], start: int, size: int) -> npt.NDArray[np.uint64]:
    part = np.ascontiguousarray(raw[:, start : start + size])
    return part.view(np.uint64).reshape(len(raw), size // 8)


def _codes_of(raw: npt.NDArray[np.uint8], start: int, count: int) -> npt.NDArray[np.uint16]:
    part = np.ascontiguousarray(raw[:, start : start + 2 * count])
    return part.view(">u2").astype(np.uint16).reshape(len(raw), count)


def decode(texts: list[str]) -> Segments | list[int]:
    """Read base64 CLKs of version 2 (128 bytes) or 3 (:data:`V3_BYTES` bytes).

    Parameters
    ----------
    texts : list of str
        Base64 text, one CLK per record.

    Returns
    -------
    Segments or list of int
        The segments; or, when some CLKs are not base64 of either layout or mix the
        two, the positions (from 0) of the CLKs that do not fit (those of the rarer
        layout when they mix).
    """
    raws: list[bytes | None] = []
    for text in texts:
        try:
            raws.append(base64.b64decode(text, validate=True))
        except (ValueError, TypeError):
            raws.append(None)
    sizes = [
        None if r is None else (2 if len(r) == _RECORD_BYTES else 3 if _is_v3(r) else None)
        for r in raws
    ]
    bad = [i for i, s in enumerate(sizes) if s is None]
    if bad:
        return bad
    versions = set(sizes)
    if len(versions) > 1:
        threes = [i for i, s in enumerate(sizes) if s == 3]
        twos = [i for i, s in enumerate(sizes) if s == 2]
        return twos if len(twos) <= len(threes) else threes
    if not raws:
        return Segments(2, np.zeros((0, _RECORD_BYTES), dtype=np.uint8))
    raw = np.frombuffer(b"".join(r for r in raws if r is not None), dtype=np.uint8)
    if sizes[0] == 2:
        return Segments(2, raw.reshape(len(raws), _RECORD_BYTES).copy())
    raw = raw.reshape(len(raws), V3_BYTES)
    at = 1 + _RECORD_BYTES
    first = _words(raw, at, _NAME_BYTES)
    last = _words(raw, at + _NAME_BYTES, _NAME_BYTES)
    at += 2 * _NAME_BYTES
    group = _words(raw, at, _GROUP_BYTES)
    at += _GROUP_BYTES
    dob = _codes_of(raw, at, _DOB_CODES)
    postcode = _codes_of(raw, at + 2 * _DOB_CODES, _POSTCODE_CODES)
    return Segments(
        3,
        np.ascontiguousarray(raw[:, 1 : 1 + _RECORD_BYTES]),
        first=first,
        last=last,
        group=group,
        dob=dob,
        postcode=postcode,
    )


def _is_v3(raw: bytes) -> bool:
    return len(raw) == V3_BYTES and raw[0] == CLK_VERSION


def version_of(text: str) -> int | None:
    """Return the layout version of one base64 CLK, or None if it is no CLK.

    2 (a record filter of 128 bytes), 3 (:data:`V3_BYTES` bytes, first byte 3), or the
    first byte of a longer text whose first byte is a version this peermap does not
    know (4 to 15: a later peermap's); None otherwise.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        return None
    if len(raw) == _RECORD_BYTES:
        return 2
    if _is_v3(raw):
        return 3
    if len(raw) > _RECORD_BYTES and CLK_VERSION < raw[0] < 16:
        return raw[0]
    return None
