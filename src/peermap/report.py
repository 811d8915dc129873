"""A summary report of a dataset for the partnership meeting: HTML or Markdown.

:func:`write_report` (and ``peermap report`` on the command line) writes one file
holding the contexts that span authorities, the leading hotspot venues, the flows of
young people between authorities, the relocations each authority received and, in an
HTML report, the map itself. The HTML page is self-contained: its styles are inline
and the embedded map inlines Leaflet (see :mod:`peermap.maps`), so it opens with no
network. A Markdown report links to a map written beside it.

Audiences follow the maps:

- ``"public"`` (the default): aggregates only. Every count of young people or of
  records (sightings, ties, relocations) goes through the small-count rule of
  :mod:`peermap.disclosure` (under ``min_count`` shown as ``c``, the rest rounded to
  ``round_to``); shares are shown only when both the part and the rest reach
  ``min_count``; contexts, venues and flows under ``min_count`` young people are not
  listed (the report says how many were left out); private homes (``residential``
  places) never appear; no young person is named and no place id or label is shown.
  Contexts and venues are listed in the order of their concern score
  (:mod:`peermap.ranking`), but the reasons, the score and its q-value are not shown:
  they rest on exact counts.
- ``"partnership"``: exact counts, place ids and labels, the data-quality figures and,
  for every context and venue, why it ranks where it does (the reasons in words, the
  concern score and its q-value), under a banner saying the file must not leave the
  partnership. Young people are still not listed by pseudonym: a summary does not need
  them.

Counts of contexts, venues and authorities describe places and groups, not young
people, and are shown as they are.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import pandas as pd

from peermap._io import write_text_atomic
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience, SuppressionRule, ViewAudience
from peermap.networks import DateLike, data_period

__all__ = ["AUDIENCES", "FORMATS", "build_report", "report_format", "write_report"]

Format = Literal["html", "markdown"]

#: Who a report is for (see :class:`peermap.disclosure.Audience`).
AUDIENCES: tuple[str, ...] = VIEW_AUDIENCES
#: File suffix -> report format.
FORMATS: dict[str, Format] = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}


Step = Callable[[str], None]


def report_format(path: str | os.PathLike[str]) -> Format:
    """Return the report format a file name asks for.

    Parameters
    ----------
    path : str or path-like
        The report file: ``.html`` (or ``.htm``) or ``.md`` (or ``.markdown``).

    Returns
    -------
    {"html", "markdown"}
        The format.

    Raises
    ------
    ValueError
        For any other suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: a report is written as .html (self-contained page) or .md (Markdown); "
            f"the file name ends in {suffix or 'nothing'}"
        )
    return FORMATS[suffix]


# --------------------------------------------------------------------------- content


@dataclass
class _Table:
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    #: Column holding sentences (the reasons): drawn wide enough to read, in HTML.
    prose: int | None = None
    #: Columns holding lists of names (authorities), kept from squeezing, in HTML.
    names: tuple[int, ...] = ()


@dataclass
class _Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: _Table | None = None
    notes: list[str] = field(default_factory=list)
    html: str = ""
    markdown: str = ""
    link: tuple[str, str] | None = None
    own_heading: bool = False


@dataclass
class _Context:
    ds: Dataset
    audience: Audience
    names: dict[str, str]
    filters: dict[str, Any]
    top: int

    @property
    def rule(self) -> SuppressionRule | None:
        return self.audience.rule

    @property
    def public(self) -> bool:
        return not self.audience.exact

    def count(self, value: Any) -> str:
        """Show a count of young people or records as this audience may see it."""
        shown = self.audience.count(value)
        return f"{shown:,}" if isinstance(shown, int) else shown

    def share(self, part: Any, whole: Any) -> str:
        """Show a share in percent as this audience may see it."""
        shown = self.audience.share(part, whole)
        return f"{shown}%" if isinstance(shown, int | float) else str(shown)

    def listed(self, people: Any) -> bool:
        """Whether a row about this many young people may be listed."""
        return self.audience.listed(people)

    def name(self, code: Any) -> str:
        if code is None or (isinstance(code, float) and pd.isna(code)):
            return "(outside every authority)"
        return self.names.get(str(code), str(code))


