"""SQL queries per list page must not grow with the data (no N+1), and stay few.

Each page is measured at two data sizes: a few rows, then enough rows to fill more than one
page (PER_PAGE is 30). Data is committed and the session emptied before each measure, so
nothing is served from the identity map that a real request would have to load.
"""

from __future__ import annotations

import functools
import itertools

import pytest

from m100hub.accounts.models import Sector
from m100hub.activity.services import log
from m100hub.cities.models import City, MissionStatus
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from m100hub.organisations.models import MembershipRole, Organisation, OrgKind, Status
from tests.support import factories
from tests.support.query_counts import LARGE, PER_PAGE, SIGNED_IN, SMALL, assert_flat

_names = itertools.count(1)





# --- builders: each adds ``n`` rows of what the page lists ------------------------------


def add_cities(n: int) -> None:
    statuses = list(MissionStatus)
    for _ in range(n):
        i = next(_names)
        _db.session.add(City(name=f"Oraș {i}", slug=f"oras-{i}", county="Județ",
                             population=1000 + i, mission_status=statuses[i % 3],
                             summary="", summary_html=""))
    _db.session.flush()


def add_organisations(n: int) -> None:
    cities = [None, "suceava", "cluj-napoca", "bucuresti-sector-2"]
    for _ in range(n):
        i = next(_names)
        factories.organisation(f"Organizație {i}", kind=list(OrgKind)[i % 5],
                               city_slug=cities[i % 4])


def add_activity(n: int) -> None:
    org = factories.organisation("Eco Suceava")
    for _ in range(n):
        actor = factories.user()
        log(actor, "membership_rejected", org, reason="Motiv", person="Cineva", role="member")


def add_notifications(user_id: int, n: int) -> None:
    for _ in range(n):
        actor = factories.user()
        _db.session.add(Notification(
            recipient_id=user_id, kind="membership_verified", actor_id=actor.id,
            payload={"org": "Eco", "slug": "eco", "reason": ""}, created_dt=utcnow(),
        ))
    _db.session.flush()


def add_people(n: int) -> None:
    cities = [None, "suceava", "cluj-napoca"]
    for _ in range(n):
        i = next(_names)
        slug = cities[i % 3]
        factories.user(home_city_id=factories.city(slug).id if slug else None,
                       sector=list(Sector)[i % 4], is_moderator=i % 2 == 0)


def add_pending_requests(n: int, org_id: int | None = None) -> None:
    """Pending requests of different people: to a new organisation (its founder) or to a
    verified one; or, with ``org_id``, all to that organisation."""
    for _ in range(n):
        i = next(_names)
        role = MembershipRole.MEMBER
        if org_id is not None:
            org = _db.session.get(Organisation, org_id)
        elif i % 2:
            org = factories.organisation(status=Status.PENDING, city_slug="suceava")
            role = MembershipRole.MANAGER
        else:
            org = factories.organisation(city_slug=None)
        person = factories.user(home_city_id=factories.city("suceava").id)
        factories.membership(person, org, role, Status.PENDING)


def add_members(org_id: int, n: int) -> None:
    org = _db.session.get(Organisation, org_id)
    for _ in range(n):
        factories.membership(factories.user(), org)


# --- the pages -------------------------------------------------------------------------



@pytest.mark.parametrize("viewer", ["anonymous", "citizen"])
@pytest.mark.parametrize(("url", "grow", "marker", "paginated", "bound"), [
    ("/cities", add_cities, "Oraș ", False, 2),  # the cities, the contracts (none here)
    ("/organisations", add_organisations, "Organizație ", True, 2),
    ("/activity", add_activity, "Reason: Motiv", True, 2),
])
def test_public_list_pages(measure, login_as, client, viewer, url, grow, marker, paginated,
                           bound):
    client.set_cookie("lang", "en")
    if viewer != "anonymous":
        login_as(viewer, locale="en")
        bound += SIGNED_IN
    grow(SMALL)
    small = measure(url, marker, SMALL)
    grow(LARGE - SMALL)
    large = measure(url, marker, PER_PAGE if paginated else LARGE)
    assert_flat(small, large, bound)


@pytest.mark.parametrize(("role", "url", "grow", "marker", "large_shows", "bound"), [
    ("citizen", "/notifications", None, "Your membership of Eco has been verified.", PER_PAGE,
     SIGNED_IN + 2),  # grows the person's own notifications
    ("admin", "/admin/people", add_people, '<td><a href="/u/', PER_PAGE, SIGNED_IN + 2),
    ("admin", "/admin/verification", add_pending_requests, 'class="decide-form"', PER_PAGE,
     SIGNED_IN + 2),
    ("admin", "/admin/cities", add_cities, "Oraș ", LARGE, SIGNED_IN + 1),
])
def test_signed_in_list_pages(measure, login_as, role, url, grow, marker, large_shows, bound):
    person = login_as(role, locale="en")
    if grow is None:
        grow = functools.partial(add_notifications, person.id)
    grow(SMALL)
    small = measure(url, marker, SMALL)
    grow(LARGE - SMALL)
    large = measure(url, marker, large_shows)
    assert_flat(small, large, bound)


def test_organisation_members_anonymous(measure):
    org = factories.organisation("Eco Suceava")
    org_id, url = org.id, f"/organisations/{org.slug}"
    add_members(org_id, SMALL)
    small = measure(url, '<li><a href="/u/', SMALL)
    add_members(org_id, LARGE - SMALL)
    large = measure(url, '<li><a href="/u/', LARGE)
    assert_flat(small, large, 2)


@pytest.mark.parametrize(("viewer", "bound", "sees_requests"), [
    ("admin", SIGNED_IN + 5, True),    # organisation, own membership, requests (2), members
    ("manager", SIGNED_IN + 6, True),  # … and the "is a verified manager" check
    ("member", SIGNED_IN + 4, False),  # organisation, own membership, manager check, members
])
def test_organisation_members_and_requests_signed_in(measure, login_as, viewer, bound,
                                                     sees_requests):
    org = factories.organisation("Eco Suceava")
    org_id, url = org.id, f"/organisations/{org.slug}"
    if viewer == "admin":
        login_as("admin")
    else:
        person = factories.user()
        role = MembershipRole.MANAGER if viewer == "manager" else MembershipRole.MEMBER
        factories.membership(person, org, role)
        login_as(user=person)
    marker = 'class="decide-form"' if sees_requests else '<li><a href="/u/'
    add_members(org_id, SMALL)
    add_pending_requests(SMALL, org_id)
    small = measure(url, marker, SMALL)
    add_members(org_id, LARGE - SMALL)
    add_pending_requests(LARGE - SMALL, org_id)
    large = measure(url, marker, LARGE)
    assert_flat(small, large, bound)
