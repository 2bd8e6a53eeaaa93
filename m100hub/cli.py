"""``flask m100 …`` commands: seed-demo and rerender here; features add theirs to ``group``
(create-admin comes with the admin feature)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .database import commit
from .features import DemoData, registry, rerender_all

group = AppGroup("m100", help="M100 Hub commands.")


@group.command("seed-demo")
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords.")
def seed_demo(reset_passwords):
    """Add demo people, organisations and cities (idempotent)."""
    demo = DemoData(reset_passwords=reset_passwords)
    registry().seed_demo(demo)
    commit()
    created = demo.passwords
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
    count = rerender_all()
    commit()
    click.echo(f"Re-rendered {count} texts.")


def register(app: Flask) -> None:
    app.cli.add_command(group)
