"""The usual streamlit-folium approach, for comparison: on every rerun, a new
``folium.Map`` with one ``folium.Marker`` and ``folium.Popup`` per event,
handed to ``st_folium`` whole (no ``feature_group_to_add``).

Leaflet and jQuery come from ``/app/static/vendor`` like ours, so the baseline
paints offline too (the only change from a stock folium map; Leaflet finds
its marker icon next to the local leaflet.css).
"""

from __future__ import annotations

import folium
import pandas as pd

from layers.assets import use_offline_assets


def baseline_map(events: pd.DataFrame) -> folium.Map:
    """A folium Map with one Marker and Popup (date, title, location, notes) per event."""
    m = folium.Map(location=[40.0, 46.5], zoom_start=7, tiles=None)
    use_offline_assets(m)
    for ev in events.itertuples(index=False):
        html = (f"<b>{ev.title}</b><br>{ev.event_date:%d %b %Y}<br>{ev.location}<br>{ev.summary}")
        folium.Marker([ev.latitude, ev.longitude], popup=folium.Popup(html, max_width=300),
                      tooltip=str(ev.title)).add_to(m)
    return m
