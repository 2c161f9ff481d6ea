"""The usual streamlit-folium approach, for comparison: on every rerun, a new
``folium.Map`` with one ``folium.Marker`` and ``folium.Popup`` per event,
handed to ``st_folium`` whole (no ``feature_group_to_add``).

Leaflet and jQuery (which folium's ``Popup`` needs) come from
``/app/static/vendor``, copied from their XStatic packages, so the baseline paints
offline too: the only change from a stock folium map (Leaflet finds its marker
icon next to the local leaflet.css). Bootstrap and awesome-markers, which plain
markers do not use, are left out.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import folium
import pandas as pd
import xstatic.pkg.jquery as xjquery

from layers.assets import CSS_FILES, JS_FILES, STATIC_URL, ensure_vendor_assets

JQUERY = Path(xjquery.BASE_DIR) / "jquery.min.js"


def ensure_baseline_assets(static_dir: str | Path) -> Path:
    """Leaflet (as the dashboard's) and jQuery in ``static_dir/vendor``; returns that folder."""
    vendor = ensure_vendor_assets(static_dir)
    dest = vendor / "jquery.min.js"
    if not dest.exists() or dest.stat().st_size != JQUERY.stat().st_size:
        shutil.copyfile(JQUERY, dest)
    return vendor


def baseline_map(events: pd.DataFrame) -> folium.Map:
    """A folium Map with one Marker and Popup (title, date, location, summary) per event."""
    m = folium.Map(location=[40.0, 46.5], zoom_start=7, tiles=None)
    m.default_js = ([(name.split(".")[0], f"{STATIC_URL}/{name}") for name in JS_FILES]
                    + [("jquery", f"{STATIC_URL}/jquery.min.js")])
    m.default_css = [(name.split(".")[0] + "_css", f"{STATIC_URL}/{name}") for name in CSS_FILES]
    for ev in events.itertuples(index=False):
        text = (f"<b>{html.escape(str(ev.title))}</b><br>{ev.event_date:%d %b %Y}<br>"
                f"{html.escape(str(ev.location))}<br>{html.escape(str(ev.summary))}")
        folium.Marker([ev.latitude, ev.longitude], popup=folium.Popup(text, max_width=300),
                      tooltip=html.escape(str(ev.title))).add_to(m)
    return m
