"""``flask m100 …`` commands: create-admin, seed-demo, rerender."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

group = AppGroup("m100", help="M100 Hub commands.")


@group.command("create-admin")
@click.argument("email")
@click.option("--name", default="Secretariat M100", help="Display name for a new account.")
@click.password_option(help="Password (asked for when not given).")
def create_admin(email, name, password):
    """Create a confirmed administrator, or make an existing account one."""
    from .accounts import passwords, services
    from .admin.services import set_role
    from .database import commit

    user = services.find_by_email(email)
    if user is None:
        reason = passwords.problem(password, email=email, name=name)
        if reason:
            raise click.BadParameter(reason, param_hint="password")
        user = services.create_user(name, email, password, "public")
    services.confirm_email(user)
    set_role(None, user, "admin", True)  # in the public activity log, by "the system"
    commit()
    click.echo(f"{user.email} is an administrator.")


@group.command("seed-demo")
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords.")
def seed_demo(reset_passwords):
    """Add demo people, organisations and cities (idempotent)."""
    from .database import commit
    from .demo import seed

    created = seed(reset_passwords=reset_passwords)
    commit()
    if not created:
        click.echo("Demo data present already (use --reset-passwords for new passwords).")
        return
    show = current_app.config["M100_ENV"] == "development"
    for email, password in created:
        shown = password if show else "(password not shown outside development)"
        click.echo(f"  {email:38} {shown}")


@group.command("rerender")
def rerender():
    """Render every stored Markdown text again (after the allow-list changes)."""
    from sqlalchemy import select

    from .cities.models import City
    from .database import commit
    from .extensions import db
    from .forums.models import Post
    from .forums.services import render_post
    from .text import render_markdown

    count = 0
    for city in db.session.scalars(select(City)):
        city.summary_html = render_markdown(city.summary)
        count += 1
    for post in db.session.scalars(select(Post).execution_options(yield_per=500)):
        post.body_html = render_post(post.body)[0]
        count += 1
    commit()
    click.echo(f"Re-rendered {count} texts.")


def register(app: Flask) -> None:
    app.cli.add_command(group)
