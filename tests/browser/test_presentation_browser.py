"""The offline presentation file opened from disk in headless Chromium with every network
request refused: the presenter's keys walk every step, B blanks the screen, S opens the
speaker notes in a second window that follows, and a payload in a step's text stays text.

Leaves ``test-artifacts/presentation.html`` and ``presentation-step-NN.png``.
"""

from __future__ import annotations

import dataclasses

import pytest

from geo.dataset import load_dataset
from geo.window import filter_window
from layers.presentation import presentation_html
from tests.browser.conftest import ARTIFACTS, ROOT
from tests.browser.test_export_standalone_browser import open_offline

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=\"window.__pwned=1\"></script><script>window.__pwned=2</script>"

#: JS: the step the file shows, its heading, and how many events its map shows.
SHOWN = """() => ({step: window.DashDeck.step(), state: window.DashPage.state().tour.step,
    title: document.querySelector('#deck-tour h3').textContent,
    events: window.DashMap.shown ? window.DashMap.shown.length : -1})"""


@pytest.fixture(scope="module")
def deck():
    data = load_dataset(ROOT / "data")
    assert data.problems == [], data.problems
    steps = list(data.tour)
    steps[1] = dataclasses.replace(steps[1], title="Step two " + PAYLOAD, notes="Notes " + PAYLOAD,
                                   sources=(*steps[1].sources, "javascript:window.__pwned=3"))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "presentation.html"
    path.write_text(presentation_html(data, steps), encoding="utf-8")
    return path, data, steps


def expected_events(data, step) -> int:
    rows = filter_window(data.events, *step.window)
    return int(rows["category"].map(lambda c: f"cat:{c}" in step.layers).sum())


def wait_step(page, n: int):
    page.wait_for_function("(n) => window.DashDeck.step() === n && window.DashPage.state().tour.step === n", arg=n,
                           timeout=10_000)
    return page.evaluate(SHOWN)


def test_keys_walk_every_step_offline(browser, deck):
    path, data, steps = deck
    page, blocked, errors = open_offline(browser, path)
    try:
        shown = wait_step(page, 1)
        assert shown["title"] == steps[0].title
        for n in range(2, len(steps) + 1):
            page.keyboard.press("PageDown" if n % 2 else "ArrowRight")
            shown = wait_step(page, n)
            assert shown["title"] == steps[n - 1].title
            page.wait_for_function("(k) => window.DashMap.shown && window.DashMap.shown.length === k",
                                   arg=expected_events(data, steps[n - 1]), timeout=10_000)
            assert page.locator("#deck-tour .count").inner_text() == f"{n} / {len(steps)}"
            page.screenshot(path=str(ARTIFACTS / f"presentation-step-{n:02d}.png"))
        page.keyboard.press("PageDown")  # past the last step: stays (keys are handled synchronously)
        assert page.evaluate("window.DashDeck.step()") == len(steps)
        page.keyboard.press("Home")
        assert wait_step(page, 1)["title"] == steps[0].title
        page.keyboard.press("End")
        wait_step(page, len(steps))
        page.keyboard.press("PageUp")
        wait_step(page, len(steps) - 1)
        page.keyboard.press("ArrowLeft")
        wait_step(page, len(steps) - 2)
        page.keyboard.press("Shift+Space")
        wait_step(page, len(steps) - 3)
        # the step picker and the Next button work as on the page
        page.locator("#deck-tour select.pick").select_option("2")
        shown = wait_step(page, 2)
        # the payload is literal text: the heading holds it, nothing ran, no link to javascript:
        assert shown["title"] == "Step two " + PAYLOAD
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("#deck-tour a[href^='javascript']").count() == 0
        assert page.locator("#deck-tour img").count() == 0
        page.locator("#deck-tour button.next").click()
        wait_step(page, 3)
        # B blanks the screen; any key brings it back without moving
        page.keyboard.press("b")
        assert page.locator("#dash-blank").count() == 1
        page.keyboard.press("PageDown")
        assert page.locator("#dash-blank").count() == 0
        assert page.evaluate("window.DashDeck.step()") == 3
        assert errors == []
        assert blocked == []
    finally:
        page.context.close()


def test_s_opens_speaker_notes_that_follow(browser, deck):
    path, data, steps = deck
    page, blocked, errors = open_offline(browser, path)
    try:
        wait_step(page, 1)
        with page.context.expect_page() as opened:
            page.keyboard.press("s")
        notes = opened.value
        notes.wait_for_selector("#notes[data-step='1']")
        text = notes.locator("#notes").inner_text()
        assert f"Step 1 of {len(steps)}" in text and steps[0].title in text
        assert (steps[0].notes or "No notes for this step.").split("\n")[0][:40] in text
        assert f"Next: {steps[1].title}" in text
        page.keyboard.press("PageDown")
        notes.wait_for_selector("#notes[data-step='2']")
        text = notes.locator("#notes").inner_text()
        assert "Notes " + PAYLOAD in text  # literal
        assert notes.locator("#notes img").count() == 0
        assert notes.evaluate("() => window.__pwned") is None and page.evaluate("() => window.__pwned") is None
        # the notes window's own keys drive the presentation
        notes.keyboard.press("PageDown")
        wait_step(page, 3)
        notes.wait_for_selector("#notes[data-step='3']")
        notes.screenshot(path=str(ARTIFACTS / "presentation-notes.png"))
        assert errors == [] and blocked == []
    finally:
        page.context.close()


def test_phone_stacks_the_step_under_the_map(browser, deck):
    path, data, steps = deck
    page, blocked, errors = open_offline(browser, path)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        wait_step(page, 1)
        box_map = page.locator(".leaflet-container").bounding_box()
        box_text = page.locator("#deck-panel").bounding_box()
        assert box_map["width"] >= 380 and box_text["width"] >= 380
        assert box_text["y"] >= box_map["y"] + box_map["height"] - 1
        page.screenshot(path=str(ARTIFACTS / "presentation-phone.png"), full_page=True)
    finally:
        page.context.close()
