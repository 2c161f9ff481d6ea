"""Load and validate events: ``data/events.toml`` and records from importers.

Two entry points:

* :func:`load_events` reads the presenter-edited TOML file;
* :func:`events_from_records` validates a list of plain dicts (one per event)
  and builds the normalised events table. The CSV/GeoJSON importers reuse it.

Every bad record becomes a :class:`~geo.problems.DataProblem` naming the file,
the 1-based row, the field, the value and the reason; the bad row is dropped
and the good rows still load. The returned frame always has exactly
:data:`geo.catalog.EVENT_COLUMNS`, in that order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd

from geo.catalog import CATEGORIES, EVENT_COLUMNS, FEATURE_IDS, GEO_PRECISION, TIME_PRECISION
from geo.problems import DataProblem

__all__ = ["EventsResult", "load_events", "events_from_records", "empty_events", "date_range"]

#: Fields every record must have (non-empty).
REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "event_date", "category", "latitude", "longitude")

#: Optional free-text fields; missing means "".
TEXT_FIELDS: tuple[str, ...] = (
    "summary", "event_type", "actor1", "actor2", "location", "notes",
    "article_sentence", "unconfirmed",
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOML_LINE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_DATE_DTYPE = "datetime64[ns]"


@dataclass
class EventsResult:
    """Events that loaded, and the problems found on the way.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per valid event, columns :data:`geo.catalog.EVENT_COLUMNS`.
    problems : list of DataProblem
        One entry per problem; empty when everything loaded.
    """

    events: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)


class _RowError(Exception):
    """Internal: one field of one record is bad."""

    def __init__(self, field_name: str, value: Any, reason: str):
        super().__init__(reason)
        self.field_name = field_name
        self.value = value
        self.reason = reason


# --- public API ---------------------------------------------------------------


def empty_events() -> pd.DataFrame:
    """Return an events table with no rows and the contract's columns and dtypes.

    Returns
    -------
    pandas.DataFrame
        Zero rows, columns :data:`geo.catalog.EVENT_COLUMNS`.
    """
    return _frame([])


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
    raise ValueError(f"time_precision must be one of {sorted(TIME_PRECISION)}, got {time_precision!r}")


def load_events(path: str | Path, feature_ids: Iterable[str] | None = None) -> EventsResult:
    """Read and validate an events TOML file (``[[events]]`` tables).

    Parameters
    ----------
    path : str or pathlib.Path
        The file, normally ``data/events.toml``.
    feature_ids : iterable of str, optional
        Feature ids events may name. Defaults to every id in
        :data:`geo.catalog.FEATURE_IDS`.

    Returns
    -------
    EventsResult
        The valid events (``origin == "built-in"``) and the problems. A file
        that is missing, is not valid TOML or holds no ``[[events]]`` gives
        one problem and an empty frame with the right columns.

    Examples
    --------
    >>> result = load_events("data/events.toml")  # doctest: +SKIP
    >>> result.events.loc[0, "id"], result.problems  # doctest: +SKIP
    ('brussels-talks', [])
    """
    path = Path(path)
    name = path.name
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return EventsResult(empty_events(), [DataProblem(name, "file not found", value=str(path))])
    except IsADirectoryError:
        return EventsResult(empty_events(), [DataProblem(name, "is a directory, not a file", value=str(path))])
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_LINE_RE.search(message)
        where = f" at line {match.group(1)}, column {match.group(2)}" if match else ""
        reason = f"not valid TOML{where}: {_TOML_LINE_RE.sub('', message).strip()}"
        return EventsResult(empty_events(), [DataProblem(name, reason)])
    except UnicodeDecodeError as exc:
        return EventsResult(empty_events(), [DataProblem(name, f"not valid TOML: not UTF-8 text ({exc.reason})")])

    records = data.get("events")
    if records is None or (isinstance(records, list) and not records):
        return EventsResult(empty_events(), [DataProblem(name, "no events: the file has no [[events]] tables")])
    if not isinstance(records, list):
        return EventsResult(
            empty_events(),
            [DataProblem(name, "'events' must be an array of tables ([[events]])", field="events",
                         value=type(records).__name__)],
        )
    return events_from_records(records, name, feature_ids=feature_ids, origin="built-in")


def events_from_records(
    records: list[dict],
    file_name: str,
    feature_ids: Iterable[str] | None = None,
    origin: str = "built-in",
) -> EventsResult:
    """Validate event records and build the normalised events table.

    Parameters
    ----------
    records : list of dict
        One dict per event, keyed by the field names of ``data/events.toml``
        (see ``data/README.md``). Row numbers in problems are 1-based
        positions in this list. Values may come from TOML (dates, numbers,
        lists) or from text importers: dates as ``"YYYY-MM-DD"``, numbers and
        precision codes as text, ``features`` as a ``";"``-separated string,
        ``in_article`` as ``"true"``/``"false"``. ``None`` and NaN count as
        missing.
    file_name : str
        Name of the file the records came from, used in problems.
    feature_ids : iterable of str, optional
        Allowed feature ids; defaults to every id in
        :data:`geo.catalog.FEATURE_IDS`.
    origin : str, default "built-in"
        Value of the ``origin`` column (importers pass
        ``"imported: <file name>"``).

    Returns
    -------
    EventsResult
        Valid rows in input order, and one problem per bad field. A row with
        any problem is dropped; the first of two rows sharing an id is kept.

    Examples
    --------
    >>> rec = {"id": "x", "title": "X", "event_date": "2023-07-14", "category": "protest",
    ...        "latitude": 39.8, "longitude": 46.75,
    ...        "sources": [{"publisher": "P", "url": "https://example.org/x"}]}
    >>> result = events_from_records([rec], "my.csv", origin="imported: my.csv")
    >>> result.events.loc[0, "source"], result.problems
    ('P', [])
    """
    allowed = frozenset(_all_feature_ids() if feature_ids is None else feature_ids)
    problems: list[DataProblem] = []
    rows: list[dict[str, Any]] = []
    first_row_of_id: dict[str, int] = {}

    for position, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            problems.append(DataProblem(file_name, "an event must be a table of fields", row=position,
                                        value=type(record).__name__))
            continue
        row, row_problems = _validate(record, allowed)
        problems.extend(
            DataProblem(file_name, err.reason, row=position, field=err.field_name, value=err.value)
            for err in row_problems
        )
        if row_problems:
            continue
        if row["id"] in first_row_of_id:
            problems.append(DataProblem(
                file_name, f"duplicate id (already used in row {first_row_of_id[row['id']]})",
                row=position, field="id", value=row["id"],
            ))
            continue
        first_row_of_id[row["id"]] = position
        row["origin"] = origin
        rows.append(row)

    return EventsResult(_frame(rows), problems)


# --- validation -----------------------------------------------------------------


def _all_feature_ids() -> list[str]:
    return [fid for ids in FEATURE_IDS.values() for fid in ids]


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and not value.strip():
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _validate(record: Mapping[str, Any], allowed: frozenset[str]) -> tuple[dict[str, Any], list[_RowError]]:
    """Check every field of one record; collect all errors, not just the first."""
    errors: list[_RowError] = []
    out: dict[str, Any] = {}

    def check(name: str, func, *args) -> None:
        try:
            out[name] = func(*args)
        except _RowError as err:
            errors.append(err)

    missing = [name for name in REQUIRED_FIELDS if _is_missing(record.get(name))]
    for name in missing:
        errors.append(_RowError(name, record.get(name), "missing required field"))

    if "id" not in missing:
        check("id", _text, "id", record["id"], True)
    if "title" not in missing:
        check("title", _text, "title", record["title"], True)
    if "category" not in missing:
        check("category", _category, record["category"])
    if "event_date" not in missing:
        check("event_date", _date, "event_date", record["event_date"])
    check("time_precision", _code, "time_precision", record.get("time_precision"), TIME_PRECISION)
    check("geo_precision", _code, "geo_precision", record.get("geo_precision"), GEO_PRECISION)
    if "latitude" not in missing:
        check("latitude", _coordinate, "latitude", record["latitude"], 90.0)
    if "longitude" not in missing:
        check("longitude", _coordinate, "longitude", record["longitude"], 180.0)
    for name in TEXT_FIELDS:
        check(name, _text, name, record.get(name), False)
    check("features", _features, record.get("features"), allowed)
    check("sources", _sources, record.get("sources"))
    check("claims", _claims, record.get("claims"))
    check("fatalities", _fatalities, record.get("fatalities"))
    check("in_article", _flag, "in_article", record.get("in_article"))

    if errors:
        return out, errors
    start, end = date_range(out["event_date"], out["time_precision"])
    out["date_start"], out["date_end"] = start, end
    out["source"] = "; ".join(src["publisher"] for src in out["sources"])
    return out, errors


def _text(name: str, value: Any, required: bool) -> str:
    if _is_missing(value):
        if required:
            raise _RowError(name, value, "missing required field")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _RowError(name, value, "must be text")
    return str(value).strip()


def _category(value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in CATEGORIES:
        raise _RowError("category", value, f"unknown category (expected one of: {', '.join(CATEGORIES)})")
    return value.strip()


def _date(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise _RowError(name, value, "not a date: give a plain date (YYYY-MM-DD), not a time with a zone")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _RowError(name, value, "not a date (expected YYYY-MM-DD)")


def _whole_number(value: Any) -> int | None:
    """An int from an int, an integral float or text such as "2" or "2.0"; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _code(name: str, value: Any, codes: Mapping[int, str]) -> int:
    if _is_missing(value):
        return 1
    number = _whole_number(value)
    if number not in codes:
        meaning = ", ".join(f"{code} {label}" for code, label in codes.items())
        raise _RowError(name, value, f"bad precision code (expected {meaning})")
    return number


