"""Join events to map features by the feature ids each event names."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain

import numpy as np
import pandas as pd

__all__ = ["feature_index", "events_for_feature"]


def feature_index(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Map each feature id to the row positions of the events naming it.

    The ``features`` lists are flattened once; build the index once and pass
    it to :func:`events_for_feature` when joining many features.

    Parameters
    ----------
    events : pandas.DataFrame
        An events table with a ``features`` column of lists of ids.

    Returns
    -------
    dict of str to numpy.ndarray
        Feature id -> sorted, unique integer positions (for ``.iloc``).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = feature_index(pd.DataFrame({"features": [["a", "b"], ["b"], []]}))
    >>> {k: v.tolist() for k, v in idx.items()}
    {'a': [0], 'b': [0, 1]}
    """
    if "features" not in events.columns:
        raise ValueError("events table lacks the 'features' column")
    lists = events["features"].tolist()
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    if lengths.sum() == 0:
        return {}
    positions = np.repeat(np.arange(len(lists)), lengths)
    flat = np.fromiter(chain.from_iterable(lists), dtype=object, count=int(lengths.sum()))
    codes, uniques = pd.factorize(flat)
    order = np.argsort(codes, kind="stable")
    groups = np.split(positions[order], np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1])
    return {str(fid): np.unique(group) for fid, group in zip(uniques, groups)}


def events_for_feature(
    events: pd.DataFrame,
    feature_id: str,
    part_of: str | None = None,
    index: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Events that name a feature, or the group the feature is part of.

    Parameters
    ----------
    events : pandas.DataFrame
        An events table (:data:`geo.catalog.EVENT_COLUMNS`).
    feature_id : str
        The feature's id, e.g. ``"lachin-corridor-2022"``.
    part_of : str, optional
        The feature's ``part_of`` group id, e.g. ``"lachin-corridor"``: events
        naming the group belong to each of its members.
    index : mapping, optional
        A :func:`feature_index` of ``events``, to reuse across calls.

    Returns
    -------
    pandas.DataFrame
        Matching events, each once, sorted by ``date_start`` then ``id``,
        with a fresh 0..n-1 index; empty (same columns) when none match.

    Examples
    --------
    >>> events_for_feature(events, "lachin-corridor-2022", part_of="lachin-corridor")  # doctest: +SKIP
    """
    if index is None:
        index = feature_index(events)
    wanted = [feature_id] if not part_of or part_of == feature_id else [feature_id, part_of]
    hits = [index[fid] for fid in wanted if fid in index]
    if not hits:
        return events.iloc[0:0].reset_index(drop=True)
    positions = np.unique(np.concatenate(hits))
    selected = events.iloc[positions]
    return selected.sort_values(["date_start", "id"], kind="mergesort").reset_index(drop=True)
