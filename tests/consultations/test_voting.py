"""Ballots of every kind over HTTP, and changing them: tallies always add up to the ballots,
a ballot that does not fit or comes outside the window is refused and changes nothing,
nobody but the voter ever sees what a person voted; following a consultation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from m100hub.accounts.models import Sector, User
from m100hub.consultations.models import (
    Ballot,
    CommentVote,
    Consultation,
    Follower,
    Participant,
    Support,
)
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.moderation.models import Report
from tests.support import factories
from tests.support.consultations import (
    HUGE_IDS,
    KINDS,
    assert_tallies_exact,
    build,
    cast,
    comment,
    count,
    english,
    follow_redirect,
    fresh,
    page,
    propose,
    redirects_to_login,
    sign_in,
    snapshot,
)

NOT_FITTING = "That answer does not fit the question: check your choices."
#: the rule a refused answer broke, said next to its question
RULES = {
    "two options": "Choose one option only.",
    "k+1 options": "Choose at most 2 options.",
    "too many ranks": "Rank at most 2 options.",
    "repeated rank": "Give each rank (1, 2, 3…) to one option only.",
}


def limit_per_minute(app, setting: str) -> int:
    match = re.search(r"(\d+)\s*(?:per|/)\s*(?:1\s*)?minute", app.config[setting])
    assert match, app.config[setting]
    return int(match.group(1))


# --- voting -------------------------------------------------------------------------------


def test_voting_on_each_kind_writes_ballot_tally_participant_and_follow(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    forms = {
        "yes_no": {"option": scene.option("yes_no", 0)},
        "single": {"option": scene.option("single", 1)},
        "approval": {"option": [scene.option("approval", 3), scene.option("approval", 0)]},
        "ranked": {
            f"rank-{scene.option('ranked', 2)}": "1",
            f"rank-{scene.option('ranked', 0)}": "2",
            f"rank-{scene.option('ranked', 1)}": "",
        },
    }
    for kind, data in forms.items():
        response = client.post(scene.vote_url(kind), data=data)
        assert response.status_code == 303, (kind, page(response))
        assert response.headers["Location"].endswith(
            f"{scene.url}#question-{scene.questions[kind]}"
        )
        assert "your vote is recorded:" in page(follow_redirect(client, response))

    _db.session.expire_all()
    ballots = {
        row.question_id: row
        for row in _db.session.scalars(select(Ballot).where(Ballot.user_id == voter.id))
    }
    o = scene.options
    assert {kind: ballots[qid].choice_key for kind, qid in scene.questions.items()} == {
        "yes_no": str(o["yes_no"][0]),
        "single": str(o["single"][1]),
        "approval": f"{o['approval'][0]},{o['approval'][3]}",
        "ranked": f"{o['ranked'][2]}>{o['ranked'][0]}",
    }
    assert {b.sector for b in ballots.values()} == {Sector.CITIZEN}
    assert_tallies_exact(scene)
    assert fresh(Consultation, scene.id).participant_count == 1
    assert count(Participant, Participant.consultation_id == scene.id) == 1
    assert count(Follower, Follower.consultation_id == scene.id, Follower.user_id == voter.id) == 1

    text = page(client.get(scene.url))
    assert "You voted: Yes — you may change your vote until voting closes." in text
    assert "You voted: Tramvaie" in text
    assert "You voted: Parcuri, Copaci" in text
    assert "You voted: Universitate › Centru" in text
    single = scene.questions["single"]
    assert (
        f'id="option-{o["single"][1]}" name="question-{single}" value="{o["single"][1]}" checked'
        in text
    )
    assert "Change my vote" in text and "1 person has voted" in text


def test_changing_a_vote_moves_the_tally_and_keeps_one_ballot(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    url = scene.vote_url("yes_no")
    yes, no = scene.option("yes_no", 0), scene.option("yes_no", 1)

    assert client.post(url, data={"option": yes}).status_code == 303
    changed = client.post(url, data={"option": no})
    assert "your vote is changed: No." in page(follow_redirect(client, changed))
    same = client.post(url, data={"option": no})
    assert "your vote stays: No." in page(follow_redirect(client, same))

    _db.session.expire_all()
    ballot = _db.session.scalar(select(Ballot).where(Ballot.user_id == voter.id))
    assert count(Ballot, Ballot.question_id == scene.questions["yes_no"]) == 1
    assert ballot.choice_key == no and ballot.changed_dt is not None
    assert_tallies_exact(scene)
    results = client.get(f"{scene.url}/results.json")
    assert results.status_code == 404  # not while open (results_while_open is off)
    assert fresh(Consultation, scene.id).participant_count == 1
    assert "You voted: No" in page(client.get(scene.url))


def test_tallies_add_up_to_the_ballots_after_many_votes_and_changes(client, db, login_as):
    scene = build("open", results_while_open=True)
    voters = [
        factories.user(sector=s, locale="en")
        for s in ("public", "private", "civil", "citizen", "citizen", "public")
    ]
    plan = [  # (voter, kind, form) in order; later ones change earlier ballots
        (0, "yes_no", {"option": scene.option("yes_no", 0)}),
        (1, "yes_no", {"option": scene.option("yes_no", 0)}),
        (2, "yes_no", {"option": scene.option("yes_no", 2)}),
        (0, "yes_no", {"option": scene.option("yes_no", 1)}),
        (3, "approval", {"option": [scene.option("approval", 0), scene.option("approval", 1)]}),
        (4, "approval", {"option": [scene.option("approval", 1), scene.option("approval", 0)]}),
        (3, "approval", {"option": [scene.option("approval", 2)]}),
        (
            5,
            "ranked",
            {f"rank-{scene.option('ranked', 0)}": "1", f"rank-{scene.option('ranked', 1)}": "2"},
        ),
        (
            5,
            "ranked",
            {f"rank-{scene.option('ranked', 1)}": "1", f"rank-{scene.option('ranked', 0)}": "2"},
        ),
        (1, "single", {"option": scene.option("single", 2)}),
        (1, "single", {"option": scene.option("single", 2)}),
    ]
    for who, kind, data in plan:
        login_as(user=voters[who])
        assert client.post(scene.vote_url(kind), data=data).status_code == 303
        assert_tallies_exact(scene)

    assert count(Ballot) == 7
    assert fresh(Consultation, scene.id).participant_count == 6
    data = client.get(f"{scene.url}/results.json").get_json()
    by_id = {q["id"]: q for q in data["questions"]}
    yes_no = by_id[scene.questions["yes_no"]]
    assert yes_no["ballots"] == 3
    assert yes_no["ballots_by_sector"] == {"public": 1, "private": 1, "civil": 1, "citizen": 0}
    assert [o["votes"] for o in yes_no["options"]] == [1, 1, 1]
    approval = by_id[scene.questions["approval"]]
    assert [o["votes"] for o in approval["options"]] == [1, 1, 1, 0]


def test_the_voters_sector_is_recorded_with_the_ballot_and_follows_a_new_vote(client, db, login_as):
    scene = build("open")
    voter = login_as(user=factories.user(sector="civil", locale="en"))
    data = {"option": scene.option("yes_no", 0)}
    assert client.post(scene.vote_url("yes_no"), data=data).status_code == 303
    assert (
        _db.session.scalar(select(Ballot.sector).where(Ballot.user_id == voter.id)) == Sector.CIVIL
    )
    _db.session.execute(update(User).where(User.id == voter.id).values(sector=Sector.PRIVATE))
    _db.session.commit()

    # the same choice again, now as someone of the private sector
    response = client.post(scene.vote_url("yes_no"), data=data)

    assert response.status_code == 303
    _db.session.expire_all()
    assert (
        _db.session.scalar(select(Ballot.sector).where(Ballot.user_id == voter.id))
        == Sector.PRIVATE
    )
    assert count(Ballot) == 1
    assert_tallies_exact(scene)


@pytest.mark.parametrize("role", ["citizen", "suceava_official", "admin", "anonymous"])
def test_what_someone_voted_is_shown_to_them_alone(client, db, login_as, role):
    scene = build("open", results_while_open=True)
    voter = factories.user(name="Ioana Votanta", locale="en")
    cast(scene, voter, "yes_no", 2)
    cast(scene, voter, "single", 1)
    cast(scene, voter, "ranked", 1, 0)
    _db.session.commit()
    sign_in(login_as, client, role)

    text = page(client.get(scene.url))
    results = page(client.get(f"{scene.url}/results"))

    assert "You voted" not in text and " checked" not in text
    assert "Change my vote" not in text
    assert "Gară › Centru" not in text
    for shown in (text, results):
        assert "Ioana Votanta" not in shown and voter.handle not in shown
        assert voter.email not in shown
    assert "1 person has voted" in results


@pytest.mark.parametrize(
    "kind, data",
    [
        ("yes_no", {}),
        ("yes_no", {"option": ""}),
        ("yes_no", {"option": "abc"}),
        ("yes_no", {"option": "1.5"}),
        ("yes_no", {"option": "99999999999999999999"}),
        ("yes_no", {"option": "-1"}),
        ("yes_no", {"option": ["yes", "no"]}),
        ("yes_no", "two options"),
        ("yes_no", "another question's option"),
        ("single", "two options"),
        ("single", "another question's option"),
        ("approval", "k+1 options"),
        ("approval", "the same option twice"),
        ("approval", "another question's option"),
        ("ranked", {}),
        ("ranked", "repeated rank"),
        ("ranked", "unknown option"),
        ("ranked", "another question's option"),
        ("ranked", "too many ranks"),
        ("ranked", {"rank-abc": "1"}),
        ("ranked", "rank not a number"),
    ],
)
def test_a_ballot_that_does_not_fit_is_refused_and_nothing_changes(
    client, db, login_as, kind, data
):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    for k in KINDS:  # an earlier valid vote stays as it was
        cast(scene, _db.session.get(User, voter.id), k, 0)
    _db.session.commit()
    o = {k: [str(i) for i in ids] for k, ids in scene.options.items()}
    other = {"yes_no": "single", "single": "approval", "approval": "yes_no", "ranked": "single"}
    named = {
        "two options": {"option": o[kind][:2]},
        "another question's option": (
            {f"rank-{o[other[kind]][1]}": "1"}
            if kind == "ranked"
            else {"option": o[other[kind]][1]}
        ),
        "k+1 options": {"option": o["approval"][:3]},
        "the same option twice": {"option": [o["approval"][1], o["approval"][1]]},
        "repeated rank": {f"rank-{o['ranked'][0]}": "1", f"rank-{o['ranked'][1]}": "1"},
        "unknown option": {f"rank-{o['ranked'][0]}": "1", "rank-2147480000": "2"},
        "too many ranks": {f"rank-{i}": str(n) for n, i in enumerate(o["ranked"], 1)},
        "rank not a number": {f"rank-{o['ranked'][0]}": "first"},
    }
    form = named[data] if isinstance(data, str) else data
    before = snapshot()

    response = client.post(scene.vote_url(kind), data=form)

    # shown again at once (422), with the rule that failed next to the question
    assert response.status_code == 422, page(response)
    text = page(response)
    rule = RULES.get(data if isinstance(data, str) else "", NOT_FITTING)
    if kind == "ranked" and data == {}:
        rule = "Choose your answer to at least one question."
    elif kind == "yes_no" and data in ({}, {"option": ""}):
        rule = "Choose your answer to at least one question."
    assert f'<p class="error" id="question-{scene.questions[kind]}-error">{rule}</p>' in text
    assert f'id="question-{scene.questions[kind]}-error"' in text
    assert snapshot() == before
    assert_tallies_exact(scene)


@pytest.mark.parametrize(
    "phase, role, status",
    [
        ("scheduled", "citizen", 409),
        ("closed", "citizen", 409),
        ("published", "citizen", 409),
        ("draft", "citizen", 404),
        ("draft", "suceava_official", 409),
        ("draft", "admin", 409),
    ],
)
def test_voting_outside_the_window_is_refused(client, db, login_as, phase, role, status):
    scene = build(phase)
    sign_in(login_as, client, role)
    before = snapshot()
    for kind in ("yes_no", "ranked"):
        form = (
            {f"rank-{scene.option('ranked', 0)}": "1"}
            if kind == "ranked"
            else {"option": scene.option(kind, 0)}
        )
        assert client.post(scene.vote_url(kind), data=form).status_code == status
    assert snapshot() == before


def test_a_vote_after_the_closing_time_is_refused(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    cast(scene, _db.session.get(User, voter.id), "yes_no", 0)
    _db.session.execute(
        update(Consultation)
        .where(Consultation.id == scene.id)
        .values(closes_dt=utcnow() - timedelta(seconds=1))
    )
    _db.session.commit()
    before = snapshot()
    # neither a change nor a first ballot
    assert (
        client.post(
            scene.vote_url("yes_no"), data={"option": scene.option("yes_no", 1)}
        ).status_code
        == 409
    )
    assert (
        client.post(
            scene.vote_url("single"), data={"option": scene.option("single", 1)}
        ).status_code
        == 409
    )
    assert snapshot() == before
    assert "You voted: Yes" in page(client.get(scene.url))


def test_voting_on_a_question_of_another_consultation_is_404(client, db, login_as):
    scene = build("open")
    other = build("open")
    sign_in(login_as, client, "citizen")
    before = snapshot()
    wrong = f"{scene.url}/questions/{other.questions['yes_no']}/vote"
    assert client.post(wrong, data={"option": other.option("yes_no", 0)}).status_code == 404
    for ident in HUGE_IDS:
        assert (
            client.post(f"{scene.url}/questions/{ident}/vote", data={"option": "1"}).status_code
            == 404
        )
        assert (
            client.post(
                f"/consultations/{ident}/questions/{scene.questions['yes_no']}/vote",
                data={"option": "1"},
            ).status_code
            == 404
        )
    assert snapshot() == before


def test_anonymous_and_unconfirmed_cannot_vote(client, db, login_as):
    scene = build("open")
    before = snapshot()
    english(client)
    form = {"option": scene.option("yes_no", 0)}
    assert redirects_to_login(client.post(scene.vote_url("yes_no"), data=form))
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    response = client.post(scene.vote_url("yes_no"), data=form)
    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in page(response)
    assert snapshot() == before


def test_voting_is_rate_limited_per_person(app, client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    allowed = limit_per_minute(app, "RATE_LIMIT_VOTE")
    yes, no = scene.option("yes_no", 0), scene.option("yes_no", 1)
    for n in range(allowed):
        response = client.post(scene.vote_url("yes_no"), data={"option": (yes, no)[n % 2]})
        assert response.status_code == 303, n
    before = snapshot()
    assert (
        client.post(scene.vote_url("yes_no"), data={"option": (yes, no)[allowed % 2]}).status_code
        == 429
    )
    assert snapshot() == before
    assert_tallies_exact(scene)


@pytest.mark.parametrize(
    "role", ["citizen", "moderator", "cluj_official", "suceava_official", "admin"]
)
def test_every_confirmed_role_may_vote_with_its_sector(client, db, login_as, role):
    scene = build("open")
    voter = sign_in(login_as, client, role)
    assert (
        client.post(
            scene.vote_url("yes_no"), data={"option": scene.option("yes_no", 0)}
        ).status_code
        == 303
    )
    _db.session.expire_all()
    assert (
        _db.session.scalar(select(Ballot.sector).where(Ballot.user_id == voter.id))
        == _db.session.get(User, voter.id).sector
    )
    assert_tallies_exact(scene)


@pytest.mark.parametrize("rule", ["ballot", "support", "comment vote", "open report"])
def test_one_per_person_is_the_databases_rule(db, rule):
    """Even a request that skipped the services' checks could not write a second row."""
    from sqlalchemy.exc import IntegrityError

    scene = build("open")
    person = factories.user()
    proposal_id = propose(scene)
    comment_id = comment(scene)
    _db.session.commit()

    def row():
        if rule == "ballot":
            return Ballot(
                question_id=scene.questions["yes_no"],
                user_id=person.id,
                choice_key=scene.option("yes_no", 0),
                sector=Sector.CITIZEN,
            )
        if rule == "support":
            return Support(proposal_id=proposal_id, user_id=person.id)
        if rule == "comment vote":
            return CommentVote(comment_id=comment_id, user_id=person.id, value=1)
        return Report(kind="comment", target_id=comment_id, reporter_id=person.id, reason="Spam")

    _db.session.add(row())
    _db.session.flush()
    _db.session.expunge_all()
    with pytest.raises(IntegrityError), _db.session.begin_nested():
        _db.session.add(row())
        _db.session.flush()


# --- following ----------------------------------------------------------------------------


def test_following_and_unfollowing(client, db, login_as):
    scene = build("open")
    person = sign_in(login_as, client, "citizen")
    mine = (Follower.consultation_id == scene.id, Follower.user_id == person.id)

    response = client.post(f"{scene.url}/follow")
    assert response.status_code == 303 and response.headers["Location"].endswith(scene.url)
    assert client.post(f"{scene.url}/follow").status_code == 303  # twice: still one
    assert count(Follower, *mine) == 1
    assert "Stop following" in page(client.get(scene.url))

    assert client.post(f"{scene.url}/unfollow").status_code == 303
    assert client.post(f"{scene.url}/unfollow").status_code == 303
    assert count(Follower, *mine) == 0
    assert "Follow this consultation" in page(client.get(scene.url))


def test_anonymous_cannot_follow(client, db):
    scene = build("open")
    before = snapshot()
    assert redirects_to_login(client.post(f"{scene.url}/follow"))
    assert redirects_to_login(client.post(f"{scene.url}/unfollow"))
    assert client.get(f"{scene.url}/follow").status_code == 405
    assert snapshot() == before
