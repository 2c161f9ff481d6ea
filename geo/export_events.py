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
return, the full-width ``＝ ＋ － ＠``, or any of these after spaces or
zero-width characters) as a formula. :func:`events_to_acled_csv` therefore
prefixes every *text* cell that starts that way with a single quote ``'``
(OWASP "CSV injection" advice), so ``=HYPERLINK(...)`` is shown as the text
``'=HYPERLINK(...)``. A text cell that already starts with quotes followed by
such a start gets one more quote, so the rule can be undone exactly: the
importer removes one leading quote from any CSV text cell that starts with
quotes and then such a start (see :func:`restore_formula_text`). Every CSV the
app writes goes through it: the events export and the rejected rows of an
import; the events table's own "Download as CSV" is switched off
(``client.disableDataExport``).
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

#: Characters that make a spreadsheet treat a cell as a formula: ``= + - @``, tab, carriage
#: return, and the full-width and small forms of ``= + - @`` (which some spreadsheets, e.g.
#: with a Japanese input method, read as the ASCII ones).
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62",
                 "\ufe63")
#: What spreadsheets skip before looking for a formula character: white space (a leading
#: space before ``=``), and zero-width and other invisible formatting characters.
_INVISIBLE = "\\s\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u2000-\u200f\u2028-\u202f" \
             "\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
_FORMULA = "[" + re.escape("".join(FORMULA_CHARS)) + "]"
_NEEDS_QUOTE = re.compile("'*[" + _INVISIBLE + "]*" + _FORMULA)
_QUOTED = re.compile("'+[" + _INVISIBLE + "]*" + _FORMULA)

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


def _text_column(series: pd.Series) -> list[str]:
    """Text cells: missing -> "", everything else ``str``."""
    return ["" if _missing(v) else str(v) for v in series.tolist()]


def _iso_column(series: pd.Series) -> list[str]:
    """Dates as ISO ``YYYY-MM-DD`` strings (missing -> "")."""
    dates = pd.to_datetime(series)
    return dates.dt.strftime("%Y-%m-%d").fillna("").tolist()


def _int_or_none_column(series: pd.Series) -> list[int | None]:
    return [None if _missing(v) else int(v) for v in series.tolist()]


def _float_column(series: pd.Series) -> list[float]:
    return [float(v) for v in series.tolist()]


def _list_column(series: pd.Series) -> list[list]:
    return [[] if _missing(v) else _plain(list(v)) for v in series.tolist()]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


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
    event_date = _iso_column(events["event_date"])
    fatalities = _int_or_none_column(events["fatalities"])
    columns: dict[str, list] = {
        "event_id_cnty": _text_column(events["id"]),
        "event_date": event_date,
        "year": [d[:4] for d in event_date],
        "time_precision": _int_or_none_column(events["time_precision"]),
        "event_type": _text_column(events["event_type"]),
        "actor1": _text_column(events["actor1"]),
        "actor2": _text_column(events["actor2"]),
        "location": _text_column(events["location"]),
        "latitude": [repr(v) for v in _float_column(events["latitude"])],
        "longitude": [repr(v) for v in _float_column(events["longitude"])],
        "geo_precision": _int_or_none_column(events["geo_precision"]),
        "source": _text_column(events["source"]),
        "notes": _text_column(events["notes"]),
        "fatalities": ["" if f is None else f for f in fatalities],
        "id": _text_column(events["id"]),
        "title": _text_column(events["title"]),
        "summary": _text_column(events["summary"]),
        "category": _text_column(events["category"]),
        "date_start": _iso_column(events["date_start"]),
        "date_end": _iso_column(events["date_end"]),
        "features": [orjson.dumps(v).decode() for v in _list_column(events["features"])],
        "sources": [orjson.dumps(v).decode() for v in _list_column(events["sources"])],
        "article_sentence": _text_column(events["article_sentence"]),
        "in_article": ["true" if bool(v) else "false" for v in events["in_article"].tolist()],
        "claims": [orjson.dumps(v).decode() for v in _list_column(events["claims"])],
        "unconfirmed": _text_column(events["unconfirmed"]),
    }
    for col in _TEXT_COLUMNS:
        columns[col] = [neutralise_formula(v) for v in columns[col]]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    order = ACLED_EXPORT_COLUMNS + EXTRA_EXPORT_COLUMNS
    writer.writerow(order)
    writer.writerows(zip(*(columns[c] for c in order)))
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
    columns: dict[str, list] = {}
    for col in EVENT_COLUMNS:
        series = events[col]
        if col in ("event_date", "date_start", "date_end"):
            columns[col] = _iso_column(series)
        elif col in ("latitude", "longitude"):
            columns[col] = _float_column(series)
        elif col in ("time_precision", "geo_precision", "fatalities"):
            columns[col] = _int_or_none_column(series)
        elif col == "in_article":
            columns[col] = [bool(v) for v in series.tolist()]
        elif col in ("features", "sources", "claims"):
            columns[col] = _list_column(series)
        else:
            columns[col] = _text_column(series)
    features = [
        {
            "type": "Feature",
            "id": props["id"],
            "geometry": {"type": "Point", "coordinates": [props["longitude"], props["latitude"]]},
            "properties": props,
        }
        for props in (dict(zip(EVENT_COLUMNS, values))
                      for values in zip(*(columns[c] for c in EVENT_COLUMNS)))
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})
