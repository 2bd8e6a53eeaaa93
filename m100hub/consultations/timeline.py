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
    return steps_as_of(consultation, consultation.phase_at(now), consultation.opens_dt <= now,
                       consultation.closes_dt <= now)


def steps_as_of(consultation, phase: Phase, opened: bool, closed: bool) -> list[Step]:
    """steps() at a moment when the consultation was in ``phase``, its voting ``opened``
    and ``closed`` or not: all that steps() asks of the moment (a page's fragment keeps
    them in its view; ``consultation``: a Consultation or a view with its fields)."""
    current = ORDER.index(phase)
    texts = _texts(consultation, opened, closed)
    built = []
    for index, step_phase in enumerate(ORDER):
        state = "done" if index < current else "current" if index == current else "upcoming"
        text, moment = texts[step_phase]
        built.append(Step(step_phase, state, text, moment))
    closing, publishing = built[ORDER.index(Phase.CLOSED)], built[-1]
    if consultation.closed_early_reason and closing.state != "upcoming":
        closing.reason = consultation.closed_early_reason
    publishing.response = consultation.published_dt is not None
    return built


def _texts(c, opened: bool, closed: bool) -> dict[Phase, tuple[str, datetime | None]]:
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


def _published(c) -> tuple[str, datetime | None]:
    if c.published_dt is not None:
        return _("Results and the official response published on %(when)s.",
                 when=format_when(c.published_dt)), c.published_dt
    if c.results_due_on is not None:
        return _("The city means to publish the results, with its response, by %(date)s.",
                 date=format_date(c.results_due_on, "long")), None
    return _("The city publishes the results with its response."), None
