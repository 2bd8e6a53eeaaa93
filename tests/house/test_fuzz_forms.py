"""A fuzz test over every form (issue 12 #13): every POST/PUT/PATCH/DELETE route of the url_map
— a new feature's routes too — is sent bad input, field by field, as five kinds of account
(anonymous, unconfirmed, member, official, admin), with CSRF protection on.

For each route and account: a request without the CSRF token (400, nothing written); one with
plausible values (the form's own, as its page shows them); then for every field of the form
several bad values (empty, 10,000 characters, control characters, line breaks, NUL bytes,
bytes that are not UTF-8, huge and negative numbers, words where a number goes, the field
repeated, a file part, unknown ids, the field left out…), a few requests with every field bad,
an empty body and the route's address with unknown ids. Never a 5xx; a 4xx wrote nothing
(every table's row count and, on PostgreSQL, its rows' versions unchanged); a request that
carries its token never fails the CSRF check. Each route starts from the same seeded data
(a savepoint rolled back after it).

Seeded random: the seed is printed (FUZZ_SEED replays a run; FUZZ_SEED=random picks a new
one). A seeded generator rather than Hypothesis: the routes, accounts, fields and kinds of
bad value are enumerated (every one is sent), only the choice of values is drawn, so the run
is exhaustive where it matters, bounded in time, and needs no shrinking of a database state
nor an example database; and it adds no dependency.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import timedelta

import flask_wtf.csrf
import pytest
from flask import abort, request, url_for
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import func, select
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.security import generate_password_hash

from m100hub.database import commit
from m100hub.extensions import db as _db
from m100hub.extensions import limiter
from m100hub.features import registry
from tests.support import consultations as cs
from tests.support import event_factories as ef
from tests.support import factories, fuzzing
from tests.support import forum_factories as ff
from tests.support.web import session_identifier

ACCOUNTS = ("anonymous", "unconfirmed", "member", "official", "admin")
#: bad values per field and account, when the account may use the route (a refused account
#: gets a request without the token, a plausible one and one with every field bad); the
#: further scenes of a route (a draft, a closed consultation…) get all but the field-by-field
#: values. FUZZ_DEPTH=n sends n times as many (a longer run, by hand).
PER_FIELD = {"anonymous": 1, "unconfirmed": 1, "member": 1, "official": 1, "admin": 2}
DEPTH = int(os.environ.get("FUZZ_DEPTH", "1"))


@pytest.fixture
def fuzz_db(app):
    """The ``db`` fixture's rolled-back transaction, with its connection at hand (each
    route runs in a savepoint of its own)."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = scoped_session(scopefunc=_app_ctx_id, session_factory=sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=True))
        try:
            yield connection
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


def seed_world() -> tuple[dict, list[dict]]:
    """People of each kind, and a thread, consultations in three phases, an event, an
    organisation with memberships: (account → session id, scenes of ids to fill routes)."""
    people = {"unconfirmed": factories.person("unconfirmed"),
              "member": factories.person("citizen"),
              "official": factories.person("official"), "admin": factories.person("admin")}
    other = factories.user()
    member, official = people["member"], people["official"]
    thread = ff.thread(author=member)
    reply = ff.reply(thread, author=other)
    organisation = factories.organisation()
    pending = factories.membership(member, organisation, status="pending")
    verified = factories.membership(other, organisation)
    event = ef.event(organiser=official)
    ef.register(member, event)
    past = ef.event(organiser=official, starts_in=-timedelta(days=3))
    _db.session.commit()
    consultations = {phase: cs.build(phase, author=official) for phase in
                     ("open", "draft", "closed")}
    proposal = cs.propose(consultations["open"], author=member)
    comment = cs.comment(consultations["open"], author=member, proposal_id=None)
    _db.session.commit()
    common = {"thread_id": thread.id, "category_id": thread.category_id,
              "city_id": factories.city().id, "user_id": member.id, "proposal_id": proposal,
              "comment_id": comment, "organisation_id": organisation.id,
              "forums:slug": "general", "organisations:slug": organisation.slug,
              "token": "x"}
    scenes = []
    for n, scene in enumerate(consultations.values()):
        scenes.append({**common, "consultation_id": scene.id,
                       "question_id": list(scene.questions.values())[n],
                       "post_id": (ff.opening_post(thread).id, reply.id)[n % 2],
                       "membership_id": (pending.id, verified.id)[n % 2],
                       "event_id": (event.id, past.id)[n % 2],
                       "notification_id": first_id("notification")})
    for person in people.values():  # checked on every password form: a cheap hash
        person.password_hash = generate_password_hash(factories.PASSWORD, "pbkdf2:sha256:1")
    _db.session.commit()
    sessions = {name: person.get_id() for name, person in people.items()}
    return sessions, scenes


def first_id(name: str) -> int | None:
    wanted = name.replace("_", "")
    for mapper in _db.Model.registry.mappers:
        if mapper.class_.__name__.lower() == wanted and hasattr(mapper.class_, "id"):
            return _db.session.scalar(select(func.min(mapper.class_.id)))
    return None


