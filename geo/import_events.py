"""``geo.import_events.import_events``: kept importable for its callers; the code is in :mod:`geo.imports`."""

from geo.imports import DEFAULT_MAX_BYTES, UCDP_DATE_PREC, UCDP_WHERE_PREC, ImportResult, empty_events, import_events

__all__ = ["ImportResult", "import_events", "DEFAULT_MAX_BYTES", "UCDP_DATE_PREC", "UCDP_WHERE_PREC",
           "empty_events"]
