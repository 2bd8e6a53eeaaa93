"""The admins' page of undelivered e-mail (/admin/mail): who may see it, what it shows, and
its query count at two sizes."""

from __future__ import annotations

import pytest

from m100hub.database import utcnow
from m100hub.mail import OutboxMail
from tests.support.outbox import add_bounces
from tests.support.query_counts import LARGE, PER_PAGE, SIGNED_IN, SMALL, assert_flat


def add_failed(db, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        db.session.add(OutboxMail(
            to_address=f"gone{i}@example.ro", subject=f"Subiect {i}",
            message={"text": "t", "html": "h"}, failed_dt=utcnow(),
            last_error="SMTPRecipientsRefused: 550 5.1.1 No such user"))
    db.session.commit()


@pytest.mark.parametrize("role", ["citizen", "moderator", "official", "unconfirmed"])
def test_only_admins_see_the_page(client, db, login_as, role):
    add_failed(db, 1)
    login_as(role)
    response = client.get("/admin/mail")
    assert response.status_code == 403
    assert "gone0@example.ro" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/admin/mail")
    assert response.status_code == 302 and "/login" in response.location


def test_the_page_lists_refusals_and_counts_the_waiting(client, db, login_as):
    login_as("admin", locale="en")
    add_failed(db, 2)
    db.session.add(OutboxMail(to_address="later@example.ro", subject="Încă nu",
                              message={"text": "t", "html": "h"}, attempts=3))
    db.session.add(OutboxMail(to_address="sent@example.ro", subject="Trimis",
                              message={"text": "t", "html": "h"}, sent_dt=utcnow()))
    db.session.commit()
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "gone0@example.ro" in page and "gone1@example.ro" in page
    assert "550 5.1.1 No such user" in page
    assert "1 message is waiting to be sent" in page
    assert "later@example.ro" not in page and "sent@example.ro" not in page
    assert 'href="/admin/mail" aria-current="page"' in page


def test_an_empty_page_says_all_was_delivered(client, db, login_as):
    login_as("admin", locale="ro")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Toate mesajele au fost livrate." in page


def test_query_count_does_not_grow(db, measure, login_as):
    """Both lists of the page: the refused messages and the bouncing addresses."""
    login_as("admin")
    add_failed(db, SMALL)
    add_bounces(db, SMALL)
    small = measure("/admin/mail", '<td class="mail-error">', 2 * SMALL)
    add_failed(db, LARGE - SMALL, start=SMALL)
    add_bounces(db, LARGE - SMALL, start=SMALL)
    large = measure("/admin/mail", '<td class="mail-error">', 2 * PER_PAGE)
    assert_flat(small, large, SIGNED_IN + 5)  # each list: a count and a page; the waiting
