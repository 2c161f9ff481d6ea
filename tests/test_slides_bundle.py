"""Every tour step as a PNG in one ZIP (slides/bundle.py).

The built-in tour's images are saved to test-artifacts/slides/ to be looked at.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import struct
import zipfile

import pytest

from geo.dataset import load_dataset
from slides import step_filename, tour_images_zip
from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "slides"
NAME = re.compile(r"step-(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.png")


@pytest.fixture(scope="module")
def data():
    return load_dataset(ROOT / "data")


@pytest.fixture(scope="module")
def tour_zip(data):
    return tour_images_zip(data)


def test_zip_has_one_png_per_step_in_order(data, tour_zip):
    with zipfile.ZipFile(io.BytesIO(tour_zip)) as zf:
        names = zf.namelist()
        assert len(names) == len(data.tour) == 11
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("step-*.png"):
            old.unlink()
        for number, (name, step) in enumerate(zip(names, data.tour), start=1):
            match = NAME.fullmatch(name)
            assert match, f"{name!r} is not step-NN-<slug>.png"
            assert int(match.group(1)) == number == step.number
            assert name == step_filename(step, len(data.tour))
            png = zf.read(name)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            assert struct.unpack(">II", png[16:24]) == (1920, 1080)
            (ARTIFACTS / name).write_bytes(png)
    assert names[0] == "step-01-the-region-armenia-and-azerbaijan.png"
    assert names[9] == "step-10-closure-a-statement-and-a-rally-11-14-july-2023.png"


def test_zip_of_given_steps_and_size(data):
    """A presenter's own steps (here two, retitled) at another size; numbering follows the steps."""
    steps = [dataclasses.replace(data.tour[9], number=1, title="Rally: $x^2$ / Überblick"),
             dataclasses.replace(data.tour[0], number=2, title="Region")]
    blob = tour_images_zip(data, steps, size=(1280, 720))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert zf.namelist() == ["step-01-rally-x-2-uberblick.png", "step-02-region.png"]
        for name in zf.namelist():
            assert struct.unpack(">II", zf.read(name)[16:24]) == (1280, 720)


def test_zip_is_the_same_for_the_same_tour(data):
    steps = data.tour[:1]
    assert tour_images_zip(data, steps, size=(640, 360)) == tour_images_zip(data, steps, size=(640, 360))


def test_empty_tour_gives_an_empty_zip(data):
    with zipfile.ZipFile(io.BytesIO(tour_images_zip(data, []))) as zf:
        assert zf.namelist() == []


def test_zip_bad_size_is_a_value_error(data):
    with pytest.raises(ValueError, match="image height must be between 320 and 4096 pixels, got 10000"):
        tour_images_zip(data, size=(1920, 10_000))


def test_step_with_centre_and_zoom_is_drawn(data):
    import dataclasses

    step = dataclasses.replace(data.tour[1], bounds=None, center=(39.8153, 46.7519), zoom=9)
    blob = tour_images_zip(data, [step], size=(960, 540))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert zf.namelist() == ["step-02-nagorno-karabakh-and-stepanakert-khankendi.png"]


def test_step_window_is_in_the_caption(data):
    from slides.bundle import step_bounds
    from slides.image import render_view

    step = data.tour[9]
    rendered = render_view(data, layers=step.layers, window=step.window, bounds=step_bounds(step), size=(960, 540),
                           selected=step.highlight)
    assert step.window == (dt.date(2023, 7, 11), dt.date(2023, 7, 14))
    assert rendered.caption[1].startswith("11 Jul 2023 – 14 Jul 2023")
