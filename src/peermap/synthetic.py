"""Seeded synthetic scenarios: a valid dataset plus the ground truth planted in it.

:func:`scenario` builds a fictional population of young people aged 10-18 on any
set of authority boundaries, with peer groups, sibling and partner ties, places of
every kind, sightings, out-of-area care placements and a few planted exploitation
contexts (trap houses drawing young people from three or more nearby authorities, and
a county-lines style link to an authority 40-250 km away). Decoys make the planted
truth hard to single out by trivial signals: genuine serious incidents at busy
ordinary venues (fights, a few exploitation records at a transport hub), background
``exploiter`` ties in no planted context, and background CSE/CCE records spread thin
over many places and young people. The tables go through
:func:`peermap.read_dataset` with the boundaries, so the returned
:class:`~peermap.Dataset` is valid by construction, and the planted contexts come
back in a :class:`GroundTruth` (with the decoys) so that tests can check that an
analysis finds them, and ranks them above the decoys.

Nothing here is real: identifiers are sequential (``yp-000001``, ``pl-00001``), labels
are generic (``hotel 12``), and the same ``seed`` gives the same tables byte for byte.
The models and their parameters are described in ``docs/synthetic.md``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from peermap import settings
from peermap._pickling import reduce_frozen
from peermap.dataset import Dataset
from peermap.schema import CONTEXTS, PLACE_KINDS, RELIABILITIES, SOURCES, TIE_KINDS

__all__ = [
    "CountyLine",
    "GroundTruth",
    "Incident",
    "Placement",
    "Scenario",
    "TrapHouse",
    "scenario",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------- parameters
# Every number of the models is here, named, so that docs/synthetic.md can quote them.

#: Ages 10-18 and their relative frequency (peer-on-peer abuse peaks mid-teens).
AGE_WEIGHTS: Final = {10: 4, 11: 5, 12: 8, 13: 11, 14: 13, 15: 15, 16: 16, 17: 15, 18: 13}
SEX_WEIGHTS: Final = {"F": 0.47, "M": 0.49, "X": 0.01, "unknown": 0.03}

#: Share of young people who belong to a peer group.
GROUP_SHARE: Final = 0.85
#: Peer-group size: 3 + (geometric(p) - 1), at most 12 (mean about 5.5).
GROUP_MIN, GROUP_MAX, GROUP_P = 3, 12, 0.28
#: Probability that a group member's group is based outside their home authority.
GROUP_CROSS: Final = 0.10
#: Shares of the background tie budget; the rest (about 28%) are ties outside groups.
TIE_MIX: Final = {"group": 0.63, "sibling": 0.04, "partner": 0.045}
#: Of partner ties, the share that are past relationships (``ex_partner``).
EX_PARTNER_SHARE: Final = 0.4
#: Kinds of tie inside a peer group, and of ties outside groups.
GROUP_TIE_KINDS: Final = {"friend": 0.5, "group_member": 0.35, "associate": 0.15}
INDIVIDUAL_TIE_KINDS: Final = {"friend": 0.55, "associate": 0.45}
#: Probability that a tie outside a group, or a partner, is with someone homed elsewhere.
INDIVIDUAL_CROSS: Final = 0.30
PARTNER_CROSS: Final = 0.15
PARTNER_MIN_AGE, PARTNER_MAX_AGE_GAP = 13, 3

#: Where ties come from, and how reliable they are (most are reported, few confirmed).
TIE_SOURCES: Final = {
    "school": 0.24,
    "social_care": 0.24,
    "police": 0.22,
    "youth_service": 0.09,
    "young_person": 0.08,
    "health": 0.05,
    "voluntary_sector": 0.05,
    "other": 0.03,
}
TIE_RELIABILITY: Final = {
    "unverified": 0.30,
    "reported": 0.45,
    "corroborated": 0.18,
    "confirmed": 0.07,
}
SIBLING_SOURCES: Final = {"social_care": 0.6, "school": 0.3, "health": 0.1}
SIBLING_RELIABILITY: Final = {"reported": 0.2, "corroborated": 0.3, "confirmed": 0.5}
#: Share of ties with a ``last_seen`` date, and the mean time from first to last seen (days).
LAST_SEEN_SHARE, LAST_SEEN_MEAN_DAYS = 0.55, 90.0

#: Sightings: where they come from and how reliable, and their harm contexts.
SIGHTING_SOURCES: Final = {
    "police": 0.35,
    "social_care": 0.20,
    "school": 0.15,
    "youth_service": 0.10,
    "health": 0.05,
    "voluntary_sector": 0.05,
    "young_person": 0.05,
    "other": 0.05,
}
SIGHTING_RELIABILITY: Final = {
    "unverified": 0.25,
    "reported": 0.45,
    "corroborated": 0.20,
    "confirmed": 0.10,
}
SIGHTING_CONTEXTS: Final = {
    "bullying": 0.18,
    "serious_youth_violence": 0.15,
    "missing_episode": 0.14,
    "gang_association": 0.11,
    "teenage_relationship_abuse": 0.10,
    "harmful_sexual_behaviour": 0.07,
    "cce": 0.06,
    "cse": 0.05,
    "other": 0.14,
}
#: Probability that a sighting is outside the young person's base authority.
SIGHTING_CROSS: Final = 0.20
#: Gamma shape of how unevenly sightings fall on young people (1 = exponential).
ACTIVITY_SHAPE: Final = 0.8
#: How much each kind of place draws sightings.
PLACE_ATTRACTION: Final = {
    "school": 3.0,
    "hotel": 0.3,
    "park": 2.0,
    "transport_hub": 2.5,
    "fast_food": 3.0,
    "shopping_centre": 2.5,
    "residential": 1.0,
    "youth_venue": 2.0,
    "other": 0.7,
}
#: Share of places of each kind.
PLACE_MIX: Final = {
    "school": 0.15,
    "hotel": 0.06,
    "park": 0.14,
    "transport_hub": 0.08,
    "fast_food": 0.14,
    "shopping_centre": 0.05,
    "residential": 0.25,
    "youth_venue": 0.08,
    "other": 0.05,
}
#: Kinds that cluster near transport hubs, the share of them that do, and the radius (m).
HUB_CLUSTERED: Final = ("hotel", "fast_food")
HUB_SHARE, HUB_RADIUS_M = 0.85, 400.0
#: Places of one kind are not equally busy: each place's attraction is multiplied by a
#: log-normal busyness of mean 1 and this log-scale spread.
PLACE_BUSYNESS_SIGMA: Final = 0.5

#: Gravity model: exponent and distance floor (km).
BETA_DEFAULT, DISTANCE_FLOOR_KM = 2.0, 2.0

#: Out-of-area placements: share placed outside the home authority (about 41% in
#: England, 2018), and of those the share placed in a neighbouring authority.
OUT_OF_AREA_DEFAULT, NEIGHBOUR_PLACEMENT = 0.41, 0.75
PLACEMENT_KINDS: Final = {"care_placement": 0.9, "secure": 0.1}
#: Rounds of extra draws to replace duplicate ties or sightings before giving up.
_TOP_UP_ROUNDS: Final = 20
#: Share of young people placed out of area who form ties in the receiving authority.
RECEIVING_TIE_SHARE: Final = 0.5

#: Background ``exploiter`` ties, in no planted context: their share of the background
#: tie budget; the older young person's minimum age and the smallest age gap; how many
#: younger young people each one has; the probability that the younger one is homed in a
#: neighbouring authority (otherwise the same one); where they come from and how
#: reliable they are (mostly unverified or reported).
BACKGROUND_EXPLOITER_SHARE: Final = 0.004
BACKGROUND_EXPLOITER_MIN_AGE, BACKGROUND_EXPLOITER_AGE_GAP = 15, 2
BACKGROUND_EXPLOITER_VICTIMS: Final = (1, 3)
BACKGROUND_EXPLOITER_CROSS: Final = 0.25
BACKGROUND_EXPLOITER_SOURCES: Final = {
    "police": 0.35,
    "social_care": 0.30,
    "school": 0.15,
    "youth_service": 0.10,
    "young_person": 0.05,
    "other": 0.05,
}
BACKGROUND_EXPLOITER_RELIABILITY: Final = {
    "unverified": 0.45,
    "reported": 0.40,
    "corroborated": 0.12,
    "confirmed": 0.03,
}

#: Planted contexts: young people per home authority, home authorities per trap house.
TRAP_PER_AUTHORITY, TRAP_AUTHORITIES = (2, 4), (3, 5)
#: A trap house's other home authorities are its host's neighbours or lie within this
#: distance of it (centroids, km): never authorities that nothing links.
TRAP_REACH_KM: Final = 25.0
#: Sightings per young person at a trap house: 1 to a ceiling drawn per house from
#: ``TRAP_VISITS`` (so some houses see each young person only once or twice), within a
#: window whose length (days) is drawn per house from ``TRAP_WINDOW_DAYS``.
TRAP_VISITS, TRAP_WINDOW_DAYS = (2, 5), (60, 180)
#: Contexts of trap-house sightings (``cse`` and ``cce`` always both appear).
TRAP_CONTEXTS: Final = {"cse": 0.36, "cce": 0.36, "missing_episode": 0.16, "gang_association": 0.12}
#: County lines: young people sent, sightings per young person (1 to the upper bound).
COUNTY_LINE_PEOPLE, COUNTY_LINE_VISITS = (3, 6), (1, 4)
#: Contexts of county-line sightings (``cce`` always appears).
COUNTY_LINE_CONTEXTS: Final = {"cce": 0.8, "missing_episode": 0.2}
#: Distance from origin to destination (centroids, km): the destination is drawn from the
#: non-neighbours in this band; if the origin has none there, from the farther half of its
#: non-neighbours closer than the upper bound (never farther, never a neighbour).
COUNTY_LINE_KM: Final = (40.0, 250.0)
#: Where planted records come from and how reliable they are. A planted context is
#: thinly documented with probability ``THIN_SHARE``: its records are then mostly
#: unverified or reported (``THIN_RELIABILITY``).
PLANTED_SOURCES: Final = {
    "police": 0.45,
    "social_care": 0.25,
    "youth_service": 0.12,
    "school": 0.08,
    "health": 0.05,
    "voluntary_sector": 0.05,
}
PLANTED_RELIABILITY: Final = {
    "unverified": 0.10,
    "reported": 0.40,
    "corroborated": 0.35,
    "confirmed": 0.15,
}
THIN_SHARE: Final = 0.4
THIN_RELIABILITY: Final = {"unverified": 0.45, "reported": 0.45, "corroborated": 0.10}

#: Decoys: busy ordinary venues with genuine serious incidents that are not trap houses.
#: The kinds of venue, and the incidents in turn (``DECOY_CYCLE``): a ``fight`` or an
#: ``exploitation`` incident seen at a busy transport hub.
DECOY_PLACE_KINDS: Final = ("school", "fast_food", "transport_hub", "shopping_centre", "park")
DECOY_CYCLE: Final = ("fight", "exploitation", "fight", "fight")
#: A fight: young people, their home authorities (the venue's and linked ones drawn by
#: the gravity model), the days it spans (a second day at most ``DECOY_FIGHT_GAP_DAYS``
#: after the first: a retaliation), and its contexts.
DECOY_FIGHT_PEOPLE, DECOY_FIGHT_AUTHORITIES = (4, 8), (2, 3)
DECOY_FIGHT_DAYS, DECOY_FIGHT_GAP_DAYS = (1, 2), 7
DECOY_FIGHT_CONTEXTS: Final = {
    "serious_youth_violence": 0.8,
    "gang_association": 0.1,
    "bullying": 0.1,
}
#: Exploitation at a hub: young people, home authorities, window (days), contexts.
DECOY_HUB_PEOPLE, DECOY_HUB_AUTHORITIES, DECOY_HUB_WINDOW_DAYS = (3, 5), (1, 3), 30
DECOY_HUB_CONTEXTS: Final = {"cse": 0.45, "cce": 0.45, "missing_episode": 0.10}
#: Decoy venues are among the busiest: at or above this quantile of expected footfall.
DECOY_BUSY_QUANTILE: Final = 0.75
#: Sightings per young person in a decoy incident.
DECOY_VISITS: Final = (1, 2)
#: Decoy records come mostly from the police and schools, and are well corroborated.
DECOY_SOURCES: Final = {
    "police": 0.5,
    "school": 0.2,
    "social_care": 0.15,
    "youth_service": 0.1,
    "other": 0.05,
}
DECOY_RELIABILITY: Final = {"reported": 0.35, "corroborated": 0.40, "confirmed": 0.25}

_PERSON_PREFIX, _PLACE_PREFIX, _GROUP_PREFIX = "yp-", "pl-", "grp-"


# --------------------------------------------------------------------------- truth


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
    """

    seed: int
    trap_houses: tuple[TrapHouse, ...]
    county_lines: tuple[CountyLine, ...]
    placements: tuple[Placement, ...]
    groups: pd.DataFrame = field(compare=False, repr=False)
    parameters: Mapping[str, Any] = field(compare=False, repr=False)
    decoys: tuple[Incident, ...] = ()

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


