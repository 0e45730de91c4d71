"""What the endpoint modules share: rendering cases and tasks (personal data masked) and
reporting an id that names no record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.identifiers import mask_name
from onewindow.applicants.models import Organisation, Person
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.staff_selectors import case_detail_rows, case_light, supervision_calendar
from onewindow.cases.transitions import TaskState
from onewindow.core.errors import ErrorList
from onewindow.workcal.calendar import WorkingCalendar

# --- rendering ------------------------------------------------------------------------------


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _task_light(task: CaseTask, case: Case, now: dt.datetime, calendar: WorkingCalendar) -> str:
    if task.state not in (TaskState.OPEN, TaskState.CLAIMED):
        return "stopped"
    return str(case_light(case=case, now=now, calendar=calendar, due=task.due_at))


def task_out(
    task: CaseTask,
    case: Case,
    now: dt.datetime,
    calendar: WorkingCalendar,
    *,
    light: str | None = None,
) -> dict[str, Any]:
    """The task as the API shows it; ``light`` when the database computed it already."""
    return {
        "id": task.pk,
        "case_number": case.number,
        "step_order": task.step_order,
        "kind": task.kind,
        "name": task.name,
        "role": task.role,
        "department": (
            {"id": task.department.pk, "name": task.department.name} if task.department else None
        ),
        "is_joint": task.is_joint,
        "is_lead": task.is_lead,
        "state": task.state,
        "state_label": str(task.get_state_display()),
        "assignee": _user_name(task.assignee),
        "outcome": task.outcome,
        "opinion": task.opinion,
        "opened_at": task.opened_at,
        "finished_at": task.finished_at,
        "due_at": task.due_at,
        "revision": task.revision,
        "light": light if light is not None else _task_light(task, case, now, calendar),
    }


def _person_out(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "name_masked": mask_name(person.name),
        "id_type": person.id_type,
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
    }


def _organisation_out(organisation: Organisation | None) -> dict[str, Any] | None:
    if organisation is None:
        return None
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "uscc": organisation.uscc,
        "legal_representative_name_masked": mask_name(organisation.legal_representative_name),
        "legal_representative_id_masked": organisation.legal_representative_id_masked,
        "contact_phone_masked": organisation.contact_phone_masked,
    }


def case_out(case: Case) -> dict[str, Any]:
    """The case with its papers, tasks, timeline and pauses (a fixed number of queries).

    Never the query code (the applicant's secret for the public progress page): only the slim
    answer of the intake operation that files the case carries it (``intake.intake_case_out``),
    for the receipt, so a staff member with the case-view permission cannot collect codes."""
    case = (
        Case.objects.select_related(
            "item",
            "item_version",
            "department",
            "centre__region",
            "window",
            "clerk",
            "person",
            "organisation",
            "output_centre",
        )
    ).get(pk=case.pk)
    rows = case_detail_rows(case=case)
    now = timezone.now()
    calendar = supervision_calendar(now)
    answer: dict[str, Any] = {
        "number": case.number,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "revision": case.revision,
        "outcome": case.outcome,
        "item": {
            "id": case.item.pk,
            "implementation_code": case.item.implementation_code,
            "name": case.item_version.snapshot.get("name", case.item.name),
            "version": case.item_version.number,
        },
        "department": {"id": case.department.pk, "name": case.department.name},
        "centre": {"id": case.centre.pk, "name": case.centre.name},
        "window_number": case.window.number if case.window else "",
        "clerk": _user_name(case.clerk),
        "applicant_type": case.applicant_type,
        "person": _person_out(case.person),
        "organisation": _organisation_out(case.organisation),
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "decided_at": case.decided_at,
        "delivered_at": case.delivered_at,
        "time_limit": case.time_limit,
        "time_limit_unit": case.time_limit_unit,
        "due_at": case.due_at,
        "paused_since": case.paused_since,
        "supplement_deadline": case.supplement_deadline,
        "output_method": case.output_method,
        "output_centre": {"id": case.output_centre.pk, "name": case.output_centre.name},
        "light": str(case_light(case=case, now=now, calendar=calendar)),
        "materials": [
            {
                "name": m.name,
                "necessity": m.necessity,
                "status": m.status,
                "receive_form": m.receive_form,
                "copies": m.copies,
                "problem": m.problem,
                "due_date": m.due_date,
                "received_at": m.received_at,
            }
            for m in rows["materials"]
        ],
        "tasks": [task_out(task, case, now, calendar) for task in rows["tasks"]],
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "department": e.department.name if e.department else "",
                "actor": _user_name(e.actor),
                "task_id": e.task_id,
                "public": e.public,
                "data": e.data,
            }
            for e in rows["events"]
        ],
        "pauses": [
            {
                "kind": p.kind,
                "reason": p.reason,
                "started_at": p.started_at,
                "ended_at": p.ended_at,
                "result": p.result,
                "paused_working_days": p.paused_working_days,
            }
            for p in rows["pauses"]
        ],
    }
    return answer


# --- looking up what a request names --------------------------------------------------------


UNKNOWN_RECORDS = _("The request names records that do not exist.")


def unknown(errors: ErrorList, field_name: str) -> None:
    errors.add(field_name, "unknown", _("No such record."))
