"""The standalone export opened from disk in Debian's headless Chromium with
every network request refused: it must paint from what the file holds.

Leaves ``test-artifacts/standalone-export.html`` and ``standalone-export.png``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from geo.dataset import LAYER_KEYS, load_dataset
from geo.view_state import ViewState
from geo.window import filter_window
from layers.standalone import EXPORT_TITLE, export_subtitle, standalone_page
from tests.browser.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.browser

#: JS: the map the file's app draws.
FIND_MAP = "window.DashMap.api.map()"
#: JS: the titles of the events on that map, sorted.
EVENT_TITLES = """() => { const s = window.DashPage.store();
    return Array.from(window.DashMap.shown).map(r => s.cols.title.get(r)).sort(); }"""


@pytest.fixture(scope="module")
def dataset():
    data = load_dataset(ROOT / "data")
    assert data.problems == [], data.problems
    return data


def write_export(dataset, basemap: str, name: str):
    """Export every layer over the whole span of the events; return (path, the window's titles)."""
    window = (dataset.events["date_start"].min().date(), dataset.events["date_end"].max().date())
    events = filter_window(dataset.events, *window)
    state = ViewState(layers=frozenset(LAYER_KEYS), window=window, basemap=basemap)
    html = standalone_page(dataset.layers, events, state, title=EXPORT_TITLE,
                           subtitle=export_subtitle(LAYER_KEYS, window))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(html, encoding="utf-8")
    return path, sorted(events["title"])


def open_offline(browser, path):
    """Open ``path`` via file:// with every non-file request aborted; return (page, blocked, errors)."""
    blocked: list[str] = []
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})

    def handle(route):
        url = route.request.url
        if urlsplit(url).scheme in ("file", "data", "about"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    ctx.route("**/*", handle)
    page = ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length >= 10"
                           " && window.DashMap.paints > 0", timeout=20_000)
    return page, blocked, errors


def test_export_paints_offline_with_all_layers_and_events(browser, dataset):
    path, titles = write_export(dataset, "none", "standalone-export.html")
    assert len(titles) == 18
    page, blocked, errors = open_offline(browser, path)
    try:
        assert page.evaluate("() => typeof window.L === 'object' && L.version") == "1.9.3"
        assert page.evaluate("() => document.querySelectorAll('.leaflet-overlay-pane path').length") >= 10
        assert page.evaluate(EVENT_TITLES) == titles
        # the 18 event markers: SVG circles in their own pane, above the shapes; those at one place
        # grouped with their count (leaflet.markercluster, inlined)
        assert page.evaluate(f"() => {{ let n = 0; ({FIND_MAP}).eachLayer(l => {{ if (l.getVisibleParent) n += l.getLayers().length; }}); return n; }}") == 18
        assert page.locator(".leaflet-eventMarkers-pane path.leaflet-interactive").count() >= 1
        assert page.locator(".leaflet-tile").count() == 0
        assert page.title() == EXPORT_TITLE
        assert "window 10 Nov 2020" in page.locator(".export-header").inner_text()
        assert page.locator(".map-legend").count() == 1
        background = "() => getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
        assert page.evaluate(background) == "rgb(244, 241, 234)"  # layers/basemap.py, not Leaflet's grey
        assert page.locator(".fullscreen-button").count() == 1
        # The map fills the viewport below the header.
        header = page.locator(".export-header").bounding_box()
        box = page.locator(".leaflet-container").bounding_box()
        assert abs(box["y"] - (header["y"] + header["height"])) <= 1
        assert abs(box["y"] + box["height"] - 860) <= 1 and box["width"] == 1280
        # Popups are built in the browser from the inlined rows, details included.
        page.evaluate(f"""() => {{ const m = {FIND_MAP}; let first = null;
            m.eachLayer(l => {{ if (l.eventRow !== undefined && !first) first = l; }}); first.openPopup(); }}""")
        assert page.locator(".leaflet-popup .event-popup h4").inner_text().strip()
        assert "Sources:" in page.locator(".leaflet-popup .event-popup").inner_text()
        page.evaluate(f"() => ({FIND_MAP}).closePopup()")
        assert errors == []
        assert blocked == []
    finally:
        page.screenshot(path=str(ARTIFACTS / "standalone-export.png"))
        page.context.close()


def test_export_with_a_web_basemap_asks_only_for_tiles(browser, dataset):
    path, titles = write_export(dataset, "osm", "standalone-export-osm.html")
    page, blocked, errors = open_offline(browser, path)
    try:
        assert page.evaluate(EVENT_TITLES) == titles
        page.wait_for_function("() => document.querySelectorAll('.leaflet-tile').length > 0", timeout=10_000)
        assert blocked, "the web basemap asked for no tiles"
        assert {urlsplit(u).hostname for u in blocked} == {"tile.openstreetmap.org"}
        assert [e for e in errors if "ERR_FAILED" not in e] == []  # aborted tiles log a console error
    finally:
        page.context.close()
