"""Finding direct identifiers: names, dates of birth, addresses, postcodes, numbers.

:func:`find_identifiers` looks at a table's column names and values and returns an
:class:`IdentifierFinding` for every column that looks like it holds direct
identifiers; :func:`refuse_identifiers` raises :class:`~peermap.PrivacyError` when
there is one. Findings never echo the values they found.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import settings
from peermap._problems import WITHHELD
from peermap.exceptions import PrivacyError
from peermap.privacy.pseudonyms import PSEUDONYM_PATTERN
from peermap.schema import DERIVED, TABLES

__all__ = [
    "IDENTIFIER_RULES",
    "IdentifierFinding",
    "find_identifiers",
    "refuse_identifiers",
    "shown_value",
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
)
"""Every rule an :class:`IdentifierFinding` may name."""

_DESCRIPTIONS = {
    "name": "a person's name",
    "date_of_birth": "a date of birth",
    "address": "an address",
    "postcode": "a full postcode",
    "phone": "a phone number",
    "email": "an email address",
    "nhs_number": "an NHS number",
    "pupil_number": "a pupil or learner number (UPN/ULN)",
    "ni_number": "a National Insurance number",
}

# Record schema v1's own columns, and those peermap adds, are never identifiers by name
# (their values are still checked).
_SCHEMA_COLUMNS = frozenset(
    {column.name for table in TABLES.values() for column in table.columns}
    | {column for columns in DERIVED.values() for column in columns}
)

_NUMBER = r"(?:number|num|nbr|no|nr)"
_NON_PERSON_NAME = (
    r"(?:^|_)(?:authority|la|lad|lea|lsoa|msoa|oa|ward|area|district|borough|county|region"
    r"|country|constituency|parish|locality|town|city|village|neighbou?rhood|geography|geo"
    r"|school|academy|college|university|nursery|setting|establishment|organi[sz]ation|org"
    r"|agency|team|service|provider|trust|partner|partnership|source|file|layer|dataset|table"
    r"|column|field|variable|category|type|kind|context|venue|place|location|site|premises"
    r"|business|company|shop|store|hotel|pub|bar|restaurant|park|club|station|event|project"
    r"|operation|sheet|host|path|unit|route|zone|beat|force|product|app|platform|brand"
    r"|street|road)_?names?"
)


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


# Tried in order; a column is reported under the first rule its name matches.
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
            r"|(?:^|_)born_?on(?:_|$)"
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
        "name",
        re.compile(r"names?\d*(?:_|$)|(?:^|_)(?:initials|alias|aliases|aka|known_?as)(?:_|$)"),
        allowed=re.compile(_NON_PERSON_NAME),
    ),
)
_PLACES_VENUE_NAME = re.compile(r"^names?$")


def _name_forms(column: str) -> tuple[str, ...]:
    """Column name normalised: lowercase, runs of non-alphanumerics -> ``_``.

    Returned both as written and with camelCase split (``ChildDOB`` -> ``child_dob``).
    """
    plain = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
    split = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
    split = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", split)
    split = re.sub(r"[^a-z0-9]+", "_", split.lower()).strip("_")
    return (plain,) if split == plain else (plain, split)


def _column_name_rule(column: str, *, places: bool) -> str | None:
    forms = _name_forms(column)
    if any(form in _SCHEMA_COLUMNS for form in forms):
        return None
    if places:
        forms = tuple(_PLACES_VENUE_NAME.sub("_", form) for form in forms)
    for rule in _NAME_RULES:
        if any(rule.matches(form) for form in forms):
            return rule.rule
    return None


# ---- value rules ----------------------------------------------------------

_NOT_AFTER_ALNUM = r"(?<![0-9A-Za-z])"
_NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"
_NOT_DECIMAL_PART = r"(?<![0-9][.,])"

# Outward code: A9, A99, A9A, AA9, AA99, AA9A with the official letter sets; inward
# code: a digit and two letters other than C I K M O V. Partial postcodes never match.
_POSTCODE = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}(?:"
    r"[A-PR-UWYZ](?:[0-9][0-9]?|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][0-9]?|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r"\s{0,2}[0-9][ABD-HJLNP-UW-Z]{2}"
    rf"|GIR\s{{0,2}}0AA){_NOT_BEFORE_ALNUM}"
)
_EMAIL = re.compile(
    r"(?i)(?<![A-Z0-9._%+'-])[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}"
)
# UK numbers: 10 or 11 digits from a leading 0, or +44 / 0044 and 9 or 10 digits
# (an optional "(0)" between); spaces, hyphens and brackets may separate digits.
_PHONE_SEPARATOR = r"[ ()-]{0,2}"
_PHONE = re.compile(
    rf"{_NOT_AFTER_ALNUM}{_NOT_DECIMAL_PART}(?:"
    rf"(?:\+|00)44{_PHONE_SEPARATOR}(?:\(0\){_PHONE_SEPARATOR})?[1-35789]"
    rf"(?:{_PHONE_SEPARATOR}[0-9]){{8,9}}"
    rf"|\(?0[1-35789](?:{_PHONE_SEPARATOR}[0-9]){{8,9}}"
    rf"){_NOT_BEFORE_ALNUM}(?!:[0-9])"
)
_DATE_START = re.compile(r"\(?[0-9]{1,2}[-/. ][0-9]{1,2}[-/. ][0-9]{2,4}(?![0-9])")
_NHS = re.compile(
    rf"{_NOT_AFTER_ALNUM}{_NOT_DECIMAL_PART}[0-9]{{3}}[ -]?[0-9]{{3}}[ -]?[0-9]{{4}}"
    rf"{_NOT_BEFORE_ALNUM}"
)
# Prefix: first letter not D F I Q U V, second not D F I O Q U V, and not BG GB KN NK
# NT TN ZZ; then six digits and a suffix A-D.
_NINO = re.compile(
    rf"(?i){_NOT_AFTER_ALNUM}(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    rf"\s?[0-9]{{2}}\s?[0-9]{{2}}\s?[0-9]{{2}}\s?[A-D]{_NOT_BEFORE_ALNUM}"
)


def _nhs_check_digit_valid(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:  # repeated digits are placeholders
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _has_valid_nhs_number(text: str) -> bool:
    return any(
        _nhs_check_digit_valid(re.sub(r"[^0-9]", "", m.group())) for m in _NHS.finditer(text)
    )


def _has_phone_number(text: str) -> bool:
    return any(_DATE_START.match(m.group()) is None for m in _PHONE.finditer(text))


@dataclass(frozen=True)
class _ValueRule:
    rule: str
    pattern: re.Pattern[str]
    confirm: Callable[[str], bool] | None = None


_VALUE_RULES: tuple[_ValueRule, ...] = (
    _ValueRule("postcode", _POSTCODE),
    _ValueRule("email", _EMAIL),
    _ValueRule("phone", _PHONE, _has_phone_number),
    _ValueRule("nhs_number", _NHS, _has_valid_nhs_number),
    _ValueRule("ni_number", _NINO),
)


def _value_rules_in(text: str) -> list[str]:
    return [
        rule.rule
        for rule in _VALUE_RULES
        if rule.pattern.search(text) and (rule.confirm is None or rule.confirm(text))
    ]


#: Longest cell echoed in a message, in characters; a longer one is cut.
SHOWN_CHARS = 200


@functools.lru_cache(maxsize=65_536)
def shown_value(text: str) -> str:
    r"""Return a cell as a problem may echo it: never an identifier, always visible.

    Every reader and check passes the values it echoes through here.

    Parameters
    ----------
    text : str
        The cell (or row) as read.

    Returns
    -------
    str
        ``"<withheld>"`` when the text holds something that looks like a direct
        identifier (a postcode, email, phone, NHS or National Insurance number, by the
        same rules as :func:`find_identifiers`); otherwise the text with control and
        other invisible characters written as escapes (``\x00``), cut after
        :data:`SHOWN_CHARS` characters with its length said.
    """
    if _value_rules_in(text):
        return WITHHELD
    visible = "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in text
    )
    if len(visible) > SHOWN_CHARS:
        return f"{visible[: SHOWN_CHARS - 3]}... ({len(text):,} characters)"
    return visible


# ---- findings -------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierFinding:
    """One column of a table that carries direct identifiers.

    Attributes
    ----------
    table : str
        The table, as given to :func:`find_identifiers`.
    column : str
        The column name; or ``"column N"`` (1-based position) when the name itself
        looks like an identifier and is withheld.
    rule : str
        What was found, one of :data:`IDENTIFIER_RULES`.
    kind : {"column_name", "value"}
        ``"column_name"``: the column's name says it holds identifiers;
        ``"value"``: some values look like identifiers.
    rows : tuple
        Index labels of the offending rows: for ``"value"``, the rows whose value
        matches the rule; for ``"column_name"``, the rows holding non-empty values
        that are not pseudonyms.
    message : str
        Says the table, column, rule, how many rows and how to fix it. Never
        contains an offending value.
    """

    table: str
    column: str
    rule: str
    kind: Literal["column_name", "value"]
    rows: tuple[Hashable, ...]
    message: str


_PY_STRING = pd.StringDtype("python")
_ROWS_SHOWN = 5


def _rows_hold(rows: tuple[Hashable, ...]) -> str:
    """``"1 row (row 7) holds"`` / ``"3 rows (rows 2, 5, 9) hold"``."""
    count = len(rows)
    noun, verb = ("row", "holds") if count == 1 else ("rows", "hold")
    shown = rows[:_ROWS_SHOWN]
    if not all(isinstance(r, int | np.integer) and not isinstance(r, bool) for r in shown):
        # Only row numbers are shown: an index of other labels might itself identify.
        return f"{count} {noun} {verb}"
    listed = ", ".join(str(r) for r in shown)
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return f"{count} {noun} ({noun} {listed}{more}) {verb}"


def _fix(column: str) -> str:
    return (
        f"pseudonymise it with the partnership key: peermap.pseudonymise(frame, [{column!r}], "
        "key=...) in Python, or the `peermap pseudonymise` command"
    )


class _Cells:
    """A column's distinct values as text, with per-row codes (-1 = missing)."""

    def __init__(self, series: pd.Series[Any]) -> None:
        text = series.astype(_PY_STRING)
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        self.index = series.index
        self.codes = np.asarray(codes)
        self.values = pd.Series(np.asarray(uniques, dtype=object), dtype=_PY_STRING)
        stripped = self.values.str.strip()
        pseudonymous = stripped.str.fullmatch(PSEUDONYM_PATTERN).to_numpy(dtype=bool)
        # Per distinct value: non-empty and not a pseudonym.
        self.content = (stripped != "").to_numpy(dtype=bool) & ~pseudonymous

    def rows(self, mask: npt.NDArray[np.bool_]) -> tuple[Hashable, ...]:
        """Index labels of the rows whose distinct value is selected by `mask`."""
        present = self.codes >= 0
        selected = np.zeros(len(self.codes), dtype=bool)
        selected[present] = mask[self.codes[present]]
        return tuple(self.index[selected].tolist())

    def matching(self, rule: _ValueRule) -> npt.NDArray[np.bool_]:
        """Mask of the distinct values in which `rule` finds an identifier."""
        hits = self.values.str.contains(rule.pattern.pattern, regex=True).to_numpy(dtype=bool)
        hits &= self.content
        if rule.confirm is not None:
            for i in np.flatnonzero(hits):
                hits[i] = rule.confirm(str(self.values.iloc[i]))
        return hits


