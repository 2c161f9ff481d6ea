"""events_to_acled_csv / events_to_geojson: shape, formula neutralisation, lossless round trips."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.catalog import EVENT_COLUMNS, FEATURE_IDS
from geo.export_events import (
    ACLED_EXPORT_COLUMNS,
    EXTRA_EXPORT_COLUMNS,
    events_to_acled_csv,
    events_to_geojson,
    neutralise_formula,
    restore_formula_text,
)
from geo.import_events import empty_events, import_events
from geo.urls import http_url
from tests.conftest import examples

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "`rm -rf /`",
    "</textarea><b>x</b>",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=tab",
    "\r=cr",
    "'=already quoted",
    "''@twice",
    "\"quoted\", with, commas",
    "line\nbreak\r\nand\rcr",
    "ünïcödé ✓ Ստեփանակերտ Xankəndi",
    "",
    " ",
]

ROUND_TRIP_COLUMNS = [c for c in EVENT_COLUMNS if c not in ("category", "origin")]


def make_events(records: list[dict]) -> pd.DataFrame:
    """An events table with the contract's dtypes from plain dicts (missing keys get defaults)."""
    defaults = {
        "title": "", "summary": "", "category": "protest", "event_type": "", "time_precision": 1,
        "actor1": "", "actor2": "", "location": "", "geo_precision": 1, "features": [],
        "sources": [], "source": "", "notes": "", "fatalities": None, "article_sentence": "",
        "in_article": False, "claims": [], "unconfirmed": "", "origin": "built-in",
    }
    rows = []
    for rec in records:
        row = {**defaults, **rec}
        row.setdefault("date_start", row["event_date"])
        row.setdefault("date_end", row["event_date"])
        rows.append(row)
    template = empty_events()
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    for col in EVENT_COLUMNS:
        if col in ("features", "sources", "claims"):
            continue
        if col in ("event_date", "date_start", "date_end"):
            frame[col] = pd.to_datetime(frame[col])
        frame[col] = frame[col].astype(template[col].dtype)
    return frame


def assert_same_events(before: pd.DataFrame, after: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        before[ROUND_TRIP_COLUMNS].reset_index(drop=True),
        after[ROUND_TRIP_COLUMNS].reset_index(drop=True),
        check_exact=True,
    )


@pytest.fixture
def sample() -> pd.DataFrame:
    """Two events: one exact with sources/claims/features, one month-level with unknown fatalities."""
    return make_events([
        {
            "id": "ev-1", "title": "Checkpoint at the Hakari bridge", "summary": "A checkpoint.",
            "category": "blockade", "event_type": "Strategic developments",
            "event_date": "2023-04-23", "actor1": "Azerbaijan", "location": "Hakari bridge",
            "latitude": 39.6101, "longitude": 46.5377, "features": ["hakari-checkpoint", "lachin-corridor"],
            "sources": [{"publisher": "Reuters", "url": "https://example.org/a?b=1&c=2"}],
            "source": "Reuters", "notes": "=1+1", "fatalities": 0,
            "article_sentence": "A checkpoint was installed.", "in_article": True,
            "claims": [{"side": "Armenia", "claim": "-illegal", "source": "MFA"}],
            "unconfirmed": "",
        },
        {
            "id": "ev-2", "title": "Month-level report", "event_date": "2023-08-10", "source": "ACLED",
            "time_precision": 3, "date_start": "2023-08-01", "date_end": "2023-08-31",
            "latitude": -33.5, "longitude": -70.25, "geo_precision": 3,
        },
    ])


# --- formula neutralisation ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("'=x", "''=x"), ("''-x", "'''-x"), ("'plain", "'plain"), ("a=b", "a=b"),
     ("", ""), ("Yerevan", "Yerevan")],
)
def test_neutralise_formula(text, expected):
    assert neutralise_formula(text) == expected
    assert restore_formula_text(neutralise_formula(text)) == text


def test_csv_text_cells_starting_with_formula_chars_are_quoted(sample):
    rows = list(csv.DictReader(io.StringIO(events_to_acled_csv(sample).decode("utf-8-sig"))))
    assert rows[0]["notes"] == "'=1+1"
    assert rows[0]["claims"].startswith("[")  # JSON, not text starting with a formula char


