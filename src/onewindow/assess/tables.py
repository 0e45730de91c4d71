"""The three monthly tables of a centre, a street or the district (广州's 三张表), and the staff
score, computed from the case and rating history with database aggregates.

Each table is a fixed number of ``GROUP BY`` queries whatever the number of cases (table 1: one;
table 2: three; table 3: five, with the windows of the model window); nothing is read row by
row except the working-day average, which needs the calendar: the database groups the month's
decided cases by (department, day accepted, day decided) and Python counts the working days
once per group (a group is one pair of days, so a month has at most a few hundred per
department whatever the volume). Periods are compared as instants (``[start, end)`` in the
project's time zone), so no database truncates a timestamp except for those two days, which
``TruncDate`` takes in the project's time zone on SQLite and PostgreSQL alike.

Every formula is written out in ``README.md``; the figures here are ``Fraction``s turned into
``Decimal``s with one decimal (half up) at the end, so tests can assert them exactly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case as When_
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.assess.codes import DEFAULT_WEIGHTS, INSTANT_SHARE_TARGET, ScoreFigure
from onewindow.cases.models import Case, CaseEvent, CaseTask, ClockPause, PauseKind
from onewindow.cases.transitions import TaskState
from onewindow.catalog.codes import CaseType
from onewindow.org.codes import RegionLevel
from onewindow.org.permissions import TargetScope
from onewindow.ratings import figures as rating_figures
from onewindow.ratings.models import RatedStaff, Rating
from onewindow.workcal.calendar import WorkingCalendar, calendar_current
from onewindow.workflow.clock import TimeUnit

YELLOW_WINDOW = dt.timedelta(hours=24)
RECTIFIED_STATES = rating_figures.RECTIFIED_STATES
HUNDRED = Fraction(100)


def percent(numerator: int | Fraction, denominator: int | Fraction) -> Decimal | None:
    """``numerator / denominator`` as a percentage with one decimal (half up); ``None`` when
    there is nothing to divide by."""
    if not denominator:
        return None
    return rounded(Fraction(numerator) * HUNDRED / Fraction(denominator))


def rounded(value: Fraction | None, places: int = 1) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grouped_rows(queryset: Any) -> Iterator[dict[str, Any]]:
    """The rows of a ``values().annotate()`` query as plain dicts (one type for every table)."""
    yield from queryset


# --- period and unit ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month in the project's time zone: the instants ``start <= t < end``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> Period | None:
        """``"2026-11"`` → the period; anything else → ``None``."""
        try:
            year, month = (int(part) for part in str(text or "").strip().split("-"))
        except ValueError:
            return None
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return None
        return cls(year, month)

    @classmethod
    def of(cls, moment: dt.datetime | dt.date) -> Period:
        if isinstance(moment, dt.datetime):
            moment = timezone.localtime(moment).date()
        return cls(moment.year, moment.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first_day, dt.time(0, 0)))

    @property
    def end(self) -> dt.datetime:
        return self.next.start

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def within(self, path: str) -> Q:
        return Q(**{f"{path}__gte": self.start, f"{path}__lt": self.end})


class UnitKind:
    CENTRE = "centre"
    STREET = "street"
    DISTRICT = "district"


@dataclass(frozen=True)
class Unit:
    """What a table covers: one centre, or every centre of a street or of the district.
    ``key`` names it in addresses: ``c:<centre code>`` or ``r:<region code>``."""

    kind: str
    key: str
    name: str
    centre_id: int | None = None
    region_code: str = ""
    region_prefix: str = ""

    @classmethod
    def of_centre(cls, centre: Any) -> Unit:
        return cls(
            kind=UnitKind.CENTRE,
            key=f"c:{centre.code}",
            name=centre.name,
            centre_id=centre.pk,
            region_code=centre.region.code,
            # The centre's own region (its cases and ratings are the centre's, ``where``; the
            # hotline section reads the handling units of this region: ``assess.hotline``).
            region_prefix=centre.region.prefix,
        )

    @classmethod
    def of_region(cls, region: Any) -> Unit:
        kind = UnitKind.DISTRICT if region.level == RegionLevel.DISTRICT else UnitKind.STREET
        return cls(
            kind=kind,
            key=f"r:{region.code}",
            name=region.name,
            region_code=region.code,
            region_prefix=region.prefix,
        )

    @property
    def target(self) -> TargetScope:
        """What a permission check of the unit looks at: the centre (its manager, the district
        hall's manager), or the region (only a scope over the whole region covers it)."""
        if self.centre_id is not None:
            return TargetScope(centre_id=self.centre_id, region_code=self.region_code)
        return TargetScope(region_code=self.region_code)

    def where(self, centre_path: str = "centre_id", region_path: str = "centre__region__code") -> Q:
        if self.centre_id is not None:
            return Q(**{centre_path: self.centre_id})
        return Q(**{f"{region_path}__startswith": self.region_prefix})

    def cases(self) -> Q:
        return self.where()

    def ratings(self) -> Q:
        return self.where("centre_id", "region_code")


# --- the shared conditions (tables and drill-downs use the same ones) -----------------------


def supplement_pause() -> Exists:
    return Exists(ClockPause.objects.filter(case=OuterRef("pk"), kind=PauseKind.SUPPLEMENT))


def supplement_asked() -> Q:
    """A 补正: papers asked for at the window before acceptance, or a department's send-back."""
    asked = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action="request_supplement"))
    return Q(asked) | Q(supplement_pause())


