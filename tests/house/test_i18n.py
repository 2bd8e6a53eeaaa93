"""Every user-visible string is in the catalogues, translated into Romanian with diacritics."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support.environment import ROOT

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|__N__")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def _translated(message) -> bool:
    """A message with a translation; a plural one with every form filled."""
    if message is None or not message.string:
        return False
    return all(message.string) if isinstance(message.string, tuple) else True


def catalogue(language: str):
    with (ROOT / f"m100hub/translations/{language}/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle)


def test_romanian_catalogue_translates_every_string(extracted):
    ro = catalogue("ro")
    missing = sorted(str(i) for i in extracted if not _translated(ro.get(i)))
    assert missing == [], "run `make extract` and translate: " + "; ".join(missing[:10])
    fuzzy = [m.id for m in ro if m.id and m.fuzzy]
    assert fuzzy == []


def test_english_catalogue_knows_every_string(extracted):
    en = catalogue("en")
    assert sorted(str(i) for i in extracted if en.get(i) is None) == []


def test_romanian_uses_comma_below_diacritics_and_keeps_placeholders():
    for message in catalogue("ro"):
        if not message.id:
            continue
        # plural entries: every form keeps the placeholders of the English plural
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            assert translated, message.id
            assert not re.search("[şţŞŢ]", translated), message.id
            assert sorted(PLACEHOLDER.findall(ids[-1])) == sorted(
                PLACEHOLDER.findall(translated)
            ), message.id


def test_pages_follow_the_language(client):
    ro = client.get("/login").get_data(as_text=True)
    assert '<html lang="ro">' in ro
    assert "Intră în cont" in ro
    client.set_cookie("lang", "en")
    en = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in en
    assert "Sign in" in en


def test_wtforms_own_messages_follow_the_language(app):
    """WTForms' messages come from its catalogue, kept per language: a request in one
    language never gets another's."""
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    from m100hub.forms import StrippedMixin

    class Form(StrippedMixin, FlaskForm):
        name = StringField(validators=[DataRequired()])

    for language, message in [("ro", "Acest câmp este obligatoriu."),
                              ("en", "This field is required."),
                              ("ro", "Acest câmp este obligatoriu.")]:
        with app.test_request_context("/", method="POST", data={"name": " "},
                                      headers={"Cookie": f"lang={language}"}):
            form = Form(meta={"csrf": False})
            assert not form.validate()
            assert form.name.errors == [message]


def test_template_gettext_escapes_formats_and_follows_the_language(app):
    """Templates' ``_()``/``ngettext()`` as Jinja's newstyle gettext: the arguments escaped
    in an HTML template and not in a text one, "%%" one "%", plural forms by ``num``."""
    html = app.jinja_env.overlay(autoescape=True).from_string(
        '{{ _("Hello %(name)s!", name=who) }}|{{ _("50%% off") }}|'
        '{{ ngettext("%(num)d support", "%(num)d supports", n) }}|{{ _("Discussion") }}')
    text = app.jinja_env.overlay(autoescape=False).from_string(
        '{{ _("Hello %(name)s!", name=who) }}')
    for language, discussion, supports in [("ro", "Discuție", "3 susțineri"),
                                           ("en", "Discussion", "3 supports")]:
        with app.test_request_context("/", headers={"Cookie": f"lang={language}"}):
            shown = html.render(who="<b>Ana</b>", n=3).split("|")
            assert shown == ["Hello &lt;b&gt;Ana&lt;/b&gt;!", "50% off", supports, discussion]
            assert text.render(who="<b>Ana</b>") == "Hello <b>Ana</b>!"


def test_enum_labels_follow_the_language_and_their_enum(app):
    from m100hub.consultations.models import ProposalStatus
    from m100hub.database import LabelledEnum

    class Other(LabelledEnum):
        NONE = "none", "Nimic de arătat"

    for language, awaiting in [("ro", "În așteptarea răspunsului"),
                               ("en", "Awaiting a response"), ("ro", "În așteptarea răspunsului")]:
        with app.test_request_context("/", headers={"Cookie": f"lang={language}"}):
            assert ProposalStatus.NONE.label == awaiting
            assert Other.NONE.label == "Nimic de arătat" and Other.NONE == ProposalStatus.NONE


