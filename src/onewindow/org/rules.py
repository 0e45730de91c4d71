"""Validation rules of the organisation model, shared by the models' ``clean``, the services
and the admin forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList
from onewindow.org.codes import PARENT_LEVEL, REGION_PREFIX_LENGTH, RegionLevel, Role

if TYPE_CHECKING:
    from onewindow.org.models import Department, Region, ServiceCentre

# An enforcement officer works in their team (permissions: Scope.DEPARTMENT).
DEPARTMENT_ROLES = {Role.DEPT_APPROVER, Role.DEPT_LEAD, Role.ENFORCEMENT_OFFICER}
CENTRE_ROLES = {Role.INTAKE_CLERK, Role.OUTPUT_CLERK, Role.CENTRE_MANAGER}
REGION_ROLES = {Role.GRID_WORKER}
# 三员分立: one person holds at most one of these.
SEPARATED_DUTIES = (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)


def region_validate(
    *, code: str, level: str, parent: Region | None, exclude_pk: int | None = None
) -> ErrorList:
    """Check a region's code against its level and its parent's code."""
    errors = ErrorList()
    if not (len(code) == 12 and code.isdigit()):
        errors.add("code", "invalid_code", _("A division code has exactly 12 digits."))
        return errors
    try:
        region_level = RegionLevel(level)
    except ValueError:
        errors.add("level", "invalid_level", _("Unknown region level."))
        return errors
    significant = REGION_PREFIX_LENGTH[region_level]
    if set(code[significant:]) - {"0"}:
        errors.add(
            "code",
            "code_level_mismatch",
            _("For this level only the first %(n)s digits may be non-zero."),
            n=significant,
        )
    if code[:significant].endswith("000") and region_level != RegionLevel.DISTRICT:
        errors.add("code", "code_level_mismatch", _("The code's own part must not be 000."))
    expected_parent = PARENT_LEVEL.get(region_level)
    if expected_parent is None:
        if parent is not None and parent.level != RegionLevel.DISTRICT:
            errors.add("parent", "parent_level", _("A district has no parent in this platform."))
    elif parent is None or parent.level != expected_parent:
        errors.add(
            "parent",
            "parent_level",
            _("This region needs a parent of level %(level)s."),
            level=expected_parent.label,
        )
    elif not code.startswith(parent.prefix):
        errors.add(
            "code",
            "code_parent_mismatch",
            _("The code must start with the parent's code %(prefix)s."),
            prefix=parent.prefix,
        )
    # Looked up through the app registry: the models module imports these rules.
    region_model = apps.get_model("org", "Region")
    clash = region_model._default_manager.filter(code=code)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        errors.add("code", "duplicate", _("A region with this code exists already."))
    return errors


def role_scope_errors(
    *,
    role: str,
    department: Department | None,
    centre: ServiceCentre | None,
    region: Region | None,
) -> ErrorList:
    """Each role needs exactly the scope it works in, and no other."""
    errors = ErrorList()
    needs = {
        "department": role in DEPARTMENT_ROLES,
        "centre": role in CENTRE_ROLES,
        "region": role in REGION_ROLES,
    }
    given = {"department": department, "centre": centre, "region": region}
    labels = {"department": _("department"), "centre": _("centre"), "region": _("region")}
    for key, needed in needs.items():
        if needed and given[key] is None:
            errors.add(
                key, "scope_required", _("This role needs a %(scope)s scope."), scope=labels[key]
            )
        if not needed and given[key] is not None:
            errors.add(
                key,
                "scope_not_allowed",
                _("This role does not take a %(scope)s scope."),
                scope=labels[key],
            )
    return errors


def separated_duties_errors(roles: list[str]) -> ErrorList:
    """One account holds at most one of system administrator, security administrator and
    auditor (三员分立): otherwise the one who grants roles could read the trail of it."""
    errors = ErrorList()
    held = sorted({str(role) for role in roles if role in SEPARATED_DUTIES})
    if len(held) > 1:
        errors.add(
            "roles",
            "separated_duties",
            _(
                "The system administrator, the security administrator and the auditor must be "
                "three different people: one account may hold only one of these roles."
            ),
        )
    return errors
