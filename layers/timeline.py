"""The timeline chart: one dot per event by category, the window shaded."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from geo.catalog import CATEGORIES
from layers.format import format_dates
from layers.palette import CATEGORY_COLORS

_MAX_POINTS = 5000


def timeline_chart(events: pd.DataFrame, window: tuple[dt.date, dt.date], span: tuple[dt.date, dt.date]) -> alt.LayerChart:
    """An Altair chart of ``events`` over ``span`` with ``window`` marked.

    Large tables are thinned to a random sample of 5,000 dots (fixed seed)
    so that the chart stays light; the map still shows every event.
    """
    frame = events
    if len(frame) > _MAX_POINTS:
        frame = frame.sample(_MAX_POINTS, random_state=0)
    data = pd.DataFrame({
        "date": pd.to_datetime(frame["date_start"]) if len(frame) else pd.Series([], dtype="datetime64[ns]"),
        "category": frame["category"].map(CATEGORIES).fillna(frame["category"]) if len(frame) else pd.Series([], dtype=str),
        "title": frame["title"].astype(str) if len(frame) else pd.Series([], dtype=str),
        "when": format_dates(frame["event_date"], frame["time_precision"]) if len(frame) else pd.Series([], dtype=str),
    })
    domain = list(CATEGORIES.values())
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=[span[0].isoformat(), span[1].isoformat()]))
    shade = alt.Chart(pd.DataFrame({"start": [window[0].isoformat()], "end": [window[1].isoformat()]})).mark_rect(
        color="#4c78a8", opacity=0.15
    ).encode(x="start:T", x2="end:T")
    dots = alt.Chart(data).mark_circle(size=90, opacity=0.9, stroke="white", strokeWidth=1).encode(
        x=x,
        y=alt.Y("category:N", title=None, sort=domain),
        color=alt.Color("category:N", scale=alt.Scale(domain=domain, range=[CATEGORY_COLORS[c] for c in CATEGORIES]),
                        legend=None),
        tooltip=[alt.Tooltip("when:N", title="Date"), alt.Tooltip("title:N", title="Event"),
                 alt.Tooltip("category:N", title="Category")],
    )
    return (shade + dots).properties(height=190)
