"""Small-count suppression: what an aggregate count may show to an audience.

Counts of children are personal data when small: "3 young people from Northmere were seen
at this hotel" can single a child out. Every aggregate peermap shows beyond the
partnership (public maps; later aggregate exports) goes through one rule, kept here:

1. a count below ``min_count`` is **suppressed**: it is shown as the marker ``c``
   (``peermap.settings.suppressed_marker``; DfE tables use ``c`` for confidential),
   never as a number. Zero is suppressed too: a shown ``0`` beside ``c`` cells would tell
   the reader that every ``c`` is at least 1;
2. a count at or above ``min_count`` is **rounded** to the nearest multiple of
   ``round_to`` (halves up), and never shown below the threshold: with the ONS rule
   (``min_count=10``, ``round_to=5``) 10-12 show as 10, 13-17 as 15, 18-22 as 20;
3. a missing count (not applicable) is shown as ``z``, as in DfE tables;
4. a **share** (a percentage) is shown only when both its part and the rest of the
   whole are shown counts (at least ``min_count`` each); otherwise it is suppressed too,
   because a share and its total give the part back.

The defaults come from :mod:`peermap.settings` (``min_count``, ``round_to``,
``suppressed_marker``) and every function takes them as keywords, so the rule is a
setting, not a constant. ONS practice is to suppress counts under 10 and round the
others to 5; DfE uses ``c`` (suppressed), ``z`` (not applicable) and ``k`` (rounds to
zero; never produced here because rounded counts are never below the threshold).

Who sees what is one policy, :class:`Audience`: the audience names (``public``,
``partnership``, ``aggregate``; one vocabulary for maps, diagrams, timelines, reports,
the command line and exchange packages), the rule each applies, what each may list
(private homes and places or links with too few young people are hidden from every
audience but the partnership), and the banner and legend texts.

Counts that come with the **cell key** of their records (:mod:`peermap.cell_keys`, the
ONS cell-key method) get a small noise, the same for the same records everywhere, before
the rule: a count is shown only when both it and its noisy value reach ``min_count``,
and the noisy value is what is rounded. Shares are computed from the shown counts.
:func:`secondary_suppress` withholds a second cell where one alone would be withheld in
a column whose total can be known.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from peermap import settings
from peermap.exceptions import ArgumentError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# pandas is imported where a table is suppressed, not with the module: the command line
# reads the audience names here before it knows whether it will need a table at all.

__all__ = [
    "AUDIENCE_NAMES",
    "NOT_APPLICABLE",
    "PACKAGE_AUDIENCES",
    "PARTNERSHIP_BANNER",
    "PRIVATE_PLACE_KINDS",
    "VIEW_AUDIENCES",
    "Audience",
    "AudienceName",
    "PackageAudience",
    "SuppressionRule",
    "ViewAudience",
    "secondary_suppress",
    "suppress",
    "suppress_frame",
    "suppress_share",
]

#: Marker for a count that does not apply (DfE ``z``).
NOT_APPLICABLE = "z"

Display = int | str

#: Who an output is for: the one vocabulary of audiences.
AudienceName = Literal["public", "partnership", "aggregate"]
#: The audience names, in the order of :data:`AudienceName`.
AUDIENCE_NAMES: Final[tuple[str, ...]] = get_args(AudienceName)
#: The audiences a view (map, diagram, timeline, report) can be for.
ViewAudience = Literal["public", "partnership"]
#: The audiences an exchange package can be for.
PackageAudience = Literal["partnership", "aggregate"]
#: The audience names of views.
VIEW_AUDIENCES: Final[tuple[str, ...]] = get_args(ViewAudience)
#: The audience names of exchange packages.
PACKAGE_AUDIENCES: Final[tuple[str, ...]] = get_args(PackageAudience)
#: Kinds of place never shown beyond the partnership: a private dwelling is a home.
PRIVATE_PLACE_KINDS: Final[frozenset[str]] = frozenset({"residential"})
#: The banner of every partnership output.
PARTNERSHIP_BANNER: Final = (
    "PARTNERSHIP ONLY – pseudonymised personal data: do not share outside the "
    "information-sharing agreement"
)


#: The largest ``round_to`` allowed where ``min_count`` is smaller: rounding to a multiple
#: above both shows a count just over the threshold as a number far above it.
ROUND_TO_CAP: Final = 10


@dataclass(frozen=True)
class SuppressionRule:
    """A small-count suppression rule.

    Attributes
    ----------
    min_count : int
        Counts below this are suppressed (at least 1).
    round_to : int
        Shown counts are rounded to a multiple of this (1 = exact); at most ``min_count``
        or :data:`ROUND_TO_CAP` (10), whichever is larger.
    marker : str
        What a suppressed count shows as.
    """

    min_count: int
    round_to: int
    marker: str

    def __post_init__(self) -> None:
        for name in ("min_count", "round_to"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ArgumentError(f"{name} must be a whole number of at least 1, got {value!r}")
        most = max(int(self.min_count), ROUND_TO_CAP)
        if self.round_to > most:
            raise ArgumentError(
                f"round_to must be at most min_count or {ROUND_TO_CAP}, whichever is larger "
                f"(here {most}), got {self.round_to!r}: a count just over the threshold would "
                "show as a number far above what the records hold"
            )
        if not isinstance(self.marker, str) or not self.marker or self.marker.strip().isdigit():
            raise ArgumentError(f"marker must be non-numeric text, got {self.marker!r}")

    @classmethod
    def from_settings(
        cls,
        *,
        min_count: int | None = None,
        round_to: int | None = None,
        marker: str | None = None,
    ) -> SuppressionRule:
        """Build the rule from keywords, taking what is not given from settings.

        Parameters
        ----------
        min_count, round_to : int, optional
            Override ``peermap.settings.min_count`` / ``round_to``.
        marker : str, optional
            Override ``peermap.settings.suppressed_marker``.

        Returns
        -------
        SuppressionRule
            The rule in force.
        """
        return cls(
            int(settings.min_count if min_count is None else min_count),
            int(settings.round_to if round_to is None else round_to),
            str(settings.suppressed_marker if marker is None else marker),
        )

    @property
    def floor(self) -> int:
        """Smallest number a shown count can display: ``min_count`` rounded up."""
        return int(math.ceil(self.min_count / self.round_to) * self.round_to)

    def shown(self, count: Any) -> bool:
        """Whether a count may be shown (it is at least ``min_count``)."""
        return bool(_whole(count) >= self.min_count)

    def display(self, count: Any, key: int | None = None) -> Display:
        """Return what one count shows as: a rounded ``int``, the marker, or ``z``.

        Parameters
        ----------
        count : int or missing
            A whole, non-negative count; ``None``/NaN is "not applicable".
        key : int, optional
            The cell key of the records counted (:mod:`peermap.cell_keys`). With a key,
            the count gets its cell's noise before it is rounded, and it is shown only
            when both the count and the noisy count reach ``min_count``.

        Returns
        -------
        int or str
        """
        if _missing(count):
            return NOT_APPLICABLE
        n = _whole(count)
        if key is None:
            noisy = n
        else:  # imported here: the command line reads this module before it needs numpy
            from peermap.cell_keys import perturb

            noisy = perturb(n, key)
        if n < self.min_count or noisy < self.min_count:
            return self.marker
        rounded = math.floor(noisy / self.round_to + 0.5) * self.round_to
        return max(rounded, self.floor)

    def describe(self) -> str:
        """Describe the rule in one sentence for a legend or a report."""
        text = f"Counts under {self.min_count} are suppressed (shown as {self.marker}, never as 0)"
        if self.round_to > 1:
            text += f"; other counts are rounded to the nearest {self.round_to}"
        return text + "."


def _missing(value: Any) -> bool:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise ArgumentError(f"a count must be a whole number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"a count must be a whole number, got {value!r}") from None
    if not number.is_integer() or number < 0:
        raise ArgumentError(f"a count must be a whole number of at least 0, got {value!r}")
    return int(number)


def _rule(
    rule: SuppressionRule | None,
    min_count: int | None,
    round_to: int | None,
    marker: str | None,
) -> SuppressionRule:
    if rule is not None:
        if (min_count, round_to, marker) != (None, None, None):
            raise ArgumentError("give either rule= or min_count/round_to/marker, not both")
        return rule
    return SuppressionRule.from_settings(min_count=min_count, round_to=round_to, marker=marker)


def suppress(
    counts: Iterable[Any] | pd.Series,
    *,
    min_count: int | None = None,
    round_to: int | None = None,
    marker: str | None = None,
    rule: SuppressionRule | None = None,
    keys: Iterable[Any] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Apply small-count suppression to counts.

    Parameters
    ----------
    counts : iterable of int or pandas.Series
        Whole, non-negative counts (missing values show as ``z``).
    min_count, round_to : int, optional
        The threshold and rounding base (default: ``peermap.settings``).
    marker : str, optional
        What a suppressed count shows as (default: ``peermap.settings.suppressed_marker``).
    rule : SuppressionRule, optional
        A rule to use instead of the three keywords.
    keys : iterable of int, optional
        The cell key of each count (:mod:`peermap.cell_keys`): each count gets its
        cell's noise before the rule (see :meth:`SuppressionRule.display`).

    Returns
    -------
    display : pandas.Series
        ``object`` values: rounded ``int`` counts, the marker, or ``z``; same index as
        ``counts`` when it is a Series.
    suppressed : pandas.Series
        ``bool``: True where the count was withheld (missing counts are not).

    Raises
    ------
    ValueError
        For a negative or fractional count, or an invalid rule.

    Examples
    --------
    >>> shown, hidden = suppress([0, 3, 10, 12, 13, 148], min_count=10, round_to=5)
    >>> shown.tolist()
    ['c', 'c', 10, 10, 15, 150]
    >>> hidden.tolist()
    [True, True, False, False, False, False]
    """
    import pandas as pd

    r = _rule(rule, min_count, round_to, marker)
    series = counts if isinstance(counts, pd.Series) else pd.Series(list(counts), dtype=object)
    values = series.tolist()
    cell = [None] * len(values) if keys is None else list(keys)
    if len(cell) != len(values):
        raise ArgumentError(f"{len(cell)} cell keys for {len(values)} counts")
    shown = [
        r.display(v, None if k is None or _missing(k) else int(k))
        for v, k in zip(values, cell, strict=True)
    ]
    display = pd.Series(shown, index=series.index, dtype=object, name=series.name)
    hidden = pd.Series(
        [v == r.marker for v in shown], index=series.index, dtype=bool, name=series.name
    )
    return display, hidden


