"""Import a user's own events file (ACLED CSV, UCDP GED CSV or GeoJSON).

:func:`import_events` takes the bytes of an uploaded file and returns an
:class:`ImportResult`: the good rows as the normalised events table
(:data:`geo.catalog.EVENT_COLUMNS`, category ``"imported"``, origin
``"imported: <file name>"``), one :class:`~geo.problems.DataProblem` per bad
row, the rejected raw rows (with a ``reason`` column, for download), or a
single ``fatal`` problem when the file as a whole cannot be used. It never
raises for bad input.

Formats (detected from the content; the extension only sharpens messages)
------------------------------------------------------------------------
ACLED export CSV
    Current exports (``event_id_cnty, event_date, year, time_precision,
    disorder_type, event_type, sub_event_type, actor1, …, latitude, longitude,
    geo_precision, source, …, notes, fatalities, tags, timestamp``) and older
    ones (``data_id``, ``iso3``, ``event_id_no_cnty``, ``geo_precis``, no
    ``disorder_type``/``civilian_targeting``/``tags``). Headers are
    case-insensitive. Required: ``event_id_cnty`` (or ``data_id``),
    ``event_date``, ``latitude``, ``longitude``. Dates ``2023-07-14``,
    ``14 July 2023``, ``14-July-2023`` (also ``14 Jul 2023``, ``14-Jul-2023``).
    ``time_precision`` (empty/absent: 1) gives the date range:
    1 → that day; 2 → the ISO week (Monday–Sunday) containing the date;
    3 → the calendar month. ``geo_precision`` (empty/absent: 1) is kept
    (3 = region/province: drawn as uncertain). ``title`` is
    ``"<event_type>: <sub_event_type>"``, ``summary`` is ``notes``,
    ``source`` is ACLED's ``source`` text; ``sources`` (links) is empty unless
    a part of ``source`` (split on ``;``) or a ``url`` column holds an http(s)
    URL. The extra columns written by :func:`geo.export_events.events_to_acled_csv`
    (``id, title, summary, date_start, date_end, features, sources,
    article_sentence, in_article, claims, unconfirmed``) are read when present,
    so our own export re-imports losslessly.
UCDP GED CSV
    Required: ``id``, ``date_start``, ``latitude``, ``longitude``.
    ``date_start``/``date_end`` are kept as the date range (event_date is
    ``date_start``; no ``date_end`` → same day). ``date_prec`` → time_precision:

    ======== =========================================== ===============
    date_prec UCDP meaning                               time_precision
    ======== =========================================== ===============
    1        exact date                                   1 (day)
    2        within a 2–6 day range                       2 (week)
    3        only the week is known                       2 (week)
    4        8–30 day range, or only the month is known   3 (month)
    5        more than a month, or only the year known    3 (month)
    ======== =========================================== ===============

    (empty/absent ``date_prec``: from the range: same day 1, up to 7 days 2,
    longer 3.) ``where_prec`` → geo_precision:

    ========= ================================================= =============
    where_prec UCDP meaning                                     geo_precision
    ========= ================================================= =============
    1          exact location                                    1 (exact)
    2          within ~25 km of a known point                    2 (near)
    3          second-order administrative division             3 (region)
    4          first-order administrative division (province)   3 (region)
    5          linear feature (road, river) / between places     3 (region)
    6          only the country is known                         3 (region)
    7          international waters or airspace                  3 (region)
    ========= ================================================= =============

    (empty/absent: 1.) ``fatalities`` = ``best``; ``actor1``/``actor2`` =
    ``side_a``/``side_b``; ``title`` = ``dyad_name`` (else side_a – side_b);
    ``event_type`` = the ``type_of_violence`` label; ``location`` =
    ``where_description``; ``source`` = ``source_original`` (else
    ``source_office``); ``notes`` = ``source_article``; ``summary`` =
    ``source_headline``.
GeoJSON
    A FeatureCollection of Point features (``[longitude, latitude]``, WGS 84)
    whose properties use the built-in or ACLED names (``id`` or
    ``event_id_cnty``, ``title``, ``event_date``, ``time_precision``,
    ``geo_precision``, ``notes``, ``source``, ``url``/``sources``, ``actor1``,
    ``actor2``, ``fatalities`` …, read like the ACLED columns). A feature
    that is not a Point is a rejected row. Rows are numbered by their
    1-based position in ``features``.

Row numbers
    For CSV, ``row`` is the line of the file on which the record starts,
    counting the header as line 1 (so the first data row is 2, as a
    spreadsheet shows it when no cell holds a line break).

Text
    Text is kept as plain text, never interpreted (escaping is the renderer's
    job). CSV text cells starting with ``'`` followed by ``= + - @``, tab or
    CR lose one leading quote: that undoes the formula neutralisation of
    :func:`geo.export_events.events_to_acled_csv`. Only http(s) URLs become
    links in ``sources``; any other URL (``javascript:``, ``data:`` …) given
    as a link is appended to ``notes`` as text and reported.
    Unknown feature ids are dropped and reported (the row still imports).
"""

from __future__ import annotations

import csv
import gc
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import orjson
import pandas as pd

from geo.catalog import EVENT_COLUMNS, FEATURE_IDS
from geo.export_events import neutralise_formula
from geo.load_events import empty_events  # the contract's dtypes, one definition
from geo.problems import DataProblem

__all__ = ["ImportResult", "import_events", "DEFAULT_MAX_BYTES", "UCDP_DATE_PREC", "UCDP_WHERE_PREC"]

