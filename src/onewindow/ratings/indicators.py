"""The indicators of the bad-rating loop (差评整改率, 实名差评回访率), as database aggregates over
any scoped set of ratings (a user's scope, one department, one centre) and one month: one query
whatever the number of ratings. Also read by the assessment of staff and departments.

For the bad ratings (差评: levels 1–2, never a default rating) given in the month — the
definitions of ``ratings.figures``, shared with the published results, table (1) and the
dashboard:

- ``bad``: how many;
- ``upheld``: those whose appeal was upheld (申诉复核: they do not count; shown apart);
- ``due``: ``bad − upheld`` — the bad ratings to be rectified;
- ``rectified``: those whose rectification was fixed (at once or on the ledger: ``fixed`` or,
  after the second call-back, ``closed``) or explained (``closed`` by an explanation);
- 差评整改率 = ``rectified ÷ due`` (None when nothing is due);
- ``named``: the bad ratings with a rater to call — every rating names its case and so its
  applicant (real name), so ``named = bad``; an upheld appeal does not undo a call-back made;
- ``called_back``: those whose call-back was made and recorded (``callback_at`` set: the rater
  reached, or not reached after a recorded attempt);
- 实名差评回访率 = ``called_back ÷ named`` (None when there is none);
- ``overdue``: rectifications still open past a deadline — the call-back not made by
  ``callback_due_at``, or the ledger not fixed by its ``due_at``.

Both rates aim at 100 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from onewindow.ratings import figures
from onewindow.ratings.models import Rating
from onewindow.ratings.transitions import RectificationState

S = RectificationState
TARGET_PERCENT = 100


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``month`` and of the month after, in local time."""
    first = month.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(0, 0)))
    end = timezone.make_aware(dt.datetime.combine(after, dt.time(0, 0)))
    return start, end


percent = figures.percent


@dataclass(frozen=True)
class RectificationFigures:
    month: dt.date
    bad: int
    upheld: int
    rectified: int
    named: int
    called_back: int
    overdue: int

    @property
    def due(self) -> int:
        return self.bad - self.upheld

    @property
    def rectified_rate(self) -> Decimal | None:
        """差评整改率, percent."""
        return figures.rectified_rate(rectified=self.rectified, bad=self.bad, upheld=self.upheld)

    @property
    def callback_rate(self) -> Decimal | None:
        """实名差评回访率, percent."""
        return percent(self.called_back, self.named)


def rectification_figures(
    ratings: QuerySet[Rating], *, month: dt.date, now: dt.datetime | None = None
) -> RectificationFigures:
    """The figures of the bad ratings of ``ratings`` (already scoped) given in ``month``."""
    now = now or timezone.now()
    start, end = month_bounds(month)
    bad = ratings.filter(figures.bad(), rated_at__gte=start, rated_at__lt=end)
    state = "rectification__state"
    totals = bad.aggregate(
        bad=Count("pk"),
        upheld=Count("pk", filter=figures.bad_upheld()),
        rectified=Count("pk", filter=figures.bad_rectified()),
        called_back=Count("pk", filter=Q(rectification__callback_at__isnull=False)),
        overdue=Count(
            "pk",
            filter=Q(**{state: S.CALLBACK}, rectification__callback_due_at__lt=now)
            | Q(**{state: S.LEDGER}, rectification__due_at__lt=now),
        ),
    )
    return RectificationFigures(
        month=month.replace(day=1),
        bad=totals["bad"],
        upheld=totals["upheld"],
        rectified=totals["rectified"],
        named=totals["bad"],
        called_back=totals["called_back"],
        overdue=totals["overdue"],
    )
