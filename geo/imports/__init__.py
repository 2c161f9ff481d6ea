"""Importing a user's own events: ACLED CSV, UCDP GED CSV, GeoJSON points.

One module per job: :mod:`~geo.imports.decode` (size, file type, encoding,
delimiter), :mod:`~geo.imports.table` (CSV records and their structure),
:mod:`~geo.imports.acled`, :mod:`~geo.imports.ucdp` and
:mod:`~geo.imports.geojson` (each format onto the event columns), and
:mod:`~geo.imports.importer` (:func:`import_events`, which runs them and hands
the table to :func:`geo.check_events.check_events`, the checker
``data/events.toml`` goes through too).

Row numbers: for CSV, the line of the file on which the record starts,
counting the header as line 1 (so the first data row is 2, as a spreadsheet
shows it when no cell holds a line break); for GeoJSON, the 1-based position
in ``features``.

Text is kept as plain text, never interpreted (escaping is the renderer's
job). CSV text cells starting with ``'`` followed by ``= + - @``, tab or CR
lose one leading quote: that undoes the formula neutralisation of
:func:`geo.export_events.events_to_acled_csv`.
"""

from geo.check_events import empty_events
from geo.imports.importer import DEFAULT_MAX_BYTES, ImportResult, import_events
from geo.imports.ucdp import UCDP_DATE_PREC, UCDP_WHERE_PREC

__all__ = ["ImportResult", "import_events", "DEFAULT_MAX_BYTES", "UCDP_DATE_PREC", "UCDP_WHERE_PREC",
           "empty_events"]
