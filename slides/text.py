"""The words of a slide image: place labels, the window, the caption's lists and credits.

Pure functions of plain data (no matplotlib), so the caption can be checked
without drawing it. Every string here is plain text: the renderer draws it with
matplotlib's mathtext and TeX off, so a ``$`` in data stays a ``$``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from geo.catalog import CATEGORIES, LAYER_LABELS

__all__ = [
    "DATA_CREDITS",
    "LAYER_CREDITS",
    "BASEMAP_CREDITS",
    "label_text",
    "window_text",
    "layers_text",
    "data_credits",
    "event_publishers",
    "join_limited",
    "truncate",
    "caption_lines",
]

#: Credit line of each data source of the layers (data/README.md, "Sources, versions, licences").
DATA_CREDITS: dict[str, str] = {
    "naturalearth": "Natural Earth (public domain)",
    "geonames": "GeoNames (CC BY 4.0)",
    "wdbii": "WDBII rivers, GSHHG (LGPL)",
}

#: Data sources behind each geographic layer. The corridor's polygons are buffers of
#: hand-placed waypoints (no outside data), drawn over Natural Earth's border.
LAYER_CREDITS: dict[str, tuple[str, ...]] = {
    "countries": ("naturalearth",),
    "nagorno_karabakh": ("naturalearth",),
    "stepanakert": ("geonames",),
    "lachin_corridor": ("naturalearth",),
    "places": ("geonames",),
    "context": ("naturalearth", "wdbii"),
}

#: The image's basemap (lakes, rivers, coast, borders) is the ``context`` layer.
BASEMAP_CREDITS: tuple[str, ...] = LAYER_CREDITS["context"]


def _clean(value: object) -> str:
    """A property as one line of text: '' for missing values, whitespace runs made one space."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def label_text(props: dict) -> str:
    """A map label: the feature's ``name``, and its ``name_alt`` where it differs.

    Several alternative names (``"; "``-separated) go on a second line, as does
    an alternative name that would make a long single line. An alternative that
    the name already contains (``"Moscow (The Kremlin)"`` / ``"Kremlin"``) is
    left out.

    Parameters
    ----------
    props : dict
        Feature properties with ``name`` and optionally ``name_alt``.

    Returns
    -------
    str
        Plain text, possibly two lines.

    Examples
    --------
    >>> label_text({"name": "Stepanakert", "name_alt": "Khankendi (Xankəndi)"})
    'Stepanakert / Khankendi (Xankəndi)'
    >>> label_text({"name": "Shusha", "name_alt": "Shushi"})
    'Shusha / Shushi'
    >>> label_text({"name": "Goris", "name_alt": ""})
    'Goris'
    >>> label_text({"name": "Moscow (The Kremlin)", "name_alt": "Kremlin"})
    'Moscow (The Kremlin)'
    >>> print(label_text({"name": "Nagorno-Karabakh",
    ...                   "name_alt": "Artsakh (Armenian); Dağlıq Qarabağ (Azerbaijani)"}))
    Nagorno-Karabakh
    Artsakh (Armenian) / Dağlıq Qarabağ (Azerbaijani)
    """
    name = _clean(props.get("name"))
    alts = [a for a in (_clean(part) for part in _clean(props.get("name_alt")).split(";")) if a]
    alts = [a for a in alts if a.casefold() not in name.casefold()]
    if not alts:
        return name
    alt = " / ".join(alts)
    if len(alts) > 1 or len(name) + len(alt) > 34:
        return f"{name}\n{alt}"
    return f"{name} / {alt}"


def window_text(window: Sequence[dt.date]) -> str:
    """The date window as the caption shows it, both days inclusive.

    Examples
    --------
    >>> window_text((dt.date(2023, 7, 1), dt.date(2023, 7, 15)))
    '1 Jul 2023 – 15 Jul 2023'
    >>> window_text((dt.date(2023, 7, 14), dt.date(2023, 7, 14)))
    '14 Jul 2023'
    """
    first, last = window
    if first == last:
        return f"{first.day} {first:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


