"""Organising an event over HTTP: publishing it (every field, times in Bucharest, on behalf
of an organisation) and editing it (co-organisers, the capacity kept with its
registrations); bad input gets a clear message and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from m100hub.events import services
from m100hub.events.models import Event, EventOrganiser
from tests.support import event_factories as ef
from tests.support import factories
from tests.support.events import (
    CONFIRMED,
    END,
    LINK,
    START,
    WAITLISTED,
    activity,
    count,
    counters,
    edit_form,
    event_form,
    fresh,
    page,
    person,
    snapshot,
    status_of,
)

START_UTC = datetime(2031, 1, 15, 8, 0, tzinfo=UTC)
END_UTC = datetime(2031, 1, 15, 10, 30, tzinfo=UTC)


def latest_event(db) -> Event | None:
    db.session.expire_all()
    return db.session.scalar(select(Event).order_by(Event.id.desc()).limit(1))


# --- publishing an event ------------------------------------------------------------------


def test_an_official_publishes_an_event_with_every_field(client, db, login_as):
    organiser = login_as("official", locale="en")
    first = person(name="Ana Pop", handle="ana.pop")
    second = person(name="Radu Vlad", handle="radu_v")
    suceava = factories.city("suceava")
    events_before = count(Event)

    response = client.post(
        "/events/new",
        data=event_form(
            kind="conference",
            title="Conferința: orașe neutre climatic",
            description="Program:\n\n- **10:00** deschiderea",
            city_id=str(suceava.id),
            sectors=["energy", "transport"],
            attendance="hybrid",
            address="Primăria Suceava",
            online_url=LINK,
            capacity="40",
            registration_opens_at="2031-01-01T09:00",
            registration_closes_at="2031-01-14T18:00",
            co_organisers="@Ana.Pop, radu_v @ana.pop",
        ),
    )

    assert response.status_code == 303, page(response)
    assert count(Event) == events_before + 1
    event = latest_event(db)
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.kind.value == "conference"
    assert event.title == "Conferința: orașe neutre climatic"
    assert "<strong>10:00</strong>" in event.description_html
    assert event.city_id == suceava.id
    assert sorted(event.sectors) == ["energy", "transport"]
    # typed in Bucharest time (UTC+2 in winter), stored in UTC
    assert event.starts_dt == START_UTC and event.ends_dt == END_UTC
    assert event.registration_opens_dt == datetime(2031, 1, 1, 7, 0, tzinfo=UTC)
    assert event.registration_closes_dt == datetime(2031, 1, 14, 16, 0, tzinfo=UTC)
    assert (event.attendance.value, event.address, event.online_url) == (
        "hybrid",
        "Primăria Suceava",
        LINK,
    )
    assert (event.capacity, event.confirmed_count, event.waitlist_count) == (40, 0, 0)
    assert event.created_by_id == organiser.id and event.organisation_id is None
    assert set(
        db.session.scalars(
            select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id)
        )
    ) == {first.id, second.id}
    [entry] = activity(db, "event_created")
    assert (entry.actor_id, entry.target_id) == (organiser.id, event.id)

    html = page(client.get(f"/events/{event.id}"))
    assert "The event is published." in html
    assert "Conference" in html and "Ana Pop" in html and "Radu Vlad" in html
    assert LINK in html  # the organiser sees the link
    assert "Registration opens on" in html  # 1 January 2031


def test_times_typed_in_summer_are_bucharest_summer_time(client, db, login_as):
    login_as("official", locale="en")
    response = client.post(
        "/events/new", data=event_form(starts_at="2031-07-15T10:00", ends_at="2031-07-15T11:00")
    )
    assert response.status_code == 303
    event = latest_event(db)
    assert event.starts_dt == datetime(2031, 7, 15, 7, 0, tzinfo=UTC)
    assert event.ends_dt == datetime(2031, 7, 15, 8, 0, tzinfo=UTC)


def test_an_online_event_without_a_capacity_has_no_limit(client, db, login_as):
    login_as("admin", locale="en")
    response = client.post(
        "/events/new",
        data=event_form(
            kind="webinar", attendance="online", address="", online_url=LINK, capacity=""
        ),
    )
    assert response.status_code == 303, page(response)
    event = latest_event(db)
    assert event.capacity is None and event.attendance.value == "online"
    assert "no limit on places" in page(client.get(f"/events/{event.id}"))


def test_an_organisation_member_publishes_on_behalf_of_their_organisation(client, db, login_as):
    member, org = ef.organisation_member(locale="en")
    login_as(user=member)
    assert f'<option value="{org.id}">{org.name}</option>' in page(client.get("/events/new"))

    response = client.post("/events/new", data=event_form(organisation_id=str(org.id)))

    assert response.status_code == 303, page(response)
    event = latest_event(db)
    assert event.organisation_id == org.id and event.created_by_id == member.id
    assert f'href="/organisations/{org.slug}"' in page(client.get(f"/events/{event.id}"))


def test_on_behalf_of_someone_elses_organisation_is_refused(client, db, login_as):
    member, _own = ef.organisation_member(locale="en")
    foreign = factories.organisation()
    where_pending = factories.organisation()
    factories.membership(member, where_pending, status="pending")
    login_as(user=member)
    before = snapshot(db)
    for org_id in (foreign.id, where_pending.id, 999999):
        response = client.post("/events/new", data=event_form(organisation_id=str(org_id)))
        assert response.status_code == 422, org_id
        assert "Not a valid choice" in page(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ["official", "admin", "member"])
def test_officials_admins_and_organisation_members_may_publish(client, db, login_as, role):
    if role == "member":
        login_as(user=ef.organisation_member(locale="en")[0])
    else:
        login_as(role, locale="en")
    assert client.get("/events/new").status_code == 200
    before = count(Event)
    assert client.post("/events/new", data=event_form()).status_code == 303
    assert count(Event) == before + 1


@pytest.mark.parametrize(
    "who",
    [
        "citizen",
        "moderator",
        "member of an unverified organisation",
        "pending member",
        "rejected member",
    ],
)
def test_people_who_do_not_organise_get_403_on_new_and_nothing_written(client, db, login_as, who):
    if who == "member of an unverified organisation":
        login_as(user=ef.organisation_member(org_status="pending", locale="en")[0])
    elif who == "pending member":
        login_as(user=ef.organisation_member(member_status="pending", locale="en")[0])
    elif who == "rejected member":
        login_as(user=ef.organisation_member(member_status="rejected", locale="en")[0])
    else:
        login_as(who, locale="en")
    before = snapshot(db)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=event_form()).status_code == 403
    assert snapshot(db) == before


@pytest.mark.parametrize("who", ["unconfirmed", "unconfirmed official"])
def test_unconfirmed_people_get_403_on_new_with_a_message(client, db, login_as, who):
    if who == "unconfirmed":
        login_as("unconfirmed", locale="en")
    else:
        login_as(user=factories.official(confirmed=False, locale="en"))
    before = snapshot(db)
    assert client.get("/events/new").status_code == 403
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in page(response)
    assert snapshot(db) == before


# Each case: form fields and the message the form shows.
BAD_EVENT_INPUT = [
    ({"ends_at": "2031-01-15T09:00"}, "The event must end after it starts."),
    ({"ends_at": START}, "The event must end after it starts."),
    (
        {"registration_closes_at": "2031-01-15T10:01"},
        "Registration must close before the event starts.",
    ),
    (
        {"registration_opens_at": "2031-01-10T10:00", "registration_closes_at": "2031-01-09T10:00"},
        "Registration must close after it opens.",
    ),
    (
        {"attendance": "online", "address": "", "online_url": ""},
        "Give the meeting link for people who join online.",
    ),
    (
        {"attendance": "hybrid", "online_url": ""},
        "Give the meeting link for people who join online.",
    ),
    ({"attendance": "in_person", "address": ""}, "Give the address for people who come in person."),
    (
        {"attendance": "hybrid", "address": "   ", "online_url": LINK},
        "Give the address for people who come in person.",
    ),
    (
        {"attendance": "online", "online_url": "http://meet.example.ro/x"},
        "The meeting link must start with https://.",
    ),
    ({"attendance": "online", "online_url": "javascript:alert(1)"}, "Enter a full web address."),
    (
        {"attendance": "online", "online_url": "meet.example.ro/atelier"},
        "Enter a full web address.",
    ),
    (
        {"attendance": "online", "online_url": "https://meet.example.ro/" + "x" * 480},
        "Field cannot be longer than 500 characters.",
    ),
    ({"capacity": "0"}, "Number must be between 1 and 100000."),
    ({"capacity": "-3"}, "Number must be between 1 and 100000."),
    ({"capacity": "100001"}, "Number must be between 1 and 100000."),
    ({"capacity": "zece"}, "Not a valid integer value."),
    ({"capacity": "2.5"}, "Not a valid integer value."),
    ({"co_organisers": "@nimeni_aici"}, "Nobody has the handle nimeni_aici."),
    ({"co_organisers": " ".join(f"@p{n}" for n in range(11))}, "At most 10 co-organisers."),
    ({"co_organisers": "@" + "a" * 400}, "Field cannot be longer than 400 characters."),
    ({"title": ""}, "This field is required."),
    ({"title": "   \t "}, "This field is required."),
    ({"title": "Ates"}, "Field must be between 5 and 200 characters long."),
    ({"title": "T" * 201}, "Field must be between 5 and 200 characters long."),
    ({"description": "D" * 20001}, "Field cannot be longer than 20000 characters."),
    ({"address": "A" * 301}, "Field cannot be longer than 300 characters."),
    ({"starts_at": ""}, "This field is required."),
    # (DataRequired replaces "Not a valid datetime value." with its own message)
    ({"starts_at": "mâine la zece"}, "This field is required."),
    ({"ends_at": "2031-02-30T10:00"}, "This field is required."),
    ({"kind": "petrecere"}, "Not a valid choice."),
    ({"attendance": "teleportare"}, "Not a valid choice."),
    ({"sectors": ["energy", "spatiu"]}, "is not a valid choice for this field"),
    ({"city_id": "999999"}, "Not a valid choice"),
    ({"city_id": "abc"}, "Invalid Choice"),
    ({"organisation_id": "99999999999999999999"}, "Not a valid choice"),
]


@pytest.mark.parametrize(
    ("overrides", "message"),
    BAD_EVENT_INPUT,
    ids=[f"{n:02d}-{'+'.join(o)}" for n, (o, _message) in enumerate(BAD_EVENT_INPUT)],
)
def test_bad_event_input_is_refused_with_a_message_and_nothing_written(
    client, db, login_as, outbox, overrides, message
):
    login_as("official", locale="en")
    before = snapshot(db)

    response = client.post("/events/new", data=event_form(**overrides))

    assert response.status_code == 422, (overrides, response.status_code)
    html = page(response)
    assert "Please correct the following:" in html
    assert message in html
    assert snapshot(db) == before
    assert outbox() == []


def test_registration_opening_after_the_start_is_refused(client, db, login_as):
    """Without a deadline, an opening after the start leaves no moment to register."""
    login_as("official", locale="en")
    before = snapshot(db)
    response = client.post("/events/new", data=event_form(registration_opens_at="2031-01-16T10:00"))
    assert response.status_code == 422, response.status_code
    assert "Please correct the following:" in page(response)
    assert snapshot(db) == before


# --- editing -------------------------------------------------------------------------------------


def test_the_edit_form_is_prefilled_in_bucharest_time(client, db, login_as):
    organiser = person("official")
    co = person(handle="ioana.co")
    event = ef.event(
        organiser,
        title="Atelier de reparații",
        starts_dt=START_UTC,
        ends_dt=END_UTC,
        co_organisers=[co],
    )
    login_as(user=organiser)

    html = page(client.get(f"/events/{event.id}/edit"))

    assert f'value="{START}"' in html and f'value="{END}"' in html
    assert 'value="Atelier de reparații"' in html
    assert 'value="@ioana.co"' in html


def test_editing_changes_the_event_and_keeps_its_registrations(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser, capacity=5)
    guest = person()
    ef.register(guest, event)
    login_as(user=organiser)

    response = client.post(
        f"/events/{event.id}/edit",
        data=edit_form(
            event,
            title="Atelier mutat",
            starts_at="2031-02-01T18:00",
            ends_at="2031-02-01T20:00",
            kind="training",
            sectors=["agriculture"],
        ),
    )

    assert response.status_code == 303, page(response)
    stored = fresh(db, event)
    assert stored.title == "Atelier mutat" and stored.kind.value == "training"
    assert stored.starts_dt == datetime(2031, 2, 1, 16, 0, tzinfo=UTC)
    assert stored.sectors == ["agriculture"]
    assert status_of(db, guest, event) == CONFIRMED
    assert counters(db, event) == (1, 0)
    assert "The event is saved." in page(client.get(f"/events/{event.id}"))


def test_co_organisers_are_replaced_on_edit_and_the_creator_is_never_one(client, db, login_as):
    organiser = person("official", handle="creatoarea")
    old, new = person(handle="vechi"), person(handle="nou")
    event = ef.event(organiser, co_organisers=[old])
    login_as(user=organiser)

    response = client.post(
        f"/events/{event.id}/edit", data=edit_form(event, co_organisers="@nou @NOU @creatoarea")
    )

    assert response.status_code == 303, page(response)
    db.session.expire_all()
    assert list(
        db.session.scalars(
            select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id)
        )
    ) == [new.id]
    # the old co-organiser no longer manages it, the new one does
    login_as(user=old)
    assert client.get(f"/events/{event.id}/attendees").status_code == 403
    login_as(user=new)
    assert client.get(f"/events/{event.id}/attendees").status_code == 200


def test_a_co_organiser_and_an_admin_may_edit(client, db, login_as):
    """Also when the event is held for the creator's organisation, which is none of theirs."""
    member, org = ef.organisation_member()
    co = person()
    event = ef.event(member, co_organisers=[co], organisation_id=org.id)
    for editor, title in ((co, "Titlul coorganizatorului"), (person("admin"), "Titlul adminului")):
        login_as(user=editor)
        assert client.get(f"/events/{event.id}/edit").status_code == 200
        response = client.post(
            f"/events/{event.id}/edit",
            data=edit_form(event, title=title, co_organisers=f"@{co.handle}"),
        )
        assert response.status_code == 303, page(response)
        assert fresh(db, event).title == title
        assert fresh(db, event).organisation_id == org.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2020-01-01T10:00"}, "The event must end after it starts."),
        ({"capacity": "0"}, "Number must be between 1 and 100000."),
        ({"co_organisers": "@nimeni_aici"}, "Nobody has the handle nimeni_aici."),
        ({"title": "x" * 201}, "Field must be between 5 and 200 characters long."),
    ],
)
def test_a_bad_edit_changes_nothing_and_promotes_nobody(
    client, db, login_as, outbox, overrides, message
):
    organiser = person("official")
    event = ef.event(organiser, capacity=1)
    ef.register(person(), event)
    waiting = person()
    ef.register(waiting, event)
    login_as(user=organiser)
    before = snapshot(db)
    sent = len(outbox())

    # a raised capacity in a form that is otherwise wrong must not promote anybody
    response = client.post(
        f"/events/{event.id}/edit", data=edit_form(event, **{"capacity": "5", **overrides})
    )

    assert response.status_code == 422
    assert message in page(response)
    assert snapshot(db) == before
    assert status_of(db, waiting, event) == WAITLISTED
    assert len(outbox()) == sent


def test_a_cancelled_event_cannot_be_edited(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser)
    services.cancel(organiser, event, "Nu mai are loc.")
    login_as(user=organiser)
    before = snapshot(db)
    assert client.get(f"/events/{event.id}/edit").status_code == 409
    assert (
        client.post(
            f"/events/{event.id}/edit", data=edit_form(event, title="Încă o încercare")
        ).status_code
        == 409
    )
    assert snapshot(db) == before
    assert f'href="/events/{event.id}/edit"' not in page(client.get(f"/events/{event.id}"))
