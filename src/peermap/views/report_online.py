"""The report's section on online spaces (schema 1.1): group chats and platforms.

Online places have no location, so the map cannot place them; the report lists them,
ranked as venues are (:func:`peermap.online_spaces`), under the audience's rule: a
public report lists only those about enough young people (their cell key decides the
rounding) and shows neither the reasons nor the score, which rest on exact counts.
"""

from __future__ import annotations

import pandas as pd

from peermap.filters import filter_sightings
from peermap.views.report_sections import (
    WHY,
    ReportContext,
    Section,
    Table,
    serious_place_keys,
)

__all__ = ["online_section"]


def online_members(c: ReportContext, place_ids: pd.Series) -> dict[str, list[str]]:
    """Return the young people recorded at each online place (in the report's window)."""
    s = filter_sightings(c.ds, **c.filters)
    s = s[s["place_id"].isin(place_ids)]
    return {str(p): sorted(set(g)) for p, g in s.groupby("place_id")["person_id"]}


def online_section(c: ReportContext) -> Section | None:
    """Build the list of online spaces, most concerning first (``None`` when there are none)."""
    from peermap.analysis import online_spaces

    table = online_spaces(c.ds, **c.filters)
    table = table[table["people"] > 0]
    if table.empty:
        return None
    section = Section("Online spaces")
    section.paragraphs.append(
        f"{c.number(len(table))} online spaces (group chats, platforms) have records. They have no "
        "place on the map; they are ranked as venues are, by the harm recorded there beyond "
        "what is usual, weighed by how many authorities their young people come from."
    )
    members = online_members(c, table["place_id"])
    rows: list[list[str]] = []
    hidden = 0
    serious_keys = serious_place_keys(c) if c.public else {}
    for row in table.to_dict("records"):
        people = members.get(str(row["place_id"]), [])
        key = c.people_key(people)
        platform = "" if pd.isna(row["platform"]) else str(row["platform"])
        if not c.listed(len(people), key):
            hidden += 1
            continue
        if c.public:
            rows.append(
                [
                    str(len(rows) + 1),
                    platform or "online",
                    c.count(len(people), key),
                    c.count(row["serious"], serious_keys.get(row["place_id"])),
                ]
            )
        else:
            place = str(row["place_id"])
            label = row.get("label")
            if label is not None and not pd.isna(label) and str(label).strip():
                place += f" ({str(label).strip()})"
            rows.append(
                [
                    str(len(rows) + 1),
                    str(row["reasons"]),
                    f"{float(row['concern']):.2f}",
                    place,
                    platform,
                    c.count(len(people)),
                    c.count(row["sightings"]),
                    ", ".join(c.name(a) for a in row["authorities"]),
                    c.count(row["serious"]),
                ]
            )
    rows = rows[: c.top]
    if c.public:
        # Not how many home authorities: an exact count, one more is one child.
        columns = ["#", "platform", "young people", "serious sightings"]
        numeric = [True, False, True, True]
        section.table = Table(columns, rows, numeric) if rows else None
    else:
        columns = [
            "#",
            WHY,
            "concern",
            "space (label)",
            "platform",
            "young people",
            "sightings",
            "home authorities",
            "serious sightings",
        ]
        numeric = [True, False, True, False, False, True, True, False, True]
        section.table = Table(columns, rows, numeric, prose=1, names=(7,)) if rows else None
    if hidden:
        rule = c.rule
        section.notes.append(
            f"Not listed: {c.how_many(hidden, 'online space')} with fewer than "
            f"{rule.min_count if rule else 0} young people."
        )
    return section
