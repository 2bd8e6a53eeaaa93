"""Reading and writing in the forums. Moderation and category admin: moderation_views.py."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..cities.queries import city_choices
from ..consultations import permissions as consultation_rules
from ..consultations.queries import consultation as find_consultation
from ..database import commit, get_writes_follow
from ..events.queries import event as find_event
from ..extensions import db
from ..follows import FollowRoutes, add_follow_routes
from ..fragments import Fragments, blank_form
from ..page_cache import anonymous_page
from ..permissions import can_moderate, found_or_404, get_or_404, require
from ..security import posting_limit, reacting_limit
from ..submissions import done, submitted_once
from ..util import page_arg, parse_id
from . import bp, moderation, permissions, queries, search, services
from .forms import EditForm, ReplyForm, ThreadForm
from .models import CATEGORY_FOLLOWS, THREAD_FOLLOWS, Category, Post, Thread
from .queries import page_of


def category_or_404(slug: str) -> Category:
    return found_or_404(queries.category_by_slug(slug))


def _thread_or_404(thread_id, viewer_id: int | None = None) -> Thread:
    thread = queries.thread(thread_id, viewer_id)
    if thread is None or not permissions.can_see_thread(current_user, thread):
        abort(404)
    return thread


def _post_or_404(post_id, *options, writing: bool = False) -> tuple[Post, Thread]:
    """The post (with the relationships ``options`` load) and its thread (404 when hidden from
    this reader); a write on a post of an archived category is a conflict: archived means
    read-only."""
    post = get_or_404(Post, post_id, *options)
    thread = _thread_or_404(post.thread_id)
    if writing and thread.category.archived:
        abort(409)
    return post, thread


def _post_url(thread_id: int, number: int) -> str:
    return url_for(".thread", thread_id=thread_id, page=page_of(number), _anchor=f"post-{number}")


@bp.route("/forums")
@anonymous_page
def index():
    return render_template("forums/index.html", categories=queries.categories())


@bp.route("/forums/c/<slug:slug>")
@anonymous_page
def category(slug):
    category = category_or_404(slug)
    tag = request.args.get("tag", "")[:30]
    page = queries.threads_of(category.id, current_user, page_arg(), tag)
    following = CATEGORY_FOLLOWS.is_following(current_user, category.id)
    return render_template(
        "forums/category.html", category=category, page=page, tag=tag, following=following,
        can_start=permissions.can_start_thread(current_user, category))


@bp.route("/forums/c/<slug:slug>/new", methods=["GET", "POST"])
@login_required
@submitted_once
@posting_limit()
def new_thread(slug):
    category = category_or_404(slug)
    require(permissions.can_start_thread(current_user, category))
    form = ThreadForm()
    form.city_id.choices = city_choices(_("— none —"))
    if request.method == "GET":
        form.consultation_id.data = request.args.get("consultation", "")[:9]
        form.event_id.data = request.args.get("event", "")[:9]
    about, about_ids = _about(form)
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = services.render_post(form.body.data)[0]
        else:
            thread, _post = services.create_thread(
                current_user, category, form.title.data, form.body.data, form.city_id.data,
                form.tag_list(), **about_ids)
            return done(url_for(".thread", thread_id=thread.id))
    return render_template("forums/new_thread.html", category=category, form=form,
                           preview=preview, about=about)


def _about(form: ThreadForm) -> tuple[str, dict]:
    """The consultation or event a new thread is about (404 when unknown or not visible)."""
    if consultation_id := parse_id(form.consultation_id.data):
        consultation = find_consultation(consultation_id)
        # announced ones only: a thread is public, a draft's title is not
        if consultation is None or consultation.announced_dt is None:
            abort(404)
        return (_("About the consultation “%(title)s”", title=consultation.title),
                {"consultation_id": consultation.id})
    if event_id := parse_id(form.event_id.data):
        event = found_or_404(find_event(event_id))
        return _("About the event “%(title)s”", title=event.title), {"event_id": event.id}
    return "", {}


@bp.route("/forums/t/<id:thread_id>")
@anonymous_page
def thread(thread_id):
    me = current_user._get_current_object()  # asked of many times below: not the proxy
    viewer = me.id if me.is_authenticated else None
    # the reader's state comes with the thread and its posts, what the page's sections have
    # to show with the thread: three queries in all
    found = queries.thread_page(thread_id, viewer)
    if found is None or not permissions.can_see_thread(me, found[0]):
        abort(404)
    thread, sections = found
    page = queries.posts_of(thread.id, page_arg(), viewer)
    following, read = thread.viewer_follows, thread.viewer_read
    if viewer is not None and following is None:  # the thread was in the session already
        following, read = queries.reader_state(viewer, thread)

    def reply_form():
        # made only for those who may reply; None: the blank one (its fragment)
        quote = _quote(thread, request.args.get("quote", ""))
        return ReplyForm(body=quote) if quote else None

    html = _render_thread(thread, page, reply_form, following=following, sections=sections)
    if viewer is not None and page.items and (read or 0) < page.items[-1].number:
        # The one cheap write of a signed-in GET, after the page is rendered, in a transaction
        # of its own that writes first (SQLite: it waits for the write lock, as a reading one
        # could not). The ids are read before the commit expires the rows (else each would be
        # loaded again).
        thread_id, number = thread.id, page.items[-1].number
        commit()
        get_writes_follow()
        services.mark_read(viewer, thread_id, number, has_marker=read is not None)
        commit()
    return html


class ImageView(NamedTuple):
    """What an avatar's <img> shows of an uploaded picture."""

    id: int
    version: str


