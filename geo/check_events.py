"""The one event checker: every source of events (``data/events.toml``, ACLED and
UCDP CSV, GeoJSON) is turned into a table first and checked here, column by
column, with one set of rules and one set of messages.

:func:`check_events` takes a table whose columns are named like
:data:`geo.catalog.EVENT_COLUMNS` (any may be absent; values may be text, as
in a CSV, or typed, as in TOML and JSON), the file name and each row's number,
and returns the good rows as the normalised events table, one
:class:`~geo.problems.DataProblem` per problem, and which rows were rejected.
Messages name the field as the file names it (``fields``), so an ACLED user
reads ``event_id_cnty`` where the rule says ``id``.

The rules
---------
A row is rejected (and every problem in it reported) when:

* ``id``, ``title``, ``event_date``, ``category``, ``latitude`` or ``longitude``
  is missing ("missing required field"), or the row reuses the id of an
  earlier good row ("duplicate id (already used in row N)");
* a date is not one (:func:`geo.dates.parse_dates`: one parser, the same
  spellings everywhere) or lies outside :data:`geo.dates.SUPPORTED_DATES`;
  ``date_end`` is before ``date_start``; or the range a precision gives
  (a week, a month) runs outside the supported dates;
* ``latitude``/``longitude`` is not a finite number in -90..90 / -180..180;
* ``time_precision``/``geo_precision`` is not one of the codes (1, 2, 3, or
  the format's own codes, e.g. UCDP's ``date_prec`` 1 to 5);
* ``fatalities`` is not a whole number from 0 to :data:`MAX_FATALITIES` (the
  text is checked before any conversion, so ``1e19`` is a rejected row);
* ``category`` is not a key of :data:`geo.catalog.CATEGORIES`;
* a text field holds a list, a table or true/false; ``features``, ``sources``
  or ``claims`` is not a list of the right items; ``in_article`` is not
  true/false;
A row is kept, and the change reported with "(row kept)", when:

* the event cites no source (no http(s) link and no publisher or ``source``
  text): it is marked UNCONFIRMED with :data:`NO_SOURCE` in ``unconfirmed``
  (every event on the map cites its sources or says it cannot be confirmed);
* a feature id is unknown: it is dropped (the event still has its place; a
  wrong link to a shape is not a reason to lose it);
* a source link is not http(s) (``javascript:``, ``ftp:`` …): it is not a
  link; its text is appended to ``notes``.

Text is kept as given (surrounding white space too: a round trip through the
exports is lossless); only ``id`` and ``category`` are trimmed, and a required
field holding only white space is missing.

Derived values: ``date_start``/``date_end`` default to the range
``time_precision`` gives (1 the day, 2 its ISO week, 3 its month); an empty
``time_precision`` is 1, or, when both ends are given, follows from their
distance (same day 1, up to 7 days 2, longer 3); ``geo_precision`` defaults to
1; ``source`` defaults to the publishers of ``sources`` joined by ``"; "``;
a source without a publisher takes the link's host name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import orjson
import pandas as pd

from geo.catalog import CATEGORIES, EVENT_COLUMNS, FEATURE_IDS, GEO_PRECISION, TIME_PRECISION
from geo.dates import DATE_HINT, SUPPORTED_DATES, ParsedDates, parse_dates, ranges_from_precision, slash_order
from geo.problems import DataProblem
from geo.urls import http_url

__all__ = ["CheckResult", "check_events", "empty_events", "MAX_FATALITIES", "REQUIRED_FIELDS"]

#: Fields every row must have (non-empty).
REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "event_date", "category", "latitude", "longitude")
#: Free-text fields; missing means "".
TEXT_FIELDS: tuple[str, ...] = ("summary", "event_type", "actor1", "actor2", "location", "notes",
                                "article_sentence", "unconfirmed")
#: Largest fatality count accepted (more than any single event has had).
MAX_FATALITIES = 10_000_000
#: What ``unconfirmed`` says of an event that cites no source.
NO_SOURCE = "No source given."
#: Longest text kept in one cell (1 MB); longer values are a rejected row.
MAX_TEXT = 1_000_000

_DATE_DTYPE = "datetime64[ns]"
_TRUE = ("true", "yes", "1", "y", "t")
_FALSE = ("false", "no", "0", "n", "f", "")
_ORDER_WORDS = {"dmy": "day/month", "mdy": "month/day"}
_TIME_CODES = {1: 1, 2: 2, 3: 3}
_GEO_CODES = {1: 1, 2: 2, 3: 3}
_TIME_REASON = "not a time precision code (" + ", ".join(f"{k} {v}" for k, v in TIME_PRECISION.items()) + ")"
_GEO_REASON = "not a geo precision code (" + ", ".join(f"{k} {v}" for k, v in GEO_PRECISION.items()) + ")"
_LIST_OF_SOURCES = 'not a list of sources ({"publisher": ..., "url": ...} tables or links)'
_LIST_OF_CLAIMS = 'not a list of claims ({"side": ..., "claim": ..., "source": ...} tables)'
_LIST_OF_FEATURES = "not a list of feature ids (a list, or text separated by ';')"


@dataclass
class CheckResult:
    """What :func:`check_events` made of a table.

    Attributes
    ----------
    events : pandas.DataFrame
        The good rows, columns :data:`geo.catalog.EVENT_COLUMNS`.
    problems : list of DataProblem
        Rejections and changes, sorted by row.
    bad : numpy.ndarray
        One bool per input row: rejected.
    reasons : dict of int to list of str
        Input position -> "field: reason" texts of a rejected row.
    readings : list of str
        How ambiguous spellings were read (e.g. day/month order).
    """

    events: pd.DataFrame
    problems: list[DataProblem]
    bad: np.ndarray
    reasons: dict[int, list[str]] = field(default_factory=dict)
    readings: list[str] = field(default_factory=list)

    def reason_text(self, i: int) -> str:
        """The reasons of input row ``i`` joined by ``"; "``."""
        return "; ".join(self.reasons.get(int(i), []))


class _Problems:
    """Collects per-row problems while the columns are checked vectorised."""

    def __init__(self, file: str, rows: np.ndarray, fields: Mapping[str, str]):
        self.file = file
        self.rows = np.asarray(rows, dtype=np.int64)
        self.fields = fields
        self.bad = np.zeros(len(rows), dtype=bool)
        self.problems: list[DataProblem] = []
        self.reasons: dict[int, list[str]] = {}

    def name(self, key: str) -> str:
        return self.fields.get(key, key)

    def reject(self, mask: Any, key: str, values: Any, reason: str | np.ndarray) -> None:
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask):
            value = None if values is None else (values.iat[i] if isinstance(values, pd.Series) else values[i])
            why = reason[i] if isinstance(reason, np.ndarray) else reason
            self.reject_one(int(i), key, value, why)

    def reject_one(self, i: int, key: str, value: Any, reason: str) -> None:
        value = _plain_value(value)
        name = self.name(key)
        self.problems.append(DataProblem(self.file, reason, row=int(self.rows[i]), field=name, value=value))
        self.reasons.setdefault(i, []).append(f"{name}: {reason}")
        self.bad[i] = True

    def note(self, i: int, key: str, value: Any, reason: str) -> None:
        """Report a change made to a row that is kept."""
        self.problems.append(DataProblem(self.file, reason + " (row kept)", row=int(self.rows[i]),
                                         field=self.name(key), value=_plain_value(value)))


def _plain_value(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()  # numpy scalar -> Python, for a readable repr
        except (ValueError, TypeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def empty_events() -> pd.DataFrame:
    """Return an events table with no rows and the contract's columns and dtypes.

    Returns
    -------
    pandas.DataFrame
        Zero rows, columns :data:`geo.catalog.EVENT_COLUMNS`.
    """
    data: dict[str, pd.Series] = {}
    for name in EVENT_COLUMNS:
        data[name] = pd.Series([], dtype=_dtype(name))
    return pd.DataFrame(data, columns=list(EVENT_COLUMNS))


def _dtype(name: str) -> str:
    if name in ("event_date", "date_start", "date_end"):
        return _DATE_DTYPE
    if name in ("time_precision", "geo_precision"):
        return "int64"
    if name in ("latitude", "longitude"):
        return "float64"
    if name == "fatalities":
        return "Int64"
    if name == "in_article":
        return "bool"
    if name in ("features", "sources", "claims"):
        return "object"
    return "str"


# --- cell helpers ------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _cell_text(value: Any) -> str | None:
    """Text of a scalar cell (numbers, dates written as text); None for lists, tables, booleans."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or isinstance(value, (list, dict, tuple)):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _texts(series: pd.Series | None, n: int) -> tuple[pd.Series, np.ndarray]:
    """A column as text (missing -> ""), and where a value was not text-like (a list, a table, a bool)."""
    if series is None:
        return pd.Series([""] * n, dtype="str"), np.zeros(n, dtype=bool)
    series = series.reset_index(drop=True)
    if series.dtype == "str" or isinstance(series.dtype, pd.StringDtype):
        if series.hasnans:
            series = series.fillna("")
        return series.astype("str"), np.zeros(n, dtype=bool)
    if series.dtype.kind in "iu":
        return series.astype("str"), np.zeros(n, dtype=bool)
    if series.dtype.kind == "f":
        return series.map(_cell_text).astype("str"), np.zeros(n, dtype=bool)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series.fillna("").astype("str"), np.zeros(n, dtype=bool)
    values = [_cell_text(v) for v in series.tolist()]
    wrong = np.fromiter((v is None for v in values), dtype=bool, count=n)
    return pd.Series(["" if v is None else v for v in values], dtype="str"), wrong


