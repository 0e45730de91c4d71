"""Demo cases go through the real services and cover every state a supervisor should see."""

import collections

import pytest

from onewindow.cases.models import Case
from onewindow.cases.selectors import supervision_board_counts
from onewindow.demo.cases import MIX, build_demo_cases
from onewindow.demo.generator import build_demo_city
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role
from onewindow.workflow.clock import Light

pytestmark = pytest.mark.django_db


def test_demo_cases_fill_every_state_and_light():
    build_demo_city(seed=3, scale=0.2)
    made = build_demo_cases(seed=3)
    assert made.cases == sum(MIX.values()) == Case.objects.count()
    assert made.persons == made.cases
    states = collections.Counter(Case.objects.values_list("state", flat=True))
    assert states["supplement_requested"] == MIX["supplement"]
    assert states["suspended"] == MIX["paused"]
    assert states["delivered"] == MIX["delivered"] + MIX["instant"]
    assert states["decided"] == MIX["decided"]
    assert states["accepted"] == MIX["fresh"] + MIX["late"]
    admin = staff_with_role(Role.ADMIN)
    lights = supervision_board_counts(user=admin).lights
    assert lights[Light.PAUSED] == MIX["paused"]
    # Two "late" cases are two working days overdue; the others are due today or tomorrow
    # (items with natural-day limits can tip those into red too).
    assert lights[Light.RED] >= 2
    assert lights[Light.YELLOW] >= 1
    assert sum(lights.values()) == MIX["fresh"] + MIX["late"] + MIX["paused"]
    # Every case has its timeline, opened by the intake event.
    first_actions = {c.events.order_by("at", "id").first().action for c in Case.objects.all()}
    assert first_actions == {"accept", "request_supplement", "complete_instant"}
