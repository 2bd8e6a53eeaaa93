"""SQL queries of the experts' directory, the requests list and the search page do not grow
with the data: measured at two sizes. Run with ``-s`` to see the figures."""

from __future__ import annotations

import pytest

from m100hub.experts import services
from m100hub.extensions import db as _db
from tests.support import experts as ef
from tests.support import factories

#: upper bounds (what was measured, no slack to grow into)
BOUNDS = {"directory": 3, "requests": 2, "search": 4}


def _experts(n: int) -> None:
    people = [factories.user(name=f"Expert {i}") for i in range(n)]
    for i, person in enumerate(people):
        ef.profile(person, headline=f"Clădiri eficiente {i}",
                   city_slugs=("suceava",) if i % 2 else ())


def _requests(n: int) -> None:
    author = factories.official("suceava")
    for i in range(n):
        item = ef.expertise_request(author=author, title=f"Cerere clădiri {i}")
        if i % 3 == 0:
            expert = factories.user()
            ef.profile(expert)
            services.answer(expert, item.id, "Pot ajuta.")


def _assert_flat(name, small, large, sizes):
    print(f"\n[queries] {name}: {small.count} at {sizes[0]}, {large.count} at {sizes[1]}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[name], repr(large)


@pytest.mark.parametrize("url", ["/experts", "/experts?sector=buildings&language=ro&city=suceava"
                                 "&topic=eficienta+energetica"])
def test_the_directory(measure, db, url):
    _experts(3)
    small = measure(url, 'class="tag-list"', 1)
    _experts(20)
    large = measure(url, 'class="tag-list"', 20)
    _assert_flat("directory", small, large, (3, 23))


def test_the_requests_list(measure, db):
    _requests(3)
    small = measure("/experts/requests", "Cerere clădiri", 3)
    _requests(17)
    large = measure("/experts/requests", "Cerere clădiri", 20)
    _assert_flat("requests", small, large, (3, 20))


def test_the_search_page(measure, db):
    _experts(3)
    _requests(3)
    small = measure("/search?q=cladiri", "<mark>", 6)
    _experts(20)
    _requests(20)
    large = measure("/search?q=cladiri", "<mark>", 30)
    _assert_flat("search", small, large, (6, 46))


def test_the_signed_in_search_page(measure, login_as, db):
    login_as(user=factories.official("suceava"))
    _requests(3)
    small = measure("/search?q=cladiri&city=suceava", "<mark>", 3)
    _requests(25)
    large = measure("/search?q=cladiri&city=suceava", "<mark>", 28)
    assert large.count == small.count
    _db.session.commit()
