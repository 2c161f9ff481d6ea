"""The dashboard in real headless Chromium (Debian's), with no network but 127.0.0.1.

Each test leaves a screenshot in test-artifacts/ named after it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import MAP_FRAME, map_eval, wait_for_map, wait_idle

#: The Nagorno-Karabakh polygon: its stroke colour and dash (Renaissance Square shares the colour).
KARABAKH_PATH = 'path[stroke="#6a3d9a"][stroke-dasharray="6 4"]'

#: JS (run inside the map frame): the ids of the event markers on the map.
EVENT_IDS = """() => { const ids = []; window.map.eachLayer(l => { if (l.eventId) ids.push(l.eventId); });
                      return ids.sort(); }"""
#: JS: how many SVG paths carry the Nagorno-Karabakh stroke.
KARABAKH_PATHS = f"""() => document.querySelectorAll('.leaflet-overlay-pane {KARABAKH_PATH}').length"""


def open_dashboard(page, server, query: str = "", min_paths: int = 5):
    page.goto(server + "/" + (("?" + query) if query else ""))
    wait_for_map(page, min_paths=min_paths)
    wait_idle(page)
    return page


def sidebar_checkbox(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(has_text=label)


def is_checked(page, label: str) -> bool:
    return sidebar_checkbox(page, label).locator("input").is_checked()


def set_window_by_keyboard(page, start_left: int, end_left: int) -> None:
    """Move the date slider: both thumbs to the end, then left by the given days."""
    thumbs = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]')
    end_thumb, start_thumb = thumbs.nth(1), thumbs.nth(0)
    end_thumb.focus()
    page.keyboard.press("End")
    for _ in range(end_left):
        page.keyboard.press("ArrowLeft")
    start_thumb.focus()
    page.keyboard.press("End")
    for _ in range(start_left):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Tab")  # release: Streamlit commits the slider value


def test_map_paints_with_all_layers_and_no_network(page, server, context_factory):
    open_dashboard(page, server, min_paths=10)
    frame = page.frame_locator(MAP_FRAME)
    assert frame.locator(".leaflet-control-scale").count() == 1
    assert frame.locator(".fullscreen-button").count() == 1
    assert "Legend" in frame.locator(".map-legend").inner_text()
    assert map_eval(page, KARABAKH_PATHS) >= 1
    ids = map_eval(page, EVENT_IDS)
    assert len(ids) == 17, ids
    tips = map_eval(page, """() => { const t = []; window.map.eachLayer(l => { if (l.getTooltip && l.getTooltip()) {
        const c = l.getTooltip().getContent(); if (typeof c === 'string') t.push(c); } }); return t.join('|'); }""")
    for name in ("Armenia", "Azerbaijan", "Nagorno-Karabakh", "Khankendi", "Shushi", "Berdzor"):
        assert name in tips
    assert context_factory.blocked == [], f"requests left 127.0.0.1: {context_factory.blocked[:5]}"


def test_switching_karabakh_off_removes_its_shape_and_on_brings_it_back(page, server):
    open_dashboard(page, server)
    assert map_eval(page, KARABAKH_PATHS) >= 1
    sidebar_checkbox(page, "Nagorno-Karabakh").locator("label").click()
    page.wait_for_function(
        f"""() => document.querySelector('{MAP_FRAME}').contentDocument
                .querySelectorAll('.leaflet-overlay-pane {KARABAKH_PATH}').length === 0""",
        timeout=30_000)
    assert not is_checked(page, "Nagorno-Karabakh")
    page.wait_for_function("() => !new URLSearchParams(location.search).get('layers').includes('nagorno_karabakh')",
                           timeout=30_000)
    sidebar_checkbox(page, "Nagorno-Karabakh").locator("label").click()
    page.wait_for_function(
        f"""() => document.querySelector('{MAP_FRAME}').contentDocument
                .querySelectorAll('.leaflet-overlay-pane {KARABAKH_PATH}').length >= 1""",
        timeout=30_000)


def test_window_1_to_12_july_hides_the_rally_and_keeps_the_closure(page, server):
    open_dashboard(page, server)
    assert "stepanakert-rally" in map_eval(page, EVENT_IDS)
    # The data end on 15 July 2023: 15 - 3 = 12 July, 12 - 11 = 1 July.
    set_window_by_keyboard(page, start_left=11, end_left=3)
    page.wait_for_function("() => location.search.includes('from=2023-07-01') && location.search.includes('to=2023-07-12')",
                           timeout=30_000)
    wait_idle(page)
    page.wait_for_function(
        f"""() => {{ const w = document.querySelector('{MAP_FRAME}').contentWindow; let r = false, c = false;
                 w.map.eachLayer(l => {{ if (l.eventId === 'stepanakert-rally') r = true;
                                         if (l.eventId === 'corridor-closed-smuggling-claim') c = true; }});
                 return !r && c; }}""", timeout=30_000)
    ids = map_eval(page, EVENT_IDS)
    assert "stepanakert-rally" not in ids
    assert "corridor-closed-smuggling-claim" in ids
    assert "Protest (0)" in page.locator('[data-testid="stSidebar"]').inner_text()


def test_clicking_stepanakert_opens_a_popup_listing_the_rally(page, server):
    open_dashboard(page, server, query="from=2023-07-01&to=2023-07-15")
    # Zoom in as a user would, so the city marker stands apart from the event markers,
    # then click where the city marker is drawn.
    point = map_eval(page, """() => {
        let city = null;
        window.map.eachLayer(l => { const t = l.getTooltip && l.getTooltip();
            if (t && typeof t.getContent() === 'string' && t.getContent().includes('Stepanakert / Khankendi') && l.getLatLng) city = l; });
        window.map.setView(city.getLatLng(), 14, {animate: false});
        const p = window.map.latLngToContainerPoint(city.getLatLng()); return [p.x, p.y]; }""")
    page.wait_for_timeout(500)
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    popup = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert popup.locator("h4").inner_text() == "Stepanakert"
    text = popup.inner_text()
    assert "Khankendi" in text
    assert re.search(r"14 July 2023: .*[Rr]ally", text), text
    assert "nan" not in text.split()


def test_slider_move_keeps_zoom_centre_and_the_frame(page, server):
    open_dashboard(page, server)
    map_eval(page, "() => { window.__marker = 'still-here'; window.map.setView([39.6, 46.5], 9, {animate: false}); }")
    page.wait_for_timeout(600)
    before = map_eval(page, "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    set_window_by_keyboard(page, start_left=5, end_left=0)
    page.wait_for_function("() => location.search.includes('from=2023-07-10')", timeout=30_000)
    wait_idle(page)
    page.wait_for_function(
        f"""() => {{ const w = document.querySelector('{MAP_FRAME}').contentWindow; let n = 0;
                 w.map.eachLayer(l => {{ if (l.eventId) n += 1; }}); return n > 0 && n < 17; }}""", timeout=30_000)
    after = map_eval(page, "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    assert after == pytest.approx(before, abs=1e-6)
    assert map_eval(page, "() => window.__marker") == "still-here"


def test_copied_url_restores_the_view(page, server, context_factory):
    open_dashboard(page, server)
    sidebar_checkbox(page, "Places and venues").locator("label").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).get('layers').includes('places')", timeout=30_000)
    set_window_by_keyboard(page, start_left=3, end_left=1)
    page.wait_for_function("() => location.search.includes('from=2023-07-11') && location.search.includes('to=2023-07-14')",
                           timeout=30_000)
    wait_idle(page)
    copied = page.url
    other = context_factory().new_page()
    open_dashboard(other, copied.split("/?")[0], query=copied.split("?", 1)[1])
    assert not is_checked(other, "Places and venues")
    assert is_checked(other, "Nagorno-Karabakh")
    ids = map_eval(other, EVENT_IDS)
    assert ids == map_eval(page, EVENT_IDS)
    assert "stepanakert-rally" in ids and "brussels-talks" not in ids
    slider = other.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').inner_text()
    assert "11 Jul 2023" in slider and "14 Jul 2023" in slider


def test_selected_feature_in_url_opens_its_popup(page, server):
    open_dashboard(page, server, query="sel=nagorno-karabakh")
    popup = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content")
    popup.wait_for(timeout=15_000)
    assert "Nagorno-Karabakh" in popup.inner_text()


def test_nonsense_url_falls_back_with_a_notice(page, server):
    open_dashboard(page, server, query="from=yesterday&layers=bogus&sel=%3Cscript%3E")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "'from'" in body and "not a date" in body
    assert "unknown layer 'bogus'" in body
    assert len(map_eval(page, EVENT_IDS)) == 17


def test_page_at_390px_shows_the_map(context_factory, server):
    page = context_factory(width=390, height=844).new_page()
    open_dashboard(page, server)
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["width"] >= 300 and box["height"] >= 400
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
    assert map_eval(page, KARABAKH_PATHS) >= 1
