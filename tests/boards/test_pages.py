"""Board pages over HTTP: who sees which board (per role), creating a board (bad input,
double submit), the exports (anonymous boards name nobody), the event page's section, and
the board page's query count at two sizes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.boards import cards, services
from m100hub.boards.models import Board, BoardColumn
from m100hub.extensions import db as _db
from tests.support import boards as bf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support.submissions import key_on, send


def board_url(shop) -> str:
    return f"/boards/{shop.board.id}"


def boards_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(Board))


@pytest.mark.parametrize(("who", "status"), [
    ("visitor", 404), ("outsider", 403), ("participant", 200), ("organiser", 200),
    ("admin", 200)])
def test_a_registrants_board_is_seen_by_registrants_and_facilitators(client, login_as, db,
                                                                      who, status):
    shop = bf.workshop()
    bf.card(shop, text="Panouri pe școli")
    people = {"outsider": shop.outsider, "participant": shop.participant,
              "organiser": shop.organiser, "admin": factories.person("admin")}
    if who != "visitor":
        login_as(user=people[who])
    _db.session.commit()
    response = client.get(board_url(shop))
    assert response.status_code == status
    if status == 200:
        assert "Panouri pe școli" in response.get_data(as_text=True)


def test_a_public_board_is_read_by_visitors_without_javascript(client, db):
    shop = bf.workshop(access="public")
    bf.card(shop, text="Pădure urbană")
    _db.session.commit()
    page = client.get(board_url(shop)).get_data(as_text=True)
    assert "Pădure urbană" in page and 'aria-live="polite"' in page
    assert "Provocări" in page  # the template's columns, server-rendered


def test_a_board_of_the_sectors_template_names_its_columns_in_the_organisers_language(
        client, login_as, db):
    organiser = factories.person()  # reads Romanian
    event = ef.event(organiser=organiser)
    login_as(user=organiser)
    path = f"/events/{event.id}/boards/new"
    response = send(client, path, {"title": "Pe sectoare", "template": "sectors",
                                   "access": "public", "vote_budget": "4",
                                   "submission_key": key_on(client, path)})
    assert response.status == 303
    board_id = _db.session.scalar(select(Board.id))
    assert list(_db.session.scalars(select(BoardColumn.title).where(
        BoardColumn.board_id == board_id).order_by(BoardColumn.position))) == [
        "Energie", "Transport", "Clădiri", "Industrie", "Agricultură"]


def test_the_organiser_creates_a_board_from_a_template_once(client, login_as, db):
    organiser = factories.person()
    event = ef.event(organiser=organiser)
    login_as(user=organiser)
    path = f"/events/{event.id}/boards/new"
    data = {"title": "Idei pentru cartier", "template": "retro", "access": "public",
            "vote_budget": "4", "submission_key": key_on(client, path)}
    first = send(client, path, data)
    again = send(client, path, data)
    assert first.status == again.status == 303 and first.location == again.location
    assert boards_count() == 1
    board = _db.session.scalar(select(Board))
    assert board.vote_budget == 4 and board.access.value == "public"


@pytest.mark.parametrize("data", [
    {"title": " ", "template": "retro", "access": "public", "vote_budget": "4"},
    {"title": "x" * 201, "template": "retro", "access": "public", "vote_budget": "4"},
    {"title": "Idei", "template": "nope", "access": "public", "vote_budget": "4"},
    {"title": "Idei", "template": "retro", "access": "everyone", "vote_budget": "4"},
    {"title": "Idei", "template": "retro", "access": "public", "vote_budget": "101"},
    {"title": "Idei", "template": "retro", "access": "public", "vote_budget": "-1"},
    {"title": "Idei", "template": "retro", "access": "public", "vote_budget": "multe"},
])
def test_bad_board_forms_are_refused_and_write_nothing(client, login_as, db, data):
    organiser = factories.person()
    event = ef.event(organiser=organiser)
    login_as(user=organiser)
    response = client.post(f"/events/{event.id}/boards/new", data=data)
    assert response.status_code == 422
    assert boards_count() == 0


@pytest.mark.parametrize("who", ["participant", "other", "unconfirmed"])
def test_only_organisers_create_boards(client, login_as, db, who):
    organiser = factories.person()
    event = ef.event(organiser=organiser)
    person = factories.person("unconfirmed" if who == "unconfirmed" else "citizen")
    if who == "participant":
        ef.register(person, event)
    login_as(user=person)
    response = client.post(f"/events/{event.id}/boards/new", data={
        "title": "Idei", "template": "retro", "access": "public", "vote_budget": "3"})
    assert response.status_code == 403
    assert boards_count() == 0


def test_no_board_on_an_event_that_is_not_a_workshop(client, login_as, db):
    organiser = factories.person()
    event = ef.event(organiser=organiser, kind="webinar")
    login_as(user=organiser)
    assert client.get(f"/events/{event.id}/boards/new").status_code == 403


def test_exports_list_the_cards_and_name_no_author_when_anonymous(client, login_as, db):
    shop = bf.workshop()
    card = bf.card(shop, text="=HYPERLINK(1)")
    bf.card(shop, column=shop.columns[1], text="Acoperișuri verzi")
    cards.vote(shop.board.id, shop.participant, card.id, 1)
    login_as(user=shop.participant)
    csv_text = client.get(f"{board_url(shop)}/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in csv_text and shop.participant.display_name in csv_text
    markdown = client.get(f"{board_url(shop)}/export.md").get_data(as_text=True)
    assert markdown.startswith("# Atelier energie") and "- Acoperișuri verzi" in markdown
    services.change_settings(shop.board.id, {"anonymous": True})
    _db.session.commit()
    for suffix in ("export.csv", "export.md"):
        text = client.get(f"{board_url(shop)}/{suffix}").get_data(as_text=True)
        assert shop.participant.display_name not in text and "Acoperișuri verzi" in text


def test_the_workshop_page_lists_its_boards_and_offers_organisers_a_new_one(client,
                                                                            login_as, db):
    shop = bf.workshop()
    login_as(user=shop.organiser)
    page = client.get(f"/events/{shop.event.id}").get_data(as_text=True)
    assert "Atelier energie" in page and f"/events/{shop.event.id}/boards/new" in page
    ef.reschedule(shop.event, -__import__("datetime").timedelta(days=2))
    _db.session.commit()
    page = client.get(f"/events/{shop.event.id}").get_data(as_text=True)
    assert f"/boards/{shop.board.id}" in page


def test_invite_a_facilitator_by_handle(client, login_as, db):
    shop = bf.workshop()
    helper = factories.person(handle="ajutor.atelier")
    login_as(user=shop.organiser)
    response = client.post(f"{board_url(shop)}/facilitators", data={"handle": "@ajutor.atelier"})
    assert response.status_code == 303
    assert client.post(f"{board_url(shop)}/facilitators",
                       data={"handle": "nimeni"}).status_code == 422
    login_as(user=helper)
    assert client.get(board_url(shop)).status_code == 200
    login_as(user=shop.participant)
    assert client.post(f"{board_url(shop)}/facilitators",
                       data={"handle": "nimeni"}).status_code == 403


def test_the_board_page_makes_as_many_queries_at_5_and_100_cards(measure, db):
    shop = bf.workshop(access="public")
    for n in range(5):
        bf.card(shop, text=f"Cartonaș {n}")
    small = measure(board_url(shop), "Cartonaș", 5)
    for n in range(95):
        bf.card(shop, author=factories.person(), column=shop.columns[n % 3],
                text=f"Cartonaș mare {n}")
    large = measure(board_url(shop), "Cartonaș", 100)
    print(f"\n[queries] board: {small.count} at 5, {large.count} at 100")
    assert large.count == small.count <= 8, repr(large)
