"""The digests on a running hub (a real Celery worker on Redis, a real SMTP server): one beat
run's digests leave through a few reused SMTP connections — not one per e-mail — each person
gets exactly one, and each e-mail, in its reader's language, groups the items by city and
kind in both its parts."""

from __future__ import annotations

import time
import uuid

import pytest

PEOPLE = 40
SEED = """
from datetime import timedelta
from sqlalchemy import insert, select, update
from wsgi import app
from m100hub.accounts.models import Sector, User
from m100hub.cities.models import City
from m100hub.database import commit, utcnow
from m100hub.extensions import db
from m100hub.notifications.models import Notification
from m100hub.notifications.services import notify
with app.app_context():
    cities = dict(db.session.execute(select(City.slug, City.id)).all())
    now = utcnow()
    people = list(db.session.scalars(insert(User).returning(User.id), [
        {{"display_name": f"Digest {{n}}", "handle": f"digest{tag}{{n}}",
          "email": f"digest-{tag}-{{n}}@example.ro", "password_hash": "x",
          "sector": Sector.CITIZEN, "locale": "ro" if n % 2 else "en", "bio": "",
          "email_confirmed_dt": now, "is_admin": False, "is_moderator": False,
          "session_token": uuid.uuid4().hex, "created_dt": now}} for n in range({people})]))
    for n, city in enumerate(("suceava", "cluj-napoca", None)):
        notify(people, "forum_reply", city=cities[city] if city else None, payload={{
            "person": "Ana Vecina", "thread": f"Fir {{city or 'national'}}", "post_id": n + 1}})
    db.session.execute(update(Notification).where(Notification.recipient_id.in_(people))
                       .values(created_dt=now - timedelta(hours=26)))
    commit()
"""
BEAT = """
from wsgi import app
from m100hub.notifications import digests
with app.app_context():
    print(digests.queue_digests.run())
"""


@pytest.mark.slow
def test_a_beat_runs_digests_go_through_a_few_connections_each_once(live):
    tag = uuid.uuid4().hex[:8]
    addresses = [f"digest-{tag}-{n}@example.ro" for n in range(PEOPLE)]
    live.python("import uuid\n" + SEED.format(tag=tag, people=PEOPLE))
    sessions_before = len(live.mail.sessions)
    assert int(live.python(BEAT).strip()) >= PEOPLE
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not all(live.mail.received[a] for a in addresses):
        time.sleep(0.2)
    time.sleep(2)  # anything sent twice would arrive now
    assert [live.mail.received[a] for a in addresses] == [1] * PEOPLE, live.logs()
    # one mail.deliver task per batch of rows: a connection for many e-mails
    assert len(live.mail.sessions) - sessions_before <= 2

    english = live.mail.wait_for(addresses[0])
    romanian = live.mail.wait_for(addresses[1])
    for message, whole_hub in ((english, "The whole hub (national)"),
                               (romanian, "Tot hubul (național)")):
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        order = [text.index(s) for s in ("== Cluj-Napoca ==", "Fir cluj-napoca", "== Suceava ==",
                                         "Fir suceava", f"== {whole_hub} ==", "Fir national")]
        assert order == sorted(order), text
        assert html.count("<h2") == 3 and html.index("Suceava") < html.index(whole_hub)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Ana Vecina replied in" in english.get_body(("plain",)).get_content()
    assert romanian["Subject"] == "Rezumatul tău zilnic M100 Hub"
