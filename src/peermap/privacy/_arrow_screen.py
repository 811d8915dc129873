r"""The identifier scan's first pass, in C++: RE2 over a column's distinct values.

The scan (:func:`peermap.privacy.identifiers.find_identifiers`) looks at every cell,
once per distinct value of its column: :class:`DistinctCells` splits a column into
per-row codes and its distinct values (the read's pyarrow dictionary encoding,
:func:`peermap._distinct.encoding`), and :meth:`DistinctCells.screen` runs RE2 patterns
over the distinct values at once (``pyarrow.compute.match_substring_regex``): one
alternation of every rule's first pattern, then each rule's on the values it found.
Only the values a rule's screen finds go on to that rule's Python regular expression
and confirmation (check digits, phone number parsing...). Before the screens, whole
values in which no rule finds anything are dropped (``skip``: peermap pseudonyms, which
the scan counts as no content); and a rule's screen leaves out the whole values it can
never find (``never``: a date or a date-time alone holds no phone number). Each is one
RE2 pass over whole values; the screens themselves found columns of such values (parts
of postcodes in a pseudonym's letters and digits, seven digits in a date-time) and
sent every one of them on to Python.

A screen must find *at least* every value its rule finds, or an identifier would get
through. :func:`re2_superset` makes one from the rule's Python pattern by keeping
everything but its zero-width assertions (lookarounds, ``^``, ``$``, ``\b``...): an
assertion consumes nothing, so without it every match still matches, and more. The
two engines agree on the rest for ASCII text (``\s`` is written out as Python's set
of ASCII whitespace, which RE2's ``\s`` lacks ``\v`` and ``\x1c-\x1f`` of), so a
screen is only trusted on ASCII values: every value with a character beyond ASCII
(case folding, Unicode spaces and digits differ between the engines) goes to every
rule in Python, as all values did before. ``tests/test_identifier_screen.py`` checks
the superset on the labelled values and on random texts built near each rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from peermap._distinct import encoding
from peermap.privacy.phones import DATE_CELL
from peermap.privacy.pseudonyms import PSEUDONYM_PATTERN

__all__ = [
    "AFTER_NO_NUMBER",
    "CLK_PADDING",
    "DATE_ONLY",
    "NHS_SCREEN",
    "NINO_SCREEN",
    "PHONE_SCREEN",
    "PSEUDONYM_ONLY",
    "DistinctCells",
    "re2_superset",
]

# Python's \s on ASCII text: tab, line feed, vertical tab, form feed, carriage return,
# the four information separators and space. RE2's \s lacks \v and \x1c-\x1f.
_ASCII_SPACE = r"\t-\r\x1c-\x1f "
_ESCAPES = {
    "s": f"[{_ASCII_SPACE}]",
    "S": f"[^{_ASCII_SPACE}]",
}
_IN_CLASS = {"s": _ASCII_SPACE}
# Zero-width assertions: dropped (a screen may find more than its pattern, never less).
_ASSERTIONS = frozenset("bBAZ")
# Escapes RE2 reads as Python does, on ASCII text.
_SAME = frozenset("dDwWtnrfv") | frozenset("\\.^$|?*+()[]{}/-'\"#&~%@!,:;<=>_` ")


def _class_end(pattern: str, start: int) -> int:
    """Index just past the character class opening at `start`."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1  # a leading "]" is a literal
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _group_end(pattern: str, start: int) -> int:
    """Index just past the group opening at `start`."""
    depth, i = 0, start
    while True:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        i += 1
        if depth == 0:
            return i


def _escape(pattern: str, i: int, table: Mapping[str, str]) -> tuple[str, int]:
    """Return the escape at `i` written for RE2, and the index past it."""
    c = pattern[i + 1]
    if c in table:
        return table[c], i + 2
    if c == "x":
        return pattern[i : i + 4], i + 4
    if c == "u":
        return f"\\x{{{pattern[i + 2 : i + 6]}}}", i + 6
    if c in _SAME or not c.isalnum():
        return pattern[i : i + 2], i + 2
    raise ValueError(f"no RE2 screen for the escape \\{c} in {pattern!r}")


