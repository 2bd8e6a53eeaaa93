"""Telling followers that voting opened (those who have not voted yet) and that it closes
within 48 hours: a periodic task (Celery beat), exactly once per consultation and moment — a
conditional UPDATE claims each announcement, so two workers (or a retried run) never send it
twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from sqlalchemy import select, update

from ..database import commit, rows_changed, utcnow
from ..extensions import db
from ..notifications.services import notify
from .models import Consultation
from .services import followers

REMIND_BEFORE = timedelta(hours=48)


@shared_task(name="consultations.announce_phases")
def announce_phases() -> int:
    """Notify followers of openings and of closings within 48 hours; returns how many
    announcements were made."""
    now = utcnow()
    running = (Consultation.announced_dt.is_not(None), Consultation.opens_dt <= now,
               Consultation.closes_dt > now)
    made = 0
    for column, kind, due in (
        (Consultation.opening_notified_dt, "consultation_opened", ()),
        (Consultation.closing_notified_dt, "consultation_closing",
         (Consultation.closes_dt <= now + REMIND_BEFORE,)),
    ):
        ids = db.session.scalars(select(Consultation.id).where(
            *running, *due, column.is_(None)).order_by(Consultation.id)).all()
        for consultation_id in ids:
            made += _announce(consultation_id, column, kind, now)
    return made


def _announce(consultation_id: int, column, kind: str, now) -> int:
    claimed = rows_changed(update(Consultation).where(
        Consultation.id == consultation_id, column.is_(None)).values({column: now}))
    if claimed == 1:
        consultation = db.session.get_one(Consultation, consultation_id)
        # "voting has opened" is news only to those who have not voted yet
        notify(followers(consultation_id, but_voters=kind == "consultation_opened"), kind,
               consultation,
               payload={"title": consultation.title, "consultation_id": consultation_id})
    commit()
    return claimed
