"""Finding direct identifiers: names, dates of birth, addresses, postcodes, numbers.

:func:`find_identifiers` looks at a table's column names and values and returns an
:class:`IdentifierFinding` for every column that looks like it holds direct
identifiers; :func:`refuse_identifiers` raises :class:`~peermap.PrivacyError` when
there is one. Findings never echo the values they found. :func:`redact` is what every
caller shows instead of a value: the value itself, or ``[withheld: looks like a phone
number]`` (:data:`REDACTIONS`), and :func:`redact_frame` what every file of rows set
aside holds instead of a table. :func:`identifier_rule` and :func:`column_name_rule`
classify one value or one column name. docs/privacy.md lists the rules and their
measured precision and recall (``python benchmarks/bench_identifiers.py``).
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import settings
from peermap._arguments import kind_of
from peermap.exceptions import ArgumentError, PrivacyError
from peermap.privacy._arrow_screen import (
    CLK_PADDING,
    DATE_ONLY,
    NHS_SCREEN,
    NINO_SCREEN,
    PHONE_SCREEN,
    DistinctCells,
    re2_superset,
)
from peermap.privacy.addresses import ADDRESS_PATTERN, has_street_address
from peermap.privacy.birth_dates import BIRTH_DATE_PATTERN, has_birth_date
from peermap.privacy.checksums import nhs_check_digit_valid, upn_check_letter
from peermap.privacy.column_names import column_name_rule, column_words, is_places_table
from peermap.privacy.findings import (
    DESCRIPTIONS,
    UNNAMED_COLUMN,
    IdentifierFinding,
    header_finding,
    name_finding,
    value_finding,
)
from peermap.privacy.names_in_text import NAME_PREFILTER, has_full_name, is_name_key
from peermap.privacy.phones import PHONE_CANDIDATE, has_phone_number, is_hex_id, prefixed_local_id
from peermap.privacy.pseudonyms import PSEUDONYM_PATTERN
from peermap.privacy.value_patterns import (
    CLK_PATTERN as _CLK,
)
from peermap.privacy.value_patterns import (
    EMAIL_PATTERN as _EMAIL,
)
from peermap.privacy.value_patterns import (
    NHS_PATTERN as _NHS,
)
from peermap.privacy.value_patterns import (
    NINO_PATTERN as _NINO,
)
from peermap.privacy.value_patterns import (
    POSTCODE_PATTERN as _POSTCODE,
)
from peermap.privacy.value_patterns import (
    SOCIAL_PATTERN as _SOCIAL,
)
from peermap.privacy.value_patterns import (
    UPN_PATTERN as _UPN,
)
from peermap.privacy.value_patterns import (
    VEHICLE_PATTERN as _VEHICLE,
)
from peermap.schema import DERIVED, TABLES

__all__ = [
    "IDENTIFIER_RULES",
    "REDACTIONS",
    "IdentifierFinding",
    "IdentifierMemo",
    "column_name_rule",
    "find_identifiers",
    "header_rule",
    "identifier_rule",
    "is_withheld",
    "redact",
    "redact_frame",
    "refuse_identifier_text",
    "refuse_identifiers",
    "shown_header",
    "shown_value",
    "upn_check_letter",
]

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
    "vehicle_registration",
    "social_media",
    "clk",
)
"""Every rule an :class:`IdentifierFinding` may name."""

REDACTIONS: dict[str, str] = {
    rule: f"[withheld: looks like {description}]" for rule, description in DESCRIPTIONS.items()
}
"""What :func:`redact` shows instead of a value, by rule
(``"[withheld: looks like a phone number]"``)."""
_REDACTION_TEXTS = frozenset(REDACTIONS.values())

# Schema columns whose values are authorities' codes or names: the free-text address
# test is not run on them, nor the name test on the columns derived from boundary files.
# The record tables' own authority columns (home_authority, ...) are tested for a
# person's name: of the 338 names of English authorities in the ONS files of 2013 and
# 2024 none reads as one ("Milton Keynes" is not a first name and a surname; "Amber
# Valley" ends in a place word), and without boundaries to check them against, what is
# typed there is kept as written and shown in reports (session 28). In a column of
# numbers, dates or categories a person's name is as wrong as anywhere, and it is
# refused there too.
_AUTHORITY_COLUMNS = frozenset(
    column.name
    for table in TABLES.values()
    for column in table.columns
    if column.type == "authority"
)
_CODED_SCHEMA_COLUMNS = frozenset(
    {
        column.name
        for table in TABLES.values()
        for column in table.columns
        if column.type == "authority"
    }
    | {column for columns in DERIVED.values() for column in columns}
)

_TIME_HANDLE = re.compile(r"(?i)@[0-9]{1,2}(?:[:.][0-9]{2})?(?:am|pm)?$")


@dataclass(frozen=True)
class _Context:
    """Where a value sits: a place's label may carry a business's landline."""

    venue_text: bool = False
    free_text: bool = True
    # A record table's column of authorities: a person's name there is refused (no
    # English authority's name reads as one), an address-like area name is not tested.
    authority: bool = False
    person_key: bool = False
    # A column of ages: a date there is a date of birth.
    age: bool = False


# Columns whose values are young people's keys: a date there is a date of birth.
_PERSON_KEY_COLUMNS = frozenset(
    {
        column.name
        for table in TABLES.values()
        for column in table.columns
        if column.references == "people.person_id"
    }
    | {"person_id"}
)


@functools.lru_cache(maxsize=4096)
def _context(table: str, column: str) -> _Context:
    words = column_words(str(column)) or ("",)
    first = words[0]
    venue_text = is_places_table(table) and first in {"label", "name", "venue_name", "place_name"}
    coded = first in _CODED_SCHEMA_COLUMNS or re.search(
        r"(?:^|_)(?:authority|la|lad|lsoa|msoa|oa|ward|district|borough|county|region"
        r"|country|constituency|parish|town|city|area|geography)_?(?:names?|codes?)?$",
        first,
    )
    return _Context(
        venue_text=venue_text,
        free_text=not coded,
        authority=first in _AUTHORITY_COLUMNS,
        person_key=not _PERSON_KEY_COLUMNS.isdisjoint(words),
        age=_is_age_column(words),
    )


def _is_age_column(words: tuple[str, ...]) -> bool:
    """Whether a column holds ages (``age``, ``AgeAtReferral``), not dates about them."""
    split = {word for form in words for word in form.split("_")}
    return "age" in split and "date" not in split


def _has_valid_nhs_number(text: str, context: _Context) -> bool:
    return any(
        nhs_check_digit_valid(re.sub(r"[^0-9]", "", m.group()))
        and not prefixed_local_id(text, m.start())
        for m in _NHS.finditer(text)
    )


_NINO_PAIRS = re.compile(r"[0-9][ -][0-9]")


def _has_nino(text: str, context: _Context) -> bool:
    # With the suffix letter in any layout; without it, only written in pairs
    # ("AB 12 34 56"): "AB123456" is as likely a local id.
    return any(
        m.group()[-1].isalpha() or _NINO_PAIRS.search(m.group()) for m in _NINO.finditer(text)
    )


def _has_valid_upn(text: str, context: _Context) -> bool:
    return any(upn_check_letter(m.group()[1:]) == m.group()[0].upper() for m in _UPN.finditer(text))


def _has_vehicle_registration(text: str, context: _Context) -> bool:
    return _VEHICLE.search(text) is not None


def _has_handle(text: str, context: _Context) -> bool:
    return any(_TIME_HANDLE.match(m.group()) is None for m in _SOCIAL.finditer(text))


def _has_full_name(text: str, context: _Context) -> bool:
    named = context.free_text or context.authority
    return named and (has_full_name(text) or (context.person_key and is_name_key(text)))


# Every text the name test can find holds one of these (FULL_NAME_PATTERN's pairs; two
# words of letters, a key written as a name; a letter beyond ASCII: "Siobhán" is read).
_NAME_CANDIDATE = re.compile(
    rf"{NAME_PREFILTER}|(?<![A-Za-z'’-])[A-Za-z][A-Za-z'’-]*[A-Za-z][\s,]+[A-Za-z]"
    r"|[^\x00-\x7f]|[A-Za-z]\s+['\"]"
    # A name written as one token: "jayden_smith", "Jayden.Smith", "JaydenSmith".
    # (first names and surnames of three letters or more: "person_id" is not tried).
    r"|[A-Za-z]{3}[_.-][A-Za-z]{3}|[a-z][A-Z][a-z]"
)


def _has_phone_number(text: str, context: _Context) -> bool:
    return has_phone_number(text, venue_text=context.venue_text)


def _has_birth_date(text: str, context: _Context) -> bool:
    return has_birth_date(text, person_key=context.person_key, age=context.age)


def _has_street_address(text: str, context: _Context) -> bool:
    return context.free_text and has_street_address(text, venue_text=context.venue_text)


@dataclass(frozen=True)
class _ValueRule:
    rule: str
    pattern: re.Pattern[str]
    confirm: Callable[[str, _Context], bool] | None = None
    # What the distinct values are searched for first (no capturing groups).
    prefilter: str | None = None
    # RE2 patterns all found, in ASCII text, in every value the rule finds (checked by
    # tests/test_identifier_screen.py); by default the prefilter without its assertions.
    screen: tuple[str, ...] = ()


# In order of precedence: a value is redacted under the first rule that finds it.
_VALUE_RULES: tuple[_ValueRule, ...] = (
    _ValueRule("email", _EMAIL),
    _ValueRule("postcode", _POSTCODE),
    _ValueRule("date_of_birth", BIRTH_DATE_PATTERN, _has_birth_date),
    _ValueRule("address", ADDRESS_PATTERN, _has_street_address),
    _ValueRule("nhs_number", _NHS, _has_valid_nhs_number, screen=NHS_SCREEN),
    _ValueRule("pupil_number", _UPN, _has_valid_upn),
    _ValueRule("ni_number", _NINO, _has_nino, screen=NINO_SCREEN),
    _ValueRule("phone", PHONE_CANDIDATE, _has_phone_number, screen=PHONE_SCREEN),
    _ValueRule("vehicle_registration", _VEHICLE, _has_vehicle_registration),
    _ValueRule("social_media", _SOCIAL, _has_handle),
    _ValueRule("name", _NAME_CANDIDATE, _has_full_name),
    _ValueRule("clk", _CLK, screen=(CLK_PADDING, re2_superset(_CLK.pattern))),
)


# Characters that change how a value looks to a regular expression but not to a
# reader: zero-width and other format characters (U+200B, U+00AD...) are dropped, and
# NFKC makes full-width letters and digits ASCII and every space a space; the dashes
# NFKC leaves (U+2010-U+2015, U+2212) read as "-". "07700\u00a0900123" is a phone
# number, "SW1A\u200b 1AA" a postcode, "Ｊａｙｄｅｎ Ｓｍｉｔｈ" a name.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))


def _fold(text: str) -> str:
    """Return a value as a reader sees it: what the rules are run on (ASCII unchanged)."""
    if text.isascii():
        return text
    shown = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", shown).translate(_DASHES)


def _value_rules_in(text: str, context: _Context | None = None) -> list[str]:
    context = context or _Context()
    return [
        rule.rule
        for rule in _VALUE_RULES
        if rule.pattern.search(text) and (rule.confirm is None or rule.confirm(text, context))
    ]


def identifier_rule(value: object, *, table: str = "", column: str = "") -> str | None:
    """Return the rule under which a value is refused, or None.

    Parameters
    ----------
    value : object
        A cell, as read (converted with ``str``); missing and empty cells and peermap
        pseudonyms are never identifiers.
    table, column : str, optional
        Where the value sits. A column whose name is an identifier's (``surname``)
        makes every value in it one; in the ``places`` table's ``label`` and ``name``
        a business's landline next to its name is allowed; in columns of codes and
        area names the free-text name test is not run; in a young person's key a
        date of birth is found without a birth word, and in a column of ages any
        real date is one.

    Returns
    -------
    str or None
        One of :data:`IDENTIFIER_RULES`.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    text = _fold(str(value))
    if not text.strip() or re.fullmatch(PSEUDONYM_PATTERN, text.strip()):
        return None
    if column:
        by_name = column_name_rule(column, table=table)
        if by_name is not None:
            return by_name
    found = _value_rules_in(text, _context(table, column))
    return found[0] if found else None


