"""Dates: the one strict parser, the supported range and the page's fallback span.

Every date that enters the dashboard (``data/events.toml``, imported files,
the URL, the tour) is read here, so one set of spellings is accepted
everywhere and no date can reach pandas or a widget outside the range they
handle:

* :data:`SUPPORTED_DATES` (1800-01-01 to 2200-12-31) is well inside pandas'
  nanosecond range (1677-09-22 to 2262-04-11) and inside what ``st.slider``
  accepts (dates as JavaScript-safe microseconds, about 1685 to 2255), even
  after a week or month of precision is added on either side.
* :func:`parse_date` reads one value; :func:`parse_dates` reads a text column
  vectorised, with the same spellings and the same reasons.

Spellings accepted
------------------
``2023-07-14`` (also with a time of day and no zone, ``2023-07-14 00:00:00.000``
as UCDP writes it: the time is dropped); ``14 July 2023``, ``14-July-2023``,
``14 Jul 2023``, ``14-Jul-2023`` (ACLED; English month names, any case);
spreadsheet dates ``14/07/2023`` or ``7/14/2023`` (day/month or month/day: see
:func:`slash_order`) and ``14.07.2023`` (day.month.year). A two-digit year is
never accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SUPPORTED_DATES", "FALLBACK_SPAN", "DATE_HINT", "parse_date", "parse_dates", "ParsedDates",
    "slash_order", "date_range", "span_of",
]

#: First and last day any event, window or tour step may have.
SUPPORTED_DATES: tuple[dt.date, dt.date] = (dt.date(1800, 1, 1), dt.date(2200, 12, 31))

#: The page's date-slider span when no event is loaded, and the least it spans otherwise:
#: from the 2020 ceasefire to the Brussels talks.
FALLBACK_SPAN: tuple[dt.date, dt.date] = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))

#: What a date must look like (the reason given for a value that is not one).
DATE_HINT = "not a date (expected e.g. 2023-07-14, 14 July 2023, 14-July-2023 or 14/07/2023)"
ISO_HINT = "not a date (expected YYYY-MM-DD)"
OUT_OF_RANGE = (f"date outside the supported range {SUPPORTED_DATES[0].isoformat()} to "
                f"{SUPPORTED_DATES[1].isoformat()}")
AMBIGUOUS = ("ambiguous date: day/month or month/day? Nothing in the file tells (no day over 12); "
             "choose the order for this file")
MIXED = "day/month and month/day dates in one file: this one could be either"

#: Spellings read with pandas' own parser (strict: the whole value must match), in order.
_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%Y-%m-%d %H:%M:%S.%f",
            "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%Y")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLASH = r"^(\d{1,2})/(\d{1,2})/(\d{4})$"


@dataclass
class ParsedDates:
    """A parsed date column.

    Attributes
    ----------
    dates : pandas.Series
        ``datetime64[ns]`` (midnight); NaT where the text is empty or bad.
    reasons : numpy.ndarray
        Object array: the reason a non-empty value was refused, else None.
    empty : numpy.ndarray
        Bool array: the value was empty.
    """

    dates: pd.Series
    reasons: np.ndarray
    empty: np.ndarray


def slash_order(*columns: pd.Series) -> str | None:
    """Which order the ``a/b/yyyy`` dates of a file use, when the file tells.

    A spreadsheet writes all of a file's dates in one order, so one date with
    a first number over 12 (``14/07/2023``) makes the file day/month, and one
    with a second number over 12 (``7/14/2023``) makes it month/day.

    Parameters
    ----------
    *columns : pandas.Series
        Text columns of dates.

    Returns
    -------
    str or None
        ``"dmy"``, ``"mdy"``, ``"mixed"`` (both kinds occur) or None (no
        slash date tells: none, or all with both numbers 12 or less).

    Examples
    --------
    >>> slash_order(pd.Series(["14/07/2023", "3/4/2023"]))
    'dmy'
    >>> slash_order(pd.Series(["7/14/2023"])), slash_order(pd.Series(["3/4/2023"]))
    ('mdy', None)
    """
    day_first = month_first = False
    for text in columns:
        if text is None or not len(text):
            continue
        text = text.astype("str")
        text = text[text.str.contains("/", regex=False).to_numpy()]
        if not len(text):
            continue
        parts = text.str.extract(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}\s*$")
        if parts[0].isna().all():
            continue
        first = pd.to_numeric(parts[0], errors="coerce")
        second = pd.to_numeric(parts[1], errors="coerce")
        day_first |= bool((first > 12).any())
        month_first |= bool((second > 12).any())
    if day_first and month_first:
        return "mixed"
    return "dmy" if day_first else ("mdy" if month_first else None)


def parse_dates(text: pd.Series, order: str | None = None) -> ParsedDates:
    """Read a text column of dates (vectorised), strictly.

    Parameters
    ----------
    text : pandas.Series
        Text (missing values count as empty).
    order : {"dmy", "mdy", "mixed", None}
        How to read ``a/b/yyyy`` dates (see :func:`slash_order`): with None or
        "mixed", a slash date is read only when one of its numbers is over 12.

    Returns
    -------
    ParsedDates
        Dates, with a reason for every non-empty value that is not a date in
        :data:`SUPPORTED_DATES`.

    Examples
    --------
    >>> got = parse_dates(pd.Series(["2023-07-14", "14 July 2023", "0001-01-01", "2023-02-30", ""]))
    >>> [str(d.date()) if pd.notna(d) else None for d in got.dates]
    ['2023-07-14', '2023-07-14', None, None, None]
    >>> list(got.reasons)  # doctest: +ELLIPSIS
    [None, None, 'date outside the supported range 1800-01-01 to 2200-12-31', 'not a date ...', None]
    """
    text = text.fillna("").astype("str").str.strip()
    n = len(text)
    empty = text.eq("").to_numpy()
    reasons = np.full(n, None, dtype=object)
    stamps = pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"), index=text.index)
    # Long values cannot be dates; they are not parsed at all.
    todo = ~empty & text.str.len().le(40).to_numpy()
    for fmt in _FORMATS:
        if not todo.any():
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype("datetime64[us]")
        hit = got.notna()
        if hit.any():
            stamps[got.index[hit.to_numpy()]] = got[hit]
            todo[np.flatnonzero(todo)[hit.to_numpy()]] = False
    slash = todo & text.str.contains("/", regex=False).to_numpy()
    if slash.any():
        parts = text[slash].str.extract(_SLASH).apply(pd.to_numeric, errors="coerce")
        a, b, year = parts[0], parts[1], parts[2]
        if order == "dmy":
            day, month = a, b
        elif order == "mdy":
            day, month = b, a
        else:
            day = a.where(a > 12, b.where(b > 12))
            month = b.where(a > 12, a.where(b > 12))
            undecided = (day.isna() & a.le(12) & b.le(12)).to_numpy()
            where = np.flatnonzero(slash)[undecided]
            reasons[where] = MIXED if order == "mixed" else AMBIGUOUS
        y, m, d = (s.to_numpy(dtype="float64", na_value=np.nan) for s in (year, month, day))
        ok = ~(np.isnan(y) | np.isnan(m) | np.isnan(d))
        ok[ok] &= (m[ok] >= 1) & (m[ok] <= 12) & (d[ok] >= 1) & (d[ok] <= 31)
        if ok.any():
            first = ((y[ok] - 1970) * 12 + (m[ok] - 1)).astype(np.int64).astype("datetime64[M]")
            when = first.astype("datetime64[D]") + (d[ok] - 1).astype(np.int64).astype("timedelta64[D]")
            real = when.astype("datetime64[M]") == first  # 30 February runs into March
            where = np.flatnonzero(slash)[np.flatnonzero(ok)[real]]
            stamps.iloc[where] = when[real].astype("datetime64[us]")
    lo, hi = (np.datetime64(d, "us") for d in SUPPORTED_DATES)
    values = stamps.to_numpy()
    parsed = ~np.isnat(values)
    in_range = parsed & (values >= lo) & (values <= hi)
    reasons[parsed & ~in_range] = OUT_OF_RANGE
    reasons[~parsed & ~empty & (reasons == None)] = DATE_HINT  # noqa: E711 (element-wise)
    dates = stamps.where(in_range).astype("datetime64[ns]").dt.normalize()
    return ParsedDates(dates, reasons, empty)


def parse_date(value: Any, order: str | None = None, iso_only: bool = False) -> tuple[dt.date | None, str | None]:
    """Read one date, with the same rules as :func:`parse_dates`.

    Parameters
    ----------
    value : str, datetime.date or datetime.datetime
        A naive ``datetime`` gives its day; one with a time zone is refused
        (give a plain date). Anything else is refused.
    order : {"dmy", "mdy", None}
        How to read ``a/b/yyyy``.
    iso_only : bool, default False
        Accept ``YYYY-MM-DD`` only (the spelling the app writes itself: URLs,
        the tour file).

    Returns
    -------
    (datetime.date or None, str or None)
        The date, or None and the reason (None when the value is empty).

    Examples
    --------
    >>> parse_date("2023-07-14")
    (datetime.date(2023, 7, 14), None)
    >>> parse_date("20230701")[1]  # doctest: +ELLIPSIS
    'not a date ...'
    >>> parse_date(dt.date(1000, 1, 1))[1]
    'date outside the supported range 1800-01-01 to 2200-12-31'
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return None, "not a date: give a plain date (YYYY-MM-DD), not a time with a zone"
        value = value.date()
    if isinstance(value, dt.date):
        if not SUPPORTED_DATES[0] <= value <= SUPPORTED_DATES[1]:
            return None, OUT_OF_RANGE
        return value, None
    if not isinstance(value, str):
        return None, DATE_HINT
    if iso_only and not _ISO.fullmatch(value.strip()):
        return None, ISO_HINT if value.strip() else None
    got = parse_dates(pd.Series([value], dtype="str"), order)
    if got.empty[0]:
        return None, None
    if got.reasons[0] is not None:
        return None, got.reasons[0]
    return got.dates.iat[0].date(), None


