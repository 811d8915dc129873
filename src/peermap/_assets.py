"""Offline assets: Leaflet inlined from a packaged copy, and a check for external ones.

A default folium page loads Leaflet, jQuery, Bootstrap and icon fonts from public CDNs;
with no network (an air-gapped laptop, a council network that blocks CDNs, a CI runner)
the page is blank with "L is not defined". peermap's maps use only Leaflet: its
JavaScript and CSS are read from the installed ``django-js-lib-leaflet`` package (a
maintained PyPI package shipping Leaflet 1.9.4, with no Django dependency at import),
the CSS images are inlined as ``data:`` URIs, and the source-map comments are dropped.
Nothing is copied into peermap's own tree.

:func:`external_references` lists every resource a page would fetch from the network
(scripts, style sheets, images, frames, CSS ``url()`` and ``@import``), so that a saved
map can be refused when anything external is left.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources
from importlib.abc import Traversable

from peermap._optional import require
from peermap.exceptions import ExternalAssetError

__all__ = [
    "LEAFLET_PACKAGE",
    "ExternalAssetError",
    "check_offline",
    "external_references",
    "leaflet_css",
    "leaflet_js",
    "leaflet_version",
]

#: The PyPI distribution (and import package) that ships Leaflet.
LEAFLET_PACKAGE = "django-js-lib-leaflet"
_IMPORT_NAME = "js_lib_leaflet"
_STATIC = ("static", "js_lib_leaflet")


def _static() -> Traversable:
    # Offline maps inline Leaflet from this package (the maps extra installs it).
    require(_IMPORT_NAME)
    root = resources.files(_IMPORT_NAME)
    folder = root.joinpath(*_STATIC)
    if not folder.joinpath("leaflet.js").is_file():
        raise FileNotFoundError(
            f"'{LEAFLET_PACKAGE}' is installed but has no leaflet.js in "
            f"{'/'.join(_STATIC)}; reinstall it"
        )
    return folder


_SOURCE_MAP = re.compile(r"\n?/[/*][#@] sourceMappingURL=[^\n]*")


def _safe_inline(text: str, tag: str, name: str) -> str:
    """Make text safe inside a ``<script>`` or ``<style>`` element, or refuse it."""
    text = _SOURCE_MAP.sub("", text)
    if re.search(rf"</{tag}", text, flags=re.IGNORECASE):
        raise ExternalAssetError(f"{name} contains '</{tag}' and cannot be inlined")
    return text


@functools.lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Return Leaflet's minified JavaScript, ready to inline in a ``<script>``."""
    text = _static().joinpath("leaflet.js").read_text(encoding="utf-8")
    return _safe_inline(text, "script", "leaflet.js")


@functools.lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Return Leaflet's CSS with its images inlined as ``data:`` URIs."""
    folder = _static()
    text = folder.joinpath("leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        path = match.group(1)
        image = folder.joinpath(*path.split("/"))
        if not image.is_file():
            raise ExternalAssetError(f"leaflet.css refers to {path}, which is not packaged")
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    text = re.sub(r"url\((images/[A-Za-z0-9_.-]+\.png)\)", inline, text)
    return _safe_inline(text, "style", "leaflet.css")


@functools.lru_cache(maxsize=1)
def leaflet_version() -> str:
    """Return the version of the packaged Leaflet (from its banner comment)."""
    match = re.search(r"Leaflet (\d+\.\d+\.\d+)", leaflet_js()[:400])
    return match.group(1) if match else "unknown"


def inline_html() -> str:
    """Return the ``<style>`` and ``<script>`` elements that carry Leaflet inline."""
    return f"<style>{leaflet_css()}</style>\n<script>{leaflet_js()}</script>"


_NETWORK = r"(?:[a-z][a-z0-9+.-]*:)?//"  # http://, https://, ftp://, protocol-relative //
_REFERENCE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "element",
        re.compile(
            r"<(?P<tag>script|link|img|iframe|frame|embed|source|audio|video|object|input)\b"
            r"[^>]*?\b(?:src|href|data|srcset|poster)\s*=\s*[\"']?\s*(?P<url>"
            + _NETWORK
            + r"[^\"'\s>]+)",
            re.IGNORECASE,
        ),
    ),
    (
        "css url()",
        re.compile(r"url\(\s*[\"']?\s*(?P<url>" + _NETWORK + r"[^\"')\s]+)", re.IGNORECASE),
    ),
    (
        "css @import",
        re.compile(r"@import\s+[\"'](?P<url>" + _NETWORK + r"[^\"']+)", re.IGNORECASE),
    ),
)


def external_references(html: str) -> list[str]:
    """List the network resources a page would load.

    Parameters
    ----------
    html : str
        A rendered page.

    Returns
    -------
    list of str
        One entry per reference, ``"<kind>: <url>"``, in order of appearance. Links a
        reader may follow (``<a href>``) are not resources and are not listed; neither
        are URL templates inside scripts (a tile layer's ``{z}/{x}/{y}``), which only
        load when the script asks for them.
    """
    found: list[tuple[int, str]] = []
    for kind, pattern in _REFERENCE_PATTERNS:
        for match in pattern.finditer(html):
            label = match.groupdict().get("tag") or kind
            found.append((match.start(), f"{label}: {match.group('url')}"))
    return [text for _, text in sorted(found)]


def check_offline(html: str) -> None:
    """Raise when a page would load anything from the network.

    Parameters
    ----------
    html : str
        A rendered page.

    Raises
    ------
    ExternalAssetError
        Naming every external asset found.
    """
    refs = external_references(html)
    if refs:
        raise ExternalAssetError(
            "the map would load external assets and would not open offline: "
            + "; ".join(refs)
            + ". Remove the element or plugin that adds them (peermap inlines only "
            "Leaflet), or add the asset to peermap's offline set."
        )
