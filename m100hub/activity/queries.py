from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import ActivityEntry


def recent(page: int, per_page: int):
    stmt = (
        select(ActivityEntry)
        .options(joinedload(ActivityEntry.actor))
        .order_by(ActivityEntry.created_dt.desc(), ActivityEntry.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
