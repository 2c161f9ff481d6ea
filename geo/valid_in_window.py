"""Select dated feature versions (such as the three corridor routes) for a window."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd


def valid_in_window(gdf: gpd.GeoDataFrame, start: dt.date, end: dt.date) -> gpd.GeoDataFrame:
    """Features whose validity overlaps the inclusive window ``[start, end]``.

    A feature is valid from ``valid_from`` (inclusive) until ``valid_to``
    (exclusive); a missing or empty bound is open. Features without these
    columns are always valid.

    Examples
    --------
    The corridor road through Lachin town is valid until 2022-08-30, so a
    window ending on 2022-08-29 keeps it and a window starting on 2022-08-30
    drops it.
    """
    if start > end:
        raise ValueError(f"window starts after it ends: {start} > {end}")
    if gdf.empty:
        return gdf
    keep = pd.Series(True, index=gdf.index)
    if "valid_from" in gdf.columns:
        vf = pd.to_datetime(gdf["valid_from"].replace("", None), errors="coerce")
        keep &= vf.isna() | (vf <= pd.Timestamp(end))
    if "valid_to" in gdf.columns:
        vt = pd.to_datetime(gdf["valid_to"].replace("", None), errors="coerce")
        keep &= vt.isna() | (vt > pd.Timestamp(start))
    return gdf[keep]
