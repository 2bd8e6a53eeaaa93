"""What the lowest layers know of a person.

Notifications and the activity log sit below ``accounts`` (whose services notify and log), so
their rows name the ``User`` model only as a string and may not import it, not even for types.
``Person`` is the part of a user they and their templates read: the type of their ``actor``.
"""

from __future__ import annotations

from typing import Protocol


class Person(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def display_name(self) -> str: ...

    @property
    def handle(self) -> str: ...
