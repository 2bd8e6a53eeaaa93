"""Commitments signed by organisations: a verified member of a verified organisation
proposes one, the city's officials accept or decline it (per role); bad input gets a clear
message and writes nothing; a double submit makes one; the proposer is told; only accepted
ones are public."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.contracts import services
from m100hub.contracts.models import Commitment, CommitmentStatus, Contract
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from m100hub.organisations.models import Membership, Organisation, OrgKind, Status
from m100hub.submissions import new_key
from tests.support import contracts as cf
from tests.support import factories
from tests.support.consultations import english, page, redirects_to_login

NEW = "/cities/suceava/contract/commitments/new"
PLEDGE = "Montăm 500 kW de panouri pe depozitele noastre."
DUE = (date.today() + timedelta(days=400)).isoformat()


@pytest.fixture
def ngo(db):
    contract = cf.contract()
    organisation = factories.organisation("Asociația Verde Suceava")
    member = factories.user(locale="en")
    factories.membership(member, organisation)
    _db.session.commit()
    return contract, organisation, member


def _form(organisation, **changes):
    return {"organisation_id": str(organisation.id), "pledge": PLEDGE, "due_on": DUE,
            **changes}


def _proposed(contract, organisation, member) -> Commitment:
    item = Commitment(contract_id=contract.id, organisation_id=organisation.id, pledge=PLEDGE,
                      due_on=date(2029, 6, 30), proposed_by_id=member.id)
    _db.session.add(item)
    _db.session.commit()
    return item


PROPOSERS = ("anonymous", "citizen", "pending_member", "member_of_pending_org", "member")


@pytest.mark.parametrize("role", PROPOSERS)
def test_only_verified_members_of_verified_organisations_propose(client, login_as, ngo, role):
    contract, organisation, member = ngo
    if role == "member":
        login_as(user=member)
    elif role == "pending_member":
        waiting = factories.user(locale="en")
        factories.membership(waiting, organisation, status=Status.PENDING)
        login_as(user=waiting)
    elif role == "member_of_pending_org":
        other = factories.organisation("Firma nouă", status=Status.PENDING)
        person = factories.user(locale="en")
        factories.membership(person, other)
        login_as(user=person)
    elif role == "citizen":
        login_as("citizen", locale="en")
    before = cf.snapshot()
    form = client.get(NEW)
    response = client.post(NEW, data=_form(organisation))
    if role == "anonymous":
        assert redirects_to_login(response) and redirects_to_login(form)
    elif role != "member":
        assert response.status_code == 403 and form.status_code == 403
    else:
        assert form.status_code == 200 and response.status_code == 303
        commitment = _db.session.scalar(select(Commitment))
        assert (commitment.organisation_id, commitment.status, commitment.proposed_by_id) == (
            organisation.id, CommitmentStatus.PROPOSED, member.id)
        assert cf.count(ActivityEntry, ActivityEntry.verb == "contract_commitment_proposed") == 1
        return
    assert cf.snapshot() == before


@pytest.mark.parametrize("role", [*cf.ROLES, "member"])
def test_only_the_citys_officials_and_admins_decide(client, login_as, ngo, role):
    contract, organisation, member = ngo
    commitment = _proposed(contract, organisation, member)
    url = f"/cities/suceava/contract/commitments/{commitment.id}/decide"
    if role == "member":
        login_as(user=member)
    else:
        cf.sign_in_as(login_as, role)
    before = cf.snapshot()
    response = client.post(url, data={"decision": "accept", "reason": ""})
    if role == "anonymous":
        assert redirects_to_login(response)
    elif role not in cf.EDITORS:
        assert response.status_code == 403
        assert client.get(url).status_code == 403
    else:
        assert response.status_code == 303
        _db.session.expire_all()
        assert commitment.status == CommitmentStatus.ACCEPTED
        return
    assert cf.snapshot() == before


BAD = [
    ({"pledge": "  "}, "required"),
    ({"pledge": "Puțin"}, "between 10 and 500"),
    ({"pledge": "x" * 501}, "between 10 and 500"),
    ({"due_on": "2020-01-01"}, "cannot be in the past"),
    ({"due_on": "mâine"}, "Not a valid date"),
    ({"due_on": "2150-01-01"}, "between 1990 and 2100"),
    ({"organisation_id": "999999"}, "Not a valid choice"),
    ({"organisation_id": "unu"}, "Invalid Choice"),
]


def test_bad_proposals_get_a_clear_message_and_write_nothing(client, login_as, ngo):
    contract, organisation, member = ngo
    foreign = factories.organisation("Alt ONG")  # verified, but not the member's
    _db.session.commit()
    login_as(user=member)
    english(client)
    for change, message in [*BAD, ({"organisation_id": str(foreign.id)},
                                   "Not a valid choice")]:
        before = cf.snapshot()
        response = client.post(NEW, data={**_form(organisation, **change),
                                          "submission_key": new_key()})
        assert response.status_code == 422, change
        assert message in page(response), (change, page(response))
        assert cf.snapshot() == before


def test_bad_decisions_are_refused_and_a_decided_commitment_stays(client, login_as, ngo):
    contract, organisation, member = ngo
    commitment = _proposed(contract, organisation, member)
    url = f"/cities/suceava/contract/commitments/{commitment.id}/decide"
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    for data, message in (({"decision": "decline", "reason": " "}, "Say why"),
                          ({"decision": "maybe"}, "Not a valid choice"),
                          ({}, "required")):
        before = cf.snapshot()
        response = client.post(url, data=data)
        assert response.status_code == 422 and message in page(response), data
        assert cf.snapshot() == before
    assert client.post(url, data={"decision": "decline", "reason": "Prea vag."}
                       ).status_code == 303
    before = cf.snapshot()
    assert client.post(url, data={"decision": "accept"}).status_code == 409
    assert cf.snapshot() == before


def test_a_commitment_of_another_citys_contract_is_not_found_here(client, login_as, ngo):
    contract, organisation, member = ngo
    commitment = _proposed(contract, organisation, member)
    cf.contract("cluj-napoca")
    _db.session.commit()
    login_as(user=factories.official("cluj-napoca", locale="en"))
    before = cf.snapshot()
    url = f"/cities/cluj-napoca/contract/commitments/{commitment.id}/decide"
    assert client.post(url, data={"decision": "accept"}).status_code == 404
    assert cf.snapshot() == before


def test_a_city_without_a_contract_takes_no_commitment(client, login_as, ngo):
    _contract, organisation, member = ngo
    login_as(user=member)
    response = client.post("/cities/cluj-napoca/contract/commitments/new",
                           data=_form(organisation))
    assert response.status_code == 404
    assert cf.count(Commitment) == 0


def test_double_submits_make_one_commitment(client, login_as, ngo):
    _contract, organisation, member = ngo
    login_as(user=member)
    data = {**_form(organisation), "submission_key": new_key()}
    for _ in range(2):
        assert client.post(NEW, data=data).status_code == 303
    assert client.post(NEW, data={**data, "submission_key": new_key()}).status_code == 303
    assert cf.count(Commitment) == 1
    assert cf.count(ActivityEntry, ActivityEntry.verb == "contract_commitment_proposed") == 1


def test_pending_ones_are_seen_by_the_officials_and_the_proposer_only(client, login_as, ngo):
    contract, organisation, member = ngo
    commitment = _proposed(contract, organisation, member)
    english(client)
    assert PLEDGE not in page(client.get("/cities/suceava/contract"))
    assert "No organisation has signed a commitment yet" in page(
        client.get("/cities/suceava/contract"))
    login_as(user=member)
    text = page(client.get("/cities/suceava/contract"))
    assert PLEDGE in text and "Awaiting the city's answer" in text and "/decide" not in text
    official = factories.official("suceava", locale="en")
    login_as(user=official)
    assert (f'/commitments/{commitment.id}/decide">Answer<span class="visually-hidden"> — '
            "Asociația Verde Suceava") in page(client.get("/cities/suceava/contract"))
    client.post(f"/cities/suceava/contract/commitments/{commitment.id}/decide",
                data={"decision": "accept"})
    anonymous = client.application.test_client()
    anonymous.set_cookie("lang", "en")
    text = page(anonymous.get("/cities/suceava/contract"))
    assert PLEDGE in text and "Asociația Verde Suceava" in text and "Accepted" in text


def test_the_proposer_is_told_of_the_answer(client, login_as, ngo):
    contract, organisation, member = ngo
    accepted = _proposed(contract, organisation, member)
    declined = Commitment(contract_id=contract.id, organisation_id=organisation.id,
                          pledge="Plantăm 1 000 de copaci.", due_on=date(2028, 4, 1),
                          proposed_by_id=member.id)
    _db.session.add(declined)
    _db.session.commit()
    login_as(user=factories.official("suceava", locale="en"))
    base = "/cities/suceava/contract/commitments"
    client.post(f"{base}/{accepted.id}/decide", data={"decision": "accept"})
    client.post(f"{base}/{declined.id}/decide",
                data={"decision": "decline", "reason": "E deja în planul orașului."})
    told = _db.session.execute(select(Notification.recipient_id, Notification.kind)
                               .order_by(Notification.id)).all()
    assert told == [(member.id, "contract_commitment_accepted"),
                    (member.id, "contract_commitment_declined")]
    login_as(user=member)
    english(client)
    text = page(client.get("/notifications"))
    assert f"Suceava accepted your organisation's commitment “{PLEDGE}”." in text
    assert "declined your organisation's commitment “Plantăm 1 000 de copaci.”: E deja" in text
    log = page(client.get("/activity"))
    assert "accepted the commitment" in log and "declined the commitment" in log


def _town_hall_of(official):
    return _db.session.scalar(select(Organisation).join(
        Membership, Membership.organisation_id == Organisation.id).where(
        Membership.user_id == official.id, Organisation.kind == OrgKind.MUNICIPALITY))


def test_an_official_commits_their_town_hall_in_their_own_city_only(client, login_as, ngo):
    """A Cluj official cannot pledge Cluj's town hall in Suceava's contract (the form is
    refused, and a forged post writes nothing); in Cluj's own contract they can."""
    cf.contract("cluj-napoca")
    official = factories.official("cluj-napoca", locale="en")
    town_hall = _town_hall_of(official)
    _db.session.commit()
    login_as(user=official)
    before = cf.snapshot()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data={**_form(town_hall), "submission_key": new_key()}
                       ).status_code == 403
    assert cf.snapshot() == before
    english(client)
    assert "Propose a commitment of your organisation" not in page(
        client.get("/cities/suceava/contract"))
    own = "/cities/cluj-napoca/contract/commitments/new"
    assert client.get(own).status_code == 200
    assert client.post(own, data={**_form(town_hall), "submission_key": new_key()}
                       ).status_code == 303
    assert _db.session.execute(select(Commitment.organisation_id, Contract.city_id).join(
        Contract, Contract.id == Commitment.contract_id)).all() == [
        (town_hall.id, factories.city("cluj-napoca").id)]


def test_an_official_who_is_also_an_ngo_member_is_offered_the_ngo_only(client, login_as, ngo):
    _contract, organisation, _member = ngo
    official = factories.official("cluj-napoca", locale="en")
    factories.membership(official, organisation)
    town_hall = _town_hall_of(official)
    _db.session.commit()
    login_as(user=official)
    english(client)
    form = page(client.get(NEW))
    assert "Asociația Verde Suceava" in form and town_hall.name not in form
    before = cf.snapshot()
    response = client.post(NEW, data={**_form(town_hall), "submission_key": new_key()})
    assert response.status_code == 422 and "Not a valid choice" in page(response)
    assert cf.snapshot() == before


def test_the_service_refuses_another_citys_town_hall(app, ngo):
    contract, _organisation, _member = ngo
    official = factories.official("cluj-napoca")
    town_hall = _town_hall_of(official)
    with pytest.raises(services.CannotCommit):
        services.propose_commitment(official, factories.city("suceava"), contract, town_hall,
                                    pledge=PLEDGE, due_on=date(2029, 1, 1))
    assert cf.count(Commitment) == 0
