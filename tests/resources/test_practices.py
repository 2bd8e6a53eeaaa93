"""Good practices: a city's practice linked to an action of its climate contract; officials
of other cities say "we want to replicate this" — once per city — and the authors hear of
it; the practice's page lists those cities. Nobody else may say it for a city."""

from __future__ import annotations

import pytest

from m100hub.resources.models import Replication, Resource
from tests.support import contracts as cf
from tests.support import factories
from tests.support import resources as rf
from tests.support.consultations import english, page


def test_another_city_wants_to_replicate_and_the_author_hears(client, login_as, db):
    author, ngo = rf.ngo_member()
    manager = factories.user(locale="en")
    factories.membership(manager, ngo, role="manager")
    item = rf.practice(author=author, organisation_id=ngo.id)
    suceava = login_as(user=factories.official("suceava", locale="en"))
    english(client)
    url = f"/resources/{item.id}"
    assert "We want to replicate this" in page(client.get(url))
    for _ in range(2):  # twice: one row, one notice
        assert client.post(f"{url}/replicate").status_code == 303
    assert rf.count(Replication) == 1
    assert rf.notified("practice_replication") == sorted([author.id, manager.id])
    assert rf.logged("practice_replication")[0].details["city"] == "Suceava"
    listed = page(client.application.test_client().get(url))
    assert "Suceava" in listed.split('id="replications"')[1]
    login_as(user=author)
    assert "Suceava wants to replicate your good practice “Autobuze electrice în Cluj”." in \
        page(client.get("/notifications"))
    assert suceava.id not in rf.notified("practice_replication")


@pytest.mark.parametrize("who", ["own_city_official", "citizen", "admin", "ngo_member"])
def test_only_officials_of_another_city_may_say_so(client, login_as, db, who):
    item = rf.practice()
    person = {"own_city_official": lambda: factories.official("cluj-napoca"),
              "citizen": lambda: factories.user(), "admin": lambda: factories.person("admin"),
              "ngo_member": lambda: rf.ngo_member()[0]}[who]()
    login_as(user=person)
    before = rf.snapshot()
    assert client.post(f"/resources/{item.id}/replicate").status_code == 403
    assert rf.snapshot() == before
    assert "We want to replicate this" not in page(client.get(f"/resources/{item.id}"))


def test_an_official_says_it_only_for_their_own_city(client, login_as, db):
    item = rf.practice()
    login_as(user=factories.official("suceava"))
    brasov = factories.city("brasov") or factories.city("bucuresti-sector-2")
    response = client.post(f"/resources/{item.id}/replicate", data={"city_id": str(brasov.id)})
    assert response.status_code == 400
    assert rf.count(Replication) == 0


def test_a_guide_cannot_be_replicated(client, login_as, db):
    guide = rf.item()
    login_as(user=factories.official("suceava"))
    assert client.post(f"/resources/{guide.id}/replicate").status_code == 404


def test_a_practice_links_to_its_city_s_contract_action(client, login_as, db):
    contract = cf.contract("cluj-napoca")
    action = cf.action(contract, title="Autobuze electrice")
    other = cf.action(cf.contract("suceava"), title="Altă acțiune")
    login_as("admin", locale="en")
    cluj = factories.city("cluj-napoca")
    form = rf.resource_form(kind="good_practice", title="Flota electrică",
                            practice_city_id=str(cluj.id), action_id=str(action.id),
                            cost="3 milioane €", result="**40 %** mai puține emisii",
                            contact="Direcția de mobilitate")
    refused = client.post("/resources/new", data={**form, "action_id": str(other.id)})
    assert refused.status_code == 422
    assert "Choose an action of the practice's own city." in page(refused)
    assert client.post("/resources/new", data=form).status_code == 303
    item = db.session.scalar(db.select(Resource))
    shown = page(client.get(f"/resources/{item.id}"))
    assert f'href="/cities/cluj-napoca/contract/actions/{action.id}">Autobuze electrice</a>' \
        in shown
    assert "<strong>40 %</strong> mai puține emisii" in shown
    assert "Cluj-Napoca" in page(client.get("/resources?city=cluj-napoca"))
