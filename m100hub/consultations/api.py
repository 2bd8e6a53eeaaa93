"""Consultations in the open-data API: the announced ones, and the aggregated results of
those whose results are public (the results page's, never a ballot or a vote)."""

from __future__ import annotations

from flask import abort, current_app, url_for
from flask_login import AnonymousUserMixin
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
from . import permissions, queries, results
from .models import Consultation, Phase, QuestionKind

blp = api_blueprint("consultations", __name__,
                    "Public consultations and their aggregated results.")
#: what the API shows is what a visitor who is not signed in sees
VISITOR = AnonymousUserMixin()


def _results_address(consultation: Consultation) -> str | None:
    if not permissions.can_see_results(VISITOR, consultation):
        return None
    return url_for("api_consultations.consultation_results", consultation_id=consultation.id,
                   _external=True)


class ConsultationSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Markdown"})
    city = related_slug("city", nullable=True, description="slug; null: national")
    sectors = fields.List(fields.String(), required=True)
    phase = fields.Enum(Phase, by_value=True, required=True)
    opens = fields.DateTime(required=True, attribute="opens_dt")
    closes = fields.DateTime(required=True, attribute="closes_dt")
    closed_early_reason = fields.String(required=True, allow_none=True)
    results_published = fields.DateTime(required=True, allow_none=True,
                                        attribute="published_dt")
    results_due_on = fields.Date(required=True, allow_none=True)
    participants = fields.Integer(required=True, attribute="participant_count")
    proposals = fields.Integer(required=True, attribute="proposal_count")
    comments = fields.Integer(required=True, attribute="comment_count")
    results = fields.Function(_results_address, required=True, allow_none=True, metadata={
        "type": "string", "nullable": True,
        "description": "The aggregated results' address, while they are public"})
    page = page_address("consultations.show", consultation_id="id")


class ConsultationArgs(ListArgs):
    city = city_arg()
    sector = fields.String(validate=validate.OneOf([s.value for s in ClimateSector]))
    phase = fields.String(validate=validate.OneOf(queries.PHASE_FILTERS))


class ResultSummarySchema(Schema):
    """As the results' JSON export writes it (results.as_json)."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    city = fields.String(required=True, allow_none=True, metadata={"description": "name"})
    phase = fields.String(required=True, metadata={"enum": [p.value for p in Phase]})
    opens = fields.String(required=True)
    closes = fields.String(required=True)
    participants = fields.Integer(required=True)
    published = fields.String(required=True, allow_none=True)
    results_due = fields.String(required=True, allow_none=True)
    closed_early_reason = fields.String(required=True, allow_none=True)


class OptionResultSchema(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    votes = fields.Integer(required=True)
    percent = fields.Float(required=True)
    by_sector = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class RoundSchema(Schema):
    number = fields.Integer(required=True)
    votes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                        metadata={"description": "option id → votes in this round"})
    exhausted = fields.Integer(required=True)
    eliminated = fields.List(fields.Integer(), required=True)


class QuestionResultSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in QuestionKind]})
    ballots = fields.Integer(required=True)
    ballots_by_sector = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                    required=True)
    options = fields.List(fields.Nested(OptionResultSchema), required=True)
    rounds = fields.List(fields.Nested(RoundSchema), required=True)
    winners = fields.List(fields.Integer(), required=True)


class ResultsSchema(Schema):
    consultation = fields.Nested(ResultSummarySchema, required=True)
    questions = fields.List(fields.Nested(QuestionResultSchema), required=True)


def _announced():
    return select(Consultation).options(joinedload(Consultation.city)).where(
        Consultation.announced_dt.is_not(None))


@list_endpoint(blp, "/consultations", ConsultationArgs, ConsultationSchema, Consultation.id)
def consultations(args):
    """Announced consultations, by id."""
    stmt = queries.filtered(_announced(), args.get("phase", ""), args.get("sector", ""))
    if args.get("city"):
        stmt = stmt.where(Consultation.city_id == id_of(args["city"]))
    return stmt


def _announced_or_404(consultation_id: int) -> Consultation:
    return db.first_or_404(_announced().where(Consultation.id == consultation_id))


@blp.route("/consultations/<id:consultation_id>")
@blp.response(200, ConsultationSchema)
def consultation(consultation_id):
    """One announced consultation."""
    return _announced_or_404(consultation_id)


@blp.route("/consultations/<id:consultation_id>/results")
@blp.response(200, ResultsSchema)
def consultation_results(consultation_id):
    """A consultation's aggregated results, while they are public (as the results page and
    its JSON export: sectors with too few ballots counted together)."""
    found = _announced_or_404(consultation_id)
    if not permissions.can_see_results(VISITOR, found):
        abort(404)
    return results.as_json(found, results.compute(
        queries.questions(found.id), current_app.config["RESULTS_MIN_CELL"]))
