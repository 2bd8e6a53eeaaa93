"""Shared by the query-count tests of the house's lists and of features' admin lists: the
two data sizes, the page size, and the check that a page's queries do not grow."""

from __future__ import annotations

SMALL, LARGE = 3, 40
PER_PAGE = 30
SIGNED_IN = 2  # loading the signed-in person, and counting their unread notifications


def assert_flat(small, large, bound: int) -> None:
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= bound, repr(large)
