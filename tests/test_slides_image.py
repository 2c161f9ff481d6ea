"""Images for slides: one map view drawn to PNG on the server (slides/image.py).

The renders are shared per module (each takes about half a second). The PNG of
the default view is saved to test-artifacts/slides/ to be looked at.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import struct

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.text import Text

from geo.dataset import LAYER_KEYS, load_dataset
from geo.window import filter_window
from slides import DEFAULT_BOUNDS, render_view, render_view_png
from slides.placement import overlaps
from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "slides"
JULY = (dt.date(2023, 7, 1), dt.date(2023, 7, 15))
#: Geographic layers only: no event markers, so two windows of one corridor version draw the same map.
GEO_ONLY = ["countries", "nagorno_karabakh", "stepanakert", "lachin_corridor", "places", "context"]


@pytest.fixture(scope="module")
def data():
    return load_dataset(ROOT / "data")


@pytest.fixture(scope="module")
def span(data):
    return data.events["date_start"].min().date(), data.events["date_end"].max().date()


@pytest.fixture(scope="module")
def default_view(data, span):
    """All layers, the whole span, the page's region bounds, 1920x1080."""
    rendered = render_view(data, layers=LAYER_KEYS, window=span, bounds=DEFAULT_BOUNDS)
    png = rendered.png()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "default-view.png").write_bytes(png)
    return rendered, png


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", png[16:24])


def pixels(png: bytes) -> np.ndarray:
    """RGB as 0..255 integers, (height, width, 3)."""
    return np.round(mpimg.imread(io.BytesIO(png), format="png")[..., :3] * 255).astype(np.int16)


def distinct_colours(rgb: np.ndarray) -> int:
    flat = rgb.reshape(-1, 3).astype(np.int64)
    return len(np.unique(flat[:, 0] * 65536 + flat[:, 1] * 256 + flat[:, 2]))


def assert_not_blank(rgb: np.ndarray) -> None:
    assert rgb.std() > 20, f"pixel standard deviation {rgb.std():.1f}: the image is (almost) blank"
    assert distinct_colours(rgb) > 500, f"only {distinct_colours(rgb)} colours"


def caption_strip(rendered, rgb: np.ndarray) -> np.ndarray:
    fig = rendered.figure
    height_px = int(round(fig.axes[0].get_position().y0 * rendered.size[1]))
    return rgb[-height_px + 2:]


# --- size, content ----------------------------------------------------------------------------

def test_default_png_is_1920x1080_and_not_blank(default_view):
    rendered, png = default_view
    assert png_size(png) == (1920, 1080)
    rgb = pixels(png)
    assert rgb.shape == (1080, 1920, 3)
    assert_not_blank(rgb)


def test_the_blank_check_fails_on_a_blank_image():
    blank = np.full((1080, 1920, 3), 244, dtype=np.int16)
    with pytest.raises(AssertionError, match="blank"):
        assert_not_blank(blank)


@pytest.mark.parametrize("size", [(1280, 720), (1080, 1350), (320, 320), (4096, 2304)])
def test_png_has_the_requested_size(data, size):
    png = render_view_png(data, layers=["countries", "places", "cat:protest"], window=JULY, bounds=DEFAULT_BOUNDS,
                          size=size)
    assert png_size(png) == size
    assert_not_blank(pixels(png))


@pytest.mark.parametrize("size, message", [
    ((100, 1080), "image width must be between 320 and 4096 pixels, got 100"),
    ((1920, 5000), "image height must be between 320 and 4096 pixels, got 5000"),
    ((1920.5, 1080), "image width must be a whole number of pixels, got 1920.5"),
    ((True, 1080), "image width must be a whole number of pixels, got True"),
    ((1920,), r"image size must be \(width, height\) in pixels, got \(1920,\)"),
    ("1920x1080", "image size must be"),
])
def test_bad_size_is_a_value_error(data, size, message):
    with pytest.raises(ValueError, match=message):
        render_view_png(data, layers=["countries"], window=JULY, size=size)


