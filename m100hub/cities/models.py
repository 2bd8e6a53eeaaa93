from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import LabelledEnum, TimestampMixin, str_enum
from ..extensions import Model
from ..folding import Searchable
from ..media.models import WithImage


class MissionStatus(LabelledEnum):
    """In the order the city list shows them."""

    EU_MISSION = "eu_mission", _l("EU mission city (neutral by 2030)")
    M100_MIRROR = "m100_mirror", _l("M100 mirror city (neutral by 2035)")
    ASPIRING = "aspiring", _l("Aspiring city")


class ClimateSector(LabelledEnum):
    """The five sectors M100 decarbonises: forum categories, consultations and events are about
    them."""

    ENERGY = "energy", _l("Energy")
    TRANSPORT = "transport", _l("Transport")
    BUILDINGS = "buildings", _l("Buildings")
    INDUSTRY = "industry", _l("Industry")
    AGRICULTURE = "agriculture", _l("Agriculture")


class City(Searchable, WithImage, TimestampMixin, Model):
    __tablename__ = "cities"
    search_fields = ("name", "county", "summary")
    #: the cover shows on the cities' own pages only (``queries.all_cities``, ``by_slug``)
    image_joined = False

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official name, with diacritics
    name: Mapped[str] = mapped_column(String(120))
    #: URL name, unique
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    #: county (județ)
    county: Mapped[str] = mapped_column(String(60), default="")
    #: residents, when known
    population: Mapped[int | None] = mapped_column(Integer)
    #: EU mission city, M100 mirror city or aspiring
    mission_status: Mapped[MissionStatus] = mapped_column(str_enum(MissionStatus, "mission_status"))
    #: short introduction, Markdown source
    summary: Mapped[str] = mapped_column(Text, default="")
    #: the summary rendered by m100hub.text
    summary_html: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<City {self.slug}>"
