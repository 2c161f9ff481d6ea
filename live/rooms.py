"""Live rooms: a presenter drives, followers' pages follow (pure Python, no Streamlit).

A room holds what the presenter's page shows as the query of a link (the same
parameters a shared link has: :mod:`geo.view_state`), a version that counts its
changes, and whether the presenter's map view is their own (they panned or zoomed)
or the tour step's. Followers poll the version and apply the query as they would
apply a link, so a room can never give a follower more than a link could.

Two stores with one interface (:class:`RoomStore`):

- :class:`MemoryRoomStore`: the default, one process, nothing else needed;
- :class:`RedisRoomStore`: rooms in Redis, shared by several server processes
  (``--room-store redis://HOST:PORT/DB``).

Codes are 14 characters from an alphabet without look-alikes (about 70 bits: not
guessable); the presenter's key is 32 URL-safe characters, kept only as its SHA-256.
A room ends after ``ttl`` seconds without a change by its presenter, or when the
presenter ends it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Protocol

#: Room codes: no 0/o, 1/l/i look-alikes.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 14
CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
KEY_RE = re.compile(r"[A-Za-z0-9_-]{32}")
#: Seconds without a change by the presenter after which a room ends (2 hours).
DEFAULT_TTL = 2 * 60 * 60
#: Rooms one in-memory store keeps at once (each is under 3 KB).
MAX_ROOMS = 1000
#: The longest query a room keeps (a link's query is far shorter).
MAX_QUERY = 4000


class RoomError(Exception):
    """A room that cannot be used: unknown or ended, a wrong key, a full or unreachable store.
    Its message is for the user (plain text)."""


@dataclass(frozen=True)
class Room:
    code: str
    version: int       # 0 before the presenter's first change
    query: str         # the presenter's page as a link's query ("" before the first change)
    moved: bool        # the presenter's map view is their own, not the tour step's
    created: float     # seconds since the epoch
    touched: float     # the last change by the presenter


class RoomStore(Protocol):
    ttl: float

    def create(self, now: float | None = None) -> tuple[str, str]:
        """A new room: (code, presenter's key)."""

    def get(self, code: str, now: float | None = None) -> Room | None:
        """The room, or None if there is none with this code (never was, ended or expired)."""

    def version(self, code: str, now: float | None = None) -> int | None:
        """The room's version (cheap: what a follower polls), or None if it has ended."""

    def publish(self, code: str, key: str, query: str, moved: bool, now: float | None = None) -> Room:
        """Set the room's query (the presenter's key is checked); a new version if it changed."""

    def end(self, code: str, key: str) -> None:
        """End the room now (the presenter's key is checked)."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_key() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key_ok(stored_hash: str, key: str) -> bool:
    return isinstance(key, str) and hmac.compare_digest(stored_hash, key_hash(key))


def _checked_query(query: str) -> str:
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        raise RoomError(f"A room's query must be text of at most {MAX_QUERY:,} characters.")
    return query


def _gone(code: str) -> RoomError:
    return RoomError(f"There is no live room {code!r}: it has ended, or the link is wrong.")


class MemoryRoomStore:
    """Rooms in this process's memory (one server process)."""

    def __init__(self, ttl: float = DEFAULT_TTL, max_rooms: int = MAX_ROOMS):
        self.ttl = float(ttl)
        self.max_rooms = max_rooms
        self._rooms: dict[str, tuple[Room, str]] = {}  # code -> (room, key hash)
        self._lock = threading.Lock()

    def _live(self, code: str, now: float) -> tuple[Room, str] | None:
        entry = self._rooms.get(code)
        if entry is not None and now - entry[0].touched > self.ttl:
            del self._rooms[code]
            return None
        return entry

    def create(self, now: float | None = None) -> tuple[str, str]:
        now = time.time() if now is None else now
        with self._lock:
            if len(self._rooms) >= self.max_rooms:
                for code in list(self._rooms):
                    self._live(code, now)
            if len(self._rooms) >= self.max_rooms:
                raise RoomError(f"This server has {self.max_rooms:,} live rooms open; try again later.")
            code, key = new_code(), new_key()
            while code in self._rooms:
                code = new_code()
            self._rooms[code] = (Room(code, 0, "", False, now, now), key_hash(key))
            return code, key

    def get(self, code: str, now: float | None = None) -> Room | None:
        with self._lock:
            entry = self._live(code, time.time() if now is None else now)
            return entry[0] if entry else None

    def version(self, code: str, now: float | None = None) -> int | None:
        room = self.get(code, now)
        return room.version if room else None

    def publish(self, code: str, key: str, query: str, moved: bool, now: float | None = None) -> Room:
        query, now = _checked_query(query), time.time() if now is None else now
        with self._lock:
            entry = self._live(code, now)
            if entry is None:
                raise _gone(code)
            room, stored = entry
            if not _key_ok(stored, key):
                raise RoomError("Only the presenter's link can change this room.")
            changed = (query, bool(moved)) != (room.query, room.moved)
            room = Room(code, room.version + changed, query, bool(moved), room.created, now)
            self._rooms[code] = (room, stored)
            return room

    def end(self, code: str, key: str) -> None:
        with self._lock:
            entry = self._live(code, time.time())
            if entry is None:
                return
            if not _key_ok(entry[1], key):
                raise RoomError("Only the presenter's link can end this room.")
            del self._rooms[code]


class RedisRoomStore:
    """Rooms in Redis, for several server processes: one hash per room (``room:CODE``),
    which Redis itself expires ``ttl`` seconds after the presenter's last change."""

    #: publish: check the key, set the query, count a version if it changed, renew the expiry.
    _PUBLISH = """
    local h = redis.call('HGET', KEYS[1], 'key')
    if not h then return -1 end
    if h ~= ARGV[1] then return -2 end
    local q = redis.call('HGET', KEYS[1], 'query')
    local m = redis.call('HGET', KEYS[1], 'moved')
    local v
    if q ~= ARGV[2] or m ~= ARGV[3] then
        v = redis.call('HINCRBY', KEYS[1], 'version', 1)
        redis.call('HSET', KEYS[1], 'query', ARGV[2], 'moved', ARGV[3])
    else
        v = tonumber(redis.call('HGET', KEYS[1], 'version'))
    end
    redis.call('HSET', KEYS[1], 'touched', ARGV[4])
    redis.call('EXPIRE', KEYS[1], ARGV[5])
    return v
    """

    def __init__(self, url: str, ttl: float = DEFAULT_TTL, client=None):
        import redis  # only when rooms are kept in Redis

        self.url = url
        self.ttl = float(ttl)
        self._redis = client or redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                                     decode_responses=True)
        self._publish = self._redis.register_script(self._PUBLISH)
        self._errors = (redis.RedisError,)

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except self._errors as exc:
            raise RoomError(f"The room store {_safe_url(self.url)} cannot be reached: {exc}") from None

    @staticmethod
    def _name(code: str) -> str:
        return f"room:{code}"

    def create(self, now: float | None = None) -> tuple[str, str]:
        now = time.time() if now is None else now
        for _ in range(5):
            code, key = new_code(), new_key()
            fields = {"key": key_hash(key), "version": 0, "query": "", "moved": "0", "created": now, "touched": now}
            made = self._call(self._redis.hsetnx, self._name(code), "key", fields["key"])
            if made:
                pipe = self._redis.pipeline()
                pipe.hset(self._name(code), mapping=fields)
                pipe.expire(self._name(code), int(self.ttl))
                self._call(pipe.execute)
                return code, key
        raise RoomError("Could not make a new room code; try again.")

    def get(self, code: str, now: float | None = None) -> Room | None:
        if not CODE_RE.fullmatch(code or ""):
            return None
        h = self._call(self._redis.hgetall, self._name(code))
        if not h or "key" not in h:
            return None
        return Room(code, int(h.get("version", 0)), h.get("query", ""), h.get("moved") == "1",
                    float(h.get("created", 0)), float(h.get("touched", 0)))

    def version(self, code: str, now: float | None = None) -> int | None:
        if not CODE_RE.fullmatch(code or ""):
            return None
        v = self._call(self._redis.hget, self._name(code), "version")
        return int(v) if v is not None else None

    def publish(self, code: str, key: str, query: str, moved: bool, now: float | None = None) -> Room:
        query, now = _checked_query(query), time.time() if now is None else now
        if not CODE_RE.fullmatch(code or "") or not isinstance(key, str):
            raise _gone(code)
        got = self._call(self._publish, [self._name(code)],
                         [key_hash(key), query, "1" if moved else "0", repr(now), int(self.ttl)])
        if got == -1:
            raise _gone(code)
        if got == -2:
            raise RoomError("Only the presenter's link can change this room.")
        room = self.get(code)
        if room is None:
            raise _gone(code)
        return room

    def end(self, code: str, key: str) -> None:
        room = self.get(code)
        if room is None:
            return
        stored = self._call(self._redis.hget, self._name(code), "key")
        if stored is None:
            return
        if not _key_ok(stored, key):
            raise RoomError("Only the presenter's link can end this room.")
        self._call(self._redis.delete, self._name(code))


