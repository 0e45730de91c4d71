"""Demo cases, so that a freshly switched-on platform shows queues, lights and timelines.

``build_demo_cases`` runs after ``build_demo_city`` and goes through the real services only
(``person_register``, ``case_accept``, ``task_claim`` …): every demo case obeys the same rules,
permissions and audit trail as a real one. Deterministic for a seed, apart from timestamps
(acceptance dates are set relative to today so that the e-supervision board has green, yellow
and red cases whatever day the demo is built).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from onewindow.applicants.services import person_register
from onewindow.cases.models import (
    Case,
    CaseTask,
    MaterialStatus,
    OutputMethod,
    PauseKind,
    TaskOutcome,
)
from onewindow.cases.services import (
    Intake,
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_deliver,
    case_request_supplement,
    case_suspend,
    task_claim,
    task_complete,
)
from onewindow.cases.transitions import TaskState
from onewindow.catalog.codes import CaseType, ItemStatus
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.selectors import item_accepted_at
from onewindow.demo.papers import demo_lift_papers
from onewindow.demo.ratings import rate_demo_cases
from onewindow.org.models import CentreLevel, Role, RoleAssignment, ServiceCentre, WindowKind
from onewindow.workcal.calendar import WorkingCalendar

SURNAMES = "陈李张黄梁何罗林吴郑谢冯邓曾彭苏卢蔡"
GIVEN = ["伟", "芳", "志强", "秀英", "家豪", "嘉怡", "国华", "丽娟", "子轩", "晓敏", "建明", "美玲"]
# How many cases of each kind a demo gets.
MIX = {
    "fresh": 12,
    "late": 6,
    "supplement": 4,
    "paused": 3,
    "decided": 5,
    "delivered": 6,
    "instant": 4,
}


# Of the decided cases (results waiting), the first ones are handed over at the district hall
# (the README's output01) and the next at street01's street centre.
DECIDED_AT_HALL = 2
DECIDED_AT_STREET01 = 2
STREET01 = "street01"
# The first fresh case is the lift's joint review, with electronic papers (demo/papers.py).
LIFT_ITEM = "既有住宅增设电梯"


@dataclass(frozen=True)
class DemoCasesSummary:
    persons: int
    cases: int
    ratings: int = 0


def _resident_id(rng: random.Random, serial: int) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
    body = f"440103{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _worker(role: str, department_id: int | None) -> Any:
    if department_id is None:
        return None
    assignment = (
        RoleAssignment.objects.filter(role=role, department_id=department_id)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return assignment.user if assignment else None


def _finish_step(case: Case, outcome: str = TaskOutcome.APPROVE) -> bool:
    """Work every open task of the case's current step with the department's own staff."""
    worked = False
    for task in CaseTask.objects.filter(case=case, state=TaskState.OPEN).order_by("id"):
        user = _worker(task.role, task.department_id)
        if user is None:
            return False
        task_claim(task=task, actor=user)
        task.refresh_from_db()
        task_complete(task=task, actor=user, outcome=outcome, opinion=_("Agreed."))
        worked = True
    return worked


def _receipts(item: ServiceItem) -> list[MaterialReceipt]:
    return [
        MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED) for m in item.materials.all()
    ]


def _output_centre_of(username: str) -> ServiceCentre | None:
    """The centre where a demo login hands results over (``planning.py``'s accounts)."""
    assignment = (
        RoleAssignment.objects.filter(
            user__username=username, role=Role.OUTPUT_CLERK, centre__isnull=False
        )
        .select_related("centre")
        .order_by("centre__code")
        .first()
    )
    return assignment.centre if assignment else None


def build_demo_cases(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoCasesSummary:
    """Persons and cases in every state, through the services, in one transaction."""
    rng = random.Random(f"{seed}:cases")
    now = now or timezone.now()
    clerk_model = get_user_model()
    centres = list(
        ServiceCentre.objects.filter(level=CentreLevel.STREET_CENTRE).order_by("code")[:6]
    )
    hall = ServiceCentre.objects.get(level=CentreLevel.DISTRICT_HALL)
    street01_centre = _output_centre_of(STREET01)
    promised = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, case_type=CaseType.PROMISED)
        .select_related("department")
        .prefetch_related("materials", "handled_in_regions")
        .order_by("implementation_code")
    )
    instant = list(
        ServiceItem.objects.filter(
            status=ItemStatus.PUBLISHED,
            case_type=CaseType.INSTANT,
            department__in=hall.windows.filter(kind=WindowKind.INTAKE).values(
                "delegated_departments"
            ),
        )
        .prefetch_related("materials")
        .order_by("implementation_code")
    )
    lift = next((i for i in promised if i.name == LIFT_ITEM), None)
    calendar = WorkingCalendar.load(now.date() - dt.timedelta(days=120), now.date())
    persons_made = 0
    cases_made = 0
    with transaction.atomic():
        serial = 0

        def new_person(clerk: Any) -> Any:
            nonlocal serial, persons_made
            serial += 1
            persons_made += 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            return person_register(
                id_type="111",
                id_number=_resident_id(rng, serial),
                name=name,
                phone=f"13{rng.randrange(100000000, 999999999)}",
                identity_check="card_read",  # the demo's clerks read every card
                actor=clerk,
            )

        def intake_at(
            centre: ServiceCentre, output_centre: ServiceCentre | None = None
        ) -> tuple[Any, Any, ServiceItem]:
            clerk = (
                clerk_model.objects.filter(
                    role_assignments__role=Role.INTAKE_CLERK, role_assignments__centre=centre
                )
                .order_by("username")
                .first()
            )
            window = centre.windows.filter(kind=WindowKind.INTAKE).order_by("number").first()
            choices = [i for i in promised if item_accepted_at(item=i, centre=centre)]
            if output_centre is not None:
                choices = [
                    i for i in choices if item_accepted_at(item=i, centre=output_centre)
                ] or choices
            return clerk, window, rng.choice(choices)

        for kind, count in MIX.items():
            for index in range(count):
                if kind == "instant":
                    clerk = (
                        clerk_model.objects.filter(
                            role_assignments__role=Role.INTAKE_CLERK, role_assignments__centre=hall
                        )
                        .order_by("username")
                        .first()
                    )
                    item = rng.choice(instant)
                    window = (
                        hall.windows.filter(delegated_departments=item.department_id)
                        .order_by("number")
                        .first()
                    )
                    case = case_complete_instant(
                        intake=Intake(
                            item=item,
                            centre=hall,
                            window=window,
                            clerk=clerk,
                            person=new_person(clerk),
                            materials=_receipts(item),
                        )
                    )
                    case_deliver(
                        case=case,
                        actor=clerk,
                        method=OutputMethod.WINDOW,
                        collector_id_checked=True,
                    )
                    cases_made += 1
                    continue
                centre = rng.choice(centres)
                # Results waiting where the README's logins hand them over: output01 at the
                # district hall, street01 at its street centre.
                output_centre = None
                if kind == "decided" and index < DECIDED_AT_HALL:
                    output_centre = hall
                elif kind == "decided" and index < DECIDED_AT_HALL + DECIDED_AT_STREET01:
                    centre = street01_centre or centre
                clerk, window, item = intake_at(centre, output_centre)
                lift_centre = None
                if kind == "fresh" and index == 0 and lift is not None:
                    # The lift's joint review, with scanned papers for its eight departments,
                    # taken at street01's centre (the README's login) if it takes the item.
                    lift_centre = next(
                        (
                            c
                            for c in (street01_centre, *centres)
                            if c is not None and item_accepted_at(item=lift, centre=c)
                        ),
                        None,
                    )
                if lift is not None and lift_centre is not None:
                    centre, item = lift_centre, lift
                    clerk = (
                        clerk_model.objects.filter(
                            role_assignments__role=Role.INTAKE_CLERK,
                            role_assignments__centre=centre,
                        )
                        .order_by("username")
                        .first()
                    )
                    window = (
                        centre.windows.filter(kind=WindowKind.INTAKE).order_by("number").first()
                    )
                if output_centre is not None and not item_accepted_at(
                    item=item, centre=output_centre
                ):
                    output_centre = None  # no item this centre takes is handed over there
                intake = Intake(
                    item=item,
                    centre=centre,
                    window=window,
                    clerk=clerk,
                    person=new_person(clerk),
                    materials=_receipts(item),
                    output_centre=output_centre,
                )
                if kind == "supplement":
                    receipts = _receipts(item)
                    receipts[0] = MaterialReceipt(
                        name=receipts[0].name, status="faulty", problem=_("Signature missing.")
                    )
                    intake.materials = receipts
                    case_request_supplement(
                        intake=intake, deadline=now.date() + dt.timedelta(days=10)
                    )
                    cases_made += 1
                    continue
                accepted_on = now
                if kind == "late":
                    # Accepted long enough ago that the deadline is today or already past.
                    # Overdue by two working days, due today, due tomorrow — in turn.
                    days_back = item.promised_limit + (2, 0, -1)[index % 3]
                    day = now.date()
                    for _step in range(max(days_back, 0)):
                        day = calendar.previous_working_day(day)
                    accepted_on = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
                case = case_accept(intake=intake, now=accepted_on)
                cases_made += 1
                if lift_centre is not None:
                    demo_lift_papers(case=case, clerk=clerk)
                if kind == "paused":
                    lead = _worker(Role.DEPT_LEAD, case.department_id)
                    case_suspend(
                        case=case,
                        actor=lead,
                        kind=PauseKind.EXPERT_REVIEW,
                        reason=_("Expert review of the technical plan."),
                    )
                if kind in ("decided", "delivered"):
                    while _finish_step(case):
                        case.refresh_from_db()
                    case.refresh_from_db()
                if kind == "delivered" and case.state == "decided":
                    output = (
                        clerk_model.objects.filter(
                            role_assignments__role=Role.OUTPUT_CLERK,
                            role_assignments__centre=case.output_centre,
                        )
                        .order_by("username")
                        .first()
                    )
                    case_deliver(
                        case=case,
                        actor=output,
                        method=OutputMethod.WINDOW,
                        collector_id_checked=True,
                    )
    # The delivered ones rated (and the bad ratings' rectifications opened and moved).
    ratings = rate_demo_cases(now=now)
    return DemoCasesSummary(persons=persons_made, cases=cases_made, ratings=ratings)
