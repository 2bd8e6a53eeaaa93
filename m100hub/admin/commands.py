"""``flask m100 create-admin``."""

from __future__ import annotations

import click

from ..accounts import passwords
from ..accounts import services as accounts
from ..cli import group
from ..database import commit
from .services import set_role


@group.command("create-admin")
@click.argument("email")
@click.option("--name", default="Secretariat M100", help="Display name for a new account.")
@click.password_option(help="Password (asked for when not given).")
def create_admin(email, name, password):
    """Create a confirmed administrator, or make an existing account one."""
    user = accounts.find_by_email(email)
    if user is None:
        reason = passwords.problem(password, email=email, name=name)
        if reason:
            raise click.BadParameter(reason, param_hint="password")
        user = accounts.create_user(name, email, password, "public")
    accounts.confirm_email(user)
    set_role(None, user, "admin", True)  # in the public activity log, by "the system"
    commit()
    click.echo(f"{user.email} is an administrator.")
