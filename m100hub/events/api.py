"""Events in the open-data API: what the event page shows everyone — never the meeting link
or who registered (only how many)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..cities.models import ClimateSector
from ..cities.queries import id_of
from ..extensions import db
from ..open_data import (
    ListArgs,
    api_blueprint,
    city_arg,
    list_endpoint,
    page_address,
    related_slug,
)
from .models import Attendance, Event, EventKind
from .queries import filtered

blp = api_blueprint("events", __name__, "Workshops, webinars, conferences and site visits.")


class EventSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(EventKind, by_value=True, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "Markdown"})
    city = related_slug("city", nullable=True, description="slug; null: national")
    organisation = fields.Function(
        lambda event: event.organisation.name if event.organisation else None,
        required=True, allow_none=True, metadata={"type": "string", "nullable": True})
    sectors = fields.List(fields.String(), required=True)
    starts = fields.DateTime(required=True, attribute="starts_dt")
    ends = fields.DateTime(required=True, attribute="ends_dt")
    attendance = fields.Enum(Attendance, by_value=True, required=True)
    address = fields.String(required=True, metadata={"description": "Where, in person"})
    capacity = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "null: no limit"})
    registered = fields.Integer(required=True, attribute="confirmed_count")
    waiting = fields.Integer(required=True, attribute="waitlist_count")
    registration_opens = fields.DateTime(required=True, allow_none=True,
                                         attribute="registration_opens_dt")
    registration_closes = fields.DateTime(required=True, allow_none=True,
                                          attribute="registration_closes_dt")
    materials = fields.String(required=True, metadata={"description": "Markdown"})
    cancelled = fields.DateTime(required=True, allow_none=True, attribute="cancelled_dt")
    cancel_reason = fields.String(required=True)
    page = page_address("events.show", event_id="id")


class EventArgs(ListArgs):
    city = city_arg()
    sector = fields.String(validate=validate.OneOf([s.value for s in ClimateSector]))
    kind = fields.String(validate=validate.OneOf([k.value for k in EventKind]))
    starts_from = fields.AwareDateTime(metadata={"description": "Starting at or after"})
    starts_before = fields.AwareDateTime(metadata={"description": "Starting before"})


def _events():
    return select(Event).options(joinedload(Event.city), joinedload(Event.organisation))


@list_endpoint(blp, "/events", EventArgs, EventSchema, Event.id)
def events(args):
    """Events, by id; a time window with ``starts_from`` and ``starts_before``."""
    stmt = filtered(_events(), sector=args.get("sector", ""), kind=args.get("kind", ""))
    if args.get("city"):
        stmt = stmt.where(Event.city_id == id_of(args["city"]))
    if args.get("starts_from"):
        stmt = stmt.where(Event.starts_dt >= args["starts_from"])
    if args.get("starts_before"):
        stmt = stmt.where(Event.starts_dt < args["starts_before"])
    return stmt


@blp.route("/events/<id:event_id>")
@blp.response(200, EventSchema)
def event(event_id):
    """One event."""
    return db.first_or_404(_events().where(Event.id == event_id))
