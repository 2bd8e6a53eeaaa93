"""Event test data through m100hub.events.services and .registration (so counters and the
waiting list stay exact). Flush, never commit."""

from __future__ import annotations

import itertools
from datetime import timedelta

from m100hub.database import utcnow
from m100hub.events import registration, services
from m100hub.events.models import Event
from m100hub.extensions import db
from tests.support import factories

_sequence = itertools.count(1)


def event(organiser=None, capacity: int | None = 10, starts_in=timedelta(days=7),
          hours: int = 3, attendance: str = "in_person", city_slug: str | None = "suceava",
          **fields) -> Event:
    organiser = organiser or factories.person("admin")
    starts = utcnow() + starts_in
    data = {"kind": fields.pop("kind", "workshop"),
            "title": fields.pop("title", f"Atelier {next(_sequence)}"),
            "description": fields.pop("description", "Despre **energie**."),
            "city_id": factories.city(city_slug).id if city_slug else None,
            "sectors": fields.pop("sectors", ["energy"]), "starts_dt": starts,
            "ends_dt": starts + timedelta(hours=hours), "attendance": attendance,
            "address": fields.pop("address", "Str. Ștefan cel Mare 1, Suceava"),
            "online_url": fields.pop("online_url", "https://meet.example.ro/atelier"
                                     if attendance != "in_person" else ""),
            "capacity": capacity, "registration_opens_dt": fields.pop("opens", None),
            "registration_closes_dt": fields.pop("closes", None),
            "organisation_id": None, "co_organisers": fields.pop("co_organisers", [])}
    item = services.save(organiser, None, data)
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def register(person, item: Event):
    return registration.register(person, item.id)


def reschedule(item: Event, starts_in: timedelta, hours: int = 3) -> Event:
    """Move the event in time without the form's rules (into the past once people have
    registered, say)."""
    starts = utcnow() + starts_in
    item.starts_dt, item.ends_dt = starts, starts + timedelta(hours=hours)
    db.session.flush()
    return item


def organisation_member(org_status: str = "verified", member_status: str = "verified",
                        **attrs):
    """A member of an organisation (of Suceava); verified in a verified one: an organiser.
    Returns (person, organisation)."""
    org = factories.organisation(status=org_status)
    person = factories.user(sector="civil", **attrs)
    factories.membership(person, org, status=member_status)
    return person, org
