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


def names(props: dict) -> str:
    """'Name / other name' for tooltips."""
    alt = props.get("name_alt") or ""
    return f"{props.get('name', '')} / {alt}" if alt else str(props.get("name", ""))


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun in the right number, thousands separated (the browser's
    ``DashCore.plural``).

    >>> plural(1, "event"), plural(60000, "event"), plural(2, "match", "matches")
    ('1 event', '60,000 events', '2 matches')
    """
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
