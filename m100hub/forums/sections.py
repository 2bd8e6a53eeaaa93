"""What the forums add to other features' pages: a city's discussions, and the threads about a
consultation or an event with a way to start one."""

from __future__ import annotations

from flask import url_for

from ..features import Section
from .queries import city_category, city_category_slug, threads_about


def _city(city) -> dict | None:
    forum = city_category(city.id)
    return {"city": city, "forum": forum} if forum is not None else None


def _about(kind: str):
    def context(obj) -> dict:
        slug = city_category_slug(obj.city) if obj.city_id else "general"
        return {"threads": threads_about(**{f"{kind}_id": obj.id}),
                "new_url": url_for("forums.new_thread", slug=slug, **{kind: obj.id})}

    return context


SECTIONS = [
    Section("city", "forums/_city_section.html", _city, order=10),
    Section("consultation", "forums/_threads_about.html", _about("consultation")),
    Section("event", "forums/_threads_about.html", _about("event")),
]