def _header_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...]
) -> IdentifierFinding:
    message = (
        f"table {table!r}, {column}: the column's name looks like {_DESCRIPTIONS[rule]} "
        f"(rule {rule!r}), so it is not shown; {_rows_hold(rows)} values. If the file has "
        "no header row, add one; otherwise rename the column."
    )
    return IdentifierFinding(table, column, rule, "column_name", rows, message)


def _name_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...]
) -> IdentifierFinding:
    message = (
        f"table {table!r}, column {column!r}: the column name looks like "
        f"{_DESCRIPTIONS[rule]} (rule {rule!r}) and {_rows_hold(rows)} values that are not "
        f"peermap pseudonyms. Remove the column, or {_fix(column)}."
    )
    return IdentifierFinding(table, column, rule, "column_name", rows, message)


def _value_finding(
    table: str, column: str, rule: str, rows: tuple[Hashable, ...], *, name_withheld: bool
) -> IdentifierFinding:
    partial = (
        " (a partial postcode, such as the district, is allowed)" if rule == "postcode" else ""
    )
    if name_withheld:
        where = f"table {table!r}, {column}"
        fix = (
            f"Remove it from those cells{partial}; first add a header row to the file, or "
            "rename the column, as its name also looks like an identifier."
        )
    else:
        where = f"table {table!r}, column {column!r}"
        fix = (
            f"Remove it from those cells{partial}, remove the column, or, if the column holds "
            f"identifiers, {_fix(column)}."
        )
    message = (
        f"{where}: {_rows_hold(rows)} text that looks like {_DESCRIPTIONS[rule]} "
        f"(rule {rule!r}). {fix}"
    )
    return IdentifierFinding(table, column, rule, "value", rows, message)


