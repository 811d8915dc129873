"""The free-text name test: a first name from a shipped list, then a surname.

The first names are ONS baby names (``peermap/data/first_names.txt``, Open Government
Licence v3.0; its header says which). docs/privacy.md describes the test and its limits.
"""

from __future__ import annotations

import re

__all__ = ["FULL_NAME_PATTERN", "NAME_PREFILTER", "has_full_name", "is_name_key"]

# Overlapping: every capitalised pair is tried ("Met Jayden Smith").
FULL_NAME_PATTERN = re.compile(
    r"(?<![\w'’-])(?=([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+"
    r"((?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:'s|’s|'|’)?(?![\w'’]))"
)
# A capitalised word after a first name that makes the pair a place, not a person.
_PLACE_WORDS = frozenset(
    [
        "park",
        "street",
        "st",
        "road",
        "rd",
        "lane",
        "ln",
        "avenue",
        "ave",
        "close",
        "way",
        "drive",
        "dr",
        "court",
        "ct",
        "crescent",
        "place",
        "square",
        "sq",
        "gardens",
        "garden",
        "green",
        "hill",
        "house",
        "hall",
        "centre",
        "center",
        "station",
        "school",
        "academy",
        "college",
        "primary",
        "secondary",
        "high",
        "church",
        "chapel",
        "mosque",
        "temple",
        "gurdwara",
        "synagogue",
        "hospital",
        "library",
        "estate",
        "tower",
        "towers",
        "building",
        "mall",
        "market",
        "arms",
        "inn",
        "tavern",
        "bar",
        "pub",
        "hotel",
        "cafe",
        "restaurant",
        "club",
        "leisure",
        "sports",
        "pool",
        "baths",
        "stadium",
        "ground",
        "grounds",
        "field",
        "fields",
        "common",
        "heath",
        "wood",
        "woods",
        "bridge",
        "quay",
        "wharf",
        "dock",
        "docks",
        "terrace",
        "row",
        "walk",
        "mews",
        "parade",
        "grove",
        "rise",
        "view",
        "yard",
        "gate",
        "cross",
        "circus",
        "line",
        "bus",
        "stop",
        "underground",
        "tube",
        "rail",
        "retail",
        "playground",
        "youth",
        "community",
        "medical",
        "surgery",
        "clinic",
        "pharmacy",
        "shop",
        "shops",
        "store",
        "stores",
        "supermarket",
        "express",
        "local",
        "chicken",
        "pizza",
        "kebab",
        "kebabs",
        "fish",
        "food",
        "foods",
        "kitchen",
        "grill",
        "coffee",
        "bakery",
        "barbers",
        "barber",
        "salon",
        "nails",
        "gym",
        "fitness",
        "cinema",
        "theatre",
        "museum",
        "gallery",
        "apartments",
        "flats",
        "lodge",
        "cottage",
        "farm",
        "manor",
        "nursery",
        "ward",
        "roundabout",
        "car",
        "parking",
        "garage",
        "services",
        "boulevard",
        "embankment",
        "memorial",
        "recreation",
        "rec",
        "infant",
        "infants",
        "junior",
        "juniors",
        "island",
        "bay",
        "beach",
        "pier",
        "point",
        "promenade",
        "reservoir",
        "river",
        "canal",
        "lake",
        "bank",
        "junction",
        "interchange",
        "terminal",
        "airport",
        "port",
        "term",
        "holidays",
        "holiday",
        "festival",
        "fair",
        "alert",
        "bush",
        "playing",
        "outlet",
        "central",
        "city",
        "north",
        "south",
        "east",
        "west",
        "upper",
        "lower",
        "great",
        "little",
        "new",
        "old",
    ]
)
# A word before a first name that makes the pair a place or a title: St George's Park.
_PLACE_PREFIXES = frozenset(
    [
        "st",
        "saint",
        "king",
        "queen",
        "prince",
        "princess",
        "lady",
        "lord",
        "sir",
        "mount",
        "port",
        "fort",
        "lake",
        "cape",
        "the",
        "duke",
        "duchess",
        "earl",
    ]
)
# Businesses named after people, common in venue labels.
_BUSINESS_NAMES = frozenset(
    {"john lewis", "ted baker", "harvey nichols", "ronald mcdonald", "tommy hilfiger"}
)
_FIRST_NAMES: frozenset[str] | None = None


