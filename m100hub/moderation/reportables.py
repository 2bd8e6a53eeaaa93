"""What a feature says about a kind of item people may report (``Feature.reportables``).

The moderation package owns the reports, the threshold that hides an item until a moderator
decides, the queue and the decisions; the feature says how its items are found, shown,
hidden and logged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context, url_for

from .models import ModeratedMixin


@dataclass(frozen=True)
class Reportable:
    #: in addresses and in the reports table ("post", "comment"…)
    kind: str
    #: the item's model (it has an ``author_id`` too)
    model: type[ModeratedMixin]
    #: the queue's heading, and its line when nothing waits
    label: Any
    empty: Any
    #: id → the item with what its templates show, or None (unknown or not to be seen)
    find: Callable[[int], Any]
    #: (person, item) → whether they may report it
    can_report: Callable[[Any, Any], bool]
    #: (item, hidden, moderator or None when reports hid it, public reason) → hide or show
    set_hidden: Callable[[Any, bool, Any, str], None]
    #: (moderator, "hidden" | "shown" | "reports_dismissed", item, reason) → activity log
    log: Callable[[Any, str, Any, str], None]
    #: the item's address
    url: Callable[[Any], str]
    #: SQL condition: hidden by reports, a moderator has not decided yet
    awaiting: Callable[[], Any]
    #: one item, as the queue and the report page show it (gets ``item``)
    template: str
    #: the report page's title (item → text) and explanation
    report_title: Callable[[Any], str]
    report_help: Any
    #: what people are told, in the item's words: "thanks" (after a report), "hidden",
    #: "shown", "reason_needed" (hiding without a reason)
    messages: dict[str, Any]
    #: what the notices to its author and its reporters name (a thread's, a consultation's
    #: title), with the words of ``messages``: "author_told", "reporter_hidden",
    #: "reporter_kept", and "hide_warning" (beside the moderator's reason field)
    title: Callable[[Any], str] = lambda item: ""
    #: an item's lasting address by its id (for notices read later, outside this request)
    link: Callable[[int], str] = lambda ident: url_for("moderation.queue")
    #: whether the item takes reports now (an archived forum is read-only: a conflict)
    open_for_reports: Callable[[Any], bool] = lambda item: True
    #: loader options for the queue's items
    queue_options: Callable[[], list] = field(default=lambda: [])


def reportables() -> dict[str, Reportable]:
    if not has_app_context():
        return {}
    return current_app.extensions["m100_features"].reportables()
