"""The public activity log's entries by and about a person in their data download. Deleting
the account keeps what officials and moderators did (a public record) without the person:
the entries no longer link to them, and those about them lose their name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import ActivityEntry
from .verbs import describe


def _about(person):
    """Entries naming the person: their account as the target, or their name in the facts
    (a membership verified or ended)."""
    return or_((ActivityEntry.target_type == "users") & (ActivityEntry.target_id == person.id),
               ActivityEntry.details["person"].as_string() == person.display_name)


def _row(entry: ActivityEntry) -> dict:
    facts = {**entry.details, "target": entry.target_label}
    return {"what": describe(entry.verb, facts), "verb": entry.verb,
            "target": entry.target_label, "reason": entry.reason, "when": iso(entry.created_dt)}


def export(person) -> list[Records]:
    by = db.session.scalars(select(ActivityEntry).where(ActivityEntry.actor_id == person.id)
                            .order_by(ActivityEntry.id))
    about = db.session.scalars(select(ActivityEntry).where(_about(person))
                               .order_by(ActivityEntry.id))
    return [Records("activity_by_you", _l("Your entries in the public activity log"),
                    [_row(e) for e in by]),
            Records("activity_about_you", _l("Entries about you in the public activity log"),
                    [_row(e) for e in about])]


def erase(person) -> None:
    for entry in db.session.scalars(select(ActivityEntry).where(_about(person))):
        if entry.target_type == "users" and entry.target_id == person.id:
            entry.target_label, entry.target_id = "", None
        entry.details = {key: value for key, value in entry.details.items() if key != "person"}
    db.session.flush()


PERSONAL_DATA = PersonalData(export, erase, models=(ActivityEntry,))
