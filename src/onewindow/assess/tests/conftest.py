"""A hand-built month for the assessment tests: November 2026 at the cases' street centre.

Cases are stored directly (accepted, decided and due on chosen days — late ones, one on the last
day of its limit, one across midnight at the month's end), with back-office steps, a 补正 asked
at the window, a department's send-back for papers, instant cases, and ratings (a default one,
one taken out of the scores by an upheld appeal, a bad one never called back). Every figure of
the three tables is worked out by hand in ``test_tables.py``.

    dept A 区住房和建设局 (promised):  A1 A2 A3 A4 A6 accepted in November, A5 in October, A7 on
        1 December at 00:30 (in UTC still 30 November); decided in November: A1 A2 A3 A5
    dept B 区社会保险基金管理局 (instant): B1 B2 at the street centre, B3 at the district hall
    dept C 区市场监督管理局 (promised): C1
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent, CaseTask, ClockPause, PauseKind
from onewindow.cases.tests.conftest import City, city
from onewindow.catalog.codes import CaseType, StepKind
from onewindow.org.models import Role, Window, WindowKind
from onewindow.ratings.codes import Channel, RatedRole
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.tests.conftest import rating_of
from onewindow.testing.factories import DepartmentFactory, create_item, staff_with_role

__all__ = ["City", "Month", "at", "city", "month"]

_serial = itertools.count(1)


def at(day: str, time: str = "10:00") -> dt.datetime:
    """A moment in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{time}"))


def end_of(day: str) -> dt.datetime:
    return at(day, "23:59:59")


@dataclass
class Month:
    city: City
    centre: Any
    hall: Any
    dept_a: Any
    dept_b: Any
    dept_c: Any
    clerk: Any  # C1
    clerk2: Any  # C2
    approver: Any  # P
    lead: Any  # P2
    manager: Any
    hall_manager: Any
    window_01: Any
    window_02: Any
    cases: dict[str, Case] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)


def store_case(
    *,
    item: Any,
    centre: Any,
    clerk: Any,
    window: Any,
    person: Any,
    accepted: dt.datetime,
    due: dt.datetime | None,
    limit: int,
    decided: dt.datetime | None = None,
) -> Case:
    version = item.versions.get(number=item.version)
    case = Case(
        number=f"T2026{next(_serial):06d}",
        item=item,
        item_version=version,
        department=item.department,
        centre=centre,
        window=window,
        clerk=clerk,
        applicant_type="natural",
        person=person,
        state="decided" if decided else "accepted",
        submitted_at=accepted,
        accepted_at=accepted,
        decided_at=decided,
        time_limit=limit,
        due_at=due,
        output_centre=centre,
    )
    case.query_code_set(f"Q{case.number}")
    case.save()
    return case


def store_task(case: Case, *, assignee: Any, due: dt.datetime, finished: dt.datetime | None) -> Any:
    return CaseTask.objects.create(
        case=case,
        step_order=1,
        kind=StepKind.REVIEW,
        name="审查",
        role=Role.DEPT_APPROVER,
        department=case.department,
        state="done" if finished else "claimed",
        assignee=assignee,
        outcome="approve" if finished else "",
        opened_at=case.accepted_at,
        finished_at=finished,
        due_at=due,
    )