def re2_superset(pattern: str) -> str:
    r"""Return an RE2 pattern finding, in ASCII text, every text `pattern` finds.

    Parameters
    ----------
    pattern : str
        A Python regular expression, searched for (``re.search``).

    Returns
    -------
    str
        The same expression without its zero-width assertions (lookaheads,
        lookbehinds, ``^``, ``$``, ``\b``, ``\B``, ``\A``, ``\Z``) and with
        ``\s`` written as Python's ASCII whitespace. It finds every ASCII text the
        pattern finds, and may find more.

    Raises
    ------
    ValueError
        For what RE2 would read differently (a ``{,n}`` repeat, inline flags other
        than ``i``, escapes it lacks): add it here rather than trust a screen.
    """
    if "{," in pattern:
        raise ValueError(f"no RE2 screen for a {{,n}} repeat in {pattern!r}")
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1] in _ASSERTIONS:
                i += 2
                continue
            text, i = _escape(pattern, i, _ESCAPES)
            out.append(text)
        elif c == "[":
            end = _class_end(pattern, i)
            j, inner = i + 1, []
            while j < end - 1:
                if pattern[j] == "\\":
                    text, j = _escape(pattern, j, _IN_CLASS)
                    inner.append(text)
                else:
                    inner.append(pattern[j])
                    j += 1
            out.append("[" + "".join(inner) + "]")
            i = end
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
        elif pattern.startswith("(?", i) and pattern[i + 2 : i + 3] not in (":", "P"):
            end = i + 2
            while pattern[end].isalpha():
                end += 1
            if set(pattern[i + 2 : end]) - {"i"}:
                raise ValueError(f"no RE2 screen for the flags in {pattern!r}")
            out.append(pattern[i:end])
            i = end
        elif c in "^$":
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _found(values: pa.Array, pattern: str) -> npt.NDArray[np.bool_]:
    """Mask of the values in which RE2 finds `pattern`."""
    found = pc.match_substring_regex(values, pattern).to_numpy(zero_copy_only=False)
    return np.asarray(found, dtype=bool)


# ---- whole values no rule, or one rule, finds anything in ----------------------------
# A peermap pseudonym, with the ASCII spaces str.strip() removes (the scan's _screen
# says it has no content; identifier_rule returns None for it).
PSEUDONYM_ONLY = rf"^[{_ASCII_SPACE}]*{PSEUDONYM_PATTERN}[{_ASCII_SPACE}]*$"
# A date or a date-time alone: no phone number (phones.DATE_CELL), and a date of birth
# only in a young person's key or a column of ages (no birth word can be in it).
DATE_ONLY = f"^(?:{DATE_CELL})$"
# What every CLK ends in: the first pattern of the CLK rule's screen, in the alternation
# of all rules' (its 170 characters in a row, there, made RE2's DFA give up on columns
# of long letters and digits, pseudonyms' among them, and take seconds).
CLK_PADDING = "[AEIMQUYcgkosw048]="


