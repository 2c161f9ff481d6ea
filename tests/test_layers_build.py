"""The layer build (``tools/``): pure helpers, the checked text file, and
determinism when the sources are cached.

The normal test run downloads nothing: the rebuild test runs only when
``make data`` has already filled ``build/geodata-cache/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Polygon

from geo.catalog import LAYER_FILES
from tools import build_data
from tools.build_spec import DEFAULT_SPEC, SpecError, load_spec

LAYER_DIR = Path(__file__).resolve().parents[1] / "data" / "layers"


@pytest.fixture
def square_parts():
    """A unit square's boundary cut into 3 parts, shuffled, one reversed, small gaps."""
    return [
        np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]),
        np.array([[1.0, 0.0005], [1.0, 1.0]])[::-1],  # reversed, ends 0.0005 off
        np.array([[0.0, 0.0], [1.0, 0.0]]),
    ]


def test_chain_lines_closes_a_ring(square_parts):
    ring = build_data.chain_lines(square_parts)
    assert (ring[0] == ring[-1]).all()
    assert Polygon(ring).is_valid
    assert Polygon(ring).area == pytest.approx(1.0, abs=1e-3)


def test_chain_lines_refuses_big_gaps(square_parts):
    square_parts[2] = square_parts[2] + 0.5
    with pytest.raises(ValueError, match="gap"):
        build_data.chain_lines(square_parts)


def test_written_geojson_is_stable(tmp_path):
    from shapely.geometry import Point

    feats = [build_data.feature(Point(46.7528123, 39.8177456), name="b", id="x", kind="k",
                                approximate=False)]
    size = build_data.write_geojson(tmp_path / "a.geojson", feats)
    text = (tmp_path / "a.geojson").read_text(encoding="utf-8")
    assert size == len(text.encode())
    assert '"coordinates":[46.75281,39.81775]' in text
    assert '"properties":{"approximate":false,"id":"x","kind":"k","name":"b"}' in text
    assert "crs" not in text


@pytest.mark.skipif(
    not build_data.sources_cached(build_data.DEFAULT_CACHE),
    reason="source packages not cached in build/geodata-cache (run `make data` once); "
           "the committed files are what the dashboard reads",
)
def test_rebuild_gives_the_committed_files(tmp_path):
    build_data.build(tmp_path, build_data.DEFAULT_CACHE, download=False)
    for name in LAYER_FILES.values():
        assert (tmp_path / name).read_bytes() == (LAYER_DIR / name).read_bytes(), name


# --- data/build/features.toml: read and checked before building ---------------------------


def test_the_committed_text_file_is_valid():
    spec = load_spec()
    assert spec.features["stepanakert"]["name_alt"].startswith("Khankendi")
    assert [v.key for v in spec.versions] == [key for key, _, _ in build_data.CORRIDOR_VERSIONS]


def _broken(tmp_path, old: str, new: str) -> Path:
    text = DEFAULT_SPEC.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / "features.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, message", [
    ('sources = ["https://www.geonames.org/147105"]', 'sources = ["www.geonames.org/147105"]',
     "features.toml: features[6] (id 'shusha'), field 'sources': 'www.geonames.org/147105' is not an http(s) URL"),
    ('sources = ["https://www.geonames.org/147105"]', 'sources = ["https://www.geonames.org/"]',
     "features.toml: features[6] (id 'shusha'), field 'sources': 'https://www.geonames.org/' is a site's home page"),
    ('id = "shusha"\nname = "Shusha"\n', 'id = "shusha"\nname = "Shusha"\ndescripton = "typo"\n',
     "features.toml: features[6] (id 'shusha'), field 'descripton': unknown field"),
    ('geonames_id = 147105', 'geonames_id = "147105"',
     "features.toml: features[6] (id 'shusha'), field 'geonames_id': must be int, not str '147105'"),
    ("{area_km2:,.0f}", "{area:,.0f}",
     "features.toml: features[1] (id 'armenia'), field 'facts': unknown placeholder {area} (allowed: {area_km2})"),
    ('lat = 50.8425', 'lat = 150.8425',
     "features.toml: features[13] (id 'brussels'), field 'lat': 150.8425 is not a latitude"),
    ('id = "goris"\nname = "Goris"', 'id = "gorris"\nname = "Goris"',
     "features.toml: features[8] (id 'gorris'), field 'id': 'gorris' is not a feature id"),
    ('label = "Sus (estimated)"', 'label = "Sus"',
     "features.toml: waypoints[7] (key 'sus'), field 'label': a label says \"(estimated)\" exactly when"),
    ('"lachin", "sus",', '"lachin", "suss",',
     "features.toml: corridor.versions[1] (key '2020'), field 'route': 'suss' is not a waypoint key"),
    ('kind = "venue"', 'kind = "stadium"',
     "features.toml: features[13] (id 'brussels'), field 'kind': 'stadium' is not one of"),
    ('approx_note = "centre of the square, about ±100 m"\n', '',
     "features.toml: features[5] (id 'renaissance-square'), field 'approx_note': an approximate feature must say why"),
])
def test_a_bad_entry_names_file_entry_and_field(tmp_path, old, new, message):
    with pytest.raises(SpecError) as info:
        load_spec(_broken(tmp_path, old, new))
    assert str(info.value).startswith(message)


def test_a_missing_entry_and_bad_toml_are_reported(tmp_path):
    with pytest.raises(SpecError, match=r"features.toml: \[\[features\]\]: no entry for feature id 'the-hague'"):
        text = DEFAULT_SPEC.read_text(encoding="utf-8")
        start = text.index('[[features]]\nid = "the-hague"')
        (tmp_path / "features.toml").write_text(text[:start] + text[text.index("# Estimated", start):], encoding="utf-8")
        load_spec(tmp_path / "features.toml")
    (tmp_path / "bad.toml").write_text("[[features]\nid = 1\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad.toml: file: not valid TOML: .*line 1"):
        load_spec(tmp_path / "bad.toml")


def test_the_build_stops_on_a_bad_entry_before_fetching(tmp_path, capsys):
    """``python -m tools.build_data`` prints the message and exits 2; nothing is downloaded
    (the cache given does not exist and stays so)."""
    spec = _broken(tmp_path, 'geonames_id = 147105', 'geonames_id = -1.5')
    code = build_data.main(["--spec", str(spec), "--cache", str(tmp_path / "no-cache"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "features.toml: features[6] (id 'shusha'), field 'geonames_id'" in capsys.readouterr().err
    assert not (tmp_path / "no-cache").exists() and not (tmp_path / "out").exists()
