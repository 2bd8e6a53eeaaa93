"""Casting and changing ballots, and keeping the tallies exact.

One ballot per person and question is the database's rule (a unique constraint). A first
ballot is inserted inside a savepoint: of two concurrent first ballots one is refused by the
constraint and becomes a change of the other. A change locks the ballot row, so the old
choices it subtracts from the tallies are the ones stored. Tallies move by ``INSERT … ON
CONFLICT DO UPDATE`` and ``UPDATE … SET count = count ± 1``: atomic on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from ..database import insert_on_conflict, utcnow
from ..extensions import db
from .counting import encode
from .models import (
    FOLLOWS,
    Ballot,
    Consultation,
    Participant,
    Phase,
    Question,
    QuestionKind,
    Tally,
)
from .services import Conflict


class BadBallot(ValueError):
    """Choices that do not fit the question; ``str()`` is the rule that failed: "too many",
    "repeated rank", or "not fitting" (unknown option, repeated option, not a number…)."""


def field_name(question: Question) -> str:
    """The ballot form's field of a yes/no, single or approval question (a ranked question
    has one ``rank-<option id>`` field per option: option ids are unique across questions)."""
    return f"question-{question.id}"


@dataclass
class Answer:
    """What the ballot form says of one question: the option ids in order of preference,
    and for a ranked question the ranks as given (``{option id: rank}``)."""

    question: Question
    option_ids: list[int]
    ranks: dict[int, int] = field(default_factory=dict)

    @property
    def renumbered(self) -> bool:
        """Ranks that did not run 1, 2, 3… were read in their order (2, 5, 7 → 1, 2, 3)."""
        return sorted(self.ranks.values()) != list(range(1, len(self.ranks) + 1))


def read_answer(question: Question, form: MultiDict[str, str], name: str = "") -> Answer:
    """A question's answer in a submitted form (``name``: its field, field_name() unless the
    one-question address says otherwise); BadBallot when a value is not a number."""
    try:
        if question.kind == QuestionKind.RANKED:
            # the one-question address reads every rank (another question's is refused)
            keys = ([key for key in form if key.startswith("rank-")] if name else
                    [f"rank-{option.id}" for option in question.options])
            ranks = {int(key[5:]): int(value) for key in keys if (value := form.get(key))}
            return Answer(question, [option_id for option_id, _ in
                                     sorted(ranks.items(), key=lambda item: item[1])], ranks)
        return Answer(question, [int(value) for value in
                                 form.getlist(name or field_name(question)) if value])
    except ValueError as exc:
        raise BadBallot("not fitting") from exc


def check(answer: Answer) -> str:
    """The ballot's choice key, or BadBallot naming the rule that failed."""
    question, option_ids = answer.question, answer.option_ids
    known = {option.id for option in question.options}
    if (not option_ids or len(set(option_ids)) != len(option_ids)
            or not set(option_ids) <= known or any(rank < 1 for rank in answer.ranks.values())):
        raise BadBallot("not fitting")
    if len(set(answer.ranks.values())) != len(answer.ranks):
        raise BadBallot("repeated rank")
    if len(option_ids) > most_choices(question):
        raise BadBallot("too many")
    return encode(question.kind.value, option_ids)


def most_choices(question: Question) -> int:
    if question.kind in (QuestionKind.YES_NO, QuestionKind.SINGLE):
        return 1
    return question.max_choices or len(question.options)


def cast(user, consultation: Consultation, question: Question, option_ids: Sequence[int]) -> str:
    """Vote, or change the vote, on one question: "new", "changed" or "same"."""
    return cast_ballot(user, consultation, [Answer(question, list(option_ids))])[question.id]


def cast_ballot(user, consultation: Consultation, answers: Sequence[Answer]) -> dict[int, str]:
    """Vote on several questions at once, all or nothing: every answer is checked before any
    is written (BadBallot), then each is cast; {question id: "new", "changed" or "same"}.

    Rows are locked in one order whatever the ballot — question by question (the ballot,
    then its tally rows), the consultation's counter last — so that two ballots never wait
    for each other in a circle."""
    require_open(consultation)
    keys = [(answer.question, check(answer)) for answer in answers]
    outcomes = {question.id: _cast_one(user, question, key)
                for question, key in sorted(keys, key=lambda item: (item[0].position,
                                                                    item[0].id))}
    if "new" in outcomes.values():
        _join(consultation.id, user.id)
    return outcomes


def require_open(consultation: Consultation) -> None:
    """Ballots are taken while voting is open only (a Conflict otherwise)."""
    if consultation.phase != Phase.OPEN:
        raise Conflict(consultation.phase.value)


def _cast_one(user, question: Question, key: str) -> str:
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
    FOLLOWS.follow(user_id, consultation_id)
