"""What the page computes, as pure functions: the page, the benchmark and the tests call these.

The page (``dashboard.py``) keeps only widgets and layout. From the loaded data,
the events index and the view state, this module gives the slider's span and
the URL's rules (:func:`make_spec`), the counts per category, the details of a
selected event for its popup, the events of a selected feature, and the state
the browser applies (:func:`browser_state`): small JSON, the same shape on every
run, with no event data in it but the one popup's details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.catalog import ARTICLE, CATEGORIES, DISTANT_VENUES
from geo.dates import span_of
from geo.view_state import StateSpec, ViewState, to_query
from geo.window import EventIndex

__all__ = ["Selection", "feature_ids", "make_spec", "category_counts", "event_details", "browser_state",
           "query_string", "venues_in", "venues_near", "mask_payload", "imports_outside", "feature_names",
           "step_venues", "step_state"]


@dataclass(frozen=True)
class Selection:
    """What is selected: a feature (``kind`` "feature", its id) or an event ("event", its id)."""

    kind: str
    id: str


def feature_ids(layers: dict) -> frozenset[str]:
    """Ids a selection may name: every feature's id and every ``part_of`` group id.

    >>> import geopandas as gpd
    >>> sorted(feature_ids({"x": gpd.GeoDataFrame({"id": ["a", "b"], "part_of": ["g", None]}, geometry=[None, None])}))
    ['a', 'b', 'g']
    """
    return frozenset(str(i) for gdf in layers.values() for col in ("id", "part_of") if col in gdf.columns
                     for i in gdf[col].dropna() if str(i))


def feature_names(layers: dict, group_names: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Each selectable id -> [its name (and its other name, "Stepanakert / Khankendi"), the
    group it is part of or ""]: for the table,
    which lists a selected shape's events under its name. A group with no feature of
    its own (``part_of`` only) takes its name from ``group_names`` (else its id).

    >>> import geopandas as gpd
    >>> feature_names({"x": gpd.GeoDataFrame({"id": ["a"], "name": ["A"], "part_of": ["g"]}, geometry=[None])},
    ...               {"g": "Group"})
    {'a': ['A', 'g'], 'g': ['Group', '']}
    """
    out: dict[str, list[str]] = {}
    for gdf in layers.values():
        if "id" not in gdf.columns:
            continue
        parts = gdf["part_of"] if "part_of" in gdf.columns else [None] * len(gdf)
        names = gdf["name"] if "name" in gdf.columns else gdf["id"]
        alts = gdf["name_alt"] if "name_alt" in gdf.columns else [None] * len(gdf)
        for fid, name, alt, part in zip(gdf["id"], names, alts, parts):
            part = str(part) if isinstance(part, str) and part else ""
            alt = alt.split(";")[0].strip() if isinstance(alt, str) and alt.strip() else ""
            out[str(fid)] = [f"{name} / {alt}" if alt else str(name), part]
            if part and part not in out:
                out[part] = [(group_names or {}).get(part, part), ""]
    for _fid, (_name, part) in list(out.items()):
        if part and out[part][0] == part:
            out[part] = [(group_names or {}).get(part, part), ""]
    return out


def make_spec(layer_keys: tuple[str, ...], events: pd.DataFrame, feature_ids: frozenset[str],
              basemaps: tuple[str, ...], n_steps: int, countries: frozenset[str] | None = None,
              tours: dict | None = None) -> StateSpec:
    """The valid values of the page's state (what the URL and the widgets accept);
    ``countries``: the country filter's names (:func:`geo.filters.event_facets`); ``tours``:
    the named tours (name -> their steps, :attr:`geo.dataset.Dataset.tours`' steps)."""
    return StateSpec(layer_keys=layer_keys, span=span_of(events), feature_ids=feature_ids,
                     basemaps=basemaps, n_steps=n_steps,
                     event_ids=frozenset(events["id"].astype(str)) if len(events) else frozenset(),
                     countries=countries, tours=tuple((k, len(v)) for k, v in (tours or {}).items()))


def category_counts(index: EventIndex, rows: np.ndarray) -> dict[str, int]:
    """Events per category among ``rows`` of ``index.table``: every catalogue category,
    in order, then any other found."""
    cats = index.table["category"].to_numpy()[rows] if len(rows) else np.empty(0, dtype=object)
    values, counts = np.unique(cats.astype(str), return_counts=True) if len(cats) else ([], [])
    found = dict(zip(values, (int(c) for c in counts)))
    out = {cat: found.pop(cat, 0) for cat in CATEGORIES}
    out.update(found)
    return out


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


