"""Issue 15, in real Chromium: exploring as a Liveuamap, ACLED or Kepler user would.

Linked views (a selection from the map, the table, the timeline or the search shows
in the other three), links that reopen the same view, play through time in the
browser, the search over summaries, imports that say what falls outside the window,
the aggregated view, and honest notices on the map.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import (
    MAP_FRAME,
    in_view,
    map_eval,
    page_state,
    paints,
    same_view,
    shown_titles,
    wait_for_map,
    wait_idle,
    wait_painted,
)

RALLY = "Rally in Stepanakert (Khankendi) demands the Lachin corridor reopen"
SHOOTING = "Shooting at the Hakari bridge"
BRUSSELS_TALKS = "Aliyev and Pashinyan meet in Brussels, hosted by Charles Michel"

#: JS (page): rows of the store by title.
ROW_OF = """(title) => { const s = window.DashPage.store(); for (let i = 0; i < s.cols.n; i++)
    if (s.cols.title.get(i).startsWith(title)) return i; return null; }"""


def open_page(page, server, query: str = "", min_paths: int = 5):
    page.goto(server + "/" + (("?" + query) if query else ""))
    wait_for_map(page, min_paths=min_paths)
    wait_idle(page)
    return page


def params(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def frame(page):
    return page.frame_locator(MAP_FRAME)


def row_of(page, title: str) -> int:
    return page.evaluate(ROW_OF, title)


def selected_everywhere(page) -> dict:
    """What each view marks as selected: the state, the table's row, the timeline's dot,
    the search list's entry, and the map's open popup (its title)."""
    table = in_view(page, "dash_table").locator("tr.selected")
    search = in_view(page, "dash_filters").locator("ol.matches button.selected")
    popup = frame(page).locator(".event-popup h4")
    sel = page_state(page)["sel"]
    return {
        "state": sel["row"] if sel and sel["kind"] == "event" else None,
        "table": int(table.get_attribute("data-row")) if table.count() == 1 else None,
        "timeline": in_view(page, "dash_timeline").locator(".dash-timeline").get_attribute("data-selected"),
        "search": int(search.get_attribute("data-row")) if search.count() == 1 else None,
        "popup": popup.inner_text() if popup.count() == 1 else None,
    }


def wait_selected(page, row: int, timeout: float = 20_000) -> None:
    page.wait_for_function("(row) => { const s = window.DashPage.state(); return s && s.sel && s.sel.row === row; }",
                           arg=row, timeout=timeout)
    wait_idle(page)
    # the map shows one popup, the selected event's (the last one may still be closing)
    page.wait_for_function(f"""(row) => {{ const w = document.querySelector('{MAP_FRAME}').contentWindow;
        const t = window.DashPage.store().cols.title.get(row), h = w.document.querySelectorAll('.event-popup h4');
        return h.length === 1 && h[0].textContent === t; }}""", arg=row, timeout=timeout)


def in_map_view(page, row: int) -> bool:
    """Whether the event of ``row`` lies inside the map's view now."""
    s = page.evaluate("(r) => { const c = window.DashPage.store().cols; return [c.lat[r], c.lon[r]]; }", row)
    return map_eval(page, "([lat, lon]) => window.map.getBounds().contains([lat, lon])", s)


def search(page, text: str) -> None:
    box = in_view(page, "dash_filters").locator("input[type=search]")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("(q) => { const s = window.DashPage.state(); return s && s.filters && s.filters.q === q; }",
                           arg=text, timeout=20_000)
    wait_idle(page)


