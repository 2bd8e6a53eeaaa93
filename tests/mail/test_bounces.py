"""Bounces, against a real SMTP server (aiosmtpd) that refuses a recipient with 550: the
address is marked bouncing, later mail to it is skipped (and the outbox says why), the person
sees it on their account page and confirming the address again clears it; a bounce reported
later comes in by `flask m100 bounce`; the admins see the bouncing addresses."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from m100hub import mail
from m100hub.mail import MailBounce, OutboxMail
from tests.support.accounts import fresh_scalar, reload
from tests.support.outbox import REFUSED, add_bounces, lose_the_delivery, make_due, message, rows


def bounce_of(address: str) -> MailBounce | None:
    mail.db.session.expire_all()
    return mail.db.session.get(MailBounce, address)


def bounce_by_the_server(db, smtp, address: str) -> None:
    """The relay refuses the address for good when a message to it goes out."""
    smtp.refuse[address] = REFUSED
    mail.queue(message(address))
    db.session.commit()
    del smtp.refuse[address]


def test_a_permanent_refusal_of_the_recipient_marks_the_address_bouncing(db, smtp):
    bounce_by_the_server(db, smtp, "gone@example.ro")
    bounce = bounce_of("gone@example.ro")
    assert bounce is not None and "550" in bounce.reason and "No such user" in bounce.reason
    # the server would take it now; nothing more is sent all the same, and the row says why
    skipped = mail.queue(message("gone@example.ro", "Later"))
    mail.queue(message("ana@example.ro"))
    db.session.commit()
    assert smtp.received == {"ana@example.ro": 1}
    row = rows(OutboxMail.id == skipped.id)[0]
    assert row.sent_dt is None and row.failed_dt is not None
    assert row.last_error.startswith("Skipped: the address bounces since")
    make_due([row.id])
    assert mail.sweep.run() == 0 and smtp.received == {"ana@example.ro": 1}


def test_a_temporary_refusal_or_a_refused_message_is_no_bounce(db, smtp):
    smtp.refuse["busy@example.ro"] = "451 4.3.0 Try again later"
    mail.queue(message("busy@example.ro"))
    db.session.commit()
    assert bounce_of("busy@example.ro") is None and rows()[0].failed_dt is None


def test_mail_waiting_when_its_address_bounced_is_skipped_at_delivery(db, smtp, monkeypatch):
    lose_the_delivery(monkeypatch)  # written before the bounce, sent by a worker after it
    waiting = [mail.queue(message(to)).id for to in ("gone@example.ro", "ana@example.ro")]
    db.session.commit()
    mail.record_bounce("gone@example.ro", "SMTPRecipientsRefused: 550")
    db.session.commit()
    assert mail.deliver.run(waiting) == 1
    assert smtp.received == {"ana@example.ro": 1}
    gone = rows(OutboxMail.to_address == "gone@example.ro")[0]
    assert gone.failed_dt is not None and gone.last_error.startswith("Skipped:")


def test_the_person_sees_the_bounce_and_confirming_again_clears_it(client, db, smtp,
                                                                   login_as):
    person = login_as("citizen", locale="en", email="maria@example.ro")
    bounce_by_the_server(db, smtp, "maria@example.ro")
    page = client.get("/account").get_data(as_text=True)
    assert "Our e-mails to you bounce" in page

    # the confirmation link goes out although the address bounces: the person asked for it
    assert client.post("/confirm").status_code == 302
    assert smtp.received == {"maria@example.ro": 1}
    sent = smtp.messages.get_nowait()
    link = re.search(r"http://localhost(/confirm/\S+)", sent.get_body(("plain",)).get_content())
    assert client.get(link.group(1)).status_code == 200
    assert bounce_of("maria@example.ro") is not None  # a GET (a mail scanner) clears nothing
    assert client.post(link.group(1)).status_code == 302
    assert bounce_of("maria@example.ro") is None
    assert "Our e-mails to you bounce" not in client.get("/account").get_data(as_text=True)
    assert reload(person.id).is_confirmed
    assert client.post(link.group(1)).status_code == 302  # pressed again: nothing more
    mail.queue(message("maria@example.ro", "Again"))
    db.session.commit()
    assert smtp.received == {"maria@example.ro": 2}


def test_a_forged_confirmation_link_clears_nothing(client, db, smtp, login_as):
    login_as("citizen", locale="en", email="maria@example.ro")
    mail.record_bounce("maria@example.ro", "550")
    db.session.commit()
    assert client.post("/confirm/not-a-token").status_code == 400
    assert bounce_of("maria@example.ro") is not None


def test_without_a_bounce_a_confirmed_person_gets_no_new_link(client, db, smtp, login_as):
    login_as("citizen", locale="en", email="maria@example.ro")
    client.post("/confirm")
    assert smtp.received == {}


def test_a_reset_link_goes_to_a_bouncing_address_but_a_signup_notice_does_not(client, db,
                                                                            smtp):
    from tests.support.accounts import committed_user, signup_data

    committed_user(db, email="maria@example.ro", locale="en")
    mail.record_bounce("maria@example.ro", "550")
    db.session.commit()
    client.post("/signup", data=signup_data(email="maria@example.ro"))
    assert smtp.received == {}
    [notice] = rows()
    assert notice.last_error.startswith("Skipped:") and "sign up" in notice.subject
    client.post("/password/forgot", data={"email": "maria@example.ro"})
    assert smtp.received == {"maria@example.ro": 1}


def test_a_bounce_reported_later_comes_in_by_the_command(app, db, smtp):
    from tests.support.accounts import committed_user

    committed_user(db, email="maria@example.ro")
    runner = app.test_cli_runner()
    done = runner.invoke(args=["m100", "bounce", "Maria@Example.ro", "--reason", "5.2.2 full"])
    assert done.exit_code == 0 and "its account" in done.output, done.output
    assert bounce_of("maria@example.ro").reason == "5.2.2 full"
    again = runner.invoke(args=["m100", "bounce", "maria@example.ro"])  # reported twice
    assert again.exit_code == 0
    assert fresh_scalar(select(func.count()).select_from(MailBounce)) == 1
    nobody = runner.invoke(args=["m100", "bounce", "nimeni@example.ro"])
    assert nobody.exit_code == 0 and "no account has it" in nobody.output
    mail.queue(message("maria@example.ro"))
    db.session.commit()
    assert smtp.received == {}


def test_the_command_refuses_what_is_no_address(app, db):
    for bad in ("not-an-address", "a b@example.ro", "x" * 320 + "@example.ro"):
        done = app.test_cli_runner().invoke(args=["m100", "bounce", bad])
        assert done.exit_code != 0
    assert fresh_scalar(select(func.count()).select_from(MailBounce)) == 0


def test_admins_see_the_bouncing_addresses(client, db, login_as):
    login_as("admin", locale="en")
    assert "No address bounces." in client.get("/admin/mail").get_data(as_text=True)
    add_bounces(db, 2)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "bounced0@example.ro" in page and "bounced1@example.ro" in page
    assert REFUSED in page


def test_the_bounces_are_paged(client, db, login_as, app):
    login_as("admin", locale="en")
    add_bounces(db, app.config["PER_PAGE"] + 1)
    first = client.get("/admin/mail").get_data(as_text=True)
    second = client.get("/admin/mail?bounces=2").get_data(as_text=True)
    assert first.count("@example.ro</td>") == app.config["PER_PAGE"]
    assert second.count("@example.ro</td>") == 1
    assert "Pages of addresses that bounce" in first
