"""Deadline reminders: 14 and 3 days before a call closes, each exactly once per person.

A periodic task (Celery beat) claims the reminders due by inserting their rows — one per
(person, call, days before), the primary key — with ``INSERT … SELECT … ON CONFLICT DO
NOTHING RETURNING``: a second run, a retried one or a second worker inserts nothing and so
tells nobody twice. Only the nearest stage is sent: a call added 5 days before its deadline
gets the 3-day reminder, not a late 14-day one."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from sqlalchemy import String, and_, cast, literal, or_, select, true

from ..database import commit, insert_on_conflict, utcnow
from ..extensions import db
from ..notifications.services import notify
from .models import (
    CallApplicant,
    CallSector,
    Curation,
    FundingCall,
    FundingFollow,
    FundingReminder,
)

STAGES = (14, 3)


def _followers_of_due_calls(days: int, later: int | None):
    """(person, call, days) of everyone following a published call whose deadline is within
    ``days`` (and beyond ``later`` days, the next stage)."""
    now = utcnow()
    window = [FundingCall.status == Curation.PUBLISHED, FundingCall.deadline_dt > now,
              FundingCall.deadline_dt <= now + timedelta(days=days)]
    if later is not None:
        window.append(FundingCall.deadline_dt > now + timedelta(days=later))
    follows = or_(
        FundingFollow.topic == literal("call:") + cast(FundingCall.id, String),
        FundingFollow.topic.in_(select(literal("sector:") + CallSector.sector).where(
            CallSector.call_id == FundingCall.id)),
        FundingFollow.topic.in_(select(literal("applicant:") + CallApplicant.applicant).where(
            CallApplicant.call_id == FundingCall.id)))
    return (select(FundingFollow.user_id, FundingCall.id, literal(days), literal(now))
            .join(FundingCall, and_(*window, follows)).where(true()).distinct())


def claim_reminders(days: int, later: int | None) -> list[tuple[int, int]]:
    """Insert the stage's due reminder rows; (person, call) of those this call inserted."""
    statement = (insert_on_conflict(FundingReminder)
                 .from_select(["user_id", "call_id", "days_before", "sent_dt"],
                              _followers_of_due_calls(days, later))
                 .on_conflict_do_nothing()
                 .returning(FundingReminder.user_id, FundingReminder.call_id))
    return [(user_id, call_id) for user_id, call_id in db.session.execute(statement)]


@shared_task(name="resources.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """Remind the followers of calls closing within 14 and 3 days; returns how many."""
    sent = 0
    for days, later in ((14, 3), (3, None)):
        by_call: dict[int, list[int]] = {}
        for user_id, call_id in claim_reminders(days, later):
            by_call.setdefault(call_id, []).append(user_id)
        for call_id, people in sorted(by_call.items()):
            call = db.session.get_one(FundingCall, call_id)
            notify(people, "funding_deadline", call, payload={
                "title": call.title, "call_id": call.id, "days": days})
            sent += len(people)
    commit()
    return sent
