"""Draw one map view to a PNG on the server, with geopandas and matplotlib.

No browser, no network and no tiles: the basemap is the project's own
``context`` layer (lakes, rivers, the Caspian coast, land borders), drawn under
the shapes. The view is drawn in Web Mercator (EPSG:3857), as the web map
draws it, with the web map's colours and dash patterns (taken from the
``layers/`` style functions), event markers coloured by category, place labels
with both names where they differ, a legend of what is drawn, a scale bar, and
a caption strip with the title, the window, the layers and the sources.

Text from data (names, titles, publishers) is drawn as text: matplotlib's
mathtext and TeX are off for the whole figure, so ``$x^2$`` stays ``$x^2$``.

Distant venues (Brussels, Moscow, The Hague) outside the view are not dropped
silently: each gets an arrow at the map's edge pointing towards it, with its
name and its distance to Stepanakert.

Examples
--------
>>> from geo.dataset import load_dataset
>>> import datetime as dt
>>> data = load_dataset("data")  # doctest: +SKIP
>>> png = render_view_png(data, layers=["countries", "places", "cat:protest"],
...                       window=(dt.date(2023, 7, 1), dt.date(2023, 7, 15)),
...                       bounds=((38.3, 43.4), (42.0, 50.5)))  # doctest: +SKIP
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"  # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.transforms import IdentityTransform
from matplotlib_scalebar.scalebar import ScaleBar
from pyproj import Geod, Transformer
from shapely.ops import polylabel

from geo.catalog import CATEGORIES, DISTANT_VENUES, LAYER_FILES
from geo.valid_in_window import valid_in_window
from geo.window import filter_window
from layers import context, corridor, countries, karabakh, places, stepanakert
from layers.map_app import BATCH_FROM, UNCERTAINTY_M
from layers.palette import CATEGORY_COLORS, KARABAKH, VENUE, WATER, WATER_LINE
from layers.standalone import EXPORT_TITLE
from slides.placement import CANDIDATE_OFFSETS, Box, fewest_covered, overlaps
from slides.style import Sizer, dashes, line_kwargs, point_kwargs, polygon_kwargs, scale_for
from slides.text import caption_lines, data_credits, event_publishers, label_text

__all__ = ["render_view", "render_view_png", "Rendered", "PlacedLabel", "check_size", "check_bounds",
           "DEFAULT_SIZE", "DEFAULT_BOUNDS", "MIN_SIDE", "MAX_SIDE"]

#: Default image size in pixels (width, height): a 16:9 slide.
DEFAULT_SIZE: tuple[int, int] = (1920, 1080)
#: Smallest and largest width or height accepted, in pixels.
MIN_SIDE, MAX_SIDE = 320, 4096
#: The page's default view, ((south, west), (north, east)).
DEFAULT_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((38.3, 43.4), (42.0, 50.5))

#: Web Mercator's latitude limit (degrees).
_MAX_LAT = 85.0511
#: Geographic layers in drawing order, bottom first (as layers/compose.py DRAW_ORDER).
DRAW_ORDER = ("countries", "context", "nagorno_karabakh", "lachin_corridor", "places", "stepanakert")
#: The web map's style function of each layer.
STYLES = {
    "countries": countries._style,
    "context": context._style,
    "nagorno_karabakh": karabakh._style,
    "lachin_corridor": corridor._style,
    "places": places._style,
    "stepanakert": stepanakert._style,
}
#: Corridor kinds bottom first (as layers/corridor.py draws them).
_CORRIDOR_ORDER = {"corridor": 0, "road": 1, "checkpoint": 2}

#: With at most this many events on the map, markers at one spot are fanned out
#: around it and labels avoid them; beyond, they are drawn as they are.
SPREAD_MAX = 300
#: The web map's event marker: radius and white edge in CSS pixels (static/js/dash-map.js).
EVENT_RADIUS, EVENT_EDGE = 7, 1.5
HIGHLIGHT = "#111111"
BACKGROUND = "#f4f1ea"  # the web map's .leaflet-container background
CAPTION_BG, CAPTION_FG, CAPTION_DIM = "#2b2b2b", "#ffffff", "#d8d8d8"

# Text sizes in pixels at 1920x1080.
TITLE_PX, CAPTION_PX, LABEL_PX, LEGEND_PX, COUNTRY_PX = 30, 21, 21, 20, 30
#: Width of the legend panel right of the map (pixels at 1920x1080), and its labels' wrap width in characters.
PANEL_PX, LEGEND_WRAP = 400, 26
PANEL_BG = "#fbfaf7"
#: Lines of the caption strip (slides.text.caption_lines).
CAPTION_LINES = 5

_TO_MERC = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_TO_LONLAT = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
_GEOD = Geod(ellps="WGS84")
#: Drawing with matplotlib's object API (no pyplot), one figure per call; this lock guards the cache below.
_LOCK = threading.Lock()
_PROJECTED: dict[int, tuple[weakref.ref, gpd.GeoDataFrame]] = {}
#: rcParams are global: one render (or PNG encoding) at a time, so that no thread's rc_context
#: ends while another's figure is being built. Drawing holds the GIL anyway.
_RENDER_LOCK = threading.RLock()

#: Text of the whole figure is literal: no mathtext, no TeX.
_RC = {"text.usetex": False, "text.parse_math": False, "lines.scale_dashes": False,
       "font.family": "DejaVu Sans", "svg.fonttype": "none", "path.simplify": True}


# --- checks ---------------------------------------------------------------------------------

def check_size(size: Sequence[int]) -> tuple[int, int]:
    """The image size as (width, height), or a ValueError saying what is wrong.

    Examples
    --------
    >>> check_size((1920, 1080))
    (1920, 1080)
    >>> check_size((100, 1080))
    Traceback (most recent call last):
    ...
    ValueError: image width must be between 320 and 4096 pixels, got 100
    """
    try:
        width, height = size
    except (TypeError, ValueError):
        raise ValueError(f"image size must be (width, height) in pixels, got {size!r}") from None
    out = []
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"image {name} must be a whole number of pixels, got {value!r}")
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ValueError(f"image {name} must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {value}")
        out.append(int(value))
    return out[0], out[1]


def check_bounds(bounds) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((south, west), (north, east))`` as floats, or a ValueError saying what is wrong.

    Examples
    --------
    >>> check_bounds([[38.3, 43.4], [42.0, 50.5]])
    ((38.3, 43.4), (42.0, 50.5))
    >>> check_bounds([[42.0, 43.4], [38.3, 50.5]])
    Traceback (most recent call last):
    ...
    ValueError: bounds: south (42.0) must be below north (38.3)
    """
    try:
        (south, west), (north, east) = bounds
        south, west, north, east = (float(v) for v in (south, west, north, east))
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be [[south, west], [north, east]] in degrees, got {bounds!r}") from None
    if not all(math.isfinite(v) for v in (south, west, north, east)):
        raise ValueError(f"bounds must be finite numbers, got {bounds!r}")
    if not (-_MAX_LAT <= south <= _MAX_LAT and -_MAX_LAT <= north <= _MAX_LAT):
        raise ValueError(f"bounds: latitudes must lie within ±{_MAX_LAT} (Web Mercator), got {south} and {north}")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError(f"bounds: longitudes must lie within ±180, got {west} and {east}")
    if south >= north:
        raise ValueError(f"bounds: south ({south}) must be below north ({north})")
    if west >= east:
        raise ValueError(f"bounds: west ({west}) must be west of east ({east})")
    return (south, west), (north, east)


