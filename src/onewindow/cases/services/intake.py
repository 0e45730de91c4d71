"""Intake at the window: accept, 补正, refuse, or finish an instant item on the spot.

A replay of the same idempotency key returns the case the first call made — when it is the same
submission: a fingerprint of the whole normalised request (item, centre, window, applicant,
every paper's marks, output method and centre, promise, and the outcome's own fields) is kept
with the case, and another request under a used key is refused (409), never replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import MaterialsIncomplete
from onewindow.cases.models import (
    ApplicantType,
    Case,
    CaseMaterial,
    MaterialStatus,
    Outcome,
    OutputMethod,
)
from onewindow.cases.services.core import case_number_next, case_transition, query_code_new
from onewindow.cases.services.tasks import BACK_OFFICE_KINDS, advance_if_no_tasks, tasks_create
from onewindow.cases.transitions import CASE_MACHINE, NEW
from onewindow.catalog.codes import CaseType, ItemStatus, MaterialNecessity
from onewindow.catalog.models import ServiceItem, ServiceItemVersion
from onewindow.catalog.selectors import item_accepted_at
from onewindow.core.errors import ApplicationError, ErrorList, ValidationFailed
from onewindow.org.models import ServiceCentre, Window, WindowKind
from onewindow.org.permissions import require
from onewindow.workflow import clock


@dataclass
class MaterialReceipt:
    """What the clerk marked for one material of the item's checklist."""

    name: str
    # Not marked until the clerk marks it: ``_check_marked`` refuses an intake with a paper
    # left so, so no path accepts a paper nobody ticked.
    status: str = ""
    receive_form: str = "paper"
    copies: int = 1
    problem: str = ""
    due_date: dt.date | None = None


@dataclass
class Intake:
    """Everything the intake window sends, whatever the outcome (accept, 补正, refuse)."""

    item: ServiceItem
    centre: ServiceCentre
    clerk: Any
    materials: Sequence[MaterialReceipt]
    applicant_type: str = ApplicantType.NATURAL_PERSON
    person: Any = None
    organisation: Any = None
    window: Window | None = None
    output_method: str = OutputMethod.WINDOW
    output_centre: ServiceCentre | None = None
    promise_signed: bool = False
    idempotency_key: str | None = None
    # The item's latest version when the caller read it with the item in the same request
    # (the API does, in one statement); read by ``_intake_check`` when not given.
    version: ServiceItemVersion | None = field(default=None, compare=False)
    # The caller runs the intake inside a transaction of its own, which it rolls back on any
    # failure and then tries again without this flag (the API: its look-up's audit row and the
    # filing commit once): no savepoint here, and a failure is left to that retry, which
    # settles a replay or a race under the key.
    in_callers_transaction: bool = field(default=False, compare=False)
    # Set by ``_create_once``: the fingerprint of the whole submission, kept with the case.
    fingerprint: str = field(default="", compare=False)


# --- intake ---------------------------------------------------------------------------------


def _intake_check(intake: Intake) -> tuple[ServiceItemVersion, list[dict[str, Any]]]:
    errors = ErrorList()
    item = intake.item
    if item.status != ItemStatus.PUBLISHED:
        errors.add("item", "item_not_published", _("This item is not published."))
    elif not item_accepted_at(item=item, centre=intake.centre):
        errors.add(
            "item",
            "not_handled_here",
            _("This item cannot be handled at %(centre)s (通办范围)."),
            centre=intake.centre.name,
        )
    output_centre = intake.output_centre
    if (
        output_centre is not None
        and output_centre.pk != intake.centre.pk
        and not item_accepted_at(item=item, centre=output_centre)
    ):
        # Who may read a case follows its output centre: only a centre that may handle the
        # item (通办范围) may be chosen to hand the result over.
        errors.add(
            "output_centre",
            "output_not_handled_there",
            _("%(centre)s cannot hand over the result of this item (通办范围)."),
            centre=output_centre.name,
        )
    if intake.window is not None and (
        intake.window.centre_id != intake.centre.pk or intake.window.kind != WindowKind.INTAKE
    ):
        errors.add(
            "window",
            "not_an_intake_window",
            _("The window is not an intake window of this centre."),
        )
    if intake.applicant_type == ApplicantType.NATURAL_PERSON and intake.person is None:
        errors.add("person", "required", _("Identify the applicant (ID card) first."))
    if intake.applicant_type == ApplicantType.LEGAL_PERSON and intake.organisation is None:
        errors.add(
            "organisation", "required", _("Identify the applying organisation (credit code) first.")
        )
    errors.raise_if_any(_("The application cannot be taken as it is."), code="intake_invalid")
    version = intake.version
    if version is None or version.item_id != item.pk:
        version = item.versions.order_by("-number").first()
    if version is None:
        raise ApplicationError(_("The item has no published version."), code="no_version")
    checklist = version.snapshot.get("materials", [])
    known = {m["name"] for m in checklist}
    given = {m.name for m in intake.materials}
    unknown = given - known
    if unknown:
        errors.add(
            "materials",
            "unknown_material",
            _("Not on this item's checklist: %(names)s."),
            names="、".join(sorted(unknown)),
        )
    missing_from_form = known - given
    if missing_from_form:
        errors.add(
            "materials",
            "checklist_incomplete",
            _("Mark every paper of the checklist; not marked: %(names)s."),
            names="、".join(sorted(missing_from_form)),
        )
    errors.raise_if_any(
        _("The material checklist does not match the item."), code="checklist_mismatch"
    )
    _check_marked(intake.materials)
    return version, checklist


