"""What ``st_folium`` sends to the browser, computed without a Streamlit runtime.

:func:`component_args` repeats, step by step, the work of
``streamlit_folium.st_folium`` (0.27) up to the call of the component: render
the map, take its html, header and script, turn each dynamic FeatureGroup into
its script, collect the css/js links and hash the script. Its result is what
Streamlit serialises as the component's arguments; :func:`payload_bytes`
measures that as JSON.
"""

from __future__ import annotations

import json

import branca
import folium
import folium.elements
import streamlit_folium as sf


def component_args(m: folium.Map, feature_groups: list[folium.FeatureGroup] | None = None,
                   key: str = "map", returned_objects=("last_object_clicked_tooltip",)) -> dict:
    """The arguments ``st_folium(m, key=key, feature_group_to_add=feature_groups, ...)``
    would send (same order of operations, same helpers)."""
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    leaflet = sf._get_map_string(m)
    m_id = sf.get_full_id(m)
    feature_group_string = None
    if feature_groups is not None:
        feature_group_string = "".join(
            sf._get_feature_group_string(fg, map=m, idx=i) for i, fg in enumerate(feature_groups))

    def walk(el):
        if isinstance(el, branca.colormap.ColorMap):
            yield el
        if isinstance(el, folium.elements.JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    css_links, js_links = [], []
    for el in walk(m):
        css_links.extend(href for _, href in getattr(el, "default_css", []))
        js_links.extend(src for _, src in getattr(el, "default_js", []))
    hash_key = sf.generate_js_hash(leaflet, key, False)
    return {
        "script": leaflet, "header": header, "html": html, "id": m_id, "key": hash_key,
        "height": 620, "width": None, "returned_objects": list(returned_objects),
        "zoom": None, "center": None, "feature_group": feature_group_string,
        "return_on_hover": False, "layer_control": None, "pixelated": False,
        "css_links": list(dict.fromkeys(css_links)), "js_links": list(dict.fromkeys(js_links)),
        "wrap_longitude": False,
    }


def payload_bytes(args: dict) -> int:
    """Size in bytes of the component arguments as JSON, serialised the way
    Streamlit's ``custom_component`` does (``json.dumps`` with its defaults)."""
    return len(json.dumps(args))
