"""Issue 8, part 1: the page against damaged copies of every file in data/.

Each case copies data/ to a temporary folder, damages one file (or the layers
folder), points the page at the copy with DASHBOARD_DATA and checks that

* no uncaught exception reaches the page (``at.exception`` is empty),
* an error names the damaged file, and the expander says what is wrong,
* everything else is still drawn: every layer and category toggle, the event
  count, and (when the tour loads) every tour step plays without an exception.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyproj import Transformer
from streamlit.testing.v1 import AppTest

from geo.catalog import CATEGORIES, LAYER_FILES, LAYER_LABELS
from tests.conftest import ROOT, rendered
from tests.page import browser_state, counts, pills, send

DATA = ROOT / "data"
N_EVENTS = 18  # data/events.toml (tests/test_events_data.py checks it)
DATA_FILES = ["events.toml", "tour.toml", *(f"layers/{f}" for f in LAYER_FILES.values())]


# --- damage -------------------------------------------------------------------------


def _missing(path: Path) -> None:
    path.unlink()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _utf16(path: Path) -> None:
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def _cp1252(path: Path) -> None:
    data = path.read_text(encoding="utf-8").encode("cp1252", errors="replace")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        path.write_bytes(data)
        return
    raise AssertionError(f"{path.name} has no cp1252 character that is not UTF-8; the case tests nothing")


def _edit_geojson(path: Path, edit: Callable[[dict], None]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _map_coords(coords, func):
    if coords and isinstance(coords[0], (int, float)):
        return list(func(*coords[:2]))
    return [_map_coords(c, func) for c in coords]


def _swap_axes(path: Path) -> None:
    def edit(doc):
        for f in doc["features"]:
            f["geometry"]["coordinates"] = _map_coords(f["geometry"]["coordinates"], lambda x, y: (y, x))
    _edit_geojson(path, edit)


def _projected(path: Path) -> None:
    """Coordinates in metres (UTM 38N) with a matching ``crs`` member."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)

    def edit(doc):
        doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}}
        for f in doc["features"]:
            f["geometry"]["coordinates"] = _map_coords(f["geometry"]["coordinates"], to_utm.transform)
    _edit_geojson(path, edit)


def _projected_no_crs(path: Path) -> None:
    """Metres again, but the file does not say so (no ``crs`` member)."""
    _projected(path)
    _edit_geojson(path, lambda doc: doc.pop("crs"))


def _bowtie(path: Path) -> None:
    """The first polygon becomes a self-intersecting bow tie inside the region."""
    def edit(doc):
        f = doc["features"][0]
        f["geometry"] = {"type": "Polygon", "coordinates": [
            [[45.0, 40.0], [46.0, 41.0], [46.0, 40.0], [45.0, 41.0], [45.0, 40.0]]]}
    _edit_geojson(path, edit)


def _unclosed_ring(path: Path) -> None:
    """A ring of three points that is not closed: shapely cannot even build it."""
    def edit(doc):
        doc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[45.0, 40.0], [46.0, 41.0]]]}
    _edit_geojson(path, edit)


def _unknown_feature_in_event(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'^features = \["brussels"', 'features = ["atlantis", "brussels"', text, count=1, flags=re.M)
    assert n == 1
    path.write_text(new, encoding="utf-8")


def _tour_step_unknown_layer(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'^layers = \["countries", "nagorno_karabakh", "stepanakert", "lachin_corridor", "places", "cat:legal"',
                     'layers = ["countries", "nagorno_karabakh", "stepanakert", "atlantis_layer", "places", "cat:legal"',
                     text, count=1, flags=re.M)
    assert n == 1
    path.write_text(new, encoding="utf-8")


@dataclass(frozen=True)
class Damage:
    target: str  # path under data/
    how: Callable[[Path], None]
    expect: str  # regular expression the problem text must match
    #: the file name the page must name (defaults to the target's name)
    names: str | None = None

    @property
    def id(self) -> str:
        return f"{self.target.split('/')[-1]}-{self.how.__name__.strip('_')}"