class DistinctCells:
    """A column's distinct values, with per-row codes, for the identifier scan.

    Parameters
    ----------
    series : pandas.Series
        The cells (text; missing for empty), indexed by row number.

    Attributes
    ----------
    codes : numpy.ndarray
        For each row, the position of its value among the distinct values; ``-1``
        for a missing cell.
    used : numpy.ndarray
        Positions of the distinct values some row holds (a read's dictionary may
        hold others).
    """

    def __init__(self, series: pd.Series[Any]) -> None:
        self.index = series.index
        self._arrow: pa.Array | None = None
        self._text: list[str] | None = None
        found = encoding(series)
        if found is not None:
            self._arrow, codes = found.dictionary, found.codes
        else:
            if series.dtype != object or pd.api.types.infer_dtype(series) not in (
                "string",
                "empty",
            ):
                # Distinct values, then text, differ from text, then distinct values
                # for numbers (1 and 1.0): text first.
                series = series.astype(pd.StringDtype("python"))
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            self._text = [str(v) for v in np.asarray(uniques, dtype=object)]
            try:
                self._arrow = pa.array(self._text, pa.large_string())
            except (UnicodeEncodeError, pa.ArrowException):
                self._arrow = None  # bytes that were not UTF-8: every value in Python
        self.codes = np.asarray(codes)
        self.size = len(self._arrow) if self._arrow is not None else len(self._text or [])
        used = np.zeros(self.size + 1, dtype=bool)
        used[self.codes] = True  # a missing cell's -1 marks the extra last entry
        self.used = np.flatnonzero(used[:-1])
        #: Positions of the used values :meth:`screen` dropped as `skip` finds them.
        self.skipped = self.used[:0]

    def texts(self, positions: npt.NDArray[np.intp]) -> list[str]:
        """Return the distinct values at `positions` as Python strings."""
        if self._text is not None:
            return [self._text[i] for i in positions.tolist()]
        assert self._arrow is not None
        values: list[str] = self._arrow.take(pa.array(positions, pa.int64())).to_pylist()
        return values

    def screen(
        self,
        screens: Mapping[str, tuple[str, ...]],
        never: Mapping[str, str] | None = None,
        *,
        skip: str | None = PSEUDONYM_ONLY,
    ) -> dict[str, npt.NDArray[np.intp]]:
        """Return, for each rule, the positions of the used values its screen finds.

        Parameters
        ----------
        screens : mapping of str to tuple of str
            Rule -> RE2 patterns, all found, in ASCII text, in every value the rule
            finds (:func:`re2_superset`); a value is screened in when all are found.
        never : mapping of str to str, optional
            Rule -> RE2 pattern of the ASCII values in which that rule finds nothing
            (whole values, anchored: :data:`DATE_ONLY`): left out of its screen's.
        skip : str, optional
            RE2 pattern of the ASCII values in which no rule finds anything (whole
            values, anchored), dropped before the screens and kept in
            :attr:`skipped`; by default :data:`PSEUDONYM_ONLY`.

        Returns
        -------
        dict of str to numpy.ndarray
            Rule -> positions (among the distinct values) of the used values its
            screen finds, and of every used value with a character beyond ASCII.
        """
        if self._arrow is None:
            return dict.fromkeys(screens, self.used)
        used = self.used
        values = self._arrow.take(pa.array(used, pa.int64()))
        other = ~np.asarray(pc.string_is_ascii(values).to_numpy(zero_copy_only=False), bool)
        if skip is not None:
            dropped = _found(values, skip) & ~other
            if dropped.any():
                self.skipped, used = used[dropped], used[~dropped]
                values, other = values.filter(pa.array(~dropped)), other[~dropped]
        # One pass for all rules first (RE2 runs an alternation in one scan; a flag
        # set in a group holds to its end), then each rule on the values it left.
        ascii_values = pc.filter(values, pa.array(~other))
        either = "|".join(f"(?:{patterns[0]})" for patterns in screens.values() if patterns)
        screened = np.zeros(len(values), dtype=bool)
        screened[~other] = _found(ascii_values, either)
        left_out: dict[str, npt.NDArray[np.bool_]] = {}  # by pattern of `never`
        found = {}
        for rule, patterns in screens.items():
            hit = screened.copy() if patterns else ~other
            unfound = (never or {}).get(rule)
            if unfound is not None and hit.any():
                if unfound not in left_out:
                    left_out[unfound] = np.zeros(len(values), dtype=bool)
                    candidates = pc.filter(values, pa.array(screened))
                    left_out[unfound][screened] = _found(candidates, unfound)
                hit &= ~left_out[unfound]
            for pattern in patterns:
                if hit.any():
                    hit[hit] = _found(pc.filter(values, pa.array(hit)), pattern)
            found[rule] = used[hit | other]
        return found

    def rows(self, mask: npt.NDArray[np.bool_]) -> tuple[Hashable, ...]:
        """Index labels of the rows whose distinct value `mask` selects."""
        present = self.codes >= 0
        selected = np.zeros(len(self.codes), dtype=bool)
        selected[present] = mask[self.codes[present]]
        return tuple(self.index[selected].tolist())


# ---- screens of the identifier rules' confirmations ------------------------------
# For peermap.privacy.identifiers: RE2, for ASCII text, what a rule's confirmation
# accepts, beyond its prefilter without its assertions. AFTER_NO_NUMBER is the rules'
# "not after a letter or digit, nor after a number's decimal point" as RE2, consuming
# the character before (start, or not a letter or digit; a "." or "," only at the start
# or after a non-digit): a coordinate's decimals are no NHS number. A phone number
# needs a candidate that is not a decimal (the candidates' separators hold no ","), so
# it has seven digits in a row after no number, a "+" or "(" before a digit, a space,
# bracket or hyphen between digits, or two dots.
AFTER_NO_NUMBER = r"(?:^|[^0-9A-Za-z.,]|(?:^|[^0-9])[.,])"
NHS_SCREEN = (rf"{AFTER_NO_NUMBER}[0-9]{{3}}[ .-]?[0-9]{{3}}[ .-]?[0-9]{{4}}",)
PHONE_SCREEN = (
    rf"{AFTER_NO_NUMBER}\+?\(?[0-9](?:[ ().-]{{0,3}}[0-9]){{6,}}",
    rf"{AFTER_NO_NUMBER}[0-9]{{7}}|[+(][0-9]|[0-9][ ().-]{{0,2}}[ ()-][ ().-]{{0,2}}[0-9]"
    r"|\.[0-9]*\.",
)
# What the NI number rule's confirmation accepts: a match ending in its suffix letter,
# or one with a separator between two of its digit pairs (the only place where a
# digit, a space or hyphen and a digit can sit in a match), its assertions left out.
# The demo's ids (yp-000123) match the NI number pattern but neither of these.
NINO_LETTERS = "[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
NINO_SCREEN = (
    (
        rf"(?i){NINO_LETTERS}(?:[ -]?[0-9]{{2}}){{3}}[ -]?[A-D]"
        rf"|{NINO_LETTERS}[ -]?[0-9]{{2}}(?:[ -][0-9]{{2}}[ -]?|[ -]?[0-9]{{2}}[ -])[0-9]{{2}}"
    ),
)
