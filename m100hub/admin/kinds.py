"""Activity verbs and notification kinds of the secretariat's actions on people."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_kind

PLATFORM_ROLES = {"admin": _l("administrator"), "moderator": _l("moderator")}

register_verb(
    "role_granted",
    lambda f: _("granted the %(role)s role to %(target)s", role=PLATFORM_ROLES[f["role"]],
                target=f["target"]),
)
register_verb(
    "role_revoked",
    lambda f: _("revoked the %(role)s role of %(target)s", role=PLATFORM_ROLES[f["role"]],
                target=f["target"]),
)
register_kind(
    "role_granted",
    lambda p: _("You have been given the %(role)s role.", role=PLATFORM_ROLES[p["role"]]),
    lambda p: url_for("main.home"),
    label=_l("Platform roles given to you"), email=Delivery.DAILY,
)
register_kind(
    "role_revoked",
    lambda p: _("Your %(role)s role has been removed.", role=PLATFORM_ROLES[p["role"]]),
    lambda p: url_for("main.home"),
    label=_l("Platform roles taken from you"), email=Delivery.DAILY,
)
