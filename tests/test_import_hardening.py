"""Issue 13: the failing examples of the hostile-input review, kept as regression tests.

Each test is named after what broke. The import contract: :func:`import_events`
never raises; a row is imported or rejected with a message naming file, row,
field and reason; a file that cannot be used gives one ``fatal`` problem.
"""

from __future__ import annotations

import csv
import io
import os
import tracemalloc

import orjson
import pandas as pd
import pytest

from geo.dates import SUPPORTED_DATES, span_of
from geo.export_events import events_to_acled_csv, neutralise_formula
from geo.imports import import_events
from geo.imports import importer as importer_module
from geo.imports.files import read_events_file

HEADER = "event_id_cnty,event_date,time_precision,event_type,latitude,longitude,source"
OUT_OF_RANGE = "date outside the supported range 1800-01-01 to 2200-12-31"


def acled(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def messages(result) -> str:
    return "\n".join(str(p) for p in result.problems)


def point(props: dict, coords=(46.75, 39.8)) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(coords)}, "properties": props}


def collection(*features, **extra) -> bytes:
    return orjson.dumps({"type": "FeatureCollection", **extra, "features": list(features)})


GOOD = {"id": "ok", "title": "Fine", "event_date": "2023-07-14", "source": "P"}


# --- 1. dates outside pandas' range ---------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1000-01-01", "9999-12-31", "1680-01-01", "2260-01-01",
                                 "1799-12-31", "2201-01-01", "14 July 1680", "14/07/9999"])
def test_date_outside_pandas_range_raised_out_of_bounds_datetime(day):
    result = import_events("far.csv", acled(f"A1,{day},1,Protests,40,44,P", "A2,2023-07-14,1,Protests,40,44,P"))
    assert result.fatal is None
    assert list(result.events["id"]) == ["A2"]
    assert f"far.csv, row 2, field 'event_date', value '{day}': {OUT_OF_RANGE}" in messages(result)


def test_ucdp_date_end_9999_raised():
    data = (b"id,date_start,date_end,latitude,longitude,source_original\n"
            b"1,2020-09-27,9999-12-31,39.8,46.7,AFP\n2,2020-09-27,2020-09-28,39.8,46.7,AFP\n")
    result = import_events("ged.csv", data)
    assert list(result.events["id"]) == ["2"]
    assert f"row 2, field 'date_end', value '9999-12-31': {OUT_OF_RANGE}" in messages(result)


def test_geojson_event_date_9999_raised():
    data = collection(point({**GOOD, "id": "far", "event_date": "9999-12-31"}), point(GOOD))
    result = import_events("far.geojson", data)
    assert list(result.events["id"]) == ["ok"]
    assert f"row 1, field 'event_date', value '9999-12-31': {OUT_OF_RANGE}" in messages(result)


@pytest.mark.parametrize(("day", "precision"), [("1800-01-01", 2), ("1800-01-03", 2), ("2200-12-31", 2)])
def test_week_or_month_precision_running_past_the_edge_raised(day, precision):
    result = import_events("edge.csv", acled(f"A1,{day},{precision},Protests,40,44,P"))
    assert result.events.empty and len(result.rejected) == 1
    assert "with its time_precision the date range runs outside the supported dates" in messages(result)


def test_dates_near_pandas_edges_never_reach_the_slider():
    """1677-1684 and 2255-2262 imported and then broke st.slider (JS number bounds)."""
    result = import_events("edge.csv", acled("A1,1680-06-01,1,P,40,44,P", "A2,2258-06-01,1,P,40,44,P",
                                             "A3,1800-01-01,1,P,40,44,P", "A4,2200-12-31,1,P,40,44,P"))
    assert list(result.events["id"]) == ["A3", "A4"]
    lo, hi = span_of(result.events)
    assert SUPPORTED_DATES[0] <= lo and hi <= SUPPORTED_DATES[1]


