"""A presenter writes their own tour in the page, in real Chromium: three views added as
steps with the map's button, titles and narratives typed, the tour downloaded, loaded in a
fresh session and walked with the keys; a step with a bad window shows the loader's
message while the others play. And a named tour (data/tours/) opened from a link."""

from __future__ import annotations

import time
import tomllib
from urllib.parse import parse_qs, urlsplit

from geo.dataset import load_dataset
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, ROOT, map_eval, page_state, wait_for_map, wait_idle

SIDEBAR = '[data-testid="stSidebar"]'
PANEL = ".st-key-dash_tour .dash-tour"
#: Three views (centre, zoom) to add as steps: Stepanakert, the corridor, the region.
VIEWS = [([39.815, 46.752], 11), ([39.56, 46.50], 10), ([40.2, 46.0], 7)]
CORRIDOR = load_dataset(ROOT / "data").tours["lachin-corridor"]


def open_editor(page, server):
    page.goto(server)
    wait_for_map(page)
    wait_idle(page)
    page.locator(SIDEBAR).get_by_text("Write your own tour").click()
    page.locator(".st-key-dash_capture button").wait_for()


def box(page, n):
    return page.locator(f".st-key-ted_step_{n}")


def commit(page, locator, text):
    """Type ``text`` into a field and leave it (Streamlit takes a field's value when it loses focus)."""
    locator.fill(text)
    locator.press("Tab")
    page.wait_for_timeout(300)
    wait_idle(page)


def move_map(page, center, zoom):
    """Move the map as a user would; returns its bounds."""
    map_eval(page, "([c, z]) => window.map.setView(c, z, {animate: false})", [center, zoom])
    frame = page.wait_for_selector(MAP_FRAME).content_frame()
    frame.wait_for_function(AT_REST)
    return map_eval(page, MAP_BOUNDS)


def add_view(page, n, center, zoom):
    """Move the map, then press "Add this view as a step"; returns the map's bounds."""
    bounds = move_map(page, center, zoom)
    page.locator(".st-key-dash_capture button").click()
    box(page, n).wait_for(timeout=30_000)
    wait_idle(page)
    return bounds


MAP_BOUNDS = """() => { const b = window.map.getBounds();
    return [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]]; }"""
AT_REST = "() => !window.DashMap.moving && !window.map._animatingZoom"
#: JS (page): whether leaving the page now would ask first (its beforeunload handler cancels).
WOULD_ASK = "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"


def walk(page, titles, where, views=None):
    """Walk the tour with PageDown: each step's number, title and (``views``) its view on the map."""
    for n, title in enumerate(titles, start=1):
        if n > 1:
            page.keyboard.press("PageDown")
        page.wait_for_function(f"() => (window.DashPage.state().tour || {{}}).step === {n}", timeout=30_000)
        panel = page.locator(PANEL)
        panel.get_by_text(f"{n} / {len(titles)}", exact=True).wait_for(timeout=30_000)
        assert panel.locator("h3").inner_text() == title, where
        if views:
            frame = page.wait_for_selector(MAP_FRAME).content_frame()
            page.wait_for_timeout(300)
            frame.wait_for_function(AT_REST, timeout=30_000)
            assert contains(map_eval(page, MAP_BOUNDS), views[n - 1], 1e-3), (where, n)
        page.screenshot(path=str(ARTIFACTS / f"{where}-step-{n}.png"))


def contains(outer, inner, slack=1e-6):
    (s, w), (n, e) = outer
    (s2, w2), (n2, e2) = inner
    return s <= s2 + slack and w <= w2 + slack and n >= n2 - slack and e >= e2 - slack


