"""A draft consultation's title is named to those who run it only, wherever it is linked
(issue 12 #12): a forum thread about it, the public activity log."""

from __future__ import annotations

from m100hub.activity.models import ActivityEntry
from m100hub.consultations import participation
from m100hub.extensions import db as _db
from m100hub.forums import services as forum
from m100hub.moderation import services as moderation
from tests.support import consultation_factories as cf
from tests.support import factories
from tests.support import forum_factories as ff

SECRET = "Planul secret de parcare"


def test_a_thread_does_not_name_a_consultation_gone_back_to_draft(client, db, login_as):
    item = cf.consultation("open", title=SECRET)
    thread, _post = forum.create_thread(factories.user(), ff.category("general"), "Despre plan",
                                        "Ce credeți?", consultation_id=item.id)
    item.announced_dt = None  # back to draft: only those who run it see it
    db.session.commit()
    login_as("citizen")
    page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert SECRET not in page
    login_as("admin")
    assert SECRET in client.get(f"/forums/t/{thread.id}").get_data(as_text=True)


def test_the_log_does_not_name_a_draft_when_a_comment_of_it_is_hidden(client, db):
    item = cf.consultation("open", title=SECRET)
    comment = participation.add_comment(factories.user(), item, "Un comentariu urât.")
    item.announced_dt = None
    _db.session.flush()
    moderation.hide(factories.person("moderator"), comment, "Jignitor")
    db.session.commit()
    entry = _db.session.query(ActivityEntry).order_by(ActivityEntry.id.desc()).first()
    assert entry.verb == "consultation_comment_hidden" and SECRET not in entry.target_label
    assert SECRET not in client.get("/activity").get_data(as_text=True)
