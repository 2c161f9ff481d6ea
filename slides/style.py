"""Sizes and styles of a slide image: the web map's Leaflet styles turned into matplotlib's.

The colours, weights and dash patterns come from the layer modules' own style
functions (``layers/*.py``), so the image and the web map cannot drift apart.
Sizes are given in pixels of a 1920×1080 image and scaled with the image.
"""

from __future__ import annotations

import re

from matplotlib.colors import to_rgba

__all__ = ["BASE", "BASE_DPI", "WEB_PX", "scale_for", "Sizer", "polygon_kwargs", "line_kwargs", "point_kwargs",
           "dashes"]

#: The reference image size: sizes below are pixels at this size.
BASE = (1920, 1080)
#: Figure dpi at the reference size (1 point = 100/72 pixels).
BASE_DPI = 100.0
#: Image pixels per CSS pixel of the web map at the reference size: a 1920×1080
#: slide looks like the page at 1280 CSS pixels on a 1.5x screen.
WEB_PX = 1.5

#: Leaflet's path defaults (L.Path.options).
_LEAFLET = {"color": "#3388ff", "weight": 3, "opacity": 1.0, "fillOpacity": 0.2}


def scale_for(width: int, height: int) -> float:
    """How much larger than at 1920×1080 every size (text, lines, markers) is drawn.

    The square root of the area ratio, so a portrait 1080×1920 image keeps the
    reference sizes, 3840×2160 doubles them; at least 0.5, so small images stay
    legible.

    >>> scale_for(1920, 1080), scale_for(3840, 2160), scale_for(320, 320)
    (1.0, 2.0, 0.5)
    """
    return max(0.5, ((width * height) / (BASE[0] * BASE[1])) ** 0.5)


class Sizer:
    """Converts reference pixels to matplotlib points for a figure at ``BASE_DPI * scale`` dpi.

    >>> Sizer(1.0).pt(100)   # 100 px at 1920x1080 = 72 pt at 100 dpi
    72.0
    >>> Sizer(2.0).px(10)    # the same 10 px is 20 image pixels at twice the size
    20.0
    """

    def __init__(self, scale: float):
        self.scale = scale
        self.dpi = BASE_DPI * scale

    def pt(self, px: float) -> float:
        """Points for ``px`` reference pixels (points scale with the figure's dpi)."""
        return px * 72.0 / BASE_DPI

    def px(self, px: float) -> float:
        """Image pixels for ``px`` reference pixels."""
        return px * self.scale

    def web(self, css_px: float) -> float:
        """Points for a web map size in CSS pixels (line weight, marker radius)."""
        return self.pt(css_px * WEB_PX)


def dashes(style: dict, sizer: Sizer) -> str | tuple:
    """A matplotlib linestyle for a Leaflet ``dashArray`` (CSS pixels), or "solid".

    Dash lengths are absolute points (the renderer turns ``lines.scale_dashes`` off).

    >>> dashes({"dashArray": "6 4"}, Sizer(1.0))
    (0, (6.48, 4.32))
    >>> dashes({}, Sizer(1.0))
    'solid'
    """
    pattern = style.get("dashArray")
    if not pattern:
        return "solid"
    numbers = [float(v) for v in re.split(r"[\s,]+", str(pattern).strip()) if v]
    if not numbers or not any(numbers):
        return "solid"
    if len(numbers) % 2:
        numbers = numbers * 2
    return (0, tuple(round(sizer.web(n), 3) for n in numbers))


def polygon_kwargs(style: dict, sizer: Sizer) -> dict:
    """``GeoSeries.plot`` keywords for a polygon with a Leaflet path style.

    >>> kw = polygon_kwargs({"color": "#555555", "weight": 1.2, "fillColor": "#eadfc8", "fillOpacity": 0.55},
    ...                     Sizer(1.0))
    >>> kw["facecolor"][3], kw["edgecolor"], round(kw["linewidth"], 2)
    (0.55, (0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 1.0), 1.3)
    """
    s = {**_LEAFLET, **style}
    face = "none"
    if s.get("fill", True) is not False:
        face = to_rgba(s.get("fillColor") or s["color"], float(s["fillOpacity"]))
    edge = "none" if s.get("stroke", True) is False else to_rgba(s["color"], float(s["opacity"]))
    return {"facecolor": face, "edgecolor": edge, "linewidth": sizer.web(float(s["weight"])),
            "linestyle": dashes(s, sizer)}


def line_kwargs(style: dict, sizer: Sizer) -> dict:
    """``GeoSeries.plot`` keywords for a line with a Leaflet path style.

    >>> line_kwargs({"color": "#333333", "weight": 3, "dashArray": "8 6", "opacity": 0.9}, Sizer(1.0))["linestyle"]
    (0, (8.64, 6.48))
    """
    s = {**_LEAFLET, **style}
    return {"color": to_rgba(s["color"], float(s["opacity"])), "linewidth": sizer.web(float(s["weight"])),
            "linestyle": dashes(s, sizer)}


def point_kwargs(style: dict, sizer: Sizer, radius: float = 6) -> dict:
    """Per-point ``Axes.scatter`` values for a Leaflet circle marker style.

    ``s`` is the marker's area in points² (its diameter squared).

    >>> kw = point_kwargs({"radius": 5, "color": "#ffffff", "weight": 2, "fillColor": "#6a3d9a"}, Sizer(1.0))
    >>> round(kw["s"], 1), kw["radius_pt"]
    (116.6, 5.4)
    """
    s = {**_LEAFLET, "fillOpacity": 0.9, **style}
    r = sizer.web(float(style.get("radius", radius)))
    return {"s": (2 * r) ** 2, "radius_pt": r,
            "facecolor": to_rgba(s.get("fillColor") or s["color"], float(s["fillOpacity"])),
            "edgecolor": to_rgba(s["color"], float(s["opacity"])),
            "linewidth": sizer.web(float(s["weight"]))}
