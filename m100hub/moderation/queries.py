"""The moderators' queue: per reportable kind, the items with open reports and those hidden
by reports awaiting a decision (hidden ones first), with their open reports."""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..pagination import paginate
from .models import Report
from .reportables import Reportable, reportables

PER_PAGE = 30


def waiting(reportable: Reportable, page: int):
    model = reportable.model
    stmt = (
        select(model).options(*reportable.queue_options())
        .where((model.report_count > 0) | reportable.awaiting(), model.deleted_dt.is_(None))
        .order_by(case((model.hidden_dt.is_not(None), 0), else_=1), model.report_count.desc(),
                  model.id)
    )
    return paginate(stmt, page, PER_PAGE)


def waiting_count() -> int:
    """The menu's badge for moderators: the items with open reports (what the queue lists),
    counted in one query over the open reports (a partial index: a handful of rows)."""
    counts = []
    for reportable in reportables().values():
        model = reportable.model
        counts.append(
            select(func.count(distinct(Report.target_id)))
            .join(model, model.id == Report.target_id)
            .where(Report.kind == reportable.kind, Report.resolved_dt.is_(None),
                   model.deleted_dt.is_(None))
            .scalar_subquery())
    if not counts:
        return 0
    return sum(db.session.execute(select(*counts)).one())


def open_reports(kind: str, ids: list[int]) -> dict[int, list[Report]]:
    found: dict[int, list[Report]] = {i: [] for i in ids}
    if ids:
        stmt = (select(Report).options(joinedload(Report.reporter))
                .where(Report.kind == kind, Report.target_id.in_(ids),
                       Report.resolved_dt.is_(None))
                .order_by(Report.id))
        for report in db.session.scalars(stmt):
            found[report.target_id].append(report)
    return found
