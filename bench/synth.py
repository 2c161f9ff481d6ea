"""Synthetic ACLED-style events, spread over the region like real ones.

Events cluster around towns of Armenia, Azerbaijan and Nagorno-Karabakh
(lon 44–50.5, lat 38.4–41.9) and fall between 10 Nov 2020 and 15 Jul 2023,
with a fixed seed, so every run of the benchmark sees the same file. The CSV is
loaded through :func:`geo.imports.import_events`, the same path as a
user's upload.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from geo.imports import import_events

SPAN = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))
LON, LAT = (44.0, 50.5), (38.4, 41.9)
#: (name, admin1, country, lat, lon, weight)
TOWNS = [
    ("Stepanakert", "Khankendi", "Azerbaijan", 39.815, 46.752, 8),
    ("Shusha", "Shusha", "Azerbaijan", 39.760, 46.750, 5),
    ("Lachin", "Lachin", "Azerbaijan", 39.640, 46.547, 5),
    ("Martakert", "Aghdara", "Azerbaijan", 40.213, 46.810, 3),
    ("Hadrut", "Khojavend", "Azerbaijan", 39.520, 47.030, 2),
    ("Agdam", "Agdam", "Azerbaijan", 39.990, 46.930, 3),
    ("Fuzuli", "Fuzuli", "Azerbaijan", 39.600, 47.145, 2),
    ("Kalbajar", "Kalbajar", "Azerbaijan", 40.105, 46.038, 2),
    ("Tartar", "Tartar", "Azerbaijan", 40.342, 46.930, 3),
    ("Barda", "Barda", "Azerbaijan", 40.375, 47.126, 1),
    ("Ganja", "Ganja", "Azerbaijan", 40.683, 46.360, 2),
    ("Baku", "Baku", "Azerbaijan", 40.409, 49.867, 4),
    ("Sumqayit", "Sumqayit", "Azerbaijan", 40.590, 49.669, 1),
    ("Lankaran", "Lankaran", "Azerbaijan", 38.754, 48.851, 1),
    ("Yerevan", "Yerevan", "Armenia", 40.182, 44.515, 6),
    ("Vanadzor", "Lori", "Armenia", 40.813, 44.488, 1),
    ("Goris", "Syunik", "Armenia", 39.511, 46.341, 4),
    ("Kapan", "Syunik", "Armenia", 39.207, 46.405, 2),
    ("Jermuk", "Vayots Dzor", "Armenia", 39.842, 45.670, 2),
    ("Sotk", "Gegharkunik", "Armenia", 40.205, 45.925, 2),
    ("Vardenis", "Gegharkunik", "Armenia", 40.181, 45.720, 1),
    ("Ijevan", "Tavush", "Armenia", 40.879, 45.149, 1),
    ("Berd", "Tavush", "Armenia", 40.881, 45.391, 2),
    ("Nakhchivan", "Nakhchivan", "Azerbaijan", 39.209, 45.412, 1),
]
EVENT_TYPES = [
    ("Political violence", "Battles", "Armed clash", 0.35),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", 0.25),
    ("Demonstrations", "Protests", "Peaceful protest", 0.2),
    ("Strategic developments", "Strategic developments", "Disrupted weapons use", 0.1),
    ("Political violence", "Violence against civilians", "Attack", 0.1),
]
ACTORS = ["Military Forces of Azerbaijan (2003-)", "Military Forces of Armenia (2018-)",
          "Nagorno-Karabakh Defense Army", "Protesters (Armenia)", "Civilians (Armenia)",
          "Police Forces of Azerbaijan (2003-)", "Russian peacekeepers"]
SOURCES = ["Armenpress", "APA", "Reuters", "Ministry of Defence of Azerbaijan", "News.am; Azatutyun",
           "Trend News Agency", "CivilNet"]
PHRASES = ["fighting was reported", "shelling hit positions", "a crowd gathered", "an exchange of fire occurred",
           "a drone strike was reported", "residents protested the closure of the road",
           "both sides accused each other of violations", "a soldier was wounded"]
HEADER = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
          "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
          "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
          "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
          "fatalities", "tags", "timestamp")


def synthetic_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` synthetic events in ACLED's export columns (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    w = np.array([t[5] for t in TOWNS], dtype=float)
    town = rng.choice(len(TOWNS), size=n, p=w / w.sum())
    lat = np.array([t[3] for t in TOWNS])[town] + rng.normal(0, 0.08, n)
    lon = np.array([t[4] for t in TOWNS])[town] + rng.normal(0, 0.1, n)
    lat, lon = np.clip(lat, *LAT).round(4), np.clip(lon, *LON).round(4)
    # Dates: a uniform background plus bursts (the 2020 ceasefire, Sept 2022, the 2023 blockade).
    days = (SPAN[1] - SPAN[0]).days
    burst = np.array([0, 670, 760, 970])
    base = rng.integers(0, days + 1, n)
    bursty = np.clip(burst[rng.integers(0, len(burst), n)] + rng.normal(0, 20, n).astype(int), 0, days)
    offset = np.where(rng.random(n) < 0.4, bursty, base)
    dates = pd.Timestamp(SPAN[0]) + pd.to_timedelta(offset, unit="D")
    et = rng.choice(len(EVENT_TYPES), size=n, p=[e[3] for e in EVENT_TYPES])
    a1, a2 = rng.integers(0, len(ACTORS), n), rng.integers(0, len(ACTORS), n)
    country = np.array([t[2] for t in TOWNS])[town]
    notes = [f"On {d:%d %B %Y}, near {TOWNS[t][0]}, {PHRASES[p]}."
             for d, t, p in zip(dates, town, rng.integers(0, len(PHRASES), n))]
    return pd.DataFrame({
        "event_id_cnty": [f"SYN{i}" for i in range(n)],
        "event_date": dates.strftime("%d %B %Y"),
        "year": dates.year,
        "time_precision": rng.choice([1, 2, 3], size=n, p=[0.8, 0.15, 0.05]),
        "disorder_type": [EVENT_TYPES[i][0] for i in et],
        "event_type": [EVENT_TYPES[i][1] for i in et],
        "sub_event_type": [EVENT_TYPES[i][2] for i in et],
        "actor1": np.array(ACTORS)[a1], "assoc_actor_1": "", "inter1": "State forces",
        "actor2": np.array(ACTORS)[a2], "assoc_actor_2": "", "inter2": "State forces",
        "interaction": "State forces-State forces", "civilian_targeting": "",
        "iso": np.where(country == "Armenia", 51, 31), "region": "Caucasus and Central Asia",
        "country": country, "admin1": np.array([t[1] for t in TOWNS])[town], "admin2": "", "admin3": "",
        "location": np.array([t[0] for t in TOWNS])[town], "latitude": lat, "longitude": lon,
        "geo_precision": rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1]),
        "source": np.array(SOURCES)[rng.integers(0, len(SOURCES), n)], "source_scale": "National",
        "notes": notes, "fatalities": rng.poisson(0.4, n), "tags": "", "timestamp": 1695200000,
    }, columns=list(HEADER))


def write_csv(n: int, path: str | Path, seed: int = 7) -> Path:
    """Write ``n`` synthetic events as an ACLED CSV at ``path`` (skipped if already there)."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        synthetic_frame(n, seed).to_csv(tmp, index=False)
        tmp.replace(path)
    return path


def load_csv(path: str | Path) -> pd.DataFrame:
    """Events of an ACLED CSV through the user's import path (raises if the file is refused)."""
    path = Path(path)
    result = import_events(path.name, path.read_bytes())
    if result.fatal is not None:
        raise RuntimeError(str(result.fatal))
    return result.events
