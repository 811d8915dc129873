"""A context's concern score in words, for reports and the command line.

:func:`context_reasons` puts one row of :func:`peermap.contexts` in plain words: who
is in it and from how many authorities, how far it reaches, the kinds of harm that
stand out and by how much, how much of that counts (for a group cut from a larger
network, or joined by exploiter ties whose young people are not seen together), its
exploiter ties, what venues lend it and how often the community runs find it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from peermap._plain_words import harm_words, p_words, times
from peermap._venue_words import people_words, place_words

__all__ = ["context_reasons"]


def context_reasons(
    row: Any, *, around: str = "", venue: str | None = None, kinds: Mapping[str, str] = {}
) -> str:
    """Put a context's score in words, for reports and the command line.

    ``around``: ``"venue"`` or ``"exploiter"`` for a context set apart around a hotspot
    venue or exploiter ties (:mod:`peermap.analysis.anchors`); ``venue``: the place id
    of that hotspot venue (the most concerning one it was set apart around). Venues
    are named by place id and kind (``kinds``: the kind of each place id), so that the
    analyst finds them in :func:`peermap.hotspots` and on the map: the hotspot venue,
    and the venue that sets the concern (``lending_place``).
    """

    def named(place: str) -> str:
        return f"{place} ({place_words(kinds.get(place, 'other'))})"

    # Where its young people live: the authorities of its places are not homes.
    who = people_words(int(row.n_people), int(row.n_home_authorities))
    if around == "venue":
        who += (
            f" grouped around hotspot venue {named(venue)}"
            if venue
            else " grouped around a hotspot venue"
        )
    elif around == "exploiter":
        who += " grouped around exploiter ties"
    reach = {
        "distant": f"reaching distant authorities (up to {row.max_distance_km:.0f} km)",
        "neighbours": "across neighbouring authorities",
    }.get(str(row.reach), "")
    text = f"{who}{(', ' if around else ' ') + reach if reach else ''}"
    if row.harm_kinds:
        text += (
            f"; {harm_words(row.harm_kinds)} at "
            f"{times(float(row.excess_ratio))} the rate expected for their activity "
            f"({p_words(float(row.q_value))}" + _cut_words(row, around) + ")"
        )
    else:
        text += "; no more harm recorded than expected for their activity"
    if row.exploiter_ties:
        text += f"; {int(row.exploiter_ties)} exploiter tie{'s' if row.exploiter_ties > 1 else ''}"
    if row.place_concern > 0 and row.place_concern >= row.concern:
        lender = row.lending_place if isinstance(row.lending_place, str) else None
        if lender is not None and lender == venue:  # named above, as the one it is around
            text += "; that venue sets its concern"
        elif lender is not None:
            text += f"; {named(lender)}, where its young people are harmed or exploited, "
            text += "sets its concern"
        else:
            text += "; a venue where its young people are harmed or exploited sets its concern"
        if row.place_share < 1:
            share = "under 1%" if row.place_share < 0.01 else f"{row.place_share:.0%}"
            runs = isinstance(row.stability, float) and not math.isnan(row.stability)
            text += (
                f" ({_concern_words(row.place_concern)}: the venue's concern of "
                f"{_concern_words(row.place_concern / row.place_share)}, for the {share} "
                f"of those harmed or exploited there that it holds"
                + (", on average over the runs)" if runs else ")")
            )
        else:
            text += f" (its venue concern, {_concern_words(row.place_concern)})"
    if isinstance(row.stability, float) and not math.isnan(row.stability):
        share = f"{row.stability:.0%}"
        text += f"; found in {share} of runs"
        if share != "100%" and row.concern > row.place_concern:
            text += ", which weighs its concern"
    return text


def _concern_words(concern: float) -> str:
    """Put a concern to one decimal, or "under 0.1": never 0.0 for one above 0."""
    return "under 0.1" if 0 < concern < 0.05 else f"{concern:.1f}"


def _cut_words(row: Any, around: str = "") -> str:
    """Say how much of a group's own excess counts, when not all of it does.

    ``around="exploiter"``: a group set apart by exploiter ties that meet nowhere;
    otherwise a group cut from a larger network.
    """
    if row.excess_weight >= 1 or row.excess_concern <= 0:
        return ""
    why = (
        "exploiter ties whose young people are not seen together"
        if around == "exploiter"
        else "a group cut from a larger network"
    )
    if row.excess_weight * row.excess_concern <= 0:
        return f": not enough to rank on, for {why}"
    share = "under 1%" if row.excess_weight < 0.01 else f"{math.floor(100 * row.excess_weight)}%"
    return f": counted at {share}, for {why}"