def redact(value: object, *, table: str = "", column: str = "") -> str:
    """Return a value as it may be displayed: itself, or why it is withheld.

    Parameters
    ----------
    value : object
        A cell, as read.
    table, column : str, optional
        Where the value sits, as for :func:`identifier_rule`.

    Returns
    -------
    str
        ``str(value)`` when no rule finds an identifier in it (``""`` for a missing
        cell); otherwise the rule's text from :data:`REDACTIONS`, such as
        ``"[withheld: looks like a phone number]"``. The whole value is withheld,
        never just the part that matched.
    """
    rule = identifier_rule(value, table=table, column=column)
    if rule is not None:
        return REDACTIONS[rule]
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    return str(value)


#: Longest cell echoed in a message, in characters; a longer one is cut.
SHOWN_CHARS = 200


@functools.lru_cache(maxsize=65_536)
def shown_value(text: str, *, table: str = "", column: str = "") -> str:
    r"""Return a cell as a problem may echo it: never an identifier, always visible.

    Every reader and check passes the values it echoes through here.

    Parameters
    ----------
    text : str
        The cell (or row) as read.
    table, column : str, optional
        Where the cell sits. The strictest reading decides: withheld if found read
        as free text (a name typed as an authority, which the door lets pass) or
        where it sits (:func:`identifier_rule`: ``surname``, a date in a key or age).

    Returns
    -------
    str
        The redaction of :func:`redact` (``"[withheld: looks like a phone number]"``)
        when the text holds something that looks like a direct identifier, by the
        rules of :func:`find_identifiers`; otherwise the text with control and
        other invisible characters written as escapes (``\x00``), cut after
        :data:`SHOWN_CHARS` characters with its length said.
    """
    rule = identifier_rule(text)
    if rule is None and column:
        rule = identifier_rule(text, table=table, column=column)
    if rule is not None:
        return REDACTIONS[rule]
    visible = "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in text
    )
    if len(visible) > SHOWN_CHARS:
        return f"{visible[: SHOWN_CHARS - 3]}... ({len(text):,} characters)"
    return visible


