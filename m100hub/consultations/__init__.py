"""Public consultations: phases, questions and ballots, proposals, comments, results."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("consultations", __name__, template_folder="templates")

from . import (  # noqa: E402,F401
    api,
    demo,
    feeds,
    kinds,
    links,
    manage_views,
    moderation,
    participation_views,
    permissions,
    personal_data,
    results_views,
    search,
    sections,
    views,
)
from .models import Comment, Consultation, Proposal  # noqa: E402

feature = Feature(
    "consultations", blueprint=bp, models="m100hub.consultations.models",
    menu=[MenuItem("consultations.index", _l("Consultations"), order=10)],
    tasks=["m100hub.consultations.tasks"],
    beat={"consultation-announcements": {"task": "consultations.announce_phases",
                                         "schedule": 300.0}},
    markdown=[MarkdownField(Consultation, "body", "body_html"),
              MarkdownField(Consultation, "response", "response_html"),
              MarkdownField(Proposal, "body", "body_html"),
              MarkdownField(Comment, "body", "body_html")],
    rate_limits={"RATE_LIMIT_VOTE": "30 per minute;300 per hour"},
    reportables=[moderation.REPORTABLE], sections=sections.SECTIONS, figures=sections.FIGURES,
    feeds=feeds.FEEDS, demo=demo.seed,
    # the discussion's templates ask the same rules as the views
    template_globals={"comment_rules": permissions, **views.TEMPLATE_GLOBALS},
    personal_data=personal_data.PERSONAL_DATA, linkables=links.LINKABLES, search=search.SEARCH,
    api=[api.blp],
)
