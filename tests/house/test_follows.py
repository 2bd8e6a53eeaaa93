"""The one way to follow (m100hub/follows.py), for each of its five kinds: a forum thread, a
forum category, a consultation, a city's climate contract, one of its actions. Following
twice keeps one row, unfollowing what one does not follow is harmless, a form sent twice
with its one-time key is answered as the first time; unknown things, visitors, unconfirmed
people and GETs write nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from m100hub.consultations.models import FOLLOWS as CONSULTATION
from m100hub.contracts.models import ACTION_FOLLOWS as CONTRACT_ACTION
from m100hub.contracts.models import FOLLOWS as CONTRACT
from m100hub.extensions import db as _db
from m100hub.follows import Follows
from m100hub.forums.models import CATEGORY_FOLLOWS, THREAD_FOLLOWS
from tests.support import consultation_factories as cf
from tests.support import contracts as contract_factories
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.consultations import redirects_to_login
from tests.support.submissions import key_on, send


@dataclass(frozen=True)
class Kind:
    """A kind of follow: its declaration; ``make()`` a followed thing → (its id, the value
    its address takes); a value that names nothing; the address its follow views hang under
    (``{}``: the value)."""

    follows: Follows
    make: Callable[[], tuple[int, object]]
    unknown: object
    base: str

    def path(self, value: object) -> str:
        return self.base.format(value)


def _thread():
    thread = ff.thread()
    return thread.id, thread.id


def _category():
    category = ff.category("energie")
    return category.id, category.slug


def _consultation():
    item = cf.consultation("open")
    return item.id, item.id


def _contract():
    contract_factories.contract()
    city = factories.city("suceava")
    return city.id, city.slug


def _contract_action():
    action = contract_factories.action(contract_factories.contract())
    return action.id, action.id


KINDS = {
    "thread": Kind(THREAD_FOLLOWS, _thread, 999_999, "/forums/t/{}"),
    "category": Kind(CATEGORY_FOLLOWS, _category, "nu-exista", "/forums/c/{}"),
    "consultation": Kind(CONSULTATION, _consultation, 999_999, "/consultations/{}"),
    "contract": Kind(CONTRACT, _contract, "nu-exista", "/cities/{}/contract"),
    "contract_action": Kind(CONTRACT_ACTION, _contract_action, 999_999,
                            "/cities/suceava/contract/actions/{}"),
}


@pytest.fixture(params=list(KINDS))
def kind(request) -> Kind:
    return KINDS[request.param]


def _rows(kind: Kind, user_id: int | None = None) -> int:
    query = select(func.count()).select_from(kind.follows.model)
    if user_id is not None:
        query = query.where(kind.follows.model.user_id == user_id)
    return _db.session.scalar(query)


# --- the helper ---------------------------------------------------------------------------


def test_following_twice_keeps_one_row_and_says_which_call_wrote_it(db, kind):
    person = factories.user()
    target_id, _value = kind.make()
    before = _rows(kind)
    assert kind.follows.follow(person.id, target_id) is True
    assert kind.follows.follow(person.id, target_id) is False
    assert _rows(kind) == before + 1
    assert kind.follows.is_following(person, target_id)
    assert person.id in set(_db.session.scalars(kind.follows.people(target_id)))


def test_unfollowing_what_one_does_not_follow_changes_nothing(db, kind):
    person, other = factories.user(), factories.user()
    target_id, _value = kind.make()
    kind.follows.follow(other.id, target_id)
    before = _rows(kind)
    assert kind.follows.unfollow(person.id, target_id) is False
    assert _rows(kind) == before
    assert kind.follows.set(person.id, target_id, True) is True
    assert kind.follows.set(person.id, target_id, False) is True
    assert kind.follows.set(person.id, target_id, False) is False
    assert not kind.follows.is_following(person, target_id)
    assert kind.follows.is_following(other, target_id)  # another's follow stays


def test_a_visitor_without_an_account_follows_nothing(app, db, kind):
    target_id, _value = kind.make()
    with app.test_request_context():
        from flask_login import current_user

        assert kind.follows.is_following(current_user, target_id) is False


# --- the views ----------------------------------------------------------------------------


def test_follow_and_unfollow_over_http_twice_each(client, db, login_as, kind):
    target_id, value = kind.make()
    person = login_as("citizen", locale="en")
    path = kind.path(value)
    for _ in range(2):
        answer = client.post(f"{path}/follow")
        assert answer.status_code == 303 and answer.location.endswith(path)
    assert _rows(kind, person.id) == 1
    for _ in range(2):  # the second finds nothing to remove: still a plain answer
        assert client.post(f"{path}/unfollow").status_code == 303
    assert _rows(kind, person.id) == 0
    assert client.post(f"{path}/follow", data={"follow": "0"}).status_code == 303
    assert _rows(kind, person.id) == 0  # the contract page's old form unfollows too


def test_a_follow_form_sent_twice_is_answered_as_the_first(client, db, login_as, kind):
    target_id, value = kind.make()
    person = login_as("citizen", locale="en")
    path = kind.path(value)
    data = {"submission_key": key_on(client, path)}
    first, second = send(client, f"{path}/follow", data), send(client, f"{path}/follow", data)
    assert first == second and first.status == 303
    assert _rows(kind, person.id) == 1
    # stopped in another tab meanwhile: the first form sent again is answered, not run again
    assert send(client, f"{path}/unfollow", {}).status == 303
    assert send(client, f"{path}/follow", data) == first and _rows(kind, person.id) == 0
    # the page now offers the unfollow form, with a key of its own
    data = {"submission_key": key_on(client, path)}
    first, second = send(client, f"{path}/unfollow", data), send(client, f"{path}/unfollow", data)
    assert first == second and _rows(kind, person.id) == 0


def test_what_may_not_follow_writes_nothing(client, db, login_as, kind):
    _target_id, value = kind.make()
    path = kind.path(value)
    before = _rows(kind)
    assert redirects_to_login(client.post(f"{path}/follow"))
    login_as("citizen")
    assert client.post(f"{kind.path(kind.unknown)}/follow").status_code == 404
    assert client.post(f"{kind.path(kind.unknown)}/unfollow").status_code == 404
    assert client.get(f"{path}/follow").status_code == 405
    login_as("unconfirmed")
    assert client.post(f"{path}/follow").status_code == 403
    assert _rows(kind) == before
