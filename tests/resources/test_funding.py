"""Funding calls over HTTP: suggested by verified organisation members, approved by the
secretariat (which tells the people following the call's sectors and applicant types);
bad input refused with a message and nothing written; the status follows from the dates;
the list filters by status, sector and applicant type; following is idempotent; a contract's
funding line may point to a call."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from m100hub.database import utcnow
from m100hub.resources.models import CallStatus, Curation, FundingCall, FundingFollow
from m100hub.resources.queries import call_status
from tests.support import contracts as cf
from tests.support import factories
from tests.support import resources as rf
from tests.support.consultations import english, page, redirects_to_login
from tests.support.submissions import key_on


def test_a_member_suggests_a_call_the_admin_approves_and_followers_hear(client, login_as, db):
    energy_follower = factories.user(locale="en")
    ngo_follower = factories.user(locale="en")
    unrelated = factories.user(locale="en")
    db.session.add_all([FundingFollow(user_id=energy_follower.id, topic="sector:energy"),
                        FundingFollow(user_id=ngo_follower.id, topic="applicant:ngo"),
                        FundingFollow(user_id=unrelated.id, topic="sector:agriculture")])
    member, ngo = rf.ngo_member()
    login_as(user=member)
    english(client)
    response = client.post("/funding/new", data=rf.call_form(organisation_id=str(ngo.id)))
    assert response.status_code == 303
    call = db.session.scalar(db.select(FundingCall))
    assert call.status == Curation.PENDING and call.currency == "EUR"
    assert rf.notified("funding_call_new") == []  # nobody hears of a suggestion
    login_as("admin", locale="en")
    assert client.post(f"/funding/{call.id}/approve").status_code == 303
    assert client.post(f"/funding/{call.id}/approve").status_code == 303  # harmless twice
    assert rf.notified("funding_call_new") == sorted([energy_follower.id, ngo_follower.id])
    assert [e.verb for e in rf.logged("resource_approved")] == ["resource_approved"]
    login_as(user=energy_follower)
    assert "A new funding call matches what you follow: “Apel pentru eficiență energetică”." \
        in page(client.get("/notifications"))


def test_the_deadline_is_read_in_bucharest_time(client, login_as, db):
    login_as("admin", locale="en")
    client.post("/funding/new", data=rf.call_form(deadline_dt="2031-07-01T17:00"))
    call = db.session.scalar(db.select(FundingCall))
    assert call.deadline_dt.isoformat() == "2031-07-01T14:00:00+00:00"  # EEST is UTC+3


BAD = [
    ({"deadline_dt": rf.local_text(utcnow() - timedelta(days=1))},
     "The deadline of a new call must be in the future."),
    ({"amount_min": "5000", "amount_max": "100"},
     "The largest grant cannot be below the smallest."),
    ({"url": "javascript:alert(1)"}, "Give a web address starting with http:// or https://."),
    ({"url": "mailto:a@b.ro"}, "Give a web address starting with http:// or https://."),
    ({"title": "<img src=x onerror=alert(1)>"}, "Write plain text here, without HTML tags."),
    ({"funder": "<b>Comisia</b>"}, "Write plain text here, without HTML tags."),
    ({"cofinancing_rate": "120"}, "Between 0 and 100."),
    ({"amount_min": "-5"}, "A whole number, zero or more."),
    ({"applicants": []}, "Choose who may apply."),
    ({"opens_on": "2099-01-01"}, "The deadline cannot come before the opening."),
    ({"currency": "BTC"}, "Not a valid choice."),
    ({"deadline_dt": "mâine"}, "href=\"#deadline_dt\""),  # its message, whichever it is
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_input_gets_a_message_and_writes_nothing(client, login_as, db, change, message):
    login_as("admin", locale="en")
    before = rf.snapshot()
    response = client.post("/funding/new", data=rf.call_form(**change))
    assert response.status_code == 422
    assert message in page(response)
    assert rf.snapshot() == before


@pytest.mark.parametrize("role", ["citizen", "moderator", "unconfirmed"])
def test_people_without_a_verified_organisation_may_not_suggest_a_call(client, login_as, db,
                                                                       role):
    login_as(role)
    before = rf.snapshot()
    assert client.post("/funding/new", data=rf.call_form()).status_code == 403
    assert rf.snapshot() == before


@pytest.mark.parametrize("role", ["citizen", "official"])
def test_only_admins_approve_edit_and_retire_calls(client, login_as, db, role):
    item = rf.call()
    login_as(role)
    before = rf.snapshot()
    assert client.post(f"/funding/{item.id}/approve").status_code == 403
    assert client.post(f"/funding/{item.id}/retire", data={"reason": "x"}).status_code == 403
    assert client.post(f"/funding/{item.id}/edit", data=rf.call_form()).status_code == 403
    assert rf.snapshot() == before


def test_the_admin_edits_a_closed_call_and_retires_it(client, login_as, db):
    item = rf.call(deadline_in=timedelta(days=-3))
    login_as("admin", locale="en")
    form = rf.call_form(title="Apel închis", deadline_dt=rf.local_text(item.deadline_dt))
    assert client.post(f"/funding/{item.id}/edit", data=form).status_code == 303
    assert client.post(f"/funding/{item.id}/retire",
                       data={"reason": "Expirat"}).status_code == 303
    db.session.refresh(item)
    assert item.title == "Apel închis" and item.status == Curation.RETIRED


def test_a_double_submit_makes_one_call(client, login_as, db):
    login_as("admin")
    form = rf.call_form(submission_key=key_on(client, "/funding/new"))
    first, second = client.post("/funding/new", data=form), client.post("/funding/new",
                                                                         data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert rf.count(FundingCall) == 1


def test_the_status_follows_from_the_dates(db):
    now = utcnow()
    upcoming = rf.call(opens_on=date.today() + timedelta(days=10))
    open_ = rf.call(opens_on=date.today() - timedelta(days=1))
    no_opening = rf.call()
    closed = rf.call(deadline_in=timedelta(minutes=-1))
    assert [call_status(c, now) for c in (upcoming, open_, no_opening, closed)] == [
        CallStatus.UPCOMING, CallStatus.OPEN, CallStatus.OPEN, CallStatus.CLOSED]


def test_the_list_filters_by_status_sector_and_applicant(client, db):
    rf.call(title="Apel deschis", sectors=("energy",), applicants=("ngo",))
    rf.call(title="Apel viitor", opens_on=date.today() + timedelta(days=5),
            applicants=("company",))
    rf.call(title="Apel închis", deadline_in=timedelta(days=-1), sectors=("transport",))
    rf.call(title="Apel în așteptare", status=Curation.PENDING)
    db.session.commit()
    english(client)

    def titles(query):
        text = page(client.get(f"/funding?{query}"))
        return {t for t in ("Apel deschis", "Apel viitor", "Apel închis", "Apel în așteptare")
                if t in text}

    assert titles("") == {"Apel deschis", "Apel viitor", "Apel închis"}
    assert titles("when=open") == {"Apel deschis"}
    assert titles("when=upcoming") == {"Apel viitor"}
    assert titles("when=closed") == {"Apel închis"}
    assert titles("sector=energy") == {"Apel deschis"}
    assert titles("applicant=company") == {"Apel viitor"}
    assert titles("applicant=aliens") == titles("")
    exported = client.get("/funding.json?when=open").get_json()["funding"]
    assert [(c["title"], c["status"]) for c in exported] == [("Apel deschis", "open")]
    assert "Apel viitor" in client.get("/funding.csv").get_data(as_text=True)


def test_following_a_sector_an_applicant_type_and_a_call_is_idempotent(client, login_as, db):
    item = rf.call()
    person = login_as("official", locale="en")
    for kind, value in (("sector", "energy"), ("applicant", "municipality"),
                        ("call", str(item.id)), ("sector", "energy")):
        assert client.post("/funding/follow", data={"kind": kind, "value": value}
                           ).status_code == 303
    topics = set(db.session.scalars(db.select(FundingFollow.topic).where(
        FundingFollow.user_id == person.id)))
    assert topics == {"sector:energy", "applicant:municipality", f"call:{item.id}"}
    client.post("/funding/follow", data={"kind": "sector", "value": "energy", "follow": "0"})
    assert rf.count(FundingFollow) == 2
    for bad in ({"kind": "sector", "value": "space"}, {"kind": "call", "value": "99999"},
                {"kind": "x", "value": "y"}):
        assert client.post("/funding/follow", data=bad).status_code == 400
    assert rf.count(FundingFollow) == 2
    anonymous = client.application.test_client()
    assert redirects_to_login(anonymous.post("/funding/follow", data={"kind": "sector",
                                                                       "value": "energy"}))


def test_a_pending_call_cannot_be_followed_or_seen_by_others(client, login_as, db):
    pending = rf.call(status=Curation.PENDING)
    login_as("citizen")
    assert client.get(f"/funding/{pending.id}").status_code == 404
    assert client.post("/funding/follow", data={"kind": "call", "value": str(pending.id)}
                       ).status_code == 400


def test_a_contract_funding_line_points_to_a_call_and_links_it(client, login_as, db):
    item = rf.call(title="Fondul pentru modernizare — apel")
    contract = cf.contract()
    action = cf.action(contract)
    login_as(user=factories.official("suceava", locale="en"))
    url = f"/cities/suceava/contract/actions/{action.id}"
    assert "Fondul pentru modernizare — apel" in page(client.get(url))  # a choice of the form
    response = client.post(f"{url}/funding", data={
        "source_kind": "eu_programme", "programme": "Modernisation Fund", "secured": "0",
        "sought": "500000", "funding_call_id": str(item.id)})
    assert response.status_code == 303
    shown = page(client.application.test_client().get(url))
    assert f'href="/funding/{item.id}">Fondul pentru modernizare — apel</a>' in shown
    refused = client.post(f"{url}/funding", data={
        "source_kind": "eu_programme", "programme": "X", "sought": "5",
        "funding_call_id": "99999"})
    assert refused.status_code == 422


def test_following_goes_back_only_to_a_page_of_the_hub(client, login_as, db):
    login_as("citizen")
    for target, expected in (("/funding?sector=energy", "/funding?sector=energy"),
                             ("//evil.example/x", "/funding"), ("/\\evil.example", "/funding"),
                             ("https://evil.example/", "/funding")):
        response = client.post("/funding/follow", data={"kind": "sector", "value": "energy",
                                                        "next": target})
        assert response.headers["Location"] == expected, target