#: Words of the data's schema in notes, as a reader says them.
_NOTE_WORDS = ((re.compile(r"\barticle_sentence\b"), "The article line above"),
               (re.compile(r"\bgeo_precision [0-9]\b"), "marked approximate"),
               (re.compile(r"\bactor1/actor2\b|\bactor1 and actor2\b"), "the actors"))
#: Sentences of notes meant for the data's editors, not its readers.
_BUILDER_NOTES = re.compile(r"research brief|\bThe id\b|\bids?\b.*\blinks\b")


def reader_notes(notes: str) -> str:
    """An event's notes as a reader sees them: sentences meant for the data's editors
    (about the research brief or the event's id) left out, the schema's field names said
    in words.

    >>> reader_notes("Plotted at Kornidzor, hence geo_precision 2. The research brief does not record it. "
    ...              "article_sentence is a paraphrase.")
    'Plotted at Kornidzor, hence marked approximate. The article line above is a paraphrase.'
    """
    sentences = re.split(r"(?<=\.)\s+(?=\S)", notes.strip())
    kept = []
    for sentence in sentences:
        if _BUILDER_NOTES.search(sentence):
            continue
        for pattern, words in _NOTE_WORDS:
            sentence = pattern.sub(words, sentence)
        kept.append(sentence)
    return " ".join(kept).strip()


def event_details(event: dict) -> dict:
    """The parts of an event's popup the browser's store does not hold.

    ``event`` is one row of the events table as a dict. Every value is plain text
    (the browser inserts it as text); sources are [label, URL] pairs (the browser
    links only http(s) URLs). ``article`` names the article an ``article_sentence``
    reports on ([label, URL]); ``notes`` are :func:`reader_notes`.
    """
    actors = " / ".join(a for a in (_text(event.get("actor1")), _text(event.get("actor2"))) if a)
    summary = _text(event.get("summary"))
    notes = _text(event.get("notes"))
    if notes == summary:  # ACLED's notes are the summary
        notes = ""
    notes = reader_notes(notes) if notes else ""
    sentence = _text(event.get("article_sentence"))
    claims = [[_text(c.get("side")), _text(c.get("claim")), _text(c.get("source"))]
              for c in (event.get("claims") or []) if isinstance(c, dict)]
    sources = [[_text(s.get("publisher") or s.get("url") or "source"), _text(s.get("url"))]
               for s in (event.get("sources") or []) if isinstance(s, dict)]
    return {"id": _text(event.get("id")), "summary": summary, "actors": actors,
            "sentence": sentence, "claims": claims,
            "article": [f"{ARTICLE['publisher']}, \u201c{ARTICLE['title']}\u201d, {ARTICLE['date']}", ARTICLE["url"]]
            if sentence else [],
            "unconfirmed": _text(event.get("unconfirmed")), "notes": notes, "sources": sources}


def query_string(state: ViewState, spec: StateSpec) -> str:
    """The URL query (without "?") of ``state``: what a copied link restores. The
    browser adds the map's centre and zoom (``c=``/``z=``) as the map moves."""
    from urllib.parse import urlencode

    return urlencode(to_query(state, spec), safe=",:")


def room_query(state: ViewState, spec: StateSpec) -> str:
    """The query a live room keeps of a presenter's page: :func:`query_string` with the map's
    centre and zoom (``c=``/``z=``, as the browser writes them) and the events' view (``agg=``).

    >>> import datetime as dt
    >>> spec = StateSpec(("a",), (dt.date(2023, 1, 1), dt.date(2023, 1, 31)), frozenset(), ("none",))
    >>> room_query(spec.default().with_(view=(39.8153, 46.7519, 9.0), agg="hex"), spec)
    'layers=a&from=2023-01-01&to=2023-01-31&base=none&c=39.81530,46.75190&z=9&agg=hex'
    """
    query = query_string(state, spec)
    if state.view is not None:
        lat, lon, zoom = state.view
        query += f"&c={lat:.5f},{lon:.5f}&z={zoom:g}"
    if state.agg:
        query += f"&agg={state.agg}"
    return query


def venues_in(bounds, points: dict[str, tuple[float, float]]) -> list[str]:
    """Ids of the far venues (geo.catalog.DISTANT_VENUES) that a view of ``bounds``
    ((south, west), (north, east)) takes in: the tour shows their distance lines.
    ``points``: venue id -> (lat, lon).

    >>> venues_in(((40, 0), (60, 40)), {"moscow": (55.75, 37.62), "brussels": (50.84, 4.38)})
    ['brussels', 'moscow']
    """
    if bounds is None:
        return []
    (s, w), (n, e) = bounds
    return [v for v in DISTANT_VENUES if v in points and s <= points[v][0] <= n and w <= points[v][1] <= e]


