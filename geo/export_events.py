"""Export the normalised events table as an ACLED-style CSV or as GeoJSON.

Both formats are designed so that :func:`geo.import_events.import_events`
re-imports them losslessly (ids, dates and their ranges, precision codes,
coordinates, text, sources, features, claims). Only ``category`` and
``origin`` change on re-import: imported events are always category
``"imported"`` with origin ``"imported: <file name>"``.

Spreadsheet formula injection
-----------------------------
A CSV opened in Excel, LibreOffice or Google Sheets runs a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a tab or carriage
return) as a formula. :func:`events_to_acled_csv` therefore prefixes every
*text* cell that starts with one of these characters with a single quote
``'`` (OWASP "CSV injection" advice), so ``=HYPERLINK(...)`` is shown as the
text ``'=HYPERLINK(...)``. A text cell that already starts with quotes
followed by such a character gets one more quote, so the rule can be undone
exactly: the importer removes one leading quote from any CSV text cell that
matches ``'+[=+\\-@\\t\\r]`` (see :func:`restore_formula_text`).
Numeric columns (latitude, longitude, fatalities, precision codes) and ISO
dates are written as plain numbers/dates and never quoted: a negative
longitude stays a number.

Limits: text holding NUL characters (``"\\x00"``) does not survive the CSV
round trip (the importer treats files with NUL bytes as binary); GeoJSON
escapes them and re-imports them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from typing import Any

import orjson
import pandas as pd

from geo.catalog import EVENT_COLUMNS

__all__ = [
    "ACLED_EXPORT_COLUMNS",
    "EXTRA_EXPORT_COLUMNS",
    "FORMULA_CHARS",
    "events_to_acled_csv",
    "events_to_geojson",
    "neutralise_formula",
    "restore_formula_text",
]

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")

_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")

#: ACLED columns written by :func:`events_to_acled_csv`, in ACLED's order
#: (only those our events can fill).
ACLED_EXPORT_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "actor1",
    "actor2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)

#: Our own columns appended after the ACLED ones, so a re-import is lossless.
#: List columns (features, sources, claims) hold JSON arrays.
EXTRA_EXPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "summary",
    "category",
    "date_start",
    "date_end",
    "features",
    "sources",
    "article_sentence",
    "in_article",
    "claims",
    "unconfirmed",
)

_TEXT_COLUMNS = (
    "event_id_cnty", "event_type", "actor1", "actor2", "location", "source",
    "notes", "id", "title", "summary", "category", "article_sentence",
    "unconfirmed",
)


def neutralise_formula(text: str) -> str:
    """Return ``text`` made safe to open in a spreadsheet.

    Parameters
    ----------
    text : str
        A cell's text.

    Returns
    -------
    str
        ``text`` with a ``'`` prepended when it starts with ``=``, ``+``,
        ``-``, ``@``, tab or carriage return (possibly after quotes);
        otherwise ``text`` unchanged.

    Examples
    --------
    >>> neutralise_formula("=1+1")
    "'=1+1"
    >>> neutralise_formula("'=1+1")
    "''=1+1"
    >>> neutralise_formula("Stepanakert")
    'Stepanakert'
    """
    if text and _NEEDS_QUOTE.match(text):
        return "'" + text
    return text


def restore_formula_text(text: str) -> str:
    """Undo :func:`neutralise_formula` (remove one leading quote).

    Examples
    --------
    >>> restore_formula_text("'=1+1")
    '=1+1'
    >>> restore_formula_text("'plain")
    "'plain"
    """
    if text and _QUOTED.match(text):
        return text[1:]
    return text


def _check_columns(events: Any) -> None:
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"events must be a pandas DataFrame, not {type(events).__name__}")
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"events is missing columns: {', '.join(missing)}")


def _iso(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _int_or_none(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def _float(value: Any) -> float:
    return float(value)


def _list(value: Any) -> list:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value)


def _plain(value: Any) -> Any:
    """Turn nested numpy/pandas values into JSON-serialisable Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _rows(events: pd.DataFrame) -> Iterable[dict[str, Any]]:
    return events.loc[:, list(EVENT_COLUMNS)].to_dict("records")


