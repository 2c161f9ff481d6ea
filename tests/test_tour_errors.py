"""Bad tour files give clear problems naming the step and field; good steps still load."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from geo.load_tour import TourResult, load_tour, read_tour_text

LAYERS = ("countries", "lachin_corridor", "places", "cat:protest", "cat:diplomacy")
FEATURES = {"places": ("brussels", "moscow"), "lachin_corridor": ("hakari-checkpoint",)}
EVENTS = ("stepanakert-rally",)

GOOD = """
[[steps]]
title = "Good"
narrative = "A neutral sentence (Source, 1 Jan 2023)."
sources = ["https://example.org/a"]
bounds = [[39.0, 46.0], [40.0, 47.0]]
layers = ["countries", "cat:protest"]
window = ["2023-07-11", "2023-07-14"]
highlight = "stepanakert-rally"
"""


_READER = {"how": "file"}


@pytest.fixture(autouse=True, params=["file", "upload"])
def reader(request):
    """Every test of a tour's content runs twice: read from a file (``load_tour``, as
    ``data/tour.toml``) and from an upload's bytes (``read_tour_text``, as the page's "Load a
    tour file"): the same problems in the same words."""
    _READER["how"] = request.param
    yield request.param
    _READER["how"] = "file"


def _load(tmp_path, text: str, name: str = "tour.toml") -> TourResult:
    if _READER["how"] == "upload":
        return read_tour_text(textwrap.dedent(text).encode("utf-8"), name, LAYERS, FEATURES, EVENTS)
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_tour(path, LAYERS, FEATURES, EVENTS)


def _step(**fields: str) -> str:
    """A [[steps]] table: the good step with some fields replaced (None drops one)."""
    base = {
        "title": '"Bad"',
        "narrative": '"Text."',
        "bounds": "[[39.0, 46.0], [40.0, 47.0]]",
        "layers": '["countries"]',
        "window": '["2023-01-01", "2023-01-02"]',
    }
    base.update(fields)
    lines = [f"{k} = {v}" for k, v in base.items() if v is not None]
    return "\n[[steps]]\n" + "\n".join(lines) + "\n"


def _only_problem(result: TourResult):
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    return result.problems[0]


def test_good_step_loads(tmp_path):
    result = _load(tmp_path, GOOD)
    assert result.problems == []
    (step,) = result.steps
    assert step.number == 1
    assert step.window == (dt.date(2023, 7, 11), dt.date(2023, 7, 14))
    assert step.bounds == ((39.0, 46.0), (40.0, 47.0))
    assert step.layers == ("countries", "cat:protest")
    assert step.sources == ("https://example.org/a",)
    assert step.highlight == "stepanakert-rally"
    assert step.notes == ""


def test_feature_ids_may_be_a_flat_list(tmp_path):
    path = tmp_path / "tour.toml"
    path.write_text(GOOD.replace("stepanakert-rally", "moscow"), encoding="utf-8")
    result = load_tour(path, LAYERS, ["moscow"], [])
    assert result.problems == [] and result.steps[0].highlight == "moscow"


def test_unknown_layer_names_step_field_and_value(tmp_path):
    result = _load(tmp_path, GOOD + _step(layers='["countries", "lachin"]'))
    problem = _only_problem(result)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "tour.toml", 2, "layers", "lachin")
    assert "unknown layer" in problem.reason
    assert "row 2" in str(problem) and "'layers'" in str(problem)
    assert [s.title for s in result.steps] == ["Good"]


def test_reversed_window(tmp_path):
    result = _load(tmp_path, _step(window='["2023-07-14", "2023-07-11"]'))
    problem = _only_problem(result)
    assert (problem.row, problem.field) == (1, "window")
    assert "reversed" in problem.reason and "2023-07-14" in problem.reason
    assert result.steps == []


@pytest.mark.parametrize("bad", ['"2023-02-30"', '"14 July 2023"', '"20230714"', "3", "2023-07-14T10:00:00"])
def test_window_date_that_is_not_a_date(tmp_path, bad):
    result = _load(tmp_path, _step(window=f'["2023-07-01", {bad}]'))
    problem = _only_problem(result)
    assert (problem.row, problem.field) == (1, "window")
    assert "not a date" in problem.reason


def test_native_toml_dates_are_accepted(tmp_path):
    result = _load(tmp_path, _step(window="[2023-07-01, 2023-07-02]"))
    assert result.problems == []
    assert result.steps[0].window == (dt.date(2023, 7, 1), dt.date(2023, 7, 2))


@pytest.mark.parametrize("window", ['["2023-07-01"]', '"2023-07-01"', None])
def test_window_of_wrong_shape_or_missing(tmp_path, window):
    problem = _only_problem(_load(tmp_path, _step(window=window)))
    assert problem.field == "window"


def test_missing_view(tmp_path):
    result = _load(tmp_path, GOOD + _step(bounds=None))
    problem = _only_problem(result)
    assert problem.row == 2
    assert "missing view" in problem.reason
    assert "bounds" in problem.field and "center" in problem.field
    assert len(result.steps) == 1


def test_center_without_zoom_is_a_missing_view(tmp_path):
    problem = _only_problem(_load(tmp_path, _step(bounds=None, center="[39.8, 46.7]")))
    assert problem.field == "zoom" and "missing view" in problem.reason


