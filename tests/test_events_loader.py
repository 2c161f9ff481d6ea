"""Validation by the events loader: every bad row is reported by file, row, field and value, and dropped."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import catalog
from geo.load_events import date_range, empty_events, events_from_records, load_events

GOOD_SOURCE = """
[[events.sources]]
publisher = "Example"
url = "https://example.org/a"
"""


def event(event_id: str, *, sources: bool = True, **fields) -> str:
    """One [[events]] table; ``fields`` override the defaults (None drops a key)."""
    values = {
        "id": f'"{event_id}"',
        "title": '"A title"',
        "event_date": "2023-07-14",
        "category": '"protest"',
        "latitude": "39.8175",
        "longitude": "46.7508",
        "geo_precision": "1",
        "time_precision": "1",
        "features": '["stepanakert"]',
    }
    values.update(fields)
    body = "\n".join(f"{key} = {value}" for key, value in values.items() if value is not None)
    return "[[events]]\n" + body + "\n" + (GOOD_SOURCE if sources else "") + "\n"


#: row -> (field, value, words of the reason) of each problem of the malformed file.
#: Rows 2, 7 and 8 are kept (an unknown feature id is dropped; an event without a source is
#: marked "No source given."; a non-http link becomes text in the notes and the publisher
#: still cites the source: the one rule set of geo/check_events.py).
KEPT_ROWS = (2, 7, 8)
BAD_ROWS = {
    2: ("features", "atlantis", "unknown feature id, dropped (row kept)"),
    3: ("event_date", "2023-13-40", "not a date"),
    4: ("latitude", 123.0, "out of range"),
    5: ("longitude", -200.5, "out of range"),
    6: ("longitude", "east", "not a number"),
    7: ("sources", None, "no source given: the event is marked 'No source given.' (row kept)"),
    8: ("sources", "ftp://example.org/x", "not an http(s) link; kept as text in notes (row kept)"),
    9: ("id", "good-1", "duplicate id"),
    10: ("category", "riot", "unknown category"),
    11: ("time_precision", 4, "not a time precision code"),
    12: ("geo_precision", 0, "not a geo precision code"),
    13: ("title", None, "missing required field"),
    14: ("event_date", "2023/07/14", "not a date"),
}


@pytest.fixture
def malformed_file(tmp_path):
    """A copy of the events format with one good row first and last and one fault per row between."""
    text = (
        event("good-1")
        + event("bad-feature", features='["stepanakert", "atlantis"]')
        + event("bad-date", event_date='"2023-13-40"')
        + event("bad-lat", latitude="123.0")
        + event("bad-lon", longitude="-200.5")
        + event("lon-text", longitude='"east"')
        + event("no-source", sources=False)
        + event("ftp-source", sources=False)
        + '[[events.sources]]\npublisher = "FTP"\nurl = "ftp://example.org/x"\n\n'
        + event("good-1")
        + event("bad-category", category='"riot"')
        + event("bad-time-precision", time_precision="4")
        + event("bad-geo-precision", geo_precision="0")
        + event("no-title", title=None)
        + event("slash-date", event_date='"2023/07/14"')
        + event("good-2", event_date='"2023-07-15"', time_precision="2")
    )
    path = tmp_path / "events_bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bad_row_is_reported_by_file_row_field_value(malformed_file):
    result = load_events(malformed_file)
    by_row = {p.row: p for p in result.problems}
    assert set(by_row) == set(BAD_ROWS), [str(p) for p in result.problems]
    for row, (field, value, reason) in BAD_ROWS.items():
        problem = by_row[row]
        assert problem.file == "events_bad.toml"
        assert problem.field == field
        assert problem.value == value
        assert reason in problem.reason
        text = str(problem)
        assert f"events_bad.toml, row {row}, field {field!r}" in text
        if value is not None:
            assert repr(value) in text


def test_good_rows_of_a_malformed_file_still_load(malformed_file):
    events = load_events(malformed_file).events
    assert list(events["id"]) == ["good-1", "bad-feature", "no-source", "ftp-source", "good-2"]
    kept = events.set_index("id")
    assert kept.loc["bad-feature", "features"] == ["stepanakert"]
    assert kept.loc["ftp-source", "sources"] == [{"publisher": "FTP", "url": ""}]
    assert kept.loc["ftp-source", "notes"] == "Link not kept (not http/https): ftp://example.org/x"
    assert tuple(events.columns) == catalog.EVENT_COLUMNS
    assert kept.loc["no-source", "unconfirmed"] == "No source given."
    good2 = events.iloc[4]
    assert good2["event_date"] == pd.Timestamp("2023-07-15")  # string date accepted
    assert (good2["date_start"], good2["date_end"]) == (pd.Timestamp("2023-07-10"), pd.Timestamp("2023-07-16"))


def test_duplicate_id_names_the_first_row(malformed_file):
    problem = next(p for p in load_events(malformed_file).problems if p.row == 9)
    assert "row 1" in problem.reason


def test_several_faults_in_one_row_are_all_reported(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(event("x", latitude="95.0", category='"riot"'), encoding="utf-8")
    result = load_events(path)
    assert {(p.row, p.field) for p in result.problems} == {(1, "latitude"), (1, "category")}
    assert result.events.empty


@pytest.mark.parametrize("missing", ["id", "title", "event_date", "category", "latitude", "longitude"])
def test_missing_required_field(missing):
    record = {
        "id": "x", "title": "X", "event_date": dt.date(2023, 7, 14), "category": "legal",
        "latitude": 52.0867, "longitude": 4.2956,
        "sources": [{"publisher": "ICJ", "url": "https://icj-cij.org/node/202552"}],
    }
    del record[missing]
    result = events_from_records([record], "x.toml")
    assert [(p.row, p.field, p.reason) for p in result.problems] == [(1, missing, "missing required field")]
    assert result.events.empty


def test_missing_file_gives_one_problem_and_an_empty_frame(tmp_path):
    result = load_events(tmp_path / "nope.toml")
    assert len(result.problems) == 1
    assert result.problems[0].file == "nope.toml"
    assert "not found" in result.problems[0].reason
    assert tuple(result.events.columns) == catalog.EVENT_COLUMNS and result.events.empty


def test_not_toml_names_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[[events]]\nid = "a"\ntitle = = "b"\n', encoding="utf-8")
    result = load_events(path)
    assert len(result.problems) == 1
    assert "not valid TOML at line 3" in str(result.problems[0])
    assert result.events.empty and tuple(result.events.columns) == catalog.EVENT_COLUMNS


@pytest.mark.parametrize("text", ["", "# only a comment\n", "title = 'no events here'\n", "events = []\n"])
def test_no_events_gives_one_problem(tmp_path, text):
    path = tmp_path / "empty.toml"
    path.write_text(text, encoding="utf-8")
    result = load_events(path)
    assert len(result.problems) == 1 and "no events" in result.problems[0].reason
    assert result.events.empty and tuple(result.events.columns) == catalog.EVENT_COLUMNS


def test_events_not_an_array_of_tables(tmp_path):
    path = tmp_path / "scalar.toml"
    path.write_text('events = "oops"\n', encoding="utf-8")
    result = load_events(path)
    assert len(result.problems) == 1 and result.problems[0].field == "events"


def test_empty_frame_has_contract_dtypes():
    frame = empty_events()
    assert tuple(frame.columns) == catalog.EVENT_COLUMNS
    assert str(frame["event_date"].dtype).startswith("datetime64")
    assert str(frame["date_end"].dtype).startswith("datetime64")


def test_records_from_text_importers_are_normalised():
    """An importer's CSV row: everything text, features ';'-separated, source publisher from the host."""
    record = {
        "id": "csv-1", "title": "From a CSV", "event_date": "2023-07-20", "category": "imported",
        "latitude": "40.18", "longitude": "44.51", "time_precision": "3", "geo_precision": "2.0",
        "features": "yerevan; armenia", "sources": ["https://news.example.org/story"],
        "fatalities": "0", "in_article": "false", "notes": float("nan"),
    }
    result = events_from_records([record], "upload.csv", origin="imported: upload.csv")
    assert result.problems == []
    row = result.events.iloc[0]
    assert row["features"] == ["yerevan", "armenia"]
    assert row["source"] == "news.example.org"
    assert (row["date_start"], row["date_end"]) == (pd.Timestamp("2023-07-01"), pd.Timestamp("2023-07-31"))
    assert row["geo_precision"] == 2 and row["fatalities"] == 0 and not row["in_article"]
    assert row["notes"] == "" and row["origin"] == "imported: upload.csv"


