"""Knowledge items over HTTP: verified organisation members suggest, the secretariat
approves, edits and retires (each in the public activity log); everyone else is refused;
bad input is refused with a message and writes nothing; a PDF is checked and served as a
download; the list filters, and exports as CSV and JSON."""

from __future__ import annotations

import io

import pytest

from m100hub.resources.models import Curation, Resource, ResourceFile
from tests.support import factories
from tests.support import resources as rf
from tests.support.consultations import english, page, redirects_to_login
from tests.support.submissions import key_on


def _upload(data: bytes, name="ghid.pdf"):
    return (io.BytesIO(data), name)


def test_a_member_suggests_the_admin_approves_and_the_log_says_so(client, login_as, db):
    member, ngo = rf.ngo_member()
    login_as(user=member)
    english(client)
    form = rf.resource_form(organisation_id=str(ngo.id), title="Ghid pentru școli verzi")
    response = client.post("/resources/new", data=form)
    assert response.status_code == 303
    item = db.session.scalar(db.select(Resource))
    assert item.status == Curation.PENDING and item.organisation_id == ngo.id
    assert item.search_text.startswith("ghid pentru scoli verzi")
    assert "Ghid pentru școli verzi" not in page(client.application.test_client().get(
        "/resources"))  # not public yet
    assert client.get(f"/resources/{item.id}").status_code == 200  # its author sees it
    assert [e.target_label for e in rf.logged("resource_suggested")] == [item.title]
    login_as("admin", locale="en")
    assert client.post(f"/resources/{item.id}/approve").status_code == 303
    assert rf.logged("resource_approved")[0].target_id == item.id
    anonymous = client.application.test_client()
    assert "Ghid pentru școli verzi" in page(anonymous.get("/resources"))
    assert "<strong>renovării</strong>" in page(anonymous.get(f"/resources/{item.id}"))


@pytest.mark.parametrize("role", ["citizen", "moderator", "unconfirmed"])
def test_people_without_a_verified_organisation_may_not_suggest(client, login_as, db, role):
    login_as(role)
    before = rf.snapshot()
    assert client.post("/resources/new", data=rf.resource_form()).status_code == 403
    assert client.get("/resources/new").status_code == 403
    assert rf.snapshot() == before


def test_a_member_of_a_pending_organisation_may_not_suggest(client, login_as, db):
    person = factories.user()
    factories.membership(person, factories.organisation(status="pending"))
    login_as(user=person)
    assert client.post("/resources/new", data=rf.resource_form()).status_code == 403


def test_anonymous_visitors_sign_in_first(client, db):
    assert redirects_to_login(client.post("/resources/new", data=rf.resource_form()))


@pytest.mark.parametrize("role", ["citizen", "official", "moderator"])
def test_only_admins_approve_edit_and_retire(client, login_as, db, role):
    member, _ngo = rf.ngo_member()
    pending = rf.item(status=Curation.PENDING, author=member)
    published = rf.item(title="Publicat")
    login_as(role)
    before = rf.snapshot()
    assert client.post(f"/resources/{published.id}/retire",
                       data={"reason": "Depășit"}).status_code == 403
    assert client.post(f"/resources/{published.id}/edit",
                       data=rf.resource_form()).status_code == 403
    # a suggestion is none of their business: not even its existence
    assert client.post(f"/resources/{pending.id}/approve").status_code == 404
    assert rf.snapshot() == before


def test_the_author_cannot_approve_their_own_suggestion(client, login_as, db):
    member, _ngo = rf.ngo_member()
    pending = rf.item(status=Curation.PENDING, author=member)
    login_as(user=member)
    assert client.post(f"/resources/{pending.id}/approve").status_code == 403


def test_the_admin_edits_and_retires_with_a_reason(client, login_as, db):
    item = rf.item()
    login_as("admin", locale="en")
    english(client)
    edited = rf.resource_form(title="Ghid revizuit", kind="report", sectors=["energy"])
    assert client.post(f"/resources/{item.id}/edit", data=edited).status_code == 303
    db.session.refresh(item)
    assert item.title == "Ghid revizuit" and item.kind.value == "report"
    refused = client.post(f"/resources/{item.id}/retire", data={"reason": ""})
    assert refused.status_code == 422 and "This field is required." in page(refused)
    assert client.post(f"/resources/{item.id}/retire",
                       data={"reason": "Înlocuit"}).status_code == 303
    assert rf.logged("resource_retired")[0].reason == "Înlocuit"
    assert "Ghid revizuit" not in page(client.application.test_client().get("/resources"))
    assert client.application.test_client().get(f"/resources/{item.id}").status_code == 404
    assert [e.verb for e in rf.logged("resource_edited")] == ["resource_edited"]


def test_an_admin_adds_a_published_item_at_once(client, login_as, db):
    login_as("admin", locale="en")
    assert client.post("/resources/new", data=rf.resource_form()).status_code == 303
    assert db.session.scalar(db.select(Resource.status)) == Curation.PUBLISHED


