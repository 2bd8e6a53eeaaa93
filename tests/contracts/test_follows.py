"""Following a city's contract: followers hear of action updates and status changes (not of
other edits), the author never hears of their own work; following is idempotent."""

from __future__ import annotations

from sqlalchemy import select

from m100hub.contracts.models import Follower
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from tests.support import contracts as cf
from tests.support import factories
from tests.support.consultations import english, page, redirects_to_login


def _scene(login_as, client):
    contract = cf.contract()
    action = cf.action(contract, title="Renovarea școlilor")
    follower = factories.user(locale="en")
    official = factories.official("suceava", locale="en")
    login_as(user=follower)
    for _ in range(2):  # twice: still one row
        assert client.post("/cities/suceava/contract/follow").status_code == 303
    assert cf.count(Follower) == 1
    login_as(user=official)
    client.post("/cities/suceava/contract/follow")  # the official follows too
    return action, follower, official


def test_followers_are_told_of_updates_and_status_changes_only(client, login_as, db):
    action, follower, official = _scene(login_as, client)
    url = f"/cities/suceava/contract/actions/{action.id}"
    form = {"sector": "buildings", "title": action.title, "organisation_id": "0",
            "status": "in_progress", "progress": "60"}
    assert client.post(f"{url}/edit", data=form).status_code == 303  # progress: no notice
    assert cf.count(Notification) == 0
    client.post(f"{url}/updates", data={"on_date": "2026-06-01", "body": "Gata."})
    client.post(f"{url}/edit", data={**form, "status": "done", "progress": "100"})
    kinds = _db.session.execute(select(Notification.recipient_id, Notification.kind)
                                .order_by(Notification.id)).all()
    assert kinds == [(follower.id, "contract_action_update"),
                     (follower.id, "contract_action_status")]
    login_as(user=follower)
    english(client)
    text = page(client.get("/notifications"))
    assert "Suceava posted an update on “Renovarea școlilor”." in text
    assert "“Renovarea școlilor” in Suceava is now: Done." in text
    notice = _db.session.scalar(select(Notification).order_by(Notification.id.desc()))
    opened = client.post(f"/notifications/{notice.id}/open")
    assert opened.headers.get("Location", "").endswith(url) or url in page(opened)


def test_unfollowing_stops_the_notices_and_anonymous_people_sign_in_first(client, login_as, db):
    action, follower, official = _scene(login_as, client)
    login_as(user=follower)
    client.post("/cities/suceava/contract/follow", data={"follow": "0"})
    client.post("/cities/suceava/contract/follow", data={"follow": "0"})  # harmless twice
    assert cf.count(Follower, Follower.user_id == follower.id) == 0
    login_as(user=official)
    client.post(f"/cities/suceava/contract/actions/{action.id}/updates",
                data={"on_date": "2026-06-01", "body": "Gata."})
    assert cf.count(Notification) == 0
    anonymous = client.application.test_client()
    assert redirects_to_login(anonymous.post("/cities/suceava/contract/follow"))
