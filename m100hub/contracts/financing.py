"""The investment plan's sums: per action, per sector and for the whole contract.

The gap is counted per action (its cost less what is secured for it, never below zero) and
then added up: money secured beyond one action's cost does not pay for another. Dropped
actions are not in the plan any more and count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import ActionStatus, ContractSector


@dataclass
class Totals:
    cost: int = 0
    secured: int = 0
    sought: int = 0
    gap: int = 0

    def add(self, other: Totals) -> None:
        self.cost += other.cost
        self.secured += other.secured
        self.sought += other.sought
        self.gap += other.gap


def action_totals(cost: int | None, lines: Iterable) -> Totals:
    """``lines``: objects with ``secured`` and ``sought`` (funding lines)."""
    secured = sought = 0
    for line in lines:
        secured += line.secured
        sought += line.sought
    cost = cost or 0
    return Totals(cost=cost, secured=secured, sought=sought, gap=max(cost - secured, 0))


def totals_by_action(actions: Iterable, lines_by_action: dict[int, list]) -> dict[int, Totals]:
    return {action.id: action_totals(action.cost, lines_by_action.get(action.id, []))
            for action in actions}


def plan_totals(actions: Iterable, lines_by_action: dict[int, list],
                per_action: dict[int, Totals] | None = None) -> tuple[dict, Totals]:
    """(sector → Totals in the sectors' order, the whole plan's Totals); ``per_action``:
    the actions' own totals when they are at hand already."""
    by_sector: dict = {}
    overall = Totals()
    for action in actions:
        if action.status == ActionStatus.DROPPED:
            continue
        totals = (per_action[action.id] if per_action is not None else
                  action_totals(action.cost, lines_by_action.get(action.id, [])))
        by_sector.setdefault(action.sector, Totals()).add(totals)
        overall.add(totals)
    order = {sector: rank for rank, sector in enumerate(ContractSector)}
    return dict(sorted(by_sector.items(), key=lambda item: order[item[0]])), overall
