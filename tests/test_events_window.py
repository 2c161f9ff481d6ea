"""filter_window: inclusive edges, week/month events straddling the edges, and window properties."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.load_events import events_from_records
from geo.window import EventIndex, filter_window
from tests.conftest import examples

JULY_1, JULY_31 = dt.date(2023, 7, 1), dt.date(2023, 7, 31)


def frame(*specs: tuple[str, str, int]) -> pd.DataFrame:
    """Events table from (id, event_date, time_precision) triples, via the real validator."""
    records = [
        {
            "id": event_id, "title": event_id, "event_date": day, "time_precision": precision,
            "category": "diplomacy", "latitude": 40.18, "longitude": 44.51,
            "sources": [{"publisher": "Test", "url": "https://example.org/"}],
        }
        for event_id, day, precision in specs
    ]
    result = events_from_records(records, "test")
    assert result.problems == []
    return result.events


def ids(events: pd.DataFrame) -> list[str]:
    return list(events["id"])


@pytest.fixture
def day_events():
    """Day-precision events on the day before, the first, the last and the day after July 2023."""
    return frame(
        ("before", "2023-06-30", 1),
        ("first", "2023-07-01", 1),
        ("last", "2023-07-31", 1),
        ("after", "2023-08-01", 1),
    )


@pytest.fixture
def month_straddling_start():
    """A June month-precision event (1-30 June): it may have happened on 30 June, not on 1 July."""
    return frame(("june", "2023-06-15", 3))


@pytest.fixture
def month_straddling_end():
    """An August month-precision event reported on 31 Aug: its range starts 1 August."""
    return frame(("august", "2023-08-31", 3))


@pytest.fixture
def week_across_months():
    """A week-precision event in the ISO week Mon 26 June - Sun 2 July 2023, reported on 28 June."""
    return frame(("week", "2023-06-28", 2))


@pytest.fixture
def unsorted_events():
    """Same-day events given out of id order, and a month event whose range starts first."""
    return frame(
        ("b-day", "2023-07-14", 1),
        ("a-day", "2023-07-14", 1),
        ("month", "2023-07-20", 3),
        ("early", "2023-07-02", 1),
    )


def test_both_edges_are_inclusive(day_events):
    assert ids(filter_window(day_events, JULY_1, JULY_31)) == ["first", "last"]


def test_a_day_outside_is_excluded(day_events):
    assert ids(filter_window(day_events, dt.date(2023, 7, 2), dt.date(2023, 7, 30))) == []
    assert ids(filter_window(day_events, dt.date(2023, 8, 1), dt.date(2023, 8, 1))) == ["after"]


def test_single_day_window(day_events):
    assert ids(filter_window(day_events, JULY_1, JULY_1)) == ["first"]


def test_accepts_timestamps_and_ignores_time_of_day(day_events):
    start = pd.Timestamp("2023-07-01 18:30")
    end = pd.Timestamp("2023-07-31 00:01")
    assert ids(filter_window(day_events, start, end)) == ["first", "last"]


def test_month_event_straddling_the_start(month_straddling_start):
    assert ids(filter_window(month_straddling_start, JULY_1, JULY_31)) == []
    assert ids(filter_window(month_straddling_start, dt.date(2023, 6, 30), JULY_31)) == ["june"]


def test_month_event_straddling_the_end(month_straddling_end):
    assert ids(filter_window(month_straddling_end, JULY_1, JULY_31)) == []
    assert ids(filter_window(month_straddling_end, JULY_1, dt.date(2023, 8, 1))) == ["august"]


def test_week_event_reaching_into_the_window(week_across_months):
    assert ids(filter_window(week_across_months, JULY_1, JULY_31)) == ["week"]  # Sat 1, Sun 2 July
    assert ids(filter_window(week_across_months, dt.date(2023, 7, 3), JULY_31)) == []
    assert ids(filter_window(week_across_months, dt.date(2023, 6, 1), dt.date(2023, 6, 26))) == ["week"]
    assert ids(filter_window(week_across_months, dt.date(2023, 6, 1), dt.date(2023, 6, 25))) == []


def test_sorted_by_date_start_then_id(unsorted_events):
    assert ids(filter_window(unsorted_events, JULY_1, JULY_31)) == ["month", "early", "a-day", "b-day"]
    assert list(filter_window(unsorted_events, JULY_1, JULY_31).index) == [0, 1, 2, 3]


def test_start_after_end_raises(day_events):
    with pytest.raises(ValueError, match=r"start \(2023-07-31\) is after end \(2023-07-01\)"):
        filter_window(day_events, JULY_31, JULY_1)


def test_non_date_bound_raises(day_events):
    with pytest.raises(ValueError, match="start must be"):
        filter_window(day_events, "2023-07-01", JULY_31)


def test_empty_frame_gives_empty_frame():
    empty = frame()
    assert filter_window(empty, JULY_1, JULY_31).empty


def _reference(events: pd.DataFrame, first: dt.date, last: dt.date) -> list[str]:
    """The window by the definition, one row at a time: ids sorted by (date_start, id)."""
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    rows = [(r.date_start, r.id) for r in events.itertuples() if r.date_start <= hi and r.date_end >= lo]
    return [i for _, i in sorted(rows)]


@pytest.fixture(scope="module")
def big_unsorted():
    """5,000 events in random order with random week/month-like spans."""
    rng = np.random.default_rng(0)
    n = 5_000
    starts = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    return pd.DataFrame({
        "id": [f"e{i:05d}" for i in rng.permutation(n)],
        "date_start": starts,
        "date_end": starts + pd.to_timedelta(rng.integers(0, 31, n), unit="D"),
        "title": [f"t{i}" for i in range(n)],
    })


@pytest.mark.parametrize("first, last", [(dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
                                         (dt.date(2019, 1, 1), dt.date(2030, 1, 1)),
                                         (dt.date(2021, 3, 3), dt.date(2021, 3, 3)),
                                         (dt.date(2030, 1, 1), dt.date(2030, 2, 1))])
def test_index_windows_match_the_definition_on_an_unsorted_table(big_unsorted, first, last):
    index = EventIndex.build(big_unsorted)
    expected = _reference(big_unsorted, first, last)
    got = index.window(first, last)
    assert list(got["id"]) == expected
    assert list(got.index) == list(range(len(expected)))
    assert list(index.table["id"].iloc[index.rows(first, last)]) == expected
    assert index.take(index.rows(first, last)).equals(got)
    # the other columns travel with their row
    titles = dict(zip(big_unsorted["id"], big_unsorted["title"]))
    assert list(got["title"]) == [titles[i] for i in expected]
    assert list(filter_window(big_unsorted, first, last)["id"]) == expected


def test_index_refuses_what_filter_window_refuses(day_events):
    index = EventIndex.build(day_events)
    with pytest.raises(ValueError, match=r"start \(2023-07-31\) is after end \(2023-07-01\)"):
        index.window(JULY_31, JULY_1)
    with pytest.raises(ValueError, match="lacks column"):
        EventIndex.build(day_events.drop(columns="date_end"))


# --- properties -------------------------------------------------------------------

BASE = dt.date(2023, 1, 1)
event_specs = st.lists(
    st.tuples(st.integers(0, 400), st.sampled_from([1, 2, 3])), min_size=0, max_size=25
)
offsets = st.integers(0, 420)


def random_frame(specs) -> pd.DataFrame:
    return frame(*[(f"e{i:02d}", (BASE + dt.timedelta(days=d)).isoformat(), p) for i, (d, p) in enumerate(specs)])


@settings(max_examples=examples(60), deadline=None)
@given(event_specs, offsets, offsets, offsets, offsets)
def test_a_containing_window_never_returns_fewer(specs, a, b, c, d):
    inner_start, inner_end = sorted((a, b))
    outer_start, outer_end = min(inner_start, c), max(inner_end, d)
    events = random_frame(specs)
    day = lambda k: BASE + dt.timedelta(days=k)  # noqa: E731
    inner = set(ids(filter_window(events, day(inner_start), day(inner_end))))
    outer = set(ids(filter_window(events, day(outer_start), day(outer_end))))
    assert inner <= outer
    assert len(outer) >= len(inner)


@settings(max_examples=examples(60), deadline=None)
@given(event_specs, offsets, offsets, offsets)
def test_two_adjacent_windows_equal_the_spanning_window(specs, a, b, c):
    first, split, last = sorted((a, b, c))
    if split == last:
        split = first  # keep the right window non-empty: [first, first] + [first + 1, last]
    if first == last:
        return
    events = random_frame(specs)
    day = lambda k: BASE + dt.timedelta(days=k)  # noqa: E731
    left = set(ids(filter_window(events, day(first), day(split))))
    right = set(ids(filter_window(events, day(split + 1), day(last))))
    whole = set(ids(filter_window(events, day(first), day(last))))
    assert left | right == whole


@settings(max_examples=examples(60), deadline=None)
@given(event_specs, offsets, offsets)
def test_index_window_equals_the_definition(specs, a, b):
    first, last = sorted((a, b))
    events = random_frame(specs)
    day = lambda k: BASE + dt.timedelta(days=k)  # noqa: E731
    assert ids(EventIndex.build(events).window(day(first), day(last))) == _reference(events, day(first), day(last))
