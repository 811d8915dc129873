"""Unify young people that partners hold under different local ids, through a links table.

:func:`peermap.merge` keys people by ``person_id``: two partners' records are one young
person only when both hold the same id (a keyed pseudonym of the same string). When
each partner knows a young person by its own local id, a **links table** from
:func:`peermap.link_identities` (two partners) or :func:`peermap.cluster_identities`
(several) says which records are the same young person, and ``merge(..., links=...)``
relabels them to one id before merging, so that the person is one row and the ties,
sightings and relocations of every partner's record are that person's.

- A pairs table (``id_a``, ``id_b``, ``match``; the output of ``link_identities``)
  links the first dataset's ``person_id`` (``id_a``) to the second's (``id_b``); only
  rows whose ``match`` is true unify people (review-band rows do not: review them and
  set ``match`` to true for the pairs you accept).
- A clusters table (``cluster``, ``partner``, ``person_id``; the output of
  ``cluster_identities``) names each dataset by its producer (GSS code): the records of
  one cluster are one young person.

The unified person takes the smallest of its local ids (in Unicode order), so the
result does not depend on the order of the datasets. :func:`link_people` also returns
the provenance of every linked record: ``person_id`` (the unified id), ``partner`` (the
GSS code of the dataset that holds the record), ``local_id`` (that partner's id) and
``score`` (the Dice score of the link, missing for a clusters table).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peermap._csv_cells import undo_marks_text
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError, ValidationError
from peermap.privacy.identifiers import redact, shown_value
from peermap.schema import composed_id

__all__ = ["LINKED_IDS", "LinksLike", "link_people"]

#: Key of ``Dataset.meta`` where :func:`peermap.merge` keeps the provenance of linked
#: people: ``person_id``, ``partner``, ``local_id``, ``score``.
LINKED_IDS = "linked_ids"

LinksLike = pd.DataFrame | str | os.PathLike[str]

_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


def _read(links: LinksLike) -> tuple[pd.DataFrame, str, bool]:
    """Return the table, what errors call it, and whether its rows are a file's rows."""
    if isinstance(links, pd.DataFrame):
        return links, str(links.attrs.get("source", "the links table")), False
    path = Path(links)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such links file") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ValidationError(f"{path}: cannot be read as a CSV links table ({exc})") from None
    # 'peermap link' marks a cell a spreadsheet would run as a formula: unmarked here.
    frame = frame.map(lambda v: undo_marks_text(v) if isinstance(v, str) else v)
    frame.columns = [undo_marks_text(str(c)) for c in frame.columns]
    return frame, str(path), True


def _row(position: int, from_file: bool) -> int:
    return position + 2 if from_file else position + 1


def _flag(value: object, where: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = "" if value is None or value is pd.NA else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == "nan":
        return False
    raise ValidationError(f"{where}: column match is not true or false ({shown_value(str(value))})")


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    # Ids are kept with their accents composed: a link naming one decomposed (as
    # another system typed it) names the same record.
    return composed_id(str(value))


class _Groups:
    """Union-find over (dataset, local id) records."""

    def __init__(self) -> None:
        self.parent: dict[tuple[int, str], tuple[int, str]] = {}
        self.score: dict[tuple[int, str], float] = {}

    def find(self, node: tuple[int, str]) -> tuple[int, str]:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a: tuple[int, str], b: tuple[int, str], score: float) -> None:
        self.parent[self.find(a)] = self.find(b)
        for node in (a, b):
            self.score[node] = max(self.score.get(node, -1.0), score)


def _check_id(ident: str, known: set[str], where: str, column: str, dataset: str) -> None:
    if not ident:
        raise ValidationError(f"{where}, column {column}: blank; every link names two records")
    if ident not in known:
        # Withheld as a person's key is (a date of birth or a name as an id).
        shown = shown_value(redact(ident, table="people", column="person_id"))
        raise ValidationError(
            f"{where}, column {column}: id {shown} is not a person_id of {dataset}; "
            "link the identities of the very datasets being merged"
        )


def _pairs(
    frame: pd.DataFrame, label: str, from_file: bool, people: list[set[str]], names: list[str]
) -> _Groups:
    if len(people) != 2:
        raise ArgumentError(
            f"{label}: a pairs table (id_a, id_b) links exactly two datasets, the first (id_a) "
            f"and the second (id_b); {len(people)} given. Link several with cluster_identities"
        )
    missing = [c for c in ("id_a", "id_b", "match") if c not in frame.columns]
    if missing:
        raise ValidationError(f"{label}: no column {', '.join(missing)}")
    groups = _Groups()
    scores = frame["score"].tolist() if "score" in frame.columns else [None] * len(frame)
    for i, (a, b, flag, score) in enumerate(
        zip(frame["id_a"], frame["id_b"], frame["match"], scores, strict=True)
    ):
        where = f"{label}, row {_row(i, from_file)}"
        if not _flag(flag, f"{where}, column match"):
            continue
        id_a, id_b = _text(a), _text(b)
        _check_id(id_a, people[0], where, "id_a", f"the first dataset ({names[0]})")
        _check_id(id_b, people[1], where, "id_b", f"the second dataset ({names[1]})")
        value = pd.to_numeric(pd.Series([score]), errors="coerce").iloc[0]
        groups.join((0, id_a), (1, id_b), float(value) if pd.notna(value) else float("nan"))
    return groups


