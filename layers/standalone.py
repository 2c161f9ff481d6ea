"""The current map as one standalone HTML file that opens with no network.

folium's ``Map.save()`` links Leaflet and jQuery by URL (here: the local
``/app/static/vendor`` copies, which exist only while Streamlit serves them).
:func:`standalone_html` renders the same document and puts the text of those
files into it instead, plus a title bar naming the layers and the date window.
Nothing is fetched when the file is opened, except map tiles if the map has a
web basemap.

:func:`standalone_page` exports what the page shows: the same map, the
window's events and the state, applied by the same browser code::

    html = standalone_page(data.layers, window_events, state, title=EXPORT_TITLE,
                           subtitle=export_subtitle(state.layers, state.window))
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Sequence

import folium
import pandas as pd

from geo.catalog import CATEGORIES, LAYER_LABELS
from layers.assets import CSS_FILES, JS_FILES, MAP_JS, STATIC_URL, VENDOR_FILES, app_script, app_url, inline_assets
from layers.safe_html import esc

__all__ = ["standalone_html", "standalone_page", "export_filename", "export_subtitle", "EXPORT_TITLE"]

#: Default title of an exported map.
EXPORT_TITLE = "Armenia–Azerbaijan: Nagorno-Karabakh and the Lachin corridor"

#: Any tag that makes the browser fetch a script or a stylesheet.
_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)[^>]*>\s*</script\s*>", re.I)
_LINK_HREF = re.compile(r"<link\b(?=[^>]*\brel\s*=\s*[\"']?stylesheet)[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]+)[^>]*>",
                        re.I)
_SOURCE_MAP = re.compile(r"^\s*//[#@] sourceMappingURL=\S*\s*$", re.M)
_CSS_IMAGE = re.compile(r"url\(\s*[\"']?(images/[\w.-]+\.png)[\"']?\s*\)")

_HEADER_CSS = """
html, body { height: 100%; margin: 0; padding: 0; }
body { display: flex; flex-direction: column; font-family: sans-serif; }
.export-header { flex: 0 0 auto; padding: 6px 12px; background: #2b2b2b; color: #fff;
  line-height: 1.3; box-shadow: 0 1px 3px rgba(0,0,0,.35); z-index: 1001; }
