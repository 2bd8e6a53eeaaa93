"""Notification kinds and activity verbs of the climate contracts."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_audience, register_kind
from .models import FOLLOWS, ActionStatus, ContractSector
from .queries import action_followers_query


def _action_url(payload: dict) -> str:
    return url_for("contracts.action", slug=payload["city_slug"], action_id=payload["action_id"])


register_audience("contract_followers", FOLLOWS.people)
register_audience("contract_action_followers", action_followers_query)

register_kind("contract_action_update", lambda p: _(
    "%(city)s posted an update on “%(title)s”.", city=p["city"], title=p["title"]), _action_url,
    label=_l("Updates on climate actions you follow"), email=Delivery.DAILY)
register_kind("contract_action_status", lambda p: _(
    "“%(title)s” in %(city)s is now: %(status)s.", city=p["city"], title=p["title"],
    status=ActionStatus(p["status"]).label), _action_url,
    label=_l("Status changes of climate actions you follow"), email=Delivery.DAILY)

register_kind("contract_linked_action_status", lambda p: _(
    "“%(title)s” in %(city)s, which what you took part in informed, is now: %(status)s.",
    city=p["city"], title=p["title"], status=ActionStatus(p["status"]).label), _action_url,
    label=_l("Status changes of actions that what you took part in informed"),
    email=Delivery.DAILY)
register_kind("contract_input_linked", lambda p: _(
    "You said, %(city)s did: “%(item)s” informed the action “%(title)s”.", city=p["city"],
    item=p["item"], title=p["title"]), _action_url,
    label=_l("What you took part in informed a city's climate action"), email=Delivery.DAILY)

def _commitments_url(payload: dict) -> str:
    return url_for("contracts.contract", slug=payload["city_slug"], _anchor="commitments")


register_kind("contract_commitment_accepted", lambda p: _(
    "%(city)s accepted your organisation's commitment “%(pledge)s”.", city=p["city"],
    pledge=p["pledge"]), _commitments_url,
    label=_l("Your organisation's climate commitments accepted"), email=Delivery.IMMEDIATE)
register_kind("contract_commitment_declined", lambda p: _(
    "%(city)s declined your organisation's commitment “%(pledge)s”: %(reason)s",
    city=p["city"], pledge=p["pledge"], reason=p["reason"]), _commitments_url,
    label=_l("Your organisation's climate commitments declined"), email=Delivery.IMMEDIATE)

register_verb("contract_created", lambda f: _(
    "started the climate contract of %(target)s", target=f["target"]))
register_verb("contract_updated", lambda f: _(
    "changed the climate contract of %(target)s", target=f["target"]))
register_verb("contract_action_created", lambda f: _(
    "added the action “%(target)s” to a climate contract", target=f["target"]))
register_verb("contract_action_updated", lambda f: _(
    "changed the action “%(target)s” of a climate contract", target=f["target"]))
register_verb("contract_action_update_posted", lambda f: _(
    "posted an update on the action “%(target)s”", target=f["target"]))
register_verb("contract_funding_saved", lambda f: _(
    "recorded funding for the action “%(target)s”", target=f["target"]))
register_verb("contract_inventory_saved", lambda f: _(
    "recorded the %(year)s emissions (%(sector)s) of %(target)s", year=f["year"],
    sector=ContractSector(f["sector"]).label, target=f["target"]))
register_verb("contract_action_linked", lambda f: _(
    "linked “%(item)s” to the action “%(target)s”", item=f["item"], target=f["target"]))
register_verb("contract_action_unlinked", lambda f: _(
    "removed a link from the action “%(target)s”", target=f["target"]))
register_verb("contract_commitment_proposed", lambda f: _(
    "proposed that %(target)s commits to “%(pledge)s” in the climate contract of %(city)s",
    target=f["target"], pledge=f["pledge"], city=f["city"]))
register_verb("contract_commitment_accepted", lambda f: _(
    "accepted the commitment “%(target)s” in the climate contract of %(city)s",
    target=f["target"], city=f["city"]))
register_verb("contract_commitment_declined", lambda f: _(
    "declined the commitment “%(target)s” in the climate contract of %(city)s",
    target=f["target"], city=f["city"]))
