"""Issue 18: one event checker. The same 30 events, seven of them bad, written as
data/events.toml, an ACLED CSV, a UCDP GED CSV and GeoJSON, give the same table and
the same messages for the same bad rows.

What differs between the formats is only how they number rows (CSV: the file's line,
the header being line 1; TOML and GeoJSON: the position) and how they name fields
(``event_id_cnty``, UCDP's ``best`` …): both are mapped back before comparing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import orjson
import pandas as pd
import pytest

from geo.catalog import EVENT_COLUMNS
from geo.imports import import_events
from geo.load_events import load_events
from tests.browser.hostile_data import dump_toml

N = 30
VIOLENCE = {1: "State-based conflict", 2: "Non-state conflict", 3: "One-sided violence"}
#: position (1-based) -> (field, bad value, reason): what makes that event bad.
BAD = {
    4: ("event_date", "2023-13-45", "not a date (expected e.g. 2023-07-14, 14 July 2023, 14-July-2023 or 14/07/2023)"),
    9: ("event_date", "9999-12-31", "date outside the supported range 1800-01-01 to 2200-12-31"),
    12: ("latitude", 95.5, "out of range (must be between -90 and 90)"),
    15: ("id", "", "missing required field"),
    19: ("id", "E2", "duplicate id (already used in row 2)"),
    23: ("fatalities", -3, "not a whole number from 0 to 10,000,000"),
    27: ("event_date", "", "missing required field"),
}
#: Each format's field names -> the event columns.
FIELDS = {
    "acled": {"event_id_cnty": "id"},
    "ucdp": {"date_start": "event_date", "best": "fatalities"},
    "geojson": {},
    "toml": {},
}


def thirty_events() -> list[dict]:
    """30 events every format can say in full: day, week (from a Monday) and month (from
    the 1st) precision, every geo precision, a link in the notes and as the source."""
    events = []
    for i in range(1, N + 1):
        precision = (i % 3) + 1
        day = dt.date(2023, 1, 2) + dt.timedelta(weeks=i)  # a Monday
        if precision == 3:
            day = day.replace(day=1)
        url = f"https://example.org/e{i}"
        events.append({
            "id": f"E{i}", "title": f"Event {i}", "summary": f"Summary {i}", "event_type": VIOLENCE[precision],
            "event_date": day, "time_precision": precision, "latitude": 39.0 + i / 100, "longitude": 46.0 + i / 100,
            "geo_precision": (i % 3) + 1, "actor1": f"Side A{i}", "actor2": f"Side B{i}", "location": f"Place {i}",
            "source": "example.org", "url": url, "notes": f"Reported at {url}", "fatalities": i % 5,
        })
    for position, (field, value, _) in BAD.items():
        events[position - 1][field] = value
    return events


def as_toml(events: list[dict]) -> str:
    records = []
    for e in events:
        rec = {k: v for k, v in e.items() if k not in ("url", "source") and v != ""}
        if isinstance(rec.get("event_date"), dt.date):
            rec["event_date"] = rec["event_date"].isoformat()
        rec["category"] = "armed-clash"
        rec["sources"] = [{"publisher": e["source"], "url": e["url"]}]
        records.append(rec)
    return dump_toml({"events": records})


def _text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def as_acled(events: list[dict]) -> bytes:
    cols = ["event_id_cnty", "title", "summary", "event_date", "time_precision", "event_type", "actor1", "actor2",
            "location", "latitude", "longitude", "geo_precision", "source", "url", "notes", "fatalities"]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(cols)
    for e in events:
        writer.writerow([_text(e["id" if c == "event_id_cnty" else c]) for c in cols])
    return out.getvalue().encode()


def as_ucdp(events: list[dict]) -> bytes:
    cols = ["id", "dyad_name", "source_headline", "date_start", "date_end", "date_prec", "type_of_violence", "side_a",
            "side_b", "where_description", "latitude", "longitude", "where_prec", "source_original", "source_article",
            "best"]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(cols)
    for e in events:
        start = e["event_date"]
        if isinstance(start, dt.date):
            end = start + dt.timedelta(days=6) if e["time_precision"] == 2 else (
                (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                if e["time_precision"] == 3 else start)
            start, end = start.isoformat(), end.isoformat()
        else:
            end = ""
        writer.writerow([e["id"], e["title"], e["summary"], start, end, {1: 1, 2: 3, 3: 4}[e["time_precision"]],
                         {v: k for k, v in VIOLENCE.items()}[e["event_type"]], e["actor1"], e["actor2"], e["location"],
                         e["latitude"], e["longitude"], e["geo_precision"], e["source"], e["notes"], e["fatalities"]])
    return out.getvalue().encode()


def as_geojson(events: list[dict]) -> bytes:
    features = []
    for e in events:
        props = {k: _text(v) if isinstance(v, dt.date) else v for k, v in e.items()
                 if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [e["longitude"], e["latitude"]]},
                         "properties": props})
    return orjson.dumps({"type": "FeatureCollection", "features": features})


def messages(problems, fmt: str) -> set[tuple[int, str, str]]:
    """(position, event column, reason) of each problem, with CSV line numbers made positions."""
    shift = 1 if fmt in ("acled", "ucdp") else 0
    out = set()
    for p in problems:
        reason = re.sub(r"row (\d+)", lambda m: f"row {int(m.group(1)) - shift}", p.reason)
        out.add((p.row - shift, FIELDS[fmt].get(p.field, p.field), reason))
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    events = thirty_events()
    toml = tmp_path_factory.mktemp("toml") / "events.toml"
    toml.write_text(as_toml(events), encoding="utf-8")
    return {
        "toml": load_events(toml),
        "acled": import_events("events.csv", as_acled(events)),
        "ucdp": import_events("ged.csv", as_ucdp(events)),
        "geojson": import_events("events.geojson", as_geojson(events)),
    }


def test_the_thirty_events_were_written_and_read_in_every_format(results):
    for fmt, result in results.items():
        assert getattr(result, "fatal", None) is None, (fmt, result.fatal)
        assert len(result.events) == N - len(BAD), fmt


@pytest.mark.parametrize("fmt", ["acled", "ucdp", "geojson"])
def test_every_format_gives_the_same_table_as_the_toml(results, fmt):
    columns = [c for c in EVENT_COLUMNS if c not in ("category", "origin")]
    expected = results["toml"].events[columns]
    got = results[fmt].events[columns]
    pd.testing.assert_frame_equal(expected, got, check_exact=True)
    assert list(got["id"]) == [f"E{i}" for i in range(1, N + 1) if i not in BAD]


@pytest.mark.parametrize("fmt", ["toml", "acled", "ucdp", "geojson"])
def test_every_format_gives_the_same_messages_for_the_same_bad_rows(results, fmt):
    expected = {(position, field, reason) for position, (field, _, reason) in BAD.items()}
    assert messages(results[fmt].problems, fmt) == expected
