"""Presenter mode through AppTest: every step of the default tour sets its
layers, window and narrative, and the URL holds the step."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import load_dataset
from tests.conftest import ROOT

TOUR = load_dataset(ROOT / "data").tour


def shown_layers(at: AppTest) -> set[str]:
    return {c.key.removeprefix("show:") for c in at.sidebar.checkbox if c.value}


def narrative(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def walk():
    """Start the tour from the sidebar, then press Next through every step."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.sidebar.button(key="start_tour").click().run()
    seen = []
    for n in range(1, len(TOUR) + 1):
        assert not at.exception, at.exception
        seen.append((n, at.session_state.tour_step, shown_layers(at), at.sidebar.slider(key="window").value,
                     [s.value for s in at.subheader], narrative(at), dict(at.query_params)))
        if n < len(TOUR):
            at.button(key="next").click().run()
    return at, seen


def test_the_default_tour_has_eleven_steps():
    assert len(TOUR) == 11


@pytest.mark.parametrize("n", range(1, 12))
def test_each_step_sets_its_layers_window_and_narrative(walk, n):
    _, seen = walk
    number, step_state, layers, window, subheaders, text, query = seen[n - 1]
    step = TOUR[n - 1]
    assert step_state == n
    assert layers == set(step.layers)
    assert window == step.window
    assert step.title in subheaders
    assert f"**Step {n} of 11**" in text
    assert step.narrative in text.replace("\\", "")  # shown whole, as escaped plain text
    assert query["step"] == str(n)
    assert query["from"] == step.window[0].isoformat() and query["to"] == step.window[1].isoformat()


def test_previous_and_the_picker_move_between_steps(walk):
    at, _ = walk
    at.button(key="prev").click().run()
    assert at.session_state.tour_step == 10
    at.selectbox(key="tour_pick").set_value(3).run()
    assert at.session_state.tour_step == 3
    assert at.sidebar.slider(key="window").value == TOUR[2].window


def test_a_url_step_opens_that_step_and_a_bad_one_falls_back_to_step_1():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["step"] = "4"
    at.run()
    assert at.session_state.tour_step == 4 and TOUR[3].title in [s.value for s in at.subheader]
    bad = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    bad.query_params["step"] = "99"
    bad.run()
    assert bad.session_state.tour_step == 1
    assert any("Step '99' does not exist" in w.value for w in bad.warning)


def test_leaving_the_tour_keeps_the_step_layers_and_window():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["step"] = "10"
    at.run()
    at.button(key="leave").click().run()
    assert at.session_state.tour_step is None
    assert "step" not in at.query_params
    assert shown_layers(at) == set(TOUR[9].layers)
    assert at.sidebar.slider(key="window").value == TOUR[9].window


def test_presentation_view_hides_the_sidebar_and_keeps_the_narrative():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["step"] = "2"
    at.run()
    at.toggle(key="presenting").set_value(True).run()
    assert not at.exception
    css = " ".join(m.value for m in at.markdown if m.value.startswith("<style>"))
    assert '[data-testid="stSidebar"]' in css and "display: none" in css
    assert TOUR[1].title in [s.value for s in at.subheader]
    assert not [s for s in at.subheader if s.value == "Timeline"]
