"""Editing a contract: only the city's officials and admins, per role and per form; bad input
gets a clear message (422) and writes nothing; a double submit writes one row; every write
is in the public activity log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.contracts.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Contract,
    FundingLine,
    Inventory,
)
from m100hub.extensions import db as _db
from m100hub.submissions import new_key
from tests.support import contracts as cf
from tests.support import factories
from tests.support.consultations import english, page, redirects_to_login

ROLES, ALLOWED = cf.ROLES, cf.EDITORS

CONTRACT_FORM = {"ambition": "Suceava verde.", "baseline_year": "2019", "target_year": "2030"}
ACTION_FORM = {"sector": "transport", "title": "Piste de biciclete", "description": "Pe 20 km.",
               "organisation_id": "0", "status": "planned", "dropped_reason": "",
               "starts_on": "2026-04-01", "ends_on": "2027-10-31",
               "expected_reduction": "1200", "progress": "10", "cost": "2500000"}
UPDATE_FORM = {"on_date": "2026-06-01", "body": "Primul tronson e deschis."}
FUNDING_FORM = {"source_kind": "eu_programme", "programme": "Horizon Europe",
                "secured": "800000", "sought": "400000"}
INVENTORY_FORM = {"year": "2024", "sector": "waste", "tco2e": "12000", "source": "Raport"}


_sign_in = cf.sign_in_as


@pytest.fixture
def plan(db):
    contract = cf.contract()
    action = cf.action(contract, title="Renovarea școlilor")
    _db.session.commit()
    return contract, action


#: (name, method, path after /cities/suceava/contract, form)
FORMS = [
    ("contract form", "get", "/edit", None),
    ("save contract", "post", "/edit", CONTRACT_FORM),
    ("action form", "get", "/actions/new", None),
    ("add action", "post", "/actions/new", ACTION_FORM),
    ("edit action form", "get", "/actions/{action}/edit", None),
    ("edit action", "post", "/actions/{action}/edit", {**ACTION_FORM, "status": "in_progress"}),
    ("post update", "post", "/actions/{action}/updates", UPDATE_FORM),
    ("add funding", "post", "/actions/{action}/funding", FUNDING_FORM),
    ("inventory form", "get", "/inventories", None),
    ("add inventory", "post", "/inventories", INVENTORY_FORM),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("form", FORMS, ids=[f[0] for f in FORMS])
def test_only_the_citys_officials_and_admins_edit_its_contract(client, login_as, plan, role,
                                                                form):
    name, method, path, data = form
    _contract, action = plan
    _sign_in(login_as, role)
    before = cf.snapshot()
    url = "/cities/suceava/contract" + path.format(action=action.id)
    response = client.get(url) if method == "get" else client.post(url, data=data)
    if role == "anonymous":
        assert redirects_to_login(response)
    elif role not in ALLOWED:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if method == "get" else 303), page(response)
        if method == "post":
            assert cf.snapshot() != before
            assert cf.count(ActivityEntry, ActivityEntry.verb.startswith("contract_")) == 1
            return
    assert cf.snapshot() == before


def test_the_edit_links_show_to_those_who_may_edit_only(client, login_as, plan):
    english(client)
    assert "Add an action" not in page(client.get("/cities/suceava/contract"))
    login_as(user=factories.official("cluj-napoca", locale="en"))
    assert "Add an action" not in page(client.get("/cities/suceava/contract"))
    login_as(user=factories.official("suceava", locale="en"))
    text = page(client.get("/cities/suceava/contract"))
    assert "Add an action" in text and "Edit the contract" in text


def test_an_official_starts_the_contract_with_the_missions_target(client, login_as, db):
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    assert 'value="2030"' in page(client.get("/cities/suceava/contract/edit"))
    login_as(user=factories.official("brasov", locale="en") if factories.city("brasov") else
             factories.official("cluj-napoca", locale="en"))
    response = client.post("/cities/suceava/contract/edit", data=CONTRACT_FORM)
    assert response.status_code == 403
    login_as(user=factories.official("suceava", locale="en"))
    assert client.post("/cities/suceava/contract/edit", data=CONTRACT_FORM).status_code == 303
    contract = _db.session.scalar(select(Contract))
    assert (contract.target_year, contract.baseline_year) == (2030, 2019)
    entry = _db.session.scalar(select(ActivityEntry))
    assert entry.verb == "contract_created" and entry.target_label == "Suceava"


def test_an_action_without_a_contract_waits_for_the_contract(client, login_as, db):
    login_as(user=factories.official("suceava", locale="en"))
    response = client.post("/cities/suceava/contract/actions/new", data=ACTION_FORM)
    assert response.status_code == 303 and response.headers["Location"].endswith("/edit")
    assert cf.count(Action) == 0


BAD = [
    ("contract", "/edit", {**CONTRACT_FORM, "target_year": "2015"}, "after the baseline"),
    ("contract", "/edit", {**CONTRACT_FORM, "baseline_year": "doi mii"}, "Not a valid"),
    ("contract", "/edit", {**CONTRACT_FORM, "target_year": "3000"}, "between 1990 and 2100"),
    ("action", "/actions/new", {**ACTION_FORM, "cost": "-5"}, "zero or more"),
    ("action", "/actions/new", {**ACTION_FORM, "cost": "12,5 lei"}, "Not a valid"),
    ("action", "/actions/new", {**ACTION_FORM, "progress": "120"}, "Between 0 and 100"),
    ("action", "/actions/new", {**ACTION_FORM, "progress": "-1"}, "Between 0 and 100"),
    ("action", "/actions/new", {**ACTION_FORM, "ends_on": "2026-01-01"}, "before the start"),
    ("action", "/actions/new", {**ACTION_FORM, "expected_reduction": "-3"}, "zero or more"),
    ("action", "/actions/new", {**ACTION_FORM, "status": "dropped"}, "Say why"),
    ("action", "/actions/new", {**ACTION_FORM, "title": "  "}, "required"),
    ("action", "/actions/new", {**ACTION_FORM, "sector": "tourism"}, "Not a valid choice"),
    ("edit", "/actions/{action}/edit", {**ACTION_FORM, "progress": "101"}, "Between 0"),
    ("update", "/actions/{action}/updates", {**UPDATE_FORM, "body": " "}, "required"),
    ("update", "/actions/{action}/updates", {**UPDATE_FORM, "on_date": "ieri"}, "Not a valid"),
    ("funding", "/actions/{action}/funding", {**FUNDING_FORM, "secured": "-100"}, "zero or"),
    ("funding", "/actions/{action}/funding", {**FUNDING_FORM, "sought": "mult"}, "Not a valid"),
    ("funding", "/actions/{action}/funding", {**FUNDING_FORM, "secured": "", "sought": ""},
     "secured or sought"),
    ("funding", "/actions/{action}/funding", {**FUNDING_FORM, "source_kind": "lottery"},
     "Not a valid choice"),
    ("inventory", "/inventories", {**INVENTORY_FORM, "tco2e": "-1"}, "zero or more"),
    ("inventory", "/inventories", {**INVENTORY_FORM, "tco2e": "o mie"}, "Not a valid"),
    ("inventory", "/inventories", {**INVENTORY_FORM, "tco2e": ""}, "required"),
    ("inventory", "/inventories", {**INVENTORY_FORM, "year": "1800"}, "between 1990"),
]


@pytest.mark.parametrize("bad", BAD, ids=[f"{b[0]}: {b[3]}" for b in BAD])
def test_bad_input_gets_a_clear_message_and_writes_nothing(client, login_as, plan, bad):
    _form, path, data, message = bad
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    before = cf.snapshot()
    response = client.post("/cities/suceava/contract" + path.format(action=plan[1].id),
                           data=data)
    assert response.status_code == 422
    assert message in page(response)
    assert cf.snapshot() == before


def test_an_action_of_another_citys_contract_is_not_found_through_this_city(client, login_as,
                                                                              plan):
    """A Cluj official cannot reach Suceava's action through Cluj's address either."""
    cf.contract("cluj-napoca")
    login_as(user=factories.official("cluj-napoca", locale="en"))
    before = cf.snapshot()
    for path in ("/edit", "/updates", "/funding"):
        url = f"/cities/cluj-napoca/contract/actions/{plan[1].id}{path}"
        assert client.post(url, data={**ACTION_FORM, **UPDATE_FORM, **FUNDING_FORM}
                           ).status_code == 404
    assert cf.snapshot() == before


def test_double_submits_write_one_row_each(client, login_as, plan):
    _contract, action = plan
    login_as(user=factories.official("suceava", locale="en"))
    base = "/cities/suceava/contract"
    keyed = {**UPDATE_FORM, "submission_key": new_key()}  # the form's one-time key
    for _ in range(2):
        assert client.post(f"{base}/actions/new", data=ACTION_FORM).status_code == 303
        assert client.post(f"{base}/actions/{action.id}/updates",
                           data=keyed).status_code == 303
        assert client.post(f"{base}/actions/{action.id}/funding",
                           data=FUNDING_FORM).status_code == 303
        assert client.post(f"{base}/inventories", data=INVENTORY_FORM).status_code == 303
    assert cf.count(Action, Action.title == ACTION_FORM["title"]) == 1
    assert cf.count(ActionUpdate) == 1
    assert cf.count(FundingLine) == 1
    assert cf.count(Inventory) == 1
    # a new form (a new key) is a new update; the same source again corrects its amounts
    client.post(f"{base}/actions/{action.id}/updates",
                data={**UPDATE_FORM, "submission_key": new_key()})
    client.post(f"{base}/actions/{action.id}/funding", data={**FUNDING_FORM, "secured": "5"})
    client.post(f"{base}/inventories", data={**INVENTORY_FORM, "tco2e": "11000"})
    assert cf.count(ActionUpdate) == 2
    assert _db.session.scalar(select(FundingLine.secured)) == 5
    assert _db.session.scalar(select(Inventory.tco2e)) == 11000


def test_editing_a_title_to_another_actions_title_is_refused(client, login_as, plan):
    contract, action = plan
    cf.action(contract, title="Autobuze electrice")
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    before = cf.snapshot()
    response = client.post(f"/cities/suceava/contract/actions/{action.id}/edit",
                           data={**ACTION_FORM, "title": "Autobuze electrice"})
    assert response.status_code == 422 and "Another action" in page(response)
    assert cf.snapshot() == before


def test_dropping_an_action_keeps_its_reason_and_logs_it(client, login_as, plan):
    _contract, action = plan
    login_as("admin", locale="en")
    english(client)
    response = client.post(f"/cities/suceava/contract/actions/{action.id}/edit", data={
        **ACTION_FORM, "title": action.title, "status": "dropped",
        "dropped_reason": "Fără teren."})
    assert response.status_code == 303
    _db.session.expire_all()
    assert (action.status, action.dropped_reason) == (ActionStatus.DROPPED, "Fără teren.")
    text = page(client.get(f"/cities/suceava/contract/actions/{action.id}"))
    assert "Fără teren." in text
    log = page(client.get("/activity"))
    assert "changed the action “Renovarea școlilor” of a climate contract" in log
