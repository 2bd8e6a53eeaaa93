"""Moderators' and admins' pages of the forums: lock, pin, move; categories. (Reports, the
queue and hiding posts: m100hub.moderation.)"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..cities.queries import city_choices
from ..database import commit
from ..extensions import db
from ..moderation.forms import OptionalReasonForm
from ..permissions import admin_required, get_or_404, moderator_required
from ..submissions import done, submitted_once
from . import bp, moderation, queries
from .forms import CategoryForm, MoveForm
from .models import Category, Thread


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
    form.category_id.choices = [(c.id, c.title) for c in queries.categories()
                                if c.id != thread.category_id and not c.archived]
    if form.validate_on_submit():
        moderation.move(current_user, thread, db.session.get_one(Category, form.category_id.data),
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
@submitted_once
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
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("A category with this name exists already."))
        else:
            return done(url_for(".categories_admin"), _("The category is saved."))
    return render_template("forums/edit_category.html", form=form, category=category)