def on_time() -> Q:
    return Q(due_at__isnull=True) | Q(decided_at__lte=F("due_at"))


def red() -> Q:
    return Q(decided_at__gt=F("due_at"))


def yellow() -> Q:
    """On time, but in the last 24 hours of a promised limit (for a working-day limit, which
    ends at the close of its last working day: decided on that day)."""
    return Q(
        time_limit__gt=0,
        decided_at__lte=F("due_at"),
        decided_at__gt=F("due_at") - Value(YELLOW_WINDOW),
    )


def instant() -> Q:
    return Q(item__case_type=CaseType.INSTANT)


def task_on_time() -> Q:
    return Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at"))


def rectify_overdue(as_of: dt.datetime, path: str = "rectification__") -> Q:
    """A rectification still open at ``as_of`` past its deadline, read from its times (not
    from its state today, so a past month's figure does not change when the rectification is
    worked later): opened before ``as_of``, not closed by then, and either not called back by
    then with its call-back deadline passed, or not fixed by then with its ledger deadline
    (限期整改) passed."""

    def f(name: str) -> str:
        return f"{path}{name}"

    def not_by(name: str) -> Q:
        return Q(**{f(f"{name}__isnull"): True}) | Q(**{f(f"{name}__gte"): as_of})

    call_late = Q(**{f("callback_due_at__lt"): as_of}) & not_by("callback_at")
    ledger_late = Q(**{f("due_at__lt"): as_of}) & not_by("fixed_at")
    return Q(**{f("opened_at__lt"): as_of}) & not_by("closed_at") & (call_late | ledger_late)


def as_of(period: Period, now: dt.datetime | None = None) -> dt.datetime:
    """The moment a month's figures are taken at: its end for a past month, now for the
    current one (the overdue rectifications are those open at that moment)."""
    return min(now or timezone.now(), period.end)


