"""Dashed great-circle lines from far venues to the region, labelled in km."""

from __future__ import annotations

import folium
from pyproj import Geod

from geo.distances import Link
from layers.safe_html import esc

_GEOD = Geod(ellps="WGS84")


def build(links: list[Link], *, name: str = "Distances", show: bool = True) -> folium.FeatureGroup:
    """One dashed geodesic line per link (its length on hover), and one
    permanent label at the shared target listing every distance, so that
    labels of nearby venues (Brussels, The Hague) do not overlap."""
    fg = folium.FeatureGroup(name=name, show=show)
    for link in links:
        (alat, alon), (blat, blon) = link.venue, link.target
        mid = _GEOD.npts(alon, alat, blon, blat, 30)
        path = [(alat, alon), *[(y, x) for x, y in mid], (blat, blon)]
        label = f"{link.venue_name} → {link.target_name}: {link.km:,.0f} km"
        folium.PolyLine(path, color="#56B4E9", weight=2.5, dash_array="8 8",
                        tooltip=folium.Tooltip(esc(label))).add_to(fg)
    if links:
        lines = "<br>".join(f"{esc(link.venue_name.split(' (')[0])}: {link.km:,.0f} km"
                            for link in sorted(links, key=lambda k: k.km))
        folium.CircleMarker(links[0].target, radius=3, color="#56B4E9", fill=True, fill_opacity=1,
                            tooltip=folium.Tooltip(f"<b>To {esc(links[0].target_name)}</b><br>{lines}",
                                                   permanent=True, direction="left",
                                                   class_name="distance-label")).add_to(fg)
    return fg
