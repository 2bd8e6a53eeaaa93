"""Notification kinds and activity verbs of the climate contracts."""

from flask import url_for
from flask_babel import gettext as _

from ..activity.verbs import register_verb
from ..notifications.kinds import register_audience, register_kind
from .models import FOLLOWS, ActionStatus, ContractSector


def _action_url(payload: dict) -> str:
    return url_for("contracts.action", slug=payload["city_slug"], action_id=payload["action_id"])


register_audience("contract_followers", FOLLOWS.people)

register_kind("contract_action_update", lambda p: _(
    "%(city)s posted an update on “%(title)s”.", city=p["city"], title=p["title"]), _action_url)
register_kind("contract_action_status", lambda p: _(
    "“%(title)s” in %(city)s is now: %(status)s.", city=p["city"], title=p["title"],
    status=ActionStatus(p["status"]).label), _action_url)

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
