"""Consistency rules for service-item data (STANDARDS.md, "rules that provinces enforce").

The rules read plain attributes, so they run the same on a saved item, an unsaved one built
from an admin form, and one built from an import row. Each returns an ``ErrorList`` whose
entries name the field (``materials[2].paper_copies``) so a clerk can find the problem.
``item_rules_check`` runs them all; the admin runs the item part in ``ServiceItem.clean`` and
each collection's part in its inline formset, the importer and the services run everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import (
    FULL_ONLINE_DEPTH,
    CaseType,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
    ServiceObject,
    StepKind,
    TimeUnit,
)
from onewindow.catalog.formschema import form_fields_check
from onewindow.core.errors import ErrorList
from onewindow.org.models import CentreLevel, Role

BASIC_CODE_RE = re.compile(r"^[0-9A-Z]{12}$")
IMPLEMENTATION_CODE_RE = re.compile(r"^[0-9A-Za-z\-]{12,36}$")

# Minutes per unit, to compare limits given in different units. A working day is counted as
# 7/5 of a natural day (a week has five), which is how long it lasts on average.
MINUTES_PER_UNIT = {
    TimeUnit.MINUTE: 1,
    TimeUnit.HOUR: 60,
    TimeUnit.NATURAL_DAY: 1440,
    TimeUnit.WORKING_DAY: 1440 * 7 / 5,
    TimeUnit.MONTH: 1440 * 30,
}

# 行政许可 must run at least these steps (STANDARDS.md).
LICENSING_REQUIRED_STEPS = (
    StepKind.ACCEPT,
    StepKind.REVIEW,
    StepKind.DECIDE,
    StepKind.COMPLETE,
    StepKind.DELIVER,
)
# The approval part is at most 受理 → 审查 → 审批 (seed 000): one of each, in this order.
APPROVAL_KINDS = (StepKind.ACCEPT, StepKind.REVIEW, StepKind.DECIDE)
STEP_KIND_ORDER = {kind: index for index, kind in enumerate(StepKind.values)}
DEPARTMENT_ROLES = {Role.DEPT_APPROVER, Role.DEPT_LEAD}
STEP_ROLES = {
    StepKind.ACCEPT: {Role.INTAKE_CLERK},
    StepKind.REVIEW: DEPARTMENT_ROLES,
    StepKind.DECIDE: DEPARTMENT_ROLES,
    StepKind.COMPLETE: DEPARTMENT_ROLES | {Role.OUTPUT_CLERK},
    StepKind.DELIVER: {Role.OUTPUT_CLERK, Role.INTAKE_CLERK},
}
# An instant item is finished at the window by the clerk who accepts it.
INSTANT_STEP_ROLES = {
    StepKind.ACCEPT: {Role.INTAKE_CLERK},
    StepKind.REVIEW: {Role.INTAKE_CLERK},
    StepKind.DECIDE: {Role.INTAKE_CLERK},
    StepKind.COMPLETE: {Role.INTAKE_CLERK},
    StepKind.DELIVER: {Role.INTAKE_CLERK, Role.OUTPUT_CLERK},
}


def limit_in_minutes(value: int, unit: str) -> float:
    return value * MINUTES_PER_UNIT[TimeUnit(unit)]


def _values_ok(values: Any, allowed: Iterable[str]) -> bool:
    return isinstance(values, list) and all(str(v) in set(allowed) for v in values)


def item_fields_check(item: Any) -> ErrorList:
    """Rules on the item's own fields."""
    errors = ErrorList()
    if not BASIC_CODE_RE.match(item.basic_code or ""):
        errors.add(
            "basic_code",
            "invalid_code",
            _("The basic code has 12 characters: digits and capital letters."),
        )
    if not IMPLEMENTATION_CODE_RE.match(item.implementation_code or ""):
        errors.add(
            "implementation_code",
            "invalid_code",
            _("The implementation code has 12 to 36 letters, digits or hyphens."),
        )
    elif item.basic_code and not item.implementation_code.startswith(item.basic_code):
        errors.add(
            "implementation_code",
            "code_mismatch",
            _("The implementation code must start with the basic code %(code)s."),
            code=item.basic_code,
        )
    if not item.service_objects or not _values_ok(item.service_objects, ServiceObject.values):
        errors.add(
            "service_objects",
            "invalid_choice",
            _("Choose at least one service object from the national code list."),
        )
    if not item.handled_at_levels or not _values_ok(item.handled_at_levels, CentreLevel.values):
        errors.add(
            "handled_at_levels",
            "invalid_choice",
            _("Say at which centre levels the item is accepted (通办范围)."),
        )

    # Instant ⇔ 即办件; promised ≤ statutory.
    instant = item.case_type == CaseType.INSTANT
    if instant and item.promised_limit != 0:
        errors.add(
            "promised_limit",
            "instant_has_limit",
            _("An instant item (即办件) has a promised time limit of 0."),
        )
    if not instant and not item.promised_limit:
        errors.add(
            "case_type",
            "promised_without_limit",
            _(
                "A promised item (承诺件) needs a promised time limit above 0; "
                "with no time limit it is an instant item (即办件)."
            ),
        )
    if not instant and not item.statutory_limit:
        errors.add(
            "statutory_limit", "required", _("A promised item needs its statutory time limit.")
        )
    if (
        item.promised_limit
        and item.statutory_limit
        and limit_in_minutes(item.promised_limit, item.promised_limit_unit)
        > limit_in_minutes(item.statutory_limit, item.statutory_limit_unit)
    ):
        errors.add(
            "promised_limit",
            "promised_over_statutory",
            _("The promised time limit may not be longer than the statutory one."),
        )

    # Visits and online handling.
    depth = [str(v) for v in (item.online_depth or [])]
    if not _values_ok(depth, OnlineDepth.values):
        errors.add("online_depth", "invalid_choice", _("Unknown online handling depth code."))
    if item.is_online and not depth:
        errors.add(
            "online_depth", "required", _("An item handled online needs its online handling depth.")
        )
    if not item.is_online and depth and set(depth) - {OnlineDepth.CONSULT}:
        errors.add(
            "is_online",
            "depth_without_online",
            _("The online depth says it is handled online: tick 'can be handled online'."),
        )
    if item.visits and not (item.visit_reason or "").strip():
        errors.add(
            "visit_reason", "required", _("An item that needs a visit to the site must say why.")
        )
    if set(depth) >= FULL_ONLINE_DEPTH and item.visits:
        errors.add(
            "visits",
            "full_online_with_visits",
            _("A fully online item (全程网办) needs 0 visits to the site."),
        )
    if item.visits == 0 and not item.is_online and not item.accepts_post:
        errors.add(
            "accepts_post",
            "zero_visits_needs_post",
            _("With 0 visits and no online handling, the item must accept postal submission."),
        )

    # Fees.
    if item.charges_fee and not (item.fee_basis or "").strip():
        errors.add("fee_basis", "required", _("An item that charges a fee needs its fee basis."))

    if item.effective_date and item.cancel_date and item.cancel_date < item.effective_date:
        errors.add(
            "cancel_date",
            "before_effective",
            _("The cancellation date is before the effective date."),
        )
    if not (item.result_name or "").strip():
        errors.add("result_name", "required", _("Name the result the applicant receives."))
    return errors


