"""Count events per category, for the legend and the summary panel."""

from __future__ import annotations

import pandas as pd

from geo.catalog import CATEGORIES

__all__ = ["count_by_category"]


def count_by_category(events: pd.DataFrame) -> dict[str, int]:
    """Number of events in each category.

    Parameters
    ----------
    events : pandas.DataFrame
        An events table with a ``category`` column.

    Returns
    -------
    dict of str to int
        Every key of :data:`geo.catalog.CATEGORIES`, in that order, with 0
        where there is no event.

    Raises
    ------
    ValueError
        If the table has no ``category`` column or holds a category that is
        not a key of CATEGORIES.

    Examples
    --------
    >>> import pandas as pd
    >>> count_by_category(pd.DataFrame({"category": ["protest", "legal", "protest"]}))
    {'diplomacy': 0, 'protest': 2, 'blockade': 0, 'legal': 1, 'armed-clash': 0, 'imported': 0}
    """
    if "category" not in events.columns:
        raise ValueError("events table lacks the 'category' column")
    counts = events["category"].value_counts()
    unknown = sorted(set(counts.index) - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown categories in events table: {', '.join(map(str, unknown))}")
    return {key: int(counts.get(key, 0)) for key in CATEGORIES}
