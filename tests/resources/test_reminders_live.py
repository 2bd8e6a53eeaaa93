"""On a running hub (gunicorn, a real Celery worker on Redis): the deadline reminder task,
sent to the worker three times at once, reminds a follower exactly once."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, text

TASK = "resources.send_deadline_reminders"
SEND = ("from celery_worker import celery\n"
        f"for _ in range(3): celery.send_task({TASK!r})\n")


#: a call closing in 5 days that the company's demo account follows, made by the hub's code
SETUP = """
from datetime import timedelta
from sqlalchemy import select
from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.database import utcnow
from m100hub.extensions import db
from m100hub.resources.models import Curation, FundingCall, FundingFollow
app = create_app()
with app.app_context():
    person = db.session.scalar(select(User).where(User.email == "firma@m100.demo"))
    call = FundingCall(title="Apel cu termen aproape", programme="LIFE", funder="CINEA",
                       url="https://cinea.ec.europa.eu/programmes/life_en",
                       deadline_dt=utcnow() + timedelta(days=5), status=Curation.PUBLISHED)
    db.session.add(call)
    db.session.flush()
    db.session.add(FundingFollow(user_id=person.id, topic=f"call:{call.id}"))
    db.session.commit()
    print(call.id)
"""


def _reminders(engine, call_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM funding_reminders WHERE call_id = :c"),
                            {"c": call_id}).scalar_one()
        notices = conn.execute(text(
            "SELECT count(*) FROM notifications WHERE kind = 'funding_deadline' "
            "AND target_type = 'funding_calls' AND target_id = :c"), {"c": call_id}).scalar_one()
    return rows, notices


def test_a_real_worker_reminds_a_follower_exactly_once(live, request):
    engine = create_engine(live.database_url)
    request.addfinalizer(engine.dispose)
    call_id = int(live.python(SETUP).strip().splitlines()[-1])
    live.python(SEND)
    deadline = time.monotonic() + 60
    while _reminders(engine, call_id) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # the other two runs: they must find the reminder taken
    live.python(SEND)
    time.sleep(3)
    assert _reminders(engine, call_id) == (1, 1), live.logs()