def _check_window(window) -> tuple[dt.date, dt.date]:
    try:
        first, last = window
    except (TypeError, ValueError):
        raise ValueError(f"window must be (first day, last day), got {window!r}") from None
    days = []
    for name, value in (("first day", first), ("last day", last)):
        if isinstance(value, pd.Timestamp):
            value = value.date()
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise ValueError(f"window: the {name} must be a date, got {value!r}")
        days.append(value)
    if days[0] > days[1]:
        raise ValueError(f"window: the first day ({days[0]}) is after the last ({days[1]})")
    return days[0], days[1]


def _check_layers(visible: Iterable[str]) -> frozenset[str]:
    keys = frozenset(visible)
    known = set(LAYER_FILES) | {f"cat:{c}" for c in CATEGORIES}
    unknown = sorted(keys - known)
    if unknown:
        raise ValueError(f"unknown layer key(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
    return keys


# --- results --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlacedLabel:
    """A label drawn on the map: its text and its box in image pixels (x0, y0, x1, y1), y up."""

    text: str
    box: Box


@dataclass
class Rendered:
    """One rendered view: the matplotlib figure and what was drawn on it.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure (Agg canvas); :meth:`png` encodes it.
    size : (int, int)
        Width and height in pixels.
    caption : list of str
        The caption strip's lines, top first, as drawn.
    labels : list of PlacedLabel
        The labels placed on the map (none overlaps another).
    skipped : list of str
        Labels left out because every position collided.
    events_drawn, events_outside : int
        Events of the visible categories in the window drawn on the map, and
        those lying outside the view (not drawn).
    edge_venues : list of str
        Ids of distant venues outside the view, drawn as arrows at the edge.
    layers_drawn : list of str
        Geographic layer keys drawn, bottom first.
    features_drawn : list of str
        Ids of the features drawn (those of the corridor valid in the window).
    legend : list of str
        The legend's entries.
    """

    figure: Figure
    size: tuple[int, int]
    caption: list[str] = field(default_factory=list)
    labels: list[PlacedLabel] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    events_drawn: int = 0
    events_outside: int = 0
    edge_venues: list[str] = field(default_factory=list)
    layers_drawn: list[str] = field(default_factory=list)
    features_drawn: list[str] = field(default_factory=list)
    legend: list[str] = field(default_factory=list)

    def png(self) -> bytes:
        """The image as PNG bytes, exactly ``size`` pixels."""
        buf = io.BytesIO()
        with _RENDER_LOCK, matplotlib.rc_context(_RC):
            self.figure.savefig(buf, format="png", dpi=self.figure.dpi, facecolor=self.figure.get_facecolor(),
                                metadata={"Software": None})
        return buf.getvalue()


# --- helpers --------------------------------------------------------------------------------

def _projected(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:3857, computed once per loaded frame (layers are not changed in place)."""
    with _LOCK:
        hit = _PROJECTED.get(id(gdf))
    if hit is not None and hit[0]() is gdf:
        return hit[1]
    out = gdf.to_crs(3857)
    try:
        ref = weakref.ref(gdf, lambda _r, key=id(gdf): _PROJECTED.pop(key, None))  # noqa: B008
    except TypeError:
        return out
    with _LOCK:
        _PROJECTED[id(gdf)] = (ref, out)
    return out


def _records(gdf: gpd.GeoDataFrame) -> list[dict]:
    return gdf.drop(columns=gdf.geometry.name).to_dict("records")


def _fit_extent(bounds, aspect: float) -> tuple[float, float, float, float]:
    """The Web Mercator box (x0, y0, x1, y1) around ``bounds`` with width/height ``aspect``."""
    (south, west), (north, east) = bounds
    xs, ys = _TO_MERC.transform([west, east], [south, north])
    x0, x1 = xs
    y0, y1 = ys
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    limit = _TO_MERC.transform(0, _MAX_LAT)[1]
    cy = min(max(cy, -limit + h / 2), limit - h / 2) if h < 2 * limit else 0.0
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


class _Legend:
    """Legend entries in order of first use, each once."""

    def __init__(self):
        self.entries: dict[str, tuple[object, str]] = {}

    def add(self, key: str, handle, label: str) -> None:
        self.entries.setdefault(key, (handle, label))


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _short(name: str) -> str:
    """A venue's name without its parenthesis: "Brussels (Europa building)" -> "Brussels"."""
    return name.split(" (", 1)[0]


class _Canvas:
    """The figure, its map axes and the conversions between data, pixels and points.

    The map fills the figure above the caption strip, less a legend panel on
    the right when the image is wide (``panel_px`` > 0)."""

    def __init__(self, size: tuple[int, int], caption_px: float, panel_px: float):
        self.width, self.height = size
        self.sizer = Sizer(scale_for(*size))
        dpi = self.sizer.dpi
        # Half a pixel more than asked: Agg truncates the figure's float size to whole pixels.
        self.fig = Figure(figsize=((self.width + 0.5) / dpi, (self.height + 0.5) / dpi), dpi=dpi,
                          facecolor=BACKGROUND)
        FigureCanvasAgg(self.fig)
        self.caption_px = caption_px
        self.panel_px = panel_px
        self.map_w = self.width - panel_px
        self.map_h = self.height - caption_px
        self.legend_box: Box | None = None  # the legend's box when it lies in the map
        bottom = caption_px / self.height
        self.ax = self.fig.add_axes((0, bottom, self.map_w / self.width, 1 - bottom))
        self.ax.set_axis_off()
        self.renderer = self.fig.canvas.get_renderer()

    @property
    def map_box(self) -> Box:
        return (0.0, self.caption_px, float(self.map_w), float(self.height))

    def set_extent(self, extent) -> None:
        self.extent = extent
        x0, y0, x1, y1 = extent
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.ax.set_autoscale_on(False)  # geopandas' plot and scatter must not move the view
        self.units_per_px = (x1 - x0) / self.map_w

    def to_px(self, x, y):
        """Data (EPSG:3857) to image pixels, y up."""
        x0, y0, _, _ = self.extent
        return (np.asarray(x) - x0) / self.units_per_px, self.caption_px + (np.asarray(y) - y0) / self.units_per_px

    def contains(self, x, y, margin_px: float = 0.0):
        x0, y0, x1, y1 = self.extent
        m = margin_px * self.units_per_px
        x, y = np.asarray(x), np.asarray(y)
        return (x >= x0 - m) & (x <= x1 + m) & (y >= y0 - m) & (y <= y1 + m)


# --- the drawing ----------------------------------------------------------------------------

class _Drawing:
    def __init__(self, canvas: _Canvas, window, selected: str | None):
        self.c = canvas
        self.window = window
        self.selected = selected
        self.legend = _Legend()
        self.label_queue: list[dict] = []  # labels to place, with priority
        self.hard: list[Box] = []  # boxes labels must avoid
        self.soft: list[Box] = []  # boxes labels avoid when they can (event markers)
        self.selected_name: str | None = None
        self.points: dict[str, tuple] = {}  # feature id -> (x, y, radius pt, marker box px or None)
        self.fans: list[tuple[float, float, float]] = []
        self.feature_ids: list[str] = []
        self.unlabelled: set[str] = set()  # point features drawn without a label  # event markers fanned out: (x px, y px, radius px)

    # labels -------------------------------------------------------------------------------
    def queue_label(self, text: str, x: float, y: float, *, priority: float, clearance_pt: float = 0.0,
                    offsets=CANDIDATE_OFFSETS, size_px: float = LABEL_PX, color: str = "#222222",
                    weight: str = "normal", style: str = "normal", halo: str = "#ffffff",
                    own: Box | None = None) -> None:
        """A label to place at (x, y) (map units), lowest ``priority`` first; ``own`` is the box of
        its own marker, which it may touch."""
        if not text:
            return
        self.label_queue.append(dict(text=text, x=x, y=y, priority=priority, clearance=clearance_pt,
                                     offsets=offsets, size=size_px, color=color, weight=weight, style=style,
                                     halo=halo, own=own))

    def place_labels(self) -> tuple[list[PlacedLabel], list[str]]:
        """Place the queued labels by priority (:mod:`slides.placement`); the placed and the left out."""
        sz = self.c.sizer
        frame = self.c.map_box
        frame = (frame[0] + 4, frame[1] + 4, frame[2] - 4, frame[3] - 4)
        placed: list[PlacedLabel] = []
        skipped: list[str] = []
        pad = sz.px(3)
        for item in sorted(self.label_queue, key=lambda d: d["priority"]):
            t = self.c.ax.annotate(
                item["text"], xy=(item["x"], item["y"]), xytext=(0, 0), textcoords="offset points",
                fontsize=sz.pt(item["size"]), color=item["color"], fontweight=item["weight"],
                fontstyle=item["style"], zorder=60, annotation_clip=False, linespacing=1.15, parse_math=False,
                path_effects=[withStroke(linewidth=sz.pt(4), foreground=item["halo"])])
            gap = item["clearance"] + sz.pt(3)
            own = item["own"]
            hard, soft = self.hard, self.soft
            if own is not None:
                # Markers stacked on this label's own (a place under an event, the selection ring) are part
                # of its anchor: the label goes just outside them all and ignores them as obstacles.
                stacked = [b for b in hard + soft if b is own or overlaps(b, own)]
                cx, cy = (own[0] + own[2]) / 2, (own[1] + own[3]) / 2
                reach = max(max(abs(b[0] - cx), abs(b[2] - cx), abs(b[1] - cy), abs(b[3] - cy)) for b in stacked)
                gap = max(gap, reach * 72 / sz.dpi + sz.pt(2))
                hard = [b for b in hard if not any(b is mine for mine in stacked)]
                soft = [b for b in soft if not any(b is mine for mine in stacked)]
            gaps = [gap]
            if own is not None:  # event markers fanned out around this place: also try just outside them
                cx, cy = (own[0] + own[2]) / 2, (own[1] + own[3]) / 2
                for fx, fy, fr in self.fans:
                    if math.hypot(fx - cx, fy - cy) <= (own[2] - own[0]) / 2 + sz.px(3):
                        gaps.append(max(gap, fr * 72 / sz.dpi + sz.pt(3)))
            boxes, positions = [], []
            for g in (gaps[0], max(gaps)) if len(gaps) > 1 else gaps:
                for dx, dy, ha, va in item["offsets"]:
                    t.xyann = (dx * g, dy * g)
                    t.set_horizontalalignment(ha)
                    t.set_verticalalignment(va)
                    t.set_multialignment(ha)
                    bb = t.get_window_extent(self.c.renderer)
                    boxes.append((float(bb.x0) - 2, float(bb.y0) - 2, float(bb.x1) + 2, float(bb.y1) + 2))
                    positions.append((dx * g, dy * g, ha, va, g > gaps[0]))
            taken = [p.box for p in placed] + hard
            i = fewest_covered(boxes, taken, soft, frame, pad)
            if i is None:
                t.remove()
                skipped.append(item["text"])
                continue
            dx, dy, ha, va, far = positions[i]
            t.xyann = (dx, dy)
            t.set_horizontalalignment(ha)
            t.set_verticalalignment(va)
            t.set_multialignment(ha)
            if far and own is not None:
                self._leader(own, boxes[i])
            placed.append(PlacedLabel(item["text"], boxes[i]))
        return placed, skipped

    def _leader(self, own: Box, box: Box) -> None:
        """A thin line from a marker to its label set apart beyond the markers fanned out around it."""
        cx, cy = (own[0] + own[2]) / 2, (own[1] + own[3]) / 2
        tx, ty = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
        d = math.hypot(tx - cx, ty - cy)
        if d < 1:
            return
        r = (own[2] - own[0]) / 2
        line = Line2D([cx + (tx - cx) * r / d, tx], [cy + (ty - cy) * r / d, ty], transform=IdentityTransform(),
                      color="#444444", linewidth=self.c.sizer.web(1), zorder=59)
        self.c.fig.add_artist(line)

    # geographic layers ----------------------------------------------------------------------
    def layer(self, key: str, gdf: gpd.GeoDataFrame, z: int) -> None:
        if gdf.empty:
            return
        if key == "lachin_corridor":
            gdf = valid_in_window(gdf, *self.window)
            if "kind" in gdf.columns:
                gdf = gdf.iloc[np.argsort(gdf["kind"].map(_CORRIDOR_ORDER).fillna(9).to_numpy(), kind="stable")]
            if gdf.empty:
                return
        # The corridor's rows valid in the window are projected on each call (a handful of features).
        merc = _projected(gdf) if key != "lachin_corridor" else gdf.to_crs(3857)
        style_of = STYLES[key]
        props = _records(gdf)
        geoms = merc.geometry.to_numpy()
        sz = self.c.sizer
        # Shapes: consecutive features of one style and kind drawn in one call.
        runs: list[tuple[str, tuple, list]] = []
        view = shapely.box(*self.c.extent)
        pts = []
        for p, g in zip(props, geoms):
            if g is None or g.is_empty:
                continue
            self.feature_ids.append(str(p.get("id")))
            style = style_of(p)
            if g.geom_type in ("Point", "MultiPoint"):
                pts.append((p, g, style))
                continue
            kind = "poly" if g.geom_type in ("Polygon", "MultiPolygon") else "line"
            skey = (kind, tuple(sorted((k, str(v)) for k, v in style.items())))
            if runs and runs[-1][0] == skey:
                runs[-1][2].append(g)
            else:
                runs.append((skey, style, [g]))
            if g.intersects(view):  # the legend lists what can be seen
                self._legend_for(key, p, style, kind)
        for (kind, _), style, shapes in runs:
            series = gpd.GeoSeries(shapes, crs=3857)
            if kind == "poly":
                series.plot(ax=self.c.ax, aspect=None, zorder=z, **polygon_kwargs(style, sz))
            else:
                series.plot(ax=self.c.ax, aspect=None, zorder=z, **line_kwargs(style, sz))
        if pts:
            self._points(key, pts, z)
        self._labels_for(key, props, geoms)
        self._highlight_features(key, props, geoms, z)

    def _points(self, key: str, pts, z: int) -> None:
        sz = self.c.sizer
        xs = np.array([g.centroid.x for _, g, _ in pts])
        ys = np.array([g.centroid.y for _, g, _ in pts])
        kws = [point_kwargs(style, sz) for _, _, style in pts]
        dashed = [dashes(style, sz) for _, _, style in pts]
        for ls in dict.fromkeys(dashed):  # one scatter per line style (the checkpoint is dashed)
            idx = [i for i, d in enumerate(dashed) if d == ls]
            self.c.ax.scatter(xs[idx], ys[idx], s=[kws[i]["s"] for i in idx],
                              facecolors=[kws[i]["facecolor"] for i in idx],
                              edgecolors=[kws[i]["edgecolor"] for i in idx],
                              linewidths=[kws[i]["linewidth"] for i in idx], linestyles=ls, zorder=z + 1)
        inside = self.c.contains(xs, ys)
        px, py = self.c.to_px(xs, ys)
        for i, (p, _, style) in enumerate(pts):
            box = None
            if inside[i]:
                r = sz.px(kws[i]["radius_pt"] * 100 / 72) + sz.px(1)
                box = (px[i] - r, py[i] - r, px[i] + r, py[i] + r)
                self.hard.append(box)
            self.points[str(p["id"])] = (xs[i], ys[i], kws[i]["radius_pt"], box)
            if key not in ("places", "stepanakert"):
                self.unlabelled.add(str(p["id"]))
            if box is not None:
                self._legend_for(key, p, style, "point")

    def _legend_for(self, key: str, p: dict, style: dict, kind: str) -> None:
        sz = self.c.sizer
        pk = p.get("kind")
        if kind == "poly":
            kw = polygon_kwargs(style, sz)
            handle = Patch(facecolor=kw["facecolor"], edgecolor=kw["edgecolor"], linewidth=kw["linewidth"],
                           linestyle=kw["linestyle"])
        elif kind == "line":
            kw = line_kwargs(style, sz)
            handle = Line2D([], [], color=kw["color"], linewidth=kw["linewidth"], linestyle=kw["linestyle"])
        else:
            kw = point_kwargs(style, sz)
            handle = Line2D([], [], marker="o", linestyle="", markersize=2 * kw["radius_pt"],
                            markerfacecolor=kw["facecolor"], markeredgecolor=kw["edgecolor"],
                            markeredgewidth=kw["linewidth"])
            if pk == "venue" or pk == "capital":
                handle.set_markeredgecolor("#888888")
        if key == "countries":
            self.legend.add(f"country:{p.get('id')}", handle, str(p.get("name", "")))
        elif key == "context":
            if pk in ("lake", "sea", "river", "coast"):
                water = Patch(facecolor=WATER, edgecolor=WATER_LINE, linewidth=sz.web(1))
                self.legend.add("water", water, "Lakes, rivers, coast")
            else:
                self.legend.add("border", handle, "Land borders")
        elif key == "nagorno_karabakh":
            self.legend.add("nk", handle, "Nagorno-Karabakh, former oblast (approx.)")
        elif key == "lachin_corridor":
            label = {"corridor": "Lachin corridor, 5 km (approx.)", "road": "Corridor road (schematic)",
                     "checkpoint": "Hakari checkpoint (position UNCONFIRMED)"}.get(pk, "Lachin corridor")
            self.legend.add(f"corridor:{pk}", handle, label)
        elif key == "stepanakert":
            label = "Stepanakert / Khankendi" if pk == "city" else "Renaissance Square (approx.)"
            self.legend.add(f"stepanakert:{pk}", handle, label)
        elif key == "places":
            label = {"venue": "Venue", "capital": "Capital", "town": "Town"}.get(pk, "Place")
            self.legend.add(f"places:{pk}", handle, label)

    def _labels_for(self, key: str, props: list[dict], geoms) -> None:
        sz = self.c.sizer
        if key in ("places", "stepanakert"):
            rank = {"city": 1, "capital": 2, "venue": 2, "town": 3, "square": 6}
            for p in props:
                fid = str(p["id"])
                if fid not in self.points:
                    continue
                x, y, r, own = self.points[fid]
                if own is None:
                    continue
                kind = p.get("kind")
                text = label_text(p)
                minor = kind == "square" or (kind == "town" and "/" not in text and "\n" not in text)
                if minor and self._near_other_point(fid, own):
                    continue  # small places (a square, a village) are labelled where they stand apart
                self.queue_label(text, x, y, priority=rank.get(kind, 5) + (0.5 if minor else 0), clearance_pt=r,
                                 weight="bold" if kind in ("city", "capital") else "normal", own=own,
                                 size_px=LABEL_PX + (2 if kind in ("city", "capital") else 0))
        elif key == "countries":
            for p, g in zip(props, geoms):
                anchor = self._area_anchor(g, min_share=0.04)
                if anchor is not None:
                    self.queue_label(label_text(p).upper(), *anchor, priority=8, offsets=_CENTRED,
                                     clearance_pt=sz.pt(LABEL_PX), size_px=COUNTRY_PX, color="#6b6357", weight="bold")
        elif key == "nagorno_karabakh":
            for p, g in zip(props, geoms):
                anchor = self._area_anchor(g, min_share=0.01)
                if anchor is not None:
                    self.queue_label(label_text(p), *anchor, priority=7, offsets=_CENTRED,
                                     clearance_pt=sz.pt(LABEL_PX), color=KARABAKH, style="italic")
        elif key == "context":
            for p, g in zip(props, geoms):
                if p.get("kind") == "lake":
                    anchor = self._area_anchor(g, min_share=0.0005)
                    if anchor is not None:
                        self.queue_label(label_text(p), *anchor, priority=9, offsets=_CENTRED,
                                     clearance_pt=sz.pt(LABEL_PX),
                                         size_px=LABEL_PX - 1, color="#2f6f9f", style="italic")

    def _near_other_point(self, fid: str, own: Box) -> bool:
        """Whether a labelled place marker drawn before the marker ``own`` of ``fid`` lies within
        40 px of it (a village next to a town, the square next to the city)."""
        cx, cy = (own[0] + own[2]) / 2, (own[1] + own[3]) / 2
        for other, (_, _, _, box) in self.points.items():
            if other == fid:
                return False
            if other in self.unlabelled:  # the checkpoint: no name of its own to give way to
                continue
            if box is not None and \
                    math.hypot((box[0] + box[2]) / 2 - cx, (box[1] + box[3]) / 2 - cy) < self.c.sizer.px(40):
                return True
        return False

    def _area_anchor(self, geom, min_share: float):
        """A point inside the part of ``geom`` in view, if that part is large enough to label."""
        x0, y0, x1, y1 = self.c.extent
        part = shapely.clip_by_rect(geom, x0, y0, x1, y1)
        if part.is_empty or part.area < min_share * (x1 - x0) * (y1 - y0):
            return None
        if part.geom_type == "MultiPolygon":
            part = max(part.geoms, key=lambda g: g.area)
        pt = part.representative_point() if part.geom_type != "Polygon" else polylabel(part, (x1 - x0) / 500)
        return pt.x, pt.y

    def _highlight_features(self, key: str, props: list[dict], geoms, z: int) -> None:
        sel = self.selected
        if not sel:
            return
        sz = self.c.sizer
        for p, g in zip(props, geoms):
            if str(p.get("id")) != sel and str(p.get("part_of") or "") != sel:
                continue
            if g is None or g.is_empty:
                continue
            self.selected_name = self.selected_name or str(p.get("name", sel))
            if g.geom_type in ("Point", "MultiPoint"):
                x, y, r, _ = self.points.get(str(p["id"]), (g.centroid.x, g.centroid.y, sz.web(6), None))
                self._ring(x, y, r)
            else:
                boundary = g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g
                gpd.GeoSeries([boundary], crs=3857).plot(
                    ax=self.c.ax, aspect=None, color=HIGHLIGHT, linewidth=sz.web(3), zorder=z + 5,
                    path_effects=[withStroke(linewidth=sz.web(6), foreground="#ffffff")])
                if key not in ("nagorno_karabakh", "countries") and str(p.get("id")) == sel:
                    anchor = self._area_anchor(g, 0.0) if g.geom_type in ("Polygon", "MultiPolygon") else None
                    if anchor is None:
                        mid = g.interpolate(0.5, normalized=True) if g.geom_type.endswith("LineString") else \
                            g.representative_point()
                        anchor = (mid.x, mid.y)
                    self.queue_label(label_text(p), *anchor, priority=0.5, offsets=CANDIDATE_OFFSETS,
                                     clearance_pt=sz.web(4), weight="bold")
            self.legend.add("selected", self._ring_handle(), "Selected")

    def _ring(self, x: float, y: float, r_pt: float) -> Box:
        """A black ring around the selected marker; its box in pixels, which labels keep clear of."""
        sz = self.c.sizer
        d = 2 * (r_pt + sz.web(4))
        self.c.ax.scatter([x], [y], s=[d * d], facecolors="none", edgecolors=HIGHLIGHT, linewidths=sz.web(3),
                          zorder=55)
        self.legend.add("selected", self._ring_handle(), "Selected")
        px, py = self.c.to_px(x, y)
        r = (d / 2 + sz.web(3)) * sz.dpi / 72
        box = (float(px) - r, float(py) - r, float(px) + r, float(py) + r)
        self.hard.append(box)
        return box

    def _ring_handle(self):
        sz = self.c.sizer
        return Line2D([], [], marker="o", linestyle="", markersize=sz.web(10), markerfacecolor="none",
                      markeredgecolor=HIGHLIGHT, markeredgewidth=sz.web(2.5))

    # events --------------------------------------------------------------------------------
    def events(self, ev: pd.DataFrame) -> None:
        c, sz = self.c, self.c.sizer
        n = len(ev)
        if not n:
            return
        lon = ev["longitude"].to_numpy(dtype=float)
        lat = ev["latitude"].to_numpy(dtype=float)
        x, y = _TO_MERC.transform(lon, lat)
        x, y = np.asarray(x), np.asarray(y)
        cats = ev["category"].astype(str).to_numpy()
        colors = np.array([CATEGORY_COLORS.get(k, CATEGORY_COLORS["imported"]) for k in pd.unique(cats)])
        codes = pd.Index(pd.unique(cats)).get_indexer(cats)
        facecolors = colors[codes]
        # Rings of approximate places (ACLED geo_precision 2: 5 km, 3: 25 km), as on the web map
        # while it draws them (fewer than BATCH_FROM markers).
        if n < BATCH_FROM and "geo_precision" in ev.columns:
            prec = pd.to_numeric(ev["geo_precision"], errors="coerce").fillna(1).astype(int).to_numpy()
            rings = [(i, UNCERTAINTY_M[p]) for i, p in enumerate(prec) if p in UNCERTAINTY_M]
            if rings:
                patches = [Circle((x[i], y[i]), metres / math.cos(math.radians(lat[i]))) for i, metres in rings]
                ring_colors = [facecolors[i] for i, _ in rings]
                coll = PatchCollection(patches, facecolors=[to_rgba(col, 0.06) for col in ring_colors],
                                       edgecolors=ring_colors, linewidths=sz.web(1.5),
                                       linestyles=dashes({"dashArray": "5 5"}, sz), zorder=48)
                c.ax.add_collection(coll, autolim=False)
                self.legend.add("ring", Line2D([], [], marker="o", linestyle="", markersize=sz.web(14),
                                               markerfacecolor="none", markeredgecolor="#555555",
                                               markeredgewidth=sz.web(1.5)),
                                "Approximate event location")
        mx, my = x.copy(), y.copy()
        if n <= SPREAD_MAX:
            mx, my = self._spread(x, y)
        radius = sz.web(EVENT_RADIUS)
        c.ax.scatter(mx, my, s=(2 * radius) ** 2, c=facecolors, alpha=0.95, edgecolors="#ffffff",
                     linewidths=sz.web(EVENT_EDGE), zorder=50, gid="events")
        present = set(pd.unique(cats).tolist())
        for cat in [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES)):
            count = int((cats == cat).sum())
            self.legend.add(f"cat:{cat}", Line2D([], [], marker="o", linestyle="", markersize=2 * radius,
                                                 markerfacecolor=CATEGORY_COLORS.get(cat, CATEGORY_COLORS["imported"]),
                                                 markeredgecolor="#ffffff", markeredgewidth=sz.web(EVENT_EDGE)),
                            f"{CATEGORIES.get(cat, cat)} ({count:,})")
        if n <= SPREAD_MAX:
            px, py = c.to_px(mx, my)
            r = sz.px(radius * 100 / 72)
            self.soft += [(a - r, b - r, a + r, b + r) for a, b in zip(px.tolist(), py.tolist())]
        if self.selected:
            hit = np.flatnonzero(ev["id"].astype(str).to_numpy() == self.selected)
            if len(hit):
                i = int(hit[0])
                ring = self._ring(mx[i], my[i], radius)
                title = str(ev["title"].iat[i])
                self.selected_name = title
                # After the city's and the capitals' names, so that the title never hides them.
                self.queue_label(_wrap(title, 42), mx[i], my[i], priority=2.5, clearance_pt=radius + sz.web(5),
                                 weight="bold", size_px=LABEL_PX + 1, own=ring, offsets=_FURTHER)

    def _spread(self, x: np.ndarray, y: np.ndarray):
        """Markers at one spot fanned out around it (with a thin leg to the true point)."""
        c, sz = self.c, self.c.sizer
        px, py = c.to_px(x, y)
        keys = np.round(px / 3).astype(np.int64) * 1_000_003 + np.round(py / 3).astype(np.int64)
        mx, my = x.copy(), y.copy()
        legs = []
        diameter = sz.px(2 * EVENT_RADIUS * 1.5) + sz.px(2)
        for key in pd.unique(keys):
            idx = np.flatnonzero(keys == key)
            k = len(idx)
            if k < 2:
                continue
            ring_px = max(diameter * 0.85, k * diameter * 1.05 / (2 * math.pi))
            angles = -math.pi / 2 + 2 * math.pi * np.arange(k) / k
            r = ring_px * c.units_per_px
            mx[idx] = x[idx[0]] + r * np.cos(angles)
            my[idx] = y[idx[0]] + r * np.sin(angles)
            legs += [[(x[idx[0]], y[idx[0]]), (a, b)] for a, b in zip(mx[idx], my[idx])]
            self.fans.append((float(px[idx[0]]), float(py[idx[0]]), ring_px + diameter / 2))
        if legs:
            c.ax.add_collection(LineCollection(legs, colors="#555555", linewidths=sz.web(1), zorder=49),
                                autolim=False)
        return mx, my

    # distant venues ------------------------------------------------------------------------
    def venues_off_map(self, places_gdf: gpd.GeoDataFrame, target) -> list[str]:
        """Arrows at the map's edge towards the distant venues outside the view, each labelled
        with its name and distance to ``target``; venues whose arrows would meet share one."""
        c, sz = self.c, self.c.sizer
        rows = places_gdf[places_gdf["id"].isin(list(DISTANT_VENUES))]
        if rows.empty:
            return []
        merc = _projected(places_gdf).loc[rows.index]
        x0, y0, x1, y1 = c.extent
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        inset = sz.px(30) * c.units_per_px
        arrows: list[dict] = []
        for (_, row), g in zip(rows.iterrows(), merc.geometry):
            if c.contains(g.x, g.y):
                continue
            dx, dy = g.x - cx, g.y - cy
            # Where the ray from the centre leaves the inset box.
            tx = ((x1 - inset - cx) / dx) if dx > 0 else ((x0 + inset - cx) / dx) if dx < 0 else math.inf
            ty = ((y1 - inset - cy) / dy) if dy > 0 else ((y0 + inset - cy) / dy) if dy < 0 else math.inf
            t = min(tx, ty)
            text = _short(str(row["name"]))
            if target is not None:
                _, _, metres = _GEOD.inv(row.geometry.x, row.geometry.y, target[2], target[1])
                text += f", {metres / 1000:,.0f} km"
            ex, ey = cx + t * dx, cy + t * dy
            near = next((a for a in arrows if math.hypot(a["ex"] - ex, a["ey"] - ey) < sz.px(90) * c.units_per_px),
                        None)
            if near is not None:  # Brussels and The Hague seen from the Caucasus: one arrow
                near["texts"].append(text)
                near["ids"].append(str(row["id"]))
                continue
            arrows.append(dict(ex=ex, ey=ey, dx=dx, dy=dy, texts=[text], ids=[str(row["id"])]))
        out = []
        for a in arrows:
            ex, ey, dx, dy = a["ex"], a["ey"], a["dx"], a["dy"]
            length = math.hypot(dx, dy)
            back = sz.px(70) * c.units_per_px
            sx, sy = ex - dx / length * back, ey - dy / length * back
            c.ax.annotate("", xy=(ex, ey), xytext=(sx, sy), zorder=58, annotation_clip=False,
                          arrowprops=dict(arrowstyle="-|>", color=VENUE, lw=sz.web(3),
                                          mutation_scale=sz.pt(26), shrinkA=0, shrinkB=0))
            # The label beside the arrow's tail, on the side facing the map's centre, or moved along the edge.
            ux, uy = -dx / length, -dy / length
            ha = "left" if ux > 0.3 else "right" if ux < -0.3 else "center"
            va = "bottom" if uy > 0.3 else "top" if uy < -0.3 else "center"
            along = [(ux, uy)] + ([(ux, uy + k) for k in (-1, 1, -2, 2, -3, 3)] if abs(uy) < 0.7 else
                                  [(ux + k, uy) for k in (-1, 1, -2, 2, -3, 3)])
            offs = tuple((ox, oy, ha, va) for ox, oy in along)
            self.queue_label("\n".join(a["texts"]), sx, sy, priority=0.8, offsets=offs, clearance_pt=sz.pt(16),
                             color="#1f5f8a", weight="bold")
            self.hard.append(_box_around(c, [ex, sx], [ey, sy], sz.px(12)))
            out += a["ids"]
        if out:
            self.legend.add("offmap", Line2D([], [], color=VENUE, marker=">", markersize=sz.web(8),
                                             linewidth=sz.web(3)),
                            "Venue off the map" + (" (km to Stepanakert)" if target is not None else ""))
        return out

    def distances(self, places_gdf: gpd.GeoDataFrame, target) -> None:
        """Dashed great-circle lines from the venues in view to ``target``, as the tour draws them."""
        c, sz = self.c, self.c.sizer
        rows = places_gdf[places_gdf["id"].isin(list(DISTANT_VENUES))]
        lines, texts = [], []
        for _, row in rows.iterrows():
            vx, vy = _TO_MERC.transform(row.geometry.x, row.geometry.y)
            if not c.contains(vx, vy):
                continue
            lon, lat = row.geometry.x, row.geometry.y
            _, _, metres = _GEOD.inv(lon, lat, target[2], target[1])
            mid = _GEOD.npts(lon, lat, target[2], target[1], 30)
            path = [(lon, lat), *mid, (target[2], target[1])]
            px, py = _TO_MERC.transform([p[0] for p in path], [p[1] for p in path])
            lines.append(np.column_stack([px, py]))
            texts.append((metres / 1000, _short(str(row["name"]))))
        if not lines:
            return
        style = {"color": VENUE, "weight": 2.5, "dashArray": "8 8"}
        c.ax.add_collection(LineCollection(lines, **{k: v for k, v in line_kwargs(style, sz).items()
                                                     if k != "color"}, colors=VENUE, zorder=45),
                            autolim=False)
        # The distances go in the legend: a label at Stepanakert would compete with the place names there.
        text = f"Distance to {target[0]}:\n" + "\n".join(f"{name} {km:,.0f} km" for km, name in sorted(texts))
        self.legend.add("distance", Line2D([], [], **line_kwargs(style, sz)), text)


#: The point positions, then further above and below (the selected event's title, which comes
#: after the place names at the same spot).
_FURTHER = CANDIDATE_OFFSETS + tuple((dx, dy * k, ha, va) for k in (2, 3) for dx, dy, ha, va in CANDIDATE_OFFSETS
                                     if dy)

#: A label centred on its anchor, or nudged up/down when that spot is taken.
_CENTRED = ((0, 0, "center", "center"), (0, 1, "center", "center"), (0, -1, "center", "center"),
            (0, 2, "center", "center"), (0, -2, "center", "center"))


def _wrap(text: str, width: int, lines: int = 2) -> str:
    """Break ``text`` onto lines of about ``width`` characters, at most ``lines`` (the last cut with "…").

    >>> print(_wrap("Russia offers to host a peace summit in Moscow for Armenia and Azerbaijan", 30))
    Russia offers to host a peace
    summit in Moscow for Armenia…
    """
    out = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(out) > lines:
        out = out[:lines - 1] + [_cut(out[lines - 1], width)]
    return "\n".join(out)


def _cut(line: str, width: int) -> str:
    line = line.rstrip(".,;: ")
    return (line if len(line) < width else line[:width - 1].rstrip()) + "…"


def _box_around(c: _Canvas, xs, ys, pad_px: float) -> Box:
    px, py = c.to_px(np.asarray(xs), np.asarray(ys))
    return (float(px.min() - pad_px), float(py.min() - pad_px), float(px.max() + pad_px), float(py.max() + pad_px))


def _target(layers: dict[str, gpd.GeoDataFrame]):
    """(name, lat, lon) of Stepanakert, the place distances are measured to, or None."""
    gdf = layers.get("stepanakert")
    if gdf is None or gdf.empty:
        return None
    rows = gdf[gdf["id"] == "stepanakert"]
    if rows.empty:
        return None
    g = rows.geometry.iloc[0]
    return "Stepanakert", g.y, g.x


# --- entry points ---------------------------------------------------------------------------

def render_view(dataset, *, layers: Iterable[str], window: Sequence[dt.date], bounds=DEFAULT_BOUNDS,
                selected: str | None = None, size: Sequence[int] = DEFAULT_SIZE, events: pd.DataFrame | None = None,
                title: str | None = None, basemap: bool = True, distances: bool = False) -> Rendered:
    """Draw one map view; the figure and what was drawn (see :func:`render_view_png`)."""
    width, height = check_size(size)
    (south, west), (north, east) = check_bounds(bounds)
    window = _check_window(window)
    visible = _check_layers(layers)
    table = dataset.events if events is None else events
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        return _render(dataset.layers, table, visible, window, ((south, west), (north, east)), selected,
                       (width, height), title, basemap, distances)


def _render(layer_frames, table, visible, window, bounds, selected, size, title, basemap, distances) -> Rendered:
    width, height = size
    sizer = Sizer(scale_for(width, height))
    pad = sizer.px(14)
    line_gap = 1.38
    caption_px = pad * 2 + sizer.px(TITLE_PX) * line_gap + (CAPTION_LINES - 1) * sizer.px(CAPTION_PX) * line_gap
    # A wide image keeps its legend in a panel on the right; a narrow one inside the map.
    panel_px = min(sizer.px(PANEL_PX), 0.3 * width) if width / (height - caption_px) >= 1.3 else 0.0
    canvas = _Canvas((width, height), caption_px, panel_px)
    canvas.set_extent(_fit_extent(bounds, canvas.map_w / canvas.map_h))
    drawing = _Drawing(canvas, window, selected)

    # Shapes, bottom first. The basemap (context) is drawn whether or not its toggle is on.
    drawn: list[str] = []
    for z, key in enumerate(DRAW_ORDER):
        wanted = key in visible or (key == "context" and basemap)
        if wanted and key in layer_frames:
            drawing.layer(key, layer_frames[key], z=10 + 4 * z)
            drawn.append(key)

    # Events of the visible categories in the window, and in view.
    shown_cats = [cat for cat in CATEGORIES if f"cat:{cat}" in visible]
    ev = table.iloc[0:0]
    outside = 0
    if shown_cats and len(table):
        ev = filter_window(table, *window)
        ev = ev[ev["category"].isin(shown_cats)]
        if len(ev):
            ex, ey = _TO_MERC.transform(ev["longitude"].to_numpy(dtype=float), ev["latitude"].to_numpy(dtype=float))
            keep = canvas.contains(ex, ey)
            outside = int((~keep).sum())
            ev = ev[keep]
    drawing.events(ev)

    target = _target(layer_frames)
    edge: list[str] = []
    if "places" in drawn:
        edge = drawing.venues_off_map(layer_frames["places"], target)
        if distances and target is not None:
            drawing.distances(layer_frames["places"], target)

    # Legend (in the panel, or upper right in the map) and scale bar (lower left): labels keep clear of both.
    entries = sorted(drawing.legend.entries.items(), key=lambda kv: kv[0] == "selected")  # "Selected" last
    handles = [h for _, (h, _) in entries]
    labels = [lab for _, (_, lab) in entries]
    if handles:
        _legend(canvas, handles, labels)
    lat_c = float(np.degrees(np.arctan(np.sinh((canvas.extent[1] + canvas.extent[3]) / 2 / 6378137.0))))
    lat_span = _lat_span(canvas)
    scalebar = ScaleBar(math.cos(math.radians(lat_c)), units="m", location="lower left", length_fraction=0.2,
                        font_properties={"size": sizer.pt(LEGEND_PX)}, box_alpha=0.85, pad=0.5, border_pad=0.8,
                        sep=sizer.pt(4), width_fraction=0.008, color="#222222", rotation="horizontal-only",
                        label=f"scale at {abs(lat_c):.0f}° {'N' if lat_c >= 0 else 'S'}" if lat_span > 3 else None,
                        label_loc="top" if lat_span > 3 else None)
    scalebar.set_zorder(80)
    if canvas.legend_box is not None:
        drawing.hard.append(canvas.legend_box)
    canvas.ax.add_artist(scalebar)
    drawing.hard.append((0, caption_px, 0.2 * canvas.map_w + sizer.px(60),
                         caption_px + sizer.px(LEGEND_PX) * (4.2 if lat_span > 3 else 2.8) + sizer.px(20)))

    canvas.set_extent(canvas.extent)  # the view as fitted, whatever was drawn
    placed, skipped = drawing.place_labels()

    caption = _caption(canvas, title, window, drawn, shown_cats, ev, outside, drawing.selected_name, pad, line_gap)
    return Rendered(figure=canvas.fig, size=(width, height), caption=caption, labels=placed, skipped=skipped,
                    events_drawn=len(ev), events_outside=outside, edge_venues=edge, layers_drawn=drawn,
                    features_drawn=drawing.feature_ids,
                    legend=labels)


def _legend(canvas: _Canvas, handles: list, labels: list[str]) -> None:
    """The legend: in the panel right of the map when there is one, else inside the map (upper right),
    where labels avoid it."""
    sz = canvas.sizer
    fig = canvas.fig
    kw = dict(fontsize=sz.pt(LEGEND_PX), labelspacing=0.5, handlelength=1.8, handleheight=0.9, borderpad=0.6)
    if canvas.panel_px:
        left = canvas.map_w / canvas.width
        bottom = canvas.caption_px / canvas.height
        fig.add_artist(Rectangle((left, bottom), 1 - left, 1 - bottom, transform=fig.transFigure,
                                 facecolor=PANEL_BG, edgecolor="#b9b2a5", linewidth=sz.pt(1.5), zorder=1))
        wrapped = ["\n".join(_wrap(line, LEGEND_WRAP, lines=3) for line in lab.split("\n")) for lab in labels]
        for shrink in (1.0, 0.85, 0.7):  # smaller type if the entries do not fit the panel's height
            kw["fontsize"] = sz.pt(LEGEND_PX * shrink)
            leg = fig.legend(handles, wrapped, loc="upper left", frameon=False,
                             bbox_to_anchor=(left + sz.px(8) / canvas.width, 1 - sz.px(8) / canvas.height), **kw)
            _literal(leg)
            if leg.get_window_extent(canvas.renderer).y0 >= canvas.caption_px or shrink == 0.7:
                return
            leg.remove()
    leg = canvas.ax.legend(handles, labels, loc="upper right", frameon=True, framealpha=0.92, facecolor="#ffffff",
                           edgecolor="#999999", borderaxespad=0.6, **kw)
    _literal(leg)
    leg.set_zorder(80)
    bb = leg.get_window_extent(canvas.renderer)
    canvas.legend_box = (bb.x0, bb.y0, bb.x1, bb.y1)


def _literal(legend) -> None:
    """Legend entries (some are names from data) as plain text, never mathtext."""
    for text in legend.get_texts():
        text.set_parse_math(False)


def _lat_span(canvas: _Canvas) -> float:
    """Degrees of latitude the map shows."""
    _, lats = _TO_LONLAT.transform([0, 0], [canvas.extent[1], canvas.extent[3]])
    return float(lats[1] - lats[0])


def _caption(canvas: _Canvas, title, window, drawn, shown_cats, ev, outside, selected_name, pad,
             line_gap) -> list[str]:
    """Draw the caption strip (:func:`slides.text.caption_lines`, fitted to the width); return its lines."""
    fig, sz = canvas.fig, canvas.sizer
    width, height = canvas.width, canvas.height
    fig.add_artist(Rectangle((0, 0), 1, canvas.caption_px / height, transform=fig.transFigure,
                             facecolor=CAPTION_BG, edgecolor="none", zorder=0))
    avail = width - 2 * pad
    sizes = [TITLE_PX] + [CAPTION_PX] * (CAPTION_LINES - 1)
    y = canvas.caption_px - pad
    artists = []
    for i, size_px in enumerate(sizes):
        artists.append(fig.text(pad / width, y / height, "", fontsize=sz.pt(size_px),
                                color=CAPTION_FG if i < 2 else CAPTION_DIM, fontweight="bold" if i == 0 else "normal",
                                va="top", ha="left", parse_math=False, usetex=False))
        y -= sz.px(size_px) * line_gap

    def fits(i: int, text: str) -> bool:
        artists[i].set_text(text)
        return artists[i].get_window_extent(canvas.renderer).width <= avail

    lines = caption_lines(title=EXPORT_TITLE if title is None else str(title), window=window,
                          layers=[k for k in LAYER_FILES if k in drawn], categories=shown_cats,
                          events_shown=len(ev), events_outside=outside, selected=selected_name,
                          publishers=event_publishers(ev) if len(ev) else [], credits=data_credits(drawn), fits=fits)
    for artist, line in zip(artists, lines):
        artist.set_text(line)
    return lines


def render_view_png(dataset, *, layers: Iterable[str], window: Sequence[dt.date], bounds=DEFAULT_BOUNDS,
                    selected: str | None = None, size: Sequence[int] = DEFAULT_SIZE,
                    events: pd.DataFrame | None = None, title: str | None = None, basemap: bool = True,
                    distances: bool = False) -> bytes:
    """A PNG of one map view, drawn on the server.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
        The loaded data (``load_dataset("data")``): its ``layers`` are drawn,
        and its ``events`` unless ``events`` is given.
    layers : iterable of str
        Visible layer keys: geographic keys of :data:`geo.catalog.LAYER_FILES`
        and ``"cat:<category>"``. An unknown key is a ValueError.
    window : (datetime.date, datetime.date)
        First and last day, both inclusive. Picks the corridor version(s) valid
        in it and the events whose possible dates overlap it.
    bounds : ((south, west), (north, east))
        The area to show, in degrees; widened to the map's aspect ratio
        (centred), never cut.
    selected : str, optional
        A feature id (or group id such as ``"lachin-corridor"``) or event id,
        outlined and labelled if it is drawn.
    size : (int, int)
        Width and height in pixels, each 320..4096 (default 1920×1080).
    events : pandas.DataFrame, optional
        The events table to draw from instead of ``dataset.events`` (the
        page's built-in plus imported events; columns of
        :data:`geo.catalog.EVENT_COLUMNS`). Filtered to the window here.
    title : str, optional
        The caption's first line (default: the export title).
    basemap : bool
        Draw the ``context`` layer (lakes, rivers, coast, borders) under the
        shapes even when its toggle is off: the image's stand-in for tiles.
    distances : bool
        Draw the tour's dashed lines from the venues in view to Stepanakert.

    Returns
    -------
    bytes
        A PNG of exactly ``size`` pixels.

    Raises
    ------
    ValueError
        For a size out of range, bad bounds, a reversed window or an unknown
        layer key; the message names the value.

    Examples
    --------
    >>> render_view_png(None, layers=[], window=(dt.date(2023, 7, 1), dt.date(2023, 7, 2)), size=(100, 100))
    Traceback (most recent call last):
    ...
    ValueError: image width must be between 320 and 4096 pixels, got 100
    """
    rendered = render_view(dataset, layers=layers, window=window, bounds=bounds, selected=selected, size=size,
                           events=events, title=title, basemap=basemap, distances=distances)
    try:
        return rendered.png()
    finally:
        rendered.figure.clear()
