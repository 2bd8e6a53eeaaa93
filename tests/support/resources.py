"""Builders, forms and a snapshot for the resources library's tests. Builders add and flush;
the test (or login_as) commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from m100hub.activity.models import ActivityEntry
from m100hub.database import utcnow
from m100hub.extensions import db
from m100hub.notifications.models import Notification, NotificationEvent
from m100hub.resources.models import (
    Applicant,
    CallApplicant,
    CallSector,
    Curation,
    FundingCall,
    FundingFollow,
    FundingReminder,
    Language,
    Replication,
    Resource,
    ResourceCity,
    ResourceFile,
    ResourceKind,
    ResourceSector,
)
from tests.support import factories

WRITTEN = (Resource, ResourceFile, ResourceSector, ResourceCity, Replication, FundingCall,
           CallSector, CallApplicant, FundingFollow, FundingReminder, ActivityEntry,
           Notification, NotificationEvent)
#: the smallest file that starts as a PDF does
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def item(title="Ghid pentru clădiri eficiente", kind=ResourceKind.GUIDE,
         status=Curation.PUBLISHED, sectors=("buildings",), city_slugs=(), author=None,
         language=Language.RO, url="https://example.org/ghid", **attrs) -> Resource:
    row = Resource(kind=kind, title=title, summary="Un ghid.", summary_html="<p>Un ghid.</p>",
                   url=url, language=language, status=status,
                   suggested_by_id=author.id if author else None, **attrs)
    db.session.add(row)
    db.session.flush()
    db.session.add_all([ResourceSector(resource_id=row.id, sector=s) for s in sectors])
    db.session.add_all([ResourceCity(resource_id=row.id, city_id=factories.city(c).id)
                        for c in city_slugs])
    db.session.flush()
    return row


def practice(city_slug="cluj-napoca", author=None, title="Autobuze electrice în Cluj",
             **attrs) -> Resource:
    return item(title=title, kind=ResourceKind.GOOD_PRACTICE, author=author,
                practice_city_id=factories.city(city_slug).id, city_slugs=(city_slug,),
                cost="2 milioane de euro", contact="mobilitate@example.ro", **attrs)


def call(title="Renovarea clădirilor publice", deadline_in=timedelta(days=30),
         opens_on: date | None = None, status=Curation.PUBLISHED, sectors=("buildings",),
         applicants=("municipality",), author=None, **attrs) -> FundingCall:
    row = FundingCall(title=title, programme="LIFE", funder="Comisia Europeană",
                      url="https://cinea.ec.europa.eu/programmes/life_en",
                      deadline_dt=utcnow() + deadline_in, opens_on=opens_on, status=status,
                      suggested_by_id=author.id if author else None, **attrs)
    db.session.add(row)
    db.session.flush()
    db.session.add_all([CallSector(call_id=row.id, sector=s) for s in set(sectors)])
    db.session.add_all([CallApplicant(call_id=row.id, applicant=Applicant(a))
                        for a in applicants])
    db.session.flush()
    return row


def ngo_member(locale="en"):
    """A verified member of a verified NGO (who may suggest), and the NGO."""
    person = factories.user(locale=locale)
    ngo = factories.organisation("Asociația Verde")
    factories.membership(person, ngo)
    return person, ngo


def resource_form(**overrides) -> dict:
    data = {"kind": "guide", "title": "Ghid de renovare", "summary": "Pașii **renovării**.",
            "url": "https://example.org/ghid", "language": "ro", "sectors": ["buildings"],
            "tags": "renovare, școli", "organisation_id": "0", "practice_city_id": "0",
            "action_id": "0", "cost": "", "result": "", "contact": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def local_text(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Bucharest")).strftime("%Y-%m-%dT%H:%M")


def call_form(**overrides) -> dict:
    data = {"title": "Apel pentru eficiență energetică", "programme": "Fondul pentru modernizare",
            "funder": "Ministerul Energiei", "call_identifier": "MF-2027-01",
            "summary": "Finanțare pentru **clădiri**.", "amount_min": "100000",
            "amount_max": "5000000", "currency": "EUR", "cofinancing_rate": "15",
            "opens_on": "", "deadline_dt": local_text(utcnow() + timedelta(days=40)),
            "url": "https://modernisationfund.eu/", "sectors": ["energy", "buildings"],
            "applicants": ["municipality", "ngo"], "organisation_id": "0"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot() -> dict:
    """Every row a library request may write (the uncommitted part dropped first)."""
    db.session.rollback()
    db.session.expire_all()
    state: dict = {model.__tablename__: count(model) for model in WRITTEN}
    state["resources"] = sorted(db.session.execute(select(
        Resource.id, Resource.title, Resource.status, Resource.url)).all())
    state["calls"] = sorted(db.session.execute(select(
        FundingCall.id, FundingCall.title, FundingCall.status, FundingCall.deadline_dt)).all())
    return state


def notified(kind: str) -> list[int]:
    return sorted(db.session.scalars(select(Notification.recipient_id)
                                     .where(Notification.kind == kind)))


def logged(verb: str) -> list[ActivityEntry]:
    return list(db.session.scalars(select(ActivityEntry).where(ActivityEntry.verb == verb)
                                   .order_by(ActivityEntry.id)))


def db_add_replication(resource_id: int, city_id: int, user_id: int) -> Replication:
    row = Replication(resource_id=resource_id, city_id=city_id, user_id=user_id)
    db.session.add(row)
    db.session.flush()
    return row
