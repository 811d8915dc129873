"""Record keys and cell keys: the ONS cell-key method's noise for public counts.

Rounding and suppression alone do not survive differencing: when one more young person
turns a withheld ``c`` into ``10``, the reader learns that the count was exactly 9 and
that the newcomer is in the cell. The cell-key method (Office for National Statistics,
Census 2021; Fraser and Wooton, 2005) adds a small noise to every public count that is
the **same for the same records**, in every table and every run:

1. every record (a young person, a sighting, a tie, a relocation) gets a **record key**,
   a whole number 0-255 from a keyed hash of its identity (:func:`record_keys`; the
   secret is :data:`peermap.settings.cell_key_secret`);
2. a cell's **cell key** is the sum of its records' keys modulo 256
   (:func:`cell_keys`), so the same set of records gives the same cell key whatever the
   table;
3. the cell key picks a **perturbation** from the published table :data:`PERTURBATION`
   (-2 to +2, zero-mean, variance 0.8), added to the count before the small-count rule
   decides what is shown (:func:`perturb`).

Adding one young person changes the cell key of every cell they are in to an
unpredictable new value, so a change of the shown count says little about the
newcomer; asking for the same cell twice gives the same answer, so averaging repeated
releases removes nothing. The noise is published; the record keys are not.

This module is the core of the method and depends on nothing else in peermap; the rule
that applies it to what each audience sees is :class:`peermap.disclosure.Audience`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import settings
from peermap.exceptions import ArgumentError

__all__ = [
    "KEY_SPACE",
    "PERTURBATION",
    "PUBLISHED_SECRET",
    "RECORD_IDENTITY",
    "SIGHTING_IDENTITY",
    "as_key",
    "cell_key",
    "cell_keys",
    "people_key",
    "perturb",
    "perturbation",
    "record_keys",
    "sighting_keys",
    "table_key",
]

#: Record and cell keys are whole numbers in ``range(KEY_SPACE)``.
KEY_SPACE: Final = 256

#: The perturbation table: ``(number of cell keys, perturbation)``, in order of key.
#: 128 of the 256 keys add nothing, 51 each add +1 or -1 and 13 each add +2 or -2:
#: zero mean, variance 0.8, never more than 2 either way.
PERTURBATION: Final[tuple[tuple[int, int], ...]] = (
    (13, -2),
    (51, -1),
    (128, 0),
    (51, 1),
    (13, 2),
)

#: The secret used when :data:`peermap.settings.cell_key_secret` is not set.
PUBLISHED_SECRET: Final = "peermap cell-key method v1"

_TABLE: Final = np.repeat(
    np.array([p for _, p in PERTURBATION], dtype=np.int64),
    [n for n, _ in PERTURBATION],
)
if len(_TABLE) != KEY_SPACE:  # pragma: no cover - a wrong table is a programming error
    raise AssertionError("the perturbation table must cover every cell key once")


def _hash_key(secret: str | None) -> str:
    """Return a 16-character siphash key derived from the secret (pandas' hash key format)."""
    text = settings.cell_key_secret if secret is None else secret
    digest = hashlib.sha256((text or PUBLISHED_SECRET).encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")[:16]


def record_keys(records: Any, *, secret: str | None = None) -> npt.NDArray[np.int64]:
    """Return the record key (0-255) of each record.

    Parameters
    ----------
    records : array-like or pandas.DataFrame
        One identity per record: the ``person_id`` of young people, or a frame of the
        columns that identify a record (a sighting is its person, place, date and
        context). The same identity always gets the same key.
    secret : str, optional
        The secret of the keyed hash (default :data:`peermap.settings.cell_key_secret`,
        or :data:`PUBLISHED_SECRET` when that is not set).

    Returns
    -------
    numpy.ndarray
        ``int64`` keys in ``range(KEY_SPACE)``, one per record, in order.
    """
    key = _hash_key(secret)
    if isinstance(records, pd.DataFrame):
        frame = records.astype(str)
        hashed = pd.util.hash_pandas_object(frame, index=False, hash_key=key)
    else:
        values = pd.Series(np.asarray(records, dtype=object)).astype(str)
        hashed = pd.util.hash_pandas_object(values, index=False, hash_key=key)
    return (hashed.to_numpy(dtype=np.uint64) % np.uint64(KEY_SPACE)).astype(np.int64)


def cell_keys(groups: Any, keys: Any) -> pd.Series:
    """Return the cell key of each group: its records' keys summed, modulo 256.

    Parameters
    ----------
    groups : array-like or pandas.Series
        The cell of each record (records of one cell counted once each: pass distinct
        records).
    keys : array-like
        The record key of each record (:func:`record_keys`).

    Returns
    -------
    pandas.Series
        ``int64`` cell keys indexed by group.
    """
    series = pd.Series(np.asarray(keys, dtype=np.int64))
    by = groups.to_numpy() if isinstance(groups, pd.Series) else np.asarray(groups, dtype=object)
    summed = series.groupby(by).sum()
    return (summed % KEY_SPACE).astype("int64")


def cell_key(keys: Iterable[int]) -> int:
    """Return the cell key of one cell from its records' keys."""
    return int(sum(int(k) for k in keys) % KEY_SPACE)


def perturbation(key: int) -> int:
    """Return the perturbation the published table gives a cell key."""
    k = int(key)
    if not 0 <= k < KEY_SPACE:
        raise ArgumentError(f"a cell key is a whole number from 0 to {KEY_SPACE - 1}, got {key!r}")
    return int(_TABLE[k])


def perturb(count: int, key: int) -> int:
    """Return a count with its cell's noise added (never below 0; 0 stays 0).

    A count of 0 has no records and so no noise: an empty cell stays empty, which
    is what every public output shows as withheld anyway.
    """
    n = int(count)
    if n <= 0:
        return 0
    return max(0, n + perturbation(key))


#: The columns that identify one sighting, for its record key.
SIGHTING_IDENTITY: Final[tuple[str, ...]] = ("person_id", "place_id", "date", "context")


def sighting_keys(sightings: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Return the record key of each sighting: of its person, place, date and context."""
    return record_keys(sightings[list(SIGHTING_IDENTITY)])


#: The columns that identify a record of each table, for its record key.
RECORD_IDENTITY: Final[dict[str, tuple[str, ...]]] = {
    "people": ("person_id",),
    "ties": ("person_a", "person_b", "kind", "first_seen"),
    "sightings": SIGHTING_IDENTITY,
    "relocations": ("person_id", "from_authority", "to_authority", "date"),
}


def table_key(ds: Any, table: str) -> int:
    """Return the cell key of all the records of one table of a dataset."""
    frame = getattr(ds, table)
    if not len(frame):
        return 0
    return cell_key(record_keys(frame[list(RECORD_IDENTITY[table])]).tolist())


def people_key(people: Iterable[Any]) -> int:
    """Return the cell key of a set of young people, from their pseudonyms."""
    return cell_key(record_keys(sorted(str(p) for p in people)).tolist())


def as_key(value: Any) -> int | None:
    """Return a cell key read from a table as an ``int`` (``None`` when missing)."""
    return None if value is None or pd.isna(value) else int(value)
