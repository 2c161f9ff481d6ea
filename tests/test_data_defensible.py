"""Checks that keep the data defensible in front of an audience (issue 12).

* every source URL is the page itself (never a site's home page) on a host of the
  reviewed list in ``data/README.md``;
* every claim names the side that makes it;
* a place name with an Armenian or Azerbaijani form in ``geo.catalog.PLACE_NAMES``
  is never shown in one form only;
* the corridor has three dated versions whose validity intervals touch, and the
  date slider picks exactly one version on any day and both across a change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from geo import catalog
from geo.load_layers import load_layers
from geo.valid_in_window import valid_in_window
from layers._shapes import layer_payload
from tools.build_spec import DEFAULT_SPEC

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
EVENTS = tomllib.loads((DATA / "events.toml").read_text(encoding="utf-8"))["events"]
TOUR = tomllib.loads((DATA / "tour.toml").read_text(encoding="utf-8"))["steps"]
FEATURES = [feat for name in catalog.LAYER_FILES.values()
            for feat in json.loads((DATA / "layers" / name).read_text(encoding="utf-8"))["features"]]
URL_IN_TEXT = re.compile(r"https?://[^\s)\"']+")


# --- sources -----------------------------------------------------------------------------------


def reviewed_hosts(readme: str) -> set[str]:
    """The host column of the table under the "Reviewed source hosts" heading of data/README.md."""
    match = re.search(r"^#+ Reviewed source hosts\s*$(.*?)(?=^#+ |\Z)", readme, re.M | re.S)
    assert match, "data/README.md has no 'Reviewed source hosts' section"
    return set(re.findall(r"^\|\s*`([^`]+)`\s*\|", match.group(1), re.M))


HOSTS = reviewed_hosts((DATA / "README.md").read_text(encoding="utf-8"))


def source_problems(source: dict, hosts: set[str]) -> list[str]:
    """What is wrong with one cited source ``{publisher, url[, title]}``.

    A source without a URL is accepted when it names its publisher and title (the
    page is then "not recorded"); a URL must be http(s), not a site's home page,
    and on a reviewed host (the host itself or a subdomain of a listed domain).
    """
    url = (source.get("url") or "").strip()
    if not url:
        if source.get("publisher") and source.get("title"):
            return []
        return ["no URL, and no publisher and title to find it by"]
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return [f"{url}: not an http(s) URL"]
    problems = []
    if parsed.path in ("", "/") and not parsed.query:
        problems.append(f"{url}: a site's home page, not the article")
    host = parsed.hostname.removeprefix("www.")
    if not any(host == ok or host.endswith("." + ok) for ok in hosts):
        problems.append(f"{url}: host {host} is not in the reviewed list of data/README.md")
    return problems


@pytest.mark.parametrize("source, expected", [
    ({"publisher": "Trend", "url": "https://en.trend.az/azerbaijan/politics/3741406.html"}, []),
    ({"publisher": "Reuters", "url": "https://reuters.com/"}, ["a site's home page", "not in the reviewed list"]),
    ({"publisher": "ICRC", "url": "https://www.icrc.org"}, ["a site's home page"]),
    ({"publisher": "Blog", "url": "https://hyetert.org/2023/06/28/breaking/"}, ["host hyetert.org is not in"]),
    ({"publisher": "Azatutyun", "title": "article 32460740 (URL not recorded)"}, []),
    ({"publisher": "Azatutyun", "url": ""}, ["no URL"]),
    ({"publisher": "x", "url": "javascript:alert(1)"}, ["not an http(s) URL"]),
    ({"publisher": "MFA", "url": "https://belgrade.mfa.gov.az/en/news/1"}, []),
    ({"publisher": "fake", "url": "https://notmfa.gov.az.example.com/en/news/1"}, ["not in the reviewed list"]),
])
def test_the_source_check_accepts_articles_and_refuses_home_pages_and_unknown_hosts(source, expected):
    problems = source_problems(source, {"trend.az", "mfa.gov.az", "icrc.org"})
    assert len(problems) == len(expected)
    for problem, words in zip(problems, expected):
        assert words in problem


def test_the_reviewed_list_is_short_and_each_host_is_used():
    used = {urlparse(u).hostname.removeprefix("www.") for u in all_source_urls()}
    assert 10 <= len(HOSTS) <= 40
    assert {h for h in HOSTS if not any(u == h or u.endswith("." + h) for u in used)} == set()


def all_source_urls() -> list[str]:
    urls = [src["url"] for ev in EVENTS for src in ev["sources"] if src.get("url")]
    for step in TOUR:
        urls += step.get("sources", []) + URL_IN_TEXT.findall(step.get("notes", ""))
    urls += [u for feat in FEATURES for u in feat["properties"].get("sources", [])]
    return urls


def test_every_event_source_is_an_article_on_a_reviewed_host():
    bad = {ev["id"]: p for ev in EVENTS for src in ev["sources"] if (p := source_problems(src, HOSTS))}
    assert bad == {}


def test_every_tour_source_is_an_article_on_a_reviewed_host():
    bad = {}
    for n, step in enumerate(TOUR, 1):
        for url in step.get("sources", []) + URL_IN_TEXT.findall(step.get("notes", "")):
            if problems := source_problems({"publisher": "tour", "url": url}, HOSTS):
                bad.setdefault(n, []).extend(problems)
    assert bad == {}


def test_every_feature_source_is_a_page_on_a_reviewed_host():
    bad = {feat["properties"]["id"]: p for feat in FEATURES for url in feat["properties"].get("sources", [])
           if (p := source_problems({"publisher": "layer", "url": url}, HOSTS))}
    assert bad == {}


def test_step_9_cites_no_blog_and_names_what_it_links():
    """The fact-check found step 9 naming Armenpress while linking a blog repost."""
    step = TOUR[8]
    assert not any("hyetert" in url for url in step["sources"])
    assert any("almayadeen.net/news/politics/four-armenian-servicemen" in url for url in step["sources"])
    assert "Al Mayadeen English" in step["narrative"]


# --- claims ------------------------------------------------------------------------------------

#: A claim's side must name one of these parties.
PARTIES = ("Armenia", "Azerbaijan", "Nagorno-Karabakh", "ICRC", "Russia", "International Court of Justice")


def claim_problems(claims: list[dict]) -> list[str]:
    """What is wrong with an event's claims: a side that names no party, a claim
    without its source, or a single side (a contested point needs each side)."""
    problems = [f"side {c.get('side')!r} names no party" for c in claims
                if not any(p in (c.get("side") or "") for p in PARTIES)]
    problems += [f"claim of {c.get('side')!r} has no source" for c in claims if not (c.get("source") or "").strip()]
    problems += [f"claim of {c.get('side')!r} is empty" for c in claims if not (c.get("claim") or "").strip()]
    if claims and len({c.get("side") for c in claims}) < 2:
        problems.append("only one side's claim")
    return problems


@pytest.mark.parametrize("claims, expected", [
    ([{"side": "Azerbaijan (SBS)", "claim": "a", "source": "Trend"},
      {"side": "ICRC", "claim": "b", "source": "ICRC"}], 0),
    ([{"side": "Sources", "claim": "a", "source": "x"}, {"side": "ICRC", "claim": "b", "source": "y"}], 1),
    ([{"side": "Armenia", "claim": "a", "source": ""}, {"side": "Azerbaijan", "claim": "b", "source": "y"}], 1),
    ([{"side": "Armenia", "claim": "a", "source": "x"}], 1),
    ([], 0),
])
def test_the_claim_check(claims, expected):
    assert len(claim_problems(claims)) == expected


def test_every_claim_names_its_side_and_source():
    bad = {ev["id"]: p for ev in EVENTS if (p := claim_problems(ev.get("claims", [])))}
    assert bad == {}


@pytest.mark.parametrize("event_id, sides", [
    ("icj-order-reaffirmed", ("Armenia", "Azerbaijan")),
    ("hakari-bridge-shooting", ("Azerbaijan", "Armenia", "Nagorno-Karabakh")),
    ("hakari-checkpoint-set-up", ("Azerbaijan", "Armenia")),
    ("blockade-begins", ("Armenia", "Azerbaijan")),
    ("ceasefire-statement-2020", ("Azerbaijan", "Armenia")),
    ("corridor-closed-smuggling-claim", ("Azerbaijan", "ICRC")),
    ("four-servicemen-killed", ("Nagorno-Karabakh", "Azerbaijan")),
])
def test_one_sided_items_now_give_each_side(event_id, sides):
    event = next(ev for ev in EVENTS if ev["id"] == event_id)
    for side in sides:
        assert any(side in claim["side"] for claim in event["claims"]), (event_id, side)


# --- place names in both forms -----------------------------------------------------------------


def _forms(entry) -> tuple[str, ...]:
    return entry or ()


def one_sided_names(text: str) -> list[str]:
    """Place names of ``geo.catalog.PLACE_NAMES`` shown in ``text`` in one form only.

    A form found inside a longer catalogued name (``Lachin`` in ``Lachin border
    checkpoint``) or inside a shared name (``Lachin corridor``) does not count. Where the
    other form is unknown (``None``), the text must say UNCONFIRMED instead.
    """
    problems = []
    for armenian, azerbaijani in catalog.PLACE_NAMES:
        own = set(_forms(armenian)) | set(_forms(azerbaijani))
        longer = [name for name in catalog.SHARED_NAMES]
        longer += [form for pair in catalog.PLACE_NAMES for form in _forms(pair[0]) + _forms(pair[1])
                   if form not in own and any(f in form for f in own)]
        masked = text
        for name in sorted(longer, key=len, reverse=True):
            masked = masked.replace(name, " ")

        def shown(forms, masked=masked):
            return any(re.search(r"(?<!\w)" + re.escape(f) + r"(?!\w)", masked) for f in _forms(forms))

        has_am, has_az = shown(armenian), shown(azerbaijani)
        if has_am == has_az:
            continue
        missing = azerbaijani if has_am else armenian
        if missing is None:
            if "UNCONFIRMED" not in text:
                problems.append(f"{(armenian or azerbaijani)[0]} without its other name or UNCONFIRMED")
        else:
            problems.append(f"{(armenian if has_am else azerbaijani)[0]} without {missing[0]}")
    return problems


@pytest.mark.parametrize("text, expected", [
    ("Rally in Stepanakert (Khankendi)", []),
    ("Rally in Stepanakert", ["Stepanakert without Khankendi"]),
    ("near Shusha", ["Shusha without Shushi"]),
    ("the Lachin corridor and the Lachin District", []),
    ("Lachin town", ["Lachin without Berdzor"]),
    ("at the Lachin border checkpoint", ["Lachin border checkpoint without Hakari bridge checkpoint"]),
    ("the Hakari bridge checkpoint (Lachin border checkpoint)", []),
    ("via Kanach Tala", ["Kanach Tala without its other name or UNCONFIRMED"]),
    ("via Kanach Tala (Azerbaijani name UNCONFIRMED)", []),
    ("Martuni and Martakert directions", ["Martuni without Khojavend", "Martakert without Aghdara"]),
    ("Martuni (Khojavend) and Martakert (Aghdara) directions", []),
    ("headquarters in Ivanyan", ["Ivanyan without Khojaly"]),
    ("Stepanakertsi", []),
])
def test_the_name_check(text, expected):
    assert one_sided_names(text) == expected


def _texts():
    """(where, text) for every text the audience sees: events, tour, features."""
    for ev in EVENTS:
        for field in ("title", "summary", "location"):
            yield f"event {ev['id']} {field}", ev.get(field, "")
        for claim in ev.get("claims", []):
            yield f"event {ev['id']} claim of {claim['side']}", claim["claim"]
    for n, step in enumerate(TOUR, 1):
        for field in ("title", "narrative", "notes"):
            yield f"tour step {n} {field}", " ".join(step.get(field, "").split())
    for feat in FEATURES:
        props = feat["properties"]
        yield f"feature {props['id']} name", f"{props['name']} ({props.get('name_alt', '')})"
        for field in ("description", "facts", "approx_note", "waypoints"):
            if props.get(field):
                yield f"feature {props['id']} {field}", props[field]


def test_every_place_name_is_shown_in_both_forms():
    bad = {where: found for where, text in _texts() if (found := one_sided_names(text))}
    assert bad == {}


def test_the_names_the_fact_check_listed_are_in_the_catalogue():
    forms = {form for pair in catalog.PLACE_NAMES for side in pair for form in _forms(side)}
    for name in ("Martuni", "Khojavend", "Martakert", "Aghdara", "Kanach Tala", "Mets Shen", "Hin Shen",
                 "Lachin border checkpoint"):
        assert name in forms, name
    checkpoint = next(f["properties"] for f in FEATURES if f["properties"]["id"] == "hakari-checkpoint")
    assert "Lachin border checkpoint" in checkpoint["name_alt"]


# --- the corridor's three versions -------------------------------------------------------------


@pytest.fixture(scope="module")
def corridor():
    result = load_layers(DATA)
    assert result.problems == []
    return result.layers["lachin_corridor"]


def _dated(frame, kind):
    return frame[frame["kind"] == kind].sort_values("valid_from")


@pytest.mark.parametrize("kind, prefix", [("road", "lachin-road-"), ("corridor", "lachin-corridor-")])
def test_three_versions_with_touching_intervals(corridor, kind, prefix):
    versions = _dated(corridor, kind)
    assert list(versions["id"]) == [prefix + key for key, _, _ in catalog.CORRIDOR_VERSIONS]
    starts = list(versions["valid_from"])
    ends = [v if isinstance(v, str) and v else None for v in versions["valid_to"]]
    assert list(zip(starts, ends)) == [(a, b) for _, a, b in catalog.CORRIDOR_VERSIONS]
    assert starts[0] == "2020-11-10" and ends[-1] is None
    assert ends[:-1] == starts[1:]  # each version ends (exclusive) the day the next starts: no gap, no overlap
    assert starts[1:] == list(catalog.CORRIDOR_SWITCH_DATES) == ["2022-08-30", "2023-04-01"]


def test_the_slider_picks_exactly_one_version_on_every_day(corridor):
    day = dt.date(2020, 11, 10)
    while day <= dt.date(2023, 12, 31):
        chosen = valid_in_window(corridor, day, day)
        for kind in ("road", "corridor"):
            assert (chosen["kind"] == kind).sum() == 1, (day, kind)
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("start, end, keys", [
    ("2022-08-29", "2022-08-29", ["2020"]),
    ("2022-08-30", "2022-08-30", ["2022"]),
    ("2022-08-29", "2022-08-30", ["2020", "2022"]),
    ("2023-03-31", "2023-03-31", ["2022"]),
    ("2023-04-01", "2023-04-01", ["2023"]),
    ("2023-03-31", "2023-04-01", ["2022", "2023"]),
    ("2022-08-26", "2023-04-28", ["2020", "2022", "2023"]),
])
def test_a_window_spanning_a_change_picks_both_versions(corridor, start, end, keys):
    window = (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    chosen = valid_in_window(corridor, *window)
    assert sorted(chosen.loc[chosen["kind"] == "road", "id"]) == [f"lachin-road-{k}" for k in keys]
    assert sorted(chosen.loc[chosen["kind"] == "corridor", "id"]) == [f"lachin-corridor-{k}" for k in keys]
    # The layer hands the browser every version with these validity dates; the browser
    # picks by the same rule (tests/js checks DashCore.validInWindow against valid_in_window).
    payload = layer_payload(corridor, lambda props: {})
    dates = {f["id"]: (f.get("vf", ""), f.get("vt", "")) for f in payload["f"]}
    for key, _, _ in catalog.CORRIDOR_VERSIONS:
        row = corridor.set_index("id").loc[f"lachin-road-{key}"]
        expected = tuple("" if pd.isna(row[c]) else row[c] for c in ("valid_from", "valid_to"))
        assert dates[f"lachin-road-{key}"] == expected, key


def test_only_the_2023_road_enters_armenia_at_kornidzor(corridor):
    roads = corridor.set_index("id").geometry
    kornidzor = Point(46.53046, 39.54763)
    assert roads["lachin-road-2023"].distance(kornidzor) < 1e-6
    for key in ("2020", "2022"):
        assert roads[f"lachin-road-{key}"].distance(kornidzor) > 0.01, key  # ~1 km


# --- the events the fact-check corrected -------------------------------------------------------


def _event(event_id):
    return next(ev for ev in EVENTS if ev["id"] == event_id)


def test_the_clash_is_drawn_between_martuni_and_martakert_not_on_the_rally():
    clash, rally = _event("four-servicemen-killed"), _event("stepanakert-rally")
    nk = next(shapely.geometry.shape(f["geometry"]) for f in FEATURES if f["properties"]["id"] == "nagorno-karabakh")
    point = Point(clash["longitude"], clash["latitude"])
    assert clash["geo_precision"] in (2, 3)
    assert nk.contains(point)
    assert point.distance(Point(rally["longitude"], rally["latitude"])) > 0.1  # > ~9 km
    assert "Martuni (Khojavend)" in clash["location"] and "Martakert (Aghdara)" in clash["location"]


def test_the_april_2023_switch_is_an_event_on_both_roads():
    event = _event("corridor-rerouted-2023")
    assert str(event["event_date"]) == "2023-04-01"
    assert {"lachin-road-2022", "lachin-road-2023"} <= set(event["features"])


def test_the_2022_reroute_no_longer_claims_the_hakari_bridge():
    event = _event("corridor-rerouted-2022")
    assert "Hakari" not in event["summary"] and "old" in event["summary"]
    assert "lachin-road-2023" not in event["features"]


def test_the_icj_order_is_reported_by_the_article():
    order = _event("icj-order")
    assert order["in_article"] is True
    assert "Back in February, the top UN court ordered Azerbaijan" in order["article_sentence"]


def test_the_article_and_afp_wording_are_kept_apart():
    notes = _event("corridor-closed-smuggling-claim")["notes"]
    assert '"Armenian Red Cross"' in notes and '"the Armenian branch of the Red Cross"' in notes
    icrc = next(c for c in _event("corridor-closed-smuggling-claim")["claims"] if c["side"] == "ICRC")
    assert "No unauthorized material has been found in any vehicle belonging to the ICRC." in icrc["claim"]


def test_no_event_says_the_blockade_began_in_its_own_voice():
    for ev in EVENTS:
        for field in ("title", "summary"):
            assert "blockade began" not in ev[field].lower() and "blockade begins" not in ev[field].lower(), ev["id"]


def test_the_category_label_is_neutral_and_its_key_is_kept():
    assert catalog.CATEGORIES["blockade"] == "Access and checkpoints"


def test_interfax_is_cited_only_where_it_supports_the_text():
    """Interfax 92778 (20 July) says the meeting took place and gave no result; nothing on
    territorial integrity or Aghdam."""
    citing = sorted(f["properties"]["id"] for f in FEATURES if any("92778" in u for u in f["properties"]["sources"]))
    assert citing == ["brussels"]
    talks = _event("brussels-talks")
    assert "Interfax" in talks["summary"] and "no specific results" in talks["summary"]


def test_the_corrections_section_lists_the_changed_items():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Corrections\s*$(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert section, "data/README.md has no Corrections section"
    for item in ("corridor-rerouted-2022", "corridor-rerouted-2023", "icj-order", "ceasefire-statement-2020",
                 "brussels-talks", "four-servicemen-killed", "icj-order-reaffirmed", "hakari-bridge-shooting",
                 "blockade-begins", "sit-in-suspended", "Access and checkpoints", "step 9", "step 11"):
        assert item.lower() in section.group(1).lower(), item


def test_the_build_text_file_cites_no_home_page():
    spec = tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    urls = [u for f in spec["features"] for u in f["sources"]]
    urls += [u for v in spec["corridor"]["versions"] for u in v["sources"]]
    assert [u for u in urls if source_problems({"publisher": "spec", "url": u}, HOSTS)] == []


def test_events_table_has_the_april_switch_in_window():
    """The page's event table (load_events) carries the new event with its category label."""
    from geo.load_events import load_events

    events = load_events(DATA / "events.toml").events
    row = events.set_index("id").loc["corridor-rerouted-2023"]
    assert row["event_date"] == pd.Timestamp("2023-04-01") and row["category"] == "blockade"
