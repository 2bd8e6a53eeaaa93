"""Proposals, supports and comments of a consultation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..database import commit
from ..forms import render_form
from ..permissions import confirmed_required, found_or_404, get_or_404, require
from ..security import posting_limit, reacting_limit
from ..submissions import done, submitted_once
from ..util import choice_arg, page_arg
from . import bp, participation, permissions, queries, services
from .forms import CommentForm, ProposalForm, ProposalStatusForm
from .models import Comment
from .views import _render_show, comment_box, consultation_or_404

# Posting and reacting draw on the forums' allowances (security.posting_limit,
# reacting_limit): one budget per person across the hub.


def _proposal_or_404(proposal_id: int):
    proposal = found_or_404(queries.proposal(proposal_id))
    return proposal, consultation_or_404(proposal.consultation_id)


@bp.route("/consultations/<id:consultation_id>/proposals")
def proposals(consultation_id):
    consultation = consultation_or_404(consultation_id)
    order = "new" if request.args.get("order") == "new" else "supports"
    page = queries.proposals(consultation.id, page_arg(), order)
    mine = (queries.supported(current_user.id, [p.id for p in page.items])
            if current_user.is_authenticated else set())
    return render_template("consultations/proposals.html", consultation=consultation,
                           page=page, order=order, supported=mine,
                           can_propose=permissions.can_propose(current_user, consultation))


@bp.route("/consultations/<id:consultation_id>/proposals/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
@posting_limit()
def new_proposal(consultation_id):
    consultation = consultation_or_404(consultation_id)
    require(permissions.can_propose(current_user, consultation))
    form = ProposalForm()
    if form.validate_on_submit():
        proposal = participation.submit_proposal(current_user, consultation,
                                                 form.title.data, form.body.data)
        return done(url_for(".proposal", proposal_id=proposal.id),
                    _("Your proposal is published."))
    return render_form("consultations/new_proposal.html", form, consultation=consultation)


@bp.route("/proposals/<id:proposal_id>")
def proposal(proposal_id):
    proposal, consultation = _proposal_or_404(proposal_id)
    return _render_proposal(proposal, consultation)


def _render_proposal(proposal, consultation, comment_form=None, status_form=None):
    signed_in = current_user.is_authenticated
    order = choice_arg("order", queries.COMMENT_ORDERS, "best")
    can_comment = permissions.can_comment(current_user, consultation)
    can_answer = permissions.can_answer_proposals(current_user, consultation)
    # forms only for those who may use them: a form puts a token in the session, and a
    # visitor without a session is served the cached page
    if can_answer and status_form is None:
        status_form = ProposalStatusForm(formdata=None, obj=proposal)
    comments = queries.comments(consultation.id, proposal.id, order, page_arg(),
                                current_user.id if signed_in else None)
    return render_template(
        "consultations/proposal.html", proposal=proposal, consultation=consultation,
        supported=signed_in and bool(queries.supported(current_user.id, [proposal.id])),
        comments=comments, order=order,
        my_comment_votes=queries.viewer_votes(comments, current_user.id, consultation.id)
        if signed_in else {},
        comment_box=comment_box(url_for(".comment_on_proposal", proposal_id=proposal.id),
                                order, comment_form) if can_comment else None,
        status_form=status_form,
        can_support=permissions.can_support(current_user, consultation, proposal),
        can_comment=can_comment, can_answer=can_answer)


@bp.route("/proposals/<id:proposal_id>/support", methods=["POST"])
@bp.route("/proposals/<id:proposal_id>/unsupport", methods=["POST"], endpoint="unsupport")
@confirmed_required
@submitted_once
def support(proposal_id):
    proposal, consultation = _proposal_or_404(proposal_id)
    require(permissions.can_support(current_user, consultation, proposal))
    action = participation.support if request.endpoint == "consultations.support" else \
        participation.withdraw_support
    action(current_user, consultation, proposal)
    return done(url_for(".proposal", proposal_id=proposal.id))


@bp.route("/proposals/<id:proposal_id>/status", methods=["POST"])
@confirmed_required
def proposal_status(proposal_id):
    proposal, consultation = _proposal_or_404(proposal_id)
    require(permissions.can_answer_proposals(current_user, consultation))
    form = ProposalStatusForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, consultation, status_form=form), 422
    services.answer_proposal(current_user, consultation, proposal, form.status.data,
                             form.reason.data)
    commit()
    flash(_("The proposal's status is saved."), "success")
    return redirect(url_for(".proposal", proposal_id=proposal.id), 303)


@bp.route("/consultations/<id:consultation_id>/comments", methods=["POST"])
@bp.route("/proposals/<id:proposal_id>/comments", methods=["POST"],
          endpoint="comment_on_proposal")
@confirmed_required
@submitted_once
@posting_limit()
def add_comment(consultation_id=None, proposal_id=None):
    proposal = None
    if proposal_id is not None:
        proposal, consultation = _proposal_or_404(proposal_id)
    else:
        consultation = consultation_or_404(consultation_id)
    require(permissions.can_comment(current_user, consultation))
    form = CommentForm()
    if form.is_submitted() and not form.parent_id.validate(form):
        abort(400)  # a forged reply target (the field is hidden)
    if not form.validate_on_submit():
        page = (_render_proposal(proposal, consultation, comment_form=form) if proposal
                else _render_show(consultation, comment_form=form))
        return page, 422
    parent = db_comment(form.parent_id.data) if form.parent_id.data else None
    try:
        comment = participation.add_comment(current_user, consultation, form.body.data,
                                            proposal, parent)
    except LookupError:  # a reply to a comment of another discussion, or a hidden one
        abort(400)
    return done(comment_url(comment))


def db_comment(comment_id: int) -> Comment:
    return get_or_404(Comment, comment_id)


def comment_url(comment: Comment) -> str:
    """The comment in its discussion, on the page that shows it, in the order the reader
    was reading it (the discussion's forms send it; most agreed first otherwise)."""
    order = choice_arg("order", queries.COMMENT_ORDERS, "best")
    page = queries.comment_page(comment, order)
    where: dict[str, Any] = {"order": order if order != "best" else None,
                             "page": page if page > 1 else None,
                             "_anchor": f"comment-{comment.id}"}
    if comment.proposal_id:
        return url_for("consultations.proposal", proposal_id=comment.proposal_id, **where)
    return url_for("consultations.show", consultation_id=comment.consultation_id, **where)


def _comment_or_404(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    consultation = consultation_or_404(comment.consultation_id)
    return comment, consultation


@bp.route("/comments/<id:comment_id>")
def comment(comment_id):
    comment, _consultation = _comment_or_404(comment_id)
    return redirect(comment_url(comment))


@bp.route("/comments/<id:comment_id>/vote", methods=["POST"])
@confirmed_required
@reacting_limit()
def vote_comment(comment_id):
    comment, consultation = _comment_or_404(comment_id)
    value = {"up": 1, "down": -1, "none": 0}.get(request.form.get("value", ""))
    if value is None:
        abort(400)
    require(permissions.can_vote_on_comment(current_user, consultation, comment))
    participation.vote_comment(current_user, comment, value)
    commit()
    return redirect(comment_url(comment), 303)


@bp.route("/comments/<id:comment_id>/delete", methods=["POST"])
@login_required
def delete_comment(comment_id):
    comment, _consultation = _comment_or_404(comment_id)
    require(permissions.can_delete_comment(current_user, comment))
    participation.delete_comment(comment)
    commit()
    return redirect(comment_url(comment), 303)
