"""The machinery of tests/house/test_fuzz_forms.py: every writing route of the app, the fields
its form takes (from the view's WTForms classes and from the forms the pages show), bad values
of every kind, request bodies that carry them, and a cheap fingerprint of every table.

Seeded: one ``random.Random`` drives every choice, so a seed replays a run exactly."""

from __future__ import annotations

import hashlib
import inspect
import io
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from flask import Flask
from flask_wtf import FlaskForm
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from werkzeug.routing import AnyConverter
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectFieldBase,
    TextAreaField,
)
from wtforms.fields.core import UnboundField

from tests.support.factories import PASSWORD

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: the largest id the database holds, and one past it
MAX_ID = 2**31 - 1
CSRF_FIELD = "csrf_token"


def seed_from_environment(default: int = 20261206) -> int:
    """FUZZ_SEED, or ``random`` for a new one (printed, so a failure can be replayed)."""
    value = os.environ.get("FUZZ_SEED", str(default))
    if value == "random":
        return int.from_bytes(os.urandom(4), "big")
    return int(value)


# ---------------------------------------------------------------- routes


@dataclass
class Route:
    endpoint: str
    rule: str
    method: str
    arguments: dict  # name → converter
    view: object

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}"


def write_routes(app: Flask) -> list[Route]:
    """Every POST/PUT/PATCH/DELETE rule of the url_map, a new feature's too."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in WRITE_METHODS:
            if method in (rule.methods or ()):
                found.append(Route(rule.endpoint, rule.rule, method, dict(rule._converters),
                                   app.view_functions[rule.endpoint]))
    return sorted(found, key=lambda r: (r.rule, r.method))


def csrf_exempt(app: Flask, route: Route) -> bool:
    """A view declared ``@csrf.exempt`` (the one-click unsubscribe: a mail client's RFC 8058
    POST carries no token; its signed link is its authority, checked by the view)."""
    from m100hub.extensions import csrf

    view = app.view_functions[route.endpoint]
    return f"{view.__module__}.{view.__name__}" in csrf._exempt_views


def url_values(route: Route, known: dict, first_id, reportables: dict, rng,
               unknown: bool = False) -> dict:
    """Values for the rule's arguments: seeded ids (``known``: name → id or slug), the
    first row of a model named like the argument (``first_id(name)``), else 1; with
    ``unknown``, ids and slugs that name nothing."""
    values = {}
    for name, converter in route.arguments.items():
        if isinstance(converter, AnyConverter):
            values[name] = rng.choice(sorted(converter.items))
        elif name == "kind":
            values[name] = rng.choice(sorted(reportables))
        elif name == "target_id":
            kind = values.get("kind") or rng.choice(sorted(reportables))
            model = reportables[kind].model.__name__.lower()
            values[name] = known.get(f"{model}_id") or first_id(model) or 1
        elif name.endswith("_id"):
            values[name] = known.get(name) or first_id(name[:-3]) or 1
        else:
            values[name] = known.get(f"{route.endpoint.split('.')[0]}:{name}",
                                     known.get(name, "x"))
        if unknown and name not in ("kind",) and not isinstance(converter, AnyConverter):
            values[name] = MAX_ID if name.endswith("_id") else "zz-nothing-here"
    return values


# ---------------------------------------------------------------- fields


@dataclass
class Field:
    name: str
    kind: str = "text"  # text, textarea, int, date, email, password, bool, choice, many
    value: str = ""
    options: list[str] = field(default_factory=list)


def view_form_fields(view) -> dict[str, Field]:
    """The fields of every WTForms class the view's source names."""
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return {}
    namespace = getattr(inspect.unwrap(view), "__globals__", {})
    fields: dict[str, Field] = {}
    for name in set(re.findall(r"\b([A-Z]\w*Form)\b", source)):
        form = namespace.get(name)
        if isinstance(form, type) and issubclass(form, FlaskForm):
            fields.update(form_class_fields(form))
    return fields


def form_class_fields(form: type) -> dict[str, Field]:
    fields = {}
    for klass in reversed(form.__mro__):
        for name, unbound in vars(klass).items():
            if isinstance(unbound, UnboundField):
                choices = unbound.kwargs.get("choices")
                options = [str(c[0] if isinstance(c, tuple) else c)
                           for c in choices] if isinstance(choices, list) else []
                fields[name] = Field(name, _kind_of(unbound.field_class), options=options)
    return fields


def _kind_of(field_class) -> str:
    for klass, kind in ((TextAreaField, "textarea"), (IntegerField, "int"),
                        (DateTimeLocalField, "date"), (EmailField, "email"),
                        (PasswordField, "password"), (BooleanField, "bool"),
                        (SelectFieldBase, "choice")):
        if issubclass(field_class, klass):
            return "many" if kind == "choice" and "Multiple" in field_class.__name__ else kind
    return "text"


