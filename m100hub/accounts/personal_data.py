"""The account itself in a person's data download, and its deletion (the last step: the
other features have removed or unlinked what was theirs; the database's foreign keys do
the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..cities.models import City
from ..extensions import db
from ..features import PersonalData, Records, iso
from ..submissions import Submission
from .models import User


def export(person: User) -> list[Records]:
    city = db.session.scalar(select(City.name).where(City.id == person.home_city_id)) \
        if person.home_city_id else None
    profile = {
        "id": person.id, "display_name": person.display_name, "handle": person.handle,
        "email": person.email, "email_confirmed": iso(person.email_confirmed_dt),
        "sector": person.sector.value, "home_city": city, "language": person.locale,
        "bio": person.bio, "created": iso(person.created_dt),
        "administrator": person.is_admin, "moderator": person.is_moderator,
        "terms_version": person.terms_version, "terms_accepted": iso(person.terms_accepted_dt),
        "privacy_version": person.privacy_version,
        "privacy_accepted": iso(person.privacy_accepted_dt),
    }
    return [Records("profile", _l("Your account"), [profile])]


def erase(person: User) -> None:
    """The account's row goes: the e-mail address and the handle are free again, and every
    session and remember cookie of it opens nothing (the row they name is gone). Its form
    keys (``submissions``: where each form it sent went) go with it."""
    db.session.execute(delete(Submission).where(Submission.user_id == person.id))
    if person.image is not None:  # their picture goes with them
        db.session.delete(person.image)
    db.session.delete(person)
    db.session.flush()


PERSONAL_DATA = PersonalData(export, erase, models=(User, Submission))