def test_selecting_from_each_of_the_four_places_shows_in_the_other_three(page, server):
    open_page(page, server)
    search(page, "Lachin")  # a search that lists several events, so the fourth place has entries
    listed = in_view(page, "dash_filters").locator("ol.matches button")
    assert listed.count() >= 3
    rally, shooting = row_of(page, RALLY), row_of(page, SHOOTING)

    # 1. The table: the map goes to the event and opens its popup, the timeline rings its dot,
    #    the search list marks it.
    map_eval(page, "() => window.map.setView([50.8, 4.4], 9, {animate: false})")  # far away, over Brussels
    in_view(page, "dash_table").locator(f'tr[data-row="{rally}"]').click()
    wait_selected(page, rally)
    page.wait_for_function(f"() => !document.querySelector('{MAP_FRAME}').contentWindow.DashMap.moving", timeout=10_000)
    page.wait_for_timeout(1200)  # the flight
    seen = selected_everywhere(page)
    assert seen == {"state": rally, "table": rally, "timeline": str(rally), "search": rally, "popup": RALLY}, seen
    assert in_map_view(page, rally)

    # 2. The timeline's dot of the shooting (alone in its category on its day).
    dot = in_view(page, "dash_timeline").locator(".dash-timeline").evaluate(f"el => el.dotOf({shooting})")
    box = in_view(page, "dash_timeline").locator("canvas").bounding_box()
    page.mouse.click(box["x"] + dot[0], box["y"] + dot[1])
    wait_selected(page, shooting)
    seen = selected_everywhere(page)
    assert seen["table"] == shooting and seen["timeline"] == str(shooting) and seen["search"] == shooting
    assert seen["popup"].startswith("Shooting at the Hakari bridge")
    assert in_map_view(page, shooting)

    # 3. A search result.
    in_view(page, "dash_filters").locator(f'ol.matches button[data-row="{rally}"]').click()
    wait_selected(page, rally)
    seen = selected_everywhere(page)
    assert seen == {"state": rally, "table": rally, "timeline": str(rally), "search": rally, "popup": RALLY}, seen

    # 4. A marker on the map (the Brussels talks: no other event at that point).
    talks = row_of(page, BRUSSELS_TALKS)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    point = map_eval(page, f"""() => {{ const r = {talks}; let m = null;
        window.map.eachLayer(l => {{ if (l.eventRow === r) m = l;  // on the map, or in a group of stacked events
            if (l.getLayers) l.getLayers().forEach(x => {{ if (x.eventRow === r) m = x; }}); }});
        window.map.closePopup(); window.map.setView(m.getLatLng(), 12, {{animate: false}});
        const p = window.map.latLngToContainerPoint(m.getLatLng()); return [p.x, p.y]; }}""")
    page.wait_for_timeout(300)
    mbox = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(mbox["x"] + point[0], mbox["y"] + point[1])
    wait_selected(page, talks)
    seen = selected_everywhere(page)
    assert seen == {"state": talks, "table": talks, "timeline": str(talks), "search": talks, "popup": BRUSSELS_TALKS}
    assert params(page)["ev"] == "brussels-talks"


