"""The emissions trajectory: a city's yearly totals against the straight path from its
baseline to zero in its target year, and the chart's geometry (computed here, drawn by the
template as an inline SVG, like the consultations' result bars)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: the chart's drawing area inside its viewBox (left margin for the tonnes, bottom for years)
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 280, 90, 30, 12


@dataclass(frozen=True)
class YearPoint:
    year: int
    #: tCO2e, all sectors
    total: int
    #: where the straight path is that year (None without a baseline inventory)
    path: float | None


@dataclass(frozen=True)
class Chart:
    path_line: str  #: SVG points of the straight path
    inventory_line: str  #: SVG points of the inventories
    dots: list[tuple[float, float, YearPoint]]
    x_ticks: list[tuple[float, int]]
    y_ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT


@dataclass
class Trajectory:
    baseline_year: int
    target_year: int
    #: total of the baseline year's inventory; None when it is missing
    baseline_total: int | None
    points: list[YearPoint] = field(default_factory=list)

    def path_at(self, year: int) -> float | None:
        """Linear from the baseline total to zero at the target year: the baseline total
        before it, zero after the target."""
        if self.baseline_total is None:
            return None
        share = (self.target_year - year) / (self.target_year - self.baseline_year)
        return self.baseline_total * min(max(share, 0.0), 1.0)

    @property
    def latest(self) -> YearPoint | None:
        return self.points[-1] if self.points else None

    @property
    def latest_vs_path(self) -> float | None:
        """The latest total minus the path that year: above zero is behind the path."""
        latest = self.latest
        if latest is None or latest.path is None:
            return None
        return latest.total - latest.path

    def per_inhabitant(self, population: int | None) -> float | None:
        """tCO2e per resident in the latest inventory year, when the population is known."""
        latest = self.latest
        if latest is None or not population:
            return None
        return latest.total / population

    def chart(self) -> Chart | None:
        if not self.points:
            return None
        first = min(self.baseline_year, self.points[0].year)
        last = max(self.target_year, self.points[-1].year)
        top = max([p.total for p in self.points] + [self.baseline_total or 0]) or 1

        def x(year: int) -> float:
            return round(LEFT + (year - first) / max(last - first, 1) * (WIDTH - LEFT - 10), 1)

        def y(value: float) -> float:
            return round(TOP + (1 - value / top) * (HEIGHT - TOP - BOTTOM), 1)

        path_line = ""
        if self.baseline_total is not None:
            path_line = (f"{x(self.baseline_year)},{y(self.baseline_total)} "
                         f"{x(self.target_year)},{y(0)}")
        dots = [(x(p.year), y(p.total), p) for p in self.points]
        return Chart(
            path_line=path_line,
            inventory_line=" ".join(f"{dx},{dy}" for dx, dy, _ in dots),
            dots=dots,
            x_ticks=[(x(year), year) for year in sorted({first, last, *(p.year for p in
                                                                        self.points)})],
            y_ticks=[(y(top * share), round(top * share)) for share in (0, 0.5, 1)],
        )


def build(baseline_year: int, target_year: int, totals: dict[int, int]) -> Trajectory:
    """``totals``: year → tCO2e of every sector inventoried that year."""
    trajectory = Trajectory(baseline_year, target_year, totals.get(baseline_year))
    trajectory.points = [YearPoint(year, totals[year], trajectory.path_at(year))
                         for year in sorted(totals)]
    return trajectory


@dataclass(frozen=True)
class Series:
    label: str
    points: str  #: SVG points
    #: the path's straight line for this city (baseline 100 % → 0 % at its target)
    path: str


@dataclass(frozen=True)
class NationalChart:
    series: list[Series]
    x_ticks: list[tuple[float, int]]
    y_ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT


def national_chart(paths: list[tuple[str, Trajectory]]) -> NationalChart | None:
    """Every city's emissions as a share of its own baseline (100 %), so that cities of any
    size share one scale, each with its straight path to 0 % in its target year."""
    usable = [(label, p, p.baseline_total) for label, p in paths
              if p.baseline_total and p.points]
    if not usable:
        return None
    first = min(min(p.baseline_year, p.points[0].year) for _, p, _ in usable)
    last = max(max(p.target_year, p.points[-1].year) for _, p, _ in usable)
    top = max([100.0] + [pt.total / base * 100 for _, p, base in usable for pt in p.points])

    def x(year: int) -> float:
        return round(LEFT + (year - first) / max(last - first, 1) * (WIDTH - LEFT - 10), 1)

    def y(percent: float) -> float:
        return round(TOP + (1 - percent / top) * (HEIGHT - TOP - BOTTOM), 1)

    series = [Series(
        label=label,
        points=" ".join(f"{x(pt.year)},{y(pt.total / base * 100)}" for pt in p.points),
        path=f"{x(p.baseline_year)},{y(100)} {x(p.target_year)},{y(0)}",
    ) for label, p, base in usable]
    years = sorted({first, last} | {p.target_year for _, p, _ in usable})
    return NationalChart(series=series, x_ticks=[(x(year), year) for year in years],
                         y_ticks=[(y(share), round(share)) for share in (0, 50, 100)])


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float


@dataclass(frozen=True)
class Bars:
    """Horizontal bars, one per city, on one scale (the longest is the whole width)."""

    bars: list[Bar]
    height: int
    width: int = WIDTH
    left: int = 150
    row: int = 26


def bars(values: list[tuple[str, float]]) -> Bars | None:
    """The bars of ``values`` (label, value ≥ 0), in their order; None when all are 0."""
    top = max((value for _label, value in values), default=0)
    if top <= 0:
        return None
    chart = Bars(bars=[], height=0)
    span = chart.width - chart.left - 70
    drawn = [Bar(label, value, 8 + n * chart.row, round(value / top * span, 1))
             for n, (label, value) in enumerate(values)]
    return Bars(bars=drawn, height=16 + len(drawn) * chart.row)
