"""A report sent twice with its form's key is one report, and the second click lands on the
reported item with the same thanks (before: a "Conflict" page)."""

from __future__ import annotations

from m100hub.moderation.models import Report
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.submissions import key_on, send


def test_a_report_sent_twice_is_one_report(client, db, login_as):
    post = ff.opening_post(ff.thread())
    db.session.commit()
    login_as("citizen", locale="en")
    path = f"/moderation/post/{post.id}/report"
    data = {"reason": "Reclamă", "submission_key": key_on(client, path)}
    first, second = (send(client, path, data) for _ in range(2))
    assert first.status == 303 and first == second
    assert first.flashes == ("Thank you: the moderators will look at this post.",)
    assert count(Report) == 1
