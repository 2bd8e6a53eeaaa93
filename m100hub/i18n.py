"""Language and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale
from flask_login import current_user

LANG_COOKIE = "lang"


def select_locale() -> str:
    """User preference → cookie → Accept-Language → Romanian."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def remember_language(response, language: str):
    response.set_cookie(LANG_COOKIE, language, max_age=31536000, samesite="Lax", httponly=True)
    return response


def format_when(moment) -> str:
    """A day and a time, as people say them ("5 decembrie 2026, 18:00"), in Bucharest time."""
    return f"{format_date(moment, 'long')}, {format_time(moment, 'short')}"


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        get_locale=lambda: str(get_locale()),
        format_datetime=format_datetime,
        format_date=format_date,
        format_when=format_when,
        format_number=format_decimal,
    )
