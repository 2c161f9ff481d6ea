"""Issue 15, "no clipping": the basemap context (lakes, coasts, rivers, borders) reaches from
the region out past the far venues, so no view between them shows it cut off in a straight
line at the region's box (Lake Van and the Aras were cut at 43° E)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.catalog import CONTEXT_BOUNDS, DISTANT_VENUES, REGION_BOUNDS
from geo.load_layers import check_layer
from tests.conftest import ROOT

CONTEXT = ROOT / "data" / "layers" / "context.geojson"


@pytest.fixture(scope="module")
def context() -> gpd.GeoDataFrame:
    return gpd.read_file(CONTEXT).set_index("id")


def test_lake_van_and_lake_urmia_are_whole(context):
    """Lake Van straddles 43° E, the region's western edge: it ended there in a straight line."""
    van = context.loc["lake-van"].geometry
    assert van.bounds[0] < REGION_BOUNDS[0] - 0.5 < REGION_BOUNDS[0] < van.bounds[2]
    assert van.area > 0.3  # square degrees: the whole lake (about 3,700 km²), not a sliver
    urmia = context.loc["lake-urmia"].geometry
    assert urmia.bounds[1] < REGION_BOUNDS[1] - 0.5


def test_the_aras_and_the_kura_run_on_past_the_regions_box(context):
    aras, kura = context.loc["river-aras"].geometry, context.loc["river-kura"].geometry
    assert aras.bounds[0] < REGION_BOUNDS[0] - 1  # upstream, into Turkey
    assert kura.bounds[0] < REGION_BOUNDS[0]      # its source, in Turkey


def test_the_context_reaches_past_the_far_venues(context):
    places = gpd.read_file(ROOT / "data" / "layers" / "places.geojson").set_index("id")
    far = context[context.index.str.contains("far")]
    assert {"coast", "lake", "border"} <= set(far["kind"])
    x0, y0, x1, y1 = far.total_bounds
    for venue in DISTANT_VENUES:
        p = places.loc[venue].geometry
        assert x0 + 15 < p.x < x1 - 15 and y0 + 10 < p.y < y1 - 5, venue
    # the coast of the North Sea near Brussels and The Hague is drawn
    north_sea = shapely.box(2.5, 51.0, 5.0, 53.5)
    assert far[far["kind"] == "coast"].intersects(north_sea).any()


def test_every_context_line_inside_the_region_meets_its_continuation(context):
    """A line that stops on the region's box must go on outside it (detail inside, coarser out)."""
    region = shapely.box(*REGION_BOUNDS).boundary
    outside = shapely.union_all(list(context[~context.geometry.within(shapely.box(*REGION_BOUNDS))].geometry))
    for fid, row in context.iterrows():
        if row.geometry.geom_type not in ("LineString", "MultiLineString"):
            continue
        for part in shapely.get_parts(row.geometry):
            for end in (shapely.Point(part.coords[0]), shapely.Point(part.coords[-1])):
                if end.distance(region) < 1e-4:
                    assert outside.distance(end) < 0.05, (fid, end)


def test_the_loader_takes_the_context_in_its_own_bounds_and_keeps_others_to_the_region(tmp_path):
    frame, problems = check_layer(CONTEXT, "context")
    assert problems == [] and len(frame) > 50
    x0, y0, x1, y1 = frame.total_bounds
    assert x0 >= CONTEXT_BOUNDS[0] and y0 >= CONTEXT_BOUNDS[1] and x1 <= CONTEXT_BOUNDS[2] and y1 <= CONTEXT_BOUNDS[3]
    moved = tmp_path / "places.geojson"
    moved.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"goris","name":'
                     '"Goris","kind":"town","approximate":false},"geometry":{"type":"Point","coordinates":[10.0,50.0]}}]}',
                     encoding="utf-8")
    _, problems = check_layer(moved)
    assert any("outside the region bounds" in str(p) for p in problems)
