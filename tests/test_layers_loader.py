"""The layer loader on corrupted copies of the committed files.

Each test copies ``data/layers/`` to ``tmp_path``, breaks one file in one way,
and checks that the problem names the file and what is wrong, and that the
other layers still load.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pyproj import Transformer

from geo.catalog import LAYER_FILES
from geo.load_layers import LayerError, check_layer, load_layer, load_layers
from geo.problems import DataError

LAYER_DIR = Path(__file__).resolve().parents[1] / "data" / "layers"
ALL = set(LAYER_FILES)


@pytest.fixture
def layer_dir(tmp_path):
    """A writable copy of the committed layer files."""
    target = tmp_path / "layers"
    shutil.copytree(LAYER_DIR, target)
    return target


def read(layer_dir: Path, key: str) -> dict:
    return json.loads((layer_dir / LAYER_FILES[key]).read_text(encoding="utf-8"))


def write(layer_dir: Path, key: str, doc: dict) -> None:
    (layer_dir / LAYER_FILES[key]).write_text(json.dumps(doc), encoding="utf-8")


def feature(doc: dict, fid: str) -> dict:
    return next(f for f in doc["features"] if f["properties"]["id"] == fid)


def only_problem_for(layer_dir: Path, key: str):
    """Load everything; assert only ``key`` failed; return its problems as text."""
    result = load_layers(layer_dir)
    assert set(result.layers) == ALL - {key}
    assert result.problems, "a problem should be reported"
    assert all(p.file == LAYER_FILES[key] for p in result.problems)
    return [str(p) for p in result.problems]


def test_committed_layers_load_cleanly():
    result = load_layers(LAYER_DIR.parent)
    assert result.problems == []
    assert set(result.layers) == ALL
    for frame in result.layers.values():
        assert frame.crs.to_epsg() == 4326
        assert frame["approximate"].dtype == bool


def test_data_dir_or_layer_dir_both_accepted(layer_dir):
    assert set(load_layers(layer_dir).layers) == ALL
    assert set(load_layers(layer_dir.parent).layers) == ALL


def test_broken_json_says_where(layer_dir):
    path = layer_dir / LAYER_FILES["countries"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    [message] = only_problem_for(layer_dir, "countries")
    assert message.startswith("countries.geojson")
    assert "not valid JSON" in message and "line " in message and "column " in message
    with pytest.raises(DataError, match=r"countries\.geojson: not valid JSON: .* at line \d+, column \d+"):
        load_layer(path)


def test_swapped_axes(layer_dir):
    doc = read(layer_dir, "stepanakert")
    for feat in doc["features"]:
        x, y = feat["geometry"]["coordinates"]
        feat["geometry"]["coordinates"] = [y, x]
    write(layer_dir, "stepanakert", doc)
    messages = only_problem_for(layer_dir, "stepanakert")
    assert any("stepanakert.geojson, row stepanakert" in m
               and "latitude and longitude look swapped" in m for m in messages)
    with pytest.raises(LayerError, match="latitude and longitude look swapped"):
        load_layer(layer_dir / "stepanakert.geojson")


def test_self_intersecting_polygon(layer_dir):
    doc = read(layer_dir, "nagorno_karabakh")
    # A bow tie: the ring crosses itself at (46.75, 39.8).
    feature(doc, "nagorno-karabakh")["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[46.7, 39.7], [46.8, 39.9], [46.8, 39.7], [46.7, 39.9], [46.7, 39.7]]],
    }
    write(layer_dir, "nagorno_karabakh", doc)
    [message] = only_problem_for(layer_dir, "nagorno_karabakh")
    assert message.startswith("nagorno_karabakh.geojson, row nagorno-karabakh, field 'geometry'")
    assert "invalid geometry: Self-intersection" in message


def test_missing_required_property(layer_dir):
    doc = read(layer_dir, "places")
    del feature(doc, "goris")["properties"]["kind"]
    write(layer_dir, "places", doc)
    [message] = only_problem_for(layer_dir, "places")
    assert message == "places.geojson, row goris, field 'kind': missing required property"


def test_approximate_must_be_boolean(layer_dir):
    doc = read(layer_dir, "places")
    feature(doc, "baku")["properties"]["approximate"] = "no"
    write(layer_dir, "places", doc)
    [message] = only_problem_for(layer_dir, "places")
    assert "row baku, field 'approximate'" in message and "true or false" in message


def test_projected_crs_member(layer_dir):
    """A file in UTM metres that says so in a (pre-RFC 7946) crs member."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)
    doc = read(layer_dir, "lachin_corridor")

    def project(coords):
        if isinstance(coords[0], (int, float)):
            return list(to_utm.transform(*coords))
        return [project(c) for c in coords]

    for feat in doc["features"]:
        feat["geometry"]["coordinates"] = project(feat["geometry"]["coordinates"])
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}}
    write(layer_dir, "lachin_corridor", doc)
    messages = only_problem_for(layer_dir, "lachin_corridor")
    assert any("lachin_corridor.geojson, field 'crs'" in m and "EPSG::32638" in m
               and "not WGS84" in m for m in messages)

    # The same metres without a crs member are caught by their range.
    del doc["crs"]
    write(layer_dir, "lachin_corridor", doc)
    [message] = only_problem_for(layer_dir, "lachin_corridor")
    assert "lachin_corridor.geojson" in message
    assert "out of longitude/latitude range" in message and "projected" in message


