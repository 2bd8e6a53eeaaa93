"""Forum threads as items a city's decisions link to ("you said, we did"): their public
titles and addresses, the city's threads an official may link, and their followers (who
took part, or asked to be told)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..features import Linkable, LinkedItem
from .models import Subscription, Thread

#: how many an official picks from (the most recently active)
CANDIDATES = 200


def _threads(ids: list[int]) -> dict[int, LinkedItem]:
    rows = db.session.execute(select(Thread.id, Thread.title, Thread.city_id)
                              .where(Thread.id.in_(ids), Thread.hidden.is_(False)))
    return {ident: LinkedItem(title, url_for("forums.thread", thread_id=ident), city_id)
            for ident, title, city_id in rows}


def _candidates(city_id: int) -> list[tuple[int, str]]:
    return [(ident, title) for ident, title in db.session.execute(
        select(Thread.id, Thread.title)
        .where(Thread.city_id == city_id, Thread.hidden.is_(False))
        .order_by(Thread.last_post_dt.desc(), Thread.id.desc()).limit(CANDIDATES))]


def _participants(ids):
    return [select(Subscription.user_id).where(Subscription.thread_id.in_(ids))]


LINKABLES = [Linkable("forum_thread", _l("Forum thread"), "forum-thread", _threads,
                      _candidates, _participants, search="threads")]
