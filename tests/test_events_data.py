"""The shipped data/events.toml: complete, sourced, linked to real features, faithful to the brief."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from geo import catalog
from geo.load_events import load_events

EVENTS_FILE = Path(__file__).resolve().parents[1] / "data" / "events.toml"
ALL_FEATURE_IDS = {fid for ids in catalog.FEATURE_IDS.values() for fid in ids}

#: id -> (date, category) for every event of the brief (11 reported + 6 context) and the
#: 1 April 2023 switch of the corridor road added after the fact-check (issue 12).
EXPECTED = {
    "brussels-talks": ("2023-07-15", "diplomacy"),
    "kremlin-trilateral": ("2023-05-25", "diplomacy"),
    "eaeu-council-speech": ("2023-05-25", "diplomacy"),
    "russia-mfa-offer": ("2023-07-15", "diplomacy"),
    "stepanakert-rally": ("2023-07-14", "protest"),
    "corridor-closed-smuggling-claim": ("2023-07-11", "blockade"),
    "pashinyan-blockade-statement": ("2023-07-13", "diplomacy"),
    "icj-order": ("2023-02-22", "legal"),
    "icj-order-reaffirmed": ("2023-07-06", "legal"),
    "erdogan-call": ("2023-06-28", "diplomacy"),
    "four-servicemen-killed": ("2023-06-28", "armed-clash"),
    "ceasefire-statement-2020": ("2020-11-10", "diplomacy"),
    "corridor-rerouted-2022": ("2022-08-30", "blockade"),
    "corridor-rerouted-2023": ("2023-04-01", "blockade"),
    "blockade-begins": ("2022-12-12", "blockade"),
    "hakari-checkpoint-set-up": ("2023-04-23", "blockade"),
    "sit-in-suspended": ("2023-04-28", "blockade"),
    "hakari-bridge-shooting": ("2023-06-15", "blockade"),
}


@pytest.fixture(scope="module")
def raw():
    """The [[events]] tables as tomllib reads them (before validation)."""
    with EVENTS_FILE.open("rb") as handle:
        return tomllib.load(handle)["events"]


@pytest.fixture(scope="module")
def events():
    """The validated events table, indexed by id."""
    result = load_events(EVENTS_FILE)
    assert result.problems == []
    return result.events.set_index("id", drop=False)


def test_loads_without_problems_and_with_contract_columns():
    result = load_events(EVENTS_FILE)
    assert [str(p) for p in result.problems] == []
    assert tuple(result.events.columns) == catalog.EVENT_COLUMNS
    assert (result.events["origin"] == "built-in").all()


def test_eighteen_events_with_the_briefs_ids_dates_and_categories(events):
    assert len(events) == 18
    assert set(events.index) == set(EXPECTED)
    for event_id, (day, category) in EXPECTED.items():
        row = events.loc[event_id]
        assert row["event_date"] == pd.Timestamp(day), event_id
        assert row["category"] == category, event_id
        assert row["time_precision"] == 1, event_id
        assert row["date_start"] == row["date_end"] == row["event_date"], event_id


def test_every_event_has_an_http_source_url(raw):
    for record in raw:
        urls = [src["url"] for src in record.get("sources", [])]
        assert urls, record["id"]
        for url in urls:
            parsed = urlparse(url)
            assert parsed.scheme in ("http", "https") and parsed.netloc, (record["id"], url)


def test_every_event_names_a_known_feature(raw):
    for record in raw:
        assert record.get("features"), record["id"]
        assert set(record["features"]) <= ALL_FEATURE_IDS, record["id"]


def test_categories_exclude_imported(events):
    assert set(events["category"]) <= set(catalog.CATEGORIES) - {"imported"}


def test_the_rally_is_on_14_july_in_stepanakert(events):
    rally = events.loc["stepanakert-rally"]
    assert rally["event_date"].date() == dt.date(2023, 7, 14)
    assert {"stepanakert", "renaissance-square", "lachin-corridor"} <= set(rally["features"])
    assert "Khankendi" in rally["location"]
    assert rally["in_article"]
    assert (rally["latitude"], rally["longitude"]) == (39.8175, 46.7508)


def test_smuggling_closure_names_the_icrc_and_both_claims(events):
    closure = events.loc["corridor-closed-smuggling-claim"]
    assert "ICRC" in closure["actor2"]
    sides = [claim["side"] for claim in closure["claims"]]
    assert len(sides) == 2
    assert any("Border Service" in side for side in sides)
    assert any("ICRC" in side for side in sides)
    assert "Armenian Red Cross" in closure["notes"]  # what the article got wrong, said openly
    assert "hakari-checkpoint" in closure["features"]
    assert closure["geo_precision"] == 2
    assert "UNCONFIRMED" in closure["unconfirmed"]


def test_brussels_event_carries_the_unconfirmed_attribution(events):
    talks = events.loc["brussels-talks"]
    assert "UNCONFIRMED" in talks["unconfirmed"]
    assert "Foreign Ministry" in talks["unconfirmed"]
    assert "brussels" in talks["features"]


def test_clash_shows_both_sides_and_region_precision(events):
    clash = events.loc["four-servicemen-killed"]
    assert len(clash["claims"]) == 2
    assert clash["geo_precision"] == 3
    assert clash["fatalities"] == 4


def test_icj_order_belongs_to_corridor_and_the_hague(events):
    assert {"lachin-corridor", "the-hague"} <= set(events.loc["icj-order"]["features"])


def test_both_names_shown_where_they_differ(events):
    text = " ".join(events["location"]) + " " + " ".join(events["title"])
    for pair in (("Stepanakert", "Khankendi"), ("Shusha", "Shushi"), ("Lachin", "Berdzor"),
                 ("Martuni", "Khojavend"), ("Martakert", "Aghdara")):
        assert all(name in text for name in pair), pair


def test_no_source_is_a_home_page_and_the_rally_cites_the_afp_article(events):
    """The fact-check (issue 12) found home pages cited instead of articles; the rally's
    Malay Mail (AFP) source was a bare date prefix."""
    rally = events.loc["stepanakert-rally"]
    assert any(src["url"].endswith("/thousands-in-breakaway-karabakh-demand-opening-of-road-to-armenia/79728")
               for src in rally["sources"])
    for event_id, row in events.iterrows():
        bare = [src["url"] for src in row["sources"] if urlparse(src["url"]).path in ("", "/")]
        assert bare == [], event_id


def test_article_events_have_a_marked_paraphrase_and_background_has_none(events):
    for event_id, row in events.iterrows():
        if row["in_article"]:
            assert row["article_sentence"].startswith("The article"), event_id
            quoted = row["article_sentence"].startswith("The article says: \"")
            assert ("paraphrase" in row["notes"]) != quoted, event_id
            if quoted:
                assert "as quoted by the fact-check" in row["notes"], event_id
        else:
            assert row["article_sentence"] == "", event_id