def test_center_and_zoom_view(tmp_path):
    result = _load(tmp_path, _step(bounds=None, center="[39.8, 46.7]", zoom="9"))
    (step,) = result.steps
    assert (step.center, step.zoom, step.bounds) == ((39.8, 46.7), 9, None)
    (south, west), (north, east) = step.view_bounds()
    assert south < 39.8 < north and west < 46.7 < east


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"bounds": "[[39.0, 46.0], [95.0, 47.0]]"}, "bounds"),
        ({"bounds": "[[39.0, -200.0], [40.0, 47.0]]"}, "bounds"),
        ({"bounds": "[[40.0, 47.0], [39.0, 46.0]]"}, "bounds"),
        ({"bounds": "[39.0, 46.0, 40.0, 47.0]"}, "bounds"),
        ({"bounds": "[[39.0, nan], [40.0, 47.0]]"}, "bounds"),
        ({"bounds": None, "center": "[-91.0, 46.7]", "zoom": "9"}, "center"),
        ({"bounds": None, "center": "[39.8, 181]", "zoom": "9"}, "center"),
        ({"bounds": None, "center": "[39.8, 46.7]", "zoom": "25"}, "zoom"),
        ({"bounds": None, "center": "[39.8, 46.7]", "zoom": "9.5"}, "zoom"),
    ],
)
def test_view_out_of_range_or_malformed(tmp_path, fields, field):
    result = _load(tmp_path, _step(**fields))
    problem = _only_problem(result)
    assert (problem.row, problem.field) == (1, field)
    assert result.steps == []


@pytest.mark.parametrize("missing", ["title", "narrative"])
def test_missing_title_or_narrative(tmp_path, missing):
    problem = _only_problem(_load(tmp_path, _step(**{missing: None})))
    assert (problem.row, problem.field) == (1, missing)
    assert "missing" in problem.reason


def test_blank_title(tmp_path):
    problem = _only_problem(_load(tmp_path, _step(title='"   "')))
    assert problem.field == "title"


def test_unknown_highlight_is_reported_and_ignored(tmp_path):
    result = _load(tmp_path, _step(highlight='"stepanakert-ralley"'))
    problem = _only_problem(result)
    assert (problem.row, problem.field, problem.value) == (1, "highlight", "stepanakert-ralley")
    assert "unknown highlight" in problem.reason
    (step,) = result.steps
    assert step.highlight is None


def test_unknown_field_is_reported_and_ignored(tmp_path):
    result = _load(tmp_path, _step(layer='["countries"]'))
    problem = _only_problem(result)
    assert (problem.row, problem.field) == (1, "layer")
    assert len(result.steps) == 1


def test_sources_must_be_a_list_of_strings(tmp_path):
    problem = _only_problem(_load(tmp_path, _step(sources='"https://example.org"')))
    assert problem.field == "sources"


def test_several_problems_in_one_step_are_all_reported(tmp_path):
    result = _load(tmp_path, _step(layers='["nope"]', window='["2023-07-02", "2023-07-01"]'))
    assert {p.field for p in result.problems} == {"layers", "window"}
    assert all(p.row == 1 for p in result.problems)
    assert result.steps == []


def test_good_steps_of_a_partly_bad_file_load_and_are_renumbered(tmp_path):
    text = (
        GOOD
        + _step(layers='["nope"]')
        + GOOD.replace('"Good"', '"Good again"')
        + _step(bounds=None)
    )
    result = _load(tmp_path, text)
    assert [(s.number, s.title) for s in result.steps] == [(1, "Good"), (2, "Good again")]
    assert [p.row for p in result.problems] == [2, 4]


def test_missing_file(tmp_path):
    result = load_tour(tmp_path / "nowhere.toml", LAYERS, FEATURES, EVENTS)
    problem = _only_problem(result)
    assert problem.file == "nowhere.toml"
    assert "not found" in problem.reason
    assert result.steps == []


def test_not_toml_names_the_line(tmp_path):
    result = _load(tmp_path, GOOD + "\nthis is = = not toml\n")
    problem = _only_problem(result)
    assert "not valid TOML" in problem.reason
    assert "line 11" in problem.reason
    assert result.steps == []


def test_binary_file_is_not_toml(tmp_path):
    path = tmp_path / "tour.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    problem = _only_problem(load_tour(path, LAYERS, FEATURES, EVENTS))
    assert "not valid TOML" in problem.reason


@pytest.mark.parametrize("text", ["", "# only a comment\n", "steps = []\n", 'title = "x"\n'])
def test_no_steps(tmp_path, text):
    result = _load(tmp_path, text)
    problem = _only_problem(result)
    assert problem.field == "steps" and "no steps" in problem.reason
    assert result.steps == []


def test_steps_not_tables(tmp_path):
    problem = _only_problem(_load(tmp_path, 'steps = ["a", "b"]\n'))
    assert problem.field == "steps"


def test_ids_come_from_the_caller_not_the_loader(tmp_path):
    """The same file is clean or not depending on the ids passed in."""
    path = tmp_path / "tour.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_tour(path, LAYERS, FEATURES, EVENTS).problems == []
    fields = {p.field for p in load_tour(path, ["countries"], {}, []).problems}
    assert fields == {"layers", "highlight"}
