"""The password policy, m100hub.accounts.passwords.problem, on its own."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from m100hub.accounts.passwords import MAX_LENGTH, MIN_LENGTH, common_passwords, problem

TOO_SHORT = "Use at least 10 characters."
TOO_LONG = "Use at most 128 characters."
COMMON = "This password is too common; choose another one."
PERSONAL = "Do not use your name or e-mail address in the password."


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize(
    "password",
    ["verde-si-curat-2035", "x7#Kp2!mQz", "aaaaaabcde", "ăîșțâ-ĂÎȘȚÂ", "q" * 124 + "wert",
     "correct horse battery staple"],
)
def test_acceptable_passwords(password):
    assert problem(password) is None


def test_lengths_at_the_limits():
    assert MIN_LENGTH == 10 and MAX_LENGTH == 128
    assert problem("abcd-12345") is None  # exactly 10
    assert problem("abcd-1234") == TOO_SHORT  # 9
    assert problem("") == TOO_SHORT
    ok = ("abcd-efgh-" * 13)[:128]
    assert problem(ok) is None
    assert problem(ok + "x") == TOO_LONG


@pytest.mark.parametrize("password", ["password123", "PASSWORD123", "Password123", "qwertyuiop",
                                      "1234567890", "iloveyou12"])
def test_common_passwords_in_any_letter_case(password):
    assert password.lower() in common_passwords()
    assert problem(password) == COMMON


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abababababab", "abcabcabcabc",
                                      "1111111111111111", "ABab" + "abAB" * 3])
def test_fewer_than_four_different_characters(password):
    assert problem(password) == COMMON


def test_four_different_characters_are_enough():
    assert problem("abcdabcdabcd") is None


def test_common_list_is_large():
    assert len(common_passwords()) > 10000


@pytest.mark.parametrize(
    ("password", "email"),
    [("maria.popescu", "maria.popescu@example.ro"),
     ("maria.popescu-2035", "maria.popescu@example.ro"),
     ("2035-MARIA.POPESCU!", "Maria.Popescu@example.ro"),
     ("xx-radu-in-oras-xx", "radu@example.ro")],
)
def test_email_local_part_is_refused(password, email):
    assert problem(password, email=email) == PERSONAL
    assert problem(password) is None  # acceptable without that e-mail


def test_short_local_parts_are_not_searched():
    # A local part shorter than 4 characters is too likely to appear by chance.
    assert problem("ana-are-mere-verzi", email="ana@example.ro") is None
    assert problem("mere-verzi-2035", email="") is None


def test_domain_is_not_a_personal_word():
    assert problem("example-de-parola-lunga", email="radu@example.ro") is None


@pytest.mark.parametrize(
    ("password", "name"),
    [("mariapopescu", "Maria Popescu"), ("MariaPopescu", "Maria Popescu"),
     ("Maria Popescu", "Maria Popescu"), ("maria popescu", "Maria  Popescu"),
     ("constantinescu", "Constantinescu")],
)
def test_the_name_itself_is_refused(password, name):
    assert problem(password, name=name) == PERSONAL


def test_a_password_that_only_contains_the_name_is_allowed():
    assert problem("mariapopescu-la-munte", name="Maria Popescu") is None


def test_length_is_checked_before_anything_else():
    assert problem("password", email="password@example.ro") == TOO_SHORT
    assert problem("maria", name="maria") == TOO_SHORT


def test_the_reason_is_a_plain_string():
    # Not a lazy string: WTForms and templates get text they can join and compare.
    assert type(problem("short")) is str
