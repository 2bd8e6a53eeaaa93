"""Template globals: the menu, the unread badge, and the permission helpers templates may ask."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .permissions import can_moderate, is_admin
from .text import safe

#: (endpoint, label); capabilities add themselves here as they land
MAIN_MENU = [
    ("consultations.index", _l("Consultations")),
    ("events.index", _l("Events")),
    ("forums.index", _l("Forums")),
    ("cities.index", _l("Cities")),
    ("organisations.index", _l("Organisations")),
    ("activity.index", _l("Activity")),
]
ADMIN_ITEM = ("admin.verification", _l("Administration"))
MODERATION_ITEM = ("forums.moderation_queue", _l("Moderation"))


def main_menu():
    items = list(MAIN_MENU)
    if can_moderate(current_user):
        items.append(MODERATION_ITEM)
    if is_admin(current_user):
        items.append(ADMIN_ITEM)
    return items


def unread_notifications() -> int:
    from .notifications.queries import unread_count

    return unread_count(current_user.id) if current_user.is_authenticated else 0


@lru_cache(maxsize=4)
def _vendor_file_exists(static_folder: str) -> bool:
    return (Path(static_folder) / "vendor" / "socket.io.min.js").exists()


def live_updates_available() -> bool:
    return _vendor_file_exists(current_app.static_folder)


def pairs(items, value: str, label: str) -> list[tuple]:
    """(value, label) pairs of objects' attributes, for a select's options."""
    return [(getattr(item, value), getattr(item, label)) for item in items]


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["safe_html"] = safe
    app.jinja_env.globals.update(
        main_menu=main_menu,
        unread_notifications=unread_notifications,
        live_updates_available=live_updates_available,
        pairs=pairs,
    )
