"""Language and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel import dates, numbers
from flask import Flask, current_app, g, request
from flask_babel import format_decimal, get_locale, get_timezone, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from .memo import Memo, key_context

LANG_COOKIE = "lang"
#: whose conventions a language's dates and times follow, when not its own default: English
#: as written in Europe (day first, 24-hour clock: 12/06/2026, 18:00), never the US's
#: (6/12/26, 6:00 PM), which reads as another day here
DATE_LOCALES = {"en": "en_150"}


def select_locale() -> str:
    """User preference → cookie → Accept-Language → Romanian."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie is not None and cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def remember_language(response, language: str):
    response.set_cookie(LANG_COOKIE, language, max_age=31536000, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


#: formatted moments by (key context, formatter, moment, format): Babel's formatting costs
#: some 50 µs, and a page shows the same moments (its posts') request after request
_MOMENTS: Memo[str] = Memo("formatted moments", kept=20_000)
#: numbers that are not whole, formatted, by (key context, type, value)
_NUMBERS: Memo[str] = Memo("formatted numbers", kept=20_000)


def _remembered(formatter, moment, format_name: str) -> str:
    if moment is None:
        return ""
    return _MOMENTS.get((key_context(), formatter.__name__, moment, format_name),
                        formatter, moment, format_name)


def format_number(value) -> str:
    """A number in the reader's language (template global). Whole numbers are grouped here
    with the language's group symbol — Babel's result for them (the languages' patterns group
    by three from a thousand on), at a hundredth of its cost: a contract page shows a
    thousand amounts. Anything else goes to Babel."""
    if isinstance(value, int) and not isinstance(value, bool):
        symbols = g.get("m100_group_symbols")
        if symbols is None:
            symbols = g.m100_group_symbols = {}
        language = str(get_locale())
        symbol = symbols.get(language)
        if symbol is None:
            symbol = symbols[language] = numbers.get_group_symbol(language)
        return f"{value:,}".replace(",", symbol)
    # the rest (tCO2e, per-inhabitant figures, shares) through Babel, remembered as the
    # moments are: a national page shows a thousand of them, the same request after request
    return _NUMBERS.get((key_context(), type(value).__name__, value), format_decimal, value)


def date_locale() -> str:
    language = str(get_locale())
    return DATE_LOCALES.get(language, language)


def format_datetime(moment: datetime, format_name: str = "medium") -> str:
    """A moment in the reader's time zone, in their language's (European) conventions."""
    return dates.format_datetime(moment, format_name, tzinfo=get_timezone(),
                                 locale=date_locale())


def format_date(moment: date, format_name: str = "medium") -> str:
    if isinstance(moment, datetime):  # the day it is where the reader is (naive: UTC)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(
            get_timezone())
    return dates.format_date(moment, format_name, locale=date_locale())


def format_time(moment: datetime, format_name: str = "medium") -> str:
    return dates.format_time(moment, format_name, tzinfo=get_timezone(), locale=date_locale())


def cached_format_datetime(moment, format_name: str = "medium") -> str:
    return _remembered(format_datetime, moment, format_name)


def cached_format_date(moment, format_name: str = "medium") -> str:
    return _remembered(format_date, moment, format_name)


def format_when(moment) -> str:
    """A day and a time, as people say them ("5 decembrie 2026, 18:00"; in English
    "5 December 2026, 18:00"), in Bucharest time (remembered: a consultation's page says
    its moments a dozen times, request after request)."""
    if moment is None:  # Babel's "now", as before: never remembered
        return _when(moment, "when")
    return _remembered(_when, moment, "when")


def _when(moment, _format_name: str) -> str:
    return f"{format_date(moment, 'long')}, {format_time(moment, 'short')}"


def locale_name() -> str:
    """The request's language ("ro", "en"), a template global (``get_locale``): the key
    context's, looked up once per request and locale, where Flask-Babel's ``get_locale``
    walks the contexts each time."""
    return key_context()[0]


def _translations():
    """The request's catalogue, looked up once per request and locale: Flask-Babel's own
    lookup walks the app and request contexts a dozen times, and a page asks it for every
    string it shows. A ``refresh()`` (a changed language) makes a new locale object, and so
    a new lookup."""
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:
        return get_translations()
    cached = getattr(ctx, "m100_translations", None)
    if cached is None or cached[0] is not locale:
        cached = ctx.m100_translations = (locale, get_translations())
    return cached[1]


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables) -> str:
    """``_()`` and ``gettext()`` in templates: what Jinja's newstyle gettext returns (the
    translation, marked safe when the template escapes, formatted with the call's escaped
    keyword arguments), asked directly. Jinja's own goes through ``_``'s alias, the
    context's lookup of ``gettext`` and two ``Context.call``: 6.2 µs a string against 2.x
    here, and a page says 40–80 of them."""
    text = _translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (the catalogue's own text)
    # "%" alone formats too: a catalogue's "%%" says one "%"
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int,
                       **variables) -> str:
    """``ngettext()`` in templates, as ``_template_gettext``: ``num`` is ``%(num)s``."""
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (the catalogue's own text)
    return text % variables


def register(app: Flask) -> None:
    # Jinja's i18n extension (Flask-Babel turns it on) adds this method at run time; it
    # sets newstyle gettext (what {% trans %} compiles to), whose two most used callables
    # are then replaced by direct ones
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
    )
    app.jinja_env.globals.update(
        get_locale=locale_name,
        format_datetime=cached_format_datetime,
        format_date=cached_format_date,
        format_when=format_when,
        format_number=format_number,
    )
