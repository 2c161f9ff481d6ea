"""Geographic consistency of the committed layers in ``data/layers/``.

Metric checks (distances, areas, gaps) are done in EPSG:32638 (UTM 38N).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point

from geo.catalog import (
    CONTEXT_BOUNDS,
    CORRIDOR_VERSIONS,
    DISTANT_VENUES,
    FEATURE_IDS,
    LAYER_FILES,
    REGION_BOUNDS,
    REQUIRED_PROPERTIES,
)
from geo.load_layers import load_layers

LAYER_DIR = Path(__file__).resolve().parents[1] / "data" / "layers"
LACHIN_TOWN = Point(46.5469, 39.6408)  # lon, lat
NKAO_AREA_KM2 = 4388.0
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)


def utm(geom):
    """Project a WGS84 shapely geometry to EPSG:32638."""
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_UTM.transform(xy[:, 0], xy[:, 1])))


@pytest.fixture(scope="module")
def layers():
    result = load_layers(LAYER_DIR.parent)
    assert result.problems == []
    return {key: frame.set_index("id", drop=False) for key, frame in result.layers.items()}


@pytest.fixture(scope="module")
def shapes(layers):
    """Feature id -> shapely geometry (WGS84) over all layers."""
    return {fid: geom for frame in layers.values() for fid, geom in frame.geometry.items()}


def test_all_catalog_feature_ids_present(layers):
    for key, ids in FEATURE_IDS.items():
        frame = layers[key]
        groups = set(frame["part_of"].dropna()) if "part_of" in frame else set()
        for fid in ids:
            assert fid in frame.index or fid in groups, f"{key}: {fid} missing"


def test_required_properties_and_sources(layers):
    for key, frame in layers.items():
        for prop in REQUIRED_PROPERTIES:
            assert frame[prop].notna().all(), f"{key}: {prop}"
        assert frame["approximate"].map(type).eq(bool).all()
        assert frame["sources"].map(lambda s: isinstance(s, list) and len(s) > 0).all(), key


def test_stepanakert_inside_nagorno_karabakh(shapes):
    nk = shapes["nagorno-karabakh"]
    assert nk.contains(shapes["stepanakert"])
    assert nk.contains(shapes["renaissance-square"])
    assert nk.contains(shapes["shusha"])
    assert not nk.contains(shapes["lachin"])


def test_nagorno_karabakh_inside_azerbaijan(shapes):
    """NK is built from another file than Azerbaijan: allow 10 m, and check area overlap."""
    nk, az = utm(shapes["nagorno-karabakh"]), utm(shapes["azerbaijan"])
    assert nk.buffer(-10).within(az)
    assert nk.intersection(az).area / nk.area > 0.995


def test_goris_inside_armenia_and_capitals(shapes):
    assert shapes["armenia"].contains(shapes["goris"])
    assert shapes["armenia"].contains(shapes["yerevan"])
    assert shapes["azerbaijan"].contains(shapes["baku"])


def test_nakhchivan_is_part_of_azerbaijan(shapes):
    az = shapes["azerbaijan"]
    assert az.geom_type == "MultiPolygon"
    assert az.contains(Point(45.41, 39.21))  # Nakhchivan city


def test_nagorno_karabakh_area_close_to_nkao(layers, shapes):
    area = utm(shapes["nagorno-karabakh"]).area / 1e6
    assert abs(area - NKAO_AREA_KM2) / NKAO_AREA_KM2 < 0.05
    assert layers["nagorno_karabakh"].loc["nagorno-karabakh", "area_km2"] == pytest.approx(area, abs=1)


@pytest.mark.parametrize("year", [key for key, _, _ in CORRIDOR_VERSIONS])
def test_corridor_touches_armenia_and_nagorno_karabakh(shapes, year):
    for fid in (f"lachin-corridor-{year}", f"lachin-road-{year}"):
        assert shapes[fid].intersects(shapes["armenia"]), fid
        assert shapes[fid].intersects(shapes["nagorno-karabakh"]), fid
    road = shapes[f"lachin-road-{year}"]
    start, end = Point(road.coords[0]), Point(road.coords[-1])
    ends = {start.within(shapes["armenia"]), end.within(shapes["armenia"])}
    assert ends == {True, False}
    assert shapes["nagorno-karabakh"].contains(start) or shapes["nagorno-karabakh"].contains(end)


def test_corridor_is_five_km_wide(shapes):
    for year, _, _ in CORRIDOR_VERSIONS:
        road, poly = utm(shapes[f"lachin-road-{year}"]), utm(shapes[f"lachin-corridor-{year}"])
        assert poly.contains(road)
        assert road.hausdorff_distance(poly.exterior) == pytest.approx(2500, rel=0.05)


def test_only_2020_road_passes_lachin_town(shapes):
    town = utm(LACHIN_TOWN)
    assert utm(shapes["lachin-road-2020"]).distance(town) < 1000
    assert utm(shapes["lachin-road-2022"]).distance(town) > 1000
    assert utm(shapes["lachin-road-2023"]).distance(town) > 1000


def test_the_2022_bypass_reaches_armenia_on_the_old_road_and_2023_at_kornidzor(shapes):
    """Until 31 March 2023 the bypass joined the old Aghavno-Tegh road (no Kornidzor);
    from 1 April 2023 the road runs Hakari bridge - Kornidzor - Tegh (issue 12)."""
    kornidzor, checkpoint = utm(shapes["kornidzor"]), utm(shapes["hakari-checkpoint"])
    for year in ("2022", "2023"):
        assert utm(shapes[f"lachin-road-{year}"]).distance(checkpoint) < 1, year
    assert utm(shapes["lachin-road-2023"]).distance(kornidzor) < 1
    assert utm(shapes["lachin-road-2022"]).distance(kornidzor) > 1000
    assert utm(shapes["lachin-road-2020"]).distance(kornidzor) > 1000


def test_corridor_dates_and_group(layers):
    frame = layers["lachin_corridor"]
    for fid in ("lachin-road-2020", "lachin-corridor-2020"):
        assert frame.loc[fid, "valid_to"] == "2022-08-30"
        assert frame.loc[fid, "part_of"] == "lachin-corridor"
    for fid in ("lachin-road-2022", "lachin-corridor-2022"):
        assert (frame.loc[fid, "valid_from"], frame.loc[fid, "valid_to"]) == ("2022-08-30", "2023-04-01")
        assert frame.loc[fid, "part_of"] == "lachin-corridor"
    for fid in ("lachin-road-2023", "lachin-corridor-2023"):
        assert frame.loc[fid, "valid_from"] == "2023-04-01"
        assert frame.loc[fid, "part_of"] == "lachin-corridor"
    checkpoint = frame.loc["hakari-checkpoint"]
    assert checkpoint["approximate"] and "UNCONFIRMED" in checkpoint["approx_note"]


def test_stepanakert_population_not_shown(layers):
    assert "population" not in layers["stepanakert"].columns


def test_every_coordinate_in_region_or_distant_venue():
    for key, file_name in LAYER_FILES.items():
        x0, y0, x1, y1 = CONTEXT_BOUNDS if key == "context" else REGION_BOUNDS
        doc = json.loads((LAYER_DIR / file_name).read_text(encoding="utf-8"))
        assert "crs" not in doc
        for feat in doc["features"]:
            if feat["properties"]["id"] in DISTANT_VENUES:
                continue
            xy = shapely.get_coordinates(shapely.geometry.shape(feat["geometry"]))
            assert (xy[:, 0] >= x0).all() and (xy[:, 0] <= x1).all(), feat["properties"]["id"]
            assert (xy[:, 1] >= y0).all() and (xy[:, 1] <= y1).all(), feat["properties"]["id"]
            assert (xy.round(5) == xy).all()


def test_total_size_within_budget():
    total = sum((LAYER_DIR / name).stat().st_size for name in LAYER_FILES.values())
    assert total <= 400 * 1024


def test_no_gap_or_sliver_on_armenia_azerbaijan_border(shapes):
    """At zoom 12 a pixel is ~20 m: no overlap, no hole, and identical shared edges."""
    am, az = utm(shapes["armenia"]), utm(shapes["azerbaijan"])
    assert am.intersection(az).area < 1.0  # m²
    union = shapely.union_all([am, az])
    holes = sum(shapely.Polygon(ring).area for poly in shapely.get_parts(union)
                for ring in poly.interiors)
    assert holes < 20 * 20
    # Armenia's edge that runs within 20 m of Azerbaijan lies on Azerbaijan's edge,
    # except within 30 m of the ends of the shared border (where a third country
    # starts, Armenia's edge leaves Azerbaijan's at an angle).
    shared = shapely.line_merge(am.boundary.intersection(az.boundary))
    assert shared.length > 500_000  # about 1,000 km with Nakhchivan
    ends = shapely.union_all([shapely.get_point(part, i) for part in shapely.get_parts(shared)
                              for i in (0, -1)])
    near = am.boundary.intersection(az.buffer(20)).difference(ends.buffer(30))
    off = near.difference(az.boundary.buffer(0.5))
    assert off.length < 1.0
