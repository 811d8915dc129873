"""The patterns of identifiers in values: postcodes, emails, numbers, handles, CLKs.

Postcodes, email addresses, NHS, National Insurance and pupil numbers, vehicle
registrations, CLKs and social-media handles; :mod:`peermap.privacy.identifiers`
confirms what they find.
"""

from __future__ import annotations

import re

from peermap.privacy.checksums import UPN_LETTERS

__all__ = [
    "CLK_PATTERN",
    "EMAIL_PATTERN",
    "NHS_PATTERN",
    "NINO_PATTERN",
    "POSTCODE_PATTERN",
    "SOCIAL_PATTERN",
    "UPN_PATTERN",
    "VEHICLE_PATTERN",
]

_NOT_AFTER_ALNUM = r"(?<![0-9A-Za-z])"
_NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"
_NOT_DECIMAL_PART = r"(?<![0-9][.,])"
# One optional separator between the characters of a postcode: "NW1-8NH", "N W 1 8 N H".
_PC = r"[ .-]?"


def _spaced(*parts: str) -> str:
    return _PC.join(parts)


_AREA1 = "[A-PR-UWYZ]"
_AREA2 = "[A-HK-Y]"
_UNIT = "[ABD-HJLNP-UW-Z]"
# Outward code: A9, A99, A9A, AA9, AA99, AA9A with the official letter sets; inward
# code: a digit and two letters other than C I K M O V. Partial postcodes never match.
POSTCODE_PATTERN = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}(?:(?:"
    + "|".join(
        (
            _spaced(_AREA1, "[0-9]", "[0-9]"),
            _spaced(_AREA1, "[0-9]", "[A-HJKPSTUW]"),
            _spaced(_AREA1, "[0-9]"),
            _spaced(_AREA1, _AREA2, "[0-9]", "[0-9]"),
            _spaced(_AREA1, _AREA2, "[0-9]", "[ABEHMNPRV-Y]"),
            _spaced(_AREA1, _AREA2, "[0-9]"),
        )
    )
    + rf")[ .-]{{0,3}}{_spaced('[0-9]', _UNIT, _UNIT)}|GIR\s{{0,2}}0AA){_NOT_BEFORE_ALNUM}"
)
_TLD = (
    r"(?:com|net|org|uk|co|io|me|info|biz|edu|gov|ac|sch|nhs|police|ie|eu|de|fr|es|it|nl"
    r"|live|email|online|app|xyz|tv)"
)
EMAIL_PATTERN = re.compile(
    r"(?i)(?<![A-Z0-9._%+'-])[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}"
    # Written out to dodge filters: "jay at gmail dot com", "jay(at)gmail.com".
    # (One run of spaces before "at": "\s*" then "\s+" would split a long run every way.)
    r"|(?<![A-Z0-9._%+'-])[A-Z0-9._%+'-]+(?:\s*[(\[{<]\s*at\s*[)\]}>]|\s+at\s+)\s*"
    rf"[A-Z0-9-]+(?:(?:\s*[(\[{{<]\s*dot\s*[)\]}}>]\s*|\s+dot\s+|\.){_TLD})+(?![A-Z0-9])"
)
NHS_PATTERN = re.compile(
    rf"{_NOT_AFTER_ALNUM}{_NOT_DECIMAL_PART}[0-9]{{3}}[ .-]?[0-9]{{3}}[ .-]?[0-9]{{4}}"
    rf"{_NOT_BEFORE_ALNUM}"
)
# Prefix: first letter not D F I Q U V, second not D F I O Q U V, and not BG GB KN NK
# NT TN ZZ; then six digits and a suffix A-D (the suffix may be left off).
NINO_PATTERN = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    rf"(?:[ -]?[0-9]{{2}}){{3}}(?:[ -]?[A-D]{_NOT_BEFORE_ALNUM}|(?![ -]?[0-9A-Za-z]))"
)
# A check letter, then 12 characters: LA number, establishment, year, serial (the last
# may be a letter in a temporary UPN).
UPN_PATTERN = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}[{UPN_LETTERS}][0-9]{{11}}[0-9{UPN_LETTERS}]{_NOT_BEFORE_ALNUM}"
)
# Current (2001-): two letters, age identifier (02-29, 51-79), three letters; prefix
# (1983-2001): year letter, 1-3 digits, three letters; suffix (1963-1983): three
# letters, 1-3 digits, year letter. Older dateless marks are not detected.
VEHICLE_PATTERN = re.compile(
    rf"(?i:{_NOT_AFTER_ALNUM}[A-HJ-PR-Y][A-HJ-PR-Y](?:0[2-9]|[12][0-9]|5[1-9]|[67][0-9])"
    rf" ?[A-HJ-PR-Z]{{3}}{_NOT_BEFORE_ALNUM})"
    rf"|{_NOT_AFTER_ALNUM}[A-HJ-NPR-Y][1-9][0-9]{{0,2}} ?[A-HJ-PR-Y]{{3}}{_NOT_BEFORE_ALNUM}"
    rf"|{_NOT_AFTER_ALNUM}[A-HJ-PR-Y]{{3}} ?[1-9][0-9]{{0,2}}[A-HJ-NPR-Y]{_NOT_BEFORE_ALNUM}"
)
_PLATFORMS = (
    r"snap(?:[ -]?chat)?|sc|insta(?:[ -]?gram)?|ig|tik[ -]?tok|tt|twitter|fb|face[ -]?book"
    r"|discord|telegram|kik|yubo|threads|psn|x[ -]?box|gamertag|handle"
)
# The rest of a platform's name written apart ("Snap-Chat", "Tik-Tok") is no handle.
_NAME_REST = r"(?!(?:chat|tok|gram|book|box)(?![\w.]))"
# A CLK of peermap.linkage: base64 of 1024 bits (version 2, 128 bytes: 171 characters
# and "=") or of version 3's 335 bytes (447 characters and "=").
CLK_PATTERN = re.compile(
    r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{170}|[A-Za-z0-9+/]{446})[AEIMQUYcgkosw048]="
    r"(?![A-Za-z0-9+/=])"
)
_PROFILE_HOSTS = (
    r"(?:https?://)?(?:www\.|m\.|vm\.)?(?:t\.me|telegram\.me|discord\.gg|discord(?:app)?\.com"
    r"|chat\.whatsapp\.com|wa\.me|snapchat\.com|instagram\.com|tiktok\.com|facebook\.com"
    r"|fb\.com|twitter\.com|x\.com|youtube\.com|twitch\.tv|reddit\.com|kik\.me|yubo\.live)"
)
SOCIAL_PATTERN = re.compile(
    r"(?<![\w@.])@(?=[\w.]*[A-Za-z])[A-Za-z0-9_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_](?![\w@])"
    rf"|(?i:(?<![\w])(?:{_PLATFORMS})\s*[:=–—-]\s*@?{_NAME_REST}"
    r"[A-Za-z0-9_.]*[A-Za-z][A-Za-z0-9_.#]*)"
    # "Snapchat username kaylz_x05": a platform, "username" or "handle", and a handle
    # with a digit, underscore or dot in it (not "Snapchat handle unknown").
    rf"|(?i:(?<![\w])(?:{_PLATFORMS})\s+(?:user\s?name|handle|name|id|account)\s*[:=-]?\s*@?"
    r"(?=[A-Za-z0-9_.]*[0-9_.])[A-Za-z0-9_.]*[A-Za-z0-9_](?![\w]))"
    # A link to an account or a group (an online place's invite link names the group).
    rf"|(?i:(?<![\w.]){_PROFILE_HOSTS}/+@?[A-Za-z0-9_][A-Za-z0-9_.+/-]*)"
)
