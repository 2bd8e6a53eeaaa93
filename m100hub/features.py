"""How a feature joins the hub: one declared ``Feature`` in its package, one line in the app
factory's list. The registry hands each contribution to the part of the house that uses it
(menu, Celery, ``flask m100 rerender``, demo data, rate limits, moderation, page sections), so
adding a feature changes no central file (Indico's ``discover_blueprints``, template hooks).

A feature package's ``__init__.py`` ends with::

    feature = Feature("boards", blueprint=bp, models="m100hub.boards.models",
                      menu=[MenuItem("boards.index", _l("Boards"), order=35)], ...)
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy import select

from .extensions import Model, db
from .folding import refold_all
from .text import render_markdown


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: Any  #: a lazy string, translated when shown
    #: place in the main menu, lowest first
    order: int = 50
    #: who sees it (the signed-in person or an anonymous one); everyone when None
    visible: Callable[[Any], bool] | None = None
    #: a number shown on the entry to those who see it (what awaits them), 0 for none;
    #: asked on every page they open, so one cheap query at most
    badge: Callable[[], int] | None = None


@dataclass(frozen=True)
class MarkdownField:
    """A stored Markdown text and the clean HTML kept beside it (``flask m100 rerender``)."""

    model: type[Model]
    source: str
    html: str
    #: source → clean HTML; None: ``text.render_markdown``
    render: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Section:
    """A part a feature adds to another feature's page ("city", "profile", "consultation",
    "event"): ``context(obj)`` returns the template's variables, or None to show nothing.
    ``page`` names variables of the page itself that ``context`` also receives (as keyword
    arguments): what the page already loaded, so the section does not query it again.

    ``probe(ident)``, when given, says in SQL whether the section has anything to read about
    the object whose id is ``ident`` (an EXISTS over a column of the page's own statement):
    a page that asks its sections' probes in its statement (``section_probes``) hands the
    answers to ``page_sections`` (``FOUND_SECTIONS``), and ``context`` receives
    ``found=False`` when there is nothing, to show its empty state without a query. Each
    statement of its own costs a page some 0.3 ms of Python; a column in the page's
    statement a few µs (the event page: three statements instead of six)."""

    slot: str
    template: str
    context: Callable[..., dict | None]
    order: int = 50
    page: tuple[str, ...] = ()
    probe: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class CardPart:
    """A part a feature adds inside each card of another feature's list ("city-card": the
    city list's cards): ``context(objs)`` returns {obj.id: the template's variables} for the
    objects it has something to say about, asked once for the whole list (a few queries,
    whatever its length)."""

    slot: str
    template: str
    context: Callable[[list], dict[int, dict]]


@dataclass(frozen=True)
class Records:
    """Rows of one kind a feature holds about a person, as the data download shows them:
    ``key`` names them in the JSON, ``title`` on the page; every row a dict of JSON values."""

    key: str
    title: Any  #: a lazy string
    rows: list[dict[str, Any]]


def iso(moment) -> str | None:
    """A stored UTC time as the data download writes it (ISO 8601), or None."""
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class PersonalData:
    """What a feature holds about a person, for the GDPR's rights of access and erasure.

    ``export(person)`` returns the feature's ``Records`` for the data download; ``erase(person)``
    runs when the account is deleted, before the person's row goes: it removes, unlinks or
    cancels through the feature's own services (so counters, waiting lists and tallies stay
    exact) and flushes. ``models`` are the tables with a person column it answers for, and
    ``not_personal`` those whose person column holds nothing about that person (a house test
    finds every table with a person column in one or the other)."""

    export: Callable[[Any], list[Records]]
    erase: Callable[[Any], None]
    models: tuple[type, ...] = ()
    not_personal: tuple[type, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A number about the whole programme on the home page ("people", "votes cast"):
    ``count()`` returns a scalar SQL expression (a counting subquery), and the home page asks
    every feature's figures in one query."""

    label: Any  #: a lazy string, translated when shown
    count: Callable[[], Any]
    order: int = 50


