"""What a held-out world planted: the truth the ranking benchmark reads.

Shared by the held-out worlds C, D, E and F (each written by another hand, each with the
same truth types, so that ``bench_ranking.py`` reads every world's truth one way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Decoy", "HeldOutTruth", "PlantedHub", "PlantedLine"]


@dataclass(frozen=True)
class PlantedHub:
    """A venue where young people were exploited."""

    place_id: str
    kind: str
    design: str
    authority: str
    people: tuple[str, ...]
    exploiters: tuple[str, ...]
    authorities: tuple[str, ...]


@dataclass(frozen=True)
class PlantedLine:
    """A county (or local) line: runners from ``origin`` sent to an address in ``destination``."""

    origin: str
    destination: str
    distance_km: float
    place_id: str
    people: tuple[str, ...]
    exploiters: tuple[str, ...]
    authorities: tuple[str, ...]


@dataclass(frozen=True)
class Decoy:
    """Genuine serious harm that is not exploitation (a fight, a bullying cluster...)."""

    place_id: str
    people: tuple[str, ...]
    kind: str
    day: date


@dataclass(frozen=True)
class HeldOutTruth:
    """What was planted in a held-out world."""

    trap_houses: tuple[PlantedHub, ...]
    county_lines: tuple[PlantedLine, ...]
    decoys: tuple[Decoy, ...]
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)
