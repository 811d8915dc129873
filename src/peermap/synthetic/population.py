"""The background population: people, places, ties, groups, sightings, placements.

The containers (:class:`People`, :class:`Places`, :class:`Ties`, :class:`Sightings`,
:class:`Placements`) hold rows as integer codes; the planting adds its rows to the same
:class:`Ties` and :class:`Sightings` first, and :func:`background_ties` and
:func:`background_sightings` fill them up to the requested counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import shapely

from peermap.schema import CONTEXTS, RELIABILITIES, SOURCES, TIE_KINDS
from peermap.schema import PHYSICAL_PLACE_KINDS as PLACE_KINDS
from peermap.synthetic.constants import (
    ACTIVITY_SHAPE,
    AGE_WEIGHTS,
    BACKGROUND_EXPLOITER_AGE_GAP,
    BACKGROUND_EXPLOITER_CROSS,
    BACKGROUND_EXPLOITER_MIN_AGE,
    BACKGROUND_EXPLOITER_RELIABILITY,
    BACKGROUND_EXPLOITER_SHARE,
    BACKGROUND_EXPLOITER_SOURCES,
    BACKGROUND_EXPLOITER_VICTIMS,
    EX_PARTNER_SHARE,
    GROUP_CROSS,
    GROUP_MAX,
    GROUP_MIN,
    GROUP_P,
    GROUP_SHARE,
    GROUP_TIE_KINDS,
    HUB_CLUSTERED,
    HUB_RADIUS_M,
    HUB_SHARE,
    INDIVIDUAL_CROSS,
    INDIVIDUAL_TIE_KINDS,
    LAST_SEEN_MEAN_DAYS,
    LAST_SEEN_SHARE,
    NEIGHBOUR_PLACEMENT,
    PARTNER_CROSS,
    PARTNER_MAX_AGE_GAP,
    PARTNER_MIN_AGE,
    PLACE_ATTRACTION,
    PLACE_BUSYNESS_SIGMA,
    PLACE_MIX,
    PLACEMENT_KINDS,
    SEX_WEIGHTS,
    SIBLING_RELIABILITY,
    SIBLING_SOURCES,
    SIGHTING_CONTEXTS,
    SIGHTING_CROSS,
    SIGHTING_RELIABILITY,
    SIGHTING_SOURCES,
    TIE_MIX,
    TIE_RELIABILITY,
    TIE_SOURCES,
)
from peermap.synthetic.region import Calendar, Region, mixture
from peermap.synthetic.sampling import (
    BoolArray,
    FloatArray,
    IntArray,
    block_sampler,
    draw,
    enum_draw,
    row_sampler,
    sample_blocks,
    sample_rows,
)

__all__: list[str] = []

#: Rounds of extra draws to replace duplicate ties or sightings before giving up.
_TOP_UP_ROUNDS: Final = 20
_PERSON_PREFIX, _PLACE_PREFIX = "yp-", "pl-"


# --------------------------------------------------------------------------- people


@dataclass
class People:
    """The young people, by index: ids, home authority, age, sex, looked after."""

    ids: npt.NDArray[np.object_]
    home: IntArray
    age: IntArray
    sex: IntArray
    looked_after: BoolArray
    order: IntArray  # person indices sorted by home authority
    counts: IntArray  # people per authority

    @property
    def n(self) -> int:
        """How many young people."""
        return len(self.ids)

    def starts(self) -> IntArray:
        """Where each authority's young people start in ``order``."""
        return np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.int64)

    def random_in(self, rng: np.random.Generator, authorities: IntArray) -> IntArray:
        """Draw a uniformly random young person homed in each of ``authorities``."""
        u = rng.random(len(authorities))
        pos = self.starts()[authorities] + np.floor(u * self.counts[authorities]).astype(np.int64)
        out: IntArray = self.order[pos]
        return out


