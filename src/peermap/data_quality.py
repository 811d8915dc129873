"""Data-quality profile: the figures a partnership needs to agree minimum data standards.

Partnerships across a cluster of authorities say their data capture is flawed or
limited. :func:`quality` measures how, per table and per source agency (the ``source``
column of ties and sightings: police, social care, school, ...), and per partner
authority when the dataset was merged (the ``provenance`` column of
:func:`peermap.merging.merge`):

- **records** kept, and the share **unverified**: peer-mapping practice asks that no
  association is treated as fact, so a high share unverified is a capture problem;
- the share of each **optional field left empty** (sex and looked-after status of a
  young person, a place's label, a tie's last-seen date);
- **rows rejected** on reading, by the rule that rejected them (from ``ds.report``),
  and warnings by rule;
- **records reported by more than one partner** after a merge, and the attributes
  partners disagree about (``ds.meta["conflicts"]``);
- how **places were assigned** to authorities (``within``, ``on_boundary``,
  ``nearest``: moved onto the nearest authority, ``outside``: none);
- **dates out of order**: a tie last seen before it was first seen, a date in the
  future, a date that could not be read.

The profile holds counts of records, never values: no pseudonym, place id or cell of
a rejected row appears in it, so it can go to a data-standards group as it is.
:meth:`QualityProfile.to_markdown` and :meth:`QualityProfile.to_html` give the section
of a report.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.schema import SOURCES, TABLE_ORDER, TABLES, is_online, normalise_enum_value

__all__ = ["DATE_RULES", "NO_SOURCE", "OPTIONAL_FIELDS", "QualityProfile", "quality"]

#: Source shown for tables without a ``source`` column (people, places, relocations).
NO_SOURCE: Final = "all"
#: Source of a rejected row whose ``source`` cell is empty or not an agency.
UNKNOWN_SOURCE: Final = "(not given)"

#: Optional fields whose empty share is measured, per table. A place's coordinates are
#: not listed: a place must have one pair, and peermap fills in the other.
OPTIONAL_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "people": ("sex", "looked_after"),
    "places": ("label",),
    "ties": ("last_seen",),
    "sightings": (),
    "relocations": (),
}

#: Validation rules about dates, and how the profile names them.
DATE_RULES: Final[dict[str, str]] = {
    "date_order": "last seen before first seen",
    "future_date": "date in the future",
    "date_range": "date before 1900",
    "date": "date not readable",
}
_ASSIGNMENTS: Final = ("within", "on_boundary", "nearest", "outside")
_PROVENANCE: Final = "provenance"


def _share(part: Any, whole: Any) -> float:
    return float(part) / float(whole) if whole else float("nan")


def _codes(value: Any) -> list[str]:
    """Partner codes of a provenance value: ``"A;B"`` or a list of codes."""
    if value is None:
        return []
    if isinstance(value, str):
        return sorted({p.strip() for p in value.split(";") if p.strip()})
    if isinstance(value, Iterable):
        return sorted({str(p).strip() for p in value if str(p).strip()})
    return []


def _source_of(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return UNKNOWN_SOURCE
    canonical = normalise_enum_value(value, allowed=SOURCES)
    return canonical if canonical in SOURCES else UNKNOWN_SOURCE


def _rejected_sources(ds: Dataset, table: str) -> dict[Hashable, str]:
    """Source agency of each rejected row of a table, by row number."""
    frame = ds.report.rejected.get(table)
    if frame is None or not len(frame):
        return {}
    if "source" not in TABLES[table]:
        return {row: NO_SOURCE for row in frame.index}
    column = next((c for c in frame.columns if str(c).strip().lower() == "source"), None)
    if column is None:
        return {row: UNKNOWN_SOURCE for row in frame.index}
    return {row: _source_of(v) for row, v in zip(frame.index, frame[column], strict=True)}


@dataclass(frozen=True)
class QualityProfile:
    """How complete, reliable and consistent a dataset's records are.

    Shares are fractions (0-1; NaN where there is nothing to divide).

    Attributes
    ----------
    tables : pandas.DataFrame
        Per table: ``read`` (rows in the input), ``rejected`` (rows set aside),
        ``share_rejected``, ``records`` (rows in the dataset), ``unverified`` and
        ``share_unverified`` (ties and sightings), ``multi_partner`` and
        ``share_multi_partner`` (records reported by two or more partners; merged
        datasets only, else NaN).
    sources : pandas.DataFrame
        Per table and source agency (``source``; ``"all"`` for tables without one):
        ``records``, ``unverified``, ``share_unverified``, ``rejected`` (rows set
        aside whose source cell names the agency; ``"(not given)"`` when it is empty
        or unreadable) and ``share_rejected``.
    missing : pandas.DataFrame
        Per table, source agency and optional field (:data:`OPTIONAL_FIELDS`):
        ``records``, ``missing``, ``share_missing``.
    rejected : pandas.DataFrame
        Rows set aside, per ``table``, ``rule`` (the validation rule) and ``source``:
        ``rows``. A row rejected by two rules counts under each.
    warnings : pandas.DataFrame
        Warnings (rows kept), per ``table`` and ``rule``: ``problems``.
    dates : pandas.DataFrame
        Dates out of order, per ``table``, ``check`` (:data:`DATE_RULES`; records in
        the dataset whose last-seen date precedes the first-seen one count too) and
        ``source``: ``rows``.
    assignment : pandas.DataFrame
        Places per ``assignment`` outcome (``within``, ``on_boundary``, ``nearest``,
        ``outside``, ``online (no location)`` for online places, or ``not assigned``
        without boundaries): ``places``, ``share``;
        per ``partner`` too for a merged dataset.
    partners : pandas.DataFrame
        Merged datasets only (else empty): per table and ``partner`` (authority
        code): ``records`` reported by it, ``multi_partner`` (also reported by another
        partner), ``share_multi_partner``, ``unverified``, ``share_unverified``.
    conflicts : pandas.DataFrame
        Merged datasets only: per ``table`` and ``column``, ``records`` whose partners
        reported different values.
    merged : bool
        Whether the dataset carries a ``provenance`` column (it was merged).
    """

    tables: pd.DataFrame
    sources: pd.DataFrame
    missing: pd.DataFrame
    rejected: pd.DataFrame
    warnings: pd.DataFrame
    dates: pd.DataFrame
    assignment: pd.DataFrame
    partners: pd.DataFrame
    conflicts: pd.DataFrame
    merged: bool

    def sections(self) -> list[tuple[str, str, pd.DataFrame]]:
        """Return the report sections: (title, what it shows, table formatted to show)."""
        out = [
            (
                "Records per table",
                "Rows read, set aside on reading and kept; the share unverified of "
                "ties and sightings"
                + ("; records reported by more than one partner." if self.merged else "."),
                _formatted(self.tables),
            ),
            (
                "Per source agency",
                "Records, share unverified and rows set aside per agency that gave them.",
                _formatted(self.sources),
            ),
            (
                "Optional fields left empty",
                "Share of records with the field empty, per agency.",
                _formatted(self.missing),
            ),
            (
                "Rows set aside, by rule",
                "Rows rejected on reading, by the validation rule (a row may break two).",
                _formatted(self.rejected),
            ),
            (
                "Warnings, by rule",
                "Problems found in rows that were kept.",
                _formatted(self.warnings),
            ),
            (
                "Dates out of order",
                "Ties last seen before first seen, dates in the future, unreadable dates.",
                _formatted(self.dates),
            ),
            (
                "Places assigned to authorities",
                "within: inside an authority; on_boundary: on a border; nearest: outside "
                "every authority but within the tolerance, given to the nearest; outside: "
                "none.",
                _formatted(self.assignment),
            ),
        ]
        if self.merged:
            out.append(
                (
                    "Per partner",
                    "Records each partner reported, and how many another partner reported too.",
                    _formatted(self.partners),
                )
            )
            out.append(
                (
                    "Disagreements between partners",
                    "Records whose partners reported different values, per column.",
                    _formatted(self.conflicts),
                )
            )
        return out

    def to_markdown(self, *, level: int = 2) -> str:
        """Return the profile as a Markdown report section.

        Parameters
        ----------
        level : int, default 2
            Heading level of the section (its parts are one level below).

        Returns
        -------
        str
            Headings, one sentence each and pipe tables.
        """
        hashes = "#" * level
        parts = [f"{hashes} Data quality", ""]
        for title, note, table in self.sections():
            parts += [f"{hashes}# {title}", "", note, "", _markdown_table(table), ""]
        return "\n".join(parts)

    def to_html(self, *, level: int = 2) -> str:
        """Return the profile as an HTML fragment (a ``<section>``) for a report.

        Parameters
        ----------
        level : int, default 2
            Heading level of the section (its parts are one level below).

        Returns
        -------
        str
            Escaped HTML: headings, a sentence each and tables.
        """
        h, h2 = f"h{level}", f"h{min(level + 1, 6)}"
        parts = [f'<section class="pm-quality"><{h}>Data quality</{h}>']
        for title, note, table in self.sections():
            parts.append(f"<{h2}>{html.escape(title)}</{h2}><p>{html.escape(note)}</p>")
            if table.empty:
                parts.append("<p><em>none</em></p>")
            else:
                parts.append(table.to_html(index=False, escape=True, border=0, na_rep=""))
        parts.append("</section>")
        return "\n".join(parts)

    def __str__(self) -> str:
        parts = ["Data quality"]
        for title, _, table in self.sections():
            parts += ["", title, "-" * len(title)]
            parts.append("none" if table.empty else table.to_string(index=False))
        return "\n".join(parts)


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a table to show: shares as percentages, NaN empty, headers with spaces."""
    out = frame.copy().astype(object)
    for col in frame.columns:
        if str(col).startswith("share"):
            out[col] = ["" if pd.isna(v) else f"{100 * float(v):.1f}%" for v in frame[col].tolist()]
        else:
            out[col] = ["" if _na(v) else v for v in frame[col].tolist()]
    out.columns = pd.Index([str(c).replace("_", " ") for c in frame.columns])
    return out


