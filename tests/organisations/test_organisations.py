"""Organisations and memberships: requesting, joining, deciding, and who is an official."""

from __future__ import annotations

import pytest
from flask import g
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select, update

from m100hub.activity.models import ActivityEntry
from m100hub.notifications.models import Notification
from m100hub.organisations.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrgKind,
    Status,
)
from m100hub.organisations.permissions import is_official_of
from tests.support import factories


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def by_slug(db, slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def org_form(**overrides) -> dict:
    data = {
        "name": "Asociația Verde Suceava",
        "kind": "ngo",
        "city_id": str(factories.city("suceava").id),
        "website": "https://verde.example.ro",
    }
    data.update(overrides)
    return data


# --- requesting an organisation ---------------------------------------------------------


def test_request_creates_pending_organisation_and_pending_manager(client, db, login_as):
    user = login_as("citizen", locale="en")
    suceava = factories.city("suceava")

    response = client.post("/organisations/new", data=org_form())

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/organisations/asociatia-verde-suceava")
    org = by_slug(db, "asociatia-verde-suceava")
    assert org is not None
    assert org.name == "Asociația Verde Suceava"
    assert org.kind == OrgKind.NGO
    assert org.status == Status.PENDING
    assert org.city_id == suceava.id
    assert org.website == "https://verde.example.ro"
    assert org.created_by_id == user.id
    memberships = list(db.session.scalars(select(Membership).where(
        Membership.organisation_id == org.id)))
    assert len(memberships) == 1
    assert memberships[0].user_id == user.id
    assert memberships[0].role == MembershipRole.MANAGER
    assert memberships[0].status == Status.PENDING
    # Pending organisations are not listed publicly.
    client.set_cookie("lang", "en")
    listing = client.get("/organisations").get_data(as_text=True)
    assert "Asociația Verde Suceava" not in listing


def test_request_form_is_shown(client, login_as):
    login_as("citizen", locale="en")
    response = client.get("/organisations/new")
    assert response.status_code == 200
    assert "Request an organisation" in response.get_data(as_text=True)


def test_request_without_website_or_city_for_an_ngo(client, db, login_as):
    login_as("citizen")
    response = client.post("/organisations/new",
                           data=org_form(name="Rețeaua Națională", city_id="0", website=""))
    assert response.status_code == 303
    org = by_slug(db, "reteaua-nationala")
    assert org is not None and org.city_id is None and org.website == ""


def test_municipality_needs_a_city(client, db, login_as):
    user = login_as("citizen", locale="en")
    before = count(db, Organisation)
    response = client.post("/organisations/new",
                           data=org_form(name="Primăria Fără Oraș", kind="municipality",
                                         city_id="0"))
    assert response.status_code == 200
    assert "Choose the city of the municipality." in response.get_data(as_text=True)
    assert count(db, Organisation) == before
    assert count(db, Membership, Membership.user_id == user.id) == 0


def test_duplicate_name_gets_a_clear_message_and_writes_nothing(client, db, login_as):
    login_as("citizen", locale="en")
    assert client.post("/organisations/new", data=org_form()).status_code == 303
    orgs, members = count(db, Organisation), count(db, Membership)

    # Different spelling, same slug.
    response = client.post("/organisations/new",
                           data=org_form(name="asociatia  VERDE suceava", kind="company"))

    assert response.status_code == 200
    assert ("A request for an organisation with this name is awaiting verification."
            in response.get_data(as_text=True))
    assert count(db, Organisation) == orgs
    assert count(db, Membership) == members


def test_a_verified_name_points_to_joining(client, db, login_as):
    login_as("citizen", locale="en")
    factories.organisation("Energie Curată Suceava", slug="energie-curata-suceava")
    db.session.commit()
    orgs = count(db, Organisation)
    response = client.post("/organisations/new", data=org_form(name="Energie curata suceava"))
    assert "ask to join it instead" in response.get_data(as_text=True)
    assert count(db, Organisation) == orgs


def test_reserved_names_are_refused(client, db, login_as):
    login_as("citizen", locale="en")
    orgs = count(db, Organisation)
    response = client.post("/organisations/new", data=org_form(name="New"))
    assert "This name cannot be used" in response.get_data(as_text=True)
    assert count(db, Organisation) == orgs


def test_a_declined_name_can_be_requested_again(client, db, login_as):
    declined = factories.organisation(
        "Primăria Exemplu", status="rejected", slug="primaria-exemplu")
    db.session.commit()
    person = login_as("citizen", locale="en")
    response = client.post("/organisations/new", data=org_form(name="Primăria Exemplu"))
    assert response.status_code == 303
    db.session.expire_all()
    assert by_slug(db, declined.slug).status == Status.PENDING
    founder = db.session.scalar(select(Membership).where(
        Membership.organisation_id == declined.id, Membership.user_id == person.id))
    assert founder.role == MembershipRole.MANAGER and founder.status == Status.PENDING


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "cult"}, "Not a valid choice"),
        ({"kind": ""}, "This field is required."),
        ({"website": "javascript:alert(1)"}, "Enter a full web address."),
        ({"website": "ftp://x"}, "Enter a full web address."),
        ({"website": "ftp://files.example.ro"}, "Enter a full web address."),
        ({"name": "N" * 161}, "Field must be between 2 and 160 characters long."),
        ({"name": "   "}, "This field is required."),
        ({"city_id": "999999"}, "Not a valid choice"),
        ({"city_id": "Suceava"}, "Invalid Choice"),
    ],
)
def test_bad_request_input_is_refused_and_nothing_written(client, db, login_as, overrides,
                                                          message):
    user = login_as("citizen", locale="en")
    before = count(db, Organisation)

    response = client.post("/organisations/new", data=org_form(**overrides))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please correct the following:" in page
    assert message in page
    assert count(db, Organisation) == before
    assert count(db, Membership, Membership.user_id == user.id) == 0


