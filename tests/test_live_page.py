"""Present live, on the page (AppTest; the rooms in this process's memory, as with one
server): a presenter starts a room, a follower's page lands on the presenter's step and
follows the next, can explore and follow again; only the presenter's link drives; an ended
room and nonsense room links get clear messages and the page goes on."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from geo.dataset import load_dataset
from tests.conftest import ROOT, rendered
from tests.page import browser_state, query, run_page, send

TOUR = load_dataset(ROOT / "data").tour


def press(at, action):
    press.n = getattr(press, "n", 0) + 1
    return send(at, "key", {"action": action, "at": press.n})


def publish(at, moved=False, view=None):
    """What the presenter's browser does after each change: send its page's query (with the
    map's centre and zoom) to the room."""
    q = browser_state(at)["query"]
    if view is not None:
        q += f"&c={view[0]:.5f},{view[1]:.5f}&z={view[2]}"
    publish.n = getattr(publish, "n", 0) + 1
    return send(at, "room", {"query": q, "moved": moved, "at": publish.n})


def links(at) -> dict[str, dict[str, str]]:
    """The presenter panel's links, by what they are for."""
    codes = [c.value for c in at.sidebar.code]
    assert len(codes) == 2, codes
    return {"audience": dict(parse_qs(codes[0].split("?", 1)[1])),
            "speaker": dict(parse_qs(codes[1].split("?", 1)[1]))}


@pytest.fixture
def presenter():
    at = run_page()
    at.sidebar.button(key="live_start").click().run()
    assert not at.exception
    return at


def live_bar(at) -> str:
    return " ".join(rendered(m.value) for m in at.markdown if "Following" in m.value or "Exploring" in m.value)


def test_a_presenter_starts_a_room_and_gets_an_audience_and_a_speaker_link(presenter):
    room = browser_state(presenter)["room"]
    assert room["role"] == "presenter" and room["drives"] is True
    got = links(presenter)
    assert got["audience"] == {"room": [room["code"]]}  # no key: it cannot drive
    assert got["speaker"]["room"] == [room["code"]] and got["speaker"]["role"] == ["speaker"]
    assert len(got["speaker"]["key"][0]) == 32
    url = query(presenter)  # the presenter's own address bar keeps the room and the key (a reload drives on)
    assert url["room"] == room["code"] and url["key"] == got["speaker"]["key"][0]


def test_a_late_follower_lands_on_the_presenters_step_and_follows_the_next(presenter):
    code = browser_state(presenter)["room"]["code"]
    presenter.sidebar.button(key="start_tour").click().run()
    press(presenter, "next")
    press(presenter, "next")
    publish(presenter)
    follower = run_page(room=code)
    state = browser_state(follower)
    assert state["tour"]["step"] == 3
    assert state["room"] == {"code": code, "role": "audience", "drives": False, "since": None}
    assert state["view"]["bounds"] == [list(p) for p in TOUR[2].bounds]  # fitted to the follower's own screen
    assert follower.sidebar.slider(key="window").value == TOUR[2].window
    assert "Following the presenter" in live_bar(follower)
    assert "room" in query(follower) and "key" not in query(follower)
    # The presenter moves on: the follower's next run (its poll's) applies it.
    press(presenter, "next")
    publish(presenter)
    follower.run()
    assert browser_state(follower)["tour"]["step"] == 4
    assert set(browser_state(follower)["layers"]) == set(TOUR[3].layers)


def test_the_presenters_own_view_is_followed_when_they_pan(presenter):
    code = browser_state(presenter)["room"]["code"]
    publish(presenter, moved=True, view=(39.8153, 46.7519, 12))
    follower = run_page(room=code)
    view = browser_state(follower)["view"]
    assert view["center"] == [39.8153, 46.7519] and view["zoom"] == 12


def test_a_follower_explores_on_their_own_and_follows_again(presenter):
    code = browser_state(presenter)["room"]["code"]
    presenter.sidebar.button(key="start_tour").click().run()
    publish(presenter)
    follower = run_page(room=code)
    follower.button(key="live_explore").click().run()
    assert "Exploring on your own" in live_bar(follower)
    press(presenter, "next")
    publish(presenter)
    follower.run()
    assert browser_state(follower)["tour"]["step"] == 1  # exploring: the presenter's step 2 waits
    follower.button(key="live_follow").click().run()
    assert browser_state(follower)["tour"]["step"] == 2
    assert "Following the presenter" in live_bar(follower)


def test_a_follower_cannot_change_the_room(presenter):
    code = browser_state(presenter)["room"]["code"]
    presenter.sidebar.button(key="start_tour").click().run()
    publish(presenter)
    follower = run_page(room=code)
    press(follower, "next")  # the follower walks on by themself...
    publish(follower)        # ...and a forged message from their page
    other = run_page(room=code)
    assert browser_state(other)["tour"]["step"] == 1  # the room did not move


def test_a_wrong_key_is_told_and_does_not_drive(presenter):
    code = browser_state(presenter)["room"]["code"]
    presenter.sidebar.button(key="start_tour").click().run()
    publish(presenter)
    forger = run_page(room=code, key="A" * 32)
    forger.sidebar.button(key="start_tour").click().run()
    press(forger, "last")
    publish(forger)
    assert any("Only the presenter's link can change this room." in rendered(e.value) for e in forger.sidebar.error)
    assert browser_state(run_page(room=code))["tour"]["step"] == 1


def test_an_ended_room_is_said_and_the_page_goes_on(presenter):
    code = browser_state(presenter)["room"]["code"]
    presenter.sidebar.button(key="start_tour").click().run()
    publish(presenter)
    follower = run_page(room=code)
    presenter.sidebar.button(key="live_end").click().run()
    assert "room" not in query(presenter) and "room" not in browser_state(presenter)
    follower.run()
    warned = " ".join(rendered(w.value) for w in follower.warning)
    assert f"The live room {code} has ended" in warned
    press(follower, "next")  # the page still works: the follower walks the tour themself
    assert browser_state(follower)["tour"]["step"] == 2
    late = run_page(room=code)
    assert "has ended" in " ".join(rendered(w.value) for w in late.warning)


@pytest.mark.parametrize(("value", "notice"), [
    ("[Log in](https://evil.example)", "Ignored 'room': '[log in](https://evil.example)' is not a room code"),
    ("x" * 500, "Ignored 'room': '" + "x" * 40 + "' is not a room code"),
])
def test_a_nonsense_room_link_is_named_literally_and_the_page_works(value, notice):
    at = run_page(room=value)
    shown = [rendered(t.value) for t in at.toast]
    assert any(notice in s for s in shown), shown
    assert "room" not in browser_state(at)


def test_a_presenter_link_to_an_ended_room_offers_a_new_one(presenter):
    code, key = browser_state(presenter)["room"]["code"], query(presenter)["key"]
    presenter.sidebar.button(key="live_end").click().run()
    again = run_page(room=code, key=key)  # the presenter's address bar, reloaded
    assert any(f"The live room {code} has ended." in rendered(e.value) for e in again.sidebar.error)
    assert again.sidebar.button(key="live_start")
    assert "room" not in browser_state(again) and "key" not in query(again)
