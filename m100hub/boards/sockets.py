"""The boards' Socket.IO namespace. Every event: its size and rate, its fields, the board,
``permissions`` — then the service, the commit, and (changes.record) the broadcast to the
board's room with the new version. A refused event changes nothing and is acknowledged
``{"ok": False, "error": code}``; an accepted one ``{"ok": True, "version": n}``.

A client joins with the last version it saw (``since``): it receives the changes after it,
or the whole board when they are too many or it has none."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import request
from flask_login import current_user
from flask_socketio import emit, join_room, leave_room

from ..database import commit, rollback_quietly
from ..errors import Conflict
from ..extensions import socketio
from ..security import same_origin_request
from . import cards, permissions, presence, queries, services
from .changes import NAMESPACE, BadInput, Unknown, room
from .snapshot import catch_up

#: the largest event a client may send (bytes of JSON)
MAX_PAYLOAD = 2048
#: events per second a connection may send, and the burst it may save up
RATE, BURST = 10.0, 20.0

_buckets: dict[str, list[float]] = {}
_joined: dict[str, int] = {}
_guard = threading.Lock()


def _allowed_now(sid: str) -> bool:
    """A token bucket per connection."""
    now = time.monotonic()
    with _guard:
        tokens, last = _buckets.get(sid, [BURST, now])
        tokens = min(BURST, tokens + (now - last) * RATE)
        if tokens < 1:
            _buckets[sid] = [tokens, now]
            return False
        _buckets[sid] = [tokens - 1, now]
        return True


def refuse(code: str) -> dict:
    return {"ok": False, "error": code}


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    """Pages of this host only; visitors connect too (to watch public boards)."""
    return same_origin_request()


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args):
    sid = request.sid  # type: ignore[attr-defined]
    with _guard:
        _buckets.pop(sid, None)
        board_id = _joined.pop(sid, None)
    if board_id is not None:
        presence.leave(board_id, sid)
        presence.announce(board_id, room(board_id), NAMESPACE)


def _checked(data: Any) -> tuple[dict | None, str | None]:
    """The event's data and the board it names, or a refusal's code."""
    sid = request.sid  # type: ignore[attr-defined]
    if not _allowed_now(sid):
        return None, "too_many"
    if len(json.dumps(data, default=str)) > MAX_PAYLOAD:
        return None, "too_large"
    if not isinstance(data, dict) or type(data.get("board")) is not int:
        return None, "invalid"
    return data, None


@socketio.on("join", namespace=NAMESPACE)
def on_join(data=None):
    data, error = _checked(data)
    if error:
        return refuse(error)
    assert data is not None
    board = queries.board(data["board"])
    if board is None:
        return refuse("not_found")
    standing = queries.standing(current_user, board)
    if not permissions.can_see(board, standing):
        return refuse("forbidden")
    since = data.get("since")
    if since is not None and type(since) is not int:
        return refuse("invalid")
    sid = request.sid  # type: ignore[attr-defined]
    with _guard:
        previous = _joined.get(sid)
        _joined[sid] = board.id
    if previous is not None and previous != board.id:
        leave_room(room(previous))
    join_room(room(board.id))
    if standing.user_id is not None:
        join_room(f"{room(board.id)}:user:{standing.user_id}")
    answer = catch_up(board, standing, since)
    person = {"id": standing.user_id,
              "name": current_user.display_name if standing.user_id else None}
    presence.enter(board.id, sid, person)
    presence.announce(board.id, room(board.id), NAMESPACE)
    return {"ok": True, **answer}


#: the rules an event asks: board → (board, standing, data) → refusal code or None
Rule = Callable[[Any, permissions.Standing, dict], str | None]


def _take_part(board, standing, data) -> str | None:
    if board.locked and not standing.facilitator and permissions.can_see(board, standing):
        return "locked"
    return None if permissions.can_take_part(board, standing) else "forbidden"


def _facilitate(board, standing, data) -> str | None:
    return None if permissions.can_facilitate(board, standing) else "forbidden"


def _own_card(board, standing, data) -> str | None:
    refused = _take_part(board, standing, data)
    if refused and not permissions.can_facilitate(board, standing):
        return refused
    card = cards.card_on(board, data.get("card"))
    return None if permissions.can_change_card(board, card, standing) else "forbidden"


def board_event(name: str, rule: Rule):
    """Register ``work(board_id, data)`` as the handler of ``name``: the board locked and the
    person's standing read (one query), checks, work, commit."""

    def register(work: Callable[[int, dict], dict]):
        def handler(data=None):
            data, error = _checked(data)
            if error:
                return refuse(error)
            assert data is not None
            try:
                found = queries.board_for_change(data["board"], current_user)
                refused = "not_found" if found is None else rule(*found, data)
                if refused:
                    rollback_quietly()  # the board's lock goes with it
                    return refuse(refused)
                assert found is not None
                message = work(found[0].id, data)
                commit()
            except BadInput:
                rollback_quietly()
                return refuse("invalid")
            except Unknown:
                rollback_quietly()
                return refuse("not_found")
            except Conflict as conflict:
                rollback_quietly()
                return {**refuse("conflict"), "reason": str(conflict)}
            return {"ok": True, "version": message["version"],
                    "repeated": message.get("repeated", False), **_own(message)}

        socketio.on_event(name, handler, namespace=NAMESPACE)
        return work

    return register