def _first_names() -> frozenset[str]:
    global _FIRST_NAMES
    if _FIRST_NAMES is None:
        from importlib.resources import files

        text = files("peermap").joinpath("data", "first_names.txt").read_text(encoding="utf-8")
        _FIRST_NAMES = frozenset(
            line.strip().lower()
            for line in text.splitlines()
            if line.strip() and not line.startswith("#")
        )
    return _FIRST_NAMES


# In capitals: JAYDEN SMITH; the surname first, in capitals and with a comma, as police
# and care records write it: SMITH, Jayden (or SMITH, JAYDEN).
_CAPS_PAIR = re.compile(
    r"(?<![\w'’-])(?=([A-Z]{2,}(?:-[A-Z]{2,})?)\s+((?:MC|MAC|O'|O’|D'|D’)?[A-Z]{2,}"
    r"(?:-[A-Z]{2,})?)(?:'S|’S|'|’)?(?![\w'’]))"
)
_SURNAME_COMMA = re.compile(
    r"(?<![\w'’-])(?=((?:MC|MAC|O'|O’|D'|D’)?[A-Z]{2,}(?:-[A-Z]{2,})?),\s*"
    r"([A-Z][a-z]+|[A-Z]{2,})(?![\w'’]))"
)
# A whole cell that is a surname and a first name: "Smith, Jayden", "SMITH Jayden".
_SURNAME_FIRST_CELL = re.compile(
    r"\s*((?:Mc|Mac|O'|O’|D'|D’|MC|MAC)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]{2,}(?:-[A-Z]{2,})?)"
    r"(?:,\s*|\s+)([A-Z][a-z]+|[A-Z]{2,})(?:\s+([A-Z][a-z]+))?\s*"
)
#: What the name test searches for first: a capitalised pair, a pair in capitals, or a
#: word in capitals and a comma before a capitalised word.
NAME_PREFILTER = (
    r"[A-Z][a-z]+\s+(?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+|[A-Z]{2,}\s+[A-Z]{2,}"
    r"|[A-Z][A-Za-z]+,?\s+[A-Z][a-z]+|[A-Z]{2,},\s*[A-Z]{2,}"
    r"|(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS|MISS|MX)\.?\s+(?:[A-Z]\.\s*)*[A-Z]"
)
# Words written in capitals in records that are not surnames before a first name.
_NOT_SURNAMES = frozenset(
    {
        "and",
        "or",
        "with",
        "the",
        "of",
        "to",
        "at",
        "by",
        "for",
        "from",
        "in",
        "on",
        "nfa",
        "yp",
        "cyp",
        "re",
        "cc",
        "dob",
        "note",
        "notes",
        "missing",
        "found",
        "seen",
        "also",
        "incl",
        "including",
        "mother",
        "father",
        "mum",
        "dad",
        "sister",
        "brother",
        "friend",
        "friends",
        "victim",
        "suspect",
        "police",
        "school",
        "ss",
        "csc",
        "mash",
        "cse",
        "cce",
    }
)


# A title and a surname: "Mr Patel", "Mrs Denise Walker", "Ms K. O'Connor".
_TITLED = re.compile(
    r"(?<![\w'’-])(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS|MISS|MX)\.?\s+(?:[A-Z]\.\s*)*"
    r"((?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]{2,})(?![\w'’])"
)
# A relative or partner, then a capitalised pair: "mum Sharon Smith" (parents' names are
# older than the shipped list's).
_KIN_PAIR = re.compile(
    r"(?i:(?<![\w'’-])(?:mum|mother|mom|dad|father|step-?(?:mum|dad|father|mother)|aunt|auntie"
    r"|uncle|nan|nana|gran|granny|grandma|grandad|grandmother|grandfather|brother|sister"
    r"|cousin|boyfriend|girlfriend|partner|carer|foster\s+carer|guardian))[\s(,:–—-]+"
    r"((?:Mc|Mac|O'|O’)?[A-Z][a-z]+)\s+((?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
    r"(?![\w'’])"
)
# The capitalised words after a surname ("William Morris Academy", "Elizabeth Garrett
# Anderson School").
_NEXT_WORD = re.compile(r"(?:'s|’s|'|’)?,?\s+([A-Z][A-Za-z]+)(?:\s+([A-Z][A-Za-z]+))?")
# Shops named after a title and a name.
_TITLED_BUSINESSES = frozenset({"miss selfridge", "mr simms", "mr chips", "mr kipling"})


