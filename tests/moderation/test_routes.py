"""The moderation routes are shared by every reportable kind: an unknown kind or item is a
404 and writes nothing, whoever asks."""

from __future__ import annotations

import pytest

from m100hub.moderation.models import Report
from tests.support import forum_factories as ff


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_an_unknown_kind_or_item_is_404_and_writes_nothing(client, db, login_as, role):
    post = ff.opening_post(ff.thread())
    db.session.commit()
    login_as(role)
    for url in (f"/moderation/card/{post.id}/report", "/moderation/post/2147483647/report"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"reason": "Spam"}).status_code == 404, url
    # deciding is for moderators first (403 for others), then the kind and item (404)
    decided = 404 if role == "moderator" else 403
    for url in (f"/moderation/nothing/{post.id}/hide", "/moderation/post/2147483647/keep"):
        assert client.post(url, data={"reason": "Spam"}).status_code == decided, url
    assert db.session.query(Report).count() == 0
