"""Who may do what with consultations. Views ask here; templates get the answers."""

from __future__ import annotations

from ..organisations.permissions import is_official_of, official_cities
from .models import Consultation, Phase, Proposal

EDITABLE = (Phase.DRAFT, Phase.SCHEDULED)
TALKING = (Phase.SCHEDULED, Phase.OPEN)


def _confirmed(user) -> bool:
    return bool(user.is_authenticated and user.is_confirmed)


def can_create(user) -> bool:
    """Admins, and officials of at least one city."""
    return _confirmed(user) and (user.is_admin or bool(official_cities(user)))


def can_manage(user, consultation: Consultation) -> bool:
    """The city's officials and admins; a national consultation is the secretariat's."""
    if not user.is_authenticated:
        return False
    return user.is_admin or (consultation.city_id is not None
                             and is_official_of(user, consultation.city_id))


def can_see(user, consultation: Consultation) -> bool:
    """A draft is seen by those who manage it only."""
    return consultation.announced_dt is not None or can_manage(user, consultation)


def can_vote_on_comment(user, consultation: Consultation, comment) -> bool:
    """Agree or disagree: someone else's comment, by those who may comment."""
    return can_comment(user, consultation) and comment.author_id != user.id


def can_delete_comment(user, comment) -> bool:
    """Its author only."""
    return bool(user.is_authenticated and comment.author_id == user.id)


def can_report_comment(user, comment) -> bool:
    """Someone else's visible comment, by a confirmed person."""
    return _confirmed(user) and comment.author_id != user.id and comment.visible


def can_change_questions(user, consultation: Consultation) -> bool:
    """Questions and options change only before voting opens."""
    return can_manage(user, consultation) and consultation.phase in EDITABLE


def can_edit(user, consultation: Consultation) -> bool:
    """Before closing; once open only the wording (and a later closing time), logged."""
    return can_manage(user, consultation) and consultation.phase in (*EDITABLE, Phase.OPEN)


def can_vote(user, consultation: Consultation) -> bool:
    return _confirmed(user) and consultation.phase == Phase.OPEN


can_propose = can_vote


def can_support(user, consultation: Consultation, proposal: Proposal) -> bool:
    return can_vote(user, consultation) and proposal.author_id != user.id


def can_comment(user, consultation: Consultation) -> bool:
    """Discussion runs from the announcement until voting closes."""
    return _confirmed(user) and consultation.phase in TALKING


def can_see_results(user, consultation: Consultation) -> bool:
    phase = consultation.phase
    if phase == Phase.PUBLISHED:
        return True
    if phase in (Phase.OPEN, Phase.CLOSED):
        return consultation.results_while_open or can_manage(user, consultation)
    return False


def can_publish(user, consultation: Consultation) -> bool:
    return can_manage(user, consultation) and consultation.phase == Phase.CLOSED


def can_answer_proposals(user, consultation: Consultation) -> bool:
    return can_manage(user, consultation) and consultation.phase in (Phase.CLOSED,
                                                                     Phase.PUBLISHED)
