"""What the forums add to other features' pages: a city's discussions, the threads about a
consultation or an event with a way to start one, the home page's active threads and the
followed threads with new posts."""

from __future__ import annotations

from flask import url_for

from ..features import Section
from .queries import (
    active_threads,
    city_category,
    city_category_slug,
    followed_with_news,
    threads_about,
)


def _city(city) -> dict | None:
    forum = city_category(city.id)
    return {"city": city, "forum": forum} if forum is not None else None


def _about(kind: str):
    def context(obj) -> dict:
        slug = city_category_slug(obj.city) if obj.city_id else "general"
        return {"threads": threads_about(**{f"{kind}_id": obj.id}),
                "new_url": url_for("forums.new_thread", slug=slug, **{kind: obj.id})}

    return context


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
    Section("consultation", "forums/_threads_about.html", _about("consultation")),
    Section("event", "forums/_threads_about.html", _about("event")),
]
