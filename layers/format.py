"""Small text formatters shared by popups, tooltips and the page."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def format_event_date(date: object, precision: int = 1) -> str:
    """Format an event date by its ACLED time precision.

    >>> format_event_date(dt.date(2023, 7, 14), 1)
    '14 July 2023'
    >>> format_event_date(dt.date(2023, 7, 14), 3)
    'July 2023'
    >>> format_event_date(dt.date(2023, 7, 14), 2)
    'week of 10 July 2023'
    """
    if date is None or (not isinstance(date, str) and pd.isna(date)):
        return "date unknown"
    d = pd.Timestamp(date).date()
    if precision == 3:
        return f"{d:%B %Y}"
    if precision == 2:
        monday = d - dt.timedelta(days=d.weekday())
        return f"week of {monday.day} {monday:%B %Y}"
    return f"{d.day} {d:%B %Y}"


def format_dates(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Vectorised :func:`format_event_date` for a whole events table."""
    dates = pd.to_datetime(dates)
    day = dates.dt.day.astype("string") + " " + dates.dt.strftime("%B %Y")
    month = dates.dt.strftime("%B %Y")
    monday = dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    week = "week of " + monday.dt.day.astype("string") + " " + monday.dt.strftime("%B %Y")
    out = day.where(precision != 3, month).where(precision != 2, week)
    return out.fillna("date unknown").astype(str)


def names(props: dict) -> str:
    """'Name / other name' for tooltips."""
    alt = props.get("name_alt") or ""
    return f"{props.get('name', '')} / {alt}" if alt else str(props.get("name", ""))