@dataclass(frozen=True)
class FeedSource:
    """Entries a feature adds to another feature's Atom feed (a city's feed: its
    consultations, its events): ``entries(obj, limit)`` returns up to ``limit``
    ``feeds.Entry``, newest first, public ones only."""

    slot: str
    entries: Callable[[Any, int], list]


@dataclass(frozen=True)
class LinkedItem:
    """What another feature's page shows of a linkable item: its title, its address and its
    city (None: national)."""

    title: str
    url: str
    city_id: int | None


@dataclass(frozen=True)
class Linkable:
    """A kind of item that a city's decisions can be linked to ("you said, we did": a
    consultation, a proposal, a thread…), declared by the feature that owns it. The feature
    that links (contracts) only reads these, so a new kind joins by declaring one.

    ``items(ids)`` → {id: LinkedItem} of the public ones among ``ids`` (one query);
    ``candidates(city_id)`` → [(id, title)] an official may link, newest first (one query);
    ``participants(ids)`` → SELECTs (one column each, a list: they are put in one UNION) of
    the people who took part in the items whose ids ``ids`` selects (a subquery).
    ``slot``: the page slot (``page_sections``) of an item's page, where sections declared on
    ``LINKED_ITEM_SLOT`` appear. ``search``: the kind of the feature's ``SearchSource`` whose
    results (``ident``) are these items: an official finds any of the city's items through
    it, beyond the newest that ``candidates`` offers."""

    kind: str
    label: Any  #: a lazy string
    slot: str
    items: Callable[[list[int]], dict[int, LinkedItem]]
    candidates: Callable[[int], list[tuple[int, str]]]
    participants: Callable[[Any], list[Any]]
    search: str = ""


#: sections on this slot appear on the page of every linkable kind (``Linkable.slot``); their
#: ``context`` gets (the kind, the item)
LINKED_ITEM_SLOT = "linked-item"


def _for_kind(section: Section, linkable: Linkable) -> Section:
    """A LINKED_ITEM_SLOT section placed on one linkable kind's page."""
    probe = section.probe
    return Section(linkable.slot, section.template,
                   lambda item, **page: section.context((linkable.kind, item), **page),
                   section.order, section.page,
                   (lambda ident: probe((linkable.kind, ident))) if probe else None)


@dataclass(frozen=True)
class SearchQuery:
    """What a person searches for: the folded words (never empty), and the filters."""

    words: list[str]
    viewer: Any  #: the signed-in person or an anonymous one
    city_id: int | None = None
    sector: str = ""


@dataclass(frozen=True)
class SearchSource:
    """One kind of result a feature adds to the hub's search (m100hub/search).

    ``select(query)`` returns a SELECT of what the viewer may see that matches every word and
    the filters, with the columns ``folding.result_columns`` names — or None when the kind
    cannot match them (a sector filter on cities); ``url(row)`` a result's address."""

    kind: str
    label: Any  #: a lazy string: the kind's plural name ("Threads")
    select: Callable[[SearchQuery], Any]
    url: Callable[[Any], str]
    order: int = 50


@dataclass
class Feature:
    name: str
    blueprint: Blueprint | None = None
    #: the module defining the feature's tables (imported before anything runs)
    models: str | None = None
    menu: list[MenuItem] = field(default_factory=list)
    #: modules holding Celery tasks, and periodic tasks (name → beat entry; its "schedule"
    #: in seconds, or the name of the setting that holds them)
    tasks: list[str] = field(default_factory=list)
    beat: dict[str, dict] = field(default_factory=dict)
    markdown: list[MarkdownField] = field(default_factory=list)
    #: ``seed(demo)`` adds what the feature shows on a new installation (idempotent)
    demo: Callable[[DemoData], None] | None = None
    #: configuration name → default limit ("8 per minute;80 per hour"), overridable from
    #: the environment or the app's config
    rate_limits: dict[str, str] = field(default_factory=dict)
    #: objects people may report to the moderators (see m100hub.moderation)
    reportables: list[Any] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    #: parts inside the cards of other features' lists
    card_parts: list[CardPart] = field(default_factory=list)
    #: numbers about the whole programme (the home page)
    figures: list[Figure] = field(default_factory=list)
    #: entries for other features' feeds
    feeds: list[FeedSource] = field(default_factory=list)
    #: names templates may use (the feature's permission rules, its helpers)
    template_globals: dict[str, Any] = field(default_factory=dict)
    #: what it holds about a person: their data download and their account's deletion
    personal_data: PersonalData | None = None
    #: kinds of its items that decisions can be linked to ("you said, we did")
    linkables: list[Linkable] = field(default_factory=list)
    #: what it adds to the hub's search
    search: list[SearchSource] = field(default_factory=list)
    #: its endpoints of the open-data API: flask-smorest blueprints made with
    #: ``open_data.api_blueprint`` (their schemas make the OpenAPI document)
    api: list[Any] = field(default_factory=list)


