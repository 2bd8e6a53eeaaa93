"""Participation statistics of a consultation: public in every announced phase (a draft stays
hidden), counts of people by sector, city, question and day, small groups shown together,
and never a choice — not even while the results are hidden."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from m100hub.consultations import statistics
from m100hub.consultations.models import Consultation, Participant
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.privacy import services as privacy
from tests.support import factories
from tests.support.consultations import build, cast, english, page, sign_in

#: voter i's sector and home city (None: not given)
VOTERS = [("citizen", "suceava"), ("citizen", "suceava"), ("citizen", "cluj-napoca"),
          ("public", "suceava"), ("civil", None), ("citizen", None)]


def stats_url(scene) -> str:
    return f"{scene.url}/participation"


def voters(scene, answer_all=(0, 1, 2, 3)):
    """VOTERS, each answering yes_no; those in ``answer_all`` the single question too."""
    people = []
    for n, (sector, city) in enumerate(VOTERS):
        person = factories.user(name=f"Votant {n}", sector=sector,
                                home_city_id=factories.city(city).id if city else None)
        cast(scene, person, "yes_no", n % 3)
        if n in answer_all:
            cast(scene, person, "single", 1)
        people.append(person)
    _db.session.commit()
    return people


def cells(text: str, label: str) -> list[str]:
    """The figures of a table row headed ``label``."""
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', text, re.S)
    assert row, f"no row {label!r}"
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def section(text: str, heading_id: str) -> str:
    return text.split(f'id="{heading_id}"')[1].split("</section>")[0]


@pytest.mark.parametrize("phase, role, status", [
    ("open", "anonymous", 200),
    ("scheduled", "anonymous", 200),
    ("closed", "anonymous", 200),
    ("published", "citizen", 200),
    ("draft", "anonymous", 404),
    ("draft", "citizen", 404),
    ("draft", "cluj_official", 404),
    ("draft", "suceava_official", 200),
    ("draft", "admin", 200),
])
def test_who_sees_the_statistics(client, db, login_as, phase, role, status):
    scene = build(phase)
    sign_in(login_as, client, role)
    assert client.get(stats_url(scene)).status_code == status


def test_figures_by_sector_city_question_and_day(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RESULTS_MIN_CELL", 2)
    scene = build("open")
    voters(scene)
    english(client)
    text = page(client.get(stats_url(scene)))
    assert '<dt>People who voted</dt><dd>6</dd>' in text
    sectors, cities = section(text, "by-sector"), section(text, "by-city")
    assert cells(sectors, "Citizen") == ["4", "66.7 %"]
    # public (1) and civil (1) are too small alone: shown together
    assert cells(sectors, "Other groups (together)") == ["2", "33.3 %"]
    assert "Public sector" not in sectors
    # Cluj-Napoca (1) is too small; alone in the group it would be the total less the rest,
    # so the next smallest (no city given, 2) joins it
    assert cells(cities, "Suceava") == ["3", "50 %"]
    assert cells(cities, "Other groups (together)") == ["3", "50 %"]
    assert "Cluj-Napoca" not in cities
    # the yes/no question was answered by all six, the single-choice one by four
    assert cells(text, "Sunteți de acord cu planul?") == ["6", "100 %"]
    assert cells(text, "Cu ce mergeți la lucru?") == ["4", "66.7 %"]
    # six new today, none before
    today = re.findall(r'<time datetime="([\d-]+)">', text)
    assert len(today) == 1
    assert cells(text, re.search(r'<th scope="row">(<time[^<]*</time>)</th>', text)
                 .group(1)) == ["6", "6"]


def test_choices_are_never_shown_even_when_results_are_hidden(client, db):
    scene = build("open", results_while_open=False)
    voters(scene)
    english(client)
    response = client.get(stats_url(scene))
    text = page(response)
    assert response.status_code == 200 and "People who voted" in text
    for label in ("Autobuze", "Tramvaie", "Biciclete", ">Yes<", ">No<", "Abstain"):
        assert label not in text, label
    assert "See the results" not in text
    # where results may be seen, the page links them
    published = build("published")
    assert "See the results" in page(client.get(stats_url(published)))


def test_one_voter_of_a_sector_is_never_alone_in_a_row(app, client, db, monkeypatch):
    """The default minimum (5): six voters, the four citizens too few alone, so all
    together."""
    monkeypatch.setitem(app.config, "RESULTS_MIN_CELL", 5)
    scene = build("open")
    voters(scene)
    english(client)
    text = page(client.get(stats_url(scene)))
    assert cells(text, "Other groups (together)")[0] == "6"
    for alone in ("Citizen", "Public sector", "Civil society", "Suceava", "Cluj-Napoca"):
        assert f'<th scope="row">{alone}</th>' not in text, alone


def test_days_in_bucharest_time_and_a_running_total(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RESULTS_MIN_CELL", 1)
    scene = build("open")
    _db.session.execute(update(Consultation).where(Consultation.id == scene.id)
                        .values(opens_dt=utcnow() - timedelta(days=5)))
    people = voters(scene)
    # two took part three days ago, at 22:30 UTC: in Bucharest already the next day
    earlier = (utcnow() - timedelta(days=3)).replace(hour=22, minute=30)
    _db.session.execute(update(Participant).where(
        Participant.consultation_id == scene.id,
        Participant.user_id.in_([p.id for p in people[:2]])).values(created_dt=earlier))
    _db.session.commit()
    with app.test_request_context():
        stats = statistics.compute(_db.session.get(Consultation, scene.id), 1)
    assert len(stats.days) == 6  # the opening day to today
    assert [(d.new, d.total) for d in stats.active_days] == [(2, 2), (4, 6)]
    assert stats.active_days[0].day == (earlier + timedelta(days=1)).date()
    spark = stats.sparkline()
    assert len(spark.bars) == 2 and len(spark.line.split()) == 6
    english(client)
    text = page(client.get(stats_url(scene)))
    assert text.count("<polyline") == 1 and "People who voted, day by day" in text


def test_deleted_accounts_stay_counted(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RESULTS_MIN_CELL", 1)
    scene = build("open")
    people = voters(scene)
    english(client)
    assert "No home city given" in section(page(client.get(stats_url(scene))), "by-city")
    privacy.delete_account(people[4].id)
    _db.session.commit()
    english(client)
    text = page(client.get(stats_url(scene)))
    assert '<dt>People who voted</dt><dd>6</dd>' in text
    assert cells(text, "Accounts deleted since")[0] == "1"
    assert "Civil society" not in text


def test_nobody_yet_and_the_link_from_the_consultation(client, db):
    scene = build("scheduled")
    english(client)
    text = page(client.get(stats_url(scene)))
    assert "Nobody has voted yet." in text and "By stakeholder sector" not in text
    assert f'href="{stats_url(scene)}"' in page(client.get(scene.url))


def test_romanian_page(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RESULTS_MIN_CELL", 5)
    scene = build("open")
    voters(scene)
    client.set_cookie("lang", "ro")
    text = page(client.get(stats_url(scene)))
    assert "<h1>Participare</h1>" in text
    assert "Alte grupuri (împreună)" in text and "Persoane care au votat" in text
