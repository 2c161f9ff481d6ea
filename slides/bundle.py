"""Every tour step as a PNG, in one ZIP file, for a presenter's slides."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence

import pandas as pd

from geo.load_tour import TourStep
from slides.image import DEFAULT_SIZE, check_size, render_view_png
from slides.style import WEB_PX

__all__ = ["tour_images_zip", "step_filename", "slug", "step_bounds"]

#: Fixed time stamp of the ZIP entries, so the same tour gives the same file.
_ZIP_TIME = (2023, 7, 15, 0, 0, 0)


def slug(text: str, max_len: int = 60) -> str:
    """A file-name part from a title: ASCII lower case, words joined by ``-``.

    Examples
    --------
    >>> slug("Closure, a statement and a rally (11-14 July 2023)")
    'closure-a-statement-and-a-rally-11-14-july-2023'
    >>> slug("Nagorno-Karabakh and Stepanakert / Khankendi")
    'nagorno-karabakh-and-stepanakert-khankendi'
    >>> slug("Dağlıq Qarabağ"), slug("$$$")
    ('daglq-qarabag', 'step')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > max_len:
        words = words[:max_len].rsplit("-", 1)[0] if "-" in words[:max_len] else words[:max_len]
    return words or "step"


def step_filename(step: TourStep, count: int = 0) -> str:
    """``step-NN-<slug>.png`` for a step (NN has as many digits as ``count`` needs, at least two).

    Examples
    --------
    >>> import datetime as dt
    >>> s = TourStep(3, "The ICJ order (22 February 2023)", "n", (), ((38, 2), (53, 50)), None, None, (),
    ...              (dt.date(2023, 2, 22), dt.date(2023, 2, 22)))
    >>> step_filename(s)
    'step-03-the-icj-order-22-february-2023.png'
    """
    digits = max(2, len(str(count)))
    return f"step-{step.number:0{digits}d}-{slug(step.title)}.png"


def step_bounds(step: TourStep, size: Sequence[int] = DEFAULT_SIZE):
    """The area a step shows: its ``bounds``, or the box its centre and zoom show on
    the web map at the image's size in CSS pixels (image pixels / 1.5).

    Examples
    --------
    >>> import datetime as dt
    >>> s = TourStep(1, "t", "n", (), None, (39.8, 46.75), 9, (), (dt.date(2023, 1, 1), dt.date(2023, 1, 1)))
    >>> (south, west), (north, east) = step_bounds(s, (1920, 1080))
    >>> round(east - west, 2)
    3.52
    """
    width, height = size
    return step.view_bounds(round(width / WEB_PX), round(height / WEB_PX))


def tour_images_zip(dataset, steps: Sequence[TourStep] | None = None, *, size: Sequence[int] = DEFAULT_SIZE,
                    events: pd.DataFrame | None = None, basemap: bool = True) -> bytes:
    """A ZIP of one PNG per tour step, named ``step-01-<slug>.png``, ``step-02-…``.

    Each image is :func:`slides.image.render_view_png` of the step's view: its
    layers, window, bounds (or centre and zoom) and highlight, titled
    "Step N of M: <title>", with the tour's distance lines to Stepanakert.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
        The loaded data; its ``tour`` is used when ``steps`` is None.
    steps : sequence of TourStep, optional
        The steps to draw (a presenter's own tour), in order.
    size : (int, int)
        Pixels of every image, each side 320..4096 (ValueError otherwise).
    events : pandas.DataFrame, optional
        Events to draw instead of ``dataset.events``.
    basemap : bool
        Draw lakes, rivers, coast and borders under every step.

    Returns
    -------
    bytes
        The ZIP file (PNG entries stored, not compressed again).

    Examples
    --------
    >>> tour_images_zip(None, [], size=(10, 10))
    Traceback (most recent call last):
    ...
    ValueError: image width must be between 320 and 4096 pixels, got 10
    """
    size = check_size(size)
    steps = list(dataset.tour if steps is None else steps)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for step in steps:
            png = render_view_png(dataset, layers=step.layers, window=step.window, bounds=step_bounds(step, size),
                                  selected=step.highlight, size=size, events=events,
                                  title=f"Step {step.number} of {len(steps)}: {step.title}", basemap=basemap,
                                  distances=True)
            info = zipfile.ZipInfo(step_filename(step, len(steps)), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, png)
    return buf.getvalue()
