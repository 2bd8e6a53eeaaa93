"""Unit tests of the emissions trajectory and the investment plan's sums."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from m100hub.contracts import financing, queries, trajectory
from m100hub.contracts.models import Action, ActionStatus, ContractSector
from tests.support import contracts as cf


def test_the_path_runs_straight_from_the_baseline_to_zero_at_the_target():
    path = trajectory.build(2020, 2030, {2020: 1000, 2023: 800, 2025: 400})
    assert path.baseline_total == 1000
    assert [p.path for p in path.points] == [1000, pytest.approx(700), 500]
    assert path.path_at(2030) == 0 and path.path_at(2034) == 0  # zero after the target
    assert path.path_at(2015) == 1000  # before the baseline: the baseline itself
    assert path.latest.year == 2025
    assert path.latest_vs_path == -100  # 400 emitted, 500 on the path: ahead of it


def test_behind_the_path_is_above_zero_and_per_inhabitant_needs_a_population():
    path = trajectory.build(2019, 2035, {2019: 1600, 2027: 1000})
    assert path.latest_vs_path == pytest.approx(1000 - 800)
    assert path.per_inhabitant(500) == 2.0
    assert path.per_inhabitant(None) is None and path.per_inhabitant(0) is None


def test_without_a_baseline_inventory_there_is_no_path_but_still_a_chart():
    path = trajectory.build(2019, 2030, {2021: 900, 2022: 850})
    assert path.baseline_total is None and path.latest_vs_path is None
    chart = path.chart()
    assert chart.path_line == "" and len(chart.dots) == 2
    assert trajectory.build(2019, 2030, {}).chart() is None


def test_the_chart_puts_the_baseline_top_left_and_zero_at_the_target_bottom_right():
    chart = trajectory.build(2020, 2030, {2020: 1000, 2025: 600}).chart()
    start, end = chart.path_line.split()
    x0, y0 = map(float, start.split(","))
    x1, y1 = map(float, end.split(","))
    assert x0 == trajectory.LEFT and y0 == trajectory.TOP
    assert x1 == trajectory.WIDTH - 10 and y1 == trajectory.HEIGHT - trajectory.BOTTOM
    (dot_x, dot_y, point), = [d for d in chart.dots if d[2].year == 2025]
    assert x0 < dot_x < x1 and y0 < dot_y < y1
    assert [year for _, year in chart.x_ticks] == [2020, 2025, 2030]


@dataclass
class Line:
    secured: int
    sought: int


def test_the_gap_is_counted_per_action_and_never_below_zero():
    assert financing.action_totals(1000, [Line(300, 200), Line(100, 0)]) == financing.Totals(
        cost=1000, secured=400, sought=200, gap=600)
    # more secured than the cost: no gap, and the surplus pays for nothing else
    assert financing.action_totals(100, [Line(500, 0)]).gap == 0
    assert financing.action_totals(None, [Line(0, 50)]) == financing.Totals(0, 0, 50, 0)


def test_sector_totals_skip_dropped_actions_and_follow_the_sectors_order(db):
    """The plan's sums per sector, made in the database (contracts/queries.py)."""
    contract = cf.contract()
    transport = cf.action(contract, "Autobuze", ContractSector.TRANSPORT, cost=1000)
    energy = cf.action(contract, "Panouri", ContractSector.ENERGY, cost=500)
    cf.action(contract, "Piste", ContractSector.TRANSPORT, cost=200)
    dropped = cf.action(contract, "Centrală", ContractSector.ENERGY, ActionStatus.DROPPED,
                        cost=9999, dropped_reason="Prea scumpă.")
    cf.action(contract, "Compost", ContractSector.WASTE, ActionStatus.DROPPED, cost=50,
              dropped_reason="Altă soluție.")
    cf.funding(transport, secured=1500, sought=0)
    cf.funding(energy, secured=100, sought=300)
    cf.funding(dropped, secured=9999, sought=0)
    plan = queries.plan_of(contract.id)
    assert [p.sector for p in plan] == [ContractSector.ENERGY, ContractSector.TRANSPORT,
                                        ContractSector.WASTE]
    energy_plan, transport_plan, waste_plan = plan
    assert energy_plan.money == financing.Totals(500, 100, 300, 400)
    # "Autobuze" is over-funded by 500, which does not close the gap of 200 of "Piste"
    assert transport_plan.money == financing.Totals(1200, 1500, 0, 200)
    assert (energy_plan.total, energy_plan.planned, waste_plan.planned) == (2, 1, 0)
    assert waste_plan.money == financing.Totals()
    assert queries.money_by(Action.contract_id, [Action.contract_id == contract.id]) == {
        contract.id: financing.Totals(1700, 1600, 300, 600)}


def test_the_plan_lists_the_first_actions_of_each_sector_by_title(db):
    contract = cf.contract()
    for n in range(queries.FIRST_PER_SECTOR + 2):
        cf.action(contract, f"Energie {n}", ContractSector.ENERGY)
    cf.action(contract, "Tramvai", ContractSector.TRANSPORT)
    energy, transport = queries.plan_of(contract.id)
    assert [a.title for a in energy.first] == [
        f"Energie {n}" for n in range(queries.FIRST_PER_SECTOR)]
    assert energy.total == queries.FIRST_PER_SECTOR + 2
    assert [a.title for a in transport.first] == ["Tramvai"]


def test_the_national_chart_puts_every_city_on_its_own_baseline_scale():
    big = trajectory.build(2019, 2030, {2019: 2_000_000, 2024: 1_000_000})
    small = trajectory.build(2019, 2035, {2019: 10_000, 2024: 9_000})
    no_baseline = trajectory.build(2019, 2035, {2022: 5})
    chart = trajectory.national_chart([("Mare", big), ("Mic", small), ("Fără", no_baseline)])
    assert [s.label for s in chart.series] == ["Mare", "Mic"]  # no baseline: no line
    (_, big_2024), (_, small_2024) = (s.points.split()[1].split(",") for s in chart.series)
    # 50 % and 90 % of their baselines: the big city's point is lower on the chart
    assert float(big_2024) > float(small_2024)
    assert [year for _, year in chart.x_ticks] == [2019, 2030, 2035]
    assert [value for _, value in chart.y_ticks] == [0, 50, 100]
    assert trajectory.national_chart([("Fără", no_baseline)]) is None