def _safe_url(url: str) -> str:
    """A store URL without its password, to name it in a message."""
    return re.sub(r"//[^@/]*@", "//", url)


def open_store(url: str | None, ttl: float = DEFAULT_TTL) -> RoomStore:
    """The room store a start-up option names: "" or "memory" (the default) or redis://…

    >>> type(open_store("")).__name__, open_store("memory", ttl=60).ttl
    ('MemoryRoomStore', 60.0)
    >>> open_store("ftp://x")
    Traceback (most recent call last):
    ...
    live.rooms.RoomError: The room store 'ftp://x' is not one this dashboard knows: give 'memory' or redis://HOST:PORT/DB.
    """
    url = (url or "").strip()
    if url in ("", "memory"):
        return MemoryRoomStore(ttl)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisRoomStore(url, ttl)
    raise RoomError(f"The room store {_safe_url(url)!r} is not one this dashboard knows: "
                    "give 'memory' or redis://HOST:PORT/DB.")


@dataclass(frozen=True)
class RoomLink:
    """What a link says about a room: its code, the presenter's key (presenter and speaker
    links) and the role: "audience", "presenter" or "speaker"."""

    code: str
    key: str | None = None
    role: str = "audience"

    @property
    def drives(self) -> bool:
        return self.key is not None

    def query(self) -> dict[str, str]:
        """The link's own parameters (they stay in the page's URL)."""
        out = {"room": self.code}
        if self.key is not None:
            out["key"] = self.key
        if self.role == "speaker":
            out["role"] = "speaker"
        return out


