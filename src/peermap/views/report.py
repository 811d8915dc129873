"""A summary report of a dataset for the partnership meeting: HTML or Markdown.

:func:`write_report` (and ``peermap report`` on the command line) writes one file
holding the contexts that span authorities, the leading hotspot venues, the flows of
young people between authorities, the relocations each authority received and, in an
HTML report, the map itself. The HTML page is self-contained: its styles are inline
and the embedded map inlines Leaflet (see :mod:`peermap.views.maps`), so it opens with no
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
import numbers
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import quote

from peermap._arguments import dataset_argument
from peermap._io import write_text_atomic
from peermap._version import __version__
from peermap.dataset import Dataset
from peermap.disclosure import VIEW_AUDIENCES, Audience, SuppressionRule, ViewAudience
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window
from peermap.getis_ord import check_cell_size
from peermap.privacy import refuse_identifier_text
from peermap.views.map_content import has_extent
from peermap.views.page import (
    FIGURE_FORMATS,
    View,
    authority_names,
    iframe,
    render,
    save_figure,
)
from peermap.views.report_brokers import brokers_section
from peermap.views.report_emerging import emerging_section
from peermap.views.report_online import online_section
from peermap.views.report_sections import (
    ReportContext,
    Section,
    Table,
    attention_section,
    contexts_section,
    flows_section,
    hotspots_section,
    overview_section,
    period_of,
    quality_section,
    relocations_section,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from peermap.views.maps import PeerMap

__all__ = [
    "AUDIENCES",
    "FORMATS",
    "Report",
    "ReportInfo",
    "build_report",
    "make_report",
    "report_format",
    "write_report",
]

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
        raise ArgumentError(
            f"{path}: a report is written as .html (self-contained page) or .md (Markdown); "
            f"the file name ends in {suffix or 'nothing'}"
        )
    return FORMATS[suffix]


def _map_section(map_html: str | None, map_link: str | None, public: bool) -> Section:
    section = Section("Map")
    if map_html is not None:
        section.html = iframe(map_html, class_="map", title="Map", sandbox="allow-scripts")
    if map_link is not None:
        text = "Open the map" + (" (public: aggregates only)" if public else "")
        section.link = (map_link, text)
    if map_html is None and map_link is None:
        section.notes.append("No map with this report.")
    return section


# --------------------------------------------------------------------------- rendering


def _link_md(link: tuple[str, str]) -> str:
    href, label = link
    return f"[{label}]({quote(href)})"


#: What opens raw HTML in Markdown (CommonMark): "<" before a letter, "/", "!" or "?".
_MD_HTML = re.compile(r"<(?=[A-Za-z/!?])")


def _md_text(value: str) -> str:
    """Text as Markdown shows it: a name holding HTML (``<img onerror=...>``) is not run.

    Only a "<" that could open a tag is escaped: "q < 0.001" reads as written.
    """
    return _MD_HTML.sub("&lt;", value)


def _md_cell(value: str) -> str:
    text = value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return _md_text(text)


def _table_md(table: Table) -> str:
    head = "| " + " | ".join(_md_cell(c) or " " for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if n else "---" for n in table.numeric) + "|"
    rows = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.rows]
    return "\n".join([head, rule, *rows])


@dataclass(frozen=True)
class _Document:
    title: str
    banner: str
    audience: str
    sections: list[Section]
    footer: list[str]
    rule: SuppressionRule | None = None
    period: tuple[Any, Any] = (None, None)


def _render_html(doc: _Document) -> str:
    return render("report.html.j2", doc=doc)


def _render_markdown(doc: _Document) -> str:
    parts = [f"# {_md_text(doc.title)}", "", f"> **{_md_text(doc.banner)}**", ""]
    for section in doc.sections:
        if section.own_heading:
            parts += [_md_text(section.markdown.rstrip()), ""]
        else:
            parts += [f"## {_md_text(section.title)}", ""]
        for paragraph in section.paragraphs:
            parts += [_md_text(paragraph), ""]
        if section.link is not None:
            parts += [_link_md(section.link), ""]
        if section.table is not None:
            parts += [_table_md(section.table), ""]
        if section.markdown and not section.own_heading:
            parts += [_md_text(section.markdown.rstrip()), ""]
        for note in section.notes:
            parts += [f"*{_md_text(note)}*", ""]
    parts += ["---", ""]
    parts += [f"{_md_text(line)}  " for line in doc.footer]
    return "\n".join(parts).rstrip() + "\n"


# --------------------------------------------------------------------------- public API


def build_report(
    ds: Dataset,
    *,
    fmt: Format = "html",
    audience: ViewAudience = "public",
    title: str | None = None,
    top: int = 10,
    window: Window | None = None,
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
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
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
    dataset_argument(ds, "build_report")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    if fmt not in ("html", "markdown"):
        raise ArgumentError(f"fmt={fmt!r}; expected 'html' or 'markdown'")
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=AUDIENCES, what="report"
    )
    filters: dict[str, Any] = {"since": since, "until": until, "min_reliability": min_reliability}
    doc = _document(ds, policy, title=title, top=top, filters=filters, step=step)
    return _render(doc, fmt, map_html=map_html, map_link=map_link)


def _document(
    ds: Dataset,
    policy: Audience,
    *,
    title: str | None,
    top: int,
    filters: dict[str, Any],
    step: Step | None,
) -> _Document:
    """Compute every section of a report (the map section is added when rendering)."""
    refuse_identifier_text(title, what="the title")
    c = ReportContext(ds, policy, authority_names(ds, places=False), filters, top)
    note = step or (lambda name: None)
    overview = overview_section(c)
    note("contexts")
    context_list = contexts_section(c)
    note("hotspot venues")
    venue_list = hotspots_section(c)
    # What needs attention first opens the report, above the fold.
    sections = [attention_section(context_list, venue_list), overview, context_list, venue_list]
    note("emerging hot spots")
    sections.append(emerging_section(c))
    online = online_section(c)  # schema 1.1: group chats and platforms, no place on the map
    if online is not None:
        sections.append(online)
    note("flows")
    sections.append(flows_section(c))
    note("relocations")
    sections.append(relocations_section(c))
    brokers = brokers_section(c)
    if brokers is not None:
        note("brokers")
        sections.append(brokers)
    quality = quality_section(c)
    if quality is not None:
        note("data quality")
        sections.append(quality)
    banner = policy.banner or (
        policy.notice("report") + " No young person is named; private homes are not shown."
    )
    footer = []
    attribution = "" if ds.region is None else str(ds.region.attribution or "")
    refuse_identifier_text(attribution, what="the boundaries' attribution (credit line)")
    if attribution:
        footer.append(f"Boundaries: {attribution}")
    footer.append(f"Made with peermap {__version__} on {dt.date.today():%Y-%m-%d}.")
    return _Document(
        title or "Peer-on-peer abuse and exploitation across authorities",
        banner,
        policy.name,
        sections,
        footer,
        rule=policy.rule,
        period=period_of(ds),
    )


def _render(doc: _Document, fmt: Format, *, map_html: str | None, map_link: str | None) -> str:
    """Render a report as HTML or Markdown, with a map section when a map is given."""
    if map_html is not None or map_link is not None:
        section = _map_section(map_html if fmt == "html" else None, map_link, doc.rule is not None)
        # The map comes right after what needs attention first.
        doc = replace(doc, sections=[*doc.sections[:1], section, *doc.sections[1:]])
    return _render_html(doc) if fmt == "html" else _render_markdown(doc)


@dataclass(frozen=True)
class ReportInfo:
    """What a report shows and under which rule.

    Attributes
    ----------
    title : str
        The title of the report.
    audience : {"public", "partnership"}
        Who the report is for.
    rule : SuppressionRule or None
        The small-count rule applied (``None``: exact counts).
    period : tuple
        First and last date of the data.
    sections : tuple of str
        The titles of its sections, in order (the map's not included).
    banner : str
        The banner under the title.
    """

    title: str
    audience: str
    rule: SuppressionRule | None
    period: tuple[Any, Any]
    sections: tuple[str, ...]
    banner: str


@dataclass(frozen=True)
class Report(View):
    """A report: its sections computed once, rendered as HTML or Markdown.

    Attributes
    ----------
    info : ReportInfo
        Title, audience, rule, period and sections.
    map : PeerMap or None
        The map shown with the report (embedded in the HTML page, saved beside it with
        ``save(..., map_path=...)``), when it was made with one.
    """

    info: ReportInfo
    _document: _Document = field(repr=False)
    map: PeerMap | None = None

    noun: ClassVar[str] = "report"

    def to_html(self, *, map_link: str | None = None, embed_map: bool = True) -> str:
        """Return the report as one self-contained HTML page.

        Parameters
        ----------
        map_link : str, optional
            A link (relative URL) to the map written beside the report.
        embed_map : bool, default True
            Embed the map (if the report has one) in an ``iframe``.

        Returns
        -------
        str
            The page.
        """
        map_html = self.map.to_html() if embed_map and self.map is not None else None
        return _render(self._document, "html", map_html=map_html, map_link=map_link)

    def to_markdown(self, *, map_link: str | None = None) -> str:
        """Return the report as Markdown (linking to ``map_link`` when given)."""
        return _render(self._document, "markdown", map_html=None, map_link=map_link)

    def plot(self, *, figsize: tuple[float, float] = (11.0, 8.5), dpi: int = 150) -> MplFigure:
        """Draw the report's map with matplotlib (see :meth:`PeerMap.plot`).

        Raises
        ------
        ValueError
            For a report made without a map.
        """
        if self.map is None:
            raise ArgumentError("this report was made without a map (make_report(with_map=True))")
        return self.map.plot(figsize=figsize, dpi=dpi)

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        map_path: str | os.PathLike[str] | None = None,
        embed_map: bool = True,
    ) -> Path:
        """Write the report atomically: ``.html``/``.md`` (or the map's ``.png``/``.svg``/``.pdf``).

        Parameters
        ----------
        path : str or path-like
            The report: ``.html`` (self-contained page) or ``.md`` (Markdown); a figure
            suffix writes the map's picture.
        map_path : str or path-like, optional
            Also save the map here (``.html``) and link to it from the report.
        embed_map : bool, default True
            Embed the map in an HTML report.

        Returns
        -------
        pathlib.Path
            The report written.

        Raises
        ------
        ValueError
            For an unknown suffix, or ``map_path`` for a report without a map.
        """
        target = Path(path)
        if target.suffix.lower() in FIGURE_FORMATS:
            return save_figure(self.plot(), target)
        fmt = report_format(target)
        map_link: str | None = None
        had_map = False
        if map_path is not None:
            if self.map is None:
                raise ArgumentError("this report was made without a map to save at map_path")
            from peermap.views.maps import save_map  # the [maps] extra, only when drawn

            had_map = Path(map_path).exists()
            saved = save_map(self.map, map_path)
            map_link = Path(os.path.relpath(saved.resolve(), target.resolve().parent)).as_posix()
        try:
            if fmt == "html":
                text = self.to_html(map_link=map_link, embed_map=embed_map)
            else:
                text = self.to_markdown(map_link=map_link)
            write_text_atomic(target, text)
        except BaseException:
            # No map left behind for a report that was not written: a map this call
            # made goes with it (one that was there before has been replaced: it stays).
            if map_link is not None and not had_map:
                Path(map_path).unlink(missing_ok=True)  # type: ignore[arg-type]
            raise
        return target


def make_report(
    ds: Dataset,
    *,
    audience: ViewAudience = "public",
    with_map: bool = True,
    tiles: str | None = None,
    title: str | None = None,
    top: int = 10,
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    min_count: int | None = None,
    round_to: int | None = None,
    gi_cell_size_m: float | None = None,
    step: Step | None = None,
) -> Report:
    """Make a report of a dataset: its sections and, by default, its map.

    Parameters
    ----------
    ds : Dataset
        The dataset, read with boundaries to name authorities and assign places.
    audience : {"public", "partnership"}, default "public"
        Who the report is for (see the module documentation); the map follows the same
        rule.
    with_map : bool, default True
        Also draw the map (:func:`peermap.make_map`) shown with the report.
    tiles : str or None, default None
        Basemap of the map (default none: the report requests nothing from any server).
    title : str, optional
        Title of the report (and of the map).
    top, window, since, until, min_reliability, min_count, round_to
        As for :func:`build_report`.
    gi_cell_size_m : float, optional
        The map's Gi* cell size in metres (default fitted to the sightings; see
        :func:`peermap.make_map`).
    step : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    Report
        ``.to_html()``, ``.to_markdown()`` and ``.save(path)`` render it; ``.map`` is
        its map.
    """
    dataset_argument(ds, "make_report")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    policy = Audience.of(
        audience, min_count=min_count, round_to=round_to, allowed=AUDIENCES, what="report"
    )
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        raise ArgumentError(f"top must be a whole number of at least 1, got {top!r}")
    check_cell_size(gi_cell_size_m, "gi_cell_size_m")
    note = step or (lambda name: None)
    peer_map: PeerMap | None = None
    # A dataset with nothing on the ground and no boundaries has no map to show: the
    # report is its tables.
    if with_map and has_extent(ds):
        note("map")
        from peermap.views.maps import make_map  # the [maps] extra, only when drawn

        peer_map = make_map(
            ds,
            audience=audience,
            tiles=tiles,
            min_count=min_count,
            round_to=round_to,
            since=since,
            until=until,
            min_reliability=min_reliability,
            title=title,
            gi_cell_size_m=gi_cell_size_m,
        )
    filters: dict[str, Any] = {"since": since, "until": until, "min_reliability": min_reliability}
    doc = _document(ds, policy, title=title, top=top, filters=filters, step=note)
    info = ReportInfo(
        title=doc.title,
        audience=doc.audience,
        rule=doc.rule,
        period=doc.period,
        sections=tuple(section.title for section in doc.sections),
        banner=doc.banner,
    )
    return Report(info=info, _document=doc, map=peer_map)


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
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    min_count: int | None = None,
    round_to: int | None = None,
    gi_cell_size_m: float | None = None,
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
    top, window, since, until, min_reliability, min_count, round_to
        As for :func:`build_report`.
    gi_cell_size_m : float, optional
        The map's Gi* cell size in metres (default fitted to the sightings; see
        :func:`peermap.make_map`).
    step : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    pathlib.Path
        The report written.
    """
    dataset_argument(ds, "write_report")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    fmt = report_format(path)
    report = make_report(
        ds,
        audience=audience,
        with_map=map_path is not None or (fmt == "html" and embed_map),
        tiles=tiles,
        title=title,
        top=top,
        since=since,
        until=until,
        min_reliability=min_reliability,
        min_count=min_count,
        round_to=round_to,
        gi_cell_size_m=gi_cell_size_m,
        step=step,
    )
    (step or (lambda name: None))("writing")
    return report.save(path, map_path=map_path, embed_map=embed_map)
