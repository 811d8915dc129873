"""How identity fields are normalised before they are encoded.

Partners record the same young person differently: capitals, accents, hyphens and
apostrophes, a nickname, a date written the UK way, a postcode with or without its
space. Each field is brought to one form here, so that only real differences are left
for the similarity of the encodings (:mod:`peermap.linkage.encoding`) to absorb:

- **names** (``first_name``, ``last_name``): Unicode NFKD with the combining marks
  dropped (``Zoë`` is ``zoe``), case-folded (``ß`` is ``ss``), apostrophes removed
  (``O'Neil`` is ``oneil``), every other run of characters that are not letters
  (hyphens, spaces, dots, digits) one space (``Smith-Jones`` is ``smith jones``);
- **nicknames**: the first word of a name looked up in the list of the ``nicknames``
  package (hand-curated English given names and nicknames, Apache-2.0, shipped in the
  package), with the British short forms it lacks (``liv``, ``bex``, ``alfie``;
  ``peermap/data/short_forms.txt``). A nickname with one formal name is replaced by it
  (``lizzie`` is ``elizabeth``: :func:`formal_first_name`, first names only);
  every name in the list also gets its **group**, the formal names it may stand for
  and the nicknames that may stand for it (``sam``: samantha, samuel, ...; any other
  name is its own group: :func:`given_name_group`). A first name that is not in the
  list but one slip (a letter changed, dropped, added, or two swapped) from exactly one
  name in it is read as that name (:func:`listed_given_name`), and a first and last name
  entered the wrong way round are put back (:func:`oriented_names`);
- **dates of birth** (``dob``): ISO ``yyyy-mm-dd`` or UK ``dd/mm/yyyy`` (also with
  ``-`` or ``.`` between the parts, and one-digit days and months), or a date value;
  month/day/year (the US order) is not read;
- **sex**: ``m``/``male``/``boy`` and ``f``/``female``/``girl``; ``x``/``other`` kept as
  a third value; ``u``/``unknown`` and blanks are missing;
- **postcodes**: capitals without spaces, checked against the UK postcode pattern, then
  the outward code, the sector and the full postcode.

A blank cell is a missing field (the record is encoded without it). A cell that cannot
be read raises :class:`~peermap.exceptions.ValidationError` naming its row and column,
never its value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from peermap._optional import require

__all__ = [
    "FIELDS",
    "Normalised",
    "formal_first_name",
    "given_name_group",
    "listed_given_name",
    "normalise_date",
    "normalise_name",
    "normalise_postcode",
    "normalise_sex",
    "oriented_names",
]

#: The identity columns read, in this order.
FIELDS: tuple[str, ...] = ("first_name", "last_name", "dob", "sex", "postcode")

_APOSTROPHES = re.compile("['\u2019\u2018`\u02bc]")
_NOT_LETTERS = re.compile(r"[^a-z]+")
# A time of day may follow the date (what a spreadsheet's date cell becomes as text,
# ``2010-03-05 00:00:00``), as in the record tables: read past, but it must be one.
_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME, re.ASCII)
_UK = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})" + _TIME, re.ASCII)
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_SEX = {
    "m": "m",
    "male": "m",
    "boy": "m",
    "f": "f",
    "female": "f",
    "girl": "f",
    "x": "x",
    "other": "x",
    "u": "",
    "unknown": "",
    "not known": "",
}


@dataclass(frozen=True)
class Normalised:
    """One record's fields after normalisation (empty text where a field is missing)."""

    first_name: str = ""
    last_name: str = ""
    dob: dt.date | None = None
    sex: str = ""
    postcode: str = ""


def normalise_name(value: str) -> str:
    """Return a name in the one form peermap encodes.

    Parameters
    ----------
    value : str
        A first or last name as recorded.

    Returns
    -------
    str
        Lower-case ASCII letters in words separated by single spaces, or ``""``.

    Examples
    --------
    >>> normalise_name("  Zoë  O'Neil-Smith ")
    'zoe oneil smith'
    """
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = _APOSTROPHES.sub("", plain)
    return _NOT_LETTERS.sub(" ", plain).strip()


def _name_file(name: str) -> dict[str, set[str]]:
    """Each other form in a ``formal: other, ...`` file of ``peermap/data``, its formal names."""
    from importlib.resources import files

    text = files("peermap").joinpath("data", name).read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        formal, _, others = line.partition(":")
        for other in others.split(","):
            out.setdefault(other.strip(), set()).add(formal.strip())
    return out


@functools.lru_cache(maxsize=1)
def _short_forms() -> dict[str, frozenset[str]]:
    """Each British short form of ``peermap/data/short_forms.txt`` and its formal names."""
    return {name: frozenset(f) for name, f in _name_file("short_forms.txt").items()}