def test_custom_feature_ids_restrict_the_allowed_ids():
    record = {"id": "x", "title": "X", "event_date": "2023-07-14", "category": "protest",
              "latitude": 1, "longitude": 2, "features": ["stepanakert"],
              "sources": [{"publisher": "P", "url": "http://example.org"}]}
    assert events_from_records([record], "f").problems == []
    problems = events_from_records([record], "f", feature_ids=["yerevan"]).problems
    assert [(p.field, p.value) for p in problems] == [("features", "stepanakert")]


def test_fatalities_missing_is_na_not_zero():
    record = {"id": "x", "title": "X", "event_date": "2023-07-14", "category": "protest",
              "latitude": 1, "longitude": 2, "sources": ["https://example.org"]}
    assert pd.isna(events_from_records([record], "f").events.loc[0, "fatalities"])


@pytest.mark.parametrize(
    ("day", "precision", "start", "end"),
    [
        (dt.date(2023, 7, 14), 1, dt.date(2023, 7, 14), dt.date(2023, 7, 14)),
        (dt.date(2023, 7, 14), 2, dt.date(2023, 7, 10), dt.date(2023, 7, 16)),  # Friday -> Mon..Sun
        (dt.date(2023, 7, 10), 2, dt.date(2023, 7, 10), dt.date(2023, 7, 16)),  # a Monday
        (dt.date(2023, 1, 1), 2, dt.date(2022, 12, 26), dt.date(2023, 1, 1)),  # a Sunday, across the year
        (dt.date(2023, 7, 14), 3, dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        (dt.date(2023, 12, 5), 3, dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        (dt.date(2024, 2, 10), 3, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
    ],
)
def test_date_range(day, precision, start, end):
    assert date_range(day, precision) == (start, end)
