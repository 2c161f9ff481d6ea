"""Presenter mode through AppTest: every step of the default tour sets its layers,
window, selection and view, the URL holds the step, and leaving the tour gives
back the view the user had. The keys and the tour panel's buttons reach the page
as the browser sends them (trigger values of the state component)."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dataset import load_dataset
from tests.conftest import ROOT, rendered
from tests.page import browser_state, component_data, pills, query, run_page, send, shown_layers

TOUR = load_dataset(ROOT / "data").tour


def press(at, action: str, **extra):
    press.n = getattr(press, "n", 0) + 1
    return send(at, "key", {"action": action, "at": press.n, **extra})


@pytest.fixture(scope="module")
def walk():
    """Start the tour from the sidebar, then press Next (the clicker's PageDown) through every step."""
    at = run_page()
    at.sidebar.button(key="start_tour").click().run()
    seen = []
    for n in range(1, len(TOUR) + 1):
        seen.append((browser_state(at), shown_layers(at), at.sidebar.slider(key="window").value, query(at)))
        if n < len(TOUR):
            press(at, "next")
    return at, seen


def test_the_default_tour_has_eleven_steps_and_the_panel_gets_their_text():
    assert len(TOUR) == 11
    at = run_page(step="1")
    steps = component_data(at, "dash_data")["tour"]
    assert [(s["title"], s["narrative"], s["notes"]) for s in steps] == [(s.title, s.narrative, s.notes) for s in TOUR]


@pytest.mark.parametrize("n", range(1, 12))
def test_each_step_sets_its_layers_window_view_and_url(walk, n):
    _, seen = walk
    state, layers, window, url = seen[n - 1]
    step = TOUR[n - 1]
    assert state["tour"] == {"step": n, "of": 11}
    assert layers == set(step.layers)
    assert window == step.window
    assert url["step"] == str(n)
    assert url["from"] == step.window[0].isoformat() and url["to"] == step.window[1].isoformat()
    if step.bounds is not None:
        (s, w), (nn, e) = step.bounds
        assert state["view"]["bounds"] == [[s, w], [nn, e]]
    if step.highlight:
        assert state["sel"]["id"] == step.highlight


def test_each_step_moves_the_map_again_even_to_the_same_view(walk):
    _, seen = walk
    nonces = [state["view"]["nonce"] for state, *_ in seen]
    assert nonces == sorted(set(nonces))


def test_prev_first_last_goto_and_back(walk):
    at, _ = walk
    press(at, "prev")
    assert browser_state(at)["tour"]["step"] == 10
    press(at, "first")
    assert browser_state(at)["tour"]["step"] == 1
    press(at, "last")
    assert browser_state(at)["tour"]["step"] == 11
    press(at, "goto", step=3)
    assert browser_state(at)["tour"]["step"] == 3
    assert at.sidebar.slider(key="window").value == TOUR[2].window
    nonce = browser_state(at)["view"]["nonce"]
    press(at, "back")
    assert browser_state(at)["tour"]["step"] == 3 and browser_state(at)["view"]["nonce"] > nonce
    press(at, "prev") and press(at, "prev") and press(at, "prev")
    assert browser_state(at)["tour"]["step"] == 1  # no step 0
    press(at, "goto", step=99)
    assert browser_state(at)["tour"]["step"] == 1


def test_keys_do_nothing_outside_the_tour():
    at = run_page()
    press(at, "next")
    assert browser_state(at)["tour"] is None
    assert shown_layers(at) == {k for k in browser_state(at)["layers"]}


def test_a_url_step_opens_that_step_and_a_bad_one_falls_back_to_step_1():
    at = run_page(step="4")
    assert browser_state(at)["tour"]["step"] == 4 and shown_layers(at) == set(TOUR[3].layers)
    bad = run_page(step="99")
    assert browser_state(bad)["tour"]["step"] == 1
    assert any("There is no step 99 (the tour has 11 steps)" in rendered(t.value) for t in bad.toast)


def test_leaving_the_tour_gives_back_the_view_the_user_had():
    at = run_page(layers="countries,cat:protest", **{"from": "2023-07-01", "to": "2023-07-14"})
    at.sidebar.button(key="start_tour").click().run()
    press(at, "goto", step=10)
    assert shown_layers(at) == set(TOUR[9].layers)
    send(at, "tour", {"action": "leave", "at": 1})
    state = browser_state(at)
    assert state["tour"] is None and "step" not in query(at)
    assert shown_layers(at) == {"countries", "cat:protest"}
    assert at.sidebar.slider(key="window").value == (dt.date(2023, 7, 1), dt.date(2023, 7, 14))
    assert set(pills(at, "cats").value) == {"protest"}
    assert state["view"]["bounds"] == [[38.3, 43.4], [42.0, 50.5]] and state["sel"] is None


def test_far_venue_steps_draw_the_distance_lines_of_the_venues_of_their_events(walk):
    _, seen = walk
    data = load_dataset(ROOT / "data")
    places = data.layers["places"].set_index("id")
    events = data.events.set_index("id")
    expected = {6: {"the-hague"}, 8: {"moscow"}, 11: {"brussels", "moscow"}}
    for (state, *_), step in zip(seen, TOUR):
        assert set(state["distances"]) == expected.get(step.number, set()), step.number
        for venue in state["distances"]:  # the venue itself is off the step's view: drawn at the map's edge
            (s, w), (n, e) = step.view_bounds()
            assert not (s <= places.geometry[venue].y <= n and w <= places.geometry[venue].x <= e)
    assert events.loc["icj-order", "latitude"] > 50  # the step 6 event is at The Hague


def test_leaving_the_tour_goes_back_to_the_map_view_the_browser_had_before_it():
    at = run_page(layers="countries,places")
    at.sidebar.button(key="start_tour").click().run()
    press(at, "goto", step=6)
    send(at, "tour", {"action": "leave", "view": {"lat": 40.18, "lon": 44.51, "zoom": 9}, "at": 2})
    view = browser_state(at)["view"]
    assert view["center"] == [40.18, 44.51] and view["zoom"] == 9 and view["fly"]
    assert shown_layers(at) == {"countries", "places"}


@pytest.mark.parametrize("bad", [{"lat": "x", "lon": 1, "zoom": 3}, {"lat": 95, "lon": 1, "zoom": 3},
                                 {"lat": 40, "lon": 44, "zoom": float("nan")}, {"lat": True, "lon": 1, "zoom": 3}, [1, 2]])
def test_leaving_with_a_view_that_is_not_one_goes_to_the_default_view(bad):
    at = run_page()
    at.sidebar.button(key="start_tour").click().run()
    send(at, "tour", {"action": "leave", "view": bad, "at": 3})
    state = browser_state(at)
    assert state["tour"] is None and state["view"]["bounds"] == [[38.3, 43.4], [42.0, 50.5]]


def test_reset_view_from_a_tour_step_gives_the_default_page():
    at = run_page(step="7")
    send(at, "tour", {"action": "reset", "at": 4})
    state = browser_state(at)
    assert state["tour"] is None and state["sel"] is None and state["open"] is None
    assert state["window"] == state["span"]
    assert set(state["layers"]) == set(browser_state(run_page())["layers"])  # the page's defaults
    assert state["view"]["bounds"] == [[38.3, 43.4], [42.0, 50.5]]


def test_reset_view_outside_the_tour_gives_back_every_layer_and_the_whole_span():
    at = run_page(layers="countries", **{"from": "2023-07-01", "to": "2023-07-02"})
    send(at, "tour", {"action": "reset", "at": 5})
    state = browser_state(at)
    assert len(state["layers"]) > 1 and state["window"] == state["span"]


def test_a_step_subject_is_marked_for_the_text_panel_and_a_clicked_event_is_not():
    at = run_page(step="10")
    state = browser_state(at)
    assert state["open"]["id"] == "stepanakert-rally" and state["open"]["subject"] is True
    from geo.window import EventIndex

    ids = list(EventIndex.build(load_dataset(ROOT / "data").events).table["id"])
    other = ids.index("pashinyan-blockade-statement")
    send(at, "select", {"kind": "event", "row": other, "at": 6})
    assert "subject" not in browser_state(at)["open"]


def test_every_step_view_takes_in_its_highlight_or_keeps_the_region_for_a_far_venue():
    from geo.page_model import venues_near

    data = load_dataset(ROOT / "data")
    places = data.layers["places"].set_index("id")
    venues = {v: (places.geometry[v].y, places.geometry[v].x) for v in ("brussels", "moscow", "the-hague")}
    events = data.events.set_index("id")
    shapes = {str(r.id): r.geometry for gdf in data.layers.values() for r in gdf.itertuples() if r.geometry is not None}
    for step in TOUR:
        if not step.highlight:
            continue
        (s, w), (n, e) = step.view_bounds()
        if step.highlight in events.index:
            lat, lon = events.loc[step.highlight, ["latitude", "longitude"]]
            if venues_near([(lat, lon)], venues):
                continue  # drawn at the map's edge
            assert s <= lat <= n and w <= lon <= e, step.number
        else:
            x0, y0, x1, y1 = shapes[step.highlight].bounds
            assert s <= y0 and y1 <= n and w <= x0 and x1 <= e, step.number
