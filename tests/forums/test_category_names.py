"""Category names in the reader's language wherever they are shown: the notice of a new
thread, the public log of moves and category changes, the move form, the categories' list."""

from __future__ import annotations

import pytest

from tests.support import forum_factories as ff
from tests.support.forums import notifications, page, thread_form

NAMES = {"en": ("Energy", "Buildings"), "ro": ("Energie", "Clădiri")}


@pytest.mark.parametrize("language", ["en", "ro"])
def test_a_new_threads_notice_names_the_category_in_the_readers_language(
    client, db, login_as, language
):
    follower = login_as("citizen", locale=language)
    client.post("/forums/c/energie/follow")
    login_as("citizen")
    client.post("/forums/c/energie/new", data=thread_form(title="Comunități de energie"))

    [notice] = notifications(db, follower, "forum_new_thread")
    login_as(user=follower)
    html = page(client.get("/notifications"))
    said = {"en": "“Comunități de energie” in Energy.",
            "ro": "„Comunități de energie” în Energie."}
    assert said[language] in html
    assert notice.payload["category_en"] == "Energy"


@pytest.mark.parametrize("language", ["en", "ro"])
def test_the_log_and_the_move_form_name_categories_in_the_readers_language(
    client, db, login_as, language
):
    thread = ff.thread(category_slug="energie", title="Fir mutat")
    db.session.commit()
    login_as("moderator", locale=language)
    energy, buildings = NAMES[language]

    form = page(client.get(f"/forums/t/{thread.id}/move"))
    assert f">{buildings}</option>" in form
    client.post(f"/forums/t/{thread.id}/move",
                data={"category_id": ff.category("cladiri").id, "reason": ""})

    log = page(client.get("/activity"))
    assert f"{energy}" in log and f"{buildings}" in log
    other = NAMES["ro" if language == "en" else "en"]
    assert f" {other[0]} " not in log.split("Fir mutat", 1)[1][:200]


def test_the_categories_list_and_its_log_are_in_english_for_english_readers(
    client, db, login_as
):
    login_as("admin", locale="en")
    html = page(client.get("/forums/categories"))
    assert "<td>Energy</td>" in html and "<td>Energie</td>" not in html
    category = ff.category("cladiri")
    data = {"name": "Clădiri eficiente", "name_en": "Efficient buildings",
            "description": category.description, "description_en": category.description_en,
            "sector": "buildings", "city_id": 0, "position": category.position}
    assert client.post(f"/forums/categories/{category.id}/edit", data=data).status_code == 303
    log = page(client.get("/activity"))
    assert "changed the forum category Efficient buildings" in log
    assert "Clădiri eficiente" not in log
