"""The one memo of the process (memo.Memo): bounded in number and size, the least
recently used first, safe under threads; and the key context that keeps a language's, a time
zone's or a root path's values apart (memo.key_context)."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale, refresh

from m100hub.i18n import cached_format_datetime, format_number
from m100hub.memo import AppMemo, Memo, key_context
from m100hub.templating import cached_url_for
from tests.support.web import fresh_g

NOON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # 14:00 in Bucharest


def kept(memo: Memo, keys) -> list:
    return [key for key in keys if key in memo]


def test_a_memo_keeps_at_most_kept_values_the_oldest_going_first():
    memo: Memo[str] = Memo("test", kept=3)
    made = []
    for key in "abcde":
        assert memo.get(key, lambda k=key: made.append(k) or k.upper()) == key.upper()
    assert len(memo) == 3 and kept(memo, "abcde") == ["c", "d", "e"]
    assert memo.get("e", str) == "E" and made == list("abcde")  # a hit makes nothing


def test_a_memo_keeps_at_most_kept_size_in_all():
    memo: Memo[str] = Memo("test", kept=100, kept_size=10, size=len)
    for key, value in (("a", "aaaa"), ("b", "bbbb"), ("c", "cc")):
        memo.get(key, lambda v=value: v)
    assert memo.total_size == 10 and len(memo) == 3
    memo.get("d", lambda: "ddd")  # 13 > 10: the oldest goes
    assert kept(memo, "abcd") == ["b", "c", "d"] and memo.total_size == 9
    memo.get("e", lambda: "eeeeeeee")  # 17: b, c and d go
    assert kept(memo, "abcde") == ["e"] and memo.total_size == 8
    # larger than the whole memo: made, given, not kept (and nothing dropped for it)
    assert memo.get("f", lambda: "f" * 11) == "f" * 11
    assert kept(memo, "ef") == ["e"] and memo.total_size == 8
    memo.clear()
    assert len(memo) == 0 and memo.total_size == 0


def test_a_value_asked_again_in_the_older_half_goes_last():
    """A hit on a value in the older half moves it to the end; one in the newer half stays
    where it is (a hit is then a lookup only), and so goes in the order it was stored."""
    memo: Memo[str] = Memo("test", kept=4)
    for key in "abcd":
        memo.get(key, lambda k=key: k)
    memo.get("a", str)  # the oldest: moved to the end
    memo.get("d", str)  # the newest: stays
    memo.get("e", lambda: "e")
    assert kept(memo, "abcde") == ["a", "c", "d", "e"]
    memo.get("f", lambda: "f")
    assert kept(memo, "abcdef") == ["a", "d", "e", "f"]
    memo.get("g", lambda: "g")  # d, not a: a was used after d was stored
    assert kept(memo, "abcdefg") == ["a", "e", "f", "g"]


def test_two_values_fit_where_two_are_kept():
    memo: Memo[str] = Memo("test", kept=2)
    memo.get("a", lambda: "a"), memo.get("b", lambda: "b"), memo.get("a", str)
    memo.get("c", lambda: "c")
    assert kept(memo, "abc") == ["a", "c"]


def test_a_value_may_be_made_from_the_same_memo():
    """What is made is made outside the lock: a layout block inside another one."""
    memo: Memo[str] = Memo("test", kept=10)
    assert memo.get("outer", lambda: "<" + memo.get("inner", lambda: "i") + ">") == "<i>"
    assert len(memo) == 2


def test_threads_asking_at_once_get_their_keys_values_within_the_bounds():
    memo: Memo[str] = Memo("test", kept=40, kept_size=400, size=len)
    keys = [f"k{n}" for n in range(120)]
    expected = {key: key * (1 + int(key[1:]) % 5) for key in keys}
    wrong: list = []
    start = threading.Barrier(8)

    def ask(offset: int) -> None:
        start.wait()
        for round_ in range(10_000):
            key = keys[(offset * 7 + round_ * (offset + 1)) % len(keys)]
            if memo.get(key, lambda k=key: expected[k]) != expected[key]:
                wrong.append(key)
            if len(memo) > memo.kept or memo.total_size > 400:
                wrong.append(("bound", len(memo), memo.total_size))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
    assert 0 < len(memo) <= 40
    assert memo.total_size == sum(len(expected[key]) for key in keys if key in memo) <= 400


def test_an_app_memo_is_each_apps_own():
    memo: AppMemo[str] = AppMemo("test", kept=2)
    first, second = Flask("first"), Flask("second")
    with first.app_context():
        assert memo.get("name", lambda: "first") == "first"
    with second.app_context():
        assert memo.get("name", lambda: "second") == "second"
    with first.app_context():
        assert memo.get("name", lambda: "again") == "first"
    assert len(memo.of(first)) == len(memo.of(second)) == 1


def _request(app, language: str = "ro", root: str = ""):
    context = app.test_request_context("/", headers={"Cookie": f"lang={language}"},
                                       environ_overrides={"SCRIPT_NAME": root})
    context.push()
    fresh_g(None)  # as each real request: no language chosen yet
    return context


@pytest.fixture
def in_request(app):
    contexts = []

    def push(language: str = "ro", root: str = ""):
        contexts.append(_request(app, language, root))

    yield push
    while contexts:
        contexts.pop().pop()


def test_the_key_context_is_the_language_time_zone_and_root_path(app, in_request,
                                                                   monkeypatch):
    in_request("ro")
    assert key_context() == ("ro", "Europe/Bucharest", "")
    assert key_context() is key_context()  # looked up once
    with force_locale("en"):
        assert key_context() == ("en", "Europe/Bucharest", "")
    assert key_context() == ("ro", "Europe/Bucharest", "")
    monkeypatch.setattr(app.extensions["babel"], "timezone_selector", lambda: "UTC")
    refresh()
    assert key_context() == ("ro", "UTC", "")
    in_request("en", "/hub")
    assert key_context() == ("en", "UTC", "/hub")


def test_remembered_values_follow_the_language_time_zone_and_root_path(app, in_request,
                                                                         monkeypatch):
    seen = {}
    for language, root in (("ro", ""), ("en", ""), ("ro", "/hub"), ("ro", "")):
        in_request(language, root)
        seen[language, root] = (cached_format_datetime(NOON), format_number(1234.5),
                                cached_url_for("forums.index"))
    assert seen["ro", ""] == ("15 ian. 2026, 14:00:00", "1.234,5", "/forums")
    assert seen["en", ""] == ("15 Jan 2026, 14:00:00", "1,234.5", "/forums")
    assert seen["ro", "/hub"] == ("15 ian. 2026, 14:00:00", "1.234,5", "/hub/forums")
    monkeypatch.setattr(app.extensions["babel"], "timezone_selector", lambda: "UTC")
    in_request("ro")
    assert cached_format_datetime(NOON) == "15 ian. 2026, 12:00:00"


def test_a_shared_block_follows_the_time_zone(app, in_request, monkeypatch):
    """The layout's blocks are kept by the key context: one that shows a moment shows it in
    the reader's time zone, though its inputs do not name it."""
    block = '{% call shared("test-clock") %}{{ format_datetime(noon, "short") }}{% endcall %}'
    in_request("en")
    assert render_template_string(block, noon=NOON) == "15/01/2026, 14:00"
    monkeypatch.setattr(app.extensions["babel"], "timezone_selector", lambda: "UTC")
    in_request("en")
    assert render_template_string(block, noon=NOON) == "15/01/2026, 12:00"