#: Header of the column that puts a context's or venue's concern score in words.
WHY = "Why it ranks here"


def _q(value: Any) -> str:
    """Show a q-value (false discovery rate) in a table cell."""
    if value is None or pd.isna(value):
        return "z"
    q = float(value)
    return "<0.001" if q < 0.001 else f"{q:.2g}"


def _concern(value: Any) -> str:
    """Show a concern score in a table cell."""
    return "z" if value is None or pd.isna(value) else f"{float(value):.1f}"


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _date(value: Any, *, month: bool = False) -> str:
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return f"{stamp:%Y-%m}" if month else f"{stamp:%Y-%m-%d}"


def _span(first: Any, last: Any, *, month: bool) -> str:
    a, b = _date(first, month=month), _date(last, month=month)
    if not a:
        return ""
    return a if a == b else f"{a} to {b}"


def _period(ds: Dataset) -> tuple[Any, Any]:
    return data_period(ds)


def _filters_text(filters: dict[str, Any]) -> str:
    parts = []
    if filters.get("since") is not None or filters.get("until") is not None:
        since = _date(filters.get("since")) or "the start"
        until = _date(filters.get("until")) or "the end"
        parts.append(f"records dated from {since} to {until}")
    grade = filters.get("min_reliability", "unverified")
    if grade == "unverified":
        parts.append("ties and sightings of every reliability grade (unverified included)")
    else:
        parts.append(f"ties and sightings graded {grade} or better")
    return "; ".join(parts)


def _overview(c: _Context) -> _Section:
    ds = c.ds
    counts = ds.counts
    first, last = _period(ds)
    section = _Section("Overview")
    rows = [
        ["young people", c.count(counts["people"])],
        ["places", f"{counts['places']:,}"],
        ["ties", c.count(counts["ties"])],
        ["sightings", c.count(counts["sightings"])],
        ["relocations", c.count(counts["relocations"])],
    ]
    if ds.boundaries is not None:
        rows.append(["authorities in the boundaries", f"{len(ds.boundaries):,}"])
    homes = ds.people["home_authority"].nunique()
    rows.append(["home authorities of the young people", f"{homes:,}"])
    section.table = _Table(["", "count"], rows, [False, True])
    if first is not None:
        section.paragraphs.append(f"Data period: {_date(first)} to {_date(last)}.")
    section.paragraphs.append(f"Findings rest on {_filters_text(c.filters)}.")
    if ds.boundaries is None:
        section.notes.append(
            "Read without boundaries: authorities are shown as recorded and places are not "
            "assigned to authorities, so flows into places and reach cannot be given."
        )
    return section


