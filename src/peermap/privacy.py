"""Privacy at the door: refuse direct identifiers and pseudonymise with a partnership key.

peermap maps peer-on-peer abuse contexts involving children, so it refuses input
that carries direct identifiers (names, dates of birth, addresses, full postcodes,
phone numbers, email addresses, NHS numbers, pupil numbers, National Insurance
numbers) unless those columns have been explicitly pseudonymised.

Pseudonyms are keyed: every partner in a partnership holds the same secret
*partnership key*, so each derives the same pseudonym for the same local
identifier, while anyone without the key can neither reverse nor recompute them.
Pseudonymised data is still personal data (ICO guidance); pseudonymisation
reduces risk, it does not make data anonymous.

Key strings
-----------
A key is at least :data:`peermap.settings.min_key_bits` bits of random bytes,
written as text in one of two encodings, told apart by one rule:

* if every character (after stripping surrounding whitespace) is a hexadecimal
  digit ``0-9a-fA-F``, the string is **hex** and must have an even number of
  digits (``generate_key()`` and ``openssl rand -hex 32`` write this);
* otherwise it must be **base64**, standard (``+/``) or URL-safe (``-_``)
  alphabet, with or without ``=`` padding, and canonical (it re-encodes to
  itself), as ``openssl rand -base64 32`` writes.

Anything else, such as a passphrase with spaces or punctuation, is refused:
peermap does not stretch passphrases into keys.

Pseudonyms
----------
``pm`` followed by 16 characters of lowercase RFC 4648 base32 (``a-z2-7``), for
example ``pmq3x7mzk2abcdefgh``; regular expression ``^pm[a-z2-7]{16}$``
(:data:`PSEUDONYM_PATTERN`). The 16 characters are the first 80 bits of
``HMAC-SHA256(key, normalised identifier as UTF-8)``. The identifier is
normalised by removing every whitespace character (``str.isspace``), wherever it
is, then applying ``str.casefold``; nothing else (hyphens and other punctuation
are kept). A value that already is a pseudonym after normalising is kept as it
is, so pseudonymising twice changes nothing. The construction is fixed, so
pseudonyms are stable across machines and peermap versions, and a partner can
reproduce them in any language.

The key fingerprint, ``pmk1-`` followed by three groups of four base32
characters, is the first 60 bits of ``HMAC-SHA256(key, "peermap key fingerprint
v1")``. It is public: files carry it so that data pseudonymised with different
keys is not silently joined. Because normalised identifiers never contain
spaces, a fingerprint can never coincide with a pseudonym's HMAC input.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import secrets
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, SupportsIndex, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import settings
from peermap.exceptions import KeyMaterialError, PrivacyError
from peermap.schema import DERIVED, TABLES

__all__ = [
    "IDENTIFIER_RULES",
    "PSEUDONYM_PATTERN",
    "IdentifierFinding",
    "KeyLike",
    "PartnershipKey",
    "find_identifiers",
    "generate_key",
    "is_pseudonym",
    "key_fingerprint",
    "load_key",
    "pseudonym",
    "pseudonymise",
    "refuse_identifiers",
    "write_key",
]

# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------

_FINGERPRINT_LABEL = b"peermap key fingerprint v1"
_FINGERPRINT_VERSION = "pmk1"
_MAX_KEY_FILE_BYTES = 4096
_HOW_TO_GENERATE = (
    "Generate a partnership key once, share it securely with every partner, and keep it "
    "out of data files: "
    'python -c "from peermap.privacy import generate_key; print(generate_key())" '
    "(or: openssl rand -hex 32)."
)
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_BASE64_RE = re.compile(r"(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}")


def _fingerprint_of(secret: bytes) -> str:
    digest = hmac.digest(secret, _FINGERPRINT_LABEL, "sha256")
    body = base64.b32encode(digest[:10]).decode("ascii").lower()[:12]
    return f"{_FINGERPRINT_VERSION}-{body[0:4]}-{body[4:8]}-{body[8:12]}"


def _check_length(secret: bytes, source: str) -> None:
    bits = 8 * len(secret)
    if bits < settings.min_key_bits:
        raise KeyMaterialError(
            f"{source} is {bits} bits long; a partnership key needs at least "
            f"{settings.min_key_bits} bits. {_HOW_TO_GENERATE}"
        )


class PartnershipKey:
    """A partnership key: the secret shared by partners to derive the same pseudonyms.

    The secret bytes are held privately. The key shows only its public
    fingerprint when printed, compares equal to another key in constant time,
    and refuses to be pickled or otherwise serialised, so that it cannot leak
    into a pickle, a cache or a worker process. To use a key in another process,
    pass where it comes from (environment variable or key file), not the key.

    Parameters
    ----------
    secret : bytes
        The raw key, at least :data:`peermap.settings.min_key_bits` bits.

    Raises
    ------
    KeyMaterialError
        If the key is too short.
    TypeError
        If `secret` is not bytes.

    See Also
    --------
    load_key : Read a key from an argument, an environment variable or a file.
    """

    __slots__ = ("_fingerprint", "_secret")

    _secret: bytes
    _fingerprint: str

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes | bytearray):
            raise TypeError(f"a PartnershipKey is made from bytes, not {type(secret).__name__}")
        raw = bytes(secret)
        _check_length(raw, "the key")
        object.__setattr__(self, "_secret", raw)
        object.__setattr__(self, "_fingerprint", _fingerprint_of(raw))

    @property
    def fingerprint(self) -> str:
        """Public fingerprint such as ``pmk1-abcd-efgh-ijkl``; safe to log and store."""
        return self._fingerprint

    def __repr__(self) -> str:
        return f"PartnershipKey(fingerprint={self._fingerprint!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartnershipKey):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a PartnershipKey cannot be changed")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("a PartnershipKey cannot be changed")

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "a PartnershipKey cannot be pickled or serialised, so that the key cannot leak "
            "into a file; pass where the key comes from (environment variable "
            f"{settings.key_env} or {settings.key_file_env}) instead"
        )

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        self.__reduce__()

    def __getstate__(self) -> NoReturn:
        self.__reduce__()

    def __copy__(self) -> PartnershipKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> PartnershipKey:
        return self


KeyLike: TypeAlias = PartnershipKey | bytes | bytearray | str
"""Anything :func:`load_key` accepts as ``key``."""


def _decode_base64(text: str) -> bytes | None:
    body = text.rstrip("=")
    padding = len(text) - len(body)
    if len(body) % 4 == 1 or (padding and (len(body) + padding) % 4):
        return None
    standard = body.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii").rstrip("=") != standard:
        return None  # non-canonical: unused trailing bits set
    return raw


def _decode_key_text(text: str, source: str) -> bytes:
    stripped = text.strip()
    if not stripped:
        raise KeyMaterialError(f"{source} is empty. {_HOW_TO_GENERATE}")
    if _HEX_RE.fullmatch(stripped):
        if len(stripped) % 2:
            raise KeyMaterialError(
                f"{source} is hex with an odd number of digits, so part of it is missing. "
                f"{_HOW_TO_GENERATE}"
            )
        return bytes.fromhex(stripped)
    if _BASE64_RE.fullmatch(stripped):
        raw = _decode_base64(stripped)
        if raw is not None:
            return raw
    raise KeyMaterialError(
        f"{source} is neither hex nor base64, so it is not a partnership key; a passphrase "
        f"is not accepted (peermap does not turn passphrases into keys). {_HOW_TO_GENERATE}"
    )


def _key_from_text(text: str, source: str) -> PartnershipKey:
    raw = _decode_key_text(text, source)
    _check_length(raw, source)
    return PartnershipKey(raw)


def _key_from_file(path: Path, source: str) -> PartnershipKey:
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise KeyMaterialError(f"{source} does not exist") from None
    except OSError as exc:
        raise KeyMaterialError(f"{source} cannot be read ({exc.strerror})") from None
    if len(data) > _MAX_KEY_FILE_BYTES:
        raise KeyMaterialError(
            f"{source} is larger than {_MAX_KEY_FILE_BYTES} bytes, so it is not a key file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KeyMaterialError(
            f"{source} is not a text file holding a hex or base64 key. {_HOW_TO_GENERATE}"
        ) from None
    return _key_from_text(text, source)


def load_key(
    key: KeyLike | None = None, *, file: str | os.PathLike[str] | None = None
) -> PartnershipKey:
    """Load the partnership key from an argument, an environment variable or a file.

    Parameters
    ----------
    key : PartnershipKey, bytes or str, optional
        A :class:`PartnershipKey` (returned as is), raw key bytes, or a key string:
        hex if every character is a hexadecimal digit (an even number of them),
        otherwise standard or URL-safe base64, padded or not. Surrounding
        whitespace is ignored.
    file : str or path-like, optional
        A file whose content, stripped of surrounding whitespace (and a UTF-8 byte
        order mark), is a key string.

    Returns
    -------
    PartnershipKey

    Raises
    ------
    KeyMaterialError
        If no key is found, both `key` and `file` are given, the key string is
        neither hex nor base64 (for example a passphrase), or the key is shorter
        than :data:`peermap.settings.min_key_bits`. The message says where the key
        came from and, when too short, how many bits it has; never the key.
    TypeError
        If `key` is of another type.

    Notes
    -----
    With neither `key` nor `file`, the key is read from the environment variable
    named by :data:`peermap.settings.key_env` (``PEERMAP_KEY``) or, if that is
    unset or empty, from the file named by the environment variable
    :data:`peermap.settings.key_file_env` (``PEERMAP_KEY_FILE``).

    Examples
    --------
    >>> key = load_key("00" * 32)
    >>> key.fingerprint
    'pmk1-idnk-l7ei-aat4'
    """
    if key is not None and file is not None:
        raise KeyMaterialError("give the partnership key either as key= or as file=, not both")
    if isinstance(key, PartnershipKey):
        return key
    if isinstance(key, bytes | bytearray):
        raw = bytes(key)
        _check_length(raw, "the key given as bytes")
        return PartnershipKey(raw)
    if isinstance(key, str):
        return _key_from_text(key, "the key given as a string")
    if key is not None:
        raise TypeError(
            f"a partnership key is a PartnershipKey, bytes or str, not {type(key).__name__}"
        )
    if file is not None:
        return _key_from_file(Path(file), f"the key file {os.fspath(file)!r}")

    key_env, key_file_env = settings.key_env, settings.key_file_env
    from_env = os.environ.get(key_env, "")
    if from_env.strip():
        return _key_from_text(from_env, f"the key in environment variable {key_env}")
    file_name = os.environ.get(key_file_env, "").strip()
    if file_name:
        return _key_from_file(
            Path(file_name),
            f"the key file {file_name!r} named by environment variable {key_file_env}",
        )
    raise KeyMaterialError(
        "no partnership key: pass key=... (or file=...), set the environment variable "
        f"{key_env} to the key, or set the environment variable {key_file_env} to the path "
        f"of a file holding it. {_HOW_TO_GENERATE}"
    )


def generate_key() -> str:
    """Generate a new random 256-bit partnership key.

    Returns
    -------
    str
        64 lowercase hex digits, the form :func:`load_key` reads. Generate it once
        per partnership and share it securely; never store it beside the data.
    """
    return secrets.token_hex(32)


def key_fingerprint(
    key: KeyLike | None = None, *, file: str | os.PathLike[str] | None = None
) -> str:
    """Return the public fingerprint of a partnership key.

    Parameters
    ----------
    key : PartnershipKey, bytes or str, optional
        Anything :func:`load_key` accepts; by default the key from the environment.
    file : str or path-like, optional
        A key file, as for :func:`load_key`.

    Returns
    -------
    str
        ``pmk1-`` and three groups of four base32 characters, derived by HMAC so it
        reveals nothing about the key. Files carry it so that data pseudonymised
        with different keys is detected rather than silently mismatched.
    """
    return load_key(key, file=file).fingerprint


def write_key(path: str | os.PathLike[str]) -> PartnershipKey:
    """Write a new random partnership key to a new file that only its owner can read.

    The file is created with mode 0600 and never replaces an existing file, so that no
    key is ever overwritten (data pseudonymised with a lost key cannot be linked again).

    Parameters
    ----------
    path : str or path-like
        The key file to create; it must not exist.

    Returns
    -------
    PartnershipKey
        The key written (its ``fingerprint`` may be shown; the key itself never).

    Raises
    ------
    KeyMaterialError
        When ``path`` exists.
    """
    target = Path(path)
    secret = generate_key()
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyMaterialError(
            f"{target} exists; choose a new file so no key is overwritten"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    return load_key(secret)


# ---------------------------------------------------------------------------
# Pseudonyms
# ---------------------------------------------------------------------------

PSEUDONYM_PATTERN = r"pm[a-z2-7]{16}"
"""Regular expression (for ``fullmatch``) of a peermap pseudonym."""

_PSEUDONYM_RE = re.compile(PSEUDONYM_PATTERN)
_PSEUDONYM_BYTES = 10  # 80 bits = 16 base32 characters, no padding


def _normalise_identifier(value: str) -> str:
    return "".join(value.split()).casefold()


_BASE32_ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_BASE32_SHIFTS = np.arange(35, -1, -5, dtype=np.uint64)


def _pseudonyms_of(secret: bytes, normalised: Sequence[str]) -> list[str]:
    """Pseudonyms of non-empty normalised identifiers (base32 done in bulk with numpy)."""
    if not normalised:
        return []
    digests = b"".join(
        hmac.digest(secret, text.encode("utf-8", "surrogatepass"), "sha256")[:_PSEUDONYM_BYTES]
        for text in normalised
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
        A local identifier. It is normalised first: all whitespace removed
        (anywhere), then case-folded, so ``" ab 12 "`` and ``"AB12"`` give the same
        pseudonym.
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
    ValueError
        If the value is empty or only whitespace.
    KeyMaterialError
        If the key cannot be loaded.
    """
    if not isinstance(value, str):
        raise TypeError(f"an identifier to pseudonymise is a str, not {type(value).__name__}")
    secret = load_key(key)._secret
    normalised = _normalise_identifier(value)
    if not normalised:
        raise ValueError("an empty or all-whitespace identifier has no pseudonym")
    return _pseudonyms_of(secret, [normalised])[0]


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
    ValueError
        If a named column is not in the frame.
    KeyMaterialError
        If the key cannot be loaded.

    Notes
    -----
    Each distinct value is hashed once, so large frames are fast. Pseudonymised
    data is still personal data.
    """
    secret = load_key(key)._secret
    wanted: list[Hashable] = [columns] if isinstance(columns, str) else list(columns)
    labels = list(frame.columns)
    positions: list[int] = []
    for column in wanted:
        found = [i for i, label in enumerate(labels) if _same_label(label, column)]
        if not found:
            raise ValueError(f"cannot pseudonymise column {column!r}: the frame has no such column")
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
        replaced[todo] = _pseudonyms_of(secret, [normalised[i] for i in todo])
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


# ---------------------------------------------------------------------------
# Finding direct identifiers
# ---------------------------------------------------------------------------

IDENTIFIER_RULES: tuple[str, ...] = (
    "name",
    "date_of_birth",
    "address",
    "postcode",
    "phone",
    "email",
    "nhs_number",
    "pupil_number",
    "ni_number",
)
"""Every rule an :class:`IdentifierFinding` may name."""

_DESCRIPTIONS = {
    "name": "a person's name",
    "date_of_birth": "a date of birth",
    "address": "an address",
    "postcode": "a full postcode",
    "phone": "a phone number",
    "email": "an email address",
    "nhs_number": "an NHS number",
    "pupil_number": "a pupil or learner number (UPN/ULN)",
    "ni_number": "a National Insurance number",
}

# Record schema v1's own columns, and those peermap adds, are never identifiers by name
# (their values are still checked).
_SCHEMA_COLUMNS = frozenset(
    {column.name for table in TABLES.values() for column in table.columns}
    | {column for columns in DERIVED.values() for column in columns}
)

_NUMBER = r"(?:number|num|nbr|no|nr)"
_NON_PERSON_NAME = (
    r"(?:^|_)(?:authority|la|lad|lea|lsoa|msoa|oa|ward|area|district|borough|county|region"
    r"|country|constituency|parish|locality|town|city|village|neighbou?rhood|geography|geo"
    r"|school|academy|college|university|nursery|setting|establishment|organi[sz]ation|org"
    r"|agency|team|service|provider|trust|partner|partnership|source|file|layer|dataset|table"
    r"|column|field|variable|category|type|kind|context|venue|place|location|site|premises"
    r"|business|company|shop|store|hotel|pub|bar|restaurant|park|club|station|event|project"
    r"|operation|sheet|host|path|unit|route|zone|beat|force|product|app|platform|brand"
    r"|street|road)_?names?"
)


@dataclass(frozen=True)
class _NameRule:
    rule: str
    pattern: re.Pattern[str]
    # Removed from the column name before `pattern` is tried: allowed look-alikes.
    allowed: re.Pattern[str] | None = None

    def matches(self, name: str) -> bool:
        if self.allowed is not None:
            name = self.allowed.sub("_", name)
        return self.pattern.search(name) is not None


# Tried in order; a column is reported under the first rule its name matches.
_NAME_RULES: tuple[_NameRule, ...] = (
    _NameRule(
        "nhs_number",
        re.compile(
            rf"nhs_?(?:{_NUMBER}|id|ref)(?:_|$)|(?:^|_)nhs$"
            rf"|(?:^|_)(?:chi|hcn)_?{_NUMBER}(?:_|$)|(?:^|_)hcn$|health_?and_?care_?{_NUMBER}"
        ),
    ),
    _NameRule(
        "pupil_number",
        re.compile(
            rf"(?:^|_)(?:c?upn|uln|former_?upn)(?:_|$)|upn$"
            rf"|pupil_?(?:{_NUMBER}|id|ref|identifier)(?:_|$)"
            rf"|unique_?pupil|unique_?learner|learner_?{_NUMBER}(?:_|$)"
        ),
    ),
    _NameRule(
        "ni_number",
        re.compile(
            rf"(?:^|_)(?:ni|nat_?ins|national_?ins)_?{_NUMBER}(?:_|$)|(?:^|_)nino(?:_|$)"
            r"|national_?insurance"
        ),
    ),
    _NameRule(
        "date_of_birth",
        re.compile(
            r"(?:^|_)d_?o_?b(?:_|$)|dob$|date_?of_?birth|birth_?date|birth_?day"
            r"|(?:^|_)born_?on(?:_|$)"
        ),
    ),
    _NameRule("email", re.compile(r"e_?mail")),
    _NameRule(
        "phone",
        re.compile(
            r"(?:^|_)(?:tel|tele_?phone|phones?|mob|mobile|landline|msisdn|cell_?phone|fax)"
            r"(?:_|$)|phones?(?:_|$)"
            rf"|(?:^|_)(?:tel|tele_?phone|phone|mob|mobile|contact)_?{_NUMBER}(?:_|$)"
        ),
    ),
    _NameRule(
        "postcode",
        re.compile(
            r"post_?codes?(?:_|$)|(?:^|_)post_?code|(?:^|_)postal_?code"
            r"|(?:^|_)(?:zip|zip_?code|p_?code)(?:_|$)"
        ),
        # Partial postcodes are a standard disclosure-safe geography.
        allowed=re.compile(
            r"post_?codes?_?(?:district|sector|area|outcode|outward|prefix|partial|part)s?"
            r"|partial_?post_?codes?|out_?code|outward_?code"
        ),
    ),
    _NameRule(
        "address",
        re.compile(
            r"(?:^|_)addr|address(?:es)?(?:_|$)"
            rf"|(?:^|_)(?:street|streets|street_?(?:name|address|{_NUMBER})|road_?name"
            rf"|house_?(?:{_NUMBER}|name)|flat_?{_NUMBER}|building_?(?:{_NUMBER}|name)"
            r"|residence)(?:_?\d+)?$"
        ),
    ),
    _NameRule(
        "name",
        re.compile(r"names?\d*(?:_|$)|(?:^|_)(?:initials|alias|aliases|aka|known_?as)(?:_|$)"),
        allowed=re.compile(_NON_PERSON_NAME),
    ),
)
_PLACES_VENUE_NAME = re.compile(r"^names?$")


def _name_forms(column: str) -> tuple[str, ...]:
    """Column name normalised: lowercase, runs of non-alphanumerics -> ``_``.

    Returned both as written and with camelCase split (``ChildDOB`` -> ``child_dob``).
    """
    plain = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
    split = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
    split = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", split)
    split = re.sub(r"[^a-z0-9]+", "_", split.lower()).strip("_")
    return (plain,) if split == plain else (plain, split)


def _column_name_rule(column: str, *, places: bool) -> str | None:
    forms = _name_forms(column)
    if any(form in _SCHEMA_COLUMNS for form in forms):
        return None
    if places:
        forms = tuple(_PLACES_VENUE_NAME.sub("_", form) for form in forms)
    for rule in _NAME_RULES:
        if any(rule.matches(form) for form in forms):
            return rule.rule
    return None


# ---- value rules ----------------------------------------------------------

_NOT_AFTER_ALNUM = r"(?<![0-9A-Za-z])"
_NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"
_NOT_DECIMAL_PART = r"(?<![0-9][.,])"

# Outward code: A9, A99, A9A, AA9, AA99, AA9A with the official letter sets; inward
# code: a digit and two letters other than C I K M O V. Partial postcodes never match.
_POSTCODE = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}(?:"
    r"[A-PR-UWYZ](?:[0-9][0-9]?|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][0-9]?|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r"\s{0,2}[0-9][ABD-HJLNP-UW-Z]{2}"
    rf"|GIR\s{{0,2}}0AA){_NOT_BEFORE_ALNUM}"
)
_EMAIL = re.compile(
    r"(?i)(?<![A-Z0-9._%+'-])[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}"
)
# UK numbers: 10 or 11 digits from a leading 0, or +44 / 0044 and 9 or 10 digits
# (an optional "(0)" between); spaces, hyphens and brackets may separate digits.
_PHONE_SEPARATOR = r"[ ()-]{0,2}"
_PHONE = re.compile(
    rf"{_NOT_AFTER_ALNUM}{_NOT_DECIMAL_PART}(?:"
    rf"(?:\+|00)44{_PHONE_SEPARATOR}(?:\(0\){_PHONE_SEPARATOR})?[1-35789]"
    rf"(?:{_PHONE_SEPARATOR}[0-9]){{8,9}}"
    rf"|\(?0[1-35789](?:{_PHONE_SEPARATOR}[0-9]){{8,9}}"
    rf"){_NOT_BEFORE_ALNUM}(?!:[0-9])"
)
_DATE_START = re.compile(r"\(?[0-9]{1,2}[-/. ][0-9]{1,2}[-/. ][0-9]{2,4}(?![0-9])")
_NHS = re.compile(
    rf"{_NOT_AFTER_ALNUM}{_NOT_DECIMAL_PART}[0-9]{{3}}[ -]?[0-9]{{3}}[ -]?[0-9]{{4}}"
    rf"{_NOT_BEFORE_ALNUM}"
)
# Prefix: first letter not D F I Q U V, second not D F I O Q U V, and not BG GB KN NK
# NT TN ZZ; then six digits and a suffix A-D.
_NINO = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    rf"\s?[0-9]{{2}}\s?[0-9]{{2}}\s?[0-9]{{2}}\s?[A-D]{_NOT_BEFORE_ALNUM}"
)


def _nhs_check_digit_valid(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:  # repeated digits are placeholders
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _has_valid_nhs_number(text: str) -> bool:
    return any(
        _nhs_check_digit_valid(re.sub(r"[^0-9]", "", m.group())) for m in _NHS.finditer(text)
    )


def _has_phone_number(text: str) -> bool:
    return any(_DATE_START.match(m.group()) is None for m in _PHONE.finditer(text))


@dataclass(frozen=True)
class _ValueRule:
    rule: str
    pattern: re.Pattern[str]
    confirm: Callable[[str], bool] | None = None


_VALUE_RULES: tuple[_ValueRule, ...] = (
    _ValueRule("postcode", _POSTCODE),
    _ValueRule("email", _EMAIL),
    _ValueRule("phone", _PHONE, _has_phone_number),
    _ValueRule("nhs_number", _NHS, _has_valid_nhs_number),
    _ValueRule("ni_number", _NINO),
)


def _value_rules_in(text: str) -> list[str]:
    return [
        rule.rule
        for rule in _VALUE_RULES
        if rule.pattern.search(text) and (rule.confirm is None or rule.confirm(text))
    ]


# ---- findings -------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierFinding:
    """One column of a table that carries direct identifiers.

    Attributes
    ----------
    table : str
        The table, as given to :func:`find_identifiers`.
    column : str
        The column name; or ``"column N"`` (1-based position) when the name itself
        looks like an identifier and is withheld.
    rule : str
        What was found, one of :data:`IDENTIFIER_RULES`.
    kind : {"column_name", "value"}
        ``"column_name"``: the column's name says it holds identifiers;
        ``"value"``: some values look like identifiers.
    rows : tuple
        Index labels of the offending rows: for ``"value"``, the rows whose value
        matches the rule; for ``"column_name"``, the rows holding non-empty values
        that are not pseudonyms.
    message : str
        Says the table, column, rule, how many rows and how to fix it. Never
        contains an offending value.
    """

    table: str
    column: str
    rule: str
    kind: Literal["column_name", "value"]
    rows: tuple[Hashable, ...]
    message: str


_PY_STRING = pd.StringDtype("python")
_ROWS_SHOWN = 5


def _rows_hold(rows: tuple[Hashable, ...]) -> str:
    """``"1 row (row 7) holds"`` / ``"3 rows (rows 2, 5, 9) hold"``."""
    count = len(rows)
    noun, verb = ("row", "holds") if count == 1 else ("rows", "hold")
    shown = rows[:_ROWS_SHOWN]
    if not all(isinstance(r, int | np.integer) and not isinstance(r, bool) for r in shown):
        # Only row numbers are shown: an index of other labels might itself identify.
        return f"{count} {noun} {verb}"
    listed = ", ".join(str(r) for r in shown)
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return f"{count} {noun} ({noun} {listed}{more}) {verb}"


def _fix(column: str) -> str:
    return (
        f"pseudonymise it with the partnership key: peermap.pseudonymise(frame, [{column!r}], "
        "key=...) in Python, or the `peermap pseudonymise` command"
    )


class _Cells:
    """A column's distinct values as text, with per-row codes (-1 = missing)."""

    def __init__(self, series: pd.Series[Any]) -> None:
        text = series.astype(_PY_STRING)
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        self.index = series.index
        self.codes = np.asarray(codes)
        self.values = pd.Series(np.asarray(uniques, dtype=object), dtype=_PY_STRING)
        stripped = self.values.str.strip()
        pseudonymous = stripped.str.fullmatch(PSEUDONYM_PATTERN).to_numpy(dtype=bool)
        # Per distinct value: non-empty and not a pseudonym.
        self.content = (stripped != "").to_numpy(dtype=bool) & ~pseudonymous

    def rows(self, mask: npt.NDArray[np.bool_]) -> tuple[Hashable, ...]:
        """Index labels of the rows whose distinct value is selected by `mask`."""
        present = self.codes >= 0
        selected = np.zeros(len(self.codes), dtype=bool)
        selected[present] = mask[self.codes[present]]
        return tuple(self.index[selected].tolist())

    def matching(self, rule: _ValueRule) -> npt.NDArray[np.bool_]:
        """Mask of the distinct values in which `rule` finds an identifier."""
        hits = self.values.str.contains(rule.pattern.pattern, regex=True).to_numpy(dtype=bool)
        hits &= self.content
        if rule.confirm is not None:
            for i in np.flatnonzero(hits):
                hits[i] = rule.confirm(str(self.values.iloc[i]))
        return hits


