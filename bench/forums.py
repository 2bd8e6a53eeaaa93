"""Forum pages against a minimal Flask page, served the same way (gunicorn, loopback).

Seeds 2,000 people and 200 threads × 200 posts in one category, then measures the category
page and a thread page (first and last page of posts) side by side with the minimal page.
Prints one JSON line: requests/s, p50/p99, ratios, and SQL queries per page at two sizes.
The hub's two web processes share the anonymous page cache in Redis when it answers (see
common.bench_env). Aim (issue 10): the anonymous thread page at ≥ 50 % of the minimal page's
throughput so measured; ≤ 8 queries when rendered.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta

from common import against_minimal, query_counts, scratch_app

PEOPLE, THREADS, POSTS = 2000, 200, 200


def seed(app, threads: int, posts: int, people: int, category_slug: str) -> list[str]:
    """Bulk rows with consistent counters; returns the paths to measure."""
    from sqlalchemy import insert, select

    from m100hub.accounts.models import Sector, User
    from m100hub.accounts.services import current_acceptance
    from m100hub.extensions import db
    from m100hub.forums.models import Category, Post, Thread
    from m100hub.forums.search import search_text
    from m100hub.text import render_markdown

    body = "Propunem **izolarea termică** a blocurilor și panouri solare pe acoperișuri."
    html = render_markdown(body)
    now = datetime.now(UTC)
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.slug == category_slug))
        start = db.session.query(User).count()
        db.session.execute(insert(User), [
            {"display_name": f"Persoana {n}", "handle": f"p{n}", "email": f"p{n}@example.ro",
             "password_hash": "x", "sector": Sector.CITIZEN, "locale": "ro", "bio": "",
             "email_confirmed_dt": now, "is_admin": False, "is_moderator": False,
             "session_token": f"{n:032d}", "created_dt": now, **current_acceptance()}
            for n in range(start, start + people)])
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        paths = []
        for t in range(threads):
            last = now - timedelta(minutes=t)
            thread = Thread(category_id=category.id, author_id=user_ids[t % len(user_ids)],
                            title=f"Clădiri eficiente {t}", tags=["renovare"], post_count=posts,
                            reply_count=posts - 1,
                            next_number=posts + 1, last_post_dt=last,
                            last_poster_id=user_ids[(t + 1) % len(user_ids)])
            db.session.add(thread)
            db.session.flush()
            db.session.execute(insert(Post), [
                {"thread_id": thread.id, "number": n,
                 "author_id": user_ids[(t + n) % len(user_ids)],
                 "body": body, "body_html": html, "search_text": search_text("", body),
                 "reaction_count": 0, "report_count": 0, "hidden_reason": "",
                 "created_dt": last - timedelta(seconds=posts - n)}
                for n in range(1, posts + 1)])
            paths.append(f"/forums/t/{thread.id}")
        category.thread_count += threads
        category.post_count += threads * posts
        db.session.commit()
        pages = (posts - 1) // 20 + 1
        return [f"/forums/c/{category_slug}", paths[0], f"{paths[0]}?page={pages}"]


NAMES = ("category", "thread_first", "thread_last")


def main() -> None:
    app, env, url = scratch_app()
    small = query_counts(app, dict(zip(NAMES, seed(app, 10, 10, 50, "energie"), strict=True)))
    pages = dict(zip(NAMES, seed(app, THREADS, POSTS, PEOPLE, "cladiri"), strict=True))
    large = query_counts(app, pages)
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    results = {"database": url.split(":")[0], "threads": THREADS, "posts_per_thread": POSTS,
               "people": PEOPLE, "queries_small": small, "queries_large": large,
               **against_minimal(env, pages, seconds)}
    print(json.dumps(results, ensure_ascii=False))
    if small != large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
