"""Unit tests of the emissions trajectory and the investment plan's sums."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from m100hub.contracts import financing, trajectory
from m100hub.contracts.models import ActionStatus, ContractSector


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


@dataclass
class Item:
    id: int
    sector: ContractSector
    cost: int | None
    status: ActionStatus = ActionStatus.PLANNED


def test_the_gap_is_counted_per_action_and_never_below_zero():
    assert financing.action_totals(1000, [Line(300, 200), Line(100, 0)]) == financing.Totals(
        cost=1000, secured=400, sought=200, gap=600)
    # more secured than the cost: no gap, and the surplus pays for nothing else
    assert financing.action_totals(100, [Line(500, 0)]).gap == 0
    assert financing.action_totals(None, [Line(0, 50)]) == financing.Totals(0, 0, 50, 0)


def test_sector_totals_skip_dropped_actions_and_follow_the_sectors_order():
    items = [Item(1, ContractSector.TRANSPORT, 1000), Item(2, ContractSector.ENERGY, 500),
             Item(3, ContractSector.TRANSPORT, 200),
             Item(4, ContractSector.ENERGY, 9999, ActionStatus.DROPPED)]
    lines = {1: [Line(1500, 0)], 2: [Line(100, 300)], 4: [Line(9999, 0)]}
    by_sector, overall = financing.plan_totals(items, lines)
    assert list(by_sector) == [ContractSector.ENERGY, ContractSector.TRANSPORT]
    assert by_sector[ContractSector.ENERGY] == financing.Totals(500, 100, 300, 400)
    # action 1 is over-funded by 500, which does not close action 3's gap of 200
    assert by_sector[ContractSector.TRANSPORT] == financing.Totals(1200, 1500, 0, 200)
    assert overall == financing.Totals(1700, 1600, 300, 600)


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
