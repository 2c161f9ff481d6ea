"""The page's state as one small object, and its round trip through the URL.

The URL query holds what a shared link must restore::

    ?layers=countries,nagorno_karabakh,cat:protest&from=2023-07-01&to=2023-07-12
     &sel=stepanakert&base=none&step=4

:func:`parse_view_state` never raises: every parameter that is missing falls
back to its default, and every nonsense value falls back too, with a short
notice naming the parameter and the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

_MAX_LEN = 2000
_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class ViewState:
    """What the map shows: visible layers, date window, selection, basemap, tour step."""

    layers: frozenset[str]
    window: tuple[dt.date, dt.date]
    selected: str | None = None
    basemap: str = "none"
    step: int | None = None

    def with_(self, **changes) -> "ViewState":
        return replace(self, **changes)


@dataclass(frozen=True)
class StateSpec:
    """What valid values are: the layer keys (in display order), the date
    span, the selectable feature ids, the basemap keys, and the defaults."""

    layer_keys: tuple[str, ...]
    span: tuple[dt.date, dt.date]
    feature_ids: frozenset[str]
    basemaps: tuple[str, ...]
    default_layers: frozenset[str] | None = None
    default_window: tuple[dt.date, dt.date] | None = None
    n_steps: int = 0
    extra: dict = field(default_factory=dict)

    def default(self) -> ViewState:
        return ViewState(
            layers=self.default_layers if self.default_layers is not None else frozenset(self.layer_keys),
            window=self.default_window or self.span,
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
    """A date written YYYY-MM-DD, else None (``date.fromisoformat`` alone also takes
    "20230701", "2023-W27-1" and, in Python 3.11, "2023100100")."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


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

    base = get.get("base")
    if base is not None:
        if base in spec.basemaps:
            state = state.with_(basemap=base)
        else:
            notices.append(f"Ignored 'base': unknown basemap {_quoted(base)}.")

    step = get.get("step")
    if step is not None and spec.n_steps:
        text = step.strip()
        # ASCII digits only ("²".isdigit() is True but int("²") raises), and at most
        # 6 of them (int() refuses over 4300 digits; no tour has a million steps).
        if _DIGITS.fullmatch(text) and len(text) <= 6 and 1 <= int(text) <= spec.n_steps:
            state = state.with_(step=int(text))
        else:
            notices.append(f"Step {_quoted(step)} does not exist (1 to {spec.n_steps}); showing step 1.")
            state = state.with_(step=1)
    return state, notices


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
    if state.step is not None:
        q["step"] = str(state.step)
    return q
