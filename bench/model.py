"""What a page should show, computed from the same data with the project's own functions,
so that the benchmark and the load tests can check each answer (not only time it).

:class:`Shown` answers "which events does a page show for this window and these
toggles" for any table of events; :class:`DashboardModel` is the dashboard's
(built-in events plus any ``--events`` file, in the order of the browser's
store, with its slider span and its tour).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from geo.dataset import LAYER_KEYS, load_dataset
from geo.dates import span_of
from geo.window import EventIndex

EPOCH = dt.date(1970, 1, 1)


def _days(values: pd.Series) -> np.ndarray:
    return (values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            - np.datetime64("1970-01-01", "D")).astype(np.int64)


class Shown:
    """Events as a page filters them: by the overlap of their possible dates with the
    window (both ends inclusive, as :func:`geo.window.filter_window`) and by a key per
    event (the dashboard's ``cat:<category>`` layer, or a peer page's event type)."""

    def __init__(self, table: pd.DataFrame, keys):
        self.start = _days(table["date_start"])
        self.end = _days(table["date_end"])
        self.keys = np.asarray(keys, dtype=str)

    def __len__(self) -> int:
        return len(self.keys)

    def mask(self, window: tuple[dt.date, dt.date], on) -> np.ndarray:
        first, last = ((d - EPOCH).days for d in window)
        return (self.start <= last) & (self.end >= first) & np.isin(self.keys, list(on))

    def rows(self, window, on) -> np.ndarray:
        """Positions of the events shown (in the table's order)."""
        return np.flatnonzero(self.mask(window, on))

    def count(self, window, on) -> int:
        return int(self.mask(window, on).sum())

    def signature(self, window, on) -> str:
        """A digest of the events shown: two states showing the same events have the same one."""
        return hashlib.sha1(self.rows(window, on).tobytes()).hexdigest()

    def slider_targets(self, span: tuple[dt.date, dt.date], repeats: int, step: float = 0.06) -> list[dt.date]:
        """Start days for ``repeats`` moves of the slider's start thumb, each dropping about
        ``step`` of the events more than the one before (at least one more), halfway between
        two events' last days so that a thumb a few days off still drops the same ones."""
        ends = np.sort(self.end[(self.end >= (span[0] - EPOCH).days)])
        out, j = [], 0
        for k in range(1, repeats + 1):
            j = max(int(round(len(ends) * step * k)), j + 1)
            while j < len(ends) and ends[j] == ends[j - 1]:
                j += 1
            if j >= len(ends):
                break
            lo, hi = int(ends[j - 1]), int(ends[j])
            out.append(EPOCH + dt.timedelta(days=lo + max(1, (hi - lo) // 2)))
        return out


class DashboardModel:
    """What the dashboard shows: its events (built-in, then the ``extra`` tables it
    imported, sorted as the page's store), its slider span and its tour."""

    def __init__(self, data_dir: Path, extra: list[pd.DataFrame] = ()):
        data = load_dataset(data_dir)
        frames = [data.events, *[f for f in extra if len(f)]]
        self.index = EventIndex.build(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
        self.events = self.index.table
        self.tour = data.tour
        self.span = span_of(self.events)
        self.shown = Shown(self.events, "cat:" + self.events["category"].astype(str))
        self.all_ids = sorted(self.events["id"].astype(str))

    def rows(self, layers, window) -> np.ndarray:
        """Rows of the store (= of the events table) the map shows."""
        return self.shown.rows(window, {k for k in layers if k.startswith("cat:")})

    def count(self, layers, window) -> int:
        return len(self.rows(layers, window))

    def expected(self, layers, window) -> list[str]:
        """Ids of the events the map shows, sorted."""
        return sorted(self.events["id"].to_numpy()[self.rows(layers, window)].astype(str))

    def step_state(self, number: int) -> tuple[set[str], tuple[dt.date, dt.date]]:
        """Layers and window of tour step ``number`` (the window clamped to the span, as the page does)."""
        step = self.tour[number - 1]
        lo, hi = self.span
        return {k for k in step.layers if k in LAYER_KEYS}, tuple(min(max(d, lo), hi) for d in step.window)