def _contexts(c: _Context) -> _Section:
    from peermap.analysis import contexts

    table = contexts(c.ds, **c.filters)
    spanning = table[table["spans_authorities"].astype(bool)]
    distant = spanning[spanning["reach"] == "distant"]
    section = _Section("Contexts spanning authorities")
    section.paragraphs.append(
        f"{len(table):,} contexts (connected groups of young people and the places they share) "
        f"were found; {len(spanning):,} span more than one authority, {len(distant):,} of them "
        "with a link between authorities that do not border each other (a county-lines "
        "pattern). They are listed most concerning first: by the harm recorded about their "
        "young people beyond what their activity would bring, weighted by how serious and how "
        "reliable the records are, with their exploiter ties, and by how far they reach "
        "across authorities."
    )
    if not c.public:
        section.paragraphs.append(_WHY_TEXT)
    keep = [c.listed(n) for n in spanning["n_people"]]
    listed = spanning[pd.Series(keep, index=spanning.index, dtype=bool)]
    left_out = len(spanning) - len(listed)
    shown = listed.head(c.top)
    rows: list[list[str]] = []
    for i, row in enumerate(shown.to_dict("records"), start=1):
        authorities = ", ".join(c.name(a) for a in row["authorities"])
        if c.public:
            # The reasons, the score and its q-value rest on exact counts: not shown.
            rows.append(
                [
                    str(i),
                    authorities,
                    str(row["reach"]),
                    c.count(row["n_people"]),
                    f"{row['n_places']:,}",
                    c.count(row["serious"]),
                    _span(row["first_date"], row["last_date"], month=True),
                ]
            )
        else:
            rows.append(
                [
                    str(row["context_id"]),
                    str(row["reasons"]),
                    _concern(row["concern"]),
                    _q(row["q_value"]),
                    authorities,
                    str(row["reach"]),
                    c.count(row["n_people"]),
                    f"{row['n_places']:,}",
                    c.count(row["n_ties"]),
                    c.count(row["exploiter_ties"]),
                    c.count(row["serious"]),
                    c.count(row["n_relocated"]),
                    _span(row["first_date"], row["last_date"], month=False),
                ]
            )
    if c.public:
        columns = ["#", "authorities", "reach", "young people", "places", "serious", "active"]
        numeric = [True, False, False, True, True, True, False]
    else:
        columns = [
            "context",
            WHY,
            "concern",
            "q-value",
            "authorities",
            "reach",
            "young people",
            "places",
            "ties",
            "exploiter ties",
            "serious",
            "relocated",
            "active",
        ]
        numeric = [True, False, True, True, False, False, True, True, True, True, True, True, False]
    if rows:
        if c.public:
            section.table = _Table(columns, rows, numeric)
        else:
            section.table = _Table(columns, rows, numeric, prose=1, names=(4,))
    if len(listed) > len(shown):
        section.notes.append(
            f"The {len(shown)} most concerning are listed; {len(listed):,} qualify."
        )
    if left_out:
        section.notes.append(
            f"Not listed: {_n(left_out, 'context')} spanning authorities with fewer than "
            f"{c.rule.min_count if c.rule else 0} young people."
        )
    section.notes.append(
        "'serious' counts sightings of child sexual or criminal exploitation, serious youth "
        "violence and harmful sexual behaviour, plus exploiter ties. A context is only as "
        "complete as the records: treat it as a lead for a peer-group or location "
        "assessment, not as fact."
    )
    return section


def _hotspots(c: _Context) -> _Section:
    from peermap.analysis import hotspots

    table = hotspots(c.ds, **c.filters)
    table = table[table["people"] > 0]
    section = _Section("Hotspot venues")
    section.paragraphs.append(
        f"{len(table):,} venues have sightings. They are listed most concerning first: by the "
        "harm recorded there, weighted by how serious and how reliable the records are, "
        "beyond what is usual for a place of its kind this busy, weighed by how far the young "
        "people harmed there come from and how many of them are in exploiter ties. A busy "
        "place is not a hotspot for being busy."
    )
    if not c.public:
        section.paragraphs.append(_WHY_TEXT)
    private = table["kind"].isin(c.audience.hidden_place_kinds)
    small = pd.Series([not c.listed(n) for n in table["people"]], index=table.index, dtype=bool)
    listed = table[~private & ~small]
    shown = listed.head(c.top)
    has_auth = "authority_code" in shown
    rows: list[list[str]] = []
    for i, row in enumerate(shown.to_dict("records"), start=1):
        people = int(row["people"])
        share = row["outside_share"]
        outside = None if pd.isna(share) else round(float(share) * people)
        where = c.name(row["authority_code"]) if has_auth else ""
        kind = str(row["kind"]).replace("_", " ")
        if c.public:
            # The reasons, the score and its q-value rest on exact counts: not shown.
            rows.append(
                [
                    str(i),
                    kind,
                    where,
                    c.count(people),
                    f"{int(row['home_authorities']):,}",
                    c.share(outside, people) if outside is not None else "z",
                    c.count(row["serious"]),
                ]
            )
        else:
            label = row.get("label")
            place = str(row["place_id"])
            if label is not None and not pd.isna(label) and str(label).strip():
                place += f" ({str(label).strip()})"
            rows.append(
                [
                    str(i),
                    str(row["reasons"]),
                    _concern(row["concern"]),
                    _q(row["q_value"]),
                    place,
                    kind,
                    where,
                    c.count(people),
                    c.count(row["sightings"]),
                    f"{int(row['home_authorities']):,}",
                    c.share(outside, people) if outside is not None else "z",
                    c.count(row["serious"]),
                    f"{float(row['betweenness']):.3f}",
                ]
            )
    if c.public:
        columns = [
            "#",
            "kind",
            "authority",
            "young people",
            "home authorities",
            "from other authorities",
            "serious sightings",
        ]
        numeric = [True, False, False, True, True, True, True]
    else:
        columns = [
            "#",
            WHY,
            "concern",
            "q-value",
            "place (label)",
            "kind",
            "authority",
            "young people",
            "sightings",
            "home authorities",
            "from other authorities",
            "serious sightings",
            "betweenness",
        ]
        numeric = [True, False, True, True, False, False, False]
        numeric += [True, True, True, True, True, True]
    if rows:
        section.table = _Table(columns, rows, numeric, prose=None if c.public else 1)
    if c.public:
        n_private = int(private.sum())
        n_small = int((small & ~private).sum())
        if n_private:
            section.notes.append(
                f"Not listed: {_n(n_private, 'private home')} (residential places)."
            )
        if n_small:
            section.notes.append(
                f"Not listed: {_n(n_small, 'venue')} with fewer than "
                f"{c.rule.min_count if c.rule else 0} young people."
            )
    return section


