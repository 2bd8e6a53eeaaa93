"""The boards' Socket.IO events with several real clients (flask_socketio test clients, one
signed-in session each): broadcast with versions, permissions per role, every kind of bad
input refused with nothing changed, last write wins with the loser told, presence, typing,
and a reconnection that misses changes and catches up to exactly the server's board."""

from __future__ import annotations

import time

import pytest

from m100hub.boards import presence, queries
from m100hub.boards.snapshot import whole
from m100hub.extensions import db as _db
from tests.support import boards as bf
from tests.support import factories


def version_of(shop) -> int:
    _db.session.expire_all()
    return shop.board.version


def test_a_card_added_by_one_reaches_everyone_with_the_version(connect, db):
    shop = bf.workshop(access="public")
    participant, organiser = connect(shop.participant), connect(shop.organiser)
    visitor = connect()
    for page in (participant, organiser, visitor):
        assert page.join(shop.board_id)["ok"]
    answer = participant.send("card.add", board=shop.board_id, column=shop.columns[0],
                              text="Grădini pe acoperiș", colour="green", key="op-1")
    assert answer["ok"] and answer["version"] == 1 and answer["card"], answer
    for page in (participant, organiser, visitor):
        changes = page.received()
        assert [(c["version"], c["kind"]) for c in changes] == [(1, "card.added")]
        assert changes[0]["data"]["card"]["text"] == "Grădini pe acoperiș"
        assert changes[0]["data"]["card"]["author"] == shop.participant.display_name
    assert version_of(shop) == 1


def test_visitors_watch_a_public_board_but_change_nothing(connect, db):
    shop = bf.workshop(access="public")
    visitor = connect()
    assert visitor.join(shop.board_id)["ok"]
    answer = visitor.send("card.add", board=shop.board_id, column=shop.columns[0], text="Eu",
                          key="v-1")
    assert answer == {"ok": False, "error": "forbidden"}
    assert version_of(shop) == 0


@pytest.mark.parametrize("who", ["visitor", "outsider", "unconfirmed"])
def test_a_registrants_board_refuses_the_others(connect, db, who):
    shop = bf.workshop()
    user = {"visitor": None, "outsider": shop.outsider,
            "unconfirmed": factories.person("unconfirmed")}[who]
    page = connect(user)
    assert page.join(shop.board_id) == {"ok": False, "error": "forbidden"}
    answer = page.send("card.add", board=shop.board_id, column=shop.columns[0], text="Eu",
                       key="o-1")
    assert answer == {"ok": False, "error": "forbidden"}
    assert page.received() == [] and version_of(shop) == 0


def test_a_foreign_origin_cannot_connect(connect, db):
    shop = bf.workshop()
    page = connect(shop.participant, origin="https://evil.example")
    assert not page.socket.is_connected("/boards")
    assert connect(shop.participant, origin="http://localhost").socket.is_connected("/boards")


def test_a_locked_board_takes_changes_from_facilitators_only(connect, db):
    shop = bf.workshop()
    participant, organiser = connect(shop.participant), connect(shop.organiser)
    card = participant.send("card.add", board=shop.board_id, column=shop.columns[0],
                            text="Înainte", key="l-1")["card"]
    assert organiser.send("board.settings", board=shop.board_id,
                          settings={"locked": True})["ok"]
    for event, data in [("card.add", {"column": shop.columns[0], "text": "După", "key": "l-2"}),
                        ("card.edit", {"card": card, "text": "Schimbat", "seen": 1}),
                        ("card.vote", {"card": card, "delta": 1}),
                        ("card.move", {"card": card, "column": shop.columns[1]})]:
        assert participant.send(event, board=shop.board_id, **data) == {
            "ok": False, "error": "locked"}, event
    assert organiser.send("card.add", board=shop.board_id, column=shop.columns[0],
                          text="Concluzie", key="l-3")["ok"]
    assert version_of(shop) == 3


