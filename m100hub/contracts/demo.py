"""Demo contracts for the three EU-mission cities and two mirror cities.

Every figure here is ILLUSTRATIVE, made up from the population: the contracts are marked
``is_demo`` and every page that shows them says so. Nothing here is a city's real data.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..features import DemoData
from ..text import render_markdown
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Contract,
    ContractSector,
    FundingKind,
    FundingLine,
    Inventory,
)
from .services import default_target_year

CITIES = ("cluj-napoca", "bucuresti-sector-2", "suceava", "alba-iulia", "brasov")
BASELINE = 2019
#: tCO2e per resident and year in the baseline, by sector (illustrative)
PER_RESIDENT = {ContractSector.ENERGY: 2.1, ContractSector.TRANSPORT: 1.6,
                ContractSector.BUILDINGS: 1.9, ContractSector.WASTE: 0.4}
#: (sector, title, status, progress, cost in € per resident, share secured)
ACTIONS = [
    (ContractSector.BUILDINGS, "Renovarea energetică a școlilor", ActionStatus.IN_PROGRESS, 40,
     60, 0.7),
    (ContractSector.TRANSPORT, "Autobuze electrice și stații de încărcare",
     ActionStatus.IN_PROGRESS, 25, 120, 0.5),
    (ContractSector.ENERGY, "Panouri fotovoltaice pe clădirile publice", ActionStatus.DONE, 100,
     30, 1.0),
    (ContractSector.NATURE, "Coridoare verzi și parcuri de cartier", ActionStatus.PLANNED, 0,
     20, 0.1),
]


def seed(demo: DemoData) -> None:
    for slug in CITIES:
        city = demo.cities.get(slug)
        if city is None or db.session.scalar(
                select(Contract.id).where(Contract.city_id == city.id)) is not None:
            continue
        _seed_city(city)
    db.session.flush()


def _seed_city(city) -> None:
    residents = city.population or 100_000
    target = default_target_year(city)
    ambition = (f"**Date demonstrative, ilustrative.** {city.name} își propune neutralitatea "
                f"climatică până în {target}: mai puțină energie risipită, transport public "
                "curat și mai mult verde.")
    contract = Contract(city_id=city.id, ambition=ambition, ambition_html=render_markdown(
        ambition), target_year=target, baseline_year=BASELINE, is_demo=True)
    db.session.add(contract)
    db.session.flush()
    for year, share in ((BASELINE, 1.0), (2022, 0.9), (2024, 0.82)):
        for sector, tonnes in PER_RESIDENT.items():
            db.session.add(Inventory(city_id=city.id, year=year, sector=sector,
                                     tco2e=round(tonnes * residents * share),
                                     source="Date demonstrative, ilustrative"))
    for sector, title, status, progress, per_resident, secured in ACTIONS:
        cost = per_resident * residents
        action = Action(contract_id=contract.id, sector=sector, title=title, status=status,
                        progress=progress, cost=cost, starts_on=date(2023, 3, 1),
                        ends_on=date(target - 1, 12, 31),
                        expected_reduction=round(residents * 0.05),
                        description="Acțiune demonstrativă, cu cifre ilustrative.",
                        description_html=render_markdown(
                            "Acțiune demonstrativă, cu cifre ilustrative."))
        db.session.add(action)
        db.session.flush()
        db.session.add(FundingLine(action_id=action.id, source_kind=FundingKind.EU_PROGRAMME,
                                   programme="PNRR", secured=round(cost * secured),
                                   sought=round(cost * (1 - secured) / 2)))
        db.session.add(FundingLine(action_id=action.id, source_kind=FundingKind.OWN_BUDGET,
                                   programme="", secured=0, sought=round(cost * 0.1)))
        note = "Lucrările au început (exemplu demonstrativ)."
        db.session.add(ActionUpdate(action_id=action.id, on_date=date(2024, 5, 15), body=note,
                                    body_html=render_markdown(note)))
