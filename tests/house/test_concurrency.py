"""Uniqueness lives in the database: concurrent sign-ups with one e-mail make one account.

Runs on SQLite (the embedded default) and on PostgreSQL (when configured; always in CI), each
in a scratch database of its own so that the threads' commits never meet other tests.
"""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from m100hub import create_app
from m100hub.accounts import services
from m100hub.accounts.models import User
from m100hub.extensions import db
from m100hub.moderation import services as moderation
from tests.support.concurrency import THREADS, run_at_once
from tests.support.environment import MIGRATIONS, base_config, scratch_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_sign_ups_with_one_email_create_one_account(backend, tmp_path):
    app = create_app(base_config(tmp_path, scratch_database(backend, tmp_path, "race")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    outcomes = run_at_once(app, lambda n: services.create_user(
        f"Racer {n}", "Race@Example.ro", "lung-si-sigur-2035", "citizen") and "created")
    with app.app_context():
        stored = db.session.scalar(select(func.count()).where(User.email == "race@example.ro"))
        db.session.remove()
        db.engine.dispose()
    assert stored == 1
    assert len(outcomes) == THREADS and outcomes.count("created") == 1
    # the others were refused: by the check, or by the unique constraint when they raced it
    assert set(outcomes) - {"created"} <= {"EmailTaken", "IntegrityError"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_replies_likes_and_reports_keep_exact_counts(backend, tmp_path):
    from m100hub.forums import services as forum
    from m100hub.forums.models import Category, Post, Thread

    app = create_app(base_config(tmp_path, scratch_database(backend, tmp_path, "race")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    with app.test_request_context(method="POST"):
        people = [services.create_user(f"Om {i}", f"om{i}@example.ro", "lung-si-sigur-2035",
                                       "citizen") for i in range(THREADS)]
        category = db.session.scalar(select(Category).where(Category.slug == "general"))
        thread, first = forum.create_thread(people[0], category, "Subiect", "Primul mesaj")
        db.session.commit()
        ids, thread_id, first_id = [p.id for p in people], thread.id, first.id
        db.session.remove()

    def person(i):
        return db.session.get(User, ids[i])

    replies = run_at_once(app, lambda i: forum.reply(person(i), thread_id, f"Răspuns {i}") and "ok")
    likes = run_at_once(app, lambda i: forum.react(person(i), db.session.get(Post, first_id))
                        or "ok")
    unlikes = run_at_once(app, lambda i: forum.unreact(person(1), db.session.get(Post, first_id))
                          or "ok", n=4)
    reports = run_at_once(app, lambda i: moderation.report(person(i + 2), db.session.get(
        Post, first_id), "spam") and "hidden" or "reported", n=3)
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        numbers = sorted(db.session.scalars(select(Post.number).where(Post.thread_id == thread_id)))
        first = db.session.get(Post, first_id)
        category = db.session.get(Category, thread.category_id)
        db.session.remove()
        db.engine.dispose()
    assert replies.count("ok") == THREADS
    assert numbers == list(range(1, THREADS + 2))
    assert thread.next_number == THREADS + 2
    assert likes.count("ok") == THREADS  # the service leaves "not your own" to the view
    assert unlikes.count("ok") == 1 and unlikes.count("Conflict") == 3
    assert first.reaction_count == THREADS - 1
    assert sorted(reports) == ["hidden", "reported", "reported"]
    # the opening post is hidden, its thread stays readable (and counted) with the replies
    assert first.report_count == 3 and first.hidden_dt is not None and not thread.hidden
    assert thread.post_count == THREADS and thread.reply_count == THREADS  # opening post hidden
    assert category.thread_count == 1 and category.post_count == THREADS


def test_a_reply_counts_from_the_thread_as_locked_not_as_first_read(tmp_path):
    """The reply view reads the thread before the service locks it; a reply committed in
    between must not be overwritten (PostgreSQL: row lock + a fresh read)."""
    from m100hub.forums import services as forum
    from m100hub.forums.models import Category, Post, Thread

    app = create_app(base_config(tmp_path, scratch_database("postgresql", tmp_path, "race")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    with app.test_request_context(method="POST"):
        a = services.create_user("Ana", "ana@example.ro", "lung-si-sigur-2035", "citizen")
        b = services.create_user("Bogdan", "bogdan@example.ro", "lung-si-sigur-2035", "citizen")
        general = db.session.scalar(select(Category).where(Category.slug == "general"))
        thread, _ = forum.create_thread(a, general, "Subiect", "Primul")
        db.session.commit()
        ids, thread_id = (a.id, b.id), thread.id
        db.session.remove()
    with app.test_request_context(method="POST"):
        seen = db.session.get(Thread, thread_id)  # what the view loaded: next_number 2
        assert seen.next_number == 2

        def meanwhile():
            with app.test_request_context(method="POST"):
                forum.reply(db.session.get(User, ids[1]), thread_id, "Între timp")
                db.session.commit()
                db.session.remove()

        other = threading.Thread(target=meanwhile)
        other.start()
        other.join(timeout=30)
        post = forum.reply(db.session.get(User, ids[0]), thread_id, "Al meu")
        db.session.commit()
        assert post.number == 3
        db.session.remove()
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert (thread.post_count, thread.reply_count, thread.next_number) == (3, 2, 4)
        assert db.session.scalar(select(func.count()).where(Post.thread_id == thread_id)) == 3
        db.session.remove()
        db.engine.dispose()
