"""UCDP GED CSV onto the event columns.

Required: ``id``, ``date_start``, ``latitude``, ``longitude``. ``date_start`` /
``date_end`` are kept as the date range (``event_date`` is ``date_start``; no
``date_end``: the same day). ``date_prec`` -> ``time_precision``:

========= =========================================== ===============
date_prec UCDP meaning                                time_precision
========= =========================================== ===============
1         exact date                                  1 (day)
2         within a 2–6 day range                      2 (week)
3         only the week is known                      2 (week)
4         8–30 day range, or only the month is known  3 (month)
5         more than a month, or only the year known   3 (month)
========= =========================================== ===============

(empty/absent ``date_prec``: from the range: same day 1, up to 7 days 2,
longer 3.) ``where_prec`` -> ``geo_precision``:

========== ================================================ =============
where_prec UCDP meaning                                     geo_precision
========== ================================================ =============
1          exact location                                   1 (exact)
2          within ~25 km of a known point                   2 (near)
3          second-order administrative division             3 (region)
4          first-order administrative division (province)   3 (region)
5          linear feature (road, river) / between places    3 (region)
6          only the country is known                        3 (region)
7          international waters or airspace                 3 (region)
========== ================================================ =============

(empty/absent: 1.) ``fatalities`` = ``best``; ``actor1``/``actor2`` =
``side_a``/``side_b``; ``title`` = ``dyad_name`` (else side_a – side_b, else
"UCDP GED event"); ``event_type`` = the ``type_of_violence`` label;
``location`` = ``where_description``; ``source`` = ``source_original`` (else
``source_office``); ``notes`` = ``source_article`` (its http(s) URLs become
links); ``summary`` = ``source_headline``.
"""

from __future__ import annotations

import pandas as pd

from geo.imports.acled import coalesce, resolve

__all__ = ["ALIASES", "REQUIRED", "MARKERS", "UCDP_DATE_PREC", "UCDP_WHERE_PREC", "CODES", "to_event_table"]

ALIASES: dict[str, tuple[str, ...]] = {
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
REQUIRED = {"id": "id", "date_start": "date_start", "latitude": "latitude", "longitude": "longitude"}
MARKERS = frozenset({
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1",
    "adm_2", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
})

#: UCDP GED date_prec -> ACLED time_precision (see the module docstring).
UCDP_DATE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
#: UCDP GED where_prec -> ACLED geo_precision (see the module docstring).
UCDP_WHERE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}
#: The checker's ``codes``: UCDP's own precision codes and what a bad one is told.
CODES = {"time_precision": (UCDP_DATE_PREC, "not a UCDP date_prec code (1 to 5)"),
         "geo_precision": (UCDP_WHERE_PREC, "not a UCDP where_prec code (1 to 7)")}
_VIOLENCE = {"1": "State-based conflict", "2": "Non-state conflict", "3": "One-sided violence"}
#: UCDP column -> event column.
_RENAME = {"id": "id", "date_start": "date_start", "date_end": "date_end", "date_prec": "time_precision",
           "where_prec": "geo_precision", "latitude": "latitude", "longitude": "longitude",
           "side_a": "actor1", "side_b": "actor2", "where_description": "location",
           "source_original": "source", "source_article": "notes", "source_headline": "summary",
           "best": "fatalities"}


def _text(series: pd.Series | None, n: int) -> pd.Series:
    if series is None:
        return pd.Series([""] * n, dtype="str")
    return series.fillna("").astype("str")


def to_event_table(work: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """UCDP GED columns (lower case) -> the event columns the checker reads.

    Returns
    -------
    (pandas.DataFrame, dict)
        The table, and event column -> the file's name for it (for messages).
    """
    names = resolve(ALIASES, work.columns)
    n = len(work)
    raw = {key: coalesce(work, cols).reset_index(drop=True) for key, cols in names.items()}
    table: dict[str, pd.Series] = {}
    fields: dict[str, str] = {}
    for ucdp, event in _RENAME.items():
        if ucdp in raw:
            table[event] = raw[ucdp]
            fields[event] = names[ucdp][0]
    table["event_date"] = raw.get("date_start", pd.Series([""] * n, dtype="str"))
    fields["event_date"] = fields.get("date_start", "date_start")
    if "date_end" not in table:
        table["date_end"] = table["event_date"]
    side_a, side_b = _text(raw.get("side_a"), n).str.strip(), _text(raw.get("side_b"), n).str.strip()
    title = _text(raw.get("dyad_name"), n).str.strip() if "dyad_name" in raw else side_a + " – " + side_b
    table["title"] = title.where(title.str.strip().ne("–") & title.ne(""), "UCDP GED event")
    fields["title"] = names.get("dyad_name", ["dyad_name"])[0]
    table["event_type"] = _text(raw.get("type_of_violence"), n).str.strip().map(_VIOLENCE).fillna("").astype("str")
    # The article reference is the citation: its links become sources.
    notes = _text(raw.get("source_article"), n)
    found = notes.str.findall(r"https?://[^\s\"'<>()\[\],;]+")
    table["sources"] = found.map(lambda urls: [{"publisher": "", "url": u.rstrip(".")} for u in dict.fromkeys(urls)]
                                 if isinstance(urls, list) else []).astype(object)
    fields["sources"] = fields.get("notes", "source_article")
    fields["time_precision"] = names.get("date_prec", ["date_prec"])[0]
    fields["geo_precision"] = names.get("where_prec", ["where_prec"])[0]
    return pd.DataFrame(table), fields
