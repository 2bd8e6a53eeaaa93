"""Demo data of the boards: the demo workshop gets a public board, marked as a demo, with a
few cards from its organiser and its participants — written through the services, so the
versions, positions and change log are those of a real board."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from ..events.demo import DEMO as DEMO_EVENTS
from ..events.models import Event, EventKind, Registration, RegistrationStatus
from ..extensions import db
from ..features import DemoData
from . import cards, services
from .models import Board, BoardAccess
from .queries import columns

TITLE = "Demo: idei pentru comunitatea de energie"
#: (column index, text, colour)
CARDS = [
    (0, "Mulți vecini nu știu ce este o comunitate de energie.", "yellow"),
    (0, "Acoperișurile blocurilor sunt ale tuturor: cine decide?", "pink"),
    (1, "Panouri solare pe școala din cartier, curentul împărțit cu vecinii.", "green"),
    (1, "O seară de informare la centrul civic, cu exemple din alte orașe.", "blue"),
    (2, "Chestionar pentru asociațiile de proprietari până la finalul lunii.", "orange"),
]


def seed(demo: DemoData) -> None:
    workshop = db.session.scalar(select(Event).where(
        Event.kind == EventKind.WORKSHOP, Event.title.in_([row[0] for row in DEMO_EVENTS])))
    if workshop is None or db.session.scalar(
            select(Board.id).where(Board.event_id == workshop.id, Board.title == TITLE)):
        return
    organiser = next(person for person in demo.people.values()
                     if person.id == workshop.created_by_id)
    with force_locale("ro"):  # the template's column titles; `flask m100` has no request
        board = services.create_board(workshop, organiser, TITLE, BoardAccess.PUBLIC,
                                      "challenges", vote_budget=3)
    column_ids = [column.id for column in columns(board.id)]
    authors = [organiser, *_participants(demo, workshop)]
    for n, (column, text, colour) in enumerate(CARDS):
        cards.add_card(board.id, authors[n % len(authors)], column_ids[column], text, colour,
                       f"demo-{n}")
    db.session.flush()


def _participants(demo: DemoData, workshop: Event) -> list:
    confirmed = set(db.session.scalars(select(Registration.user_id).where(
        Registration.event_id == workshop.id,
        Registration.status == RegistrationStatus.CONFIRMED)))
    return [person for person in demo.people.values() if person.id in confirmed]