@pytest.mark.parametrize("kwargs, message", [
    ({"bounds": [[42.0, 43.4], [38.3, 50.5]]}, r"south \(42.0\) must be below north \(38.3\)"),
    ({"bounds": [[38.3, 50.5], [42.0, 43.4]]}, r"west \(50.5\) must be west of east \(43.4\)"),
    ({"bounds": [[-89.0, 43.4], [42.0, 50.5]]}, "Web Mercator"),
    ({"bounds": "everywhere"}, "bounds must be"),
    ({"window": (dt.date(2023, 7, 15), dt.date(2023, 7, 1))}, "first day .2023-07-15. is after the last"),
    ({"window": ("2023-07-01", dt.date(2023, 7, 2))}, "the first day must be a date"),
    ({"layers": ["countries", "tiles"]}, "unknown layer key.*'tiles'"),
])
def test_bad_view_is_a_value_error(data, kwargs, message):
    view = {"layers": ["countries"], "window": JULY, "bounds": DEFAULT_BOUNDS, **kwargs}
    with pytest.raises(ValueError, match=message):
        render_view_png(data, **view)


# --- the caption --------------------------------------------------------------------------------

def test_caption_names_the_window_layers_and_sources(data):
    rendered = render_view(data, layers=["countries", "stepanakert", "cat:protest", "cat:blockade"],
                           window=(dt.date(2023, 7, 1), dt.date(2023, 7, 15)), bounds=DEFAULT_BOUNDS, size=(1280, 720))
    title, when, layers, credits, publishers = rendered.caption
    assert when.startswith("1 Jul 2023 – 15 Jul 2023")
    assert "2 events shown (layers: Protest, Access and checkpoints)" in when
    assert layers.startswith("Layers: Armenia and Azerbaijan; Stepanakert / Khankendi")
    assert "Lakes, rivers, coast, borders" in layers  # the basemap is drawn, so it is named
    assert credits == ("Map data: Natural Earth (public domain); GeoNames (CC BY 4.0); WDBII rivers, GSHHG (LGPL)")
    # The 11 July closure and the 14 July rally: their publishers, each once.
    assert publishers == "Event sources: Trend (State Border Service of Azerbaijan), RFE/RL, quoting the ICRC (ecoi.net), AFP via Malay Mail, Artsakhpress"
    drawn = [t.get_text() for t in rendered.figure.texts]
    assert rendered.caption == [t for t in drawn if t in rendered.caption]


def test_caption_window_is_in_the_pixels(data):
    """Two windows of one corridor version, no event layer: only the caption's window differs,
    so the map is pixel for pixel the same and the caption strip is not."""
    a = render_view(data, layers=GEO_ONLY, window=(dt.date(2023, 7, 1), dt.date(2023, 7, 15)), size=(960, 540))
    b = render_view(data, layers=GEO_ONLY, window=(dt.date(2023, 7, 2), dt.date(2023, 7, 15)), size=(960, 540))
    assert a.caption[1] == "1 Jul 2023 – 15 Jul 2023" and b.caption[1] == "2 Jul 2023 – 15 Jul 2023"
    assert a.caption[0] == b.caption[0] and a.caption[2:] == b.caption[2:]
    pa, pb = pixels(a.png()), pixels(b.png())
    strip = caption_strip(a, pa).shape[0]
    assert np.array_equal(pa[:-strip], pb[:-strip]), "the map differs although only the window's text does"
    differ = np.flatnonzero(np.any(pa[-strip:] != pb[-strip:], axis=(1, 2)))
    assert len(differ), "the caption strip does not show the window"
    # The rows that differ are those of the second line (the window), not the title or the credits.
    second_line = [t for t in a.figure.texts if t.get_text() == a.caption[1]][0]
    box = second_line.get_window_extent(a.figure.canvas.get_renderer())
    rows_from_top = 540 - np.array([box.y1, box.y0])
    assert (540 - strip + differ).min() >= rows_from_top[0] - 2
    assert (540 - strip + differ).max() <= rows_from_top[1] + 2


def test_caption_lists_many_publishers_with_and_n_more(data):
    n = 40
    rows = data.events.iloc[[4] * n].reset_index(drop=True).copy()  # the rally, 40 times
    rows["id"] = [f"rally-{i}" for i in range(n)]
    rows["sources"] = [[{"publisher": f"Publisher {i:02d}", "url": f"https://example.org/{i}"}] for i in range(n)]
    rendered = render_view(data, layers=["cat:protest"], window=JULY, events=rows, size=(1280, 720))
    line = rendered.caption[4]
    assert line.startswith("Event sources: Publisher 00, Publisher 01")
    shown = line.count("Publisher ")
    assert shown <= 12 and line.endswith(f" and {n - shown} more")