def test_participants_change_their_own_cards_and_facilitators_any(connect, db):
    shop = bf.workshop()
    other = factories.person()
    from tests.support import event_factories as ef

    ef.register(other, shop.event)
    mine, theirs, organiser = connect(shop.participant), connect(other), connect(shop.organiser)
    card = mine.send("card.add", board=shop.board_id, column=shop.columns[0], text="A mea",
                     key="p-1")["card"]
    assert theirs.send("card.edit", board=shop.board_id, card=card, text="Nu",
                       seen=1)["error"] == "forbidden"
    assert theirs.send("card.delete", board=shop.board_id, card=card)["error"] == "forbidden"
    assert mine.send("card.edit", board=shop.board_id, card=card, text="A mea, mai bună",
                     seen=1)["ok"]
    assert organiser.send("card.edit", board=shop.board_id, card=card, colour="pink",
                          seen=2)["ok"]
    # moving and voting are everyone's
    assert theirs.send("card.vote", board=shop.board_id, card=card, delta=1)["ok"]
    assert theirs.send("card.move", board=shop.board_id, card=card, column=shop.columns[2],
                       after=None)["ok"]
    assert organiser.send("card.delete", board=shop.board_id, card=card)["ok"]
    # facilitators only
    for event, data in [("card.merge", {"card": card, "into": card}),
                        ("card.hide", {"card": card, "hidden": True}),
                        ("column.add", {"title": "Nouă"}), ("votes.reset", {}),
                        ("board.timer", {"seconds": 60}),
                        ("board.settings", {"settings": {"anonymous": True}})]:
        assert mine.send(event, board=shop.board_id, **data)["error"] == "forbidden", event


BAD = [
    ("card.add", {"column": "C0", "text": "Fără cheie"}, "invalid"),
    ("card.add", {"column": "C0", "text": "", "key": "b1"}, "invalid"),
    ("card.add", {"column": "C0", "text": "x" * 501, "key": "b2"}, "invalid"),
    ("card.add", {"column": "C0", "text": "Culoare", "colour": "mov", "key": "b3"}, "invalid"),
    ("card.add", {"column": 10**9, "text": "Nicăieri", "key": "b4"}, "not_found"),
    ("card.add", {"column": "OTHER_COLUMN", "text": "Altundeva", "key": "b5"}, "not_found"),
    ("card.add", {"text": "Fără coloană", "key": "b6"}, "invalid"),
    ("card.edit", {"card": "CARD", "text": "x"}, "invalid"),
    ("card.edit", {"card": "CARD", "text": "x" * 501, "seen": 1}, "invalid"),
    ("card.edit", {"card": 10**9, "text": "x", "seen": 1}, "not_found"),
    ("card.edit", {"card": "OTHER_CARD", "text": "x", "seen": 1}, "not_found"),
    ("card.move", {"card": "CARD"}, "invalid"),
    ("card.move", {"card": "OTHER_CARD", "column": "C0"}, "not_found"),
    ("card.move", {"card": "CARD", "column": "C1", "after": "CARD"}, "invalid"),
    ("card.vote", {"card": "CARD", "delta": 5}, "invalid"),
    ("card.vote", {"card": "CARD", "delta": -1}, "conflict"),
    ("card.delete", {"card": "OTHER_CARD"}, "not_found"),
    ("card.add", {"column": "C0", "text": "y" * 3000, "key": "b7"}, "too_large"),
]


