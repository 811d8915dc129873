"""i2 Analyst's Notebook charts: the records as an Analyst's Notebook Exchange (ANX) file.

:func:`to_anx` writes the dataset as an ANX chart (XML) that i2 Analyst's Notebook opens:

- young people and places are **entities** (``ChartItem`` > ``End`` > ``Entity``, with its
  ``Identity`` the pseudonym or place id and an ``Icon`` of entity type ``Young person``
  or ``Place``), their columns as **attributes** (home authority, age, sex, looked after;
  a place's kind, its authority, coordinates);
- ties and sightings are **links** (``ChartItem`` > ``Link`` with ``End1Id`` and
  ``End2Id`` and a ``LinkStyle``), one link per record, dated (``DateTime``: a tie's
  ``first_seen``, a sighting's date); a tie's link type is its kind and an exploiter tie
  points from the exploiter; a sighting's link type is ``seen at`` with its abuse context
  as attribute and label;
- each record's **source and reliability are i2 grades**: ``GradeOneIndex`` points into
  the chart's ``GradeOne`` list (the agencies of ``peermap.schema.SOURCES``) and
  ``GradeTwoIndex`` into ``GradeTwo`` (the grades, ``confirmed`` first), counted from 0;
  the link's ``Strength`` (solid, dashed, dotted) shows the reliability on the chart;
- relocations are **cards** on the young person's entity (dated, ``kind`` as summary,
  ``from → to`` as text, provenance as source reference);
- the chart ``Summary`` carries the PARTNERSHIP ONLY banner, the schema version and the
  partnership key's fingerprint.

:func:`read_anx` reads such a chart back into a :class:`~peermap.Dataset`, validated like
:func:`peermap.read_dataset`: the round trip loses nothing of the schema's columns (and
``provenance``). A chart that does not follow this structure is refused naming the file,
the element and the value. ``docs/investigation.md`` shows the structure.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import xml.etree.ElementTree as ET  # writing only: reading goes through defusedxml
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
import numpy as np
import pandas as pd

from peermap._arguments import dataset_argument
from peermap._atomic import atomic_path
from peermap._version import __version__
from peermap.dataset import Dataset
from peermap.disclosure import Audience
from peermap.exceptions import ArgumentError, ValidationError
from peermap.exchange.graphs import person_level
from peermap.filters import DateLike, Window, select
from peermap.merging import PROVENANCE
from peermap.schema import (
    RELIABILITIES,
    SCHEMA_VERSION,
    SOURCES,
    TABLE_ORDER,
    TABLES,
    TIE_KINDS,
)

__all__ = ["ANX_ENTITY_TYPES", "ANX_SIGHTING_LINK", "read_anx", "to_anx"]

#: Entity types of the chart: a young person, a place.
ANX_ENTITY_TYPES: Final = {"person": "Young person", "place": "Place"}

#: The link type of a sighting (a tie's is its kind).
ANX_SIGHTING_LINK: Final = "seen at"

#: i2 line style of each reliability (the link's ``Strength``).
_STRENGTHS: Final = {
    "confirmed": "DotStyleSolid",
    "corroborated": "DotStyleSolid",
    "reported": "DotStyleDashed",
    "unverified": "DotStyleDotted",
}
#: The reliability grades, best first (i2 lists grades from the most reliable).
_GRADES: Final = tuple(reversed(RELIABILITIES))
#: Attribute classes: name in the chart, i2 type, (table, column) it holds.
_ATTRIBUTES: Final = (
    ("Home authority", "AttText", "people", "home_authority"),
    ("Age", "AttNumber", "people", "age"),
    ("Sex", "AttText", "people", "sex"),
    ("Looked after", "AttFlag", "people", "looked_after"),
    ("Kind", "AttText", "places", "kind"),
    ("Authority", "AttText", "places", "authority_code"),
    ("Authority name", "AttText", "places", "authority_name"),
    ("Longitude", "AttNumber", "places", "lon"),
    ("Latitude", "AttNumber", "places", "lat"),
    ("Easting", "AttNumber", "places", "easting"),
    ("Northing", "AttNumber", "places", "northing"),
    ("Label", "AttText", "places", "label"),
    ("Last seen", "AttTime", "ties", "last_seen"),
    ("Context", "AttText", "sightings", "context"),
    ("Provenance", "AttText", "*", PROVENANCE),
)
#: Attributes the reader takes back (the others are derived again from boundaries).
_DERIVED: Final = ("authority_code", "authority_name")
#: Chart units per metre of the British National Grid, for entities' positions.
_UNITS_PER_M: Final = 0.05
_ARROW: Final = " → "


def _text(value: Any) -> str | None:
    """Return a cell as attribute text (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else repr(float(value))
    if isinstance(value, pd.Timestamp):
        return _when(value)
    return str(value)


def _when(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S")


def to_anx(
    ds: Dataset,
    path: str | os.PathLike[str],
    *,
    audience: str = "partnership",
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    allow: Iterable[str] = (),
) -> Path:
    """Write the records as an i2 Analyst's Notebook chart (ANX, XML), atomically.

    The module docstring (:mod:`peermap.exchange.anx`) and ``docs/investigation.md`` give
    the structure. The chart holds every young person and place of the selection
    by pseudonym, so it is for the partnership only.

    Parameters
    ----------
    ds : Dataset
        The dataset (a context of it: :func:`peermap.select` with ``context=``).
    path : str or path-like
        The ``.anx`` file.
    audience : {"partnership"}, default "partnership"
        Who the chart is for. Only the partnership: a chart shows each young person.
    window : Window, optional
        Which records to chart (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``.
    since, until, min_reliability
        The same window in three keywords.
    allow : iterable of str, optional
        Free text to include: ``"places.label"`` (left out by default, as in packages).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        For ``audience="public"`` or ``"aggregate"`` (person-level records), or an
        ``allow`` entry other than ``places.label``.
    """
    person_level(audience, "an i2 chart (.anx)")
    labels = _labels_allowed(allow)
    dataset_argument(ds, "to_anx")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    sub = select(ds, Window(since, until, min_reliability))
    root = _chart(sub, labels)
    target = Path(path)
    with atomic_path(target) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    return target


def _labels_allowed(allow: Iterable[str]) -> bool:
    chosen = [str(a) for a in allow]
    for item in chosen:
        if item != "places.label":
            raise ArgumentError(
                f"allow={item!r}: an i2 chart holds the schema's columns; the one free-text "
                "column it can hold is 'places.label'"
            )
    return bool(chosen)


class _Ids:
    """Ids of the chart's collections: ``ac1``, ``et1``, ``ci1`` ..."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def _chart(ds: Dataset, labels: bool) -> ET.Element:
    new_id = _Ids()
    root = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "true"})
    strengths = ET.SubElement(root, "StrengthCollection")
    for grade in _GRADES:
        ET.SubElement(
            strengths,
            "Strength",
            {"Id": new_id("st"), "Name": grade, "DotStyle": _STRENGTHS[grade]},
        )
    for tag, names in (("GradeOne", SOURCES), ("GradeTwo", _GRADES)):
        strings = ET.SubElement(ET.SubElement(root, tag), "StringCollection")
        for name in names:
            ET.SubElement(strings, "String", {"Id": new_id("gr"), "Text": name})
    classes: dict[str, str] = {}
    collection = ET.SubElement(root, "AttributeClassCollection")
    for name, kind, _, column in _ATTRIBUTES:
        if column == "label" and not labels:
            continue
        classes[name] = new_id("ac")
        ET.SubElement(
            collection,
            "AttributeClass",
            {"Id": classes[name], "Name": name, "Type": kind, "IsUser": "true"},
        )
    entity_types = ET.SubElement(root, "EntityTypeCollection")
    for name, icon in (
        (ANX_ENTITY_TYPES["person"], "Person"),
        (ANX_ENTITY_TYPES["place"], "Place"),
    ):
        ET.SubElement(
            entity_types,
            "EntityType",
            {"Id": new_id("et"), "Name": name, "IconFile": icon},
        )
    link_types: dict[str, str] = {}
    link_collection = ET.SubElement(root, "LinkTypeCollection")
    for name in (*TIE_KINDS, ANX_SIGHTING_LINK):
        link_types[name] = new_id("lt")
        ET.SubElement(link_collection, "LinkType", {"Id": link_types[name], "Name": name})
    _summary(root, ds)
    items = ET.SubElement(root, "ChartItemCollection")
    positions = _positions(ds)
    cards = _relocation_cards(ds)
    for table, type_name in (("people", "person"), ("places", "place")):
        frame = pd.DataFrame(ds.table(table).drop(columns="geometry", errors="ignore"))
        key = "person_id" if table == "people" else "place_id"
        for record in frame.to_dict("records"):
            row = {str(k): v for k, v in record.items()}
            ident = str(row[key])
            x, y = positions.get((type_name, ident), (0.0, 0.0))
            item = ET.SubElement(items, "ChartItem", {"Id": new_id("ci"), "Label": ident})
            end = ET.SubElement(item, "End", {"X": f"{x:.0f}", "Y": f"{y:.0f}", "Z": "0"})
            entity = ET.SubElement(
                end,
                "Entity",
                {"EntityId": f"{type_name}:{ident}", "Identity": ident, "LabelIsIdentity": "true"},
            )
            drawn = ET.SubElement(entity, "Icon")
            ET.SubElement(drawn, "IconStyle", {"Type": ANX_ENTITY_TYPES[type_name]})
            if type_name == "person" and ident in cards:
                held = ET.SubElement(entity, "CardCollection")
                for card in cards[ident]:
                    ET.SubElement(held, "Card", card)
            _attributes(item, row, table, classes)
    for table in ("ties", "sightings"):
        frame = ds.table(table)
        for record in frame.to_dict("records"):
            row = {str(k): v for k, v in record.items()}
            _link(items, row, table, new_id, classes, link_types)
    return root


def _summary(root: ET.Element, ds: Dataset) -> None:
    policy = Audience.of("partnership")
    summary = ET.SubElement(root, "Summary")
    fields = ET.SubElement(summary, "FieldCollection")
    ET.SubElement(fields, "Field", {"Field": "peermap records", "Type": "SummaryFieldTitle"})
    ET.SubElement(fields, "Field", {"Field": policy.banner or "", "Type": "SummaryFieldComments"})
    props = ET.SubElement(summary, "CustomPropertyCollection")
    for name, value in (
        ("peermap version", __version__),
        ("peermap schema version", SCHEMA_VERSION),
        ("audience", "partnership"),
        ("key fingerprint", str(ds.meta.get("key_fingerprint") or "")),
        ("provenance", "yes" if PROVENANCE in ds.people else "no"),
    ):
        ET.SubElement(props, "CustomProperty", {"Name": name, "Type": "String", "Value": value})


def _attributes(
    item: ET.Element, row: Mapping[str, Any], table: str, classes: dict[str, str]
) -> None:
    values = []
    for name, _, owner, column in _ATTRIBUTES:
        if owner not in (table, "*") or name not in classes or column not in row:
            continue
        text = _text(row[column])
        if text is not None:
            values.append((name, text))
    if values:
        collection = ET.SubElement(item, "AttributeCollection")
        for name, text in values:
            ET.SubElement(
                collection,
                "Attribute",
                {"AttributeClass": name, "AttributeClassReference": classes[name], "Value": text},
            )


def _link(
    items: ET.Element,
    row: Mapping[str, Any],
    table: str,
    new_id: _Ids,
    classes: dict[str, str],
    link_types: dict[str, str],
) -> None:
    if table == "ties":
        ends = (f"person:{row['person_a']}", f"person:{row['person_b']}")
        kind, label, when = str(row["kind"]), str(row["kind"]), row["first_seen"]
    else:
        ends = (f"person:{row['person_id']}", f"place:{row['place_id']}")
        kind, label, when = ANX_SIGHTING_LINK, str(row["context"]), row["date"]
    reliability, source = str(row["reliability"]), str(row["source"])
    item = ET.SubElement(
        items,
        "ChartItem",
        {
            "Id": new_id("ci"),
            "Label": label,
            "DateSet": "true",
            "TimeSet": "false",
            "DateTime": _when(when),
            "SourceType": source,
            "GradeOneIndex": str(SOURCES.index(source)),
            "GradeTwoIndex": str(_GRADES.index(reliability)),
        },
    )
    link = ET.SubElement(item, "Link", {"End1Id": ends[0], "End2Id": ends[1]})
    ET.SubElement(
        link,
        "LinkStyle",
        {
            "Type": kind,
            "LinkTypeReference": link_types[kind],
            "Strength": reliability,
            "ArrowStyle": "ArrowOnHead" if kind == "exploiter" else "ArrowNone",
        },
    )
    _attributes(item, row, table, classes)


def _relocation_cards(ds: Dataset) -> dict[str, list[dict[str, str]]]:
    cards: dict[str, list[dict[str, str]]] = {}
    for row in ds.relocations.to_dict("records"):
        cards.setdefault(str(row["person_id"]), []).append(
            {
                "Summary": f"relocation: {row['kind']}",
                "DateSet": "true",
                "TimeSet": "false",
                "DateTime": _when(row["date"]),
                "Text": f"{row['from_authority']}{_ARROW}{row['to_authority']}",
            }
        )
        provenance = _text(row.get(PROVENANCE))
        if provenance is not None:
            cards[str(row["person_id"])][-1]["SourceReference"] = provenance
    return cards


def _positions(ds: Dataset) -> dict[tuple[str, str], tuple[float, float]]:
    """Place each place at its grid position and each young person among their places."""
    places = ds.places
    out: dict[tuple[str, str], tuple[float, float]] = {}
    if len(places):
        east = places["easting"].astype(float)
        north = places["northing"].astype(float)
        x = (east - east.min()) * _UNITS_PER_M
        y = (north.max() - north) * _UNITS_PER_M
        at = pd.DataFrame({"x": x.to_numpy(), "y": y.to_numpy()}, index=places["place_id"])
        out.update({("place", str(p)): (float(a), float(b)) for p, a, b in at.itertuples()})
        seen = ds.sightings[["person_id", "place_id"]].join(at, on="place_id")
        mean = seen.groupby("person_id")[["x", "y"]].mean()
    else:
        mean = pd.DataFrame(columns=["x", "y"])
    # Young people around the middle of their places, on a golden-angle spiral so that
    # people of the same places do not sit on one another; others in rows below.
    centres = {
        str(p): (float(a), float(b))
        for p, a, b in zip(mean.index, mean["x"], mean["y"], strict=True)
    }
    bottom = max((b for _, b in out.values()), default=0.0) + 200.0
    for i, person in enumerate(ds.people["person_id"].astype(str)):
        angle, radius = i * 2.39996, 30.0 + 4.0 * math.sqrt(i % 400)
        if person in centres:
            cx, cy = centres[person]
            out[("person", person)] = (
                cx + radius * math.cos(angle),
                cy + radius * math.sin(angle),
            )
        else:
            out[("person", person)] = (float(60 * (i % 50)), bottom + 60.0 * (i // 50))
    return out


# --------------------------------------------------------------------------- reading


def read_anx(
    path: str | os.PathLike[str], *, boundaries: Any = None, strict: bool = True
) -> Dataset:
    """Read an i2 chart written by :func:`to_anx` (or edited in Analyst's Notebook).

    The chart is parsed safely (``defusedxml``: no document type declarations, no
    entities), its entities and links are turned back into the five tables, and those are
    validated exactly like :func:`peermap.read_dataset`, errors naming the file, the
    table and the ``ChartItem`` (its ``Id``) as the row.

    Parameters
    ----------
    path : str or path-like
        The ``.anx`` file.
    boundaries : Boundaries, GeoDataFrame or path, optional
        Authority boundaries, to resolve authorities and assign places (as
        :func:`peermap.read_dataset`).
    strict : bool, default True
        As :func:`peermap.read_dataset`.

    Returns
    -------
    Dataset
        The records; ``meta`` adds ``anx`` (the chart summary's custom properties) and
        ``key_fingerprint`` when the chart records one.

    Raises
    ------
    ValidationError
        For a file that is not a well-formed chart of this structure (the message names
        the file, the element and the value), and for records that fail validation.
    """
    from peermap.validation import read_dataset

    where = Path(path)
    root = _parse(where)
    frames, provenance, summary = _tables(root, where)
    try:
        ds = read_dataset(frames, boundaries=boundaries, strict=strict)
    except ValidationError as exc:
        raise _relabel(exc, where) from None
    changes: dict[str, Any] = {}
    for name, values in provenance.items():
        if summary.get("provenance") != "yes":
            break
        rejected = ds.report.rejected.get(name)
        gone = set() if rejected is None else set(rejected.index)
        read: list[Any] = list(frames[name].index) if name in frames else []
        kept = [values[item] for item in read if item not in gone]
        frame = ds.table(name).copy()
        if len(kept) != len(frame):  # pragma: no cover - every row read is kept or set aside
            raise AssertionError(f"{name}: rows lost while validating")
        frame[PROVENANCE] = pd.Series(kept, index=frame.index, dtype="str")
        changes[name] = frame
    meta = dict(ds.meta)
    meta["sources"] = {name: f"{where} [{name}]" for name in TABLE_ORDER}
    meta["anx"] = summary
    if summary.get("key fingerprint"):
        meta["key_fingerprint"] = summary["key fingerprint"]
    return ds.replace(**changes, meta=meta)


def _parse(where: Path) -> ET.Element:
    try:
        tree = SafeET.parse(str(where), forbid_dtd=True)
    except FileNotFoundError:
        raise ValidationError(f"{where}: no such file") from None
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ValidationError(
            f"{where}: not a well-formed XML chart (line {line}, column {column}): {exc}"
        ) from None
    except Exception as exc:  # defusedxml's refusals (DTDForbidden, EntitiesForbidden)
        if type(exc).__module__.startswith("defusedxml"):
            raise ValidationError(
                f"{where}: refused: the file declares a document type or entities "
                f"({type(exc).__name__}), which an i2 chart never needs"
            ) from None
        raise
    root: ET.Element = tree.getroot()
    if root.tag != "Chart":
        raise ValidationError(
            f"{where}: the root element is <{root.tag}>, not <Chart> (an i2 chart)"
        )
    return root


def _strings(root: ET.Element, tag: str, where: Path) -> list[str]:
    node = root.find(f"{tag}/StringCollection")
    if node is None:
        raise ValidationError(f"{where}: <Chart> has no <{tag}><StringCollection> (the grades)")
    return [str(s.get("Text", "")) for s in node.findall("String")]


def _tables(
    root: ET.Element, where: Path
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str | None]], dict[str, str]]:
    sources, grades = _strings(root, "GradeOne", where), _strings(root, "GradeTwo", where)
    class_names = {
        str(c.get("Id")): str(c.get("Name"))
        for c in root.findall("AttributeClassCollection/AttributeClass")
    }
    summary = {
        str(p.get("Name")): str(p.get("Value", ""))
        for p in root.findall("Summary/CustomPropertyCollection/CustomProperty")
    }
    items = root.find("ChartItemCollection")
    if items is None:
        raise ValidationError(f"{where}: <Chart> has no <ChartItemCollection>")
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_ORDER}
    index: dict[str, list[str]] = {name: [] for name in TABLE_ORDER}
    provenance: dict[str, dict[str, str | None]] = {name: {} for name in TABLE_ORDER}
    entities: dict[str, str] = {}
    links = []
    for n, item in enumerate(items.findall("ChartItem"), start=1):
        ident = str(item.get("Id") or f"item {n}")
        attrs = _item_attributes(item, class_names, where, ident)
        entity = item.find("End/Entity")
        link = item.find("Link")
        if entity is not None:
            kind = _entity_kind(entity, where, ident)
            value = entity.get("Identity")
            if not value:
                raise ValidationError(f"{where}: ChartItem {ident!r}: <Entity> has no Identity")
            entities[str(entity.get("EntityId") or "")] = f"{kind}:{value}"
            table = "people" if kind == "person" else "places"
            row = {"person_id" if kind == "person" else "place_id": value}
            row.update(_columns(attrs, table))
            rows[table].append(row)
            index[table].append(ident)
            provenance[table][ident] = attrs.get("Provenance")
            if kind == "person":
                for card in entity.findall("CardCollection/Card"):
                    row_id = f"{ident} card {len(index['relocations']) + 1}"
                    rows["relocations"].append(_relocation(card, value, where, ident))
                    index["relocations"].append(row_id)
                    provenance["relocations"][row_id] = card.get("SourceReference")
        elif link is not None:
            links.append((ident, item, link, attrs))
        else:
            raise ValidationError(
                f"{where}: ChartItem {ident!r} holds neither <End><Entity> nor <Link>"
            )
    for ident, item, link, attrs in links:
        table, row = _record(item, link, attrs, entities, sources, grades, where, ident)
        rows[table].append(row)
        index[table].append(ident)
        provenance[table][ident] = attrs.get("Provenance")
    frames = {
        name: pd.DataFrame(
            rows[name],
            index=pd.Index(index[name], name="ChartItem"),
            columns=None if rows[name] else list(TABLES[name].names),
            dtype=object,
        )
        for name in TABLE_ORDER
        if rows[name] or name in ("people", "places")
    }
    return frames, provenance, summary


def _item_attributes(
    item: ET.Element, class_names: dict[str, str], where: Path, ident: str
) -> dict[str, str]:
    out: dict[str, str] = {}
    for attribute in item.findall("AttributeCollection/Attribute"):
        ref = attribute.get("AttributeClassReference")
        name = class_names.get(str(ref)) if ref else attribute.get("AttributeClass")
        if name is None:
            raise ValidationError(
                f"{where}: ChartItem {ident!r}: <Attribute> AttributeClassReference={ref!r} "
                "names no AttributeClass of the chart"
            )
        out[str(name)] = str(attribute.get("Value", ""))
    return out


def _entity_kind(entity: ET.Element, where: Path, ident: str) -> str:
    style = entity.find("Icon/IconStyle")
    type_name = None if style is None else style.get("Type")
    for kind, name in ANX_ENTITY_TYPES.items():
        if type_name == name:
            return kind
    raise ValidationError(
        f"{where}: ChartItem {ident!r}: entity type (IconStyle Type) {type_name!r}; expected "
        f"{ANX_ENTITY_TYPES['person']!r} or {ANX_ENTITY_TYPES['place']!r}"
    )


def _columns(attrs: Mapping[str, str], table: str) -> dict[str, str]:
    return {
        column: attrs[name]
        for name, _, owner, column in _ATTRIBUTES
        if owner == table and column not in _DERIVED and name in attrs
    }


def _date(value: str | None, where: Path, ident: str, what: str) -> str:
    """Return the date part of an i2 date-time (``YYYY-MM-DDThh:mm:ss``)."""
    text = (value or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?", text):
        raise ValidationError(
            f"{where}: ChartItem {ident!r}: {what}={value!r} is not an i2 date-time "
            "(YYYY-MM-DDThh:mm:ss)"
        )
    return text[:10]


def _grade(item: ET.Element, attr: str, names: list[str], where: Path, ident: str) -> str:
    value = item.get(attr)
    if value is None or not value.isdigit() or int(value) >= len(names):
        raise ValidationError(
            f"{where}: ChartItem {ident!r}: {attr}={value!r} is not a position in the chart's "
            f"{'GradeOne' if attr == 'GradeOneIndex' else 'GradeTwo'} list (0 to {len(names) - 1})"
        )
    return names[int(value)]


def _record(
    item: ET.Element,
    link: ET.Element,
    attrs: Mapping[str, str],
    entities: Mapping[str, str],
    sources: list[str],
    grades: list[str],
    where: Path,
    ident: str,
) -> tuple[str, dict[str, Any]]:
    ends = []
    for side in ("End1Id", "End2Id"):
        value = link.get(side)
        if value not in entities:
            raise ValidationError(
                f"{where}: ChartItem {ident!r}: <Link> {side}={value!r} names no entity of "
                "the chart"
            )
        ends.append(entities[str(value)].split(":", 1))
    style = link.find("LinkStyle")
    kind = None if style is None else style.get("Type")
    date = _date(item.get("DateTime"), where, ident, "DateTime")
    graded = {
        "source": _grade(item, "GradeOneIndex", sources, where, ident),
        "reliability": _grade(item, "GradeTwoIndex", grades, where, ident),
    }
    (kind_a, a), (kind_b, b) = ends
    if kind == ANX_SIGHTING_LINK:
        if {kind_a, kind_b} != {"person", "place"}:
            raise ValidationError(
                f"{where}: ChartItem {ident!r}: a {ANX_SIGHTING_LINK!r} link joins a young "
                f"person and a place, not {kind_a} {a!r} and {kind_b} {b!r}"
            )
        person, place = (a, b) if kind_a == "person" else (b, a)
        row = {"person_id": person, "place_id": place, "date": date, **graded}
        row.update(_columns(attrs, "sightings"))
        return "sightings", row
    if kind not in TIE_KINDS:
        raise ValidationError(
            f"{where}: ChartItem {ident!r}: link type (LinkStyle Type) {kind!r}; expected a tie "
            f"kind ({', '.join(TIE_KINDS)}) or {ANX_SIGHTING_LINK!r}"
        )
    if kind_a != "person" or kind_b != "person":
        raise ValidationError(
            f"{where}: ChartItem {ident!r}: a {kind!r} tie joins two young people, not "
            f"{kind_a} {a!r} and {kind_b} {b!r}"
        )
    row = {"person_a": a, "person_b": b, "kind": kind, "first_seen": date, **graded}
    if "Last seen" in attrs:
        row["last_seen"] = _date(attrs["Last seen"], where, ident, "Last seen")
    return "ties", row


def _relocation(card: ET.Element, person: str, where: Path, ident: str) -> dict[str, Any]:
    summary = str(card.get("Summary", ""))
    text = str(card.get("Text", ""))
    if not summary.startswith("relocation: ") or text.count(_ARROW) != 1:
        raise ValidationError(
            f"{where}: ChartItem {ident!r}: <Card> Summary={summary!r} Text={text!r} is not a "
            f"relocation ('relocation: KIND', 'FROM{_ARROW}TO')"
        )
    origin, destination = text.split(_ARROW)
    return {
        "person_id": person,
        "from_authority": origin,
        "to_authority": destination,
        "date": _date(card.get("DateTime"), where, ident, "Card DateTime"),
        "kind": summary.removeprefix("relocation: "),
    }


def _relabel(exc: ValidationError, where: Path) -> ValidationError:
    """Return the same error naming the chart instead of in-memory frames."""
    message = str(exc)
    for name in TABLE_ORDER:
        message = message.replace(f"<{name} frame>", f"{where} [{name}]")
    report = exc.report
    if report is not None:
        report.problems = [
            dataclasses.replace(p, file=f"{where} [{p.table}]") if p.file.startswith("<") else p
            for p in report.problems
        ]
        report.files = {t: f"{where} [{t}]" for t in report.files}
    return type(exc)(message, report)
