"""Participation in a consultation, shown to everyone: how many people took part, from which
stakeholder sectors and cities, how many answered each question, day by day, and how many
proposals and comments were written. Counts of people only, never a choice: so they are shown
in every phase, whether or not the results are (yet) public. Three queries whatever the
turnout (the voting service keeps the counters and the tallies they read)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..accounts.models import Sector, User
from ..cities.models import City
from ..database import utcnow
from ..extensions import db
from .counting import small_groups
from .models import Consultation, Participant, Question, Tally

#: the groups of people without a sector or a city to show: accounts deleted since they took
#: part (their ballots stay counted), no home city given, and the small groups shown together
DELETED, NO_CITY, OTHER = "_deleted", "_none", "_other"


@dataclass
class Group:
    label: str
    count: int
    percent: float


@dataclass
class Day:
    day: date
    new: int
    total: int


@dataclass
class Statistics:
    participants: int
    sectors: list[Group]
    cities: list[Group]
    #: (question text, people who answered it, share of the participants in %)
    questions: list[Group]
    #: every day from the opening to today (or the closing), with the new participants
    days: list[Day] = field(default_factory=list)
    #: whether some small groups are shown together
    merged: bool = False

    @property
    def active_days(self) -> list[Day]:
        return [day for day in self.days if day.new]

    def sparkline(self) -> Sparkline:
        """The days drawn in a SPARK_WIDTH × SPARK_HEIGHT box: participants so far as a line,
        each day's new ones as a bar beneath it."""
        if not self.days:
            return Sparkline("", [])
        step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(self.days) - 1, 1)
        top = max(self.days[-1].total, 1)
        most = max((day.new for day in self.days), default=0) or 1
        floor = SPARK_HEIGHT - SPARK_PAD
        points = [(SPARK_PAD + i * step, floor - day.total / top * (floor - SPARK_PAD))
                  for i, day in enumerate(self.days)]
        bar = max(min(step * 0.6, 24.0), 2.0)
        bars = [(x - bar / 2, floor - day.new / most * 40, bar, day.new / most * 40)
                for (x, _y), day in zip(points, self.days, strict=True) if day.new]
        return Sparkline(" ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                         [tuple(round(v, 1) for v in b) for b in bars])


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 640, 120, 8


@dataclass
class Sparkline:
    #: SVG points of the running total
    line: str
    #: (x, y, width, height) of each day's bar
    bars: list[tuple[float, ...]]


class utc_hour(FunctionElement):
    """A UTC datetime column's hour as text, "YYYY-MM-DD HH", on both databases (the hours
    are then read as Bucharest days in Python: SQLite knows no time zones)."""

    type = String()
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _utc_hour_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(utc_hour, "postgresql")
def _utc_hour_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


def compute(consultation: Consultation, minimum: int) -> Statistics:
    people = _people(consultation.id)
    total = consultation.participant_count
    known = sum(people.values())
    sectors: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    for (sector, city), n in people.items():
        sectors[sector] += n
        cities[city or NO_CITY] += n
    if total > known:
        sectors[DELETED] = cities[DELETED] = total - known
    sector_groups, merged_sectors = _groups(sectors, minimum, total, _sector_label)
    city_groups, merged_cities = _groups(cities, minimum, total, _city_label)
    return Statistics(
        participants=total, sectors=sector_groups, cities=city_groups,
        questions=[Group(text, n, _percent(n, total)) for text, n in _answers(consultation.id)],
        days=_days(consultation), merged=merged_sectors or merged_cities)


def _people(consultation_id: int) -> dict[tuple[str, str | None], int]:
    """Participants by sector and home city (one query, a row per pair)."""
    rows = db.session.execute(
        select(User.sector, City.name, func.count())
        .select_from(Participant).join(User, User.id == Participant.user_id)
        .outerjoin(City, City.id == User.home_city_id)
        .where(Participant.consultation_id == consultation_id)
        .group_by(User.sector, City.name))
    return {(str(sector), city): n for sector, city, n in rows}


def _answers(consultation_id: int) -> list[tuple[str, int]]:
    """Each question with the number of its ballots, from the tallies (one query)."""
    return [(text, int(n)) for text, n in db.session.execute(
        select(Question.text, func.coalesce(func.sum(Tally.count), 0))
        .outerjoin(Tally, Tally.question_id == Question.id)
        .where(Question.consultation_id == consultation_id)
        .group_by(Question.id, Question.text, Question.position)
        .order_by(Question.position, Question.id))]


def _days(consultation: Consultation) -> list[Day]:
    """New participants per Bucharest day, from the opening until today or the closing: one
    query, a row per hour that had any (so bounded by the voting window, not the turnout)."""
    if consultation.announced_dt is None or consultation.opens_dt > utcnow():
        return []
    hour = utc_hour(Participant.created_dt)
    zone = get_timezone()
    new: Counter[date] = Counter()
    for text, n in db.session.execute(
            select(hour, func.count()).where(Participant.consultation_id == consultation.id)
            .group_by(hour)):
        moment = datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC)
        new[moment.astimezone(zone).date()] += n
    first = consultation.opens_dt.astimezone(zone).date()
    last = min(utcnow(), consultation.closes_dt).astimezone(zone).date()
    days, total = [], 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        total += new[day]
        days.append(Day(day, new[day], total))
    return days


def _groups(counts: Counter[str], minimum: int, total: int, label) -> tuple[list[Group], bool]:
    """The groups largest first, those too small to show alone (counting.small_groups) shown
    together last; whether there were any."""
    merged = small_groups({k: n for k, n in counts.items() if k != DELETED}, minimum)
    shown = sorted(((k, n) for k, n in counts.items() if n and k not in merged),
                   key=lambda item: (item[0] == DELETED, -item[1], label(item[0])))
    groups = [Group(label(k), n, _percent(n, total)) for k, n in shown]
    if merged:
        together = sum(counts[k] for k in merged)
        groups.append(Group(_("Other groups (together)"), together, _percent(together, total)))
    return groups, bool(merged)


def _percent(part: int, whole: int) -> float:
    return part / whole * 100 if whole else 0.0


def _sector_label(key: str) -> str:
    return _("Accounts deleted since") if key == DELETED else Sector(key).label


def _city_label(key: str) -> str:
    if key == DELETED:
        return _("Accounts deleted since")
    return _("No home city given") if key == NO_CITY else key
