"""The back office: the department queue, the case page and its task and paper actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.applicants.selectors import person_profile
from onewindow.cases import forms as staff_forms
from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.models import Case, CaseTask, MaterialStatus
from onewindow.cases.selectors import (
    QUEUE_ROW_FIELDS,
    case_get_for_user,
    task_light,
    task_queue_for_user,
    tasks_with_light,
)
from onewindow.cases.services import (
    MaterialReceipt,
    case_papers_may_arrive,
    case_supplement_received,
    case_withdraw,
    task_claim,
    task_complete,
)
from onewindow.cases.services.papers import (
    PAPER_STATES,
    case_applicant_kept_papers,
    case_papers_for_user,
)
from onewindow.cases.staff_selectors import (
    case_detail_rows,
    case_light,
    case_open_tasks_for_user,
    supervision_calendar,
)
from onewindow.cases.transitions import CaseState, TaskState, case_target_state
from onewindow.cases.views.staff.common import (
    LIGHT_LABELS,
    is_htmx,
    render_page,
    shown,
    staff_page,
)
from onewindow.catalog.names import local_text, step_text
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, FieldError, PermissionDenied, ValidationFailed
from onewindow.core.validation import reject_control_characters
from onewindow.org.permissions import Action, can, require
from onewindow.reports.report import Column, Report, cut_rows, export_limit
from onewindow.reports.responses import export_format, report_response
from onewindow.reports.units import scope_unit
from onewindow.workflow.clock import light_boundaries

CASE_VIEW_PURPOSE = "办件查看"
# A colleague acted first: the page's revision is old, or the step has moved on.
CHANGED_CODES = {"stale", "transition_not_allowed"}
CASE_CHANGED = _(
    "This case was updated elsewhere while your page was open (perhaps by a colleague, or by "
    "you in another page). The page now shows it as it is; check it before you act again."
)
QUEUE_PAGE_SIZE = 25


# --- department queue -----------------------------------------------------------------------

QUEUE_FILTERS = {"all": _("All"), "mine": _("Mine"), "unclaimed": _("Unclaimed")}


def _queue_row(task: CaseTask) -> dict[str, Any]:
    return {"task": task, "case": task.case, "light": task_light(task)}


def _queue_rows(tasks: Any, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
    """Rows of the queue: the light computed by the database, only the shown columns read."""
    now = timezone.now()
    bounds = light_boundaries(now, supervision_calendar(now))
    lit = tasks_with_light(tasks, bounds=bounds).only(*QUEUE_ROW_FIELDS)
    return [_queue_row(task) for task in lit[start:stop]]


def _queue_tasks(request: HttpRequest) -> tuple[Any, str]:
    """The queue's tasks under the chosen filter (``?show=all|mine|unclaimed``), and the filter."""
    show = request.GET.get("show", "all")
    tasks = task_queue_for_user(request.user)
    if show == "mine":
        tasks = tasks.filter(assignee_id=request.user.pk)
    elif show == "unclaimed":
        tasks = tasks.filter(state=TaskState.OPEN)
    else:
        show = "all"
    return tasks, show


