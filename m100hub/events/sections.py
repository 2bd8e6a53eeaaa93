"""What events add to other pages: the home page's upcoming events with their places left,
and a person's own coming events."""

from __future__ import annotations

from ..features import FeedSource, Section
from .feeds import entry
from .queries import latest, upcoming, upcoming_registrations


def _upcoming(_viewer) -> dict | None:
    events = upcoming()
    return {"events": events} if events else None


def _mine(person) -> dict | None:
    registrations = upcoming_registrations(person.id)
    return {"registrations": registrations} if registrations else None


SECTIONS: list[Section] = [
    Section("home", "events/_home_upcoming.html", _upcoming, order=20),
    Section("home-mine", "events/_home_mine.html", _mine, order=20),
]

FEEDS: list[FeedSource] = [
    FeedSource("city", lambda city, limit: [entry(e) for e in latest(city.id, limit)])]
