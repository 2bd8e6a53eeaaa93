"""The investment plan's sums of one action (the sums per sector, per contract and for the
whole country are made in the database the same way: contracts/queries.py money_by).

The gap is counted per action (its cost less what is secured for it, never below zero) and
then added up: money secured beyond one action's cost does not pay for another. Dropped
actions are not in the plan any more and count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
