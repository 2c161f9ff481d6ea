"""The standalone HTML export without a browser: assert on the document text."""

from __future__ import annotations

import datetime as dt
import json
import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from geo.load_events import events_from_records
from geo.view_state import ViewState
from layers import standalone
from layers.assets import STATIC_URL
from layers.basemap import build_base_map
from layers.standalone import export_filename, export_subtitle, standalone_html, standalone_page

WINDOW = (dt.date(2023, 7, 1), dt.date(2023, 7, 31))
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>`${x}`</title>"

#: Any tag that would make the browser fetch a script or a stylesheet.
LINKED_ASSET = re.compile(r"<script\b[^>]*\bsrc\s*=|<link\b[^>]*\bhref\s*=", re.I)


def _event(**over):
    base = dict(id="ev-protest-visible", title="Rally", summary="People gathered.", category="protest",
                event_type="Protests", event_date="2023-07-14", time_precision=1, actor1="A", actor2="",
                location="Stepanakert", latitude=39.8175, longitude=46.7508, geo_precision=1,
                features=["stepanakert"], sources=[{"publisher": "AFP", "url": "https://example.org/a"}],
                notes="", fatalities=0, article_sentence="", in_article=True, claims=[], unconfirmed="")
    base.update(over)
    return base


@pytest.fixture
def events():
    """Two events in the window, of two categories: one protest, one blockade."""
    res = events_from_records([
        _event(),
        _event(id="ev-blockade-hidden", title="Checkpoint closed", category="blockade"),
    ], "test.toml", feature_ids={"stepanakert", "armenia"})
    assert res.problems == []
    return res.events


@pytest.fixture
def layers():
    """One country polygon, enough for a geographic layer."""
    armenia = gpd.GeoDataFrame({"id": ["armenia"], "name": ["Armenia"], "kind": ["country"],
                                "approximate": [False]},
                               geometry=[Polygon([(44, 39), (46, 39), (46, 41), (44, 41)])], crs=4326)
    return {"countries": armenia}


def export(layers, events, visible=frozenset({"countries", "cat:protest"}), basemap="none", **kw):
    """The page's view exported: the map, the window's events and the state."""
    kw.setdefault("title", "Test map")
    state = ViewState(layers=frozenset(visible), window=WINDOW, basemap=basemap)
    return standalone_page(layers, events, state, **kw)


def _state(html: str) -> dict:
    return json.loads(re.search(r"DashPage\.setState\((.*)\);", html).group(1))


def _data(html: str) -> dict:
    return json.loads(re.search(r"DashPage\.setData\((.*)\);", html).group(1))


def test_leaflet_and_the_apps_scripts_are_inline(layers, events):
    html = export(layers, events)
    assert "Leaflet 1.9.3, a JS library for interactive maps" in html
    assert "window.DashCore" in html and "window.DashMap" in html and "window.DashPage" in html
    assert ".leaflet-container" in html  # leaflet.css
    assert STATIC_URL not in html and "/app/static" not in html


def test_no_script_or_stylesheet_is_linked(layers, events):
    html = export(layers, events, basemap="OpenStreetMap")
    assert not LINKED_ASSET.search(html)
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?https?:", html, re.I)
    assert "sourceMappingURL" not in html


def test_leaflet_css_images_are_data_uris(layers, events):
    html = export(layers, events)
    assert "url(images/" not in html
    assert 'url("data:image/png;base64,' in html


def test_leaflet_css_comes_before_the_maps_own_styles(layers, events):
    """The map's background (layers/basemap.py) must win over Leaflet's grey."""
    html = export(layers, events)
    assert html.index("/* required styles */") < html.index(".leaflet-container { background: #f4f1ea")


def test_holds_events_of_visible_categories_only(layers, events):
    html = export(layers, events, visible={"countries", "cat:protest"})
    assert _data(html)["events"]["title"]["v"] == ["Rally"]
    assert "Checkpoint closed" not in html
    both = export(layers, events, visible={"cat:protest", "cat:blockade"})
    assert sorted(_data(both)["events"]["title"]["v"]) == ["Checkpoint closed", "Rally"]


