"""The kernels shared by the in-memory and the dask engines.

Both :func:`peermap.hotspots` (``engine="pandas"``) and
:func:`peermap.dask_engine.hotspots` reduce sightings to the same additive parts
(:class:`HotspotParts`) and turn them into the same table with :func:`hotspot_table`;
flows share :func:`flow_table`. Keeping them here, below both engines, lets the dask
engine use them without importing the analysis functions that dispatch to it.
"""

from __future__ import annotations

import weakref
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import _graph_backends, _lookup, ranking
from peermap._arguments import whole_number
from peermap._venue_cases import venue_cases
from peermap._venue_words import venue_reasons
from peermap._while_missing import VISIT_COLUMNS, missing_visits, seen_while_missing
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError, ValidationError
from peermap.schema import CONTEXTS, is_online

__all__ = [
    "BETWEENNESS_EXACT_MAX",
    "HARMED_SEVERITY",
    "PAIR_SUMS",
    "SERIOUS_CONTEXTS",
    "Engine",
    "FlowKind",
    "HotspotParts",
    "RecordPositions",
    "VenueCores",
    "WidePairs",
    "authority_graph_of",
    "check_engine",
    "exploiter_people",
    "exploiter_visits",
    "flow_table",
    "hotspot_parts",
    "hotspot_table",
    "ids",
    "pair_table",
    "place_baseline",
    "positions",
    "record_positions",
    "record_sums",
    "venue_cores",
    "visit_frame",
    "wide_pairs",
]


#: The serious kinds of harm: of severity at least :data:`HARMED_SEVERITY`, what a
#: venue's reasons call "serious records" (image sharing weighs as HSB).
SERIOUS_CONTEXTS: tuple[str, ...] = ("cse", "cce", "serious_youth_violence")
SERIOUS_CONTEXTS += ("harmful_sexual_behaviour", "image_sharing")


FlowKind = Literal["sightings", "ties", "relocations"]


Engine = Literal["pandas", "dask"]


def check_engine(engine: str) -> None:
    """Refuse an engine name other than ``"pandas"`` or ``"dask"``."""
    if engine not in ("pandas", "dask"):
        raise ArgumentError(f"engine={engine!r}; expected 'pandas' or 'dask'")


def authority_graph_of(ds: Dataset) -> nx.Graph | None:
    """Return the neighbour graph of the dataset's boundaries (``None`` without them)."""
    return None if ds.region is None else ds.region.neighbour_graph()


def ids(ds: Dataset) -> tuple[pd.Index, pd.Index]:
    """Index the person ids and place ids of ``ds``, in dataset order."""
    return (
        pd.Index(ds.people["person_id"].to_numpy(dtype=object)),
        pd.Index(ds.places["place_id"].to_numpy(dtype=object)),
    )


