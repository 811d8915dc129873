"""``encode_identities``: a partner's identity table as CLKs, run on the partner's own machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from peermap._problems import EARLIEST_DATE
from peermap.exceptions import ArgumentError, KeyMaterialError, ValidationError
from peermap.linkage.encoding import Encoder, to_base64
from peermap.linkage.fields import CLK_VERSION, encode_v3
from peermap.linkage.normalise import (
    FIELDS,
    Normalised,
    normalise_date,
    normalise_name,
    normalise_postcode,
    normalise_sex,
)
from peermap.linkage.screening import refuse_identifying_ids
from peermap.privacy.keys import KeyLike, load_key

__all__ = ["encode_identities"]

_MAX_LISTED = 10


def _birth_date(value: object) -> dt.date | None:
    """Read a date of birth (:func:`normalise_date`), None for one after today or before 1900.

    A birth date in the future is a typed year (2031 for 2013): encoded, it would match
    no one, and the record would be silently unlinkable.
    """
    day = normalise_date(value)
    if day is None or not EARLIEST_DATE <= day <= dt.date.today():
        return None
    return day


_READERS = {
    "dob": (
        _birth_date,
        "a date of birth as yyyy-mm-dd or dd/mm/yyyy, from 1900 to today (day first: a "
        "month-first date such as 04/25/2010 is not read)",
    ),
    "sex": (normalise_sex, "m, f, male, female, x, other, u or unknown"),
    "postcode": (normalise_postcode, "a UK postcode"),
}


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _field_values(frame: pd.DataFrame, field: str, problems: list[str]) -> list[Any]:
    """One field of every row, normalised (None where missing); problems name rows only."""
    values = frame[field].tolist()
    out: list[Any] = []
    bad: list[int] = []
    if field in ("first_name", "last_name"):
        for i, value in enumerate(values):
            if _blank(value):
                out.append("")
            elif not isinstance(value, str):
                bad.append(i)
                out.append("")
            else:
                out.append(normalise_name(value))
        if bad:
            problems.append(_problem(field, bad, "text"))
        return out
    reader, expected = _READERS[field]
    for i, value in enumerate(values):
        if _blank(value):
            out.append(None)
            continue
        text = value if field == "dob" else str(value)
        read = reader(text)
        if read is None:
            bad.append(i)
        out.append(read)
    if bad:
        problems.append(_problem(field, bad, expected))
    return out


def _problem(field: str, rows: list[int], expected: str) -> str:
    shown = ", ".join(str(r + 1) for r in rows[:_MAX_LISTED])
    more = len(rows) - _MAX_LISTED
    return f"column {field} is not {expected} in row(s) {shown}" + (
        f" and {more} more" if more > 0 else ""
    )


def encode_identities(
    frame: pd.DataFrame,
    *,
    key: KeyLike | None,
    id_column: str = "person_id",
    fields: Iterable[Hashable] | None = None,
    version: int = CLK_VERSION,
) -> pd.DataFrame:
    """Encode a partner's identities as CLKs (Bloom filters) that link without revealing them.

    Each partner runs this on its own machine, on its own records, under the key of
    the linkage; only the result leaves. See docs/linkage.md for what a CLK protects.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per young person: `id_column` and any of ``first_name``, ``last_name``,
        ``dob``, ``sex``, ``postcode``. Blank cells are missing fields. Normalisation
        (case, accents, hyphens and apostrophes, nicknames, dates in ISO or UK form,
        postcodes) is described in :mod:`peermap.linkage.normalise`.
    key : PartnershipKey, bytes or str
        The key of the linkage, as for :func:`~peermap.load_key`; required (None is
        refused, not read from the environment, so that no CLK is made by accident under
        whatever key is set). The encoding keys are derived from it (HKDF).
    id_column : str, default "person_id"
        The column of the partner's own ids (local ids or pseudonyms).
    fields : iterable of str, optional
        The identity columns to encode; by default every one of the five present. Every
        partner must encode the same fields.
    version : {3, 2}, default 3
        The CLK layout: 3, the record filter and the field segments that the
        field-aware second pass of linking compares; 2, the record filter alone (less
        for a linker to see, less accurate links: docs/linkage.md). Every partner must
        encode with the same version.

    Returns
    -------
    pandas.DataFrame
        ``person_id`` (from `id_column`, as text) and ``clk`` (base64 of the CLK: a
        version byte, the 1024-bit record filter and the field segments,
        :mod:`peermap.linkage.fields`; version 2, the record filter alone), in the
        rows' order; nothing else. ``attrs["key_fingerprint"]`` holds the key's public
        fingerprint.

    Raises
    ------
    KeyMaterialError
        If `key` is None or not a usable key.
    ValidationError
        If the id column or a named field is missing, an id is blank or repeated, a row
        has no field at all, or a cell cannot be read; the message names columns and
        rows (counted from 1), never a value.
    PrivacyError
        If ids look like direct identifiers (a name, an email address, a date of birth
        ...): the ids travel with the CLKs, so they must be local ids or pseudonyms.
    """
    if version not in (2, 3):
        raise ArgumentError(f"version={version!r}: CLKs are of version 3 or 2")
    if key is None:
        raise KeyMaterialError(
            "encode_identities needs the linkage key: pass key=... (a partnership key made "
            "for this linkage); it is not read from the environment"
        )
    loaded = load_key(key)
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"encode_identities takes a DataFrame, not {type(frame).__name__}")
    if id_column not in frame.columns:
        raise ValidationError(
            f"the table has no column {id_column!r} (the person ids): name the column that "
            "holds them with id_column=..."
        )
    if fields is None:
        chosen = [f for f in FIELDS if f in frame.columns]
    else:
        chosen = [str(f) for f in fields]
        unknown = [f for f in chosen if f not in FIELDS]
        if unknown:
            raise ValidationError(
                f"cannot encode {', '.join(map(repr, unknown))}: the identity fields are "
                + ", ".join(FIELDS)
            )
        absent = [f for f in chosen if f not in frame.columns]
        if absent:
            raise ValidationError(f"the table has no column {', '.join(map(repr, absent))}")
    if not chosen:
        raise ValidationError("the table has none of the identity columns " + ", ".join(FIELDS))
    problems: list[str] = []
    ids = frame[id_column]
    blank_ids = [i for i, v in enumerate(ids.tolist()) if _blank(v)]
    if blank_ids:
        problems.append(_problem(id_column, blank_ids, "a person id (it is blank)"))
    texts = ["" if _blank(v) else str(v).strip() for v in ids.tolist()]
    repeated = pd.Series(texts).duplicated(keep=False) & pd.Series(texts).ne("")
    if repeated.any():
        problems.append(
            _problem(
                id_column, np.flatnonzero(repeated.to_numpy()).tolist(), "unique (an id repeats)"
            )
        )
    values = {field: _field_values(frame, field, problems) for field in chosen}
    records = []
    empty_rows = []
    for i in range(len(frame)):
        record = Normalised(
            first_name=values["first_name"][i] if "first_name" in values else "",
            last_name=values["last_name"][i] if "last_name" in values else "",
            dob=values["dob"][i] if "dob" in values else None,
            sex=(values["sex"][i] or "") if "sex" in values else "",
            postcode=(values["postcode"][i] or "") if "postcode" in values else "",
        )
        if record == Normalised():
            empty_rows.append(i)
        records.append(record)
    if empty_rows:
        problems.append(_problem(", ".join(chosen), empty_rows, "filled (every field is blank)"))
    if problems:
        raise ValidationError(
            f"cannot encode the identities: {'; '.join(problems)} (rows counted from 1, "
            "the header not counted; values are not shown)"
        )
    refuse_identifying_ids(texts, column=str(id_column), what="cannot encode the identities")
    clks = (
        encode_v3(loaded, records)
        if version == CLK_VERSION
        else to_base64(Encoder(loaded).encode(records))
    )
    out = pd.DataFrame(
        {
            "person_id": pd.array(texts, dtype="string"),
            "clk": pd.array(clks, dtype="string"),
        }
    )
    out.attrs["key_fingerprint"] = loaded.fingerprint
    return out
