"""Cases for the browser code's unit tests (tests/js/*.test.mjs), computed by the
Python twins of the same rules, so that the two cannot drift apart:
``python -m tests.js.make_fixtures`` writes tests/js/fixtures/core-cases.json, and
tests/test_js_fixtures.py fails if the file is not what this module computes now.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from geo.filters import encode_rows
from geo.hexbins import hex_bins
from geo.page_model import mask_bits
from geo.urls import http_url
from geo.valid_in_window import valid_in_window
from geo.window import EventIndex
from layers.format import format_event_date
from layers.store import events_store, store_json

FIXTURE = Path(__file__).parent / "fixtures" / "core-cases.json"
EPOCH = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def cases() -> dict:
    rng = np.random.default_rng(3)
    # Dates: every precision around month, year and leap-year edges.
    dates = [dt.date(2020, 2, 29), dt.date(2020, 3, 1), dt.date(2022, 12, 31), dt.date(2023, 1, 1),
             dt.date(2023, 7, 14), dt.date(1800, 1, 1), dt.date(2200, 12, 31), dt.date(2024, 1, 1)]
    dates += [dt.date(2020, 1, 1) + dt.timedelta(days=int(x)) for x in rng.integers(0, 1500, 40)]
    labels = [{"day": _day(d), "prec": p, "label": format_event_date(d, p)} for d in dates for p in (1, 2, 3)]

    # Windows over an events table sorted as the store is (EventIndex order).
    n = 300
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    end = start + pd.to_timedelta(rng.choice([0, 0, 0, 6, 30], n), unit="D")
    events = pd.DataFrame({"id": [f"e{i:03d}" for i in range(n)], "date_start": start, "date_end": end})
    index = EventIndex.build(events)
    keep = rng.random(n) < 0.7
    windows = []
    for a, length in zip(rng.integers(0, 650, 25), rng.integers(0, 90, 25)):
        first = dt.date(2022, 1, 1) + dt.timedelta(days=int(a))
        last = first + dt.timedelta(days=int(length))
        rows = index.rows(first, last)
        windows.append({"first": _day(first), "last": _day(last), "rows": rows.tolist(),
                        "masked": [int(r) for r in rows if keep[r]]})
    table = {"starts": [_day(d.date()) for d in index.table["date_start"]],
             "ends": [_day(d.date()) for d in index.table["date_end"]], "windows": windows,
             "mask": mask_bits(keep), "keep": keep.astype(int).tolist()}

    # Dated feature versions.
    versions = [("", "2022-08-30"), ("2022-08-30", "2023-04-01"), ("2023-04-01", ""), ("", "")]
    gdf = pd.DataFrame({"valid_from": [v[0] for v in versions], "valid_to": [v[1] for v in versions]})
    validity = []
    for first, last in [(dt.date(2022, 8, 29), dt.date(2022, 8, 29)), (dt.date(2022, 8, 30), dt.date(2022, 8, 30)),
                        (dt.date(2022, 8, 1), dt.date(2022, 9, 1)), (dt.date(2023, 3, 31), dt.date(2023, 4, 1)),
                        (dt.date(2023, 4, 1), dt.date(2023, 7, 15)), (dt.date(2020, 11, 10), dt.date(2023, 7, 15))]:
        kept = valid_in_window(gdf, first, last).index.tolist()
        validity.append({"first": _day(first), "last": _day(last), "valid": [i in kept for i in range(len(versions))]})

    urls = ["https://icj-cij.org/node/202552", "http://a.b/c?d=1", "javascript:alert(1)", "https://", "ftp://x.y/z",
            "https://x.y/a b", "HTTPS://X.Y/", "https://x.y/\"onmouseover=", "data:text/html,<b>", " https://pad.ed/x ",
            "//no-scheme.org/x", "https://x.y/<script>", "https://user@host.org:8080/p?q=1#f", "https://:80/",
            "http://[::1]:8000/x", "https://x.y/tab\there", "https://x.y/`${a}`|^{}", "https://x.y/\x7f\x01"]
    url_cases = [{"url": u, "safe": http_url(u)} for u in urls]

    # A store in its JSON form (the standalone file's), and the rows it decodes to.
    store_events = pd.DataFrame({
        "id": ["a", "b", "c"], "title": ["Rally", "Rally", "Talks"], "location": ["Stepanakert", None, "Brussels"],
        "category": ["protest", "protest", "diplomacy"], "latitude": [39.8175, 39.8176, 50.8425],
        "longitude": [46.7508, 46.7507, 4.3808], "date_start": pd.to_datetime(["2023-07-10", "2023-07-14", "2023-07-15"]),
        "date_end": pd.to_datetime(["2023-07-16", "2023-07-14", "2023-07-15"]),
        "event_date": pd.to_datetime(["2023-07-12", "2023-07-14", "2023-07-15"]), "time_precision": [2, 1, 1],
        "geo_precision": [2, 1, 1], "features": [["stepanakert"], [], ["brussels"]],
        "sources": [[{"publisher": "AFP", "url": "https://example.org/a"}], [], [{"publisher": "X", "url": "javascript:1"}]],
    })
    payload = store_json(events_store(store_events, "v1", (dt.date(2020, 11, 10), dt.date(2023, 7, 15))))
    decoded = [{"lat": float(np.float32(r.latitude)), "lon": float(np.float32(r.longitude)),
                "start": _day(r.date_start.date()), "end": _day(r.date_end.date()), "day": _day(r.event_date.date()),
                "prec": int(r.time_precision), "geo": int(r.geo_precision), "title": r.title, "where": r.location if isinstance(r.location, str) else ""}
               for r in store_events.itertuples()]
    # Masks as geo/filters.py encode_rows packs them (each encoding, and the edges).
    masks = []
    for keep in [rng.random(500) < 0.5, rng.random(500) < 0.01, rng.random(500) < 0.995, np.zeros(9, bool),
                 np.ones(9, bool), np.array([False] * 20000 + [True]), rng.random(70000) < 0.002]:
        enc, raw = encode_rows(keep)
        masks.append({"enc": enc, "b64": base64.b64encode(raw).decode(), "n": len(keep),
                      "kept": np.flatnonzero(keep).tolist()})
    # H3 cells: each event's finest cell and its parents, as the browser climbs them.
    bins = hex_bins([39.8175, 39.81, 50.8425, 40.18], [46.7508, 46.75, 4.3808, 44.51])
    hexes = {"code": bins.code.tolist(), "res": bins.res.tolist(), "up": bins.up.tolist()}
    return {"labels": labels, "table": table, "validity": validity, "versions": versions, "urls": url_cases,
            "store": {"payload": payload, "decoded": decoded}, "masks": masks, "hexes": hexes}


def main() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(cases(), indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
