"""A person downloads everything the hub holds about them: JSON and a readable page, with a
part from every feature that holds personal data."""

from __future__ import annotations

import json

from m100hub.accounts.models import User
from m100hub.features import registry
from tests.support import forum_factories as ff
from tests.support.privacy import a_life, page


def test_the_json_download_holds_every_features_part(app, en, db, login_as):
    life = a_life()
    login_as(user=db.session.get_one(User, life.person_id))
    response = en.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"].startswith("private")
    data = json.loads(response.get_data(as_text=True))["data"]
    declared = {name for name, _part in registry(app).personal_data()}
    assert set(data) == declared >= {"accounts", "organisations", "notifications", "activity",
                                     "moderation", "forums", "consultations", "events"}
    assert data["accounts"]["profile"][0]["email"] == "ilinca@example.ro"
    assert data["accounts"]["profile"][0]["terms_version"] == app.config["TERMS_VERSION"]
    assert data["organisations"]["memberships"][0]["organisation"] == "Asociația Verde"
    assert {t["title"] for t in data["forums"]["forum_threads"]} == {
        "Piste de biciclete pe Calea Unirii", "Un subiect fără răspuns"}
    assert len(data["forums"]["forum_posts"]) == 3
    assert len(data["forums"]["forum_likes"]) == 1
    assert data["consultations"]["ballots"][0]["choices"] == ["Yes"]
    assert data["consultations"]["ballots"][0]["consultation"] == "Transport verde în Suceava"
    assert [p["title"] for p in data["consultations"]["proposals"]] == [
        "Autobuze electrice pe linia 2"]
    assert len(data["consultations"]["consultation_comments"]) == 2
    assert len(data["consultations"]["supports"]) == 1
    assert data["events"]["registrations"][0]["status"] == "confirmed"
    assert data["moderation"]["reports"][0]["reason"] == "Publicitate mascată."
    assert {n["kind"] for n in data["notifications"]["notifications"]} >= {
        "role_granted", "forum_reply", "consultation_comment_reply", "event_confirmed"}
    assert data["activity"]["activity_about_you"][0]["verb"] == "role_granted"
    everything = json.dumps(data)
    assert "password" not in everything and "session_token" not in everything


def test_the_page_shows_the_same_in_the_readers_language(en, db, login_as):
    life = a_life()
    login_as(user=db.session.get_one(User, life.person_id))
    text = page(en.get("/account/data"))
    for expected in ("Your account", "ilinca@example.ro", "Asociația Verde",
                     "Piste de biciclete pe Calea Unirii", "Your ballots",
                     "Transport verde în Suceava", "Atelier: comunități de energie",
                     "Publicitate mascată.", 'href="/account/data.json"'):
        assert expected in text, expected


def test_only_the_signed_in_person_gets_their_data(client, db, login_as):
    a_life()
    assert client.get("/account/data.json").status_code == 302  # to sign in
    assert client.get("/account/data").status_code == 302
    stranger = login_as()
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))["data"]
    assert data["accounts"]["profile"][0]["email"] == stranger.email
    assert data["forums"]["forum_posts"] == [] and data["consultations"]["ballots"] == []


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_data(db, login_as, measure):
    """Each feature reads its rows in a few queries, never one per row."""
    life = a_life()
    login_as(user=db.session.get_one(User, life.person_id))
    small = measure("/account/data", "Răspuns de încercare", 0)
    person = db.session.get_one(User, life.person_id)
    for n in range(12):
        ff.reply(life.ids["answered_thread"], person, f"Răspuns de încercare {n}.")
        ff.thread(person, title=f"Subiect {n}")
    large = measure("/account/data", "Răspuns de încercare", 12)
    assert large.count == small.count, large
