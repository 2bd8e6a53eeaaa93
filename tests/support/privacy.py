"""A person who did a bit of everything on the hub (the privacy tests' scene): written
through each feature's services, so counters, tallies and waiting lists are what they would
be. Flushes and commits."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.admin.services import set_role
from m100hub.consultations import participation
from m100hub.extensions import db
from m100hub.forums import services as forums
from m100hub.moderation.services import report
from m100hub.notifications.services import notify
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff


@dataclass
class Life:
    """Ids of what the person (``person_id``) and the others around them did."""

    person_id: int
    email: str
    handle: str
    ids: dict[str, int] = field(default_factory=dict)


def a_life() -> Life:
    person = factories.user(name="Ilinca Dumitrescu", email="ilinca@example.ro",
                            handle="ilinca.d", locale="en", bio="Biciclistă din Suceava.")
    other, third = factories.user(name="Radu Stan"), factories.user(name="Maria Ene")
    admin = factories.person("admin")
    ids: dict[str, int] = {}
    factories.membership(person, factories.organisation(name="Asociația Verde"))
    # forums: a thread others answered, a thread nobody answered, a last word, a like
    answered = ff.thread(person, title="Piste de biciclete pe Calea Unirii",
                         body="Propun **piste** separate.")
    ff.reply(answered, other, "De acord, și parcări pentru biciclete.")
    ids["last_word"] = ff.reply(answered, person, "Mulțumesc, completez propunerea.").id
    lonely = ff.thread(person, title="Un subiect fără răspuns", body="Text singuratic.")
    ids["answered_thread"], ids["lonely_thread"] = answered.id, lonely.id
    theirs = ff.thread(other, title="Panouri solare pe școli", body="Ce credeți?")
    liked = ff.opening_post(theirs)
    forums.react(person, liked)
    ids["liked_post"], ids["theirs_thread"] = liked.id, theirs.id
    # consultations: a ballot, a proposal, a comment with a reply, a support
    consultation = cf.consultation("open", title="Transport verde în Suceava")
    question = cf.questions_of(consultation)[0]
    cf.vote(person, consultation, question, 0)
    cf.vote(other, consultation, question, 1)
    proposal = cf.proposal(consultation, person, "Autobuze electrice pe linia 2")
    participation.support(other, consultation, proposal)
    others_proposal = cf.proposal(consultation, other, "Tramvai până la gară")
    participation.support(person, consultation, others_proposal)
    comment = participation.add_comment(person, consultation, "Comentariu cu răspuns.")
    participation.add_comment(other, consultation, "Un răspuns.", parent=comment)
    ids["lone_comment"] = participation.add_comment(person, consultation,
                                                    "Comentariu fără răspuns.").id
    ids.update(consultation=consultation.id, question=question.id, proposal=proposal.id,
               comment=comment.id)
    # events: a confirmed place at a full event, with someone waiting
    event = ef.event(capacity=1, title="Atelier: comunități de energie")
    ef.register(person, event)
    ef.register(third, event)
    ids.update(event=event.id, waiting=third.id, other=other.id, admin=admin.id)
    # notifications, a report, the activity log
    notify([person], "role_granted", person, actor=admin, payload={"role": "moderator"})
    report(person, liked, "Publicitate mascată.")
    set_role(admin, person, "moderator", True)
    db.session.commit()
    return Life(person.id, person.email, person.handle, ids)


def logged(verb: str) -> list[ActivityEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(ActivityEntry).where(ActivityEntry.verb == verb)))


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))