@dataclass
class DemoData:
    """What demo seeds share: the cities and people made so far, passwords to show."""

    reset_passwords: bool = False
    cities: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    passwords: list[tuple[str, str]] = field(default_factory=list)


class Registry:
    """What the features contribute, gathered once when the app is made (every page asks for
    the menu and its sections)."""

    def __init__(self, features: list[Feature]):
        self.features = features
        self._menu = sorted(self._each("menu"), key=lambda item: item.order)
        self._reportables = {r.kind: r for r in self._each("reportables")}
        self._sections: dict[str, list[Section]] = {}
        for section in sorted(self._each("sections"), key=lambda s: s.order):
            self._sections.setdefault(section.slot, []).append(section)
        self._card_parts: dict[str, list[CardPart]] = {}
        for part in self._each("card_parts"):
            self._card_parts.setdefault(part.slot, []).append(part)
        self._linkables = {linkable.kind: linkable for linkable in self._each("linkables")}
        for linkable in self._linkables.values():
            self._sections.setdefault(linkable.slot, []).extend(
                _for_kind(section, linkable) for section in self._sections.get(
                    LINKED_ITEM_SLOT, []))
        self._figures = sorted(self._each("figures"), key=lambda f: f.order)
        self._search = sorted(self._each("search"), key=lambda s: s.order)
        self._feeds: dict[str, list[FeedSource]] = {}
        for source in self._each("feeds"):
            self._feeds.setdefault(source.slot, []).append(source)

    def _each(self, attribute: str) -> Iterator:
        for feature in self.features:
            yield from getattr(feature, attribute)

    def menu(self) -> list[MenuItem]:
        return self._menu

    def task_modules(self) -> list[str]:
        return list(self._each("tasks"))

    def beat_schedule(self) -> dict[str, dict]:
        return {name: entry for f in self.features for name, entry in f.beat.items()}

    def markdown_fields(self) -> list[MarkdownField]:
        return list(self._each("markdown"))

    def reportables(self) -> dict[str, Any]:
        return self._reportables

    def sections(self, slot: str) -> list[Section]:
        return self._sections.get(slot, [])

    def personal_data(self) -> list[tuple[str, PersonalData]]:
        """Each feature's part, in the features' order."""
        return [(f.name, f.personal_data) for f in self.features if f.personal_data is not None]

    def export_person(self, person) -> dict[str, list[Records]]:
        """Everything the hub holds about the person: feature name → its records."""
        return {name: part.export(person) for name, part in self.personal_data()}

    def erase_person(self, person) -> None:
        """Every feature's erasure, the later features first (they build on the earlier
        ones: a forum post on a person, a person on a city); the account's own goes last."""
        for _name, part in reversed(self.personal_data()):
            part.erase(person)

    def card_parts(self, slot: str) -> list[CardPart]:
        return self._card_parts.get(slot, [])

    def linkables(self) -> dict[str, Linkable]:
        """kind → Linkable, in the features' order."""
        return self._linkables

    def search_sources(self) -> list[SearchSource]:
        return self._search

    def api_blueprints(self) -> list:
        return list(self._each("api"))

    def figures(self) -> list[Figure]:
        return self._figures

    def feed_sources(self, slot: str) -> list[FeedSource]:
        return self._feeds.get(slot, [])

    def seed_demo(self, demo: DemoData) -> None:
        for feature in self.features:
            if feature.demo is not None:
                feature.demo(demo)