_WHY_TEXT = (
    f"'{WHY}' puts the concern score in words: the young people, how far they reach, the "
    "kinds of harm that stand out and how far above the expected rate, with its q-value "
    "(the false discovery rate across all that were scored: under 0.05, unlikely to be "
    "chance). The concern score orders the list; it has no unit."
)


def _reach_of(c: _Context) -> Callable[[Any, Any], str]:
    if c.ds.region is None:
        return lambda a, b: ""
    graph = c.ds.region.neighbour_graph()

    def reach(a: Any, b: Any) -> str:
        if a is None or b is None or pd.isna(a) or pd.isna(b):
            return ""
        return "neighbours" if graph.has_edge(a, b) else "distant"

    return reach


def _flows(c: _Context) -> _Section:
    from peermap.analysis import flows

    section = _Section("Flows between authorities")
    section.paragraphs.append(
        "Young people seen at places in an authority other than their home authority: "
        "home authority to the authority of the place, by distinct young people."
    )
    if "authority_code" not in c.ds.places:
        section.notes.append("Not available: places are not assigned to authorities.")
        return section
    table = flows(c.ds, kind="sightings", **c.filters)
    if table.empty:
        section.notes.append("No sightings to count.")
        return section
    cross = table[~table["within"].astype(bool) & table["destination"].notna()]
    if cross.empty:
        section.notes.append("Every young person was seen only in their home authority.")
        return section
    reach = _reach_of(c)
    listed = cross[pd.Series([c.listed(n) for n in cross["people"]], index=cross.index, dtype=bool)]
    shown = listed.head(c.top)
    rows = [
        [
            c.name(row["origin"]),
            c.name(row["destination"]),
            reach(row["origin"], row["destination"]),
            c.count(row["people"]),
            c.count(row["events"]),
        ]
        for row in shown.to_dict("records")
    ]
    if rows:
        section.table = _Table(
            ["home authority", "seen in", "reach", "young people", "sightings"],
            rows,
            [False, False, False, True, True],
        )
    if len(listed) > len(shown):
        section.notes.append(f"The {len(shown)} largest are listed; {len(listed):,} qualify.")
    left_out = len(cross) - len(listed)
    if left_out:
        section.notes.append(
            f"Not listed: {_n(left_out, 'flow')} of fewer than "
            f"{c.rule.min_count if c.rule else 0} young people."
        )
    return section


