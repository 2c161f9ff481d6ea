"""Read and check ``data/build/features.toml``: the text and sources of the layer build.

The layer build (:mod:`tools.build_data`) takes geometry from source packages and
everything a reader sees (names, descriptions, facts, notes, source URLs, the
corridor's waypoints) from this file. Every entry is checked when the file is
read; the first bad entry stops the build with a :class:`SpecError` whose
message names the file, the entry and the field, e.g.::

    features.toml: features[6] (id 'shusha'), field 'sources': 'example.org' is not an http(s) URL

Pure Python: the standard library's ``tomllib`` only.
"""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from geo.catalog import CORRIDOR_VERSIONS, FEATURE_IDS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT / "data" / "build" / "features.toml"

#: Kinds a ``[[features]]`` entry may have.
KINDS = ("country", "region", "city", "square", "town", "capital", "venue", "checkpoint")

#: Feature ids described in ``[[features]]``: every catalogue id except the corridor's
#: group id and its dated roads and polygons (built from ``[[corridor.versions]]``).
CORRIDOR_BUILT = frozenset(
    {"lachin-corridor"}
    | {f"lachin-road-{key}" for key, _, _ in CORRIDOR_VERSIONS}
    | {f"lachin-corridor-{key}" for key, _, _ in CORRIDOR_VERSIONS}
)
DESCRIBED_IDS = tuple(fid for ids in FEATURE_IDS.values() for fid in ids if fid not in CORRIDOR_BUILT)

#: Placeholders each text field may hold (filled by the build with str.format).
_NO_PLACEHOLDERS: frozenset[str] = frozenset()
_PLACEHOLDERS = {
    ("features", "facts"): frozenset({"area_km2"}),
    ("features", "approx_note"): frozenset({"tolerance_m"}),
    ("corridor", "polygon_name"): frozenset({"key"}),
    ("border", "name"): frozenset({"a", "b"}),
}
_SAMPLE_VALUES = {"area_km2": 1.0, "tolerance_m": 1.0, "key": "2020", "a": "A", "b": "B"}


class SpecError(ValueError):
    """A bad entry in the build's text file; the message names file, entry and field."""


@dataclass(frozen=True)
class Waypoint:
    """A named point a corridor road passes through."""

    key: str
    label: str
    estimated: bool
    feature: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class CorridorVersion:
    """Text and route of one dated version of the corridor road."""

    key: str
    name: str
    description: str
    route: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class BuildSpec:
    """Everything the build writes that is not computed from geometry.

    Attributes
    ----------
    features : dict of str to dict
        Feature id -> its ``[[features]]`` table (file order kept).
    waypoints : dict of str to Waypoint
        Waypoint key -> waypoint.
    corridor : dict
        The ``[corridor]`` table without its versions.
    versions : tuple of CorridorVersion
        The corridor versions, in :data:`geo.catalog.CORRIDOR_VERSIONS` order.
    border, coast, lake, river : dict
        Text of the generated basemap features.
    """

    features: dict[str, dict]
    waypoints: dict[str, Waypoint]
    corridor: dict
    versions: tuple[CorridorVersion, ...]
    border: dict
    coast: dict
    lake: dict
    river: dict


