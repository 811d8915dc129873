"""What a scenario planted, for checking an analysis against: the truth records.

:class:`TrapHouse`, :class:`CountyLine`, :class:`Incident` (a decoy) and
:class:`Placement` are what the planting and the placements return;
:class:`GroundTruth` holds them, and :class:`Scenario` pairs it with the dataset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from peermap._pickling import reduce_frozen
from peermap.dataset import Dataset

__all__ = ["CountyLine", "GroundTruth", "Incident", "Placement", "Scenario", "TrapHouse"]


@dataclass(frozen=True)
class TrapHouse:
    """A planted trap house: a hotel or flat where young people are exploited.

    Attributes
    ----------
    place_id : str
        The place (a ``hotel`` or ``residential`` row of ``places``).
    kind : str
        ``"hotel"`` or ``"residential"`` (a flat).
    authority : str
        Code of the authority the place lies in.
    people : tuple of str
        The exploited young people drawn to it (``person_id``, sorted).
    authorities : tuple of str
        Their distinct home authorities (codes, sorted); always three or more.
    exploiters : tuple of str
        Older young people (17-18) with an ``exploiter`` tie to them (``person_a`` is
        the exploiter).
    contexts : tuple of str
        Contexts of the planted sightings at the place, in schema order: always
        ``cse`` and ``cce``, often also ``missing_episode`` or ``gang_association``.
    first_date, last_date : datetime.date
        The window of the sightings at the place.
    """

    place_id: str
    kind: str
    authority: str
    people: tuple[str, ...]
    authorities: tuple[str, ...]
    exploiters: tuple[str, ...]
    contexts: tuple[str, ...]
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True)
class CountyLine:
    """A planted county-lines style link to a distant authority.

    Attributes
    ----------
    origin : str
        Code of the authority the young people are homed in.
    destination : str
        Code of the authority they are sent to: never a neighbour of ``origin``.
    distance_km : float
        Distance between the two authorities' centroids.
    people : tuple of str
        The exploited young people (homed in ``origin``, sorted).
    exploiters : tuple of str
        Who exploits them (homed in ``origin``; ``person_a`` of the ``exploiter`` ties).
    place_id : str
        The place in ``destination`` (a ``residential`` flat where there is one) where
        they are seen, with context ``cce`` (and sometimes ``missing_episode``).
    contexts : tuple of str
        Contexts of the planted sightings at the place: ``("cce",)`` or
        ``("cce", "missing_episode")``.
    first_date, last_date : datetime.date
        The window of the sightings at the place.
    """

    origin: str
    destination: str
    distance_km: float
    people: tuple[str, ...]
    exploiters: tuple[str, ...]
    place_id: str
    contexts: tuple[str, ...]
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True)
class Incident:
    """A decoy: a genuine serious incident at a busy ordinary venue, not a trap house.

    Attributes
    ----------
    place_id : str
        The venue (a school, fast food outlet, transport hub, shopping centre or park).
    place_kind : str
        The venue's kind.
    kind : {"fight", "exploitation"}
        ``fight``: serious youth violence between young people from two or three
        authorities on one or two days. ``exploitation``: a few ``cse``/``cce`` records
        at a busy transport hub within a month.
    authority : str
        Code of the authority the venue lies in.
    people : tuple of str
        The young people involved (``person_id``, sorted); ordinary young people, in no
        planted context.
    authorities : tuple of str
        Their distinct home authorities (codes, sorted).
    contexts : tuple of str
        Contexts of the incident's sightings, in schema order.
    first_date, last_date : datetime.date
        The days the incident spans.
    """

    place_id: str
    place_kind: str
    kind: str
    authority: str
    people: tuple[str, ...]
    authorities: tuple[str, ...]
    contexts: tuple[str, ...]
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True)
class OnlineContext:
    """A planted online context (schema 1.1): a group chat, with no location.

    Attributes
    ----------
    place_id : str
        The online place (``kind`` ``online``).
    kind : {"recruitment", "image_sharing"}
        A group chat recruiting across three authorities (exploiter ties, criminal and
        sexual exploitation), or image sharing inside one school year group.
    platform : str
        Its ``platform``.
    people : tuple of str
        The young people recorded there (not the exploiters).
    exploiters : tuple of str
        Young people in exploiter ties with them (none for image sharing).
    authorities : tuple of str
        The home authorities of ``people``.
    contexts : tuple of str
        The abuse contexts recorded there.
    first_date, last_date : datetime.date
        The first and last record there.
    """

    place_id: str
    kind: str
    platform: str
    people: tuple[str, ...]
    exploiters: tuple[str, ...]
    authorities: tuple[str, ...]
    contexts: tuple[str, ...]
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True)
class Placement:
    """Where a looked-after young person is placed.

    Attributes
    ----------
    person_id : str
        The looked-after young person.
    home : str
        Code of their home authority (``from_authority`` when placed out).
    placed_in : str
        Code of the authority they are placed in.
    placed_out : bool
        Whether ``placed_in`` differs from ``home``; only these have a row in
        ``relocations``.
    where : {"home", "neighbour", "distant"}
        ``home`` (in area), ``neighbour`` (an authority bordering the home one, in
        :func:`peermap.authority_graph`) or ``distant`` (any other).
    date : datetime.date or None
        Date of the move (``None`` for a placement in the home authority).
    kind : str or None
        Relocation kind (``care_placement`` or ``secure``; ``None`` in area).
    ties : tuple of str
        Young people homed in ``placed_in`` with whom a tie was formed after the move
        (first seen on or after ``date``).
    """

    person_id: str
    home: str
    placed_in: str
    placed_out: bool
    where: Literal["home", "neighbour", "distant"]
    date: dt.date | None
    kind: str | None
    ties: tuple[str, ...]


@dataclass(frozen=True)
class GroundTruth:
    """What :func:`scenario` planted, for checking an analysis against.

    Attributes
    ----------
    seed : int
        The seed the scenario was made with.
    trap_houses : tuple of TrapHouse
        The planted trap houses, each drawing young people from three or more
        authorities.
    county_lines : tuple of CountyLine
        The planted county-lines links.
    placements : tuple of Placement
        Every looked-after young person's placement, in area or out of area.
    groups : pandas.DataFrame
        Peer-group membership: ``person_id``, ``group_id``, ``group_authority`` (the
        authority the group is based in). Young people in no group are absent.
    parameters : Mapping
        The parameters the scenario was made with (read-only).
    decoys : tuple of Incident
        Genuine serious incidents at busy ordinary venues (fights, a few exploitation
        records at a transport hub): real harm, but not trap houses. An analysis should
        not rank them above the planted contexts.
    online : tuple of OnlineContext
        The planted online contexts (``scenario(online_spaces=True)``), else none.
    """

    seed: int
    trap_houses: tuple[TrapHouse, ...]
    county_lines: tuple[CountyLine, ...]
    placements: tuple[Placement, ...]
    groups: pd.DataFrame = field(compare=False, repr=False)
    parameters: Mapping[str, Any] = field(compare=False, repr=False)
    decoys: tuple[Incident, ...] = ()
    online: tuple[OnlineContext, ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle support: read-only mappings travel as dicts and come back read-only."""
        return reduce_frozen(self)

    @property
    def relocated(self) -> tuple[Placement, ...]:
        """Placements outside the home authority: those with a ``relocations`` row."""
        return tuple(p for p in self.placements if p.placed_out)

    @property
    def planted_people(self) -> frozenset[str]:
        """Every young person in a planted context (exploited or exploiter)."""
        ids: set[str] = set()
        for t in self.trap_houses:
            ids.update(t.people, t.exploiters)
        for c in self.county_lines:
            ids.update(c.people, c.exploiters)
        return frozenset(ids)

    @property
    def decoy_people(self) -> frozenset[str]:
        """Every young person in a decoy incident (none is in a planted context)."""
        return frozenset(p for d in self.decoys for p in d.people)

    def summary(self) -> str:
        """Describe the planted truth in a few lines of plain text."""
        lines = [f"planted truth (seed {self.seed})"]
        groups = self.groups
        if len(groups):
            sizes = groups.groupby("group_id").size()
            lines.append(
                f"  peer groups    {len(sizes):>6,}  sizes {sizes.min()}-{sizes.max()}, "
                f"{len(groups):,} members"
            )
        lines.append(f"  trap houses    {len(self.trap_houses):>6}")
        for t in self.trap_houses:
            lines.append(
                f"    {t.place_id} ({t.kind}) in {t.authority}: {len(t.people)} young people "
                f"from {len(t.authorities)} authorities, {len(t.exploiters)} exploiter(s), "
                f"{'/'.join(t.contexts)}, {t.first_date:%Y-%m-%d} to {t.last_date:%Y-%m-%d}"
            )
        lines.append(f"  county lines   {len(self.county_lines):>6}")
        for c in self.county_lines:
            lines.append(
                f"    {c.origin} -> {c.destination} ({c.distance_km:.1f} km, not neighbours): "
                f"{len(c.people)} young people seen at {c.place_id}"
            )
        for o in self.online:
            lines.append(
                f"  online {o.kind}: {o.place_id} ({o.platform}), {len(o.people)} young people "
                f"from {len(o.authorities)} authorities, {'/'.join(o.contexts)}"
            )
        lines.append(f"  decoys         {len(self.decoys):>6}  (real incidents, not trap houses)")
        for d in self.decoys:
            lines.append(
                f"    {d.place_id} ({d.place_kind}) in {d.authority}: {d.kind}, "
                f"{len(d.people)} young people from {len(d.authorities)} authorities, "
                f"{'/'.join(d.contexts)}, {d.first_date:%Y-%m-%d} to {d.last_date:%Y-%m-%d}"
            )
        out = self.relocated
        near = sum(p.where == "neighbour" for p in out)
        with_ties = sum(bool(p.ties) for p in out)
        share = len(out) / len(self.placements) if self.placements else 0.0
        lines.append(
            f"  placements     {len(self.placements):>6}  {len(out)} out of area ({share:.0%}): "
            f"{near} to a neighbour, {len(out) - near} farther; {with_ties} formed ties there"
        )
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class Scenario:
    """A synthetic dataset and the truth planted in it.

    Unpacks as ``ds, truth = scenario(...)``.

    Attributes
    ----------
    dataset : Dataset
        The validated dataset.
    truth : GroundTruth
        What was planted.
    timings : Mapping
        Seconds spent: ``generation`` (drawing the tables and the truth) and
        ``validation`` (:func:`peermap.read_dataset` on them, with the boundaries).
    """

    dataset: Dataset
    truth: GroundTruth
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle support: read-only mappings travel as dicts and come back read-only."""
        return reduce_frozen(self)

    def __iter__(self) -> Iterator[Any]:
        yield self.dataset
        yield self.truth
