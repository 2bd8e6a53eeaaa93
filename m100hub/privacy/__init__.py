"""Privacy, as EU law expects of a public platform: the privacy notice and the terms of use
(versioned; accepted at sign-up and again before writing when they change), a person's data
download (JSON and a readable page) and the deletion of their account — by themselves, or by
the secretariat on their request. Each feature answers for its own data
(``Feature.personal_data``, m100hub/features.py)."""

from flask import Blueprint

from ..features import Feature

bp = Blueprint("privacy", __name__, template_folder="templates")

from . import kinds, views  # noqa: E402,F401

feature = Feature("privacy", blueprint=bp,
                  template_globals={"documents_to_accept": views.documents_to_accept})
