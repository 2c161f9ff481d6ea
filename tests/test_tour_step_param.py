"""parse_step_param: the URL's ?step= value -> a step number, never an error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.load_tour import parse_step_param


@pytest.mark.parametrize(
    "value, n, expected",
    [
        (None, 11, 1),
        ("1", 11, 1),
        ("5", 11, 5),
        ("11", 11, 11),
        (" 7 ", 11, 7),
        ("07", 11, 7),
    ],
)
def test_valid_values(value, n, expected):
    assert parse_step_param(value, n) == (expected, None)


def test_empty_value_is_step_one_without_notice():
    assert parse_step_param("", 11) == (1, None)


@pytest.mark.parametrize("value", ["0", "12", "999", "9" * 5000])
def test_out_of_range_falls_back_with_notice(value):
    number, notice = parse_step_param(value, 11)
    assert number == 1
    assert "no step" in notice and "11 steps" in notice and "step 1" in notice
    assert len(notice) < 120


@pytest.mark.parametrize("value", ["abc", "-3", "2.5", "+3", "1e3", "٣", "1_0", "3; DROP"])
def test_non_numeric_falls_back_with_notice(value):
    number, notice = parse_step_param(value, 11)
    assert number == 1
    assert "not a number" in notice


def test_long_garbage_is_not_echoed_in_full():
    _, notice = parse_step_param("x" * 1000, 11)
    assert len(notice) < 100


def test_single_step_tour_uses_singular():
    assert parse_step_param("2", 1)[1] == "There is no step 2 (the tour has 1 step); showing step 1."


def test_empty_tour():
    assert parse_step_param("3", 0) == (1, "The tour has no steps.")


@given(value=st.one_of(st.none(), st.text()), n=st.integers(min_value=1, max_value=500))
def test_never_raises_and_always_in_range(value, n):
    number, notice = parse_step_param(value, n)
    assert 1 <= number <= n
    assert notice is None or isinstance(notice, str)


@given(n=st.integers(min_value=1, max_value=500), data=st.data())
def test_every_valid_number_round_trips(n, data):
    k = data.draw(st.integers(min_value=1, max_value=n))
    assert parse_step_param(str(k), n) == (k, None)
