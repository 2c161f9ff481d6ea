"""Presenter mode in real Chromium: walk the whole tour with the arrow key.

At each step: the URL holds the step, the narrative is shown, and the map
flies to the step's view without its frame reloading. One screenshot per
step at 1280x720 in test-artifacts/.
"""

from __future__ import annotations

import pytest

from geo.dataset import load_dataset
from geo.fit_view import fit_view
from tests.browser.conftest import ARTIFACTS, map_eval, wait_for_map, wait_idle
from tests.conftest import ROOT

TOUR = load_dataset(ROOT / "data").tour


def expected_view(step):
    if step.bounds is not None:
        return fit_view(step.bounds)
    return step.center, step.zoom


def map_view(page):
    return map_eval(page, "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")


def test_walk_the_tour_with_the_arrow_key(context_factory, server):
    page = context_factory(width=1280, height=720).new_page()
    page.goto(server + "/?step=1")
    wait_for_map(page)
    wait_idle(page)
    map_eval(page, "() => { window.__marker = 'same-frame'; }")
    for n, step in enumerate(TOUR, start=1):
        if n > 1:
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('step') === '{n}'", timeout=30_000)
        wait_idle(page)
        assert page.get_by_text(f"Step {n} of {len(TOUR)}").is_visible()
        assert page.get_by_role("heading", name=step.title).is_visible()
        assert step.narrative.split(".")[0][:40] in page.locator(".st-key-narrative").inner_text()
        (lat, lon), zoom = expected_view(step)
        try:
            page.wait_for_function(
                """([lat, lon, zoom]) => { const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
                     const m = f.contentWindow.map; const c = m.getCenter();
                     return Math.abs(c.lat - lat) < 0.01 && Math.abs(c.lng - lon) < 0.01 && m.getZoom() === zoom; }""",
                arg=[lat, lon, zoom], timeout=20_000)
        except Exception:
            pytest.fail(f"step {n}: map at {map_view(page)}, expected {(lat, lon, zoom)}")
        assert map_eval(page, "() => window.__marker") == "same-frame", f"map frame reloaded at step {n}"
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"tour-step-{n:02d}.png"))


def test_back_to_this_step_restores_the_view_after_panning(context_factory, server):
    page = context_factory(width=1280, height=720).new_page()
    page.goto(server + "/?step=3")
    wait_for_map(page)
    wait_idle(page)
    (lat, lon), zoom = expected_view(TOUR[2])
    page.wait_for_function(
        """([lat, zoom]) => { const m = document.querySelector('iframe[title="streamlit_folium.st_folium"]').contentWindow.map;
             return Math.abs(m.getCenter().lat - lat) < 0.01 && m.getZoom() === zoom; }""", arg=[lat, zoom], timeout=30_000)
    map_eval(page, "() => window.map.setView([41.5, 45.0], 5, {animate: false})")
    page.wait_for_timeout(500)
    assert map_view(page)[2] == 5
    page.get_by_role("button", name="Back to this step").click()
    page.wait_for_function(
        """([lat, lon, zoom]) => { const m = document.querySelector('iframe[title="streamlit_folium.st_folium"]').contentWindow.map;
             const c = m.getCenter(); return Math.abs(c.lat - lat) < 0.01 && Math.abs(c.lng - lon) < 0.01 && m.getZoom() === zoom; }""",
        arg=[lat, lon, zoom], timeout=30_000)


def test_presentation_view_at_1280x720(context_factory, server):
    page = context_factory(width=1280, height=720).new_page()
    page.goto(server + "/?step=10")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Presentation view").click()
    page.wait_for_function(
        """() => getComputedStyle(document.querySelector('[data-testid="stSidebar"]')).display === 'none'""",
        timeout=30_000)
    wait_idle(page)
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert frame["width"] >= 640 and frame["y"] < 200 and frame["y"] + 300 < 720  # the map fills most of the screen
    size = page.locator(".st-key-narrative p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20
    page.screenshot(path=str(ARTIFACTS / "tour-presentation-1280x720.png"))
