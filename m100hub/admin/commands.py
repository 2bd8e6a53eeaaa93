"""``flask m100 create-admin``, ``flask m100 bounce``."""

from __future__ import annotations

import click

from .. import mail
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


@group.command("bounce")
@click.argument("address")
@click.option("--reason", default="", help="The bounce report's words (its DSN status).")
def bounce(address, reason):
    """Mark an address as bouncing, from a bounce report (DSN) that arrived after the mail
    server had accepted the message: nothing more is sent to it until its person confirms
    it again. For the operator, or a script that reads the bounce mailbox."""
    address = address.strip().lower()
    if "@" not in address or len(address) > 320 or any(c.isspace() for c in address):
        raise click.BadParameter("not an e-mail address", param_hint="ADDRESS")
    mail.record_bounce(address, reason.strip() or "Reported as bouncing (flask m100 bounce)")
    holder = accounts.find_by_email(address)
    commit()
    whose = "its account" if holder is not None else "no account has it"
    click.echo(f"{address} bounces: no more e-mail to it until it is confirmed again "
               f"({whose}).")
