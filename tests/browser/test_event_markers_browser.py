"""Event markers in a real browser: above the shapes and answering the pointer,
as SVG for a small window and on the batch canvas for a large one (how long the
page blocks meanwhile is measured by ``make bench``, not asserted here).

Opens standalone exports (the same map scripts the page sends) from disk: the
built-in 18 events, and 3,000 synthetic ones (over ``BATCH_FROM``: the batch
canvas). Leaves ``test-artifacts/markers-*.png``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.dataset import load_dataset
from geo.view_state import ViewState
from layers.map_app import BATCH_FROM
from layers.standalone import standalone_page
from tests.browser.conftest import ARTIFACTS, AS_USER, ROOT
from tests.browser.test_export_standalone_browser import FIND_MAP

pytestmark = pytest.mark.browser

#: JS: screen position (page pixels) of a lat/lon on the map.
TO_SCREEN = f"""([lat, lon]) => {{ const m = {FIND_MAP}; const p = m.latLngToContainerPoint([lat, lon]);
    const r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }}"""
TOOLTIPS = "() => [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent)"
#: JS: rows of the event markers drawn on their own (not counted in a group).
ALONE = f"""() => {{ const out = []; ({FIND_MAP}).eachLayer(l => {{ if (l.eventRow !== undefined && l._path) out.push(l.eventRow); }});
    return out; }}"""
#: JS: the events on the map (SVG markers or the canvas alike), as [row, lat, lon, tooltip text].
MARKERS = """() => { const s = window.DashPage.store(), c = s.cols;
    return Array.from(window.DashMap.shown).map(r => [r, c.lat[r], c.lon[r],
        c.title.get(r) + ' (' + s.dateLabel(r) + ')']); }"""


@pytest.fixture(scope="module")
def dataset():
    data = load_dataset(ROOT / "data")
    assert data.problems == [], data.problems
    return data


def export(dataset, events: pd.DataFrame, visible: set[str], name: str):
    window = (events["date_start"].min().date(), events["date_end"].max().date())
    state = ViewState(layers=frozenset(visible), window=window)
    path = ARTIFACTS / name
    ARTIFACTS.mkdir(exist_ok=True)
    path.write_text(standalone_page(dataset.layers, events, state, title="t"), encoding="utf-8")
    return path


def open_map(browser, path):
    """Open ``path`` from disk (any other request refused) once its map shows event markers;
    return (page, page errors)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "about:"))
              else route.abort())
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function(f"() => window.DashMap && window.DashMap.paints > 0 && ({MARKERS})().length > 0",
                           timeout=30_000)
    return page, errors


def hover(page, lat, lon) -> list[str]:
    x, y = page.evaluate(TO_SCREEN, [lat, lon])
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x + 1, y, steps=3)
    page.wait_for_timeout(60)  # Leaflet's canvas handles at most one mousemove per 32 ms
    page.mouse.move(x, y)
    page.wait_for_timeout(400)  # the tooltip left behind fades out
    return page.evaluate(TOOLTIPS)


def test_markers_inside_a_country_answer_the_pointer_and_the_country_still_does(browser, dataset):
    path = export(dataset, dataset.events, {"countries", "cat:protest", "cat:blockade", "cat:diplomacy"},
                  "markers-17.html")
    page, errors = open_map(browser, path)
    try:
        markers = page.evaluate(MARKERS)
        # Close enough that events a few km apart are drawn apart (at one place they are grouped).
        page.evaluate(f"() => {{ const m = {FIND_MAP}; {AS_USER.replace('window.map', 'm')} m.setView([40.0, 45.8], 9, {{animate: false}}); }}")
        page.wait_for_timeout(600)
        alone = set(page.evaluate(ALONE))  # not in a group of events at one place (leaflet.markercluster)
        inside = [m for m in markers if 39.0 < m[1] < 40.3 and 46.0 < m[2] < 47.2 and m[0] in alone]  # Karabakh
        assert inside, markers
        _row, lat, lon, tip = inside[0]
        # An event's tooltip (of one of the markers under the pointer: a marker is 7 px
        # across its centre), not Azerbaijan's, although the markers lie on it.
        x, y = page.evaluate(TO_SCREEN, [lat, lon])
        same_spot = set()
        for m in markers:
            mx, my = page.evaluate(TO_SCREEN, [m[1], m[2]])
            if (mx - x) ** 2 + (my - y) ** 2 <= 8.5 ** 2:
                same_spot.add(m[3].strip())
        shown = hover(page, lat, lon)
        assert len(shown) == 1 and shown[0].strip() in same_spot, (shown, same_spot)
        # Where there is no marker, the country answers.
        assert hover(page, 40.6, 44.9) == ["Armenia"]
        page.mouse.click(*page.evaluate(TO_SCREEN, [40.6, 44.9]))
        assert "Armenia" in page.locator(".leaflet-popup").inner_text()
        # A click on the marker opens the event's popup (once the map has panned for Armenia's popup).
        page.wait_for_function("() => !window.DashMap.moving")
        page.mouse.click(*page.evaluate(TO_SCREEN, [lat, lon]))
        assert page.locator(".leaflet-popup .event-popup h4").count() == 1
        assert errors == []
    finally:
        page.screenshot(path=str(ARTIFACTS / "markers-17.png"))
        page.context.close()