def _number_text(text: pd.Series, decimal_comma: bool) -> pd.Series:
    text = text.str.strip()
    if decimal_comma:
        comma = text.str.fullmatch(r"[+-]?\d+,\d+")
        if comma.any():
            text = text.where(~comma, text.str.replace(",", ".", regex=False))
    return text


def _to_numbers(text: pd.Series) -> np.ndarray:
    """Text -> float64 (NaN where it is not a plain decimal number). Only short values are
    converted; hex, underscores and the like are not numbers."""
    plain = text.str.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?") & text.str.len().le(40)
    num = pd.to_numeric(text.where(plain, ""), errors="coerce")
    return np.asarray(num, dtype="float64")


def _json_list(value: Any) -> list | None:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


# --- the checker ---------------------------------------------------------------------------


def check_events(
    table: pd.DataFrame,
    file: str,
    rows: Iterable[int] | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    origin: str = "built-in",
    category: str | None = None,
    feature_ids: Iterable[str] | None = None,
    date_order: str | None = None,
    decimal_comma: bool = False,
    codes: Mapping[str, tuple[Mapping[int, int], str]] | None = None,
    known: Iterable[tuple[int, str, Any, str]] = (),
) -> CheckResult:
    """Check a table of events and build the normalised events table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per event, columns named like :data:`geo.catalog.EVENT_COLUMNS`
        (absent columns count as empty; ``url`` is read as one more link).
        Values may be text or typed (dates, numbers, lists, tables).
    file : str
        The file's name, for the problems.
    rows : iterable of int, optional
        Each row's number as the user sees it (default 1, 2, …).
    fields : mapping, optional
        Column -> the name the file gives it, for messages.
    origin : str, default "built-in"
        The ``origin`` column of every event.
    category : str, optional
        The category of every event (the ``category`` column is then ignored).
    feature_ids : iterable of str, optional
        Feature ids events may name; defaults to :data:`geo.catalog.FEATURE_IDS`.
    date_order : {"dmy", "mdy", None}
        How to read ``a/b/yyyy`` dates; None: as the file's unambiguous ones tell.
    decimal_comma : bool, default False
        Read ``40,5`` in ``latitude``/``longitude`` as 40.5 (semicolon-separated files).
    codes : mapping, optional
        ``"time_precision"``/``"geo_precision"`` -> (the format's code -> 1/2/3, reason
        for a bad code), for formats with their own codes (UCDP).
    known : iterable of (position, field, value, reason)
        Problems the reader already found in rows (e.g. a GeoJSON feature that is
        not a Point): those rows are rejected, with these problems first.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["a", "b"], "title": ["A", "B"], "event_date": ["2023-07-14", "someday"],
    ...                       "latitude": ["39.8", "39.8"], "longitude": ["46.75", "46.75"], "source": ["P", "P"]})
    >>> got = check_events(table, "my.csv", [2, 3], category="imported")
    >>> list(got.events["id"]), [str(p) for p in got.problems]  # doctest: +ELLIPSIS
    (['a'], ["my.csv, row 3, field 'event_date', value 'someday': not a date ..."])
    """
    table = table.reset_index(drop=True)
    n = len(table)
    rows_arr = np.arange(1, n + 1, dtype=np.int64) if rows is None else np.asarray(list(rows), dtype=np.int64)
    fields = dict(fields or {})
    out = _Problems(file, rows_arr, fields)
    readings: list[str] = []
    allowed = frozenset(fid for ids in FEATURE_IDS.values() for fid in ids) if feature_ids is None \
        else frozenset(feature_ids)
    codes = dict(codes or {})
    for position, key, value, reason in known:
        out.reject_one(int(position), key, value, reason)

    def col(key: str) -> pd.Series | None:
        return table[key] if key in table.columns else None

    def text(key: str, required: bool = False) -> pd.Series:
        values, wrong = _texts(col(key), n)
        out.reject(wrong, key, col(key), "must be text")
        too_long = values.str.len().gt(MAX_TEXT).to_numpy()
        if too_long.any():
            out.reject(too_long, key, None, f"text longer than {MAX_TEXT:,} characters")
            values = values.where(~too_long, "")
        if required:
            out.reject(~wrong & values.str.strip().eq("").to_numpy(), key, None, "missing required field")
        return values.str.strip() if key in ("id", "category") else values

    # Identity and text.
    ids = text("id", required=True).str.strip()
    title = text("title", required=True)
    if category is not None:
        categories = pd.Series([category] * n, dtype="str")
    else:
        categories = text("category", required=True)
        unknown = ~categories.isin(list(CATEGORIES)) & categories.ne("")
        out.reject(unknown, "category", categories,
                   f"unknown category (expected one of: {', '.join(CATEGORIES)})")
    texts = {}
    for key in TEXT_FIELDS:
        same = next((k for k in texts if col(k) is not None and col(k) is col(key)), None)
        texts[key] = texts[same] if same else text(key)  # one column for two fields: one array

    # Dates.
    date_text = {key: _texts(col(key), n) for key in ("event_date", "date_start", "date_end")}
    for key, (_, wrong) in date_text.items():
        out.reject(wrong, key, col(key), DATE_HINT)
    detected = slash_order(*(t for t, _ in date_text.values()))
    order = date_order or detected
    if date_order is not None:
        if any(t.str.contains("/", regex=False).any() for t, _ in date_text.values()):
            readings.append(f"Dates written a/b/yyyy were read as {_ORDER_WORDS[date_order]}/year, as chosen.")
    elif detected in _ORDER_WORDS:
        readings.append(f"Dates written a/b/yyyy were read as {_ORDER_WORDS[detected]}/year: the file has "
                        f"{'a day' if detected == 'dmy' else 'a month/day'} over 12 "
                        f"(e.g. {'14/07/2023' if detected == 'dmy' else '7/14/2023'}).")
    parsed: dict[str, ParsedDates] = {}
    for key, (values, wrong) in date_text.items():
        parsed[key] = parse_dates(values, order)
        parsed[key].empty = parsed[key].empty & ~wrong
    event_date = _date_column(out, parsed["event_date"], "event_date", date_text["event_date"][0], True)
    given_start = _date_column(out, parsed["date_start"], "date_start", date_text["date_start"][0], False)
    given_end = _date_column(out, parsed["date_end"], "date_end", date_text["date_end"][0], False)

    # Precision codes.
    both_ends = (given_start.notna() & given_end.notna()).to_numpy()
    span = (given_end - given_start).dt.days.fillna(0).to_numpy()
    from_span = np.where(span <= 0, 1, np.where(span <= 7, 2, 3))
    time_map, time_reason = codes.get("time_precision", (_TIME_CODES, _TIME_REASON))
    precision = _codes(out, col("time_precision"), "time_precision", time_map, time_reason,
                       np.where(both_ends, from_span, 1))
    geo_map, geo_reason = codes.get("geo_precision", (_GEO_CODES, _GEO_REASON))
    geo_precision = _codes(out, col("geo_precision"), "geo_precision", geo_map, geo_reason, np.ones(n, np.int64))

    derived_start, derived_end = ranges_from_precision(event_date, precision)
    date_start = given_start.where(given_start.notna(), derived_start)
    date_end = given_end.where(given_end.notna(), derived_end)
    before = (date_start.notna() & date_end.notna() & (date_end < date_start)).to_numpy()
    out.reject(before, "date_end", date_end.dt.strftime("%Y-%m-%d"), "is before date_start")
    lo, hi = (pd.Timestamp(d) for d in SUPPORTED_DATES)
    outside = ~before & ((date_start < lo) | (date_end > hi)).to_numpy()
    out.reject(outside, "event_date", date_text["event_date"][0],
               f"with its time_precision the date range runs outside the supported dates "
               f"({SUPPORTED_DATES[0]} to {SUPPORTED_DATES[1]})")

    # Places and numbers.
    lat = _coordinate(out, col("latitude"), "latitude", 90.0, decimal_comma)
    lon = _coordinate(out, col("longitude"), "longitude", 180.0, decimal_comma)
    if decimal_comma and (out_comma := [k for k in ("latitude", "longitude") if _had_comma(col(k))]):
        readings.append("Decimal commas in " + " and ".join(fields.get(k, k) for k in out_comma)
                        + " were read as decimal points (the file is separated by semicolons).")
    fatalities = _fatalities(out, col("fatalities"))
    in_article = _booleans(out, col("in_article"), n)

    # Lists: features, sources, claims.
    added: dict[int, list[str]] = {}  # row -> links not kept, appended to its notes below
    features = _features(out, col("features"), n, allowed)
    source_text = text("source")
    sources = _sources(out, col("sources"), col("url"), source_text, added)
    notes = texts["notes"]
    if added:
        rows_added = np.fromiter(added, dtype=np.int64)
        old = notes.iloc[rows_added].tolist()
        new = [(f"{o}\n" if o else "") + "\n".join(f"Link not kept (not http/https): {u}" for u in added[i])
               for o, i in zip(old, rows_added.tolist())]
        notes = notes.copy()
        notes.iloc[rows_added] = new
    claims = _claims(out, col("claims"), n)
    publishers = pd.Series(["; ".join(s["publisher"] for s in items if s["publisher"].strip()) for items in sources],
                           dtype="str")
    source_text = source_text.where(source_text.str.strip().ne(""), publishers)
    no_link = np.fromiter((not any(s["url"] for s in items) for items in sources), dtype=bool, count=n)
    no_source = source_text.str.strip().eq("").to_numpy() & no_link
    unconfirmed = texts["unconfirmed"]
    for i in np.flatnonzero(no_source & ~out.bad):
        out.note(int(i), "sources", None, f"no source given: the event is marked {NO_SOURCE!r}")
    mark = no_source & ~unconfirmed.str.startswith(NO_SOURCE).to_numpy()
    if mark.any():
        marked = unconfirmed.where(unconfirmed.str.strip().eq(""), " " + unconfirmed)
        unconfirmed = unconfirmed.where(~mark, NO_SOURCE + marked.where(marked.str.strip().ne(""), ""))

    # Ids: a later good row reusing an earlier good row's id.
    _duplicates(out, ids)

    columns: dict[str, Any] = {
        "id": ids, "title": title, "summary": texts["summary"], "category": categories,
        "event_type": texts["event_type"], "event_date": event_date, "time_precision": precision,
        "date_start": date_start, "date_end": date_end, "actor1": texts["actor1"], "actor2": texts["actor2"],
        "location": texts["location"], "latitude": lat, "longitude": lon, "geo_precision": geo_precision,
        "features": features, "sources": sources, "source": source_text,
        "notes": notes, "fatalities": fatalities,
        "article_sentence": texts["article_sentence"], "in_article": in_article, "claims": claims,
        "unconfirmed": unconfirmed, "origin": pd.Series([origin] * n, dtype="str"),
    }
    events = _keep(columns, ~out.bad)
    problems = sorted(out.problems, key=lambda p: p.row if isinstance(p.row, int) else 0)
    return CheckResult(events, problems, out.bad, out.reasons, readings)


