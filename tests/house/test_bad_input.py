"""Bad input that gave 500s (issue 12 #13) is a clear 400 or a message, with nothing written."""

from __future__ import annotations

import io

import pytest

from m100hub.consultations.models import Consultation
from m100hub.events.models import Event
from m100hub.forums.models import Thread
from tests.support import factories
from tests.support.consultations import consultation_form
from tests.support.events import event_form

HUGE = "9" * 30


@pytest.mark.parametrize("path", ["/login", "/signup", "/password/forgot"])
def test_a_file_sent_for_a_text_field_is_a_bad_request(client, db, path):
    response = client.post(path, data={"email": (io.BytesIO(b"x"), "a.txt"), "password": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_huge_linked_id_on_a_new_thread_writes_nothing(client, db, login_as):
    login_as("citizen")
    before = db.session.query(Thread).count()
    for field in ("consultation_id", "event_id"):
        response = client.post("/forums/c/general/new", data={
            "title": "Un subiect bun", "body": "Un text suficient de lung.", field: HUGE})
        assert response.status_code in (200, 400, 404), field
    assert client.get(f"/forums/c/general/new?consultation={HUGE}").status_code == 404
    assert client.get("/forums/t/1?quote=" + HUGE).status_code in (200, 404)
    assert db.session.query(Thread).count() <= before + 2


def test_an_event_title_on_two_lines_is_refused(client, db, login_as):
    login_as("admin")
    before = db.session.query(Event).count()
    response = client.post("/events/new", data={
        "kind": "workshop", "title": "Atelier\r\nBEGIN:VEVENT", "attendance": "in_person",
        "address": "Centrul civic", "starts_at": "2030-01-10T10:00",
        "ends_at": "2030-01-10T12:00"})
    assert response.status_code in (200, 422)
    assert "Scrie pe un singur rând." in response.get_data(as_text=True)  # the admin reads Romanian
    assert db.session.query(Event).count() == before
    factories.user()  # the session is still usable


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "1899-12-31T23:59", "3000-01-01T02:00"])
@pytest.mark.parametrize("path, form, field", [
    ("/events/new", event_form, "starts_at"), ("/events/new", event_form, "ends_at"),
    ("/events/new", event_form, "registration_closes_at"),
    ("/consultations/new", consultation_form, "closes_at"),
])
def test_a_time_out_of_range_is_refused_with_a_message(client, db, login_as, path, form, field,
                                                      moment):
    """Year 1 in Bucharest is before year 1 in UTC: converting it gave a 500 (found by
    tests/house/test_fuzz_forms.py). A time outside 1900–2999 is refused on the form."""
    login_as("admin")
    counts = (db.session.query(Event).count(), db.session.query(Consultation).count())
    response = client.post(path, data=form(**{field: moment}))
    assert response.status_code == 422
    assert "între anii 1900 și 2999" in response.get_data(as_text=True)  # the admin's Romanian
    assert (db.session.query(Event).count(), db.session.query(Consultation).count()) == counts
