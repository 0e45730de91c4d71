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


def test_the_readme_output_logins_find_results_waiting_at_their_desks():
    """output01 (district hall) and street01 (a street centre) open a desk with results to hand
    over: decided demo cases are handed over at the hall and at street01's centre."""
    from django.contrib.auth import get_user_model

    from onewindow.cases.staff_selectors import output_desk_for_user
    from onewindow.demo.cases import DECIDED_AT_HALL, DECIDED_AT_STREET01
    from onewindow.org.models import CentreLevel

    build_demo_city(seed=3, scale=0.2)
    build_demo_cases(seed=3)
    users = get_user_model().objects
    output01, street01 = users.get(username="output01"), users.get(username="street01")
    at_hall = list(output_desk_for_user(output01))
    assert len(at_hall) == DECIDED_AT_HALL == 2
    assert {c.output_centre.level for c in at_hall} == {CentreLevel.DISTRICT_HALL}
    at_street = list(output_desk_for_user(street01))
    assert len(at_street) >= DECIDED_AT_STREET01 == 2
    street_centre = street01.role_assignments.get(role=Role.OUTPUT_CLERK).centre
    assert {c.output_centre for c in at_street} == {street_centre}
    assert all(c.state == "decided" for c in at_hall + at_street)


def test_the_lift_case_has_papers_every_joint_department_opens():
    """`make run` shows the lift's joint review with scanned papers: a PDF form, a PNG vote
    and a JPEG ID card copy, openable by each of its departments (each read audited)."""
    from onewindow.cases.models import CasePaper
    from onewindow.cases.services.papers import case_paper_open
    from onewindow.demo.cases import LIFT_ITEM
    from onewindow.org.models import RoleAssignment

    build_demo_city(seed=3, scale=0.2)
    build_demo_cases(seed=3)
    case = Case.objects.filter(item__name=LIFT_ITEM, papers__isnull=False).distinct().get()
    assert case.state == "accepted"
    papers = list(CasePaper.objects.filter(case=case).select_related("paper", "material"))
    assert sorted(p.paper.content_type for p in papers) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    assert {p.material.name for p in papers if p.material} == {
        "既有住宅增设电梯申请表",
        "增设电梯业主表决结果及签名名单",
        "业主代表居民身份证及授权委托书",
    }
    departments = set(case.tasks.values_list("department_id", flat=True))
    assert len(departments) == 9  # the housing department and its eight partners
    for department_id in departments:
        approver = (
            RoleAssignment.objects.filter(role=Role.DEPT_APPROVER, department_id=department_id)
            .order_by("user__username")
            .first()
            .user
        )
        for paper in papers:
            link, data = case_paper_open(number=case.number, paper_id=paper.pk, user=approver)
            assert len(data) == link.paper.size
