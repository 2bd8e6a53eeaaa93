"""The public activity log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.activity.services import log
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.organisations.models import MembershipRole, Status
from tests.support import factories


def test_activity_page_is_public_and_lists_actor_sentence_and_reason(client, db):
    admin = factories.user(name="Secretariatul M100", is_admin=True)
    org = factories.organisation("Eco Suceava")
    log(admin, "membership_rejected", org, reason="Not part of the organisation",
        person="Dan Popa", role="member")
    log(admin, "role_granted", admin, label="Ioana Pop", role="moderator")
    db.session.commit()
    client.set_cookie("lang", "en")

    response = client.get("/activity")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Public activity log" in page
    assert "Secretariatul M100" in page
    assert f'<a href="/u/{admin.id}">Secretariatul M100</a>' in page
    assert "declined the request of Dan Popa to join Eco Suceava" in page
    assert "Reason: Not part of the organisation" in page
    assert "granted the moderator role to Ioana Pop" in page


def test_activity_is_newest_first(client, db):
    actor = factories.user(name="Oficial")
    org = factories.organisation("Eco Suceava")
    old = log(actor, "membership_verified", org, person="Prima Persoană", role="member")
    old.created_dt = utcnow() - timedelta(hours=1)
    log(actor, "membership_verified", org, person="A Doua Persoană", role="manager")
    db.session.commit()
    client.set_cookie("lang", "en")

    page = client.get("/activity").get_data(as_text=True)

    newer = page.index("verified A Doua Persoană as manager of Eco Suceava")
    older = page.index("verified Prima Persoană as member of Eco Suceava")
    assert newer < older


def test_entries_without_an_actor_and_unknown_verbs_still_render(client, db):
    city = factories.city("suceava")
    log(None, "city_updated", city)
    _db.session.add(ActivityEntry(verb="retired_verb", target_label="Ceva vechi", details={}))
    db.session.commit()
    client.set_cookie("lang", "en")
    response = client.get("/activity")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The system" in page
    assert "updated the city Suceava" in page
    assert "did something (retired_verb) to Ceva vechi" in page


def test_reasons_and_names_are_escaped(client, db):
    actor = factories.user(name="<b>Rău</b>")
    org = factories.organisation("Eco Suceava")
    log(actor, "membership_rejected", org, reason="<script>alert(1)</script>",
        person="<i>x</i>", role="member")
    db.session.commit()
    page = client.get("/activity").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Rău</b>" not in page
    assert "<i>x</i>" not in page


def test_log_rejects_unknown_verbs(db):
    actor = factories.user()
    with pytest.raises(ValueError, match="unknown activity verb"):
        log(actor, "no_such_verb")
    assert db.session.scalar(select(ActivityEntry).where(ActivityEntry.actor_id == actor.id)) \
        is None


def test_a_real_decision_appears_in_the_log(client, db, login_as):
    org = factories.organisation("Eco Suceava")
    person = factories.user(name="Maria Enache")
    item = factories.membership(person, org, MembershipRole.MEMBER, Status.PENDING)
    admin = login_as("admin", name="Secretariat Național")
    client.post(f"/memberships/{item.id}/decide",
                data={"decision": "reject", "reason": "Not staff"})

    anonymous = client.application.test_client()
    anonymous.set_cookie("lang", "en")
    page = anonymous.get("/activity").get_data(as_text=True)
    assert admin.display_name in page
    assert "declined the request of Maria Enache to join Eco Suceava" in page
    assert "Reason: Not staff" in page


def test_activity_is_paginated(client, db, app):
    actor = factories.user(name="Oficial")
    start = utcnow() - timedelta(days=1)
    for i in range(app.config["PER_PAGE"] + 2):
        entry = log(actor, "city_updated", None, label=f"Oraș {i:02d}")
        entry.created_dt = start + timedelta(minutes=i)
    db.session.commit()
    client.set_cookie("lang", "en")
    first = client.get("/activity").get_data(as_text=True)
    assert "updated the city Oraș 31" in first
    assert "updated the city Oraș 00" not in first
    assert "Page 1 of" in first
    second = client.get("/activity?page=2").get_data(as_text=True)
    assert "updated the city Oraș 00" in second
