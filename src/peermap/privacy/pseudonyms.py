"""Pseudonyms: keyed, stable replacements for local identifiers.

The construction (``pm`` and 16 base32 characters of an HMAC-SHA256 of the normalised
identifier) is specified in :mod:`peermap.privacy`; :func:`pseudonym` makes one,
:func:`pseudonymise` replaces identifier columns of a frame and :func:`is_pseudonym`
tells pseudonyms from other values.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap.exceptions import ArgumentError, UnknownNameError
from peermap.privacy.keys import KeyLike, PartnershipKey, load_key
from peermap.schema import composed_id

__all__ = ["PSEUDONYM_PATTERN", "is_pseudonym", "pseudonym", "pseudonymise"]

PSEUDONYM_PATTERN = r"pm[a-z2-7]{16}"
"""Regular expression (for ``fullmatch``) of a peermap pseudonym."""

_PSEUDONYM_RE = re.compile(PSEUDONYM_PATTERN)
_PSEUDONYM_BYTES = 10  # 80 bits = 16 base32 characters, no padding


def _normalise_identifier(value: str) -> str:
    # Accents composed as the reader keeps ids: "yp-é1" typed with a combining accent
    # on one system is the same young person, with the same pseudonym.
    return "".join(composed_id(value).split()).casefold()


_BASE32_ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_BASE32_SHIFTS = np.arange(35, -1, -5, dtype=np.uint64)


def _pseudonyms_of(key: PartnershipKey, normalised: Sequence[str]) -> list[str]:
    """Pseudonyms of non-empty normalised identifiers (base32 done in bulk with numpy)."""
    if not normalised:
        return []
    digest = key.digest
    digests = b"".join(
        digest(text.encode("utf-8", "surrogatepass"))[:_PSEUDONYM_BYTES] for text in normalised
    )
    octets = np.frombuffer(digests, dtype=np.uint8).reshape(-1, _PSEUDONYM_BYTES)
    octets = octets.astype(np.uint64)
    groups = []
    for start in (0, 5):  # each 40-bit half is 8 base32 characters
        half = np.zeros(len(octets), dtype=np.uint64)
        for offset in range(5):
            half = (half << np.uint64(8)) | octets[:, start + offset]
        groups.append((half[:, None] >> _BASE32_SHIFTS) & np.uint64(31))
    chars = np.ascontiguousarray(_BASE32_ALPHABET[np.concatenate(groups, axis=1)])
    encoded = chars.view("S16").ravel()
    return [
        text if _PSEUDONYM_RE.fullmatch(text) else "pm" + code.decode("ascii")
        for text, code in zip(normalised, encoded, strict=True)
    ]


def _identifier_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))  # an id column read as float: 123.0 is "123"
    return str(value)


def pseudonym(value: str, *, key: KeyLike | None) -> str:
    """Return the keyed pseudonym of one identifier.

    Parameters
    ----------
    value : str
        A local identifier. It is normalised first: accents composed (Unicode NFC),
        all whitespace removed (anywhere), then case-folded, so ``" ab 12 "`` and
        ``"AB12"`` give the same pseudonym, and so do an accent typed as one
        character or as a letter and a combining mark.
    key : PartnershipKey, bytes, str or None
        The partnership key, as for :func:`load_key`; None reads it from the
        environment.

    Returns
    -------
    str
        ``pm`` and 16 lowercase base32 characters (see :data:`PSEUDONYM_PATTERN`).
        A value that already is a pseudonym is returned as is (normalised), so
        pseudonymising twice does no harm.

    Raises
    ------
    ArgumentError
        If the value is not a str, or is empty or only whitespace (an ArgumentError is
        a ValueError and a TypeError).
    KeyMaterialError
        If the key cannot be loaded.
    """
    if not isinstance(value, str):
        raise ArgumentError(f"an identifier to pseudonymise is a str, not {type(value).__name__}")
    loaded = load_key(key)
    normalised = _normalise_identifier(value)
    if not normalised:
        raise ArgumentError("an empty or all-whitespace identifier has no pseudonym")
    return _pseudonyms_of(loaded, [normalised])[0]


def pseudonymise(
    frame: pd.DataFrame, columns: str | Iterable[Hashable], *, key: KeyLike | None
) -> pd.DataFrame:
    """Return a copy of `frame` with identifier columns replaced by keyed pseudonyms.

    Parameters
    ----------
    frame : pandas.DataFrame
        Input; it is not modified.
    columns : str or iterable of column labels
        The columns to pseudonymise (a single name may be given as a string).
    key : PartnershipKey, bytes, str or None
        The partnership key, as for :func:`load_key`; None reads it from the
        environment.

    Returns
    -------
    pandas.DataFrame
        A new frame. In the named columns each value is replaced by
        ``pseudonym(value)``: non-string values are written as text first (a
        whole-number float such as ``123.0`` as ``"123"``, since id columns with
        gaps are often read as floats). Missing values stay missing, empty or
        all-whitespace strings stay as they are (blanks are not one person), and
        values that already are pseudonyms are kept. String columns keep their
        dtype. Every other column is untouched.

    Raises
    ------
    UnknownNameError
        If a named column is not in the frame (an ArgumentError, ValueError and
        KeyError).
    KeyMaterialError
        If the key cannot be loaded.

    Notes
    -----
    Each distinct value is hashed once, so large frames are fast. Pseudonymised
    data is still personal data.
    """
    loaded = load_key(key)
    wanted: list[Hashable] = [columns] if isinstance(columns, str) else list(columns)
    labels = list(frame.columns)
    positions: list[int] = []
    for column in wanted:
        found = [i for i, label in enumerate(labels) if _same_label(label, column)]
        if not found:
            raise UnknownNameError(
                f"cannot pseudonymise column {column!r}: the frame has no such column"
            )
        positions.extend(i for i in found if i not in positions)

    out = frame.copy(deep=True)
    for position in positions:
        series = frame.iloc[:, position]
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        if len(uniques) == 0:
            continue  # nothing but missing values
        originals = uniques.tolist()
        normalised = [_normalise_identifier(_identifier_text(value)) for value in originals]
        todo = [i for i, text in enumerate(normalised) if text]  # blanks stay as they are
        replaced = np.empty(len(originals), dtype=object)
        for i, value in enumerate(originals):
            replaced[i] = value
        replaced[todo] = _pseudonyms_of(loaded, [normalised[i] for i in todo])
        values = series.to_numpy(dtype=object)
        new = np.where(codes >= 0, replaced[codes], values)
        if isinstance(series.dtype, pd.StringDtype):
            out.isetitem(position, pd.array(new, dtype=series.dtype))
        else:
            out.isetitem(position, new)
    return out


def _same_label(label: object, column: object) -> bool:
    try:
        return bool(label == column)
    except (TypeError, ValueError):
        return False


def is_pseudonym(values: pd.Series[Any] | Sequence[object]) -> npt.NDArray[np.bool_]:
    """Tell which values are peermap pseudonyms.

    Parameters
    ----------
    values : pandas.Series or sequence
        Values of any type.

    Returns
    -------
    numpy.ndarray of bool
        True where the value is a string matching :data:`PSEUDONYM_PATTERN`
        exactly (no surrounding whitespace, lowercase); False elsewhere, including
        missing values.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if isinstance(series.dtype, pd.StringDtype):
        matched = series.str.fullmatch(PSEUDONYM_PATTERN)
        return np.asarray(matched.fillna(False).to_numpy(dtype=bool, na_value=False))
    return np.fromiter(
        (isinstance(v, str) and _PSEUDONYM_RE.fullmatch(v) is not None for v in series),
        dtype=np.bool_,
        count=len(series),
    )
