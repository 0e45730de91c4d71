"""Signing out through Django's admin is audited (``admin.sign_out``).

Signing in, and failing to, always goes through the staff shell's sign-in, which audits both
(the admin's login address sends there); so does the staff shell's sign-out. The admin keeps its
own logout page, which only sends Django's ``user_logged_out`` signal: the receiver below writes
its row. Connected in ``CoreConfig.ready``; the signal from any other page is left to that page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.http import HttpRequest

from onewindow.core.audit import audit_record
from onewindow.core.client import client_address

ADMIN_NAMESPACE = "admin"


def _from_admin(request: HttpRequest | None) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and ADMIN_NAMESPACE in match.namespaces)


def admin_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and user is not None and _from_admin(request):
        audit_record(
            actor=user,
            action="admin.sign_out",
            obj=user,
            detail={"address": client_address(request)},
        )


def connect() -> None:
    user_logged_out.connect(admin_signed_out, dispatch_uid="onewindow.core.admin_signed_out")
