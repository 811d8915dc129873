"""The street-address test: a house number and a street, or a flat in a named building.

``lives at 14 Elm Grove``, ``12a Church Road, Luton``, ``Flat 3, 27 High Street``,
``Flat 2 Nelson House``: a house number with its street names a home. A street without
a number (``seen on Kingsland Road``) names no home, and a venue's label may carry the
venue's own address next to its name (``Chicken Shack, 27 Kingsland Road``), as it may
carry its landline. docs/privacy.md describes the test and its limits.
"""

from __future__ import annotations

import re

__all__ = ["ADDRESS_PATTERN", "has_street_address"]

# Street types, each written as a word or its usual abbreviation; matched capitalised or
# in capitals. Parks, stations and the like are venues, not streets.
_STREET_TYPES = (
    "Road",
    "Rd",
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Lane",
    "Ln",
    "Close",
    "Drive",
    "Dr",
    "Way",
    "Crescent",
    "Cres",
    "Gardens",
    "Gdns",
    "Place",
    "Pl",
    "Terrace",
    "Tce",
    "Court",
    "Ct",
    "Grove",
    "Gr",
    "Hill",
    "Square",
    "Sq",
    "Walk",
    "Mews",
    "Rise",
    "Row",
    "Parade",
    "Green",
    "Vale",
    "View",
    "Mount",
    "Approach",
    "Boulevard",
    "Embankment",
    "Wharf",
)
_BUILDING_TYPES = (
    "House",
    "Court",
    "Tower",
    "Towers",
    "Lodge",
    "Mansions",
    "Buildings",
    "Heights",
    "Point",
    "Block",
    "Apartments",
    "Flats",
)


def _either_case(words: tuple[str, ...]) -> str:
    return "|".join(
        sorted({w for word in words for w in (word, word.upper())}, key=len, reverse=True)
    )


_NAME_WORD = r"[A-Z][A-Za-z'’-]*\.?"
_NUMBER = r"[0-9]{1,4}[A-Za-z]?(?:\s?[-–/]\s?[0-9]{1,4}[A-Za-z]?)?"
_STREET = (
    rf"(?<![\w/.,:£$-]){_NUMBER},?\s+(?:{_NAME_WORD}\s+){{1,3}}(?:{_either_case(_STREET_TYPES)})"
    r"(?![\w'’])"
)
_FLAT = (
    r"(?<![\w-])(?i:flat|apartment|apt|unit)\.?\s*[0-9]{1,4}[A-Za-z]?,?\s+"
    rf"(?:{_NAME_WORD}\s+){{1,3}}(?:{_either_case(_BUILDING_TYPES)})(?![\w'’])"
)
# Welsh streets put the type first: "12 Heol y Coed", "3 Ffordd Las", "7 Stryd Fawr".
_WELSH_TYPES = ("Heol", "Ffordd", "Stryd", "Lon", "Lôn", "Rhodfa", "Cilgant", "Teras", "Clos")
_WELSH_STREET = (
    rf"(?<![\w/.,:£$-]){_NUMBER},?\s+(?:{_either_case(_WELSH_TYPES)})\s+"
    r"(?:[a-z']{1,3}\s+)?[A-Z][A-Za-z'’-]*(?![\w'’])"
)
#: A house number and one to three capitalised words ending in a street type (or, in
#: Welsh, after one), or a flat's number and a building's name.
ADDRESS_PATTERN = re.compile(rf"{_STREET}|{_WELSH_STREET}|{_FLAT}")
# A number after one of these words is not a house number: "bus 38 Finsbury Park Road".
_NOT_HOUSE = frozenset(
    {
        "bus",
        "buses",
        "route",
        "platform",
        "year",
        "yr",
        "years",
        "aged",
        "age",
        "junction",
        "jct",
        "exit",
        "gate",
        "stand",
        "bay",
        "room",
        "page",
        "level",
        "zone",
        "line",
        "score",
        "ward",
        "bed",
    }
)


def _is_town(after: str) -> bool:
    """Whether the text after an address is only a town: ", Luton", " Milton Keynes."."""
    words = after.strip().strip(",.").strip().split()
    return len(words) <= 2 and all(re.fullmatch(r"[A-Z][A-Za-z'’-]+", w) for w in words)


# Words of an address itself, or that say the place is a home ("Trap house, 19 Marsh
# Lane", "116B Lordship Lane (YP's home)"), not of a venue's name next to it.
_ADDRESS_WORDS = frozenset(
    {
        "flat",
        "apartment",
        "apt",
        "unit",
        "room",
        "house",
        "number",
        "home",
        "address",
        "residence",
        "property",
        "trap",
        "cuckooed",
        "yp",
        "yp's",
        "family",
        "mum",
        "dad",
        "nan",
        "aunt",
        "uncle",
        "foster",
        "carer",
        "carers",
        "placement",
        "supported",
        "accommodation",
        "hostel",
        "lodgings",
        "lives",
        "living",
        "lived",
        "staying",
        "stays",
        "stayed",
        "resides",
        "resident",
    }
)


def has_street_address(text: str, *, venue_text: bool = False) -> bool:
    """Whether `text` holds a home's street address.

    Parameters
    ----------
    text : str
        A cell.
    venue_text : bool, default False
        Whether the cell is a place's label or name: there a street address next to
        other words (the venue's name) is the venue's own and is allowed.

    Returns
    -------
    bool
        True for a house number and a street (one to three capitalised words ending
        in a street type: ``14 Elm Grove``, ``12a CHURCH ROAD``), a number not after
        ``bus``, ``route``, ``year``, ``aged``, ``platform`` ...; or a flat's number and
        a building (``Flat 2 Nelson House``).
    """
    for m in ADDRESS_PATTERN.finditer(text):
        before = re.findall(r"[A-Za-z]+", text[: m.start()])
        if m.group()[:1].isdigit() and before and before[-1].lower() in _NOT_HOUSE:
            continue
        if venue_text and m.group()[:1].isdigit():
            after = text[m.end() :]
            if _is_town(after):  # "27 Kingsland Road, London": a town, not a name
                after = ""
            rest = re.findall(r"[A-Za-z][A-Za-z'’]{2,}", text[: m.start()] + " " + after)
            if any(re.sub(r"['’]s$", "", word.lower()) not in _ADDRESS_WORDS for word in rest):
                continue
        return True
    return False
