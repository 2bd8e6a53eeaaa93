"""The whole ballot in one form over HTTP: every question answered at once is recorded, with a
summary per question; a refused ballot writes nothing, comes back at the consultation's own
address (422) with the voter's attempted choices and the rule next to each question; ranks
with gaps are read in their order and the voter is told."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from m100hub.consultations.models import Ballot, Consultation
from m100hub.extensions import db as _db
from tests.support.consultations import (
    assert_tallies_exact,
    build,
    cast,
    count,
    follow_redirect,
    fresh,
    page,
    redirects_to_login,
    sign_in,
    snapshot,
)


def full_ballot(scene, yes_no=0, single=1, approval=(0, 3), ranks=None) -> dict:
    """A ballot form as the page sends it (by option position)."""
    form: dict = {}
    if yes_no is not None:
        form[f"question-{scene.questions['yes_no']}"] = scene.option("yes_no", yes_no)
    if single is not None:
        form[f"question-{scene.questions['single']}"] = scene.option("single", single)
    form[f"question-{scene.questions['approval']}"] = [scene.option("approval", i)
                                                       for i in approval]
    for index, rank in (ranks or {2: "1", 0: "2"}).items():
        form[f"rank-{scene.option('ranked', index)}"] = rank
    return form


def choice_keys(scene, voter_id: int) -> dict[str, str]:
    _db.session.expire_all()
    keys = {b.question_id: b.choice_key for b in _db.session.scalars(
        select(Ballot).where(Ballot.user_id == voter_id))}
    return {kind: keys[qid] for kind, qid in scene.questions.items() if qid in keys}


def checked(text: str, option_id: int | str) -> bool:
    return re.search(rf'id="option-{option_id}" [^>]*\bchecked\b', text) is not None


def test_one_ballot_records_every_question_and_says_what_per_question(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")

    response = client.post(scene.url, data=full_ballot(scene))

    assert response.status_code == 303 and response.headers["Location"].endswith(scene.url)
    o = scene.options
    assert choice_keys(scene, voter.id) == {
        "yes_no": str(o["yes_no"][0]), "single": str(o["single"][1]),
        "approval": f"{o['approval'][0]},{o['approval'][3]}",
        "ranked": f"{o['ranked'][2]}>{o['ranked'][0]}",
    }
    assert_tallies_exact(scene)
    assert fresh(Consultation, scene.id).participant_count == 1
    text = page(follow_redirect(client, response))
    flashes = text[text.index('class="flashes"'):text.index("</div>", text.index("flashes"))]
    for line in ("“Sunteți de acord cu planul?”: your vote is recorded: Yes.",
                 "“Cu ce mergeți la lucru?”: your vote is recorded: Tramvaie.",
                 "“Ce facem întâi?”: your vote is recorded: Parcuri, Copaci.",
                 "“Ordonați traseele”: your vote is recorded: Universitate › Centru."):
        assert line in flashes
    # the same form shows the current choices, to change any of them later
    assert checked(text, o["yes_no"][0]) and checked(text, o["single"][1])
    assert checked(text, o["approval"][0]) and checked(text, o["approval"][3])
    assert re.search(rf'id="rank-{o["ranked"][2]}"[^>]*>\s*<option value="">[^<]*</option>\s*'
                     r'<option value="1" selected>', text)
    assert "Change my vote" in text and "1 person has voted" in text


def test_a_second_ballot_changes_some_answers_and_keeps_the_others(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    assert client.post(scene.url, data=full_ballot(scene)).status_code == 303
    client.get(scene.url)  # the first summary is read

    second = full_ballot(scene, yes_no=1, single=1, approval=())
    del second[f"question-{scene.questions['approval']}"]
    text = page(follow_redirect(client, client.post(scene.url, data=second)))

    assert "“Sunteți de acord cu planul?”: your vote is changed: No." in text
    assert "“Cu ce mergeți la lucru?”: your vote stays: Tramvaie." in text
    assert "“Ce facem întâi?”: your earlier vote stays." in text
    o = scene.options
    assert choice_keys(scene, voter.id)["yes_no"] == str(o["yes_no"][1])
    assert choice_keys(scene, voter.id)["approval"] == f"{o['approval'][0]},{o['approval'][3]}"
    assert count(Ballot, Ballot.user_id == voter.id) == 4
    assert_tallies_exact(scene)
    assert fresh(Consultation, scene.id).participant_count == 1


def test_a_partly_answered_ballot_records_what_was_answered(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    form = {f"question-{scene.questions['single']}": scene.option("single", 2)}
    text = page(follow_redirect(client, client.post(scene.url, data=form)))
    assert "“Cu ce mergeți la lucru?”: your vote is recorded: Biciclete." in text
    assert "“Sunteți de acord cu planul?”: not answered." in text
    assert set(choice_keys(scene, voter.id)) == {"single"}
    assert_tallies_exact(scene)


def test_submitting_the_same_ballot_twice_keeps_one_ballot_per_question(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    form = full_ballot(scene)
    first, second = client.post(scene.url, data=form), client.post(scene.url, data=form)
    assert first.status_code == second.status_code == 303
    assert "your vote stays: Yes." in page(follow_redirect(client, second))
    assert count(Ballot, Ballot.user_id == voter.id) == 4
    assert_tallies_exact(scene)
    assert fresh(Consultation, scene.id).participant_count == 1


def test_a_refused_ballot_writes_nothing_and_keeps_the_attempted_choices(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    assert client.post(scene.url, data=full_ballot(scene)).status_code == 303
    client.get(scene.url)
    before = snapshot()

    # yes → no, and three options where two are allowed
    attempt = full_ballot(scene, yes_no=1, approval=(0, 1, 2))
    response = client.post(scene.url, data=attempt)

    assert response.status_code == 422
    assert snapshot() == before
    text = page(response)
    approval = scene.questions["approval"]
    first_box = scene.options["approval"][0]
    # an error summary at the top of the ballot, linking to the question in error
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>',
                        text, re.S)
    assert summary and "Your ballot is not saved yet" in summary.group(1)
    assert f'<a href="#option-{first_box}">Ce facem întâi?: Choose at most 2 options.</a>' in (
        summary.group(1))
    assert text.index("error-summary") < text.index(f'id="question-{approval}"')
    # the rule next to the question, which describes its group of boxes
    assert f'<p class="error" id="question-{approval}-error">Choose at most 2 options.</p>' in text
    assert re.search(rf'<fieldset aria-describedby="question-{approval}-rule '
                     rf'question-{approval}-error"', text)
    # the attempted choices, not the stored ones (which the notice still tells)
    o = scene.options
    assert all(checked(text, o["approval"][i]) for i in (0, 1, 2))
    assert not checked(text, o["approval"][3])
    assert checked(text, o["yes_no"][1]) and not checked(text, o["yes_no"][0])
    assert "You voted: Yes" in text
    # the address is the consultation's own: reloading it is the page
    assert f'action="{scene.url}"' in text
    assert client.get(scene.url).status_code == 200


def test_every_refused_question_is_listed_with_its_rule(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    before = snapshot()
    o = scene.options
    form = full_ballot(scene, approval=(0, 1, 2), ranks={0: "1", 1: "1"})
    form[f"question-{scene.questions['single']}"] = [str(o["single"][0]), str(o["single"][1])]

    response = client.post(scene.url, data=form)

    assert response.status_code == 422 and snapshot() == before
    text = page(response)
    for kind, rule in (("single", "Choose one option only."),
                       ("approval", "Choose at most 2 options."),
                       ("ranked", "Give each rank (1, 2, 3…) to one option only.")):
        assert f'id="question-{scene.questions[kind]}-error">{rule}</p>' in text
    start = text.index('class="error-summary"')
    summary = text[start:text.index("</ul>", start)]
    assert summary.count("<li><a href=") == 3
    # the attempted ranks are shown as given
    assert re.search(rf'id="rank-{o["ranked"][1]}"[^>]*>\s*<option value="">[^<]*</option>\s*'
                     r'<option value="1" selected>', text)


def test_ranks_with_gaps_are_read_in_their_order_and_the_voter_is_told(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    form = {f"rank-{scene.option('ranked', 1)}": "5", f"rank-{scene.option('ranked', 2)}": "2"}

    text = page(follow_redirect(client, client.post(scene.url, data=form)))

    o = scene.options
    assert choice_keys(scene, voter.id) == {"ranked": f"{o['ranked'][2]}>{o['ranked'][1]}"}
    assert "“Ordonați traseele”: your vote is recorded: Universitate › Gară." in text
    assert "Your ranks 2, 5 were read in their order as 1, 2." in text
    assert_tallies_exact(scene)


def test_an_empty_ballot_is_refused(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    before = snapshot()
    response = client.post(scene.url, data={f"question-{scene.questions['yes_no']}": ""})
    assert response.status_code == 422 and snapshot() == before
    assert "Choose your answer to at least one question." in page(response)


def test_another_consultations_fields_are_ignored(client, db, login_as):
    scene, other = build("open"), build("open")
    voter = sign_in(login_as, client, "citizen")
    form = {f"question-{other.questions['yes_no']}": other.option("yes_no", 0),
            f"question-{scene.questions['yes_no']}": scene.option("yes_no", 2)}
    assert client.post(scene.url, data=form).status_code == 303
    assert choice_keys(scene, voter.id) == {"yes_no": scene.option("yes_no", 2)}
    assert choice_keys(other, voter.id) == {}


def test_who_may_send_a_ballot(client, db, login_as):
    scene, closed = build("open"), build("closed")
    before = snapshot()
    sign_in(login_as, client, "anonymous")
    assert redirects_to_login(client.post(scene.url, data=full_ballot(scene)))
    sign_in(login_as, client, "unconfirmed")
    assert client.post(scene.url, data=full_ballot(scene)).status_code == 403
    sign_in(login_as, client, "citizen")
    assert client.post(closed.url, data=full_ballot(closed)).status_code == 409
    assert client.post("/consultations/2147483647", data={}).status_code == 404
    assert snapshot() == before


def test_the_one_question_address_answers_a_reload_with_the_page(client, db, login_as):
    scene = build("open")
    response = client.get(scene.vote_url("approval"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"{scene.url}#question-{scene.questions['approval']}")


@pytest.mark.parametrize("rank", ["0", "-1", "x", "1.5"])
def test_a_rank_that_is_not_a_place_is_refused(client, db, login_as, rank):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    before = snapshot()
    form = {f"rank-{scene.option('ranked', 0)}": rank, f"rank-{scene.option('ranked', 1)}": "1"}
    response = client.post(scene.url, data=form)
    assert response.status_code == 422 and snapshot() == before
    assert (f'id="question-{scene.questions["ranked"]}-error">That answer does not fit the '
            "question: check your choices.</p>") in page(response)


def test_each_reader_sees_their_own_ballot_in_their_language(client, db, login_as):
    """The ballot is remembered per process for what it shows (fragments): a voter and
    someone who has not voted read the same consultation one after the other, each sees
    their own choices; the yes/no options are worded in the reader's language."""
    from tests.support import factories

    scene = build("open")
    voter = factories.user(locale="en")
    cast(scene, voter, "yes_no", 0)
    _db.session.commit()
    login_as(user=voter)
    theirs = page(client.get(scene.url))
    assert "You voted: Yes" in theirs and "Change my vote" in theirs
    sign_in(login_as, client, "citizen")
    mine = page(client.get(scene.url))
    assert "You voted:" not in mine and ">Vote</button>" in mine
    login_as(user=factories.user(locale="ro"))
    romanian = page(client.get(scene.url))
    assert '<label for="option-' in romanian and ">Da</label>" in romanian
    assert ">Yes</label>" not in romanian
