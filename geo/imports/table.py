"""Reading a CSV into columns, and noticing when its structure is wrong.

:func:`read_csv` reads the header and the records, numbering each record by
the line it starts on (the header is line 1, as a spreadsheet shows it), and
sets aside the records whose structure is wrong, each with a reason naming it:

* a record with more or fewer fields than the header ("has 13 fields, the
  header has 12"; trailing empty cells, which spreadsheets add, are dropped
  first);
* a quote that is opened and not closed where it should be, so that one cell
  swallows the lines after it: when a cell holds lines that look like rows
  (as many delimiters as a row has) and its record is malformed (the wrong
  number of fields, or a quote never closed before the end of the file), the
  record is set aside ("a quote opened in field 'notes' is not closed: the cell
  runs over lines 3 to 1003") and the lines after its first are read again as
  rows, so the good rows it swallowed still import;
* a header with more than :data:`MAX_COLUMNS` columns is refused before any
  row is read (a file of 300,000 columns costs no more than its size), and a
  record's cells past the header's width are not kept.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from geo.problems import DataProblem

__all__ = ["CsvTable", "read_csv", "MAX_COLUMNS", "MAX_CELL"]

#: Most columns a header may have (ACLED has 31, UCDP GED about 50).
MAX_COLUMNS = 1000
#: Largest cell (characters); a larger one is a rejected row (usually an unclosed quote).
MAX_CELL = 16 * 1024 * 1024

#: Records converted to columns at a time.
CHUNK = 20_000

csv.field_size_limit(MAX_CELL)


@dataclass
class CsvTable:
    """The records of a CSV, column by column.

    Attributes
    ----------
    header : list of str
        The header as written (byte order mark removed).
    columns : list of pandas.Series
        One text column per header column, one value per good record (kept
        as Arrow strings, converted every :data:`CHUNK` records, so the
        Python strings of only one chunk are alive at a time).
    lines : list of int
        The line each good record starts on.
    broken : list of (int, list of str, str)
        Records set aside for their structure: line, cells (at most the
        header's width), reason.
    delimiter : str
    """

    header: list[str]
    columns: list[pd.Series]
    lines: list[int]
    broken: list[tuple[int, list[str], str]] = field(default_factory=list)
    delimiter: str = ","


class _Lines:
    """The stream's lines, numbered, with the lines of the record being read kept
    aside so that they can be read again."""

    def __init__(self, stream: Iterator[str]):
        self.stream = stream
        self.lineno = 0
        self.pending: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pending:
            lineno, line = self.pending.popleft()
        else:
            line = next(self.stream)
            self.lineno += 1
            lineno = self.lineno
        self.record.append((lineno, line))
        return line

    def take(self) -> list[tuple[int, str]]:
        lines, self.record = self.record, []
        return lines

    def again(self, lines: list[tuple[int, str]]) -> None:
        """Read ``lines`` again next, before the rest of the stream."""
        self.pending.extendleft(reversed(lines))


def _swallowed(rec: list[str], ncols: int, delimiter: str, last_line: str) -> tuple[int, int] | None:
    """(field index, lines looking like rows) when a cell of ``rec`` holds lines that look like
    rows (as many delimiters as a row) and the record is not a well-formed one: its field
    count is wrong, or its last line holds no quote at all (the quote was never closed, the
    cell ran to the end of the file). A quoted cell that a CSV writer wrote is never taken
    for one: its record has the header's width and its last line holds the closing quote."""
    if ncols < 2 or (len(rec) == ncols and '"' in last_line):
        return None
    for j, cell in enumerate(rec):
        if "\n" not in cell and "\r" not in cell:
            continue
        inner = cell.splitlines()[1:]
        looks = sum(1 for line in inner if line.count(delimiter) >= ncols - 1)
        if looks >= 1:
            return j, looks
    return None


def read_csv(name: str, stream: Iterator[str], delimiter: str,
             progress: Callable[[int], None] | None = None) -> CsvTable | DataProblem:
    """Read a CSV's header and records.

    Parameters
    ----------
    name : str
        The file's name, for messages.
    stream : iterator of str
        The text's lines (newlines kept, as ``open(..., newline="")`` gives them).
    delimiter : str
    progress : callable, optional
        Called with the number of records read, every 20,000 records.

    Returns
    -------
    CsvTable or DataProblem
        The records, or why the file cannot be read at all.

    Examples
    --------
    >>> import io
    >>> text = 'id,date,notes\\n1,2023-07-14,"open\\n2,2023-07-15,x\\n3,2023-07-16,y\\n'
    >>> table = read_csv("a.csv", io.StringIO(text, newline=""), ",")
    >>> table.lines, [(line, reason) for line, _, reason in table.broken]  # doctest: +ELLIPSIS
    ([3, 4], [(2, "a quote opened in field 'notes' is not closed: ...")])
    """
    lines = _Lines(stream)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return DataProblem(name, "is empty")
    except csv.Error as exc:
        return DataProblem(name, f"is not a readable CSV file (line 1: {exc})")
    lines.take()
    if len(header) > MAX_COLUMNS:
        return DataProblem(name, f"has {len(header):,} columns in its header, more than {MAX_COLUMNS:,}: "
                                 "it is not an events table (check the delimiter)")
    header = [h.lstrip("\ufeff") if i == 0 else h for i, h in enumerate(header)]
    ncols = len(header)
    records: list[list[str]] = []
    chunks: list[list[pd.Series]] = [[] for _ in range(ncols)]
    starts: list[int] = []
    broken: list[tuple[int, list[str], str]] = []
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            taken = lines.take()
            if not taken:
                break
            broken.append((taken[0][0], [], f"cannot be read as CSV ({exc})"))
            lines.again(taken[1:])
            reader = csv.reader(lines, delimiter=delimiter)
            continue
        taken = lines.take()
        start = taken[0][0] if taken else lines.lineno
        if len(rec) != ncols:
            if not rec or not any(rec):
                continue  # a blank line
            if len(rec) > ncols and not any(rec[ncols:]):
                rec = rec[:ncols]  # trailing empty cells (spreadsheets add them)
        elif not any(rec):
            continue
        swallowed = _swallowed(rec, ncols, delimiter, taken[-1][1]) if len(taken) > 1 else None
        if swallowed is not None:
            j, _ = swallowed
            column = header[j] if j < ncols else f"column {j + 1}"
            broken.append((start, rec[:ncols], f"a quote opened in field {column!r} is not closed: the cell runs "
                                               f"over lines {start} to {taken[-1][0]}; those lines are read again "
                                               "as rows"))
            lines.again(taken[1:])
            reader = csv.reader(lines, delimiter=delimiter)
            continue
        if len(rec) != ncols:
            broken.append((start, rec[:ncols], f"has {len(rec):,} fields, the header has {ncols}"))
            continue
        records.append(rec)
        starts.append(start)
        if len(records) == CHUNK:
            _flush(records, chunks, ncols)
            if progress is not None:
                progress(len(starts))
    _flush(records, chunks, ncols)
    columns = [pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0] for parts in chunks]
    return CsvTable(header=header, columns=columns, lines=starts, broken=broken, delimiter=delimiter)


def _flush(records: list[list[str]], chunks: list[list[pd.Series]], ncols: int) -> None:
    """Move ``records`` into the column chunks as Arrow text (and empty ``records``)."""
    if not records and chunks[0]:
        return
    columns = list(zip(*records)) if records else [()] * ncols
    records.clear()
    for j in range(ncols):
        chunks[j].append(pd.Series(columns[j], dtype="str"))
        columns[j] = ()