def _date_column(out: _Problems, parsed: ParsedDates, key: str, text: pd.Series, required: bool) -> pd.Series:
    if required:
        out.reject(parsed.empty, key, None, "missing required field")
    bad = np.fromiter((r is not None for r in parsed.reasons), dtype=bool, count=len(parsed.reasons))
    out.reject(bad, key, text, parsed.reasons)
    return parsed.dates.reset_index(drop=True)


def _codes(out: _Problems, series: pd.Series | None, key: str, mapping: Mapping[int, int], reason: str,
           default: np.ndarray) -> np.ndarray:
    """Map precision codes; empty -> default; anything else is a rejected row."""
    n = len(default)
    text, wrong = _texts(series, n)
    text = text.str.strip()
    empty = text.eq("").to_numpy()
    num = _to_numbers(text)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(num) & (num == np.round(num))
    valid = whole & np.isin(num, list(mapping))
    if series is not None:  # a column pandas made float (JSON ints beside nulls) is shown as its text
        out.reject(~empty & ~valid | wrong, key, text if series.dtype.kind == "f" else series, reason)
    result = np.array(default, dtype=np.int64)
    for code, value in mapping.items():
        result[valid & (num == code)] = value
    return result


def _coordinate(out: _Problems, series: pd.Series | None, key: str, limit: float, decimal_comma: bool) -> np.ndarray:
    n = len(out.rows)
    if series is not None and series.dtype.kind == "f":
        values = series.to_numpy(dtype="float64")
        empty = np.isnan(values)
        shown: Any = series
        wrong = np.zeros(n, dtype=bool)
    else:
        text, wrong = _texts(series, n)
        text = _number_text(text, decimal_comma)
        empty = text.eq("").to_numpy() & ~wrong
        values = _to_numbers(text)
        shown = series if series is not None else None
    finite = np.isfinite(values)
    out.reject(empty, key, None, "missing required field")
    out.reject(~empty & ~finite, key, shown, "not a number")
    with np.errstate(invalid="ignore"):
        out.reject(finite & (np.abs(values) > limit), key, shown,
                   f"out of range (must be between -{limit:g} and {limit:g})")
    return values