def _na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "*none*"

    def cell(v: Any) -> str:
        return str(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


# --------------------------------------------------------------------------- profile


_COUNTS: Final = ("unverified", "multi_partner")


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Return a frame of the rows; counts that may not apply as nullable integers."""
    frame = pd.DataFrame(rows, columns=columns)
    for col in _COUNTS:
        if col in frame:
            frame[col] = pd.array(
                [None if _na(v) else int(v) for v in frame[col].tolist()], dtype="Int64"
            )
    return frame


def quality(ds: Dataset) -> QualityProfile:
    """Profile the quality of a dataset's records.

    Parameters
    ----------
    ds : Dataset
        A dataset, best read with ``strict=False`` (so that ``ds.report`` holds the
        rows set aside) and with boundaries (so that places are assigned). A merged
        dataset (:func:`peermap.merging.merge`) is profiled per partner too.

    Returns
    -------
    QualityProfile
        The figures, as frames, with :meth:`~QualityProfile.to_markdown`,
        :meth:`~QualityProfile.to_html` and a plain-text ``str``.
    """
    if not isinstance(ds, Dataset):
        raise ArgumentError(f"quality needs a peermap.Dataset, got {type(ds).__name__}")
    report = ds.report
    merged = any(_PROVENANCE in ds.table(name).columns for name in TABLE_ORDER)
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity == "warning"]
    rejected_src = {name: _rejected_sources(ds, name) for name in TABLE_ORDER}

    # Records per table.
    table_rows = []
    for name in TABLE_ORDER:
        frame = ds.table(name)
        counts = report.counts.get(name, {})
        n_rejected = len(report.rejected.get(name, ()))
        read = int(counts.get("read", len(frame) + n_rejected))
        unverified: float = float("nan")
        if "reliability" in frame:
            unverified = int((frame["reliability"].astype(str) == "unverified").sum())
        multi: float = float("nan")
        if _PROVENANCE in frame:
            multi = int(sum(len(_codes(v)) > 1 for v in frame[_PROVENANCE]))
        table_rows.append(
            {
                "table": name,
                "read": read,
                "rejected": n_rejected,
                "share_rejected": _share(n_rejected, read),
                "records": len(frame),
                "unverified": unverified,
                "share_unverified": _share(unverified, len(frame))
                if "reliability" in frame
                else float("nan"),
                "multi_partner": multi,
                "share_multi_partner": _share(multi, len(frame))
                if _PROVENANCE in frame
                else float("nan"),
            }
        )
    tables = _frame(table_rows, list(table_rows[0]))
    if not merged:
        tables = tables.drop(columns=["multi_partner", "share_multi_partner"])

    # Per source agency, and optional fields left empty.
    source_rows: list[dict[str, Any]] = []
    missing_rows: list[dict[str, Any]] = []
    for name in TABLE_ORDER:
        frame = ds.table(name)
        has_source = "source" in TABLES[name]
        src = (
            frame["source"].astype(object).map(_source_of)
            if has_source and len(frame)
            else pd.Series(NO_SOURCE, index=frame.index, dtype=object)
        )
        rej = pd.Series(list(rejected_src[name].values()), dtype=object).value_counts()
        agencies = sorted(set(src) | set(rej.index), key=_source_order)
        for agency in agencies:
            mask = (src == agency).to_numpy(dtype=bool)
            part = frame[mask]
            n = len(part)
            unv: float = float("nan")
            if "reliability" in frame:
                unv = int((part["reliability"].astype(str) == "unverified").sum())
            n_rej = int(rej.get(agency, 0))
            source_rows.append(
                {
                    "table": name,
                    "source": agency,
                    "records": n,
                    "unverified": unv,
                    "share_unverified": _share(unv, n) if "reliability" in frame else float("nan"),
                    "rejected": n_rej,
                    "share_rejected": _share(n_rej, n + n_rej),
                }
            )
            for column in OPTIONAL_FIELDS[name]:
                if not n:
                    continue
                empty = int(part[column].isna().sum()) if column in part else n
                missing_rows.append(
                    {
                        "table": name,
                        "source": agency,
                        "column": column,
                        "records": n,
                        "missing": empty,
                        "share_missing": _share(empty, n),
                    }
                )
    sources = _frame(
        source_rows,
        [
            "table",
            "source",
            "records",
            "unverified",
            "share_unverified",
            "rejected",
            "share_rejected",
        ],
    )
    missing = _frame(
        missing_rows, ["table", "source", "column", "records", "missing", "share_missing"]
    )

    # Rows set aside by rule, and warnings.
    seen: dict[tuple[str, str, str], set[Hashable]] = {}
    for p in errors:
        if p.row is None:
            continue
        source = rejected_src.get(p.table, {}).get(p.row, UNKNOWN_SOURCE)
        seen.setdefault((p.table, p.rule, source), set()).add(p.row)
    rejected = _frame(
        [
            {"table": t, "rule": r, "source": s, "rows": len(rows)}
            for (t, r, s), rows in seen.items()
        ],
        ["table", "rule", "source", "rows"],
    )
    rejected = _sorted(rejected, ["table", "rule", "source"])
    table_level = [p for p in errors if p.row is None]
    if table_level:
        extra = _frame(
            [
                {"table": p.table, "rule": p.rule, "source": "(whole table)", "rows": 0}
                for p in table_level
            ],
            ["table", "rule", "source", "rows"],
        ).drop_duplicates()
        rejected = pd.concat([rejected, extra], ignore_index=True)
    warn_counts: dict[tuple[str, str], int] = {}
    for p in warnings:
        key = (p.table, p.rule)
        warn_counts[key] = warn_counts.get(key, 0) + 1
    warnings_frame = _sorted(
        _frame(
            [{"table": t, "rule": r, "problems": n} for (t, r), n in warn_counts.items()],
            ["table", "rule", "problems"],
        ),
        ["table", "rule"],
    )

    # Dates out of order.
    date_rows = [
        {"table": t, "check": DATE_RULES[r], "source": s, "rows": len(rows)}
        for (t, r, s), rows in seen.items()
        if r in DATE_RULES
    ]
    ties = ds.ties
    if len(ties):
        backwards = ties["last_seen"].notna() & (ties["last_seen"] < ties["first_seen"])
        if backwards.any():
            for agency, n in ties.loc[backwards, "source"].map(_source_of).value_counts().items():
                date_rows.append(
                    {
                        "table": "ties",
                        "check": DATE_RULES["date_order"] + " (kept)",
                        "source": str(agency),
                        "rows": int(n),
                    }
                )
    dates = _sorted(
        _frame(date_rows, ["table", "check", "source", "rows"]), ["table", "check", "source"]
    )

    # Places assigned to authorities.
    places = ds.places
    assignment = _assignment(places, merged)

    # Partners.
    partner_rows: list[dict[str, Any]] = []
    if merged:
        for name in TABLE_ORDER:
            frame = ds.table(name)
            if _PROVENANCE not in frame or not len(frame):
                continue
            codes = [_codes(v) for v in frame[_PROVENANCE]]
            unverified_mask = (
                (frame["reliability"].astype(str) == "unverified").to_list()
                if "reliability" in frame
                else [False] * len(frame)
            )
            for partner in sorted({c for cs in codes for c in cs}):
                mine = [partner in cs for cs in codes]
                n = sum(mine)
                multi = sum(1 for m, cs in zip(mine, codes, strict=True) if m and len(cs) > 1)
                unv = sum(1 for m, u in zip(mine, unverified_mask, strict=True) if m and u)
                partner_rows.append(
                    {
                        "table": name,
                        "partner": partner,
                        "records": n,
                        "multi_partner": multi,
                        "share_multi_partner": _share(multi, n),
                        "unverified": unv if "reliability" in frame else float("nan"),
                        "share_unverified": _share(unv, n)
                        if "reliability" in frame
                        else float("nan"),
                    }
                )
    partners = _frame(
        partner_rows,
        [
            "table",
            "partner",
            "records",
            "multi_partner",
            "share_multi_partner",
            "unverified",
            "share_unverified",
        ],
    )
    conflicts = _conflicts(ds)
    return QualityProfile(
        tables=tables,
        sources=sources,
        missing=missing,
        rejected=rejected,
        warnings=warnings_frame,
        dates=dates,
        assignment=assignment,
        partners=partners,
        conflicts=conflicts,
        merged=merged,
    )


def _source_order(source: str) -> tuple[int, str]:
    if source in SOURCES:
        return (SOURCES.index(source), source)
    return (len(SOURCES) + (source != NO_SOURCE), source)


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame.reset_index(drop=True)
    order = frame["table"].map({t: i for i, t in enumerate(TABLE_ORDER)})
    return (
        frame.assign(_order=order)
        .sort_values(["_order", *by[1:]], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _assignment(places: pd.DataFrame, merged: bool) -> pd.DataFrame:
    values = (
        places["assignment"].astype(object).where(places["assignment"].notna(), "not assigned")
        if "assignment" in places
        else pd.Series("not assigned", index=places.index, dtype=object)
    )
    if "kind" in places:  # schema 1.1: an online place has no location to assign
        values = values.where(~is_online(places["kind"]), "online (no location)")
    groups: list[tuple[str, pd.Series]] = [("all", values)]
    if merged and _PROVENANCE in places:
        codes = [_codes(v) for v in places[_PROVENANCE]]
        for partner in sorted({c for cs in codes for c in cs}):
            mask = [partner in cs for cs in codes]
            groups.append((partner, values[mask]))
    rows = []
    for partner, vals in groups:
        extra = [o for o in ("online (no location)", "not assigned") if (vals == o).any()]
        outcomes = list(_ASSIGNMENTS) + extra
        for outcome in outcomes:
            n = int((vals == outcome).sum())
            row: dict[str, Any] = {"partner": partner} if merged else {}
            row.update({"assignment": outcome, "places": n, "share": _share(n, len(vals))})
            rows.append(row)
    columns = (["partner"] if merged else []) + ["assignment", "places", "share"]
    return _frame(rows, columns)


def _conflicts(ds: Dataset) -> pd.DataFrame:
    found = ds.meta.get("conflicts")
    columns = ["table", "column", "records"]
    if not isinstance(found, pd.DataFrame) or found.empty:
        return _frame([], columns)
    counts = found.groupby(["table", "column"], sort=True)["id"].nunique().reset_index()
    counts.columns = pd.Index(columns)
    return _sorted(counts, columns)
