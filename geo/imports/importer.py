"""Import a user's own events file: :func:`import_events`.

The steps, each in its own module: :mod:`~geo.imports.decode` (size, file
type, encoding), :mod:`~geo.imports.table` (CSV records and their structure)
or :mod:`~geo.imports.geojson`, then :mod:`~geo.imports.acled` or
:mod:`~geo.imports.ucdp` (the format's columns onto the event columns), then
:func:`geo.check_events.check_events` (the rules every source of events
shares). The result is an :class:`ImportResult`.

The contract: :func:`import_events` never raises for anything in the bytes.
Every row of the file is either imported or rejected with a message (rows in
= imported + rejected); a file that cannot be used gives one ``fatal``
problem naming it; an unexpected error inside becomes such a problem too
(and is logged on the server with its traceback).
"""

from __future__ import annotations

import csv
import gc
import io
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.check_events import check_events, empty_events
from geo.export_events import neutralise_formula, restore_formula_text
from geo.imports import acled, ucdp
from geo.imports.decode import Decoded, decode, sniff_delimiter, text_stream
from geo.imports.geojson import json_text, read_geojson
from geo.imports.table import read_csv
from geo.problems import DataProblem

__all__ = ["ImportResult", "import_events", "DEFAULT_MAX_BYTES"]

#: Default upload limit (200 MiB, Streamlit's default upload limit).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

