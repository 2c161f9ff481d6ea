"""Unusable files give one clear ``fatal`` problem naming the file, never an exception."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.catalog import EVENT_COLUMNS
from geo.import_events import import_events

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", r"^empty\.csv: is empty$"),
        ("blank.csv", r"^blank\.csv: is empty$"),
        ("image.png", r"^image\.png: is not a CSV or JSON file: it looks like a PNG image$"),
        ("image_named.csv", r"^image_named\.csv: is not a CSV or JSON file: it looks like a PNG image$"),
        ("events.zip", r"^events\.zip: is not a CSV or JSON file: it looks like a ZIP archive"),
        ("binary.dat", r"^binary\.dat: is not a CSV or JSON file: it holds binary data"),
        ("cp1252.csv", r"^cp1252\.csv: is not UTF-8 text \(byte 0xe9 at position 88, line 2\); save it as UTF-8"),
        ("missing_columns.csv", r"^missing_columns\.csv: is missing required ACLED columns: latitude, longitude$"),
        ("unrelated.csv", r"^unrelated\.csv: is not an ACLED or UCDP GED events CSV: .* found: name, age$"),
        ("header_only.csv", r"^header_only\.csv: has a header but no data rows$"),
        ("truncated.geojson", r"^truncated\.geojson: is not valid JSON \(line 3, column 1: "),
        ("not_featurecollection.json",
         r"^not_featurecollection\.json: is JSON but not a GeoJSON FeatureCollection \(top-level type is 'Topology'\)$"),
    ],
)
def test_bad_file_gives_one_fatal_message(name, message):
    result = import_events(name, (FIXTURES / name).read_bytes())
    assert result.fatal is not None
    assert result.fatal.file == name
    assert re.search(message, str(result.fatal)), str(result.fatal)
    assert result.events.empty
    assert tuple(result.events.columns) == EVENT_COLUMNS
    assert result.summary.startswith("0 imported, file rejected: " + name)


def test_over_the_size_limit_says_the_limit():
    data = (FIXTURES / "acled_current.csv").read_bytes()
    result = import_events("big.csv", data, max_bytes=1024)
    assert str(result.fatal) == (
        f"big.csv: is {len(data) / 2**20:.1f} MB, over the upload limit of {1024 / 2**20:g} MB "
        "(split it into smaller files)"
    )


def test_default_limit_is_200_mb():
    result = import_events("huge.csv", b" " * (200 * 1024 * 1024 + 1))
    assert "over the upload limit of 200 MB" in str(result.fatal)


def test_ucdp_missing_columns_are_listed():
    result = import_events("ged.csv", b"id,date_start,side_a\n1,2020-01-01,x\n")
    assert str(result.fatal) == "ged.csv: is missing required UCDP GED columns: latitude, longitude"


def test_duplicate_header_column():
    result = import_events("dup.csv", b"event_id_cnty,event_date,latitude,latitude,longitude\n")
    assert str(result.fatal) == "dup.csv: has the column 'latitude' twice in its header"


def test_json_extension_with_csv_content():
    result = import_events("events.geojson", b"event_id_cnty,event_date\n")
    assert "is not JSON although its name ends in .geojson" in str(result.fatal)


def test_feature_collection_without_features():
    result = import_events("e.geojson", b'{"type": "FeatureCollection", "features": []}')
    assert str(result.fatal) == "e.geojson: is a FeatureCollection with no features"


def test_projected_crs_is_refused():
    data = (b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
            b'{"name": "urn:ogc:def:crs:EPSG::32638"}}, "features": []}')
    result = import_events("utm.geojson", data)
    assert "uses the coordinate system 'urn:ogc:def:crs:EPSG::32638'" in str(result.fatal)


def test_bytearray_and_memoryview_are_accepted():
    data = (FIXTURES / "acled_current.csv").read_bytes()
    assert import_events("a.csv", bytearray(data)).summary == "4 imported, 0 rejected"
    assert import_events("a.csv", memoryview(data)).summary == "4 imported, 0 rejected"


def test_non_bytes_is_a_programming_error():
    with pytest.raises(TypeError, match="data must be bytes, not str"):
        import_events("a.csv", "event_id_cnty")  # type: ignore[arg-type]