def _check_marked(materials: Sequence[MaterialReceipt]) -> None:
    """Every paper carries the clerk's own mark: nothing counts as received by default."""
    errors = ErrorList()
    unmarked = []
    for index, receipt in enumerate(materials):
        if receipt.status in MaterialStatus.values:
            continue
        unmarked.append(receipt.name)
        errors.add(
            f"materials[{index}]",
            "not_marked",
            _("Mark %(name)s: received, missing, needs correcting, or 容缺 where allowed."),
            name=receipt.name,
        )
    if unmarked:
        refusal = ValidationFailed(
            _("Mark every paper before deciding; not marked yet: %(names)s."),
            list(errors),
            code="materials_not_marked",
        )
        refusal.params = {"names": "、".join(unmarked)}
        raise refusal


def _new_case(
    intake: Intake, version: ServiceItemVersion, *, state_action: str, now: dt.datetime
) -> Case:
    assert CASE_MACHINE.target(state_action, NEW) is not None
    snapshot = version.snapshot
    case = Case(
        item=intake.item,
        item_version=version,
        department=intake.item.department,
        centre=intake.centre,
        window=intake.window,
        clerk=intake.clerk,
        applicant_type=intake.applicant_type,
        person=intake.person,
        organisation=intake.organisation,
        state=NEW,
        submitted_at=now,
        time_limit=snapshot["promised_limit"],
        time_limit_unit=snapshot["promised_limit_unit"],
        output_method=intake.output_method,
        output_centre=intake.output_centre or intake.centre,
        idempotency_key=intake.idempotency_key or None,
        submission_fingerprint=intake.fingerprint if intake.idempotency_key else "",
    )
    case.query_code_set(query_code_new())
    return case


def _file(case: Case, intake: Intake, checklist: list[dict[str, Any]], **move: Any) -> None:
    """Number the new ``case``, insert it with its first move (event and audit row), then its
    papers. The number is taken here, after every read and check of the submission, in one
    statement (``case_number_next``): its sequence row stays locked until this transaction
    commits, so nothing but the case's own inserts runs under that lock (ADR 0013)."""
    now = move["now"]
    case.number = case_number_next(centre=intake.centre, today=timezone.localtime(now).date())
    case_transition(case=case, actor=intake.clerk, **move)
    _store_materials(case, intake, checklist, now)


def _store_materials(
    case: Case, intake: Intake, checklist: list[dict[str, Any]], now: dt.datetime
) -> None:
    order = {m["name"]: (index, m["necessity"]) for index, m in enumerate(checklist)}
    CaseMaterial.objects.bulk_create(
        CaseMaterial(
            case=case,
            order=order[receipt.name][0],
            name=receipt.name,
            necessity=order[receipt.name][1],
            status=receipt.status,
            receive_form=receipt.receive_form if receipt.status == MaterialStatus.RECEIVED else "",
            copies=receipt.copies if receipt.status == MaterialStatus.RECEIVED else 0,
            problem=receipt.problem,
            due_date=receipt.due_date,
            received_at=now if receipt.status == MaterialStatus.RECEIVED else None,
        )
        for receipt in intake.materials
    )


def _replayed(intake: Intake) -> Case | None:
    if not intake.idempotency_key:
        return None
    return Case.objects.filter(idempotency_key=intake.idempotency_key).first()