WHOLE_FILE = [
    (_missing, r"not found"),
    (_empty, r"no events|no steps|not valid JSON"),
    (_truncated, r"not valid (JSON|TOML)"),
    (_utf16, r"not (valid TOML: not )?UTF-8|not valid TOML"),
    (_cp1252, r"not (valid TOML: not )?UTF-8|not valid TOML"),
]

DAMAGES: list[Damage] = [
    *(Damage(target, how, expect) for target in DATA_FILES for how, expect in WHOLE_FILE),
    Damage("layers/places.geojson", _swap_axes, r"swapped"),
    Damage("layers/nagorno_karabakh.geojson", _swap_axes, r"swapped"),
    Damage("layers/countries.geojson", _bowtie, r"invalid geometry: Self-intersection"),
    Damage("layers/context.geojson", _unclosed_ring, r"geometry cannot be read"),
    Damage("layers/countries.geojson", _projected, r"CRS is not WGS84"),
    Damage("layers/lachin_corridor.geojson", _projected_no_crs, r"looks projected"),
    Damage("events.toml", _unknown_feature_in_event, r"field 'features', value 'atlantis': unknown feature id"),
    Damage("tour.toml", _tour_step_unknown_layer, r"value 'atlantis_layer': unknown layer key"),
    Damage("layers", lambda p: shutil.rmtree(p), r"not found", names="countries.geojson"),
]


# --- the page -------------------------------------------------------------------------


def _page(monkeypatch, data_dir: Path) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATA", str(data_dir))
    monkeypatch.delenv("DASHBOARD_EVENTS", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    return at.run()


def _total_events(at: AppTest) -> int:
    return sum(int(v.replace(",", "")) for v in counts(at).values())


def _everything_else_is_drawn(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert pills(at, "geo").options == list(LAYER_LABELS.values())
    assert list(counts(at)) == list(CATEGORIES.values())
    assert len(at.sidebar.slider) == 1
    assert browser_state(at)["window"]


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A fresh copy of data/ that a case may damage."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_undamaged_copy_shows_no_error(monkeypatch, data_copy):
    at = _page(monkeypatch, data_copy)
    _everything_else_is_drawn(at)
    assert not at.error
    assert _total_events(at) == N_EVENTS


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.id)
def test_damaged_file_is_named_and_the_rest_is_drawn(monkeypatch, data_copy, damage):
    damage.how(data_copy / damage.target)
    name = damage.names or Path(damage.target).name
    at = _page(monkeypatch, data_copy)

    _everything_else_is_drawn(at)
    errors = [rendered(e.value) for e in at.error]
    assert any(name in e for e in errors), errors
    details = [t.value for exp in at.expander if exp.label == "What is wrong with the data" for t in exp.text]
    assert any(name in d and re.search(damage.expect, d) for d in details), details

    events_ok = damage.target != "events.toml"
    total = _total_events(at)
    if events_ok:
        assert total == N_EVENTS
    elif damage.how is _unknown_feature_in_event:
        assert total == N_EVENTS  # the unknown id is dropped, the event kept (geo/check_events.py)
    else:
        assert total == 0

    # Play the whole tour (when it loaded): every step on the damaged data.
    start = [b for b in at.sidebar.button if b.key == "start_tour"]
    tour_ok = damage.target != "tour.toml" or damage.how is _tour_step_unknown_layer
    if damage.target in ("events.toml",) and damage.how is not _unknown_feature_in_event:
        tour_ok = True  # the tour still loads; steps highlighting events lose their highlight only
    assert bool(start) == tour_ok
    if not start:
        return
    start[0].click()
    at.run()
    _everything_else_is_drawn(at)
    # Every step once per damaged file (when it is missing) and for the targeted damages;
    # the other whole-file damages leave the same data behind, so two steps are enough there.
    whole_file = {how for how, _ in WHOLE_FILE} - {_missing}
    budget = 2 if damage.how in whole_file else 99
    steps = 1
    n = browser_state(at)["tour"]["of"]
    while steps < n and steps < budget:
        send(at, "key", {"action": "next", "at": steps})
        _everything_else_is_drawn(at)
        steps += 1
    assert browser_state(at)["tour"] == {"step": steps, "of": n}
    assert budget == 2 or steps == n