def find_identifiers(frame: pd.DataFrame, *, table: str) -> list[IdentifierFinding]:
    """Find columns that carry direct identifiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cell values (normally strings; ``""`` or missing for empty cells),
        indexed by the row numbers the user sees.
    table : str
        The table's name, used in messages; in the ``places`` table a column called
        ``name`` is a venue's name and allowed.

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
    findings: list[IdentifierFinding] = []
    places = re.sub(r"[^a-z0-9]+", "_", str(table).lower()).strip("_") in {"places", "place"}
    for position in range(frame.shape[1]):
        label = str(frame.columns[position])
        cells = _Cells(frame.iloc[:, position])
        header_rules = _value_rules_in(label)
        if header_rules:
            # The name is itself an identifier (a file without a header row): withhold it.
            column = f"column {position + 1}"
            findings.append(
                _header_finding(table, column, header_rules[0], cells.rows(cells.content))
            )
        else:
            column = label
            rule = _column_name_rule(label, places=places)
            rows = cells.rows(cells.content) if rule is not None else ()
            if rule is not None and rows:
                findings.append(_name_finding(table, column, rule, rows))
                continue  # the whole column is refused; its values need no listing
        for value_rule in _VALUE_RULES:
            hits = cells.matching(value_rule)
            if hits.any():
                findings.append(
                    _value_finding(
                        table,
                        column,
                        value_rule.rule,
                        cells.rows(hits),
                        name_withheld=bool(header_rules),
                    )
                )
    return findings


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
