"""One context of :func:`peermap.contexts`, looked up by its number.

Maps, diagrams and :func:`peermap.select` take a context by the number the contexts
table gives it.
"""

from __future__ import annotations

import pandas as pd

from peermap.analysis.community import contexts
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.filters import Window

__all__ = ["context_row"]


def context_row(
    ds: Dataset,
    context_id: int,
    *,
    table: pd.DataFrame | None = None,
    window: Window | None = None,
) -> pd.Series:
    """Look up one context of :func:`contexts` by its ``context_id``.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    context_id : int
        The context's number (1 is the most concerning).
    table : pandas.DataFrame, optional
        A table from :func:`contexts` to look it up in, instead of computing one (slow at
        scale) with ``window``.
    window : Window, optional
        Which records count when the table is computed.

    Returns
    -------
    pandas.Series
        The context's row (``people``, ``places``, ``shared_places``, ...), ready for
        :func:`peermap.select`.

    Raises
    ------
    ValueError
        No such context, or a table without the columns of :func:`contexts`.
    """
    if table is None:
        table = contexts(ds, window=window)
    missing = {"context_id", "people", "places"} - set(table.columns)
    if missing:
        raise ArgumentError(
            "contexts_table must be a table from peermap.contexts; it lacks "
            + ", ".join(sorted(missing))
        )
    match = table[table["context_id"] == int(context_id)]
    if match.empty:
        ids = [int(i) for i in table["context_id"]]
        raise ArgumentError(
            f"no context {int(context_id)}; this dataset has contexts "
            + (f"{min(ids)} to {max(ids)}" if ids else "none")
            + " (see peermap.contexts)"
        )
    row: pd.Series = match.iloc[0]
    return row
