"""Leaflet from an installed package instead of a CDN, and the dashboard's own scripts.

The XStatic packages ship Leaflet 1.9.3 and Leaflet.markercluster 1.4.1 (which groups
events at the same place and spreads them out on click) inside their wheels.
:func:`ensure_vendor_assets` copies it into Streamlit's ``static/`` folder
(served at ``/app/static/`` when ``server.enableStaticServing`` is on), and
:func:`use_offline_assets` points a folium map at that copy and at the
dashboard's map scripts in ``static/js`` (:data:`MAP_JS`), each URL carrying a
digest of the file so that a browser never runs a stale copy. Nothing the
map draws needs jQuery (folium's ``Popup``, which does, is not used).

:func:`inline_assets` returns the same files' text for a standalone HTML export.
"""

from __future__ import annotations

import hashlib
import shutil
from functools import lru_cache
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster

#: URL prefix under which Streamlit serves ``static/vendor``.
STATIC_URL = "/app/static/vendor"
#: URL prefix of the dashboard's own browser files (``static/js``, ``static/css``, in the repository).
APP_URL = "/app/static"
#: The dashboard's own browser files, in the repository.
APP_DIR = Path(__file__).resolve().parents[1] / "static"
#: The scripts the map frame runs (after Leaflet), in order.
MAP_JS = ("js/dash-core.js", "js/dash-map.js", "js/dash-explore.js", "js/dash-view.js")
#: The scripts the page's own document runs (loaded by ui/components.py), in order.
PAGE_JS = ("js/dash-core.js", "js/dash-page.js", "js/dash-timeline.js", "js/dash-table.js", "js/dash-tour.js",
           "js/dash-filters.js", "js/dash-player.js", "js/dash-present.js")
#: The stylesheet of the views drawn in the page (linked into each one's shadow root).
PAGE_CSS = "css/dash.css"

_LEAFLET_DIR = Path(xleaflet.BASE_DIR)
_CLUSTER_DIR = Path(xcluster.BASE_DIR)

#: file name in static/vendor -> source file in an installed package
VENDOR_FILES: dict[str, Path] = {
    "leaflet.js": _LEAFLET_DIR / "leaflet.js",
    "leaflet.css": _LEAFLET_DIR / "leaflet.css",
    "leaflet.markercluster.js": _CLUSTER_DIR / "leaflet.markercluster.js",
    "MarkerCluster.css": _CLUSTER_DIR / "MarkerCluster.css",
}
_IMAGES = _LEAFLET_DIR / "images"

JS_FILES = ("leaflet.js", "leaflet.markercluster.js")
CSS_FILES = ("leaflet.css", "MarkerCluster.css")


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


@lru_cache(maxsize=32)
def _digest(path: Path, mtime_ns: int) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def app_url(name: str, base_url: str = APP_URL) -> str:
    """The URL of one of the dashboard's scripts, with a digest of its content
    (``?v=...``), so that a changed file is never taken from a browser's cache.

    >>> app_url("js/dash-core.js").startswith("/app/static/js/dash-core.js?v=")
    True
    """
    path = APP_DIR / name
    return f"{base_url}/{name}?v={_digest(path, path.stat().st_mtime_ns)}"


def use_offline_assets(m: folium.Map, base_url: str = STATIC_URL, app_base_url: str = APP_URL) -> folium.Map:
    """Make ``m`` load Leaflet from ``base_url`` and the dashboard's map scripts from
    ``app_base_url`` only (no Bootstrap, jQuery, Font Awesome or awesome-markers,
    which nothing here needs)."""
    m.default_js = ([(name.rsplit(".", 1)[0], f"{base_url}/{name}") for name in JS_FILES]
                    + [(Path(name).stem, app_url(name, app_base_url)) for name in MAP_JS])
    m.default_css = [(name.rsplit(".", 1)[0] + "_css", f"{base_url}/{name}") for name in CSS_FILES]
    return m


def app_script(name: str) -> str:
    """The text of one of the dashboard's scripts."""
    return (APP_DIR / name).read_text(encoding="utf-8")


def inline_assets() -> tuple[str, str]:
    """The text of the vendor JavaScript (Leaflet) and CSS files, for embedding
    into a standalone HTML file."""
    js = "\n".join(VENDOR_FILES[name].read_text(encoding="utf-8") for name in JS_FILES)
    css = "\n".join(VENDOR_FILES[name].read_text(encoding="utf-8") for name in CSS_FILES)
    return js, css
