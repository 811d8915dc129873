"""A venue's concern score in plain words, for reports and the command line.

:func:`venue_reasons` puts one row of :func:`peermap.hotspots` in words (its
``reasons`` column); :func:`people_words` says how many young people from how many
authorities, as the reasons of contexts do too.
"""

from __future__ import annotations

from typing import Any

from peermap._plain_words import harm_words, p_words, times
from peermap.ranking import HARM_KINDS

__all__ = ["people_words", "place_words", "venue_reasons"]

#: A kind of place in words.
_PLACE_WORDS = {
    "school": "school",
    "hotel": "hotel",
    "park": "park",
    "transport_hub": "transport hub",
    "fast_food": "fast-food shop",
    "shopping_centre": "shopping centre",
    "residential": "residential address",
    "youth_venue": "youth venue",
    "other": "place",
    "online": "online space",
}


def place_words(kind: str) -> str:
    """Say a kind of place in words ("fast-food shop"); "place" for one not known."""
    return _PLACE_WORDS.get(str(kind), "place")


def venue_reasons(row: Any) -> str:
    """Put the venue's score in words, for reports and the command line."""
    kind = place_words(row.kind)
    records = [k for k in row.harm_kinds if k in HARM_KINDS]  # not the streams of people
    met = int(row.met_people) if "exploiter" in row.harm_kinds else 0
    tied = int(row.together_people) if "tied" in row.harm_kinds else 0
    away = int(row.missing_people) if "while_missing" in row.harm_kinds else 0
    if row.harmed_people == 0 and not met and not tied and not away:
        return f"no serious harm recorded at this {kind} in the window"
    who = people_words(int(row.harmed_people), int(row.harmed_authorities))
    usual = "the share usual among young people seen"
    if records:
        text = f"{who} recorded for {harm_words(records)} at this {kind}"
        if met:
            text += f"; {_tied_words(met)} that {'meets' if met == 1 else 'meet'} here"
        elif tied:
            text += f"; {_tied_words(tied)} seen together here"
        elif row.exploited:
            n = int(row.exploited)
            text += f"; {n} of them in {'an exploiter tie' if n == 1 else 'exploiter ties'}"
        rate = f"{times(float(row.excess_ratio))} the rate usual for a {kind} this busy"
    elif met or tied or away:
        # Led by the first stream that stands out; seen while missing is added after.
        if met:
            lead = f"{_tied_words(met)} that {'meets' if met == 1 else 'meet'} at this {kind}"
            ratio = row.exploiter_ratio
        elif tied:
            lead, ratio = f"{_tied_words(tied)} seen together at this {kind}", row.tied_ratio
        else:
            lead, ratio = _missing_words(away, f"at this {kind}"), row.missing_ratio
            away = 0
        text, rate = lead, f"{times(float(ratio))} {usual}"
        if row.harmed_people:
            text += f"; {who} with serious records here"
    else:
        return f"{who} with serious records, no more than usual for a {kind} this busy"
    if away:
        text += f"; {_missing_words(away, 'here')}"
    if row.reach == "distant":
        text += "; reached from distant authorities"
    return f"{text}; {rate} ({p_words(float(row.q_value))})"


def _tied_words(people: int) -> str:
    """Say how many young people are in exploiter ties ("1 young person in an exploiter tie")."""
    if people == 1:
        return "1 young person in an exploiter tie"
    return f"{people} young people in exploiter ties"


def _missing_words(people: int, where: str) -> str:
    """Say how many young people are seen ``where`` while missing ("2 young people seen ...")."""
    who = "1 young person" if people == 1 else f"{people} young people"
    return f"{who} seen {where} within a day of being reported missing elsewhere"


def people_words(people: int, authorities: int) -> str:
    """Say how many young people, from how many home authorities ("3 young people from 2 ...")."""
    who = "1 young person" if people == 1 else f"{people} young people"
    if authorities > 1:
        who += f" from {authorities} authorities"
    return who
