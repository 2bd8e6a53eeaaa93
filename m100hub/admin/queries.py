from __future__ import annotations

from sqlalchemy import func, or_, select

from ..accounts.models import User
from ..extensions import db


def people(page: int, per_page: int, search: str = ""):
    stmt = select(User)
    if search:
        needle = search.lower()
        stmt = stmt.where(
            or_(
                func.lower(User.display_name).contains(needle, autoescape=True),
                User.email.contains(needle, autoescape=True),
            )
        )
    return db.paginate(stmt.order_by(User.display_name, User.id), page=page, per_page=per_page,
                       error_out=False)
