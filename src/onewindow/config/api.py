"""The HTTP API (django-ninja, OpenAPI at /api/docs). Each app adds its router here.

Every answer that is not a success is in the one error format ``{code, message (zh-Hans),
message_en, errors[]}`` — the platform's ``ApplicationError``s and the framework's own
refusals alike: 400 malformed JSON, 401 not signed in, 403 CSRF token missing, 404 an unknown
address under ``/api/``, 413 a body above ``DATA_UPLOAD_MAX_MEMORY_SIZE``, 415 a body that is
not ``application/json``, 422 input its schema refuses, 429 too many requests. The OpenAPI
document lists them for each operation (``core.openapi.document_framework_errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from onewindow.core.audit import audit_record, refusals_counted
from onewindow.core.errors import (
    ApplicationError,
    FieldError,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.openapi import document_framework_errors
from onewindow.core.validation import field_message

JSON_MEDIA_TYPES = {"application/json"}


class UnsupportedMediaType(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("Send the body as JSON, with the header Content-Type: application/json."),
            code="unsupported_media_type",
            status=415,
        )


class JsonOnlyParser(Parser):
    """Request bodies are JSON, declared as such: anything else answers 415."""

    def parse_body(self, request: HttpRequest) -> Any:
        if request.content_type not in JSON_MEDIA_TYPES:
            raise UnsupportedMediaType()
        return super().parse_body(request)


class OneWindowAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return document_framework_errors(super().get_openapi_schema(**kwargs))


api = OneWindowAPI(
    title="OneWindow API",
    version="1",
    description="一窗通 HTTP API. Errors: {code, message (zh-Hans), message_en, errors[]}.",
    urls_namespace="api",
    parser=JsonOnlyParser(),
)


def audit_not_found(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A 404 to a signed-in user is audited exactly once, as on the staff pages: "not yours"
    is written by ``permissions.require(hide=True)``; a plain "does not exist" is written here
    (``denied:not_found`` with the path), so a probe for a missing case leaves the same trace
    as one for somebody else's."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with refusals_counted() as refusals:
            response = run(request, *args, **kwargs)
            user = getattr(request, "user", None)
            signed_in = bool(getattr(user, "is_authenticated", False))
            if response.status_code == 404 and not refusals.count and signed_in:
                match = request.resolver_match
                audit_record(
                    actor=user,
                    action="denied:not_found",
                    object_type="api",
                    object_repr=request.path,
                    allowed=False,
                    detail={
                        "path": request.path[:500],
                        "method": request.method,
                        "view": match.view_name if match else "",
                    },
                )
        return response

    return wrapped


api.add_decorator(audit_not_found, mode="view")


def _error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(NinjaValidationError)
def request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A body or query the schema refuses, in the platform's error format."""
    errors = []
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ())]
        # ("body", "payload", "materials", 0, "copies") → "materials.0.copies"
        if location[:1] in (["body"], ["query"], ["path"], ["header"]):
            location = location[2:] if location[0] == "body" else location[1:]
        own = field_message(problem)
        message, params = own or (
            _("Not valid here: %(detail)s"),
            {"detail": problem.get("msg", "")},
        )
        errors.append(
            FieldError(
                field=".".join(location) or "body",
                code=str(problem.get("type", "invalid")),
                message=message,
                params=params,
            )
        )
    body = ValidationFailed(_("The request is not valid."), errors, code="request_invalid")
    return _error(request, body)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def sign_in_required(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        ApplicationError(
            _("Sign in first: this operation is for signed-in staff."),
            code="sign_in_required",
            status=401,
        ),
    )


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _error(
        request,
        ApplicationError(
            _("Too many requests. Wait a moment and try again."), code="throttled", status=429
        ),
    )


@api.exception_handler(HttpError)
def framework_refusal(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """The framework's own refusals: a body it cannot parse (or one the parser refused), a
    missing CSRF token."""
    if isinstance(exc.__cause__, ApplicationError):  # the parser's 415
        return _error(request, exc.__cause__)
    if exc.status_code == 400:
        error = ApplicationError(
            _("The body is not valid JSON."), code="malformed_json", status=400
        )
    elif exc.status_code == 403:
        error = ApplicationError(
            _(
                "The CSRF token is missing or wrong: send the csrftoken cookie's value in the "
                "X-CSRFToken header."
            ),
            code="csrf_failed",
            status=403,
        )
    else:
        error = ApplicationError(
            _("The request was refused."), code="refused", status=exc.status_code
        )
    return _error(request, error)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    from django.conf import settings

    return _error(
        request,
        ApplicationError(
            _("The body is larger than %(limit)s bytes."),
            code="request_too_large",
            status=413,
            params={"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        ),
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, NotFoundOrForbidden())


def unknown_address(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under ``/api/``: the one 404, as JSON (``config/urls.py``)."""
    return JsonResponse(NotFoundOrForbidden().as_dict(), status=404)


from onewindow.applicants import api as applicants_api  # noqa: E402
from onewindow.cases import api as cases_api  # noqa: E402
from onewindow.catalog import api as catalog_api  # noqa: E402
from onewindow.citizens import api as citizens_api  # noqa: E402
from onewindow.hall import api as hall_api  # noqa: E402
from onewindow.hotline import api as hotline_api  # noqa: E402
from onewindow.knowledge import api as knowledge_api  # noqa: E402
from onewindow.online import api as online_api  # noqa: E402
from onewindow.ratings import api as ratings_api  # noqa: E402
from onewindow.urban import api as urban_api  # noqa: E402

# Each app publishes ``public_router`` and/or ``staff_router`` from its ``api`` package.
api.add_router("/catalog/", catalog_api.public_router, tags=["catalog"])
api.add_router("/catalog/", catalog_api.staff_router, tags=["catalog"])
api.add_router("/cases/", cases_api.staff_router)
api.add_router("/progress", cases_api.public_router)
api.add_router("/applicants/", applicants_api.staff_router, tags=["applicants"])
api.add_router("/citizens/", citizens_api.public_router)
api.add_router("/hall/", hall_api.public_router)
api.add_router("/online/", online_api.public_router)
api.add_router("/ratings/", ratings_api.staff_router)
api.add_router("/hotline/", hotline_api.staff_router)
api.add_router("/knowledge/", knowledge_api.staff_router)
api.add_router("/urban/", urban_api.staff_router)