def _pk(obj: Any) -> int | None:
    return getattr(obj, "pk", None)


def submission_fingerprint(intake: Intake, action: str, extra: dict[str, Any]) -> str:
    """SHA-256 of the whole submission, normalised: the same request gives the same value
    whatever the order of its papers; any difference in what was asked gives another."""
    papers = sorted(
        (asdict(receipt) for receipt in intake.materials),
        key=lambda paper: json.dumps(paper, sort_keys=True, default=str),
    )
    payload = {
        "action": action,
        "item": _pk(intake.item),
        "centre": _pk(intake.centre),
        "window": _pk(intake.window),
        "clerk": _pk(intake.clerk),
        "applicant_type": str(intake.applicant_type),
        "person": _pk(intake.person),
        "organisation": _pk(intake.organisation),
        "materials": papers,
        "output_method": str(intake.output_method),
        "output_centre": _pk(intake.output_centre or intake.centre),
        "promise_signed": bool(intake.promise_signed),
        **{f"extra.{key}": value for key, value in extra.items()},
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_submission(case: Case, intake: Intake, action: str) -> Case:
    """A replayed key must carry the same submission; another one under it is refused."""
    if case.submission_fingerprint:
        same = case.submission_fingerprint == intake.fingerprint
    else:
        # A case filed before fingerprints were kept: the fields it has.
        first = case.events.order_by("at", "id").values_list("action", flat=True).first()
        same = (
            first == action
            and case.item_id == intake.item.pk
            and case.centre_id == intake.centre.pk
            and case.person_id == getattr(intake.person, "pk", None)
            and case.organisation_id == getattr(intake.organisation, "pk", None)
        )
    if not same:
        raise ApplicationError(
            _("This submission key was used for another application; send a new key."),
            code="idempotency_key_reused",
            status=409,
        )
    return case


def _create_once(
    intake: Intake, build: Any, action: str, extra: dict[str, Any] | None = None
) -> Case:
    """Run ``build`` once per idempotency key: a replay of the same submission returns the case
    the first call made; a different submission under a used key is refused."""
    # Checked before the transaction, so that a refusal's audit row is kept.
    require(intake.clerk, CASE_MACHINE.permission_for(action), intake.centre)
    intake.fingerprint = submission_fingerprint(intake, action, extra or {})
    try:
        with transaction.atomic(savepoint=not intake.in_callers_transaction):
            return build()
    except (IntegrityError, ApplicationError):
        if intake.in_callers_transaction:
            raise  # the caller's transaction is spoilt: it rolls back and tries again
        # The key is looked up only when the build fails — on its unique constraint (a replay,
        # or a race with the first call), or on a check a replay need not pass again (the item
        # changed since): a first submission spends no statement on it, and a replay still
        # returns the first case or is refused as another submission.
        existing = _replayed(intake)
        if existing is None:
            raise
        return _same_submission(existing, intake, action)


def case_accept(*, intake: Intake, now: dt.datetime | None = None) -> Case:
    """受理: every required paper received; 容缺 papers only where the item allows it, on a signed
    promise, with a due date. Pins the item version, computes the promised completion, opens
    the department's queue."""

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        necessity = {m["name"]: m["necessity"] for m in checklist}
        problems = ErrorList()
        deferred = []
        for index, receipt in enumerate(intake.materials):
            field_name = f"materials[{index}]"
            if receipt.status == MaterialStatus.RECEIVED:
                continue
            if receipt.status == MaterialStatus.DEFERRED:
                if necessity[receipt.name] != MaterialNecessity.DEFERRABLE:
                    problems.add(
                        field_name,
                        "not_deferrable",
                        _("%(name)s is a key paper: it cannot be supplied later."),
                        name=receipt.name,
                    )
                elif receipt.due_date is None:
                    problems.add(
                        field_name,
                        "due_date_required",
                        _("Say by when %(name)s will be brought."),
                        name=receipt.name,
                    )
                deferred.append(receipt)
            elif necessity[receipt.name] != MaterialNecessity.OPTIONAL:
                problems.add(
                    field_name, "missing", _("%(name)s is missing or faulty."), name=receipt.name
                )
        if deferred and not intake.promise_signed:
            problems.add(
                "promise_signed",
                "promise_required",
                _("容缺 needs the applicant's signed promise (承诺书)."),
            )
        # An instant item at a window without the department's seal goes to the department
        # like any other case, due by the end of today.
        due_at = clock.due_after(
            when, version.snapshot["promised_limit"], version.snapshot["promised_limit_unit"]
        )
        for index, receipt in enumerate(intake.materials):
            if receipt in deferred and receipt.due_date and receipt.due_date > due_at.date():
                problems.add(
                    f"materials[{index}].due_date",
                    "deferred_after_due",
                    _("A 容缺 paper must arrive within the promised time limit (by %(date)s)."),
                    date=timezone.localtime(due_at).date().isoformat(),
                )
        if problems:
            raise MaterialsIncomplete(list(problems))
        case = _new_case(intake, version, state_action="accept", now=when)
        case.accepted_at = when
        case.due_at = due_at
        _file(
            case,
            intake,
            checklist,
            action="accept",
            now=when,
            department=case.department,
            data={"due_at": due_at.isoformat(), "deferred": [r.name for r in deferred]},
        )
        if any(step["kind"] in BACK_OFFICE_KINDS for step in version.snapshot["steps"]):
            tasks_create(case, version, now=when)  # one statement for every task
        else:
            advance_if_no_tasks(case, actor=intake.clerk, now=when)  # decided at once
        return case

    return _create_once(intake, build, "accept")


def case_request_supplement(
    *, intake: Intake, deadline: dt.date, note: str = "", now: dt.datetime | None = None
) -> Case:
    """补正 at the window: one notice lists every missing or faulty paper at once (行政许可法
    §32); the application is not accepted and the clock does not start."""

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        wanting = [
            r
            for r in intake.materials
            if r.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)
        ]
        if not wanting:
            raise ApplicationError(
                _("Nothing is missing or faulty: accept the application instead."),
                code="nothing_to_supplement",
            )
        if deadline <= timezone.localtime(when).date():
            raise ValidationFailed(_("The deadline must be after today."), [], code="deadline")
        case = _new_case(intake, version, state_action="request_supplement", now=when)
        case.supplement_deadline = deadline
        _file(
            case,
            intake,
            checklist,
            action="request_supplement",
            now=when,
            reason=note,
            data={
                "deadline": deadline.isoformat(),
                "papers": [
                    {"name": r.name, "status": r.status, "problem": r.problem} for r in wanting
                ],
            },
        )
        return case

    return _create_once(
        intake, build, "request_supplement", {"deadline": deadline.isoformat(), "note": note}
    )


