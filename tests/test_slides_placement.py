"""Label collision avoidance (slides/placement.py) and the caption's words (slides/text.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from slides.placement import fewest_covered, first_free, overlaps, place_all
from slides.text import caption_lines, event_publishers, join_limited, label_text


def test_second_label_on_a_taken_spot_moves_to_its_next_position():
    right, left = (10, 0, 60, 10), (-60, 0, -10, 10)
    assert place_all([[right, left], [right, left]]) == [0, 1]


def test_label_with_no_free_position_is_left_out():
    spot = (0, 0, 50, 10)
    assert place_all([[spot], [spot], [(5, 5, 20, 20)]]) == [0, None, None]


def test_placed_labels_never_overlap_each_other_or_obstacles():
    # A grid of labels, each with the same four candidates around its point, on a crowded field.
    labels = []
    for x, y in itertools.product(range(0, 200, 25), range(0, 100, 15)):
        labels.append([(x + 5, y - 5, x + 45, y + 5), (x - 45, y - 5, x - 5, y + 5),
                       (x - 20, y + 5, x + 20, y + 15), (x - 20, y - 15, x + 20, y - 5)])
    obstacles = [(90, 40, 110, 60)]
    chosen = place_all(labels, obstacles, frame=(-50, -20, 250, 120))
    boxes = [cands[i] for cands, i in zip(labels, chosen) if i is not None]
    assert 0 < len(boxes) < len(labels)
    for a, b in itertools.combinations(boxes + obstacles, 2):
        assert not overlaps(a, b)


def test_frame_keeps_labels_inside():
    assert first_free([(-5, 0, 10, 10), (0, 0, 10, 10)], [], frame=(0, 0, 100, 100)) == 1


def test_fewest_covered_prefers_no_marker_then_fewest():
    markers = [(0, 0, 4, 4), (10, 0, 14, 4), (20, 0, 24, 4)]
    candidates = [(0, 0, 25, 4), (9, 0, 15, 4), (30, 0, 40, 4)]
    assert fewest_covered(candidates, [], markers) == 2
    assert fewest_covered(candidates[:2], [], markers) == 1
    assert fewest_covered(candidates, [(29, 0, 41, 4)], markers) == 1


@pytest.mark.parametrize("props, text", [
    ({"name": "Stepanakert", "name_alt": "Khankendi (Xankəndi)"}, "Stepanakert / Khankendi (Xankəndi)"),
    ({"name": "Shusha", "name_alt": "Shushi"}, "Shusha / Shushi"),
    ({"name": "Lachin", "name_alt": "Berdzor"}, "Lachin / Berdzor"),
    ({"name": "Goris", "name_alt": None}, "Goris"),
    ({"name": "Goris", "name_alt": float("nan")}, "Goris"),
    ({"name": "Baku", "name_alt": "Baku"}, "Baku"),
])
def test_place_label_has_both_names_where_they_differ(props, text):
    assert label_text(props) == text


def test_publishers_deduplicated_in_order():
    events = pd.DataFrame({"sources": [[{"publisher": "Trend"}, {"publisher": "ICRC"}],
                                       [{"publisher": "ICRC"}, {"publisher": " AFP  via Malay Mail "}], None]})
    assert event_publishers(events) == ["Trend", "ICRC", "AFP via Malay Mail"]


def test_join_limited_respects_width_and_count():
    items = [f"P{i}" for i in range(30)]
    assert join_limited(items, max_items=3) == "P0, P1, P2 and 27 more"
    assert join_limited(items, lambda t: len(t) <= 16) == "P0 and 29 more"  # 'P0, P1 and 28 more' is 18


def test_caption_lines_shorten_what_does_not_fit():
    lines = caption_lines(title="A title that is far too long for the strip", window=(dt.date(2023, 7, 1),) * 2,
                          layers=["countries", "nagorno_karabakh", "places"], categories=[], events_shown=0,
                          credits=["Natural Earth (public domain)"], fits=lambda i, t: len(t) <= 40)
    assert lines[0] == "A title that is far too long for the…"
    assert lines[1] == "1 Jul 2023"
    assert lines[2] == "Layers: Armenia and Azerbaijan and 2 more"
    assert lines[4] == "Event sources: no event layer shown"
