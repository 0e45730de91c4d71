"""Writes for the organisation model, and the validation rules they share with admin forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, validate_model
from onewindow.org.models import (
    Department,
    Region,
    RoleAssignment,
    ServiceCentre,
    Window,
)
from onewindow.org.rules import (
    region_validate,
    role_scope_errors,
    separated_duties_errors,
)


@transaction.atomic
def region_create(
    *, code: str, name: str, level: str, parent: Region | None = None, name_en: str = ""
) -> Region:
    region_validate(code=code, level=level, parent=parent).raise_if_any(
        _("The region is not valid.")
    )
    return Region.objects.create(code=code, name=name, level=level, parent=parent, name_en=name_en)


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    full_name: str,
    roles: list[dict[str, Any]],
    created_by: Any = None,
) -> Any:
    """Create a staff account with its role assignments in one transaction.

    ``roles`` is a list of ``{"role": Role, "department"|"centre"|"region": obj}``.
    Staff may log into the admin site; nobody is made a superuser. ``password=None``
    gives an unusable password (the account is enabled later, or bulk-set as in the demo).
    """
    errors = ErrorList()
    for index, spec in enumerate(roles):
        for error in role_scope_errors(
            role=spec["role"],
            department=spec.get("department"),
            centre=spec.get("centre"),
            region=spec.get("region"),
        ):
            error.field = f"roles[{index}].{error.field}"
            errors.append(error)
    if not roles:
        errors.add("roles", "required", _("A staff account needs at least one role."))
    errors.extend(separated_duties_errors([spec["role"] for spec in roles]))
    errors.raise_if_any(_("The staff account is not valid."))
    user_model = get_user_model()
    # No superuser flag, even for the system administrator: every power comes from the
    # matrix, so nothing can bypass it (三员分立, the audit trail).
    user = user_model.objects.create_user(
        username=username, password=password, first_name=full_name, is_staff=True
    )
    for spec in roles:
        RoleAssignment.objects.create(
            user=user,
            role=spec["role"],
            department=spec.get("department"),
            centre=spec.get("centre"),
            region=spec.get("region"),
        )
    audit_record(
        actor=created_by,
        action="org.staff_create",
        obj=user,
        detail={"roles": [str(spec["role"]) for spec in roles]},
    )
    return user


@transaction.atomic
def department_create(
    *,
    name: str,
    uscc: str,
    region: Region,
    short_name: str = "",
    name_en: str = "",
    phone: str = "",
    actor: Any = None,
) -> Department:
    """A department, its unified social credit code checked (python-stdnum) and unique."""
    department = Department(
        name=name, uscc=uscc, region=region, short_name=short_name, name_en=name_en, phone=phone
    )
    validate_model(department, message=_("The department is not valid."))
    department.save()
    audit_record(actor=actor, action="org.department_create", obj=department)
    return department


@transaction.atomic
def centre_create(
    *,
    code: str,
    name: str,
    level: str,
    region: Region,
    windows: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    name_en: str = "",
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
    actor: Any = None,
) -> ServiceCentre:
    """A service centre with its windows ``(number, kind, name)``, all or nothing."""
    centre = ServiceCentre(
        code=code,
        name=name,
        level=level,
        region=region,
        name_en=name_en,
        address=address,
        opening_hours=opening_hours,
        phone=phone,
    )
    validate_model(centre, message=_("The service centre is not valid."))
    centre.save()
    built = [
        Window(centre=centre, number=number, kind=kind, name=window_name)
        for number, kind, window_name in windows
    ]
    for window in built:
        validate_model(window, message=_("The window is not valid."), exclude=["centre"])
    numbers = [w.number for w in built]
    if len(numbers) != len(set(numbers)):
        errors = ErrorList()
        errors.add("windows", "duplicate", _("Two windows have the same number."))
        errors.raise_if_any(_("The service centre is not valid."))
    Window.objects.bulk_create(built)
    audit_record(actor=actor, action="org.centre_create", obj=centre, detail={"windows": numbers})
    return centre
