"""Whether an in-memory frame's index labels can name its rows in messages.

:func:`peermap._io.read_raw` names a frame's rows by their index labels, as the user
sees them, unless they cannot: then by position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peermap.privacy.identifiers import find_identifiers, identifier_rule

__all__ = ["unusable_labels"]


def unusable_labels(index: pd.Index, table: str) -> str | None:
    """Say why a frame's index labels cannot name its rows in messages, or None.

    They must be single labels (not a MultiIndex), none missing, none repeated, and none
    that looks like identifying data: a label is shown wherever its row is named.
    """
    if isinstance(index, pd.RangeIndex):
        return None
    if isinstance(index, pd.MultiIndex):
        return "has several levels"
    if not index.is_unique:
        return "repeats labels"
    if index.hasnans:
        return "has missing labels"
    if _identifying(index, table):
        return "holds labels that look like identifying data (not shown)"
    return None


def _identifying(index: pd.Index, table: str) -> bool:
    """Whether any label looks like identifying data (as a cell would be judged).

    Whole numbers shorter than eight digits (the row numbers a filtered frame keeps)
    cannot be one: only the longer are judged, so ``frame[mask]`` of a million rows is
    not judged label by label. Dates and times are not.
    """
    if isinstance(index, pd.DatetimeIndex | pd.TimedeltaIndex | pd.PeriodIndex):
        return False
    values = index.to_numpy()
    if pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index.dtype):
        numbers = np.asarray(values, dtype=float)
        values = np.unique(numbers[np.abs(numbers) >= 1e7])
        labels = [str(int(v)) if float(v).is_integer() else str(v) for v in values]
        return any(identifier_rule(v, table=table) is not None for v in labels)
    # Text labels: judged as a column of cells is, distinct values at once (RE2 screens
    # a million labels in a fraction of the time one by one takes).
    column = pd.DataFrame({"row": pd.Series(pd.unique(values), dtype=object).map(str)})
    return bool(find_identifiers(column, table=table))
