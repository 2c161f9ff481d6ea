"""filter_window: inclusive edges, week/month events straddling the edges, and window properties."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.load_events import events_from_records
from geo.window import EventIndex, filter_window, in_index_order
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


# --- taking rows without copying the text (issue 13: memory of a large import) ----------------


def _chunked_text(values: list, cuts: list[int]) -> pd.Series:
    """A str column of ``values`` whose Arrow data is in several chunks (cut at ``cuts``),
    as an import's columns are (one chunk per 20,000 records)."""
    bounds = [0, *sorted(set(c for c in cuts if 0 < c < len(values))), len(values)]
    parts = [pd.Series(values[a:b], dtype="str") for a, b in zip(bounds, bounds[1:]) if b > a]
    return pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype="str")


texts = st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=40)


@settings(max_examples=examples(150), deadline=None)
@given(texts, st.lists(st.integers(0, 40), max_size=4), st.data(), st.sampled_from([1, 3, 16_384]),
       st.sampled_from([1, 256]))
def test_take_rows_gives_what_take_gives(values, cuts, data, block, runs):
    import geo.window as window

    column = _chunked_text(values, cuts)
    frame = pd.DataFrame({"notes": column, "summary": column, "n": np.arange(len(values)),
                          "when": pd.to_datetime(["2023-07-15"] * len(values)),
                          "sources": [[{"url": str(i)}] for i in range(len(values))],
                          "fatalities": pd.array([None if i % 3 else i for i in range(len(values))], dtype="Int64")})
    order = np.array(data.draw(st.lists(st.integers(0, len(values) - 1), max_size=50) if len(values)
                               else st.just([])), dtype=np.int64)
    old = window.TAKE_BLOCK, window.RUNS_PER_SLICE
    window.TAKE_BLOCK, window.RUNS_PER_SLICE = block, runs
    try:
        got = window.take_rows(frame, order)
    finally:
        window.TAKE_BLOCK, window.RUNS_PER_SLICE = old
    pd.testing.assert_frame_equal(got, frame.take(order).reset_index(drop=True))


def _arrow_bytes(frame: pd.DataFrame) -> int:
    """Bytes of distinct Arrow buffers behind ``frame``'s text columns."""
    seen = {}
    for name in frame.columns:
        for chunk in getattr(frame[name].array, "_pa_array", pa.chunked_array([], pa.string())).chunks:
            for buf in chunk.buffers():
                if buf is not None:
                    seen[buf.address] = buf.size
    return sum(seen.values())


def test_a_sorted_import_merged_with_other_events_is_indexed_without_copying_its_text():
    n = 5_000
    down = np.arange(n)[::-1]  # a file in descending order (as ACLED's exports are), in chunks
    notes = _chunked_text([f"note {i} " + "x" * 200 for i in down], [1_000, 3_000])
    days = pd.to_datetime("2020-01-01") + pd.to_timedelta(down // 3, unit="D")
    imported = pd.DataFrame({"id": [f"IMP{i:05d}" for i in down], "date_start": days, "date_end": days,
                             "summary": notes, "notes": notes})
    imported = in_index_order(imported)  # put in order once
    assert imported["id"].tolist() == [f"IMP{i:05d}" for i in range(n)]
    assert _arrow_bytes(imported[["summary", "notes"]]) < 1.2 * _arrow_bytes(pd.DataFrame({"s": notes}))
    built_in = pd.DataFrame({"id": ["B1", "B2"], "date_start": pd.to_datetime(["2020-06-01", "2021-01-01"]),
                             "date_end": pd.to_datetime(["2020-06-01", "2021-01-01"]),
                             "summary": pd.Series(["b1", "b2"], dtype="str"),
                             "notes": pd.Series(["n1", "n2"], dtype="str")})
    index = EventIndex.build(pd.concat([built_in, imported], ignore_index=True))
    table = index.table
    assert table["id"].iloc[[0, 1]].tolist() == ["IMP00000", "IMP00001"]
    assert table["notes"].tolist() == [*pd.concat([built_in, imported]).sort_values(["date_start", "id"])["notes"]]
    assert table["notes"].iat[-1] == f"note {n - 1} " + "x" * 200
    # The index's text is the import's own (slices), not a copy of it.
    ours = {b.address for c in imported["notes"].array._pa_array.chunks for b in c.buffers() if b is not None}
    theirs = {b.address for c in table["notes"].array._pa_array.chunks for b in c.buffers() if b is not None}
    assert ours <= theirs
    assert _arrow_bytes(table[["summary", "notes"]]) < 1.01 * _arrow_bytes(imported[["notes"]])
