"""The ceiling of bench/boards.py: a bare python-socketio broadcast server, served like the
hub (gunicorn gthread, simple-websocket, Redis as the message queue between processes), with
no database, no sessions and no permissions: "join" enters the room, "move" broadcasts. Its
WebSockets decline per-message compression as the hub's do (m100hub.uncompressed_websockets),
so that it stays the ceiling."""

from __future__ import annotations

import os

import socketio

from m100hub import uncompressed_websockets

manager = socketio.RedisManager(os.environ["REDIS_URL"],
                                channel=os.environ.get("SOCKETIO_CHANNEL", "bare"))
server = socketio.Server(async_mode="threading", client_manager=manager)
app = uncompressed_websockets(socketio.WSGIApp(server))


@server.on("join", namespace="/boards")
def join(sid, data):
    server.enter_room(sid, f"board:{data['board']}", namespace="/boards")
    return {"ok": True, "board": {"version": 0}}


@server.on("card.move", namespace="/boards")
def move(sid, data):
    version = data["seq"]
    server.emit("change", {"version": version, "kind": "card.moved", "data": {}},
                to=f"board:{data['board']}", namespace="/boards")
    return {"ok": True, "version": version}
