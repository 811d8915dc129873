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

What this does not do: secondary (complementary) suppression. Rounding every shown count
limits recovering a suppressed cell from a total minus the other cells, but a table
whose totals are published exactly needs a second suppressed cell per row and column.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peermap import settings

__all__ = [
    "NOT_APPLICABLE",
    "SuppressionRule",
    "suppress",
    "suppress_frame",
    "suppress_share",
]

#: Marker for a count that does not apply (DfE ``z``).
NOT_APPLICABLE = "z"

Display = int | str


@dataclass(frozen=True)
class SuppressionRule:
    """A small-count suppression rule.

    Attributes
    ----------
    min_count : int
        Counts below this are suppressed (at least 1).
    round_to : int
        Shown counts are rounded to a multiple of this (1 = exact).
    marker : str
        What a suppressed count shows as.
    """

    min_count: int
    round_to: int
    marker: str

    def __post_init__(self) -> None:
        for name in ("min_count", "round_to"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        if not isinstance(self.marker, str) or not self.marker or self.marker.strip().isdigit():
            raise ValueError(f"marker must be non-numeric text, got {self.marker!r}")

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

    def display(self, count: Any) -> Display:
        """Return what one count shows as: a rounded ``int``, the marker, or ``z``.

        Parameters
        ----------
        count : int or missing
            A whole, non-negative count; ``None``/NaN is "not applicable".

        Returns
        -------
        int or str
        """
        if _missing(count):
            return NOT_APPLICABLE
        n = _whole(count)
        if n < self.min_count:
            return self.marker
        rounded = math.floor(n / self.round_to + 0.5) * self.round_to
        return max(rounded, self.floor)

    def describe(self) -> str:
        """Describe the rule in one sentence for a legend or a report."""
        text = f"Counts under {self.min_count} are suppressed (shown as {self.marker}, never as 0)"
        if self.round_to > 1:
            text += f"; other counts are rounded to the nearest {self.round_to}"
        return text + "."


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError(f"a count must be a whole number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"a count must be a whole number, got {value!r}") from None
    if not number.is_integer() or number < 0:
        raise ValueError(f"a count must be a whole number of at least 0, got {value!r}")
    return int(number)


def _rule(
    rule: SuppressionRule | None,
    min_count: int | None,
    round_to: int | None,
    marker: str | None,
) -> SuppressionRule:
    if rule is not None:
        if (min_count, round_to, marker) != (None, None, None):
            raise TypeError("give either rule= or min_count/round_to/marker, not both")
        return rule
    return SuppressionRule.from_settings(min_count=min_count, round_to=round_to, marker=marker)


def suppress(
    counts: Iterable[Any] | pd.Series,
    *,
    min_count: int | None = None,
    round_to: int | None = None,
    marker: str | None = None,
    rule: SuppressionRule | None = None,
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
    r = _rule(rule, min_count, round_to, marker)
    series = counts if isinstance(counts, pd.Series) else pd.Series(list(counts), dtype=object)
    shown = [r.display(v) for v in series.tolist()]
    display = pd.Series(shown, index=series.index, dtype=object, name=series.name)
    hidden = pd.Series(
        [v == r.marker for v in shown], index=series.index, dtype=bool, name=series.name
    )
    return display, hidden


def suppress_share(
    part: Any,
    whole: Any,
    *,
    min_count: int | None = None,
    marker: str | None = None,
    rule: SuppressionRule | None = None,
    decimals: int = 0,
) -> int | float | str:
    """Return a share ``part / whole`` in percent, or the marker when it would disclose.

    The share is shown only when ``part`` and ``whole - part`` are both at least
    ``min_count``: otherwise the share and the (rounded) whole would give a small count
    back. It is computed from the exact counts.

    Parameters
    ----------
    part, whole : int
        Whole counts, ``0 <= part <= whole``.
    min_count : int, optional
        Threshold (default: ``peermap.settings.min_count``).
    marker : str, optional
        What a suppressed share shows as.
    rule : SuppressionRule, optional
        A rule to use instead of the keywords.
    decimals : int, default 0
        Decimals of the percentage.

    Returns
    -------
    int, float or str
        The percentage (an ``int`` with ``decimals=0``), the marker, or ``z`` when
        ``whole`` is 0 or missing.
    """
    r = _rule(rule, min_count, None, marker)
    if _missing(part) or _missing(whole):
        return NOT_APPLICABLE
    p, w = _whole(part), _whole(whole)
    if p > w:
        raise ValueError(f"part ({p}) is larger than the whole ({w})")
    if w == 0:
        return NOT_APPLICABLE
    if p < r.min_count or w - p < r.min_count:
        return r.marker
    share = round(100.0 * p / w, decimals)
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
            raise KeyError(f"no column {column!r} to suppress")
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