def test_unconfirmed_person_cannot_request(client, db, login_as):
    login_as("unconfirmed")
    assert client.get("/organisations/new").status_code == 403
    assert client.post("/organisations/new", data=org_form()).status_code == 403
    assert count(db, Organisation, Organisation.name == "Asociația Verde Suceava") == 0


def test_anonymous_request_redirects_to_login(client, db):
    response = client.get("/organisations/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    response = client.post("/organisations/new", data=org_form())
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
    assert count(db, Organisation, Organisation.name == "Asociația Verde Suceava") == 0


# --- joining ---------------------------------------------------------------------------


def test_join_creates_pending_membership_and_tells_the_managers(client, db, login_as):
    org = factories.organisation("Eco Suceava")
    manager = factories.user()
    factories.membership(manager, org, MembershipRole.MANAGER)
    user = login_as("citizen", locale="en")

    response = client.post(f"/organisations/{org.slug}/join")

    assert response.status_code == 303
    item = db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == org.id))
    assert item is not None
    assert item.status == Status.PENDING
    assert item.role == MembershipRole.MEMBER
    told = list(db.session.scalars(select(Notification).where(
        Notification.kind == "membership_requested")))
    assert [n.recipient_id for n in told] == [manager.id]
    page = client.get(f"/organisations/{org.slug}").get_data(as_text=True)
    assert "Your request to join is awaiting verification." in page


