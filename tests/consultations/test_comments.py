"""Threaded comments over HTTP, on a consultation and on a proposal: replies, order and
pages, up/down votes, reports, deleting; bad input gets a clear message or 400/403/404/409
and writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from m100hub.consultations import queries
from m100hub.consultations.models import Comment, CommentVote, Consultation, Follower, Proposal
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.moderation.models import Report
from tests.support import factories
from tests.support.consultations import (
    build,
    comment,
    count,
    english,
    follow_redirect,
    fresh,
    notified,
    page,
    propose,
    redirects_to_login,
    sign_in,
    snapshot,
)

# --- comments -----------------------------------------------------------------------------


def test_comments_and_threaded_replies(client, db, login_as):
    scene = build("open")
    first = login_as(user=factories.user(name="Prima Persoană", locale="en"))
    english(client)

    response = client.post(f"{scene.url}/comments", data={"body": "Bună **idee**!"})

    assert response.status_code == 303
    top = _db.session.scalar(select(Comment).where(Comment.author_id == first.id))
    assert response.headers["Location"].endswith(f"{scene.url}#comment-{top.id}")
    assert (top.depth, top.parent_id, top.proposal_id) == (0, None, None)
    assert top.body_html == "<p>Bună <strong>idee</strong>!</p>"

    second = login_as(user=factories.user(name="A Doua Persoană", locale="en"))
    response = client.post(
        f"{scene.url}/comments", data={"body": "De acord.", "parent_id": str(top.id)}
    )
    assert response.status_code == 303
    reply = _db.session.scalar(select(Comment).where(Comment.author_id == second.id))
    assert (reply.depth, reply.parent_id) == (1, top.id)
    assert notified("consultation_comment_reply") == [first.id]
    assert fresh(Consultation, scene.id).comment_count == 2
    assert (
        count(
            Follower,
            Follower.consultation_id == scene.id,
            Follower.user_id.in_([first.id, second.id]),
        )
        == 2
    )

    text = page(client.get(scene.url))
    parent_at = text.index(f'id="comment-{top.id}"')
    reply_at = text.index(f'id="comment-{reply.id}"')
    between = text[parent_at:reply_at]
    assert "</article>" in between and '<ol class="comments">' in between
    assert "</li>" not in between  # the reply is inside its parent's item
    assert "Bună <strong>idee</strong>!" in text and "De acord." in text
    assert (
        client.get(f"/comments/{reply.id}")
        .headers["Location"]
        .endswith(f"{scene.url}#comment-{reply.id}")
    )


def test_replies_nest_at_most_three_deep(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    parent = comment(scene)
    _db.session.commit()
    depths = []
    for n in range(4):
        response = client.post(
            f"{scene.url}/comments", data={"body": f"Răspunsul {n}", "parent_id": str(parent)}
        )
        assert response.status_code == 303
        parent = int(response.headers["Location"].rsplit("-", 1)[1])
        depths.append(fresh(Comment, parent).depth)
    assert depths == [1, 2, 3, 3]


def test_comments_on_a_proposal(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene, title="Propunerea discutată")
    _db.session.commit()
    sign_in(login_as, client, "citizen")

    response = client.post(f"/proposals/{proposal_id}/comments", data={"body": "Susțin!"})

    assert response.status_code == 303
    written = _db.session.scalar(select(Comment).where(Comment.proposal_id == proposal_id))
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#comment-{written.id}")
    assert fresh(Proposal, proposal_id).comment_count == 1
    assert fresh(Consultation, scene.id).comment_count == 0
    assert "Susțin!" in page(client.get(f"/proposals/{proposal_id}"))
    assert "Susțin!" not in page(client.get(scene.url))
    reply = client.post(
        f"/proposals/{proposal_id}/comments", data={"body": "Și eu.", "parent_id": str(written.id)}
    )
    assert reply.status_code == 303 and fresh(Proposal, proposal_id).comment_count == 2
    assert (
        client.get(f"/comments/{written.id}")
        .headers["Location"]
        .endswith(f"/proposals/{proposal_id}#comment-{written.id}")
    )
    # a reply posted to the consultation's discussion cannot hang under a proposal's comment
    before = snapshot()
    assert (
        client.post(
            f"{scene.url}/comments", data={"body": "Greșit", "parent_id": str(written.id)}
        ).status_code
        == 400
    )
    assert snapshot() == before


def test_comments_ordered_by_agreement_newest_or_oldest(client, db, login_as):
    scene = build("open")
    ids = [comment(scene, body=f"Comentariul {name}") for name in ("întâi", "doi", "trei")]
    _db.session.execute(update(Comment).where(Comment.id == ids[1]).values(up_count=5))
    _db.session.execute(update(Comment).where(Comment.id == ids[2]).values(up_count=2))
    _db.session.execute(update(Comment).where(Comment.id == ids[0]).values(down_count=1))
    _db.session.commit()
    english(client)

    def order(query=""):
        text = page(client.get(f"{scene.url}{query}"))
        return sorted(("întâi", "doi", "trei"), key=lambda n: text.index(f"Comentariul {n}"))

    assert order() == ["doi", "trei", "întâi"]
    assert order("?order=best") == ["doi", "trei", "întâi"]
    assert order("?order=new") == ["trei", "doi", "întâi"]
    assert order("?order=old") == ["întâi", "doi", "trei"]
    assert "5 for, 0 against" in page(client.get(scene.url))


def test_a_long_discussion_is_paged_with_the_replies_beside_their_comment(client, db):
    scene = build("open")
    per_page = queries.COMMENTS_PER_PAGE
    author = factories.user()
    ids = [comment(scene, author, body=f"Comentariul nr. {n}.") for n in range(per_page + 3)]
    late = comment(scene, body="Răspunsul de pe pagina a doua.", parent_id=ids[-1])
    deep = comment(scene, body="Răspunsul la răspuns.", parent_id=late)
    _db.session.commit()
    english(client)

    first = page(client.get(f"{scene.url}?order=old"))
    assert first.count('class="comment depth-0"') == per_page
    assert "Comentariul nr. 0." in first and f"Comentariul nr. {per_page}." not in first
    assert "Page 1 of 2" in first and "?order=old&page=2#comments" in first
    second = page(client.get(f"{scene.url}?order=old&page=2"))
    assert second.count('class="comment depth-0"') == 3
    assert "Răspunsul de pe pagina a doua." in second and "Răspunsul la răspuns." in second
    assert second.index(f'id="comment-{ids[-1]}"') < second.index(f'id="comment-{late}"') \
        < second.index(f'id="comment-{deep}"')
    assert "?order=old&page=1#comments" in second and "Page 2 of 2" in second
    # newest first: the last comment and its replies open the first page
    newest = page(client.get(f"{scene.url}?order=new"))
    assert f'id="comment-{ids[-1]}"' in newest and f'id="comment-{deep}"' in newest
    assert f'id="comment-{ids[0]}"' not in newest
    # past the end: no comment, a way back
    beyond = page(client.get(f"{scene.url}?page=9"))
    assert 'class="comment depth-' not in beyond
    assert f"{scene.url}?order=best&page=2#comments" in beyond  # back to the last page
    # an order the page does not offer is the default one, and never reaches the links
    odd = client.get(f"{scene.url}?order=best%26page%3D2&page=2").get_data(as_text=True)
    discussion = odd[odd.index('id="comments"'):]
    assert "%26" not in discussion and "?order=best&amp;page=1#comments" in discussion


def test_a_comment_link_opens_the_page_that_shows_it(client, db):
    scene = build("open")
    per_page = queries.COMMENTS_PER_PAGE
    author = factories.user()
    ids = [comment(scene, author, body=f"Comentariul nr. {n}.") for n in range(per_page + 1)]
    # most agreed first: the least agreed comment is the last, alone on page 2
    _db.session.execute(update(Comment).where(Comment.id == ids[0]).values(down_count=3))
    reply = comment(scene, body="Un răspuns.", parent_id=ids[0])
    deeper = comment(scene, body="Încă unul.", parent_id=reply)
    chain = [deeper]
    for n in range(6):  # a long exchange: replies to the deepest comment go on and on
        chain.append(comment(scene, body=f"Replica {n}.", parent_id=chain[-1]))
    top = ids[1]
    _db.session.commit()

    for target in (ids[0], reply, deeper, chain[-1]):
        location = client.get(f"/comments/{target}").headers["Location"]
        assert location.endswith(f"{scene.url}?page=2#comment-{target}"), location
        assert f'id="comment-{target}"' in page(client.get(location))
    assert client.get(f"/comments/{top}").headers["Location"].endswith(
        f"{scene.url}#comment-{top}")
    # on a proposal's discussion too
    proposal_id = propose(scene)
    first = comment(scene, body="Despre propunere.", proposal_id=proposal_id)
    _db.session.commit()
    assert client.get(f"/comments/{first}").headers["Location"].endswith(
        f"/proposals/{proposal_id}#comment-{first}")


@pytest.mark.parametrize(
    "case, status",
    [
        ("empty", 422),
        ("blank", 422),
        ("too long", 422),
        ("parent not a number", 422),
        ("parent zero", 422),
        ("parent too big", 422),
        ("parent of another consultation", 400),
        ("parent in a proposal's discussion", 400),
        ("unknown parent", 404),
        ("hidden parent", 400),
        ("deleted parent", 400),
    ],
)
def test_a_bad_comment_is_refused_and_nothing_written(client, db, login_as, case, status):
    scene = build("open")
    other = build("open")
    proposal_id = propose(scene)
    parents = {
        "parent of another consultation": comment(other),
        "parent in a proposal's discussion": comment(scene, proposal_id=proposal_id),
        "hidden parent": comment(scene),
        "deleted parent": comment(scene),
    }
    _db.session.execute(
        update(Comment).where(Comment.id == parents["hidden parent"]).values(hidden_dt=utcnow())
    )
    _db.session.execute(
        update(Comment).where(Comment.id == parents["deleted parent"]).values(deleted_dt=utcnow())
    )
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    data = {
        "empty": {"body": ""},
        "blank": {"body": "  \n "},
        "too long": {"body": "x" * 5001},
        "parent not a number": {"body": "Bun.", "parent_id": "abc"},
        "parent zero": {"body": "Bun.", "parent_id": "0"},
        "parent too big": {"body": "Bun.", "parent_id": "99999999999999999999"},
        "unknown parent": {"body": "Bun.", "parent_id": "2147480000"},
    }.get(case) or {"body": "Bun.", "parent_id": str(parents[case])}
    before = snapshot()

    response = client.post(f"{scene.url}/comments", data=data)

    if case.startswith("parent"):  # a hidden field only a forged form gets wrong
        assert response.status_code in (status, 400)
    else:
        assert response.status_code == status
    if case in ("empty", "blank", "too long"):
        assert "This field is required." in page(response) or "5000" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "phase, role, status",
    [
        ("scheduled", "citizen", 303),
        ("closed", "citizen", 403),
        ("published", "citizen", 403),
        ("draft", "suceava_official", 403),
        ("draft", "citizen", 404),
    ],
)
def test_discussion_runs_from_the_announcement_until_closing(
    client, db, login_as, phase, role, status
):
    scene = build(phase)
    sign_in(login_as, client, role)
    before = snapshot()
    response = client.post(f"{scene.url}/comments", data={"body": "Părerea mea."})
    assert response.status_code == status
    if status == 303:
        assert count(Comment, Comment.consultation_id == scene.id) == 1
    else:
        assert snapshot() == before


def test_anonymous_and_unconfirmed_cannot_comment(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"{scene.url}/comments", data={"body": "Salut"}))
    assert redirects_to_login(
        client.post(f"/proposals/{proposal_id}/comments", data={"body": "Salut"})
    )
    assert snapshot() == before
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    assert client.post(f"{scene.url}/comments", data={"body": "Salut"}).status_code == 403
    assert (
        client.post(f"/proposals/{proposal_id}/comments", data={"body": "Salut"}).status_code == 403
    )
    assert snapshot() == before


def test_up_and_down_votes_on_a_comment(client, db, login_as):
    scene = build("open")
    comment_id = comment(scene, body="Părere de votat")
    _db.session.commit()
    voter = sign_in(login_as, client, "citizen")
    url = f"/comments/{comment_id}/vote"
    mine = (CommentVote.comment_id == comment_id, CommentVote.user_id == voter.id)

    def state():
        row = fresh(Comment, comment_id)
        votes = list(_db.session.scalars(select(CommentVote.value).where(*mine)))
        return row.up_count, row.down_count, votes

    response = client.post(url, data={"value": "up"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{scene.url}#comment-{comment_id}")
    assert state() == (1, 0, [1])
    text = page(client.get(scene.url))
    assert "1 for, 0 against" in text
    assert 'value="none" class="link-button" aria-pressed="true">Agree' in text

    assert client.post(url, data={"value": "down"}).status_code == 303
    assert state() == (0, 1, [-1])
    assert client.post(url, data={"value": "down"}).status_code == 303
    assert state() == (0, 1, [-1])
    assert client.post(url, data={"value": "none"}).status_code == 303
    assert state() == (0, 0, [])
    assert client.post(url, data={"value": "none"}).status_code == 303
    assert state() == (0, 0, [])

    login_as(user=factories.user())
    assert client.post(url, data={"value": "up"}).status_code == 303
    login_as(user=voter)
    assert client.post(url, data={"value": "up"}).status_code == 303
    assert state()[:2] == (2, 0)
    assert count(CommentVote, CommentVote.comment_id == comment_id) == 2


@pytest.mark.parametrize(
    "case, status",
    [
        ("sideways", 400),
        ("empty", 400),
        ("plus one", 400),
        ("own comment", 403),
        ("hidden comment", 409),
        ("deleted comment", 409),
        ("closed consultation", 403),
        ("unknown comment", 404),
    ],
)
def test_a_bad_comment_vote_is_refused_and_nothing_written(client, db, login_as, case, status):
    voter = factories.user(locale="en")
    scene = build("closed" if case == "closed consultation" else "open")
    comment_id = comment(scene, author=voter if case == "own comment" else None)
    if case in ("hidden comment", "deleted comment"):
        column = "hidden_dt" if case == "hidden comment" else "deleted_dt"
        _db.session.execute(
            update(Comment).where(Comment.id == comment_id).values({column: utcnow()})
        )
    _db.session.commit()
    login_as(user=voter)
    value = {"sideways": "sideways", "empty": "", "plus one": "1"}.get(case, "up")
    target = 2147480000 if case == "unknown comment" else comment_id
    before = snapshot()
    assert client.post(f"/comments/{target}/vote", data={"value": value}).status_code == status
    assert snapshot() == before


def test_anonymous_and_unconfirmed_cannot_vote_on_comments(client, db, login_as):
    scene = build("open")
    comment_id = comment(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"/comments/{comment_id}/vote", data={"value": "up"}))
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    assert client.post(f"/comments/{comment_id}/vote", data={"value": "up"}).status_code == 403
    assert snapshot() == before


def test_three_distinct_reports_hide_a_comment(client, db, login_as):
    scene = build("open")
    comment_id = comment(scene, body="Un comentariu urât")
    _db.session.commit()
    reporters = [factories.user(locale="en") for _ in range(4)]
    for n, reporter in enumerate(reporters[:3], 1):
        login_as(user=reporter)
        form = client.get(f"/moderation/comment/{comment_id}/report")
        assert form.status_code == 200 and "Un comentariu urât" in page(form)
        response = client.post(f"/moderation/comment/{comment_id}/report",
                               data={"reason": f"Jignitor {n}"})
        assert response.status_code == 303
        assert "Thank you: the moderators will look at this comment." in page(
            follow_redirect(client, response)
        )
        row = fresh(Comment, comment_id)
        assert row.report_count == n
        assert (row.hidden_dt is not None) == (n == 3), n

    reports = list(_db.session.scalars(select(Report).where(Report.about("comment", comment_id))))
    assert sorted(r.reporter_id for r in reports) == sorted(r.id for r in reporters[:3])
    assert all(r.kind == "comment" and r.resolved_dt is None for r in reports)
    assert fresh(Consultation, scene.id).comment_count == 0
    text = page(client.get(scene.url))
    assert "Hidden after several reports, until a moderator decides." in text
    assert "Un comentariu urât" not in text

    login_as(user=reporters[3])  # a hidden comment is not reported again
    before = snapshot()
    assert (
        client.post(f"/moderation/comment/{comment_id}/report",
                    data={"reason": "Și eu"}).status_code == 403
    )
    assert snapshot() == before


def test_a_bad_report_is_refused_and_nothing_written(client, db, login_as):
    scene = build("open")
    author = factories.user(locale="en")
    comment_id = comment(scene, author=author)
    _db.session.commit()
    url = f"/moderation/comment/{comment_id}/report"

    before = snapshot()
    assert redirects_to_login(client.get(url))
    assert redirects_to_login(client.post(url, data={"reason": "Spam"}))
    assert snapshot() == before
    sign_in(login_as, client, "moderator")
    assert client.get("/moderation/comment/2147480000/report").status_code == 404
    answer = client.post("/moderation/comment/2147480000/report", data={"reason": "x"})
    assert answer.status_code == 404
    sign_in(login_as, client, "unconfirmed")
    assert client.post(url, data={"reason": "Spam"}).status_code == 403
    login_as(user=author)  # one's own comment
    assert client.post(url, data={"reason": "Spam"}).status_code == 403
    assert snapshot() == before

    sign_in(login_as, client, "citizen")
    for reason in ("", "   ", "x" * 501):
        response = client.post(url, data={"reason": reason})
        assert response.status_code in (200, 422)
        assert "Please correct the following:" in page(response)
    assert snapshot() == before
    assert client.post(url, data={"reason": "Spam"}).status_code == 303
    before = snapshot()
    assert client.post(url, data={"reason": "Tot spam"}).status_code == 409  # twice
    assert snapshot() == before
    assert fresh(Comment, comment_id).report_count == 1


def test_the_author_deletes_a_comment_and_its_replies_stay_readable(client, db, login_as):
    scene = build("open")
    author = factories.user(locale="en")
    comment_id = comment(scene, author=author, body="Textul retras")
    comment(scene, body="Răspunsul rămas", parent_id=comment_id)
    _db.session.commit()

    sign_in(login_as, client, "citizen")  # someone else
    before = snapshot()
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403
    assert snapshot() == before

    login_as(user=author)
    response = client.post(f"/comments/{comment_id}/delete")
    assert response.status_code == 303
    assert fresh(Comment, comment_id).deleted_dt is not None
    assert fresh(Consultation, scene.id).comment_count == 1
    text = page(client.get(scene.url))
    assert "This comment was deleted by its author." in text
    assert "Textul retras" not in text and "Răspunsul rămas" in text
    before = snapshot()
    assert client.post(f"/comments/{comment_id}/delete").status_code == 409
    assert snapshot() == before


def test_anonymous_cannot_delete_a_comment(client, db):
    scene = build("open")
    comment_id = comment(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"/comments/{comment_id}/delete"))
    assert snapshot() == before


def test_comments_of_a_draft_are_not_found(client, db, login_as):
    scene = build("draft")
    comment_id = comment(scene)
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    before = snapshot()
    assert client.get(f"/comments/{comment_id}").status_code == 404
    assert client.post(f"/comments/{comment_id}/vote", data={"value": "up"}).status_code == 404
    assert client.get(f"/moderation/comment/{comment_id}/report").status_code == 404
    assert snapshot() == before


def test_after_a_vote_or_a_reply_the_reader_comes_back_to_the_order_they_read(
        client, db, login_as):
    scene = build("open")
    per_page = queries.COMMENTS_PER_PAGE
    author = factories.user()
    ids = [comment(scene, author, body=f"Comentariul nr. {n}.") for n in range(per_page + 1)]
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    # newest first, the oldest comment is alone on page 2; its forms say the order
    text = page(client.get(f"{scene.url}?order=new&page=2"))
    assert f'id="comment-{ids[0]}"' in text and 'name="order" value="new"' in text
    voted = client.post(f"/comments/{ids[0]}/vote", data={"value": "up", "order": "new"})
    assert voted.headers["Location"].endswith(
        f"{scene.url}?order=new&page=2#comment-{ids[0]}"), voted.headers["Location"]
    replied = client.post(f"{scene.url}/comments",
                          data={"body": "Răspuns.", "parent_id": str(ids[0]), "order": "new"})
    reply = int(replied.headers["Location"].rsplit("-", 1)[1])
    assert replied.headers["Location"].endswith(f"{scene.url}?order=new&page=2#comment-{reply}")
    # most agreed first (the default), the voted comment leads the first page
    assert client.get(f"/comments/{ids[0]}").headers["Location"].endswith(
        f"{scene.url}#comment-{ids[0]}")
    # an order the page does not offer is the default one
    odd = client.post(f"/comments/{ids[1]}/vote", data={"value": "up", "order": "x"})
    assert "order=" not in odd.headers["Location"]


def _form_fields(text: str, action: str, **extra) -> dict:
    """The hidden fields of the page's form posting to ``action``, with ``extra``."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', text,
                     re.S)
    assert form, action
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                             form.group(1)))
    return {**fields, **extra}


