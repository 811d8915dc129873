"""Counts per authority (peermap.counts): one definition for views and aggregate packages."""

from __future__ import annotations

import pandas as pd
import pytest

import peermap
from peermap import counts, exchange
from peermap.dataset import Dataset
from peermap.disclosure import SuppressionRule
from peermap.exceptions import ValidationError
from peermap.networks import filter_sightings


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return peermap.scenario(peermap.demo_boundaries(), n_people=240, seed=11).dataset


def test_one_home_re_exported() -> None:
    assert peermap.authority_counts is counts.authority_counts
    assert peermap.aggregate_tables is counts.aggregate_tables
    assert exchange.aggregate_tables is counts.aggregate_tables
    assert exchange.AGGREGATE_COUNTS == counts.AUTHORITY_COUNTS


def test_counts_per_authority_add_up(ds: Dataset) -> None:
    assert ds.boundaries is not None
    table = counts.authority_counts(ds)
    codes = ds.boundaries["code"].astype(str).tolist()
    assert table.index.tolist() == codes
    names = list(counts.AUTHORITY_COUNTS)
    assert list(table.columns) == names + [f"{n}_key" for n in names]
    assert table[[f"{n}_key" for n in names]].isin(range(256)).all().all()
    assert all(pd.api.types.is_integer_dtype(t) for t in table.dtypes)
    homes = ds.people["home_authority"]
    assert table["people"].sum() == homes.isin(codes).sum()
    place_auth = ds.places.set_index("place_id")["authority_code"]
    seen_in = place_auth.reindex(ds.sightings["place_id"]).to_numpy()
    assert table["sightings"].sum() == pd.Series(seen_in).isin(codes).sum()
    assert table["relocations_in"].sum() == ds.relocations["to_authority"].isin(codes).sum()
    assert table["relocations_out"].sum() == ds.relocations["from_authority"].isin(codes).sum()
    assert (table["people_seen"] <= table["sightings"]).all()
    one = codes[0]
    home = ds.people.set_index("person_id")["home_authority"]
    linked = (home.reindex(ds.ties["person_a"]).to_numpy() == one) | (
        home.reindex(ds.ties["person_b"]).to_numpy() == one
    )
    assert table.loc[one, "ties"] == linked.sum()


def test_a_window_counts_what_the_filters_keep(ds: Dataset) -> None:
    since, until = "2024-03-01", "2024-06-30"
    table = counts.authority_counts(ds, since=since, until=until, min_reliability="reported")
    kept = filter_sightings(ds, since=since, until=until, min_reliability="reported")
    place_auth = ds.places.set_index("place_id")["authority_code"]
    seen_in = pd.Series(place_auth.reindex(kept["place_id"]).to_numpy())
    assert table["sightings"].sum() == seen_in.notna().sum()
    assert table["sightings"].sum() < counts.authority_counts(ds)["sightings"].sum()
    assert table["people"].tolist() == counts.authority_counts(ds)["people"].tolist()


def test_the_aggregate_shows_the_counts(ds: Dataset) -> None:
    exact = SuppressionRule(min_count=1, round_to=1, marker="c")
    _, auth = counts.aggregate_tables(ds, rule=exact)
    table = counts.authority_counts(ds)
    for name in counts.AUTHORITY_COUNTS:
        # Each count with its cell's noise (cell-key method): within 2 of the exact one,
        # and the same as any other output shows for the same records.
        expected = [
            exact.display(n, k) for n, k in zip(table[name], table[f"{name}_key"], strict=True)
        ]
        got = [int(v) if pd.notna(v) else exact.marker for v in auth[name]]
        withheld = [n for g, n in zip(got, table[name], strict=True) if g == exact.marker]
        assert not (len(withheld) == 1 and withheld[0] > 0), name  # never a lone one
        for g, e, n in zip(got, expected, table[name], strict=True):
            if g != exact.marker:
                assert g == e and abs(g - n) <= 2, name


def test_counts_need_boundaries(ds: Dataset) -> None:
    bare = ds.replace(boundaries=None)
    with pytest.raises(ValidationError, match="boundaries"):
        counts.authority_counts(bare)