def is_withheld(shown: str) -> bool:
    """Whether a shown value (of :func:`shown_value` or :func:`redact`) is a redaction."""
    return shown in _REDACTION_TEXTS


def header_rule(label: object) -> str | None:
    """Return the rule under which a header is itself an identifier (``Jayden Smith``)."""
    rules = _value_rules_in(_fold(str(label)))
    return rules[0] if rules else None


#: Headers longer than this are cut in messages, with their length said.
_LONGEST_SHOWN_HEADER = 200


def shown_header(label: str, position: int | None) -> str:
    """Return a header as messages and files show it, never an identifier.

    Itself; or, if it is one (:func:`header_rule`), ``"column N"`` by its 0-based
    `position` in the file (the rule's redaction if None), as the scan names it.
    """
    rule = header_rule(label)
    if rule is None:
        if len(label) > _LONGEST_SHOWN_HEADER:
            # A header of 100,000 characters was echoed whole in every message naming
            # its column, as a long cell is not.
            return f"{label[:60]}... (a header of {len(label):,} characters)"
        return label
    return REDACTIONS[rule] if position is None else f"column {position + 1}"


#: A geometry as well-known text: a type, then only numbers and brackets.
WKT_PATTERN = (
    r"(?i)(?:MULTI)?(?:POINT|LINESTRING|POLYGON)(?:\s+(?:Z|M|ZM))?\s*"
    r"(?:EMPTY|\([\d\s.,()eE+-]*\))"
)


