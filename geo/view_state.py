"""The page's state as one small object, and its round trip through the URL.

The URL query holds what a shared link must restore::

    ?layers=countries,nagorno_karabakh,cat:protest&from=2023-07-01&to=2023-07-12
     &sel=stepanakert&ev=stepanakert-rally&base=none&tour=lachin-corridor&step=4&q=rally&actor=ICRC
     &country=Azerbaijan&fat=1&kind=court,agency&c=39.81530,46.75190&z=9&agg=hex

``c``/``z`` (the map's centre and zoom) and ``agg`` (the events' view) are
written by the browser; the rest by the page (the filters' parameters:
:mod:`geo.filters`).

:func:`parse_view_state` never raises: every parameter that is missing falls
back to its default, and every nonsense value falls back too, with a short
notice naming the parameter and the value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from geo.dates import parse_date
from geo.filters import Filters, filters_query, parse_filters
from geo.load_tour import parse_step_param

_MAX_LEN = 2000
#: Aggregated views of the events a link may ask for (``agg=``; the browser writes it).
AGGREGATES = ("hex",)


@dataclass(frozen=True)
class ViewState:
    """What the map shows: visible layers, date window, selected feature or event,
    basemap, tour step, the map's view (lat, lon, zoom) and events view ("hex" for
    hexagonal bins) from a shared link, and the filters."""

    layers: frozenset[str]
    window: tuple[dt.date, dt.date]
    selected: str | None = None
    basemap: str = "none"
    step: int | None = None
    event: str | None = None
    view: tuple[float, float, float] | None = None
    filters: Filters = Filters()
    agg: str | None = None
    tour: str | None = None  # a named tour (data/tours/NAME.toml); None: the built-in tour

    def with_(self, **changes) -> ViewState:
        return replace(self, **changes)


@dataclass(frozen=True)
class StateSpec:
    """What valid values are: the layer keys (in display order), the date
    span, the selectable feature ids, the basemap keys, and the defaults."""

    layer_keys: tuple[str, ...]
    span: tuple[dt.date, dt.date]
    feature_ids: frozenset[str]
    basemaps: tuple[str, ...]
    n_steps: int = 0
    event_ids: frozenset[str] = frozenset()
    countries: frozenset[str] | None = None
    #: The named tours a link may open (``?tour=NAME``) and their number of steps.
    tours: tuple[tuple[str, int], ...] = ()

    def default(self) -> ViewState:
        return ViewState(
            layers=frozenset(self.layer_keys),
            window=self.span,
            basemap=self.basemaps[0] if self.basemaps else "none",
        )


def _last(values: str | Iterable[str] | None) -> str | None:
    if values is None:
        return None
    if isinstance(values, str):
        return values
    values = list(values)
    return values[-1] if values else None


def _quoted(value: str) -> str:
    """``repr(value)`` cut to 42 characters: escapes (``'\\x00'``) count too, so a
    notice stays short whatever the URL holds."""
    text = repr(value[:60])
    return text if len(text) <= 42 and len(value) <= 40 else text[:38] + "..." + text[0]


def _parse_date(text: str) -> dt.date | None:
    """A date written YYYY-MM-DD in the supported range, else None (:func:`geo.dates.parse_date`)."""
    return parse_date(text, iso_only=True)[0]


def parse_view_state(params: Mapping[str, str | Iterable[str]], spec: StateSpec) -> tuple[ViewState, list[str]]:
    """Read a :class:`ViewState` from URL query parameters.

    Parameters
    ----------
    params : mapping of parameter name to its value or list of values
        (a repeated key keeps its last value).
    spec : the valid values and defaults.

    Returns
    -------
    (ViewState, list of notices), one notice per parameter that was ignored.

    Examples
    --------
    >>> spec = StateSpec(("a", "b"), (dt.date(2023, 1, 1), dt.date(2023, 12, 31)), frozenset({"x"}), ("none",))
    >>> state, notes = parse_view_state({"layers": "a,zzz", "from": "2023-02-30"}, spec)
    >>> sorted(state.layers), notes
    (['a'], ["Ignored unknown layer 'zzz' in 'layers'.", "Ignored 'from': '2023-02-30' is not a date (YYYY-MM-DD)."])
    """
    state = spec.default()
    notices: list[str] = []
    get = {k: _last(v) for k, v in params.items()}

    raw = get.get("layers")
    if raw is not None:
        raw = raw[:_MAX_LEN]
        keys = [k.strip() for k in raw.split(",") if k.strip() and k.strip() != "none"]
        known = [k for k in keys if k in spec.layer_keys]
        unknown = list(dict.fromkeys(k for k in keys if k not in spec.layer_keys))
        if len(unknown) == 1:
            notices.append(f"Ignored unknown layer {_quoted(unknown[0])} in 'layers'.")
        elif unknown:  # one short notice, however many there are
            names = ", ".join(_quoted(k) for k in unknown[:3])
            more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
            notices.append(f"Ignored {len(unknown)} unknown layers in 'layers': {names}{more}.")
        if not keys or known:
            state = state.with_(layers=frozenset(known))

    lo, hi = spec.span
    start, end = state.window
    for key in ("from", "to"):
        text = get.get(key)
        if text is None:
            continue
        day = _parse_date(text[:40])
        if day is None:
            notices.append(f"Ignored {key!r}: {_quoted(text)} is not a date (YYYY-MM-DD).")
            continue
        if not lo <= day <= hi:
            clamped = min(max(day, lo), hi)
            notices.append(f"{key!r} {day.isoformat()} is outside the data ({lo} to {hi}); used {clamped}.")
            day = clamped
        if key == "from":
            start = day
        else:
            end = day
    if start > end:
        notices.append(f"Ignored the window {start} to {end}: it ends before it starts.")
        start, end = state.window
    state = state.with_(window=(start, end))

    sel = get.get("sel")
    if sel:
        if sel in spec.feature_ids:
            state = state.with_(selected=sel)
        else:
            notices.append(f"Ignored 'sel': no feature {_quoted(sel)}.")

    ev = get.get("ev")
    if ev:
        if ev in spec.event_ids:
            state = state.with_(event=ev)
        else:
            notices.append(f"Ignored 'ev': no event {_quoted(ev)}.")

    view = _parse_view(get.get("c"), get.get("z"))
    if view is None and (get.get("c") is not None or get.get("z") is not None):
        notices.append(f"Ignored the map view 'c'/'z': {_quoted(str(get.get('c')))}/{_quoted(str(get.get('z')))} "
                       "is not a latitude,longitude and a zoom from 0 to 18.")
    state = state.with_(view=view)

    base = get.get("base")
    if base is not None:
        if base in spec.basemaps:
            state = state.with_(basemap=base)
        else:
            notices.append(f"Ignored 'base': unknown basemap {_quoted(base)}.")

    agg = get.get("agg")
    if agg is not None:
        if agg in AGGREGATES:
            state = state.with_(agg=agg)
        else:
            notices.append(f"Ignored 'agg': {_quoted(agg)} (only 'hex', hexagonal bins, is known).")

    filters, filter_notices = parse_filters(get, spec.countries)
    notices.extend(filter_notices)
    state = state.with_(filters=filters)

    n_steps = spec.n_steps
    tour = get.get("tour")
    if tour is not None and tour.strip():
        named = dict(spec.tours)
        if tour in named:
            state, n_steps = state.with_(tour=tour), named[tour]
            if get.get("step") is None:
                state = state.with_(step=1)
        else:
            known = ", ".join(repr(k) for k in named) or "none"
            notices.append(f"Ignored 'tour': no tour {_quoted(tour)} (named tours: {known}).")

    step = get.get("step")
    if step is not None and n_steps:
        number, notice = parse_step_param(step, n_steps)
        state = state.with_(step=number)
        if notice:
            notices.append(notice)
    return state, notices


_NUMBER = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,8})?")


def _parse_view(c: str | None, z: str | None) -> tuple[float, float, float] | None:
    """(lat, lon, zoom) from ``c=lat,lon`` and ``z=zoom``, or None if either is missing or out of range.

    >>> _parse_view("39.8,46.75", "9"), _parse_view("95,0", "3"), _parse_view("1,2", "x")
    ((39.8, 46.75, 9.0), None, None)
    """
    if c is None or z is None:
        return None
    parts = c[:60].split(",")
    if len(parts) != 2 or not all(_NUMBER.fullmatch(p.strip()) for p in parts) or not _NUMBER.fullmatch(z.strip()[:20]):
        return None
    lat, lon, zoom = float(parts[0]), float(parts[1]), float(z)
    if not (-85.06 <= lat <= 85.06 and -180 <= lon <= 180 and 0 <= zoom <= 18):
        return None
    return lat, lon, zoom


def to_query(state: ViewState, spec: StateSpec) -> dict[str, str]:
    """The URL parameters of ``state`` (layers in display order)."""
    q = {
        "layers": ",".join(k for k in spec.layer_keys if k in state.layers) or "none",
        "from": state.window[0].isoformat(),
        "to": state.window[1].isoformat(),
        "base": state.basemap,
    }
    if state.selected:
        q["sel"] = state.selected
    if state.event:
        q["ev"] = state.event
    if state.tour is not None and state.step is not None:
        q["tour"] = state.tour
    if state.step is not None:
        q["step"] = str(state.step)
    q.update(filters_query(state.filters))
    return q
