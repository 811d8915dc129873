"""CLKs in partnership packages: the ``clks`` layer, written under the package's MAC.

Partners that link their young people (:mod:`peermap.linkage`) exchange CLKs, which are
personal data. A partnership package may carry them in a layer of their own,
``clks`` (``person_id``, ``clk``: :data:`~peermap.exchange.layout.CLK_LAYER`), beside
the records and never inside them (the identifier rule ``clk`` refuses a CLK in any
record column). The layer is covered by the package's digest and MAC like every other
(its row count is in the signed metadata as ``count_clks``), so a changed, added or
deleted CLK, or a removed layer, fails the integrity check. An aggregate package never
holds one. :func:`read_clks` gives the CLKs back, only from a package verified with the
partnership key. No message shows a CLK.
"""

from __future__ import annotations

import os

import pandas as pd
import pyarrow as pa

from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError, ValidationError
from peermap.exchange.layout import CLK_LAYER, Layer, arrow_table
from peermap.exchange.reading import load
from peermap.linkage.linking import checked_clks
from peermap.privacy import KeyLike, load_key

__all__ = ["clk_layer", "read_clks"]


def clk_layer(ds: Dataset, clks: pd.DataFrame, audience: str) -> tuple[Layer, pa.Table]:
    """Return the ``clks`` layer of a partnership package, checked against its people.

    Parameters
    ----------
    ds : Dataset
        The dataset the package holds.
    clks : pandas.DataFrame
        ``person_id`` and ``clk``, as :func:`peermap.encode_identities` returns.
    audience : str
        The package's audience: CLKs go only in a partnership package.

    Returns
    -------
    tuple of (Layer, pyarrow.Table)

    Raises
    ------
    ValueError
        For an aggregate package (CLKs are personal data).
    ValidationError
        When the CLKs are not as ``encode_identities`` writes them, or name a young
        person the package does not hold (naming the row, never a CLK).
    """
    if audience != "partnership":
        raise ArgumentError(
            "CLKs are personal data (anyone holding the linkage key can test a guessed "
            "name against one): they travel only in a partnership package, never in an "
            f"{audience} package; leave clks= out"
        )
    label = str(clks.attrs.get("source", "clks")) if isinstance(clks, pd.DataFrame) else "clks"
    ids, _bits = checked_clks(clks, label)
    people = set(ds.people["person_id"].astype(str).str.strip())
    unknown = [i for i, ident in enumerate(ids) if ident.strip() not in people]
    if unknown:
        rows = ", ".join(str(i + 1) for i in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise ValidationError(
            f"{label}: column person_id names a young person the package does not hold in "
            f"row(s) {rows}{more}; encode the identities of the people being sent"
        )
    frame = pd.DataFrame(
        {"person_id": [i.strip() for i in ids], "clk": clks["clk"].astype(str).tolist()}
    )
    return CLK_LAYER, arrow_table(CLK_LAYER, frame)


def read_clks(path: str | os.PathLike[str], *, key: KeyLike) -> pd.DataFrame:
    """Read the CLKs of a partnership package, after verifying it with the partnership key.

    Parameters
    ----------
    path : str or path-like
        The ``.gpkg`` file, written by :func:`peermap.write_package` with ``clks=``.
    key : PartnershipKey, bytes or str
        The partnership key: CLKs are read only from a package whose MAC checks.

    Returns
    -------
    pandas.DataFrame
        ``person_id`` and ``clk``, ready for :func:`peermap.link_identities`.

    Raises
    ------
    ValidationError
        When the package does not check (an :class:`~peermap.IntegrityError` when it was
        changed: a CLK edited, added or deleted) or holds no CLKs.
    """
    loaded = load(path, load_key(key))
    found = loaded.layers.get(CLK_LAYER.name)
    if found is None:
        raise ValidationError(
            f"{loaded.label} holds no CLKs (no layer {CLK_LAYER.name}); write the package "
            "with clks= (peermap export --clks)"
        )
    _layer, table = found
    frame = pd.DataFrame(
        {
            "person_id": pd.array(table.column("person_id").to_pylist(), dtype="string"),
            "clk": pd.array(table.column("clk").to_pylist(), dtype="string"),
        }
    )
    checked_clks(frame, f"{loaded.label} [layer {CLK_LAYER.name}]")
    return frame