def _scoped(pattern: str) -> str:
    """Wrap a pattern as a group of an alternation, its leading global flags scoped."""
    m = re.match(r"\(\?([aiLmsux]+)\)", pattern)
    if m:
        return f"(?{m[1]}:{pattern[m.end() :]})"
    return f"(?:{pattern})"


def _prefilter(rule: _ValueRule) -> str:
    return rule.prefilter or rule.pattern.pattern


# A value no rule's prefilter finds needs no rule: one search per distinct value tells.
_ANY_RULE = re.compile("|".join(_scoped(_prefilter(r)) for r in _VALUE_RULES))
_PREFILTERS = {r.rule: re.compile(_prefilter(r)) for r in _VALUE_RULES}
_SCREENS = {r.rule: r.screen or (re2_superset(_prefilter(r)),) for r in _VALUE_RULES}


_SCREEN_FROM = 48  #: columns with more distinct values are screened with pyarrow first

_PSEUDONYM = re.compile(PSEUDONYM_PATTERN)
_WKT = re.compile(WKT_PATTERN)


def _screen(text: str) -> tuple[bool, bool]:
    """Tell if a value has content (not blank/pseudonym/geometry) and a prefilter's hit."""
    stripped = text.strip()
    content = bool(stripped) and not _PSEUDONYM.fullmatch(stripped)
    content = content and not _WKT.fullmatch(stripped)
    return content, content and not is_hex_id(stripped) and _ANY_RULE.search(text) is not None


