"""GeoJSON points onto the event columns.

A FeatureCollection of Point features (``[longitude, latitude]``, WGS 84)
whose properties use the built-in or ACLED names (``id`` or ``event_id_cnty``,
``title``, ``event_date``, ``time_precision``, ``geo_precision``, ``notes``,
``source``, ``url``/``sources``, ``actor1``, ``actor2``, ``fatalities`` …, read
like the ACLED columns: :mod:`geo.imports.acled`). A feature that is not a
Point, or whose properties nest deeper than :data:`MAX_DEPTH`, is a rejected
row. Rows are numbered by their 1-based position in ``features``.

A ``crs`` member (GeoJSON 2008) of any shape is understood or refused with a
message: a named CRS must be WGS 84 longitude/latitude (``CRS84``/``4326``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd

from geo.imports.acled import GEOJSON_ALIASES, to_event_table
from geo.problems import DataProblem

__all__ = ["GeoJsonRows", "read_geojson", "MAX_DEPTH", "json_text"]

#: Deepest nesting accepted inside one feature's properties.
MAX_DEPTH = 32


@dataclass
class GeoJsonRows:
    """A FeatureCollection as rows.

    Attributes
    ----------
    table : pandas.DataFrame
        Event columns for the checker.
    fields : dict
        Event column -> the property name the file uses.
    raw : pandas.DataFrame
        The properties as given (and ``geometry`` as JSON text), for the rejected rows.
    problems : list of (int, str, Any, str)
        Row problems found here: position, field, value, reason.
    """

    table: pd.DataFrame
    fields: dict[str, str]
    raw: pd.DataFrame
    problems: list[tuple[int, str, Any, str]]


def json_text(value: Any) -> str:
    """``value`` as compact JSON text (or ``str`` when JSON cannot say it)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return str(value)


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` deep (no recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _crs_problem(crs: Any) -> str | None:
    """Why a ``crs`` member is refused, or None when it is WGS 84 longitude/latitude."""
    if crs is None:
        return None
    name = None
    if isinstance(crs, dict):
        props = crs.get("properties")
        if isinstance(props, dict) and isinstance(props.get("name"), str):
            name = props["name"]
    elif isinstance(crs, str):
        name = crs
    if name is None:
        shown = json_text(crs)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return (f"has a 'crs' member that names no coordinate system ({shown}); only WGS 84 "
                "longitude/latitude (EPSG:4326) is supported: remove it or name urn:ogc:def:crs:OGC:1.3:CRS84")
    if any(tag in name.upper() for tag in ("CRS84", "4326")):
        return None
    shown = name if len(name) <= 60 else name[:57] + "..."
    return (f"uses the coordinate system {shown!r}; only WGS 84 longitude/latitude (EPSG:4326) "
            "is supported")


def read_geojson(name: str, data: bytes | str) -> GeoJsonRows | DataProblem:
    """Parse a FeatureCollection of points into rows.

    Returns
    -------
    GeoJsonRows or DataProblem
        The rows, or why the file as a whole cannot be used.
    """
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return DataProblem(name, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        shown = repr(kind) if len(repr(kind)) <= 60 else repr(kind)[:57] + "..."
        return DataProblem(name, f"is JSON but not a GeoJSON FeatureCollection (top-level type is {shown})")
    why = _crs_problem(doc.get("crs"))
    if why is not None:
        return DataProblem(name, why)
    features = doc.get("features")
    if not isinstance(features, list):
        return DataProblem(name, "is a FeatureCollection without a 'features' list")
    if not features:
        return DataProblem(name, "is a FeatureCollection with no features")
    del doc

    n = len(features)
    props_list: list[dict[str, Any]] = []
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    problems: list[tuple[int, str, Any, str]] = []
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            shown = feat.get("type") if isinstance(feat, dict) else type(feat).__name__
            problems.append((i, "geometry", shown if isinstance(shown, (str, type(None))) else json_text(shown),
                             "is not a GeoJSON Feature"))
            props_list.append({"geometry": json_text(feat)[:1000]})
            continue
        if _depth_over(feat, MAX_DEPTH):
            problems.append((i, "properties", None, f"nests lists/objects more than {MAX_DEPTH} levels deep"))
            props_list.append({"geometry": "(not kept: nested too deep)"})
            continue
        props: dict[str, Any] = {}
        given = feat.get("properties")
        if isinstance(given, dict):
            props.update((str(k), v) for k, v in given.items())
        elif given is not None:
            problems.append((i, "properties", json_text(given)[:200], "properties is not an object"))
        if "id" not in {k.lower() for k in props} and feat.get("id") is not None:
            props["id"] = feat["id"]
        geometry = feat.get("geometry")
        props["geometry"] = json_text(geometry)
        props_list.append(props)
        if not isinstance(geometry, dict):
            problems.append((i, "geometry", None, "has no geometry (expected a Point)"))
            continue
        kind = geometry.get("type")
        if kind != "Point":
            problems.append((i, "geometry", kind if isinstance(kind, str) else json_text(kind),
                             "geometry is not a Point (only point events can be imported)"))
            continue
        coords = geometry.get("coordinates")
        if (not isinstance(coords, list) or len(coords) < 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])):
            problems.append((i, "geometry", coords, "Point coordinates are not [longitude, latitude] numbers"))
            continue
        try:
            lon[i], lat[i] = float(coords[0]), float(coords[1])
        except OverflowError:  # an integer too large for a float
            problems.append((i, "geometry", None, "Point coordinates are not [longitude, latitude] numbers"))
    del features

    raw = pd.DataFrame.from_records(props_list) if props_list else pd.DataFrame(index=range(n))
    if raw.empty and n:
        raw = pd.DataFrame(index=range(n))
    lowered: dict[str, str] = {}
    for col in raw.columns:
        lowered.setdefault(str(col).lower(), col)
    work = pd.DataFrame({lc: raw[orig] for lc, orig in lowered.items()}, index=raw.index)
    table, fields = to_event_table(work.drop(columns=["latitude", "longitude"], errors="ignore"), GEOJSON_ALIASES)
    if len(table) != n:
        table = table.reindex(range(n))
    # Features rejected for their geometry get placeholder coordinates: their problem is
    # already told, the checker need not add "missing latitude" to it.
    placeholder = np.zeros(n, dtype=bool)
    placeholder[[i for i, *_ in problems]] = True
    table["latitude"] = np.where(placeholder, 0.0, lat)
    table["longitude"] = np.where(placeholder, 0.0, lon)
    return GeoJsonRows(table=table, fields=fields, raw=raw, problems=problems)
