"""The db fixture's promise: a view's commit inside a test never outlives the test."""

from sqlalchemy import func, select

from m100hub.accounts.models import User
from tests.support import factories


def test_first_test_commits_a_person(db):
    factories.user(email="leak-check@example.ro")
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(User.email == "leak-check@example.ro"))


def test_second_test_does_not_see_it(db):
    assert not db.session.scalar(select(func.count()).where(User.email == "leak-check@example.ro"))
