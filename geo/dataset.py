"""The one loader of ``data/``: layers, events and the tour, with every
problem found, so the page can show what failed and render the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.catalog import CATEGORIES, FEATURE_IDS, LAYER_FILES
from geo.load_events import load_events
from geo.load_layers import load_layers
from geo.load_tour import TourResult, TourStep, load_tour
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
    #: More tours, from ``data/tours/NAME.toml``: name -> the checked tour (its ``title``
    #: and good ``steps``; its problems are in :attr:`problems`). The URL names one with ``?tour=NAME``.
    tours: dict[str, TourResult] = field(default_factory=dict)


#: A tour file's name (without ``.toml``): what ``?tour=`` holds.
TOUR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)

#: At most this many tours are read from ``data/tours/`` (the picker lists them).
MAX_TOURS = 50


def load_tours(folder: Path, **ids) -> tuple[dict[str, TourResult], list[DataProblem]]:
    """Every ``*.toml`` of ``folder`` (sorted by name) checked by :func:`load_tour`; ``ids`` are
    its ``layer_keys``, ``feature_ids`` and ``event_ids``. A file whose name is not a tour name
    (lower-case letters, digits, ``-`` and ``_``), or one without a good step, is reported and
    left out. No folder: no tours."""
    if not folder.is_dir():
        return {}, []
    tours: dict[str, TourResult] = {}
    problems: list[DataProblem] = []
    for path in sorted(folder.glob("*.toml"))[:MAX_TOURS]:
        label = f"tours/{path.name}"
        if not TOUR_NAME.fullmatch(path.stem):
            problems.append(DataProblem(label, "a tour file's name must be 1-40 lower-case letters, digits, "
                                               "'-' or '_' (it goes in the page's address); tour left out"))
            continue
        result = load_tour(path, **ids)
        problems.extend(replace(p, file=label) for p in result.problems)
        if result.steps:
            tours[path.stem] = result
        elif not result.problems:
            problems.append(DataProblem(label, "the tour has no steps; tour left out"))
    return tours, problems


def load_dataset(data_dir: str | Path) -> Dataset:
    """Load ``data_dir/layers/*.geojson``, ``events.toml`` and ``tour.toml``.

    Never raises for bad data: each failure is a :class:`DataProblem` in
    ``problems`` and the rest still loads.
    """
    data_dir = Path(data_dir)
    layer_set = load_layers(data_dir / "layers")
    known_ids = {i for ids in FEATURE_IDS.values() for i in ids}
    ev = load_events(data_dir / "events.toml", feature_ids=known_ids)
    ids = dict(layer_keys=LAYER_KEYS, feature_ids=known_ids,
               event_ids=set(ev.events["id"]) if len(ev.events) else set())
    tour = load_tour(data_dir / "tour.toml", **ids)
    tours, tour_problems = load_tours(data_dir / "tours", **ids)
    return Dataset(
        layers=layer_set.layers,
        events=ev.events,
        tour=list(tour.steps),
        problems=[*layer_set.problems, *ev.problems, *tour.problems, *tour_problems],
        tours=tours,
    )
