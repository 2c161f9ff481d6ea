"""The events as the browser keeps them: sent once per dataset, then only state.

:func:`events_store` turns an events table (in :class:`geo.window.EventIndex`
order: by start date, then id) into what the page's store holds
(``static/js/dash-page.js``): an Arrow table of the columns that drawing,
filtering, the timeline and the table need, and a few small lists. A row of
the table is a row of the events table, so the browser and the server name an
event by its row. What only a popup needs (summary, actors, claims, notes) is
not in it: the server sends one event's details when it is selected.

Per event the table costs about 25 bytes: latitude and longitude as float32,
the first possible day as int32 (days since 1970-01-01), the days to the last
possible day and to the reported day as int16 (int32 if any does not fit),
category, time and place precision as int8, and title, place and sources
dictionary-encoded (int16 or int32 codes into the distinct values).
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from geo.catalog import CATEGORIES
from geo.event_join import feature_index
from geo.hexbins import FINEST, HexBins, edge_km, hex_bins
from geo.window import take_rows
from layers.palette import CATEGORY_COLORS
from layers.safe_html import safe_url

__all__ = ["events_store", "store_columns", "category_list", "hex_table"]

_EPOCH = np.datetime64("1970-01-01", "D")


def category_list(events: pd.DataFrame) -> list[dict]:
    """The categories in the store's order: the catalogue's, then any other found in ``events``.

    >>> [c["key"] for c in category_list(pd.DataFrame({"category": ["protest", "odd"]}))][-2:]
    ['imported', 'odd']
    """
    keys = list(CATEGORIES)
    if len(events):
        keys += sorted(set(events["category"].astype(str)) - set(keys))
    return [{"key": k, "label": CATEGORIES.get(k, k), "color": CATEGORY_COLORS.get(k, "#009E73")} for k in keys]


def _days(values: pd.Series) -> np.ndarray:
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = (days - _EPOCH).astype(np.int64)
    out[np.isnat(days)] = 0
    return out


def _small_ints(values: np.ndarray) -> pa.Array:
    """int16 where every value fits, else int32."""
    if len(values) == 0 or (values.min() >= -32768 and values.max() <= 32767):
        return pa.array(values.astype(np.int16))
    return pa.array(values.astype(np.int32))


def _dictionary(values: list) -> pa.Array:
    """Text as codes into its distinct values (int16 codes while they fit)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    index_type = pa.int16() if len(uniques) <= 32767 else pa.int32()
    return pa.DictionaryArray.from_arrays(pa.array(codes, type=index_type),
                                          pa.array([str(u) for u in uniques], type=pa.string()))


def _sources_text(sources) -> str:
    """An event's sources as the JSON the browser shows: [[label, http(s) URL or ""], ...]."""
    out = []
    for s in sources if isinstance(sources, (list, tuple)) else ():
        if isinstance(s, dict):
            url = safe_url(s.get("url")) or ""
            out.append([str(s.get("publisher") or url or "source"), url])
    return orjson.dumps(out).decode() if out else ""


def store_columns(events: pd.DataFrame, categories: list[dict] | None = None, bins: HexBins | None = None) -> pa.Table:
    """The Arrow table of :func:`events_store` (columns lat, lon, start, dur, off, cat, prec,
    geo, title, where, src, and hex: the row of each event's finest H3 cell in
    :func:`hex_table`, if ``bins`` are given), one row per row of ``events``."""
    categories = categories if categories is not None else category_list(events)
    code = {c["key"]: i for i, c in enumerate(categories)}
    n = len(events)
    start = _days(events["date_start"]) if n else np.empty(0, np.int64)
    end = _days(events["date_end"]) if n else np.empty(0, np.int64)
    day = _days(events["event_date"]) if n else np.empty(0, np.int64)

    def ints(col: str, default: int) -> np.ndarray:
        values = pd.to_numeric(events[col], errors="coerce") if n else pd.Series([], dtype=float)
        return values.fillna(default).clip(-128, 127).to_numpy(dtype=np.int8)

    sources = events["sources"].tolist() if n else []
    extra = {}
    if bins is not None:
        extra["hex"] = _small_ints(bins.code)
    return pa.table({
        "lat": pa.array(events["latitude"].to_numpy(dtype=np.float32) if n else np.empty(0, np.float32)),
        "lon": pa.array(events["longitude"].to_numpy(dtype=np.float32) if n else np.empty(0, np.float32)),
        "start": pa.array(start.astype(np.int32)),
        "dur": _small_ints(end - start),
        "off": _small_ints(day - start),
        "cat": pa.array(np.array([code[c] for c in events["category"].astype(str)], dtype=np.int8)
                        if n else np.empty(0, np.int8)),
        "prec": pa.array(ints("time_precision", 1)),
        "geo": pa.array(ints("geo_precision", 1)),
        "title": _dictionary(events["title"].astype(str).tolist() if n else []),
        "where": _dictionary(events["location"].fillna("").astype(str).tolist() if n else []),
        "src": _dictionary([_sources_text(s) for s in sources]),
        **extra,
    })


