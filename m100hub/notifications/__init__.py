"""The notification centre, its unread badge, and the live badge over Socket.IO."""

from flask import Blueprint
from flask_login import current_user

from ..features import Feature

bp = Blueprint("notifications", __name__, template_folder="templates")

from . import personal_data, sockets, unsubscribe, views  # noqa: E402,F401
from .queries import unread_count  # noqa: E402


def unread_notifications() -> int:
    """The badge: counted when the signed-in person was loaded (accounts.queries), or now."""
    if not current_user.is_authenticated:
        return 0
    counted = getattr(current_user, "unread_notifications", None)
    return counted if counted is not None else unread_count(current_user.id)


feature = Feature(
    "notifications", blueprint=bp, models="m100hub.notifications.models",
    template_globals={"unread_notifications": unread_notifications},
    tasks=["m100hub.notifications.fanout", "m100hub.notifications.digests"],
    beat={
        # events whose fan-out task was lost (Redis down, a worker killed) are sent on again
        "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
        # e-mail of notifications: at once, daily and weekly digests (and lost runs again)
        "notifications-digests": {"task": "notifications.digests", "schedule": 60.0},
    },
    personal_data=personal_data.PERSONAL_DATA,
)
