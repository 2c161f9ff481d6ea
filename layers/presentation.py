"""The tour as one offline presentation file: an HTML file that opens from ``file://``
with the network off and walks every step with the page's keys.

It holds the map (:func:`layers.compose.build_map`, every layer), Leaflet and the
dashboard's scripts inlined (:func:`layers.standalone.standalone_html`), the events
and the tour in the store's JSON form, and one browser state per step
(:func:`geo.page_model.step_state`). In the browser, the page's own code applies
them: ``dash-page.js`` (the state, the keys, B to blank), ``dash-map.js`` (the map),
``dash-tour.js`` (the step's text, sources and notes) and ``dash-deck.js`` (the
walk, and the speaker notes window that S opens)::

    html = presentation_html(load_dataset("data"))
    Path("tour.html").write_text(html, encoding="utf-8")

Every text from data goes into the page as text (JSON in a script, read by code that
makes text nodes); only http(s) links become links; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from geo.dataset import LAYER_KEYS
from geo.dates import span_of
from geo.page_model import feature_ids, make_spec, step_state
from geo.window import EventIndex
from layers._script import js_json
from layers.assets import PAGE_CSS, app_script
from layers.compose import build_map
from layers.safe_html import esc
from layers.standalone import EXPORT_TITLE, _inline_js, standalone_html
from layers.store import events_store, store_json

__all__ = ["presentation_html", "presentation_filename"]

#: The page's scripts the file runs after the map's, in order.
DECK_JS = ("js/dash-page.js", "js/dash-tour.js", "js/dash-deck.js")

_DECK_CSS = """
body { display: grid !important; grid-template-columns: minmax(300px, 32%) 1fr;
  grid-template-rows: auto minmax(0, 1fr); height: 100vh; }
body > .export-header { grid-column: 1 / -1; }
body > #deck-panel { grid-column: 1; grid-row: 2; overflow: auto; padding: 8px 14px;
  border-right: 1px solid #ddd; background: #fff; font-size: 17px; }
body > .folium-map { grid-column: 2; grid-row: 2; position: relative !important; width: 100% !important;
  height: 100% !important; }
#deck-panel .dash-tour .present, #deck-panel .dash-tour .leave { display: none; }
#deck-help { color: #555; font-size: 13px; margin: 10px 0 0; }
@media (max-width: 700px) {
  body { grid-template-columns: 1fr; grid-template-rows: auto 55vh auto; height: auto; }
  body > .folium-map { grid-column: 1; grid-row: 2; height: 55vh !important; }
  body > #deck-panel { grid-column: 1; grid-row: 3; border-right: 0; }
}
"""

_HELP = ("Keys: Page Down, Right arrow or Space: next · Page Up, Left arrow: previous · Home / End: "
         "first / last · B: blank the screen · S: speaker notes in a second window")


def presentation_filename(title: str = "tour") -> str:
    """The download name of a presentation file.

    >>> presentation_filename()
    'armenia-azerbaijan-tour.html'
    """
    from slides.bundle import slug

    return f"armenia-azerbaijan-{slug(title) or 'tour'}.html"


def presentation_html(data, tour: Sequence | None = None, *, events: pd.DataFrame | None = None,
                      title: str = EXPORT_TITLE, basemap: str = "none") -> str:
    """The tour ``tour`` (default: ``data.tour``) as one HTML document with nothing to download.

    Parameters
    ----------
    data : geo.dataset.Dataset
        The loaded data: its layers are drawn, its events shown (unless ``events``).
    tour : sequence of geo.load_tour.TourStep, optional
        The steps, in order (numbered 1..N as loaded).
    events : pandas.DataFrame, optional
        The events to carry instead of ``data.events`` (e.g. with a user's imports).
    title : str
        The document's title and header (plain text; escaped).
    basemap : str
        The basemap key of every step (default "none": the offline one; a web basemap
        needs a network when the file is opened).

    Raises
    ------
    ValueError
        If the tour has no steps.
    """
    steps = list(data.tour if tour is None else tour)
    if not steps:
        raise ValueError("the tour has no steps: there is nothing to present")
    table = data.events if events is None else events
    index = EventIndex.build(table)
    span = span_of(index.table)
    spec = make_spec(LAYER_KEYS, index.table, feature_ids(data.layers), ("none", "osm", "carto"), len(steps))
    places = data.layers.get("places")
    points = ({str(r.id): (r.geometry.y, r.geometry.x) for r in places.itertuples()} if places is not None else {})
    states = [step_state(step, spec, index=index, venue_points=points, of=len(steps), basemap=basemap,
                         nonce=i + 1) for i, step in enumerate(steps)]
    for st in states:
        st["standalone"] = True
    store = store_json(events_store(index.table, "presentation", span, steps))
    subtitle = f"{len(steps)} steps · {_HELP}"
    html = standalone_html(build_map(data.layers), title=title, subtitle=subtitle)
    css = app_script(PAGE_CSS).replace("</style", "<\\/style")
    html = html.replace("</head>", f"<style>{_DECK_CSS}</style>\n<style>{css}</style>\n</head>", 1)
    panel = ('<aside id="deck-panel" aria-label="Tour step"><div id="deck-tour"></div>'
             f'<p id="deck-help">{esc(_HELP)}</p></aside>\n')
    html = html.replace("</header>\n", "</header>\n" + panel, 1)
    scripts = "".join(f"<script>\n{_inline_js(app_script(name))}\n</script>\n" for name in DECK_JS)
    boot = ("<script>\nDashPage.setData(" + _inline_js(js_json(store)) + ");\n"
            "DashDeck.start(" + _inline_js(js_json(states)) + ", document.getElementById('deck-tour'));\n</script>\n")
    return html.replace("</body>", scripts + boot + "</body>", 1)
