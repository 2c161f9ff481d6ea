"""The offline presentation file (layers/presentation.py) as text: what it holds and what it
must never hold. The browser walks it in tests/browser/test_presentation_browser.py."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from geo.dataset import load_dataset
from geo.window import filter_window
from layers.presentation import presentation_filename, presentation_html
from tests.browser.conftest import ROOT

#: The states the file starts the walk with (the first argument of DashDeck.start).
STATES = re.compile(r"DashDeck\.start\((\[.*?\]), document\.getElementById", re.S)


@pytest.fixture(scope="module")
def data():
    d = load_dataset(ROOT / "data")
    assert d.problems == [], d.problems
    return d


@pytest.fixture(scope="module")
def html(data):
    return presentation_html(data)


def states_of(html: str) -> list[dict]:
    return json.loads(STATES.search(html).group(1).replace("<\\/", "</"))


def test_the_built_in_tour_fits_in_3_mb_and_links_nothing(html):
    assert len(html.encode("utf-8")) <= 3_000_000
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"<link\b[^>]*\bhref\s*=", html, re.I)
    assert "unpkg" not in html and "jsdelivr" not in html  # (tile URL templates are there: an option, unused offline)
    for name in ("window.DashDeck", "window.DashPage", "window.DashMap", "P.registerView(\"tour\""):
        assert name in html, f"{name} is not in the file"


def test_one_state_per_step_with_the_steps_layers_window_and_view(data, html):
    states = states_of(html)
    assert [s["tour"] for s in states] == [{"step": i, "of": len(data.tour)} for i in range(1, len(data.tour) + 1)]
    for step, state in zip(data.tour, states):
        assert state["window"] == [step.window[0].isoformat(), step.window[1].isoformat()], step.title
        assert set(state["layers"]) == set(step.layers), step.title
        assert state["standalone"] is True
        view = state["view"]
        if step.bounds is not None:
            assert view["bounds"] == [list(step.bounds[0]), list(step.bounds[1])]
        else:
            assert view["center"] == list(step.center) and view["zoom"] == step.zoom
        if step.highlight in set(data.events["id"]):
            assert state["open"]["id"] == step.highlight and state["open"]["subject"] is True
    # step 4 shows the 30 August 2022 rerouting: it must be among that step's events
    step4 = data.tour[3]
    shown = filter_window(data.events, *step4.window)
    assert "corridor-rerouted-2022" in set(shown["id"])


def test_text_from_the_tour_cannot_close_the_script(data):
    payload = "</script><script>window.__pwned = 1</script><img src=x onerror=alert(1)>"
    steps = list(data.tour)
    steps[1] = dataclasses.replace(steps[1], title=payload, narrative=payload, notes=payload)
    html = presentation_html(data, steps)
    assert "window.__pwned = 1" in html  # it is there, as data …
    assert "</script><script>window.__pwned" not in html  # … and cannot end the script element
    assert states_of(html)[1]["tour"] == {"step": 2, "of": len(steps)}


def test_an_empty_tour_is_refused_with_a_message(data):
    with pytest.raises(ValueError, match="the tour has no steps"):
        presentation_html(data, [])


def test_filename():
    assert presentation_filename() == "armenia-azerbaijan-tour.html"
    assert presentation_filename("My talk: Lachin!") == "armenia-azerbaijan-my-talk-lachin.html"
