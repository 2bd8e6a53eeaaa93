"""The resources library in the open-data API: published knowledge items and good practices,
and published funding calls with the status their dates give — never what awaits approval,
who suggested it, or an uploaded file's bytes (its page links the download)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

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
from .models import (
    Applicant,
    CallStatus,
    Curation,
    FundingCall,
    Language,
    Resource,
    ResourceCity,
    ResourceKind,
)
from .queries import CallFilters, ResourceFilters, call_status, filtered_calls, filtered_resources

blp = api_blueprint("resources", __name__,
                    "The library of knowledge, good practices and funding calls.")


def _values(rows: str, column: str) -> fields.Field:
    return fields.Function(lambda obj: [getattr(row, column).value
                                        for row in getattr(obj, rows)],
                           required=True, metadata={"type": "array", "items": {"type": "string"}})


class ResourceSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(ResourceKind, by_value=True, required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True, metadata={"description": "Markdown"})
    link = fields.String(required=True, attribute="url",
                         metadata={"description": "The item's address; empty: a PDF here"})
    language = fields.Enum(Language, by_value=True, required=True)
    tags = fields.String(required=True)
    sectors = _values("sector_rows", "sector")
    cities = fields.Function(lambda obj: [row.city.slug for row in obj.city_rows],
                             required=True,
                             metadata={"type": "array", "items": {"type": "string"}})
    practice_city = related_slug("practice_city", nullable=True,
                                 description="a good practice's city (slug)")
    action = fields.Integer(required=True, allow_none=True, attribute="action_id",
                            metadata={"description": "a good practice's contract action"})
    cost = fields.String(required=True)
    result = fields.String(required=True, metadata={"description": "Markdown"})
    updated = fields.DateTime(required=True, attribute="updated_dt")
    page = page_address("resources.resource", resource_id="id")


class ResourceArgs(ListArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in ResourceKind]))
    sector = fields.String(validate=validate.OneOf([s.value for s in ClimateSector]))
    city = city_arg()
    language = fields.String(validate=validate.OneOf([lang.value for lang in Language]))


def _resources():
    return (select(Resource).where(Resource.status == Curation.PUBLISHED)
            .options(joinedload(Resource.practice_city), selectinload(Resource.sector_rows),
                     selectinload(Resource.city_rows).joinedload(ResourceCity.city)))


@list_endpoint(blp, "/resources", ResourceArgs, ResourceSchema, Resource.id)
def resources(args):
    """Published knowledge items and good practices, by id."""
    stmt = filtered_resources(_resources(), ResourceFilters(
        kind=args.get("kind", ""), language=args.get("language", ""),
        sector=args.get("sector", "")))
    if args.get("city"):
        stmt = stmt.where(Resource.city_rows.any(ResourceCity.city_id == id_of(args["city"])))
    return stmt


@blp.route("/resources/<id:resource_id>")
@blp.response(200, ResourceSchema)
def resource(resource_id):
    """One published item."""
    return db.first_or_404(_resources().where(Resource.id == resource_id))


class CallSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    programme = fields.String(required=True)
    funder = fields.String(required=True)
    call_identifier = fields.String(required=True)
    summary = fields.String(required=True, metadata={"description": "Markdown"})
    amount_min = fields.Integer(required=True, allow_none=True)
    amount_max = fields.Integer(required=True, allow_none=True)
    currency = fields.String(required=True)
    cofinancing_rate = fields.Integer(required=True, allow_none=True,
                                      metadata={"description": "percent"})
    opens_on = fields.Date(required=True, allow_none=True)
    deadline = fields.DateTime(required=True, attribute="deadline_dt")
    status = fields.Function(lambda call: call_status(call).value, required=True, metadata={
        "type": "string", "enum": [s.value for s in CallStatus],
        "description": "from the dates, now"})
    applicants = _values("applicant_rows", "applicant")
    sectors = _values("sector_rows", "sector")
    link = fields.String(required=True, attribute="url",
                         metadata={"description": "The official call"})
    example_dates = fields.Boolean(required=True, attribute="is_example", metadata={
        "description": "demo data: a real programme, its dates only examples"})
    page = page_address("resources.funding_call", call_id="id")


class CallArgs(ListArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in CallStatus]))
    sector = fields.String(validate=validate.OneOf([s.value for s in ClimateSector]))
    applicant = fields.String(validate=validate.OneOf([a.value for a in Applicant]))


def _calls():
    return (select(FundingCall).where(FundingCall.status == Curation.PUBLISHED)
            .options(selectinload(FundingCall.sector_rows),
                     selectinload(FundingCall.applicant_rows)))


@list_endpoint(blp, "/funding-calls", CallArgs, CallSchema, FundingCall.id)
def funding_calls(args):
    """Published funding calls, by id; ``status`` open, upcoming or closed, from the dates."""
    return filtered_calls(_calls(), CallFilters(
        sector=args.get("sector", ""), applicant=args.get("applicant", ""),
        when=args.get("status", "")))


@blp.route("/funding-calls/<id:call_id>")
@blp.response(200, CallSchema)
def funding_call(call_id):
    """One published funding call."""
    return db.first_or_404(_calls().where(FundingCall.id == call_id))
