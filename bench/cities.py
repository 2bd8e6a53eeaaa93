"""Climate contracts' pages against a minimal Flask page, served the same way (gunicorn,
loopback): a city page, its contract page and the national page, with 100 cities whose
contracts hold 500 actions each (a funding line per action, inventories for three years).
Prints one JSON line: requests/s, p50/p99, ratios, and SQL queries per page at two sizes
(5 cities × 10 actions, then the full size). Aim (issue 15): anonymous readers get at least a
quarter of the minimal page's throughput.
"""

from __future__ import annotations

import json
import os
import sys

from common import against_minimal, query_counts, scratch_app

CITIES, ACTIONS = 100, 500
SECTORS = ("energy", "transport", "buildings", "industry", "agriculture", "waste", "nature")
STATUSES = ("planned", "in_progress", "done")


def seed(app, cities: int, actions: int, prefix: str) -> str:
    """``cities`` cities with a contract of ``actions`` actions each; returns the first
    city's slug."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, literal, select

    from m100hub.cities.models import City, MissionStatus
    from m100hub.contracts.models import Action, Contract, FundingLine, Inventory
    from m100hub.database import UTCDateTime
    from m100hub.extensions import db

    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(insert(City), [
            {"name": f"Orașul {prefix} {n}", "slug": f"{prefix}-{n}", "county": "",
             "population": 50_000 + n, "mission_status": MissionStatus.M100_MIRROR,
             "summary": "", "summary_html": "", "created_dt": now} for n in range(cities)])
        city_ids = list(db.session.scalars(select(City.id).where(City.slug.like(f"{prefix}-%"))))
        db.session.execute(insert(Contract), [
            {"city_id": c, "ambition": "Neutri în 2035.", "ambition_html": "<p>Neutri.</p>",
             "target_year": 2035, "baseline_year": 2019, "is_demo": True, "updated_dt": now,
             "created_dt": now} for c in city_ids])
        contracts = list(db.session.scalars(select(Contract.id).where(
            Contract.city_id.in_(city_ids))))
        for contract_id in contracts:
            db.session.execute(insert(Action), [
                {"contract_id": contract_id, "sector": SECTORS[n % 7], "title": f"Acțiunea {n}",
                 "description": "", "description_html": "", "status": STATUSES[n % 3],
                 "dropped_reason": "", "progress": n % 101, "cost": 10_000 * (n + 1),
                 "updated_dt": now, "created_dt": now} for n in range(actions)])
        db.session.execute(insert(FundingLine).from_select(
            ["action_id", "source_kind", "programme", "secured", "sought", "created_dt"],
            select(Action.id, literal("national"), literal(""), Action.cost / 2,
                   Action.cost / 4, literal(now, UTCDateTime))
            .where(Action.contract_id.in_(contracts))))
        db.session.execute(insert(Inventory), [
            {"city_id": c, "year": year, "sector": sector, "tco2e": 100_000 - 5_000 * i,
             "source": "", "created_dt": now}
            for c in city_ids for i, year in enumerate((2019, 2022, 2024)) for sector in SECTORS])
        db.session.commit()
        return f"{prefix}-0"


def pages(slug: str) -> dict[str, str]:
    return {"city": f"/cities/{slug}", "contract": f"/cities/{slug}/contract",
            "national": "/contracts"}


def main() -> None:
    app, env, url = scratch_app()
    small = query_counts(app, pages(seed(app, 5, 10, "mic")))
    measured = pages(seed(app, CITIES - 5, ACTIONS, "mare"))
    large = query_counts(app, measured)
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    results = {"database": url.split(":")[0], "cities": CITIES, "actions_per_city": ACTIONS,
               "queries_small": small, "queries_large": large,
               **against_minimal(env, measured, seconds)}
    print(json.dumps(results, ensure_ascii=False))
    if small != large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