def test_dates_and_numbers_follow_the_language(app):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale, format_decimal

    from m100hub.i18n import format_date, format_datetime, format_when

    moment = datetime(2026, 6, 12, 9, 30, tzinfo=UTC)  # 12:30 in Bucharest (summer time)
    late = datetime(2026, 6, 12, 22, 30, tzinfo=UTC)  # already the 13th in Bucharest
    with app.test_request_context():
        with force_locale("ro"):
            assert format_datetime(moment, "short") == "12.06.2026, 12:30"
            assert format_date(moment, "medium") == "12 iun. 2026"
            assert format_when(moment) == "12 iunie 2026, 12:30"
            assert format_decimal(286598) == "286.598"
        with force_locale("en"):
            # day first and a 24-hour clock, as English is written in Europe: never 6/12/26
            assert format_datetime(moment, "short") == "12/06/2026, 12:30"
            assert format_date(moment, "medium") == "12 Jun 2026"
            assert format_date(late, "short") == "13/06/2026"
            assert format_date(date(2026, 6, 12), "long") == "12 June 2026"
            assert format_when(moment) == "12 June 2026, 12:30"
            assert format_decimal(286598) == "286,598"


@pytest.mark.parametrize("language, shown", [
    ("ro", ["12.06.2026, 18:00", "12 iunie 2026, 18:00"]),
    ("en", ["12/06/2026, 18:00", "12 June 2026, 18:00"]),
])
def test_pages_show_dates_day_first_in_both_languages(client, db, language, shown):
    from datetime import UTC, datetime

    from tests.support import event_factories as ef
    from tests.support import forum_factories as ff

    moment = datetime(2026, 6, 12, 15, 0, tzinfo=UTC)  # 18:00 in Bucharest
    thread = ff.thread(title="Fir datat")
    ff.opening_post(thread).created_dt = moment
    event = ef.event(title="Atelier datat")
    event.starts_dt, event.ends_dt = moment, moment.replace(hour=18)
    db.session.commit()
    client.set_cookie("lang", language)

    post_date, event_date = shown
    thread_page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert post_date in thread_page and "6/12/26" not in thread_page
    event_page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert event_date in event_page and "June 12" not in event_page


def test_anonymous_language_link_sets_only_a_cookie(client):
    response = client.get("/language/en?next=/cities")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cities")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("lang=en") for c in cookies)
    assert not any(c.startswith("session=") for c in cookies)
    assert '<html lang="en">' in client.get("/cities").get_data(as_text=True)
    assert client.get("/language/fr").status_code == 404
    outside = client.get("/language/en?next=https://evil.example/")
    assert outside.headers["Location"].endswith("/")


def test_anonymous_pages_set_no_session_cookie(client, db):
    from tests.support import forum_factories as ff

    thread = ff.thread()
    db.session.commit()
    for url in ("/", "/cities", "/forums", "/activity", "/forums/c/general",
                f"/forums/t/{thread.id}"):
        cookies = client.get(url).headers.getlist("Set-Cookie")
        assert not any(c.startswith("session=") for c in cookies), url


def test_whole_numbers_are_grouped_as_babel_groups_them(app):
    """i18n.format_number groups whole numbers itself (Babel costs a hundred times more);
    for every language the hub speaks it must write what Babel writes."""
    import random

    from babel.numbers import format_decimal

    from m100hub.i18n import format_number

    values = [0, 7, -7, 999, 1000, -1000, 12_345, 1_234_567, 10**12, -(10**12)]
    values += random.Random(15).sample(range(-(10**13), 10**13), 500)
    for language in app.config["LANGUAGES"]:
        with app.test_request_context(headers={"Accept-Language": language}):
            for value in values:
                assert format_number(value) == format_decimal(value, locale=language), value
            assert format_number(2.5) == format_decimal(2.5, locale=language)
            # the others are remembered per language (and type): asked twice, the same
            for value in (1234.5, 1234.5, Decimal("1234.50"), -0.125, 1e9 + 0.5):
                assert format_number(value) == format_decimal(value, locale=language), value
