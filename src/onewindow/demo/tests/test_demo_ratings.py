"""The demo cases' ratings (``demo/ratings.py``): every delivered demo case rated with the fixed
mix, the bad ratings' rectifications opened and moved by the kernel (events and audit rows)."""

import collections
import datetime as dt
import random

import pytest
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.core.models import AuditLog
from onewindow.demo.cases import MIX, build_demo_cases
from onewindow.demo.generator import build_demo_city
from onewindow.demo.ratings import DEMO_MIX, plan_rating, states_after
from onewindow.ratings import published
from onewindow.ratings.models import RatedStaff, Rating, Rectification

pytestmark = pytest.mark.django_db


def test_every_delivered_demo_case_is_rated_with_the_mix():
    build_demo_city(seed=3, scale=0.2)
    made = build_demo_cases(seed=3)
    delivered = MIX["delivered"] + MIX["instant"]
    assert made.ratings == delivered == Rating.objects.count() == 10
    assert sorted(Rating.objects.values_list("level", flat=True)) == sorted(
        level for level, _channel, _path in DEMO_MIX
    )
    assert set(Rating.objects.values_list("case__state", flat=True)) == {"delivered"}
    assert RatedStaff.objects.filter(role="window").count() == 10
    states = collections.Counter(Rectification.objects.values_list("state", flat=True))
    assert states == {"closed": 2, "callback": 1}
    fixed = Rectification.objects.get(resolution="fixed_at_once")
    assert [e.action for e in fixed.events.order_by("at", "id")] == [
        "open",
        "verify",
        "fix_now",
        "recheck",
    ]
    assert (
        AuditLog.objects.filter(
            object_type="ratings.rectification", object_id=str(fixed.pk)
        ).count()
        == 4
    )
    assert fixed.fix_summary and fixed.closed_at is not None
    # This month's published figures for the city come from these rows.
    month = published.this_month()
    total = sum(f.ratings for f in published.by_department(month).values())
    assert total == 10
    fixes = published.fixes(month)
    assert {f.resolution for f in fixes} == {"fixed_at_once", "explained"}
    completed = Case.objects.filter(state="delivered").count()
    assert sum(f.completed for f in published.by_department(month).values()) == completed


NOW = timezone.make_aware(dt.datetime(2026, 6, 10, 11, 0))


def test_the_plan_waits_for_the_moves_not_yet_due():
    rng = random.Random("t")
    drafts = [
        plan_rating(rng, delivered_at=NOW - dt.timedelta(minutes=17 * d), now=NOW, default=5)
        for d in range(6000)
    ]
    drafts = [d for d in drafts if d is not None]
    assert all(d.rated_at <= NOW for d in drafts)
    assert all(at <= NOW for d in drafts for _a, at in d.moves)
    assert {d.level for d in drafts if d.is_default} == {5}
    final = collections.Counter(states_after(d)[-1][2] for d in drafts if d.path)
    # Recent bad ratings wait for their next move; older ones are finished.
    assert {"callback", "verified", "ledger", "closed", "upheld"} <= set(final)
    assert set(final) <= {"callback", "verified", "ledger", "fixed", "closed", "appealed", "upheld"}
    assert final["closed"] > final["upheld"]
