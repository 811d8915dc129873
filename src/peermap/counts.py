"""Counts per authority, and the aggregate tables an aggregate package holds.

:func:`authority_counts` gives, for each authority of a dataset's boundaries, how many
young people are homed there, seen there and linked to someone homed there, how many
sightings were made there and how many relocations arrived and left: one definition
for every output that shows authority counts. :func:`aggregate_tables` adds the flows
between authorities and applies the small-count rule (:mod:`peermap.disclosure`):
what an aggregate exchange package holds (:mod:`peermap.exchange` only writes it).
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from peermap import _lookup, settings
from peermap._arguments import dataset_argument
from peermap.analysis import flow_keys, flows
from peermap.boundaries import as_multipolygons
from peermap.cell_keys import RECORD_IDENTITY, cell_keys, record_keys, sighting_keys
from peermap.dataset import Dataset
from peermap.disclosure import SuppressionRule, secondary_suppress, suppress
from peermap.exceptions import ValidationError
from peermap.filters import DateLike, Window, filter_sightings, filter_ties

__all__ = ["AUTHORITY_COUNTS", "aggregate_tables", "authority_counts"]

#: The counts of :func:`authority_counts`, in order (the columns of its table).
AUTHORITY_COUNTS: tuple[str, ...] = (
    "people",
    "people_seen",
    "sightings",
    "ties",
    "relocations_in",
    "relocations_out",
)


def _require_authorities(ds: Dataset) -> gpd.GeoDataFrame:
    if ds.boundaries is None or "authority_code" not in ds.places:
        raise ValidationError(
            "an aggregate needs the dataset read with boundaries (places assigned to "
            "authorities): peermap.read_dataset(..., boundaries=...)"
        )
    return ds.boundaries


def authority_counts(
    ds: Dataset,
    *,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Exact counts per authority: people homed, seen, linked; sightings; relocations.

    Parameters
    ----------
    ds : Dataset
        A dataset read with boundaries (places assigned to authorities).
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
    since, until : date or str, optional
        Count only the sightings, ties and relocations in ``[since, until]``
        (inclusive; ties active in it, as :func:`peermap.networks.filter_ties`);
        ``people`` counts every young person homed there.
    min_reliability : str, default "unverified"
        Weakest grade of sighting and tie counted.

    Returns
    -------
    pandas.DataFrame
        One row per authority of ``ds.boundaries``, in their order, indexed by ``code``,
        with integer columns (:data:`AUTHORITY_COUNTS`): ``people`` (homed there),
        ``people_seen`` (distinct young people seen at places there), ``sightings``
        (at places there), ``ties`` (involving someone homed there; a tie between two
        people of one authority counts once), ``relocations_in`` and
        ``relocations_out`` (relocation rows to and from there); and, for each, the
        cell key of its records (``people_key`` ...: :mod:`peermap.cell_keys`), for
        the disclosure rule.

    Raises
    ------
    ValidationError
        When the dataset was read without boundaries.
    """
    dataset_argument(ds, "authority_counts")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    bounds = _require_authorities(ds)
    filters: dict[str, Any] = {"since": since, "until": until, "min_reliability": min_reliability}
    sightings = filter_sightings(ds, **filters)
    ties = filter_ties(ds, **filters)
    relocations = ds.relocations
    if since is not None:
        relocations = relocations[relocations["date"] >= pd.Timestamp(since)]
    if until is not None:
        relocations = relocations[relocations["date"] <= pd.Timestamp(until)]
    home = _lookup.home(ds)
    seen_in = _lookup.place_authority(ds).reindex(sightings["place_id"].to_numpy())
    seen = pd.DataFrame(
        {
            "code": seen_in.to_numpy(dtype=object),
            "person": sightings["person_id"].to_numpy(dtype=object),
        }
    )
    ha = home.reindex(ties["person_a"].to_numpy()).to_numpy(dtype=object)
    hb = home.reindex(ties["person_b"].to_numpy()).to_numpy(dtype=object)
    codes = bounds["code"].astype(str).tolist()
    counts = {
        "people": ds.people["home_authority"].value_counts(),
        "people_seen": seen.dropna().drop_duplicates().groupby("code").size(),
        "sightings": seen["code"].value_counts(),
        "ties": pd.Series(
            [int(((ha == c) | (hb == c)).sum()) for c in codes], index=codes, dtype=int
        ),
        "relocations_in": relocations["to_authority"].value_counts(),
        "relocations_out": relocations["from_authority"].value_counts(),
    }
    index = pd.Index(codes, name="code")
    table = pd.DataFrame(
        {
            name: counts[name].reindex(codes).fillna(0).astype(int).to_numpy()
            for name in AUTHORITY_COUNTS
        },
        index=index,
    )
    # The cell keys of every count (peermap.cell_keys), for the disclosure rule.
    person_key = record_keys(ds.people["person_id"].to_numpy(dtype=object))
    distinct = seen.dropna().drop_duplicates()
    tie_key = record_keys(ties[list(RECORD_IDENTITY["ties"])]) if len(ties) else np.zeros(0)
    other = hb != ha
    tie_codes = np.concatenate([ha, hb[other]])
    move_key = (
        record_keys(relocations[list(RECORD_IDENTITY["relocations"])])
        if len(relocations)
        else np.zeros(0, dtype=np.int64)
    )
    keyed = {
        "people": cell_keys(ds.people["home_authority"], person_key),
        "people_seen": cell_keys(
            distinct["code"], record_keys(distinct["person"].to_numpy(dtype=object))
        ),
        "sightings": cell_keys(seen["code"], sighting_keys(sightings))
        if len(sightings)
        else pd.Series(dtype="int64"),
        "ties": cell_keys(pd.Series(tie_codes), np.concatenate([tie_key, tie_key[other]])),
        "relocations_in": cell_keys(relocations["to_authority"], move_key),
        "relocations_out": cell_keys(relocations["from_authority"], move_key),
    }
    for name in AUTHORITY_COUNTS:
        table[f"{name}_key"] = keyed[name].reindex(codes).fillna(0).astype("int64").to_numpy()
    return table