#: Layer labels in the caption: the page's, with a shorter one for the basemap context.
CAPTION_LAYER_LABELS: dict[str, str] = {**LAYER_LABELS, "context": "Lakes, rivers, coast, borders"}


def layers_text(visible: Iterable[str]) -> list[str]:
    """Caption labels of the visible layers, geographic layers first, in the page's order.

    Examples
    --------
    >>> layers_text({"cat:protest", "countries", "context", "nonsense"})
    ['Armenia and Azerbaijan', 'Lakes, rivers, coast, borders', 'Protest']
    """
    keys = set(visible)
    labels = [label for key, label in CAPTION_LAYER_LABELS.items() if key in keys]
    labels += [label for cat, label in CATEGORIES.items() if f"cat:{cat}" in keys]
    return labels


def data_credits(drawn_layers: Iterable[str]) -> list[str]:
    """Credit lines of the data behind the drawn geographic layers, each once, in a fixed order.

    Examples
    --------
    >>> data_credits(["countries", "context", "places"])
    ['Natural Earth (public domain)', 'GeoNames (CC BY 4.0)', 'WDBII rivers, GSHHG (LGPL)']
    >>> data_credits(["places"])
    ['GeoNames (CC BY 4.0)']
    """
    keys = {key for layer in drawn_layers for key in LAYER_CREDITS.get(layer, ())}
    return [credit for key, credit in DATA_CREDITS.items() if key in keys]


def event_publishers(events: pd.DataFrame) -> list[str]:
    """The publishers cited by ``events``, each once, in the order of the table.

    Read from the ``sources`` lists (``publisher`` of each), or from the
    ``"; "``-joined ``source`` column when there are no lists.

    Examples
    --------
    >>> ev = pd.DataFrame({"sources": [[{"publisher": "TASS", "url": "https://tass.com"}],
    ...                                [{"publisher": "ICRC", "url": "https://icrc.org"},
    ...                                 {"publisher": "TASS", "url": "https://tass.com/x"}]]})
    >>> event_publishers(ev)
    ['TASS', 'ICRC']
    """
    if not len(events):
        return []
    names: list[str] = []
    if "sources" in events.columns:
        # Events repeat their source lists (imports): each distinct list is read once.
        seen_lists: set[int] = set()
        for sources in events["sources"].tolist():
            if not isinstance(sources, (list, tuple)) or id(sources) in seen_lists:
                continue
            seen_lists.add(id(sources))
            names += [_clean(s.get("publisher")) for s in sources if isinstance(s, dict)]
    elif "source" in events.columns:
        for joined in pd.unique(events["source"].astype(str)):
            names += [_clean(part) for part in joined.split(";")]
    return [n for n in dict.fromkeys(names) if n]


def join_limited(items: Sequence[str], fits: Callable[[str], bool] = lambda text: True, *,
                 sep: str = ", ", max_items: int | None = None, empty: str = "none") -> str:
    """Join ``items`` with ``sep``, ending in "and N more" when they do not all fit.

    As many leading items are kept as ``fits`` accepts (the whole text,
    "and N more" included) and ``max_items`` allows; at least one is kept.

    Parameters
    ----------
    items : sequence of str
    fits : callable
        ``fits(text) -> bool``: whether a candidate text fits (the renderer
        measures it in pixels).
    sep : str
        Separator between items.
    max_items : int, optional
        At most this many items before "and N more".
    empty : str
        The text when there are no items.

    Examples
    --------
    >>> join_limited(["TASS", "ICRC", "Trend", "APA"], max_items=2)
    'TASS, ICRC and 2 more'
    >>> join_limited(["TASS", "ICRC"], max_items=2)
    'TASS, ICRC'
    >>> join_limited(["TASS", "ICRC", "Trend"], lambda t: len(t) <= 16)
    'TASS and 2 more'
    >>> join_limited([])
    'none'
    """
    items = list(items)
    if not items:
        return empty
    limit = len(items) if max_items is None else max(1, min(max_items, len(items)))

    def text(n: int) -> str:
        head = sep.join(items[:n])
        return head if n == len(items) else f"{head} and {len(items) - n} more"

    for n in range(limit, 0, -1):
        if fits(text(n)):
            return text(n)
    return text(1)


