"""Demo people of every sector: the secretariat, a moderator, officials, citizens."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..database import utcnow
from ..extensions import db
from ..features import DemoData
from .models import Sector, User
from .services import record_acceptance, set_password, unique_handle

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


def seed(demo: DemoData) -> None:
    """Create the people missing (or, asked to, give all new passwords); the passwords of
    those created or reset go into ``demo.passwords``."""
    existing = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_([p[0] for p in DEMO_PEOPLE])))}
    for email, name, sector, admin, moderator, city_slug in DEMO_PEOPLE:
        user = existing.get(email)
        if user is not None and not demo.reset_passwords:
            continue
        password = secrets.token_urlsafe(12)
        if user is None:
            city = demo.cities.get(city_slug) if city_slug else None
            user = User(email=email, display_name=name, handle=unique_handle(name),
                        sector=sector, is_admin=admin,
                        is_moderator=moderator, email_confirmed_dt=utcnow(), locale="ro",
                        home_city_id=city.id if city else None,
                        password_hash=generate_password_hash(password))
            record_acceptance(user)  # demo people signed up as anyone does
            db.session.add(user)
            existing[email] = user
        else:
            set_password(user, password)
        demo.passwords.append((email, password))
    db.session.flush()
    demo.people.update(existing)
