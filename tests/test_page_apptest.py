"""The page through Streamlit's AppTest: widgets in, counts, lists and URL out.

AppTest cannot see inside the st_folium map (tests/browser/ does that); here we
check what the page itself shows and that no setting raises.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from geo.catalog import CATEGORIES, LAYER_FILES
from tests.conftest import ROOT

FULL = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))


def run_page(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def counts(at: AppTest) -> dict[str, str]:
    """Category label -> count text as the sidebar shows it."""
    labels = [c.label for c in at.sidebar.checkbox if c.key.startswith("show:cat:")]
    return {lab.rsplit(" (", 1)[0]: lab.rsplit(" (", 1)[1].rstrip(")") for lab in labels}


def table_titles(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Event"]) if at.dataframe else []


@pytest.fixture(scope="module")
def page() -> AppTest:
    return run_page()


def test_default_view_shows_every_layer_and_all_17_events(page):
    assert page.sidebar.slider(key="window").value == FULL
    assert all(c.value for c in page.sidebar.checkbox)
    assert len(page.sidebar.checkbox) == len(LAYER_FILES) + len(CATEGORIES)
    assert counts(page) == {"Diplomacy": "7", "Protest": "1", "Blockade and access": "6", "Legal": "2",
                            "Armed clash": "1", "Imported events": "0"}
    assert "17 events in the window." in [c.value for c in page.sidebar.caption]
    assert len(table_titles(page)) == 17
    assert page.query_params["from"] == "2020-11-10" and page.query_params["to"] == "2023-07-15"


def test_the_slider_changes_counts_list_and_url():
    at = run_page()
    at.sidebar.slider(key="window").set_value((dt.date(2023, 7, 1), dt.date(2023, 7, 12))).run()
    assert not at.exception
    assert counts(at)["Protest"] == "0" and counts(at)["Blockade and access"] == "1" and counts(at)["Legal"] == "1"
    titles = table_titles(at)
    assert any("Hakari" in t for t in titles) and not any("Rally" in t for t in titles)
    assert "Events from 01 Jul 2023 to 12 Jul 2023" in [s.value for s in at.subheader]
    assert at.query_params["from"] == "2023-07-01" and at.query_params["to"] == "2023-07-12"


@pytest.mark.parametrize("key", [*LAYER_FILES, *(f"cat:{c}" for c in CATEGORIES)])
def test_every_layer_switches_off_and_on(key):
    at = run_page()
    at.sidebar.checkbox(key=f"show:{key}").uncheck().run()
    assert not at.exception
    assert key not in at.query_params["layers"].split(",")
    at.sidebar.checkbox(key=f"show:{key}").check().run()
    assert not at.exception
    assert key in at.query_params["layers"].split(",")


def test_category_toggle_keeps_its_state_when_its_count_label_changes():
    at = run_page()
    at.sidebar.checkbox(key="show:cat:protest").uncheck().run()
    at.sidebar.slider(key="window").set_value((dt.date(2023, 7, 1), dt.date(2023, 7, 12))).run()
    assert at.sidebar.checkbox(key="show:cat:protest").value is False
    assert "cat:protest" not in at.query_params["layers"]


def test_a_shared_url_restores_layers_window_and_selection():
    at = run_page(layers="countries,cat:protest", **{"from": "2023-07-10", "to": "2023-07-14"}, sel="stepanakert")
    shown = {c.key.removeprefix("show:") for c in at.sidebar.checkbox if c.value}
    assert shown == {"countries", "cat:protest"}
    assert at.sidebar.slider(key="window").value == (dt.date(2023, 7, 10), dt.date(2023, 7, 14))
    assert at.session_state.selected == "stepanakert"
    assert at.query_params["sel"] == "stepanakert"
    assert not at.warning


def test_nonsense_parameters_fall_back_with_a_notice():
    at = run_page(layers="everything", **{"from": "2023-13-45"}, base="satellite", sel="atlantis")
    notes = " ".join(w.value for w in at.warning)
    assert "unknown layer 'everything'" in notes and "'from'" in notes and "basemap 'satellite'" in notes
    assert "no feature 'atlantis'" in notes
    assert at.sidebar.slider(key="window").value == FULL
    assert all(c.value for c in at.sidebar.checkbox)


def test_an_imported_file_joins_counts_and_table(tmp_path, monkeypatch):
    csv = tmp_path / "mine.csv"
    csv.write_text("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,location,"
                   "latitude,longitude,geo_precision,source,notes,fatalities\n"
                   "ARM1,14 July 2023,1,Protests,Peaceful protest,Protesters,Yerevan,40.18,44.51,1,Local,=cmd,0\n"
                   "ARM2,2023-07-02,3,Protests,Peaceful protest,Protesters,Goris,39.5,46.3,3,Local,x,0\n",
                   encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_EVENTS", str(csv))
    at = run_page()
    assert counts(at)["Imported events"] == "2"
    assert "2 imported, 0 rejected" in " ".join(s.value for s in at.sidebar.success)
    at.sidebar.slider(key="window").set_value((dt.date(2023, 7, 10), dt.date(2023, 7, 20))).run()
    assert counts(at)["Imported events"] == "2"  # the month-precision event overlaps the window
    at.sidebar.slider(key="window").set_value((dt.date(2023, 6, 1), dt.date(2023, 6, 30))).run()
    assert counts(at)["Imported events"] == "0"


def test_a_broken_import_file_is_reported_and_loses_nothing(tmp_path, monkeypatch):
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    monkeypatch.setenv("DASHBOARD_EVENTS", str(bad))
    at = run_page()
    errors = " ".join(e.value for e in at.sidebar.error)
    assert "broken.csv" in errors
    assert "17 events in the window." in [c.value for c in at.sidebar.caption]