def _had_comma(series: pd.Series | None) -> bool:
    if series is None or series.dtype.kind == "f":
        return False
    text, _ = _texts(series, len(series))
    return bool(text.str.strip().str.fullmatch(r"[+-]?\d+,\d+").any())


def _fatalities(out: _Problems, series: pd.Series | None) -> pd.Series:
    n = len(out.rows)
    text, wrong = _texts(series, n)
    text = text.str.strip()
    empty = text.eq("").to_numpy() & ~wrong
    num = _to_numbers(text)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(num) & (num >= 0) & (num == np.round(num)) & (num <= MAX_FATALITIES)
    out.reject(~empty & ~ok, "fatalities", series,
               f"not a whole number from 0 to {MAX_FATALITIES:,}")
    kept = np.where(ok, num, 0).astype(np.int64)
    return pd.Series(pd.array(kept, dtype="Int64")).where(ok, pd.NA).astype("Int64")


def _booleans(out: _Problems, series: pd.Series | None, n: int) -> np.ndarray:
    if series is None:
        return np.zeros(n, dtype=bool)
    if series.dtype == bool:
        return series.to_numpy()
    values = series.tolist()
    words = pd.Series(["true" if v is True else "false" if v is False else ("" if _is_missing(v) else str(v))
                       for v in values], dtype="str").str.strip().str.lower()
    truth = words.isin(_TRUE).to_numpy()
    falsy = words.isin(_FALSE).to_numpy()
    out.reject(~truth & ~falsy, "in_article", series, "must be true or false")
    return truth


