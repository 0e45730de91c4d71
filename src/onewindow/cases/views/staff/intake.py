"""The intake workstation: desk, applicant (ID card, short registration), item search, the
item's checklist with accept / 补正 / refuse / complete now, and the result page."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.applicants.models import Person
from onewindow.applicants.selectors import (
    person_pending_changes,
    person_profile,
)
from onewindow.applicants.services import (
    person_find_by_id_number,
    person_prefill,
    person_prefill_update,
    person_register,
)
from onewindow.cases import forms as staff_forms
from onewindow.cases.models import Case, MaterialStatus
from onewindow.cases.selectors import case_get_for_user, query_code_for
from onewindow.cases.services import (
    Intake,
    case_accept,
    case_complete_instant,
    case_refuse_at_intake,
    case_request_supplement,
)
from onewindow.cases.staff_selectors import (
    IntakeDesk,
    intake_desk_default,
    intake_desks_for_user,
    item_handling_places,
    person_case_history,
)
from onewindow.cases.transitions import CaseState
from onewindow.cases.views.staff.common import is_htmx, render_page, shown, staff_page
from onewindow.catalog.codes import CaseType, TimeUnit
from onewindow.catalog.search import item_search
from onewindow.catalog.selectors import item_accepted_at, item_list_public
from onewindow.core.errors import (
    ApplicationError,
    PermissionDenied,
    ValidationFailed,
    bilingual,
)
from onewindow.org.models import ServiceCentre, Window
from onewindow.org.permissions import Action, require

INTAKE_PURPOSE = "窗口受理"  # recorded in the audit row of every look-up at the window
SESSION_DESK = "cases_staff_desk"
SESSION_PERSON = "cases_staff_person"
ITEM_RESULTS = 12
ITEM_CANDIDATES = 60
ITEM_ELSEWHERE = 3  # hits another centre accepts, named under the results


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
        "age_band": profile.age_band_label,
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
    context: dict[str, Any] = {
        "centre": centre,
        "window": window,
        "desks": desks,
        "many_desks": len(desks) > 1 or any(len(d.windows) > 1 for d in desks),
        "person": person,
        "history": history,
        "pending_changes": person_pending_changes(person_id=person["id"]) if person else [],
        "identify_form": staff_forms.IdentifyForm(),
        "query": "",
        "hits": None,
    }
    context.update(extra)
    if any(change.code_sent_at for change in context["pending_changes"]):
        # A code is on its way to the applicant's new phone: the clerk types it in next.
        context.setdefault("focus", "change-code")
    context.setdefault("focus", _intake_focus(context))
    return context


REGISTER_FIELDS = ("name", "phone", "address")
CHANGEABLE = REGISTER_FIELDS  # the details a register step may change (with their checks)


def _intake_focus(context: dict[str, Any]) -> str:
    """The one field the page autofocuses: the first empty (or wrong) field of the step the
    clerk is at — the item search once the applicant is known, the name of a new applicant
    after an unknown ID was read, else the ID field."""
    if context["person"]:
        return "item-q"
    register = context.get("register_form")
    if register is not None:
        errors = context.get("register_errors") or {}
        wrong = [f for f in REGISTER_FIELDS if errors.get(f)]
        empty = [f for f in REGISTER_FIELDS if not register[f].value()]
        return f"reg-{(wrong or empty or ['name'])[0]}"
    return "id_number"


def _windows_or_none(desk: IntakeDesk) -> list[Window | None]:
    """A desk's intake windows, or ``[None]`` for a centre without numbered windows."""
    return list(desk.windows) if desk.windows else [None]


def _desk_value(centre: ServiceCentre, window: Window | None) -> str:
    return f"{centre.pk}:{window.pk if window is not None else ''}"


def _desk_choices(
    request: HttpRequest,
    desks: list[IntakeDesk],
    current: tuple[ServiceCentre, Window | None] | None,
) -> list[dict[str, Any]]:
    """The chooser's radios, the current desk (else the clerk's own window) checked."""
    chosen = current or intake_desk_default(user=request.user, desks=desks)
    checked = _desk_value(*chosen) if chosen is not None else ""
    choices = []
    for desk in desks:
        for window in _windows_or_none(desk):
            value = _desk_value(desk.centre, window)
            choices.append(
                {
                    "value": value,
                    "centre": desk.centre,
                    "window": window,
                    "checked": value == checked,
                }
            )
    return choices