ProgressCallback = Callable[[float], None]
log = logging.getLogger(__name__)


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
        empty): not CSV/JSON, not a known encoding, empty, missing required
        columns, over the size limit, or an unexpected error.
    format : str
        ``"acled"``, ``"ucdp"``, ``"geojson"``, or ``""`` when unknown.
    readings : list of str
        How the file was read where it could be read more than one way
        (encoding, day/month order, decimal commas).
    name : str
        The file's name.
    token : str
        What identifies this import among others on this server (the page keys what it
        derives from the imports by it): an upload's file id, or a start-up file's
        path and version. Empty until the page sets it.
    """

    events: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    fatal: DataProblem | None = None
    format: str = ""
    readings: list[str] = field(default_factory=list)
    name: str = ""
    token: str = ""

    @property
    def summary(self) -> str:
        """Short human summary, e.g. ``"60,000 imported, 2 rejected"`` (thousands separated)."""
        if self.fatal is not None:
            return f"0 imported, file rejected: {self.fatal}"
        return f"{len(self.events):,} imported, {len(self.rejected):,} rejected"

    @property
    def needs_date_order(self) -> bool:
        """Whether some dates were refused only because day/month order is unknown."""
        return any(p.reason.startswith("ambiguous date") for p in self.problems)

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
                [neutralise_formula(v) if isinstance(v, str) else ("" if _is_missing(v) else v) for v in rec]
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _fail(name: str, reason: str, fmt: str = "", readings: list[str] | None = None) -> ImportResult:
    return ImportResult(events=empty_events(), fatal=DataProblem(name, reason), format=fmt,
                        readings=list(readings or []), name=name)


def import_events(
    name: str,
    data: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressCallback | None = None,
    date_order: str | None = None,
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
    date_order : {"dmy", "mdy", None}
        How to read dates written ``a/b/yyyy`` when the file itself does not
        tell (no day or month over 12): ``"dmy"`` day/month, ``"mdy"``
        month/day. None: such dates are rejected as ambiguous
        (:attr:`ImportResult.needs_date_order` then says so).

    Returns
    -------
    ImportResult
        Good rows in ``events``; bad rows in ``problems`` and ``rejected``;
        or ``fatal`` when the file cannot be used. Never raises for anything
        in ``data``.

    Raises
    ------
    TypeError
        If ``data`` is not bytes (a programming error, not bad input).

    Examples
    --------
    >>> csv_text = (b"event_id_cnty,event_date,event_type,latitude,longitude,source\\n"
    ...             b"ARM1,14 July 2023,Protests,39.8,46.75,Azatutyun\\n"
    ...             b"ARM2,someday,Protests,39.8,46.75,Azatutyun\\n")
    >>> result = import_events("mine.csv", csv_text)
    >>> result.summary
    '1 imported, 1 rejected'
    >>> str(result.problems[0])  # doctest: +ELLIPSIS
    "mine.csv, row 3, field 'event_date', value 'someday': not a date ..."
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    name = str(name)
    report = progress or (lambda _fraction: None)
    # Millions of small strings are allocated below and all survive: pausing
    # the cyclic garbage collector avoids repeated full scans (about 2x faster).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        report(0.0)
        result = _import(name, data, max_bytes, report, date_order)
        report(1.0)
        return result
    except Exception as exc:  # the contract: nothing in the bytes makes this raise
        log.exception("import of %r failed unexpectedly", name)
        return _fail(name, f"could not be imported: an unexpected error ({type(exc).__name__}); "
                           "the details are in the server log")
    finally:
        if gc_was_enabled:
            gc.enable()


def _import(name: str, data: bytes, max_bytes: int, report: ProgressCallback,
            date_order: str | None) -> ImportResult:
    decoded = decode(name, data, max_bytes)
    if isinstance(decoded, DataProblem):
        return ImportResult(events=empty_events(), fatal=decoded, name=name)
    report(0.05)
    ext = os.path.splitext(name)[1].lower()
    head = decoded.head().lstrip()
    if head[:1] in ("{", "["):
        return _import_geojson(name, decoded, report, date_order)
    if ext in (".json", ".geojson"):
        return _fail(name, f"is not JSON although its name ends in {ext} (it starts with {head[:20]!r})",
                     readings=decoded.readings)
    return _import_csv(name, decoded, report, date_order)


# --- CSV ---------------------------------------------------------------------------------


def _detect_csv_format(header: list[str]) -> str | None:
    cols = set(header)
    if cols & {"event_id_cnty", "data_id", "event_date", "event_id_no_cnty"}:
        return "acled"
    if cols & {"date_start", "date_prec", "where_prec", "side_a", "best"}:
        return "ucdp"
    hits_acled, hits_ucdp = len(cols & acled.MARKERS), len(cols & ucdp.MARKERS)
    if hits_acled == 0 and hits_ucdp == 0:
        return None
    return "acled" if hits_acled >= hits_ucdp else "ucdp"


def _import_csv(name: str, decoded: Decoded, report: ProgressCallback, date_order: str | None) -> ImportResult:
    first_line = decoded.head().split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    total = (decoded.data.count(b"\n") if isinstance(decoded.data, bytes) else decoded.data.count("\n")) or 1
    read = read_csv(name, text_stream(decoded), delimiter,
                    progress=lambda rows: report(0.05 + 0.45 * min(rows / total, 1.0)))
    if isinstance(read, DataProblem):
        return ImportResult(events=empty_events(), fatal=read, readings=decoded.readings, name=name)
    readings = list(decoded.readings)
    if delimiter != ",":
        readings.append(f"Columns separated by {_DELIMITER_NAMES[delimiter]}.")
    header_lc = []
    for i, col in enumerate(read.header):
        col = col.strip().lstrip("\ufeff").strip().lower()
        header_lc.append(col or f"column_{i + 1}")
    seen: set[str] = set()
    for col in header_lc:
        if col in seen:
            return _fail(name, f"has the column {col!r} twice in its header", readings=readings)
        seen.add(col)
    fmt = _detect_csv_format(header_lc)
    if fmt is None:
        shown = ", ".join(repr(c)[1:-1] if len(c) <= 30 else repr(c[:27])[1:-1] + "..." for c in header_lc[:12])
        shown += " …" if len(header_lc) > 12 else ""
        return _fail(
            name,
            "is not an ACLED or UCDP GED events CSV: its header has none of the expected "
            "columns (ACLED needs event_id_cnty, event_date, latitude, longitude; "
            f"UCDP GED needs id, date_start, latitude, longitude); found: {shown}",
            readings=readings,
        )
    module = acled if fmt == "acled" else ucdp
    names = acled.resolve(module.ALIASES, header_lc)
    missing = [label for key, label in module.REQUIRED.items() if key not in names]
    if missing:
        label = "ACLED" if fmt == "acled" else "UCDP GED"
        return _fail(name, f"is missing required {label} columns: {', '.join(missing)}", fmt, readings)
    if not read.lines and not read.broken:
        return _fail(name, "has a header but no data rows", fmt, readings)
    report(0.5)

    wanted = {c for cols in names.values() for c in cols}
    raw = pd.DataFrame({col: _csv_column(values, restore=col in wanted)
                        for col, values in zip(header_lc, read.columns)}, columns=header_lc)
    read.columns = []
    if fmt == "acled":
        table, fields = acled.to_event_table(raw)
        codes = None
    else:
        table, fields = ucdp.to_event_table(raw)
        codes = ucdp.CODES
    report(0.6)
    rows = np.asarray(read.lines, dtype=np.int64)
    checked = check_events(table, name, rows, fields=fields, origin=f"imported: {name}", category="imported",
                           date_order=date_order, decimal_comma=delimiter == ";", codes=codes)
    del table
    report(0.9)
    readings.extend(checked.readings)
    bad = np.flatnonzero(checked.bad)
    rejected = raw.iloc[bad].copy()
    rejected.columns = read.header
    rejected.insert(0, "row", rows[bad])
    rejected["reason"] = [checked.reason_text(i) for i in bad]
    problems = list(checked.problems)
    if read.broken:
        extra = pd.DataFrame(
            [[line] + (cells + [""] * len(read.header))[:len(read.header)] + [reason]
             for line, cells, reason in read.broken],
            columns=["row", *read.header, "reason"],
        )
        rejected = pd.concat([rejected.astype(object), extra], ignore_index=True).sort_values("row", kind="stable")
        problems.extend(DataProblem(name, reason, row=line) for line, _, reason in read.broken)
        problems.sort(key=lambda p: p.row if isinstance(p.row, int) else 0)
    return ImportResult(events=checked.events, problems=problems, rejected=rejected.reset_index(drop=True),
                        format=fmt, readings=readings, name=name)


_DELIMITER_NAMES = {";": "semicolons", "\t": "tabs", "|": "vertical bars", ",": "commas"}


def _csv_column(column: pd.Series, restore: bool) -> pd.Series:
    """One CSV column; in the columns read, the formula neutralisation of our own export
    (one leading quote before = + - @ …) is undone."""
    if restore:
        quoted = column.str.startswith("'")
        if quoted.any():
            column = column.where(~quoted, column.map(restore_formula_text).astype("str"))
    return column


# --- GeoJSON -----------------------------------------------------------------------------


def _import_geojson(name: str, decoded: Decoded, report: ProgressCallback, date_order: str | None) -> ImportResult:
    read = read_geojson(name, decoded.data)
    if isinstance(read, DataProblem):
        return ImportResult(events=empty_events(), fatal=read, format="geojson", readings=decoded.readings,
                            name=name)
    report(0.5)
    n = len(read.table)
    rows = np.arange(1, n + 1, dtype=np.int64)
    checked = check_events(read.table, name, rows, fields=read.fields, origin=f"imported: {name}",
                           category="imported", date_order=date_order, known=read.problems)
    report(0.9)
    bad = np.flatnonzero(checked.bad)
    rejected = read.raw.iloc[bad].copy()
    rejected = rejected.map(lambda v: json_text(v) if isinstance(v, (list, dict)) else v)
    rejected.insert(0, "row", rows[bad])
    rejected["reason"] = [checked.reason_text(i) for i in bad]
    return ImportResult(events=checked.events, problems=checked.problems, rejected=rejected.reset_index(drop=True),
                        format="geojson", readings=[*decoded.readings, *checked.readings], name=name)