def _verdicts(
    values: list[str], context: _Context, tried: Mapping[str, list[int]] | None = None
) -> list[tuple[str, ...]]:
    """Return the rules that find an identifier in each value, in order of precedence.

    One rule at a time over all the values (or over those ``tried[rule]`` lists, the
    ones its screen found: the others it cannot find): each rule's prefilter, then its
    confirmation on the values the prefilter finds.
    """
    found: list[list[str]] = [[] for _ in values]
    for rule in _VALUE_RULES:
        search, confirm = _PREFILTERS[rule.rule].search, rule.confirm
        some = range(len(values)) if tried is None else tried.get(rule.rule, [])
        for j in [j for j in some if search(values[j]) is not None]:
            if confirm is None or confirm(values[j], context):
                found[j].append(rule.rule)
    return [tuple(f) for f in found]


class IdentifierMemo:
    """What the identifier scan found in each distinct value, for the columns of one read.

    A person's id is in five columns: given to every :func:`find_identifiers` of one
    read, a memo lets each distinct text be judged once (per context: a place's label
    may hold a business's landline). Findings are the same as without it. It holds the
    values read: keep it for one read, then drop it; it is never written anywhere.
    """

    def __init__(self) -> None:
        self._screens: dict[str, tuple[bool, bool]] = {}
        self._verdicts: dict[_Context, dict[str, tuple[str, ...]]] = {}

    def __len__(self) -> int:
        """Return the number of distinct values judged so far."""
        return len(self._screens)


class _Cells(DistinctCells):
    """A column's distinct values, the ones some rule's screen finds, and verdicts."""

    def __init__(self, series: pd.Series[Any], memo: IdentifierMemo | None, context: _Context):
        super().__init__(series)
        self.memo = memo if memo is not None else IdentifierMemo()
        self.context = context
        self._content: npt.NDArray[np.bool_] | None = None
        # Per rule, the used values its RE2 screen finds (every value beyond ASCII; not a
        # pseudonym, nor a date alone for phones, or birth dates but in a key or an age):
        # only those can be found, so only those are read into Python. A column of a few
        # distinct values skips it (a pyarrow call compiles its regex: dearer in a few).
        dated = ("phone",) if context.person_key or context.age else ("phone", "date_of_birth")
        never, small = dict.fromkeys(dated, DATE_ONLY), self.size <= _SCREEN_FROM
        hits = dict.fromkeys(_SCREENS, self.used) if small else self.screen(_SCREENS, never)
        looked = np.unique(np.concatenate([np.asarray(self.used[:0]), *hits.values()]))
        text = dict(zip(looked.tolist(), self.texts(looked), strict=True))
        screens = self.memo._screens
        screens.update((v, _screen(_fold(v))) for v in set(text.values()) - screens.keys())
        # Values with content (not blank, not a pseudonym, not a geometry) that some
        # rule's prefilter finds; and for each, the rules whose screen found it.
        self.candidates = {i: v for i, v in text.items() if screens[v][1]}
        self.tried: dict[int, list[str]] = {i: [] for i in self.candidates}
        for rule, positions in hits.items():
            for i in positions.tolist():
                if i in self.tried:
                    self.tried[i].append(rule)
        self._found: dict[str, npt.NDArray[np.bool_]] | None = None

    @property
    def content(self) -> npt.NDArray[np.bool_]:
        """Mask of the distinct values that are not blank, a pseudonym or a geometry."""
        if self._content is None:
            self._content = np.zeros(self.size, dtype=bool)
            judged = np.setdiff1d(self.used, self.skipped, assume_unique=True)  # not pseudonyms
            values = self.texts(judged)
            screens = self.memo._screens
            screens.update((v, _screen(_fold(v))) for v in set(values) - screens.keys())
            self._content[judged] = [screens[v][0] for v in values]
        return self._content

    def matching(self, rule: _ValueRule) -> npt.NDArray[np.bool_]:
        """Mask of the distinct values in which `rule` finds an identifier."""
        masks, context = self._found, self.context
        if masks is None:
            # Every candidate judged once per context (or found judged in the memo),
            # by the rules whose screens found it: the same verdict as by every rule.
            verdicts = self.memo._verdicts.setdefault(context, {})
            masks = self._found = {}
            fresh = {v: i for i, v in self.candidates.items() if v not in verdicts}
            values = list(fresh)
            tried: dict[str, list[int]] = {}
            for j, v in enumerate(values):
                for found in self.tried[fresh[v]]:
                    tried.setdefault(found, []).append(j)
            folded = [_fold(v) for v in values]
            verdicts.update(zip(values, _verdicts(folded, context, tried), strict=True))
            for i, v in self.candidates.items():
                for found in verdicts[v]:
                    if found not in masks:
                        masks[found] = np.zeros(self.size, dtype=bool)
                    masks[found][i] = True
        hits = masks.get(rule.rule)
        return hits if hits is not None else np.zeros(self.size, dtype=bool)


