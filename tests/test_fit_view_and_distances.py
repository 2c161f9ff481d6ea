"""Tour views: a step's box fits the tour's map column; far venues get their distance."""

import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.distances import venue_links
from geo.fit_view import fit_view
from layers import distances
from layers.basemap import build_base_map


def _visible(center, zoom, width, height):
    """The lon/lat box a Web Mercator map of width x height px shows."""
    scale = 256 * 2**zoom
    def y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    cx = (center[1] + 180) / 360 * scale
    cy = (1 - y(center[0]) / math.pi) / 2 * scale
    def lat(py):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / scale))))
    return ((lat(cy + height / 2), (cx - width / 2) / scale * 360 - 180),
            (lat(cy - height / 2), (cx + width / 2) / scale * 360 - 180))


@pytest.mark.parametrize("bounds", [
    ((38.0, 43.0), (42.5, 51.0)),     # the region
    ((38.5, 2.5), (53.5, 50.5)),      # The Hague and the Caucasus
    ((39.45, 46.30), (39.70, 46.65)), # the Hakari checkpoint
])
def test_the_box_fits_and_one_more_zoom_level_would_not(bounds):
    """Fits inside the map less its 20 px padding on each side."""
    (center, zoom) = fit_view(bounds, 520, 600, padding_px=20)
    (s, w), (n, e) = _visible(center, zoom, 480, 560)
    (bs, bw), (bn, be) = bounds
    assert s <= bs and w <= bw and n >= bn and e >= be
    (s2, w2), (n2, e2) = _visible(center, zoom + 1, 480, 560)
    assert not (s2 <= bs and w2 <= bw and n2 >= bn and e2 >= be)


def test_reversed_bounds_are_refused():
    with pytest.raises(ValueError, match="reversed"):
        fit_view(((42.0, 50.0), (38.0, 43.0)))


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


def test_distance_layer_labels_every_distance_once(venues):
    links = venue_links(venues, ["the-hague", "moscow"], ("Stepanakert", 39.8153, 46.7519))
    m = build_base_map()
    distances.build(links).add_to(m)
    html = m.get_root().render()
    assert html.count("To Stepanakert") == 1
    assert "Moscow: 1,896 km" in html and "The Hague: 3,50" in html