def truncate(text: str, fits: Callable[[str], bool]) -> str:
    """``text``, or its longest beginning ending in "…" that ``fits`` accepts, cut between words
    where a word boundary lies in its second half.

    >>> truncate("Brussels talks and Russia's offer", lambda t: len(t) <= 16)
    'Brussels talks…'
    >>> truncate("Transcaucasia", lambda t: len(t) <= 6)
    'Trans…'
    """
    if fits(text):
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[:mid].rstrip() + "…"):
            lo = mid
        else:
            hi = mid - 1
    head = text[:lo]
    if lo < len(text) and not text[lo].isspace() and " " in head[lo // 2:]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:·") + "…"


#: Separator of the parts of a caption line.
SEP = "   ·   "


def caption_lines(*, title: str, window: Sequence[dt.date], layers: Sequence[str], categories: Sequence[str],
                  events_shown: int, events_outside: int = 0, selected: str | None = None,
                  publishers: Sequence[str] = (), credits: Sequence[str] = (),
                  fits: Callable[[int, str], bool] | None = None) -> list[str]:
    """The five lines of an image's caption strip, top first.

    1. the title; 2. the window, the events shown and their layers, and the selection;
    3. the geographic layers drawn (cut with "and N more" when long); 4. the map data's credits;
    5. the publishers of the events drawn (each once, "and N more" past twelve or past the width).

    Parameters
    ----------
    title : str
    window : (datetime.date, datetime.date)
    layers : geographic layer keys drawn.
    categories : event categories shown (keys of :data:`geo.catalog.CATEGORIES`).
    events_shown, events_outside : events drawn, and events of the shown
        categories in the window that lie outside the view.
    selected : the name or title of the selected feature or event, if drawn.
    publishers, credits : the events' publishers and the map data's credit lines.
    fits : callable, optional
        ``fits(line_number, text) -> bool`` (0-based): whether a line fits the
        image's width; lines that do not are shortened.

    Examples
    --------
    >>> lines = caption_lines(title="Closure and a rally", window=(dt.date(2023, 7, 1), dt.date(2023, 7, 15)),
    ...                       layers=["countries", "context"], categories=["protest"], events_shown=2,
    ...                       events_outside=1, publishers=["TASS", "ICRC"], credits=["Natural Earth (public domain)"])
    >>> print("\\n".join(lines))
    Closure and a rally
    1 Jul 2023 – 15 Jul 2023   ·   2 events shown (layers: Protest; 1 more outside the view)
    Layers: Armenia and Azerbaijan; Lakes, rivers, coast, borders
    Map data: Natural Earth (public domain)
    Event sources: TASS, ICRC
    """
    fits = fits or (lambda i, text: True)
    out = [truncate(" ".join(str(title).split()), lambda t: fits(0, t))]
    parts = [window_text(window)]
    if categories:
        detail = "layers: " + ", ".join(layers_text(f"cat:{c}" for c in categories))
        if events_outside:
            detail += f"; {events_outside:,} more outside the view"
        parts.append(f"{events_shown:,} event{'' if events_shown == 1 else 's'} shown ({detail})")
    if selected:
        parts.append("Selected: " + " ".join(str(selected).split()))
    out.append(truncate(SEP.join(parts), lambda t: fits(1, t)))
    out.append("Layers: " + join_limited(layers_text(layers), lambda t: fits(2, "Layers: " + t), sep="; "))
    out.append(truncate("Map data: " + ("; ".join(credits) if credits else "none"), lambda t: fits(3, t)))
    if publishers:
        out.append("Event sources: " + join_limited(publishers, lambda t: fits(4, "Event sources: " + t),
                                                    max_items=12))
    else:
        out.append("Event sources: " + ("no events in this view" if categories else "no event layer shown"))
    return out
