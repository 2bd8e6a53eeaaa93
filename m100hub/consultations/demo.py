"""Demo consultations: one open in Suceava, one with published results in Cluj-Napoca, one
scheduled in București Sector 2 — written through the services, so tallies are exact."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..features import DemoData
from . import participation, queries, services, voting
from .models import Consultation

BIKE_LANES = {"text": "Ce trasee de piste de biciclete să construim întâi?", "help_text": "",
              "kind": "ranked", "max_choices": None,
              "options": ["Centru – Gară", "Centru – Universitate", "Burdujeni – Centru"]}
AGREE: dict[str, Any] = {"text": "Sunteți de acord cu planul de mobilitate?", "help_text": "",
         "kind": "yes_no", "max_choices": None, "options": []}
RENOVATION = {"text": "Ce clădiri publice să renovăm energetic întâi? (cel mult două)",
              "help_text": "", "kind": "approval", "max_choices": 2,
              "options": ["Școli", "Spitale", "Grădinițe", "Cămine de bătrâni"]}

RESPONSE = ("Spitalele și grădinițele au primit cele mai multe voturi: le renovăm întâi, din "
            "2027; școlile urmează în 2028.")

DEMO = [
    # (title, city slug, days from now to opening, to closing, questions, official e-mail)
    ("Planul de mobilitate urbană durabilă 2027–2030", "suceava", -3, 11, (AGREE, BIKE_LANES),
     "oficial.suceava@m100.demo"),
    ("Renovarea energetică a clădirilor publice", "cluj-napoca", -40, -10, (RENOVATION,),
     "oficial.cluj@m100.demo"),
    ("Comunități de energie în Sectorul 2", "bucuresti-sector-2", 5, 30, (AGREE,),
     "oficial.sector2@m100.demo"),
]


def seed(demo: DemoData) -> None:
    cities, people = demo.cities, demo.people
    for title, city_slug, opens, closes, questions, official_email in DEMO:
        if db.session.scalar(select(Consultation.id).where(Consultation.title == title)):
            continue
        now = utcnow()
        official = people[official_email]
        consultation = services.create(official, {
            "title": title, "summary": "O consultare demonstrativă în M100 Hub.",
            "body": "Spuneți-ne ce credeți: **votați**, propuneți, discutați.",
            "city_id": cities[city_slug].id, "sectors": ["transport", "buildings"],
            # open while the demo people take part; the real times are set afterwards
            "opens_at": now + timedelta(days=opens) if opens > 0 else now - timedelta(days=1),
            "closes_at": now + timedelta(days=max(closes, 1)), "results_while_open": False})
        for spec in questions:
            services.add_question(consultation, dict(spec))
        services.announce(official, consultation, queries.questions(consultation.id))
        if opens < 0:
            _take_part(consultation, people, official)
        consultation.opens_dt = now + timedelta(days=opens)
        consultation.closes_dt = now + timedelta(days=closes)
        if closes < 0:
            services.publish(official, consultation, RESPONSE)
        db.session.flush()


def _take_part(consultation: Consultation, people: dict, official) -> None:
    """The demo people vote, propose and comment while the consultation is (still) open."""
    voters = [p for email, p in sorted(people.items()) if p.id != official.id]
    for question in queries.questions(consultation.id):
        ids = [o.id for o in question.options]
        for n, person in enumerate(voters):
            choice = ids[n % len(ids):][:2] if question.kind.value != "yes_no" else [ids[n % 2]]
            voting.cast(person, consultation, question, choice)
    proposal = participation.submit_proposal(
        voters[0], consultation, "Parcări pentru biciclete la fiecare școală",
        "Rastele acoperite la intrarea fiecărei școli.")
    participation.support(voters[1], consultation, proposal)
    participation.add_comment(voters[2], consultation, "Foarte bine că ne întrebați!")