def _desk_page(
    request: HttpRequest,
    desks: list[IntakeDesk],
    *,
    current: tuple[ServiceCentre, Window | None] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    item = _int(request.POST.get("item") or request.GET.get("item"))
    context = {
        "choices": _desk_choices(request, desks, current),
        "errors": errors or {},
        "item_id": item,
    }
    return render_page(request, "intake_desk.html", context, status=status)


@staff_page
@require_safe
def intake_home(request: HttpRequest) -> HttpResponse:
    """Step 1 (the ID field, autofocused) or, with an applicant identified, step 2."""
    desks, centre, window = _desk(request)
    if centre is None:
        return _desk_page(request, desks)
    return render_page(request, "intake.html", _intake_context(request, centre, window, desks))


@staff_page
@require_POST
def intake_desk_choose(request: HttpRequest) -> HttpResponse:
    """Work at the chosen centre and window; back to the item being opened, if one was."""
    desks, _centre, _window = _desk(request)
    form = staff_forms.DeskForm(request.POST)
    if form.is_valid():
        centre_id, window_id = form.cleaned_data["desk"]
        item_id = form.cleaned_data.get("item")
        done = (
            redirect("cases_staff:intake_item", item_id=item_id)
            if item_id
            else redirect("cases_staff:intake")
        )
        for desk in desks:
            if desk.centre.pk != centre_id:
                continue
            if window_id is None and not desk.windows:
                request.session[SESSION_DESK] = {"centre": centre_id, "window": None}
                return done
            if any(w.pk == window_id for w in desk.windows):
                request.session[SESSION_DESK] = {"centre": centre_id, "window": window_id}
                return done
    return _desk_page(
        request,
        desks,
        errors={"desk": [str(_("Choose one of your centres and windows."))]},
        status=422,
    )


@staff_page
@require_safe
def intake_desk_change(request: HttpRequest) -> HttpResponse:
    desks, centre, window = _desk(request)
    return _desk_page(request, desks, current=(centre, window) if centre is not None else None)


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
            return render_page(request, "intake.html", context)
    else:
        errors = staff_forms.form_errors(form)
    context = _intake_context(
        request, centre, window, desks, identify_form=form, identify_errors=errors
    )
    return render_page(request, "intake.html", context, status=422)


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
    status = 422
    if form.is_valid():
        # A registered document is compared only with the applicant of this window's audited
        # identify step; any other answers 409 "already registered" (the change page is
        # where a known applicant's details change).
        current = _current_person(request)
        looked_up = Person.objects.filter(pk=current["id"]).first() if current else None
        try:
            person = person_register(
                actor=request.user, centre=centre, looked_up=looked_up, **form.cleaned_data
            )
        except ApplicationError as exc:
            if not isinstance(exc, ValidationFailed) and exc.status not in (409, 429):
                raise
            errors, status = _by_field(exc), exc.status
        else:
            _remember_person(request, person)
            if person_pending_changes(person_id=person.pk):
                messages.info(request, _("The new phone waits for its confirmation."))
            else:
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
    return render_page(request, "intake.html", context, status=status)


# Details people give on many application forms (50–60 % of fields repeat, seed 004): asked
# once, remembered encrypted on the person, offered again at the next visit.
FILL_ONCE_FIELDS = (
    ("workplace", _("Workplace")),
    ("marital_status", _("Marital status")),
    ("contact_address", _("Contact address")),
    ("emergency_contact", _("Emergency contact")),
)


@staff_page
def intake_details(request: HttpRequest) -> HttpResponse:
    """The details the applicant gave before ("fill once"; an audited read), to confirm or
    complete; what the clerk saves is remembered for the next application."""
    _desks, centre, window = _desk(request)
    current = _current_person(request)
    if centre is None or current is None:
        return redirect("cases_staff:intake")
    person = Person.objects.get(pk=current["id"])
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        posted = {key: request.POST.get(key, "") for key, _label in FILL_ONCE_FIELDS}
        try:
            person_prefill_update(person=person, values=posted, actor=request.user)
        except ValidationFailed as exc:
            errors, status = _by_field(exc), 422
            values = posted
        else:
            messages.success(request, _("The applicant's details are remembered."))
            return redirect("cases_staff:intake")
    else:
        values = person_prefill(person=person, actor=request.user, purpose=INTAKE_PURPOSE)
    fields = [
        {"key": key, "label": label, "value": values.get(key, ""), "errors": errors.get(key, [])}
        for key, label in FILL_ONCE_FIELDS
    ]
    extra = [
        (key, value) for key, value in sorted(values.items()) if key not in dict(FILL_ONCE_FIELDS)
    ]
    return render_page(
        request,
        "intake_details.html",
        {"person": current, "fields": fields, "extra": extra, "centre": centre, "window": window},
        status=status,
    )


@staff_page
@require_POST
def intake_reset(request: HttpRequest) -> HttpResponse:
    """Next applicant: forget the current one."""
    request.session.pop(SESSION_PERSON, None)
    return redirect("cases_staff:intake")


def _items_for_desk(query: str, centre: ServiceCentre) -> tuple[list[Any], list[Any]]:
    """Search hits this centre may accept (通办范围), best first, and the few best hits it may
    not accept (their pages say where they are accepted)."""
    hits = item_search(query, limit=ITEM_CANDIDATES)
    items = [hit.item for hit in hits]
    prefetch_related_objects(items, "handled_in_regions")
    here: list[Any] = []
    elsewhere: list[Any] = []
    for item in items:
        (here if item_accepted_at(item=item, centre=centre) else elsewhere).append(item)
    return here[:ITEM_RESULTS], elsewhere[:ITEM_ELSEWHERE]


@staff_page
@require_safe
def intake_items(request: HttpRequest) -> HttpResponse:
    """Step 2: item search (htmx fragment while typing; a whole page without JavaScript)."""
    desks, centre, window = _desk(request)
    if centre is None:
        return redirect("cases_staff:intake")
    query = request.GET.get("q", "").strip()[:64]
    hits, elsewhere = _items_for_desk(query, centre) if query else ([], [])
    found = {"hits": hits, "elsewhere": elsewhere, "query": query}
    if is_htmx(request):
        return render_page(request, "_item_results.html", found)
    context = _intake_context(request, centre, window, desks, **found)
    return render_page(request, "intake.html", context)


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
    prefetch_related_objects([item], "handled_in_regions")
    if not item_accepted_at(item=item, centre=centre):
        return render_page(
            request,
            "intake_item.html",
            {**base, **_elsewhere_context(item=item, version=version, desks=desks)},
            status=200 if request.method != "POST" else 422,
        )
    if request.method != "POST":
        context = _checklist_context(
            item=item,
            version=version,
            window=window,
            rows=staff_forms.material_forms(papers),
            decision=staff_forms.IntakeDecisionForm(),
            key=uuid.uuid4().hex,
        )
        context["focus"] = _checklist_focus(context)
        return render_page(request, "intake_item.html", {**base, **context})

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
        context["focus"] = _checklist_focus(context)
        return render_page(request, "intake_item.html", {**base, **context}, status=422)
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
        error = shown(exc)
        _place_errors(error, rows)
        context["error"] = error
        context["errors_placed"] = True
        context["promise_errors"] = [e for e in error["errors"] if e["field"] == "promise_signed"]
        context["general_errors"] = [
            e
            for e in error["errors"]
            if not e["field"].startswith("materials[") and e["field"] != "promise_signed"
        ]
        _summary_names_the_promise(context, error, intake)
        context["focus"] = _checklist_focus(context)
        return render_page(request, "intake_item.html", {**base, **context}, status=exc.status)
    return redirect("cases_staff:intake_done", number=case.number)


PROMISE_MISSING = _(
    "The applicant's signed promise (承诺书) is missing for the papers to be supplied later "
    "(容缺): %(names)s. Tick “The applicant signed the promise” once it is signed."
)


def _summary_names_the_promise(
    context: dict[str, Any], error: dict[str, Any], intake: Intake
) -> None:
    """A refusal for a missing 容缺 promise says so at the top, naming the papers it covers:
    the generic "papers are missing or faulty" alone sent the clerk looking at the papers."""
    if not context["promise_errors"]:
        return
    names = "、".join(r.name for r in intake.materials if r.status == MaterialStatus.DEFERRED)
    text = bilingual(PROMISE_MISSING, names=names)
    if all(e["code"] == "promise_required" for e in error["errors"]):
        context["error"] = {**error, "message": text["zh"], "message_en": text["en"]}
        return
    entry = {"field": "promise_signed", "code": "promise_required"}
    context["general_errors"] = [
        {**entry, "message": text["zh"], "message_en": text["en"]},
        *context["general_errors"],
    ]


def _checklist_focus(context: dict[str, Any]) -> str:
    """The one element the checklist page autofocuses: the first paper to mark, or after a
    refusal the error summary (which names every problem; ``intake-checklist.js`` focuses it
    too), from where Tab reaches the papers."""
    rows: list[staff_forms.MaterialRowForm] = context["rows"]
    if context.get("error"):
        return "error-summary"
    return f"{rows[0].prefix}-status" if rows else "decide"


def _elsewhere_context(*, item: Any, version: Any, desks: list[IntakeDesk]) -> dict[str, Any]:
    """An item this centre may not accept: where it may be accepted (通办范围), and which of
    the clerk's own desks could take it (one click to work there and come back)."""
    own = []
    for desk in desks:
        if not item_accepted_at(item=item, centre=desk.centre):
            continue
        for window in _windows_or_none(desk):
            own.append(
                {"value": _desk_value(desk.centre, window), "centre": desk.centre, "window": window}
            )
    return {
        "item": item,
        "version": version,
        "not_here": True,
        "places": item_handling_places(item=item),
        "own_desks": own,
        "focus": "own-desk" if own else "back-to-search",
        "is_instant": version.snapshot.get("case_type") == CaseType.INSTANT,
        "limit_unit": TimeUnit(version.snapshot.get("promised_limit_unit") or "1").label,
    }


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
@require_safe
def intake_done(request: HttpRequest, number: str) -> HttpResponse:
    """The result: case number, query code, promised date, the receipt to print."""
    case = case_get_for_user(number=number, user=request.user)
    return render_page(
        request,
        "intake_done.html",
        {
            "case": case,
            "query_code": query_code_for(request.user, case),
            "light": None,
            "wanting": case.materials.exclude(status=MaterialStatus.RECEIVED).order_by("order"),
            "notice": case.state in (CaseState.SUPPLEMENT_REQUESTED, CaseState.REFUSED),
        },
    )
