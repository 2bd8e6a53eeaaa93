"""The house: a feature joins by declaring a Feature in its package. A small feature package
(tests/sample_feature) is added to an app, in a process of its own (its table must not join
the suite's metadata), and shows up everywhere the house promises."""

from __future__ import annotations

import json
import subprocess
import sys

from m100hub import FEATURES
from m100hub.features import registry
from tests.support.environment import ROOT

SCRIPT = r"""
import json, sys
from flask import request_started
from flask_migrate import upgrade
from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.extensions import db
from tests.support import factories
from tests.support.web import fresh_g
from tests.sample_feature.models import Note

app = create_app({
    "TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
    "USE_REDIS": False, "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False,
    "SESSION_PROTECTION": None, "MAIL_SERVER": "", "MAIL_OUTBOX_DIR": sys.argv[2],
    "EXTRA_FEATURES": ["tests.sample_feature"], "ANONYMOUS_PAGE_SECONDS": 0,
})
request_started.connect(fresh_g, app)  # one app context stays open, as in the suite
facts = {}
with app.app_context():
    upgrade(directory=sys.argv[3])
    db.create_all()  # the sample feature's table: it has no migration of its own
    runner = app.test_cli_runner()
    facts["seed"] = runner.invoke(args=["m100", "seed-demo"]).output
    facts["notes"] = db.session.query(Note).count()
    note = db.session.query(Note).order_by(Note.id).first()
    note.body_html = ""
    db.session.commit()
    facts["rerender"] = runner.invoke(args=["m100", "rerender"]).output
    facts["rerendered"] = db.session.get(Note, note.id).body_html
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    facts["beat"] = sorted(celery.conf.beat_schedule)
    facts["task"] = "notes.sweep" in celery.tasks
    facts["limit"] = app.config["RATE_LIMIT_NOTE"]
    client = app.test_client()
    facts["home"] = client.get("/").get_data(as_text=True)
    facts["city"] = client.get("/cities/suceava").get_data(as_text=True)
    facts["city_feed"] = client.get("/cities/suceava/feed.atom").get_data(as_text=True)
    facts["search"] = client.get("/search?q=NOTA+suceava").get_data(as_text=True)
    reporters = [factories.user() for _ in range(3)]
    moderator = factories.person("moderator")
    db.session.commit()
    facts["reports"] = []
    for person in reporters:
        with client.session_transaction() as session:
            session["_user_id"] = person.get_id()
        answer = client.post(f"/moderation/note/{note.id}/report", data={"reason": "Spam"})
        facts["reports"].append(answer.status_code)
    db.session.expire_all()
    facts["hidden"] = db.session.get(Note, note.id).hidden_dt is not None
    facts["count"] = db.session.get(Note, note.id).report_count
    with client.session_transaction() as session:
        session["_user_id"] = moderator.get_id()
    facts["queue"] = client.get("/moderation").get_data(as_text=True)
    facts["note_id"] = note.id
    # its personal data: in the download, and unlinked when the author deletes the account
    author = factories.user()
    note.author_id = author.id
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = author.get_id()
    facts["download"] = client.get("/account/data.json").get_json()["data"].get("notes")
    facts["deleted"] = client.post("/account/delete",
                                   data={"password": factories.PASSWORD}).status_code
    db.session.expire_all()
    facts["note_author"] = db.session.get(Note, note.id).author_id
print(json.dumps(facts))
"""


def test_a_new_feature_joins_by_declaring_itself(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'features.sqlite3'}",
         str(tmp_path / "outbox"), str(ROOT / "migrations")],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["notes"] >= 3  # its demo data, one note per city
    assert facts["rerendered"].startswith("<p>O notă despre <strong>")
    assert "Re-rendered" in facts["rerender"]
    assert "notes-sweep" in facts["beat"] and "event-reminders" in facts["beat"]
    assert facts["task"] is True
    assert facts["limit"] == "3 per minute"
    assert 'href="/notes"' in facts["home"]  # the menu
    assert 'class="city-note"' in facts["city"]  # a section of the city page
    assert 'class="home-notes"' in facts["home"]  # a section of the home page
    assert "</strong> notes</li>" in facts["home"]  # a figure of the programme
    assert "<title>Note " in facts["city_feed"]  # entries in a city's feed
    assert 'href="/notes#note-' in facts["search"]  # the hub's search, without diacritics
    assert facts["reports"] == [303, 303, 303]
    assert facts["count"] == 3
    assert facts["hidden"] is True  # the third report hides it, as for posts and comments
    queue = facts["queue"]
    assert f'id="note-{facts["note_id"]}"' in queue
    assert f'action="/moderation/note/{facts["note_id"]}/hide"' in queue
    assert facts["download"]["notes"][0]["text"].startswith("O notă despre")
    assert facts["deleted"] == 303 and facts["note_author"] is None


def test_the_factory_lists_every_feature_once(app):
    names = [feature.name for feature in registry(app).features]
    assert names == list(FEATURES)
    assert set(app.blueprints) >= {name for name in FEATURES}


def test_every_markdown_column_is_registered_for_rerender(app):
    """A *_html column that no feature declares would be skipped by flask m100 rerender."""
    from m100hub.extensions import db

    declared = {(f.model.__table__.name, f.html) for f in registry(app).markdown_fields()}
    stored = {(table.name, column.name) for table in db.metadata.tables.values()
              for column in table.columns if column.name.endswith("_html")}
    assert stored == declared