def materials_check(item: Any, materials: Sequence[Any]) -> ErrorList:
    errors = ErrorList()
    if not materials:
        errors.add("materials", "required", _("An item needs at least one material."))
    names: set[str] = set()
    for index, material in enumerate(materials):
        prefix = f"materials[{index}]"
        name = (material.name or "").strip()
        if not name:
            errors.add(f"{prefix}.name", "required", _("The material needs a name."))
        elif name in names:
            errors.add(
                f"{prefix}.name",
                "duplicate",
                _("The material %(name)s is listed twice."),
                name=name,
            )
        names.add(name)
        paper = material.form in {MaterialForm.PAPER, MaterialForm.BOTH}
        if paper and not material.paper_copies:
            errors.add(
                f"{prefix}.paper_copies",
                "required",
                _("A paper material needs the number of copies."),
            )
        if material.form == MaterialForm.ELECTRONIC and material.paper_copies:
            errors.add(
                f"{prefix}.paper_copies",
                "electronic_with_copies",
                _("An electronic-only material takes no paper copies."),
            )
        if (
            material.necessity == MaterialNecessity.DEFERRABLE
            and material.material_type == MaterialType.FORM
        ):
            errors.add(
                f"{prefix}.necessity",
                "form_not_deferrable",
                _("The application form is a key paper: it cannot be supplied later (容缺)."),
            )
        if (
            material.necessity == MaterialNecessity.DEFERRABLE
            and item.case_type == CaseType.INSTANT
        ):
            errors.add(
                f"{prefix}.necessity",
                "instant_not_deferrable",
                _("An instant item is finished on the spot: no paper can be supplied later."),
            )
    return errors


def fee_items_check(item: Any, fee_items: Sequence[Any]) -> ErrorList:
    errors = ErrorList()
    if item.charges_fee and not fee_items:
        errors.add("fee_items", "required", _("An item that charges a fee needs its fee items."))
    if not item.charges_fee and fee_items:
        errors.add(
            "fee_items", "fee_items_without_fee", _("The item charges no fee but lists fee items.")
        )
    for index, fee in enumerate(fee_items):
        for attr in ("name", "standard", "basis"):
            if not (getattr(fee, attr) or "").strip():
                errors.add(
                    f"fee_items[{index}].{attr}",
                    "required",
                    _("Every fee item needs a name, a standard and a basis."),
                )
    return errors


