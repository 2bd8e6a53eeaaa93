"""A sector with fewer than RESULTS_MIN_CELL ballots on a question is shown only together
with others, on the page and in both exports: sectors are public on profiles, so a sector
of one voter would show that person's ballot (issue 12 #11)."""

from __future__ import annotations

import csv
import io

import pytest

from m100hub.accounts.models import Sector
from m100hub.consultations.counting import OTHER, QuestionResult, merge_small_sectors
from m100hub.consultations.counting import OptionResult as Opt
from m100hub.extensions import db as _db
from tests.support import consultation_factories as cf
from tests.support import factories


def result(by_sector: dict[str, int]) -> QuestionResult:
    """One option that every ballot chose: its by-sector counts are the ballots'."""
    ballots = sum(by_sector.values())
    return QuestionResult("yes_no", ballots, dict(by_sector),
                          [Opt(1, ballots, 100.0, dict(by_sector))], [], [1])


@pytest.mark.parametrize("counts, minimum, shown", [
    ({"public": 5, "private": 5, "civil": 5, "citizen": 5}, 5, {"public", "private", "civil",
                                                                 "citizen"}),
    # exactly at the edge: 5 stays, 4 goes
    ({"public": 4, "private": 5, "civil": 9, "citizen": 20}, 5, {"civil", "citizen", OTHER}),
    # the group alone would be 1 ballot (the total less the others): the next smallest joins
    ({"public": 1, "private": 6, "civil": 9, "citizen": 20}, 5, {"civil", "citizen", OTHER}),
    # a sector without a ballot reveals nothing and stays
    ({"public": 0, "private": 2, "civil": 3, "citizen": 20}, 5, {"public", "citizen", OTHER}),
    # everything merged: the breakdown says no more than the total
    ({"public": 1, "private": 1, "civil": 1, "citizen": 1}, 5, {OTHER}),
    ({"public": 1, "private": 0, "civil": 0, "citizen": 0}, 1, {"public", "private", "civil",
                                                                 "citizen"}),
])
def test_small_sectors_are_merged_until_the_group_is_large_enough(counts, minimum, shown):
    merged = merge_small_sectors(result(counts), minimum)
    assert set(merged.ballots_by_sector) == shown
    assert sum(merged.ballots_by_sector.values()) == sum(counts.values())
    assert merged.options[0].by_sector == merged.ballots_by_sector
    if OTHER in shown:
        assert merged.ballots_by_sector[OTHER] >= min(minimum, sum(counts.values()))
    for sector, n in merged.ballots_by_sector.items():
        assert sector == OTHER or n == 0 or n >= minimum


def test_one_civil_voter_is_not_readable_from_the_results(app, client, db):
    item = cf.consultation("open", results_while_open=True)
    question = cf.questions_of(item)[0]
    for _ in range(6):
        cf.vote(factories.user(sector=Sector.CITIZEN), item, question, 0)
    cf.vote(factories.user(sector=Sector.CIVIL), item, question, 1)  # the only civil voter
    _db.session.commit()
    app.config["RESULTS_MIN_CELL"] = 5
    try:
        page = client.get(f"/consultations/{item.id}/results",
                          headers={"Accept-Language": "en"}).get_data(as_text=True)
        data = client.get(f"/consultations/{item.id}/results.json").get_json()
        rows = list(csv.DictReader(io.StringIO(
            client.get(f"/consultations/{item.id}/results.csv").get_data(as_text=True))))
    finally:
        app.config["RESULTS_MIN_CELL"] = 1
    assert "Civil society" not in page and "Other sectors (together)" in page
    assert "shown together, so that nobody" in page
    [asked] = data["questions"]
    assert "civil" not in asked["ballots_by_sector"]
    assert asked["ballots_by_sector"][OTHER] == 7  # merged with the citizens: the total
    assert all(row["civil"] == "" for row in rows if row["round"] == "")
