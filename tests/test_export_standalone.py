"""The standalone HTML export without a browser: assert on the document text."""

from __future__ import annotations

import datetime as dt
import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from geo.load_events import events_from_records
from layers import standalone
from layers.assets import STATIC_URL
from layers.basemap import build_base_map
from layers.compose import dynamic_groups
from layers.standalone import export_filename, export_subtitle, standalone_html

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


def export(layers, events, visible=frozenset({"countries", "cat:protest"}), basemap="None (offline)", **kw):
    """A fresh map and fresh groups, exported."""
    kw.setdefault("title", "Test map")
    groups = dynamic_groups(layers, events, set(visible), WINDOW)
    return standalone_html(build_base_map(basemap), groups, **kw)


def test_leaflet_and_jquery_are_inline(layers, events):
    html = export(layers, events)
    assert "Leaflet 1.9.3, a JS library for interactive maps" in html
    assert "jQuery v3" in html
    assert ".leaflet-container" in html  # leaflet.css
    assert STATIC_URL not in html


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
    assert "ev-protest-visible" in html
    assert "ev-blockade-hidden" not in html
    both = export(layers, events, visible={"cat:protest", "cat:blockade"})
    assert "ev-protest-visible" in both and "ev-blockade-hidden" in both


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


def test_web_basemap_keeps_its_tile_url(layers, events):
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in export(layers, events, basemap="OpenStreetMap")
    offline = export(layers, events, basemap="None (offline)")
    assert "tile.openstreetmap.org" not in offline
    assert "L.tileLayer" not in offline


def test_center_and_zoom_set_the_initial_view(layers, events):
    html = export(layers, events, center=(39.5, 46.25), zoom=9)
    assert "[39.5, 46.25]" in html
    assert '"zoom": 9' in html


def test_groups_already_on_the_map_are_not_added_twice(layers, events):
    m = build_base_map()
    groups = dynamic_groups(layers, events, {"cat:protest"}, WINDOW)
    groups[0].add_to(m)
    html = standalone_html(m, groups, title="t")
    assert html.count(f"var {groups[0].get_name()} =") == 1


def test_inlined_script_cannot_close_its_script_tag(layers, events, monkeypatch):
    js, css = standalone.inline_assets()
    monkeypatch.setattr(standalone, "inline_assets",
                        lambda: (js + '\nvar s = "</script><b>x</b>";\n', css + "\n/* </style> */\n"))
    html = export(layers, events)
    assert 'var s = "<\\/script><b>x</b>";' in html
    assert "/* <\\/style> */" in html


def test_a_cdn_asset_is_refused(layers, events):
    m = build_base_map()
    m.default_js = [*m.default_js, ("extra", "https://cdn.example.org/extra.js")]
    with pytest.raises(ValueError, match=r"cannot be inlined: https://cdn\.example\.org/extra\.js"):
        standalone_html(m, [], title="t")


def test_a_map_without_offline_assets_is_refused():
    with pytest.raises(ValueError, match="does not link"):
        standalone_html(folium.Map(tiles=None), [], title="t")


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