def hex_table(bins: HexBins) -> pa.Table:
    """The H3 cells of the events (:func:`geo.hexbins.hex_bins`) as the browser's store keeps
    them: per cell its resolution (``res``), its parent's row (``up``) and its boundary's
    six vertices (``y0``..``y5`` latitudes, ``x0``..``x5`` longitudes, float32)."""
    cols = {"res": pa.array(bins.res), "up": pa.array(bins.up)}
    for k in range(bins.lat.shape[1]):
        cols[f"y{k}"] = pa.array(bins.lat[:, k])
    for k in range(bins.lon.shape[1]):
        cols[f"x{k}"] = pa.array(bins.lon[:, k])
    return pa.table(cols)


def _feature_rows(events: pd.DataFrame) -> dict[str, list[int]]:
    """Feature id -> rows of the events naming it (built-in events; imported ones name none)."""
    if "features" not in events.columns or not len(events):
        return {}
    return {fid: rows.tolist() for fid, rows in feature_index(events).items()}


def tour_steps(tour) -> list[dict]:
    """The tour's steps as the browser's tour panel shows them (plain text; sources as
    [host, http(s) URL] pairs, others dropped).

    Each: number, title, narrative, notes, sources, window ([first, last] ISO dates)."""
    out = []
    for step in tour:
        sources = []
        for url in step.sources:
            url = safe_url(url)
            if url:
                sources.append([url.split("//", 1)[-1].split("/", 1)[0], url])
        out.append({"number": step.number, "title": step.title, "narrative": step.narrative, "notes": step.notes,
                    "sources": sources, "window": [step.window[0].isoformat(), step.window[1].isoformat()]})
    return out


#: Built-in events (their popups' details travel with the store, a few KB for the
#: 18 of data/events.toml); imported events' details come with a selection.
BUILT_IN = "built-in"


def _built_in_details(events: pd.DataFrame) -> dict[str, dict]:
    from geo.page_model import event_details

    if "origin" not in events.columns or not len(events):
        return {}
    rows = np.flatnonzero(events["origin"].astype(str).to_numpy() == BUILT_IN)
    records = take_rows(events, rows).to_dict("records")  # not iloc: see EventIndex.take
    return {str(int(row)): event_details(rec) for row, rec in zip(rows, records)}


def events_store(events: pd.DataFrame, version: str, span: tuple, tour=()) -> dict:
    """What the page's store receives once per dataset (``kind`` "data").

    Parameters
    ----------
    events : the events table in :class:`geo.window.EventIndex` order.
    version : the dataset's version token; the browser decodes a new store only when it changes.
    span : (first, last) dates the slider covers.

    Returns
    -------
    dict with ``events`` (a :class:`pyarrow.Table`, see :func:`store_columns`),
    ``categories`` ([{key, label, color}], the ``cat`` codes' meaning),
    ``hexCells`` (:func:`hex_table`, the events' H3 cells) and ``hexEdgeKm`` (resolution ->
    average hexagon edge in km), ``featureRows`` (feature id -> rows naming it), ``span``, ``tour``
    (:func:`tour_steps` of ``tour``) and ``details`` (row -> popup details,
    :func:`geo.page_model.event_details`, of the built-in events).
    """
    categories = category_list(events)
    bins = hex_bins(events["latitude"], events["longitude"]) if len(events) else None
    return {
        "kind": "data",
        "version": version,
        "events": store_columns(events, categories, bins),
        "hexCells": hex_table(bins) if bins is not None else None,
        "hexEdgeKm": {str(r): round(edge_km(r), 1) for r in range(1, FINEST + 1)},
        "categories": categories,
        "featureRows": _feature_rows(events),
        "span": [span[0].isoformat(), span[1].isoformat()],
        "tour": tour_steps(tour),
        "details": _built_in_details(events),
    }


def store_json(payload: dict) -> dict:
    """:func:`events_store`'s payload with its Arrow table as plain JSON columns (for
    a standalone file, which has no Arrow reader): numbers as lists, dictionary-encoded
    text as {"k": codes, "v": values}. ``DashCore.eventColumns`` reads both forms."""
    table: pa.Table = payload["events"]
    cols: dict = {"n": table.num_rows}
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if pa.types.is_dictionary(col.type):
            cols[name] = {"k": col.indices.to_numpy(zero_copy_only=False).tolist(),
                          "v": col.dictionary.to_pylist()}
        else:
            cols[name] = col.to_numpy(zero_copy_only=False).tolist()
    out = {**payload, "events": cols}
    cells = payload.get("hexCells")
    if isinstance(cells, pa.Table):
        out["hexCells"] = {"n": cells.num_rows, **{name: cells.column(name).to_numpy().tolist()
                                                   for name in cells.column_names}}
    return out
