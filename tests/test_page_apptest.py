"""The page through Streamlit's AppTest: widgets in; counts, the browser's state
and the URL out.

AppTest cannot see inside the browser (tests/browser/ does that); here we check
what the page computes and sends, and that no setting raises.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo.catalog import CATEGORIES, LAYER_FILES
from geo.dataset import load_dataset
from tests.conftest import ROOT, rendered
from tests.page import browser_state, component_data, counts, pills, query, run_page, shown_layers

FULL = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))
ALL_LAYERS = {*LAYER_FILES, *(f"cat:{c}" for c in CATEGORIES)}


@pytest.fixture(scope="module")
def page():
    return run_page()


def test_default_view_shows_every_layer_and_all_18_events(page):
    assert page.sidebar.slider(key="window").value == FULL
    assert set(pills(page, "geo").value) == set(LAYER_FILES)
    assert set(pills(page, "cats").value) == set(CATEGORIES)
    assert counts(page) == {"Diplomacy": "7", "Protest": "1", "Access and checkpoints": "7", "Legal": "2",
                            "Armed clash": "1", "Imported events": "0"}
    assert shown_layers(page) == ALL_LAYERS
    assert query(page)["from"] == "2020-11-10" and query(page)["to"] == "2023-07-15"


def test_the_store_holds_the_categories_the_features_events_and_the_tour(page):
    data = component_data(page, "dash_data")
    assert data is not None and data["kind"] == "data"
    assert [c["key"] for c in data["categories"]] == list(CATEGORIES)
    dataset = load_dataset(ROOT / "data")
    assert [s["title"] for s in data["tour"]] == [s.title for s in dataset.tour]
    # Every event naming a feature is listed under it, by its row in the store.
    named = sum(len(f) for f in dataset.events["features"])
    assert sum(len(rows) for rows in data["featureRows"].values()) == named


def test_the_slider_changes_counts_state_and_url():
    at = run_page()
    at.sidebar.slider(key="window").set_value((dt.date(2023, 7, 1), dt.date(2023, 7, 12))).run()
    assert not at.exception
    assert counts(at)["Protest"] == "0" and counts(at)["Access and checkpoints"] == "1" and counts(at)["Legal"] == "1"
    assert browser_state(at)["window"] == ["2023-07-01", "2023-07-12"]
    assert query(at)["from"] == "2023-07-01" and query(at)["to"] == "2023-07-12"


@pytest.mark.parametrize("key", sorted(ALL_LAYERS))
def test_every_layer_switches_off_and_on(key):
    at = run_page()
    group, value = ("cats", key.removeprefix("cat:")) if key.startswith("cat:") else ("geo", key)
    toggles = pills(at, group)
    toggles.set_value([v for v in toggles.value if v != value]).run()
    assert not at.exception
    assert key not in shown_layers(at) and key not in query(at)["layers"].split(",")
    toggles = pills(at, group)
    toggles.set_value([*toggles.value, value]).run()
    assert key in shown_layers(at) and key in query(at)["layers"].split(",")


def test_category_toggle_keeps_its_state_when_its_count_label_changes():
    at = run_page()
    cats = pills(at, "cats")
    cats.set_value([c for c in cats.value if c != "protest"]).run()
    at.sidebar.slider(key="window").set_value((dt.date(2023, 7, 1), dt.date(2023, 7, 12))).run()
    assert "protest" not in pills(at, "cats").value
    assert "cat:protest" not in shown_layers(at)


def test_a_shared_url_restores_layers_window_selection_and_view():
    at = run_page(layers="countries,cat:protest", **{"from": "2023-07-10", "to": "2023-07-14"}, sel="stepanakert",
                  c="39.81530,46.75190", z="9")
    assert shown_layers(at) == {"countries", "cat:protest"}
    assert at.sidebar.slider(key="window").value == (dt.date(2023, 7, 10), dt.date(2023, 7, 14))
    state = browser_state(at)
    assert state["sel"] == {"kind": "feature", "id": "stepanakert"}
    assert state["open"] == {"kind": "feature", "id": "stepanakert"}
    assert state["view"]["center"] == [39.8153, 46.7519] and state["view"]["zoom"] == 9
    assert query(at)["sel"] == "stepanakert"
    assert not at.warning


def test_a_link_to_an_event_opens_its_popup_with_its_details():
    at = run_page(ev="stepanakert-rally")
    state = browser_state(at)
    assert state["sel"]["kind"] == "event" and state["sel"]["id"] == "stepanakert-rally"
    assert state["open"]["row"] == state["sel"]["row"]
    # A built-in event's details travel with the store, not with the state.
    assert "details" not in state["open"]
    details = component_data(at, "dash_data")["details"][str(state["open"]["row"])]
    assert details["id"] == "stepanakert-rally"
    assert "AFP" in " ".join(s[0] for s in details["sources"])
    assert query(at)["ev"] == "stepanakert-rally"


def test_an_imported_events_details_come_with_its_selection(tmp_path, monkeypatch):
    csv = tmp_path / "one.csv"
    csv.write_text("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,location,"
                   "latitude,longitude,geo_precision,source,notes,fatalities\n"
                   "ARM9,14 July 2023,1,Protests,Peaceful protest,Protesters,Police,Yerevan,40.18,44.51,1,Local,"
                   "A crowd <b>gathered</b>,0\n", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_EVENTS", str(csv))
    at = run_page(ev="ARM9")
    state = browser_state(at)
    assert state["open"]["details"]["actors"] == "Protesters / Police"
    assert state["open"]["details"]["summary"] == "A crowd <b>gathered</b>"  # text, inserted as text
    assert str(state["open"]["row"]) not in component_data(at, "dash_data")["details"]


def test_nonsense_parameters_fall_back_with_a_notice():
    at = run_page(layers="everything", **{"from": "2023-13-45"}, base="satellite", sel="atlantis", ev="nothing",
                  c="91,0", z="3")
    assert not at.warning  # one notice, floating (a toast: it does not push the map down), not a warning each
    assert len(at.toast) == 1
    notes = rendered(at.toast[0].value)
    assert "unknown layer 'everything'" in notes and "'from'" in notes and "basemap 'satellite'" in notes
    assert "no feature 'atlantis'" in notes and "no event 'nothing'" in notes and "map view" in notes
    assert at.sidebar.slider(key="window").value == FULL
    assert shown_layers(at) == ALL_LAYERS


def test_an_imported_file_joins_counts_and_store(tmp_path, monkeypatch):
    csv = tmp_path / "mine.csv"
    csv.write_text("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,location,"
                   "latitude,longitude,geo_precision,source,notes,fatalities\n"
                   "ARM1,14 July 2023,1,Protests,Peaceful protest,Protesters,Yerevan,40.18,44.51,1,Local,=cmd,0\n"
                   "ARM2,2023-07-02,3,Protests,Peaceful protest,Protesters,Goris,39.5,46.3,3,Local,x,0\n",
                   encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_EVENTS", str(csv))
    at = run_page()
    assert counts(at)["Imported events"] == "2"
    assert "2 imported, 0 rejected" in " ".join(rendered(s.value) for s in at.sidebar.success)
    at.sidebar.slider(key="window").set_value((dt.date(2023, 7, 10), dt.date(2023, 7, 20))).run()
    assert counts(at)["Imported events"] == "2"  # the month-precision event overlaps the window
    at.sidebar.slider(key="window").set_value((dt.date(2023, 6, 1), dt.date(2023, 6, 30))).run()
    assert counts(at)["Imported events"] == "0"


def test_a_broken_import_file_is_reported_and_loses_nothing(tmp_path, monkeypatch):
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    monkeypatch.setenv("DASHBOARD_EVENTS", str(bad))
    at = run_page()
    errors = " ".join(rendered(e.value) for e in at.sidebar.error)
    assert "broken.csv" in errors
    assert sum(int(v) for v in counts(at).values()) == 18
