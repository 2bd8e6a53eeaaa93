"""What consultations add to other pages: a city's latest consultations ("you said, we did"),
the home page's open consultations, results and decisions, what awaits a person's vote, and
the programme's figures."""

from __future__ import annotations

from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..database import utcnow
from ..features import Figure, Section
from ..organisations.permissions import official_cities, own_cities
from .models import Proposal, ProposalStatus, Tally
from .queries import (
    awaiting_publication,
    awaiting_vote,
    latest_decisions,
    latest_results,
    of_city,
    open_now,
)


def time_left(consultation) -> str:
    """How long voting stays open, as people say it ("in 3 days")."""
    return format_timedelta(consultation.closes_dt - utcnow(), threshold=1, add_direction=True)


def _open(_viewer) -> dict | None:
    consultations = open_now()
    return {"consultations": consultations, "time_left": time_left} if consultations else None


def _results(_viewer) -> dict | None:
    results, decisions = latest_results(), latest_decisions()
    return {"results": results, "decisions": decisions} if results or decisions else None


def _awaiting(person) -> dict | None:
    consultations = awaiting_vote(person.id, own_cities(person))
    return {"consultations": consultations, "time_left": time_left} if consultations else None


def _to_publish(person) -> dict | None:
    """An official's closed consultations whose results their city has yet to publish (no
    query for anyone else)."""
    cities = official_cities(person)
    consultations = awaiting_publication(cities) if cities else []
    return {"consultations": consultations} if consultations else None


SECTIONS = [
    Section("city", "consultations/_city_section.html",
            lambda city: {"city": city, "consultations": of_city(city.id)}, order=20),
    Section("home", "consultations/_home_open.html", _open, order=10),
    Section("home", "consultations/_home_results.html", _results, order=40),
    Section("home-mine", "consultations/_home_awaiting.html", _awaiting, order=10),
    Section("home-mine", "consultations/_home_to_publish.html", _to_publish, order=15),
]

FIGURES = [
    # the tallies count every current ballot: a few rows per question, never the ballots
    Figure(_l("votes cast"), lambda: select(func.coalesce(func.sum(Tally.count), 0))
           .scalar_subquery(), order=40),
    Figure(_l("proposals answered"), lambda: select(func.count(Proposal.id)).where(
        Proposal.status != ProposalStatus.NONE).scalar_subquery(), order=50),
]
