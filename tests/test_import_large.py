"""A 100,000-row ACLED export imports completely (counts only; speed is measured by hand)."""

from __future__ import annotations

import pytest

from geo.import_events import import_events

HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp"
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def synthetic_acled(n: int, bad_every: int = 0) -> bytes:
    """``n`` ACLED rows with both date styles, all precision codes and quoted notes.

    With ``bad_every`` > 0, every ``bad_every``-th row has an impossible latitude.
    """
    lines = [HEADER]
    for i in range(n):
        day, month, year = i % 28 + 1, i % 12, 2018 + i % 7
        when = f"{year}-{month + 1:02d}-{day:02d}" if i % 2 else f"{day} {MONTHS[month]} {year}"
        lat = 99.0 if bad_every and i % bad_every == 0 else 38.0 + (i % 4000) / 1000
        lines.append(
            f"SYN{i},{when},{year},{i % 3 + 1},Political violence,Battles,Armed clash,"
            f"Military Forces of Azerbaijan (2003-),,State forces,Nagorno-Karabakh Defense Army,,"
            f"Rebel group,State forces-Rebel group,,31,Caucasus and Central Asia,Azerbaijan,Khankendi,,,"
            f"Khankendi,{lat},{43.0 + (i % 8000) / 1000},{i % 3 + 1},Reuters; APA,International,"
            f"\"On this day, fighting was reported around the town, \"\"heavy\"\" shelling.\",{i % 20},,"
            f"1695200000"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.slow
def test_100k_acled_rows_import():
    progress: list[float] = []
    result = import_events("big.csv", synthetic_acled(100_000), progress=progress.append)
    assert result.fatal is None
    assert len(result.events) == 100_000
    assert result.events["id"].is_unique
    assert set(result.events["time_precision"]) == {1, 2, 3}
    assert result.events["notes"].iat[0] == 'On this day, fighting was reported around the town, "heavy" shelling.'
    assert progress[-1] == 1.0 and len(progress) > 5


@pytest.mark.slow
def test_100k_rows_with_one_bad_row_in_a_hundred():
    result = import_events("big.csv", synthetic_acled(100_000, bad_every=100))
    assert len(result.events) == 99_000
    assert len(result.rejected) == len(result.problems) == 1_000
    assert result.problems[1].row == 102  # SYN100 is on line 102 (header is line 1)