class AuthorView(NamedTuple):
    """What a post shows of its author."""

    id: int
    display_name: str
    handle: str
    image: ImageView | None


class PostView(NamedTuple):
    """Everything one post of a thread page shows, for one reader: the key of its fragment
    (``forums/_post.html``), built from the rows this request read (see fragments.py)."""

    thread_id: int
    pages: int  #: the thread's last page (the quote link's page)
    id: int
    number: int
    created_dt: datetime
    edited: bool
    deleted: bool
    hidden: bool
    hidden_by_moderator: bool
    hidden_reason: str
    body_html: str
    reaction_count: int
    author: AuthorView | None
    # the reader's
    shown: bool  #: a hidden post's text is shown (a moderator, its author)
    history: bool  #: may see earlier versions
    can_react: bool  #: may like and report it
    liked: bool
    can_reply: bool
    mine_to_edit: bool
    moderator: bool

    @property
    def visible(self) -> bool:
        return not self.deleted and not self.hidden


#: Posts rendered once per process for each view. Measured on a 500-post thread's first page
#: (signed in, in-process test client, load average 4–5): Python CPU 14.0–14.6 → 10.0–10.5 ms
#: per request (the twenty posts' template work ~3 ms → ~0.5 ms for views, lookups and holes).
POSTS = Fragments("forums/_post.html", "post", kept=4096)


def _author_view(person: User | None) -> AuthorView | None:
    if person is None:
        return None
    image = person.image
    return AuthorView(person.id, person.display_name, person.handle,
                      ImageView(image.id, image.version) if image is not None else None)


def _post_views(me, thread: Thread, posts: list[Post], pages: int, can_reply: bool,
                moderator: bool) -> list[PostView]:
    """The posts as this reader sees them (the permissions asked here, as ever: the template
    decides nothing)."""
    signed_in = me.is_authenticated
    liked = _liked(me, posts) if signed_in else set()
    may_react = permissions.can_post(me)
    return [PostView(
        thread.id, pages, p.id, p.number, p.created_dt, bool(p.edited_dt), bool(p.deleted_dt),
        bool(p.hidden_dt), bool(p.hidden_by_id), p.hidden_reason, p.body_html,
        p.reaction_count, _author_view(p.author),
        shown=permissions.can_see_post(me, p), history=permissions.can_see_revisions(me, p),
        can_react=may_react and p.author_id != (me.id if signed_in else None),
        liked=p.id in liked, can_reply=can_reply, mine_to_edit=permissions.can_edit(me, p),
        moderator=moderator) for p in posts]


