"""Dashed great-circle lines from the far venues to the region, labelled in km.

All the lines are in the layer; the page's state says which venues' lines show
(a tour step whose view takes in Brussels, Moscow or The Hague), and one label
at the shared target lists their distances, so that labels of nearby venues
(Brussels, The Hague) do not overlap."""

from __future__ import annotations

import folium
from pyproj import Geod

from geo.distances import Link
from layers._script import Group, ScriptElement, js_json

_GEOD = Geod(ellps="WGS84")


class DistanceLines(ScriptElement):
    """The lines' data, drawn by ``DashMap.distances`` (static/js/dash-map.js)."""

    def __init__(self, links: list[Link]):
        super().__init__()
        self._name = "DistanceLines"
        lines = []
        for link in links:
            (alat, alon), (blat, blon) = link.venue, link.target
            mid = _GEOD.npts(alon, alat, blon, blat, 30)
            path = [(alat, alon), *[(y, x) for x, y in mid], (blat, blon)]
            lines.append({"venue": link.venue_id, "name": link.venue_name.split(" (")[0],
                          "path": [[round(a, 5), round(b, 5)] for a, b in path], "km": round(link.km)})
        target = links[0] if links else None
        self.data_json = js_json({"lines": lines, "target": None if target is None else
                                  {"name": target.target_name, "at": list(target.target)}})

    def script_text(self) -> str:
        return f"DashMap.distances({self._parent.get_name()}, {self.data_json});"


def build(links: list[Link], *, name: str = "Distances") -> folium.FeatureGroup:
    """One dashed geodesic line per link (its length on hover) and the shared label."""
    fg = Group(name=name, show=False)
    DistanceLines(links).add_to(fg)
    return fg