def _features(out: _Problems, series: pd.Series | None, n: int, allowed: frozenset[str]) -> list[list[str]]:
    if series is None:
        return [[] for _ in range(n)]
    result: list[list[str]] = []
    for i, value in enumerate(series.tolist()):
        if _is_missing(value) or value == [] or value == "[]":
            result.append([])
            continue
        if isinstance(value, str) and not value.lstrip().startswith("["):
            items: list | None = [p.strip() for p in value.split(";") if p.strip()]
        else:
            items = _json_list(value)
        if items is None or not all(isinstance(x, str) for x in items):
            out.reject_one(i, "features", value, _LIST_OF_FEATURES)
            result.append([])
            continue
        kept: list[str] = []
        for item in (x.strip() for x in items):
            if item not in allowed:
                out.note(i, "features", item, "unknown feature id, dropped")
            elif item not in kept:
                kept.append(item)
        result.append(kept)
    return result


def _append_note(added: dict[int, list[str]], i: int, url: str) -> None:
    added.setdefault(int(i), []).append(url)


def _host(url: str) -> str:
    """The host name of an http(s) URL (a source's publisher when it names none)."""
    return urlsplit(url).hostname or ""


def _sources(out: _Problems, sources: pd.Series | None, url: pd.Series | None, source_text: pd.Series,
             added: dict[int, list[str]]) -> list[list[dict]]:
    """``sources`` lists ({publisher, url} with http(s) links only).

    Where a row has a ``sources`` value, that list is authoritative; otherwise links
    come from ``url`` (publisher: the ``source`` text) and from the parts of ``source``
    (split on ``;``) that are http(s) URLs (publisher: the host).
    """
    n = len(source_text)
    result: list[list[dict]] = [[] for _ in range(n)]
    given = np.zeros(n, dtype=bool)
    if sources is not None:
        for i, value in enumerate(sources.tolist()):
            if _is_missing(value) or value == []:
                continue
            given[i] = True
            items = value if isinstance(value, (list, tuple)) else _json_list(value)
            if items is None and isinstance(value, (str, dict)) and not str(value).lstrip().startswith("["):
                items = [value]  # one link or one table
            if items is None:
                out.reject_one(i, "sources", value, _LIST_OF_SOURCES)
                continue
            for item in items:
                if isinstance(item, str):
                    item = {"url": item}
                if not isinstance(item, Mapping):
                    out.reject_one(i, "sources", item, _LIST_OF_SOURCES)
                    break
                link, publisher = item.get("url"), item.get("publisher")
                if _is_missing(link):
                    link = ""
                if _is_missing(publisher):
                    publisher = ""
                if not isinstance(link, str) or not isinstance(publisher, str):
                    out.reject_one(i, "sources", dict(item), "publisher and url of a source must be text")
                    break
                safe = http_url(link)
                if link.strip() and safe is None:
                    _append_note(added, i, link.strip())
                    out.note(i, "sources", link, "not an http(s) link; kept as text in notes")
                if safe is None and not publisher.strip():
                    continue
                result[i].append({"publisher": publisher if publisher.strip() else (_host(safe) if safe else ""),
                                  "url": safe or ""})
    if url is not None:
        urls, _ = _texts(url, n)
        for i in np.flatnonzero(urls.str.strip().ne("").to_numpy() & ~given):
            link = urls.iat[i].strip()
            safe = http_url(link)
            if safe is not None:
                result[i].append({"publisher": source_text.iat[i] if source_text.iat[i].strip() else _host(safe),
                                  "url": safe})
            else:
                _append_note(added, int(i), link)
                out.note(int(i), "url", link, "not an http(s) link; kept as text in notes")
    has_link = source_text.str.contains("http", case=False, regex=False).to_numpy() & ~given
    for i in np.flatnonzero(has_link):
        for part in source_text.iat[i].split(";"):
            safe = http_url(part)
            if safe is not None and all(s["url"] != safe for s in result[i]):
                result[i].append({"publisher": _host(safe), "url": safe})
    return result


