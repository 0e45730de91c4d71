"""``RefusalAuditMiddleware``: no 401 or 403 answer leaves without an audit row.

Most refusals are audited where they are decided (``permissions.require``, ``staff_page``, the
admin mixin). Those that are decided elsewhere — Django's CSRF check, the API's sign-in check,
a framework's own 403 — are written here, once, when the response shows a refusal that nothing
during the request audited: ``denied:unauthenticated`` (401) or ``denied:forbidden`` (403), with
the path. Refusals to someone not signed in go through ``audit_anonymous_refusal`` (one row per
address and action a minute, the rest counted), so anonymous floods cannot fill the table.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from onewindow.core.audit import audit_anonymous_refusal, audit_record, refusals_counted
from onewindow.core.client import client_address

ACTIONS = {401: "denied:unauthenticated", 403: "denied:forbidden"}


class RefusalAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with refusals_counted() as refusals:
            response = self.get_response(request)
            action = ACTIONS.get(response.status_code)
            if action and not refusals.count:
                self._audit(request, response, action)
        return response

    def _audit(self, request: HttpRequest, response: HttpResponse, action: str) -> None:
        match = request.resolver_match
        detail = {
            "path": request.path[:500],
            "method": request.method,
            "status": response.status_code,
            "view": match.view_name if match else "",
        }
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            audit_record(
                actor=user,
                action=action,
                object_type="page",
                object_repr=request.path,
                allowed=False,
                detail=detail,
            )
        else:
            audit_anonymous_refusal(
                action=action,
                address=client_address(request),
                object_repr=request.path,
                detail=detail,
            )