#: Default upload limit (200 MiB, Streamlit's default upload limit).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

ProgressCallback = Callable[[float], None]

_KNOWN_FEATURES = frozenset(fid for ids in FEATURE_IDS.values() for fid in ids)

# canonical field -> accepted column/property names (lower case), first wins
_ACLED_ALIASES: dict[str, tuple[str, ...]] = {
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
_GEOJSON_ALIASES: dict[str, tuple[str, ...]] = {
    **_ACLED_ALIASES, "id": ("id", "event_id_cnty", "data_id"),
}

_UCDP_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "date_start": ("date_start",),
    "date_end": ("date_end",),
    "date_prec": ("date_prec",),
    "where_prec": ("where_prec",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "side_a": ("side_a",),
    "side_b": ("side_b",),
    "dyad_name": ("dyad_name",),
    "type_of_violence": ("type_of_violence",),
    "where_description": ("where_description", "where_coordinates"),
    "source_original": ("source_original", "source_office"),
    "source_article": ("source_article",),
    "source_headline": ("source_headline",),
    "best": ("best",),
}

_ACLED_REQUIRED = {"id": "event_id_cnty (or data_id)", "event_date": "event_date",
                   "latitude": "latitude", "longitude": "longitude"}
_UCDP_REQUIRED = {"id": "id", "date_start": "date_start",
                  "latitude": "latitude", "longitude": "longitude"}

_ACLED_MARKERS = frozenset({
    "event_id_cnty", "data_id", "event_id_no_cnty", "event_date", "year", "time_precision",
    "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "iso3",
    "region", "country", "admin1", "admin2", "admin3", "location", "geo_precision",
    "geo_precis", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
})
_UCDP_MARKERS = frozenset({
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1",
    "adm_2", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
})

_ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")
_DATE_HINT = "not a date (expected e.g. 2023-07-14, 14 July 2023 or 14-July-2023)"

_TIME_CODES = {1: 1, 2: 2, 3: 3}
_GEO_CODES = {1: 1, 2: 2, 3: 3}
#: UCDP GED date_prec -> ACLED time_precision (see the module docstring).
UCDP_DATE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
#: UCDP GED where_prec -> ACLED geo_precision (see the module docstring).
UCDP_WHERE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}
_UCDP_VIOLENCE = {"1": "State-based conflict", "2": "Non-state conflict",
                  "3": "One-sided violence"}

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one; save the sheet as CSV)"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office document (save the sheet as CSV)"),
    (b"7z\xbc\xaf", "a 7-Zip archive (unpack it first)"),
    (b"Rar!", "a RAR archive (unpack it first)"),
    (b"SQLite format 3", "an SQLite database"),
)


