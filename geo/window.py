"""Select the events that may have happened within a date window."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["filter_window"]


def _as_day(value: dt.date | pd.Timestamp, name: str) -> pd.Timestamp:
    """A naive midnight Timestamp for ``value``; ValueError naming ``name`` otherwise."""
    if value is None or (isinstance(value, pd.Timestamp) and pd.isna(value)) or value is pd.NaT:
        raise ValueError(f"{name} must be a date, got {value!r}")
    if not isinstance(value, (dt.date, pd.Timestamp)):
        raise ValueError(f"{name} must be a datetime.date or pandas.Timestamp, got {type(value).__name__}")
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        raise ValueError(f"{name} must be a naive date (no time zone), got {value!r}")
    return stamp.normalize()


def filter_window(events: pd.DataFrame, start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Events whose possible dates overlap a window of days.

    An event overlaps when ``date_start <= end`` and ``date_end >= start``:
    both ends of the window are inclusive, and a week- or month-precision
    event is kept when any day of its week or month falls in the window.
    Vectorised: no Python per row.

    Parameters
    ----------
    events : pandas.DataFrame
        An events table (:data:`geo.catalog.EVENT_COLUMNS`); needs at least
        ``date_start``, ``date_end`` and ``id``.
    start, end : datetime.date or pandas.Timestamp
        First and last day of the window (a time of day is ignored).

    Returns
    -------
    pandas.DataFrame
        The overlapping events, sorted by ``date_start`` then ``id``, with a
        fresh 0..n-1 index.

    Raises
    ------
    ValueError
        If ``start`` is after ``end``, a bound is not a date, or a needed
        column is missing.

    Examples
    --------
    >>> import datetime as dt
    >>> july = filter_window(events, dt.date(2023, 7, 1), dt.date(2023, 7, 31))  # doctest: +SKIP
    """
    first = _as_day(start, "start")
    last = _as_day(end, "end")
    if first > last:
        raise ValueError(f"start ({first.date()}) is after end ({last.date()}): the window is empty")
    missing = [name for name in ("id", "date_start", "date_end") if name not in events.columns]
    if missing:
        raise ValueError(f"events table lacks column(s) {', '.join(missing)}")
    mask = (events["date_start"] <= last) & (events["date_end"] >= first)
    selected = events.loc[mask.to_numpy()]
    # np.lexsort (stable) on numpy keys: 10x faster than sort_values on Arrow strings.
    order = np.lexsort((selected["id"].to_numpy(dtype=str), selected["date_start"].to_numpy()))
    return selected.iloc[order].reset_index(drop=True)
