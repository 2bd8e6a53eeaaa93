"""Notification kinds, the audience of a new call's followers, and activity verbs."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, or_, select

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_audience, register_kind
from .models import CallApplicant, CallSector, FundingFollow


def _call_url(payload: dict) -> str:
    return url_for("resources.funding_call", call_id=payload["call_id"])


def _resource_url(payload: dict) -> str:
    return url_for("resources.resource", resource_id=payload["resource_id"])


def call_followers(call_id: int):
    """Everyone who follows the call itself, one of its sectors or one of its applicant types."""
    sectors = select(literal("sector:") + CallSector.sector).where(CallSector.call_id == call_id)
    applicants = select(literal("applicant:") + CallApplicant.applicant).where(
        CallApplicant.call_id == call_id)
    return select(FundingFollow.user_id).where(or_(
        FundingFollow.topic == f"call:{call_id}", FundingFollow.topic.in_(sectors),
        FundingFollow.topic.in_(applicants))).distinct()


register_audience("funding_call_followers", call_followers)

register_kind("funding_call_new", lambda p: _(
    "A new funding call matches what you follow: “%(title)s”.", title=p["title"]), _call_url,
    label=_l("New funding calls matching what you follow"), email=Delivery.DAILY)
register_kind("funding_deadline", lambda p: _(
    "Less than %(days)s days left to apply to “%(title)s”.", days=p["days"], title=p["title"]),
    _call_url, label=_l("Deadlines of funding calls you follow"), email=Delivery.IMMEDIATE)
register_kind("practice_replication", lambda p: _(
    "%(city)s wants to replicate your good practice “%(title)s”.", city=p["city"],
    title=p["title"]), _resource_url,
    label=_l("Cities that want to replicate your good practice"), email=Delivery.IMMEDIATE)

register_verb("resource_suggested", lambda f: _(
    "suggested “%(target)s” for the resources library", target=f["target"]))
register_verb("resource_approved", lambda f: _(
    "published “%(target)s” in the resources library", target=f["target"]))
register_verb("resource_edited", lambda f: _(
    "edited “%(target)s” in the resources library", target=f["target"]))
register_verb("resource_retired", lambda f: _(
    "retired “%(target)s” from the resources library", target=f["target"]))
register_verb("practice_replication", lambda f: _(
    "said %(city)s wants to replicate the good practice “%(target)s”", city=f["city"],
    target=f["target"]))
