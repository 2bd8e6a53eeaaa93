"""The resources library: knowledge items and good practices, funding opportunities with
deadline reminders, suggested by verified organisation members and curated by the
secretariat (issue 16)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..contracts import funding_calls as contract_calls
from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("resources", __name__, template_folder="templates")

from . import api, demo, funding_views, kinds, personal_data, queries, search, views  # noqa: E402,F401
from .models import FundingCall, Resource  # noqa: E402

feature = Feature(
    "resources", blueprint=bp, models="m100hub.resources.models",
    menu=[MenuItem("resources.index", _l("Resources"), order=47)],
    tasks=["m100hub.resources.tasks"],
    beat={"resources-deadline-reminders": {
        "task": "resources.send_deadline_reminders", "schedule": 3600.0}},
    markdown=[MarkdownField(Resource, "summary", "summary_html"),
              MarkdownField(Resource, "result", "result_html"),
              MarkdownField(FundingCall, "summary", "summary_html")],
    demo=demo.seed, personal_data=personal_data.PERSONAL_DATA, search=search.SEARCH,
    api=[api.blp],
)

contract_calls.register(contract_calls.CallSource(
    choices=queries.published_call_choices, titles=queries.call_titles,
    endpoint="resources.funding_call"))