.export-header h1 { margin: 0; font-size: 16px; font-weight: 600; }
.export-header p { margin: 2px 0 0; font-size: 12px; color: #ddd; }
body > .folium-map { flex: 1 1 auto; height: auto !important; min-height: 0; }
"""


def _day(value: dt.date | pd.Timestamp, name: str) -> dt.date:
    if value is None or not isinstance(value, (dt.date, pd.Timestamp)) or pd.isna(value):
        raise ValueError(f"{name} must be a datetime.date or pandas.Timestamp, got {value!r}")
    return pd.Timestamp(value).date()


def _window(window: Sequence) -> tuple[dt.date, dt.date]:
    try:
        start, end = window
    except (TypeError, ValueError):
        raise ValueError(f"window must be a (start, end) pair of dates, got {window!r}") from None
    first, last = _day(start, "window start"), _day(end, "window end")
    if first > last:
        raise ValueError(f"window start ({first}) is after its end ({last})")
    return first, last


def export_filename(window: Sequence) -> str:
    """The download name of an exported map for a date window.

    Parameters
    ----------
    window : (datetime.date, datetime.date)
        First and last day of the window (``pandas.Timestamp`` works too).

    Returns
    -------
    str
        ``armenia-azerbaijan-map-<start>_<end>.html`` with ISO dates.

    Raises
    ------
    ValueError
        If ``window`` is not a pair of dates or starts after it ends.

    Examples
    --------
    >>> export_filename((dt.date(2023, 7, 1), dt.date(2023, 7, 12)))
    'armenia-azerbaijan-map-2023-07-01_2023-07-12.html'
    """
    first, last = _window(window)
    return f"armenia-azerbaijan-map-{first:%Y-%m-%d}_{last:%Y-%m-%d}.html"


def export_subtitle(visible: Iterable[str], window: Sequence) -> str:
    """The header line of an export: the visible layers and the window.

    Parameters
    ----------
    visible : iterable of str
        Visible layer keys (geographic keys and ``"cat:<category>"``), as in
        :func:`layers.compose.dynamic_groups`. Unknown keys are ignored.
    window : (datetime.date, datetime.date)
        The inclusive date window.

    Returns
    -------
    str
        Plain text (escape it before putting it into HTML;
        :func:`standalone_html` does).

    Examples
    --------
    >>> export_subtitle({"countries"}, (dt.date(2023, 7, 1), dt.date(2023, 7, 12)))
    'Layers: Armenia and Azerbaijan; window 1 Jul 2023 – 12 Jul 2023'
    """
    first, last = _window(window)
    keys = set(visible)
    labels = [label for key, label in LAYER_LABELS.items() if key in keys]
    labels += [label for cat, label in CATEGORIES.items() if f"cat:{cat}" in keys]
    return (f"Layers: {', '.join(labels) if labels else 'none'}; "
            f"window {first.day} {first:%b %Y} – {last.day} {last:%b %Y}")


def _inline_css(css: str) -> str:
    """Leaflet's CSS with its ``url(images/…)`` turned into data: URIs."""
    images = VENDOR_FILES["leaflet.css"].parent

    def data_uri(match: re.Match) -> str:
        path = images / match.group(1)
        if not path.is_file():
            raise FileNotFoundError(f"leaflet.css names {match.group(1)}, which is not at {path}")
        return f'url("data:image/png;base64,{base64.b64encode(path.read_bytes()).decode("ascii")}")'

    return _CSS_IMAGE.sub(data_uri, css).replace("</style", "<\\/style")


def _inline_js(js: str) -> str:
    """Script text safe inside one ``<script>`` element, without source-map links."""
    js = _SOURCE_MAP.sub("", js)
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)


def _replace_vendor_tags(html: str) -> str:
    """Swap the vendor ``<script src>``/``<link href>`` for inline copies; raise
    if any other script or stylesheet is still linked."""
    js, css = inline_assets()
    app_urls = {app_url(name): name for name in MAP_JS}
    js_urls = {f"{STATIC_URL}/{name}" for name in JS_FILES}
    css_urls = {f"{STATIC_URL}/{name}" for name in CSS_FILES}
    seen: set[str] = set()

    def script(match: re.Match) -> str:
        url = match.group(1)
        if url in app_urls:
            return f"<script>\n{_inline_js(app_script(app_urls[url]))}\n</script>"
        if url not in js_urls:
            return match.group(0)
        seen.add(url)
        # inline_assets() joins every JS file in JS_FILES order, which is the
        # order use_offline_assets() links them in: the first tag gets all.
        return f"<script>\n{_inline_js(js)}\n</script>" if len(seen & js_urls) == 1 else ""

    def link(match: re.Match) -> str:
        # Removed here; the inline copy goes first in <head> (see below).
        url = match.group(1)
        if url not in css_urls:
            return match.group(0)
        seen.add(url)
        return ""

    # Only the <head> links assets; the body holds data and must not be rewritten.
    head_end = html.find("</head>")
    if head_end < 0:
        raise ValueError("the rendered map has no </head>: cannot inline its assets")
    head = _LINK_HREF.sub(link, _SCRIPT_SRC.sub(script, html[:head_end]))
    # Leaflet's CSS goes before every other style, so that the map's own rules
    # (e.g. the .leaflet-container background in layers/basemap.py) override it
    # as they do on the page, where the stylesheet loads first.
    head = head.replace("<head>", f"<head>\n<style>\n{_inline_css(css)}\n</style>", 1)
    html = head + html[head_end:]
    missing = sorted((js_urls | css_urls) - seen)
    if missing:
        raise ValueError(f"the map does not link {', '.join(missing)}: build it with "
                         "layers.basemap.build_base_map (or layers.assets.use_offline_assets)")
    left = [m.group(1) for pat in (_SCRIPT_SRC, _LINK_HREF) for m in pat.finditer(html)]
    if left:
        raise ValueError(f"the map links assets that cannot be inlined: {', '.join(left)} "
                         "(an element added its own CDN script or stylesheet)")
    return html


