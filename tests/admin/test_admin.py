"""The secretariat's pages: access, people and their platform roles, cities."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from m100hub.accounts.models import User
from m100hub.activity.models import ActivityEntry
from m100hub.cities.models import City, MissionStatus
from m100hub.notifications.models import Notification
from tests.support import factories


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def admin_pages(db) -> list[tuple[str, str]]:
    suceava = factories.city("suceava")
    person = factories.user()
    return [
        ("GET", "/admin/"),
        ("GET", "/admin/verification"),
        ("GET", "/admin/people"),
        ("GET", "/admin/cities"),
        ("GET", "/admin/cities/new"),
        ("GET", f"/admin/cities/{suceava.id}/edit"),
        ("POST", "/admin/cities/new"),
        ("POST", f"/admin/cities/{suceava.id}/edit"),
        ("POST", f"/admin/people/{person.id}/roles"),
    ]


CITY_POST = {"name": "Alba Iulia", "county": "Alba", "population": "74000",
             "mission_status": "m100_mirror", "summary": ""}


# --- access ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["citizen", "moderator", "official", "unconfirmed"])
def test_admin_pages_are_forbidden_to_others(client, db, login_as, role):
    pages = admin_pages(db)
    login_as(role)
    cities_before = count(db, City)
    admins_before = count(db, User, User.is_admin.is_(True))
    for method, url in pages:
        data = dict(CITY_POST, role="admin", grant="1") if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
    assert count(db, City) == cities_before
    assert count(db, User, User.is_admin.is_(True)) == admins_before


def test_admin_pages_redirect_anonymous_to_login(client, db):
    pages = admin_pages(db)
    db.session.commit()
    for method, url in pages:
        data = dict(CITY_POST, role="admin", grant="1") if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code in (302, 303), (method, url)
        assert "/login" in response.headers["Location"], (method, url)
    assert count(db, City, City.slug == "alba-iulia") == 0


def test_admin_reaches_every_page(client, db, login_as):
    pages = admin_pages(db)
    login_as("admin")
    for method, url in pages:
        if method == "GET":
            response = client.get(url)
            assert response.status_code in (200, 302), url
    assert client.get("/admin/").headers["Location"].endswith("/admin/verification")


def test_admin_menu_item_only_for_admins(client, db, login_as):
    login_as("citizen", locale="en")
    assert "Administration" not in client.get("/").get_data(as_text=True)
    login_as("admin", locale="en")
    assert "Administration" in client.get("/").get_data(as_text=True)


# --- people ----------------------------------------------------------------------------


def test_people_search_by_name_and_email(client, db, login_as):
    factories.user(name="Ioana Popescu", email="ioana.popescu@primaria-suceava.ro")
    factories.user(name="Mihai Ionescu", email="mihai@example.org")
    factories.user(name="Elena 100%", email="elena@example.org")
    login_as("admin", locale="en")

    by_name = client.get("/admin/people?q=popescu").get_data(as_text=True)
    assert "Ioana Popescu" in by_name
    assert "Mihai Ionescu" not in by_name

    by_email = client.get("/admin/people?q=MIHAI@EXAMPLE").get_data(as_text=True)
    assert "Mihai Ionescu" in by_email
    assert "Ioana Popescu" not in by_email

    by_domain = client.get("/admin/people?q=primaria-suceava").get_data(as_text=True)
    assert "Ioana Popescu" in by_domain and "Mihai Ionescu" not in by_domain

    wildcard = client.get("/admin/people?q=0%25").get_data(as_text=True)
    assert "Elena 100%" in wildcard
    assert "Ioana Popescu" not in wildcard and "Mihai Ionescu" not in wildcard

    nobody = client.get("/admin/people?q=zzzz-nobody").get_data(as_text=True)
    assert "Nobody found." in nobody


def test_people_list_is_paginated(client, db, login_as):
    for i in range(32):
        factories.user(name=f"Paginat {i:02d}")
    login_as("admin", locale="en")
    first = client.get("/admin/people?q=paginat").get_data(as_text=True)
    assert "Paginat 00" in first and "Paginat 29" in first and "Paginat 30" not in first
    assert "Page 1 of 2" in first
    second = client.get("/admin/people?q=paginat&page=2").get_data(as_text=True)
    assert "Paginat 31" in second and "Paginat 00" not in second


@pytest.mark.parametrize(("role", "attribute"), [("moderator", "is_moderator"),
                                                  ("admin", "is_admin")])
def test_grant_and_revoke_a_role(client, db, login_as, role, attribute):
    person = factories.user(name="Ana Rusu")
    admin = login_as("admin")

    response = client.post(f"/admin/people/{person.id}/roles", data={"role": role, "grant": "1"})

    assert response.status_code == 303
    db.session.expire_all()
    assert getattr(db.session.get(User, person.id), attribute) is True
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.actor_id == admin.id))
    assert entry.verb == "role_granted"
    assert entry.target_type == "users" and entry.target_id == person.id
    assert entry.target_label == "Ana Rusu"
    assert entry.details == {"role": role}
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == person.id))
    assert note.kind == "role_granted"
    assert note.actor_id == admin.id
    assert note.payload == {"role": role}

    response = client.post(f"/admin/people/{person.id}/roles", data={"role": role, "grant": "0"})

    assert response.status_code == 303
    db.session.expire_all()
    assert getattr(db.session.get(User, person.id), attribute) is False
    verbs = list(db.session.scalars(select(ActivityEntry.verb).where(
        ActivityEntry.actor_id == admin.id).order_by(ActivityEntry.id)))
    assert verbs == ["role_granted", "role_revoked"]
    kinds = list(db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == person.id).order_by(Notification.id)))
    assert kinds == ["role_granted", "role_revoked"]


def test_granting_a_role_someone_has_changes_nothing(client, db, login_as):
    person = factories.user(is_moderator=True)
    admin = login_as("admin")
    response = client.post(f"/admin/people/{person.id}/roles",
                           data={"role": "moderator", "grant": "1"})
    assert response.status_code == 303
    assert count(db, ActivityEntry, ActivityEntry.actor_id == admin.id) == 0
    assert count(db, Notification, Notification.recipient_id == person.id) == 0


def test_person_sees_the_role_notification(client, db, login_as):
    person = factories.user(locale="en")
    login_as("admin")
    client.post(f"/admin/people/{person.id}/roles", data={"role": "moderator", "grant": "1"})
    login_as(user=person)
    page = client.get("/notifications").get_data(as_text=True)
    assert "You have been given the moderator role." in page


@pytest.mark.parametrize(
    "data",
    [
        {"role": "superuser", "grant": "1"},
        {"role": "is_admin", "grant": "1"},
        {"role": "", "grant": "1"},
        {"grant": "1"},
        {"role": "admin", "grant": "yes"},
        {"role": "admin", "grant": "2"},
        {"role": "admin"},
        {},
    ],
)
def test_bad_role_request_is_400_and_changes_nothing(client, db, login_as, data):
    person = factories.user()
    admin = login_as("admin")
    response = client.post(f"/admin/people/{person.id}/roles", data=data)
    assert response.status_code == 400
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.is_admin is False and person.is_moderator is False
    assert count(db, ActivityEntry, ActivityEntry.actor_id == admin.id) == 0
    assert count(db, Notification, Notification.recipient_id == person.id) == 0


def test_roles_of_an_unknown_person_is_404(client, login_as):
    login_as("admin")
    response = client.post("/admin/people/999999/roles", data={"role": "admin", "grant": "1"})
    assert response.status_code == 404


def test_revoking_the_last_admin_is_refused(client, db, login_as):
    admin = login_as("admin", locale="en")
    # Whatever else the database holds, this test's admin is the only one.
    db.session.execute(update(User).where(User.id != admin.id).values(is_admin=False))
    db.session.commit()

    response = client.post(f"/admin/people/{admin.id}/roles",
                           data={"role": "admin", "grant": "0"})

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin is True
    assert count(db, ActivityEntry, ActivityEntry.actor_id == admin.id) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The platform needs at least one administrator." in page


def test_an_admin_may_step_down_when_another_remains(client, db, login_as):
    other = factories.user(is_admin=True)
    admin = login_as("admin")
    response = client.post(f"/admin/people/{admin.id}/roles",
                           data={"role": "admin", "grant": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin is False
    assert db.session.get(User, other.id).is_admin is True
    # No longer an admin: the pages close.
    assert client.get("/admin/people").status_code == 403


# --- cities ----------------------------------------------------------------------------


def test_add_a_city(client, db, login_as):
    admin = login_as("admin", locale="en")
    summary = (
        "## Ținte\n\nNeutră **până în 2035**. [Plan](https://alba.example.ro/plan)\n\n"
        "<script>alert('x')</script>\n\n[rău](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(2)">'
    )

    response = client.post("/admin/cities/new", data=dict(CITY_POST, summary=summary))

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/cities")
    city = db.session.scalar(select(City).where(City.slug == "alba-iulia"))
    assert city.name == "Alba Iulia"
    assert city.county == "Alba"
    assert city.population == 74000
    assert city.mission_status == MissionStatus.M100_MIRROR
    assert city.summary == summary
    assert "<strong>până în 2035</strong>" in city.summary_html
    assert "<h2>" in city.summary_html
    # Raw HTML and javascript: links survive only as inert text, never as markup.
    for bad in ("<script", 'href="javascript', "<img", 'onerror="'):
        assert bad not in city.summary_html
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.actor_id == admin.id))
    assert entry.verb == "city_created" and entry.target_id == city.id

    page = client.get("/cities/alba-iulia")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<strong>până în 2035</strong>" in text
    assert 'href="https://alba.example.ro/plan"' in text
    assert "<script>alert" not in text
    assert 'href="javascript' not in text
    assert "<img src=x" not in text
    assert "M100 mirror city (neutral by 2035)" in text
    assert "Alba Iulia" in client.get("/admin/cities").get_data(as_text=True)
    assert "Alba Iulia" in client.get("/cities").get_data(as_text=True)


def test_add_a_city_with_only_the_required_fields(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/cities/new",
                           data={"name": "Zalău", "mission_status": "aspiring"})
    assert response.status_code == 303
    city = db.session.scalar(select(City).where(City.slug == "zalau"))
    assert city.population is None and city.county == "" and city.summary_html == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Suceava"}, "A city with this name exists already."),
        ({"name": "  SUCEAVA "}, "A city with this name exists already."),
        ({"mission_status": "capital"}, "Not a valid choice"),
        ({"mission_status": ""}, "This field is required."),
        ({"population": "-1"}, "Number must be between 0 and 50000000."),
        ({"population": "many"}, "Not a valid integer value."),
        ({"name": "A" * 121}, "Field must be between 2 and 120 characters long."),
        ({"name": ""}, "This field is required."),
        ({"county": "C" * 61}, "Field cannot be longer than 60 characters."),
        ({"summary": "s" * 5001}, "Field cannot be longer than 5000 characters."),
    ],
)
def test_bad_city_input_is_refused_and_nothing_written(client, db, login_as, overrides,
                                                       message):
    admin = login_as("admin", locale="en")
    before = count(db, City)

    response = client.post("/admin/cities/new", data=dict(CITY_POST, **overrides))

    assert response.status_code == 422  # the form's page again, with its errors
    page = response.get_data(as_text=True)
    assert "Please correct the following:" in page
    assert message in page
    assert count(db, City) == before
    assert count(db, ActivityEntry, ActivityEntry.actor_id == admin.id) == 0


def test_edit_a_city(client, db, login_as):
    admin = login_as("admin", locale="en")
    suceava = factories.city("suceava")
    db.session.commit()

    form = client.get(f"/admin/cities/{suceava.id}/edit")
    assert form.status_code == 200
    assert '<option selected value="eu_mission">' in form.get_data(as_text=True)

    response = client.post(f"/admin/cities/{suceava.id}/edit", data={
        "name": "Suceava", "county": "Suceava", "population": "124161",
        "mission_status": "eu_mission", "summary": "Oraș *verde*.<script>x()</script>",
    })

    assert response.status_code == 303
    db.session.expire_all()
    city = db.session.get(City, suceava.id)
    assert city.population == 124161
    assert city.slug == "suceava"
    assert "<em>verde</em>" in city.summary_html and "<script" not in city.summary_html
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.actor_id == admin.id))
    assert entry.verb == "city_updated" and entry.target_id == city.id
    page = client.get("/cities/suceava").get_data(as_text=True)
    assert "124,161" in page
    assert "<script>x()" not in page


def test_renaming_a_city_onto_another_is_refused(client, db, login_as):
    login_as("admin", locale="en")
    suceava = factories.city("suceava")
    db.session.commit()
    response = client.post(f"/admin/cities/{suceava.id}/edit",
                           data=dict(CITY_POST, name="Cluj-Napoca", mission_status="eu_mission"))
    assert response.status_code == 422
    assert "A city with this name exists already." in response.get_data(as_text=True)
    db.session.expire_all()
    city = db.session.get(City, suceava.id)
    assert city.name == "Suceava" and city.slug == "suceava" and city.population is None


def test_bad_edit_changes_nothing(client, db, login_as):
    login_as("admin")
    suceava = factories.city("suceava")
    db.session.commit()
    response = client.post(f"/admin/cities/{suceava.id}/edit",
                           data=dict(CITY_POST, name="Suceava", population="-5"))
    assert response.status_code == 422
    db.session.expire_all()
    city = db.session.get(City, suceava.id)
    assert city.population is None and city.mission_status == MissionStatus.EU_MISSION


def test_unknown_city_is_404(client, db, login_as):
    login_as("admin")
    before = count(db, City)
    assert client.get("/admin/cities/999999/edit").status_code == 404
    assert client.post("/admin/cities/999999/edit", data=CITY_POST).status_code == 404
    assert count(db, City) == before
    assert client.get("/cities/no-such-city").status_code == 404