def test_a_url_copied_after_panning_zooming_selecting_and_searching_reopens_the_same_view(page, server,
                                                                                          context_factory):
    open_page(page, server)
    search(page, "corridor")
    rally = row_of(page, RALLY)
    in_view(page, "dash_table").locator(f'tr[data-row="{rally}"]').click()
    wait_selected(page, rally)
    page.wait_for_timeout(1200)
    map_eval(page, "() => { window.map.closePopup(); window.map.setView([39.9, 46.6], 10, {animate: false}); }")
    page.wait_for_function("() => new URLSearchParams(location.search).get('z') === '10'", timeout=15_000)
    copied = page.url
    assert params(page)["ev"] == "stepanakert-rally" and params(page)["q"] == "corridor"

    other = context_factory().new_page()
    other.goto(copied)
    wait_for_map(other, min_paths=5)
    wait_idle(other)
    frame(other).locator(".event-popup h4").wait_for(timeout=20_000)
    assert frame(other).locator(".event-popup h4").inner_text() == RALLY
    view = map_eval(other, "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    assert same_view(view, [39.9, 46.6, 10]), view
    assert in_view(other, "dash_filters").locator("input[type=search]").input_value() == "corridor"
    assert shown_titles(other) == shown_titles(page)
    assert in_view(other, "dash_table").locator("tr.selected").get_attribute("data-row") == str(rally)
    assert params(other)["ev"] == "stepanakert-rally"


def test_play_moves_the_window_and_the_map_without_a_reload_and_pause_keeps_it(page, server):
    open_page(page, server, query="from=2023-07-01&to=2023-07-02")
    map_eval(page, "() => { window.__still = 'the same frame'; }")
    before = shown_titles(page)
    frames: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(len(p))))
    player = in_view(page, "dash_player")
    player.locator("select").first.select_option("day")
    player.locator("select").nth(1).select_option("4")
    applied = map_eval(page, "() => window.DashMap.applied")
    player.locator("button.play").click()
    # The window moves in the browser: by 12 July the map shows other events.
    page.wait_for_function("() => { const w = window.DashPage.playing(); return w && w[0] >= '2023-07-11'; }",
                           timeout=20_000)
    during = shown_titles(page)
    assert during != before
    assert any("smuggling" in t.lower() or "Pashinyan" in t for t in during), during
    assert map_eval(page, "() => window.__still") == "the same frame"
    assert map_eval(page, "() => window.DashMap.applied") > applied + 5
    assert sum(frames) < 2_000, frames  # no rerun per frame (a rerun is about 4 KB)
    label = player.locator(".dash-player").get_attribute("data-window")
    player.locator("button.play").click()  # pause
    page.wait_for_function("() => !window.DashPage.playing()", timeout=20_000)
    wait_idle(page)
    state = page_state(page)
    first, last = state["window"]
    assert first >= "2023-07-11" and params(page)["from"] == first and params(page)["to"] == last
    assert label.split("/")[0] <= first
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').inner_text()
    assert str(int(first[-2:])) + " Jul 2023" in slider


def test_a_search_finds_an_event_by_a_word_of_its_summary(page, server):
    open_page(page, server)
    n = paints(page)
    search(page, "marchers")  # only in the rally's summary: "Marchers went on to the ICRC office..."
    wait_painted(page, n)
    assert shown_titles(page) == [RALLY]
    assert in_view(page, "dash_filters").locator("ol.matches button").count() == 1
    assert RALLY in in_view(page, "dash_filters").locator("ol.matches").inner_text()
    assert "1 match in the window" in in_view(page, "dash_filters").locator(".dash-filters").inner_text()
    assert in_view(page, "dash_table").locator("tr[data-row]").count() == 1
    assert "matching the filters" in in_view(page, "dash_table").locator(".dash-table-head").inner_text()
    assert params(page)["q"] == "marchers"
    # Counts follow the filters.
    cats = page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"] button')
    assert cats.filter(has_text="Protest").inner_text().strip() == "Protest · 1"
    assert cats.filter(has_text="Diplomacy").inner_text().strip() == "Diplomacy · 0"
    in_view(page, "dash_filters").get_by_role("button", name="Clear").click()
    page.wait_for_function("() => !window.DashPage.state().mask", timeout=20_000)
    wait_idle(page)
    assert len(shown_titles(page)) == 18


def test_the_filters_by_country_and_source_kind_narrow_the_map(page, server):
    open_page(page, server, query="country=Netherlands&kind=court")
    titles = shown_titles(page)
    assert titles and all("ICJ" in t or "Court" in t or "court" in t for t in titles), titles
    panel = in_view(page, "dash_filters")
    assert panel.locator("details.more").get_attribute("open") is not None
    assert panel.locator("input[value=Netherlands]").is_checked()


