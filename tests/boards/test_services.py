"""Board services: versions and the change log, fractional positions, last write wins, dot
budgets, merging, and what is refused (changing nothing)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.boards import cards, services
from m100hub.boards.changes import BadInput, Unknown
from m100hub.boards.models import BoardChange, Card, Dot
from m100hub.boards.queries import cards as cards_of
from m100hub.boards.queries import standing
from m100hub.boards.snapshot import catch_up, whole
from m100hub.errors import Conflict
from tests.support import boards as bf


def order(shop, column) -> list[str]:
    return [c.text for c in cards_of(shop.board.id) if c.column_id == column]


def test_a_template_gives_its_columns_and_every_change_one_version(db):
    shop = bf.workshop()
    assert len(shop.columns) == 3 and shop.board.version == 0
    first = bf.card(shop, text="Unu")
    bf.card(shop, text="Doi")
    services.rename_column(shop.board.id, shop.columns[0], "Provocări mari")
    assert shop.board.version == 3
    logged = db.session.scalars(select(BoardChange.version).where(
        BoardChange.board_id == shop.board.id).order_by(BoardChange.version)).all()
    assert logged == [1, 2, 3]
    assert first.text_version == 1


def test_moves_write_one_key_and_keep_the_order(db):
    shop = bf.workshop()
    a, b, c = (bf.card(shop, text=t) for t in "ABC")
    column = shop.columns[0]
    assert order(shop, column) == ["A", "B", "C"]
    untouched = (a.position, b.position)
    cards.move_card(shop.board.id, c.id, column, None)  # to the top
    assert order(shop, column) == ["C", "A", "B"] and (a.position, b.position) == untouched
    cards.move_card(shop.board.id, c.id, column, a.id)  # between A and B
    assert order(shop, column) == ["A", "C", "B"]
    cards.move_card(shop.board.id, a.id, shop.columns[1], None)
    assert order(shop, column) == ["C", "B"] and order(shop, shop.columns[1]) == ["A"]


def test_two_cards_that_raced_to_one_key_still_get_a_place_between(db):
    shop = bf.workshop()
    a, b, c = (bf.card(shop, text=t) for t in "ABC")
    b.position = a.position  # as two concurrent moves could leave them
    db.session.flush()
    cards.move_card(shop.board.id, c.id, shop.columns[0], a.id)
    texts = order(shop, shop.columns[0])
    assert texts.index("C") > texts.index("A") and c.position > a.position


def test_last_write_wins_per_field_and_names_the_replaced_writer(db):
    shop = bf.workshop()
    card = bf.card(shop)
    seen = shop.board.version
    other = shop.organiser
    cards.edit_card(shop.board.id, shop.participant, card.id, {"text": "Varianta mea"}, seen)
    message = cards.edit_card(shop.board.id, other, card.id,
                              {"text": "Varianta ei", "colour": "green"}, seen)
    assert card.text == "Varianta ei" and card.colour.value == "green"
    assert message["data"]["replaced"] == {"text": shop.participant.id}
    # an edit made after seeing the latest version replaces nobody
    again = cards.edit_card(shop.board.id, shop.participant, card.id, {"text": "Împreună"},
                            shop.board.version)
    assert again["data"]["replaced"] == {}


def test_votes_keep_the_budget_and_one_dot_per_card(db):
    shop = bf.workshop(budget=2)
    a, b, c = (bf.card(shop, text=t) for t in "ABC")
    person = shop.participant
    cards.vote(shop.board.id, person, a.id, 1)
    with pytest.raises(Conflict):
        cards.vote(shop.board.id, person, a.id, 1)  # one dot per card
    cards.vote(shop.board.id, person, b.id, 1)
    with pytest.raises(Conflict):
        cards.vote(shop.board.id, person, c.id, 1)  # over budget
    cards.vote(shop.board.id, person, a.id, -1)
    cards.vote(shop.board.id, person, c.id, 1)
    assert (a.vote_count, b.vote_count, c.vote_count) == (0, 1, 1)
    with pytest.raises(Conflict):
        cards.vote(shop.board.id, person, a.id, -1)


def test_several_dots_on_one_card_when_allowed(db):
    shop = bf.workshop(budget=3, multiple=True)
    a = bf.card(shop)
    for _ in range(3):
        cards.vote(shop.board.id, shop.participant, a.id, 1)
    assert a.vote_count == 3
    with pytest.raises(Conflict):
        cards.vote(shop.board.id, shop.participant, a.id, 1)


def test_merge_moves_text_and_dots_and_reset_gives_them_back(db):
    shop = bf.workshop(budget=3)
    a, b = bf.card(shop, text="Biciclete"), bf.card(shop, text="Piste")
    cards.vote(shop.board.id, shop.participant, a.id, 1)
    cards.vote(shop.board.id, shop.participant, b.id, 1)
    cards.vote(shop.board.id, shop.organiser, b.id, 1)
    cards.merge_cards(shop.board.id, b.id, a.id)
    assert a.text == "Biciclete\nPiste" and b.deleted_dt is not None
    assert a.vote_count == 2  # the participant's second dot on it is given back
    services.reset_votes(shop.board.id)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Dot)) == 0
    assert db.session.get_one(Card, a.id).vote_count == 0


@pytest.mark.parametrize(("call", "error"), [
    (lambda s, c: cards.add_card(s.board.id, s.participant, s.columns[0], "", "yellow", "x"),
     BadInput),
    (lambda s, c: cards.add_card(s.board.id, s.participant, s.columns[0], "x" * 501, "yellow",
                                 "y"), BadInput),
    (lambda s, c: cards.add_card(s.board.id, s.participant, s.columns[0], "Bun", "mov", "z"),
     BadInput),
    (lambda s, c: cards.add_card(s.board.id, s.participant, 10**9, "Bun", "yellow", "w"),
     Unknown),
    (lambda s, c: cards.add_card(s.board.id, s.participant, s.columns[0], "Bun", "yellow", ""),
     BadInput),
    (lambda s, c: cards.edit_card(s.board.id, s.participant, c.id, {"author": 1}, 0), BadInput),
    (lambda s, c: cards.edit_card(s.board.id, s.participant, c.id, {"text": "x"}, "0"),
     BadInput),
    (lambda s, c: cards.move_card(s.board.id, c.id, s.columns[1], c.id), BadInput),
    (lambda s, c: cards.move_card(s.board.id, c.id, s.columns[1], 10**9), Unknown),
    (lambda s, c: cards.vote(s.board.id, s.participant, c.id, 2), BadInput),
    (lambda s, c: cards.merge_cards(s.board.id, c.id, c.id), BadInput),
    (lambda s, c: cards.group_card(s.board.id, c.id, c.id), BadInput),
    (lambda s, c: services.add_column(s.board.id, " "), BadInput),
    (lambda s, c: services.add_column(s.board.id, "x" * 101), BadInput),
    (lambda s, c: services.change_settings(s.board.id, {"locked": "yes"}), BadInput),
    (lambda s, c: services.change_settings(s.board.id, {"version": 1}), BadInput),
    (lambda s, c: services.change_settings(s.board.id, {"vote_budget": 101}), BadInput),
    (lambda s, c: services.set_timer(s.board.id, -1), BadInput),
])
def test_bad_input_changes_nothing(db, call, error):
    shop = bf.workshop()
    card = bf.card(shop)
    db.session.commit()
    version = shop.board.version
    with pytest.raises(error):
        call(shop, card)
    db.session.rollback()
    db.session.expire_all()
    assert shop.board.version == version


def test_a_card_of_another_board_is_unknown(db):
    one, two = bf.workshop(), bf.workshop()
    theirs = bf.card(two)
    with pytest.raises(Unknown):
        cards.edit_card(one.board.id, one.participant, theirs.id, {"text": "x"}, 0)
    with pytest.raises(Unknown):
        cards.move_card(one.board.id, theirs.id, one.columns[0], None)


def test_a_repeated_add_with_one_key_makes_one_card(db):
    shop = bf.workshop()
    first = cards.add_card(shop.board.id, shop.participant, shop.columns[0], "Una", None, "k-1")
    again = cards.add_card(shop.board.id, shop.participant, shop.columns[0], "Una", None, "k-1")
    assert again["repeated"] and again["data"]["card"]["id"] == first["data"]["card"]["id"]
    assert shop.board.version == 1


def test_catch_up_sends_the_missed_changes_or_the_whole_board(db):
    shop = bf.workshop()
    bf.card(shop, text="Unu")
    seen = shop.board.version
    bf.card(shop, text="Doi")
    services.change_settings(shop.board.id, {"anonymous": True})
    position = standing(shop.participant, shop.board)
    answer = catch_up(shop.board, position, seen)
    assert [c["version"] for c in answer["changes"]] == [seen + 1, seen + 2]
    added = answer["changes"][0]["data"]["card"]
    assert added["text"] == "Doi" and added["author"] is None  # anonymous now: redacted
    assert "board" in catch_up(shop.board, position, None)
    assert "board" in catch_up(shop.board, position, shop.board.version + 5)
    full = whole(shop.board, position)
    assert [c["text"] for c in full["cards"]] == ["Unu", "Doi"]
    assert all(c["author"] is None for c in full["cards"])
    assert len(full["mine"]) == 2


def test_hidden_votes_are_redacted_until_revealed(db):
    shop = bf.workshop()
    card = bf.card(shop)
    services.change_settings(shop.board.id, {"votes_hidden": True})
    message = cards.vote(shop.board.id, shop.participant, card.id, 1)
    from m100hub.boards.changes import redact

    assert redact(shop.board, message)["data"]["votes"] is None
    revealed = services.change_settings(shop.board.id, {"votes_hidden": False})
    assert revealed["data"]["cards"] == [{"id": card.id, "votes": 1}]