def _own(message: dict) -> dict:
    """What the sender may know of its own change (its new card's id)."""
    card = message["data"].get("card")
    return {"card": card["id"]} if isinstance(card, dict) and "id" in card else {}


def _field(data: dict, name: str) -> Any:
    if name not in data:
        raise BadInput(name)
    return data[name]


@board_event("card.add", _take_part)
def _add(board_id, data):
    return cards.add_card(board_id, current_user, _field(data, "column"), _field(data, "text"),
                          data.get("colour"), _field(data, "key"))


@board_event("card.edit", _own_card)
def _edit(board_id, data):
    changes = {k: data[k] for k in ("text", "colour") if k in data}
    return cards.edit_card(board_id, current_user, data["card"], changes, _field(data, "seen"))


@board_event("card.move", _take_part)
def _move(board_id, data):
    return cards.move_card(board_id, _field(data, "card"), _field(data, "column"),
                           data.get("after"))


@board_event("card.delete", _own_card)
def _delete(board_id, data):
    return cards.delete_card(board_id, data["card"])


@board_event("card.group", _take_part)
def _group(board_id, data):
    return cards.group_card(board_id, _field(data, "card"), data.get("under"))


@board_event("group.name", _take_part)
def _group_name(board_id, data):
    return cards.name_group(board_id, _field(data, "card"), _field(data, "title"))


@board_event("group.dissolve", _take_part)
def _group_dissolve(board_id, data):
    return cards.dissolve_group(board_id, _field(data, "card"))


@board_event("card.vote", _take_part)
def _vote(board_id, data):
    return cards.vote(board_id, current_user, _field(data, "card"), _field(data, "delta"))


@board_event("card.merge", _facilitate)
def _merge(board_id, data):
    return cards.merge_cards(board_id, _field(data, "card"), _field(data, "into"))


@board_event("card.hide", _facilitate)
def _hide(board_id, data):
    board = services.lock_board(board_id)
    card = cards.card_on(board, _field(data, "card"))
    hidden = _field(data, "hidden")
    if type(hidden) is not bool:
        raise BadInput("hidden")
    return cards.set_hidden(card, hidden, current_user, str(data.get("reason", ""))[:500])


@board_event("column.add", _facilitate)
def _column_add(board_id, data):
    return services.add_column(board_id, _field(data, "title"))


@board_event("column.rename", _facilitate)
def _column_rename(board_id, data):
    return services.rename_column(board_id, _field(data, "column"), _field(data, "title"))


@board_event("column.move", _facilitate)
def _column_move(board_id, data):
    return services.move_column(board_id, _field(data, "column"), data.get("after"))


@board_event("column.delete", _facilitate)
def _column_delete(board_id, data):
    return services.delete_column(board_id, _field(data, "column"))


@board_event("board.settings", _facilitate)
def _settings(board_id, data):
    return services.change_settings(board_id, _field(data, "settings"))


@board_event("board.timer", _facilitate)
def _timer(board_id, data):
    return services.set_timer(board_id, _field(data, "seconds"))


@board_event("votes.reset", _facilitate)
def _reset(board_id, data):
    return services.reset_votes(board_id)


@socketio.on("typing", namespace=NAMESPACE)
def on_typing(data=None):
    """Who is typing a card in which column: told to the others, never stored."""
    data, error = _checked(data)
    if error:
        return refuse(error)
    assert data is not None
    sid = request.sid  # type: ignore[attr-defined]
    board = queries.board(data["board"])
    if board is None or _joined.get(sid) != board.id:
        return refuse("not_found")
    if _take_part(board, queries.standing(current_user, board), data):
        return refuse("forbidden")
    name = None if board.anonymous else current_user.display_name
    emit("typing", {"name": name, "column": data.get("column"), "active": bool(data.get("active"))},
         to=room(board.id), include_self=False, namespace=NAMESPACE)
    return {"ok": True}