def secondary_suppress(shown: pd.Series, hidden: pd.Series, exact: Any) -> pd.Series:
    """Withhold a second cell where a column would have only one withheld cell.

    When a column's total is known (published elsewhere, or the number of young people
    in the data), a lone withheld cell is the total minus the others. The smallest shown
    cell is withheld with it (complementary suppression, as ONS and DfE tables do), so
    the subtraction gives only the sum of two cells. Every withheld cell counts alike,
    whatever its true count: a withheld 0 gets a partner like a withheld 9, or a lone
    marker would say "0" and a pair of markers "1 to 9".

    Parameters
    ----------
    shown, hidden : pandas.Series
        What :func:`suppress` returned for one column.
    exact : array-like
        The exact counts of the column (to pick the smallest shown cell).

    Returns
    -------
    pandas.Series
        ``bool``: the cells to withhold, the first ones and the complementary one.
    """
    import numpy as np
    import pandas as pd

    out = hidden.copy()
    counts = np.asarray(exact, dtype=float)
    if int(out.sum()) == 1 and (~out).any():
        candidates = np.where(out.to_numpy(), np.inf, counts)
        out.iloc[int(np.argmin(candidates))] = True
    return pd.Series(out.to_numpy(dtype=bool), index=shown.index, name=shown.name)


