"""The preferences page (/notifications/preferences): each kind's delivery, saved for the
signed-in person only; bad values change nothing; a second identical submission is harmless."""

from __future__ import annotations

from sqlalchemy import func, select

from m100hub.notifications.kinds import KINDS
from m100hub.notifications.models import DigestSchedule, NotificationPreference
from m100hub.notifications.services import notify
from tests.support import factories


def saved(db, person) -> dict[str, str]:
    db.session.expire_all()
    return {p.kind: p.delivery for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == person.id))}


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for method in ("GET", "POST"):
        response = client.open("/notifications/preferences", method=method,
                               data={"forum_reply": "off"})
        assert response.status_code in (302, 303) and "/login" in response.location
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_the_page_shows_every_kind_with_its_default(client, db, login_as):
    login_as("citizen", locale="en")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert page.count("<select ") == len(KINDS) + 2  # and the digests' hour and day
    assert '<label for="pref-forum_reply">Replies in threads you follow</label>' in page
    assert '<option value="daily" selected>Daily digest</option>' in page
    assert '<option value="immediate" selected>E-mail at once</option>' in page  # event changes
    assert "08:00 (Europe/Bucharest)" in page
    assert '<option value="8" selected>08:00</option>' in page
    assert '<option value="0" selected>Monday</option>' in page  # DIGEST_WEEKDAY


def schedule(db, person) -> tuple[int, int] | None:
    db.session.expire_all()
    row = db.session.get(DigestSchedule, person.id)
    return (row.hour, row.weekday) if row is not None else None


def test_the_digest_hour_and_day_are_saved_once(client, db, login_as):
    person = login_as("citizen", locale="en")
    for _ in range(2):  # a double submission ends as one row
        response = client.post("/notifications/preferences",
                               data={"digest_hour": "19", "digest_weekday": "4"})
        assert response.status_code == 303
    assert schedule(db, person) == (19, 4)
    assert db.session.scalar(select(func.count()).select_from(DigestSchedule)) == 1
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Your digests go out at 19:00 (Europe/Bucharest); the weekly one on Friday." in page
    assert '<option value="19" selected>19:00</option>' in page
    assert '<option value="4" selected>Friday</option>' in page
    # the kinds' choices sent alone leave the schedule as it is
    client.post("/notifications/preferences", data={"forum_reply": "weekly"})
    assert schedule(db, person) == (19, 4)
    # back to the hub's own hour and day: no row, the hub's setting rules again
    client.post("/notifications/preferences", data={"digest_hour": "8", "digest_weekday": "0"})
    assert schedule(db, person) is None


def test_a_bad_hour_or_day_is_explained_and_nothing_is_saved(client, db, login_as):
    person = login_as("citizen", locale="ro")
    for hour, day in (("24", "0"), ("-1", "0"), ("8", "7"), ("opt", "0"), ("8", ""),
                      ("8" * 5000, "1"), ("8.5", "1")):
        response = client.post("/notifications/preferences", data={
            "forum_reply": "off", "digest_hour": hour, "digest_weekday": day})
        assert response.status_code == 400, (hour, day)
        page = response.get_data(as_text=True)
        assert "Alege o oră din zi și o zi a săptămânii din liste." in page
        assert "Nu s-a salvat nimic." in page
    assert schedule(db, person) is None and saved(db, person) == {}


def test_choices_are_saved_and_rule_new_and_waiting_notifications(client, db, login_as):
    person = login_as("citizen", locale="en")
    notify([person], "forum_reply", payload={"person": "X", "thread": "T", "post_id": 1})
    db.session.commit()
    data = {"forum_reply": "weekly", "event_message": "off"}
    for _ in range(2):  # a double submission ends as one
        response = client.post("/notifications/preferences", data=data)
        assert response.status_code == 303
    assert saved(db, person) == {"forum_reply": "weekly", "event_message": "off"}
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Your notification preferences are saved." in page
    assert '<option value="weekly" selected>Weekly digest</option>' in page
    from m100hub.notifications.models import Notification
    [waiting] = db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id))
    assert waiting.delivery == "weekly"  # the one not yet e-mailed follows the choice


def test_bad_values_change_nothing(client, db, login_as):
    person = login_as("citizen")
    for data in ({"forum_reply": "hourly"}, {"forum_reply": ""},
                 {"forum_reply": "off", "event_message": "x" * 5000}):
        assert client.post("/notifications/preferences", data=data).status_code == 400
    # unknown kinds are ignored: nothing but the registered kinds is ever stored
    assert client.post("/notifications/preferences",
                       data={"no_such_kind": "off"}).status_code == 303
    assert saved(db, person) == {}


def test_one_persons_choice_is_theirs_alone(client, db, login_as):
    other = factories.user()
    login_as("citizen")
    client.post("/notifications/preferences", data={"forum_reply": "off"})
    assert saved(db, other) == {}


def test_every_kind_of_every_feature_names_itself_for_the_preferences_page(app):
    """A kind without a label would show its code name ("funding_deadline") to people: each
    feature's kinds.py gives every kind a label and a default delivery."""
    unnamed = sorted(name for name, kind in KINDS.items() if not kind.label)
    assert unnamed == []


def test_no_two_kinds_share_a_label(app):
    """Two rows of the preferences page with one name could not be told apart."""
    labels = [str(kind.label) for kind in KINDS.values() if kind.label]
    assert sorted({label for label in labels if labels.count(label) > 1}) == []


def test_the_digest_schedule_is_in_the_data_download_and_erased_with_the_account(db):
    from m100hub.notifications.personal_data import PERSONAL_DATA
    from m100hub.notifications.preferences import choose_schedule

    person = factories.user()
    choose_schedule(person.id, 19, 4)
    records = {r.key: r for r in PERSONAL_DATA.export(person)}
    assert records["digest_schedule"].rows == [{"hour": 19, "weekday": 4}]
    PERSONAL_DATA.erase(person)
    assert schedule(db, person) is None