def _header_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...]
) -> IdentifierFinding:
    message = (
        f"table {table!r}, {column}: the column's name looks like {_DESCRIPTIONS[rule]} "
        f"(rule {rule!r}), so it is not shown; {_rows_hold(rows)} values. If the file has "
        "no header row, add one; otherwise rename the column."
    )
    return IdentifierFinding(table, column, rule, "column_name", rows, message)


def _name_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...]
) -> IdentifierFinding:
    message = (
        f"table {table!r}, column {column!r}: the column name looks like "
        f"{_DESCRIPTIONS[rule]} (rule {rule!r}) and {_rows_hold(rows)} values that are not "
        f"peermap pseudonyms. Remove the column, or {_fix(column)}."
    )
    return IdentifierFinding(table, column, rule, "column_name", rows, message)


def _value_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...], *, name_withheld: bool
) -> IdentifierFinding:
    partial = (
        " (a partial postcode, such as the district, is allowed)" if rule == "postcode" else ""
    )
    if name_withheld:
        where = f"table {table!r}, {column}"
        fix = (
            f"Remove it from those cells{partial}; first add a header row to the file, or "
            "rename the column, as its name also looks like an identifier."
        )
    else:
        where = f"table {table!r}, column {column!r}"
        fix = (
            f"Remove it from those cells{partial}, remove the column, or, if the column holds "
            f"identifiers, {_fix(column)}."
        )
    message = (
        f"{where}: {_rows_hold(rows)} text that looks like {_DESCRIPTIONS[rule]} "
        f"(rule {rule!r}). {fix}"
    )
    return IdentifierFinding(table, column, rule, "value", rows, message)


