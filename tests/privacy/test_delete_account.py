"""A person deletes their account (password again), or the secretariat does on their request:
every feature removes, unlinks or cancels its part, and the counts stay exact — votes
unchanged, the waiting list promoted, threads readable with "Deleted account"."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from m100hub.accounts.models import User
from m100hub.activity.models import ActivityEntry
from m100hub.consultations.models import Ballot, Comment, Consultation, Proposal, Tally
from m100hub.events.models import Event, Registration, RegistrationStatus
from m100hub.extensions import db as _db
from m100hub.forums.models import Post, Reaction, Thread
from m100hub.moderation.models import Report
from m100hub.notifications.models import Notification
from m100hub.organisations.models import Membership
from tests.support import factories
from tests.support.privacy import Life, a_life, logged, page


def signed_in_life(login_as) -> Life:
    life = a_life()
    login_as(user=_db.session.get_one(User, life.person_id))
    return life


def delete(client, password=factories.PASSWORD):
    return client.post("/account/delete", data={"password": password})


def figures(life: Life) -> dict:
    """What must not move when the person goes: the vote, the turnout, others' supports."""
    _db.session.expire_all()
    question = life.ids["question"]
    return {
        "tallies": sorted(_db.session.execute(select(Tally.choice_key, Tally.sector, Tally.count)
                                              .where(Tally.question_id == question)).all()),
        "ballots": _db.session.scalar(select(func.count()).where(Ballot.question_id == question)),
        "turnout": _db.session.get_one(Consultation, life.ids["consultation"]).participant_count,
        "supports": _db.session.get_one(Proposal, life.ids["proposal"]).support_count,
    }


def test_deleting_keeps_votes_promotes_the_waiting_list_and_signs_out(en, db, login_as):
    life = signed_in_life(login_as)
    before = figures(life)
    response = delete(en)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert _db.session.get(User, life.person_id) is None
    assert figures(life) == before
    assert _db.session.scalar(select(func.count()).where(Ballot.user_id.is_(None))) == 1
    event = _db.session.get_one(Event, life.ids["event"])
    assert (event.confirmed_count, event.waitlist_count) == (1, 0)
    promoted = _db.session.scalar(select(Registration).where(
        Registration.user_id == life.ids["waiting"]))
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert _db.session.scalar(select(func.count()).where(
        Notification.recipient_id == life.ids["waiting"], Notification.kind == "event_promoted"))
    assert en.get("/account").status_code == 302  # signed out
    assert "Your account is deleted" in page(en.get("/"))


def test_threads_stay_readable_and_what_nobody_answered_goes(en, db, login_as):
    life = signed_in_life(login_as)
    delete(en)
    answered = _db.session.get_one(Thread, life.ids["answered_thread"])
    assert answered.author_id is None
    text = page(en.get(f"/forums/t/{answered.id}"))
    assert "Deleted account" in text
    assert "Propun" in text and "parcări pentru biciclete" in text
    assert "Ilinca" not in text and "completez propunerea" not in text
    last_word = _db.session.get_one(Post, life.ids["last_word"])
    assert last_word.deleted_dt is not None and last_word.body == ""
    assert _db.session.get(Thread, life.ids["lonely_thread"]) is None
    assert (answered.post_count, answered.reply_count) == (2, 1)
    # the like is taken back; the post it liked stays
    liked = _db.session.get_one(Post, life.ids["liked_post"])
    assert liked.reaction_count == 0
    assert _db.session.scalar(select(func.count()).select_from(Reaction)) == 0


def test_consultation_input_stays_counted_and_unlinked(en, db, login_as):
    life = signed_in_life(login_as)
    delete(en)
    replied = _db.session.get_one(Comment, life.ids["comment"])
    assert replied.author_id is None and replied.body == "Comentariu cu răspuns."
    lone = _db.session.get_one(Comment, life.ids["lone_comment"])
    assert lone.deleted_dt is not None and lone.body == ""
    supported = _db.session.get_one(Proposal, life.ids["proposal"])
    assert supported.author_id is None and supported.support_count == 1
    text = page(en.get(f"/consultations/{life.ids['consultation']}"))
    assert "Deleted account" in text and "Ilinca" not in text


