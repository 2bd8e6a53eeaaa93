"""Events: registration with capacity and a waiting list, tickets and check-in, calendars."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("events", __name__, template_folder="templates")

from . import api, demo, feeds, kinds, manage_views, personal_data, search, sections, views  # noqa: E402,F401
from .models import Event  # noqa: E402

feature = Feature(
    "events", blueprint=bp, models="m100hub.events.models",
    menu=[MenuItem("events.index", _l("Events"), order=20)],
    tasks=["m100hub.events.tasks"],
    beat={"event-reminders": {"task": "events.send_reminders", "schedule": 300.0}},
    markdown=[MarkdownField(Event, "description", "description_html"),
              MarkdownField(Event, "materials", "materials_html")],
    rate_limits={"RATE_LIMIT_REGISTER": "10 per minute;100 per hour"},
    sections=sections.SECTIONS, feeds=sections.FEEDS, demo=demo.seed,
    personal_data=personal_data.PERSONAL_DATA, search=search.SEARCH,
    api=[api.blp],
)
