"""Layer builders without a browser: build the map, assert on its rendered output
and on the data the browser receives (the store, the state's popup details)."""

from __future__ import annotations

import datetime as dt
import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.load_events import events_from_records
from geo.page_model import event_details
from geo.window import EventIndex
from layers import places
from layers._shapes import layer_payload
from layers.assets import STATIC_URL, app_url
from layers.basemap import build_base_map
from layers.compose import DRAW_ORDER, build_map
from layers.map_app import BATCH_FROM
from layers.store import events_store, store_columns

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>`${x}`</textarea>"
WINDOW = (dt.date(2023, 7, 1), dt.date(2023, 7, 31))


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


def _map_script(m: folium.Map) -> str:
    return m.get_root().render()


def test_base_map_loads_leaflet_and_the_app_locally_and_no_cdn():
    m, _ = build_base_map()
    html = _map_script(m)
    assert f"{STATIC_URL}/leaflet.js" in html
    assert app_url("js/dash-core.js") in html and app_url("js/dash-map.js") in html
    assert not re.search(r"https?://(cdn|code\.jquery|cdnjs|netdna|unpkg)", html)
    assert "jquery" not in html.lower()


def test_every_web_basemap_is_built_but_none_is_shown():
    m, tiles = build_base_map()
    assert sorted(tiles) == ["carto", "osm"]
    html = _map_script(m)
    assert "tile.openstreetmap.org" in html and "basemaps.cartocdn.com" in html
    for layer in tiles.values():
        assert f"{layer.get_name()}.addTo(" not in html  # the state picks one in the browser


def test_the_map_holds_every_layer_in_drawing_order_and_no_event(data):
    html = _map_script(build_map(data.layers))
    keys = re.findall(r'DashMap\.shapes\(feature_group_\w+, "(\w+)"', html)
    assert keys == [k for k in DRAW_ORDER if k in data.layers]
    assert "DashMap.init(" in html and html.index("DashMap.init(") > html.rindex("DashMap.shapes(")
    assert "DashMap.distances(" in html
    # Events travel apart (the store): no event's title is in the map.
    for title in data.events["title"]:
        assert json.dumps(title)[1:-1] not in html


def test_the_map_does_not_depend_on_the_events_or_the_window(data):
    """The same map for every state: what the page hands st_folium never changes, so the
    browser keeps it (the geography is sent once)."""
    def rendered():
        return re.sub(r"_[0-9a-f]{32}", "_ID", _map_script(build_map(data.layers)))

    assert rendered() == rendered()


def test_feature_payload_escapes_its_static_popup_and_tooltip(city):
    [feature] = layer_payload(city, lambda props: {"color": "#000"})["f"]
    assert feature["t"] == "<div>Stepanakert / &lt;b&gt;Khankendi&lt;/b&gt;</div>"
    # The static popup HTML (inserted as HTML in the browser) is escaped, backticks included.
    assert feature["h"].startswith("<h4>Stepanakert</h4>")
    assert "Also: &lt;b&gt;Khankendi&lt;/b&gt;" in feature["h"]
    assert "&#96;&#36;&#123;x&#125;&#96;" in feature["h"]
    assert "<script" not in feature["h"] and "<img" not in feature["h"]
    assert 'href="https://ok.example/x"' in feature["x"]


def test_dated_features_carry_their_validity_and_group(data):
    payload = layer_payload(data.layers["lachin_corridor"], lambda props: {})
    dated = {f["id"]: (f.get("vf"), f.get("vt"), f.get("p")) for f in payload["f"]}
    assert dated["lachin-road-2020"][1:] == ("2022-08-30", "lachin-corridor")
    assert dated["lachin-road-2023"][0] == "2023-04-01"
    assert dated["hakari-checkpoint"][2] is None