def test_csv_numeric_columns_stay_numeric(sample):
    rows = list(csv.DictReader(io.StringIO(events_to_acled_csv(sample).decode("utf-8-sig"))))
    assert rows[1]["latitude"] == "-33.5" and rows[1]["longitude"] == "-70.25"
    assert rows[0]["fatalities"] == "0" and rows[1]["fatalities"] == ""
    assert rows[1]["time_precision"] == "3" and rows[1]["geo_precision"] == "3"


@pytest.mark.parametrize("payload", ["=cmd|' /C calc'!A0", "+HYPERLINK(\"x\")", "-2+3", "@SUM(1)",
                                     "\t=1", "\r=1"])
def test_no_exported_text_cell_starts_with_a_formula_char(payload):
    events = make_events([{"id": payload, "title": payload, "summary": payload, "event_date": "2023-01-01",
                           "latitude": 40.0, "longitude": 44.0, "actor1": payload, "actor2": payload,
                           "location": payload, "source": payload, "notes": payload,
                           "article_sentence": payload, "unconfirmed": payload, "event_type": payload}])
    text = events_to_acled_csv(events).decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    for col in ("event_id_cnty", "id", "title", "summary", "actor1", "actor2", "location", "source",
                "notes", "article_sentence", "unconfirmed", "event_type"):
        assert row[col] == "'" + payload, col


# --- shape ---------------------------------------------------------------------------


def test_csv_has_acled_columns_then_ours(sample):
    data = events_to_acled_csv(sample)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header) == ACLED_EXPORT_COLUMNS + EXTRA_EXPORT_COLUMNS
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["event_id_cnty"] == rows[0]["id"] == "ev-1"
    assert rows[0]["event_date"] == "2023-04-23" and rows[0]["year"] == "2023"
    assert orjson.loads(rows[0]["sources"]) == [{"publisher": "Reuters", "url": "https://example.org/a?b=1&c=2"}]
    assert rows[0]["in_article"] == "true"


def test_geojson_is_rfc7946_feature_collection_of_points(sample):
    doc = orjson.loads(events_to_geojson(sample))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    first, second = doc["features"]
    assert first["type"] == "Feature"
    assert first["geometry"] == {"type": "Point", "coordinates": [46.5377, 39.6101]}  # lon, lat
    assert set(first["properties"]) == set(EVENT_COLUMNS)
    assert first["properties"]["event_date"] == "2023-04-23"
    assert second["properties"]["date_start"] == "2023-08-01"
    assert second["properties"]["fatalities"] is None
    assert first["properties"]["notes"] == "=1+1"  # GeoJSON is data: no quoting


def test_export_rejects_a_non_events_frame():
    with pytest.raises(ValueError, match="events is missing columns: id"):
        events_to_acled_csv(pd.DataFrame({"x": [1]}))
    with pytest.raises(TypeError, match="events must be a pandas DataFrame, not list"):
        events_to_geojson([])  # type: ignore[arg-type]


def test_empty_events_export_and_reimport_as_no_rows():
    assert import_events("e.csv", events_to_acled_csv(empty_events())).fatal.reason == "has a header but no data rows"
    assert orjson.loads(events_to_geojson(empty_events())) == {"type": "FeatureCollection", "features": []}


# --- round trips --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_round_trip_of_sample(sample, fmt):
    data = events_to_acled_csv(sample) if fmt == "csv" else events_to_geojson(sample)
    result = import_events(f"export.{fmt}", data)
    assert result.problems == [] and result.fatal is None
    assert_same_events(sample, result.events)
    assert (result.events["category"] == "imported").all()
    assert (result.events["origin"] == f"imported: export.{fmt}").all()


def test_round_trip_twice_is_stable(sample):
    once = import_events("a.csv", events_to_acled_csv(sample)).events
    twice = import_events("b.csv", events_to_acled_csv(once)).events
    assert_same_events(once, twice)


