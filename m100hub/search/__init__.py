"""One search across the hub: each feature declares what it adds (``Feature.search``, a list
of ``SearchSource``); this package asks them all in one UNION, with filters by kind, sector
and city, insensitive to case and Romanian diacritics (m100hub.folding)."""

from flask import Blueprint

from ..features import Feature

bp = Blueprint("search", __name__, template_folder="templates")

from . import views  # noqa: E402,F401

feature = Feature("search", blueprint=bp)