def _coordinate(name: str, value: Any, limit: float) -> float:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise _RowError(name, value, "not a number")
    if not -limit <= number <= limit:
        raise _RowError(name, value, f"out of range (must be between {-limit:g} and {limit:g})")
    return number


def _features(value: Any, allowed: frozenset[str]) -> list[str]:
    if _is_missing(value):
        return []
    if isinstance(value, str):
        items = [part.strip() for part in value.split(";") if part.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise _RowError("features", value, "must be a list of feature ids")
    result: list[str] = []
    for item in items:
        if not isinstance(item, str) or item.strip() not in allowed:
            raise _RowError("features", item, "unknown feature id")
        if item.strip() not in result:
            result.append(item.strip())
    return result


def _is_web_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parsed = urlparse(url.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _sources(value: Any) -> list[dict[str, str]]:
    if _is_missing(value) or value == []:
        raise _RowError("sources", value, "missing source: give at least one source with an http(s) URL")
    items = value if isinstance(value, (list, tuple)) else [value]
    result: list[dict[str, str]] = []
    for item in items:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, Mapping):
            raise _RowError("sources", item, "a source must be a table {publisher, url}")
        url = item.get("url")
        if not _is_web_url(url):
            raise _RowError("sources", url, "missing source: the URL must start with http:// or https://")
        publisher = item.get("publisher")
        if _is_missing(publisher):
            publisher = urlparse(url.strip()).netloc
        if not isinstance(publisher, str):
            raise _RowError("sources", publisher, "publisher must be text")
        result.append({"publisher": publisher.strip(), "url": url.strip()})
    return result


def _claims(value: Any) -> list[dict[str, str]]:
    if _is_missing(value):
        return []
    if not isinstance(value, (list, tuple)):
        raise _RowError("claims", value, "must be a list of tables {side, claim, source}")
    result: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise _RowError("claims", item, "a claim must be a table {side, claim, source}")
        side, claim, source = item.get("side"), item.get("claim"), item.get("source")
        if _is_missing(side) or _is_missing(claim):
            raise _RowError("claims", dict(item), "a claim needs both 'side' and 'claim'")
        if not all(isinstance(v, str) for v in (side, claim)) or not (source is None or isinstance(source, str)):
            raise _RowError("claims", dict(item), "claim fields must be text")
        result.append({"side": side.strip(), "claim": claim.strip(), "source": (source or "").strip()})
    return result


def _fatalities(value: Any) -> int | None:
    if _is_missing(value):
        return None
    number = _whole_number(value)
    if number is None or number < 0:
        raise _RowError("fatalities", value, "must be a whole number, 0 or more")
    return number


def _flag(name: str, value: Any) -> bool:
    if _is_missing(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise _RowError(name, value, "must be true or false")


# --- frame ---------------------------------------------------------------------


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build the events table with the contract's columns, order and dtypes."""
    def column(name: str) -> list[Any]:
        return [row[name] for row in rows]

    data: dict[str, Any] = {}
    for name in EVENT_COLUMNS:
        values = column(name)
        if name in ("event_date", "date_start", "date_end"):
            data[name] = pd.Series(pd.to_datetime(values), dtype=_DATE_DTYPE) if values else pd.Series([], dtype=_DATE_DTYPE)
        elif name in ("time_precision", "geo_precision"):
            data[name] = pd.Series(values, dtype="int64")
        elif name in ("latitude", "longitude"):
            data[name] = pd.Series(values, dtype="float64")
        elif name == "fatalities":
            data[name] = pd.Series([pd.NA if v is None else v for v in values], dtype="Int64")
        elif name == "in_article":
            data[name] = pd.Series(values, dtype="bool")
        elif name in ("features", "sources", "claims"):
            data[name] = pd.Series(values, dtype="object")
        else:
            data[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(data, columns=list(EVENT_COLUMNS))
