"""The timeline chart: one dot per event by category, the window shaded.

A Vega-Lite spec (a dict) and its data, for ``st.vega_lite_chart``: the dots
(:func:`timeline_data`) depend only on the events table, so the page builds
them once per table; a rerun then only writes the small spec with the window
(:func:`timeline_spec`). Building the same chart with Altair, validated
against its schema, took about a third of a rerun's time on the server.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.catalog import CATEGORIES
from layers.format import format_dates
from layers.palette import CATEGORY_COLORS

__all__ = ["timeline_data", "timeline_spec"]

_MAX_POINTS = 5000


def timeline_data(events: pd.DataFrame) -> pd.DataFrame:
    """One row per dot: date, category label, title and date label of ``events``.

    Large tables are thinned to a random sample of 5,000 dots (fixed seed)
    so that the chart stays light; the map still shows every event.
    """
    frame = events
    if len(frame) > _MAX_POINTS:
        frame = frame.sample(_MAX_POINTS, random_state=0)
    if not len(frame):
        return pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), "category": pd.Series([], dtype=str),
                             "title": pd.Series([], dtype=str), "when": pd.Series([], dtype=str)})
    return pd.DataFrame({
        "date": pd.to_datetime(frame["date_start"]),
        "category": frame["category"].map(CATEGORIES).fillna(frame["category"]).astype(str),
        "title": frame["title"].astype(str),
        "when": format_dates(frame["event_date"], frame["time_precision"]).astype(str),
    }).reset_index(drop=True)


def timeline_spec(window: tuple[dt.date, dt.date], span: tuple[dt.date, dt.date], height: int = 190) -> dict:
    """The Vega-Lite spec of the timeline over ``span`` with ``window`` shaded; its
    main data is :func:`timeline_data` (passed to the chart separately).

    >>> spec = timeline_spec((dt.date(2023, 7, 1), dt.date(2023, 7, 15)), (dt.date(2020, 11, 10), dt.date(2023, 7, 15)))
    >>> spec["layer"][0]["data"]["values"]
    [{'start': '2023-07-01', 'end': '2023-07-15'}]
    """
    domain = list(CATEGORIES.values())
    x = {"field": "date", "type": "temporal", "title": None,
         "scale": {"domain": [span[0].isoformat(), span[1].isoformat()]}}
    shade = {
        "data": {"values": [{"start": window[0].isoformat(), "end": window[1].isoformat()}]},
        "mark": {"type": "rect", "color": "#4c78a8", "opacity": 0.15},
        "encoding": {"x": {"field": "start", "type": "temporal"}, "x2": {"field": "end"}},
    }
    dots = {
        "mark": {"type": "circle", "size": 90, "opacity": 0.9, "stroke": "white", "strokeWidth": 1},
        "encoding": {
            "x": x,
            "y": {"field": "category", "type": "nominal", "title": None, "sort": domain},
            "color": {"field": "category", "type": "nominal", "legend": None,
                      "scale": {"domain": domain, "range": [CATEGORY_COLORS[c] for c in CATEGORIES]}},
            "tooltip": [{"field": "when", "type": "nominal", "title": "Date"},
                        {"field": "title", "type": "nominal", "title": "Event"},
                        {"field": "category", "type": "nominal", "title": "Category"}],
        },
    }
    return {"height": height, "layer": [shade, dots]}