@pytest.mark.parametrize(("event", "data", "error"), BAD)
def test_bad_input_is_refused_and_changes_nothing(connect, db, event, data, error):
    shop, other = bf.workshop(), bf.workshop()
    card, other_card = bf.card(shop), bf.card(other)
    names = {"C0": shop.columns[0], "C1": shop.columns[1], "CARD": card.id,
             "OTHER_CARD": other_card.id, "OTHER_COLUMN": other.columns[0]}
    data = {k: names.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    page, watcher = connect(shop.participant), connect(shop.organiser)
    watcher.join(shop.board_id)
    before = version_of(shop)
    answer = page.send(event, board=shop.board_id, **data)
    assert answer["ok"] is False and answer["error"] == error
    assert version_of(shop) == before and watcher.received() == []


@pytest.mark.parametrize("data", [None, "board", [1], {"board": "1"}, {"board": 10**9}])
def test_no_board_or_a_malformed_event_is_refused(connect, db, data):
    shop = bf.workshop()
    page = connect(shop.participant)
    answer = page.emit("card.add", data)
    assert answer["ok"] is False and answer["error"] in {"invalid", "not_found"}


def test_too_many_events_per_second_are_refused(connect, db, monkeypatch):
    from m100hub.boards import sockets

    # a bucket that refills slowly: the count does not depend on how fast this machine is
    monkeypatch.setattr(sockets, "RATE", 0.01)
    monkeypatch.setattr(sockets, "BURST", 3.0)
    shop = bf.workshop()
    page = connect(shop.participant)
    answers = [page.send("card.add", board=shop.board_id, column=shop.columns[0],
                         text=f"Idee {n}", key=f"burst-{n}") for n in range(10)]
    assert [a["ok"] for a in answers[:3]] == [True, True, True]
    assert answers[3:] == [{"ok": False, "error": "too_many"}] * 7
    assert version_of(shop) == 3


def test_concurrent_edits_last_write_wins_and_the_loser_is_told(connect, db):
    shop = bf.workshop()
    card = bf.card(shop, text="Început")
    seen = version_of(shop)
    mine, organiser = connect(shop.participant), connect(shop.organiser)
    for page in (mine, organiser):
        page.join(shop.board_id, since=seen)
    assert mine.send("card.edit", board=shop.board_id, card=card.id, text="Varianta mea",
                     seen=seen)["ok"]
    assert organiser.send("card.edit", board=shop.board_id, card=card.id,
                          text="Varianta facilitatorului", seen=seen)["ok"]
    told = mine.received("replaced")
    assert told == [{"version": seen + 2, "field": "text", "card": card.id}]
    assert organiser.received("replaced") == []
    final = [c for c in organiser.received() if c["kind"] == "card.edited"][-1]
    assert final["data"]["card"]["text"] == "Varianta facilitatorului"
    assert "replaced" not in final["data"]  # told to its person alone


def told_present(page, names: set, visitors: int = 0) -> None:
    """The page is told, within a few seconds (presence is announced at most once a
    second per board), that exactly these people and visitors are on the board."""
    deadline = time.monotonic() + 5
    while True:
        told = page.received("presence")
        last = told[-1] if told else {"people": [], "visitors": 0}
        if ({p["name"] for p in last["people"]}, last["visitors"]) == (names, visitors) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert ({p["name"] for p in last["people"]}, last["visitors"]) == (names, visitors)


def test_presence_and_typing(connect, db):
    shop = bf.workshop(access="public")
    mine, organiser, visitor = (connect(shop.participant), connect(shop.organiser),
                                connect())
    mine.join(shop.board_id)
    organiser.join(shop.board_id)
    visitor.join(shop.board_id)
    told_present(mine, {shop.participant.display_name, shop.organiser.display_name}, 1)
    assert mine.send("typing", board=shop.board_id, column=shop.columns[0], active=True)["ok"]
    assert organiser.received("typing") == [{"name": shop.participant.display_name,
                                             "column": shop.columns[0], "active": True}]
    assert mine.received("typing") == []
    organiser.close()
    visitor.close()
    told_present(mine, {shop.participant.display_name})


def test_presence_stays_small_however_many_join(app):
    """The names it carries are capped and visitors counted: a join costs the same
    message to everyone whether 5 or 500 are on the board."""
    board = 10**9 + 7
    with app.app_context():
        for n in range(presence.NAMED_AT_MOST + 10):
            presence.enter(board, f"sid-{n}", {"id": n + 1, "name": f"Persoana {n:02}"})
        presence.enter(board, "sid-again", {"id": 1, "name": "Persoana 00"})  # a second tab
        for n in range(3):
            presence.enter(board, f"visitor-{n}", {"id": None, "name": None})
        told = presence.present(board)
        for sid in [f"sid-{n}" for n in range(presence.NAMED_AT_MOST + 10)] + [
                "sid-again", "visitor-0", "visitor-1", "visitor-2"]:
            presence.leave(board, sid)
        assert presence.present(board) == {"people": [], "more": 0, "visitors": 0}
    assert len(told["people"]) == presence.NAMED_AT_MOST and told["more"] == 10
    assert told["visitors"] == 3 and told["people"][0]["name"] == "Persoana 00"


def test_anonymous_mode_names_nobody_live(connect, db):
    shop = bf.workshop()
    mine, organiser = connect(shop.participant), connect(shop.organiser)
    organiser.join(shop.board_id)
    organiser.send("board.settings", board=shop.board_id, settings={"anonymous": True})
    mine.send("card.add", board=shop.board_id, column=shop.columns[0], text="Secret",
              key="a-1")
    added = [c for c in organiser.received() if c["kind"] == "card.added"][0]
    assert added["data"]["card"]["author"] is None and added["data"]["card"]["author_id"] is None


def apply(board: dict, change: dict) -> None:
    """What static/js/boards.js does with a change, on a dict board."""
    kind, data = change["kind"], change["data"]
    cards = {c["id"]: c for c in board["cards"]}
    if kind in ("card.added", "card.edited", "card.moved", "card.grouped", "card.merged",
                "card.hidden", "card.shown"):
        cards[data["card"]["id"]] = data["card"]
        if "merged" in data:
            cards.pop(data["merged"], None)
    elif kind == "card.deleted":
        cards.pop(data["card"]["id"], None)
    elif kind == "card.voted":
        cards[data["card_id"]]["votes"] = data["votes"]
    elif kind == "votes.reset":
        for card in cards.values():
            card["votes"] = 0
    board["cards"] = list(cards.values())
    board["version"] = change["version"]


def comparable(board: dict) -> list:
    return sorted((c["id"], c["column"], c["position"], c["text"], c["votes"])
                  for c in board["cards"])


def test_a_client_that_reconnects_gets_what_it_missed_and_equals_the_server(connect, db):
    shop = bf.workshop()
    keep, other = bf.card(shop, text="Rămâne"), bf.card(shop, text="Pleacă")
    first = connect(shop.participant)
    local = first.join(shop.board_id)["board"]
    first.close()  # Wi-Fi drops
    organiser = connect(shop.organiser)
    organiser.send("card.add", board=shop.board_id, column=shop.columns[1], text="Nouă",
                   key="r-1")
    organiser.send("card.move", board=shop.board_id, card=keep.id, column=shop.columns[2])
    organiser.send("card.vote", board=shop.board_id, card=keep.id, delta=1)
    organiser.send("card.delete", board=shop.board_id, card=other.id)
    again = connect(shop.participant)
    answer = again.join(shop.board_id, since=local["version"])
    assert [c["version"] for c in answer["changes"]] == [3, 4, 5, 6]
    for change in answer["changes"]:
        apply(local, change)
    _db.session.expire_all()
    server = whole(queries.board(shop.board_id), queries.standing(shop.participant,
                                                                  shop.board))
    assert local["version"] == server["version"] == 6
    assert comparable(local) == comparable(server)
    # a retried "add" after the reconnect makes no second card
    repeat = organiser.send("card.add", board=shop.board_id, column=shop.columns[1],
                            text="Nouă", key="r-1")
    assert repeat["ok"] and repeat["repeated"] and version_of(shop) == 6


def test_a_facilitator_hides_a_card_and_everyone_sees_the_placeholder(connect, db, client):
    shop = bf.workshop(access="public")
    card = bf.card(shop, text="Reclamă la o firmă")
    organiser, visitor = connect(shop.organiser), connect()
    visitor.join(shop.board_id)
    assert organiser.send("card.hide", board=shop.board_id, card=card.id, hidden=True,
                          reason="Publicitate")["ok"]
    hidden = visitor.received()[-1]
    assert hidden["kind"] == "card.hidden" and hidden["data"]["card"]["text"] == ""
    assert hidden["data"]["card"]["hidden"] is True
    _db.session.commit()
    page = client.get(f"/boards/{shop.board_id}").get_data(as_text=True)
    assert "Reclamă la o firmă" not in page
    for name in ("export.csv", "export.md"):
        assert "Reclamă" not in client.get(f"/boards/{shop.board_id}/{name}").get_data(
            as_text=True)
    assert organiser.send("card.hide", board=shop.board_id, card=card.id, hidden=False)["ok"]
    assert visitor.received()[-1]["data"]["card"]["text"] == "Reclamă la o firmă"
