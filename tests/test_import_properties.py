"""Issue 13: whole classes of input, generated: no input makes the importer raise, and every
row is either imported or rejected with a message (rows in = imported + rejected).

Generated documents: ACLED and UCDP CSV (any cell text, delimiters, quotes and line
breaks inside cells, numbers and dates from every range, missing and extra cells),
GeoJSON (any JSON values as properties, geometries of every shape) and raw bytes.
"""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.catalog import EVENT_COLUMNS
from geo.imports import import_events
from tests.conftest import examples

SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])

_chars = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_text = st.text(_chars, max_size=30)
_number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["1e19", "1e400", "-0", "40,5", "0x10", "1_000", "٣", "", " 7 "]),
)
_date_text = st.one_of(
    st.dates().map(lambda d: d.strftime("%Y-%m-%d")),
    st.dates().map(lambda d: f"{d.day} {d:%B} {d.year}"),
    st.dates().map(lambda d: f"{d.month}/{d.day}/{d.year}"),
    st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year}"),
    st.sampled_from(["0001-01-01", "9999-12-31", "1680-01-01", "2260-12-31", "2023-02-30", "someday", ""]),
    _text,
)
ACLED_COLUMNS = {
    "event_id_cnty": _text, "event_date": _date_text, "time_precision": _number_text, "event_type": _text,
    "sub_event_type": _text, "actor1": _text, "latitude": _number_text, "longitude": _number_text,
    "geo_precision": _number_text, "source": _text, "notes": _text, "fatalities": _number_text,
    "features": _text, "sources": _text, "claims": _text, "in_article": _text, "date_start": _date_text,
    "date_end": _date_text, "url": _text,
}
UCDP_COLUMNS = {
    "id": _text, "date_start": _date_text, "date_end": _date_text, "date_prec": _number_text,
    "where_prec": _number_text, "latitude": _number_text, "longitude": _number_text, "side_a": _text,
    "side_b": _text, "dyad_name": _text, "type_of_violence": _number_text, "source_original": _text,
    "source_article": _text, "best": _number_text,
}


@st.composite
def csv_documents(draw, columns: dict, required: tuple[str, ...]):
    """(bytes, data rows written): a CSV with the required columns and some others, in any order."""
    optional = draw(st.lists(st.sampled_from([c for c in columns if c not in required]), unique=True))
    header = draw(st.permutations([*required, *optional]))
    rows = draw(st.lists(st.tuples(*(columns[c] for c in header)), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO(newline="")
    # CRLF: Python's writer quotes a cell holding \r or \n only when the line terminator holds it.
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
    written = sum(1 for row in rows if any(cell != "" for cell in row))
    return out.getvalue().encode(encoding), written


def assert_contract(result, rows_in: int | None) -> None:
    """Either one fatal problem and nothing imported, or every row accounted for."""
    assert tuple(result.events.columns) == EVENT_COLUMNS
    if result.fatal is not None:
        assert result.events.empty
        assert str(result.fatal).startswith(result.fatal.file)
        return
    rejected_rows = set(result.rejected["row"]) if len(result.rejected) else set()
    assert len(rejected_rows) == len(result.rejected)  # one line per rejected row
    problem_rows = {p.row for p in result.problems if not p.reason.endswith("(row kept)")}
    assert rejected_rows == problem_rows  # every rejected row has its message, and only those
    if rows_in is not None:
        assert len(result.events) + len(result.rejected) == rows_in
    assert result.events["id"].is_unique
    if len(result.events):
        assert result.events["event_date"].min().year >= 1800 and result.events["date_end"].max().year <= 2200
    result.rejected_csv()


@SETTINGS
@given(doc=csv_documents(ACLED_COLUMNS, ("event_id_cnty", "event_date", "latitude", "longitude")))
def test_generated_acled_csv_never_raises_and_every_row_is_accounted_for(doc):
    data, rows_in = doc
    result = import_events("gen.csv", data)
    if rows_in == 0:
        assert result.fatal is not None and "no data rows" in str(result.fatal)
    assert_contract(result, rows_in)


@SETTINGS
@given(doc=csv_documents(UCDP_COLUMNS, ("id", "date_start", "latitude", "longitude")))
def test_generated_ucdp_csv_never_raises_and_every_row_is_accounted_for(doc):
    data, rows_in = doc
    result = import_events("ged.csv", data)
    assert_contract(result, rows_in)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
              _text, _date_text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=12,
)
_properties = st.fixed_dictionaries({}, optional={
    "id": st.one_of(_text, st.integers()), "title": _json, "event_date": st.one_of(_date_text, _json),
    "time_precision": _json, "geo_precision": _json, "source": _json, "url": _json, "sources": _json,
    "features": _json, "claims": _json, "fatalities": st.one_of(_number_text, _json), "notes": _json,
    "in_article": _json, "extra": _json,
})
_geometry = st.one_of(
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]},
              st.floats(-200, 200, allow_nan=False), st.floats(-100, 100, allow_nan=False)),
    st.builds(lambda c: {"type": "Point", "coordinates": c}, _json),
    st.just({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
    _json,
)
_feature = st.one_of(
    st.builds(lambda g, p: {"type": "Feature", "geometry": g, "properties": p}, _geometry, _properties),
    _json,
)


@SETTINGS
@given(features=st.lists(_feature, max_size=8), crs=st.one_of(st.none(), _json))
def test_generated_geojson_never_raises_and_every_feature_is_accounted_for(features, crs):
    doc = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = crs
    result = import_events("gen.geojson", json.dumps(doc).encode())  # stdlib: integers of any size
    assert_contract(result, len(features) if result.fatal is None else None)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_raw_bytes_never_raise(data):
    assert_contract(import_events("raw.csv", data), None)


@SETTINGS
@given(prefix=st.sampled_from([b"event_id_cnty,event_date,latitude,longitude\n", b'{"type": "FeatureCollection", "features": [',
                               b"id,date_start,latitude,longitude\n"]),
       data=st.binary(max_size=300))
def test_a_valid_start_followed_by_any_bytes_never_raises(prefix, data):
    assert_contract(import_events("tail.csv", prefix + data), None)
