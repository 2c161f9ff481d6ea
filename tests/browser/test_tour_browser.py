"""Presenter mode in real Chromium: walk the whole tour with the arrow key.

At each step: the URL holds the step, the narrative is shown, and the map
flies to the step's view without its frame reloading. One screenshot per
step at 1280x720 in test-artifacts/.
"""

from __future__ import annotations

import pytest

from geo.dataset import load_dataset
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, map_eval, wait_for_map, wait_idle
from tests.conftest import ROOT

TOUR = load_dataset(ROOT / "data").tour

#: JS (in the page): whether the map shows the step's view: its bounds wholly inside the
#: map, at the largest zoom that fits them (Leaflet's own rule, with the padding that keeps
#: them clear of the map's controls: DashMap.fitPadding), or its centre and zoom.
SHOWS_STEP = f"""([bounds, center, zoom]) => {{
    const w = document.querySelector('{MAP_FRAME}').contentWindow, m = w.map;
    if (w.DashMap.moving || m._animatingZoom) return false;
    if (bounds) {{
        const b = w.L.latLngBounds(bounds);
        const p = w.DashMap.fitPadding(), pad = w.L.point(p.paddingTopLeft).add(w.L.point(p.paddingBottomRight));
        return m.getBounds().pad(0.001).contains(b) && m.getZoom() === m.getBoundsZoom(b, false, pad);
    }}
    const c = m.getCenter();
    return Math.abs(c.lat - center[0]) < 0.01 && Math.abs(c.lng - center[1]) < 0.01 && m.getZoom() === zoom;
}}"""


def step_view(step):
    return [[list(step.bounds[0]), list(step.bounds[1])] if step.bounds else None,
            list(step.center) if step.center else None, step.zoom]


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
        panel = page.locator(".st-key-dash_tour .dash-tour")
        panel.get_by_text(f"{n} / {len(TOUR)}", exact=True).wait_for(timeout=30_000)
        assert panel.get_by_role("heading", name=step.title).is_visible()
        assert step.narrative.split(".")[0][:40] in panel.inner_text()
        try:
            page.wait_for_function(SHOWS_STEP, arg=step_view(step), timeout=20_000)
        except Exception:
            pytest.fail(f"step {n}: map at {map_view(page)}, expected {step_view(step)}")
        assert map_eval(page, "() => window.__marker") == "same-frame", f"map frame reloaded at step {n}"
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"tour-step-{n:02d}.png"))


def test_back_to_this_step_restores_the_view_after_panning(context_factory, server):
    page = context_factory(width=1280, height=720).new_page()
    page.goto(server + "/?step=3")
    wait_for_map(page)
    wait_idle(page)
    page.wait_for_function(SHOWS_STEP, arg=step_view(TOUR[2]), timeout=30_000)
    map_eval(page, "() => window.map.setView([41.5, 45.0], 5, {animate: false})")
    assert map_view(page)[2] == 5
    page.locator(".st-key-dash_tour").get_by_role("button", name="Back to this step").click()
    page.wait_for_function(SHOWS_STEP, arg=step_view(TOUR[2]), timeout=30_000)


def test_presentation_view_at_1280x720(context_factory, server):
    page = context_factory(width=1280, height=720).new_page()
    page.goto(server + "/?step=10")
    wait_for_map(page)
    wait_idle(page)
    page.locator(".st-key-dash_tour").get_by_text("Presentation view").click()
    page.wait_for_function(
        """() => getComputedStyle(document.querySelector('[data-testid="stSidebar"]')).display === 'none'""",
        timeout=30_000)
    frame = page.locator(MAP_FRAME).bounding_box()
    assert frame["width"] >= 640 and frame["y"] <= 1 and frame["height"] >= 718  # the map fills the screen's height
    size = page.locator(".st-key-dash_tour .dash-tour p.narrative").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20
    assert not page.locator(".st-key-dash_table").is_visible()
    page.screenshot(path=str(ARTIFACTS / "tour-presentation-1280x720.png"))
