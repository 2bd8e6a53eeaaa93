"""Results of a consultation: the page with charts and tables, CSV and JSON exports."""

from __future__ import annotations

from flask import Response, abort, jsonify, render_template, session
from flask_babel import get_locale
from flask_login import current_user

from ..page_cache import FragmentCache
from . import bp, permissions, queries, results
from .counting import SECTORS
from .models import Phase
from .views import consultation_or_404

#: once voting has closed, ballots (and so the figures) no longer change
FROZEN = (Phase.CLOSED, Phase.PUBLISHED)


def _results_or_404(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    if not permissions.can_see_results(current_user, consultation):
        abort(404)
    return consultation, results.compute(queries.questions(consultation.id))


#: results pages of closed consultations (their tallies no longer move) for visitors without
#: a session, keyed by everything else the page shows: nothing needs invalidating
results_cache = FragmentCache(size=128)


@bp.route("/consultations/<id:consultation_id>/results")
def results_page(consultation_id):
    consultation = consultation_or_404(consultation_id)
    if not permissions.can_see_results(current_user, consultation):
        abort(404)

    def render():
        answered = results.compute(queries.questions(consultation.id))
        return render_template("consultations/results.html", consultation=consultation,
                               answered=answered, sectors=SECTORS,
                               sector_labels=results.sector_labels())

    if session or current_user.is_authenticated or consultation.phase not in FROZEN:
        return render()
    key = ("results", consultation.id, str(get_locale()), consultation.phase.value,
           consultation.title, consultation.published_dt, hash(consultation.response_html),
           consultation.participant_count, consultation.city_id)
    return results_cache.get_or_make(key, render)


@bp.route("/consultations/<id:consultation_id>/results.json")
def results_json(consultation_id):
    consultation, answered = _results_or_404(consultation_id)
    return jsonify(results.as_json(consultation, answered))


@bp.route("/consultations/<id:consultation_id>/results.csv")
def results_csv(consultation_id):
    consultation, answered = _results_or_404(consultation_id)
    name = f"consultation-{consultation.id}-results.csv"
    return Response(results.as_csv(answered), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
