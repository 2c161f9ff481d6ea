"""Issue 8, part 3: injection strings in the built-in data files never run.

The page is started with ``--data`` pointing at a hostile copy of data/
(see hostile_data.py): every name, title, summary, note, claim and narrative
carries a payload that would call ``alert`` or set ``window.__pwned`` if it
ran. The test opens every popup and tooltip on the map, hovers the timeline,
plays the tour with its speaker notes, and checks that no dialog opened, no
payload global was set (page and map frame), no page error was thrown, and
that the payloads are shown as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_FRAME, map_eval, start_server, stop_server, wait_for_map, wait_idle
from tests.browser.hostile_data import HOSTILE, make_hostile_copy

ROOT = Path(__file__).resolve().parents[2]

#: JS (map frame): open each popup in turn; return the text and HTML each showed.
OPEN_POPUPS = """() => {
    const out = [];
    window.map.eachLayer(l => {
        if (l.getPopup && l.getPopup() && l.openPopup) {
            try { l.openPopup(l.getLatLng ? l.getLatLng() : undefined); } catch (e) { return; }
            const box = l.getPopup().getElement && l.getPopup().getElement();
            const el = box && box.querySelector('.leaflet-popup-content');
            if (el) out.push({text: el.innerText, html: el.innerHTML});
        }
    });
    window.map.closePopup();
    return out;
}"""
#: JS (map frame): open each tooltip; return their text.
OPEN_TOOLTIPS = """() => {
    const out = [];
    window.map.eachLayer(l => {
        if (l.getTooltip && l.getTooltip() && l.openTooltip) {
            try { l.openTooltip(l.getLatLng ? l.getLatLng() : undefined); } catch (e) { return; }
            const t = l.getTooltip().getElement && l.getTooltip().getElement();
            if (t) out.push(t.innerText);
            l.closeTooltip();
        }
    });
    return out;
}"""
#: JS: elements a payload would have created had it been parsed as HTML (the page and
#: the folium frame have inline scripts of their own: count only those holding a payload).
INJECTED = """() => Array.from(document.querySelectorAll('script:not([src])'))
        .filter(s => s.textContent.includes('__pwned=1')).length
    + document.querySelectorAll('img[src="x"], img[onerror], svg[onload], iframe[src^="javascript"], a[href^="javascript"]').length"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    data = make_hostile_copy(ROOT / "data", tmp_path_factory.mktemp("hostile") / "data")
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = start_server("--data", str(data))
    yield url
    stop_server(proc)


def _no_payload_ran(page, dialogs, errors):
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert map_eval(page, "() => typeof window.__pwned") == "undefined"
    assert page.evaluate(INJECTED) == 0
    assert map_eval(page, INJECTED) == 0
    assert errors == [], errors


def test_hostile_text_in_data_files_is_shown_as_text_and_never_runs(context_factory, hostile_server):
    page = context_factory().new_page()
    dialogs, errors, console = [], [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("frameattached", lambda f: None)

    page.goto(hostile_server + "/")
    wait_for_map(page, min_paths=10)
    wait_idle(page)
    assert page.get_by_text("Some data could not be loaded").count() == 0

    # Every popup and tooltip of the map.
    popups = map_eval(page, OPEN_POPUPS)
    assert len(popups) >= 30, len(popups)  # shapes, places and the 17 events
    shown = "\n".join(p["text"] for p in popups)
    missing = [h for h in HOSTILE if h not in shown]
    assert missing == [], f"not shown literally in any popup: {missing}"
    assert all("javascript:" not in p["html"].split("href=")[1][:12] for p in popups if "href=" in p["html"])
    tips = "\n".join(map_eval(page, OPEN_TOOLTIPS))
    assert "</textarea>" in tips or "<script>" in tips
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").screenshot(
        path=str(ARTIFACTS / "hostile-map.png"))
    _no_payload_ran(page, dialogs, errors)

    # Hover the timeline (Vega tooltips show event titles).
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    if box:
        for i in range(40):
            page.mouse.move(box["x"] + box["width"] * (i + 0.5) / 40, box["y"] + box["height"] * (0.2 + 0.6 * (i % 4) / 3))
    page.mouse.move(2, 2)
    _no_payload_ran(page, dialogs, errors)

    # The tour: title, narrative, speaker notes, sources; popups of each step's map.
    page.get_by_role("button", name="Start the guided tour").click()
    narrative = page.locator(".st-key-narrative")
    narrative.wait_for(timeout=30_000)
    wait_idle(page)
    seen = set()
    for step in range(1, 12):
        page.get_by_text(f"Step {step} of 11").wait_for(timeout=30_000)
        wait_idle(page)
        notes = narrative.get_by_text("Speaker notes")
        if notes.count():
            notes.click()
        text = narrative.inner_text()
        seen.update(p for p in HOSTILE if p in text)
        assert narrative.locator('a[href^="javascript"]').count() == 0
        if step in (1, 6, 11):
            wait_for_map(page)
            map_eval(page, OPEN_POPUPS)
            page.screenshot(path=str(ARTIFACTS / f"hostile-tour-step-{step}.png"))
        _no_payload_ran(page, dialogs, errors)
        if step < 11:
            page.get_by_role("button", name="Next ▶").click()
    # Markdown-looking and HTML-looking payloads appear literally in the narrative.
    assert "<script>window.__pwned=1;alert(1)</script>" in seen or "</script><script>window.__pwned=1</script>" in seen
    assert "[click me](javascript:alert(1))" in seen
    assert len(seen) >= 6, seen
    _no_payload_ran(page, dialogs, errors)
    (ARTIFACTS / "hostile-console.log").write_text("\n".join(console), encoding="utf-8")
