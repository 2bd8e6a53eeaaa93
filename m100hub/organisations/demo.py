"""Demo organisations: the three EU-mission municipalities, an NGO and a company, verified,
each with its manager."""

from __future__ import annotations

from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..features import DemoData
from ..util import slugify
from .models import Membership, MembershipRole, Organisation, OrgKind, Status

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


def seed(demo: DemoData) -> None:
    for name, kind, city_slug, manager_email in DEMO_ORGANISATIONS:
        slug = slugify(name, 160)
        if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            continue
        manager = demo.people[manager_email]
        organisation = Organisation(name=name, slug=slug, kind=kind,
                                    city_id=demo.cities[city_slug].id,
                                    status=Status.VERIFIED, created_by_id=manager.id)
        db.session.add(organisation)
        db.session.flush()
        db.session.add(Membership(user_id=manager.id, organisation_id=organisation.id,
                                  role=MembershipRole.MANAGER, status=Status.VERIFIED,
                                  decided_dt=utcnow()))
    db.session.flush()