def find_identifiers(
    frame: pd.DataFrame, *, table: str, memo: IdentifierMemo | None = None
) -> list[IdentifierFinding]:
    """Find columns that carry direct identifiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cell values (normally strings; ``""`` or missing for empty cells),
        indexed by the row numbers the user sees.
    table : str
        The table's name, used in messages; in the ``places`` table a column called
        ``name`` is a venue's name and allowed.
    memo : IdentifierMemo, optional
        Verdicts on distinct values already judged in this read (by other columns or
        tables), reused, and added to: give one memo to every call of one read, then
        drop it. The findings are the same with or without.

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
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(
            f"find_identifiers needs a pandas DataFrame of the table's cells, got {kind_of(frame)}"
        )
    return [finding for _, found in _scan(frame, table, memo) for finding in found]


_BATCH_CELLS = 1_000_000  #: free-text columns scanned together, up to this many cells


def _scan(
    frame: pd.DataFrame, table: str, memo: IdentifierMemo | None
) -> list[tuple[int, list[IdentifierFinding]]]:
    """Each column's findings, by position, in column order.

    Free-text columns whose names say nothing (a wide table's extra columns, the cells
    of a ragged row) are scanned as one column per context: a column's set-up costs
    about a millisecond, and a line of 20,000 cells is 20,000 columns.
    """
    found: dict[int, list[IdentifierFinding]] = {}
    plain: dict[tuple[_Context, str], list[int]] = {}
    labels, dtypes = [str(c) for c in frame.columns], list(frame.dtypes)
    typed = {dtype: _not_text(dtype) for dtype in set(dtypes)}
    for position, label in enumerate(labels):
        if UNNAMED_COLUMN.fullmatch(label):  # a cell beyond the header, named by peermap
            header, context, rule = None, _context(table, "column"), None
        else:
            header = header_rule(label)
            context = _context(table, label if header is None else "")
            rule = column_name_rule(label, table=table) if header is None else None
        text = not typed[dtypes[position]]  # typed coordinates and dates hold no text
        if header is None and rule is None:
            if text:
                plain.setdefault((context, str(dtypes[position])), []).append(position)
            continue
        cells = _Cells(frame.iloc[:, position], memo, context)
        column, findings = label, found.setdefault(position, [])
        if header is not None:
            # The name is itself an identifier (a file without a header row): withhold it.
            column = shown_header(label, position)
            findings.append(header_finding(table, column, header, cells.rows(cells.content)))
        elif rows := cells.rows(cells.content):
            findings.append(name_finding(table, column, rule or "", rows))
            continue  # the whole column is refused; its values need no listing
        if text:
            findings += _value_findings(cells, table, column, withheld=header is not None)
    step = max(1, _BATCH_CELLS // max(1, len(frame)))
    for (context, _), positions in plain.items():
        for start in range(0, len(positions), step):
            chunk = positions[start : start + step]
            found.update(_plain_findings(frame, chunk, labels, table, context, memo))
    return sorted(found.items())


def _plain_findings(
    frame: pd.DataFrame,
    positions: list[int],
    labels: list[str],
    table: str,
    context: _Context,
    memo: IdentifierMemo | None,
) -> dict[int, list[IdentifierFinding]]:
    """Return the value findings of free-text columns of one context, read as one column."""
    n = len(frame)
    if n == 0:
        return {}
    if len(positions) == 1:
        cells = _Cells(frame.iloc[:, positions[0]], memo, context)
        return {positions[0]: _value_findings(cells, table, labels[positions[0]], withheld=False)}
    # Column after column: cell k is row k % n of the (k // n)th column.
    cells_in_order = frame.iloc[:, positions].to_numpy(dtype=object).ravel(order="F")
    column = pd.Series(cells_in_order, dtype=object)  # bytes that were not UTF-8 kept
    cells = _Cells(column, memo, context)
    present = cells.codes >= 0
    found: dict[int, list[IdentifierFinding]] = {}
    for value_rule in _VALUE_RULES:
        hits = cells.matching(value_rule)
        if not hits.any():
            continue
        selected = np.zeros(len(cells.codes), dtype=bool)
        selected[present] = hits[cells.codes[present]]
        cell = np.flatnonzero(selected)
        owner = cell // n
        for j in np.unique(owner).tolist():
            rows = tuple(frame.index[cell[owner == j] % n].tolist())
            label = labels[positions[j]]
            finding = value_finding(table, label, value_rule.rule, rows, name_withheld=False)
            found.setdefault(positions[j], []).append(finding)
    return found


def _value_findings(
    cells: _Cells, table: str, column: str, *, withheld: bool
) -> list[IdentifierFinding]:
    """Return one column's value findings, rule by rule."""
    return [
        value_finding(table, column, rule.rule, cells.rows(hits), name_withheld=withheld)
        for rule in _VALUE_RULES
        if (hits := cells.matching(rule)).any()
    ]


