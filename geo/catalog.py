"""The project's vocabulary: layer files, feature ids, event categories and columns.

This module is the contract between ``data/``, the loaders in ``geo/``, the
builders in ``layers/`` and the page. It holds constants only.
"""

from __future__ import annotations

# --- Geographic layers ------------------------------------------------------

#: layer key -> GeoJSON file name under ``data/layers/``.
LAYER_FILES: dict[str, str] = {
    "countries": "countries.geojson",
    "nagorno_karabakh": "nagorno_karabakh.geojson",
    "stepanakert": "stepanakert.geojson",
    "lachin_corridor": "lachin_corridor.geojson",
    "places": "places.geojson",
    "context": "context.geojson",
}

#: Human label of each layer (used by toggles and the legend).
LAYER_LABELS: dict[str, str] = {
    "countries": "Armenia and Azerbaijan",
    "nagorno_karabakh": "Nagorno-Karabakh (former NKAO)",
    "stepanakert": "Stepanakert / Khankendi",
    "lachin_corridor": "Lachin corridor",
    "places": "Places and venues",
    "context": "Basemap context (lakes, rivers, coast, borders)",
}

#: Properties every feature of every layer must carry.
REQUIRED_PROPERTIES: tuple[str, ...] = ("id", "name", "kind", "approximate")

#: Optional, documented properties (see data/README.md):
#: ``name_alt`` (other names, "; "-separated), ``description``, ``facts``
#: (a short text), ``sources`` (list of URLs), ``approx_note``,
#: ``valid_from`` / ``valid_to`` (ISO dates; from inclusive, to exclusive),
#: ``area_km2``, ``part_of`` (a group id events may name, see FEATURE_IDS).

#: Feature ids that events may refer to, by layer.
FEATURE_IDS: dict[str, tuple[str, ...]] = {
    "countries": ("armenia", "azerbaijan"),
    "nagorno_karabakh": ("nagorno-karabakh",),
    "stepanakert": ("stepanakert", "renaissance-square"),
    "lachin_corridor": (
        # The corridor as a whole. No single GeoJSON feature has this id: the
        # two dated corridor polygons ("lachin-corridor-2020",
        # "lachin-corridor-2022") and the two roads carry
        # ``part_of = "lachin-corridor"``, and an event naming the corridor
        # belongs to each of them.
        "lachin-corridor",
        "lachin-corridor-2020",  # 5 km polygon around the 2020 road
        "lachin-corridor-2022",  # 5 km polygon around the 2022 road
        "lachin-road-2020",  # road through Lachin town, until 2022-08-30
        "lachin-road-2022",  # road via the Hakari bridge, from 2022-08-30
        "hakari-checkpoint",
    ),
    "places": (
        "shusha", "lachin", "goris", "kornidzor", "tegh", "yerevan", "baku",
        "brussels", "moscow", "the-hague",
    ),
    "context": (),
}

#: The day the corridor road switched to the Hakari-bridge route.
CORRIDOR_SWITCH_DATE = "2022-08-30"

#: Region bounds (lon_min, lat_min, lon_max, lat_max) of the South Caucasus view.
REGION_BOUNDS = (43.0, 38.0, 51.0, 42.5)

#: Distant venues allowed outside REGION_BOUNDS.
DISTANT_VENUES: tuple[str, ...] = ("brussels", "moscow", "the-hague")

# --- Events -----------------------------------------------------------------

#: category key -> label. Colours live in layers/ (presentation).
CATEGORIES: dict[str, str] = {
    "diplomacy": "Diplomacy",
    "protest": "Protest",
    "blockade": "Blockade and access",
    "legal": "Legal",
    "armed-clash": "Armed clash",
    "imported": "Imported events",
}

#: ACLED time_precision codes.
TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
#: ACLED geo_precision codes.
GEO_PRECISION = {1: "exact", 2: "near", 3: "region"}

#: Columns of the normalised events table (a pandas DataFrame) that every
#: loader and importer in geo/ returns, in this order.
#: Date columns are naive pandas ``datetime64`` (midnight) so that window
#: filters are vectorised; list columns hold Python lists; text is plain
#: text (never HTML; escaping happens in layers/ when rendering).
EVENT_COLUMNS: tuple[str, ...] = (
    "id",             # str, unique
    "title",          # str
    "summary",        # str, neutral
    "category",       # key of CATEGORIES
    "event_type",     # str (ACLED event_type or free text)
    "event_date",     # datetime64, the reported date
    "time_precision", # int 1/2/3
    "date_start",     # datetime64, first day the event may have happened
    "date_end",       # datetime64, last day (inclusive)
    "actor1",         # str
    "actor2",         # str
    "location",       # str
    "latitude",       # float
    "longitude",      # float
    "geo_precision",  # int 1/2/3
    "features",       # list[str] of feature ids
    "sources",        # list[dict(publisher=str, url=str)]
    "source",         # str, ACLED-style "; "-joined publishers
    "notes",          # str
    "fatalities",     # int or None (pandas NA)
    "article_sentence",  # str ("" when the article does not report it)
    "in_article",     # bool: reported by the article (else background)
    "claims",         # list[dict(side=str, claim=str, source=str)]
    "unconfirmed",    # str note ("" when everything is confirmed)
    "origin",         # "built-in" or "imported: <file name>"
)
