"""The benchmark runs end to end at small sizes (no browser) and writes results.json's shape.

Nothing timed is asserted: this only keeps `make bench` from rotting.
"""

from __future__ import annotations

import json

from bench.run import main


def test_bench_runs_at_small_sizes_and_writes_the_documented_shape(tmp_path, capsys):
    out = tmp_path / "results.json"
    main(["--sizes", "17,200", "--repeats", "2", "--no-browser", "--workdir", str(tmp_path / "data"),
          "--out", str(out)])
    results = json.loads(out.read_text())
    assert [r["n_events"] for r in results["runs"]] == [17, 200]
    for run in results["runs"]:
        assert set(run["server_ms"]) == {"ours", "baseline", "floor"}
        assert set(run["bytes"]) == {"ours", "baseline"}
        assert set(run["browser_ms"]) == {"ours", "baseline"}
        assert all(isinstance(v, float) and v > 0 for v in run["server_ms"].values())
        assert all(isinstance(v, int) and v > 0 for v in run["bytes"].values())
        assert run["browser_ms"] == {"ours": None, "baseline": None}
        assert run["main_thread"] == {"ours": None, "baseline": None}
        assert "browser_ms" in run["notes"]  # why it is null
    table = capsys.readouterr().out
    assert table.startswith("| events |") and "| 200 |" in table
