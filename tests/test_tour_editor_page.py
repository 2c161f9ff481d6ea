"""The tour editor and the named tours, through AppTest.

The map's "Add this view as a step" reaches the page as the browser sends it (the state
component's "tour" trigger with the map's bounds); the editor's fields and buttons are
Streamlit widgets. What is checked is what the presenter sees: the steps, the loader's
messages under a bad step, the tour that plays, the state the browser gets, the URL.
"""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from geo.dataset import load_dataset
from tests.conftest import ROOT, rendered
from tests.page import browser_state, query, run_page, send

DATA = load_dataset(ROOT / "data")
CORRIDOR = DATA.tours["lachin-corridor"]
BOUNDS = [[[39.70, 46.60], [39.90, 46.90]], [[39.40, 46.30], [39.70, 46.70]], [[38.0, 43.0], [42.5, 51.0]]]


def _nonce():
    _nonce.n = getattr(_nonce, "n", 0) + 1
    return _nonce.n


def capture(at, bounds):
    return send(at, "tour", {"action": "capture", "bounds": bounds, "at": _nonce()})


def press(at, action):
    return send(at, "key", {"action": action, "at": _nonce()})


def picker(at):
    (box,) = [w for w in at.sidebar.selectbox if w.label == "Tour"]
    return box


def draft(at):
    return at.session_state["tour_draft"]


def field(at, n: int, name: str):
    """The editor's widget ``name`` of step ``n`` (1-based)."""
    uid = draft(at).steps[n - 1]["_id"]
    key = f"ted:{uid}:{name}"
    for kind in (at.text_input, at.text_area, at.multiselect):
        found = [w for w in kind if w.key == key]
        if found:
            return found[0]
    raise AssertionError(f"no widget {key}")


def step_errors(at, n: int) -> list[str]:
    """The messages shown in step ``n``'s box, as the presenter reads them."""
    from tests.page import _walk

    box = next(b for b in _walk(at._tree)
               if type(b).__name__ == "Block" and b.proto.id.endswith(f"-ted_step_{n}"))
    return [rendered(e.value) for e in _walk(box) if type(e).__name__ == "Error"]


def three_steps():
    """A page with three captured steps, each with a narrative."""
    at = run_page()
    for bounds in BOUNDS:
        capture(at, bounds)
    for n in (1, 2, 3):
        field(at, n, "narrative").input(f"What step {n} shows (Source, 1 Jan 2023).").run()
        field(at, n, "title").input(f"My step {n}").run()
    return at


def test_a_captured_view_becomes_a_step_with_the_pages_layers_window_and_selection():
    at = run_page(layers="countries,lachin_corridor,cat:protest", **{"from": "2023-07-01", "to": "2023-07-14"},
                  ev="stepanakert-rally")
    capture(at, BOUNDS[0])
    (step,) = draft(at).steps
    assert step["bounds"] == BOUNDS[0]
    assert step["layers"] == ["countries", "lachin_corridor", "cat:protest"]
    assert step["window"] == ["2023-07-01", "2023-07-14"]
    assert step["highlight"] == "stepanakert-rally"
    assert field(at, 1, "title").value == "Step 1"
    # A new step waits for its narrative, and says so in the loader's words.
    assert step_errors(at, 1) == ["field 'narrative', value '': narrative must be non-empty text; step 1 left out of the tour"]
    assert browser_state(at)["draft"] == 1  # the browser asks before the page is left
    assert "Step 1 (not ready: see below)" in [t.value for t in at.text]


@pytest.mark.parametrize("bounds", [None, "x", [[1, 2]], [[40, 47], [39, 46]], [[float("nan"), 0], [1, 1]],
                                    [[True, 0], [1, 1]]])
def test_bounds_that_are_not_a_view_add_nothing(bounds):
    at = run_page()
    capture(at, bounds)
    assert "tour_draft" not in at.session_state or draft(at).steps == []


