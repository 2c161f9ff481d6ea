"""Load and check the presenter tour (``data/tour.toml``).

The tour is a list of steps; each step names a map view, the layers to switch
on, an inclusive date window and a short narrative. :func:`load_tour` reads the
file with :mod:`tomllib`, checks every step against the ids it is given (layer
keys, feature ids, event ids: nothing is hard-coded here) and reports what is
wrong as :class:`~geo.problems.DataProblem` values. A bad step is reported and
left out; the good steps still load.

:func:`parse_step_param` turns the page URL's ``?step=`` value into a step
number. Everything here is pure: no Streamlit, no network.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.dates import parse_date
from geo.problems import DataProblem

__all__ = ["TourStep", "TourResult", "load_tour", "read_tour_text", "parse_tour_text", "check_tour", "parse_step_param"]

#: Fields a step may have. Anything else is reported and ignored.
STEP_FIELDS: tuple[str, ...] = (
    "title", "narrative", "sources", "bounds", "center", "zoom", "layers",
    "window", "highlight", "notes",
)

#: The longest tour title (the picker shows it).
MAX_TITLE = 80

#: Zoom levels Leaflet/folium tile layers support.
MIN_ZOOM, MAX_ZOOM = 0, 20

_DIGITS = re.compile(r"\d+", re.ASCII)


@dataclass(frozen=True)
class TourStep:
    """One step of the presenter tour, checked.

    Parameters
    ----------
    number : int
        1-based position in the loaded tour (steps that failed their checks
        are not counted, so numbers always run 1..len(steps)).
    title, narrative : str
        Heading and neutral text (plain text, not HTML).
    sources : tuple of str
        URLs backing the narrative.
    bounds : ((south, west), (north, east)) or None
        View box in degrees (WGS84).
    center : (lat, lon) or None
        View centre, used with ``zoom`` when ``bounds`` is None.
    zoom : int or None
        Map zoom level for ``center``.
    layers : tuple of str
        Layer keys to switch on: geographic keys and ``"cat:<category>"``.
    window : (datetime.date, datetime.date)
        First and last day shown, both inclusive; ``window[0] <= window[1]``.
    highlight : str or None
        A feature id or event id to emphasise.
    notes : str
        Speaker notes (``""`` when none).
    """

    number: int
    title: str
    narrative: str
    sources: tuple[str, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]] | None
    center: tuple[float, float] | None
    zoom: int | None
    layers: tuple[str, ...]
    window: tuple[dt.date, dt.date]
    highlight: str | None = None
    notes: str = ""

    def view_bounds(
        self, width_px: int = 800, height_px: int = 500
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        """Return the step's view as ``((south, west), (north, east))``.

        ``bounds`` when the step has them; otherwise an approximate box around
        ``center`` for a ``width_px`` x ``height_px`` map at ``zoom`` (Web
        Mercator, 256-pixel tiles), clamped to valid latitudes/longitudes.

        Parameters
        ----------
        width_px, height_px : int
            Size of the map in pixels, for the center/zoom case.

        Returns
        -------
        ((float, float), (float, float))

        Examples
        --------
        >>> step = TourStep(1, "t", "n", (), None, (40.0, 45.0), 8, (),
        ...                 (dt.date(2023, 1, 1), dt.date(2023, 1, 1)))
        >>> (s, w), (n, e) = step.view_bounds()
        >>> s < 40.0 < n and w < 45.0 < e
        True
        """
        if self.bounds is not None:
            return self.bounds
        assert self.center is not None and self.zoom is not None  # load_tour ensures it
        lat, lon = self.center
        deg_per_px = 360.0 / (256 * 2**self.zoom)
        half_lon = deg_per_px * width_px / 2
        half_lat = deg_per_px * height_px / 2 * math.cos(math.radians(lat))
        south, north = max(lat - half_lat, -90.0), min(lat + half_lat, 90.0)
        west, east = max(lon - half_lon, -180.0), min(lon + half_lon, 180.0)
        return ((south, west), (north, east))


@dataclass
class TourResult:
    """What :func:`load_tour` returns.

    Parameters
    ----------
    steps : list of TourStep
        The steps that passed their checks, in file order.
    problems : list of DataProblem
        Everything wrong with the file (empty when it is clean).
    title : str
        The file's top-level ``title`` (the tour's name in the page's picker), or ``""``.
    rows : list of int
        Each good step's position among the file's ``[[steps]]`` (1-based).
    """

    steps: list[TourStep] = field(default_factory=list)
    problems: list[DataProblem] = field(default_factory=list)
    title: str = ""
    rows: list[int] = field(default_factory=list)


class _StepRejected(Exception):
    """Internal: a step failed a check that drops it."""


def load_tour(
    path: str | Path,
    layer_keys: Iterable[str],
    feature_ids: Iterable[str] | Mapping[str, Iterable[str]],
    event_ids: Iterable[str],
) -> TourResult:
    """Read and check a tour file.

    Parameters
    ----------
    path : str or Path
        The TOML file (normally ``data/tour.toml``).
    layer_keys : iterable of str
        Every layer key a step may name: the geographic keys
        (``catalog.LAYER_FILES``) and ``"cat:<category>"`` for each event
        category.
    feature_ids : iterable of str, or mapping of layer key -> ids
        Feature ids a ``highlight`` may name; ``catalog.FEATURE_IDS`` can be
        passed as is.
    event_ids : iterable of str
        Event ids a ``highlight`` may name (from the loaded events).

    Returns
    -------
    TourResult
        ``steps``: the good steps, numbered 1..n; ``problems``: one
        :class:`DataProblem` per issue, naming the file, the step's position
        in the file (``row``), the field, the value and the reason. A missing
        file, a file that is not TOML, or one without steps gives a single
        problem and no steps. A step with a bad field is dropped; an unknown
        ``highlight`` or an unknown field is reported and ignored.

    Examples
    --------
    >>> from geo import catalog
    >>> layers = list(catalog.LAYER_FILES) + [f"cat:{c}" for c in catalog.CATEGORIES]
    >>> result = load_tour("data/tour.toml", layers, catalog.FEATURE_IDS, [])
    >>> result.steps[0].number
    1
    """
    path = Path(path)
    name = path.name
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        return TourResult([], [DataProblem(name, f"file not found: {path}")])
    except IsADirectoryError:
        return TourResult([], [DataProblem(name, f"is a directory, not a file: {path}")])
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)".
        return TourResult([], [DataProblem(name, f"not valid TOML: {exc}")])
    except UnicodeDecodeError as exc:
        return TourResult([], [DataProblem(name, f"not valid TOML (not UTF-8 text): {exc}")])
    return check_tour(doc, name, layer_keys, feature_ids, event_ids)


#: The largest tour file :func:`read_tour_text` reads (a tour of 100 long steps is ~200 KB).
MAX_TOUR_BYTES = 1_000_000


def read_tour_text(
    content: bytes | str,
    name: str,
    layer_keys: Iterable[str],
    feature_ids: Iterable[str] | Mapping[str, Iterable[str]],
    event_ids: Iterable[str],
) -> TourResult:
    r"""Check a tour file's content (an upload), as :func:`load_tour` checks a file.

    ``name`` is the file's name, used in every problem. Never raises: content over
    :data:`MAX_TOUR_BYTES`, not UTF-8 or not TOML gives one problem and no steps.

    Examples
    --------
    >>> r = read_tour_text(b'[[steps]]\ntitle = "A"\n', "mine.toml", [], [], [])
    >>> r.steps, str(r.problems[0]).startswith("mine.toml, row 1, field 'narrative'")
    ([], True)
    """
    doc, problem = parse_tour_text(content, name)
    if problem is not None:
        return TourResult([], [problem])
    return check_tour(doc, name, layer_keys, feature_ids, event_ids)


def parse_tour_text(content: bytes | str, name: str) -> tuple[dict | None, DataProblem | None]:
    """A tour file's content (an upload) as its TOML document, or the one problem that stops
    it: over :data:`MAX_TOUR_BYTES`, not UTF-8 (a byte order mark is allowed), or not TOML.
    Never raises. Used by :func:`read_tour_text` and the page's "Load a tour file", which
    keeps a file's bad steps to be mended.

    >>> parse_tour_text(b"steps = [", "mine.toml")[1].reason.startswith("not valid TOML: ")
    True
    """
    size = len(content)
    if size > MAX_TOUR_BYTES:
        return None, DataProblem(name, f"file too large for a tour ({size:,} bytes; at most {MAX_TOUR_BYTES:,})")
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, DataProblem(name, f"not valid TOML (not UTF-8 text): {exc}")
    try:
        return tomllib.loads(content), None
    except tomllib.TOMLDecodeError as exc:
        return None, DataProblem(name, f"not valid TOML: {exc}")
    except RecursionError:
        return None, DataProblem(name, "not valid TOML: nested too deeply")


def check_tour(
    doc: Mapping[str, Any],
    name: str,
    layer_keys: Iterable[str],
    feature_ids: Iterable[str] | Mapping[str, Iterable[str]],
    event_ids: Iterable[str],
) -> TourResult:
    """Check a parsed tour (``{"steps": [ {...}, ... ]}``): the one check behind
    :func:`load_tour`, :func:`read_tour_text` and the page's tour editor, so each
    reports the same problems in the same words. ``name`` names the file in them.
    """
    known_layers = frozenset(layer_keys)
    if isinstance(feature_ids, Mapping):
        features = frozenset(fid for ids in feature_ids.values() for fid in ids)
    else:
        features = frozenset(feature_ids)
    highlight_ids = features | frozenset(event_ids)

    raw_steps = doc.get("steps")
    if raw_steps is None:
        return TourResult([], [DataProblem(
            name, "no steps: the file needs at least one [[steps]] table", field="steps")])
    if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
        return TourResult([], [DataProblem(
            name, "'steps' must be a list of [[steps]] tables", field="steps",
            value=type(raw_steps).__name__)])
    if not raw_steps:
        return TourResult([], [DataProblem(
            name, "no steps: the file needs at least one [[steps]] table", field="steps")])

    problems: list[DataProblem] = []
    title = ""
    for key in doc:
        if key == "title":
            value = doc[key]
            if isinstance(value, str) and value.strip() and len(value) <= MAX_TITLE:
                title = " ".join(value.split())
            else:
                problems.append(DataProblem(
                    name, f"title must be text of 1 to {MAX_TITLE} characters; ignored", field="title", value=value))
        elif key != "steps":
            problems.append(DataProblem(
                name, "unknown top-level key, ignored (only title and [[steps]] are read)", field=key))

    steps: list[TourStep] = []
    rows: list[int] = []
    for row, raw in enumerate(raw_steps, start=1):
        checker = _StepChecker(name, row, raw, problems)
        try:
            step = checker.build(len(steps) + 1, known_layers, highlight_ids)
        except _StepRejected:
            continue
        steps.append(step)
        rows.append(row)
    return TourResult(steps, problems, title, rows)


class _StepChecker:
    """Checks one raw step, collecting every problem before deciding."""

    def __init__(self, file: str, row: int, raw: dict[str, Any], problems: list[DataProblem]):
        self.file = file
        self.row = row
        self.raw = raw
        self.problems = problems
        self.fatal = False

    def report(self, field_: str | None, value: Any, reason: str, *, drop: bool = True) -> None:
        if drop:
            self.fatal = True
            reason += f"; step {self.row} left out of the tour"
        self.problems.append(DataProblem(self.file, reason, row=self.row, field=field_, value=value))

    # --- fields -------------------------------------------------------------

    def text(self, key: str, *, required: bool) -> str:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.report(key, None, f"missing {key}")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.report(key, value, f"{key} must be non-empty text" if required else f"{key} must be text")
            return ""
        return value.strip()

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report(key, value, f"{key} must be a list of strings")
            return ()
        return tuple(value)

    def layers(self, known: frozenset[str]) -> tuple[str, ...]:
        if "layers" not in self.raw:
            self.report("layers", None, "missing layers (a list of layer keys, may be empty)")
            return ()
        layers = self.string_list("layers")
        for key in layers:
            if key not in known:
                self.report("layers", key,
                            f"unknown layer key; known keys: {', '.join(sorted(known))}")
        return layers

    def number(self, key: str, value: Any, lo: float, hi: float, what: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.report(key, value, f"{what} must be a number")
            return None
        if not lo <= value <= hi:
            self.report(key, value, f"{what} out of range ({lo:g} to {hi:g})")
            return None
        return float(value)

    def point(self, key: str, value: Any) -> tuple[float, float] | None:
        if not (isinstance(value, list) and len(value) == 2):
            self.report(key, value, "must be [lat, lon] (two numbers)")
            return None
        lat = self.number(key, value[0], -90, 90, "latitude")
        lon = self.number(key, value[1], -180, 180, "longitude")
        if lat is None or lon is None:
            return None
        return (lat, lon)

    def view(self) -> tuple[Any, Any, Any]:
        has_bounds = "bounds" in self.raw
        has_center = "center" in self.raw
        has_zoom = "zoom" in self.raw
        if not has_bounds and not (has_center and has_zoom):
            if has_center or has_zoom:
                missing = "zoom" if has_center else "center"
                self.report(missing, None,
                            f"missing view: {missing} is needed with "
                            f"{'center' if has_center else 'zoom'} (or give bounds)")
            else:
                self.report("bounds / center + zoom", None,
                            "missing view: give bounds = [[south, west], [north, east]] "
                            "or center = [lat, lon] and zoom")
            return None, None, None

        bounds = None
        if has_bounds:
            value = self.raw["bounds"]
            if not (isinstance(value, list) and len(value) == 2):
                self.report("bounds", value, "bounds must be [[south, west], [north, east]]")
            else:
                sw = self.point("bounds", value[0])
                ne = self.point("bounds", value[1])
                if sw is not None and ne is not None:
                    if sw[0] > ne[0] or sw[1] > ne[1]:
                        self.report("bounds", value,
                                    "bounds reversed: south must be <= north and west <= east")
                    else:
                        bounds = (sw, ne)

        center = zoom = None
        if has_center:
            center = self.point("center", self.raw["center"])
        if has_zoom:
            value = self.raw["zoom"]
            if isinstance(value, bool) or not isinstance(value, int):
                self.report("zoom", value, "zoom must be a whole number")
            elif not MIN_ZOOM <= value <= MAX_ZOOM:
                self.report("zoom", value, f"zoom out of range ({MIN_ZOOM} to {MAX_ZOOM})")
            else:
                zoom = value
        return bounds, center, zoom

    def date(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):  # TOML date-times are not dates
            self.report("window", value, "not a date: give a day (YYYY-MM-DD) without a time")
            return None
        day, reason = parse_date(value, iso_only=True)
        if day is None:
            self.report("window", value, reason if reason and "supported range" in reason
                        else "not a date (expected YYYY-MM-DD)")
        return day

    def window(self) -> tuple[dt.date, dt.date] | None:
        value = self.raw.get("window")
        if value is None:
            self.report("window", None, 'missing window (["YYYY-MM-DD", "YYYY-MM-DD"])')
            return None
        if not (isinstance(value, list) and len(value) == 2):
            self.report("window", value, 'window must be two dates: ["YYYY-MM-DD", "YYYY-MM-DD"]')
            return None
        start, end = self.date(value[0]), self.date(value[1])
        if start is None or end is None:
            return None
        if start > end:
            self.report("window", value,
                        f"window reversed: start {start.isoformat()} is after end {end.isoformat()}")
            return None
        return (start, end)

    def highlight(self, known: frozenset[str]) -> str | None:
        value = self.raw.get("highlight")
        if value is None:
            return None
        if not isinstance(value, str) or value not in known:
            # Not fatal: the step still plays, without the highlight.
            self.report("highlight", value,
                        "unknown highlight id (not a feature id or event id); highlight ignored",
                        drop=False)
            return None
        return value

    # --- whole step ---------------------------------------------------------

    def build(self, number: int, layers: frozenset[str], highlights: frozenset[str]) -> TourStep:
        for key in self.raw:
            if key not in STEP_FIELDS:
                self.report(key, None,
                            f"unknown field, ignored (known fields: {', '.join(STEP_FIELDS)})",
                            drop=False)
        title = self.text("title", required=True)
        narrative = self.text("narrative", required=True)
        sources = self.string_list("sources")
        bounds, center, zoom = self.view()
        layer_keys = self.layers(layers)
        window = self.window()
        highlight = self.highlight(highlights)
        notes = self.text("notes", required=False)
        if self.fatal or window is None:
            raise _StepRejected
        return TourStep(
            number=number, title=title, narrative=narrative, sources=sources,
            bounds=bounds, center=center, zoom=zoom, layers=layer_keys,
            window=window, highlight=highlight, notes=notes,
        )


def parse_step_param(value: str | None, n_steps: int) -> tuple[int, str | None]:
    """Turn the URL's ``?step=`` value into a 1-based step number.

    Never raises. Anything that is not a whole number from 1 to ``n_steps``
    falls back to step 1 with a short notice for the page to show (plain
    text).

    Parameters
    ----------
    value : str or None
        The raw query-parameter value (``None`` when the URL has none).
    n_steps : int
        Number of steps in the loaded tour.

    Returns
    -------
    (int, str or None)
        The step number, and a notice when the value could not be used
        (``None`` otherwise). Always ``1 <= number <= max(n_steps, 1)``.

    Examples
    --------
    >>> parse_step_param("3", 11)
    (3, None)
    >>> parse_step_param(None, 11)
    (1, None)
    >>> parse_step_param("12", 11)
    (1, 'There is no step 12 (the tour has 11 steps); showing step 1.')
    >>> parse_step_param("abc", 11)
    (1, "Step 'abc' is not a number; showing step 1.")
    """
    if value is None:
        return 1, None
    if n_steps < 1:
        return 1, "The tour has no steps."
    if not isinstance(value, str):
        return 1, "The step in the address is not a number; showing step 1."
    text = value.strip()
    if not text:
        return 1, None
    shown = text if len(text) <= 20 else text[:17] + "..."
    if not _DIGITS.fullmatch(text):
        return 1, f"Step {shown!r} is not a number; showing step 1."
    # Long digit strings: out of range without int() (which limits digits).
    number = int(text) if len(text) <= 9 else None
    if number is None or not 1 <= number <= n_steps:
        plural = "step" if n_steps == 1 else "steps"
        return 1, f"There is no step {shown} (the tour has {n_steps} {plural}); showing step 1."
    return number, None
