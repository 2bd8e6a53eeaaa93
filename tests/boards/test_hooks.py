"""How boards join the house: the demo data's workshop board, the event page's boards
section (reusing the organisers the page loaded: its query count is pinned), the board page
under a URL prefix (the addresses boards.js uses come from the server), and the SQL a card
move costs."""

from __future__ import annotations

from sqlalchemy import select

from m100hub.accounts import demo as account_demo
from m100hub.accounts.models import User
from m100hub.boards import demo, services
from m100hub.boards.models import Board, BoardAccess, BoardChange, Card
from m100hub.cities import demo as city_demo
from m100hub.events import demo as event_demo
from m100hub.events.models import Event
from m100hub.extensions import db as _db
from m100hub.features import DemoData
from tests.support import boards as bf
from tests.support import factories


def test_the_demo_workshop_gets_a_board_with_cards_once(client, db):
    state = DemoData()
    # outside any request, as `flask m100 seed-demo` runs them
    for seed in (city_demo.seed, account_demo.seed, event_demo.seed, demo.seed, demo.seed):
        seed(state)
    _db.session.commit()
    boards = _db.session.scalars(select(Board)).all()
    assert [b.title for b in boards] == [demo.TITLE] and demo.TITLE.startswith("Demo")
    board = boards[0]
    texts = _db.session.scalars(select(Card.text).where(Card.board_id == board.id)).all()
    assert sorted(texts) == sorted(text for _column, text, _colour in demo.CARDS)
    assert board.version == len(demo.CARDS) == _db.session.scalar(
        select(BoardChange.version).where(BoardChange.board_id == board.id)
        .order_by(BoardChange.version.desc()).limit(1))
    page = client.get(f"/events/{board.event_id}").get_data(as_text=True)
    assert f"/boards/{board.id}" in page
    page = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert demo.CARDS[0][1] in page and "Provocări" in page


def test_the_workshop_page_makes_as_many_queries_with_1_and_6_boards(measure, login_as, db,
                                                                   client):
    shop = bf.workshop(access="public")
    login_as(user=shop.organiser)
    event_id, organiser_id = shop.event.id, shop.organiser.id
    url = f"/events/{event_id}"
    small = measure(url, "/boards/", 1)
    for n in range(5):
        services.create_board(_db.session.get(Event, event_id),
                              _db.session.get(User, organiser_id), f"Tabla {n}",
                              BoardAccess.PUBLIC, "empty")
    large = measure(url, "/boards/", 6)
    print(f"\n[queries] workshop page: {small.count} at 1 board, {large.count} at 6")
    assert f"/events/{event_id}/boards/new" in large.text  # the organiser may add one
    assert large.count == small.count, repr(large)
    organiser_reads = [s for s in large.statements if "event_organisers" in s]
    assert len(organiser_reads) == 1, organiser_reads  # the page's own, not the section's


def test_the_board_page_hands_its_script_addresses_under_a_prefix(client, login_as, db):
    shop = bf.workshop()
    card = bf.card(shop, text="Sub prefix")
    login_as(user=shop.participant)
    _db.session.commit()
    page = client.get(f"/boards/{shop.board_id}",
                      environ_overrides={"SCRIPT_NAME": "/hub"}).get_data(as_text=True)
    assert 'data-socket-path="/hub/socket.io"' in page
    assert 'data-promote-url="/hub/boards/cards/987654321/promote"' in page
    assert 'data-outcome-url="/hub/boards/cards/987654321/outcome"' in page
    assert 'data-card-id-in-url="987654321"' in page
    assert "Sub prefix" in page and card.id


def test_a_card_move_costs_few_queries_whatever_the_board(connect, count_queries, db):
    shop = bf.workshop(access="public")
    moved = [bf.card(shop, text=f"Cartonaș {n}") for n in range(3)]
    page = connect(shop.participant)
    page.join(shop.board_id)
    counts = []
    for size, column in ((3, shop.columns[2]), (60, shop.columns[0])):
        while len(_db.session.scalars(select(Card.id)).all()) < size:
            bf.card(shop, author=factories.person(), column=shop.columns[1], text="Mai mult")
        _db.session.commit()
        with count_queries() as counter:
            answer = page.send("card.move", board=shop.board_id, card=moved[0].id,
                               column=column, after=None)
        assert answer["ok"], answer
        counts.append(counter)
    print(f"\n[queries] card move: {counts[0].count} at 3 cards, {counts[1].count} at 60")
    # the person, the board locked with their standing, the card, the column's keys; the
    # card, the log and the version written (it was 10 before the change path was cut)
    assert counts[0].count == counts[1].count <= 7, repr(counts[1])