BAD = [
    ({"url": "javascript:alert(1)"}, "Give a web address starting with http:// or https://."),
    ({"url": "ftp://example.org/x"}, "Give a web address starting with http:// or https://."),
    ({"url": ""}, "Give a web address or upload a PDF."),
    ({"title": "<script>alert(1)</script>"}, "Write plain text here, without HTML tags."),
    ({"tags": "<b>bold</b>"}, "Write plain text here, without HTML tags."),
    ({"title": ""}, "This field is required."),
    ({"kind": "good_practice"}, "Choose the city of the good practice."),
    ({"kind": "poem"}, "Not a valid choice."),
    ({"sectors": ["space"]}, "is not a valid choice"),
    ({"title": "x" * 201}, "Field must be between 3 and 200 characters long."),
    ({"organisation_id": "0"}, "Not a valid choice."),  # a member publishes for their own
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_input_gets_a_message_and_writes_nothing(client, login_as, db, change, message):
    member, ngo = rf.ngo_member()
    login_as(user=member)
    english(client)
    before = rf.snapshot()
    response = client.post("/resources/new", data=rf.resource_form(
        **{"organisation_id": str(ngo.id), **change}))
    assert response.status_code == 422
    assert message in page(response)
    assert rf.snapshot() == before


def test_a_pdf_is_checked_by_its_bytes_and_its_size(client, login_as, db, app):
    member, _ngo = rf.ngo_member()
    login_as(user=member)
    english(client)
    before = rf.snapshot()
    fake = client.post("/resources/new", data=rf.resource_form(
        url="", document=_upload(b"<html>not a pdf</html>", "ghid.pdf")))
    assert fake.status_code == 422 and "Upload a PDF file." in page(fake)
    app.config["MAX_UPLOAD_LENGTH"] = 1000
    large = client.post("/resources/new", data=rf.resource_form(
        url="", document=_upload(rf.PDF + b"0" * 1000)))
    assert large.status_code == 422 and "The file is too large: at most 10 MB." in page(large)
    assert rf.snapshot() == before


def test_an_uploaded_pdf_is_served_as_a_download_with_a_safe_name(client, login_as, db):
    member, _ngo = rf.ngo_member()
    login_as("admin", locale="en")
    name = 'ghid "final"; x=1 ./../ș.pdf'
    response = client.post("/resources/new", data=rf.resource_form(
        url="", document=_upload(rf.PDF, name)), content_type="multipart/form-data")
    assert response.status_code == 303, page(response)
    item = db.session.scalar(db.select(Resource))
    stored = db.session.get(ResourceFile, item.file_id)
    download = client.application.test_client().get(f"/resources/{item.id}/document.pdf")
    assert download.status_code == 200 and download.data == rf.PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{stored.filename}"'
    assert stored.filename.endswith(".pdf") and '"' not in stored.filename
    assert "/" not in stored.filename and ";" not in stored.filename
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_double_submit_makes_one_item(client, login_as, db):
    member, ngo = rf.ngo_member()
    login_as(user=member)
    form = rf.resource_form(submission_key=key_on(client, "/resources/new"),
                            organisation_id=str(ngo.id))
    first, second = client.post("/resources/new", data=form), client.post("/resources/new",
                                                                           data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert rf.count(Resource) == 1


def test_the_list_filters_by_kind_sector_city_and_language(client, db):
    rf.item(title="Ghid energie", sectors=("energy",), city_slugs=("suceava",))
    rf.item(title="Raport transport", kind="report", sectors=("transport",),
            language="en", city_slugs=("cluj-napoca",))
    rf.practice(title="Practică Cluj")
    db.session.commit()
    english(client)

    def titles(query):
        text = page(client.get(f"/resources?{query}"))
        return {t for t in ("Ghid energie", "Raport transport", "Practică Cluj") if t in text}

    assert titles("") == {"Ghid energie", "Raport transport", "Practică Cluj"}
    assert titles("kind=report") == {"Raport transport"}
    assert titles("sector=energy") == {"Ghid energie"}
    assert titles("city=cluj-napoca") == {"Raport transport", "Practică Cluj"}
    assert titles("language=en") == {"Raport transport"}
    assert titles("kind=nonsense&city=nowhere") == titles("")


def test_the_list_exports_csv_and_json_with_its_filters(client, db):
    rf.item(title="=Ghid energie", sectors=("energy", "buildings"))
    rf.item(title="Raport", kind="report", sectors=("transport",))
    rf.item(title="Ascuns", status=Curation.PENDING)
    db.session.commit()
    data = client.get("/resources.json?sector=energy").get_json()["resources"]
    assert [r["title"] for r in data] == ["=Ghid energie"]
    assert data[0]["sectors"] == ["buildings", "energy"]
    text = client.get("/resources.csv").get_data(as_text=True)
    assert "'=Ghid energie" in text and "Raport" in text and "Ascuns" not in text
    assert "buildings;energy" in text
    listing = page(client.get("/resources?sector=energy"))
    assert 'href="/resources.csv?sector=energy"' in listing
    assert 'href="/resources.json?sector=energy"' in listing


def test_curators_list_the_suggestions_and_nobody_else_does(client, login_as, db):
    rf.item(title="Sugestie de ghid", status=Curation.PENDING)
    rf.call(title="Sugestie de apel", status=Curation.PENDING)
    login_as("citizen")
    assert "Sugestie de ghid" not in page(client.get("/resources?status=pending"))
    assert "Sugestie de apel" not in page(client.get("/funding?status=pending"))
    assert client.get("/resources.json?status=pending").get_json()["resources"] == []
    login_as("admin", locale="en")
    assert "Sugestie de ghid" in page(client.get("/resources?status=pending"))
    assert "Sugestie de apel" in page(client.get("/funding?status=pending"))
