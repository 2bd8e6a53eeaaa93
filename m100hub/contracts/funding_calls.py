"""The funding opportunities a funding line may point to. They live in the resources
feature, which builds on contracts (a good practice links to an action): it registers here
where the choices and titles come from, so contracts never imports it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallSource:
    #: (id, label) of the calls a line may point to now
    choices: Callable[[], list[tuple[int, str]]]
    #: ids (None: a line without a call) → titles of those calls (any state)
    titles: Callable[[Iterable[int | None]], dict[int, str]]
    #: the endpoint of a call's page (its argument: ``call_id``)
    endpoint: str


SOURCE: list[CallSource] = []


def register(source: CallSource) -> None:
    SOURCE[:] = [source]


def source() -> CallSource | None:
    return SOURCE[0] if SOURCE else None