def test_title_with_dollar_signs_is_drawn_literally(data):
    """Data text is never mathtext: "$x^2$" keeps its dollars and caret, and a title that
    mathtext cannot parse still renders."""
    title = "Costs $x^2$ and \\alpha, $5 $\\frac{$"
    rendered = render_view(data, layers=["countries"], window=JULY, size=(960, 540), title=title)
    assert rendered.caption[0] == title
    png = rendered.png()  # would raise a ValueError ("Unknown symbol" / parse error) with mathtext on
    assert png_size(png) == (960, 540)
    texts = [t for t in rendered.figure.findobj(Text) if t.get_text()]
    assert texts and all(t.get_parse_math() is False and not t.get_usetex() for t in texts if "$" in t.get_text())
    # Measured: the drawn title is as wide as the literal text, not as its mathtext rendering.
    renderer = rendered.figure.canvas.get_renderer()
    drawn = [t for t in rendered.figure.texts if t.get_text() == title][0]
    literal = Text(0, 0, "$x^2$", fontproperties=drawn.get_fontproperties(), parse_math=False, figure=rendered.figure)
    math = Text(0, 0, "$x^2$", fontproperties=drawn.get_fontproperties(), parse_math=True, figure=rendered.figure)
    assert literal.get_window_extent(renderer).width > 1.5 * math.get_window_extent(renderer).width
    drawn.set_text("$x^2$")
    assert drawn.get_window_extent(renderer).width == pytest.approx(literal.get_window_extent(renderer).width)


def test_event_title_with_dollars_is_literal_on_the_map(data):
    rows = data.events.iloc[[4]].reset_index(drop=True).copy()
    rows.loc[0, "title"] = "Rally: $E=mc^2$"
    rendered = render_view(data, layers=["stepanakert", "cat:protest"], window=JULY, events=rows,
                           selected=rows.loc[0, "id"], bounds=((39.6, 46.5), (40.0, 47.0)), size=(1280, 720))
    assert "Rally: $E=mc^2$" in [label.text for label in rendered.labels]
    assert rendered.caption[1].endswith("Selected: Rally: $E=mc^2$")
    rendered.png()


# --- what is drawn -----------------------------------------------------------------------------------

def test_labels_carry_both_names_and_do_not_overlap(default_view, data):
    rendered, _ = default_view
    texts = [label.text for label in rendered.labels]
    assert "Stepanakert / Khankendi (Xankəndi)" in texts
    assert "Shusha / Shushi" in texts
    assert "Lachin / Berdzor" in texts
    for a, b in itertools.combinations(rendered.labels, 2):
        assert not overlaps(a.box, b.box), f"{a.text!r} overlaps {b.text!r}"


def test_labels_do_not_overlap_in_a_crowded_view(data):
    """All layers on a small image: many labels compete; those placed never overlap, and some are left out."""
    rendered = render_view(data, layers=LAYER_KEYS, window=(dt.date(2020, 11, 10), dt.date(2023, 7, 15)),
                           bounds=DEFAULT_BOUNDS, size=(640, 360))
    assert rendered.skipped, "expected some labels to be left out at 640x360"
    for a, b in itertools.combinations(rendered.labels, 2):
        assert not overlaps(a.box, b.box), f"{a.text!r} overlaps {b.text!r}"
    width, height = rendered.size
    for label in rendered.labels:
        x0, y0, x1, y1 = label.box
        assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, f"{label.text!r} leaves the image"


def test_corridor_version_follows_the_window(data):
    before = render_view(data, layers=["lachin_corridor"], window=(dt.date(2021, 1, 1), dt.date(2021, 2, 1)),
                         size=(640, 360))
    after = render_view(data, layers=["lachin_corridor"], window=JULY, size=(640, 360))
    spanning = render_view(data, layers=["lachin_corridor"], window=(dt.date(2022, 8, 26), dt.date(2022, 9, 3)),
                           size=(640, 360))
    assert {"lachin-road-2020", "lachin-corridor-2020"} <= set(before.features_drawn)
    assert not {"lachin-road-2022", "lachin-corridor-2022", "hakari-checkpoint"} & set(before.features_drawn)
    assert {"lachin-road-2023", "lachin-corridor-2023", "hakari-checkpoint"} <= set(after.features_drawn)
    assert not {"lachin-road-2020", "lachin-road-2022"} & set(after.features_drawn)
    assert {"lachin-road-2020", "lachin-road-2022"} <= set(spanning.features_drawn)