def case_refuse_at_intake(*, intake: Intake, reasons: str, now: dt.datetime | None = None) -> Case:
    """不予受理 with written reasons."""
    if not reasons.strip():
        raise ValidationFailed(
            _("Write the reasons for not accepting."), [], code="reasons_required"
        )

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        case = _new_case(intake, version, state_action="refuse", now=when)
        _file(case, intake, checklist, action="refuse", now=when, reason=reasons)
        return case

    return _create_once(intake, build, "refuse", {"reasons": reasons})


def case_complete_instant(*, intake: Intake, now: dt.datetime | None = None) -> Case:
    """An instant item finished on the spot by a window holding the department's seal."""

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        if version.snapshot["case_type"] != CaseType.INSTANT:
            raise ApplicationError(
                _("Only an instant item can be finished at the window."), code="not_instant"
            )
        window = intake.window
        if (
            window is None
            or not window.delegated_departments.filter(pk=intake.item.department_id).exists()
        ):
            raise ApplicationError(
                _(
                    "This window does not hold the seal of %(department)s; accept the case "
                    "for the department instead."
                ),
                code="not_delegated",
                params={"department": intake.item.department.name},
            )
        key_papers = {m["name"] for m in checklist if m["necessity"] != MaterialNecessity.OPTIONAL}
        problems = ErrorList()
        for index, receipt in enumerate(intake.materials):
            if receipt.status != MaterialStatus.RECEIVED and receipt.name in key_papers:
                problems.add(
                    f"materials[{index}]",
                    "missing",
                    _("%(name)s is missing or faulty."),
                    name=receipt.name,
                )
        if problems:
            raise MaterialsIncomplete(list(problems))
        case = _new_case(intake, version, state_action="complete_instant", now=when)
        case.accepted_at = case.decided_at = when
        case.due_at = when
        case.outcome = Outcome.APPROVED
        _file(
            case,
            intake,
            checklist,
            action="complete_instant",
            now=when,
            department=case.department,
        )
        return case

    return _create_once(intake, build, "complete_instant")