def _csv(path, outside: int = 7, inside: int = 23):
    rows = [f"IN{i},2023-07-{1 + i % 14:02d},40.1{i % 10},44.5{i % 10},Local" for i in range(inside)]
    rows += [f"OUT{i},2023-08-{1 + i:02d},40.2,44.6,Local" for i in range(outside)]
    path.write_text("event_id_cnty,event_date,latitude,longitude,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def upload(page, path) -> None:
    page.get_by_text("Import your events").click()
    page.locator('.st-key-uploads input[type="file"]').set_input_files(str(path))


def test_an_import_with_events_outside_the_window_says_how_many_and_show_all_shows_them(page, server, tmp_path):
    open_page(page, server, query="from=2023-07-01&to=2023-07-15")
    upload(page, _csv(tmp_path / "thirty.csv"))
    page.get_by_text("thirty.csv: 30 imported, 0 rejected").wait_for(timeout=60_000)
    notice = frame(page).locator('.dash-map-notice[data-key="imports"]')
    notice.wait_for(timeout=30_000)
    assert "7 of 30 imported events are outside the date window." in notice.inner_text()
    assert len(shown_titles(page)) == 6 + 23  # the 6 built-in events of 1-15 July and 23 imported
    n = paints(page)
    notice.get_by_role("button", name="Show all").click()
    page.wait_for_function("() => window.DashPage.state().window[1] === '2023-08-07'", timeout=30_000)
    wait_painted(page, n)
    assert len(shown_titles(page)) == 18 + 30
    assert frame(page).locator('.dash-map-notice[data-key="imports"]').count() == 0
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').inner_text()
    assert "10 Nov 2020" in slider and "7 Aug 2023" in slider


def test_an_import_extends_a_window_that_was_the_whole_span(page, server, tmp_path):
    open_page(page, server)
    assert page_state(page)["window"] == ["2020-11-10", "2023-07-15"]
    upload(page, _csv(tmp_path / "later.csv"))
    page.get_by_text("later.csv: 30 imported, 0 rejected").wait_for(timeout=60_000)
    page.wait_for_function("() => window.DashPage.state().window[1] === '2023-08-07'", timeout=30_000)
    wait_idle(page)
    assert len(shown_titles(page)) == 18 + 30
    assert frame(page).locator('.dash-map-notice[data-key="imports"]').count() == 0


def test_hexagons_summarise_the_events_and_switch_back_to_points_without_the_server(page, server):
    open_page(page, server)
    frames: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(len(p))))
    frame(page).locator(".dash-view-switch button[data-view=hex]").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('agg') === 'hex'", timeout=10_000)
    page.wait_for_timeout(500)
    assert frame(page).locator(".leaflet-eventMarkers-pane path").count() == 0
    assert frame(page).locator("canvas.dash-hexes").count() == 1
    info = map_eval(page, "() => window.DashMap.hexInfo")
    assert info["total"] == 18 and info["cells"] >= 3
    legend = frame(page).locator(".dash-hex-legend").inner_text()
    assert "Events per hexagon" in legend and "H3" in legend
    frame(page).locator(".dash-view-switch button[data-view=points]").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).get('agg')", timeout=10_000)
    # the 18 markers are back (those at one place grouped: leaflet.markercluster counts them)
    assert map_eval(page, "() => window.DashMap.shown.length") == 18
    assert map_eval(page, """() => { let n = 0; window.map.eachLayer(l => { if (l.getVisibleParent) n += l.getLayers().length; });
        return n; }""") == 18
    assert sum(frames) < 500, frames  # the switch is the browser's: no rerun
    # A link with agg=hex opens on the hexagons.
    again = open_page(page, server, query="agg=hex")
    again.wait_for_timeout(500)
    assert frame(again).locator("canvas.dash-hexes").count() == 1
    assert frame(again).locator(".dash-view-switch button.on").inner_text() == "Hexagons"


def test_events_off_screen_are_hinted_at_the_edge_and_a_hint_goes_to_them(page, server):
    open_page(page, server)
    hints = frame(page).locator(".dash-offscreen-hint")
    hints.first.wait_for(timeout=10_000)
    # once the map has settled on the region's view (it re-fits when its frame is sized):
    # Brussels, The Hague (2) and Moscow (3)
    total = f"""() => Array.from(document.querySelector('{MAP_FRAME}').contentWindow.document
        .querySelectorAll('.dash-offscreen-hint')).reduce((n, h) => n + (+h.dataset.count), 0)"""
    try:
        page.wait_for_function(total + " === 6", timeout=15_000)
    except Exception:
        pass
    assert page.evaluate(total) == 6
    north = frame(page).locator('.dash-offscreen-hint[data-sector="north"]')
    assert "Moscow" in north.get_attribute("title")
    north.click()
    page.wait_for_function(f"""() => {{ const m = document.querySelector('{MAP_FRAME}').contentWindow.map;
        return m.getBounds().contains([55.75, 37.62]); }}""", timeout=10_000)


