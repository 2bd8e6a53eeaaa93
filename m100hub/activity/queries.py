from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import ActivityEntry


def recent(page: int, per_page: int):
    stmt = select(ActivityEntry).order_by(ActivityEntry.created_dt.desc(), ActivityEntry.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