def test_three_steps_play_as_your_tour_and_the_link_names_no_step():
    at = three_steps()
    assert "All 3 steps ready to play." in [c.value for c in at.caption]
    at.button(key="ted_play").click().run()
    state = browser_state(at)
    assert state["tour"]["step"] == 1 and state["tour"]["of"] == 3
    assert state["tour"]["title"] == "Your tour (editor)"
    assert [s["title"] for s in state["tour"]["steps"]] == ["My step 1", "My step 2", "My step 3"]
    assert state["view"]["bounds"] == BOUNDS[0]
    assert "step" not in query(at) and "tour" not in query(at)  # this tour is in this session only
    assert picker(at).value == "@draft"  # the picker shows the tour on
    press(at, "next")
    state = browser_state(at)
    assert state["tour"]["step"] == 2 and state["view"]["bounds"] == BOUNDS[1]
    assert "steps" not in state["tour"]  # the browser has them: sent once
    send(at, "tour", {"action": "steps", "id": state["tour"]["id"], "at": _nonce()})  # a page that lost them
    assert [s["title"] for s in browser_state(at)["tour"]["steps"]] == ["My step 1", "My step 2", "My step 3"]


def test_a_bad_window_shows_the_loaders_message_and_the_other_steps_play():
    at = three_steps()
    field(at, 2, "from").input("2023-07-20").run()
    field(at, 2, "to").input("2023-07-10").run()
    assert step_errors(at, 2) == ["field 'window', value ['2023-07-20', '2023-07-10']: window reversed: "
                                  "start 2023-07-20 is after end 2023-07-10; step 2 left out of the tour"]
    assert step_errors(at, 1) == [] and step_errors(at, 3) == []
    assert "2 of 3 steps ready to play." in [c.value for c in at.caption]
    assert at.button(key=f"ted_show_{draft(at).steps[1]['_id']}").disabled  # no preview of a step that waits
    at.button(key="ted_play").click().run()
    assert [s["title"] for s in browser_state(at)["tour"]["steps"]] == ["My step 1", "My step 3"]
    press(at, "next")
    assert browser_state(at)["view"]["bounds"] == BOUNDS[2]
    assert field(at, 2, "from").value == "2023-07-20"  # what was typed stays, to be mended
    field(at, 2, "from").input("2023-07-01").run()
    assert step_errors(at, 2) == []
    assert browser_state(at)["tour"]["of"] == 3  # the mended step joins the tour on


def test_not_a_date_in_a_window_names_the_value():
    at = three_steps()
    field(at, 1, "to").input("14/07/2023").run()
    assert step_errors(at, 1) == ["field 'window', value '14/07/2023': not a date (expected YYYY-MM-DD); "
                                  "step 1 left out of the tour"]


def test_move_copy_delete_and_undo():
    at = three_steps()
    titles = lambda: [s["title"] for s in draft(at).steps]  # noqa: E731
    uid = draft(at).steps[2]["_id"]
    at.button(key=f"ted_up_{uid}").click().run()
    assert titles() == ["My step 1", "My step 3", "My step 2"]
    assert field(at, 2, "title").value == "My step 3"  # the widgets follow their step
    at.button(key=f"ted_dup_{uid}").click().run()
    assert titles() == ["My step 1", "My step 3", "My step 3", "My step 2"]
    at.button(key=f"ted_del_{draft(at).steps[0]['_id']}").click().run()
    assert titles() == ["My step 3", "My step 3", "My step 2"]
    at.button(key="ted_undo").click().run()
    assert titles() == ["My step 1", "My step 3", "My step 3", "My step 2"]
    at.button(key="ted_undo").click().run()
    at.button(key="ted_undo").click().run()
    assert titles() == ["My step 1", "My step 2", "My step 3"]
    field(at, 1, "title").input("Renamed").run()
    at.button(key="ted_undo").click().run()
    assert titles()[0] == "My step 1" and field(at, 1, "title").value == "My step 1"


def test_the_tour_file_holds_every_field_as_typed():
    at = three_steps()
    field(at, 2, "to").input("2023-07").run()
    field(at, 3, "sources").input("https://example.org/a\n\n  https://example.org/b  ").run()
    field(at, 3, "notes").input("Say both names.").run()
    data = next(d for d in at.get("download_button") if d.proto.label == "Download your tour (.toml)")
    from geo.tour_draft import to_toml

    text = to_toml(draft(at).steps)
    doc = tomllib.loads(text)
    assert [s["title"] for s in doc["steps"]] == ["My step 1", "My step 2", "My step 3"]
    assert doc["steps"][1]["window"][1] == "2023-07"  # the bad date as typed: nothing lost
    assert doc["steps"][2]["sources"] == ["https://example.org/a", "https://example.org/b"]
    assert doc["steps"][2]["notes"] == "Say both names."
    assert data.proto.label  # the button is there


