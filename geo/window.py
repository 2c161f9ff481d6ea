"""Select the events that may have happened within a date window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["EventIndex", "filter_window", "in_index_order", "take_rows"]

#: At most this many runs of consecutive rows (or one per this many rows taken) and
#: :func:`take_rows` slices text columns instead of copying them.
RUNS_PER_SLICE = 256


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


def _runs(order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First positions and lengths of the runs of consecutive values in ``order``
    (``[4, 5, 6, 0, 1]`` has two: 4..6 and 0..1)."""
    if len(order) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    firsts = np.concatenate(([0], breaks))
    lengths = np.diff(np.concatenate((firsts, [len(order)])))
    return order[firsts], lengths


def _array_key(array) -> tuple | None:
    """What identifies the Arrow data behind a pandas column (two columns made from one
    array, as ACLED's summary and notes are, give the same key), or None if not Arrow."""
    chunked = getattr(array, "_pa_array", None)
    if chunked is None:
        return None
    key = [str(array.dtype)]
    for chunk in chunked.chunks:
        buffers = chunk.buffers()
        key.append((tuple(b.address if b is not None else 0 for b in buffers), chunk.offset, len(chunk)))
    return tuple(key)


#: Rows a text column is taken at a time when its rows are spread over several Arrow chunks.
TAKE_BLOCK = 16_384


def _take_text(array: pd.arrays.ArrowStringArray, order: np.ndarray) -> pd.arrays.ArrowStringArray:
    """``array.take(order)`` without first joining the array's chunks into one copy
    (what Arrow's take does, so a column of several chunks cost two copies of its text
    at once): the rows are taken a block at a time from the chunks that hold them."""
    chunked = array._pa_array  # the Arrow data of an ArrowStringArray
    if chunked.num_chunks <= 1 or len(order) == 0:
        return array.take(order)
    bounds = np.cumsum([0] + [len(c) for c in chunked.chunks])
    which = np.searchsorted(bounds, order, side="right") - 1
    blocks = []
    for at in range(0, len(order), TAKE_BLOCK):
        rows, chunks = order[at: at + TAKE_BLOCK], which[at: at + TAKE_BLOCK]
        parts, places = [], []
        for c in np.unique(chunks):
            place = np.flatnonzero(chunks == c)
            parts.append(chunked.chunk(int(c)).take(pa.array(rows[place] - bounds[c])))
            places.append(place)
        if len(parts) == 1:
            blocks.append(parts[0])
        elif np.all(np.diff(chunks) >= 0):  # rows in ascending order (a window's): already in place
            blocks.extend(parts)
        else:
            block = pa.concat_arrays(parts)
            blocks.append(block.take(pa.array(np.argsort(np.concatenate(places), kind="stable"))))
    return type(array)(pa.chunked_array(blocks, type=chunked.type), dtype=array.dtype)


def take_rows(frame: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """``frame.take(order).reset_index(drop=True)``, sharing memory where it can.

    A large events table is mostly text (an ACLED file's notes: about 1.8 KB a row).
    Taking rows copies it; here a text column whose rows come in few runs of
    consecutive rows (as when a sorted import is merged with the built-in events)
    is made of slices of the original, with no copy; other text columns are copied
    a block at a time (:func:`_take_text`), not joined first. Columns that share one Arrow
    array (ACLED's summary is its notes) are taken once and still share it. Values
    and dtypes are those of ``frame.take``.
    """
    order = np.asarray(order, dtype=np.int64)
    firsts, lengths = _runs(order)
    slices = len(firsts) <= max(RUNS_PER_SLICE, len(order) // RUNS_PER_SLICE)
    done: dict[tuple, object] = {}
    columns = {}
    for name in frame.columns:
        array = frame[name].array
        key = _array_key(array)
        if key is None:
            columns[name] = array.take(order)
            continue
        if key not in done:
            if slices and len(firsts):
                parts = [array[int(a): int(a) + int(n)] for a, n in zip(firsts, lengths)]
                done[key] = parts[0] if len(parts) == 1 else type(array)._concat_same_type(parts)
            elif isinstance(array, pd.arrays.ArrowStringArray):
                done[key] = _take_text(array, order)
            else:
                done[key] = array.take(order)
        columns[name] = done[key]
    return pd.DataFrame(columns, columns=frame.columns, copy=False)


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

    #: The events sorted by (date_start, id), index 0..n-1. Not to be changed in place; take
    #: rows with :meth:`take` or :func:`take_rows`.
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
            table = take_rows(events, order)
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
        """The rows at positions ``rows`` (ascending, from :meth:`rows`) of :attr:`table`, index 0..n-1.

        Use this (or :func:`take_rows`), not ``table.take``: the table's text may be in many
        Arrow chunks (slices of the imports), and Arrow's own take joins them into one copy first."""
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # one run of rows: a slice
            return self.table.iloc[rows[0]: rows[-1] + 1].reset_index(drop=True)
        return take_rows(self.table, rows)


def in_index_order(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` in :class:`EventIndex` order (by start date, then id), index 0..n-1.

    A large import kept in this order costs nothing more to index: merged with
    other tables in this order, its rows come in runs that :func:`take_rows`
    slices instead of copying."""
    return EventIndex.build(events).table