def steps_check(item: Any, steps: Sequence[Any]) -> ErrorList:
    errors = ErrorList()
    ordered = sorted(steps, key=lambda step: step.order)
    kinds = [step.kind for step in ordered]
    if not kinds or kinds[0] != StepKind.ACCEPT:
        errors.add(
            "steps", "must_start_with_accept", _("The process starts with acceptance (受理).")
        )
    approval = [kind for kind in kinds if kind in APPROVAL_KINDS]
    if len(approval) != len(set(approval)):
        errors.add(
            "steps",
            "too_many_approval_steps",
            _("The approval part is at most 受理 → 审查 → 审批, each once."),
        )
    if [STEP_KIND_ORDER[k] for k in kinds] != sorted(STEP_KIND_ORDER[k] for k in kinds):
        errors.add(
            "steps",
            "wrong_order",
            _("Steps run in the order accept, review, decide, complete, deliver."),
        )
    if len(kinds) != len(set(kinds)):
        errors.add("steps", "duplicate_kind", _("Each kind of step appears at most once."))
    if len({step.order for step in ordered}) != len(ordered):
        errors.add("steps", "duplicate_order", _("Two steps have the same number."))
    if item.item_type == ItemType.LICENSING:
        missing = [kind for kind in LICENSING_REQUIRED_STEPS if kind not in kinds]
        if missing:
            errors.add(
                "steps",
                "licensing_minimum_steps",
                _(
                    "An administrative licence needs the steps accept, review, decide, "
                    "complete and deliver; missing: %(missing)s."
                ),
                missing=", ".join(str(StepKind(k).label) for k in missing),
            )
    allowed_roles = INSTANT_STEP_ROLES if item.case_type == CaseType.INSTANT else STEP_ROLES
    for index, step in enumerate(steps):
        if step.kind in allowed_roles and step.role not in allowed_roles[step.kind]:
            errors.add(
                f"steps[{index}].role",
                "role_not_allowed",
                _("The role %(role)s cannot work the step %(step)s."),
                role=Role(step.role).label if step.role in Role.values else step.role,
                step=step.name,
            )
    return errors


def joint_departments_check(item: Any, joint_department_ids: Iterable[int]) -> ErrorList:
    errors = ErrorList()
    if item.department_id and item.department_id in set(joint_department_ids):
        errors.add(
            "joint_departments",
            "lead_is_joint",
            _("The implementing department leads; it is not one of the joint departments."),
        )
    return errors


def item_rules_check(
    item: Any,
    *,
    materials: Sequence[Any],
    fee_items: Sequence[Any],
    steps: Sequence[Any],
    joint_department_ids: Iterable[int] = (),
    form_fields: Sequence[Any] = (),
) -> ErrorList:
    errors = ErrorList()
    errors.extend(item_fields_check(item))
    errors.extend(materials_check(item, materials))
    errors.extend(fee_items_check(item, fee_items))
    errors.extend(steps_check(item, steps))
    errors.extend(joint_departments_check(item, joint_department_ids))
    errors.extend(form_fields_check(form_fields))
    return errors


def default_steps(item: Any) -> list[dict[str, Any]]:
    """The standard process for an item: 受理 → 审查 → 审批 → 办结 → 送达, or at the window."""
    if item.case_type == CaseType.INSTANT:
        # The clerk holds the delegated seal and works every step on the spot.
        return [
            {"order": 1, "kind": StepKind.ACCEPT, "name": "受理", "role": Role.INTAKE_CLERK},
            {"order": 2, "kind": StepKind.REVIEW, "name": "审查", "role": Role.INTAKE_CLERK},
            {"order": 3, "kind": StepKind.DECIDE, "name": "审批", "role": Role.INTAKE_CLERK},
            {"order": 4, "kind": StepKind.COMPLETE, "name": "办结", "role": Role.INTAKE_CLERK},
            {"order": 5, "kind": StepKind.DELIVER, "name": "送达", "role": Role.INTAKE_CLERK},
        ]
    return [
        {"order": 1, "kind": StepKind.ACCEPT, "name": "受理", "role": Role.INTAKE_CLERK},
        {"order": 2, "kind": StepKind.REVIEW, "name": "审查", "role": Role.DEPT_APPROVER},
        {"order": 3, "kind": StepKind.DECIDE, "name": "审批", "role": Role.DEPT_LEAD},
        {"order": 4, "kind": StepKind.COMPLETE, "name": "办结", "role": Role.DEPT_APPROVER},
        {"order": 5, "kind": StepKind.DELIVER, "name": "送达", "role": Role.OUTPUT_CLERK},
    ]