def test_joining_twice_is_refused_without_a_second_row(client, db, login_as):
    org = factories.organisation()
    user = login_as("citizen", locale="en")
    assert client.post(f"/organisations/{org.slug}/join").status_code == 303

    response = client.post(f"/organisations/{org.slug}/join", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/organisations/{org.slug}")
    assert count(db, Membership, Membership.user_id == user.id) == 1
    page = client.get(f"/organisations/{org.slug}").get_data(as_text=True)
    assert "You are already a member of this organisation or have asked to join." in page


def test_verified_member_cannot_join_again(client, db, login_as):
    org = factories.organisation()
    user = factories.user()
    factories.membership(user, org)
    login_as(user=user)
    assert client.post(f"/organisations/{org.slug}/join").status_code == 303
    item = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert item.status == Status.VERIFIED
    assert count(db, Membership, Membership.user_id == user.id) == 1


def test_rejected_person_may_ask_again(client, db, login_as):
    org = factories.organisation()
    user = factories.user()
    factories.membership(user, org, status=Status.REJECTED)
    login_as(user=user)
    assert client.post(f"/organisations/{org.slug}/join").status_code == 303
    item = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert item.status == Status.PENDING
    assert count(db, Membership, Membership.user_id == user.id) == 1


def test_joining_an_unverified_organisation_is_forbidden(client, db, login_as):
    org = factories.organisation(status=Status.PENDING)
    user = login_as("citizen")
    assert client.post(f"/organisations/{org.slug}/join").status_code == 403
    assert count(db, Membership, Membership.user_id == user.id) == 0


def test_joining_an_unknown_organisation_is_404(client, login_as):
    login_as("citizen")
    assert client.post("/organisations/no-such-org/join").status_code == 404


def test_join_needs_a_confirmed_signed_in_person(client, db, login_as):
    org = factories.organisation()
    db.session.commit()
    response = client.post(f"/organisations/{org.slug}/join")
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
    login_as("unconfirmed")
    assert client.post(f"/organisations/{org.slug}/join").status_code == 403
    assert count(db, Membership, Membership.organisation_id == org.id) == 0


# --- deciding --------------------------------------------------------------------------


def pending_request(org=None, **user_attrs):
    org = org or factories.organisation("Eco Suceava")
    person = factories.user(**user_attrs)
    return factories.membership(person, org, status=Status.PENDING)


def test_admin_approves_a_membership(client, db, login_as):
    item = pending_request(name="Ioana Pop")
    admin = login_as("admin", locale="en")

    response = client.post(f"/memberships/{item.id}/decide",
                           data={"decision": "approve", "reason": "", "next": "//evil.example"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/verification")
    db.session.refresh(item)
    assert item.status == Status.VERIFIED
    assert item.decided_by_id == admin.id
    assert item.decided_dt is not None
    notes = list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == item.user_id)))
    assert [n.kind for n in notes] == ["membership_verified"]
    assert notes[0].actor_id == admin.id
    assert notes[0].payload["slug"] == item.organisation.slug
    entry = db.session.scalar(select(ActivityEntry).where(
        ActivityEntry.verb == "membership_verified"))
    assert entry is not None
    assert entry.actor_id == admin.id
    assert entry.target_type == "organisations"
    assert entry.target_id == item.organisation_id
    assert entry.details["person"] == "Ioana Pop"
    page = client.get("/admin/verification").get_data(as_text=True)
    assert "Decision saved; Ioana Pop has been notified." in page


def test_admin_rejects_with_a_reason(client, db, login_as):
    item = pending_request()
    login_as("admin")
    response = client.post(f"/memberships/{item.id}/decide",
                           data={"decision": "reject", "reason": "  Not a member of staff.  "})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == Status.REJECTED
    assert item.reason == "Not a member of staff."
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == item.user_id))
    assert note.kind == "membership_rejected"
    assert note.payload["reason"] == "Not a member of staff."
    entry = db.session.scalar(select(ActivityEntry).where(
        ActivityEntry.verb == "membership_rejected"))
    assert entry.reason == "Not a member of staff."


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "reject", "reason": ""},
        {"decision": "reject", "reason": "   "},
        {"decision": "maybe", "reason": "x"},
        {"reason": "x"},
        {"decision": "reject", "reason": "x" * 501},
    ],
)
def test_bad_decisions_change_nothing(client, db, login_as, data):
    item = pending_request()
    admin = login_as("admin", locale="en")

    response = client.post(f"/memberships/{item.id}/decide", data=data)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.PENDING
    assert db.session.get(Membership, item.id).decided_by_id is None
    assert count(db, Notification, Notification.recipient_id == item.user_id) == 0
    assert count(db, ActivityEntry, ActivityEntry.actor_id == admin.id) == 0
    if data.get("decision") == "reject" and not data["reason"].strip():
        page = client.get("/admin/verification").get_data(as_text=True)
        assert "Give a reason when you decline." in page


