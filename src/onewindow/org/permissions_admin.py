"""The admin asks the permission matrix (``org.permissions``), not Django's model permissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from onewindow.core.audit import audit_record
from onewindow.org.permissions import Action, can, scope_queryset


class PermissionAdminMixin:
    """Let ``org.permissions`` answer the admin's questions instead of Django model perms.

    ``view_action`` / ``change_action`` name the actions; the ``*_path`` attributes say how a
    row reaches its department, centre and region for scoped roles.
    """

    view_action: Action = Action.ORG_VIEW
    change_action: Action = Action.ORG_MANAGE
    add_action: Action | None = None
    department_path: str | None = None
    centre_path: str | None = None
    region_code_path: str | None = None

    def _scoped(self, request: HttpRequest, action: Action, qs: QuerySet[Any]) -> QuerySet[Any]:
        return scope_queryset(
            request.user,
            action,
            qs,
            department_path=self.department_path,
            centre_path=self.centre_path,
            region_code_path=self.region_code_path,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return self._scoped(request, self.view_action, qs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, self.view_action)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.view_action, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.change_action, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, self.add_action or self.change_action)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Records of a government platform are withdrawn or deactivated, not deleted.
        return False

    # A user the matrix refuses the whole model (the system administrator on the audit trail)
    # gets the admin's 403, and the refusal is audited with the page it was asked on.
    def _refuse_unless_viewable(self, request: HttpRequest) -> None:
        if self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
            return
        opts = self.model._meta  # type: ignore[attr-defined]
        audit_record(
            actor=request.user,
            action=f"denied:{self.view_action}",
            object_type=opts.label_lower,
            object_repr=request.path,
            allowed=False,
            detail={"path": request.path, "method": request.method, "site": "admin"},
        )
        raise PermissionDenied

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._refuse_unless_viewable(request)
        return super().changelist_view(request, extra_context)  # type: ignore[misc,no-any-return]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._refuse_unless_viewable(request)
        return super().change_view(  # type: ignore[misc,no-any-return]
            request, object_id, form_url, extra_context
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._refuse_unless_viewable(request)
        return super().history_view(  # type: ignore[misc,no-any-return]
            request, object_id, extra_context
        )
