"""Socket.IO: each signed-in page joins its person's room, so new notifications show live."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room

from ..extensions import socketio
from ..security import same_origin_request


@socketio.on("connect")
def on_connect(auth=None):
    # Refuse foreign pages and anonymous visitors before any event is handled.
    if not same_origin_request() or not current_user.is_authenticated:
        return False
    join_room(f"user:{current_user.id}")
    return True
