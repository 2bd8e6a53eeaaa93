"""Running a consultation: the city's officials and the secretariat."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.queries import all_cities
from ..database import commit, commit_and_redirect
from ..forms import render_form, with_current
from ..i18n import format_when
from ..organisations.permissions import official_cities
from ..permissions import confirmed_required, found_or_404, require
from ..security import accepts_files
from ..submissions import done, submitted_once
from . import bp, permissions, queries, services
from .forms import CloseEarlyForm, ConsultationForm, ExtendForm, PublishForm, QuestionForm
from .models import Consultation, Phase
from .views import consultation_or_404


def _managed_or_404(consultation_id: int) -> Consultation:
    consultation = consultation_or_404(consultation_id)
    require(permissions.can_manage(current_user, consultation))
    return consultation


def _questions_may_change(consultation: Consultation) -> None:
    """Those who manage it may; once voting has opened, nobody: a conflict, not a refusal."""
    if not permissions.can_change_questions(current_user, consultation):
        abort(409)


def _city_choices() -> list[tuple[int, str]]:
    """Admins may consult nationally (0) or in any city; officials in their cities."""
    mine = official_cities(current_user)
    cities = [(c.id, c.name) for c in all_cities() if current_user.is_admin or c.id in mine]
    return ([(0, _("National (the secretariat)"))] if current_user.is_admin else []) + cities


def _consultation_data(form: ConsultationForm) -> dict:
    return {name: form[name].data for name in (
        "title", "summary", "body", "city_id", "sectors", "opens_at", "closes_at",
        "results_while_open", "results_due_on") if name in form}


#: once voting is open, these are the rules of the vote and are not on the form
RULES = ("city_id", "sectors", "opens_at", "closes_at", "results_while_open")


@bp.route("/consultations/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
@accepts_files("image")
def new():
    require(permissions.can_create(current_user))
    form = ConsultationForm()
    form.city_id.choices = _city_choices()
    if form.validate_on_submit():
        consultation = services.create(current_user, _consultation_data(form))
        consultation.image = form.apply_image(None)
        return done(url_for(".manage", consultation_id=consultation.id),
                    _("The draft is saved. Add its questions, then announce it."))
    return render_form("consultations/edit.html", form, consultation=None)


@bp.route("/consultations/<id:consultation_id>/edit", methods=["GET", "POST"])
@confirmed_required
@accepts_files("image")
def edit(consultation_id):
    consultation = _managed_or_404(consultation_id)
    require(permissions.can_edit(current_user, consultation))
    form = ConsultationForm(obj=consultation)
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = consultation.opens_dt, consultation.closes_dt
        form.city_id.data = consultation.city_id or 0
    form.city_id.choices = with_current(_city_choices(), consultation.city)
    if consultation.phase == Phase.OPEN:
        for name in RULES:
            delattr(form, name)
    if form.validate_on_submit():
        try:
            services.edit(current_user, consultation, _consultation_data(form))
            consultation.image = form.apply_image(consultation.image)
            commit()
        except services.Invalid:
            form.closes_at.errors = [_("The consultation is announced: voting must close in "
                                       "the future.")]
            return render_template("consultations/edit.html", form=form,
                                   consultation=consultation), 422
        flash(_("The consultation is saved."), "success")
        return redirect(url_for(".manage", consultation_id=consultation.id), 303)
    return render_form("consultations/edit.html", form, consultation=consultation)


@bp.route("/consultations/<id:consultation_id>/manage")
@confirmed_required
def manage(consultation_id):
    return _render_manage(_managed_or_404(consultation_id))


def _render_manage(consultation: Consultation, close_form: CloseEarlyForm | None = None):
    return render_template(
        "consultations/manage.html", consultation=consultation,
        questions=queries.questions(consultation.id), question_form=QuestionForm(formdata=None),
        extend_form=ExtendForm(formdata=None), Phase=Phase,
        close_form=close_form or CloseEarlyForm(formdata=None),
        can_change=permissions.can_change_questions(current_user, consultation),
        can_edit=permissions.can_edit(current_user, consultation))


@bp.route("/consultations/<id:consultation_id>/close", methods=["POST"])
@confirmed_required
def close_early(consultation_id):
    """Close voting now, with a public reason."""
    consultation = _managed_or_404(consultation_id)
    form = CloseEarlyForm()
    if not form.validate_on_submit():
        return _render_manage(consultation, form), 422
    services.close_early(current_user, consultation, form.reason.data,
                         form.results_due_on.data)
    return commit_and_redirect(_("Voting is closed. Publish the results when they are ready."),
                               url_for(".manage", consultation_id=consultation.id))


@bp.route("/consultations/<id:consultation_id>/questions", methods=["POST"])
@confirmed_required
@submitted_once
def add_question(consultation_id):
    consultation = _managed_or_404(consultation_id)
    _questions_may_change(consultation)
    form = QuestionForm()
    if not form.validate_on_submit():
        return render_template("consultations/question.html", form=form,
                               consultation=consultation, question=None), 422
    question = services.add_question(consultation, _question_data(form))
    return done(url_for(".manage", consultation_id=consultation.id, _anchor="questions"),
                _("The question “%(text)s” is added.", text=question.text))


def _question_data(form: QuestionForm) -> dict:
    return {"text": form.text.data, "help_text": form.help_text.data, "kind": form.kind.data,
            "max_choices": form.max_choices.data, "options": form.option_lines()}


@bp.route("/consultations/<id:consultation_id>/questions/<id:question_id>",
          methods=["GET", "POST"])
@confirmed_required
def edit_question(consultation_id, question_id):
    consultation = _managed_or_404(consultation_id)
    require(permissions.can_edit(current_user, consultation))
    question = found_or_404(queries.question(consultation.id, question_id))
    form = QuestionForm(obj=question)
    # the options as the form writes them, never the question's rows (a form sent without
    # the field keeps them)
    if request.method == "GET" or "options" not in request.form:
        form.options.data = "\n".join(o.label for o in question.options if not o.code)
    if form.validate_on_submit():
        try:
            services.change_question(current_user, consultation, question,
                                     _question_data(form), question.options)
            commit()
        except services.Invalid:
            form.options.errors = [_("While voting is open only the wording may change: keep "
                                     "the type, the limit and the number of options.")]
            return render_template("consultations/question.html", form=form,
                                   consultation=consultation, question=question), 409
        flash(_("The question is saved."), "success")
        return redirect(url_for(".manage", consultation_id=consultation.id,
                                _anchor="questions"), 303)
    return render_form("consultations/question.html", form, consultation=consultation,
                       question=question)


@bp.route("/consultations/<id:consultation_id>/questions/<id:question_id>/delete",
          methods=["POST"])
@confirmed_required
def delete_question(consultation_id, question_id):
    consultation = _managed_or_404(consultation_id)
    _questions_may_change(consultation)
    question = found_or_404(queries.question(consultation.id, question_id))
    services.delete_question(consultation, question)
    return commit_and_redirect(_("The question “%(text)s” is deleted.", text=question.text),
                               url_for(".manage", consultation_id=consultation.id,
                                       _anchor="questions"))


@bp.route("/consultations/<id:consultation_id>/announce", methods=["POST"])
@bp.route("/consultations/<id:consultation_id>/withdraw", methods=["POST"],
          endpoint="withdraw")
@confirmed_required
def announce(consultation_id):
    consultation = _managed_or_404(consultation_id)
    announcing = request.endpoint == "consultations.announce"
    try:
        if announcing:
            services.announce(current_user, consultation, queries.questions(consultation.id))
        else:
            services.withdraw(current_user, consultation)
    except services.Invalid as invalid:
        flash(_("Add at least one question first.") if str(invalid) == "no questions" else
              _("The closing time has passed: set new times first."), "error")
        return redirect(url_for(".manage", consultation_id=consultation.id), 303)
    if not announcing:
        message = _("The consultation is back to draft: only its officials see it.")
    elif consultation.phase == Phase.OPEN:
        message = _("The consultation is announced and voting is open.")
    else:
        message = _("The consultation is announced: voting opens on %(when)s.",
                    when=format_when(consultation.opens_dt))
    return commit_and_redirect(message, url_for(".show", consultation_id=consultation.id))


@bp.route("/consultations/<id:consultation_id>/extend", methods=["POST"])
@confirmed_required
def extend(consultation_id):
    consultation = _managed_or_404(consultation_id)
    form = ExtendForm()
    if not form.validate_on_submit() or form.closes_at.data is None:
        abort(400)
    try:
        services.extend(current_user, consultation, form.closes_at.data)
        commit()
    except services.Invalid:
        flash(_("Voting may be extended, never shortened: choose a later time."), "error")
    return redirect(url_for(".manage", consultation_id=consultation.id), 303)


@bp.route("/consultations/<id:consultation_id>/publish", methods=["GET", "POST"])
@confirmed_required
def publish(consultation_id):
    consultation = _managed_or_404(consultation_id)
    services.require_publishable(consultation)
    form = PublishForm(obj=consultation)
    if form.validate_on_submit():
        first = services.publish(current_user, consultation, form.response.data)
        return commit_and_redirect(
            _("The results and the response are published.") if first else
            _("The response is updated."),
            url_for(".results_page", consultation_id=consultation.id))
    return render_form("consultations/publish.html", form, consultation=consultation)
