"""The grid worker's phone API at ``/api/urban/``.

``GET /api/urban/categories`` — the active subclasses for the category picker, with pinyin for
search (the service worker keeps the answer for offline use).

``POST /api/urban/reports`` — one report, as ``multipart/form-data`` (the phone sends it from
its queue when the network is there): ``client_key`` (the phone's UUID of the report),
``category`` (a subclass code), ``description``, ``longitude``, ``latitude``, ``place``,
``photos`` (files, JPEG/PNG/WebP), and for a problem handled on the spot ``self_handled=1``,
``note`` and ``after_photos``. Answers 201 with the case number; the same ``client_key`` again
answers 200 with the same number (nothing new written).

Both need the session sign-in and ``urban.report`` (401 not signed in; 403 without it,
audited); the report needs the CSRF token (the ``csrftoken`` cookie's value in the
``X-CSRFToken`` header). Errors are the platform's JSON (``code``, ``message``, ``message_en``,
``errors[]`` located by field: ``photos.2``, ``longitude`` …).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from onewindow.core.audit import audit_record
from onewindow.core.errors import PermissionDenied
from onewindow.core.openapi import ErrorOut
from onewindow.org.permissions import Action, can
from onewindow.urban.models import GridCase
from onewindow.urban.picker import categories_for_report
from onewindow.urban.services import client_key_checked, report_submit


class GridReporter(SessionAuth):
    """Session sign-in and ``urban.report``: refused (audited 403) before the body is read."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not can(user, Action.URBAN_REPORT):
            audit_record(
                actor=user,
                action=f"denied:{Action.URBAN_REPORT}",
                object_type="urban.api",
                object_repr=request.path[:255],
                allowed=False,
                detail={"method": request.method, "path": request.path[:255]},
            )
            raise PermissionDenied()
        return user


router = Router(auth=GridReporter(), tags=["urban"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ReportCategoryOut(Schema):
    code: str
    name: str
    kind: str
    major: str
    major_code: str
    keywords: str
    pinyin: str
    initials: str


class ReportOut(Schema):
    number: str
    state: str
    client_key: str
    created: bool


@router.get(
    "/categories",
    response={200: list[ReportCategoryOut], **ERRORS},
    operation_id="report_categories",
    summary="The grid categories a worker reports under (active subclasses, with pinyin)",
)
def report_categories(request: HttpRequest) -> list[dict[str, Any]]:
    return categories_for_report()


@router.post(
    "/reports",
    response={200: ReportOut, 201: ReportOut, **ERRORS},
    operation_id="report_create",
    summary="A grid worker's report from the street (multipart: fields and photos)",
)
def report_create(request: HttpRequest) -> Status[dict[str, Any]]:
    post, files = request.POST, request.FILES
    key = client_key_checked(post.get("client_key", ""))
    known = GridCase.objects.filter(client_key=key).exists()
    case = report_submit(
        actor=request.auth,  # type: ignore[attr-defined]
        category=post.get("category", ""),
        description=post.get("description", ""),
        longitude=post.get("longitude", ""),
        latitude=post.get("latitude", ""),
        place=post.get("place", ""),
        photos=files.getlist("photos"),
        client_key=key,
        self_handled=post.get("self_handled", "") in ("1", "true", "on"),
        note=post.get("note", ""),
        after_photos=files.getlist("after_photos"),
    )
    body = {"number": case.number, "state": case.state, "client_key": key, "created": not known}
    return Status(200 if known else 201, body)
