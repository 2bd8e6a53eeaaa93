"""Demo events: a workshop with few places in Suceava, a webinar, and a past site visit with
materials — written through the services, so counters and the waiting list are exact."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..features import DemoData
from . import registration, services
from .models import Event

DEMO = [
    # (title, kind, city slug, days from now, hours, attendance, capacity, organiser e-mail)
    ("Atelier: comunități de energie în cartier", "workshop", "suceava", 6, 3, "hybrid", 3,
     "oficial.suceava@m100.demo"),
    ("Webinar: finanțări europene pentru renovarea clădirilor", "webinar", None, 12, 2,
     "online", None, "admin@m100.demo"),
    ("Vizită la stația de biogaz din Cluj-Napoca", "site_visit", "cluj-napoca", -20, 4,
     "in_person", 25, "oficial.cluj@m100.demo"),
]
MATERIALS = "Prezentarea: [stația de biogaz (PDF)](https://example.org/biogaz.pdf)."


def seed(demo: DemoData) -> None:
    cities, people = demo.cities, demo.people
    for title, kind, city, days, hours, attendance, capacity, email in DEMO:
        if db.session.scalar(select(Event.id).where(Event.title == title)):
            continue
        starts = utcnow() + timedelta(days=days)
        event = services.save(people[email], None, {
            "kind": kind, "title": title, "description": "Un eveniment demonstrativ.",
            "city_id": cities[city].id if city else None, "sectors": ["energy"],
            "starts_dt": starts if days > 0 else utcnow() + timedelta(days=1),
            "ends_dt": (starts if days > 0 else utcnow() + timedelta(days=1))
            + timedelta(hours=hours), "attendance": attendance,
            "address": "Centrul civic" if attendance != "online" else "",
            "online_url": "https://meet.example.org/m100" if attendance != "in_person" else "",
            "capacity": capacity, "registration_opens_dt": None,
            "registration_closes_dt": None, "organisation_id": None})
        for person in list(people.values())[3:7]:  # citizens register (the last ones wait)
            registration.register(person, event.id)
        if days < 0:  # a past event: move it back once people registered, add materials
            event.starts_dt, event.ends_dt = starts, starts + timedelta(hours=hours)
            services.save_materials(event, MATERIALS)
        db.session.flush()
