"""The experts' directory: offering expertise, filters, hiding a profile at any time, and
writing to an expert through the hub without anyone's e-mail address showing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.experts.models import ExpertCity, ExpertMessage, ExpertProfile
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification, NotificationEvent
from m100hub.submissions import new_key
from tests.support import experts as ef
from tests.support import factories
from tests.support.consultations import english, page, redirects_to_login


def test_a_confirmed_person_offers_expertise_and_appears_in_the_directory(client, login_as):
    person = login_as(locale="en", name="Ana Expert")
    english(client)
    response = client.post("/experts/me", data={**ef.PROFILE_FORM, "submission_key": new_key()})
    assert response.status_code == 303
    profile = _db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == person.id))
    assert profile.topics == ["eficiență energetică", "renovări"]
    assert profile.topics_key == "|eficienta energetica||renovari|"
    assert "<strong>primăriile</strong>" in profile.bio_html
    assert "Ana Expert" in page(client.get("/experts"))
    shown = page(client.get(f"/experts/{profile.id}"))
    assert "Audit energetic" in shown and person.email not in shown


@pytest.mark.parametrize("role", ["anonymous", "unconfirmed"])
def test_only_confirmed_people_offer_expertise(client, login_as, role):
    if role != "anonymous":
        login_as(role)
    response = client.post("/experts/me", data=ef.PROFILE_FORM)
    if role == "anonymous":
        assert redirects_to_login(response)
    else:
        assert response.status_code == 403
    assert ef.count(ExpertProfile) == 0


BAD_PROFILES = [
    ("no headline", {"headline": ""}, "headline"),
    ("html in one line", {"headline": "Audit\nenergetic"}, "headline"),
    ("no sector", {"sectors": []}, "sectors"),
    ("unknown sector", {"sectors": ["space"]}, "sectors"),
    ("unknown language", {"languages": ["xx"]}, "languages"),
    ("too many topics", {"topics": ", ".join(f"t{n}" for n in range(13))}, "topics"),
    ("topic too long", {"topics": "a" * 61}, "topics"),
    ("no city", {"all_cities": ""}, "city_ids"),
    ("someone else's organisation", {"organisation_id": "999"}, "organisation_id"),
    ("no bio", {"bio": "   "}, "bio"),
]


@pytest.mark.parametrize("changes", [b[1] for b in BAD_PROFILES], ids=[b[0] for b in BAD_PROFILES])
def test_a_bad_profile_is_refused_with_a_message_and_nothing_written(client, login_as, changes):
    login_as(locale="en")
    english(client)
    response = client.post("/experts/me", data={**ef.PROFILE_FORM, **changes})
    assert response.status_code == 422
    assert 'class="error' in page(response) or "error" in page(response)
    assert ef.count(ExpertProfile) == 0


def test_a_double_submit_makes_one_profile(client, login_as):
    login_as()
    key = new_key()
    first = client.post("/experts/me", data={**ef.PROFILE_FORM, "submission_key": key})
    second = client.post("/experts/me", data={**ef.PROFILE_FORM, "submission_key": key})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert ef.count(ExpertProfile) == 1


def test_editing_keeps_one_profile_and_replaces_its_cities(client, login_as, db):
    person = login_as()
    ef.profile(person, city_slugs=("suceava",))
    _db.session.commit()
    cluj = factories.city("cluj-napoca")
    response = client.post("/experts/me", data={**ef.PROFILE_FORM, "all_cities": "",
                                                 "city_ids": [str(cluj.id)]})
    assert response.status_code == 303
    assert ef.count(ExpertProfile) == 1
    assert list(_db.session.scalars(select(ExpertCity.city_id))) == [cluj.id]


def test_the_directory_filters_by_sector_topic_language_and_city(client, db):
    ef.profile(factories.user(name="Ana Clădiri"), sectors=["buildings"],
               topics="eficiență energetică", languages=["ro"], city_slugs=("suceava",))
    ef.profile(factories.user(name="Bogdan Transport"), sectors=["transport"],
               topics="autobuze electrice", languages=["en", "hu"])
    _db.session.commit()

    def names(query):
        text = page(client.get(f"/experts?{query}"))
        return {name for name in ("Ana Clădiri", "Bogdan Transport") if name in text}

    assert names("") == {"Ana Clădiri", "Bogdan Transport"}
    assert names("sector=buildings") == {"Ana Clădiri"}
    assert names("sector=transport") == {"Bogdan Transport"}
    assert names("topic=eficienta+energetica") == {"Ana Clădiri"}
    assert names("topic=EFICIENȚĂ+energetică") == {"Ana Clădiri"}
    assert names("topic=eficienta") == set()  # a topic is matched whole
    assert names("language=hu") == {"Bogdan Transport"}
    # Bogdan serves any city, Ana Suceava only
    assert names("city=suceava") == {"Ana Clădiri", "Bogdan Transport"}
    assert names("city=cluj-napoca") == {"Bogdan Transport"}
    # an unknown filter value is no filter, never an error
    assert names("sector=%27;drop&language=zz") == {"Ana Clădiri", "Bogdan Transport"}


def test_a_person_hides_their_profile_at_any_time(client, login_as):
    person = login_as(locale="en", name="Ana Ascunsă")
    profile = ef.profile(person)
    _db.session.commit()
    english(client)
    assert client.post("/experts/me/listed", data={"listed": "0"}).status_code == 303
    link = f'href="/experts/{profile.id}"'
    assert link not in page(client.get("/experts"))
    assert link not in page(client.get("/search?q=ascunsa"))
    # its owner still sees it (to show it again); nobody else does
    assert "This profile is hidden" in page(client.get(f"/experts/{profile.id}"))
    login_as()
    assert client.get(f"/experts/{profile.id}").status_code == 404
    assert client.get(f"/experts/{profile.id}/contact").status_code == 404
    login_as(user=person)
    assert client.post("/experts/me/listed", data={"listed": "1"}).status_code == 303
    assert link in page(client.get("/experts"))
    assert link in page(client.get("/search?q=ascunsa"))


def test_writing_to_an_expert_notifies_and_mails_them_without_showing_addresses(
        client, login_as, outbox):
    expert = factories.user(name="Ana Expert", email="ana.secret@example.ro", locale="en")
    profile = ef.profile(expert)
    sender = login_as(name="Ion Primăria", email="ion.secret@example.ro")
    response = client.post(f"/experts/{profile.id}/contact",
                           data={"body": "Ne poți ajuta cu auditul?", "submission_key": new_key()})
    assert response.status_code == 303
    message = _db.session.scalar(select(ExpertMessage))
    assert (message.sender_id, message.recipient_id) == (sender.id, expert.id)
    event = _db.session.scalar(select(NotificationEvent).where(
        NotificationEvent.kind == "expert_message"))
    assert _db.session.scalar(select(Notification.recipient_id).where(
        Notification.event_id == event.id)) == expert.id
    [mail] = outbox()
    assert mail["To"] == "ana.secret@example.ro"
    body = mail.get_body(("plain",)).get_content()
    assert "Ne poți ajuta cu auditul?" in body and "ion.secret" not in body
    assert f"/experts/messages/{message.id}" in body
    # the expert reads it and answers through the hub
    login_as(user=expert)
    shown = page(client.get(f"/experts/messages/{message.id}"))
    assert "Ne poți ajuta cu auditul?" in shown and "ion.secret" not in shown
    reply = client.post(f"/experts/messages/{message.id}",
                        data={"body": "Da, cu plăcere.", "submission_key": new_key()})
    assert reply.status_code == 303
    assert ef.count(ExpertMessage, ExpertMessage.recipient_id == sender.id) == 1
    # a third person reads neither
    login_as()
    assert client.get(f"/experts/messages/{message.id}").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "unconfirmed", "self"])
def test_who_may_not_write_to_an_expert(client, login_as, role):
    expert = factories.user()
    profile = ef.profile(expert)
    _db.session.commit()
    if role == "self":
        login_as(user=expert)
    elif role != "anonymous":
        login_as(role)
    response = client.post(f"/experts/{profile.id}/contact", data={"body": "Salut"})
    assert redirects_to_login(response) if role == "anonymous" else response.status_code == 403
    assert ef.count(ExpertMessage) == 0


@pytest.mark.parametrize("body", ["", "   ", "x" * 3001])
def test_an_empty_or_long_message_is_refused(client, login_as, body):
    profile = ef.profile()
    login_as()
    response = client.post(f"/experts/{profile.id}/contact", data={"body": body})
    assert response.status_code == 422
    assert ef.count(ExpertMessage) == 0


def test_a_double_submitted_message_is_sent_once(client, login_as, outbox):
    profile = ef.profile()
    login_as()
    key = new_key()
    for _ in range(2):
        assert client.post(f"/experts/{profile.id}/contact",
                           data={"body": "Salut", "submission_key": key}).status_code == 303
    assert ef.count(ExpertMessage) == 1
    assert len(outbox()) == 1


def test_the_data_download_and_erasure_cover_the_experts_rows(client, login_as, db):
    from m100hub.features import registry

    expert = factories.user()
    ef.profile(expert)
    item = ef.expertise_request()
    from m100hub.experts import services

    services.answer(expert, item.id, "Pot ajuta.")
    part = dict(registry().personal_data())["experts"]
    records = {r.key: r.rows for r in part.export(expert)}
    assert records["expert_profile"][0]["headline"].startswith("Audit")
    assert records["expertise_answers"][0]["text"] == "Pot ajuta."
    part.erase(expert)
    _db.session.refresh(item)
    assert item.answer_count == 0
    assert ef.count(ExpertProfile) == 0