def positions(
    s: pd.DataFrame, people: pd.Index, places: pd.Index
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions in ``people`` and ``places`` (see :func:`ids`) of each sighting's ids.

    Graphs and counts work on these integers rather than on the ids' text. A sighting
    of someone (or somewhere) not in the dataset is an error: it cannot be counted.
    """
    who = people.get_indexer(pd.Index(s["person_id"]))
    where = places.get_indexer(pd.Index(s["place_id"]))
    for name, found, column in (("people", who, "person_id"), ("places", where, "place_id")):
        if (found < 0).any():
            first = s[column].to_numpy()[np.flatnonzero(found < 0)[0]]
            raise ValidationError(
                f"sightings refer to {column} {first!r}, which is not among the {name} of the "
                "dataset given; read the sightings with the people and places they refer to"
            )
    return who, where


#: Above this many nodes the place graph's betweenness is estimated from a seeded sample.
BETWEENNESS_EXACT_MAX = 1_000


class HotspotParts(NamedTuple):
    """What hotspots needs from the sightings: each part adds up across partitions."""

    pairs: pd.DataFrame  # ``person``, ``place`` (positions), ``context`` (index), PAIR_SUMS
    by_context: pd.DataFrame  # sightings per place (index) and context (columns)
    first_date: pd.Series  # per place
    last_date: pd.Series  # per place
    visits: pd.DataFrame  # ``person``, ``place``, ``day``: see :func:`exploiter_visits`
    missing: pd.DataFrame  # records of young people with a missing episode: missing_visits


#: What each (person, place, context) adds up: records, their reliability weights and
#: the squares of those weights (see :mod:`peermap.ranking`).
PAIR_SUMS = ("records", "weight", "weight2")


#: Severity from which a record names a young person as harmed in the reasons, when no
#: kind of harm stands out.
HARMED_SEVERITY = 0.6


#: The columns that name an incident: one kind of harm at one place on one day.
INCIDENT_KEY = ("place_id", "context", "date")
#: Most that the records of one incident can add, in records (as
#: :data:`peermap.ranking.PAIR_CAP` for one young person's records at one place): an
#: incident of ``k > INCIDENT_CAP`` records shares the weight of ``INCIDENT_CAP``.
INCIDENT_CAP = 3.0


def incident_sizes(s: pd.DataFrame) -> pd.Series:
    """Count the records of each incident of sightings ``s`` (see :func:`record_sums`).

    Indexed by :data:`INCIDENT_KEY`, the day as a ``datetime64`` at midnight.
    """
    key = _incident_frame(s)
    return key.groupby(list(INCIDENT_KEY), observed=True, sort=False).size()


def _incident_frame(s: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "place_id": s["place_id"].to_numpy(dtype=object),
            "context": s["context"].astype(str).to_numpy(dtype=object),
            "date": _days(s).astype("datetime64[D]").astype("datetime64[ns]"),
        }
    )


def _days(s: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Each record's day, as days since 1970."""
    stamps = pd.to_datetime(s["date"]).to_numpy(dtype="datetime64[ns]")
    days: npt.NDArray[np.int64] = stamps.astype("datetime64[D]").astype(np.int64)
    return days


def _incident_counts(s: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Per record, the number of records of its incident in ``s`` (integer keys: fast)."""
    place, _ = pd.factorize(s["place_id"], use_na_sentinel=False)
    context, contexts = pd.factorize(s["context"], use_na_sentinel=False)
    day = _days(s)
    day = day - day.min()
    key = (place.astype(np.int64) * len(contexts) + context) * (int(day.max()) + 1) + day
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    result: npt.NDArray[np.float64] = counts[inverse].astype(np.float64)
    return result


def record_sums(s: pd.DataFrame, sizes: pd.Series | None = None) -> pd.DataFrame:
    """Compute the additive per-record columns of :data:`PAIR_SUMS` for sightings ``s``.

    The records of one *incident*, one kind of harm at one place on one day
    (:func:`incident_sizes`; ``sizes`` when the incidents span more records than ``s``,
    as in a partition of a dask frame), add at most :data:`INCIDENT_CAP` records'
    weight between them, at their mean reliability: a fight at a takeaway that puts
    thirteen young people on record is one evening's incident, not thirteen
    independent pieces of evidence that violence recurs there, while three young
    people exploited at a flat on one night count as three. ``weight2`` is shared the
    same way, so a large incident weighs in its kind's dispersion as its share does
    (:class:`peermap.ranking.Baseline`).
    """
    weight = ranking.reliability_weight(s["reliability"])
    if len(s):
        if sizes is None:
            k = _incident_counts(s)
        else:
            k = sizes.reindex(pd.MultiIndex.from_frame(_incident_frame(s))).to_numpy(dtype=float)
        share = np.minimum(1.0, INCIDENT_CAP / k)
    else:
        share = np.ones(0)
    return pd.DataFrame(
        {"records": np.ones(len(s)), "weight": weight * share, "weight2": weight * weight * share},
        index=s.index,
    )


class RecordPositions:
    """Positions of the dataset's people and places in every sighting and tie, once.

    An analysis that selects records more than once (``contexts()``: links and
    evidence) looks their positions up here: selections keep the dataset's row labels,
    so a selection's positions are the whole table's, taken by row, instead of ids
    matched again.
    """

    def __init__(self, ds: Dataset) -> None:
        self.people, self.places = ids(ds)
        # The tables, not the dataset: :func:`record_positions` keeps one per dataset
        # only while the dataset lives.
        self._whole_sightings, self._whole_ties = ds.sightings, ds.ties
        self._sightings: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None
        self._ties: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None

    @staticmethod
    def _rows(frame: pd.DataFrame, whole: pd.DataFrame) -> npt.NDArray[np.intp] | None:
        index = whole.index
        if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
            return np.asarray(frame.index, dtype=np.intp)
        return None

    def sightings(self, s: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Positions of the person and place of each sighting in ``s``."""
        rows = self._rows(s, self._whole_sightings)
        if rows is None:
            return positions(s, self.people, self.places)
        if self._sightings is None:
            self._sightings = positions(self._whole_sightings, self.people, self.places)
        return self._sightings[0][rows], self._sightings[1][rows]

    def ties(self, t: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Positions of the two young people of each tie in ``t``."""
        rows = self._rows(t, self._whole_ties)
        if rows is None:
            return (
                self.people.get_indexer(pd.Index(t["person_a"])),
                self.people.get_indexer(pd.Index(t["person_b"])),
            )
        if self._ties is None:
            whole = self._whole_ties
            self._ties = (
                self.people.get_indexer(pd.Index(whole["person_a"])),
                self.people.get_indexer(pd.Index(whole["person_b"])),
            )
        return self._ties[0][rows], self._ties[1][rows]


def pair_table(
    who: npt.NDArray[np.intp], where: npt.NDArray[np.intp], context: pd.Series, sums: pd.DataFrame
) -> pd.DataFrame:
    """Sum :data:`PAIR_SUMS` per distinct (person, place, context), sorted."""
    kind = pd.Index(ranking.HARM_KINDS).get_indexer(pd.Index(context.astype(str)))
    # One integer key per (person, place, context), sorted as a groupby would sort them;
    # sums by bincount (a groupby on three columns costs several times more).
    n_kinds = len(ranking.HARM_KINDS) + 1  # an unknown context (-1) sorts first
    n_where = int(where.max()) + 1 if len(where) else 1
    key = (np.asarray(who, dtype=np.int64) * n_where + where) * n_kinds + (kind + 1)
    unique, inverse = np.unique(key, return_inverse=True)
    columns: dict[str, Any] = {
        "person": unique // (n_where * n_kinds),
        "place": (unique // n_kinds) % n_where,
        "context": unique % n_kinds - 1,
    }
    for name in PAIR_SUMS:
        values = sums[name].to_numpy(dtype=float)
        columns[name] = np.bincount(inverse, weights=values, minlength=len(unique))
    return pd.DataFrame(columns)


class WidePairs(NamedTuple):
    """Distinct (person, place) pairs with their records and weights by kind of harm."""

    person: npt.NDArray[np.intp]
    place: npt.NDArray[np.intp]
    records: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]  # pairs x kinds of harm
    weight2: npt.NDArray[np.float64]


def place_baseline(ds: Dataset, wide: WidePairs) -> ranking.Baseline:
    """Judge the pairs of ``wide`` against places of their kind and medium.

    :func:`peermap.ranking.baseline` with ``ds``'s kinds of place, and its online
    spaces judged against online spaces: what venues and contexts share.
    """
    kinds, _ = pd.factorize(ds.places["kind"].to_numpy(dtype=object))
    return ranking.baseline(
        wide.records,
        wide.weight,
        wide.weight2,
        wide.place,
        kinds.astype(np.intp),
        len(ds.places),
        is_online(ds.places["kind"]).to_numpy(dtype=bool),
    )


def wide_pairs(long: pd.DataFrame, n_places: int) -> WidePairs:
    """Turn per (person, place, context) sums into per-pair rows and per-kind columns."""
    person = long["person"].to_numpy(dtype=np.int64)
    place = long["place"].to_numpy(dtype=np.int64)
    key = person * max(n_places, 1) + place
    unique, inverse = np.unique(key, return_inverse=True)
    n, k = len(unique), len(ranking.HARM_KINDS)
    kind = long["context"].to_numpy(dtype=np.intp)
    cell = inverse * k + kind
    sums = [
        np.bincount(cell, weights=long[name].to_numpy(dtype=float), minlength=n * k)
        for name in ("weight", "weight2")
    ]
    weight: npt.NDArray[np.float64] = np.asarray(sums[0], dtype=np.float64).reshape(n, k)
    weight2: npt.NDArray[np.float64] = np.asarray(sums[1], dtype=np.float64).reshape(n, k)
    records = np.bincount(inverse, weights=long["records"].to_numpy(dtype=float), minlength=n)
    return WidePairs(
        (unique // max(n_places, 1)).astype(np.intp),
        (unique % max(n_places, 1)).astype(np.intp),
        records.astype(float),
        weight,
        weight2,
    )


_POSITIONS: dict[int, RecordPositions] = {}


def record_positions(ds: Dataset) -> RecordPositions:
    """Look up the :class:`RecordPositions` of ``ds`` once per dataset.

    A dataset is frozen (its tables are not changed in place: :meth:`Dataset.replace`
    makes a new one), so the positions of its records hold for its life; every analysis
    of the same dataset (``contexts``, ``hotspots``, ``flows``) shares them, and they go
    with the dataset.
    """
    key = id(ds)
    found = _POSITIONS.get(key)
    if found is None:
        found = _POSITIONS[key] = RecordPositions(ds)
        weakref.finalize(ds, _POSITIONS.pop, key, None)
    return found


def hotspot_parts(ds: Dataset, s: pd.DataFrame) -> HotspotParts:
    """Aggregate sightings of ``ds`` (a selection of its rows) by place."""
    who, where = record_positions(ds).sightings(s)
    pairs = pair_table(who, where, s["context"], record_sums(s))
    by_context = (
        s.groupby(["place_id", "context"], observed=True).size().unstack(fill_value=0)
        if len(s)
        else pd.DataFrame()
    )
    dates = s.groupby("place_id")["date"]
    visits = exploiter_visits(ds, s)
    return HotspotParts(
        pairs, by_context, dates.min(), dates.max(), visits, missing_visits(who, where, s)
    )


def exploiter_people(ds: Dataset) -> npt.NDArray[np.bool_]:
    """Per young person (dataset order): whether they are in an exploiter tie of ``ds``."""
    return _exploited(len(ds.people), *_exploiter_ties(ds, ds.ties)) > 0


def visit_frame(
    person: npt.NDArray[np.intp], place: npt.NDArray[np.intp], date: npt.NDArray[Any]
) -> pd.DataFrame:
    """Give (``person``, ``place``, ``day``) of records, ``day`` in days since 1970.

    As :func:`peermap.ranking.ties_met` takes them (repeats are fine).
    """
    day = np.asarray(date, dtype="datetime64[ns]").astype("datetime64[D]")
    ok = ~np.isnat(day) & (person >= 0) & (place >= 0)
    return pd.DataFrame(
        {
            "person": np.asarray(person, dtype=np.intp)[ok],
            "place": np.asarray(place, dtype=np.intp)[ok],
            "day": day[ok].astype(np.int64),
        }
    )


def exploiter_visits(ds: Dataset, s: pd.DataFrame) -> pd.DataFrame:
    """Where and when the young people in exploiter ties are seen, from sightings ``s``.

    Distinct (``person``, ``place``, ``day``) positions of the records in ``s`` of the
    young people in an exploiter tie of ``ds`` (any, before a window selects ties):
    what :func:`peermap.ranking.ties_met` needs to tell where a tie meets.
    """
    who, where = record_positions(ds).sightings(s)
    mine = exploiter_people(ds)[np.maximum(who, 0)] & (who >= 0)
    return visit_frame(who[mine], where[mine], s["date"].to_numpy()[mine])


def _exploiter_ties(
    ds: Dataset, ties: pd.DataFrame
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Find the exploiter ties of ``ties``: positions of their two young people, weights.

    Positions are -1 for a young person not in the dataset; weights are reliability
    weights.
    """
    mine = ties[ties["kind"].to_numpy(dtype=object) == "exploiter"]
    a, b = record_positions(ds).ties(mine)
    weight = ranking.reliability_weight(mine["reliability"]) if len(mine) else np.zeros(0)
    return a, b, np.asarray(weight, dtype=np.float64)


def _exploited(
    n_people: int, a: npt.NDArray[np.intp], b: npt.NDArray[np.intp], weight: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Per person (dataset order): the reliability weight of their strongest exploiter tie."""
    out = np.zeros(n_people)
    for at in (a, b):
        ok = at >= 0
        np.maximum.at(out, at[ok], weight[ok])
    return out


def _exploiter_meetings(
    n_places: int,
    wide: WidePairs,
    visits: pd.DataFrame,
    tie_a: npt.NDArray[np.intp],
    tie_b: npt.NDArray[np.intp],
    tie_weight: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Young people whose exploiter tie meets at each venue, against its footfall.

    Returns, per pair of ``wide``, the weight of the strongest exploiter tie of its
    young person that meets at its place (:func:`peermap.ranking.exploitation_met`), and per
    place the observed sum of those weights and the expected one: its young people
    times the share of (young person, place) pairs where an exploiter tie meets, over
    the places where that share is not itself significant (as
    :func:`peermap.ranking.baseline` leaves such places out of its rates).
    """
    found = ranking.exploitation_met(
        visits["person"].to_numpy(),
        visits["place"].to_numpy(),
        visits["day"].to_numpy(),
        tie_a,
        tie_b,
        tie_weight,
    )
    met = _onto_pairs(n_places, wide, found, found["weight"].to_numpy(dtype=np.float64))
    return met, *_against_footfall(n_places, wide, met)


def _against_footfall(
    n_places: int, wide: WidePairs, counted: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Sum ``counted`` (per pair of ``wide``) per place, and what its footfall expects.

    The expected sum is the place's young people times the share usual among places
    (:func:`peermap.ranking.footfall_expected`).
    """
    observed = np.bincount(wide.place, weights=counted, minlength=n_places).astype(np.float64)
    footfall = np.bincount(wide.place, minlength=n_places).astype(np.float64)
    return observed, ranking.footfall_expected(observed, footfall)


def _onto_pairs(
    n_places: int, wide: WidePairs, found: pd.DataFrame, values: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Put ``values`` of (``person``, ``place``) rows of ``found`` on the pairs of ``wide``.

    Found pairs come from records of the same selection, so each is one of its pairs
    (``wide`` is sorted by person, then place); 0 on the pairs not found.
    """
    width = max(n_places, 1)
    key = wide.person.astype(np.int64) * width + wide.place
    wanted = found["person"].to_numpy(dtype=np.int64) * width + found["place"].to_numpy()
    at = np.minimum(np.searchsorted(key, wanted), max(len(key) - 1, 0))
    hit = key[at] == wanted if len(key) else np.zeros(len(wanted), dtype=bool)
    out = np.zeros(len(key))
    out[at[hit]] = values[hit]
    return out


def _tied_seen(
    n_places: int,
    wide: WidePairs,
    visits: pd.DataFrame,
    tied: npt.NDArray[np.float64],
    met: npt.NDArray[np.float64],
    person_tied: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Young people in exploiter ties seen together at each venue, against its footfall.

    ``visits``: where and when the young people in exploiter ties are seen
    (:func:`exploiter_visits`); ``tied``, ``met``: per pair of ``wide``, the reliability
    weight of its young person's strongest exploiter tie (0: none) and of the strongest
    that meets at its place (:func:`_exploiter_meetings`); ``person_tied``: the first
    per young person (dataset order). A young person counts at a place where another
    young person in an exploiter tie of the selection is seen within
    :data:`peermap.ranking.MEET_DAYS` (:func:`peermap.ranking.seen_together`) and
    their own tie does not meet there (that is the exploiter kind's). Returns per pair
    the weight counted, per place the observed sum and the expected one (its young
    people times the share usual among all places,
    :func:`peermap.ranking.footfall_expected`), and the dispersion of the weights.
    """
    # Visits are those of young people in any exploiter tie of the dataset; a companion
    # counts only in a tie the window and grade select, as the person counted does.
    mine = visits[person_tied[visits["person"].to_numpy(dtype=np.intp)] > 0]
    found = ranking.seen_together(
        mine["person"].to_numpy(), mine["place"].to_numpy(), mine["day"].to_numpy()
    )
    together = _onto_pairs(n_places, wide, found, np.ones(len(found))) > 0
    counted = np.where(together & (met <= 0), tied, 0.0)
    return counted, *_against_footfall(n_places, wide, counted), ranking.dispersion(counted)


def _venue_reach(
    ds: Dataset,
    place: npt.NDArray[np.intp],
    person: npt.NDArray[np.intp],
    home_code: npt.NDArray[np.intp],
    place_auth: npt.NDArray[np.intp],
    codes: npt.NDArray[np.object_],
) -> npt.NDArray[np.object_]:
    """Reach of each venue from the homes of the young people harmed there.

    ``place`` and ``person`` pair each venue with the young people harmed there and
    the line holders tied to them by exploitation (a pair may repeat). ``distant``
    when at least two of them are homed in authorities that do not border the
    venue's, ``neighbours`` when one or more are homed in another authority,
    ``single`` otherwise; ``unknown`` without boundaries or an authority.
    """
    n_places = len(ds.places)
    if len(place):
        key = np.unique(np.asarray(place, dtype=np.int64) * len(home_code) + person)
        place, person = key // len(home_code), key % len(home_code)
    home = home_code[person]
    graph = authority_graph_of(ds)
    reach = np.full(n_places, "single", dtype=object)
    has = place_auth[np.arange(n_places)] >= 0 if n_places else np.zeros(0, dtype=bool)
    if graph is None:
        reach[:] = "unknown"
        return reach
    reach[~has] = "unknown"
    cross = (home >= 0) & (place_auth[place] >= 0) & (home != place_auth[place])
    if not cross.any():
        return reach
    a = codes[home[cross]]
    b = codes[place_auth[place[cross]]]
    far = np.array(
        [
            not (x in graph and y in graph and graph.has_edge(x, y))
            for x, y in zip(a, b, strict=True)
        ],
        dtype=bool,
    )
    n_cross = np.bincount(place[cross], minlength=n_places)
    n_far = np.bincount(place[cross][far], minlength=n_places)
    reach[(n_cross > 0) & has] = "neighbours"
    reach[(n_far >= 2) & has] = "distant"
    return reach


def hotspot_table(
    ds: Dataset,
    parts: HotspotParts,
    ties: pd.DataFrame,
    sample: int,
    seed: int,
    backend: str | None,
) -> gpd.GeoDataFrame:
    """Build the ranked hotspot table from aggregated parts (both engines end here)."""
    places = ds.places
    n_places = len(places)
    place_ids = pd.Index(places["place_id"].to_numpy(dtype=object))
    home_code, place_code, uniques = _authority_codes(ds)
    wide = wide_pairs(parts.pairs, n_places)
    person, place = wide.person, wide.place
    home, place_auth = home_code[person], place_code[place]

    def per_place(
        weights: npt.NDArray[Any] | None = None, where: npt.NDArray[np.intp] = place
    ) -> pd.Series:
        return pd.Series(np.bincount(where, weights=weights, minlength=n_places), index=place_ids)

    with_home = pd.DataFrame({"place": place, "home": home})[home >= 0].drop_duplicates()
    has_auth = place_auth >= 0
    n_known = per_place(has_auth)
    n_outside = per_place(has_auth & (home != place_auth))
    by_context = parts.by_context.reindex(columns=list(CONTEXTS), fill_value=0)
    stats = pd.DataFrame(
        {
            "people": per_place(),
            "sightings": by_context.sum(axis=1),
            "home_authorities": per_place(where=with_home["place"].to_numpy(dtype=np.intp)),
            "first_date": parts.first_date,
            "last_date": parts.last_date,
        }
    )
    stats["outside_share"] = n_outside / n_known.where(n_known > 0)
    score, _, _ = _venue_score(
        ds, wide, (parts.visits, parts.missing), ties, home_code, place_code, uniques
    )
    score.index = place_ids
    table = pd.DataFrame(places.drop(columns="geometry")).set_index("place_id", drop=False)
    table = table.join(stats).join(by_context).join(score)
    table.index.name = None  # place_id stays a column; the index is only for joining
    for col in ("people", "sightings", "home_authorities", *CONTEXTS):
        table[col] = table[col].fillna(0).astype(int)
    table["serious"] = table[list(SERIOUS_CONTEXTS)].sum(axis=1).astype(int)
    table["betweenness"] = (
        _place_betweenness(ds, wide.person, wide.place, sample, seed, backend)
        .reindex(table.index)
        .fillna(0.0)
    )
    table["reasons"] = [venue_reasons(row) for row in table.itertuples(index=False)]
    order = table.sort_values(
        ["concern", "q_value", "home_authorities", "serious", "people", "place_id"],
        ascending=[False, True, False, False, False, True],
        na_position="last",
        kind="stable",
    ).index
    table.loc[order, "rank"] = np.arange(1, len(order) + 1)
    table["rank"] = table["rank"].astype(int)
    table = table.loc[order].reset_index(drop=True)
    keep = [
        c
        for c in ("place_id", "kind", "label", "authority_code", "authority_name", "assignment")
        if c in table
    ]
    columns = [
        *keep,
        "people",
        "sightings",
        "home_authorities",
        "outside_share",
        *CONTEXTS,
        "serious",
        "first_date",
        "last_date",
        "betweenness",
        *score.columns,
        "reasons",
        "rank",
    ]
    geometry = places.set_index("place_id").geometry.reindex(table["place_id"]).to_numpy()
    return gpd.GeoDataFrame(table[columns], geometry=geometry, crs=places.crs)


def _authority_codes(
    ds: Dataset,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """Homes (per person) and place authorities (per place) as codes of one factorisation.

    -1 where there is none. An online place stands in its members' usual home authority
    (:mod:`peermap._lookup`).
    """
    homes = _lookup.home(ds).to_numpy(dtype=object)
    at = (
        _lookup.reach_authority(ds).to_numpy(dtype=object)
        if "authority_code" in ds.places
        else np.full(len(ds.places), None, dtype=object)
    )
    codes, uniques = pd.factorize(np.concatenate([homes, at]), use_na_sentinel=True)
    codes = codes.astype(np.intp)
    return codes[: len(homes)], codes[len(homes) :], np.asarray(uniques, dtype=object)


class VenueCores(NamedTuple):
    """Each place's concern and q-value, and the (person, place) pairs its excess rests on.

    ``resting`` is a mask over the rows of the :class:`WidePairs` it was computed from:
    the young people harmed at the place, or in exploiter ties that meet there or are seen
    there together (``together_people``), when those stand out there (as ``hotspots()``
    counts them for its breadth). ``met``, a mask over
    the same rows: the pairs where an exploiter tie of the young person meets
    (:func:`peermap.ranking.ties_met`), whether that stands out there or not.
    """

    concern: npt.NDArray[np.float64]
    q_value: npt.NDArray[np.float64]
    resting: npt.NDArray[np.bool_]
    met: npt.NDArray[np.bool_]


def venue_cores(
    ds: Dataset,
    wide: WidePairs,
    visits: pd.DataFrame,
    missing: pd.DataFrame,
    ties: pd.DataFrame,
    *,
    base: ranking.Baseline | None = None,
) -> VenueCores:
    """Each place's concern and q-value (dataset order), and who its excess rests on.

    ``wide`` holds the (person, place) pairs of the selected sightings
    (:func:`wide_pairs`); ``visits`` where and when those of them in exploiter ties
    were seen (:func:`exploiter_visits`); ``missing`` the records of those with a
    missing episode (:func:`peermap._while_missing.missing_visits`); ``ties`` the
    selected ties (for the exploiter
    kind); ``base`` the pairs' baseline when the caller has it
    (:func:`place_baseline` of ``wide``), so it is not
    computed twice. Also returns the pairs of ``wide`` whose young people the excess
    rests on.
    """
    home_code, place_code, uniques = _authority_codes(ds)
    seen = (visits, missing)
    score, resting, met = _venue_score(ds, wide, seen, ties, home_code, place_code, uniques, base)
    return VenueCores(
        score["concern"].to_numpy(dtype=np.float64),
        score["q_value"].to_numpy(dtype=np.float64),
        resting,
        met,
    )


def _venue_score(
    ds: Dataset,
    wide: WidePairs,
    seen: tuple[pd.DataFrame, pd.DataFrame],
    ties: pd.DataFrame,
    home_code: npt.NDArray[np.intp],
    place_code: npt.NDArray[np.intp],
    codes: npt.NDArray[np.object_],
    base: ranking.Baseline | None = None,
) -> tuple[pd.DataFrame, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Compute each venue's concern score and its parts (see :mod:`peermap.ranking`).

    ``seen``: the exploiter visits and missing visits (:func:`venue_cores`).
    ``home_code``: each young person's home authority (dataset order, -1: none). Also
    returns the masks of the pairs of ``wide`` the excess rests on and of those where an
    exploiter tie of the young person meets (:class:`VenueCores`).
    """
    n_places = len(ds.places)
    place = wide.place
    home = home_code[wide.person]
    visits, missing = seen
    if base is None:
        base = place_baseline(ds, wide)
    # Exploiter ties that meet at a venue (both young people seen there, within
    # MEET_DAYS of each other): one more kind of harm, judged against the share of
    # young people seen anywhere whose exploiter tie meets where they are seen.
    # Young people in exploiter ties seen there with another such young person, within
    # MEET_DAYS, their own tie not meeting there: one more kind, of half the severity,
    # judged against the same footfall.
    tie_a, tie_b, tie_weight = _exploiter_ties(ds, ties)
    person_tied = _exploited(len(ds.people), tie_a, tie_b, tie_weight)
    tied_weight = person_tied[wide.person]
    exploited = tied_weight > 0
    met_weight, x_obs, x_exp = _exploiter_meetings(n_places, wide, visits, tie_a, tie_b, tie_weight)
    met = met_weight > 0
    tied_counted, t_obs, t_exp, t_spread = _tied_seen(
        n_places, wide, visits, tied_weight, met_weight, person_tied
    )
    # Young people seen there while missing (a missing episode recorded elsewhere within
    # MISSING_DAYS): a third stream of evidence, judged against the same footfall.
    away = seen_while_missing(*(missing[c].to_numpy() for c in VISIT_COLUMNS))
    away_weight = _onto_pairs(n_places, wide, away, away["weight"].to_numpy(dtype=np.float64))
    m_obs, m_exp = _against_footfall(n_places, wide, away_weight)
    n_h = len(ranking.HARM_KINDS)
    severity = ranking.venue_severity()
    result = ranking.excess(
        np.column_stack([ranking.per_unit(place, n_places, base.observed), x_obs, t_obs, m_obs]),
        np.column_stack([ranking.per_unit(place, n_places, base.expected), x_exp, t_exp, m_exp]),
        np.append(
            base.spread, [ranking.dispersion(met_weight), t_spread, ranking.dispersion(away_weight)]
        ),
        severity,
        specific=True,
        # Records of harm, then the young people in exploiter ties that meet there or are
        # seen there together, then the young people seen there while missing: three
        # streams of evidence, each specific in its own right.
        streams=np.repeat(np.arange(3, dtype=np.intp), [n_h, 2, 1]),
    )
    # The kinds of harm that stand out at each venue (a tenth of its score or more);
    # without any, the serious kinds recorded there name who was harmed.
    weighted = result.statistic * severity[None, :]
    standing = (weighted > 0) & (weighted >= 0.1 * weighted.sum(axis=1)[:, None])
    records_standing = standing[:, :n_h]
    serious = np.array([ranking.SEVERITY[k] >= HARMED_SEVERITY for k in ranking.HARM_KINDS])
    named = np.where(records_standing.any(axis=1)[:, None], records_standing, serious[None, :])
    harmed = ((wide.weight > 0) & named[place]).any(axis=1)
    # The young people the excess rests on (the group it lends to holds most of them):
    # harmed there, in exploiter ties that meet or are seen there, when those stand out.
    ties_standing = (met & standing[place, n_h]) | ((tied_counted > 0) & standing[place, n_h + 1])
    rests = harmed | ties_standing
    # Its breadth: those whose evidence stands out (harmed for the kinds that stand out,
    # not the serious kinds named when none does), and those seen there while missing.
    harmed_standing = ((wide.weight > 0) & records_standing[place]).any(axis=1)
    cases = harmed_standing | ties_standing | ((away_weight > 0) & standing[place, n_h + 2])
    n_resting = venue_cases(n_places, place[cases], wide.person[cases], tie_a, tie_b)
    harmed_home = pd.DataFrame({"place": place, "home": home})[harmed & (home >= 0)]
    n_harmed = np.bincount(place[harmed], minlength=n_places)
    n_exploited = np.bincount(place[harmed & exploited], minlength=n_places)
    # A line holder tied by exploitation to a young person harmed at the venue reaches
    # it from his home too, though he is never seen there.
    known = (tie_a >= 0) & (tie_b >= 0)
    ends = pd.DataFrame(
        {
            "victim": np.concatenate([tie_b[known], tie_a[known]]),
            "holder": np.concatenate([tie_a[known], tie_b[known]]),
        }
    )
    at = pd.DataFrame({"victim": wide.person[harmed], "place": place[harmed]}).merge(
        ends, on="victim"
    )
    reach_place = np.concatenate([place[harmed], at["place"].to_numpy(dtype=np.intp)])
    reach_person = np.concatenate([wide.person[harmed], at["holder"].to_numpy(dtype=np.intp)])
    reach = _venue_reach(ds, reach_place, reach_person, home_code, place_code, codes)
    names = ranking.VENUE_KINDS
    frame = pd.DataFrame(
        {
            "harmed_people": n_harmed,
            "harmed_authorities": np.bincount(
                harmed_home.drop_duplicates()["place"].to_numpy(dtype=np.intp),
                minlength=n_places,
            ),
            "exploited": n_exploited,
            "tied_people": np.bincount(place[exploited], minlength=n_places),
            "together_people": np.bincount(place[tied_counted > 0], minlength=n_places),
            "met_people": np.bincount(place[met], minlength=n_places),
            "missing_people": np.bincount(place[away_weight > 0], minlength=n_places),
            "reach": reach,
            "harm_kinds": [[k for k, on in zip(names, row, strict=True) if on] for row in standing],
            "harm": (result.observed[:, :n_h] * named).sum(axis=1),
            "expected": (result.expected[:, :n_h] * named).sum(axis=1),
            "excess_ratio": result.ratio(
                np.column_stack([named, np.zeros((n_places, len(names) - n_h), bool)])
            ),
            "p_value": result.p_value,
            "q_value": ranking.q_values(result.p_value),
            "exploiter_ratio": result.ratio(np.arange(len(names)) == n_h),
            "tied_ratio": result.ratio(np.arange(len(names)) == n_h + 1),
            "missing_ratio": result.ratio(np.arange(len(names)) == n_h + 2),
            "concern": result.score * ranking.reach_factor(reach) * ranking.breadth(n_resting),
        }
    )
    return frame, rests, met


def _place_betweenness(
    ds: Dataset,
    person: npt.NDArray[np.intp],
    place: npt.NDArray[np.intp],
    sample: int,
    seed: int,
    backend: str | None,
) -> pd.Series:
    """Betweenness of each place in the place graph (its structure, without attributes).

    The graph is the one :func:`peermap.place_graph` builds (every person and place a
    node, an edge per distinct person-place pair seen); exact up to
    :data:`BETWEENNESS_EXACT_MAX` nodes (:func:`peermap._graph_backends.place_betweenness`).
    """
    whole_number(sample, "betweenness_sample", 2)
    places = ds.places["place_id"].to_numpy(dtype=object)
    values = _graph_backends.place_betweenness(
        _graph_backends.resolve(backend),
        ds.people["person_id"].to_numpy(dtype=object),
        places,
        person,
        place,
        k=sample,
        exact_max=BETWEENNESS_EXACT_MAX,
        seed=seed,
    )
    return pd.Series(values, index=places, dtype=float)


_FLOW_COLUMNS = ["origin", "destination", "people", "events", "within"]


def flow_table(events: pd.Series, people: pd.Series) -> pd.DataFrame:
    """Finish a flow table from counts indexed by (origin, destination) (both engines)."""
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _FLOW_COLUMNS})
    table = pd.DataFrame({"people": people, "events": events})
    table.index.names = ["origin", "destination"]
    table = table.reset_index()
    table["within"] = table["origin"] == table["destination"]
    table = table.sort_values(
        ["people", "events", "origin", "destination"],
        ascending=[False, False, True, True],
        kind="stable",
        na_position="last",
    )
    table["people"] = table["people"].astype(int)
    table["events"] = table["events"].astype(int)
    return table.reset_index(drop=True)[_FLOW_COLUMNS]
