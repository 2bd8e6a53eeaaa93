"""Demo experts (illustrative people of the demo, marked so in their text)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..features import DemoData
from .models import ExpertProfile
from .services import save_profile

PROFILES = [
    ("ong@m100.demo", {
        "headline": "Audit energetic pentru clădiri publice (profil demonstrativ)",
        "sectors": ["buildings", "energy"], "topics": "eficiență energetică, renovări, școli",
        "languages": ["ro", "en"], "all_cities": True, "city_ids": [],
        "bio": "**Profil demonstrativ.** Ajut primăriile să pregătească renovarea clădirilor.",
    }),
    ("firma@m100.demo", {
        "headline": "Mobilitate urbană și transport public curat (profil demonstrativ)",
        "sectors": ["transport"], "topics": "autobuze electrice, piste de biciclete",
        "languages": ["ro", "en", "fr"], "all_cities": True, "city_ids": [],
        "bio": "**Profil demonstrativ.** Planuri de mobilitate urbană durabilă.",
    }),
]


def seed(demo: DemoData) -> None:
    for email, data in PROFILES:
        person = demo.people.get(email)
        if person is None or db.session.scalar(
                select(ExpertProfile.id).where(ExpertProfile.user_id == person.id)):
            continue
        save_profile(person, None, {**data, "organisation_id": None, "listed": True})
