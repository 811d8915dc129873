"""relocation_exposure and relocations_received, checked against the per-relocation loop.

``old_relocation_exposure`` and ``old_relocations_received`` are a verbatim copy of the
implementation that filtered whole tables once per relocation (issue 23, item 5), kept
here only as the reference the join-based rewrite must match exactly: same columns,
dtypes, row order and values, ``contexts_after`` as sorted lists of ``str``.
"""

from __future__ import annotations

import itertools
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

import peermap
from conftest import MakeDataset
from peermap import _lookup
from peermap.dataset import Dataset
from peermap.relocations import relocation_exposure, relocations_received

# --------------------------------------------------------------------------- reference


def old_relocation_exposure(ds: Dataset) -> pd.DataFrame:
    """Measure what follows each relocation in the receiving authority.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries so that places have authorities).

    Returns
    -------
    pandas.DataFrame
        One row per relocation: ``person_id``, ``from_authority``, ``to_authority``,
        ``date``, ``kind``; ``ties_after`` (ties first seen on or after the move with
        young people homed in the receiving authority); ``places_after`` (distinct
        places in the receiving authority where the young person was seen on or after
        the move); ``contexts_after`` (sorted abuse contexts of those sightings);
        ``kept_home_ties`` (a tie with someone homed in the sending authority still
        active on or after the move).
    """
    r = ds.relocations.reset_index(drop=True)
    home = _lookup.home(ds)
    place_auth = (
        _lookup.place_authority(ds) if "authority_code" in ds.places else pd.Series(dtype=object)
    )
    t = ds.ties
    both = pd.concat(
        [
            pd.DataFrame(
                {
                    "person": t["person_a"],
                    "other": t["person_b"],
                    "first": t["first_seen"],
                    "end": t["last_seen"].fillna(t["first_seen"]),
                }
            ),
            pd.DataFrame(
                {
                    "person": t["person_b"],
                    "other": t["person_a"],
                    "first": t["first_seen"],
                    "end": t["last_seen"].fillna(t["first_seen"]),
                }
            ),
        ],
        ignore_index=True,
    )
    both["other_home"] = home.reindex(both["other"].to_numpy()).to_numpy(dtype=object)
    s = ds.sightings.assign(
        place_auth=place_auth.reindex(ds.sightings["place_id"].to_numpy()).to_numpy(dtype=object)
    )
    ties_after, places_after, contexts_after, kept = [], [], [], []
    for move in r.itertuples(index=False):
        mine = both[both["person"] == move.person_id]
        new = mine[(mine["first"] >= move.date) & (mine["other_home"] == move.to_authority)]
        ties_after.append(len(new))
        old = mine[(mine["end"] >= move.date) & (mine["other_home"] == move.from_authority)]
        kept.append(bool(len(old)))
        seen = s[
            (s["person_id"] == move.person_id)
            & (s["date"] >= move.date)
            & (s["place_auth"] == move.to_authority)
        ]
        places_after.append(int(seen["place_id"].nunique()))
        contexts_after.append(sorted(set(seen["context"])))
    out = r[["person_id", "from_authority", "to_authority", "date", "kind"]].copy()
    out["ties_after"] = pd.Series(ties_after, dtype=int)
    out["places_after"] = pd.Series(places_after, dtype=int)
    out["contexts_after"] = contexts_after
    out["kept_home_ties"] = pd.Series(kept, dtype=bool)
    return out


