"""The cities in the open-data API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..open_data import ListArgs, api_blueprint, list_endpoint, page_address
from ..permissions import found_or_404
from .models import City, MissionStatus
from .queries import by_slug

blp = api_blueprint("cities", __name__, "EU-mission, M100 mirror and aspiring cities.")


class CitySchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    county = fields.String(required=True)
    population = fields.Integer(required=True, allow_none=True)
    mission_status = fields.Enum(MissionStatus, by_value=True, required=True)
    summary = fields.String(required=True, metadata={"description": "Markdown"})
    page = page_address("cities.show", slug="slug")


class CityListArgs(ListArgs):
    mission_status = fields.String(validate=validate.OneOf([s.value for s in MissionStatus]))


@list_endpoint(blp, "/cities", CityListArgs, CitySchema, City.id)
def cities(args):
    """Every city, by id."""
    stmt = select(City)
    if args.get("mission_status"):
        stmt = stmt.where(City.mission_status == args["mission_status"])
    return stmt


@blp.route("/cities/<slug:slug>")
@blp.response(200, CitySchema)
def city(slug):
    """One city, by its slug."""
    return found_or_404(by_slug(slug))