def find_identifiers(frame: pd.DataFrame, *, table: str) -> list[IdentifierFinding]:
    """Find columns that carry direct identifiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cell values (normally strings; ``""`` or missing for empty cells),
        indexed by the row numbers the user sees.
    table : str
        The table's name, used in messages; in the ``places`` table a column called
        ``name`` is a venue's name and allowed.

    Returns
    -------
    list of IdentifierFinding
        In column order; empty when the frame is clean.

    Notes
    -----
    *Column names* are normalised (lowercase, non-alphanumerics to ``_``, and
    camelCase split) and matched against names of person names, dates of birth,
    addresses, postcodes, phone numbers, emails, NHS numbers, pupil numbers and
    National Insurance numbers. Record-schema columns (``person_id``, ``label``,
    ``authority_name`` ...), names of venues, areas and organisations
    (``venue_name``, ``ward_name``, ``school_name`` ...) and partial postcodes
    (``postcode_district``, ``postcode_sector``, ``outcode``) are not flagged by
    name. A column flagged by name is accepted when every non-empty value is a
    peermap pseudonym (:func:`is_pseudonym`).

    *Values* in every other column are searched (anywhere in the text) for full
    UK postcodes, email addresses, UK phone numbers, NHS numbers with a valid
    mod-11 check digit and National Insurance numbers. Partial postcodes, GSS
    codes (``E09000007``), ISO dates, grid references, decimal coordinates and
    pseudonyms do not match.

    A column name that itself looks like one of those values (as when a file has
    no header row) is reported with its position instead of its name.
    """
    findings: list[IdentifierFinding] = []
    places = re.sub(r"[^a-z0-9]+", "_", str(table).lower()).strip("_") in {"places", "place"}
    for position in range(frame.shape[1]):
        label = str(frame.columns[position])
        cells = _Cells(frame.iloc[:, position])
        header_rules = _value_rules_in(label)
        if header_rules:
            # The name is itself an identifier (a file without a header row): withhold it.
            column = f"column {position + 1}"
            findings.append(
                _header_finding(table, column, header_rules[0], cells.rows(cells.content))
            )
        else:
            column = label
            rule = _column_name_rule(label, places=places)
            rows = cells.rows(cells.content) if rule is not None else ()
            if rule is not None and rows:
                findings.append(_name_finding(table, column, rule, rows))
                continue  # the whole column is refused; its values need no listing
        for value_rule in _VALUE_RULES:
            hits = cells.matching(value_rule)
            if hits.any():
                findings.append(
                    _value_finding(
                        table,
                        column,
                        value_rule.rule,
                        cells.rows(hits),
                        name_withheld=bool(header_rules),
                    )
                )
    return findings


