"""Leaflet and jQuery from installed packages instead of a CDN.

The XStatic packages ship Leaflet 1.9.3 and jQuery 3.7.1 inside their wheels.
:func:`ensure_vendor_assets` copies them into Streamlit's ``static/`` folder
(served at ``/app/static/`` when ``server.enableStaticServing`` is on), and
:func:`use_offline_assets` points a folium map at those copies. jQuery is
required: folium's ``Popup`` calls ``$(...)``.

:func:`inline_assets` returns the same files' text for a standalone HTML export.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium
import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet

#: URL prefix under which Streamlit serves ``static/vendor``.
STATIC_URL = "/app/static/vendor"

_LEAFLET_DIR = Path(xleaflet.BASE_DIR)
_JQUERY_DIR = Path(xjquery.BASE_DIR)

#: file name in static/vendor -> source file in an installed package
VENDOR_FILES: dict[str, Path] = {
    "leaflet.js": _LEAFLET_DIR / "leaflet.js",
    "leaflet.css": _LEAFLET_DIR / "leaflet.css",
    "jquery.min.js": _JQUERY_DIR / "jquery.min.js",
}
_IMAGES = _LEAFLET_DIR / "images"

JS_FILES = ("leaflet.js", "jquery.min.js")
CSS_FILES = ("leaflet.css",)


def ensure_vendor_assets(static_dir: str | Path) -> Path:
    """Copy Leaflet and jQuery into ``static_dir/vendor`` if missing or stale.

    Returns the vendor folder. Cheap when everything is already in place.
    """
    vendor = Path(static_dir) / "vendor"
    (vendor / "images").mkdir(parents=True, exist_ok=True)
    sources = dict(VENDOR_FILES)
    sources.update({f"images/{p.name}": p for p in _IMAGES.iterdir() if p.is_file()})
    for name, src in sources.items():
        dest = vendor / name
        if not dest.exists() or dest.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, dest)
    return vendor


def use_offline_assets(m: folium.Map, base_url: str = STATIC_URL) -> folium.Map:
    """Make ``m`` load Leaflet and jQuery from ``base_url`` only (no Bootstrap,
    Font Awesome or awesome-markers, which nothing here needs)."""
    m.default_js = [(name.split(".")[0], f"{base_url}/{name}") for name in JS_FILES]
    m.default_css = [(name.split(".")[0] + "_css", f"{base_url}/{name}") for name in CSS_FILES]
    return m


def inline_assets() -> tuple[str, str]:
    """The text of the JavaScript (Leaflet, then jQuery) and CSS files, for
    embedding into a standalone HTML file."""
    js = "\n".join(VENDOR_FILES[name].read_text(encoding="utf-8") for name in JS_FILES)
    css = "\n".join(VENDOR_FILES[name].read_text(encoding="utf-8") for name in CSS_FILES)
    return js, css
