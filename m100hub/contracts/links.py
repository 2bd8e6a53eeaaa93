""""You said, we did": the links from a contract's actions to what people said (any kind a
feature declares linkable, m100hub/features.py). Reads for the action page, the item's page
("this led to…") and the city page, and the audiences told when a linked action moves on.
Each read is one query for the links and one per kind for the items' titles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, Subquery, bindparam, select, union

from ..cities.models import City
from ..extensions import db
from ..features import Linkable, LinkedItem, SearchQuery, registry
from ..folding import fold
from ..notifications.kinds import register_audience
from .models import Action, ActionLink, Contract
from .queries import action_followers_query

#: links the city page shows (the newest)
CITY_LINKS = 10
#: the items of each kind the link form offers when the official searches
FOUND = 50


@dataclass(frozen=True)
class Shown:
    """A link with what it points at."""

    link: ActionLink
    item: LinkedItem
    kind_label: object  #: a lazy string
    action: Action | None = None
    city: City | None = None


def kind_choices(city_id: int, words: list[str] | None = None, viewer=None,
                 posted: str = "") -> dict:
    """{kind label: [("kind:id", title)]} of every linkable kind with items of the city (a
    select's option groups): the newest of each kind, or with ``words`` (folded) those that
    match them (any of the city's, through the hub's search); and the ``posted`` item
    ("kind:id") when it is one of the city's. One query per kind."""
    groups: dict = {}
    chosen = _posted(city_id, posted)
    for kind, linkable in registry().linkables().items():
        items = _found(linkable, city_id, words, viewer) if words else linkable.candidates(
            city_id)
        if chosen and chosen[0] == kind and all(ident != chosen[1] for ident, _t in items):
            items = [(chosen[1], chosen[2]), *items]
        if items:
            groups[str(linkable.label)] = [(f"{kind}:{ident}", title) for ident, title in items]
    return groups


def _posted(city_id: int, posted: str) -> tuple[str, int, str] | None:
    """(kind, id, title) of the posted "kind:id" when it is one of the city's public items."""
    kind, _sep, ident = posted.partition(":")
    if not (ident.isascii() and ident.isdigit()):
        return None
    item = resolve(kind, int(ident))
    return (kind, int(ident), item.title) if item and item.city_id == city_id else None


def _found(linkable: Linkable, city_id: int, words: list[str], viewer) -> list[tuple[int, str]]:
    """The city's items of the kind matching every word (at most FOUND, titles matching
    first, then the newest), through the kind's search source; without one, among the
    newest it offers."""
    source = next((s for s in registry().search_sources() if s.kind == linkable.search), None)
    if source is None:
        return [(ident, title) for ident, title in linkable.candidates(city_id)
                if all(word in fold(title) for word in words)][:FOUND]
    stmt = source.select(SearchQuery(words, viewer, city_id))
    if stmt is None:
        return []
    found = stmt.subquery()
    return [(ident, title) for ident, title in db.session.execute(
        select(found.c.ident, found.c.title).where(found.c.city_id == city_id)
        .order_by(found.c.rank, found.c.sort_dt.desc(), found.c.ident.desc()).limit(FOUND))]


def resolve(kind: str, item_id: int) -> LinkedItem | None:
    linkable = registry().linkables().get(kind)
    return linkable.items([item_id]).get(item_id) if linkable else None


def _shown(rows: list[tuple]) -> list[Shown]:
    """``rows``: (link, action, city); the links whose item is still public, in order."""
    ids: dict[str, list[int]] = defaultdict(list)
    for link, *_ in rows:
        ids[link.item_kind].append(link.item_id)
    linkables = registry().linkables()
    found = {kind: linkables[kind].items(kind_ids) for kind, kind_ids in ids.items()
             if kind in linkables}
    shown = []
    for link, action, city in rows:
        item = found.get(link.item_kind, {}).get(link.item_id)
        if item is not None:
            shown.append(Shown(link, item, linkables[link.item_kind].label, action, city))
    return shown


def of_action(action_id: int) -> list[Shown]:
    links = db.session.scalars(select(ActionLink).where(ActionLink.action_id == action_id)
                               .order_by(ActionLink.id))
    return _shown([(link, None, None) for link in links])


def led_to(kind: str, item_id: int) -> list[tuple]:
    """(explanation, action id, title, status, city slug, city name) of the actions an item
    informed (one narrow query: an item's page reads nothing else of them)."""
    return [tuple(row) for row in db.session.execute(
        _led_to_statement(), {"item_kind": kind, "item_id": item_id})]


@cache
def _led_to_statement() -> Select:
    """led_to's statement, built once: every page of a linkable item (a thread, a
    consultation…) asks it, and building the SELECT and its cache key costs about as much
    CPU as running it."""
    return (select(ActionLink.explanation, Action.id, Action.title, Action.status, City.slug,
                   City.name)
            .join(Action, Action.id == ActionLink.action_id)
            .join(Contract, Contract.id == Action.contract_id)
            .join(City, City.id == Contract.city_id)
            .where(ActionLink.item_kind == bindparam("item_kind"),
                   ActionLink.item_id == bindparam("item_id"))
            .order_by(ActionLink.id))


def of_city(city_id: int, limit: int = CITY_LINKS) -> list[Shown]:
    """The city's newest links, each with its action."""
    rows = db.session.execute(
        select(ActionLink, Action).join(Action, Action.id == ActionLink.action_id)
        .join(Contract, Contract.id == Action.contract_id)
        .where(Contract.city_id == city_id)
        .order_by(ActionLink.created_dt.desc(), ActionLink.id.desc()).limit(limit))
    return _shown([(link, action, None) for link, action in rows])


def _participants(item_ids_of_kind) -> Subquery:
    """Everyone who took part in any item that ``item_ids_of_kind(kind)`` selects."""
    parts = [part for kind, linkable in registry().linkables().items()
             for part in linkable.participants(item_ids_of_kind(kind))]
    return union(*parts).subquery()


def action_participants(action_id: int):
    """Who took part in what an action is linked to, the action's and its city's followers
    apart (they hear of the action as followers)."""
    people = _participants(lambda kind: select(ActionLink.item_id).where(
        ActionLink.action_id == action_id, ActionLink.item_kind == kind))
    person = people.c[0]
    return select(person).where(person.not_in(action_followers_query(action_id)))


def link_participants(link_id: int):
    """Who took part in the one item a link points at."""
    people = _participants(lambda kind: select(ActionLink.item_id).where(
        ActionLink.id == link_id, ActionLink.item_kind == kind))
    return select(people.c[0])


register_audience("contract_action_participants", action_participants)
register_audience("contract_link_participants", link_participants)
