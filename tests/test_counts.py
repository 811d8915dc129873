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
        assert len(withheld) != 1, name  # never a lone one, whatever its count
        for g, e, n in zip(got, expected, table[name], strict=True):
            if g != exact.marker:
                assert g == e and abs(g - n) <= 2, name


def test_counts_need_boundaries(ds: Dataset) -> None:
    bare = ds.replace(boundaries=None)
    with pytest.raises(ValidationError, match="boundaries"):
        counts.authority_counts(bare)


def _before_values(
    shown_before: str, shown_after: str, rule: SuppressionRule, added: int, *, noisy: bool = True
) -> list[int]:
    """Every exact count an attacker cannot rule out, from two releases and the rule.

    The attacker knows the rule, the published perturbation table and that ``added``
    records joined the cell; not the record keys. A count ``n`` is possible when some
    perturbation shows ``n`` as ``shown_before`` and some shows ``n + added`` as
    ``shown_after`` (``noisy=False``: rounding alone, as before the cell-key method).
    """
    from peermap.cell_keys import KEY_SPACE

    keys: list[int | None] = list(range(KEY_SPACE)) if noisy else [None]

    def shows(n: int, text: str) -> bool:
        return any(str(rule.display(n, key)) == text for key in keys)

    return [n for n in range(0, 400) if shows(n, shown_before) and shows(n + added, shown_after)]


@pytest.mark.parametrize("seed", [2])
def test_one_more_record_never_gives_a_withheld_count_away(seed: int) -> None:
    # Differencing: publish the aggregate tables, add one record (a relocation into an
    # authority), publish again, and again. Wherever a withheld cell turns into a number,
    # the two releases must leave at least two possible exact counts: with rounding alone
    # "c" then "10" says the count was exactly 9.
    import numpy as np

    rule = SuppressionRule(10, 5, "c")
    ds = peermap.scenario(peermap.demo_boundaries(), n_people=200, seed=seed).dataset
    rng = np.random.default_rng(seed)
    exact = counts.authority_counts(ds)
    code = str(exact["relocations_in"].idxmin())
    start = int(exact.loc[code, "relocations_in"])
    _, shown = counts.aggregate_tables(ds, rule=rule)
    crossings = differs = 0
    for _step in range(40 - start):
        move = ds.relocations.iloc[[0]].copy()
        move["person_id"] = ds.people["person_id"].iloc[int(rng.integers(len(ds.people)))]
        move["to_authority"] = code
        move["from_authority"] = next(c for c in exact.index if c != code)
        move["date"] = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(360)))
        before_exact = int(counts.authority_counts(ds).loc[code, "relocations_in"])
        ds = ds.replace(relocations=pd.concat([ds.relocations, move], ignore_index=True))
        _, next_shown = counts.aggregate_tables(ds, rule=rule)
        row, next_row = (t.set_index("code").loc[code] for t in (shown, next_shown))
        before, after = str(row["relocations_in_shown"]), str(next_row["relocations_in_shown"])
        if before == "c" and after != "c":
            crossings += 1
            possible = _before_values(before, after, rule, added=1)
            assert before_exact in possible
            assert len(possible) >= 2, (before, after, possible)
        after_exact = int(counts.authority_counts(ds).loc[code, "relocations_in"])
        differs += after != str(rule.display(after_exact))
        shown = next_shown
    assert crossings > 0  # the walk crossed the threshold: the property was put to work
    assert differs > 0  # and the releases carry noise, not rounding alone
    # Rounding alone leaves exactly one possible count: what the noise is for.
    assert _before_values("c", "10", rule, added=1, noisy=False) == [9]


# --------------------------------------------------------------------------- differencing