def test_a_three_step_tour_written_downloaded_loaded_elsewhere_and_walked(context_factory, server, tmp_path):
    page = context_factory(width=1280, height=900).new_page()
    open_editor(page, server)
    captured = []
    for n, (center, zoom) in enumerate(VIEWS, start=1):
        captured.append(add_view(page, n, center, zoom))
        # a new step waits for its narrative, in the loader's words
        assert "narrative must be non-empty text" in box(page, n).inner_text()
        commit(page, box(page, n).get_by_label("Title"), f"My step {n}")
        commit(page, box(page, n).get_by_label("Narrative"), f"What view {n} shows (Source, 1 Jan 2023).")
        box(page, n).get_by_text(f"Step {n}", exact=True).wait_for(timeout=30_000)  # no longer "not ready"
    page.locator(SIDEBAR).get_by_text("All 3 steps ready to play.").wait_for()
    # Step 2 takes the map's view again (its own button); its text stays.
    captured[1] = move_map(page, [39.60, 46.45], 11)
    box(page, 2).locator("button.capture").click()
    box(page, 2).get_by_text(f"View: {captured[1][0][0]:.3f}, {captured[1][0][1]:.3f}").wait_for(timeout=30_000)
    assert box(page, 2).get_by_label("Title").input_value() == "My step 2"
    assert page_state(page)["draft"] == 3
    assert page.evaluate(WOULD_ASK)  # leaving now would ask first (a real leave: the other test)
    page.locator(".st-key-ted_step_1").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "tour-editor-three-steps.png"))

    with page.expect_download(timeout=60_000) as info:
        page.locator(SIDEBAR).get_by_role("button", name="Download your tour (.toml)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "my-tour.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert [s["title"] for s in doc["steps"]] == ["My step 1", "My step 2", "My step 3"]
    for step, bounds in zip(doc["steps"], captured):
        assert contains(bounds, step["bounds"], 1e-4) and contains(step["bounds"], bounds, 1e-4)

    # Downloaded: leaving no longer asks.
    page.wait_for_function("() => !window.DashPage.state().draft", timeout=30_000)
    assert not page.evaluate(WOULD_ASK)

    # A fresh session: load the file, play it, walk it with the clicker's keys.
    fresh = context_factory(width=1280, height=900).new_page()
    open_editor(fresh, server)
    fresh.locator('.st-key-ted_upload input[type="file"]').set_input_files(str(path))
    box(fresh, 3).wait_for(timeout=30_000)
    wait_idle(fresh)
    fresh.locator(SIDEBAR).get_by_text("All 3 steps ready to play.").wait_for()
    fresh.locator(".st-key-ted_play button").click()
    walk(fresh, ["My step 1", "My step 2", "My step 3"], "tour-editor-loaded",
         views=[s["bounds"] for s in doc["steps"]])


#: A title a hostile presenter (or a hostile tour file) might type: it must show as written.
PAYLOAD = '<img src=x onerror="window.__pwned=1">[Log in](https://evil.example) :red[**x**]'


def test_a_bad_window_shows_the_loaders_message_and_the_other_steps_play(context_factory, server):
    page = context_factory(width=1280, height=900).new_page()
    open_editor(page, server)
    for n, (center, zoom) in enumerate(VIEWS, start=1):
        add_view(page, n, center, zoom)
        commit(page, box(page, n).get_by_label("Title"), PAYLOAD if n == 1 else f"My step {n}")
        commit(page, box(page, n).get_by_label("Narrative"), f"Text {n}.")
    commit(page, box(page, 2).get_by_label("From (YYYY-MM-DD)"), "2023-07-20")
    commit(page, box(page, 2).get_by_label("To (YYYY-MM-DD)"), "2023-07-10")
    message = box(page, 2).get_by_text("window reversed: start 2023-07-20 is after end 2023-07-10", exact=False)
    message.wait_for(timeout=30_000)
    assert "step 2 left out of the tour" in message.inner_text()
    page.locator(SIDEBAR).get_by_text("2 of 3 steps ready to play.").wait_for()
    box(page, 2).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "tour-editor-bad-window.png"))
    page.locator(".st-key-ted_play button").click()
    page.wait_for_function("() => (window.DashPage.state().tour || {}).step === 1", timeout=30_000)
    frame = page.locator(MAP_FRAME).bounding_box()  # the presenter clicks into the map; the keys still walk
    page.mouse.click(frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] - 60)
    walk(page, [PAYLOAD, "My step 3"], "tour-editor-bad-window")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator(PANEL).locator("img, a[href*='evil']").count() == 0
    # Leaving the page with a tour not downloaded asks first (the browser's own "Leave site?").
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    page.goto("about:blank")
    for _ in range(50):
        if dialogs:
            break
        time.sleep(0.1)
    assert dialogs == ["beforeunload"]


def test_a_link_to_a_named_tour_opens_it_and_the_link_follows_the_keys(context_factory, server):
    page = context_factory(width=1280, height=800).new_page()
    page.goto(f"{server}/?tour=lachin-corridor&step=2")
    wait_for_map(page)
    panel = page.locator(PANEL)
    panel.get_by_text(f"2 / {len(CORRIDOR.steps)}", exact=True).wait_for(timeout=30_000)
    assert panel.locator("h3").inner_text() == CORRIDOR.steps[1].title
    page.keyboard.press("PageDown")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '3'", timeout=30_000)
    query = parse_qs(urlsplit(page.url).query)
    assert query["tour"] == ["lachin-corridor"]
    # The copied link, opened elsewhere, is the same step of the same tour.
    other = context_factory(width=1280, height=800).new_page()
    other.goto(page.url)
    wait_for_map(other)
    other.locator(PANEL).get_by_text(f"3 / {len(CORRIDOR.steps)}", exact=True).wait_for(timeout=30_000)
    assert other.locator(PANEL).locator("h3").inner_text() == CORRIDOR.steps[2].title
    other.screenshot(path=str(ARTIFACTS / "named-tour-step-3.png"))
