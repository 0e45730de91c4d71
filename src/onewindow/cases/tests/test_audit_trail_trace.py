"""An auditor traces a case in the audit trail admin: its steps' rows carry the case number
(found by a search for it), each step is named "办件 <number> · <step> · <department>", and
the list costs the same number of queries for 5 rows as for 50."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.cases.models import TaskOutcome
from onewindow.cases.services import case_accept, task_claim, task_complete
from onewindow.catalog.codes import StepKind
from onewindow.core.audit import audit_record
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

LIST = "/admin/core/auditlog/"


def auditor_client() -> Client:
    client = Client()
    client.force_login(staff_with_role(Role.AUDITOR))
    return client


def listed(page) -> list[AuditLog]:
    assert page.status_code == 200
    return list(page.context["cl"].result_list)


@pytest.fixture
def worked(city):
    """A lift case accepted, its lead department's review claimed and approved."""
    case = case_accept(intake=city.intake())
    lead = case.tasks.get(kind=StepKind.REVIEW, is_lead=True)
    approver = city.approvers[city.lead_department.pk]
    task_claim(task=lead, actor=approver)
    lead.refresh_from_db()
    task_complete(task=lead, actor=approver, outcome=TaskOutcome.APPROVE, opinion="同意")
    return case, lead


def test_a_search_by_case_number_lists_the_rows_of_its_steps(worked):
    case, lead = worked
    rows = listed(auditor_client().get(LIST, {"q": case.number}))
    step_rows = AuditLog.objects.filter(
        object_type="cases.casetask",
        object_id__in=[str(pk) for pk in case.tasks.values_list("pk", flat=True)],
    )
    lead_actions = {
        row.action
        for row in rows
        if row.object_type == "cases.casetask" and row.object_id == str(lead.pk)
    }
    assert {"cases.task_claim", "cases.task_complete"} <= lead_actions
    assert set(step_rows.values_list("pk", flat=True)) <= {row.pk for row in rows}
    assert "cases.accept" in {row.action for row in rows if row.object_type == "cases.case"}
    # Each step's row stores the number with the step and its department.
    claim = step_rows.get(action="cases.task_claim")
    assert claim.object_repr == f"{case.number} · {lead.name} · 区住房和建设局"
    # Another case's number finds none of them.
    other = listed(auditor_client().get(LIST, {"q": "NO-SUCH-NUMBER"}))
    assert other == []


def test_a_step_shows_its_case_number_step_and_department_and_the_action_its_label(worked):
    case, lead = worked
    page = auditor_client().get(LIST, {"q": case.number})
    html = page.content.decode()
    assert f"办件 {case.number} · {lead.name} · 区住房和建设局" in html
    assert '<td class="field-action_shown">任务已认领</td>' in html
    assert '<td class="field-action_shown">cases.task_claim</td>' not in html


def test_a_row_written_before_the_change_is_named_by_its_step_all_the_same(worked):
    case, lead = worked
    old = audit_record(
        actor=None,
        action="cases.task_claim",
        object_type="cases.casetask",
        object_id=str(lead.pk),
        object_repr=f"{case.pk} {lead.name}",
    )
    rows = listed(auditor_client().get(LIST, {"action": "cases.task_claim"}))
    shown = next(row for row in rows if row.pk == old.pk)
    assert vars(shown)["trace_repr"] == f"办件 {case.number} · {lead.name} · 区住房和建设局"


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_costs_the_same_queries_for_5_rows_as_for_50(
    city, count, django_assert_max_num_queries
):
    case = case_accept(intake=city.intake())
    tasks = list(case.tasks.select_related("case", "department"))
    for n in range(count):
        audit_record(actor=city.clerk, action="cases.task_claim", obj=tasks[n % len(tasks)])
    client = auditor_client()
    wanted = AuditLog.objects.filter(action="cases.task_claim").count()
    # Session, user, roles, the counts, the rows, the filters' choices, the date hierarchy and
    # one query naming every step on the page: none per row.
    with django_assert_max_num_queries(11):
        rows = listed(client.get(LIST, {"action": "cases.task_claim"}))
    assert len(rows) == wanted >= count
    assert all(vars(row)["trace_repr"].startswith(f"办件 {case.number} · ") for row in rows)


def test_the_chain_verifies_after_steps_are_worked(worked):
    """The number goes into ``object_repr``, a field the chain already covers: rows in the old
    form and the new one are sealed and verified alike."""
    case, lead = worked
    audit_record(
        actor=None,
        action="cases.task_claim",
        object_type="cases.casetask",
        object_id=str(lead.pk),
        object_repr=f"{case.pk} {lead.name}",
    )
    out = io.StringIO()
    call_command("audit_verify", "--seal", stdout=out)
    total = AuditLog.objects.count()
    assert f"rows verified: {total};" in out.getvalue()
    assert AuditLog.objects.filter(seq__isnull=True).count() == 0
    assert AuditLog.objects.filter(object_repr__startswith=f"{case.number} · ").count() >= 2
