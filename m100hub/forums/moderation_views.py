"""Moderators' and admins' pages: the queue, hide/unhide, lock, pin, move; categories."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..cities.queries import city_choices
from ..database import commit
from ..extensions import db
from ..permissions import admin_required, get_or_404, moderator_required
from ..util import page_arg
from . import bp, moderation, queries
from .forms import CategoryForm, MoveForm, OptionalReasonForm, ReasonForm
from .models import Category, Post, Thread
from .views import _post_url


@bp.route("/forums/moderation")
@moderator_required
def moderation_queue():
    from ..consultations.queries import moderation_queue as reported_comments

    page = queries.moderation_queue(page_arg())
    comments, comment_reports = reported_comments()
    return render_template("forums/moderation.html", page=page,
                           reports=queries.open_reports([p.id for p in page.items]),
                           comments=comments, comment_reports=comment_reports,
                           form=ReasonForm())


@bp.route("/forums/p/<id:post_id>/hide", methods=["POST"])
@bp.route("/forums/p/<id:post_id>/unhide", methods=["POST"], endpoint="unhide")
@moderator_required
def hide(post_id):
    post = get_or_404(Post, post_id)
    hiding = request.endpoint == "forums.hide"
    form = ReasonForm() if hiding else OptionalReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a public reason when you hide a post.") if hiding
              else _("The reason is too long."), "error")
        return redirect(_post_url(post.thread_id, post.number), 303)
    if hiding:
        moderation.hide(current_user, post, form.reason.data)
    else:
        moderation.keep_visible(current_user, post, form.reason.data or "")
    commit()
    flash(_("The post is hidden.") if hiding else _("The post is visible again."), "success")
    return redirect(_post_url(post.thread_id, post.number), 303)


@bp.route("/forums/t/<id:thread_id>/<any(lock, unlock, pin, unpin):action>", methods=["POST"])
@moderator_required
def thread_action(thread_id, action):
    thread = get_or_404(Thread, thread_id)
    form = OptionalReasonForm()
    if not form.validate_on_submit():
        abort(400)
    reason = form.reason.data or ""
    if action in ("lock", "unlock"):
        moderation.set_locked(current_user, thread, action == "lock", reason)
    else:
        moderation.set_pinned(current_user, thread, action == "pin", reason)
    commit()
    return redirect(url_for(".thread", thread_id=thread.id), 303)


@bp.route("/forums/t/<id:thread_id>/move", methods=["GET", "POST"])
@moderator_required
def move(thread_id):
    thread = get_or_404(Thread, thread_id)
    form = MoveForm()
    form.category_id.choices = [(c.id, c.name) for c in queries.categories()
                                if c.id != thread.category_id and not c.archived]
    if form.validate_on_submit():
        moderation.move(current_user, thread, db.session.get(Category, form.category_id.data),
                        form.reason.data or "")
        commit()
        flash(_("The thread has been moved."), "success")
        return redirect(url_for(".thread", thread_id=thread.id), 303)
    return render_template("forums/move.html", form=form, thread=thread)


@bp.route("/forums/categories")
@admin_required
def categories_admin():
    return render_template("forums/categories_admin.html", categories=queries.categories())


@bp.route("/forums/categories/new", methods=["GET", "POST"])
@bp.route("/forums/categories/<id:category_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_category(category_id=None):
    category = get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(obj=category)
    form.city_id.choices = city_choices(_("— none —"))
    if request.method == "GET" and category is not None:
        form.sector.data = category.sector.value if category.sector else ""
        form.city_id.data = category.city_id or 0
    if form.validate_on_submit():
        try:
            moderation.save_category(current_user, category, form.data)
            commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("A category with this name exists already."))
        else:
            flash(_("The category is saved."), "success")
            return redirect(url_for(".categories_admin"), 303)
    return render_template("forums/edit_category.html", form=form, category=category)