def aggregate_tables(
    ds: Dataset, *, rule: SuppressionRule | None = None
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Authority-level flows and counts with small-count suppression.

    What an aggregate package holds: never a pseudonym, a place id or a venue's
    location. Counts go through :mod:`peermap.disclosure` (the rule maps use): a count
    under ``peermap.settings.min_count`` is withheld (``None``, shown as ``c``), others
    are rounded to ``round_to``. Every pair of the authorities of the boundaries is
    listed, with zero flows withheld like small ones, so a row's presence says nothing
    (not even that someone is homed in an authority).

    Parameters
    ----------
    ds : Dataset
        A dataset read with boundaries (places assigned to authorities).
    rule : peermap.disclosure.SuppressionRule, optional
        The rule; default from ``peermap.settings``.

    Returns
    -------
    flows : pandas.DataFrame
        ``kind`` (sightings, ties, relocations), ``origin``, ``destination`` (a code;
        missing for sightings at places outside every authority), ``within``,
        ``people``/``events`` (rounded counts, missing when withheld) and
        ``people_shown``/``events_shown`` (the count as text, or the marker).
    authorities : geopandas.GeoDataFrame
        One row per authority in the boundaries: ``code``, ``name`` and, each with a
        ``_shown`` twin, ``people`` (homed there), ``people_seen`` (seen at places
        there), ``sightings`` (at places there), ``ties`` (involving someone homed
        there), ``relocations_in``, ``relocations_out``; boundary polygons.

    Raises
    ------
    ValidationError
        When the dataset was read without boundaries, or its records name an authority
        the boundaries do not hold.
    """
    bounds = _require_authorities(ds)
    r = rule if rule is not None else SuppressionRule.from_settings()
    grid = _grid(ds, bounds)
    rows: list[dict[str, Any]] = []
    for kind in ("sightings", "ties", "relocations"):
        table = flows(ds, kind=kind)
        found: dict[tuple[str, str | None], tuple[int, int]] = {}
        keys = flow_keys(ds, kind=kind)
        key_of = {
            (str(o), None if str(d) in ("nan", "None") else str(d)): (int(pk), int(ek))
            for (o, d), pk, ek in zip(
                keys.index, keys["people_key"], keys["events_key"], strict=True
            )
        }
        for o, d, p, e in zip(
            table["origin"], table["destination"], table["people"], table["events"], strict=True
        ):
            dest = None if d is None or (isinstance(d, float) and math.isnan(d)) else str(d)
            found[(str(o), dest)] = (int(p), int(e))
        pairs: list[tuple[str, str | None]] = [
            (o, d) for o in grid for d in grid if kind != "ties" or o <= d
        ]
        if kind == "sightings":
            pairs += [(o, None) for o in grid]
        for o, d in pairs:
            p, e = found.get((o, d), (0, 0))
            pk, ek = key_of.get((o, d), (0, 0))
            rows.append(
                {
                    "kind": kind,
                    "origin": o,
                    "destination": d,
                    "within": o == d,
                    "p": p,
                    "e": e,
                    "p_key": pk,
                    "e_key": ek,
                }
            )
    columns = ["kind", "origin", "destination", "within", "p", "e", "p_key", "e_key"]
    frame = pd.DataFrame(rows, columns=columns)
    out = pd.DataFrame(
        {
            "kind": frame["kind"].astype("str"),
            "origin": frame["origin"].astype("str"),
            "destination": frame["destination"].astype("str"),
            "within": frame["within"].astype("boolean"),
        }
    )
    for src, name in (("p", "people"), ("e", "events")):
        shown, hidden = suppress(frame[src], rule=r, keys=frame[f"{src}_key"])
        if name == "events":  # events only beside a shown count of young people
            hidden = hidden | out["people"].isna().to_numpy(dtype=bool)
            shown = shown.where(~hidden, r.marker)
        out[name], out[f"{name}_shown"] = _shown_columns(shown, hidden)

    counts = authority_counts(ds)
    auth = pd.DataFrame(
        {"code": bounds["code"].astype("str"), "name": bounds["name"].astype("str")}
    )
    for name in AUTHORITY_COUNTS:
        values = pd.Series(counts[name].to_numpy(), dtype=int)
        shown, hidden = suppress(values, rule=r, keys=counts[f"{name}_key"].to_numpy())
        # The column's total can be known (the data's size): no lone withheld cell.
        hidden = secondary_suppress(shown, hidden, values)
        shown = shown.where(~hidden, r.marker)
        a, b = _shown_columns(shown, hidden)
        auth[name] = a.set_axis(auth.index)
        auth[f"{name}_shown"] = b.set_axis(auth.index)
    gdf = gpd.GeoDataFrame(auth, geometry=list(as_multipolygons(bounds)), crs=settings.metric_crs)
    gdf.attrs = dict(bounds.attrs)
    out.attrs["suppression"] = {
        "min_count": r.min_count,
        "round_to": r.round_to,
        "marker": r.marker,
    }
    gdf.attrs["suppression"] = dict(out.attrs["suppression"])
    return out, gdf


def _grid(ds: Dataset, bounds: gpd.GeoDataFrame) -> list[str]:
    """Return the authorities the flows are listed between: every one of the boundaries.

    Not only those the records name: a row listed because one young person is homed
    somewhere (or one place lies there) would say that the person or place exists.
    Records naming an authority outside the boundaries cannot come from a dataset read
    with them; such a dataset is refused rather than its flows dropped or listed.
    """
    codes = sorted({str(c) for c in bounds["code"]})
    named = (
        {str(c) for c in ds.people["home_authority"].dropna()}
        | {str(c) for c in ds.places["authority_code"].dropna()}
        | {str(c) for c in ds.relocations["from_authority"].dropna()}
        | {str(c) for c in ds.relocations["to_authority"].dropna()}
    )
    outside = named.difference(codes)
    if outside:
        raise ValidationError(
            f"the records name {len(outside)} authorit{'y' if len(outside) == 1 else 'ies'} "
            "that the boundaries do not hold (first: "
            f"{sorted(outside)[0]}): read the dataset with boundaries that hold every "
            "authority its records name"
        )
    return codes


def _shown_columns(shown: pd.Series, hidden: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers = [None if h else int(v) for v, h in zip(shown, hidden, strict=True)]
    return (
        pd.Series(numbers, index=shown.index, dtype="Int64"),
        pd.Series([str(v) for v in shown], index=shown.index, dtype="str"),
    )
