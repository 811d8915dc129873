"""Checks of a table's ids: unique, written alike, and what other tables refer to.

Part of :mod:`peermap.validation`: a key given twice with different contents
(``duplicate_id``), ids that differ only in case or spaces (``similar_id``), and
references to ids that are not there (``unknown_person``, ``unknown_place``) or whose
row was rejected (``rejected_reference``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from peermap._distinct import distinct, member
from peermap._io import RawTable
from peermap._parsing import ID_CONTROL_CHARS, ParsedTable
from peermap.schema import TABLES, composed_id

__all__ = ["referenced_ids", "references", "similar_ids", "unique_key"]

#: What damages an id without being part of it: control and invisible characters, and
#: bytes that were not text (kept as lone surrogates by the readers).
_DAMAGED = re.compile(f"[{ID_CONTROL_CHARS}\\ud800-\\udfff]")


def unique_key(p: ParsedTable) -> None:
    check = p.check
    if not p.usable or not p.check.spec.key:
        return
    key = p.check.spec.key[0]
    ids = p.columns[key]
    ok = ids.notna() & ~ids.index.isin(list(check.bad))
    dup = ids[ok].duplicated(keep=False)
    if not dup.any():
        return
    rows_of = ids[ok][dup].groupby(ids[ok][dup], sort=False).groups
    for value, rows in rows_of.items():
        listed = ", ".join(str(r) for r in rows)
        check.add(
            list(rows),
            key,
            [str(value)] * len(rows),
            f"'{key}' must be unique; '{check.shown(str(value), key)}' is on rows {listed} with "
            "different contents",
            "duplicate_id",
        )


def _id_form(value: str) -> str:
    """Return an id as compared for near-duplicates: no spaces anywhere, case folded."""
    return "".join(value.split()).casefold()


def similar_ids(p: ParsedTable) -> None:
    """Warn on ids that differ only in case or spaces (``yp001``, ``YP001``, ``yp 001``).

    They are read as two people (or places), as written; the warning asks whether
    they are one.
    """
    check = p.check
    if not p.usable or not check.spec.key:
        return
    key = check.spec.key[0]
    ids = p.columns[key]
    ok = ids.notna() & ~ids.index.isin(list(check.bad))
    # Each distinct id's form once: only the rows of forms written more than one way
    # are looked at, row by row.
    codes, uniques = distinct(ids)
    forms = [_id_form(str(u)) for u in uniques]
    ways: dict[str, int] = {}
    for i in np.unique(codes[ok.to_numpy() & (codes >= 0)]):
        ways[forms[i]] = ways.get(forms[i], 0) + 1
    shared = np.array([ways.get(f, 0) > 1 for f in forms] + [False], dtype=bool)
    if not shared.any():
        return
    looked = ok & shared[codes]
    first: dict[str, tuple[str, Hashable]] = {}
    for row, value in ids[looked].items():
        form = _id_form(str(value))
        seen = first.setdefault(form, (str(value), row))
        if seen[0] != value:
            check.add(
                [row],
                key,
                [str(value)],
                f"differs from '{check.shown(seen[0], key)}' (row {seen[1]}) only in case or "
                "spaces: "
                "read as "
                f"two different {check.spec.noun}s; write them alike if they are one",
                "similar_id",
                "warning",
            )


def references(
    p: ParsedTable,
    column: str,
    accepted: set[str],
    rejected: Mapping[str, Hashable],
    target: str,
    target_file: str,
) -> None:
    """Flag rows referring to ids not among the accepted rows of ``target``."""
    if column not in p.columns:
        return
    ids = p.columns[column]
    check = p.check
    present = ids.notna()
    known = member(ids, accepted)
    was_rejected = member(ids, rejected)
    cells = check.raw.frame[column].astype(str)
    check.flag(
        present & ~known & was_rejected,
        column,
        cells,
        lambda v: (
            f"refers to {target} '{check.shown(v.strip(), column)}' whose row "
            f"{rejected.get(composed_id(v), rejected.get(v.strip()))} in "
            f"{target_file} was rejected; this row is set aside with it"
        ),
        "rejected_reference",
    )
    unknown = present & ~known & ~was_rejected
    forms: dict[str, str] = {}
    if unknown.any():
        for value in accepted:
            forms.setdefault(_id_form(value), value)

    # A table with no row read (every row rejected, or the table unusable: a missing
    # column, a file separated by semicolons) is the cause: said, so that the analyst
    # mends that file first rather than every row that refers to it.
    nothing_read = not accepted and not rejected
    unread = f", none of whose rows could be read (mend {target_file} first)"

    def no_such(value: str) -> str:
        if nothing_read:
            return f"no such {target} in {target_file}{unread}"
        near = forms.get(_id_form(value))
        hint = (
            f" (did you mean '{check.shown(near, column)}'? ids must match exactly)"
            if near is not None
            else ""
        )
        return f"no such {target} in {target_file}{hint}"

    check.flag(unknown, column, cells, no_such, f"unknown_{target.replace(' ', '_')}")


def referenced_ids(
    name: str,
    p: ParsedTable,
    raw: RawTable,
    keep: pd.Index,
    accepted_ids: dict[str, set[str]],
    rejected_ids: dict[str, dict[str, Hashable]],
) -> None:
    """Record the ids of a table others refer to: accepted, and rejected with a row."""
    index = raw.frame.index
    key = TABLES[name].key[0]
    ids = p.columns.get(key, pd.Series(dtype=object))
    accepted_ids[name] = set(ids.reindex(keep).dropna()) if p.usable else set()
    rejected_ids[name] = {}
    if p.usable:
        written = raw.frame.get(key, None)
        for row in index[index.isin(list(p.check.bad))]:
            value = ids.get(row)
            if not isinstance(value, str) and written is not None:
                value = written.get(row)  # an id refused for what it holds: as written
            if isinstance(value, str):
                _rejected_id(value.strip(), row, accepted_ids[name], rejected_ids[name])
        # Rows set aside before parsing (bad bytes, too many cells, a stray
        # quote) still name their id: rows referring to it point at them.
        position = raw.positions.get(key)
        for row, cells in raw.bad_rows.items():
            if position is not None and position < len(cells):
                _rejected_id(cells[position].strip(), row, accepted_ids[name], rejected_ids[name])


def _rejected_id(
    value: str, row: Hashable, accepted: set[str], rejected: dict[str, Hashable]
) -> None:
    r"""Record a rejected row's id, and the id without what damaged it, for its references.

    An id holding a damaged byte or a control character (``yp\x0b-004``) is also known
    without it: rows written before the damage refer to it so, and point at its row
    rather than at "no such person".
    """
    for form in dict.fromkeys((value, composed_id(value), composed_id(_DAMAGED.sub("", value)))):
        if form and form not in accepted:
            rejected.setdefault(form, row)