class FormsOnPage(HTMLParser):
    """The POST forms of a page: action → {field name → Field} (values as shown)."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, Field]] = {}
        self._current: dict[str, Field] | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._current = self.forms.setdefault(urlsplit(a.get("action", "")).path, {})
            return
        if self._current is None or not a.get("name") and tag != "option":
            return
        name = a.get("name", "")
        if tag == "input":
            kind = {"checkbox": "bool", "radio": "choice", "number": "int", "email": "email",
                    "password": "password", "datetime-local": "date"}.get(a.get("type", ""),
                                                                         "text")
            found = self._current.setdefault(name, Field(name, kind))
            if kind in ("bool", "choice"):
                found.options.append(a.get("value", "y"))
                if "checked" in a or not found.value:
                    found.value = a.get("value", "y") if "checked" in a else found.value
            elif a.get("value"):
                found.value = a["value"]
        elif tag == "button" and a.get("type", "submit") == "submit":
            found = self._current.setdefault(name, Field(name, "choice"))
            found.options.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = self._current.setdefault(name, Field(name, "textarea"))
        elif tag == "select":
            self._select = self._current.setdefault(
                name, Field(name, "many" if "multiple" in a else "choice"))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_on(page: str) -> dict[str, dict[str, Field]]:
    parser = FormsOnPage()
    parser.feed(page)
    return parser.forms


# ---------------------------------------------------------------- values

PLAUSIBLE = {"text": "Un titlu de test", "textarea": "Un text de test, destul de lung.",
             "int": "5", "date": "2030-01-10T10:00", "email": "fuzz@example.ro",
             "password": PASSWORD, "bool": "y", "choice": "", "many": ""}


def plausible(found: Field) -> str:
    if found.value.strip():
        return found.value
    if found.options:
        return next((o for o in found.options if o), found.options[0])
    return PLAUSIBLE[found.kind]


class File:
    """A file part where a text is expected."""


#: name → what a field gets: a str, bytes (not UTF-8), a list (the field repeated), File, or
#: None (the field left out)
BAD = {
    "empty": "",
    "spaces": " \t\u00a0 ",
    "long": "ă" * 10_000,
    "control": "a\x01\x02\x1b[31m\x7f\x85b",
    "line_breaks": "unu\r\ndoi\nthree\u2028four",
    "nul": "a\x00b",
    "non_utf8": b"\xff\xfe\xc3(\xed\xa0\x80",
    "huge_int": "9" * 30,
    "past_max_id": str(MAX_ID + 1),
    "unknown_id": str(MAX_ID),
    "zero": "0",
    "negative": "-1",
    "huge_negative": "-" + "9" * 25,
    "float": "1.5e308",
    "nan": "NaN",
    "bad_date": "2030-13-45T25:61",
    "first_date": "0001-01-01T00:00",
    "last_date": "9999-12-31T23:59",
    "words": "nu e un număr",
    "markup": "<script>alert(1)</script>' OR 1=1 --",
    "unicode": "\u202e\ufeff👩‍🚀 ăâîșț",
    "list": ["1", "2"],
    "file": File,
    "missing": None,
}


#: query strings a writing route may be sent (where to go next, a page, a filter)
ODD_QUERIES = [
    "next=//elsewhere.example/&page=" + "9" * 30,
    "next=javascript:alert(1)&page=-1",
    "next=%00&consultation=" + "9" * 30 + "&event=abc",
    "quote=" + "9" * 30 + "&tab=%FF%FE",
]


#: kinds of bad value that a field of a type gets besides the ones drawn from BAD
TYPED = {"date": ["bad_date", "first_date", "last_date"],
         "int": ["huge_int", "past_max_id", "huge_negative", "float"],
         "choice": ["unknown_id", "past_max_id", "words", "list"],
         "many": ["unknown_id", "past_max_id", "words"]}


def body(pairs: list[tuple[str, object]], rng) -> dict:
    """Keyword arguments of the test client's ``post``: multipart when a file part is in it
    (or, now and then, anyway), else a urlencoded body (which carries raw non-UTF-8 bytes)."""
    flat: list[tuple[str, object]] = []
    for name, value in pairs:
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            flat.append((name, one))
    has_file = any(v is File for _, v in flat)
    has_bytes = any(isinstance(v, bytes) for _, v in flat)
    if has_file or (not has_bytes and rng.random() < 0.15):
        from werkzeug.datastructures import MultiDict

        data = MultiDict([(n, (io.BytesIO(b"%PDF fuzz"), "fuzz.pdf") if v is File else v)
                          for n, v in flat])
        return {"data": data, "content_type": "multipart/form-data"}
    return {"data": urlencode(flat), "content_type": "application/x-www-form-urlencoded"}


def csrf_pair(secret_key: str) -> tuple[str, str]:
    """(the raw token a session holds, the signed token a form carries), as Flask-WTF makes
    them."""
    raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (Flask-WTF's own scheme)
    return raw, URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token").dumps(raw)


# ---------------------------------------------------------------- the database


def fingerprint_query(metadata, dialect: str):
    """One statement: per table, its row count and (PostgreSQL) the sum of the rows'
    ``xmin``, which moves when a row is updated, not only when one is added or removed."""
    parts = []
    for table in metadata.sorted_tables:
        version = "sum(xmin::text::bigint)" if dialect == "postgresql" else "0"
        parts.append(f"SELECT '{table.name}', count(*), coalesce({version}, 0) "
                     f'FROM "{table.name}"')
    return text(" UNION ALL ".join(parts))


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if after[name] != before.get(name))