def test_nothing_personal_is_left_and_the_address_and_handle_are_free(en, db, login_as):
    life = signed_in_life(login_as)
    delete(en)
    assert _db.session.scalar(select(func.count()).where(
        Membership.user_id == life.person_id)) == 0
    assert _db.session.scalar(select(func.count()).where(
        Notification.recipient_id == life.person_id)) == 0
    report = _db.session.scalar(select(Report))
    assert report.reporter_id is None and report.reason == "Publicitate mascată."
    told_others = _db.session.scalars(select(Notification.payload)).all()
    assert "Ilinca" not in json.dumps(told_others, ensure_ascii=False)
    entries = _db.session.scalars(select(ActivityEntry)).all()
    public = json.dumps([[e.target_label, e.details, e.reason] for e in entries],
                        ensure_ascii=False)
    assert "Ilinca" not in public and "ilinca" not in public
    (deleted,) = logged("account_deleted")
    assert (deleted.actor_id, deleted.target_id, deleted.target_label, deleted.details) == (
        None, None, "", {})
    assert "deleted an account at its owner's request" in page(en.get("/activity"))
    again = factories.user(email=life.email, handle=life.handle)
    assert again.id != life.person_id


def test_a_wrong_or_missing_password_deletes_nothing(en, db, login_as):
    life = signed_in_life(login_as)
    for password in ("", "not-my-password", "x" * 300):
        response = delete(en, password)
        assert response.status_code == 200
        assert 'id="password-error"' in page(response)
    _db.session.expire_all()
    assert _db.session.get(User, life.person_id) is not None
    assert logged("account_deleted") == []
    assert en.get("/account").status_code == 200  # still signed in


def test_a_double_submit_deletes_once(en, db, login_as):
    life = signed_in_life(login_as)
    first, second = delete(en), delete(en)
    assert first.status_code == 303
    assert second.status_code in (302, 303) and "/login" in second.headers["Location"]
    assert len(logged("account_deleted")) == 1
    assert _db.session.get(User, life.person_id) is None


def test_the_only_administrator_cannot_leave_the_platform_without_one(en, db, login_as):
    for admin in _db.session.scalars(select(User).where(User.is_admin.is_(True))):
        admin.is_admin = False
    only = login_as("admin", locale="en")
    response = delete(en)
    assert response.status_code == 200
    assert "only administrator" in page(response)
    _db.session.expire_all()
    assert _db.session.get(User, only.id) is not None


def test_the_secretariat_deletes_an_account_on_request(en, db, login_as):
    life = a_life()
    admin = login_as("admin", locale="en")
    url = f"/admin/people/{life.person_id}/delete"
    assert "Delete an account on request" in page(en.get(url))
    for wrong in ("", "someone@example.ro", "x" * 300):
        response = en.post(url, data={"email": wrong})
        assert response.status_code == 200 and 'id="email-error"' in page(response)
    assert _db.session.get(User, life.person_id) is not None
    response = en.post(url, data={"email": " ILINCA@example.ro "})
    assert response.status_code == 303
    assert _db.session.get(User, life.person_id) is None
    (entry,) = logged("account_erased")
    assert (entry.actor_id, entry.target_label, entry.details) == (admin.id, "", {})
    assert en.post(url, data={"email": life.email}).status_code == 404  # gone already
    own = en.post(f"/admin/people/{admin.id}/delete", data={"email": admin.email})
    assert own.status_code == 200 and _db.session.get(User, admin.id) is not None


def test_only_administrators_delete_others(client, db, login_as):
    life = a_life()
    login_as("moderator")
    url = f"/admin/people/{life.person_id}/delete"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"email": life.email}).status_code == 403
    assert _db.session.get(User, life.person_id) is not None
