"""Read and check the geographic layers of ``data/layers/``.

Every layer file named in :data:`geo.catalog.LAYER_FILES` is read as RFC 7946
GeoJSON and checked: the file exists, is JSON, is a FeatureCollection in WGS84
longitude/latitude (no other ``crs``, no projected metres, no swapped axes),
its geometries are valid, each feature has the catalog's required properties
and a unique id. A file that fails is reported as :class:`~geo.problems.DataProblem`
values and left out; the other layers still load.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

from geo.catalog import CONTEXT_BOUNDS, DISTANT_VENUES, FEATURE_IDS, LAYER_FILES, REGION_BOUNDS, REQUIRED_PROPERTIES
from geo.problems import DataError, DataProblem

__all__ = ["LayerError", "LayerSet", "check_layer", "load_layer", "load_layers"]

#: ``crs`` member names that mean WGS84 longitude/latitude (accepted, though
#: RFC 7946 has no ``crs`` member).
WGS84_NAMES = frozenset({
    "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84", "CRS84",
    "EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:4326",
})
#: Slack (degrees) allowed around REGION_BOUNDS for rounding.
_EPS = 1e-6


@dataclass
class LayerSet:
    """The layers that loaded, and what was wrong with the others.

    Attributes
    ----------
    layers : dict of str to GeoDataFrame
        Layer key of :data:`geo.catalog.LAYER_FILES` -> features in EPSG:4326,
        one row per feature, with an ``id`` column. Failing layers are absent.
    problems : list of DataProblem
        Everything found wrong, in file order.
    """

    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    problems: list[DataProblem] = field(default_factory=list)


class LayerError(DataError):
    """A layer file cannot be used; carries all its problems.

    ``problem`` is the first problem (as for :class:`~geo.problems.DataError`),
    ``problems`` all of them; the message joins them with ``"; "``.
    """

    def __init__(self, problems: list[DataProblem]):
        super().__init__(problems[0])
        self.problems = list(problems)
        self.args = ("; ".join(str(p) for p in self.problems),)

    def __str__(self) -> str:
        return self.args[0]


def _row(feature: Any, index: int) -> int | str:
    """Feature id if it has a usable one, else its 1-based position."""
    if isinstance(feature, dict):
        props = feature.get("properties")
        if isinstance(props, dict) and isinstance(props.get("id"), str) and props["id"]:
            return props["id"]
    return index + 1


def _read_json(path: Path, name: str) -> tuple[Any, list[DataProblem]]:
    if not path.is_file():
        return None, [DataProblem(name, f"file not found ({path})")]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [DataProblem(name, f"not UTF-8 text (byte {exc.start})")]
    except OSError as exc:
        return None, [DataProblem(name, f"cannot be read: {exc.strerror}")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [DataProblem(
            name, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        )]


def _check_crs(doc: dict, name: str) -> list[DataProblem]:
    crs = doc.get("crs")
    if crs is None:
        return []
    crs_name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(crs_name, str) and crs_name.strip() in WGS84_NAMES:
        return []
    return [DataProblem(
        name, "CRS is not WGS84 longitude/latitude (GeoJSON must use EPSG:4326, RFC 7946)",
        field="crs", value=crs_name if crs_name is not None else crs,
    )]


def _in_bounds(bounds: tuple[float, float, float, float], region=REGION_BOUNDS) -> bool:
    x0, y0, x1, y1 = region
    bx0, by0, bx1, by1 = bounds
    return bx0 >= x0 - _EPS and by0 >= y0 - _EPS and bx1 <= x1 + _EPS and by1 <= y1 + _EPS


def _check_feature(feature: Any, index: int, name: str) -> tuple[Any, list[DataProblem]]:
    """Check one feature; return its shapely geometry (or None) and problems."""
    row = _row(feature, index)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [DataProblem(name, "not a GeoJSON Feature", row=row)]
    problems = []
    props = feature.get("properties")
    if not isinstance(props, dict):
        problems.append(DataProblem(name, "feature has no properties object", row=row))
        props = {}
    for prop in REQUIRED_PROPERTIES:
        if prop not in props or props[prop] is None:
            problems.append(DataProblem(name, "missing required property", row=row, field=prop))
    if "id" in props and not (isinstance(props["id"], str) and props["id"]):
        problems.append(DataProblem(name, "id must be a non-empty text", row=row, field="id",
                                    value=props["id"]))
    if "approximate" in props and not isinstance(props["approximate"], bool):
        problems.append(DataProblem(name, "must be true or false", row=row, field="approximate",
                                    value=props["approximate"]))
    raw = feature.get("geometry")
    if not isinstance(raw, dict):
        problems.append(DataProblem(name, "feature has no geometry", row=row, field="geometry"))
        return None, problems
    try:
        geom = shape(raw)
    except Exception as exc:  # shapely raises several types for malformed input
        problems.append(DataProblem(name, f"geometry cannot be read: {exc}", row=row,
                                    field="geometry"))
        return None, problems
    if geom.is_empty:
        problems.append(DataProblem(name, "empty geometry", row=row, field="geometry"))
        return None, problems
    return geom, problems


def _check_coordinates(geoms: list[tuple[int | str, Any]], name: str, key: str | None = None) -> list[DataProblem]:
    """File-level CRS sanity: lon/lat ranges, swapped axes, region bounds (the context
    layer's own, wider, bounds for it: geo.catalog.CONTEXT_BOUNDS)."""
    region = CONTEXT_BOUNDS if key == "context" else REGION_BOUNDS
    for row, geom in geoms:
        xy = shapely.get_coordinates(geom)
        if not np.isfinite(xy).all():
            return [DataProblem(name, "coordinates are not finite numbers", row=row,
                                field="geometry")]
        bad = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
        if bad.any():
            x, y = xy[bad][0]
            return [DataProblem(
                name,
                f"coordinates out of longitude/latitude range (x={x:.6g}, y={y:.6g}): the file "
                "looks projected (e.g. metres); GeoJSON must use WGS84 lon/lat (EPSG:4326)",
                row=row, field="geometry",
            )]
    problems = []
    for row, geom in geoms:
        if row in DISTANT_VENUES:
            continue
        bounds = geom.bounds
        if _in_bounds(bounds, region):
            continue
        x0, y0, x1, y1 = bounds
        if _in_bounds((y0, x0, y1, x1), region):
            x, y = shapely.get_coordinates(geom)[0]
            problems.append(DataProblem(
                name,
                f"latitude and longitude look swapped: the geometry lies in the region only with "
                f"x and y exchanged (first point x={x:.5f}, y={y:.5f})",
                row=row, field="geometry",
            ))
        else:
            problems.append(DataProblem(
                name, f"geometry lies outside the region bounds {region}",
                row=row, field="geometry", value=[round(b, 5) for b in bounds],
            ))
    return problems


def _frame(features: list[dict], geoms: list[Any]) -> gpd.GeoDataFrame:
    records = [dict(f["properties"]) for f in features]
    columns = list(REQUIRED_PROPERTIES) + sorted(
        {k for r in records for k in r} - set(REQUIRED_PROPERTIES)
    )
    frame = gpd.GeoDataFrame(
        {c: [r.get(c) for r in records] for c in columns},
        geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    frame["approximate"] = frame["approximate"].astype(bool)
    return frame


def _missing_catalog_ids(frame: gpd.GeoDataFrame, key: str, name: str) -> list[DataProblem]:
    ids = set(frame["id"])
    groups = set(frame["part_of"].dropna()) if "part_of" in frame else set()
    return [
        DataProblem(name, "feature id of the catalog is missing (events naming it find no shape)",
                    field="id", value=fid)
        for fid in FEATURE_IDS.get(key, ())
        if fid not in ids and fid not in groups
    ]


def check_layer(path: str | Path, key: str | None = None
                ) -> tuple[gpd.GeoDataFrame | None, list[DataProblem]]:
    """Read one layer file and report everything wrong with it; never raises.

    Parameters
    ----------
    path : str or Path
        A GeoJSON file.
    key : str, optional
        Its layer key in :data:`geo.catalog.LAYER_FILES`; when given, feature
        ids the catalog expects but the file lacks are reported too (this
        alone does not reject the layer).

    Returns
    -------
    frame : GeoDataFrame or None
        Features in EPSG:4326, or None when the file cannot be used.
    problems : list of DataProblem
        What was found wrong; each names the file (and the feature id or
        position, the property, the value where they apply).

    Examples
    --------
    >>> frame, problems = check_layer("data/layers/places.geojson", "places")
    >>> frame.crs.to_epsg(), problems
    (4326, [])
    """
    path = Path(path)
    name = path.name
    doc, problems = _read_json(path, name)
    if problems:
        return None, problems
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        return None, [DataProblem(name, "not a GeoJSON FeatureCollection", field="type",
                                  value=found)]
    features = doc.get("features")
    if not isinstance(features, list):
        return None, [DataProblem(name, "FeatureCollection has no 'features' list",
                                  field="features")]
    problems = _check_crs(doc, name)
    geoms: list[tuple[int | str, Any]] = []
    for index, feat in enumerate(features):
        geom, feat_problems = _check_feature(feat, index, name)
        problems.extend(feat_problems)
        if geom is not None:
            geoms.append((_row(feat, index), geom))
    if not problems:
        kind = key or next((k for k, f in LAYER_FILES.items() if f == name), None)
        problems.extend(_check_coordinates(geoms, name, kind))
    if not problems:
        for row, geom in geoms:
            if not geom.is_valid:
                problems.append(DataProblem(
                    name, f"invalid geometry: {shapely.is_valid_reason(geom)}",
                    row=row, field="geometry",
                ))
    counts = Counter(f["properties"]["id"] for f in features
                     if isinstance(f, dict) and isinstance(f.get("properties"), dict)
                     and isinstance(f["properties"].get("id"), str))
    for fid, count in sorted(counts.items()):
        if count > 1:
            problems.append(DataProblem(name, f"duplicate id ({count} features)", row=fid,
                                        field="id", value=fid))
    if problems:
        return None, problems
    frame = _frame(features, [g for _, g in geoms])
    if key is not None:
        problems.extend(_missing_catalog_ids(frame, key, name))
    return frame, problems


def load_layer(path: str | Path, key: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer file, raising if anything is wrong with it.

    Parameters
    ----------
    path : str or Path
        A GeoJSON file.
    key : str, optional
        Its layer key (see :func:`check_layer`).

    Returns
    -------
    GeoDataFrame
        Features in EPSG:4326 with the catalog's required columns first.

    Raises
    ------
    LayerError
        With every :class:`~geo.problems.DataProblem` found; a ``DataError``.

    Examples
    --------
    >>> load_layer("data/layers/stepanakert.geojson")["id"].tolist()
    ['stepanakert', 'renaissance-square']
    """
    frame, problems = check_layer(path, key)
    if problems:
        raise LayerError(problems)
    return frame


def load_layers(data_dir: str | Path) -> LayerSet:
    """Load every layer of the catalog; report failing files and keep the rest.

    Parameters
    ----------
    data_dir : str or Path
        The ``data/`` directory (files are read from its ``layers/``
        subdirectory) or a directory holding the layer files directly.

    Returns
    -------
    LayerSet
        ``layers`` keyed by :data:`geo.catalog.LAYER_FILES` keys (only those
        that loaded), ``problems`` for all files.

    Examples
    --------
    >>> result = load_layers("data")
    >>> sorted(result.layers), result.problems
    (['context', 'countries', 'lachin_corridor', 'nagorno_karabakh', 'places', 'stepanakert'], [])
    """
    data_dir = Path(data_dir)
    folder = data_dir / "layers" if (data_dir / "layers").is_dir() else data_dir
    result = LayerSet()
    for key, file_name in LAYER_FILES.items():
        frame, problems = check_layer(folder / file_name, key)
        result.problems.extend(problems)
        if frame is not None:
            result.layers[key] = frame
    return result