def _clusters(
    frame: pd.DataFrame, label: str, from_file: bool, people: list[set[str]], names: list[str]
) -> _Groups:
    missing = [c for c in ("cluster", "partner", "person_id") if c not in frame.columns]
    if missing:
        raise ValidationError(f"{label}: no column {', '.join(missing)}")
    index = {name: i for i, name in enumerate(names)}
    first: dict[str, tuple[int, str]] = {}
    groups = _Groups()
    for i, (cluster, partner, person) in enumerate(
        zip(frame["cluster"], frame["partner"], frame["person_id"], strict=True)
    ):
        where = f"{label}, row {_row(i, from_file)}"
        code = _text(partner).upper()
        if code not in index:
            raise ValidationError(
                f"{where}, column partner: {shown_value(_text(partner))} is not the producer of a "
                f"dataset being merged ({', '.join(names)}); name partners by their GSS code"
            )
        ident = _text(person)
        _check_id(ident, people[index[code]], where, "person_id", f"partner {code}")
        key = _text(cluster)
        if not key:
            raise ValidationError(f"{where}, column cluster: blank")
        node = (index[code], ident)
        groups.find(node)
        if key in first:
            groups.join(first[key], node, float("nan"))
        else:
            first[key] = node
    return groups


def link_people(
    datasets: Sequence[Dataset], names: Sequence[str], links: LinksLike
) -> tuple[list[Dataset], pd.DataFrame]:
    """Relabel the people that a links table says are one young person to one id.

    Parameters
    ----------
    datasets : sequence of Dataset
        The datasets being merged, in order.
    names : sequence of str
        Each dataset's producer (GSS code), for the provenance and a clusters table.
    links : DataFrame, or path of a CSV file
        A pairs table (``link_identities``) or a clusters table (``cluster_identities``).

    Returns
    -------
    tuple of (list of Dataset, DataFrame)
        The datasets with linked people relabelled to the group's smallest id (in
        people, ties, sightings and relocations), and the provenance: one row per linked
        record, ``person_id``, ``partner``, ``local_id``, ``score``, sorted.

    Raises
    ------
    ValidationError
        When the table lacks its columns, a row names an id that is not a person of its
        dataset (naming the file, row, column and id), a ``match`` is not true or false,
        or a link would join two people of one dataset.
    """
    frame, label, from_file = _read(links)
    people = [set(ds.people["person_id"].astype(str).str.strip()) for ds in datasets]
    if "cluster" in frame.columns and "id_a" not in frame.columns:
        groups = _clusters(frame, label, from_file, people, list(names))
    else:
        groups = _pairs(frame, label, from_file, people, list(names))
    members: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for node in groups.parent:
        members.setdefault(groups.find(node), []).append(node)
    rows: list[dict[str, Any]] = []
    renames: list[dict[str, str]] = [{} for _ in datasets]
    for group in members.values():
        if len(group) < 2:
            continue
        counts = pd.Series([d for d, _ in group]).value_counts()
        if (counts > 1).any():
            d = int(counts.index[int(np.argmax(counts.to_numpy() > 1))])
            raise ValidationError(
                f"{label}: links join {int(counts[d])} people of one dataset ({names[d]}) into "
                "one young person; a links table joins at most one record of each partner"
            )
        unified = min(ident for _, ident in group)
        for d, ident in sorted(group):
            renames[d][ident] = unified
            rows.append(
                {
                    "person_id": unified,
                    "partner": names[d],
                    "local_id": ident,
                    "score": groups.score.get((d, ident), float("nan")),
                }
            )
    provenance = pd.DataFrame(rows, columns=["person_id", "partner", "local_id", "score"])
    provenance = provenance.sort_values(["person_id", "partner", "local_id"]).reset_index(drop=True)
    for column in ("person_id", "partner", "local_id"):
        provenance[column] = provenance[column].astype("string")
    provenance["score"] = provenance["score"].astype(np.float64)
    return [_relabelled(ds, mapping) for ds, mapping in zip(datasets, renames, strict=True)], (
        provenance
    )


_PERSON_COLUMNS = {
    "people": ("person_id",),
    "ties": ("person_a", "person_b"),
    "sightings": ("person_id",),
    "relocations": ("person_id",),
}


def _relabelled(ds: Dataset, mapping: dict[str, str]) -> Dataset:
    if not mapping:
        return ds
    changes: dict[str, Any] = {}
    for table, columns in _PERSON_COLUMNS.items():
        frame = ds.table(table).copy()
        for column in columns:
            values = frame[column]
            frame[column] = values.where(
                ~values.astype(str).str.strip().isin(list(mapping)),
                values.astype(str).str.strip().map(mapping),
            )
        changes[table] = frame
    return ds.replace(**changes)