# --------------------------------------------------------------------------- helpers


def _draw(rng: np.random.Generator, mapping: Mapping[str, float], size: int) -> IntArray:
    """Draw ``size`` indices into ``tuple(mapping)`` with the mapping's weights."""
    p = np.array(list(mapping.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def _row_sampler(matrix: FloatArray) -> FloatArray:
    """Flattened row-wise cumulative distribution: row ``r`` spans ``(r, r + 1]``.

    From each row's last positive entry on, the cumulative value is exactly 1, so a
    column of probability zero can never be drawn, whatever the rounding.
    """
    rows, cols = matrix.shape
    totals = matrix.sum(axis=1, keepdims=True)
    safe = np.where(totals > 0, totals, 1.0)
    cum = np.cumsum(matrix / safe, axis=1)
    last = cols - 1 - np.argmax(matrix[:, ::-1] > 0, axis=1)
    tail = (np.arange(cols)[None, :] >= last[:, None]) & (totals > 0)
    cum[tail] = 1.0
    flat: FloatArray = (cum + np.arange(rows)[:, None]).ravel()
    return flat


def _sample_rows(
    rng: np.random.Generator, flat: FloatArray, width: int, rows: IntArray
) -> IntArray:
    """For each entry of ``rows``, draw a column from that row's distribution."""
    u = rng.random(len(rows))
    idx = np.searchsorted(flat, rows + u, side="right")
    out: IntArray = np.minimum(idx - rows * width, width - 1).astype(np.int64)
    return out


def _block_sampler(
    block: IntArray, weights: FloatArray, n_blocks: int
) -> tuple[FloatArray, IntArray]:
    """Cumulative weights of items sorted by block, each block spanning ``(b, b + 1]``.

    ``block`` must be sorted. Returns the flat cumulative array and each block's count.
    """
    counts = np.bincount(block, minlength=n_blocks).astype(np.int64)
    totals = np.bincount(block, weights=weights, minlength=n_blocks)
    cum = np.cumsum(weights)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    before = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    within = cum - np.repeat(before, counts)
    safe = np.where(totals > 0, totals, 1.0)
    flat: FloatArray = block + within / np.repeat(safe, counts)
    return flat, counts


def _sample_blocks(
    rng: np.random.Generator, flat: FloatArray, counts: IntArray, blocks: IntArray
) -> IntArray:
    """For each entry of ``blocks``, draw an item of that block by weight."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    u = rng.random(len(blocks))
    idx = np.searchsorted(flat, blocks + u, side="right")
    lo, hi = starts[blocks], starts[blocks] + counts[blocks] - 1
    out: IntArray = np.clip(idx, lo, hi).astype(np.int64)
    return out


def _ids(prefix: str, n: int, width: int) -> npt.NDArray[np.object_]:
    width = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _check_count(name: str, value: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_share(name: str, value: float) -> float:
    if not np.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a share between 0 and 1, got {value!r}")
    return float(value)


def _as_date(name: str, value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date, got {value!r}")
    return value


# --------------------------------------------------------------------------- authorities


@dataclass
class _Region:
    codes: npt.NDArray[np.object_]
    geoms: npt.NDArray[np.object_]
    weight: FloatArray  # normalised, sums to 1
    dist_km: FloatArray  # centroid distances
    neighbour: BoolArray  # K x K, False on the diagonal
    gravity: FloatArray  # K x K, w_j / max(d_ij, floor)^beta, 0 on the diagonal

    @property
    def k(self) -> int:
        return len(self.codes)


def _region(boundaries: gpd.GeoDataFrame, weight: str | None, beta: float) -> _Region:
    from peermap.boundaries import authority_graph

    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise TypeError(
            f"boundaries must be a GeoDataFrame from peermap.load_boundaries, got "
            f"{type(boundaries).__name__}"
        )
    missing = [c for c in ("code", "name") if c not in boundaries.columns]
    if missing:
        raise ValueError(
            f"boundaries lack column(s) {missing}: read them with peermap.load_boundaries"
        )
    if len(boundaries) == 0:
        raise ValueError("boundaries hold no authority")
    if boundaries.crs is None:
        raise ValueError("boundaries have no CRS: read them with peermap.load_boundaries")
    bounds = boundaries
    if not CRS.from_user_input(bounds.crs).equals(CRS.from_user_input(settings.metric_crs)):
        bounds = bounds.to_crs(settings.metric_crs)
    codes = bounds["code"].astype(str).to_numpy(dtype=object)
    if len(set(codes)) != len(codes):
        raise ValueError("boundaries have duplicate codes: read them with load_boundaries")
    order = np.argsort(codes.astype(str), kind="stable")
    bounds = bounds.iloc[order].reset_index(drop=True)
    codes = codes[order]
    geoms = np.asarray(bounds.geometry.values, dtype=object)
    area = shapely.area(geoms)
    if weight is None:
        w = np.asarray(area, dtype=float)
    else:
        if weight not in bounds.columns:
            raise ValueError(
                f"weight column {weight!r} is not in the boundaries; columns: "
                + ", ".join(str(c) for c in bounds.columns if c != bounds.geometry.name)
            )
        w = pd.to_numeric(bounds[weight], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError(f"weight column {weight!r} must hold non-negative numbers")
    if w.sum() <= 0:
        raise ValueError("the weights of the authorities sum to zero")
    w = w / w.sum()
    centroids = shapely.centroid(geoms)
    cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
    dist = np.hypot(cx[:, None] - cx[None, :], cy[:, None] - cy[None, :]) / 1000.0
    graph = authority_graph(bounds)
    index = {c: i for i, c in enumerate(codes)}
    neighbour = np.zeros((len(codes), len(codes)), dtype=bool)
    for a, b in graph.edges():
        neighbour[index[a], index[b]] = neighbour[index[b], index[a]] = True
    gravity = w[None, :] / np.maximum(dist, DISTANCE_FLOOR_KM) ** beta
    np.fill_diagonal(gravity, 0.0)
    shapely.prepare(geoms)
    return _Region(codes, geoms, w, dist, neighbour, gravity)


def _mixture(region: _Region, cross: float, allowed: BoolArray) -> FloatArray:
    """Row-stochastic K x K matrix: stay with ``1 - cross``, else gravity; only ``allowed``."""
    k = region.k
    g = region.gravity * allowed[None, :]
    totals = g.sum(axis=1)
    has_cross = totals > 0
    g = np.where(has_cross[:, None], g / np.where(has_cross, totals, 1.0)[:, None], 0.0)
    stay = np.where(allowed, 1.0 - cross, 0.0)
    stay = np.where(has_cross, stay, allowed.astype(float))
    m = g * (1.0 - stay)[:, None]
    m[np.arange(k), np.arange(k)] += stay
    dead = m.sum(axis=1) <= 0
    if dead.any():  # nowhere allowed reachable by gravity: go to the nearest allowed
        if not allowed.any():
            raise ValueError("no authority is allowed as a destination")
        d = np.where(allowed[None, :], region.dist_km, np.inf)
        nearest = np.argmin(d, axis=1)
        for i in np.flatnonzero(dead):
            m[i, nearest[i]] = 1.0
    result: FloatArray = m / m.sum(axis=1, keepdims=True)
    return result


# --------------------------------------------------------------------------- dates


@dataclass
class _Calendar:
    start: dt.date
    n_days: int
    text: npt.NDArray[np.object_]

    @classmethod
    def of(cls, start: dt.date, end: dt.date) -> _Calendar:
        days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
        text = np.asarray(np.datetime_as_string(days, unit="D"), dtype=object)
        return cls(start, len(days), text)

    def day(self, offset: int) -> dt.date:
        return self.start + dt.timedelta(days=int(offset))


# --------------------------------------------------------------------------- people


@dataclass
class _People:
    ids: npt.NDArray[np.object_]
    home: IntArray
    age: IntArray
    sex: IntArray
    looked_after: BoolArray
    order: IntArray  # person indices sorted by home authority
    counts: IntArray  # people per authority

    @property
    def n(self) -> int:
        return len(self.ids)

    def starts(self) -> IntArray:
        return np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.int64)

    def random_in(self, rng: np.random.Generator, authorities: IntArray) -> IntArray:
        """Draw a uniformly random young person homed in each of ``authorities``."""
        u = rng.random(len(authorities))
        pos = self.starts()[authorities] + np.floor(u * self.counts[authorities]).astype(np.int64)
        out: IntArray = self.order[pos]
        return out


def _make_people(
    rng: np.random.Generator, region: _Region, n: int, looked_after_share: float
) -> _People:
    counts = rng.multinomial(n, region.weight).astype(np.int64)
    home = rng.permutation(np.repeat(np.arange(region.k, dtype=np.int64), counts))
    ages, age_p = np.array(list(AGE_WEIGHTS)), np.array(list(AGE_WEIGHTS.values()), dtype=float)
    age = ages[rng.choice(len(ages), size=n, p=age_p / age_p.sum())].astype(np.int64)
    sex = _draw(rng, SEX_WEIGHTS, n)
    looked_after = np.zeros(n, dtype=bool)
    n_lac = round(n * looked_after_share)
    looked_after[rng.choice(n, size=n_lac, replace=False)] = True
    order = np.argsort(home, kind="stable").astype(np.int64)
    return _People(_ids(_PERSON_PREFIX, n, 6), home, age, sex, looked_after, order, counts)


# --------------------------------------------------------------------------- places


@dataclass
class _Places:
    ids: npt.NDArray[np.object_]
    kind: IntArray  # index into PLACE_KINDS
    authority: IntArray
    x: FloatArray
    y: FloatArray
    order: IntArray  # place indices sorted by authority
    counts: IntArray  # places per authority
    busy: FloatArray  # busyness: multiplies the attraction of the place's kind

    @property
    def n(self) -> int:
        return len(self.ids)

    def pull(self) -> FloatArray:
        """How strongly each place draws sightings: its kind's attraction x busyness."""
        attraction = np.array([PLACE_ATTRACTION[kind] for kind in PLACE_KINDS])
        out: FloatArray = attraction[self.kind] * self.busy
        return out


def _uniform_points(rng: np.random.Generator, geom: Any, n: int) -> tuple[FloatArray, FloatArray]:
    """``n`` points uniform in ``geom``, rounded to the metre, strictly inside it."""
    if n == 0:
        return np.zeros(0), np.zeros(0)
    x0, y0, x1, y1 = shapely.bounds(geom)
    share = max(float(shapely.area(geom)) / max((x1 - x0) * (y1 - y0), 1.0), 0.01)
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    got = 0
    for _ in range(1000):
        if got >= n:
            break
        batch = int((n - got) / share * 1.3) + 16
        x = np.round(rng.uniform(x0, x1, batch))
        y = np.round(rng.uniform(y0, y1, batch))
        inside = shapely.contains_xy(geom, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        got += int(inside.sum())
    else:  # pragma: no cover - a polygon with no interior at metre resolution
        raise ValueError("could not place points inside an authority: is it empty?")
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _place_counts(
    rng: np.random.Generator, region: _Region, n_places: int
) -> npt.NDArray[np.int64]:
    """Places per (authority, kind): at least one per cell when the budget allows."""
    k, m = region.k, len(PLACE_KINDS)
    mix = np.array([PLACE_MIX[kind] for kind in PLACE_KINDS])
    cell_p = (region.weight[:, None] * mix[None, :]).ravel()
    cell_p = cell_p / cell_p.sum()
    if n_places >= k * m:
        counts = np.ones(k * m, dtype=np.int64)
        counts += rng.multinomial(n_places - k * m, cell_p)
    else:  # one of every kind, somewhere; the rest by weight
        counts = np.zeros(k * m, dtype=np.int64)
        for j in range(m):
            col = cell_p.reshape(k, m)[:, j]
            counts[rng.choice(k, p=col / col.sum()) * m + j] += 1
        counts += rng.multinomial(n_places - m, cell_p)
    return counts.reshape(k, m)


def _make_places(rng: np.random.Generator, region: _Region, n_places: int) -> _Places:
    k = region.k
    counts = _place_counts(rng, region, n_places)
    hub = PLACE_KINDS.index("transport_hub")
    clustered = [PLACE_KINDS.index(c) for c in HUB_CLUSTERED]
    kinds: list[IntArray] = []
    auths: list[IntArray] = []
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    for a in range(k):  # a loop over authorities, vectorised inside
        geom = region.geoms[a]
        row = counts[a]
        kind_a = np.repeat(np.arange(len(PLACE_KINDS), dtype=np.int64), row)
        near_hub = np.isin(kind_a, clustered) & (rng.random(len(kind_a)) < HUB_SHARE)
        if row[hub] == 0:
            near_hub[:] = False
        x = np.empty(len(kind_a))
        y = np.empty(len(kind_a))
        free = ~near_hub
        x[free], y[free] = _uniform_points(rng, geom, int(free.sum()))
        todo = np.flatnonzero(near_hub)
        if len(todo):
            hubs = np.flatnonzero(kind_a == hub)
            anchor = hubs[rng.integers(0, len(hubs), len(todo))]
            radius = HUB_RADIUS_M
            for _ in range(12):  # retry those that fell outside, closer to their hub
                r = radius * np.sqrt(rng.random(len(todo)))
                theta = rng.uniform(0.0, 2.0 * np.pi, len(todo))
                tx = np.round(x[anchor] + r * np.cos(theta))
                ty = np.round(y[anchor] + r * np.sin(theta))
                ok = shapely.contains_xy(geom, tx, ty)
                x[todo[ok]], y[todo[ok]] = tx[ok], ty[ok]
                todo, anchor = todo[~ok], anchor[~ok]
                if not len(todo):
                    break
                radius /= 2.0
            x[todo], y[todo] = x[anchor], y[anchor]  # on the hub itself
        kinds.append(kind_a)
        auths.append(np.full(len(kind_a), a, dtype=np.int64))
        xs.append(x)
        ys.append(y)
    kind = np.concatenate(kinds)
    authority = np.concatenate(auths)
    x_all, y_all = np.concatenate(xs), np.concatenate(ys)
    # Shuffle so that place ids say nothing about kind or authority.
    perm = rng.permutation(len(kind))
    kind, authority, x_all, y_all = kind[perm], authority[perm], x_all[perm], y_all[perm]
    order = np.argsort(authority, kind="stable").astype(np.int64)
    per_auth = np.bincount(authority, minlength=k).astype(np.int64)
    ids = _ids(_PLACE_PREFIX, len(kind), 5)
    sigma = PLACE_BUSYNESS_SIGMA
    busy = rng.lognormal(-(sigma**2) / 2.0, sigma, len(kind))
    return _Places(ids, kind, authority, x_all, y_all, order, per_auth, busy)


# --------------------------------------------------------------------------- ties


@dataclass
class _Ties:
    """Tie rows as integer codes, in priority order (planted first)."""

    a: list[IntArray] = field(default_factory=list)
    b: list[IntArray] = field(default_factory=list)
    kind: list[IntArray] = field(default_factory=list)
    first: list[IntArray] = field(default_factory=list)
    last: list[IntArray] = field(default_factory=list)  # -1 = no last_seen
    source: list[IntArray] = field(default_factory=list)
    reliability: list[IntArray] = field(default_factory=list)

    def add(
        self,
        a: IntArray,
        b: IntArray,
        kind: IntArray,
        first: IntArray,
        last: IntArray,
        source: IntArray,
        reliability: IntArray,
    ) -> None:
        for name, value in (
            ("a", a),
            ("b", b),
            ("kind", kind),
            ("first", first),
            ("last", last),
            ("source", source),
            ("reliability", reliability),
        ):
            getattr(self, name).append(np.asarray(value, dtype=np.int64))

    def arrays(self) -> dict[str, IntArray]:
        names = ("a", "b", "kind", "first", "last", "source", "reliability")
        return {
            n: np.concatenate(getattr(self, n)) if getattr(self, n) else np.zeros(0, np.int64)
            for n in names
        }


def _codes(mapping: Mapping[str, float], universe: Sequence[str]) -> IntArray:
    return np.array([universe.index(k) for k in mapping], dtype=np.int64)


def _enum_draw(
    rng: np.random.Generator, mapping: Mapping[str, float], universe: Sequence[str], size: int
) -> IntArray:
    """Draw ``size`` values of ``mapping``'s keys, as indices into ``universe``."""
    out: IntArray = _codes(mapping, universe)[_draw(rng, mapping, size)]
    return out


def _tie_dates(
    rng: np.random.Generator, cal: _Calendar, size: int, lo: IntArray | None = None
) -> tuple[IntArray, IntArray]:
    """``first_seen`` (at or after ``lo``) and ``last_seen`` (-1 for none) day offsets."""
    low = np.zeros(size, dtype=np.int64) if lo is None else lo
    first = low + np.floor(rng.random(size) * (cal.n_days - low)).astype(np.int64)
    span = np.round(rng.exponential(LAST_SEEN_MEAN_DAYS, size)).astype(np.int64)
    last = np.minimum(first + span, cal.n_days - 1)
    last = np.where(rng.random(size) < LAST_SEEN_SHARE, last, -1)
    return first, last


def _add_background(
    ties: _Ties,
    rng: np.random.Generator,
    cal: _Calendar,
    a: IntArray,
    b: IntArray,
    kinds: Mapping[str, float],
    sources: Mapping[str, float] = TIE_SOURCES,
    reliability: Mapping[str, float] = TIE_RELIABILITY,
) -> None:
    n = len(a)
    first, last = _tie_dates(rng, cal, n)
    ties.add(
        a,
        b,
        _enum_draw(rng, kinds, TIE_KINDS, n),
        first,
        last,
        _enum_draw(rng, sources, SOURCES, n),
        _enum_draw(rng, reliability, RELIABILITIES, n),
    )


def _groups(
    rng: np.random.Generator, region: _Region, people: _People
) -> tuple[IntArray, IntArray, IntArray]:
    """Peer groups: (member person indices, group of each member, group's authority)."""
    n = people.n
    member = np.flatnonzero(rng.random(n) < GROUP_SHARE).astype(np.int64)
    has_people = people.counts > 0
    flat = _row_sampler(_mixture(region, GROUP_CROSS, has_people))
    base = _sample_rows(rng, flat, region.k, people.home[member])
    # Members of each base authority in random order, cut into groups.
    key = rng.random(len(member))
    order = np.lexsort((key, base))
    member, base = member[order], base[order]
    per_base = np.bincount(base, minlength=region.k)
    group_of = np.full(len(member), -1, dtype=np.int64)
    group_auth: list[int] = []
    pos = 0
    for a in range(region.k):  # loop over authorities
        c = int(per_base[a])
        if c >= GROUP_MIN:
            draws = GROUP_MIN - 1 + rng.geometric(GROUP_P, size=c // GROUP_MIN + 1)
            sizes = np.minimum(draws, GROUP_MAX)
            ends = np.cumsum(sizes)
            sizes = sizes[: np.searchsorted(ends, c, side="left") + 1]
            sizes[-1] -= max(int(sizes.sum()) - c, 0)
            if sizes[-1] < GROUP_MIN:  # too few left for a group: they stay ungrouped
                sizes = sizes[:-1]
            g0 = len(group_auth)
            labels = np.repeat(np.arange(g0, g0 + len(sizes), dtype=np.int64), sizes)
            group_of[pos : pos + len(labels)] = labels
            group_auth.extend([a] * len(sizes))
        pos += c
    keep = group_of >= 0
    return member[keep], group_of[keep], np.array(group_auth, dtype=np.int64)


def _group_pairs(member: IntArray, group: IntArray) -> tuple[IntArray, IntArray]:
    """Every pair of members of the same group (members sorted by group)."""
    sizes = np.bincount(group)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    a_out: list[IntArray] = []
    b_out: list[IntArray] = []
    for s in np.unique(sizes[sizes >= 2]):  # loop over distinct sizes (at most a dozen)
        i, j = np.triu_indices(int(s), k=1)
        base = starts[sizes == s]
        a_out.append(member[(base[:, None] + i[None, :]).ravel()])
        b_out.append(member[(base[:, None] + j[None, :]).ravel()])
    if not a_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(a_out), np.concatenate(b_out)


def _pairs_by_destination(
    rng: np.random.Generator,
    region: _Region,
    people: _People,
    a: IntArray,
    cross: float,
) -> IntArray:
    """Draw a partner for each of ``a``: same home with ``1 - cross``, else by gravity."""
    flat = _row_sampler(_mixture(region, cross, people.counts > 0))
    dest = _sample_rows(rng, flat, region.k, people.home[a])
    return people.random_in(rng, dest)


def _distinct_pairs(a: IntArray, b: IntArray, n: int) -> BoolArray:
    """Mask of the first occurrence of each unordered pair, excluding self-pairs."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * n + hi
    _, first = np.unique(key, return_index=True)
    keep = np.zeros(len(a), dtype=bool)
    keep[first] = True
    keep &= a != b
    return keep


# --------------------------------------------------------------------------- sightings


@dataclass
class _Sightings:
    person: list[IntArray] = field(default_factory=list)
    place: list[IntArray] = field(default_factory=list)
    day: list[IntArray] = field(default_factory=list)
    context: list[IntArray] = field(default_factory=list)
    source: list[IntArray] = field(default_factory=list)
    reliability: list[IntArray] = field(default_factory=list)

    def add(self, **columns: IntArray) -> None:
        for name, value in columns.items():
            getattr(self, name).append(np.asarray(value, dtype=np.int64))

    def arrays(self) -> dict[str, IntArray]:
        names = ("person", "place", "day", "context", "source", "reliability")
        return {
            n: np.concatenate(getattr(self, n)) if getattr(self, n) else np.zeros(0, np.int64)
            for n in names
        }


def _planted_sightings(
    rng: np.random.Generator,
    out: _Sightings,
    who: IntArray,
    place: int,
    per: IntArray,
    days: IntArray,
    contexts: Mapping[str, float],
    required: Sequence[str],
    reliability: Mapping[str, float],
    sources: Mapping[str, float] = PLANTED_SOURCES,
) -> tuple[str, ...]:
    """``per[i]`` sightings of ``who[i]`` at ``place``, on days drawn from ``days``.

    Contexts are drawn from ``contexts``, and every one of ``required`` appears (the
    first sightings take them in turn). Returns the contexts drawn, in schema order.
    """
    person = np.repeat(who, per)
    n = len(person)
    day = days[rng.integers(0, len(days), n)]
    ctx = _enum_draw(rng, contexts, CONTEXTS, n)
    need = np.array([CONTEXTS.index(c) for c in required], dtype=np.int64)[:n]
    ctx[: len(need)] = need
    out.add(
        person=person,
        place=np.full(n, place, dtype=np.int64),
        day=day,
        context=ctx,
        source=_enum_draw(rng, sources, SOURCES, n),
        reliability=_enum_draw(rng, reliability, RELIABILITIES, n),
    )
    return tuple(CONTEXTS[i] for i in sorted(set(ctx.tolist())))


# --------------------------------------------------------------------------- planting


@dataclass
class _Planter:
    rng: np.random.Generator
    region: _Region
    people: _People
    places: _Places
    cal: _Calendar
    ties: _Ties
    sightings: _Sightings
    used: BoolArray  # young people already in a planted context or a decoy

    def pick_people(self, authority: int, count: int) -> IntArray:
        """``count`` young people homed in ``authority`` not yet in a planted context."""
        starts = self.people.starts()
        pool = self.people.order[
            starts[authority] : starts[authority] + self.people.counts[authority]
        ]
        pool = pool[~self.used[pool]]
        if len(pool) < count:
            raise ValueError(
                f"too few young people in {self.region.codes[authority]} to plant the "
                "exploitation contexts: raise n_people, or lower n_trap_houses/n_county_lines"
            )
        chosen = np.sort(self.rng.choice(pool, size=count, replace=False)).astype(np.int64)
        self.used[chosen] = True
        return chosen

    def room(self) -> IntArray:
        """Young people not yet in a planted context or a decoy, per authority."""
        free = np.bincount(self.people.home[~self.used], minlength=self.region.k).astype(np.int64)
        return free

    def linked(self) -> BoolArray:
        """K x K: neighbours, or centroids within ``TRAP_REACH_KM``; False on the diagonal."""
        region = self.region
        out: BoolArray = region.neighbour | (region.dist_km <= TRAP_REACH_KM)
        np.fill_diagonal(out, False)
        return out

    def free_places(self, taken: set[int], kinds: Sequence[str]) -> BoolArray:
        """Places of ``kinds`` not yet taken by a planted context or a decoy."""
        ok: BoolArray = np.isin(self.places.kind, [PLACE_KINDS.index(c) for c in kinds])
        if taken:
            ok[np.array(sorted(taken), dtype=np.int64)] = False
        return ok

    def pick_place(self, authority: int, kinds: Sequence[str], taken: set[int]) -> int:
        """Pick a place in ``authority`` of the first of ``kinds`` it has (else any)."""
        in_auth = np.flatnonzero(self.places.authority == authority)
        in_auth = np.array([p for p in in_auth if p not in taken], dtype=np.int64)
        for kind in kinds:
            hits = in_auth[self.places.kind[in_auth] == PLACE_KINDS.index(kind)]
            if len(hits):
                return int(self.rng.choice(hits))
        if not len(in_auth):
            raise ValueError(
                f"no place left in {self.region.codes[authority]} for a planted context: "
                "raise n_places"
            )
        return int(self.rng.choice(in_auth))

    def window(self, length_range: tuple[int, int] = TRAP_WINDOW_DAYS) -> tuple[int, int]:
        lo, hi = length_range
        length = min(int(self.rng.integers(lo, hi + 1)), self.cal.n_days)
        w0 = int(self.rng.integers(0, self.cal.n_days - length + 1))
        return w0, w0 + length - 1

    def reliability(self) -> Mapping[str, float]:
        """How well a planted context is documented: thinly with ``THIN_SHARE``."""
        return THIN_RELIABILITY if self.rng.random() < THIN_SHARE else PLANTED_RELIABILITY

    def add_ties(
        self,
        a: IntArray,
        b: IntArray,
        kind: str,
        window: tuple[int, int],
        reliability: Mapping[str, float],
        sources: Mapping[str, float] = PLANTED_SOURCES,
    ) -> None:
        """Ties first seen in ``window``; some with a ``last_seen``, like background ties."""
        n = len(a)
        first = self.rng.integers(window[0], window[1] + 1, n)
        span = np.round(self.rng.exponential(LAST_SEEN_MEAN_DAYS, n)).astype(np.int64)
        last = np.minimum(first + span, self.cal.n_days - 1)
        last = np.where(self.rng.random(n) < LAST_SEEN_SHARE, last, -1)
        self.ties.add(
            a,
            b,
            np.full(n, TIE_KINDS.index(kind), dtype=np.int64),
            first,
            last,
            _enum_draw(self.rng, sources, SOURCES, n),
            _enum_draw(self.rng, reliability, RELIABILITIES, n),
        )

    def exploit(
        self,
        exploiters: IntArray,
        victims: IntArray,
        window: tuple[int, int],
        reliability: Mapping[str, float],
    ) -> None:
        """Exploiter ties: the first exploiter to every victim, others to about half."""
        a_list: list[IntArray] = []
        b_list: list[IntArray] = []
        for i, e in enumerate(exploiters):
            who = victims if i == 0 else victims[self.rng.random(len(victims)) < 0.5]
            a_list.append(np.full(len(who), e, dtype=np.int64))
            b_list.append(who)
        self.add_ties(
            np.concatenate(a_list), np.concatenate(b_list), "exploiter", window, reliability
        )

    def set_ages(self, victims: IntArray, exploiters: IntArray) -> None:
        self.people.age[victims] = self.rng.integers(13, 18, len(victims))
        self.people.age[exploiters] = self.rng.integers(17, 19, len(exploiters))

    def visits(self, size: int, bounds: tuple[int, int]) -> IntArray:
        """Sightings per young person: 1 to a ceiling drawn in ``bounds``."""
        ceiling = int(self.rng.integers(bounds[0], bounds[1] + 1))
        out: IntArray = self.rng.integers(1, ceiling + 1, size).astype(np.int64)
        return out

    def trap_house(self, number: int, taken: set[int]) -> TrapHouse:
        rng, region = self.rng, self.region
        k = region.k
        n_auth = int(rng.integers(TRAP_AUTHORITIES[0], TRAP_AUTHORITIES[1] + 1))
        per_lo = TRAP_PER_AUTHORITY[0]
        # The place's authority: by weight, among those with enough people left and
        # with at least two linked authorities (neighbours or nearby) that have too.
        room = self.room()
        linked = self.linked() & (room >= per_lo)[None, :] & (region.weight > 0)[None, :]
        host_ok = (
            (room >= per_lo + 2)
            & (self.places.counts > 0)
            & (linked.sum(axis=1) >= TRAP_AUTHORITIES[0] - 1)
        )
        if not host_ok.any():
            raise ValueError(
                "too few young people to plant a trap house drawing on three authorities "
                f"that are neighbours or within {TRAP_REACH_KM:g} km of each other: raise "
                "n_people, or lower n_trap_houses"
            )
        p = region.weight * host_ok
        host = int(rng.choice(k, p=p / p.sum()))
        # Other home authorities by gravity from the host, among the linked ones.
        g = region.gravity[host] * linked[host]
        n_other = min(n_auth - 1, int((g > 0).sum()))
        others = rng.choice(k, size=n_other, replace=False, p=g / g.sum())
        homes = [host, *sorted(int(o) for o in others)]
        victims_l: list[IntArray] = []
        for a in homes:
            hi = min(TRAP_PER_AUTHORITY[1], int(room[a]) - (2 if a == host else 0))
            count = int(rng.integers(per_lo, max(hi, per_lo) + 1))
            victims_l.append(self.pick_people(a, count))
        victims = np.sort(np.concatenate(victims_l))
        exploiters = self.pick_people(host, int(rng.integers(1, 3)))
        self.set_ages(victims, exploiters)
        kinds = ("hotel", "residential") if number % 2 == 0 else ("residential", "hotel")
        place = self.pick_place(host, kinds, taken)
        taken.add(place)
        w0, w1 = self.window()
        days = np.arange(w0, w1 + 1, dtype=np.int64)
        rel = self.reliability()
        required = ("cse", "cce")
        seen = _planted_sightings(
            rng,
            self.sightings,
            victims,
            place,
            self.visits(len(victims), TRAP_VISITS),
            days,
            TRAP_CONTEXTS,
            required,
            rel,
        )
        seen += _planted_sightings(
            rng,
            self.sightings,
            exploiters,
            place,
            self.visits(len(exploiters), TRAP_VISITS),
            days,
            TRAP_CONTEXTS,
            required,
            rel,
        )
        self.exploit(exploiters, victims, (w0, w1), rel)
        # The young people drawn in come to know each other: a chain of associate ties.
        chain = rng.permutation(victims)
        self.add_ties(chain[:-1], chain[1:], "associate", (w0, w1), rel)
        return TrapHouse(
            place_id=str(self.places.ids[place]),
            kind=PLACE_KINDS[int(self.places.kind[place])],
            authority=str(region.codes[host]),
            people=tuple(str(v) for v in self.people.ids[victims]),
            authorities=tuple(sorted({str(region.codes[a]) for a in homes})),
            exploiters=tuple(str(v) for v in self.people.ids[np.sort(exploiters)]),
            contexts=_schema_order(seen),
            first_date=self.cal.day(w0),
            last_date=self.cal.day(w1),
        )

    def county_line(self, taken: set[int]) -> CountyLine:
        rng, region = self.rng, self.region
        k = region.k
        lo = COUNTY_LINE_PEOPLE[0] + 1
        near_km, far_km = COUNTY_LINE_KM
        room = self.room()
        far = (
            ~region.neighbour
            & ~np.eye(k, dtype=bool)
            & (region.dist_km <= far_km)
            & (self.places.counts > 0)[None, :]
        )
        origin_ok = (room >= lo) & far.any(axis=1)
        if not origin_ok.any():
            raise ValueError(
                "cannot plant a county line: it needs an authority with enough young people "
                f"and another authority that is not its neighbour, within {far_km:g} km, with "
                "a place (set n_county_lines=0)"
            )
        p = region.weight * origin_ok
        origin = int(rng.choice(k, p=p / p.sum()))
        # Destination: a non-neighbour 40-250 km away, by weight; where there is none,
        # the farther half of the non-neighbours within 250 km.
        cand = np.flatnonzero(far[origin])
        d = region.dist_km[origin, cand]
        band = cand[d >= near_km]
        cand = band if len(band) else cand[d >= np.median(d)]
        q = region.weight[cand] + 1e-12
        dest = int(rng.choice(cand, p=q / q.sum()))
        n_people = int(rng.integers(COUNTY_LINE_PEOPLE[0], COUNTY_LINE_PEOPLE[1] + 1))
        n_people = min(n_people, int(room[origin]) - 1)
        victims = self.pick_people(origin, n_people)
        exploiters = self.pick_people(origin, 1)
        self.set_ages(victims, exploiters)
        place = self.pick_place(dest, ("residential", "transport_hub"), taken)
        taken.add(place)
        w0, w1 = self.window()
        rel = self.reliability()
        everyone = np.concatenate([victims, exploiters])
        seen = _planted_sightings(
            rng,
            self.sightings,
            everyone,
            place,
            rng.integers(COUNTY_LINE_VISITS[0], COUNTY_LINE_VISITS[1] + 1, len(everyone)),
            np.arange(w0, w1 + 1, dtype=np.int64),
            COUNTY_LINE_CONTEXTS,
            ("cce",),
            rel,
        )
        self.exploit(exploiters, victims, (w0, w1), rel)
        return CountyLine(
            origin=str(region.codes[origin]),
            destination=str(region.codes[dest]),
            distance_km=round(float(region.dist_km[origin, dest]), 1),
            people=tuple(str(v) for v in self.people.ids[victims]),
            exploiters=tuple(str(v) for v in self.people.ids[exploiters]),
            place_id=str(self.places.ids[place]),
            contexts=seen,
            first_date=self.cal.day(w0),
            last_date=self.cal.day(w1),
        )

    def decoy(self, number: int, taken: set[int]) -> Incident:
        """Plant a genuine serious incident at a busy ordinary venue (not a trap house)."""
        rng, region, places = self.rng, self.region, self.places
        k = region.k
        kind = DECOY_CYCLE[number % len(DECOY_CYCLE)]
        fight = kind == "fight"
        room = self.room()
        venue_kinds: Sequence[str] = DECOY_PLACE_KINDS if fight else ("transport_hub",)
        venue = self.free_places(taken, venue_kinds)
        venue &= (room >= 2)[places.authority]
        if not fight and not venue.any():  # no hub left: any busy kind of venue
            venue = self.free_places(taken, DECOY_PLACE_KINDS) & (room >= 2)[places.authority]
        if not venue.any():
            raise ValueError(
                "too few young people or places left to plant the decoy incidents: raise "
                "n_people or n_places, or lower n_decoys"
            )
        # The venue: a busy one. Expected footfall is the young people homed in the
        # authority times the place's share of the authority's pull; the venue is drawn
        # by it among the free venues at or above its DECOY_BUSY_QUANTILE over all places.
        pull = places.pull()
        share = pull / np.bincount(places.authority, weights=pull, minlength=k)[places.authority]
        footfall = self.people.counts[places.authority] * share
        busy = venue & (footfall >= np.quantile(footfall, DECOY_BUSY_QUANTILE))
        cand = np.flatnonzero(busy if busy.any() else venue)
        place = int(rng.choice(cand, p=footfall[cand] / footfall[cand].sum()))
        host = int(places.authority[place])
        taken.add(place)
        # Home authorities: the host and the nearest linked ones, by gravity.
        people_range = DECOY_FIGHT_PEOPLE if fight else DECOY_HUB_PEOPLE
        auth_range = DECOY_FIGHT_AUTHORITIES if fight else DECOY_HUB_AUTHORITIES
        n_auth = int(rng.integers(auth_range[0], auth_range[1] + 1))
        g = region.gravity[host] * self.linked()[host] * (room >= 1)
        n_other = min(n_auth - 1, int((g > 0).sum()))
        others = (
            rng.choice(k, size=n_other, replace=False, p=g / g.sum())
            if n_other
            else np.zeros(0, dtype=np.int64)
        )
        homes = np.array([host, *sorted(int(o) for o in others)], dtype=np.int64)
        n_people = max(int(rng.integers(people_range[0], people_range[1] + 1)), len(homes))
        counts = 1 + rng.multinomial(n_people - len(homes), np.full(len(homes), 1 / len(homes)))
        counts = np.minimum(counts, room[homes])  # at least two in all: the host has two
        sides = [self.pick_people(int(a), int(c)) for a, c in zip(homes, counts, strict=True)]
        who = np.sort(np.concatenate(sides))
        required: tuple[str, ...]
        if fight:
            d0 = int(rng.integers(0, self.cal.n_days))
            n_days = int(rng.integers(DECOY_FIGHT_DAYS[0], DECOY_FIGHT_DAYS[1] + 1))
            later = min(d0 + int(rng.integers(1, DECOY_FIGHT_GAP_DAYS + 1)), self.cal.n_days - 1)
            days = np.unique(np.array([d0, later][:n_days], dtype=np.int64))
            contexts, required = DECOY_FIGHT_CONTEXTS, ("serious_youth_violence",)
        else:
            w0, w1 = self.window((DECOY_HUB_WINDOW_DAYS, DECOY_HUB_WINDOW_DAYS))
            days = np.arange(w0, w1 + 1, dtype=np.int64)
            contexts, required = DECOY_HUB_CONTEXTS, ("cse", "cce")
        seen = _planted_sightings(
            rng,
            self.sightings,
            who,
            place,
            rng.integers(DECOY_VISITS[0], DECOY_VISITS[1] + 1, len(who)),
            days,
            contexts,
            required,
            DECOY_RELIABILITY,
            DECOY_SOURCES,
        )
        if fight:  # each side of a fight is known to be together: associate ties
            for side in sides:
                if len(side) >= 2:
                    chain = rng.permutation(side)
                    self.add_ties(
                        chain[:-1],
                        chain[1:],
                        "associate",
                        (int(days[0]), int(days[0])),
                        DECOY_RELIABILITY,
                        DECOY_SOURCES,
                    )
        return Incident(
            place_id=str(places.ids[place]),
            place_kind=PLACE_KINDS[int(places.kind[place])],
            kind=kind,
            authority=str(region.codes[host]),
            people=tuple(str(v) for v in self.people.ids[who]),
            authorities=tuple(sorted({str(region.codes[int(a)]) for a in homes})),
            contexts=seen,
            first_date=self.cal.day(int(days.min())),
            last_date=self.cal.day(int(days.max())),
        )


def _schema_order(contexts: Sequence[str]) -> tuple[str, ...]:
    """Distinct ``contexts`` in the order of ``peermap.schema.CONTEXTS``."""
    return tuple(c for c in CONTEXTS if c in set(contexts))


# --------------------------------------------------------------------------- placements


@dataclass
class _Placements:
    person: IntArray
    dest: IntArray
    where: IntArray  # 0 home, 1 neighbour, 2 distant
    day: IntArray  # -1 in area
    kind: IntArray  # index into RELOCATION_KINDS via PLACEMENT_KINDS; -1 in area


_WHERE: Final[tuple[Literal["home"], Literal["neighbour"], Literal["distant"]]] = (
    "home",
    "neighbour",
    "distant",
)


def _make_placements(
    rng: np.random.Generator,
    region: _Region,
    people: _People,
    cal: _Calendar,
    out_of_area_share: float,
) -> _Placements:
    k = region.k
    lac = np.flatnonzero(people.looked_after).astype(np.int64)
    home = people.home[lac]
    others = ~np.eye(k, dtype=bool)
    # Placements go where places and carers are: any authority, weighted like homes.
    near_m = region.neighbour * region.weight[None, :]
    far_m = (others & ~region.neighbour) * region.weight[None, :]
    has_near, has_far = near_m.sum(axis=1) > 0, far_m.sum(axis=1) > 0
    out = (rng.random(len(lac)) < out_of_area_share) & (has_near | has_far)[home]
    want_near = rng.random(len(lac)) < NEIGHBOUR_PLACEMENT
    near = out & ((want_near & has_near[home]) | ~has_far[home])
    far = out & ~near
    dest = home.copy()
    dest[near] = _sample_rows(rng, _row_sampler(near_m), k, home[near])
    dest[far] = _sample_rows(rng, _row_sampler(far_m), k, home[far])
    where = np.where(near, 1, np.where(far, 2, 0)).astype(np.int64)
    # Moves fall in the first three quarters of the period, so ties can follow.
    latest = max(1, (cal.n_days * 3) // 4)
    day = np.where(out, rng.integers(0, latest, len(lac)), -1).astype(np.int64)
    kind = np.where(out, _draw(rng, PLACEMENT_KINDS, len(lac)), -1).astype(np.int64)
    return _Placements(lac, dest, where, day, kind)


def _background_ties(
    rng: np.random.Generator,
    region: _Region,
    people: _People,
    cal: _Calendar,
    ties: _Ties,
    groups: tuple[IntArray, IntArray],
    n_ties: int,
    planted: BoolArray,
) -> dict[str, IntArray]:
    """Add background ties to the planted ones; return distinct ties, planted first."""
    n_people = people.n
    n_planted = sum(len(v) for v in ties.a)
    budget = max(n_ties - n_planted, 0)
    quota = {name: round(budget * share) for name, share in TIE_MIX.items()}
    quota["exploiter"] = round(budget * BACKGROUND_EXPLOITER_SHARE)
    # peer groups: a sample of the pairs of members of each group
    pa, pb = _group_pairs(*groups)
    n_group = min(quota["group"], len(pa))
    pick = np.sort(rng.choice(len(pa), size=n_group, replace=False))
    _add_background(ties, rng, cal, pa[pick], pb[pick], GROUP_TIE_KINDS)
    # siblings: same home authority
    sa = rng.integers(0, n_people, quota["sibling"])
    sb = people.random_in(rng, people.home[sa])
    _add_background(ties, rng, cal, sa, sb, {"sibling": 1.0}, SIBLING_SOURCES, SIBLING_RELIABILITY)
    # partners and ex-partners: 13 and over, close in age
    teen = np.flatnonzero(people.age >= PARTNER_MIN_AGE)
    if len(teen):
        ra = teen[rng.integers(0, len(teen), quota["partner"] * 3)]
        rb = _pairs_by_destination(rng, region, people, ra, PARTNER_CROSS)
        fit = (people.age[rb] >= PARTNER_MIN_AGE) & (
            np.abs(people.age[ra] - people.age[rb]) <= PARTNER_MAX_AGE_GAP
        )
        ra, rb = ra[fit][: quota["partner"]], rb[fit][: quota["partner"]]
        kinds = {"partner": 1.0 - EX_PARTNER_SHARE, "ex_partner": EX_PARTNER_SHARE}
        _add_background(ties, rng, cal, ra, rb, kinds)
    # exploiter ties in no planted context: older to younger, same or next authority
    ea, eb = _background_exploiters(rng, region, people, planted, quota["exploiter"])
    _add_background(
        ties,
        rng,
        cal,
        ea,
        eb,
        {"exploiter": 1.0},
        BACKGROUND_EXPLOITER_SOURCES,
        BACKGROUND_EXPLOITER_RELIABILITY,
    )
    # ties outside groups by the gravity model; they also fill any shortfall left by
    # duplicates and self-pairs, in a few rounds
    extra = max(n_ties - sum(len(v) for v in ties.a), 0) + budget // 5 + 16
    for _ in range(_TOP_UP_ROUNDS):
        ia = rng.integers(0, n_people, extra)
        ib = _pairs_by_destination(rng, region, people, ia, INDIVIDUAL_CROSS)
        _add_background(ties, rng, cal, ia, ib, INDIVIDUAL_TIE_KINDS)
        t = ties.arrays()
        keep = _distinct_pairs(t["a"], t["b"], n_people)
        short = n_ties - int(keep.sum())
        if short <= 0:
            break
        extra = 2 * short + 16
    idx = np.flatnonzero(keep)
    idx = idx[: max(n_ties, int(keep[:n_planted].sum()))]
    return {name: v[idx] for name, v in t.items()}


def _background_exploiters(
    rng: np.random.Generator,
    region: _Region,
    people: _People,
    planted: BoolArray,
    quota: int,
) -> tuple[IntArray, IntArray]:
    """About ``quota`` (exploiter, younger young person) pairs outside planted contexts.

    Exploiters are aged ``BACKGROUND_EXPLOITER_MIN_AGE`` or over, each with 1-3 younger
    young people (at least ``BACKGROUND_EXPLOITER_AGE_GAP`` years younger) homed in the
    same authority, or with ``BACKGROUND_EXPLOITER_CROSS`` in a neighbouring one.
    """
    none = np.zeros(0, np.int64), np.zeros(0, np.int64)
    older = np.flatnonzero((people.age >= BACKGROUND_EXPLOITER_MIN_AGE) & ~planted)
    if quota <= 0 or not len(older):
        return none
    lo, hi = BACKGROUND_EXPLOITER_VICTIMS
    sizes = rng.integers(lo, hi + 1, quota)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), quota)) + 1]
    n_exp = min(len(sizes), len(older))
    exploiters = rng.choice(older, size=n_exp, replace=False).astype(np.int64)
    a = np.repeat(exploiters, sizes[:n_exp])
    # Where the younger one is homed: the same authority, or a neighbour by weight.
    k = region.k
    near = region.neighbour * (region.weight * (people.counts > 0))[None, :]
    totals = near.sum(axis=1, keepdims=True)
    has = totals[:, 0] > 0
    cross = np.where(has, BACKGROUND_EXPLOITER_CROSS, 0.0)
    m = near / np.where(totals > 0, totals, 1.0) * cross[:, None]
    m[np.arange(k), np.arange(k)] += 1.0 - cross
    dest = _sample_rows(rng, _row_sampler(m), k, people.home[a])
    # A few candidates each; the first young enough, not planted and not the exploiter.
    tries = 6
    cand = people.random_in(rng, np.repeat(dest, tries)).reshape(len(a), tries)
    fits = (
        (people.age[cand] <= people.age[a][:, None] - BACKGROUND_EXPLOITER_AGE_GAP)
        & ~planted[cand]
        & (cand != a[:, None])
    )
    ok = fits.any(axis=1)
    b = cand[np.arange(len(a)), np.argmax(fits, axis=1)]
    return a[ok][:quota], b[ok][:quota]


def _background_sightings(
    rng: np.random.Generator,
    region: _Region,
    people: _People,
    places: _Places,
    cal: _Calendar,
    sightings: _Sightings,
    moves: tuple[IntArray, IntArray],
    n_sightings: int,
) -> dict[str, IntArray]:
    """Add background sightings to the planted ones; return distinct rows, planted first.

    Who is drawn by activity (gamma-distributed), the day uniformly, the base
    authority is home (or the placement after an out-of-area move), the destination
    authority by the gravity model, and the place within it by its kind's attraction.
    """
    n_people, k = people.n, region.k
    moved, moved_day = moves
    n_planted = sum(len(v) for v in sightings.person)
    activity = rng.gamma(ACTIVITY_SHAPE, size=n_people)
    activity_p = activity / activity.sum()
    travel = _row_sampler(_mixture(region, SIGHTING_CROSS, places.counts > 0))
    flat, per_authority = _block_sampler(
        places.authority[places.order], places.pull()[places.order], k
    )
    budget = max(n_sightings - n_planted, 0)
    draw = budget + budget // 50 + 16
    columns = ("person", "place", "day", "context", "source", "reliability")
    for _ in range(_TOP_UP_ROUNDS):
        who = rng.choice(n_people, size=draw, p=activity_p)
        day = rng.integers(0, cal.n_days, draw)
        base = np.where(day >= moved_day[who], moved[who], people.home[who])
        dest = _sample_rows(rng, travel, k, base)
        sightings.add(
            person=who,
            place=places.order[_sample_blocks(rng, flat, per_authority, dest)],
            day=day,
            context=_enum_draw(rng, SIGHTING_CONTEXTS, CONTEXTS, draw),
            source=_enum_draw(rng, SIGHTING_SOURCES, SOURCES, draw),
            reliability=_enum_draw(rng, SIGHTING_RELIABILITY, RELIABILITIES, draw),
        )
        s = sightings.arrays()
        _, first = np.unique(np.stack([s[c] for c in columns]), axis=1, return_index=True)
        short = n_sightings - len(first)
        if short <= 0:
            break
        draw = 2 * short + 16
    idx = np.sort(first)
    idx = idx[: max(n_sightings, int((idx < n_planted).sum()))]
    return {name: v[idx] for name, v in s.items()}


# --------------------------------------------------------------------------- scenario


def _default_places(n_people: int, k: int) -> int:
    return max(n_people // 10, k * len(PLACE_KINDS))


def scenario(
    boundaries: gpd.GeoDataFrame,
    *,
    n_people: int = 2000,
    seed: int = 0,
    n_ties: int | None = None,
    n_sightings: int | None = None,
    n_places: int | None = None,
    weight: str | None = None,
    n_trap_houses: int = 2,
    n_county_lines: int = 1,
    n_decoys: int = len(DECOY_CYCLE),
    looked_after_share: float = 0.05,
    out_of_area_share: float = OUT_OF_AREA_DEFAULT,
    beta: float = BETA_DEFAULT,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date = dt.date(2024, 12, 31),
) -> Scenario:
    """Generate a seeded synthetic dataset on real or fictional boundaries.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Authority boundaries from :func:`peermap.load_boundaries` or
        :func:`peermap.demo_boundaries` (columns ``code``, ``name``, ``geometry``).
    n_people : int, default 2000
        Young people aged 10-18.
    seed : int, default 0
        Seed of the one random generator (``numpy.random.PCG64``) behind everything:
        the same seed and arguments give the same tables, byte for byte.
    n_ties : int, optional
        Ties; default ``4 * n_people``.
    n_sightings : int, optional
        Sightings; default ``10 * n_people``.
    n_places : int, optional
        Places; default ``n_people // 10``, and at least one of every kind in every
        authority (``9 * len(boundaries)``). Must be at least 9 (one per kind).
    weight : str, optional
        Column of ``boundaries`` in whose proportion young people (and places) are
        homed in authorities, such as a population column; default the area.
    n_trap_houses : int, default 2
        Planted trap houses (a hotel or a flat), each drawing young people from three
        or more authorities; needs at least three authorities.
    n_county_lines : int, default 1
        Planted county-lines links to an authority that is not a neighbour, 40-250 km
        away where the boundaries allow (``COUNTY_LINE_KM``).
    n_decoys : int, default 4
        Genuine serious incidents at busy ordinary venues, which are not trap houses,
        in the order of ``DECOY_CYCLE`` (fight, exploitation, fight, fight, then again):
        fights between young people from two or three authorities, and a few
        ``cse``/``cce`` records at a transport hub. Recorded in ``truth.decoys``.
    looked_after_share : float, default 0.05
        Share of young people who are looked after (exactly rounded).
    out_of_area_share : float, default 0.41
        Share of looked-after young people placed outside their home authority.
    beta : float, default 2
        Distance exponent of the gravity model of cross-authority ties and sightings.
    start, end : datetime.date
        Period of every date in the dataset; ``end`` may not be in the future.

    Returns
    -------
    Scenario
        ``dataset`` (valid: read with :func:`peermap.read_dataset` against
        ``boundaries``, strict) and ``truth`` (:class:`GroundTruth`); unpacks as
        ``ds, truth``.

    Raises
    ------
    ValueError
        Bad counts, shares, dates or weights; or too few authorities, young people or
        places to plant the requested contexts.
    TypeError
        ``boundaries`` is not a GeoDataFrame, or a count is not a whole number.

    Notes
    -----
    Counts of ties and sightings are met exactly unless the population is too small
    to hold that many distinct ties. See ``docs/synthetic.md`` for the models.
    """
    from peermap.validation import read_dataset

    n_people = _check_count("n_people", n_people, 1)
    seed = _check_count("seed", seed, 0)
    n_trap_houses = _check_count("n_trap_houses", n_trap_houses)
    n_county_lines = _check_count("n_county_lines", n_county_lines)
    n_decoys = _check_count("n_decoys", n_decoys)
    looked_after_share = _check_share("looked_after_share", looked_after_share)
    out_of_area_share = _check_share("out_of_area_share", out_of_area_share)
    if not np.isfinite(beta) or beta < 0:
        raise ValueError(f"beta must be a non-negative number, got {beta!r}")
    start, end = _as_date("start", start), _as_date("end", end)
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    if end > dt.date.today():
        raise ValueError(f"end ({end}) is in the future: dates in a dataset may not be")
    clock = time.perf_counter()
    region = _region(boundaries, weight, float(beta))
    k = region.k
    if n_trap_houses and k < 3:
        raise ValueError(
            f"a trap house draws on three or more authorities; the boundaries have {k} "
            "(set n_trap_houses=0)"
        )
    n_ties = 4 * n_people if n_ties is None else _check_count("n_ties", n_ties)
    n_sightings = 10 * n_people if n_sightings is None else _check_count("n_sightings", n_sightings)
    n_places = (
        _default_places(n_people, k)
        if n_places is None
        else _check_count("n_places", n_places, len(PLACE_KINDS))
    )

    rng = np.random.Generator(np.random.PCG64(seed))
    cal = _Calendar.of(start, end)
    people = _make_people(rng, region, n_people, looked_after_share)
    places = _make_places(rng, region, n_places)

    # Planted contexts first: their people, ties and sightings take priority.
    ties, sightings = _Ties(), _Sightings()
    planter = _Planter(rng, region, people, places, cal, ties, sightings, np.zeros(n_people, bool))
    taken: set[int] = set()
    traps = [planter.trap_house(i, taken) for i in range(n_trap_houses)]
    lines = [planter.county_line(taken) for _ in range(n_county_lines)]
    decoys = [planter.decoy(i, taken) for i in range(n_decoys)]

    # Placements of looked-after young people, and ties formed where they are placed.
    plc = _make_placements(rng, region, people, cal, out_of_area_share)
    out = np.flatnonzero(plc.where > 0)
    forms = out[rng.random(len(out)) < RECEIVING_TIE_SHARE]
    forms = forms[people.counts[plc.dest[forms]] > 0]
    n_new = rng.integers(1, 4, len(forms))
    mover = np.repeat(forms, n_new)
    friend = people.random_in(rng, plc.dest[mover])
    ok = (friend != plc.person[mover]) & (people.home[friend] == plc.dest[mover])
    mover, friend = mover[ok], friend[ok]
    keep = _distinct_pairs(plc.person[mover], friend, n_people)
    mover, friend = mover[keep], friend[keep]
    first, last = _tie_dates(rng, cal, len(mover), lo=plc.day[mover])
    ties.add(
        plc.person[mover],
        friend,
        _enum_draw(rng, INDIVIDUAL_TIE_KINDS, TIE_KINDS, len(mover)),
        first,
        last,
        _enum_draw(rng, {"social_care": 0.5, "school": 0.3, "police": 0.2}, SOURCES, len(mover)),
        _enum_draw(rng, TIE_RELIABILITY, RELIABILITIES, len(mover)),
    )
    placement_ties = (plc.person[mover], friend)

    # Background ties and sightings, after the planted ones (which always stay).
    member, group, group_auth = _groups(rng, region, people)
    t = _background_ties(
        rng, region, people, cal, ties, (member, group), n_ties, planter.used.copy()
    )
    moved = np.full(n_people, -1, dtype=np.int64)
    moved_day = np.full(n_people, cal.n_days, dtype=np.int64)
    moved[plc.person[out]] = plc.dest[out]
    moved_day[plc.person[out]] = plc.day[out]
    s = _background_sightings(
        rng, region, people, places, cal, sightings, (moved, moved_day), n_sightings
    )

    tables = _tables(region, people, places, cal, t, s, plc)
    generated = time.perf_counter()
    ds = read_dataset(tables, boundaries=boundaries, strict=True)
    validated = time.perf_counter()
    truth = GroundTruth(
        seed=seed,
        trap_houses=tuple(traps),
        county_lines=tuple(lines),
        placements=_placement_truth(region, people, cal, plc, placement_ties, t),
        groups=pd.DataFrame(
            {
                "person_id": pd.array(people.ids[member].astype(str), dtype="str"),
                "group_id": pd.array(
                    [f"{_GROUP_PREFIX}{g + 1:05d}" for g in group.tolist()], dtype="str"
                ),
                "group_authority": pd.array(
                    region.codes[group_auth[group]].astype(str), dtype="str"
                ),
            }
        )
        .sort_values(["group_id", "person_id"], kind="stable")
        .reset_index(drop=True),
        parameters=MappingProxyType(
            {
                "n_people": n_people,
                "n_ties": n_ties,
                "n_sightings": n_sightings,
                "n_places": n_places,
                "weight": weight or "area",
                "n_trap_houses": n_trap_houses,
                "n_county_lines": n_county_lines,
                "n_decoys": n_decoys,
                "looked_after_share": looked_after_share,
                "out_of_area_share": out_of_area_share,
                "beta": float(beta),
                "distance_floor_km": DISTANCE_FLOOR_KM,
                "trap_reach_km": TRAP_REACH_KM,
                "county_line_km": COUNTY_LINE_KM,
                "start": start,
                "end": end,
            }
        ),
        decoys=tuple(decoys),
    )
    timings = {"generation": generated - clock, "validation": validated - generated}
    return Scenario(ds, truth, MappingProxyType(timings))


def _placement_truth(
    region: _Region,
    people: _People,
    cal: _Calendar,
    plc: _Placements,
    placement_ties: tuple[IntArray, IntArray],
    kept: Mapping[str, IntArray],
) -> tuple[Placement, ...]:
    """Truth for every placement; ``ties`` only where the tie survived into the dataset."""
    n = people.n
    kept_keys = set(
        (np.minimum(kept["a"], kept["b"]) * n + np.maximum(kept["a"], kept["b"])).tolist()
    )
    movers, friends = placement_ties
    formed: dict[int, list[int]] = {}
    for m, f in zip(movers.tolist(), friends.tolist(), strict=True):
        if min(m, f) * n + max(m, f) in kept_keys:
            formed.setdefault(m, []).append(f)
    kinds = tuple(PLACEMENT_KINDS)
    out: list[Placement] = []
    for i in np.argsort(people.ids[plc.person].astype(str), kind="stable"):
        person = int(plc.person[i])
        placed_out = bool(plc.where[i] > 0)
        out.append(
            Placement(
                person_id=str(people.ids[person]),
                home=str(region.codes[people.home[person]]),
                placed_in=str(region.codes[plc.dest[i]]),
                placed_out=placed_out,
                where=_WHERE[int(plc.where[i])],
                date=cal.day(int(plc.day[i])) if placed_out else None,
                kind=kinds[int(plc.kind[i])] if placed_out else None,
                ties=tuple(sorted(str(people.ids[f]) for f in formed.get(person, []))),
            )
        )
    return tuple(out)


def _tables(
    region: _Region,
    people: _People,
    places: _Places,
    cal: _Calendar,
    t: Mapping[str, IntArray],
    s: Mapping[str, IntArray],
    plc: _Placements,
) -> dict[str, pd.DataFrame]:
    """Build the five tables as frames of text, sorted for stable output."""
    codes = region.codes
    sexes = np.array(list(SEX_WEIGHTS), dtype=object)
    people_df = pd.DataFrame(
        {
            "person_id": people.ids,
            "home_authority": codes[people.home],
            "age": people.age.astype(str).astype(object),
            "sex": sexes[people.sex],
            "looked_after": np.where(people.looked_after, "true", "false").astype(object),
        }
    )
    kinds = np.array(PLACE_KINDS, dtype=object)
    number = np.zeros(places.n, dtype=np.int64)
    for j in range(len(PLACE_KINDS)):  # label: "hotel 3", numbered in place-id order
        hit = places.kind == j
        number[hit] = np.arange(1, int(hit.sum()) + 1)
    words = np.array([k.replace("_", " ") for k in PLACE_KINDS], dtype=object)
    places_df = pd.DataFrame(
        {
            "place_id": places.ids,
            "kind": kinds[places.kind],
            "easting": places.x.astype(np.int64).astype(str).astype(object),
            "northing": places.y.astype(np.int64).astype(str).astype(object),
            "label": words[places.kind] + " " + number.astype(str).astype(object),
        }
    )
    tie_kinds = np.array(TIE_KINDS, dtype=object)
    sources = np.array(SOURCES, dtype=object)
    rel = np.array(RELIABILITIES, dtype=object)
    day_text = np.append(cal.text, "")  # index -1 -> ""
    ties_df = pd.DataFrame(
        {
            "person_a": people.ids[t["a"]],
            "person_b": people.ids[t["b"]],
            "kind": tie_kinds[t["kind"]],
            "first_seen": day_text[t["first"]],
            "last_seen": day_text[t["last"]],
            "source": sources[t["source"]],
            "reliability": rel[t["reliability"]],
        }
    )
    order = np.lexsort((t["b"], t["a"], t["first"]))
    ties_df = ties_df.iloc[order].reset_index(drop=True)
    contexts = np.array(CONTEXTS, dtype=object)
    sightings_df = pd.DataFrame(
        {
            "person_id": people.ids[s["person"]],
            "place_id": places.ids[s["place"]],
            "date": cal.text[s["day"]],
            "context": contexts[s["context"]],
            "source": sources[s["source"]],
            "reliability": rel[s["reliability"]],
        }
    )
    order = np.lexsort((s["context"], s["place"], s["person"], s["day"]))
    sightings_df = sightings_df.iloc[order].reset_index(drop=True)
    out = np.flatnonzero(plc.where > 0)
    reloc_kinds = np.array(list(PLACEMENT_KINDS), dtype=object)
    order = out[np.lexsort((plc.person[out], plc.day[out]))]
    relocations_df = pd.DataFrame(
        {
            "person_id": people.ids[plc.person[order]],
            "from_authority": codes[people.home[plc.person[order]]],
            "to_authority": codes[plc.dest[order]],
            "date": cal.text[plc.day[order]],
            "kind": reloc_kinds[plc.kind[order]],
        }
    )
    return {
        "people": people_df,
        "places": places_df,
        "ties": ties_df,
        "sightings": sightings_df,
        "relocations": relocations_df,
    }
