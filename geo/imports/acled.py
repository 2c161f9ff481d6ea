"""ACLED export CSV (and GeoJSON properties named like it) onto the event columns.

Current exports (``event_id_cnty, event_date, year, time_precision,
disorder_type, event_type, sub_event_type, actor1, …, latitude, longitude,
geo_precision, source, …, notes, fatalities, tags, timestamp``) and older ones
(``data_id``, ``iso3``, ``event_id_no_cnty``, ``geo_precis``, no
``disorder_type``/``civilian_targeting``/``tags``). Headers are
case-insensitive. Required: ``event_id_cnty`` (or ``data_id``),
``event_date``, ``latitude``, ``longitude``.

``title`` is ``"<event_type>: <sub_event_type>"`` (or the one given; with
neither, :data:`UNTITLED`), ``summary``
is ``notes``, ``source`` is ACLED's ``source`` text; links come from a ``url``
column and from the parts of ``source`` (split on ``;``) that are http(s) URLs.
``time_precision`` 1/2/3 gives the day, the ISO week, the month. The extra
columns written by :func:`geo.export_events.events_to_acled_csv` (``id, title,
summary, date_start, date_end, features, sources, article_sentence,
in_article, claims, unconfirmed``) are read when present, so our own export
re-imports losslessly. Every rule on the values is :mod:`geo.check_events`'.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["ALIASES", "GEOJSON_ALIASES", "REQUIRED", "MARKERS", "to_event_table", "resolve", "coalesce"]

#: event column -> accepted column/property names (lower case), first wins
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("event_id_cnty", "data_id", "id"),
    "title": ("title",),
    "summary": ("summary",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "event_date": ("event_date",),
    "time_precision": ("time_precision", "time_precis"),
    "date_start": ("date_start",),
    "date_end": ("date_end",),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "location": ("location",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "geo_precision": ("geo_precision", "geo_precis"),
    "features": ("features",),
    "sources": ("sources",),
    "url": ("url",),
    "source": ("source",),
    "notes": ("notes",),
    "fatalities": ("fatalities",),
    "article_sentence": ("article_sentence",),
    "in_article": ("in_article",),
    "claims": ("claims",),
    "unconfirmed": ("unconfirmed",),
}
#: GeoJSON properties: the built-in name ``id`` first.
GEOJSON_ALIASES: dict[str, tuple[str, ...]] = {**ALIASES, "id": ("id", "event_id_cnty", "data_id")}

#: The title of a row that gives neither a title nor an event type.
UNTITLED = "Untitled event"

REQUIRED = {"id": "event_id_cnty (or data_id)", "event_date": "event_date", "latitude": "latitude",
            "longitude": "longitude"}

#: Columns of ACLED exports (to tell an ACLED file from a UCDP one).
MARKERS = frozenset({
    "event_id_cnty", "data_id", "event_id_no_cnty", "event_date", "year", "time_precision",
    "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "iso3",
    "region", "country", "admin1", "admin2", "admin3", "location", "geo_precision",
    "geo_precis", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
})


def resolve(aliases: dict[str, tuple[str, ...]], columns) -> dict[str, list[str]]:
    """event column -> the accepted columns present, in order of preference."""
    present = set(columns)
    return {key: [o for o in options if o in present] for key, options in aliases.items()
            if any(o in present for o in options)}


def coalesce(work: pd.DataFrame, columns: list[str]) -> pd.Series:
    """First value per row that is neither missing nor empty text, across ``columns``."""
    result = work[columns[0]]
    for name in columns[1:]:
        empty = result.isna() | result.map(lambda v: isinstance(v, str) and not v.strip())
        result = result.where(~empty, work[name])
    return result


def _text(series: pd.Series | None, n: int) -> pd.Series:
    if series is None:
        return pd.Series([""] * n, dtype="str")
    return series.map(lambda v: v if isinstance(v, str) else ("" if v is None or v != v else str(v))) \
        .astype("str") if series.dtype != "str" else series.fillna("")


def to_event_table(work: pd.DataFrame, aliases: dict[str, tuple[str, ...]] = ALIASES
                   ) -> tuple[pd.DataFrame, dict[str, str]]:
    """ACLED-named columns (lower case) -> the event columns the checker reads.

    Parameters
    ----------
    work : pandas.DataFrame
        The file's columns, names in lower case.
    aliases : dict
        :data:`ALIASES` (CSV) or :data:`GEOJSON_ALIASES`.

    Returns
    -------
    (pandas.DataFrame, dict)
        The table, and event column -> the file's name for it (for messages).
    """
    names = resolve(aliases, work.columns)
    n = len(work)
    table: dict[str, pd.Series] = {}
    fields: dict[str, str] = {}
    for key, cols in names.items():
        table[key] = coalesce(work, cols).reset_index(drop=True)
        fields[key] = cols[0]
    event_type = _text(table.get("event_type"), n).str.strip()
    sub = _text(table.get("sub_event_type"), n).str.strip()
    made = event_type.where(sub.eq(""), event_type + ": " + sub).where(event_type.ne(""), sub)
    made = made.where(made.ne(""), UNTITLED)
    if "title" in table:  # where a row gives none, the title is made from the event type
        given = table["title"]
        table["title"] = _text(given, n).where(given.notna().to_numpy(), made)
    else:
        table["title"] = made
        fields["title"] = fields.get("event_type", "event_type")
    table.pop("sub_event_type", None)
    if "summary" not in table:
        table["summary"] = table.get("notes", pd.Series([""] * n, dtype="str"))
        fields["summary"] = fields.get("notes", "notes")
    else:
        raw = table["summary"]
        table["summary"] = _text(raw, n).where(raw.notna().to_numpy(), _text(table.get("notes"), n))
    if "sources" not in fields:
        fields["sources"] = fields.get("source", "source")
    table.pop("category", None)
    return pd.DataFrame(table), fields
