"""Figures of the concern score in plain words, for the reasons of venues and contexts.

:func:`harm_words` names kinds of harm (:data:`peermap.ranking.VENUE_KINDS`),
:func:`times` writes a ratio and :func:`p_words` a q-value, as the ``reasons`` columns
of :func:`peermap.hotspots` and :func:`peermap.contexts` say them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["harm_words", "p_words", "plural", "plural_noun", "times"]

_HARM_WORDS: Mapping[str, str] = {
    "cse": "CSE",
    "cce": "CCE",
    "serious_youth_violence": "serious violence",
    "harmful_sexual_behaviour": "harmful sexual behaviour",
    "missing_episode": "missing episodes",
    "gang_association": "gang association",
    "teenage_relationship_abuse": "relationship abuse",
    "bullying": "bullying",
    "image_sharing": "image sharing",
    "online_harassment": "online harassment",
    "other": "other concerns",
    "exploiter": "exploiter ties",
    "tied": "young people in exploiter ties",
    "while_missing": "young people seen while missing",
}


def harm_words(kinds: Sequence[str]) -> str:
    """Name kinds of harm in words, e.g. ``"CSE/CCE and missing episodes"``."""
    words: list[str] = []
    for kind in kinds:
        word = _HARM_WORDS.get(kind, kind)
        if words and {word, words[-1]} == {"CSE", "CCE"}:
            words[-1] = "CSE/CCE"
        else:
            words.append(word)
    if not words:
        return "no harm"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def times(ratio: float) -> str:
    """Write a ratio for a reason: ``"9×"``, ``"2.5×"``, ``"1.03×"``, ``"just over 1×"``.

    Just above one it keeps two decimals: a harm that stands out at 1.03 times the rate
    is not written "1.0×", which reads as no excess at all. An infinite ratio is
    ``"far above"``.
    """
    if not math.isfinite(ratio):
        return "far above"
    if ratio >= 9.95:  # 9.96 would read "10.0×" beside "10×" for 10.2
        return f"{ratio:.0f}×"
    if 1.0 < ratio < 1.005:
        return "just over 1×"
    return f"{ratio:.2f}×" if 1.0 < ratio < 1.095 else f"{ratio:.1f}×"


def p_words(q: float) -> str:
    """Write a q-value for a reason."""
    if q < 0.001:
        return "q < 0.001"
    return f"q = {q:.2g}"


def plural_noun(noun: str) -> str:
    """Return the plural of a noun: ``venues``, ``authorities``, ``young people``."""
    if noun.endswith("person"):
        return noun[: -len("person")] + "people"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def plural(count: int, noun: str) -> str:
    """Return a count and its noun: ``1 venue``, ``3 venues``, ``1,200 young people``."""
    return f"{count:,} {noun if count == 1 else plural_noun(noun)}"