class ReplyView(NamedTuple):
    """What the reply form shows (``forums/_reply_form.html``)."""

    thread_id: int
    form: ReplyForm  #: the blank one (one per process), or this request's
    preview: str | None


#: The blank reply form (most pages show it), rendered once per process for each thread:
#: building and rendering a ReplyForm cost ~0.45 ms per request (in-process, load average 5).
REPLY_FORMS = Fragments("forums/_reply_form.html", "reply_form", kept=1024)


def _reply_html(thread: Thread, form: ReplyForm | None, preview: str | None) -> Markup:
    return REPLY_FORMS.render_one(ReplyView(thread.id, form or blank_form(ReplyForm), preview),
                                  remember=form is None)


def _render_thread(thread: Thread, page, make_form, preview: str | None = None,
                   following: bool | None = None, sections: dict | None = None) -> str:
    """The thread page (``sections``: the answers of its sections' probes, when its statement
    asked them: queries.thread_page)."""
    me = current_user._get_current_object()
    can_reply = permissions.can_reply(me, thread, thread.category)
    moderator = can_moderate(me)
    pages = max(page_of(thread.next_number - 1), 1)
    if following is None:
        following = THREAD_FOLLOWS.is_following(me, thread.id)
    return render_template(
        "forums/thread.html", category=thread.category, thread=thread, page=page,
        # a linked consultation that went back to draft is named to those who run it only
        consultation_visible=thread.consultation is not None
        and consultation_rules.can_see(me, thread.consultation),
        pages=pages, can_reply=can_reply, moderator=moderator, following=following,
        found_sections=sections, hide_warning=moderation.REPORTABLE.messages["hide_warning"],
        reply_html=_reply_html(thread, make_form(), preview) if can_reply else None,
        posts_html=POSTS.render(_post_views(me, thread, page.items, pages, can_reply,
                                            moderator)),
    )


def _liked(me, posts: list[Post]) -> set[int]:
    """The posts the reader likes: loaded with them (queries.posts_of), or asked now."""
    if all(p.viewer_likes is not None for p in posts):
        return {p.id for p in posts if p.viewer_likes}
    return queries.liked(me.id, [p.id for p in posts])


def _quote(thread: Thread, post_id: str) -> str:
    """The reply box prefilled with a quote of a visible post of this thread. Its text and
    author's name in one query of their own: the post is often on the page shown, loaded
    without its Markdown source (which it would then raise for)."""
    ident = parse_id(post_id)
    post = db.session.execute(
        select(Post.thread_id, Post.body, Post.deleted_dt, Post.hidden_dt, User.display_name)
        .outerjoin(User, User.id == Post.author_id).where(Post.id == ident)).first() \
        if ident else None
    if (post is None or post.thread_id != thread.id or post.deleted_dt is not None
            or post.hidden_dt is not None):
        return ""
    quoted = "\n".join(f"> {line}" for line in post.body.splitlines())
    name = post.display_name or "—"
    return _("> **%(name)s** wrote:", name=name) + "\n" + quoted + "\n\n"


@bp.route("/forums/t/<id:thread_id>/reply", methods=["POST"])
@login_required
@submitted_once
@posting_limit()
def reply(thread_id):
    thread = _thread_or_404(thread_id)
    require(permissions.can_post(current_user))
    if thread.locked or thread.category.archived:
        abort(409)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_with_reply(thread, form), 422  # the error beside the text as typed
    if "preview" in request.form:
        return _thread_with_reply(thread, form, services.render_post(form.body.data)[0])
    try:
        post = services.reply(current_user, thread.id, form.body.data)
    except LookupError:  # hidden meanwhile, or hidden and seen by its author or a moderator
        abort(404)
    return done(_post_url(thread.id, post.number))