def _claims(out: _Problems, series: pd.Series | None, n: int) -> list[list[dict]]:
    if series is None:
        return [[] for _ in range(n)]
    result: list[list[dict]] = []
    for i, value in enumerate(series.tolist()):
        if _is_missing(value) or value == []:
            result.append([])
            continue
        items = _json_list(value)
        claims: list[dict] = []
        if items is None:
            out.reject_one(i, "claims", value, _LIST_OF_CLAIMS)
        for item in items or []:
            if not isinstance(item, Mapping):
                out.reject_one(i, "claims", item, _LIST_OF_CLAIMS)
                break
            side, claim, source = (item.get(k) for k in ("side", "claim", "source"))
            if not all(v is None or isinstance(v, str) for v in (side, claim, source)):
                out.reject_one(i, "claims", dict(item), "claim fields must be text")
                break
            if _is_missing(side) or _is_missing(claim):
                out.reject_one(i, "claims", dict(item), "a claim needs both 'side' and 'claim'")
                break
            claims.append({"side": side, "claim": claim, "source": source or ""})
        result.append(claims)
    return result


def _duplicates(out: _Problems, ids: pd.Series) -> None:
    """Reject later rows reusing the id of an earlier good row."""
    good = ~out.bad
    candidates = ids[good]
    dup = candidates.duplicated(keep="first")
    if not dup.any():
        return
    first_row = dict(zip(candidates[~dup].tolist(), out.rows[good][~dup.to_numpy()].tolist()))
    for pos in np.flatnonzero(good)[dup.to_numpy()]:
        value = ids.iat[pos]
        out.reject_one(int(pos), "id", value, f"duplicate id (already used in row {first_row[value]})")


def _keep(columns: dict[str, Any], good: np.ndarray) -> pd.DataFrame:
    """The good rows, in EVENT_COLUMNS order with the contract's dtypes."""
    data: dict[str, Any] = {}
    done: dict[int, pd.Series] = {}  # one filtered copy per distinct column (summary may be notes)
    every = bool(good.all())
    for name in EVENT_COLUMNS:
        value = columns[name]
        if id(value) in done:
            data[name] = done[id(value)]
            continue
        if every and isinstance(value, pd.Series) and name not in ("features", "sources", "claims"):
            kept = value.reset_index(drop=True)
        elif isinstance(value, list):
            kept = pd.Series([v for v, g in zip(value, good) if g], dtype=object)
        elif isinstance(value, pd.Series):
            kept = value[good].reset_index(drop=True)
        else:
            kept = pd.Series(np.asarray(value)[good])
        data[name] = kept if name in ("features", "sources", "claims") else kept.astype(_dtype(name))
        done[id(value)] = data[name]
    return pd.DataFrame(data, columns=list(EVENT_COLUMNS))
