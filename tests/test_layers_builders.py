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
    """One point feature whose names and description hold markup."""
    return gpd.GeoDataFrame({"id": ["stepanakert"], "name": ["Stepanakert"], "name_alt": ["<b>Khankendi</b>"],
                             "description": [HOSTILE],
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


def _script_json(html: str, var: str):
    """The JSON a layer script assigns to ``var`` (one line: ``var <var> = <json>;``)."""
    return json.loads(re.search(rf"var {var} = (.*?);\n", html).group(1))


def test_feature_popup_lists_events_in_the_window_escaped(city, events):
    in_window = events[events["event_date"] >= pd.Timestamp(WINDOW[0])]
    html = render(places.build(city, events=in_window, window=WINDOW))
    assert "Stepanakert / &lt;b&gt;Khankendi&lt;/b&gt;" in html  # tooltip names, escaped
    data, win = _script_json(html, "data"), _script_json(html, "win")
    [feature] = data["f"]
    assert feature["t"] == "<div>Stepanakert / &lt;b&gt;Khankendi&lt;/b&gt;</div>"
    # The static popup HTML (inserted as HTML) is escaped, backticks included.
    assert feature["h"].startswith("<h4>Stepanakert</h4>")
    assert "Also: &lt;b&gt;Khankendi&lt;/b&gt;" in feature["h"]
    assert "&#96;&#36;&#123;x&#125;&#96;" in feature["h"]  # the description holds HOSTILE
    assert "<script" not in feature["h"] and "<img" not in feature["h"]
    # The window's events (drawn as text nodes in the browser): the July event with
    # its hostile title and source as plain data, no javascript: link, not the 2022 one.
    assert win["label"] == "1 Jul 2023 – 31 Jul 2023"
    assert win["ev"] == [["14 July 2023", HOSTILE, [[HOSTILE, ""]]]]
    assert win["ix"] == [[0]]
    assert "Older event" not in html
    assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html
    assert 'href="javascript' not in html and "javascript:alert(3)" not in html
    # Window data reach the DOM only as text: the one HTML insertion takes the static parts.
    script = html[html.index("var win = "):]
    assert "innerHTML" not in script
    assert re.findall(r"insertAdjacentHTML\([^)]*\)", script) == [
        'insertAdjacentHTML("beforeend", f.h)', 'insertAdjacentHTML("beforeend", f.x)']


def test_feature_popup_without_events_has_no_list(city):
    data = _script_json(render(places.build(city)), "win")
    assert data["ev"] is None and data["open"] is None


def test_geography_payload_is_cached_per_content(city, events):
    from layers import _shapes

    a = places.build(city, events=events, window=WINDOW)
    b = places.build(city.copy(), events=events.iloc[:1], window=(dt.date(2023, 1, 1), WINDOW[1]))
    pa, pb = (next(iter(g._children.values())) for g in (a, b))
    assert pa.payload_json is pb.payload_json  # same content: built once
    assert pa.window_json != pb.window_json
    changed = city.copy()
    changed.loc[0, "name"] = "Other"
    pc = next(iter(places.build(changed)._children.values()))
    assert pc.payload_json != pa.payload_json and "Other" in pc.payload_json
    assert len(_shapes._PAYLOADS) <= _shapes._PAYLOADS_MAX


def _markers(html: str) -> list[dict]:
    return event_layer.decode_payload(_script_json(html, "columns"))


def test_event_markers_carry_rows_as_json_without_markup(events):
    html = render(event_layer.build(events, category="protest"))
    data = re.search(r"var columns = (.*?);\n", html).group(1)
    rows = _markers(html)
    assert len(rows) == 1 and rows[0]["id"] == "e1" and rows[0]["date"] == "14 July 2023"
    assert rows[0]["title"] == HOSTILE and rows[0]["summary"] == HOSTILE
    assert rows[0]["sources"] == [[HOSTILE, ""]]  # a javascript: URL is not kept as a link
    assert rows[0]["lat"] == 39.8175 and rows[0]["geo"] == 1
    assert "</script>" not in data and "<img" not in data


def test_event_markers_dictionary_encode_repeated_text():
    res = events_from_records([_event(id=f"e{i}", latitude=39.123456789, features=[]) for i in range(6)],
                              "test.toml", feature_ids=set())
    html = render(event_layer.build(res.events, category="protest"))
    data = _script_json(html, "columns")
    assert data["id"] == [f"e{i}" for i in range(6)]
    assert data["title"] == {"k": [0] * 6, "v": ["Rally"]}
    assert data["lat"] == [39.12346] * 6  # 5 decimals
    assert {r["title"] for r in _markers(html)} == {"Rally"}


def test_event_layer_only_draws_its_category(events):
    html = render(event_layer.build(events, category="blockade"))
    assert [r["id"] for r in _markers(html)] == ["e2"]


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


@pytest.mark.parametrize("show", [True, False])
def test_group_renders_like_a_folium_feature_group(show):
    """layers._script.Group skips Jinja compilations, not output: same page and
    same streamlit-folium script as folium.FeatureGroup."""
    import streamlit_folium as sf

    from layers._script import Group

    def rendered(cls):
        m, m2 = build_base_map(), build_base_map()
        groups = []
        for target in (m, m2):
            g = cls(name="x", show=show)
            folium.CircleMarker([40, 45], radius=3, tooltip="t").add_to(g)
            groups.append(g)
        script = sf._get_feature_group_string(groups[0], map=m, idx=0)
        groups[1].add_to(m2)
        return script, re.sub(r"_[0-9a-f]{32}", "_ID", m2.get_root().render())

    assert rendered(Group) == rendered(folium.FeatureGroup)


def test_events_picked_from_the_whole_table_match_a_fresh_encoding(events):
    """dynamic_groups(all_events=...) encodes the whole table once and picks the window's
    rows; the markers are the same as when encoding the window alone."""
    from geo.window import filter_window

    whole = pd.concat([events] + [events.assign(id=events["id"] + f"-{i}") for i in range(40)], ignore_index=True)
    window = filter_window(whole, *WINDOW)
    visible = {"cat:protest", "cat:blockade"}
    fresh = [_markers(render(g)) for g in dynamic_groups({}, window, visible, WINDOW)]
    picked = [_markers(render(g)) for g in dynamic_groups({}, window, visible, WINDOW, all_events=whole)]
    assert picked == fresh and len(fresh[0]) == 41
    assert event_layer._rows_in(whole, window) is not None
    # Rows that are not the table's (same id, other place) are encoded afresh, not picked.
    moved = window.assign(latitude=window["latitude"] + 1)
    assert event_layer._rows_in(whole, moved) is None
    assert [_markers(render(g)) for g in dynamic_groups({}, moved, visible, WINDOW, all_events=whole)][0][0]["lat"] \
        == round(39.8175 + 1, 5)


def test_events_picked_by_index_rows_match_a_fresh_encoding(events):
    """With an EventIndex, the page hands over the window's row positions: same markers
    as encoding the window alone, and a window of other rows shows those rows."""
    from geo.window import EventIndex

    whole = pd.concat([events.assign(id=events["id"] + f"-{i}") for i in range(40)] + [events], ignore_index=True)
    index = EventIndex.build(whole)
    window, rows = index.window(*WINDOW), index.rows(*WINDOW)
    visible = {"cat:protest", "cat:blockade"}
    fresh = [_markers(render(g)) for g in dynamic_groups({}, window, visible, WINDOW)]
    picked = [_markers(render(g)) for g in dynamic_groups({}, window, visible, WINDOW, all_events=index.table,
                                                          rows=rows)]
    assert picked == fresh and len(fresh[0]) == 41
    day = (dt.date(2023, 7, 14), dt.date(2023, 7, 14))
    one = [_markers(render(g)) for g in dynamic_groups({}, index.window(*day), visible, day,
                                                       all_events=index.table, rows=index.rows(*day))]
    assert one == [_markers(render(g)) for g in dynamic_groups({}, index.window(*day), visible, day)]
    assert len(one[0]) == 41 and one[1] == []  # the 14 July rallies; no blockade event that day


def test_event_renderers_are_defined_once_per_run_and_switch_at_batch_from(events):
    """The renderer definitions (~3 KB) go with the first category's script only; every
    category asks for the same renderer, SVG below BATCH_FROM markers on the map in all,
    the batch canvas from there on (counted over all categories, not each)."""
    from layers._canvas import BATCH_FROM

    groups = event_layer.build_groups(events, ["protest", "blockade", "diplomacy"])
    html = render(*groups)
    assert html.count("window.__eventRenderer = window.__eventRenderer ||") == 1
    assert html.count("window.__eventRenderer(false)") == 3
    half = BATCH_FROM // 2 + 1  # each category alone is under the threshold, together over it
    one = events.iloc[[0]]
    many = pd.concat([one.assign(category=c) for c in ("protest", "blockade") for _ in range(half)],
                     ignore_index=True)
    many = many.assign(id=[f"m{i}" for i in range(len(many))])
    html = render(*event_layer.build_groups(many, ["protest", "blockade"]))
    assert html.count("window.__eventRenderer(true)") == 2
    assert len(_markers(html)) == half  # the first group's rows, none lost
    html = render(*event_layer.build_groups(many.iloc[: 2 * half - 3], ["protest", "blockade"]))
    assert html.count("window.__eventRenderer(false)") == 2  # 1,999 markers: still SVG


def test_legend_says_when_uncertainty_rings_are_not_drawn():
    from layers._canvas import BATCH_FROM

    html = build_base_map().get_root().render()
    legend = json.loads(re.search(r"d\.innerHTML = (\".*?\");\n", html).group(1))
    assert f"Approximate event location (no rings with {BATCH_FROM:,}+ events)" in legend