def standalone_html(base_map: folium.Map, *, title: str, subtitle: str = "") -> str:
    """Render ``base_map`` as one HTML file with nothing to download.

    Leaflet, Leaflet's CSS (with its images as data: URIs) and the dashboard's map
    scripts are inlined in place of their ``/app/static`` links. Only a web
    basemap's tiles are fetched when the file is opened.

    Parameters
    ----------
    base_map : folium.Map
        A map from :func:`layers.basemap.build_base_map` or
        :func:`layers.compose.build_map`.
    title : str
        The document title and the header's heading (plain text, escaped here).
    subtitle : str, optional
        A second header line, e.g. from :func:`export_subtitle` (plain text,
        escaped here).

    Returns
    -------
    str
        A complete HTML document.

    Raises
    ------
    ValueError
        If the map does not link the local vendor assets, or some element
        links a script or stylesheet that cannot be inlined (e.g. a CDN).
    """
    if not isinstance(base_map, folium.Map):
        raise TypeError(f"base_map must be a folium.Map, got {type(base_map).__name__}")
    html = _replace_vendor_tags(base_map.get_root().render())

    head = (f"<title>{esc(title)}</title>\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
            f"<style>{_HEADER_CSS}</style>\n")
    bar = f'<header class="export-header"><h1>{esc(title)}</h1>'
    if subtitle:
        bar += f"<p>{esc(subtitle)}</p>"
    bar += "</header>\n"
    html = html.replace("<head>", "<head>\n" + head, 1)
    html, n = re.subn(r"<body>", lambda _: "<body>\n" + bar, html, count=1)
    if n != 1:
        raise ValueError("the rendered map has no <body>: cannot add the header")
    return html


def standalone_page(layers: dict, window_events: pd.DataFrame, state, *, title: str, subtitle: str = "",
                    view: dict | None = None) -> str:
    """The map as the page shows it, as one HTML file with nothing to download.

    The same map as the page (:func:`layers.compose.build_map`), the events of
    the window of the visible categories (``window_events``, any order) in the
    store's JSON form, and the state ``state`` (a :class:`geo.view_state.ViewState`:
    layers, window, basemap) applied by the same browser code (``static/js``,
    inlined). ``view``: {"bounds": [[s, w], [n, e]]} or {"center", "zoom"}
    (default: the region).
    """
    from geo.catalog import MAP_BOUNDS
    from geo.dates import span_of
    from geo.window import EventIndex
    from layers._script import js_json
    from layers.compose import build_map
    from layers.store import events_store, store_json

    shown = window_events["category"].astype(str).map(lambda c: f"cat:{c}" in state.layers).to_numpy(dtype=bool) \
        if len(window_events) else []
    index = EventIndex.build(window_events[shown] if len(window_events) else window_events)
    data = store_json(events_store(index.table, "export", span_of(index.table)))
    view = {**(view or {"bounds": MAP_BOUNDS}), "nonce": 1}
    browser = {"layers": sorted(state.layers), "window": [state.window[0].isoformat(), state.window[1].isoformat()],
               "basemap": state.basemap, "sel": None, "open": None, "view": view, "tour": None, "distances": [],
               "standalone": True}
    html = standalone_html(build_map(layers), title=title, subtitle=subtitle)
    boot = ("<script>\n" + _inline_js(app_script("js/dash-page.js")) + "\n</script>\n<script>\n"
            + "DashPage.setData(" + js_json(data) + ");\nDashPage.setState(" + js_json(browser) + ");\n</script>\n")
    return html.replace("</body>", boot + "</body>", 1)

