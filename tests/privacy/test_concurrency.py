"""Two deletions of one account at once (a double click, two tabs, the person and the
secretariat): one deletes, the others find nothing to delete, and the waiting list moves
exactly once. On SQLite and on PostgreSQL, each in a scratch database."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.activity.models import ActivityEntry
from m100hub.events.models import Event, Registration, RegistrationStatus
from m100hub.extensions import db
from m100hub.privacy import services
from tests.support import event_factories as ef
from tests.support import factories
from tests.support.concurrency import run_at_once
from tests.support.environment import MIGRATIONS, base_config, scratch_database

AT_ONCE = 6


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_deletions_delete_once(backend, tmp_path):
    app = create_app(base_config(tmp_path, scratch_database(backend, tmp_path, "leave")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        leaving, waiting = factories.user(), factories.user()
        event = ef.event(capacity=1)
        ef.register(leaving, event)
        ef.register(waiting, event)
        ids = leaving.id, waiting.id, event.id
        db.session.commit()
    outcomes = run_at_once(app, lambda n: services.delete_account(ids[0]) or "deleted",
                           AT_ONCE)
    with app.app_context():
        event = db.session.get_one(Event, ids[2])
        facts = {
            "people": db.session.scalar(select(func.count()).where(User.id == ids[0])),
            "counts": (event.confirmed_count, event.waitlist_count),
            "promoted": db.session.scalar(select(Registration.status).where(
                Registration.user_id == ids[1])),
            "logged": db.session.scalar(select(func.count()).where(
                ActivityEntry.verb == "account_deleted")),
        }
        db.session.remove()
        db.engine.dispose()
    assert sorted(outcomes) == ["Conflict"] * (AT_ONCE - 1) + ["deleted"]
    assert facts == {"people": 0, "counts": (1, 0), "promoted": RegistrationStatus.CONFIRMED,
                     "logged": 1}
