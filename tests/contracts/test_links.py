""""You said, we did": the city's officials link its consultations, proposals and threads to
the actions they informed (per role, bad input, double submit); the action, the item and the
city pages show the link; those who took part are told when it is made and when the action's
status changes."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select

from m100hub.activity.models import ActivityEntry
from m100hub.contracts.models import ActionLink
from m100hub.extensions import db as _db
from m100hub.features import found_sections, section_probes
from m100hub.submissions import new_key
from tests.support import consultation_factories as consult
from tests.support import contracts as cf
from tests.support import factories
from tests.support import forum_factories as forum
from tests.support.consultations import english, page, redirects_to_login

ROLES, ALLOWED = cf.ROLES, cf.EDITORS
WHY = "Traseul a ținut cont de voturi."


_sign_in = cf.sign_in_as


@pytest.fixture
def scene(db):
    contract = cf.contract()
    action = cf.action(contract, title="Piste de biciclete")
    # open: its proposals and supports can still be made
    consultation = consult.consultation("open", title="Unde punem pistele?")
    _db.session.commit()
    return action, consultation


def _url(action, path=""):
    return f"/cities/suceava/contract/actions/{action.id}{path}"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_citys_officials_and_admins_link_and_unlink(client, login_as, scene, role):
    action, consultation = scene
    _sign_in(login_as, role)
    before = cf.snapshot()
    response = client.post(_url(action, "/links"), data={
        "item": f"consultation:{consultation.id}", "explanation": WHY})
    if role == "anonymous":
        assert redirects_to_login(response)
    elif role not in ALLOWED:
        assert response.status_code == 403
    else:
        assert response.status_code == 303, page(response)
        assert cf.count(ActionLink) == 1
        assert cf.count(ActivityEntry, ActivityEntry.verb == "contract_action_linked") == 1
        link = _db.session.scalar(select(ActionLink))
        assert client.post(_url(action, f"/links/{link.id}/delete")).status_code == 303
        assert cf.count(ActionLink) == 0
        assert cf.count(ActivityEntry, ActivityEntry.verb == "contract_action_unlinked") == 1
        return
    assert cf.snapshot() == before
    link = cf.link(action, "consultation", consultation.id)
    _db.session.commit()
    before = cf.snapshot()
    response = client.post(_url(action, f"/links/{link.id}/delete"))
    assert redirects_to_login(response) if role == "anonymous" else response.status_code == 403
    assert cf.snapshot() == before


def test_the_link_form_shows_to_those_who_may_link_only(client, login_as, scene):
    action, _consultation = scene
    english(client)
    assert "Link what people said" not in page(client.get(_url(action)))
    login_as(user=factories.official("cluj-napoca", locale="en"))
    assert "Link what people said" not in page(client.get(_url(action)))
    login_as(user=factories.official("suceava", locale="en"))
    text = page(client.get(_url(action)))
    assert "Link what people said" in text and "Unde punem pistele?" in text


def _bad_items():
    consultation_cluj = consult.consultation("closed", city_slug="cluj-napoca",
                                             title="Consultarea din Cluj")
    draft = consult.consultation("draft", title="Ciornă")
    hidden = forum.thread(title="Subiect ascuns", city_id=factories.city("suceava").id)
    hidden.hidden = True
    _db.session.commit()
    return [
        ({"item": f"consultation:{consultation_cluj.id}"}, "Not a valid choice"),
        ({"item": f"consultation:{draft.id}"}, "Not a valid choice"),
        ({"item": f"forum_thread:{hidden.id}"}, "Not a valid choice"),
        ({"item": "lottery:1"}, "Not a valid choice"),
        ({"item": "consultation:x"}, "Not a valid choice"),
        ({"item": ""}, "Not a valid choice"),
        ({"explanation": "  "}, "required"),
        ({"explanation": "x" * 501}, "between 3 and 500"),
    ]


def test_bad_input_gets_a_clear_message_and_writes_nothing(client, login_as, scene):
    action, consultation = scene
    bad = _bad_items()
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    for change, message in bad:
        before = cf.snapshot()
        data = {"item": f"consultation:{consultation.id}", "explanation": WHY, **change,
                "submission_key": new_key()}
        response = client.post(_url(action, "/links"), data=data)
        assert response.status_code == 422, change
        assert message in page(response), change
        assert cf.snapshot() == before


def test_an_item_of_another_city_is_refused_by_the_service_too(app, db, scene):
    """The form offers the city's items only; the service checks again (another caller)."""
    from m100hub.contracts import services

    action, _consultation = scene
    elsewhere = consult.consultation("closed", city_slug="cluj-napoca")
    with app.test_request_context():
        with pytest.raises(services.NotLinkable):
            services.link_item(factories.person("admin"), factories.city("suceava"), action,
                               kind="consultation", item_id=elsewhere.id, explanation=WHY)
        with pytest.raises(services.NotLinkable):
            services.link_item(factories.person("admin"), factories.city("suceava"), action,
                               kind="boards_card", item_id=1, explanation=WHY)
    assert cf.count(ActionLink) == 0


