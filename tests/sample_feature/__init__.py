"""A small feature package, as a new capability would be written: the house test
(tests/house/test_features.py) adds it to an app and finds it in the menu, the beat schedule,
``flask m100 rerender``, the moderation queue, the demo data, a city's page and feed, the
home page (a section and a figure) and the hub's search."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, update

from m100hub.database import utcnow
from m100hub.extensions import db
from m100hub.features import (
    DemoData,
    Feature,
    FeedSource,
    Figure,
    MarkdownField,
    MenuItem,
    PersonalData,
    Records,
    SearchQuery,
    SearchSource,
    Section,
)
from m100hub.feeds import Entry
from m100hub.folding import result_columns, text_has_words
from m100hub.moderation import Reportable
from m100hub.text import render_markdown

from .models import Note

bp = Blueprint("notes", __name__, template_folder="templates")


@bp.route("/notes")
def index():
    return render_template("sample_feature/_note.html", item=None)


def _set_hidden(note, hidden, by, reason):
    note.hidden_dt = utcnow() if hidden else None
    note.hidden_reason = reason if hidden else ""
    db.session.flush()


def _city_entries(city, limit: int) -> list[Entry]:
    notes = db.session.scalars(select(Note).where(Note.city_id == city.id).limit(limit))
    return [Entry(title=f"Note {note.id}", url=f"http://localhost/notes#note-{note.id}",
                  updated=utcnow(), content=note.body_html) for note in notes]


def _search(query: SearchQuery):
    """Visible notes holding the words (folded in the query), for the hub's search."""
    return select(*result_columns(
        ident=Note.id, title=Note.body, body=Note.body, sort_dt=Note.created_dt,
        city_id=Note.city_id, words=query.words,
    )).where(Note.hidden_dt.is_(None), text_has_words(Note.body, query.words))


def _seed(demo: DemoData) -> None:
    for city in demo.cities.values():
        if db.session.scalar(select(Note.id).where(Note.city_id == city.id)) is None:
            body = f"O notă despre **{city.name}**."
            db.session.add(Note(city_id=city.id, body=body, body_html=render_markdown(body)))
    db.session.flush()


feature = Feature(
    "notes", blueprint=bp, models="tests.sample_feature.models",
    menu=[MenuItem("notes.index", _l("Notes"), order=45)],
    tasks=["tests.sample_feature.tasks"],
    beat={"notes-sweep": {"task": "notes.sweep", "schedule": 60.0}},
    markdown=[MarkdownField(Note, "body", "body_html")],
    rate_limits={"RATE_LIMIT_NOTE": "3 per minute"},
    reportables=[Reportable(
        kind="note", model=Note, label=_l("Notes"), empty=_l("No note is waiting."),
        find=lambda ident: db.session.get(Note, ident),
        can_report=lambda user, note: user.is_authenticated and note.visible,
        set_hidden=_set_hidden, log=lambda moderator, action, note, reason: None,
        url=lambda note: f"/notes#note-{note.id}",
        awaiting=lambda: Note.hidden_dt.is_not(None) & (Note.hidden_reason == ""),
        template="sample_feature/_note.html",
        report_title=lambda note: "Report a note", report_help="Say what is wrong.",
        messages={"thanks": "Thanks.", "hidden": "Hidden.", "shown": "Shown.",
                  "reason_needed": "A reason."},
    )],
    sections=[Section("city", "sample_feature/_city.html",
                      lambda city: {"notes": list(db.session.scalars(
                          select(Note).where(Note.city_id == city.id))),
                          "signed_in": current_user.is_authenticated}),
              Section("home", "sample_feature/_home.html",
                      lambda _viewer: {"count": db.session.scalar(
                          select(func.count(Note.id)))})],
    figures=[Figure(_l("notes"), lambda: select(func.count(Note.id)).scalar_subquery())],
    feeds=[FeedSource("city", _city_entries)],
    demo=_seed,
    search=[SearchSource("notes", _l("Notes"), _search,
                         lambda row: f"/notes#note-{row.ident}")],
    personal_data=PersonalData(
        export=lambda person: [Records("notes", "Notes", [
            {"text": n.body} for n in db.session.scalars(
                select(Note).where(Note.author_id == person.id))])],
        erase=lambda person: db.session.execute(
            update(Note).where(Note.author_id == person.id).values(author_id=None)),
        models=(Note,)),
)
