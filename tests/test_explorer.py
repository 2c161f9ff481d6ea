"""Issue 15 without a browser: the filters and the search (geo/filters.py), the row mask on
the wire, the hexagonal bins (geo/hexbins.py), the URL's new parameters, the words the
popups use, and the page's answers to the browser's new triggers (AppTest)."""

from __future__ import annotations

import datetime as dt

import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.catalog import SOURCE_KINDS
from geo.dataset import load_dataset
from geo.filters import (
    Filters,
    encode_rows,
    event_facets,
    filter_rows,
    filters_from_panel,
    filters_query,
    parse_filters,
    source_kind,
)
from geo.hexbins import COARSEST, FINEST, hex_bins
from geo.page_model import event_details, imports_outside, mask_payload, reader_notes
from geo.window import EventIndex
from layers._shapes import in_use, source_name
from tests.conftest import ROOT
from tests.page import browser_state, component_data, counts, query, run_page, send
from ui.notices import link_notice

DATA = load_dataset(ROOT / "data")
FACETS = event_facets(DATA.events, DATA.layers["countries"])


def ids(keep) -> list[str]:
    return sorted(DATA.events["id"][keep]) if keep is not None else sorted(DATA.events["id"])


# --- the filters ----------------------------------------------------------------------------------

def test_the_search_reads_summaries_places_and_actors_not_only_titles():
    assert ids(filter_rows(FACETS, Filters(q="marchers"))) == ["stepanakert-rally"]  # summary only
    assert ids(filter_rows(FACETS, Filters(q="Europa"))) == []  # notes are not searched
    assert "brussels-talks" in ids(filter_rows(FACETS, Filters(q="council of the EU")))  # the place
    assert ids(filter_rows(FACETS, Filters(q="Erdoğan Pashinyan"))) == ["erdogan-call"]  # every word
    assert ids(filter_rows(FACETS, Filters(q="MARCHERS"))) == ["stepanakert-rally"]  # any case


def test_the_search_of_a_large_import_keeps_no_copy_of_its_summaries():
    """Issue 13: the searched text was a lower-cased copy of every summary (165 MB for an ACLED
    file of 100,000 rows); the search now reads the table's own columns, ignoring case."""
    from geo.imports import import_events
    from tests.test_import_large import synthetic_acled

    data = synthetic_acled(3_000).replace(b'""heavy"" shelling.', '""Heavy"" SHELLING near Xankəndi. '.encode() + b"y" * 2000)
    events = import_events("big.csv", data).events
    summary_bytes = events["summary"].array._pa_array.nbytes
    before = pa.total_allocated_bytes()
    facets = event_facets(events)
    assert pa.total_allocated_bytes() - before < 0.05 * summary_bytes
    assert filter_rows(facets, Filters(q="heavy shelling")).sum() == 3_000  # any case, every word
    assert filter_rows(facets, Filters(q="XANKƏNDI")).sum() == 3_000  # non-ASCII, any case
    assert filter_rows(facets, Filters(q="khankendi")).sum() == 3_000  # the place
    assert filter_rows(facets, Filters(q="shelling nowhere")).sum() == 0
    assert filter_rows(facets, Filters(q="DEFENSE army")).sum() == 3_000  # an actor


def test_no_filter_keeps_every_row():
    assert filter_rows(FACETS, Filters()) is None and not Filters(q="  ").active()


def test_actor_country_fatalities_and_source_kind():
    assert ids(filter_rows(FACETS, Filters(actor="International Court"))) == ["icj-order", "icj-order-reaffirmed"]
    assert ids(filter_rows(FACETS, Filters(countries=("Belgium",)))) == ["brussels-talks"]
    russia = ids(filter_rows(FACETS, Filters(countries=("Russia",))))
    assert russia == ["eaeu-council-speech", "kremlin-trilateral", "russia-mfa-offer"]
    # Stepanakert lies in Azerbaijan's internationally recognised borders; Yerevan in Armenia
    assert "stepanakert-rally" in ids(filter_rows(FACETS, Filters(countries=("Azerbaijan",))))
    assert "pashinyan-blockade-statement" in ids(filter_rows(FACETS, Filters(countries=("Armenia",))))
    killed = ids(filter_rows(FACETS, Filters(fatalities="1")))
    assert "four-servicemen-killed" in killed
    assert "four-servicemen-killed" not in ids(filter_rows(FACETS, Filters(fatalities="none")))
    assert ids(filter_rows(FACETS, Filters(kinds=("court",)))) == sorted(
        DATA.events["id"][[any("icj-cij.org" in s["url"] for s in src) for src in DATA.events["sources"]]])


def test_every_reviewed_source_host_has_a_kind():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Reviewed source hosts", 1)[1].split("## ", 1)[0]
    hosts = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    cited = {h for h in hosts if h not in ("naturalearthdata.com", "geonames.org", "packages.debian.org",
                                           "soest.hawaii.edu")}
    assert {source_kind({"url": f"https://www.{h}/x"}) for h in cited} <= set(SOURCE_KINDS)
    assert all(source_kind({"url": f"https://sub.{h}/x"}) != "other" or h == "ecoi.net" for h in cited)
    assert source_kind({"publisher": "Local", "url": ""}) == "other"


