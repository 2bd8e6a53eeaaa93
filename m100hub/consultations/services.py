"""Running a consultation: create, edit, questions, announce, extend, publish, answer
proposals. Services flush, never commit; the views commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select, update

from ..activity.services import log
from ..database import rows_changed, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.kinds import Audience
from ..notifications.services import notify
from ..text import render_markdown
from .models import (
    FOLLOWS,
    Consultation,
    Option,
    Phase,
    Proposal,
    ProposalStatus,
    Question,
)

YES_NO_CODES = ("yes", "no", "abstain")



class Invalid(ValueError):
    """A well-formed request that breaks a rule (its message is shown to the person)."""


def _require_phase(consultation: Consultation, *phases: Phase) -> None:
    if consultation.phase not in phases:
        raise Conflict(consultation.phase.value)


def create(author, data: dict) -> Consultation:
    consultation = Consultation(created_by_id=author.id)
    _apply(consultation, data)
    db.session.add(consultation)
    db.session.flush()
    FOLLOWS.follow(author.id, consultation.id)
    return consultation  # a draft is private: the public log hears of it when announced


def _apply(consultation: Consultation, data: dict) -> None:
    consultation.title = data["title"]
    consultation.summary = data["summary"]
    consultation.body = data["body"] or ""
    consultation.body_html = render_markdown(consultation.body)
    consultation.city_id = data["city_id"] or None
    consultation.sectors = sorted(set(data["sectors"] or ()))
    consultation.opens_dt = data["opens_at"]
    consultation.closes_dt = data["closes_at"]
    consultation.results_while_open = bool(data["results_while_open"])
    consultation.results_due_on = data.get("results_due_on")


def edit(editor, consultation: Consultation, data: dict) -> None:
    """Before opening, everything; once open only the wording, each change in the public log
    (the times, the city and the results setting are the rules of the vote)."""
    phase = consultation.phase
    if phase in (Phase.DRAFT, Phase.SCHEDULED):
        if phase == Phase.SCHEDULED and data["closes_at"] <= utcnow():
            raise Invalid("closed")  # an announced consultation may not skip its vote
        _apply(consultation, data)
    elif phase == Phase.OPEN:
        changed = [field for field in ("title", "summary", "body")
                   if (data[field] or "") != getattr(consultation, field)]
        consultation.title, consultation.summary = data["title"], data["summary"]
        consultation.body = data["body"] or ""
        consultation.body_html = render_markdown(consultation.body)
        consultation.results_due_on = data.get("results_due_on")  # not a rule of the vote
        if changed:
            log(editor, "consultation_edited_while_open", consultation,
                label=consultation.title, what=", ".join(changed))
    else:
        raise Conflict(phase.value)
    db.session.flush()


def extend(editor, consultation: Consultation, closes_dt: datetime) -> None:
    """An open consultation may run longer, never shorter (that would change the rules)."""
    _require_phase(consultation, Phase.OPEN)
    if closes_dt <= consultation.closes_dt:
        raise Invalid("later")
    consultation.closes_dt = closes_dt
    consultation.closing_notified_dt = None  # remind again 48 hours before the new end
    db.session.flush()
    log(editor, "consultation_extended", consultation, label=consultation.title,
        until=closes_dt.isoformat())


def close_early(actor, consultation: Consultation, reason: str,
                results_due_on: date | None) -> None:
    """Open → closed now, with a public reason (on the consultation's page and in the
    activity log). One conditional UPDATE: of two officials closing at once, one closes and
    the other meets a Conflict (as does a second click)."""
    _require_phase(consultation, Phase.OPEN)
    now = utcnow()
    closed = rows_changed(update(Consultation).where(
        Consultation.id == consultation.id, Consultation.closes_dt > now,
        Consultation.opens_dt < now).values(
        closes_dt=now, closed_early_reason=reason,
        results_due_on=results_due_on or consultation.results_due_on,
        # nobody is reminded that it closes soon once it has closed
        closing_notified_dt=db.func.coalesce(Consultation.closing_notified_dt, now)))
    if closed != 1:
        raise Conflict(Phase.CLOSED.value)
    db.session.refresh(consultation)
    log(actor, "consultation_closed_early", consultation, reason=reason,
        label=consultation.title)


def add_question(consultation: Consultation, data: dict) -> Question:
    _require_phase(consultation, Phase.DRAFT, Phase.SCHEDULED)
    position = db.session.execute(
        select(db.func.coalesce(db.func.max(Question.position), 0))
        .where(Question.consultation_id == consultation.id)).scalar_one()
    question = Question(consultation_id=consultation.id, position=position + 1)
    db.session.add(question)
    _set_question(question, data)
    return question


def _set_question(question: Question, data: dict) -> None:
    question.text, question.help_text = data["text"], data["help_text"] or ""
    question.kind = data["kind"]
    question.max_choices = data["max_choices"] if data["kind"] in ("approval", "ranked") else None
    db.session.flush()
    db.session.execute(delete(Option).where(Option.question_id == question.id))
    if data["kind"] == "yes_no":
        options = [Option(position=i, code=code) for i, code in enumerate(YES_NO_CODES, 1)]
    else:
        options = [Option(position=i, label=label) for i, label in enumerate(data["options"], 1)]
    for option in options:
        option.question_id = question.id
    db.session.add_all(options)
    db.session.flush()


def change_question(editor, consultation: Consultation, question: Question, data: dict,
                    options: list[Option]) -> None:
    """Before opening, anything; once open, only the wording of the question and of its
    options (same type, same number of options), logged in public."""
    phase = consultation.phase
    if phase in (Phase.DRAFT, Phase.SCHEDULED):
        _set_question(question, data)
        return
    if phase != Phase.OPEN:
        raise Conflict(phase.value)
    if data["kind"] != question.kind or data["max_choices"] != question.max_choices:
        raise Invalid("structure")
    worded = [o for o in options if not o.code]
    if worded and len(data["options"]) != len(worded):
        raise Invalid("structure")
    changed = question.text != data["text"] or question.help_text != (data["help_text"] or "")
    question.text, question.help_text = data["text"], data["help_text"] or ""
    for option, label in zip(worded, data["options"], strict=False):
        changed |= option.label != label
        option.label = label
    db.session.flush()
    if changed:
        log(editor, "consultation_edited_while_open", consultation, label=consultation.title,
            what=question.text)


def delete_question(consultation: Consultation, question: Question) -> None:
    _require_phase(consultation, Phase.DRAFT, Phase.SCHEDULED)
    db.session.delete(question)
    db.session.flush()


def announce(actor, consultation: Consultation, questions: list[Question]) -> None:
    """Draft → scheduled (or open, when the opening time has come)."""
    _require_phase(consultation, Phase.DRAFT)
    if not questions:
        raise Invalid("no questions")
    if consultation.closes_dt <= utcnow():
        raise Invalid("closed")
    consultation.announced_dt = utcnow()
    db.session.flush()
    log(actor, "consultation_announced", consultation, label=consultation.title)


def withdraw(actor, consultation: Consultation) -> None:
    """Scheduled → draft again (not once voting has opened)."""
    _require_phase(consultation, Phase.SCHEDULED)
    consultation.announced_dt = None
    db.session.flush()
    log(actor, "consultation_withdrawn", consultation, label=consultation.title)


def require_publishable(consultation: Consultation) -> None:
    """Results are published (and the response amended) once voting has closed."""
    _require_phase(consultation, Phase.CLOSED, Phase.PUBLISHED)


def publish(actor, consultation: Consultation, response: str) -> bool:
    """Publish the results with the official response (or amend the response later).
    Returns whether this was the first publication (followers are told once)."""
    require_publishable(consultation)
    first = consultation.published_dt is None
    consultation.response = response
    consultation.response_html = render_markdown(response)
    if first:
        consultation.published_dt = utcnow()
        notify(followers(consultation.id), "consultation_published", consultation,
               actor=actor, payload=_payload(consultation))
        log(actor, "consultation_published", consultation, label=consultation.title)
    db.session.flush()
    return first


def answer_proposal(actor, consultation: Consultation, proposal: Proposal, status: str,
                    reason: str) -> None:
    _require_phase(consultation, Phase.CLOSED, Phase.PUBLISHED)
    proposal.status, proposal.status_reason = ProposalStatus(status), reason
    proposal.status_dt = utcnow()
    db.session.flush()
    if proposal.author_id:  # the status is worded in each reader's language, from its code
        notify([proposal.author_id], "consultation_proposal_status", proposal, actor=actor,
               payload={"proposal": proposal.title, "proposal_id": proposal.id,
                        "status": status}, city=consultation.city_id)
    log(actor, "consultation_proposal_status", proposal, label=proposal.title, status=status)


def followers(consultation_id: int, but_voters: bool = False) -> Audience:
    """Everyone following the consultation (told from Celery: they may be thousands);
    ``but_voters``: only those who have not voted in it yet."""
    return Audience("consultation_voterless_followers" if but_voters
                    else "consultation_followers", consultation_id)


def _payload(consultation: Consultation) -> dict:
    return {"title": consultation.title, "consultation_id": consultation.id}
