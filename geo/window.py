"""Select the events that may have happened within a date window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["EventIndex", "filter_window"]


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
    Vectorised: no Python per row. For many windows over one table, build an
    :class:`EventIndex` once instead (same result, the sort done once).

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
    _window_bounds(start, end)  # a bad window is refused before the table is sorted
    return EventIndex.build(events).window(start, end)


def _window_bounds(start, end) -> tuple[np.datetime64, np.datetime64]:
    first = _as_day(start, "start")
    last = _as_day(end, "end")
    if first > last:
        raise ValueError(f"start ({first.date()}) is after end ({last.date()}): the window is empty")
    return np.datetime64(first.to_datetime64(), "ns"), np.datetime64(last.to_datetime64(), "ns")


@dataclass(frozen=True, eq=False)
class EventIndex:
    """An events table sorted once by ``date_start`` then ``id``, for many window queries.

    :meth:`window` gives what :func:`filter_window` gives for the same table,
    without sorting again: a window is then two comparisons over the date
    arrays and, as the table is sorted by start date, usually a slice of it.
    The page builds one per set of imports and keeps it between reruns.

    Examples
    --------
    >>> import datetime as dt
    >>> index = EventIndex.build(events)  # doctest: +SKIP
    >>> july = index.window(dt.date(2023, 7, 1), dt.date(2023, 7, 31))  # doctest: +SKIP
    >>> rows = index.rows(dt.date(2023, 7, 1), dt.date(2023, 7, 31))  # positions in index.table  # doctest: +SKIP
    >>> july = index.take(rows)  # the same table as above, from rows already at hand  # doctest: +SKIP
    """

    #: The events sorted by (date_start, id), index 0..n-1. Not to be changed in place.
    table: pd.DataFrame
    starts: np.ndarray  # datetime64[ns], table["date_start"]
    ends: np.ndarray  # datetime64[ns], table["date_end"]

    @classmethod
    def build(cls, events: pd.DataFrame) -> EventIndex:
        """Sort ``events`` (ValueError if it lacks id, date_start or date_end)."""
        missing = [name for name in ("id", "date_start", "date_end") if name not in events.columns]
        if missing:
            raise ValueError(f"events table lacks column(s) {', '.join(missing)}")
        starts = events["date_start"].to_numpy(dtype="datetime64[ns]")
        # np.lexsort (stable) on numpy keys: 10x faster than sort_values on Arrow strings.
        order = np.lexsort((events["id"].to_numpy(dtype=str), starts))
        if np.array_equal(order, np.arange(len(events))):
            table = events.reset_index(drop=True)  # already in order: no copy of the columns
        else:
            table = events.take(order).reset_index(drop=True)
        return cls(table, table["date_start"].to_numpy(dtype="datetime64[ns]"),
                   table["date_end"].to_numpy(dtype="datetime64[ns]"))

    def __len__(self) -> int:
        return len(self.table)

    def rows(self, start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> np.ndarray:
        """Positions in :attr:`table` of the events overlapping the window, ascending
        (the table's order: date_start, then id). Same rules and errors as :func:`filter_window`."""
        first, last = _window_bounds(start, end)
        return np.flatnonzero((self.starts <= last) & (self.ends >= first))

    def window(self, start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.DataFrame:
        """The events overlapping the window (as :func:`filter_window`), index 0..n-1."""
        return self.take(self.rows(start, end))

    def take(self, rows: np.ndarray) -> pd.DataFrame:
        """The rows at positions ``rows`` (ascending, from :meth:`rows`) of :attr:`table`, index 0..n-1."""
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # one run of rows: a slice
            picked = self.table.iloc[rows[0]: rows[-1] + 1]
        else:
            picked = self.table.take(rows)
        return picked.reset_index(drop=True)
