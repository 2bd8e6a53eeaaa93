"""A new city sent twice with its form's key is one city (and one forum category)."""

from __future__ import annotations

from m100hub.cities.models import City
from m100hub.forums.models import Category
from tests.support.forum_factories import count
from tests.support.submissions import key_on, send


def test_a_new_city_sent_twice_is_one_city(client, db, login_as):
    login_as("admin", locale="en")
    cities, categories = count(City), count(Category)
    data = {"name": "Alba Iulia", "county": "Alba", "population": "74000",
            "mission_status": "m100_mirror", "summary": "",
            "submission_key": key_on(client, "/admin/cities/new")}
    first, second = (send(client, "/admin/cities/new", data) for _ in range(2))
    assert first.status == 303 and first == second
    assert first.flashes == ("The city Alba Iulia is saved.",)
    assert (count(City), count(Category)) == (cities + 1, categories + 1)
