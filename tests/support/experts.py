"""Builders and helpers of the experts' tests. They add and flush; the test commits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from m100hub.experts import services
from m100hub.experts.models import ExpertiseRequest, ExpertProfile
from m100hub.extensions import db
from tests.support import factories

PROFILE_FORM = {
    "headline": "Audit energetic pentru clădiri publice",
    "organisation_id": "0",
    "sectors": ["buildings", "energy"],
    "topics": "eficiență energetică, renovări",
    "languages": ["ro", "en"],
    "all_cities": "y",
    "bio": "Ajut **primăriile** să renoveze clădirile.",
    "listed": "y",
}


def in_days(days: int) -> date:
    return date.today() + timedelta(days=days)


def request_form(city_id: int, **changes) -> dict:
    return {"city_id": str(city_id), "title": "Renovarea școlilor din oraș",
            "body": "Căutăm un auditor energetic pentru 12 clădiri.",
            "sectors": ["buildings"], "needed_by": in_days(30).isoformat(), **changes}


def profile(person=None, listed=True, city_slugs=(), **changes) -> ExpertProfile:
    person = person or factories.user()
    data = {"headline": "Audit energetic pentru clădiri publice", "organisation_id": None,
            "sectors": ["buildings"], "topics": "eficiență energetică", "languages": ["ro"],
            "all_cities": not city_slugs, "bio": "Ajut primăriile.", "listed": listed,
            "city_ids": [factories.city(slug).id for slug in city_slugs], **changes}
    return services.save_profile(person, None, data)


def expertise_request(city_slug="suceava", author=None, title="Renovarea clădirilor școlare",
                      sectors=("buildings",), closed=False) -> ExpertiseRequest:
    city = factories.city(city_slug)
    author = author or factories.official(city_slug)
    item = services.post_request(author, city, {
        "title": title, "body": "Căutăm un auditor energetic.", "sectors": list(sectors),
        "needed_by": in_days(30)})
    if closed:
        services.close_request(author, item)
    return item


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
