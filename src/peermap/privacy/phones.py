"""The phone-number test: UK numbers in any layout, parsed by phonenumbers.

docs/privacy.md ("By value") says what is found and what is not; a business's landline
in a venue's label, next to its name, is allowed.
"""

from __future__ import annotations

import re

__all__ = [
    "DATE_CELL",
    "PHONE_CANDIDATE",
    "has_phone_number",
    "is_hex_id",
    "phone_kind",
    "prefixed_local_id",
]

_NOT_AFTER_ALNUM = r"(?<![0-9A-Za-z])"
_NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"
_NOT_DECIMAL_PART = r"(?<![0-9][.,])"
# Candidates for phone numbers; phonenumbers' matcher splits and parses them.
# Not the minutes of a time either ("14:22 07700 900123": the 22 joined the number).
PHONE_CANDIDATE = re.compile(
    rf"{_NOT_AFTER_ALNUM}{_NOT_DECIMAL_PART}(?<![0-9]:)\+?\(?[0-9](?:[ ().-]{{0,3}}[0-9]){{6,}}"
    rf"{_NOT_BEFORE_ALNUM}(?!:[0-9])"
)
_DAY = "(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = "(?:0?[1-9]|1[0-2])"
_YEAR = "(?:19|20)[0-9]{2}"
_TIME = (
    r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"
    r"(?: ?[AaPp]\.?[Mm]\.?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?"
)
_BLANK = r"[\t-\r\x1c-\x1f ]*"
#: A cell that is wholly a date or a date-time, ISO (``2025-04-01 14:22``,
#: ``2025-04-01T14:22:05.123+01:00``) or day first (``01/04/2025 14:22``, ``1.4.25``),
#: with the ASCII spaces ``str.strip`` removes around it. It holds no phone number: its
#: only runs of seven digits or more that PHONE_CANDIDATE takes are the date (at most
#: eight digits, starting 19, 20 or a day: too few for any number phone_kind takes,
#: and never 00 or +) and a time's seconds with their decimals (a decimal number), and
#: phone_kind finds a number in neither, nor in any part of them. So
#: :func:`has_phone_number` says no at once, without the matcher (it said no before,
#: slowly: tests/test_identifier_shortcuts.py holds the two against each other). Written
#: for Python's ``re`` and RE2 alike: the identifier scan's screen drops such cells
#: from the phone rule before they reach Python.
DATE_CELL = (
    rf"{_BLANK}(?:{_YEAR}-{_MONTH}-{_DAY}(?:[ T]{_TIME})?"
    rf"|{_DAY}[/.-]{_MONTH}[/.-](?:{_YEAR}|[0-9]{{2}})(?: {_TIME})?){_BLANK}"
)
_DATE_CELL = re.compile(DATE_CELL)
# A system's id alone, a UUID or a long run of hexadecimal digits with a letter among
# them (a GUID-keyed case system's ids): its digit runs are no phone number, and they
# sent every such id through phonenumbers (6.7 s for 50,000 UUIDs).
_HEX_ID_CELL = re.compile(
    rf"{_BLANK}(?=[^a-fA-F]*[a-fA-F])(?:\{{?[0-9a-fA-F]{{8}}(?:-[0-9a-fA-F]{{4}}){{3}}"
    rf"-[0-9a-fA-F]{{12}}\}}?|[0-9a-fA-F]{{16,}}){_BLANK}"
)
_DATE_START = re.compile(r"\(?[0-9]{1,2}[-/. ][0-9]{1,2}[-/. ][0-9]{2,4}(?![0-9])")
_LOCAL_ID_PREFIX = re.compile(r"(?i)(?<![A-Z])([A-Z]+)[-_/#]$")
_DECIMAL = re.compile(r"[0-9]+[.,][0-9]+")


def is_hex_id(text: str) -> bool:
    """Whether a cell is a system's id alone: a UUID, or 16+ hex digits with a letter.

    No identifier rule finds anything in one (its digit runs are the id's), and the
    scan's union of patterns took 40 µs on each.
    """
    return _HEX_ID_CELL.fullmatch(text) is not None


def prefixed_local_id(text: str, start: int) -> bool:
    """Whether the match at `start` follows a letter prefix and a hyphen (CH-123...)."""
    before = _LOCAL_ID_PREFIX.search(text[:start])
    return before is not None and before.group(1).lower() not in {"nhs", "tel", "mob", "ni"}


def phone_kind(raw: str) -> str | None:
    """``"mobile"``, ``"landline"`` or None for one candidate written as `raw`."""
    import phonenumbers

    if _DATE_START.match(raw):
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    separated = re.fullmatch(r"\+?[0-9]+", raw) is None
    plus = raw.lstrip("(").startswith("+")
    if plus or digits.startswith("00"):
        international = digits if plus else digits[2:]
        if not international.startswith("44"):
            # Another country's number.
            try:
                number = phonenumbers.parse("+" + international)
            except phonenumbers.NumberParseException:
                return None
            return "mobile" if phonenumbers.is_valid_number(number) else None
        national = international[2:].removeprefix("0")  # +44 (0)20 ...
    elif digits.startswith("44") and len(digits) in (11, 12):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif len(digits) == 10 and digits.startswith("7"):
        national = digits  # a mobile number that lost its leading zero
    else:
        return None
    if len(set(national)) == 1 or national[:1] not in set("1235789"):
        return None
    try:
        number = phonenumbers.parse("+44" + national)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number) or len(national) not in (9, 10):
        return None
    if national.startswith("7"):
        return "mobile" if len(national) == 10 else None
    # A landline written as one run of digits is more often a local id (01234567890).
    return "landline" if separated else None


def has_phone_number(text: str, *, venue_text: bool = False) -> bool:
    """Whether `text` holds a phone number.

    Parameters
    ----------
    text : str
        A cell.
    venue_text : bool, default False
        Whether the cell is a place's label or name: there a landline next to other
        words (the business's own number) is allowed.

    Returns
    -------
    bool
        True for a mobile anywhere, and a landline except a venue's own.
    """
    if _DATE_CELL.fullmatch(text) or is_hex_id(text):
        return False  # a date or a date-time alone, or an id: its numbers are theirs
    return _has_phone_candidate(text, venue_text=venue_text)


def _has_phone_candidate(text: str, *, venue_text: bool) -> bool:
    """:func:`has_phone_number` without its shortcut for a date alone."""
    import phonenumbers

    for candidate in PHONE_CANDIDATE.finditer(text):
        if prefixed_local_id(text, candidate.start()):
            continue
        span = candidate.group()
        if _DECIMAL.fullmatch(span):
            continue  # a decimal number
        kind = phone_kind(span)
        kinds = {kind}
        if kind is None:  # several numbers in a row, or a number after a date
            matches = phonenumbers.PhoneNumberMatcher(
                span, "GB", leniency=phonenumbers.Leniency.POSSIBLE
            )
            kinds = {
                phone_kind(m.raw_string)
                for m in matches
                if not re.search(r"[0-9A-Za-z]$|[0-9][.,]$", span[: m.start])
            }
        if "mobile" in kinds:
            return True
        if "landline" in kinds:
            # A business's landline in a place's label, next to its name, is allowed.
            rest = text[: candidate.start()] + " " + text[candidate.end() :]
            if not (venue_text and re.search(r"[A-Za-z]{3,}", rest)):
                return True
    return False