class Fuzzer:
    """Sends the requests, one test client per account, and notes what went wrong."""

    def __init__(self, app, connection, rng, sessions, scenes):
        self.app, self.connection, self.rng = app, connection, rng
        self.sessions, self.scenes = sessions, scenes
        self.clients = {name: app.test_client() for name in ACCOUNTS}
        self.tokens: dict[str, str] = {}
        self.query = fuzzing.fingerprint_query(_db.metadata, connection.dialect.name)
        self.problems: list[str] = []
        self.statuses: Counter = Counter()
        self.sent = 0
        self.csrf_failures: list[str] = []
        self.reportables = registry(app).reportables()
        self.state: dict = {}
        self.routes = 0

    # -------------------------------------------------------- accounts and state

    def sign_in_all(self) -> None:
        for name, client in self.clients.items():
            raw, signed = fuzzing.csrf_pair(self.app.secret_key)
            self.tokens[name] = signed
            with client.session_transaction() as sess:
                sess.clear()
                sess[fuzzing.CSRF_FIELD] = raw
                if name in self.sessions:
                    sess.update(_user_id=self.sessions[name], _fresh=True,
                                _id=session_identifier(client))

    def fingerprint(self) -> dict:
        return {row[0]: (row[1], row[2]) for row in self.connection.execute(self.query)}

    # -------------------------------------------------------- fields

    def discover(self, routes) -> dict[str, dict[str, fuzzing.Field]]:
        """Per endpoint, the fields of the forms that post to it, as the pages show them
        (every GET page, as admin and anonymous), and those of the WTForms classes
        its view names."""
        adapter = self.app.url_map.bind("localhost")
        found: dict[str, dict[str, fuzzing.Field]] = {}
        pages = [r for r in self.app.url_map.iter_rules()
                 if "GET" in (r.methods or ()) and r.endpoint != "static"]
        self.sign_in_all()
        for rule in pages:
            route = fuzzing.Route(rule.endpoint, rule.rule, "GET", dict(rule._converters), None)
            for account in ("admin", "anonymous"):
                url = self.url(route, self.scenes[0])
                response = self.clients[account].get(url)
                body = response.get_data(as_text=True)  # a streamed body (a CSV) runs and ends
                response.close()
                _db.session.remove()
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                for action, fields in fuzzing.forms_on(body).items():
                    try:
                        endpoint, _args = adapter.match(action or url, method="POST")
                    except Exception:  # noqa: BLE001, S112 (a form to elsewhere)
                        continue
                    into = found.setdefault(endpoint, {})
                    for name, one in fields.items():
                        into.setdefault(name, one)
        for route in routes:
            into = found.setdefault(route.endpoint, {})
            for name, one in fuzzing.view_form_fields(route.view).items():
                into.setdefault(name, one)
            into.pop(fuzzing.CSRF_FIELD, None)
        return found

    def distinct(self, route, scenes) -> list[dict]:
        """The scenes that give the route different arguments."""
        seen = {}
        for scene in scenes:
            seen.setdefault(tuple(scene.get(name) for name in route.arguments), scene)
        return list(seen.values())

    def url(self, route, scene, unknown=False) -> str:
        values = fuzzing.url_values(route, scene, first_id, self.reportables, self.rng,
                                    unknown=unknown)
        with self.app.test_request_context():
            return url_for(route.endpoint, **values)

    # -------------------------------------------------------- requests

    def send(self, account, route, url, pairs, what, token=True) -> int | None:
        client = self.clients[account]
        if token:
            pairs = [*pairs, (fuzzing.CSRF_FIELD, self.tokens[account])]
        before = self.state
        failed_csrf = len(self.csrf_failures)
        where = f"{account} {route.method} {url} [{what}]"
        self.sent += 1
        error = ""
        try:
            response = client.open(url, method=route.method, **fuzzing.body(pairs, self.rng))
            status = response.status_code
            response.get_data()  # as a client would: a streamed body runs and ends
            response.close()
        except Exception as raised:  # noqa: BLE001 (an unhandled error is the 500 we look for)
            status, error = 500, f"{type(raised).__name__}: {raised}"
        finally:
            _db.session.remove()
        self.statuses[status] += 1
        if status >= 500:
            self.problems.append(f"{where}: {status} {error}"[:400])
        self.state = self.fingerprint()
        if 400 <= status < 500:
            changed = fuzzing.changed_tables(before, self.state)
            if changed:
                self.problems.append(f"{where}: {status} but wrote to {changed}")
        csrf_failed = len(self.csrf_failures) > failed_csrf
        if token and csrf_failed:
            self.problems.append(f"{where}: a valid CSRF token was refused")
        if not token and (status != 400 or not csrf_failed) and not fuzzing.csrf_exempt(
                self.app, route):
            self.problems.append(f"{where}: without a CSRF token: {status}")
        return status

    def fuzz(self, route, account, scene, fields, depth: int) -> None:
        url = self.url(route, scene)
        base = {name: fuzzing.plausible(one) for name, one in fields.items()}

        def pairs(changes: dict) -> list:
            return [(n, v) for n, v in {**base, **changes}.items()]

        self.send(account, route, url, pairs({}), "no CSRF token", token=False)
        status = self.send(account, route, url, pairs({}), "plausible")
        kinds = list(fuzzing.BAD)
        everything = {name: fuzzing.BAD[self.rng.choice(kinds)] for name in fields}
        self.send(account, route, url, pairs(everything), "every field bad")
        if status in (401, 403, 405) or status == 302 and account == "anonymous":
            return  # refused before the form is read: the form's own cases are for others
        self.send(account, route, url, [("zz_unexpected", fuzzing.File)], "only a file part")
        for name, one in fields.items():
            typed = [self.rng.choice(fuzzing.TYPED[one.kind])] if depth and \
                one.kind in fuzzing.TYPED else []
            for kind in self.rng.sample(kinds, depth) + typed:
                self.send(account, route, url, pairs({name: fuzzing.BAD[kind]}), f"{name}={kind}")
        self.send(account, route, url, [], "empty body")
        self.send(account, route, url + "?" + self.rng.choice(fuzzing.ODD_QUERIES), pairs({}),
                  "odd query string")
        if route.arguments:
            self.send(account, route, self.url(route, scene, unknown=True), pairs({}),
                      "unknown ids in the address")