def suppress_share(
    part: Any,
    whole: Any,
    *,
    min_count: int | None = None,
    round_to: int | None = None,
    marker: str | None = None,
    rule: SuppressionRule | None = None,
    decimals: int = 0,
    part_key: int | None = None,
    whole_key: int | None = None,
) -> int | float | str:
    """Return a share ``part / whole`` in percent, or the marker when it would disclose.

    The share is shown only when ``part`` and ``whole - part`` are both at least
    ``min_count``: otherwise the share and the (rounded) whole would give a small count
    back. It is computed from the **shown** counts (rounded, and with their cells'
    noise when ``part_key`` and ``whole_key`` are given), never from the exact ones: an
    exact share beside a rounded whole would give the exact part back.

    Parameters
    ----------
    part, whole : int
        Whole counts, ``0 <= part <= whole``.
    min_count, round_to : int, optional
        Threshold and rounding base (default: ``peermap.settings``).
    marker : str, optional
        What a suppressed share shows as.
    rule : SuppressionRule, optional
        A rule to use instead of the keywords.
    decimals : int, default 0
        Decimals of the percentage.
    part_key, whole_key : int, optional
        The cell keys of the part's and the whole's records (:mod:`peermap.cell_keys`).

    Returns
    -------
    int, float or str
        The percentage (an ``int`` with ``decimals=0``), the marker, or ``z`` when
        ``whole`` is 0 or missing.
    """
    r = _rule(rule, min_count, round_to, marker)
    if _missing(part) or _missing(whole):
        return NOT_APPLICABLE
    p, w = _whole(part), _whole(whole)
    if p > w:
        raise ArgumentError(f"part ({p}) is larger than the whole ({w})")
    if w == 0:
        return NOT_APPLICABLE
    if p < r.min_count or w - p < r.min_count:
        return r.marker
    shown_part, shown_whole = r.display(p, part_key), r.display(w, whole_key)
    if not isinstance(shown_part, int) or not isinstance(shown_whole, int):
        return r.marker
    share = round(100.0 * min(shown_part, shown_whole) / shown_whole, decimals)
    return int(share) if decimals == 0 else share


