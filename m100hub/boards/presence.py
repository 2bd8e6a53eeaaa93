"""Who is on a board now: one Redis hash per board (connection id → name), shared by every
web process; in the process itself when the hub runs without Redis, or while Redis is away
(a page never fails because Redis is down: the list is then this process's only).

What the pages are told (``announce``) stays small however many join: the first
``NAMED_AT_MOST`` names, how many more people, and how many visitors; and a board's list is
sent at most once per ``INTERVAL_SECONDS`` (joins and leaves in between are told together,
a moment later). Sending the whole list to everyone on every join made 500 joins cost
O(n²) messages of O(n) size, and the joins of a full workshop timed out."""

from __future__ import annotations

import json
import logging
import threading
import time

import redis
from flask import current_app

from ..config import redis_client_options
from ..extensions import socketio

logger = logging.getLogger(__name__)
#: a board's entries expire unless someone joins or leaves within this (crashed processes)
TTL_SECONDS = 6 * 3600
#: the names a presence message carries at most (the others are counted)
NAMED_AT_MOST = 30
#: a board's presence is announced at most once in this many seconds
INTERVAL_SECONDS = 1.0

_local: dict[int, dict[str, str]] = {}
_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis | None:
    if not current_app.config["USE_REDIS"]:
        return None
    url = current_app.config["REDIS_URL"]
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, **redis_client_options())
    return _clients[url]


def _key(board_id: int) -> str:
    return f"m100:board-presence:{board_id}"


def enter(board_id: int, sid: str, person: dict) -> None:
    _change(board_id, sid, person)


def leave(board_id: int, sid: str) -> None:
    _change(board_id, sid, None)


def _change(board_id: int, sid: str, person: dict | None) -> None:
    with _lock:
        local = _local.setdefault(board_id, {})
        if person is None:
            local.pop(sid, None)
        else:
            local[sid] = json.dumps(person)
    client = _redis()
    if client is None:
        return
    try:
        pipe = client.pipeline()
        if person is None:
            pipe.hdel(_key(board_id), sid)
        else:
            pipe.hset(_key(board_id), sid, json.dumps(person))
        pipe.expire(_key(board_id), TTL_SECONDS)
        pipe.execute()
    except redis.RedisError as error:
        logger.warning("board presence without Redis: %r", error)


def present(board_id: int) -> dict:
    """Who is on the board: {"people": the first names, "more": how many other people,
    "visitors": how many pages of people not signed in}."""
    client = _redis()
    if client is not None:
        try:
            return _summary(client.hvals(_key(board_id)))
        except redis.RedisError as error:
            logger.warning("board presence without Redis: %r", error)
    with _lock:
        return _summary(list(_local.get(board_id, {}).values()))


def _summary(values) -> dict:
    """One entry per person (several tabs count once), by name; visitors counted."""
    people: dict[object, dict] = {}
    visitors = 0
    for value in values:
        person = json.loads(value)
        if person.get("id") is None:
            visitors += 1
        else:
            people[person["id"]] = person
    named = sorted(people.values(), key=lambda p: p.get("name") or "")
    return {"people": named[:NAMED_AT_MOST], "more": max(0, len(named) - NAMED_AT_MOST),
            "visitors": visitors}


#: board id → when its presence was last announced; boards with an announcement waiting
_announced: dict[int, float] = {}
_waiting: set[int] = set()


def announce(board_id: int, room: str, namespace: str) -> None:
    """Tell the board's room who is there: now, or once ``INTERVAL_SECONDS`` have passed
    since the last time (one announcement waits per board, and reads the list when it
    goes)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def send() -> None:
        with app.app_context():
            with _lock:
                _waiting.discard(board_id)
                _announced[board_id] = time.monotonic()
            socketio.emit("presence", present(board_id), to=room, namespace=namespace)

    with _lock:
        if board_id in _waiting:
            return
        wait = _announced.get(board_id, 0.0) + INTERVAL_SECONDS - time.monotonic()
        if wait > 0:
            _waiting.add(board_id)
    if wait <= 0:
        send()
    else:
        timer = threading.Timer(wait, send)
        timer.daemon = True
        timer.start()
