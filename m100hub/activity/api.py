"""The public activity log in the open-data API, newest first: what the log page shows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..open_data import ListArgs, api_blueprint, list_endpoint
from .models import ActivityEntry

blp = api_blueprint("activity", __name__,
                    "What officials, moderators and the secretariat did, newest first.")


def _target_label(entry: ActivityEntry) -> str | None:
    """A person who deleted their account is not named (as on the log's page)."""
    if entry.target_type == "users" and entry.target_id is None:
        return None
    return entry.target_label


class ActivitySchema(Schema):
    id = fields.Integer(required=True)
    verb = fields.String(required=True)
    actor = fields.Function(lambda entry: entry.actor.display_name if entry.actor else None,
                            required=True, allow_none=True, metadata={
                                "type": "string", "nullable": True,
                                "description": "Their public name; null: the system"})
    target_type = fields.String(required=True, allow_none=True)
    target_id = fields.Integer(required=True, allow_none=True)
    target_label = fields.Function(_target_label, required=True, allow_none=True,
                                   metadata={"type": "string", "nullable": True})
    reason = fields.String(required=True)
    created = fields.DateTime(required=True, attribute="created_dt")


class EntryArgs(ListArgs):
    verb = fields.String(validate=validate.Regexp(r"^[a-z_.]{1,50}$"))
    since = fields.AwareDateTime(metadata={"description": "Recorded at or after"})


@list_endpoint(blp, "/activity", EntryArgs, ActivitySchema, ActivityEntry.id, descending=True)
def activity(args):
    """The public activity log, newest first (``after``: continue with older entries)."""
    stmt = select(ActivityEntry).options(joinedload(ActivityEntry.actor))
    if args.get("verb"):
        stmt = stmt.where(ActivityEntry.verb == args["verb"])
    if args.get("since"):
        stmt = stmt.where(ActivityEntry.created_dt >= args["since"])
    return stmt
