"""Live rooms (live/rooms.py), the same tests against the in-memory store and a real Redis."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from live.rooms import (
    CODE_ALPHABET,
    CODE_RE,
    KEY_RE,
    MemoryRoomStore,
    RedisRoomStore,
    RoomError,
    open_store,
    parse_room_params,
)

T0 = time.time()  # the stores compare with the clock when no time is given


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryRoomStore(ttl=86400)  # (T0 is when the module was imported)
    url = request.getfixturevalue("redis_url")
    made = RedisRoomStore(url, ttl=60)
    made._redis.flushdb()
    return made


def test_a_new_room_has_an_unguessable_code_and_key_and_no_state_yet(store):
    code, key = store.create(now=T0)
    assert CODE_RE.fullmatch(code) and KEY_RE.fullmatch(key)
    room = store.get(code, now=T0 + 1)
    assert (room.code, room.version, room.query, room.moved) == (code, 0, "", False)
    assert store.version(code, now=T0 + 1) == 0


def test_codes_are_spread_over_the_whole_alphabet():
    store = MemoryRoomStore()
    codes = [store.create()[0] for _ in range(400)]
    assert len(set(codes)) == 400
    seen = Counter("".join(codes))
    assert set(seen) == set(CODE_ALPHABET)  # 5,600 characters: each of 31 about 180 times
    assert min(seen.values()) > 90


def test_the_presenter_publishes_and_a_change_counts_a_version(store):
    code, key = store.create(now=T0)
    room = store.publish(code, key, "step=2&layers=countries", moved=False, now=T0 + 1)
    assert (room.version, room.query, room.moved) == (1, "step=2&layers=countries", False)
    again = store.publish(code, key, "step=2&layers=countries", moved=False, now=T0 + 2)
    assert again.version == 1  # the same page: no new version for followers to apply
    moved = store.publish(code, key, "step=2&layers=countries", moved=True, now=T0 + 3)
    assert moved.version == 2 and moved.moved
    assert store.version(code) == 2 and store.get(code).query == "step=2&layers=countries"


def test_only_the_presenters_key_drives_or_ends_the_room(store):
    code, key = store.create(now=T0)
    other_code, other_key = store.create(now=T0)
    for wrong in ("", "x" * 32, other_key, key[:-1] + ("A" if key[-1] != "A" else "B")):
        with pytest.raises(RoomError, match="Only the presenter's link can change this room"):
            store.publish(code, wrong, "step=9", moved=False)
        with pytest.raises(RoomError, match="Only the presenter's link can end this room"):
            store.end(code, wrong)
    assert store.version(code) == 0 and store.get(code).query == ""
    store.end(code, key)
    assert store.get(code) is None and store.version(code) is None
    with pytest.raises(RoomError, match=f"There is no live room '{code}'"):
        store.publish(code, key, "step=1", moved=False)
    assert store.get(other_code) is not None


def test_unknown_codes_are_no_room(store):
    for code in ("abcdefghjkmnpq", "", "room:*", "../../etc", "A" * 14):
        assert store.get(code) is None and store.version(code) is None


def test_an_oversized_query_is_refused_and_the_room_keeps_its_state(store):
    code, key = store.create(now=T0)
    store.publish(code, key, "step=1", moved=False)
    with pytest.raises(RoomError, match="at most 4,000 characters"):
        store.publish(code, key, "x" * 4001, moved=False)
    assert store.get(code).query == "step=1"


def test_a_room_ends_after_its_time_without_a_change_in_memory():
    store = MemoryRoomStore(ttl=60)
    code, key = store.create(now=T0)
    store.publish(code, key, "step=1", moved=False, now=T0 + 50)
    assert store.get(code, now=T0 + 100) is not None  # 50 s after the last change
    assert store.get(code, now=T0 + 111) is None
    with pytest.raises(RoomError, match="There is no live room"):
        store.publish(code, key, "step=2", moved=False, now=T0 + 112)


def test_a_room_ends_after_its_time_without_a_change_in_redis(redis_url):
    store = RedisRoomStore(redis_url, ttl=60)
    code, key = store.create()
    ttl = store._redis.ttl(f"room:{code}")
    assert 55 <= ttl <= 60  # Redis itself removes the room
    store._redis.expire(f"room:{code}", 1)
    store.publish(code, key, "step=1", moved=False)  # a change renews it
    assert store._redis.ttl(f"room:{code}") >= 55
    store._redis.pexpire(f"room:{code}", 1)
    time.sleep(0.05)
    assert store.get(code) is None


def test_two_processes_share_rooms_through_redis(redis_url):
    """Two stores on the same Redis stand for two server processes behind a proxy."""
    one, two = RedisRoomStore(redis_url), RedisRoomStore(redis_url)
    code, key = one.create()
    two.publish(code, key, "step=3", moved=True)
    assert one.get(code).query == "step=3" and one.version(code) == 1


def test_the_memory_store_is_bounded():
    store = MemoryRoomStore(ttl=60, max_rooms=3)
    for _ in range(3):
        store.create(now=T0)
    with pytest.raises(RoomError, match="has 3 live rooms open"):
        store.create(now=T0 + 1)
    store.create(now=T0 + 61)  # the ended rooms make way
    assert len(store._rooms) == 1


def test_an_unreachable_redis_is_a_message_not_a_crash():
    store = RedisRoomStore("redis://:secret@127.0.0.1:1/0")
    with pytest.raises(RoomError) as caught:
        store.create()
    assert str(caught.value).startswith("The room store redis://127.0.0.1:1/0 cannot be reached")
    assert "secret" not in str(caught.value)


def test_open_store_names_a_bad_option():
    assert isinstance(open_store(None), MemoryRoomStore)
    with pytest.raises(RoomError, match=re.escape("The room store 'http://h' is not one this dashboard knows")):
        open_store("http://h")


@pytest.mark.parametrize(("params", "link", "notices"), [
    ({"room": "ABCDEFGHJKMNPQ"}, ("abcdefghjkmnpq", None, "audience"), []),
    ({"room": "abcdefghjkmnpq", "key": "k" * 32}, ("abcdefghjkmnpq", "k" * 32, "presenter"), []),
    ({"room": "abcdefghjkmnpq", "key": "k" * 32, "role": "speaker"}, ("abcdefghjkmnpq", "k" * 32, "speaker"), []),
    ({"room": "abcdefghjkmnpq", "key": "short"}, ("abcdefghjkmnpq", None, "audience"),
     ["Ignored 'key': it is not a presenter's key; you follow the room."]),
    ({"room": "abcdefghjkmnpq", "role": "speaker"}, ("abcdefghjkmnpq", None, "audience"),
     ["Ignored 'role': the speaker view needs the presenter's link; you follow the room."]),
    ({"room": "0000"}, None, ["Ignored 'room': '0000' is not a room code (14 letters and digits)."]),
    ({"room": "[x](http://evil)"}, None,
     ["Ignored 'room': '[x](http://evil)' is not a room code (14 letters and digits)."]),
    ({"key": "k" * 32}, None, ["Ignored 'key' and 'role': the link names no room."]),
    ({}, None, []),
])
def test_room_links_are_read_and_nonsense_is_named(params, link, notices):
    got, said = parse_room_params(params.get)
    assert (None if got is None else (got.code, got.key, got.role)) == link
    assert said == notices