@functools.lru_cache(maxsize=1)
def _package_lookup() -> dict[str, frozenset[str]]:
    """Return the English nicknames: the ``nicknames`` package's and the short forms.

    The package's list is American and of older names; the British short forms of
    ``peermap/data/short_forms.txt`` (``liv``, ``bex``, ``alfie``) join it as its own.
    """
    lookup = {k: set(v) for k, v in require("nicknames").NickNamer().canonical_lookup.items()}
    for name, formal in _short_forms().items():
        lookup.setdefault(name, set()).update(formal)
    return {name: frozenset(formal) for name, formal in lookup.items()}


@functools.lru_cache(maxsize=1)
def _variants() -> dict[str, frozenset[str]]:
    """Each other spelling of ``peermap/data/name_variants.txt`` and its formal names."""
    return {name: frozenset(f) for name, f in _name_file("name_variants.txt").items()}


@functools.lru_cache(maxsize=1)
def _canonical_lookup() -> dict[str, frozenset[str]]:
    """Each nickname or other spelling and the formal names it may stand for.

    The ``nicknames`` package's English list, with the spellings of
    ``peermap/data/name_variants.txt`` (transliterations, short forms of Yoruba and
    Igbo names, Welsh, Irish and Polish forms) added: a spelling both give formal names
    for keeps all of them.
    """
    out = {name: set(formal) for name, formal in _package_lookup().items()}
    for name, formal in _variants().items():
        out.setdefault(name, set()).update(formal)
    return {name: frozenset(formal) for name, formal in out.items()}


@functools.lru_cache(maxsize=1)
def _nicknames_of() -> dict[str, frozenset[str]]:
    reverse: dict[str, set[str]] = {}
    for nickname, formal in _package_lookup().items():
        for name in formal:
            reverse.setdefault(name, set()).add(nickname)
    # The other spellings join the groups of names the nicknames list does not know
    # (muhammad, oluwaseun); an English name's group stays the list's (tomasz is read
    # as thomas by formal_first_name, not added to the group of thomas and tom).
    listed = _listed()
    for spelling, formal in _variants().items():
        for name in formal - listed:
            reverse.setdefault(name, set()).add(spelling)
    return {name: frozenset(nicks) for name, nicks in reverse.items()}


@functools.lru_cache(maxsize=1)
def _formal_names() -> frozenset[str]:
    return frozenset().union(*_canonical_lookup().values())


def given_name_group(name: str, *, unlisted: bool = True) -> tuple[str, ...]:
    """Return a name's nickname group: itself, its formal names and its nicknames.

    Parameters
    ----------
    name : str
        A name normalised by :func:`normalise_name`; its first word is looked up.
    unlisted : bool, default True
        Whether a name the list does not know is its own group (True for first names)
        or has none (False for last names, which would otherwise weigh more).

    Returns
    -------
    tuple of str
        The word, the formal names the ``nicknames`` package gives for it and the
        nicknames it gives for the word, alphabetically: a formal name and its nickname
        then share two names or more of their groups (``rebecca`` and ``becky`` share
        rebecca, becky and beck), not one. The word alone when the list does not know
        it (its own group, so that a first name outside the list weighs as much as one
        in it); empty for an empty name.

    Examples
    --------
    >>> given_name_group("tom")
    ('thom', 'thomas', 'tom', 'tommy')
    >>> given_name_group("becky")
    ('beck', 'becky', 'rebecca')
    """
    word = name.split(" ", 1)[0]
    if not word:
        return ()
    english = _variants().get(word, frozenset()) & _listed()
    if len(english) == 1 and word not in _listed():
        # Another spelling of a name of the nicknames list (padraig, wiktoria): the
        # group of that name, so that the two are one name.
        return given_name_group(next(iter(english)), unlisted=unlisted)
    formal = _canonical_lookup().get(word, frozenset())
    nicknames = _nicknames_of().get(word, frozenset())
    if formal or nicknames:
        return tuple(sorted(formal | nicknames | {word}))
    return (word,) if unlisted or word in _formal_names() else ()


@functools.lru_cache(maxsize=1)
def _package_names() -> frozenset[str]:
    """Return the ``nicknames`` package's names: what a slip of the keyboard is read as."""
    package = require("nicknames").NickNamer().canonical_lookup
    return frozenset(package).union(*package.values())


@functools.lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    # The nicknames package's names and the short forms only: the spellings of
    # name_variants.txt include common surnames (Hussain, Ahmed, Osman), and so do some
    # formal names of the short forms (Stanley), which would turn names round.
    return _package_names().union(_short_forms())


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
#: Shortest word read as a slip of a listed name (shorter words have too many neighbours).
_MIN_CORRECTED = 4


