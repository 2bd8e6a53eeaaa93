"""Casting and changing ballots, and keeping the tallies exact.

One ballot per person and question is the database's rule (a unique constraint). A first
ballot is inserted inside a savepoint: of two concurrent first ballots one is refused by the
constraint and becomes a change of the other. A change locks the ballot row, so the old
choices it subtracts from the tallies are the ones stored. Tallies move by ``INSERT … ON
CONFLICT DO UPDATE`` and ``UPDATE … SET count = count ± 1``: atomic on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from ..database import insert_on_conflict, utcnow
from ..extensions import db
from .counting import encode
from .models import (
    Ballot,
    Consultation,
    Participant,
    Phase,
    Question,
    QuestionKind,
    Tally,
)
from .services import Conflict, follow


class BadBallot(ValueError):
    """Choices that do not fit the question (unknown option, too many, repeated…)."""


def choices_from_form(question: Question, form: MultiDict[str, str]) -> list[int]:
    """The option ids a submitted form chose, in order of preference for ranked questions."""
    try:
        if question.kind == QuestionKind.RANKED:
            ranks = [(int(value), int(key[5:])) for key, value in form.items()
                     if key.startswith("rank-") and value]
            if len({rank for rank, _ in ranks}) != len(ranks):
                raise BadBallot("repeated rank")
            return [option_id for _, option_id in sorted(ranks)]
        return [int(value) for value in form.getlist("option")]
    except ValueError as exc:
        raise BadBallot("not a number") from exc


def check(question: Question, option_ids: Sequence[int]) -> str:
    """The ballot's choice key, or BadBallot."""
    known = {option.id for option in question.options}
    if not option_ids:
        raise BadBallot("empty")
    if len(set(option_ids)) != len(option_ids):
        raise BadBallot("repeated option")
    if not set(option_ids) <= known:
        raise BadBallot("unknown option")
    if question.kind in (QuestionKind.YES_NO, QuestionKind.SINGLE):
        most = 1
    else:
        most = question.max_choices or len(known)
    if len(option_ids) > most:
        raise BadBallot("too many choices")
    return encode(question.kind.value, option_ids)


def cast(user, consultation: Consultation, question: Question, option_ids: Sequence[int]) -> str:
    """Vote, or change the vote: "new", "changed" or "same"."""
    if consultation.phase != Phase.OPEN:
        raise Conflict(consultation.phase.value)
    key = check(question, option_ids)
    ballot = _locked_ballot(question.id, user.id)
    if ballot is None:
        try:
            with db.session.begin_nested():
                db.session.add(Ballot(question_id=question.id, user_id=user.id,
                                      choice_key=key, sector=user.sector))
        except IntegrityError:  # a concurrent first ballot of the same person won
            ballot = _locked_ballot(question.id, user.id)
            if ballot is None:  # not that: another constraint failed
                raise
        else:
            _count(question.id, key, user.sector, +1)
            _join(consultation.id, user.id)
            return "new"
    if ballot.choice_key == key and ballot.sector == user.sector:
        return "same"
    # two changes lock their tally rows in one order, so they never deadlock
    for moved_key, sector, delta in sorted([(ballot.choice_key, ballot.sector.value, -1),
                                            (key, user.sector.value, +1)]):
        _count(question.id, moved_key, sector, delta)
    ballot.choice_key, ballot.sector, ballot.changed_dt = key, user.sector, utcnow()
    db.session.flush()
    return "changed"


def _locked_ballot(question_id: int, user_id: int) -> Ballot | None:
    return db.session.scalar(
        select(Ballot).where(Ballot.question_id == question_id, Ballot.user_id == user_id)
        .with_for_update().execution_options(populate_existing=True))


def _count(question_id: int, key: str, sector, delta: int) -> None:
    if delta > 0:
        stmt = insert_on_conflict(Tally).values(
            question_id=question_id, choice_key=key, sector=sector, count=delta)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=[Tally.question_id, Tally.choice_key, Tally.sector],
            set_={"count": Tally.count + delta}))
    else:
        db.session.execute(update(Tally).where(
            Tally.question_id == question_id, Tally.choice_key == key, Tally.sector == sector,
        ).values(count=Tally.count + delta))


def _join(consultation_id: int, user_id: int) -> None:
    """A first ballot in the consultation makes a participant (turnout) and a follower."""
    # RETURNING tells whether the row was new (psycopg reports no rowcount for this INSERT)
    joined = db.session.execute(insert_on_conflict(Participant).values(
        consultation_id=consultation_id, user_id=user_id).on_conflict_do_nothing()
        .returning(Participant.user_id)).first()
    if joined is not None:
        db.session.execute(update(Consultation).where(Consultation.id == consultation_id)
                           .values(participant_count=Consultation.participant_count + 1))
    follow(consultation_id, user_id)
