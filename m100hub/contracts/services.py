"""Writes to contracts. They flush, never commit; each is in the public activity log, and
what followers care about (updates, status changes) notifies them in the same transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..activity.services import log
from ..cities.models import City, MissionStatus
from ..database import insert_on_conflict, rows_changed, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.kinds import Audience
from ..notifications.services import notify
from ..text import render_markdown
from . import permissions
from .links import resolve
from .models import (
    Action,
    ActionLink,
    ActionStatus,
    ActionUpdate,
    Commitment,
    CommitmentStatus,
    Contract,
    ContractSector,
    FundingKind,
    FundingLine,
    Inventory,
)
from .queries import action_followers

ACTION_FIELDS = ("sector", "title", "description", "organisation_id", "status",
                 "dropped_reason", "starts_on", "ends_on", "expected_reduction", "progress",
                 "cost")


class TitleTaken(Exception):
    """Another action of the same plan has this title."""


class CannotCommit(Exception):
    """The organisation may not commit in this contract (another city's town hall), or the
    contract is not the city's."""


class NotLinkable(Exception):
    """The item is not one of the city's public items of a linkable kind."""


def default_target_year(city: City) -> int:
    """2030 for EU-mission cities, 2035 for the others (M100's own target)."""
    return 2030 if city.mission_status == MissionStatus.EU_MISSION else 2035


def save_contract(actor, city: City, contract: Contract | None, *, ambition: str,
                  target_year: int, baseline_year: int) -> Contract:
    creating = contract is None
    if contract is None:
        contract, creating = _new_contract(city)
    contract.ambition = ambition or ""
    contract.ambition_html = render_markdown(contract.ambition)
    contract.target_year, contract.baseline_year = target_year, baseline_year
    contract.updated_dt = utcnow()
    db.session.flush()
    log(actor, "contract_created" if creating else "contract_updated", city)
    return contract


def _new_contract(city: City) -> tuple[Contract, bool]:
    """A new contract, or the one a simultaneous first save has just written (the database
    keeps one per city)."""
    contract = Contract(city_id=city.id, target_year=default_target_year(city),
                        baseline_year=2019)
    try:
        with db.session.begin_nested():
            db.session.add(contract)
    except IntegrityError:
        existing = db.session.scalar(select(Contract).where(Contract.city_id == city.id))
        if existing is None:
            raise
        return existing, False
    return contract, True


def add_action(actor, city: City, contract: Contract, data: dict) -> tuple[Action, bool]:
    """(the action, whether it is new): the same title sent twice finds the first one."""
    action = Action(contract_id=contract.id)
    _fill(action, data)
    try:
        with db.session.begin_nested():
            db.session.add(action)
    except IntegrityError:
        existing = db.session.scalar(select(Action).where(
            Action.contract_id == contract.id, Action.title == data["title"]))
        if existing is None:
            raise
        return existing, False
    log(actor, "contract_action_created", action, label=action.title, city=city.name)
    return action, True


def edit_action(actor, city: City, action: Action, data: dict) -> None:
    """A change of status tells the action's and the city's followers (each once)."""
    before = action.status
    try:
        with db.session.begin_nested():
            _fill(action, data)
            action.updated_dt = utcnow()
    except IntegrityError as exc:
        raise TitleTaken(data.get("title")) from exc
    log(actor, "contract_action_updated", action, label=action.title, city=city.name)
    if action.status != before:
        payload = {**_payload(city, action), "status": action.status.value}
        notify(action_followers(action.id), "contract_action_status", action, actor=actor,
               payload=payload)
        notify(Audience("contract_action_participants", action.id),
               "contract_linked_action_status", action, actor=actor, payload=payload)


def _fill(action: Action, data: dict) -> None:
    for name in ACTION_FIELDS:
        if name in data:
            setattr(action, name, data[name])
    action.sector = ContractSector(action.sector)
    action.status = ActionStatus(action.status)
    action.organisation_id = action.organisation_id or None
    if action.status != ActionStatus.DROPPED:
        action.dropped_reason = ""
    action.description_html = render_markdown(action.description or "")


def _payload(city: City, action: Action) -> dict:
    return {"city": city.name, "city_slug": city.slug, "title": action.title,
            "action_id": action.id}


def post_update(actor, city: City, action: Action, *, on_date: date,
                body: str) -> ActionUpdate:
    """A dated note on the timeline (a double submit is answered by the form's one-time key,
    m100hub/submissions.py)."""
    update = ActionUpdate(action_id=action.id, author_id=actor.id, on_date=on_date, body=body,
                          body_html=render_markdown(body))
    db.session.add(update)
    db.session.flush()
    log(actor, "contract_action_update_posted", action, label=action.title, city=city.name)
    notify(action_followers(action.id), "contract_action_update", action, actor=actor,
           payload=_payload(city, action))
    return update


def save_funding(actor, action: Action, *, source_kind: str, programme: str, secured: int,
                 sought: int, funding_call_id: int | None = None) -> None:
    """One line per source and programme: sending it again sets its amounts."""
    values = {"action_id": action.id, "source_kind": FundingKind(source_kind).value,
              "programme": programme or "", "secured": secured, "sought": sought,
              "funding_call_id": funding_call_id, "created_dt": utcnow()}
    db.session.execute(insert_on_conflict(FundingLine).values(**values).on_conflict_do_update(
        index_elements=["action_id", "source_kind", "programme"],
        set_={"secured": secured, "sought": sought, "funding_call_id": funding_call_id}))
    log(actor, "contract_funding_saved", action, label=action.title,
        source=values["source_kind"], programme=values["programme"], secured=secured,
        sought=sought)


def save_inventory(actor, city: City, *, year: int, sector: str, tco2e: int,
                   source: str) -> None:
    """One figure per city, year and sector: sending it again corrects it."""
    sector_value = ContractSector(sector)
    db.session.execute(insert_on_conflict(Inventory).values(
        city_id=city.id, year=year, sector=sector_value.value, tco2e=tco2e, source=source or "",
        created_dt=utcnow()).on_conflict_do_update(
        index_elements=["city_id", "year", "sector"], set_={"tco2e": tco2e,
                                                              "source": source or ""}))
    log(actor, "contract_inventory_saved", city, year=year, sector=sector_value.value,
        tco2e=tco2e)



def link_item(actor, city: City, action: Action, *, kind: str, item_id: int,
              explanation: str) -> tuple[ActionLink, bool]:
    """Link what people said to the action ("you said, we did"): (the link, whether it is
    new; the same item twice finds the first). Those who took part in the item are told."""
    item = resolve(kind, item_id)
    if item is None or item.city_id != city.id:
        raise NotLinkable(kind, item_id)
    link_id = db.session.scalar(insert_on_conflict(ActionLink).values(
        action_id=action.id, item_kind=kind, item_id=item_id, explanation=explanation,
        created_by_id=actor.id, created_dt=utcnow()).on_conflict_do_nothing(
        index_elements=["action_id", "item_kind", "item_id"]).returning(ActionLink.id))
    if link_id is None:
        return db.session.scalars(select(ActionLink).where(
            ActionLink.action_id == action.id, ActionLink.item_kind == kind,
            ActionLink.item_id == item_id)).one(), False
    link = db.session.get(ActionLink, link_id)
    assert link is not None
    log(actor, "contract_action_linked", action, label=action.title, city=city.name,
        item=item.title, kind=kind)
    notify(Audience("contract_link_participants", link_id), "contract_input_linked", action,
           actor=actor, payload={**_payload(city, action), "item": item.title})
    return link, True


def unlink_item(actor, city: City, action: Action, link: ActionLink) -> None:
    db.session.delete(link)
    db.session.flush()
    log(actor, "contract_action_unlinked", action, label=action.title, city=city.name,
        kind=link.item_kind, item_id=link.item_id)


def propose_commitment(actor, city: City, contract: Contract, organisation, *, pledge: str,
                       due_on: date) -> tuple[Commitment, bool]:
    """(the commitment, whether it is new): the same pledge of the same organisation twice
    finds the first. The caller checked that the actor may speak for the organisation; an
    organisation that may not commit in this city's contract (another city's town hall) is
    refused here too (CannotCommit), nothing written."""
    if contract.city_id != city.id or not permissions.may_commit_in(organisation, city):
        raise CannotCommit(organisation.id, city.id)
    commitment_id = db.session.scalar(insert_on_conflict(Commitment).values(
        contract_id=contract.id, organisation_id=organisation.id, pledge=pledge, due_on=due_on,
        status=CommitmentStatus.PROPOSED.value, reason="", proposed_by_id=actor.id,
        created_dt=utcnow()).on_conflict_do_nothing(
        index_elements=["contract_id", "organisation_id", "pledge"]).returning(Commitment.id))
    created = commitment_id is not None
    commitment = db.session.scalars(select(Commitment).where(
        Commitment.contract_id == contract.id, Commitment.organisation_id == organisation.id,
        Commitment.pledge == pledge)).one()
    if created:
        log(actor, "contract_commitment_proposed", contract, label=organisation.name,
            city=city.name, pledge=pledge)
    return commitment, created


def decide_commitment(actor, city: City, commitment: Commitment, *, accept: bool,
                      reason: str) -> None:
    """Accept or decline a proposed commitment (once: a decided one is a Conflict); its
    proposer is told."""
    if rows_changed(
            update(Commitment).where(Commitment.id == commitment.id,
                                     Commitment.status == CommitmentStatus.PROPOSED)
            .values(status=(CommitmentStatus.ACCEPTED if accept else CommitmentStatus.DECLINED),
                    reason=reason or "", decided_by_id=actor.id, decided_dt=utcnow())) != 1:
        raise Conflict("decided already")
    db.session.refresh(commitment)
    verb = "contract_commitment_accepted" if accept else "contract_commitment_declined"
    log(actor, verb, commitment, label=commitment.pledge[:200], city=city.name,
        reason=reason or "")
    if commitment.proposed_by_id is not None:
        notify([commitment.proposed_by_id], verb, commitment, actor=actor, payload={
            "city": city.name, "city_slug": city.slug, "pledge": commitment.pledge,
            "reason": reason or ""})
