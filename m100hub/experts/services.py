"""Writes of the experts' feature. They flush, never commit; what concerns someone notifies
them in the same transaction; what officials do for their city is in the public log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from .. import mail
from ..accounts.models import User
from ..activity.services import log
from ..cities.models import City
from ..database import locked, utcnow
from ..errors import Conflict
from ..extensions import db
from ..folding import fold
from ..notifications.services import notify
from ..text import render_markdown
from ..util import absolute_url
from .forms import topic_list
from .models import (
    ExpertCity,
    ExpertiseAnswer,
    ExpertiseRequest,
    ExpertMessage,
    ExpertProfile,
)
from .queries import official_ids_of_city

PROFILE_FIELDS = ("headline", "organisation_id", "sectors", "languages", "all_cities", "bio",
                  "listed")


def save_profile(person: User, profile: ExpertProfile | None, data: dict) -> ExpertProfile:
    """Create or change the person's profile (``data``: the form's fields, ``topics`` as
    typed, ``city_ids``)."""
    if profile is None:
        profile = ExpertProfile(user_id=person.id)
        db.session.add(profile)
    for name in PROFILE_FIELDS:
        setattr(profile, name, data[name])
    profile.organisation_id = profile.organisation_id or None
    topics = topic_list(data["topics"])
    profile.topics = topics
    profile.topics_key = "".join(f"|{fold(topic)}|" for topic in topics)
    profile.bio_html = render_markdown(profile.bio)
    profile.search_text = fold("\n".join([person.display_name, profile.headline, *topics,
                                          profile.bio]))
    profile.updated_dt = utcnow()
    db.session.flush()
    db.session.execute(delete(ExpertCity).where(ExpertCity.profile_id == profile.id))
    if not profile.all_cities:
        db.session.add_all(ExpertCity(profile_id=profile.id, city_id=city_id)
                           for city_id in sorted(set(data["city_ids"])))
    db.session.flush()
    return profile


def set_listed(profile: ExpertProfile, listed: bool) -> None:
    profile.listed = listed
    profile.updated_dt = utcnow()
    db.session.flush()


def post_request(actor: User, city: City, data: dict) -> ExpertiseRequest:
    request = ExpertiseRequest(
        city_id=city.id, author_id=actor.id, title=data["title"], body=data["body"],
        body_html=render_markdown(data["body"]), sectors=list(data["sectors"]),
        needed_by=data["needed_by"], search_text=fold(f"{data['title']}\n{data['body']}"))
    db.session.add(request)
    db.session.flush()
    log(actor, "expertise_request_posted", request, label=request.title, city=city.name)
    return request


def close_request(actor: User, request: ExpertiseRequest) -> None:
    request = locked(ExpertiseRequest, request.id)
    if request.closed_dt is not None:
        raise Conflict("already closed")
    request.closed_dt = utcnow()
    db.session.flush()
    log(actor, "expertise_request_closed", request, label=request.title)


def answer(expert: User, request_id: int, body: str) -> ExpertiseAnswer:
    """The expert's answer; a second one to the same request, or one to a closed request,
    is a conflict (the request's row is locked: its counter stays exact)."""
    request = locked(ExpertiseRequest, request_id)
    if request is None or request.closed_dt is not None:
        raise Conflict("closed")
    if db.session.scalar(select(ExpertiseAnswer.id).where(
            ExpertiseAnswer.request_id == request.id, ExpertiseAnswer.user_id == expert.id)):
        raise Conflict("answered already")
    item = ExpertiseAnswer(request_id=request.id, user_id=expert.id, body=body,
                           body_html=render_markdown(body))
    db.session.add(item)
    request.answer_count += 1
    db.session.flush()
    recipients = ([request.author_id] if request.author_id
                  else official_ids_of_city(request.city_id))
    notify(recipients, "expertise_answer", target=request, actor=expert,
           payload={"request_id": request.id, "title": request.title,
                    "expert": expert.display_name})
    return item


def mark_helped(actor: User, item: ExpertiseAnswer, request: ExpertiseRequest) -> bool:
    """Mark that the expert helped; False when it was marked already (nothing changes)."""
    if item.helped_dt is not None:
        return False
    item.helped_dt, item.helped_by_id = utcnow(), actor.id
    db.session.flush()
    notify([item.user_id], "expertise_helped", target=request, actor=actor,
           payload={"request_id": request.id, "title": request.title})
    log(actor, "expertise_helped", request, label=request.title)
    return True


def send_message(sender: User, recipient: User, body: str,
                 reply_to: ExpertMessage | None = None) -> ExpertMessage:
    """A message through the hub: a notification and an e-mail (sent after the commit, in
    the recipient's language) that carry the text, and never the sender's address."""
    message = ExpertMessage(sender_id=sender.id, recipient_id=recipient.id, body=body,
                            reply_to_id=reply_to.id if reply_to is not None else None)
    db.session.add(message)
    db.session.flush()
    notify([recipient.id], "expert_message", target=message, actor=sender,
           payload={"message_id": message.id, "sender": sender.display_name})
    mail.queue(mail.compose(
        recipient.email, _l("%(name)s wrote to you on M100 Hub", name=sender.display_name),
        "expert_message", recipient.locale, recipient=recipient, sender=sender, body=body,
        link=absolute_url("experts.message", message_id=message.id)))
    return message