def refuse_identifiers(
    frame: pd.DataFrame, *, table: str, file: str | os.PathLike[str] | None = None
) -> None:
    """Raise :class:`PrivacyError` if `frame` carries direct identifiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cell values indexed by the row numbers the user sees, as for
        :func:`find_identifiers`.
    table : str
        The table's name.
    file : str or path-like, optional
        The file the table was read from, named in the message.

    Raises
    ------
    PrivacyError
        Listing every finding (up to :data:`peermap.settings.max_problems_in_message`):
        file, table, column, rule, the first row numbers and how to pseudonymise.
        The message never contains an offending value.
    """
    findings = find_identifiers(frame, table=table)
    if not findings:
        return
    where = f"{os.fspath(file)}: " if file is not None else ""
    limit = max(1, settings.max_problems_in_message)
    lines = [
        f"{where}table {table!r} carries direct identifiers, which peermap refuses at input "
        "unless they are pseudonymised:"
    ]
    lines.extend(f"  - {finding.message}" for finding in findings[:limit])
    if len(findings) > limit:
        lines.append(f"  ... and {len(findings) - limit} more")
    lines.append(
        "Every partner must pseudonymise with the same partnership key "
        f"(environment variable {settings.key_env} or {settings.key_file_env}) for pseudonyms "
        "to match. Pseudonymised data is still personal data (ICO): handle it as such."
    )
    raise PrivacyError("\n".join(lines))