def venues_near(points, venue_points: dict[str, tuple[float, float]], km: float = 50.0) -> list[str]:
    """Ids of the far venues (geo.catalog.DISTANT_VENUES) within ``km`` of any of ``points``
    ((lat, lon) pairs, e.g. the events a tour step shows), in DISTANT_VENUES order.
    ``venue_points``: venue id -> (lat, lon).

    >>> venues_near([(52.09, 4.30), (39.8, 46.75)], {"the-hague": (52.0867, 4.2956), "moscow": (55.75, 37.62)})
    ['the-hague']
    """
    pts = np.asarray(list(points), dtype=float).reshape(-1, 2)
    out = []
    for v in DISTANT_VENUES:
        if v not in venue_points or not len(pts):
            continue
        lat, lon = np.radians(venue_points[v])
        plat, plon = np.radians(pts[:, 0]), np.radians(pts[:, 1])
        h = np.sin((plat - lat) / 2) ** 2 + np.cos(lat) * np.cos(plat) * np.sin((plon - lon) / 2) ** 2
        if (2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))).min() <= km:
            out.append(v)
    return out


def browser_state(state: ViewState, spec: StateSpec, *, index: EventIndex, open_event: dict | None = None,
                  open_feature: str | None = None, view: dict | None = None, tour: dict | None = None,
                  distances: list[str] | None = None, mask: str | None = None,
                  in_store: bool = False, matches: int | None = None, imports: dict | None = None,
                  notices: list[str] | None = None) -> dict:
    """The state the browser applies to the map, the timeline and the table.

    Parameters
    ----------
    state : the page's view state.
    spec : its valid values (for the URL).
    index : the events (rows of ``index.table`` are the store's rows).
    open_event : the selected event's row in the table as a dict (its popup opens; its
        details are sent unless the store already has them: ``in_store``).
    open_feature : a feature id whose popup opens.
    view : a view for the map to go to: {"bounds": [[s, w], [n, e]]} or {"center", "zoom"},
        with a "nonce" that changes whenever it must be applied again; None leaves the map alone.
    tour : {"step": n, "of": N} while a tour is on (the presenter's keys are live).
    distances : far venue ids whose distance lines show.
    mask : the id of the filters' row mask (:func:`mask_payload`, sent beside the state), or
        None: every row.
    matches : how many events the filters keep (over the whole span).
    imports : {"n": imported events, "outside": how many of them are outside the window}
        (:func:`imports_outside`), or None without imports.
    notices : short notices for the map (a link's ignored parameters), plain text.
    """
    sel = None
    if state.selected:
        sel = {"kind": "feature", "id": state.selected}
    open_ = None
    if open_event is not None:
        row = _row_of(index, open_event["id"])
        open_ = {"kind": "event", "row": row, "id": open_event["id"]}
        if not in_store:
            open_["details"] = event_details(open_event)
        sel = {"kind": "event", "id": open_event["id"], "row": row}
    elif open_feature:
        open_ = {"kind": "feature", "id": open_feature}
    out = {
        "layers": sorted(state.layers),
        "window": [state.window[0].isoformat(), state.window[1].isoformat()],
        "span": [spec.span[0].isoformat(), spec.span[1].isoformat()],
        "basemap": state.basemap,
        "sel": sel,
        "open": open_,
        "view": view,
        "tour": tour,
        "distances": distances or [],
        "query": query_string(state, spec),
    }
    if mask is not None:
        out["mask"] = mask
        out["matches"] = matches
    if state.filters.active():
        out["filters"] = state.filters.as_dict()
    if imports:
        out["imports"] = imports
    if notices:
        out["notices"] = list(notices)
    if state.agg:
        out["aggFromUrl"] = state.agg
    if state.view is not None:
        out["viewFromUrl"] = {"lat": state.view[0], "lon": state.view[1], "zoom": state.view[2]}
    return out


def _row_of(index: EventIndex, event_id: str) -> int | None:
    ids = index.table["id"].to_numpy()
    hits = np.flatnonzero(ids == event_id)
    return int(hits[0]) if len(hits) else None


def mask_bits(keep: np.ndarray) -> str:
    """A row mask (booleans, one per row of the events table) as the browser reads it
    (``DashCore.maskFromBits``): base64 of a bitset, bit i of byte i // 8, least
    significant bit first. 100,000 rows take 16.7 KB.

    >>> mask_bits(np.array([True, False, True, True, False, False, False, False, True]))
    'DQE='
    """
    import base64

    return base64.b64encode(np.packbits(np.asarray(keep, dtype=bool), bitorder="little").tobytes()).decode("ascii")


