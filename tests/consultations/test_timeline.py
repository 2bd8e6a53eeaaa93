"""A consultation's public timeline on its page: the five phases in order with their dates,
the current one marked aria-current="step", closed early with the public reason, the day the
results are due, and the official response once published — in both languages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from m100hub.consultations.models import Consultation
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from tests.support.consultations import build, english, page, sign_in

NAMES = ["Draft", "Scheduled", "Open", "Closed", "Results published"]


def steps(text: str) -> list[tuple[str, str, bool]]:
    """(name, state, current) of each step of the timeline, in order."""
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', text, re.S)
    assert timeline, "no timeline"
    return [(name, state, current == ' aria-current="step"')
            for state, current, name in re.findall(
                r'<li class="step step-(\w+)"( aria-current="step")?>\s*'
                r'<span class="step-name">(.*?)</span>', timeline.group(1))]


@pytest.mark.parametrize("phase, current", [
    ("draft", 0), ("scheduled", 1), ("open", 2), ("closed", 3), ("published", 4)])
def test_the_current_phase_is_marked(client, db, login_as, phase, current):
    scene = build(phase)
    sign_in(login_as, client, "suceava_official")  # a draft is theirs to see
    found = steps(page(client.get(scene.url)))
    assert [name for name, _, _ in found] == NAMES
    assert [is_current for _, _, is_current in found] == [i == current for i in range(5)]
    assert [state for _, state, _ in found] == (
        ["done"] * current + ["current"] + ["upcoming"] * (4 - current))


def test_dates_said_in_the_past_or_the_future(client, db):
    scene = build("open")
    english(client)
    text = page(client.get(scene.url))
    item = _db.session.get(Consultation, scene.id)
    timeline = text.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "Voting opened on " in timeline and "Voting closes on " in timeline
    assert f'<time datetime="{item.closes_dt.isoformat()}">' in timeline
    assert "Announced on " in timeline and "Prepared on " in timeline
    assert "The city publishes the results with its response." in timeline
    # day first, in English too
    assert re.search(r"Voting closes on \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d\.", timeline)


def test_closed_early_with_its_reason_and_results_due(client, db):
    reason = "Consiliul a decis deja."
    scene = build("closed", closed_early_reason=reason, results_due_on=date(2031, 3, 14))
    english(client)
    timeline = page(client.get(scene.url)).split('<ol class="timeline">')[1]
    timeline = timeline.split("</ol>")[0]
    assert "Closed early on " in timeline
    assert f"The officials' reason: {reason}" in timeline
    assert "by 14 March 2031" in timeline
    assert "Read the official response" not in timeline


def test_published_links_the_response_and_results(client, db):
    scene = build("published")
    english(client)
    text = page(client.get(scene.url))
    timeline = text.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "Results and the official response published on " in timeline
    assert f'href="{scene.url}#response-title"' in timeline
    assert f'href="{scene.url}/results"' in timeline
    assert 'id="response-title"' in text
    assert "Voting closed on " in timeline and "Closed early" not in timeline


def test_not_announced_yet_for_a_draft(client, db, login_as):
    scene = build("draft")
    sign_in(login_as, client, "admin")
    timeline = page(client.get(scene.url)).split('<ol class="timeline">')[1]
    assert "Not announced yet." in timeline.split("</ol>")[0]


def test_romanian_timeline(client, db):
    scene = build("open")
    item = _db.session.get(Consultation, scene.id)
    item.published_dt = None
    item.opens_dt = utcnow().replace(year=utcnow().year - 1)
    _db.session.commit()
    client.set_cookie("lang", "ro")
    text = page(client.get(scene.url))
    assert "Calendar" in text
    timeline = text.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "Votarea s-a deschis pe " in timeline and "Votarea se închide pe " in timeline
    assert "acum" in timeline and "urmează" in timeline and "încheiat" in timeline


def test_the_top_of_the_page_follows_the_clock_and_the_reader(client, db, login_as,
                                                              monkeypatch):
    """The part under the title is remembered per process for what it shows (fragments):
    the same consultation read again once voting has opened, by someone else, or after
    following it, shows its phase, timeline and buttons as they are then."""
    from datetime import timedelta

    from m100hub.consultations import models, views

    scene = build("scheduled")
    item = _db.session.get(Consultation, scene.id)
    opens = item.opens_dt
    english(client)
    before = page(client.get(scene.url))
    assert "Voting opens on " in before and [s for _, s, _ in steps(before)][1] == "current"
    for module in (models, views):  # a second after voting opens
        monkeypatch.setattr(module, "utcnow", lambda: opens + timedelta(seconds=1))
    after = page(client.get(scene.url))
    assert "Voting opened on " in after and [s for _, s, _ in steps(after)][2] == "current"
    assert "Follow this consultation" not in after and "Manage" not in after

    sign_in(login_as, client, "suceava_official")
    theirs = page(client.get(scene.url))
    assert "Follow this consultation" in theirs and ">Manage</a>" in theirs
    assert client.post(f"{scene.url}/follow").status_code == 303
    assert "Stop following" in page(client.get(scene.url))
