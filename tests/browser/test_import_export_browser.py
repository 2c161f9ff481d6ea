"""Bring your own events, in real Chromium: a hostile CSV shows as plain text,
and the downloaded standalone map paints with the network blocked."""

from __future__ import annotations

import csv

from tests.browser.conftest import ARTIFACTS, MAP_FRAME, map_eval, wait_for_map, wait_idle

PAYLOADS = {
    "title": '<img src=x onerror="window.__pwned=1">',
    "actor": "<script>window.__pwned=2</script>",
    "notes": "`${window.__pwned=3}` </textarea><b>bold?</b>",
    "source": "javascript:window.__pwned=4",
}


def hostile_csv(path):
    header = ["event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
              "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerow(["XSS1", "14 July 2023", "1", PAYLOADS["title"], "Peaceful protest", PAYLOADS["actor"],
                    "Yerevan", "40.18", "44.51", "1", PAYLOADS["source"], PAYLOADS["notes"], "0"])
        w.writerow(["BAD2", "not a date", "1", "Protests", "x", "y", "Goris", "39.5", "46.3", "1", "s", "n", "0"])
    return path


def test_uploaded_hostile_csv_shows_as_text_and_runs_nothing(page, server, tmp_path):
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/?from=2023-07-01&to=2023-07-15")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Import your events").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(hostile_csv(tmp_path / "hostile.csv")))
    page.get_by_text("1 imported, 1 rejected").wait_for(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "row 3" in sidebar and "event_date" in sidebar and "not a date" in sidebar
    page.wait_for_function(
        f"""() => {{ const w = document.querySelector('{MAP_FRAME}').contentWindow; let found = false;
                 w.map && w.map.eachLayer(l => {{ if (l.eventId === 'XSS1') found = true; }}); return found; }}""",
        timeout=30_000)
    map_eval(page, "() => { window.map.eachLayer(l => { if (l.eventId === 'XSS1') l.openPopup(); }); }")
    popup = page.frame_locator(MAP_FRAME).locator(".event-popup")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert PAYLOADS["title"] in text and PAYLOADS["actor"] in text and "</textarea><b>bold?</b>" in text
    assert popup.locator("img, script, b, textarea").count() == 0
    assert popup.locator("a[href^='javascript']").count() == 0
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None
    assert map_eval(page, "() => window.__pwned") is None
    assert dialogs == [] and errors == []
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_downloaded_standalone_map_paints_offline(page, server, browser):
    page.goto(server + "/?from=2023-07-01&to=2023-07-15")
    wait_for_map(page)
    wait_idle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Map as standalone HTML").click()
    target = ARTIFACTS / "downloaded-map.html"
    info.value.save_as(str(target))
    html = target.read_text(encoding="utf-8")
    assert "Protest" in html and "1 Jul 2023" in html
    blocked: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "about:"))
              else (blocked.append(route.request.url), route.abort()))
    offline = ctx.new_page()
    errors = []
    offline.on("pageerror", lambda e: errors.append(str(e)))
    offline.goto(target.as_uri())
    offline.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length >= 10", timeout=30_000)
    offline.screenshot(path=str(ARTIFACTS / "downloaded-map-offline.png"))
    assert offline.evaluate("() => typeof L") == "object"
    assert blocked == [] and errors == []
    ctx.close()
