"""What the forums add to other features' pages: a city's discussions, the threads about a
consultation or an event with a way to start one, the home page's active threads and the
followed threads with new posts."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from ..features import Section
from .models import Thread
from .queries import (
    active_threads,
    advertised,
    city_category,
    city_category_slug,
    followed_with_news,
    threads_about,
)


def _city(city) -> dict | None:
    forum = city_category(city.id)
    return {"city": city, "forum": forum} if forum is not None else None


def _about(kind: str):
    def context(obj, found: bool | None = None) -> dict:
        """``found``: whether any thread about it is advertised, when the page asked
        (``_any_about``): the section's empty state then needs no query."""
        slug = city_category_slug(obj.city) if obj.city_id else "general"
        return {"threads": threads_about(**{f"{kind}_id": obj.id}) if found is not False
                else [],
                "new_url": url_for("forums.new_thread", slug=slug, **{kind: obj.id})}

    return context


def _any_about(kind: str):
    """The probe of threads_about: the same threads (advertised ones about the item)."""
    about = Thread.consultation_id if kind == "consultation" else Thread.event_id

    def probe(ident):
        return select(Thread.id).where(about == ident, advertised()).exists()

    return probe


def _active(_viewer) -> dict | None:
    threads = active_threads()
    return {"threads": threads} if threads else None


def _followed(person) -> dict | None:
    threads = followed_with_news(person.id)
    return {"threads": threads} if threads else None


SECTIONS = [
    Section("home", "forums/_home_active.html", _active, order=30),
    Section("home-mine", "forums/_home_followed.html", _followed, order=30),
    Section("city", "forums/_city_section.html", _city, order=10),
    Section("consultation", "forums/_threads_about.html", _about("consultation"),
            probe=_any_about("consultation")),
    Section("event", "forums/_threads_about.html", _about("event"), probe=_any_about("event")),
]