def test_a_link_of_another_action_or_city_is_not_found(client, login_as, scene):
    action, consultation = scene
    other = cf.action(cf.contract("cluj-napoca"), title="Alta")
    link = cf.link(action, "consultation", consultation.id)
    _db.session.commit()
    login_as(user=factories.official("cluj-napoca", locale="en"))
    before = cf.snapshot()
    assert client.post(f"/cities/cluj-napoca/contract/actions/{other.id}/links/{link.id}/"
                       "delete").status_code == 404
    assert client.post(f"/cities/cluj-napoca/contract/actions/{action.id}/links", data={
        "item": f"consultation:{consultation.id}", "explanation": WHY}).status_code == 404
    assert cf.snapshot() == before


def test_double_submits_make_one_link(client, login_as, scene):
    action, consultation = scene
    login_as(user=factories.official("suceava", locale="en"))
    data = {"item": f"consultation:{consultation.id}", "explanation": WHY,
            "submission_key": new_key()}
    for _ in range(2):
        assert client.post(_url(action, "/links"), data=data).status_code == 303
    # a new form (a new key) for the same item finds the first link
    assert client.post(_url(action, "/links"), data={**data, "submission_key": new_key()}
                       ).status_code == 303
    assert cf.count(ActionLink) == 1
    assert cf.count(ActivityEntry, ActivityEntry.verb == "contract_action_linked") == 1


def test_the_pages_show_what_people_said_and_what_it_led_to(client, login_as, scene):
    action, consultation = scene
    proposal = consult.proposal(consultation, title="Pistă pe malul râului")
    thread = forum.thread(title="Biciclete în centru", city_id=factories.city("suceava").id)
    admin = factories.person("admin")
    for kind, item in (("consultation", consultation), ("proposal", proposal),
                       ("forum_thread", thread)):
        cf.link(action, kind, item.id, explanation=f"Din {kind}.", author=admin)
    _db.session.commit()
    english(client)
    text = page(client.get(_url(action)))
    for title in ("Unde punem pistele?", "Pistă pe malul râului", "Biciclete în centru"):
        assert title in text
    assert "Din forum_thread." in text and "Remove the link" not in text
    for url in (f"/consultations/{consultation.id}", f"/proposals/{proposal.id}",
                f"/forums/t/{thread.id}"):
        shown = page(client.get(url))
        assert "This led to…" in shown and "Piste de biciclete" in shown, url
    city = page(client.get("/cities/suceava"))
    assert "You said, we did" in city and "Pistă pe malul râului" in city
    # an item hidden since is no longer shown anywhere
    thread.hidden = True
    _db.session.commit()
    assert "Biciclete în centru" not in page(client.get(_url(action)))


def test_an_items_page_can_know_from_its_own_statement_whether_it_led_to_anything(app, scene):
    """The "this led to…" section's probe (features.Section.probe), as a consultation's page
    would ask it in its statement: false, and the section shows nothing without a query;
    true once an action is linked to the consultation (and only to it)."""
    action, consultation = scene
    other = consult.consultation("open", title="Altă consultare")
    with app.test_request_context():
        def found(item_id: int) -> bool:
            answers = _db.session.execute(
                select(*section_probes("consultation", literal(item_id)))).one()
            by_template = {section.template: value for section, value in
                           found_sections("consultation", answers).items()}
            return by_template["contracts/_led_to.html"]

        assert found(consultation.id) is False
        cf.link(action, "consultation", consultation.id, author=factories.person("admin"))
        assert found(consultation.id) is True and found(other.id) is False


def test_a_city_without_links_says_so_and_an_unlinked_item_shows_nothing(client, scene):
    action, consultation = scene
    english(client)
    assert "Nothing here yet" in page(client.get("/cities/suceava"))
    assert "Nothing linked yet" in page(client.get(_url(action)))
    assert "This led to" not in page(client.get(f"/consultations/{consultation.id}"))


def test_those_who_took_part_are_told_of_the_link_and_of_status_changes(client, login_as,
                                                                          scene):
    action, consultation = scene
    voter, commenter, follower_voter = (factories.user(locale="en") for _ in range(3))
    question = consult.questions_of(consultation)[0]
    for person in (voter, follower_voter):
        consult.vote(person, consultation, question, 0)
    proposal = consult.proposal(consultation, author=commenter, title="Pistă nouă")
    supporter = factories.user(locale="en")
    from m100hub.consultations import participation

    participation.support(supporter, consultation, proposal)
    stranger = factories.user(locale="en")
    _db.session.commit()
    login_as(user=follower_voter)
    client.post("/cities/suceava/contract/follow")
    official = factories.official("suceava", locale="en")
    login_as(user=official)
    for kind, item in (("consultation", consultation), ("proposal", proposal)):
        assert client.post(_url(action, "/links"), data={
            "item": f"{kind}:{item.id}", "explanation": WHY}).status_code == 303
    told = cf.notices()
    assert sorted(r for r, k in told if k == "contract_input_linked") == sorted(
        [voter.id, follower_voter.id, commenter.id, supporter.id])
    form = {"sector": "buildings", "title": action.title, "organisation_id": "0",
            "status": "done", "progress": "100"}
    assert client.post(_url(action, "/edit"), data=form).status_code == 303
    status = [(r, k) for r, k in cf.notices()[len(told):]]
    # the follower hears once, as a follower; everyone else who took part hears as such
    assert sorted(status) == sorted([(follower_voter.id, "contract_action_status")] + [
        (p.id, "contract_linked_action_status") for p in (voter, commenter, supporter)])
    assert stranger.id not in {r for r, _k in cf.notices()}
    login_as(user=voter)
    english(client)
    text = page(client.get("/notifications"))
    assert "You said, Suceava did: “Unde punem pistele?” informed the action" in text
    assert "which what you took part in informed, is now: Done." in text