def date_range(event_date: dt.date, time_precision: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) an event may have happened.

    Parameters
    ----------
    event_date : datetime.date
        The reported date.
    time_precision : int
        ACLED code: 1 day, 2 week, 3 month.

    Returns
    -------
    tuple of datetime.date
        ``(start, end)``: the day itself; the ISO week (Monday to Sunday)
        containing it; or its calendar month.

    Examples
    --------
    >>> date_range(dt.date(2023, 7, 14), 2)
    (datetime.date(2023, 7, 10), datetime.date(2023, 7, 16))
    """
    if time_precision == 1:
        return event_date, event_date
    if time_precision == 2:
        monday = event_date - dt.timedelta(days=event_date.weekday())
        return monday, monday + dt.timedelta(days=6)
    if time_precision == 3:
        first = event_date.replace(day=1)
        next_month = (first + dt.timedelta(days=32)).replace(day=1)
        return first, next_month - dt.timedelta(days=1)
    raise ValueError(f"time_precision must be 1, 2 or 3, got {time_precision!r}")


def ranges_from_precision(event_date: pd.Series, precision: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`date_range`: 1 the day; 2 its ISO week; 3 its month."""
    week_start = event_date - pd.to_timedelta(event_date.dt.day_of_week, unit="D")
    month_start = event_date - pd.to_timedelta(event_date.dt.day - 1, unit="D")
    month_end = month_start + pd.to_timedelta(event_date.dt.days_in_month - 1, unit="D")
    prec = pd.Series(precision, index=event_date.index)
    start = event_date.where(prec == 1, week_start.where(prec == 2, month_start))
    end = event_date.where(prec == 1, (week_start + pd.Timedelta(days=6)).where(prec == 2, month_end))
    return start, end


def span_of(events: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """The date slider's span for ``events``: :data:`FALLBACK_SPAN`, widened to
    every event's ``date_start``..``date_end`` and clipped to :data:`SUPPORTED_DATES`.

    Examples
    --------
    >>> span_of(pd.DataFrame({"date_start": [], "date_end": []})) == FALLBACK_SPAN
    True
    """
    lo, hi = FALLBACK_SPAN
    if len(events):
        first, last = events["date_start"].min(), events["date_end"].max()
        if pd.notna(first):
            lo = min(pd.Timestamp(first).date(), lo)
        if pd.notna(last):
            hi = max(pd.Timestamp(last).date(), hi)
    return max(lo, SUPPORTED_DATES[0]), min(hi, SUPPORTED_DATES[1])
