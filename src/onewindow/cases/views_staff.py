"""Staff pages of the case flow: intake workstation, department queue, case detail, output
desk, supervision board.

Each view parses the request, calls one selector or service (which decide permission through
``core.permissions`` and audit refusals) and renders. "Not found or not yours" answers 404,
"not allowed" 403; an ``ApplicationError`` the user can fix is shown on the page in Chinese and
English with everything they typed kept.
"""

from __future__ import annotations

import importlib
import uuid
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.applicants.models import Person
from onewindow.applicants.selectors import person_profile
from onewindow.applicants.services import person_find_by_id_number, person_register
from onewindow.cases import forms as staff_forms
from onewindow.cases.clock import Light
from onewindow.cases.models import Case, CaseTask, MaterialStatus
from onewindow.cases.selectors import case_get_for_user, supervision_board, task_queue_for_user
from onewindow.cases.services import (
    Intake,
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_deliver,
    case_refuse_at_intake,
    case_request_supplement,
    case_supplement_received,
    task_claim,
    task_complete,
)
from onewindow.cases.staff_selectors import (
    IntakeDesk,
    case_detail_rows,
    case_light,
    case_open_tasks_for_user,
    intake_desks_for_user,
    output_desk_for_user,
    person_case_history,
    supervision_calendar,
)
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.catalog.codes import CaseType, TimeUnit
from onewindow.catalog.search import item_search
from onewindow.catalog.selectors import item_accepted_at, item_list_public
from onewindow.core.errors import (
    ApplicationError,
    FieldError,
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
)
from onewindow.core.permissions import Action, can, require
from onewindow.org.models import ServiceCentre, Window

INTAKE_PURPOSE = "窗口受理"  # recorded in the audit row of every look-up at the window
CASE_VIEW_PURPOSE = "办件查看"
SESSION_DESK = "cases_staff_desk"
SESSION_PERSON = "cases_staff_person"
QUEUE_PAGE_SIZE = 25
OUTPUT_PAGE_SIZE = 20
BOARD_PAGE_SIZE = 50
ITEM_RESULTS = 12
ITEM_CANDIDATES = 60

LIGHT_LABELS = {
    Light.RED: _("Overdue"),
    Light.YELLOW: _("Due within a working day"),
    Light.PAUSED: _("Clock paused"),
    Light.GREEN: _("On time"),
    Light.STOPPED: _("Clock not running"),
}
EVENT_LABELS = {
    "accept": _("Accepted"),
    "request_supplement": _("Papers requested at the window (补正)"),
    "refuse": _("Not accepted"),
    "complete_instant": _("Completed at the window"),
    "suspend": _("Clock paused"),
    "resume": _("Clock resumed"),
    "decide": _("Decided"),
    "deliver": _("Handed over"),
    "withdraw": _("Withdrawn"),
    "task_claim": _("Task claimed"),
    "task_assign": _("Task assigned"),
    "task_approve": _("Approved"),
    "task_reject": _("Rejected"),
    "papers_received": _("Papers arrived"),
}


NAV_BY_TEMPLATE = {
    "home": "home",
    "intake": "intake",
    "queue": "queue",
    "case": "",
    "output": "output",
    "supervision": "supervision",
}


# --- plumbing -------------------------------------------------------------------------------


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; the platform's refusals become 404 (hidden) and 403 (forbidden)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return login_required(wrapped)


def _shown(exc: ApplicationError) -> dict[str, Any]:
    """An error for the page; refusals go on to the 404 / 403 handlers instead."""
    if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
        raise exc
    return exc.as_dict()


