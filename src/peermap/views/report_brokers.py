"""The partnership report's "Brokers" section: who holds each context together.

Partnership reports only: it names young people by pseudonym. See
:func:`peermap.centrality` and ``docs/investigation.md``.
"""

from __future__ import annotations

import pandas as pd

from peermap.views.report_sections import ReportContext, Section, Table

__all__ = ["brokers_section"]


def _brokers_are(count: int) -> str:
    """``1 young person is a broker``, ``3 young people are brokers``."""
    if count == 1:
        return "1 young person is a broker"
    return f"{count:,} young people are brokers"


def brokers_section(c: ReportContext) -> Section | None:
    """Build the top brokers (the most between first); ``None`` for public reports."""
    if c.public:
        return None
    from peermap.analysis import centrality

    table = centrality(c.ds, **c.filters)
    brokers = table[table["broker"].astype(bool)]
    section = Section("Brokers")
    if brokers.empty:
        section.paragraphs.append(
            "No young person is a broker: in no context is one young person the only link "
            "between its parts (through their ties and the places they were seen at)."
        )
        return section
    section.paragraphs.append(
        f"{_brokers_are(len(brokers))}: removing them would split their "
        "context in two (they are the only link between its parts, through their ties and "
        "the places they were seen at). Work with a broker may reach the whole group; "
        "their move or custody may leave parts of it that no longer meet. Listed most "
        "between first: the share of the shortest chains between other young people that "
        "pass through them."
    )
    shown = brokers.head(c.top)
    rows = [
        [
            str(row["person_id"]),
            "" if pd.isna(row["context_id"]) else str(row["context_id"]),
            c.name(row["home_authority"]),
            f"{int(row['degree']):,}",
            f"{float(row['betweenness']):.3g}",
            f"{int(row['k_core']):,}",
            f"{int(row['authorities']):,}",
        ]
        for row in shown.to_dict("records")
    ]
    if rows:
        columns = [
            "young person",
            "context",
            "home authority",
            "ties",
            "betweenness",
            "k-core",
            "authorities reached",
        ]
        section.table = Table(columns, rows, [False, True, False, True, True, True, True])
    if len(brokers) > len(shown):
        section.notes.append(
            f"The {len(shown)} most between are listed; {len(brokers):,} are brokers."
        )
    section.notes.append(
        "peermap.find_path and peermap.connecting_network show how two young people (or a "
        "young person and a place) are linked; diagrams outline brokers in magenta."
    )
    return section
