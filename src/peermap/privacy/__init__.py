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

The package holds one concern per module, all re-exported here:
:mod:`~peermap.privacy.keys` (partnership keys), :mod:`~peermap.privacy.pseudonyms`
(pseudonyms), :mod:`~peermap.privacy.identifiers` (finding and redacting direct
identifiers), with :mod:`~peermap.privacy.column_names` (identifier column names) and
:mod:`~peermap.privacy.names_in_text` (the free-text name test).
The small-count rule for published counts is :mod:`peermap.disclosure`.

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

from peermap.privacy.checksums import upn_check_letter
from peermap.privacy.identifiers import (
    IDENTIFIER_RULES,
    REDACTIONS,
    IdentifierFinding,
    column_name_rule,
    find_identifiers,
    identifier_rule,
    redact,
    redact_frame,
    refuse_identifier_text,
    refuse_identifiers,
)
from peermap.privacy.keys import (
    KeyLike,
    PartnershipKey,
    generate_key,
    key_fingerprint,
    load_key,
    write_key,
)
from peermap.privacy.pseudonyms import PSEUDONYM_PATTERN, is_pseudonym, pseudonym, pseudonymise

__all__ = [
    "IDENTIFIER_RULES",
    "PSEUDONYM_PATTERN",
    "REDACTIONS",
    "IdentifierFinding",
    "KeyLike",
    "PartnershipKey",
    "column_name_rule",
    "find_identifiers",
    "generate_key",
    "identifier_rule",
    "is_pseudonym",
    "key_fingerprint",
    "load_key",
    "pseudonym",
    "pseudonymise",
    "redact",
    "redact_frame",
    "refuse_identifier_text",
    "refuse_identifiers",
    "upn_check_letter",
    "write_key",
]
