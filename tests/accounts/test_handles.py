"""Handles on the profile form: the characters generated handles use (every allowed handle is
mentionable in a forum post), 3–30 characters, unique in any letter case — the database's
unique constraint decides, and a refused handle writes nothing."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from m100hub.accounts.models import (
    HANDLE_MAX_LENGTH,
    HANDLE_MIN_LENGTH,
    HANDLE_RE,
    RESERVED_HANDLES,
    User,
    is_reserved_handle,
)
from m100hub.accounts.services import unique_handle
from m100hub.notifications.models import Notification
from m100hub.text import MENTION, render_markdown
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.accounts import field_error, profile_data, reload, text_of

CHARACTERS = "Use lower-case letters, digits, dots or underscores"
LENGTH = f"Use {HANDLE_MIN_LENGTH} to {HANDLE_MAX_LENGTH} characters."
TAKEN = "Someone else has this handle; choose another."
RESERVED = "This handle is kept for the hub itself; choose another."


def profile_as_stored(user_id: int) -> tuple:
    person = reload(user_id)
    return person.display_name, person.handle, person.sector, person.bio, person.locale


def refused(client, user_id: int, handle: str) -> str:
    """Post the profile form with ``handle``; it must be refused with nothing written."""
    before = profile_as_stored(user_id)
    response = client.post("/account", data=profile_data(handle=handle))
    assert response.status_code == 200, handle
    page = text_of(response)
    assert field_error(page, "handle"), handle
    assert 'class="error-summary"' in page
    assert profile_as_stored(user_id) == before
    assert client.get_cookie("lang") is None  # the language was not saved either
    return page


def test_an_unconfirmed_person_cannot_claim_a_handle(client, db, login_as):
    user = login_as("unconfirmed")
    before = profile_as_stored(user.id)
    response = client.post("/account", data=profile_data(handle="radu.ionescu_2"))
    assert response.status_code == 403
    assert profile_as_stored(user.id) == before


@pytest.mark.parametrize("role", ["citizen", "moderator", "admin", "official"])
def test_a_person_changes_their_handle(client, db, login_as, role):
    user_id = login_as(role).id

    response = client.post("/account", data=profile_data(handle="  Radu.Ionescu_2 "))

    assert response.status_code == 302
    assert reload(user_id).handle == "radu.ionescu_2"  # stored lower-cased
    assert 'value="radu.ionescu_2"' in text_of(client.get("/account"))
    assert "@radu.ionescu_2" in text_of(client.get(f"/u/{user_id}"))


def test_the_new_handle_is_mentionable_at_once(client, db, login_as):
    thread = ff.thread()
    mentioned = login_as("citizen")
    mentioned_id = mentioned.id
    assert client.post("/account", data=profile_data(handle="maria_p.2035")).status_code == 302
    login_as("citizen")

    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Întreb pe @Maria_P.2035."})

    html = ff.post_number(thread, 2).body_html
    assert f'<a class="mention" href="/u/{mentioned_id}">@maria_p.2035</a>' in html
    notified = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == mentioned_id, Notification.kind == "forum_mention")
    )
    assert notified == 1


def test_the_profile_form_shows_the_current_handle(client, db, login_as):
    login_as("citizen", handle="ioana.m", locale="en")
    page = text_of(client.get("/account"))
    assert 'name="handle"' in page and 'value="ioana.m"' in page
    assert "Others mention you with @handle" in page


def test_a_short_generated_handle_may_be_kept_but_not_chosen(client, db, login_as):
    user_id = login_as("citizen", handle="al").id
    assert client.post("/account", data=profile_data(handle="al")).status_code == 302
    assert reload(user_id).display_name == "Radu Nou"  # the rest of the profile was saved
    other_id = login_as("citizen", locale="en").id
    client.delete_cookie("lang")  # set by the first person's save
    assert LENGTH in refused(client, other_id, "al")


@pytest.mark.parametrize("typed", ["ana.pop", "Ana.Pop", "ANA.POP", "  ana.pop  "])
def test_a_taken_handle_is_refused_in_any_letter_case(client, db, login_as, typed):
    factories.user(handle="ana.pop")
    user_id = login_as("citizen", locale="en").id

    page = refused(client, user_id, typed)

    assert TAKEN in page
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.handle) == "ana.pop")
        )
        == 1
    )


def test_after_a_taken_handle_the_form_works_again(client, db, login_as):
    factories.user(handle="ana.pop")
    user_id = login_as("citizen", locale="en").id
    refused(client, user_id, "ana.pop")
    assert client.post("/account", data=profile_data(handle="ana.pop2")).status_code == 302
    assert reload(user_id).handle == "ana.pop2"


@pytest.mark.parametrize(
    "handle",
    [
        "ana-pop",
        "ana-b.ro",
        "ana pop",
        "ana@pop",
        "@ana",
        "ană.pop",
        ".ana",
        "ana.",
        "_ana",
        "ana_",
        "ana/pop",
        "ana+pop",
        "<b>ana</b>",
        "ana\tpop",
        "анна",
        "a.b-c",
    ],
)
def test_a_handle_with_other_characters_is_refused(client, db, login_as, handle):
    user_id = login_as("citizen", locale="en").id
    assert CHARACTERS in refused(client, user_id, handle)


@pytest.mark.parametrize("handle", ["admin", "Admin", "moderator", "secretariat", "everyone",
                                    "toata.lumea", "primaria", "primaria.cluj", "admin2",
                                    "moderator_1", "m100.team", "secretariat.m100", "m100hub",
                                    "m1002", "toata.lumea2", "no.reply_1"])
def test_a_reserved_handle_is_refused(client, db, login_as, handle):
    user_id = login_as("citizen", locale="en").id
    assert RESERVED in refused(client, user_id, handle)


def test_reserved_handles_are_allowed_handles_otherwise():
    """Each would pass the other rules: the list is what refuses them."""
    for handle in RESERVED_HANDLES:
        assert HANDLE_RE.fullmatch(handle), handle


@pytest.mark.parametrize("handle", ["ana.admin", "adminul", "teamwork", "m10", "hubert",
                                    "maria.primaria", "allan"])
def test_a_reserved_word_elsewhere_is_allowed(client, db, login_as, handle):
    assert not is_reserved_handle(handle)
    user = login_as("citizen", locale="en")
    assert client.post("/account", data=profile_data(handle=handle)).status_code == 302
    assert reload(user.id).handle == handle


def test_a_name_that_makes_a_reserved_handle_is_prefixed(db):
    assert unique_handle("Admin") == "persoana.admin"
    assert unique_handle("Toată Lumea") == "persoana.toata.lumea"
    assert unique_handle("Primăria Municipiului Cluj-Napoca") == "persoana.primaria.munici"
    factories.user(name="Admin", handle=unique_handle("Admin"))
    assert unique_handle("Admin") == "persoana.admin2"
    for name in ("Moderator", "Echipa M100", "Secretariatul"):
        assert not is_reserved_handle(unique_handle(name)), name


def test_numbering_a_taken_handle_skips_reserved_ones(db):
    """"M" taken, then m2…m99: the next is m101, for m100 is reserved."""
    factories.user(name="M", handle="m")
    for n in range(2, 100):
        factories.user(name=f"M {n}", handle=f"m{n}")
    assert unique_handle("M") == "m101"


@pytest.mark.parametrize("handle", ["a", "ab", "a" * (HANDLE_MAX_LENGTH + 1), "x" * 200])
def test_a_handle_too_short_or_too_long_is_refused(client, db, login_as, handle):
    user_id = login_as("citizen", locale="en").id
    assert LENGTH in refused(client, user_id, handle)


@pytest.mark.parametrize("handle", ["abc", "a" * HANDLE_MAX_LENGTH])
def test_the_length_limits_are_inclusive(client, db, login_as, handle):
    user_id = login_as("citizen").id
    assert client.post("/account", data=profile_data(handle=handle)).status_code == 302
    assert reload(user_id).handle == handle


@pytest.mark.parametrize("handle", ["", "   "])
def test_an_empty_handle_is_refused(client, db, login_as, handle):
    user_id = login_as("citizen", locale="en").id
    assert "This field is required." in refused(client, user_id, handle)


def test_a_form_without_the_handle_keeps_the_handle(client, db, login_as):
    user_id = login_as("citizen", handle="pastrat").id
    data = profile_data()
    del data["handle"]
    assert client.post("/account", data=data).status_code == 302
    assert reload(user_id).handle == "pastrat" and reload(user_id).display_name == "Radu Nou"


def test_only_signed_in_people_change_a_handle(client, db):
    person = factories.user(handle="neatins")
    db.session.commit()
    response = client.post("/account", data=profile_data(handle="preluat"))
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert reload(person.id).handle == "neatins"


def test_changing_ones_handle_leaves_other_people_alone(client, db, login_as):
    other = factories.user(handle="altcineva")
    login_as("moderator")
    assert client.post("/account", data=profile_data(handle="moderatorul")).status_code == 302
    assert reload(other.id).handle == "altcineva"


# --- the rule: every allowed handle is mentionable ---------------------------------------------


def allowed(handle: str) -> bool:
    return (
        HANDLE_MIN_LENGTH <= len(handle) <= HANDLE_MAX_LENGTH
        and HANDLE_RE.fullmatch(handle) is not None
    )


def candidates() -> set[str]:
    """Random strings over the characters mentions accept, and some that look like web or
    e-mail addresses (the link finder's territory)."""
    rng = random.Random(2035)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-"
    found = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 32))) for _ in range(4000)}
    for name in ("ana", "x1", "maria.pop"):
        for tail in ("com", "ro", "www.ro", "b.net", "io", "co.uk"):
            found |= {f"{name}.{tail}", f"{name}_{tail}", f"{name}-{tail}", f"www.{name}.{tail}"}
    return found