def test_a_web_basemap_that_cannot_load_says_so_once_and_offers_the_offline_one(page, server):
    open_page(page, server, query="base=osm")
    notice = frame(page).locator('.dash-map-notice[data-key="basemap"]')
    notice.wait_for(timeout=20_000)
    assert "OpenStreetMap could not be loaded" in notice.inner_text()
    notice.get_by_role("button", name="Use None (offline)").click()
    page.wait_for_function("() => window.DashPage.state().basemap === 'none'", timeout=30_000)
    wait_idle(page)
    assert params(page)["base"] == "none"
    assert "context" in page_state(page)["layers"]
    assert page.locator('.st-key-base input').input_value() == "None (offline)"
    assert frame(page).locator('.dash-map-notice[data-key="basemap"]').count() == 0


def test_bad_url_parameters_give_one_dismissible_notice_that_does_not_push_the_map_down(page, server,
                                                                                         context_factory):
    clean = open_page(context_factory().new_page(), server)
    top = clean.locator(MAP_FRAME).bounding_box()["y"]
    open_page(page, server, query="from=yesterday&layers=bogus&sel=%3Cb%3Ex&fat=7&agg=heat")
    toast = page.locator('[data-testid="stToast"]')
    toast.wait_for(timeout=10_000)
    assert toast.count() == 1
    text = toast.inner_text()
    assert text.count("•") == 5 and "'yesterday' is not a date" in text and "'<b>x'" in text
    assert page.locator('[data-testid="stAlert"]').count() == 0
    assert page.locator(MAP_FRAME).bounding_box()["y"] == pytest.approx(top, abs=2)
    toast.get_by_role("button").last.click()
    toast.wait_for(state="detached", timeout=10_000)


def test_selecting_a_shape_lists_its_events_in_the_table(page, server):
    open_page(page, server, query="sel=stepanakert")
    table = in_view(page, "dash_table")
    head = table.locator(".dash-table-head").inner_text()
    assert "naming Stepanakert / Khankendi" in head
    titles = table.locator("tr[data-row] td:nth-child(2)").all_inner_texts()
    assert RALLY in titles and BRUSSELS_TALKS not in titles
    table.get_by_role("button", name="Show all events").click()
    assert table.locator("tr[data-row]").count() == 18


def test_an_event_selected_in_the_table_far_off_screen_and_stacked_opens_its_popup(page, server):
    """The ICJ order sits at the Peace Palace with another event (a group of 2): selected from
    the table while the map shows the South Caucasus, the map flies there and opens its popup."""
    open_page(page, server)
    icj = row_of(page, "ICJ orders Azerbaijan")
    assert not in_map_view(page, icj)
    in_view(page, "dash_table").locator(f'tr[data-row="{icj}"]').click()
    wait_selected(page, icj)
    assert frame(page).locator(".event-popup h4").inner_text().startswith("ICJ orders Azerbaijan")
    page.wait_for_function(f"""(r) => {{ const w = document.querySelector('{MAP_FRAME}').contentWindow, c = window.DashPage.store().cols;
        return !w.DashMap.moving && w.map.getBounds().contains([c.lat[r], c.lon[r]]); }}""", arg=icj, timeout=10_000)
    # still open once the map is there, and one: a popup the event's group replaced fades out in 200 ms
    page.wait_for_function(f"""() => document.querySelector('{MAP_FRAME}').contentDocument
        .querySelectorAll('.event-popup h4').length === 1""", timeout=5_000)
    assert frame(page).locator(".event-popup h4").inner_text().startswith("ICJ orders Azerbaijan")
