"""The HTTP API (django-ninja, OpenAPI at /api/docs). Each app adds its router here."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.errors import ApplicationError, FieldError, ValidationFailed

api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="一窗通 HTTP API. Errors: {code, message (zh-Hans), message_en, errors[]}.",
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A body or query the schema refuses, in the platform's error format."""
    errors = []
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ())]
        # ("body", "payload", "materials", 0, "copies") → "materials.0.copies"
        if location[:1] in (["body"], ["query"], ["path"]):
            location = location[2:] if location[0] == "body" else location[1:]
        errors.append(
            FieldError(
                field=".".join(location) or "body",
                code=str(problem.get("type", "invalid")),
                message=_("Not valid here: %(detail)s"),
                params={"detail": problem.get("msg", "")},
            )
        )
    body = ValidationFailed(_("The request is not valid."), errors, code="request_invalid")
    return api.create_response(request, body.as_dict(), status=422)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


from onewindow.cases import api as cases_api  # noqa: E402
from onewindow.catalog import api as catalog_api  # noqa: E402

# Each app publishes ``public_router`` and/or ``staff_router`` from its ``api`` package.
api.add_router("/catalog/", catalog_api.public_router, tags=["catalog"])
api.add_router("/catalog/", catalog_api.staff_router, tags=["catalog"])
api.add_router("/cases/", cases_api.staff_router)
api.add_router("/progress", cases_api.public_router)
