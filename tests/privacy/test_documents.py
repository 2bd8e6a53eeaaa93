"""The privacy notice and the terms of use: public, in both languages, linked from every page,
accepted at sign-up (which version, when), and accepted again before writing when their
version changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.accounts.models import User
from m100hub.extensions import db as _db
from m100hub.forums.models import Post
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.privacy import page

SIGN_UP = {"display_name": "Ioana Munteanu", "email": "ioana.m@example.ro",
           "password": "raul-suceava-verde-77", "confirm": "raul-suceava-verde-77",
           "sector": "civil", "home_city_id": "0", "locale": "en"}


@pytest.mark.parametrize(("language", "notice", "terms"), [
    ("en", "Who is responsible for your data", "How we talk to each other"),
    ("ro", "Cine răspunde de datele tale", "Cum vorbim unii cu alții"),
])
def test_the_notice_and_terms_are_public_in_both_languages(app, client, db, language, notice,
                                                            terms):
    client.set_cookie("lang", language)
    privacy, use = page(client.get("/privacy")), page(client.get("/terms"))
    assert notice in privacy and terms in use
    assert app.config["PRIVACY_CONTROLLER"] in privacy
    assert app.config["PRIVACY_EMAIL"] in privacy
    assert app.config["PRIVACY_VERSION"] in privacy and app.config["TERMS_VERSION"] in use
    assert "CC BY 4.0" in use and "ANSPDCP" in privacy
    home = page(client.get("/"))
    assert 'href="/privacy"' in home and 'href="/terms"' in home


def test_sign_up_needs_the_box_ticked_and_records_the_versions(app, client, db):
    refused = client.post("/signup", data=SIGN_UP, headers={"Accept-Language": "en"})
    assert refused.status_code == 200 and 'id="accept-error"' in page(refused)
    assert _db.session.scalar(select(func.count()).where(User.email == "ioana.m@example.ro")) == 0
    client.post("/signup", data={**SIGN_UP, "accept": "y"})
    person = _db.session.scalar(select(User).where(User.email == "ioana.m@example.ro"))
    assert person.terms_version == app.config["TERMS_VERSION"]
    assert person.privacy_version == app.config["PRIVACY_VERSION"]
    assert person.terms_accepted_dt is not None and person.privacy_accepted_dt is not None


def test_new_terms_are_accepted_before_writing(app, client, db, login_as, monkeypatch):
    thread = ff.thread()
    person = login_as(locale="en")
    monkeypatch.setitem(app.config, "TERMS_VERSION", "2027-01-15")
    assert "have changed" in page(client.get("/"))  # a notice on every page
    posts = _db.session.scalar(select(func.count()).select_from(Post))
    refused = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Un răspuns."},
                          headers={"Referer": f"http://localhost/forums/t/{thread.id}"})
    assert refused.status_code == 303
    assert refused.headers["Location"] == f"/terms/accept?next=/forums/t/{thread.id}"
    assert _db.session.scalar(select(func.count()).select_from(Post)) == posts
    form = page(client.get(refused.headers["Location"]))
    assert "Nothing was saved" in form and "2027-01-15" in form
    unticked = client.post("/terms/accept", data={"next": f"/forums/t/{thread.id}"})
    assert unticked.status_code == 200 and 'id="accept-error"' in page(unticked)
    for _twice in range(2):  # a double submit accepts once, and lands on the same page
        accepted = client.post("/terms/accept", data={"accept": "y",
                                                      "next": f"/forums/t/{thread.id}"})
        assert accepted.headers["Location"] == f"/forums/t/{thread.id}"
    _db.session.expire_all()
    assert _db.session.get_one(User, person.id).terms_version == "2027-01-15"
    assert client.post(f"/forums/t/{thread.id}/reply",
                       data={"body": "Un răspuns."}).status_code == 303
    assert _db.session.scalar(select(func.count()).select_from(Post)) == posts + 1


def test_an_outside_next_address_is_not_followed(app, client, db, login_as, monkeypatch):
    login_as()
    monkeypatch.setitem(app.config, "PRIVACY_VERSION", "2027-02-01")
    accepted = client.post("/terms/accept", data={"accept": "y",
                                                  "next": "https://evil.example/"})
    assert accepted.headers["Location"] == "/"


def test_signing_out_and_leaving_stay_open_under_old_terms(app, client, db, login_as,
                                                           monkeypatch):
    person = login_as()
    monkeypatch.setitem(app.config, "TERMS_VERSION", "2027-01-15")
    assert client.get("/account/data.json").status_code == 200
    response = client.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 303
    assert _db.session.get(User, person.id) is None
