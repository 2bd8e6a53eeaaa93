"""Notification kinds and activity verbs of organisations and memberships."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_kind
from .models import MembershipRole


def _org_url(payload: dict) -> str:
    return url_for("organisations.show", slug=payload["slug"])


register_kind(
    "membership_verified",
    lambda p: _("Your membership of %(org)s has been verified.", org=p["org"]),
    _org_url,
    label=_l("Your organisation memberships verified"), email=Delivery.DAILY,
)
register_kind(
    "membership_rejected",
    lambda p: _("Your request to join %(org)s was declined: %(reason)s", org=p["org"],
                reason=p.get("reason") or "—"),
    _org_url,
    label=_l("Your organisation membership requests declined"), email=Delivery.DAILY,
)
register_kind(
    "membership_ended",
    lambda p: _("You are no longer a member of %(org)s: %(reason)s", org=p["org"],
                reason=p.get("reason") or "—"),
    _org_url,
    label=_l("Your organisation memberships ended"), email=Delivery.DAILY,
)
register_kind(
    "membership_requested",
    lambda p: _("%(person)s asks to join %(org)s.", person=p["person"], org=p["org"]),
    _org_url,
    label=_l("Membership requests to your organisations"), email=Delivery.DAILY,
)

register_verb(
    "membership_verified",
    lambda f: _("verified %(person)s as %(role)s of %(target)s", person=f.get("person"),
                role=MembershipRole(f["role"]).label.lower(), target=f["target"]),
)
register_verb(
    "membership_rejected",
    lambda f: _("declined the request of %(person)s to join %(target)s", person=f.get("person"),
                target=f["target"]),
)
register_verb(
    "membership_ended",
    lambda f: _("removed %(person)s from %(target)s", person=f.get("person"), target=f["target"]),
)
register_verb("membership_left", lambda f: _("left %(target)s", target=f["target"]))
