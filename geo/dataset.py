"""The one loader of ``data/``: layers, events and the tour, with every
problem found, so the page can show what failed and render the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.catalog import CATEGORIES, FEATURE_IDS, LAYER_FILES
from geo.load_events import load_events
from geo.load_layers import load_layers
from geo.load_tour import TourStep, load_tour
from geo.problems import DataProblem

#: Layer keys the page toggles: geographic layers, then event categories.
LAYER_KEYS: tuple[str, ...] = tuple(LAYER_FILES) + tuple(f"cat:{c}" for c in CATEGORIES)


@dataclass
class Dataset:
    """Everything the page shows, loaded and checked."""

    layers: dict[str, gpd.GeoDataFrame]
    events: pd.DataFrame
    tour: list[TourStep]
    problems: list[DataProblem] = field(default_factory=list)


def load_dataset(data_dir: str | Path) -> Dataset:
    """Load ``data_dir/layers/*.geojson``, ``events.toml`` and ``tour.toml``.

    Never raises for bad data: each failure is a :class:`DataProblem` in
    ``problems`` and the rest still loads.
    """
    data_dir = Path(data_dir)
    layer_set = load_layers(data_dir / "layers")
    known_ids = {i for ids in FEATURE_IDS.values() for i in ids}
    ev = load_events(data_dir / "events.toml", feature_ids=known_ids)
    tour = load_tour(
        data_dir / "tour.toml",
        layer_keys=LAYER_KEYS,
        feature_ids=known_ids,
        event_ids=set(ev.events["id"]) if len(ev.events) else set(),
    )
    return Dataset(
        layers=layer_set.layers,
        events=ev.events,
        tour=list(tour.steps),
        problems=[*layer_set.problems, *ev.problems, *tour.problems],
    )