def test_events_of_the_window_and_visible_categories_are_drawn(data):
    window = (dt.date(2023, 7, 11), dt.date(2023, 7, 14))
    rendered = render_view(data, layers=["cat:protest", "cat:blockade"], window=window, size=(960, 540))
    expected = filter_window(data.events, *window)
    expected = expected[expected["category"].isin(["protest", "blockade"])]
    assert rendered.events_drawn == len(expected) == 2
    markers = [c for c in rendered.figure.axes[0].collections if c.get_gid() == "events"]
    assert len(markers) == 1 and len(markers[0].get_offsets()) == 2
    assert "Protest (1)" in rendered.legend and "Access and checkpoints (1)" in rendered.legend
    assert not any(entry.startswith("Diplomacy") for entry in rendered.legend)


def test_far_venues_outside_the_view_get_edge_arrows(default_view, data):
    rendered, _ = default_view
    assert sorted(rendered.edge_venues) == ["brussels", "moscow", "the-hague"]
    texts = "\n".join(label.text for label in rendered.labels)
    assert "Moscow, 1,895 km" in texts
    assert "Brussels, 3,484 km" in texts and "The Hague, 3,502 km" in texts
    assert rendered.events_outside == 6  # Brussels, Moscow and The Hague's events, not drawn
    europe = render_view(data, layers=["places"], window=JULY, bounds=((38.5, 3.0), (56.5, 50.5)), size=(960, 540))
    assert europe.edge_venues == []
    no_places = render_view(data, layers=["countries"], window=JULY, size=(640, 360))
    assert no_places.edge_venues == []


def test_selected_event_is_ringed_labelled_and_named(data):
    rendered = render_view(data, layers=["stepanakert", "places", "cat:protest"], window=JULY,
                           bounds=((39.3, 44.3), (40.4, 47.0)), selected="stepanakert-rally", size=(1280, 720))
    title = data.events.set_index("id").loc["stepanakert-rally", "title"]
    assert rendered.caption[1].endswith(f"Selected: {title}")
    assert rendered.legend[-1] == "Selected"
    assert any(label.text.replace("\n", " ") == title for label in rendered.labels)


def test_selected_feature_is_named_and_unknown_selection_ignored(data):
    rendered = render_view(data, layers=["nagorno_karabakh"], window=JULY, selected="nagorno-karabakh",
                           size=(640, 360))
    assert rendered.caption[1].endswith("Selected: Nagorno-Karabakh")
    other = render_view(data, layers=["countries"], window=JULY, selected="no-such-thing", size=(640, 360))
    assert "Selected" not in other.caption[1] and "Selected" not in other.legend


def test_ten_thousand_events_are_one_scatter(data):
    n = 10_000
    rng = np.random.default_rng(1)
    rows = data.events.iloc[rng.integers(0, len(data.events), n)].reset_index(drop=True).copy()
    rows["id"] = [f"synthetic-{i}" for i in range(n)]
    rows["latitude"] = rng.uniform(38.8, 41.5, n)
    rows["longitude"] = rng.uniform(44.0, 49.5, n)
    days = pd.Timestamp("2023-07-01") + pd.to_timedelta(rng.integers(0, 15, n), unit="D")
    rows["event_date"], rows["date_start"], rows["date_end"] = days, days, days
    rendered = render_view(data, layers=LAYER_KEYS, window=JULY, events=rows, size=(960, 540))
    assert rendered.events_drawn == n
    axes = rendered.figure.axes[0]
    markers = [c for c in axes.collections if c.get_gid() == "events"]
    assert len(markers) == 1 and isinstance(markers[0], PathCollection)
    assert len(markers[0].get_offsets()) == n
    # No per-event patches: the uncertainty rings are left out at this size, as on the web map.
    assert "Approximate event location" not in rendered.legend
    assert len(axes.collections) < 40
    assert png_size(rendered.png()) == (960, 540)


def test_renders_from_two_threads_equal_the_serial_render(data):
    """The page renders in Streamlit's script threads: rcParams are global, so concurrent renders
    must not leak settings into each other (mathtext back on, dashes rescaled)."""
    from concurrent.futures import ThreadPoolExecutor

    view = dict(layers=LAYER_KEYS, window=JULY, bounds=DEFAULT_BOUNDS, size=(640, 360), title="Price: $x^2$")
    serial = render_view_png(data, **view)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: render_view_png(data, **view), range(3)))
    assert all(png == serial for png in results)
