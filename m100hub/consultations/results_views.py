"""Results of a consultation: the page with charts and tables, CSV and JSON exports; and the
participation statistics, public in every phase (counts of people, never choices)."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template
from flask_login import current_user

from ..page_cache import anonymous_page
from ..util import csv_response
from . import bp, permissions, queries, results, statistics
from .views import consultation_or_404


def _results_or_404(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    if not permissions.can_see_results(current_user, consultation):
        abort(404)
    return consultation, results.compute(queries.questions(consultation.id),
                                         current_app.config["RESULTS_MIN_CELL"])


@bp.route("/consultations/<id:consultation_id>/results")
@anonymous_page
def results_page(consultation_id):
    consultation, answered = _results_or_404(consultation_id)
    return render_template("consultations/results.html", consultation=consultation,
                           answered=answered, minimum=current_app.config["RESULTS_MIN_CELL"],
                           sector_labels=results.sector_labels())


@bp.route("/consultations/<id:consultation_id>/results.json")
def results_json(consultation_id):
    consultation, answered = _results_or_404(consultation_id)
    return jsonify(results.as_json(consultation, answered))


@bp.route("/consultations/<id:consultation_id>/results.csv")
def results_csv(consultation_id):
    consultation, answered = _results_or_404(consultation_id)
    return csv_response(results.CSV_HEADER, results.csv_rows(answered),
                        f"consultation-{consultation.id}-results.csv")


@bp.route("/consultations/<id:consultation_id>/participation")
@anonymous_page
def statistics_page(consultation_id):
    consultation = consultation_or_404(consultation_id)
    minimum = current_app.config["RESULTS_MIN_CELL"]
    return render_template("consultations/statistics.html", consultation=consultation,
                           stats=statistics.compute(consultation, minimum), minimum=minimum,
                           can_see_results=permissions.can_see_results(current_user,
                                                                       consultation))
