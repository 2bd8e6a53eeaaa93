"""The home page answers "what can I do now?": what is open (consultations with time left and
turnout, events with places left, active threads, results and decisions, the programme's
figures) for everyone, and for a signed-in person what awaits them — never a draft or
a hidden thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from m100hub.accounts.models import User
from m100hub.consultations import services as consultation_services
from m100hub.consultations.models import FOLLOWS as CONSULTATION_FOLLOWS
from m100hub.consultations.models import Consultation
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.forums.models import THREAD_FOLLOWS
from m100hub.moderation import services as moderation
from m100hub.organisations.models import Organisation, Status
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff


@pytest.fixture
def programme(db):
    """What is going on: an open consultation in Suceava (with one voter) and one in Cluj, a
    national one, a draft, a closed one whose results are published, an answered proposal,
    an upcoming event with places, a cancelled one, an active thread and a hidden one."""
    admin = factories.person("admin")
    made = {
        "suceava": cf.consultation("open", title="Piste de biciclete în Suceava", author=admin),
        "cluj": cf.consultation("open", city_slug="cluj-napoca", title="Tramvaie în Cluj",
                                author=admin),
        "national": cf.consultation("open", city_slug=None, title="Strategia națională",
                                    author=admin),
        "draft": cf.consultation("draft", title="Ciornă secretă a primăriei", author=admin),
        "published": cf.consultation("published", title="Parcuri noi", author=admin),
        "event": ef.event(capacity=30, title="Atelier de energie solară"),
        "cancelled": ef.event(title="Atelier anulat", cancelled_dt=utcnow()),
        "thread": ff.thread(title="Cum reducem traficul?"),
        "hidden": ff.thread(title="Subiect ascuns de moderatori"),
    }
    voter = factories.user()
    question = cf.questions_of(made["suceava"])[0]
    cf.vote(voter, made["suceava"], question, 0)
    answered = proposal_answered(admin, "Mai mulți copaci", "accepted")
    answered.consultation_id = made["published"].id
    withdrawn = proposal_answered(admin, "Propunere dintr-o ciornă", "rejected")
    db.session.get(Consultation, withdrawn.consultation_id).announced_dt = None
    moderation.hide(factories.person("moderator"), ff.opening_post(made["hidden"]), "spam")
    _db.session.commit()
    return made


def proposal_answered(admin, title: str, status: str):
    """A proposal made while its consultation was open, answered once it closed."""
    item = cf.consultation("open", author=admin, title=f"Despre {title}")
    proposal = cf.proposal(item, title=title)
    item.opens_dt, item.closes_dt = utcnow() - timedelta(days=8), utcnow() - timedelta(days=1)
    consultation_services.answer_proposal(admin, item, proposal, status, "Motivul.")
    return proposal


def english(client):
    client.set_cookie("lang", "en")


def test_a_visitor_sees_what_is_open_now_with_time_left_turnout_and_places(client, programme):
    english(client)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for title in ("Piste de biciclete în Suceava", "Tramvaie în Cluj", "Strategia națională",
                  "Atelier de energie solară", "Cum reducem traficul?", "Parcuri noi",
                  "Mai mulți copaci", "Accepted"):
        assert title in page, title
    assert "closes in 6 days" in page
    assert "30 places left" in page
    assert "Results: Parcuri noi" in page
    # no draft, no proposal of a consultation withdrawn to draft, no hidden thread, no
    # cancelled event among the coming ones
    for secret in ("Ciornă secretă", "Ciornă retrasă", "Propunere dintr-o ciornă",
                   "Subiect ascuns", "Atelier anulat"):
        assert secret not in page, secret
    assert "For you" not in page
    assert "Cluj-Napoca" in page  # the mission's cities


def test_the_figures_count_the_whole_programme(client, programme):
    english(client)
    page = client.get("/").get_data(as_text=True)
    people = _db.session.scalar(select(func.count(User.id)).where(
        User.email_confirmed_dt.is_not(None)))
    organisations = _db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.status == Status.VERIFIED))
    assert f"<strong>{people:,}</strong> people" in page
    assert f"<strong>{organisations:,}</strong> organisations" in page
    assert "</strong> cities" in page
    assert "<strong>1</strong> votes cast" in page
    assert "<strong>2</strong> proposals answered" in page  # the withdrawn one is counted too


def test_the_home_page_is_cacheable_for_visitors_and_speaks_romanian(client, programme):
    response = client.get("/", headers={"Accept-Language": "ro"})
    page = response.get_data(as_text=True)
    assert '<html lang="ro">' in page
    assert "Consultări deschise" in page
    assert "Evenimente viitoare" in page
    assert "Ciornă secretă" not in page
    assert "Set-Cookie" not in response.headers


def test_a_citizen_sees_what_awaits_their_vote_in_their_cities(client, login_as, programme):
    person = factories.user(name="Ioana Pop", home_city_id=factories.city("suceava").id,
                            locale="en")
    login_as(user=person)
    english(client)
    page = client.get("/").get_data(as_text=True)
    mine = page.split('id="for-you"')[1].split('id="programme-figures"')[0]
    assert "For you, Ioana Pop" in mine
    assert "Your cities" in mine and "Suceava" in mine
    assert "Consultations awaiting your vote" in mine
    assert "Piste de biciclete în Suceava" in mine
    assert "Strategia națională" in mine  # national: everyone's
    assert "Tramvaie în Cluj" not in mine  # another city's, unless followed
    assert "Ciornă" not in page


def test_voting_following_and_registering_change_what_awaits(client, login_as, programme):
    person = factories.user(home_city_id=factories.city("suceava").id, locale="en")
    question = cf.questions_of(programme["suceava"])[0]
    cf.vote(person, programme["suceava"], question, 0)
    CONSULTATION_FOLLOWS.follow(person.id, programme["cluj"].id)
    ef.register(person, programme["event"])
    THREAD_FOLLOWS.follow(person.id, programme["thread"].id)
    ff.reply(programme["thread"], body="Un răspuns nou")
    login_as(user=person)
    english(client)
    page = client.get("/").get_data(as_text=True)
    mine = page.split('id="for-you"')[1].split('id="programme-figures"')[0]
    assert "Piste de biciclete în Suceava" not in mine  # voted already
    assert "Tramvaie în Cluj" in mine  # followed
    assert "Your coming events" in mine and "Atelier de energie solară" in mine
    assert "Confirmed" in mine
    assert "New posts in threads you follow" in mine and "Cum reducem traficul?" in mine
    assert f'/forums/t/{programme["thread"].id}/unread' in mine


def test_an_official_sees_their_city_and_the_results_it_owes(client, login_as, programme):
    closed = cf.consultation("closed", title="Consultare încheiată în Suceava")
    elsewhere = cf.consultation("closed", city_slug="cluj-napoca", title="Încheiată la Cluj")
    login_as("official", locale="en")
    english(client)
    page = client.get("/").get_data(as_text=True)
    assert "you are an official" in page
    assert "Closed consultations awaiting your city" in page
    assert f'href="/consultations/{closed.id}/publish"' in page
    assert elsewhere.title not in page
    assert "Ciornă" not in page  # a draft of their own city stays on its own pages


def test_an_admin_sees_no_draft_on_the_home_page(client, login_as, programme):
    login_as("admin", locale="en")
    english(client)
    page = client.get("/").get_data(as_text=True)
    assert "Ciornă" not in page and "Subiect ascuns" not in page
    assert "Closed consultations awaiting" not in page


def test_someone_with_nothing_awaiting_is_told_how_to_get_started(client, login_as, db):
    login_as("citizen", locale="en")
    english(client)
    page = client.get("/").get_data(as_text=True)
    assert "Nothing awaits you right now" in page


def test_an_event_that_started_long_ago_or_is_past_is_not_coming(client, db):
    past = ef.event(title="Atelier trecut")
    ef.reschedule(past, -timedelta(days=2))
    _db.session.commit()
    english(client)
    assert "Atelier trecut" not in client.get("/").get_data(as_text=True)
