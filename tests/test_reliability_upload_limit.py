"""Issue 8, part 6: the upload limit fits a 100,000-event ACLED export, and
geo.import_events says clearly when a file is over its own limit."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from geo.import_events import DEFAULT_MAX_BYTES, import_events
from tests.test_import_large import synthetic_acled

ROOT = Path(__file__).resolve().parents[1]


def _acled_like_100k() -> bytes:
    """100,000 ACLED rows padded to the size of a real export (about 41 MB: real
    rows carry longer notes, admin names and tags than the synthetic ones)."""
    data = synthetic_acled(100_000)
    pad = max(0, (41 * 10**6 - len(data)) // 100_000)
    return data.replace(b'""heavy"" shelling.', b'""heavy"" shelling. ' + b"x" * pad + b".")


@pytest.mark.slow
def test_config_upload_limit_fits_a_100k_acled_export_and_it_imports():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit_mb = config["server"]["maxUploadSize"]
    data = _acled_like_100k()
    assert 40 * 10**6 < len(data) < 42 * 10**6
    # Streamlit's MB may be 10**6 or 2**20 bytes: the file fits either way, with room.
    assert len(data) * 2 < limit_mb * 10**6
    assert DEFAULT_MAX_BYTES >= limit_mb * 10**6  # the importer refuses nothing Streamlit lets through
    result = import_events("acled-100k.csv", data)
    assert result.fatal is None
    assert len(result.events) == 100_000


def test_file_one_byte_over_the_importer_limit_is_refused_with_its_name_and_the_limit():
    data = b"event_id_cnty,event_date\n" + b"x" * 2000
    at_limit = import_events("at-limit.csv", data, max_bytes=len(data))
    assert "over the upload limit" not in str(at_limit.fatal)  # other problems, not the size
    result = import_events("big.csv", data, max_bytes=len(data) - 1)
    assert result.fatal is not None and len(result.events) == 0
    message = str(result.fatal)
    assert message.startswith("big.csv: ")
    assert "over the upload limit" in message and "split it into smaller files" in message
