from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.org.codes import Role
from onewindow.org.models import Department, Region, RoleAssignment, ServiceCentre, Window
from onewindow.org.permissions import Action, can
from onewindow.org.permissions_admin import PermissionAdminMixin
from onewindow.org.rules import separated_duties_errors


@admin.register(Region)
class RegionAdmin(PermissionAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ("delegated_departments",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(PermissionAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "region", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "address")
    list_select_related = ("region",)
    inlines = [WindowInline]


@admin.register(Department)
class DepartmentAdmin(PermissionAdminMixin, admin.ModelAdmin):
    list_display = ("name", "short_name", "uscc", "region", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name", "uscc")
    list_select_related = ("region",)


class RoleAssignmentFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        roles = [
            form.cleaned_data["role"]
            for form in self.forms
            if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")
        ]
        separated_duties_errors(roles).raise_for_django(as_list=True)


class RoleAssignmentInline(admin.TabularInline):
    """A staff account's roles: seen by whoever may see the account, granted and withdrawn by
    the security administrator only, never on their own account (三员分立)."""

    model = RoleAssignment
    formset = RoleAssignmentFormSet
    extra = 0
    autocomplete_fields = ("department", "centre")
    raw_id_fields = ("region",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return staff_viewable(request.user)

    def _may_grant(self, request: HttpRequest, obj: Any) -> bool:
        own = obj is not None and obj.pk == request.user.pk
        return not own and can(request.user, Action.ROLE_GRANT)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_grant(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_grant(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_grant(request, obj)


def staff_viewable(user: Any) -> bool:
    """The system administrator (accounts), the security administrator (their roles) and the
    auditor (who holds what) see the staff accounts."""
    return (
        can(user, Action.ORG_MANAGE)
        or can(user, Action.ROLE_GRANT)
        or can(user, Action.AUDIT_TRAIL_VIEW)
    )


User = get_user_model()
admin.site.unregister(User)
# Django's groups and model permissions decide nothing here (the matrix does): not offered.
admin.site.unregister(Group)

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
# The accounts of the three duties (三员): the system administrator does not take them over
# (password, switching off, renaming); the security administrator does (ADR 0012, amended).
DUTY_ROLES = (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)


def holds_a_duty(account: Any) -> bool:
    """Whether the account is one of the three duties' (or a ``createsuperuser`` account)."""
    if account is None or account.pk is None:
        return False
    return (
        bool(account.is_superuser) or account.role_assignments.filter(role__in=DUTY_ROLES).exists()
    )


def may_manage_account(user: Any, account: Any) -> bool:
    """Whether ``user`` may change ``account``'s fields and password in the admin.

    The system administrator runs the ordinary staff accounts and their own; the accounts of
    the three duties (another administrator, the security administrator, the auditor) are the
    security administrator's, never their own."""
    if account is None:
        return can(user, Action.ORG_MANAGE)
    if account.pk == user.pk:
        return can(user, Action.ORG_MANAGE)
    if holds_a_duty(account):
        return can(user, Action.ROLE_GRANT)
    return can(user, Action.ORG_MANAGE)


@admin.register(User)
class StaffAdmin(UserAdmin):
    """Staff accounts with their roles. The system administrator creates accounts, edits them
    and sets passwords, except on the accounts of the three duties, which the security
    administrator edits; the security administrator grants and withdraws roles; the auditor
    reads. Every account change and password change writes an audit row. The superuser flag
    and Django's groups and permissions are not offered: a superuser is only ever the system
    administrator (``org.permissions.grants_for``)."""

    inlines = [RoleAssignmentInline]
    list_display = ("username", "first_name", "is_active", "is_staff", "roles")
    list_filter = ("is_active", "is_staff")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Account"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("roles"))
    def roles(self, obj: Any) -> str:
        return ", ".join(str(ra) for ra in obj.role_assignments.all())

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "role_assignments__department",
                "role_assignments__centre",
                "role_assignments__region",
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if may_manage_account(request.user, obj):
            return self.readonly_fields
        # The security administrator changes an ordinary account's roles, not the account; the
        # system administrator does not change the accounts of the three duties.
        return (*ACCOUNT_FIELDS, *self.readonly_fields)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return staff_viewable(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return staff_viewable(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.ORG_MANAGE) or can(request.user, Action.ROLE_GRANT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.ORG_MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Whoever sets a password can sign in as its owner: an ordinary account's password is
        # the system administrator's to set, a duty account's the security administrator's.
        account = self.get_object(request, id)
        if account is not None and not may_manage_account(request.user, account):
            audit_record(
                actor=request.user,
                action="denied:org.account_password",
                obj=account,
                allowed=False,
                detail={"path": request.path[:500], "method": request.method},
            )
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and account is not None:
            account.refresh_from_db()
            audit_record(
                actor=request.user,
                action="org.account_password",
                obj=account,
                detail={"usable": account.has_usable_password()},
            )
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Which fields changed, never their values (names and e-mail are personal data) and
        # never a password; the two switches are named with their new value.
        fields = sorted(name for name in form.changed_data if "password" not in name)
        detail: dict[str, Any] = {"fields": fields}
        for flag in ("is_active", "is_staff"):
            if flag in fields:
                detail[flag] = bool(getattr(obj, flag))
        if not change:
            detail["usable_password"] = obj.has_usable_password()
        audit_record(
            actor=request.user,
            action="org.account_change" if change else "org.account_create",
            obj=obj,
            detail=detail,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not RoleAssignment:
            return
        for assignment in formset.new_objects:
            audit_record(
                actor=request.user,
                action="org.role_grant",
                obj=form.instance,
                detail={"role": assignment.role, "scope": str(assignment)},
            )
        for assignment, _fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action="org.role_change",
                obj=form.instance,
                detail={"role": assignment.role, "scope": str(assignment)},
            )
        for assignment in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action="org.role_withdraw",
                obj=form.instance,
                detail={"role": assignment.role, "scope": str(assignment)},
            )


# The read-only audit log (``core.models.AuditLog``) is registered here: reading it is a
# permission of the matrix, which lives in this app.
from onewindow.org import admin_audit  # noqa: E402, F401
