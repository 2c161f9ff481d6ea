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
        # three dated corridor polygons ("lachin-corridor-2020", "-2022",
        # "-2023") and the three roads carry ``part_of = "lachin-corridor"``,
        # and an event naming the corridor belongs to each of them.
        "lachin-corridor",
        "lachin-corridor-2020",  # 5 km polygon around the 2020 road
        "lachin-corridor-2022",  # 5 km polygon around the 2022 road
        "lachin-corridor-2023",  # 5 km polygon around the 2023 road
        "lachin-road-2020",  # through Lachin (Berdzor) town, 2020-11-10 until 2022-08-30
        "lachin-road-2022",  # bypass joining the old Aghavno-Tegh road, 2022-08-30 until 2023-04-01
        "lachin-road-2023",  # via the Hakari bridge and the Tegh-Kornidzor road, from 2023-04-01
        "hakari-checkpoint",
    ),
    "places": (
        "shusha", "lachin", "goris", "kornidzor", "tegh", "yerevan", "baku",
        "brussels", "moscow", "the-hague",
    ),
    "context": (),
}

#: The dated versions of the corridor road and its 5 km polygon, in order:
#: (key, valid_from, valid_to). The road is ``lachin-road-<key>``, the polygon
#: ``lachin-corridor-<key>``; valid_from is inclusive, valid_to exclusive (None:
#: still valid), and each version ends on the day the next one starts.
#: 2020: through Lachin (Berdzor) town. 2022: the new road bypassing the town,
#: then a temporary link joining the old Aghavno (Zabukh)-Tegh road, so traffic
#: still entered Armenia on the old road. 2023: the Tegh-Kornidzor road over the
#: Hakari bridge (sources in data/README.md, section "Corrections").
CORRIDOR_VERSIONS: tuple[tuple[str, str, str | None], ...] = (
    ("2020", "2020-11-10", "2022-08-30"),
    ("2022", "2022-08-30", "2023-04-01"),
    ("2023", "2023-04-01", None),
)

#: The days the corridor road switched version (each version's first day after the first).
CORRIDOR_SWITCH_DATES: tuple[str, ...] = tuple(start for _, start, _ in CORRIDOR_VERSIONS[1:])

#: Region bounds (lon_min, lat_min, lon_max, lat_max) of the South Caucasus view: the data's
#: region (geography is checked against it, context layers are clipped to it).
REGION_BOUNDS = (43.0, 38.0, 51.0, 42.5)

#: The context layer's extent (lon_min, lat_min, lon_max, lat_max): the basemap's lakes, coasts and
#: borders reach from the region out past the far venues, so that no view between them shows
#: them cut off (detailed around the region, coarser farther out; tools/build_data.py).
CONTEXT_BOUNDS = (-25.0, 25.0, 75.0, 70.0)

#: The view the page and the exported map open on, as Leaflet's fitBounds takes it:
#: ((lat_south, lon_west), (lat_north, lon_east)); Armenia, Azerbaijan and Karabakh,
#: inside REGION_BOUNDS.
MAP_BOUNDS = ((38.3, 43.4), (42.0, 50.5))

#: The place the far venues' distances are measured to: (name, lat, lon).
STEPANAKERT = ("Stepanakert", 39.8153, 46.7519)

#: Distant venues allowed outside REGION_BOUNDS.
DISTANT_VENUES: tuple[str, ...] = ("brussels", "moscow", "the-hague")

# --- Place names --------------------------------------------------------------