def test_approving_the_founder_verifies_the_organisation(client, db, login_as):
    founder = login_as("citizen")
    assert client.post("/organisations/new", data=org_form()).status_code == 303
    org = by_slug(db, "asociatia-verde-suceava")
    item = db.session.scalar(select(Membership).where(Membership.organisation_id == org.id))
    login_as("admin")

    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 302

    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == Status.VERIFIED
    item = db.session.get(Membership, item.id)
    assert item.status == Status.VERIFIED and item.role == MembershipRole.MANAGER
    assert item.user_id == founder.id
    client.set_cookie("lang", "en")
    listing = client.get("/organisations").get_data(as_text=True)
    assert "Asociația Verde Suceava" in listing


def test_rejecting_the_founder_rejects_the_organisation(client, db, login_as):
    org = factories.organisation(status=Status.PENDING)
    item = factories.membership(factories.user(), org, MembershipRole.MANAGER, Status.PENDING)
    login_as("admin")
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "reject", "reason": "Duplicate"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == Status.REJECTED


def test_approving_an_ordinary_member_does_not_change_a_pending_organisation(client, db,
                                                                             login_as):
    org = factories.organisation(status=Status.PENDING)
    item = factories.membership(factories.user(), org, MembershipRole.MEMBER, Status.PENDING)
    login_as("admin")
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == Status.PENDING