def test_places_show_their_names_as_permanent_labels(city):
    html = _map_script(places.build(city).add_to(build_base_map()[0]))
    payload = json.loads(re.search(r'DashMap\.shapes\(feature_group_\w+, "places", (.*)\);', html).group(1))
    assert payload["tip"]["permanent"] is True and payload["tip"]["className"] == "place-label"


def test_the_store_keeps_text_as_text_and_links_only_http(events):
    table = store_columns(EventIndex.build(events).table)
    titles = table.column("title").to_pylist()
    assert HOSTILE in titles  # text as it is: the browser inserts it as a text node
    sources = [json.loads(s) if s else [] for s in table.column("src").to_pylist()]
    assert [HOSTILE, ""] in [pair for row in sources for pair in row]  # javascript: kept as text, no URL
    assert not any(pair[1].startswith("javascript") for row in sources for pair in row)


def test_the_store_costs_about_25_bytes_an_event():
    n = 5000
    frame = pd.DataFrame({
        "id": [f"x{i}" for i in range(n)], "title": [f"Protests in town {i % 40}" for i in range(n)],
        "location": [f"Town {i % 40}" for i in range(n)], "category": ["imported"] * n,
        "latitude": 40.0, "longitude": 45.0, "date_start": pd.Timestamp("2023-01-01"),
        "date_end": pd.Timestamp("2023-01-07"), "event_date": pd.Timestamp("2023-01-03"), "time_precision": 2,
        "geo_precision": 1, "features": [[] for _ in range(n)], "sources": [[{"publisher": "ACLED"}]] * n})
    payload = events_store(frame, "v", (dt.date(2020, 11, 10), dt.date(2023, 7, 15)))
    from streamlit.dataframe_util import convert_anything_to_arrow_bytes

    assert len(convert_anything_to_arrow_bytes(payload["events"])) / n <= 30
    assert payload["events"].column("dur").type == "int16"


def test_event_details_are_plain_text_with_each_sides_claim(data):
    event = data.events.set_index("id").loc["corridor-closed-smuggling-claim"].to_dict()
    event["id"] = "corridor-closed-smuggling-claim"
    details = event_details(event)
    assert len(details["claims"]) >= 2 and all(c[0] and c[1] for c in details["claims"])
    assert all(isinstance(v, str) for v in (details["summary"], details["actors"], details["notes"]))
    hostile = event_details({"id": "h", "summary": HOSTILE, "sources": [{"publisher": "X", "url": "javascript:1"}]})
    assert hostile["summary"] == HOSTILE  # the browser inserts it as text
    assert hostile["sources"] == [["X", "javascript:1"]]  # and links only http(s): DashCore.links


@pytest.mark.parametrize("show", [True, False])
def test_group_renders_like_a_folium_feature_group(show):
    """layers._script.Group skips Jinja compilations, not output: same page and
    same streamlit-folium script as folium.FeatureGroup."""
    import streamlit_folium as sf

    from layers._script import Group

    def rendered(cls):
        (m, _), (m2, _) = build_base_map(), build_base_map()
        groups = []
        for _target in (m, m2):
            g = cls(name="x", show=show)
            folium.CircleMarker([40, 45], radius=3, tooltip="t").add_to(g)
            groups.append(g)
        script = sf._get_feature_group_string(groups[0], map=m, idx=0)
        groups[1].add_to(m2)
        return script, re.sub(r"_[0-9a-f]{32}", "_ID", m2.get_root().render())

    assert rendered(Group) == rendered(folium.FeatureGroup)


def test_legend_says_when_uncertainty_rings_are_not_drawn():
    html = _map_script(build_base_map()[0])
    legend = json.loads(re.search(r"d\.innerHTML = (\".*?\");\n", html).group(1))
    assert f"Approximate event location (dashed ring; not drawn when {BATCH_FROM:,} or more events are shown)" in legend


@pytest.fixture(scope="module")
def data():
    from geo.dataset import load_dataset
    from tests.conftest import ROOT

    return load_dataset(ROOT / "data")