def make_people(
    rng: np.random.Generator, region: Region, n: int, looked_after_share: float
) -> People:
    """Draw ``n`` young people: homes by weight, ages, sexes, who is looked after."""
    counts = rng.multinomial(n, region.weight).astype(np.int64)
    home = rng.permutation(np.repeat(np.arange(region.k, dtype=np.int64), counts))
    ages, age_p = np.array(list(AGE_WEIGHTS)), np.array(list(AGE_WEIGHTS.values()), dtype=float)
    age = ages[rng.choice(len(ages), size=n, p=age_p / age_p.sum())].astype(np.int64)
    sex = draw(rng, SEX_WEIGHTS, n)
    looked_after = np.zeros(n, dtype=bool)
    n_lac = round(n * looked_after_share)
    looked_after[rng.choice(n, size=n_lac, replace=False)] = True
    order = np.argsort(home, kind="stable").astype(np.int64)
    return People(_ids(_PERSON_PREFIX, n, 6), home, age, sex, looked_after, order, counts)


def _ids(prefix: str, n: int, width: int) -> npt.NDArray[np.object_]:
    width = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


# --------------------------------------------------------------------------- places


@dataclass
class Places:
    """The places, by index: ids, kind, authority, coordinates and busyness."""

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
        """How many places."""
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


def _place_counts(rng: np.random.Generator, region: Region, n_places: int) -> npt.NDArray[np.int64]:
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


def make_places(rng: np.random.Generator, region: Region, n_places: int) -> Places:
    """Draw ``n_places`` places of every kind, clustering some kinds near transport hubs."""
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
    return Places(ids, kind, authority, x_all, y_all, order, per_auth, busy)


# --------------------------------------------------------------------------- ties


@dataclass
class Ties:
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
        """Append a batch of tie rows (day offsets; ``last`` -1 for none)."""
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
        """Every batch so far, concatenated per column."""
        names = ("a", "b", "kind", "first", "last", "source", "reliability")
        return {
            n: np.concatenate(getattr(self, n)) if getattr(self, n) else np.zeros(0, np.int64)
            for n in names
        }


def tie_dates(
    rng: np.random.Generator, cal: Calendar, size: int, lo: IntArray | None = None
) -> tuple[IntArray, IntArray]:
    """``first_seen`` (at or after ``lo``) and ``last_seen`` (-1 for none) day offsets."""
    low = np.zeros(size, dtype=np.int64) if lo is None else lo
    first = low + np.floor(rng.random(size) * (cal.n_days - low)).astype(np.int64)
    span = np.round(rng.exponential(LAST_SEEN_MEAN_DAYS, size)).astype(np.int64)
    last = np.minimum(first + span, cal.n_days - 1)
    last = np.where(rng.random(size) < LAST_SEEN_SHARE, last, -1)
    return first, last


def _add_background(
    ties: Ties,
    rng: np.random.Generator,
    cal: Calendar,
    a: IntArray,
    b: IntArray,
    kinds: Mapping[str, float],
    sources: Mapping[str, float] = TIE_SOURCES,
    reliability: Mapping[str, float] = TIE_RELIABILITY,
) -> None:
    n = len(a)
    first, last = tie_dates(rng, cal, n)
    ties.add(
        a,
        b,
        enum_draw(rng, kinds, TIE_KINDS, n),
        first,
        last,
        enum_draw(rng, sources, SOURCES, n),
        enum_draw(rng, reliability, RELIABILITIES, n),
    )


def make_groups(
    rng: np.random.Generator, region: Region, people: People
) -> tuple[IntArray, IntArray, IntArray]:
    """Peer groups: (member person indices, group of each member, group's authority)."""
    n = people.n
    member = np.flatnonzero(rng.random(n) < GROUP_SHARE).astype(np.int64)
    has_people = people.counts > 0
    flat = row_sampler(mixture(region, GROUP_CROSS, has_people))
    base = sample_rows(rng, flat, region.k, people.home[member])
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
    region: Region,
    people: People,
    a: IntArray,
    cross: float,
) -> IntArray:
    """Draw a partner for each of ``a``: same home with ``1 - cross``, else by gravity."""
    flat = row_sampler(mixture(region, cross, people.counts > 0))
    dest = sample_rows(rng, flat, region.k, people.home[a])
    return people.random_in(rng, dest)


