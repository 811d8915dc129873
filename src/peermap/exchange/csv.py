"""The dataset as CSV exports in record schema v1, one file per table."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from peermap._csv_cells import write_csv
from peermap.dataset import Dataset
from peermap.schema import TABLE_ORDER, TABLES

__all__ = ["to_csv"]


def to_csv(ds: Dataset, folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Write a dataset's schema columns as CSV exports, one file per table.

    The files are what an authority's export in record schema v1 looks like
    (``people.csv``, ``places.csv``, ...; dates as ``YYYY-MM-DD``), so that
    :func:`peermap.read_dataset` reads them back. Only schema columns are written:
    no provenance, no extra column. Each file is written atomically.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    folder : str or path-like
        Where to write (created if needed).

    Returns
    -------
    dict of str to pathlib.Path
        Table name to file, in schema order.
    """
    out_dir = Path(folder)
    written: dict[str, Path] = {}
    for name in TABLE_ORDER:
        frame = pd.DataFrame(ds.table(name))
        columns = [c for c in TABLES[name].names if c in frame.columns]
        out = frame[columns].copy()
        for col in TABLES[name].columns:
            if col.type == "date" and col.name in out:
                out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
        target = out_dir / f"{name}.csv"
        write_csv(out, target)
        written[name] = target
    return written