def level_points() -> When_:
    points = dict(zip((5, 4, 3, 2, 1), settings.RATING_SCORES, strict=True))
    return When_(
        *(When(rating__level=level, then=Value(p)) for level, p in points.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


# --- table 1: department ratings ---------------------------------------------------------


@dataclass
class RatingRow:
    department_id: int | None
    department: str
    total: int = 0
    levels: dict[int, int] = field(default_factory=lambda: {5: 0, 4: 0, 3: 0, 2: 0, 1: 0})
    defaulted: int = 0
    bad: int = 0
    rectified: int = 0
    upheld: int = 0  # bad ratings whose appeal was upheld: out of the 差评整改率's denominator
    rectify_overdue: int = 0

    @property
    def satisfied(self) -> int:
        return self.levels[5] + self.levels[4] + self.levels[3]

    @property
    def satisfaction(self) -> Decimal | None:
        """满意率 = (5 + 4 + 3) / all ratings (defaults and upheld ones included):
        ``ratings.figures``."""
        return rating_figures.satisfaction_rate(satisfied=self.satisfied, total=self.total)

    @property
    def rectified_share(self) -> Decimal | None:
        """差评整改率 = rectified / (bad − upheld): ``ratings.figures``."""
        return rating_figures.rectified_rate(
            rectified=self.rectified, bad=self.bad, upheld=self.upheld
        )

    def add(self, other: RatingRow) -> None:
        self.total += other.total
        for level in self.levels:
            self.levels[level] += other.levels[level]
        self.defaulted += other.defaulted
        self.bad += other.bad
        self.rectified += other.rectified
        self.upheld += other.upheld
        self.rectify_overdue += other.rectify_overdue


@dataclass
class RatingTable:
    unit: Unit
    period: Period
    rows: list[RatingRow]
    total: RatingRow


def rating_table(*, unit: Unit, period: Period, now: dt.datetime | None = None) -> RatingTable:
    """Table 1: per department, the ratings given in the month to the unit's services (one
    query)."""
    moment = as_of(period, now)
    grouped = (
        Rating.objects.filter(period.within("rated_at"), unit.ratings())
        .values("department_id", "department__name")
        .annotate(
            total=Count("id"),
            **{f"level_{n}": Count("id", filter=Q(level=n)) for n in (5, 4, 3, 2, 1)},
            defaulted=Count("id", filter=Q(is_default=True)),
            bad=Count("id", filter=rating_figures.bad()),
            rectified=Count("id", filter=rating_figures.bad_rectified()),
            upheld=Count("id", filter=rating_figures.bad_upheld()),
            overdue=Count("id", filter=rectify_overdue(moment)),
        )
        .order_by("department__name", "department_id")
    )
    rows = []
    for g in grouped_rows(grouped):
        rows.append(
            RatingRow(
                department_id=g["department_id"],
                department=g["department__name"],
                total=g["total"],
                levels={n: g[f"level_{n}"] for n in (5, 4, 3, 2, 1)},
                defaulted=g["defaulted"],
                bad=g["bad"],
                rectified=g["rectified"],
                upheld=g["upheld"],
                rectify_overdue=g["overdue"],
            )
        )
    total = RatingRow(department_id=None, department="")
    for row in rows:
        total.add(row)
    return RatingTable(unit=unit, period=period, rows=rows, total=total)


# --- table 2: efficiency and e-supervision -------------------------------------------------


@dataclass
class EfficiencyRow:
    department_id: int | None
    department: str
    accepted: int = 0
    decided: int = 0
    on_time: int = 0
    yellow: int = 0
    red: int = 0
    supplement: int = 0
    instant: int = 0
    # The working-day average: promised cases with a working-day limit decided in the month.
    timed: int = 0
    working_days: int = 0
    promised_days: int = 0

    @property
    def on_time_share(self) -> Decimal | None:
        """按时办结率 = decided on time / decided (both in the month)."""
        return percent(self.on_time, self.decided)

    @property
    def average_days(self) -> Decimal | None:
        return rounded(Fraction(self.working_days, self.timed)) if self.timed else None

    @property
    def average_promised(self) -> Decimal | None:
        return rounded(Fraction(self.promised_days, self.timed)) if self.timed else None

    @property
    def supplement_share(self) -> Decimal | None:
        return percent(self.supplement, self.accepted)

    @property
    def instant_share(self) -> Decimal | None:
        return percent(self.instant, self.accepted)

    @property
    def instant_target_met(self) -> bool | None:
        share = self.instant_share
        return None if share is None else share >= INSTANT_SHARE_TARGET

    def add(self, other: EfficiencyRow) -> None:
        for name in (
            "accepted",
            "decided",
            "on_time",
            "yellow",
            "red",
            "supplement",
            "instant",
            "timed",
            "working_days",
            "promised_days",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class EfficiencyTable:
    unit: Unit
    period: Period
    rows: list[EfficiencyRow]
    total: EfficiencyRow
    target: int = INSTANT_SHARE_TARGET


def efficiency_table(
    *, unit: Unit, period: Period, calendar: WorkingCalendar | None = None
) -> EfficiencyTable:
    """Table 2: per department (the case's), the unit's cases accepted and decided in the month
    (three queries)."""
    cal = calendar or calendar_current()
    rows: dict[int, EfficiencyRow] = {}

    def row(department_id: int, name: str) -> EfficiencyRow:
        if department_id not in rows:
            rows[department_id] = EfficiencyRow(department_id=department_id, department=name)
        return rows[department_id]

    scoped = Case.objects.filter(unit.cases())
    for g in grouped_rows(
        scoped.filter(period.within("accepted_at"))
        .values("department_id", "department__name")
        .annotate(
            accepted=Count("id"),
            supplement=Count("id", filter=supplement_asked()),
            instant=Count("id", filter=instant()),
        )
        .order_by()
    ):
        r = row(g["department_id"], g["department__name"])
        r.accepted, r.supplement, r.instant = g["accepted"], g["supplement"], g["instant"]
    for g in grouped_rows(
        scoped.filter(period.within("decided_at"))
        .values("department_id", "department__name")
        .annotate(
            decided=Count("id"),
            on_time=Count("id", filter=on_time()),
            yellow=Count("id", filter=yellow()),
            red=Count("id", filter=red()),
        )
        .order_by()
    ):
        r = row(g["department_id"], g["department__name"])
        r.decided, r.on_time, r.yellow, r.red = g["decided"], g["on_time"], g["yellow"], g["red"]
    for g in grouped_rows(
        scoped.filter(
            period.within("decided_at"),
            accepted_at__isnull=False,
            item__case_type=CaseType.PROMISED,
            time_limit_unit=TimeUnit.WORKING_DAY,
        )
        .annotate(accepted_day=TruncDate("accepted_at"), decided_day=TruncDate("decided_at"))
        .values("department_id", "department__name", "accepted_day", "decided_day")
        .annotate(n=Count("id"), promised=Sum("time_limit"))
        .order_by()
    ):
        r = row(g["department_id"], g["department__name"])
        r.timed += g["n"]
        r.promised_days += g["promised"] or 0
        r.working_days += g["n"] * max(
            0, cal.working_days_between(g["accepted_day"], g["decided_day"])
        )
    ordered = sorted(rows.values(), key=lambda r: (r.department, r.department_id or 0))
    total = EfficiencyRow(department_id=None, department="")
    for r in ordered:
        total.add(r)
    return EfficiencyTable(unit=unit, period=period, rows=ordered, total=total)


# --- table 3: staff ranking and the score ---------------------------------------------------


@dataclass
class StaffRow:
    user_id: int
    name: str = ""
    username: str = ""
    taken_in: int = 0
    returned: int = 0
    handled: int = 0
    handled_on_time: int = 0
    rated: int = 0  # active ratings that count in the scores
    level_sum: int = 0
    points_sum: int = 0
    defaulted: int = 0  # default ratings received (shown, not in the average)
    excluded: int = 0  # ratings taken out of the scores (an upheld appeal)
    normalised: dict[str, Fraction | None] = field(default_factory=dict)
    score: Decimal = Decimal("0.0")
    rank: int = 0

    @property
    def work(self) -> int:
        return self.taken_in + self.handled

    @property
    def on_time_share(self) -> Decimal | None:
        return percent(self.handled_on_time, self.handled)

    @property
    def rating_average(self) -> Decimal | None:
        return rounded(Fraction(self.level_sum, self.rated), 2) if self.rated else None


@dataclass
class WindowRow:
    window_id: int
    number: str
    cases: int
    score: Decimal
    rank: int = 0


@dataclass
class StaffTable:
    unit: Unit
    period: Period
    weights: dict[str, int]
    rows: list[StaffRow]
    windows: list[WindowRow]

    @property
    def star(self) -> StaffRow | None:
        return self.rows[0] if self.rows and self.rows[0].work else None

    @property
    def model_window(self) -> WindowRow | None:
        return self.windows[0] if self.windows else None


def normalised_figures(row: StaffRow, *, most_work: int) -> dict[str, Fraction | None]:
    """Each figure on 0–100; ``None`` where the person has nothing to measure it on (no step
    handled, no case taken in, no rating that counts)."""
    max_points = max(settings.RATING_SCORES) or 1
    return {
        ScoreFigure.VOLUME: Fraction(row.work) * HUNDRED / most_work if most_work else None,
        ScoreFigure.ON_TIME: (
            Fraction(row.handled_on_time) * HUNDRED / row.handled if row.handled else None
        ),
        ScoreFigure.ACCURACY: (
            Fraction(row.taken_in - row.returned) * HUNDRED / row.taken_in if row.taken_in else None
        ),
        ScoreFigure.RATING: (
            Fraction(row.points_sum) * HUNDRED / (row.rated * max_points) if row.rated else None
        ),
    }


def weighted_score(figures: dict[str, Fraction | None], weights: dict[str, int]) -> Decimal:
    """score = Σ wᵢ·nᵢ / Σ wᵢ over the figures the person has (``nᵢ`` not ``None``)."""
    present = [(weights.get(f, 0), n) for f, n in figures.items() if n is not None]
    total_weight = sum(w for w, _n in present)
    if not total_weight:
        return Decimal("0.0")
    value = sum((w * n for w, n in present), Fraction(0)) / total_weight
    result = rounded(value)
    assert result is not None
    return result


def _display_name(user: dict[str, Any]) -> str:
    full = f"{user.get('last_name') or ''}{user.get('first_name') or ''}".strip()
    return full or user["username"]


def staff_table(*, unit: Unit, period: Period, weights: dict[str, int] | None = None) -> StaffTable:
    """Table 3: per member of staff with work or ratings in the unit in the month, the figures,
    the score with ``weights`` (the defaults when none) and the rank; for a centre also its
    windows ranked (the model window). Five queries."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    rows: dict[int, StaffRow] = {}

    def row(user_id: int) -> StaffRow:
        if user_id not in rows:
            rows[user_id] = StaffRow(user_id=user_id)
        return rows[user_id]

    taken = Case.objects.filter(unit.cases(), period.within("accepted_at"))
    for g in grouped_rows(
        taken.values("clerk_id")
        .annotate(n=Count("id"), returned=Count("id", filter=Q(supplement_pause())))
        .order_by()
    ):
        r = row(g["clerk_id"])
        r.taken_in, r.returned = g["n"], g["returned"]
    for g in grouped_rows(
        CaseTask.objects.filter(
            unit.where("case__centre_id", "case__centre__region__code"),
            period.within("finished_at"),
            state=TaskState.DONE,
            assignee__isnull=False,
        )
        .values("assignee_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=task_on_time()))
        .order_by()
    ):
        r = row(g["assignee_id"])
        r.handled, r.handled_on_time = g["n"], g["on_time"]
    counting = Q(rating__counts_in_scores=True, rating__is_default=False)
    for g in grouped_rows(
        RatedStaff.objects.filter(
            unit.where("rating__centre_id", "rating__region_code"),
            period.within("rating__rated_at"),
        )
        .values("user_id")
        .annotate(
            rated=Count("id", filter=counting),
            level_sum=Sum("rating__level", filter=counting),
            points_sum=Sum(level_points(), filter=counting),
            defaulted=Count("id", filter=Q(rating__is_default=True)),
            excluded=Count("id", filter=Q(rating__counts_in_scores=False)),
        )
        .order_by()
    ):
        r = row(g["user_id"])
        r.rated, r.level_sum, r.points_sum = g["rated"], g["level_sum"] or 0, g["points_sum"] or 0
        r.defaulted, r.excluded = g["defaulted"], g["excluded"]
    for user in grouped_rows(
        get_user_model()
        .objects.filter(pk__in=list(rows))
        .values("id", "username", "first_name", "last_name")
    ):
        rows[user["id"]].name = _display_name(user)
        rows[user["id"]].username = user["username"]
    most_work = max((r.work for r in rows.values()), default=0)
    for r in rows.values():
        r.normalised = normalised_figures(r, most_work=most_work)
        r.score = weighted_score(r.normalised, weights)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, -r.work, r.username))
    for index, r in enumerate(ranked, start=1):
        r.rank = index
    windows = _window_ranking(taken, rows) if unit.centre_id is not None else []
    return StaffTable(unit=unit, period=period, weights=weights, rows=ranked, windows=windows)


def _window_ranking(taken: Any, rows: dict[int, StaffRow]) -> list[WindowRow]:
    """A window's score: the scores of the clerks who took cases in at it, weighted by the
    cases each took in there (one query)."""
    per_window: dict[int, list[tuple[int, int]]] = defaultdict(list)
    numbers: dict[int, str] = {}
    for g in grouped_rows(
        taken.filter(window__isnull=False)
        .values("window_id", "window__number", "clerk_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_window[g["window_id"]].append((g["clerk_id"], g["n"]))
        numbers[g["window_id"]] = g["window__number"]
    result = []
    for window_id, clerks in per_window.items():
        cases = sum(n for _c, n in clerks)
        value = sum((Fraction(str(rows[c].score)) * n for c, n in clerks if c in rows), Fraction(0))
        score = rounded(value / cases) if cases else Decimal("0.0")
        assert score is not None
        result.append(
            WindowRow(window_id=window_id, number=numbers[window_id], cases=cases, score=score)
        )
    result.sort(key=lambda w: (-w.score, -w.cases, w.number))
    for index, w in enumerate(result, start=1):
        w.rank = index
    return result


def all_tables(
    *, unit: Unit, period: Period, weights: dict[str, int] | None = None
) -> tuple[RatingTable, EfficiencyTable, StaffTable]:
    return (
        rating_table(unit=unit, period=period),
        efficiency_table(unit=unit, period=period),
        staff_table(unit=unit, period=period, weights=weights),
    )
