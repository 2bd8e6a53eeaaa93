"""Reports and the moderators' decisions, for every reportable kind. They flush, never
commit. Concurrent reports on one item count one after the other (its row is locked)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..database import locked, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.services import notify
from .models import Report
from .reportables import Reportable, reportables

#: distinct open reports that hide an item until a moderator decides
REPORTS_TO_HIDE = 3


def reportable_of(item) -> Reportable:
    return next(r for r in reportables().values() if isinstance(item, r.model))


def report(user, item, reason: str) -> bool:
    """Report an item (who may: the view asks ``Reportable.can_report``); the third distinct
    report hides it until a moderator decides. Returns whether the item was hidden now."""
    reportable = reportable_of(item)
    if not reportable.open_for_reports(item):
        raise Conflict("closed")
    item = locked(reportable.model, item.id)  # concurrent reports count one after the other
    if item is None or item.hidden_dt is not None or item.deleted_dt is not None:
        raise Conflict("not reportable now")
    try:
        with db.session.begin_nested():
            db.session.add(Report(kind=reportable.kind, target_id=item.id, reporter_id=user.id,
                                  reason=reason.strip()))
    except IntegrityError as exc:
        raise Conflict("already reported") from exc
    item.report_count = db.session.scalar(select(func.count()).where(
        Report.about(reportable.kind, item.id), Report.resolved_dt.is_(None)))
    hide_now = item.report_count >= REPORTS_TO_HIDE and item.hidden_dt is None
    if hide_now:
        reportable.set_hidden(item, True, None, "")  # by nobody: awaiting a moderator
    db.session.flush()
    return hide_now


def _resolve_reports(reportable: Reportable, item) -> None:
    db.session.execute(update(Report).where(Report.about(reportable.kind, item.id),
                                            Report.resolved_dt.is_(None))
                       .values(resolved_dt=utcnow()))
    item.report_count = 0


def _reporters(reportable: Reportable, item) -> list[int]:
    """Who reported the item since the last decision (asked before the reports are settled)."""
    return list(db.session.scalars(select(Report.reporter_id).where(
        Report.about(reportable.kind, item.id), Report.resolved_dt.is_(None))))


def _tell(reportable: Reportable, item, moderator, reason: str, hidden: bool) -> None:
    """The author (when hidden) and the reporters hear the decision, with the public reason."""
    payload = {"item": reportable.kind, "id": item.id, "title": reportable.title(item),
               "reason": reason}
    if hidden and item.author_id is not None:
        notify([item.author_id], "moderation_hidden", item, actor=moderator, payload=payload)
    notify(_reporters(reportable, item), "moderation_report_decided", item, actor=moderator,
           payload={**payload, "outcome": "hidden" if hidden else "kept"})


def hide(moderator, item, reason: str) -> None:
    """Hide with a public reason; settles the item's reports; the author and the reporters
    are told; logged. Hiding it again (a second press) is a conflict and tells nobody."""
    reportable = reportable_of(item)
    item = locked(reportable.model, item.id)  # two moderators (or two presses): one hides
    if item is None or item.hidden_by_moderator:
        raise Conflict("hidden already")
    _tell(reportable, item, moderator, reason.strip(), hidden=True)
    _resolve_reports(reportable, item)
    reportable.set_hidden(item, True, moderator, reason)
    reportable.log(moderator, "hidden", item, reason)


def keep_visible(moderator, item, reason: str = "") -> None:
    """The moderator's decision on a reported item: show it (again), settle its reports (whose
    authors are told)."""
    reportable = reportable_of(item)
    was_hidden = item.hidden_dt is not None
    _tell(reportable, item, moderator, reason.strip(), hidden=False)
    _resolve_reports(reportable, item)
    if was_hidden:
        reportable.set_hidden(item, False, moderator, "")
    db.session.flush()
    reportable.log(moderator, "shown" if was_hidden else "reports_dismissed", item, reason)