def test_thread_followers_are_told(client, login_as, scene):
    action, _consultation = scene
    thread = forum.thread(title="Biciclete", city_id=factories.city("suceava").id)
    _db.session.commit()
    login_as(user=factories.official("suceava", locale="en"))
    assert client.post(_url(action, "/links"), data={
        "item": f"forum_thread:{thread.id}", "explanation": WHY}).status_code == 303
    assert (thread.author_id, "contract_input_linked") in cf.notices()


def test_anonymous_linking_redirects_to_sign_in(client, scene):
    action, consultation = scene
    assert redirects_to_login(client.post(_url(action, "/links"), data={
        "item": f"consultation:{consultation.id}", "explanation": WHY}))


def _many_newer_consultations(template, n: int) -> None:
    """``n`` copies of ``template``, each newer than it (the same opening, a later id)."""
    from m100hub.consultations.models import Consultation
    from tests.support import bulk

    bulk.copies(Consultation, template.id, n, title="'Consultarea nouă ' || n",
                search_text="'consultarea noua ' || n")  # their own folded text, not the template's
    _db.session.commit()


def test_an_item_older_than_the_newest_offered_is_found_and_linked(client, login_as, scene):
    """The form offers the newest 200 of a kind; the official's search (a GET, no
    JavaScript) finds any of the city's, however old, folded (``sipote`` finds
    ``Șipote``), and that item can be linked."""
    from m100hub.consultations import links as consultation_links

    action, _open = scene
    old = consult.consultation("closed", title="Parcul Șipote, pe viitor",
                               summary="Ce facem cu parcul.")
    elsewhere = consult.consultation("closed", city_slug="cluj-napoca",
                                     title="Parcul Șipote din Cluj")
    consult.consultation("draft", title="Parcul Șipote, ciornă")
    thread = forum.thread(title="Sipote: copaci noi", city_id=factories.city("suceava").id)
    _db.session.commit()
    _many_newer_consultations(old, consultation_links.CANDIDATES)
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    newest = page(client.get(_url(action)))
    assert "Consultarea nouă 200" in newest and "Parcul Șipote, pe viitor" not in newest
    assert 'name="find"' in newest and 'method="get"' in newest
    found = page(client.get(_url(action), query_string={"find": "  sipote "}))
    options = found.split('id="item"')[1].split("</select>")[0]
    assert f'value="consultation:{old.id}">Parcul Șipote, pe viitor</option>' in options
    assert f'value="forum_thread:{thread.id}">Sipote: copaci noi</option>' in options
    assert "Consultarea nouă" not in options  # only what matches
    assert str(elsewhere.id) not in options.replace(str(old.id), "")
    assert "Parcul Șipote, ciornă" not in options and "Din Cluj" not in options
    assert "Offered below: what matches “sipote”." in found
    assert 'value="sipote"' in found
    nothing = page(client.get(_url(action), query_string={"find": "lalele"}))
    assert "Nothing of the city matches “lalele”" in nothing
    assert 'id="item"' not in nothing
    response = client.post(_url(action, "/links"), data={
        "item": f"consultation:{old.id}", "explanation": WHY, "submission_key": new_key()})
    assert response.status_code == 303
    assert _db.session.execute(select(ActionLink.item_kind, ActionLink.item_id)).all() == [
        ("consultation", old.id)]
    # the old item refused for another reason is still offered, chosen, with the error
    refused = page(client.post(_url(action, "/links"), data={
        "item": f"consultation:{old.id}", "explanation": " ", "submission_key": new_key()}))
    assert f'<option selected value="consultation:{old.id}">' in refused
    assert "This field is required." in refused


def test_the_search_is_for_officials_and_bad_searches_are_harmless(client, login_as, scene):
    action, _consultation = scene
    english(client)
    assert 'name="find"' not in page(client.get(_url(action), query_string={"find": "x"}))
    login_as(user=factories.official("suceava", locale="en"))
    for find in ("%", "_", "'; DROP TABLE", "?!", "x" * 1000, "ș" * 30):
        response = client.get(_url(action), query_string={"find": find})
        assert response.status_code == 200, find
    # no word in it: the newest are offered, as without a search
    text = page(client.get(_url(action), query_string={"find": "?!"}))
    assert "Unde punem pistele?" in text and "Offered below" not in text