def test_every_comments_forms_carry_the_requests_token(app, client, db, login_as, monkeypatch):
    """The discussion asks csrf_token() once and gives it to every comment's forms: with the
    token checked, a vote, a reply and a deletion sent with the page's own fields are taken;
    a visitor's page holds no token."""
    scene = build("open")
    other = comment(scene, body="Părerea altcuiva")
    reader = factories.user(locale="en")
    own = comment(scene, author=reader, body="Părerea mea")
    _db.session.commit()
    anonymous = client.get(scene.url).get_data(as_text=True)
    assert "csrf_token" not in anonymous and 'id="comment-' in anonymous
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as(user=reader)
    english(client)
    text = client.get(scene.url).get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', text))
    assert len(tokens) == 1, tokens  # the request's one token, in every form

    vote = _form_fields(text, f"/comments/{other}/vote", value="up")
    assert client.post(f"/comments/{other}/vote", data=vote).status_code == 303
    reply = _form_fields(text, f"{scene.url}/comments", body="Și eu.")  # the first's reply
    assert reply["parent_id"] == str(other)
    assert client.post(f"{scene.url}/comments", data=reply).status_code == 303
    delete = _form_fields(text, f"/comments/{own}/delete")
    assert client.post(f"/comments/{own}/delete", data=delete).status_code == 303
    assert fresh(Comment, other).up_count == 1 and fresh(Comment, own).deleted_dt is not None
    assert count(Comment, Comment.parent_id == other) == 1
    # and without the token, nothing is taken
    assert client.post(f"/comments/{other}/vote", data={"value": "down"}).status_code == 400