def _without_authority(ds: Dataset, code: str, *, places: bool) -> Dataset:
    """The dataset without the young people homed in ``code`` (and, with ``places``, its
    places and the relocations to or from it), with every record about them."""
    gone = set(ds.people.loc[ds.people["home_authority"] == code, "person_id"])
    kept_places = ds.places
    if places:
        kept_places = ds.places[ds.places["authority_code"] != code]
    sightings = ds.sightings[
        ~ds.sightings["person_id"].isin(gone)
        & ds.sightings["place_id"].isin(kept_places["place_id"])
    ]
    ties = ds.ties[~(ds.ties["person_a"].isin(gone) | ds.ties["person_b"].isin(gone))]
    moves = ds.relocations[~ds.relocations["person_id"].isin(gone)]
    if places:
        moves = moves[(moves["from_authority"] != code) & (moves["to_authority"] != code)]
    return ds.replace(
        people=ds.people[~ds.people["person_id"].isin(gone)].reset_index(drop=True),
        places=kept_places.reset_index(drop=True),
        ties=ties.reset_index(drop=True),
        sightings=sightings.reset_index(drop=True),
        relocations=moves.reset_index(drop=True),
    )


def _plus_one_person(ds: Dataset, code: str) -> Dataset:
    """The dataset with one more young person, homed in ``code``, with no other record."""
    one = ds.people.iloc[[0]].copy()
    one["person_id"] = "yp-900007"
    one["home_authority"] = code
    return ds.replace(people=pd.concat([ds.people, one], ignore_index=True))


def _shown(ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    flows, auth = counts.aggregate_tables(ds)
    return flows, pd.DataFrame(auth.drop(columns="geometry"))


def test_complementary_suppression_treats_a_withheld_zero_like_any_withheld_count() -> None:
    # Rule 1 shows 0 as "c" like 1 to 9: a lone withheld cell gets a partner whatever its
    # true count, or a lone "c" would say 0 and a partnered one 1 to 9.
    from peermap.disclosure import secondary_suppress, suppress

    for lone in (0, 3):
        values = pd.Series([lone, 35, 40, 45])
        shown, hidden = suppress(values, min_count=10, round_to=5)
        assert secondary_suppress(shown, hidden, values).tolist() == [True, True, False, False]


def test_one_young_person_homed_where_nobody_else_is_changes_no_authority_count(
    ds: Dataset,
) -> None:
    # Differencing: two releases, the second with one more young person homed in an
    # authority that had none (its places still there). Its count is "c" in both, and no
    # other authority's count may change because of it (complementary suppression).
    assert ds.boundaries is not None
    code = str(ds.boundaries["code"].iloc[-1])
    base = _without_authority(ds, code, places=False)
    flows_before, before = _shown(base)
    flows_after, after = _shown(_plus_one_person(base, code))
    pd.testing.assert_frame_equal(before, after)
    pd.testing.assert_frame_equal(flows_before, flows_after)
    assert before.set_index("code").loc[code, "people_shown"] == "c"


def test_the_flows_list_every_pair_of_the_boundaries_whoever_is_in_the_data(
    ds: Dataset,
) -> None:
    # Differencing: an authority with no record at all (nobody homed there, no place, no
    # relocation), then one young person homed there. Which rows are listed must not
    # say that person exists: the flows are the complete grid of the boundaries.
    assert ds.boundaries is not None
    codes = ds.boundaries["code"].astype(str).tolist()
    n = len(codes)
    code = codes[-1]
    base = _without_authority(ds, code, places=True)
    assert code not in set(base.places["authority_code"].dropna())
    one = _plus_one_person(base, code)
    flows_before, before = _shown(base)
    flows_after, after = _shown(one)
    pd.testing.assert_frame_equal(flows_before, flows_after)
    pd.testing.assert_frame_equal(before, after)
    kinds = flows_before["kind"].value_counts().to_dict()
    assert kinds == {"sightings": n * n + n, "ties": n * (n + 1) // 2, "relocations": n * n}
    # Seen once elsewhere: the same rows, its own all withheld.
    place = base.places["place_id"].iloc[0]
    seen = base.sightings.iloc[[0]].copy()
    seen["person_id"], seen["place_id"] = "yp-900007", place
    flows_seen, _ = _shown(one.replace(sightings=pd.concat([base.sightings, seen])))
    pairs = ["kind", "origin", "destination"]
    pd.testing.assert_frame_equal(flows_seen[pairs], flows_before[pairs])
    mine = flows_seen[(flows_seen["origin"] == code) | (flows_seen["destination"] == code)]
    assert len(mine) and (mine["people_shown"] == "c").all()
