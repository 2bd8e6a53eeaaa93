"""Atom feeds of a forum category (its new threads) and of a thread (its posts), and a city's
threads in the city's feed: public content only — no hidden thread, no hidden or deleted post,
whoever asks (a feed is cached and shared)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..features import FeedSource
from ..feeds import FEED_SIZE, Entry, atom_response, external
from ..page_cache import anonymous_page
from ..permissions import found_or_404
from . import bp, queries
from .models import Post, Thread
from .views import category_or_404


def thread_entry(thread: Thread, opening: Post | None) -> Entry:
    return Entry(title=thread.title, url=external("forums.thread", thread_id=thread.id),
                 updated=thread.created_dt, published=thread.created_dt,
                 author=thread.author.display_name if thread.author else "",
                 content=opening.body_html if opening is not None else "")


def post_entry(thread: Thread, post: Post) -> Entry:
    return Entry(title=_("%(thread)s — post %(number)d", thread=thread.title, number=post.number),
                 url=external("forums.post", post_id=post.id),
                 updated=post.edited_dt or post.created_dt, published=post.created_dt,
                 author=post.author.display_name if post.author else "", content=post.body_html)


@bp.route("/forums/c/<slug:slug>/feed.atom")
@anonymous_page
def category_atom(slug):
    category = category_or_404(slug)
    entries = [thread_entry(t, p) for t, p in queries.latest_threads(FEED_SIZE, category.id)]
    return atom_response(f"{category.title} · M100 Hub",
                         external("forums.category", slug=category.slug), entries,
                         subtitle=category.blurb)


@bp.route("/forums/t/<id:thread_id>/feed.atom")
@anonymous_page
def thread_atom(thread_id):
    thread = found_or_404(queries.advertised_thread(thread_id))
    entries = [post_entry(thread, post) for post in queries.latest_posts(thread.id, FEED_SIZE)]
    return atom_response(f"{thread.title} · M100 Hub",
                         external("forums.thread", thread_id=thread.id), entries)


FEEDS: list[FeedSource] = [FeedSource("city", lambda city, limit: [
    thread_entry(t, p) for t, p in queries.latest_threads(limit, city_id=city.id)])]
