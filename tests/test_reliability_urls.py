"""Issue 8, part 2: mangled URLs never break the page.

Every query parameter the page reads (layers, from, to, sel, base, step) gets
random text, huge values, reversed windows, unknown ids and repeated keys:

* at the function level, :func:`geo.view_state.parse_view_state` (many examples);
* at the page level, AppTest with ``at.query_params`` set before the first run
  (40 examples, about a second each): the page never raises, shows exactly the
  parser's notices (each one short), draws widgets that agree with the URL it
  writes back, and that URL is clean (parsing it again gives no notice).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from geo.catalog import CATEGORIES, LAYER_LABELS
from geo.dataset import LAYER_KEYS, load_dataset
from geo.filters import event_facets
from geo.page_model import feature_ids, make_spec
from geo.view_state import parse_view_state
from layers.basemap import BASEMAPS
from tests.conftest import ROOT, examples, rendered
from tests.page import browser_state, pills, query, shown_layers
from ui.notices import link_notice

DATA = load_dataset(ROOT / "data")
#: The spec the page builds from the built-in data.
SPEC = make_spec(LAYER_KEYS, DATA.events, feature_ids(DATA.layers), tuple(BASEMAPS), len(DATA.tour),
                 frozenset(event_facets(DATA.events, DATA.layers["countries"]).country))
PARAMS = ("layers", "from", "to", "sel", "base", "step", "q", "actor", "country", "fat", "kind", "agg")
#: Streamlit drops a whole query string longer than this (and says so only in its log).
QUERY_MAX = 512 * 1024
LABELS = {**LAYER_LABELS, **{f"cat:{c}": label for c, label in CATEGORIES.items()}}

# --- strategies ---------------------------------------------------------------------

dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
near_dates = st.dates(SPEC.span[0] - dt.timedelta(days=400), SPEC.span[1] + dt.timedelta(days=400))
ids = st.sampled_from(sorted(SPEC.feature_ids) + ["atlantis", "", " ", "ARMENIA", "stepanakert "])
layer_words = st.sampled_from(list(LAYER_KEYS) + ["none", "cat:", "cat:unknown", "zzz", "countries ", "COUNTRIES"])
hostile = st.sampled_from(["<script>alert(1)</script>", "javascript:alert(1)", "${x}", "`x`", "</textarea>",
                           "%00", "\x00", "\u202e", "'; DROP TABLE", "../../etc/passwd"])
huge = st.builds(lambda c, n: c * n, st.sampled_from(["9", "0", "a", ",", "é", "\U0001f600", "countries,"]),
                 st.integers(1000, 8_000))
unicode_digits = st.sampled_from(["²", "١", "٣", "¹⁰", "𝟙", "1\u200b", "+1", "-1", "1e3", "0x3", "3.0", " 3 "])

text = st.one_of(st.text(max_size=60), hostile, huge)
value = {
    "layers": st.one_of(text, st.lists(layer_words, max_size=8).map(",".join),
                        st.lists(layer_words, min_size=200, max_size=400).map(",".join)),
    "from": st.one_of(text, dates.map(str), near_dates.map(str), near_dates.map(lambda d: d.strftime("%Y%m%d"))),
    "to": st.one_of(text, dates.map(str), near_dates.map(str)),
    "sel": st.one_of(text, ids),
    "base": st.one_of(text, st.sampled_from(["none", "osm", "carto", "google", "OSM"])),
    "step": st.one_of(text, unicode_digits, st.integers(-10**6, 10**6).map(str), huge),
    "q": st.one_of(text, st.sampled_from(["rally", "Brussels talks", "ICRC"])),
    "actor": st.one_of(text, st.sampled_from(["Pashinyan", "ICJ"])),
    "country": st.one_of(text, st.sampled_from(["Armenia", "Azerbaijan,Russia", "Atlantis", "armenia"])),
    "fat": st.one_of(text, st.sampled_from(["none", "1", "10", "100", "7"])),
    "kind": st.one_of(text, st.sampled_from(["court", "agency,government", "blog"])),
    "agg": st.one_of(text, st.sampled_from(["hex", "heat"])),
}
#: One value, or a repeated key (a list of values, the last one wins).
one_or_repeated = {k: st.one_of(v, st.lists(v, min_size=2, max_size=3)) for k, v in value.items()}


@st.composite
def queries(draw):
    """Some of the parameters, each mangled, sometimes with a reversed window."""
    keys = draw(st.lists(st.sampled_from(PARAMS), unique=True, max_size=8))
    params = {k: draw(one_or_repeated[k]) for k in keys}
    if draw(st.booleans()):  # a reversed window inside the span
        a, b = sorted(draw(st.lists(st.dates(*SPEC.span), min_size=2, max_size=2, unique=True)))
        params["from"], params["to"] = str(b), str(a)
    return params


def _valid_state(state):
    assert state.layers <= set(LAYER_KEYS)
    assert SPEC.span[0] <= state.window[0] <= state.window[1] <= SPEC.span[1]
    assert state.selected in (None, *SPEC.feature_ids)
    assert state.basemap in SPEC.basemaps
    assert state.step is None or 1 <= state.step <= SPEC.n_steps


# --- regressions (geo.view_state) -----------------------------------------------------


@pytest.mark.parametrize("step", ["²", "¹⁰", "𝟙"])
def test_step_with_a_unicode_digit_falls_back_instead_of_raising(step):
    """``"²".isdigit()`` is True but ``int("²")`` raised ValueError: the page crashed."""
    state, notices = parse_view_state({"step": step}, SPEC)
    assert state.step == 1 and "is not a number; showing step 1" in notices[0]


def test_step_with_thousands_of_digits_falls_back_instead_of_raising():
    """``?step=000001`` + 5000 zeros passed the 6-digit check, then ``int()`` refused
    a string over 4300 digits (ValueError): the page crashed."""
    state, notices = parse_view_state({"step": "000001" + "0" * 5000}, SPEC)
    assert state.step == 1 and len(notices) == 1 and len(notices[0]) < 200


def test_many_unknown_layers_give_one_short_notice():
    """300 unknown layer names gave 300 warnings on the page."""
    state, notices = parse_view_state({"layers": "countries," + ",".join(f"x{i}" for i in range(300))}, SPEC)
    assert state.layers == {"countries"}
    assert notices == ["Ignored 300 unknown layers in 'layers': 'x0', 'x1', 'x2' and 297 more."]


def test_notice_of_control_characters_stays_short():
    """A value of 40 NUL bytes is 160 characters once escaped by repr()."""
    _, notices = parse_view_state({"sel": "\x00" * 40, "base": "\x00" * 2000}, SPEC)
    assert len(notices) == 2 and all(len(n) < 100 for n in notices)


@pytest.mark.parametrize("text", ["20230701", "2023-W27-1", "2023100100", "2023-07-01T00:00", "２０２３-07-01"])
def test_dates_not_written_yyyy_mm_dd_are_refused_as_the_notice_says(text):
    """date.fromisoformat took "20230701" and "2023-W27-1" while the notice asks for YYYY-MM-DD."""
    state, notices = parse_view_state({"from": text}, SPEC)
    assert state.window == SPEC.span
    assert notices == [f"Ignored 'from': {text!r} is not a date (YYYY-MM-DD)."]


# --- properties -----------------------------------------------------------------------


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(params=queries())
def test_parse_view_state_never_raises_and_says_so_briefly(params):
    state, notices = parse_view_state(params, SPEC)
    _valid_state(state)
    assert len(notices) <= len(PARAMS) + 1  # one per parameter, plus a reversed window
    assert all(isinstance(n, str) and len(n) < 200 for n in notices)


def _page(params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, val in params.items():
        at.query_params[key] = val
    return at.run()


@pytest.fixture(autouse=True)
def _built_in_data(monkeypatch):
    monkeypatch.delenv("DASHBOARD_DATA", raising=False)
    monkeypatch.delenv("DASHBOARD_EVENTS", raising=False)


N_PAGE_EXAMPLES = 40


@settings(max_examples=examples(N_PAGE_EXAMPLES), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@example(params={"step": "²"})
@example(params={"step": "000001" + "0" * 5000, "layers": "x," * 3000})
@example(params={"from": "2023-07-12", "to": "2023-07-01", "sel": "<script>alert(1)</script>"})
@example(params={"layers": ["countries", "places"], "base": ["osm", "google"], "sel": ["armenia", "baku"]})
@example(params={"layers": "\U0001f600" * 20_000, "sel": "countries," * 20_000})  # over Streamlit's 512 KiB
@given(params=queries())
def test_page_never_raises_on_a_mangled_url(params):
    at = _page(params)
    assert not at.exception, [e.value for e in at.exception]

    seen = params if len(urlencode(params, doseq=True)) <= QUERY_MAX else {}
    state, notices = parse_view_state(seen, SPEC)
    assert not at.warning
    shown = [rendered(t.value) for t in at.toast]
    assert shown == ([link_notice(notices)] if notices else [])  # one notice, however many problems
    assert all(len(n) < 200 for n in notices)

    # The page hands the browser a clean URL to write, and its widgets agree with it.
    written = query(at)
    clean, again = parse_view_state(written, SPEC)
    assert again == [], written
    _valid_state(clean)
    toggled = {*pills(at, "geo").value, *(f"cat:{c}" for c in pills(at, "cats").value)}
    assert toggled == set(clean.layers) == shown_layers(at)
    assert tuple(at.sidebar.slider[0].value) == clean.window
    if state.step is None:  # a tour step sets its own layers and window
        assert clean.layers == state.layers and clean.window == state.window
        assert clean.selected == state.selected
        assert clean.filters == state.filters
    else:
        assert written["step"] == str(state.step)
        assert browser_state(at)["tour"] == {"step": state.step, "of": SPEC.n_steps}
    assert clean.basemap == state.basemap == at.sidebar.selectbox(key="base").value
