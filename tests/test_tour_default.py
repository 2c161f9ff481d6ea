"""The shipped tour, data/tour.toml, loads cleanly and tells the story in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo import catalog
from geo.load_tour import TourStep, load_tour

TOUR = Path(__file__).resolve().parents[1] / "data" / "tour.toml"

#: Event ids used by data/events.toml (written separately; listed here so the
#: test does not depend on that file's state).
EVENT_IDS = (
    "brussels-talks", "kremlin-trilateral", "eaeu-council-speech", "russia-mfa-offer",
    "stepanakert-rally", "corridor-closed-smuggling-claim", "pashinyan-blockade-statement",
    "icj-order", "icj-order-reaffirmed", "erdogan-call", "four-servicemen-killed",
    "ceasefire-statement-2020", "corridor-rerouted-2022", "blockade-begins",
    "hakari-checkpoint-set-up", "sit-in-suspended", "hakari-bridge-shooting",
)
LAYER_KEYS = tuple(catalog.LAYER_FILES) + tuple(f"cat:{c}" for c in catalog.CATEGORIES)

STEPANAKERT = (39.8153, 46.7519)
VENUES = {
    "brussels": (50.8425, 4.3808),
    "moscow": (55.7517, 37.6178),
    "the-hague": (52.0867, 4.2956),
}
#: step number -> the distant venues of its story (their events are the step's; the view
#: stays on the region, the map draws them at its edge: issue 14).
DISTANT_STEPS = {6: ("the-hague",), 8: ("moscow",), 11: ("brussels", "moscow")}
#: The South Caucasus: every step's view lies in it (no more zoom 3 over Eurasia).
REGION = ((38.0, 43.0), (42.5, 51.0))


@pytest.fixture(scope="module")
def tour():
    """The default tour, loaded with the catalog's ids and the events' ids."""
    return load_tour(TOUR, LAYER_KEYS, catalog.FEATURE_IDS, EVENT_IDS)


def _inside(point: tuple[float, float], step: TourStep) -> bool:
    (south, west), (north, east) = step.view_bounds()
    lat, lon = point
    return south <= lat <= north and west <= lon <= east


def test_default_tour_loads_eleven_steps_without_problems(tour):
    assert [str(p) for p in tour.problems] == []
    assert [s.number for s in tour.steps] == list(range(1, 12))


def test_every_step_has_text_sources_and_a_view(tour):
    for step in tour.steps:
        assert step.title and step.narrative
        assert step.sources, step.title
        assert all(u.startswith("https://") for u in step.sources)
        assert step.bounds is not None or (step.center is not None and step.zoom is not None)
        assert "(" in step.narrative, f"step {step.number} names no source inline"


def test_every_window_is_ordered(tour):
    for step in tour.steps:
        start, end = step.window
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        assert start <= end


def test_steps_are_chronological_from_step_3(tour):
    starts = [s.window[0] for s in tour.steps[2:]]
    assert starts == sorted(starts)


def test_windows_hold_the_key_dates(tour):
    """Each dated step's window contains the day its story happened."""
    key_dates = {
        3: "2020-11-10", 4: "2022-08-30", 5: "2022-12-12", 6: "2023-02-22",
        7: "2023-04-23", 8: "2023-05-25", 9: "2023-06-28", 10: "2023-07-14",
        11: "2023-07-15",
    }
    for number, day in key_dates.items():
        start, end = tour.steps[number - 1].window
        assert start <= dt.date.fromisoformat(day) <= end, number


def test_reroute_window_spans_the_first_switch_and_step_7_starts_on_the_second(tour):
    """Step 4 shows the 2020 road give way to the 2022 bypass; step 7 opens on
    1 April 2023, when the road moved to the Hakari bridge, so only that version shows."""
    first, second = (dt.date.fromisoformat(d) for d in catalog.CORRIDOR_SWITCH_DATES)
    start, end = tour.steps[3].window
    assert start < first <= end
    start, end = tour.steps[6].window
    assert start == second <= dt.date(2023, 4, 23) <= end


@pytest.mark.parametrize("number, venues", sorted(DISTANT_STEPS.items()))
def test_distant_steps_keep_the_region_readable_with_stepanakert_in_view(tour, number, venues):
    step = tour.steps[number - 1]
    assert _inside(STEPANAKERT, step)
    for venue in venues:
        assert not _inside(VENUES[venue], step), venue


def test_no_step_zooms_out_past_the_region(tour):
    (rs, rw), (rn, re) = REGION
    for step in tour.steps:
        (s, w), (n, e) = step.view_bounds()
        assert rs <= s and rw <= w and n <= rn and e <= re, step.number


def test_local_steps_are_placed_on_stepanakert_or_the_corridor(tour):
    goris = (39.5078, 46.3386)
    for step in tour.steps:
        if step.number not in DISTANT_STEPS:
            assert _inside(STEPANAKERT, step) or _inside(goris, step), step.number


def test_layers_are_known_keys(tour):
    for step in tour.steps:
        assert set(step.layers) <= set(LAYER_KEYS)


def test_default_tour_is_plain_tomllib_toml():
    import tomllib

    doc = tomllib.loads(TOUR.read_text(encoding="utf-8"))
    assert len(doc["steps"]) == 11
    assert TOUR.read_text(encoding="utf-8").startswith("#")