class _Checker:
    """Field checks that raise :class:`SpecError` naming file, entry and field."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, entry: str, field: str | None, reason: str):
        where = f"{self.file}: {entry}" + (f", field {field!r}" if field else "")
        raise SpecError(f"{where}: {reason}")

    def fields(self, table: Any, entry: str, required: dict[str, type], optional: dict[str, type]) -> dict:
        if not isinstance(table, dict):
            self.fail(entry, None, f"must be a table, not {type(table).__name__}")
        for name in table:
            if name not in required and name not in optional:
                allowed = ", ".join(sorted({*required, *optional}))
                self.fail(entry, name, f"unknown field (allowed: {allowed})")
        for name in required:
            if name not in table:
                self.fail(entry, name, "missing")
        for name, value in table.items():
            kind = required.get(name) or optional[name]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                continue
            if kind is int and isinstance(value, bool) or not isinstance(value, kind):
                self.fail(entry, name, f"must be {kind.__name__}, not {type(value).__name__} {value!r}")
            if kind is str and not value.strip() and name not in ("name_alt",):
                self.fail(entry, name, "is empty")
        return table

    def urls(self, value: Any, entry: str, field: str = "sources") -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.fail(entry, field, "must be a non-empty list of http(s) URLs")
        for url in value:
            parsed = urlparse(url) if isinstance(url, str) else None
            if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
                self.fail(entry, field, f"{url!r} is not an http(s) URL")
            if parsed.path in ("", "/") and not parsed.query:
                self.fail(entry, field, f"{url!r} is a site's home page, not the page that supports the text")
        return tuple(value)

    def text(self, value: str, entry: str, field: str, section: str) -> None:
        allowed = _PLACEHOLDERS.get((section, field), _NO_PLACEHOLDERS)
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            self.fail(entry, field, f"bad braces in text ({exc}); write {{{{ and }}}} for literal braces")
        unknown = names - allowed
        if unknown:
            self.fail(entry, field, f"unknown placeholder {{{sorted(unknown)[0]}}}"
                      + (f" (allowed: {', '.join('{' + n + '}' for n in sorted(allowed))})" if allowed
                         else " (this field takes none)"))
        try:
            value.format(**_SAMPLE_VALUES)
        except (ValueError, IndexError) as exc:
            self.fail(entry, field, f"placeholder format does not apply: {exc}")

    def point(self, table: dict, entry: str) -> None:
        lat, lon = table.get("lat"), table.get("lon")
        if (lat is None) != (lon is None):
            self.fail(entry, "lat" if lat is None else "lon", "lat and lon go together")
        if lat is not None and not -90 <= lat <= 90:
            self.fail(entry, "lat", f"{lat} is not a latitude (-90 to 90)")
        if lon is not None and not -180 <= lon <= 180:
            self.fail(entry, "lon", f"{lon} is not a longitude (-180 to 180)")


_FEATURE_REQUIRED = {"id": str, "name": str, "kind": str, "approximate": bool, "sources": list}
_FEATURE_OPTIONAL = {"name_alt": str, "description": str, "facts": str, "approx_note": str,
                     "geonames_id": int, "lat": float, "lon": float, "valid_from": str}
_TEXT_FIELDS = ("name", "name_alt", "description", "facts", "approx_note")


def _check_features(tables: Any, check: _Checker) -> dict[str, dict]:
    if not isinstance(tables, list) or not tables:
        check.fail("[[features]]", None, "missing: give one [[features]] table per feature id")
    out: dict[str, dict] = {}
    for i, table in enumerate(tables):
        entry = f"features[{i + 1}]"
        if isinstance(table, dict) and isinstance(table.get("id"), str):
            entry += f" (id {table['id']!r})"
        check.fields(table, entry, _FEATURE_REQUIRED, _FEATURE_OPTIONAL)
        fid = table["id"]
        if fid not in DESCRIBED_IDS:
            check.fail(entry, "id", f"{fid!r} is not a feature id of geo/catalog.py FEATURE_IDS "
                       "(the corridor's roads and polygons come from [[corridor.versions]])")
        if fid in out:
            check.fail(entry, "id", f"{fid!r} is described twice")
        if table["kind"] not in KINDS:
            check.fail(entry, "kind", f"{table['kind']!r} is not one of {', '.join(KINDS)}")
        check.urls(table["sources"], entry)
        for field in _TEXT_FIELDS:
            if field in table:
                check.text(table[field], entry, field, "features")
        if table["approximate"] and "approx_note" not in table:
            check.fail(entry, "approx_note", "an approximate feature must say why (approx_note)")
        check.point(table, entry)
        if "geonames_id" in table and "lat" in table:
            check.fail(entry, "lat", "give either geonames_id or lat/lon, not both")
        if "valid_from" in table:
            try:
                dt.date.fromisoformat(table["valid_from"])
            except ValueError:
                check.fail(entry, "valid_from", f"{table['valid_from']!r} is not an ISO date (YYYY-MM-DD)")
        out[fid] = table
    missing = [fid for fid in DESCRIBED_IDS if fid not in out]
    if missing:
        check.fail("[[features]]", None, f"no entry for feature id {missing[0]!r} (geo/catalog.py FEATURE_IDS)")
    return out


def _check_waypoints(tables: Any, features: dict[str, dict], check: _Checker) -> dict[str, Waypoint]:
    if not isinstance(tables, list) or not tables:
        check.fail("[[waypoints]]", None, "missing")
    out: dict[str, Waypoint] = {}
    for i, table in enumerate(tables):
        entry = f"waypoints[{i + 1}]"
        if isinstance(table, dict) and isinstance(table.get("key"), str):
            entry += f" (key {table['key']!r})"
        check.fields(table, entry, {"key": str, "label": str, "estimated": bool},
                     {"feature": str, "lat": float, "lon": float})
        if table["key"] in out:
            check.fail(entry, "key", f"{table['key']!r} is used twice")
        has_point = "lat" in table or "lon" in table
        if ("feature" in table) == has_point:
            check.fail(entry, "feature", "give either feature (a point feature id) or lat and lon")
        check.point(table, entry)
        if "feature" in table:
            target = features.get(table["feature"])
            if target is None or not ("lat" in target or "geonames_id" in target):
                check.fail(entry, "feature", f"{table['feature']!r} is not a point feature of [[features]]")
        if table["estimated"] != ("(estimated)" in table["label"]):
            check.fail(entry, "label", "a label says \"(estimated)\" exactly when estimated = true")
        out[table["key"]] = Waypoint(table["key"], table["label"], table["estimated"], table.get("feature"),
                                     table.get("lat"), table.get("lon"))
    return out


def _check_corridor(table: Any, waypoints: dict[str, Waypoint], check: _Checker):
    check.fields(table, "[corridor]", {"approx_note": str, "polygon_name": str, "polygon_description": str,
                                       "polygon_sources": list, "versions": list}, {})
    for field in ("approx_note", "polygon_name", "polygon_description"):
        check.text(table[field], "[corridor]", field, "corridor")
    check.urls(table["polygon_sources"], "[corridor]", "polygon_sources")
    versions = []
    keys = [key for key, _, _ in CORRIDOR_VERSIONS]
    if len(table["versions"]) != len(keys):
        check.fail("[[corridor.versions]]", None,
                   f"{len(table['versions'])} versions, but geo/catalog.py CORRIDOR_VERSIONS has {len(keys)}")
    for i, (version, key) in enumerate(zip(table["versions"], keys)):
        entry = f"corridor.versions[{i + 1}]"
        if isinstance(version, dict) and isinstance(version.get("key"), str):
            entry += f" (key {version['key']!r})"
        check.fields(version, entry, {"key": str, "name": str, "description": str, "route": list,
                                      "sources": list}, {})
        if version["key"] != key:
            check.fail(entry, "key", f"expected {key!r} (geo/catalog.py CORRIDOR_VERSIONS order)")
        for field in ("name", "description"):
            check.text(version[field], entry, field, "corridor.versions")
        route = version["route"]
        if len(route) < 2:
            check.fail(entry, "route", "a route needs at least two waypoints")
        for name in route:
            if name not in waypoints:
                check.fail(entry, "route", f"{name!r} is not a waypoint key of [[waypoints]]")
        versions.append(CorridorVersion(key, version["name"], version["description"], tuple(route),
                                        check.urls(version["sources"], entry)))
    corridor = {k: v for k, v in table.items() if k != "versions"}
    return corridor, tuple(versions)


def load_spec(path: Path = DEFAULT_SPEC) -> BuildSpec:
    """Read and check the build's text file.

    Parameters
    ----------
    path : Path
        The TOML file (default ``data/build/features.toml``).

    Returns
    -------
    BuildSpec
        The checked entries.

    Raises
    ------
    SpecError
        On the first bad entry; the message names the file, the entry and the field.

    Examples
    --------
    >>> spec = load_spec()
    >>> spec.features["lachin"]["name_alt"]
    'Berdzor'
    """
    path = Path(path)
    check = _Checker(path.name)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        check.fail("file", None, f"not found at {path}")
    except tomllib.TOMLDecodeError as exc:
        check.fail("file", None, f"not valid TOML: {exc}")
    check.fields(doc, "file", {"features": list, "waypoints": list, "corridor": dict, "border": dict,
                               "coast": dict, "lake": dict, "river": dict}, {})
    features = _check_features(doc["features"], check)
    waypoints = _check_waypoints(doc["waypoints"], features, check)
    corridor, versions = _check_corridor(doc["corridor"], waypoints, check)
    border = check.fields(doc["border"], "[border]", {"name": str, "wide_name": str, "description": str,
                                                      "sources": list, "country_names": dict}, {})
    check.text(border["name"], "[border]", "name", "border")
    check.urls(border["sources"], "[border]")
    coast = check.fields(doc["coast"], "[coast]", {"name": str, "other_name": str, "sources": list}, {})
    check.urls(coast["sources"], "[coast]")
    lake = check.fields(doc["lake"], "[lake]", {"sources": list}, {})
    check.urls(lake["sources"], "[lake]")
    river = check.fields(doc["river"], "[river]", {"description": str, "sources": list}, {})
    check.urls(river["sources"], "[river]")
    return BuildSpec(features, waypoints, corridor, versions, border, coast, lake, river)