def synthetic(dataset, n: int) -> pd.DataFrame:
    """``n`` copies of the built-in events spread over Armenia (distinct ids and places)."""
    rng = np.random.default_rng(7)
    base = dataset.events.iloc[rng.integers(0, len(dataset.events), n)].reset_index(drop=True)
    return base.assign(id=[f"s{i:05d}" for i in range(n)], latitude=rng.uniform(39.3, 41.0, n).round(5),
                       longitude=rng.uniform(43.8, 45.9, n).round(5), category="protest", features=[[]] * n)


def test_a_large_window_is_drawn_on_one_canvas_above_the_shapes_that_still_answer(browser, dataset):
    n = BATCH_FROM + 1000
    path = export(dataset, synthetic(dataset, n), {"countries", "cat:protest"}, "markers-3000.html")
    page, errors = open_map(browser, path)
    try:
        page.wait_for_function(f"() => window.DashMap.shown.length === {n}", timeout=30_000)
        # One canvas, in the markers' pane, and it has the markers' colour where one is;
        # no Leaflet layer per event.
        assert page.locator(".leaflet-eventMarkers-pane canvas").count() == 1
        assert page.evaluate(f"() => {{ let c = 0; ({FIND_MAP}).eachLayer(l => {{ if (l.eventRow !== undefined) c++; }}); return c; }}") == 0
        assert page.locator(".leaflet-eventMarkers-pane path").count() == 0
        page.wait_for_function("() => !window.DashMap.moving")  # the canvas is redrawn after a move
        page.wait_for_timeout(600)  # the view is re-fitted once the frame settles; the canvas redraws after it
        page.wait_for_function("() => !window.DashMap.moving")
        _, lat, lon, tip = max(page.evaluate(MARKERS))  # the last row is drawn on top
        x, y = page.evaluate(TO_SCREEN, [lat, lon])
        rgb = page.evaluate("""([x, y]) => { const c = document.querySelector('.leaflet-eventMarkers-pane canvas');
            const r = c.getBoundingClientRect(); const k = c.width / r.width;
            return Array.from(c.getContext('2d').getImageData(Math.round((x - r.left) * k), Math.round((y - r.top) * k), 1, 1).data); }""",
                            [x, y])
        assert rgb[3] > 200 and rgb[0] > 180 and rgb[2] < 80, rgb  # the protest orange (#E69F00), opaque
        # No dashed uncertainty rings with this many markers (they would cover the map).
        assert page.evaluate(f"() => {{ let c = 0; ({FIND_MAP}).eachLayer(l => {{ if (l instanceof L.Circle) c++; }}); return c; }}") == 0
        # The last marker drawn answers the pointer, and only it (not Armenia under it).
        shown = hover(page, lat, lon)
        assert shown == [tip], (shown, tip)
        page.mouse.click(x, y)
        assert page.locator(".leaflet-popup .event-popup h4").count() == 1
        # Where there is no marker, the shapes under the canvas still answer: Azerbaijan's
        # tooltip and popup (the markers are all in Armenia's box, west of 45.9° E).
        assert hover(page, 40.4, 48.5) == ["Azerbaijan"]
        page.mouse.click(*page.evaluate(TO_SCREEN, [40.4, 48.5]))
        page.locator(".leaflet-popup .event-popup").wait_for(state="detached", timeout=5_000)  # fades out
        assert "Azerbaijan" in page.locator(".leaflet-popup").inner_text()
        assert errors == []
    finally:
        page.screenshot(path=str(ARTIFACTS / "markers-3000.png"))
        page.context.close()