def _relocations(c: _Context) -> _Section:
    from peermap.relocations import relocations_received

    table = relocations_received(c.ds)
    section = _Section("Relocations received")
    section.paragraphs.append(
        "Young people relocated into each authority (care placements, housing, education, "
        "secure and family moves) and what followed the move in the receiving authority: new "
        "ties with young people homed there, and places there where they were seen. Host "
        "authorities must be notified of placements into their area."
    )
    if table.empty:
        section.notes.append("The dataset records no relocations.")
        return section
    rows: list[list[str]] = []
    for row in table.to_dict("records"):
        line = [
            c.name(row["authority"]),
            c.count(row["received"]),
            c.count(row["relocations"]),
            c.count(row["ties_after"]),
            c.count(row["places_after"]),
        ]
        if not c.public:
            line.append(", ".join(c.name(a) for a in row["from_authorities"]))
            line.append(", ".join(str(x).replace("_", " ") for x in row["contexts_joined"]))
        rows.append(line)
    columns = ["authority", "young people received", "relocations", "new ties", "places seen"]
    numeric = [False, True, True, True, True]
    if not c.public:
        columns += ["from", "contexts joined"]
        numeric += [False, False]
    section.table = _Table(columns, rows, numeric)
    if c.public:
        section.notes.append(
            "Where young people came from and the abuse contexts they were seen in afterwards "
            "are in the partnership report only."
        )
    return section


def _quality(c: _Context) -> _Section | None:
    """Build the data-quality section (partnership reports only)."""
    if c.public:
        return None
    report = c.ds.report
    section = _Section("Data quality")
    section.paragraphs.append(
        f"Validation: {len(report.errors):,} error(s), {len(report.warnings):,} warning(s), "
        f"{report.n_rejected:,} row(s) set aside when the data was read."
    )
    if importlib.util.find_spec("peermap.data_quality") is not None:
        from peermap.data_quality import quality

        profile = quality(c.ds)
        section.html = str(profile.to_html(level=2))
        section.markdown = str(profile.to_markdown(level=2))
        section.own_heading = True
    return section


def _map_section(map_html: str | None, map_link: str | None, public: bool) -> _Section:
    section = _Section("Map")
    if map_html is not None:
        srcdoc = html.escape(map_html, quote=True)
        section.html = (
            f'<iframe class="map" title="Map" sandbox="allow-scripts" srcdoc="{srcdoc}"></iframe>'
        )
    if map_link is not None:
        text = "Open the map" + (" (public: aggregates only)" if public else "")
        section.link = (map_link, text)
    if map_html is None and map_link is None:
        section.notes.append("No map with this report.")
    return section


