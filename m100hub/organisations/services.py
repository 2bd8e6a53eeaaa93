"""Organisation and membership writes: flush, notify, log; the view commits."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ..accounts.models import User
from ..activity.services import log
from ..database import rows_changed, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.services import notify
from ..util import slugify
from .models import Membership, MembershipRole, Organisation, OrgKind, Status
from .queries import manager_ids, membership

#: slugs that would collide with the feature's own addresses
RESERVED_SLUGS = frozenset({"new"})


def request_organisation(user, name: str, kind: str, city_id: int | None, website: str = ""):
    """A new organisation, pending, with its requester as pending manager.

    A name that was declined may be asked for again (by anyone); a pending or verified one
    may not: ``Conflict`` says which."""
    slug = slugify(name, max_length=160)
    if slug in RESERVED_SLUGS:
        raise Conflict("reserved")
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is not None and organisation.status != Status.REJECTED:
        raise Conflict(organisation.status.value)
    if organisation is None:
        organisation = Organisation(slug=slug)
        db.session.add(organisation)
    organisation.name = name.strip()
    organisation.kind = OrgKind(kind)
    organisation.city_id = city_id or None
    organisation.website = website or ""
    organisation.created_by_id = user.id
    organisation.status = Status.PENDING
    db.session.flush()
    founder = membership(user.id, organisation.id) or Membership(
        user_id=user.id, organisation_id=organisation.id)
    founder.role, founder.status = MembershipRole.MANAGER, Status.PENDING
    founder.decided_by_id, founder.decided_dt, founder.reason = None, None, ""
    db.session.add(founder)
    db.session.flush()
    return organisation


def request_membership(user, organisation: Organisation) -> Membership:
    existing = membership(user.id, organisation.id)
    if existing is not None and existing.status != Status.REJECTED:
        raise Conflict("already a member or pending")
    if existing is None:
        existing = Membership(user_id=user.id, organisation_id=organisation.id)
        db.session.add(existing)
    existing.status = Status.PENDING
    existing.role = MembershipRole.MEMBER
    existing.decided_by_id = None
    existing.decided_dt = None
    existing.reason = ""
    db.session.flush()
    notify(manager_ids(organisation.id), "membership_requested", organisation, actor=user,
           payload={"org": organisation.name, "slug": organisation.slug,
                    "person": user.display_name})
    return existing


def require_pending(item: Membership) -> None:
    """A membership is decided once."""
    if item.status != Status.PENDING:
        raise Conflict("already decided")


def decide(actor, item: Membership, approve: bool, reason: str = "") -> None:
    """Verify or decline a pending membership; the founder's decision settles a new
    organisation too. The person is notified and the decision publicly logged."""
    require_pending(item)
    organisation = db.session.get_one(Organisation, item.organisation_id)
    person = db.session.get_one(User, item.user_id)
    status = Status.VERIFIED if approve else Status.REJECTED
    # Conditional on "still pending" in the database: of two people deciding at the same
    # moment, only the first wins; the other gets a Conflict and writes nothing.
    claimed = rows_changed(
        update(Membership)
        .where(Membership.id == item.id, Membership.status == Status.PENDING)
        .values(status=status, decided_by_id=actor.id, decided_dt=utcnow(),
                reason=reason.strip())
    )
    if claimed != 1:
        raise Conflict("already decided")
    if item.role == MembershipRole.MANAGER:
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == organisation.id, Organisation.status == Status.PENDING)
            .values(status=status)
        )
    db.session.flush()
    payload = {"org": organisation.name, "slug": organisation.slug, "reason": item.reason}
    notify([item.user_id], "membership_verified" if approve else "membership_rejected",
           organisation, actor=actor, payload=payload)
    log(actor, "membership_verified" if approve else "membership_rejected", organisation,
        reason=item.reason, person=person.display_name, role=item.role.value)


def end_membership(actor, item: Membership, reason: str = "") -> None:
    """Delete a membership (so the person may ask again later). Removing someone notifies
    them; ending a verified membership is written to the public activity log."""
    organisation = db.session.get_one(Organisation, item.organisation_id)
    person = db.session.get_one(User, item.user_id)
    was_verified, leaving = item.status == Status.VERIFIED, actor.id == item.user_id
    gone = rows_changed(
        delete(Membership).where(Membership.id == item.id, Membership.status == item.status)
    )
    if gone != 1:
        raise Conflict("changed meanwhile")
    db.session.flush()
    payload = {"org": organisation.name, "slug": organisation.slug, "reason": reason}
    if not leaving:
        notify([person.id], "membership_ended", organisation, actor=actor, payload=payload)
    if was_verified:
        log(actor, "membership_left" if leaving else "membership_ended", organisation,
            reason=reason, person=person.display_name)