@pytest.fixture
def month(city: City) -> Month:
    centre, hall = city.street_centre, city.hall
    dept_a = city.lead_department
    dept_b = city.instant.department
    dept_c = DepartmentFactory(name="区市场监督管理局")
    item_c = create_item(name="食品经营许可变更", department=dept_c, promised_limit=2)
    assert city.lift.case_type == CaseType.PROMISED and city.instant.case_type == CaseType.INSTANT
    clerk, clerk2 = city.clerk, staff_with_role(Role.INTAKE_CLERK, centre=centre)
    clerk.first_name, clerk.last_name = "小明", "王"
    clerk.save()
    approver = city.approvers[dept_a.pk]
    lead = city.leads[dept_a.pk]
    window_01 = city.intake_window
    window_02 = city.instant_window
    hall_window = Window.objects.create(centre=hall, number="05", kind=WindowKind.INTAKE)
    m = Month(
        city=city,
        centre=centre,
        hall=hall,
        dept_a=dept_a,
        dept_b=dept_b,
        dept_c=dept_c,
        clerk=clerk,
        clerk2=clerk2,
        approver=approver,
        lead=lead,
        manager=staff_with_role(Role.CENTRE_MANAGER, centre=centre),
        hall_manager=staff_with_role(Role.CENTRE_MANAGER, centre=hall),
        window_01=window_01,
        window_02=window_02,
    )
    person = city.person

    def promised(name: str, item: Any, who: Any, accepted: dt.datetime, **kw: Any) -> Case:
        m.cases[name] = store_case(
            item=item, centre=centre, clerk=who, window=window_01, person=person,
            accepted=accepted, **kw,
        )  # fmt: skip
        return m.cases[name]

    lift = city.lift
    a1 = promised("A1", lift, clerk, at("2026-11-02"), limit=6, due=end_of("2026-11-10"),
                  decided=at("2026-11-05", "15:00"))  # fmt: skip
    a2 = promised("A2", lift, clerk, at("2026-11-02"), limit=5, due=end_of("2026-11-09"),
                  decided=at("2026-11-09", "16:00"))  # fmt: skip
    a3 = promised("A3", lift, clerk2, at("2026-11-03", "09:00"), limit=3,
                  due=end_of("2026-11-06"), decided=at("2026-11-10", "11:00"))  # fmt: skip
    a4 = promised("A4", lift, clerk2, at("2026-11-20"), limit=5, due=end_of("2026-11-27"))
    a5 = promised("A5", lift, clerk, at("2026-10-28"), limit=5, due=end_of("2026-11-04"),
                  decided=at("2026-11-04", "10:00"))  # fmt: skip
    promised("A6", lift, clerk, at("2026-11-30", "23:30"), limit=5, due=end_of("2026-12-07"),
             decided=at("2026-12-01", "00:10"))  # fmt: skip
    promised("A7", lift, clerk, at("2026-12-01", "00:30"), limit=5, due=end_of("2026-12-08"))
    c1 = promised("C1", item_c, clerk2, at("2026-11-16", "09:00"), limit=2,
                  due=end_of("2026-11-18"), decided=at("2026-11-18", "20:00"))  # fmt: skip
    for name, day, who, where, win in (
        ("B1", "2026-11-12", clerk, centre, window_02),
        ("B2", "2026-11-13", clerk, centre, window_02),
        ("B3", "2026-11-13", city.hall_clerk, hall, hall_window),
    ):
        moment = at(day, "11:00")
        m.cases[name] = store_case(
            item=city.instant, centre=where, clerk=who, window=win, person=person,
            accepted=moment, due=moment, limit=0, decided=moment,
        )  # fmt: skip

    # A 补正 at the window before A4 was accepted; A3 sent back for papers by the department.
    CaseEvent.objects.create(
        case=a4, at=at("2026-11-19"), actor=clerk2, action="request_supplement",
        from_state="", to_state="supplement_requested",
    )  # fmt: skip
    ClockPause.objects.create(
        case=a3, kind=PauseKind.SUPPLEMENT, reason="房屋安全鉴定报告缺页",
        started_at=at("2026-11-04"), ended_at=at("2026-11-05"), paused_working_days=1,
    )  # fmt: skip

    # Back-office steps: the approver finished A1 (on time), A3 (late), A5 (on time); the lead
    # A2 (on time); the approver's claimed step on A4 and a step at the hall do not count.
    store_task(a1, assignee=approver, due=end_of("2026-11-10"), finished=at("2026-11-05", "15:00"))
    store_task(a3, assignee=approver, due=end_of("2026-11-06"), finished=at("2026-11-10", "11:00"))
    store_task(a5, assignee=approver, due=end_of("2026-11-04"), finished=at("2026-11-04", "09:00"))
    store_task(a2, assignee=lead, due=end_of("2026-11-09"), finished=at("2026-11-09", "16:00"))
    store_task(a4, assignee=approver, due=end_of("2026-11-27"), finished=None)
    store_task(m.cases["B3"], assignee=approver, due=end_of("2026-11-20"),
               finished=at("2026-11-14"))  # fmt: skip

    window, back = RatedRole.WINDOW, RatedRole.BACK_OFFICE
    r = m.ratings
    r["R1"] = rating_of(a1, 5, rated_at=at("2026-11-06"), staff=((clerk, window), (approver, back)))
    r["R2"] = rating_of(a2, 4, rated_at=at("2026-11-10"))
    r["R3"] = rating_of(
        a3, 1, rated_at=at("2026-11-11"), staff=((clerk2, window), (approver, back))
    )
    r["R4"] = rating_of(a5, 2, rated_at=at("2026-11-05"))
    r["R5"] = rating_of(m.cases["B1"], 2, rated_at=at("2026-11-12", "12:00"))
    r["R6"] = rating_of(m.cases["B2"], 5, rated_at=at("2026-11-20"), is_default=True,
                        channel=Channel.DEFAULT)  # fmt: skip
    r["R7"] = rating_of(c1, 3, rated_at=at("2026-11-19"), staff=((clerk2, window),))
    r["R8"] = rating_of(m.cases["A6"], 5, rated_at=at("2026-12-01", "00:30"))
    r["R9"] = rating_of(m.cases["B3"], 4, rated_at=at("2026-11-14"))
    # R4 appealed and upheld (out of the scores); R5 fixed and closed; R3 never called back.
    # With the times the services record (called back, then closed), as table 1 reads overdue
    # rectifications from the times.
    Rectification.objects.filter(rating=r["R4"]).update(
        state="upheld", callback_at=at("2026-11-05", "15:00"), closed_at=at("2026-11-09")
    )
    Rating.objects.filter(pk=r["R4"].pk).update(
        counts_in_scores=False, excluded_reason="申诉复核：恶意差评"
    )
    Rectification.objects.filter(rating=r["R5"]).update(
        state="closed",
        callback_at=at("2026-11-12", "15:00"),
        fixed_at=at("2026-11-12", "16:00"),
        closed_at=at("2026-11-13"),
    )
    return m
