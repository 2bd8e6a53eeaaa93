"""Demo data for a new installation: people of every sector, officials, organisations.

Illustrative only: the demo cities beyond the three EU-mission ones (seeded by the first
migration) and their statuses are examples, not the official M100 list.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .accounts.models import Sector, User
from .accounts.services import set_password, unique_handle
from .cities.models import City, MissionStatus
from .database import utcnow
from .extensions import db
from .forums.services import ensure_city_category
from .organisations.models import Membership, MembershipRole, Organisation, OrgKind, Status
from .text import render_markdown
from .util import slugify

DEMO_CITIES = [
    ("Alba Iulia", "Alba", 63536, MissionStatus.M100_MIRROR),
    ("Brașov", "Brașov", 237589, MissionStatus.M100_MIRROR),
    ("Iași", "Iași", 271692, MissionStatus.M100_MIRROR),
    ("Timișoara", "Timiș", 250849, MissionStatus.ASPIRING),
]

#: (e-mail, name, sector, admin, moderator, home city slug)
DEMO_PEOPLE = [
    ("admin@m100.demo", "Secretariatul M100", Sector.PUBLIC, True, False, None),
    ("moderator@m100.demo", "Ioana Moderator", Sector.CIVIL, False, True, None),
    ("oficial.cluj@m100.demo", "Andrei Pop", Sector.PUBLIC, False, False, "cluj-napoca"),
    ("oficial.sector2@m100.demo", "Elena Ionescu", Sector.PUBLIC, False, False,
     "bucuresti-sector-2"),
    ("oficial.suceava@m100.demo", "Mihai Rusu", Sector.PUBLIC, False, False, "suceava"),
    ("cetatean@m100.demo", "Maria Popescu", Sector.CITIZEN, False, False, "suceava"),
    ("ong@m100.demo", "Radu Georgescu", Sector.CIVIL, False, False, "cluj-napoca"),
    ("firma@m100.demo", "Cristina Dumitru", Sector.PRIVATE, False, False, "bucuresti-sector-2"),
]

#: (name, kind, city slug, manager e-mail)
DEMO_ORGANISATIONS = [
    ("Primăria Cluj-Napoca", OrgKind.MUNICIPALITY, "cluj-napoca", "oficial.cluj@m100.demo"),
    ("Primăria Sectorului 2", OrgKind.MUNICIPALITY, "bucuresti-sector-2",
     "oficial.sector2@m100.demo"),
    ("Primăria Municipiului Suceava", OrgKind.MUNICIPALITY, "suceava",
     "oficial.suceava@m100.demo"),
    ("Asociația Orașe Verzi", OrgKind.NGO, "cluj-napoca", "ong@m100.demo"),
    ("Energie Curată SRL", OrgKind.COMPANY, "bucuresti-sector-2", "firma@m100.demo"),
]


def _cities() -> dict[str, City]:
    for name, county, population, status in DEMO_CITIES:
        slug = slugify(name)
        if db.session.scalar(select(City.id).where(City.slug == slug)) is None:
            summary = f"{name} — oraș demonstrativ în M100 Hub."
            db.session.add(City(name=name, slug=slug, county=county, population=population,
                                mission_status=status, summary=summary,
                                summary_html=render_markdown(summary)))
    db.session.flush()
    cities = {c.slug: c for c in db.session.scalars(select(City))}
    for city in cities.values():
        ensure_city_category(city)
    return cities


def seed(reset_passwords: bool = False) -> list[tuple[str, str]]:
    """Create what is missing; returns (e-mail, password) of accounts created or reset."""
    cities = _cities()
    existing = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_([p[0] for p in DEMO_PEOPLE])))}
    shown: list[tuple[str, str]] = []
    for email, name, sector, admin, moderator, city_slug in DEMO_PEOPLE:
        user = existing.get(email)
        if user is not None and not reset_passwords:
            continue
        password = secrets.token_urlsafe(12)
        if user is None:
            user = User(email=email, display_name=name, handle=unique_handle(name),
                        sector=sector, is_admin=admin,
                        is_moderator=moderator, email_confirmed_dt=utcnow(), locale="ro",
                        home_city_id=cities[city_slug].id if city_slug else None,
                        password_hash=generate_password_hash(password))
            db.session.add(user)
            existing[email] = user
        else:
            set_password(user, password)
        shown.append((email, password))
    db.session.flush()
    _organisations(cities, existing)
    from .consultations.demo import seed as seed_consultations
    from .events.demo import seed as seed_events

    seed_consultations(cities, existing)
    seed_events(cities, existing)
    return shown


def _organisations(cities: dict[str, City], people: dict[str, User]) -> None:
    for name, kind, city_slug, manager_email in DEMO_ORGANISATIONS:
        slug = slugify(name, 160)
        if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            continue
        manager = people[manager_email]
        organisation = Organisation(name=name, slug=slug, kind=kind, city_id=cities[city_slug].id,
                                    status=Status.VERIFIED, created_by_id=manager.id)
        db.session.add(organisation)
        db.session.flush()
        db.session.add(Membership(user_id=manager.id, organisation_id=organisation.id,
                                  role=MembershipRole.MANAGER, status=Status.VERIFIED,
                                  decided_dt=utcnow()))
    db.session.flush()