def test_verified_manager_decides_their_own_organisation(client, db, login_as):
    org = factories.organisation("Eco Suceava")
    manager = factories.user(locale="en")
    factories.membership(manager, org, MembershipRole.MANAGER)
    item = pending_request(org)
    login_as(user=manager)

    page = client.get(f"/organisations/{org.slug}").get_data(as_text=True)
    assert "Requests awaiting verification" in page

    response = client.post(f"/memberships/{item.id}/decide",
                           data={"decision": "approve", "next": f"/organisations/{org.slug}"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{org.slug}")
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.VERIFIED
    assert db.session.get(Membership, item.id).decided_by_id == manager.id


def test_manager_cannot_decide_for_another_organisation(client, db, login_as):
    mine = factories.organisation()
    manager = factories.user()
    factories.membership(manager, mine, MembershipRole.MANAGER)
    item = pending_request(factories.organisation())
    login_as(user=manager)

    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.PENDING
    assert count(db, Notification, Notification.recipient_id == item.user_id) == 0
    page = client.get(f"/organisations/{item.organisation.slug}").get_data(as_text=True)
    assert "decide" not in page


def test_plain_member_cannot_decide(client, db, login_as):
    org = factories.organisation()
    member = factories.user()
    factories.membership(member, org)
    item = pending_request(org)
    login_as(user=member)
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.PENDING


def test_nobody_decides_their_own_request(client, db, login_as):
    # The founder of a pending organisation.
    founder = login_as("citizen")
    assert client.post("/organisations/new", data=org_form()).status_code == 303
    own = db.session.scalar(select(Membership).where(Membership.user_id == founder.id))
    assert client.post(f"/memberships/{own.id}/decide",
                       data={"decision": "approve"}).status_code == 403
    # A manager whose own (second) manager request is pending in a verified organisation.
    org = factories.organisation()
    manager = factories.user()
    factories.membership(manager, org, MembershipRole.MANAGER)
    other = factories.user()
    factories.membership(other, org, MembershipRole.MANAGER, Status.PENDING)
    login_as(user=other)
    other_item = db.session.scalar(select(Membership).where(Membership.user_id == other.id))
    assert client.post(f"/memberships/{other_item.id}/decide",
                       data={"decision": "approve"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Membership, own.id).status == Status.PENDING
    assert db.session.get(Membership, other_item.id).status == Status.PENDING
    assert db.session.get(Organisation, own.organisation_id).status == Status.PENDING


def test_citizen_cannot_decide(client, db, login_as):
    item = pending_request()
    login_as("citizen")
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.PENDING


def test_anonymous_cannot_decide(client, db):
    item = pending_request()
    db.session.commit()
    response = client.post(f"/memberships/{item.id}/decide", data={"decision": "approve"})
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.PENDING


def test_deciding_twice_is_a_conflict(client, db, login_as):
    item = pending_request()
    admin = login_as("admin")
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 302
    response = client.post(f"/memberships/{item.id}/decide",
                           data={"decision": "reject", "reason": "Changed my mind"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.VERIFIED
    assert count(db, Notification, Notification.recipient_id == item.user_id) == 1
    assert count(db, ActivityEntry, ActivityEntry.actor_id == admin.id) == 1


def test_outsiders_get_403_not_409_for_a_decided_membership(client, db, login_as):
    """Whether a request was decided is not an outsider's business: 403, not 409."""
    item = pending_request()
    item.status = Status.VERIFIED
    db.session.flush()
    other_org = factories.organisation()
    manager = factories.user()
    factories.membership(manager, other_org, MembershipRole.MANAGER)
    login_as("citizen")
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "reject", "reason": "x"}).status_code == 403
    login_as(user=manager)
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "reject", "reason": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.VERIFIED


def test_manager_deciding_twice_is_a_conflict(client, db, login_as):
    org = factories.organisation()
    manager = factories.user()
    factories.membership(manager, org, MembershipRole.MANAGER)
    item = pending_request(org)
    login_as(user=manager)
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "reject", "reason": "No"}).status_code == 302
    assert client.post(f"/memberships/{item.id}/decide",
                       data={"decision": "approve"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.REJECTED


def test_a_decision_made_meanwhile_wins(db):
    """Two people decide at once: the one who reads a stale "pending" gets a conflict and
    neither overwrites the first decision nor notifies or logs a second time."""
    from m100hub.organisations import services

    org = factories.organisation(status=Status.PENDING)
    founder = factories.user()
    item = factories.membership(founder, org, MembershipRole.MANAGER, Status.PENDING)
    first, second = factories.user(is_admin=True), factories.user(is_admin=True)
    assert item.status == Status.PENDING  # what the second admin's request has read
    # Meanwhile the first admin's decision is written.
    db.session.execute(
        update(Membership).where(Membership.id == item.id)
        .values(status=Status.REJECTED, decided_by_id=first.id, reason="Duplicate")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Organisation).where(Organisation.id == org.id)
        .values(status=Status.REJECTED).execution_options(synchronize_session=False)
    )

    with pytest.raises(services.Conflict):
        services.decide(second, item, approve=True)

    db.session.expire_all()
    assert db.session.get(Membership, item.id).status == Status.REJECTED
    assert db.session.get(Membership, item.id).decided_by_id == first.id
    assert db.session.get(Organisation, org.id).status == Status.REJECTED
    assert count(db, Notification, Notification.recipient_id == founder.id) == 0
    assert count(db, ActivityEntry, ActivityEntry.actor_id == second.id) == 0


def test_deciding_an_unknown_membership_is_404(client, login_as):
    login_as("admin")
    assert client.post("/memberships/999999/decide",
                       data={"decision": "approve"}).status_code == 404


# --- officials -------------------------------------------------------------------------


def official_of(user, city) -> bool:
    g.pop("official_city_ids", None)  # the answer is cached per request
    return is_official_of(user, city)


def test_verified_member_of_verified_municipality_is_official_of_that_city_only(db):
    suceava, cluj = factories.city("suceava"), factories.city("cluj-napoca")
    person = factories.official("suceava")
    assert official_of(person, suceava)
    assert official_of(person, suceava.id)
    assert not official_of(person, cluj)
    assert not official_of(person, cluj.id)
    assert not official_of(person, None)


def test_plain_member_of_a_municipality_is_an_official_too(db):
    town_hall = factories.organisation(kind=OrgKind.MUNICIPALITY, city_slug="cluj-napoca")
    person = factories.user()
    factories.membership(person, town_hall, MembershipRole.MEMBER)
    assert official_of(person, factories.city("cluj-napoca"))
    assert not official_of(person, factories.city("suceava"))


def test_pending_membership_is_not_official(db):
    town_hall = factories.organisation(kind=OrgKind.MUNICIPALITY)
    person = factories.user()
    item = factories.membership(person, town_hall, status=Status.PENDING)
    assert not official_of(person, factories.city("suceava"))
    item.status = Status.REJECTED
    db.session.flush()
    assert not official_of(person, factories.city("suceava"))
    item.status = Status.VERIFIED
    db.session.flush()
    assert official_of(person, factories.city("suceava"))


def test_member_of_a_pending_municipality_is_not_official(db):
    town_hall = factories.organisation(kind=OrgKind.MUNICIPALITY, status=Status.PENDING)
    person = factories.user()
    factories.membership(person, town_hall, MembershipRole.MANAGER)
    assert not official_of(person, factories.city("suceava"))


@pytest.mark.parametrize("kind", [OrgKind.NGO, OrgKind.COMPANY, OrgKind.PUBLIC_INSTITUTION,
                                  OrgKind.ACADEMIA])
def test_members_of_other_kinds_are_not_officials(db, kind):
    org = factories.organisation(kind=kind)
    person = factories.user()
    factories.membership(person, org, MembershipRole.MANAGER)
    assert not official_of(person, factories.city("suceava"))


def test_anonymous_is_not_official(db):
    assert not official_of(AnonymousUserMixin(), factories.city("suceava"))
    assert not official_of(None, factories.city("suceava"))


def test_city_page_tells_officials(client, db, login_as):
    login_as("official", locale="en")
    assert "You are an official of this city." in client.get("/cities/suceava").get_data(
        as_text=True)
    assert "You are an official of this city." not in client.get(
        "/cities/cluj-napoca").get_data(as_text=True)


# --- pages -----------------------------------------------------------------------------


def test_pending_organisation_page_is_hidden_from_strangers(client, db, login_as):
    requester = factories.user(locale="en")
    db.session.commit()
    login_as(user=requester)
    assert client.post("/organisations/new", data=org_form()).status_code == 303
    url = "/organisations/asociatia-verde-suceava"

    page = client.get(url)
    assert page.status_code == 200
    assert "Awaiting verification" in page.get_data(as_text=True)

    login_as("citizen")
    assert client.get(url).status_code == 404
    login_as("official")
    assert client.get(url).status_code == 404

    login_as("admin", locale="en")
    page = client.get(url)
    assert page.status_code == 200
    assert "Requests awaiting verification" in page.get_data(as_text=True)

    anonymous = client.application.test_client()
    assert anonymous.get(url).status_code == 404


def test_verified_organisation_page_lists_verified_members_only(client, db):
    org = factories.organisation("Eco Suceava", city_slug="suceava")
    factories.membership(factories.user(name="Ana Verificată"), org, MembershipRole.MANAGER)
    factories.membership(factories.user(name="Dan Așteaptă"), org, status=Status.PENDING)
    factories.membership(factories.user(name="Radu Respins"), org, status=Status.REJECTED)
    db.session.commit()
    client.set_cookie("lang", "en")

    response = client.get(f"/organisations/{org.slug}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Eco Suceava" in page and "Suceava" in page
    assert "Ana Verificată" in page and "Manager" in page
    assert "Dan Așteaptă" not in page
    assert "Radu Respins" not in page
    assert "Requests awaiting verification" not in page
    assert "Sign in to ask to join." in page


def test_unknown_organisation_page_is_404(client, db):
    assert client.get("/organisations/no-such-org").status_code == 404


def test_organisation_list_search(client, db):
    factories.organisation("Asociația Verde Suceava")
    factories.organisation("Eco Cluj", city_slug="cluj-napoca")
    factories.organisation("Institutul Național", city_slug=None)
    factories.organisation("Verde În Așteptare", status=Status.PENDING)
    factories.organisation("Verde Respinsă", status=Status.REJECTED)
    db.session.commit()
    client.set_cookie("lang", "en")

    everything = client.get("/organisations").get_data(as_text=True)
    for name in ("Asociația Verde Suceava", "Eco Cluj", "Institutul Național"):
        assert name in everything
    assert "National" in everything  # an organisation without a city
    assert "Verde În Așteptare" not in everything
    assert "Verde Respinsă" not in everything

    found = client.get("/organisations?q=VERDE").get_data(as_text=True)
    assert "Asociația Verde Suceava" in found
    assert "Eco Cluj" not in found
    assert "Verde În Așteptare" not in found
    assert "Verde Respinsă" not in found

    nothing = client.get("/organisations?q=%25").get_data(as_text=True)
    assert "No organisation found." in nothing
    assert "Eco Cluj" not in nothing


def test_organisation_list_is_paginated(client, db):
    for i in range(32):
        factories.organisation(f"Paginare {i:02d}")
    db.session.commit()
    client.set_cookie("lang", "en")
    first = client.get("/organisations?q=paginare").get_data(as_text=True)
    assert "Paginare 00" in first and "Paginare 29" in first
    assert "Paginare 30" not in first
    assert "Page 1 of 2" in first
    assert "page=2" in first and "q=paginare" in first
    second = client.get("/organisations?q=paginare&page=2").get_data(as_text=True)
    assert "Paginare 30" in second and "Paginare 31" in second
    assert "Paginare 00" not in second


# ---------------------------------------------------------------- ending memberships


def _verified_member(org, **attrs):
    person = factories.user(**attrs)
    return person, factories.membership(person, org)


def test_a_member_leaves_and_it_is_logged(client, db, login_as):
    org = factories.organisation()
    person, item = _verified_member(org)
    login_as(user=person)
    response = client.post(f"/memberships/{item.id}/end", data={"reason": ""})
    assert response.status_code == 303
    assert count(db, Membership, Membership.id == item.id) == 0
    assert count(db, ActivityEntry, ActivityEntry.verb == "membership_left") == 1
    assert count(db, Notification, Notification.kind == "membership_ended") == 0


def test_a_manager_removes_a_member_with_a_reason(client, db, login_as):
    org = factories.organisation()
    manager = factories.user()
    factories.membership(manager, org, MembershipRole.MANAGER)
    person, item = _verified_member(org)
    login_as(user=manager)
    assert client.post(f"/memberships/{item.id}/end", data={"reason": ""}).status_code == 303
    assert count(db, Membership, Membership.id == item.id) == 1  # a reason is required
    client.post(f"/memberships/{item.id}/end", data={"reason": "A plecat din primărie"})
    assert count(db, Membership, Membership.id == item.id) == 0
    notice = db.session.scalar(select(Notification).where(
        Notification.recipient_id == person.id, Notification.kind == "membership_ended"))
    assert notice.payload["reason"] == "A plecat din primărie"
    assert count(db, ActivityEntry, ActivityEntry.verb == "membership_ended") == 1


def test_removing_an_official_ends_their_official_role(client, db, login_as):
    official = factories.official("suceava")
    item = db.session.scalar(select(Membership).where(Membership.user_id == official.id))
    login_as("admin")
    assert is_official_of(official, factories.city("suceava"))
    client.post(f"/memberships/{item.id}/end", data={"reason": "Mandat încheiat"})
    g.pop("official_city_ids", None)
    assert not is_official_of(official, factories.city("suceava"))


@pytest.mark.parametrize("who", ["citizen", "other-manager", "plain-member"])
def test_others_cannot_remove_a_member(client, db, login_as, who):
    org = factories.organisation()
    _, item = _verified_member(org)
    if who == "other-manager":
        other = factories.organisation()
        actor = factories.user()
        factories.membership(actor, other, MembershipRole.MANAGER)
    elif who == "plain-member":
        actor, _ = _verified_member(org)
    else:
        actor = factories.user()
    login_as(user=actor)
    response = client.post(f"/memberships/{item.id}/end", data={"reason": "x"})
    assert response.status_code == 403
    assert count(db, Membership, Membership.id == item.id) == 1


def test_ending_an_unknown_or_declined_membership(client, db, login_as):
    org = factories.organisation()
    person = factories.user()
    declined = factories.membership(person, org, status=Status.REJECTED)
    login_as(user=person)
    assert client.post("/memberships/999999/end").status_code == 404
    assert client.post(f"/memberships/{declined.id}/end").status_code == 403
    assert count(db, Membership, Membership.id == declined.id) == 1
