"""Load ``data/events.toml``: read the TOML, then check its events with the one checker.

:func:`load_events` reads the presenter-edited file; :func:`events_from_records`
turns a list of plain dicts (one per event, as in the TOML) into a table and
hands it to :func:`geo.check_events.check_events`, the checker the importers
(``geo/imports/``) use too: the same rules, the same messages.

Every bad record becomes a :class:`~geo.problems.DataProblem` naming the file,
the 1-based row, the field, the value and the reason; the bad row is dropped
and the good rows still load. The returned frame always has exactly
:data:`geo.catalog.EVENT_COLUMNS`, in that order.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.check_events import REQUIRED_FIELDS, TEXT_FIELDS, check_events, empty_events
from geo.dates import date_range
from geo.problems import DataProblem

__all__ = ["EventsResult", "load_events", "events_from_records", "empty_events", "date_range",
           "REQUIRED_FIELDS", "TEXT_FIELDS"]

_TOML_LINE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


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


# --- public API ---------------------------------------------------------------


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
        lists) or text: dates in any spelling :func:`geo.dates.parse_dates`
        reads, numbers and precision codes as text, ``features`` as a
        ``";"``-separated string, ``in_article`` as ``"true"``/``"false"``.
        ``None`` and NaN count as missing.
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
        Valid rows in input order, and one problem per bad field (the rules
        are :mod:`geo.check_events`'): a rejected row is dropped, the first of
        two rows sharing an id is kept.

    Examples
    --------
    >>> rec = {"id": "x", "title": "X", "event_date": "2023-07-14", "category": "protest",
    ...        "latitude": 39.8, "longitude": 46.75,
    ...        "sources": [{"publisher": "P", "url": "https://example.org/x"}]}
    >>> result = events_from_records([rec], "my.csv", origin="imported: my.csv")
    >>> result.events.loc[0, "source"], result.problems
    ('P', [])
    """
    problems: list[DataProblem] = []
    keep: list[dict] = []
    rows: list[int] = []
    for position, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            problems.append(DataProblem(file_name, "an event must be a table of fields", row=position,
                                        value=type(record).__name__))
            continue
        keep.append(dict(record))
        rows.append(position)
    table = pd.DataFrame.from_records(keep) if keep else pd.DataFrame()
    checked = check_events(table, file_name, rows, origin=origin, feature_ids=feature_ids)
    problems.extend(checked.problems)
    problems.sort(key=lambda p: p.row if isinstance(p.row, int) else 0)
    return EventsResult(checked.events, problems)
