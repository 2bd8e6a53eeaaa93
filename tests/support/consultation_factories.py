"""Consultation test data, written through m100hub.consultations.services and .voting so that
tallies and counters stay exact. Flush, never commit (the test or login_as commits)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from m100hub.consultations import participation, services, voting
from m100hub.consultations.models import Consultation, Question
from m100hub.database import utcnow
from m100hub.extensions import db
from tests.support import factories

_sequence = itertools.count(1)

#: (opens, closes) relative to now, per phase to be in
WINDOWS = {
    "draft": (timedelta(days=1), timedelta(days=8)),
    "scheduled": (timedelta(days=1), timedelta(days=8)),
    "open": (timedelta(days=-1), timedelta(days=6)),
    "closed": (timedelta(days=-8), timedelta(days=-1)),
    "published": (timedelta(days=-8), timedelta(days=-1)),
}

YES_NO = {"text": "Sunteți de acord cu planul?", "help_text": "", "kind": "yes_no",
          "max_choices": None, "options": []}


def question_data(kind: str = "yes_no", options=("Autobuze", "Tramvaie", "Biciclete"),
                  max_choices=None, text=None) -> dict:
    if kind == "yes_no":
        return {**YES_NO, "text": text or YES_NO["text"]}
    return {"text": text or f"Întrebarea {next(_sequence)}", "help_text": "", "kind": kind,
            "max_choices": max_choices, "options": list(options)}


def consultation(phase: str = "open", city_slug: str | None = "suceava", author=None,
                 questions=(YES_NO,), **fields) -> Consultation:
    """A consultation in ``phase`` with ``questions`` (dicts as services.add_question takes)."""
    author = author or factories.person("admin")
    opens, closes = WINDOWS[phase]
    now = utcnow()
    data = {"title": fields.pop("title", f"Consultarea {next(_sequence)}"),
            "summary": fields.pop("summary", "Rezumat."), "body": fields.pop("body", ""),
            "city_id": factories.city(city_slug).id if city_slug else None,
            "sectors": fields.pop("sectors", ["transport"]),
            "opens_at": now + opens, "closes_at": now + closes,
            "results_while_open": fields.pop("results_while_open", False)}
    item = services.create(author, data)
    for spec in questions:
        services.add_question(item, dict(spec))
    if phase != "draft":
        item.announced_dt = now - timedelta(days=10)
    if phase == "published":
        item.published_dt = now
        item.response = "Răspuns."
        item.response_html = "<p>Răspuns.</p>"
    for name, value in fields.items():
        setattr(item, name, value)
    db.session.flush()
    return item


def questions_of(item: Consultation) -> list[Question]:
    from m100hub.consultations import queries

    return queries.questions(item.id)


def vote(person, item: Consultation, question: Question, *option_indexes: int) -> str:
    """Vote by option position (0-based), even when the consultation is not open any more
    (the phase is checked against the real clock: voting happens while it is open)."""
    ids = [question.options[i].id for i in option_indexes]
    real_phase = item.phase
    if real_phase.value != "open":  # cast as if it were open, then restore the times
        saved = item.opens_dt, item.closes_dt
        item.opens_dt, item.closes_dt = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
        try:
            return voting.cast(person, item, question, ids)
        finally:
            item.opens_dt, item.closes_dt = saved
    return voting.cast(person, item, question, ids)


def proposal(item: Consultation, author=None, title=None, body="Propun mai multe piste."):
    author = author or factories.person()
    return participation.submit_proposal(author, item, title or f"Propunerea {next(_sequence)}",
                                         body)