# --------------------------------------------------------------------------- rendering

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem auto;
max-width:82rem;padding:0 1rem;color:#222;line-height:1.45}p{max-width:68rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ccc;padding-bottom:.2rem}
.banner{padding:.6rem .8rem;border-radius:4px;font-weight:600;margin:1rem 0}
.public{background:#eef3fb;border:1px solid #9ab}.partnership{background:#fde8e8;
border:1px solid #c33;color:#811}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}table.ranked{font-size:.85rem}.ranked th,.ranked td{padding:.2rem .35rem}
td.why{min-width:18rem;max-width:26rem}td.names{min-width:8rem}.nw{white-space:nowrap}
.note{color:#555;font-size:.85rem;margin:.2rem 0}
iframe.map{width:100%;height:640px;border:1px solid #ccc}
footer{margin-top:2rem;color:#555;font-size:.8rem;border-top:1px solid #ccc;padding-top:.5rem}
"""


def _link_html(link: tuple[str, str]) -> str:
    href, label = link
    return f'<p><a href="{html.escape(quote(href), quote=True)}">{html.escape(label)}</a></p>'


def _link_md(link: tuple[str, str]) -> str:
    href, label = link
    return f"[{label}]({quote(href)})"


#: Phrases of the reasons a line must not break inside ("q < 0.001").
_UNBROKEN = ("q < ", "q = ")


#: Words a line must not break inside at their hyphens: dates, place references.
_HYPHENATED = re.compile(r"[^\s&;]+-[^\s&;]+")


def _cell_html(text: str) -> str:
    return _HYPHENATED.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', html.escape(text))


def _prose_html(text: str) -> str:
    escaped = html.escape(text)
    for phrase in _UNBROKEN:
        glued = html.escape(phrase.strip()).replace(" ", "&nbsp;")
        escaped = escaped.replace(html.escape(phrase), glued + "&nbsp;")
    return escaped


def _table_html(table: _Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    opens = []
    for i, num in enumerate(table.numeric):
        if i == table.prose:
            opens.append('<td class="why">')
        elif i in table.names:
            opens.append('<td class="names">')
        else:
            opens.append('<td class="n">' if num else "<td>")
    body = []
    for row in table.rows:
        cells = "".join(
            f"{td}{_prose_html(v) if i == table.prose else _cell_html(v)}</td>"
            for i, (v, td) in enumerate(zip(row, opens, strict=True))
        )
        body.append(f"<tr>{cells}</tr>")
    inner = f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if table.prose is None:
        return f"<table>{inner}"
    return f'<div class="scroll"><table class="ranked">{inner}</div>'


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table_md(table: _Table) -> str:
    head = "| " + " | ".join(_md_cell(c) or " " for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if n else "---" for n in table.numeric) + "|"
    rows = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.rows]
    return "\n".join([head, rule, *rows])


@dataclass
class _Document:
    title: str
    banner: str
    audience: str
    sections: list[_Section]
    footer: list[str]


def _render_html(doc: _Document) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(doc.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(doc.title)}</h1>",
        f'<div class="banner {doc.audience}">{html.escape(doc.banner)}</div>',
    ]
    for section in doc.sections:
        if section.own_heading:
            parts.append(section.html)
        else:
            parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in section.paragraphs)
        if section.link is not None:
            parts.append(_link_html(section.link))
        if section.table is not None:
            parts.append(_table_html(section.table))
        if section.html and not section.own_heading:
            parts.append(section.html)
        parts.extend(f'<p class="note">{html.escape(n)}</p>' for n in section.notes)
    parts.append("<footer>" + "<br>".join(html.escape(f) for f in doc.footer) + "</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _render_markdown(doc: _Document) -> str:
    parts = [f"# {doc.title}", "", f"> **{doc.banner}**", ""]
    for section in doc.sections:
        if section.own_heading:
            parts += [section.markdown.rstrip(), ""]
        else:
            parts += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            parts += [paragraph, ""]
        if section.link is not None:
            parts += [_link_md(section.link), ""]
        if section.table is not None:
            parts += [_table_md(section.table), ""]
        if section.markdown and not section.own_heading:
            parts += [section.markdown.rstrip(), ""]
        for note in section.notes:
            parts += [f"*{note}*", ""]
    parts += ["---", ""]
    parts += [f"{line}  " for line in doc.footer]
    return "\n".join(parts).rstrip() + "\n"


# --------------------------------------------------------------------------- public API


def build_report(
    ds: Dataset,
    *,
    fmt: Format = "html",
    audience: ViewAudience = "public",
    title: str | None = None,
    top: int = 10,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    min_count: int | None = None,
    round_to: int | None = None,
    map_html: str | None = None,
    map_link: str | None = None,
    step: Step | None = None,
) -> str:
    """Build the text of a report.

    Parameters
    ----------
    ds : Dataset
        The dataset, read with boundaries to name authorities and assign places.
    fmt : {"html", "markdown"}, default "html"
        Output format.
    audience : {"public", "partnership"}, default "public"
        Who the report is for (see the module documentation).
    title : str, optional
        Title of the report.
    top : int, default 10
        Rows listed in each table.
    since, until : date or str, optional
        Keep records dated within this window (as in :mod:`peermap.analysis`).
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.
    min_count, round_to : int, optional
        The small-count rule of public reports (default ``peermap.settings``); refused
        for partnership reports, which show exact counts.
    map_html : str, optional
        A map page (from :func:`peermap.save_map` or ``get_root().render()``) to embed in
        an HTML report, in an ``iframe`` whose ``srcdoc`` holds the whole page.
    map_link : str, optional
        A link (relative URL) to a map written beside the report.
    step : callable, optional
        Called with the name of each step as it starts (for progress display).

    Returns
    -------
    str
        The report.

    Raises
    ------
    ValueError
        For an unknown format or audience, or a small-count rule with a partnership
        report.
    """
    if fmt not in ("html", "markdown"):
        raise ValueError(f"fmt={fmt!r}; expected 'html' or 'markdown'")
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=AUDIENCES, what="report"
    )
    names: dict[str, str] = {}
    if ds.boundaries is not None:
        names = {
            str(k): str(v)
            for k, v in zip(ds.boundaries["code"], ds.boundaries["name"], strict=True)
        }
    filters: dict[str, Any] = {
        "since": since,
        "until": until,
        "min_reliability": min_reliability,
    }
    c = _Context(ds, policy, names, filters, top)
    note = step or (lambda name: None)
    sections = [_overview(c)]
    note("contexts")
    sections.append(_contexts(c))
    note("hotspot venues")
    sections.append(_hotspots(c))
    note("flows")
    sections.append(_flows(c))
    note("relocations")
    sections.append(_relocations(c))
    quality = _quality(c)
    if quality is not None:
        note("data quality")
        sections.append(quality)
    if map_html is not None or map_link is not None:
        sections.append(_map_section(map_html if fmt == "html" else None, map_link, c.public))
    banner = policy.banner or (
        policy.notice("report") + " No young person is named; private homes are not shown."
    )
    footer = []
    attribution = "" if ds.region is None else str(ds.region.attribution or "")
    if attribution:
        footer.append(f"Boundaries: {attribution}")
    from peermap import __version__

    footer.append(f"Made with peermap {__version__} on {dt.date.today():%Y-%m-%d}.")
    doc = _Document(
        title or "Peer-on-peer abuse and exploitation across authorities",
        banner,
        audience,
        sections,
        footer,
    )
    return _render_html(doc) if fmt == "html" else _render_markdown(doc)


def write_report(
    ds: Dataset,
    path: str | os.PathLike[str],
    *,
    audience: ViewAudience = "public",
    map_path: str | os.PathLike[str] | None = None,
    embed_map: bool = True,
    tiles: str | None = None,
    title: str | None = None,
    top: int = 10,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    min_count: int | None = None,
    round_to: int | None = None,
    step: Step | None = None,
) -> Path:
    """Write a report as a self-contained HTML page or a Markdown file, atomically.

    Parameters
    ----------
    ds : Dataset
        The dataset, read with boundaries.
    path : str or path-like
        The report: ``.html`` or ``.md``.
    audience : {"public", "partnership"}, default "public"
        Who the report is for; the map drawn follows the same rule.
    map_path : str or path-like, optional
        Also save the interactive map here (``.html``, see :func:`peermap.save_map`) and
        link to it from the report. A Markdown report has a map only this way.
    embed_map : bool, default True
        Embed the map in an HTML report.
    tiles : str or None, default None
        Basemap of the map (default none: the report requests nothing from any server).
    title : str, optional
        Title of the report (and of the map).
    top, since, until, min_reliability, min_count, round_to
        As for :func:`build_report`.
    step : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    pathlib.Path
        The report written.
    """
    fmt = report_format(path)
    target = Path(path)
    note = step or (lambda name: None)
    map_html: str | None = None
    map_link: str | None = None
    if map_path is not None or (fmt == "html" and embed_map):
        from peermap.maps import make_map, save_map

        note("map")
        m = make_map(
            ds,
            audience=audience,
            tiles=tiles,
            min_count=min_count,
            round_to=round_to,
            since=since,
            until=until,
            min_reliability=min_reliability,
            title=title,
        )
        if map_path is not None:
            saved = save_map(m, map_path)
            map_link = Path(os.path.relpath(saved.resolve(), target.resolve().parent)).as_posix()
        if fmt == "html" and embed_map:
            map_html = m.get_root().render()
    text = build_report(
        ds,
        fmt=fmt,
        audience=audience,
        title=title,
        top=top,
        since=since,
        until=until,
        min_reliability=min_reliability,
        min_count=min_count,
        round_to=round_to,
        map_html=map_html,
        map_link=map_link,
        step=note,
    )
    note("writing")
    write_text_atomic(target, text)
    return target
