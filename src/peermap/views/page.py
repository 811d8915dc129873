"""What every view shares: the page templates, safe JSON, dates in words, authority names.

Pages are rendered with jinja2 from the templates in ``peermap/views/templates`` (HTML
autoescaped), and their scripts and styles are package files in
``peermap/views/static``, read once. Data goes into a page's ``<script>`` as
:func:`script_json`. :class:`View` gives every view the same shape: ``info``,
``to_html()``, ``plot()``, ``save(path)`` and a notebook display.
"""

from __future__ import annotations

import functools
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from peermap import _assets
from peermap._io import atomic_path
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "FIGURE_FORMATS",
    "PAGE_FORMATS",
    "View",
    "authority_names",
    "date_text",
    "iframe",
    "macros",
    "period_text",
    "render",
    "save_figure",
    "script_json",
    "static_text",
    "write_page",
]

#: Suffixes of the static figure formats every view can be saved as.
FIGURE_FORMATS: Final = (".png", ".svg", ".pdf")
#: Suffixes of a self-contained HTML page.
PAGE_FORMATS: Final = (".html", ".htm")

_ENV: Final = jinja2.Environment(
    loader=jinja2.PackageLoader("peermap.views", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _static_markup(name: str) -> Markup:
    """Return a packaged script or style sheet, trusted as it is (for the templates)."""
    return Markup(static_text(name))


def _leaflet_markup() -> Markup:
    """Return Leaflet's script and style elements, inlined (for the templates)."""
    return Markup(_assets.inline_html())


#: Words a line must not break inside at their hyphens: dates, place references.
_HYPHENATED: Final = re.compile(r"[^\s&;]+-[^\s&;]+")


def _nobreak_hyphens(text: str) -> Markup:
    """Escape text, keeping hyphenated words (dates, place ids) on one line."""
    return Markup(_HYPHENATED.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', escape(text)))


def _nobreak(text: str, phrases: list[str]) -> Markup:
    """Escape text, keeping each phrase ("q < ") on one line with the word after it."""
    escaped = str(escape(text))
    for phrase in phrases:
        glued = str(escape(phrase.strip())).replace(" ", "&nbsp;")
        escaped = escaped.replace(str(escape(phrase)), glued + "&nbsp;")
    return Markup(escaped)  # escaped above


_ENV.globals.update(static=_static_markup, leaflet=_leaflet_markup)
_ENV.filters.update(nobreak_hyphens=_nobreak_hyphens, nobreak=_nobreak)


#: The start of a Jinja tag: a brace before another brace, a percent sign or a hash.
_TEMPLATE_OPENING = re.compile(r"\{(?=[{%#])")


def script_json(value: Any) -> Markup:
    r"""Return compact JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\u003c``, ``\u003e`` and ``\u0026``, so
    no ``</script>`` or ``<!--`` can end the element early and nothing reads as an
    entity; U+2028 and U+2029 (line breaks in older JavaScript) are escaped too, and a
    brace that opens a Jinja tag (``{{``, ``{%``, ``{#``) as ``\u007b``: folium's
    scripts are rendered again as Jinja templates, where a label holding a tag would
    run. NaN and infinities are refused.

    Parameters
    ----------
    value : object
        Anything :func:`json.dumps` takes.

    Returns
    -------
    markupsafe.Markup
        The JSON, marked safe for the page templates.
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    # branca renders a map's scripts twice, the second time as a Jinja template: a
    # label "{{ ... }}" would run. In compact JSON "{{", "{%" and "{#" occur only inside
    # strings, where the brace can be written as an escape.
    return Markup(_TEMPLATE_OPENING.sub("\\\\u007b", text))


@functools.cache
def static_text(name: str) -> str:
    """Return a packaged script or style sheet of ``peermap/views/static``.

    Parameters
    ----------
    name : str
        File name, e.g. ``"map.js"``.

    Returns
    -------
    str
        Its text.
    """
    return resources.files("peermap.views").joinpath("static", name).read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """Render a page template of ``peermap/views/templates`` (HTML autoescaped).

    Parameters
    ----------
    template : str
        Template file name, e.g. ``"diagram.html.j2"``.
    **context
        The template's variables.

    Returns
    -------
    str
        The rendered text.
    """
    return _ENV.get_template(template).render(**context)


def macros(template: str) -> Any:
    """Return a template's macros, callable from Python (each returns escaped markup).

    Parameters
    ----------
    template : str
        Template file name, e.g. ``"map_legend.html.j2"``.

    Returns
    -------
    object
        The template module: its macros are attributes.
    """
    return _ENV.get_template(template).module


def iframe(page: str, **attributes: str) -> str:
    """Return an ``iframe`` whose ``srcdoc`` holds a whole page (for notebooks, reports).

    Parameters
    ----------
    page : str
        The page.
    **attributes : str
        Attributes of the ``iframe`` (``class_`` for ``class``), in order.

    Returns
    -------
    str
        The element.
    """
    return str(macros("page.html.j2").iframe(page, attributes))


def date_text(value: Any, *, month: bool = False) -> str:
    """Return a date as ``1 Jan 2024``, or ``Jan 2024`` by month ("" for a missing one)."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return f"{stamp:%b %Y}" if month else f"{stamp.day} {stamp:%b %Y}"


def period_text(period: tuple[Any, Any], lead: str = "Data", *, month: bool = False) -> str:
    """Return a period as ``Data 1 Jan 2024 to 31 Dec 2024`` ("" without both ends).

    Parameters
    ----------
    period : tuple
        First and last date (``datetime.date``, ``pandas.Timestamp`` or None).
    lead : str, default "Data"
        The word before the period.
    month : bool, default False
        Give months, not days (public outputs publish months).

    Returns
    -------
    str
        The text.
    """
    first, last = date_text(period[0], month=month), date_text(period[1], month=month)
    if not first or not last:
        return ""
    return f"{lead} {first} to {last}"


def authority_names(ds: Dataset, *, places: bool = True) -> dict[str, str]:
    """Return the name of each authority code a dataset knows.

    Names come from the places' ``authority_name`` (set when places are assigned to
    authorities) and, over them, from the boundaries.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    places : bool, default True
        Also take names from the places; ``False``: from the boundaries only (maps and
        reports, which show codes for a dataset read without boundaries).

    Returns
    -------
    dict of str to str
        Authority code -> name.
    """
    names: dict[str, str] = {}
    if places and "authority_code" in ds.places and "authority_name" in ds.places:
        pairs = ds.places[["authority_code", "authority_name"]].dropna().drop_duplicates()
        names.update(
            zip(
                pairs["authority_code"].astype(str),
                pairs["authority_name"].astype(str),
                strict=True,
            )
        )
    if ds.boundaries is not None:
        names.update(
            zip(ds.boundaries["code"].astype(str), ds.boundaries["name"].astype(str), strict=True)
        )
    return names


def write_page(path: str | os.PathLike[str], page: str) -> Path:
    """Write a self-contained page atomically, refusing one that loads anything external.

    Parameters
    ----------
    path : str or path-like
        Destination.
    page : str
        The page.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExternalAssetError
        When the page would load any script, style sheet, font or image from the
        network; nothing is written.
    """
    _assets.check_offline(page)
    final = Path(path)
    with atomic_path(final) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return final


def save_figure(fig: MplFigure, path: str | os.PathLike[str], noun: str = "figure") -> Path:
    """Save a matplotlib figure atomically; the suffix chooses the format (default PNG).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or path-like
        Destination: ``.png`` (or no suffix), ``.svg`` or ``.pdf``.
    noun : str, default "figure"
        What the figure is, for the refusal of another suffix.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    final = Path(path)
    fmt = final.suffix.lstrip(".").lower() or "png"
    if f".{fmt}" not in FIGURE_FORMATS:
        raise ArgumentError(f"cannot save a {noun} as {final.suffix!r}: use .png, .svg or .pdf")
    with atomic_path(final) as tmp:
        fig.savefig(tmp, format=fmt)
    return final


class View:
    """The shape every view has: ``info``, ``to_html()``, ``plot()``, ``save(path)``.

    A view (a map, a diagram, a timeline, a report) holds what it shows in ``info``,
    gives a self-contained HTML page with :meth:`to_html` and a matplotlib figure with
    :meth:`plot`, writes either with :meth:`save`, and shows its page inline in Jupyter.
    """

    #: What the view is called in messages ("diagram", "map", ...).
    noun: ClassVar[str] = "view"

    def to_html(self) -> str:
        """Return the view as one self-contained HTML page (no network needed)."""
        raise NotImplementedError

    def plot(self) -> MplFigure:
        """Draw the view with matplotlib (Agg canvas; no display needed)."""
        raise NotImplementedError

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the view atomically: ``.html`` page, or ``.png``/``.svg``/``.pdf``.

        Parameters
        ----------
        path : str or path-like
            Destination; its suffix chooses the format.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        ExternalAssetError
            When the page would load anything from the network (never expected).
        ValueError
            For an unknown suffix.
        """
        final = Path(path)
        suffix = final.suffix.lower()
        if suffix in PAGE_FORMATS:
            return write_page(final, self.to_html())
        if suffix in FIGURE_FORMATS:
            return save_figure(self.plot(), final)
        raise ArgumentError(
            f"cannot save a {self.noun} as {final.suffix!r}: use .html, .png, .svg or .pdf"
        )

    def _repr_html_(self) -> str:
        """Show the page inline in Jupyter (an iframe holding the whole page)."""
        return iframe(self.to_html(), style="width:100%;height:640px;border:none")