# --- 2. more inputs that raised --------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e19", "1e400", "99999999999999999999999", "10000001", "-0.5", "nan"])
def test_huge_fatalities_raised_type_error(value):
    header = HEADER + ",fatalities"
    result = import_events("f.csv", acled(f"A1,2023-07-14,1,P,40,44,P,{value}", "A2,2023-07-14,1,P,40,44,P,3",
                                          header=header))
    assert list(result.events["id"]) == ["A2"]
    assert f"row 2, field 'fatalities', value '{value}': not a whole number from 0 to 10,000,000" in messages(result)


@pytest.mark.parametrize("crs", ["EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84",
                                 {"type": "name", "properties": {"name": "EPSG:4326"}}])
def test_crs_naming_wgs84_in_any_shape_is_accepted(crs):
    result = import_events("c.geojson", collection(point(GOOD), crs=crs))
    assert result.fatal is None and len(result.events) == 1


@pytest.mark.parametrize(("crs", "message"), [
    ("EPSG:32638", "uses the coordinate system 'EPSG:32638'"),
    (["EPSG:4326"], "has a 'crs' member that names no coordinate system ([\"EPSG:4326\"])"),
    ({"type": "name"}, "has a 'crs' member that names no coordinate system"),
    ({"type": "name", "properties": {"title": "x"}}, "has a 'crs' member that names no coordinate system"),
    ({"type": "name", "properties": {"name": 4326}}, "has a 'crs' member that names no coordinate system"),
    (7, "has a 'crs' member that names no coordinate system (7)"),
])
def test_crs_as_string_list_or_without_name_raised_attribute_error(crs, message):
    result = import_events("c.geojson", collection(point(GOOD), crs=crs))
    assert result.fatal is not None and message in str(result.fatal), str(result.fatal)


def test_properties_nested_1000_deep_raised_recursion_error():
    deep = '{"a": ' * 1000 + '"x"' + "}" * 1000  # past orjson's own writing limit: spelled out
    feature = orjson.dumps(point({**GOOD, "id": "deep", "extra": "DEEP"})).replace(b'"DEEP"', deep.encode())
    data = b'{"type": "FeatureCollection", "features": [' + feature + b", " + orjson.dumps(point(GOOD)) + b"]}"
    result = import_events("deep.geojson", data)
    assert result.fatal is None
    assert list(result.events["id"]) == ["ok"]
    assert "row 1, field 'properties': nests lists/objects more than 32 levels deep" in messages(result)
    assert len(result.rejected) == 1
    result.rejected_csv()  # the rejected row can be downloaded


def test_json_nested_past_the_parser_limit_is_one_fatal_problem():
    data = b'{"type": "FeatureCollection", "features": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    result = import_events("deeper.geojson", data)
    assert result.fatal is not None and str(result.fatal).startswith("deeper.geojson: is not valid JSON")


def test_an_unexpected_error_inside_becomes_a_file_problem_naming_the_file(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr(importer_module, "check_events", broken)
    result = import_events("odd.csv", acled("A1,2023-07-14,1,P,40,44,P"))
    assert str(result.fatal) == ("odd.csv: could not be imported: an unexpected error (ZeroDivisionError); "
                                 "the details are in the server log")
    assert result.events.empty
    assert "deep inside" in caplog.text  # logged on the server, with the detail


# --- 3. start-up files ------------------------------------------------------------------------


def test_start_up_file_dev_zero_grew_the_server_to_1_4_gb():
    problem = read_events_file("/dev/zero")
    assert "it is a character device, not a regular file" in str(problem)


def test_start_up_file_fifo_left_every_viewer_waiting(tmp_path):
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    problem = read_events_file(fifo)  # returns at once: the FIFO is never read
    assert "it is a FIFO (named pipe), not a regular file" in str(problem)


def test_start_up_file_directory_and_missing_file(tmp_path):
    assert "it is a directory, not a file" in str(read_events_file(tmp_path)) \
        or "it is a directory, not a regular file" in str(read_events_file(tmp_path))
    assert str(read_events_file(tmp_path / "nope.csv")).endswith("cannot be imported: file not found")


def test_start_up_file_over_the_size_cap_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2048)
    assert "it is 0.0 MB, over the limit of" in str(read_events_file(big, max_bytes=1024))
    assert read_events_file(big, max_bytes=4096) == b"x" * 2048


