"""A consultation's public timeline: its five phases in order, each with the date it began or
is planned for, what happened in it (closed early and why, when the results are due, where
the official response is), and whether it is done, the current one or to come. Read from
the consultation's own columns: no query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from ..database import utcnow
from ..i18n import format_date, format_when
from .models import Consultation, Phase

ORDER = list(Phase)


@dataclass
class Step:
    phase: Phase
    #: "done", "current" or "upcoming"
    state: str
    #: what the step says, in the reader's language (dates in Bucharest time)
    text: str
    #: the moment it says, for <time datetime>
    moment: datetime | None = None
    #: the officials' public reason, when voting was closed early
    reason: str | None = None
    #: the response is on the page (published results)
    response: bool = False


def steps(consultation: Consultation, now: datetime | None = None) -> list[Step]:
    now = now or utcnow()
    current = ORDER.index(consultation.phase_at(now))
    texts = _texts(consultation, now)
    built = []
    for index, phase in enumerate(ORDER):
        state = "done" if index < current else "current" if index == current else "upcoming"
        text, moment = texts[phase]
        built.append(Step(phase, state, text, moment))
    closed, published = built[ORDER.index(Phase.CLOSED)], built[-1]
    if consultation.closed_early_reason and closed.state != "upcoming":
        closed.reason = consultation.closed_early_reason
    published.response = consultation.published_dt is not None
    return built


def _texts(c: Consultation, now: datetime) -> dict[Phase, tuple[str, datetime | None]]:
    opened, closed = c.opens_dt <= now, c.closes_dt <= now
    opens, closes = format_when(c.opens_dt), format_when(c.closes_dt)
    if not closed:
        closing = _("Voting closes on %(when)s.", when=closes)
    elif c.closed_early_reason:
        closing = _("Closed early on %(when)s.", when=closes)
    else:
        closing = _("Voting closed on %(when)s.", when=closes)
    return {
        Phase.DRAFT: (_("Prepared on %(when)s.", when=format_when(c.created_dt)), c.created_dt),
        Phase.SCHEDULED: (_("Announced on %(when)s.", when=format_when(c.announced_dt)),
                          c.announced_dt) if c.announced_dt else (_("Not announced yet."), None),
        Phase.OPEN: (_("Voting opened on %(when)s.", when=opens) if opened
                     else _("Voting opens on %(when)s.", when=opens), c.opens_dt),
        Phase.CLOSED: (closing, c.closes_dt),
        Phase.PUBLISHED: _published(c),
    }


def _published(c: Consultation) -> tuple[str, datetime | None]:
    if c.published_dt is not None:
        return _("Results and the official response published on %(when)s.",
                 when=format_when(c.published_dt)), c.published_dt
    if c.results_due_on is not None:
        return _("The city means to publish the results, with its response, by %(date)s.",
                 date=format_date(c.results_due_on, "long")), None
    return _("The city publishes the results with its response."), None