def test_text_typed_in_a_step_is_never_markdown():
    at = three_steps()
    field(at, 1, "layers").set_value(["countries"]).run()
    draft(at).steps[0]["layers"].append("[Log in](https://evil.example) :red[**x**] <b>y</b>")
    at.run()
    (message,) = step_errors(at, 1)
    assert message.startswith("field 'layers', value '[Log in](https://evil.example) :red[**x**] <b>y</b>': "
                              "unknown layer key")
    assert not any("](https://evil.example)" in e.value for e in at.error)  # the source is escaped, not a link


def test_deleting_the_last_good_step_of_the_tour_on_leaves_it():
    at = run_page()
    capture(at, BOUNDS[0])
    field(at, 1, "narrative").input("Text.").run()
    at.button(key="ted_play").click().run()
    assert browser_state(at)["tour"]["of"] == 1
    at.button(key=f"ted_del_{draft(at).steps[0]['_id']}").click().run()
    assert browser_state(at)["tour"] is None
    assert at.sidebar.button(key="start_tour")  # back to the page, the built-in tour ready to start


# --- the named tours (data/tours/) --------------------------------------------------------------

def test_a_link_names_a_tour_and_its_step():
    at = run_page(tour="lachin-corridor", step="2")
    state = browser_state(at)
    assert state["tour"]["step"] == 2 and state["tour"]["of"] == len(CORRIDOR.steps)
    assert state["tour"]["title"] == CORRIDOR.title
    assert [s["title"] for s in state["tour"]["steps"]] == [s.title for s in CORRIDOR.steps]
    (s, w), (n, e) = CORRIDOR.steps[1].bounds
    assert state["view"]["bounds"] == [[s, w], [n, e]]
    assert query(at)["tour"] == "lachin-corridor" and query(at)["step"] == "2"
    press(at, "next")
    assert query(at)["tour"] == "lachin-corridor" and query(at)["step"] == "3"
    assert picker(at).value == "lachin-corridor"


def test_a_tour_without_a_step_opens_at_its_first_and_a_step_past_its_end_says_so():
    assert browser_state(run_page(tour="lachin-corridor"))["tour"]["step"] == 1
    at = run_page(tour="lachin-corridor", step="9")
    assert browser_state(at)["tour"]["step"] == 1
    assert any("There is no step 9 (the tour has 5 steps)" in rendered(t.proto.body) for t in at.toast)


def test_an_unknown_tour_is_named_and_the_page_still_works():
    at = run_page(tour="[x](https://evil.example)", step="2")
    (toast,) = at.toast
    assert "Ignored 'tour': no tour '[x](https://evil.example)' (named tours: 'lachin-corridor')." in \
        rendered(toast.proto.body)
    state = browser_state(at)
    assert state["tour"]["step"] == 2 and "id" not in state["tour"]  # the built-in tour's step 2


def test_the_picker_switches_the_tour_on_to_its_first_step():
    at = run_page(step="4")
    picker(at).set_value("lachin-corridor").run()
    state = browser_state(at)
    assert state["tour"]["step"] == 1 and state["tour"]["title"] == CORRIDOR.title
    assert dt.date.fromisoformat(state["window"][0]) == CORRIDOR.steps[0].window[0]
    picker(at).set_value("").run()
    state = browser_state(at)
    assert state["tour"]["step"] == 1 and "id" not in state["tour"] and "tour" not in query(at)


def test_the_named_tour_is_the_built_in_steps_word_for_word():
    built_in = {s.title: s for s in DATA.tour}
    for step in CORRIDOR.steps:
        same = built_in[step.title]
        assert (step.narrative, step.sources, step.bounds, step.layers, step.window, step.highlight, step.notes) == \
            (same.narrative, same.sources, same.bounds, same.layers, same.window, same.highlight, same.notes)


def test_a_steps_view_is_taken_again_from_the_map_and_its_text_stays():
    at = three_steps()
    uid = draft(at).steps[1]["_id"]
    send(at, "tour", {"action": "capture", "bounds": [[40.0, 44.0], [41.0, 45.5]], "target": uid, "at": _nonce()})
    assert [s["bounds"] for s in draft(at).steps] == [BOUNDS[0], [[40.0, 44.0], [41.0, 45.5]], BOUNDS[2]]
    assert field(at, 2, "title").value == "My step 2"
    assert "View: 40.000, 44.000 to 41.000, 45.500" in [t.value for t in at.text]
    at.button(key="ted_undo").click().run()
    assert draft(at).steps[1]["bounds"] == BOUNDS[1]


