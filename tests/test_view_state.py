"""URL state: parse, fall back with notices, and round-trip."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.view_state import StateSpec, ViewState, parse_view_state, to_query
from tests.conftest import examples

SPAN = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))


SPEC = StateSpec(("countries", "nagorno_karabakh", "cat:protest"), SPAN,
                     frozenset({"stepanakert", "armenia"}), ("none", "osm"), n_steps=11)


@pytest.fixture
def spec():
    """Three layers, the real date span, two feature ids, two basemaps, 11 steps."""
    return SPEC


def test_no_parameters_give_the_defaults(spec):
    state, notices = parse_view_state({}, spec)
    assert state == ViewState(frozenset(spec.layer_keys), SPAN, None, "none", None)
    assert notices == []


def test_a_full_query_round_trips(spec):
    state = ViewState(frozenset({"countries", "cat:protest"}), (dt.date(2023, 7, 1), dt.date(2023, 7, 12)),
                      "stepanakert", "osm", 4)
    parsed, notices = parse_view_state(to_query(state, spec), spec)
    assert parsed == state and notices == []


def test_no_layers_is_a_valid_choice(spec):
    state, notices = parse_view_state({"layers": "none"}, spec)
    assert state.layers == frozenset() and notices == []


@pytest.mark.parametrize(
    "params, notice",
    [
        ({"from": "2023-02-30"}, "Ignored 'from': '2023-02-30' is not a date"),
        ({"to": "yesterday"}, "Ignored 'to': 'yesterday' is not a date"),
        ({"from": "2023-07-10", "to": "2023-07-01"}, "ends before it starts"),
        ({"from": "1999-01-01"}, "outside the data"),
        ({"layers": "bogus"}, "unknown layer 'bogus'"),
        ({"sel": "<script>"}, "no feature '<script>'"),
        ({"base": "google"}, "unknown basemap 'google'"),
        ({"step": "99"}, "There is no step 99 (the tour has 11 steps); showing step 1."),
        ({"step": "two"}, "Step 'two' is not a number; showing step 1."),
    ],
)
def test_nonsense_falls_back_with_a_notice(spec, params, notice):
    state, notices = parse_view_state(params, spec)
    assert any(notice in n for n in notices), notices
    assert state.window[0] <= state.window[1]


def test_repeated_keys_keep_the_last_value(spec):
    state, _ = parse_view_state({"from": ["2021-01-01", "2023-07-01"]}, spec)
    assert state.window[0] == dt.date(2023, 7, 1)


def test_out_of_span_dates_are_clamped(spec):
    state, _ = parse_view_state({"to": "2030-01-01"}, spec)
    assert state.window[1] == SPAN[1]


text = st.one_of(st.none(), st.text(max_size=300), st.lists(st.text(max_size=50), max_size=4))


@settings(max_examples=examples(300), deadline=None)
@given(layers=text, start=text, end=text, sel=text, base=text, step=text)
def test_any_query_gives_a_valid_state(layers, start, end, sel, base, step):
    params = {k: v for k, v in dict(layers=layers, **{"from": start}, to=end, sel=sel, base=base, step=step).items()
              if v is not None}
    spec = SPEC
    state, notices = parse_view_state(params, spec)
    assert state.layers <= set(spec.layer_keys)
    assert SPAN[0] <= state.window[0] <= state.window[1] <= SPAN[1]
    assert state.selected in (None, *spec.feature_ids)
    assert state.basemap in spec.basemaps
    assert state.step is None or 1 <= state.step <= 11
    assert all(isinstance(n, str) and len(n) < 200 for n in notices)
