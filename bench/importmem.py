"""Issue 13: the server's peak memory while a 100,000-row file is uploaded and imported.

``python -m bench.importmem [--rows N] [--row-bytes B] [--cycles C]`` writes an
ACLED CSV of ``N`` rows padded to about ``B`` bytes each (default 100,000 rows of
1,860 bytes: the 186 MB file of the issue), starts ``streamlit run dashboard.py``,
and in headless Chromium uploads the file through the import panel, waits for
"100,000 imported", removes it, toggles a layer twice (two more runs of the page),
and repeats ``C`` times. It reads the server's ``VmRSS`` and ``VmHWM`` (peak resident
memory) from ``/proc`` before, at the end of each import, after each removal and two
runs later, and prints and writes
``test-artifacts/importmem.json`` with the peak against the 1 GB goal (part of
``make load``). Nothing is asserted; RELIABILITY.md has the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import threading
import time
from pathlib import Path

from bench.server import start_streamlit, stop
from tests.test_import_large import synthetic_acled

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Issue 13's goal for the server's peak (VmHWM) over a 100,000-row import.
GOAL_MB = 1024
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid`` in MB."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def make_file(rows: int, row_bytes: int) -> Path:
    """An ACLED CSV of ``rows`` rows, notes padded so a row is about ``row_bytes`` bytes."""
    path = ARTIFACTS / f"importmem-{rows}-{row_bytes}.csv"
    if path.exists():
        return path
    data = synthetic_acled(rows)
    pad = max(0, row_bytes - len(data) // rows)
    data = data.replace(b'""heavy"" shelling.', b'""heavy"" shelling. ' + b"x" * pad + b".")
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--row-bytes", type=int, default=1_860)
    parser.add_argument("--cycles", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    path = make_file(args.rows, args.row_bytes)
    proc, url = start_streamlit(ROOT / "dashboard.py", log=ARTIFACTS / "importmem-server.log")
    peak = {"VmRSS": 0.0}
    stop_sampling = threading.Event()

    def sample() -> None:  # VmHWM is the kernel's own peak; this also records when it happened
        while not stop_sampling.is_set():
            try:
                rss = memory_mb(proc.pid)["VmRSS"]
            except (OSError, KeyError):
                return
            peak["VmRSS"] = max(peak["VmRSS"], rss)
            time.sleep(0.05)

    report: dict = {"rows": args.rows, "file_mb": round(path.stat().st_size / 1e6, 1), "cycles": []}
    sampler = threading.Thread(target=sample, daemon=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "/")
            page.mouse.move(2, 2)
            page.get_by_text("Import your events").wait_for(timeout=120_000)
            time.sleep(2)
            report["before"] = memory_mb(proc.pid)
            sampler.start()
            page.get_by_text("Import your events").click()
            for cycle in range(args.cycles):
                # A new name each cycle (a hard link: no copy): the uploader does not take the
                # same file twice in a row.
                upload = path.with_name(f"{path.stem}-{cycle}.csv")
                upload.unlink(missing_ok=True)
                upload.hardlink_to(path)
                start = time.monotonic()
                page.locator('.st-key-uploads input[type="file"]').set_input_files(str(upload))
                page.get_by_text(f"{upload.name}: {args.rows:,} imported").wait_for(timeout=900_000)
                loaded = {**memory_mb(proc.pid), "seconds": round(time.monotonic() - start, 1)}
                time.sleep(3)
                page.get_by_role("button", name=f"Remove {upload.name}").click()
                page.get_by_text(f"{upload.name}: {args.rows:,} imported").wait_for(state="detached", timeout=120_000)
                time.sleep(5)
                removed = memory_mb(proc.pid)
                box = page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"] button').first
                for _ in range(2):  # two more runs of the page after the removal
                    box.click()
                    time.sleep(4)
                report["cycles"].append({"imported": loaded, "removed": removed,
                                         "two_runs_later": memory_mb(proc.pid)})
                upload.unlink()
            browser.close()
    finally:
        stop_sampling.set()
        report["peak_rss_sampled_mb"] = peak["VmRSS"]
        try:
            report["peak_vmhwm_mb"] = memory_mb(proc.pid)["VmHWM"]
        except OSError:
            pass
        stop(proc)
    peak = report.get("peak_vmhwm_mb")
    if peak is not None:
        report["goal_mb"] = GOAL_MB
        report["goal_met"] = peak <= GOAL_MB
    print(json.dumps(report, indent=2))
    if peak is not None:
        print(f"server peak {peak:,.0f} MB for a {args.rows:,}-row import: "
              f"{'within' if peak <= GOAL_MB else 'OVER'} the {GOAL_MB:,} MB goal")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "importmem.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
