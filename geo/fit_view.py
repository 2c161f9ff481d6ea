"""Turn a lat/lon box into the centre and zoom that show it on a Web Mercator map."""

from __future__ import annotations

import math


def _merc_y(lat: float) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(bounds, width_px: int = 520, height_px: int = 600, padding_px: int = 20,
             max_zoom: int = 18) -> tuple[tuple[float, float], int]:
    """Centre and the largest whole zoom at which ``bounds`` fits the map.

    Parameters
    ----------
    bounds : ((south, west), (north, east)) in degrees.
    width_px, height_px : map size in CSS pixels (default: about the tour's
        map column at 1280 px, with or without the sidebar).

    Returns
    -------
    ((lat, lon), zoom)

    Examples
    --------
    >>> fit_view(((38.0, 43.0), (42.5, 51.0)))
    ((40.28..., 47.0), 6)
    """
    (south, west), (north, east) = bounds
    if south > north or west > east:
        raise ValueError(f"bounds are reversed: {bounds}")
    w = max(width_px - 2 * padding_px, 1)
    h = max(height_px - 2 * padding_px, 1)
    y0, y1 = _merc_y(south), _merc_y(north)
    dlon = max(east - west, 1e-9)
    dy = max(y1 - y0, 1e-12)
    zoom_x = math.log2(w * 360.0 / (256 * dlon))
    zoom_y = math.log2(h * 2 * math.pi / (256 * dy))
    zoom = int(max(0, min(max_zoom, math.floor(min(zoom_x, zoom_y)))))
    lat = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    return (lat, (west + east) / 2), zoom
