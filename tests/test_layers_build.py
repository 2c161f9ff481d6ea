"""The layer build: pure helpers, and determinism when the sources are cached.

The normal test run downloads nothing: the rebuild test runs only when
``make data`` has already filled ``build/geodata-cache/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Polygon

from geo import build_data
from geo.catalog import LAYER_FILES

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
