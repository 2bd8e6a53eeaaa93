"""Helpers of the forums' tests over HTTP: what a request may write (snapshot), a page's
text, fresh reads, forms, notifications and log entries, the posting limit."""

from __future__ import annotations

import re

from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.forums.models import (
    Category,
    Post,
    PostRevision,
    Reaction,
    ReadMarker,
    Subscription,
    Thread,
)
from m100hub.moderation.models import Report
from m100hub.notifications.models import Notification
from tests.support.forum_factories import count
from tests.support.web import english as english
from tests.support.web import redirects_to_login as redirects_to_login

WRITTEN = (Category, Thread, Post, PostRevision, Reaction, Report, Subscription, ReadMarker,
           Notification, ActivityEntry)
HUGE_IDS = ["0", "2147483648", "99999999999999999999", "-1", "abc", "1e3"]


def snapshot(db) -> dict:
    """Row counts of everything a forum request may write, and the counters it keeps."""
    db.session.expire_all()
    rows = {model.__tablename__: count(model) for model in WRITTEN}
    rows["counters"] = sorted(db.session.execute(select(
        Category.id, Category.thread_count, Category.post_count, Category.last_thread_id,
        Category.archived, Category.name)).all())
    rows["threads"] = sorted(db.session.execute(select(
        Thread.id, Thread.title, Thread.post_count, Thread.next_number, Thread.locked,
        Thread.pinned, Thread.hidden, Thread.category_id, Thread.tags)).all())
    rows["posts"] = sorted(db.session.execute(select(
        Post.id, Post.body, Post.edited_dt, Post.deleted_dt, Post.hidden_dt,
        Post.reaction_count, Post.report_count)).all())
    return rows


def page(response) -> str:
    return response.get_data(as_text=True)


def fresh(db, obj):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def thread_form(**overrides) -> dict:
    data = {"title": "Panouri solare pe blocuri", "body": "Cine a montat **panouri**?",
            "city_id": "0", "tags": ""}
    data.update(overrides)
    return data


def thread_of(db, title: str) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.title == title))


def notifications(db, user, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)))


def activity(db, verb: str) -> list[ActivityEntry]:
    return list(db.session.scalars(select(ActivityEntry).where(ActivityEntry.verb == verb)))


def post_limit(app, setting: str = "RATE_LIMIT_POST") -> int:
    """The per-minute limit of a setting (posting by default), from app.config."""
    match = re.search(r"(\d+)\s*(?:per|/)\s*(?:1\s*)?minute", app.config[setting])
    assert match, app.config[setting]
    return int(match.group(1))
