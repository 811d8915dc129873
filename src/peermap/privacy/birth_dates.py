"""The date-of-birth test: a date said to be a birth date, or a date used as a person's key.

A record's dates (``seen 12/04/2024``) are not identifiers; a date of birth is. Free text
says which a date is: ``DOB 03/02/2010``, ``d.o.b. 2010-02-03``, ``born 3rd Feb 2010``,
``03.02.10 (DOB)``. A date that *is* a young person's key (``person_id`` ``2010-02-03``,
``SMITH-03/02/2010``) is a date of birth used as an identifier: a pseudonym holds no date;
so is a date in a column of ages (``age`` ``03/02/2010``). docs/privacy.md describes the
test and its limits.
"""

from __future__ import annotations

import calendar
import datetime
import re

__all__ = ["BIRTH_DATE_PATTERN", "KEY_BIRTH_MIN_AGE", "has_birth_date"]

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:[0-9]{4}|['’]?[0-9]{2})"
# Day, month and year with separators (3/2/2010, 03-02-10, 03.02.2010, 03 / 02 / 2010);
# year first (2010-02-03); in words (3rd Feb 2010, 3 of February, 2010; February 3, 2010).
_NUMERIC = r"[0-9]{1,2}\s?[/.-]\s?[0-9]{1,2}\s?[/.-]\s?(?:[0-9]{4}|[0-9]{2})"
_ISO = r"[0-9]{4}\s?[/.-]\s?[0-9]{1,2}\s?[/.-]\s?[0-9]{1,2}"
_WRITTEN = rf"{_DAY}(?:\s+of)?[\s/.-]+{_MONTHS}\.?,?[\s/.-]+{_YEAR}"
_MONTH_FIRST = rf"{_MONTHS}\.?\s+{_DAY},?\s+[0-9]{{4}}"
_DATE = rf"(?:{_ISO}|{_NUMERIC}|{_WRITTEN}|{_MONTH_FIRST})"
_MONTH_YEAR = rf"{_MONTHS}\.?,?\s+[0-9]{{4}}"
# After a birth word only: day, month and year run together or spaced (03022010,
# 03 02 2010), which elsewhere are as likely a number.
_COMPACT = r"[0-9]{2}\s?[0-9]{2}\s?[0-9]{4}"
# "DOB", "D.O.B.", "d o b", "date of birth", "birth date", "birthday", "b'day", "born (on)",
# "b." before a number ("b. 12/01/2007").
_BIRTH_WORD = (
    r"(?:d\s?\.?\s?o\s?\.?\s?b(?![a-z])\.?|date\s+of\s+birth|birth\s?date"
    r"|born(?:\s+on)?|birth\s?day|b['’]?day|b\.(?=\s?[0-9]))"
)
# Birth words that also name other days ("friend's birthday 12/04/2024", "plan b."): a
# date after them counts only if it is a young person's (KEY_BIRTH_MIN_AGE years ago).
_LOOSE_WORDS = re.compile(r"(?i)birth\s?day|b['’]?day|b\.")
_DOB_WORD = r"(?:d\s?\.?\s?o\s?\.?\s?b(?![a-z])|date\s+of\s+birth|birth\s?date)\.?"
_NOT_IN_NUMBER = r"(?<![0-9])"
_NOT_BEFORE_NUMBER = r"(?![0-9])"

#: A birth word and a date after it, a date and a birth word after it, or a date alone
#: (which :func:`has_birth_date` counts only in a person's key).
_AFTER_WORD = rf"(?:{_DATE}|{_MONTH_YEAR}|{_COMPACT})"
_WORD_THEN_DATE_TEXT = (
    rf"(?<![a-z])({_BIRTH_WORD})[\s:;=,.(\[–—-]{{0,5}}({_AFTER_WORD}){_NOT_BEFORE_NUMBER}"
)
_ANY_DATE_TEXT = rf"{_NOT_IN_NUMBER}({_DATE}){_NOT_BEFORE_NUMBER}"
BIRTH_DATE_PATTERN = re.compile(rf"(?i){_WORD_THEN_DATE_TEXT}|{_ANY_DATE_TEXT}")
_WORD_THEN_DATE = re.compile(rf"(?i){_WORD_THEN_DATE_TEXT}")
# A date, then "DOB" in brackets or ending the cell: "03.02.10 (DOB)", "3/2/2010 - dob"
# (not "seen 12/04/2024, DOB unknown").
_DATE_THEN_WORD = re.compile(
    rf"(?i){_NOT_IN_NUMBER}({_DATE})\s*(?:[(\[]\s*{_DOB_WORD}\s*[)\]]|[,;:–—-]?\s*{_DOB_WORD}\s*$)"
)
_ANY_DATE = re.compile(rf"(?i){_ANY_DATE_TEXT}")
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def _valid(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    leap_year = 2000 if year is None else year
    return day <= calendar.monthrange(leap_year, month)[1]


#: Youngest age whose date of birth a young person's key may hold: a date in a key
#: counts as a birth date only if it is at least this many years ago (a record's own
#: date, shifted into the key column of a damaged export, is not one).
KEY_BIRTH_MIN_AGE = 8


def _year_of(text: str) -> int | None:
    """Return the four-digit year of a date the pattern found (19xx or 20xx for two)."""
    numbers = [int(n) for n in re.findall(r"[0-9]+", text)]
    if not numbers:
        return None
    year = numbers[0] if numbers[0] >= 100 else numbers[-1]
    if year < 100:
        year += 2000 if 2000 + year <= datetime.date.today().year else 1900
    return year


def _is_birth_year(text: str) -> bool:
    year = _year_of(text)
    return year is not None and 1900 <= year <= datetime.date.today().year - KEY_BIRTH_MIN_AGE


def _is_date(text: str) -> bool:
    """Whether a text the date pattern found is a real calendar date."""
    month_word = re.search(r"(?i)[a-z]{3,}", text)
    digits = re.sub(r"\s", "", text)
    if digits.isdigit() and len(digits) == 8:  # 03022010
        text = f"{digits[:2]}/{digits[2:4]}/{digits[4:]}"
    numbers = [int(n) for n in re.findall(r"[0-9]+", re.sub(r"(?i)(st|nd|rd|th)\b", "", text))]
    if month_word is not None:
        if not numbers:
            return False
        month = _MONTH_NUMBERS.get(month_word.group().lower()[:3])
        if month is None:
            return False
        if len(numbers) == 1:  # a month and a year
            return True
        year = numbers[-1] if numbers[-1] >= 100 else None
        return _valid(numbers[0], month, year)
    if len(numbers) != 3:
        return False
    first, second, third = numbers
    if first >= 100:  # year, month, day
        return _valid(third, second, first)
    year = third if third >= 100 else None
    # Day first, as in England; month first as written in some systems.
    return _valid(first, second, year) or _valid(second, first, year)


def has_birth_date(text: str, *, person_key: bool = False, age: bool = False) -> bool:
    """Whether `text` holds a date of birth.

    Parameters
    ----------
    text : str
        A cell.
    person_key : bool, default False
        Whether the cell is a young person's key (``person_id``, ``person_a``,
        ``person_b``): there any real calendar date at least
        :data:`KEY_BIRTH_MIN_AGE` years ago is a date of birth.
    age : bool, default False
        Whether the cell is in a column of ages (``age``, ``age_at_referral``): there
        any real calendar date is a date of birth, typed where the age belongs.

    Returns
    -------
    bool
        True for a real calendar date next to a birth word (``DOB``, ``D.O.B.``,
        ``date of birth``, ``birth date``, ``birthday``, ``born``), before or after it,
        or (after a birth word) a month and a year; in a person's key, any real date
        at least :data:`KEY_BIRTH_MIN_AGE` years ago; in a column of ages, any real
        date.
    """
    if age and any(_is_date(m.group(1)) for m in _ANY_DATE.finditer(text)):
        return True
    for m in _WORD_THEN_DATE.finditer(text):
        loose = _LOOSE_WORDS.fullmatch(m.group(1).strip()) is not None
        if _is_date(m.group(2)) and (not loose or _is_birth_year(m.group(2))):
            return True
    if any(_is_date(m.group(1)) for m in _DATE_THEN_WORD.finditer(text)):
        return True
    # In a key, a date with its year in full or its month in words: "10-11-12" or
    # "PL 12-3-15" is as likely a local id.
    return person_key and any(
        _is_date(m.group(1))
        and _is_birth_year(m.group(1))
        and (re.search(r"[0-9]{4}", m.group(1)) or re.search(r"(?i)[a-z]{3}", m.group(1)))
        for m in _ANY_DATE.finditer(text)
    )
