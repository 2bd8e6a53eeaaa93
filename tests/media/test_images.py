"""Images: Pillow checks, turns upright, strips and resizes an upload; the hub keeps it in the
database and serves it under an address that changes with it. Through the forms that take
one (a city's, an event's and a consultation's cover, a person's avatar) and in Chromium."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from m100hub.extensions import db
from m100hub.media import services
from m100hub.media.models import StoredImage
from m100hub.media.services import ImageRefused, read_picture
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories

GPS = 0x8825
ORIENTATION = 0x0112


def photo(width=1200, height=800, fmt="JPEG", colour=(30, 120, 60), rotated=False) -> bytes:
    """A picture as a camera writes it: with EXIF (a GPS position, an orientation)."""
    picture = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[GPS] = {1: "N", 2: (47.0, 39.0, 5.0)}
    if rotated:
        exif[ORIENTATION] = 6  # the camera was held upright: turn 90° clockwise to show
    out = io.BytesIO()
    picture.save(out, fmt, exif=exif.tobytes()) if fmt in ("JPEG", "WEBP", "PNG") else (
        picture.save(out, fmt))
    return out.getvalue()


def image_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredImage))


# --- reading an upload ---------------------------------------------------------------------

def test_a_photo_is_turned_upright_resized_and_stripped_of_its_metadata(app, db):
    with app.test_request_context():
        picture = read_picture(photo(3000, 2000, rotated=True))
        image = services.store_image(picture, "Piața Centrală")
    assert (image.width, image.height) == (1067, 1600)  # upright, longest side 1600
    assert max(image.small_width, image.small_height) == 640
    for data in (image.large, image.small):
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "WEBP"
        assert not stored.getexif() and "exif" not in stored.info and "xmp" not in stored.info
        assert b"CameraMaker" not in data
    assert len(image.digest) == 64 and image.alt == "Piața Centrală"


@pytest.mark.parametrize("data", [
    b"not an image at all",
    photo()[:400],  # cut off in transfer
    b"GIF89a" + b"\x00" * 20,
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
])
def test_what_is_not_a_readable_picture_is_refused(app, data):
    with app.test_request_context(), pytest.raises(ImageRefused):
        read_picture(data)


def test_other_formats_are_refused(app):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(
            ImageRefused, match="JPEG, PNG, WebP"):
        read_picture(photo(fmt="BMP"))


def test_a_picture_too_large_to_decode_safely_is_refused(app, monkeypatch):
    monkeypatch.setattr(services, "MAX_PIXELS", 100 * 100)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(
            ImageRefused, match="too large"):
        read_picture(photo(200, 200))


def test_transparency_is_kept(app, db):
    picture = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "PNG")
    with app.test_request_context():
        image = services.store_image(read_picture(out.getvalue()), "logo")
    assert Image.open(io.BytesIO(image.small)).mode == "RGBA"


# --- through the forms ---------------------------------------------------------------------

def city_form(city, **extra) -> dict:
    return {"name": city.name, "county": city.county or "", "population": "",
            "mission_status": city.mission_status.value, "summary": city.summary, **extra}


def upload(data: bytes, name: str = "piata.jpg"):
    return (io.BytesIO(data), name)


def test_an_admin_gives_a_city_a_cover_that_its_page_shows(client, login_as, db):
    login_as("admin")
    city = factories.city("suceava")
    response = client.post(f"/admin/cities/{city.id}/edit", data=city_form(
        city, image=upload(photo(rotated=True)), image_alt="Cetatea de Scaun"),
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert city.image is not None and city.image.alt == "Cetatea de Scaun"
    page = client.get("/cities/suceava").get_data(as_text=True)
    tag = re.search(r'<img src="([^"]+)" srcset="[^"]+" sizes="[^"]+" width="(\d+)" '
                    r'height="(\d+)" alt="Cetatea de Scaun" class="hero-image"', page)
    assert tag, page
    assert (int(tag.group(2)), int(tag.group(3))) == (city.image.small_width,
                                                       city.image.small_height)
    served = client.get(tag.group(1))
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.cache_control.immutable and served.cache_control.max_age >= 31536000
    assert served.data == city.image.small
    assert 'loading="lazy"' in client.get("/cities").get_data(as_text=True)


def test_a_new_cover_replaces_the_old_and_its_address(client, login_as, db):
    login_as("admin")
    city = factories.city("suceava")
    for colour, alt in (((200, 0, 0), "Roșu"), ((0, 0, 200), "Albastru")):
        client.post(f"/admin/cities/{city.id}/edit", data=city_form(
            city, image=upload(photo(colour=colour)), image_alt=alt),
            content_type="multipart/form-data")
        db.session.expire_all()
    assert image_count() == 1 and city.image.alt == "Albastru"
    old = f"/media/{city.image.id - 1}/small-{'0' * 12}.webp"
    assert client.get(old).status_code == 404
    assert client.get(f"/media/{city.image.id}/small-{'0' * 12}.webp").status_code == 404
    # the text alternative alone may change; then the image is removed
    client.post(f"/admin/cities/{city.id}/edit", data=city_form(city, image_alt="Albastru închis"),
                content_type="multipart/form-data")
    db.session.expire_all()
    assert city.image.alt == "Albastru închis"
    client.post(f"/admin/cities/{city.id}/edit", data=city_form(city, image_remove="y"),
                content_type="multipart/form-data")
    db.session.expire_all()
    assert city.image is None and image_count() == 0


@pytest.mark.parametrize(("extra", "message"), [
    ({"image": (io.BytesIO(b"%PDF-1.4 not a picture"), "plan.pdf"), "image_alt": "Plan"},
     "not an image we can read"),
    ({"image": (io.BytesIO(photo()), "p.jpg"), "image_alt": ""}, "what the image shows"),
    ({"image": (io.BytesIO(photo()), "p.jpg"), "image_alt": "x" * 251}, "250"),
])
def test_a_refused_upload_writes_nothing_and_says_why(client, login_as, db, extra, message):
    login_as("admin", locale="en")
    city = factories.city("suceava")
    response = client.post(f"/admin/cities/{city.id}/edit", data=city_form(city, **extra),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert image_count() == 0


def _multipart(fields: dict) -> dict:
    """A multipart body built in memory (the test client spools bodies past 500 kB to a
    temporary file it never closes)."""
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_a_photo_larger_than_a_form_but_within_the_upload_limit_is_taken(client, login_as, db,
                                                                         app, monkeypatch):
    login_as("admin")
    city = factories.city("suceava")
    big = photo(3000, 3000) + b"\x00" * (3 * 1024 * 1024)  # 3 MB: past MAX_CONTENT_LENGTH
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    image = FileStorage(io.BytesIO(big), filename="mare.jpg", content_type="image/jpeg")
    response = client.post(f"/admin/cities/{city.id}/edit", **_multipart(city_form(
        city, image=image, image_alt="Mare")))
    assert response.status_code == 303
    monkeypatch.setitem(app.config, "MAX_UPLOAD_LENGTH", 1024 * 1024)
    image = FileStorage(io.BytesIO(big), filename="mare.jpg", content_type="image/jpeg")
    response = client.post(f"/admin/cities/{city.id}/edit", **_multipart(city_form(
        city, image=image, image_alt="Prea mare")))
    assert response.status_code == 413


def test_forms_without_an_image_field_still_refuse_files(client, login_as, db):
    login_as("citizen")
    response = client.post("/language", data={"language": "en", "f": upload(photo())},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_an_organiser_gives_an_event_a_cover(client, login_as, db):
    organiser = login_as("official")
    event = ef.event(organiser=organiser)
    db.session.commit()
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="image"' in page
    event.image = services.store_image(read_picture(photo()), "Sala")
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'alt="Sala" class="hero-image"' in page
    assert 'alt="Sala" class="cover"' in client.get("/events").get_data(as_text=True)
    assert 'alt="Sala" class="image-preview"' in client.get(
        f"/events/{event.id}/edit").get_data(as_text=True)


def test_a_consultation_cover_shows_in_the_list(client, login_as, db):
    item = cf.consultation("open")
    item.image = services.store_image(read_picture(photo()), "Parc")
    db.session.commit()
    assert 'alt="Parc" class="cover"' in client.get("/consultations").get_data(as_text=True)
    assert 'alt="Parc" class="hero-image"' in client.get(
        f"/consultations/{item.id}").get_data(as_text=True)


def test_a_person_uploads_an_avatar_or_has_their_initials(client, login_as, db):
    person = login_as("citizen", name="Ana-Maria Pop")
    page = client.get(f"/u/{person.id}").get_data(as_text=True)
    assert re.search(r'<svg class="avatar"[^>]*aria-hidden="true".*?>AP</text>', page)
    response = client.post("/account", data={
        "display_name": person.display_name, "handle": person.handle, "sector": "citizen",
        "home_city_id": "0", "locale": "ro", "bio": "", "image": upload(photo(400, 400)),
        "image_alt": "Ana-Maria"}, content_type="multipart/form-data")
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    db.session.expire_all()
    assert person.image is not None
    page = client.get(f"/u/{person.id}").get_data(as_text=True)
    assert re.search(rf'<img class="avatar" src="/media/{person.image.id}/small-', page)
