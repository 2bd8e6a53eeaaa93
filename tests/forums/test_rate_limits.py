"""Posting, likes and reports are rate limited per person, posting routes sharing one
allowance."""

from __future__ import annotations

from m100hub.moderation.models import Report
from tests.support import forum_factories as ff
from tests.support.forum_factories import count
from tests.support.forums import fresh, post_limit, snapshot

# --- rate limit --------------------------------------------------------------------------------


def test_posting_is_rate_limited_per_person(app, client, db, login_as):
    allowed = post_limit(app)
    thread = ff.thread()
    db.session.commit()
    login_as("citizen")
    for n in range(allowed):
        response = client.post(f"/forums/t/{thread.id}/reply", data={"body": f"Mesaj {n}"})
        assert response.status_code == 303, n
    before = snapshot(db)

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Unul prea mult"})

    assert response.status_code == 429
    assert snapshot(db) == before
    assert fresh(db, thread).post_count == 1 + allowed
    # Another person is not affected.
    login_as("citizen")
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "Altcineva"}
                       ).status_code == 303


def test_posting_routes_share_one_allowance(app, client, db, login_as):
    """Replies and new threads draw on the same per-person limit."""
    from limits import parse_many

    limits = parse_many(app.config["RATE_LIMIT_POST"])
    allowance = min(limits, key=lambda item: item.get_expiry()).amount
    login_as("citizen", locale="en")
    thread = ff.thread()
    db.session.commit()
    for n in range(allowance):
        reply = client.post(f"/forums/t/{thread.id}/reply", data={"body": f"r{n}"})
        assert reply.status_code == 303
    response = client.post("/forums/c/general/new", data={"title": "Încă una", "body": "text",
                                                           "city_id": "0", "tags": ""})
    assert response.status_code == 429


def test_likes_are_rate_limited_per_person(app, client, db, login_as):
    allowed = post_limit(app, "RATE_LIMIT_REACT")
    thread = ff.thread()
    post = ff.opening_post(thread)
    db.session.commit()
    login_as("citizen")
    for n in range(allowed):  # like, unlike, like…: both draw on one allowance
        response = client.post(f"/forums/p/{post.id}/{'unlike' if n % 2 else 'like'}")
        assert response.status_code == 303, n
    before = snapshot(db)

    assert client.post(f"/forums/p/{post.id}/like").status_code == 429
    assert client.post(f"/forums/p/{post.id}/unlike").status_code == 429

    assert snapshot(db) == before
    assert client.post(f"/forums/t/{thread.id}/reply", data={"body": "Încă pot scrie."}
                       ).status_code == 303  # posting has its own allowance
    login_as("citizen")  # another person is not affected
    assert client.post(f"/forums/p/{post.id}/like").status_code == 303


def test_reports_are_rate_limited_per_person(app, client, db, login_as):
    allowed = post_limit(app, "RATE_LIMIT_REPORT")
    thread = ff.thread()
    posts = ff.replies(thread, allowed + 1)
    db.session.commit()
    login_as("citizen", locale="en")
    for post in posts[:allowed]:
        response = client.post(f"/moderation/post/{post.id}/report", data={"reason": "Spam"})
        assert response.status_code == 303, post.number
    before = snapshot(db)

    response = client.post(f"/moderation/post/{posts[-1].id}/report", data={"reason": "Spam"})

    assert response.status_code == 429
    assert snapshot(db) == before
    assert count(Report) == allowed
    answer = client.get(f"/moderation/post/{posts[-1].id}/report")
    assert answer.status_code == 200  # only writes count
    login_as("citizen")  # another person is not affected
    assert client.post(f"/moderation/post/{posts[-1].id}/report", data={"reason": "Spam"}
                       ).status_code == 303
