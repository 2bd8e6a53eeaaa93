"""Who is on a board now: one Redis hash per board (connection id → name), shared by every
web process; in the process itself when the hub runs without Redis, or while Redis is away
(a page never fails because Redis is down: the list is then this process's only)."""

from __future__ import annotations

import json
import logging
import threading

import redis
from flask import current_app

from ..config import redis_client_options

logger = logging.getLogger(__name__)
#: a board's entries expire unless someone joins or leaves within this (crashed processes)
TTL_SECONDS = 6 * 3600

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


def enter(board_id: int, sid: str, person: dict) -> list[dict]:
    return _change(board_id, sid, person)


def leave(board_id: int, sid: str) -> list[dict]:
    return _change(board_id, sid, None)


def _change(board_id: int, sid: str, person: dict | None) -> list[dict]:
    with _lock:
        local = _local.setdefault(board_id, {})
        if person is None:
            local.pop(sid, None)
        else:
            local[sid] = json.dumps(person)
    client = _redis()
    if client is not None:
        try:
            pipe = client.pipeline()
            if person is None:
                pipe.hdel(_key(board_id), sid)
            else:
                pipe.hset(_key(board_id), sid, json.dumps(person))
            pipe.expire(_key(board_id), TTL_SECONDS)
            pipe.hvals(_key(board_id))
            return _people(pipe.execute()[-1])
        except redis.RedisError as error:
            logger.warning("board presence without Redis: %r", error)
    with _lock:
        return _people(list(_local.get(board_id, {}).values()))


def _people(values) -> list[dict]:
    """One entry per person (several tabs count once), by name."""
    seen: dict[object, dict] = {}
    for value in values:
        person = json.loads(value)
        seen[person.get("id") or object()] = person
    return sorted(seen.values(), key=lambda p: p.get("name") or "")
