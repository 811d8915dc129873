"""Column names that say a column holds direct identifiers.

:func:`column_name_rule` normalises a column name (words, camelCase split, single
letters joined, abbreviations expanded: :func:`column_words`) and matches the words
against the refused names of each rule, after the allowed look-alikes (schema columns,
flags about an identifier such as ``email_sent``, names of groups and places such as
``gang_name``) are taken out. docs/privacy.md lists them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from peermap.schema import DERIVED, TABLES

__all__ = ["column_name_rule", "column_words", "is_places_table"]

# Record schema v1's own columns, and those peermap adds, are never identifiers by name
# (their values are still checked).
_SCHEMA_COLUMNS = frozenset(
    {column.name for table in TABLES.values() for column in table.columns}
    | {column for columns in DERIVED.values() for column in columns}
)
_NUMBER = r"(?:number|num|nbr|no|nr)"
_NON_PERSON_WORDS = (
    r"(?:authority|la|lad|lea|lsoa|msoa|oa|ward|area|district|borough|county|region"
    r"|country|constituency|parish|locality|town|city|village|neighbou?rhood|geography|geo"
    r"|school|academy|college|university|nursery|setting|establishment|organi[sz]ation|org"
    r"|agency|team|service|provider|trust|partner|partnership|source|file|layer|dataset|table"
    r"|column|field|variable|category|type|kind|context|venue|place|location|site|premises"
    r"|business|company|shop|store|hotel|pub|bar|restaurant|park|club|station|event|project"
    r"|operation|sheet|host|path|unit|route|zone|beat|force|product|app|platform|brand"
    r"|street|road|gang|group|crew|network|estate|chat|channel|server|game|wifi|ssid"
    r"|model|device|drug|substance)"
)
_NON_PERSON_NAME = rf"(?:^|_){_NON_PERSON_WORDS}_?names?"

# Abbreviations expanded, word by word, before the rules are tried.
_ABBREVIATIONS = {
    "dt": "date",
    "dte": "date",
    "dob": "date_of_birth",
    "yob": "year_of_birth",
    "bday": "birthday",
    "tel": "telephone",
    "mob": "mobile",
    "reg": "registration",
    "regno": "registration_number",
    "addr": "address",
    "fname": "first_name",
    "lname": "last_name",
    "sname": "surname",
    "snap": "snapchat",
    "insta": "instagram",
    "ig": "instagram",
    "fb": "facebook",
}
# A last word (or a first "has"/"is") that makes the column a flag or a note *about*
# the identifier rather than the identifier: email_sent, dob_known, has_phone.
_FLAG_LAST_WORDS = frozenset(
    [
        "known",
        "sent",
        "flag",
        "flagged",
        "provided",
        "recorded",
        "given",
        "held",
        "verified",
        "checked",
        "confirmed",
        "consent",
        "consented",
        "status",
        "missing",
        "available",
        "present",
        "valid",
        "validated",
        "count",
        "counts",
        "type",
        "format",
        "quality",
        "yn",
        "ind",
        "indicator",
        "opened",
        "bounced",
        "received",
        "shared",
        "requested",
        "changed",
        "updated",
        "exists",
        "match",
        "matched",
    ]
)
_FLAG_FIRST_WORDS = frozenset({"has", "is", "any"})


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


# Tried in order; a column is reported under the first rule its name matches. Names
# are matched as words joined by "_" (see _name_forms), so `(?:^|_)` and `(?:_|$)`
# are word boundaries.
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
            r"|(?:^|_)born_?on(?:_|$)|year_?of_?birth|birth_?year"
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
        "vehicle_registration",
        re.compile(
            r"(?:^|_)(?:vrm|vrn|plate|plates|number_?plate|licen[cs]e_?plate|reg_?plate"
            r"|(?:vehicle|car|van|bike|moped|motorbike|scooter)_?(?:registration|plate|reg)"
            rf"|registration_?(?:{_NUMBER}|mark|plate))(?:_|$)"
        ),
    ),
    _NameRule(
        "social_media",
        re.compile(
            r"(?:^|_)(?:snapchat|instagram|tik_?tok|twitter|facebook|whatsapp|telegram"
            r"|discord|kik|yubo|threads|social_?media|handle|handles|user_?name|screen_?name"
            r"|gamer_?tag|psn|xbox_?live|social_?handle)(?:_|$)"
        ),
    ),
    _NameRule(
        "name",
        re.compile(r"names?\d*(?:_|$)|(?:^|_)(?:initials|alias|aliases|aka|known_?as)(?:_|$)"),
        allowed=re.compile(_NON_PERSON_NAME),
    ),
    _NameRule(
        "clk",
        re.compile(r"(?:^|_)(?:clks?|bloom_?filters?|cryptographic_?long_?term_?keys?)(?:_|$)"),
    ),
)
_PLACES_VENUE_NAME = re.compile(r"^names?$")


def _words(column: str, *, split_camel: bool) -> list[str]:
    if split_camel:
        column = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
        column = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", column)
    words = [w for w in re.split(r"[^a-z0-9]+", column.lower()) if w]
    # Runs of single letters are one abbreviation: "D.O.B." -> "dob".
    merged: list[str] = []
    run = False
    for word in words:
        single = len(word) == 1 and word.isalpha()
        if single and run:
            merged[-1] += word
        else:
            merged.append(word)
        run = single
    return merged


@functools.lru_cache(maxsize=4096)
def column_words(column: str) -> tuple[str, ...]:
    """Return a column name normalised to words joined by ``_``, abbreviations expanded.

    Parameters
    ----------
    column : str
        The name as written.

    Returns
    -------
    tuple of str
        The forms to match: as written and with camelCase split (``ChildDOB`` ->
        ``child_dob`` -> ``child_date_of_birth``). Empty when the name is a flag
        about an identifier (``email_sent``, ``dob_known``, ``has_phone``).
    """
    forms: list[str] = []
    for split in (False, True):
        words = _words(column, split_camel=split)
        if len(words) > 1 and (words[-1] in _FLAG_LAST_WORDS or words[0] in _FLAG_FIRST_WORDS):
            return ()
        plain = "_".join(words)
        expanded = "_".join(_ABBREVIATIONS.get(w, w) for w in words)
        for form in (plain, expanded):
            if form not in forms:
                forms.append(form)
    return tuple(forms)


def column_name_rule(column: str, *, table: str = "") -> str | None:
    """Return the rule a column's name falls under, or None when the name is allowed.

    Parameters
    ----------
    column : str
        The column name as written in the file.
    table : str, optional
        The table: in ``places`` a plain ``name`` is a venue's name and allowed.

    Returns
    -------
    str or None
        One of :data:`IDENTIFIER_RULES`, or None.

    Notes
    -----
    The name is split into words (at any non-alphanumeric character and at camelCase
    boundaries: ``BirthDt`` -> ``birth dt``), runs of single letters are joined
    (``D.O.B.`` -> ``dob``) and abbreviations expanded (``dt`` date, ``dob`` date of
    birth, ``yob`` year of birth, ``tel``, ``mob``, ``reg`` registration, ``addr``,
    ``fname``, ``snap``, ``insta``, ``ig``, ``fb`` ...). Schema columns are allowed; so
    is a name whose last word says it is a flag or note about an identifier (``known``,
    ``sent``, ``verified``, ``status``, ``type`` ...: ``email_sent``, ``dob_known``) or
    whose first word is ``has``/``is``; and names of groups, places and organisations
    (``gang_name``, ``venue_name``, ``ward_name``). docs/privacy.md lists the rules.
    """
    return _column_name_rule(str(column), str(table))


@functools.lru_cache(maxsize=4096)
def _column_name_rule(column: str, table: str) -> str | None:
    """:func:`column_name_rule`, once per column name (every value's echo asks)."""
    places = is_places_table(table)
    forms = column_words(column)
    if not forms or any(form in _SCHEMA_COLUMNS for form in forms):
        return None
    if places:
        forms = tuple(_PLACES_VENUE_NAME.sub("_", form) for form in forms)
    for rule in _NAME_RULES:
        if any(rule.matches(form) for form in forms):
            return rule.rule
    return None


def is_places_table(table: str) -> bool:
    """Whether `table` names the places table (``places``, ``Places``, ``place``)."""
    return re.sub(r"[^a-z0-9]+", "_", str(table).lower()).strip("_") in {"places", "place"}
