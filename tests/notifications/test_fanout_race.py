"""Two fan-out runs of one event at once (a redelivered task beside the first, the sweep
beside a slow worker), on a database of their own: each follower gets one row and one push."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from m100hub import create_app
from m100hub.extensions import cache, db, limiter, socketio
from m100hub.notifications import fanout
from m100hub.notifications.models import Notification, NotificationEvent
from tests.support import bulk, factories
from tests.support import forum_factories as ff
from tests.support.environment import MIGRATIONS, base_config, scratch_database

FOLLOWERS = 1_000


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request, app, tmp_path):
    """An app on a migrated scratch database (its threads commit); afterwards the extension
    objects it shares with the session's app are put back, as ``make_app`` does."""
    shared = (limiter, socketio, cache)
    saved = [dict(vars(extension)) for extension in shared]
    config = base_config(tmp_path, scratch_database(request.param, tmp_path, "fanout_race"))
    # many small batches, so that the two runs interleave
    made = create_app({**config, "NOTIFICATION_BATCH_SIZE": 100})
    with made.app_context():
        upgrade(directory=MIGRATIONS)
    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()
    for extension, attributes in zip(shared, saved, strict=True):
        vars(extension).clear()
        vars(extension).update(attributes)
    app.extensions["celery"].set_current()
    app.extensions["celery"].set_default()


@pytest.mark.slow
def test_two_runs_at_once_tell_each_follower_once(hub, monkeypatch):
    # the fan-out is left to tasks, which are ours
    monkeypatch.setattr(fanout, "tasks_run_in_process", lambda: False)
    monkeypatch.setattr(fanout, "enqueue", lambda task, *args: None)
    with hub.test_request_context(method="POST"):
        thread = ff.thread()
        author_id = thread.author_id
        followers = bulk.followers(thread.id, factories.user().id, FOLLOWERS, "grabit")
        db.session.commit()
        ff.reply(thread)
        db.session.commit()
        event_id = db.session.scalar(select(NotificationEvent.id).where(
            NotificationEvent.kind == "forum_reply"))
        db.session.remove()
    rooms: Counter = Counter()
    monkeypatch.setattr(socketio, "emit", lambda event, data=None, to=None, **kw: rooms.update(
        to if isinstance(to, list) else [to]))
    barrier = threading.Barrier(2)
    told: list[int] = []

    def run() -> None:
        with hub.app_context():
            barrier.wait()
            try:
                told.append(fanout.fan_out.run(event_id))
            finally:
                db.session.remove()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for one in runs:
        one.start()
    for one in runs:
        one.join(timeout=120)

    everyone = [author_id, *followers]
    assert len(told) == 2 and sum(told) == len(everyone)
    with hub.app_context():
        rows = db.session.execute(select(Notification.recipient_id, func.count()).where(
            Notification.event_id == event_id).group_by(Notification.recipient_id)).all()
        assert sorted(rows) == [(person, 1) for person in sorted(everyone)]
        done = db.session.get_one(NotificationEvent, event_id)
        assert done.fanned_out_dt is not None
        db.session.remove()
    assert rooms == Counter({f"user:{person}": 1 for person in everyone})