def _thread_with_reply(thread: Thread, form: ReplyForm, preview: str | None = None) -> str:
    """The thread's last page again, with the reply form as submitted: refused (with its
    errors) or previewed (rendered above the form). Nothing is written."""
    page = queries.posts_of(thread.id, page_of(max(thread.next_number - 1, 1)))
    return _render_thread(thread, page, lambda: form, preview)


@bp.route("/forums/t/<id:thread_id>/unread")
@login_required
def first_unread(thread_id):
    thread = _thread_or_404(thread_id)
    number = queries.first_unread_number(current_user.id, thread.id)
    return redirect(_post_url(thread.id, number or max(thread.next_number - 1, 1)))


@bp.route("/forums/p/<id:post_id>")
def post(post_id):
    post, thread = _post_or_404(post_id)
    return redirect(_post_url(thread.id, post.number))


@bp.route("/forums/p/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
@posting_limit()
def edit(post_id):
    post, thread = _post_or_404(post_id, writing=True)
    require(permissions.can_edit(current_user, post))
    form = EditForm(obj=post)
    if request.method == "GET" and post.number == 1:
        form.title.data = thread.title
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = services.render_post(form.body.data)[0]
        else:
            title = form.title.data if post.number == 1 and form.title.data else None
            services.edit_post(current_user, post, form.body.data, title)
            commit()
            flash(_("Your post is saved."), "success")
            return redirect(_post_url(thread.id, post.number), 303)
    return render_template("forums/edit.html", form=form, post=post, thread=thread,
                           preview=preview)


@bp.route("/forums/p/<id:post_id>/revisions")
@login_required
def revisions(post_id):
    post, thread = _post_or_404(post_id, joinedload(Post.author))
    require(permissions.can_see_revisions(current_user, post))
    page = page_arg()
    rows, more = queries.revisions(post.id, page)
    return render_template("forums/revisions.html", post=post, thread=thread, rows=rows,
                           page=page, more=more)


@bp.route("/forums/p/<id:post_id>/delete", methods=["POST"])
@login_required
def delete(post_id):
    post, thread = _post_or_404(post_id, writing=True)
    if post.deleted_dt is not None:
        abort(409)
    require(permissions.can_delete(current_user, post))
    services.delete_post(current_user, post)
    commit()
    return redirect(_post_url(thread.id, post.number), 303)


@bp.route("/forums/p/<id:post_id>/like", methods=["POST"])
@bp.route("/forums/p/<id:post_id>/unlike", methods=["POST"], endpoint="unlike")
@login_required
@submitted_once
@reacting_limit()
def like(post_id):
    post, thread = _post_or_404(post_id, writing=True)
    require(permissions.can_react(current_user, post))
    (services.react if request.endpoint == "forums.like" else services.unreact)(
        current_user, post)
    return done(_post_url(thread.id, post.number))


add_follow_routes(bp, "/forums/t/<id:thread_id>", FollowRoutes(
    THREAD_FOLLOWS, find=_thread_or_404, back=lambda thread: url_for(".thread",
                                                                       thread_id=thread.id)),
    endpoints=("follow_thread", "unfollow_thread"))
add_follow_routes(bp, "/forums/c/<slug:slug>", FollowRoutes(
    CATEGORY_FOLLOWS, find=category_or_404, back=lambda category: url_for(
        ".category", slug=category.slug)),
    endpoints=("follow_category", "unfollow_category"))


@bp.route("/forums/search")
def search_page():
    query = request.args.get("q", "").strip()[:200]
    words = search.terms(query)
    page = search.search_posts(query, queries.visible_threads(current_user), page_arg(),
                               current_app.config["PER_PAGE"]) if words else None
    if page is not None:
        queries.load_threads(page.items)
    return render_template("forums/search.html", query=query, words=words, page=page,
                           highlight=search.highlight, snippet=search.snippet)
