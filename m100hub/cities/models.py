from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import TimestampMixin, str_enum
from ..extensions import db


class MissionStatus(enum.StrEnum):
    EU_MISSION = "eu_mission"
    M100_MIRROR = "m100_mirror"
    ASPIRING = "aspiring"


MISSION_LABELS = {
    MissionStatus.EU_MISSION: _l("EU mission city (neutral by 2030)"),
    MissionStatus.M100_MIRROR: _l("M100 mirror city (neutral by 2035)"),
    MissionStatus.ASPIRING: _l("Aspiring city"),
}

#: display order of the statuses on the city list
MISSION_ORDER = [MissionStatus.EU_MISSION, MissionStatus.M100_MIRROR, MissionStatus.ASPIRING]


class City(TimestampMixin, db.Model):
    __tablename__ = "cities"

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

    @property
    def mission_label(self) -> str:
        return str(MISSION_LABELS[self.mission_status])

    def __repr__(self) -> str:
        return f"<City {self.slug}>"
