"""Socket.IO: each signed-in page joins its person's room, so new notifications show live,
and asks for its unread count whenever it (re)connects or is told to catch up (pushes made
while it was disconnected, or while Redis was down, are not replayed: the count is)."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room

from ..extensions import socketio
from ..security import same_origin_request
from .queries import unread_count


@socketio.on("connect")
def on_connect(auth=None):
    # Refuse foreign pages and anonymous visitors before any event is handled.
    if not same_origin_request() or not current_user.is_authenticated:
        return False
    join_room(f"user:{current_user.id}")
    return True


@socketio.on("unread")
def on_unread():
    """The page's badge: the person's unread count now (the answer to the client's ack)."""
    if not current_user.is_authenticated:  # signed out since the connection opened
        return 0
    return unread_count(current_user.id)