def old_relocations_received(ds: Dataset) -> pd.DataFrame:
    """Per receiving authority: young people received, from where, and what followed.

    Parameters
    ----------
    ds : Dataset
        The dataset.

    Returns
    -------
    pandas.DataFrame
        ``authority``, ``received`` (distinct young people), ``relocations``,
        ``from_authorities`` (sorted list), ``ties_after``, ``places_after`` (sums over
        relocations), ``contexts_joined`` (sorted list); most received first.
    """
    exposure = old_relocation_exposure(ds)
    columns = [
        "authority",
        "received",
        "relocations",
        "from_authorities",
        "ties_after",
        "places_after",
        "contexts_joined",
    ]
    if exposure.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rows = []
    for authority, group in exposure.groupby("to_authority", sort=True):
        rows.append(
            {
                "authority": authority,
                "received": group["person_id"].nunique(),
                "relocations": len(group),
                "from_authorities": sorted(set(group["from_authority"])),
                "ties_after": int(group["ties_after"].sum()),
                "places_after": int(group["places_after"].sum()),
                "contexts_joined": sorted(set(itertools.chain(*group["contexts_after"]))),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(
        ["received", "authority"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- tests


def assert_same_table(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, old, check_dtype=True, check_index_type=True)
    assert list(new.columns) == list(old.columns)
    for column in ("contexts_after", "from_authorities", "contexts_joined"):
        if column in old:
            for a, b in zip(new[column], old[column], strict=True):
                assert type(a) is list and a == b
                assert [type(x) for x in a] == [type(x) for x in b]


def _window(ds: Dataset, since: Any, until: Any) -> Dataset:
    """The dataset with only the relocations dated in the window (the reference's way)."""
    r = ds.relocations
    keep = pd.Series(True, index=r.index)
    if since is not None:
        keep &= r["date"] >= pd.Timestamp(since)
    if until is not None:
        keep &= r["date"] <= pd.Timestamp(until)
    return ds.replace(relocations=r[keep])


@pytest.fixture(scope="module", params=[1, 7])
def scenario_ds(request: pytest.FixtureRequest) -> Dataset:
    ds, _ = peermap.synthetic.scenario(
        peermap.demo_boundaries(), n_people=3000, seed=cast(int, request.param)
    )
    return ds


WINDOWS = [
    (None, None),
    ("2024-03-01", None),
    (None, "2024-06-30"),
    ("2024-04-01", "2024-09-30"),
    ("2030-01-01", None),  # no relocation left
]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_exposure_matches_the_reference(scenario_ds: Dataset, since: Any, until: Any) -> None:
    new = relocation_exposure(scenario_ds, since=since, until=until)
    old = old_relocation_exposure(_window(scenario_ds, since, until))
    assert_same_table(new, old)
    assert_same_table(
        relocations_received(scenario_ds, since=since, until=until),
        old_relocations_received(_window(scenario_ds, since, until)),
    )


def test_scenario_exposure_is_not_trivial(scenario_ds: Dataset) -> None:
    table = relocation_exposure(scenario_ds)
    assert len(table) > 20
    assert table["ties_after"].gt(0).any() and table["places_after"].gt(0).any()
    assert table["kept_home_ties"].any() and not table["kept_home_ties"].all()
    assert table["contexts_after"].map(len).gt(1).any()


def test_the_window_keeps_relocations_dated_in_it(scenario_ds: Dataset) -> None:
    table = relocation_exposure(scenario_ds, since="2024-04-01", until=pd.Timestamp("2024-06-30"))
    assert table["date"].between(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-06-30")).all()
    whole = relocation_exposure(scenario_ds)
    inside = whole[whole["date"].between("2024-04-01", "2024-06-30")].reset_index(drop=True)
    assert_same_table(table, inside)


def test_a_date_that_is_not_one_is_refused(scenario_ds: Dataset) -> None:
    with pytest.raises(ValueError, match="since='soon' is not a date"):
        relocation_exposure(scenario_ds, since="soon")
    with pytest.raises(ValueError, match="until="):
        relocations_received(scenario_ds, until="2024-13-45")


A, B, C = "X09000001", "X09000002", "X09000006"


@pytest.fixture(scope="module")
def edge_ds(make_dataset: MakeDataset) -> Dataset:
    """Hand-built edge cases.

    m1 moved twice (C -> A in March, A -> B in July); m2 moved with no tie at all;
    m3 moved with ties that have no last_seen; sightings at a place outside every
    authority (no authority) and at places in the receiving authorities.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)  # X lies outside
        return make_dataset(
            people=[
                ("m1", C, 15, "yes"),
                ("m2", B, 14, "yes"),
                ("m3", A, 16, "no"),
                ("a1", A, 15, "no"),
                ("a2", A, 13, "no"),
                ("b1", B, 17, "no"),
                ("c1", C, 12, "no"),
            ],
            places=[
                ("H", "hotel", 693500, 315500),  # in A
                ("P", "park", 692500, 313500),  # in A
                ("S", "school", 710124, 306250),  # in C
                ("X", "other", 530000, 180000),  # central London: outside the demo region
            ],
            ties=[
                ("m1", "c1", "sibling", "2023-06-01", "2024-05-01", "social_care", "confirmed"),
                ("a1", "m1", "friend", "2024-03-10", "", "police", "reported"),
                ("m1", "a2", "associate", "2024-02-01", "", "police", "reported"),
                ("b1", "m1", "friend", "2024-08-01", "", "school", "unverified"),
                ("m3", "c1", "friend", "2024-01-01", "", "school", "reported"),
                ("a1", "m3", "friend", "2024-05-01", "", "school", "reported"),
                ("m1", "a1", "partner", "2024-04-01", "2024-04-02", "police", "confirmed"),
            ],
            sightings=[
                ("m1", "H", "2024-03-20", "cse", "police", "confirmed"),
                ("m1", "P", "2024-04-20", "cce", "police", "reported"),
                ("m1", "H", "2024-05-20", "cce", "police", "reported"),
                ("m1", "X", "2024-05-21", "missing_episode", "police", "reported"),
                ("m1", "S", "2024-01-20", "other", "school", "reported"),
                ("m2", "X", "2024-06-01", "cse", "police", "reported"),
                ("m2", "H", "2024-06-02", "bullying", "school", "reported"),
                ("m3", "S", "2024-07-01", "serious_youth_violence", "police", "reported"),
            ],
            relocations=[
                ("m1", C, A, "2024-03-15", "care_placement"),
                ("m2", B, A, "2024-05-01", "secure"),
                ("m1", A, B, "2024-07-15", "housing"),
                ("m3", A, C, "2024-04-01", "family"),
            ],
        )


def test_edge_cases_match_the_reference_and_the_hand_answer(edge_ds: Dataset) -> None:
    auth = _lookup.place_authority(edge_ds)
    assert auth["H"] == A and auth["S"] == C and pd.isna(auth.get("X", np.nan))
    table = relocation_exposure(edge_ds)
    assert_same_table(table, old_relocation_exposure(edge_ds))
    assert_same_table(relocations_received(edge_ds), old_relocations_received(edge_ds))
    first, no_ties, second, open_ended = (table.iloc[i] for i in range(4))
    # m1 into A on 15 March: a1 (10 March) is before; m1-a1 partner (1 April) after.
    assert first["ties_after"] == 1 and first["kept_home_ties"]  # sibling c1 to May
    assert first["places_after"] == 2 and first["contexts_after"] == ["cce", "cse"]
    # m2 has no tie; its sighting at X (no authority) does not count.
    assert no_ties["ties_after"] == 0 and not no_ties["kept_home_ties"]
    assert no_ties["places_after"] == 1 and no_ties["contexts_after"] == ["bullying"]
    # m1 again, into B on 15 July: b1's tie (August) follows; ties with A people
    # still open (no last_seen: active only on first_seen) are not kept.
    assert second["ties_after"] == 1 and not second["kept_home_ties"]
    assert second["places_after"] == 0 and second["contexts_after"] == []
    # m3 into C on 1 April: its tie with c1 (C) began in January; a1 (A) from May,
    # no last_seen, counts as kept (active on or after the move).
    assert open_ended["ties_after"] == 0 and open_ended["kept_home_ties"]
    assert open_ended["contexts_after"] == ["serious_youth_violence"]


def test_no_boundaries_and_no_relocations(edge_ds: Dataset) -> None:
    bare = edge_ds.replace(places=edge_ds.places.drop(columns=["authority_code"]))
    assert_same_table(relocation_exposure(bare), old_relocation_exposure(bare))
    assert relocation_exposure(bare)["places_after"].eq(0).all()
    none = edge_ds.replace(relocations=edge_ds.relocations.iloc[:0])
    assert_same_table(relocation_exposure(none), old_relocation_exposure(none))
    assert_same_table(relocations_received(none), old_relocations_received(none))
    empty = edge_ds.replace(ties=edge_ds.ties.iloc[:0], sightings=edge_ds.sightings.iloc[:0])
    assert_same_table(relocation_exposure(empty), old_relocation_exposure(empty))
    assert_same_table(relocations_received(empty), old_relocations_received(empty))