def suppress_frame(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    min_count: int | None = None,
    round_to: int | None = None,
    marker: str | None = None,
    rule: SuppressionRule | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with count columns replaced by what they may show.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (not modified).
    columns : iterable of str
        Count columns to suppress and round; the others are copied unchanged.
    min_count, round_to, marker, rule
        As for :func:`suppress`.

    Returns
    -------
    pandas.DataFrame
        The copy; suppressed columns have ``object`` dtype. ``attrs["suppression"]``
        records the rule (``min_count``, ``round_to``, ``marker``) and, per column, how
        many cells were withheld.
    """
    r = _rule(rule, min_count, round_to, marker)
    out = frame.copy()
    withheld: dict[str, int] = {}
    for column in columns:
        if column not in frame.columns:
            raise UnknownNameError(f"no column {column!r} to suppress")
        display, hidden = suppress(frame[column], rule=r)
        out[column] = display
        withheld[column] = int(hidden.sum())
    out.attrs["suppression"] = {
        "min_count": r.min_count,
        "round_to": r.round_to,
        "marker": r.marker,
        "withheld": withheld,
    }
    return out


def _choices(names: Iterable[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


@dataclass(frozen=True)
class Audience:
    """Who an output is for, and so what it may show: one policy for every output.

    ``partnership`` outputs stay within the information-sharing agreement: exact counts,
    pseudonyms and every place, under the PARTNERSHIP ONLY banner. ``public`` views and
    ``aggregate`` packages go beyond it: every count goes through the small-count rule,
    shares are withheld when they would give a small count back, and rows about fewer
    than ``min_count`` young people (venues, links, flows, Gi* cells) and private homes
    (:data:`PRIVATE_PLACE_KINDS`) are not listed.

    Build one with :meth:`of`, which checks the name once.

    Attributes
    ----------
    name : {"public", "partnership", "aggregate"}
        Who the output is for.
    rule : SuppressionRule or None
        The small-count rule (``None``: exact counts, the partnership).

    Examples
    --------
    >>> public = Audience.of("public", min_count=10, round_to=5)
    >>> public.count(3), public.count(13), public.share(12, 30)
    ('c', 15, 40)
    >>> Audience.of("partnership").count(3)
    3
    """

    name: AudienceName
    rule: SuppressionRule | None

    def __post_init__(self) -> None:
        if self.name not in AUDIENCE_NAMES:
            raise ArgumentError(f"audience={self.name!r}; expected {_choices(AUDIENCE_NAMES)}")
        if (self.name == "partnership") != (self.rule is None):
            raise ArgumentError(
                "a partnership audience has no small-count rule; every other audience has one"
            )

    @classmethod
    def of(
        cls,
        name: str,
        *,
        min_count: int | None = None,
        round_to: int | None = None,
        allowed: Iterable[str] = AUDIENCE_NAMES,
        what: str = "output",
    ) -> Audience:
        """Return the policy for an audience name, checking the name and the rule.

        Parameters
        ----------
        name : str
            ``"public"``, ``"partnership"`` or ``"aggregate"``.
        min_count, round_to : int, optional
            The small-count rule of a public or aggregate audience (default:
            ``peermap.settings``). Not allowed for the partnership, which sees exact counts.
        allowed : iterable of str, optional
            The names this output accepts (default: all of :data:`AUDIENCE_NAMES`).
        what : str, default "output"
            What the output is ("map", "report", ...), for the error messages.

        Returns
        -------
        Audience

        Raises
        ------
        ValueError
            For a name not in ``allowed``, or ``min_count``/``round_to`` with the
            partnership.
        """
        choices = tuple(allowed)
        if not isinstance(name, str) or name not in choices:
            raise ArgumentError(f"audience={name!r}; expected {_choices(choices)}")
        if name == "partnership":
            if min_count is not None or round_to is not None:
                raise ArgumentError(
                    f"min_count and round_to apply to public {what}s; a partnership {what} "
                    f"shows exact counts (use audience='public' for a suppressed {what})"
                )
            return cls("partnership", None)
        rule = SuppressionRule.from_settings(min_count=min_count, round_to=round_to)
        return cls("public" if name == "public" else "aggregate", rule)

    @property
    def exact(self) -> bool:
        """Whether counts are shown exactly (the partnership)."""
        return self.rule is None

    @property
    def hidden_place_kinds(self) -> frozenset[str]:
        """Kinds of place this audience is never shown (private homes beyond the partnership)."""
        return frozenset() if self.rule is None else PRIVATE_PLACE_KINDS

    @property
    def banner(self) -> str | None:
        """The banner an output for this audience carries (partnership outputs only)."""
        return PARTNERSHIP_BANNER if self.rule is None else None

    @property
    def banner_ascii(self) -> str | None:
        """The banner in plain ASCII, for the terminal (the en dash as a hyphen)."""
        return None if self.banner is None else self.banner.replace("\u2013", "-")

    def count(self, value: Any, key: int | None = None) -> Display:
        """Return what a count shows as: exact, rounded, the marker, or ``z`` when missing.

        ``key`` is the cell key of the records counted (:mod:`peermap.cell_keys`):
        beyond the partnership the count then carries its cell's noise (the same for
        the same records in every output), so differences between releases do not give
        small counts away.
        """
        if self.rule is None:
            return NOT_APPLICABLE if _missing(value) else _whole(value)
        return self.rule.display(value, key)

    def share(
        self,
        part: Any,
        whole: Any,
        *,
        decimals: int = 0,
        part_key: int | None = None,
        whole_key: int | None = None,
    ) -> int | float | str:
        """Return a share in percent as this audience may see it (see :func:`suppress_share`).

        Exact for the partnership. Otherwise withheld (the marker) when the part or the
        rest of the whole is under ``min_count``, and computed from the **shown**
        (noisy, rounded) part and whole, so a share never gives back the exact counts
        that rounding hides. ``z`` when the whole is 0 or missing.
        """
        if self.rule is not None:
            return suppress_share(
                part,
                whole,
                rule=self.rule,
                decimals=decimals,
                part_key=part_key,
                whole_key=whole_key,
            )
        if _missing(part) or _missing(whole) or _whole(whole) == 0:
            return NOT_APPLICABLE
        share = round(100.0 * _whole(part) / _whole(whole), decimals)
        return int(share) if decimals == 0 else share

    def listed(self, people: Any, key: int | None = None) -> bool:
        """Whether a row about this many young people (a venue, link, flow, cell) is listed.

        With the cell ``key`` of the young people, the noisy count must reach
        ``min_count`` too (see :meth:`count`).
        """
        if self.rule is None:
            return True
        return not isinstance(self.rule.display(people, key), str)

    def may_list_place(self, kind: Any, people: Any, key: int | None = None) -> bool:
        """Whether a place of this kind, seen by this many young people, is listed."""
        return kind not in self.hidden_place_kinds and self.listed(people, key)

    def heading(self, noun: str) -> str:
        """Say who an output is for, in a subtitle: ``"Public map: aggregates only"``."""
        if self.rule is None:
            return f"Partnership {noun}: exact counts"
        return f"{self.name.capitalize()} {noun}: aggregates only"

    def notice(self, noun: str) -> str:
        """Say what an output shows, for its legend or footer, with the rule in force."""
        if self.rule is None:
            return f"Partnership {noun}: exact counts. Not for publication."
        return f"{self.heading(noun)}. {self.rule.describe()}"
