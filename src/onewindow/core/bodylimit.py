"""A request body larger than any upload the platform accepts is refused before it is read.

Django keeps a multipart upload above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` in a temporary file and
``DATA_UPLOAD_MAX_MEMORY_SIZE`` counts only the fields, not the files: without this check a
client could stream gigabytes to the disk of every worker before the paper's own limit
(``PAPER_MAX_MB``) refused them. The declared ``Content-Length`` is compared with
``REQUEST_BODY_MAX_BYTES`` (the largest file limit plus room for the form's fields) before the
CSRF check or any view reads ``request.POST``; a larger body answers 413, an unreadable length
400 — as JSON under ``/api/``, as the error page elsewhere, in Chinese and English. A body
without a length (chunked) is read by Django as empty, so it cannot pass around the check. A
reverse proxy in front should refuse the same size (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, bilingual

API_PREFIX = "/api/"

TOO_LARGE = _(
    "The upload is larger than %(limit)s MB, more than any paper or workbook may be; "
    "send a smaller file."
)
BAD_LENGTH = _("The request's Content-Length is not a number of bytes.")


def _answer(
    request: HttpRequest, message: Any, *, code: str, status: int, **params: Any
) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        error = ApplicationError(message, code=code, status=status, params=params)
        return JsonResponse(error.as_dict(), status=status)
    text = bilingual(message, **params)
    context = {"status": status, "message": {"zh": text["zh"], "en": text["en"]}}
    return render(request, "error.html", context, status=status)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            if not declared.isascii() or not declared.isdigit():
                return _answer(request, BAD_LENGTH, code="bad_content_length", status=400)
            limit = int(settings.REQUEST_BODY_MAX_BYTES)
            if int(declared) > limit:
                return _answer(
                    request,
                    TOO_LARGE,
                    code="request_too_large",
                    status=413,
                    limit=f"{limit / (1024 * 1024):g}",
                )
        return self.get_response(request)