def load(names: Iterable[str]) -> list[Feature]:
    """The ``feature`` of each package, by dotted name or by name under m100hub."""
    found = []
    for name in names:
        module = importlib.import_module(name if "." in name else f"m100hub.{name}")
        found.append(module.feature)
    return found


def install(app: Flask, features: list[Feature]) -> Registry:
    registry = Registry(features)
    app.extensions["m100_features"] = registry
    for feature in features:
        if feature.models:
            importlib.import_module(feature.models)
        for setting, default in feature.rate_limits.items():
            app.config.setdefault(setting, os.environ.get(setting, default))
        if feature.blueprint is not None:
            app.register_blueprint(feature.blueprint)
        app.jinja_env.globals.update(feature.template_globals)
    return registry


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions["m100_features"]


#: the template variable that holds the answers of a page's section probes
FOUND_SECTIONS = "found_sections"


def section_probes(slot: str, ident) -> list:
    """The probes of the slot's sections that declare one, as labelled columns for the page's
    statement (``ident``: the page object's id column); ``found_sections`` reads them."""
    probes = [section.probe for section in registry().sections(slot) if section.probe]
    return [probe(ident).label(f"found_section_{n}") for n, probe in enumerate(probes)]


def found_sections(slot: str, answers) -> dict[Section, bool]:
    """{section: whether it has anything} from the columns ``section_probes`` added (in
    order), for the page's template (``FOUND_SECTIONS``)."""
    probing = [section for section in registry().sections(slot) if section.probe]
    return {section: bool(found) for section, found in zip(probing, answers, strict=True)}


@pass_context
def page_sections(page: Mapping[str, Any], slot: str, obj) -> Markup:
    """Every feature's part of a page, rendered in order (template global; ``page``: the
    calling template's variables, handed to the sections that name some, and the answers of
    the sections' probes when the page asked them: ``FOUND_SECTIONS``)."""
    parts = []
    found = page.get(FOUND_SECTIONS)
    for section in registry().sections(slot):
        values = {name: page.get(name) for name in section.page}
        if found is not None and section in found:
            values["found"] = found[section]
        context = section.context(obj, **values)
        if context is not None:
            parts.append(render_template(section.template, **context))
    return Markup("\n".join(parts))  # noqa: S704 (templates' output, escaped by Jinja)


def card_parts(slot: str, objs: list) -> dict[int, Markup]:
    """Every feature's part of each card of a list (template global): obj.id → its HTML."""
    parts: dict[int, list[str]] = {}
    for part in registry().card_parts(slot):
        for ident, context in part.context(objs).items():
            parts.setdefault(ident, []).append(render_template(part.template, **context))
    return {ident: Markup("\n".join(html))  # noqa: S704 (templates' output, escaped by Jinja)
            for ident, html in parts.items()}


def programme_figures() -> list[tuple[Any, int]]:
    """(label, number) of every feature's figure, in one query."""
    figures = registry().figures()
    if not figures:
        return []
    row = db.session.execute(select(*(
        figure.count().label(f"figure_{n}") for n, figure in enumerate(figures)))).one()
    return [(figure.label, value or 0) for figure, value in zip(figures, row, strict=True)]


def feed_entries(slot: str, obj, limit: int) -> list:
    """The newest ``limit`` entries every feature adds to ``obj``'s feed (one or two queries
    per feature that adds some)."""
    entries = [entry for source in registry().feed_sources(slot)
               for entry in source.entries(obj, limit)]
    return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:limit]


def rerender_all(batch: int = 500) -> int:
    """Render every registered Markdown field again, and fold every searched text again
    (``folding.refold_all``); returns how many Markdown texts."""
    refold_all(db.session, batch)
    count = 0
    for spec in registry().markdown_fields():
        render = spec.render or render_markdown
        for row in db.session.scalars(select(spec.model).execution_options(yield_per=batch)):
            setattr(row, spec.html, render(getattr(row, spec.source) or ""))
            count += 1
    return count