def test_wgs84_crs_member_is_accepted(layer_dir):
    doc = read(layer_dir, "places")
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    write(layer_dir, "places", doc)
    result = load_layers(layer_dir)
    assert result.problems == [] and set(result.layers) == ALL


def test_missing_file(layer_dir):
    (layer_dir / "context.geojson").unlink()
    [message] = only_problem_for(layer_dir, "context")
    assert message.startswith("context.geojson: file not found")
    with pytest.raises(LayerError, match="context.geojson: file not found"):
        load_layer(layer_dir / "context.geojson")


def test_duplicate_ids(layer_dir):
    doc = read(layer_dir, "places")
    doc["features"].append(json.loads(json.dumps(feature(doc, "shusha"))))
    write(layer_dir, "places", doc)
    [message] = only_problem_for(layer_dir, "places")
    assert message == "places.geojson, row shusha, field 'id', value 'shusha': duplicate id (2 features)"


def test_not_a_feature_collection(layer_dir):
    doc = read(layer_dir, "stepanakert")
    write(layer_dir, "stepanakert", doc["features"][0])
    [message] = only_problem_for(layer_dir, "stepanakert")
    assert message == "stepanakert.geojson, field 'type', value 'Feature': not a GeoJSON FeatureCollection"


def test_feature_outside_region(layer_dir):
    doc = read(layer_dir, "places")
    feature(doc, "goris")["geometry"]["coordinates"] = [30.0, 10.0]
    write(layer_dir, "places", doc)
    [message] = only_problem_for(layer_dir, "places")
    assert "row goris" in message and "outside the region bounds" in message


def test_missing_catalog_id_is_reported_but_layer_loads(layer_dir):
    doc = read(layer_dir, "lachin_corridor")
    doc["features"] = [f for f in doc["features"] if f["properties"]["id"] != "hakari-checkpoint"]
    write(layer_dir, "lachin_corridor", doc)
    frame, problems = check_layer(layer_dir / "lachin_corridor.geojson", "lachin_corridor")
    assert frame is not None and len(frame) == 6  # three roads and three 5 km polygons
    assert [str(p) for p in problems] == [
        "lachin_corridor.geojson, field 'id', value 'hakari-checkpoint': feature id of the "
        "catalog is missing (events naming it find no shape)"
    ]
    result = load_layers(layer_dir)
    assert set(result.layers) == ALL and len(result.problems) == 1


def test_several_broken_files_each_reported(layer_dir):
    (layer_dir / "context.geojson").unlink()
    (layer_dir / "countries.geojson").write_text("{", encoding="utf-8")
    result = load_layers(layer_dir)
    assert set(result.layers) == ALL - {"context", "countries"}
    assert {p.file for p in result.problems} == {"context.geojson", "countries.geojson"}
