"""Layer builders without a browser: build the map, assert on its rendered output."""

from __future__ import annotations

import datetime as dt
import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from geo.load_events import events_from_records
from layers import corridor, countries, events as event_layer, places
from layers.assets import STATIC_URL
from layers.basemap import build_base_map
from layers.compose import dynamic_groups

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>`${x}`</textarea>"
WINDOW = (dt.date(2023, 7, 1), dt.date(2023, 7, 31))


def render(*groups) -> str:
    m = build_base_map()
    for g in groups:
        g.add_to(m)
    return m.get_root().render()


def _event(**over):
    base = dict(id="e1", title="Rally", summary="People gathered.", category="protest", event_type="Protests",
                event_date="2023-07-14", time_precision=1, actor1="A", actor2="", location="Stepanakert",
                latitude=39.8175, longitude=46.7508, geo_precision=1, features=["stepanakert"],
                sources=[{"publisher": "AFP", "url": "https://example.org/a"}], notes="", fatalities=0,
                article_sentence="", in_article=True, claims=[], unconfirmed="")
    base.update(over)
    return base


@pytest.fixture
def events():
    """Two events at Stepanakert: one in July 2023 with hostile text, one in 2022."""
    res = events_from_records([
        _event(title=HOSTILE, summary=HOSTILE),
        _event(id="e2", title="Older event", event_date="2022-12-12", category="blockade"),
    ], "test.toml", feature_ids={"stepanakert", "armenia"})
    assert res.problems == []
    frame = res.events.copy()
    # The loader refuses such a source; an importer bug must still not make it a link.
    frame.at[0, "sources"] = [{"publisher": HOSTILE, "url": "javascript:alert(3)"}]
    return frame


@pytest.fixture
def city():
    """One point feature whose names hold markup."""
    return gpd.GeoDataFrame({"id": ["stepanakert"], "name": ["Stepanakert"], "name_alt": ["<b>Khankendi</b>"],
                             "kind": ["city"], "approximate": [False], "sources": [["https://ok.example/x"]]},
                            geometry=[Point(46.7519, 39.8153)], crs=4326)


def test_base_map_loads_no_cdn():
    html = build_base_map().get_root().render()
    assert f"{STATIC_URL}/leaflet.js" in html and f"{STATIC_URL}/jquery.min.js" in html
    assert not re.search(r"https?://(cdn|code\.jquery|cdnjs|netdna)", html)


def test_web_basemap_adds_its_tiles():
    html = build_base_map("OpenStreetMap").get_root().render()
    assert "tile.openstreetmap.org" in html
    assert "tile.openstreetmap.org" not in build_base_map("None (offline)").get_root().render()


def test_feature_popup_lists_events_in_the_window_escaped(city, events):
    in_window = events[events["event_date"] >= pd.Timestamp(WINDOW[0])]
    html = render(places.build(city, events=in_window, window=WINDOW))
    assert "Stepanakert / &lt;b&gt;Khankendi&lt;/b&gt;" in html  # tooltip names, escaped
    assert "14 July 2023: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Older event" not in html
    assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html
    assert 'href="javascript' not in html
    assert "&#96;&#36;&#123;x&#125;&#96;" in html  # backticks cannot end folium's template literal


def test_event_markers_carry_rows_as_json_without_markup(events):
    html = render(event_layer.build(events, category="protest"))
    rows = re.search(r"var rows = (\[.*?\]);\n", html).group(1)
    data = json.loads(rows)
    assert len(data) == 1 and data[0][13] == "e1" and data[0][3] == "14 July 2023"
    assert data[0][10] == [[HOSTILE, ""]]  # a javascript: URL is not kept as a link
    assert "</script>" not in rows and "<img" not in rows


def test_event_layer_only_draws_its_category(events):
    html = render(event_layer.build(events, category="blockade"))
    data = json.loads(re.search(r"var rows = (\[.*?\]);\n", html).group(1))
    assert [r[13] for r in data] == ["e2"]


@pytest.fixture
def corridor_gdf():
    """Two dated route versions and an undated checkpoint."""
    return gpd.GeoDataFrame(
        {"id": ["lachin-road-2020", "lachin-road-2022", "hakari-checkpoint"], "name": ["old", "new", "cp"],
         "kind": ["road", "road", "checkpoint"], "approximate": [True, True, True],
         "valid_from": ["", "2022-08-30", ""], "valid_to": ["2022-08-30", "", ""],
         "part_of": ["lachin-corridor"] * 3},
        geometry=[LineString([(46.3, 39.5), (46.7, 39.8)]), LineString([(46.3, 39.5), (46.6, 39.7)]), Point(46.5, 39.5)],
        crs=4326)


@pytest.mark.parametrize("window, shown, hidden", [
    ((dt.date(2022, 1, 1), dt.date(2022, 8, 29)), "old (approximate)", "new (approximate)"),
    ((dt.date(2022, 8, 30), dt.date(2023, 7, 15)), "new (approximate)", "old (approximate)"),
])
def test_corridor_draws_the_route_valid_in_the_window(corridor_gdf, window, shown, hidden):
    html = render(corridor.build(corridor_gdf, window=window))
    assert shown in html and hidden not in html and "cp (approximate)" in html


def test_dynamic_groups_follow_the_toggles(city, events):
    polys = gpd.GeoDataFrame({"id": ["armenia"], "name": ["Armenia"], "kind": ["country"], "approximate": [False]},
                             geometry=[Polygon([(44, 39), (46, 39), (46, 41), (44, 41)])], crs=4326)
    layers = {"countries": polys, "places": city}
    groups = dynamic_groups(layers, events, {"countries", "cat:protest"}, WINDOW)
    assert [g.layer_name for g in groups] == ["Armenia and Azerbaijan", "Protest"]
    assert dynamic_groups(layers, events, set(), WINDOW) == []
