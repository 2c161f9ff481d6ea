"""Geodesic distances from far venues (Brussels, Moscow, The Hague) to the region."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
from pyproj import Geod

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Link:
    """A venue joined to a target place, with the geodesic distance."""

    venue_id: str
    venue_name: str
    venue: tuple[float, float]  # (lat, lon)
    target_name: str
    target: tuple[float, float]
    km: float


def venue_links(places: gpd.GeoDataFrame, venue_ids, target: tuple[str, float, float],
                bounds=None) -> list[Link]:
    """Links from each venue in ``venue_ids`` (inside ``bounds`` if given) to ``target``.

    Parameters
    ----------
    places : point features with ``id`` and ``name`` (EPSG:4326).
    venue_ids : ids of the distant venues.
    target : (name, lat, lon) of the place the story happens at.
    bounds : ((south, west), (north, east)) or None; only venues inside are linked.

    Examples
    --------
    The Peace Palace in The Hague is about 3,500 km from Stepanakert,
    the Kremlin about 1,900 km.
    """
    name, lat, lon = target
    out = []
    for row in places[places["id"].isin(list(venue_ids))].itertuples():
        vlat, vlon = row.geometry.y, row.geometry.x
        if bounds is not None:
            (s, w), (n, e) = bounds
            if not (s <= vlat <= n and w <= vlon <= e):
                continue
        _, _, metres = _GEOD.inv(vlon, vlat, lon, lat)
        out.append(Link(row.id, row.name, (vlat, vlon), name, (lat, lon), metres / 1000))
    return out