@functools.lru_cache(maxsize=65536)
def listed_given_name(word: str) -> str | None:
    """Return the given name of the list a first word is, or is one slip of the keyboard from.

    A word in the ``nicknames`` list (or a British short form) is itself. A word of four
    letters or more that is not in it, but is one edit (a letter changed, dropped, added,
    or two neighbours swapped: Damerau-Levenshtein distance 1) from exactly one listed
    name, is taken for a misspelling of that name (``olvia`` is ``olivia``; never of a
    short form: ``abid`` is not ``abi``, a name of its own); a word near none or several
    (``mai``: mia, may, ...) is no listed name.

    Parameters
    ----------
    word : str
        One normalised word.

    Returns
    -------
    str or None
    """
    listed = _listed()
    if word in listed:
        return word
    if len(word) < _MIN_CORRECTED:
        return None
    near: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            near.add(head + tail[1:])
            if len(tail) > 1:
                near.add(head + tail[1] + tail[0] + tail[2:])
        for letter in _LETTERS:
            near.add(head + letter + tail)
            if tail:
                near.add(head + letter + tail[1:])
    found = sorted(near & _package_names())
    return found[0] if len(found) == 1 else None


def oriented_names(first: str, last: str) -> tuple[str, str]:
    """Put first and last names the right way round when they were clearly swapped.

    When the last name's first word is a given name of the list (as written) and the
    first name's first word is not (nor a slip of one: :func:`listed_given_name`), the
    two were entered the wrong way round (``Khan Olivia``) and are swapped back. Both
    partners apply the same rule to their own records, so a record entered correctly
    and its swapped copy encode alike. Names that are both given names of the list, or
    neither, are left as written (the unordered ``names`` feature of the encoding still
    keeps most of a swap of those).

    Examples
    --------
    >>> oriented_names("khan", "olivia")
    ('olivia', 'khan')
    >>> oriented_names("olivia", "james")
    ('olivia', 'james')
    """
    first_word = first.split(" ", 1)[0]
    last_word = last.split(" ", 1)[0]
    if (
        first_word
        and last_word
        and listed_given_name(first_word) is None
        and last_word in _listed()
    ):
        return last, first
    return first, last


def formal_first_name(name: str) -> str:
    """Replace the first word of a normalised name by its one formal name, if it has one.

    A nickname the ``nicknames`` list gives exactly one formal name for is replaced, so
    that ``lizzie`` and ``elizabeth`` are encoded alike; an ambiguous one (``sam``:
    samuel, samantha, ...; ``tom``: thom, thomas) is kept as written, and only its group
    (:func:`given_name_group`) records the formal names.

    Examples
    --------
    >>> formal_first_name("lizzie may")
    'elizabeth may'
    >>> formal_first_name("sam")
    'sam'
    """
    word, _, rest = name.partition(" ")
    lookup = _canonical_lookup()
    formal = lookup.get(word, frozenset())
    if len(formal) != 1:
        return name
    (one,) = formal
    if word in _variants() and len(lookup.get(one, ())) == 1:
        # Another spelling of a name that is itself replaced (wiktoria, victoria,
        # vicki): encoded as that name is.
        (one,) = lookup[one]
    return " ".join(filter(None, (one, rest)))


def normalise_date(value: object) -> dt.date | None:
    """Read a date of birth in ISO (``yyyy-mm-dd``) or UK (``dd/mm/yyyy``) form.

    A time of day may follow (``2010-03-05 00:00:00``): it is read past, and must be
    one (``25:00`` is not).

    Parameters
    ----------
    value : str or date
        The cell: text, a :class:`datetime.date` or a pandas timestamp.

    Returns
    -------
    datetime.date or None
        The date, or None when the text is in neither form or is not a real date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    found = _ISO.fullmatch(text)
    if found:
        year, month, day = (int(part) for part in found.groups()[:3])
    else:
        found = _UK.fullmatch(text)
        if not found:
            return None
        day, month, year = (int(part) for part in found.groups()[:3])
    hour, minute, second = (int(part or 0) for part in found.groups()[3:])
    if hour > 23 or minute > 59 or second > 59:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def normalise_sex(value: str) -> str | None:
    """Return ``m``, ``f``, ``x`` or ``""`` (unknown) for a recorded sex; None if unreadable."""
    return _SEX.get(" ".join(value.split()).casefold())


def normalise_postcode(value: str) -> str | None:
    """Return a UK postcode in capitals without spaces, or None if it is not one.

    Examples
    --------
    >>> normalise_postcode(" sw1a  1aa ")
    'SW1A1AA'
    """
    compact = "".join(value.split()).upper()
    return compact if _POSTCODE.fullmatch(compact) else None
