"""Issue 18: our column checker against pandera at 100,000 rows, in one run.

``python -m bench.checker [--rows N] [--repeats R]`` builds an ACLED-like table of
text columns (as a CSV import hands it to the checker: 1 % of rows bad in one
field each, spread over the rules) and checks it three ways:

ours
    :func:`geo.check_events.check_events`: every rule, row-level problems, the
    normalised events table.
pandera
    ``pandera.pandas.DataFrameSchema(...).validate(lazy=True)`` with the same
    row rules written as pandera checks (required fields, date spellings and
    range, coordinates, precision codes, fatalities, unique ids), catching
    ``SchemaErrors`` for the row-level failure cases. It only finds the bad
    rows; converting the columns and building the events table come on top.
pandera then build
    What adopting pandera would cost: its validation, then the events table
    built from the rows it passed (pandera converts nothing).

Prints the median seconds of each and the ratios, and checks that ours and
pandera flagged the same rows; writes ``test-artifacts/checker.json``.
Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.check_events import MAX_FATALITIES, check_events
from geo.dates import parse_dates

HERE = Path(__file__).resolve().parent


def make_table(n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` rows of text columns; every 100th row is bad in one field."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2020-11-10") + pd.to_timedelta(rng.integers(0, 970, n), unit="D")
    table = pd.DataFrame({
        "id": [f"SYN{i}" for i in range(n)],
        "title": ["Battles: Armed clash"] * n,
        "event_date": np.where(np.arange(n) % 2, days.strftime("%Y-%m-%d"), days.strftime("%d %B %Y")),
        "time_precision": rng.choice(["1", "2", "3"], n),
        "latitude": (38.5 + rng.random(n) * 3).round(4).astype(str),
        "longitude": (44.0 + rng.random(n) * 6).round(4).astype(str),
        "geo_precision": rng.choice(["1", "2", "3"], n),
        "source": rng.choice(["Armenpress", "APA", "Reuters"], n),
        "notes": [f"Row {i}: fighting was reported near the town." for i in range(n)],
        "fatalities": rng.poisson(0.4, n).astype(str),
    }).astype("str")
    bad = np.arange(0, n, 100)
    kinds = [("event_date", "2023-13-45"), ("event_date", "9999-12-31"), ("latitude", "95.5"),
             ("longitude", "east"), ("time_precision", "7"), ("fatalities", "-3"), ("id", "")]
    for j, row in enumerate(bad):
        col, value = kinds[j % len(kinds)]
        table.loc[row, col] = value
    return table


def run_ours(table: pd.DataFrame) -> set[int]:
    result = check_events(table, "bench.csv", np.arange(2, len(table) + 2), category="imported")
    return set(np.flatnonzero(result.bad).tolist())


def pandera_schema():
    import pandera.pandas as pa

    def required(s: pd.Series) -> pd.Series:
        return s.str.strip().ne("")

    def is_date(s: pd.Series) -> pd.Series:
        parsed = parse_dates(s)  # the same spellings and range: pandera has no date parser of its own
        return pd.Series(np.fromiter((r is None for r in parsed.reasons), bool, len(s)), index=s.index)

    def number_in(limit: float):
        def check(s: pd.Series) -> pd.Series:
            num = pd.to_numeric(s.where(s.str.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?"), ""),
                                errors="coerce")
            return num.notna() & num.abs().le(limit)
        return check

    def code(s: pd.Series) -> pd.Series:
        return s.str.strip().isin(["", "1", "2", "3"])

    def fatalities(s: pd.Series) -> pd.Series:
        num = pd.to_numeric(s.where(s.str.fullmatch(r"\d+"), ""), errors="coerce")
        return s.eq("") | (num.notna() & num.le(MAX_FATALITIES))

    text = pa.Column(str, nullable=True)
    return pa.DataFrameSchema({
        "id": pa.Column(str, [pa.Check(required, element_wise=False, error="missing required field")], unique=True,
                        report_duplicates="exclude_first"),
        "title": pa.Column(str, pa.Check(required, error="missing required field")),
        "event_date": pa.Column(str, pa.Check(is_date, error="not a date")),
        "time_precision": pa.Column(str, pa.Check(code, error="not a time precision code")),
        "latitude": pa.Column(str, pa.Check(number_in(90.0), error="latitude out of range")),
        "longitude": pa.Column(str, pa.Check(number_in(180.0), error="longitude out of range")),
        "geo_precision": pa.Column(str, pa.Check(code, error="not a geo precision code")),
        "source": text, "notes": text,
        "fatalities": pa.Column(str, pa.Check(fatalities, error="not a whole number")),
    }, coerce=False)


def run_pandera(table: pd.DataFrame, schema) -> set[int]:
    import pandera.errors

    try:
        schema.validate(table, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return set(int(i) for i in cases["index"].dropna().tolist())
    return set()


def run_pandera_then_build(table: pd.DataFrame, schema) -> set[int]:
    """What adopting pandera would cost: it flags rows but converts nothing, so the events
    table is still built from the rows it passed (by our converter, which checks again)."""
    bad = run_pandera(table, schema)
    keep = np.ones(len(table), dtype=bool)
    keep[list(bad)] = False
    check_events(table[keep], "bench.csv", np.flatnonzero(keep) + 2, category="imported")
    return bad


def _timed(fn, *args) -> tuple[float, object]:
    """Seconds ``fn(*args)`` takes with the cyclic garbage collector paused (as
    :func:`geo.imports.import_events` runs the checker), and its result."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        out = fn(*args)
        return time.perf_counter() - start, out
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    table = make_table(args.rows)
    schema = pandera_schema()
    ours, theirs, theirs_built = [], [], []
    for _ in range(args.repeats):  # alternating, so all see the same machine
        seconds, bad_ours = _timed(run_ours, table)
        ours.append(seconds)
        seconds, bad_pandera = _timed(run_pandera, table, schema)
        theirs.append(seconds)
        seconds, _ = _timed(run_pandera_then_build, table, schema)
        theirs_built.append(seconds)
    import pandera

    report = {
        "rows": args.rows, "bad_rows": len(bad_ours), "same_rows_flagged": bad_ours == bad_pandera,
        "ours_s": round(statistics.median(ours), 3), "pandera_s": round(statistics.median(theirs), 3),
        "pandera_then_build_s": round(statistics.median(theirs_built), 3),
        "pandera_version": pandera.__version__,
    }
    report["ratio_pandera_over_ours"] = round(report["pandera_s"] / report["ours_s"], 2)
    report["ratio_pandera_then_build_over_ours"] = round(report["pandera_then_build_s"] / report["ours_s"], 2)
    print(json.dumps(report, indent=2))
    out = HERE.parent / "test-artifacts" / "checker.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
