"""Password policy: at least 10 characters, not a common password, not the person's name or
e-mail. The common list is zxcvbn's 30,000 most used passwords (kept in a package rather
than a file of ours)."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, email: str = "", name: str = "") -> str | None:
    """The reason a password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return str(_l("This password is too common; choose another one."))
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and lowered.replace(" ", "") == name.lower().replace(" ", "")
    ):
        return str(_l("Do not use your name or e-mail address in the password."))
    return None