def parse_room_params(get) -> tuple[RoomLink | None, list[str]]:
    """The room a link names (``room=CODE``, with ``key=KEY`` for the presenter and
    ``role=speaker`` for the speaker view), with a notice for each nonsense value.

    ``get(name)`` gives a parameter's last value or None.

    >>> parse_room_params({"room": "abcdefghjkmnpq"}.get)
    (RoomLink(code='abcdefghjkmnpq', key=None, role='audience'), [])
    >>> parse_room_params({"room": "<b>x</b>", "role": "boss"}.get)[1]
    ["Ignored 'role': 'boss' (the only role a link may give is 'speaker').", "Ignored 'room': '<b>x</b>' is not a room code (14 letters and digits)."]
    """
    code, key, role = get("room"), get("key"), get("role")
    notices: list[str] = []
    if role is not None and role != "speaker":
        notices.append(f"Ignored 'role': {role[:40]!r} (the only role a link may give is 'speaker').")
        role = None
    if code is None or not code.strip():
        if key is not None or role is not None:
            notices.append("Ignored 'key' and 'role': the link names no room.")
        return None, notices
    code = code.strip().lower()
    if not CODE_RE.fullmatch(code):
        notices.append(f"Ignored 'room': {code[:40]!r} is not a room code ({CODE_LENGTH} letters and digits).")
        return None, notices
    if key is not None and not KEY_RE.fullmatch(key):
        notices.append("Ignored 'key': it is not a presenter's key; you follow the room.")
        key = None
    if role == "speaker" and key is None:
        notices.append("Ignored 'role': the speaker view needs the presenter's link; you follow the room.")
        role = None
    return RoomLink(code, key, "speaker" if role else ("presenter" if key else "audience")), notices
