"""Discussion forums: categories per sector and city, threads, posts, moderation, search."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("forums", __name__, template_folder="templates")

from . import (  # noqa: E402,F401,I001
    demo, feeds, kinds, links, mentions, moderation, moderation_views, personal_data, search,
    sections, views)
from .models import Post  # noqa: E402

feature = Feature(
    "forums", blueprint=bp, models="m100hub.forums.models",
    menu=[MenuItem("forums.index", _l("Forums"), order=30)],
    markdown=[MarkdownField(Post, "body", "body_html",
                            render=lambda body: mentions.render_post(body)[0])],
    reportables=[moderation.REPORTABLE], sections=sections.SECTIONS, feeds=feeds.FEEDS,
    demo=demo.seed, personal_data=personal_data.PERSONAL_DATA, search=search.SEARCH,
    linkables=links.LINKABLES,
)