def _not_text(dtype: Any) -> bool:
    """Whether a column's type holds no text: geometries, dates, booleans.

    Numbers are still looked at: an NHS number typed as a number is one.
    """
    name = str(dtype)
    return name == "geometry" or name.startswith(("datetime", "bool"))


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


def refuse_identifier_text(text: object, *, what: str) -> None:
    """Refuse free text given for an output (a title, a credit line) that holds an identifier.

    Maps, reports and diagrams carry no identifying data, so what an analyst types onto
    them is screened as a free-text cell is (``Jayden Smith``, ``07700 900123``).

    Parameters
    ----------
    text : object
        The text (``None`` and non-text are left to the caller's own checks).
    what : str
        What the text is, as the message names it ("the title").

    Raises
    ------
    PrivacyError
        Naming what the text looks like, never the text.
    """
    if not isinstance(text, str):
        return
    rule = identifier_rule(text, column="notes")
    if rule is not None:
        raise PrivacyError(
            f"{what} holds text that looks like {DESCRIPTIONS[rule]} (not shown): maps, "
            "reports and diagrams carry no identifying data; remove it"
        )


def redact_frame(frame: pd.DataFrame, *, table: str) -> pd.DataFrame:
    """Return a table as it may be written out: every identifier redacted.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cell values with their column names as written (names may repeat),
        as for :func:`find_identifiers`.
    table : str
        The table's name.

    Returns
    -------
    pandas.DataFrame
        A copy in which every cell that :func:`find_identifiers` finds (by its
        column's name or by its value) holds its rule's text from :data:`REDACTIONS`
        instead (the first rule in precedence when several match), and every column
        name that itself looks like an identifier is ``"column N"`` (1-based). Other
        cells are unchanged.
    """
    out = frame.copy()
    labels: list[Hashable] = list(frame.columns)
    for position, findings in _scan(frame, table, None):
        if not findings:
            continue
        # A name that is itself an identifier (a file without a header row) is withheld;
        # its finding lists the column's rows, not rows holding identifiers.
        header = header_rule(labels[position]) is not None
        if header:
            labels[position] = shown_header(str(labels[position]), position)
        cells = frame.iloc[:, position].astype(object).to_numpy(copy=True)
        done = np.zeros(len(cells), dtype=bool)
        for finding in findings:
            if header and finding.kind == "column_name":
                continue
            hit = frame.index.isin(list(finding.rows)) & ~done
            cells[hit] = REDACTIONS[finding.rule]
            done |= hit
        # Object cells: a set-aside cell may hold bytes that were not UTF-8 (lone
        # surrogates), which pandas' pyarrow strings cannot hold.
        column = pd.Series(cells, index=out.index, dtype=object)
        out.isetitem(position, column)  # type: ignore[arg-type]  # pandas-stubs lack Series
    out.columns = pd.Index(labels)
    return out
