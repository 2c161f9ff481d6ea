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

import re
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_FRAME, map_eval, start_server, stop_server, wait_for_map, wait_idle
from tests.browser.hostile_data import HOSTILE, make_hostile_copy

ROOT = Path(__file__).resolve().parents[2]

#: JS (map frame): every layer of the map, and the event markers inside groups of stacked
#: events (leaflet.markercluster: not layers of the map while their group is folded).
ALL_LAYERS = """const all = []; window.map.eachLayer(l => { all.push(l);
    if (l.getVisibleParent && l.getLayers) l.getLayers().forEach(x => { if (!x._map) all.push(x); }); });"""
#: JS (map frame): open each popup in turn (a folded marker's own content in a popup at its
#: place); return the text and HTML each showed.
OPEN_POPUPS = """() => { """ + ALL_LAYERS + """
    const out = [];
    all.forEach(l => {
        if (l.getPopup && l.getPopup() && l.openPopup) {
            let popup = l.getPopup();
            try {
                if (l._map) { l.openPopup(l.getLatLng ? l.getLatLng() : undefined); }
                else { const c = popup._content; popup = window.L.popup().setLatLng(l.getLatLng())
                    .setContent(typeof c === 'function' ? c(l) : c).openOn(window.map); }
            } catch (e) { return; }
            const box = popup.getElement && popup.getElement();
            const el = box && box.querySelector('.leaflet-popup-content');
            if (el) out.push({text: el.innerText, html: el.innerHTML});
        }
    });
    window.map.closePopup();
    return out;
}"""
#: JS (map frame): open each tooltip (a folded marker's in a tooltip at its place); return their text.
OPEN_TOOLTIPS = """() => { """ + ALL_LAYERS + """
    const out = [];
    all.forEach(l => {
        if (l.getTooltip && l.getTooltip() && l.openTooltip) {
            let tip = l.getTooltip();
            try {
                if (l._map) { l.openTooltip(l.getLatLng ? l.getLatLng() : undefined); }
                else { const c = tip._content; tip = window.L.tooltip().setLatLng(l.getLatLng())
                    .setContent(c instanceof Node ? c.cloneNode(true) : c).addTo(window.map); }
            } catch (e) { return; }
            const t = tip.getElement && tip.getElement();
            if (t) out.push(t.innerText);
            if (l._map) { l.closeTooltip(); } else { tip.remove(); }
        }
    });
    return out;
}"""
#: JS: elements a payload would have created had it been parsed as HTML (the page and
#: the folium frame have inline scripts of their own: count only those holding a payload).
#: Scripts whose code (outside its double-quoted string literals) holds a payload, plus
#: elements a payload would create. The map's own script carries the geography as JSON
#: (strings, with "<" and ">" escaped): payload text there is data; out of a string, code.
INJECTED = r"""() => Array.from(document.querySelectorAll('script:not([src])'))
        .filter(s => s.textContent.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').includes('__pwned')).length
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

    # Hover the timeline (its tooltip shows event titles) and read the table.
    wait_idle(page)  # the popups opened above sent their selections: the page reruns for them
    chart = page.locator(".st-key-dash_timeline canvas").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    tip = page.locator(".st-key-dash_timeline .dash-tip")
    tipped = set()
    if box:
        for i in range(120):
            page.mouse.move(box["x"] + box["width"] * (i + 0.5) / 120, box["y"] + box["height"] * (0.1 + 0.7 * (i % 6) / 5))
            if tip.is_visible():
                tipped.add(tip.inner_text())
    page.mouse.move(2, 2)
    assert tipped, "the timeline showed no tooltip"
    table = page.locator(".st-key-dash_table .dash-table").inner_text()
    assert [h for h in HOSTILE if h in table], "the table shows no title literally"
    _no_payload_ran(page, dialogs, errors)

    # The tour: title, narrative, speaker notes, sources; popups of each step's map.
    page.get_by_role("button", name="Start the guided tour").click()
    narrative = page.locator(".st-key-dash_tour .dash-tour")
    narrative.wait_for(timeout=30_000)
    wait_idle(page)
    seen = set()
    for step in range(1, 12):
        narrative.locator(".count", has_text=re.compile(rf"^{step} / 11$")).wait_for(timeout=30_000)
        wait_idle(page)
        notes = narrative.locator("summary", has_text="Speaker notes")
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
            narrative.get_by_role("button", name="Next ▶").click()
    # Markdown-looking and HTML-looking payloads appear literally in the narrative.
    assert "<script>window.__pwned=1;alert(1)</script>" in seen or "</script><script>window.__pwned=1</script>" in seen
    assert "[click me](javascript:alert(1))" in seen
    assert len(seen) >= 6, seen
    _no_payload_ran(page, dialogs, errors)
    (ARTIFACTS / "hostile-console.log").write_text("\n".join(console), encoding="utf-8")
