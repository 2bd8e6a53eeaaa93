"""End to end on a running hub: a real Celery worker delivers e-mail over SMTP, and
Socket.IO notifications cross two web processes through the Redis message queue."""

from __future__ import annotations

import uuid

import pytest
import socketio
from sqlalchemy import create_engine, text

from tests.support.factories import PASSWORD
from tests.support.live import (
    connect_socket,
    csrf_token,
    first_link,
    new_session,
    sign_in,
    sign_up,
)


def user_id(live, email: str) -> int:
    engine = create_engine(live.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT id FROM users WHERE email = :e"), {"e": email}
            ).scalar()
    finally:
        engine.dispose()


@pytest.mark.slow
def test_confirmation_mail_goes_through_the_worker_and_smtp(live):
    email = f"ana-{uuid.uuid4().hex[:6]}@example.ro"
    session = sign_up(live, email)
    message = live.mail.wait_for(email)
    assert message["Subject"] == "Confirm your e-mail address for M100 Hub"
    link = first_link(message)
    assert link.startswith(live.url + "/confirm/")
    page = session.get(link)
    confirmed = session.post(link, data={"csrf_token": csrf_token(page.text)})
    assert confirmed.status_code == 200
    assert "your e-mail address is confirmed" in confirmed.text  # in the language chosen
    assert message.get_body(preferencelist=("html",)) is not None


@pytest.mark.slow
def test_notification_reaches_a_page_served_by_another_process(live):
    second = live.add_web_process() if len(live.web_urls) < 2 else live.web_urls[1]
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.ro"
    live.flask("m100", "create-admin", admin_email, "--password", PASSWORD)
    person_email = f"maria-{uuid.uuid4().hex[:6]}@example.ro"
    sign_up(live, person_email, "Maria Live")
    person = new_session()
    sign_in(person, second, person_email, PASSWORD)

    client, received = connect_socket(second, person)
    try:
        admin = new_session()
        sign_in(admin, live.url, admin_email, PASSWORD)
        accept = admin.get(f"{live.url}/terms/accept")  # made on the command line: not yet
        admin.post(f"{live.url}/terms/accept",
                   data={"csrf_token": csrf_token(accept.text), "accept": "y"})
        people = admin.get(f"{live.url}/admin/people", params={"q": person_email})
        response = admin.post(
            f"{live.url}/admin/people/{user_id(live, person_email)}/roles",
            data={"csrf_token": csrf_token(people.text), "role": "moderator", "grant": "1"},
        )
        assert response.status_code == 200
        assert received.wait(15), "the notification did not cross to the other process"
    finally:
        client.disconnect()
    badge = person.get(f"{second}/notifications").text
    assert "moderator" in badge


@pytest.mark.slow
def test_socket_refuses_anonymous_and_foreign_origins(live):
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect_socket(live.url, None)
    email = f"ion-{uuid.uuid4().hex[:6]}@example.ro"
    sign_up(live, email, "Ion Live")
    person = new_session()
    sign_in(person, live.url, email, PASSWORD)
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect_socket(live.url, person, origin="https://evil.example")
    client, _ = connect_socket(live.url, person)
    assert client.connected
    client.disconnect()


@pytest.mark.slow
def test_a_demo_person_signs_in_with_the_printed_password(live):
    assert set(live.demo_passwords) >= {"admin@m100.demo", "cetatean@m100.demo"}
    session = new_session()
    sign_in(session, live.url, "cetatean@m100.demo", live.demo_passwords["cetatean@m100.demo"])
    profile = session.get(f"{live.url}/account")
    assert "Maria Popescu" in profile.text


@pytest.mark.slow
def test_password_reset_link_is_written_by_the_worker(live):
    email = f"uitat-{uuid.uuid4().hex[:6]}@example.ro"
    sign_up(live, email, "Uitat Live")
    live.mail.wait_for(email)  # the confirmation
    session = new_session()
    page = session.get(f"{live.url}/password/forgot")
    session.post(f"{live.url}/password/forgot",
                 data={"csrf_token": csrf_token(page.text), "email": email.upper()})
    message = live.mail.wait_for(email)
    assert message["Subject"] == "Reset your M100 Hub password"  # in the person's language
    assert first_link(message).startswith(live.url + "/password/reset/")
