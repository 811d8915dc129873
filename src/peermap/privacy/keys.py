"""Partnership keys: loading, generating and fingerprinting the secret partners share.

The key strings peermap reads, and what the fingerprint is, are specified in
:mod:`peermap.privacy`. A :class:`PartnershipKey` never shows its secret: every use
of it goes through :meth:`PartnershipKey.digest` (HMAC-SHA256 keyed with it), which
derives the fingerprint here, the pseudonyms in :mod:`peermap.privacy.pseudonyms` and
the MAC key of exchange packages.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any, NoReturn, SupportsIndex, TypeAlias

from peermap import settings
from peermap.exceptions import ArgumentError, KeyMaterialError

__all__ = [
    "KeyLike",
    "PartnershipKey",
    "generate_key",
    "key_fingerprint",
    "load_key",
    "write_key",
]

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
    ArgumentError
        If `secret` is not bytes (an ArgumentError is a TypeError).

    See Also
    --------
    load_key : Read a key from an argument, an environment variable or a file.
    """

    __slots__ = ("_fingerprint", "_secret")

    _secret: bytes
    _fingerprint: str

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes | bytearray):
            raise ArgumentError(f"a PartnershipKey is made from bytes, not {type(secret).__name__}")
        raw = bytes(secret)
        _check_length(raw, "the key")
        object.__setattr__(self, "_secret", raw)
        object.__setattr__(self, "_fingerprint", _fingerprint_of(raw))

    def digest(self, data: bytes) -> bytes:
        """Return HMAC-SHA256 of ``data`` keyed with the partnership key.

        The one use made of the secret: the fingerprint, the pseudonyms and the MAC
        key of exchange packages are each this digest of their own input, so none
        reveals the key or another's value.

        Parameters
        ----------
        data : bytes
            The message.

        Returns
        -------
        bytes
            32 bytes.
        """
        return hmac.digest(self._secret, data, "sha256")

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
    ArgumentError
        If `key` is of another type (a :class:`TypeError` too).

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
        raise ArgumentError(
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
