"""Password-reset requests (and sign-up notices) are rows until a task answers them: a task
lost with Redis down leaves its request to the sweep, a task run twice mails once, and the
request does the same work whether an account has the address or not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from m100hub.accounts import services
from m100hub.accounts.models import AddressRequest
from m100hub.database import utcnow
from m100hub.mail import OutboxMail
from tests.support.accounts import committed_user, fresh_scalar, signup_data


def requests_left() -> int:
    return fresh_scalar(select(func.count()).select_from(AddressRequest))


def outbox_to(address: str) -> list[OutboxMail]:
    services.db.session.expire_all()
    return list(services.db.session.scalars(
        select(OutboxMail).where(OutboxMail.to_address == address)))


def lose_the_tasks(monkeypatch) -> None:
    """Redis is down: the task queued at the commit never arrives."""
    monkeypatch.setattr(services, "enqueue", lambda task, *args: None)


def age_requests(db, app) -> None:
    """The sweep's grace (MAIL_SWEEP_SECONDS, left to each request's own task) is over."""
    db.session.execute(update(AddressRequest).values(
        created_dt=utcnow() - timedelta(seconds=app.config["MAIL_SWEEP_SECONDS"] + 1)))
    db.session.commit()


def test_a_reset_asked_while_its_task_is_lost_is_mailed_by_the_sweep(app, en, db,
                                                                      monkeypatch):
    committed_user(db, email="radu@example.ro", locale="en")
    lose_the_tasks(monkeypatch)
    for address in ("Radu@Example.ro", "nimeni@example.ro"):
        assert en.post("/password/forgot", data={"email": address}).status_code == 200
    assert requests_left() == 2 and outbox_to("radu@example.ro") == []
    assert services.sweep_address_requests.run() == 0  # still left to their own tasks
    age_requests(db, app)
    assert services.sweep_address_requests.run() == 2
    [reset] = outbox_to("radu@example.ro")
    assert reset.subject == "Reset your M100 Hub password"
    assert "/password/reset/" in reset.message["text"]
    assert outbox_to("nimeni@example.ro") == []  # no account: no e-mail, nothing kept
    assert requests_left() == 0
    assert services.sweep_address_requests.run() == 0
    assert len(outbox_to("radu@example.ro")) == 1


def test_a_request_answered_twice_is_mailed_once(app, en, db, monkeypatch):
    committed_user(db, email="radu@example.ro", locale="en")
    lose_the_tasks(monkeypatch)
    en.post("/password/forgot", data={"email": "radu@example.ro"})
    request_id = fresh_scalar(select(AddressRequest.id))
    # the task delivered twice (late acknowledgement), and the sweep after it
    assert services.answer_address_requests.run([request_id]) == 1
    assert services.answer_address_requests.run([request_id]) == 0
    age_requests(db, app)
    assert services.sweep_address_requests.run() == 0
    assert len(outbox_to("radu@example.ro")) == 1


def test_a_double_submitted_reset_request_is_two_requests_each_answered_once(en, db,
                                                                               monkeypatch):
    """Two presses send two links (both valid until the password changes), never more."""
    committed_user(db, email="radu@example.ro", locale="en")
    for _press in range(2):
        en.post("/password/forgot", data={"email": "radu@example.ro"})
    assert requests_left() == 0 and len(outbox_to("radu@example.ro")) == 2


def test_a_malformed_address_writes_no_request(en, db):
    response = en.post("/password/forgot", data={"email": "x" * 250 + "@example.ro"})
    assert response.status_code == 200 and 'id="email-error"' in response.get_data(as_text=True)
    assert requests_left() == 0


def test_a_signup_with_a_taken_address_keeps_its_notice_through_a_lost_task(app, en, db,
                                                                            monkeypatch):
    owner = committed_user(db, email="ana@example.ro", locale="en")
    db.session.execute(update(type(owner)).values(created_dt=utcnow() - timedelta(days=1)))
    db.session.commit()
    lose_the_tasks(monkeypatch)
    assert en.post("/signup", data=signup_data(email="ana@example.ro")).status_code == 200
    assert requests_left() == 1 and outbox_to("ana@example.ro") == []
    age_requests(db, app)
    assert services.sweep_address_requests.run() == 1
    [notice] = outbox_to("ana@example.ro")
    assert notice.subject == "Someone tried to sign up with your address on M100 Hub"
