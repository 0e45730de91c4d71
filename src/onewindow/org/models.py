"""Who is who: regions, service centres, windows, departments and staff roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from onewindow.core.models import TimeStampedModel
from onewindow.org.codes import (
    PARENT_LEVEL,
    REGION_PREFIX_LENGTH,
    CentreLevel,
    RegionLevel,
    Role,
    WindowKind,
)
from onewindow.org.permissions import TargetScope
from onewindow.org.rules import region_validate, role_scope_errors

__all__ = [
    "PARENT_LEVEL",
    "REGION_PREFIX_LENGTH",
    "CentreLevel",
    "Department",
    "Region",
    "RegionLevel",
    "Role",
    "RoleAssignment",
    "ServiceCentre",
    "Window",
    "WindowKind",
]


class Region(models.Model):
    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def permission_scope(self) -> TargetScope:
        return TargetScope(region_code=self.code)

    @property
    def prefix(self) -> str:
        return self.code[: REGION_PREFIX_LENGTH[RegionLevel(self.level)]]

    def clean(self) -> None:
        region_validate(
            code=self.code, level=self.level, parent=self.parent, exclude_pk=self.pk
        ).raise_for_django()


class ServiceCentre(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    level = models.CharField(_("level"), max_length=32, choices=CentreLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="centres"
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=128, blank=True)
    phone = models.CharField(_("consultation phone"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def permission_scope(self) -> TargetScope:
        return TargetScope(centre_id=self.pk, region_code=self.region.code)


class Window(models.Model):
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("centre"), on_delete=models.CASCADE, related_name="windows"
    )
    number = models.CharField(_("window number"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16, choices=WindowKind.choices)
    name = models.CharField(_("name"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Departments that moved their seal to this window: their instant items finish here.
    delegated_departments: models.ManyToManyField[Department, Any] = models.ManyToManyField(
        "Department", verbose_name=_("delegated departments"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["centre__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="window_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} {self.number}"


def validate_uscc(value: str) -> None:
    if not uscc.is_valid(value):
        raise ValidationError(
            _("Not a valid unified social credit code (18 characters with a check character)."),
            code="invalid_uscc",
        )


class Department(TimeStampedModel):
    name = models.CharField(_("name"), max_length=128, unique=True)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def permission_scope(self) -> TargetScope:
        return TargetScope(department_ids=frozenset({self.pk}), region_code=self.region.code)

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.uscc = uscc.compact(self.uscc)
        super().save(*args, **kwargs)


class RoleAssignment(models.Model):
    """A role a staff account holds, with its data scope.

    Scope by role (checked in ``onewindow.org.permissions``):
    department roles need ``department``; window clerks and centre managers need ``centre``;
    grid workers need ``region``; auditors and administrators are city-wide.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("centre"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department", "centre", "region"],
                name="role_assignment_unique",
            )
        ]

    def __str__(self) -> str:
        scope = self.department or self.centre or self.region or _("city-wide")
        return f"{self.get_role_display()} · {scope}"

    def clean(self) -> None:
        errors = role_scope_errors(
            role=self.role, department=self.department, centre=self.centre, region=self.region
        )
        if errors:
            raise ValidationError({e.field: e.message for e in errors})
