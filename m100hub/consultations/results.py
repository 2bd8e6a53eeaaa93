"""Results of a consultation, from the tallies: for the page, the CSV and the JSON export.
Aggregates only — individual ballots are never read here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from ..accounts.models import Sector
from . import queries
from .counting import OTHER, SECTORS, QuestionResult, merge_small_sectors, tally_question
from .models import Consultation, Question


@dataclass
class Answered:
    question: Question
    result: QuestionResult

    def label(self, option_id: int) -> str:
        return next(o.title for o in self.question.options if o.id == option_id)

    def winners(self) -> list[str]:
        return [self.label(option_id) for option_id in self.result.winners]


def compute(questions: list[Question], minimum: int) -> list[Answered]:
    """Every question's result, sectors with fewer than ``minimum`` ballots shown together
    (counting.merge_small_sectors) — on the page and in both exports alike."""
    tallies = queries.tallies([q.id for q in questions])
    return [Answered(q, merge_small_sectors(
        tally_question(q.kind.value, [o.id for o in q.options], tallies[q.id]), minimum))
        for q in questions]


def sector_labels() -> dict[str, str]:
    labels = {sector: Sector(sector).label for sector in SECTORS}
    labels[OTHER] = _("Other sectors (together)")
    return labels


def as_json(consultation: Consultation, answered: list[Answered]) -> dict:
    return {
        "consultation": {
            "id": consultation.id, "title": consultation.title,
            "city": consultation.city.name if consultation.city else None,
            "phase": consultation.phase.value,
            "opens": consultation.opens_dt.isoformat(),
            "closes": consultation.closes_dt.isoformat(),
            "participants": consultation.participant_count,
            "published": consultation.published_dt.isoformat()
            if consultation.published_dt else None,
            "results_due": consultation.results_due_on.isoformat()
            if consultation.results_due_on else None,
            "closed_early_reason": consultation.closed_early_reason,
        },
        "questions": [_question_json(item) for item in answered],
    }


def _question_json(item: Answered) -> dict:
    result = item.result
    return {
        "id": item.question.id, "text": item.question.text, "kind": result.kind,
        "ballots": result.ballots, "ballots_by_sector": result.ballots_by_sector,
        "options": [{"id": o.option_id, "label": item.label(o.option_id), "votes": o.votes,
                     "percent": round(o.percent, 2), "by_sector": o.by_sector}
                    for o in result.options],
        "rounds": [{"number": r.number, "votes": {str(k): v for k, v in r.votes.items()},
                    "exhausted": r.exhausted, "eliminated": r.eliminated}
                   for r in result.rounds],
        "winners": result.winners,
    }


CSV_HEADER = ("question_id", "question", "kind", "round", "option_id", "option", "votes",
              "percent", "ballots", *SECTORS, OTHER)
#: the sector columns: empty for a sector shown only inside OTHER
CSV_SECTORS = (*SECTORS, OTHER)


def csv_rows(answered: list[Answered]) -> Iterator[tuple]:
    """One row per option (ranked: first preferences, then one row per option and round),
    under ``CSV_HEADER``."""
    for item in answered:
        q, result = item.question, item.result
        for o in result.options:
            yield (q.id, q.text, result.kind, "", o.option_id, item.label(o.option_id), o.votes,
                   f"{o.percent:.2f}", result.ballots,
                   *(o.by_sector.get(s, "") for s in CSV_SECTORS))
        for r in result.rounds:
            for option_id, votes in r.votes.items():
                share = votes / r.continuing_total * 100 if r.continuing_total else 0.0
                yield (q.id, q.text, result.kind, r.number, option_id, item.label(option_id),
                       votes, f"{share:.2f}", r.continuing_total, *("",) * len(CSV_SECTORS))
