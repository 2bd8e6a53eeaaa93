"""Foundation pages against a minimal Flask page, served the same way (gunicorn, loopback).

Seeds people, organisations and activity at two sizes, prints one JSON line: requests/s and
p50/p99 per page, the ratio to the minimal page, and SQL queries per page at both sizes.
"""

from __future__ import annotations

import json
import os
import sys

from common import against_minimal, query_counts, scratch_app

PAGES = ["/", "/cities", "/cities/suceava", "/organisations", "/activity"]


def seed(app, people: int) -> None:
    from m100hub.accounts.models import Sector, User
    from m100hub.activity.models import ActivityEntry
    from m100hub.database import utcnow
    from m100hub.extensions import db
    from m100hub.organisations.models import Organisation, OrgKind, Status

    with app.app_context():
        start = db.session.query(User).count()
        users = [User(display_name=f"Persoana {n}", handle=f"bench{n}",
                      email=f"bench{n}@example.ro",
                      password_hash="x", sector=Sector.CITIZEN, email_confirmed_dt=utcnow())
                 for n in range(start, start + people)]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all(Organisation(name=f"Organizația {u.id}", slug=f"org-{u.id}",
                                        kind=OrgKind.NGO, city_id=3, status=Status.VERIFIED)
                           for u in users[: people // 10])
        db.session.add_all(ActivityEntry(actor_id=u.id, verb="city_updated", target_label="Suceava")
                           for u in users)
        db.session.commit()


def main() -> None:
    app, env, url = scratch_app()
    seed(app, 50)
    small = query_counts(app, {path: path for path in PAGES})
    seed(app, 2000)
    large = query_counts(app, {path: path for path in PAGES})
    seconds = float(os.environ.get("BENCH_SECONDS", "4"))
    results = {"database": url.split(":")[0], "queries_small": small, "queries_large": large,
               **against_minimal(env, {path: path for path in PAGES}, seconds)}
    print(json.dumps(results, ensure_ascii=False))
    if small != large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
