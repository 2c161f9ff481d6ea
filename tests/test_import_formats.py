"""import_events on good files of each format: ACLED (current, older), UCDP GED, GeoJSON."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.catalog import EVENT_COLUMNS
from geo.import_events import UCDP_DATE_PREC, UCDP_WHERE_PREC, empty_events, import_events

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def load(name: str):
    """Import a fixture file by name."""
    return import_events(name, (FIXTURES / name).read_bytes())


def by_id(result) -> dict[str, dict]:
    return {row["id"]: row for row in result.events.to_dict("records")}


def assert_contract(events: pd.DataFrame) -> None:
    """Columns in EVENT_COLUMNS order and the dtypes of the empty template."""
    assert tuple(events.columns) == EVENT_COLUMNS
    template = empty_events()
    for col in EVENT_COLUMNS:
        assert events[col].dtype == template[col].dtype, col
    assert events["id"].is_unique
    assert (events["category"] == "imported").all()


def test_acled_current_export_imports_every_row():
    """The current ACLED column list, ISO dates, all three precision codes."""
    result = load("acled_current.csv")
    assert result.fatal is None
    assert result.format == "acled"
    assert result.summary == "4 imported, 0 rejected"
    assert result.problems == []
    assert result.rejected.empty
    assert_contract(result.events)
    assert (result.events["origin"] == "imported: acled_current.csv").all()
    ev = by_id(result)
    first = ev["ARM1001"]
    assert first["title"] == "Protests: Peaceful protest"
    assert first["event_type"] == "Protests"
    assert first["summary"] == first["notes"]
    assert '"Lachin corridor"' in first["notes"]  # CSV-quoted quotes kept as text
    assert first["actor1"] == "Protesters (Armenia)"
    assert first["source"] == "Armenpress"
    assert first["sources"] == []  # ACLED gives publisher names, not URLs
    assert first["fatalities"] == 0
    assert first["latitude"] == pytest.approx(40.1811)
    assert first["longitude"] == pytest.approx(44.5136)
    assert first["in_article"] is False or first["in_article"] == False  # noqa: E712


def test_acled_time_precision_gives_day_week_month_ranges():
    """1: the day; 2: the ISO week Monday-Sunday; 3: the calendar month."""
    ev = by_id(load("acled_current.csv"))
    day = ev["ARM1001"]
    assert day["time_precision"] == 1
    assert day["date_start"] == day["date_end"] == pd.Timestamp("2023-07-14")
    week = ev["AZE2003"]  # Thursday 2023-06-15
    assert week["time_precision"] == 2
    assert week["date_start"] == pd.Timestamp("2023-06-12")  # Monday
    assert week["date_end"] == pd.Timestamp("2023-06-18")  # Sunday
    month = ev["AZE2004"]
    assert month["time_precision"] == 3
    assert month["date_start"] == pd.Timestamp("2023-08-01")
    assert month["date_end"] == pd.Timestamp("2023-08-31")
    assert month["event_date"] == pd.Timestamp("2023-08-10")


def test_acled_geo_precision_is_kept():
    ev = by_id(load("acled_current.csv"))
    assert [ev[i]["geo_precision"] for i in ("ARM1001", "AZE2002", "AZE2004")] == [1, 2, 3]


def test_acled_missing_fatalities_is_na():
    assert pd.isna(by_id(load("acled_current.csv"))["AZE2003"]["fatalities"])


def test_acled_url_in_source_becomes_a_link_and_source_text_stays():
    event = by_id(load("acled_current.csv"))["AZE2002"]
    assert event["source"] == "Reuters; https://example.org/report"
    assert event["sources"] == [{"publisher": "example.org", "url": "https://example.org/report"}]


def test_acled_older_variant_with_data_id_and_long_dates():
    """Older export: data_id and event_id_no_cnty, no disorder_type/tags, '14 July 2018' dates."""
    result = load("acled_old.csv")
    assert result.summary == "2 imported, 0 rejected"
    assert_contract(result.events)
    ev = by_id(result)
    assert ev["ARM501"]["event_date"] == pd.Timestamp("2018-07-14")
    week = ev["ARM502"]  # Saturday 2016-04-02
    assert (week["date_start"], week["date_end"]) == (pd.Timestamp("2016-03-28"), pd.Timestamp("2016-04-03"))
    assert week["geo_precision"] == 3


def test_acled_uppercase_headers_geo_precis_and_dashed_dates():
    """Case-insensitive headers, geo_precis, only data_id as id, '14-July-2015' dates."""
    result = load("acled_old_uppercase.csv")
    assert result.summary == "2 imported, 0 rejected"
    ev = by_id(result)
    assert set(ev) == {"9001", "9002"}
    assert ev["9001"]["event_date"] == pd.Timestamp("2015-07-14")
    assert ev["9002"]["geo_precision"] == 2
    assert ev["9002"]["date_end"] == pd.Timestamp("2015-08-31")
    assert ev["9001"]["title"] == "Riots/Protests"  # no sub_event_type column


def test_utf8_bom_is_accepted():
    result = load("acled_bom.csv")
    assert result.summary == "1 imported, 0 rejected"
    assert result.events["notes"].iat[0] == "Erevan café"


def test_ucdp_ged_dates_and_precision_mapping():
    result = load("ucdp_ged.csv")
    assert result.format == "ucdp"
    assert result.summary == "4 imported, 0 rejected"
    assert_contract(result.events)
    ev = by_id(result)
    exact = ev["401001"]
    assert exact["event_date"] == exact["date_start"] == exact["date_end"] == pd.Timestamp("2020-09-27")
    assert (exact["time_precision"], exact["geo_precision"]) == (1, 1)
    assert exact["fatalities"] == 17  # best
    assert exact["actor1"] == "Government of Azerbaijan"
    assert exact["actor2"] == "Republic of Artsakh"
    assert exact["title"] == "Government of Azerbaijan - Republic of Artsakh"
    assert exact["event_type"] == "State-based conflict"
    assert exact["source"] == "Armenian MoD"
    assert exact["sources"] == [{"publisher": "example.org", "url": "https://example.org/ucdp-1"}]
    few_days = ev["401002"]  # date_prec 2, where_prec 3
    assert (few_days["date_start"], few_days["date_end"]) == (pd.Timestamp("2020-10-03"), pd.Timestamp("2020-10-06"))
    assert (few_days["time_precision"], few_days["geo_precision"]) == (2, 3)
    assert (ev["401003"]["time_precision"], ev["401003"]["geo_precision"]) == (3, 3)  # 4, 4
    assert (ev["401004"]["time_precision"], ev["401004"]["geo_precision"]) == (3, 3)  # 5, 6
    assert ev["401003"]["event_type"] == "One-sided violence"


def test_ucdp_mapping_tables_are_the_documented_ones():
    assert UCDP_DATE_PREC == {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
    assert UCDP_WHERE_PREC == {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}


def test_ucdp_without_date_prec_derives_precision_from_the_range():
    data = (b"id,date_start,date_end,latitude,longitude\n"
            b"1,2020-09-27,2020-09-27,39.8,46.7\n"
            b"2,2020-09-27,2020-09-30,39.8,46.7\n"
            b"3,2020-09-01,2020-09-30,39.8,46.7\n")
    ev = by_id(import_events("ged.csv", data))
    assert [ev[i]["time_precision"] for i in ("1", "2", "3")] == [1, 2, 3]


def test_geojson_points_with_builtin_and_acled_property_names():
    result = load("events.geojson")
    assert result.format == "geojson"
    assert result.summary == "3 imported, 0 rejected"
    assert_contract(result.events)
    ev = by_id(result)
    first = ev["geo-1"]
    assert (first["longitude"], first["latitude"]) == (46.5377, 39.6101)
    assert first["title"] == "Checkpoint at the Hakari bridge"
    assert first["features"] == ["hakari-checkpoint"]
    assert first["sources"] == [{"publisher": "Reuters", "url": "https://example.org/hakari"}]
    acled = ev["ARM77"]  # event_id_cnty, "14 July 2023", codes as strings, 3D point
    assert acled["title"] == "Protests: Peaceful protest"
    assert (acled["time_precision"], acled["geo_precision"]) == (2, 3)
    assert acled["date_start"] == pd.Timestamp("2023-07-10")
    assert acled["sources"] == [{"publisher": "Armenpress", "url": "https://example.org/armenpress"}]
    assert ev["geo-3"]["id"] == "geo-3"  # the Feature's own id


def test_javascript_url_is_kept_as_text_in_notes_not_as_a_link():
    result = load("events.geojson")
    event = by_id(result)["geo-3"]
    assert event["sources"] == []
    assert "javascript:alert(1)" in event["notes"]
    assert event["notes"].startswith("See link.")
    (problem,) = result.problems
    assert problem.row == 3 and problem.field == "url"
    assert "not an http(s) link; kept as text in notes" in str(problem)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                                 "vbscript:msgbox", "ftp://example.org/x", "//example.org/x"])
def test_only_http_and_https_urls_become_sources(url):
    data = (b"event_id_cnty,event_date,latitude,longitude,url,notes\n"
            b'A1,2023-07-14,40,44,"' + url.encode() + b'",n\n')
    result = import_events("links.csv", data)
    event = result.events.iloc[0]
    assert event["sources"] == []
    assert url in event["notes"]


def test_javascript_url_in_acled_source_stays_plain_source_text():
    data = (b"event_id_cnty,event_date,latitude,longitude,source\n"
            b"A1,2023-07-14,40,44,javascript:alert(1); https://ok.example/a\n")
    event = import_events("s.csv", data).events.iloc[0]
    assert event["source"] == "javascript:alert(1); https://ok.example/a"
    assert event["sources"] == [{"publisher": "ok.example", "url": "https://ok.example/a"}]


def test_semicolon_separated_csv_with_decimal_commas_is_read_and_says_so():
    """Excel in a decimal-comma locale saves CSV with semicolons and 40,5 for 40.5."""
    data = (b"event_id_cnty;event_date;latitude;longitude;source\n"
            b"A1;2023-07-14;40,5;44;P\nA2;2023-07-15;40.5;-44,25;P\n")
    result = import_events("excel.csv", data)
    assert list(result.events["id"]) == ["A1", "A2"]
    assert list(result.events["latitude"]) == [40.5, 40.5]
    assert list(result.events["longitude"]) == [44.0, -44.25]
    assert "Columns separated by semicolons." in result.readings
    assert ("Decimal commas in latitude and longitude were read as decimal points (the file is separated by "
            "semicolons).") in result.readings


def test_decimal_comma_in_a_comma_separated_file_is_not_a_number():
    data = b'event_id_cnty,event_date,latitude,longitude,source\nA1,2023-07-14,"40,5",44,P\n'
    result = import_events("c.csv", data)
    assert result.events.empty
    assert "field 'latitude', value '40,5': not a number" in str(result.problems[0])


def test_blank_lines_are_skipped_and_line_numbers_stay_true():
    data = b"event_id_cnty,event_date,latitude,longitude,source\n\nA1,2023-07-14,40,44,P\n\nA2,bad,40,44,P\n"
    result = import_events("gaps.csv", data)
    assert result.problems[0].row == 5


def test_line_numbers_count_lines_inside_quoted_cells():
    data = (b"event_id_cnty,event_date,latitude,longitude,notes,source\n"
            b'A1,2023-07-14,40,44,"two\nlines",P\n'
            b"A2,bad,40,44,x,P\n")
    result = import_events("multi.csv", data)
    assert result.events["notes"].iat[0] == "two\nlines"
    assert result.problems[0].row == 4


def test_progress_is_reported_from_0_to_1():
    seen: list[float] = []
    import_events("acled_current.csv", (FIXTURES / "acled_current.csv").read_bytes(), progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_text_is_kept_verbatim_never_interpreted():
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> `x` </textarea>'
    data = ("event_id_cnty,event_date,latitude,longitude,notes,actor1\n"
            f'A1,2023-07-14,40,44,"{hostile}",&lt;b&gt;\n').encode()
    event = import_events("x.csv", data).events.iloc[0]
    assert event["notes"] == hostile
    assert event["actor1"] == "&lt;b&gt;"  # not unescaped either
