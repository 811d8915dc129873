"""The free-text name test: a first name from a shipped list, then a surname.

The first names are ONS baby names (``peermap/data/first_names.txt``, Open Government
Licence v3.0; its header says which). docs/privacy.md describes the test and its limits.
"""

from __future__ import annotations

import re

__all__ = ["FULL_NAME_PATTERN", "has_full_name"]

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
        business named after a person (``John Lewis``).
    """
    names = _first_names()
    for m in FULL_NAME_PATTERN.finditer(text):
        first, last = m.group(1), m.group(2)
        if first.split("-")[0].lower() not in names:
            continue
        if last.lower() in _PLACE_WORDS or f"{first} {last}".lower() in _BUSINESS_NAMES:
            continue
        before = re.findall(r"[A-Za-z]+", text[: m.start()])
        if before and before[-1].lower() in _PLACE_PREFIXES:
            continue
        return True
    return False
