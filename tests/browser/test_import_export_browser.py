"""Bring your own events, in real Chromium: a hostile CSV shows as plain text,
and the downloaded standalone map paints with the network blocked."""

from __future__ import annotations

import csv

from tests.browser.conftest import (
    ARTIFACTS,
    AS_USER,
    EACH_EVENT_MARKER,
    MAP_FRAME,
    SHOWN_TITLES,
    map_eval,
    wait_for_map,
    wait_idle,
)

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
    page.locator('.st-key-uploads input[type="file"]').set_input_files(str(hostile_csv(tmp_path / "hostile.csv")))
    page.get_by_text("1 imported, 1 rejected").wait_for(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "row 3" in sidebar and "event_date" in sidebar and "not a date" in sidebar
    page.wait_for_function(f"() => ({SHOWN_TITLES})().some(t => t.includes({PAYLOADS['title']!r}))", timeout=30_000)
    # Click the imported event's marker as a user would: its popup asks the server for the details.
    point = map_eval(page, "(title) => { " + EACH_EVENT_MARKER + """ let m = null; const s = window.parent.DashPage.store();
        eachEventMarker(l => { if (s.cols.title.get(l.eventRow).includes(title)) m = l; });
        """ + AS_USER + """
        window.map.setView(m.getLatLng(), 12, {animate: false});
        const p = window.map.latLngToContainerPoint(m.getLatLng()); return [p.x, p.y]; }""", PAYLOADS["title"])
    page.wait_for_function(f"() => document.querySelector('{MAP_FRAME}').contentWindow.map.getZoom() === 12")
    box = page.locator(MAP_FRAME).bounding_box()
    # Its place in Yerevan holds 2 events, drawn as a group: spread it out (as a click on its count does).
    find = "(title) => { " + EACH_EVENT_MARKER + """ let m = null, g = null; const s = window.parent.DashPage.store();
        window.map.eachLayer(l => { if (l.getVisibleParent && l.getLayers) g = l; });
        eachEventMarker(l => { if (s.cols.title.get(l.eventRow).includes(title)) m = l; });
        if (!m._map) { const parent = g && g.getVisibleParent(m); if (parent && parent.spiderfy) parent.spiderfy(); return null; }
        const p = window.map.latLngToContainerPoint(m.getLatLng()); return [p.x, p.y]; }"""
    frame_ = page.wait_for_selector(MAP_FRAME).content_frame()
    frame_.wait_for_function(find, arg=PAYLOADS["title"], timeout=10_000)
    page.wait_for_timeout(400)  # the spreading animation (markercluster's, 0.3 s) ends
    point = map_eval(page, find, PAYLOADS["title"])
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    popup = page.frame_locator(MAP_FRAME).locator(".event-popup")
    popup.get_by_text("Actors:").wait_for(timeout=15_000)  # the details came with the selection
    text = popup.inner_text()
    assert PAYLOADS["title"] in text and PAYLOADS["actor"] in text and "</textarea><b>bold?</b>" in text
    assert popup.locator("img, script, b, textarea").count() == 0
    assert popup.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert map_eval(page, "() => window.__pwned") is None
    assert dialogs == [] and errors == []
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_downloaded_standalone_map_paints_offline(page, server, browser):
    page.goto(server + "/?from=2023-07-01&to=2023-07-15")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Download this view").click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Map as standalone HTML").click()
    target = ARTIFACTS / "downloaded-map.html"
    info.value.save_as(str(target))
    html = target.read_text(encoding="utf-8")
    assert "Protest" in html and "1 Jul 2023" in html
    assert info.value.suggested_filename == "armenia-azerbaijan-map-2023-07-01_2023-07-15.html"
    blocked: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "about:"))
              else (blocked.append(route.request.url), route.abort()))
    offline = ctx.new_page()
    errors = []
    offline.on("pageerror", lambda e: errors.append(str(e)))
    offline.goto(target.as_uri())
    offline.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length >= 10"
                              " && window.DashMap.paints > 0", timeout=30_000)
    # The window's events (15 July included) are drawn, as on the page.
    assert offline.evaluate("() => window.DashMap.shown.length") == \
        offline.evaluate("() => window.DashPage.store().cols.n") > 0
    offline.screenshot(path=str(ARTIFACTS / "downloaded-map-offline.png"))
    assert offline.evaluate("() => typeof L") == "object"
    assert blocked == [] and errors == []
    ctx.close()


def test_downloaded_presentation_walks_offline_and_the_view_image_is_a_png(page, server, browser):
    """From the page: "Download the tour" gives the offline presentation file, which walks
    from disk with the keys; "Image of this view" gives a 1920×1080 PNG drawn on the server."""
    page.goto(server + "/?from=2023-07-01&to=2023-07-15")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Download the tour").click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Offline presentation (one HTML file)").click()
    assert info.value.suggested_filename == "armenia-azerbaijan-tour.html"
    target = ARTIFACTS / "downloaded-presentation.html"
    info.value.save_as(str(target))
    assert target.stat().st_size <= 3_000_000
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    blocked: list[str] = []
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "about:"))
              else (blocked.append(route.request.url), route.abort()))
    deck = ctx.new_page()
    errors: list[str] = []
    deck.on("pageerror", lambda e: errors.append(str(e)))
    deck.goto(target.as_uri())
    deck.wait_for_function("() => window.DashDeck && window.DashDeck.step() === 1", timeout=30_000)
    deck.keyboard.press("PageDown")
    deck.wait_for_function("() => window.DashDeck.step() === 2 && window.DashPage.state().tour.step === 2")
    assert deck.locator("#deck-tour .count").inner_text() == "2 / 11"
    assert blocked == [] and errors == []
    ctx.close()

    page.get_by_text("Download this view").click()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Image of this view (PNG, 1920×1080)").click()
    assert info.value.suggested_filename == "map-2023-07-01_2023-07-15.png"
    png = ARTIFACTS / "downloaded-view.png"
    info.value.save_as(str(png))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1920 and int.from_bytes(data[20:24], "big") == 1080
