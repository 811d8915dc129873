"""Person ids in identity and CLK tables are screened for direct identifiers.

A CLK table carries ``person_id`` beside each encoding, and the ids travel with it to
whoever links and into the links and clusters. An id written as a name, an email
address or a date of birth would leave the partner in clear, however well the
identity itself is encoded, so :func:`refuse_identifying_ids` refuses such ids before
anything is encoded or linked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from peermap.exceptions import PrivacyError
from peermap.privacy.identifiers import REDACTIONS, find_identifiers

__all__ = ["refuse_identifying_ids"]

_MAX_LISTED = 10


def refuse_identifying_ids(ids: Sequence[str], *, column: str, what: str) -> None:
    """Raise :class:`PrivacyError` when person ids look like direct identifiers.

    Parameters
    ----------
    ids : sequence of str
        The ids as text, in row order.
    column : str
        The id column's name, for the message.
    what : str
        What the message calls the table.

    Raises
    ------
    PrivacyError
        Naming the column, what the ids look like (a name, an email address ...) and
        the rows (counted from 1), never a value.
    """
    if not len(ids):
        return
    rows = pd.RangeIndex(1, len(ids) + 1)
    frame = pd.DataFrame({"person_id": pd.Series(list(ids), index=rows, dtype=object)})
    findings = find_identifiers(frame, table="identities")
    if not findings:
        return
    parts = []
    for finding in findings:
        found = np.asarray(finding.rows)
        shown = ", ".join(str(r) for r in found[:_MAX_LISTED])
        more = len(found) - _MAX_LISTED
        looks = REDACTIONS[finding.rule].removeprefix("[withheld: looks like ").rstrip("]")
        parts.append(f"{looks} in row(s) {shown}" + (f" and {more} more" if more > 0 else ""))
    raise PrivacyError(
        f"{what}: column {column} holds person ids that look like {'; '.join(parts)} "
        "(rows counted from 1, the header not counted; values are not shown). Person ids "
        "travel with the CLKs to whoever links and into the links: use the partner's local "
        "ids or pseudonyms, never names, dates of birth or contact details"
    )