def test_filters_from_the_url_fall_back_with_a_notice_each():
    f, notes = parse_filters({"q": "rally\x00", "actor": "x" * 500, "country": "Armenia,Atlantis", "fat": "7",
                              "kind": "court,blog"}, frozenset({"Armenia"}))
    assert f == Filters(q="rally", actor="x" * 200, countries=("Armenia",), fatalities="", kinds=("court",))
    assert len(notes) == 3 and all(len(n) < 200 for n in notes)
    assert parse_filters(filters_query(f), frozenset({"Armenia"}))[0] == f


def test_the_panels_filters_are_checked_as_the_urls_are():
    assert filters_from_panel(None) == Filters()
    assert filters_from_panel({"q": 3, "countries": "Armenia", "kinds": ["court", 7, "blog"], "fatalities": "7"}) \
        == Filters(kinds=("court",))
    assert filters_from_panel({"countries": ["Atlantis", "Armenia"]}, frozenset({"Armenia"})).countries == ("Armenia",)


# --- the mask on the wire ---------------------------------------------------------------------------

def _decode(enc: str, raw: bytes, n: int) -> np.ndarray:
    """Python's reading of encode_rows (DashCore.decodeMask is tested against the same bytes in node)."""
    if enc == "bits":
        return np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")[:n].astype(bool)
    values, v, shift = [], 0, 0
    for b in raw:
        v |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
            continue
        values.append(v)
        v, shift = 0, 0
    rows = np.cumsum(np.array(values, dtype=np.int64) + 1) - 1
    mask = np.zeros(n, bool) if enc == "rows" else np.ones(n, bool)
    mask[rows] = enc == "rows"
    return mask


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=3000), st.floats(0, 1))
def test_a_mask_round_trips_in_its_shortest_encoding(bits, density):
    keep = np.array(bits) if density < 0.5 else np.random.default_rng(len(bits)).random(len(bits)) < density
    enc, raw = encode_rows(keep)
    assert (_decode(enc, raw, len(keep)) == keep).all()
    assert len(raw) <= len(np.packbits(keep))


def test_a_100000_row_mask_is_no_bigger_than_its_bitset_and_a_sparse_one_is_small():
    rng = np.random.default_rng(1)
    half = rng.random(100_000) < 0.5
    assert len(encode_rows(half)[1]) == 12_500
    few = rng.random(100_000) < 0.01
    enc, raw = encode_rows(few)
    assert enc == "rows" and len(raw) < 1.3 * few.sum()
    most = ~few
    assert encode_rows(most)[0] == "skip"
    small = mask_payload(few)
    assert "b64" in small and "arrow" not in small
    big = mask_payload(half)
    assert "arrow" in big and big["arrow"].num_rows == 12_500


# --- hexagons -----------------------------------------------------------------------------------------

def test_each_event_gets_its_h3_cell_and_every_parent_up_to_the_coarsest():
    lat, lon = DATA.events["latitude"].to_numpy(), DATA.events["longitude"].to_numpy()
    bins = hex_bins(lat, lon)
    assert set(bins.res.tolist()) == set(range(COARSEST, FINEST + 1))
    for i in range(len(lat)):
        row = bins.code[i]
        assert bins.res[row] == FINEST
        # the cell's boundary is the cell h3 gives for the point
        cell = h3.latlng_to_cell(lat[i], lon[i], FINEST)
        ring = np.array(h3.cell_to_boundary(cell))
        assert np.allclose(ring[:, 0], bins.lat[row][: len(ring)], atol=1e-4)
        j = row
        while bins.up[j] >= 0:
            assert bins.res[bins.up[j]] == bins.res[j] - 1
            j = bins.up[j]
        assert bins.res[j] == COARSEST


def test_an_event_without_a_position_has_no_cell():
    bins = hex_bins([39.8, float("nan"), 95.0], [46.7, 46.7, 10.0])
    assert bins.code.tolist()[1:] == [-1, -1] and bins.code[0] >= 0


# --- words ----------------------------------------------------------------------------------------------

def test_popups_name_the_article_and_keep_builder_notes_out():
    rally = DATA.events.set_index("id").loc["stepanakert-rally"].to_dict()
    rally["id"] = "stepanakert-rally"
    d = event_details(rally)
    assert d["sentence"].startswith("The article reports") and "Article:" not in d["sentence"]
    assert d["article"][0].startswith("Al Mayadeen English, \u201cRussia offers to host")
    assert d["article"][1].startswith("https://english.almayadeen.net/")
    for notes in DATA.events["notes"]:
        text = reader_notes(notes)
        assert "research brief" not in text and "article_sentence" not in text and "geo_precision" not in text


