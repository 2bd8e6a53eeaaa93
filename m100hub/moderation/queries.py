"""The moderators' queue: per reportable kind, the items with open reports and those hidden
by reports awaiting a decision (hidden ones first), with their open reports."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..pagination import paginate
from .models import Report
from .reportables import Reportable

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