# --- 7. rows lost without a word --------------------------------------------------------------


def test_unclosed_quote_swallowed_1000_rows_into_one_notes_cell():
    rows = ['A0,2023-07-14,1,P,40,44,P,"never closed'] + [f"A{i},2023-07-14,1,P,40,44,P,fine" for i in range(1, 1001)]
    result = import_events("quote.csv", acled(*rows, header=HEADER + ",notes"))
    assert result.summary == "1,000 imported, 1 rejected"
    (problem,) = [p for p in result.problems if p.row == 2]
    assert str(problem) == ("quote.csv, row 2: a quote opened in field 'notes' is not closed: the cell runs over "
                            "lines 2 to 1002; those lines are read again as rows")
    assert result.rejected["row"].tolist() == [2]


def test_unclosed_quote_in_a_middle_field_is_reported_and_the_rest_read():
    rows = ['A0,"2023-07-14,1,P,40,44,P', "A1,2023-07-14,1,P,40,44,P", "A2,2023-07-14,1,P,40,44,P"]
    result = import_events("mid.csv", acled(*rows))
    assert list(result.events["id"]) == ["A1", "A2"]
    assert "row 2: a quote opened in field 'event_date' is not closed" in messages(result)


def test_well_formed_multi_line_cells_that_look_like_rows_are_kept():
    """A quoted cell a CSV writer wrote, whose lines hold commas, is not taken for a swallowing quote."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER.split(",") + ["notes"])
    writer.writerow(["A1", "2023-07-14", "1", "P", "40", "44", "P", "a,b,c,d,e,f,g\nh,i,j,k,l,m,n\no,p,q,r,s,t,u"])
    writer.writerow(["A2", "2023-07-14", "1", "P", "40", "44", "P", "x"])
    result = import_events("fine.csv", out.getvalue().encode())
    assert result.summary == "2 imported, 0 rejected"
    assert result.events["notes"].iat[0].count("\n") == 2


def test_column_count_that_changes_is_reported_per_row():
    rows = ["A1,2023-07-14,1,P,40,44,P", "A2,2023-07-14,1,P,40,44,P,extra,cells", "A3,2023-07-14,1,P,40"]
    result = import_events("ragged.csv", acled(*rows))
    assert result.summary == "1 imported, 2 rejected"
    text = messages(result)
    assert "ragged.csv, row 3: has 9 fields, the header has 7" in text
    assert "ragged.csv, row 4: has 5 fields, the header has 7" in text


def test_300000_columns_took_43_s_and_1_2_gb():
    data = (",".join(f"c{i}" for i in range(300_000)) + "\n" + ",".join("1" for _ in range(300_000)) + "\n").encode()
    tracemalloc.start()
    try:
        result = import_events("wide.csv", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(result.fatal) == ("wide.csv: has 300,000 columns in its header, more than 1,000: it is not an "
                                 "events table (check the delimiter)")
    assert peak < 20 * len(data), peak  # the header's cells, not a table of them


# --- 8. encodings and spreadsheet habits -------------------------------------------------------


CSV_TEXT = "event_id_cnty,event_date,latitude,longitude,source\nA1,2023-07-14,40,44,Ստեփանակերտ\n"


@pytest.mark.parametrize(("encoding", "bom", "reading"), [
    ("utf-16-le", b"", "Read as UTF-16 (little-endian, no byte order mark)."),
    ("utf-16-be", b"", "Read as UTF-16 (big-endian, no byte order mark)."),
    ("utf-16-le", b"\xff\xfe", "Read as UTF-16 (little-endian, with a byte order mark)."),
    ("utf-32-le", b"\xff\xfe\x00\x00", "Read as UTF-32 (little-endian, with a byte order mark)."),
    ("utf-32-be", b"\x00\x00\xfe\xff", "Read as UTF-32 (big-endian, with a byte order mark)."),
    ("utf-32-le", b"", "Read as UTF-32 (little-endian, no byte order mark)."),
])
def test_utf16_without_bom_was_called_binary_and_utf32_was_called_utf16(encoding, bom, reading):
    result = import_events("wide-chars.csv", bom + CSV_TEXT.encode(encoding))
    assert result.fatal is None, str(result.fatal)
    assert result.readings[0] == reading
    assert result.events["source"].iat[0] == "Ստեփանակերտ"


def test_excel_month_day_dates_are_read_and_the_reading_said():
    result = import_events("us.csv", acled("A1,7/14/2023,1,P,40,44,P", "A2,7/4/2023,1,P,40,44,P"))
    assert result.events["event_date"].tolist() == [pd.Timestamp("2023-07-14"), pd.Timestamp("2023-07-04")]
    assert any("month/day/year" in r and "7/14/2023" in r for r in result.readings)


def test_excel_day_month_dates_are_read_and_the_reading_said():
    result = import_events("eu.csv", acled("A1,14/07/2023,1,P,40,44,P", "A2,04/07/2023,1,P,40,44,P"))
    assert result.events["event_date"].tolist() == [pd.Timestamp("2023-07-14"), pd.Timestamp("2023-07-04")]
    assert any("day/month/year" in r for r in result.readings)


def test_ambiguous_slash_dates_ask_for_the_order_and_the_option_reads_them():
    data = acled("A1,03/04/2023,1,P,40,44,P")
    asked = import_events("amb.csv", data)
    assert asked.events.empty and asked.needs_date_order
    assert "ambiguous date: day/month or month/day?" in messages(asked)
    assert import_events("amb.csv", data, date_order="dmy").events["event_date"].iat[0] == pd.Timestamp("2023-04-03")
    assert import_events("amb.csv", data, date_order="mdy").events["event_date"].iat[0] == pd.Timestamp("2023-03-04")


def test_a_file_mixing_both_orders_rejects_only_the_undecidable_dates():
    result = import_events("mix.csv", acled("A1,14/07/2023,1,P,40,44,P", "A2,7/14/2023,1,P,40,44,P",
                                            "A3,03/04/2023,1,P,40,44,P"))
    assert list(result.events["id"]) == ["A1", "A2"]
    assert "day/month and month/day dates in one file" in messages(result)


# --- 5. formula neutralisation: the cases the rule missed ---------------------------------------


@pytest.mark.parametrize("text", [" =HYPERLINK(\"http://evil.example\")", "\u3000=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)",
                                  "\u200b=1+1", "\u200d\u2060=1", "\ufeff=1", "\u00a0@x", " \t=1"])
def test_formula_after_space_full_width_or_zero_width_was_exported_raw(text):
    assert neutralise_formula(text) == "'" + text
    events = import_events("x.csv", acled("A1,2023-07-14,1,P,40,44,P")).events.assign(title=text)
    exported = events_to_acled_csv(events).decode("utf-8-sig")
    titles = [row["title"] for row in csv.DictReader(io.StringIO(exported, newline=""))]
    assert titles == ["'" + text]
    assert import_events("again.csv", events_to_acled_csv(events)).events["title"].iat[0] == text


def test_rejected_rows_download_neutralises_the_missed_cases():
    result = import_events("bad.csv", acled("＝HYPERLINK(1),bad-date,1, =cmd,40,44,\u200b@x"))
    text = result.rejected_csv().decode("utf-8-sig")
    assert "'＝HYPERLINK(1)" in text and "' =cmd" in text and "'\u200b@x" in text
