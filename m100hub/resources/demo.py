"""Demo library: real programmes described factually, with links to their official pages.

The calls' DATES ARE EXAMPLES (set relative to the day the demo is seeded, so that the
reminders and the open/upcoming/closed states can be seen): every call is ``is_example``
and its page says so. No amount, rate or call identifier is given that the official pages
would not confirm; the one good practice is marked as demo data.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..cities.models import ClimateSector
from ..database import utcnow
from ..extensions import db
from ..features import DemoData
from ..text import render_markdown
from .models import (
    Applicant,
    CallApplicant,
    CallSector,
    Curation,
    FundingCall,
    Language,
    Resource,
    ResourceCity,
    ResourceKind,
    ResourceSector,
)

EXAMPLE = ("\n\n**Datele de pe această pagină sunt exemple**, nu termenele unui apel real: "
           "verifică apelurile deschise pe pagina oficială.")
S, A = ClimateSector, Applicant
#: (title, programme, funder, official page, summary, opens in days, closes in days,
#:  sectors, applicants)
CALLS = [
    ("Misiunea „100 de orașe inteligente și neutre climatic” — apeluri Horizon Europe",
     "Horizon Europe — EU Mission: Climate-Neutral and Smart Cities", "Comisia Europeană",
     "https://research-and-innovation.ec.europa.eu/funding/funding-opportunities/"
     "funding-programmes-and-open-calls/horizon-europe/eu-missions-horizon-europe/"
     "climate-neutral-and-smart-cities_en",
     "Misiunea UE pentru orașe neutre climatic finanțează, prin programul de lucru Horizon "
     "Europe, proiecte de cercetare și inovare pentru orașe. Apelurile se publică pe portalul "
     "Funding & Tenders al Comisiei.", -10, 12, [S.ENERGY, S.TRANSPORT, S.BUILDINGS],
     [A.MUNICIPALITY, A.COMPANY, A.NGO, A.ACADEMIA]),
    ("Programul LIFE — subprogramul „Atenuarea schimbărilor climatice și adaptarea la "
     "acestea”", "LIFE", "Comisia Europeană (CINEA)", "https://cinea.ec.europa.eu/programmes/"
     "life_en", "LIFE este programul UE pentru mediu și climă; subprogramul pentru climă "
     "sprijină proiecte de atenuare și adaptare, depuse de autorități publice, companii și "
     "organizații neguvernamentale.", -30, 40, [S.ENERGY, S.AGRICULTURE, S.INDUSTRY],
     [A.MUNICIPALITY, A.COMPANY, A.NGO, A.ACADEMIA]),
    ("Fondul pentru modernizare", "Modernisation Fund", "Banca Europeană de Investiții și "
     "statele membre beneficiare", "https://modernisationfund.eu/",
     "Fondul pentru modernizare sprijină 13 state membre, printre care România, să-și "
     "modernizeze sistemele energetice și să crească eficiența energetică; în România "
     "schemele sunt gestionate de Ministerul Energiei.", 20, 90, [S.ENERGY, S.INDUSTRY],
     [A.MUNICIPALITY, A.COMPANY]),
    ("Planul Național de Redresare și Reziliență (PNRR) — componenta de renovare a "
     "clădirilor", "PNRR", "Guvernul României (Ministerul Investițiilor și Proiectelor "
     "Europene)", "https://mfe.gov.ro/pnrr/",
     "PNRR finanțează, între altele, renovarea energetică a clădirilor publice și "
     "rezidențiale și mobilitatea urbană curată, prin apeluri lansate de ministerele "
     "coordonatoare.", -60, -5, [S.BUILDINGS, S.TRANSPORT], [A.MUNICIPALITY]),
]


def seed(demo: DemoData) -> None:
    if db.session.scalar(select(FundingCall.id).where(FundingCall.is_example).limit(1)):
        return
    now = utcnow()
    for title, programme, funder, url, summary, opens, closes, sectors, applicants in CALLS:
        text = summary + EXAMPLE
        call = FundingCall(
            title=title, programme=programme, funder=funder, summary=text,
            summary_html=render_markdown(text), currency="EUR", url=url, is_example=True,
            opens_on=(now + timedelta(days=opens)).date(), status=Curation.PUBLISHED,
            deadline_dt=(now + timedelta(days=closes)).replace(hour=15, minute=0, second=0,
                                                               microsecond=0))
        db.session.add(call)
        db.session.flush()
        db.session.add_all([CallSector(call_id=call.id, sector=s) for s in sectors])
        db.session.add_all([CallApplicant(call_id=call.id, applicant=a) for a in applicants])
    _seed_library(demo)
    db.session.flush()


def _item(kind, title, summary, url, sectors, language=Language.RO, **extra) -> Resource:
    item = Resource(kind=kind, title=title, summary=summary,
                    summary_html=render_markdown(summary), url=url, language=language,
                    status=Curation.PUBLISHED, is_demo=True, **extra)
    db.session.add(item)
    db.session.flush()
    db.session.add_all([ResourceSector(resource_id=item.id, sector=s) for s in sectors])
    return item


def _seed_library(demo: DemoData) -> None:
    _item(ResourceKind.GUIDE, "NetZeroCities — platforma misiunii pentru orașe",
          "Portalul NetZeroCities sprijină orașele misiunii UE cu ghiduri, instrumente și "
          "modelul Contractului climatic al orașului.", "https://netzerocities.eu/",
          [S.ENERGY, S.TRANSPORT, S.BUILDINGS], language=Language.EN)
    cluj = demo.cities.get("cluj-napoca")
    if cluj is None:
        return
    practice = _item(
        ResourceKind.GOOD_PRACTICE, "Bugetare participativă pentru proiecte verzi (exemplu)",
        "**Exemplu demonstrativ, ilustrativ**: cum ar arăta o bună practică descrisă de un oraș.",
        "https://netzerocities.eu/", [S.BUILDINGS], practice_city_id=cluj.id,
        cost="Exemplu: nu e o cifră reală", contact="Exemplu demonstrativ")
    db.session.add(ResourceCity(resource_id=practice.id, city_id=cluj.id))
