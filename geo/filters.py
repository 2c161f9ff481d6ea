"""The explorer's filters: a text search and filters by actor, country, fatalities and
source kind, as a row mask over the events table.

What the browser's store does not hold (summaries, actors, countries, the sources'
kinds) is searched here: :func:`event_facets` derives, once per events table, the
few columns the filters read; :func:`filter_rows` turns a :class:`Filters` into the
rows it keeps; :func:`encode_rows` packs that mask into the fewest bytes (a bitset,
or a list of the rows kept or dropped, whichever is shorter), which
``DashCore.decodeMask`` reads in the browser. Categories are filtered by the page's
category toggles, not here.

Pure: numpy, pandas and shapely; no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import shapely

from geo.catalog import COUNTRY_OF_PLACE, ELSEWHERE, SOURCE_HOST_KINDS, SOURCE_KINDS

__all__ = ["Filters", "Facets", "FATALITIES", "event_facets", "filter_rows", "encode_rows", "parse_filters",
           "filters_query", "facet_options", "source_kind"]

#: Fatality choices: URL value -> label. "" (any) is no filter.
FATALITIES: dict[str, str] = {
    "none": "None reported",
    "1": "1 or more",
    "10": "10 or more",
    "100": "100 or more",
}
#: Longest search text and actor name read from a URL or the panel.
MAX_TEXT = 200
#: Most words of a search (each must match).
MAX_WORDS = 12
#: Actors the panel suggests (the most frequent).
MAX_ACTOR_OPTIONS = 300


@dataclass(frozen=True)
class Filters:
    """What the user filters by (empty values filter nothing).

    q : words that must all appear in an event's title, summary, place or actors
        (case-insensitive).
    actor : text that must appear in one of the event's actors.
    countries : countries (by the event's location) to keep.
    fatalities : a key of :data:`FATALITIES`, or "" for any.
    kinds : source kinds (:data:`geo.catalog.SOURCE_KINDS`) of which an event must cite one.
    """

    q: str = ""
    actor: str = ""
    countries: tuple[str, ...] = ()
    fatalities: str = ""
    kinds: tuple[str, ...] = ()

    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.q.strip() or self.actor.strip() or self.countries or self.fatalities or self.kinds)

    def as_dict(self) -> dict:
        """JSON for the browser's filter panel."""
        return {"q": self.q, "actor": self.actor, "countries": list(self.countries),
                "fatalities": self.fatalities, "kinds": list(self.kinds)}

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class Facets:
    """Per-row columns the filters read, in the events table's row order."""

    text: tuple              # title, summary, place, actor1, actor2 as in the table (no copy): searched ignoring case
    actors: pd.Series        # actor1 and actor2, case-folded
    country: np.ndarray      # country name per row (object)
    fatalities: np.ndarray   # float, NaN where none was reported
    kinds: np.ndarray        # int bitset per row: bit i set if a source is of kind list(SOURCE_KINDS)[i]
    actor_counts: dict = field(default_factory=dict)  # actor name -> events naming it


def _casefold(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.lower()


def source_kind(source: object) -> str:
    """The kind of one source (a dict with ``url``/``publisher``): by its URL's host,
    from :data:`geo.catalog.SOURCE_HOST_KINDS` (a listed domain covers its subdomains);
    "other" when the host is not listed or there is no URL.

    >>> source_kind({"publisher": "ICJ", "url": "https://www.icj-cij.org/case/180"})
    'court'
    >>> source_kind({"publisher": "News.am; Azatutyun", "url": ""})
    'other'
    """
    url = source.get("url") if isinstance(source, dict) else None
    if not isinstance(url, str) or not url:
        return "other"
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return "other"
    while host:
        if host in SOURCE_HOST_KINDS:
            return SOURCE_HOST_KINDS[host]
        host = host.partition(".")[2]
    return "other"


_KIND_BIT = {k: 1 << i for i, k in enumerate(SOURCE_KINDS)}


def _kind_bits(sources: object) -> int:
    bits = 0
    for s in sources if isinstance(sources, (list, tuple, np.ndarray)) else ():
        bits |= _KIND_BIT[source_kind(s)]
    return bits or _KIND_BIT["other"]


def _countries(events: pd.DataFrame, countries) -> np.ndarray:
    """Each event's country: the country polygon of ``countries`` (a GeoDataFrame with
    ``name``) holding its point; else the country of a far venue it names
    (:data:`geo.catalog.COUNTRY_OF_PLACE`); else :data:`geo.catalog.ELSEWHERE`."""
    n = len(events)
    out = np.full(n, ELSEWHERE, dtype=object)
    if not n:
        return out
    if "features" in events.columns:
        for i, feats in enumerate(events["features"].tolist()):
            for f in feats if isinstance(feats, (list, tuple, np.ndarray)) else ():
                if f in COUNTRY_OF_PLACE:
                    out[i] = COUNTRY_OF_PLACE[f]
    if countries is not None and len(countries):
        x = pd.to_numeric(events["longitude"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(events["latitude"], errors="coerce").to_numpy(dtype=float)
        for name, geom in zip(countries["name"].astype(str), countries.geometry):
            if geom is None or geom.is_empty:
                continue
            shapely.prepare(geom)
            inside = shapely.contains_xy(geom, x, y)
            out[inside] = name
    return out


def event_facets(events: pd.DataFrame, countries=None) -> Facets:
    """The columns the filters read, for every row of ``events`` (an events table,
    :data:`geo.catalog.EVENT_COLUMNS`). ``countries``: the countries layer (polygons with
    ``name``), for each event's country by its location."""
    n = len(events)

    def col(name: str) -> pd.Series:
        return events[name] if name in events.columns else pd.Series([""] * n, index=events.index, dtype=object)

    actors = _casefold(col("actor1")) + "\n" + _casefold(col("actor2"))
    # The searched text is the table's own columns, not a lower-cased copy of them: an import's
    # summaries are most of its memory (issue 13), and Arrow searches them ignoring case as fast.
    text = tuple(col(name).reset_index(drop=True) for name in ("title", "summary", "location", "actor1", "actor2"))
    fatalities = pd.to_numeric(col("fatalities"), errors="coerce").to_numpy(dtype=float) if n else np.empty(0)
    kinds = np.fromiter((_kind_bits(s) for s in col("sources").tolist()), dtype=np.int64, count=n)
    counts: dict[str, int] = {}
    for name in ("actor1", "actor2"):
        if name in events.columns:
            for actor, k in events[name].fillna("").astype(str).value_counts().items():
                if actor.strip():
                    counts[actor] = counts.get(actor, 0) + int(k)
    return Facets(text=text, actors=actors.reset_index(drop=True),
                  country=_countries(events, countries), fatalities=fatalities, kinds=kinds, actor_counts=counts)


def _contains(column: pd.Series, word: str) -> np.ndarray:
    """Rows of ``column`` whose text contains ``word``, ignoring case (missing text: False)."""
    if not len(column):
        return np.zeros(0, dtype=bool)
    if column.dtype == object:
        column = column.fillna("").astype(str)
    return column.str.contains(word, case=False, regex=False, na=False).to_numpy(dtype=bool)


def _words(q: str) -> list[str]:
    return [w for w in q.lower().split() if w][:MAX_WORDS]


def filter_rows(facets: Facets, filters: Filters) -> np.ndarray | None:
    """The rows ``filters`` keep, as booleans (one per row), or None when no filter is set.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"title": ["Rally in Stepanakert", "Talks"], "summary": ["crowd", "Brussels"],
    ...                    "actor1": ["Protesters", "EU"], "fatalities": [None, 0]})
    >>> filter_rows(event_facets(ev), Filters(q="brussels")).tolist()
    [False, True]
    """
    if not filters.active():
        return None
    n = len(facets.country)
    keep = np.ones(n, dtype=bool)
    for word in _words(filters.q):
        found = np.zeros(n, dtype=bool)
        for column in facets.text:  # a word is never across two fields: it holds no line break
            found |= _contains(column, word)
        keep &= found
    actor = filters.actor.strip().lower()
    if actor:
        keep &= facets.actors.str.contains(actor, regex=False).to_numpy(dtype=bool)
    if filters.countries:
        keep &= np.isin(facets.country, list(filters.countries))
    if filters.fatalities == "none":
        keep &= ~(facets.fatalities > 0)
    elif filters.fatalities in FATALITIES:
        keep &= facets.fatalities >= int(filters.fatalities)
    if filters.kinds:
        bits = 0
        for k in filters.kinds:
            bits |= _KIND_BIT.get(k, 0)
        keep &= (facets.kinds & bits) != 0
    return keep


# --- the mask on the wire ----------------------------------------------------------------------

def _varints(values: np.ndarray) -> bytes:
    """Unsigned LEB128 of each value (7 bits a byte, low first, high bit: more follows)."""
    v = np.asarray(values, dtype=np.uint64)
    if not len(v):
        return b""
    nbytes = np.ones(len(v), dtype=np.int64)
    for k in range(1, 5):
        nbytes += v >= (1 << (7 * k))
    starts = np.cumsum(nbytes) - nbytes
    out = np.zeros(int(nbytes.sum()), dtype=np.uint8)
    for k in range(5):
        sel = nbytes > k
        if not sel.any():
            break
        part = ((v[sel] >> np.uint64(7 * k)) & np.uint64(0x7F)).astype(np.uint8)
        more = (nbytes[sel] > k + 1).astype(np.uint8) << 7
        out[starts[sel] + k] = part | more
    return out.tobytes()


def _gaps(rows: np.ndarray) -> bytes:
    """Rows (ascending) as the gaps between them: row - previous row - 1 (previous of the first: -1)."""
    rows = np.asarray(rows, dtype=np.int64)
    return _varints(np.diff(rows, prepend=-1) - 1)


def encode_rows(keep: np.ndarray) -> tuple[str, bytes]:
    """A row mask in the fewest bytes: ("bits", a bitset, bit i of byte i // 8, least
    significant first), ("rows", the kept rows as LEB128 gaps) or ("skip", the dropped
    rows as LEB128 gaps). ``DashCore.decodeMask`` reads all three.

    >>> encode_rows(np.array([False] * 20 + [True]))
    ('rows', b'\\x14')
    >>> encode_rows(np.array([True, False] * 8))
    ('bits', b'UU')
    """
    keep = np.asarray(keep, dtype=bool)
    kept = np.flatnonzero(keep)
    options = [("bits", np.packbits(keep, bitorder="little").tobytes())]
    if len(kept) * 2 < len(keep) + 8:
        options.append(("rows", _gaps(kept)))
    else:
        options.append(("skip", _gaps(np.flatnonzero(~keep))))
    return min(options, key=lambda o: len(o[1]))


# --- the URL -----------------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*,\s*")


def _clean(text: str) -> str:
    """Text from a URL or the panel: control characters dropped, cut to MAX_TEXT."""
    return "".join(c for c in str(text)[: MAX_TEXT * 2] if c.isprintable())[:MAX_TEXT].strip()


def parse_filters(get: Mapping[str, str | None], countries: frozenset[str] | None = None) -> tuple[Filters, list[str]]:
    """The filters of a URL query (``q``, ``actor``, ``country``, ``fat``, ``kind``; each
    parameter's last value), and a notice per value that was ignored.

    >>> parse_filters({"q": "rally", "fat": "7", "kind": "court,zzz"})
    (Filters(q='rally', actor='', countries=(), fatalities='', kinds=('court',)), ["Ignored 'fat': '7' is not one of none, 1, 10, 100.", "Ignored unknown source kind 'zzz' in 'kind'."])
    """
    notices: list[str] = []
    f = Filters()
    if get.get("q"):
        f = f.with_(q=_clean(get["q"]))
    if get.get("actor"):
        f = f.with_(actor=_clean(get["actor"]))
    raw = get.get("country")
    if raw:
        names = [c for c in _SPLIT.split(_clean(raw)) if c][:20]
        if countries is not None:
            unknown = [c for c in names if c not in countries]
            for c in unknown[:1]:
                notices.append(f"Ignored unknown country {c[:40]!r} in 'country'.")
            names = [c for c in names if c in countries]
        f = f.with_(countries=tuple(dict.fromkeys(names)))
    fat = get.get("fat")
    if fat:
        if fat in FATALITIES:
            f = f.with_(fatalities=fat)
        else:
            notices.append(f"Ignored 'fat': {fat[:20]!r} is not one of {', '.join(FATALITIES)}.")
    raw = get.get("kind")
    if raw:
        kinds = [k for k in _SPLIT.split(raw[:MAX_TEXT]) if k]
        unknown = [k for k in kinds if k not in SOURCE_KINDS]
        for k in unknown[:1]:
            notices.append(f"Ignored unknown source kind {k[:40]!r} in 'kind'.")
        f = f.with_(kinds=tuple(k for k in SOURCE_KINDS if k in kinds))
    return f, notices


def filters_query(f: Filters) -> dict[str, str]:
    """The URL parameters of ``f`` (only those set).

    >>> filters_query(Filters(q="rally", kinds=("court", "agency")))
    {'q': 'rally', 'kind': 'court,agency'}
    """
    q: dict[str, str] = {}
    if f.q.strip():
        q["q"] = f.q.strip()
    if f.actor.strip():
        q["actor"] = f.actor.strip()
    if f.countries:
        q["country"] = ",".join(f.countries)
    if f.fatalities:
        q["fat"] = f.fatalities
    if f.kinds:
        q["kind"] = ",".join(f.kinds)
    return q


def filters_from_panel(value: object, countries: frozenset[str] | None = None) -> Filters:
    """The filters the browser's panel sent (a dict like :meth:`Filters.as_dict`), each value
    checked as a URL's would be; anything else filters nothing."""
    if not isinstance(value, dict):
        return Filters()

    def text(key: str) -> str:
        v = value.get(key)
        return _clean(v) if isinstance(v, str) else ""

    def names(key: str) -> list[str]:
        v = value.get(key)
        return [_clean(x) for x in v[:50] if isinstance(x, str)] if isinstance(v, list) else []

    fat = text("fatalities")
    kinds = names("kinds")
    return Filters(q=text("q"), actor=text("actor"),
                   countries=tuple(c for c in dict.fromkeys(names("countries")) if countries is None or c in countries),
                   fatalities=fat if fat in FATALITIES else "",
                   kinds=tuple(k for k in SOURCE_KINDS if k in kinds))


def facet_options(facets: Facets) -> dict:
    """What the browser's filter panel offers, sent once with the store: the countries found
    (with counts), the source kinds found, the fatality choices and the most frequent actors."""
    names, counts = np.unique(facets.country.astype(str), return_counts=True) if len(facets.country) else ([], [])
    countries = sorted(((str(c), int(k)) for c, k in zip(names, counts)), key=lambda t: (t[0] == ELSEWHERE, t[0]))
    kinds = []
    for key, label in SOURCE_KINDS.items():
        k = int(((facets.kinds & _KIND_BIT[key]) != 0).sum())
        if k:
            kinds.append([key, label, k])
    actors = sorted(facets.actor_counts.items(), key=lambda t: (-t[1], t[0]))[:MAX_ACTOR_OPTIONS]
    return {"countries": [[c, k] for c, k in countries], "kinds": kinds,
            "fatalities": [[k, v] for k, v in FATALITIES.items()], "actors": [a for a, _ in actors]}