def linked(handle: str, source: str) -> bool:
    assert handle in [m.lower() for m in MENTION.findall(source)], source
    html = render_markdown(source, mentions=lambda found: {h: "/u/7" for h in found if h == handle})
    return f'<a class="mention" href="/u/7">@{handle}</a>' in html


def test_every_allowed_handle_is_mentionable():
    contexts = ["@{}", "Salut @{}, ce faci?", "(@{})", "@{}.", "**@{}**", "- @{}!", "@{}?"]
    accepted = [h for h in candidates() if allowed(h)]
    assert len(accepted) > 500  # enough of them to mean something
    for handle in accepted:
        for context in contexts:
            assert linked(handle, context.format(handle)), (handle, context)


def test_generated_handles_are_allowed(db):
    names = [
        "Maria Popescu",
        "Ștefan Cel Mare",
        "Ana-Maria O'Neil",
        "Ion",
        "Jean 2 Doi",
        "Ioana Maria Popescu-Ionescu Vasilescu",
    ]
    for name in names:
        handle = unique_handle(name)
        assert HANDLE_RE.fullmatch(handle), (name, handle)
        assert len(handle) <= HANDLE_MAX_LENGTH


def test_the_database_refuses_a_handle_with_capitals(db):
    """Like e-mail addresses, handles are stored in lower case: a CHECK, not only Python."""
    person = factories.person()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text("UPDATE users SET handle = 'Ana' WHERE id = :id"),
                           {"id": person.id})
