"""Bad rows are rejected one by one (row, field, value, reason); good rows still import."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.import_events import import_events

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def acled_bad():
    """acled_bad_rows.csv: two good rows and one row per kind of problem."""
    return import_events("acled_bad_rows.csv", (FIXTURES / "acled_bad_rows.csv").read_bytes())


def problem_text(result, row: int) -> str:
    return "\n".join(str(p) for p in result.problems if p.row == row)


def test_good_rows_import_and_bad_rows_are_counted(acled_bad):
    assert acled_bad.fatal is None
    assert list(acled_bad.events["id"]) == ["GOOD1", "GOOD2"]
    assert acled_bad.summary == "2 imported, 10 rejected"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (3, "acled_bad_rows.csv, row 3, field 'event_date', value '2023-13-45': not a date"),
        (4, "acled_bad_rows.csv, row 4, field 'event_id_cnty': missing required field"),
        (5, "acled_bad_rows.csv, row 5, field 'latitude', value '95.5': out of range (must be between -90 and 90)"),
        (6, "acled_bad_rows.csv, row 6, field 'longitude', value 'east': not a number"),
        (7, "acled_bad_rows.csv, row 7, field 'time_precision', value '7': not a time precision code"),
        (8, "acled_bad_rows.csv, row 8, field 'geo_precision', value '4': not a geo precision code"),
        (9, "acled_bad_rows.csv, row 9, field 'fatalities', value '-3': not a whole number from 0 to 10,000,000"),
        (10, "acled_bad_rows.csv, row 10, field 'event_id_cnty', value 'GOOD1': duplicate id (already used in row 2)"),
        (11, "acled_bad_rows.csv, row 11, field 'latitude': missing required field"),
        (12, "acled_bad_rows.csv, row 12: has 13 fields, the header has 12"),
    ],
    ids=["bad-date", "missing-id", "lat-out-of-range", "lon-not-a-number", "bad-time-precision",
         "bad-geo-precision", "negative-fatalities", "duplicate-id", "missing-lat", "ragged-row"],
)
def test_each_bad_row_is_reported_with_file_row_field_value_reason(acled_bad, row, expected):
    assert expected in problem_text(acled_bad, row)


def test_rejected_frame_holds_raw_rows_and_reasons(acled_bad):
    rejected = acled_bad.rejected
    assert list(rejected["row"]) == list(range(3, 13))
    assert rejected.columns[0] == "row" and rejected.columns[-1] == "reason"
    assert "event_id_cnty" in rejected.columns  # the file's own header
    bad_date = rejected.loc[rejected["row"] == 3].iloc[0]
    assert bad_date["event_date"] == "2023-13-45"  # raw value, as in the file
    assert bad_date["reason"].startswith("event_date: not a date")
    ragged = rejected.loc[rejected["row"] == 12].iloc[0]
    assert ragged["event_id_cnty"] == "RAGGED"


def test_rejected_csv_is_downloadable_and_neutralised():
    data = (b"event_id_cnty,event_date,latitude,longitude,notes\n"
            b"A1,not a date,40,44,=HYPERLINK(\"http://evil\")\n")
    result = import_events("evil.csv", data)
    text = result.rejected_csv().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "reason" in text.splitlines()[0]


def test_several_problems_in_one_row_are_all_reported():
    data = b"event_id_cnty,event_date,latitude,longitude\nA1,someday,x,999\n"
    result = import_events("multi.csv", data)
    fields = {p.field for p in result.problems}
    assert fields == {"event_date", "latitude", "longitude"}
    assert result.rejected["reason"].iat[0].count(";") == 2


def test_duplicate_of_a_rejected_row_is_not_a_duplicate():
    """The first row with an id is bad, so the second one with that id imports."""
    data = b"event_id_cnty,event_date,latitude,longitude,source\nA1,bad,40,44,P\nA1,2023-07-14,40,44,P\n"
    result = import_events("dup.csv", data)
    assert list(result.events["id"]) == ["A1"]
    assert [p.field for p in result.problems] == ["event_date"]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("2023-02-30", "not a date"), ("14 Juli 2023", "not a date"), ("", "missing"),
     ("2023/07/14", "not a date")],
)
def test_bad_dates(cell, reason):
    data = f"event_id_cnty,event_date,latitude,longitude\nA1,{cell},40,44\n".encode()
    result = import_events("d.csv", data)
    assert result.events.empty
    assert reason in str(result.problems[0])


@pytest.mark.parametrize("cell", ["1.5", "0", "-1", "one", "nan"])
def test_bad_time_precision_codes(cell):
    data = f"event_id_cnty,event_date,time_precision,latitude,longitude\nA1,2023-07-14,{cell},40,44\n".encode()
    result = import_events("p.csv", data)
    assert result.events.empty
    assert "field 'time_precision'" in str(result.problems[0])


@pytest.mark.parametrize("cell", ["inf", "nan", "1e400", "-91", "90.0001"])
def test_bad_latitudes(cell):
    data = f"event_id_cnty,event_date,latitude,longitude\nA1,2023-07-14,{cell},44\n".encode()
    result = import_events("lat.csv", data)
    assert result.events.empty
    assert "field 'latitude'" in str(result.problems[0])


def test_ucdp_bad_rows():
    result = import_events("ucdp_bad_rows.csv", (FIXTURES / "ucdp_bad_rows.csv").read_bytes())
    # Row 6's 27/09/2020 is a spreadsheet's day/month date: read, and the reading said.
    assert list(result.events["id"]) == ["1", "5"]
    assert result.events["date_start"].iat[1] == pd.Timestamp("2020-09-27")
    assert any("day/month" in r for r in result.readings)
    text = "\n".join(map(str, result.problems))
    assert "row 3, field 'where_prec', value '8': not a UCDP where_prec code (1 to 7)" in text
    assert "row 4, field 'date_prec', value '9': not a UCDP date_prec code (1 to 5)" in text
    assert "row 5, field 'date_end', value '2020-09-27': is before date_start" in text
    assert "row 7, field 'best', value 'many': not a whole number" in text
    # No source_original, no link in an article: kept, marked as not confirmed.
    assert "row 2, field 'source_article': no source given: the event is marked 'No source given.'" in text
    assert (result.events["unconfirmed"] == "No source given.").all()


def test_geojson_bad_rows():
    """Non-point, missing geometry, bad coordinates, missing id, bad date, lon range, duplicate, code."""
    result = import_events("geojson_bad_rows.geojson", (FIXTURES / "geojson_bad_rows.geojson").read_bytes())
    assert list(result.events["id"]) == ["ok-1"]
    assert len(result.rejected) == 8
    text = "\n".join(map(str, result.problems))
    assert "row 2, field 'geometry', value 'Polygon': geometry is not a Point" in text
    assert "row 3, field 'geometry': has no geometry" in text
    assert "row 4, field 'geometry', value ['46.75', 'x']: Point coordinates are not" in text
    assert "row 5, field 'id': missing required field" in text
    assert "row 6, field 'event_date', value 'yesterday': not a date" in text
    assert "row 7, field 'longitude', value 200.0: out of range" in text
    assert "row 8, field 'id', value 'ok-1': duplicate id (already used in row 1)" in text
    assert "row 9, field 'time_precision', value '0': not a time precision code" in text
    poly = result.rejected.loc[result.rejected["row"] == 2].iloc[0]
    assert '"Polygon"' in poly["geometry"]


def test_bad_sources_json_is_a_bad_row():
    data = b'event_id_cnty,event_date,latitude,longitude,sources\nA1,2023-07-14,40,44,"[{""url"": 3}]"\n'
    result = import_events("s.csv", data)
    assert result.events.empty
    assert "field 'sources'" in str(result.problems[0])


def test_unknown_feature_ids_are_dropped_and_reported():
    data = b'event_id_cnty,event_date,latitude,longitude,features\nA1,2023-07-14,40,44,shusha; atlantis\n'
    result = import_events("f.csv", data)
    assert result.events["features"].iat[0] == ["shusha"]
    assert "value 'atlantis': unknown feature id, dropped (row kept)" in str(result.problems[0])
    assert result.summary == "1 imported, 0 rejected"