@dataclass
class ImportResult:
    """What :func:`import_events` made of one file.

    Attributes
    ----------
    events : pandas.DataFrame
        The imported events, columns :data:`geo.catalog.EVENT_COLUMNS` in
        order (empty with those columns when nothing imported).
    problems : list of DataProblem
        One per problem found in a row: rejected rows (``row``, ``field``,
        ``value``, ``reason``) and, for rows that still imported, changes
        made (e.g. a ``javascript:`` link kept as text); sorted by row.
    rejected : pandas.DataFrame
        The rejected rows as they were in the file (``row`` first, then the
        file's columns, then ``reason``). Use :meth:`rejected_csv` to offer
        it for download.
    fatal : DataProblem or None
        Set when the file as a whole cannot be used (then ``events`` is
        empty): not CSV/JSON, not UTF-8, empty, missing required columns,
        over the size limit.
    format : str
        ``"acled"``, ``"ucdp"``, ``"geojson"``, or ``""`` when unknown.
    """

    events: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    fatal: DataProblem | None = None
    format: str = ""

    @property
    def summary(self) -> str:
        """Short human summary, e.g. ``"98 imported, 2 rejected"``."""
        if self.fatal is not None:
            return f"0 imported, file rejected: {self.fatal}"
        return f"{len(self.events)} imported, {len(self.rejected)} rejected"

    def rejected_csv(self) -> bytes:
        """The rejected rows as UTF-8 CSV bytes, safe to open in a spreadsheet.

        Text cells that start with a formula character are neutralised like
        in :func:`geo.export_events.events_to_acled_csv`.
        """
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise_formula(str(c)) for c in self.rejected.columns])
        for rec in self.rejected.itertuples(index=False, name=None):
            writer.writerow(
                [neutralise_formula(v) if isinstance(v, str) else ("" if _is_missing(v) else v)
                 for v in rec]
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _fail(name: str, reason: str, fmt: str = "") -> ImportResult:
    return ImportResult(events=empty_events(), fatal=DataProblem(name, reason), format=fmt)


# --- reading the bytes -------------------------------------------------------


def _decode(name: str, data: bytes, max_bytes: int) -> str | DataProblem:
    """Check size, binary content and encoding; return the text or a fatal problem."""
    size = len(data)
    if size > max_bytes:
        return DataProblem(
            name,
            f"is {size / 2**20:.1f} MB, over the upload limit of {max_bytes / 2**20:g} MB "
            "(split it into smaller files)",
        )
    if size == 0 or not data.strip():
        return DataProblem(name, "is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return DataProblem(name, f"is not a CSV or JSON file: it looks like {what}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DataProblem(name, "is UTF-16 text, not UTF-8; save it as UTF-8 (CSV UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:8192]
    if b"\x00" in head:
        return DataProblem(
            name, "is not a CSV or JSON file: it holds binary data (NUL bytes)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1]
        line = data.count(b"\n", 0, exc.start) + 1
        return DataProblem(
            name,
            f"is not UTF-8 text (byte 0x{bad.hex()} at position {exc.start}, line {line}); "
            "save it as UTF-8 (e.g. 'CSV UTF-8' in Excel)",
        )
    if not text.strip():
        return DataProblem(name, "is empty")
    return text


def import_events(
    name: str,
    data: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import an ACLED CSV, UCDP GED CSV or GeoJSON file of events.

    Parameters
    ----------
    name : str
        The file name as the user knows it (used in messages and ``origin``;
        its extension is only a hint).
    data : bytes
        The file's content.
    max_bytes : int, default 200 MiB
        Files larger than this are refused with a ``fatal`` problem.
    progress : callable, optional
        Called with a fraction in ``[0, 1]`` as the import advances (a few
        times per file, every 20,000 rows while reading a CSV).

    Returns
    -------
    ImportResult
        Good rows in ``events``; bad rows in ``problems`` and ``rejected``;
        or ``fatal`` when the file cannot be used. Never raises for bad input.

    Examples
    --------
    >>> csv_text = (b"event_id_cnty,event_date,latitude,longitude\\n"
    ...             b"ARM1,14 July 2023,39.8,46.75\\n"
    ...             b"ARM2,someday,39.8,46.75\\n")
    >>> result = import_events("mine.csv", csv_text)
    >>> result.summary
    '1 imported, 1 rejected'
    >>> str(result.problems[0])  # doctest: +ELLIPSIS
    "mine.csv, row 3, field 'event_date', value 'someday': not a date ..."
    """
    report = progress or (lambda _fraction: None)
    report(0.0)
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    text = _decode(name, data, max_bytes)
    if isinstance(text, DataProblem):
        return ImportResult(events=empty_events(), fatal=text)
    report(0.05)
    ext = os.path.splitext(name)[1].lower()
    first = text.lstrip()[:1]
    # Millions of small strings are allocated below and all survive: pausing
    # the cyclic garbage collector avoids repeated full scans (about 2x faster).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if first in ("{", "["):
            result = _import_geojson(name, text, report)
        elif ext in (".json", ".geojson"):
            result = _fail(name, f"is not JSON although its name ends in {ext} "
                                 f"(it starts with {text.lstrip()[:20]!r})")
        else:
            result = _import_csv(name, text, report)
    finally:
        if gc_was_enabled:
            gc.enable()
    report(1.0)
    return result


# --- CSV ---------------------------------------------------------------------


def _sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    if "," not in first_line:
        for delim in (";", "\t", "|"):
            if delim in first_line:
                return delim
    return ","


def _import_csv(name: str, text: str, report: ProgressCallback) -> ImportResult:
    delim = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        return _fail(name, f"is not a readable CSV file ({exc})")
    header_lc = []
    for i, col in enumerate(header):
        col = col.strip().lstrip("\ufeff").strip().lower()
        header_lc.append(col or f"column_{i + 1}")
    seen: set[str] = set()
    for col in header_lc:
        if col in seen:
            return _fail(name, f"has the column {col!r} twice in its header")
        seen.add(col)

    fmt = _detect_csv_format(header_lc)
    if fmt is None:
        shown = ", ".join(header_lc[:12]) + (" …" if len(header_lc) > 12 else "")
        return _fail(
            name,
            "is not an ACLED or UCDP GED events CSV: its header has none of the expected "
            "columns (ACLED needs event_id_cnty, event_date, latitude, longitude; "
            f"UCDP GED needs id, date_start, latitude, longitude); found: {shown}",
        )
    aliases, required = (_ACLED_ALIASES, _ACLED_REQUIRED) if fmt == "acled" else (
        _UCDP_ALIASES, _UCDP_REQUIRED)
    names = _resolve(aliases, header_lc)
    missing = [label for key, label in required.items() if key not in names]
    if missing:
        label = "ACLED" if fmt == "acled" else "UCDP GED"
        return _fail(name, f"is missing required {label} columns: {', '.join(missing)}", fmt)

    ncols = len(header_lc)
    records: list[list[str]] = []
    lines: list[int] = []
    ragged: list[tuple[int, list[str]]] = []
    estimate = max(text.count("\n"), 1)
    prev = reader.line_num
    try:
        for rec in reader:
            start = prev + 1
            prev = reader.line_num
            if len(rec) != ncols:
                if not rec or not any(rec):
                    continue  # blank line
                if len(rec) > ncols and not any(rec[ncols:]):
                    rec = rec[:ncols]  # trailing empty cells (spreadsheets add them)
                else:
                    ragged.append((start, rec))
                    continue
            elif not rec[0] and not any(rec):
                continue
            records.append(rec)
            lines.append(start)
            if len(records) % 20000 == 0:
                report(0.05 + 0.45 * min(prev / estimate, 1.0))
    except csv.Error as exc:
        return _fail(name, f"is not a readable CSV file (line {reader.line_num}: {exc})", fmt)
    report(0.5)
    if not records and not ragged:
        return _fail(name, "has a header but no data rows", fmt)

    columns = list(zip(*records)) if records else [()] * ncols
    raw = pd.DataFrame(
        {col: pd.Series(values, dtype=object) for col, values in zip(header_lc, columns)},
        columns=header_lc,
    )
    rows = np.asarray(lines, dtype=np.int64)
    report(0.6)
    checker = _Checker(name, rows)
    if fmt == "acled":
        events = _normalise_acled(raw, names, checker, csv_text=True)
    else:
        events = _normalise_ucdp(raw, names, checker)
    report(0.9)
    rejected = _rejected_frame(raw, header, checker, ragged, ncols)
    for line, rec in ragged:
        checker.problems.append(
            DataProblem(name, f"has {len(rec)} fields, the header has {ncols}", row=line)
        )
    return _finish(name, events, checker, rejected, fmt)


def _detect_csv_format(header: list[str]) -> str | None:
    cols = set(header)
    if cols & {"event_id_cnty", "data_id", "event_date", "event_id_no_cnty"}:
        return "acled"
    if cols & {"date_start", "date_prec", "where_prec", "side_a", "best"}:
        return "ucdp"
    acled, ucdp = len(cols & _ACLED_MARKERS), len(cols & _UCDP_MARKERS)
    if acled == 0 and ucdp == 0:
        return None
    return "acled" if acled >= ucdp else "ucdp"


def _resolve(aliases: dict[str, tuple[str, ...]], columns: list[str]) -> dict[str, list[str]]:
    """canonical field -> the accepted columns present, in order of preference."""
    present = set(columns)
    names: dict[str, list[str]] = {}
    for key, options in aliases.items():
        found = [option for option in options if option in present]
        if found:
            names[key] = found
    return names


def _coalesce(work: pd.DataFrame, columns: list[str]) -> pd.Series:
    """First value per row that is neither missing nor empty, across ``columns``."""
    result = work[columns[0]]
    for name in columns[1:]:
        empty = result.isna() | result.astype("str").eq("")
        result = result.where(~empty, work[name])
    return result


def _rejected_frame(raw: pd.DataFrame, header: list[str], checker: _Checker,
                    ragged: list[tuple[int, list[str]]], ncols: int) -> pd.DataFrame:
    """Rejected rows with the file's own header names plus ``row`` and ``reason``."""
    original = [h.lstrip("\ufeff") for h in header]
    bad = np.flatnonzero(checker.bad)
    frame = raw.iloc[bad].copy()
    frame.columns = original
    frame.insert(0, "row", checker.rows[bad])
    frame["reason"] = [checker.reason_text(i) for i in bad]
    if ragged:
        extra = pd.DataFrame(
            [[line] + (rec + [""] * ncols)[:ncols] + [f"has {len(rec)} fields, the header has {ncols}"]
             for line, rec in ragged],
            columns=["row"] + original + ["reason"],
        )
        frame = pd.concat([frame, extra], ignore_index=True).sort_values("row", kind="stable")
    return frame.reset_index(drop=True)


# --- GeoJSON -----------------------------------------------------------------


def _import_geojson(name: str, text: str, report: ProgressCallback) -> ImportResult:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return _fail(name, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                     "geojson")
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        return _fail(name, f"is JSON but not a GeoJSON FeatureCollection (top-level type is {kind!r})",
                     "geojson")
    crs = doc.get("crs")
    if crs is not None:
        crs_name = str(((crs or {}).get("properties") or {}).get("name", crs))
        if not any(tag in crs_name.upper() for tag in ("CRS84", "4326")):
            return _fail(name, f"uses the coordinate system {crs_name!r}; only WGS 84 "
                               "longitude/latitude (EPSG:4326) is supported", "geojson")
    features = doc.get("features")
    if not isinstance(features, list):
        return _fail(name, "is a FeatureCollection without a 'features' list", "geojson")
    if not features:
        return _fail(name, "is a FeatureCollection with no features", "geojson")
    report(0.3)

    props_list: list[dict[str, Any]] = []
    lat = np.full(len(features), np.nan)
    lon = np.full(len(features), np.nan)
    geom_errors: list[tuple[int, Any, str]] = []
    for i, feat in enumerate(features):
        props: dict[str, Any] = {}
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            geom_errors.append((i, feat if not isinstance(feat, dict) else feat.get("type"),
                                "is not a GeoJSON Feature"))
            props_list.append({"geometry": _json_text(feat)})
            continue
        given = feat.get("properties")
        if isinstance(given, dict):
            props.update(given)
        elif given is not None:
            geom_errors.append((i, given, "properties is not an object"))
        if "id" not in {k.lower() for k in props} and feat.get("id") is not None:
            props["id"] = feat["id"]
        geometry = feat.get("geometry")
        props["geometry"] = _json_text(geometry)
        props_list.append(props)
        if not isinstance(geometry, dict):
            geom_errors.append((i, None, "has no geometry (expected a Point)"))
            continue
        if geometry.get("type") != "Point":
            geom_errors.append((i, geometry.get("type"), "geometry is not a Point (only point events can be imported)"))
            continue
        coords = geometry.get("coordinates")
        if (not isinstance(coords, list) or len(coords) < 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])):
            geom_errors.append((i, coords, "Point coordinates are not [longitude, latitude] numbers"))
            continue
        lon[i], lat[i] = float(coords[0]), float(coords[1])
    report(0.5)

    raw = pd.DataFrame.from_records(props_list)
    if raw.empty and len(props_list):
        raw = pd.DataFrame(index=range(len(props_list)))
    original_columns = list(raw.columns)
    lowered: dict[str, str] = {}
    for col in original_columns:
        lowered.setdefault(str(col).lower(), col)
    work = pd.DataFrame({lc: raw[orig] for lc, orig in lowered.items()}, index=raw.index)
    work["latitude"] = lat
    work["longitude"] = lon
    names = _resolve(_GEOJSON_ALIASES, list(work.columns))
    names["latitude"], names["longitude"] = ["latitude"], ["longitude"]

    rows = np.arange(1, len(features) + 1, dtype=np.int64)
    checker = _Checker(name, rows)
    has_geom_error = np.zeros(len(features), dtype=bool)
    for i, value, reason in geom_errors:
        has_geom_error[i] = True
        checker.reject_one(i, "geometry", value, reason)
    # coordinates of features with geometry errors are NaN already: do not report them twice
    events = _normalise_acled(work, names, checker, csv_text=False, skip_coords=has_geom_error)
    report(0.9)
    bad = np.flatnonzero(checker.bad)
    rejected = raw.iloc[bad].copy()
    rejected = rejected.map(lambda v: _json_text(v) if isinstance(v, (list, dict)) else v)
    rejected.insert(0, "row", rows[bad])
    rejected["reason"] = [checker.reason_text(i) for i in bad]
    return _finish(name, events, checker, rejected.reset_index(drop=True), "geojson")


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


# --- validation --------------------------------------------------------------


class _Checker:
    """Collects per-row problems while the columns are validated vectorised."""

    def __init__(self, file: str, rows: np.ndarray):
        self.file = file
        self.rows = rows
        self.bad = np.zeros(len(rows), dtype=bool)
        self.problems: list[DataProblem] = []
        self._reasons: dict[int, list[str]] = {}

    def reject(self, mask: Any, field_name: str, values: pd.Series | None, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask):
            value = None if values is None else values.iat[i]
            self.reject_one(int(i), field_name, value, reason)

    def reject_one(self, i: int, field_name: str, value: Any, reason: str) -> None:
        if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
            value = value.item()  # numpy scalar -> Python, for a readable repr
        if isinstance(value, float) and math.isnan(value):
            value = None
        self.problems.append(
            DataProblem(self.file, reason, row=int(self.rows[i]), field=field_name, value=value)
        )
        self._reasons.setdefault(i, []).append(f"{field_name}: {reason}")
        self.bad[i] = True

    def note(self, i: int, field_name: str, value: Any, reason: str) -> None:
        """Report a change made to a row that still imports."""
        self.problems.append(
            DataProblem(self.file, reason + " (row imported)", row=int(self.rows[i]),
                        field=field_name, value=value)
        )

    def reason_text(self, i: int) -> str:
        return "; ".join(self._reasons.get(int(i), []))


def _as_text(series: pd.Series | None, n: int, csv_text: bool) -> pd.Series:
    """A text column: missing -> "", non-strings -> str, CSV quote-neutralisation undone."""
    if series is None:
        return pd.Series([""] * n, dtype="str")
    if series.dtype != "str":
        series = _to_str(series)
    series = series.fillna("")
    if csv_text:
        quoted = series.str.match(r"'+[=+\-@\t\r]")
        if quoted.any():
            series = series.where(~quoted, series.str.slice(1))
    return series


def _to_str(series: pd.Series) -> pd.Series:
    """Object column -> pandas string column (fast when it already holds only str)."""
    try:
        return series.astype("str") if pd.api.types.infer_dtype(series, skipna=False) == "string" \
            else series.map(_cell_text).astype("str")
    except (TypeError, ValueError):
        return series.map(_cell_text).astype("str")


def _cell_text(value: Any) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a JSON integer that pandas stored as float
    if isinstance(value, (list, dict)):
        return _json_text(value)
    return str(value)


def _scalar_text(series: pd.Series | None, n: int) -> pd.Series:
    """A text column for numbers/codes/dates: stripped, missing -> ""."""
    return _as_text(series, n, csv_text=False).str.strip()


def _numbers(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _codes(checker: _Checker, text: pd.Series, field_name: str, mapping: dict[int, int],
           default: pd.Series | int, reason: str) -> np.ndarray:
    """Map precision codes; empty -> default; anything else is a rejected row."""
    num = _numbers(text)
    empty = text.eq("").to_numpy()
    is_int = num.notna() & (num == num.round())
    valid = is_int & num.isin(list(mapping))
    checker.reject(~empty & ~valid.to_numpy(), field_name, text, reason)
    mapped = num.where(valid).map(mapping)
    mapped = mapped.where(~pd.Series(empty, index=mapped.index), default)
    return mapped.fillna(1).astype("int64").to_numpy()


def _dates(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    result = pd.to_datetime(text, format=formats[0], errors="coerce")
    for fmt in formats[1:]:
        todo = result.isna() & text.ne("")
        if not todo.any():
            break
        result = result.where(~todo, pd.to_datetime(text.where(todo, ""), format=fmt, errors="coerce"))
    return result.astype("datetime64[us]").dt.normalize()


def _iso_dates(text: pd.Series) -> pd.Series:
    """Dates like 2023-07-14 or 2023-07-14 00:00:00.000 (UCDP)."""
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[us]").dt.normalize()


def _date_column(checker: _Checker, text: pd.Series, field_name: str, parse: Callable,
                 required: bool) -> pd.Series:
    dates = parse(text)
    empty = text.eq("")
    if required:
        checker.reject(empty, field_name, None, "missing (a date is required)")
    checker.reject(~empty & dates.isna(), field_name, text, _DATE_HINT)
    return dates


def _coordinates(checker: _Checker, lat_raw: pd.Series, lon_raw: pd.Series,
                 names: dict[str, list[str]], skip: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for raw, key, limit in ((lat_raw, "latitude", 90.0), (lon_raw, "longitude", 180.0)):
        if raw.dtype.kind == "f":
            num = raw.astype("float64")
            text = raw
            empty = np.zeros(len(raw), dtype=bool)
        else:
            text = _scalar_text(raw, len(raw))
            num = _numbers(text)
            empty = text.eq("").to_numpy()
        values = num.to_numpy()
        finite = np.isfinite(values)
        keep = np.ones(len(values), dtype=bool) if skip is None else ~skip
        field_name = names[key][0] if key in names else key
        checker.reject(keep & empty, field_name, None, "missing (a number is required)")
        checker.reject(keep & ~empty & ~finite, field_name, text, "not a number")
        checker.reject(keep & finite & (np.abs(values) > limit), field_name, text,
                       f"out of range (must be between -{limit:g} and {limit:g})")
        out.append(values)
    return out[0], out[1]


def _fatalities(checker: _Checker, text: pd.Series, field_name: str) -> pd.Series:
    num = _numbers(text)
    empty = text.eq("")
    bad = ~empty & (num.isna() | (num < 0) | (num != num.round()))
    checker.reject(bad, field_name, text, "not a whole number of 0 or more")
    return num.where(~bad & ~empty).astype("Int64")


def _booleans(checker: _Checker, series: pd.Series | None, n: int, field_name: str) -> np.ndarray:
    if series is None:
        return np.zeros(n, dtype=bool)
    text = _scalar_text(series, n).str.lower()
    truth = text.isin(["true", "1", "yes", "y", "t"])
    falsy = text.isin(["false", "0", "no", "n", "f", ""])
    checker.reject(~truth & ~falsy, field_name, text, "not true or false")
    return truth.to_numpy()


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _append_note(notes: list[str], i: int, url: str) -> None:
    text = f"Link not kept (not http/https): {url}"
    notes[i] = f"{notes[i]}\n{text}" if notes[i] else text


def _parse_json_list(value: Any) -> list | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _sources(checker: _Checker, sources: tuple[str, pd.Series] | None,
             url: tuple[str, pd.Series] | None, source_text: pd.Series, notes: list[str],
             csv_text: bool) -> list[list[dict]]:
    """Build the ``sources`` lists (http(s) links only).

    ``sources`` and ``url`` are (field name, column) when the file has them.
    Where a row has a ``sources`` value (a JSON list, as we export it), that
    list is authoritative; otherwise links come from ``url`` and from the
    parts of ``source`` (split on ``;``) that are http(s) URLs.
    """
    n = len(source_text)
    result: list[list[dict]] = [[] for _ in range(n)]
    given = np.zeros(n, dtype=bool)
    bad_list = "not a JSON list of {\"publisher\": ..., \"url\": ...} objects"
    if sources is not None:
        field_name, column = sources
        for i, value in enumerate(column.tolist()):
            if _is_missing(value) or value == "":
                continue
            given[i] = True
            items = _parse_json_list(value)
            if items is None:
                checker.reject_one(i, field_name, value, bad_list)
                continue
            for item in items:
                if isinstance(item, str):
                    item = {"publisher": "", "url": item}
                if not isinstance(item, dict) or not isinstance(item.get("url", ""), str) \
                        or not isinstance(item.get("publisher", ""), str):
                    checker.reject_one(i, field_name, value, bad_list)
                    break
                link = item.get("url", "")
                if _is_http_url(link):
                    result[i].append({"publisher": item.get("publisher", ""), "url": link})
                elif link:
                    _append_note(notes, i, link)
                    checker.note(i, field_name, link, "not an http(s) link; kept as text in notes")
    if url is not None:
        url_field, url_column = url
        urls = _as_text(url_column, n, csv_text)
        for i in np.flatnonzero(urls.ne("").to_numpy() & ~given):
            link = urls.iat[i].strip()
            if _is_http_url(link):
                result[i].append({"publisher": source_text.iat[i], "url": link})
            else:
                _append_note(notes, i, link)
                checker.note(int(i), url_field, link, "not an http(s) link; kept as text in notes")
    has_link = source_text.str.contains("http", case=False, regex=False).to_numpy() & ~given
    for i in np.flatnonzero(has_link):
        for part in source_text.iat[i].split(";"):
            part = part.strip()
            if _is_http_url(part) and all(s["url"] != part for s in result[i]):
                result[i].append({"publisher": urlsplit(part).hostname or "", "url": part})
    return result


def _features(checker: _Checker, series: pd.Series | None, field_name: str) -> list[list[str]]:
    if series is None:
        return [[] for _ in range(checker.bad.size)]
    result: list[list[str]] = []
    for i, value in enumerate(series.tolist()):
        if _is_missing(value) or value == "":
            result.append([])
            continue
        if isinstance(value, str) and not value.lstrip().startswith("["):
            items: list | None = [p.strip() for p in value.split(";") if p.strip()]
        else:
            items = _parse_json_list(value)
        if items is None or not all(isinstance(x, str) for x in items):
            checker.reject_one(i, field_name, value,
                               "not a list of feature ids (JSON list or ';'-separated)")
            result.append([])
            continue
        known = [x for x in items if x in _KNOWN_FEATURES]
        for unknown in (x for x in items if x not in _KNOWN_FEATURES):
            checker.note(i, field_name, unknown, "unknown feature id, dropped")
        result.append(known)
    return result


def _claims(checker: _Checker, series: pd.Series | None, field_name: str) -> list[list[dict]]:
    if series is None:
        return [[] for _ in range(checker.bad.size)]
    result: list[list[dict]] = []
    for i, value in enumerate(series.tolist()):
        if _is_missing(value) or value == "":
            result.append([])
            continue
        items = _parse_json_list(value)
        ok = items is not None and all(
            isinstance(c, dict) and all(isinstance(c.get(k, ""), str) for k in ("side", "claim", "source"))
            for c in items
        )
        if not ok:
            checker.reject_one(i, field_name, value,
                               "not a JSON list of {\"side\", \"claim\", \"source\"} objects")
            result.append([])
            continue
        result.append([{"side": c.get("side", ""), "claim": c.get("claim", ""),
                        "source": c.get("source", "")} for c in items])
    return result


def _ranges_from_precision(event_date: pd.Series, precision: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """1: the day; 2: the ISO week (Mon-Sun) containing it; 3: its calendar month."""
    week_start = event_date - pd.to_timedelta(event_date.dt.day_of_week, unit="D")
    month_start = event_date - pd.to_timedelta(event_date.dt.day - 1, unit="D")
    month_end = month_start + pd.to_timedelta(event_date.dt.days_in_month - 1, unit="D")
    prec = pd.Series(precision, index=event_date.index)
    start = event_date.where(prec == 1, week_start.where(prec == 2, month_start))
    end = event_date.where(prec == 1,
                           (week_start + pd.Timedelta(days=6)).where(prec == 2, month_end))
    return start, end


def _check_range(checker: _Checker, start: pd.Series, end: pd.Series, field_name: str) -> None:
    bad = (start.notna() & end.notna() & (end < start)).to_numpy()
    checker.reject(bad, field_name, end.dt.strftime("%Y-%m-%d"), "is before date_start")


def _ids(checker: _Checker, series: pd.Series | None, n: int, field_name: str,
         csv_text: bool) -> pd.Series:
    ids = _as_text(series, n, csv_text).str.strip()
    checker.reject(ids.eq(""), field_name, None, "missing id")
    return ids


def _check_duplicates(checker: _Checker, ids: pd.Series, field_name: str) -> None:
    """Reject later rows reusing the id of an earlier good row."""
    good = ~checker.bad
    candidates = ids[good]
    dup = candidates.duplicated(keep="first")
    if not dup.any():
        return
    first_row = dict(zip(candidates[~dup].tolist(), checker.rows[good][~dup.to_numpy()].tolist()))
    for pos in np.flatnonzero(good)[dup.to_numpy()]:
        value = ids.iat[pos]
        checker.reject_one(int(pos), field_name, value,
                           f"duplicate id (already used in row {first_row[value]})")


def _normalise_acled(work: pd.DataFrame, names: dict[str, list[str]], checker: _Checker,
                     csv_text: bool, skip_coords: np.ndarray | None = None) -> dict[str, Any]:
    """Validate ACLED-named columns (CSV or GeoJSON properties) into event columns."""
    n = len(work)

    def col(key: str) -> pd.Series | None:
        return _coalesce(work, names[key]) if key in names else None

    def text(key: str) -> pd.Series:
        return _as_text(col(key), n, csv_text)

    def text_or(key: str, fallback: pd.Series) -> pd.Series:
        """Text of ``key``; where the value is absent (not merely empty), ``fallback``."""
        raw = col(key)
        if raw is None:
            return fallback
        return _as_text(raw, n, csv_text).where(raw.notna().to_numpy(), fallback)

    def fname(key: str) -> str:
        return names[key][0] if key in names else key

    ids = _ids(checker, col("id"), n, fname("id"), csv_text)

    date_text = _scalar_text(col("event_date"), n)
    event_date = _date_column(checker, date_text, fname("event_date"),
                              lambda t: _dates(t, _ACLED_DATE_FORMATS), required=True)
    precision = _codes(checker, _scalar_text(col("time_precision"), n),
                       fname("time_precision"), _TIME_CODES, 1,
                       "not a time precision code (1 day, 2 week, 3 month)")
    geo_precision = _codes(checker, _scalar_text(col("geo_precision"), n),
                           fname("geo_precision"), _GEO_CODES, 1,
                           "not a geo precision code (1 exact, 2 near, 3 region)")
    derived_start, derived_end = _ranges_from_precision(event_date, precision)
    date_start, date_end = derived_start, derived_end
    if "date_start" in names:
        given = _date_column(checker, _scalar_text(col("date_start"), n), fname("date_start"),
                             _iso_dates, required=False)
        date_start = given.where(given.notna(), derived_start)
    if "date_end" in names:
        given = _date_column(checker, _scalar_text(col("date_end"), n), fname("date_end"),
                             _iso_dates, required=False)
        date_end = given.where(given.notna(), derived_end)
    _check_range(checker, date_start, date_end, fname("date_end"))

    lat, lon = _coordinates(checker, col("latitude"), col("longitude"), names, skip_coords)
    fatalities = _fatalities(checker, _scalar_text(col("fatalities"), n),
                             fname("fatalities"))
    in_article = _booleans(checker, col("in_article"), n, fname("in_article"))

    event_type = text("event_type")
    sub = text("sub_event_type")
    made_title = event_type.where(sub.eq(""), event_type + ": " + sub)
    made_title = made_title.where(~event_type.eq(""), sub)
    title = text_or("title", made_title)
    notes_series = text("notes")
    summary = text_or("summary", notes_series)
    source_text = text("source")
    notes = notes_series.tolist()
    sources = _sources(
        checker,
        (fname("sources"), col("sources")) if "sources" in names else None,
        (fname("url"), col("url")) if "url" in names else None,
        source_text, notes, csv_text,
    )
    features = _features(checker, col("features"), fname("features"))
    claims = _claims(checker, col("claims"), fname("claims"))

    _check_duplicates(checker, ids, fname("id"))
    return {
        "id": ids, "title": title, "summary": summary, "event_type": event_type,
        "event_date": event_date, "time_precision": precision,
        "date_start": date_start, "date_end": date_end,
        "actor1": text("actor1"), "actor2": text("actor2"), "location": text("location"),
        "latitude": lat, "longitude": lon, "geo_precision": geo_precision,
        "features": features, "sources": sources, "source": source_text,
        "notes": pd.Series(notes, dtype="str"), "fatalities": fatalities,
        "article_sentence": text("article_sentence"), "in_article": in_article,
        "claims": claims, "unconfirmed": text("unconfirmed"),
    }


def _normalise_ucdp(work: pd.DataFrame, names: dict[str, list[str]], checker: _Checker) -> dict[str, Any]:
    """Validate UCDP GED columns into event columns (see the module docstring)."""
    n = len(work)

    def col(key: str) -> pd.Series | None:
        return _coalesce(work, names[key]) if key in names else None

    def fname(key: str) -> str:
        return names[key][0] if key in names else key

    def text(key: str) -> pd.Series:
        return _as_text(col(key), n, csv_text=True)

    ids = _ids(checker, col("id"), n, fname("id"), csv_text=True)
    date_start = _date_column(checker, _scalar_text(col("date_start"), n), fname("date_start"),
                              _iso_dates, required=True)
    if "date_end" in names:
        date_end = _date_column(checker, _scalar_text(col("date_end"), n), fname("date_end"),
                                _iso_dates, required=False)
        date_end = date_end.where(date_end.notna(), date_start)
    else:
        date_end = date_start
    _check_range(checker, date_start, date_end, fname("date_end"))
    span = (date_end - date_start).dt.days.fillna(0)
    from_span = pd.Series(np.where(span <= 0, 1, np.where(span <= 7, 2, 3)), index=span.index)
    precision = _codes(checker, _scalar_text(col("date_prec"), n), fname("date_prec"),
                       UCDP_DATE_PREC, from_span, "not a UCDP date_prec code (1 to 5)")
    geo_precision = _codes(checker, _scalar_text(col("where_prec"), n),
                           fname("where_prec"), UCDP_WHERE_PREC, 1,
                           "not a UCDP where_prec code (1 to 7)")
    lat, lon = _coordinates(checker, col("latitude"), col("longitude"), names, None)
    fatalities = _fatalities(checker, _scalar_text(col("best"), n), fname("best"))

    side_a, side_b = text("side_a"), text("side_b")
    title = text("dyad_name") if "dyad_name" in names else side_a + " – " + side_b
    title = title.where(title.str.strip().ne("–") & title.ne(""), "UCDP GED event")
    violence = _scalar_text(col("type_of_violence"), n).map(_UCDP_VIOLENCE).fillna("").astype("str")
    source_text = text("source_original")
    notes = text("source_article").tolist()
    sources = _sources(checker, None, None, source_text, notes, csv_text=True)
    article = pd.Series(notes, dtype="str")
    has_link = article.str.contains("http", case=False, regex=False).to_numpy()
    for i in np.flatnonzero(has_link):
        for word in article.iat[i].replace(";", " ").split():
            word = word.strip("()[]<>,.\"'")
            if _is_http_url(word) and all(s["url"] != word for s in sources[i]):
                sources[i].append({"publisher": urlsplit(word).hostname or "", "url": word})

    _check_duplicates(checker, ids, fname("id"))
    empty = pd.Series([""] * n, dtype="str")
    return {
        "id": ids, "title": title, "summary": text("source_headline"), "event_type": violence,
        "event_date": date_start, "time_precision": precision,
        "date_start": date_start, "date_end": date_end,
        "actor1": side_a, "actor2": side_b, "location": text("where_description"),
        "latitude": lat, "longitude": lon, "geo_precision": geo_precision,
        "features": [[] for _ in range(n)], "sources": sources, "source": source_text,
        "notes": article, "fatalities": fatalities,
        "article_sentence": empty, "in_article": np.zeros(n, dtype=bool),
        "claims": [[] for _ in range(n)], "unconfirmed": empty,
    }


def _finish(name: str, columns: dict[str, Any], checker: _Checker, rejected: pd.DataFrame,
            fmt: str) -> ImportResult:
    """Keep the good rows, in EVENT_COLUMNS order, with category/origin set."""
    good = ~checker.bad
    template = empty_events()
    data: dict[str, Any] = {}
    for col in EVENT_COLUMNS:
        if col == "category":
            data[col] = pd.Series(["imported"] * int(good.sum()), dtype="str")
            continue
        if col == "origin":
            data[col] = pd.Series([f"imported: {name}"] * int(good.sum()), dtype="str")
            continue
        value = columns[col]
        if isinstance(value, list):
            kept = pd.Series([v for v, g in zip(value, good) if g], dtype=object)
        elif isinstance(value, pd.Series):
            kept = value[good].reset_index(drop=True)
        else:
            kept = pd.Series(np.asarray(value)[good])
        data[col] = kept.astype(template[col].dtype) if col not in (
            "features", "sources", "claims") else kept
    events = pd.DataFrame(data, columns=list(EVENT_COLUMNS))
    problems = sorted(checker.problems, key=lambda p: (p.row if isinstance(p.row, int) else 0))
    return ImportResult(events=events, problems=problems, rejected=rejected, format=fmt)
