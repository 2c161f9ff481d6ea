"""events_for_feature (ordering, part_of groups, index reuse) and the counts per category."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import catalog
from geo.event_join import events_for_feature, feature_index
from geo.load_events import empty_events, events_from_records, load_events
from geo.page_model import category_counts
from geo.window import EventIndex

EVENTS_FILE = Path(__file__).resolve().parents[1] / "data" / "events.toml"


@pytest.fixture
def corridor_events():
    """Events naming the corridor group, one dated polygon, both, or neither; given out of date order."""
    specs = [
        ("late-group", "2023-07-14", ["lachin-corridor"], "protest"),
        ("polygon-2022", "2023-04-23", ["lachin-corridor-2022"], "blockade"),
        ("both", "2022-12-12", ["lachin-corridor", "lachin-corridor-2022"], "blockade"),
        ("polygon-2020", "2020-11-10", ["lachin-corridor-2020"], "diplomacy"),
        ("elsewhere", "2023-07-15", ["brussels"], "diplomacy"),
        ("same-day-b", "2023-07-14", ["lachin-corridor-2022"], "legal"),
    ]
    records = [
        {"id": i, "title": i, "event_date": d, "category": c, "features": f,
         "latitude": 39.6, "longitude": 46.5, "sources": ["https://example.org/"]}
        for i, d, f, c in specs
    ]
    result = events_from_records(records, "test")
    assert result.problems == []
    return result.events


def test_direct_match_only_without_part_of(corridor_events):
    assert list(events_for_feature(corridor_events, "lachin-corridor-2022")["id"]) == [
        "both", "polygon-2022", "same-day-b",
    ]


def test_part_of_adds_the_groups_events_once_in_date_order(corridor_events):
    got = events_for_feature(corridor_events, "lachin-corridor-2022", part_of="lachin-corridor")
    assert list(got["id"]) == ["both", "polygon-2022", "late-group", "same-day-b"]
    assert list(got.index) == [0, 1, 2, 3]
    assert tuple(got.columns) == catalog.EVENT_COLUMNS


def test_other_polygon_gets_group_events_but_not_its_siblings(corridor_events):
    got = events_for_feature(corridor_events, "lachin-corridor-2020", part_of="lachin-corridor")
    assert list(got["id"]) == ["polygon-2020", "both", "late-group"]


def test_unknown_feature_gives_empty_frame_with_columns(corridor_events):
    got = events_for_feature(corridor_events, "atlantis")
    assert got.empty and tuple(got.columns) == catalog.EVENT_COLUMNS


def test_empty_events():
    assert events_for_feature(empty_events(), "stepanakert").empty
    assert feature_index(empty_events()) == {}


def test_index_reuse_gives_the_same_answer(corridor_events):
    index = feature_index(corridor_events)
    assert sorted(index) == ["brussels", "lachin-corridor", "lachin-corridor-2020", "lachin-corridor-2022"]
    for fid in index:
        pd.testing.assert_frame_equal(
            events_for_feature(corridor_events, fid, part_of="lachin-corridor", index=index),
            events_for_feature(corridor_events, fid, part_of="lachin-corridor"),
        )


def test_shipped_events_for_stepanakert_and_the_hague():
    events = load_events(EVENTS_FILE).events
    assert list(events_for_feature(events, "renaissance-square")["id"]) == ["stepanakert-rally"]
    assert list(events_for_feature(events, "the-hague")["id"]) == ["icj-order", "icj-order-reaffirmed"]
    corridor = events_for_feature(events, "lachin-corridor-2022", part_of="lachin-corridor")
    assert corridor["date_start"].is_monotonic_increasing
    assert {"stepanakert-rally", "icj-order", "corridor-rerouted-2022"} <= set(corridor["id"])


def _counts(events):
    index = EventIndex.build(events)
    return category_counts(index, np.arange(len(index)))


def test_category_counts_have_every_key_in_order(corridor_events):
    counts = _counts(corridor_events)
    assert list(counts) == list(catalog.CATEGORIES)
    assert counts == {"diplomacy": 2, "protest": 1, "blockade": 2, "legal": 1, "armed-clash": 0, "imported": 0}


def test_category_counts_of_nothing_are_all_zero():
    assert _counts(empty_events()) == dict.fromkeys(catalog.CATEGORIES, 0)


def test_category_counts_of_the_shipped_events():
    counts = _counts(load_events(EVENTS_FILE).events)
    assert counts == {"diplomacy": 7, "protest": 1, "blockade": 7, "legal": 2, "armed-clash": 1, "imported": 0}


def test_category_counts_list_an_unknown_category_after_the_catalogues():
    events = empty_events().iloc[:0]
    index = EventIndex.build(pd.concat([events, load_events(EVENTS_FILE).events.head(1).assign(category="riot")]))
    assert list(category_counts(index, np.arange(1))) == [*catalog.CATEGORIES, "riot"]
