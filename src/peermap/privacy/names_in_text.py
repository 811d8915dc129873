"""The free-text name test: a first name from a shipped list, then a surname.

The first names are ONS baby names (``peermap/data/first_names.txt``, Open Government
Licence v3.0; its header says which). docs/privacy.md describes the test and its limits.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["FULL_NAME_PATTERN", "NAME_PREFILTER", "as_name_text", "has_full_name", "is_name_key"]

# Overlapping: every capitalised pair is tried ("Met Jayden Smith").
FULL_NAME_PATTERN = re.compile(
    r"(?<![\w-])(?<!\w['’])(?=([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+"
    r"((?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:'s|’s|'|’)?(?![\w'’]))"
)
# A capitalised word after a first name that makes the pair a place, not a person.
_PLACE_WORDS = frozenset(
    [
        "park",
        "valley",
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


# A first name and a surname in capitals, as police records write it: "Jayden SMITH".
_FIRST_CAPS = re.compile(
    r"(?<![\w-])(?<!\w['’])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+((?:MC|MAC|O'|O’|D'|D’)?[A-Z]{2,}"
    r"(?:-[A-Z]{2,})?)(?:'S|’S|'s|’s|'|’)?(?![\w'’])"
)
# The surname first, in capitals: "SMITH Jayden", "SMITH, Jayden".
_CAPS_FIRST = re.compile(
    r"(?<![\w-])(?<!\w['’])((?:MC|MAC|O'|O’|D'|D’)?[A-Z]{2,}(?:-[A-Z]{2,})?),?\s+"
    r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w'’])"
)
# A whole cell that is a name in capitals ("JAYDEN SMITH") or the surname first with a
# comma ("Smith, Jayden"): in running text such pairs are as often words ("GRACE
# PERIOD", "Hackney, Jordan and ...").
_CAPS_CELL = re.compile(
    r"\s*(?P<first>[A-Z]{2,}(?:-[A-Z]{2,})?)\s+"
    r"(?P<surname>(?:MC|MAC|O'|D')?[A-Z]{2,}(?:-[A-Z]{2,})?)\s*"
)
_COMMA_CELL = re.compile(
    r"\s*(?P<surname>(?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?),\s*"
    r"(?P<first>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*"
)
#: What the name test searches for first (each alternative starts a word, so a long run
#: of letters is scanned once): a capitalised pair, a word in capitals next to a
#: capitalised or capital word, a title.
NAME_PREFILTER = (
    r"(?<![A-Za-z])[A-Z][a-z]+,?\s+(?:Mc|Mac|O'|O’|D'|D’)?[A-Z]"
    r"|(?<![A-Za-z])[A-Z]{2,},?\s+[A-Z]"
    r"|(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+(?:[A-Z]\.\s*)*[A-Z]"
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
        "location",
        "outside",
        "inside",
        "near",
        "officer",
        "pc",
        "dc",
        "ds",
        "sgt",
        "update",
        "info",
        "via",
        "per",
        "nb",
        "aka",
        "period",
        "reported",
        "agency",
        "meeting",
        "after",
        "allocation",
    }
)


# A title and a surname: "Mr Patel", "Mrs Denise Walker", "Ms K. O'Connor" (title case:
# "MS Teams", "MR TO ATTEND" are not titles).
_TITLED = re.compile(
    r"(?<![\w-])(?<!\w['’])(Mr|Mrs|Ms|Miss|Mx)\.?\s+(?:[A-Z]\.\s*)*"
    r"((?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]{2,})(?:'s|’s|'|’)?(?![\w'’])"
)
# A relative or partner, written in lower case as in a note, then a capitalised pair:
# "mum Sharon Smith", "aunt, Denise Walsh" (parents' names are older than the list's).
_KIN_PAIR = re.compile(
    r"(?<![\w-])(?<!\w['’])(?:mum|mother|mom|dad|father|step-?(?:mum|dad|father|mother)|aunt|auntie"
    r"|uncle|nan|nana|gran|granny|grandma|grandad|grandmother|grandfather|brother|sister"
    r"|cousin|boyfriend|girlfriend|partner|carer|foster\s+carer|guardian)[\s(,:–—'‘\"“-]+"
    r"((?:Mc|Mac|O'|O’)?[A-Z][a-z]+)\s+((?:Mc|Mac|O'|O’|D'|D’)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
    r"(?:'s|’s|'|’)?(?![\w'’])"
)
# The capitalised words after a surname ("William Morris Academy", "Elizabeth Garrett
# Anderson School").
_NEXT_WORD = re.compile(
    r"(?:'s|’s|'|’)?,?\s+([A-Z][A-Za-z]+)(?:'s|’s|s'|s’)?(?:\s+([A-Z][A-Za-z]+))?"
)
# Shops named after a title and a name.
_TITLED_BUSINESSES = frozenset(
    {"miss selfridge", "mr simms", "mr chips", "mr kipling", "mr whippy", "mr softee", "mr bean"}
)


def _named_place(text: str, end: int) -> bool:
    """Whether a place word follows the name ending at `end` ("William Morris Academy")."""
    after = _NEXT_WORD.match(text, end)
    return after is not None and any((w or "").lower() in _PLACE_WORDS for w in after.groups())


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
        "awaiting",
        "allocation",
        "pending",
        "recorded",
        "given",
        "refused",
        "withheld",
        "redacted",
        "unidentified",
        "identified",
        "unborn",
        "baby",
        "infant",
        "sibling",
        "boy",
        "girl",
        "man",
        "woman",
        "suspect",
        "victim",
        "witness",
        "subject",
        "associate",
        "friend",
        "peer",
        "group",
        "the",
        "of",
        "and",
        "looked",
        "after",
        "care",
        "leaver",
        "in",
        "to",
        "be",
        "confirmed",
        "missing",
        "new",
        "case",
        "record",
        "referral",
    }
)
_KEY_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# A word as names are written: capitalised ("Harpreet", "Adeyemi-Johnson", "O'Brien")
# or in capitals ("SINGH").
_NAME_CASED = re.compile(r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:['’-](?:[A-Z][a-z]+|[A-Z]{2,}|[a-z]+))*")
# Letters that Unicode does not decompose into an ASCII letter and marks.
_FOLDED = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
    }
)
# A nickname in quotes between names: "Dwayne 'D' Richards" is Dwayne Richards.
_QUOTED_NICKNAME = re.compile(r"(?<=[A-Za-z])\s+['‘\"“][^'’\"”\n]{1,20}['’\"”](?=\s+[A-Z])")


def as_name_text(text: str) -> str:
    """Return `text` as the name tests read it: accents dropped, quoted nicknames out.

    ``Siobhán Ó Briain`` is read as ``Siobhan O Briain`` and ``Zofia Wiśniewska`` as
    ``Zofia Wisniewska`` (Unicode NFKD without the combining marks; ``ł``, ``ø``,
    ``ß`` and other letters that do not decompose by a table), so a name with accents
    is found as the same name without them; ``Jayden 'J' Richards`` as ``Jayden
    Richards``.
    """
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    if "'" in text or '"' in text or "‘" in text or "“" in text:
        text = _QUOTED_NICKNAME.sub("", text)
    return text


# Where the words of a name written as one token meet: "jayden_smith", "Jayden.Smith",
# "kayla-brown", "JaydenSmith" (as user names and some systems' keys are written).
_KEY_JOINS = re.compile(r"(?<=[A-Za-z])(?:[_.-]|(?<=[a-z])(?=[A-Z][a-z]))(?=[A-Za-z])")


def _joined_name(parts: list[str], *, hyphens_only: bool = False) -> bool:
    """Whether two or three words read as one token are a first name and a surname.

    One word a first name from the shipped list, and the others not: surnames of three
    letters or more, none a place word (``jayden_smith``, ``kayla_mae_brown``; not
    ``grace_park``). Every word a first name is a name too when they are joined as user
    names are (``mohammed_ali``, ``Thomas.James``, ``AliHassan``: many surnames are first
    names), but not by hyphens alone, which join a double first name (``kayla-mae``).
    """
    if not 2 <= len(parts) <= 3 or not all(_KEY_WORD.fullmatch(p) for p in parts):
        return False
    names = _first_names()
    others = [p for p in parts if p.lower() not in names]
    if not others:
        return not hyphens_only and all(
            len(p) >= 3 and p.lower() not in _NOT_NAMES_IN_KEYS for p in parts
        )
    if len(others) == len(parts):
        return False
    not_surnames = _NOT_NAMES_IN_KEYS | _NOT_SURNAMES | _PLACE_WORDS
    return all(len(p) >= 3 and p.lower() not in not_surnames for p in others)


def is_name_key(text: str) -> bool:
    """Whether a young person's key is written as a name: not a pseudonym.

    A pseudonym or a local id is one token or has a number (``p001``, ``yp-000123``,
    ``CH 12345``). Two to four words of letters are a name when one of them is a first
    name from the shipped list (``Jayden SMITH``, ``kayla-mae o'connor``), or when every
    word is written as names are, capitalised or in capitals (``Harpreet Singh``,
    ``Nguyen Thi Lan``, ``OKONKWO Chidera``): a key is an id, and an id is not written
    so. Words such as ``Awaiting Allocation`` or ``unknown male`` are not names.
    Accents are read as the letters without them (:func:`as_name_text`).
    """
    text = as_name_text(text)
    if re.search(r"[0-9@]", text):
        return False  # an id with a number, or what another rule finds
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if len(tokens) == 1:
        # One token: a name only with its words joined (``jayden_smith``); never by the
        # case of its words alone (``CH-ABC`` is an id).
        joins = _KEY_JOINS.findall(tokens[0])
        hyphens_only = bool(joins) and all(j == "-" for j in joins)
        return _joined_name(_KEY_JOINS.sub(" ", tokens[0]).split(), hyphens_only=hyphens_only)
    words = [t for t in tokens if _KEY_WORD.fullmatch(t)]
    if not 2 <= len(words) <= 4 or len(words) < len(tokens) - 2:
        return False
    names = _first_names()
    if any(part.lower() in names for w in words for part in w.split("-")):
        return any(w.lower() not in _NOT_NAMES_IN_KEYS for w in words)
    if len(words) < len(tokens) or not all(_NAME_CASED.fullmatch(w) for w in words):
        return False
    return not any(w.lower() in _NOT_NAMES_IN_KEYS | _NOT_SURNAMES for w in words)


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
        business named after a person (``John Lewis``) nor followed by a place word
        (``William Morris Academy``); the surname in capitals, after or before the
        first name (``Jayden SMITH``, ``SMITH, Jayden``); a title and a surname
        (``Mr Patel``); a relative and a capitalised pair (``mum Sharon Smith``); a
        cell that is only a name in capitals (``JAYDEN SMITH``) or a surname, a comma
        and a first name (``Smith, Jayden``). Accents are read as the letters without
        them and a quoted nickname between names is left out (:func:`as_name_text`).
    """
    text = as_name_text(text)
    names = _first_names()
    lowered = text.lower()
    # A business named after a person ("John Lewis Oxford Street") is not a person, and
    # nor is its surname the first name of another pair ("Lewis Oxford").
    inside = [
        range(at, at + len(business))
        for business in _BUSINESS_NAMES
        for at in [m.start() for m in re.finditer(re.escape(business), lowered)]
    ]
    for pattern in (FULL_NAME_PATTERN, _FIRST_CAPS):
        for m in pattern.finditer(text):
            if any(m.start() in span for span in inside):
                continue
            first, last = m.group(1), m.group(2)
            if last.lower() in _NOT_SURNAMES or _named_place(text, m.end(2)):
                continue  # a place named after a person: William Morris Academy
            if _is_person(first, last, text[: m.start()], names):
                return True
    for m in _CAPS_FIRST.finditer(text):
        surname, first = m.group(1), m.group(2)
        if surname.lower() in _NOT_SURNAMES or _named_place(text, m.end(2)):
            continue  # "LOCATION, Jordan Road"
        if _is_person(first, surname, "", names):
            return True
    not_names = _PLACE_WORDS | _NOT_SURNAMES
    for m in _TITLED.finditer(text):
        if (
            f"{m.group(1)} {m.group(2)}".lower() not in _TITLED_BUSINESSES
            and m.group(2).lower() not in not_names
        ):
            return True
    if any(
        m.group(1).lower() not in not_names and m.group(2).lower() not in not_names
        for m in _KIN_PAIR.finditer(text)
    ):
        return True
    for pattern in (_CAPS_CELL, _COMMA_CELL):
        whole = pattern.fullmatch(text)
        if (
            whole is not None
            and whole["surname"].lower() not in _NOT_SURNAMES | _PLACE_PREFIXES
            and _is_person(whole["first"], whole["surname"], "", names)
        ):
            return True
    return False
