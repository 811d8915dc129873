"""The canonical form of a package, and the MAC over it.

The digest (``content_sha256``) and the MAC (``mac``) of a package cover a canonical
serialisation of every layer (rows sorted, so row order does not matter) and of the
metadata, so a changed, added or deleted row, a metadata edit or a truncated file is
detected (``docs/exchange-format.md``, "Canonical form"). The MAC key is derived from
the partnership key with :data:`~peermap.exchange.layout.MAC_LABEL`.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Mapping, Sequence
from typing import cast

import pyarrow as pa
import pyarrow.compute as pc
import shapely

from peermap.exchange.layout import (
    CANONICAL_HEADER,
    GEOMETRY_COLUMN,
    MAC_LABEL,
    UNSIGNED_KEYS,
    Layer,
)
from peermap.privacy import PartnershipKey

__all__ = ["canonical", "mac"]

_NULL = "\\N"


def _escape(values: pa.Array) -> pa.Array:
    out = pc.replace_substring(values, "\\", "\\\\")
    for raw, escaped in (("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        out = pc.replace_substring(out, raw, escaped)
    return out


def _escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _encode(column: pa.ChunkedArray | pa.Array, kind: str) -> pa.Array:
    r"""Encode every value of one column canonically (missing as ``\N``)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if kind == "text":
        text = _escape(arr.cast(pa.string()))
    elif kind in ("int", "bool", "date"):
        text = arr.cast(pa.string())
    elif kind == "float":
        values = arr.cast(pa.float64()).to_pylist()
        text = pa.array(
            [None if v is None else struct.pack(">d", v).hex() for v in values], type=pa.string()
        )
    elif kind == "geometry":
        blobs = arr.to_pylist()
        geoms = shapely.from_wkb([b for b in blobs if b is not None])
        hexes = iter(
            shapely.to_wkb(geoms, hex=True, byte_order=1, output_dimension=2, flavor="iso")
        )
        text = pa.array(
            [None if b is None else str(next(hexes)).lower() for b in blobs], type=pa.string()
        )
    else:  # pragma: no cover - layouts only use the kinds above
        raise AssertionError(kind)
    return pc.fill_null(text, _NULL)


def canonical(meta: Mapping[str, str], layers: Sequence[tuple[Layer, pa.Table]]) -> bytes:
    """Serialise a package canonically: what the digest and the MAC cover (see the doc).

    Parameters
    ----------
    meta : Mapping of str to str
        The metadata; ``content_sha256`` and ``mac`` are left out.
    layers : sequence of (Layer, pyarrow.Table)
        The layers in the package's order, each as stored.

    Returns
    -------
    bytes
        UTF-8 text, one line per metadata entry, layer header and row.
    """
    lines = [CANONICAL_HEADER]
    for key in sorted(meta):
        if key not in UNSIGNED_KEYS:
            lines.append(f"meta\t{_escape_text(key)}\t{_escape_text(meta[key])}")
    for layer, table in layers:
        columns = list(layer.columns)
        kinds: list[tuple[str, str]] = [(n, k) for n, k in columns]
        if layer.geometry is not None:
            kinds.append((GEOMETRY_COLUMN, "geometry"))
        lines.append(f"layer\t{_escape_text(layer.name)}\t{table.num_rows}")
        lines.append("columns\t" + "\t".join(_escape_text(n) for n, _ in kinds))
        if table.num_rows:
            encoded = [_encode(table.column(n), k) for n, k in kinds]
            rows = pc.binary_join_element_wise(*encoded, "\t")
            order = pc.sort_indices(rows)
            lines.extend(cast(list[str], rows.take(order).to_pylist()))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _mac_key(key: PartnershipKey) -> bytes:
    # Domain separation: the MAC key is derived from the partnership key with a label no
    # other peermap derivation uses (pseudonyms hash identifiers without spaces; the
    # fingerprint uses "peermap key fingerprint v1").
    return key.digest(MAC_LABEL)


def mac(key: PartnershipKey, data: bytes) -> str:
    """Return the package MAC of canonical bytes: HMAC-SHA256 with the derived MAC key, hex."""
    return hmac.new(_mac_key(key), data, "sha256").hexdigest()