#: Masks of more bytes than this travel as Arrow (binary); smaller ones as base64 in the JSON.
MASK_ARROW_FROM = 1500


def mask_payload(keep: np.ndarray | None) -> dict | None:
    """The filters' row mask as the state component carries it beside the state, or None
    (no filter: every row). :func:`geo.filters.encode_rows` picks the shortest encoding
    (``DashCore.decodeMask`` reads it). Returns {"id" (a digest: the state names it),
    "enc", "n", and "b64" (base64 text) or "arrow" (a one-column uint8 Arrow table ``b``,
    which Streamlit sends as binary, for masks over :data:`MASK_ARROW_FROM` bytes)}.
    """
    import base64
    import hashlib

    import pyarrow as pa

    from geo.filters import encode_rows

    if keep is None:
        return None
    enc, raw = encode_rows(keep)
    digest = hashlib.sha1(enc.encode() + raw + str(len(keep)).encode()).hexdigest()[:16]
    out = {"id": digest, "enc": enc, "n": int(len(keep))}
    if len(raw) > MASK_ARROW_FROM:
        out["arrow"] = pa.table({"b": pa.array(np.frombuffer(raw, dtype=np.uint8), type=pa.uint8())})
    else:
        out["b64"] = base64.b64encode(raw).decode("ascii")
    return out


def imports_outside(index: EventIndex, window) -> dict | None:
    """How many imported events there are and how many fall outside ``window`` (a
    (first, last) pair of dates), or None when there are none.

    ``index.table["origin"]`` tells imported events ("imported: <file>") from built-in ones."""
    if "origin" not in index.table.columns or not len(index):
        return None
    imported = index.table["origin"].astype(str).str.startswith("imported").to_numpy(dtype=bool)
    n = int(imported.sum())
    if not n:
        return None
    inside = np.zeros(len(index), dtype=bool)
    inside[index.rows(*window)] = True
    return {"n": n, "outside": int((imported & ~inside).sum())}


def step_venues(index: EventIndex, state: ViewState, bounds, venue_points: dict[str, tuple[float, float]]) -> list[str]:
    """The far venues a tour step shows: those in its view ``bounds`` and those of the events
    it shows (``state``'s window and categories; drawn at the map's edge, so that the region
    stays readable). ``venue_points``: venue id -> (lat, lon)."""
    rows = index.rows(*state.window)
    table = index.table
    cats = table["category"].to_numpy()[rows].astype(str)
    rows = rows[np.isin(cats, [k[4:] for k in state.layers if k.startswith("cat:")])]
    at = list(zip(table["latitude"].to_numpy()[rows], table["longitude"].to_numpy()[rows]))
    near = set(venues_near(at, venue_points))
    return [v for v in venues_in(bounds, venue_points) if v not in near] + sorted(near)


def step_state(step, spec: StateSpec, *, index: EventIndex, venue_points: dict, of: int,
               basemap: str = "none", nonce: int = 0) -> dict:
    """The browser state of tour step ``step`` (a :class:`geo.load_tour.TourStep`) of a tour of
    ``of`` steps, as the page sends it when the step is shown: its layers, its window (within
    the span), its highlight selected (an event's popup is the step's subject), its view (with
    ``nonce``: a new one makes the map go there again) and the far venues it shows. The
    offline presentation file (:mod:`layers.presentation`) holds one per step."""
    lo, hi = spec.span
    window = tuple(min(max(d, lo), hi) for d in step.window)
    feature = step.highlight if step.highlight in spec.feature_ids else None
    state = ViewState(layers=frozenset(k for k in step.layers if k in spec.layer_keys or k.startswith("cat:")),
                      window=window, selected=feature, basemap=basemap, step=step.number)
    open_event = None
    if step.highlight in spec.event_ids:
        hits = np.flatnonzero(index.table["id"].to_numpy() == step.highlight)
        if len(hits):
            open_event = index.table.iloc[int(hits[0])].to_dict()
    if step.bounds is not None:
        (s, w), (n, e) = step.bounds
        view = {"bounds": [[s, w], [n, e]]}
    else:
        view = {"center": list(step.center), "zoom": step.zoom}
    out = browser_state(state, spec, index=index, open_event=open_event, open_feature=feature,
                        view={**view, "nonce": nonce, "fly": True}, tour={"step": step.number, "of": of},
                        distances=step_venues(index, state, step.view_bounds(), venue_points))
    if out["open"] is not None and out["open"]["id"] == step.highlight:
        out["open"]["subject"] = True
    return out
