"""Calendar files (RFC 5545, written by the icalendar library): one event, or a person's
feed of confirmed events. The meeting link goes only into files for confirmed people."""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..text import plain_text
from ..util import absolute_url
from .models import Event

PRODID = "-//M100 Hub//events//RO"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _entry(event: Event, with_link: bool) -> CalendarEvent:
    page = absolute_url("events.show", event_id=event.id)
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@m100hub")
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_dt.astimezone(UTC))
    entry.add("dtend", event.ends_dt.astimezone(UTC))
    entry.add("dtstamp", event.created_dt.astimezone(UTC))
    entry.add("url", page)
    where = [event.address] if event.address else []
    if with_link and event.online_url:
        where.append(event.online_url)
    if where:
        entry.add("location", " · ".join(where))
    # a calendar shows text: the Markdown's marks would show as typed
    entry.add("description", f"{plain_text(event.description)}\n\n{page}".strip())
    entry.add("status", "CANCELLED" if event.cancelled_dt else "CONFIRMED")
    return entry


def event_ics(event: Event, with_link: bool) -> bytes:
    calendar = _calendar(event.title)
    calendar.add("method", "PUBLISH")
    calendar.add_component(_entry(event, with_link))
    return calendar.to_ical()


def feed_ics(name: str, events: list[Event]) -> bytes:
    """A person's events; they are confirmed for each, so the links are in."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_entry(event, with_link=True))
    return calendar.to_ical()
