"""Climate City Contracts in the open-data API: the contracts, their actions with the
funding lines (the investment plan), and the emission inventories."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..cities.queries import id_of
from ..extensions import db
from ..open_data import ListArgs, api_blueprint, city_arg, list_endpoint, related_slug
from .models import Action, ActionStatus, Contract, ContractSector, FundingKind, Inventory

blp = api_blueprint("contracts", __name__,
                    "Climate City Contracts: actions, their funding and emission inventories.")

SECTORS = [s.value for s in ContractSector]


class ContractSchema(Schema):
    id = fields.Integer(required=True)
    city = related_slug("city")
    ambition = fields.String(required=True, metadata={"description": "Markdown"})
    target_year = fields.Integer(required=True)
    baseline_year = fields.Integer(required=True)
    illustrative = fields.Boolean(required=True, attribute="is_demo", metadata={
        "description": "Demo data: the figures are illustrative"})
    updated = fields.DateTime(required=True, attribute="updated_dt")
    page = fields.Function(lambda c: url_for("contracts.contract", slug=c.city.slug,
                                             _external=True),
                           required=True, metadata={"type": "string"})


class FundingSchema(Schema):
    source_kind = fields.Enum(FundingKind, by_value=True, required=True)
    programme = fields.String(required=True)
    secured_eur = fields.Integer(required=True, attribute="secured")
    sought_eur = fields.Integer(required=True, attribute="sought")


class ActionSchema(Schema):
    id = fields.Integer(required=True)
    city = related_slug("contract.city")
    sector = fields.Enum(ContractSector, by_value=True, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "Markdown"})
    organisation = fields.Function(
        lambda action: action.organisation.name if action.organisation else None,
        required=True, allow_none=True, metadata={"type": "string", "nullable": True})
    status = fields.Enum(ActionStatus, by_value=True, required=True)
    dropped_reason = fields.String(required=True)
    starts_on = fields.Date(required=True, allow_none=True)
    ends_on = fields.Date(required=True, allow_none=True)
    expected_reduction_tco2e = fields.Integer(required=True, allow_none=True,
                                              attribute="expected_reduction")
    progress = fields.Integer(required=True, metadata={"description": "Percent done"})
    cost_eur = fields.Integer(required=True, allow_none=True, attribute="cost")
    funding = fields.List(fields.Nested(FundingSchema), required=True,
                          attribute="funding_lines")
    updated = fields.DateTime(required=True, attribute="updated_dt")


class InventorySchema(Schema):
    id = fields.Integer(required=True)
    city = related_slug("city")
    year = fields.Integer(required=True)
    sector = fields.Enum(ContractSector, by_value=True, required=True)
    tco2e = fields.Integer(required=True)
    source = fields.String(required=True)


class CityArgs(ListArgs):
    city = city_arg()


class ActionArgs(CityArgs):
    sector = fields.String(validate=validate.OneOf(SECTORS))
    status = fields.String(validate=validate.OneOf([s.value for s in ActionStatus]))


class InventoryArgs(CityArgs):
    sector = fields.String(validate=validate.OneOf(SECTORS))
    year_from = fields.Integer(validate=validate.Range(min=1990, max=2100))
    year_to = fields.Integer(validate=validate.Range(min=1990, max=2100))


@list_endpoint(blp, "/contracts", CityArgs, ContractSchema, Contract.id)
def contracts(args):
    """Every city's contract, by id."""
    stmt = select(Contract).options(joinedload(Contract.city))
    if args.get("city"):
        stmt = stmt.where(Contract.city_id == id_of(args["city"]))
    return stmt


@blp.route("/cities/<slug:slug>/contract")
@blp.response(200, ContractSchema)
def contract(slug):
    """A city's contract."""
    return db.first_or_404(select(Contract).options(joinedload(Contract.city))
                            .where(Contract.city_id == id_of(slug)))


@list_endpoint(blp, "/actions", ActionArgs, ActionSchema, Action.id)
def actions(args):
    """The contracts' actions with their funding lines, by id."""
    stmt = select(Action).options(
        joinedload(Action.contract).joinedload(Contract.city),
        joinedload(Action.organisation), selectinload(Action.funding_lines))
    if args.get("city"):
        stmt = stmt.join(Contract, Contract.id == Action.contract_id).where(
            Contract.city_id == id_of(args["city"]))
    if args.get("sector"):
        stmt = stmt.where(Action.sector == args["sector"])
    if args.get("status"):
        stmt = stmt.where(Action.status == args["status"])
    return stmt


@list_endpoint(blp, "/inventories", InventoryArgs, InventorySchema, Inventory.id)
def inventories(args):
    """The cities' emission inventories (tonnes of CO2 equivalent per sector and year)."""
    stmt = select(Inventory).options(joinedload(Inventory.city))
    if args.get("city"):
        stmt = stmt.where(Inventory.city_id == id_of(args["city"]))
    if args.get("sector"):
        stmt = stmt.where(Inventory.sector == args["sector"])
    if args.get("year_from"):
        stmt = stmt.where(Inventory.year >= args["year_from"])
    if args.get("year_to"):
        stmt = stmt.where(Inventory.year <= args["year_to"])
    return stmt