def events_to_acled_csv(events: pd.DataFrame) -> bytes:
    """Write events as an ACLED-style CSV (UTF-8 with BOM, CRLF line ends).

    Parameters
    ----------
    events : pandas.DataFrame
        The normalised events table (columns :data:`geo.catalog.EVENT_COLUMNS`).

    Returns
    -------
    bytes
        CSV text. Columns: :data:`ACLED_EXPORT_COLUMNS` (``event_id_cnty`` is
        our ``id``, ``event_date`` is ISO ``YYYY-MM-DD``, ``year`` its year)
        followed by :data:`EXTRA_EXPORT_COLUMNS`. Text cells starting with a
        formula character are neutralised (see the module docstring); list
        columns are JSON arrays; ``in_article`` is ``true``/``false``;
        missing fatalities are an empty cell.

    Raises
    ------
    TypeError, ValueError
        If ``events`` is not a DataFrame with the event columns.

    Examples
    --------
    >>> from geo.import_events import import_events
    >>> data = events_to_acled_csv(events)                 # doctest: +SKIP
    >>> import_events("export.csv", data).events           # doctest: +SKIP
    """
    _check_columns(events)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ACLED_EXPORT_COLUMNS + EXTRA_EXPORT_COLUMNS)
    for ev in _rows(events):
        fatalities = _int_or_none(ev["fatalities"])
        event_date = _iso(ev["event_date"])
        cells: dict[str, Any] = {
            "event_id_cnty": _text(ev["id"]),
            "event_date": event_date,
            "year": event_date[:4],
            "time_precision": int(ev["time_precision"]),
            "event_type": _text(ev["event_type"]),
            "actor1": _text(ev["actor1"]),
            "actor2": _text(ev["actor2"]),
            "location": _text(ev["location"]),
            "latitude": repr(_float(ev["latitude"])),
            "longitude": repr(_float(ev["longitude"])),
            "geo_precision": int(ev["geo_precision"]),
            "source": _text(ev["source"]),
            "notes": _text(ev["notes"]),
            "fatalities": "" if fatalities is None else fatalities,
            "id": _text(ev["id"]),
            "title": _text(ev["title"]),
            "summary": _text(ev["summary"]),
            "category": _text(ev["category"]),
            "date_start": _iso(ev["date_start"]),
            "date_end": _iso(ev["date_end"]),
            "features": orjson.dumps(_plain(_list(ev["features"]))).decode(),
            "sources": orjson.dumps(_plain(_list(ev["sources"]))).decode(),
            "article_sentence": _text(ev["article_sentence"]),
            "in_article": "true" if bool(ev["in_article"]) else "false",
            "claims": orjson.dumps(_plain(_list(ev["claims"]))).decode(),
            "unconfirmed": _text(ev["unconfirmed"]),
        }
        for col in _TEXT_COLUMNS:
            cells[col] = neutralise_formula(cells[col])
        writer.writerow([cells[c] for c in ACLED_EXPORT_COLUMNS + EXTRA_EXPORT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def events_to_geojson(events: pd.DataFrame) -> bytes:
    """Write events as an RFC 7946 GeoJSON FeatureCollection of Points.

    Parameters
    ----------
    events : pandas.DataFrame
        The normalised events table (columns :data:`geo.catalog.EVENT_COLUMNS`).

    Returns
    -------
    bytes
        UTF-8 JSON. Each event is a ``Feature`` whose geometry is
        ``{"type": "Point", "coordinates": [longitude, latitude]}`` (WGS 84,
        longitude first, as RFC 7946 requires) and whose properties are all
        event columns: dates as ISO ``YYYY-MM-DD`` strings, missing
        fatalities as ``null``, lists as JSON arrays. Text is not escaped or
        neutralised: GeoJSON is data, not a spreadsheet.

    Raises
    ------
    TypeError, ValueError
        If ``events`` is not a DataFrame with the event columns.
    """
    _check_columns(events)
    features = []
    for ev in _rows(events):
        props: dict[str, Any] = {}
        for col in EVENT_COLUMNS:
            value = ev[col]
            if col in ("event_date", "date_start", "date_end"):
                props[col] = _iso(value)
            elif col in ("latitude", "longitude"):
                props[col] = _float(value)
            elif col in ("time_precision", "geo_precision"):
                props[col] = int(value)
            elif col == "fatalities":
                props[col] = _int_or_none(value)
            elif col == "in_article":
                props[col] = bool(value)
            elif col in ("features", "sources", "claims"):
                props[col] = _plain(_list(value))
            else:
                props[col] = _text(value)
        features.append(
            {
                "type": "Feature",
                "id": props["id"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [props["longitude"], props["latitude"]],
                },
                "properties": props,
            }
        )
    return orjson.dumps({"type": "FeatureCollection", "features": features})