def _nav(user: Any) -> dict[str, bool]:
    return {
        "can_accept": can(user, Action.CASE_ACCEPT),
        "can_work": can(user, Action.CASE_WORK),
        "can_deliver": can(user, Action.CASE_DELIVER),
        "can_supervise": can(user, Action.CASE_SUPERVISE),
    }


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    nav_current = NAV_BY_TEMPLATE.get(template.split(".")[0].lstrip("_").split("_")[0], "")
    context = {
        **_nav(request.user),
        "light_labels": LIGHT_LABELS,
        "nav_current": nav_current,
        **context,
    }
    return render(request, f"cases/staff/{template}", context, status=status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- home -----------------------------------------------------------------------------------


@staff_page
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """Links to the pages the user's roles allow, and a case-number box."""
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("cases_staff:case_detail", number=number)
    nav = _nav(request.user)
    return _render(
        request,
        "home.html",
        {"can_view": can(request.user, Action.CASE_VIEW), "nothing": not any(nav.values())},
    )


# --- intake workstation ---------------------------------------------------------------------


def _desk(request: HttpRequest) -> tuple[list[IntakeDesk], ServiceCentre | None, Window | None]:
    """The user's intake desks and the one remembered in the session (or the only one)."""
    desks = intake_desks_for_user(request.user)
    if not desks:
        require(request.user, Action.CASE_ACCEPT)  # audited refusal → 403
        raise PermissionDenied()
    stored = request.session.get(SESSION_DESK) or {}
    for desk in desks:
        if desk.centre.pk == stored.get("centre"):
            window = next((w for w in desk.windows if w.pk == stored.get("window")), None)
            if window is not None or not desk.windows:
                return desks, desk.centre, window
    if len(desks) == 1 and len(desks[0].windows) <= 1:
        desk = desks[0]
        return desks, desk.centre, desk.windows[0] if desk.windows else None
    return desks, None, None


def _current_person(request: HttpRequest) -> dict[str, Any] | None:
    value = request.session.get(SESSION_PERSON)
    return value if isinstance(value, dict) else None


def _remember_person(request: HttpRequest, person: Person) -> None:
    """Show the masked profile (an audited read) and keep its masked summary for the steps."""
    profile = person_profile(person=person, actor=request.user, purpose=INTAKE_PURPOSE)
    request.session[SESSION_PERSON] = {
        "id": profile.person_id,
        "name": profile.name,
        "id_type_label": profile.id_type_label,
        "id_number_masked": profile.id_number_masked,
        "phone_masked": profile.phone_masked,
        "address_masked": profile.address_masked,
        "gender_label": profile.gender_label,
        "age": profile.age,
    }


def _intake_context(
    request: HttpRequest,
    centre: ServiceCentre,
    window: Window | None,
    desks: list[IntakeDesk],
    **extra: Any,
) -> dict[str, Any]:
    person = _current_person(request)
    history = person_case_history(person=person["id"]) if person else []
    context = {
        "centre": centre,
        "window": window,
        "desks": desks,
        "many_desks": len(desks) > 1 or any(len(d.windows) > 1 for d in desks),
        "person": person,
        "history": history,
        "identify_form": staff_forms.IdentifyForm(),
        "query": "",
        "hits": None,
    }
    context.update(extra)
    return context


@staff_page
@require_GET
def intake_home(request: HttpRequest) -> HttpResponse:
    """Step 1 (the ID field, autofocused) or, with an applicant identified, step 2."""
    desks, centre, window = _desk(request)
    if centre is None:
        return _render(request, "intake_desk.html", {"desks": desks, "errors": {}})
    return _render(request, "intake.html", _intake_context(request, centre, window, desks))


@staff_page
@require_POST
def intake_desk_choose(request: HttpRequest) -> HttpResponse:
    desks, _centre, _window = _desk(request)
    form = staff_forms.DeskForm(request.POST)
    if form.is_valid():
        centre_id, window_id = form.cleaned_data["desk"]
        for desk in desks:
            if desk.centre.pk != centre_id:
                continue
            if window_id is None and not desk.windows:
                request.session[SESSION_DESK] = {"centre": centre_id, "window": None}
                return redirect("cases_staff:intake")
            if any(w.pk == window_id for w in desk.windows):
                request.session[SESSION_DESK] = {"centre": centre_id, "window": window_id}
                return redirect("cases_staff:intake")
    return _render(
        request,
        "intake_desk.html",
        {"desks": desks, "errors": {"desk": [_("Choose one of your centres and windows.")]}},
        status=422,
    )


@staff_page
@require_GET
def intake_desk_change(request: HttpRequest) -> HttpResponse:
    desks, centre, window = _desk(request)
    return _render(
        request,
        "intake_desk.html",
        {"desks": desks, "errors": {}, "current_centre": centre, "current_window": window},
    )


@staff_page
@require_POST
def intake_identify(request: HttpRequest) -> HttpResponse:
    """A swiped or typed ID: the person's masked profile and history, or a short registration."""
    desks, centre, window = _desk(request)
    if centre is None:
        return redirect("cases_staff:intake")
    form = staff_forms.IdentifyForm(request.POST)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            person = person_find_by_id_number(
                id_type=form.cleaned_data["id_type"],
                id_number=form.cleaned_data["id_number"],
                actor=request.user,
                purpose=INTAKE_PURPOSE,
            )
        except ValidationFailed as exc:
            errors = _by_field(exc)
        else:
            if person is not None:
                _remember_person(request, person)
                return redirect("cases_staff:intake")
            request.session.pop(SESSION_PERSON, None)
            register = staff_forms.RegisterForm(initial=form.cleaned_data)
            context = _intake_context(
                request,
                centre,
                window,
                desks,
                identify_form=form,
                register_form=register,
                register_errors={},
            )
            return _render(request, "intake.html", context)
    else:
        errors = staff_forms.form_errors(form)
    context = _intake_context(
        request, centre, window, desks, identify_form=form, identify_errors=errors
    )
    return _render(request, "intake.html", context, status=422)


def _by_field(exc: ApplicationError) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in exc.as_dict()["errors"]:
        out.setdefault(error["field"], []).append(f"{error['message']} / {error['message_en']}")
    if not out:
        data = exc.as_dict()
        out["general"] = [f"{data['message']} / {data['message_en']}"]
    return out


@staff_page
@require_POST
def intake_register(request: HttpRequest) -> HttpResponse:
    desks, centre, window = _desk(request)
    if centre is None:
        return redirect("cases_staff:intake")
    form = staff_forms.RegisterForm(request.POST)
    errors: dict[str, list[str]]
    if form.is_valid():
        try:
            person = person_register(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            errors = _by_field(exc)
        else:
            _remember_person(request, person)
            messages.success(request, _("The applicant is registered."))
            return redirect("cases_staff:intake")
    else:
        errors = staff_forms.form_errors(form)
    identify = staff_forms.IdentifyForm(
        initial={"id_type": request.POST.get("id_type"), "id_number": request.POST.get("id_number")}
    )
    context = _intake_context(
        request,
        centre,
        window,
        desks,
        identify_form=identify,
        register_form=form,
        register_errors=errors,
    )
    return _render(request, "intake.html", context, status=422)


@staff_page
@require_POST
def intake_reset(request: HttpRequest) -> HttpResponse:
    """Next applicant: forget the current one."""
    request.session.pop(SESSION_PERSON, None)
    return redirect("cases_staff:intake")


def _items_for_desk(query: str, centre: ServiceCentre) -> list[Any]:
    """Search hits this centre may accept (通办范围), best first."""
    hits = item_search(query, limit=ITEM_CANDIDATES)
    items = [hit.item for hit in hits]
    prefetch_related_objects(items, "handled_in_regions")
    return [item for item in items if item_accepted_at(item=item, centre=centre)][:ITEM_RESULTS]


@staff_page
@require_GET
def intake_items(request: HttpRequest) -> HttpResponse:
    """Step 2: item search (htmx fragment while typing; a whole page without JavaScript)."""
    desks, centre, window = _desk(request)
    if centre is None:
        return redirect("cases_staff:intake")
    query = request.GET.get("q", "").strip()[:64]
    hits = _items_for_desk(query, centre) if query else []
    if _is_htmx(request):
        return _render(request, "_item_results.html", {"hits": hits, "query": query})
    context = _intake_context(request, centre, window, desks, query=query, hits=hits)
    return _render(request, "intake.html", context)


def _checklist_context(
    *,
    item: Any,
    version: Any,
    window: Window | None,
    rows: list[staff_forms.MaterialRowForm],
    decision: staff_forms.IntakeDecisionForm,
    key: str,
) -> dict[str, Any]:
    instant = version.snapshot.get("case_type") == CaseType.INSTANT
    holds_seal = bool(
        window is not None
        and any(d.pk == item.department_id for d in window.delegated_departments.all())
    )
    return {
        "item": item,
        "version": version,
        "rows": rows,
        "decision": decision,
        "idempotency_key": key,
        "is_instant": instant,
        "holds_seal": holds_seal,
        "any_deferrable": any(row.deferrable for row in rows),
        "deadline_default": staff_forms.supplement_deadline_default(),
        "limit_unit": TimeUnit(version.snapshot.get("promised_limit_unit") or "1").label,
    }


@staff_page
def intake_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Steps 3 and 4: the item's checklist, then accept / 补正 / refuse / complete now."""
    desks, centre, window = _desk(request)
    if centre is None:
        return redirect("cases_staff:intake")
    person = _current_person(request)
    if person is None:
        messages.warning(request, _("Read the applicant's ID card first."))
        return redirect("cases_staff:intake")
    item = item_list_public().filter(pk=item_id).first()
    if item is None:
        raise Http404
    version = item.versions.order_by("-number").first()
    if version is None:
        raise Http404
    papers: list[dict[str, Any]] = version.snapshot.get("materials", [])
    base = _intake_context(request, centre, window, desks)
    if request.method != "POST":
        context = _checklist_context(
            item=item,
            version=version,
            window=window,
            rows=staff_forms.material_forms(papers),
            decision=staff_forms.IntakeDecisionForm(),
            key=uuid.uuid4().hex,
        )
        prefetch_related_objects([item], "handled_in_regions")
        context["not_here"] = not item_accepted_at(item=item, centre=centre)
        return _render(request, "intake_item.html", {**base, **context})

    rows = staff_forms.material_forms(papers, request.POST)
    decision = staff_forms.IntakeDecisionForm(request.POST)
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    context = _checklist_context(
        item=item, version=version, window=window, rows=rows, decision=decision, key=key[:64]
    )
    valid = all([row.is_valid() for row in rows]) and decision.is_valid()
    if not valid:
        context["error"] = {
            "message": "",
            "message_en": "",
            "form_invalid": True,
        }
        return _render(request, "intake_item.html", {**base, **context}, status=422)
    data = decision.cleaned_data
    intake = Intake(
        item=item,
        centre=centre,
        window=window,
        clerk=request.user,
        person=Person.objects.get(pk=person["id"]),
        materials=[row.receipt() for row in rows],
        output_method=data["output_method"],
        promise_signed=data["promise_signed"],
        idempotency_key=data["idempotency_key"],
    )
    try:
        case = _intake_decide(intake, data)
    except ApplicationError as exc:
        error = _shown(exc)
        _place_errors(error, rows)
        context["error"] = error
        context["errors_placed"] = True
        context["promise_errors"] = [e for e in error["errors"] if e["field"] == "promise_signed"]
        context["general_errors"] = [
            e
            for e in error["errors"]
            if not e["field"].startswith("materials[") and e["field"] != "promise_signed"
        ]
        return _render(request, "intake_item.html", {**base, **context}, status=exc.status)
    return redirect("cases_staff:intake_done", number=case.number)


def _intake_decide(intake: Intake, data: dict[str, Any]) -> Case:
    decision = data["decision"]
    if decision == "accept":
        return case_accept(intake=intake)
    if decision == "supplement":
        return case_request_supplement(
            intake=intake, deadline=data["deadline"], note=data.get("note") or ""
        )
    if decision == "refuse":
        return case_refuse_at_intake(intake=intake, reasons=data["reasons"])
    return case_complete_instant(intake=intake)


def _place_errors(error: dict[str, Any], rows: list[staff_forms.MaterialRowForm]) -> None:
    """Put each ``materials[i]`` / ``materials[i].due_date`` error beside paper ``i``."""
    for item in error["errors"]:
        field = item["field"]
        if not field.startswith("materials["):
            continue
        index = _int(field[len("materials[") :].split("]", 1)[0])
        if index is not None and 0 <= index < len(rows):
            rows[index].application_errors.append(item)


@staff_page
@require_GET
def intake_done(request: HttpRequest, number: str) -> HttpResponse:
    """The result: case number, query code, promised date, the receipt to print."""
    case = case_get_for_user(number=number, user=request.user)
    return _render(
        request,
        "intake_done.html",
        {
            "case": case,
            "light": None,
            "wanting": case.materials.exclude(status=MaterialStatus.RECEIVED).order_by("order"),
            "notice": case.state in (CaseState.SUPPLEMENT_REQUESTED, CaseState.REFUSED),
        },
    )


def _pdf(request: HttpRequest, number: str, function_name: str, suffix: str) -> HttpResponse:
    case = case_get_for_user(number=number, user=request.user)
    try:
        module = importlib.import_module("onewindow.cases.receipts")
    except ImportError as exc:
        raise Http404(_("Receipts cannot be printed yet.")) from exc
    build = getattr(module, function_name, None)
    if build is None:
        raise Http404(_("Receipts cannot be printed yet."))
    data = build(case=case)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-{suffix}.pdf"'
    return response


@staff_page
@require_GET
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    return _pdf(request, number, "case_receipt_pdf", "receipt")


@staff_page
@require_GET
def case_notice(request: HttpRequest, number: str) -> HttpResponse:
    return _pdf(request, number, "case_notice_pdf", "notice")


# --- department queue -----------------------------------------------------------------------

QUEUE_FILTERS = {"all": _("All"), "mine": _("Mine"), "unclaimed": _("Unclaimed")}


def _queue_row(task: CaseTask, *, now: Any, calendar: Any) -> dict[str, Any]:
    return {
        "task": task,
        "case": task.case,
        "light": case_light(case=task.case, now=now, calendar=calendar, due=task.due_at),
    }


@staff_page
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The user's departments' open tasks, most urgent first, with the e-supervision light."""
    require(request.user, Action.CASE_WORK)
    show = request.GET.get("show", "all")
    tasks = task_queue_for_user(request.user).select_related("case__centre")
    if show == "mine":
        tasks = tasks.filter(assignee_id=request.user.pk)
    elif show == "unclaimed":
        tasks = tasks.filter(state=TaskState.OPEN)
    else:
        show = "all"
    page = Paginator(tasks, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    calendar = supervision_calendar(now)
    rows = [_queue_row(task, now=now, calendar=calendar) for task in page]
    return _render(
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
        error = _shown(exc)
    if _is_htmx(request):
        fresh = task_queue_for_user(request.user).select_related("case__centre").filter(pk=task.pk)
        now = timezone.now()
        calendar = supervision_calendar(now)
        rows = [_queue_row(row_task, now=now, calendar=calendar) for row_task in fresh]
        return _render(
            request, "_queue_row.html", {"row": rows[0] if rows else None, "row_error": error}
        )
    if error:
        messages.error(request, f"{error['message']} / {error['message_en']}")
    else:
        messages.success(request, _("Task claimed: %(number)s") % {"number": task.case.number})
    return redirect(request.POST.get("next") or reverse("cases_staff:queue"))


# --- case detail ----------------------------------------------------------------------------


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
    papers_arrived = (
        can(request.user, Action.CASE_ACCEPT, case.centre)
        and case.state in (CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED, CaseState.ACCEPTED)
        and (bool(wanting) or case.state == CaseState.SUSPENDED)
    )
    context = {
        "case": case,
        "applicant": applicant,
        "light": case_light(case=case, now=now, calendar=supervision_calendar(now)),
        "open_tasks": open_tasks,
        "papers_arrived": papers_arrived,
        "wanting": wanting,
        "event_labels": EVENT_LABELS,
        "action_error": None,
        "action_task_id": None,
        "typed_opinion": "",
        **rows,
    }
    context.update(extra)
    return context


@staff_page
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_get_for_user(number=number, user=request.user)
    return _render(request, "case_detail.html", _case_context(request, case))


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
        context = _case_context(request, case, action_error=_shown(exc), action_task_id=task.pk)
        return _render(request, "case_detail.html", context, status=exc.status)
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
            request, case, action_error=_shown(exc), action_task_id=task.pk, typed_opinion=typed
        )
        return _render(request, "case_detail.html", context, status=exc.status)
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
        context = _case_context(request, case, action_error=_shown(exc), action_task_id="papers")
        return _render(request, "case_detail.html", context, status=exc.status)
    messages.success(request, _("The papers are recorded as arrived."))
    return redirect("cases_staff:case_detail", number=case.number)


# --- output desk ----------------------------------------------------------------------------


def _output_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    cases = output_desk_for_user(request.user)
    page = Paginator(cases, OUTPUT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "cases": list(page), "failed_number": None, "failed": None}
    context.update(extra)
    return context


@staff_page
@require_GET
def output_desk(request: HttpRequest) -> HttpResponse:
    """Decided cases waiting at the user's output centre, with the papers to give back."""
    require(request.user, Action.CASE_DELIVER)
    return _render(request, "output.html", _output_context(request))


@staff_page
@require_POST
def output_deliver(request: HttpRequest, number: str) -> HttpResponse:
    case = Case.objects.select_related("output_centre__region").filter(number=number).first()
    if case is None:
        raise Http404
    form = staff_forms.DeliverForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("The page is out of date; reload it."), [], code="invalid")
        data = form.cleaned_data
        case_deliver(
            case=case,
            actor=request.user,
            method=data["method"],
            collector_id_checked=data["collector_id_checked"],
            proxy_authorisation=data["proxy_authorisation"],
            tracking_number=data["tracking_number"],
            note=data["note"],
            expected_revision=data["revision"],
        )
    except ApplicationError as exc:
        error = _shown(exc)
        context = _output_context(request, failed_number=case.number, failed=error, typed=form.data)
        return _render(request, "output.html", context, status=exc.status)
    messages.success(request, _("Handed over: %(number)s") % {"number": case.number})
    return redirect("cases_staff:output")


# --- supervision ----------------------------------------------------------------------------

LIGHTS_SHOWN = (Light.RED, Light.YELLOW, Light.PAUSED, Light.GREEN)


@staff_page
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """Open cases by light (red, yellow, paused, green), with counts per light and department."""
    require(request.user, Action.CASE_SUPERVISE)
    rows = supervision_board(user=request.user)
    counts = Counter(row.light for row in rows)
    by_department: dict[str, Counter[str]] = {}
    for row in rows:
        by_department.setdefault(row.case.department.name, Counter())[row.light] += 1
    chosen = request.GET.get("light", "")
    if chosen not in {light.value for light in LIGHTS_SHOWN}:
        chosen = ""
    shown = [row for row in rows if row.light == chosen] if chosen else rows
    page = Paginator(shown, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "supervision.html",
        {
            "page": page,
            "lights": [
                (light, LIGHT_LABELS[light], counts.get(light, 0)) for light in LIGHTS_SHOWN
            ],
            "departments": [
                (name, [counter.get(light, 0) for light in LIGHTS_SHOWN], sum(counter.values()))
                for name, counter in sorted(by_department.items())
            ],
            "chosen": chosen,
            "total": len(rows),
            "query_prefix": f"light={chosen}" if chosen else "",
        },
    )