def fuzz_routes(app, connection, monkeypatch, seed: int, only: str | None) -> Fuzzer:
    """Seeds the world, finds every form's fields, and fuzzes every writing route (whose rule
    contains ``only``), each in a savepoint rolled back after it."""
    rng = random.Random(seed)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setattr(limiter, "enabled", False)  # a 429 would hide what comes after it
    sessions, scenes = seed_world()
    fuzzer = Fuzzer(app, connection, rng, sessions, scenes)
    original_validate = flask_wtf.csrf.validate_csrf

    def validate_csrf(*args, **kwargs):
        try:
            return original_validate(*args, **kwargs)
        except Exception:
            fuzzer.csrf_failures.append("x")
            raise

    monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", validate_csrf)
    routes = fuzzing.write_routes(app)
    assert len(routes) > 60, "the url_map's writing routes are not all found"
    routes = [r for r in routes if not only or only in r.rule]
    fields = fuzzer.discover(routes)
    for route in routes:
        savepoint = connection.begin_nested()
        try:
            fuzzer.sign_in_all()
            fuzzer.state = fuzzer.fingerprint()
            for account in ACCOUNTS:
                manages = account in ("admin", "official")
                chosen = fuzzer.distinct(route, scenes) if manages else [rng.choice(scenes)]
                for n, scene in enumerate(chosen):
                    fuzzer.fuzz(route, account, scene, fields.get(route.endpoint, {}),
                                depth=PER_FIELD[account] * DEPTH if n == 0 else DEPTH - 1)
        finally:
            _db.session.remove()
            savepoint.rollback()
    fuzzer.routes = len(routes)
    return fuzzer


@pytest.mark.slow
@pytest.mark.timeout(900)  # about 30 s of CPU: a shared, loaded machine takes far longer
def test_every_form_refuses_bad_input_without_a_500_or_a_write(app, fuzz_db, monkeypatch):
    seed = fuzzing.seed_from_environment()
    print(f"fuzz seed {seed} (FUZZ_SEED={seed} replays this run)")
    started = time.monotonic()
    # FUZZ_ROUTES: a part of the rule, to replay one route's run
    fuzzer = fuzz_routes(app, fuzz_db, monkeypatch, seed, os.environ.get("FUZZ_ROUTES"))
    print(f"fuzz: {fuzzer.sent} requests over {fuzzer.routes} routes in "
          f"{time.monotonic() - started:.1f} s; statuses {dict(sorted(fuzzer.statuses.items()))}")
    assert not fuzzer.problems, "\n".join([f"seed {seed}: {len(fuzzer.problems)} problems",
                                            *fuzzer.problems])


def test_the_fuzzer_sees_a_500_and_a_refusal_that_wrote(app, fuzz_db, monkeypatch):
    """The check itself: a view that fails on what it is usually sent, and writes before
    refusing anything else, is caught both ways."""

    def careless():
        if request.form.get("language") in ("ro", "en"):
            raise RuntimeError("a careless view")
        ff.new_category()
        commit()
        abort(422)

    monkeypatch.setitem(app.view_functions, "main.set_language", careless)
    fuzzer = fuzz_routes(app, fuzz_db, monkeypatch, 1, "/language")
    assert any("RuntimeError: a careless view" in p for p in fuzzer.problems), fuzzer.problems
    assert any("422 but wrote to ['forum_categories']" in p for p in fuzzer.problems)