def test_the_editor_starts_from_a_copy_of_the_picked_tour():
    at = run_page()
    picker(at).set_value("lachin-corridor").run()
    at.button(key="ted_copy").click().run()
    assert [field(at, n, "title").value for n in range(1, 6)] == [s.title for s in CORRIDOR.steps]
    assert f"All {len(CORRIDOR.steps)} steps ready to play." in [c.value for c in at.caption]
    at.button(key="ted_play").click().run()
    state = browser_state(at)
    assert state["tour"]["title"] == "Your tour (editor)" and state["tour"]["of"] == len(CORRIDOR.steps)
    at.button(key="ted_undo").click().run()
    assert draft(at).steps == []


def test_the_tour_downloads_are_of_the_tour_playing():
    from geo.catalog import FEATURE_IDS
    from geo.dataset import LAYER_KEYS
    from geo.load_tour import check_tour
    from geo.tour_draft import as_doc
    from layers.presentation import presentation_html

    at = three_steps()
    at.button(key="ted_play").click().run()
    assert "Tour: Your tour (editor)" in [t.value for t in at.sidebar.text]
    steps = check_tour(as_doc(draft(at).steps), "my-tour.toml", LAYER_KEYS, FEATURE_IDS, set(DATA.events["id"])).steps
    html = presentation_html(DATA, steps)
    assert all(f"My step {n}" in html for n in (1, 2, 3))
    assert "Nagorno-Karabakh and Stepanakert / Khankendi" not in html  # not the built-in tour's steps


def test_a_loaded_step_with_a_window_that_is_not_a_list_is_mended_in_its_fields():
    import tomllib

    from geo.tour_draft import steps_from_doc
    from ui.tour_editor import Draft

    doc = tomllib.loads('[[steps]]\ntitle = "T"\nnarrative = "N."\nbounds = [[39.0, 46.0], [40.0, 47.0]]\n'
                        'layers = []\nwindow = "2023-07-11"\n')
    at = run_page()
    at.session_state["tour_draft"] = Draft(steps=steps_from_doc(doc), file="loaded.toml")
    at.run()
    assert step_errors(at, 1) == ["field 'window', value '2023-07-11': window must be two dates: "
                                  '["YYYY-MM-DD", "YYYY-MM-DD"]; step 1 left out of the tour']
    field(at, 1, "from").input("2023-07-11").run()
    assert draft(at).steps[0]["window"] == ["2023-07-11", ""]  # not the text's characters
    field(at, 1, "to").input("2023-07-14").run()
    assert step_errors(at, 1) == []
    assert draft(at).steps[0]["window"] == ["2023-07-11", "2023-07-14"]


def test_a_bad_file_in_data_tours_is_named_and_the_good_tours_load(tmp_path):
    from geo.catalog import FEATURE_IDS
    from geo.dataset import LAYER_KEYS, load_tours

    good = (ROOT / "data" / "tours" / "lachin-corridor.toml").read_text(encoding="utf-8")
    (tmp_path / "good.toml").write_text(good, encoding="utf-8")
    (tmp_path / "Bad Name.toml").write_text(good, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(good.replace('window = ["2023-04-01", "2023-04-28"]',
                                                       'window = ["2023-04-28", "2023-04-01"]'), encoding="utf-8")
    (tmp_path / "empty.toml").write_text('title = "Nothing"\nsteps = []\n', encoding="utf-8")
    tours, problems = load_tours(tmp_path, layer_keys=LAYER_KEYS, feature_ids=FEATURE_IDS,
                                 event_ids=set(DATA.events["id"]))
    assert sorted(tours) == ["broken", "good"]
    assert len(tours["good"].steps) == 5 and len(tours["broken"].steps) == 4
    assert [str(p) for p in problems] == [
        "tours/Bad Name.toml: a tour file's name must be 1-40 lower-case letters, digits, '-' or '_' "
        "(it goes in the page's address); tour left out",
        "tours/broken.toml, row 5, field 'window', value ['2023-04-28', '2023-04-01']: window reversed: "
        "start 2023-04-28 is after end 2023-04-01; step 5 left out of the tour",
        "tours/empty.toml, field 'steps': no steps: the file needs at least one [[steps]] table",
    ]
