"""Far venues get their distance to Stepanakert (the browser fits a step's view itself: tests/browser)."""

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.distances import venue_links
from layers import distances
from layers.compose import build_map


@pytest.fixture
def venues():
    """Two far venues and a town that is not a venue."""
    return gpd.GeoDataFrame({"id": ["the-hague", "moscow", "goris"],
                             "name": ["The Hague (Peace Palace)", "Moscow (The Kremlin)", "Goris"]},
                            geometry=[Point(4.2956, 52.0867), Point(37.6178, 55.7517), Point(46.34, 39.51)], crs=4326)


def test_venues_in_the_view_are_linked_with_geodesic_km(venues):
    links = venue_links(venues, ["the-hague", "moscow"], ("Stepanakert", 39.8153, 46.7519),
                        bounds=((38.5, 2.5), (53.5, 50.5)))
    assert [link.venue_id for link in links] == ["the-hague"]  # Moscow (55.75 N) is outside the box
    assert links[0].km == pytest.approx(3500, abs=30)


def test_distance_layer_holds_each_line_once_with_its_rounded_distance(venues):
    links = venue_links(venues, ["the-hague", "moscow"], ("Stepanakert", 39.8153, 46.7519))
    data = distances.DistanceLines(links)
    lines = {line["name"]: line for line in json.loads(data.data_json)["lines"]}
    assert sorted(lines) == ["Moscow", "The Hague"]
    assert lines["Moscow"]["km"] == 1896 and 3500 <= lines["The Hague"]["km"] <= 3509
    assert lines["Moscow"]["path"][0] == [round(links[1].venue[0], 5), round(links[1].venue[1], 5)] or \
        lines["Moscow"]["path"][0] == [round(links[0].venue[0], 5), round(links[0].venue[1], 5)]
    assert json.loads(data.data_json)["target"]["name"] == "Stepanakert"
    # The map carries the lines; the browser shows those of the venues in a step's view.
    m = build_map({"places": venues})
    assert "DashMap.distances(" in m.get_root().render()