def distinct_pairs(a: IntArray, b: IntArray, n: int) -> BoolArray:
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
class Sightings:
    """Sighting rows as integer codes, in priority order (planted first)."""

    person: list[IntArray] = field(default_factory=list)
    place: list[IntArray] = field(default_factory=list)
    day: list[IntArray] = field(default_factory=list)
    context: list[IntArray] = field(default_factory=list)
    source: list[IntArray] = field(default_factory=list)
    reliability: list[IntArray] = field(default_factory=list)

    def add(self, **columns: IntArray) -> None:
        """Append a batch of sighting rows, one array per column."""
        for name, value in columns.items():
            getattr(self, name).append(np.asarray(value, dtype=np.int64))

    def arrays(self) -> dict[str, IntArray]:
        """Every batch so far, concatenated per column."""
        names = ("person", "place", "day", "context", "source", "reliability")
        return {
            n: np.concatenate(getattr(self, n)) if getattr(self, n) else np.zeros(0, np.int64)
            for n in names
        }


# --------------------------------------------------------------------------- placements


@dataclass
class Placements:
    """Where each looked-after young person is placed, and when they moved."""

    person: IntArray
    dest: IntArray
    where: IntArray  # 0 home, 1 neighbour, 2 distant
    day: IntArray  # -1 in area
    kind: IntArray  # index into RELOCATION_KINDS via PLACEMENT_KINDS; -1 in area


#: ``Placements.where`` codes as the words of ``Placement.where``.
WHERE: Final[tuple[Literal["home"], Literal["neighbour"], Literal["distant"]]] = (
    "home",
    "neighbour",
    "distant",
)


def make_placements(
    rng: np.random.Generator,
    region: Region,
    people: People,
    cal: Calendar,
    out_of_area_share: float,
) -> Placements:
    """Place the looked-after young people: in area, in a neighbour, or farther."""
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
    dest[near] = sample_rows(rng, row_sampler(near_m), k, home[near])
    dest[far] = sample_rows(rng, row_sampler(far_m), k, home[far])
    where = np.where(near, 1, np.where(far, 2, 0)).astype(np.int64)
    # Moves fall in the first three quarters of the period, so ties can follow.
    latest = max(1, (cal.n_days * 3) // 4)
    day = np.where(out, rng.integers(0, latest, len(lac)), -1).astype(np.int64)
    kind = np.where(out, draw(rng, PLACEMENT_KINDS, len(lac)), -1).astype(np.int64)
    return Placements(lac, dest, where, day, kind)


# --------------------------------------------------------------------------- background


def background_ties(
    rng: np.random.Generator,
    region: Region,
    people: People,
    cal: Calendar,
    ties: Ties,
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
        keep = distinct_pairs(t["a"], t["b"], n_people)
        short = n_ties - int(keep.sum())
        if short <= 0:
            break
        extra = 2 * short + 16
    idx = np.flatnonzero(keep)
    idx = idx[: max(n_ties, int(keep[:n_planted].sum()))]
    return {name: v[idx] for name, v in t.items()}


def _background_exploiters(
    rng: np.random.Generator,
    region: Region,
    people: People,
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
    dest = sample_rows(rng, row_sampler(m), k, people.home[a])
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


def background_sightings(
    rng: np.random.Generator,
    region: Region,
    people: People,
    places: Places,
    cal: Calendar,
    sightings: Sightings,
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
    travel = row_sampler(mixture(region, SIGHTING_CROSS, places.counts > 0))
    flat, per_authority = block_sampler(
        places.authority[places.order], places.pull()[places.order], k
    )
    budget = max(n_sightings - n_planted, 0)
    draw = budget + budget // 50 + 16
    columns = ("person", "place", "day", "context", "source", "reliability")
    for _ in range(_TOP_UP_ROUNDS):
        who = rng.choice(n_people, size=draw, p=activity_p)
        day = rng.integers(0, cal.n_days, draw)
        base = np.where(day >= moved_day[who], moved[who], people.home[who])
        dest = sample_rows(rng, travel, k, base)
        sightings.add(
            person=who,
            place=places.order[sample_blocks(rng, flat, per_authority, dest)],
            day=day,
            context=enum_draw(rng, SIGHTING_CONTEXTS, CONTEXTS, draw),
            source=enum_draw(rng, SIGHTING_SOURCES, SOURCES, draw),
            reliability=enum_draw(rng, SIGHTING_RELIABILITY, RELIABILITIES, draw),
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