def test_applies_the_pages_state_and_writes_no_url(layers, events):
    state = _state(export(layers, events, visible={"countries", "cat:protest"}))
    assert state["layers"] == ["cat:protest", "countries"]
    assert state["window"] == ["2023-07-01", "2023-07-31"]
    assert state["standalone"] is True and "query" not in state


def test_hostile_title_and_subtitle_are_escaped(layers, events):
    html = export(layers, events, title=HOSTILE, subtitle=HOSTILE)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("&lt;script&gt;") and "&lt;/title&gt;" in title
    assert html.count("<title>") == 1


def test_header_shows_title_and_subtitle(layers, events):
    sub = export_subtitle({"countries", "cat:protest"}, (dt.date(2023, 7, 1), dt.date(2023, 7, 12)))
    assert sub == "Layers: Armenia and Azerbaijan, Protest; window 1 Jul 2023 – 12 Jul 2023"
    html = export(layers, events, title="Lachin corridor", subtitle=sub)
    header = re.search(r'<header class="export-header">(.*?)</header>', html, re.S).group(1)
    assert "<h1>Lachin corridor</h1>" in header
    assert "window 1 Jul 2023 – 12 Jul 2023" in header
    assert "flex: 1 1 auto" in html  # the map fills what the header leaves


def test_the_basemap_is_the_pages(layers, events):
    assert _state(export(layers, events, basemap="osm"))["basemap"] == "osm"
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in export(layers, events, basemap="osm")  # built, shown if chosen
    assert _state(export(layers, events))["basemap"] == "none"


def test_the_view_is_the_one_given(layers, events):
    view = _state(export(layers, events, view={"center": [39.5, 46.25], "zoom": 9}))["view"]
    assert view["center"] == [39.5, 46.25] and view["zoom"] == 9
    assert _state(export(layers, events))["view"]["bounds"] == [[38.3, 43.4], [42.0, 50.5]]


def test_a_hostile_event_title_cannot_end_the_script(layers, events):
    hostile = events.assign(title=["</script><script>alert(1)</script>", "x"])
    html = export(layers, hostile)
    assert "</script><script>alert(1)" not in html
    assert _data(html)["events"]["title"]["v"] == ["</script><script>alert(1)</script>"]


def test_inlined_script_cannot_close_its_script_tag(layers, events, monkeypatch):
    js, css = standalone.inline_assets()
    monkeypatch.setattr(standalone, "inline_assets",
                        lambda: (js + '\nvar s = "</script><b>x</b>";\n', css + "\n/* </style> */\n"))
    html = export(layers, events)
    assert 'var s = "<\\/script><b>x</b>";' in html
    assert "/* <\\/style> */" in html


def test_a_cdn_asset_is_refused(layers, events):
    m, _ = build_base_map()
    m.default_js = [*m.default_js, ("extra", "https://cdn.example.org/extra.js")]
    with pytest.raises(ValueError, match=r"cannot be inlined: https://cdn\.example\.org/extra\.js"):
        standalone_html(m, title="t")


def test_a_map_without_offline_assets_is_refused():
    with pytest.raises(ValueError, match="does not link"):
        standalone_html(folium.Map(tiles=None), title="t")


def test_export_filename():
    assert export_filename((dt.date(2023, 7, 1), dt.date(2023, 7, 12))) == \
        "armenia-azerbaijan-map-2023-07-01_2023-07-12.html"


@pytest.mark.parametrize("window, message", [
    ((dt.date(2023, 7, 12), dt.date(2023, 7, 1)), "after its end"),
    (("2023-07-01", dt.date(2023, 7, 12)), "window start must be a datetime.date"),
    ((dt.date(2023, 7, 1),), "pair of dates"),
])
def test_export_filename_refuses_bad_windows(window, message):
    with pytest.raises(ValueError, match=message):
        export_filename(window)
