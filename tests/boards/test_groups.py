"""Groups of cards: a card put in the group another card heads, the group named, a card
taken out, the group undone — live to everyone with the board's version, caught up after a
reconnect, refused when malformed; and the board page lists each group under its name, its
cards within it."""

from __future__ import annotations

import pytest

from m100hub.boards import cards, queries
from m100hub.boards.snapshot import whole
from m100hub.extensions import db as _db
from tests.support import boards as bf


def kinds(page) -> list[tuple[int, str]]:
    return [(c["version"], c["kind"]) for c in page.received()]


def test_a_group_is_made_named_and_undone_live(connect, db):
    shop = bf.workshop()
    head = bf.card(shop, text="Energie solară")
    other = bf.card(shop, column=shop.columns[1], text="Panouri pe școli")
    participant, organiser = connect(shop.participant), connect(shop.organiser)
    for page in (participant, organiser):
        assert page.join(shop.board_id)["ok"]
    grouped = participant.send("card.group", board=shop.board_id, card=other.id, under=head.id)
    assert grouped["ok"] and grouped["version"] == 3
    named = participant.send("group.name", board=shop.board_id, card=head.id,
                             title="  Soare pe acoperișuri ")
    assert named["ok"] and named["version"] == 4
    changes = organiser.received()
    assert [(c["version"], c["kind"]) for c in changes] == [(3, "card.grouped"),
                                                            (4, "group.named")]
    moved_in = changes[0]["data"]["card"]
    assert moved_in["group"] == head.id and moved_in["column"] == shop.columns[0]
    assert changes[1]["data"]["card"]["group_title"] == "Soare pe acoperișuri"
    undone = organiser.send("group.dissolve", board=shop.board_id, card=head.id)
    assert undone["ok"] and undone["version"] == 5
    last = participant.received()[-1]
    assert last["kind"] == "group.dissolved" and last["data"]["members"] == [other.id]
    assert last["data"]["card"]["group_title"] == ""
    _db.session.expire_all()
    assert _db.session.get(cards.Card, other.id).group_id is None
    again = organiser.send("group.dissolve", board=shop.board_id, card=head.id)
    assert again == {"ok": False, "error": "conflict", "reason": "no group"}
    assert bf_version(shop) == 5


def bf_version(shop) -> int:
    _db.session.expire_all()
    return shop.board.version


def test_a_card_taken_out_returns_to_its_group_s_column(connect, db):
    shop = bf.workshop()
    head = bf.card(shop, text="Cap")
    member = bf.card(shop, column=shop.columns[2], text="Membru")
    page = connect(shop.participant)
    page.join(shop.board_id)
    assert page.send("card.group", board=shop.board_id, card=member.id, under=head.id)["ok"]
    assert page.send("card.move", board=shop.board_id, card=head.id, column=shop.columns[1])[
        "ok"]
    out = page.send("card.group", board=shop.board_id, card=member.id, under=None)
    assert out["ok"]
    card = page.received()[-1]["data"]["card"]
    assert card["group"] is None and card["column"] == shop.columns[1]


@pytest.mark.parametrize("case", ["itself", "under a member", "a head under another",
                                  "name too long", "name not text", "name a member",
                                  "unknown card"])
def test_bad_groupings_are_refused_and_change_nothing(connect, db, case):
    shop = bf.workshop()
    head, member, third = (bf.card(shop, text=t) for t in ("Cap", "Membru", "Al treilea"))
    cards.group_card(shop.board_id, member.id, head.id)
    _db.session.commit()
    page = connect(shop.participant)
    page.join(shop.board_id)
    before = bf_version(shop)
    event, data, error = {
        "itself": ("card.group", {"card": third.id, "under": third.id}, "invalid"),
        "under a member": ("card.group", {"card": third.id, "under": member.id}, "invalid"),
        "a head under another": ("card.group", {"card": head.id, "under": third.id},
                                 "invalid"),
        "name too long": ("group.name", {"card": head.id, "title": "x" * 101}, "invalid"),
        "name not text": ("group.name", {"card": head.id, "title": 7}, "invalid"),
        "name a member": ("group.name", {"card": member.id, "title": "Nu"}, "invalid"),
        "unknown card": ("group.dissolve", {"card": 10**9}, "not_found"),
    }[case]
    assert page.send(event, board=shop.board_id, **data) == {"ok": False, "error": error}
    assert bf_version(shop) == before and page.received() == []


def test_visitors_and_a_locked_board_cannot_group(connect, db):
    shop = bf.workshop(access="public")
    head, other = bf.card(shop, text="Cap"), bf.card(shop, text="Altul")
    visitor = connect()
    visitor.join(shop.board_id)
    assert visitor.send("group.name", board=shop.board_id, card=head.id, title="Eu") == {
        "ok": False, "error": "forbidden"}
    organiser = connect(shop.organiser)
    organiser.send("board.settings", board=shop.board_id, settings={"locked": True})
    participant = connect(shop.participant)
    assert participant.send("card.group", board=shop.board_id, card=other.id,
                            under=head.id) == {"ok": False, "error": "locked"}


def test_a_reconnecting_client_catches_up_on_groups(connect, db):
    shop = bf.workshop()
    head, other = bf.card(shop, text="Cap"), bf.card(shop, text="Altul")
    first = connect(shop.participant)
    local = first.join(shop.board_id)["board"]
    first.close()
    organiser = connect(shop.organiser)
    organiser.send("card.group", board=shop.board_id, card=other.id, under=head.id)
    organiser.send("group.name", board=shop.board_id, card=head.id, title="Grupul verde")
    answer = connect(shop.participant).join(shop.board_id, since=local["version"])
    assert [c["kind"] for c in answer["changes"]] == ["card.grouped", "group.named"]
    mine = {c["id"]: c for c in local["cards"]}
    for change in answer["changes"]:
        mine[change["data"]["card"]["id"]] = change["data"]["card"]
    _db.session.expire_all()
    server = whole(queries.board(shop.board_id), queries.standing(shop.participant,
                                                                  shop.board))
    assert {i: (c["group"], c["group_title"]) for i, c in mine.items()} == {
        c["id"]: (c["group"], c["group_title"]) for c in server["cards"]}


def test_the_board_page_lists_each_group_under_its_name(client, login_as, db):
    shop = bf.workshop()
    head = bf.card(shop, text="Cap de grup")
    member = bf.card(shop, column=shop.columns[1], text="Membru al grupului")
    bf.card(shop, text="Singur")
    cards.group_card(shop.board_id, member.id, head.id)
    cards.name_group(shop.board_id, head.id, "Acoperișuri verzi")
    login_as(user=shop.participant)
    _db.session.commit()
    page = client.get(f"/boards/{shop.board_id}").get_data(as_text=True)
    group = page[page.index(f'id="group-{head.id}"'):]
    group = group[:group.index("</section>")]
    assert "Grup: Acoperișuri verzi · 2 bilete" in group  # the participant reads Romanian
    assert "Cap de grup" in group and "Membru al grupului" in group
    assert "Singur" not in group and f'aria-labelledby="group-title-{head.id}"' in group