#: Places whose Armenian and Azerbaijani names differ: (Armenian usage,
#: Azerbaijani usage), each a tuple of accepted spellings, the first being the one
#: to write. Wherever one form is shown (event title, summary or location, tour
#: text, feature name or description), the other must be shown beside it; ``None``
#: where the other form could not be confirmed: the text must then say UNCONFIRMED.
#: The checkpoint's pair is its descriptive English name and its official
#: Azerbaijani name.
PLACE_NAMES: tuple[tuple[tuple[str, ...] | None, tuple[str, ...] | None], ...] = (
    (("Stepanakert",), ("Khankendi", "Xankəndi", "Khankandi")),
    (("Shushi",), ("Shusha", "Şuşa")),
    (("Berdzor",), ("Lachin", "Laçın")),
    (("Aghavno",), ("Zabukh", "Zabux")),
    (("Martuni",), ("Khojavend", "Xocavənd")),
    (("Martakert", "Mardakert"), ("Aghdara", "Ağdərə")),
    (("Mets Shen",), ("Boyuk Galadarasi", "Böyük Qaladərəsi")),
    (("Hin Shen",), ("Kichik Galadarasi", "Kiçik Qaladərəsi")),
    (("Kanach Tala",), None),
    (("Ivanyan",), ("Khojaly", "Xocalı")),
    (("Akna",), ("Aghdam", "Ağdam")),
    (("Hakari bridge checkpoint",), ("Lachin border checkpoint",)),
)

#: Names that contain a form of PLACE_NAMES but are used as they are on both
#: sides (the check ignores them): the corridor's and the district's names in
#: the 2020 statement, the ICJ orders and the press of both countries.
SHARED_NAMES: tuple[str, ...] = (
    "Lachin corridor", "Lachin Corridor", "Lachin road", "Lachin district", "Lachin District",
)

# --- Events -----------------------------------------------------------------

#: category key -> label. Colours live in layers/ (presentation).
CATEGORIES: dict[str, str] = {
    "diplomacy": "Diplomacy",
    "protest": "Protest",
    # The key stays "blockade": it is in shared links (?layers=cat:blockade) and
    # in the tour; only the label is neutral. The events hold each side's claims.
    "blockade": "Access and checkpoints",
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

# --- Filters ------------------------------------------------------------------

#: Kinds of source an event may cite (the explorer's "source kind" filter), key -> label.
SOURCE_KINDS: dict[str, str] = {
    "court": "Court",
    "government": "Government",
    "agency": "News agency",
    "outlet": "Newspaper or news site",
    "broadcaster": "Broadcaster",
    "other": "Other or not given",
}

#: The kind of each reviewed source host (data/README.md, "Reviewed source hosts"; a listed
#: domain covers its subdomains). Sources on other hosts, or with no URL, are "other".
SOURCE_HOST_KINDS: dict[str, str] = {
    "icj-cij.org": "court",
    "primeminister.am": "government",
    "mfa.gov.az": "government",
    "kremlin.ru": "government",
    "armenpress.am": "agency",
    "news.am": "agency",
    "mediamax.am": "agency",
    "168.am": "outlet",
    "artsakhpress.am": "agency",
    "asbarez.com": "outlet",
    "massispost.com": "outlet",
    "mirrorspectator.com": "outlet",
    "trend.az": "agency",
    "apa.az": "agency",
    "azvision.az": "outlet",
    "dailysabah.com": "outlet",
    "trtworld.com": "broadcaster",
    "tass.com": "agency",
    "interfax.com": "agency",
    "jam-news.net": "outlet",
    "almayadeen.net": "broadcaster",
    "alarabiya.net": "broadcaster",
    "malaymail.com": "outlet",
    "tribuneindia.com": "outlet",
    "ecoi.net": "other",
}

#: The country of each far venue (an event naming one, outside the countries layer, is
#: counted in that country by the explorer's country filter).
COUNTRY_OF_PLACE: dict[str, str] = {"brussels": "Belgium", "moscow": "Russia", "the-hague": "Netherlands"}
#: The country filter's name for an event in none of the countries above.
ELSEWHERE = "Elsewhere"

#: The article the dashboard is built around (an event's ``article_sentence`` reports what it says).
ARTICLE: dict[str, str] = {
    "publisher": "Al Mayadeen English",
    "title": "Russia offers to host Armenia-Azerbaijan summit amid EU, US failure",
    "date": "15 July 2023",
    "url": "https://english.almayadeen.net/news/politics/russia-offers-to-host-armenia-azerbaijan-summit-amid-eu-us-f",
}