@staff_page
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """The user's departments' open tasks, most urgent first, with the e-supervision light."""
    require(request.user, Action.CASE_WORK)
    tasks, show = _queue_tasks(request)
    # Counted without the light (its join to the case would stay in the count), then one page
    # read with it.
    page = Paginator(range(tasks.count()), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    start = (page.number - 1) * QUEUE_PAGE_SIZE
    rows = _queue_rows(tasks, start, start + QUEUE_PAGE_SIZE)
    return render_page(
        request,
        "queue.html",
        {
            "rows": rows,
            "page": page,
            "show": show,
            "filters": QUEUE_FILTERS,
            "query_prefix": f"show={show}",
        },
    )


@staff_page
@require_safe
def queue_export(request: HttpRequest) -> HttpResponse:
    """The queue under its filter — all the user's tasks, up to ``reports.export_limit``, most
    urgent first — as an Excel workbook or a PDF (``?format=xlsx|pdf``). Permission first, then
    the format; every export audited. No personal data: a row names the case, its item, step,
    department and the colleague working it, never the applicant."""
    require(request.user, Action.CASE_WORK)
    fmt = export_format(request.GET.get("format"))
    tasks, show = _queue_tasks(request)
    total = tasks.count()
    limit = export_limit(fmt)
    kept, notes = cut_rows(
        [
            {
                "light": str(LIGHT_LABELS[row["light"]]),
                "number": row["case"].number,
                "item": local_text(row["case"].item.name, row["case"].item.name_en),
                "step": _step_label(row["task"]),
                "department": local_text(
                    row["task"].department.name, row["task"].department.name_en
                ),
                "due": f"{timezone.localtime(row['task'].due_at):%Y-%m-%d}"
                if row["task"].due_at
                else "",
                "worker": _worker(row["task"]),
            }
            for row in _queue_rows(tasks, 0, limit)
        ],
        total,
        limit=limit,
    )
    now = timezone.now()
    report = Report(
        title=gettext("Department queue"),
        unit=scope_unit(request.user, Action.CASE_WORK),
        slug="department-queue",
        period_label=gettext("As of %(moment)s")
        % {"moment": f"{timezone.localtime(now):%Y-%m-%d %H:%M}"},
        generated_at=now,
        columns=[
            Column("light", _("Deadline light")),
            Column("number", _("Case number")),
            Column("item", _("Item")),
            Column("step", _("Step")),
            Column("department", _("Department")),
            Column("due", _("Due")),
            Column("worker", _("Worked by")),
        ],
        rows=kept,
        footnotes=[
            gettext("Filter: %(filter)s") % {"filter": QUEUE_FILTERS[show]},
            gettext("Tasks: %(count)s") % {"count": total},
            *notes,
        ],
    )
    audit_record(
        actor=request.user,
        action="cases.queue_export",
        object_type="report",
        object_id="queue",
        object_repr=str(report.title),
        detail={"format": fmt, "show": show, "rows": len(kept)},
    )
    return report_response(report, fmt)


def _step_label(task: CaseTask) -> str:
    name = step_text(str(task.kind), str(task.name))
    if task.is_joint:
        name = f"{name} · {gettext('lead') if task.is_lead else gettext('joint')}"
    return name


def _worker(task: CaseTask) -> str:
    assignee = task.assignee
    if assignee is None:
        return gettext("Unclaimed")
    return assignee.get_full_name() or assignee.get_username()


@staff_page
@require_POST
def queue_claim(request: HttpRequest, task_id: int) -> HttpResponse:
    """Claim with one click: the row comes back claimed (htmx), or the queue reloads."""
    task = CaseTask.objects.select_related("case").filter(pk=task_id).first()
    if task is None:
        raise Http404
    form = staff_forms.ClaimForm(request.POST)
    revision = form.cleaned_data.get("revision") if form.is_valid() else None
    error = None
    try:
        task = task_claim(task=task, actor=request.user, expected_revision=revision)
    except ApplicationError as exc:
        error = shown(_changed(exc))
    if is_htmx(request):
        rows = _queue_rows(task_queue_for_user(request.user).filter(pk=task.pk))
        return render_page(
            request,
            "_queue_row.html",
            {
                "row": rows[0] if rows else None,
                "row_error": error,
                "asked": task,  # the row left the queue: it says so, with a link to the case
                "claimed_now": error is None,
            },
        )
    if error:
        messages.error(request, f"{error['message']} / {error['message_en']}")
    else:
        messages.success(request, _("Task claimed: %(number)s") % {"number": task.case.number})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("cases_staff:queue")  # never send a clerk to another site
    return redirect(target)


# --- case detail ----------------------------------------------------------------------------


def _changed(exc: ApplicationError) -> ApplicationError:
    """A refusal because the case moved since the page was drawn (a colleague, or the same user
    in another page) is said plainly (the answer is drawn afresh)."""
    if exc.code in CHANGED_CODES:
        return ApplicationError(CASE_CHANGED, code=exc.code, status=exc.status)
    return exc


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    rows = case_detail_rows(case=case)
    applicant = None
    if case.person_id is not None:
        try:
            applicant = person_profile(
                person=case.person,  # type: ignore[arg-type]
                actor=request.user,
                purpose=CASE_VIEW_PURPOSE,
                case_number=case.number,
            )
        except PermissionDenied:
            applicant = None  # administrators and auditors: no personal data
    open_tasks = case_open_tasks_for_user(case=case, user=request.user)
    wanting = [m for m in rows["materials"] if m.status != MaterialStatus.RECEIVED]
    papers_arrived = can(request.user, Action.CASE_ACCEPT, case.centre) and (
        case_papers_may_arrive(case)
    )
    # The papers the window may still record: those outstanding (补正 asked for, 容缺
    # promised). A back-office 补正 (suspended case) may ask again for a received paper (a
    # corrected version), so there every paper is offered.
    arriving = rows["materials"] if case.state == CaseState.SUSPENDED else wanting
    may_withdraw = can(request.user, Action.CASE_ACCEPT, case.centre) and (
        case_target_state("withdraw", case.state) is not None
    )
    # The case's scope read once for the papers' permission checks (each would read its steps).
    scope = case.permission_scope()
    e_papers = case_papers_for_user(case=case, user=request.user, scope=scope)
    on_case = {link.paper_id for link in e_papers}
    kept = (
        case_applicant_kept_papers(case=case, user=request.user, scope=scope)
        if case.state in PAPER_STATES
        else []
    )
    context = {
        "case": case,
        "applicant": applicant,
        # The electronic papers (电子材料) with their viewers, and the window's upload.
        "e_papers": e_papers,
        "may_add_papers": case.state in PAPER_STATES
        and can(request.user, Action.CASE_PAPER_ADD, scope),
        "may_view_papers": can(request.user, Action.CASE_PAPER_VIEW, scope),
        # The applicant's kept papers ("my papers"): the window reuses them, with consent.
        "reusable_papers": [k for k in kept if k.paper_id not in on_case],
        "kept_paper_ids": {k.paper_id for k in kept},
        "paper_max_mb": f"{settings.PAPER_MAX_BYTES / 1024 / 1024:g}",
        "paper_max_pages": settings.PAPER_MAX_PAGES,
        "may_withdraw": may_withdraw,
        "light": case_light(case=case, now=now, calendar=supervision_calendar(now)),
        "open_tasks": open_tasks,
        "papers_arrived": papers_arrived and bool(arriving),
        "arriving": arriving,
        "wanting": wanting,
        "event_labels": CASE_EVENTS.labels(),
        "action_error": None,
        "action_task_id": None,
        "typed_opinion": "",
        **rows,
    }
    context.update(extra)
    mine = {task.pk for task in open_tasks}
    if context["action_task_id"] not in mine and isinstance(context["action_task_id"], int):
        context["action_task_id"] = None  # the step left this user's hands: the error on top
    context["focus"], context["focus_task"] = _first_focus(context, open_tasks, request.user)
    return context


def case_page_with_error(
    request: HttpRequest, case: Case, *, error: dict[str, Any], where: str, status: int
) -> HttpResponse:
    """The case page again, an action's error shown at the action (``where``)."""
    case.refresh_from_db()
    context = _case_context(request, case, action_error=error, action_task_id=where)
    return render_page(request, "case_detail.html", context, status=status)


def _first_focus(context: dict[str, Any], open_tasks: Any, user: Any) -> tuple[str, int | None]:
    """Where the keyboard starts: an error's summary, else the user's first action on the case
    (claim, or the opinion of a claimed task), else the case's heading."""
    if context["action_error"]:
        return "error-summary", None
    for task in open_tasks:
        if task.state == TaskState.OPEN or task.assignee_id == user.pk:
            return "task", task.pk
    return "heading", None


@staff_page
@require_safe
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_get_for_user(number=number, user=request.user)
    return render_page(request, "case_detail.html", _case_context(request, case))


def _case_task(request: HttpRequest, number: str, task_id: int) -> tuple[Case, CaseTask]:
    case = case_get_for_user(number=number, user=request.user)
    task = case.tasks.select_related("department").filter(pk=task_id).first()
    if task is None:
        raise Http404
    return case, task


@staff_page
@require_POST
def case_task_claim(request: HttpRequest, number: str, task_id: int) -> HttpResponse:
    case, task = _case_task(request, number, task_id)
    form = staff_forms.ClaimForm(request.POST)
    revision = form.cleaned_data.get("revision") if form.is_valid() else None
    try:
        task_claim(task=task, actor=request.user, expected_revision=revision)
    except ApplicationError as exc:
        case.refresh_from_db()
        context = _case_context(
            request, case, action_error=shown(_changed(exc)), action_task_id=task.pk
        )
        return render_page(request, "case_detail.html", context, status=exc.status)
    messages.success(request, _("Task claimed."))
    return redirect("cases_staff:case_detail", number=case.number)


@staff_page
@require_POST
def case_task_complete(request: HttpRequest, number: str, task_id: int) -> HttpResponse:
    """Approve / reject / send back for papers, with the revision the page was drawn from."""
    case, task = _case_task(request, number, task_id)
    form = staff_forms.TaskActionForm(request.POST)
    typed = request.POST.get("opinion", "")
    try:
        if not form.is_valid():
            raise ValidationFailed(
                _("Choose what to do and write your opinion."),
                [
                    FieldError(field=name, code="invalid", message=_("This field is not valid."))
                    for name in form.errors
                ],
            )
        task_complete(
            task=task,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            opinion=form.cleaned_data["opinion"],
            expected_revision=form.cleaned_data["revision"],
        )
    except ApplicationError as exc:
        case.refresh_from_db()
        context = _case_context(
            request,
            case,
            action_error=shown(_changed(exc)),
            action_task_id=task.pk,
            typed_opinion=typed,
        )
        return render_page(request, "case_detail.html", context, status=exc.status)
    messages.success(request, _("Your opinion is recorded."))
    return redirect("cases_staff:case_detail", number=case.number)


@staff_page
@require_POST
def case_papers_arrived(request: HttpRequest, number: str) -> HttpResponse:
    """The intake centre marks papers as arrived: 补正 completed, clock resumed, 容缺 closed."""
    case = case_get_for_user(number=number, user=request.user)
    names = list(case.materials.order_by("order", "id").values_list("name", flat=True))
    form = staff_forms.PapersArrivedForm(request.POST, names=names)
    try:
        if not form.is_valid():
            raise ValidationFailed(
                _("The page is out of date; reload it."),
                [],
                code="invalid",
            )
        case_supplement_received(
            case=case,
            actor=request.user,
            receipts=[MaterialReceipt(name=name) for name in form.cleaned_data["papers"]],
            expected_revision=form.cleaned_data["revision"],
        )
    except ApplicationError as exc:
        case.refresh_from_db()
        context = _case_context(request, case, action_error=shown(exc), action_task_id="papers")
        return render_page(request, "case_detail.html", context, status=exc.status)
    messages.success(request, _("The papers are recorded as arrived."))
    return redirect("cases_staff:case_detail", number=case.number)


@staff_page
@require_POST
def case_withdraw_view(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant withdraws at a window of the accepting centre."""
    case = case_get_for_user(number=number, user=request.user)
    reason = request.POST.get("reason", "")
    try:
        reject_control_characters(reason=reason, multiline=True)
        case_withdraw(
            case=case,
            actor=request.user,
            reason=reason,
            expected_revision=_int_or_none(request.POST.get("revision")),
        )
    except ApplicationError as exc:
        case.refresh_from_db()
        context = _case_context(request, case, action_error=shown(exc), action_task_id="withdraw")
        return render_page(request, "case_detail.html", context, status=exc.status)
    messages.success(request, _("The application is withdrawn."))
    return redirect("cases_staff:case_detail", number=case.number)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