# Any text except lone surrogates (not encodable) and NUL (a file holding NUL bytes is treated as binary).
_chars = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_text = st.one_of(st.sampled_from(HOSTILE), st.text(_chars, max_size=40))
_feature_ids = [fid for ids in FEATURE_IDS.values() for fid in ids]
_urls = st.sampled_from([
    "https://example.org/a", "http://example.org/path?q=<script>alert(1)</script>",
    "https://example.org/x?a=1&b='2'", "HTTPS://EXAMPLE.ORG/UPPER", "https://例え.jp/パス",
]).map(http_url)  # links as every loader keeps them (geo.urls.http_url percent-encodes <, >, quotes)


@st.composite
def events_frames(draw) -> pd.DataFrame:
    """1-5 events with hostile text everywhere text is allowed."""
    ids = draw(st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(_chars, min_size=1, max_size=20)).map(str.strip).filter(bool),
        min_size=1, max_size=5, unique=True,
    ))
    records = []
    for event_id in ids:
        day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
        before = draw(st.integers(0, 40))
        after = draw(st.integers(0, 40))
        records.append({
            "id": event_id,
            "title": draw(_text.filter(str.strip)), "summary": draw(_text), "event_type": draw(_text),
            "event_date": pd.Timestamp(day), "time_precision": draw(st.sampled_from([1, 2, 3])),
            "date_start": pd.Timestamp(day - timedelta(days=before)),
            "date_end": pd.Timestamp(day + timedelta(days=after)),
            "actor1": draw(_text), "actor2": draw(_text), "location": draw(_text),
            "latitude": draw(st.floats(-90, 90, allow_nan=False)),
            "longitude": draw(st.floats(-180, 180, allow_nan=False)),
            "geo_precision": draw(st.sampled_from([1, 2, 3])),
            "features": draw(st.lists(st.sampled_from(_feature_ids), max_size=3, unique=True)),
            "sources": draw(st.lists(st.fixed_dictionaries({"publisher": _text.filter(str.strip), "url": _urls}),
                                     max_size=2)),
            "source": draw(_text.filter(str.strip)), "notes": draw(_text),
            "fatalities": draw(st.one_of(st.none(), st.integers(0, 10**6))),
            "article_sentence": draw(_text), "in_article": draw(st.booleans()),
            "claims": draw(st.lists(st.fixed_dictionaries({"side": _text.filter(str.strip), "claim": _text.filter(str.strip), "source": _text}),
                                    max_size=2)),
            "unconfirmed": draw(_text),
        })
    return make_events(records)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=events_frames())
def test_csv_round_trip_is_lossless_with_hostile_text(events):
    result = import_events("export.csv", events_to_acled_csv(events))
    assert result.fatal is None, str(result.fatal)
    assert result.problems == [], [str(p) for p in result.problems]
    assert_same_events(events, result.events)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=events_frames())
def test_geojson_round_trip_is_lossless_with_hostile_text(events):
    result = import_events("export.geojson", events_to_geojson(events))
    assert result.fatal is None, str(result.fatal)
    assert result.problems == [], [str(p) for p in result.problems]
    assert_same_events(events, result.events)


@settings(max_examples=examples(100), deadline=None)
@given(events=events_frames())
def test_csv_export_never_starts_a_text_cell_with_a_formula_char(events):
    text = events_to_acled_csv(events).decode("utf-8-sig")
    numeric = {"latitude", "longitude", "fatalities", "time_precision", "geo_precision", "year"}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        for col, cell in row.items():
            if col not in numeric and cell:
                assert cell[0] not in "=+-@\t\r", (col, cell)


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_built_in_events_round_trip(fmt):
    """The shipped data/events.toml exports and re-imports unchanged (bar category/origin)."""
    from pathlib import Path

    from geo.load_events import load_events

    built_in = load_events(Path(__file__).parent.parent / "data" / "events.toml").events
    assert len(built_in) > 0
    data = events_to_acled_csv(built_in) if fmt == "csv" else events_to_geojson(built_in)
    result = import_events(f"built-in.{fmt}", data)
    assert result.problems == [] and result.fatal is None
    assert_same_events(built_in, result.events)
    both = pd.concat([built_in, result.events], ignore_index=True)
    assert (both.dtypes == built_in.dtypes).all()  # imported events stack onto built-in ones
