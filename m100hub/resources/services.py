"""Writes to the resources library. They flush, never commit; every curation step is in the
public activity log. A suggestion by a verified organisation member waits for the
secretariat; an item the secretariat adds itself is published at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete

from ..activity.services import log
from ..database import insert_on_conflict, utcnow
from ..extensions import db
from ..notifications.kinds import Audience
from ..notifications.services import notify
from ..organisations.queries import manager_ids
from ..text import render_markdown
from .models import (
    CallApplicant,
    CallSector,
    Curated,
    Curation,
    FundingCall,
    FundingFollow,
    Replication,
    Resource,
    ResourceCity,
    ResourceFile,
    ResourceKind,
    ResourceSector,
)

RESOURCE_FIELDS = ("kind", "title", "summary", "url", "language", "tags", "organisation_id",
                   "practice_city_id", "action_id", "cost", "result", "contact")
CALL_FIELDS = ("title", "programme", "funder", "call_identifier", "summary", "amount_min",
               "amount_max", "currency", "cofinancing_rate", "opens_on", "deadline_dt", "url",
               "organisation_id")


def store_pdf(filename: str, data: bytes) -> ResourceFile:
    stored = ResourceFile(filename=filename, size=len(data), data=data,
                          digest=hashlib.sha256(data).hexdigest())
    db.session.add(stored)
    db.session.flush()
    return stored


def _add(item: Curated) -> None:
    db.session.add(item)
    db.session.flush()


def _arrival(actor, item: Curated) -> None:
    item.suggested_by_id = actor.id
    item.status = Curation.PUBLISHED if actor.is_admin else Curation.PENDING
    verb = "resource_approved" if actor.is_admin else "resource_suggested"
    log(actor, verb, item, label=item.title)  # type: ignore[attr-defined]


# --- knowledge items ---------------------------------------------------------------------


def _fill_resource(item: Resource, data: dict) -> None:
    for name in RESOURCE_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    item.organisation_id = item.organisation_id or None
    if item.kind != ResourceKind.GOOD_PRACTICE:
        item.practice_city_id = item.action_id = None
        item.cost = item.result = item.contact = ""
    item.action_id = item.action_id or None
    item.summary_html = render_markdown(item.summary or "")
    item.result_html = render_markdown(item.result or "")
    item.updated_dt = utcnow()


def _set_links(item: Resource, sectors: Iterable[str], city_ids: Iterable[int]) -> None:
    cities = set(city_ids) | ({item.practice_city_id} if item.practice_city_id else set())
    db.session.execute(delete(ResourceSector).where(ResourceSector.resource_id == item.id))
    db.session.execute(delete(ResourceCity).where(ResourceCity.resource_id == item.id))
    db.session.add_all([ResourceSector(resource_id=item.id, sector=s) for s in set(sectors)])
    db.session.add_all([ResourceCity(resource_id=item.id, city_id=c) for c in sorted(cities)])
    db.session.flush()


def suggest_resource(actor, data: dict, pdf: tuple[str, bytes] | None = None) -> Resource:
    """A new item (a double submit is answered by the form's one-time key)."""
    item = Resource()
    _fill_resource(item, data)
    if pdf is not None:
        item.file_id = store_pdf(*pdf).id
    _add(item)
    _set_links(item, data.get("sectors", ()), data.get("city_ids", ()))
    _arrival(actor, item)
    return item


def edit_resource(actor, item: Resource, data: dict,
                  pdf: tuple[str, bytes] | None = None) -> None:
    _fill_resource(item, data)
    if pdf is not None:
        item.file_id = store_pdf(*pdf).id
    db.session.flush()
    _set_links(item, data.get("sectors", ()), data.get("city_ids", ()))
    log(actor, "resource_edited", item, label=item.title)


# --- funding calls -----------------------------------------------------------------------


def _fill_call(call: FundingCall, data: dict) -> None:
    for name in CALL_FIELDS:
        if name in data:
            setattr(call, name, data[name])
    call.organisation_id = call.organisation_id or None
    call.currency = (call.currency or "EUR").upper()
    call.summary_html = render_markdown(call.summary or "")
    call.updated_dt = utcnow()


def _set_call_links(call: FundingCall, sectors: Iterable[str],
                    applicants: Iterable[str]) -> None:
    db.session.execute(delete(CallSector).where(CallSector.call_id == call.id))
    db.session.execute(delete(CallApplicant).where(CallApplicant.call_id == call.id))
    db.session.add_all([CallSector(call_id=call.id, sector=s) for s in set(sectors)])
    db.session.add_all([CallApplicant(call_id=call.id, applicant=a) for a in set(applicants)])
    db.session.flush()


def suggest_call(actor, data: dict) -> FundingCall:
    call = FundingCall()
    _fill_call(call, data)
    _add(call)
    _set_call_links(call, data.get("sectors", ()), data.get("applicants", ()))
    _arrival(actor, call)
    if call.is_published:
        announce(actor, call)
    return call


def edit_call(actor, call: FundingCall, data: dict) -> None:
    _fill_call(call, data)
    db.session.flush()
    _set_call_links(call, data.get("sectors", ()), data.get("applicants", ()))
    log(actor, "resource_edited", call, label=call.title)


def announce(actor, call: FundingCall) -> None:
    """Tell the people following the call's sectors or applicant types (the fan-out)."""
    notify(Audience("funding_call_followers", call.id), "funding_call_new", call, actor=actor,
           payload={"title": call.title, "call_id": call.id})


# --- curation (both kinds) ---------------------------------------------------------------


def approve(actor, item: Curated) -> None:
    """Publish a suggestion (a call's followers hear of it)."""
    was = item.status
    item.status = Curation.PUBLISHED
    item.updated_dt = utcnow()
    db.session.flush()
    log(actor, "resource_approved", item, label=item.title)  # type: ignore[attr-defined]
    if isinstance(item, FundingCall) and was == Curation.PENDING:
        announce(actor, item)


def retire(actor, item: Curated, reason: str) -> None:
    item.status = Curation.RETIRED
    item.updated_dt = utcnow()
    db.session.flush()
    log(actor, "resource_retired", item, reason=reason,
        label=item.title)  # type: ignore[attr-defined]


# --- following and replicating -----------------------------------------------------------


def set_following(user, topic: str, following: bool) -> None:
    """Follow a call, a sector or an applicant type, or stop (idempotent)."""
    if following:
        db.session.execute(insert_on_conflict(FundingFollow).values(
            user_id=user.id, topic=topic, created_dt=utcnow()).on_conflict_do_nothing())
    else:
        db.session.execute(delete(FundingFollow).where(FundingFollow.user_id == user.id,
                                                       FundingFollow.topic == topic))


def want_to_replicate(actor, practice: Resource, city: Any) -> bool:
    """Record that ``city`` wants to replicate the practice and tell its authors (the person
    who suggested it and the managers of its organisation); False when the city had said so
    already."""
    inserted = db.session.execute(insert_on_conflict(Replication).values(
        resource_id=practice.id, city_id=city.id, user_id=actor.id, created_dt=utcnow())
        .on_conflict_do_nothing().returning(Replication.city_id)).first()
    if inserted is None:
        return False
    authors = {practice.suggested_by_id} - {None}
    if practice.organisation_id:
        authors |= set(manager_ids(practice.organisation_id))
    notify(authors, "practice_replication", practice, actor=actor,
           payload={"city": city.name, "title": practice.title, "resource_id": practice.id})
    log(actor, "practice_replication", practice, label=practice.title, city=city.name)
    return True