def _is_person(first: str, last: str, before: str, names: frozenset[str]) -> bool:
    """Whether a first name and a surname, with the text before them, name a person."""
    if first.split("-")[0].lower() not in names:
        return False
    if last.lower() in _PLACE_WORDS or f"{first} {last}".lower() in _BUSINESS_NAMES:
        return False
    words = re.findall(r"[A-Za-z]+", before)
    return not (words and words[-1].lower() in _PLACE_PREFIXES)


# Words that are not names in a young person's key ("unknown male", "not known").
_NOT_NAMES_IN_KEYS = frozenset(
    {
        "unknown",
        "male",
        "female",
        "adult",
        "not",
        "known",
        "nk",
        "person",
        "yp",
        "child",
        "young",
        "tbc",
        "none",
        "other",
        "anon",
        "anonymous",
        "unnamed",
        "no",
        "id",
        "ref",
        "aka",
    }
)
_KEY_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def is_name_key(text: str) -> bool:
    """Whether a young person's key is written in words: a name, not a pseudonym.

    A pseudonym or a local id is one token (``p001``, ``yp-000123``, ``CH 12345`` has a
    number); two to four words of letters and no number (``Jayden SMITH``, ``kayla-mae
    o'connor``, ``Nguyen Thi Lan``) are a name, unless every word is one that says the
    person is not known (``unknown male``).
    """
    if re.search(r"[0-9@]", text):
        return False  # an id with a number, or what another rule finds
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    words = [t for t in tokens if _KEY_WORD.fullmatch(t)]
    if not 2 <= len(words) <= 4 or len(words) < len(tokens) - 2:
        return False
    return any(w.lower() not in _NOT_NAMES_IN_KEYS for w in words)


def has_full_name(text: str) -> bool:
    """Whether `text` holds a first name from the shipped list and a surname.

    Parameters
    ----------
    text : str
        Free text, such as a place's label.

    Returns
    -------
    bool
        True when a capitalised first name from ``peermap/data/first_names.txt`` is
        followed by a capitalised word that is not a place word (``Park``,
        ``Street`` ...), the pair not after ``St``, ``King``, ``The`` ... and not a
        business named after a person (``John Lewis``); the same in capitals
        (``JAYDEN SMITH``); a surname in capitals, a comma and such a first name
        (``SMITH, Jayden``); or a cell that is only a surname and such a first name
        (``Smith, Jayden``, ``SMITH Jayden``).
    """
    names = _first_names()
    lowered = text.lower()
    # A business named after a person ("John Lewis Oxford Street") is not a person, and
    # nor is its surname the first name of another pair ("Lewis Oxford").
    inside = [
        range(at, at + len(business))
        for business in _BUSINESS_NAMES
        for at in [m.start() for m in re.finditer(re.escape(business), lowered)]
    ]
    for pattern in (FULL_NAME_PATTERN, _CAPS_PAIR):
        for m in pattern.finditer(text):
            if any(m.start() in span for span in inside):
                continue
            first, last = m.group(1), m.group(2)
            after = _NEXT_WORD.match(text, m.end(2))
            if after is not None and any(
                (word or "").lower() in _PLACE_WORDS for word in after.groups()
            ):
                continue  # a place named after a person: William Morris Academy
            if _is_person(first, last, text[: m.start()], names):
                return True
    for m in _TITLED.finditer(text):
        if (
            f"{text[m.start() : m.end()].split()[0].rstrip('.')} {m.group(1)}".lower()
            not in (_TITLED_BUSINESSES)
            and m.group(1).lower() not in _PLACE_WORDS
        ):
            return True
    if any(
        m.group(2).lower() not in _PLACE_WORDS and m.group(1).lower() not in _PLACE_WORDS
        for m in _KIN_PAIR.finditer(text)
    ):
        return True
    for m in _SURNAME_COMMA.finditer(text):
        surname, first = m.group(1), m.group(2)
        if surname.lower() not in _NOT_SURNAMES and _is_person(first, surname, "", names):
            return True
    whole = _SURNAME_FIRST_CELL.fullmatch(text)
    if whole is not None:
        surname, first = whole.group(1), whole.group(2)
        middle = (whole.group(3) or "").lower()
        if (
            surname.lower() not in _NOT_SURNAMES | _PLACE_PREFIXES
            and middle not in _PLACE_WORDS
            and _is_person(first, surname, "", names)
        ):
            return True
    return False