def test_dates_and_sources_in_feature_popups_read_as_words():
    assert in_use("2020-11-10", "2022-08-30") == "In use from 10 November 2020 until 30 August 2022"
    assert source_name("https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/") \
        == "Natural Earth"
    assert source_name("https://www.geonames.org/146970") == "GeoNames"


def test_a_links_problems_make_one_notice():
    text = link_notice(["Ignored 'a'.", "Ignored 'b'."])
    assert text.count("\n") == 2 and text.count("•") == 2


# --- imports outside the window -------------------------------------------------------------------------

def test_imports_outside_the_window_are_counted():
    imported = DATA.events.head(3).assign(id=["i1", "i2", "i3"], origin="imported: x.csv",
                                          date_start=pd.to_datetime(["2023-07-01", "2023-08-01", "2023-09-01"]),
                                          date_end=pd.to_datetime(["2023-07-01", "2023-08-01", "2023-09-01"]))
    index = EventIndex.build(pd.concat([DATA.events, imported], ignore_index=True))
    assert imports_outside(index, (dt.date(2023, 7, 1), dt.date(2023, 7, 15))) == {"n": 3, "outside": 2}
    assert imports_outside(EventIndex.build(DATA.events), (dt.date(2023, 7, 1), dt.date(2023, 7, 15))) is None


# --- the page ------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _built_in_data(monkeypatch):
    monkeypatch.delenv("DASHBOARD_DATA", raising=False)
    monkeypatch.delenv("DASHBOARD_EVENTS", raising=False)


def test_the_panels_search_sends_a_mask_and_the_counts_follow():
    at = run_page()
    send(at, "filter", {"q": "corridor", "actor": "", "countries": [], "fatalities": "", "kinds": [], "at": 1})
    state = browser_state(at)
    keep = filter_rows(FACETS, Filters(q="corridor"))
    assert state["mask"] and state["matches"] == int(keep.sum()) and state["filters"]["q"] == "corridor"
    data = component_data(at, "dash_state")
    assert data["mask"]["id"] == state["mask"] and data["mask"]["b64"]
    assert query(at)["q"] == "corridor"
    in_protest = int(keep[DATA.events["category"].to_numpy() == "protest"].sum())
    assert counts(at)["Protest"] == str(in_protest)
    # the next run names the same mask without its bytes (the browser keeps them) ...
    at.sidebar.slider(key="window").set_value((dt.date(2021, 1, 1), dt.date(2023, 7, 15))).run()
    data = component_data(at, "dash_state")
    assert data["mask"]["id"] == state["mask"] and "b64" not in data["mask"]
    # ... until the browser says it lost them
    send(at, "mask", {"id": state["mask"], "at": 2})
    assert component_data(at, "dash_state")["mask"]["b64"]
    send(at, "filter", {"q": "", "at": 3})
    assert "mask" not in browser_state(at) and "q" not in query(at)


def test_a_window_from_the_player_and_show_all_set_the_slider():
    at = run_page(**{"from": "2023-07-01", "to": "2023-07-15"})
    send(at, "window", {"from": "2023-05-01", "to": "2023-05-31", "at": 1})
    assert at.sidebar.slider(key="window").value == (dt.date(2023, 5, 1), dt.date(2023, 5, 31))
    assert query(at)["from"] == "2023-05-01"
    send(at, "window", {"from": "2023-06-01", "to": "not a date", "at": 2})
    assert at.sidebar.slider(key="window").value == (dt.date(2023, 5, 1), dt.date(2023, 5, 31))
    send(at, "window", {"all": True, "at": 3})
    assert at.sidebar.slider(key="window").value == (dt.date(2020, 11, 10), dt.date(2023, 7, 15))


def test_the_maps_offline_basemap_button_switches_the_basemap_and_its_context_on():
    at = run_page(base="osm", layers="countries")
    send(at, "base", {"base": "none", "at": 1})
    assert at.sidebar.selectbox(key="base").value == "none"
    assert "context" in browser_state(at)["layers"] and query(at)["base"] == "none"


def test_a_selection_from_the_table_asks_the_map_to_go_there_and_a_link_to_an_event_too():
    at = run_page()
    row = int(np.flatnonzero(EventIndex.build(DATA.events).table["id"].to_numpy() == "icj-order")[0])
    send(at, "select", {"kind": "event", "row": row, "from": "table", "at": 1})
    assert browser_state(at)["open"]["pan"] == 1
    send(at, "select", {"kind": "event", "row": row, "at": 2})  # from the map: it is there already
    assert browser_state(at)["open"]["pan"] == 1
    assert browser_state(run_page(ev="icj-order"))["open"]["pan"] == 1
    assert browser_state(run_page(ev="icj-order", c="40,45", z="8"))["open"]["pan"] == 0


def test_a_link_asking_for_hexagons_tells_the_browser_and_a_filter_link_filters():
    at = run_page(agg="hex", q="marchers")
    state = browser_state(at)
    assert state["aggFromUrl"] == "hex" and state["matches"] == 1
