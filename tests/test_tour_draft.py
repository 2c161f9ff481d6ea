"""The tour editor's draft (geo/tour_draft.py): its steps, its operations, and its file.

The editor shows the loader's own problems: a draft checked in the page and the same
draft downloaded and loaded from its file must give the same steps and the same
problems, whatever the presenter typed.
"""

from __future__ import annotations

import datetime as dt
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from geo import catalog
from geo.dataset import LAYER_KEYS
from geo.load_tour import check_tour, load_tour, read_tour_text
from geo.tour_draft import as_doc, delete, duplicate, move, step_from_view, steps_from_doc, steps_from_tour, to_toml

FEATURES = catalog.FEATURE_IDS
EVENTS = ("stepanakert-rally", "icj-order")
IDS = {"layer_keys": LAYER_KEYS, "feature_ids": FEATURES, "event_ids": EVENTS}


def _step(n: int, **over) -> dict:
    step = step_from_view(bounds=[[39.5, 46.0], [40.1, 47.0]], layers={"countries", "cat:protest"},
                          layer_order=LAYER_KEYS, window=[dt.date(2023, 7, 11), dt.date(2023, 7, 14)],
                          highlight="stepanakert-rally", number=n)
    step.update({"narrative": f"Narrative {n}.", **over})
    return step


def test_a_captured_view_is_a_step_the_loader_takes():
    step = _step(1)
    assert step["title"] == "Step 1"
    assert step["layers"] == ["countries", "cat:protest"]  # in the page's layer order
    assert step["window"] == ["2023-07-11", "2023-07-14"]
    result = check_tour(as_doc([step]), "my-tour.toml", **IDS)
    assert result.problems == []
    (got,) = result.steps
    assert got.bounds == ((39.5, 46.0), (40.1, 47.0))
    assert got.highlight == "stepanakert-rally"
    assert got.window == (dt.date(2023, 7, 11), dt.date(2023, 7, 14))


def test_a_new_step_asks_for_its_narrative_in_the_loaders_words():
    step = step_from_view(bounds=[[39.5, 46.0], [40.1, 47.0]], layers=(), layer_order=LAYER_KEYS,
                          window=["2023-07-11", "2023-07-14"], highlight=None, number=1)
    result = check_tour(as_doc([step]), "my-tour.toml", **IDS)
    assert result.steps == []
    assert [str(p) for p in result.problems] == [
        "my-tour.toml, row 1, field 'narrative', value '': narrative must be non-empty text; "
        "step 1 left out of the tour"]


def test_a_bad_window_names_the_step_and_the_others_play():
    steps = [_step(1), _step(2, window=["2023-07-20", "2023-07-10"]), _step(3)]
    result = check_tour(as_doc(steps), "my-tour.toml", **IDS)
    assert [s.title for s in result.steps] == ["Step 1", "Step 3"]
    assert [s.number for s in result.steps] == [1, 2]
    assert result.rows == [1, 3]
    assert [str(p) for p in result.problems] == [
        "my-tour.toml, row 2, field 'window', value ['2023-07-20', '2023-07-10']: window reversed: "
        "start 2023-07-20 is after end 2023-07-10; step 2 left out of the tour"]


def test_move_duplicate_delete():
    a, b, c = _step(1, title="A"), _step(2, title="B"), _step(3, title="C")
    titles = lambda steps: [s["title"] for s in steps]  # noqa: E731
    assert titles(move([a, b, c], 2, -1)) == ["A", "C", "B"]
    assert titles(move([a, b, c], 0, -1)) == ["A", "B", "C"]  # clamped at the top
    assert titles(move([a, b, c], 1, 5)) == ["A", "C", "B"]
    copied = duplicate([a, b, c], 0)
    assert titles(copied) == ["A", "A", "B", "C"]
    assert copied[1]["_id"] != copied[0]["_id"]
    copied[1]["layers"].append("places")
    assert "places" not in a["layers"]  # the copy's lists are its own
    assert titles(delete([a, b, c], 1)) == ["A", "C"]
    assert titles([a, b, c]) == ["A", "B", "C"]  # the operations leave the old list as it was (undo keeps it)


def test_the_file_is_the_draft_and_loads_as_the_page_checks_it(tmp_path):
    steps = [_step(1, title="Stepanakert / Khankendi", narrative="Two\n\nparagraphs", sources=["https://a.org/x"],
                   notes="Say \"both names\"."), _step(2, window=["2023-07-20", "2023-07-10"])]
    text = to_toml(steps, "My talk")
    assert text.startswith("# A presenter tour written in the dashboard's tour editor.")
    doc = tomllib.loads(text)
    assert doc["title"] == "My talk"
    assert doc["steps"] == as_doc(steps)["steps"]  # every field as typed, the bad window too
    assert "_id" not in text
    path = tmp_path / "my-tour.toml"
    path.write_text(text, encoding="utf-8")
    from_file = load_tour(path, **IDS)
    in_page = check_tour(as_doc(steps, "My talk"), "my-tour.toml", **IDS)
    assert from_file == in_page
    assert from_file.title == "My talk"
    assert [s.narrative for s in from_file.steps] == ["Two\n\nparagraphs"]


def test_a_tour_copied_into_the_editor_checks_the_same():
    built_in = load_tour("data/tour.toml", **{**IDS, "event_ids": _event_ids()})
    copy = steps_from_tour(built_in.steps)
    again = check_tour(as_doc(copy), "tour.toml", **{**IDS, "event_ids": _event_ids()})
    assert again.problems == []
    assert again.steps == built_in.steps


def test_a_loaded_file_keeps_its_bad_steps_to_mend():
    doc = tomllib.loads('[[steps]]\ntitle = "Only a title"\n\n[[steps]]\nnarrative = 3\n')
    steps = steps_from_doc(doc)
    assert [s.get("title") for s in steps] == ["Only a title", None]
    assert steps[1]["narrative"] == 3
    assert steps_from_doc({"steps": "no"}) == [] and steps_from_doc([]) == []


def _event_ids():
    from geo.load_events import load_events

    return set(load_events("data/events.toml", feature_ids={i for ids in FEATURES.values() for i in ids}).events["id"])


# --- whatever is typed: the page's check is the file's ------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_day = st.one_of(st.dates(dt.date(1700, 1, 1), dt.date(2300, 1, 1)).map(dt.date.isoformat), _text)
_number = st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-200, max_value=200),
                    st.integers(-200, 200))
_field = {
    "title": st.one_of(_text, st.integers()),
    "narrative": _text,
    "sources": st.lists(_text, max_size=2),
    "bounds": st.lists(st.lists(_number, min_size=2, max_size=2), min_size=2, max_size=2),
    "layers": st.lists(st.one_of(st.sampled_from(LAYER_KEYS), _text), max_size=3),
    "window": st.lists(_day, min_size=1, max_size=3),
    "highlight": st.one_of(st.sampled_from(EVENTS), _text),
    "notes": _text,
}
_draft_step = st.fixed_dictionaries({}, optional=_field)


@settings(max_examples=150, deadline=None)
@given(st.lists(_draft_step, min_size=1, max_size=4))
def test_whatever_is_typed_the_file_loads_as_the_page_checks_it(steps):
    text = to_toml(steps)
    from_file = read_tour_text(text.encode("utf-8"), "my-tour.toml", **IDS)
    in_page = check_tour(as_doc(steps), "my-tour.toml", **IDS)
    assert from_file == in_page
